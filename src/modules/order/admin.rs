//! What the admin does with orders: filtered listing (status, customer, region, sales
//! channel, creation time, `q` over email and display id) and status changes (cancel).

use super::{COLUMNS, Order, from_row};
use crate::ctx::Ctx;
use crate::error::{Error, Result};
use rusqlite::types::Value as SqlValue;
use rusqlite::{Connection, params, params_from_iter};

/// Filters of the admin order list; empty lists and `None` mean "any".
#[derive(Debug, Clone, Default)]
pub struct OrderFilter {
    /// `order_…`
    pub ids: Vec<String>,
    /// Statuses.
    pub statuses: Vec<String>,
    /// `cus_…`
    pub customer_ids: Vec<String>,
    /// `reg_…`
    pub region_ids: Vec<String>,
    /// `sc_…`
    pub sales_channel_ids: Vec<String>,
    /// `(operator, ISO-8601)` pairs on `created_at`: `$gt`, `$gte`, `$lt`, `$lte`.
    pub created_at: Vec<(String, String)>,
    /// `(operator, ISO-8601)` pairs on `updated_at`.
    pub updated_at: Vec<(String, String)>,
    /// Substring of the email, or the display id.
    pub q: Option<String>,
    /// Draft orders only (`/admin/draft-orders`); otherwise drafts are left out.
    pub drafts: bool,
    /// Exactly this display id (its unique index; the admin UI's order-number search).
    pub display_id: Option<i64>,
    /// Oldest first instead of newest first (same index, walked the other way).
    pub oldest_first: bool,
}

pub(super) fn any_of(
    column: &str,
    values: &[String],
    wheres: &mut Vec<String>,
    args: &mut Vec<SqlValue>,
) {
    if values.is_empty() {
        return;
    }
    let mut marks = Vec::with_capacity(values.len());
    for value in values {
        args.push(SqlValue::Text(value.clone()));
        marks.push(format!("?{}", args.len()));
    }
    wheres.push(format!("{column} IN ({})", marks.join(", ")));
}

pub(super) fn ranges(
    column: &str,
    ops: &[(String, String)],
    wheres: &mut Vec<String>,
    args: &mut Vec<SqlValue>,
) -> Result<()> {
    for (op, value) in ops {
        let sql = match op.as_str() {
            "$gt" => ">",
            "$gte" => ">=",
            "$lt" => "<",
            "$lte" => "<=",
            "$eq" => "=",
            "$ne" => "!=",
            other => {
                return Err(Error::invalid(format!(
                    "Invalid request: Unrecognized operator '{other}' on '{column}'"
                )));
            }
        };
        args.push(SqlValue::Text(value.clone()));
        wheres.push(format!("{column} {sql} ?{}", args.len()));
    }
    Ok(())
}

/// A page of orders, newest first (or oldest first), and the count of all that match.
///
/// # Errors
/// An unknown range operator; database failures.
pub fn list(
    conn: &Connection,
    filter: &OrderFilter,
    offset: u64,
    limit: u64,
) -> Result<(Vec<Order>, u64)> {
    let mut wheres = vec![if filter.drafts { DRAFTS } else { LIVE }.to_string()];
    let mut args: Vec<SqlValue> = Vec::new();
    any_of("id", &filter.ids, &mut wheres, &mut args);
    any_of("status", &filter.statuses, &mut wheres, &mut args);
    any_of("customer_id", &filter.customer_ids, &mut wheres, &mut args);
    any_of("region_id", &filter.region_ids, &mut wheres, &mut args);
    any_of(
        "sales_channel_id",
        &filter.sales_channel_ids,
        &mut wheres,
        &mut args,
    );
    ranges("created_at", &filter.created_at, &mut wheres, &mut args)?;
    ranges("updated_at", &filter.updated_at, &mut wheres, &mut args)?;
    if let Some(display_id) = filter.display_id {
        args.push(SqlValue::Integer(display_id));
        wheres.push(format!("display_id = ?{}", args.len()));
    }
    if let Some(q) = filter.q.as_deref().filter(|q| !q.is_empty()) {
        let escaped = q
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        args.push(SqlValue::Text(format!("%{escaped}%")));
        let like = args.len();
        args.push(SqlValue::Text(q.trim_start_matches('#').to_string()));
        wheres.push(format!(
            "(email LIKE ?{like} ESCAPE '\\' OR CAST(display_id AS TEXT) = ?{})",
            args.len()
        ));
    }
    let count = count(conn, &wheres, &args)?;
    let clause = wheres.join(" AND ");
    args.push(SqlValue::Integer(i64::try_from(limit).unwrap_or(i64::MAX)));
    args.push(SqlValue::Integer(i64::try_from(offset).unwrap_or(i64::MAX)));
    let direction = if filter.oldest_first { "ASC" } else { "DESC" };
    let sql = format!(
        "SELECT {COLUMNS} FROM \"order\" WHERE {clause} ORDER BY created_at {direction}, id {direction} LIMIT ?{} OFFSET ?{}",
        args.len() - 1,
        args.len()
    );
    let orders = conn
        .prepare(&sql)?
        .query_map(params_from_iter(args.iter()), from_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok((orders, count.max(0) as u64))
}

/// The condition every order listing starts with: live orders, drafts left out (the
/// trigger-kept `order_live_count` counts the same rows).
const LIVE: &str = "deleted_at IS NULL AND status <> 'draft'";

/// The condition of the draft-order listing.
const DRAFTS: &str = "deleted_at IS NULL AND status = 'draft'";

/// The number of orders matching `wheres`: all live orders from the trigger-kept
/// `order_live_count` (constant time at any history size), filtered ones by counting.
fn count(conn: &Connection, wheres: &[String], args: &[SqlValue]) -> Result<i64> {
    if wheres.len() == 1 && wheres[0] == LIVE {
        return Ok(conn
            .prepare_cached("SELECT live FROM order_live_count WHERE id = 1")?
            .query_row([], |r| r.get(0))?);
    }
    let clause = wheres.join(" AND ");
    Ok(conn
        .prepare(&format!("SELECT COUNT(*) FROM \"order\" WHERE {clause}"))?
        .query_row(params_from_iter(args.iter()), |r| r.get(0))?)
}

/// Refuses a canceled order (Medusa's message).
///
/// # Errors
/// `not_allowed` "Order with id X has been canceled." when it is.
pub fn ensure_not_canceled(order: &Order) -> Result<()> {
    if order.status == "canceled" {
        return Err(Error::not_allowed(format!(
            "Order with id {} has been canceled.",
            order.id
        )));
    }
    Ok(())
}

/// Refuses a canceled order and a draft: a draft has no reservations until it is converted,
/// so fulfilling or canceling one would move stock (and leave the draft state) around the
/// conversion.
///
/// # Errors
/// 400 `not_allowed` for either.
pub fn ensure_placed(order: &Order) -> Result<()> {
    ensure_not_canceled(order)?;
    if order.status == "draft" {
        return Err(Error::not_allowed(format!(
            "Order {} is a draft: convert it to an order first",
            order.id
        )));
    }
    Ok(())
}

/// Sets an order's status to `canceled` with `canceled_at`.
///
/// # Errors
/// Database failures.
pub fn mark_canceled(conn: &Connection, ctx: &Ctx, id: &str) -> Result<()> {
    conn.prepare_cached(
        "UPDATE \"order\" SET status = 'canceled', canceled_at = ?2, updated_at = ?2 WHERE id = ?1",
    )?
    .execute(params![id, ctx.now()])?;
    Ok(())
}

/// The order's `canceled_at`, if canceled.
///
/// # Errors
/// Database failures.
pub fn canceled_at(conn: &Connection, id: &str) -> Result<Option<String>> {
    Ok(conn
        .prepare_cached("SELECT canceled_at FROM \"order\" WHERE id = ?1")?
        .query_row([id], |r| r.get(0))?)
}

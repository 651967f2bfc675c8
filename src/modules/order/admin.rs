//! What the admin does with orders: the listing's filter (status, customer, region, sales
//! channel, creation time, Medusa's `q`; served by [`super::listing`]) and status changes
//! (cancel).

use super::Order;
use crate::ctx::Ctx;
use crate::error::{Error, Result};
use rusqlite::types::Value as SqlValue;
use rusqlite::{Connection, params};

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
    /// Medusa's free-text search: every word a substring of the display id, the email or
    /// an address's first or last name (case-insensitive).
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

/// A page of orders, newest first (or oldest first), and the count of all that match
/// ([`super::listing`]: which index serves each filter, where each count comes from).
///
/// # Errors
/// An unknown range operator; database failures.
pub fn list(
    conn: &Connection,
    filter: &OrderFilter,
    offset: u64,
    limit: u64,
) -> Result<(Vec<Order>, u64)> {
    super::listing::list(conn, filter, offset, limit)
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
    conn.prepare_cached_static(
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
        .prepare_cached_static("SELECT canceled_at FROM \"order\" WHERE id = ?1")?
        .query_row([id], |r| r.get(0))?)
}

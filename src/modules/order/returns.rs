//! Returns (Medusa's `Return` / `ReturnItem`, owned by the order module): what a customer
//! sends back, with its items (requested, received and damaged units, a reason), its
//! shipping method and the amount it refunds.
//!
//! A return is created `open`; its items and shipping method are written only when an order
//! change's actions are applied ([`super::changes::confirm`]), so a return's rows always
//! describe confirmed facts. Every status move is an `UPDATE … WHERE status IN (…)` whose
//! row count is checked, so a caller that validated a return in the same write job cannot
//! move one that another job already moved.

use super::after_sales::Kind;
use crate::ctx::Ctx;
use crate::error::{Error, Result};
use crate::modules::{clamp, metadata_from_sql};
use rusqlite::types::Value as SqlValue;
use rusqlite::{Connection, OptionalExtension, Row, params, params_from_iter};
use serde::Serialize;
use serde_json::Value;

/// A return as stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Return {
    /// `return_…`
    pub id: String,
    /// `order_…`
    pub order_id: String,
    /// 1, 2, 3 … (a sequence of its own).
    pub display_id: i64,
    /// The order's version when the return was begun.
    pub order_version: i64,
    /// `open`, `requested`, `received`, `partially_received` or `canceled`.
    pub status: String,
    /// `sloc_…`: where the items come back into stock.
    pub location_id: Option<String>,
    /// Whether the customer is left unnotified.
    pub no_notification: Option<bool>,
    /// Minor units the order owes back for this return (set when requested).
    pub refund_amount: Option<i64>,
    /// Who began it (a user or customer id).
    pub created_by: Option<String>,
    /// Free-form JSON.
    pub metadata: Option<Value>,
    /// ISO-8601.
    pub requested_at: Option<String>,
    /// ISO-8601.
    pub received_at: Option<String>,
    /// ISO-8601.
    pub canceled_at: Option<String>,
    /// ISO-8601.
    pub created_at: String,
    /// ISO-8601.
    pub updated_at: String,
    /// `oexc_…` when it is an exchange's inbound return.
    pub exchange_id: Option<String>,
    /// `claim_…` when it is a claim's inbound return.
    pub claim_id: Option<String>,
}

/// The return's shipping method.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReturnShipping {
    /// `ordsm_…`
    pub id: String,
    /// `return_…`
    pub return_id: String,
    /// The option's name.
    pub name: String,
    /// `so_…`
    pub shipping_option_id: Option<String>,
    /// Minor units.
    pub amount: i64,
}

/// Input of [`create`].
#[derive(Debug, Clone, Default)]
pub struct NewReturn {
    /// `order_…`
    pub order_id: String,
    /// `sloc_…`
    pub location_id: Option<String>,
    /// Who begins it.
    pub created_by: Option<String>,
    /// Whether the customer is left unnotified.
    pub no_notification: Option<bool>,
    /// Free-form JSON.
    pub metadata: Option<Value>,
}

/// Filters of [`list`]; empty lists mean "any".
#[derive(Debug, Clone, Default)]
pub struct ReturnFilter {
    /// `return_…`
    pub ids: Vec<String>,
    /// `order_…`
    pub order_ids: Vec<String>,
    /// Statuses.
    pub statuses: Vec<String>,
}

const COLUMNS: &str = "id, order_id, display_id, order_version, status, location_id,
    no_notification, refund_amount, created_by, metadata, requested_at, received_at,
    canceled_at, created_at, updated_at, exchange_id, claim_id";

fn from_row(r: &Row) -> rusqlite::Result<Return> {
    Ok(Return {
        id: r.get(0)?,
        order_id: r.get(1)?,
        display_id: r.get(2)?,
        order_version: r.get(3)?,
        status: r.get(4)?,
        location_id: r.get(5)?,
        no_notification: r.get(6)?,
        refund_amount: r.get(7)?,
        created_by: r.get(8)?,
        metadata: metadata_from_sql(r.get(9)?),
        requested_at: r.get(10)?,
        received_at: r.get(11)?,
        canceled_at: r.get(12)?,
        created_at: r.get(13)?,
        updated_at: r.get(14)?,
        exchange_id: r.get(15)?,
        claim_id: r.get(16)?,
    })
}

pub use super::return_items::{
    ReturnItem, add_item, claimed_by_line, detail_by_line, items_of, receive_item,
};

/// Begins a return (`open`) with the next display id at the order's current version.
///
/// # Errors
/// 404 for an unknown order; database failures.
pub fn create(conn: &Connection, ctx: &Ctx, input: &NewReturn) -> Result<Return> {
    let order = super::retrieve(conn, &input.order_id)?;
    let (id, now) = (ctx.id("return"), ctx.now());
    conn.prepare_cached_static(
        "INSERT INTO order_return (id, order_id, display_id, order_version, location_id,
           no_notification, created_by, metadata, created_at, updated_at)
         VALUES (?1, ?2, (SELECT COALESCE(MAX(display_id), 0) + 1 FROM order_return), ?3, ?4,
           ?5, ?6, ?7, ?8, ?8)",
    )?
    .execute(params![
        id,
        order.id,
        order.version,
        input.location_id,
        input.no_notification,
        input.created_by,
        input.metadata.as_ref().map(Value::to_string),
        now
    ])?;
    retrieve(conn, &id)
}

/// A return by id.
///
/// # Errors
/// 404 "Return with id: X was not found".
pub fn retrieve(conn: &Connection, id: &str) -> Result<Return> {
    conn.prepare_cached_static(crate::sql_text!(
        [],
        "SELECT {COLUMNS} FROM order_return WHERE id = ?1 AND deleted_at IS NULL"
    ))?
    .query_row([id], from_row)
    .optional()?
    .ok_or_else(|| Error::not_found("Return", id))
}

/// Returns matching `filter`, newest first, and their count.
///
/// # Errors
/// Database failures.
pub fn list(
    conn: &Connection,
    filter: &ReturnFilter,
    offset: u64,
    limit: u64,
) -> Result<(Vec<Return>, u64)> {
    let mut wheres = vec!["deleted_at IS NULL".to_string()];
    let mut args: Vec<SqlValue> = Vec::new();
    for (column, values) in [
        ("id", &filter.ids),
        ("order_id", &filter.order_ids),
        ("status", &filter.statuses),
    ] {
        if values.is_empty() {
            continue;
        }
        args.push(SqlValue::Text(crate::modules::json_list(values)));
        wheres.push(format!(
            "{column} IN (SELECT value FROM json_each(?{}))",
            args.len()
        ));
    }
    let clause = wheres.join(" AND ");
    let count: i64 = conn
        .prepare(&format!("SELECT COUNT(*) FROM order_return WHERE {clause}"))?
        .query_row(params_from_iter(args.iter()), |r| r.get(0))?;
    args.push(SqlValue::Integer(clamp(limit)));
    args.push(SqlValue::Integer(clamp(offset)));
    let sql = format!(
        "SELECT {COLUMNS} FROM order_return WHERE {clause}
         ORDER BY created_at DESC, id DESC LIMIT ?{} OFFSET ?{}",
        args.len() - 1,
        args.len()
    );
    let rows = conn
        .prepare(&sql)?
        .query_map(params_from_iter(args.iter()), from_row)?
        .collect::<rusqlite::Result<_>>()?;
    Ok((rows, count.max(0) as u64))
}

/// What staff may change on a return; `None` keeps the field.
#[derive(Debug, Clone, Default)]
pub struct ReturnUpdate {
    /// `sloc_…`
    pub location_id: Option<String>,
    /// Whether the customer is left unnotified.
    pub no_notification: Option<bool>,
    /// `Some(None)` clears it.
    pub metadata: Option<Option<Value>>,
}

/// Updates a return that is not canceled or fully received.
///
/// # Errors
/// 400 when the return can no longer change; 404 when absent.
pub fn update(conn: &Connection, ctx: &Ctx, id: &str, input: &ReturnUpdate) -> Result<Return> {
    let found = retrieve(conn, id)?;
    ensure_not_closed(&found)?;
    let metadata = match &input.metadata {
        Some(m) => m.as_ref().map(Value::to_string),
        None => found.metadata.as_ref().map(Value::to_string),
    };
    conn.prepare_cached_static(
        "UPDATE order_return SET location_id = COALESCE(?2, location_id),
           no_notification = COALESCE(?3, no_notification), metadata = ?4, updated_at = ?5
         WHERE id = ?1",
    )?
    .execute(params![
        id,
        input.location_id,
        input.no_notification,
        metadata,
        ctx.now()
    ])?;
    retrieve(conn, id)
}

/// 400 for a canceled or fully received return (Medusa's `throwIfIsCancelled` and more).
///
/// # Errors
/// As described.
pub fn ensure_not_closed(found: &Return) -> Result<()> {
    match found.status.as_str() {
        "canceled" => Err(Error::invalid(format!(
            "Return with id {} has been canceled.",
            found.id
        ))),
        "received" => Err(Error::invalid(format!(
            "Return with id {} has been received.",
            found.id
        ))),
        _ => Ok(()),
    }
}

/// Moves a return from one of `from` to `to`, stamping `stamp` (a column) with now.
///
/// # Errors
/// 400 when the return is not in one of `from` any more.
pub fn move_status(
    conn: &Connection,
    ctx: &Ctx,
    id: &str,
    from: &[&str],
    to: &str,
    stamp: Option<&str>,
) -> Result<()> {
    let set_stamp = stamp.map(|c| format!(", {c} = ?3")).unwrap_or_default();
    let allowed = serde_json::to_string(from).map_err(|e| Error::Internal(e.to_string()))?;
    let changed = conn
        .prepare_cached(&format!(
            "UPDATE order_return SET status = ?2, updated_at = ?3{set_stamp}
             WHERE id = ?1 AND deleted_at IS NULL AND status IN (SELECT value FROM json_each(?4))"
        ))?
        .execute(params![id, to, ctx.now(), allowed])?;
    if changed == 1 {
        Ok(())
    } else {
        Err(Error::invalid(format!(
            "Return {id} cannot move to {to} from its current status"
        )))
    }
}

/// Records what the return refunds (minor units).
///
/// # Errors
/// Database failures.
pub fn set_refund_amount(conn: &Connection, ctx: &Ctx, id: &str, amount: i64) -> Result<()> {
    conn.prepare_cached_static(
        "UPDATE order_return SET refund_amount = ?2, updated_at = ?3 WHERE id = ?1",
    )?
    .execute(params![id, amount, ctx.now()])?;
    Ok(())
}

/// Sets the return's location when it has none (the order's fulfillment location).
///
/// # Errors
/// Database failures.
pub fn default_location(conn: &Connection, ctx: &Ctx, id: &str, location: &str) -> Result<()> {
    conn.prepare_cached_static(
        "UPDATE order_return SET location_id = ?2, updated_at = ?3
         WHERE id = ?1 AND location_id IS NULL",
    )?
    .execute(params![id, location, ctx.now()])?;
    Ok(())
}

/// Names the exchange or claim whose inbound return this is.
///
/// # Errors
/// Database failures.
pub fn belong_to(conn: &Connection, ctx: &Ctx, id: &str, kind: Kind, owner: &str) -> Result<()> {
    conn.prepare_cached(&format!(
        "UPDATE order_return SET {} = ?2, updated_at = ?3 WHERE id = ?1",
        kind.column()
    ))?
    .execute(params![id, owner, ctx.now()])?;
    Ok(())
}

/// Soft-deletes a return that never got past `open` (a canceled request), with its rows.
///
/// # Errors
/// 400 when it is no longer open.
pub fn delete_open(conn: &Connection, ctx: &Ctx, id: &str) -> Result<()> {
    let now = ctx.now();
    let changed = conn
        .prepare_cached_static(
            "UPDATE order_return SET deleted_at = ?2, updated_at = ?2
             WHERE id = ?1 AND status = 'open' AND deleted_at IS NULL",
        )?
        .execute(params![id, now])?;
    if changed != 1 {
        return Err(Error::invalid(format!(
            "Return {id} has been requested and can no longer be deleted"
        )));
    }
    Ok(())
}

/// Adds the return's shipping method.
///
/// # Errors
/// Database failures.
pub fn add_shipping(
    conn: &Connection,
    ctx: &Ctx,
    return_id: &str,
    name: &str,
    option: Option<&str>,
    amount: i64,
) -> Result<()> {
    conn.prepare_cached_static(
        "INSERT INTO order_return_shipping_method (id, return_id, name, shipping_option_id,
           amount, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
    )?
    .execute(params![
        ctx.id("ordsm"),
        return_id,
        name,
        option,
        amount,
        ctx.now()
    ])?;
    Ok(())
}

/// The return's shipping methods.
///
/// # Errors
/// Database failures.
pub fn shipping_of(conn: &Connection, return_id: &str) -> Result<Vec<ReturnShipping>> {
    let mut stmt = conn.prepare_cached_static(
        "SELECT id, return_id, name, shipping_option_id, amount FROM order_return_shipping_method
         WHERE return_id = ?1 AND deleted_at IS NULL ORDER BY created_at, id",
    )?;
    let rows = stmt.query_map([return_id], |r| {
        Ok(ReturnShipping {
            id: r.get(0)?,
            return_id: r.get(1)?,
            name: r.get(2)?,
            shipping_option_id: r.get(3)?,
            amount: r.get(4)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// What the order owes back for its returns: the sum of their refund amounts (requested,
/// partially received or received; never open or canceled ones).
///
/// # Errors
/// Database failures.
pub fn refund_owed(conn: &Connection, order_id: &str) -> Result<i64> {
    Ok(conn
        .prepare_cached_static(
            "SELECT COALESCE(SUM(refund_amount), 0) FROM order_return
             WHERE order_id = ?1 AND deleted_at IS NULL
               AND status IN ('requested', 'partially_received', 'received')",
        )?
        .query_row([order_id], |r| r.get(0))?)
}

#[cfg(test)]
#[path = "returns_tests.rs"]
mod tests;

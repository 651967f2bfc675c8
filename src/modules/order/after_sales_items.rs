//! The items of exchanges and claims (Medusa's `OrderExchangeItem` / `OrderClaimItem`): an
//! exchange's outbound lines, a claim's claimed units (with a reason) and its replacements;
//! written when the record's change is confirmed. Also what the order reads from claims:
//! units claimed per line, and what the claims owe back.

use super::after_sales::{AfterSale, Kind};
use crate::ctx::Ctx;
use crate::error::Result;
use crate::modules::metadata_from_sql;
use rusqlite::{Connection, params};
use serde::Serialize;
use serde_json::Value;
use std::collections::HashMap;

/// An exchange's outbound item or a claim's item.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AfterSaleItem {
    /// `oexcitem_…` / `claitem_…`
    pub id: String,
    /// The order line (`ordli_…`).
    pub item_id: String,
    /// Units.
    pub quantity: i64,
    /// Whether it was sent out (always for an exchange) rather than claimed.
    pub is_additional_item: bool,
    /// A claimed item's `missing_item`, `wrong_item`, `production_failure` or `other`.
    pub reason: Option<String>,
    /// Staff's note.
    pub note: Option<String>,
    /// Free-form JSON.
    pub metadata: Option<Value>,
}

/// Input of [`add_item`].
#[derive(Debug, Clone, Default)]
pub struct NewItem<'a> {
    /// The order line.
    pub item_id: &'a str,
    /// Units.
    pub quantity: i64,
    /// Sent out (true) or claimed.
    pub is_additional_item: bool,
    /// A claimed item's reason.
    pub reason: Option<&'a str>,
    /// Staff's note.
    pub note: Option<&'a str>,
    /// Free-form JSON.
    pub metadata: Option<&'a Value>,
}

/// Adds an item row to a record.
///
/// # Errors
/// Database failures.
pub fn add_item(conn: &Connection, ctx: &Ctx, found: &AfterSale, item: &NewItem) -> Result<()> {
    let (id, now) = (ctx.id(found.kind.item_prefix()), ctx.now());
    let metadata = item
        .metadata
        .filter(|m| m.is_object())
        .map(Value::to_string);
    let table = found.kind.items_table();
    let column = found.kind.column();
    match found.kind {
        Kind::Exchange => conn
            .prepare_cached(&format!(
                "INSERT INTO {table} (id, {column}, item_id, quantity, note, metadata, created_at,
                   updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)"
            ))?
            .execute(params![
                id,
                found.id,
                item.item_id,
                item.quantity,
                item.note,
                metadata,
                now
            ])?,
        Kind::Claim => conn
            .prepare_cached(&format!(
                "INSERT INTO {table} (id, {column}, item_id, quantity, is_additional_item, reason,
                   note, metadata, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9)"
            ))?
            .execute(params![
                id,
                found.id,
                item.item_id,
                item.quantity,
                item.is_additional_item,
                item.reason,
                item.note,
                metadata,
                now
            ])?,
    };
    Ok(())
}

/// A record's items, oldest first.
///
/// # Errors
/// Database failures.
pub fn items_of(conn: &Connection, found: &AfterSale) -> Result<Vec<AfterSaleItem>> {
    let own = match found.kind {
        Kind::Exchange => "1, NULL",
        Kind::Claim => "is_additional_item, reason",
    };
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT id, item_id, quantity, {own}, note, metadata FROM {} WHERE {} = ?1
           AND deleted_at IS NULL ORDER BY created_at, id",
        found.kind.items_table(),
        found.kind.column()
    ))?;
    let rows = stmt.query_map([&found.id], |r| {
        Ok(AfterSaleItem {
            id: r.get(0)?,
            item_id: r.get(1)?,
            quantity: r.get(2)?,
            is_additional_item: r.get(3)?,
            reason: r.get(4)?,
            note: r.get(5)?,
            metadata: metadata_from_sql(r.get(6)?),
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Units of each order line written off by the order's claims that are not canceled (what
/// can no longer be claimed).
///
/// # Errors
/// Database failures.
pub fn claimed_by_line(conn: &Connection, order_id: &str) -> Result<HashMap<String, i64>> {
    let mut stmt = conn.prepare_cached_static(
        "SELECT i.item_id, SUM(i.quantity) FROM order_claim_item i
           JOIN order_claim c ON c.id = i.claim_id
         WHERE c.order_id = ?1 AND c.deleted_at IS NULL AND c.canceled_at IS NULL
           AND i.deleted_at IS NULL AND i.is_additional_item = 0
         GROUP BY i.item_id",
    )?;
    let rows = stmt.query_map([order_id], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// What the order owes back for its claims that are not canceled: the sum of their refund
/// amounts (the order summary subtracts it from the order total, as it does returns').
///
/// # Errors
/// Database failures.
pub fn claims_owed(conn: &Connection, order_id: &str) -> Result<i64> {
    Ok(conn
        .prepare_cached_static(
            "SELECT COALESCE(SUM(refund_amount), 0) FROM order_claim
             WHERE order_id = ?1 AND deleted_at IS NULL AND canceled_at IS NULL",
        )?
        .query_row([order_id], |r| r.get(0))?)
}

//! Exchanges and claims (Medusa's `OrderExchange` / `OrderExchangeItem` and `OrderClaim` /
//! `OrderClaimItem`, owned by the order module). Both are the same shape — an after-sales
//! record of an order with an optional inbound return, outbound items and shipping — so one
//! set of functions serves both, told apart by [`Kind`]: its table, item table and prefixes.
//!
//! A record is written when it is begun; its items only when its order change is confirmed
//! (the flows in `flows::orders::exchanges`), so its rows always describe confirmed facts.
//! Canceling stamps `canceled_at` once: `… WHERE canceled_at IS NULL` with its row count
//! checked, so two jobs cannot both cancel it.

pub use super::after_sales_items::{
    AfterSaleItem, NewItem, add_item, claimed_by_line, claims_owed, items_of,
};
use crate::ctx::Ctx;
use crate::error::{Error, Result};
use crate::modules::{clamp, metadata_from_sql};
use rusqlite::{Connection, OptionalExtension, Row, params};
use serde::Serialize;
use serde_json::Value;

/// Which after-sales record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// Returned items swapped for new ones.
    Exchange,
    /// Damaged, missing or wrong items refunded or replaced.
    Claim,
}

impl Kind {
    fn table(self) -> &'static str {
        match self {
            Kind::Exchange => "order_exchange",
            Kind::Claim => "order_claim",
        }
    }

    pub(super) fn items_table(self) -> &'static str {
        match self {
            Kind::Exchange => "order_exchange_item",
            Kind::Claim => "order_claim_item",
        }
    }

    /// The column naming a record of this kind (`exchange_id` / `claim_id`) on returns,
    /// changes, actions, shipping methods and items.
    pub fn column(self) -> &'static str {
        match self {
            Kind::Exchange => "exchange_id",
            Kind::Claim => "claim_id",
        }
    }

    fn prefix(self) -> &'static str {
        match self {
            Kind::Exchange => "oexc",
            Kind::Claim => "claim",
        }
    }

    pub(super) fn item_prefix(self) -> &'static str {
        match self {
            Kind::Exchange => "oexcitem",
            Kind::Claim => "claitem",
        }
    }

    /// Medusa's entity name in messages (`Exchange`, `Claim`).
    pub fn name(self) -> &'static str {
        match self {
            Kind::Exchange => "Exchange",
            Kind::Claim => "Claim",
        }
    }

    /// The order change type of its request (`exchange`, `claim`).
    pub fn change_type(self) -> &'static str {
        match self {
            Kind::Exchange => "exchange",
            Kind::Claim => "claim",
        }
    }

    /// The columns only one kind has, as `(type, refund_amount, difference_due,
    /// allow_backorder)` select expressions.
    fn own_columns(self) -> &'static str {
        match self {
            Kind::Exchange => "NULL, NULL, difference_due, allow_backorder",
            Kind::Claim => "type, refund_amount, NULL, 0",
        }
    }
}

/// An exchange or a claim as stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AfterSale {
    /// Which kind.
    #[serde(skip)]
    pub kind: Kind,
    /// `oexc_…` / `claim_…`
    pub id: String,
    /// `order_…`
    pub order_id: String,
    /// The inbound return (`return_…`), when it has one.
    pub return_id: Option<String>,
    /// 1, 2, 3 … (a sequence per kind).
    pub display_id: i64,
    /// The order's version when it was begun.
    pub order_version: i64,
    /// A claim's `refund` or `replace`.
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub claim_type: Option<String>,
    /// A claim's value owed back (minor units), set at confirmation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refund_amount: Option<i64>,
    /// An exchange's difference (minor units): positive is due from the customer, negative
    /// owed to them; set at confirmation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub difference_due: Option<i64>,
    /// Whether an exchange's outbound items may be reserved beyond the stock.
    pub allow_backorder: bool,
    /// Whether the customer is left unnotified.
    pub no_notification: Option<bool>,
    /// Who began it.
    pub created_by: Option<String>,
    /// Free-form JSON.
    pub metadata: Option<Value>,
    /// ISO-8601.
    pub canceled_at: Option<String>,
    /// ISO-8601.
    pub created_at: String,
    /// ISO-8601.
    pub updated_at: String,
}

/// Input of [`create`].
#[derive(Debug, Clone, Default)]
pub struct NewAfterSale {
    /// `order_…`
    pub order_id: String,
    /// A claim's `refund` or `replace`.
    pub claim_type: Option<String>,
    /// Who begins it.
    pub created_by: Option<String>,
    /// Whether the customer is left unnotified.
    pub no_notification: Option<bool>,
    /// An exchange's backorder permission.
    pub allow_backorder: bool,
    /// Free-form JSON.
    pub metadata: Option<Value>,
}

/// A claim item's reasons (Medusa's `ClaimReason`).
pub const CLAIM_REASONS: &[&str] = &["missing_item", "wrong_item", "production_failure", "other"];

fn columns(kind: Kind) -> String {
    format!(
        "id, order_id, return_id, display_id, order_version, {}, no_notification, created_by,
         metadata, canceled_at, created_at, updated_at",
        kind.own_columns()
    )
}

fn from_row(kind: Kind, r: &Row) -> rusqlite::Result<AfterSale> {
    Ok(AfterSale {
        kind,
        id: r.get(0)?,
        order_id: r.get(1)?,
        return_id: r.get(2)?,
        display_id: r.get(3)?,
        order_version: r.get(4)?,
        claim_type: r.get(5)?,
        refund_amount: r.get(6)?,
        difference_due: r.get(7)?,
        allow_backorder: r.get(8)?,
        no_notification: r.get(9)?,
        created_by: r.get(10)?,
        metadata: metadata_from_sql(r.get(11)?),
        canceled_at: r.get(12)?,
        created_at: r.get(13)?,
        updated_at: r.get(14)?,
    })
}

/// Begins a record at the order's current version with the kind's next display id.
///
/// # Errors
/// 404 for an unknown order; 400 for a claim without a valid type.
pub fn create(conn: &Connection, ctx: &Ctx, kind: Kind, input: &NewAfterSale) -> Result<AfterSale> {
    let order = super::retrieve(conn, &input.order_id)?;
    let (id, now) = (ctx.id(kind.prefix()), ctx.now());
    let metadata = input.metadata.as_ref().map(Value::to_string);
    let table = kind.table();
    let next = format!("(SELECT COALESCE(MAX(display_id), 0) + 1 FROM {table})");
    match kind {
        Kind::Exchange => conn
            .prepare_cached(&format!(
                "INSERT INTO {table} (id, order_id, display_id, order_version, no_notification,
                   allow_backorder, created_by, metadata, created_at, updated_at)
                 VALUES (?1, ?2, {next}, ?3, ?4, ?5, ?6, ?7, ?8, ?8)"
            ))?
            .execute(params![
                id,
                order.id,
                order.version,
                input.no_notification,
                input.allow_backorder,
                input.created_by,
                metadata,
                now
            ])?,
        Kind::Claim => {
            let claim_type = input.claim_type.as_deref().unwrap_or_default();
            if !["refund", "replace"].contains(&claim_type) {
                return Err(Error::invalid(
                    "Invalid request: Field 'type' must be 'refund' or 'replace'",
                ));
            }
            conn.prepare_cached(&format!(
                "INSERT INTO {table} (id, order_id, display_id, order_version, type,
                   no_notification, created_by, metadata, created_at, updated_at)
                 VALUES (?1, ?2, {next}, ?3, ?4, ?5, ?6, ?7, ?8, ?8)"
            ))?
            .execute(params![
                id,
                order.id,
                order.version,
                claim_type,
                input.no_notification,
                input.created_by,
                metadata,
                now
            ])?
        }
    };
    retrieve(conn, kind, &id)
}

/// A record by id.
///
/// # Errors
/// 404 "Exchange with id: X was not found" (or Claim).
pub fn retrieve(conn: &Connection, kind: Kind, id: &str) -> Result<AfterSale> {
    conn.prepare_cached(&format!(
        "SELECT {} FROM {} WHERE id = ?1 AND deleted_at IS NULL",
        columns(kind),
        kind.table()
    ))?
    .query_row([id], |r| from_row(kind, r))
    .optional()?
    .ok_or_else(|| Error::not_found(kind.name(), id))
}

/// Records of `order_ids` (all when empty), newest first, and their count.
///
/// # Errors
/// Database failures.
pub fn list(
    conn: &Connection,
    kind: Kind,
    order_ids: &[String],
    offset: u64,
    limit: u64,
) -> Result<(Vec<AfterSale>, u64)> {
    let filter = "deleted_at IS NULL AND (json_array_length(?1) = 0
        OR order_id IN (SELECT value FROM json_each(?1)))";
    let orders = crate::modules::json_list(order_ids);
    let count: i64 = conn
        .prepare_cached(&format!(
            "SELECT COUNT(*) FROM {} WHERE {filter}",
            kind.table()
        ))?
        .query_row([&orders], |r| r.get(0))?;
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {} FROM {} WHERE {filter} ORDER BY created_at DESC, id DESC LIMIT ?2 OFFSET ?3",
        columns(kind),
        kind.table()
    ))?;
    let rows = stmt
        .query_map(params![orders, clamp(limit), clamp(offset)], |r| {
            from_row(kind, r)
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok((rows, count.max(0) as u64))
}

/// Names the record's inbound return (`None` forgets it).
///
/// # Errors
/// Database failures.
pub fn set_return(
    conn: &Connection,
    ctx: &Ctx,
    found: &AfterSale,
    return_id: Option<&str>,
) -> Result<()> {
    conn.prepare_cached(&format!(
        "UPDATE {} SET return_id = ?2, updated_at = ?3 WHERE id = ?1",
        found.kind.table()
    ))?
    .execute(params![found.id, return_id, ctx.now()])?;
    Ok(())
}

/// Records what confirming fixed: an exchange's `difference_due`, a claim's
/// `refund_amount`.
///
/// # Errors
/// Database failures.
pub fn set_amount(conn: &Connection, ctx: &Ctx, found: &AfterSale, amount: i64) -> Result<()> {
    let column = match found.kind {
        Kind::Exchange => "difference_due",
        Kind::Claim => "refund_amount",
    };
    conn.prepare_cached(&format!(
        "UPDATE {} SET {column} = ?2, updated_at = ?3 WHERE id = ?1",
        found.kind.table()
    ))?
    .execute(params![found.id, amount, ctx.now()])?;
    Ok(())
}

/// Stamps `canceled_at`.
///
/// # Errors
/// 400 "Exchange with id X has been canceled." when it already was.
pub fn cancel(conn: &Connection, ctx: &Ctx, found: &AfterSale) -> Result<()> {
    let changed = conn
        .prepare_cached(&format!(
            "UPDATE {} SET canceled_at = ?2, updated_at = ?2
             WHERE id = ?1 AND canceled_at IS NULL AND deleted_at IS NULL",
            found.kind.table()
        ))?
        .execute(params![found.id, ctx.now()])?;
    if changed != 1 {
        return Err(canceled(found));
    }
    Ok(())
}

/// 400 for a canceled record (Medusa's `throwIfIsCancelled`).
///
/// # Errors
/// As described.
pub fn ensure_not_canceled(found: &AfterSale) -> Result<()> {
    match found.canceled_at {
        Some(_) => Err(canceled(found)),
        None => Ok(()),
    }
}

fn canceled(found: &AfterSale) -> Error {
    Error::invalid(format!(
        "{} with id {} has been canceled.",
        found.kind.name(),
        found.id
    ))
}

/// Soft-deletes a record whose request was canceled before confirmation.
///
/// # Errors
/// Database failures.
pub fn delete(conn: &Connection, ctx: &Ctx, found: &AfterSale) -> Result<()> {
    conn.prepare_cached(&format!(
        "UPDATE {} SET deleted_at = ?2, updated_at = ?2 WHERE id = ?1",
        found.kind.table()
    ))?
    .execute(params![found.id, ctx.now()])?;
    Ok(())
}

#[cfg(test)]
#[path = "after_sales_tests.rs"]
mod tests;

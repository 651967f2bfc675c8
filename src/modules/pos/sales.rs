//! The figures of each sale and return taken at a till, written in the same write job as
//! the order (or the return) they describe, so the Z-report sums exactly what was sold.

use crate::ctx::Ctx;
use crate::error::Result;
use rusqlite::{Connection, OptionalExtension, Row, params};
use serde::{Deserialize, Serialize};

/// One completed sale's figures (minor units).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sale {
    /// `possale_…` (empty before it is recorded).
    #[serde(default)]
    pub id: String,
    /// Its cash session.
    pub session_id: String,
    /// Its register.
    pub register_id: String,
    /// The order.
    pub order_id: String,
    /// `T1-000042`.
    pub receipt_number: String,
    /// Who rang it up.
    pub staff_user_id: String,
    /// Currency.
    pub currency_code: String,
    /// Items before discounts.
    pub subtotal: i64,
    /// Promotion discounts.
    pub discount_total: i64,
    /// Manual line discounts (already in the lines' prices).
    pub manual_discount_total: i64,
    /// Taxes.
    pub tax_total: i64,
    /// What the customer owes.
    pub total: i64,
    /// Taken off (positive) or added (negative) by cash rounding.
    pub cash_rounding: i64,
    /// ISO-8601.
    #[serde(default)]
    pub created_at: String,
}

/// One tender of a sale.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tender {
    /// `cash` | `card`.
    pub kind: String,
    /// The part of the sale it pays.
    pub amount: i64,
    /// What the customer handed over (cash; = amount for card).
    pub tendered: i64,
    /// Change given back.
    pub change_given: i64,
    /// The payment recording it.
    pub payment_id: String,
    /// Card slip reference, if typed in.
    pub reference: Option<String>,
}

/// Records a sale and its tenders.
///
/// # Errors
/// Database failures (a second sale for the same order or receipt number is a constraint
/// error).
pub fn record(conn: &Connection, ctx: &Ctx, sale: &Sale, tenders: &[Tender]) -> Result<String> {
    let (id, now) = (ctx.id("possale"), ctx.now());
    conn.prepare_cached_static(
        "INSERT INTO pos_sale (id, session_id, register_id, order_id, receipt_number, staff_user_id,
           currency_code, subtotal, discount_total, manual_discount_total, tax_total, total,
           cash_rounding, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
    )?
    .execute(params![
        id,
        sale.session_id,
        sale.register_id,
        sale.order_id,
        sale.receipt_number,
        sale.staff_user_id,
        sale.currency_code,
        sale.subtotal,
        sale.discount_total,
        sale.manual_discount_total,
        sale.tax_total,
        sale.total,
        sale.cash_rounding,
        now
    ])?;
    for t in tenders {
        conn.prepare_cached_static(
            "INSERT INTO pos_tender (id, sale_id, session_id, kind, amount, tendered, change_given, payment_id, reference, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        )?
        .execute(params![
            ctx.id("postend"),
            id,
            sale.session_id,
            t.kind,
            t.amount,
            t.tendered,
            t.change_given,
            t.payment_id,
            t.reference,
            now
        ])?;
    }
    Ok(id)
}

/// Removes a sale and its tenders (compensation of a sale that did not complete).
///
/// # Errors
/// Database failures.
pub fn remove(conn: &Connection, sale_id: &str) -> Result<()> {
    conn.prepare_cached_static("DELETE FROM pos_tender WHERE sale_id = ?1")?
        .execute([sale_id])?;
    conn.prepare_cached_static("DELETE FROM pos_sale WHERE id = ?1")?
        .execute([sale_id])?;
    Ok(())
}

const SALE_COLUMNS: &str = "id, session_id, register_id, order_id, receipt_number, staff_user_id, \
currency_code, subtotal, discount_total, manual_discount_total, tax_total, total, cash_rounding, created_at";

fn sale_row(r: &Row) -> rusqlite::Result<Sale> {
    Ok(Sale {
        id: r.get(0)?,
        session_id: r.get(1)?,
        register_id: r.get(2)?,
        order_id: r.get(3)?,
        receipt_number: r.get(4)?,
        staff_user_id: r.get(5)?,
        currency_code: r.get(6)?,
        subtotal: r.get(7)?,
        discount_total: r.get(8)?,
        manual_discount_total: r.get(9)?,
        tax_total: r.get(10)?,
        total: r.get(11)?,
        cash_rounding: r.get(12)?,
        created_at: r.get(13)?,
    })
}

/// The sale of an order, if it was sold at a till.
///
/// # Errors
/// Database failures.
pub fn of_order(conn: &Connection, order_id: &str) -> Result<Option<Sale>> {
    Ok(conn
        .prepare_cached_static(crate::sql_text!(
            [],
            "SELECT {SALE_COLUMNS} FROM pos_sale WHERE order_id = ?1"
        ))?
        .query_row([order_id], sale_row)
        .optional()?)
}

/// The sale with this receipt number, if any.
///
/// # Errors
/// Database failures.
pub fn by_receipt(conn: &Connection, receipt_number: &str) -> Result<Option<Sale>> {
    Ok(conn
        .prepare_cached_static(crate::sql_text!(
            [],
            "SELECT {SALE_COLUMNS} FROM pos_sale WHERE receipt_number = ?1"
        ))?
        .query_row([receipt_number], sale_row)
        .optional()?)
}

/// A session's sales, oldest first.
///
/// # Errors
/// Database failures.
pub fn of_session(conn: &Connection, session_id: &str) -> Result<Vec<Sale>> {
    let mut stmt = conn.prepare_cached_static(crate::sql_text!(
        [],
        "SELECT {SALE_COLUMNS} FROM pos_sale WHERE session_id = ?1 ORDER BY created_at, id"
    ))?;
    let rows = stmt.query_map([session_id], sale_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// A sale's tenders, in order.
///
/// # Errors
/// Database failures.
pub fn tenders_of(conn: &Connection, sale_id: &str) -> Result<Vec<Tender>> {
    let mut stmt = conn.prepare_cached_static(
        "SELECT kind, amount, tendered, change_given, payment_id, reference FROM pos_tender
         WHERE sale_id = ?1 ORDER BY rowid",
    )?;
    let rows = stmt.query_map([sale_id], |r| {
        Ok(Tender {
            kind: r.get(0)?,
            amount: r.get(1)?,
            tendered: r.get(2)?,
            change_given: r.get(3)?,
            payment_id: r.get(4)?,
            reference: r.get(5)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// A return taken at a till.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TillReturn {
    /// The session whose drawer (or not) paid it.
    pub session_id: String,
    /// The original order.
    pub order_id: String,
    /// The order return.
    pub return_id: String,
    /// `cash` | `original`.
    pub refund_kind: String,
    /// Refunded (minor units).
    pub amount: i64,
    /// Who took it.
    pub staff_user_id: String,
}

/// Records a return taken at a till.
///
/// # Errors
/// Database failures.
pub fn record_return(conn: &Connection, ctx: &Ctx, r: &TillReturn) -> Result<String> {
    let id = ctx.id("posret");
    conn.prepare_cached_static(
        "INSERT INTO pos_return (id, session_id, order_id, return_id, refund_kind, amount, staff_user_id, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![id, r.session_id, r.order_id, r.return_id, r.refund_kind, r.amount, r.staff_user_id, ctx.now()])?;
    Ok(id)
}

//! One payment's ledger: what was authorized, captured and refunded, and the checks Medusa
//! makes before capturing or refunding more.

use super::{Payment, parse};
use crate::ctx::Ctx;
use crate::error::{Error, Result};
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

/// A payment with its captures and refunds.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Ledger {
    /// The payment.
    pub payment: Payment,
    /// `(id, amount, created_at)` of each capture.
    pub captures: Vec<(String, i64, String)>,
    /// `(id, amount, note, created_at)` of each refund.
    pub refunds: Vec<(String, i64, Option<String>, String)>,
}

impl Ledger {
    /// Minor units captured.
    pub fn captured(&self) -> i64 {
        self.captures.iter().map(|c| c.1).sum()
    }

    /// Minor units refunded.
    pub fn refunded(&self) -> i64 {
        self.refunds.iter().map(|r| r.1).sum()
    }

    /// The amount a capture takes when none is given: what is left to capture.
    ///
    /// # Errors
    /// `not_allowed` for a canceled payment; `invalid_data` when `amount` is not positive or
    /// exceeds what is left.
    pub fn check_capture(&self, amount: Option<i64>) -> Result<i64> {
        if self.payment.canceled_at.is_some() {
            return Err(Error::not_allowed(format!(
                "The payment: {} has been canceled.",
                self.payment.id
            )));
        }
        let left = self.payment.amount - self.captured();
        let amount = amount.unwrap_or(left);
        if left <= 0 {
            return Err(Error::invalid(format!(
                "The payment: {} is already fully captured.",
                self.payment.id
            )));
        }
        if amount <= 0 {
            return Err(Error::invalid("The amount to capture must be positive."));
        }
        if amount > left {
            return Err(Error::invalid(
                "You cannot capture more than the authorized amount substracted by what is already captured.",
            ));
        }
        Ok(amount)
    }

    /// The amount a refund takes when none is given: everything captured and not refunded.
    ///
    /// # Errors
    /// `invalid_data` when `amount` is not positive or exceeds what was captured and not yet
    /// refunded.
    pub fn check_refund(&self, amount: Option<i64>) -> Result<i64> {
        let left = self.captured() - self.refunded();
        let amount = amount.unwrap_or(left);
        if amount <= 0 && left > 0 {
            return Err(Error::invalid("The amount to refund must be positive."));
        }
        if amount > left || left <= 0 {
            return Err(Error::invalid(
                "You cannot refund more than what is captured on the payment.",
            ));
        }
        Ok(amount)
    }
}

/// A payment with its captures and refunds.
///
/// # Errors
/// 404 "Payment with id: X was not found".
pub fn retrieve(conn: &Connection, id: &str) -> Result<Ledger> {
    let payment = conn
        .prepare_cached_static(
            "SELECT id, payment_collection_id, payment_session_id, provider_id, currency_code, amount, data, captured_at, canceled_at, created_at
             FROM payment WHERE id = ?1 AND deleted_at IS NULL",
        )?
        .query_row([id], |r| {
            Ok(Payment {
                id: r.get(0)?,
                payment_collection_id: r.get(1)?,
                payment_session_id: r.get(2)?,
                provider_id: r.get(3)?,
                currency_code: r.get(4)?,
                amount: r.get(5)?,
                data: parse(r.get(6)?),
                captured_at: r.get(7)?,
                canceled_at: r.get(8)?,
                created_at: r.get(9)?,
            })
        })
        .optional()?
        .ok_or_else(|| Error::not_found("Payment", id))?;
    let captures = conn
        .prepare_cached_static(
            "SELECT id, amount, created_at FROM payment_capture WHERE payment_id = ?1 AND deleted_at IS NULL ORDER BY id",
        )?
        .query_map([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let refunds = conn
        .prepare_cached_static(
            "SELECT id, amount, note, created_at FROM payment_refund WHERE payment_id = ?1 AND deleted_at IS NULL ORDER BY id",
        )?
        .query_map([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(Ledger {
        payment,
        captures,
        refunds,
    })
}

/// Records that an uncaptured payment was canceled at the provider: the payment is
/// `canceled_at` and its amount leaves the collection's authorized amount.
///
/// # Errors
/// Database failures.
pub fn record_cancel(conn: &Connection, ctx: &Ctx, payment_id: &str) -> Result<()> {
    let now = ctx.now();
    let changed = conn
        .prepare_cached_static(
            "UPDATE payment SET canceled_at = ?2, updated_at = ?2 WHERE id = ?1 AND canceled_at IS NULL",
        )?
        .execute(params![payment_id, now])?;
    if changed > 0 {
        conn.prepare_cached_static(
            "UPDATE payment_collection SET status = 'canceled', updated_at = ?2
             WHERE id = (SELECT payment_collection_id FROM payment WHERE id = ?1)",
        )?
        .execute(params![payment_id, now])?;
    }
    Ok(())
}

/// Undoes a recorded capture (its provider call failed).
///
/// # Errors
/// Database failures.
pub fn undo_capture(conn: &Connection, ctx: &Ctx, capture_id: &str) -> Result<()> {
    undo(conn, ctx, "payment_capture", "captured_amount", capture_id)?;
    conn.prepare_cached_static(
        "UPDATE payment SET captured_at = NULL WHERE id = (SELECT payment_id FROM payment_capture WHERE id = ?1)
           AND NOT EXISTS (SELECT 1 FROM payment_capture c WHERE c.payment_id = payment.id AND c.deleted_at IS NULL)",
    )?
    .execute([capture_id])?;
    Ok(())
}

/// Undoes a recorded refund (its provider call failed).
///
/// # Errors
/// Database failures.
pub fn undo_refund(conn: &Connection, ctx: &Ctx, refund_id: &str) -> Result<()> {
    undo(conn, ctx, "payment_refund", "refunded_amount", refund_id)
}

fn undo(conn: &Connection, ctx: &Ctx, table: &str, column: &str, id: &str) -> Result<()> {
    let now = ctx.now();
    let changed = conn
        .prepare_cached(&format!(
            "UPDATE {table} SET deleted_at = ?2, updated_at = ?2 WHERE id = ?1 AND deleted_at IS NULL"
        ))?
        .execute(params![id, now])?;
    if changed > 0 {
        conn.prepare_cached(&format!(
            "UPDATE payment_collection SET {column} = MAX({column} - (SELECT amount FROM {table} WHERE id = ?1), 0), updated_at = ?2
             WHERE id = (SELECT p.payment_collection_id FROM payment p JOIN {table} t ON t.payment_id = p.id WHERE t.id = ?1)"
        ))?
        .execute(params![id, now])?;
    }
    Ok(())
}

/// Ids of live payments (among `ids`, of `providers`, when given), newest first, a page of
/// them and their count.
///
/// # Errors
/// Database failures.
pub fn payment_ids(
    conn: &Connection,
    ids: &[String],
    providers: &[String],
    (offset, limit): (u64, u64),
) -> Result<(Vec<String>, u64)> {
    let filter = "deleted_at IS NULL
        AND (?1 = '[]' OR id IN (SELECT value FROM json_each(?1)))
        AND (?2 = '[]' OR provider_id IN (SELECT value FROM json_each(?2)))";
    let (ids, providers) = (
        crate::modules::json_list(ids),
        crate::modules::json_list(providers),
    );
    let count: i64 = conn
        .prepare_cached(&format!("SELECT count(*) FROM payment WHERE {filter}"))?
        .query_row(rusqlite::params![ids, providers], |r| r.get(0))?;
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT id FROM payment WHERE {filter} ORDER BY id DESC LIMIT ?3 OFFSET ?4"
    ))?;
    let rows = stmt.query_map(
        rusqlite::params![
            ids,
            providers,
            crate::modules::clamp(limit),
            crate::modules::clamp(offset)
        ],
        |r| r.get(0),
    )?;
    Ok((rows.collect::<rusqlite::Result<_>>()?, count.max(0) as u64))
}

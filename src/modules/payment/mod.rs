//! Payments: collections (the amount a cart or order must pay), sessions (one active at a
//! time, with a provider), payments (an authorized session), captures and refunds. The
//! providers are in [`provider`]; calling them is the flows' job (outside the writer).

pub mod daily;
pub mod ledger;
pub mod provider;
pub mod recorded;
pub mod refund_reason;
#[cfg(test)]
mod tests;

use crate::ctx::Ctx;
use crate::db::module::Module;
use crate::error::{Error, Result};
use crate::migration;
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use serde_json::Value;

/// The module: tables `payment*`.
pub fn module() -> Module {
    Module::new("payment", "payment")
        .migration(migration!("payment", "0001_init.sql"))
        .migration(migration!("payment", "0002_refund_reason.sql"))
        .migration(migration!("payment", "0003_daily.sql"))
}

/// A payment collection with its live sessions and payments.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Collection {
    /// `pay_col_…`
    pub id: String,
    /// Currency.
    pub currency_code: String,
    /// Minor units.
    pub amount: i64,
    /// `not_paid`, `awaiting`, `authorized`, `completed`, `canceled`.
    pub status: String,
    /// Minor units authorized.
    pub authorized_amount: i64,
    /// Minor units captured.
    pub captured_amount: i64,
    /// Minor units refunded.
    pub refunded_amount: i64,
    /// ISO-8601.
    pub created_at: String,
    /// ISO-8601.
    pub updated_at: String,
    /// Live sessions.
    pub payment_sessions: Vec<Session>,
    /// Payments.
    pub payments: Vec<Payment>,
}

/// A payment session.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Session {
    /// `payses_…`
    pub id: String,
    /// `pay_col_…`
    pub payment_collection_id: String,
    /// `pp_…`
    pub provider_id: String,
    /// Currency.
    pub currency_code: String,
    /// Minor units.
    pub amount: i64,
    /// Provider data.
    pub data: Value,
    /// `pending`, `authorized`, `error`, `canceled`…
    pub status: String,
    /// ISO-8601 once authorized.
    pub authorized_at: Option<String>,
    /// ISO-8601.
    pub created_at: String,
}

/// A payment (an authorized session).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Payment {
    /// `pay_…`
    pub id: String,
    /// `pay_col_…`
    pub payment_collection_id: String,
    /// `payses_…`
    pub payment_session_id: String,
    /// `pp_…`
    pub provider_id: String,
    /// Currency.
    pub currency_code: String,
    /// Minor units.
    pub amount: i64,
    /// Provider data.
    pub data: Value,
    /// ISO-8601 once captured.
    pub captured_at: Option<String>,
    /// ISO-8601 once canceled.
    pub canceled_at: Option<String>,
    /// ISO-8601.
    pub created_at: String,
}

fn json_text(value: &Value) -> String {
    value.to_string()
}

pub(crate) fn parse(text: Option<String>) -> Value {
    text.and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or(Value::Object(Default::default()))
}

/// Creates a collection.
///
/// # Errors
/// Database failures.
pub fn create_collection(
    conn: &Connection,
    ctx: &Ctx,
    currency: &str,
    amount: i64,
    region_id: Option<&str>,
) -> Result<String> {
    let id = ctx.id("pay_col");
    conn.prepare_cached_static(
        "INSERT INTO payment_collection (id, currency_code, amount, region_id, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
    )?
    .execute(params![id, currency, amount, region_id, ctx.now()])?;
    Ok(id)
}

/// A collection with its live sessions and payments.
///
/// # Errors
/// 404 when absent.
pub fn retrieve_collection(conn: &Connection, id: &str) -> Result<Collection> {
    // A checkout's payment steps and replies read the collection about five times; within a
    // write job, once until the job changes one of its tables.
    crate::db::job_memo::remembered(
        "payment_collection",
        id,
        &["payment_collection", "payment_session", "payment"],
        || read_collection(conn, id),
    )
}

fn read_collection(conn: &Connection, id: &str) -> Result<Collection> {
    let found = conn
        .prepare_cached_static(
            "SELECT id, currency_code, amount, status, authorized_amount, captured_amount, refunded_amount, created_at, updated_at
             FROM payment_collection WHERE id = ?1 AND deleted_at IS NULL",
        )?
        .query_row([id], |r| {
            Ok(Collection {
                id: r.get(0)?,
                currency_code: r.get(1)?,
                amount: r.get(2)?,
                status: r.get(3)?,
                authorized_amount: r.get(4)?,
                captured_amount: r.get(5)?,
                refunded_amount: r.get(6)?,
                created_at: r.get(7)?,
                updated_at: r.get(8)?,
                payment_sessions: Vec::new(),
                payments: Vec::new(),
            })
        })
        .optional()?;
    let mut collection = found.ok_or_else(|| Error::not_found("Payment collection", id))?;
    collection.payment_sessions = sessions_of(conn, id)?;
    collection.payments = payments_of(conn, id)?;
    Ok(collection)
}

/// Live sessions of a collection, oldest first.
///
/// # Errors
/// Database failures.
pub fn sessions_of(conn: &Connection, collection_id: &str) -> Result<Vec<Session>> {
    let mut stmt = conn.prepare_cached_static(
        "SELECT id, payment_collection_id, provider_id, currency_code, amount, data, status, authorized_at, created_at
         FROM payment_session WHERE payment_collection_id = ?1 AND deleted_at IS NULL ORDER BY id",
    )?;
    let rows = stmt.query_map([collection_id], |r| {
        Ok(Session {
            id: r.get(0)?,
            payment_collection_id: r.get(1)?,
            provider_id: r.get(2)?,
            currency_code: r.get(3)?,
            amount: r.get(4)?,
            data: parse(r.get(5)?),
            status: r.get(6)?,
            authorized_at: r.get(7)?,
            created_at: r.get(8)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Payments of a collection, oldest first.
///
/// # Errors
/// Database failures.
pub fn payments_of(conn: &Connection, collection_id: &str) -> Result<Vec<Payment>> {
    let mut stmt = conn.prepare_cached_static(
        "SELECT id, payment_collection_id, payment_session_id, provider_id, currency_code, amount, data, captured_at, canceled_at, created_at
         FROM payment WHERE payment_collection_id = ?1 AND deleted_at IS NULL ORDER BY id",
    )?;
    let rows = stmt.query_map([collection_id], |r| {
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
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Sets a collection's amount; when it changes, every live session is deleted (the shopper
/// must pay the new amount). Returns whether it changed.
///
/// # Errors
/// Database failures.
pub fn set_amount(conn: &Connection, ctx: &Ctx, id: &str, amount: i64) -> Result<bool> {
    let now = ctx.now();
    let changed = conn
        .prepare_cached_static("UPDATE payment_collection SET amount = ?2, updated_at = ?3 WHERE id = ?1 AND amount != ?2 AND deleted_at IS NULL")?
        .execute(params![id, amount, now])?
        > 0;
    if changed {
        delete_sessions(conn, ctx, id)?;
    }
    Ok(changed)
}

/// Soft-deletes every live session of a collection.
///
/// # Errors
/// Database failures.
pub fn delete_sessions(conn: &Connection, ctx: &Ctx, collection_id: &str) -> Result<()> {
    conn.prepare_cached_static(
        "UPDATE payment_session SET deleted_at = ?2, updated_at = ?2 WHERE payment_collection_id = ?1 AND deleted_at IS NULL",
    )?
    .execute(params![collection_id, ctx.now()])?;
    Ok(())
}

/// Replaces the collection's sessions with one for `provider_id` (the provider was already
/// called; `data` is its answer). Returns the session id.
///
/// # Errors
/// Database failures.
pub fn create_session(
    conn: &Connection,
    ctx: &Ctx,
    collection: &Collection,
    provider_id: &str,
    data: &Value,
) -> Result<String> {
    delete_sessions(conn, ctx, &collection.id)?;
    let id = ctx.id("payses");
    conn.prepare_cached_static(
        "INSERT INTO payment_session (id, payment_collection_id, provider_id, currency_code, amount, data, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)",
    )?
    .execute(params![id, collection.id, provider_id, collection.currency_code, collection.amount, json_text(data), ctx.now()])?;
    conn.prepare_cached_static(
        "UPDATE payment_collection SET status = 'awaiting', updated_at = ?2 WHERE id = ?1",
    )?
    .execute(params![collection.id, ctx.now()])?;
    Ok(id)
}

/// Adds a session for `amount` of the collection beside its others (a split tender at a
/// till pays one collection with several payments). Returns the session id.
///
/// # Errors
/// Database failures.
pub fn add_session(
    conn: &Connection,
    ctx: &Ctx,
    collection: &Collection,
    provider_id: &str,
    amount: i64,
    data: &Value,
) -> Result<String> {
    let id = ctx.id("payses");
    conn.prepare_cached_static(
        "INSERT INTO payment_session (id, payment_collection_id, provider_id, currency_code, amount, data, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)",
    )?
    .execute(params![id, collection.id, provider_id, collection.currency_code, amount, json_text(data), ctx.now()])?;
    Ok(id)
}

/// Records a successful authorization: the session is `authorized`, a payment is created and
/// the collection is `authorized`. Returns the payment id.
///
/// # Errors
/// 404 for an unknown session; database failures.
pub fn record_authorization(
    conn: &Connection,
    ctx: &Ctx,
    session_id: &str,
    data: &Value,
) -> Result<String> {
    let now = ctx.now();
    let (collection_id, provider, currency, amount): (String, String, String, i64) = conn
        .prepare_cached_static("SELECT payment_collection_id, provider_id, currency_code, amount FROM payment_session WHERE id = ?1")?
        .query_row([session_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .optional()?
        .ok_or_else(|| Error::not_found("Payment session", session_id))?;
    conn.prepare_cached_static("UPDATE payment_session SET status = 'authorized', authorized_at = ?2, data = ?3, updated_at = ?2 WHERE id = ?1")?
        .execute(params![session_id, now, json_text(data)])?;
    let id = ctx.id("pay");
    conn.prepare_cached_static(
        "INSERT INTO payment (id, payment_collection_id, payment_session_id, provider_id, currency_code, amount, data, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)",
    )?
    .execute(params![id, collection_id, session_id, provider, currency, amount, json_text(data), now])?;
    conn.prepare_cached_static(
        "UPDATE payment_collection SET status = 'authorized', authorized_amount = authorized_amount + ?2, updated_at = ?3 WHERE id = ?1",
    )?
    .execute(params![collection_id, amount, now])?;
    Ok(id)
}

/// Undoes [`record_authorization`]: the payment is canceled and removed, the session back to
/// `pending`, the collection back to `awaiting`.
///
/// # Errors
/// Database failures.
pub fn undo_authorization(conn: &Connection, ctx: &Ctx, payment_id: &str) -> Result<()> {
    let now = ctx.now();
    let found: Option<(String, String, i64)> = conn
        .prepare_cached_static("SELECT payment_collection_id, payment_session_id, amount FROM payment WHERE id = ?1 AND deleted_at IS NULL")?
        .query_row([payment_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?;
    let Some((collection_id, session_id, amount)) = found else {
        return Ok(());
    };
    conn.prepare_cached_static(
        "UPDATE payment SET canceled_at = ?2, deleted_at = ?2, updated_at = ?2 WHERE id = ?1",
    )?
    .execute(params![payment_id, now])?;
    conn.prepare_cached_static("UPDATE payment_session SET status = 'pending', authorized_at = NULL, updated_at = ?2 WHERE id = ?1")?
        .execute(params![session_id, now])?;
    conn.prepare_cached_static(
        "UPDATE payment_collection SET status = 'awaiting', authorized_amount = MAX(authorized_amount - ?2, 0), updated_at = ?3 WHERE id = ?1",
    )?
    .execute(params![collection_id, amount, now])?;
    Ok(())
}

/// Records a capture of `amount` on a payment. Returns the capture id.
///
/// # Errors
/// Database failures.
pub fn record_capture(
    conn: &Connection,
    ctx: &Ctx,
    payment_id: &str,
    amount: i64,
) -> Result<String> {
    let (id, now) = (ctx.id("capt"), ctx.now());
    conn.prepare_cached_static("INSERT INTO payment_capture (id, payment_id, amount, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?4)")?
        .execute(params![id, payment_id, amount, now])?;
    conn.prepare_cached_static(
        "UPDATE payment SET captured_at = ?2, updated_at = ?2 WHERE id = ?1",
    )?
    .execute(params![payment_id, now])?;
    conn.prepare_cached_static(
        "UPDATE payment_collection SET captured_amount = captured_amount + ?2, status = 'completed', updated_at = ?3
         WHERE id = (SELECT payment_collection_id FROM payment WHERE id = ?1)",
    )?
    .execute(params![payment_id, amount, now])?;
    Ok(id)
}

/// Records a refund of `amount` on a payment. Returns the refund id.
///
/// # Errors
/// Database failures.
pub fn record_refund(
    conn: &Connection,
    ctx: &Ctx,
    payment_id: &str,
    amount: i64,
    note: Option<&str>,
) -> Result<String> {
    let (id, now) = (ctx.id("ref"), ctx.now());
    conn.prepare_cached_static("INSERT INTO payment_refund (id, payment_id, amount, note, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?5)")?
        .execute(params![id, payment_id, amount, note, now])?;
    conn.prepare_cached_static(
        "UPDATE payment_collection SET refunded_amount = refunded_amount + ?2, updated_at = ?3
         WHERE id = (SELECT payment_collection_id FROM payment WHERE id = ?1)",
    )?
    .execute(params![payment_id, amount, now])?;
    Ok(id)
}

/// Queues scripted outcomes for the test provider's next calls.
///
/// # Errors
/// Database failures.
pub fn script_push(conn: &Connection, ctx: &Ctx, outcomes: &[provider::Scripted]) -> Result<()> {
    let mut stmt = conn.prepare_cached_static(
        "INSERT INTO payment_test_script (outcome, created_at) VALUES (?1, ?2)",
    )?;
    for outcome in outcomes {
        stmt.execute(params![outcome.as_text(), ctx.now()])?;
    }
    Ok(())
}

/// Takes the next scripted outcome of the test provider, if any.
///
/// # Errors
/// Database failures.
pub fn script_pop(conn: &Connection) -> Result<Option<provider::Scripted>> {
    let next: Option<(i64, String)> = conn
        .prepare_cached_static("SELECT seq, outcome FROM payment_test_script ORDER BY seq LIMIT 1")?
        .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let Some((seq, outcome)) = next else {
        return Ok(None);
    };
    conn.prepare_cached_static("DELETE FROM payment_test_script WHERE seq = ?1")?
        .execute([seq])?;
    Ok(provider::Scripted::parse(&outcome))
}

/// Soft-deletes a collection with its sessions (an order's unpaid collection staff drop).
///
/// # Errors
/// Database failures.
pub fn delete_collection(conn: &Connection, ctx: &Ctx, id: &str) -> Result<()> {
    delete_sessions(conn, ctx, id)?;
    conn.prepare_cached_static(
        "UPDATE payment_collection SET deleted_at = ?2, updated_at = ?2
         WHERE id = ?1 AND deleted_at IS NULL",
    )?
    .execute(params![id, ctx.now()])?;
    Ok(())
}

/// The collection a live session belongs to.
///
/// # Errors
/// 404 for an unknown session.
pub fn collection_of_session(conn: &Connection, session_id: &str) -> Result<String> {
    conn.prepare_cached_static(
        "SELECT payment_collection_id FROM payment_session WHERE id = ?1 AND deleted_at IS NULL",
    )?
    .query_row([session_id], |r| r.get(0))
    .optional()?
    .ok_or_else(|| Error::not_found("Payment session", session_id))
}

//! Payments taken elsewhere and recorded after the fact (a till's sale arriving at
//! central): the session, the payment and its capture are written at once, no provider is
//! called — the money already changed hands.

use crate::ctx::Ctx;
use crate::error::Result;
use rusqlite::{Connection, params};
use serde_json::Value;

/// Records a captured payment of `amount` through `provider_id` on a collection: an
/// authorized session, a payment and one capture; the collection's authorized and captured
/// amounts grow and it is `completed`. Returns the payment id.
///
/// # Errors
/// Database failures.
pub fn record_captured(
    conn: &Connection,
    ctx: &Ctx,
    collection_id: &str,
    provider_id: &str,
    currency: &str,
    amount: i64,
    data: &Value,
) -> Result<String> {
    let now = ctx.now();
    let (session, payment) = (ctx.id("payses"), ctx.id("pay"));
    conn.prepare_cached_static(
        "INSERT INTO payment_session (id, payment_collection_id, provider_id, currency_code, amount, data, status, authorized_at, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'authorized', ?7, ?7, ?7)",
    )?
    .execute(params![session, collection_id, provider_id, currency, amount, data.to_string(), now])?;
    conn.prepare_cached_static(
        "INSERT INTO payment (id, payment_collection_id, payment_session_id, provider_id, currency_code, amount, data, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)",
    )?
    .execute(params![payment, collection_id, session, provider_id, currency, amount, data.to_string(), now])?;
    conn.prepare_cached_static(
        "UPDATE payment_collection SET authorized_amount = authorized_amount + ?2, updated_at = ?3 WHERE id = ?1",
    )?
    .execute(params![collection_id, amount, now])?;
    super::record_capture(conn, ctx, &payment, amount)?;
    Ok(payment)
}

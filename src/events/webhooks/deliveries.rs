//! The delivery log (`event_webhook_delivery`): created by the fan-out, worked by the sender,
//! read and replayed by admins.

use super::active;
use crate::ctx::Ctx;
use crate::db::Tx;
use crate::error::{Error, Result};
use rusqlite::{Connection, OptionalExtension, Row, params};
use serde::Serialize;
use serde_json::{Value, json};

/// An outbox event as the fan-out reads it.
#[derive(Debug, Clone)]
pub struct OutboxEvent {
    /// `evt_…`
    pub id: String,
    /// Event name.
    pub name: String,
    /// Payload as stored (JSON text).
    pub data: String,
    /// When it was emitted.
    pub created_at: String,
}

/// One endpoint × event, as the admin sees it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Delivery {
    /// `whd_…`
    pub id: String,
    /// The endpoint.
    pub webhook_id: String,
    /// The outbox event (`evt_…`; also the body's `id`, the receiver's idempotency key).
    pub event_id: String,
    /// Its name.
    pub event_name: String,
    /// `pending` | `succeeded` | `dead`.
    pub status: String,
    /// Attempts since creation or the last replay.
    pub attempts: u32,
    /// How often an admin replayed it.
    pub replays: u32,
    /// The last answer's HTTP status, if any came.
    pub response_status: Option<u16>,
    /// Why the last attempt failed.
    pub last_error: Option<String>,
    /// Creation time.
    pub created_at: String,
    /// Last change.
    pub updated_at: String,
    /// When a 2xx came back.
    pub delivered_at: Option<String>,
}

const COLUMNS: &str = "id, webhook_id, event_id, event_name, status, attempts, replays, \
                       response_status, last_error, created_at, updated_at, delivered_at";

fn from_row(row: &Row) -> rusqlite::Result<Delivery> {
    Ok(Delivery {
        id: row.get(0)?,
        webhook_id: row.get(1)?,
        event_id: row.get(2)?,
        event_name: row.get(3)?,
        status: row.get(4)?,
        attempts: row.get(5)?,
        replays: row.get(6)?,
        response_status: row.get(7)?,
        last_error: row.get(8)?,
        created_at: row.get(9)?,
        updated_at: row.get(10)?,
        delivered_at: row.get(11)?,
    })
}

/// The JSON body posted for `event`: `{id, type, created_at, data}`.
pub fn body_of(event: &OutboxEvent) -> String {
    let data: Value = serde_json::from_str(&event.data).unwrap_or(Value::Null);
    json!({
        "id": event.id,
        "type": event.name,
        "created_at": event.created_at,
        "data": data,
    })
    .to_string()
}

/// Inside the dispatcher's fan-out job: a pending delivery per active endpoint wanting each
/// event (unique per endpoint and event, so running twice creates nothing new). Returns
/// whether any was created.
///
/// # Errors
/// Database failures (which roll the fan-out back, cursor included).
pub fn fan_out(tx: &Tx, ctx: &Ctx, events: &[OutboxEvent]) -> Result<bool> {
    let webhooks = active(tx)?;
    if webhooks.is_empty() {
        return Ok(false);
    }
    let mut insert = tx.prepare_cached_static(
        "INSERT OR IGNORE INTO event_webhook_delivery
           (id, webhook_id, event_id, event_name, body, status, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, 'pending', ?6, ?6)",
    )?;
    let now = ctx.now();
    let mut created = false;
    for event in events {
        let wanted: Vec<_> = webhooks.iter().filter(|w| w.wants(&event.name)).collect();
        if wanted.is_empty() {
            continue;
        }
        let body = body_of(event);
        for webhook in wanted {
            let id = ctx.id("whd");
            created |=
                insert.execute(params![id, webhook.id, event.id, event.name, body, now])? > 0;
        }
    }
    Ok(created)
}

/// A page of an endpoint's deliveries (newest first), optionally of one status, and their
/// count.
///
/// # Errors
/// Database failures.
pub fn list(
    conn: &Connection,
    webhook_id: &str,
    status: Option<&str>,
    offset: u64,
    limit: u64,
) -> Result<(Vec<Delivery>, u64)> {
    let found = conn
        .prepare_cached_static(crate::sql_text!(
            [],
            "SELECT {COLUMNS} FROM event_webhook_delivery
             WHERE webhook_id = ?1 AND (?2 IS NULL OR status = ?2)
             ORDER BY created_at DESC, rowid DESC LIMIT ?3 OFFSET ?4"
        ))?
        .query_map(
            params![webhook_id, status, sql_int(limit), sql_int(offset)],
            from_row,
        )?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let count: i64 = conn.query_row(
        "SELECT count(*) FROM event_webhook_delivery WHERE webhook_id = ?1 AND (?2 IS NULL OR status = ?2)",
        params![webhook_id, status],
        |r| r.get(0),
    )?;
    Ok((found, count.unsigned_abs()))
}

/// One delivery of an endpoint.
///
/// # Errors
/// 404 when the endpoint has no such delivery.
pub fn retrieve(conn: &Connection, webhook_id: &str, id: &str) -> Result<Delivery> {
    conn.prepare_cached_static(crate::sql_text!(
        [],
        "SELECT {COLUMNS} FROM event_webhook_delivery WHERE id = ?1 AND webhook_id = ?2"
    ))?
    .query_row(params![id, webhook_id], from_row)
    .optional()?
    .ok_or_else(|| Error::not_found("Webhook delivery", id))
}

/// Puts a dead or delivered delivery back in the queue (attempts from zero). The endpoint
/// must still exist; a pending one is already queued (409).
///
/// # Errors
/// 404 for an unknown endpoint or delivery; 409 when it is pending.
pub fn replay(tx: &Tx, ctx: &Ctx, webhook_id: &str, id: &str) -> Result<Delivery> {
    super::retrieve(tx, webhook_id)?;
    let changed = tx.execute(
        "UPDATE event_webhook_delivery SET status = 'pending', attempts = 0, replays = replays + 1,
           last_error = NULL, updated_at = ?3
         WHERE id = ?1 AND webhook_id = ?2 AND status IN ('dead', 'succeeded')",
        params![id, webhook_id, ctx.now()],
    )?;
    let found = retrieve(tx, webhook_id, id)?;
    if changed == 0 {
        return Err(Error::Conflict(format!(
            "delivery {id} is already pending; it will be attempted again"
        )));
    }
    Ok(found)
}

/// Puts every dead delivery of live endpoints (of one endpoint, when given) back in the
/// queue; returns how many (`stockroom events replay`).
///
/// # Errors
/// Database failures.
pub fn replay_dead(tx: &Tx, ctx: &Ctx, webhook_id: Option<&str>) -> Result<usize> {
    Ok(tx.execute(
        "UPDATE event_webhook_delivery SET status = 'pending', attempts = 0, replays = replays + 1,
           last_error = NULL, updated_at = ?2
         WHERE status = 'dead' AND (?1 IS NULL OR webhook_id = ?1)
           AND webhook_id IN (SELECT id FROM event_webhook WHERE deleted_at IS NULL)",
        params![webhook_id, ctx.now()],
    )?)
}

/// A pending delivery with what the sender needs to post it.
#[derive(Debug, Clone)]
pub struct Due {
    /// The delivery.
    pub id: String,
    /// The endpoint.
    pub webhook_id: String,
    /// Its URL.
    pub url: String,
    /// Its secret.
    pub secret: String,
    /// The event (`Stockroom-Event-Id`).
    pub event_id: String,
    /// The body.
    pub body: String,
    /// Attempts so far.
    pub attempts: u32,
}

/// Up to `limit` pending deliveries of live, enabled endpoints: fewest attempts first, then
/// oldest, so retries waiting on an endpoint that is down never hide fresh deliveries from
/// the sender (from the partial index on `attempts`).
///
/// # Errors
/// Database failures.
pub fn pending(conn: &Connection, limit: u64) -> Result<Vec<Due>> {
    Ok(conn
        .prepare_cached_static(
            "SELECT d.id, d.webhook_id, w.url, w.secret, d.event_id, d.body, d.attempts
             FROM event_webhook_delivery d JOIN event_webhook w ON w.id = d.webhook_id
             WHERE d.status = 'pending' AND w.deleted_at IS NULL AND w.enabled = 1
             ORDER BY d.attempts, d.rowid LIMIT ?1",
        )?
        .query_map([sql_int(limit)], |r| {
            Ok(Due {
                id: r.get(0)?,
                webhook_id: r.get(1)?,
                url: r.get(2)?,
                secret: r.get(3)?,
                event_id: r.get(4)?,
                body: r.get(5)?,
                attempts: r.get(6)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?)
}

/// What one attempt came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// A 2xx answer.
    Delivered(u16),
    /// Anything else: the answer's status (if one came) and why.
    Failed(Option<u16>, String),
}

/// Records an attempt on a pending delivery: succeeded, still pending, or dead once
/// `max_attempts` is reached. A delivery that stopped being pending meanwhile (its webhook
/// was deleted) is left alone. Returns whether it is still pending.
///
/// # Errors
/// Database failures.
pub fn record(tx: &Tx, ctx: &Ctx, id: &str, outcome: &Outcome, max_attempts: u32) -> Result<bool> {
    let now = ctx.now();
    match outcome {
        Outcome::Delivered(status) => {
            tx.prepare_cached_static(
                "UPDATE event_webhook_delivery SET status = 'succeeded', attempts = attempts + 1,
                   response_status = ?2, last_error = NULL, delivered_at = ?3, updated_at = ?3
                 WHERE id = ?1 AND status = 'pending'",
            )?
            .execute(params![id, status, now])?;
            Ok(false)
        }
        Outcome::Failed(status, error) => {
            let still: Option<String> = tx
                .prepare_cached_static(
                    "UPDATE event_webhook_delivery SET attempts = attempts + 1,
                       response_status = ?2, last_error = ?3, updated_at = ?4,
                       status = CASE WHEN attempts + 1 >= ?5 THEN 'dead' ELSE 'pending' END
                     WHERE id = ?1 AND status = 'pending' RETURNING status",
                )?
                .query_row(params![id, status, error, now, max_attempts], |r| r.get(0))
                .optional()?;
            Ok(still.as_deref() == Some("pending"))
        }
    }
}

/// Dead deliveries across all endpoints (the `/metrics` gauge), from the partial index.
///
/// # Errors
/// Database failures.
pub fn dead_count(conn: &Connection) -> Result<u64> {
    let count: i64 = conn.query_row(
        "SELECT count(*) FROM event_webhook_delivery WHERE status = 'dead'",
        [],
        |r| r.get(0),
    )?;
    Ok(count.unsigned_abs())
}

/// A page bound as SQLite's signed integer (larger values mean "all").
pub(super) fn sql_int(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// Up to `batch` settled deliveries (succeeded or dead) last updated before `cutoff`, for
/// retention: a pending delivery is never one of them. Through the settled index.
///
/// # Errors
/// Database failures.
pub fn expired(conn: &Connection, cutoff: &str, batch: usize) -> Result<Vec<String>> {
    Ok(conn
        .prepare_cached_static(
            "SELECT id FROM event_webhook_delivery
             WHERE status IN ('succeeded', 'dead') AND updated_at < ?1
             ORDER BY updated_at LIMIT ?2",
        )?
        .query_map(params![cutoff, batch as i64], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?)
}

/// Deletes the chosen deliveries that are still settled and expired (one replayed since it
/// was chosen is pending again, and stays). Returns how many went.
///
/// # Errors
/// Database failures.
pub fn delete_expired(conn: &Connection, ids: &[String], cutoff: &str) -> Result<u64> {
    let mut deleted = 0;
    for id in ids {
        deleted += conn
            .prepare_cached_static(
                "DELETE FROM event_webhook_delivery
                 WHERE id = ?1 AND status IN ('succeeded', 'dead') AND updated_at < ?2",
            )?
            .execute(params![id, cutoff])? as u64;
    }
    Ok(deleted)
}

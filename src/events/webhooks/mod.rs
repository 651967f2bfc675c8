//! Signed webhooks: admin-registered HTTP endpoints that receive chosen outbox events as JSON
//! POSTs signed with HMAC-SHA256 (Stripe-style `Stockroom-Signature: t=…,v1=…`).
//!
//! * Endpoints (`event_webhook`) are managed here and through `/admin/webhooks` (Stockroom's
//!   own route family; Medusa has none).
//! * [`deliveries::fan_out`] runs inside the dispatcher's fan-out write job: one
//!   `event_webhook_delivery` row per endpoint × event, committed with the outbox cursor, so a
//!   committed event is never skipped and never fanned out twice.
//! * [`sender`] posts pending deliveries off the request path on a bounded pool of worker
//!   threads with connect / read / write timeouts; failures are retried with exponential
//!   backoff and dead-lettered after `max_attempts`; [`deliveries::replay`] (admin route and
//!   `stockroom events replay`) puts a dead or delivered one back in the queue.
//! * [`target`] parses endpoint URLs (`http://` and `https://`) and refuses addresses an admin
//!   could turn against the server itself (loopback, link-local, unspecified, multicast)
//!   unless the operator allows loopback for a local receiver; [`tls`] runs `https` over the
//!   checked connection (rustls, webpki roots).

pub mod deliveries;
pub mod sender;
pub mod sign;
pub mod target;
pub mod tls;

use crate::ctx::Ctx;
use crate::db::Tx;
use crate::error::{Error, Result};
use rusqlite::{Connection, OptionalExtension, Row, params};
use serde::Serialize;
use std::time::Duration;

/// How webhooks are delivered. Set with `EngineBuilder::webhooks`; `serve` takes it from
/// `--webhook-*` flags and `STOCKROOM_WEBHOOK_*` variables.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookSettings {
    /// Sender threads: at most this many deliveries are in flight at once.
    pub workers: usize,
    /// TCP connect timeout.
    pub connect_timeout: Duration,
    /// Read and write timeout, and the whole request's deadline once connected.
    pub io_timeout: Duration,
    /// Attempts before a delivery is dead-lettered.
    pub max_attempts: u32,
    /// Delay before the second attempt; doubles each time, capped at an hour.
    pub base_backoff: Duration,
    /// Whether endpoints may be on loopback addresses (a receiver on the same host; tests).
    pub allow_loopback: bool,
    /// DER certificates trusted for `https` endpoints besides the webpki roots: a test-only
    /// hook (a loopback receiver with its own CA); not on the command line.
    pub extra_roots: Vec<Vec<u8>>,
}

impl Default for WebhookSettings {
    fn default() -> Self {
        WebhookSettings {
            workers: 4,
            connect_timeout: Duration::from_secs(3),
            io_timeout: Duration::from_secs(10),
            max_attempts: 12,
            base_backoff: Duration::from_secs(1),
            allow_loopback: false,
            extra_roots: Vec::new(),
        }
    }
}

impl WebhookSettings {
    /// The wait before attempt `attempts + 1`, after `attempts` failures.
    pub fn backoff(&self, attempts: u32) -> Duration {
        let factor = 1u32 << attempts.saturating_sub(1).min(20);
        (self.base_backoff.saturating_mul(factor)).min(Duration::from_secs(3600))
    }
}

/// A registered endpoint. The secret is never serialized; it is returned once, at creation
/// (and on rotation), beside the document.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Webhook {
    /// `wh_…`
    pub id: String,
    /// `http://host[:port]/path`
    pub url: String,
    /// Event names it receives (`*`: all).
    pub events: Vec<String>,
    /// Free text for the admin.
    pub description: Option<String>,
    /// Disabled endpoints get no new deliveries and their pending ones wait.
    pub enabled: bool,
    /// Creation time.
    pub created_at: String,
    /// Last change.
    pub updated_at: String,
    #[serde(skip)]
    secret: String,
}

impl Webhook {
    /// The signing secret.
    pub fn secret(&self) -> &str {
        &self.secret
    }

    /// Whether it wants events named `name`. `*` means every event except `auth.*` and
    /// `invite.*` ones, which carry secrets (a password reset token, an invite token): an
    /// endpoint receives those only when it names them.
    pub fn wants(&self, name: &str) -> bool {
        let secret = name.starts_with("auth.") || name.starts_with("invite.");
        self.events
            .iter()
            .any(|e| e == name || (e == "*" && !secret))
    }
}

/// A new endpoint, validated by [`create`].
#[derive(Debug, Clone, Default)]
pub struct NewWebhook {
    /// Target URL.
    pub url: String,
    /// Event names.
    pub events: Vec<String>,
    /// Free text.
    pub description: Option<String>,
    /// Starts enabled unless `Some(false)`.
    pub enabled: Option<bool>,
}

/// Changes to an endpoint; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct WebhookChanges {
    /// New URL.
    pub url: Option<String>,
    /// New event names.
    pub events: Option<Vec<String>>,
    /// New description (`Some(None)` clears it).
    pub description: Option<Option<String>>,
    /// Enable or disable.
    pub enabled: Option<bool>,
    /// Replace the secret with a fresh one.
    pub rotate_secret: bool,
}

const COLUMNS: &str = "id, url, events, description, enabled, created_at, updated_at, secret";
/// Most event names one endpoint lists.
const MAX_EVENTS: usize = 100;

fn from_row(row: &Row) -> rusqlite::Result<Webhook> {
    let events: String = row.get(2)?;
    Ok(Webhook {
        id: row.get(0)?,
        url: row.get(1)?,
        events: serde_json::from_str(&events).unwrap_or_default(),
        description: row.get(3)?,
        enabled: row.get(4)?,
        created_at: row.get(5)?,
        updated_at: row.get(6)?,
        secret: row.get(7)?,
    })
}

/// A fresh signing secret: 32 bytes from the OS CSPRNG, Stripe's `whsec_` prefix.
fn new_secret() -> String {
    format!("whsec_{}", crate::crypto::random_hex(32))
}

/// Checks a list of event names: 1–100 names of `[a-z0-9_.-]`, or `*`.
///
/// # Errors
/// 400 naming the offending entry.
pub fn check_events(events: &[String]) -> Result<()> {
    if events.is_empty() || events.len() > MAX_EVENTS {
        return Err(Error::invalid(format!(
            "events must list 1 to {MAX_EVENTS} event names (or \"*\")"
        )));
    }
    for name in events {
        let fine = name == "*"
            || (!name.is_empty()
                && name.len() <= 100
                && name
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"_.-".contains(&b)));
        if !fine {
            return Err(Error::invalid(format!(
                "'{name}' is not an event name (lower-case letters, digits, '.', '_', '-'; or \"*\")"
            )));
        }
    }
    Ok(())
}

/// Creates an endpoint with a fresh secret.
///
/// # Errors
/// 400 for a URL [`target::Target::parse`] refuses or bad event names.
pub fn create(tx: &Tx, ctx: &Ctx, new: &NewWebhook, allow_loopback: bool) -> Result<Webhook> {
    target::Target::parse(&new.url)?.check_host(allow_loopback)?;
    check_events(&new.events)?;
    let (id, now) = (ctx.id("wh"), ctx.now());
    tx.execute(
        "INSERT INTO event_webhook (id, url, events, secret, description, enabled, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)",
        params![
            id,
            new.url,
            serde_json::to_string(&new.events)?,
            new_secret(),
            new.description,
            new.enabled.unwrap_or(true),
            now
        ],
    )?;
    retrieve(tx, &id)
}

/// A live endpoint.
///
/// # Errors
/// 404 when unknown or deleted.
pub fn retrieve(conn: &Connection, id: &str) -> Result<Webhook> {
    conn.prepare_cached_static(crate::sql_text!(
        [],
        "SELECT {COLUMNS} FROM event_webhook WHERE id = ?1 AND deleted_at IS NULL"
    ))?
    .query_row([id], from_row)
    .optional()?
    .ok_or_else(|| Error::not_found("Webhook", id))
}

/// A page of live endpoints, newest first, and their count.
///
/// # Errors
/// Database failures.
pub fn list(conn: &Connection, offset: u64, limit: u64) -> Result<(Vec<Webhook>, u64)> {
    let found = conn
        .prepare_cached_static(crate::sql_text!(
            [],
            "SELECT {COLUMNS} FROM event_webhook WHERE deleted_at IS NULL
             ORDER BY created_at DESC, id DESC LIMIT ?1 OFFSET ?2"
        ))?
        .query_map(
            params![deliveries::sql_int(limit), deliveries::sql_int(offset)],
            from_row,
        )?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let count: i64 = conn.query_row(
        "SELECT count(*) FROM event_webhook WHERE deleted_at IS NULL",
        [],
        |r| r.get(0),
    )?;
    Ok((found, count.unsigned_abs()))
}

/// The live, enabled endpoints (the fan-out's subscribers).
///
/// # Errors
/// Database failures.
pub fn active(conn: &Connection) -> Result<Vec<Webhook>> {
    Ok(conn
        .prepare_cached_static(crate::sql_text!(
            [],
            "SELECT {COLUMNS} FROM event_webhook WHERE deleted_at IS NULL AND enabled = 1"
        ))?
        .query_map([], from_row)?
        .collect::<rusqlite::Result<_>>()?)
}

/// Applies `changes`; returns the endpoint and, when rotated, its new secret.
///
/// # Errors
/// 404 for an unknown endpoint; 400 for a refused URL or bad event names.
pub fn update(
    tx: &Tx,
    ctx: &Ctx,
    id: &str,
    changes: &WebhookChanges,
    allow_loopback: bool,
) -> Result<Webhook> {
    let current = retrieve(tx, id)?;
    if let Some(url) = &changes.url {
        target::Target::parse(url)?.check_host(allow_loopback)?;
    }
    if let Some(events) = &changes.events {
        check_events(events)?;
    }
    let url = changes.url.clone().unwrap_or(current.url);
    let events = changes.events.clone().unwrap_or(current.events);
    let description = changes.description.clone().unwrap_or(current.description);
    let enabled = changes.enabled.unwrap_or(current.enabled);
    let secret = if changes.rotate_secret {
        new_secret()
    } else {
        current.secret
    };
    tx.execute(
        "UPDATE event_webhook SET url = ?2, events = ?3, description = ?4, enabled = ?5,
           secret = ?6, updated_at = ?7
         WHERE id = ?1 AND deleted_at IS NULL",
        params![
            id,
            url,
            serde_json::to_string(&events)?,
            description,
            enabled,
            secret,
            ctx.now()
        ],
    )?;
    retrieve(tx, id)
}

/// Soft-deletes an endpoint; its pending deliveries are dead-lettered with a note (kept in
/// the log, never sent to a URL the admin removed).
///
/// # Errors
/// 404 for an unknown endpoint.
pub fn delete(tx: &Tx, ctx: &Ctx, id: &str) -> Result<()> {
    retrieve(tx, id)?;
    let now = ctx.now();
    tx.execute(
        "UPDATE event_webhook SET deleted_at = ?2, updated_at = ?2 WHERE id = ?1",
        params![id, now],
    )?;
    tx.execute(
        "UPDATE event_webhook_delivery SET status = 'dead', last_error = 'webhook deleted',
           updated_at = ?2
         WHERE webhook_id = ?1 AND status = 'pending'",
        params![id, now],
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_names_are_checked() {
        let ok = |v: &[&str]| check_events(&v.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        assert!(ok(&["order.placed", "*", "product-variant.updated"]).is_ok());
        assert!(ok(&[]).is_err());
        assert!(ok(&["Order.Placed"]).is_err());
        assert!(ok(&["order placed"]).is_err());
        assert!(ok(&[""]).is_err());
    }

    #[test]
    fn a_wildcard_never_carries_auth_secrets() {
        let with = |events: &[&str]| Webhook {
            id: "wh_1".into(),
            url: "http://example.com/".into(),
            events: events.iter().map(|s| s.to_string()).collect(),
            description: None,
            enabled: true,
            created_at: String::new(),
            updated_at: String::new(),
            secret: String::new(),
        };
        assert!(with(&["*"]).wants("order.placed"));
        assert!(!with(&["*"]).wants("auth.password_reset"));
        assert!(!with(&["*"]).wants("invite.created"));
        assert!(with(&["*", "auth.password_reset"]).wants("auth.password_reset"));
        assert!(!with(&["order.placed"]).wants("order.canceled"));
    }

    #[test]
    fn backoff_doubles_and_is_capped() {
        let s = WebhookSettings {
            base_backoff: Duration::from_millis(100),
            ..WebhookSettings::default()
        };
        assert_eq!(s.backoff(1), Duration::from_millis(100));
        assert_eq!(s.backoff(2), Duration::from_millis(200));
        assert_eq!(s.backoff(4), Duration::from_millis(800));
        assert_eq!(s.backoff(40), Duration::from_secs(3600));
    }
}

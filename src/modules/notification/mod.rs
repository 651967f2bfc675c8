//! Medusa's notification module: the `notification` table (one row per message, with its
//! provider, status and the provider's `external_id`), the [`provider::NotificationProvider`]
//! trait with the `local` provider and the SMTP one ([`smtp`]), and the [`templates`] the core
//! sends (order placed, shipped, refunded, password reset, invite).
//!
//! A send is idempotent on its key: [`claim`] inserts the row or finds the existing one, so a
//! redelivered event never sends twice once the first send was recorded (`flows::notifications`
//! does the claim → provider → [`record`] sequence).

pub mod pos_receipt;
pub mod provider;
pub mod smtp;
pub mod templates;

use crate::ctx::Ctx;
use crate::db::Tx;
use crate::error::{Error, Result};
use crate::migration;
use rusqlite::{Connection, OptionalExtension, Row, params};
use serde::Serialize;
use serde_json::Value;

/// The module (tables `notification*`).
pub fn module() -> crate::db::module::Module {
    crate::db::module::Module::new("notification", "notification")
        .migration(migration!("notification", "0001_init.sql"))
        .migration(migration!("notification", "0002_sent_index.sql"))
        .migration(migration!("notification", "0003_checks_without_lists.sql"))
}

/// A notification as Medusa's admin API shows it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Notification {
    /// `noti_…`
    pub id: String,
    /// Recipient (an email address for the `email` channel).
    pub to: String,
    /// `email` or `feed`.
    pub channel: String,
    /// Template name (`order-placed`, …).
    pub template: String,
    /// The template's data.
    pub data: Option<Value>,
    /// What caused it (the event name, for subscribers).
    pub trigger_type: Option<String>,
    /// The entity it is about.
    pub resource_id: Option<String>,
    /// That entity's type (`order`, `invite`, …).
    pub resource_type: Option<String>,
    /// The receiving customer or user, when known.
    pub receiver_id: Option<String>,
    /// The notification this one resends.
    pub original_notification_id: Option<String>,
    /// Makes the send once-only.
    pub idempotency_key: Option<String>,
    /// The provider's id for the message.
    pub external_id: Option<String>,
    /// The provider that sent it.
    pub provider_id: String,
    /// `pending` | `success` | `failure`.
    pub status: String,
    /// Creation time.
    pub created_at: String,
    /// Last change.
    pub updated_at: String,
    /// Soft deletion.
    pub deleted_at: Option<String>,
}

/// A notification to create.
#[derive(Debug, Clone, Default)]
pub struct NewNotification {
    /// Recipient.
    pub to: String,
    /// Channel.
    pub channel: String,
    /// Template name.
    pub template: String,
    /// Template data.
    pub data: Value,
    /// Cause (event name).
    pub trigger_type: Option<String>,
    /// Subject entity.
    pub resource_id: Option<String>,
    /// Subject entity type.
    pub resource_type: Option<String>,
    /// Receiver.
    pub receiver_id: Option<String>,
    /// Once-only key (`None`: every call is a new notification).
    pub idempotency_key: Option<String>,
    /// Provider.
    pub provider_id: String,
}

const COLUMNS: &str = "id, \"to\", channel, template, data, trigger_type, resource_id, \
     resource_type, receiver_id, original_notification_id, idempotency_key, external_id, \
     provider_id, status, created_at, updated_at, deleted_at";

fn from_row(row: &Row) -> rusqlite::Result<Notification> {
    let data: Option<String> = row.get(4)?;
    Ok(Notification {
        id: row.get(0)?,
        to: row.get(1)?,
        channel: row.get(2)?,
        template: row.get(3)?,
        data: data.and_then(|d| serde_json::from_str(&d).ok()),
        trigger_type: row.get(5)?,
        resource_id: row.get(6)?,
        resource_type: row.get(7)?,
        receiver_id: row.get(8)?,
        original_notification_id: row.get(9)?,
        idempotency_key: row.get(10)?,
        external_id: row.get(11)?,
        provider_id: row.get(12)?,
        status: row.get(13)?,
        created_at: row.get(14)?,
        updated_at: row.get(15)?,
        deleted_at: row.get(16)?,
    })
}

/// Inserts the notification, or finds the one already created under its idempotency key.
///
/// # Errors
/// Database failures.
pub fn claim(tx: &Tx, ctx: &Ctx, new: &NewNotification) -> Result<Notification> {
    let (id, _) = claim_id(tx, ctx, new)?;
    retrieve(tx, &id)
}

/// [`claim`] without reading the row back: its id and status (`pending` when this call
/// created it). The in-process send of every order's mail needs no more.
///
/// # Errors
/// Database failures.
pub fn claim_id(tx: &Tx, ctx: &Ctx, new: &NewNotification) -> Result<(String, String)> {
    if let Some(key) = &new.idempotency_key
        && let Some(found) = by_key(tx, key)?
    {
        return Ok((found.id, found.status));
    }
    let (id, now) = (ctx.id("noti"), ctx.now());
    tx.prepare_cached_static(
        "INSERT INTO notification (id, \"to\", channel, template, data, trigger_type,
           resource_id, resource_type, receiver_id, idempotency_key, provider_id, status,
           created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, 'pending', ?12, ?12)",
    )?
    .execute(params![
        id,
        new.to,
        new.channel,
        new.template,
        new.data.to_string(),
        new.trigger_type,
        new.resource_id,
        new.resource_type,
        new.receiver_id,
        new.idempotency_key,
        new.provider_id,
        now
    ])?;
    Ok((id, "pending".to_string()))
}

fn by_key(conn: &Connection, key: &str) -> Result<Option<Notification>> {
    Ok(conn
        .prepare_cached_static(crate::sql_text!(
            [],
            "SELECT {COLUMNS} FROM notification WHERE idempotency_key = ?1"
        ))?
        .query_row([key], from_row)
        .optional()?)
}

/// Records a provider's answer: `success` with its external id, or `failure`. A notification
/// already recorded as sent stays so.
///
/// # Errors
/// Database failures.
pub fn record(
    tx: &Tx,
    ctx: &Ctx,
    id: &str,
    sent: bool,
    external_id: Option<&str>,
) -> Result<Notification> {
    set_outcome(tx, ctx, id, sent, external_id)?;
    retrieve(tx, id)
}

/// [`record`] without reading the row back.
///
/// # Errors
/// Database failures.
pub fn set_outcome(
    tx: &Tx,
    ctx: &Ctx,
    id: &str,
    sent: bool,
    external_id: Option<&str>,
) -> Result<()> {
    tx.prepare_cached_static(
        "UPDATE notification SET status = ?2, external_id = COALESCE(?3, external_id),
           updated_at = ?4
         WHERE id = ?1 AND status <> 'success'",
    )?
    .execute(params![
        id,
        if sent { "success" } else { "failure" },
        external_id,
        ctx.now()
    ])?;
    Ok(())
}

/// One notification.
///
/// # Errors
/// 404 when unknown.
pub fn retrieve(conn: &Connection, id: &str) -> Result<Notification> {
    conn.prepare_cached_static(crate::sql_text!(
        [],
        "SELECT {COLUMNS} FROM notification WHERE id = ?1 AND deleted_at IS NULL"
    ))?
    .query_row([id], from_row)
    .optional()?
    .ok_or_else(|| Error::not_found("Notification", id))
}

/// The admin list's filters (each empty list means "any").
#[derive(Debug, Clone, Default)]
pub struct NotificationFilter {
    /// Ids.
    pub ids: Vec<String>,
    /// Channels.
    pub channels: Vec<String>,
    /// Recipients.
    pub to: Vec<String>,
    /// Templates.
    pub templates: Vec<String>,
    /// Statuses.
    pub statuses: Vec<String>,
    /// Subject entities.
    pub resource_ids: Vec<String>,
    /// Oldest first instead of newest first.
    pub ascending: bool,
}

/// A filtered page, newest first (or oldest), and the filtered count.
///
/// # Errors
/// Database failures.
pub fn list(
    conn: &Connection,
    filter: &NotificationFilter,
    offset: u64,
    limit: u64,
) -> Result<(Vec<Notification>, u64)> {
    let json = |v: &Vec<String>| serde_json::to_string(v).unwrap_or_else(|_| "[]".into());
    let conditions = "deleted_at IS NULL
         AND (json_array_length(?1) = 0 OR id IN (SELECT value FROM json_each(?1)))
         AND (json_array_length(?2) = 0 OR channel IN (SELECT value FROM json_each(?2)))
         AND (json_array_length(?3) = 0 OR \"to\" IN (SELECT value FROM json_each(?3)))
         AND (json_array_length(?4) = 0 OR template IN (SELECT value FROM json_each(?4)))
         AND (json_array_length(?5) = 0 OR status IN (SELECT value FROM json_each(?5)))
         AND (json_array_length(?6) = 0 OR resource_id IN (SELECT value FROM json_each(?6)))";
    let order = if filter.ascending { "ASC" } else { "DESC" };
    let args = [
        json(&filter.ids),
        json(&filter.channels),
        json(&filter.to),
        json(&filter.templates),
        json(&filter.statuses),
        json(&filter.resource_ids),
    ];
    let page = conn
        .prepare(&format!(
            "SELECT {COLUMNS} FROM notification WHERE {conditions}
             ORDER BY created_at {order}, rowid {order} LIMIT ?7 OFFSET ?8"
        ))?
        .query_map(
            params![
                args[0],
                args[1],
                args[2],
                args[3],
                args[4],
                args[5],
                i64::try_from(limit).unwrap_or(i64::MAX),
                i64::try_from(offset).unwrap_or(i64::MAX)
            ],
            from_row,
        )?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let count: i64 = conn.query_row(
        &format!("SELECT count(*) FROM notification WHERE {conditions}"),
        params![args[0], args[1], args[2], args[3], args[4], args[5]],
        |r| r.get(0),
    )?;
    Ok((page, count.unsigned_abs()))
}
/// Up to `batch` sent notifications (`success`) last updated before `cutoff`, for retention;
/// pending and failed ones are never among them.
///
/// # Errors
/// Database failures.
pub fn expired_sent(conn: &Connection, cutoff: &str, batch: usize) -> Result<Vec<String>> {
    Ok(conn
        .prepare_cached_static(
            "SELECT id FROM notification WHERE status = 'success' AND updated_at < ?1
             ORDER BY updated_at LIMIT ?2",
        )?
        .query_map(params![cutoff, batch as i64], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?)
}

/// Deletes the chosen notifications that are still sent and expired; how many went.
///
/// # Errors
/// Database failures.
pub fn delete_sent(conn: &Connection, ids: &[String], cutoff: &str) -> Result<u64> {
    let mut deleted = 0;
    for id in ids {
        deleted += conn
            .prepare_cached_static(
                "DELETE FROM notification WHERE id = ?1 AND status = 'success' AND updated_at < ?2",
            )?
            .execute(params![id, cutoff])? as u64;
    }
    Ok(deleted)
}

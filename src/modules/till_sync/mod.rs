//! Till ↔ central sync state (issue 17): central's change log and its record of ingested
//! till sales, a till's configuration, pull cursor and outbound queue. Tables `till_sync_*`.
//! The flows that fill and read them are in `crate::flows::till_sync`.

use crate::ctx::Ctx;
use crate::db::module::Module;
use crate::error::Result;
use crate::migration;
use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The module: tables `till_sync*`.
pub fn module() -> Module {
    Module::new("till_sync", "till_sync")
        .migration(migration!("till_sync", "0001_init.sql"))
        .migration(migration!("till_sync", "0002_compaction.sql"))
}

/// What a till store is a till of (`till_sync_config`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Config {
    /// `http://host:port` of central.
    pub central_url: String,
    /// Central's secret API key (`sk_…`), sent as `Authorization: Basic`.
    pub api_key: String,
    /// The register's code: the prefix of its receipt numbers.
    pub register: String,
    /// Central's id of the till's POS sales channel.
    pub sales_channel_id: String,
    /// Central's id of the till's stock location.
    pub location_id: String,
    /// The last change `seq` of central applied here.
    pub pull_cursor: i64,
    /// When the last page was applied.
    pub pulled_at: Option<String>,
}

/// The till's configuration, `None` on a store that is not a till.
///
/// # Errors
/// Database failures.
pub fn config(conn: &Connection) -> Result<Option<Config>> {
    Ok(conn
        .prepare_cached_static(
            "SELECT central_url, api_key, register, sales_channel_id, location_id, pull_cursor, pulled_at
             FROM till_sync_config WHERE id = 1",
        )?
        .query_row([], |r| {
            Ok(Config {
                central_url: r.get(0)?,
                api_key: r.get(1)?,
                register: r.get(2)?,
                sales_channel_id: r.get(3)?,
                location_id: r.get(4)?,
                pull_cursor: r.get(5)?,
                pulled_at: r.get(6)?,
            })
        })
        .optional()?)
}

/// Makes this store a till of `config.central_url` (replacing an earlier configuration).
///
/// # Errors
/// Database failures.
pub fn set_config(conn: &Connection, ctx: &Ctx, config: &Config) -> Result<()> {
    conn.prepare_cached_static(
        "INSERT INTO till_sync_config (id, central_url, api_key, register, sales_channel_id, location_id, pull_cursor, pulled_at, created_at)
         VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
         ON CONFLICT (id) DO UPDATE SET central_url = ?1, api_key = ?2, register = ?3,
           sales_channel_id = ?4, location_id = ?5, pull_cursor = ?6, pulled_at = ?7",
    )?
    .execute(params![
        config.central_url,
        config.api_key,
        config.register,
        config.sales_channel_id,
        config.location_id,
        config.pull_cursor,
        config.pulled_at,
        ctx.now()
    ])?;
    Ok(())
}

/// Moves the pull cursor (in the write job that applied the page it follows).
///
/// # Errors
/// Database failures.
pub fn set_cursor(conn: &Connection, ctx: &Ctx, cursor: i64) -> Result<()> {
    conn.prepare_cached_static(
        "UPDATE till_sync_config SET pull_cursor = ?1, pulled_at = ?2 WHERE id = 1",
    )?
    .execute(params![cursor, ctx.now()])?;
    Ok(())
}

/// The till's event cursor: the last outbox position whose `order.placed` events were queued.
///
/// # Errors
/// Database failures.
pub fn event_cursor(conn: &Connection) -> Result<i64> {
    Ok(conn
        .prepare_cached_static("SELECT COALESCE(MAX(event_cursor), 0) FROM till_sync_config")?
        .query_row([], |r| r.get(0))?)
}

/// Moves the event cursor (in the write job that queued what it passes).
///
/// # Errors
/// Database failures.
pub fn set_event_cursor(conn: &Connection, cursor: i64) -> Result<()> {
    conn.prepare_cached_static("UPDATE till_sync_config SET event_cursor = ?1 WHERE id = 1")?
        .execute([cursor])?;
    Ok(())
}

/// One captured row write on central.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Change {
    /// Position in the log; the cursor after applying it.
    pub seq: i64,
    /// The table written.
    pub table: String,
    /// `upsert` or `delete`.
    pub op: String,
    /// Primary key columns → values.
    pub key: Value,
    /// The row as written (`null` for a delete).
    pub row: Value,
}

/// Up to `limit` changes after `since`, in `seq` order.
///
/// # Errors
/// Database failures.
pub fn changes_since(conn: &Connection, since: i64, limit: u32) -> Result<Vec<Change>> {
    let mut stmt = conn.prepare_cached_static(
        "SELECT seq, tbl, op, row_key, image FROM till_sync_change WHERE seq > ?1 ORDER BY seq LIMIT ?2",
    )?;
    let rows = stmt.query_map(params![since, limit], |r| {
        let key: String = r.get(3)?;
        let image: Option<String> = r.get(4)?;
        Ok(Change {
            seq: r.get(0)?,
            table: r.get(1)?,
            op: r.get(2)?,
            key: serde_json::from_str(&key).unwrap_or(Value::Null),
            row: image
                .and_then(|i| serde_json::from_str(&i).ok())
                .unwrap_or(Value::Null),
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The newest change `seq` (0 for an empty log).
///
/// # Errors
/// Database failures.
pub fn head(conn: &Connection) -> Result<i64> {
    Ok(conn
        .prepare_cached_static("SELECT COALESCE(MAX(seq), 0) FROM till_sync_change")?
        .query_row([], |r| r.get(0))?)
}

/// Empties the change log (a store becoming a till captures nothing).
///
/// # Errors
/// Database failures.
pub fn clear_changes(conn: &Connection) -> Result<()> {
    conn.execute("DELETE FROM till_sync_change", [])?;
    Ok(())
}

/// A till sale central has ingested.
#[derive(Debug, Clone, PartialEq)]
pub struct Sale {
    /// Central's order.
    pub order_id: String,
    /// Whether stock went short at the till's location.
    pub stock_short: bool,
    /// The answer of the first push.
    pub result: Value,
}

/// The ingested sale under the till's order id, if any.
///
/// # Errors
/// Database failures.
pub fn sale(conn: &Connection, till_order_id: &str) -> Result<Option<Sale>> {
    Ok(conn
        .prepare_cached_static(
            "SELECT order_id, stock_short, result FROM till_sync_sale WHERE till_order_id = ?1",
        )?
        .query_row([till_order_id], |r| {
            let result: String = r.get(2)?;
            Ok(Sale {
                order_id: r.get(0)?,
                stock_short: r.get(1)?,
                result: serde_json::from_str(&result).unwrap_or(Value::Null),
            })
        })
        .optional()?)
}

/// Records an ingested sale (in the write job that created central's order).
///
/// # Errors
/// Database failures (a second record of one till order is a primary-key conflict).
pub fn record_sale(
    conn: &Connection,
    ctx: &Ctx,
    till_order_id: &str,
    register: &str,
    sale: &Sale,
) -> Result<()> {
    conn.prepare_cached_static(
        "INSERT INTO till_sync_sale (till_order_id, order_id, register, stock_short, result, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![
        till_order_id,
        sale.order_id,
        register,
        sale.stock_short,
        sale.result.to_string(),
        ctx.now()
    ])?;
    Ok(())
}

/// Ingested sales, newest first, with their count; `short_only` keeps the flagged ones.
///
/// # Errors
/// Database failures.
pub fn list_sales(
    conn: &Connection,
    short_only: bool,
    offset: u64,
    limit: u64,
) -> Result<(Vec<Value>, u64)> {
    let mut stmt = conn.prepare_cached_static(
        "SELECT result FROM till_sync_sale WHERE (?1 = 0 OR stock_short = 1)
         ORDER BY created_at DESC, till_order_id DESC LIMIT ?2 OFFSET ?3",
    )?;
    let rows = stmt.query_map(
        params![
            short_only,
            i64::try_from(limit).unwrap_or(i64::MAX),
            i64::try_from(offset).unwrap_or(i64::MAX)
        ],
        |r| {
            let text: String = r.get(0)?;
            Ok(serde_json::from_str(&text).unwrap_or(Value::Null))
        },
    )?;
    let items = rows.collect::<rusqlite::Result<Vec<_>>>()?;
    let count: i64 = conn
        .prepare_cached_static(
            "SELECT COUNT(*) FROM till_sync_sale WHERE (?1 = 0 OR stock_short = 1)",
        )?
        .query_row([short_only], |r| r.get(0))?;
    Ok((items, u64::try_from(count).unwrap_or_default()))
}

/// A queued sale of a till.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Queued {
    /// The till's order.
    pub order_id: String,
    /// `pending` or `synced`.
    pub status: String,
    /// Pushes tried.
    pub attempts: i64,
    /// The last failure.
    pub last_error: Option<String>,
    /// Central's order, once synced.
    pub central_order_id: Option<String>,
}

/// Queues a till order for pushing (a repeat is a no-op).
///
/// # Errors
/// Database failures.
pub fn enqueue(conn: &Connection, ctx: &Ctx, order_id: &str) -> Result<()> {
    conn.prepare_cached_static(
        "INSERT INTO till_sync_outbox (order_id, created_at) VALUES (?1, ?2) ON CONFLICT (order_id) DO NOTHING",
    )?
    .execute(params![order_id, ctx.now()])?;
    Ok(())
}

/// Up to `limit` pending sales, oldest first, those central refused before after the rest.
///
/// # Errors
/// Database failures.
pub fn pending(conn: &Connection, limit: u32) -> Result<Vec<Queued>> {
    queued(
        conn,
        "status = 'pending' ORDER BY attempts, seq LIMIT ?1",
        limit,
    )
}

fn queued(conn: &Connection, clause: &str, limit: u32) -> Result<Vec<Queued>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT order_id, status, attempts, last_error, central_order_id FROM till_sync_outbox WHERE {clause}"
    ))?;
    let rows = stmt.query_map([limit], |r| {
        Ok(Queued {
            order_id: r.get(0)?,
            status: r.get(1)?,
            attempts: r.get(2)?,
            last_error: r.get(3)?,
            central_order_id: r.get(4)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Marks a sale synced with central's order (only ever from central's answer); whether it was
/// pending until now.
///
/// # Errors
/// Database failures.
pub fn mark_synced(
    conn: &Connection,
    ctx: &Ctx,
    order_id: &str,
    central_order_id: &str,
    central_display_id: i64,
) -> Result<bool> {
    let moved = conn
        .prepare_cached_static(
            "UPDATE till_sync_outbox SET status = 'synced', attempts = attempts + 1, last_error = NULL,
               central_order_id = ?2, central_display_id = ?3, synced_at = ?4
             WHERE order_id = ?1 AND status = 'pending'",
        )?
        .execute(params![
            order_id,
            central_order_id,
            central_display_id,
            ctx.now()
        ])?;
    Ok(moved == 1)
}

/// Counts a failed push of a sale, keeping the error.
///
/// # Errors
/// Database failures.
pub fn mark_failed(conn: &Connection, order_id: &str, error: &str) -> Result<()> {
    conn.prepare_cached_static(
        "UPDATE till_sync_outbox SET attempts = attempts + 1, last_error = ?2 WHERE order_id = ?1 AND status = 'pending'",
    )?
    .execute(params![order_id, error])?;
    Ok(())
}

/// (pending, synced) counts of the queue.
///
/// # Errors
/// Database failures.
pub fn queue_counts(conn: &Connection) -> Result<(i64, i64)> {
    Ok(conn
        .prepare_cached_static(
            "SELECT COALESCE(SUM(status = 'pending'), 0), COALESCE(SUM(status = 'synced'), 0) FROM till_sync_outbox",
        )?
        .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))?)
}

pub mod compaction;

#[cfg(test)]
mod tests;

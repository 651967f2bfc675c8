//! The pull: central answers what changed since a cursor; a till applies a page and moves
//! its cursor in one write job, so an interrupted pull resumes exactly where it stopped.
//! Central wins: the till never edits pulled tables, so a pulled row simply replaces the
//! till's copy (except the till's own counters, [`capture::LOCAL_COLUMNS`]).

use super::capture::{self, TABLES};
use crate::ctx::Ctx;
use crate::db::Tx;
use crate::error::{Error, Result};
use crate::modules::till_sync::{self, Change};
use rusqlite::Connection;
use rusqlite::types::Value as SqlValue;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The most changes one page carries.
pub const MAX_PAGE: u32 = 5000;

/// A page of the change log: `next` is the cursor to ask with next; `more` says whether
/// the log holds changes past it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Page {
    /// Changes in `seq` order.
    pub changes: Vec<Change>,
    /// The cursor after this page (the `since` asked when the page is empty).
    pub next: i64,
    /// The log's newest `seq` when the page was read.
    pub head: i64,
    /// Whether changes past `next` exist.
    pub more: bool,
}

/// Central's answer to `GET /admin/pos/changes?since=&limit=` (one read transaction).
///
/// # Errors
/// Database failures.
pub fn page(conn: &Connection, since: i64, limit: u32) -> Result<Page> {
    let limit = limit.clamp(1, MAX_PAGE);
    let changes = till_sync::changes_since(conn, since.max(0), limit)?;
    let head = till_sync::head(conn)?;
    let next = changes.last().map_or(since.max(0), |c| c.seq);
    Ok(Page {
        more: next < head,
        changes,
        next,
        head,
    })
}

/// What applying a page did.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Applied {
    /// Rows written or deleted.
    pub applied: usize,
    /// Changes skipped (a table or column this till does not replicate, or a row its own
    /// constraints refuse; each reported on stderr).
    pub skipped: usize,
    /// The cursor now stored.
    pub cursor: i64,
}

/// Applies a page on a till and stores its cursor, in the caller's write job. A page that
/// does not start at the stored cursor (a stale or repeated answer) changes nothing.
///
/// # Errors
/// Database failures.
pub fn apply(tx: &Tx, ctx: &Ctx, since: i64, page: &Page) -> Result<Applied> {
    let config = till_sync::config(tx)?
        .ok_or_else(|| Error::invalid("This store is not a till (run `stockroom till init`)"))?;
    if config.pull_cursor != since {
        return Ok(Applied {
            cursor: config.pull_cursor,
            ..Applied::default()
        });
    }
    let mut done = Applied::default();
    for change in &page.changes {
        tx.execute_batch("SAVEPOINT till_sync_apply")?;
        match apply_one(tx, change) {
            Ok(true) => {
                tx.execute_batch("RELEASE till_sync_apply")?;
                done.applied += 1;
            }
            outcome => {
                crate::db::writer::rollback_to(tx, "till_sync_apply")?;
                if let Err(e) = outcome {
                    eprintln!(
                        "stockroom till: change {} ({} {}) not applied: {e}",
                        change.seq, change.op, change.table
                    );
                }
                done.skipped += 1;
            }
        }
    }
    till_sync::set_cursor(tx, ctx, page.next)?;
    done.cursor = page.next;
    Ok(done)
}

/// Writes one change; `Ok(false)` for a table this till does not replicate.
fn apply_one(conn: &Connection, change: &Change) -> Result<bool> {
    let Some(replicated) = TABLES.iter().find(|t| t.table == change.table) else {
        return Ok(false);
    };
    let table = replicated.table;
    let (columns, key) = capture::shape(conn, table)?;
    let key_values = key
        .iter()
        .map(|k| sql_value(&change.key[k.as_str()]))
        .collect::<Result<Vec<_>>>()?;
    if change.op == "delete" {
        let clause: Vec<String> = key
            .iter()
            .enumerate()
            .map(|(i, k)| format!("\"{k}\" = ?{}", i + 1))
            .collect();
        conn.execute(
            &format!("DELETE FROM \"{table}\" WHERE {}", clause.join(" AND ")),
            rusqlite::params_from_iter(key_values),
        )?;
        return Ok(true);
    }
    let Some(row) = change.row.as_object() else {
        return Err(Error::invalid("an upsert without its row"));
    };
    let present: Vec<&String> = columns.iter().filter(|c| row.contains_key(*c)).collect();
    if key.iter().any(|k| !row.contains_key(k)) {
        return Err(Error::invalid("a row without its key"));
    }
    let values = present
        .iter()
        .map(|c| sql_value(&row[c.as_str()]))
        .collect::<Result<Vec<_>>>()?;
    let names: Vec<String> = present.iter().map(|c| format!("\"{c}\"")).collect();
    let slots: Vec<String> = (1..=present.len()).map(|i| format!("?{i}")).collect();
    let updates: Vec<String> = present
        .iter()
        .filter(|c| !key.contains(c) && !capture::LOCAL_COLUMNS.contains(&(table, c.as_str())))
        .map(|c| format!("\"{c}\" = excluded.\"{c}\""))
        .collect();
    let on_conflict = if updates.is_empty() {
        "DO NOTHING".to_string()
    } else {
        format!("DO UPDATE SET {}", updates.join(", "))
    };
    let keys: Vec<String> = key.iter().map(|k| format!("\"{k}\"")).collect();
    conn.execute(
        &format!(
            "INSERT INTO \"{table}\" ({}) VALUES ({}) ON CONFLICT ({}) {on_conflict}",
            names.join(", "),
            slots.join(", "),
            keys.join(", ")
        ),
        rusqlite::params_from_iter(values),
    )?;
    Ok(true)
}

/// A JSON value of a row image as the SQL value it was (`json_object` wrote integers,
/// reals, text and nulls).
fn sql_value(value: &Value) -> Result<SqlValue> {
    Ok(match value {
        Value::Null => SqlValue::Null,
        Value::Bool(b) => SqlValue::Integer(i64::from(*b)),
        Value::Number(n) => match n.as_i64() {
            Some(i) => SqlValue::Integer(i),
            None => SqlValue::Real(n.as_f64().unwrap_or_default()),
        },
        Value::String(s) => SqlValue::Text(s.clone()),
        other => SqlValue::Text(other.to_string()),
    })
}

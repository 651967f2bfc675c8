//! Central's bookkeeping for compacting the change log: the tills that pull (their cursor and
//! when they were last seen), the compaction point, and one batch of removals. What may be
//! removed, and why that is safe, is decided by `flows::till_sync::compaction`.

use crate::ctx::Ctx;
use crate::error::Result;
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

/// A till central has seen pull.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Till {
    /// Its register code.
    pub register: String,
    /// The cursor it last asked from: everything up to it is applied there.
    pub cursor: i64,
    /// Left behind by a compaction: it must be made anew.
    pub stale: bool,
    /// ISO-8601.
    pub seen_at: String,
}

/// Records that `register` asked for changes since `cursor`; returns whether that till is
/// stale. Cursor 0 is a till starting afresh (`till init`): it is no longer stale and holds
/// the log back from 0. Otherwise a cursor never moves back (a late, repeated request says
/// nothing new).
///
/// # Errors
/// Database failures.
pub fn record_till(conn: &Connection, ctx: &Ctx, register: &str, cursor: i64) -> Result<bool> {
    Ok(conn
        .prepare_cached_static(
            "INSERT INTO till_sync_till (register, cursor, seen_at) VALUES (?1, ?2, ?3)
             ON CONFLICT (register) DO UPDATE SET
               cursor = CASE WHEN excluded.cursor = 0 THEN 0 ELSE max(cursor, excluded.cursor) END,
               stale = CASE WHEN excluded.cursor = 0 THEN 0 ELSE stale END,
               seen_at = excluded.seen_at
             RETURNING stale",
        )?
        .query_row(params![register, cursor, ctx.now()], |r| r.get(0))?)
}

/// Marks stale the tills whose cursor is before `point` (the ones the retention no longer
/// counted); returns how many.
///
/// # Errors
/// Database failures.
pub fn mark_stale_before(conn: &Connection, point: i64) -> Result<usize> {
    Ok(conn
        .prepare_cached_static(
            "UPDATE till_sync_till SET stale = 1 WHERE cursor < ?1 AND stale = 0",
        )?
        .execute([point])?)
}

/// Every till seen, by register.
///
/// # Errors
/// Database failures.
pub fn tills(conn: &Connection) -> Result<Vec<Till>> {
    let mut stmt = conn.prepare_cached_static(
        "SELECT register, cursor, stale, seen_at FROM till_sync_till ORDER BY register",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(Till {
            register: r.get(0)?,
            cursor: r.get(1)?,
            stale: r.get(2)?,
            seen_at: r.get(3)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The oldest cursor of the tills seen at or after `seen_since` (ISO-8601), if any.
///
/// # Errors
/// Database failures.
pub fn oldest_live_cursor(conn: &Connection, seen_since: &str) -> Result<Option<i64>> {
    Ok(conn
        .prepare_cached_static(
            "SELECT MIN(cursor) FROM till_sync_till WHERE seen_at >= ?1 AND stale = 0",
        )?
        .query_row([seen_since], |r| r.get(0))?)
}

/// How far the log was compacted (0: never).
///
/// # Errors
/// Database failures.
pub fn compacted_through(conn: &Connection) -> Result<i64> {
    Ok(conn
        .prepare_cached_static("SELECT through FROM till_sync_compaction WHERE id = 1")?
        .query_row([], |r| r.get(0))
        .optional()?
        .unwrap_or(0))
}

/// Moves the compaction point to `through` (never back).
///
/// # Errors
/// Database failures.
pub fn set_compacted_through(conn: &Connection, ctx: &Ctx, through: i64) -> Result<()> {
    conn.prepare_cached_static(
        "INSERT INTO till_sync_compaction (id, through, updated_at) VALUES (1, ?1, ?2)
         ON CONFLICT (id) DO UPDATE SET through = max(through, excluded.through),
           updated_at = excluded.updated_at",
    )?
    .execute(params![through, ctx.now()])?;
    Ok(())
}

/// Removes up to `limit` entries at or before `through` of the tables named in `tables` that
/// are superseded (a later entry of the same row exists) or are deletions. Returns how many
/// were removed.
///
/// # Errors
/// Database failures.
pub fn remove_superseded(
    conn: &Connection,
    through: i64,
    tables: &[&str],
    limit: usize,
) -> Result<usize> {
    let names = serde_json::to_string(tables).unwrap_or_else(|_| "[]".into());
    let removed = conn
        .prepare_cached_static(
            "DELETE FROM till_sync_change WHERE seq IN (
               SELECT c.seq FROM till_sync_change c
               WHERE c.seq <= ?1 AND c.tbl IN (SELECT value FROM json_each(?2))
                 AND (c.op = 'delete' OR EXISTS (
                   SELECT 1 FROM till_sync_change n
                   WHERE n.tbl = c.tbl AND n.row_key = c.row_key AND n.seq > c.seq))
               ORDER BY c.seq LIMIT ?3)",
        )?
        .execute(params![
            through,
            names,
            i64::try_from(limit).unwrap_or(i64::MAX)
        ])?;
    Ok(removed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::{Store, StoreOptions};
    use crate::engine::Engine;

    fn test_engine() -> Engine {
        Engine::builder()
            .deterministic(7)
            .build(Store::memory(StoreOptions::default()).unwrap())
            .unwrap()
    }

    fn log(conn: &Connection, tbl: &str, op: &str, key: &str) {
        conn.execute(
            "INSERT INTO till_sync_change (tbl, op, row_key, image) VALUES (?1, ?2, ?3, '{}')",
            params![tbl, op, key],
        )
        .unwrap();
    }

    fn left(conn: &Connection) -> Vec<(String, String)> {
        let mut stmt = conn
            .prepare("SELECT tbl, row_key FROM till_sync_change WHERE tbl LIKE 'x_%' ORDER BY seq")
            .unwrap();
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap()
    }

    #[test]
    fn superseded_entries_and_deletions_of_the_named_tables_go_up_to_the_point() {
        let engine = test_engine();
        let ctx = engine.ctx().clone();
        engine
            .store()
            .write(move |tx| {
                let base: i64 = tx.query_row(
                    "SELECT COALESCE(MAX(seq), 0) FROM till_sync_change",
                    [],
                    |r| r.get(0),
                )?;
                log(tx, "x_leaf", "upsert", "1"); // superseded
                log(tx, "x_leaf", "upsert", "2"); // deleted later: goes with its deletion
                log(tx, "x_other", "upsert", "1"); // not a named table: kept
                log(tx, "x_leaf", "upsert", "1"); // the row's latest: kept
                log(tx, "x_leaf", "delete", "2");
                log(tx, "x_other", "upsert", "1");
                log(tx, "x_leaf", "upsert", "3"); // past the point: kept
                log(tx, "x_leaf", "upsert", "3");
                let through = base + 6;
                let removed = remove_superseded(tx, through, &["x_leaf"], 1)?;
                assert_eq!(removed, 1, "one small batch at a time");
                while remove_superseded(tx, through, &["x_leaf"], 100)? > 0 {}
                assert_eq!(
                    left(tx),
                    [
                        ("x_other".into(), "1".into()),
                        ("x_leaf".into(), "1".into()),
                        ("x_other".into(), "1".into()),
                        ("x_leaf".into(), "3".into()),
                        ("x_leaf".into(), "3".into()),
                    ]
                );
                set_compacted_through(tx, &ctx, through)?;
                set_compacted_through(tx, &ctx, 1)?;
                assert_eq!(compacted_through(tx)?, through, "never moves back");
                record_till(tx, &ctx, "A", 9)?;
                record_till(tx, &ctx, "A", 4)?;
                record_till(tx, &ctx, "B", 7)?;
                assert_eq!(tills(tx)?[0].cursor, 9);
                assert_eq!(oldest_live_cursor(tx, "")?, Some(7));
                assert_eq!(oldest_live_cursor(tx, "9999")?, None);
                assert_eq!(mark_stale_before(tx, 8)?, 1);
                assert!(record_till(tx, &ctx, "B", 8)?, "B stays stale");
                assert_eq!(oldest_live_cursor(tx, "")?, Some(9));
                assert!(!record_till(tx, &ctx, "B", 0)?, "made anew");
                assert_eq!(oldest_live_cursor(tx, "")?, Some(0));
                Ok(())
            })
            .unwrap();
    }
}

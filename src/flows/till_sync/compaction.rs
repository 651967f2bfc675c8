//! Compacting central's change log, which otherwise only grows (every price, every stock
//! level a sale moves on central adds an entry).
//!
//! **The point.** Central records each till's cursor when it pulls
//! (`GET /admin/pos/changes?since=&register=`). The compaction point is the oldest cursor of
//! the tills seen within the retention (default 30 days), or the log's head when no till
//! was seen: every till that counts has applied everything up to it. A till away longer than
//! the retention no longer holds the log back; if it comes back behind the point it is
//! answered 409 "re-init needed" (it would miss removed deletions) and is made anew with
//! `stockroom till init`.
//!
//! **What goes.** Up to the point, the entries of *leaf* tables — replicated tables that no
//! replicated table references by foreign key (stock levels, prices' rules, links, …) — that
//! are superseded by a later entry of the same row, and their deletions. A till past the point
//! already applied them. A new till (cursor 0) replays the rest: every other table's whole
//! history, so each row a foreign key names exists when it is named, and each leaf row once,
//! in its latest state at its latest place — a subset of central's state at that moment, so no
//! unique constraint trips, and nothing references a leaf row, so no foreign key does.
//! Entries of referenced tables stay: dropping a parent's early entries could leave a child
//! created in between without its parent on a new till.
//!
//! **Small jobs.** The point is recorded first, with the tills it leaves behind marked stale
//! (so a late till is refused before anything it needs is gone), then removals run in write jobs of [`Policy::batch`] entries, so
//! compaction never holds the writer long.

use super::capture::TABLES;
use crate::clock::format_iso8601;
use crate::engine::Engine;
use crate::error::Result;
use crate::modules::till_sync::{self, compaction};
use rusqlite::Connection;
use serde::Serialize;

/// How compaction runs.
#[derive(Debug, Clone, Copy)]
pub struct Policy {
    /// Entries removed per write job.
    pub batch: usize,
    /// A till not seen for this long no longer holds the log back (ms).
    pub retention_ms: i64,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            batch: 500,
            retention_ms: 30 * 24 * 3600 * 1000,
        }
    }
}

/// What a compaction did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Compacted {
    /// The compaction point now.
    pub through: i64,
    /// Entries removed.
    pub removed: usize,
}

/// The replicated tables no replicated table references by foreign key.
///
/// # Errors
/// Database failures.
pub fn leaf_tables(conn: &Connection) -> Result<Vec<&'static str>> {
    let mut referenced = std::collections::HashSet::new();
    for replicated in TABLES {
        let mut stmt = conn.prepare(&format!(
            "SELECT \"table\" FROM pragma_foreign_key_list('{}')",
            replicated.table
        ))?;
        for parent in stmt.query_map([], |r| r.get::<_, String>(0))? {
            referenced.insert(parent?);
        }
    }
    Ok(TABLES
        .iter()
        .map(|t| t.table)
        .filter(|t| !referenced.contains(*t))
        .collect())
}

/// Compacts the log up to the point (see the module doc), in small write jobs.
///
/// # Errors
/// Database failures (what was removed before stays removed; a rerun continues).
pub fn run(engine: &Engine, policy: Policy) -> Result<Compacted> {
    let seen_since = format_iso8601(engine.clock().now() - policy.retention_ms);
    let (leaves, head, oldest) = engine.store().read(|c| {
        Ok((
            leaf_tables(c)?,
            till_sync::head(c)?,
            compaction::oldest_live_cursor(c, &seen_since)?,
        ))
    })?;
    let ctx = engine.ctx().clone();
    let point = oldest.unwrap_or(head).min(head);
    let through = engine.store().write(move |tx| {
        compaction::mark_stale_before(tx, point)?;
        compaction::set_compacted_through(tx, &ctx, point)?;
        compaction::compacted_through(tx)
    })?;
    // Removals stop at this run's point, even when an earlier run went further: a till
    // started since (from 0) is past none of what it still has to read.
    let mut removed = 0;
    loop {
        let leaves = leaves.clone();
        let batch = policy.batch.max(1);
        let done = engine
            .store()
            .write(move |tx| compaction::remove_superseded(tx, point, &leaves, batch))?;
        removed += done;
        if done < batch {
            break;
        }
    }
    Ok(Compacted { through, removed })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::{Store, StoreOptions};

    #[test]
    fn stock_levels_are_leaves_and_products_are_not() {
        let engine = Engine::builder()
            .deterministic(3)
            .build(Store::memory(StoreOptions::default()).unwrap())
            .unwrap();
        let leaves = engine.store().read(leaf_tables).unwrap();
        assert!(leaves.contains(&"inventory_level"), "{leaves:?}");
        assert!(!leaves.contains(&"product"), "{leaves:?}");
        assert!(!leaves.contains(&"product_variant"), "{leaves:?}");
    }
}

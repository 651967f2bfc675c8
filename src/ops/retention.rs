//! Retention: the workflow journal and the event outbox grow with every order (about half of
//! the bytes an order writes) and are needed only while their work is unfinished, or for a
//! while after as a record. [`prune_expired`] deletes, in small write jobs:
//!
//! * executions `done` or `reverted` last updated before the cutoff, with their steps — an
//!   idempotency key is remembered for the retention period, after which a repeat of the
//!   same request is judged by the data (a completed cart refuses completion);
//! * outbox events created before the cutoff that the dispatcher has fanned out and whose
//!   every delivery is `done`, with those deliveries;
//! * webhook deliveries `succeeded` or `dead` last updated before the cutoff (each keeps its
//!   own body, so this never depends on the outbox), see
//!   [`crate::events::webhooks::deliveries::expired`];
//! * notifications sent (`success`) before the cutoff, see
//!   [`crate::modules::notification::expired_sent`].
//!
//! `running`, `compensating` and `failed_compensation` executions, events with a pending or
//! dead subscriber delivery, pending webhook deliveries and pending or failed notifications
//! are never touched: they are unfinished, or wait for an operator. (A dead webhook delivery
//! waits the retention period for a replay, then goes.)
//! Each job deletes at most [`RetentionPolicy::batch`] executions or events, so a checkout
//! queued behind it waits for one small job, never for the whole pruning. The candidates are
//! searched for on a reader (the search may scan); the write job deletes them by key after
//! re-checking the same guards, so work that changed in between is left alone.

use crate::clock::{Millis, format_iso8601};
use crate::db::Store;
use crate::error::Result;
use rusqlite::Connection;
use serde::Serialize;

/// A day in milliseconds.
pub const DAY_MS: Millis = 24 * 60 * 60 * 1000;

/// What is kept, and how much one write job may delete.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetentionPolicy {
    /// Finished work older than this is deleted.
    pub keep_ms: Millis,
    /// Most executions (or events) deleted by one write job.
    pub batch: usize,
}

impl Default for RetentionPolicy {
    fn default() -> Self {
        RetentionPolicy {
            keep_ms: 30 * DAY_MS,
            batch: 200,
        }
    }
}

/// Rows deleted by [`prune_expired`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct PruneCounts {
    /// `workflow_execution` rows.
    pub executions: u64,
    /// `workflow_step` rows.
    pub steps: u64,
    /// `event_outbox` rows.
    pub events: u64,
    /// `event_delivery` rows.
    pub deliveries: u64,
    /// `event_webhook_delivery` rows.
    pub webhook_deliveries: u64,
    /// `notification` rows.
    pub notifications: u64,
    /// Write jobs used.
    pub jobs: u64,
}

/// Deletes what `policy` no longer keeps at `now`, one bounded write job at a time, until
/// nothing expired is left.
///
/// # Errors
/// A write failed (what earlier jobs deleted stays deleted).
pub fn prune_expired(store: &Store, now: Millis, policy: RetentionPolicy) -> Result<PruneCounts> {
    let cutoff = format_iso8601(now.saturating_sub(policy.keep_ms));
    let batch = policy.batch.max(1);
    let mut total = PruneCounts::default();
    loop {
        // Candidates are chosen on a reader (the search may scan); the write job only
        // deletes them by key, re-checking the same guards.
        let ids = store.read(|c| expired_executions(c, &cutoff, batch))?;
        let chosen = ids.len();
        if chosen == 0 {
            break;
        }
        let cut = cutoff.clone();
        let (executions, steps) = store.write(move |tx| delete_executions(tx, &ids, &cut))?;
        total.executions += executions;
        total.steps += steps;
        total.jobs += 1;
        if chosen < batch {
            break;
        }
    }
    loop {
        let seqs = store.read(|c| expired_events(c, &cutoff, batch))?;
        let chosen = seqs.len();
        if chosen == 0 {
            break;
        }
        let cut = cutoff.clone();
        let (events, deliveries) = store.write(move |tx| delete_events(tx, &seqs, &cut))?;
        total.events += events;
        total.deliveries += deliveries;
        total.jobs += 1;
        if chosen < batch {
            break;
        }
    }
    let (webhook_deliveries, jobs) = in_batches(
        store,
        batch,
        |c| crate::events::webhooks::deliveries::expired(c, &cutoff, batch),
        {
            let cut = cutoff.clone();
            move |c, ids| crate::events::webhooks::deliveries::delete_expired(c, ids, &cut)
        },
    )?;
    total.webhook_deliveries = webhook_deliveries;
    total.jobs += jobs;
    let (notifications, jobs) = in_batches(
        store,
        batch,
        |c| crate::modules::notification::expired_sent(c, &cutoff, batch),
        {
            let cut = cutoff.clone();
            move |c, ids| crate::modules::notification::delete_sent(c, ids, &cut)
        },
    )?;
    total.notifications = notifications;
    total.jobs += jobs;
    Ok(total)
}

/// Chooses up to `batch` keys on a reader and deletes them in one write job (which
/// re-checks the guards), until a search comes back short. Returns (rows deleted, jobs).
fn in_batches<K, D>(
    store: &Store,
    batch: usize,
    choose: impl Fn(&Connection) -> Result<Vec<K>>,
    delete: D,
) -> Result<(u64, u64)>
where
    K: Send + Sync + 'static,
    D: Fn(&Connection, &[K]) -> Result<u64> + Clone + Send + 'static,
{
    let (mut deleted, mut jobs) = (0, 0);
    loop {
        let keys = store.read(&choose)?;
        let chosen = keys.len();
        if chosen == 0 {
            break;
        }
        let delete = delete.clone();
        deleted += store.write(move |tx| delete(tx, &keys))?;
        jobs += 1;
        if chosen < batch {
            break;
        }
    }
    Ok((deleted, jobs))
}

/// Up to `batch` finished executions last updated before `cutoff` (through the status
/// index, oldest rowids first).
fn expired_executions(conn: &Connection, cutoff: &str, batch: usize) -> Result<Vec<String>> {
    Ok(conn
        .prepare_cached_static(
            "SELECT id FROM workflow_execution
             WHERE status IN ('done', 'reverted') AND updated_at < ?1 LIMIT ?2",
        )?
        .query_map(rusqlite::params![cutoff, batch as i64], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?)
}

/// Deletes the chosen executions that are still finished and expired, with their steps.
fn delete_executions(conn: &Connection, ids: &[String], cutoff: &str) -> Result<(u64, u64)> {
    let (mut executions, mut steps) = (0, 0);
    for id in ids {
        let still_expired: bool = conn
            .prepare_cached_static(
                "SELECT EXISTS (SELECT 1 FROM workflow_execution
                   WHERE id = ?1 AND status IN ('done', 'reverted') AND updated_at < ?2)",
            )?
            .query_row(rusqlite::params![id, cutoff], |r| r.get(0))?;
        if !still_expired {
            continue;
        }
        steps += conn
            .prepare_cached_static("DELETE FROM workflow_step WHERE execution_id = ?1")?
            .execute([id])? as u64;
        executions += conn
            .prepare_cached_static("DELETE FROM workflow_execution WHERE id = ?1")?
            .execute([id])? as u64;
    }
    Ok((executions, steps))
}

/// Up to `batch` fanned-out events created before `cutoff` whose every delivery is done,
/// oldest first.
fn expired_events(conn: &Connection, cutoff: &str, batch: usize) -> Result<Vec<i64>> {
    Ok(conn
        .prepare_cached_static(
            "SELECT o.seq FROM event_outbox o
             WHERE o.seq <= (SELECT last_seq FROM event_cursor) AND o.created_at < ?1
               AND NOT EXISTS (SELECT 1 FROM event_delivery d
                               WHERE d.event_seq = o.seq AND d.status <> 'done')
             ORDER BY o.seq LIMIT ?2",
        )?
        .query_map(rusqlite::params![cutoff, batch as i64], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?)
}

/// Deletes the chosen events whose guards still hold, with their deliveries.
fn delete_events(conn: &Connection, seqs: &[i64], cutoff: &str) -> Result<(u64, u64)> {
    let (mut events, mut deliveries) = (0, 0);
    for seq in seqs {
        let settled: bool = conn
            .prepare_cached_static(
                "SELECT EXISTS (SELECT 1 FROM event_outbox o
                   WHERE o.seq = ?1 AND o.seq <= (SELECT last_seq FROM event_cursor)
                     AND o.created_at < ?2
                     AND NOT EXISTS (SELECT 1 FROM event_delivery d
                                     WHERE d.event_seq = o.seq AND d.status <> 'done'))",
            )?
            .query_row(rusqlite::params![seq, cutoff], |r| r.get(0))?;
        if !settled {
            continue;
        }
        deliveries += conn
            .prepare_cached_static("DELETE FROM event_delivery WHERE event_seq = ?1")?
            .execute([seq])? as u64;
        events += conn
            .prepare_cached_static("DELETE FROM event_outbox WHERE seq = ?1")?
            .execute([seq])? as u64;
    }
    Ok((events, deliveries))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::StoreOptions;
    use crate::db::module::{migrate, schema_module};

    const NOW: Millis = 1_800_000_000_000;

    fn at_days_ago(days: i64) -> String {
        format_iso8601(NOW - days * DAY_MS)
    }

    /// Executions `(id, status, days ago)` with two steps each; events `(seq, days ago,
    /// delivery statuses)`; the cursor at `fanned_out`.
    fn store(
        executions: &[(&str, &str, i64)],
        events: &[(i64, i64, &[&str])],
        fanned_out: i64,
    ) -> Store {
        let store = Store::memory(StoreOptions::default()).unwrap();
        let modules = vec![
            schema_module(),
            crate::workflow::module(),
            crate::events::module(),
            crate::modules::notification::module(),
        ];
        let executions: Vec<(String, String, String)> = executions
            .iter()
            .map(|(id, s, d)| (id.to_string(), s.to_string(), at_days_ago(*d)))
            .collect();
        let events: Vec<(i64, String, Vec<String>)> = events
            .iter()
            .map(|(seq, d, ds)| {
                (
                    *seq,
                    at_days_ago(*d),
                    ds.iter().map(|s| s.to_string()).collect(),
                )
            })
            .collect();
        store
            .write(move |tx| {
                migrate(tx, &modules, &at_days_ago(400))?;
                for (id, status, at) in &executions {
                    tx.execute(
                        "INSERT INTO workflow_execution (id, workflow, status, input, created_at, updated_at)
                         VALUES (?1, 'w', ?2, '{}', ?3, ?3)",
                        rusqlite::params![id, status, at],
                    )?;
                    for idx in 0..2 {
                        tx.execute(
                            "INSERT INTO workflow_step (execution_id, idx, name, kind, status, started_at, updated_at)
                             VALUES (?1, ?2, 's', 'local', 'done', ?3, ?3)",
                            rusqlite::params![id, idx, at],
                        )?;
                    }
                }
                for (seq, at, deliveries) in &events {
                    tx.execute(
                        "INSERT INTO event_outbox (seq, id, name, data, created_at) VALUES (?1, ?2, 'e', '{}', ?3)",
                        rusqlite::params![seq, format!("evt_{seq}"), at],
                    )?;
                    for (i, status) in deliveries.iter().enumerate() {
                        tx.execute(
                            "INSERT INTO event_delivery (event_seq, subscriber, event_name, status) VALUES (?1, ?2, 'e', ?3)",
                            rusqlite::params![seq, format!("sub{i}"), status],
                        )?;
                    }
                }
                tx.execute("UPDATE event_cursor SET last_seq = ?1", [fanned_out])?;
                add_webhook_deliveries_and_notifications(tx)?;
                Ok(())
            })
            .unwrap();
        store
    }

    /// Webhook deliveries and notifications `<status>_<days ago>`.
    fn add_webhook_deliveries_and_notifications(tx: &Connection) -> Result<()> {
        tx.execute(
            "INSERT INTO event_webhook (id, url, events, secret, created_at, updated_at)
             VALUES ('wh_1', 'http://example.com/', '[\"*\"]', 'whsec_x', ?1, ?1)",
            [at_days_ago(100)],
        )?;
        for (status, days) in [
            ("succeeded", 40),
            ("dead", 31),
            ("pending", 90),
            ("succeeded", 29),
            ("dead", 5),
        ] {
            tx.execute(
                "INSERT INTO event_webhook_delivery
                   (id, webhook_id, event_id, event_name, body, status, created_at, updated_at)
                 VALUES (?1, 'wh_1', ?1, 'e', '{}', ?2, ?3, ?3)",
                rusqlite::params![format!("{status}_{days}"), status, at_days_ago(days)],
            )?;
        }
        for (status, days) in [
            ("success", 45),
            ("success", 20),
            ("failure", 60),
            ("pending", 60),
        ] {
            tx.execute(
                "INSERT INTO notification (id, \"to\", channel, template, provider_id, status,
                   created_at, updated_at)
                 VALUES (?1, 'a@example.com', 'email', 't', 'local', ?2, ?3, ?3)",
                rusqlite::params![format!("{status}_{days}"), status, at_days_ago(days)],
            )?;
        }
        Ok(())
    }

    fn ids(store: &Store, sql: &'static str) -> Vec<String> {
        store
            .read(move |c| {
                let mut stmt = c.prepare(sql)?;
                let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
                Ok(rows.collect::<rusqlite::Result<_>>()?)
            })
            .unwrap()
    }

    #[test]
    fn only_finished_work_older_than_the_cutoff_goes_in_bounded_jobs() {
        let store = store(
            &[
                ("old_done_1", "done", 40),
                ("old_done_2", "done", 31),
                ("old_reverted", "reverted", 90),
                ("recent_done", "done", 29),
                ("old_running", "running", 60),
                ("old_stuck", "failed_compensation", 60),
                ("old_compensating", "compensating", 60),
            ],
            &[
                (1, 40, &["done", "done"]),
                (2, 40, &["done", "dead"]),
                (3, 40, &["pending"]),
                (4, 40, &[]),
                (5, 10, &["done"]),
                (6, 40, &[]),
            ],
            5,
        );
        let policy = RetentionPolicy {
            batch: 1,
            ..RetentionPolicy::default()
        };
        let counts = prune_expired(&store, NOW, policy).unwrap();
        assert_eq!(
            (
                counts.executions,
                counts.steps,
                counts.events,
                counts.deliveries
            ),
            (3, 6, 2, 2)
        );
        assert_eq!((counts.webhook_deliveries, counts.notifications), (2, 1));
        assert_eq!(
            counts.jobs,
            3 + 2 + 2 + 1,
            "one row per write job at batch 1; the empty searches run on readers"
        );
        assert_eq!(
            ids(&store, "SELECT id FROM event_webhook_delivery ORDER BY id"),
            vec!["dead_5", "pending_90", "succeeded_29"],
            "never a pending delivery, never a recent one"
        );
        assert_eq!(
            ids(&store, "SELECT id FROM notification ORDER BY id"),
            vec!["failure_60", "pending_60", "success_20"],
            "only sent notifications past the retention"
        );
        assert_eq!(
            ids(&store, "SELECT id FROM workflow_execution ORDER BY id"),
            vec![
                "old_compensating",
                "old_running",
                "old_stuck",
                "recent_done"
            ]
        );
        let steps = ids(
            &store,
            "SELECT DISTINCT execution_id FROM workflow_step ORDER BY 1",
        );
        assert_eq!(steps.len(), 4, "no orphaned steps: {steps:?}");
        // 1 (all done) and 4 (no subscriber) went; 2 (a dead letter), 3 (pending),
        // 5 (recent) and 6 (not fanned out yet) stay.
        assert_eq!(
            ids(&store, "SELECT id FROM event_outbox ORDER BY seq"),
            vec!["evt_2", "evt_3", "evt_5", "evt_6"]
        );
        assert_eq!(
            prune_expired(&store, NOW, policy).unwrap().executions,
            0,
            "idempotent"
        );
    }
}

//! The text exposition: request counters from memory, the rest read at scrape time.

use super::requests::{LATENCY_BOUNDS_S, RouteCounters};
use crate::db::writer::BATCH_SIZE_BOUNDS;
use crate::engine::Engine;
use crate::error::Result;
use rusqlite::Connection;
use std::fmt::Write;

/// Figures read from the store at scrape time.
struct StoreFigures {
    outbox_unfanned: i64,
    deliveries_pending: i64,
    deliveries_dead: i64,
    webhooks_pending: i64,
    webhooks_dead: i64,
    executions: Vec<(&'static str, i64)>,
    db_bytes: i64,
}

/// Execution states worth watching: in flight, stuck, and failed-and-undone.
const WATCHED_STATES: [&str; 4] = ["running", "compensating", "failed_compensation", "reverted"];

pub(super) fn exposition(
    routes: &[(&'static str, String, RouteCounters)],
    unmatched: &RouteCounters,
    engine: &Engine,
) -> Result<String> {
    let mut out = String::with_capacity(16 * 1024);
    requests(&mut out, routes, unmatched);
    writer(&mut out, engine);
    let figures = engine.store().read(store_figures)?;
    store(&mut out, &figures, engine);
    sqlite_memory(&mut out, engine);
    process(&mut out);
    Ok(out)
}

fn head(out: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}");
}

/// A label value with Prometheus' escapes.
fn label(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

fn requests(
    out: &mut String,
    routes: &[(&'static str, String, RouteCounters)],
    unmatched: &RouteCounters,
) {
    let all = routes
        .iter()
        .map(|(m, p, c)| (*m, p.as_str(), c))
        .chain(std::iter::once(("", "unmatched", unmatched)));
    let seen: Vec<_> = all.filter(|(_, _, c)| !c.statuses().is_empty()).collect();
    head(
        out,
        "stockroom_http_requests_total",
        "counter",
        "Requests answered, by route pattern and status.",
    );
    for (method, pattern, counters) in &seen {
        for (status, n) in counters.statuses() {
            let _ = writeln!(
                out,
                "stockroom_http_requests_total{{method=\"{method}\",route=\"{}\",status=\"{status}\"}} {n}",
                label(pattern)
            );
        }
    }
    head(
        out,
        "stockroom_http_request_duration_seconds",
        "histogram",
        "Time from a request's dispatch to its answer being handed to the connection.",
    );
    for (method, pattern, counters) in &seen {
        let (cumulative, sum) = counters.histogram();
        let labels = format!("method=\"{method}\",route=\"{}\"", label(pattern));
        for (bound, n) in LATENCY_BOUNDS_S.iter().zip(&cumulative) {
            let _ = writeln!(
                out,
                "stockroom_http_request_duration_seconds_bucket{{{labels},le=\"{bound}\"}} {n}"
            );
        }
        let total = cumulative.last().copied().unwrap_or(0);
        let _ = writeln!(
            out,
            "stockroom_http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {total}\n\
             stockroom_http_request_duration_seconds_sum{{{labels}}} {sum}\n\
             stockroom_http_request_duration_seconds_count{{{labels}}} {total}"
        );
    }
}

fn writer(out: &mut String, engine: &Engine) {
    let store = engine.store();
    let stats = store.writer_stats();
    head(
        out,
        "stockroom_writer_queue_depth",
        "gauge",
        "Write jobs waiting for the writer thread.",
    );
    let _ = writeln!(
        out,
        "stockroom_writer_queue_depth {}",
        store.queued_writes()
    );
    head(
        out,
        "stockroom_writer_commits_total",
        "counter",
        "Transactions the writer committed.",
    );
    let _ = writeln!(out, "stockroom_writer_commits_total {}", stats.commits);
    head(
        out,
        "stockroom_writer_jobs_total",
        "counter",
        "Write jobs run (each in its own savepoint).",
    );
    let _ = writeln!(out, "stockroom_writer_jobs_total {}", stats.jobs);
    head(
        out,
        "stockroom_writer_batch_size",
        "histogram",
        "Jobs grouped into one transaction.",
    );
    let mut running = 0;
    for (bound, n) in BATCH_SIZE_BOUNDS.iter().zip(stats.batch_sizes) {
        running += n;
        let _ = writeln!(
            out,
            "stockroom_writer_batch_size_bucket{{le=\"{bound}\"}} {running}"
        );
    }
    let _ = writeln!(
        out,
        "stockroom_writer_batch_size_bucket{{le=\"+Inf\"}} {running}\n\
         stockroom_writer_batch_size_sum {}\n\
         stockroom_writer_batch_size_count {running}",
        stats.jobs
    );
}

fn store_figures(conn: &Connection) -> Result<StoreFigures> {
    let one = |sql: &str| -> Result<i64> { Ok(conn.query_row(sql, [], |r| r.get(0))?) };
    let mut executions = Vec::new();
    for state in WATCHED_STATES {
        let n: i64 = conn
            .prepare_cached_static("SELECT count(*) FROM workflow_execution WHERE status = ?1")?
            .query_row([state], |r| r.get(0))?;
        executions.push((state, n));
    }
    Ok(StoreFigures {
        outbox_unfanned: one(
            "SELECT count(*) FROM event_outbox WHERE seq > (SELECT last_seq FROM event_cursor)",
        )?,
        deliveries_pending: one("SELECT count(*) FROM event_delivery WHERE status = 'pending'")?,
        deliveries_dead: one("SELECT count(*) FROM event_delivery WHERE status = 'dead'")?,
        webhooks_pending: one(
            "SELECT count(*) FROM event_webhook_delivery WHERE status = 'pending'",
        )?,
        webhooks_dead: one("SELECT count(*) FROM event_webhook_delivery WHERE status = 'dead'")?,
        executions,
        db_bytes: one(
            "SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()",
        )?,
    })
}

fn store(out: &mut String, f: &StoreFigures, engine: &Engine) {
    head(
        out,
        "stockroom_outbox_backlog",
        "gauge",
        "Events not yet delivered: outbox rows not fanned out, plus pending deliveries.",
    );
    let _ = writeln!(
        out,
        "stockroom_outbox_backlog {}",
        f.outbox_unfanned + f.deliveries_pending
    );
    head(
        out,
        "stockroom_event_deliveries_dead",
        "gauge",
        "Deliveries that ran out of attempts (dead letters).",
    );
    let _ = writeln!(out, "stockroom_event_deliveries_dead {}", f.deliveries_dead);
    head(
        out,
        "stockroom_webhook_deliveries",
        "gauge",
        "Webhook deliveries waiting to be sent (pending) or dead-lettered (dead).",
    );
    let _ = writeln!(
        out,
        "stockroom_webhook_deliveries{{status=\"pending\"}} {}",
        f.webhooks_pending
    );
    let _ = writeln!(
        out,
        "stockroom_webhook_deliveries{{status=\"dead\"}} {}",
        f.webhooks_dead
    );
    head(
        out,
        "stockroom_workflow_executions",
        "gauge",
        "Journaled workflow executions by state (failed_compensation needs an operator).",
    );
    for (state, n) in &f.executions {
        let _ = writeln!(
            out,
            "stockroom_workflow_executions{{state=\"{state}\"}} {n}"
        );
    }
    head(
        out,
        "stockroom_db_size_bytes",
        "gauge",
        "The database's pages (page_count × page_size).",
    );
    let _ = writeln!(out, "stockroom_db_size_bytes {}", f.db_bytes);
    let wal = engine.store().file_path().map_or(0, |p| {
        std::fs::metadata(crate::ops::with_suffix(p, "-wal")).map_or(0, |m| m.len())
    });
    head(
        out,
        "stockroom_db_wal_bytes",
        "gauge",
        "Size of the WAL file.",
    );
    let _ = writeln!(out, "stockroom_db_wal_bytes {wal}");
}

/// SQLite's share of the process's memory, by connection and use (see [`crate::db::status`]).
fn sqlite_memory(out: &mut String, engine: &Engine) {
    let Ok(memory) = engine.store().sqlite_memory() else {
        return;
    };
    head(
        out,
        "stockroom_sqlite_memory_bytes",
        "gauge",
        "Memory SQLite holds: page cache, schema and prepared statements, for the writer and \
         the pooled readers idle at scrape time.",
    );
    for (connection, figures) in [("writer", memory.writer), ("readers", memory.readers)] {
        for (kind, bytes) in [
            ("page_cache", figures.page_cache),
            ("schema", figures.schema),
            ("statements", figures.statements),
        ] {
            let _ = writeln!(
                out,
                "stockroom_sqlite_memory_bytes{{connection=\"{connection}\",kind=\"{kind}\"}} {bytes}"
            );
        }
    }
    head(
        out,
        "stockroom_sqlite_readers_counted",
        "gauge",
        "Pooled readers idle at scrape time (those stockroom_sqlite_memory_bytes counts).",
    );
    let _ = writeln!(
        out,
        "stockroom_sqlite_readers_counted {}",
        memory.readers_counted
    );
}

fn process(out: &mut String) {
    head(
        out,
        "process_resident_memory_bytes",
        "gauge",
        "Resident set size (Linux /proc/self/status VmRSS).",
    );
    let _ = writeln!(out, "process_resident_memory_bytes {}", rss_bytes());
}

/// VmRSS of this process, 0 where `/proc` is not there.
fn rss_bytes() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
            line.split_whitespace().nth(1)?.parse::<u64>().ok()
        })
        .map_or(0, |kb| kb * 1024)
}

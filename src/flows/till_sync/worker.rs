//! The till's sync: push pending sales, then pull central's changes. `round` is one pass
//! (the CLI's `till sync`, tests); `start` runs rounds on a background thread of `serve`,
//! off the request path. Every network call happens outside the writer; each outcome is
//! one short write job, so a till keeps selling at full speed while it syncs.

use super::changes::{self, Page};
use super::client::Central;
use super::message;
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::modules::inventory::reservations;
use crate::modules::order;
use crate::modules::till_sync::{self, Config};
use serde::Serialize;
use serde_json::{Value, json};
use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::thread::JoinHandle;
use std::time::Duration;

/// Sales pushed per request.
pub const PUSH_BATCH: u32 = 50;
/// The most bytes of sales one push carries (central's body limit is 1 MiB by default).
pub const PUSH_BYTES: usize = 512 * 1024;
/// Changes asked per page.
pub const PULL_PAGE: u32 = 1000;

/// What one round did.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Report {
    /// Sales central acknowledged.
    pub pushed: usize,
    /// Sales central refused (kept pending, retried after the others).
    pub refused: usize,
    /// Changes applied.
    pub pulled: usize,
    /// The pull cursor after the round.
    pub cursor: i64,
}

fn config(engine: &Engine) -> Result<Config> {
    engine
        .store()
        .read(till_sync::config)?
        .ok_or_else(|| Error::invalid("This store is not a till (run `stockroom till init`)"))
}

/// Central as the till's configuration names it.
///
/// # Errors
/// A bad URL in the configuration.
pub fn central_of(config: &Config) -> Result<Central> {
    Central::new(&config.central_url, &config.api_key)
}

/// Pushes one batch of pending sales; returns (acknowledged, refused, more pending).
///
/// # Errors
/// Central unreachable or refusing the whole request (nothing is marked).
pub fn push_batch(engine: &Engine, central: &Central) -> Result<(usize, usize, bool)> {
    let config = config(engine)?;
    let (queued, messages) = engine.store().read(|c| {
        let queued = till_sync::pending(c, PUSH_BATCH)?;
        let mut messages = Vec::new();
        for q in &queued {
            messages.push(message::build(c, &config, &q.order_id).map_err(|e| e.to_string()));
        }
        Ok((queued, messages))
    })?;
    if queued.is_empty() {
        return Ok((0, 0, false));
    }
    let mut full = queued.len() == PUSH_BATCH as usize;
    let (mut sales, mut bytes) = (Vec::new(), 0);
    for m in messages.iter().filter_map(|m| m.as_ref().ok()) {
        let value = serde_json::to_value(m).unwrap_or(Value::Null);
        bytes += value.to_string().len();
        if bytes > PUSH_BYTES && !sales.is_empty() {
            full = true; // the rest goes in the next request
            break;
        }
        sales.push(value);
    }
    let answer = central.post("/admin/pos/sales", &json!({ "sales": sales }))?;
    let results = answer["results"].as_array().cloned().unwrap_or_default();
    let ctx = engine.ctx().clone();
    engine.store().write(move |tx| {
        let (mut acked, mut refused) = (0, 0);
        for (q, built) in queued.iter().zip(&messages) {
            if let Err(e) = built {
                till_sync::mark_failed(tx, &q.order_id, e)?;
                refused += 1;
                continue;
            }
            let found = results
                .iter()
                .find(|r| r["till_order_id"].as_str() == Some(q.order_id.as_str()));
            let Some(r) = found else { continue };
            match answer_for_sale(r) {
                Ok(recorded) => {
                    let (central_id, display) = (&recorded.order_id, recorded.display_id);
                    if till_sync::mark_synced(tx, &ctx, &q.order_id, central_id, display)? {
                        release_handed_over(tx, &ctx, &q.order_id)?;
                    }
                    acked += 1;
                }
                Err(why) => {
                    till_sync::mark_failed(tx, &q.order_id, &why)?;
                    refused += 1;
                }
            }
        }
        Ok((acked, refused, full))
    })
}

/// The part of central's [`Ingested`](super::ingest::Ingested) a till keeps: read alone, so
/// a central that answers more (a later build) is still understood.
#[derive(serde::Deserialize)]
struct Acknowledged {
    order_id: String,
    display_id: i64,
}

/// Central's answer for one sale: what it recorded, or why not — its error's message, or
/// what is wrong with an answer that is neither (never an empty id or a display id of 0).
fn answer_for_sale(answer: &Value) -> std::result::Result<Acknowledged, String> {
    if answer["order_id"].is_string() {
        return serde::Deserialize::deserialize(answer)
            .map_err(|e| format!("central's answer for the sale does not fit: {e}"));
    }
    Err(answer["error"]["message"]
        .as_str()
        .unwrap_or("refused")
        .to_string())
}

/// Central recorded the sale as handed over and took its units off the till location's
/// shelf; the pull brings that stock level back. A sale the till did not fulfil itself (a
/// Store API checkout in the till's channel reserves its units) would otherwise hold its
/// reservation on top of central's lower level and count its units twice, so whatever it
/// still reserves is released with the acknowledgement. A `/pos` sale was fulfilled on the
/// spot and holds nothing.
fn release_handed_over(tx: &crate::db::Tx, ctx: &crate::ctx::Ctx, order_id: &str) -> Result<()> {
    for line in order::items::items_of(tx, order_id)? {
        reservations::shrink(tx, ctx, &line.id, line.quantity)?;
    }
    Ok(())
}

/// Pulls one page of central's changes and applies it with its cursor; returns (applied,
/// whether more are waiting).
///
/// # Errors
/// Central unreachable; database failures.
pub fn pull_page(engine: &Engine, central: &Central) -> Result<(usize, bool, i64)> {
    let config = config(engine)?;
    let since = config.pull_cursor;
    let answer = central.get(&format!(
        "/admin/pos/changes?since={since}&limit={PULL_PAGE}&register={}",
        config.register
    ))?;
    let page: Page = serde_json::from_value(answer)
        .map_err(|e| Error::Internal(format!("central sent a bad page: {e}")))?;
    let ctx = engine.ctx().clone();
    let more = page.more;
    let applied = engine
        .store()
        .write(move |tx| changes::apply(tx, &ctx, since, &page))?;
    Ok((applied.applied, more, applied.cursor))
}

/// One round: queue the sales placed since the last round (a local write, done even with
/// central away), push until the queue is drained (or a batch is refused whole), then pull
/// until caught up.
///
/// # Errors
/// The first network or central failure (what was done before it stays done).
pub fn round(engine: &Engine, central: &Central) -> Result<Report> {
    let mut report = Report::default();
    let ctx = engine.ctx().clone();
    engine
        .store()
        .write(move |tx| super::queue_new_sales(tx, &ctx))?;
    loop {
        let (acked, refused, more) = push_batch(engine, central)?;
        report.pushed += acked;
        report.refused += refused;
        if !more || acked == 0 {
            break;
        }
    }
    loop {
        let (applied, more, cursor) = pull_page(engine, central)?;
        report.pulled += applied;
        report.cursor = cursor;
        if !more {
            break;
        }
    }
    Ok(report)
}

/// The background sync of a till's `serve`.
pub struct Worker {
    stop: Sender<()>,
    thread: Option<JoinHandle<()>>,
}

impl Worker {
    /// Stops the thread (at most one network timeout later) and waits for it.
    pub fn stop(mut self) {
        let _ = self.stop.send(());
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// How often a store that is not a till compacts its change log in the background.
pub const COMPACT_EVERY: Duration = Duration::from_secs(3600);

/// Starts the background thread of `serve`: on a till, the sync — a round every `interval`;
/// after a failure the wait doubles up to a minute, and resets once a round succeeds; on any
/// other store (a central), change-log compaction every [`COMPACT_EVERY`].
///
/// # Errors
/// A bad central URL in the configuration; database failures.
pub fn start(engine: &Engine, interval: Duration) -> Result<Option<Worker>> {
    let Some(config) = engine.store().read(till_sync::config)? else {
        return spawn(
            engine,
            "stockroom-compaction",
            COMPACT_EVERY,
            move |engine, _| match super::compaction::run(
                engine,
                super::compaction::Policy::default(),
            ) {
                Ok(_) => COMPACT_EVERY,
                Err(e) => {
                    eprintln!("stockroom: change-log compaction failed, will retry: {e}");
                    COMPACT_EVERY
                }
            },
        )
        .map(Some);
    };
    let central = central_of(&config)?;
    spawn(
        engine,
        "stockroom-till-sync",
        Duration::ZERO,
        move |engine, wait| match round(engine, &central) {
            Ok(_) => interval,
            Err(e) => {
                eprintln!("stockroom till: sync failed, will retry: {e}");
                (wait * 2).clamp(interval, Duration::from_secs(60))
            }
        },
    )
    .map(Some)
}

/// A thread that waits (`first`, then what `pass` answers), runs `pass`, and so on until
/// stopped.
fn spawn(
    engine: &Engine,
    name: &str,
    first: Duration,
    pass: impl Fn(&Engine, Duration) -> Duration + Send + 'static,
) -> Result<Worker> {
    let (stop, stopped) = mpsc::channel::<()>();
    let engine = engine.clone();
    let thread = std::thread::Builder::new()
        .name(name.into())
        .spawn(move || {
            let mut wait = first;
            loop {
                match stopped.recv_timeout(wait) {
                    Err(RecvTimeoutError::Timeout) => {}
                    _ => return,
                }
                wait = pass(&engine, wait);
            }
        })
        .map_err(|e| Error::Internal(format!("{name} thread: {e}")))?;
    Ok(Worker {
        stop,
        thread: Some(thread),
    })
}

//! The dispatcher thread: fans committed events out into deliveries and delivers them.
//!
//! One round: (1) if the outbox has events past the cursor, one write job creates a pending
//! delivery per matching subscriber and moves the cursor, and in that same job handles the new
//! deliveries of in-process subscribers ([`super::Subscriber::inline`]);
//! (2) pending deliveries are taken in
//! outbox order; a delivery waits while an earlier one of the same subscriber and event name is
//! still pending (order per name); (3) each handler runs outside any transaction, then one write
//! job records the outcome (done, or attempts + error and a retry time; dead after
//! `max_attempts`) — unless the handler acknowledged the delivery in its own write job
//! ([`super::ack_in`]), in which case the `done` mark has already committed with its effect. Retry timing is kept in memory on a monotonic clock; after a restart every
//! pending delivery is due at once.

use super::inline;
use super::webhooks::{self, deliveries::OutboxEvent};
use super::{Event, Subscriber};
use crate::db::Tx;
use crate::engine::{Engine, EngineInner};
use crate::error::{Error, Result};
use rusqlite::{Connection, params};
use std::collections::{HashMap, HashSet};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, Weak};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// Retry policy of deliveries.
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    /// Attempts before a delivery is dead-lettered.
    pub max_attempts: u32,
    /// Delay before the second attempt; doubles each time, capped at 30 s.
    pub base_backoff: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 5,
            base_backoff: Duration::from_millis(200),
        }
    }
}

impl RetryPolicy {
    pub(crate) fn backoff(&self, attempts: u32) -> Duration {
        let factor = 1u32 << attempts.saturating_sub(1).min(16);
        (self.base_backoff * factor).min(Duration::from_secs(30))
    }
}

/// Handle on the dispatcher thread, held by the engine.
pub struct Dispatcher {
    shared: Arc<Shared>,
    thread: Mutex<Option<JoinHandle<()>>>,
}

#[derive(Default)]
struct Shared {
    stop: AtomicBool,
    /// In-process deliveries that failed in a workflow's own job ([`fan_out_in_job`]),
    /// with their retry delays, for the next round.
    early_retries: Mutex<Vec<inline::Retry>>,
    progress: Mutex<Progress>,
    changed: Condvar,
}

impl Shared {
    fn early_retries(&self) -> std::sync::MutexGuard<'_, Vec<inline::Retry>> {
        self.early_retries.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// `requested` counts wait_idle calls; `idle_through` is the highest request a round that
/// started after it found nothing pending.
#[derive(Default)]
struct Progress {
    requested: u64,
    idle_through: u64,
}

type Pending = (Event, String);

impl Dispatcher {
    /// Starts the thread. It holds the engine weakly and stops when the engine is gone.
    pub(crate) fn start(
        engine: Weak<EngineInner>,
        bell: crossbeam_channel::Receiver<()>,
    ) -> Result<Self> {
        let shared = Arc::new(Shared::default());
        let thread_shared = shared.clone();
        let thread = std::thread::Builder::new()
            .name("stockroom-events".into())
            .spawn(move || run(&engine, &bell, &thread_shared))
            .map_err(|e| Error::Internal(format!("cannot start dispatcher: {e}")))?;
        Ok(Dispatcher {
            shared,
            thread: Mutex::new(Some(thread)),
        })
    }

    /// Blocks until every event committed before this call has been delivered or
    /// dead-lettered (tests use this instead of sleeping).
    ///
    /// # Errors
    /// `timeout` passed with deliveries still pending.
    pub fn wait_idle(&self, bell: &super::EventBell, timeout: Duration) -> Result<()> {
        let deadline = Instant::now() + timeout;
        let mut progress = self
            .shared
            .progress
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        progress.requested += 1;
        let wanted = progress.requested;
        bell.ring();
        while progress.idle_through < wanted {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(Error::UnexpectedState(
                    "events still pending after wait_idle timeout".into(),
                ));
            }
            progress = self
                .shared
                .changed
                .wait_timeout(progress, left)
                .unwrap_or_else(|p| p.into_inner())
                .0;
        }
        Ok(())
    }

    /// Stops the thread after its current round and waits for it.
    pub(crate) fn stop(&self, bell: &super::EventBell) {
        self.shared.stop.store(true, Ordering::SeqCst);
        bell.ring();
        let handle = self.thread.lock().unwrap_or_else(|p| p.into_inner()).take();
        if let Some(handle) = handle.filter(|h| h.thread().id() != std::thread::current().id()) {
            let _ = handle.join();
        }
    }
}

fn run(engine: &Weak<EngineInner>, bell: &crossbeam_channel::Receiver<()>, shared: &Shared) {
    let mut retry_at: HashMap<(i64, String), Instant> = HashMap::new();
    loop {
        if shared.stop.load(Ordering::SeqCst) {
            return;
        }
        let Some(inner) = engine.upgrade() else {
            return;
        };
        let engine = Engine::from_inner(inner);
        let started_for = shared.progress.lock().map(|p| p.requested).unwrap_or(0);
        let wait = match round(&engine, &mut retry_at) {
            Ok(RoundOutcome::Idle) => {
                let mut progress = shared.progress.lock().unwrap_or_else(|p| p.into_inner());
                progress.idle_through = progress.idle_through.max(started_for);
                shared.changed.notify_all();
                Duration::from_secs(1)
            }
            Ok(RoundOutcome::Busy(next)) => next,
            Err(e) => {
                eprintln!("stockroom: event dispatcher: {e}");
                Duration::from_millis(100)
            }
        };
        drop(engine);
        let _ = bell.recv_timeout(wait);
    }
}

enum RoundOutcome {
    /// Nothing pending.
    Idle,
    /// Pending deliveries remain; look again after this long at most.
    Busy(Duration),
}

fn round(engine: &Engine, retry_at: &mut HashMap<(i64, String), Instant>) -> Result<RoundOutcome> {
    let mut failed_inline = fan_out(engine)?;
    if let Some(dispatcher) = engine.dispatcher() {
        failed_inline.append(&mut dispatcher.shared.early_retries());
    }
    let now = Instant::now();
    for (key, delay) in failed_inline {
        retry_at.insert(key, now + delay);
    }
    let pending = engine.store().read(load_pending)?;
    if pending.is_empty() {
        retry_at.clear();
        return Ok(RoundOutcome::Idle);
    }
    let mut blocked: HashSet<(String, String)> = HashSet::new();
    let mut next = Duration::from_secs(1);
    let mut delivered_any = false;
    for (event, _) in pending {
        let lane = (event.subscriber.clone(), event.name.clone());
        if blocked.contains(&lane) {
            continue;
        }
        let key = (event.seq, event.subscriber.clone());
        if let Some(at) = retry_at.get(&key).filter(|at| **at > now) {
            next = next.min(at.saturating_duration_since(now));
            blocked.insert(lane);
            continue;
        }
        delivered_any = true;
        if let Some(delay) = deliver(engine, &event)? {
            retry_at.insert(key, now + delay);
            next = next.min(delay);
            blocked.insert(lane);
        } else {
            retry_at.remove(&key);
        }
    }
    Ok(RoundOutcome::Busy(if delivered_any {
        Duration::ZERO
    } else {
        next
    }))
}

/// Creates pending deliveries for events past the cursor, and handles those of in-process
/// subscribers in the same job ([`super::inline`]); returns the in-process deliveries that
/// failed there and wait for a retry.
fn fan_out(engine: &Engine) -> Result<Vec<inline::Retry>> {
    let behind: bool = engine.store().read(|c| {
        Ok(c.query_row(
            "SELECT EXISTS (SELECT 1 FROM event_outbox WHERE seq > (SELECT last_seq FROM event_cursor WHERE id = 1))",
            [],
            |r| r.get(0),
        )?)
    })?;
    if !behind {
        return Ok(Vec::new());
    }
    let job_engine = engine.clone();
    engine.store().write(move |tx| fan_out_in(&job_engine, tx))
}

/// The fan-out's work inside a write job: the deliveries of the events past the cursor,
/// the webhook deliveries, the cursor moved past them, and the fresh in-process deliveries
/// handled ([`inline::handle`]). Returns those that failed and wait for a retry.
fn fan_out_in(engine: &Engine, tx: &Tx) -> Result<Vec<inline::Retry>> {
    let events = past_cursor(tx)?;
    let mut insert = tx.prepare_cached_static(
        "INSERT OR IGNORE INTO event_delivery (event_seq, subscriber, event_name, status) VALUES (?1, ?2, ?3, 'pending')",
    )?;
    let mut fresh = Vec::new();
    for (seq, event) in &events {
        for subscriber in engine.subscribers().iter().filter(|s| s.wants(&event.name)) {
            let created = insert.execute(params![seq, subscriber.id, event.name])? > 0;
            if let Some(handler) = subscriber.inline.as_ref().filter(|_| created) {
                fresh.push(inline::Fresh {
                    seq: *seq,
                    event,
                    subscriber: &subscriber.id,
                    handler,
                });
            }
        }
    }
    // Webhook deliveries commit with the cursor: none skipped, none doubled.
    let outbox: Vec<OutboxEvent> = events.iter().map(|(_, e)| e.clone()).collect();
    if webhooks::deliveries::fan_out(tx, engine.ctx(), &outbox)? {
        let webhook_bell = engine.webhook_bell().clone();
        tx.after_commit(move || webhook_bell.ring());
    }
    drop(insert);
    if let Some((last, _)) = events.last() {
        tx.execute("UPDATE event_cursor SET last_seq = ?1 WHERE id = 1", [last])?;
    }
    inline::handle(engine, tx, &fresh)
}

/// Fans out, inside the caller's write job, the events past the cursor — the job's own and
/// any earlier ones, in order — as the dispatcher's fan-out job would, in a savepoint of its
/// own. A workflow's last job calls it when the run emitted: the order mail of a checkout
/// is then written with the order, and the dispatcher's fan-out job and its commit are
/// saved. If it fails, its part is rolled back and the dispatcher fans the events out
/// later, as before. Crash-wise the deliveries commit with the events that made them.
pub(crate) fn fan_out_in_job(engine: &Engine, tx: &Tx) {
    match tx.nested(|inner| fan_out_in(engine, inner)) {
        Ok(retries) if !retries.is_empty() => {
            // Given to the dispatcher now, before the commit rings its bell, so its next
            // round waits out the backoff. Should the commit fail, the entries name
            // deliveries that do not exist, and the dispatcher drops them when idle.
            if let Some(dispatcher) = engine.dispatcher() {
                dispatcher.shared.early_retries().extend(retries);
            }
        }
        Ok(_) => match nothing_pending(tx) {
            // The dispatcher would wake, find nothing and sleep: its bell stays quiet.
            Ok(true) => tx.note_fanned_out(),
            Ok(false) => {}
            Err(e) => eprintln!("stockroom: fan-out in the emitting job: {e}"),
        },
        Err(e) => eprintln!("stockroom: fan-out in the emitting job: {e}"),
    }
}

/// Whether no delivery waits for the dispatcher (read inside a job, after its fan-out: a
/// subscriber without an in-process handler, a deferred or waiting lane, leave some).
fn nothing_pending(tx: &rusqlite::Connection) -> Result<bool> {
    Ok(tx
        .prepare_cached_static(
            "SELECT NOT EXISTS (SELECT 1 FROM event_delivery WHERE status = 'pending')",
        )?
        .query_row([], |r| r.get(0))?)
}

/// The outbox's events past the cursor, oldest first (read inside the fan-out job).
fn past_cursor(tx: &rusqlite::Connection) -> Result<Vec<(i64, OutboxEvent)>> {
    let mut stmt = tx.prepare_cached_static(
        "SELECT seq, id, name, data, created_at FROM event_outbox WHERE seq > (SELECT last_seq FROM event_cursor WHERE id = 1) ORDER BY seq",
    )?;
    let events = stmt
        .query_map([], |r| {
            Ok((
                r.get(0)?,
                OutboxEvent {
                    id: r.get(1)?,
                    name: r.get(2)?,
                    data: r.get(3)?,
                    created_at: r.get(4)?,
                },
            ))
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(events)
}

fn load_pending(conn: &Connection) -> Result<Vec<Pending>> {
    let mut stmt = conn.prepare_cached_static(
        "SELECT o.seq, o.id, o.name, o.data, o.created_at, d.subscriber, d.attempts
         FROM event_delivery d JOIN event_outbox o ON o.seq = d.event_seq
         WHERE d.status = 'pending' ORDER BY d.event_seq, d.subscriber LIMIT 512",
    )?;
    let rows = stmt.query_map([], |r| {
        let data: String = r.get(3)?;
        let attempts: u32 = r.get(6)?;
        Ok((
            Event::delivery(
                (r.get(0)?, r.get(1)?, r.get(2)?),
                serde_json::from_str(&data).unwrap_or(serde_json::Value::Null),
                r.get(4)?,
                r.get(5)?,
                attempts + 1,
            ),
            data,
        ))
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Runs one delivery and records its outcome. Returns the retry delay if it failed and will
/// be retried.
fn deliver(engine: &Engine, event: &Event) -> Result<Option<Duration>> {
    let handler = engine
        .subscribers()
        .iter()
        .find(|s| s.id == event.subscriber)
        .map(|s: &Subscriber| s.handler.clone());
    let outcome = match handler {
        Some(handler) => catch_unwind(AssertUnwindSafe(|| handler(engine, event)))
            .unwrap_or_else(|_| Err(Error::Internal("subscriber panicked".into()))),
        None => Err(Error::UnexpectedState(format!(
            "subscriber '{}' is not registered",
            event.subscriber
        ))),
    };
    let policy = engine.event_retry();
    let now = engine.ctx().now();
    let (seq, subscriber) = (event.seq, event.subscriber.clone());
    match outcome {
        // The handler's own write job acknowledged it (`ack_in`): its effect and the `done`
        // mark are committed together, and nothing is left to write. An error after the ack
        // changes nothing either (the record below would match no pending row).
        _ if event.acked() => Ok(None),
        Ok(()) => {
            engine
                .store()
                .write(move |tx| super::mark_done(tx, seq, &subscriber, &now).map(|_| ()))?;
            Ok(None)
        }
        Err(e) => {
            let dead = event.attempt >= policy.max_attempts;
            let message = e.to_string();
            engine
                .store()
                .write(move |tx| super::mark_failed(tx, seq, &subscriber, &message, dead))?;
            Ok((!dead).then(|| policy.backoff(event.attempt)))
        }
    }
}

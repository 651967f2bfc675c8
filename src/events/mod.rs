//! Events through a transactional outbox.
//!
//! `ctx.emit(tx, name, data)` inserts into `event_outbox` inside the caller's transaction, so an
//! event exists exactly when its change committed: nothing is published for a rolled-back job.
//! The [`dispatcher`] thread, rung after each commit that emitted, fans new events out into
//! `event_delivery` rows (one per subscriber) and delivers them: at least once, in order per
//! event name and subscriber, with retries and backoff, dead-lettered after N attempts. A
//! subscriber that writes to the store can call [`ack_in`] inside its own write job, which makes
//! its local effect exactly-once — and saves the dispatcher its own `done` write job, since the
//! acknowledgement already committed.

pub mod dispatcher;
mod inline;
pub mod webhooks;

use crate::ctx::Ctx;
use crate::db::Tx;
use crate::engine::Engine;
use crate::error::Result;
use crossbeam_channel::{Receiver, Sender};
use rusqlite::params;
use serde_json::Value;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// An event as a subscriber receives it.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// Position in the outbox (total order of commits).
    pub seq: i64,
    /// `evt_…`
    pub id: String,
    /// Medusa event name (`order.placed`, `product.created`, …).
    pub name: String,
    /// The payload (Medusa sends `{ id }` for most events).
    pub data: Value,
    /// When it was emitted.
    pub created_at: String,
    /// The subscriber this delivery is for.
    pub subscriber: String,
    /// Delivery attempt, from 1.
    pub attempt: u32,
    /// Set once an [`ack_in`] for this delivery has committed (clones share it).
    acked: AckSignal,
}

/// Tells the dispatcher that a subscriber's own write job acknowledged the delivery, so it
/// does not spend a write job marking it `done` again. Set by an after-commit hook: it is set
/// only if the acknowledgement is durable, and before the subscriber's `write` returns.
#[derive(Debug, Clone, Default)]
struct AckSignal(Arc<AtomicBool>);

/// The signal is bookkeeping between one delivery's handler and the dispatcher, not part of
/// the event: two events are equal whatever their signals say.
impl PartialEq for AckSignal {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl Event {
    /// An event as the dispatcher hands it to `subscriber` for attempt `attempt`.
    pub(crate) fn delivery(
        (seq, id, name): (i64, String, String),
        data: Value,
        created_at: String,
        subscriber: String,
        attempt: u32,
    ) -> Self {
        Event {
            seq,
            id,
            name,
            data,
            created_at,
            subscriber,
            attempt,
            acked: AckSignal::default(),
        }
    }

    /// Whether an [`ack_in`] for this delivery has committed.
    pub fn acked(&self) -> bool {
        self.acked.0.load(Ordering::SeqCst)
    }
}

/// A subscriber's handler.
pub type SubscriberFn = Arc<dyn Fn(&Engine, &Event) -> Result<()> + Send + Sync>;

/// A subscriber's in-process handler, run by the dispatcher inside its fan-out write job
/// (see [`Subscriber::inline`]).
pub type InlineFn = Arc<dyn Fn(&Engine, &Tx, &Event) -> Result<Inline> + Send + Sync>;

/// What an in-process handler did with a delivery inside the fan-out job.
#[derive(Debug)]
pub enum Inline {
    /// Handled: its writes commit with the fan-out and the delivery is marked `done` there.
    Handled,
    /// Not handled, its writes kept (a refused mail's `failure` record): the delivery counts
    /// a failed attempt with this error and is retried on the usual path, after the backoff.
    Failed(String),
    /// Not for this job (e.g. the provider is not in process): nothing written, and the
    /// dispatcher delivers it on the usual path.
    Deferred,
}

/// A named subscription to one event name (or `*` for all).
#[derive(Clone)]
pub struct Subscriber {
    /// Unique, stable name (deliveries are recorded under it).
    pub id: String,
    /// The event name it listens to, or `*`.
    pub event: String,
    /// What it does.
    pub handler: SubscriberFn,
    /// What it does inside the fan-out job, when it can ([`Subscriber::inline`]).
    pub inline: Option<InlineFn>,
}

impl Subscriber {
    /// Subscribes `handler` (named `id`) to `event`.
    pub fn new(
        id: impl Into<String>,
        event: impl Into<String>,
        handler: impl Fn(&Engine, &Event) -> Result<()> + Send + Sync + 'static,
    ) -> Self {
        Subscriber {
            id: id.into(),
            event: event.into(),
            handler: Arc::new(handler),
            inline: None,
        }
    }

    /// Lets the dispatcher handle a new delivery inside the write job that fans it out (one
    /// write job for the fan-out and this subscriber, instead of one each), in a savepoint of
    /// its own: an error or a panic rolls back the handler's writes only and counts a failed
    /// attempt, retried on the usual path ([`Subscriber::handler`]) after the backoff.
    ///
    /// `inline` runs on the writer thread, so it must do what an in-process provider
    /// promises: no effect outside the process, no blocking I/O, fast; it reads and writes
    /// through `tx` only (never `engine.store()`: a write would wait on the writer it runs
    /// on, and a read would not see the job's own rows); and it acknowledges nothing itself
    /// (the dispatcher marks the delivery). It may return [`Inline::Deferred`] to leave the
    /// delivery to the usual path. A delivery waiting behind an earlier one of the same
    /// subscriber and event name is never handled here.
    #[must_use]
    pub fn inline(
        mut self,
        inline: impl Fn(&Engine, &Tx, &Event) -> Result<Inline> + Send + Sync + 'static,
    ) -> Self {
        self.inline = Some(Arc::new(inline));
        self
    }

    /// Whether this subscriber wants events named `name`.
    pub fn wants(&self, name: &str) -> bool {
        self.event == "*" || self.event == name
    }
}

/// Wakes the dispatcher after a commit that emitted events. Rings coalesce.
#[derive(Clone, Debug)]
pub struct EventBell {
    sender: Sender<()>,
    receiver: Receiver<()>,
}

impl Default for EventBell {
    fn default() -> Self {
        let (sender, receiver) = crossbeam_channel::bounded(1);
        EventBell { sender, receiver }
    }
}

impl EventBell {
    /// Wakes the dispatcher (no-op if a wake-up is already pending).
    pub fn ring(&self) {
        let _ = self.sender.try_send(());
    }

    pub(crate) fn receiver(&self) -> &Receiver<()> {
        &self.receiver
    }
}

/// Inserts one outbox row in the caller's transaction. Use [`Ctx::emit`], which also rings the
/// dispatcher after commit.
///
/// # Errors
/// Database failures.
pub(crate) fn write_outbox(tx: &Tx, ctx: &Ctx, name: &str, data: &Value) -> Result<()> {
    tx.prepare_cached_static(
        "INSERT INTO event_outbox (id, name, data, created_at) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![
        ctx.id("evt"),
        name,
        serde_json::to_string(data).unwrap_or_default(),
        ctx.now()
    ])?;
    Ok(())
}

/// The outbox's events (named `name`, when given), oldest first: `{id, name, data,
/// created_at}` — what a fixture-mode storefront test reads a token from, e.g.
/// `order.transfer_requested`.
///
/// # Errors
/// Database failures.
pub fn emitted(conn: &rusqlite::Connection, name: Option<&str>) -> Result<Vec<Value>> {
    let mut stmt = conn.prepare_cached_static(
        "SELECT id, name, data, created_at FROM event_outbox WHERE ?1 IS NULL OR name = ?1
         ORDER BY seq",
    )?;
    let rows = stmt.query_map([name], |r| {
        let data: String = r.get(2)?;
        Ok(serde_json::json!({
            "id": r.get::<_, String>(0)?,
            "name": r.get::<_, String>(1)?,
            "data": serde_json::from_str::<Value>(&data).unwrap_or(Value::Null),
            "created_at": r.get::<_, String>(3)?,
        }))
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Events named `name` after outbox position `after`, oldest first, as (seq, data), and the
/// outbox's last position: what a reader that keeps its own cursor (a till's sale queue)
/// needs. Read inside a write job, nothing commits between the two.
///
/// # Errors
/// Database failures.
pub fn named_after(
    conn: &rusqlite::Connection,
    name: &str,
    after: i64,
) -> Result<(Vec<(i64, Value)>, i64)> {
    let mut stmt = conn.prepare_cached_static(
        "SELECT seq, data FROM event_outbox WHERE seq > ?1 AND name = ?2 ORDER BY seq",
    )?;
    let rows = stmt.query_map(params![after, name], |r| {
        let data: String = r.get(1)?;
        Ok((
            r.get(0)?,
            serde_json::from_str(&data).unwrap_or(Value::Null),
        ))
    })?;
    let events = rows.collect::<rusqlite::Result<Vec<_>>>()?;
    let last: i64 = conn
        .prepare_cached_static("SELECT COALESCE(MAX(seq), 0) FROM event_outbox")?
        .query_row([], |r| r.get(0))?;
    Ok((events, last.max(after)))
}

/// The outbox's events about any of `ids` — whose payload's `id` or `order_id` is one of
/// them — oldest first, at most `limit`: an entity's timeline (the admin UI's order page).
/// Both payload expressions are indexed (migration 0002), so this does not scan the outbox.
///
/// # Errors
/// Database failures.
pub fn about(conn: &rusqlite::Connection, ids: &[String], limit: u32) -> Result<Vec<Value>> {
    let wanted = serde_json::to_string(ids)?;
    let mut stmt = conn.prepare_cached_static(
        "SELECT id, name, data, created_at FROM event_outbox
         WHERE json_extract(data, '$.id') IN (SELECT value FROM json_each(?1))
            OR json_extract(data, '$.order_id') IN (SELECT value FROM json_each(?1))
         ORDER BY seq LIMIT ?2",
    )?;
    let rows = stmt.query_map(rusqlite::params![wanted, limit], |r| {
        let data: String = r.get(2)?;
        Ok(serde_json::json!({
            "id": r.get::<_, String>(0)?,
            "name": r.get::<_, String>(1)?,
            "data": serde_json::from_str::<Value>(&data).unwrap_or(Value::Null),
            "created_at": r.get::<_, String>(3)?,
        }))
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Records a delivery's successful attempt, if it is still pending; how many rows changed.
/// Every path that finishes a delivery writes it here: the dispatcher's record, a
/// subscriber's own ack, the fan-out job's in-process handlers.
pub(super) fn mark_done(tx: &Tx, seq: i64, subscriber: &str, now: &str) -> Result<usize> {
    Ok(tx
        .prepare_cached_static(
            "UPDATE event_delivery SET status = 'done', attempts = attempts + 1, delivered_at = ?3
             WHERE event_seq = ?1 AND subscriber = ?2 AND status = 'pending'",
        )?
        .execute(params![seq, subscriber, now])?)
}

/// Records a delivery's failed attempt, if it is still pending: `dead` when out of attempts,
/// else left pending for a retry.
pub(super) fn mark_failed(
    tx: &Tx,
    seq: i64,
    subscriber: &str,
    message: &str,
    dead: bool,
) -> Result<()> {
    tx.prepare_cached_static(
        "UPDATE event_delivery SET attempts = attempts + 1, last_error = ?3,
           status = CASE WHEN ?4 THEN 'dead' ELSE 'pending' END
         WHERE event_seq = ?1 AND subscriber = ?2 AND status = 'pending'",
    )?
    .execute(params![seq, subscriber, message, dead])?;
    Ok(())
}

/// Marks `event`'s delivery as done inside the subscriber's own write job: the subscriber's
/// effect and the acknowledgement commit together, so a crash can never apply it twice. Once
/// that job commits, [`Event::acked`] is true and the dispatcher writes nothing more for this
/// delivery — even if the handler then returns an error (the effect is already done).
///
/// # Errors
/// Database failures.
pub fn ack_in(tx: &Tx, ctx: &Ctx, event: &Event) -> Result<()> {
    let changed = mark_done(tx, event.seq, &event.subscriber, &ctx.now())?;
    if changed > 0 {
        let signal = event.acked.0.clone();
        tx.after_commit(move || signal.store(true, Ordering::SeqCst));
    }
    Ok(())
}

/// Puts every dead-lettered subscriber delivery back to pending, attempts from zero (the
/// dispatcher retries it on its next round); returns how many (`stockroom events replay`).
///
/// # Errors
/// Database failures.
pub fn replay_dead_deliveries(tx: &Tx) -> Result<usize> {
    Ok(tx.execute(
        "UPDATE event_delivery SET status = 'pending', attempts = 0, last_error = NULL
         WHERE status = 'dead'",
        [],
    )?)
}

/// The engine's own event tables, as a module (prefix `event`).
pub fn module() -> crate::db::module::Module {
    crate::db::module::Module::new("event", "event")
        .migration(crate::migration!("event", "0001_init.sql"))
        .migration(crate::migration!("event", "0002_subject_index.sql"))
        .migration(crate::migration!("event", "0003_webhooks.sql"))
        .migration(crate::migration!("event", "0004_dead_index.sql"))
        .migration(crate::migration!(
            "event",
            "0005_settled_delivery_index.sql"
        ))
        .migration(crate::migration!("event", "0006_checks_without_lists.sql"))
}

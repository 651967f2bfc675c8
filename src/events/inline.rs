//! In-process subscribers handled inside a fan-out: the dispatcher's fan-out job, or the
//! last job of a workflow that emitted ([`super::dispatcher::fan_out_in_job`]).
//!
//! The fan-out job creates the deliveries of new events; for a delivery it has just created
//! whose subscriber has an in-process handler ([`super::Subscriber::inline`]) and whose lane
//! (subscriber, event name) has no earlier delivery still pending, it runs the handler there,
//! in a savepoint of its own, and records the outcome in the same job. So a quiet order's mail
//! costs the dispatcher one commit, not two (fan-out, then the mail's own job).
//!
//! What a crash does is unchanged in kind: the handler's writes, the delivery's `done` mark,
//! the deliveries and the cursor commit together or not at all. A crash before that commit
//! leaves the events past the cursor, to be fanned out (and handled) again on restart; the
//! handler had no effect outside the process to repeat. A handler that fails (or panics) has
//! its writes rolled back to its savepoint — unless it returned [`Inline::Failed`], which keeps
//! them — and its delivery counts a failed attempt: `dead` at `max_attempts`, else retried on
//! the usual path after the backoff, which the job hands back to the dispatcher's clock.

use super::webhooks::deliveries::OutboxEvent;
use super::{Event, Inline, InlineFn};
use crate::db::Tx;
use crate::engine::Engine;
use crate::error::Result;
use rusqlite::params;
use std::time::Duration;

/// A delivery the fan-out has just created for a subscriber with an in-process handler.
pub(super) struct Fresh<'a> {
    pub seq: i64,
    pub event: &'a OutboxEvent,
    pub subscriber: &'a str,
    pub handler: &'a InlineFn,
}

/// A delivery that failed in the job and will be retried after `delay`, keyed as the
/// dispatcher keys its retry times: (event position, subscriber).
pub(super) type Retry = ((i64, String), Duration);

/// Handles `fresh` deliveries (in outbox order) inside the fan-out job; returns the failed
/// ones still to retry.
///
/// # Errors
/// Database failures of the bookkeeping (the handlers' own errors are outcomes, not errors).
pub(super) fn handle(engine: &Engine, tx: &Tx, fresh: &[Fresh]) -> Result<Vec<Retry>> {
    let (mut retries, mut ran) = (Vec::new(), false);
    for delivery in fresh {
        if lane_waits(tx, delivery)? {
            continue;
        }
        let event = Event::delivery(
            (
                delivery.seq,
                delivery.event.id.clone(),
                delivery.event.name.clone(),
            ),
            serde_json::from_str(&delivery.event.data).unwrap_or(serde_json::Value::Null),
            delivery.event.created_at.clone(),
            delivery.subscriber.to_string(),
            1,
        );
        let outcome = tx.nested(|inner| (delivery.handler)(engine, inner, &event));
        let failure = match outcome {
            Ok(Inline::Deferred) => continue,
            Ok(Inline::Handled) => None,
            Ok(Inline::Failed(message)) => Some(message),
            Err(e) => Some(e.to_string()),
        };
        ran = true;
        if let Some(retry) = record(engine, tx, &event, failure)? {
            retries.push(retry);
        }
    }
    if ran {
        // Handled (or failed) inside the job, not committed yet: a crash here loses it all.
        crate::failpoint::hit("events:inline:handled");
        // Committed: a crash from here on repeats nothing.
        tx.after_commit(|| crate::failpoint::hit("events:inline:committed"));
    }
    Ok(retries)
}

/// Whether an earlier delivery of the same subscriber and event name is still pending (it
/// goes first: order per lane).
fn lane_waits(tx: &Tx, delivery: &Fresh) -> Result<bool> {
    Ok(tx
        .prepare_cached_static(
            "SELECT EXISTS (SELECT 1 FROM event_delivery
               WHERE status = 'pending' AND event_seq < ?1 AND subscriber = ?2 AND event_name = ?3)",
        )?
        .query_row(
            params![delivery.seq, delivery.subscriber, delivery.event.name],
            |r| r.get(0),
        )?)
}

/// Records the first attempt's outcome as the dispatcher's own record would; returns the
/// retry if it failed and is not dead.
fn record(
    engine: &Engine,
    tx: &Tx,
    event: &Event,
    failure: Option<String>,
) -> Result<Option<Retry>> {
    let Some(message) = failure else {
        super::mark_done(tx, event.seq, &event.subscriber, &engine.ctx().now())?;
        return Ok(None);
    };
    let policy = engine.event_retry();
    let dead = event.attempt >= policy.max_attempts;
    super::mark_failed(tx, event.seq, &event.subscriber, &message, dead)?;
    Ok((!dead).then(|| {
        (
            (event.seq, event.subscriber.clone()),
            policy.backoff(event.attempt),
        )
    }))
}

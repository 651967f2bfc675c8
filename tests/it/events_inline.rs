//! In-process subscribers handled inside the dispatcher's fan-out job
//! (`Subscriber::inline`): one write job for the fan-out and the handler, a failure rolled
//! back to the handler's savepoint and retried on the usual path, dead letters, deferral, and
//! order per event name.

use serde_json::json;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use stockroom::db::module::{Migration, Module};
use stockroom::db::{Store, StoreOptions, Tx};
use stockroom::events::dispatcher::RetryPolicy;
use stockroom::events::{Event, Inline, Subscriber};
use stockroom::{Engine, Error};

fn shelf() -> Module {
    Module::new("shelf", "shelf").migration(Migration::embedded(
        "0001_init.sql",
        "CREATE TABLE shelf_item (name TEXT PRIMARY KEY)",
    ))
}

type Log = Arc<Mutex<Vec<String>>>;

/// How the in-process handler behaves on its `n`th call (from 0).
type Script = fn(u32) -> Behaviour;

#[derive(Clone, Copy)]
enum Behaviour {
    Shelve,
    /// Shelves, then errs: the shelving must be rolled back.
    ShelveThenErr,
    /// Shelves, then panics: the same.
    ShelveThenPanic,
    /// Shelves and reports a failure that keeps its writes.
    ShelveThenFailed,
    Defer,
}

fn id_of(event: &Event) -> String {
    event.data["id"].as_str().unwrap_or("").to_string()
}

fn shelve(tx: &Tx, name: &str) -> stockroom::Result<()> {
    tx.execute("INSERT OR IGNORE INTO shelf_item VALUES (?1)", [name])?;
    Ok(())
}

/// A subscriber to `cart.updated` whose usual handler shelves `usual:<id>` in its own job and
/// whose in-process handler follows `script`, shelving `inline:<id>`. Both log what they did.
fn subscriber(script: Script, log: &Log) -> Subscriber {
    let (usual_log, inline_log) = (log.clone(), log.clone());
    let calls = Arc::new(AtomicU32::new(0));
    Subscriber::new(
        "s",
        "cart.updated",
        move |engine: &Engine, event: &Event| {
            let id = id_of(event);
            usual_log.lock().unwrap().push(format!("usual {id}"));
            engine
                .store()
                .write(move |tx| shelve(tx, &format!("usual:{id}")))
        },
    )
    .inline(move |_, tx, event| {
        let id = id_of(event);
        let behaviour = script(calls.fetch_add(1, Ordering::SeqCst));
        if !matches!(behaviour, Behaviour::Defer) {
            shelve(tx, &format!("inline:{id}"))?;
        }
        let outcome = match behaviour {
            Behaviour::Shelve => Inline::Handled,
            Behaviour::ShelveThenErr => return Err(Error::Internal("inline down".into())),
            Behaviour::ShelveThenPanic => panic!("inline panics"),
            Behaviour::ShelveThenFailed => Inline::Failed("refused".into()),
            Behaviour::Defer => return Ok(Inline::Deferred),
        };
        inline_log.lock().unwrap().push(format!("inline {id}"));
        Ok(outcome)
    })
}

fn engine(script: Script, log: &Log, max_attempts: u32) -> Engine {
    Engine::builder()
        .module(shelf())
        .event_retry(RetryPolicy {
            max_attempts,
            base_backoff: Duration::ZERO,
        })
        .subscriber(subscriber(script, log))
        .build(Store::memory(StoreOptions::default()).unwrap())
        .unwrap()
}

fn emit(engine: &Engine, id: &'static str) {
    let ctx = engine.ctx().clone();
    engine
        .store()
        .write(move |tx| ctx.emit(tx, "cart.updated", json!({ "id": id })))
        .unwrap();
}

fn shelved(engine: &Engine) -> Vec<String> {
    engine
        .store()
        .read(|c| {
            let mut stmt = c.prepare("SELECT name FROM shelf_item ORDER BY name")?;
            Ok(stmt
                .query_map([], |r| r.get(0))?
                .collect::<rusqlite::Result<Vec<String>>>()?)
        })
        .unwrap()
}

fn delivery(engine: &Engine, id: &'static str) -> (String, i64, Option<String>) {
    engine
        .store()
        .read(move |c| {
            Ok(c.query_row(
                "SELECT d.status, d.attempts, d.last_error FROM event_delivery d
                 JOIN event_outbox o ON o.seq = d.event_seq
                 WHERE d.subscriber = 's' AND json_extract(o.data, '$.id') = ?1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )?)
        })
        .unwrap()
}

fn log_of(log: &Log) -> Vec<String> {
    log.lock().unwrap().clone()
}

#[test]
fn an_in_process_subscriber_is_handled_in_the_fan_out_job() {
    let log = Log::default();
    let engine = engine(|_| Behaviour::Shelve, &log, 3);
    engine.wait_idle().unwrap();
    let before = engine.store().writer_stats().jobs;
    emit(&engine, "c1");
    engine.wait_idle().unwrap();
    // The emit and the fan-out: the handler's write and the `done` mark rode in the fan-out.
    assert_eq!(engine.store().writer_stats().jobs - before, 2);
    assert_eq!(shelved(&engine), ["inline:c1"]);
    assert_eq!(log_of(&log), ["inline c1"]);
    assert_eq!(delivery(&engine, "c1"), ("done".into(), 1, None));
}

#[test]
fn a_failing_or_panicking_in_process_handler_is_rolled_back_and_retried_on_the_usual_path() {
    for script in [(|_| Behaviour::ShelveThenErr) as Script, |_| {
        Behaviour::ShelveThenPanic
    }] {
        let log = Log::default();
        let engine = engine(script, &log, 3);
        emit(&engine, "c1");
        engine.wait_idle().unwrap();
        assert_eq!(
            shelved(&engine),
            ["usual:c1"],
            "the inline write rolled back"
        );
        assert_eq!(log_of(&log), ["usual c1"]);
        let (status, attempts, error) = delivery(&engine, "c1");
        assert_eq!((status.as_str(), attempts), ("done", 2));
        assert!(error.is_some(), "the failed attempt's error stays");
    }
}

#[test]
fn a_failure_that_keeps_its_writes_counts_an_attempt_and_is_retried() {
    let log = Log::default();
    let engine = engine(|_| Behaviour::ShelveThenFailed, &log, 3);
    emit(&engine, "c1");
    engine.wait_idle().unwrap();
    assert_eq!(shelved(&engine), ["inline:c1", "usual:c1"]);
    assert_eq!(log_of(&log), ["inline c1", "usual c1"]);
    let (status, attempts, error) = delivery(&engine, "c1");
    assert_eq!((status.as_str(), attempts), ("done", 2));
    assert_eq!(
        error.as_deref(),
        Some("refused"),
        "the failed attempt's error stays"
    );
}

#[test]
fn an_in_process_failure_at_the_last_attempt_is_dead_lettered() {
    let log = Log::default();
    let engine = engine(|_| Behaviour::ShelveThenErr, &log, 1);
    emit(&engine, "c1");
    engine.wait_idle().unwrap();
    assert!(shelved(&engine).is_empty());
    assert!(log_of(&log).is_empty(), "never retried");
    let (status, attempts, error) = delivery(&engine, "c1");
    assert_eq!((status.as_str(), attempts), ("dead", 1));
    assert!(error.unwrap_or_default().contains("inline down"));
}

#[test]
fn a_deferred_delivery_goes_the_usual_way() {
    let log = Log::default();
    let engine = engine(|_| Behaviour::Defer, &log, 3);
    emit(&engine, "c1");
    engine.wait_idle().unwrap();
    assert_eq!(shelved(&engine), ["usual:c1"]);
    assert_eq!(delivery(&engine, "c1"), ("done".into(), 1, None));
}

#[test]
fn a_delivery_behind_a_pending_one_of_its_lane_waits_for_it() {
    // The first event fails in the fan-out job; whenever the next ones are fanned out
    // (with it or after its retry), none is handled before it.
    let log = Log::default();
    let engine = engine(
        |n| {
            if n == 0 {
                Behaviour::ShelveThenErr
            } else {
                Behaviour::Shelve
            }
        },
        &log,
        3,
    );
    for id in ["c1", "c2", "c3"] {
        emit(&engine, id);
    }
    engine.wait_idle().unwrap();
    let order: Vec<String> = log_of(&log)
        .iter()
        .map(|line| line.split(' ').nth(1).unwrap_or("").to_string())
        .collect();
    assert_eq!(order, ["c1", "c2", "c3"]);
    for id in ["c1", "c2", "c3"] {
        assert_eq!(delivery(&engine, id).0, "done");
    }
}

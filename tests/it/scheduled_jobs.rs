//! Scheduled jobs through the public API: cron slots on the engine's (fixture) clock, each
//! run journaled, one catch-up run for missed slots — after downtime too — and never two
//! runs of one job at once.

use serde_json::{Value, json};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use stockroom::clock::{Clock, parse_iso8601};
use stockroom::db::{Store, StoreOptions};
use stockroom::{Engine, EngineBuilder, Error};

const HOUR: i64 = 3_600_000;

fn at(iso: &str) -> i64 {
    parse_iso8601(iso).unwrap()
}

fn engine_at(builder: EngineBuilder, store: Store, iso: &str) -> Engine {
    builder
        .deterministic(7)
        .clock(Clock::fixed(at(iso)))
        .build(store)
        .unwrap()
}

fn memory() -> Store {
    Store::memory(StoreOptions::default()).unwrap()
}

fn slots(engine: &Engine) -> Vec<String> {
    engine
        .run_due_jobs()
        .into_iter()
        .map(|run| run.scheduled_at)
        .collect()
}

#[test]
fn an_hourly_job_runs_at_its_slots_and_once_for_many_missed_ones() {
    let count = Arc::new(AtomicUsize::new(0));
    let seen = count.clone();
    let builder = EngineBuilder::empty().job("tick", "0 * * * *", move |_, run| {
        seen.fetch_add(1, Ordering::SeqCst);
        Ok(json!({ "slot": run.scheduled_at }))
    });
    let engine = engine_at(builder, memory(), "2024-01-01T00:10:00.000Z");
    assert!(
        slots(&engine).is_empty(),
        "nothing due before the first slot"
    );
    engine.clock().advance(HOUR);
    assert_eq!(slots(&engine), ["2024-01-01T01:00:00.000Z"]);
    assert!(slots(&engine).is_empty(), "a slot runs once");
    engine.clock().advance(5 * HOUR);
    assert_eq!(
        slots(&engine),
        ["2024-01-01T06:00:00.000Z"],
        "one catch-up run"
    );
    assert_eq!(count.load(Ordering::SeqCst), 2);
    let runs = engine
        .store()
        .read(|c| stockroom::jobs::list_runs(c, 10))
        .unwrap();
    assert_eq!(runs.len(), 2);
    assert_eq!(runs[0]["status"], "done");
    assert_eq!(
        runs[0]["result"],
        json!({"slot": "2024-01-01T06:00:00.000Z"})
    );
}

#[test]
fn a_failing_run_is_journaled_and_the_next_slot_still_runs() {
    let builder = EngineBuilder::empty().job("flaky", "*/15 * * * *", |_, run| {
        match run.scheduled_at.ends_with("00:15:00.000Z") {
            true => Err(Error::invalid("the partner is down")),
            false => Ok(Value::Null),
        }
    });
    let engine = engine_at(builder, memory(), "2024-01-01T00:10:00.000Z");
    engine.clock().advance(5 * 60_000);
    let failed = engine.run_due_jobs();
    assert_eq!(
        failed[0].result.as_ref().unwrap_err().to_string(),
        "the partner is down"
    );
    engine.clock().advance(15 * 60_000);
    assert!(engine.run_due_jobs()[0].result.is_ok());
    let runs = engine
        .store()
        .read(|c| stockroom::jobs::list_runs(c, 10))
        .unwrap();
    let statuses: Vec<&Value> = runs.iter().map(|r| &r["status"]).collect();
    assert_eq!(statuses, [&json!("done"), &json!("reverted")]);
    assert!(
        runs[1]["error"]
            .as_str()
            .unwrap()
            .contains("the partner is down")
    );
}

#[test]
fn a_job_never_runs_twice_at_once() {
    let builder = EngineBuilder::empty().job("slow", "* * * * *", |engine, _| {
        // While this run goes on, its next slot comes due and someone asks again.
        engine.clock().advance(60_000);
        let inner = engine.run_due_jobs();
        Ok(json!({ "inner_runs": inner.len() }))
    });
    let engine = engine_at(builder, memory(), "2024-01-01T00:00:30.000Z");
    engine.clock().advance(60_000);
    let outer = engine.run_due_jobs();
    assert_eq!(outer[0].result.as_ref().unwrap(), &json!({"inner_runs": 0}));
    assert_eq!(slots(&engine), ["2024-01-01T00:02:00.000Z"], "late, once");
}

#[test]
fn after_downtime_the_last_slot_comes_from_the_journal() {
    let dir = std::env::temp_dir().join(format!("stockroom-jobs-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let db: PathBuf = dir.join("shop.db");
    let _ = std::fs::remove_file(&db);
    let nightly = || EngineBuilder::empty().job("nightly", "0 3 * * *", |_, _| Ok(Value::Null));
    let open = || Store::open(&db, StoreOptions::default()).unwrap();
    let engine = engine_at(nightly(), open(), "2024-01-01T02:00:00.000Z");
    engine.clock().advance(2 * HOUR);
    assert_eq!(slots(&engine), ["2024-01-01T03:00:00.000Z"]);
    engine.shutdown();
    // Four days down: one catch-up run, for the most recent night.
    let engine = engine_at(nightly(), open(), "2024-01-05T09:00:00.000Z");
    assert_eq!(slots(&engine), ["2024-01-05T03:00:00.000Z"]);
    engine.shutdown();
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn an_invalid_cron_expression_fails_build() {
    let builder = EngineBuilder::empty().job("bad", "0 25 * * *", |_, _| Ok(Value::Null));
    let err = builder.build(memory()).err().unwrap();
    assert!(
        err.to_string()
            .contains("job bad: invalid cron expression '0 25 * * *'"),
        "{err}"
    );
}

//! External steps that run inline (`Step::inline_when`): the runner asks the step's rule, per
//! run, when it reaches the step; a step that may run inline is called on the writer inside
//! the surrounding write job (no `invoking` row, no job of its own, one attempt) and is
//! compensated in a write job; one that may not keeps the journaled external path.

use serde_json::{Value, json};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use stockroom::db::module::{Migration, Module};
use stockroom::db::{Store, StoreOptions};
use stockroom::workflow::{self, Done, Step, StepCtx, Workflow};
use stockroom::{Engine, Error};

fn shelf() -> Module {
    Module::new("shelf", "shelf").migration(Migration::embedded(
        "0001_init.sql",
        "CREATE TABLE shelf_item (name TEXT PRIMARY KEY)",
    ))
}

fn engine(wf: Workflow) -> Engine {
    Engine::builder()
        .module(shelf())
        .workflow(wf)
        .build(Store::memory(StoreOptions::default()).unwrap())
        .unwrap()
}

type Log = Arc<Mutex<Vec<String>>>;

fn log_of(log: &Log) -> Vec<String> {
    log.lock().unwrap().clone()
}

/// The thread a step body runs on, for the log: `writer` or `caller`.
fn thread() -> &'static str {
    match std::thread::current().name() {
        Some("stockroom-writer") => "writer",
        _ => "caller",
    }
}

/// A local step that shelves `name` (or fails when the input says `"fail": name`); its
/// compensation removes it.
fn shelve(name: &'static str, log: &Log) -> Step {
    let (l1, l2) = (log.clone(), log.clone());
    Step::local(name, move |tx, ctx| {
        if ctx.input["fail"] == name {
            return Err(Error::invalid(format!("{name} refused")));
        }
        tx.execute("INSERT INTO shelf_item VALUES (?1)", [name])?;
        l1.lock().unwrap().push(format!("do {name}"));
        Ok(Done::with_compensation(
            json!(name),
            json!({"remove": name}),
        ))
    })
    .compensate(move |tx, _, data| {
        tx.execute(
            "DELETE FROM shelf_item WHERE name = ?1",
            [data["remove"].as_str().unwrap_or("")],
        )?;
        l2.lock().unwrap().push(format!("undo {name}"));
        Ok(())
    })
}

/// An external step `pay` that runs inline when the input says `"inline": true`, fails when
/// it says `"fail": "pay"`, and logs the thread of each call and of its compensation.
fn pay(log: &Log, calls: &Arc<AtomicU32>) -> Step {
    let (l1, l2, calls) = (log.clone(), log.clone(), calls.clone());
    Step::external("pay", move |ctx| {
        calls.fetch_add(1, Ordering::SeqCst);
        l1.lock().unwrap().push(format!("call pay on {}", thread()));
        if ctx.input["fail"] == "pay" {
            return Err(Error::PaymentAuthorization("pay declined".into()));
        }
        Ok(Done::with_compensation(
            json!({"key": ctx.idempotency_key()}),
            json!("refund"),
        ))
    })
    .compensate_external(move |_, data| {
        l2.lock()
            .unwrap()
            .push(format!("cancel pay {data} on {}", thread()));
        Ok(())
    })
    .retry(3, Duration::ZERO)
    .inline_when(|ctx: &StepCtx| ctx.input["inline"] == true)
}

fn workflow(log: &Log, calls: &Arc<AtomicU32>) -> Workflow {
    Workflow::new("buy")
        .step(shelve("a", log))
        .step(pay(log, calls))
        .step(shelve("b", log))
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

fn step_rows(engine: &Engine) -> i64 {
    engine
        .store()
        .read(|c| Ok(c.query_row("SELECT count(*) FROM workflow_step", [], |r| r.get(0))?))
        .unwrap()
}

/// The only execution: its status and `name=status` of each step.
fn journal(engine: &Engine) -> (String, Vec<String>, workflow::ExecutionRecord) {
    let (mut records, _) = engine
        .store()
        .read(|c| workflow::list_executions(c, None, 10, 0))
        .unwrap();
    assert_eq!(records.len(), 1);
    let record = records.remove(0);
    let steps = record
        .steps
        .iter()
        .map(|s| format!("{}={}", s.name, s.status))
        .collect();
    (record.status.clone(), steps, record)
}

#[test]
fn an_inline_step_runs_on_the_writer_in_the_one_job_and_is_journaled_done() {
    let (log, calls) = (Log::default(), Arc::new(AtomicU32::new(0)));
    let engine = engine(workflow(&log, &calls));
    let result = workflow::run(&engine, "buy", json!({"inline": true}), None).unwrap();
    assert_eq!(result, json!("b"));
    assert_eq!(log_of(&log), ["do a", "call pay on writer", "do b"]);
    assert_eq!(shelved(&engine), ["a", "b"]);
    let (status, steps, record) = journal(&engine);
    assert_eq!(status, "done");
    assert_eq!(steps, ["a=done", "pay=done", "b=done"]);
    let pay = &record.steps[1];
    assert_eq!((pay.kind.as_str(), pay.attempts), ("external", 1));
    assert_eq!(
        pay.output,
        Some(json!({"key": format!("{}:pay", record.id)})),
        "the step still gets its stable idempotency key"
    );
    assert_eq!(pay.compensation, Some(json!("refund")));
    assert_eq!(
        step_rows(&engine),
        0,
        "one job: no intent row, every step kept on the finished execution row"
    );
}

#[test]
fn a_run_whose_rule_says_no_keeps_the_journaled_external_path() {
    let (log, calls) = (Log::default(), Arc::new(AtomicU32::new(0)));
    let engine = engine(workflow(&log, &calls));
    workflow::run(&engine, "buy", json!({"inline": false}), None).unwrap();
    assert_eq!(log_of(&log), ["do a", "call pay on caller", "do b"]);
    let (status, steps, _) = journal(&engine);
    assert_eq!(status, "done");
    assert_eq!(steps, ["a=done", "pay=done", "b=done"]);
    assert_eq!(
        step_rows(&engine),
        2,
        "the first job's rows: `a` and the intent of `pay`, later marked done"
    );
}

#[test]
fn a_failing_inline_step_gets_one_attempt_and_the_steps_before_it_are_compensated() {
    let (log, calls) = (Log::default(), Arc::new(AtomicU32::new(0)));
    let engine = engine(workflow(&log, &calls));
    let error = workflow::run(
        &engine,
        "buy",
        json!({"inline": true, "fail": "pay"}),
        Some("k"),
    )
    .unwrap_err();
    assert_eq!(error.status(), 422, "{error}");
    assert_eq!(
        calls.load(Ordering::SeqCst),
        1,
        "no retries inside a write job"
    );
    assert_eq!(
        log_of(&log),
        ["do a", "call pay on writer", "undo a"],
        "`a` committed with the failure and was compensated; the failed call is not"
    );
    assert!(shelved(&engine).is_empty());
    let (status, steps, record) = journal(&engine);
    assert_eq!(status, "reverted");
    assert_eq!(steps, ["a=compensated", "pay=failed"]);
    assert_eq!(record.steps[1].attempts, 1);
    // A reverted run frees its key: the same key runs again (on the journaled path now).
    workflow::run(&engine, "buy", json!({"inline": false}), Some("k")).unwrap();
    assert_eq!(shelved(&engine), ["a", "b"]);
}

#[test]
fn a_local_failure_after_an_inline_step_rolls_back_its_own_steps_and_compensates_the_call_in_a_write_job()
 {
    let (log, calls) = (Log::default(), Arc::new(AtomicU32::new(0)));
    let engine = engine(workflow(&log, &calls));
    let error =
        workflow::run(&engine, "buy", json!({"inline": true, "fail": "b"}), None).unwrap_err();
    assert_eq!(error.to_string(), "b refused");
    assert_eq!(
        log_of(&log),
        [
            "do a",
            "call pay on writer",
            "cancel pay \"refund\" on writer",
            "undo a"
        ]
    );
    assert!(shelved(&engine).is_empty());
    let (status, steps, _) = journal(&engine);
    assert_eq!(status, "reverted");
    assert_eq!(steps, ["a=compensated", "pay=compensated", "b=failed"]);
}

#[test]
fn the_rule_sees_the_outputs_of_the_steps_before_it() {
    let (log, calls) = (Log::default(), Arc::new(AtomicU32::new(0)));
    let seen: Arc<Mutex<Vec<Value>>> = Arc::default();
    let seen2 = seen.clone();
    let wf = Workflow::new("buy")
        .step(shelve("a", &log))
        .step(pay(&log, &calls).inline_when(move |ctx| {
            seen2.lock().unwrap().push(ctx.result("a").clone());
            ctx.result("a") == "a"
        }));
    let engine = engine(wf);
    workflow::run(&engine, "buy", json!({}), None).unwrap();
    assert_eq!(log_of(&log), ["do a", "call pay on writer"]);
    assert_eq!(*seen.lock().unwrap(), [json!("a")]);
}

//! Transient workflows (`Workflow::transient`): a run without an idempotency key that
//! finishes in its first write job keeps no execution row, as Medusa keeps such runs in
//! memory only. A run that needs the journal — a key to replay, an external step to call
//! outside the writer, a failure to compensate — is journaled exactly as before, from its
//! first job on. The storefront's cart changes are transient, so a whole checkout leaves one
//! row: the keyed completion.

use crate::common::TestApp;
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};
use stockroom::db::module::{Migration, Module};
use stockroom::db::{Store, StoreOptions};
use stockroom::workflow::{self, Done, Step, StepCtx, Workflow};
use stockroom::{Engine, Error};

type Log = Arc<Mutex<Vec<String>>>;

fn engine(wf: Workflow) -> Engine {
    let shelf = Module::new("shelf", "shelf").migration(Migration::embedded(
        "0001_init.sql",
        "CREATE TABLE shelf_item (name TEXT PRIMARY KEY)",
    ));
    Engine::builder()
        .module(shelf)
        .workflow(wf)
        .build(Store::memory(StoreOptions::default()).unwrap())
        .unwrap()
}

/// A local step that shelves `name`, or fails when the input says `"fail": name`; its
/// compensation takes it off again.
fn shelve(name: &'static str, log: &Log) -> Step {
    let (l1, l2) = (log.clone(), log.clone());
    Step::local(name, move |tx, ctx| {
        if ctx.input["fail"] == name {
            return Err(Error::invalid(format!("{name} refused")));
        }
        tx.execute("INSERT INTO shelf_item VALUES (?1)", [name])?;
        l1.lock().unwrap().push(format!("do {name}"));
        Ok(Done::with_compensation(json!(name), json!(name)))
    })
    .compensate(move |tx, _, data| {
        tx.execute(
            "DELETE FROM shelf_item WHERE name = ?1",
            [data.as_str().unwrap_or("")],
        )?;
        l2.lock().unwrap().push(format!("undo {name}"));
        Ok(())
    })
}

/// An external step that runs inside the write job when the input says `"inline": true`.
fn pay(log: &Log) -> Step {
    let (l1, l2) = (log.clone(), log.clone());
    Step::external("pay", move |_| {
        l1.lock().unwrap().push("call pay".into());
        Ok(Done::with_compensation(json!("paid"), json!("refund")))
    })
    .compensate_external(move |_, _| {
        l2.lock().unwrap().push("cancel pay".into());
        Ok(())
    })
    .inline_when(|ctx: &StepCtx| ctx.input["inline"] == true)
}

fn buy(log: &Log) -> Workflow {
    Workflow::new("buy")
        .transient()
        .step(shelve("a", log))
        .step(pay(log))
        .step(shelve("b", log))
}

fn count(engine: &Engine, sql: &str) -> i64 {
    engine
        .store()
        .read(|c| Ok(c.query_row(sql, [], |r| r.get(0))?))
        .unwrap()
}

fn shelved(engine: &Engine) -> i64 {
    count(engine, "SELECT count(*) FROM shelf_item")
}

/// Every execution row: `(status, [step=status…])`.
fn executions(engine: &Engine) -> Vec<(String, Vec<String>)> {
    let (records, _) = engine
        .store()
        .read(|c| workflow::list_executions(c, None, 10, 0))
        .unwrap();
    records
        .into_iter()
        .map(|r| {
            let steps = r
                .steps
                .iter()
                .map(|s| format!("{}={}", s.name, s.status))
                .collect();
            (r.status, steps)
        })
        .collect()
}

fn log_of(log: &Log) -> Vec<String> {
    log.lock().unwrap().clone()
}

#[test]
fn a_run_that_finishes_in_its_first_job_leaves_no_row_and_keeps_its_effects() {
    let log = Log::default();
    let engine = engine(buy(&log));
    let result = workflow::run(&engine, "buy", json!({"inline": true}), None).unwrap();
    assert_eq!(result, json!("b"));
    assert_eq!(log_of(&log), ["do a", "call pay", "do b"]);
    assert_eq!(shelved(&engine), 2, "the effects committed");
    assert!(executions(&engine).is_empty(), "no execution row");
    assert_eq!(count(&engine, "SELECT count(*) FROM workflow_step"), 0);
}

#[test]
fn a_run_that_is_not_transient_still_keeps_its_row() {
    let log = Log::default();
    let wf = Workflow::new("buy")
        .step(shelve("a", &log))
        .step(shelve("b", &log));
    let engine = engine(wf);
    workflow::run(&engine, "buy", json!({}), None).unwrap();
    assert_eq!(
        executions(&engine),
        [("done".to_string(), vec!["a=done".into(), "b=done".into()])]
    );
}

#[test]
fn a_keyed_run_keeps_its_row_and_a_repeat_replays_it() {
    let log = Log::default();
    let engine = engine(buy(&log));
    let first = workflow::run(&engine, "buy", json!({"inline": true}), Some("k")).unwrap();
    let again = workflow::run(&engine, "buy", json!({"inline": true}), Some("k")).unwrap();
    assert_eq!(first, again);
    assert_eq!(
        log_of(&log),
        ["do a", "call pay", "do b"],
        "the repeat ran nothing"
    );
    let rows = executions(&engine);
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].0, "done");
}

#[test]
fn a_run_that_calls_an_external_step_outside_the_writer_is_journaled_from_its_first_job() {
    let log = Log::default();
    let engine = engine(buy(&log));
    workflow::run(&engine, "buy", json!({"inline": false}), None).unwrap();
    assert_eq!(
        executions(&engine),
        [(
            "done".to_string(),
            vec!["a=done".into(), "pay=done".into(), "b=done".into()]
        )]
    );
    assert_eq!(
        count(&engine, "SELECT count(*) FROM workflow_step"),
        2,
        "the first job wrote `a` and the intent of `pay`, as a stored workflow does"
    );
}

#[test]
fn a_run_that_fails_in_its_first_job_is_journaled_and_compensated() {
    let log = Log::default();
    let engine = engine(buy(&log));
    let error =
        workflow::run(&engine, "buy", json!({"inline": true, "fail": "b"}), None).unwrap_err();
    assert_eq!(error.status(), 400, "{error}");
    assert_eq!(
        log_of(&log),
        ["do a", "call pay", "cancel pay", "undo a"],
        "completed steps compensated in reverse"
    );
    assert_eq!(shelved(&engine), 0, "nothing left behind");
    let rows = executions(&engine);
    assert_eq!(rows.len(), 1, "the failure has its row: {rows:?}");
    assert_eq!(rows[0].0, "reverted");
    assert!(rows[0].1.contains(&"b=failed".to_string()), "{rows:?}");
}

#[test]
fn a_storefront_checkout_keeps_only_the_completions_row() {
    let app = TestApp::start();
    let variant = app.variant();
    let reply = app.checkout("usd", &variant);
    assert_eq!(reply.status, 200, "{}", reply.text());
    let order: Value = reply.json();
    assert_eq!(order["type"], "order");
    let rows = app
        .engine()
        .store()
        .read(|c| {
            let mut stmt = c.prepare("SELECT workflow, status FROM workflow_execution")?;
            let rows = stmt.query_map([], |r| {
                Ok(format!(
                    "{}={}",
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?
                ))
            })?;
            Ok(rows.collect::<rusqlite::Result<Vec<String>>>()?)
        })
        .unwrap();
    assert_eq!(rows, ["complete-cart=done"]);
}

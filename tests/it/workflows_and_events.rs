//! The workflow engine and the event outbox, through the public library API: compensation
//! order, failed compensation, idempotent and concurrent reruns, retries, outbox atomicity,
//! at-least-once delivery, dead letters, order per event name, redelivery after restart, and a
//! subscriber's own acknowledgement (`ack_in`) standing in for the dispatcher's `done` job.

use serde_json::{Value, json};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use stockroom::db::module::{Migration, Module};
use stockroom::db::{Store, StoreOptions};
use stockroom::events::dispatcher::RetryPolicy;
use stockroom::workflow::{self, Done, Step, Workflow};
use stockroom::{Engine, EngineBuilder, Error};

/// A tiny custom module so steps have something of their own to write.
fn shelf() -> Module {
    Module::new("shelf", "shelf").migration(Migration::embedded(
        "0001_init.sql",
        "CREATE TABLE shelf_item (name TEXT PRIMARY KEY)",
    ))
}

fn builder() -> EngineBuilder {
    Engine::builder().module(shelf()).event_retry(RetryPolicy {
        max_attempts: 3,
        base_backoff: Duration::ZERO,
    })
}

fn memory() -> Store {
    Store::memory(StoreOptions::default()).unwrap()
}

type Log = Arc<Mutex<Vec<String>>>;

fn log_of(log: &Log) -> Vec<String> {
    log.lock().unwrap().clone()
}

/// A local step that shelves `name` and whose compensation removes it.
fn shelve(name: &'static str, log: &Log) -> Step {
    let (l1, l2) = (log.clone(), log.clone());
    Step::local(name, move |tx, _| {
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

/// An external step that succeeds or fails as told and logs its compensation.
fn call(name: &'static str, fail: bool, log: &Log) -> Step {
    let (l1, l2) = (log.clone(), log.clone());
    Step::external(name, move |ctx| {
        l1.lock().unwrap().push(format!("call {name}"));
        if fail {
            return Err(Error::PaymentAuthorization(format!("{name} declined")));
        }
        Ok(Done::with_compensation(
            json!({"key": ctx.idempotency_key()}),
            json!("refund"),
        ))
    })
    .compensate_external(move |_, data| {
        l2.lock().unwrap().push(format!("cancel {name} {data}"));
        Ok(())
    })
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

fn execution_statuses(engine: &Engine) -> Vec<(String, Vec<String>)> {
    let (records, _) = engine
        .store()
        .read(|c| workflow::list_executions(c, None, 100, 0))
        .unwrap();
    records
        .into_iter()
        .map(|r| {
            (
                r.status,
                r.steps
                    .into_iter()
                    .map(|s| format!("{}={}", s.name, s.status))
                    .collect(),
            )
        })
        .collect()
}

/// A job that finishes its execution keeps its steps on the execution row (one write
/// instead of a row per step); readers see the same steps, outputs and compensation data.
#[test]
fn a_finishing_job_journals_its_steps_on_the_execution_row() {
    let log = Log::default();
    let wf = Workflow::new("local")
        .step(shelve("a", &log))
        .step(shelve("b", &log));
    let engine = builder().workflow(wf).build(memory()).unwrap();
    assert_eq!(
        workflow::run(&engine, "local", json!({}), None).unwrap(),
        json!("b")
    );
    let (records, _) = engine
        .store()
        .read(|c| workflow::list_executions(c, None, 10, 0))
        .unwrap();
    let steps = &records[0].steps;
    assert_eq!(
        steps
            .iter()
            .map(|s| (s.idx, s.name.as_str(), s.kind.as_str(), s.attempts))
            .collect::<Vec<_>>(),
        vec![(0, "a", "local", 1), (1, "b", "local", 1)]
    );
    assert_eq!(steps[1].output, Some(json!("b")));
    assert_eq!(steps[1].compensation, Some(json!({"remove": "b"})));
    let rows: i64 = engine
        .store()
        .read(|c| Ok(c.query_row("SELECT count(*) FROM workflow_step", [], |r| r.get(0))?))
        .unwrap();
    assert_eq!(rows, 0, "no step row for a job that finished its execution");
}

#[test]
fn successful_run_returns_last_output_and_journals_every_step() {
    let log = Log::default();
    let wf = Workflow::new("ok")
        .step(shelve("a", &log))
        .step(call("pay", false, &log))
        .step(shelve("b", &log));
    let engine = builder().workflow(wf).build(memory()).unwrap();
    let result = workflow::run(&engine, "ok", json!({}), None).unwrap();
    assert_eq!(result, json!("b"));
    assert_eq!(shelved(&engine), vec!["a", "b"]);
    assert_eq!(
        execution_statuses(&engine),
        vec![(
            "done".to_string(),
            vec!["a=done".into(), "pay=done".into(), "b=done".into()]
        )]
    );
}

#[test]
fn failure_compensates_completed_steps_in_reverse_order() {
    let log = Log::default();
    let wf = Workflow::new("w")
        .step(shelve("a", &log))
        .step(call("pay", false, &log))
        .step(shelve("b", &log))
        .step(call("ship", true, &log));
    let engine = builder().workflow(wf).build(memory()).unwrap();
    let err = workflow::run(&engine, "w", json!({}), None).unwrap_err();
    assert_eq!(err.to_string(), "ship declined");
    assert_eq!(
        log_of(&log),
        vec![
            "do a",
            "call pay",
            "do b",
            "call ship",
            "undo b",
            "cancel pay \"refund\"",
            "undo a"
        ]
    );
    assert!(shelved(&engine).is_empty(), "no partial state");
    assert_eq!(
        execution_statuses(&engine),
        vec![(
            "reverted".to_string(),
            vec![
                "a=compensated".into(),
                "pay=compensated".into(),
                "b=compensated".into(),
                "ship=failed".into()
            ]
        )]
    );
}

#[test]
fn failing_local_step_rolls_back_its_whole_group() {
    let log = Log::default();
    let wf = Workflow::new("w")
        .step(shelve("a", &log))
        .step(Step::local("boom", |tx, _| {
            tx.execute("INSERT INTO shelf_item VALUES ('half-done')", [])?;
            Err(Error::invalid("nope"))
        }));
    let engine = builder().workflow(wf).build(memory()).unwrap();
    assert_eq!(
        workflow::run(&engine, "w", json!({}), None)
            .unwrap_err()
            .status(),
        400
    );
    assert!(shelved(&engine).is_empty());
    // "a" committed nothing (its group rolled back), so there was nothing to undo.
    assert_eq!(log_of(&log), vec!["do a"]);
}

#[test]
fn a_compensation_that_keeps_failing_leaves_failed_compensation_for_an_operator() {
    let wf = Workflow::new("stuck")
        .step(
            Step::local("a", |_, _| Ok(Done::new(json!(1))))
                .compensate(|_, _, _| Err(Error::invalid("cannot undo"))),
        )
        .step(Step::external("pay", |_| {
            Err(Error::PaymentAuthorization("declined".into()))
        }));
    let engine = builder().workflow(wf).build(memory()).unwrap();
    assert!(workflow::run(&engine, "stuck", json!({}), None).is_err());
    let (stuck, count) = engine
        .store()
        .read(|c| workflow::list_executions(c, Some("failed_compensation"), 10, 0))
        .unwrap();
    assert_eq!(count, 1);
    assert_eq!(stuck[0].steps[0].status, "compensation_failed");
    assert_eq!(stuck[0].steps[0].attempts, 3);
}

#[test]
fn rerun_with_the_same_key_returns_the_stored_result_without_running_again() {
    let runs = Arc::new(AtomicU32::new(0));
    let counter = runs.clone();
    let wf = Workflow::new("once").step(Step::local("count", move |_, ctx| {
        Ok(Done::new(
            json!({"n": counter.fetch_add(1, Ordering::SeqCst) + 1, "input": ctx.input}),
        ))
    }));
    let engine = builder().workflow(wf).build(memory()).unwrap();
    let first = workflow::run(&engine, "once", json!({"cart": "c1"}), Some("cart_c1")).unwrap();
    let second = workflow::run(&engine, "once", json!({"cart": "c1"}), Some("cart_c1")).unwrap();
    assert_eq!(first, second);
    assert_eq!(runs.load(Ordering::SeqCst), 1);
    workflow::run(&engine, "once", json!({}), Some("other")).unwrap();
    assert_eq!(runs.load(Ordering::SeqCst), 2);
}

#[test]
fn a_reverted_run_frees_its_key_for_a_retry() {
    let attempts = Arc::new(AtomicU32::new(0));
    let seen = attempts.clone();
    let wf = Workflow::new("retryable").step(Step::external("pay", move |_| {
        if seen.fetch_add(1, Ordering::SeqCst) == 0 {
            Err(Error::PaymentAuthorization("declined".into()))
        } else {
            Ok(Done::new(json!("paid")))
        }
    }));
    let engine = builder().workflow(wf).build(memory()).unwrap();
    assert!(workflow::run(&engine, "retryable", json!({}), Some("k")).is_err());
    assert_eq!(
        workflow::run(&engine, "retryable", json!({}), Some("k")).unwrap(),
        json!("paid")
    );
}

#[test]
fn concurrent_run_with_the_same_key_gets_conflict_and_no_duplicate_effect() {
    let (entered_tx, entered) = crossbeam_channel::bounded::<()>(1);
    let (release, gate) = crossbeam_channel::bounded::<()>(1);
    let effects = Arc::new(AtomicU32::new(0));
    let counted = effects.clone();
    let wf = Workflow::new("slow").step(Step::external("pay", move |_| {
        counted.fetch_add(1, Ordering::SeqCst);
        entered_tx.send(()).ok();
        gate.recv().ok();
        Ok(Done::new(json!("paid")))
    }));
    let engine = builder().workflow(wf).build(memory()).unwrap();
    let first = {
        let engine = engine.clone();
        std::thread::spawn(move || workflow::run(&engine, "slow", json!({}), Some("same")))
    };
    entered.recv().unwrap();
    let second = workflow::run(&engine, "slow", json!({}), Some("same")).unwrap_err();
    assert_eq!(second.status(), 409);
    release.send(()).unwrap();
    assert_eq!(first.join().unwrap().unwrap(), json!("paid"));
    assert_eq!(effects.load(Ordering::SeqCst), 1);
    assert_eq!(
        workflow::run(&engine, "slow", json!({}), Some("same")).unwrap(),
        json!("paid")
    );
}

#[test]
fn retryable_external_step_is_retried_with_the_same_idempotency_key() {
    let keys = Arc::new(Mutex::new(Vec::new()));
    let seen = keys.clone();
    let wf = Workflow::new("flaky").step(
        Step::external("pay", move |ctx| {
            seen.lock()
                .unwrap()
                .push((ctx.idempotency_key(), ctx.attempt));
            if ctx.attempt < 3 {
                Err(Error::Internal("timeout".into()))
            } else {
                Ok(Done::new(json!("ok")))
            }
        })
        .retry(3, Duration::ZERO),
    );
    let engine = builder().workflow(wf).build(memory()).unwrap();
    assert_eq!(
        workflow::run(&engine, "flaky", json!({}), None).unwrap(),
        json!("ok")
    );
    let keys = keys.lock().unwrap();
    assert_eq!(keys.len(), 3);
    assert!(
        keys.iter()
            .all(|(k, _)| k == &keys[0].0 && k.ends_with(":pay"))
    );
}

#[test]
fn unknown_workflow_is_not_found() {
    let engine = builder().build(memory()).unwrap();
    assert_eq!(
        workflow::run(&engine, "nope", Value::Null, None)
            .unwrap_err()
            .status(),
        404
    );
}

// ---- events ----

fn counting_subscriber(
    seen: &Log,
    fail_first: u32,
) -> impl Fn(&Engine, &stockroom::events::Event) -> stockroom::Result<()> + Send + Sync + 'static {
    let (seen, failures) = (seen.clone(), Arc::new(AtomicU32::new(0)));
    move |_, event| {
        if failures.fetch_add(1, Ordering::SeqCst) < fail_first {
            return Err(Error::Internal("subscriber down".into()));
        }
        seen.lock()
            .unwrap()
            .push(format!("{} {}", event.name, event.data["id"]));
        Ok(())
    }
}

fn emit(
    engine: &Engine,
    name: &'static str,
    id: &'static str,
    then_fail: bool,
) -> stockroom::Result<()> {
    let ctx = engine.ctx().clone();
    engine.store().write(move |tx| {
        ctx.emit(tx, name, json!({"id": id}))?;
        if then_fail {
            Err(Error::invalid("rolled back"))
        } else {
            Ok(())
        }
    })
}

#[test]
fn events_of_a_rolled_back_transaction_are_never_published() {
    let seen = Log::default();
    let engine = builder()
        .on("s", "product.created", counting_subscriber(&seen, 0))
        .build(memory())
        .unwrap();
    assert!(emit(&engine, "product.created", "p1", true).is_err());
    emit(&engine, "product.created", "p2", false).unwrap();
    engine.wait_idle().unwrap();
    assert_eq!(log_of(&seen), vec!["product.created \"p2\""]);
}

#[test]
fn a_failing_subscriber_gets_the_event_again_until_it_succeeds() {
    let seen = Log::default();
    let engine = builder()
        .on("s", "order.placed", counting_subscriber(&seen, 2))
        .build(memory())
        .unwrap();
    emit(&engine, "order.placed", "o1", false).unwrap();
    engine.wait_idle().unwrap();
    assert_eq!(log_of(&seen), vec!["order.placed \"o1\""]);
    let (status, attempts): (String, u32) = engine
        .store()
        .read(|c| {
            Ok(c.query_row(
                "SELECT status, attempts FROM event_delivery WHERE subscriber = 's'",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?)
        })
        .unwrap();
    assert_eq!((status.as_str(), attempts), ("done", 3));
}

#[test]
fn a_subscriber_that_never_succeeds_is_dead_lettered() {
    let seen = Log::default();
    let engine = builder()
        .on("s", "order.placed", counting_subscriber(&seen, 99))
        .build(memory())
        .unwrap();
    emit(&engine, "order.placed", "o1", false).unwrap();
    engine.wait_idle().unwrap();
    let (status, error): (String, String) = engine
        .store()
        .read(|c| {
            Ok(c.query_row(
                "SELECT status, last_error FROM event_delivery WHERE subscriber = 's'",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?)
        })
        .unwrap();
    assert_eq!(status, "dead");
    assert!(error.contains("subscriber down"));
}

#[test]
fn deliveries_keep_order_per_event_name_across_retries() {
    let seen = Log::default();
    let engine = builder()
        .on("s", "cart.updated", counting_subscriber(&seen, 1))
        .build(memory())
        .unwrap();
    for id in ["c1", "c2", "c3"] {
        emit(&engine, "cart.updated", id, false).unwrap();
    }
    engine.wait_idle().unwrap();
    assert_eq!(
        log_of(&seen),
        vec![
            "cart.updated \"c1\"",
            "cart.updated \"c2\"",
            "cart.updated \"c3\""
        ]
    );
}

#[test]
fn every_subscriber_of_an_event_gets_it_and_others_do_not() {
    let (a, b, c) = (Log::default(), Log::default(), Log::default());
    let engine = builder()
        .on("a", "order.placed", counting_subscriber(&a, 0))
        .on("b", "*", counting_subscriber(&b, 0))
        .on("c", "customer.created", counting_subscriber(&c, 0))
        .build(memory())
        .unwrap();
    emit(&engine, "order.placed", "o1", false).unwrap();
    engine.wait_idle().unwrap();
    assert_eq!(
        (log_of(&a).len(), log_of(&b).len(), log_of(&c).len()),
        (1, 1, 0)
    );
}

#[test]
fn pending_deliveries_are_redelivered_after_a_restart() {
    let dir = std::env::temp_dir().join(format!("stockroom-redeliver-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("s.db");
    let _ = std::fs::remove_file(&path);
    let never = RetryPolicy {
        max_attempts: 1000,
        base_backoff: Duration::from_secs(3600),
    };
    {
        let seen = Log::default();
        let store = Store::open(&path, StoreOptions::default()).unwrap();
        let engine = builder()
            .event_retry(never)
            .on("s", "order.placed", counting_subscriber(&seen, 99))
            .build(store)
            .unwrap();
        emit(&engine, "order.placed", "o1", false).unwrap();
        // Stop before the subscriber ever succeeds: the delivery stays pending in the file.
        engine.shutdown();
        assert!(log_of(&seen).is_empty());
    }
    let seen = Log::default();
    let store = Store::open(&path, StoreOptions::default()).unwrap();
    let engine = builder()
        .on("s", "order.placed", counting_subscriber(&seen, 0))
        .build(store)
        .unwrap();
    engine.wait_idle().unwrap();
    assert_eq!(log_of(&seen), vec!["order.placed \"o1\""]);
    engine.shutdown();
    let _ = std::fs::remove_dir_all(&dir);
}

/// A subscriber that shelves the event's id and acknowledges in the same write job, then
/// fails `fail_after_ack` times after that commit; counts its calls.
fn shelving_subscriber(
    calls: &Arc<AtomicU32>,
    fail_after_ack: bool,
) -> impl Fn(&Engine, &stockroom::events::Event) -> stockroom::Result<()> + Send + Sync + 'static {
    let calls = calls.clone();
    move |engine, event| {
        calls.fetch_add(1, Ordering::SeqCst);
        let (ctx, event) = (engine.ctx().clone(), event.clone());
        let acked = event.clone();
        engine.store().write(move |tx| {
            tx.execute(
                "INSERT INTO shelf_item VALUES (?1)",
                [event.data["id"].as_str().unwrap_or("")],
            )?;
            stockroom::events::ack_in(tx, &ctx, &event)
        })?;
        assert!(acked.acked(), "the signal is set once the ack committed");
        if fail_after_ack {
            return Err(Error::Internal("after the ack".into()));
        }
        Ok(())
    }
}

fn delivery_of(engine: &Engine, subscriber: &'static str) -> (String, i64) {
    engine
        .store()
        .read(move |c| {
            Ok(c.query_row(
                "SELECT status, attempts FROM event_delivery WHERE subscriber = ?1",
                [subscriber],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?)
        })
        .unwrap()
}

#[test]
fn a_subscriber_can_ack_in_its_own_write_for_an_exactly_once_effect() {
    let calls = Arc::new(AtomicU32::new(0));
    let engine = builder()
        .on(
            "shelver",
            "product.created",
            shelving_subscriber(&calls, false),
        )
        .build(memory())
        .unwrap();
    engine.wait_idle().unwrap();
    let before = engine.store().writer_stats().jobs;
    emit(&engine, "product.created", "p1", false).unwrap();
    engine.wait_idle().unwrap();
    assert_eq!(shelved(&engine), vec!["p1"]);
    // The emit, the fan-out and the subscriber's own job: the dispatcher learns the ack
    // committed and writes no `done` of its own.
    assert_eq!(engine.store().writer_stats().jobs - before, 3);
    assert_eq!(delivery_of(&engine, "shelver"), ("done".into(), 1));
}

#[test]
fn an_error_after_a_committed_ack_neither_retries_nor_dead_letters() {
    let calls = Arc::new(AtomicU32::new(0));
    let engine = builder()
        .on(
            "shelver",
            "product.created",
            shelving_subscriber(&calls, true),
        )
        .build(memory())
        .unwrap();
    emit(&engine, "product.created", "p1", false).unwrap();
    engine.wait_idle().unwrap();
    assert_eq!(
        calls.load(Ordering::SeqCst),
        1,
        "the effect is done: no retry"
    );
    assert_eq!(shelved(&engine), vec!["p1"]);
    assert_eq!(delivery_of(&engine, "shelver"), ("done".into(), 1));
}

#[test]
fn an_ack_rolled_back_with_its_job_is_retried() {
    let calls = Arc::new(AtomicU32::new(0));
    let counter = calls.clone();
    let engine = builder()
        .on("shelver", "product.created", move |engine, event| {
            let first = counter.fetch_add(1, Ordering::SeqCst) == 0;
            let (ctx, event) = (engine.ctx().clone(), event.clone());
            engine.store().write(move |tx| {
                tx.execute("INSERT INTO shelf_item VALUES ('p1')", [])?;
                stockroom::events::ack_in(tx, &ctx, &event)?;
                if first {
                    return Err(Error::Internal("rolled back after the ack".into()));
                }
                Ok(())
            })
        })
        .build(memory())
        .unwrap();
    emit(&engine, "product.created", "p1", false).unwrap();
    engine.wait_idle().unwrap();
    assert_eq!(calls.load(Ordering::SeqCst), 2);
    assert_eq!(shelved(&engine), vec!["p1"]);
    // The failed attempt counted, then the ack's own increment.
    assert_eq!(delivery_of(&engine, "shelver"), ("done".into(), 2));
}

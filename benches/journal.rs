//! The cost of the workflow journal: a 3-step workflow against the same writes without
//! journaling, per run, median of many sequential runs, on a file store at
//! `synchronous=FULL` (what production uses) and in memory.
//!
//! `cargo bench --bench journal` (add `-- --runs N` to change the count).

use serde_json::json;
use std::time::Instant;
use stockroom::db::module::{Migration, Module};
use stockroom::db::{Store, StoreOptions, Synchronous, Tx};
use stockroom::workflow::{self, Done, Step, Workflow};
use stockroom::{Engine, Result};

fn shelf() -> Module {
    Module::new("shelf", "shelf").migration(Migration::embedded(
        "0001_init.sql",
        "CREATE TABLE shelf_item (id TEXT PRIMARY KEY, step INTEGER NOT NULL, payload TEXT NOT NULL)",
    ))
}

fn insert(tx: &Tx, engine: &Engine, step: i64) -> Result<String> {
    let id = engine.ctx().id("shelf");
    tx.prepare_cached("INSERT INTO shelf_item (id, step, payload) VALUES (?1, ?2, ?3)")?
        .execute(rusqlite::params![id, step, "{\"qty\":1}"])?;
    Ok(id)
}

fn local(name: &'static str, step: i64) -> Step {
    Step::local(name, move |tx, ctx| {
        Ok(Done::with_compensation(
            json!(insert(tx, ctx.engine, step)?),
            json!(null),
        ))
    })
}

fn workflows() -> Vec<Workflow> {
    vec![
        Workflow::new("three-local")
            .step(local("a", 1))
            .step(local("b", 2))
            .step(local("c", 3)),
        Workflow::new("local-external-local")
            .step(local("a", 1))
            .step(Step::external("call", |ctx| {
                Ok(Done::new(json!(ctx.idempotency_key())))
            }))
            .step(local("c", 3)),
    ]
}

fn median_us(mut samples: Vec<f64>) -> f64 {
    samples.sort_by(f64::total_cmp);
    samples[samples.len() / 2]
}

fn time(runs: usize, mut f: impl FnMut()) -> f64 {
    for _ in 0..runs / 10 {
        f(); // warm-up
    }
    median_us(
        (0..runs)
            .map(|_| {
                let t = Instant::now();
                f();
                t.elapsed().as_secs_f64() * 1e6
            })
            .collect(),
    )
}

fn measure(label: &str, store: Store, runs: usize) {
    let mut builder = Engine::builder().module(shelf());
    for wf in workflows() {
        builder = builder.workflow(wf);
    }
    let engine = builder.build(store).expect("engine");
    let plain_one = time(runs, || {
        let e = engine.clone();
        engine
            .store()
            .write(move |tx| {
                for step in 1..=3 {
                    insert(tx, &e, step)?;
                }
                Ok(())
            })
            .expect("write");
    });
    let journaled_one = time(runs, || {
        workflow::run(&engine, "three-local", json!({"cart_id": "c"}), None).expect("run");
    });
    let plain_two = time(runs, || {
        for steps in [vec![1], vec![3]] {
            let e = engine.clone();
            engine
                .store()
                .write(move |tx| {
                    steps
                        .iter()
                        .try_for_each(|s| insert(tx, &e, *s).map(|_| ()))
                })
                .expect("write");
        }
    });
    let journaled_two = time(runs, || {
        workflow::run(
            &engine,
            "local-external-local",
            json!({"cart_id": "c"}),
            None,
        )
        .expect("run");
    });
    println!(
        "{label}: 3 local steps (1 commit): plain {plain_one:.1} µs, journaled {journaled_one:.1} µs, overhead {:.1} µs ({:.2}x)",
        journaled_one - plain_one,
        journaled_one / plain_one
    );
    println!(
        "{label}: local→external→local (2 commits): plain {plain_two:.1} µs, journaled {journaled_two:.1} µs, overhead {:.1} µs ({:.2}x)",
        journaled_two - plain_two,
        journaled_two / plain_two
    );
    engine.shutdown();
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let runs = args
        .iter()
        .position(|a| a == "--runs")
        .and_then(|i| args.get(i + 1))
        .and_then(|n| n.parse().ok())
        .unwrap_or(2000);
    let dir = std::env::temp_dir().join(format!("stockroom-bench-journal-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let file = Store::open(
        dir.join("bench.db"),
        StoreOptions {
            synchronous: Synchronous::Full,
            ..StoreOptions::default()
        },
    )
    .expect("file store");
    println!("median per run over {runs} sequential runs");
    measure("file, synchronous=FULL", file, runs);
    measure(
        "memory",
        Store::memory(StoreOptions::default()).expect("memory store"),
        runs,
    );
    let _ = std::fs::remove_dir_all(&dir);
}

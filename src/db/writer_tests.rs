//! Tests of the writer's jobs: nested savepoints and after-commit hooks.

use crate::db::{Store, StoreOptions};
use crate::error::Error;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

fn values(store: &Store) -> Vec<String> {
    store
        .read(|c| {
            let mut stmt = c.prepare("SELECT v FROM t ORDER BY v")?;
            let rows = stmt.query_map([], |r| r.get(0))?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
        .unwrap()
}

#[test]
fn a_nested_failure_or_panic_undoes_only_its_own_writes_and_hooks() {
    let store = Store::memory(StoreOptions::default()).unwrap();
    let rang = Arc::new(AtomicU32::new(0));
    let seen = rang.clone();
    store
        .write(move |tx| {
            tx.execute_batch("CREATE TABLE t (v TEXT)")?;
            tx.execute("INSERT INTO t VALUES ('outer')", [])?;
            let failed = tx.nested(|inner| {
                inner.execute("INSERT INTO t VALUES ('failed')", [])?;
                let rang = seen.clone();
                inner.after_commit(move || {
                    rang.fetch_add(100, Ordering::SeqCst);
                });
                Err::<(), _>(Error::invalid("on purpose"))
            });
            assert!(failed.is_err());
            let panicked = tx.nested(|inner| -> crate::error::Result<()> {
                inner.execute("INSERT INTO t VALUES ('panicked')", [])?;
                panic!("on purpose")
            });
            assert!(panicked.is_err());
            tx.nested(|inner| {
                inner.execute("INSERT INTO t VALUES ('kept')", [])?;
                let rang = seen.clone();
                inner.after_commit(move || {
                    rang.fetch_add(1, Ordering::SeqCst);
                });
                Ok(())
            })?;
            Ok(())
        })
        .unwrap();
    assert_eq!(values(&store), ["kept", "outer"]);
    assert_eq!(
        rang.load(Ordering::SeqCst),
        1,
        "only the kept write's hook ran"
    );
}

#[test]
fn a_hook_unless_fanned_out_is_skipped_once_the_job_fanned_out_its_events() {
    let store = Store::memory(StoreOptions::default()).unwrap();
    let rang = Arc::new(AtomicU32::new(0));
    for (fanned_out, emits_again) in [(false, false), (true, false), (true, true)] {
        let seen = rang.clone();
        store
            .write(move |tx| {
                tx.note_emitted();
                tx.after_commit_unless_fanned_out(move || {
                    seen.fetch_add(1, Ordering::SeqCst);
                });
                if fanned_out {
                    tx.note_fanned_out();
                }
                if emits_again {
                    tx.note_emitted();
                }
                Ok(())
            })
            .unwrap();
    }
    assert_eq!(
        rang.load(Ordering::SeqCst),
        2,
        "run without a fan-out, skipped after one, run again when the job emitted after it"
    );
}

#[test]
fn a_job_that_arrives_while_a_batch_runs_shares_its_commit() {
    let store = Store::memory(StoreOptions::default()).unwrap();
    store
        .write(|tx| Ok(tx.execute_batch("CREATE TABLE t (v TEXT)")?))
        .unwrap();
    let before = store.writer_stats();
    let late = store.clone();
    let queued = store.clone();
    let first = std::thread::spawn(move || {
        late.write(move |tx| {
            tx.execute("INSERT INTO t VALUES ('first')", [])?;
            // Another caller submits while this job runs; wait until it is queued.
            let second = queued.clone();
            let joined = std::thread::spawn(move || {
                second.write(|tx| Ok(tx.execute("INSERT INTO t VALUES ('second')", [])?))
            });
            while queued.queued_writes() == 0 {
                std::thread::yield_now();
            }
            Ok(joined)
        })
    });
    let joined = first.join().unwrap().unwrap();
    joined.join().unwrap().unwrap();
    let after = store.writer_stats();
    assert_eq!(values(&store), ["first", "second"]);
    assert_eq!(after.jobs - before.jobs, 2);
    assert_eq!(
        after.commits - before.commits,
        1,
        "the late job joined the running batch"
    );
}

fn count(store: &Store, table: &str) -> i64 {
    let sql = format!("SELECT COUNT(*) FROM {table}");
    store
        .read(move |c| Ok(c.query_row(&sql, [], |r| r.get(0))?))
        .unwrap()
}

/// Moves noted rows into `done`; `runs` counts the batch ends that ran.
const MOVE_NOTED: &[&str] = &[
    "INSERT INTO runs DEFAULT VALUES",
    "INSERT INTO done SELECT v FROM noted",
    "DELETE FROM noted",
];

fn batch_end_store(statements: &'static [&'static str]) -> Store {
    let store = Store::memory(StoreOptions::default()).unwrap();
    store
        .write(|tx| {
            tx.execute_batch(
                "CREATE TABLE noted (v TEXT); CREATE TABLE done (v TEXT);
                 CREATE TABLE runs (id INTEGER PRIMARY KEY); CREATE TABLE other (v TEXT);",
            )?;
            Ok(())
        })
        .unwrap();
    store.set_batch_end(vec![crate::db::module::BatchEnd {
        watch: "noted",
        statements,
    }]);
    store
}

#[test]
fn batch_end_work_runs_once_in_the_batch_that_changed_its_table() {
    let store = batch_end_store(MOVE_NOTED);
    store
        .write(|tx| Ok(tx.execute("INSERT INTO other VALUES ('x')", [])?))
        .unwrap();
    assert_eq!(
        count(&store, "runs"),
        0,
        "a batch that did not touch `noted`"
    );
    store
        .write(|tx| {
            tx.execute("INSERT INTO noted VALUES ('a')", [])?;
            Ok(tx.execute("INSERT INTO noted VALUES ('b')", [])?)
        })
        .unwrap();
    // Seen by the first read after the write returned: the work was in its commit.
    assert_eq!(count(&store, "done"), 2);
    assert_eq!(count(&store, "noted"), 0);
    assert_eq!(count(&store, "runs"), 1);
    // A job that failed keeps nothing: the work finds nothing of it to move.
    let failed = store.write(|tx| -> crate::error::Result<()> {
        tx.execute("INSERT INTO noted VALUES ('c')", [])?;
        Err(Error::invalid("on purpose"))
    });
    assert!(failed.is_err());
    assert_eq!((count(&store, "done"), count(&store, "noted")), (2, 0));
}

#[test]
fn failed_batch_end_work_is_undone_alone_and_the_batch_commits() {
    const BROKEN: &[&str] = &[
        "INSERT INTO done SELECT v FROM noted",
        "SELECT * FROM missing",
    ];
    let store = batch_end_store(BROKEN);
    store
        .write(|tx| Ok(tx.execute("INSERT INTO noted VALUES ('kept')", [])?))
        .unwrap();
    assert_eq!(count(&store, "noted"), 1, "the job's write committed");
    assert_eq!(
        count(&store, "done"),
        0,
        "the work's first statement was undone"
    );
}

//! Catalog lookups memoized across requests *and* write jobs, under the generation of the
//! tables they read ([`crate::db::memo::Memo::table_generation`]).
//!
//! A checkout reads the same catalog rows over and over: the region and its countries, the
//! shipping options of the cart's sets, the prices of its variants, the product and variant
//! rows its replies show. Seven write jobs and a read per order re-read them, though nothing
//! changes them while orders flow. [`cached`] serves them from the store's memo until a
//! committed write changes one of their tables.
//!
//! The store sets the scope: [`Store::read`] and [`Store::write`] run their closure inside
//! one (a thread-local stack), so the catalog functions need no handle on the store. Outside
//! a scope (a bare connection in a tool or a test), [`cached`] just computes.
//!
//! Why a value is right when served:
//! - **In a read**, the generation must describe the transaction's snapshot. The snapshot
//!   starts at the read's first statement, perhaps before a commit that bumped the tables;
//!   so a read uses the memo only while no write job has committed since it began (the
//!   store's generation, read before `BEGIN`, unchanged). Otherwise it computes and files
//!   nothing.
//! - **In a write job**, the transaction also sees the running batch's uncommitted changes.
//!   The memo is used only when neither the running job nor an earlier job of its batch
//!   changed one of the value's tables (the writer's `dirty` check); then those
//!   tables are as last committed, and their generation says so (the writer bumps
//!   generations after each commit, before the next batch starts).
//! - Only rowid tables changed row by row may be named: SQLite's update hook, which tells
//!   the store what changed, sees neither `WITHOUT ROWID` tables nor a bare `DELETE FROM t`.

use super::Store;
use super::writer::Touched;
use crate::error::Result;
use std::any::Any;
use std::cell::RefCell;
use std::sync::Arc;

/// What the running closure may assume about the memo.
enum Scope {
    /// A read that began when the store's generation was this.
    Read(Store, u64),
    /// A write job on the writer thread.
    Write(Store),
}

thread_local! {
    static SCOPES: RefCell<Vec<Scope>> = const { RefCell::new(Vec::new()) };
}

/// Pops the scope it pushed, even when the closure panics.
struct Pushed;

impl Drop for Pushed {
    fn drop(&mut self) {
        SCOPES.with(|s| s.borrow_mut().pop());
    }
}

fn within<T>(scope: Scope, f: impl FnOnce() -> T) -> T {
    SCOPES.with(|s| s.borrow_mut().push(scope));
    let _pushed = Pushed;
    f()
}

/// Runs a read closure in a scope that began at `generation` (read before `BEGIN`).
pub(super) fn in_read<T>(store: &Store, generation: u64, f: impl FnOnce() -> T) -> T {
    within(Scope::Read(store.clone(), generation), f)
}

/// Runs a write job in the writer's scope.
pub(super) fn in_write<T>(store: &Store, f: impl FnOnce() -> T) -> T {
    within(Scope::Write(store.clone()), f)
}

/// Adds a finished job's changed tables to the batch's pending list.
pub(super) fn note_pending(pending: &Touched, changed: &[String]) {
    if changed.is_empty() {
        return;
    }
    let mut list = pending.lock().unwrap_or_else(|p| p.into_inner());
    for table in changed {
        if !list.contains(table) {
            list.push(table.clone());
        }
    }
}

/// Whether the innermost scope on this thread is a write job (not a read, even one a job
/// started).
pub(super) fn in_write_job() -> bool {
    SCOPES.with(|s| matches!(s.borrow().last(), Some(Scope::Write(_))))
}

/// The store whose memo may serve a value read from `tables` here, with the generation to
/// file it under; `None` when the memo must be left alone.
fn usable(tables: &[&str]) -> Option<(Store, u64)> {
    SCOPES.with(|s| {
        let scopes = s.borrow();
        match scopes.last()? {
            Scope::Read(store, began) => (store.generation() == *began)
                .then(|| (store.clone(), store.memo().table_generation(tables))),
            Scope::Write(store) => (!store.inner.writer.dirty(tables))
                .then(|| (store.clone(), store.memo().table_generation(tables))),
        }
    })
}

/// The value under `key` (which must name everything `compute` depends on besides `tables`),
/// from the memo when the scope allows it, else computed. `tables`: every table `compute`
/// reads, all rowid tables changed row by row (see the module doc).
///
/// # Errors
/// `compute`'s.
pub fn cached<T: Any + Send + Sync>(
    key: &str,
    tables: &[&str],
    compute: impl FnOnce() -> Result<T>,
) -> Result<Arc<T>> {
    match usable(tables) {
        Some((store, generation)) => store.memo().get_or(key, generation, compute),
        None => compute().map(Arc::new),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::StoreOptions;
    use std::sync::mpsc;

    fn store() -> Store {
        let store = Store::memory(StoreOptions::default()).unwrap();
        store
            .write(|tx| {
                tx.execute_batch(
                    "CREATE TABLE region (id TEXT PRIMARY KEY, name TEXT);
                     INSERT INTO region VALUES ('r1', 'Europe');",
                )?;
                Ok(())
            })
            .unwrap();
        store
    }

    /// The region's name through the memo.
    fn name(conn: &rusqlite::Connection) -> Result<String> {
        let name = cached("region-name:r1", &["region"], || {
            Ok(
                conn.query_row("SELECT name FROM region WHERE id = 'r1'", [], |r| {
                    r.get::<_, String>(0)
                })?,
            )
        })?;
        Ok(name.as_ref().clone())
    }

    /// What the memo holds for the region's name right now (a compute that would say so).
    fn memoized(store: &Store) -> String {
        store
            .read(|_| cached("region-name:r1", &["region"], || Ok("computed".to_string())))
            .unwrap()
            .as_ref()
            .clone()
    }

    fn rename(tx: &rusqlite::Connection, to: &str) -> Result<()> {
        tx.execute("UPDATE region SET name = ?1 WHERE id = 'r1'", [to])?;
        Ok(())
    }

    #[test]
    fn reads_share_a_value_until_its_table_changes() {
        let store = store();
        assert_eq!(store.read(name).unwrap(), "Europe");
        assert_eq!(memoized(&store), "Europe", "served from the memo");
        store
            .write(|tx| Ok(tx.execute_batch("CREATE TABLE other (x)")?))
            .unwrap();
        assert_eq!(memoized(&store), "Europe", "another table's change");
        store.write(|tx| rename(tx, "EU")).unwrap();
        assert_eq!(memoized(&store), "computed", "its table changed");
    }

    #[test]
    fn outside_a_store_scope_values_are_computed() {
        let store = store();
        assert_eq!(store.read(name).unwrap(), "Europe");
        let value = cached("region-name:r1", &["region"], || Ok("computed".to_string()));
        assert_eq!(value.unwrap().as_str(), "computed");
    }

    #[test]
    fn a_write_job_sees_its_own_change() {
        let store = store();
        assert_eq!(store.read(name).unwrap(), "Europe");
        let seen = store
            .write(|tx| {
                let before = name(tx)?;
                rename(tx, "EU")?;
                Ok((before, name(tx)?))
            })
            .unwrap();
        assert_eq!(seen, ("Europe".to_string(), "EU".to_string()));
        assert_eq!(store.read(name).unwrap(), "EU");
    }

    /// Waits until `n` jobs are queued for the writer.
    fn until_queued(store: &Store, n: usize) {
        while store.inner.writer.queued() < n {
            std::thread::yield_now();
        }
    }

    #[test]
    fn a_later_job_of_a_batch_sees_an_earlier_jobs_change() {
        let store = store();
        assert_eq!(store.read(name).unwrap(), "Europe");
        // Hold the writer in one job while two more queue up: they then run as one batch.
        let (started, running) = mpsc::channel();
        let (release, held) = mpsc::channel::<()>();
        let holder = {
            let store = store.clone();
            std::thread::spawn(move || {
                store.write(move |_| {
                    let _ = started.send(());
                    let _ = held.recv();
                    Ok(())
                })
            })
        };
        running.recv().unwrap();
        let renamer = {
            let store = store.clone();
            std::thread::spawn(move || store.write(|tx| rename(tx, "EU")))
        };
        until_queued(&store, 1);
        let reader = {
            let store = store.clone();
            std::thread::spawn(move || store.write(|tx| name(tx)))
        };
        until_queued(&store, 2);
        release.send(()).unwrap();
        holder.join().unwrap().unwrap();
        renamer.join().unwrap().unwrap();
        assert_eq!(reader.join().unwrap().unwrap(), "EU");
    }

    #[test]
    fn a_read_that_began_before_a_commit_files_nothing() {
        let store = store();
        let generation = store.generation();
        store.write(|tx| rename(tx, "EU")).unwrap();
        // As if this read's snapshot had started before the commit above.
        let value = in_read(&store, generation, || {
            cached("region-name:r1", &["region"], || Ok("stale".to_string()))
        })
        .unwrap();
        assert_eq!(value.as_str(), "stale");
        assert_eq!(store.read(name).unwrap(), "EU", "nothing was filed");
    }
}

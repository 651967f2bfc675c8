//! Rows a write job read, kept for the rest of that job until it changes their tables.
//!
//! A checkout's write job reads the same rows several times: the refresh reads the cart's
//! items and shipping methods, then the reply reads them again; completing a cart reads them
//! to validate and again to copy them into the order. [`remembered`] hands a later read the
//! first one's result while nothing could have changed it.
//!
//! Why a value is right when served — it is exactly what the read would return now:
//! - It lives only inside one job on the writer thread ([`active`] between
//!   `begin` and `end`); reads on the pool, even one a job opens, and work outside a job,
//!   always compute.
//! - Every row change the write connection makes reaches `note_change` (SQLite's update
//!   hook, with triggers' and cascades' changes), which drops each value read from that
//!   table. Named tables must therefore be rowid tables changed row by row, as for
//!   [`super::cached`].
//! - A rollback (to a savepoint or the job's) undoes changes the hook never reports, so
//!   `forget_all` runs at each one (`db::writer::rollback_to`).
//!
//! [`remembered`] clones values out, so a caller may change its copy freely; [`shared`] hands
//! out the value itself (`Rc`), for callers that only read it.

use crate::error::Result;
use std::any::Any;
use std::cell::RefCell;
use std::rc::Rc;

/// One remembered read.
struct Entry {
    /// What was read (e.g. `cart_line_item`), with `id`, the key.
    kind: &'static str,
    id: String,
    /// Every table the read looked at.
    tables: Vec<&'static str>,
    value: Rc<dyn Any>,
}

/// At most this many values per job: a job that reads more distinct things stops
/// remembering (the first ones are the ones read again).
const CAPACITY: usize = 32;

thread_local! {
    /// `None` outside a job.
    static ENTRIES: RefCell<Option<Vec<Entry>>> = const { RefCell::new(None) };
}

/// Starts remembering (the writer, as a job begins).
pub(super) fn begin() {
    ENTRIES.with(|e| *e.borrow_mut() = Some(Vec::new()));
}

/// Forgets everything and stops remembering (the writer, as a job ends).
pub(super) fn end() {
    ENTRIES.with(|e| *e.borrow_mut() = None);
}

/// Whether this thread is running a write job, and the code asking runs in the job itself
/// (not in a read transaction the job opened on a pooled connection, whose snapshot differs).
pub fn active() -> bool {
    ENTRIES.with(|e| e.borrow().is_some()) && super::cached::in_write_job()
}

/// A row of `table` changed: values read from it are stale.
pub(super) fn note_change(table: &str) {
    ENTRIES.with(|e| {
        if let Some(entries) = e.borrow_mut().as_mut() {
            entries.retain(|entry| !entry.tables.contains(&table));
        }
    });
}

/// A rollback undid changes the update hook did not report: every value may be stale.
pub(super) fn forget_all() {
    ENTRIES.with(|e| {
        if let Some(entries) = e.borrow_mut().as_mut() {
            entries.clear();
        }
    });
}

/// The value `compute` returns for (`kind`, `id`): remembered from an earlier call in this
/// job when none of `tables` has changed since, else computed (and remembered, in a job).
/// `tables` must name every table `compute` reads, all rowid tables changed row by row;
/// `kind` and `id` everything else it depends on.
///
/// # Errors
/// `compute`'s.
pub fn remembered<T: Clone + 'static>(
    kind: &'static str,
    id: &str,
    tables: &[&'static str],
    compute: impl FnOnce() -> Result<T>,
) -> Result<T> {
    shared(kind, id, tables, compute).map(Rc::unwrap_or_clone)
}

/// [`remembered`] without the copy: the value itself, shared with the memo. A caller that
/// only reads it (a reply, a total, a check) pays no clone of its strings; one that
/// changes it takes a copy (`Rc::unwrap_or_clone`, free when the memo kept none).
///
/// # Errors
/// `compute`'s.
pub fn shared<T: 'static>(
    kind: &'static str,
    id: &str,
    tables: &[&'static str],
    compute: impl FnOnce() -> Result<T>,
) -> Result<Rc<T>> {
    if !active() {
        return compute().map(Rc::new);
    }
    if let Some(value) = lookup::<T>(kind, id) {
        return Ok(value);
    }
    let value = Rc::new(compute()?);
    ENTRIES.with(|e| {
        if let Some(entries) = e.borrow_mut().as_mut()
            && entries.len() < CAPACITY
        {
            entries.push(Entry {
                kind,
                id: id.to_string(),
                tables: tables.to_vec(),
                value: value.clone(),
            });
        }
    });
    Ok(value)
}

fn lookup<T: 'static>(kind: &str, id: &str) -> Option<Rc<T>> {
    ENTRIES.with(|e| {
        let entries = e.borrow();
        let entry = entries
            .as_ref()?
            .iter()
            .find(|entry| entry.kind == kind && entry.id == id)?;
        entry.value.clone().downcast::<T>().ok()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::{Store, StoreOptions};
    use rusqlite::Connection;
    use std::cell::Cell;

    const TABLES: &[&str] = &["item"];

    fn store() -> Store {
        let store = Store::memory(StoreOptions::default()).unwrap();
        store
            .write(|tx| {
                tx.execute_batch(
                    "CREATE TABLE item (id TEXT PRIMARY KEY, cart TEXT, qty INTEGER);
                     CREATE TABLE other (id TEXT PRIMARY KEY);
                     INSERT INTO item VALUES ('i1', 'c1', 1);",
                )?;
                Ok(())
            })
            .unwrap();
        store
    }

    /// The cart's total quantity, counting how often it was really read.
    fn quantity(conn: &Connection, reads: &Cell<u32>) -> Result<i64> {
        remembered("qty", "c1", TABLES, || {
            reads.set(reads.get() + 1);
            Ok(
                conn.query_row("SELECT sum(qty) FROM item WHERE cart = 'c1'", [], |r| {
                    r.get(0)
                })?,
            )
        })
    }

    #[test]
    fn a_second_read_in_a_job_is_served_until_the_table_changes() {
        let store = store();
        let (first, second, third, reads) = store
            .write(|tx| {
                let reads = Cell::new(0);
                let first = quantity(tx, &reads)?;
                tx.execute("INSERT INTO other VALUES ('o1')", [])?;
                let second = quantity(tx, &reads)?;
                tx.execute("UPDATE item SET qty = 5 WHERE id = 'i1'", [])?;
                let third = quantity(tx, &reads)?;
                Ok((first, second, third, reads.get()))
            })
            .unwrap();
        assert_eq!((first, second, third), (1, 1, 5));
        assert_eq!(
            reads, 2,
            "the unrelated insert keeps the value; the update drops it"
        );
    }

    #[test]
    fn a_rolled_back_nested_change_is_not_served() {
        let store = store();
        let (inside, after) = store
            .write(|tx| {
                let reads = Cell::new(0);
                let inside = tx
                    .nested(|inner| {
                        inner.execute("UPDATE item SET qty = 7 WHERE id = 'i1'", [])?;
                        let seen = quantity(inner, &reads)?;
                        Err::<(), _>(crate::error::Error::invalid(format!("undo {seen}")))
                    })
                    .unwrap_err()
                    .to_string();
                Ok((inside, quantity(tx, &reads)?))
            })
            .unwrap();
        assert!(inside.contains("undo 7"), "{inside}");
        assert_eq!(
            after, 1,
            "the rollback restored 1; the 7 read inside must not be served"
        );
    }

    #[test]
    fn a_read_a_job_opens_neither_uses_nor_fills_the_memo() {
        // A file store: its readers see the last commit while the job's write is open.
        let (dir, path) = crate::db::test_store_path("jobmemo");
        let store = Store::open(&path, StoreOptions::default()).unwrap();
        store
            .write(|tx| {
                tx.execute_batch(
                    "CREATE TABLE item (id TEXT PRIMARY KEY, cart TEXT, qty INTEGER);
                     INSERT INTO item VALUES ('i1', 'c1', 1);",
                )?;
                Ok(())
            })
            .unwrap();
        let reader = store.clone();
        let (in_job, in_read, after) = store
            .write(move |tx| {
                let reads = Cell::new(0);
                tx.execute("UPDATE item SET qty = 3 WHERE id = 'i1'", [])?;
                let in_job = quantity(tx, &reads)?;
                // The pool's snapshot is the last commit: 1, not the job's 3.
                let in_read = reader.read(|conn| quantity(conn, &Cell::new(0)))?;
                let after = quantity(tx, &reads)?;
                assert_eq!(reads.get(), 1, "the job's second read was served");
                Ok((in_job, in_read, after))
            })
            .unwrap();
        assert_eq!((in_job, in_read, after), (3, 1, 3));
        store.close();
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn values_do_not_outlive_their_job_nor_serve_reads() {
        let store = store();
        let reads = std::sync::Arc::new(std::sync::atomic::AtomicU32::new(0));
        for _ in 0..2 {
            let counted = reads.clone();
            store
                .write(move |tx| {
                    let local = Cell::new(0);
                    quantity(tx, &local)?;
                    counted.fetch_add(local.get(), std::sync::atomic::Ordering::SeqCst);
                    Ok(())
                })
                .unwrap();
        }
        assert_eq!(reads.load(std::sync::atomic::Ordering::SeqCst), 2);
        let served = store
            .read(|conn| {
                let local = Cell::new(0);
                quantity(conn, &local)?;
                quantity(conn, &local)?;
                Ok(local.get())
            })
            .unwrap();
        assert_eq!(served, 2, "a read transaction never remembers");
        assert!(!active());
    }
}

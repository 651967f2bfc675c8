//! [`Tx`]: a write job's transaction as the job sees it — the batch's connection inside the
//! job's savepoint, the job's after-commit hooks, nested savepoints, and whether it emitted
//! events it has not fanned out.

use super::writer::{exec_cached, rollback_to};
use crate::error::{Error, Result};
use rusqlite::Connection;
use std::cell::RefCell;
use std::ops::Deref;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::Ordering;

/// A write transaction as a job sees it: a connection inside the batch transaction and the
/// job's own savepoint. Derefs to [`Connection`], so module services take `&Connection`.
pub struct Tx<'a> {
    conn: &'a Connection,
    after_commit: RefCell<Vec<Hook>>,
    /// The job wrote to the event outbox and has not fanned those events out itself (see
    /// [`Tx::note_emitted`], [`Tx::note_fanned_out`]). Shared with the hooks of
    /// [`Tx::after_commit_unless_fanned_out`], which read it when the batch commits.
    emitted: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

/// Work to run once the job's batch has committed.
pub(crate) type Hook = Box<dyn FnOnce() + Send>;

impl<'a> Tx<'a> {
    /// Wraps a connection that is already inside a transaction. The writer uses this; tests
    /// and tools that own a connection may too.
    pub fn new(conn: &'a Connection) -> Self {
        Tx {
            conn,
            after_commit: RefCell::new(Vec::new()),
            emitted: std::sync::Arc::default(),
        }
    }

    /// Notes that this job wrote an event to the outbox, so whoever ends the job may fan
    /// the events out in it (a workflow's last job does: `events::dispatcher::fan_out_in_job`).
    pub fn note_emitted(&self) {
        self.emitted.store(true, Ordering::Relaxed);
    }

    /// Whether this job wrote an event to the outbox (in a nested part that was kept, too)
    /// that it has not fanned out itself.
    pub fn has_emitted(&self) -> bool {
        self.emitted.load(Ordering::Relaxed)
    }

    /// Notes that the job fanned its events out itself and left the dispatcher nothing to do:
    /// the hooks of [`Tx::after_commit_unless_fanned_out`] registered so far then do not run
    /// (unless the job emits again).
    pub fn note_fanned_out(&self) {
        self.emitted.store(false, Ordering::Relaxed);
    }

    /// [`Tx::after_commit`], for a hook that is needed only while the job's events are not
    /// fanned out (waking the event dispatcher): it is skipped when, at commit, the job has
    /// fanned them out itself.
    pub fn after_commit_unless_fanned_out(&self, hook: impl FnOnce() + Send + 'static) {
        let emitted = self.emitted.clone();
        self.after_commit(move || {
            if emitted.load(Ordering::Relaxed) {
                hook();
            }
        });
    }

    /// Registers `hook` to run after this job's changes have committed. Dropped if the job
    /// or the commit fails.
    pub fn after_commit(&self, hook: impl FnOnce() + Send + 'static) {
        self.after_commit.borrow_mut().push(Box::new(hook));
    }

    pub(super) fn take_hooks(&self) -> Vec<Hook> {
        std::mem::take(&mut *self.after_commit.borrow_mut())
    }

    /// Runs `work` in a savepoint of its own inside this job: an error or a panic rolls back
    /// only `work`'s changes and drops only the after-commit hooks it registered, and the job
    /// goes on. What lets the event dispatcher run an in-process subscriber inside its fan-out
    /// job without a failing handler undoing the fan-out.
    ///
    /// # Errors
    /// `work`'s error (a panic becomes an internal error), or the savepoint's own.
    pub fn nested<T>(&self, work: impl FnOnce(&Tx) -> Result<T>) -> Result<T> {
        exec_cached(self.conn, "SAVEPOINT nested")?;
        let inner = Tx::new(self.conn);
        let outcome = catch_unwind(AssertUnwindSafe(|| work(&inner)))
            .unwrap_or_else(|_| Err(Error::Internal("a nested write panicked".into())));
        if outcome.is_ok() {
            exec_cached(self.conn, "RELEASE nested")?;
            self.after_commit.borrow_mut().extend(inner.take_hooks());
            if inner.has_emitted() {
                self.note_emitted();
            }
        } else {
            rollback_to(self.conn, "nested")?;
        }
        outcome
    }
}

impl Deref for Tx<'_> {
    type Target = Connection;
    fn deref(&self) -> &Connection {
        self.conn
    }
}

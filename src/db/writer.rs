//! The single writer thread and its grouped commits.
//!
//! Loop: block for one job, drain up to `max_batch - 1` more without blocking, `BEGIN
//! IMMEDIATE`, run each job between `SAVEPOINT` and `RELEASE` (or `ROLLBACK TO` on error or
//! panic, so a failing job undoes only its own changes), take the jobs that arrived meanwhile
//! into the same transaction (up to `max_batch`), `COMMIT`, and only then reply to every job
//! of the batch. If `COMMIT` fails, the whole batch is rolled back and every job gets the
//! error. After a successful commit the jobs' after-commit hooks run (e.g. waking the event
//! dispatcher).

use super::module::BatchEnd;
use super::oneshot;
use super::tx::Hook;
pub use super::tx::Tx;
use crate::error::{Error, Result};
use crossbeam_channel::{Receiver, Sender, TryRecvError};
use rusqlite::Connection;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::thread::JoinHandle;

/// One queued unit of work. Type-erased so jobs returning different types share a channel.
trait Job: Send {
    /// Runs inside the job's savepoint. Returns the hooks to run after commit, or `None`
    /// if the job failed (its savepoint must then be rolled back).
    fn run(&mut self, conn: &Connection) -> Option<Vec<Hook>>;
    /// Delivers the result once the batch's fate is known.
    fn finish(self: Box<Self>, commit: std::result::Result<(), String>);
}

struct TypedJob<T, F> {
    work: Option<F>,
    result: Option<Result<T>>,
    reply: oneshot::Sender<Result<T>>,
}

impl<T, F> Job for TypedJob<T, F>
where
    T: Send + 'static,
    F: FnOnce(&Tx) -> Result<T> + Send + 'static,
{
    fn run(&mut self, conn: &Connection) -> Option<Vec<Hook>> {
        let work = self.work.take()?;
        let tx = Tx::new(conn);
        let outcome = catch_unwind(AssertUnwindSafe(|| work(&tx)))
            .unwrap_or_else(|_| Err(Error::Internal("a write job panicked".into())));
        let ok = outcome.is_ok();
        self.result = Some(outcome);
        ok.then(|| tx.take_hooks())
    }

    fn finish(self: Box<Self>, commit: std::result::Result<(), String>) {
        let result = match (commit, self.result) {
            (Ok(()), Some(result)) => result,
            (Ok(()), None) => Err(Error::Internal("write job did not run".into())),
            // The job failed on its own: its error says more than the batch's.
            (Err(_), Some(Err(job_error))) => Err(job_error),
            (Err(e), _) => Err(Error::Internal(format!("commit failed: {e}"))),
        };
        // The caller may have gone away; nothing to do then.
        self.reply.send(result);
    }
}

/// Work on the bare write connection, outside any transaction (backup and restore).
type Direct = Box<dyn FnOnce(&mut Connection) + Send>;

enum Message {
    Job(Box<dyn Job>),
    Direct(Direct),
    Shutdown,
}

/// Counters of the writer's work, for tests and benchmarks.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct WriterStats {
    /// Transactions committed.
    pub commits: u64,
    /// Jobs run (succeeded or failed).
    pub jobs: u64,
    /// Batches by size: `batch_sizes[i]` counts batches of at most
    /// [`BATCH_SIZE_BOUNDS`]`[i]` jobs (and more than the bound before it).
    pub batch_sizes: [u64; BATCH_SIZE_BOUNDS.len()],
}

/// Upper bounds of the batch-size buckets of [`WriterStats::batch_sizes`] (the last takes
/// everything larger, up to the store's `max_batch`).
pub const BATCH_SIZE_BOUNDS: [u64; 7] = [1, 2, 4, 8, 16, 32, 64];

#[derive(Default)]
struct Counters {
    commits: AtomicU64,
    jobs: AtomicU64,
    batch_sizes: [AtomicU64; BATCH_SIZE_BOUNDS.len()],
}

/// The bucket of a batch of `len` jobs: the first bound ≥ `len`, else the last.
fn batch_bucket(len: usize) -> usize {
    BATCH_SIZE_BOUNDS
        .iter()
        .position(|&bound| len as u64 <= bound)
        .unwrap_or(BATCH_SIZE_BOUNDS.len() - 1)
}

/// The store's handle on its writer thread.
pub(crate) struct WriterHandle {
    sender: Sender<Message>,
    thread: Mutex<Option<JoinHandle<()>>>,
    counters: std::sync::Arc<Counters>,
    touched: Touched,
    /// Tables changed by the running batch's earlier jobs (uncommitted yet): filled by
    /// [`crate::db::Store::write`] after each job, emptied when the batch ends.
    pending: Touched,
    /// The modules' batch-end work ([`super::module::Module::at_batch_end`]).
    batch_end: BatchEndList,
}

/// The batch-end work the writer runs, set once the engine knows its modules.
type BatchEndList = std::sync::Arc<Mutex<Vec<BatchEnd>>>;

/// The tables whose rows the running job changed so far (SQLite's update hook on the write
/// connection fills it; [`crate::db::Store::write`] drains it after each job). The hook does
/// not see `WITHOUT ROWID` tables (the product module has some) nor a bare `DELETE FROM t`,
/// so a value filed under a table's generation may read only rowid tables that are changed
/// row by row (`api_key` and its channel link are).
pub(crate) type Touched = std::sync::Arc<Mutex<Vec<String>>>;

/// Records `table` in `touched` once.
fn note_table(touched: &Mutex<Vec<String>>, table: &str) {
    let mut tables = touched.lock().unwrap_or_else(|p| p.into_inner());
    if !tables.iter().any(|t| t == table) {
        tables.push(table.to_string());
    }
}

/// Starts the writer thread that owns `conn`.
/// `checkpoint_at_shutdown`: fold the WAL back with `wal_checkpoint(TRUNCATE)` when stopping
/// (off under Litestream, which owns checkpoints).
pub(crate) fn spawn(
    conn: Connection,
    max_batch: usize,
    checkpoint_at_shutdown: bool,
) -> Result<WriterHandle> {
    let (sender, receiver) = crossbeam_channel::unbounded();
    let counters = std::sync::Arc::new(Counters::default());
    let touched = Touched::default();
    let noted = touched.clone();
    conn.update_hook(Some(move |_, _: &str, table: &str, _| {
        note_table(&noted, table);
        super::job_memo::note_change(table);
    }))?;
    let thread_counters = counters.clone();
    let pending = Touched::default();
    let batch_pending = pending.clone();
    let batch_end = BatchEndList::default();
    let thread_batch_end = batch_end.clone();
    let thread = std::thread::Builder::new()
        .name("stockroom-writer".into())
        .spawn(move || {
            writer_loop(
                conn,
                &receiver,
                max_batch.max(1),
                &thread_counters,
                checkpoint_at_shutdown,
                Batches {
                    pending: &batch_pending,
                    end: &thread_batch_end,
                },
            )
        })
        .map_err(|e| Error::Internal(format!("cannot start writer: {e}")))?;
    Ok(WriterHandle {
        sender,
        thread: Mutex::new(Some(thread)),
        counters,
        touched,
        pending,
        batch_end,
    })
}

impl WriterHandle {
    pub(crate) fn submit<T, F>(&self, work: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&Tx) -> Result<T> + Send + 'static,
    {
        let (reply, answer) = oneshot::channel();
        let job = TypedJob {
            work: Some(work),
            result: None,
            reply,
        };
        self.sender
            .send(Message::Job(Box::new(job)))
            .map_err(|_| Error::Internal("the store is closed".into()))?;
        answer
            .recv()
            .map_err(|_| Error::Internal("the store is closed".into()))?
    }

    /// Sets the work the writer runs at the end of a batch that changed a watched table.
    pub(crate) fn set_batch_end(&self, work: Vec<BatchEnd>) {
        *self.batch_end.lock().unwrap_or_else(|p| p.into_inner()) = work;
    }

    /// Runs `work` on the writer thread with the bare connection, between batches and outside
    /// any transaction.
    pub(crate) fn direct<T, F>(&self, work: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T> + Send + 'static,
    {
        let (reply, answer) = oneshot::channel();
        let direct: Direct = Box::new(move |conn| reply.send(work(conn)));
        self.sender
            .send(Message::Direct(direct))
            .map_err(|_| Error::Internal("the store is closed".into()))?;
        answer
            .recv()
            .map_err(|_| Error::Internal("the store is closed (or the work panicked)".into()))?
    }

    /// The tables the running job has changed (see [`Touched`]).
    pub(crate) fn touched(&self) -> Touched {
        self.touched.clone()
    }

    /// The tables the running batch's finished jobs changed (see [`WriterHandle::dirty`]).
    pub(crate) fn pending(&self) -> Touched {
        self.pending.clone()
    }

    /// Whether the running batch (its finished jobs or the running one) has changed one of
    /// `tables` without committing yet: the writer's own reads then differ from the last
    /// committed state, so a value memoized under that state must not be used or filed there.
    pub(crate) fn dirty(&self, tables: &[&str]) -> bool {
        let any = |list: &Touched| {
            let list = list.lock().unwrap_or_else(|p| p.into_inner());
            list.iter().any(|t| tables.contains(&t.as_str()))
        };
        any(&self.touched) || any(&self.pending)
    }

    /// Jobs waiting for the writer right now.
    pub(crate) fn queued(&self) -> usize {
        self.sender.len()
    }

    pub(crate) fn stats(&self) -> WriterStats {
        WriterStats {
            commits: self.counters.commits.load(Ordering::Relaxed),
            jobs: self.counters.jobs.load(Ordering::Relaxed),
            batch_sizes: std::array::from_fn(|i| {
                self.counters.batch_sizes[i].load(Ordering::Relaxed)
            }),
        }
    }

    /// Finishes queued jobs, then stops the thread. Idempotent.
    pub(crate) fn shutdown(&self) {
        let _ = self.sender.send(Message::Shutdown);
        let handle = self.thread.lock().unwrap_or_else(|p| p.into_inner()).take();
        if let Some(handle) = handle {
            let _ = handle.join();
        }
    }
}

impl Drop for WriterHandle {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// What the writer keeps across a batch: the tables its jobs changed, and the work to run
/// at its end when one of them is watched.
struct Batches<'a> {
    pending: &'a Touched,
    end: &'a BatchEndList,
}

fn writer_loop(
    mut conn: Connection,
    receiver: &Receiver<Message>,
    max_batch: usize,
    counters: &Counters,
    checkpoint_at_shutdown: bool,
    batches: Batches,
) {
    let mut held: Option<Message> = None;
    loop {
        let first = held
            .take()
            .unwrap_or_else(|| receiver.recv().unwrap_or(Message::Shutdown));
        match first {
            Message::Shutdown => {
                // Leave a tidy file behind: fold the WAL back into the database.
                if checkpoint_at_shutdown {
                    let _ = conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)");
                }
                return;
            }
            Message::Direct(work) => {
                let _ = catch_unwind(AssertUnwindSafe(|| work(&mut conn)));
            }
            Message::Job(job) => {
                let mut queue = Queue {
                    receiver,
                    max_batch,
                    held: &mut held,
                };
                let mut batch = vec![job];
                queue.join(&mut batch);
                run_batch(&conn, batch, &mut queue, counters, &batches);
                // Committed (and the generations bumped by the hooks) or rolled back: either
                // way the store's tables are what their generations say again.
                batches
                    .pending
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .clear();
            }
        }
    }
}

/// The writer's view of its channel while it gathers a batch.
struct Queue<'a> {
    receiver: &'a Receiver<Message>,
    max_batch: usize,
    /// A message that is not a job, to handle after the batch (in arrival order).
    held: &'a mut Option<Message>,
}

impl Queue<'_> {
    /// Adds the jobs waiting now to `batch`, up to the batch limit; stops at a message that
    /// is not a job. Returns whether it added any.
    fn join(&mut self, batch: &mut Vec<Box<dyn Job>>) -> bool {
        let before = batch.len();
        while batch.len() < self.max_batch && self.held.is_none() {
            match self.receiver.try_recv() {
                Ok(Message::Job(job)) => batch.push(job),
                Ok(other) => *self.held = Some(other),
                Err(TryRecvError::Empty) | Err(TryRecvError::Disconnected) => break,
            }
        }
        batch.len() > before
    }
}

/// Runs a batch in one transaction and counts its jobs and commit in `counters` — before
/// any caller hears back, so a caller that reads the stats after its write returns sees them.
/// Jobs that arrive while the batch runs join it before the commit (up to the batch limit):
/// under load they would otherwise wait for this commit and then pay for one of their own,
/// an fsync and a WAL write of the pages every job touches.
fn run_batch(
    conn: &Connection,
    mut batch: Vec<Box<dyn Job>>,
    queue: &mut Queue,
    counters: &Counters,
    batches: &Batches,
) {
    if let Err(e) = exec_cached(conn, "BEGIN IMMEDIATE") {
        count_batch(counters, batch.len());
        finish_all(batch, Err(e.to_string()));
        return;
    }
    let mut hooks = Vec::new();
    let mut next = 0;
    loop {
        for job in &mut batch[next..] {
            if let Some(job_hooks) = run_in_savepoint(conn, job.as_mut()) {
                hooks.extend(job_hooks);
            }
        }
        next = batch.len();
        if !queue.join(&mut batch) {
            break;
        }
    }
    count_batch(counters, batch.len());
    run_batch_end(conn, batches);
    match exec_cached(conn, "COMMIT") {
        Ok(()) => {
            counters.commits.fetch_add(1, Ordering::Relaxed);
            // Hooks first: when a caller's write returns, its hooks have run.
            for hook in hooks {
                let _ = catch_unwind(AssertUnwindSafe(hook));
            }
            finish_all(batch, Ok(()));
        }
        Err(e) => {
            let _ = conn.execute_batch("ROLLBACK");
            finish_all(batch, Err(e.to_string()));
        }
    }
}

/// Runs the batch-end work whose watched table a job of this batch changed, each in a
/// savepoint: a failure undoes that work only (logged), and the batch still commits.
fn run_batch_end(conn: &Connection, batches: &Batches) {
    let due: Vec<BatchEnd> = {
        let changed = batches.pending.lock().unwrap_or_else(|p| p.into_inner());
        if changed.is_empty() {
            return;
        }
        let all = batches.end.lock().unwrap_or_else(|p| p.into_inner());
        all.iter()
            .filter(|end| changed.iter().any(|t| t == end.watch))
            .copied()
            .collect()
    };
    for end in due {
        let run = || -> rusqlite::Result<()> {
            exec_cached(conn, "SAVEPOINT batch_end")?;
            for sql in end.statements {
                if let Err(e) = exec_cached(conn, sql) {
                    rollback_to(conn, "batch_end")?;
                    return Err(e);
                }
            }
            exec_cached(conn, "RELEASE batch_end")
        };
        if let Err(e) = run() {
            eprintln!("stockroom: batch-end work for {} failed: {e}", end.watch);
        }
    }
}

fn count_batch(counters: &Counters, jobs: usize) {
    counters.jobs.fetch_add(jobs as u64, Ordering::Relaxed);
    counters.batch_sizes[batch_bucket(jobs)].fetch_add(1, Ordering::Relaxed);
}

fn run_in_savepoint(conn: &Connection, job: &mut dyn Job) -> Option<Vec<Hook>> {
    if exec_cached(conn, "SAVEPOINT job").is_err() {
        return None;
    }
    super::job_memo::begin();
    let hooks = job.run(conn);
    super::job_memo::end();
    // If even this fails the COMMIT will fail too, and every job hears of it.
    let _ = if hooks.is_some() {
        exec_cached(conn, "RELEASE job")
    } else {
        rollback_to(conn, "job")
    };
    hooks
}

/// Rolls back to the savepoint `name` and releases it. Use this rather than a bare `ROLLBACK
/// TO` inside a job: the rows it restores are not reported to the update hook, so the job's
/// remembered reads ([`super::job_memo`]) are forgotten here.
///
/// # Errors
/// SQLite's.
pub(crate) fn rollback_to(conn: &Connection, name: &str) -> rusqlite::Result<()> {
    super::job_memo::forget_all();
    conn.execute_batch(&format!("ROLLBACK TO {name}; RELEASE {name}"))
}

/// Runs one statement without rows through the connection's statement cache: the writer
/// begins, commits and savepoints several times per checkout step, and parsing the same
/// statement text each time (`execute_batch` prepares anew) was a measurable share of its
/// work.
///
/// # Errors
/// SQLite's.
pub(crate) fn exec_cached(conn: &Connection, sql: &'static str) -> rusqlite::Result<()> {
    conn.prepare_cached_static(sql)?.execute([])?;
    Ok(())
}

fn finish_all(batch: Vec<Box<dyn Job>>, commit: std::result::Result<(), String>) {
    for job in batch {
        job.finish(commit.clone());
    }
}

#[cfg(test)]
#[path = "writer_tests.rs"]
mod tests;

//! Storage: one SQLite file (or one in-memory database), one writer thread, a pool of readers.
//!
//! * [`Store::write`] sends a job to the single writer thread ([`writer`]), which groups
//!   concurrent jobs into one `BEGIN IMMEDIATE` transaction with a `SAVEPOINT` per job; the
//!   caller gets its result only after `COMMIT`.
//! * [`Store::read`] runs on a pooled read connection inside a read transaction (one consistent
//!   snapshot); WAL readers never block on the writer.
//! * [`module`] holds the module type and the migration runner.
//!
//! Why one writer: SQLite has one writer anyway; more writer threads add no throughput and
//! multi-second tails, while grouping commits doubles durable throughput
//! (`shared/engineering-notes.md`).

pub mod cached;
pub mod job_memo;
pub mod memo;
pub mod module;
mod oneshot;
pub mod sql_text;
pub mod status;
mod tx;
mod wal_coalesce;
pub mod writer;

use crate::error::{Error, Result};
use r2d2::Pool;
use r2d2_sqlite::SqliteConnectionManager;
use rusqlite::{Connection, OpenFlags};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub use writer::Tx;

/// SQLite's `synchronous` setting for the store file. `Full` (the default) fsyncs every
/// commit: orders are money.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Synchronous {
    /// fsync on every commit (durable against power loss).
    Full,
    /// fsync at checkpoints only (durable against process crashes, not power loss).
    Normal,
    /// No fsync (tests and throwaway stores only).
    Off,
}

impl Synchronous {
    /// Parses `full`, `normal` or `off` (case-insensitive).
    pub fn parse(text: &str) -> Option<Self> {
        match text.to_ascii_lowercase().as_str() {
            "full" => Some(Synchronous::Full),
            "normal" => Some(Synchronous::Normal),
            "off" => Some(Synchronous::Off),
            _ => None,
        }
    }

    fn pragma(self) -> &'static str {
        match self {
            Synchronous::Full => "FULL",
            Synchronous::Normal => "NORMAL",
            Synchronous::Off => "OFF",
        }
    }
}

/// Tunables of a store.
#[derive(Debug, Clone)]
pub struct StoreOptions {
    /// Durability of commits on a file store.
    pub synchronous: Synchronous,
    /// Number of pooled read connections.
    pub read_connections: u32,
    /// Most write jobs grouped into one transaction.
    pub max_batch: usize,
    /// How long a connection waits on a lock before failing with BUSY.
    pub busy_timeout: Duration,
    /// Litestream replicates the file and owns its checkpoints: the writer's automatic
    /// checkpoints are off and it does not `wal_checkpoint(TRUNCATE)` at shutdown (a reset
    /// WAL under a replicator forces it to start a new snapshot generation).
    pub litestream: bool,
}

impl Default for StoreOptions {
    fn default() -> Self {
        StoreOptions {
            synchronous: Synchronous::Full,
            read_connections: 4,
            max_batch: 64,
            busy_timeout: Duration::from_secs(5),
            litestream: false,
        }
    }
}

/// A point-in-time copy of a store (fixture reset and named snapshots).
pub struct StoreImage {
    conn: Mutex<Connection>,
}

impl StoreImage {
    /// Writes the image to a database file at `path` (replaced if present).
    ///
    /// # Errors
    /// The file cannot be created or written.
    pub fn write_to(&self, path: &Path) -> Result<()> {
        let source = self.conn.lock().unwrap_or_else(|p| p.into_inner());
        let mut file = Connection::open(path)?;
        copy_database(&source, &mut file, Duration::ZERO)
    }

    /// Reads a database file written by [`StoreImage::write_to`] into memory.
    ///
    /// # Errors
    /// The file is missing or not a database.
    pub fn read_from(path: &Path) -> Result<StoreImage> {
        let flags =
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let file = Connection::open_with_flags(path, flags)?;
        StoreImage::copy_of(&file)
    }

    /// An in-memory copy of the database behind `conn`.
    fn copy_of(conn: &Connection) -> Result<StoreImage> {
        let mut image = Connection::open_in_memory()?;
        copy_database(conn, &mut image, Duration::ZERO)?;
        Ok(StoreImage {
            conn: Mutex::new(image),
        })
    }
}

/// Copies a whole database with SQLite's backup API, pausing `pause` between steps (all pages
/// are copied in one step, so the pause only matters if the source is busy).
fn copy_database(from: &Connection, to: &mut Connection, pause: Duration) -> Result<()> {
    rusqlite::backup::Backup::new(from, to)?.run_to_completion(i32::MAX, pause, None)?;
    Ok(())
}

/// Where the database lives.
#[derive(Debug, Clone)]
enum Location {
    File(PathBuf),
    /// A memdb-VFS URI shared by every connection of this store.
    Memory(String),
}

/// A handle to the store; cheap to clone, shared by every thread.
#[derive(Clone)]
pub struct Store {
    inner: Arc<Inner>,
}

struct Inner {
    location: Location,
    writer: writer::WriterHandle,
    pool: Pool<SqliteConnectionManager>,
    /// Values memoized until the next committed write.
    memo: memo::Memo,
    /// Keeps an in-memory database alive while the store exists.
    _holder: Option<Mutex<Connection>>,
    /// A warm-up of the readers and memos is running (`/health/ready` waits for it).
    warming: std::sync::atomic::AtomicBool,
}

impl Store {
    /// Opens (or creates) the store file at `path`, in WAL mode.
    ///
    /// # Errors
    /// The file cannot be opened or is not a SQLite database.
    pub fn open(path: impl AsRef<Path>, options: StoreOptions) -> Result<Store> {
        let location = Location::File(path.as_ref().to_path_buf());
        let write_conn = open_writer(path.as_ref(), &options)?;
        write_conn.pragma_update(None, "journal_mode", "WAL")?;
        // Every job runs in a SAVEPOINT, so SQLite keeps a statement journal of the pages it
        // changes; past 64 KiB that journal spilled into a temporary file (open, writes,
        // unlink: ~4 % of a checkout's server CPU). In memory it never touches the disk. It is
        // scratch space only: durability is the WAL's, unchanged.
        write_conn.pragma_update(None, "temp_store", "MEMORY")?;
        if options.litestream {
            write_conn.pragma_update(None, "wal_autocheckpoint", 0)?;
        }
        Store::assemble(location, write_conn, None, options)
    }

    /// A fresh, empty in-memory store. Every pooled connection sees the same database
    /// (SQLite's memdb VFS with one holder connection kept open).
    pub fn memory(options: StoreOptions) -> Result<Store> {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let name = format!(
            "file:/stockroom-{}-{}?vfs=memdb",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        let location = Location::Memory(name);
        let holder = open_connection(&location, &options)?;
        let write_conn = open_connection(&location, &options)?;
        Store::assemble(location, write_conn, Some(Mutex::new(holder)), options)
    }

    fn assemble(
        location: Location,
        write_conn: Connection,
        holder: Option<Mutex<Connection>>,
        options: StoreOptions,
    ) -> Result<Store> {
        let pool = build_read_pool(&location, &options)?;
        let writer = writer::spawn(write_conn, options.max_batch, !options.litestream)?;
        Ok(Store {
            inner: Arc::new(Inner {
                location,
                writer,
                pool,
                memo: memo::Memo::default(),
                _holder: holder,
                warming: std::sync::atomic::AtomicBool::new(false),
            }),
        })
    }

    /// Runs `job` on the writer thread inside a transaction shared with other concurrent jobs.
    /// The job has its own savepoint: if it fails, only its own changes are rolled back.
    /// Returns only after the transaction committed (or failed).
    ///
    /// # Errors
    /// The job's own error; a commit failure; or the writer has stopped.
    pub fn write<T, F>(&self, job: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&Tx) -> Result<T> + Send + 'static,
    {
        let generation = self.inner.memo.counter();
        let (touched, tables) = (self.inner.writer.touched(), self.inner.memo.tables());
        let pending = self.inner.writer.pending();
        let store = self.clone();
        self.inner.writer.submit(move |tx: &Tx| {
            let take = || std::mem::take(&mut *touched.lock().unwrap_or_else(|p| p.into_inner()));
            take();
            let result = cached::in_write(&store, || job(tx));
            let changed = take();
            cached::note_pending(&pending, &changed);
            tx.after_commit(move || {
                tables.bump(&changed);
                generation.fetch_add(1, Ordering::SeqCst);
            });
            result
        })
    }

    /// How many write jobs have committed; changes whenever the data may have changed.
    pub fn generation(&self) -> u64 {
        self.inner.memo.generation()
    }

    /// Sets the modules' batch-end work ([`module::Module::at_batch_end`]); the engine calls
    /// it once it has migrated the store.
    pub fn set_batch_end(&self, work: Vec<module::BatchEnd>) {
        self.inner.writer.set_batch_end(work);
    }

    /// Values derived from the data, memoized until the next committed write.
    pub fn memo(&self) -> &memo::Memo {
        &self.inner.memo
    }

    /// A count (e.g. a listing's total) memoized until the next committed write: `compute`
    /// runs only when `key` has no count for `generation`, which the caller reads with
    /// [`Store::generation`] before its read transaction starts. Listing totals over a large
    /// catalog cost a scan; between writes they cannot change.
    ///
    /// # Errors
    /// `compute`'s error.
    pub fn memo_count(
        &self,
        generation: u64,
        key: &str,
        compute: impl FnOnce() -> Result<u64>,
    ) -> Result<u64> {
        Ok(*self.inner.memo.get_or(key, generation, compute)?)
    }

    /// Runs `f` on a pooled read connection inside one read transaction (a consistent
    /// snapshot of the last commit).
    ///
    /// # Errors
    /// `f`'s error, or no connection could be had.
    pub fn read<T>(&self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        let conn = self
            .inner
            .pool
            .get()
            .map_err(|e| Error::Internal(format!("read pool: {e}")))?;
        let generation = self.generation();
        writer::exec_cached(&conn, "BEGIN")?;
        let result = cached::in_read(self, generation, || f(&conn));
        // A read transaction has nothing to commit; ending it releases the snapshot.
        let end = writer::exec_cached(&conn, "COMMIT");
        let value = result?;
        end?;
        Ok(value)
    }

    /// Marks a warm-up of this store's readers and memos as running or done; readiness
    /// (`/health/ready`) answers 503 while one runs, so a balancer sends traffic after it.
    pub fn set_warming(&self, warming: bool) {
        self.inner.warming.store(warming, Ordering::SeqCst);
    }

    /// Whether a warm-up is running.
    pub fn warming(&self) -> bool {
        self.inner.warming.load(Ordering::SeqCst)
    }

    /// Runs `warm` once on every pooled read connection, each inside a read transaction,
    /// opening the connections the pool has not opened yet; returns how many were warmed.
    ///
    /// Why: a reader's first statements parse the schema and fill its statement cache, and
    /// the pool opens readers only when concurrent requests need them, so after a start each
    /// reader's first user paid that (BENCHMARKS.md, "First requests after a start"). All
    /// readers are taken first (otherwise the pool hands the same idle one back), then each
    /// is released as soon as it is warm, so a request waits at most one reader's warm-up.
    ///
    /// # Errors
    /// No connection could be had, or `warm` failed (the remaining readers are still warmed).
    pub fn warm_readers(&self, warm: impl Fn(&Connection) -> Result<()>) -> Result<usize> {
        let pool = &self.inner.pool;
        let held = (0..pool.max_size())
            .map(|_| pool.get())
            .collect::<std::result::Result<Vec<_>, _>>()
            .map_err(|e| Error::Internal(format!("read pool: {e}")))?;
        let count = held.len();
        let mut outcome = Ok(count);
        for conn in held {
            writer::exec_cached(&conn, "BEGIN")?;
            let warmed = warm(&conn);
            writer::exec_cached(&conn, "COMMIT")?;
            if let Err(e) = warmed {
                outcome = Err(e);
            }
        }
        outcome
    }

    /// Copies the whole database into a private in-memory image (SQLite's backup API, on the
    /// writer between batches, so the image is one consistent commit).
    ///
    /// # Errors
    /// Backup failures.
    pub fn snapshot(&self) -> Result<StoreImage> {
        self.inner.writer.direct(|conn| StoreImage::copy_of(conn))
    }

    /// Replaces the whole database with `image` (every reader sees it at its next read).
    ///
    /// # Errors
    /// Backup failures.
    pub fn restore(&self, image: Arc<StoreImage>) -> Result<()> {
        self.inner.writer.direct(move |conn| {
            let source = image.conn.lock().unwrap_or_else(|p| p.into_inner());
            copy_database(&source, conn, Duration::from_millis(1))
        })?;
        // Everything memoized from the replaced data is stale now, as after a write.
        self.inner.memo.counter().fetch_add(1, Ordering::SeqCst);
        self.inner.memo.tables().bump_all();
        Ok(())
    }

    /// Commits and jobs the writer has run so far (for tests and benchmarks).
    pub fn writer_stats(&self) -> writer::WriterStats {
        self.inner.writer.stats()
    }

    /// Write jobs queued behind the one running now.
    pub fn queued_writes(&self) -> usize {
        self.inner.writer.queued()
    }

    /// The store file, for a file store (backups open a connection of their own to it).
    pub fn file_path(&self) -> Option<&Path> {
        match &self.inner.location {
            Location::File(path) => Some(path),
            Location::Memory(_) => None,
        }
    }

    /// Whether this store lives in memory (fixtures and tests).
    pub fn is_memory(&self) -> bool {
        matches!(self.inner.location, Location::Memory(_))
    }

    /// Stops the writer after the jobs already queued, and checkpoints the WAL of a file store.
    /// Later writes fail with an error; reads keep working until the last handle is dropped.
    pub fn close(&self) {
        self.inner.writer.shutdown();
    }
}

/// Opens one connection with the per-connection settings every connection needs.
fn open_connection(location: &Location, options: &StoreOptions) -> Result<Connection> {
    let conn = match location {
        Location::File(path) => Connection::open(path)?,
        Location::Memory(uri) => Connection::open_with_flags(uri, memory_flags())?,
    };
    configure(&conn, options)?;
    Ok(conn)
}

/// The writer's connection to a store file. With `synchronous=FULL` it opens through
/// [`wal_coalesce`], which writes a commit's WAL frames with one system call.
fn open_writer(path: &Path, options: &StoreOptions) -> Result<Connection> {
    let vfs = match options.synchronous {
        Synchronous::Full => wal_coalesce::registered(),
        Synchronous::Normal | Synchronous::Off => None,
    };
    let conn = match vfs {
        Some(vfs) => Connection::open_with_flags_and_vfs(path, OpenFlags::default(), vfs)?,
        None => Connection::open(path)?,
    };
    configure(&conn, options)?;
    Ok(conn)
}

/// A fresh, empty directory for a test's store file, and the file's path in it.
#[cfg(test)]
pub(crate) fn test_store_path(tag: &str) -> (PathBuf, PathBuf) {
    let dir = std::env::temp_dir().join(format!("stockroom-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a temporary directory");
    let path = dir.join("s.db");
    (dir, path)
}

fn memory_flags() -> OpenFlags {
    OpenFlags::SQLITE_OPEN_READ_WRITE
        | OpenFlags::SQLITE_OPEN_CREATE
        | OpenFlags::SQLITE_OPEN_URI
        | OpenFlags::SQLITE_OPEN_NO_MUTEX
}

/// PRAGMAs are per connection (only journal_mode persists), so every connection gets them.
fn configure(conn: &Connection, options: &StoreOptions) -> rusqlite::Result<()> {
    conn.busy_timeout(options.busy_timeout)?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.pragma_update(None, "synchronous", options.synchronous.pragma())?;
    conn.set_prepared_statement_cache_capacity(256);
    Ok(())
}

fn build_read_pool(
    location: &Location,
    options: &StoreOptions,
) -> Result<Pool<SqliteConnectionManager>> {
    let manager = match location {
        Location::File(path) => SqliteConnectionManager::file(path),
        Location::Memory(uri) => SqliteConnectionManager::file(uri).with_flags(memory_flags()),
    };
    let opts = options.clone();
    let manager = manager.with_init(move |c| configure(c, &opts));
    Pool::builder()
        .max_size(options.read_connections.max(1))
        .min_idle(Some(1))
        .test_on_check_out(false)
        .build(manager)
        .map_err(|e| Error::Internal(format!("read pool: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Barrier;
    use std::thread;

    pub(super) fn memory_store() -> Store {
        let store = Store::memory(StoreOptions::default()).unwrap();
        store
            .write(|tx| {
                tx.execute_batch("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT UNIQUE)")?;
                Ok(())
            })
            .unwrap();
        store
    }

    fn count(store: &Store) -> i64 {
        store
            .read(|c| Ok(c.query_row("SELECT count(*) FROM t", [], |r| r.get(0))?))
            .unwrap()
    }

    #[test]
    fn readers_see_a_write_once_it_returns() {
        let store = memory_store();
        store
            .write(|tx| Ok(tx.execute("INSERT INTO t (v) VALUES ('a')", [])?))
            .unwrap();
        assert_eq!(count(&store), 1);
    }

    #[test]
    fn failing_job_rolls_back_alone_among_many() {
        let store = memory_store();
        let barrier = Arc::new(Barrier::new(40));
        let handles: Vec<_> = (0..40)
            .map(|i| {
                let (store, barrier) = (store.clone(), barrier.clone());
                thread::spawn(move || {
                    barrier.wait();
                    store.write(move |tx| {
                        tx.execute("INSERT INTO t (v) VALUES (?1)", [format!("v{i}")])?;
                        if i % 4 == 0 {
                            return Err(Error::invalid("job fails on purpose"));
                        }
                        Ok(())
                    })
                })
            })
            .collect();
        let results: Vec<_> = handles.into_iter().map(|h| h.join().unwrap()).collect();
        assert_eq!(results.iter().filter(|r| r.is_err()).count(), 10);
        assert_eq!(count(&store), 30);
    }

    #[test]
    fn panicking_job_is_an_error_and_the_writer_survives() {
        let store = memory_store();
        let err = store
            .write(|tx| -> Result<()> {
                tx.execute("INSERT INTO t (v) VALUES ('p')", [])?;
                panic!("boom")
            })
            .unwrap_err();
        assert_eq!(err.status(), 500);
        store
            .write(|tx| Ok(tx.execute("INSERT INTO t (v) VALUES ('after')", [])?))
            .unwrap();
        assert_eq!(count(&store), 1);
    }

    #[test]
    fn constraint_error_in_a_job_is_classified() {
        let store = memory_store();
        store
            .write(|tx| Ok(tx.execute("INSERT INTO t (v) VALUES ('x')", [])?))
            .unwrap();
        let err = store
            .write(|tx| Ok(tx.execute("INSERT INTO t (v) VALUES ('x')", [])?))
            .unwrap_err();
        assert_eq!(err.status(), 422);
    }

    #[test]
    fn concurrent_jobs_share_one_commit() {
        let store = memory_store();
        let (release, gate) = crossbeam_channel::bounded::<()>(0);
        let (started, running) = crossbeam_channel::bounded::<()>(1);
        let before = store.writer_stats();
        let blocker = {
            let store = store.clone();
            thread::spawn(move || {
                store.write(move |_| {
                    let _ = started.send(());
                    Ok(gate.recv().is_ok())
                })
            })
        };
        // The blocker runs inside its batch; queue ten jobs while it runs: they join its
        // batch before the commit.
        running.recv().unwrap();
        let writers: Vec<_> = (0..10)
            .map(|i| {
                let store = store.clone();
                thread::spawn(move || {
                    store.write(move |tx| Ok(tx.execute("INSERT INTO t (v) VALUES (?1)", [i])?))
                })
            })
            .collect();
        while store.queued_writes() < 10 {
            thread::yield_now();
        }
        release.send(()).unwrap();
        assert!(blocker.join().unwrap().unwrap());
        for w in writers {
            w.join().unwrap().unwrap();
        }
        let after = store.writer_stats();
        assert_eq!(after.jobs - before.jobs, 11);
        assert_eq!(
            after.commits - before.commits,
            1,
            "the blocker's batch, joined by the ten queued while it ran"
        );
        assert_eq!(count(&store), 10);
    }

    #[test]
    fn failed_commit_fails_every_job_of_the_batch() {
        let store = memory_store();
        store
            .write(|tx| {
                Ok(tx.execute_batch(
                    "CREATE TABLE parent (id TEXT PRIMARY KEY);
                     CREATE TABLE child (p TEXT REFERENCES parent(id) DEFERRABLE INITIALLY DEFERRED);",
                )?)
            })
            .unwrap();
        // A deferred FK violation is only detected at COMMIT, after both savepoints released.
        let err = store
            .write(|tx| {
                tx.execute("INSERT INTO t (v) VALUES ('lost')", [])?;
                Ok(tx.execute("INSERT INTO child VALUES ('missing')", [])?)
            })
            .unwrap_err();
        assert_eq!(err.status(), 500);
        assert_eq!(count(&store), 0, "nothing of the failed commit is visible");
        store
            .write(|tx| Ok(tx.execute("INSERT INTO t (v) VALUES ('ok')", [])?))
            .unwrap();
        assert_eq!(count(&store), 1);
    }

    #[test]
    fn after_commit_hooks_run_only_for_committed_jobs() {
        let store = memory_store();
        let (tx_hook, rx_hook) = crossbeam_channel::unbounded();
        let ok_hook = tx_hook.clone();
        store
            .write(move |tx| {
                tx.after_commit(move || ok_hook.send("committed").unwrap());
                Ok(())
            })
            .unwrap();
        let _ = store.write(move |tx| -> Result<()> {
            tx.after_commit(move || tx_hook.send("rolled back").unwrap());
            Err(Error::invalid("no"))
        });
        assert_eq!(rx_hook.try_iter().collect::<Vec<_>>(), vec!["committed"]);
    }

    #[test]
    fn restore_brings_back_the_snapshot_for_every_reader() {
        let store = memory_store();
        store
            .write(|tx| Ok(tx.execute("INSERT INTO t (v) VALUES ('kept')", [])?))
            .unwrap();
        let image = Arc::new(store.snapshot().unwrap());
        store
            .write(|tx| {
                Ok(tx
                    .execute_batch("INSERT INTO t (v) VALUES ('later'); CREATE TABLE extra (x);")?)
            })
            .unwrap();
        assert_eq!(count(&store), 2);
        store.restore(image.clone()).unwrap();
        assert_eq!(count(&store), 1);
        let extra: i64 = store
            .read(|c| {
                Ok(c.query_row(
                    "SELECT count(*) FROM sqlite_schema WHERE name = 'extra'",
                    [],
                    |r| r.get(0),
                )?)
            })
            .unwrap();
        assert_eq!(extra, 0);
        store
            .write(|tx| Ok(tx.execute("INSERT INTO t (v) VALUES ('after')", [])?))
            .unwrap();
        store.restore(image).unwrap();
        assert_eq!(count(&store), 1, "an image can be restored again and again");
    }

    #[test]
    fn memo_count_lasts_until_the_next_commit() {
        let store = memory_store();
        let calls = std::cell::Cell::new(0);
        let counted = |store: &Store| {
            store
                .memo_count(store.generation(), "t", || {
                    calls.set(calls.get() + 1);
                    Ok(count(store) as u64)
                })
                .unwrap()
        };
        assert_eq!((counted(&store), counted(&store), calls.get()), (0, 0, 1));
        store
            .write(|tx| Ok(tx.execute("INSERT INTO t (v) VALUES ('a')", [])?))
            .unwrap();
        assert_eq!((counted(&store), calls.get()), (1, 2));
        let _ = store.write(|_| -> Result<()> { Err(Error::invalid("no")) });
        assert_eq!(
            (counted(&store), calls.get()),
            (1, 2),
            "a failed job changes nothing"
        );
    }

    #[test]
    fn writes_after_close_fail_cleanly() {
        let store = memory_store();
        store.close();
        assert!(store.write(|_| Ok(())).is_err());
    }

    #[test]
    fn file_store_is_wal_and_durable_across_reopen() {
        let (dir, path) = test_store_path("db-test");
        {
            let store = Store::open(&path, StoreOptions::default()).unwrap();
            store
                .write(|tx| Ok(tx.execute_batch("CREATE TABLE t (v TEXT)")?))
                .unwrap();
            store
                .write(|tx| Ok(tx.execute("INSERT INTO t VALUES ('kept')", [])?))
                .unwrap();
            let mode: String = store
                .read(|c| Ok(c.query_row("PRAGMA journal_mode", [], |r| r.get(0))?))
                .unwrap();
            assert_eq!(mode, "wal");
            store.close();
        }
        let store = Store::open(&path, StoreOptions::default()).unwrap();
        let v: String = store
            .read(|c| Ok(c.query_row("SELECT v FROM t", [], |r| r.get(0))?))
            .unwrap();
        assert_eq!(v, "kept");
        store.close();
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn under_litestream_the_writer_leaves_checkpoints_to_it() {
        for litestream in [false, true] {
            let (dir, path) = test_store_path(&format!("db-litestream-{litestream}"));
            let options = StoreOptions {
                litestream,
                ..StoreOptions::default()
            };
            let store = Store::open(&path, options).unwrap();
            // A replicator keeps its own connection open, so closing ours is not the last close.
            let replicator = Connection::open(&path).unwrap();
            store
                .write(|tx| {
                    Ok(tx.execute_batch("CREATE TABLE t (v TEXT); INSERT INTO t VALUES ('x')")?)
                })
                .unwrap();
            let auto: i64 = store
                .write(|tx| Ok(tx.query_row("PRAGMA wal_autocheckpoint", [], |r| r.get(0))?))
                .unwrap();
            assert_eq!(auto, if litestream { 0 } else { 1000 });
            store.close();
            let wal = std::fs::metadata(dir.join("s.db-wal")).map_or(0, |m| m.len());
            assert_eq!(
                wal > 0,
                litestream,
                "WAL left for the replicator: {wal} bytes"
            );
            drop(replicator);
            let _ = std::fs::remove_dir_all(&dir);
        }
    }
}

//! Online backups of a live store.
//!
//! The copy runs on a connection of its own (never the writer's) inside **one read
//! transaction**: every step of SQLite's backup API reads that one snapshot, so the copy is
//! exactly one commit's state, and — the source transaction never ending between steps — a
//! commit by the server does not restart it (SQLite restarts a stepped backup only when the
//! source changes between two of its read transactions). In WAL mode a reader never blocks
//! the writer, so the server keeps committing throughout; the cost is that the WAL cannot be
//! reset past the snapshot until the copy ends (it grows by what is written meanwhile).
//! Steps bound the work between two looks at progress and let a pause yield the disk.
//!
//! `VACUUM INTO` (the other method, [`Method::VacuumInto`]) also reads one snapshot without
//! blocking the writer, and writes a compacted file, but rebuilds every table and index
//! (more CPU) in one statement: no progress and no pacing. BENCHMARKS.md has both measured.
//!
//! The copy is written to `<to>.partial`, switched to a single-file journal mode, checked
//! with [`super::verify`], synced, and only then hard-linked to `<to>`: a file under a backup's
//! name is always a whole, verified one.

use super::verify::{VerifyReport, verify};
use super::{sync_dir_of, sync_file, with_suffix};
use crate::db::StoreImage;
use crate::db::module::Module;
use crate::error::{Error, Result};
use rusqlite::backup::{Backup, StepResult};
use rusqlite::{Connection, OpenFlags};
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// How the copy is made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// SQLite's online backup API, page by page in steps (the default).
    Steps,
    /// `VACUUM INTO`: a compacted copy in one statement.
    VacuumInto,
}

impl Method {
    /// `steps` or `vacuum`.
    pub fn parse(text: &str) -> Option<Method> {
        match text {
            "steps" => Some(Method::Steps),
            "vacuum" => Some(Method::VacuumInto),
            _ => None,
        }
    }
}

/// Tunables of a backup.
#[derive(Debug, Clone)]
pub struct BackupOptions {
    /// How the copy is made.
    pub method: Method,
    /// Pages copied per step (4 KiB each with SQLite's default page size).
    pub pages_per_step: i32,
    /// Sleep between steps (zero: copy as fast as the disk allows).
    pub pause: Duration,
}

impl Default for BackupOptions {
    fn default() -> Self {
        BackupOptions {
            method: Method::Steps,
            pages_per_step: 1024,
            pause: Duration::ZERO,
        }
    }
}

/// Pages copied so far of the snapshot's total (reported after every step).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    /// Pages copied.
    pub copied: u64,
    /// Pages in the snapshot.
    pub total: u64,
}

/// What a finished backup is.
#[derive(Debug, Clone, Serialize)]
pub struct BackupReport {
    /// The backup file.
    pub file: PathBuf,
    /// Its size in bytes.
    pub bytes: u64,
    /// Steps the copy took (1 for `VACUUM INTO`).
    pub steps: u64,
    /// Time spent copying.
    pub copy_ms: u64,
    /// Time spent verifying the copy.
    pub verify_ms: u64,
    /// The copy's verification (always sound: an unsound copy is an error).
    pub verify: VerifyReport,
}

/// Copies the store file at `source` (possibly being served) to a new file `to`, verified
/// against `modules`.
///
/// # Errors
/// `to` exists; `source` is missing or not a database; the copy fails verification.
pub fn backup_file(
    source: &Path,
    to: &Path,
    modules: &[Module],
    options: &BackupOptions,
    progress: &mut dyn FnMut(Progress),
) -> Result<BackupReport> {
    let partial = begin(to)?;
    let started = Instant::now();
    let copied = open_source(source).and_then(|src| match options.method {
        Method::Steps => copy_in_steps(&src, &partial, options, progress),
        Method::VacuumInto => vacuum_into(&src, &partial),
    });
    let finished = copied.and_then(|steps| finish(&partial, to, modules, steps, started));
    if finished.is_err() {
        let _ = std::fs::remove_file(&partial);
    }
    finished
}

/// Writes an in-memory store's image (taken on its writer, so one commit's state) to a new
/// file `to`, verified like [`backup_file`]'s copies.
///
/// # Errors
/// As [`backup_file`].
pub fn backup_image(image: &StoreImage, to: &Path, modules: &[Module]) -> Result<BackupReport> {
    let partial = begin(to)?;
    let started = Instant::now();
    let finished = image
        .write_to(&partial)
        .and_then(|()| finish(&partial, to, modules, 1, started));
    if finished.is_err() {
        let _ = std::fs::remove_file(&partial);
    }
    finished
}

/// Refuses an existing destination and claims `<to>.partial` with `create_new`, so two
/// backups racing on one name cannot write into one file: the second is refused. Returns the
/// name the copy is written under first.
fn begin(to: &Path) -> Result<PathBuf> {
    if to.exists() {
        return Err(Error::invalid(format!(
            "{} already exists: a backup never overwrites a file",
            to.display()
        )));
    }
    let partial = with_suffix(to, ".partial");
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&partial)
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::AlreadyExists => Error::Conflict(format!(
                "{} exists: another backup to this name is running (or one was interrupted: \
                 remove the file)",
                partial.display()
            )),
            _ => Error::Internal(format!("cannot create {}: {e}", partial.display())),
        })?;
    Ok(partial)
}

/// The source store, opened read-write (a WAL reader needs the shared-memory index) but
/// never created.
fn open_source(source: &Path) -> Result<Connection> {
    if !source.is_file() {
        return Err(Error::invalid(format!(
            "no store file at {}",
            source.display()
        )));
    }
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(source, flags)?;
    conn.busy_timeout(Duration::from_secs(5))?;
    Ok(conn)
}

fn copy_in_steps(
    src: &Connection,
    partial: &Path,
    options: &BackupOptions,
    progress: &mut dyn FnMut(Progress),
) -> Result<u64> {
    let mut dest = Connection::open(partial)?;
    // The read transaction that pins the snapshot; `BEGIN` alone takes no snapshot.
    src.execute_batch("BEGIN")?;
    let copied = src
        .query_row("SELECT count(*) FROM sqlite_schema", [], |_| Ok(()))
        .map_err(Error::from)
        .and_then(|()| step_through(src, &mut dest, options, progress));
    let _ = src.execute_batch("COMMIT");
    copied
}

fn step_through(
    src: &Connection,
    dest: &mut Connection,
    options: &BackupOptions,
    progress: &mut dyn FnMut(Progress),
) -> Result<u64> {
    let backup = Backup::new(src, dest)?;
    let (mut steps, mut waits) = (0u64, 0u32);
    loop {
        let result = backup.step(options.pages_per_step.max(1))?;
        let p = backup.progress();
        let total = u64::try_from(p.pagecount).unwrap_or(0);
        let remaining = u64::try_from(p.remaining).unwrap_or(0);
        match result {
            StepResult::Done => {
                progress(Progress {
                    copied: total,
                    total,
                });
                return Ok(steps + 1);
            }
            StepResult::More => {
                steps += 1;
                progress(Progress {
                    copied: total - remaining.min(total),
                    total,
                });
                if !options.pause.is_zero() {
                    std::thread::sleep(options.pause);
                }
            }
            // Neither happens while our read transaction pins the source, but both are
            // retryable by contract.
            _ => {
                waits += 1;
                if waits > 1000 {
                    return Err(Error::Conflict("backup: source stayed busy".into()));
                }
                std::thread::sleep(Duration::from_millis(5));
            }
        }
    }
}

fn vacuum_into(src: &Connection, partial: &Path) -> Result<u64> {
    let target = partial
        .to_str()
        .ok_or_else(|| Error::invalid("the backup path is not UTF-8"))?;
    src.execute("VACUUM INTO ?1", [target])?;
    Ok(1)
}

/// Makes the copy a single self-contained file, verifies it, syncs it and gives it its name.
fn finish(
    partial: &Path,
    to: &Path,
    modules: &[Module],
    steps: u64,
    started: Instant,
) -> Result<BackupReport> {
    let copy_ms = elapsed_ms(started);
    let verifying = Instant::now();
    let report = {
        let conn = Connection::open(partial)?;
        // A backup is one file to move around: no -wal beside it.
        let _: String = conn.query_row("PRAGMA journal_mode = DELETE", [], |r| r.get(0))?;
        verify(&conn, modules)?
    };
    if !report.is_sound() {
        return Err(Error::UnexpectedState(format!(
            "the copy failed verification: {}",
            report.problems().join("; ")
        )));
    }
    let verify_ms = elapsed_ms(verifying);
    sync_file(partial)?;
    // A hard link never replaces an existing file (a rename would): a file that appeared
    // under the final name meanwhile is kept, and this backup fails instead.
    std::fs::hard_link(partial, to)
        .map_err(|e| Error::Internal(format!("cannot name the backup {}: {e}", to.display())))?;
    let _ = std::fs::remove_file(partial);
    sync_dir_of(to)?;
    let bytes = std::fs::metadata(to).map(|m| m.len()).unwrap_or(0);
    Ok(BackupReport {
        file: to.to_path_buf(),
        bytes,
        steps,
        copy_ms,
        verify_ms,
        verify: report,
    })
}

fn elapsed_ms(since: Instant) -> u64 {
    u64::try_from(since.elapsed().as_millis()).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_backups_cannot_claim_one_name() {
        let dir = std::env::temp_dir().join(format!("stockroom-claim-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let to = dir.join("b.db");
        let partial = begin(&to).unwrap();
        let second = begin(&to).unwrap_err();
        assert_eq!(second.status(), 409, "{second}");
        std::fs::remove_file(&partial).unwrap();
        std::fs::write(&to, b"someone else's").unwrap();
        assert_eq!(begin(&to).unwrap_err().status(), 400);
        assert!(!partial.exists(), "a refused backup claims nothing");
        let _ = std::fs::remove_dir_all(&dir);
    }
}

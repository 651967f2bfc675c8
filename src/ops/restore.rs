//! `stockroom restore --from backup.db --db shop.db`: puts a verified backup in place of a
//! store file that nothing has open, and keeps the old file aside.
//!
//! "Nothing has open" is asked of the kernel twice, never of a file's existence: the store
//! lock ([`super::lock`], held by every `serve` for its lifetime and taken here for the whole
//! restore, so no server can start halfway), and SQLite's own lock — an exclusive lock on
//! the database file is refused while any connection (a server of an older build, a
//! `sqlite3` shell) has it open in WAL mode. Both die with their process, so a crashed
//! server's leftovers never block a restore and never fool it.

use super::lock::StoreLock;
use super::verify::{VerifyReport, verify};
use super::{sync_dir_of, sync_file, with_suffix};
use crate::db::module::Module;
use crate::error::{Error, Result};
use rusqlite::{Connection, ErrorCode, OpenFlags};
use serde::Serialize;
use std::path::{Path, PathBuf};

/// What a restore did.
#[derive(Debug, Clone, Serialize)]
pub struct RestoreReport {
    /// The old store's files, renamed (the database, and its `-wal` if a crash left one).
    pub kept_aside: Vec<PathBuf>,
    /// The backup's verification.
    pub verify: VerifyReport,
    /// Size of the restored file.
    pub bytes: u64,
}

/// Restores `from` into `db`. `label` names the kept-aside files
/// (`<db>.before-restore-<label>`), e.g. the time of the restore.
///
/// # Errors
/// `from` is missing or fails verification; `db` is in use (409 `conflict`); file errors.
pub fn restore(from: &Path, db: &Path, modules: &[Module], label: &str) -> Result<RestoreReport> {
    let report = verify_backup(from, modules)?;
    let _lock = StoreLock::acquire(db)?;
    ensure_unopened(db)?;
    let incoming = with_suffix(db, ".restoring");
    let _ = std::fs::remove_file(&incoming);
    let copied = copy_file_store(from, &incoming);
    if let Err(e) = copied {
        let _ = std::fs::remove_file(&incoming);
        return Err(e);
    }
    let kept_aside = set_aside(db, label)?;
    std::fs::rename(&incoming, db)
        .map_err(|e| Error::Internal(format!("cannot move the backup into place: {e}")))?;
    sync_dir_of(db)?;
    let bytes = std::fs::metadata(db).map(|m| m.len()).unwrap_or(0);
    Ok(RestoreReport {
        kept_aside,
        verify: report,
        bytes,
    })
}

fn verify_backup(from: &Path, modules: &[Module]) -> Result<VerifyReport> {
    if !from.is_file() {
        return Err(Error::invalid(format!("no backup at {}", from.display())));
    }
    let conn = Connection::open_with_flags(from, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    let report = verify(&conn, modules)?;
    if !report.is_sound() {
        return Err(Error::invalid(format!(
            "{} is not a sound store, nothing restored: {}",
            from.display(),
            report.problems().join("; ")
        )));
    }
    Ok(report)
}

/// Refuses a store some connection has open. With `locking_mode = EXCLUSIVE` a connection
/// takes SQLite's exclusive file lock at its first transaction; WAL-mode connections hold a
/// shared lock for as long as they are open, so the attempt fails at once if any exists.
fn ensure_unopened(db: &Path) -> Result<()> {
    if !db.exists() {
        return Ok(());
    }
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let probe = Connection::open_with_flags(db, flags).and_then(|conn| {
        conn.busy_timeout(std::time::Duration::ZERO)?;
        let _: String = conn.query_row("PRAGMA locking_mode = EXCLUSIVE", [], |r| r.get(0))?;
        conn.execute_batch("BEGIN EXCLUSIVE; COMMIT;")
    });
    match probe {
        Ok(()) => Ok(()),
        Err(rusqlite::Error::SqliteFailure(e, _))
            if matches!(e.code, ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) =>
        {
            Err(Error::Conflict(format!(
                "{} is open in another process (a running server?): stop it first",
                db.display()
            )))
        }
        // A store too broken to open is what restores are for; it is kept aside as it is.
        Err(_) => Ok(()),
    }
}

/// Copies the store file at `from` (and its WAL, through SQLite) into a new file `to`.
fn copy_file_store(from: &Path, to: &Path) -> Result<()> {
    let src = Connection::open_with_flags(from, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    let mut dest = Connection::open(to)?;
    rusqlite::backup::Backup::new(&src, &mut dest)?.run_to_completion(
        4096,
        std::time::Duration::ZERO,
        None,
    )?;
    let _: String = dest.query_row("PRAGMA journal_mode = DELETE", [], |r| r.get(0))?;
    drop(dest);
    sync_file(to)
}

/// Renames the store and its WAL / shared-memory files, if any, to
/// `<name>.before-restore-<label>[-wal|-shm]`.
fn set_aside(db: &Path, label: &str) -> Result<Vec<PathBuf>> {
    let aside = with_suffix(db, &format!(".before-restore-{label}"));
    let mut moved = Vec::new();
    for suffix in ["", "-wal", "-shm"] {
        let from = with_suffix(db, suffix);
        if !from.exists() {
            continue;
        }
        let to = with_suffix(&aside, suffix);
        if to.exists() {
            return Err(Error::invalid(format!(
                "{} already exists: not overwritten",
                to.display()
            )));
        }
        std::fs::rename(&from, &to)
            .map_err(|e| Error::Internal(format!("cannot move {} aside: {e}", from.display())))?;
        moved.push(to);
    }
    Ok(moved)
}

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
    let moved = set_aside(db, label).inspect_err(|_| {
        let _ = std::fs::remove_file(&incoming);
    })?;
    if let Err(e) = std::fs::rename(&incoming, db) {
        let _ = std::fs::remove_file(&incoming);
        put_back(&moved);
        return Err(Error::Internal(format!(
            "cannot move the backup into place (the old store is back): {e}"
        )));
    }
    sync_dir_of(db)?;
    let bytes = std::fs::metadata(db).map(|m| m.len()).unwrap_or(0);
    Ok(RestoreReport {
        kept_aside: moved.into_iter().map(|(_, aside)| aside).collect(),
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
/// `<name>.before-restore-<label>[-wal|-shm]`. Every destination is checked before anything
/// moves, and a rename that fails puts back what had moved: on an error the store is as it
/// was, never missing.
fn set_aside(db: &Path, label: &str) -> Result<Vec<(PathBuf, PathBuf)>> {
    let aside = with_suffix(db, &format!(".before-restore-{label}"));
    let plan: Vec<(PathBuf, PathBuf)> = ["", "-wal", "-shm"]
        .iter()
        .map(|suffix| (with_suffix(db, suffix), with_suffix(&aside, suffix)))
        .filter(|(from, _)| from.exists())
        .collect();
    if let Some((_, taken)) = plan.iter().find(|(_, to)| to.exists()) {
        return Err(Error::invalid(format!(
            "{} already exists: not overwritten, nothing moved",
            taken.display()
        )));
    }
    let mut moved: Vec<(PathBuf, PathBuf)> = Vec::new();
    for (from, to) in plan {
        if let Err(e) = std::fs::rename(&from, &to) {
            put_back(&moved);
            return Err(Error::Internal(format!(
                "cannot move {} aside: {e}",
                from.display()
            )));
        }
        moved.push((from, to));
    }
    Ok(moved)
}

/// Undoes [`set_aside`]'s renames (best effort: it runs on a path that already failed).
fn put_back(moved: &[(PathBuf, PathBuf)]) {
    for (from, to) in moved.iter().rev() {
        let _ = std::fs::rename(to, from);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("stockroom-aside-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir.join("shop.db")
    }

    #[test]
    fn a_taken_destination_moves_nothing_aside() {
        let db = scratch("taken");
        std::fs::write(&db, b"store").unwrap();
        std::fs::write(with_suffix(&db, "-wal"), b"wal").unwrap();
        // The WAL's destination is taken: before the fix the store itself had moved already.
        std::fs::write(with_suffix(&db, ".before-restore-x-wal"), b"older").unwrap();
        assert!(set_aside(&db, "x").is_err());
        assert_eq!(std::fs::read(&db).unwrap(), b"store");
        assert_eq!(std::fs::read(with_suffix(&db, "-wal")).unwrap(), b"wal");
        assert!(!with_suffix(&db, ".before-restore-x").exists());
        let moved = set_aside(&db, "y").unwrap();
        assert_eq!(moved.len(), 2);
        assert!(!db.exists());
        put_back(&moved);
        assert_eq!(std::fs::read(&db).unwrap(), b"store");
        let _ = std::fs::remove_dir_all(db.parent().unwrap());
    }
}

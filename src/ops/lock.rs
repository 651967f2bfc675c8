//! The store lock: `serve` holds an exclusive `flock` on `<db>.lock` for as long as it runs,
//! and `restore` takes the same lock before touching the file. The kernel drops the lock
//! when its process exits — even on `kill -9` — so a lock file left behind by a dead server
//! is just a file: it never makes a store look busy, and an existing file never makes a
//! running server look gone (the lock, not the file, is the signal).

use super::with_suffix;
use crate::error::{Error, Result};
use std::fs::{File, OpenOptions, TryLockError};
use std::io::Write;
use std::path::{Path, PathBuf};

/// An exclusive lock on a store file, released when dropped (or when the process dies).
#[derive(Debug)]
pub struct StoreLock {
    _file: File,
    path: PathBuf,
}

impl StoreLock {
    /// Takes the lock of the store at `db` without waiting.
    ///
    /// # Errors
    /// `conflict` when another process (a running server, a restore) holds it; the lock
    /// file cannot be created.
    pub fn acquire(db: &Path) -> Result<StoreLock> {
        let path = lock_path(db);
        let mut file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .read(true)
            .write(true)
            .open(&path)
            .map_err(|e| {
                Error::invalid(format!("cannot open the lock file {}: {e}", path.display()))
            })?;
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                let holder = std::fs::read_to_string(&path).unwrap_or_default();
                return Err(Error::Conflict(format!(
                    "{} is in use by another process ({}): stop it first",
                    db.display(),
                    holder.trim()
                )));
            }
            Err(TryLockError::Error(e)) => {
                return Err(Error::Internal(format!(
                    "cannot lock {}: {e}",
                    path.display()
                )));
            }
        }
        // Who holds it, for the message above; informative only, never trusted.
        let _ = file
            .set_len(0)
            .and_then(|()| write!(file, "pid {}", std::process::id()));
        Ok(StoreLock { _file: file, path })
    }

    /// The lock file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// `<db>.lock`
pub fn lock_path(db: &Path) -> PathBuf {
    with_suffix(db, ".lock")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_held_lock_refuses_a_second_holder_until_dropped() {
        let dir = std::env::temp_dir().join(format!("stockroom-lock-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let db = dir.join("shop.db");
        let first = StoreLock::acquire(&db).unwrap();
        let err = StoreLock::acquire(&db).unwrap_err();
        assert_eq!(err.status(), 409, "{err}");
        assert!(err.to_string().contains("pid"), "{err}");
        drop(first);
        // The file is still there (as after a crash); it alone locks nothing.
        assert!(lock_path(&db).exists());
        StoreLock::acquire(&db).unwrap();
        let _ = std::fs::remove_dir_all(&dir);
    }
}

//! Operating a store file: online backups, verification, restore, and the lock that tells a
//! running server's file from an idle one. Nothing here is commerce; it works on any store
//! the engine's migrations describe.
//!
//! * [`backup`] copies a live store with SQLite's online backup API in steps, inside one read
//!   transaction (a consistent snapshot that never blocks the writer in WAL mode), then
//!   verifies the copy before giving it its final name.
//! * [`verify`] checks a store: `integrity_check`, `foreign_key_check`, and the migration
//!   ledger against the build's migrations.
//! * [`restore`] puts a verified backup in place of a store that no process has open,
//!   keeping the old file aside.
//! * [`lock`] is the exclusive lock `serve` holds on `<db>.lock` for its lifetime.
//! * [`progress`] draws long commands' progress on a terminal (and nothing elsewhere).

pub mod backup;
pub mod cli;
pub mod folder;
pub mod lock;
pub mod progress;
pub mod pruner;
pub mod restore;
pub mod retention;
pub mod verify;

use crate::error::{Error, Result};
use std::path::{Path, PathBuf};

/// `path` with `suffix` appended to its file name (`shop.db` → `shop.db-wal`).
pub fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_os_string();
    name.push(suffix);
    PathBuf::from(name)
}

/// Flushes a file's data and metadata to the disk.
pub(crate) fn sync_file(path: &Path) -> Result<()> {
    std::fs::File::open(path)
        .and_then(|f| f.sync_all())
        .map_err(|e| Error::Internal(format!("cannot sync {}: {e}", path.display())))
}

/// Flushes a directory, so a rename in it survives a power loss.
pub(crate) fn sync_dir_of(path: &Path) -> Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    sync_file(dir)
}

//! The backup folder of a running server (`--backup-dir`): `POST /admin/backups` writes a
//! new, verified backup into it, `GET /admin/backups` lists what is there. Files are named
//! by the engine's clock and a sequence within the same millisecond (a fixture store's clock
//! stands still), `stockroom-2026-12-06T20-42-55.123Z-001.db` (sortable, no `:`), and only
//! such names are ever listed or written, so the folder may hold other files.

use super::backup::{BackupOptions, BackupReport, backup_file, backup_image};
use crate::clock::format_iso8601;
use crate::engine::Engine;
use crate::error::{Error, Result};
use serde::Serialize;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

const PREFIX: &str = "stockroom-";
const SUFFIX: &str = ".db";
/// Backups named within one millisecond of the engine's clock.
const MAX_SEQUENCE: u32 = 999;

/// One backup of the folder.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct BackupEntry {
    /// The file name (also its id on the wire).
    pub file: String,
    /// Its size in bytes.
    pub size: u64,
    /// When it was taken (from its name).
    pub created_at: String,
}

/// Takes a backup of `engine`'s store into `dir` (created if missing). `running` is the
/// server's flag: one backup at a time (two would only share the disk).
///
/// # Errors
/// `conflict` while another backup runs; file and verification errors.
pub fn backup_into(
    engine: &Engine,
    dir: &Path,
    running: &AtomicBool,
) -> Result<(BackupEntry, BackupReport)> {
    if running.swap(true, Ordering::SeqCst) {
        return Err(Error::Conflict("a backup is already being taken".into()));
    }
    let outcome = take(engine, dir);
    running.store(false, Ordering::SeqCst);
    outcome
}

fn take(engine: &Engine, dir: &Path) -> Result<(BackupEntry, BackupReport)> {
    std::fs::create_dir_all(dir).map_err(|e| Error::Internal(format!("backup folder: {e}")))?;
    let created_at = format_iso8601(engine.clock().now());
    let stamp = created_at.replace(':', "-");
    let file = (1..=MAX_SEQUENCE)
        .map(|n| format!("{PREFIX}{stamp}-{n:03}{SUFFIX}"))
        .find(|name| !dir.join(name).exists())
        .ok_or_else(|| Error::Conflict("too many backups within one millisecond".into()))?;
    let to = dir.join(&file);
    let modules = engine.all_modules();
    let report = match engine.store().file_path() {
        Some(source) => backup_file(
            source,
            &to,
            &modules,
            &BackupOptions::default(),
            &mut |_| {},
        )?,
        // An in-memory store has no file to read beside the writer: its image is taken on
        // the writer between batches (fast, it is memory) and written out from here.
        None => backup_image(&engine.store().snapshot()?, &to, &modules)?,
    };
    let entry = BackupEntry {
        file,
        size: report.bytes,
        created_at,
    };
    Ok((entry, report))
}

/// The backups in `dir`, newest first (none if the folder does not exist yet).
///
/// # Errors
/// The folder cannot be read.
pub fn list(dir: &Path) -> Result<Vec<BackupEntry>> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(Error::Internal(format!("backup folder: {e}"))),
    };
    let mut out = Vec::new();
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(created_at) = created_at_of(&name) else {
            continue;
        };
        let Ok(meta) = entry.metadata() else {
            continue;
        };
        if !meta.is_file() {
            continue;
        }
        out.push(BackupEntry {
            file: name,
            size: meta.len(),
            created_at,
        });
    }
    out.sort_by(|a, b| b.file.cmp(&a.file));
    Ok(out)
}

/// `stockroom-2026-12-06T20-42-55.123Z-001.db` → `2026-12-06T20:42:55.123Z`; other names →
/// None.
fn created_at_of(name: &str) -> Option<String> {
    let numbered = name.strip_prefix(PREFIX)?.strip_suffix(SUFFIX)?;
    let (stamp, sequence) = numbered.rsplit_once('-')?;
    if sequence.len() != 3 || !sequence.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let (date, time) = stamp.split_once('T')?;
    let time = time.replacen('-', ":", 2);
    let iso = format!("{date}T{time}");
    crate::clock::parse_iso8601(&iso).map(|_| iso)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_backup_names_are_listed_with_their_time() {
        assert_eq!(
            created_at_of("stockroom-2026-12-06T20-42-55.123Z-001.db").as_deref(),
            Some("2026-12-06T20:42:55.123Z")
        );
        for other in [
            "stockroom-2026-12-06T20-42-55.123Z-001.db.partial",
            "stockroom-2026-12-06T20-42-55.123Z.db",
            "shop.db",
            "stockroom-notatime.db",
        ] {
            assert_eq!(created_at_of(other), None, "{other}");
        }
    }
}

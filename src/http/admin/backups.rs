//! `POST /admin/backups`, `GET /admin/backups`: Stockroom's own route family (Medusa has no
//! backups). The folder is the server's `--backup-dir`; without one both answer 400 saying
//! so. A backup runs on the request's worker (one at a time, 409 for a second) and answers
//! when the copy is verified and named; the writer keeps committing meanwhile.

use crate::error::{Error, Result};
use crate::http::{Access, Response, Route};
use crate::ops::folder;
use serde_json::json;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

/// The routes, over the backup folder `dir` (if configured).
pub fn routes(dir: Option<PathBuf>) -> Vec<Route> {
    let dir = Arc::new(dir);
    let (for_create, for_list) = (dir.clone(), dir);
    let running = AtomicBool::new(false);
    vec![
        Route::new(
            "POST",
            "/admin/backups",
            Access::Admin,
            "Take a verified backup of the store into the backup folder",
            move |engine, _| {
                let dir = configured(&for_create)?;
                let (entry, report) = folder::backup_into(engine, dir, &running)?;
                Ok(Response::json(json!({
                    "backup": {
                        "id": entry.file,
                        "file": entry.file,
                        "size": entry.size,
                        "created_at": entry.created_at,
                        "copy_ms": report.copy_ms,
                        "verify_ms": report.verify_ms,
                        "steps": report.steps,
                    }
                })))
            },
        ),
        Route::new(
            "GET",
            "/admin/backups",
            Access::Admin,
            "List the backups in the backup folder",
            move |_, _| {
                let dir = configured(&for_list)?;
                let backups: Vec<_> = folder::list(dir)?
                    .into_iter()
                    .map(|b| json!({"id": b.file, "file": b.file, "size": b.size, "created_at": b.created_at}))
                    .collect();
                let count = backups.len();
                Ok(Response::json(json!({"backups": backups, "count": count})))
            },
        ),
    ]
}

fn configured(dir: &Option<PathBuf>) -> Result<&PathBuf> {
    dir.as_ref().ok_or_else(|| {
        Error::invalid("backups are not configured: start the server with --backup-dir DIR (or STOCKROOM_BACKUP_DIR)")
    })
}

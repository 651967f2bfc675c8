//! Image files a fixture names by path (issue 13: demo images that work offline).
//!
//! A product's `images` and `thumbnail` entries are URLs, or paths relative to the fixture
//! file (anything without `://`, e.g. `demo-images/classic-cap-1.png`). Paths are read before
//! the seed's write job (no file I/O or hashing inside it), stored in the file module like
//! uploads — the bytes in the store itself — and the products point at
//! `<base_url>/static/<key>`, the server's own address. The file keeps the path as its
//! filename, so `export` writes it back under the same path.

use super::seed::Fixture;
use crate::ctx::Ctx;
use crate::error::{Error, Result};
use crate::modules::file::{self, NewFile};
use rusqlite::Connection;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

/// The files a fixture names, read, and the address their URLs are made on.
#[derive(Debug, Clone, Default)]
pub struct FixtureFiles {
    base_url: String,
    files: BTreeMap<String, Vec<u8>>,
}

/// Whether a fixture image entry names a file rather than a URL.
pub fn is_file_reference(entry: &str) -> bool {
    !entry.contains("://") && !entry.starts_with("data:")
}

/// The image entries of a fixture that name files, each once, in order.
fn referenced(fixture: &Fixture) -> Vec<&str> {
    let mut out: Vec<&str> = Vec::new();
    for p in &fixture.products {
        for entry in p.images.iter().chain(&p.thumbnail) {
            if is_file_reference(entry) && !out.contains(&entry.as_str()) {
                out.push(entry);
            }
        }
    }
    out
}

/// A path a fixture may name: relative, `/`-separated, without `.` or `..` segments.
///
/// # Errors
/// 400 naming the path otherwise.
pub fn check_path(path: &str) -> Result<()> {
    let safe = !path.is_empty()
        && !path.starts_with('/')
        && !path.contains('\\')
        && path
            .split('/')
            .all(|s| !s.is_empty() && s != "." && s != "..");
    if safe {
        Ok(())
    } else {
        Err(Error::invalid(format!(
            "fixture: image path '{path}' must be relative to the fixture, without '..'"
        )))
    }
}

impl FixtureFiles {
    /// No files: a fixture naming one is refused.
    pub fn none() -> Self {
        FixtureFiles::default()
    }

    /// Reads every file `fixture` names from `dir` (the fixture file's folder).
    ///
    /// # Errors
    /// An unsafe path or a file that cannot be read, named.
    pub fn from_dir(fixture: &Fixture, dir: &Path, base_url: &str) -> Result<Self> {
        let mut files = BTreeMap::new();
        for path in referenced(fixture) {
            check_path(path)?;
            let bytes = std::fs::read(dir.join(path)).map_err(|e| {
                Error::invalid(format!("fixture: cannot read image file {path}: {e}"))
            })?;
            files.insert(path.to_string(), bytes);
        }
        Ok(FixtureFiles {
            base_url: base_url.trim_end_matches('/').to_string(),
            files,
        })
    }

    /// The files `fixture` names, taken from `table` (files built into the binary).
    ///
    /// # Errors
    /// A path the table does not hold.
    pub fn from_table(fixture: &Fixture, table: &[(&str, &[u8])], base_url: &str) -> Result<Self> {
        let mut files = BTreeMap::new();
        for path in referenced(fixture) {
            let (_, bytes) = table.iter().find(|(p, _)| *p == path).ok_or_else(|| {
                Error::invalid(format!("fixture: image file {path} is not built in"))
            })?;
            files.insert(path.to_string(), bytes.to_vec());
        }
        Ok(FixtureFiles {
            base_url: base_url.trim_end_matches('/').to_string(),
            files,
        })
    }

    /// What the seeded store depends on besides the fixture text: every file's path and
    /// bytes (SHA-256 hex), for the seeded-image cache key. The base URL is not part of it: a
    /// cached store seeded on another address is rebased (see `rebase_image_urls`).
    pub fn digest(&self) -> String {
        let mut text = String::new();
        for (path, bytes) in &self.files {
            text.push('\n');
            text.push_str(path);
            text.push(' ');
            text.push_str(&crate::crypto::sha256_hex(bytes));
        }
        crate::crypto::sha256_hex(text.as_bytes())
    }

    /// The files ready to store (hashed here, outside the write job).
    pub(crate) fn prepare(&self, fixture: &Fixture) -> Result<Prepared> {
        let mut files = Vec::new();
        for path in referenced(fixture) {
            let bytes = self.files.get(path).ok_or_else(|| {
                Error::invalid(format!(
                    "fixture: image file {path}: give the fixture as a file so its folder can be read"
                ))
            })?;
            if bytes.len() > file::MAX_FILE_BYTES {
                return Err(file::too_large(path));
            }
            let mime = file::mime_for_name(path);
            files.push(NewFile::new(path.to_string(), Some(mime), bytes.clone()));
        }
        Ok(Prepared {
            base_url: self.base_url.clone(),
            files,
        })
    }
}

/// Files hashed and typed, ready for the seed's write job.
#[derive(Debug, Default)]
pub(crate) struct Prepared {
    base_url: String,
    files: Vec<NewFile>,
}

impl Prepared {
    /// The address the files' URLs are made on (empty when there are none).
    pub(crate) fn base_url(&self) -> &str {
        if self.files.is_empty() {
            ""
        } else {
            &self.base_url
        }
    }
}

/// Stores the prepared files; returns each path's URL.
///
/// # Errors
/// Database failures.
pub(crate) fn store(
    conn: &Connection,
    ctx: &Ctx,
    prepared: &Prepared,
) -> Result<HashMap<String, String>> {
    if prepared.files.is_empty() {
        return Ok(HashMap::new());
    }
    let stored = file::create(conn, ctx, &prepared.files)?;
    Ok(stored
        .into_iter()
        .map(|f| {
            let url = format!("{}/static/{}", prepared.base_url, f.key());
            (f.filename, url)
        })
        .collect())
}

/// The URL a fixture image entry becomes: a stored file's, or the entry itself.
pub(crate) fn url_of(entry: &str, urls: &HashMap<String, String>) -> String {
    urls.get(entry)
        .cloned()
        .unwrap_or_else(|| entry.to_string())
}

/// The address a server's own URLs are made on: `localhost` for loopback and unspecified
/// hosts (the storefront starter allows `localhost` images), else the host as given.
pub fn base_url_for(host: &str, port: u16) -> String {
    let host = match host {
        "127.0.0.1" | "0.0.0.0" | "::" | "::1" | "[::1]" | "localhost" | "" => "localhost",
        other => other,
    };
    format!("http://{host}:{port}")
}

/// Files an export writes beside the fixture: path relative to it → bytes.
pub type ExportFiles = BTreeMap<String, Vec<u8>>;

/// The fixture entry for an image URL: when it points at one of the store's own files
/// (`…/static/<key>` with a key the file module holds), that file's path — its filename when
/// that is a safe relative path, else `images/<key>` — with its bytes added to `files`;
/// otherwise the URL itself.
///
/// # Errors
/// Database failures.
pub fn export_entry(conn: &Connection, url: &str, files: &mut ExportFiles) -> Result<String> {
    let Some(stored) = own_file(conn, url)? else {
        return Ok(url.to_string());
    };
    let bytes = file::read_bytes(conn, &stored.id, 0, stored.size)?;
    let named = Some(stored.filename.clone()).filter(|name| check_path(name).is_ok());
    for path in named
        .into_iter()
        .chain([format!("images/{}", stored.key())])
    {
        match files.get(&path) {
            Some(existing) if *existing != bytes => continue,
            Some(_) => return Ok(path),
            None => {
                files.insert(path.clone(), bytes);
                return Ok(path);
            }
        }
    }
    // Two files under one key cannot exist: keys start with the file's id.
    Ok(url.to_string())
}

/// The stored file an URL points at, if it is one of ours.
fn own_file(conn: &Connection, url: &str) -> Result<Option<file::StoredFile>> {
    match url.split_once("/static/") {
        Some((_, key)) if !key.contains(['/', '?', '#']) => file::by_key(conn, key),
        _ => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_relative_paths_without_dot_segments_are_accepted() {
        assert!(check_path("demo-images/cap-1.png").is_ok());
        for bad in [
            "",
            "/etc/passwd",
            "../x.png",
            "a/../../x",
            "a//b",
            "./x",
            "a\\b",
        ] {
            assert!(check_path(bad).is_err(), "{bad}");
        }
        assert!(is_file_reference("images/a.png"));
        assert!(!is_file_reference("https://example.com/a.png"));
    }

    #[test]
    fn loopback_hosts_become_localhost() {
        assert_eq!(base_url_for("127.0.0.1", 9000), "http://localhost:9000");
        assert_eq!(base_url_for("0.0.0.0", 80), "http://localhost:80");
        assert_eq!(base_url_for("shop.lan", 9000), "http://shop.lan:9000");
    }
}

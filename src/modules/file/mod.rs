//! Files (Medusa's file module with its local provider), kept in the store itself: each
//! upload is one `file_blob` row holding the bytes, the original filename, the mime type,
//! the size and the SHA-256 of the bytes (the strong `ETag` it is served with). Nothing here
//! touches the filesystem; one SQLite file is the whole shop.

pub mod provider;

use crate::ctx::Ctx;
use crate::db::module::Module;
use crate::error::{Error, Result};
use crate::migration;
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

/// The module: tables `file*`.
pub fn module() -> Module {
    Module::new("file", "file").migration(migration!("file", "0001_init.sql"))
}

/// The largest file accepted, in bytes (the whole request is also bounded by the HTTP body
/// limit, which is smaller by default).
pub const MAX_FILE_BYTES: usize = 10 * 1024 * 1024;

/// Longest sanitised filename kept in a file's key.
const MAX_NAME_CHARS: usize = 100;

/// A file to store, with the SHA-256 of its bytes (computed by [`NewFile::new`], on the
/// caller's thread rather than inside the write job).
#[derive(Debug, Clone, PartialEq)]
pub struct NewFile {
    filename: String,
    mime_type: String,
    content: Vec<u8>,
    sha256: String,
}

impl NewFile {
    /// The name the client gave.
    pub fn filename(&self) -> &str {
        &self.filename
    }

    /// The normalised mime type.
    pub fn mime_type(&self) -> &str {
        &self.mime_type
    }

    /// The bytes.
    pub fn content(&self) -> &[u8] {
        &self.content
    }

    /// Lower-case hex SHA-256 of the bytes.
    pub fn sha256(&self) -> &str {
        &self.sha256
    }

    /// A file under the name the client gave (kept as sent; its key uses a sanitised form)
    /// and its declared type (normalised by [`normalise_mime`]).
    pub fn new(filename: String, declared_type: Option<&str>, content: Vec<u8>) -> Self {
        let sha256 = crate::crypto::sha256_hex(&content);
        NewFile {
            filename,
            mime_type: normalise_mime(declared_type),
            content,
            sha256,
        }
    }
}

/// A stored file, without its bytes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoredFile {
    /// `file_…`
    pub id: String,
    /// The original filename.
    pub filename: String,
    /// Lower-case `type/subtype`.
    pub mime_type: String,
    /// Bytes.
    pub size: u64,
    /// Lower-case hex SHA-256 of the bytes.
    pub sha256: String,
    /// ISO 8601.
    pub created_at: String,
}

impl StoredFile {
    /// The file's key: `<id>-<sanitised filename>`, the last segment of its URL.
    pub fn key(&self) -> String {
        format!("{}-{}", self.id, sanitise_filename(&self.filename))
    }
}

/// A filename reduced to `[A-Za-z0-9._-]` (anything else becomes `_`), without leading dots,
/// at most 100 characters; `file` when nothing is left.
pub fn sanitise_filename(name: &str) -> String {
    // Only the last path component counts (clients on Windows send `C:\…\a.png`).
    let base = name.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = base
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let trimmed: String = cleaned
        .trim_start_matches('.')
        .chars()
        .take(MAX_NAME_CHARS)
        .collect();
    if trimmed.is_empty() {
        "file".to_string()
    } else {
        trimmed
    }
}

/// The content type a file's name implies, for files that come without one (fixture images):
/// the common image types, else `application/octet-stream`.
pub fn mime_for_name(name: &str) -> &'static str {
    let extension = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
    match extension.as_deref() {
        Some("png") => "image/png",
        Some("jpg" | "jpeg") => "image/jpeg",
        Some("gif") => "image/gif",
        Some("webp") => "image/webp",
        Some("avif") => "image/avif",
        Some("svg") => "image/svg+xml",
        _ => "application/octet-stream",
    }
}

/// The stored file whose key (`<id>-<sanitised filename>`, the last segment of its URL) is
/// exactly `key`: the id alone, or the id under another name, is not this file.
///
/// # Errors
/// Database failures.
pub fn by_key(conn: &Connection, key: &str) -> Result<Option<StoredFile>> {
    let Some((id, _)) = key.split_once('-') else {
        return Ok(None);
    };
    match retrieve(conn, id) {
        Ok(stored) if stored.key() == key => Ok(Some(stored)),
        Ok(_) | Err(crate::error::Error::NotFound(_)) => Ok(None),
        Err(e) => Err(e),
    }
}

/// A declared content type as a lower-case `type/subtype` without parameters, or
/// `application/octet-stream` when it is missing or not of that shape.
pub fn normalise_mime(declared: Option<&str>) -> String {
    let essence = declared
        .unwrap_or("")
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    let token = |s: &str| {
        !s.is_empty()
            && s.len() <= 127
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"!#$&-^_.+".contains(&b))
    };
    match essence.split_once('/') {
        Some((kind, sub)) if token(kind) && token(sub) => essence,
        _ => "application/octet-stream".to_string(),
    }
}

const COLUMNS: &str = "id, filename, mime_type, size, sha256, created_at";

fn from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<StoredFile> {
    Ok(StoredFile {
        id: r.get(0)?,
        filename: r.get(1)?,
        mime_type: r.get(2)?,
        size: u64::try_from(r.get::<_, i64>(3)?).unwrap_or(0),
        sha256: r.get(4)?,
        created_at: r.get(5)?,
    })
}

/// Stores files (in the caller's transaction: all or none).
///
/// # Errors
/// 400 `invalid_data` for a file over [`MAX_FILE_BYTES`]; database failures.
pub fn create(conn: &Connection, ctx: &Ctx, files: &[NewFile]) -> Result<Vec<StoredFile>> {
    let now = ctx.now();
    let mut stmt = conn.prepare_cached_static(
        "INSERT INTO file_blob (id, filename, mime_type, size, sha256, content, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?;
    let mut created = Vec::with_capacity(files.len());
    for file in files {
        if file.content.len() > MAX_FILE_BYTES {
            return Err(too_large(&file.filename));
        }
        let id = ctx.id("file");
        let size = i64::try_from(file.content.len()).map_err(|_| too_large(&file.filename))?;
        stmt.execute(params![
            id,
            file.filename,
            file.mime_type,
            size,
            file.sha256,
            file.content,
            now
        ])?;
        created.push(StoredFile {
            id,
            filename: file.filename.clone(),
            mime_type: file.mime_type.clone(),
            size: size.unsigned_abs(),
            sha256: file.sha256.clone(),
            created_at: now.clone(),
        });
    }
    Ok(created)
}

/// The error for a file over [`MAX_FILE_BYTES`].
pub fn too_large(filename: &str) -> Error {
    Error::invalid(format!(
        "File {filename} is larger than the limit of {MAX_FILE_BYTES} bytes"
    ))
}

fn not_found(id: &str) -> Error {
    // Medusa's wording on `GET /admin/uploads/:id`.
    Error::NotFound(format!("File with id: {id} not found"))
}

/// A stored file's metadata.
///
/// # Errors
/// 404 when absent.
pub fn retrieve(conn: &Connection, id: &str) -> Result<StoredFile> {
    conn.prepare_cached_static(crate::sql_text!(
        [],
        "SELECT {COLUMNS} FROM file_blob WHERE id = ?1"
    ))?
    .query_row([id], from_row)
    .optional()?
    .ok_or_else(|| not_found(id))
}

/// `len` bytes of a stored file from byte `start` (fewer at its end), read by SQLite
/// without loading the rest of the file.
///
/// # Errors
/// 404 when absent.
pub fn read_bytes(conn: &Connection, id: &str, start: u64, len: u64) -> Result<Vec<u8>> {
    let clamp = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
    conn.prepare_cached_static("SELECT substr(content, ?2, ?3) FROM file_blob WHERE id = ?1")?
        .query_row(
            params![id, clamp(start).saturating_add(1), clamp(len)],
            // SQLite's substr of an empty blob is NULL.
            |r| {
                r.get::<_, Option<Vec<u8>>>(0)
                    .map(Option::unwrap_or_default)
            },
        )
        .optional()?
        .ok_or_else(|| not_found(id))
}

/// Deletes a file and its bytes. Deleting an absent file is not an error (Medusa's
/// `deleteFiles` ignores unknown ids); returns whether a row went.
///
/// # Errors
/// Database failures.
pub fn delete(conn: &Connection, id: &str) -> Result<bool> {
    Ok(conn
        .prepare_cached_static("DELETE FROM file_blob WHERE id = ?1")?
        .execute([id])?
        > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filenames_are_sanitised() {
        assert_eq!(sanitise_filename("photo 1.png"), "photo_1.png");
        assert_eq!(sanitise_filename("../../etc/passwd"), "passwd");
        assert_eq!(sanitise_filename("C:\\x\\a.jpg"), "a.jpg");
        assert_eq!(sanitise_filename("...hidden"), "hidden");
        assert_eq!(sanitise_filename(""), "file");
        assert_eq!(sanitise_filename("é.png"), "_.png");
        assert_eq!(sanitise_filename(&"a".repeat(300)).len(), 100);
    }

    #[test]
    fn mime_types_are_normalised() {
        assert_eq!(normalise_mime(Some("Image/PNG; x=1")), "image/png");
        assert_eq!(normalise_mime(Some("nonsense")), "application/octet-stream");
        assert_eq!(
            normalise_mime(Some("a/b\r\nX: y")),
            "application/octet-stream"
        );
        assert_eq!(normalise_mime(None), "application/octet-stream");
    }
}

//! `GET /static/:name` (public): the file module's stored files, served from the store (never
//! the filesystem) with a strong `ETag` (their SHA-256), a year of immutable caching,
//! `If-None-Match` → 304 and one `Range: bytes=a-b` → 206 (416 when unsatisfiable). Only
//! known-safe media types are shown inline; everything else (HTML, SVG, XHTML, unknown
//! types) is an attachment, and nothing is sniffed.

use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::http::{Access, Body, Request, Response, Route};
use crate::modules::file::{self, StoredFile};
use serde_json::json;

/// Types a browser may render in place: raster images, audio, video and plain text.
const INLINE_TYPES: &[&str] = &[
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/webp",
    "image/avif",
    "image/bmp",
    "image/x-icon",
    "image/vnd.microsoft.icon",
    "video/mp4",
    "video/webm",
    "video/ogg",
    "audio/mpeg",
    "audio/ogg",
    "audio/wav",
    "audio/webm",
    "text/plain",
];

/// The static route.
pub fn routes() -> Vec<Route> {
    vec![Route::new(
        "GET",
        "/static/:name",
        Access::Public,
        "A stored file's bytes (uploads' `url`)",
        serve,
    )]
}

/// What a `Range` header asks of a body of some length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RangeAsk {
    /// No usable range: the whole body (absent, another unit, several ranges, bad syntax).
    Full,
    /// Bytes `start..=end`.
    Part(u64, u64),
    /// A well-formed range outside the body.
    Unsatisfiable,
}

/// Reads one `bytes=a-b`, `bytes=a-` or `bytes=-n` range against `len` bytes.
pub fn range(header: Option<&str>, len: u64) -> RangeAsk {
    let Some(spec) = header.map(str::trim).and_then(|h| {
        h.get(..6)
            .filter(|unit| unit.eq_ignore_ascii_case("bytes="))
            .and_then(|_| h.get(6..))
    }) else {
        return RangeAsk::Full;
    };
    let number = |s: &str| {
        let s = s.trim();
        (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse::<u64>().ok())
            .flatten()
    };
    let Some((first, last)) = spec.split_once('-').filter(|_| !spec.contains(',')) else {
        return RangeAsk::Full;
    };
    if first.trim().is_empty() {
        return match number(last) {
            Some(0) => RangeAsk::Unsatisfiable,
            Some(_) if len == 0 => RangeAsk::Unsatisfiable,
            Some(n) => RangeAsk::Part(len - n.min(len), len - 1),
            None => RangeAsk::Full,
        };
    }
    let Some(start) = number(first) else {
        return RangeAsk::Full;
    };
    let end = if last.trim().is_empty() {
        None
    } else {
        match number(last) {
            Some(end) if end >= start => Some(end),
            _ => return RangeAsk::Full,
        }
    };
    if start >= len {
        return RangeAsk::Unsatisfiable;
    }
    RangeAsk::Part(start, end.map_or(len - 1, |e| e.min(len - 1)))
}

/// Whether an `If-None-Match` list names `etag` (weak comparison, as RFC 9110 asks).
fn none_match(header: Option<&str>, etag: &str) -> bool {
    header.is_some_and(|h| {
        h.split(',')
            .map(str::trim)
            .any(|tag| tag == "*" || tag.strip_prefix("W/").unwrap_or(tag) == etag)
    })
}

fn not_found(name: &str) -> Error {
    Error::NotFound(format!("File {name} was not found"))
}

fn serve(engine: &Engine, request: &Request) -> Result<Response> {
    let name = request.param("name").to_string();
    // The whole key must match: the id alone, or another name, is not this file's URL.
    let stored = engine
        .store()
        .read(|conn| file::by_key(conn, &name))?
        .ok_or_else(|| not_found(&name))?;
    let id = stored.id.clone();
    let etag = format!("\"{}\"", stored.sha256);
    let response = with_file_headers(Response::empty(200), &stored, &etag);
    if none_match(request.header("if-none-match"), &etag) {
        return Ok(response.with_status(304));
    }
    let len = stored.size;
    let (status, start, end) = match range(request.header("range"), len) {
        RangeAsk::Full => (200, 0, len),
        RangeAsk::Part(start, last) => (206, start, last + 1),
        RangeAsk::Unsatisfiable => {
            return Ok(Response::json(json!({
                "type": "invalid_data",
                "message": format!("Range not satisfiable: the file has {len} bytes"),
            }))
            .with_status(416)
            .with_header("Content-Range", format!("bytes */{len}"))
            .with_header("Accept-Ranges", "bytes"));
        }
    };
    // Only the bytes asked for leave SQLite.
    let data = engine
        .store()
        .read(|conn| file::read_bytes(conn, &id, start, end - start))
        .map_err(|e| match e {
            Error::NotFound(_) => not_found(&name),
            other => other,
        })?;
    let response = Response {
        status,
        body: Body::Bytes {
            content_type: stored.mime_type.clone(),
            data,
        },
        ..response
    };
    Ok(if status == 206 {
        response.with_header("Content-Range", format!("bytes {start}-{}/{len}", end - 1))
    } else {
        response
    })
}

/// The headers every answer about a stored file carries (200, 206 and 304 alike).
fn with_file_headers(response: Response, stored: &StoredFile, etag: &str) -> Response {
    let inline = INLINE_TYPES.contains(&stored.mime_type.as_str());
    let disposition = if inline { "inline" } else { "attachment" };
    response
        .with_header("ETag", etag)
        .with_header("Cache-Control", "public, max-age=31536000, immutable")
        .with_header("Accept-Ranges", "bytes")
        .with_header("X-Content-Type-Options", "nosniff")
        .with_header("Content-Security-Policy", "default-src 'none'; sandbox")
        .with_header(
            "Content-Disposition",
            format!(
                "{disposition}; filename=\"{}\"",
                file::sanitise_filename(&stored.filename)
            ),
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_are_read_as_rfc_9110_asks() {
        assert_eq!(range(None, 10), RangeAsk::Full);
        assert_eq!(range(Some("bytes=0-3"), 10), RangeAsk::Part(0, 3));
        assert_eq!(range(Some("bytes=4-"), 10), RangeAsk::Part(4, 9));
        assert_eq!(range(Some("bytes=-3"), 10), RangeAsk::Part(7, 9));
        assert_eq!(range(Some("bytes=-30"), 10), RangeAsk::Part(0, 9));
        assert_eq!(range(Some("bytes=5-100"), 10), RangeAsk::Part(5, 9));
        assert_eq!(range(Some("bytes=10-"), 10), RangeAsk::Unsatisfiable);
        assert_eq!(range(Some("bytes=-0"), 10), RangeAsk::Unsatisfiable);
        assert_eq!(range(Some("bytes=0-0"), 0), RangeAsk::Unsatisfiable);
        assert_eq!(range(Some("bytes=3-1"), 10), RangeAsk::Full);
        assert_eq!(range(Some("bytes=0-1,3-4"), 10), RangeAsk::Full);
        assert_eq!(range(Some("items=0-1"), 10), RangeAsk::Full);
        assert_eq!(range(Some("bytes=+1-2"), 10), RangeAsk::Full);
        assert_eq!(range(Some("bytes=x"), 10), RangeAsk::Full);
    }

    #[test]
    fn if_none_match_compares_weakly() {
        assert!(none_match(Some("\"a\", W/\"b\""), "\"b\""));
        assert!(none_match(Some("*"), "\"b\""));
        assert!(!none_match(Some("\"a\""), "\"b\""));
        assert!(!none_match(None, "\"b\""));
    }
}

//! A strict `multipart/form-data` reader (RFC 7578) over a body already in memory and
//! already bounded by the server's body limit. It keeps what Medusa's multer setup keeps:
//! the parts carrying a file (a `filename`), with their field name, filename and declared
//! content type; plain fields are skipped by [`parse`] and kept (small, UTF-8) by
//! [`parse_form`], which the admin UI's upload forms use for their CSRF token. Anything out
//! of shape is an error, never a guess.

use std::fmt;

/// At most this many parts in one body.
const MAX_PARTS: usize = 100;
/// At most this many bytes of headers in one part.
const MAX_PART_HEADERS: usize = 8 * 1024;
/// At most this many bytes in one plain (non-file) field kept by [`parse_form`].
const MAX_PLAIN_FIELD: usize = 8 * 1024;

/// One uploaded file.
#[derive(Debug, Clone, PartialEq)]
pub struct FilePart {
    /// The form field's name.
    pub field: String,
    /// The filename as the client sent it.
    pub filename: String,
    /// The part's `Content-Type`, if any.
    pub content_type: Option<String>,
    /// The bytes.
    pub content: Vec<u8>,
}

/// Why a body could not be read.
#[derive(Debug, Clone, PartialEq)]
pub enum MultipartError {
    /// The body is not well-formed multipart (the message says where).
    Malformed(&'static str),
    /// A file is larger than the per-file limit.
    FileTooLarge(String),
}

impl fmt::Display for MultipartError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MultipartError::Malformed(why) => write!(f, "Malformed multipart body: {why}"),
            MultipartError::FileTooLarge(name) => write!(f, "File {name} is too large"),
        }
    }
}

/// The boundary of a `multipart/form-data` content type; `None` for any other type or a
/// boundary that RFC 2046 does not allow (1–70 characters).
pub fn boundary(content_type: &str) -> Option<String> {
    let mut params = content_type.split(';');
    let essence = params.next()?.trim();
    if !essence.eq_ignore_ascii_case("multipart/form-data") {
        return None;
    }
    let value = params.find_map(|p| {
        let (name, value) = p.split_once('=')?;
        name.trim()
            .eq_ignore_ascii_case("boundary")
            .then(|| value.trim())
    })?;
    let value = value
        .strip_prefix('"')
        .and_then(|v| v.strip_suffix('"'))
        .unwrap_or(value);
    let allowed = |c: char| c.is_ascii_alphanumeric() || "'()+_,-./:=? ".contains(c);
    (!value.is_empty() && value.len() <= 70 && value.chars().all(allowed) && !value.ends_with(' '))
        .then(|| value.to_string())
}

/// The file parts of `body`, each at most `max_file` bytes.
///
/// # Errors
/// [`MultipartError::Malformed`] for a body out of shape (no opening or closing delimiter,
/// a part without `Content-Disposition: form-data`, headers too long, too many parts);
/// [`MultipartError::FileTooLarge`] for a file over `max_file`.
pub fn parse(
    body: &[u8],
    boundary: &str,
    max_file: usize,
) -> Result<Vec<FilePart>, MultipartError> {
    parse_form(body, boundary, max_file).map(|(files, _)| files)
}

/// A body's plain fields, `(name, value)` in order.
pub type PlainFields = Vec<(String, String)>;

/// The files and the plain fields (`(name, value)`, in order) of a body.
///
/// # Errors
/// As [`parse`]; a plain field over 8 KiB or not UTF-8 is malformed.
pub fn parse_form(
    body: &[u8],
    boundary: &str,
    max_file: usize,
) -> Result<(Vec<FilePart>, PlainFields), MultipartError> {
    let mut fields = Vec::new();
    let dash = format!("--{boundary}").into_bytes();
    let delimiter = format!("\r\n--{boundary}").into_bytes();
    // The first delimiter may start the body, or follow a preamble ending in CRLF.
    let mut pos = if body.starts_with(&dash) {
        dash.len()
    } else {
        find(body, &delimiter, 0).ok_or(MultipartError::Malformed("no opening boundary"))?
            + delimiter.len()
    };
    let mut files = Vec::new();
    for _ in 0..=MAX_PARTS {
        let rest = body.get(pos..).unwrap_or_default();
        if rest.starts_with(b"--") {
            return Ok((files, fields));
        }
        // Transport padding after a delimiter is allowed before its CRLF.
        let line_end =
            find(body, b"\r\n", pos).ok_or(MultipartError::Malformed("no closing boundary"))?;
        if body[pos..line_end]
            .iter()
            .any(|b| !matches!(b, b' ' | b'\t'))
        {
            return Err(MultipartError::Malformed("text after a boundary"));
        }
        let headers_start = line_end + 2;
        // Searched from the boundary line's CRLF, so a part without headers is seen as one.
        let headers_end = find(body, b"\r\n\r\n", line_end)
            .filter(|end| end.saturating_sub(headers_start) <= MAX_PART_HEADERS)
            .ok_or(MultipartError::Malformed("part headers"))?;
        let content_start = headers_end + 4;
        let content_end = find(body, &delimiter, content_start)
            .ok_or(MultipartError::Malformed("no closing boundary"))?;
        let head = body
            .get(headers_start.min(headers_end)..headers_end)
            .unwrap_or_default();
        let head = std::str::from_utf8(head)
            .map_err(|_| MultipartError::Malformed("part headers are not UTF-8"))?;
        let (field, file) = part_headers(head)?;
        let content = &body[content_start..content_end];
        match file {
            Some((filename, content_type)) => {
                if content.len() > max_file {
                    return Err(MultipartError::FileTooLarge(filename));
                }
                files.push(FilePart {
                    field,
                    filename,
                    content_type,
                    content: content.to_vec(),
                });
            }
            None => {
                if content.len() > MAX_PLAIN_FIELD {
                    return Err(MultipartError::Malformed("a plain field is too long"));
                }
                let value = std::str::from_utf8(content)
                    .map_err(|_| MultipartError::Malformed("a plain field is not UTF-8"))?;
                fields.push((field, value.to_string()));
            }
        }
        pos = content_end + delimiter.len();
    }
    Err(MultipartError::Malformed("too many parts"))
}

type PartHead = (String, Option<(String, Option<String>)>);

/// A part's field name, with its filename and content type when it carries a file.
fn part_headers(head: &str) -> Result<PartHead, MultipartError> {
    let mut disposition = None;
    let mut content_type = None;
    for line in head.split("\r\n").filter(|l| !l.is_empty()) {
        let (name, value) = line
            .split_once(':')
            .ok_or(MultipartError::Malformed("part header without a colon"))?;
        match name.trim().to_ascii_lowercase().as_str() {
            "content-disposition" => disposition = Some(value.trim().to_string()),
            "content-type" => content_type = Some(value.trim().to_string()),
            _ => {}
        }
    }
    let disposition = disposition.ok_or(MultipartError::Malformed(
        "part without Content-Disposition",
    ))?;
    let params = split_params(&disposition);
    let mut params = params.iter().map(String::as_str);
    let kind = params.next().unwrap_or("").trim();
    if !kind.eq_ignore_ascii_case("form-data") {
        return Err(MultipartError::Malformed("part is not form-data"));
    }
    let (mut field, mut filename, mut extended) = (None, None, None);
    for param in params {
        let Some((key, value)) = param.split_once('=') else {
            continue;
        };
        let value = value.trim();
        let unquoted = unquote(value);
        match key.trim().to_ascii_lowercase().as_str() {
            "name" => field = Some(unquoted),
            "filename" => filename = Some(unquoted),
            "filename*" => extended = ext_value(value),
            _ => {}
        }
    }
    let field = field.ok_or(MultipartError::Malformed("part without a name"))?;
    Ok((
        field,
        extended.or(filename).map(|name| (name, content_type)),
    ))
}

/// `a; b="c;d"; e` → `["a", " b=\"c;d\"", " e"]`: semicolons inside quotes (which
/// browsers leave in filenames) do not split.
fn split_params(header: &str) -> Vec<String> {
    let (mut out, mut current) = (Vec::new(), String::new());
    let (mut quoted, mut escaped) = (false, false);
    for c in header.chars() {
        match c {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            ';' if !quoted => {
                out.push(std::mem::take(&mut current));
                continue;
            }
            _ => {}
        }
        current.push(c);
    }
    out.push(current);
    out
}

/// A quoted-string's content (backslash escapes undone), or the token as it is.
fn unquote(value: &str) -> String {
    let Some(inner) = value.strip_prefix('"').and_then(|v| v.strip_suffix('"')) else {
        return value.to_string();
    };
    let (mut out, mut escaped) = (String::with_capacity(inner.len()), false);
    for c in inner.chars() {
        if c == '\\' && !escaped {
            escaped = true;
        } else {
            out.push(c);
            escaped = false;
        }
    }
    out
}

/// An RFC 8187 `UTF-8''percent%20encoded` value.
fn ext_value(value: &str) -> Option<String> {
    let (charset, rest) = value.split_once('\'')?;
    let (_, encoded) = rest.split_once('\'')?;
    if !charset.eq_ignore_ascii_case("utf-8") {
        return None;
    }
    let bytes = encoded.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// The first index of `needle` in `haystack` at or after `from`.
fn find(haystack: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    let first = *needle.first()?;
    let mut start = from;
    while let Some(offset) = haystack.get(start..)?.iter().position(|&b| b == first) {
        let at = start + offset;
        if haystack.get(at..at + needle.len())? == needle {
            return Some(at);
        }
        start = at + 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(parts: &[(&str, &str)]) -> Vec<u8> {
        let mut out = Vec::new();
        for (head, content) in parts {
            out.extend_from_slice(format!("--XyZ\r\n{head}\r\n\r\n{content}\r\n").as_bytes());
        }
        out.extend_from_slice(b"--XyZ--\r\n");
        out
    }

    #[test]
    fn boundaries_come_from_the_content_type() {
        assert_eq!(
            boundary("multipart/form-data; boundary=abc").as_deref(),
            Some("abc")
        );
        assert_eq!(
            boundary("Multipart/Form-Data; charset=x; BOUNDARY=\"a b\"").as_deref(),
            Some("a b")
        );
        assert_eq!(boundary("application/json"), None);
        assert_eq!(boundary("multipart/form-data"), None);
        assert_eq!(
            boundary(&format!("multipart/form-data; boundary={}", "a".repeat(71))),
            None
        );
    }

    #[test]
    fn reads_files_and_skips_plain_fields() {
        let raw = body(&[
            (
                "Content-Disposition: form-data; name=\"files\"; filename=\"a.txt\"\r\nContent-Type: text/plain",
                "hello\r\n--Xy",
            ),
            ("Content-Disposition: form-data; name=\"note\"", "plain"),
            (
                "content-disposition: form-data; name=files; filename*=UTF-8''%C3%A9.png",
                "",
            ),
        ]);
        let files = parse(&raw, "XyZ", 1024).unwrap();
        assert_eq!(files.len(), 2);
        assert_eq!(files[0].filename, "a.txt");
        assert_eq!(files[0].content, b"hello\r\n--Xy");
        assert_eq!(files[0].content_type.as_deref(), Some("text/plain"));
        assert_eq!(files[1].filename, "é.png");
        let quoted = body(&[(
            "Content-Disposition: form-data; name=\"files\"; filename=\"a;b \\\"c\\\".png\"",
            "x",
        )]);
        assert_eq!(
            parse(&quoted, "XyZ", 10).unwrap()[0].filename,
            "a;b \"c\".png"
        );
        assert!(files[1].content.is_empty());
    }

    #[test]
    fn refuses_malformed_bodies_and_large_files() {
        let ok = body(&[(
            "Content-Disposition: form-data; name=\"files\"; filename=\"a\"",
            "12345",
        )]);
        assert!(matches!(
            parse(&ok, "XyZ", 4),
            Err(MultipartError::FileTooLarge(_))
        ));
        assert!(
            parse(&ok[..ok.len() - 9], "XyZ", 10).is_err(),
            "no closing delimiter"
        );
        assert!(parse(b"garbage", "XyZ", 10).is_err());
        assert!(parse(b"--XyZ\r\nno headers end", "XyZ", 10).is_err());
        let no_disposition = body(&[("Content-Type: text/plain", "x")]);
        assert!(parse(&no_disposition, "XyZ", 10).is_err());
        let not_form = body(&[("Content-Disposition: attachment; name=\"f\"", "x")]);
        assert!(parse(&not_form, "XyZ", 10).is_err());
        let many = body(&vec![
            ("Content-Disposition: form-data; name=\"x\"", "1");
            101
        ]);
        assert!(parse(&many, "XyZ", 10).is_err());
        assert_eq!(parse(b"--XyZ--", "XyZ", 10).unwrap(), vec![]);
    }
}

//! The file module through the routes (issue 13 item 4): `POST /admin/uploads` (multipart),
//! `GET|DELETE /admin/uploads/:id`, and `GET /static/:name` with its caching, ranges and
//! safe content types. Files live in the store; nothing touches the filesystem.

use crate::common;

use common::TestApp;
use common::client::{Reply, connect, send, write_request};
use serde_json::{Value, json};
use std::io::Read;

const BOUNDARY: &str = "----stockroom-test-7f3a";

struct Admin {
    app: TestApp,
    auth: String,
}

/// One part: field name, filename, content type, bytes.
type Part<'a> = (&'a str, &'a str, &'a str, &'a [u8]);

fn multipart(parts: &[Part<'_>]) -> Vec<u8> {
    let mut body = Vec::new();
    for (field, filename, content_type, bytes) in parts {
        body.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{field}\"; \
                 filename=\"{filename}\"\r\nContent-Type: {content_type}\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    body
}

impl Admin {
    fn new() -> Self {
        let app = TestApp::start();
        let auth = format!("Bearer {}", app.admin_token());
        Admin { app, auth }
    }

    fn post_raw(&self, content_type: &str, body: &[u8]) -> Reply {
        send(
            &self.app.addr,
            "POST",
            "/admin/uploads",
            &[
                ("authorization", &self.auth),
                ("content-type", content_type),
            ],
            Some(body),
        )
    }

    fn upload(&self, parts: &[Part<'_>]) -> Vec<Value> {
        let ct = format!("multipart/form-data; boundary={BOUNDARY}");
        let reply = self.post_raw(&ct, &multipart(parts));
        assert_eq!(reply.status, 200, "{}", reply.text());
        reply.json()["files"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    fn admin(&self, method: &str, path: &str) -> Reply {
        send(
            &self.app.addr,
            method,
            path,
            &[("authorization", &self.auth)],
            None,
        )
    }

    /// A public request (no credentials) with extra headers.
    fn public(&self, method: &str, path: &str, headers: &[(&str, &str)]) -> Reply {
        send(&self.app.addr, method, path, headers, None)
    }
}

/// The path of a file's url (the test client sends `Host: test`).
fn path_of(file: &Value) -> String {
    let url = file["url"].as_str().unwrap_or_default();
    url.strip_prefix("http://test")
        .unwrap_or_else(|| panic!("url on the request's host: {url}"))
        .to_string()
}

fn all_bytes() -> Vec<u8> {
    (0..=255u8).cycle().take(1000).collect()
}

#[test]
fn two_files_in_one_body_come_back_byte_identical() {
    let admin = Admin::new();
    let png = all_bytes();
    let text = b"plain text\r\n--not a boundary\r\n".to_vec();
    let files = admin.upload(&[
        ("files", "photo 1.png", "image/png", &png),
        ("files", "notes.txt", "text/plain", &text),
    ]);
    assert_eq!(files.len(), 2, "{files:?}");
    let id = files[0]["id"].as_str().unwrap_or_default().to_string();
    assert!(id.starts_with("file_"), "{id}");
    assert_eq!(
        files[0]["url"],
        format!("http://test/static/{id}-photo_1.png")
    );
    for (file, bytes, ct) in [
        (&files[0], &png, "image/png"),
        (&files[1], &text, "text/plain"),
    ] {
        let reply = admin.public("GET", &path_of(file), &[]);
        assert_eq!(reply.status, 200, "{}", reply.text());
        assert_eq!(&reply.body, bytes);
        assert_eq!(reply.header("content-type"), Some(ct));
        assert_eq!(
            reply.header("content-length"),
            Some(&*bytes.len().to_string())
        );
        let etag = format!("\"{}\"", stockroom::crypto::sha256_hex(bytes));
        assert_eq!(reply.header("etag"), Some(etag.as_str()));
        assert_eq!(
            reply.header("cache-control"),
            Some("public, max-age=31536000, immutable")
        );
        assert_eq!(reply.header("x-content-type-options"), Some("nosniff"));
        assert!(
            reply
                .header("content-disposition")
                .unwrap_or("")
                .starts_with("inline")
        );
    }
    let got = admin.admin("GET", &format!("/admin/uploads/{id}"));
    assert_eq!(got.status, 200, "{}", got.text());
    assert_eq!(got.json(), json!({"file": files[0].clone()}));
}

#[test]
fn etags_ranges_and_head() {
    let admin = Admin::new();
    let bytes = all_bytes();
    let files = admin.upload(&[("files", "a.png", "image/png", &bytes)]);
    let path = path_of(&files[0]);
    let etag = admin
        .public("GET", &path, &[])
        .header("etag")
        .unwrap_or("")
        .to_string();

    let cached = admin.public("GET", &path, &[("if-none-match", &etag)]);
    assert_eq!(cached.status, 304);
    assert!(cached.body.is_empty());
    assert_eq!(cached.header("etag"), Some(etag.as_str()));
    let stale = admin.public("GET", &path, &[("if-none-match", "\"other\"")]);
    assert_eq!(stale.status, 200);

    let part = admin.public("GET", &path, &[("range", "bytes=10-19")]);
    assert_eq!(part.status, 206);
    assert_eq!(part.body, bytes[10..20]);
    assert_eq!(part.header("content-range"), Some("bytes 10-19/1000"));
    assert_eq!(part.header("content-length"), Some("10"));
    let suffix = admin.public("GET", &path, &[("range", "bytes=-5")]);
    assert_eq!(
        (suffix.status, suffix.body.as_slice()),
        (206, &bytes[995..])
    );
    let open = admin.public("GET", &path, &[("range", "bytes=990-")]);
    assert_eq!(open.header("content-range"), Some("bytes 990-999/1000"));

    let outside = admin.public("GET", &path, &[("range", "bytes=1000-1001")]);
    assert_eq!(outside.status, 416, "{}", outside.text());
    assert_eq!(outside.header("content-range"), Some("bytes */1000"));
    assert_eq!(outside.json()["type"], "invalid_data");

    let (head, rest) = head(&admin.app.addr, &path);
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    assert!(head.contains("\r\ncontent-length: 1000\r\n"), "{head}");
    assert!(head.contains(&format!("\r\netag: {etag}\r\n")), "{head}");
    assert!(rest.is_empty(), "HEAD sent a body");
}

/// A HEAD request on its own connection: the lower-cased head, and whatever followed it
/// before the server closed.
fn head(addr: &str, path: &str) -> (String, Vec<u8>) {
    let mut stream = connect(addr);
    write_request(&mut stream, "HEAD", path, &[], None, true);
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).expect("read until close");
    let end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a head")
        + 4;
    let text = String::from_utf8_lossy(&raw[..end]).to_ascii_lowercase();
    (
        text.replacen("http/1.1", "HTTP/1.1", 1),
        raw[end..].to_vec(),
    )
}

#[test]
fn deleted_files_are_gone() {
    let admin = Admin::new();
    let files = admin.upload(&[
        ("files", "a.txt", "text/plain", b"bye"),
        ("files", "empty.txt", "text/plain", b""),
    ]);
    let empty = admin.public("GET", &path_of(&files[1]), &[]);
    assert_eq!(
        (empty.status, empty.body.len()),
        (200, 0),
        "{}",
        empty.text()
    );
    assert_eq!(empty.header("content-length"), Some("0"));
    let past_the_end = admin.public("GET", &path_of(&files[1]), &[("range", "bytes=0-0")]);
    assert_eq!(past_the_end.status, 416);
    let id = files[0]["id"].as_str().unwrap_or_default().to_string();
    let reply = admin.admin("DELETE", &format!("/admin/uploads/{id}"));
    assert_eq!(reply.status, 200);
    assert_eq!(
        reply.json(),
        json!({"id": id, "object": "file", "deleted": true})
    );
    assert_eq!(admin.public("GET", &path_of(&files[0]), &[]).status, 404);
    let missing = admin.admin("GET", &format!("/admin/uploads/{id}"));
    assert_eq!(missing.status, 404);
    assert_eq!(
        missing.json(),
        json!({"type": "not_found", "message": format!("File with id: {id} not found")})
    );
}

#[test]
fn markup_and_unknown_types_are_attachments() {
    let admin = Admin::new();
    let files = admin.upload(&[
        ("files", "x.html", "text/html", b"<script>alert(1)</script>"),
        ("files", "x.svg", "image/svg+xml", b"<svg onload=alert(1)/>"),
        ("files", "x.xhtml", "application/xhtml+xml", b"<html/>"),
        ("files", "x.bin", "application/x-what", b"\0\x01"),
        ("files", "x", "not a type", b"?"),
    ]);
    let types = [
        "text/html",
        "image/svg+xml",
        "application/xhtml+xml",
        "application/x-what",
        "application/octet-stream",
    ];
    for (file, ct) in files.iter().zip(types) {
        let reply = admin.public("GET", &path_of(file), &[]);
        assert_eq!(reply.status, 200);
        assert_eq!(reply.header("content-type"), Some(ct));
        let disposition = reply.header("content-disposition").unwrap_or("");
        assert!(
            disposition.starts_with("attachment;"),
            "{ct}: {disposition}"
        );
        assert_eq!(reply.header("x-content-type-options"), Some("nosniff"));
    }
}

#[test]
fn bad_bodies_and_names_are_refused() {
    let admin = Admin::new();
    let ct = format!("multipart/form-data; boundary={BOUNDARY}");
    let whole = multipart(&[("files", "a.txt", "text/plain", b"abc")]);
    for body in [&whole[..whole.len() - 10], b"no boundary at all".as_slice()] {
        let reply = admin.post_raw(&ct, body);
        assert_eq!(reply.status, 400, "{}", reply.text());
        assert_eq!(reply.json()["type"], "invalid_data");
    }
    let no_boundary = admin.post_raw("multipart/form-data", &whole);
    assert_eq!(no_boundary.status, 400);
    let json_body = admin.post_raw("application/json", b"{}");
    assert_eq!(
        json_body.json(),
        json!({"type": "invalid_data", "message": "No files were uploaded"})
    );
    let other_field = admin.post_raw(&ct, &multipart(&[("image", "a.txt", "text/plain", b"x")]));
    assert_eq!(
        other_field.json(),
        json!({"type": "invalid_data", "message": "Unexpected field: image"})
    );

    let files = admin.upload(&[("files", "a.txt", "text/plain", b"abc")]);
    let id = files[0]["id"].as_str().unwrap_or_default().to_string();
    for path in [
        format!("/static/{id}"),
        format!("/static/{id}-b.txt"),
        format!("/static/{id}-..%2f..%2fa.txt"),
        "/static/..%2f..%2fetc%2fpasswd".to_string(),
        "/static/file_UNKNOWN-a.txt".to_string(),
    ] {
        let reply = admin.public("GET", &path, &[]);
        assert_eq!(reply.status, 404, "{path}: {}", reply.text());
        assert_eq!(reply.json()["type"], "not_found", "{path}");
    }
}

#[test]
fn the_routes_are_admin_only_and_documented() {
    let app = TestApp::start();
    for (method, path) in [
        ("POST", "/admin/uploads"),
        ("GET", "/admin/uploads/file_1"),
        ("DELETE", "/admin/uploads/file_1"),
    ] {
        let reply = app.request(method, path, &[], None);
        assert_eq!(reply.status, 401, "{method} {path}");
    }
    let doc = app.get("/openapi.json").json();
    for (path, method) in [
        ("/admin/uploads", "post"),
        ("/admin/uploads/{id}", "get"),
        ("/admin/uploads/{id}", "delete"),
        ("/static/{name}", "get"),
    ] {
        assert!(doc["paths"][path][method].is_object(), "{method} {path}");
    }
}

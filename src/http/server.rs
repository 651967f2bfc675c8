//! The HTTP server: the patched tiny_http (TCP_NODELAY, bounded headers, whole requests read
//! on their connection's thread within a deadline, connection timeouts; see
//! `vendor/tiny_http/README.stockroom.md`). Each request runs on its connection's own thread
//! once a place in the gate (`http/gate.rs`; the `workers` setting bounds how many run at
//! once) is free: it is turned into a [`Request`], the route's handler runs under
//! `catch_unwind`, and the JSON answer is written.
//!
//! [`serve`] takes a pre-bound listener so tests bind port 0; [`RunningServer::shutdown`]
//! stops taking requests, lets in-flight ones finish, and closes the listener.

use super::cors::CorsConfig;
use super::gate::{Gate, Pass};
use super::{Body, Request, Response, Route, auth, query};
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::metrics::Metrics;
use std::io::Read;
use std::net::{SocketAddr, TcpListener};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Settings of the HTTP layer.
#[derive(Debug, Clone)]
pub struct HttpOptions {
    /// Requests whose handlers run at once; each runs on its connection's own thread and
    /// the rest wait their turn. Handlers spend much of their time waiting for the writer's
    /// commit, so more places than cores keep the writer's batches full: at 8 checkout
    /// clients, 4 places made requests queue behind ones waiting for an fsync.
    pub workers: usize,
    /// Largest accepted request body in bytes (larger → 413).
    pub body_limit: usize,
    /// Idle/read/write timeout per connection (`None` = never).
    pub connection_timeout: Option<Duration>,
    /// Total time to read one request, line, headers and body (`None` = no total bound).
    /// Requests are read whole on their connection's thread before a handler sees them.
    pub request_timeout: Option<Duration>,
    /// Most connections open at once (each holds a thread and two file descriptors); lowered
    /// at start to what the open-files limit allows. Beyond it, connections wait in the
    /// listen backlog.
    pub max_connections: usize,
    /// Origin lists per route family.
    pub cors: CorsConfig,
    /// Print one access-log line per request to stderr.
    pub access_log: bool,
    /// Write the access log as one JSON object per line (`--access-log json`).
    pub access_log_json: bool,
    /// Request counters for `/metrics` (`None`: not counted).
    pub metrics: Option<Arc<Metrics>>,
}

impl Default for HttpOptions {
    fn default() -> Self {
        HttpOptions {
            workers: 8,
            body_limit: 1 << 20,
            connection_timeout: Some(Duration::from_secs(30)),
            request_timeout: Some(Duration::from_secs(10)),
            max_connections: crate::config::DEFAULT_MAX_CONNECTIONS,
            cors: CorsConfig::default(),
            access_log: true,
            access_log_json: false,
            metrics: None,
        }
    }
}

/// A server that is accepting requests.
pub struct RunningServer {
    addr: SocketAddr,
    http: Option<tiny_http::Server>,
    gate: Arc<Gate>,
}

/// Starts serving `engine` on an already-bound `listener`.
///
/// # Errors
/// The listener cannot be used.
pub fn serve(engine: Engine, listener: TcpListener, options: HttpOptions) -> Result<RunningServer> {
    let addr = listener
        .local_addr()
        .map_err(|e| Error::Internal(format!("listener: {e}")))?;
    // Linux copies TCP_NODELAY from the listener to accepted sockets; the patched tiny_http
    // sets it per socket as well.
    let limits = tiny_http::ConnectionLimits {
        idle_timeout: options.connection_timeout,
        request_timeout: options.request_timeout,
        body_limit: options.body_limit,
        max_connections: connections_within_fd_limit(options.max_connections),
        pressure_idle_timeout: Duration::from_secs(1),
        worker_write_budget: Duration::from_millis(50),
        // Room for 16 full bodies at once (64 MiB at the 1 MiB default), whatever the
        // number of connections.
        body_budget: options.body_limit.saturating_mul(16).max(16 << 20),
    };
    if let Some(metrics) = &options.metrics {
        metrics.install(engine.router());
    }
    let gate = Arc::new(Gate::new(engine, options.workers.max(1)));
    let serve = {
        let gate = gate.clone();
        Arc::new(move |raw: tiny_http::Request| serve_on_connection(&gate, raw, &options, addr))
    };
    let http = tiny_http::Server::from_listener_serving(listener, None, limits, serve)
        .map_err(|e| Error::Internal(format!("http server: {e}")))?;
    Ok(RunningServer {
        addr,
        http: Some(http),
        gate,
    })
}

impl RunningServer {
    /// The bound address (the real port when bound to port 0).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Graceful stop: no new requests are taken (they are answered 503), requests already
    /// taken finish and are answered, then the listening socket closes.
    pub fn shutdown(mut self) {
        self.stop();
    }

    fn stop(&mut self) {
        let Some(http) = self.http.take() else { return };
        self.gate.close();
        // Answers are written by their connections' threads; let those finish.
        http.finish_writes(Duration::from_secs(5));
        // Dropping the server closes the listener and stops the accept thread.
    }
}

impl Drop for RunningServer {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Runs on a connection's thread for each of its requests, once a place in the gate is free.
fn serve_on_connection(
    gate: &Gate,
    raw: tiny_http::Request,
    options: &HttpOptions,
    addr: SocketAddr,
) {
    let Some(pass) = gate.enter() else {
        let mut response = Response::json(serde_json::json!({
            "type": "unexpected_state",
            "message": "The server is shutting down",
        }));
        response.status = 503;
        let _ = raw.respond(to_tiny(response));
        return;
    };
    handle(pass, raw, options, addr);
}

/// Serves one request end to end; never panics outward.
fn handle(pass: Pass, mut raw: tiny_http::Request, options: &HttpOptions, addr: SocketAddr) {
    let engine = &pass.engine.clone();
    let started = Instant::now();
    let method = routed_method(raw.method());
    let url = raw.url().to_string();
    let (path, query_string) = url.split_once('?').unwrap_or((url.as_str(), ""));
    let origin = header_value(&raw, "origin");
    let mut matched = None;
    let response = if method == "OPTIONS" {
        preflight(options, path, origin.as_deref())
    } else {
        let outcome = build_request(&mut raw, &method, path, query_string, options).and_then(
            |mut request| {
                request.local_addr = Some(addr);
                let (outcome, route) = dispatch(engine, request);
                matched = route;
                outcome
            },
        );
        let mut response = outcome.unwrap_or_else(|e| Response::from_error(&e));
        response
            .headers
            .extend(options.cors.response_headers(path, origin.as_deref()));
        response
    };
    let status = response.status;
    // The place is given back before the answer is written: a client slow to read it holds
    // only its own connection's thread.
    drop(pass);
    let _ = raw.respond(to_tiny(response));
    let elapsed = started.elapsed();
    let route = matched.map(|r| (r.method, r.pattern.as_str()));
    if let Some(metrics) = &options.metrics {
        metrics.record(route, status, elapsed);
    }
    if options.access_log_json {
        // The path only: never the query string or a header (they carry tokens).
        let line = serde_json::json!({
            "time": engine.clock().now_iso(), "method": method, "path": path,
            "route": route.map(|(_, pattern)| pattern), "status": status,
            "duration_us": u64::try_from(elapsed.as_micros()).unwrap_or(u64::MAX),
        });
        log_line(line.to_string());
    } else if options.access_log {
        log_line(format!(
            "{method} {path} {status} {}us",
            elapsed.as_micros()
        ));
    }
}

/// Writes one access-log line with a single `write` (formatting macros write piecewise, so
/// lines of concurrent requests could interleave, and a line cut by a kill be half-written).
fn log_line(mut line: String) {
    use std::io::Write;
    line.push('\n');
    let _ = std::io::stderr().lock().write_all(line.as_bytes());
}

/// The connection cap the process can honour: each connection holds two file descriptors, so
/// the cap is lowered to what the soft open-files limit allows, keeping 64 descriptors for the
/// store, its readers and the listener. (Past the fd limit, accepting would fail instead of
/// queueing in the backlog.)
fn connections_within_fd_limit(asked: usize) -> usize {
    match soft_open_files_limit() {
        Some(limit) => asked.min(limit.saturating_sub(64) / 2).max(1),
        None => asked.max(1),
    }
}

/// The soft `RLIMIT_NOFILE`, from `/proc/self/limits` (Linux); `None` elsewhere or unlimited.
fn soft_open_files_limit() -> Option<usize> {
    let limits = std::fs::read_to_string("/proc/self/limits").ok()?;
    let line = limits.lines().find(|l| l.starts_with("Max open files"))?;
    line.split_whitespace().nth(3)?.parse().ok()
}

/// The method a request is routed by: `HEAD` is answered as `GET` (tiny_http leaves the body
/// out and keeps its `Content-Length`).
fn routed_method(method: &tiny_http::Method) -> String {
    match method {
        tiny_http::Method::Head => "GET".to_string(),
        other => other.as_str().to_ascii_uppercase(),
    }
}

fn preflight(options: &HttpOptions, path: &str, origin: Option<&str>) -> Response {
    let mut response = Response::empty(204);
    response.headers = options.cors.preflight_headers(path, origin);
    response
}

/// Route lookup, access check, and the handler under `catch_unwind`; with the route matched
/// (for the metrics), if any.
pub(crate) fn dispatch(
    engine: &Engine,
    mut request: Request,
) -> (Result<Response>, Option<&Route>) {
    let (route, params) = match engine.router().find(&request.method, &request.path) {
        Ok(found) => found,
        Err(e) => return (Err(e), None),
    };
    request.params = params;
    if let Err(e) = auth::authorize(engine, &mut request, route.access) {
        return (Err(e), Some(route));
    }
    let handler = route.handler().clone();
    let outcome = catch_unwind(AssertUnwindSafe(|| handler(engine, &request)))
        .unwrap_or_else(|_| Err(Error::Internal("handler panicked".into())));
    (outcome, Some(route))
}

/// Reads headers, query and a bounded body into a [`Request`].
fn build_request(
    raw: &mut tiny_http::Request,
    method: &str,
    path: &str,
    query_string: &str,
    options: &HttpOptions,
) -> Result<Request> {
    let query = query::parse_query(query_string).map_err(|e| Error::InvalidData(e.to_string()))?;
    let headers = raw
        .headers()
        .iter()
        .map(|h| {
            (
                h.field.as_str().as_str().to_ascii_lowercase(),
                h.value.as_str().to_string(),
            )
        })
        .collect();
    let body = read_body(raw, options.body_limit)?;
    Ok(Request {
        method: method.to_string(),
        path: percent_decode_path(path),
        query,
        headers,
        body,
        remote_addr: raw.remote_addr().map(|a| a.ip()),
        ..Request::default()
    })
}

/// The body, at most `limit` bytes; a larger declared or actual body is a 413. The patched
/// tiny_http has already read it on the connection's thread, so it is moved out, not copied
/// (the reader is the fallback for requests built without that step).
fn read_body(raw: &mut tiny_http::Request, limit: usize) -> Result<Vec<u8>> {
    if raw.body_length().is_some_and(|len| len > limit) {
        return Err(Error::PayloadTooLarge(limit));
    }
    let body = match raw.take_buffered_body() {
        Some(body) => body,
        None => {
            let mut body = Vec::new();
            raw.as_reader()
                .take(limit as u64 + 1)
                .read_to_end(&mut body)
                .map_err(|_| Error::InvalidData("The request body could not be read".into()))?;
            body
        }
    };
    if body.len() > limit {
        return Err(Error::PayloadTooLarge(limit));
    }
    Ok(body)
}

fn header_value(raw: &tiny_http::Request, name: &str) -> Option<String> {
    raw.headers()
        .iter()
        .find(|h| h.field.as_str().as_str().eq_ignore_ascii_case(name))
        .map(|h| h.value.as_str().to_string())
}

/// Decodes `%XX` in the path (ids never need it, but clients may encode anyway). Invalid
/// escapes are kept as they are, so the route simply does not match.
fn percent_decode_path(path: &str) -> String {
    if !path.contains('%') {
        return path.to_string();
    }
    let bytes = path.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok());
        match (bytes[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8(out).unwrap_or_else(|_| path.to_string())
}

/// A reply's bytes: owned, or shared with a memo (sent without a copy).
enum Payload {
    Owned(Vec<u8>),
    Shared(std::sync::Arc<str>),
}

impl AsRef<[u8]> for Payload {
    fn as_ref(&self) -> &[u8] {
        match self {
            Payload::Owned(bytes) => bytes,
            Payload::Shared(text) => text.as_bytes(),
        }
    }
}

fn to_tiny(response: Response) -> tiny_http::Response<std::io::Cursor<Payload>> {
    const JSON: &str = "application/json; charset=utf-8";
    let (content_type, bytes): (String, Payload) = match response.body {
        // Straight into bytes: `to_string` goes through `Display`'s fmt adapter.
        Body::Json(value) => (
            JSON.into(),
            Payload::Owned(serde_json::to_vec(&value).unwrap_or_default()),
        ),
        Body::RawJson(json) => (JSON.into(), Payload::Owned(json.into_bytes())),
        Body::SharedJson(json) => (JSON.into(), Payload::Shared(json)),
        Body::Text(text) => (
            "text/plain; charset=utf-8".into(),
            Payload::Owned(text.into_bytes()),
        ),
        Body::Bytes { content_type, data } => (content_type, Payload::Owned(data)),
        Body::Empty => (String::new(), Payload::Owned(Vec::new())),
    };
    let length = bytes.as_ref().len();
    let mut out = tiny_http::Response::new(
        tiny_http::StatusCode(response.status),
        Vec::new(),
        std::io::Cursor::new(bytes),
        Some(length),
        None,
    )
    // Send Content-Length, never chunked: simpler for every client.
    .with_chunked_threshold(usize::MAX);
    if !content_type.is_empty() {
        out = with_header(out, "Content-Type", &content_type);
    }
    for (name, value) in &response.headers {
        out = with_header(out, name, value);
    }
    out
}

fn with_header<R: Read>(
    response: tiny_http::Response<R>,
    name: &str,
    value: &str,
) -> tiny_http::Response<R> {
    match tiny_http::Header::from_bytes(name.as_bytes(), value.as_bytes()) {
        Ok(header) => response.with_header(header),
        Err(()) => response,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_connection_cap_fits_the_open_files_limit() {
        let capped = connections_within_fd_limit(usize::MAX);
        match soft_open_files_limit() {
            Some(limit) => assert_eq!(capped, (limit.saturating_sub(64) / 2).max(1)),
            None => assert_eq!(capped, usize::MAX),
        }
        assert_eq!(connections_within_fd_limit(8), 8.min(capped));
        assert_eq!(connections_within_fd_limit(0), 1);
    }

    #[test]
    fn decodes_percent_escapes_in_paths() {
        assert_eq!(
            percent_decode_path("/store/products/prod%5F1"),
            "/store/products/prod_1"
        );
        assert_eq!(percent_decode_path("/a%zz"), "/a%zz");
        assert_eq!(percent_decode_path("/plain"), "/plain");
    }
}

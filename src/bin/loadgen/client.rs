//! Keep-alive HTTP/1.1 client ([`Client`]) bound to one [`Target`], and percent-encoding.
//!
//! A connection is re-opened after `Connection: close`, an HTTP/1.0 response or any error; a
//! request that fails on a *reused* connection before any response byte arrived (the server
//! closed an idle keep-alive connection) is retried once on a fresh one.

use crate::config::Config;
use crate::http::{Conn, Target, TransportError};
use std::fmt::Write as _;
use std::io::{self, Write};
use std::net::TcpStream;
use std::time::Duration;

/// Keep-alive HTTP/1.1 client bound to one [`Target`]; reconnects when needed.
pub struct Client<'t> {
    /// Where requests go.
    target: &'t Target,
    /// Connect / read / write timeout.
    timeout: Duration,
    /// Pre-rendered fixed headers (Host, key, user headers), each ending in CRLF.
    header_block: String,
    /// The user supplied a content-type header.
    has_content_type: bool,
    /// Current connection, if any.
    conn: Option<Conn>,
    /// Request buffer, reused.
    req: Vec<u8>,
    /// Body of the last response (up to [`MAX_KEEP`](crate::http::MAX_KEEP) bytes).
    pub body: Vec<u8>,
    /// Connections opened.
    pub connects: u64,
}

impl<'t> Client<'t> {
    /// Creates a client; no connection is opened until the first request.
    pub fn new(target: &'t Target, cfg: &Config) -> Self {
        let mut header_block = format!("Host: {}\r\n", target.host);
        header_block.push_str("User-Agent: stockroom-loadgen/1\r\nAccept: application/json\r\n");
        if let Some(k) = &cfg.key {
            let _ = write!(header_block, "x-publishable-api-key: {k}\r\n");
        }
        let mut has_content_type = false;
        for (k, v) in &cfg.headers {
            has_content_type |= k.eq_ignore_ascii_case("content-type");
            let _ = write!(header_block, "{k}: {v}\r\n");
        }
        Client {
            target,
            timeout: cfg.timeout,
            header_block,
            has_content_type,
            conn: None,
            req: Vec::with_capacity(1024),
            body: Vec::with_capacity(16 * 1024),
            connects: 0,
        }
    }

    /// Opens a new connection with `TCP_NODELAY` and I/O timeouts.
    fn connect(&self) -> Result<Conn, TransportError> {
        let stream = TcpStream::connect_timeout(&self.target.addr, self.timeout).map_err(|e| {
            match e.kind() {
                io::ErrorKind::ConnectionRefused => TransportError::ConnectRefused,
                io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock => {
                    TransportError::ConnectTimeout
                }
                _ => TransportError::Connect,
            }
        })?;
        stream
            .set_nodelay(true)
            .and_then(|()| stream.set_read_timeout(Some(self.timeout)))
            .and_then(|()| stream.set_write_timeout(Some(self.timeout)))
            .map_err(|_| TransportError::Connect)?;
        Ok(Conn::new(stream))
    }

    /// Renders the request line, headers and body into `self.req`.
    fn render_request(&mut self, method: &str, path: &str, body: Option<&[u8]>) {
        self.req.clear();
        self.req.extend_from_slice(method.as_bytes());
        self.req.push(b' ');
        self.req.extend_from_slice(self.target.prefix.as_bytes());
        self.req.extend_from_slice(path.as_bytes());
        self.req.extend_from_slice(b" HTTP/1.1\r\n");
        self.req.extend_from_slice(self.header_block.as_bytes());
        match body {
            Some(b) => {
                if !self.has_content_type {
                    self.req
                        .extend_from_slice(b"Content-Type: application/json\r\n");
                }
                let _ = write!(self.req, "Content-Length: {}\r\n\r\n", b.len());
                self.req.extend_from_slice(b);
            }
            None if method != "GET" && method != "HEAD" => {
                self.req.extend_from_slice(b"Content-Length: 0\r\n\r\n");
            }
            None => self.req.extend_from_slice(b"\r\n"),
        }
    }

    /// Sends one request and reads the whole response; the body is left in `self.body`.
    /// `path` is relative to the base URL's prefix and includes the query string.
    pub fn request(
        &mut self,
        method: &str,
        path: &str,
        body: Option<&[u8]>,
    ) -> Result<u16, TransportError> {
        self.render_request(method, path, body);
        let head_only = method == "HEAD";
        let mut attempt = 0;
        loop {
            attempt += 1;
            if self.conn.is_none() {
                let c = self.connect()?;
                self.connects += 1;
                self.conn = Some(c);
            }
            let Some(conn) = self.conn.as_mut() else {
                return Err(TransportError::Connect);
            };
            let reused = conn.served > 0;
            match conn.exchange(&self.req, head_only, &mut self.body) {
                Ok((status, close)) => {
                    if close {
                        self.conn = None;
                    }
                    return Ok(status);
                }
                Err(e) => {
                    let nothing_received = conn.got == 0;
                    self.conn = None;
                    let stale = matches!(
                        e,
                        TransportError::Closed | TransportError::Reset | TransportError::Write
                    );
                    if attempt == 1 && reused && nothing_received && stale {
                        continue; // idle keep-alive connection closed by the server: retry once
                    }
                    return Err(e);
                }
            }
        }
    }
}

/// Percent-encodes a value for use in a path segment or query parameter.
pub fn enc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

//! HTTP/1.1 transport: base-URL parsing ([`Target`]), response-head and chunk parsing, and one
//! keep-alive connection with its read buffer ([`Conn`]), plus the transport error kinds.
//!
//! Responses are framed by `Content-Length`, `Transfer-Encoding: chunked`, or connection close.

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::ops::Range;

/// Kind of transport-level failure (no usable HTTP response).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TransportError {
    /// Connection refused.
    ConnectRefused,
    /// Connect timed out.
    ConnectTimeout,
    /// Any other connect failure (including socket option errors).
    Connect,
    /// Writing the request failed.
    Write,
    /// A read or write exceeded `--timeout`.
    Timeout,
    /// Connection reset / aborted / broken pipe while reading.
    Reset,
    /// Peer closed the connection before the response was complete.
    Closed,
    /// Response could not be parsed as HTTP/1.x.
    Malformed,
    /// Any other I/O error.
    Io,
}

impl TransportError {
    /// Stable name used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            TransportError::ConnectRefused => "connect_refused",
            TransportError::ConnectTimeout => "connect_timeout",
            TransportError::Connect => "connect_error",
            TransportError::Write => "write_error",
            TransportError::Timeout => "timeout",
            TransportError::Reset => "reset",
            TransportError::Closed => "closed",
            TransportError::Malformed => "malformed_response",
            TransportError::Io => "io_error",
        }
    }

    /// Whether this is a connect failure (the client then backs off briefly).
    pub fn is_connect(self) -> bool {
        matches!(
            self,
            TransportError::ConnectRefused
                | TransportError::ConnectTimeout
                | TransportError::Connect
        )
    }
}

/// Maps an I/O error from an established connection to a [`TransportError`].
fn classify(e: &io::Error) -> TransportError {
    match e.kind() {
        io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock => TransportError::Timeout,
        io::ErrorKind::ConnectionReset
        | io::ErrorKind::ConnectionAborted
        | io::ErrorKind::BrokenPipe => TransportError::Reset,
        io::ErrorKind::UnexpectedEof => TransportError::Closed,
        _ => TransportError::Io,
    }
}

/// Largest response head accepted.
const MAX_HEAD: usize = 256 * 1024;
/// Largest chunk-size / trailer line accepted.
const MAX_LINE: usize = 16 * 1024;
/// Response bodies beyond this many bytes are read but not kept.
pub const MAX_KEEP: usize = 16 * 1024 * 1024;
/// Minimum free buffer space before a read.
const MIN_READ: usize = 4096;

/// Where to send requests, parsed from `--base`.
#[derive(Clone, Debug)]
pub struct Target {
    /// Resolved socket address.
    pub addr: SocketAddr,
    /// `Host` header value (`host:port` as given).
    pub host: String,
    /// Path prefix of the base URL (no trailing slash), prepended to every path.
    pub prefix: String,
    /// Base URL for display.
    pub display: String,
}

/// Parses an `http://host[:port][/prefix]` base URL and resolves it.
pub fn parse_base(base: &str) -> Result<Target, String> {
    let rest = base
        .strip_prefix("http://")
        .ok_or("--base must start with http:// (TLS is not supported)")?;
    let (authority, prefix) = match rest.find('/') {
        Some(i) => (&rest[..i], rest[i..].trim_end_matches('/')),
        None => (rest, ""),
    };
    if authority.is_empty() {
        return Err(format!("--base {base}: missing host"));
    }
    let has_port = if authority.starts_with('[') {
        authority.contains("]:")
    } else {
        authority.contains(':')
    };
    let with_port = if has_port {
        authority.to_string()
    } else {
        format!("{authority}:80")
    };
    let addr = with_port
        .to_socket_addrs()
        .map_err(|e| format!("--base {base}: cannot resolve {with_port}: {e}"))?
        .next()
        .ok_or_else(|| format!("--base {base}: {with_port} resolved to no address"))?;
    Ok(Target {
        addr,
        host: authority.to_string(),
        prefix: prefix.to_string(),
        display: base.trim_end_matches('/').to_string(),
    })
}

/// Finds `needle` in `hay`.
pub fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Parsed response head.
#[derive(Debug)]
struct Head {
    /// Status code.
    status: u16,
    /// `Content-Length`, if present.
    content_length: Option<u64>,
    /// `Transfer-Encoding: chunked`.
    chunked: bool,
    /// The connection must be closed after this response.
    close: bool,
}

/// Parses an `HTTP/1.x NNN ...` status line into (status, whether the response is HTTP/1.0).
fn parse_status_line(status_line: &[u8]) -> Result<(u16, bool), TransportError> {
    if status_line.len() < 12 || !status_line.starts_with(b"HTTP/1.") || status_line[8] != b' ' {
        return Err(TransportError::Malformed);
    }
    let http10 = status_line[7] == b'0';
    let digits = &status_line[9..12];
    if !digits.iter().all(u8::is_ascii_digit) {
        return Err(TransportError::Malformed);
    }
    let status = digits
        .iter()
        .fold(0u16, |acc, d| acc * 10 + u16::from(d - b'0'));
    Ok((status, http10))
}

/// Parses a response head (status line + headers, without the final blank line).
fn parse_head(bytes: &[u8]) -> Result<Head, TransportError> {
    let mut lines = bytes
        .split(|&b| b == b'\n')
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l));
    let (status, http10) = parse_status_line(lines.next().ok_or(TransportError::Malformed)?)?;
    let mut head = Head {
        status,
        content_length: None,
        chunked: false,
        close: false,
    };
    let mut keep_alive = false;
    for line in lines {
        let Some(colon) = line.iter().position(|&b| b == b':') else {
            continue;
        };
        let name = line[..colon].trim_ascii();
        let value = line[colon + 1..].trim_ascii();
        if name.eq_ignore_ascii_case(b"content-length") {
            let v = std::str::from_utf8(value)
                .ok()
                .and_then(|s| s.parse::<u64>().ok())
                .ok_or(TransportError::Malformed)?;
            head.content_length = Some(v);
        } else if name.eq_ignore_ascii_case(b"transfer-encoding") {
            head.chunked = value.to_ascii_lowercase().ends_with(b"chunked");
        } else if name.eq_ignore_ascii_case(b"connection") {
            for token in value.split(|&b| b == b',') {
                let token = token.trim_ascii();
                if token.eq_ignore_ascii_case(b"close") {
                    head.close = true;
                } else if token.eq_ignore_ascii_case(b"keep-alive") {
                    keep_alive = true;
                }
            }
        }
    }
    if http10 && !keep_alive {
        head.close = true;
    }
    Ok(head)
}

/// Parses a chunk-size line (hex size, optional `;extensions`).
fn parse_chunk_size(line: &[u8]) -> Result<u64, TransportError> {
    let end = line.iter().position(|&b| b == b';').unwrap_or(line.len());
    let hex =
        std::str::from_utf8(line[..end].trim_ascii()).map_err(|_| TransportError::Malformed)?;
    if hex.is_empty() || hex.len() > 15 {
        return Err(TransportError::Malformed);
    }
    u64::from_str_radix(hex, 16).map_err(|_| TransportError::Malformed)
}

/// One open connection with its read buffer.
pub struct Conn {
    /// The socket.
    stream: TcpStream,
    /// Read buffer; unconsumed bytes are `buf[pos..len]`.
    buf: Vec<u8>,
    /// Start of unconsumed bytes.
    pos: usize,
    /// End of valid bytes.
    len: usize,
    /// Bytes received for the current response (0 means nothing arrived yet).
    pub got: u64,
    /// Responses completed on this connection.
    pub served: u64,
}

impl Conn {
    /// Wraps a connected socket.
    pub fn new(stream: TcpStream) -> Self {
        Conn {
            stream,
            buf: vec![0; 16 * 1024],
            pos: 0,
            len: 0,
            got: 0,
            served: 0,
        }
    }

    /// Reads more bytes into the buffer; returns 0 at end of stream.
    fn fill(&mut self) -> Result<usize, TransportError> {
        if self.pos == self.len {
            self.pos = 0;
            self.len = 0;
        } else if self.buf.len() - self.len < MIN_READ {
            if self.pos > 0 {
                self.buf.copy_within(self.pos..self.len, 0);
                self.len -= self.pos;
                self.pos = 0;
            }
            if self.buf.len() - self.len < MIN_READ {
                let n = self.buf.len() * 2;
                self.buf.resize(n, 0);
            }
        }
        loop {
            match self.stream.read(&mut self.buf[self.len..]) {
                Ok(n) => {
                    self.len += n;
                    self.got += n as u64;
                    return Ok(n);
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(classify(&e)),
            }
        }
    }

    /// Reads and parses a response head, consuming it and its blank line.
    fn read_head(&mut self) -> Result<Head, TransportError> {
        let mut scanned = 0;
        loop {
            let avail = &self.buf[self.pos..self.len];
            if let Some(i) = find(&avail[scanned..], b"\r\n\r\n") {
                let end = scanned + i;
                let head = parse_head(&avail[..end])?;
                self.pos += end + 4;
                return Ok(head);
            }
            scanned = avail.len().saturating_sub(3);
            if avail.len() > MAX_HEAD {
                return Err(TransportError::Malformed);
            }
            if self.fill()? == 0 {
                return Err(TransportError::Closed);
            }
        }
    }

    /// Finds the next CRLF-terminated line; returns its range (without CRLF) in `buf`.
    /// The caller must set `pos = range.end + 2` once done with it.
    fn read_line(&mut self) -> Result<Range<usize>, TransportError> {
        let mut scanned = 0;
        loop {
            let avail = &self.buf[self.pos..self.len];
            if let Some(i) = find(&avail[scanned..], b"\r\n") {
                return Ok(self.pos..self.pos + scanned + i);
            }
            scanned = avail.len().saturating_sub(1);
            if avail.len() > MAX_LINE {
                return Err(TransportError::Malformed);
            }
            if self.fill()? == 0 {
                return Err(TransportError::Closed);
            }
        }
    }

    /// Consumes exactly `n` body bytes, appending them to `body` (up to [`MAX_KEEP`]).
    fn take(&mut self, mut n: u64, body: &mut Vec<u8>) -> Result<(), TransportError> {
        while n > 0 {
            if self.pos == self.len && self.fill()? == 0 {
                return Err(TransportError::Closed);
            }
            let k = ((self.len - self.pos) as u64).min(n) as usize;
            if body.len() + k <= MAX_KEEP {
                body.extend_from_slice(&self.buf[self.pos..self.pos + k]);
            }
            self.pos += k;
            n -= k as u64;
        }
        Ok(())
    }

    /// Reads a chunked body including trailers.
    fn read_chunked(&mut self, body: &mut Vec<u8>) -> Result<(), TransportError> {
        loop {
            let r = self.read_line()?;
            let size = parse_chunk_size(&self.buf[r.clone()])?;
            self.pos = r.end + 2;
            if size == 0 {
                loop {
                    let r = self.read_line()?;
                    self.pos = r.end + 2;
                    if r.is_empty() {
                        return Ok(());
                    }
                }
            }
            self.take(size, body)?;
            let r = self.read_line()?;
            if !r.is_empty() {
                return Err(TransportError::Malformed);
            }
            self.pos = r.end + 2;
        }
    }

    /// Reads the body described by `head`; returns whether the connection must be closed.
    fn read_body(
        &mut self,
        head: &Head,
        head_only: bool,
        body: &mut Vec<u8>,
    ) -> Result<bool, TransportError> {
        let s = head.status;
        if head_only || (100..200).contains(&s) || s == 204 || s == 304 {
            return Ok(head.close);
        }
        if head.chunked {
            self.read_chunked(body)?;
            Ok(head.close)
        } else if let Some(n) = head.content_length {
            self.take(n, body)?;
            Ok(head.close)
        } else {
            // Delimited by connection close.
            loop {
                if self.pos == self.len && self.fill()? == 0 {
                    return Ok(true);
                }
                let n = (self.len - self.pos) as u64;
                self.take(n, body)?;
            }
        }
    }

    /// Writes one request and reads its response into `body`; returns (status, must_close).
    pub fn exchange(
        &mut self,
        req: &[u8],
        head_only: bool,
        body: &mut Vec<u8>,
    ) -> Result<(u16, bool), TransportError> {
        self.got = 0;
        body.clear();
        self.stream.write_all(req).map_err(|e| match classify(&e) {
            TransportError::Timeout => TransportError::Timeout,
            _ => TransportError::Write,
        })?;
        loop {
            let head = self.read_head()?;
            if (100..200).contains(&head.status) && head.status != 101 {
                continue; // interim response (e.g. 100 Continue)
            }
            let close = self.read_body(&head, head_only, body)?;
            self.served += 1;
            return Ok((head.status, close || head.status == 101));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn head_and_chunks() {
        let h = parse_head(b"HTTP/1.1 201 Created\r\nContent-Length: 12\r\nConnection: close")
            .expect("head");
        assert_eq!((h.status, h.content_length, h.close), (201, Some(12), true));
        let h = parse_head(b"HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked").expect("head");
        assert!(h.chunked && h.close);
        assert!(parse_head(b"garbage").is_err());
        assert_eq!(parse_chunk_size(b"1aF;ext=1").ok(), Some(0x1af));
        assert!(parse_chunk_size(b"").is_err());
    }
}

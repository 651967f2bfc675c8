//! The till's HTTP client to central: plain `http://` over `std::net`, one request per
//! connection (`Connection: close`), timeouts on connect, read and write, a bounded answer.
//! `https://` needs a TLS crate; until then put central behind a TLS-terminating reverse
//! proxy on its side and stunnel (or a VPN) on the till's, and point the till at plain http
//! on loopback.

use crate::error::{Error, Result};
use serde_json::Value;
use std::io::{Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;

/// The largest answer read (a page of changes is well under it).
const MAX_ANSWER: u64 = 64 * 1024 * 1024;

/// Where central is and how to sign in.
#[derive(Clone)]
pub struct Central {
    host: String,
    port: u16,
    key: String,
    /// Connect, read and write timeouts.
    pub timeout: Duration,
}

impl std::fmt::Debug for Central {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Central({}:{}, key redacted)", self.host, self.port)
    }
}

impl Central {
    /// Central at `url` (`http://host:port`), signing in with the secret key `key`.
    ///
    /// # Errors
    /// 400 for a URL that is not `http://host[:port]`.
    pub fn new(url: &str, key: &str) -> Result<Central> {
        let rest = url
            .trim_end_matches('/')
            .strip_prefix("http://")
            .ok_or_else(|| {
                Error::invalid(
                    "central must be an http:// URL (https: put a TLS proxy in front, see README)",
                )
            })?;
        if rest.contains('/') || rest.is_empty() {
            return Err(Error::invalid(
                "central must be http://host[:port] with no path",
            ));
        }
        let (host, port) = match rest.rsplit_once(':') {
            Some((h, p)) => (
                h.to_string(),
                p.parse()
                    .map_err(|_| Error::invalid(format!("bad port in {url}")))?,
            ),
            None => (rest.to_string(), 80),
        };
        Ok(Central {
            host,
            port,
            key: key.to_string(),
            timeout: Duration::from_secs(10),
        })
    }

    /// `GET path`: the JSON answer of a 2xx; otherwise an error with central's message.
    ///
    /// # Errors
    /// Network failures and timeouts (`Internal`), central's refusals (its status class).
    pub fn get(&self, path: &str) -> Result<Value> {
        self.call("GET", path, None)
    }

    /// `POST path` with a JSON body.
    ///
    /// # Errors
    /// As [`Central::get`].
    pub fn post(&self, path: &str, body: &Value) -> Result<Value> {
        self.call("POST", path, Some(body.to_string()))
    }

    fn call(&self, method: &str, path: &str, body: Option<String>) -> Result<Value> {
        let unreachable = |e: std::io::Error| Error::Internal(format!("central unreachable: {e}"));
        let addr = (self.host.as_str(), self.port)
            .to_socket_addrs()
            .map_err(unreachable)?
            .next()
            .ok_or_else(|| Error::Internal(format!("central {} does not resolve", self.host)))?;
        let mut stream = TcpStream::connect_timeout(&addr, self.timeout).map_err(unreachable)?;
        stream
            .set_read_timeout(Some(self.timeout))
            .map_err(unreachable)?;
        stream
            .set_write_timeout(Some(self.timeout))
            .map_err(unreachable)?;
        let body = body.unwrap_or_default();
        let head = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}:{}\r\nAuthorization: Basic {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            self.host,
            self.port,
            self.key,
            body.len()
        );
        stream.write_all(head.as_bytes()).map_err(unreachable)?;
        stream.write_all(body.as_bytes()).map_err(unreachable)?;
        let mut raw = Vec::new();
        stream
            .take(MAX_ANSWER)
            .read_to_end(&mut raw)
            .map_err(unreachable)?;
        let (status, answer) = parse_answer(&raw)?;
        let json: Value = serde_json::from_slice(&answer).unwrap_or(Value::Null);
        if (200..300).contains(&status) {
            return Ok(json);
        }
        let message = json["message"].as_str().unwrap_or("no message").to_string();
        Err(match status {
            400 => Error::invalid(format!("central refused: {message}")),
            401 | 403 => Error::AuthFailed(format!("central refused the key: {message}")),
            404 => Error::NotFound(format!("central: {message}")),
            409 => Error::Conflict(format!("central: {message}")),
            _ => Error::Internal(format!("central answered {status}: {message}")),
        })
    }
}

/// Status and body of a raw HTTP/1.1 answer (Content-Length, chunked, or to the close).
fn parse_answer(raw: &[u8]) -> Result<(u16, Vec<u8>)> {
    let bad = || Error::Internal("central sent a malformed answer".into());
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(bad)?;
    let head = std::str::from_utf8(&raw[..split]).map_err(|_| bad())?;
    let rest = &raw[split + 4..];
    let mut lines = head.split("\r\n");
    let status: u16 = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .ok_or_else(bad)?;
    let header = |name: &str| {
        head.split("\r\n").skip(1).find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.trim()
                .eq_ignore_ascii_case(name)
                .then(|| v.trim().to_string())
        })
    };
    if header("transfer-encoding").is_some_and(|v| v.eq_ignore_ascii_case("chunked")) {
        return Ok((status, dechunk(rest).ok_or_else(bad)?));
    }
    let body = match header("content-length").and_then(|v| v.parse::<usize>().ok()) {
        Some(n) if n <= rest.len() => rest[..n].to_vec(),
        Some(_) => return Err(Error::Internal("central's answer was cut short".into())),
        None => rest.to_vec(),
    };
    Ok((status, body))
}

fn dechunk(mut rest: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        let line_end = rest.windows(2).position(|w| w == b"\r\n")?;
        let size_text = std::str::from_utf8(&rest[..line_end]).ok()?;
        let size = usize::from_str_radix(size_text.split(';').next()?.trim(), 16).ok()?;
        rest = &rest[line_end + 2..];
        if size == 0 {
            return Some(out);
        }
        out.extend_from_slice(rest.get(..size)?);
        rest = rest.get(size + 2..)?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_length_and_chunked_answers() {
        let plain = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}";
        assert_eq!(parse_answer(plain).unwrap(), (200, b"{}".to_vec()));
        let chunked = b"HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{\"\r\n4\r\na\":1\r\n1\r\n}\r\n0\r\n\r\n";
        assert_eq!(parse_answer(chunked).unwrap(), (201, b"{\"a\":1}".to_vec()));
        let cut = b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n{}";
        assert!(parse_answer(cut).is_err());
        assert!(parse_answer(b"garbage").is_err());
    }

    #[test]
    fn only_plain_http_urls() {
        assert!(Central::new("https://x:1", "sk").is_err());
        assert!(Central::new("http://x:1/path", "sk").is_err());
        let c = Central::new("http://127.0.0.1:9000/", "sk_secret").unwrap();
        assert_eq!((c.host.as_str(), c.port), ("127.0.0.1", 9000));
        assert!(!format!("{c:?}").contains("sk_secret"));
    }
}

use ascii::AsciiString;

use std::io::Error as IoError;
use std::io::Result as IoResult;
use std::io::{BufRead, BufReader, BufWriter, ErrorKind};

use std::net::SocketAddr;
use std::str::FromStr;
use std::sync::Arc;

use crate::common::{HTTPVersion, Method};
use crate::util::body_budget::{BodyBudget, UNCOUNTED};
use crate::util::refined_tcp_stream::ReadDeadline;
use std::time::Instant;
use crate::util::RefinedTcpStream;
use crate::ConnectionLimits;
use crate::util::{SequentialReader, SequentialReaderBuilder, SequentialWriterBuilder};
use crate::Request;

/// A ClientConnection is an object that will store a socket to a client
/// and return Request objects.
pub struct ClientConnection {
    // address of the client
    remote_addr: IoResult<Option<SocketAddr>>,

    // sequence of Readers to the stream, so that the data is not read in
    //  the wrong order
    source: SequentialReaderBuilder<BufReader<RefinedTcpStream>>,

    // sequence of Writers to the stream, to avoid writing response #2 before
    //  response #1
    sink: SequentialWriterBuilder<BufWriter<RefinedTcpStream>>,

    // Reader to read the next header from
    next_header_source: SequentialReader<BufReader<RefinedTcpStream>>,

    // set to true if we know that the previous request is the last one
    no_more_requests: bool,

    // true if the connection goes through SSL
    secure: bool,

    /// PATCH(limits): the read half's per-request deadline, and what one request may take.
    deadline: Arc<ReadDeadline>,
    limits: ConnectionLimits,
    /// PATCH(limits): the server-wide memory budget for bodies read ahead.
    body_budget: Arc<BodyBudget>,
}

/// PATCH(limits): a request or header line is at most 8 KiB.
const MAX_LINE: usize = 8192;
/// PATCH(limits): at most 100 headers per request.
const MAX_HEADERS: usize = 100;

/// Error that can happen when reading a request.
#[derive(Debug)]
enum ReadError {
    WrongRequestLine,
    WrongHeader(HTTPVersion),
    /// PATCH(limits): request line over `MAX_LINE` (414).
    UriTooLong,
    /// PATCH(limits): a header line over `MAX_LINE` or more than `MAX_HEADERS` headers (431).
    HeadersTooLarge(HTTPVersion),
    /// the client sent an unrecognized `Expect` header
    ExpectationFailed(HTTPVersion),
    ReadIoError(IoError),
}

impl ClientConnection {
    /// Creates a new `ClientConnection` that takes ownership of the `TcpStream`.
    pub(crate) fn new(
        write_socket: RefinedTcpStream,
        mut read_socket: RefinedTcpStream,
        deadline: Arc<ReadDeadline>,
        limits: ConnectionLimits,
        body_budget: Arc<BodyBudget>,
    ) -> ClientConnection {
        let remote_addr = read_socket.peer_addr();
        let secure = read_socket.secure();

        let mut source = SequentialReaderBuilder::new(BufReader::with_capacity(1024, read_socket));
        let first_header = source.next().unwrap();

        ClientConnection {
            source,
            // PATCH(limits): a 1 KiB buffer turned a 142 KB product page into ~140 write calls.
            sink: SequentialWriterBuilder::new(BufWriter::with_capacity(64 * 1024, write_socket)),
            remote_addr,
            next_header_source: first_header,
            no_more_requests: false,
            secure,
            deadline,
            limits,
            body_budget,
        }
    }

    /// true if the connection is HTTPS
    // PATCH(limits): plain and TLS connections are now served alike, so nothing asks.
    #[allow(dead_code)]
    pub fn secure(&self) -> bool {
        self.secure
    }

    /// Reads the next line from self.next_header_source.
    ///
    /// Reads until `CRLF` is reached. The next read will start
    ///  at the first byte of the new line.
    ///
    /// PATCH(limits): with `starts_request`, the request deadline is armed when the line's
    /// first byte arrives (waiting for that byte is idle time, bounded by the idle timeout).
    /// A line over `MAX_LINE` is an `InvalidData` error.
    fn read_next_line(&mut self, starts_request: bool) -> IoResult<AsciiString> {
        let mut buf = Vec::new();
        let mut prev_byte_was_cr = false;

        // PATCH(perf): the bytes already buffered are searched in place for the line's end
        // (one `fill_buf` per chunk, not one `read` call per byte, and no per-byte push);
        // the rules are upstream's: a line ends at CR LF, a lone LF is part of the line.
        loop {
            let chunk = self.next_header_source.fill_buf()?;
            if chunk.is_empty() {
                return Err(IoError::new(ErrorKind::ConnectionAborted, "Unexpected EOF"));
            }
            if starts_request && buf.is_empty() && !prev_byte_was_cr {
                self.deadline.arm(self.limits.request_timeout);
            }
            let end = chunk.iter().enumerate().position(|(i, &byte)| {
                byte == b'\n'
                    && if i == 0 {
                        prev_byte_was_cr
                    } else {
                        chunk[i - 1] == b'\r'
                    }
            });
            let taken = end.unwrap_or(chunk.len());
            // PATCH(limits): bound a request/header line (no limit upstream)
            if buf.len() + taken > MAX_LINE {
                return Err(IoError::new(ErrorKind::InvalidData, "header line too long"));
            }
            buf.extend_from_slice(&chunk[..taken]);
            prev_byte_was_cr = buf.last() == Some(&b'\r');
            match end {
                Some(at) => {
                    self.next_header_source.consume(at + 1);
                    buf.pop(); // removing the '\r'
                    return AsciiString::from_ascii(buf).map_err(|_| {
                        IoError::new(ErrorKind::InvalidInput, "Header is not in ASCII")
                    });
                }
                None => {
                    let used = chunk.len();
                    self.next_header_source.consume(used);
                }
            }
        }
    }

    /// Reads a request from the stream.
    /// Blocks until the header has been read.
    fn read(&mut self) -> Result<Request, ReadError> {
        let (method, path, version, headers) = {
            // reading the request line
            let (method, path, version) = {
                let line = self.read_next_line(true).map_err(|e| match e.kind() {
                    ErrorKind::InvalidData => ReadError::UriTooLong,
                    _ => ReadError::ReadIoError(e),
                })?;

                parse_request_line(
                    line.as_str().trim(), // TODO: remove this conversion
                )?
            };

            // getting all headers
            let headers = {
                let mut headers = Vec::new();
                loop {
                    let line = self.read_next_line(false).map_err(|e| match e.kind() {
                        ErrorKind::InvalidData => ReadError::HeadersTooLarge(version.clone()),
                        _ => ReadError::ReadIoError(e),
                    })?;

                    if line.is_empty() {
                        break;
                    };
                    // PATCH(limits): bound the number of headers
                    if headers.len() >= MAX_HEADERS {
                        return Err(ReadError::HeadersTooLarge(version));
                    }
                    headers.push(match FromStr::from_str(line.as_str().trim()) {
                        // TODO: remove this conversion
                        Ok(h) => h,
                        _ => return Err(ReadError::WrongHeader(version)),
                    });
                }

                headers
            };

            (method, path, version, headers)
        };

        // building the writer for the request
        let writer = self.sink.next().unwrap();

        // follow-up for next potential request
        let mut data_source = self.source.next().unwrap();
        std::mem::swap(&mut self.next_header_source, &mut data_source);

        // building the next reader
        let request = crate::request::new_request(
            self.secure,
            method,
            path,
            version.clone(),
            headers,
            *self.remote_addr.as_ref().unwrap(),
            data_source,
            writer,
            // Chunked framing may at most double a body, plus a margin for chunk lines.
            (self.limits.body_limit as u64).saturating_mul(2).saturating_add(64 * 1024),
        )
        .map_err(|e| {
            use crate::request;
            match e {
                request::RequestCreationError::CreationIoError(e) => ReadError::ReadIoError(e),
                request::RequestCreationError::BadContentLength => {
                    ReadError::WrongHeader(version.clone())
                }
                request::RequestCreationError::ExpectationFailed => {
                    ReadError::ExpectationFailed(version)
                }
            }
        })?;

        // return the request
        Ok(request)
    }
}

/// PATCH(limits): requests rejected before they reach the application still get a JSON error
/// body in Medusa's `{type, message}` shape, so every 4xx a client sees can be parsed the same way.
/// These answers all close the connection, so they say so (`Connection: close`).
fn json_error(status: u16, message: &str) -> crate::Response<std::io::Cursor<Vec<u8>>> {
    let body = format!("{{\"type\":\"invalid_data\",\"message\":\"{message}\"}}");
    let content_type =
        crate::Header::from_bytes(&b"Content-Type"[..], &b"application/json; charset=utf-8"[..])
            .expect("static header is valid");
    crate::Response::from_data(body.into_bytes())
        .with_status_code(crate::StatusCode(status))
        .with_header(content_type)
        .with_connection_close()
}

impl ClientConnection {
    /// PATCH(limits): answers a request this connection refuses before it reaches the
    /// application; the connection closes afterwards.
    fn refuse(&mut self, version: HTTPVersion, status: u16, message: &str) {
        let writer = self.sink.next().unwrap();
        json_error(status, message)
            .raw_print(writer, version, &[], false, None)
            .ok();
    }

    /// PATCH(limits): reads the body of `rq` on this thread within the request deadline.
    /// `None` when the request was answered here (timeout, unreadable body) and the
    /// connection must close.
    fn buffer_body(&mut self, mut rq: Request) -> Option<Request> {
        let expected = rq.expected_body(self.limits.body_limit);
        if expected > UNCOUNTED {
            let until = self.limits.request_timeout.map(|t| Instant::now() + t);
            let Some(permit) = self.body_budget.reserve(expected, until) else {
                self.deadline.disarm();
                let message = "Too many request bodies in progress, retry shortly";
                rq.respond(json_error(503, message)).ok();
                self.no_more_requests = true;
                return None;
            };
            rq.hold(permit);
        }
        let outcome = rq.buffer_body(self.limits.body_limit);
        self.deadline.disarm();
        match outcome {
            Ok(true) => Some(rq),
            Ok(false) => {
                self.no_more_requests = true;
                Some(rq)
            }
            Err(e) => {
                let (status, message) = if e.kind() == ErrorKind::TimedOut {
                    (408, "Request timed out")
                } else {
                    (400, "The request body could not be read")
                };
                rq.respond(json_error(status, message)).ok();
                self.no_more_requests = true;
                None
            }
        }
    }
}

impl Iterator for ClientConnection {
    type Item = Request;

    /// Blocks until the next Request is available.
    /// Returns None when no new Requests will come from the client.
    fn next(&mut self) -> Option<Request> {
        // the client sent a "connection: close" header in this previous request
        //  or is using HTTP 1.0, meaning that no new request will come
        if self.no_more_requests {
            return None;
        }

        {
            let rq = match self.read() {
                Err(ReadError::WrongRequestLine) => {
                    self.refuse(HTTPVersion(1, 1), 400, "Malformed HTTP request line");
                    return None; // we don't know where the next request would start,
                                 // se we have to close
                }

                Err(ReadError::WrongHeader(ver)) => {
                    self.refuse(ver, 400, "Malformed HTTP header");
                    return None; // we don't know where the next request would start,
                                 // se we have to close
                }

                Err(ReadError::UriTooLong) => {
                    self.refuse(HTTPVersion(1, 1), 414, "The request line is too long");
                    return None;
                }

                Err(ReadError::HeadersTooLarge(ver)) => {
                    self.refuse(ver, 431, "Too many or too long HTTP headers");
                    return None;
                }

                Err(ReadError::ReadIoError(ref err)) if err.kind() == ErrorKind::TimedOut => {
                    self.refuse(HTTPVersion(1, 1), 408, "Request timed out");
                    return None; // closing the connection
                }

                Err(ReadError::ExpectationFailed(ver)) => {
                    let writer = self.sink.next().unwrap();
                    let response = json_error(417, "Expectation failed");
                    response.raw_print(writer, ver, &[], true, None).ok();
                    return None; // TODO: should be recoverable, but needs handling in case of body
                }

                Err(ReadError::ReadIoError(_)) => return None,

                Ok(rq) => rq,
            };

            // checking HTTP version
            // PATCH(limits): answered as JSON and the connection closed (upstream went on
            // reading the unread body as the next request).
            if *rq.http_version() > (1, 1) {
                self.deadline.disarm();
                json_error(505, "This server only supports HTTP versions 1.0 and 1.1")
                    .raw_print(rq.into_writer(), HTTPVersion(1, 1), &[], false, None)
                    .ok();
                return None;
            }

            // updating the status of the connection
            let connection_header = rq
                .headers()
                .iter()
                .find(|h| h.field.equiv("Connection"))
                .map(|h| h.value.as_str());

            let lowercase = connection_header.map(|h| h.to_ascii_lowercase());

            match lowercase {
                Some(ref val) if val.contains("close") => self.no_more_requests = true,
                Some(ref val) if val.contains("upgrade") => self.no_more_requests = true,
                Some(ref val)
                    if !val.contains("keep-alive") && *rq.http_version() == HTTPVersion(1, 0) =>
                {
                    self.no_more_requests = true
                }
                None if *rq.http_version() == HTTPVersion(1, 0) => self.no_more_requests = true,
                _ => (),
            };

            // returning the request, its body read whole
            self.buffer_body(rq)
        }
    }
}

/// Parses a "HTTP/1.1" string.
fn parse_http_version(version: &str) -> Result<HTTPVersion, ReadError> {
    let (major, minor) = match version {
        "HTTP/0.9" => (0, 9),
        "HTTP/1.0" => (1, 0),
        "HTTP/1.1" => (1, 1),
        "HTTP/2.0" => (2, 0),
        "HTTP/3.0" => (3, 0),
        _ => return Err(ReadError::WrongRequestLine),
    };

    Ok(HTTPVersion(major, minor))
}

/// Parses the request line of the request.
/// eg. GET / HTTP/1.1
fn parse_request_line(line: &str) -> Result<(Method, String, HTTPVersion), ReadError> {
    let mut parts = line.split(' ');

    let method = parts.next().and_then(|w| w.parse().ok());
    let path = parts.next().map(ToOwned::to_owned);
    let version = parts.next().and_then(|w| parse_http_version(w).ok());

    method
        .and_then(|method| Some((method, path?, version?)))
        .ok_or(ReadError::WrongRequestLine)
}

#[cfg(test)]
mod test {
    #[test]
    fn test_parse_request_line() {
        let (method, path, ver) = super::parse_request_line("GET /hello HTTP/1.1").unwrap();

        assert!(method == crate::Method::Get);
        assert!(path == "/hello");
        assert!(ver == crate::common::HTTPVersion(1, 1));

        assert!(super::parse_request_line("GET /hello").is_err());
        assert!(super::parse_request_line("qsd qsd qsd").is_err());
    }
}

use std::io::Error as IoError;
use std::io::{self, Cursor, ErrorKind, Read, Write};

use std::fmt;
use std::net::SocketAddr;
use std::str::FromStr;

use std::sync::mpsc::Sender;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use crate::util::{EqualReader, FusedReader};
use crate::{HTTPVersion, Header, Method, Response, StatusCode};
use chunked_transfer::Decoder;

/// Represents an HTTP request made by a client.
///
/// A `Request` object is what is produced by the server, and is your what
/// your code must analyse and answer.
///
/// This object implements the `Send` trait, therefore you can dispatch your requests to
/// worker threads.
///
/// # Pipelining
///
/// If a client sends multiple requests in a row (without waiting for the response), then you will
/// get multiple `Request` objects simultaneously. This is called *requests pipelining*.
/// Tiny-http automatically reorders the responses so that you don't need to worry about the order
/// in which you call `respond` or `into_writer`.
///
/// This mechanic is disabled if:
///
///  - The body of a request is large enough (handling requires pipelining requires storing the
///    body of the request in a buffer ; if the body is too big, tiny-http will avoid doing that)
///  - A request sends a `Expect: 100-continue` header (which means that the client waits to
///    know whether its body will be processed before sending it)
///  - A request sends a `Connection: close` header or `Connection: upgrade` header (used for
///    websockets), which indicates that this is the last request that will be received on this
///    connection
///
/// # Automatic cleanup
///
/// If a `Request` object is destroyed without `into_writer` or `respond` being called,
/// an empty response with a 500 status code (internal server error) will automatically be
/// sent back to the client.
/// This means that if your code fails during the handling of a request, this "internal server
/// error" response will automatically be sent during the stack unwinding.
///
/// # Testing
///
/// If you want to build fake requests to test your server, use [`TestRequest`](crate::test::TestRequest).
pub struct Request {
    // where to read the body from
    data_reader: Option<Box<dyn Read + Send + 'static>>,

    // if this writer is empty, then the request has been answered
    response_writer: Option<Box<dyn Write + Send + 'static>>,

    remote_addr: Option<SocketAddr>,

    // true if HTTPS, false if HTTP
    secure: bool,

    method: Method,

    path: String,

    http_version: HTTPVersion,

    headers: Vec<Header>,

    body_length: Option<usize>,

    // true if a `100 Continue` response must be sent when `as_reader()` is called
    must_send_continue: bool,

    // If Some, a message must be sent after responding
    notify_when_responded: Option<Sender<Answer>>,
    pending_writes: Option<Arc<PendingWrites>>,
    /// PATCH(limits): how long the worker may spend writing this request's answer.
    write_budget: Option<Duration>,
    /// PATCH(limits): the connection closes after this answer (its body was cut at the
    /// limit), so the answer says `Connection: close`.
    closes_connection: bool,
    /// PATCH(limits): this request's share of the server's body budget, held while its body
    /// is in memory (until the request is dropped).
    body_permit: Option<crate::util::body_budget::BodyPermit>,
    /// PATCH(limits): the body read ahead, moved out whole by `take_buffered_body`.
    buffered_body: Option<Vec<u8>>,
}

/// PATCH(limits): what a request hands back to its connection's thread once answered: the
/// connection's writer and the serialised answer, for that thread to write (`None` when the
/// application took the writer itself).
pub(crate) type Answer = Option<(Box<dyn Write + Send + 'static>, Vec<u8>)>;

/// PATCH(limits): answers handed to connection threads and not yet written, so a graceful
/// shutdown can wait for them.
#[derive(Default)]
pub(crate) struct PendingWrites {
    count: Mutex<usize>,
    zero: Condvar,
}

impl PendingWrites {
    fn add(&self) {
        *self.lock() += 1;
    }

    pub(crate) fn done(&self) {
        let mut count = self.lock();
        *count = count.saturating_sub(1);
        if *count == 0 {
            self.zero.notify_all();
        }
    }

    /// Waits until every handed-over answer is written, at most `limit`.
    pub(crate) fn wait(&self, limit: Duration) {
        let count = self.lock();
        let _ = self.zero.wait_timeout_while(count, limit, |count| *count > 0);
    }

    fn lock(&self) -> MutexGuard<'_, usize> {
        self.count.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

struct NotifyOnDrop<R> {
    sender: Sender<Answer>,
    inner: R,
}

impl<R: Read> Read for NotifyOnDrop<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.inner.read(buf)
    }
}
impl<R: Write> Write for NotifyOnDrop<R> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.inner.write(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}
impl<R> Drop for NotifyOnDrop<R> {
    fn drop(&mut self) {
        self.sender.send(None).ok();
    }
}

/// Error that can happen when building a `Request` object.
#[derive(Debug)]
pub enum RequestCreationError {
    /// The client sent an `Expect` header that was not recognized by tiny-http.
    ExpectationFailed,

    /// Error while reading data from the socket during the creation of the `Request`.
    CreationIoError(IoError),

    /// PATCH(limits): a `Content-Length` that is not one decimal number (or several that
    /// disagree), or framing that is not unambiguous (a `Transfer-Encoding` other than
    /// exactly `chunked`, or one sent with a `Content-Length`). Upstream read it as "no body" and parsed the body as the next request —
    /// a request-smuggling gap behind any proxy that reads the header differently.
    BadContentLength,
}

impl From<IoError> for RequestCreationError {
    fn from(err: IoError) -> RequestCreationError {
        RequestCreationError::CreationIoError(err)
    }
}

/// Builds a new request.
///
/// After the request line and headers have been read from the socket, a new `Request` object
/// is built.
///
/// You must pass a `Read` that will allow the `Request` object to read from the incoming data.
/// It is the responsibility of the `Request` to read only the data of the request and not further.
///
/// The `Write` object will be used by the `Request` to write the response.
#[allow(clippy::too_many_arguments)]
pub fn new_request<R, W>(
    secure: bool,
    method: Method,
    path: String,
    version: HTTPVersion,
    headers: Vec<Header>,
    remote_addr: Option<SocketAddr>,
    mut source_data: R,
    writer: W,
    chunked_cap: u64,
) -> Result<Request, RequestCreationError>
where
    R: Read + Send + 'static,
    W: Write + Send + 'static,
{
    // finding the transfer-encoding header
    let transfer_encoding = headers
        .iter()
        .find(|h: &&Header| h.field.equiv("Transfer-Encoding"))
        .map(|h| h.value.clone());

    // PATCH(limits): framing must be unambiguous. Upstream decoded any Transfer-Encoding
    // (`gzip`, `chunked, x`) as chunked and silently ignored a Content-Length sent with it;
    // a proxy that frames such a request differently would let a second request be smuggled
    // inside the body. Only exactly `chunked`, and never with a Content-Length, is accepted.
    let content_length = content_length_of(&headers)?;
    if let Some(coding) = &transfer_encoding {
        let chunked_only = coding.as_str().trim().eq_ignore_ascii_case("chunked");
        let several = headers
            .iter()
            .filter(|h| h.field.equiv("Transfer-Encoding"))
            .count()
            > 1;
        if !chunked_only || several || content_length.is_some() {
            return Err(RequestCreationError::BadContentLength);
        }
    }

    // true if the client sent a `Expect: 100-continue` header
    let expects_continue = {
        match headers
            .iter()
            .find(|h: &&Header| h.field.equiv("Expect"))
            .map(|h| h.value.as_str())
        {
            None => false,
            Some(v) if v.eq_ignore_ascii_case("100-continue") => true,
            _ => return Err(RequestCreationError::ExpectationFailed),
        }
    };

    // true if the client sent a `Connection: upgrade` header
    let connection_upgrade = {
        match headers
            .iter()
            .find(|h: &&Header| h.field.equiv("Connection"))
            .map(|h| h.value.as_str())
        {
            Some(v) if v.to_ascii_lowercase().contains("upgrade") => true,
            _ => false,
        }
    };

    // we wrap `source_data` around a reading whose nature depends on the transfer-encoding and
    // content-length headers
    let reader = if connection_upgrade {
        // if we have a `Connection: upgrade`, always keeping the whole reader
        Box::new(source_data) as Box<dyn Read + Send + 'static>
    } else if let Some(content_length) = content_length {
        if content_length == 0 {
            Box::new(io::empty()) as Box<dyn Read + Send + 'static>
        } else if content_length <= 1024 && !expects_continue {
            // if the content-length is small enough, we just read everything into a buffer

            let mut buffer = vec![0; content_length];
            let mut offset = 0;

            while offset != content_length {
                let read = source_data.read(&mut buffer[offset..])?;
                if read == 0 {
                    // the socket returned EOF, but we were before the expected content-length
                    // aborting
                    let info = "Connection has been closed before we received enough data";
                    let err = IoError::new(ErrorKind::ConnectionAborted, info);
                    return Err(RequestCreationError::CreationIoError(err));
                }

                offset += read;
            }

            Box::new(Cursor::new(buffer)) as Box<dyn Read + Send + 'static>
        } else {
            let (data_reader, _) = EqualReader::new(source_data, content_length); // TODO:
            Box::new(FusedReader::new(data_reader)) as Box<dyn Read + Send + 'static>
        }
    } else if transfer_encoding.is_some() {
        // if a transfer-encoding was specified, then "chunked" is ALWAYS applied
        // over the message (RFC2616 #3.6)
        // PATCH(limits): the decoder keeps chunk-size lines in memory and skips extensions
        // without bound; `chunked_cap` bounds the encoded bytes it may consume.
        Box::new(FusedReader::new(Decoder::new(source_data.take(chunked_cap))))
            as Box<dyn Read + Send + 'static>
    } else {
        // if we have neither a Content-Length nor a Transfer-Encoding,
        // assuming that we have no data
        // TODO: could also be multipart/byteranges
        Box::new(io::empty()) as Box<dyn Read + Send + 'static>
    };

    Ok(Request {
        data_reader: Some(reader),
        response_writer: Some(Box::new(writer) as Box<dyn Write + Send + 'static>),
        remote_addr,
        secure,
        method,
        path,
        http_version: version,
        headers,
        body_length: content_length,
        must_send_continue: expects_continue,
        notify_when_responded: None,
        pending_writes: None,
        write_budget: None,
        closes_connection: false,
        body_permit: None,
        buffered_body: None,
    })
}

impl Request {
    /// Returns true if the request was made through HTTPS.
    #[inline]
    pub fn secure(&self) -> bool {
        self.secure
    }

    /// Returns the method requested by the client (eg. `GET`, `POST`, etc.).
    #[inline]
    pub fn method(&self) -> &Method {
        &self.method
    }

    /// Returns the resource requested by the client.
    #[inline]
    pub fn url(&self) -> &str {
        &self.path
    }

    /// Returns a list of all headers sent by the client.
    #[inline]
    pub fn headers(&self) -> &[Header] {
        &self.headers
    }

    /// Returns the HTTP version of the request.
    #[inline]
    pub fn http_version(&self) -> &HTTPVersion {
        &self.http_version
    }

    /// Returns the length of the body in bytes.
    ///
    /// Returns `None` if the length is unknown.
    #[inline]
    pub fn body_length(&self) -> Option<usize> {
        self.body_length
    }

    /// Returns the address of the client that sent this request.
    ///
    /// The address is always `Some` for TCP listeners, but always `None` for UNIX listeners
    /// (as the remote address of a UNIX client is almost always unnamed).
    ///
    /// Note that this is gathered from the socket. If you receive the request from a proxy,
    /// this function will return the address of the proxy and not the address of the actual
    /// user.
    #[inline]
    pub fn remote_addr(&self) -> Option<&SocketAddr> {
        self.remote_addr.as_ref()
    }

    /// Sends a response with a `Connection: upgrade` header, then turns the `Request` into a `Stream`.
    ///
    /// The main purpose of this function is to support websockets.
    /// If you detect that the request wants to use some kind of protocol upgrade, you can
    ///  call this function to obtain full control of the socket stream.
    ///
    /// If you call this on a non-websocket request, tiny-http will wait until this `Stream` object
    ///  is destroyed before continuing to read or write on the socket. Therefore you should always
    ///  destroy it as soon as possible.
    pub fn upgrade<R: Read>(
        mut self,
        protocol: &str,
        response: Response<R>,
    ) -> Box<dyn ReadWrite + Send> {
        use crate::util::CustomStream;

        response
            .raw_print(
                self.response_writer.as_mut().unwrap().by_ref(),
                self.http_version.clone(),
                &self.headers,
                false,
                Some(protocol),
            )
            .ok(); // TODO: unused result

        self.response_writer.as_mut().unwrap().flush().ok(); // TODO: unused result

        let stream = CustomStream::new(self.extract_reader_impl(), self.extract_writer_impl());
        if let Some(sender) = self.notify_when_responded.take() {
            let stream = NotifyOnDrop {
                sender,
                inner: stream,
            };
            Box::new(stream) as Box<dyn ReadWrite + Send>
        } else {
            Box::new(stream) as Box<dyn ReadWrite + Send>
        }
    }

    /// Allows to read the body of the request.
    ///
    /// # Example
    ///
    /// ```no_run
    /// # extern crate rustc_serialize;
    /// # extern crate tiny_http;
    /// # use rustc_serialize::json::Json;
    /// # use std::io::Read;
    /// # fn get_content_type(_: &tiny_http::Request) -> &'static str { "" }
    /// # fn main() {
    /// # let server = tiny_http::Server::http("0.0.0.0:0").unwrap();
    /// let mut request = server.recv().unwrap();
    ///
    /// if get_content_type(&request) == "application/json" {
    ///     let mut content = String::new();
    ///     request.as_reader().read_to_string(&mut content).unwrap();
    ///     let json: Json = content.parse().unwrap();
    /// }
    /// # }
    /// ```
    ///
    /// If the client sent a `Expect: 100-continue` header with the request, calling this
    ///  function will send back a `100 Continue` response.
    #[inline]
    pub fn as_reader(&mut self) -> &mut dyn Read {
        if self.must_send_continue {
            let msg = Response::new_empty(StatusCode(100));
            msg.raw_print(
                self.response_writer.as_mut().unwrap().by_ref(),
                self.http_version.clone(),
                &self.headers,
                true,
                None,
            )
            .ok();
            self.response_writer.as_mut().unwrap().flush().ok();
            self.must_send_continue = false;
        }

        self.data_reader.as_mut().unwrap()
    }

    /// Turns the `Request` into a writer.
    ///
    /// The writer has a raw access to the stream to the user.
    /// This function is useful for things like CGI.
    ///
    /// Note that the destruction of the `Writer` object may trigger
    /// some events. For exemple if a client has sent multiple requests and the requests
    /// have been processed in parallel, the destruction of a writer will trigger
    /// the writing of the next response.
    /// Therefore you should always destroy the `Writer` as soon as possible.
    #[inline]
    pub fn into_writer(mut self) -> Box<dyn Write + Send + 'static> {
        let writer = self.extract_writer_impl();
        if let Some(sender) = self.notify_when_responded.take() {
            let writer = NotifyOnDrop {
                sender,
                inner: writer,
            };
            Box::new(writer) as Box<dyn Write + Send + 'static>
        } else {
            writer
        }
    }

    /// Extract the response `Writer` object from the Request, dropping this `Writer` has the same side effects
    /// as the object returned by `into_writer` above.
    ///
    /// This may only be called once on a single request.
    fn extract_writer_impl(&mut self) -> Box<dyn Write + Send + 'static> {
        use std::mem;

        assert!(self.response_writer.is_some());

        let mut writer = None;
        mem::swap(&mut self.response_writer, &mut writer);
        writer.unwrap()
    }

    /// Extract the body `Reader` object from the Request.
    ///
    /// This may only be called once on a single request.
    fn extract_reader_impl(&mut self) -> Box<dyn Read + Send + 'static> {
        use std::mem;

        assert!(self.data_reader.is_some());

        let mut reader = None;
        mem::swap(&mut self.data_reader, &mut reader);
        reader.unwrap()
    }

    /// Sends a response to this request.
    #[inline]
    pub fn respond<R>(mut self, response: Response<R>) -> Result<(), IoError>
    where
        R: Read,
    {
        match self.notify_when_responded.take() {
            Some(sender) => self.hand_over(response, &sender),
            None => self.respond_impl(response),
        }
    }

    /// PATCH(limits): writes the answer from the calling (worker) thread within the write
    /// budget (the socket's write timeout is that budget). Whatever the client has not taken
    /// by then is kept in memory and handed, with the connection's writer, to the
    /// connection's own thread, which writes the rest. A client that does not read its
    /// answer holds a worker for one budget at most, then only its connection's thread; one
    /// that reads (nearly all) gets its answer straight from the worker, with no copy and no
    /// thread switch. (Serialising every answer into a buffer first cost a third of listing
    /// throughput: large buffers are mmapped and unmapped per answer.)
    fn hand_over<R>(&mut self, response: Response<R>, sender: &Sender<Answer>) -> io::Result<()>
    where
        R: Read,
    {
        let response = if self.closes_connection {
            response.with_connection_close()
        } else {
            response
        };
        let writer = self.extract_writer_impl();
        let mut budgeted = BudgetWriter {
            inner: writer,
            started: Instant::now(),
            budget: self.write_budget.unwrap_or(Duration::ZERO),
            spill: None,
        };
        let printed = response
            .raw_print(
                &mut budgeted,
                self.http_version.clone(),
                &self.headers,
                self.method == Method::Head,
                None,
            )
            .and_then(|()| budgeted.flush());
        let BudgetWriter { inner, spill, .. } = budgeted;
        match (printed, spill) {
            (Ok(()), None) => {
                drop(inner);
                sender.send(None).ok();
                Ok(())
            }
            (Ok(()), Some(rest)) => {
                if let Some(pending) = &self.pending_writes {
                    pending.add();
                }
                if sender.send(Some((inner, rest))).is_err() {
                    if let Some(pending) = &self.pending_writes {
                        pending.done();
                    }
                }
                Ok(())
            }
            // The client is gone: the connection ends.
            (Err(e), _) => {
                drop(inner);
                sender.send(None).ok();
                Self::ignore_client_closing_errors(Err(e))
            }
        }
    }

    fn respond_impl<R>(&mut self, response: Response<R>) -> Result<(), IoError>
    where
        R: Read,
    {
        let mut writer = self.extract_writer_impl();

        let do_not_send_body = self.method == Method::Head;

        Self::ignore_client_closing_errors(response.raw_print(
            writer.by_ref(),
            self.http_version.clone(),
            &self.headers,
            do_not_send_body,
            None,
        ))?;

        Self::ignore_client_closing_errors(writer.flush())
    }

    fn ignore_client_closing_errors(result: io::Result<()>) -> io::Result<()> {
        result.or_else(|err| match err.kind() {
            ErrorKind::BrokenPipe => Ok(()),
            ErrorKind::ConnectionAborted => Ok(()),
            ErrorKind::ConnectionRefused => Ok(()),
            ErrorKind::ConnectionReset => Ok(()),
            _ => Err(err),
        })
    }

    /// The bytes this request's body may take in memory: its declared length, or the limit
    /// plus one for a chunked body; 0 when it has none or will not be read.
    pub(crate) fn expected_body(&self, limit: usize) -> usize {
        match self.body_length {
            Some(declared) if declared <= limit => declared,
            Some(_) => 0,
            None if self.headers.iter().any(|h| h.field.equiv("Transfer-Encoding")) => {
                limit.saturating_add(1)
            }
            None => 0,
        }
    }

    /// PATCH(limits): the body read ahead on the connection's thread (at most the limit
    /// plus one byte), moved out without a copy; `None` when it was not read ahead.
    pub fn take_buffered_body(&mut self) -> Option<Vec<u8>> {
        self.buffered_body.take()
    }

    /// Holds `permit` for as long as this request lives.
    pub(crate) fn hold(&mut self, permit: crate::util::body_budget::BodyPermit) {
        self.body_permit = Some(permit);
    }

    /// PATCH(limits): reads the whole body into memory on the connection's own thread, so the
    /// request reaches a worker complete and a slow client never holds a worker.
    ///
    /// Reads at most `limit + 1` bytes: the application sees a body over its limit and
    /// answers 413. Returns `false` when the body was not read whole (declared or found
    /// longer than `limit`); the connection must then close after the answer, since the
    /// rest of the body is still on the wire.
    pub(crate) fn buffer_body(&mut self, limit: usize) -> io::Result<bool> {
        if self.body_length.is_some_and(|declared| declared > limit) {
            // Dropping the body reader drains a bounded amount under the request deadline.
            self.data_reader = Some(Box::new(io::empty()));
            self.closes_connection = true;
            return Ok(false);
        }
        let mut body = Vec::new();
        self.as_reader()
            .take(limit as u64 + 1)
            .read_to_end(&mut body)?;
        let whole = body.len() <= limit;
        self.buffered_body = Some(body);
        self.data_reader = Some(Box::new(io::empty()));
        self.closes_connection |= !whole;
        Ok(whole)
    }

    pub(crate) fn with_notify_sender(
        mut self,
        sender: Sender<Answer>,
        pending_writes: Arc<PendingWrites>,
    ) -> Self {
        self.notify_when_responded = Some(sender);
        self.pending_writes = Some(pending_writes);
        self
    }

    /// PATCH(limits): how long a worker may spend writing the answer (see `hand_over`).
    pub(crate) fn with_write_budget(mut self, budget: Duration) -> Self {
        self.write_budget = Some(budget);
        self
    }
}

/// PATCH(limits): a writer that writes through to the connection until the budget is spent
/// or a write times out, then keeps ("spills") the rest in memory for the connection's thread.
/// A flush that times out leaves the unsent bytes in the connection's buffered writer, which
/// writes them before the spilled ones.
struct BudgetWriter {
    inner: Box<dyn Write + Send + 'static>,
    started: Instant,
    budget: Duration,
    spill: Option<Vec<u8>>,
}

impl Write for BudgetWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.spill.is_none() && self.started.elapsed() < self.budget {
            match self.inner.write(buf) {
                Err(e) if timed_out(&e) => {}
                other => return other,
            }
        }
        self.spill.get_or_insert_with(Vec::new).extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        if self.spill.is_some() {
            return Ok(());
        }
        match self.inner.flush() {
            Err(e) if timed_out(&e) => {
                self.spill = Some(Vec::new());
                Ok(())
            }
            other => other,
        }
    }
}

/// A socket timeout shows as `WouldBlock` on Unix and `TimedOut` elsewhere.
pub(crate) fn timed_out(e: &io::Error) -> bool {
    matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut)
}

/// PATCH(limits): the request's `Content-Length`: absent, or digits only, every copy equal.
fn content_length_of(headers: &[Header]) -> Result<Option<usize>, RequestCreationError> {
    let mut found: Option<usize> = None;
    for header in headers.iter().filter(|h| h.field.equiv("Content-Length")) {
        let text = header.value.as_str().trim();
        let digits = !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit());
        let value = digits
            .then(|| usize::from_str(text).ok())
            .flatten()
            .ok_or(RequestCreationError::BadContentLength)?;
        if found.is_some_and(|previous| previous != value) {
            return Err(RequestCreationError::BadContentLength);
        }
        found = Some(value);
    }
    Ok(found)
}

impl fmt::Debug for Request {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> Result<(), fmt::Error> {
        write!(
            formatter,
            "Request({} {} from {:?})",
            self.method, self.path, self.remote_addr
        )
    }
}

impl Drop for Request {
    fn drop(&mut self) {
        if self.response_writer.is_some() {
            let response = Response::empty(500);
            // ignoring any potential error
            let _ = match self.notify_when_responded.take() {
                Some(sender) => self.hand_over(response, &sender),
                None => self.respond_impl(response),
            };
        }
    }
}

/// Dummy trait that regroups the `Read` and `Write` traits.
///
/// Automatically implemented on all types that implement both `Read` and `Write`.
pub trait ReadWrite: Read + Write {}
impl<T> ReadWrite for T where T: Read + Write {}

#[cfg(test)]
mod tests {
    use super::Request;

    #[test]
    fn must_be_send() {
        #![allow(dead_code)]
        fn f<T: Send>(_: &T) {}
        fn bar(rq: &Request) {
            f(rq);
        }
    }
}

//! # Simple usage
//!
//! ## Creating the server
//!
//! The easiest way to create a server is to call `Server::http()`.
//!
//! The `http()` function returns an `IoResult<Server>` which will return an error
//! in the case where the server creation fails (for example if the listening port is already
//! occupied).
//!
//! ```no_run
//! let server = tiny_http::Server::http("0.0.0.0:0").unwrap();
//! ```
//!
//! A newly-created `Server` will immediately start listening for incoming connections and HTTP
//! requests.
//!
//! ## Receiving requests
//!
//! Calling `server.recv()` will block until the next request is available.
//! This function returns an `IoResult<Request>`, so you need to handle the possible errors.
//!
//! ```no_run
//! # let server = tiny_http::Server::http("0.0.0.0:0").unwrap();
//!
//! loop {
//!     // blocks until the next request is received
//!     let request = match server.recv() {
//!         Ok(rq) => rq,
//!         Err(e) => { println!("error: {}", e); break }
//!     };
//!
//!     // do something with the request
//!     // ...
//! }
//! ```
//!
//! In a real-case scenario, you will probably want to spawn multiple worker tasks and call
//! `server.recv()` on all of them. Like this:
//!
//! ```no_run
//! # use std::sync::Arc;
//! # use std::thread;
//! # let server = tiny_http::Server::http("0.0.0.0:0").unwrap();
//! let server = Arc::new(server);
//! let mut guards = Vec::with_capacity(4);
//!
//! for _ in (0 .. 4) {
//!     let server = server.clone();
//!
//!     let guard = thread::spawn(move || {
//!         loop {
//!             let rq = server.recv().unwrap();
//!
//!             // ...
//!         }
//!     });
//!
//!     guards.push(guard);
//! }
//! ```
//!
//! If you don't want to block, you can call `server.try_recv()` instead.
//!
//! ## Handling requests
//!
//! The `Request` object returned by `server.recv()` contains informations about the client's request.
//! The most useful methods are probably `request.method()` and `request.url()` which return
//! the requested method (`GET`, `POST`, etc.) and url.
//!
//! To handle a request, you need to create a `Response` object. See the docs of this object for
//! more infos. Here is an example of creating a `Response` from a file:
//!
//! ```no_run
//! # use std::fs::File;
//! # use std::path::Path;
//! let response = tiny_http::Response::from_file(File::open(&Path::new("image.png")).unwrap());
//! ```
//!
//! All that remains to do is call `request.respond()`:
//!
//! ```no_run
//! # use std::fs::File;
//! # use std::path::Path;
//! # let server = tiny_http::Server::http("0.0.0.0:0").unwrap();
//! # let request = server.recv().unwrap();
//! # let response = tiny_http::Response::from_file(File::open(&Path::new("image.png")).unwrap());
//! let _ = request.respond(response);
//! ```
#![forbid(unsafe_code)]
#![deny(rust_2018_idioms)]
#![allow(clippy::match_like_matches_macro)]

#[cfg(any(feature = "ssl-openssl", feature = "ssl-rustls"))]
use zeroize::Zeroizing;

use std::error::Error;
use std::io::Error as IoError;
use std::io::ErrorKind as IoErrorKind;
use std::io::Result as IoResult;
use std::net::{Shutdown, TcpStream, ToSocketAddrs};
use std::sync::atomic::AtomicBool;
use std::sync::atomic::Ordering::Relaxed;
use std::sync::mpsc;
use std::sync::Arc;
use std::thread;
use std::time::Duration;

use client::ClientConnection;
use connection::Connection;
use util::MessagesQueue;

pub use common::{HTTPVersion, Header, HeaderField, Method, StatusCode};
use request::PendingWrites;
use util::refined_tcp_stream::{ConnectionSlots, ReadDeadline, SlotGuard};
pub use connection::{ConfigListenAddr, ListenAddr, Listener};
pub use request::{ReadWrite, Request};
pub use response::{Response, ResponseBox};
pub use test::TestRequest;

mod client;
mod common;
mod connection;
mod request;
mod response;
mod ssl;
mod test;
mod util;

/// The main class of this library.
///
/// Destroying this object will immediately close the listening socket and the reading
///  part of all the client's connections. Requests that have already been returned by
///  the `recv()` function will not close and the responses will be transferred to the client.
pub struct Server {
    // should be false as long as the server exists
    // when set to true, all the subtasks will close within a few hundreds ms
    close: Arc<AtomicBool>,

    // queue for messages received by child threads
    messages: Arc<MessagesQueue<Message>>,

    // result of TcpListener::local_addr()
    listening_addr: ListenAddr,

    /// PATCH(limits): answers handed to connection threads and not yet written.
    pending_writes: Arc<PendingWrites>,
}

enum Message {
    Error(IoError),
    NewRequest(Request),
}

impl From<IoError> for Message {
    fn from(e: IoError) -> Message {
        Message::Error(e)
    }
}

impl From<Request> for Message {
    fn from(rq: Request) -> Message {
        Message::NewRequest(rq)
    }
}

// this trait is to make sure that Server implements Share and Send
#[doc(hidden)]
trait MustBeShareDummy: Sync + Send {}
#[doc(hidden)]
impl MustBeShareDummy for Server {}

pub struct IncomingRequests<'a> {
    server: &'a Server,
}

/// PATCH(limits): what one connection may take.
#[derive(Debug, Clone, Copy)]
pub struct ConnectionLimits {
    /// Idle/read/write timeout of a connection's socket (`None` = never).
    pub idle_timeout: Option<Duration>,
    /// Total time to read one request, from its first byte to the end of its body
    /// (`None` = no total deadline; each read still obeys `idle_timeout`). Over it: 408.
    pub request_timeout: Option<Duration>,
    /// Largest body read before the request is handed out; a longer body is cut at
    /// `body_limit + 1` bytes and the connection closes after the answer.
    pub body_limit: usize,
    /// Most connections open at once (one thread each); beyond it new connections wait in
    /// the listen backlog.
    pub max_connections: usize,
    /// Idle timeout between requests once three quarters of `max_connections` are open.
    pub pressure_idle_timeout: Duration,
    /// How long a worker may spend writing one answer to a client that does not take it;
    /// the connection's own thread writes the rest (waiting up to `idle_timeout`).
    pub worker_write_budget: Duration,
    /// Bytes of request bodies over 64 KiB held in memory at once, all connections together;
    /// a body that does not fit waits (within its request deadline), then gets 503.
    pub body_budget: usize,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        ConnectionLimits {
            idle_timeout: Some(Duration::from_secs(30)),
            request_timeout: Some(Duration::from_secs(10)),
            body_limit: 1 << 20,
            max_connections: 1024,
            pressure_idle_timeout: Duration::from_secs(1),
            worker_write_budget: Duration::from_millis(50),
            body_budget: 64 << 20,
        }
    }
}

/// Represents the parameters required to create a server.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// The addresses to try to listen to.
    pub addr: ConfigListenAddr,

    /// If `Some`, then the server will use SSL to encode the communications.
    pub ssl: Option<SslConfig>,
}

/// Configuration of the server for SSL.
#[derive(Debug, Clone)]
pub struct SslConfig {
    /// Contains the public certificate to send to clients.
    pub certificate: Vec<u8>,
    /// Contains the ultra-secret private key used to decode communications.
    pub private_key: Vec<u8>,
}

impl Server {
    /// Shortcut for a simple server on a specific address.
    #[inline]
    pub fn http<A>(addr: A) -> Result<Server, Box<dyn Error + Send + Sync + 'static>>
    where
        A: ToSocketAddrs,
    {
        Server::new(ServerConfig {
            addr: ConfigListenAddr::from_socket_addrs(addr)?,
            ssl: None,
        })
    }

    /// Shortcut for an HTTPS server on a specific address.
    #[cfg(any(feature = "ssl-openssl", feature = "ssl-rustls"))]
    #[inline]
    pub fn https<A>(
        addr: A,
        config: SslConfig,
    ) -> Result<Server, Box<dyn Error + Send + Sync + 'static>>
    where
        A: ToSocketAddrs,
    {
        Server::new(ServerConfig {
            addr: ConfigListenAddr::from_socket_addrs(addr)?,
            ssl: Some(config),
        })
    }

    #[cfg(unix)]
    #[inline]
    /// Shortcut for a UNIX socket server at a specific path
    pub fn http_unix(
        path: &std::path::Path,
    ) -> Result<Server, Box<dyn Error + Send + Sync + 'static>> {
        Server::new(ServerConfig {
            addr: ConfigListenAddr::unix_from_path(path),
            ssl: None,
        })
    }

    /// Builds a new server that listens on the specified address.
    pub fn new(config: ServerConfig) -> Result<Server, Box<dyn Error + Send + Sync + 'static>> {
        let listener = config.addr.bind()?;
        Self::from_listener(listener, config.ssl)
    }

    /// Builds a new server using the specified TCP listener.
    ///
    /// This is useful if you've constructed TcpListener using some less usual method
    /// such as from systemd. For other cases, you probably want the `new()` function.
    pub fn from_listener<L: Into<Listener>>(
        listener: L,
        ssl_config: Option<SslConfig>,
    ) -> Result<Server, Box<dyn Error + Send + Sync + 'static>> {
        Self::from_listener_with_limits(listener, ssl_config, ConnectionLimits::default())
    }

    /// PATCH(limits): like `from_listener`, with what one connection may take as settings:
    /// its idle/read/write timeout, the total time to read one request, and the largest body
    /// read before the request is handed out. Each request is read whole (line, headers,
    /// body) on its connection's thread, so `recv()` only ever returns complete requests and
    /// a slow client holds nothing but its own connection's thread.
    pub fn from_listener_with_limits<L: Into<Listener>>(
        listener: L,
        ssl_config: Option<SslConfig>,
        limits: ConnectionLimits,
    ) -> Result<Server, Box<dyn Error + Send + Sync + 'static>> {
        Self::build(listener, ssl_config, limits, None)
    }

    /// PATCH(perf): like `from_listener_with_limits`, but each request is given to `serve` on
    /// its connection's own thread instead of being queued for `recv()`. Handing every
    /// request to another thread and its answer back cost two thread wake-ups per request;
    /// the caller bounds how many requests run at once. `serve` must answer (or drop) the
    /// request before it returns; the connection's next request is read after that.
    pub fn from_listener_serving<L: Into<Listener>>(
        listener: L,
        ssl_config: Option<SslConfig>,
        limits: ConnectionLimits,
        serve: Arc<dyn Fn(Request) + Send + Sync>,
    ) -> Result<Server, Box<dyn Error + Send + Sync + 'static>> {
        Self::build(listener, ssl_config, limits, Some(serve))
    }

    fn build<L: Into<Listener>>(
        listener: L,
        ssl_config: Option<SslConfig>,
        limits: ConnectionLimits,
        serve: Option<Arc<dyn Fn(Request) + Send + Sync>>,
    ) -> Result<Server, Box<dyn Error + Send + Sync + 'static>> {
        let connection_timeout = limits.idle_timeout;
        let listener = listener.into();
        // building the "close" variable
        let close_trigger = Arc::new(AtomicBool::new(false));

        // building the TcpListener
        let (server, local_addr) = {
            let local_addr = listener.local_addr()?;
            log::debug!("Server listening on {}", local_addr);
            (listener, local_addr)
        };

        // building the SSL capabilities
        #[cfg(all(feature = "ssl-openssl", feature = "ssl-rustls"))]
        compile_error!(
            "Features 'ssl-openssl' and 'ssl-rustls' must not be enabled at the same time"
        );
        #[cfg(not(any(feature = "ssl-openssl", feature = "ssl-rustls")))]
        type SslContext = ();
        #[cfg(any(feature = "ssl-openssl", feature = "ssl-rustls"))]
        type SslContext = crate::ssl::SslContextImpl;
        let ssl: Option<SslContext> = {
            match ssl_config {
                #[cfg(any(feature = "ssl-openssl", feature = "ssl-rustls"))]
                Some(config) => Some(SslContext::from_pem(
                    config.certificate,
                    Zeroizing::new(config.private_key),
                )?),
                #[cfg(not(any(feature = "ssl-openssl", feature = "ssl-rustls")))]
                Some(_) => return Err(
                    "Building a server with SSL requires enabling the `ssl` feature in tiny-http"
                        .into(),
                ),
                None => None,
            }
        };

        // creating a task where server.accept() is continuously called
        // and ClientConnection objects are pushed in the messages queue
        let messages = MessagesQueue::with_capacity(8);

        let inside_close_trigger = close_trigger.clone();
        let inside_messages = messages.clone();
        let pending_writes = Arc::new(PendingWrites::default());
        let slots = ConnectionSlots::new(limits.max_connections, limits.pressure_idle_timeout);
        let body_budget = util::body_budget::BodyBudget::new(limits.body_budget);
        let inside_pending_writes = pending_writes.clone();
        thread::spawn(move || {
            // a tasks pool is used to dispatch the connections into threads
            let tasks_pool = util::TaskPool::new();

            log::debug!("Running accept thread");
            while !inside_close_trigger.load(Relaxed) {
                // PATCH(limits): at the connection cap, wait for a slot before accepting.
                if !slots.acquire(|| inside_close_trigger.load(Relaxed)) {
                    break;
                }
                let slot = SlotGuard(slots.clone());
                let new_client = match server.accept() {
                    Ok((sock, _)) => {
                        use util::RefinedTcpStream;
                        // PATCH(limits): no Nagle delay (responses > 1 KiB otherwise wait for the
                        // peer's delayed ACK, ~40 ms) and a per-connection idle/read timeout.
                        if let connection::Connection::Tcp(ref tcp) = sock {
                            let _ = tcp.set_nodelay(true);
                            let _ = tcp.set_read_timeout(connection_timeout);
                            // Writes wait at most the workers' budget; the connection's
                            // thread retries past it for the rest of an answer.
                            let _ = tcp.set_write_timeout(Some(limits.worker_write_budget));
                        }
                        let halves = match ssl {
                            None => RefinedTcpStream::new(sock),
                            #[cfg(any(feature = "ssl-openssl", feature = "ssl-rustls"))]
                            Some(ref ssl) => {
                                // trying to apply SSL over the connection
                                // if an error occurs, we just close the socket and resume listening
                                let sock = match ssl.accept(sock) {
                                    Ok(s) => s,
                                    Err(_) => continue,
                                };

                                RefinedTcpStream::new(sock)
                            }
                            #[cfg(not(any(feature = "ssl-openssl", feature = "ssl-rustls")))]
                            Some(ref _ssl) => unreachable!(),
                        };

                        // PATCH(limits): a socket that cannot be split (no file descriptors
                        // left) is dropped; upstream panicked the accept thread.
                        let Ok((read_closable, write_closable)) = halves else {
                            continue;
                        };
                        let deadline = ReadDeadline::new(limits.idle_timeout, slots.clone());
                        Ok(ClientConnection::new(
                            write_closable,
                            read_closable.with_deadline(deadline.clone()),
                            deadline,
                            limits,
                            body_budget.clone(),
                        ))
                    }
                    Err(e) => Err(e),
                };

                match new_client {
                    Ok(client) => {
                        let messages = inside_messages.clone();
                        let serve = serve.clone();
                        let pending_writes = inside_pending_writes.clone();
                        let mut client = Some(client);
                        let mut slot = Some(slot);
                        tasks_pool.spawn(Box::new(move || {
                            // The slot is given back when this connection is done.
                            let _slot = slot.take();
                            if let Some(client) = client.take() {
                                // PATCH(limits): one request in flight per connection, plain or
                                // TLS: the next request is read only once this one is answered,
                                // so a pipelining client cannot fill the queue. What of the
                                // answer the socket did not take at once is written here, not
                                // on the worker that made it.
                                let (sender, receiver) = mpsc::channel();
                                for rq in client {
                                    let rq = rq
                                        .with_notify_sender(sender.clone(), pending_writes.clone())
                                        .with_write_budget(limits.worker_write_budget);
                                    match &serve {
                                        Some(serve) => serve(rq),
                                        None => messages.push(rq.into()),
                                    }
                                    match receiver.recv() {
                                        Ok(Some((writer, bytes))) => {
                                            let written =
                                                write_answer(writer, &bytes, limits.idle_timeout);
                                            pending_writes.done();
                                            if !written {
                                                break;
                                            }
                                        }
                                        Ok(None) => {}
                                        Err(_) => break,
                                    }
                                }
                            }
                        }));
                    }

                    // PATCH(limits): an accept error (e.g. no file descriptors left) is
                    // transient; upstream stopped accepting for good.
                    Err(e) => {
                        log::error!("Error accepting new client: {}", e);
                        thread::sleep(Duration::from_millis(10));
                    }
                }
            }
            log::debug!("Terminating accept thread");
        });

        // result
        Ok(Server {
            messages,
            close: close_trigger,
            listening_addr: local_addr,
            pending_writes,
        })
    }

    /// Returns an iterator for all the incoming requests.
    ///
    /// The iterator will return `None` if the server socket is shutdown.
    #[inline]
    pub fn incoming_requests(&self) -> IncomingRequests<'_> {
        IncomingRequests { server: self }
    }

    /// Returns the address the server is listening to.
    #[inline]
    pub fn server_addr(&self) -> ListenAddr {
        self.listening_addr.clone()
    }

    /// Returns the number of clients currently connected to the server.
    pub fn num_connections(&self) -> usize {
        unimplemented!()
        //self.requests_receiver.lock().len()
    }

    /// Blocks until an HTTP request has been submitted and returns it.
    pub fn recv(&self) -> IoResult<Request> {
        match self.messages.pop() {
            Some(Message::Error(err)) => Err(err),
            Some(Message::NewRequest(rq)) => Ok(rq),
            None => Err(IoError::new(IoErrorKind::Other, "thread unblocked")),
        }
    }

    /// Same as `recv()` but doesn't block longer than timeout
    pub fn recv_timeout(&self, timeout: Duration) -> IoResult<Option<Request>> {
        match self.messages.pop_timeout(timeout) {
            Some(Message::Error(err)) => Err(err),
            Some(Message::NewRequest(rq)) => Ok(Some(rq)),
            None => Ok(None),
        }
    }

    /// Same as `recv()` but doesn't block.
    pub fn try_recv(&self) -> IoResult<Option<Request>> {
        match self.messages.try_pop() {
            Some(Message::Error(err)) => Err(err),
            Some(Message::NewRequest(rq)) => Ok(Some(rq)),
            None => Ok(None),
        }
    }

    /// PATCH(limits): waits (at most `limit`) until every answer already given to `respond`
    /// has been written to its client; a graceful shutdown calls it after its workers stop.
    pub fn finish_writes(&self, limit: Duration) {
        self.pending_writes.wait(limit);
    }

    /// Unblock thread stuck in recv() or incoming_requests().
    /// If there are several such threads, only one is unblocked.
    /// This method allows graceful shutdown of server.
    pub fn unblock(&self) {
        self.messages.unblock();
    }
}

/// PATCH(limits): writes the rest of an answer on its connection's thread, waiting for the
/// client up to `patience` in all (the socket's own write timeout is the workers' short
/// budget); `false` when the client is gone or too slow (the connection then closes).
fn write_answer(
    mut writer: Box<dyn std::io::Write + Send>,
    mut bytes: &[u8],
    patience: Option<Duration>,
) -> bool {
    let deadline = patience.map(|p| std::time::Instant::now() + p);
    let waited_too_long = || deadline.is_some_and(|d| std::time::Instant::now() >= d);
    while !bytes.is_empty() {
        match writer.write(bytes) {
            Ok(0) => return false,
            Ok(n) => bytes = &bytes[n..],
            Err(e) if request::timed_out(&e) && !waited_too_long() => {}
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(_) => return false,
        }
    }
    loop {
        match writer.flush() {
            Ok(()) => return true,
            Err(e) if request::timed_out(&e) && !waited_too_long() => {}
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(_) => return false,
        }
    }
}

impl Iterator for IncomingRequests<'_> {
    type Item = Request;
    fn next(&mut self) -> Option<Request> {
        self.server.recv().ok()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.close.store(true, Relaxed);
        // Connect briefly to ourselves to unblock the accept thread
        let maybe_stream = match &self.listening_addr {
            ListenAddr::IP(addr) => TcpStream::connect(addr).map(Connection::from),
            #[cfg(unix)]
            ListenAddr::Unix(addr) => {
                // TODO: use connect_addr when its stabilized.
                let path = addr.as_pathname().unwrap();
                std::os::unix::net::UnixStream::connect(path).map(Connection::from)
            }
        };
        if let Ok(stream) = maybe_stream {
            let _ = stream.shutdown(Shutdown::Both);
        }

        #[cfg(unix)]
        if let ListenAddr::Unix(addr) = &self.listening_addr {
            if let Some(path) = addr.as_pathname() {
                let _ = std::fs::remove_file(path);
            }
        }
    }
}

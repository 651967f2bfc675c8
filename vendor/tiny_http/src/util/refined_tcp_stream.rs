use std::io::Result as IoResult;
use std::io::{Error as IoError, ErrorKind, Read, Write};
use std::net::{Shutdown, SocketAddr};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use crate::connection::Connection;
#[cfg(any(feature = "ssl-openssl", feature = "ssl-rustls"))]
use crate::ssl::SslStream;

pub(crate) enum Stream {
    Http(Connection),
    #[cfg(any(feature = "ssl-openssl", feature = "ssl-rustls"))]
    Https(SslStream),
}

impl Stream {
    /// PATCH(limits): a fallible clone. Upstream unwrapped `try_clone`, so running out of file
    /// descriptors panicked the accept thread and the server stopped accepting for good.
    fn try_clone(&self) -> IoResult<Self> {
        match self {
            Stream::Http(tcp_stream) => tcp_stream.try_clone().map(Stream::Http),
            #[cfg(any(feature = "ssl-openssl", feature = "ssl-rustls"))]
            Stream::Https(ssl_stream) => Ok(Stream::Https(ssl_stream.clone())),
        }
    }

    fn set_read_timeout(&self, timeout: Option<Duration>) -> IoResult<()> {
        match self {
            Stream::Http(tcp_stream) => tcp_stream.set_read_timeout(timeout),
            #[cfg(any(feature = "ssl-openssl", feature = "ssl-rustls"))]
            Stream::Https(_) => Ok(()),
        }
    }
}

/// PATCH(limits): a total deadline for reading one request (request line, headers and body).
///
/// A socket read timeout only bounds each `read` call, so a client sending a byte per timeout
/// could keep one request open forever. The connection arms this deadline when a request's
/// first byte arrives and disarms it once the whole request has been read; every socket read
/// in between waits at most until the deadline. Disarmed, reads wait for the idle timeout.
pub(crate) struct ReadDeadline {
    idle: Option<Duration>,
    at: Mutex<Option<Instant>>,
    slots: Arc<ConnectionSlots>,
}

impl ReadDeadline {
    pub(crate) fn new(idle: Option<Duration>, slots: Arc<ConnectionSlots>) -> Arc<ReadDeadline> {
        Arc::new(ReadDeadline {
            idle,
            at: Mutex::new(None),
            slots,
        })
    }

    /// Starts the clock for one request (`None`: no total deadline).
    pub(crate) fn arm(&self, within: Option<Duration>) {
        if let Some(within) = within {
            *self.lock() = Some(Instant::now() + within);
        }
    }

    pub(crate) fn disarm(&self) {
        *self.lock() = None;
    }

    fn armed(&self) -> bool {
        self.lock().is_some()
    }

    /// The timeout the next socket read may wait, or `TimedOut` once the deadline passed.
    fn next_timeout(&self) -> IoResult<Option<Duration>> {
        let Some(at) = *self.lock() else {
            return Ok(self.slots.idle_timeout(self.idle));
        };
        let left = at.saturating_duration_since(Instant::now());
        if left < Duration::from_millis(1) {
            return Err(IoError::new(ErrorKind::TimedOut, "request deadline passed"));
        }
        Ok(Some(self.idle.map_or(left, |idle| idle.min(left))))
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<Instant>> {
        self.at.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl From<Connection> for Stream {
    fn from(tcp_stream: Connection) -> Self {
        Stream::Http(tcp_stream)
    }
}

impl Stream {
    fn secure(&self) -> bool {
        match self {
            Stream::Http(_) => false,
            #[cfg(any(feature = "ssl-openssl", feature = "ssl-rustls"))]
            Stream::Https(_) => true,
        }
    }

    fn peer_addr(&mut self) -> IoResult<Option<SocketAddr>> {
        match self {
            Stream::Http(tcp_stream) => tcp_stream.peer_addr(),
            #[cfg(any(feature = "ssl-openssl", feature = "ssl-rustls"))]
            Stream::Https(ssl_stream) => ssl_stream.peer_addr(),
        }
    }

    fn shutdown(&mut self, how: Shutdown) -> IoResult<()> {
        match self {
            Stream::Http(tcp_stream) => tcp_stream.shutdown(how),
            #[cfg(any(feature = "ssl-openssl", feature = "ssl-rustls"))]
            Stream::Https(ssl_stream) => ssl_stream.shutdown(how),
        }
    }
}

impl Read for Stream {
    fn read(&mut self, buf: &mut [u8]) -> IoResult<usize> {
        match self {
            Stream::Http(tcp_stream) => tcp_stream.read(buf),
            #[cfg(any(feature = "ssl-openssl", feature = "ssl-rustls"))]
            Stream::Https(ssl_stream) => ssl_stream.read(buf),
        }
    }
}

impl Write for Stream {
    fn write(&mut self, buf: &[u8]) -> IoResult<usize> {
        match self {
            Stream::Http(tcp_stream) => tcp_stream.write(buf),
            #[cfg(any(feature = "ssl-openssl", feature = "ssl-rustls"))]
            Stream::Https(ssl_stream) => ssl_stream.write(buf),
        }
    }

    fn flush(&mut self) -> IoResult<()> {
        match self {
            Stream::Http(tcp_stream) => tcp_stream.flush(),
            #[cfg(any(feature = "ssl-openssl", feature = "ssl-rustls"))]
            Stream::Https(ssl_stream) => ssl_stream.flush(),
        }
    }
}

/// PATCH(limits): counts open connections against a cap.
///
/// At the cap the accept loop stops accepting, so new connections wait in the kernel's listen
/// backlog instead of each getting a thread. From three quarters of the cap on, a connection
/// that starts waiting for its next request waits only `pressure_idle`, so idle keep-alive
/// connections give their slots back quickly while requests in progress are untouched.
pub(crate) struct ConnectionSlots {
    open: Mutex<usize>,
    /// The same count, read without the lock by every idle socket read.
    open_now: AtomicUsize,
    freed: Condvar,
    max: usize,
    pressure_idle: Duration,
}

impl ConnectionSlots {
    pub(crate) fn new(max: usize, pressure_idle: Duration) -> Arc<ConnectionSlots> {
        Arc::new(ConnectionSlots {
            open: Mutex::new(0),
            open_now: AtomicUsize::new(0),
            freed: Condvar::new(),
            max: max.max(1),
            pressure_idle,
        })
    }

    /// Takes a slot, waiting while all are taken; `false` once `stop()` says to give up.
    pub(crate) fn acquire(&self, stop: impl Fn() -> bool) -> bool {
        let mut open = self.lock();
        while *open >= self.max {
            if stop() {
                return false;
            }
            open = match self.freed.wait_timeout(open, Duration::from_millis(100)) {
                Ok((guard, _)) => guard,
                Err(poisoned) => poisoned.into_inner().0,
            };
        }
        *open += 1;
        self.open_now.store(*open, Ordering::Relaxed);
        true
    }

    pub(crate) fn release(&self) {
        let mut open = self.lock();
        *open = open.saturating_sub(1);
        self.open_now.store(*open, Ordering::Relaxed);
        self.freed.notify_one();
    }

    /// How long a connection may now wait for its next request.
    fn idle_timeout(&self, idle: Option<Duration>) -> Option<Duration> {
        let open = self.open_now.load(Ordering::Relaxed);
        if open.saturating_mul(4) >= self.max.saturating_mul(3) {
            Some(idle.map_or(self.pressure_idle, |idle| idle.min(self.pressure_idle)))
        } else {
            idle
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, usize> {
        self.open.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// PATCH(limits): gives a connection's slot back when its thread is done with it.
pub(crate) struct SlotGuard(pub(crate) Arc<ConnectionSlots>);

impl Drop for SlotGuard {
    fn drop(&mut self) {
        self.0.release();
    }
}

pub struct RefinedTcpStream {
    stream: Stream,
    close_read: bool,
    close_write: bool,
    /// PATCH(limits): the read half's request deadline and the timeout last set on the socket.
    deadline: Option<Arc<ReadDeadline>>,
    applied_timeout: Option<Option<Duration>>,
}

impl RefinedTcpStream {
    pub(crate) fn new<S>(stream: S) -> IoResult<(RefinedTcpStream, RefinedTcpStream)>
    where
        S: Into<Stream>,
    {
        let stream: Stream = stream.into();

        let (read, write) = (stream.try_clone()?, stream);

        let read = RefinedTcpStream {
            stream: read,
            close_read: true,
            close_write: false,
            deadline: None,
            applied_timeout: None,
        };

        let write = RefinedTcpStream {
            stream: write,
            close_read: false,
            close_write: true,
            deadline: None,
            applied_timeout: None,
        };

        Ok((read, write))
    }

    /// PATCH(limits): reads through this half obey `deadline`.
    pub(crate) fn with_deadline(mut self, deadline: Arc<ReadDeadline>) -> RefinedTcpStream {
        self.deadline = Some(deadline);
        self
    }

    /// Sets the socket's read timeout from the deadline before a read (a syscall only when
    /// it changes).
    fn apply_deadline(&mut self) -> IoResult<()> {
        let Some(deadline) = &self.deadline else {
            return Ok(());
        };
        let timeout = deadline.next_timeout()?;
        if self.applied_timeout != Some(timeout) {
            self.stream.set_read_timeout(timeout)?;
            self.applied_timeout = Some(timeout);
        }
        Ok(())
    }

    /// Returns true if this struct wraps around a secure connection.
    #[inline]
    pub(crate) fn secure(&self) -> bool {
        self.stream.secure()
    }

    pub(crate) fn peer_addr(&mut self) -> IoResult<Option<SocketAddr>> {
        self.stream.peer_addr()
    }
}

impl Drop for RefinedTcpStream {
    fn drop(&mut self) {
        if self.close_read {
            self.stream.shutdown(Shutdown::Read).ok();
        }

        if self.close_write {
            self.stream.shutdown(Shutdown::Write).ok();
        }
    }
}

impl Read for RefinedTcpStream {
    fn read(&mut self, buf: &mut [u8]) -> IoResult<usize> {
        self.apply_deadline()?;
        match self.stream.read(buf) {
            // A socket timeout shows as `WouldBlock` on Unix. Within a request it is the
            // request's deadline (→ 408); between requests it is the idle timeout (→ close).
            Err(e) if e.kind() == ErrorKind::WouldBlock || e.kind() == ErrorKind::TimedOut => {
                let armed = self.deadline.as_ref().is_some_and(|d| d.armed());
                let kind = if armed { ErrorKind::TimedOut } else { ErrorKind::WouldBlock };
                Err(IoError::new(kind, "read timed out"))
            }
            other => other,
        }
    }
}

impl Write for RefinedTcpStream {
    fn write(&mut self, buf: &[u8]) -> IoResult<usize> {
        self.stream.write(buf)
    }

    fn flush(&mut self) -> IoResult<()> {
        self.stream.flush()
    }
}

//! Answers on the listening socket while the engine is still being built (migrating the
//! store, recovering journaled workflows): every request gets `503` with `Retry-After`, so
//! `/health/ready` — and everything else — says "not yet" instead of refusing connections
//! or hanging. The socket is bound before migrations start; the real server takes it over.

use crate::error::{Error, Result};
use std::io::{ErrorKind, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

const BODY: &str = r#"{"status":"starting","message":"migrating or recovering; retry shortly"}"#;

/// The responder's thread; [`Starting::finish`] stops it before the server starts.
pub struct Starting {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

/// Starts answering 503 on `listener` (a clone of it; the original stays the caller's).
///
/// # Errors
/// The socket cannot be cloned or made non-blocking.
pub fn answer_while_starting(listener: &TcpListener) -> Result<Starting> {
    let socket = listener
        .try_clone()
        .map_err(|e| Error::Internal(format!("listener: {e}")))?;
    // Polled, so the thread notices `finish` without a connection arriving.
    socket
        .set_nonblocking(true)
        .map_err(|e| Error::Internal(format!("listener: {e}")))?;
    let stop = Arc::new(AtomicBool::new(false));
    let flag = stop.clone();
    let thread = std::thread::Builder::new()
        .name("stockroom-starting".into())
        .spawn(move || {
            while !flag.load(Ordering::SeqCst) {
                match socket.accept() {
                    Ok((stream, _)) => refuse(stream),
                    Err(e) if e.kind() == ErrorKind::WouldBlock => {
                        std::thread::sleep(Duration::from_millis(5));
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(5)),
                }
            }
        })
        .map_err(|e| Error::Internal(format!("cannot start the starting responder: {e}")))?;
    Ok(Starting {
        stop,
        thread: Some(thread),
    })
}

impl Starting {
    /// Stops answering and gives the socket back in blocking mode (the flag is shared by
    /// every clone of the socket).
    ///
    /// # Errors
    /// The socket's mode cannot be restored.
    pub fn finish(mut self, listener: &TcpListener) -> Result<()> {
        self.stop_thread();
        listener
            .set_nonblocking(false)
            .map_err(|e| Error::Internal(format!("listener: {e}")))
    }

    fn stop_thread(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for Starting {
    fn drop(&mut self) {
        self.stop_thread();
    }
}

/// Reads what the client sent of its request (briefly; it is not parsed) and answers 503.
fn refuse(mut stream: TcpStream) {
    let _ = stream.set_nonblocking(false);
    let _ = stream.set_read_timeout(Some(Duration::from_millis(100)));
    let _ = stream.set_write_timeout(Some(Duration::from_millis(100)));
    let mut head = [0u8; 8192];
    let _ = stream.read(&mut head);
    let reply = format!(
        "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\n\
         Retry-After: 1\r\nConnection: close\r\nContent-Length: {}\r\n\r\n{BODY}",
        BODY.len()
    );
    let _ = stream.write_all(reply.as_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_503_until_finished_then_leaves_the_socket_blocking() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let starting = answer_while_starting(&listener).unwrap();
        let mut client = TcpStream::connect(addr).unwrap();
        client
            .write_all(b"GET /health/ready HTTP/1.1\r\nHost: x\r\n\r\n")
            .unwrap();
        let mut reply = String::new();
        client.read_to_string(&mut reply).unwrap();
        assert!(reply.starts_with("HTTP/1.1 503"), "{reply}");
        assert!(reply.contains("Retry-After: 1") && reply.ends_with(BODY));
        starting.finish(&listener).unwrap();
        // Blocking again: a connection now waits in the backlog for the real server.
        let _late = TcpStream::connect(addr).unwrap();
        let (accepted, _) = listener.accept().unwrap();
        drop(accepted);
    }
}

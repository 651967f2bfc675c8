//! The webhook sender: a coordinator thread and a bounded pool of worker threads, all off the
//! request path (checkouts only commit delivery rows, through the dispatcher's fan-out).
//!
//! The coordinator reads pending deliveries, hands the due ones to the workers through a
//! bounded channel (never more in flight than workers), and keeps each failed delivery's
//! retry time in memory on a monotonic clock (like the event dispatcher: after a restart every
//! pending delivery is due at once). A worker posts one delivery with connect / read / write
//! timeouts and an overall deadline, then records the outcome in one write job. A crash at
//! any point leaves the row pending, so it is sent again: delivery is at least once, and the
//! body's `id` (the event id) is the receiver's idempotency key.

use super::WebhookSettings;
use super::deliveries::{self, Due, Outcome};
use super::sign;
use super::target::Target;
use crate::engine::{Engine, EngineInner};
use crate::error::{Error, Result};
use crossbeam_channel::{Receiver, Sender as Channel, bounded, select, unbounded};
use std::collections::{HashMap, HashSet};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, Weak};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// Wakes the sender (after a fan-out or a replay committed). Rings coalesce.
#[derive(Clone, Debug)]
pub struct SenderBell {
    sender: Channel<()>,
    receiver: Receiver<()>,
}

impl Default for SenderBell {
    fn default() -> Self {
        let (sender, receiver) = bounded(1);
        SenderBell { sender, receiver }
    }
}

impl SenderBell {
    /// Wakes the sender (no-op if a wake-up is pending).
    pub fn ring(&self) {
        let _ = self.sender.try_send(());
    }
}

/// The running sender, held by the engine.
pub struct Sender {
    shared: Arc<Shared>,
    coordinator: Mutex<Option<JoinHandle<()>>>,
}

#[derive(Default)]
struct Shared {
    stop: AtomicBool,
    progress: Mutex<(u64, u64)>,
    changed: Condvar,
}

struct Done {
    id: String,
    retry_in: Option<Duration>,
}

/// Pending rows read per round.
const BATCH: u64 = 256;

impl Sender {
    /// Starts the coordinator and `settings.workers` workers; they hold the engine weakly.
    ///
    /// # Errors
    /// A thread cannot be started.
    pub(crate) fn start(
        engine: Weak<EngineInner>,
        bell: SenderBell,
        settings: WebhookSettings,
    ) -> Result<Sender> {
        let shared = Arc::new(Shared::default());
        let tls = super::tls::client_config(&settings.extra_roots)?;
        let (jobs, job_queue) = bounded::<Due>(settings.workers.max(1));
        let (done, finished) = unbounded::<Done>();
        for n in 0..settings.workers.max(1) {
            let (engine, queue, done) = (engine.clone(), job_queue.clone(), done.clone());
            let client = Client {
                settings: settings.clone(),
                tls: tls.clone(),
            };
            std::thread::Builder::new()
                .name(format!("stockroom-webhook-{n}"))
                .spawn(move || work(&engine, &queue, &done, &client))
                .map_err(|e| Error::Internal(format!("cannot start webhook worker: {e}")))?;
        }
        let thread_shared = shared.clone();
        let coordinator = std::thread::Builder::new()
            .name("stockroom-webhooks".into())
            .spawn(move || coordinate(&engine, &bell, &jobs, &finished, &thread_shared))
            .map_err(|e| Error::Internal(format!("cannot start webhook sender: {e}")))?;
        Ok(Sender {
            shared,
            coordinator: Mutex::new(Some(coordinator)),
        })
    }

    /// Blocks until a round that started after this call found no pending delivery and
    /// nothing in flight (tests wait on this instead of sleeping).
    ///
    /// # Errors
    /// `timeout` passed first.
    pub fn wait_idle(&self, bell: &SenderBell, timeout: Duration) -> Result<()> {
        let deadline = Instant::now() + timeout;
        let mut progress = self
            .shared
            .progress
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        progress.0 += 1;
        let wanted = progress.0;
        bell.ring();
        while progress.1 < wanted {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(Error::UnexpectedState(
                    "webhook deliveries still pending after the timeout".into(),
                ));
            }
            progress = self
                .shared
                .changed
                .wait_timeout(progress, left)
                .unwrap_or_else(|p| p.into_inner())
                .0;
        }
        Ok(())
    }

    /// Stops the coordinator (workers exit once the queue closes; one still posting finishes
    /// within its timeouts, and its row stays pending if the store is already closed).
    pub(crate) fn stop(&self, bell: &SenderBell) {
        self.shared.stop.store(true, Ordering::SeqCst);
        bell.ring();
        let handle = self
            .coordinator
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take();
        if let Some(handle) = handle.filter(|h| h.thread().id() != std::thread::current().id()) {
            let _ = handle.join();
        }
    }
}

#[derive(Default)]
struct Queue {
    in_flight: HashSet<String>,
    retry_at: HashMap<String, Instant>,
}

impl Queue {
    fn finished(&mut self, done: Done) {
        self.in_flight.remove(&done.id);
        match done.retry_in {
            Some(delay) => self.retry_at.insert(done.id, Instant::now() + delay),
            None => self.retry_at.remove(&done.id),
        };
    }
}

fn coordinate(
    engine: &Weak<EngineInner>,
    bell: &SenderBell,
    jobs: &Channel<Due>,
    finished: &Receiver<Done>,
    shared: &Shared,
) {
    let mut queue = Queue::default();
    loop {
        if shared.stop.load(Ordering::SeqCst) {
            return;
        }
        let Some(inner) = engine.upgrade() else {
            return;
        };
        let engine = Engine::from_inner(inner);
        while let Ok(done) = finished.try_recv() {
            queue.finished(done);
        }
        let started_for = shared.progress.lock().map(|p| p.0).unwrap_or(0);
        let wait = match dispatch(&engine, &mut queue, jobs) {
            Ok(None) => {
                let mut progress = shared.progress.lock().unwrap_or_else(|p| p.into_inner());
                progress.1 = progress.1.max(started_for);
                shared.changed.notify_all();
                Duration::from_secs(1)
            }
            Ok(Some(next)) => next,
            Err(e) => {
                eprintln!("stockroom: webhook sender: {e}");
                Duration::from_millis(200)
            }
        };
        drop(engine);
        select! {
            recv(bell.receiver) -> _ => {}
            recv(finished) -> done => {
                if let Ok(done) = done {
                    queue.finished(done);
                }
            }
            default(wait) => {}
        }
    }
}

/// One round: queue the due deliveries. `None` when nothing is pending or in flight;
/// otherwise how long until the next retry is due at most.
fn dispatch(engine: &Engine, queue: &mut Queue, jobs: &Channel<Due>) -> Result<Option<Duration>> {
    let pending = engine.store().read(|c| deliveries::pending(c, BATCH))?;
    if pending.is_empty() && queue.in_flight.is_empty() {
        queue.retry_at.clear();
        return Ok(None);
    }
    let now = Instant::now();
    let mut next = Duration::from_secs(1);
    for due in pending {
        if queue.in_flight.contains(&due.id) {
            continue;
        }
        if let Some(at) = queue.retry_at.get(&due.id).filter(|at| **at > now) {
            next = next.min(at.saturating_duration_since(now));
            continue;
        }
        let id = due.id.clone();
        if jobs.try_send(due).is_err() {
            break;
        }
        queue.in_flight.insert(id);
    }
    Ok(Some(next))
}

/// What a worker posts with: the settings and the TLS configuration (built once).
struct Client {
    settings: WebhookSettings,
    tls: Arc<rustls::ClientConfig>,
}

fn work(engine: &Weak<EngineInner>, queue: &Receiver<Due>, done: &Channel<Done>, client: &Client) {
    let settings = &client.settings;
    while let Ok(due) = queue.recv() {
        let Some(timestamp) = engine
            .upgrade()
            .map(|inner| Engine::from_inner(inner).clock().now().div_euclid(1000))
        else {
            return;
        };
        // The post runs without holding the engine, so a shutdown is never held up by it.
        let outcome = post(&due, timestamp, client);
        let Some(inner) = engine.upgrade() else {
            return;
        };
        let engine = Engine::from_inner(inner);
        let retry_in = match record(&engine, &due, &outcome, settings) {
            Ok(true) => Some(settings.backoff(due.attempts + 1)),
            Ok(false) => None,
            Err(e) => {
                eprintln!(
                    "stockroom: webhook sender: cannot record delivery {}: {e}",
                    due.id
                );
                Some(settings.backoff(1))
            }
        };
        drop(engine);
        if done
            .send(Done {
                id: due.id,
                retry_in,
            })
            .is_err()
        {
            return;
        }
    }
}

/// Records the outcome; whether the delivery stays pending.
fn record(
    engine: &Engine,
    due: &Due,
    outcome: &Outcome,
    settings: &WebhookSettings,
) -> Result<bool> {
    let (ctx, id, outcome) = (engine.ctx().clone(), due.id.clone(), outcome.clone());
    let max_attempts = settings.max_attempts;
    engine
        .store()
        .write(move |tx| deliveries::record(tx, &ctx, &id, &outcome, max_attempts))
}

/// Posts one delivery: resolve (refused addresses left out), connect to the first that
/// answers, for `https` complete the TLS handshake on that connection, send, read the status
/// line.
fn post(due: &Due, timestamp: i64, client: &Client) -> Outcome {
    let settings = &client.settings;
    let target = match Target::parse(&due.url) {
        Ok(target) => target,
        Err(e) => return Outcome::Failed(None, e.to_string()),
    };
    let addresses = match target.resolve(settings.allow_loopback) {
        Ok(addresses) => addresses,
        Err(e) => return Outcome::Failed(None, e),
    };
    let mut last_error = String::from("no address to connect to");
    for address in addresses {
        match TcpStream::connect_timeout(&address, settings.connect_timeout) {
            Ok(stream) => return exchange(stream, &target, due, timestamp, client),
            Err(e) => last_error = format!("cannot connect to {address}: {e}"),
        }
    }
    Outcome::Failed(None, last_error)
}

fn exchange(
    mut stream: TcpStream,
    target: &Target,
    due: &Due,
    timestamp: i64,
    client: &Client,
) -> Outcome {
    let io_timeout = client.settings.io_timeout;
    let deadline = Instant::now() + io_timeout;
    if let Err(e) = stream.set_write_timeout(Some(io_timeout)) {
        return Outcome::Failed(None, format!("cannot send: {e}"));
    }
    if target.tls {
        let mut conn = match super::tls::connect(&client.tls, &target.host, &mut stream, deadline) {
            Ok(conn) => conn,
            Err(e) => return Outcome::Failed(None, e),
        };
        let control = stream.try_clone();
        let mut tls = rustls::Stream::new(&mut conn, &mut stream);
        match control {
            Ok(control) => send_and_read(&mut tls, &control, target, due, timestamp, deadline),
            Err(e) => Outcome::Failed(None, format!("cannot send: {e}")),
        }
    } else {
        let control = stream.try_clone();
        match control {
            Ok(control) => send_and_read(&mut stream, &control, target, due, timestamp, deadline),
            Err(e) => Outcome::Failed(None, format!("cannot send: {e}")),
        }
    }
}

/// Sends the request on `wire` (plain or TLS) and reads the status line, with `socket`'s
/// read timeout set from `deadline` before every read.
fn send_and_read(
    wire: &mut dyn ReadWrite,
    socket: &TcpStream,
    target: &Target,
    due: &Due,
    timestamp: i64,
    deadline: Instant,
) -> Outcome {
    let request = request_bytes(target, due, timestamp);
    let sent = wire.write_all(&request).and_then(|()| wire.flush());
    if let Err(e) = sent {
        return Outcome::Failed(None, format!("cannot send: {e}"));
    }
    match read_status(wire, socket, deadline) {
        Ok(status) if (200..300).contains(&status) => Outcome::Delivered(status),
        Ok(status) => Outcome::Failed(Some(status), format!("answered HTTP {status}")),
        Err(e) => Outcome::Failed(None, e),
    }
}

/// A connection to write the request to and read the answer from.
trait ReadWrite: Read + Write {}
impl<T: Read + Write> ReadWrite for T {}

/// The request: signed, `Connection: close`, the event id and delivery id as headers.
fn request_bytes(target: &Target, due: &Due, timestamp: i64) -> Vec<u8> {
    let signature = sign::header(&due.secret, timestamp, due.body.as_bytes());
    let head = format!(
        "POST {} HTTP/1.1\r\nHost: {}\r\nUser-Agent: Stockroom-Webhooks/1\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\n{}: {signature}\r\n\
         Stockroom-Event-Id: {}\r\nStockroom-Delivery-Id: {}\r\nStockroom-Webhook-Id: {}\r\n\
         Connection: close\r\n\r\n",
        target.path,
        target.host_header(),
        due.body.len(),
        sign::HEADER,
        due.event_id,
        due.id,
        due.webhook_id,
    );
    let mut bytes = head.into_bytes();
    bytes.extend_from_slice(due.body.as_bytes());
    bytes
}

/// Reads up to the end of the status line (at most 1 KiB) before `deadline`, so a receiver
/// trickling bytes cannot hold a worker longer than the timeout.
fn read_status(
    stream: &mut dyn ReadWrite,
    socket: &TcpStream,
    deadline: Instant,
) -> std::result::Result<u16, String> {
    let mut line = Vec::with_capacity(64);
    let mut buf = [0u8; 256];
    while !line.windows(2).any(|w| w == b"\r\n") {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() || line.len() > 1024 {
            return Err("no status line before the timeout".into());
        }
        socket
            .set_read_timeout(Some(left))
            .map_err(|e| e.to_string())?;
        match stream.read(&mut buf) {
            Ok(0) => return Err("connection closed before an answer".into()),
            Ok(n) => line.extend_from_slice(&buf[..n]),
            Err(e) => return Err(format!("no answer: {e}")),
        }
    }
    let text = String::from_utf8_lossy(&line);
    let mut parts = text.split_whitespace();
    match (
        parts.next(),
        parts.next().and_then(|s| s.parse::<u16>().ok()),
    ) {
        (Some(version), Some(status)) if version.starts_with("HTTP/1.") => Ok(status),
        _ => Err("malformed status line".into()),
    }
}

#[cfg(test)]
mod tests;

//! A loopback webhook receiver for the webhook tests: records every request (headers and
//! body) on a channel as soon as it has read it, then answers with the current status —
//! or holds the answer while `hold` is on, the way a slow receiver would.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicU16, AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver as Inbox, Sender, channel};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

/// One request as received.
#[derive(Debug, Clone)]
pub struct Hook {
    /// Request line, e.g. `POST /hook HTTP/1.1`.
    pub line: String,
    /// Headers, names lower-cased.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: String,
}

impl Hook {
    /// A header's value.
    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The body as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).expect("a JSON body")
    }
}

/// The receiver.
pub struct WebhookReceiver {
    /// `http://127.0.0.1:port/hook`
    pub url: String,
    inbox: Inbox<Hook>,
    status: Arc<AtomicU16>,
    gate: Arc<(Mutex<bool>, Condvar)>,
    held: Arc<AtomicUsize>,
}

impl WebhookReceiver {
    /// Listens on an ephemeral loopback port, answering 200.
    pub fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        let (sent, inbox) = channel();
        let status = Arc::new(AtomicU16::new(200));
        let gate = Arc::new((Mutex::new(false), Condvar::new()));
        let held = Arc::new(AtomicUsize::new(0));
        let (s, g, h) = (status.clone(), gate.clone(), held.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (sent, s, g, h) = (sent.clone(), s.clone(), g.clone(), h.clone());
                std::thread::spawn(move || serve_one(stream, &sent, &s, &g, &h));
            }
        });
        WebhookReceiver {
            url,
            inbox,
            status,
            gate,
            held,
        }
    }

    /// Answers `status` from now on.
    pub fn answer(&self, status: u16) {
        self.status.store(status, Ordering::SeqCst);
    }

    /// Holds (true) or releases (false) every answer.
    pub fn hold(&self, on: bool) {
        let (lock, changed) = &*self.gate;
        *lock.lock().unwrap() = on;
        changed.notify_all();
    }

    /// Requests read but not answered yet.
    pub fn held(&self) -> usize {
        self.held.load(Ordering::SeqCst)
    }

    /// The next request, waiting up to `secs` seconds.
    #[track_caller]
    pub fn next(&self, secs: u64) -> Hook {
        self.inbox
            .recv_timeout(Duration::from_secs(secs))
            .expect("a webhook request arrives")
    }

    /// Whatever arrived already.
    pub fn drain(&self) -> Vec<Hook> {
        self.inbox.try_iter().collect()
    }
}

fn serve_one(
    stream: TcpStream,
    sent: &Sender<Hook>,
    status: &AtomicU16,
    gate: &(Mutex<bool>, Condvar),
    held: &AtomicUsize,
) {
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    if reader.read_line(&mut line).unwrap_or(0) == 0 {
        return;
    }
    let mut headers = Vec::new();
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header).unwrap_or(0) == 0 || header == "\r\n" {
            break;
        }
        if let Some((name, value)) = header.trim_end().split_once(':') {
            headers.push((name.trim().to_ascii_lowercase(), value.trim().to_string()));
        }
    }
    let length = headers
        .iter()
        .find(|(n, _)| n == "content-length")
        .and_then(|(_, v)| v.parse::<usize>().ok())
        .unwrap_or(0);
    let mut body = vec![0u8; length];
    if reader.read_exact(&mut body).is_err() {
        return;
    }
    let hook = Hook {
        line: line.trim_end().to_string(),
        headers,
        body: String::from_utf8_lossy(&body).to_string(),
    };
    held.fetch_add(1, Ordering::SeqCst);
    let _ = sent.send(hook);
    let (lock, changed) = gate;
    let mut holding = lock.lock().unwrap();
    while *holding {
        holding = changed.wait(holding).unwrap();
    }
    drop(holding);
    let code = status.load(Ordering::SeqCst);
    let mut stream = reader.into_inner();
    let _ = write!(
        stream,
        "HTTP/1.1 {code} Answer\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    );
    held.fetch_sub(1, Ordering::SeqCst);
}

//! Server (and own) resource sampling from `/proc`: VmRSS and CPU time.

use std::sync::mpsc;
use std::thread;
use std::time::Duration;

/// VmRSS of `pid` in KiB, from `/proc/PID/status`.
pub fn read_rss_kb(pid: u32) -> Option<u64> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = s.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// User + system CPU seconds of `pid` (or this process), from `/proc/PID/stat`
/// (assumes the usual 100 clock ticks per second).
pub fn cpu_seconds(pid: Option<u32>) -> Option<f64> {
    let path = match pid {
        Some(p) => format!("/proc/{p}/stat"),
        None => "/proc/self/stat".to_string(),
    };
    let s = std::fs::read_to_string(path).ok()?;
    let after = &s[s.rfind(')')? + 1..];
    let fields: Vec<&str> = after.split_whitespace().collect();
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    Some((utime + stime) as f64 / 100.0)
}

/// RSS figures of the server process, in KiB.
#[derive(Clone, Copy, Debug)]
pub struct RssStats {
    /// Before the load started.
    pub start_kb: u64,
    /// Highest sample.
    pub peak_kb: u64,
    /// After the load ended (last readable sample).
    pub end_kb: u64,
    /// Number of samples taken.
    pub samples: u64,
}

/// Samples VmRSS of `pid` every 100 ms until the returned sender is dropped.
pub fn start_rss_sampler(pid: u32) -> (mpsc::Sender<()>, thread::JoinHandle<RssStats>) {
    let (tx, rx) = mpsc::channel::<()>();
    let handle = thread::spawn(move || {
        let first = read_rss_kb(pid).unwrap_or(0);
        let mut st = RssStats {
            start_kb: first,
            peak_kb: first,
            end_kb: first,
            samples: 1,
        };
        loop {
            let stop = !matches!(
                rx.recv_timeout(Duration::from_millis(100)),
                Err(mpsc::RecvTimeoutError::Timeout)
            );
            if let Some(kb) = read_rss_kb(pid) {
                st.peak_kb = st.peak_kb.max(kb);
                st.end_kb = kb;
                st.samples += 1;
            }
            if stop {
                return st;
            }
        }
    });
    (tx, handle)
}

//! The connection cap (issue 19, goal 3): open connections, and so connection threads, are
//! bounded; connections beyond the cap wait in the listen backlog, and once three quarters of
//! the cap are open, idle keep-alive connections give their slots back after a short wait.
//! The tests read this process's thread count, so they run one at a time through a lock.

mod common;

use common::client::{self, read_reply, write_request};
use common::{TestApp, config};
use std::io::BufReader;
use std::net::TcpStream;
use std::sync::Mutex;
use std::time::{Duration, Instant};
use stockroom::Engine;

static SEQUENTIAL: Mutex<()> = Mutex::new(());

/// Threads of this (test and server) process, from `/proc/self/status`.
fn threads() -> usize {
    let status = std::fs::read_to_string("/proc/self/status").expect("proc status");
    status
        .lines()
        .find_map(|line| line.strip_prefix("Threads:"))
        .and_then(|n| n.trim().parse().ok())
        .expect("Threads line")
}

fn app_with_cap(cap: usize) -> TestApp {
    let mut cfg = config();
    cfg.workers = 2;
    cfg.max_connections = cap;
    cfg.connection_timeout_ms = 30_000;
    TestApp::with(cfg, Engine::builder())
}

/// 100 idle connections to a server capped at 8 add at most 8 threads (they added one thread
/// each before the cap), and once they go, the server answers again.
#[test]
fn idle_connections_beyond_the_cap_get_no_thread() {
    let _one_at_a_time = SEQUENTIAL.lock().unwrap_or_else(|p| p.into_inner());
    let app = app_with_cap(8);
    // One request first, so the accept thread and its pool exist before counting.
    assert_eq!(app.get("/health").status, 200);
    let before = threads();
    let idle: Vec<TcpStream> = (0..100)
        .map(|_| TcpStream::connect(&app.addr).expect("connect"))
        .collect();
    std::thread::sleep(Duration::from_millis(300));
    let during = threads();
    assert!(
        during <= before + 8,
        "threads went from {before} to {during}"
    );
    drop(idle);
    let mut stream = client::connect(&app.addr);
    write_request(&mut stream, "GET", "/health", &[], None, true);
    let reply = read_reply(&mut BufReader::new(stream)).expect("answered after the idle ones left");
    assert_eq!(reply.status, 200);
}

/// With the cap nearly reached, connections that sit idle are closed after about a second
/// (not the 30 s idle timeout), so a client waiting in the backlog is served.
#[test]
fn under_pressure_idle_connections_give_their_slots_back() {
    let _one_at_a_time = SEQUENTIAL.lock().unwrap_or_else(|p| p.into_inner());
    let app = app_with_cap(4);
    let idle: Vec<TcpStream> = (0..4).map(|_| client::connect(&app.addr)).collect();
    std::thread::sleep(Duration::from_millis(100));
    let started = Instant::now();
    let mut stream = client::connect(&app.addr);
    write_request(&mut stream, "GET", "/health", &[], None, true);
    let reply = read_reply(&mut BufReader::new(stream)).expect("served from the backlog");
    assert_eq!(reply.status, 200);
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    drop(idle);
}

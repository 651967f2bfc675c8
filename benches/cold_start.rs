//! Process start to first answer, and fixture reset cost:
//! * `stockroom serve --demo --port 0` spawned → port printed → `GET /health` 200, 20 times:
//!   median/min/max, and the server's RSS at that moment — once with the seeded-image cache
//!   off (every start migrates and seeds) and once with a fresh cache directory (the first
//!   start fills it, the other 19 restore the image);
//! * `POST /test-control/reset` on the demo store, 200 times: the server-side restore time it
//!   reports (`took_us`) and the round trip.
//!
//! `cargo bench --bench cold_start`.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::Instant;

fn spawn(extra: &[&str], cache: &str) -> (Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_stockroom"))
        .args(["serve", "--demo", "--port", "0", "--quiet"])
        .args(extra)
        .env("STOCKROOM_FIXTURE_CACHE", cache)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn stockroom");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("read the URL line");
    let addr = line
        .trim()
        .rsplit("http://")
        .next()
        .unwrap_or_default()
        .to_string();
    (child, addr)
}

/// One request on a fresh connection; returns the status and the body.
fn request(addr: &str, method: &str, path: &str) -> Option<(u16, String)> {
    let mut stream = TcpStream::connect(addr).ok()?;
    let _ = stream.set_nodelay(true);
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nhost: x\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
    )
    .ok()?;
    let mut text = String::new();
    stream.read_to_string(&mut text).ok()?;
    let status = text.split_whitespace().nth(1)?.parse().ok()?;
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    Some((status, body))
}

fn rss_kb(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

fn stats(mut v: Vec<f64>) -> (f64, f64, f64) {
    v.sort_by(f64::total_cmp);
    (v[v.len() / 2], v[0], v[v.len() - 1])
}

/// 20 starts to the first 200; prints median/min/max and the RSS then.
fn cold_starts(label: &str, cache: &str) {
    let mut starts = Vec::new();
    let mut rss = Vec::new();
    for _ in 0..20 {
        let started = Instant::now();
        let (mut child, addr) = spawn(&[], cache);
        while request(&addr, "GET", "/health").map(|r| r.0) != Some(200) {}
        starts.push(started.elapsed().as_secs_f64() * 1e3);
        rss.push(rss_kb(child.id()) as f64 / 1024.0);
        let _ = child.kill();
        let _ = child.wait();
    }
    let (median, min, max) = stats(starts);
    println!(
        "cold start serve --demo → first 200 on /health, {label} (20 runs): median {median:.2} ms, min {min:.2}, max {max:.2}"
    );
    println!("RSS at first 200, {label}: median {:.1} MiB", stats(rss).0);
}

fn main() {
    cold_starts("image cache off", "off");
    let dir = std::env::temp_dir().join(format!("stockroom-bench-cache-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    cold_starts(
        "image cache on (first run fills it)",
        &dir.display().to_string(),
    );
    let _ = std::fs::remove_dir_all(&dir);

    let (mut child, addr) = spawn(&["--test-control"], "off");
    let (mut server, mut round_trip) = (Vec::new(), Vec::new());
    for _ in 0..200 {
        let started = Instant::now();
        let (status, body) = request(&addr, "POST", "/test-control/reset").expect("reset");
        round_trip.push(started.elapsed().as_secs_f64() * 1e3);
        assert_eq!(status, 200, "{body}");
        let took: f64 = serde_json::from_str::<serde_json::Value>(&body)
            .ok()
            .and_then(|v| v["took_us"].as_f64())
            .unwrap_or(f64::NAN);
        server.push(took / 1e3);
    }
    let _ = child.kill();
    let _ = child.wait();
    let (s_med, s_min, s_max) = stats(server);
    let (r_med, _, _) = stats(round_trip);
    println!(
        "reset of the demo store (200 runs): restore {s_med:.3} ms median (min {s_min:.3}, max {s_max:.3}), HTTP round trip {r_med:.3} ms median"
    );
}

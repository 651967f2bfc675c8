//! Backup time and writer stall on a large store (BENCHMARKS.md "Backup and restore").
//!
//! ```sh
//! cargo run --release --example gen_orders -- --db /tmp/big.db --orders 75000   # ≈ 1 GB
//! cargo run --release --example backup_stall -- /tmp/big.db steps|vacuum [pages]
//! ```
//!
//! Opens the store like `serve` (WAL, synchronous=full), keeps one writer committing small
//! write jobs back to back (a one-row insert each, what a checkout step costs at least), and
//! measures their latency for 3 s before the backup and during it. A stall shows as a p99 /
//! max far above the baseline. Writes go to a `bench_tick` table of the bench's own copy:
//! run it on a scratch store.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};
use stockroom::db::{Store, StoreOptions};
use stockroom::ops::backup::{BackupOptions, Method, backup_file};

fn main() -> stockroom::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let db = PathBuf::from(
        args.first()
            .expect("usage: backup_stall DB steps|vacuum [pages]"),
    );
    let method = Method::parse(args.get(1).map_or("steps", String::as_str)).expect("method");
    let pages = args.get(2).map_or(1024, |p| p.parse().expect("pages"));
    let to = PathBuf::from(format!("{}.bench-backup", db.display()));
    let _ = std::fs::remove_file(&to);
    let store = Store::open(&db, StoreOptions::default())?;
    store.write(|tx| {
        tx.execute_batch(
            "CREATE TABLE IF NOT EXISTS bench_tick (id INTEGER PRIMARY KEY, at TEXT)",
        )?;
        Ok(())
    })?;
    let stop = Arc::new(AtomicBool::new(false));
    let baseline = measure_writes(&store, &stop, Duration::from_secs(3));
    let writer = {
        let (store, stop) = (store.clone(), stop.clone());
        std::thread::spawn(move || measure_writes(&store, &stop, Duration::from_secs(3600)))
    };
    let modules = stockroom::Engine::builder().all_modules();
    let options = BackupOptions {
        method,
        pages_per_step: pages,
        pause: Duration::ZERO,
    };
    let started = Instant::now();
    let report = backup_file(&db, &to, &modules, &options, &mut |_| {});
    let total = started.elapsed();
    stop.store(true, Ordering::SeqCst);
    let during = writer.join().expect("writer");
    let report = report?;
    let wal = std::fs::metadata(format!("{}-wal", db.display())).map_or(0, |m| m.len());
    println!(
        "{:?} pages/step={pages}: store {} MB, copy {} ms ({} steps), verify {} ms, total {} ms, backup {} MB, WAL after {} MB",
        method,
        std::fs::metadata(&db).map_or(0, |m| m.len()) >> 20,
        report.copy_ms,
        report.steps,
        report.verify_ms,
        total.as_millis(),
        report.bytes >> 20,
        wal >> 20
    );
    println!("writes before: {baseline}");
    println!("writes during: {during}");
    let _ = std::fs::remove_file(&to);
    store.close();
    Ok(())
}

/// Commits one-row write jobs until `stop` or `limit`; returns "n, p50, p99, max".
fn measure_writes(store: &Store, stop: &AtomicBool, limit: Duration) -> String {
    let mut latencies = Vec::new();
    let started = Instant::now();
    while !stop.load(Ordering::SeqCst) && started.elapsed() < limit {
        let t = Instant::now();
        store
            .write(|tx| {
                tx.execute("INSERT INTO bench_tick (at) VALUES ('x')", [])?;
                Ok(())
            })
            .expect("write");
        latencies.push(t.elapsed());
    }
    latencies.sort();
    let at = |q: f64| latencies[((latencies.len() - 1) as f64 * q) as usize];
    format!(
        "{} commits in {} ms, p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        latencies.len(),
        started.elapsed().as_millis(),
        at(0.5).as_secs_f64() * 1e3,
        at(0.99).as_secs_f64() * 1e3,
        at(1.0).as_secs_f64() * 1e3
    )
}

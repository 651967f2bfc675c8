//! # `loadgen` — HTTP/1.1 load generator for the Stockroom store API
//!
//! A self-contained benchmarking client (only `std` + `serde_json`) for Stockroom, the
//! Medusa v2 compatible commerce engine, and for any other Medusa v2 compatible backend.
//!
//! ## What it measures
//!
//! * **Latency** of every HTTP request — and, in the `checkout` scenario, of each of the
//!   seven checkout steps and of the whole checkout — recorded in a log-bucketed histogram
//!   with at most 0.8 % relative error (1 ns resolution up to ~137 s): mean, p50, p90, p99,
//!   p99.9 and max. Latency is measured from the first byte written to the last body byte
//!   read, on a keep-alive connection (a reconnect is part of the request that needed it).
//!   Histograms hold successful operations only (2xx and passing checks); failures are
//!   counted separately.
//! * **Throughput**: requests/s (and orders/s for `checkout`) over the measured window. The
//!   warm-up period (`--warmup`) is excluded from every figure.
//! * **Errors**: non-2xx responses by status code, transport failures by kind (connect
//!   refused, timeout, reset, closed, malformed, ...), and failed response checks (such as a
//!   cart completion that did not return `{"type":"order"}`). Errors never abort the run.
//! * **Server resources** (`--pid PID`): VmRSS from `/proc/PID/status` at start, peak (sampled
//!   every 100 ms) and end, and the CPU time the server used during the measured window.
//! * **Its own ceiling** (`--self-test`): requests/s against an in-process server answering a
//!   fixed 2 KB JSON body, i.e. the most the generator itself can drive on this machine.
//!
//! ## How to run
//!
//! ```text
//! cargo build --release --bin loadgen
//! # the generator's own ceiling
//! target/release/loadgen --self-test --clients 1 --duration 5s
//! # one GET repeated; {region} is replaced by a region discovered via GET /store/regions
//! target/release/loadgen --base http://127.0.0.1:9000 --key pk_... --scenario get \
//!     --path '/store/products?limit=20&region_id={region}' --clients 4 --duration 10s
//! # the 7-call storefront checkout, with server RSS/CPU, as JSON for BENCHMARKS.md
//! target/release/loadgen --base http://127.0.0.1:9000 --key pk_... --scenario checkout \
//!     --clients 4 --duration 30s --warmup 5s --pid "$(pgrep -n stockroom)" --json
//! ```
//!
//! Run `loadgen --help` for every option. Exit status: 0 on success, 1 when the run failed or
//! produced no successful request (or order) in the measured window, 2 on bad usage.
//!
//! ## Design notes
//!
//! * Each client is one OS thread owning one keep-alive HTTP/1.1 connection (`TCP_NODELAY`).
//!   Responses are framed by `Content-Length`, `Transfer-Encoding: chunked`, or connection
//!   close. A connection is re-opened after `Connection: close`, an HTTP/1.0 response or any
//!   error; a request that fails on a *reused* connection before any response byte arrived
//!   (the server closed an idle keep-alive connection) is retried once on a fresh one.
//! * Closed-loop load: each client sends its next request as soon as the previous one
//!   completes, so throughput and latency are coupled (no coordinated-omission correction).
//! * Per-thread histograms are merged at the end; threads share no locks while running.
//!
//! ## Modules
//!
//! * [`config`]: usage text and command-line parsing.
//! * [`run`](mod@run): one run, from target resolution to the merged figures.
//! * [`discovery`]: region / variant / country discovery from the store API.
//! * [`scenarios`]: the worker threads and the `get` and `checkout` loops.
//! * [`client`] and [`http`]: the keep-alive HTTP/1.1 client and its transport.
//! * [`histogram`] and [`stats`]: latency histograms and outcome counters.
//! * [`procfs`]: server RSS / CPU sampling from `/proc`.
//! * [`selftest`]: the in-process server behind `--self-test`.
//! * [`report`]: the text table and the JSON output.

mod client;
mod config;
mod discovery;
mod histogram;
mod http;
mod procfs;
mod report;
mod run;
mod scenarios;
mod selftest;
mod stats;

use crate::config::{USAGE, parse_args};
use crate::run::run;
use std::process::ExitCode;

/// Entry point: parse arguments, run, print.
fn main() -> ExitCode {
    let cfg = match parse_args(std::env::args().skip(1)) {
        Ok(Some(c)) => c,
        Ok(None) => {
            print!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("loadgen: {e}\nRun `loadgen --help` for usage.");
            return ExitCode::from(2);
        }
    };
    match run(&cfg) {
        Ok(report) => {
            if cfg.json {
                println!("{}", report.to_json());
            } else {
                report.print_human();
            }
            if report.succeeded() {
                ExitCode::SUCCESS
            } else {
                eprintln!("loadgen: nothing succeeded in the measured window");
                ExitCode::from(1)
            }
        }
        Err(e) => {
            eprintln!("loadgen: {e}");
            ExitCode::from(1)
        }
    }
}

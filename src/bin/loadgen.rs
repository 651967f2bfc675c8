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

use serde_json::{Map, Value, json};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream, ToSocketAddrs};
use std::ops::Range;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

/// Command-line help, printed by `--help`.
const USAGE: &str = "\
loadgen - HTTP/1.1 load generator for the Stockroom / Medusa v2 store API

USAGE:
    loadgen [OPTIONS]
    loadgen --self-test [--clients N] [--duration DUR]

TARGET:
    --base URL               base URL, http:// only (default http://127.0.0.1:9000)
    --key KEY                publishable API key, sent as x-publishable-api-key
    -H, --header 'K: V'      extra request header (repeatable)
    --timeout DUR            connect / read / write timeout per I/O operation (default 10s)

SCENARIO:
    --scenario get|checkout  what each client repeats (default get)
    --path PATH              get: path and query (default /store/products?limit=20);
                             {region} and {variant} are replaced by discovered ids
    --method METHOD          get: HTTP method (default GET)
    --body JSON              get: request body (sent as content-type: application/json)
    --region ID              region id (otherwise discovered: first of GET /store/regions)
    --region-currency CUR    discovery: first region with this currency code (e.g. usd)
    --variant ID             variant id (otherwise discovered: first variant of
                             GET /store/products?limit=1&region_id=R&fields=*variants)
    --shipping-option ID     checkout: use this option instead of a per-checkout
                             GET /store/shipping-options?cart_id=...
    --country ISO2           checkout: address country (default us, or the region's first)
    --email EMAIL            checkout: cart email (default bench@example.com)
    --provider ID            checkout: payment provider (default pp_system_default)

LOAD:
    -c, --clients N          concurrent clients: one thread + one keep-alive connection
                             each (default 4)
    -d, --duration DUR       measured duration (default 10s unless --requests is given)
    -n, --requests N         stop after N measured requests (checkout: N checkouts);
                             with --duration too, whichever comes first
    --warmup DUR             warm-up before measuring, excluded from stats (default 2s)

OUTPUT:
    --pid PID                server process: sample VmRSS every 100 ms (start/peak/end)
                             and report its CPU time in the measured window
    --json                   print a single JSON object instead of the table
    --self-test              measure the generator's own ceiling: get scenario against an
                             in-process server on 127.0.0.1 answering a fixed 2 KB JSON body
    -h, --help               print this help

DUR is a number with a unit: 500ms, 10s, 2m (a bare number means seconds).

CHECKOUT (7 steps per iteration; a failed step aborts the iteration):
    1 create_cart         POST /store/carts {region_id}
    2 add_line_item       POST /store/carts/{id}/line-items {variant_id, quantity: 1}
    3 update_cart         POST /store/carts/{id} {email, shipping_address, billing_address}
    4 shipping_method     [GET /store/shipping-options?cart_id={id}]
                          POST /store/carts/{id}/shipping-methods {option_id}
    5 payment_collection  POST /store/payment-collections {cart_id}
    6 payment_session     POST /store/payment-collections/{pc}/payment-sessions {provider_id}
    7 complete            POST /store/carts/{id}/complete -> expects {\"type\":\"order\"}

EXIT STATUS: 0 ok; 1 runtime failure or nothing succeeded in the measured window; 2 bad usage.
";

// ---------------------------------------------------------------------------------------------
// Histogram
// ---------------------------------------------------------------------------------------------

/// Sub-buckets per power of two, as a bit count: 2^7 = 128 gives ≤ 0.78 % relative error.
const SUB_BITS: u32 = 7;
/// Number of sub-buckets per power of two.
const SUB_COUNT: u64 = 1 << SUB_BITS;
/// Largest value (ns) the histogram resolves (~137 s); larger values land in the top bucket.
const MAX_TRACKABLE_NS: u64 = (1 << 37) - 1;
/// Total number of buckets needed to cover `0..=MAX_TRACKABLE_NS`.
const BUCKETS: usize = bucket_index(MAX_TRACKABLE_NS) + 1;

/// Bucket of a value: exact below 256, then 128 linear sub-buckets per power of two.
const fn bucket_index(v: u64) -> usize {
    let exp = 63 - (v | 1).leading_zeros();
    let shift = exp.saturating_sub(SUB_BITS);
    (((shift as u64) << SUB_BITS) + (v >> shift)) as usize
}

/// Lowest value and width of bucket `i` (inverse of [`bucket_index`]).
fn bucket_range(i: usize) -> (u64, u64) {
    let i = i as u64;
    if i < 2 * SUB_COUNT {
        (i, 1)
    } else {
        let shift = (i >> SUB_BITS) - 1;
        let mantissa = SUB_COUNT + (i & (SUB_COUNT - 1));
        (mantissa << shift, 1 << shift)
    }
}

/// HDR-style latency histogram in nanoseconds: log-bucketed with 128 linear sub-buckets per
/// power of two (≤ 0.78 % relative error), exact count/sum/min/max, mergeable across threads.
#[derive(Clone, Debug)]
struct Histogram {
    /// Per-bucket counts, indexed by [`bucket_index`].
    counts: Vec<u64>,
    /// Number of recorded values.
    count: u64,
    /// Exact sum of recorded values (ns), for the mean.
    sum_ns: u128,
    /// Exact smallest recorded value (ns).
    min_ns: u64,
    /// Exact largest recorded value (ns).
    max_ns: u64,
}

impl Histogram {
    /// An empty histogram.
    fn new() -> Self {
        Histogram {
            counts: vec![0; BUCKETS],
            count: 0,
            sum_ns: 0,
            min_ns: u64::MAX,
            max_ns: 0,
        }
    }

    /// Records one duration.
    fn record(&mut self, d: Duration) {
        self.record_ns(u64::try_from(d.as_nanos()).unwrap_or(u64::MAX));
    }

    /// Records one value in nanoseconds.
    fn record_ns(&mut self, ns: u64) {
        self.counts[bucket_index(ns.min(MAX_TRACKABLE_NS))] += 1;
        self.count += 1;
        self.sum_ns += u128::from(ns);
        self.min_ns = self.min_ns.min(ns);
        self.max_ns = self.max_ns.max(ns);
    }

    /// Adds all values of `other` into `self`.
    fn merge(&mut self, other: &Histogram) {
        for (a, b) in self.counts.iter_mut().zip(&other.counts) {
            *a += b;
        }
        self.count += other.count;
        self.sum_ns += other.sum_ns;
        self.min_ns = self.min_ns.min(other.min_ns);
        self.max_ns = self.max_ns.max(other.max_ns);
    }

    /// Value (ns) at percentile `p` (0..=100): the middle of the bucket holding that rank,
    /// clamped to the exact min/max. Returns 0 for an empty histogram.
    fn percentile(&self, p: f64) -> u64 {
        if self.count == 0 {
            return 0;
        }
        if p >= 100.0 {
            return self.max_ns;
        }
        let rank = ((p / 100.0 * self.count as f64).ceil() as u64).clamp(1, self.count);
        let mut seen = 0u64;
        for (i, &c) in self.counts.iter().enumerate() {
            seen += c;
            if seen >= rank {
                let (lo, width) = bucket_range(i);
                return (lo + (width - 1) / 2).clamp(self.min_ns, self.max_ns);
            }
        }
        self.max_ns
    }

    /// Summary in microseconds.
    fn summary(&self) -> Latency {
        let us = |ns: u64| ns as f64 / 1000.0;
        Latency {
            mean: if self.count == 0 {
                0.0
            } else {
                self.sum_ns as f64 / self.count as f64 / 1000.0
            },
            min: if self.count == 0 {
                0.0
            } else {
                us(self.min_ns)
            },
            p50: us(self.percentile(50.0)),
            p90: us(self.percentile(90.0)),
            p99: us(self.percentile(99.0)),
            p999: us(self.percentile(99.9)),
            max: us(self.percentile(100.0)),
        }
    }
}

/// Latency summary, all figures in microseconds.
#[derive(Clone, Copy, Debug)]
struct Latency {
    /// Exact arithmetic mean.
    mean: f64,
    /// Exact minimum.
    min: f64,
    /// Median.
    p50: f64,
    /// 90th percentile.
    p90: f64,
    /// 99th percentile.
    p99: f64,
    /// 99.9th percentile.
    p999: f64,
    /// Exact maximum.
    max: f64,
}

impl Latency {
    /// JSON object with `_us` figures rounded to 0.1 µs.
    fn to_json(self) -> Value {
        let r = |x: f64| (x * 10.0).round() / 10.0;
        json!({
            "mean": r(self.mean), "min": r(self.min), "p50": r(self.p50), "p90": r(self.p90),
            "p99": r(self.p99), "p99_9": r(self.p999), "max": r(self.max),
        })
    }
}

// ---------------------------------------------------------------------------------------------
// Outcomes and errors
// ---------------------------------------------------------------------------------------------

/// Kind of transport-level failure (no usable HTTP response).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum TransportError {
    /// Connection refused.
    ConnectRefused,
    /// Connect timed out.
    ConnectTimeout,
    /// Any other connect failure (including socket option errors).
    Connect,
    /// Writing the request failed.
    Write,
    /// A read or write exceeded `--timeout`.
    Timeout,
    /// Connection reset / aborted / broken pipe while reading.
    Reset,
    /// Peer closed the connection before the response was complete.
    Closed,
    /// Response could not be parsed as HTTP/1.x.
    Malformed,
    /// Any other I/O error.
    Io,
}

impl TransportError {
    /// Stable name used in reports.
    fn as_str(self) -> &'static str {
        match self {
            TransportError::ConnectRefused => "connect_refused",
            TransportError::ConnectTimeout => "connect_timeout",
            TransportError::Connect => "connect_error",
            TransportError::Write => "write_error",
            TransportError::Timeout => "timeout",
            TransportError::Reset => "reset",
            TransportError::Closed => "closed",
            TransportError::Malformed => "malformed_response",
            TransportError::Io => "io_error",
        }
    }

    /// Whether this is a connect failure (the client then backs off briefly).
    fn is_connect(self) -> bool {
        matches!(
            self,
            TransportError::ConnectRefused
                | TransportError::ConnectTimeout
                | TransportError::Connect
        )
    }
}

/// Maps an I/O error from an established connection to a [`TransportError`].
fn classify(e: &io::Error) -> TransportError {
    match e.kind() {
        io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock => TransportError::Timeout,
        io::ErrorKind::ConnectionReset
        | io::ErrorKind::ConnectionAborted
        | io::ErrorKind::BrokenPipe => TransportError::Reset,
        io::ErrorKind::UnexpectedEof => TransportError::Closed,
        _ => TransportError::Io,
    }
}

/// Why a request or a scenario step failed.
#[derive(Clone, Copy, Debug)]
enum Fail {
    /// The server answered with a non-2xx status.
    Status(u16),
    /// No usable response.
    Transport(TransportError),
    /// A 2xx response failed a scenario check (bad JSON, missing id, not an order, ...).
    Check(&'static str),
}

impl Fail {
    /// Human-readable key, e.g. `status 404`, `timeout`, `check not_order`.
    fn key(&self) -> String {
        match self {
            Fail::Status(s) => format!("status {s}"),
            Fail::Transport(t) => t.as_str().to_string(),
            Fail::Check(c) => format!("check {c}"),
        }
    }
}

/// Success and failure counters of one kind of operation.
#[derive(Clone, Debug, Default)]
struct Outcomes {
    /// Successful operations.
    ok: u64,
    /// Non-2xx responses by status code.
    by_status: BTreeMap<u16, u64>,
    /// Transport failures by kind.
    by_transport: BTreeMap<&'static str, u64>,
    /// Failed checks by name (checkout rows: the step at which a checkout failed).
    by_check: BTreeMap<&'static str, u64>,
}

impl Outcomes {
    /// Counts one failure.
    fn record_fail(&mut self, f: &Fail) {
        match f {
            Fail::Status(s) => *self.by_status.entry(*s).or_default() += 1,
            Fail::Transport(t) => *self.by_transport.entry(t.as_str()).or_default() += 1,
            Fail::Check(c) => *self.by_check.entry(c).or_default() += 1,
        }
    }

    /// Total failures.
    fn errors(&self) -> u64 {
        self.by_status.values().sum::<u64>()
            + self.by_transport.values().sum::<u64>()
            + self.by_check.values().sum::<u64>()
    }

    /// Successes plus failures.
    fn total(&self) -> u64 {
        self.ok + self.errors()
    }

    /// Adds `other` into `self`.
    fn merge(&mut self, other: &Outcomes) {
        self.ok += other.ok;
        for (k, v) in &other.by_status {
            *self.by_status.entry(*k).or_default() += v;
        }
        for (k, v) in &other.by_transport {
            *self.by_transport.entry(k).or_default() += v;
        }
        for (k, v) in &other.by_check {
            *self.by_check.entry(k).or_default() += v;
        }
    }

    /// One-line description of the failures, e.g. `status 404 ×3, timeout ×1`.
    fn describe(&self) -> String {
        let mut parts = Vec::new();
        for (k, v) in &self.by_status {
            parts.push(format!("status {k} ×{v}"));
        }
        for (k, v) in &self.by_transport {
            parts.push(format!("{k} ×{v}"));
        }
        for (k, v) in &self.by_check {
            parts.push(format!("{k} ×{v}"));
        }
        parts.join(", ")
    }
}

/// Latency histogram (successes only) plus outcome counters of one row of the report.
#[derive(Clone, Debug)]
struct StepStats {
    /// Latency of successful operations.
    hist: Histogram,
    /// Success / failure counters.
    out: Outcomes,
}

impl StepStats {
    /// Empty stats.
    fn new() -> Self {
        StepStats {
            hist: Histogram::new(),
            out: Outcomes::default(),
        }
    }

    /// Adds `other` into `self`.
    fn merge(&mut self, other: &StepStats) {
        self.hist.merge(&other.hist);
        self.out.merge(&other.out);
    }

    /// JSON object with counts, error breakdown and latency (µs).
    fn to_json(&self, name: Option<&str>) -> Value {
        let mut m = Map::new();
        if let Some(n) = name {
            m.insert("name".into(), json!(n));
        }
        m.insert("count".into(), json!(self.out.total()));
        m.insert("ok".into(), json!(self.out.ok));
        m.insert("errors".into(), json!(self.out.errors()));
        let status: Map<String, Value> = self
            .out
            .by_status
            .iter()
            .map(|(k, v)| (k.to_string(), json!(v)))
            .collect();
        let transport: Map<String, Value> = self
            .out
            .by_transport
            .iter()
            .map(|(k, v)| (k.to_string(), json!(v)))
            .collect();
        let check: Map<String, Value> = self
            .out
            .by_check
            .iter()
            .map(|(k, v)| (k.to_string(), json!(v)))
            .collect();
        m.insert("status_errors".into(), Value::Object(status));
        m.insert("transport_errors".into(), Value::Object(transport));
        m.insert("check_errors".into(), Value::Object(check));
        m.insert("latency_us".into(), self.hist.summary().to_json());
        Value::Object(m)
    }
}

// ---------------------------------------------------------------------------------------------
// HTTP/1.1 client
// ---------------------------------------------------------------------------------------------

/// Largest response head accepted.
const MAX_HEAD: usize = 256 * 1024;
/// Largest chunk-size / trailer line accepted.
const MAX_LINE: usize = 16 * 1024;
/// Response bodies beyond this many bytes are read but not kept.
const MAX_KEEP: usize = 16 * 1024 * 1024;
/// Minimum free buffer space before a read.
const MIN_READ: usize = 4096;

/// Where to send requests, parsed from `--base`.
#[derive(Clone, Debug)]
struct Target {
    /// Resolved socket address.
    addr: SocketAddr,
    /// `Host` header value (`host:port` as given).
    host: String,
    /// Path prefix of the base URL (no trailing slash), prepended to every path.
    prefix: String,
    /// Base URL for display.
    display: String,
}

/// Parses an `http://host[:port][/prefix]` base URL and resolves it.
fn parse_base(base: &str) -> Result<Target, String> {
    let rest = base
        .strip_prefix("http://")
        .ok_or("--base must start with http:// (TLS is not supported)")?;
    let (authority, prefix) = match rest.find('/') {
        Some(i) => (&rest[..i], rest[i..].trim_end_matches('/')),
        None => (rest, ""),
    };
    if authority.is_empty() {
        return Err(format!("--base {base}: missing host"));
    }
    let has_port = if authority.starts_with('[') {
        authority.contains("]:")
    } else {
        authority.contains(':')
    };
    let with_port = if has_port {
        authority.to_string()
    } else {
        format!("{authority}:80")
    };
    let addr = with_port
        .to_socket_addrs()
        .map_err(|e| format!("--base {base}: cannot resolve {with_port}: {e}"))?
        .next()
        .ok_or_else(|| format!("--base {base}: {with_port} resolved to no address"))?;
    Ok(Target {
        addr,
        host: authority.to_string(),
        prefix: prefix.to_string(),
        display: base.trim_end_matches('/').to_string(),
    })
}

/// Finds `needle` in `hay`.
fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Parsed response head.
#[derive(Debug)]
struct Head {
    /// Status code.
    status: u16,
    /// `Content-Length`, if present.
    content_length: Option<u64>,
    /// `Transfer-Encoding: chunked`.
    chunked: bool,
    /// The connection must be closed after this response.
    close: bool,
}

/// Parses a response head (status line + headers, without the final blank line).
fn parse_head(bytes: &[u8]) -> Result<Head, TransportError> {
    let mut lines = bytes
        .split(|&b| b == b'\n')
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l));
    let status_line = lines.next().ok_or(TransportError::Malformed)?;
    if status_line.len() < 12 || !status_line.starts_with(b"HTTP/1.") || status_line[8] != b' ' {
        return Err(TransportError::Malformed);
    }
    let http10 = status_line[7] == b'0';
    let digits = &status_line[9..12];
    if !digits.iter().all(u8::is_ascii_digit) {
        return Err(TransportError::Malformed);
    }
    let status = digits
        .iter()
        .fold(0u16, |acc, d| acc * 10 + u16::from(d - b'0'));
    let mut head = Head {
        status,
        content_length: None,
        chunked: false,
        close: false,
    };
    let mut keep_alive = false;
    for line in lines {
        let Some(colon) = line.iter().position(|&b| b == b':') else {
            continue;
        };
        let name = line[..colon].trim_ascii();
        let value = line[colon + 1..].trim_ascii();
        if name.eq_ignore_ascii_case(b"content-length") {
            let v = std::str::from_utf8(value)
                .ok()
                .and_then(|s| s.parse::<u64>().ok())
                .ok_or(TransportError::Malformed)?;
            head.content_length = Some(v);
        } else if name.eq_ignore_ascii_case(b"transfer-encoding") {
            head.chunked = value.to_ascii_lowercase().ends_with(b"chunked");
        } else if name.eq_ignore_ascii_case(b"connection") {
            for token in value.split(|&b| b == b',') {
                let token = token.trim_ascii();
                if token.eq_ignore_ascii_case(b"close") {
                    head.close = true;
                } else if token.eq_ignore_ascii_case(b"keep-alive") {
                    keep_alive = true;
                }
            }
        }
    }
    if http10 && !keep_alive {
        head.close = true;
    }
    Ok(head)
}

/// Parses a chunk-size line (hex size, optional `;extensions`).
fn parse_chunk_size(line: &[u8]) -> Result<u64, TransportError> {
    let end = line.iter().position(|&b| b == b';').unwrap_or(line.len());
    let hex =
        std::str::from_utf8(line[..end].trim_ascii()).map_err(|_| TransportError::Malformed)?;
    if hex.is_empty() || hex.len() > 15 {
        return Err(TransportError::Malformed);
    }
    u64::from_str_radix(hex, 16).map_err(|_| TransportError::Malformed)
}

/// One open connection with its read buffer.
struct Conn {
    /// The socket.
    stream: TcpStream,
    /// Read buffer; unconsumed bytes are `buf[pos..len]`.
    buf: Vec<u8>,
    /// Start of unconsumed bytes.
    pos: usize,
    /// End of valid bytes.
    len: usize,
    /// Bytes received for the current response (0 means nothing arrived yet).
    got: u64,
    /// Responses completed on this connection.
    served: u64,
}

impl Conn {
    /// Wraps a connected socket.
    fn new(stream: TcpStream) -> Self {
        Conn {
            stream,
            buf: vec![0; 16 * 1024],
            pos: 0,
            len: 0,
            got: 0,
            served: 0,
        }
    }

    /// Reads more bytes into the buffer; returns 0 at end of stream.
    fn fill(&mut self) -> Result<usize, TransportError> {
        if self.pos == self.len {
            self.pos = 0;
            self.len = 0;
        } else if self.buf.len() - self.len < MIN_READ {
            if self.pos > 0 {
                self.buf.copy_within(self.pos..self.len, 0);
                self.len -= self.pos;
                self.pos = 0;
            }
            if self.buf.len() - self.len < MIN_READ {
                let n = self.buf.len() * 2;
                self.buf.resize(n, 0);
            }
        }
        loop {
            match self.stream.read(&mut self.buf[self.len..]) {
                Ok(n) => {
                    self.len += n;
                    self.got += n as u64;
                    return Ok(n);
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(classify(&e)),
            }
        }
    }

    /// Reads and parses a response head, consuming it and its blank line.
    fn read_head(&mut self) -> Result<Head, TransportError> {
        let mut scanned = 0;
        loop {
            let avail = &self.buf[self.pos..self.len];
            if let Some(i) = find(&avail[scanned..], b"\r\n\r\n") {
                let end = scanned + i;
                let head = parse_head(&avail[..end])?;
                self.pos += end + 4;
                return Ok(head);
            }
            scanned = avail.len().saturating_sub(3);
            if avail.len() > MAX_HEAD {
                return Err(TransportError::Malformed);
            }
            if self.fill()? == 0 {
                return Err(TransportError::Closed);
            }
        }
    }

    /// Finds the next CRLF-terminated line; returns its range (without CRLF) in `buf`.
    /// The caller must set `pos = range.end + 2` once done with it.
    fn read_line(&mut self) -> Result<Range<usize>, TransportError> {
        let mut scanned = 0;
        loop {
            let avail = &self.buf[self.pos..self.len];
            if let Some(i) = find(&avail[scanned..], b"\r\n") {
                return Ok(self.pos..self.pos + scanned + i);
            }
            scanned = avail.len().saturating_sub(1);
            if avail.len() > MAX_LINE {
                return Err(TransportError::Malformed);
            }
            if self.fill()? == 0 {
                return Err(TransportError::Closed);
            }
        }
    }

    /// Consumes exactly `n` body bytes, appending them to `body` (up to [`MAX_KEEP`]).
    fn take(&mut self, mut n: u64, body: &mut Vec<u8>) -> Result<(), TransportError> {
        while n > 0 {
            if self.pos == self.len && self.fill()? == 0 {
                return Err(TransportError::Closed);
            }
            let k = ((self.len - self.pos) as u64).min(n) as usize;
            if body.len() + k <= MAX_KEEP {
                body.extend_from_slice(&self.buf[self.pos..self.pos + k]);
            }
            self.pos += k;
            n -= k as u64;
        }
        Ok(())
    }

    /// Reads a chunked body including trailers.
    fn read_chunked(&mut self, body: &mut Vec<u8>) -> Result<(), TransportError> {
        loop {
            let r = self.read_line()?;
            let size = parse_chunk_size(&self.buf[r.clone()])?;
            self.pos = r.end + 2;
            if size == 0 {
                loop {
                    let r = self.read_line()?;
                    self.pos = r.end + 2;
                    if r.is_empty() {
                        return Ok(());
                    }
                }
            }
            self.take(size, body)?;
            let r = self.read_line()?;
            if !r.is_empty() {
                return Err(TransportError::Malformed);
            }
            self.pos = r.end + 2;
        }
    }

    /// Reads the body described by `head`; returns whether the connection must be closed.
    fn read_body(
        &mut self,
        head: &Head,
        head_only: bool,
        body: &mut Vec<u8>,
    ) -> Result<bool, TransportError> {
        let s = head.status;
        if head_only || (100..200).contains(&s) || s == 204 || s == 304 {
            return Ok(head.close);
        }
        if head.chunked {
            self.read_chunked(body)?;
            Ok(head.close)
        } else if let Some(n) = head.content_length {
            self.take(n, body)?;
            Ok(head.close)
        } else {
            // Delimited by connection close.
            loop {
                if self.pos == self.len && self.fill()? == 0 {
                    return Ok(true);
                }
                let n = (self.len - self.pos) as u64;
                self.take(n, body)?;
            }
        }
    }

    /// Writes one request and reads its response into `body`; returns (status, must_close).
    fn exchange(
        &mut self,
        req: &[u8],
        head_only: bool,
        body: &mut Vec<u8>,
    ) -> Result<(u16, bool), TransportError> {
        self.got = 0;
        body.clear();
        self.stream.write_all(req).map_err(|e| match classify(&e) {
            TransportError::Timeout => TransportError::Timeout,
            _ => TransportError::Write,
        })?;
        loop {
            let head = self.read_head()?;
            if (100..200).contains(&head.status) && head.status != 101 {
                continue; // interim response (e.g. 100 Continue)
            }
            let close = self.read_body(&head, head_only, body)?;
            self.served += 1;
            return Ok((head.status, close || head.status == 101));
        }
    }
}

/// Keep-alive HTTP/1.1 client bound to one [`Target`]; reconnects when needed.
struct Client<'t> {
    /// Where requests go.
    target: &'t Target,
    /// Connect / read / write timeout.
    timeout: Duration,
    /// Pre-rendered fixed headers (Host, key, user headers), each ending in CRLF.
    header_block: String,
    /// The user supplied a content-type header.
    has_content_type: bool,
    /// Current connection, if any.
    conn: Option<Conn>,
    /// Request buffer, reused.
    req: Vec<u8>,
    /// Body of the last response (up to [`MAX_KEEP`] bytes).
    body: Vec<u8>,
    /// Connections opened.
    connects: u64,
}

impl<'t> Client<'t> {
    /// Creates a client; no connection is opened until the first request.
    fn new(target: &'t Target, cfg: &Config) -> Self {
        let mut header_block = format!("Host: {}\r\n", target.host);
        header_block.push_str("User-Agent: stockroom-loadgen/1\r\nAccept: application/json\r\n");
        if let Some(k) = &cfg.key {
            let _ = write!(header_block, "x-publishable-api-key: {k}\r\n");
        }
        let mut has_content_type = false;
        for (k, v) in &cfg.headers {
            has_content_type |= k.eq_ignore_ascii_case("content-type");
            let _ = write!(header_block, "{k}: {v}\r\n");
        }
        Client {
            target,
            timeout: cfg.timeout,
            header_block,
            has_content_type,
            conn: None,
            req: Vec::with_capacity(1024),
            body: Vec::with_capacity(16 * 1024),
            connects: 0,
        }
    }

    /// Opens a new connection with `TCP_NODELAY` and I/O timeouts.
    fn connect(&self) -> Result<Conn, TransportError> {
        let stream = TcpStream::connect_timeout(&self.target.addr, self.timeout).map_err(|e| {
            match e.kind() {
                io::ErrorKind::ConnectionRefused => TransportError::ConnectRefused,
                io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock => {
                    TransportError::ConnectTimeout
                }
                _ => TransportError::Connect,
            }
        })?;
        stream
            .set_nodelay(true)
            .and_then(|()| stream.set_read_timeout(Some(self.timeout)))
            .and_then(|()| stream.set_write_timeout(Some(self.timeout)))
            .map_err(|_| TransportError::Connect)?;
        Ok(Conn::new(stream))
    }

    /// Sends one request and reads the whole response; the body is left in `self.body`.
    /// `path` is relative to the base URL's prefix and includes the query string.
    fn request(
        &mut self,
        method: &str,
        path: &str,
        body: Option<&[u8]>,
    ) -> Result<u16, TransportError> {
        self.req.clear();
        self.req.extend_from_slice(method.as_bytes());
        self.req.push(b' ');
        self.req.extend_from_slice(self.target.prefix.as_bytes());
        self.req.extend_from_slice(path.as_bytes());
        self.req.extend_from_slice(b" HTTP/1.1\r\n");
        self.req.extend_from_slice(self.header_block.as_bytes());
        match body {
            Some(b) => {
                if !self.has_content_type {
                    self.req
                        .extend_from_slice(b"Content-Type: application/json\r\n");
                }
                let _ = write!(self.req, "Content-Length: {}\r\n\r\n", b.len());
                self.req.extend_from_slice(b);
            }
            None if method != "GET" && method != "HEAD" => {
                self.req.extend_from_slice(b"Content-Length: 0\r\n\r\n");
            }
            None => self.req.extend_from_slice(b"\r\n"),
        }
        let head_only = method == "HEAD";
        let mut attempt = 0;
        loop {
            attempt += 1;
            if self.conn.is_none() {
                let c = self.connect()?;
                self.connects += 1;
                self.conn = Some(c);
            }
            let Some(conn) = self.conn.as_mut() else {
                return Err(TransportError::Connect);
            };
            let reused = conn.served > 0;
            match conn.exchange(&self.req, head_only, &mut self.body) {
                Ok((status, close)) => {
                    if close {
                        self.conn = None;
                    }
                    return Ok(status);
                }
                Err(e) => {
                    let nothing_received = conn.got == 0;
                    self.conn = None;
                    let stale = matches!(
                        e,
                        TransportError::Closed | TransportError::Reset | TransportError::Write
                    );
                    if attempt == 1 && reused && nothing_received && stale {
                        continue; // idle keep-alive connection closed by the server: retry once
                    }
                    return Err(e);
                }
            }
        }
    }
}

/// Percent-encodes a value for use in a path segment or query parameter.
fn enc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Configuration
// ---------------------------------------------------------------------------------------------

/// What each client repeats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Scenario {
    /// One request (by default a GET) repeated.
    Get,
    /// The 7-step storefront checkout.
    Checkout,
}

/// Parsed command line.
#[derive(Clone, Debug)]
struct Config {
    /// `--base`.
    base: String,
    /// `--key` (publishable API key).
    key: Option<String>,
    /// `--header` values as (name, value).
    headers: Vec<(String, String)>,
    /// `--timeout`.
    timeout: Duration,
    /// `--scenario`.
    scenario: Scenario,
    /// `--path` (get scenario).
    path: String,
    /// `--method` (get scenario).
    method: String,
    /// `--body` (get scenario).
    body: Option<String>,
    /// `--region`.
    region: Option<String>,
    /// `--region-currency` (lower-cased).
    region_currency: Option<String>,
    /// `--variant`.
    variant: Option<String>,
    /// `--shipping-option`.
    shipping_option: Option<String>,
    /// `--country`.
    country: Option<String>,
    /// `--email`.
    email: String,
    /// `--provider`.
    provider: String,
    /// `--clients`.
    clients: usize,
    /// `--duration` (None: run until `--requests` are done).
    duration: Option<Duration>,
    /// `--requests`.
    requests: Option<u64>,
    /// `--warmup`.
    warmup: Duration,
    /// `--pid`.
    pid: Option<u32>,
    /// `--json`.
    json: bool,
    /// `--self-test`.
    self_test: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            base: "http://127.0.0.1:9000".into(),
            key: None,
            headers: Vec::new(),
            timeout: Duration::from_secs(10),
            scenario: Scenario::Get,
            path: "/store/products?limit=20".into(),
            method: "GET".into(),
            body: None,
            region: None,
            region_currency: None,
            variant: None,
            shipping_option: None,
            country: None,
            email: "bench@example.com".into(),
            provider: "pp_system_default".into(),
            clients: 4,
            duration: Some(Duration::from_secs(10)),
            requests: None,
            warmup: Duration::from_secs(2),
            pid: None,
            json: false,
            self_test: false,
        }
    }
}

/// Parses `500ms`, `10s`, `2m`, `1h`, `250us` or a bare number of seconds.
fn parse_duration(s: &str) -> Result<Duration, String> {
    let s = s.trim();
    let (num, scale) = if let Some(n) = s.strip_suffix("ms") {
        (n, 1e-3)
    } else if let Some(n) = s.strip_suffix("us") {
        (n, 1e-6)
    } else if let Some(n) = s.strip_suffix('s') {
        (n, 1.0)
    } else if let Some(n) = s.strip_suffix('m') {
        (n, 60.0)
    } else if let Some(n) = s.strip_suffix('h') {
        (n, 3600.0)
    } else {
        (s, 1.0)
    };
    let v: f64 = num
        .trim()
        .parse()
        .map_err(|_| format!("invalid duration `{s}` (use e.g. 500ms, 10s, 2m)"))?;
    if !v.is_finite() || v < 0.0 || v * scale > 1e7 {
        return Err(format!("invalid duration `{s}`"));
    }
    Ok(Duration::from_secs_f64(v * scale))
}

/// Parses the command line; `Ok(None)` means `--help` was requested.
fn parse_args(args: impl IntoIterator<Item = String>) -> Result<Option<Config>, String> {
    let mut c = Config::default();
    let mut duration_given = false;
    let mut it = args.into_iter();
    while let Some(arg) = it.next() {
        let (flag, mut inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_string(), Some(v.to_string())),
            _ => (arg.clone(), None),
        };
        let mut value = |inline: &mut Option<String>| -> Result<String, String> {
            inline
                .take()
                .or_else(|| it.next())
                .ok_or_else(|| format!("{flag} needs a value"))
        };
        match flag.as_str() {
            "-h" | "--help" => return Ok(None),
            "--json" => c.json = true,
            "--self-test" => c.self_test = true,
            "--base" => c.base = value(&mut inline)?,
            "--key" => c.key = Some(value(&mut inline)?),
            "-H" | "--header" => {
                let v = value(&mut inline)?;
                let (k, val) = v
                    .split_once(':')
                    .ok_or_else(|| format!("--header `{v}`: expected `Name: value`"))?;
                let k = k.trim();
                if k.is_empty() || k.bytes().any(|b| !b.is_ascii_graphic()) {
                    return Err(format!("--header `{v}`: invalid header name"));
                }
                if val.contains(['\r', '\n']) {
                    return Err(format!("--header `{v}`: value contains a line break"));
                }
                c.headers.push((k.to_string(), val.trim().to_string()));
            }
            "--timeout" => {
                c.timeout = parse_duration(&value(&mut inline)?)?;
                if c.timeout.is_zero() {
                    return Err("--timeout must be greater than zero".into());
                }
            }
            "--scenario" => {
                c.scenario = match value(&mut inline)?.as_str() {
                    "get" => Scenario::Get,
                    "checkout" => Scenario::Checkout,
                    other => {
                        return Err(format!("--scenario `{other}`: expected get or checkout"));
                    }
                }
            }
            "--path" => c.path = value(&mut inline)?,
            "--method" => c.method = value(&mut inline)?.to_ascii_uppercase(),
            "--body" => c.body = Some(value(&mut inline)?),
            "--region" => c.region = Some(value(&mut inline)?),
            "--region-currency" => c.region_currency = Some(value(&mut inline)?.to_lowercase()),
            "--variant" => c.variant = Some(value(&mut inline)?),
            "--shipping-option" => c.shipping_option = Some(value(&mut inline)?),
            "--country" => c.country = Some(value(&mut inline)?.to_lowercase()),
            "--email" => c.email = value(&mut inline)?,
            "--provider" => c.provider = value(&mut inline)?,
            "-c" | "--clients" => {
                let v = value(&mut inline)?;
                c.clients = v
                    .parse()
                    .ok()
                    .filter(|n| (1..=10_000).contains(n))
                    .ok_or_else(|| format!("--clients `{v}`: expected 1..=10000"))?;
            }
            "-d" | "--duration" => {
                let d = parse_duration(&value(&mut inline)?)?;
                if d.is_zero() {
                    return Err("--duration must be greater than zero".into());
                }
                c.duration = Some(d);
                duration_given = true;
            }
            "-n" | "--requests" => {
                let v = value(&mut inline)?;
                c.requests = Some(
                    v.parse()
                        .ok()
                        .filter(|n| *n > 0)
                        .ok_or_else(|| format!("--requests `{v}`: expected a positive integer"))?,
                );
            }
            "--warmup" => c.warmup = parse_duration(&value(&mut inline)?)?,
            "--pid" => {
                let v = value(&mut inline)?;
                let pid: u32 = v
                    .parse()
                    .map_err(|_| format!("--pid `{v}`: expected a process id"))?;
                if read_rss_kb(pid).is_none() {
                    return Err(format!(
                        "--pid {pid}: cannot read VmRSS from /proc/{pid}/status"
                    ));
                }
                c.pid = Some(pid);
            }
            other => return Err(format!("unknown argument `{other}`")),
        }
        if inline.is_some() {
            return Err(format!("{flag} takes no value"));
        }
    }
    if c.requests.is_some() && !duration_given {
        c.duration = None;
    }
    if !c.path.starts_with('/') {
        return Err(format!("--path `{}` must start with /", c.path));
    }
    if c.method.is_empty() || !c.method.bytes().all(|b| b.is_ascii_alphabetic()) {
        return Err(format!("--method `{}`: invalid method", c.method));
    }
    if let Some(b) = &c.body
        && serde_json::from_str::<Value>(b).is_err()
    {
        return Err("--body is not valid JSON".into());
    }
    if c.self_test && c.scenario != Scenario::Get {
        return Err("--self-test runs the get scenario; drop --scenario checkout".into());
    }
    Ok(Some(c))
}

// ---------------------------------------------------------------------------------------------
// /proc sampling
// ---------------------------------------------------------------------------------------------

/// VmRSS of `pid` in KiB, from `/proc/PID/status`.
fn read_rss_kb(pid: u32) -> Option<u64> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = s.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// User + system CPU seconds of `pid` (or this process), from `/proc/PID/stat`
/// (assumes the usual 100 clock ticks per second).
fn cpu_seconds(pid: Option<u32>) -> Option<f64> {
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
struct RssStats {
    /// Before the load started.
    start_kb: u64,
    /// Highest sample.
    peak_kb: u64,
    /// After the load ended (last readable sample).
    end_kb: u64,
    /// Number of samples taken.
    samples: u64,
}

/// Samples VmRSS of `pid` every 100 ms until the returned sender is dropped.
fn start_rss_sampler(pid: u32) -> (mpsc::Sender<()>, thread::JoinHandle<RssStats>) {
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

// ---------------------------------------------------------------------------------------------
// Workers and scenarios
// ---------------------------------------------------------------------------------------------

/// Names of the checkout steps, in order.
const STEP_NAMES: [&str; 7] = [
    "create_cart",
    "add_line_item",
    "update_cart",
    "shipping_method",
    "payment_collection",
    "payment_session",
    "complete",
];

/// Timing of the run, shared by all workers.
struct Phase {
    /// End of warm-up: only work started at or after this instant is measured.
    measure_start: Instant,
    /// End of the measured window (duration mode).
    end: Option<Instant>,
    /// Number of measured iterations to run (count mode).
    target: Option<u64>,
    /// Measured iterations claimed so far (count mode).
    claimed: AtomicU64,
}

impl Phase {
    /// Whether a worker may start another iteration (claims one in count mode).
    fn begin_iteration(&self) -> bool {
        let now = Instant::now();
        if let Some(end) = self.end
            && now >= end
        {
            return false;
        }
        if now >= self.measure_start
            && let Some(t) = self.target
        {
            return self.claimed.fetch_add(1, Ordering::Relaxed) < t;
        }
        true
    }

    /// Whether an operation spanning `start..finish` belongs to the measured window.
    fn counts(&self, start: Instant, finish: Instant) -> bool {
        start >= self.measure_start && self.end.is_none_or(|e| finish <= e)
    }

    /// Whether count mode reached its target.
    fn target_reached(&self) -> bool {
        self.target
            .is_some_and(|t| self.claimed.load(Ordering::Relaxed) >= t)
    }
}

/// Everything one worker measured.
struct WorkerResult {
    /// Every HTTP request.
    requests: StepStats,
    /// Checkout steps (checkout scenario).
    steps: Vec<StepStats>,
    /// Whole checkouts; failures keyed by the failing step.
    checkout: StepStats,
    /// Completion time of the last measured operation.
    last_finish: Option<Instant>,
    /// Connections opened.
    connects: u64,
    /// First failure of each kind: key → description.
    samples: BTreeMap<String, String>,
}

impl WorkerResult {
    /// Empty result.
    fn new() -> Self {
        WorkerResult {
            requests: StepStats::new(),
            steps: (0..STEP_NAMES.len()).map(|_| StepStats::new()).collect(),
            checkout: StepStats::new(),
            last_finish: None,
            connects: 0,
            samples: BTreeMap::new(),
        }
    }

    /// Adds `other` into `self`.
    fn merge(&mut self, other: &WorkerResult) {
        self.requests.merge(&other.requests);
        for (a, b) in self.steps.iter_mut().zip(&other.steps) {
            a.merge(b);
        }
        self.checkout.merge(&other.checkout);
        self.last_finish = self.last_finish.max(other.last_finish);
        self.connects += other.connects;
        for (k, v) in &other.samples {
            self.samples.entry(k.clone()).or_insert_with(|| v.clone());
        }
    }
}

/// Prepared request of the get scenario.
struct GetCtx {
    /// HTTP method.
    method: String,
    /// Path and query, placeholders substituted.
    path: String,
    /// Optional JSON body.
    body: Option<Vec<u8>>,
}

/// Prepared bodies of the checkout scenario.
struct CheckoutCtx {
    /// `{"region_id": R}`.
    cart_body: Vec<u8>,
    /// `{"variant_id": V, "quantity": 1}`.
    line_body: Vec<u8>,
    /// Email + shipping and billing address.
    address_body: Vec<u8>,
    /// `{"option_id": O}` when `--shipping-option` was given.
    shipping_body: Option<Vec<u8>>,
    /// `{"provider_id": P}`.
    session_body: Vec<u8>,
}

/// Serializes a JSON value (infallible for `Value`).
fn to_bytes(v: &Value) -> Vec<u8> {
    serde_json::to_vec(v).unwrap_or_default()
}

/// Lossy, length-limited rendering of a response body for error samples.
fn snippet(body: &[u8]) -> String {
    let s = String::from_utf8_lossy(&body[..body.len().min(300)]);
    s.replace(['\r', '\n'], " ")
}

/// One client: a connection plus its measurements.
struct Worker<'a> {
    /// HTTP client.
    client: Client<'a>,
    /// Shared timing.
    phase: &'a Phase,
    /// Measurements.
    res: WorkerResult,
    /// Checkout step that failed in the current iteration.
    failed_step: usize,
    /// Start of the current iteration: work is measured only if its iteration started
    /// after warm-up (and, in duration mode, the work finished before the end).
    iter_start: Instant,
}

impl<'a> Worker<'a> {
    /// A worker with a fresh (not yet connected) client.
    fn new(target: &'a Target, cfg: &Config, phase: &'a Phase) -> Self {
        Worker {
            client: Client::new(target, cfg),
            phase,
            res: WorkerResult::new(),
            failed_step: 0,
            iter_start: Instant::now(),
        }
    }

    /// Keeps the first description of each failure kind.
    fn sample(&mut self, f: &Fail, what: impl FnOnce() -> String) {
        let key = f.key();
        if !self.res.samples.contains_key(&key) && self.res.samples.len() < 32 {
            self.res.samples.insert(key, what());
        }
    }

    /// One measured HTTP request; 2xx is success.
    fn http(&mut self, method: &str, path: &str, body: Option<&[u8]>) -> Result<(), Fail> {
        let t0 = Instant::now();
        let r = self.client.request(method, path, body);
        let t1 = Instant::now();
        let measured = self.phase.counts(self.iter_start, t1);
        if measured {
            self.res.last_finish = Some(t1);
        }
        let fail = match r {
            Ok(s) if (200..300).contains(&s) => {
                if measured {
                    self.res.requests.hist.record(t1 - t0);
                    self.res.requests.out.ok += 1;
                }
                return Ok(());
            }
            Ok(s) => Fail::Status(s),
            Err(e) => Fail::Transport(e),
        };
        if measured {
            self.res.requests.out.record_fail(&fail);
        }
        let body_text = snippet(&self.client.body);
        self.sample(&fail, || match fail {
            Fail::Status(s) => format!("{method} {path} -> {s} {body_text}"),
            _ => format!("{method} {path}"),
        });
        if let Fail::Transport(t) = fail
            && t.is_connect()
        {
            thread::sleep(Duration::from_millis(10)); // don't spin on a dead server
        }
        Err(fail)
    }

    /// A failed response check on the last response.
    fn check_fail(&mut self, name: &'static str) -> Fail {
        let f = Fail::Check(name);
        let body_text = snippet(&self.client.body);
        self.sample(&f, || body_text);
        f
    }

    /// String at JSON `pointer` in the last response body.
    fn extract(&mut self, pointer: &str, check: &'static str) -> Result<String, Fail> {
        let found = serde_json::from_slice::<Value>(&self.client.body)
            .ok()
            .and_then(|v| {
                v.pointer(pointer)
                    .and_then(Value::as_str)
                    .map(str::to_owned)
            });
        found.ok_or_else(|| self.check_fail(check))
    }

    /// Runs one checkout step, recording its latency / outcome.
    fn step<T>(
        &mut self,
        idx: usize,
        f: impl FnOnce(&mut Self) -> Result<T, Fail>,
    ) -> Result<T, Fail> {
        let t0 = Instant::now();
        let r = f(self);
        let t1 = Instant::now();
        if self.phase.counts(self.iter_start, t1) {
            let st = &mut self.res.steps[idx];
            match &r {
                Ok(_) => {
                    st.hist.record(t1 - t0);
                    st.out.ok += 1;
                }
                Err(e) => st.out.record_fail(e),
            }
        }
        if r.is_err() {
            self.failed_step = idx;
        }
        r
    }

    /// The get scenario loop.
    fn run_get(&mut self, g: &GetCtx) {
        while self.phase.begin_iteration() {
            self.iter_start = Instant::now();
            let _ = self.http(&g.method, &g.path, g.body.as_deref());
        }
    }

    /// The checkout scenario loop.
    fn run_checkout(&mut self, c: &CheckoutCtx) {
        while self.phase.begin_iteration() {
            let t0 = Instant::now();
            self.iter_start = t0;
            let r = self.checkout_once(c);
            let t1 = Instant::now();
            if self.phase.counts(t0, t1) {
                let st = &mut self.res.checkout;
                match r {
                    Ok(()) => {
                        st.hist.record(t1 - t0);
                        st.out.ok += 1;
                    }
                    Err(_) => st
                        .out
                        .record_fail(&Fail::Check(STEP_NAMES[self.failed_step])),
                }
            }
        }
    }

    /// One full checkout: seven steps, aborted at the first failure.
    fn checkout_once(&mut self, c: &CheckoutCtx) -> Result<(), Fail> {
        let cart_id = self.step(0, |w| {
            w.http("POST", "/store/carts", Some(&c.cart_body))?;
            w.extract("/cart/id", "missing cart.id")
        })?;
        let cart_path = format!("/store/carts/{}", enc(&cart_id));
        self.step(1, |w| {
            w.http(
                "POST",
                &format!("{cart_path}/line-items"),
                Some(&c.line_body),
            )
        })?;
        self.step(2, |w| w.http("POST", &cart_path, Some(&c.address_body)))?;
        self.step(3, |w| {
            let looked_up;
            let body = match &c.shipping_body {
                Some(b) => b,
                None => {
                    w.http(
                        "GET",
                        &format!("/store/shipping-options?cart_id={}", enc(&cart_id)),
                        None,
                    )?;
                    let id = w.extract("/shipping_options/0/id", "no shipping option")?;
                    looked_up = to_bytes(&json!({ "option_id": id }));
                    &looked_up
                }
            };
            w.http("POST", &format!("{cart_path}/shipping-methods"), Some(body))
        })?;
        let pc = self.step(4, |w| {
            let body = to_bytes(&json!({ "cart_id": cart_id }));
            w.http("POST", "/store/payment-collections", Some(&body))?;
            w.extract("/payment_collection/id", "missing payment_collection.id")
        })?;
        self.step(5, |w| {
            let path = format!("/store/payment-collections/{}/payment-sessions", enc(&pc));
            w.http("POST", &path, Some(&c.session_body))
        })?;
        self.step(6, |w| {
            w.http("POST", &format!("{cart_path}/complete"), None)?;
            let typ = serde_json::from_slice::<Value>(&w.client.body)
                .ok()
                .and_then(|v| v.get("type").and_then(Value::as_str).map(str::to_owned));
            match typ.as_deref() {
                Some("order") => Ok(()),
                _ => Err(w.check_fail("not_order")),
            }
        })
    }
}

// ---------------------------------------------------------------------------------------------
// Discovery
// ---------------------------------------------------------------------------------------------

/// Ids discovered from the store API (or taken from flags).
#[derive(Clone, Debug, Default)]
struct Discovered {
    /// Region id.
    region: Option<String>,
    /// Currency of the discovered region.
    currency: Option<String>,
    /// Variant id.
    variant: Option<String>,
    /// Address country (checkout).
    country: Option<String>,
}

/// GET `path` and parse the JSON body; any failure becomes a message.
fn fetch_json(client: &mut Client, path: &str) -> Result<Value, String> {
    let status = client
        .request("GET", path, None)
        .map_err(|e| format!("GET {path}: {}", e.as_str()))?;
    if !(200..300).contains(&status) {
        return Err(format!("GET {path} -> {status} {}", snippet(&client.body)));
    }
    serde_json::from_slice(&client.body).map_err(|e| format!("GET {path}: invalid JSON: {e}"))
}

/// Finds the region (and its currency/country) and variant the scenario needs.
fn discover(
    cfg: &Config,
    target: &Target,
    need_region: bool,
    need_variant: bool,
) -> Result<Discovered, String> {
    let mut d = Discovered {
        region: cfg.region.clone(),
        variant: cfg.variant.clone(),
        country: cfg.country.clone(),
        currency: None,
    };
    let mut client = Client::new(target, cfg);
    if need_region && d.region.is_none() {
        let v = fetch_json(&mut client, "/store/regions")?;
        let regions = v
            .get("regions")
            .and_then(Value::as_array)
            .ok_or("GET /store/regions: no `regions` array")?;
        let region = regions
            .iter()
            .find(|r| match &cfg.region_currency {
                Some(cur) => r
                    .get("currency_code")
                    .and_then(Value::as_str)
                    .is_some_and(|c| c.eq_ignore_ascii_case(cur)),
                None => true,
            })
            .ok_or_else(|| match &cfg.region_currency {
                Some(cur) => format!("no region with currency {cur} (use --region)"),
                None => "GET /store/regions returned no region (use --region)".to_string(),
            })?;
        let id = region
            .get("id")
            .and_then(Value::as_str)
            .ok_or("region without id")?;
        d.region = Some(id.to_string());
        d.currency = region
            .get("currency_code")
            .and_then(Value::as_str)
            .map(str::to_owned);
        if d.country.is_none() {
            let countries: Vec<&str> = region
                .get("countries")
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(|c| c.get("iso_2").and_then(Value::as_str))
                        .collect()
                })
                .unwrap_or_default();
            if !countries.is_empty() && !countries.iter().any(|c| c.eq_ignore_ascii_case("us")) {
                d.country = Some(countries[0].to_lowercase());
            }
        }
    }
    if need_variant && d.variant.is_none() {
        let path = match &d.region {
            Some(r) => format!(
                "/store/products?limit=1&region_id={}&fields=*variants",
                enc(r)
            ),
            None => "/store/products?limit=1&fields=*variants".to_string(),
        };
        let v = fetch_json(&mut client, &path)?;
        let id = v
            .pointer("/products/0/variants/0/id")
            .and_then(Value::as_str)
            .ok_or_else(|| format!("GET {path}: no product with a variant (use --variant)"))?;
        d.variant = Some(id.to_string());
    }
    if d.country.is_none() {
        d.country = Some("us".into());
    }
    Ok(d)
}

// ---------------------------------------------------------------------------------------------
// Self-test server
// ---------------------------------------------------------------------------------------------

/// Size of the self-test response body.
const SELF_TEST_BODY: usize = 2048;

/// A realistic product-list JSON body padded to exactly [`SELF_TEST_BODY`] bytes.
fn self_test_body() -> Vec<u8> {
    let mut products: Vec<Value> = Vec::new();
    let doc = |p: &[Value], pad: &str| {
        to_bytes(&json!({"products": p, "count": p.len(), "offset": 0, "limit": 20, "pad": pad}))
    };
    for i in 0.. {
        products.push(json!({
            "id": format!("prod_{i:026}"), "title": format!("Bench product {i}"),
            "handle": format!("bench-product-{i}"), "status": "published",
            "variants": [{"id": format!("variant_{i:026}"),
                "calculated_price": {"calculated_amount": 1000 + i, "currency_code": "usd"}}],
        }));
        if doc(&products, "").len() > SELF_TEST_BODY - 64 {
            products.pop();
            break;
        }
    }
    let base = doc(&products, "").len();
    doc(&products, &"x".repeat(SELF_TEST_BODY.saturating_sub(base)))
}

/// Starts the in-process keep-alive server on 127.0.0.1:0 (thread per connection).
fn start_self_test_server() -> io::Result<SocketAddr> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let addr = listener.local_addr()?;
    let body = self_test_body();
    let mut resp = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/json; charset=utf-8\r\n\
         Content-Length: {}\r\nConnection: keep-alive\r\n\r\n",
        body.len()
    )
    .into_bytes();
    resp.extend_from_slice(&body);
    let resp: Arc<[u8]> = resp.into();
    thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { continue };
            let resp = Arc::clone(&resp);
            thread::spawn(move || serve_fixed(stream, &resp));
        }
    });
    Ok(addr)
}

/// Serves `resp` for every request on one connection until the client closes it.
fn serve_fixed(mut s: TcpStream, resp: &[u8]) {
    let _ = s.set_nodelay(true);
    let mut buf = vec![0u8; 16 * 1024];
    let (mut start, mut len) = (0usize, 0usize);
    loop {
        while let Some(i) = find(&buf[start..len], b"\r\n\r\n") {
            let head = &buf[start..start + i];
            let cl = head
                .split(|&b| b == b'\n')
                .filter_map(|l| {
                    let c = l.iter().position(|&b| b == b':')?;
                    if !l[..c].trim_ascii().eq_ignore_ascii_case(b"content-length") {
                        return None;
                    }
                    std::str::from_utf8(l[c + 1..].trim_ascii())
                        .ok()?
                        .parse::<usize>()
                        .ok()
                })
                .next()
                .unwrap_or(0);
            let total = i + 4 + cl;
            if len - start < total {
                break;
            }
            start += total;
            if s.write_all(resp).is_err() {
                return;
            }
        }
        if start == len {
            (start, len) = (0, 0);
        } else if start > 0 {
            buf.copy_within(start..len, 0);
            len -= start;
            start = 0;
        }
        if len == buf.len() {
            if buf.len() >= 1 << 20 {
                return;
            }
            let n = buf.len() * 2;
            buf.resize(n, 0);
        }
        match s.read(&mut buf[len..]) {
            Ok(0) | Err(_) => return,
            Ok(n) => len += n,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Running and reporting
// ---------------------------------------------------------------------------------------------

/// Everything measured in one run.
struct Report {
    /// The configuration used.
    cfg: Config,
    /// Base URL actually targeted.
    target: String,
    /// Discovered ids.
    disc: Discovered,
    /// Path actually requested by the get scenario (placeholders substituted).
    resolved_path: String,
    /// Length of the measured window.
    window: Duration,
    /// Merged worker results.
    res: WorkerResult,
    /// Server RSS, with `--pid`.
    rss: Option<RssStats>,
    /// Server CPU seconds during the measured window, with `--pid`.
    server_cpu: Option<f64>,
    /// This process's CPU seconds during the measured window.
    self_cpu: Option<f64>,
    /// Wall time over which the CPU figures were taken.
    cpu_window: Duration,
}

/// Sleeps until `t` (returns immediately if it has passed).
fn sleep_until(t: Instant) {
    let now = Instant::now();
    if t > now {
        thread::sleep(t - now);
    }
}

/// Prepares, runs and measures the configured load.
fn run(cfg: &Config) -> Result<Report, String> {
    let target = if cfg.self_test {
        let addr = start_self_test_server().map_err(|e| format!("self-test server: {e}"))?;
        Target {
            addr,
            host: addr.to_string(),
            prefix: String::new(),
            display: format!("http://{addr} (in-process self-test server)"),
        }
    } else {
        parse_base(&cfg.base)?
    };

    let (need_region, need_variant) = match cfg.scenario {
        Scenario::Checkout => (true, true),
        Scenario::Get => (
            cfg.path.contains("{region}"),
            cfg.path.contains("{variant}"),
        ),
    };
    let disc = discover(cfg, &target, need_region, need_variant)?;
    if need_region || need_variant {
        eprintln!(
            "loadgen: region {} ({}), variant {}, country {}",
            disc.region.as_deref().unwrap_or("-"),
            disc.currency
                .as_deref()
                .unwrap_or("currency not discovered"),
            disc.variant.as_deref().unwrap_or("-"),
            disc.country.as_deref().unwrap_or("-"),
        );
    }

    let get_ctx = GetCtx {
        method: cfg.method.clone(),
        path: cfg
            .path
            .replace("{region}", &enc(disc.region.as_deref().unwrap_or("")))
            .replace("{variant}", &enc(disc.variant.as_deref().unwrap_or(""))),
        body: cfg.body.as_ref().map(|b| b.clone().into_bytes()),
    };
    let address = json!({
        "first_name": "Bench", "last_name": "Mark", "address_1": "1 Market Street",
        "city": "San Francisco", "province": "ca", "postal_code": "94105",
        "country_code": disc.country.as_deref().unwrap_or("us"), "phone": "+14155550100",
    });
    let checkout_ctx = CheckoutCtx {
        cart_body: to_bytes(&json!({ "region_id": disc.region })),
        line_body: to_bytes(&json!({ "variant_id": disc.variant, "quantity": 1 })),
        address_body: to_bytes(&json!({
            "email": cfg.email, "shipping_address": address, "billing_address": address,
        })),
        shipping_body: cfg
            .shipping_option
            .as_ref()
            .map(|o| to_bytes(&json!({ "option_id": o }))),
        session_body: to_bytes(&json!({ "provider_id": cfg.provider })),
    };

    let sampler = cfg.pid.map(start_rss_sampler);
    let start = Instant::now();
    let measure_start = start + cfg.warmup;
    let phase = Phase {
        measure_start,
        end: cfg.duration.map(|d| measure_start + d),
        target: cfg.requests,
        claimed: AtomicU64::new(0),
    };

    let (results, cpu0, cpu1) = thread::scope(|s| {
        let handles: Vec<_> = (0..cfg.clients)
            .map(|_| {
                let (target, phase, g, c) = (&target, &phase, &get_ctx, &checkout_ctx);
                s.spawn(move || {
                    let mut w = Worker::new(target, cfg, phase);
                    match cfg.scenario {
                        Scenario::Get => w.run_get(g),
                        Scenario::Checkout => w.run_checkout(c),
                    }
                    w.res.connects = w.client.connects;
                    w.res
                })
            })
            .collect();
        sleep_until(measure_start);
        let cpu0 = (Instant::now(), cpu_seconds(cfg.pid), cpu_seconds(None));
        let results: Vec<WorkerResult> = handles
            .into_iter()
            .filter_map(|h| match h.join() {
                Ok(r) => Some(r),
                Err(_) => {
                    eprintln!("loadgen: a client thread panicked; its figures are lost");
                    None
                }
            })
            .collect();
        let cpu1 = (Instant::now(), cpu_seconds(cfg.pid), cpu_seconds(None));
        (results, cpu0, cpu1)
    });

    let rss = sampler.and_then(|(tx, handle)| {
        drop(tx);
        handle.join().ok()
    });

    let mut res = WorkerResult::new();
    for r in &results {
        res.merge(r);
    }
    let window = match phase.end {
        Some(end) if !phase.target_reached() => end - measure_start,
        _ => res.last_finish.map_or(Duration::ZERO, |t| {
            t.saturating_duration_since(measure_start)
        }),
    };
    let diff = |a: Option<f64>, b: Option<f64>| Some(b? - a?);
    Ok(Report {
        cfg: cfg.clone(),
        target: target.display,
        disc,
        resolved_path: get_ctx.path.clone(),
        window,
        res,
        rss,
        server_cpu: diff(cpu0.1, cpu1.1),
        self_cpu: diff(cpu0.2, cpu1.2),
        cpu_window: cpu1.0 - cpu0.0,
    })
}

/// Formats microseconds with an adaptive unit.
fn fmt_us(us: f64) -> String {
    if us < 10.0 {
        format!("{us:.1}µs")
    } else if us < 1000.0 {
        format!("{us:.0}µs")
    } else if us < 1e6 {
        format!("{:.2}ms", us / 1e3)
    } else {
        format!("{:.2}s", us / 1e6)
    }
}

/// Formats KiB as MiB.
fn fmt_kb(kb: u64) -> String {
    format!("{:.1} MiB", kb as f64 / 1024.0)
}

impl Report {
    /// Measured window in seconds.
    fn secs(&self) -> f64 {
        self.window.as_secs_f64()
    }

    /// `n` per second over the measured window.
    fn rate(&self, n: u64) -> f64 {
        if self.secs() > 0.0 {
            n as f64 / self.secs()
        } else {
            0.0
        }
    }

    /// Whether anything succeeded (drives the exit status).
    fn succeeded(&self) -> bool {
        match self.cfg.scenario {
            Scenario::Get => self.res.requests.out.ok > 0,
            Scenario::Checkout => self.res.checkout.out.ok > 0,
        }
    }

    /// CPU time as a percentage of one core over the CPU window.
    fn cpu_pct(&self, secs: f64) -> f64 {
        let w = self.cpu_window.as_secs_f64();
        if w > 0.0 { secs / w * 100.0 } else { 0.0 }
    }

    /// The whole report as one JSON object.
    fn to_json(&self) -> Value {
        let c = &self.cfg;
        let r2 = |x: f64| (x * 100.0).round() / 100.0;
        let scenario = match c.scenario {
            Scenario::Get => "get",
            Scenario::Checkout => "checkout",
        };
        let cpus = thread::available_parallelism().map_or(0, |n| n.get());
        let mut params = json!({
            "base": self.target, "scenario": scenario, "clients": c.clients,
            "duration_s": c.duration.map(|d| d.as_secs_f64()), "requests": c.requests,
            "warmup_s": c.warmup.as_secs_f64(), "timeout_s": c.timeout.as_secs_f64(),
            "key_set": c.key.is_some(), "pid": c.pid, "self_test": c.self_test,
            "machine_cpus": cpus,
        });
        if c.scenario == Scenario::Get {
            params["method"] = json!(c.method);
            params["path"] = json!(c.path);
            params["resolved_path"] = json!(self.resolved_path);
        } else {
            params["shipping_option"] = json!(c.shipping_option);
            params["provider"] = json!(c.provider);
        }
        let req = &self.res.requests.out;
        let mut throughput = json!({
            "requests_per_s": r2(self.rate(req.total())),
            "ok_requests_per_s": r2(self.rate(req.ok)),
        });
        let mut out = json!({
            "tool": "stockroom-loadgen",
            "params": params,
            "discovered": {
                "region": self.disc.region, "currency": self.disc.currency,
                "variant": self.disc.variant, "country": self.disc.country,
            },
            "window_s": (self.secs() * 1000.0).round() / 1000.0,
            "requests": self.res.requests.to_json(None),
            "connections_opened": self.res.connects,
            "error_samples": self.res.samples,
        });
        if c.scenario == Scenario::Checkout {
            throughput["orders_per_s"] = json!(r2(self.rate(self.res.checkout.out.ok)));
            out["steps"] = Value::Array(
                self.res
                    .steps
                    .iter()
                    .zip(STEP_NAMES)
                    .map(|(s, n)| s.to_json(Some(n)))
                    .collect(),
            );
            out["checkout"] = self.res.checkout.to_json(None);
        }
        out["throughput"] = throughput;
        out["server"] = match c.pid {
            Some(pid) => json!({
                "pid": pid,
                "rss_start_kb": self.rss.map(|r| r.start_kb),
                "rss_peak_kb": self.rss.map(|r| r.peak_kb),
                "rss_end_kb": self.rss.map(|r| r.end_kb),
                "rss_samples": self.rss.map(|r| r.samples),
                "cpu_s": self.server_cpu.map(r2),
                "cpu_percent_of_one_core": self.server_cpu.map(|s| r2(self.cpu_pct(s))),
            }),
            None => Value::Null,
        };
        out["loadgen_cpu"] = json!({
            "cpu_s": self.self_cpu.map(r2),
            "cpu_percent_of_one_core": self.self_cpu.map(|s| r2(self.cpu_pct(s))),
            "includes_self_test_server": c.self_test,
        });
        out["self_test"] = if c.self_test {
            json!({
                "generator_ceiling_requests_per_s": r2(self.rate(req.ok)),
                "response_body_bytes": SELF_TEST_BODY,
                "note": "in-process server on 127.0.0.1 shares the CPU with the generator; \
                         the real ceiling against an external server is at least this",
            })
        } else {
            Value::Null
        };
        out
    }

    /// Prints the human-readable table.
    fn print_human(&self) {
        let c = &self.cfg;
        let mut o = String::new();
        let scenario = match c.scenario {
            Scenario::Get => format!("get ({} {})", c.method, self.resolved_path),
            Scenario::Checkout => "checkout (7 steps)".to_string(),
        };
        let _ = writeln!(o, "loadgen: {scenario}");
        let _ = writeln!(o, "  target    {}", self.target);
        let unit = match c.scenario {
            Scenario::Get => "requests",
            Scenario::Checkout => "checkouts",
        };
        let load = match (c.duration, c.requests) {
            (Some(d), Some(n)) => format!("{n} {unit} or {:.1}s", d.as_secs_f64()),
            (Some(d), None) => format!("{:.1}s", d.as_secs_f64()),
            (None, Some(n)) => format!("{n} {unit}"),
            (None, None) => "-".into(),
        };
        let _ = writeln!(
            o,
            "  load      {} clients, {load} after {:.1}s warm-up, timeout {:.1}s",
            c.clients,
            c.warmup.as_secs_f64(),
            c.timeout.as_secs_f64()
        );
        if self.disc.region.is_some() || self.disc.variant.is_some() {
            let _ = writeln!(
                o,
                "  ids       region {} ({}), variant {}, country {}, shipping option {}",
                self.disc.region.as_deref().unwrap_or("-"),
                self.disc.currency.as_deref().unwrap_or("?"),
                self.disc.variant.as_deref().unwrap_or("-"),
                self.disc.country.as_deref().unwrap_or("-"),
                c.shipping_option
                    .as_deref()
                    .unwrap_or("looked up per checkout"),
            );
        }
        let _ = writeln!(o, "\nmeasured window {:.2}s", self.secs());
        let _ = writeln!(
            o,
            "  {:<20}{:>9}{:>9}{:>8}{:>10}{:>10}{:>10}{:>10}{:>10}{:>10}",
            "", "count", "ok", "errors", "mean", "p50", "p90", "p99", "p99.9", "max"
        );
        let mut rows: Vec<(&str, &StepStats)> = Vec::new();
        if c.scenario == Scenario::Checkout {
            for (s, n) in self.res.steps.iter().zip(STEP_NAMES) {
                rows.push((n, s));
            }
            rows.push(("checkout (whole)", &self.res.checkout));
        }
        rows.push(("http requests", &self.res.requests));
        for (name, st) in &rows {
            let l = st.hist.summary();
            let f = |us: f64| {
                if st.hist.count == 0 {
                    "-".to_string()
                } else {
                    fmt_us(us)
                }
            };
            let _ = writeln!(
                o,
                "  {:<20}{:>9}{:>9}{:>8}{:>10}{:>10}{:>10}{:>10}{:>10}{:>10}",
                name,
                st.out.total(),
                st.out.ok,
                st.out.errors(),
                f(l.mean),
                f(l.p50),
                f(l.p90),
                f(l.p99),
                f(l.p999),
                f(l.max)
            );
        }
        let req = &self.res.requests.out;
        let _ = write!(o, "\nthroughput  ");
        if c.scenario == Scenario::Checkout {
            let _ = write!(o, "{:.1} orders/s, ", self.rate(self.res.checkout.out.ok));
        }
        let _ = writeln!(
            o,
            "{:.1} req/s ({:.1} 2xx req/s)",
            self.rate(req.total()),
            self.rate(req.ok)
        );
        let failing: Vec<_> = rows.iter().filter(|(_, s)| s.out.errors() > 0).collect();
        if failing.is_empty() {
            let _ = writeln!(o, "errors      none");
        } else {
            let _ = writeln!(o, "errors");
            for (name, st) in failing {
                let _ = writeln!(o, "  {name:<20}{}", st.out.describe());
            }
        }
        let _ = writeln!(o, "connections {} opened", self.res.connects);
        if let Some(pid) = c.pid {
            let _ = write!(o, "server      pid {pid}");
            if let Some(r) = self.rss {
                let _ = write!(
                    o,
                    ": RSS start {}, peak {}, end {} ({} samples)",
                    fmt_kb(r.start_kb),
                    fmt_kb(r.peak_kb),
                    fmt_kb(r.end_kb),
                    r.samples
                );
            }
            if let Some(cpu) = self.server_cpu {
                let _ = write!(o, "; CPU {cpu:.2}s = {:.0}% of a core", self.cpu_pct(cpu));
            }
            let _ = writeln!(o);
        }
        if let Some(cpu) = self.self_cpu {
            let _ = writeln!(
                o,
                "loadgen     CPU {cpu:.2}s = {:.0}% of a core{}",
                self.cpu_pct(cpu),
                if c.self_test {
                    " (includes the self-test server)"
                } else {
                    ""
                }
            );
        }
        if !self.res.samples.is_empty() {
            let _ = writeln!(o, "first error of each kind");
            for (k, v) in &self.res.samples {
                let _ = writeln!(o, "  {k}: {v}");
            }
        }
        if c.self_test {
            let _ = writeln!(
                o,
                "\nSELF-TEST: generator ceiling ≈ {:.0} req/s with {} client(s) \
                 ({SELF_TEST_BODY}-byte JSON responses, keep-alive; the in-process server \
                 shares the CPU, so against an external server the ceiling is at least this)",
                self.rate(req.ok),
                c.clients
            );
        }
        print!("{o}");
    }
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_buckets_roundtrip_and_precision() {
        for v in [
            0u64,
            1,
            127,
            255,
            256,
            257,
            1000,
            123_456,
            59_999_999_999,
            MAX_TRACKABLE_NS,
        ] {
            let (lo, w) = bucket_range(bucket_index(v));
            assert!(lo <= v && v < lo + w, "{v} not in [{lo}, {})", lo + w);
            assert!(w == 1 || (w as f64) / (lo as f64) <= 1.0 / 128.0 + 1e-12);
        }
        assert_eq!(BUCKETS, bucket_index(MAX_TRACKABLE_NS) + 1);
    }

    #[test]
    fn histogram_percentiles() {
        let mut h = Histogram::new();
        for us in 1..=10_000u64 {
            h.record_ns(us * 1000);
        }
        let p50 = h.percentile(50.0) as f64;
        assert!((p50 / 5_000_000.0 - 1.0).abs() < 0.01, "{p50}");
        let p99 = h.percentile(99.0) as f64;
        assert!((p99 / 9_900_000.0 - 1.0).abs() < 0.01, "{p99}");
        assert_eq!(h.percentile(100.0), 10_000_000);
        let mut other = Histogram::new();
        other.record_ns(20_000_000);
        h.merge(&other);
        assert_eq!(h.count, 10_001);
        assert_eq!(h.percentile(100.0), 20_000_000);
    }

    #[test]
    fn head_and_chunks() {
        let h = parse_head(b"HTTP/1.1 201 Created\r\nContent-Length: 12\r\nConnection: close")
            .expect("head");
        assert_eq!((h.status, h.content_length, h.close), (201, Some(12), true));
        let h = parse_head(b"HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked").expect("head");
        assert!(h.chunked && h.close);
        assert!(parse_head(b"garbage").is_err());
        assert_eq!(parse_chunk_size(b"1aF;ext=1").ok(), Some(0x1af));
        assert!(parse_chunk_size(b"").is_err());
    }

    #[test]
    fn durations_and_args() {
        assert_eq!(
            parse_duration("500ms").ok(),
            Some(Duration::from_millis(500))
        );
        assert_eq!(parse_duration("2m").ok(), Some(Duration::from_secs(120)));
        assert_eq!(parse_duration("3").ok(), Some(Duration::from_secs(3)));
        assert!(parse_duration("x").is_err());
        let args = |s: &str| parse_args(s.split_whitespace().map(String::from));
        assert!(args("--bogus").is_err());
        assert!(args("--clients 0").is_err());
        assert!(args("--json=1").is_err());
        let c = args("-n 100 --clients=3").expect("ok").expect("config");
        assert_eq!((c.requests, c.duration, c.clients), (Some(100), None, 3));
    }

    #[test]
    fn self_test_body_is_2kb_json() {
        let b = self_test_body();
        assert_eq!(b.len(), SELF_TEST_BODY);
        assert!(serde_json::from_slice::<Value>(&b).is_ok());
    }
}

//! Outcome bookkeeping: why an operation failed ([`Fail`]), success / failure counters
//! ([`Outcomes`]) and one report row of latency plus counters ([`StepStats`]).

use crate::histogram::Histogram;
use crate::http::TransportError;
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;

/// Why a request or a scenario step failed.
#[derive(Clone, Copy, Debug)]
pub enum Fail {
    /// The server answered with a non-2xx status.
    Status(u16),
    /// No usable response.
    Transport(TransportError),
    /// A 2xx response failed a scenario check (bad JSON, missing id, not an order, ...).
    Check(&'static str),
}

impl Fail {
    /// Human-readable key, e.g. `status 404`, `timeout`, `check not_order`.
    pub fn key(&self) -> String {
        match self {
            Fail::Status(s) => format!("status {s}"),
            Fail::Transport(t) => t.as_str().to_string(),
            Fail::Check(c) => format!("check {c}"),
        }
    }
}

/// Success and failure counters of one kind of operation.
#[derive(Clone, Debug, Default)]
pub struct Outcomes {
    /// Successful operations.
    pub ok: u64,
    /// Non-2xx responses by status code.
    by_status: BTreeMap<u16, u64>,
    /// Transport failures by kind.
    by_transport: BTreeMap<&'static str, u64>,
    /// Failed checks by name (checkout rows: the step at which a checkout failed).
    by_check: BTreeMap<&'static str, u64>,
}

impl Outcomes {
    /// Counts one failure.
    pub fn record_fail(&mut self, f: &Fail) {
        match f {
            Fail::Status(s) => *self.by_status.entry(*s).or_default() += 1,
            Fail::Transport(t) => *self.by_transport.entry(t.as_str()).or_default() += 1,
            Fail::Check(c) => *self.by_check.entry(c).or_default() += 1,
        }
    }

    /// Total failures.
    pub fn errors(&self) -> u64 {
        self.by_status.values().sum::<u64>()
            + self.by_transport.values().sum::<u64>()
            + self.by_check.values().sum::<u64>()
    }

    /// Successes plus failures.
    pub fn total(&self) -> u64 {
        self.ok + self.errors()
    }

    /// Adds `other` into `self`.
    pub fn merge(&mut self, other: &Outcomes) {
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
    pub fn describe(&self) -> String {
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
pub struct StepStats {
    /// Latency of successful operations.
    pub hist: Histogram,
    /// Success / failure counters.
    pub out: Outcomes,
}

impl StepStats {
    /// Empty stats.
    pub fn new() -> Self {
        StepStats {
            hist: Histogram::new(),
            out: Outcomes::default(),
        }
    }

    /// Adds `other` into `self`.
    pub fn merge(&mut self, other: &StepStats) {
        self.hist.merge(&other.hist);
        self.out.merge(&other.out);
    }

    /// JSON object with counts, error breakdown and latency (µs).
    pub fn to_json(&self, name: Option<&str>) -> Value {
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

//! The workers: one thread per client repeating the `get` request or the 7-step storefront
//! checkout, with the shared run timing ([`Phase`]) and per-worker measurements
//! ([`WorkerResult`]).
//!
//! Closed-loop load: each client sends its next request as soon as the previous one completes.

use crate::client::{Client, enc};
use crate::config::Config;
use crate::http::Target;
use crate::stats::{Fail, StepStats};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::thread;
use std::time::{Duration, Instant};

/// Names of the checkout steps, in order.
pub const STEP_NAMES: [&str; 7] = [
    "create_cart",
    "add_line_item",
    "update_cart",
    "shipping_method",
    "payment_collection",
    "payment_session",
    "complete",
];

/// Timing of the run, shared by all workers.
pub struct Phase {
    /// End of warm-up: only work started at or after this instant is measured.
    pub measure_start: Instant,
    /// End of the measured window (duration mode).
    pub end: Option<Instant>,
    /// Number of measured iterations to run (count mode).
    pub target: Option<u64>,
    /// Measured iterations claimed so far (count mode).
    pub claimed: AtomicU64,
}

impl Phase {
    /// Whether a worker may start another iteration (claims one in count mode).
    pub fn begin_iteration(&self) -> bool {
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
    pub fn counts(&self, start: Instant, finish: Instant) -> bool {
        start >= self.measure_start && self.end.is_none_or(|e| finish <= e)
    }

    /// Whether count mode reached its target.
    pub fn target_reached(&self) -> bool {
        self.target
            .is_some_and(|t| self.claimed.load(Ordering::Relaxed) >= t)
    }
}

/// Everything one worker measured.
pub struct WorkerResult {
    /// Every HTTP request.
    pub requests: StepStats,
    /// Checkout steps (checkout scenario).
    pub steps: Vec<StepStats>,
    /// Whole checkouts; failures keyed by the failing step.
    pub checkout: StepStats,
    /// Completion time of the last measured operation.
    pub last_finish: Option<Instant>,
    /// Connections opened.
    pub connects: u64,
    /// First failure of each kind: key → description.
    pub samples: BTreeMap<String, String>,
}

impl WorkerResult {
    /// Empty result.
    pub fn new() -> Self {
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
    pub fn merge(&mut self, other: &WorkerResult) {
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
pub struct GetCtx {
    /// HTTP method.
    pub method: String,
    /// Path and query, placeholders substituted.
    pub path: String,
    /// Optional JSON body.
    pub body: Option<Vec<u8>>,
}

/// Prepared bodies of the checkout scenario.
pub struct CheckoutCtx {
    /// `{"region_id": R}`.
    pub cart_body: Vec<u8>,
    /// `{"variant_id": V, "quantity": 1}`.
    pub line_body: Vec<u8>,
    /// Email + shipping and billing address.
    pub address_body: Vec<u8>,
    /// `{"option_id": O}` when `--shipping-option` was given.
    pub shipping_body: Option<Vec<u8>>,
    /// `{"provider_id": P}`.
    pub session_body: Vec<u8>,
}

/// Serializes a JSON value (infallible for `Value`).
pub fn to_bytes(v: &Value) -> Vec<u8> {
    serde_json::to_vec(v).unwrap_or_default()
}

/// Lossy, length-limited rendering of a response body for error samples.
pub fn snippet(body: &[u8]) -> String {
    let s = String::from_utf8_lossy(&body[..body.len().min(300)]);
    s.replace(['\r', '\n'], " ")
}

/// One client: a connection plus its measurements.
pub struct Worker<'a> {
    /// HTTP client.
    pub client: Client<'a>,
    /// Shared timing.
    phase: &'a Phase,
    /// Measurements.
    pub res: WorkerResult,
    /// Checkout step that failed in the current iteration.
    failed_step: usize,
    /// Start of the current iteration: work is measured only if its iteration started
    /// after warm-up (and, in duration mode, the work finished before the end).
    iter_start: Instant,
}

impl<'a> Worker<'a> {
    /// A worker with a fresh (not yet connected) client.
    pub fn new(target: &'a Target, cfg: &Config, phase: &'a Phase) -> Self {
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
    pub fn run_get(&mut self, g: &GetCtx) {
        while self.phase.begin_iteration() {
            self.iter_start = Instant::now();
            let _ = self.http(&g.method, &g.path, g.body.as_deref());
        }
    }

    /// The checkout scenario loop.
    pub fn run_checkout(&mut self, c: &CheckoutCtx) {
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

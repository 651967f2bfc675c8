//! The result of a run ([`Report`]) and its two renderings: the human-readable table and a
//! single JSON object (`--json`).

use crate::config::{Config, Scenario};
use crate::discovery::Discovered;
use crate::procfs::RssStats;
use crate::scenarios::{STEP_NAMES, WorkerResult};
use crate::selftest::SELF_TEST_BODY;
use crate::stats::StepStats;
use serde_json::{Value, json};
use std::fmt::Write as _;
use std::thread;
use std::time::Duration;

/// Everything measured in one run.
pub struct Report {
    /// The configuration used.
    pub cfg: Config,
    /// Base URL actually targeted.
    pub target: String,
    /// Discovered ids.
    pub disc: Discovered,
    /// Path actually requested by the get scenario (placeholders substituted).
    pub resolved_path: String,
    /// Length of the measured window.
    pub window: Duration,
    /// Merged worker results.
    pub res: WorkerResult,
    /// Server RSS, with `--pid`.
    pub rss: Option<RssStats>,
    /// Server CPU seconds during the measured window, with `--pid`.
    pub server_cpu: Option<f64>,
    /// This process's CPU seconds during the measured window.
    pub self_cpu: Option<f64>,
    /// Wall time over which the CPU figures were taken.
    pub cpu_window: Duration,
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

/// Rounds to two decimals (JSON figures).
fn r2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
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
    pub fn succeeded(&self) -> bool {
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
    pub fn to_json(&self) -> Value {
        let c = &self.cfg;
        let params = self.params_json();
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
        out["server"] = self.server_json();
        out["loadgen_cpu"] = json!({
            "cpu_s": self.self_cpu.map(r2),
            "cpu_percent_of_one_core": self.self_cpu.map(|s| r2(self.cpu_pct(s))),
            "includes_self_test_server": c.self_test,
        });
        out["self_test"] = self.self_test_json();
        out
    }

    /// The `params` object of the JSON report: the options that shaped the run.
    fn params_json(&self) -> Value {
        let c = &self.cfg;
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
        params
    }

    /// The `server` object of the JSON report (`null` without `--pid`).
    fn server_json(&self) -> Value {
        match self.cfg.pid {
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
        }
    }

    /// The `self_test` object of the JSON report (`null` without `--self-test`).
    fn self_test_json(&self) -> Value {
        if self.cfg.self_test {
            json!({
                "generator_ceiling_requests_per_s": r2(self.rate(self.res.requests.out.ok)),
                "response_body_bytes": SELF_TEST_BODY,
                "note": "in-process server on 127.0.0.1 shares the CPU with the generator; \
                         the real ceiling against an external server is at least this",
            })
        } else {
            Value::Null
        }
    }

    /// Prints the human-readable table.
    pub fn print_human(&self) {
        let mut o = String::new();
        self.write_header(&mut o);
        let rows = self.rows();
        self.write_table(&mut o, &rows);
        self.write_throughput_and_errors(&mut o, &rows);
        self.write_resources(&mut o);
        self.write_samples_and_self_test(&mut o);
        print!("{o}");
    }

    /// The rows of the latency table: the checkout steps and whole checkout (checkout
    /// scenario), then all HTTP requests.
    fn rows(&self) -> Vec<(&str, &StepStats)> {
        let mut rows: Vec<(&str, &StepStats)> = Vec::new();
        if self.cfg.scenario == Scenario::Checkout {
            for (s, n) in self.res.steps.iter().zip(STEP_NAMES) {
                rows.push((n, s));
            }
            rows.push(("checkout (whole)", &self.res.checkout));
        }
        rows.push(("http requests", &self.res.requests));
        rows
    }

    /// Writes the scenario, target, load and discovered ids.
    fn write_header(&self, o: &mut String) {
        let c = &self.cfg;
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
    }

    /// Writes the measured window and the latency table.
    fn write_table(&self, o: &mut String, rows: &[(&str, &StepStats)]) {
        let _ = writeln!(o, "\nmeasured window {:.2}s", self.secs());
        let _ = writeln!(
            o,
            "  {:<20}{:>9}{:>9}{:>8}{:>10}{:>10}{:>10}{:>10}{:>10}{:>10}",
            "", "count", "ok", "errors", "mean", "p50", "p90", "p99", "p99.9", "max"
        );
        for (name, st) in rows {
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
    }

    /// Writes throughput, the errors of each failing row and the connections opened.
    fn write_throughput_and_errors(&self, o: &mut String, rows: &[(&str, &StepStats)]) {
        let req = &self.res.requests.out;
        let _ = write!(o, "\nthroughput  ");
        if self.cfg.scenario == Scenario::Checkout {
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
    }

    /// Writes server RSS / CPU (with `--pid`) and this process's CPU.
    fn write_resources(&self, o: &mut String) {
        let c = &self.cfg;
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
    }

    /// Writes the first error of each kind and, with `--self-test`, the ceiling line.
    fn write_samples_and_self_test(&self, o: &mut String) {
        if !self.res.samples.is_empty() {
            let _ = writeln!(o, "first error of each kind");
            for (k, v) in &self.res.samples {
                let _ = writeln!(o, "  {k}: {v}");
            }
        }
        if self.cfg.self_test {
            let _ = writeln!(
                o,
                "\nSELF-TEST: generator ceiling ≈ {:.0} req/s with {} client(s) \
                 ({SELF_TEST_BODY}-byte JSON responses, keep-alive; the in-process server \
                 shares the CPU, so against an external server the ceiling is at least this)",
                self.rate(self.res.requests.out.ok),
                self.cfg.clients
            );
        }
    }
}

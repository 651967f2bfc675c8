//! One run: resolve the target, discover ids, start the clients, wait for them and gather
//! the figures into a [`Report`]. Per-thread histograms are merged at the end; threads share
//! no locks while running.

use crate::client::enc;
use crate::config::{Config, Scenario};
use crate::discovery::{Discovered, discover};
use crate::http::{Target, parse_base};
use crate::procfs::{cpu_seconds, start_rss_sampler};
use crate::report::Report;
use crate::scenarios::{CheckoutCtx, GetCtx, Phase, Worker, WorkerResult, to_bytes};
use crate::selftest::start_self_test_server;
use serde_json::json;
use std::sync::atomic::AtomicU64;
use std::thread;
use std::time::{Duration, Instant};

/// CPU times sampled at one instant.
#[derive(Clone, Copy, Debug)]
struct CpuSample {
    /// When the sample was taken.
    at: Instant,
    /// Server CPU seconds (with `--pid`).
    server: Option<f64>,
    /// This process's CPU seconds.
    own: Option<f64>,
}

impl CpuSample {
    /// Samples the server (`pid`) and this process now.
    fn now(pid: Option<u32>) -> Self {
        CpuSample {
            at: Instant::now(),
            server: cpu_seconds(pid),
            own: cpu_seconds(None),
        }
    }
}

/// Sleeps until `t` (returns immediately if it has passed).
fn sleep_until(t: Instant) {
    let now = Instant::now();
    if t > now {
        thread::sleep(t - now);
    }
}

/// Prepares, runs and measures the configured load.
pub fn run(cfg: &Config) -> Result<Report, String> {
    let target = resolve_target(cfg)?;
    let disc = discover_ids(cfg, &target)?;
    let get_ctx = build_get_ctx(cfg, &disc);
    let checkout_ctx = build_checkout_ctx(cfg, &disc);

    let sampler = cfg.pid.map(start_rss_sampler);
    let start = Instant::now();
    let measure_start = start + cfg.warmup;
    let phase = Phase {
        measure_start,
        end: cfg.duration.map(|d| measure_start + d),
        target: cfg.requests,
        claimed: AtomicU64::new(0),
    };

    let (results, cpu0, cpu1) = run_clients(cfg, &target, &phase, &get_ctx, &checkout_ctx);

    let rss = sampler.and_then(|(tx, handle)| {
        drop(tx);
        handle.join().ok()
    });

    let mut res = WorkerResult::new();
    for r in &results {
        res.merge(r);
    }
    let window = measured_window(&phase, &res);
    let diff = |a: Option<f64>, b: Option<f64>| Some(b? - a?);
    Ok(Report {
        cfg: cfg.clone(),
        target: target.display,
        disc,
        resolved_path: get_ctx.path.clone(),
        window,
        res,
        rss,
        server_cpu: diff(cpu0.server, cpu1.server),
        self_cpu: diff(cpu0.own, cpu1.own),
        cpu_window: cpu1.at - cpu0.at,
    })
}

/// The target: the in-process self-test server (started here) or the parsed `--base`.
fn resolve_target(cfg: &Config) -> Result<Target, String> {
    if cfg.self_test {
        let addr = start_self_test_server().map_err(|e| format!("self-test server: {e}"))?;
        Ok(Target {
            addr,
            host: addr.to_string(),
            prefix: String::new(),
            display: format!("http://{addr} (in-process self-test server)"),
        })
    } else {
        parse_base(&cfg.base)
    }
}

/// Discovers the ids the scenario needs and, if it needed any, prints them on stderr.
fn discover_ids(cfg: &Config, target: &Target) -> Result<Discovered, String> {
    let (need_region, need_variant) = match cfg.scenario {
        Scenario::Checkout => (true, true),
        Scenario::Get => (
            cfg.path.contains("{region}"),
            cfg.path.contains("{variant}"),
        ),
    };
    let disc = discover(cfg, target, need_region, need_variant)?;
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
    Ok(disc)
}

/// The get scenario's request, with `{region}` and `{variant}` substituted.
fn build_get_ctx(cfg: &Config, disc: &Discovered) -> GetCtx {
    GetCtx {
        method: cfg.method.clone(),
        path: cfg
            .path
            .replace("{region}", &enc(disc.region.as_deref().unwrap_or("")))
            .replace("{variant}", &enc(disc.variant.as_deref().unwrap_or(""))),
        body: cfg.body.as_ref().map(|b| b.clone().into_bytes()),
    }
}

/// The checkout scenario's fixed request bodies.
/// Step 2's body: email and addresses, and `--promo-code` if given (applied in the same
/// update, so a checkout with a code makes exactly the same requests as one without).
fn address_update(cfg: &Config, address: &serde_json::Value) -> serde_json::Value {
    let mut body = json!({
        "email": cfg.email, "shipping_address": address, "billing_address": address,
    });
    if let Some(code) = &cfg.promo_code {
        body["promo_codes"] = json!([code]);
    }
    body
}

fn build_checkout_ctx(cfg: &Config, disc: &Discovered) -> CheckoutCtx {
    let address = json!({
        "first_name": "Bench", "last_name": "Mark", "address_1": "1 Market Street",
        "city": "San Francisco", "province": "ca", "postal_code": "94105",
        "country_code": disc.country.as_deref().unwrap_or("us"), "phone": "+14155550100",
    });
    CheckoutCtx {
        cart_body: to_bytes(&json!({ "region_id": disc.region })),
        line_body: to_bytes(&json!({ "variant_id": disc.variant, "quantity": 1 })),
        address_body: to_bytes(&address_update(cfg, &address)),
        shipping_body: cfg
            .shipping_option
            .as_ref()
            .map(|o| to_bytes(&json!({ "option_id": o }))),
        session_body: to_bytes(&json!({ "provider_id": cfg.provider })),
    }
}

/// Runs the client threads to completion. Returns their results and the CPU samples taken at
/// the start of the measured window and after the last client finished.
fn run_clients(
    cfg: &Config,
    target: &Target,
    phase: &Phase,
    g: &GetCtx,
    c: &CheckoutCtx,
) -> (Vec<WorkerResult>, CpuSample, CpuSample) {
    thread::scope(|s| {
        let handles: Vec<_> = (0..cfg.clients)
            .map(|_| s.spawn(move || run_worker(cfg, target, phase, g, c)))
            .collect();
        sleep_until(phase.measure_start);
        let cpu0 = CpuSample::now(cfg.pid);
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
        let cpu1 = CpuSample::now(cfg.pid);
        (results, cpu0, cpu1)
    })
}

/// One client thread: a worker running the configured scenario; returns its measurements.
fn run_worker(
    cfg: &Config,
    target: &Target,
    phase: &Phase,
    g: &GetCtx,
    c: &CheckoutCtx,
) -> WorkerResult {
    let mut w = Worker::new(target, cfg, phase);
    match cfg.scenario {
        Scenario::Get => w.run_get(g),
        Scenario::Checkout => w.run_checkout(c),
    }
    w.res.connects = w.client.connects;
    w.res
}

/// Length of the measured window: the configured duration, or (count mode, or when the
/// target was reached first) up to the last measured completion.
fn measured_window(phase: &Phase, res: &WorkerResult) -> Duration {
    match phase.end {
        Some(end) if !phase.target_reached() => end - phase.measure_start,
        _ => res.last_finish.map_or(Duration::ZERO, |t| {
            t.saturating_duration_since(phase.measure_start)
        }),
    }
}

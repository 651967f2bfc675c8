//! Command line: the usage text ([`USAGE`]), the parsed configuration ([`Config`]) and its
//! parser ([`parse_args`]).

use crate::procfs::read_rss_kb;
use serde_json::Value;
use std::time::Duration;

/// Command-line help, printed by `--help`.
pub const USAGE: &str = "\
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
    --promo-code CODE        checkout: apply this promotion code with the addresses (step 2)

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

/// What each client repeats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scenario {
    /// One request (by default a GET) repeated.
    Get,
    /// The 7-step storefront checkout.
    Checkout,
}

/// Parsed command line.
#[derive(Clone, Debug)]
pub struct Config {
    /// `--base`.
    pub base: String,
    /// `--key` (publishable API key).
    pub key: Option<String>,
    /// `--header` values as (name, value).
    pub headers: Vec<(String, String)>,
    /// `--timeout`.
    pub timeout: Duration,
    /// `--scenario`.
    pub scenario: Scenario,
    /// `--path` (get scenario).
    pub path: String,
    /// `--method` (get scenario).
    pub method: String,
    /// `--body` (get scenario).
    pub body: Option<String>,
    /// `--region`.
    pub region: Option<String>,
    /// `--region-currency` (lower-cased).
    pub region_currency: Option<String>,
    /// `--variant`.
    pub variant: Option<String>,
    /// `--shipping-option`.
    pub shipping_option: Option<String>,
    /// `--country`.
    pub country: Option<String>,
    /// `--email`.
    pub email: String,
    /// `--provider`.
    pub provider: String,
    /// `--promo-code`: applied with the addresses in step 2.
    pub promo_code: Option<String>,
    /// `--clients`.
    pub clients: usize,
    /// `--duration` (None: run until `--requests` are done).
    pub duration: Option<Duration>,
    /// `--requests`.
    pub requests: Option<u64>,
    /// `--warmup`.
    pub warmup: Duration,
    /// `--pid`.
    pub pid: Option<u32>,
    /// `--json`.
    pub json: bool,
    /// `--self-test`.
    pub self_test: bool,
}

impl Default for Config {
    /// The defaults listed in [`USAGE`].
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
            promo_code: None,
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
pub fn parse_args(args: impl IntoIterator<Item = String>) -> Result<Option<Config>, String> {
    let mut c = Config::default();
    let mut duration_given = false;
    let mut it = args.into_iter();
    while let Some(arg) = it.next() {
        let (flag, mut inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_string(), Some(v.to_string())),
            _ => (arg.clone(), None),
        };
        if flag == "-h" || flag == "--help" {
            return Ok(None);
        }
        let mut value = || -> Result<String, String> {
            inline
                .take()
                .or_else(|| it.next())
                .ok_or_else(|| format!("{flag} needs a value"))
        };
        duration_given |= apply_flag(&mut c, &flag, &mut value)?;
        if inline.is_some() {
            return Err(format!("{flag} takes no value"));
        }
    }
    if c.requests.is_some() && !duration_given {
        c.duration = None;
    }
    validate(&c)?;
    Ok(Some(c))
}

/// Applies one flag (other than `--help`) to `c`, taking its value from `value` if it has one.
/// Returns whether the flag was `--duration`.
fn apply_flag(
    c: &mut Config,
    flag: &str,
    value: &mut impl FnMut() -> Result<String, String>,
) -> Result<bool, String> {
    match flag {
        "--json" => c.json = true,
        "--self-test" => c.self_test = true,
        "--base" => c.base = value()?,
        "--key" => c.key = Some(value()?),
        "-H" | "--header" => c.headers.push(parse_header(&value()?)?),
        "--timeout" => c.timeout = parse_nonzero_duration("--timeout", &value()?)?,
        "--scenario" => c.scenario = parse_scenario(&value()?)?,
        "--path" => c.path = value()?,
        "--method" => c.method = value()?.to_ascii_uppercase(),
        "--body" => c.body = Some(value()?),
        "--region" => c.region = Some(value()?),
        "--region-currency" => c.region_currency = Some(value()?.to_lowercase()),
        "--variant" => c.variant = Some(value()?),
        "--shipping-option" => c.shipping_option = Some(value()?),
        "--country" => c.country = Some(value()?.to_lowercase()),
        "--email" => c.email = value()?,
        "--provider" => c.provider = value()?,
        "--promo-code" => c.promo_code = Some(value()?),
        "-c" | "--clients" => c.clients = parse_clients(&value()?)?,
        "-d" | "--duration" => {
            c.duration = Some(parse_nonzero_duration("--duration", &value()?)?);
            return Ok(true);
        }
        "-n" | "--requests" => c.requests = Some(parse_requests(&value()?)?),
        "--warmup" => c.warmup = parse_duration(&value()?)?,
        "--pid" => c.pid = Some(parse_pid(&value()?)?),
        other => return Err(format!("unknown argument `{other}`")),
    }
    Ok(false)
}

/// Parses a `--header` value, `Name: value`, into a trimmed (name, value) pair.
fn parse_header(v: &str) -> Result<(String, String), String> {
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
    Ok((k.to_string(), val.trim().to_string()))
}

/// Parses a duration that must be greater than zero; `name` is the flag for the message.
fn parse_nonzero_duration(name: &str, s: &str) -> Result<Duration, String> {
    let d = parse_duration(s)?;
    if d.is_zero() {
        return Err(format!("{name} must be greater than zero"));
    }
    Ok(d)
}

/// Parses a `--scenario` value.
fn parse_scenario(s: &str) -> Result<Scenario, String> {
    match s {
        "get" => Ok(Scenario::Get),
        "checkout" => Ok(Scenario::Checkout),
        other => Err(format!("--scenario `{other}`: expected get or checkout")),
    }
}

/// Parses a `--clients` value (1..=10000).
fn parse_clients(v: &str) -> Result<usize, String> {
    v.parse()
        .ok()
        .filter(|n| (1..=10_000).contains(n))
        .ok_or_else(|| format!("--clients `{v}`: expected 1..=10000"))
}

/// Parses a `--requests` value (a positive integer).
fn parse_requests(v: &str) -> Result<u64, String> {
    v.parse()
        .ok()
        .filter(|n| *n > 0)
        .ok_or_else(|| format!("--requests `{v}`: expected a positive integer"))
}

/// Parses a `--pid` value and checks that its VmRSS is readable.
fn parse_pid(v: &str) -> Result<u32, String> {
    let pid: u32 = v
        .parse()
        .map_err(|_| format!("--pid `{v}`: expected a process id"))?;
    if read_rss_kb(pid).is_none() {
        return Err(format!(
            "--pid {pid}: cannot read VmRSS from /proc/{pid}/status"
        ));
    }
    Ok(pid)
}

/// Checks the options that depend on each other or need a whole-value check.
fn validate(c: &Config) -> Result<(), String> {
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
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

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
}

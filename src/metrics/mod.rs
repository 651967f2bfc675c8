//! `/metrics`: counters in Prometheus' text format.
//!
//! The request path only touches atomics: the route table is indexed once when the server
//! starts ([`Metrics::install`]), after which a request adds to its route's counters through
//! a read-only map — no lock, no allocation. Everything else (writer queue and batches,
//! outbox backlog, workflow failures, file sizes, RSS) is read when `/metrics` is scraped.
//!
//! **Who may read it.** With `--metrics-token` (`STOCKROOM_METRICS_TOKEN`), any client that
//! sends `Authorization: Bearer <token>`; without one, loopback clients only. Admin logins
//! are the wrong credential for a scraper (short-lived JWTs, a user account per Prometheus),
//! and the figures reveal traffic volumes, so they are not public by default.

mod render;
mod requests;

pub use requests::{LATENCY_BOUNDS_S, RouteCounters};

use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::http::router::Router;
use crate::http::{Access, Request, Response, Route};
use std::collections::HashMap;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

/// The process's request counters, shared by the server (which adds) and `/metrics` (which
/// reads).
#[derive(Default)]
pub struct Metrics {
    routes: OnceLock<RouteTable>,
    /// Requests no route matched (404 / 405, preflights, refused bodies).
    unmatched: RouteCounters,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Metrics")
    }
}

/// The counters of every route, by pattern then method.
struct RouteTable {
    by_pattern: HashMap<String, Vec<(&'static str, usize)>>,
    counters: Vec<(&'static str, String, RouteCounters)>,
}

impl Metrics {
    /// Indexes `router`'s routes (once; the table is fixed when the server starts).
    pub fn install(&self, router: &Router) {
        let _ = self.routes.get_or_init(|| {
            let mut by_pattern: HashMap<String, Vec<(&'static str, usize)>> = HashMap::new();
            let mut counters = Vec::new();
            for route in router.routes() {
                by_pattern
                    .entry(route.pattern.clone())
                    .or_default()
                    .push((route.method, counters.len()));
                counters.push((
                    route.method,
                    route.pattern.clone(),
                    RouteCounters::default(),
                ));
            }
            RouteTable {
                by_pattern,
                counters,
            }
        });
    }

    /// Counts one answered request; `route` is the matched `(method, pattern)`, if any.
    pub fn record(&self, route: Option<(&str, &str)>, status: u16, elapsed: Duration) {
        let counters = route
            .and_then(|(method, pattern)| {
                let table = self.routes.get()?;
                let slot = table
                    .by_pattern
                    .get(pattern)?
                    .iter()
                    .find(|(m, _)| *m == method)?
                    .1;
                Some(&table.counters[slot].2)
            })
            .unwrap_or(&self.unmatched);
        counters.record(status, elapsed);
    }

    /// The whole exposition for `engine`.
    ///
    /// # Errors
    /// Reading the store's figures failed.
    pub fn render(&self, engine: &Engine) -> Result<String> {
        let routes = self
            .routes
            .get()
            .map(|t| t.counters.as_slice())
            .unwrap_or(&[]);
        render::exposition(routes, &self.unmatched, engine)
    }
}

/// `GET /metrics` over `metrics`, readable with `token` (if set) or from loopback.
pub fn routes(metrics: Arc<Metrics>, token: Option<String>) -> Vec<Route> {
    vec![Route::new(
        "GET",
        "/metrics",
        Access::Public,
        "Prometheus metrics (bearer --metrics-token, else loopback clients only)",
        move |engine, req| {
            allowed(req, token.as_deref())?;
            let text = metrics.render(engine)?;
            Ok(Response::text(text)
                .with_header("Content-Type", "text/plain; version=0.0.4; charset=utf-8"))
        },
    )]
}

/// The access rule of `/metrics` (see the module doc).
fn allowed(req: &Request, token: Option<&str>) -> Result<()> {
    let ok = match token {
        Some(token) => req
            .header("authorization")
            .and_then(|h| h.strip_prefix("Bearer "))
            .is_some_and(|given| {
                crate::crypto::constant_time_eq(given.as_bytes(), token.as_bytes())
            }),
        None => req.remote_addr.is_none_or(|ip| ip.is_loopback()),
    };
    if ok {
        Ok(())
    } else {
        Err(Error::AuthFailed("Unauthorized".into()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn from(ip: &str, authorization: Option<&str>) -> Request {
        Request {
            remote_addr: Some(ip.parse().unwrap()),
            headers: authorization
                .map(|a| vec![("authorization".to_string(), a.to_string())])
                .unwrap_or_default(),
            ..Request::default()
        }
    }

    #[test]
    fn without_a_token_only_loopback_reads_and_with_one_only_its_bearer() {
        assert!(allowed(&from("127.0.0.1", None), None).is_ok());
        assert!(allowed(&from("::1", None), None).is_ok());
        assert_eq!(
            allowed(&from("10.0.0.7", None), None).unwrap_err().status(),
            401
        );
        let token = Some("a-scrape-token-0123456789");
        let right = Some("Bearer a-scrape-token-0123456789");
        assert!(allowed(&from("10.0.0.7", right), token).is_ok());
        for wrong in [
            None,
            Some("Bearer a-scrape-token"),
            Some("a-scrape-token-0123456789"),
        ] {
            assert!(
                allowed(&from("127.0.0.1", wrong), token).is_err(),
                "{wrong:?}"
            );
        }
    }
}

//! Warming a fresh process in the background, so its first shoppers do not pay for it.
//!
//! After a start, the first store listing cost 6–20× the steady one: the catalog documents,
//! price candidates, id lists, field plans and the publishable key are memoized only once a
//! request has built them, the whole page is kept only once rendered, and each pooled reader
//! parses the schema and prepares its statements on first use (BENCHMARKS.md, "First
//! requests after a start"). [`spawn`] runs, on a thread of its own once the server listens
//! (so neither `/health` nor the socket waits for it):
//!
//! 1. the storefront's entry requests ([`WARM_PATHS`]) for every live publishable key and
//!    every region, through the router exactly as a worker dispatches them: this fills the
//!    shared memos and keeps those first pages whole, for the current generation (a write
//!    ends them, as it ends any memo);
//! 2. every pooled reader, opened if needed, with the schema parsed and the statements of a
//!    listing's pricing context prepared ([`Store::warm_readers`](crate::db::Store::warm_readers)).
//!
//! It only reads: it never submits a write job, so it never holds the writer.

use crate::engine::Engine;
use crate::error::Result;
use crate::flows::store_catalog::{self, PricingInput};
use crate::http::{Request, query, server};
use crate::modules::{api_key, region};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// The requests warmed for each publishable key: the regions, and the first page of the
/// product listing in each region (`{region}`), as a storefront's first visitors ask them.
pub const WARM_PATHS: [&str; 2] = [
    "/store/regions",
    "/store/products?limit=20&region_id={region}",
];

/// At most this many publishable keys and regions are warmed (a store with more warms the
/// oldest; the rest build their memos on first use, as before).
const MOST: u64 = 16;

/// What a warm-up did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Warmed {
    /// Requests dispatched (each answered 200, or it is not counted).
    pub requests: usize,
    /// Pooled readers warmed.
    pub readers: usize,
    /// How long it took.
    pub elapsed: Duration,
}

/// Starts the warm-up on a thread of its own; joining it gives what it did. Readiness
/// (`/health/ready`) answers 503 until it ends, however it ends; liveness (`/health`) and
/// every other route answer meanwhile. With `log`, one line on stderr says what it did.
///
/// # Errors
/// The thread cannot be started.
pub fn spawn(engine: Engine, log: bool) -> Result<JoinHandle<Warmed>> {
    let ready = ReadyWhenDropped(engine.store().clone());
    engine.store().set_warming(true);
    std::thread::Builder::new()
        .name("stockroom-warm".into())
        .spawn(move || {
            let warmed = run(&engine);
            drop(ready);
            if log {
                eprintln!(
                    "stockroom: warmed {} requests and {} readers in {:.1} ms",
                    warmed.requests,
                    warmed.readers,
                    warmed.elapsed.as_secs_f64() * 1000.0
                );
            }
            warmed
        })
        .map_err(|e| crate::Error::Internal(format!("cannot start the warm-up: {e}")))
}

/// Ends the store's warming state when dropped (also on a panic, or if the thread never
/// started), so readiness never stays 503.
struct ReadyWhenDropped(crate::db::Store);

impl Drop for ReadyWhenDropped {
    fn drop(&mut self) {
        self.0.set_warming(false);
    }
}

/// Warms `engine` (see the module documentation). Best effort: a failure leaves the rest to
/// be built on first use, as without a warm-up.
pub fn run(engine: &Engine) -> Warmed {
    let started = Instant::now();
    let store = engine.store();
    let (keys, regions) = store
        .read(|conn| {
            let (keys, _) = api_key::list(conn, Some("publishable"), &[], 0, MOST)?;
            let (regions, _) = region::list(conn, &region::RegionFilter::default(), MOST, 0)?;
            Ok((keys, regions))
        })
        .unwrap_or_default();
    let region_ids: Vec<String> = regions.into_iter().map(|r| r.id).collect();
    let mut requests = 0;
    for key in keys.iter().filter(|k| k.revoked_at.is_none()) {
        for path in expand(&WARM_PATHS, &region_ids) {
            requests += usize::from(get(engine, &path, &key.token));
        }
    }
    let readers = store
        .warm_readers(|conn| warm_reader(engine, conn, &region_ids))
        .unwrap_or(0);
    Warmed {
        requests,
        readers,
        elapsed: started.elapsed(),
    }
}

/// `paths` with `{region}` replaced by each region id (a path without it appears once).
fn expand(paths: &[&str], region_ids: &[String]) -> Vec<String> {
    paths
        .iter()
        .flat_map(|path| match path.contains("{region}") {
            true => region_ids
                .iter()
                .map(|id| path.replace("{region}", id))
                .collect(),
            false => vec![(*path).to_string()],
        })
        .collect()
}

/// Dispatches `GET path` with the publishable key `token`, as a worker would; whether it
/// answered 200.
fn get(engine: &Engine, path: &str, token: &str) -> bool {
    let (path, query_string) = path.split_once('?').unwrap_or((path, ""));
    let Ok(query) = query::parse_query(query_string) else {
        return false;
    };
    let request = Request {
        method: "GET".into(),
        path: path.into(),
        query,
        headers: vec![("x-publishable-api-key".into(), token.into())],
        ..Request::default()
    };
    let (outcome, _) = server::dispatch(engine, request);
    outcome.is_ok_and(|response| response.status == 200)
}

/// One reader's warm-up: the schema is parsed by the first statement, and the statements a
/// listing runs on every page it has not kept (the region of the pricing context) are
/// prepared into the reader's statement cache.
fn warm_reader(engine: &Engine, conn: &rusqlite::Connection, region_ids: &[String]) -> Result<()> {
    for id in region_ids {
        let input = PricingInput {
            region_id: Some(id.clone()),
            currency_code: None,
            country_code: None,
            customer_group_ids: Vec::new(),
            required: true,
            now: engine.ctx().now(),
        };
        store_catalog::pricing_context(conn, &input)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn region_paths_expand_per_region_and_others_once() {
        let ids = ["reg_a".to_string(), "reg_b".to_string()];
        assert_eq!(
            expand(&WARM_PATHS, &ids),
            [
                "/store/regions",
                "/store/products?limit=20&region_id=reg_a",
                "/store/products?limit=20&region_id=reg_b",
            ]
        );
        assert_eq!(expand(&WARM_PATHS, &[]), ["/store/regions"]);
    }
}

//! Declarative route middleware (Medusa's `defineMiddlewares`): a route declares its body
//! and query schemas and a rate limit, and the checks run before the handler — rate limit
//! first, then the query, then the body — whatever order they were declared in. Access is
//! the route's [`Access`](super::Access), checked before all of them.
//!
//! ```
//! use stockroom::http::middleware::RateLimit;
//! use stockroom::http::validate::{Kind, Schema};
//! use stockroom::http::{Access, Response, Route};
//!
//! let route = Route::new("POST", "/admin/reports", Access::SecretKey, "Make a report", |_, req| {
//!     Ok(Response::json(req.json()?))
//! })
//! .body(Schema::new().required("period", Kind::String))
//! .query(Schema::new().optional("dry_run", Kind::Boolean))
//! .rate_limit(RateLimit::per_minute(10));
//! assert_eq!(route.access, Access::SecretKey);
//! ```

use super::validate::{Kind, Schema};
use super::{Request, Route};
use crate::clock::Millis;
use crate::engine::Engine;
use crate::error::{Error, Result};
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// At most `limit` calls per window, per caller: the signed-in customer, user or secret key,
/// else the client address. Windows are fixed and read the engine's clock, so a fixture
/// store's limits move with its clock. Over the limit: 429 with `Retry-After`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    limit: u32,
    window_ms: Millis,
}

impl RateLimit {
    /// `limit` calls per `window` (at least 1 ms).
    pub fn new(limit: u32, window: Duration) -> Self {
        let window_ms = Millis::try_from(window.as_millis()).unwrap_or(Millis::MAX);
        RateLimit {
            limit,
            window_ms: window_ms.max(1),
        }
    }

    /// `limit` calls per minute.
    pub fn per_minute(limit: u32) -> Self {
        RateLimit::new(limit, Duration::from_secs(60))
    }
}

/// Callers' counts in their current window. The map holds at most [`PRUNE_AT`] callers:
/// entries of past windows are dropped (once per window, not per request), and while it is
/// still full a caller it does not know is refused, so many one-off addresses cost neither
/// memory nor a scan per request. Callers already counted keep their allowance.
struct Windows {
    rule: RateLimit,
    counts: Mutex<HashMap<String, (Millis, u32)>>,
    /// The window the map was last pruned in.
    pruned: Mutex<Millis>,
}

const PRUNE_AT: usize = 10_000;

impl Windows {
    fn admit(&self, caller: String, now: Millis) -> Result<()> {
        let mut counts = self.counts.lock().unwrap_or_else(|p| p.into_inner());
        let window = now - now.rem_euclid(self.rule.window_ms);
        if counts.len() >= PRUNE_AT {
            let mut pruned = self.pruned.lock().unwrap_or_else(|p| p.into_inner());
            if *pruned != window {
                counts.retain(|_, (start, _)| *start == window);
                *pruned = window;
            }
            if counts.len() >= PRUNE_AT && !counts.contains_key(&caller) {
                return Err(self.too_many(window, now));
            }
        }
        let entry = counts.entry(caller).or_insert((window, 0));
        if entry.0 != window {
            *entry = (window, 0);
        }
        if entry.1 >= self.rule.limit {
            return Err(self.too_many(window, now));
        }
        entry.1 += 1;
        Ok(())
    }

    /// 429 with the seconds left in the window.
    fn too_many(&self, window: Millis, now: Millis) -> Error {
        let left = window + self.rule.window_ms - now;
        let retry_after_secs = u64::try_from(left / 1000).unwrap_or(0).max(1);
        Error::TooManyRequests {
            message: format!("Too many requests, retry in {retry_after_secs} s"),
            retry_after_secs,
        }
    }
}

/// Who a rate limit counts: the authenticated actor, else the client address.
fn caller(request: &Request) -> String {
    let actor = &request.actor;
    let who = [&actor.customer_id, &actor.user_id, &actor.api_key_id]
        .into_iter()
        .flatten()
        .next();
    match (who, request.remote_addr) {
        (Some(id), _) => format!("actor:{id}"),
        (None, Some(addr)) => format!("addr:{addr}"),
        (None, None) => "in-process".into(),
    }
}

impl Route {
    /// Checks the JSON body against `schema` (unknown keys refused) before the handler:
    /// 415 for a body that is not JSON, 400 `invalid_data` with Medusa's messages otherwise.
    pub fn body(self, schema: Schema) -> Self {
        let schema = Arc::new(schema);
        self.with_check(
            2,
            Arc::new(move |_, request| request.body_with(&schema).map(|_| ())),
        )
    }

    /// Checks the query string against `schema` before the handler. Query values arrive as
    /// text: those declared `Integer`, `Number` or `Boolean` are read as such first, so
    /// `?limit=abc` is a 400 naming `limit`.
    pub fn query(self, schema: Schema) -> Self {
        let schema = Arc::new(schema);
        self.with_check(
            1,
            Arc::new(move |_, request| {
                let typed = coerce(&schema, &request.query);
                schema
                    .check(&Value::Object(typed))
                    .map_err(|e| Error::InvalidData(e.to_string()))
            }),
        )
    }

    /// Limits how often each caller may call the route (see [`RateLimit`]).
    pub fn rate_limit(self, rule: RateLimit) -> Self {
        let windows = Arc::new(Windows {
            rule,
            counts: Mutex::new(HashMap::new()),
            pruned: Mutex::new(Millis::MIN),
        });
        self.with_check(
            0,
            Arc::new(move |engine: &Engine, request| {
                windows.admit(caller(request), engine.clock().now())
            }),
        )
    }
}

fn coerce(schema: &Schema, query: &Map<String, Value>) -> Map<String, Value> {
    query
        .iter()
        .map(|(key, value)| {
            let typed = match (schema.kind_of(key), value.as_str()) {
                (Some(Kind::Integer), Some(text)) => text.parse::<i64>().ok().map(Value::from),
                (Some(Kind::Number), Some(text)) => text.parse::<f64>().ok().map(Value::from),
                (Some(Kind::Boolean), Some(text)) => text.parse::<bool>().ok().map(Value::from),
                _ => None,
            };
            (key.clone(), typed.unwrap_or_else(|| value.clone()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_window_admits_its_limit_then_answers_429_until_the_next() {
        let windows = Windows {
            rule: RateLimit::new(2, Duration::from_secs(60)),
            counts: Mutex::new(HashMap::new()),
            pruned: Mutex::new(Millis::MIN),
        };
        assert!(windows.admit("a".into(), 1_000).is_ok());
        assert!(windows.admit("a".into(), 2_000).is_ok());
        assert!(windows.admit("b".into(), 2_000).is_ok(), "per caller");
        match windows.admit("a".into(), 30_000) {
            Err(Error::TooManyRequests {
                retry_after_secs, ..
            }) => assert_eq!(retry_after_secs, 30),
            other => panic!("expected 429, got {other:?}"),
        }
        assert!(windows.admit("a".into(), 60_000).is_ok(), "a new window");
    }

    #[test]
    fn a_full_map_refuses_callers_it_does_not_know_until_the_next_window() {
        let windows = Windows {
            rule: RateLimit::new(5, Duration::from_secs(60)),
            counts: Mutex::new(HashMap::new()),
            pruned: Mutex::new(Millis::MIN),
        };
        for n in 0..PRUNE_AT {
            assert!(windows.admit(format!("10.0.{n}"), 1_000).is_ok());
        }
        assert!(windows.admit("stranger".into(), 2_000).is_err());
        assert!(
            windows.admit("10.0.7".into(), 2_000).is_ok(),
            "known callers go on"
        );
        assert!(
            windows.admit("stranger".into(), 61_000).is_ok(),
            "a new window prunes"
        );
        let size = windows.counts.lock().map(|c| c.len()).unwrap_or_default();
        assert_eq!(size, 1);
    }

    #[test]
    fn query_strings_are_read_as_their_declared_kinds() {
        let schema = Schema::new()
            .optional("limit", Kind::Integer)
            .optional("q", Kind::String);
        let mut query = Map::new();
        query.insert("limit".into(), Value::from("10"));
        query.insert("q".into(), Value::from("10"));
        let typed = coerce(&schema, &query);
        assert_eq!(
            (typed["limit"].clone(), typed["q"].clone()),
            (Value::from(10), Value::from("10"))
        );
    }
}

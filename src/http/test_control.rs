//! The test-control API, mounted only by `serve --demo|--fixture FILE --test-control` (never by
//! a normal `serve`): reset to the seeded state, named snapshots, and the clock.
//!
//! ```sh
//! curl -X POST localhost:9000/test-control/reset
//! curl -X POST localhost:9000/test-control/snapshots/before-checkout
//! curl -X POST localhost:9000/test-control/snapshots/before-checkout/restore
//! curl localhost:9000/test-control/clock
//! curl -X POST localhost:9000/test-control/clock -H 'content-type: application/json' -d '{"advance_ms": 86400000}'
//! curl -X POST localhost:9000/test-control/clock -H 'content-type: application/json' -d '{"now": "2025-01-01T00:00:00.000Z"}'
//! ```
//!
//! Checkout scripting: the next calls of the test payment provider `pp_test_test` (one
//! outcome per call, in order: `decline` → authorization declined, `error` → the provider
//! fails, `slow` or `slow:MS` → it answers late), and a variant's stock:
//!
//! ```sh
//! curl -X POST localhost:9000/test-control/payment-provider/script -H 'content-type: application/json' -d '{"outcomes": ["decline", "slow:500"]}'
//! curl -X POST localhost:9000/test-control/variants/variant_01.../out-of-stock
//! curl -X POST localhost:9000/test-control/variants/variant_01.../stock -H 'content-type: application/json' -d '{"stocked_quantity": 5}'
//! ```
//!
//! Events, to read what a mail would carry (an order transfer's token):
//!
//! ```sh
//! curl 'localhost:9000/test-control/events?name=order.transfer_requested'   # {"events": [{id, name, data, created_at}]}
//! ```

use super::validate::{Kind, Schema};
use super::{Access, Response, Route};
use crate::clock::{format_iso8601, parse_iso8601};
use crate::error::Error;
use crate::fixture::FixtureControl;
use crate::flows::checkout::stock;
use crate::modules::payment::{self, provider::Scripted};
use serde_json::json;
use std::sync::Arc;

/// The routes, bound to one store's snapshots.
pub fn routes(control: Arc<FixtureControl>) -> Vec<Route> {
    let (c1, c2, c3, c4) = (control.clone(), control.clone(), control.clone(), control);
    let mut routes = checkout_routes();
    routes.extend([
        Route::new(
            "POST",
            "/test-control/reset",
            Access::Public,
            "Reset the store to its seeded state",
            move |engine, _| {
                let started = std::time::Instant::now();
                c1.reset(engine)?;
                Ok(Response::json(
                    json!({"reset": true, "took_us": started.elapsed().as_micros() as u64}),
                ))
            },
        ),
        Route::new(
            "GET",
            "/test-control/snapshots",
            Access::Public,
            "List saved snapshots",
            move |_, _| Ok(Response::json(json!({"snapshots": c2.names()}))),
        ),
        Route::new(
            "POST",
            "/test-control/snapshots/:name",
            Access::Public,
            "Save the current state",
            move |engine, req| {
                c3.save(engine, req.param("name"))?;
                Ok(Response::json(
                    json!({"snapshot": req.param("name"), "saved": true}),
                ))
            },
        ),
        Route::new(
            "POST",
            "/test-control/snapshots/:name/restore",
            Access::Public,
            "Restore a saved state",
            move |engine, req| {
                c4.restore(engine, req.param("name"))?;
                Ok(Response::json(
                    json!({"snapshot": req.param("name"), "restored": true}),
                ))
            },
        ),
        Route::new(
            "GET",
            "/test-control/clock",
            Access::Public,
            "Read the store's clock",
            |engine, _| {
                Ok(Response::json(
                    json!({"now": engine.clock().now_iso(), "manual": engine.clock().is_manual()}),
                ))
            },
        ),
        Route::new(
            "POST",
            "/test-control/clock",
            Access::Public,
            "Set or advance the store's clock",
            |engine, req| {
                let body = req.body_with(
                    &Schema::new()
                        .optional("now", Kind::String)
                        .optional("advance_ms", Kind::Integer),
                )?;
                if let Some(now) = body["now"].as_str() {
                    let at = parse_iso8601(now).ok_or_else(|| {
                        Error::invalid(format!(
                            "Invalid request: 'now' is not an ISO-8601 UTC time: {now}"
                        ))
                    })?;
                    engine.clock().set(at);
                }
                if let Some(by) = body["advance_ms"].as_i64() {
                    if by < 0 {
                        return Err(Error::invalid(
                            "Invalid request: 'advance_ms' must not be negative",
                        ));
                    }
                    engine.clock().advance(by);
                }
                // The fixture clock moves only here: run the scheduled jobs it made due.
                engine.run_due_jobs();
                Ok(Response::json(
                    json!({"now": format_iso8601(engine.clock().now())}),
                ))
            },
        ),
    ]);
    routes
}

/// Scripting the test payment provider and stock (fixture mode only).
fn checkout_routes() -> Vec<Route> {
    vec![
        Route::new(
            "GET",
            "/test-control/events",
            Access::Public,
            "Emitted events (under ?name= when given), oldest first",
            |engine, req| {
                let name = req.query_str("name");
                let events = engine
                    .store()
                    .read(|conn| crate::events::emitted(conn, name))?;
                Ok(Response::json(json!({ "events": events })))
            },
        ),
        Route::new(
            "POST",
            "/test-control/payment-provider/script",
            Access::Public,
            "Script the test payment provider's next outcomes",
            |engine, req| {
                let body = req
                    .body_with(&Schema::new().required("outcomes", Kind::array_of(Kind::String)))?;
                let outcomes = body["outcomes"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|o| {
                        let text = o.as_str().unwrap_or_default();
                        Scripted::parse(text).ok_or_else(|| {
                            Error::invalid(format!("Invalid request: unknown outcome '{text}' (decline, error, slow, slow:MS)"))
                        })
                    })
                    .collect::<crate::error::Result<Vec<_>>>()?;
                let ctx = engine.ctx().clone();
                let queued = outcomes.len();
                engine
                    .store()
                    .write(move |tx| payment::script_push(tx, &ctx, &outcomes))?;
                Ok(Response::json(json!({"queued": queued})))
            },
        ),
        Route::new(
            "POST",
            "/test-control/variants/:id/out-of-stock",
            Access::Public,
            "Leave nothing of a variant to sell",
            |engine, req| set_stock(engine, req.param("id"), None),
        ),
        Route::new(
            "POST",
            "/test-control/variants/:id/stock",
            Access::Public,
            "Set a variant's stocked quantity",
            |engine, req| {
                let body =
                    req.body_with(&Schema::new().required("stocked_quantity", Kind::Integer))?;
                set_stock(engine, req.param("id"), body["stocked_quantity"].as_i64())
            },
        ),
    ]
}

fn set_stock(
    engine: &crate::Engine,
    variant_id: &str,
    stocked: Option<i64>,
) -> crate::error::Result<Response> {
    let (ctx, id) = (engine.ctx().clone(), variant_id.to_string());
    let levels = engine
        .store()
        .write(move |tx| stock::set_variant_stock(tx, &ctx, &id, stocked))?;
    Ok(Response::json(
        json!({"variant_id": variant_id, "levels": levels}),
    ))
}

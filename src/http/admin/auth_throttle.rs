//! `GET /admin/auth/throttled-attempts`: failed logins counted per (email, client address),
//! so an operator sees who is guessing which account from where, and until when each pair
//! is refused. Medusa has no such route (it has no login throttling).

use super::page;
use crate::engine::Engine;
use crate::error::Result;
use crate::http::{Access, Request, Response, Route, list_envelope};
use crate::modules::auth::throttle;

/// The routes of this family.
pub fn routes() -> Vec<Route> {
    vec![Route::new(
        "GET",
        "/admin/auth/throttled-attempts",
        Access::Admin,
        "List failed-login records per email and client address",
        list,
    )]
}

fn list(engine: &Engine, req: &Request) -> Result<Response> {
    let (offset, limit) = page(req, 50)?;
    let now = engine.clock().now();
    let (rows, count) = engine
        .store()
        .read(|c| throttle::list(c, now, limit, offset))?;
    let items = rows
        .iter()
        .map(serde_json::to_value)
        .collect::<serde_json::Result<Vec<_>>>()?;
    Ok(Response::json(list_envelope(
        "throttled_attempts",
        items,
        count,
        offset,
        limit,
    )))
}

//! `GET /admin/payments` (every payment, newest first) and `GET /admin/payments/
//! payment-providers` (the providers this store offers). Retrieve, capture and refund of one
//! payment are with the order routes (`orders.rs`).

use super::orders::payment_doc;
use super::page;
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::http::Paged;
use crate::http::fields::ids;
use crate::http::query::exact_list;
use crate::http::{Access, Request, Response, Route, list_envelope};
use crate::modules::payment::{ledger, provider};
use serde_json::json;

/// The routes of this file.
pub fn routes() -> Vec<Route> {
    vec![
        Route::new(
            "GET",
            "/admin/payments",
            Access::Admin,
            "List payments",
            list,
        ),
        Route::new(
            "GET",
            "/admin/payments/payment-providers",
            Access::Admin,
            "List payment providers",
            providers,
        ),
    ]
}

fn list(engine: &Engine, request: &Request) -> Result<Response> {
    let (offset, limit) = page(request, 20)?;
    let ids = ids(&request.query)?;
    let providers =
        exact_list(&request.query, "provider_id").map_err(|e| Error::invalid(e.to_string()))?;
    let (items, count) = engine.store().read(|conn| {
        let (found, count) = ledger::payment_ids(conn, &ids, &providers, (offset, limit))?;
        let docs = found
            .iter()
            .map(|id| payment_doc(conn, id))
            .collect::<Result<Vec<_>>>()?;
        Ok((docs, count))
    })?;
    Ok(Response::json(list_envelope(
        "payments", items, count, offset, limit,
    )))
}

/// The providers a region can offer: every registered one, the scripted test provider only
/// where it is enabled (deterministic engines, or explicitly).
fn providers(engine: &Engine, request: &Request) -> Result<Response> {
    let (offset, limit) = page(request, 20)?;
    let wanted = ids(&request.query)?;
    let all: Vec<_> = engine
        .providers()
        .payment_ids()
        .into_iter()
        .filter(|id| *id != provider::TEST || engine.test_payment_provider())
        .filter(|id| wanted.is_empty() || wanted.iter().any(|w| w == id))
        .map(|id| json!({"id": id, "is_enabled": true}))
        .collect();
    let count = all.len() as u64;
    let items = all.into_iter().page(offset, limit).collect();
    Ok(Response::json(list_envelope(
        "payment_providers",
        items,
        count,
        offset,
        limit,
    )))
}

//! The calls Medusa's admin dashboard makes on every page before it shows anything:
//! `/admin/feature-flags`, `/admin/plugins`, the currency list it fills pickers from, and
//! `/cloud/auth` on its sign-in page.

use super::page;
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::http::Paged;
use crate::http::query::exact_list;
use crate::http::{Access, Request, Response, Route, list_envelope};
use crate::modules::currency;
use serde_json::{Value, json};

/// Medusa 2.21.2's feature flags, all off as in a default install; the families behind them
/// (RBAC, view configurations, translations, the index engine) are not implemented here.
const FEATURE_FLAGS: &[&str] = &[
    "backend_hmr",
    "caching",
    "index_engine",
    "rbac",
    "rbac_filter_fields",
    "translation",
    "view_configurations",
];

/// The shell routes.
pub fn routes() -> Vec<Route> {
    vec![
        // Medusa answers this one without authentication (its route sets AUTHENTICATE = false).
        Route::new(
            "GET",
            "/admin/feature-flags",
            Access::Public,
            "List feature flags",
            feature_flags,
        ),
        // Medusa's `GET /cloud/auth`, also unauthenticated: whether the sign-in page offers
        // Medusa Cloud's login. This store has no Cloud login.
        Route::new(
            "GET",
            "/cloud/auth",
            Access::Public,
            "Whether Medusa Cloud sign-in is enabled",
            |_, _| Ok(Response::json(json!({ "enabled": false }))),
        ),
        Route::new(
            "GET",
            "/admin/plugins",
            Access::Admin,
            "List plugins",
            plugins,
        ),
        Route::new(
            "GET",
            "/admin/currencies",
            Access::Admin,
            "List currencies",
            list_currencies,
        ),
        Route::new(
            "GET",
            "/admin/currencies/:code",
            Access::Admin,
            "Retrieve a currency",
            retrieve_currency,
        ),
    ]
}

fn feature_flags(_: &Engine, _: &Request) -> Result<Response> {
    let flags: serde_json::Map<String, Value> = FEATURE_FLAGS
        .iter()
        .map(|key| (key.to_string(), Value::Bool(false)))
        .collect();
    Ok(Response::json(json!({ "feature_flags": flags })))
}

/// Stockroom has no plugin loader: extensions are compiled in (see `examples/loyalty.rs`).
fn plugins(_: &Engine, _: &Request) -> Result<Response> {
    Ok(Response::json(json!({ "plugins": [] })))
}

fn list_currencies(_: &Engine, request: &Request) -> Result<Response> {
    let (offset, limit) = page(request, 200)?;
    let codes = exact_list(&request.query, "code").map_err(|e| Error::invalid(e.to_string()))?;
    let all = currency::list(&codes, request.query_str("q"));
    let count = all.len() as u64;
    let items = all
        .iter()
        .page(offset, limit)
        .map(|c| serde_json::to_value(c).map_err(Error::from))
        .collect::<Result<Vec<_>>>()?;
    Ok(Response::json(list_envelope(
        "currencies",
        items,
        count,
        offset,
        limit,
    )))
}

fn retrieve_currency(_: &Engine, request: &Request) -> Result<Response> {
    let code = request.param("code");
    let found = currency::list(&[code.to_string()], None)
        .into_iter()
        .next()
        .ok_or_else(|| Error::not_found("Currency", code))?;
    Ok(Response::json(
        json!({ "currency": serde_json::to_value(found)? }),
    ))
}

//! `GET /store/locales` and `POST /store/search`: two routes Medusa 2.21.2 ships whose
//! answer, without the optional piece behind them, is fixed.
//!
//! - Locales (2.12.3+) sit behind the `translation` feature flag (off by default, when the
//!   route is not mounted at all). With the flag on and no supported locales on the store it
//!   answers `{locales: []}`; Stockroom stores no locales, so that is its answer — a
//!   storefront's language picker then shows nothing instead of failing on a 404.
//! - Search (2.21.1+) validates the body (one query or `{queries: [...]}` of 1–20), then,
//!   without a Search Module installed, refuses with 400 `not_allowed`. Stockroom has none;
//!   free-text product search is `GET /store/products?q=`.

use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::http::validate::{Kind, Schema};
use crate::http::{Access, Request, Response, Route};
use serde_json::{Value, json};

/// Medusa's cap on a batch of search queries.
const MAX_SEARCH_QUERIES: usize = 20;

/// The routes of this family.
pub fn routes() -> Vec<Route> {
    vec![
        Route::new(
            "GET",
            "/store/locales",
            Access::Store,
            "List the store's locales",
            |_, _| Ok(Response::json(json!({ "locales": [] }))),
        ),
        Route::new(
            "POST",
            "/store/search",
            Access::Store,
            "Search an index (needs a Search Module)",
            search,
        ),
    ]
}

fn pagination() -> Schema {
    Schema::new()
        .optional("skip", Kind::Integer)
        .optional("take", Kind::Integer)
        .optional("order", Kind::Object)
        .optional("cursor", Kind::String)
}

/// Medusa's `StoreSearchQuery` (filters and search options are the engine's to check).
fn query_schema() -> Schema {
    Schema::new()
        .required("entity", Kind::String)
        .optional("fields", Kind::array_of(Kind::String))
        .optional("filters", Kind::Object)
        .optional("pagination", Kind::shape(pagination()))
        .optional("search_options", Kind::Object)
}

fn check_query(query: &Value) -> Result<()> {
    query_schema()
        .check(query)
        .map_err(|e| Error::InvalidData(e.to_string()))?;
    if query["entity"].as_str().is_some_and(str::is_empty) {
        return Err(Error::invalid(
            "Invalid request: String must contain at least 1 character(s)",
        ));
    }
    let take = query["pagination"]["take"].as_i64();
    let skip = query["pagination"]["skip"].as_i64();
    if take.is_some_and(|t| !(0..=100).contains(&t)) || skip.is_some_and(|s| s < 0) {
        return Err(Error::invalid(
            "Invalid request: Number must be between 0 and 100",
        ));
    }
    Ok(())
}

fn search(_: &Engine, request: &Request) -> Result<Response> {
    let body = request.json()?;
    if body.get("queries").is_some() {
        Schema::new()
            .required("queries", Kind::Array)
            .check(&body)
            .map_err(|e| Error::InvalidData(e.to_string()))?;
        let queries = body["queries"].as_array().cloned().unwrap_or_default();
        if queries.is_empty() || queries.len() > MAX_SEARCH_QUERIES {
            return Err(Error::invalid(format!(
                "Invalid request: Array must contain between 1 and {MAX_SEARCH_QUERIES} element(s)"
            )));
        }
        queries.iter().try_for_each(check_query)?;
    } else {
        check_query(&body)?;
    }
    Err(Error::not_allowed(
        "The Search Module is not installed, so nothing can be searched.",
    ))
}

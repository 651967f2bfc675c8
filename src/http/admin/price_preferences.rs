//! `/admin/price-preferences`: whether a currency's or a region's prices include tax (the
//! dashboard's store-currency and region "tax inclusive" switches write these).

use super::{deleted, page, to_json};
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::http::fields::ids;
use crate::http::query::exact_list;
use crate::http::validate::{Kind, Schema};
use crate::http::{Access, Request, Response, Route, list_envelope};
use crate::modules::pricing::preferences::{self, PreferenceFilter};
use serde_json::{Value, json};

/// The routes of this file.
pub fn routes() -> Vec<Route> {
    let (all, one) = ("/admin/price-preferences", "/admin/price-preferences/:id");
    vec![
        Route::new("GET", all, Access::Admin, "List price preferences", list),
        Route::new(
            "POST",
            all,
            Access::Admin,
            "Create a price preference",
            create,
        ),
        Route::new(
            "GET",
            one,
            Access::Admin,
            "Retrieve a price preference",
            retrieve,
        ),
        Route::new(
            "POST",
            one,
            Access::Admin,
            "Update a price preference",
            update,
        ),
        Route::new(
            "DELETE",
            one,
            Access::Admin,
            "Delete a price preference",
            delete,
        ),
    ]
}

fn listed(request: &Request, key: &str) -> Result<Vec<String>> {
    exact_list(&request.query, key).map_err(|e| Error::invalid(e.to_string()))
}

fn list(engine: &Engine, request: &Request) -> Result<Response> {
    let (offset, limit) = page(request, 300)?;
    let filter = PreferenceFilter {
        ids: ids(&request.query)?,
        attributes: listed(request, "attribute")?,
        values: listed(request, "value")?,
        q: request.query_str("q").map(str::to_string),
    };
    let (found, count) = engine
        .store()
        .read(|conn| preferences::list(conn, &filter, (offset, limit)))?;
    let items = found.iter().map(to_json).collect::<Result<Vec<_>>>()?;
    Ok(Response::json(list_envelope(
        "price_preferences",
        items,
        count,
        offset,
        limit,
    )))
}

fn text(body: &Value, key: &str) -> Option<String> {
    body.get(key).and_then(Value::as_str).map(str::to_string)
}

fn create(engine: &Engine, request: &Request) -> Result<Response> {
    let schema = Schema::new()
        .required("attribute", Kind::String)
        .required("value", Kind::String)
        .optional("is_tax_inclusive", Kind::Boolean);
    let body = request.body_with(&schema)?;
    let (attribute, value) = (text(&body, "attribute"), text(&body, "value"));
    let inclusive = body.get("is_tax_inclusive").and_then(Value::as_bool);
    let ctx = engine.ctx().clone();
    let made = engine.store().write(move |tx| {
        preferences::create(
            tx,
            &ctx,
            attribute.as_deref().unwrap_or(""),
            value.as_deref().unwrap_or(""),
            inclusive.unwrap_or(false),
        )
    })?;
    Ok(Response::json(
        json!({ "price_preference": to_json(&made)? }),
    ))
}

fn retrieve(engine: &Engine, request: &Request) -> Result<Response> {
    let found = engine
        .store()
        .read(|conn| preferences::retrieve(conn, request.param("id")))?;
    Ok(Response::json(
        json!({ "price_preference": to_json(&found)? }),
    ))
}

fn update(engine: &Engine, request: &Request) -> Result<Response> {
    let schema = Schema::new()
        .optional("attribute", Kind::String)
        .optional("value", Kind::String)
        .optional("is_tax_inclusive", Kind::Boolean);
    let body = request.body_with(&schema)?;
    let (attribute, value) = (text(&body, "attribute"), text(&body, "value"));
    let inclusive = body.get("is_tax_inclusive").and_then(Value::as_bool);
    let (ctx, id) = (engine.ctx().clone(), request.param("id").to_string());
    let updated = engine.store().write(move |tx| {
        preferences::update(
            tx,
            &ctx,
            &id,
            (attribute.as_deref(), value.as_deref(), inclusive),
        )
    })?;
    Ok(Response::json(
        json!({ "price_preference": to_json(&updated)? }),
    ))
}

fn delete(engine: &Engine, request: &Request) -> Result<Response> {
    let (ctx, id) = (engine.ctx().clone(), request.param("id").to_string());
    let target = id.clone();
    engine
        .store()
        .write(move |tx| preferences::delete(tx, &ctx, &target))?;
    Ok(deleted(&id, "price_preference"))
}

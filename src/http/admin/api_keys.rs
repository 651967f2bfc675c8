//! `/admin/api-keys`: list, create (a secret key's token is in this one answer only),
//! retrieve, rename, revoke, delete (revoked keys only, as in Medusa).

use super::{page, to_json};
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::http::fields::ids;
use crate::http::validate::{Kind, Schema};
use crate::http::{Access, Request, Response, Route, list_envelope};
use crate::modules::api_key;
use serde_json::{Value, json};

/// The `/admin/api-keys` route table.
pub fn routes() -> Vec<Route> {
    vec![
        Route::new(
            "GET",
            "/admin/api-keys",
            Access::Admin,
            "List API keys",
            list,
        ),
        Route::new(
            "POST",
            "/admin/api-keys",
            Access::Admin,
            "Create an API key",
            create,
        ),
        Route::new(
            "GET",
            "/admin/api-keys/:id",
            Access::Admin,
            "Retrieve an API key",
            retrieve,
        ),
        Route::new(
            "POST",
            "/admin/api-keys/:id",
            Access::Admin,
            "Update an API key's title",
            update,
        ),
        Route::new(
            "DELETE",
            "/admin/api-keys/:id",
            Access::Admin,
            "Delete a revoked API key",
            delete,
        ),
        Route::new(
            "POST",
            "/admin/api-keys/:id/revoke",
            Access::Admin,
            "Revoke an API key",
            revoke,
        ),
    ]
}

fn actor(request: &Request) -> String {
    request.actor.admin_id().unwrap_or_default()
}

fn list(engine: &Engine, request: &Request) -> Result<Response> {
    let (offset, limit) = page(request, 50)?;
    let kind = request.query_str("type").map(str::to_string);
    let ids = ids(&request.query)?;
    let (found, count) = engine
        .store()
        .read(|conn| api_key::list(conn, kind.as_deref(), &ids, offset, limit))?;
    let items = found.iter().map(to_json).collect::<Result<Vec<_>>>()?;
    Ok(Response::json(list_envelope(
        "api_keys", items, count, offset, limit,
    )))
}

fn create(engine: &Engine, request: &Request) -> Result<Response> {
    let schema = Schema::new()
        .required("title", Kind::String)
        .required("type", Kind::String);
    let body = request.body_with(&schema)?;
    let title = body
        .get("title")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let kind = body
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let (ctx, by) = (engine.ctx().clone(), actor(request));
    let key = engine.store().write(move |tx| match kind.as_str() {
        "secret" => {
            let (mut key, token) = api_key::create_secret(tx, &ctx, &title, &by)?;
            key.token = token;
            Ok(key)
        }
        "publishable" => api_key::create_publishable(tx, &ctx, &title, None, &by),
        _ => Err(Error::invalid(
            "Invalid request: Expected 'publishable' | 'secret' for field 'type'",
        )),
    })?;
    Ok(Response::json(json!({ "api_key": to_json(&key)? })))
}

fn retrieve(engine: &Engine, request: &Request) -> Result<Response> {
    let key = engine
        .store()
        .read(|conn| api_key::retrieve(conn, request.param("id")))?;
    Ok(Response::json(json!({ "api_key": to_json(&key)? })))
}

fn revoke(engine: &Engine, request: &Request) -> Result<Response> {
    let (ctx, by, id) = (
        engine.ctx().clone(),
        actor(request),
        request.param("id").to_string(),
    );
    let key = engine
        .store()
        .write(move |tx| api_key::revoke(tx, &ctx, &id, &by))?;
    Ok(Response::json(json!({ "api_key": to_json(&key)? })))
}

fn update(engine: &Engine, request: &Request) -> Result<Response> {
    let schema = Schema::new().required("title", Kind::String);
    let body = request.body_with(&schema)?;
    let title = body
        .get("title")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let (ctx, id) = (engine.ctx().clone(), request.param("id").to_string());
    let updated = engine
        .store()
        .write(move |tx| api_key::update_title(tx, &ctx, &id, &title))?;
    Ok(Response::json(json!({ "api_key": to_json(&updated)? })))
}

fn delete(engine: &Engine, request: &Request) -> Result<Response> {
    let (ctx, id) = (engine.ctx().clone(), request.param("id").to_string());
    let target = id.clone();
    engine
        .store()
        .write(move |tx| crate::flows::publishable_keys::delete_key(tx, &ctx, &target))?;
    Ok(super::deleted(&id, "api_key"))
}

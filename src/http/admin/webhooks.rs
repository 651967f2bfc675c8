//! `/admin/webhooks`: Stockroom's own route family (Medusa 2.21.2 has no webhooks; these
//! follow its admin conventions — `{webhook}` / `{webhooks, count, offset, limit}` envelopes,
//! `POST` for updates, Medusa's delete envelope). The secret is answered once, on creation
//! and on `rotate_secret`, never listed or retrieved.

use super::{deleted, page, strings, to_json};
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::events::webhooks::{self, NewWebhook, Webhook, WebhookChanges, deliveries};
use crate::http::validate::{Kind, Schema, get_bool, get_str, is_null};
use crate::http::{Access, Request, Response, Route, list_envelope};
use serde_json::{Value, json};

/// The routes.
pub fn routes() -> Vec<Route> {
    type Handler = fn(&Engine, &Request) -> Result<Response>;
    let admin = |method, path, summary, handler: Handler| {
        Route::new(method, path, Access::Admin, summary, handler)
    };
    vec![
        admin(
            "GET",
            "/admin/webhooks",
            "List webhook endpoints (Stockroom)",
            list,
        ),
        admin(
            "POST",
            "/admin/webhooks",
            "Create a webhook endpoint; its signing secret is answered once (Stockroom)",
            create,
        ),
        admin(
            "GET",
            "/admin/webhooks/:id",
            "Retrieve a webhook endpoint (Stockroom)",
            retrieve,
        ),
        admin(
            "POST",
            "/admin/webhooks/:id",
            "Update a webhook endpoint, or rotate its secret (Stockroom)",
            update,
        ),
        admin(
            "DELETE",
            "/admin/webhooks/:id",
            "Delete a webhook endpoint (Stockroom)",
            delete,
        ),
        admin(
            "GET",
            "/admin/webhooks/:id/deliveries",
            "List a webhook endpoint's deliveries (Stockroom)",
            list_deliveries,
        ),
        admin(
            "POST",
            "/admin/webhooks/:id/deliveries/:delivery_id/replay",
            "Send a dead or delivered webhook delivery again (Stockroom)",
            replay,
        ),
    ]
}

fn with_secret(webhook: &Webhook) -> Result<Value> {
    let mut value = to_json(webhook)?;
    value["secret"] = json!(webhook.secret());
    Ok(value)
}

fn list(engine: &Engine, request: &Request) -> Result<Response> {
    let (offset, limit) = page(request, 20)?;
    let (found, count) = engine.store().read(|c| webhooks::list(c, offset, limit))?;
    let items = found.iter().map(to_json).collect::<Result<Vec<_>>>()?;
    Ok(Response::json(list_envelope(
        "webhooks", items, count, offset, limit,
    )))
}

fn create(engine: &Engine, request: &Request) -> Result<Response> {
    let schema = Schema::new()
        .required("url", Kind::String)
        .required("events", Kind::array_of(Kind::String))
        .optional("description", Kind::String.nullable())
        .optional("enabled", Kind::Boolean);
    let body = request.body_with(&schema)?;
    let new = NewWebhook {
        url: get_str(&body, "url").unwrap_or_default().to_string(),
        events: strings(&body, "events"),
        description: get_str(&body, "description").map(str::to_string),
        enabled: get_bool(&body, "enabled"),
    };
    let (ctx, allow) = (
        engine.ctx().clone(),
        engine.webhook_settings().allow_loopback,
    );
    let created = engine
        .store()
        .write(move |tx| webhooks::create(tx, &ctx, &new, allow))?;
    Ok(Response::json(json!({ "webhook": with_secret(&created)? })))
}

fn retrieve(engine: &Engine, request: &Request) -> Result<Response> {
    let found = engine
        .store()
        .read(|c| webhooks::retrieve(c, request.param("id")))?;
    Ok(Response::json(json!({ "webhook": to_json(&found)? })))
}

fn update(engine: &Engine, request: &Request) -> Result<Response> {
    let schema = Schema::new()
        .optional("url", Kind::String)
        .optional("events", Kind::array_of(Kind::String))
        .optional("description", Kind::String.nullable())
        .optional("enabled", Kind::Boolean)
        .optional("rotate_secret", Kind::Boolean);
    let body = request.body_with(&schema)?;
    let description = if is_null(&body, "description") {
        Some(None)
    } else {
        get_str(&body, "description").map(|d| Some(d.to_string()))
    };
    let changes = WebhookChanges {
        url: get_str(&body, "url").map(str::to_string),
        events: body.get("events").map(|_| strings(&body, "events")),
        description,
        enabled: get_bool(&body, "enabled"),
        rotate_secret: get_bool(&body, "rotate_secret").unwrap_or(false),
    };
    let rotated = changes.rotate_secret;
    let (ctx, id) = (engine.ctx().clone(), request.param("id").to_string());
    let allow = engine.webhook_settings().allow_loopback;
    let updated = engine
        .store()
        .write(move |tx| webhooks::update(tx, &ctx, &id, &changes, allow))?;
    // A re-enabled endpoint's waiting deliveries go out now.
    engine.webhook_bell().ring();
    let value = if rotated {
        with_secret(&updated)?
    } else {
        to_json(&updated)?
    };
    Ok(Response::json(json!({ "webhook": value })))
}

fn delete(engine: &Engine, request: &Request) -> Result<Response> {
    let (ctx, id) = (engine.ctx().clone(), request.param("id").to_string());
    let target = id.clone();
    engine
        .store()
        .write(move |tx| webhooks::delete(tx, &ctx, &target))?;
    Ok(deleted(&id, "webhook"))
}

fn list_deliveries(engine: &Engine, request: &Request) -> Result<Response> {
    let (offset, limit) = page(request, 20)?;
    let status = request.query_str("status").map(str::to_string);
    if let Some(s) = status
        .as_deref()
        .filter(|s| !["pending", "succeeded", "dead"].contains(s))
    {
        return Err(Error::invalid(format!(
            "status must be pending, succeeded or dead, not '{s}'"
        )));
    }
    let id = request.param("id");
    let (found, count) = engine.store().read(|c| {
        webhooks::retrieve(c, id)?;
        deliveries::list(c, id, status.as_deref(), offset, limit)
    })?;
    let items = found.iter().map(to_json).collect::<Result<Vec<_>>>()?;
    Ok(Response::json(list_envelope(
        "deliveries",
        items,
        count,
        offset,
        limit,
    )))
}

fn replay(engine: &Engine, request: &Request) -> Result<Response> {
    let ctx = engine.ctx().clone();
    let (id, delivery) = (
        request.param("id").to_string(),
        request.param("delivery_id").to_string(),
    );
    let replayed = engine
        .store()
        .write(move |tx| deliveries::replay(tx, &ctx, &id, &delivery))?;
    engine.webhook_bell().ring();
    Ok(Response::json(json!({ "delivery": to_json(&replayed)? })))
}

//! `/admin/refund-reasons` and `/admin/return-reasons` (CRUD), and `/store/return-reasons`
//! (list, retrieve): the short reference lists staff and customers pick from when money or
//! goods go back.

use super::{as_map, deleted, page, to_json};
use crate::engine::Engine;
use crate::error::Result;
use crate::http::fields::ids;
use crate::http::query::exact_list;
use crate::http::validate::{Kind, Schema, get_str};
use crate::http::{Access, Request, Response, Route, list_envelope};
use crate::modules::order::return_reason::{
    self, NewReturnReason, ReturnReason, ReturnReasonFilter,
};
use crate::modules::payment::refund_reason;
use rusqlite::Connection;
use serde_json::{Value, json};

/// The routes of both reason families.
pub fn routes() -> Vec<Route> {
    type Handler = fn(&Engine, &Request) -> Result<Response>;
    let admin = |method, path, summary, handler: Handler| {
        Route::new(method, path, Access::Admin, summary, handler)
    };
    vec![
        admin(
            "GET",
            "/admin/refund-reasons",
            "List refund reasons",
            list_refund,
        ),
        admin(
            "POST",
            "/admin/refund-reasons",
            "Create a refund reason",
            create_refund,
        ),
        admin(
            "GET",
            "/admin/refund-reasons/:id",
            "Retrieve a refund reason",
            retrieve_refund,
        ),
        admin(
            "POST",
            "/admin/refund-reasons/:id",
            "Update a refund reason",
            update_refund,
        ),
        admin(
            "DELETE",
            "/admin/refund-reasons/:id",
            "Delete a refund reason",
            delete_refund,
        ),
        admin(
            "GET",
            "/admin/return-reasons",
            "List return reasons",
            list_return,
        ),
        admin(
            "POST",
            "/admin/return-reasons",
            "Create a return reason",
            create_return,
        ),
        admin(
            "GET",
            "/admin/return-reasons/:id",
            "Retrieve a return reason",
            retrieve_return,
        ),
        admin(
            "POST",
            "/admin/return-reasons/:id",
            "Update a return reason",
            update_return,
        ),
        admin(
            "DELETE",
            "/admin/return-reasons/:id",
            "Delete a return reason",
            delete_return,
        ),
        Route::new(
            "GET",
            "/store/return-reasons",
            Access::Store,
            "List return reasons",
            list_return,
        ),
        Route::new(
            "GET",
            "/store/return-reasons/:id",
            Access::Store,
            "Retrieve a return reason",
            retrieve_return,
        ),
    ]
}

fn text(body: &Value, key: &str) -> Option<String> {
    get_str(body, key).map(str::to_string)
}

fn list_refund(engine: &Engine, request: &Request) -> Result<Response> {
    let (offset, limit) = page(request, 20)?;
    let (q, ids) = (
        request.query_str("q").map(str::to_string),
        ids(&request.query)?,
    );
    let (found, count) = engine
        .store()
        .read(|conn| refund_reason::list(conn, q.as_deref(), &ids, offset, limit))?;
    let items = found.iter().map(to_json).collect::<Result<Vec<_>>>()?;
    Ok(Response::json(list_envelope(
        "refund_reasons",
        items,
        count,
        offset,
        limit,
    )))
}

fn create_refund(engine: &Engine, request: &Request) -> Result<Response> {
    let schema = Schema::new()
        .required("label", Kind::String)
        .required("code", Kind::String)
        .optional("description", Kind::String.nullable());
    let body = request.body_with(&schema)?;
    let (label, code) = (text(&body, "label"), text(&body, "code"));
    let description = text(&body, "description");
    let ctx = engine.ctx().clone();
    let created = engine.store().write(move |tx| {
        refund_reason::create(
            tx,
            &ctx,
            label.as_deref().unwrap_or(""),
            code.as_deref().unwrap_or(""),
            description.as_deref(),
        )
    })?;
    Ok(Response::json(
        json!({ "refund_reason": to_json(&created)? }),
    ))
}

fn retrieve_refund(engine: &Engine, request: &Request) -> Result<Response> {
    let found = engine
        .store()
        .read(|conn| refund_reason::retrieve(conn, request.param("id")))?;
    Ok(Response::json(json!({ "refund_reason": to_json(&found)? })))
}

fn update_refund(engine: &Engine, request: &Request) -> Result<Response> {
    let schema = Schema::new()
        .optional("label", Kind::String)
        .optional("code", Kind::String)
        .optional("description", Kind::String.nullable());
    let changes = as_map(request.body_with(&schema)?);
    let (ctx, id) = (engine.ctx().clone(), request.param("id").to_string());
    let updated = engine
        .store()
        .write(move |tx| refund_reason::update(tx, &ctx, &id, &changes))?;
    Ok(Response::json(
        json!({ "refund_reason": to_json(&updated)? }),
    ))
}

fn delete_refund(engine: &Engine, request: &Request) -> Result<Response> {
    let (ctx, id) = (engine.ctx().clone(), request.param("id").to_string());
    let target = id.clone();
    engine
        .store()
        .write(move |tx| refund_reason::delete(tx, &ctx, &target))?;
    Ok(deleted(&id, "refund_reason"))
}

/// A return reason with its parent and children, as Medusa's retrieve answers it.
fn return_json(conn: &Connection, found: &ReturnReason) -> Result<Value> {
    let mut value = to_json(found)?;
    let parent = match &found.parent_return_reason_id {
        Some(parent) => Some(to_json(&return_reason::retrieve(conn, parent)?)?),
        None => None,
    };
    let filter = ReturnReasonFilter {
        parents: vec![found.id.clone()],
        ..ReturnReasonFilter::default()
    };
    let (children, _) = return_reason::list(conn, &filter, 0, u64::MAX)?;
    value["parent_return_reason"] = parent.unwrap_or(Value::Null);
    value["return_reason_children"] = children.iter().map(to_json).collect::<Result<_>>()?;
    Ok(value)
}

fn list_return(engine: &Engine, request: &Request) -> Result<Response> {
    let (offset, limit) = page(request, 20)?;
    let filter = ReturnReasonFilter {
        q: request.query_str("q").map(str::to_string),
        ids: ids(&request.query)?,
        values: exact_list(&request.query, "value")
            .map_err(|e| crate::error::Error::invalid(e.to_string()))?,
        parents: exact_list(&request.query, "parent_return_reason_id")
            .map_err(|e| crate::error::Error::invalid(e.to_string()))?,
    };
    let (found, count) = engine
        .store()
        .read(|conn| return_reason::list(conn, &filter, offset, limit))?;
    let items = found.iter().map(to_json).collect::<Result<Vec<_>>>()?;
    Ok(Response::json(list_envelope(
        "return_reasons",
        items,
        count,
        offset,
        limit,
    )))
}

fn create_return(engine: &Engine, request: &Request) -> Result<Response> {
    let schema = Schema::new()
        .required("value", Kind::String)
        .required("label", Kind::String)
        .optional("description", Kind::String.nullable())
        .optional("parent_return_reason_id", Kind::String.nullable())
        .optional("metadata", Kind::Object.nullable());
    let body = request.body_with(&schema)?;
    let new = NewReturnReason {
        value: text(&body, "value").unwrap_or_default(),
        label: text(&body, "label").unwrap_or_default(),
        description: text(&body, "description"),
        parent_return_reason_id: text(&body, "parent_return_reason_id"),
        metadata: body.get("metadata").filter(|m| m.is_object()).cloned(),
    };
    let ctx = engine.ctx().clone();
    let value = engine.store().write(move |tx| {
        let created = return_reason::create(tx, &ctx, &new)?;
        return_json(tx, &created)
    })?;
    Ok(Response::json(json!({ "return_reason": value })))
}

fn retrieve_return(engine: &Engine, request: &Request) -> Result<Response> {
    let value = engine.store().read(|conn| {
        let found = return_reason::retrieve(conn, request.param("id"))?;
        return_json(conn, &found)
    })?;
    Ok(Response::json(json!({ "return_reason": value })))
}

fn update_return(engine: &Engine, request: &Request) -> Result<Response> {
    // Medusa 2.21.2's update schema requires value and label (its dashboard sends both).
    let schema = Schema::new()
        .required("value", Kind::String)
        .required("label", Kind::String)
        .optional("description", Kind::String.nullable())
        .optional("metadata", Kind::Object.nullable());
    let changes = as_map(request.body_with(&schema)?);
    let (ctx, id) = (engine.ctx().clone(), request.param("id").to_string());
    let value = engine.store().write(move |tx| {
        let updated = return_reason::update(tx, &ctx, &id, &changes)?;
        return_json(tx, &updated)
    })?;
    Ok(Response::json(json!({ "return_reason": value })))
}

fn delete_return(engine: &Engine, request: &Request) -> Result<Response> {
    let (ctx, id) = (engine.ctx().clone(), request.param("id").to_string());
    let target = id.clone();
    engine
        .store()
        .write(move |tx| return_reason::delete(tx, &ctx, &target))?;
    Ok(deleted(&id, "return_reason"))
}

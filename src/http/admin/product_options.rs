//! `/admin/product-options` (Medusa 2.16+): options by their own id — list (`q`, `id`,
//! `title`, `is_exclusive`, pages), retrieve, update (title, values, ranks, metadata),
//! delete, and their values (list, retrieve, update, delete). Each option shows its values
//! and the product it belongs to (`products`); `fields=` selects among them. Creating an
//! option outside a product (a shared option) is not offered: every option here belongs to
//! one product (`POST /admin/products/:id/options` adds one). Unlike Medusa, an unknown
//! option is a 404 rather than an empty answer.

use super::{deleted, page, to_json};
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::flows::product_options::{self as flow, OptionChange};
use crate::http::catalog_json::object;
use crate::http::fields::{boolean, ids, selection, string, strings};
use crate::http::validate::{Kind, Schema, get_str};
use crate::http::{Access, Request, Response, Route, list_envelope};
use crate::modules::product::option_admin::{self, OptionDoc, OptionFilter, ValueFilter};
use crate::modules::product::{self, ProductFilter};
use rusqlite::Connection;
use serde_json::{Value, json};

const DEFAULTS: &[&str] = &[
    "id",
    "title",
    "is_exclusive",
    "values.*",
    "products.*",
    "created_at",
    "updated_at",
    "metadata",
];
const VALUE_DEFAULTS: &[&str] = &[
    "id",
    "value",
    "rank",
    "option_id",
    "created_at",
    "updated_at",
    "metadata",
];

/// The routes.
pub fn routes() -> Vec<Route> {
    type Handler = fn(&Engine, &Request) -> Result<Response>;
    let admin = |method, path, summary, handler: Handler| {
        Route::new(method, path, Access::Admin, summary, handler)
    };
    vec![
        admin(
            "GET",
            "/admin/product-options",
            "List product options",
            list,
        ),
        admin(
            "GET",
            "/admin/product-options/:id",
            "Retrieve a product option",
            retrieve,
        ),
        admin(
            "POST",
            "/admin/product-options/:id",
            "Update a product option",
            update,
        ),
        admin(
            "DELETE",
            "/admin/product-options/:id",
            "Delete a product option",
            delete,
        ),
        admin(
            "GET",
            "/admin/product-options/:id/values",
            "List a product option's values",
            list_values,
        ),
        admin(
            "GET",
            "/admin/product-options/:id/values/:value_id",
            "Retrieve a product option value",
            retrieve_value,
        ),
        admin(
            "POST",
            "/admin/product-options/:id/values/:value_id",
            "Update a product option value",
            update_value,
        ),
        admin(
            "DELETE",
            "/admin/product-options/:id/values/:value_id",
            "Delete a product option value",
            delete_value,
        ),
    ]
}

/// Keeps the top-level keys `fields` selects (relations whole).
fn select(doc: &mut Value, fields: Option<&str>, defaults: &[&str]) {
    let chosen = selection(fields, defaults, &[]);
    if let Value::Object(map) = doc {
        map.retain(|key, _| key == "id" || chosen.includes(key) || chosen.includes_relation(key));
    }
}

fn option_json(conn: &Connection, (option, values): &OptionDoc) -> Result<Value> {
    let mut doc = to_json(option)?;
    doc["values"] = values
        .iter()
        .map(to_json)
        .collect::<Result<Vec<_>>>()?
        .into();
    let owner = product::read::retrieve(conn, &option.product_id, &ProductFilter::default())
        .ok()
        .map(|p| Value::Object(object(&p)));
    doc["products"] = owner.into_iter().collect::<Vec<_>>().into();
    Ok(doc)
}

fn reply(engine: &Engine, request: &Request, id: &str) -> Result<Response> {
    let fields = string(&request.query, "fields")?;
    let mut doc = engine.store().read(|conn| {
        let found = option_admin::retrieve(conn, id)?;
        option_json(conn, &found)
    })?;
    select(&mut doc, fields.as_deref(), DEFAULTS);
    Ok(Response::json(json!({ "product_option": doc })))
}

fn list(engine: &Engine, request: &Request) -> Result<Response> {
    let (offset, limit) = page(request, 20)?;
    let filter = OptionFilter {
        ids: ids(&request.query)?,
        titles: strings(&request.query, "title")?,
        q: string(&request.query, "q")?,
        is_exclusive: boolean(&request.query, "is_exclusive")?,
    };
    let fields = string(&request.query, "fields")?;
    let (items, count) = engine.store().read(|conn| {
        let (found, count) = option_admin::list(conn, &filter, offset, limit)?;
        let items = found
            .iter()
            .map(|o| option_json(conn, o))
            .collect::<Result<Vec<_>>>()?;
        Ok((items, count))
    })?;
    let items = items
        .into_iter()
        .map(|mut doc| {
            select(&mut doc, fields.as_deref(), DEFAULTS);
            doc
        })
        .collect();
    Ok(Response::json(list_envelope(
        "product_options",
        items,
        count,
        offset,
        limit,
    )))
}

fn retrieve(engine: &Engine, request: &Request) -> Result<Response> {
    reply(engine, request, request.param("id"))
}

fn ranks(body: &Value) -> Result<Option<Vec<(String, i64)>>> {
    let Some(map) = body.get("ranks").and_then(Value::as_object) else {
        return Ok(None);
    };
    map.iter()
        .map(|(value, rank)| {
            let rank = rank.as_i64().ok_or_else(|| {
                Error::invalid(format!(
                    "Invalid request: Expected type: 'integer' for field 'ranks, {value}'"
                ))
            })?;
            Ok((value.clone(), rank))
        })
        .collect::<Result<Vec<_>>>()
        .map(Some)
}

fn update(engine: &Engine, request: &Request) -> Result<Response> {
    let schema = Schema::new()
        .optional("title", Kind::String)
        .optional("values", Kind::array_of(Kind::String))
        .optional("ranks", Kind::Object)
        .optional("is_exclusive", Kind::Boolean)
        .optional("metadata", Kind::Object.nullable());
    let body = request.body_with(&schema)?;
    let change = OptionChange {
        title: get_str(&body, "title").map(str::to_string),
        values: body.get("values").map(|_| super::strings(&body, "values")),
        ranks: ranks(&body)?,
        metadata: body
            .get("metadata")
            .map(|m| Some(m.clone()).filter(|m| !m.is_null())),
        is_exclusive: body.get("is_exclusive").and_then(Value::as_bool),
    };
    let (ctx, id) = (engine.ctx().clone(), request.param("id").to_string());
    engine
        .store()
        .write(move |tx| flow::update(tx, &ctx, &id, &change))?;
    reply(engine, request, request.param("id"))
}

fn delete(engine: &Engine, request: &Request) -> Result<Response> {
    let (ctx, id) = (engine.ctx().clone(), request.param("id").to_string());
    let target = id.clone();
    engine
        .store()
        .write(move |tx| flow::delete(tx, &ctx, &target))?;
    Ok(deleted(&id, "product_option"))
}

fn value_reply(engine: &Engine, request: &Request) -> Result<Response> {
    let (option, value) = (request.param("id"), request.param("value_id"));
    let found = engine
        .store()
        .read(|conn| option_admin::value(conn, option, value))?;
    let mut doc = to_json(&found)?;
    let fields = string(&request.query, "fields")?;
    select(&mut doc, fields.as_deref(), VALUE_DEFAULTS);
    Ok(Response::json(json!({ "product_option_value": doc })))
}

fn list_values(engine: &Engine, request: &Request) -> Result<Response> {
    let (offset, limit) = page(request, 20)?;
    let filter = ValueFilter {
        ids: ids(&request.query)?,
        values: strings(&request.query, "value")?,
        q: string(&request.query, "q")?,
    };
    let option = request.param("id");
    let (found, count) = engine
        .store()
        .read(|conn| option_admin::values(conn, option, &filter, offset, limit))?;
    let fields = string(&request.query, "fields")?;
    let items = found
        .iter()
        .map(|v| {
            let mut doc = to_json(v)?;
            select(&mut doc, fields.as_deref(), VALUE_DEFAULTS);
            Ok(doc)
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(Response::json(list_envelope(
        "product_option_values",
        items,
        count,
        offset,
        limit,
    )))
}

fn retrieve_value(engine: &Engine, request: &Request) -> Result<Response> {
    value_reply(engine, request)
}

fn update_value(engine: &Engine, request: &Request) -> Result<Response> {
    let schema = Schema::new()
        .optional("value", Kind::String)
        .optional("metadata", Kind::Object.nullable());
    let body = request.body_with(&schema)?;
    let text = get_str(&body, "value").map(str::to_string);
    let metadata = body.get("metadata").cloned();
    let ctx = engine.ctx().clone();
    let (option, value) = (
        request.param("id").to_string(),
        request.param("value_id").to_string(),
    );
    engine.store().write(move |tx| {
        let metadata = metadata.as_ref().map(|m| Some(m).filter(|m| !m.is_null()));
        flow::update_value(tx, &ctx, (&option, &value), text.as_deref(), metadata)
    })?;
    value_reply(engine, request)
}

fn delete_value(engine: &Engine, request: &Request) -> Result<Response> {
    let ctx = engine.ctx().clone();
    let (option, value) = (
        request.param("id").to_string(),
        request.param("value_id").to_string(),
    );
    let target = value.clone();
    engine
        .store()
        .write(move |tx| flow::delete_value(tx, &ctx, &option, &target))?;
    Ok(deleted(&value, "product_option_value"))
}

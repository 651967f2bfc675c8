//! `/admin/property-labels`: custom display names for entity properties (Medusa's settings
//! module) — list (`entity`, `property`, `q`, `order`, pages), create, retrieve, update,
//! delete, and a `batch` of creates, updates and deletes in one write. `fields=` selects
//! among the label's columns. Two deliberate differences from Medusa: deleting an unknown
//! label is a 404 (Medusa answers `deleted: true`), and `description: null` clears the
//! description (Medusa ignores it).

use super::{deleted, page, to_json};
use crate::engine::Engine;
use crate::error::Result;
use crate::http::fields::{ids, selection, string};
use crate::http::validate::{Kind, Schema, get_array, get_str};
use crate::http::{Access, Request, Response, Route, list_envelope};
use crate::modules::settings::labels::{self, LabelChange, LabelFilter, NewLabel, PropertyLabel};
use serde_json::{Value, json};

const DEFAULTS: &[&str] = &[
    "id",
    "entity",
    "property",
    "label",
    "description",
    "created_at",
    "updated_at",
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
            "/admin/property-labels",
            "List property labels",
            list,
        ),
        admin(
            "POST",
            "/admin/property-labels",
            "Create a property label",
            create,
        ),
        admin(
            "POST",
            "/admin/property-labels/batch",
            "Create, update and delete property labels",
            batch,
        ),
        admin(
            "GET",
            "/admin/property-labels/:id",
            "Retrieve a property label",
            retrieve,
        ),
        admin(
            "POST",
            "/admin/property-labels/:id",
            "Update a property label",
            update,
        ),
        admin(
            "DELETE",
            "/admin/property-labels/:id",
            "Delete a property label",
            delete,
        ),
    ]
}

/// A label with only the selected columns (and always its id).
fn shaped(request: &Request, label: &PropertyLabel) -> Result<Value> {
    let fields = string(&request.query, "fields")?;
    let chosen = selection(fields.as_deref(), DEFAULTS, &[]);
    let mut doc = to_json(label)?;
    if let Value::Object(map) = &mut doc {
        map.retain(|key, _| key == "id" || chosen.includes(key));
    }
    Ok(doc)
}

fn new_label_schema() -> Schema {
    Schema::new()
        .required("entity", Kind::String)
        .required("property", Kind::String)
        .required("label", Kind::String)
        .optional("description", Kind::String.nullable())
        .allow_unknown()
}

fn update_schema() -> Schema {
    Schema::new()
        .optional("label", Kind::String)
        .optional("description", Kind::String.nullable())
        .allow_unknown()
}

fn new_label(body: &Value) -> NewLabel {
    let text = |key: &str| get_str(body, key).unwrap_or_default().to_string();
    NewLabel {
        entity: text("entity"),
        property: text("property"),
        label: text("label"),
        description: get_str(body, "description").map(str::to_string),
    }
}

fn change(id: String, body: &Value) -> LabelChange {
    LabelChange {
        id,
        label: get_str(body, "label").map(str::to_string),
        description: body
            .get("description")
            .map(|d| d.as_str().map(str::to_string)),
    }
}

fn list(engine: &Engine, request: &Request) -> Result<Response> {
    let (offset, limit) = page(request, 50)?;
    let filter = LabelFilter {
        ids: ids(&request.query)?,
        entity: string(&request.query, "entity")?,
        property: string(&request.query, "property")?,
        q: string(&request.query, "q")?,
        order: string(&request.query, "order")?,
    };
    let (found, count) = engine
        .store()
        .read(|conn| labels::list(conn, &filter, offset, limit))?;
    let items = found
        .iter()
        .map(|l| shaped(request, l))
        .collect::<Result<Vec<_>>>()?;
    Ok(Response::json(list_envelope(
        "property_labels",
        items,
        count,
        offset,
        limit,
    )))
}

fn create(engine: &Engine, request: &Request) -> Result<Response> {
    let body = request.body_with(&new_label_schema())?;
    let input = [new_label(&body)];
    let ctx = engine.ctx().clone();
    let label = engine.store().write(move |tx| {
        let ids = labels::create(tx, &ctx, &input)?;
        labels::retrieve(tx, &ids[0])
    })?;
    Ok(Response::json(json!({ "property_label": shaped(request, &label)? })).with_status(201))
}

fn retrieve(engine: &Engine, request: &Request) -> Result<Response> {
    let label = engine
        .store()
        .read(|conn| labels::retrieve(conn, request.param("id")))?;
    Ok(Response::json(
        json!({ "property_label": shaped(request, &label)? }),
    ))
}

fn update(engine: &Engine, request: &Request) -> Result<Response> {
    let body = request.body_with(&update_schema())?;
    let changes = [change(request.param("id").to_string(), &body)];
    let ctx = engine.ctx().clone();
    let label = engine.store().write(move |tx| {
        labels::update(tx, &ctx, &changes)?;
        labels::retrieve(tx, &changes[0].id)
    })?;
    Ok(Response::json(
        json!({ "property_label": shaped(request, &label)? }),
    ))
}

fn delete(engine: &Engine, request: &Request) -> Result<Response> {
    let id = request.param("id").to_string();
    let target = [id.clone()];
    engine
        .store()
        .write(move |tx| labels::delete(tx, &target))?;
    Ok(deleted(&id, "property_label"))
}

/// `{create, update, delete}` in one write: all of it happens or none (an unknown id or a
/// duplicate key refuses the whole batch).
fn batch(engine: &Engine, request: &Request) -> Result<Response> {
    let schema = Schema::new()
        .optional_array("create", new_label_schema())
        .optional_array("update", update_schema().required("id", Kind::String))
        .optional("delete", Kind::array_of(Kind::String))
        .allow_unknown();
    let body = request.body_with(&schema)?;
    let items = |key: &str| get_array(&body, key).cloned().unwrap_or_default();
    let creates: Vec<NewLabel> = items("create").iter().map(new_label).collect();
    let updates: Vec<LabelChange> = items("update")
        .iter()
        .map(|u| change(get_str(u, "id").unwrap_or_default().to_string(), u))
        .collect();
    let doomed = super::strings(&body, "delete");
    let ctx = engine.ctx().clone();
    let gone = doomed.clone();
    let (created, updated) = engine.store().write(move |tx| {
        labels::delete(tx, &gone)?;
        let created = labels::create(tx, &ctx, &creates)?;
        let updated = labels::update(tx, &ctx, &updates)?;
        Ok((labels::by_ids(tx, &created)?, labels::by_ids(tx, &updated)?))
    })?;
    let docs = |found: &[PropertyLabel]| {
        found
            .iter()
            .map(|l| shaped(request, l))
            .collect::<Result<Vec<_>>>()
    };
    let deleted: Vec<Value> = doomed
        .iter()
        .map(|id| json!({"id": id, "object": "property_label", "deleted": true}))
        .collect();
    Ok(Response::json(json!({
        "created": docs(&created)?,
        "updated": docs(&updated)?,
        "deleted": deleted,
    })))
}

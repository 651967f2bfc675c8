//! `POST /admin/inventory-items/:id/location-levels/batch`: create, update and delete one
//! item's location levels together (Medusa's `batchInventoryItemLevelsWorkflow`), all or
//! nothing; `POST /admin/inventory-items/location-levels/batch` does the same across items
//! (each create and update names its `inventory_item_id`).

use super::to_json;
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::flows::stock_admin::{self, LevelChange};
use crate::http::validate::{Kind, Schema, get_i64};
use crate::http::{Access, Request, Response, Route};
use serde_json::{Value, json};

/// The route of this file.
pub fn routes() -> Vec<Route> {
    vec![
        Route::new(
            "POST",
            "/admin/inventory-items/:id/location-levels/batch",
            Access::Admin,
            "Create, update and delete an item's location levels",
            batch,
        ),
        Route::new(
            "POST",
            "/admin/inventory-items/location-levels/batch",
            Access::Admin,
            "Create, update and delete location levels of several items",
            batch_across,
        ),
    ]
}

fn level_shape() -> Schema {
    Schema::new()
        .optional("id", Kind::String)
        .required("location_id", Kind::String)
        .optional("stocked_quantity", Kind::Integer)
        .optional("incoming_quantity", Kind::Integer)
}

fn quantity(entry: &Value, key: &str) -> Result<Option<i64>> {
    match get_i64(entry, key) {
        Some(q) if q < 0 => Err(Error::invalid(format!(
            "Invalid request: Value for field '{key}' too small, expected at least: '0'"
        ))),
        other => Ok(other),
    }
}

fn changes(body: &Value, key: &str) -> Result<Vec<LevelChange>> {
    body.get(key)
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .map(|entry| {
            Ok(LevelChange {
                location_id: entry["location_id"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
                stocked: quantity(entry, "stocked_quantity")?,
                incoming: quantity(entry, "incoming_quantity")?,
            })
        })
        .collect()
}

fn batch(engine: &Engine, request: &Request) -> Result<Response> {
    let schema = Schema::new()
        .optional("create", Kind::array_of(Kind::shape(level_shape())))
        .optional("update", Kind::array_of(Kind::shape(level_shape())))
        .optional("delete", Kind::array_of(Kind::String))
        .optional("force", Kind::Boolean);
    let body = request.body_with(&schema)?;
    let (create, update) = (changes(&body, "create")?, changes(&body, "update")?);
    let delete = super::strings(&body, "delete");
    let force = body.get("force").and_then(Value::as_bool).unwrap_or(false);
    let (ctx, item) = (engine.ctx().clone(), request.param("id").to_string());
    let (created, updated, deleted) = engine.store().write(move |tx| {
        stock_admin::batch_levels(tx, &ctx, &item, (&create, &update, &delete), force)
    })?;
    Ok(Response::json(json!({
        "created": created.iter().map(to_json).collect::<Result<Vec<_>>>()?,
        "updated": updated.iter().map(to_json).collect::<Result<Vec<_>>>()?,
        "deleted": deleted,
    })))
}

fn item_level_shape() -> Schema {
    Schema::new()
        .required("inventory_item_id", Kind::String)
        .required("location_id", Kind::String)
        .optional("stocked_quantity", Kind::Integer)
        .optional("incoming_quantity", Kind::Integer)
}

fn item_changes(body: &Value, key: &str) -> Result<Vec<(String, LevelChange)>> {
    let changes = changes(body, key)?;
    let items = body
        .get(key)
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .map(|e| {
            e["inventory_item_id"]
                .as_str()
                .unwrap_or_default()
                .to_string()
        });
    Ok(items.zip(changes).collect())
}

fn batch_across(engine: &Engine, request: &Request) -> Result<Response> {
    let schema = Schema::new()
        .optional("create", Kind::array_of(Kind::shape(item_level_shape())))
        .optional("update", Kind::array_of(Kind::shape(item_level_shape())))
        .optional("delete", Kind::array_of(Kind::String))
        .optional("force", Kind::Boolean);
    let body = request.body_with(&schema)?;
    let (create, update) = (
        item_changes(&body, "create")?,
        item_changes(&body, "update")?,
    );
    let delete = super::strings(&body, "delete");
    let force = body.get("force").and_then(Value::as_bool).unwrap_or(false);
    let ctx = engine.ctx().clone();
    let (created, updated, deleted) = engine.store().write(move |tx| {
        stock_admin::batch_levels_across(tx, &ctx, &create, &update, &delete, force)
    })?;
    Ok(Response::json(json!({
        "created": created.iter().map(to_json).collect::<Result<Vec<_>>>()?,
        "updated": updated.iter().map(to_json).collect::<Result<Vec<_>>>()?,
        "deleted": deleted,
    })))
}

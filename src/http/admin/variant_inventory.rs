//! A variant's inventory items under `/admin/products/:id/variants`: link one
//! (`…/:variant_id/inventory-items`), change a link (`…/:inventory_item_id`), unlink one, and
//! all three in `…/variants/inventory-items/batch`. Answers carry the variant with its
//! `inventory_items` (`{variant_id, inventory_item_id, required_quantity, inventory}`).
//! See `flows::variant_inventory` for why `required_quantity` must be 1.

use super::product_reads::take_part;
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::flows::links;
use crate::flows::variant_inventory::{self as flow, LinkInput};
use crate::http::validate::{Kind, Schema, get_i64, get_str};
use crate::http::{Access, Request, Response, Route};
use crate::modules::inventory::manage;
use serde_json::{Value, json};

/// The routes.
pub fn routes() -> Vec<Route> {
    vec![
        Route::new(
            "POST",
            "/admin/products/:id/variants/:variant_id/inventory-items",
            Access::Admin,
            "Link an inventory item to a variant",
            create,
        ),
        Route::new(
            "POST",
            "/admin/products/:id/variants/:variant_id/inventory-items/:inventory_item_id",
            Access::Admin,
            "Change a variant's inventory item link",
            update,
        ),
        Route::new(
            "DELETE",
            "/admin/products/:id/variants/:variant_id/inventory-items/:inventory_item_id",
            Access::Admin,
            "Unlink an inventory item from a variant",
            delete,
        ),
        Route::new(
            "POST",
            "/admin/products/:id/variants/inventory-items/batch",
            Access::Admin,
            "Link, change and unlink variants' inventory items",
            batch,
        ),
    ]
}

/// The variant's document with its `inventory_items`.
fn variant_doc(engine: &Engine, product_id: &str, variant_id: &str) -> Result<Value> {
    let (_, variants) = take_part(engine, product_id, "variants")?;
    let mut variant = variants
        .into_iter()
        .find(|v| v["id"] == json!(variant_id))
        .ok_or_else(|| Error::not_found("Variant", variant_id))?;
    let items = engine.store().read(|conn| {
        links::variant_inventory_item()
            .rights_of(conn, variant_id)?
            .iter()
            .map(|item| {
                let inventory = serde_json::to_value(manage::retrieve(conn, item)?)?;
                Ok(json!({"variant_id": variant_id, "inventory_item_id": item,
                    "required_quantity": 1, "inventory": inventory}))
            })
            .collect::<Result<Vec<_>>>()
    })?;
    variant["inventory_items"] = Value::Array(items);
    Ok(variant)
}

fn quantity(body: &Value) -> i64 {
    get_i64(body, "required_quantity").unwrap_or(1)
}

fn create(engine: &Engine, request: &Request) -> Result<Response> {
    let schema = Schema::new()
        .required("inventory_item_id", Kind::String)
        .required("required_quantity", Kind::Integer);
    let body = request.body_with(&schema)?;
    let (product, variant) = (request.param("id"), request.param("variant_id"));
    let input: LinkInput = (
        variant.to_string(),
        get_str(&body, "inventory_item_id")
            .unwrap_or_default()
            .to_string(),
        quantity(&body),
    );
    let (ctx, owner) = (engine.ctx().clone(), product.to_string());
    engine
        .store()
        .write(move |tx| flow::link(tx, &ctx, &owner, &input))?;
    Ok(Response::json(
        json!({ "variant": variant_doc(engine, product, variant)? }),
    ))
}

fn update(engine: &Engine, request: &Request) -> Result<Response> {
    let body = request.body_with(&Schema::new().required("required_quantity", Kind::Integer))?;
    let (product, variant) = (request.param("id"), request.param("variant_id"));
    let input: LinkInput = (
        variant.to_string(),
        request.param("inventory_item_id").to_string(),
        quantity(&body),
    );
    let owner = product.to_string();
    engine
        .store()
        .write(move |tx| flow::update(tx, &owner, &input))?;
    Ok(Response::json(
        json!({ "variant": variant_doc(engine, product, variant)? }),
    ))
}

fn delete(engine: &Engine, request: &Request) -> Result<Response> {
    let (product, variant) = (request.param("id"), request.param("variant_id"));
    let item = request.param("inventory_item_id").to_string();
    let (ctx, owner, target, gone) = (
        engine.ctx().clone(),
        product.to_string(),
        variant.to_string(),
        item.clone(),
    );
    engine
        .store()
        .write(move |tx| flow::unlink(tx, &ctx, &owner, &target, &gone))?;
    Ok(Response::json(json!({
        "id": item,
        "object": "variant-inventory-item-link",
        "deleted": true,
        "parent": variant_doc(engine, product, variant)?,
    })))
}

fn link_shape(with_quantity: bool) -> Schema {
    let schema = Schema::new()
        .required("variant_id", Kind::String)
        .required("inventory_item_id", Kind::String);
    if with_quantity {
        schema.required("required_quantity", Kind::Integer)
    } else {
        schema
    }
}

fn inputs(body: &Value, key: &str) -> Vec<LinkInput> {
    body.get(key)
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .map(|l| {
            let text = |k: &str| get_str(l, k).unwrap_or_default().to_string();
            (text("variant_id"), text("inventory_item_id"), quantity(l))
        })
        .collect()
}

fn link_json(product: &str, (variant, item, quantity): &LinkInput) -> Value {
    json!({"product_id": product, "variant_id": variant, "inventory_item_id": item,
        "required_quantity": quantity})
}

fn batch(engine: &Engine, request: &Request) -> Result<Response> {
    let schema = Schema::new()
        .optional_array("create", link_shape(true))
        .optional_array("update", link_shape(true))
        .optional_array("delete", link_shape(false));
    let body = request.body_with(&schema)?;
    let (create, update) = (inputs(&body, "create"), inputs(&body, "update"));
    let delete: Vec<(String, String)> = inputs(&body, "delete")
        .into_iter()
        .map(|(variant, item, _)| (variant, item))
        .collect();
    let product = request.param("id").to_string();
    let (ctx, owner) = (engine.ctx().clone(), product.clone());
    let (c, u, d) = (create.clone(), update.clone(), delete.clone());
    engine
        .store()
        .write(move |tx| flow::batch(tx, &ctx, &owner, (&c, &u, &d)))?;
    let deleted: Vec<Value> = delete
        .iter()
        .map(|(variant, item)| {
            json!({"product_id": product, "variant_id": variant,
            "inventory_item_id": item})
        })
        .collect();
    Ok(Response::json(json!({
        "created": create.iter().map(|l| link_json(&product, l)).collect::<Vec<_>>(),
        "updated": update.iter().map(|l| link_json(&product, l)).collect::<Vec<_>>(),
        "deleted": deleted,
    })))
}

//! `POST /admin/products/:id/variants/batch`: add, change and delete a product's variants in
//! one write → `{created: [variant], updated: [variant], deleted: {ids, object: "variant",
//! deleted: true}}`, each variant as the product document shows it.

use super::products::{ADMIN_PRODUCT_DEFAULTS, retrieve_json, variant_schema};
use super::variants::{create_input, update_input, update_schema};
use crate::engine::Engine;
use crate::error::Result;
use crate::flows::create_product::{self, VariantBatch};
use crate::http::query::FieldSelection;
use crate::http::validate::{Kind, Schema, get_array, get_str};
use crate::http::{Access, Request, Response, Route};
use serde_json::{Value, json};

/// The route.
pub fn routes() -> Vec<Route> {
    vec![Route::new(
        "POST",
        "/admin/products/:id/variants/batch",
        Access::Admin,
        "Create, update and delete a product's variants",
        batch,
    )]
}

fn batch(engine: &Engine, request: &Request) -> Result<Response> {
    let schema = Schema::new()
        .optional_array("create", variant_schema())
        .optional_array("update", update_schema().required("id", Kind::String))
        .optional("delete", Kind::array_of(Kind::String));
    let body = request.body_with(&schema)?;
    let items = |key: &str| get_array(&body, key).cloned().unwrap_or_default();
    let input = VariantBatch {
        create: items("create")
            .iter()
            .map(create_input)
            .collect::<Result<_>>()?,
        update: items("update")
            .into_iter()
            .map(|item| {
                let id = get_str(&item, "id").unwrap_or_default().to_string();
                let mut changes = super::as_map(item);
                changes.remove("id");
                Ok((id, update_input(changes)?))
            })
            .collect::<Result<_>>()?,
        delete: super::strings(&body, "delete"),
    };
    let deleted = input.delete.clone();
    let (ctx, id) = (engine.ctx().clone(), request.param("id").to_string());
    let product = id.clone();
    let (created, updated) = engine
        .store()
        .write(move |tx| create_product::batch_variants(tx, &ctx, &product, &input))?;
    let selection = FieldSelection::from_defaults(ADMIN_PRODUCT_DEFAULTS);
    let doc: Value = serde_json::from_str(&retrieve_json(engine, &id, &selection)?)?;
    let variants = doc["product"]["variants"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let pick = |ids: &[String]| -> Vec<Value> {
        ids.iter()
            .filter_map(|v| variants.iter().find(|d| d["id"] == json!(v)).cloned())
            .collect()
    };
    Ok(Response::json(json!({
        "created": pick(&created),
        "updated": pick(&updated),
        "deleted": {"ids": deleted, "object": "variant", "deleted": true},
    })))
}

//! `POST /admin/products/batch`: create, update and delete products in one write job →
//! `{created: [product], updated: [product], deleted: {ids, object: "product", deleted}}`.

use super::products::{
    ADMIN_PRODUCT_DEFAULTS, product_input, product_update, retrieve_json, schema, update_schema,
};
use crate::engine::Engine;
use crate::error::Result;
use crate::flows::create_product::{self, ProductBatch};
use crate::http::query::FieldSelection;
use crate::http::validate::{Kind, Schema, get_array, get_str};
use crate::http::{Request, Response};
use serde_json::Value;

/// The products `ids` rendered with the admin defaults, as a JSON array.
fn rendered(engine: &Engine, ids: &[String]) -> Result<String> {
    let selection = FieldSelection::from_defaults(ADMIN_PRODUCT_DEFAULTS);
    let mut out = String::from("[");
    for (i, id) in ids.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        let doc = retrieve_json(engine, id, &selection)?;
        let product = doc
            .strip_prefix("{\"product\":")
            .and_then(|p| p.strip_suffix('}'))
            .unwrap_or("null");
        out.push_str(product);
    }
    out.push(']');
    Ok(out)
}

/// `POST /admin/products/batch`.
///
/// # Errors
/// 400 for an invalid body; 404 for an unknown product to update or delete; 422 for a
/// duplicate handle or SKU. Nothing is written unless the whole batch succeeds.
pub fn batch(engine: &Engine, req: &Request) -> Result<Response> {
    let body_schema = Schema::new()
        .optional_array("create", schema())
        .optional_array("update", update_schema().required("id", Kind::String))
        .optional("delete", Kind::array_of(Kind::String));
    let body = req.body_with(&body_schema)?;
    let items = |key: &str| get_array(&body, key).map(Vec::as_slice).unwrap_or_default();
    let input = ProductBatch {
        create: items("create")
            .iter()
            .map(product_input)
            .collect::<Result<_>>()?,
        update: items("update")
            .iter()
            .map(|item| {
                let (change, channels) = product_update(item);
                let id = get_str(item, "id").unwrap_or_default().to_string();
                (id, change, channels)
            })
            .collect(),
        delete: super::strings(&body, "delete"),
    };
    let hooked = engine.clone();
    let done = engine
        .store()
        .write(move |tx| create_product::batch(tx, &hooked, &input))?;
    let mut out = String::from("{\"created\":");
    out.push_str(&rendered(engine, &done.created)?);
    out.push_str(",\"updated\":");
    out.push_str(&rendered(engine, &done.updated)?);
    out.push_str(",\"deleted\":");
    let deleted = serde_json::json!({"ids": done.deleted, "object": "product", "deleted": true});
    out.push_str(&Value::to_string(&deleted));
    out.push('}');
    Ok(Response::raw_json(out))
}

//! `/admin/products/:id/variants`: add a variant (with its prices), update one (own fields,
//! options, prices), delete one.

use super::as_map;
use super::products::{
    ADMIN_PRODUCT_DEFAULTS, price_input, retrieve_json, variant_input, variant_schema,
};
use crate::engine::Engine;
use crate::error::Result;
use crate::flows::create_product;
use crate::flows::product_parts::{self, VariantUpdate};
use crate::http::query::FieldSelection;
use crate::http::validate::{Kind, Schema, get_array};
use crate::http::{Request, Response};
use crate::modules::pricing::NewPrice;
use crate::modules::product::NewVariant;
use serde_json::{Map, Value};

/// `POST /admin/products/:id/variants` → `{product}`.
///
/// # Errors
/// 400 for an invalid body or unknown option value; 404 for an unknown product; 422 for a
/// duplicate SKU.
pub fn create(engine: &Engine, req: &Request) -> Result<Response> {
    let body = req.body_with(&variant_schema())?;
    let (variant, prices) = create_input(&body)?;
    let id = req.param("id").to_string();
    let ctx = engine.ctx().clone();
    let product = id.clone();
    engine
        .store()
        .write(move |tx| create_product::add_variant(tx, &ctx, &product, &variant, &prices))?;
    let selection = FieldSelection::from_defaults(ADMIN_PRODUCT_DEFAULTS);
    Ok(Response::raw_json(retrieve_json(engine, &id, &selection)?))
}

/// `DELETE /admin/products/:id/variants/:variant_id` →
/// `{id, object: "variant", deleted: true, parent: product}`.
///
/// # Errors
/// 404 when the variant is not a live variant of the product.
pub fn delete(engine: &Engine, req: &Request) -> Result<Response> {
    let (id, variant) = (
        req.param("id").to_string(),
        req.param("variant_id").to_string(),
    );
    let ctx = engine.ctx().clone();
    let (product, target) = (id.clone(), variant.clone());
    engine
        .store()
        .write(move |tx| create_product::delete_variant(tx, &ctx, &product, &target))?;
    let selection = FieldSelection::from_defaults(ADMIN_PRODUCT_DEFAULTS);
    let parent = retrieve_json(engine, &id, &selection)?;
    Ok(Response::raw_json(with_parent(
        &variant, "variant", &parent,
    )))
}

/// Medusa's delete envelope with the parent: `{id, object, deleted: true, parent: product}`
/// from a rendered `{"product": …}`.
pub(super) fn with_parent(id: &str, object: &str, parent: &str) -> String {
    let product = parent
        .strip_prefix("{\"product\":")
        .and_then(|p| p.strip_suffix('}'))
        .unwrap_or("null");
    let mut out = String::from("{\"id\":");
    crate::http::json_out::string(&mut out, id);
    out.push_str(",\"object\":");
    crate::http::json_out::string(&mut out, object);
    out.push_str(",\"deleted\":true,\"parent\":");
    out.push_str(product);
    out.push('}');
    out
}

pub(super) fn update_schema() -> Schema {
    let price = Schema::new()
        .optional("id", Kind::String)
        .required("currency_code", Kind::String)
        .required("amount", Kind::Any)
        .optional("min_quantity", Kind::Integer.nullable())
        .optional("max_quantity", Kind::Integer.nullable())
        .optional("rules", Kind::Object);
    let text = || Kind::String.nullable();
    let number = || Kind::Number.nullable();
    Schema::new()
        .optional("title", Kind::String)
        .optional("sku", text())
        .optional("ean", text())
        .optional("upc", text())
        .optional("barcode", text())
        .optional("hs_code", text())
        .optional("mid_code", text())
        .optional("origin_country", text())
        .optional("material", text())
        .optional("thumbnail", text())
        .optional("allow_backorder", Kind::Boolean)
        .optional("manage_inventory", Kind::Boolean)
        .optional("variant_rank", Kind::Integer)
        .optional("weight", number())
        .optional("length", number())
        .optional("height", number())
        .optional("width", number())
        .optional("metadata", Kind::Object.nullable())
        .optional("options", Kind::Object)
        .optional_array("prices", price)
}

/// `POST /admin/products/:id/variants/:variant_id` → `{product}`. Sent `prices` replace the
/// variant's default prices; sent `options` (title → value) replace its option values.
///
/// # Errors
/// 400 for an invalid body, amount or unknown option value; 404 when the variant is not a
/// live variant of the product; 422 for a duplicate SKU.
pub fn update(engine: &Engine, req: &Request) -> Result<Response> {
    let input = update_input(as_map(req.body_with(&update_schema())?))?;
    let (id, variant) = (
        req.param("id").to_string(),
        req.param("variant_id").to_string(),
    );
    let ctx = engine.ctx().clone();
    let product = id.clone();
    engine
        .store()
        .write(move |tx| product_parts::update_variant(tx, &ctx, &product, &variant, &input))?;
    let selection = FieldSelection::from_defaults(ADMIN_PRODUCT_DEFAULTS);
    Ok(Response::raw_json(retrieve_json(engine, &id, &selection)?))
}

/// A validated create body as the variant and its prices.
///
/// # Errors
/// 400 for an invalid amount.
pub(super) fn create_input(body: &Value) -> Result<(NewVariant, Vec<NewPrice>)> {
    let prices = get_array(body, "prices")
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .map(price_input)
        .collect::<Result<Vec<_>>>()?;
    Ok((variant_input(body)?, prices))
}

/// A validated update body as a [`VariantUpdate`]: `prices` replace the default prices,
/// `options` (title → value) the option values, the rest are own columns.
///
/// # Errors
/// 400 for an invalid amount.
pub(super) fn update_input(mut changes: Map<String, Value>) -> Result<VariantUpdate> {
    let prices = changes
        .remove("prices")
        .map(|list| {
            list.as_array()
                .map(Vec::as_slice)
                .unwrap_or_default()
                .iter()
                .map(price_input)
                .collect::<Result<Vec<_>>>()
        })
        .transpose()?;
    let options = changes.remove("options").map(|o| {
        let mut pairs: Vec<(String, String)> = o
            .as_object()
            .map(|m| {
                m.iter()
                    .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
                    .collect()
            })
            .unwrap_or_default();
        pairs.sort();
        pairs
    });
    Ok(VariantUpdate {
        changes,
        options,
        prices,
    })
}

//! `/admin/products/:id/variants`: add a variant (with its prices), delete one.

use super::products::{
    ADMIN_PRODUCT_DEFAULTS, price_input, retrieve_json, variant_input, variant_schema,
};
use crate::engine::Engine;
use crate::error::Result;
use crate::flows::create_product;
use crate::http::query::FieldSelection;
use crate::http::validate::get_array;
use crate::http::{Request, Response};

/// `POST /admin/products/:id/variants` → `{product}`.
///
/// # Errors
/// 400 for an invalid body or unknown option value; 404 for an unknown product; 422 for a
/// duplicate SKU.
pub fn create(engine: &Engine, req: &Request) -> Result<Response> {
    let body = req.body_with(&variant_schema())?;
    let variant = variant_input(&body);
    let prices = get_array(&body, "prices")
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .map(price_input)
        .collect::<Result<Vec<_>>>()?;
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
    let product = parent
        .strip_prefix("{\"product\":")
        .and_then(|p| p.strip_suffix('}'))
        .unwrap_or("null");
    let mut out = String::from("{\"id\":");
    crate::http::json_out::string(&mut out, &variant);
    out.push_str(",\"object\":\"variant\",\"deleted\":true,\"parent\":");
    out.push_str(product);
    out.push('}');
    Ok(Response::raw_json(out))
}

//! `/admin/products/:id/options`: add an option, update one (title, values), delete one —
//! each answering with the product (delete: Medusa's parent envelope).

use super::products::{ADMIN_PRODUCT_DEFAULTS, retrieve_json};
use crate::engine::Engine;
use crate::error::Result;
use crate::flows::product_parts;
use crate::http::query::FieldSelection;
use crate::http::validate::{Kind, Schema, get_str};
use crate::http::{Request, Response};
use crate::modules::product::NewOption;

fn product_reply(engine: &Engine, id: &str) -> Result<Response> {
    let selection = FieldSelection::from_defaults(ADMIN_PRODUCT_DEFAULTS);
    Ok(Response::raw_json(retrieve_json(engine, id, &selection)?))
}

/// `POST /admin/products/:id/options` with `{title, values}` → `{product}`.
///
/// # Errors
/// 400 for an invalid body or a duplicate title; 404 for an unknown product.
pub fn create(engine: &Engine, req: &Request) -> Result<Response> {
    let schema = Schema::new()
        .required("title", Kind::String)
        .required("values", Kind::array_of(Kind::String));
    let body = req.body_with(&schema)?;
    let option = NewOption {
        title: get_str(&body, "title").unwrap_or_default().to_string(),
        values: super::strings(&body, "values"),
    };
    let (ctx, id) = (engine.ctx().clone(), req.param("id").to_string());
    let product = id.clone();
    engine
        .store()
        .write(move |tx| product_parts::add_option(tx, &ctx, &product, &option))?;
    product_reply(engine, &id)
}

/// `POST /admin/products/:id/options/:option_id` with `{title?, values?}` → `{product}`.
///
/// # Errors
/// 400 for an invalid body or a duplicate title; 404 for an unknown product or option.
pub fn update(engine: &Engine, req: &Request) -> Result<Response> {
    let schema = Schema::new()
        .optional("title", Kind::String)
        .optional("values", Kind::array_of(Kind::String));
    let body = req.body_with(&schema)?;
    let title = get_str(&body, "title").map(str::to_string);
    let values = body.get("values").map(|_| super::strings(&body, "values"));
    let (ctx, id) = (engine.ctx().clone(), req.param("id").to_string());
    let option = req.param("option_id").to_string();
    let product = id.clone();
    engine.store().write(move |tx| {
        product_parts::update_option(
            tx,
            &ctx,
            &product,
            &option,
            title.as_deref(),
            values.as_deref(),
        )
    })?;
    product_reply(engine, &id)
}

/// `DELETE /admin/products/:id/options/:option_id` →
/// `{id, object: "product_option", deleted: true, parent: product}`.
///
/// # Errors
/// 404 for an unknown product or option.
pub fn delete(engine: &Engine, req: &Request) -> Result<Response> {
    let (ctx, id) = (engine.ctx().clone(), req.param("id").to_string());
    let option = req.param("option_id").to_string();
    let (product, target) = (id.clone(), option.clone());
    engine
        .store()
        .write(move |tx| product_parts::delete_option(tx, &ctx, &product, &target))?;
    let selection = FieldSelection::from_defaults(ADMIN_PRODUCT_DEFAULTS);
    let parent = retrieve_json(engine, &id, &selection)?;
    Ok(Response::raw_json(super::variants::with_parent(
        &option,
        "product_option",
        &parent,
    )))
}

//! `/admin/tax-rates/:id/rules`: add one rule to a rate, remove one (Medusa's
//! `createTaxRateRulesWorkflow` / `deleteTaxRateRulesWorkflow`); both answer with the rate.

use super::regions::rate_json;
use crate::engine::Engine;
use crate::error::Result;
use crate::http::validate::{Kind, Schema, get_str};
use crate::http::{Access, Request, Response, Route};
use crate::modules::tax::rates;
use serde_json::json;

/// The routes.
pub fn routes() -> Vec<Route> {
    vec![
        Route::new(
            "POST",
            "/admin/tax-rates/:id/rules",
            Access::Admin,
            "Add a rule to a tax rate",
            create,
        ),
        Route::new(
            "DELETE",
            "/admin/tax-rates/:id/rules/:rule_id",
            Access::Admin,
            "Remove a rule from a tax rate",
            delete,
        ),
    ]
}

/// `POST /admin/tax-rates/:id/rules` with `{reference, reference_id}` → `{tax_rate}`.
fn create(engine: &Engine, req: &Request) -> Result<Response> {
    let schema = Schema::new()
        .required("reference", Kind::String)
        .required("reference_id", Kind::String);
    let body = req.body_with(&schema)?;
    let text = |key: &str| get_str(&body, key).unwrap_or_default().to_string();
    let (reference, reference_id) = (text("reference"), text("reference_id"));
    let (ctx, id) = (engine.ctx().clone(), req.param("id").to_string());
    let rate = engine.store().write(move |tx| {
        rates::add_rule(tx, &ctx, &id, &reference, &reference_id)?;
        rates::retrieve(tx, &id)
    })?;
    Ok(Response::json(json!({ "tax_rate": rate_json(&rate) })))
}

/// `DELETE /admin/tax-rates/:id/rules/:rule_id` →
/// `{id, object: "tax_rate_rule", deleted: true, parent: tax_rate}`.
fn delete(engine: &Engine, req: &Request) -> Result<Response> {
    let (ctx, id) = (engine.ctx().clone(), req.param("id").to_string());
    let rule = req.param("rule_id").to_string();
    let target = rule.clone();
    let rate = engine.store().write(move |tx| {
        rates::delete_rule(tx, &ctx, &id, &target)?;
        rates::retrieve(tx, &id)
    })?;
    Ok(Response::json(json!({
        "id": rule,
        "object": "tax_rate_rule",
        "deleted": true,
        "parent": rate_json(&rate),
    })))
}

//! Tax regions in `/app/settings`: create one (country, optional province, a registered
//! provider, its default rate) from the settings page, and on a region's own page
//! (`/app/settings/tax-regions/:id`, rendered by `settings_tax_page.rs`) change its provider,
//! add, edit and delete its rates, add and remove a rate's rules (a product or a product
//! type it applies to), and delete the region. Each form runs the tax module's service calls
//! the Admin API's `/admin/tax-regions` and `/admin/tax-rates` routes run, in one write job;
//! a refusal renders the page again with its message and what was typed.

use super::settings_fields::{self as fields, answer};
use super::settings_tax_page::render;
use super::{Ui, ui_route};
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::http::{Request, Response, Route};
use crate::modules::tax::{self, NewRate, rates, regions};
use crate::money::Rate;
use serde_json::{Map, json};

/// The kinds of record a tax rate rule may point at (what the system provider matches).
pub const RULE_REFERENCES: &[(&str, &str)] =
    &[("product", "Product"), ("product_type", "Product type")];

/// The routes.
pub fn routes() -> Vec<Route> {
    let region = "/app/settings/tax-regions/:id";
    let rate = "/app/settings/tax-rates/:id";
    vec![
        ui_route(
            "POST",
            "/app/settings/tax-regions",
            "Create a tax region",
            create_region,
        ),
        ui_route("GET", region, "Admin UI tax region", show),
        ui_route(
            "POST",
            region,
            "Change a tax region's provider",
            update_region,
        ),
        ui_route(
            "POST",
            "/app/settings/tax-regions/:id/delete",
            "Delete a tax region",
            delete_region,
        ),
        ui_route(
            "POST",
            "/app/settings/tax-regions/:id/rates",
            "Add a tax rate",
            create_rate,
        ),
        ui_route("POST", rate, "Edit a tax rate", update_rate),
        ui_route(
            "POST",
            "/app/settings/tax-rates/:id/delete",
            "Delete a tax rate",
            delete_rate,
        ),
        ui_route(
            "POST",
            "/app/settings/tax-rates/:id/rules",
            "Add a rule to a tax rate",
            add_rule,
        ),
        ui_route(
            "POST",
            "/app/settings/tax-rates/:id/rules/:rule_id/delete",
            "Remove a rule from a tax rate",
            delete_rule,
        ),
    ]
}

fn show(engine: &Engine, request: &Request, ui: &Ui) -> Result<Response> {
    render(engine, ui, request.param("id"), 200)
}

fn region_path(id: &str) -> String {
    format!("/app/settings/tax-regions/{}", super::respond::encode(id))
}

/// A registered tax provider chosen in field `name` (none when blank).
fn provider_of(engine: &Engine, ui: &Ui) -> Result<Option<String>> {
    match ui.form.optional("provider_id") {
        None => Ok(None),
        Some(id) if engine.providers().tax(id).is_some() => Ok(Some(id.to_string())),
        Some(id) => Err(Error::invalid(format!(
            "Tax provider {id} is not registered"
        ))),
    }
}

/// A rate as typed in form fields `<prefix>name`, `<prefix>code`, `<prefix>rate`, …
fn rate_of(ui: &Ui, prefix: &str, label: &str) -> Result<NewRate> {
    let f = &ui.form;
    let field = |name: &str| format!("{prefix}{name}");
    let name = f.required(&field("name"), &format!("{label} name"))?;
    let code = f.required(&field("code"), &format!("{label} code"))?;
    let text = f.required(&field("rate"), &format!("{label} (%)"))?;
    let rate = Rate::parse_percent(text)
        .map_err(|e| Error::invalid(format!("{label} (%) is not a percentage: {e}")))?;
    Ok(NewRate {
        rate: Some(rate),
        code: code.to_string(),
        name: name.to_string(),
        is_default: f.get(&field("is_default")) == Some("true"),
        is_combinable: f.get(&field("is_combinable")) == Some("true"),
        ..NewRate::default()
    })
}

/// `POST /app/settings/tax-regions`: as `POST /admin/tax-regions` (a province region is
/// created under its country's region; the provider is set on a country region).
fn create_region(engine: &Engine, _: &Request, ui: &Ui) -> Result<Response> {
    let outcome = (|| {
        let country = fields::country(ui, "country_code", "Tax region country code")?;
        let province = ui.form.optional("province_code").map(str::to_lowercase);
        let provider = provider_of(engine, ui)?;
        let default = match ui.form.optional("default_name") {
            Some(_) => Some(rate_of(ui, "default_", "Default rate")?),
            None => None,
        };
        let ctx = engine.ctx().clone();
        engine.store().write(move |tx| {
            let made =
                tax::create_region(tx, &ctx, &country, province.as_deref(), default.as_ref())?;
            if let Some(provider) = provider.filter(|_| made.parent_id.is_none()) {
                tax::set_region_provider(tx, &ctx, &made.id, &provider)?;
            }
            Ok(made.id)
        })
    })();
    match outcome {
        Ok(id) => Ok(super::respond::redirect(&format!(
            "{}?done=created",
            region_path(&id)
        ))),
        Err(err) if err.status() < 500 => {
            super::settings::render(engine, &ui.with_error(err.to_string()), None, err.status())
        }
        Err(err) => Err(err),
    }
}

/// `POST /app/settings/tax-regions/:id`: the provider, as `POST /admin/tax-regions/:id`.
fn update_region(engine: &Engine, request: &Request, ui: &Ui) -> Result<Response> {
    let id = request.param("id").to_string();
    let outcome = (|| {
        let provider =
            provider_of(engine, ui)?.ok_or_else(|| Error::invalid("Tax provider is required"))?;
        let mut changes = Map::new();
        changes.insert("provider_id".into(), json!(provider));
        let (ctx, target) = (engine.ctx().clone(), id.clone());
        engine
            .store()
            .write(move |tx| regions::update(tx, &ctx, &target, &changes))
    })();
    let to = format!("{}?done=saved", region_path(&id));
    answer(outcome, &to, |ui, s| render(engine, ui, &id, s), ui)
}

/// `POST /app/settings/tax-regions/:id/delete`: the region, its provinces, rates and rules.
fn delete_region(engine: &Engine, request: &Request, ui: &Ui) -> Result<Response> {
    let id = request.param("id").to_string();
    let (ctx, target) = (engine.ctx().clone(), id.clone());
    let outcome = engine
        .store()
        .write(move |tx| regions::delete(tx, &ctx, &target));
    answer(
        outcome,
        "/app/settings?done=deleted",
        |ui, s| render(engine, ui, &id, s),
        ui,
    )
}

/// `POST /app/settings/tax-regions/:id/rates`: as `POST /admin/tax-rates`.
fn create_rate(engine: &Engine, request: &Request, ui: &Ui) -> Result<Response> {
    let id = request.param("id").to_string();
    let outcome = rate_of(ui, "", "New rate").and_then(|input| {
        let (ctx, region) = (engine.ctx().clone(), id.clone());
        engine
            .store()
            .write(move |tx| tax::create_rate(tx, &ctx, &region, &input))
    });
    let to = format!("{}?done=created", region_path(&id));
    answer(outcome, &to, |ui, s| render(engine, ui, &id, s), ui)
}

/// The region of rate `id` (404 for an unknown rate).
fn region_of_rate(engine: &Engine, id: &str) -> Result<String> {
    Ok(engine
        .store()
        .read(|conn| rates::retrieve(conn, id))?
        .tax_region_id)
}

/// `POST /app/settings/tax-rates/:id`: name, code, rate, default and combinable, as
/// `POST /admin/tax-rates/:id`.
fn update_rate(engine: &Engine, request: &Request, ui: &Ui) -> Result<Response> {
    let id = request.param("id").to_string();
    let region = region_of_rate(engine, &id)?;
    let outcome = rate_of(ui, "", "Rate").and_then(|typed| {
        let change = rates::RateUpdate {
            rate: Some(typed.rate),
            code: Some(typed.code),
            name: Some(typed.name),
            is_default: Some(typed.is_default),
            is_combinable: Some(typed.is_combinable),
            rules: None,
            metadata: None,
        };
        let (ctx, target) = (engine.ctx().clone(), id.clone());
        engine
            .store()
            .write(move |tx| rates::update(tx, &ctx, &target, &change))
    });
    let to = format!("{}?done=saved", region_path(&region));
    answer(outcome, &to, |ui, s| render(engine, ui, &region, s), ui)
}

/// `POST /app/settings/tax-rates/:id/delete`: as `DELETE /admin/tax-rates/:id`.
fn delete_rate(engine: &Engine, request: &Request, ui: &Ui) -> Result<Response> {
    let id = request.param("id").to_string();
    let region = region_of_rate(engine, &id)?;
    let (ctx, target) = (engine.ctx().clone(), id.clone());
    let outcome = engine
        .store()
        .write(move |tx| rates::delete(tx, &ctx, &target));
    let to = format!("{}?done=deleted", region_path(&region));
    answer(outcome, &to, |ui, s| render(engine, ui, &region, s), ui)
}

/// `POST /app/settings/tax-rates/:id/rules`: as `POST /admin/tax-rates/:id/rules`.
fn add_rule(engine: &Engine, request: &Request, ui: &Ui) -> Result<Response> {
    let id = request.param("id").to_string();
    let region = region_of_rate(engine, &id)?;
    let outcome = (|| {
        let reference = ui.form.required("reference", "Rule applies to")?;
        if !RULE_REFERENCES.iter().any(|(r, _)| *r == reference) {
            return Err(Error::invalid(format!(
                "Unknown rule reference '{reference}'"
            )));
        }
        let reference = reference.to_string();
        let target = ui
            .form
            .required("reference_id", "Rule target id")?
            .to_string();
        let (ctx, rate) = (engine.ctx().clone(), id.clone());
        engine
            .store()
            .write(move |tx| rates::add_rule(tx, &ctx, &rate, &reference, &target))
    })();
    let to = format!("{}?done=created", region_path(&region));
    answer(outcome, &to, |ui, s| render(engine, ui, &region, s), ui)
}

/// `POST /app/settings/tax-rates/:id/rules/:rule_id/delete`.
fn delete_rule(engine: &Engine, request: &Request, ui: &Ui) -> Result<Response> {
    let id = request.param("id").to_string();
    let region = region_of_rate(engine, &id)?;
    let (ctx, rate, rule) = (
        engine.ctx().clone(),
        id.clone(),
        request.param("rule_id").to_string(),
    );
    let outcome = engine
        .store()
        .write(move |tx| rates::delete_rule(tx, &ctx, &rate, &rule));
    let to = format!("{}?done=deleted", region_path(&region));
    answer(outcome, &to, |ui, s| render(engine, ui, &region, s), ui)
}

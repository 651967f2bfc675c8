//! A stock location's shipping options in `/app/settings/locations/:id`: create one (name,
//! service zone, provider enabled at the location, shipping profile, a flat amount per store
//! currency), edit its name and amounts, delete it — through
//! `flows::fulfillment_setup::{create_option, update_option, delete_option}`, as
//! `/admin/shipping-options` does. A new option gets the type Medusa's dashboard gives one
//! (`Standard`, `standard`, "Ship in 2-3 days."); amounts are typed in major units.

use super::settings_fields::answer;
use super::settings_location_page::render;
use super::settings_locations::location_path;
use super::{Ui, ui_route};
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::flows::fulfillment_setup::{self, OptionInput, OptionUpdate, PriceSpec};
use crate::flows::links;
use crate::http::{Request, Response, Route};
use crate::modules::fulfillment::option_admin::OptionChanges;
use crate::modules::fulfillment::{self, ShippingOption, TypeChoice};
use crate::modules::store;
use crate::money;
use serde_json::{Value, json};

/// The routes.
pub fn routes() -> Vec<Route> {
    vec![
        ui_route(
            "POST",
            "/app/settings/locations/:id/shipping-options",
            "Create a shipping option",
            create,
        ),
        ui_route(
            "POST",
            "/app/settings/shipping-options/:id",
            "Edit a shipping option",
            update,
        ),
        ui_route(
            "POST",
            "/app/settings/shipping-options/:id/delete",
            "Delete a shipping option",
            delete,
        ),
    ]
}

/// The store's currencies, default first: one amount field each.
///
/// # Errors
/// Database failures.
pub fn currencies(engine: &Engine) -> Result<Vec<String>> {
    engine.store().read(|conn| {
        let mut codes: Vec<(bool, String)> = store::list(conn, &[])?
            .into_iter()
            .flat_map(|s| s.supported_currencies)
            .map(|c| (!c.is_default, c.currency_code))
            .collect();
        codes.sort();
        codes.dedup_by(|a, b| a.1 == b.1);
        Ok(codes.into_iter().map(|(_, c)| c).collect())
    })
}

/// `(currency, major-unit text)` of each amount field filled in (`amount_<currency>`),
/// checked here so the message names the field.
fn amounts(engine: &Engine, ui: &Ui, label: &str) -> Result<Vec<(String, String)>> {
    let mut typed = Vec::new();
    for currency in currencies(engine)? {
        let Some(text) = ui.form.optional(&format!("amount_{currency}")) else {
            continue;
        };
        money::parse_major_non_negative(&json!(text), &currency).map_err(|_| {
            Error::invalid(format!(
                "{label} price ({}) must be an amount such as 4.99",
                currency.to_uppercase()
            ))
        })?;
        typed.push((currency, text.to_string()));
    }
    if typed.is_empty() {
        return Err(Error::invalid(format!("{label} needs a price")));
    }
    Ok(typed)
}

/// The location a shipping option ships from (through its fulfillment set).
fn location_of(engine: &Engine, option: &ShippingOption) -> Result<String> {
    engine
        .store()
        .read(|conn| links::location_fulfillment_set().lefts_of(conn, &option.fulfillment_set_id))?
        .into_iter()
        .next()
        .ok_or_else(|| Error::not_found("StockLocation", &option.fulfillment_set_id))
}

fn back(
    engine: &Engine,
    ui: &Ui,
    location: &str,
    outcome: Result<()>,
    done: &str,
) -> Result<Response> {
    let to = format!("{}?done={done}", location_path(location));
    answer(outcome, &to, |ui, s| render(engine, ui, location, s), ui)
}

fn create(engine: &Engine, request: &Request, ui: &Ui) -> Result<Response> {
    let location = request.param("id");
    let outcome = (|| {
        let f = &ui.form;
        let text = |name: &str, label: &str| f.required(name, label).map(str::to_string);
        let input = OptionInput {
            name: text("name", "New option name")?,
            service_zone_id: text("service_zone_id", "Service zone")?,
            shipping_profile_id: text("shipping_profile_id", "Shipping profile")?,
            provider_id: text("provider_id", "Fulfillment provider")?,
            price_type: "flat".into(),
            data: None,
            kind: TypeChoice::New(
                "Standard".into(),
                "standard".into(),
                "Ship in 2-3 days.".into(),
            ),
            prices: amounts(engine, ui, "New option")?
                .into_iter()
                .map(|(currency, amount)| PriceSpec {
                    currency_code: Some(currency),
                    amount: Some(json!(amount)),
                    ..PriceSpec::default()
                })
                .collect(),
            rules: Vec::new(),
        };
        if let Some(provider) = engine.providers().fulfillment(&input.provider_id) {
            provider.validate_option(&Value::Object(serde_json::Map::new()))?;
        }
        let (ctx, location) = (engine.ctx().clone(), location.to_string());
        engine.store().write(move |tx| {
            let zone = fulfillment::zones::retrieve_zone(tx, &input.service_zone_id)?;
            let sets = links::location_fulfillment_set().rights_of(tx, &location)?;
            if !sets.contains(&zone.fulfillment_set_id) {
                return Err(Error::invalid(
                    "The service zone is not one of this location's",
                ));
            }
            fulfillment_setup::create_option(tx, &ctx, &input).map(|_| ())
        })
    })();
    back(engine, ui, location, outcome, "created")
}

/// The replacement prices: each currency typed (its stored price kept by id), region prices
/// kept as they are; a currency left blank loses its price.
fn price_specs(current: &ShippingOption, typed: Vec<(String, String)>) -> Vec<PriceSpec> {
    let mut specs: Vec<PriceSpec> = current
        .prices
        .iter()
        .filter(|p| p.region_id.is_some())
        .map(|p| PriceSpec {
            id: Some(p.id.clone()),
            ..PriceSpec::default()
        })
        .collect();
    for (currency, amount) in typed {
        let stored = current
            .prices
            .iter()
            .find(|p| p.region_id.is_none() && p.currency_code == currency);
        specs.push(PriceSpec {
            id: stored.map(|p| p.id.clone()),
            currency_code: Some(currency),
            amount: Some(json!(amount)),
            region_id: None,
        });
    }
    specs
}

fn update(engine: &Engine, request: &Request, ui: &Ui) -> Result<Response> {
    let id = request.param("id").to_string();
    let current = engine
        .store()
        .read(|conn| fulfillment::retrieve_option(conn, &id))?;
    let location = location_of(engine, &current)?;
    let outcome = (|| {
        let name = ui.form.required("name", "Option name")?.to_string();
        let update = OptionUpdate {
            changes: OptionChanges {
                name: Some(name),
                ..OptionChanges::default()
            },
            kind: None,
            prices: Some(price_specs(&current, amounts(engine, ui, "Option")?)),
            rules: None,
        };
        let ctx = engine.ctx().clone();
        engine
            .store()
            .write(move |tx| fulfillment_setup::update_option(tx, &ctx, &id, &update).map(|_| ()))
    })();
    back(engine, ui, &location, outcome, "saved")
}

fn delete(engine: &Engine, request: &Request, ui: &Ui) -> Result<Response> {
    let id = request.param("id").to_string();
    let current = engine
        .store()
        .read(|conn| fulfillment::retrieve_option(conn, &id))?;
    let location = location_of(engine, &current)?;
    let ctx = engine.ctx().clone();
    let outcome = engine
        .store()
        .write(move |tx| fulfillment_setup::delete_option(tx, &ctx, &id));
    back(engine, ui, &location, outcome, "deleted")
}

//! Stock locations in `/app/settings`: create one with its address (from the settings page),
//! and on a location's page (`/app/settings/locations/:id`, rendered by
//! `settings_location_page.rs`) rename it and change its address, delete it, link and unlink
//! its sales channels, enable a fulfillment provider, add a fulfillment set and a service
//! zone in it. Each form runs what the Admin API route runs (`stock_location` create and
//! `manage::update`, `flows::stock_admin`, `flows::fulfillment_setup_locations`) in one
//! write job; a refusal renders the page again with its message and what was typed. Its
//! shipping options are `settings_shipping.rs`.

use super::settings_fields::{self as fields, answer};
use super::settings_location_page::render;
use super::{Ui, respond, ui_route};
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::flows::fulfillment_setup_locations as setup;
use crate::flows::stock_admin;
use crate::http::{Request, Response, Route};
use crate::modules::fulfillment::GeoZone;
use crate::modules::stock_location::{self, LocationAddress, manage};
use serde_json::{Map, Value, json};

/// The routes.
pub fn routes() -> Vec<Route> {
    let one = "/app/settings/locations/:id";
    vec![
        ui_route(
            "POST",
            "/app/settings/locations",
            "Create a stock location",
            create,
        ),
        ui_route("GET", one, "Admin UI stock location", show),
        ui_route(
            "POST",
            one,
            "Rename a stock location or change its address",
            update,
        ),
        ui_route(
            "POST",
            "/app/settings/locations/:id/delete",
            "Delete a stock location",
            delete,
        ),
        ui_route(
            "POST",
            "/app/settings/locations/:id/sales-channels",
            "Link or unlink a sales channel of a stock location",
            channels,
        ),
        ui_route(
            "POST",
            "/app/settings/locations/:id/providers",
            "Enable a fulfillment provider at a stock location",
            enable_provider,
        ),
        ui_route(
            "POST",
            "/app/settings/locations/:id/fulfillment-sets",
            "Create a fulfillment set at a stock location",
            create_set,
        ),
        ui_route(
            "POST",
            "/app/settings/locations/:id/zones",
            "Create a service zone",
            create_zone,
        ),
    ]
}

/// The page of location `id`.
pub fn location_path(id: &str) -> String {
    format!("/app/settings/locations/{}", respond::encode(id))
}

fn show(engine: &Engine, request: &Request, ui: &Ui) -> Result<Response> {
    render(engine, ui, request.param("id"), 200)
}

/// The address typed into the location form (street and country required).
fn address_of(ui: &Ui) -> Result<Map<String, Value>> {
    let street = ui.form.required("address_1", "Street address")?;
    let country = fields::country(ui, "country_code", "Country code")?;
    let mut address = Map::new();
    address.insert("address_1".into(), json!(street));
    address.insert("country_code".into(), json!(country));
    for key in ["city", "postal_code"] {
        let value = ui.form.optional(key);
        address.insert(key.into(), json!(value));
    }
    Ok(address)
}

/// `POST /app/settings/locations`: as `POST /admin/stock-locations` with an address.
fn create(engine: &Engine, _: &Request, ui: &Ui) -> Result<Response> {
    let outcome = (|| {
        let name = ui.form.required("name", "New location name")?.to_string();
        let address = address_of(ui)?;
        let text = |key: &str| address.get(key).and_then(Value::as_str).map(str::to_string);
        let base = LocationAddress {
            address_1: text("address_1").unwrap_or_default(),
            country_code: text("country_code").unwrap_or_default(),
            city: text("city"),
            postal_code: text("postal_code"),
            ..LocationAddress::default()
        };
        let ctx = engine.ctx().clone();
        engine
            .store()
            .write(move |tx| Ok(stock_location::create(tx, &ctx, &name, Some(&base))?.id))
    })();
    match outcome {
        Ok(id) => Ok(respond::redirect(&format!(
            "{}?done=created",
            location_path(&id)
        ))),
        Err(err) if err.status() < 500 => {
            super::settings::render(engine, &ui.with_error(err.to_string()), None, err.status())
        }
        Err(err) => Err(err),
    }
}

/// The answer of a form of location `id`'s page.
fn back(engine: &Engine, ui: &Ui, id: &str, outcome: Result<()>, done: &str) -> Result<Response> {
    let to = format!("{}?done={done}", location_path(id));
    answer(outcome, &to, |ui, s| render(engine, ui, id, s), ui)
}

/// `POST /app/settings/locations/:id`: as `POST /admin/stock-locations/:id`.
fn update(engine: &Engine, request: &Request, ui: &Ui) -> Result<Response> {
    let id = request.param("id");
    let outcome = (|| {
        let name = ui.form.required("name", "Location name")?;
        let address = address_of(ui)?;
        let mut changes = Map::new();
        changes.insert("name".into(), json!(name));
        let (ctx, target) = (engine.ctx().clone(), id.to_string());
        engine
            .store()
            .write(move |tx| manage::update(tx, &ctx, &target, &changes, Some(&address)))
    })();
    back(engine, ui, id, outcome, "saved")
}

/// `POST /app/settings/locations/:id/delete`: as `DELETE /admin/stock-locations/:id`.
fn delete(engine: &Engine, request: &Request, ui: &Ui) -> Result<Response> {
    let id = request.param("id").to_string();
    let (ctx, target) = (engine.ctx().clone(), id.clone());
    let outcome = engine
        .store()
        .write(move |tx| stock_admin::delete_location(tx, &ctx, &target));
    answer(
        outcome,
        "/app/settings?done=deleted",
        |ui, s| render(engine, ui, &id, s),
        ui,
    )
}

/// Links (`add`) or unlinks (`remove`) one sales channel, as
/// `POST /admin/stock-locations/:id/sales-channels`.
fn channels(engine: &Engine, request: &Request, ui: &Ui) -> Result<Response> {
    let id = request.param("id");
    let one = |name: &str| -> Vec<String> {
        ui.form
            .optional(name)
            .into_iter()
            .map(str::to_string)
            .collect()
    };
    let (add, remove) = (one("add"), one("remove"));
    let outcome = if add.is_empty() && remove.is_empty() {
        Err(Error::invalid("Choose a sales channel"))
    } else {
        let (ctx, target) = (engine.ctx().clone(), id.to_string());
        engine
            .store()
            .write(move |tx| stock_admin::location_channels(tx, &ctx, &target, &add, &remove))
    };
    back(engine, ui, id, outcome, "saved")
}

/// Enables one registered fulfillment provider, as
/// `POST /admin/stock-locations/:id/fulfillment-providers`.
fn enable_provider(engine: &Engine, request: &Request, ui: &Ui) -> Result<Response> {
    let id = request.param("id");
    let outcome = ui
        .form
        .required("provider_id", "Fulfillment provider to enable")
        .and_then(|p| {
            let add = vec![p.to_string()];
            let known = engine.providers().fulfillment_ids();
            let (ctx, target) = (engine.ctx().clone(), id.to_string());
            engine
                .store()
                .write(move |tx| setup::location_providers(tx, &ctx, &target, (&add, &[]), &known))
        });
    back(engine, ui, id, outcome, "saved")
}

/// `POST /app/settings/locations/:id/fulfillment-sets`: as
/// `POST /admin/stock-locations/:id/fulfillment-sets`.
fn create_set(engine: &Engine, request: &Request, ui: &Ui) -> Result<Response> {
    let id = request.param("id");
    let outcome = (|| {
        let name = ui
            .form
            .required("name", "New fulfillment set name")?
            .to_string();
        let kind = match ui.form.get("type") {
            Some(kind @ ("shipping" | "pickup")) => kind.to_string(),
            _ => {
                return Err(Error::invalid(
                    "Fulfillment set type must be shipping or pickup",
                ));
            }
        };
        let (ctx, target) = (engine.ctx().clone(), id.to_string());
        engine
            .store()
            .write(move |tx| setup::create_location_set(tx, &ctx, &target, &name, &kind))
            .map(|_| ())
    })();
    back(engine, ui, id, outcome, "created")
}

/// `de, FR` → country geo zones.
fn geo_zones(text: &str) -> Result<Vec<GeoZone>> {
    text.split(',')
        .map(|c| c.trim().to_lowercase())
        .filter(|c| !c.is_empty())
        .map(|c| {
            if c.len() == 2 && c.chars().all(|ch| ch.is_ascii_lowercase()) {
                Ok(GeoZone {
                    country_code: c,
                    province_code: None,
                })
            } else {
                Err(Error::invalid(format!(
                    "Zone countries: '{c}' is not a two-letter ISO code"
                )))
            }
        })
        .collect()
}

/// `POST /app/settings/locations/:id/zones` with the set: as
/// `POST /admin/fulfillment-sets/:id/service-zones` (the set must be the location's).
fn create_zone(engine: &Engine, request: &Request, ui: &Ui) -> Result<Response> {
    let id = request.param("id");
    let outcome = (|| {
        let set = ui
            .form
            .required("fulfillment_set_id", "Fulfillment set")?
            .to_string();
        let name = ui.form.required("name", "Zone name")?.to_string();
        let geo = geo_zones(ui.form.get("countries").unwrap_or(""))?;
        let (ctx, location) = (engine.ctx().clone(), id.to_string());
        engine.store().write(move |tx| {
            if !setup::sets_of_location(tx, &location)?
                .iter()
                .any(|s| s.id == set)
            {
                return Err(Error::not_found("FulfillmentSet", &set));
            }
            setup::create_zone(tx, &ctx, &set, &name, &geo).map(|_| ())
        })
    })();
    back(engine, ui, id, outcome, "created")
}

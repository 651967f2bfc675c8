//! `/admin/shipping-options`: list (filters `id`, `q`, `service_zone_id`,
//! `shipping_profile_id`, `provider_id`, `shipping_option_type_id`, `stock_location_id`,
//! `is_return`, `admin_only`), create, retrieve, update (prices and rules replaced), delete,
//! and `/:id/rules/batch`. Bodies follow Medusa's `AdminCreateShippingOption` /
//! `AdminUpdateShippingOption` (strict; `type` inline or `type_id`).

use super::deleted;
use super::shipping_json::{
    OPTION_DEFAULTS, option_doc, price_of, rule_json, rule_of, rule_schema, rules_of, select,
    type_of, type_schema,
};
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::flows::fulfillment_setup::{self, OptionInput, OptionUpdate};
use crate::flows::fulfillment_setup_locations::sets_of_location;
use crate::http::fields::{boolean, ids, page, string, strings};
use crate::http::validate::{Kind, Schema, get_array, get_str};
use crate::http::{Access, Request, Response, Route, list_envelope};
use crate::modules::fulfillment;
use crate::modules::fulfillment::option_admin::{self, OptionChanges, OptionFilter};
use crate::workflow::parse_input;
use serde::Deserialize;
use serde_json::{Value, json};

/// The routes of this family.
pub fn routes() -> Vec<Route> {
    let a = Access::Admin;
    let (all, one) = ("/admin/shipping-options", "/admin/shipping-options/:id");
    vec![
        Route::new("GET", all, a, "List shipping options", list),
        Route::new("POST", all, a, "Create a shipping option", create),
        // `GET /admin/shipping-options/:id` is `shipping_option_read.rs` (Medusa's exact
        // default fields and 404 wording).
        Route::new("POST", one, a, "Update a shipping option", update),
        Route::new("DELETE", one, a, "Delete a shipping option", delete),
        Route::new(
            "POST",
            "/admin/shipping-options/:id/rules/batch",
            a,
            "Create, update and delete a shipping option's rules",
            batch_rules,
        ),
    ]
}

fn reply(engine: &Engine, request: &Request, id: &str) -> Result<Response> {
    let doc = engine.store().read(|conn| {
        let option = fulfillment::retrieve_option(conn, id)?;
        option_doc(conn, &option)
    })?;
    let fields = request.query_str("fields");
    Ok(Response::json(
        json!({ "shipping_option": select(doc, fields, OPTION_DEFAULTS) }),
    ))
}

fn filter_of(request: &Request) -> Result<(OptionFilter, Option<String>)> {
    let q = &request.query;
    let filter = OptionFilter {
        q: string(q, "q")?,
        ids: ids(q)?,
        service_zone_ids: strings(q, "service_zone_id")?,
        shipping_profile_ids: strings(q, "shipping_profile_id")?,
        provider_ids: strings(q, "provider_id")?,
        type_ids: strings(q, "shipping_option_type_id")?,
        set_ids: None,
        is_return: boolean(q, "is_return")?,
        admin_only: boolean(q, "admin_only")?,
    };
    Ok((filter, string(q, "stock_location_id")?))
}

fn list(engine: &Engine, request: &Request) -> Result<Response> {
    let (limit, offset, order, fields) = page(&request.query, 20)?;
    let (mut filter, location) = filter_of(request)?;
    let docs = engine.store().read(|conn| {
        if let Some(location) = &location {
            let sets = sets_of_location(conn, location)?;
            filter.set_ids = Some(sets.into_iter().map(|s| s.id).collect());
        }
        let (options, count) =
            option_admin::list(conn, &filter, order.as_deref(), (offset, limit))?;
        let docs = options
            .iter()
            .map(|o| {
                Ok(select(
                    option_doc(conn, o)?,
                    fields.as_deref(),
                    OPTION_DEFAULTS,
                ))
            })
            .collect::<Result<Vec<_>>>()?;
        Ok((docs, count))
    })?;
    Ok(Response::json(list_envelope(
        "shipping_options",
        docs.0,
        docs.1,
        offset,
        limit,
    )))
}

fn create_schema() -> Schema {
    Schema::new()
        .required("name", Kind::String)
        .required("service_zone_id", Kind::String)
        .required("shipping_profile_id", Kind::String)
        .optional("data", Kind::Object.nullable())
        .required("price_type", Kind::String)
        .required("provider_id", Kind::String)
        .optional("type", Kind::shape(type_schema()))
        .optional("type_id", Kind::String)
        .required("prices", Kind::array_of(Kind::Object))
        .optional(
            "rules",
            Kind::array_of(Kind::shape(rule_schema(false))).nullable(),
        )
}

/// Medusa's `ShippingOptionPriceType` enum.
fn check_price_type(body: &Value) -> Result<()> {
    match get_str(body, "price_type") {
        None | Some("flat" | "calculated") => Ok(()),
        Some(other) => Err(Error::invalid(format!(
            "Invalid request: Expected: 'calculated, flat' for field 'price_type', but got: '{other}'"
        ))),
    }
}

/// The option's provider checks its data (Medusa's `validateFulfillmentOption`) and, for a
/// `calculated` option, that it can price it (`canCalculate`). An unregistered provider is
/// left to the zone check, which refuses it as not enabled at the location.
fn check_with_provider(
    engine: &Engine,
    provider_id: &str,
    price_type: &str,
    data: &Value,
) -> Result<()> {
    let Some(provider) = engine.providers().fulfillment(provider_id) else {
        return Ok(());
    };
    provider.validate_option(data)?;
    if price_type == "calculated" && !provider.can_calculate(data) {
        return Err(Error::invalid(format!(
            "Cannot calculate pricing for shipping options of provider {provider_id}"
        )));
    }
    Ok(())
}

fn prices_of(body: &Value, update: bool) -> Result<Option<Vec<fulfillment_setup::PriceSpec>>> {
    get_array(body, "prices")
        .map(|items| {
            items
                .iter()
                .enumerate()
                .map(|(i, p)| price_of(p, i, update))
                .collect()
        })
        .transpose()
}

/// The ids and names of `POST /admin/shipping-options`'s body, once [`create_schema`] has
/// passed (prices, rules and type are read by their own parsers).
#[derive(Deserialize)]
struct OptionBody {
    name: String,
    service_zone_id: String,
    shipping_profile_id: String,
    provider_id: String,
    price_type: String,
}

/// A rule to update names its id.
#[derive(Deserialize)]
struct RuleId {
    id: String,
}

fn create(engine: &Engine, request: &Request) -> Result<Response> {
    let body = request.body_with(&create_schema())?;
    check_price_type(&body)?;
    let kind = type_of(&body)
        .ok_or_else(|| Error::invalid("Invalid request: Field 'type' is required"))?;
    let rules = get_array(&body, "rules").map(|r| rules_of(r)).transpose()?;
    let named: OptionBody = parse_input(&body)?;
    let input = OptionInput {
        name: named.name,
        service_zone_id: named.service_zone_id,
        shipping_profile_id: named.shipping_profile_id,
        provider_id: named.provider_id,
        price_type: named.price_type,
        data: body.get("data").filter(|d| d.is_object()).cloned(),
        kind,
        prices: prices_of(&body, false)?.unwrap_or_default(),
        rules: rules
            .unwrap_or_default()
            .into_iter()
            .map(|(_, r)| r)
            .collect(),
    };
    let empty = Value::Object(serde_json::Map::new());
    let data = input.data.as_ref().unwrap_or(&empty);
    check_with_provider(engine, &input.provider_id, &input.price_type, data)?;
    let ctx = engine.ctx().clone();
    let made = engine
        .store()
        .write(move |tx| fulfillment_setup::create_option(tx, &ctx, &input))?;
    reply(engine, request, &made.id)
}

fn update_schema() -> Schema {
    let rule = rule_schema(false).optional("id", Kind::String);
    Schema::new()
        .optional("name", Kind::String.nullable())
        .optional("data", Kind::Object.nullable())
        .optional("price_type", Kind::String.nullable())
        .optional("provider_id", Kind::String.nullable())
        .optional("shipping_profile_id", Kind::String.nullable())
        .optional("type", Kind::shape(type_schema()).nullable())
        .optional("type_id", Kind::String.nullable())
        .optional("prices", Kind::array_of(Kind::Object).nullable())
        .optional("rules", Kind::array_of(Kind::shape(rule)).nullable())
}

fn update(engine: &Engine, request: &Request) -> Result<Response> {
    let body = request.body_with(&update_schema())?;
    check_price_type(&body)?;
    let text = |k: &str| get_str(&body, k).map(str::to_string);
    let data = match body.get("data") {
        None => None,
        Some(Value::Null) => Some(None),
        Some(d) => Some(Some(d.clone())),
    };
    let changes = OptionChanges {
        name: text("name"),
        price_type: text("price_type"),
        provider_id: text("provider_id"),
        shipping_profile_id: text("shipping_profile_id"),
        data,
        type_id: None,
    };
    let update = OptionUpdate {
        changes,
        kind: type_of(&body),
        prices: prices_of(&body, true)?,
        rules: get_array(&body, "rules").map(|r| rules_of(r)).transpose()?,
    };
    let id = request.param("id").to_string();
    let changes = &update.changes;
    if changes.provider_id.is_some() || changes.price_type.is_some() || changes.data.is_some() {
        let current = engine
            .store()
            .read(|c| crate::modules::fulfillment::retrieve_option(c, &id))?;
        let data = match &changes.data {
            Some(sent) => sent
                .clone()
                .unwrap_or_else(|| Value::Object(serde_json::Map::new())),
            None => current
                .data
                .clone()
                .unwrap_or_else(|| Value::Object(serde_json::Map::new())),
        };
        let provider = changes
            .provider_id
            .as_deref()
            .unwrap_or(&current.provider_id);
        let price_type = changes.price_type.as_deref().unwrap_or(&current.price_type);
        check_with_provider(engine, provider, price_type, &data)?;
    }
    let (ctx, target) = (engine.ctx().clone(), id.clone());
    engine
        .store()
        .write(move |tx| fulfillment_setup::update_option(tx, &ctx, &target, &update))?;
    reply(engine, request, &id)
}

fn delete(engine: &Engine, request: &Request) -> Result<Response> {
    let id = request.param("id").to_string();
    let (ctx, target) = (engine.ctx().clone(), id.clone());
    engine
        .store()
        .write(move |tx| fulfillment_setup::delete_option(tx, &ctx, &target))?;
    Ok(deleted(&id, "shipping_option"))
}

fn batch_rules(engine: &Engine, request: &Request) -> Result<Response> {
    let body = request.body_with(
        &Schema::new()
            .optional("create", Kind::array_of(Kind::shape(rule_schema(false))))
            .optional("update", Kind::array_of(Kind::shape(rule_schema(true))))
            .optional("delete", Kind::array_of(Kind::String)),
    )?;
    let items = |k: &str| get_array(&body, k).cloned().unwrap_or_default();
    let create = items("create")
        .iter()
        .enumerate()
        .map(|(i, r)| rule_of(r, &format!("create, {i}")))
        .collect::<Result<Vec<_>>>()?;
    let update = items("update")
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let id = parse_input::<RuleId>(r)?.id;
            Ok((id, rule_of(r, &format!("update, {i}"))?))
        })
        .collect::<Result<Vec<_>>>()?;
    let delete: Vec<String> = items("delete")
        .iter()
        .filter_map(|v| v.as_str().map(str::to_string))
        .collect();
    let id = request.param("id").to_string();
    let (ctx, target) = (engine.ctx().clone(), id.clone());
    let batch = engine.store().write(move |tx| {
        fulfillment_setup::batch_rules(tx, &ctx, &target, &create, &update, &delete)
    })?;
    let rules = |list: &[fulfillment::OptionRule]| -> Vec<Value> {
        list.iter().map(|r| rule_json(r, &id)).collect()
    };
    Ok(Response::json(json!({
        "created": rules(&batch.created),
        "updated": rules(&batch.updated),
        "deleted": {"ids": batch.deleted, "object": "shipping_option_rule", "deleted": true},
    })))
}

//! `/admin/regions` (list, retrieve, create, update, delete) and `/admin/tax-regions`,
//! `/admin/tax-rates` (create, retrieve, update, delete).

use super::{as_map, deleted};
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::flows::create_region::{self, RegionInput, RegionUpdate};
use crate::http::Paged;
use crate::http::catalog_json::object;
use crate::http::fields::{ids, page, string, strings};
use crate::http::validate::{Kind, Schema};
use crate::http::{Request, Response, list_envelope};
use crate::modules::region::{self, NewRegion, RegionFilter};
use crate::modules::tax::rates::{self, RateUpdate};
use crate::modules::tax::{self, NewRate, TaxRate};
use crate::money::Rate;
use crate::workflow::{keep_null, parse_input};
use serde::Deserialize;
use serde_json::{Value, json};

/// Removes the string array at `key` from a validated body.
fn take_strings(body: &mut serde_json::Map<String, Value>, key: &str) -> Option<Vec<String>> {
    let items = body.remove(key)?;
    Some(
        items
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default(),
    )
}

/// `GET /admin/regions`.
///
/// # Errors
/// 400 for bad parameters.
pub fn list(engine: &Engine, req: &Request) -> Result<Response> {
    let (limit, offset, _, _) = page(&req.query, 50)?;
    let filter = RegionFilter {
        ids: ids(&req.query)?,
        currency_codes: strings(&req.query, "currency_code")?,
        names: strings(&req.query, "name")?,
        q: string(&req.query, "q")?,
    };
    let (regions, count) = engine
        .store()
        .read(|conn| region::list(conn, &filter, limit, offset))?;
    let items = regions.iter().map(|r| Value::Object(object(r))).collect();
    Ok(Response::json(list_envelope(
        "regions", items, count, offset, limit,
    )))
}

/// `GET /admin/regions/:id`.
///
/// # Errors
/// 404 "Region with id: X was not found".
pub fn retrieve(engine: &Engine, req: &Request) -> Result<Response> {
    let id = req.param("id").to_string();
    let region = engine.store().read(|conn| region::retrieve(conn, &id))?;
    Ok(Response::json(json!({ "region": object(&region) })))
}

/// `POST /admin/regions`'s body, once its schema (Medusa's wording) has passed.
#[derive(Deserialize)]
struct RegionBody {
    name: String,
    currency_code: String,
    #[serde(default)]
    countries: Vec<String>,
    automatic_taxes: Option<bool>,
    is_tax_inclusive: Option<bool>,
    #[serde(default)]
    payment_providers: Vec<String>,
    metadata: Option<Value>,
}

/// `POST /admin/regions`.
///
/// # Errors
/// 400 for an invalid body, unknown currency or country, a country already in a region.
pub fn create(engine: &Engine, req: &Request) -> Result<Response> {
    let schema = Schema::new()
        .required("name", Kind::String)
        .required("currency_code", Kind::String)
        .optional("countries", Kind::array_of(Kind::String))
        .optional("automatic_taxes", Kind::Boolean)
        .optional("is_tax_inclusive", Kind::Boolean)
        .optional("payment_providers", Kind::array_of(Kind::String))
        .optional("metadata", Kind::Object.nullable());
    let body: RegionBody = parse_input(&req.body_with(&schema)?)?;
    ensure_payment_providers(engine, &body.payment_providers)?;
    let input = RegionInput {
        region: NewRegion {
            name: body.name,
            currency_code: body.currency_code,
            countries: body.countries,
            automatic_taxes: body.automatic_taxes.unwrap_or(true),
            metadata: body.metadata.filter(Value::is_object),
        },
        payment_providers: body.payment_providers,
        is_tax_inclusive: body.is_tax_inclusive.unwrap_or(false),
    };
    let ctx = engine.ctx().clone();
    let region = engine
        .store()
        .write(move |tx| create_region::create(tx, &ctx, &input))?;
    Ok(Response::json(json!({ "region": object(&region) })))
}

/// Refuses payment providers the engine does not register, as Medusa's region workflows do
/// (a region offering one would fail every checkout that picks it).
///
/// # Errors
/// 404 "Payment providers with ids X, Y not found or not enabled" (Medusa's message).
fn ensure_payment_providers(engine: &Engine, ids: &[String]) -> Result<()> {
    let missing: Vec<&str> = ids
        .iter()
        .filter(|id| engine.providers().payment(id).is_none())
        .map(String::as_str)
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    Err(Error::NotFound(format!(
        "Payment providers with ids {} not found or not enabled",
        missing.join(", ")
    )))
}

/// Refuses a tax provider the engine does not register: a tax region naming one could not
/// tax any cart.
///
/// # Errors
/// 400 "Tax provider X is not registered".
pub(super) fn ensure_tax_provider(engine: &Engine, id: &str) -> Result<()> {
    if engine.providers().tax(id).is_none() {
        return Err(Error::invalid(format!(
            "Tax provider {id} is not registered"
        )));
    }
    Ok(())
}

/// `DELETE /admin/regions/:id`.
///
/// # Errors
/// 404 when absent.
pub fn delete(engine: &Engine, req: &Request) -> Result<Response> {
    let id = req.param("id").to_string();
    let ctx = engine.ctx().clone();
    let target = id.clone();
    engine
        .store()
        .write(move |tx| create_region::delete(tx, &ctx, &target))?;
    Ok(deleted(&id, "region"))
}

pub(super) fn rate_json(rate: &TaxRate) -> Value {
    let rules: Vec<Value> = rate
        .rules
        .iter()
        .zip(rate.rule_ids.iter().map(Some).chain(std::iter::repeat(None)))
        .map(|((reference, id), rule_id)| {
            json!({"id": rule_id, "tax_rate_id": rate.id, "reference": reference, "reference_id": id})
        })
        .collect();
    json!({
        "id": rate.id,
        "tax_region_id": rate.tax_region_id,
        "rate": rate.rate.map(Rate::to_json),
        "code": rate.code,
        "name": rate.name,
        "is_default": rate.is_default,
        "is_combinable": rate.is_combinable,
        "rules": rules,
        "metadata": rate.metadata,
        "created_at": rate.created_at,
        "updated_at": rate.updated_at,
    })
}

/// A tax rate's body (checked by [`rate_schema`] first).
#[derive(Deserialize)]
struct RateBody {
    rate: Option<Value>,
    code: String,
    name: String,
    is_default: Option<bool>,
    is_combinable: Option<bool>,
    #[serde(default)]
    rules: Vec<RuleBody>,
    metadata: Option<Value>,
}

/// A rule of a tax rate: the rate applies to this product, type, …
#[derive(Deserialize)]
struct RuleBody {
    reference: String,
    reference_id: String,
}

/// `POST /admin/tax-rates`'s body: a rate and its region.
#[derive(Deserialize)]
struct TaxRateBody {
    tax_region_id: String,
    #[serde(flatten)]
    rate: RateBody,
}

/// `POST /admin/tax-regions`'s body.
#[derive(Deserialize)]
struct TaxRegionBody {
    country_code: String,
    province_code: Option<String>,
    provider_id: Option<String>,
    default_tax_rate: Option<RateBody>,
}

/// `POST /admin/tax-rates/:id`'s body: an absent field stays, a `null` one is cleared.
#[derive(Deserialize)]
struct RateChangeBody {
    #[serde(default, deserialize_with = "keep_null")]
    rate: Option<Option<Value>>,
    code: Option<String>,
    name: Option<String>,
    is_default: Option<bool>,
    is_combinable: Option<bool>,
    #[serde(default, deserialize_with = "keep_null")]
    rules: Option<Option<Vec<RuleBody>>>,
    #[serde(default, deserialize_with = "keep_null")]
    metadata: Option<Option<Value>>,
}

/// A rate given as a percentage (`null`: none).
fn percent(rate: Option<Value>) -> Result<Option<Rate>> {
    match rate {
        None | Some(Value::Null) => Ok(None),
        Some(v) => Ok(Some(
            Rate::parse_percent(&v).map_err(|e| Error::invalid(e.to_string()))?,
        )),
    }
}

fn rule_pairs(rules: Vec<RuleBody>) -> Vec<(String, String)> {
    rules
        .into_iter()
        .map(|r| (r.reference, r.reference_id))
        .collect()
}

fn parse_rate(body: RateBody) -> Result<NewRate> {
    Ok(NewRate {
        rate: percent(body.rate)?,
        code: body.code,
        name: body.name,
        is_default: body.is_default.unwrap_or(false),
        is_combinable: body.is_combinable.unwrap_or(false),
        rules: rule_pairs(body.rules),
        metadata: body.metadata.filter(Value::is_object),
    })
}

fn rate_schema() -> Schema {
    Schema::new()
        .optional("rate", Kind::Any)
        .required("code", Kind::String)
        .required("name", Kind::String)
        .optional("is_default", Kind::Boolean)
        .optional("is_combinable", Kind::Boolean)
        .optional_array(
            "rules",
            Schema::new()
                .required("reference", Kind::String)
                .required("reference_id", Kind::String),
        )
        .optional("metadata", Kind::Object.nullable())
}

/// `POST /admin/tax-regions`.
///
/// # Errors
/// 400 for an invalid body or an unregistered `provider_id`; 422 for a duplicate region.
pub fn create_tax_region(engine: &Engine, req: &Request) -> Result<Response> {
    let schema = Schema::new()
        .required("country_code", Kind::String)
        .optional("province_code", Kind::String.nullable())
        .optional("parent_id", Kind::String.nullable())
        .optional("provider_id", Kind::String.nullable())
        .optional("default_tax_rate", Kind::shape(rate_schema()))
        .optional("metadata", Kind::Object.nullable());
    let body: TaxRegionBody = parse_input(&req.body_with(&schema)?)?;
    let default = body.default_tax_rate.map(parse_rate).transpose()?;
    let (country, province, provider) = (body.country_code, body.province_code, body.provider_id);
    if let Some(id) = &provider {
        ensure_tax_provider(engine, id)?;
    }
    let ctx = engine.ctx().clone();
    let doc = engine.store().write(move |tx| {
        let mut region =
            tax::create_region(tx, &ctx, &country, province.as_deref(), default.as_ref())?;
        if let Some(provider) = provider.filter(|_| region.parent_id.is_none()) {
            tax::set_region_provider(tx, &ctx, &region.id, &provider)?;
            region = tax::retrieve_region(tx, &region.id)?;
        }
        super::tax_regions::region_doc(tx, &region)
    })?;
    Ok(Response::json(json!({ "tax_region": doc })))
}

/// `GET /admin/tax-regions`.
///
/// # Errors
/// 400 for bad parameters.
pub fn list_tax_regions(engine: &Engine, req: &Request) -> Result<Response> {
    let (limit, offset, _, _) = page(&req.query, 20)?;
    let ids = ids(&req.query)?;
    let (items, count) = engine.store().read(|conn| {
        let all = tax::list_regions(conn, &ids)?;
        let items = all
            .iter()
            .page(offset, limit)
            .map(|r| super::tax_regions::region_doc(conn, r))
            .collect::<Result<Vec<_>>>()?;
        Ok((items, all.len() as u64))
    })?;
    Ok(Response::json(list_envelope(
        "tax_regions",
        items,
        count,
        offset,
        limit,
    )))
}

/// `POST /admin/tax-rates`.
///
/// # Errors
/// 400 for an invalid body; 404 for an unknown tax region.
pub fn create_tax_rate(engine: &Engine, req: &Request) -> Result<Response> {
    let schema = rate_schema().required("tax_region_id", Kind::String);
    let body: TaxRateBody = parse_input(&req.body_with(&schema)?)?;
    let region = body.tax_region_id;
    let input = parse_rate(body.rate)?;
    let ctx = engine.ctx().clone();
    let rate = engine
        .store()
        .write(move |tx| tax::create_rate(tx, &ctx, &region, &input))?;
    Ok(Response::json(json!({ "tax_rate": rate_json(&rate) })))
}

/// `POST /admin/regions/:id` → `{region}`.
///
/// # Errors
/// 400 for an invalid body, unknown currency or country, a country of another region; 404
/// when absent.
pub fn update(engine: &Engine, req: &Request) -> Result<Response> {
    let schema = Schema::new()
        .optional("name", Kind::String)
        .optional("currency_code", Kind::String)
        .optional("countries", Kind::array_of(Kind::String))
        .optional("automatic_taxes", Kind::Boolean)
        .optional("is_tax_inclusive", Kind::Boolean)
        .optional("payment_providers", Kind::array_of(Kind::String))
        .optional("metadata", Kind::Object.nullable());
    let mut changes = as_map(req.body_with(&schema)?);
    let countries = take_strings(&mut changes, "countries");
    let payment_providers = take_strings(&mut changes, "payment_providers");
    ensure_payment_providers(engine, payment_providers.as_deref().unwrap_or_default())?;
    let is_tax_inclusive = changes.remove("is_tax_inclusive").and_then(|v| v.as_bool());
    let input = RegionUpdate {
        changes,
        countries,
        payment_providers,
        is_tax_inclusive,
    };
    let (ctx, id) = (engine.ctx().clone(), req.param("id").to_string());
    let region = engine
        .store()
        .write(move |tx| create_region::update(tx, &ctx, &id, &input))?;
    Ok(Response::json(json!({ "region": object(&region) })))
}

/// `GET /admin/tax-rates/:id` → `{tax_rate}`.
///
/// # Errors
/// 404 when absent.
pub fn retrieve_tax_rate(engine: &Engine, req: &Request) -> Result<Response> {
    let id = req.param("id").to_string();
    let rate = engine.store().read(|c| rates::retrieve(c, &id))?;
    Ok(Response::json(json!({ "tax_rate": rate_json(&rate) })))
}

/// `POST /admin/tax-rates/:id` → `{tax_rate}`.
///
/// # Errors
/// 400 for an invalid body or rate; 404 when absent.
pub fn update_tax_rate(engine: &Engine, req: &Request) -> Result<Response> {
    let schema = Schema::new()
        .optional("rate", Kind::Any)
        .optional("code", Kind::String)
        .optional("name", Kind::String)
        .optional("is_default", Kind::Boolean)
        .optional("is_combinable", Kind::Boolean)
        .optional_array(
            "rules",
            Schema::new()
                .required("reference", Kind::String)
                .required("reference_id", Kind::String),
        )
        .optional("metadata", Kind::Object.nullable());
    let body: RateChangeBody = parse_input(&req.body_with(&schema)?)?;
    let change = RateUpdate {
        rate: body.rate.map(percent).transpose()?,
        code: body.code,
        name: body.name,
        is_default: body.is_default,
        is_combinable: body.is_combinable,
        rules: body.rules.map(|r| rule_pairs(r.unwrap_or_default())),
        metadata: body.metadata.map(|m| m.filter(Value::is_object)),
    };
    let (ctx, id) = (engine.ctx().clone(), req.param("id").to_string());
    let rate = engine
        .store()
        .write(move |tx| rates::update(tx, &ctx, &id, &change))?;
    Ok(Response::json(json!({ "tax_rate": rate_json(&rate) })))
}

/// `DELETE /admin/tax-rates/:id` → `{id, object: "tax_rate", deleted: true}`.
///
/// # Errors
/// 404 when absent.
pub fn delete_tax_rate(engine: &Engine, req: &Request) -> Result<Response> {
    let (ctx, id) = (engine.ctx().clone(), req.param("id").to_string());
    let target = id.clone();
    engine
        .store()
        .write(move |tx| rates::delete(tx, &ctx, &target))?;
    Ok(deleted(&id, "tax_rate"))
}

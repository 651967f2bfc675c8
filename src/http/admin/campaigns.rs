//! `/admin/campaigns`: CRUD with a budget (`usage` counts orders, `spend` sums discounts in
//! its currency), and `/:id/promotions {add, remove}`.

use super::promotion_json::campaign_json;
use super::promotions::one_of;
use super::{as_map, deleted, page, strings};
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::flows::promotions as flow;
use crate::http::fields::ids;
use crate::http::validate::{Kind, Schema};
use crate::http::{Access, Request, Response, Route, list_envelope};
use crate::modules::promotion::campaign::{self, NewCampaign};
use crate::money::parse_major;
use serde_json::{Value, json};

/// The `/admin/campaigns` route table.
pub fn routes() -> Vec<Route> {
    vec![
        Route::new(
            "GET",
            "/admin/campaigns",
            Access::Admin,
            "List campaigns",
            list,
        ),
        Route::new(
            "POST",
            "/admin/campaigns",
            Access::Admin,
            "Create a campaign",
            create,
        ),
        Route::new(
            "GET",
            "/admin/campaigns/:id",
            Access::Admin,
            "Retrieve a campaign",
            retrieve,
        ),
        Route::new(
            "POST",
            "/admin/campaigns/:id",
            Access::Admin,
            "Update a campaign",
            update,
        ),
        Route::new(
            "DELETE",
            "/admin/campaigns/:id",
            Access::Admin,
            "Delete a campaign",
            delete,
        ),
        Route::new(
            "POST",
            "/admin/campaigns/:id/promotions",
            Access::Admin,
            "Add or remove a campaign's promotions",
            promotions,
        ),
    ]
}

fn budget_schema() -> Schema {
    Schema::new()
        .required("type", Kind::String)
        .optional("limit", Kind::Number.nullable())
        .optional("currency_code", Kind::String.nullable())
}

/// A campaign body (create, or inline in a promotion).
pub fn campaign_schema() -> Schema {
    Schema::new()
        .required("name", Kind::String)
        .required("campaign_identifier", Kind::String)
        .optional("description", Kind::String.nullable())
        .optional("budget", Kind::shape(budget_schema()).nullable())
        .optional("starts_at", Kind::String.nullable())
        .optional("ends_at", Kind::String.nullable())
}

/// A budget limit in storage units: minor units of the currency for spend, a count for
/// usage.
fn limit_of(kind: &str, currency: Option<&str>, limit: &Value) -> Result<Option<i64>> {
    if limit.is_null() {
        return Ok(None);
    }
    let text = limit.to_string();
    let parsed = match (kind, currency) {
        ("spend", Some(c)) => parse_major(text.as_str(), &c.to_lowercase()),
        _ => parse_major(text.as_str(), "jpy"),
    };
    parsed
        .map(Some)
        .map_err(|e| Error::invalid(format!("Invalid request: budget limit {e}")))
}

/// A validated campaign body as module input, with Medusa's budget refinements.
///
/// # Errors
/// 400 for a spend budget without currency, a usage budget with one, a bad limit.
pub fn campaign_input(body: &Value) -> Result<NewCampaign> {
    let budget = match body.get("budget").filter(|b| b.is_object()) {
        Some(b) => {
            one_of(b, &["type"], &["spend", "usage"]).map_err(|_| enum_error(&b["type"]))?;
            let kind = b["type"].as_str().unwrap_or_default();
            let currency = b["currency_code"].as_str().filter(|c| !c.is_empty());
            if kind == "spend" && currency.is_none() {
                return Err(Error::invalid(
                    "Invalid request: currency_code is required when budget type is spend",
                ));
            }
            if kind == "usage" && currency.is_some() {
                return Err(Error::invalid(
                    "Invalid request: currency_code should not be present when budget type is usage",
                ));
            }
            let limit = limit_of(kind, currency, b.get("limit").unwrap_or(&Value::Null))?;
            Some((kind.to_string(), currency.map(str::to_lowercase), limit))
        }
        None => None,
    };
    let text = |k: &str| body[k].as_str().map(str::to_string);
    Ok(NewCampaign {
        name: text("name").unwrap_or_default(),
        campaign_identifier: text("campaign_identifier").unwrap_or_default(),
        description: text("description"),
        starts_at: text("starts_at"),
        ends_at: text("ends_at"),
        budget,
    })
}

fn enum_error(got: &Value) -> Error {
    Error::invalid(format!(
        "Invalid request: Expected: 'spend, usage' for field 'budget, type', but got: '{}'",
        got.as_str().unwrap_or_default()
    ))
}

fn reply(engine: &Engine, id: &str) -> Result<Response> {
    let found = engine.store().read(|conn| campaign::retrieve(conn, id))?;
    Ok(Response::json(json!({ "campaign": campaign_json(&found) })))
}

fn list(engine: &Engine, request: &Request) -> Result<Response> {
    let (offset, limit) = page(request, 50)?;
    let q = request.query_str("q").map(str::to_string);
    let ids = ids(&request.query)?;
    let (found, count) = engine
        .store()
        .read(|conn| campaign::list(conn, q.as_deref(), &ids, offset, limit))?;
    let items = found.iter().map(campaign_json).collect();
    Ok(Response::json(list_envelope(
        "campaigns",
        items,
        count,
        offset,
        limit,
    )))
}

fn create(engine: &Engine, request: &Request) -> Result<Response> {
    let body = request.body_with(
        &campaign_schema()
            .optional(
                "promotions",
                Kind::array_of(Kind::shape(Schema::new().required("id", Kind::String))),
            )
            .optional("additional_data", Kind::Object.nullable()),
    )?;
    let input = campaign_input(&body)?;
    let promotions: Vec<String> = body["promotions"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| p["id"].as_str().map(str::to_string))
        .collect();
    let ctx = engine.ctx().clone();
    let id = engine
        .store()
        .write(move |tx| flow::create_campaign(tx, &ctx, &input, &promotions))?;
    reply(engine, &id)
}

fn retrieve(engine: &Engine, request: &Request) -> Result<Response> {
    reply(engine, request.param("id"))
}

fn update(engine: &Engine, request: &Request) -> Result<Response> {
    let body = request.body_with(
        &Schema::new()
            .optional("name", Kind::String)
            .optional("campaign_identifier", Kind::String)
            .optional("description", Kind::String.nullable())
            .optional(
                "budget",
                Kind::shape(Schema::new().optional("limit", Kind::Number.nullable())),
            )
            .optional("starts_at", Kind::String.nullable())
            .optional("ends_at", Kind::String.nullable())
            .optional("additional_data", Kind::Object.nullable()),
    )?;
    let (ctx, id) = (engine.ctx().clone(), request.param("id").to_string());
    let mut changes = as_map(body);
    changes.remove("additional_data");
    let budget = changes.remove("budget");
    let target = id.clone();
    engine.store().write(move |tx| {
        let limit = match budget.as_ref().and_then(|b| b.get("limit")) {
            Some(limit) => {
                let found = campaign::retrieve(tx, &target)?;
                let (kind, currency) = found
                    .budget
                    .map(|b| (b.kind, b.currency_code))
                    .unwrap_or_default();
                Some(limit_of(&kind, currency.as_deref(), limit)?)
            }
            None => None,
        };
        flow::update_campaign(tx, &ctx, &target, &changes, limit)
    })?;
    reply(engine, &id)
}

fn delete(engine: &Engine, request: &Request) -> Result<Response> {
    let (ctx, id) = (engine.ctx().clone(), request.param("id").to_string());
    let target = id.clone();
    engine
        .store()
        .write(move |tx| flow::delete_campaign(tx, &ctx, &target))?;
    Ok(deleted(&id, "campaign"))
}

fn promotions(engine: &Engine, request: &Request) -> Result<Response> {
    let body = request.body_with(
        &Schema::new()
            .optional("add", Kind::array_of(Kind::String))
            .optional("remove", Kind::array_of(Kind::String)),
    )?;
    let (add, remove) = (strings(&body, "add"), strings(&body, "remove"));
    let (ctx, id) = (engine.ctx().clone(), request.param("id").to_string());
    let target = id.clone();
    engine
        .store()
        .write(move |tx| flow::campaign_promotions(tx, &ctx, &target, &add, &remove))?;
    reply(engine, &id)
}

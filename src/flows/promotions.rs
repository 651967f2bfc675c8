//! Admin promotion and campaign writes with their events (Medusa's `createPromotionsWorkflow`,
//! `updatePromotionsWorkflow`, `deletePromotionsWorkflow`, `createCampaignsWorkflow`, …):
//! `promotion.created|updated|deleted` and `campaign.created|updated|deleted`, data `{id}`,
//! written to the outbox in the same transaction as the change.

use crate::ctx::Ctx;
use crate::db::Tx;
use crate::error::Result;
use crate::modules::promotion::campaign::{self, NewCampaign};
use crate::modules::promotion::write::{self, MethodFields, NewPromotion};
use crate::modules::promotion::{self, model};
use serde_json::{Map, Value, json};

/// Creates a promotion, first creating its campaign when one is given inline.
///
/// # Errors
/// The module's validation errors; database failures.
pub fn create_promotion(
    tx: &Tx,
    ctx: &Ctx,
    input: &NewPromotion,
    campaign: Option<&NewCampaign>,
) -> Result<String> {
    let mut input = input.clone();
    if let Some(new) = campaign {
        input.campaign_id = Some(create_campaign(tx, ctx, new, &[])?);
    }
    let id = write::create(tx, ctx, &input)?;
    ctx.emit(tx, "promotion.created", json!({ "id": id }))?;
    Ok(id)
}

/// Updates a promotion; `method` carries the application method's changed fields, merged
/// over the stored ones before they are validated together.
///
/// # Errors
/// 404; the module's validation errors.
pub fn update_promotion(
    tx: &Tx,
    ctx: &Ctx,
    id: &str,
    changes: &Map<String, Value>,
    method: Option<&Map<String, Value>>,
) -> Result<()> {
    let current = model::retrieve(tx, id)?;
    let merged = match (method, current.application_method.as_ref()) {
        (Some(changes), Some(stored)) => Some(merge_method(MethodFields::of(stored), changes)),
        _ => None,
    };
    write::update(tx, ctx, id, changes, merged.as_ref())?;
    ctx.emit(tx, "promotion.updated", json!({ "id": id }))
}

fn merge_method(mut fields: MethodFields, changes: &Map<String, Value>) -> MethodFields {
    let text = |v: &Value| v.as_str().map(str::to_string);
    for (key, value) in changes {
        match key.as_str() {
            "type" => fields.kind = text(value).unwrap_or(fields.kind),
            "target_type" => fields.target_type = text(value).unwrap_or(fields.target_type),
            "allocation" => fields.allocation = text(value),
            "value" => fields.value = value.to_string(),
            "currency_code" => fields.currency_code = text(value),
            "max_quantity" => fields.max_quantity = value.as_i64(),
            "apply_to_quantity" => fields.apply_to_quantity = value.as_i64(),
            "buy_rules_min_quantity" => fields.buy_rules_min_quantity = value.as_i64(),
            "description" => fields.description = text(value),
            _ => {}
        }
    }
    fields
}

/// Deletes a promotion.
///
/// # Errors
/// Database failures.
pub fn delete_promotion(tx: &Tx, ctx: &Ctx, id: &str) -> Result<()> {
    write::delete(tx, ctx, id)?;
    ctx.emit(tx, "promotion.deleted", json!({ "id": id }))
}

/// Creates a campaign and attaches `promotions` to it.
///
/// # Errors
/// 422 for a taken identifier; database failures.
pub fn create_campaign(
    tx: &Tx,
    ctx: &Ctx,
    input: &NewCampaign,
    promotions: &[String],
) -> Result<String> {
    let id = campaign::create(tx, ctx, input)?;
    promotion::set_campaign(tx, ctx, promotions, Some(&id))?;
    ctx.emit(tx, "campaign.created", json!({ "id": id }))?;
    Ok(id)
}

/// Updates a campaign (and its budget's limit).
///
/// # Errors
/// 404; 422 for a taken identifier; 400 for a limit under what was used.
pub fn update_campaign(
    tx: &Tx,
    ctx: &Ctx,
    id: &str,
    changes: &Map<String, Value>,
    budget_limit: Option<Option<i64>>,
) -> Result<()> {
    campaign::update(tx, ctx, id, changes, budget_limit)?;
    ctx.emit(tx, "campaign.updated", json!({ "id": id }))
}

/// Adds and removes promotions of a campaign.
///
/// # Errors
/// 404 for an unknown campaign; database failures.
pub fn campaign_promotions(
    tx: &Tx,
    ctx: &Ctx,
    id: &str,
    add: &[String],
    remove: &[String],
) -> Result<()> {
    campaign::retrieve(tx, id)?;
    promotion::set_campaign(tx, ctx, add, Some(id))?;
    let mine: Vec<String> = promotion::of_campaign(tx, id)?
        .into_iter()
        .filter(|p| remove.contains(p))
        .collect();
    promotion::set_campaign(tx, ctx, &mine, None)?;
    ctx.emit(tx, "campaign.updated", json!({ "id": id }))
}

/// Deletes a campaign; its promotions stay, without a campaign.
///
/// # Errors
/// Database failures.
pub fn delete_campaign(tx: &Tx, ctx: &Ctx, id: &str) -> Result<()> {
    campaign::delete(tx, ctx, id)?;
    ctx.emit(tx, "campaign.deleted", json!({ "id": id }))
}

//! Promotions on draft orders (Medusa 2.21.2's `add-draft-order-promotion` and
//! `remove-draft-order-promotions`, `POST` / `DELETE /admin/draft-orders/:id/edit/promotions`).
//!
//! A code is added or removed inside the draft's open edit, as a `PROMOTION_ADD` /
//! `PROMOTION_REMOVE` action; the preview shows the draft re-priced and confirming the edit
//! makes it so. The draft keeps its codes as `order ↔ promotion` links (Medusa's
//! `OrderPromotion`), and its adjustments are computed by the cart's own computation
//! (`checkout::promotions::adjustments`): no codes, no adjustments; with codes, those
//! promotions and the active automatic ones (Medusa's `computeDraftOrderAdjustmentsWorkflow`).
//! Usage is registered when the draft is converted (`drafts`), never before.
//!
//! Where we differ from Medusa: Medusa links an added promotion at once and restores the
//! links when the edit is canceled; here the link is written when the edit is confirmed, so a
//! canceled edit has nothing to undo.

use super::edit_types::{self as types, OnOrder, PromoCodes};
use super::edits::{active_edit, done, live_order};
use super::returns::one;
use crate::ctx::Ctx;
use crate::db::Tx;
use crate::error::{Error, Result};
use crate::flows::checkout::promotions::{self as cart_promotions, Buyer};
use crate::flows::links;
use crate::modules::order::changes::{self, ChangeAction, NewAction};
use crate::modules::order::draft_lines::{self, PROMOTION_ADD, PROMOTION_REMOVE};
use crate::modules::order::{self, LineItem, Order, ShippingMethod};
use crate::modules::promotion::usage::Use;
use crate::modules::promotion::{Promotion, model};
use crate::workflow::{Done, StepCtx, Workflow};
use rusqlite::Connection;
use serde_json::{Value, json};

/// The workflows of this file.
pub fn workflows() -> Vec<Workflow> {
    vec![
        one(types::ADD_PROMOTIONS, |tx, step| {
            change_codes(tx, step, true)
        }),
        one(types::REMOVE_PROMOTIONS, |tx, step| {
            change_codes(tx, step, false)
        }),
    ]
}

/// Medusa's `throwIfNotDraftOrder`.
///
/// # Errors
/// 400 "Order is not a draft".
pub(super) fn ensure_draft(found: &Order) -> Result<()> {
    if found.status != "draft" {
        return Err(Error::invalid("Order is not a draft"));
    }
    Ok(())
}

/// The promotions named by `codes`, refused as Medusa refuses them: every code must name a
/// promotion, and one to add must be active.
fn named_promotions(conn: &Connection, codes: &[String], adding: bool) -> Result<Vec<Promotion>> {
    let found = model::by_codes(conn, codes)?;
    let missing: Vec<&str> = codes
        .iter()
        .filter(|c| !found.iter().any(|p| &p.code == *c))
        .map(String::as_str)
        .collect();
    if let Some(message) = listed(&missing, "not found", "not found") {
        return Err(Error::invalid(message));
    }
    let inactive: Vec<&str> = codes
        .iter()
        .filter(|c| found.iter().any(|p| &p.code == *c && p.status != "active"))
        .map(String::as_str)
        .collect();
    if adding && let Some(message) = listed(&inactive, "is not active", "are not active") {
        return Err(Error::invalid(message));
    }
    Ok(found)
}

/// `Promotion code "A" <one>` / `Promotion codes "A", "B" <many>` (Medusa's wording).
fn listed(codes: &[&str], one: &str, many: &str) -> Option<String> {
    match codes {
        [] => None,
        [code] => Some(format!("Promotion code \"{code}\" {one}")),
        _ => Some(format!(
            "Promotion codes \"{}\" {many}",
            codes.join("\", \"")
        )),
    }
}

fn change_codes(tx: &Tx, step: &StepCtx, adding: bool) -> Result<Done> {
    let input: OnOrder<PromoCodes> = step.input_as()?;
    let found = live_order(tx, &input.id)?;
    ensure_draft(&found)?;
    let change = active_edit(tx, &found.id)?;
    let codes = input.body.promo_codes;
    if codes.is_empty() {
        return Err(Error::invalid("promo_codes must name at least one code"));
    }
    for promotion in named_promotions(tx, &codes, adding)? {
        let (action, details) = if adding {
            (PROMOTION_ADD, json!({ "added_code": promotion.code }))
        } else {
            (PROMOTION_REMOVE, json!({ "removed_code": promotion.code }))
        };
        let new = NewAction {
            action: action.into(),
            reference: Some("order_promotion".into()),
            reference_id: Some(promotion.id),
            details,
            amount: None,
            internal_note: None,
            return_id: None,
        };
        changes::add_action(tx, step.engine.ctx(), &change, &new)?;
    }
    done(&found.id)
}

/// The draft's codes as `actions` (its open edit's, in order) would leave them.
///
/// # Errors
/// Database failures.
pub fn codes_after(
    conn: &Connection,
    order_id: &str,
    actions: &[ChangeAction],
) -> Result<Vec<String>> {
    let mut codes = linked_codes(conn, order_id)?;
    for a in actions {
        match a.action.as_str() {
            PROMOTION_ADD => {
                if let Some(code) = a.details["added_code"].as_str()
                    && !codes.iter().any(|c| c == code)
                {
                    codes.push(code.to_string());
                }
            }
            PROMOTION_REMOVE => {
                let gone = a.details["removed_code"].as_str();
                codes.retain(|c| Some(c.as_str()) != gone);
            }
            _ => {}
        }
    }
    Ok(codes)
}

/// The codes of the promotions linked to the order, oldest link first.
fn linked_codes(conn: &Connection, order_id: &str) -> Result<Vec<String>> {
    let ids = links::order_promotion().rights_of(conn, order_id)?;
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let found = model::by_ids(conn, &ids)?;
    Ok(ids
        .iter()
        .filter_map(|id| found.iter().find(|p| &p.id == id).map(|p| p.code.clone()))
        .collect())
}

/// Gives `items` and `methods` (each with a distinct id) the adjustments `codes` earn the
/// draft `found` at `now`: none without codes; otherwise those promotions and the active
/// automatic ones, through the cart's computation.
///
/// # Errors
/// Database failures; amounts out of range.
pub fn adjust(
    conn: &Connection,
    now: &str,
    found: &Order,
    codes: &[String],
    items: &mut [LineItem],
    methods: &mut [ShippingMethod],
) -> Result<()> {
    for item in items.iter_mut() {
        item.adjustments.clear();
    }
    for method in methods.iter_mut() {
        method.adjustments.clear();
    }
    if codes.is_empty() {
        return Ok(());
    }
    let mut promotions = model::by_codes(conn, codes)?;
    for automatic in model::automatic(conn)? {
        if !promotions.iter().any(|p| p.id == automatic.id) {
            promotions.push(automatic);
        }
    }
    let address = order::address(conn, found.shipping_address_id.as_deref())?;
    let buyer = Buyer {
        currency_code: found.currency_code.clone(),
        region_id: found.region_id.clone(),
        sales_channel_id: found.sales_channel_id.clone(),
        customer_id: found.customer_id.clone(),
        email: found.email.clone(),
        country: address
            .as_ref()
            .and_then(|a| a.get("country_code"))
            .and_then(Value::as_str)
            .map(str::to_string),
    };
    let adjusts = cart_promotions::adjustments(conn, now, &buyer, items, methods, promotions)?;
    for item in items.iter_mut() {
        item.adjustments = cart_promotions::rows_for(&adjusts, true, &item.id);
    }
    for method in methods.iter_mut() {
        method.adjustments = cart_promotions::rows_for(&adjusts, false, &method.id);
    }
    Ok(())
}

/// Links or unlinks the promotion of a confirmed `PROMOTION_ADD` / `PROMOTION_REMOVE`.
/// Returns whether `action` was one.
///
/// # Errors
/// Database failures.
pub(super) fn apply(tx: &Tx, ctx: &Ctx, found: &Order, action: &ChangeAction) -> Result<bool> {
    let link = links::order_promotion();
    let promotion = action.reference_id.as_deref().unwrap_or_default();
    match action.action.as_str() {
        PROMOTION_ADD => link.create(tx, &ctx.id("ordpromo"), &found.id, promotion, &ctx.now())?,
        PROMOTION_REMOVE => {
            link.dismiss(tx, &found.id, promotion, &ctx.now())?;
        }
        _ => return Ok(false),
    }
    Ok(true)
}

/// Recomputes the draft's stored adjustments for its linked codes (after its edit was
/// applied, or its codes set at creation), writing only the lines whose adjustments changed.
///
/// # Errors
/// Database failures; amounts out of range.
pub fn settle(tx: &Tx, ctx: &Ctx, found: &Order) -> Result<()> {
    let found = order::retrieve(tx, &found.id)?;
    let mut items = order::items::items_of(tx, &found.id)?;
    let mut methods = order::shipping::methods_of(tx, &found.id)?;
    let before: Vec<_> = items
        .iter()
        .map(|i| i.adjustments.clone())
        .chain(methods.iter().map(|m| m.adjustments.clone()))
        .collect();
    let codes = linked_codes(tx, &found.id)?;
    adjust(tx, &ctx.now(), &found, &codes, &mut items, &mut methods)?;
    let after = items
        .iter()
        .map(|i| (true, &i.id, &i.adjustments))
        .chain(methods.iter().map(|m| (false, &m.id, &m.adjustments)));
    for ((item, id, rows), old) in after.zip(&before) {
        if !cart_promotions::same(old, rows) {
            draft_lines::set_adjustments(tx, ctx, item, id, rows)?;
        }
    }
    Ok(())
}

/// Links `codes` to a new draft (`promo_codes` on create) and computes its adjustments.
///
/// # Errors
/// 400 for a code no promotion has, or an inactive one; database failures.
pub(super) fn set_initial(tx: &Tx, ctx: &Ctx, found: &Order, codes: &[String]) -> Result<()> {
    if codes.is_empty() {
        return Ok(());
    }
    for promotion in named_promotions(tx, codes, true)? {
        links::order_promotion().create(
            tx,
            &ctx.id("ordpromo"),
            &found.id,
            &promotion.id,
            &ctx.now(),
        )?;
    }
    settle(tx, ctx, found)
}

/// Refuses to convert a draft whose adjustments name a promotion that is no longer active
/// (deactivated or deleted since it was applied): the draft would become an order with a
/// discount nobody offers any more. The message tells staff what to do on the draft — the
/// cart's "refresh the cart" means nothing here.
///
/// # Errors
/// 400 `invalid_data` naming the draft and the promotion; database failures.
pub(super) fn ensure_still_active(conn: &Connection, draft_id: &str, uses: &[Use]) -> Result<()> {
    let ids: Vec<String> = uses.iter().map(|u| u.promotion_id.clone()).collect();
    let found = model::by_ids(conn, &ids)?;
    for id in &ids {
        let live = found.iter().find(|p| &p.id == id);
        if live.is_some_and(|p| p.status == "active") {
            continue;
        }
        let name = live.map_or(id.as_str(), |p| p.code.as_str());
        return Err(Error::invalid(format!(
            "Draft order {draft_id} cannot be converted: its promotion {name} is no longer \
             active. Remove it from the draft (edit the draft's promotions) or reactivate it, \
             then convert again"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::listed;

    #[test]
    fn refusals_name_the_codes_as_medusa_does() {
        assert_eq!(listed(&[], "not found", "not found"), None);
        assert_eq!(
            listed(&["A"], "is not active", "are not active").as_deref(),
            Some("Promotion code \"A\" is not active")
        );
        assert_eq!(
            listed(&["A", "B"], "not found", "not found").as_deref(),
            Some("Promotion codes \"A\", \"B\" not found")
        );
    }
}

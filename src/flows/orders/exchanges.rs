//! Exchanges and claims, requested (Medusa 2.21.2's `begin-exchange-order`,
//! `exchange-request-item-return`, `exchange-add-new-item`, `create-exchange-shipping-method`
//! … and the same for claims, plus a claim's `claim-item`). Both are an order change of
//! their own type (`exchange` / `claim`) naming the record; one local step each, so every
//! check sees the state it guards.
//!
//! - **Inbound** items and shipping are a return's (the record's inbound return, begun with
//!   it at the order's fulfillment location): RETURN_ITEM and SHIPPING_ADD actions naming
//!   that return, checked as a return's request is (only fulfilled units not yet asked
//!   back).
//! - **Outbound** items are ITEM_ADD actions priced and taxed as an order edit's new lines
//!   (their stock checked now, reserved at confirmation); outbound shipping is a SHIPPING_ADD
//!   without a return, at an outbound option's price or staff's `custom_amount`.
//! - A claim's **claim items** are WRITE_OFF_ITEM actions: units of an order line (no more
//!   than were ordered and not yet claimed) with a reason, worth their share of the line.
//!
//! Confirming, canceling a request and canceling a confirmed record are in
//! `exchanges_confirm`, a claim's claim items in `claim_items`. The same step functions
//! serve both kinds: a `const CLAIM: bool` parameter picks the record's [`Kind`].

use super::change_inputs::update_shipping;
use super::claim_items::{claim_items_step, remove_claim_item_step, update_claim_item_step};
use super::edits::{add_new_items, resized_new_item};
use super::return_shipping::add_shipping_to;
use super::returns::{add_items_to, ensure_open, fulfillment_location, update_item};
use crate::db::Tx;
use crate::error::{Error, Result};
use crate::modules::order::after_sales::{self, AfterSale, Kind, NewAfterSale};
use crate::modules::order::changes::{self, ChangeAction, ITEM_ADD, NewChange, OrderChange};
use crate::modules::order::return_actions::{self, RETURN_ITEM, SHIPPING_ADD};
use crate::modules::order::returns::{self, NewReturn, Return};
use crate::modules::order::{self, Order, admin as order_admin};
use crate::workflow::{Done, Step, StepCtx, Workflow};
use rusqlite::Connection;
use serde_json::{Value, json};

/// The kind a step serves.
pub(super) fn kind<const CLAIM: bool>() -> Kind {
    if CLAIM { Kind::Claim } else { Kind::Exchange }
}

type StepFn = fn(&Tx, &StepCtx) -> Result<Done>;

fn one(name: &str, f: StepFn) -> Workflow {
    Workflow::new(name).step(Step::local(name, f))
}

/// Every exchange and claim workflow.
pub fn workflows() -> Vec<Workflow> {
    let mut out = for_kind::<false>();
    out.extend(for_kind::<true>());
    out.extend([
        one("claim-item", claim_items_step),
        one("update-claim-item", update_claim_item_step),
        one("remove-claim-item-action", remove_claim_item_step),
    ]);
    out
}

fn for_kind<const CLAIM: bool>() -> Vec<Workflow> {
    let k = kind::<CLAIM>().change_type();
    let named = |pattern: &str, f: StepFn| one(&pattern.replace("{k}", k), f);
    vec![
        named("begin-{k}-order", begin_step::<CLAIM>),
        named("{k}-request-item-return", inbound_add_step::<CLAIM>),
        named(
            "update-{k}-request-item-return",
            inbound_update_step::<CLAIM>,
        ),
        named(
            "remove-{k}-request-item-return",
            inbound_remove_step::<CLAIM>,
        ),
        named(
            "create-{k}-return-shipping-method",
            inbound_shipping_step::<CLAIM>,
        ),
        named(
            "update-{k}-return-shipping-method",
            inbound_shipping_update_step::<CLAIM>,
        ),
        named(
            "remove-{k}-return-shipping-method",
            inbound_shipping_remove_step::<CLAIM>,
        ),
        named("{k}-add-new-item", outbound_add_step::<CLAIM>),
        named("update-{k}-add-item", outbound_update_step::<CLAIM>),
        named("remove-{k}-add-item-action", outbound_remove_step::<CLAIM>),
        named(
            "create-{k}-shipping-method",
            outbound_shipping_step::<CLAIM>,
        ),
        named(
            "update-{k}-shipping-method",
            outbound_shipping_update_step::<CLAIM>,
        ),
        named(
            "remove-{k}-shipping-method",
            outbound_shipping_remove_step::<CLAIM>,
        ),
        named(
            "confirm-{k}-request",
            super::exchanges_confirm::confirm_step::<CLAIM>,
        ),
        named(
            "cancel-begin-{k}-order",
            super::exchanges_confirm::cancel_request_step::<CLAIM>,
        ),
        named("cancel-{k}", super::exchanges_confirm::cancel_step::<CLAIM>),
    ]
}

/// The workflow result: the record and its order.
pub(super) fn done(found: &AfterSale) -> Done {
    Done::new(json!({
        found.kind.column(): found.id, "order_id": found.order_id, "return_id": found.return_id,
    }))
}

/// A record (its id in the input under `exchange_id` / `claim_id`) and its order.
pub(super) fn load<const CLAIM: bool>(
    conn: &Connection,
    step: &StepCtx,
) -> Result<(AfterSale, Order)> {
    let kind = kind::<CLAIM>();
    let id = step.input[kind.column()].as_str().unwrap_or_default();
    let found = after_sales::retrieve(conn, kind, id)?;
    let owner = order::retrieve(conn, &found.order_id)?;
    Ok((found, owner))
}

/// What a request step works on: a record not canceled, its order not canceled, the
/// record's open change and its inbound return.
pub(super) struct Open {
    pub record: AfterSale,
    pub order: Order,
    pub change: OrderChange,
    pub inbound: Option<Return>,
}

pub(super) fn open<const CLAIM: bool>(conn: &Connection, step: &StepCtx) -> Result<Open> {
    let (record, order) = load::<CLAIM>(conn, step)?;
    order_admin::ensure_not_canceled(&order)?;
    after_sales::ensure_not_canceled(&record)?;
    let change = active_change(conn, &record)?;
    let inbound = match record.return_id.as_deref() {
        Some(id) => Some(returns::retrieve(conn, id)?),
        None => None,
    };
    Ok(Open {
        record,
        order,
        change,
        inbound,
    })
}

/// The record's open change.
pub(super) fn active_change(conn: &Connection, found: &AfterSale) -> Result<OrderChange> {
    changes::open_change(conn, &found.order_id)?
        .filter(|c| c.change_type.as_deref() == Some(found.kind.change_type()))
        .filter(|c| match found.kind {
            Kind::Exchange => c.exchange_id.as_deref() == Some(&found.id),
            Kind::Claim => c.claim_id.as_deref() == Some(&found.id),
        })
        .ok_or_else(|| {
            Error::invalid(format!(
                "{} {} has no active order change",
                found.kind.name(),
                found.id
            ))
        })
}

impl Open {
    /// The inbound return, still open for items.
    fn inbound(&self) -> Result<&Return> {
        let found = self.inbound.as_ref().ok_or_else(|| {
            Error::invalid(format!(
                "{} {} has no inbound return",
                self.record.kind.name(),
                self.record.id
            ))
        })?;
        ensure_open(found)?;
        Ok(found)
    }

    /// An action of the record's change, of `kind`, passing `keep`.
    pub(super) fn action(
        &self,
        conn: &Connection,
        step: &StepCtx,
        kind: &str,
        keep: impl Fn(&ChangeAction) -> bool,
    ) -> Result<ChangeAction> {
        let id = step.input["action_id"].as_str().unwrap_or_default();
        changes::action(conn, id)
            .ok()
            .filter(|a| a.order_change_id.as_deref() == Some(&self.change.id))
            .filter(|a| a.action == kind && keep(a))
            .ok_or_else(|| {
                Error::invalid(format!(
                    "Action {id} is not a {kind} action of {} {}",
                    self.record.kind.change_type(),
                    self.record.id
                ))
            })
    }

    pub(super) fn done(&self) -> Result<Done> {
        Ok(done(&self.record))
    }
}

/// Begins an exchange or a claim (`type` `refund` / `replace`) of an order: the record, its
/// inbound return (`open`, at the order's fulfillment location) and its change.
fn begin_step<const CLAIM: bool>(tx: &Tx, step: &StepCtx) -> Result<Done> {
    let kind = kind::<CLAIM>();
    let ctx = step.engine.ctx();
    let input = step.input;
    let text = |key: &str| input[key].as_str().map(str::to_string);
    let found = order::retrieve(tx, input["order_id"].as_str().unwrap_or_default())?;
    order_admin::ensure_not_canceled(&found)?;
    if found.status == "draft" {
        return Err(Error::invalid(format!(
            "Order {} is a draft: it has nothing to {}",
            found.id,
            kind.change_type()
        )));
    }
    let new = NewAfterSale {
        order_id: found.id.clone(),
        claim_type: text("type"),
        created_by: text("created_by"),
        no_notification: input["no_notification"].as_bool(),
        allow_backorder: false,
        metadata: input.get("metadata").filter(|m| m.is_object()).cloned(),
    };
    let record = after_sales::create(tx, ctx, kind, &new)?;
    let inbound = NewReturn {
        order_id: found.id.clone(),
        location_id: fulfillment_location(tx, &found.id)?,
        created_by: text("created_by"),
        no_notification: new.no_notification,
        metadata: None,
    };
    let inbound = returns::create(tx, ctx, &inbound)?;
    returns::belong_to(tx, ctx, &inbound.id, kind, &record.id)?;
    after_sales::set_return(tx, ctx, &record, Some(&inbound.id))?;
    let mut change = NewChange {
        order_id: found.id.clone(),
        change_type: kind.change_type().into(),
        description: text("description"),
        internal_note: text("internal_note"),
        created_by: text("created_by"),
        ..NewChange::default()
    };
    match kind {
        Kind::Exchange => change.exchange_id = Some(record.id.clone()),
        Kind::Claim => change.claim_id = Some(record.id.clone()),
    }
    changes::create(tx, ctx, &change)?;
    Ok(done(&after_sales::retrieve(tx, kind, &record.id)?))
}

fn inbound_add_step<const CLAIM: bool>(tx: &Tx, step: &StepCtx) -> Result<Done> {
    let o = open::<CLAIM>(tx, step)?;
    let items = step.input["items"].as_array().cloned().unwrap_or_default();
    add_items_to(
        tx,
        step.engine.ctx(),
        o.inbound()?,
        &o.order,
        &o.change,
        &items,
    )?;
    o.done()
}

fn inbound_update_step<const CLAIM: bool>(tx: &Tx, step: &StepCtx) -> Result<Done> {
    let o = open::<CLAIM>(tx, step)?;
    let inbound = o.inbound()?.id.clone();
    let action = o.action(tx, step, RETURN_ITEM, |a| {
        a.return_id.as_deref() == Some(&inbound)
    })?;
    update_item(tx, step, &o.order, &o.change, &action)?;
    o.done()
}

fn inbound_remove_step<const CLAIM: bool>(tx: &Tx, step: &StepCtx) -> Result<Done> {
    let o = open::<CLAIM>(tx, step)?;
    let inbound = o.inbound()?.id.clone();
    let action = o.action(tx, step, RETURN_ITEM, |a| {
        a.return_id.as_deref() == Some(&inbound)
    })?;
    changes::delete_action(tx, step.engine.ctx(), &action)?;
    o.done()
}

fn inbound_shipping_step<const CLAIM: bool>(tx: &Tx, step: &StepCtx) -> Result<Done> {
    let o = open::<CLAIM>(tx, step)?;
    let option = step.input["shipping_option_id"]
        .as_str()
        .unwrap_or_default();
    let custom = &step.input["custom_amount"];
    let ctx = step.engine.ctx();
    add_shipping_to(tx, ctx, o.inbound()?, &o.order, &o.change, option, custom)?;
    o.done()
}

fn inbound_shipping_update_step<const CLAIM: bool>(tx: &Tx, step: &StepCtx) -> Result<Done> {
    let o = open::<CLAIM>(tx, step)?;
    let inbound = o.inbound()?.id.clone();
    let action = o.action(tx, step, SHIPPING_ADD, |a| {
        a.return_id.as_deref() == Some(&inbound)
    })?;
    update_shipping(tx, step, &o.order.currency_code, &action)?;
    o.done()
}

fn inbound_shipping_remove_step<const CLAIM: bool>(tx: &Tx, step: &StepCtx) -> Result<Done> {
    let o = open::<CLAIM>(tx, step)?;
    let inbound = o.inbound()?.id.clone();
    let action = o.action(tx, step, SHIPPING_ADD, |a| {
        a.return_id.as_deref() == Some(&inbound)
    })?;
    changes::delete_action(tx, step.engine.ctx(), &action)?;
    o.done()
}

/// A refund claim refunds what was claimed and sends nothing out.
fn ensure_sends_out(o: &Open) -> Result<()> {
    if o.record.claim_type.as_deref() == Some("refund") {
        return Err(Error::invalid(format!(
            "Claim {} is a refund claim: it sends no items out (make it a replace claim)",
            o.record.id
        )));
    }
    Ok(())
}

fn outbound_add_step<const CLAIM: bool>(tx: &Tx, step: &StepCtx) -> Result<Done> {
    let o = open::<CLAIM>(tx, step)?;
    ensure_sends_out(&o)?;
    if step.input["items"].as_array().is_none_or(Vec::is_empty) {
        return Err(Error::invalid(
            "Invalid request: Field 'items' must contain at least 1 item(s)",
        ));
    }
    add_new_items(tx, step.engine, &o.order, &o.change, &step.input["items"])?;
    o.done()
}

fn outbound_update_step<const CLAIM: bool>(tx: &Tx, step: &StepCtx) -> Result<Done> {
    let o = open::<CLAIM>(tx, step)?;
    let action = o.action(tx, step, ITEM_ADD, |_| true)?;
    let quantity = step.input["quantity"]
        .as_i64()
        .unwrap_or_else(|| return_actions::quantity_of(&action));
    let (details, amount) = resized_new_item(tx, &o.order, &action, quantity, &Value::Null)?;
    let note = super::change_inputs::note_of(step.input, &action);
    let ctx = step.engine.ctx();
    changes::update_action(tx, ctx, &action, &details, Some(amount), note.as_deref())?;
    o.done()
}

fn outbound_remove_step<const CLAIM: bool>(tx: &Tx, step: &StepCtx) -> Result<Done> {
    let o = open::<CLAIM>(tx, step)?;
    let action = o.action(tx, step, ITEM_ADD, |_| true)?;
    changes::delete_action(tx, step.engine.ctx(), &action)?;
    o.done()
}

fn outbound_shipping_step<const CLAIM: bool>(tx: &Tx, step: &StepCtx) -> Result<Done> {
    let o = open::<CLAIM>(tx, step)?;
    ensure_sends_out(&o)?;
    let action = super::edit_shipping::outbound_action(tx, &o.order, step)?;
    changes::add_action(tx, step.engine.ctx(), &o.change, &action)?;
    o.done()
}

fn outbound_shipping_update_step<const CLAIM: bool>(tx: &Tx, step: &StepCtx) -> Result<Done> {
    let o = open::<CLAIM>(tx, step)?;
    let action = o.action(tx, step, SHIPPING_ADD, |a| a.return_id.is_none())?;
    update_shipping(tx, step, &o.order.currency_code, &action)?;
    o.done()
}

fn outbound_shipping_remove_step<const CLAIM: bool>(tx: &Tx, step: &StepCtx) -> Result<Done> {
    let o = open::<CLAIM>(tx, step)?;
    let action = o.action(tx, step, SHIPPING_ADD, |a| a.return_id.is_none())?;
    changes::delete_action(tx, step.engine.ctx(), &action)?;
    o.done()
}

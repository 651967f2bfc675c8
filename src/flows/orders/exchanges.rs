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

use super::change_inputs::{note_of, update_shipping};
use super::claim_items::{claim_items_step, remove_claim_item_step, update_claim_item_step};
use super::edits::{add_new_items, resized_new_item};
use super::exchange_types::{self as types, BeginRecord, OnRecord, RecordRef};
use super::return_shipping::add_shipping_to;
use super::return_types::{ReturnItems, UpdateReturnItem};
use super::returns::{add_items_to, ensure_open, fulfillment_location, one, update_item};
use super::targets::{ActionRef, NewItems, NewShipping, ResizeItem, ShippingUpdate, amount_json};
use crate::db::Tx;
use crate::error::{Error, Result};
use crate::modules::order::after_sales::{self, AfterSale, Kind, NewAfterSale};
use crate::modules::order::changes::{self, ChangeAction, ITEM_ADD, NewChange, OrderChange};
use crate::modules::order::return_actions::{self, RETURN_ITEM, SHIPPING_ADD};
use crate::modules::order::returns::{self, NewReturn, Return};
use crate::modules::order::{self, Order, admin as order_admin};
use crate::workflow::{Done, StepCtx, Workflow};
use rusqlite::Connection;
use serde_json::Value;

/// The kind a step serves.
pub(super) fn kind<const CLAIM: bool>() -> Kind {
    if CLAIM { Kind::Claim } else { Kind::Exchange }
}

/// Every exchange and claim workflow.
pub fn workflows() -> Vec<Workflow> {
    let mut out = for_kind::<false>();
    out.extend(for_kind::<true>());
    out.extend([
        one(types::CLAIM_ITEMS, claim_items_step),
        one(types::UPDATE_CLAIM_ITEM, update_claim_item_step),
        one(types::REMOVE_CLAIM_ITEM, remove_claim_item_step),
    ]);
    out
}

fn for_kind<const CLAIM: bool>() -> Vec<Workflow> {
    let h = types::handles::<CLAIM>();
    vec![
        one(h.begin, begin_step::<CLAIM>),
        one(h.inbound_add, inbound_add_step::<CLAIM>),
        one(h.inbound_update, inbound_update_step::<CLAIM>),
        one(h.inbound_remove, inbound_remove_step::<CLAIM>),
        one(h.inbound_shipping, inbound_shipping_step::<CLAIM>),
        one(
            h.inbound_shipping_update,
            inbound_shipping_update_step::<CLAIM>,
        ),
        one(
            h.inbound_shipping_remove,
            inbound_shipping_remove_step::<CLAIM>,
        ),
        one(h.outbound_add, outbound_add_step::<CLAIM>),
        one(h.outbound_update, outbound_update_step::<CLAIM>),
        one(h.outbound_remove, outbound_remove_step::<CLAIM>),
        one(h.outbound_shipping, outbound_shipping_step::<CLAIM>),
        one(
            h.outbound_shipping_update,
            outbound_shipping_update_step::<CLAIM>,
        ),
        one(
            h.outbound_shipping_remove,
            outbound_shipping_remove_step::<CLAIM>,
        ),
        one(h.confirm, super::exchanges_confirm::confirm_step::<CLAIM>),
        one(
            h.cancel_request,
            super::exchanges_confirm::cancel_request_step::<CLAIM>,
        ),
        one(h.cancel, super::exchanges_confirm::cancel_step::<CLAIM>),
    ]
}

/// The workflow result: the record (under its kind's key), its order and inbound return.
pub(super) fn done(found: &AfterSale) -> Result<Done> {
    let (mut exchange_id, mut claim_id) = (None, None);
    match found.kind {
        Kind::Exchange => exchange_id = Some(found.id.clone()),
        Kind::Claim => claim_id = Some(found.id.clone()),
    }
    Done::of(&RecordRef {
        exchange_id,
        claim_id,
        order_id: found.order_id.clone(),
        return_id: found.return_id.clone(),
    })
}

/// A record of the kind `CLAIM` names, and its order.
pub(super) fn load<const CLAIM: bool>(conn: &Connection, id: &str) -> Result<(AfterSale, Order)> {
    let kind = kind::<CLAIM>();
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

pub(super) fn open<const CLAIM: bool>(conn: &Connection, id: &str) -> Result<Open> {
    let (record, order) = load::<CLAIM>(conn, id)?;
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
        id: &str,
        kind: &str,
        keep: impl Fn(&ChangeAction) -> bool,
    ) -> Result<ChangeAction> {
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
        done(&self.record)
    }
}

/// Begins an exchange or a claim (`type` `refund` / `replace`) of an order: the record, its
/// inbound return (`open`, at the order's fulfillment location) and its change.
fn begin_step<const CLAIM: bool>(tx: &Tx, step: &StepCtx) -> Result<Done> {
    let kind = kind::<CLAIM>();
    let ctx = step.engine.ctx();
    let input: BeginRecord = step.input_as()?;
    let found = order::retrieve(tx, &input.order_id)?;
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
        claim_type: input.claim_type.clone(),
        created_by: input.created_by.clone(),
        no_notification: input.no_notification,
        allow_backorder: false,
        metadata: input.metadata.clone().filter(|m| m.is_object()),
    };
    let record = after_sales::create(tx, ctx, kind, &new)?;
    let inbound = NewReturn {
        order_id: found.id.clone(),
        location_id: fulfillment_location(tx, &found.id)?,
        created_by: input.created_by.clone(),
        no_notification: new.no_notification,
        metadata: None,
    };
    let inbound = returns::create(tx, ctx, &inbound)?;
    returns::belong_to(tx, ctx, &inbound.id, kind, &record.id)?;
    after_sales::set_return(tx, ctx, &record, Some(&inbound.id))?;
    let mut change = NewChange {
        order_id: found.id.clone(),
        change_type: kind.change_type().into(),
        description: input.description.clone(),
        internal_note: input.internal_note.clone(),
        created_by: input.created_by.clone(),
        ..NewChange::default()
    };
    match kind {
        Kind::Exchange => change.exchange_id = Some(record.id.clone()),
        Kind::Claim => change.claim_id = Some(record.id.clone()),
    }
    changes::create(tx, ctx, &change)?;
    done(&after_sales::retrieve(tx, kind, &record.id)?)
}

fn inbound_add_step<const CLAIM: bool>(tx: &Tx, step: &StepCtx) -> Result<Done> {
    let input: OnRecord<CLAIM, ReturnItems> = step.input_as()?;
    let o = open::<CLAIM>(tx, &input.id)?;
    let items = &input.body.items;
    add_items_to(
        tx,
        step.engine.ctx(),
        o.inbound()?,
        &o.order,
        &o.change,
        items,
    )?;
    o.done()
}

fn inbound_update_step<const CLAIM: bool>(tx: &Tx, step: &StepCtx) -> Result<Done> {
    let input: OnRecord<CLAIM, UpdateReturnItem> = step.input_as()?;
    let o = open::<CLAIM>(tx, &input.id)?;
    let inbound = o.inbound()?.id.clone();
    let action = o.action(tx, &input.body.action_id, RETURN_ITEM, |a| {
        a.return_id.as_deref() == Some(&inbound)
    })?;
    update_item(tx, step, &input.body, (&o.order, &o.change, &action))?;
    o.done()
}

/// Which side of the record an action must be on.
enum Side {
    /// Of its inbound return (which must still be open for items).
    Inbound,
    /// Not of a return.
    Outbound,
}

/// Deletes the action `action_id` of the record's change, of `kind`, on `side`.
fn remove_action<const CLAIM: bool>(
    tx: &Tx,
    step: &StepCtx,
    kind: &str,
    side: Side,
) -> Result<Done> {
    let input: OnRecord<CLAIM, ActionRef> = step.input_as()?;
    let o = open::<CLAIM>(tx, &input.id)?;
    let inbound = match side {
        Side::Inbound => Some(o.inbound()?.id.clone()),
        Side::Outbound => None,
    };
    let action = o.action(tx, &input.body.action_id, kind, |a| a.return_id == inbound)?;
    changes::delete_action(tx, step.engine.ctx(), &action)?;
    o.done()
}

fn inbound_remove_step<const CLAIM: bool>(tx: &Tx, step: &StepCtx) -> Result<Done> {
    remove_action::<CLAIM>(tx, step, RETURN_ITEM, Side::Inbound)
}

fn inbound_shipping_step<const CLAIM: bool>(tx: &Tx, step: &StepCtx) -> Result<Done> {
    let input: OnRecord<CLAIM, NewShipping> = step.input_as()?;
    let o = open::<CLAIM>(tx, &input.id)?;
    let option = input.body.shipping_option_id.as_str();
    let custom = amount_json(&input.body.custom_amount);
    let ctx = step.engine.ctx();
    add_shipping_to(tx, ctx, o.inbound()?, &o.order, &o.change, option, &custom)?;
    o.done()
}

fn inbound_shipping_update_step<const CLAIM: bool>(tx: &Tx, step: &StepCtx) -> Result<Done> {
    let input: OnRecord<CLAIM, ShippingUpdate> = step.input_as()?;
    let o = open::<CLAIM>(tx, &input.id)?;
    let inbound = o.inbound()?.id.clone();
    let action = o.action(tx, &input.body.action_id, SHIPPING_ADD, |a| {
        a.return_id.as_deref() == Some(&inbound)
    })?;
    update_shipping(tx, step, &input.body, &o.order.currency_code, &action)?;
    o.done()
}

fn inbound_shipping_remove_step<const CLAIM: bool>(tx: &Tx, step: &StepCtx) -> Result<Done> {
    remove_action::<CLAIM>(tx, step, SHIPPING_ADD, Side::Inbound)
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
    let input: OnRecord<CLAIM, NewItems> = step.input_as()?;
    let o = open::<CLAIM>(tx, &input.id)?;
    ensure_sends_out(&o)?;
    if input.body.items.is_empty() {
        return Err(Error::invalid(
            "Invalid request: Field 'items' must contain at least 1 item(s)",
        ));
    }
    add_new_items(tx, step.engine, &o.order, &o.change, &input.body.items)?;
    o.done()
}

fn outbound_update_step<const CLAIM: bool>(tx: &Tx, step: &StepCtx) -> Result<Done> {
    let input: OnRecord<CLAIM, ResizeItem> = step.input_as()?;
    let o = open::<CLAIM>(tx, &input.id)?;
    let action = o.action(tx, &input.body.action_id, ITEM_ADD, |_| true)?;
    let quantity = input
        .body
        .quantity
        .unwrap_or_else(|| return_actions::quantity_of(&action));
    let (details, amount) = resized_new_item(tx, &o.order, &action, quantity, &Value::Null)?;
    let note = note_of(&input.body.internal_note, &action);
    let ctx = step.engine.ctx();
    changes::update_action(tx, ctx, &action, &details, Some(amount), note.as_deref())?;
    o.done()
}

fn outbound_remove_step<const CLAIM: bool>(tx: &Tx, step: &StepCtx) -> Result<Done> {
    remove_action::<CLAIM>(tx, step, ITEM_ADD, Side::Outbound)
}

fn outbound_shipping_step<const CLAIM: bool>(tx: &Tx, step: &StepCtx) -> Result<Done> {
    let input: OnRecord<CLAIM, NewShipping> = step.input_as()?;
    let o = open::<CLAIM>(tx, &input.id)?;
    ensure_sends_out(&o)?;
    let action = super::edit_shipping::outbound_action(tx, &o.order, &input.body)?;
    changes::add_action(tx, step.engine.ctx(), &o.change, &action)?;
    o.done()
}

fn outbound_shipping_update_step<const CLAIM: bool>(tx: &Tx, step: &StepCtx) -> Result<Done> {
    let input: OnRecord<CLAIM, ShippingUpdate> = step.input_as()?;
    let o = open::<CLAIM>(tx, &input.id)?;
    let action = o.action(tx, &input.body.action_id, SHIPPING_ADD, |a| {
        a.return_id.is_none()
    })?;
    update_shipping(tx, step, &input.body, &o.order.currency_code, &action)?;
    o.done()
}

fn outbound_shipping_remove_step<const CLAIM: bool>(tx: &Tx, step: &StepCtx) -> Result<Done> {
    remove_action::<CLAIM>(tx, step, SHIPPING_ADD, Side::Outbound)
}

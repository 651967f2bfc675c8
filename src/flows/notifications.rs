//! Sending notifications: [`send`] (a plain function for any caller, e.g. the till's email
//! receipts) and the outbox subscribers that mail customers and staff — order placed, shipped,
//! refunded, password reset, invite.
//!
//! Each send renders first (a bad template or data is refused before anything is written),
//! then takes one of two paths, by what the provider declares
//! ([`NotificationProvider::in_process`]):
//!
//! - **In process** (the `local` provider): one write job claims the `notification` row under
//!   its idempotency key, calls the provider, records `success` with the provider's id (or
//!   `failure`) and, for a subscriber, acknowledges the event's delivery ([`ack_in`]). A crash
//!   before that commit leaves nothing, outside the process or in the file: the event is
//!   delivered again and sent once.
//! - **Journaled** (SMTP, and any provider by default): claim (one job) → provider call
//!   (outside any write job) → record + acknowledge (one job). A subscriber's key is
//!   `<template>:<event id>`, so a redelivered event finds its row already `success` and sends
//!   nothing. What remains is the window between the provider accepting a message and the
//!   record's commit: a crash there sends it again on redelivery, under the same
//!   notification id (the SMTP `Message-ID`), which is what a receiving system can
//!   deduplicate on.
//!
//! A failed send records `failure` without acknowledging, so the subscriber fails and the
//! dispatcher retries it (backoff, dead letter) as before.
//!
//! The subscribers are also in-process handlers ([`Subscriber::inline`]): when the provider
//! is in process, a new delivery's mail is prepared, claimed, sent and recorded inside the
//! dispatcher's fan-out job, which marks the delivery `done` with it — no write job of the
//! mail's own. Any other provider defers to the paths above.

use crate::db::Tx;
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::events::{Event, Inline, Subscriber, ack_in};
use crate::modules::notification::provider::NotificationProvider;
use crate::modules::notification::templates::Rendered;
use crate::modules::notification::{self, NewNotification, Notification, templates};
use crate::modules::{order, payment};
use crate::totals::{Line, Totals};
use rusqlite::Connection;
use serde_json::{Value, json};

/// Sends `template` rendered over `data` to `to` by email, through the engine's email
/// provider, as a new notification (no idempotency key: each call sends).
///
/// # Errors
/// 400 for an unknown template or missing data; the provider's refusal (the notification is
/// recorded as `failure`).
pub fn send(engine: &Engine, to: &str, template: &str, data: Value) -> Result<Notification> {
    deliver(
        engine,
        NewNotification {
            to: to.to_string(),
            channel: "email".into(),
            template: template.to_string(),
            data,
            ..NewNotification::default()
        },
    )
}

/// Sends `new` once per idempotency key (see the module doc).
///
/// # Errors
/// As [`send`]; also 400 when no provider serves the channel.
pub fn deliver(engine: &Engine, new: NewNotification) -> Result<Notification> {
    deliver_for(engine, new, None)
}

/// [`deliver`] for a subscriber's delivery of `event`: the delivery is acknowledged in the
/// write job that records the send (or finds it already sent), so the dispatcher writes no
/// `done` of its own.
fn deliver_acking(engine: &Engine, new: NewNotification, event: &Event) -> Result<()> {
    deliver_for(engine, new, Some(event)).map(|_| ())
}

fn deliver_for(
    engine: &Engine,
    mut new: NewNotification,
    event: Option<&Event>,
) -> Result<Notification> {
    let rendered = templates::render(&new.template, &new.data)?;
    let provider = engine.notification_provider(&new.channel).ok_or_else(|| {
        Error::invalid(format!(
            "no notification provider serves channel '{}'",
            new.channel
        ))
    })?;
    new.provider_id = provider.id().to_string();
    let send = Outgoing {
        new,
        rendered,
        event: event.cloned(),
    };
    if provider.in_process() {
        in_one_job(engine, provider, send)
    } else {
        journaled(engine, provider.as_ref(), send)
    }
}

/// What one send needs, owned so it can move into a write job.
struct Outgoing {
    new: NewNotification,
    rendered: Rendered,
    event: Option<Event>,
}

impl Outgoing {
    fn message(self, id: &str) -> notification::provider::Message {
        let new = &self.new;
        self.rendered
            .into_message(id, &new.to, &new.channel, &new.template, &new.data)
    }
}

/// Acknowledges the subscriber's delivery, if this send is one, in the caller's job.
fn ack(tx: &crate::db::Tx, ctx: &crate::ctx::Ctx, event: Option<&Event>) -> Result<()> {
    event.map_or(Ok(()), |event| ack_in(tx, ctx, event))
}

/// Claim, send, record and acknowledge in one write job: for a provider whose send has no
/// effect outside the process, a crash before the commit takes everything back.
fn in_one_job(
    engine: &Engine,
    provider: std::sync::Arc<dyn NotificationProvider>,
    send: Outgoing,
) -> Result<Notification> {
    let ctx = engine.ctx().clone();
    let (recorded, outcome) = engine.store().write(move |tx| {
        let (id, outcome) = send_in(tx, &ctx, provider.as_ref(), send)?;
        Ok((notification::retrieve(tx, &id)?, outcome))
    })?;
    outcome.map(|_| recorded)
}

/// The in-process send inside the caller's job: claim, call the provider, record the outcome
/// and (when it was sent, or had been) acknowledge. Returns the notification's id; a
/// refusal's `failure` record comes back as an `Ok` with the provider's error beside it, so
/// the caller's job commits it. Nothing is read back: the fan-out needs only the outcome.
fn send_in(
    tx: &crate::db::Tx,
    ctx: &crate::ctx::Ctx,
    provider: &dyn NotificationProvider,
    send: Outgoing,
) -> Result<(String, Result<String>)> {
    let (id, status) = notification::claim_id(tx, ctx, &send.new)?;
    let event = send.event.clone();
    if status == "success" {
        ack(tx, ctx, event.as_ref())?;
        return Ok((id, Ok(String::new())));
    }
    let outcome = provider.send(&send.message(&id));
    crate::failpoint::hit("notify:in-process:sent");
    let external = outcome.as_ref().ok();
    notification::set_outcome(
        tx,
        ctx,
        &id,
        external.is_some(),
        external.map(String::as_str),
    )?;
    if outcome.is_ok() {
        ack(tx, ctx, event.as_ref())?;
    }
    Ok((id, outcome))
}

/// A subscriber's delivery inside the dispatcher's fan-out job ([`Subscriber::inline`]): the
/// mail is prepared from `tx` and, when the provider is in process, claimed, sent and recorded
/// there (the dispatcher marks the delivery); any other provider is left to the usual path.
fn in_fan_out(engine: &Engine, tx: &Tx, event: &Event, prepare: Prepare) -> Result<Inline> {
    let Some(mut new) = prepare(tx, event)? else {
        return Ok(Inline::Handled);
    };
    let Some(provider) = engine
        .notification_provider(&new.channel)
        .filter(|p| p.in_process())
    else {
        return Ok(Inline::Deferred);
    };
    let rendered = templates::render(&new.template, &new.data)?;
    new.provider_id = provider.id().to_string();
    let send = Outgoing {
        new,
        rendered,
        event: None,
    };
    let (_, outcome) = send_in(tx, engine.ctx(), provider.as_ref(), send)?;
    Ok(match outcome {
        Ok(_) => Inline::Handled,
        Err(e) => Inline::Failed(e.to_string()),
    })
}

/// A subscriber's delivery on the usual path: prepare from a read, then deliver and acknowledge.
fn usual(engine: &Engine, event: &Event, prepare: Prepare) -> Result<()> {
    let Some(new) = engine.store().read(|c| prepare(c, event))? else {
        return Ok(());
    };
    deliver_acking(engine, new, event)
}

/// Reads what a subscriber's mail needs for `event`; `None` when there is nobody to mail.
type Prepare = fn(&Connection, &Event) -> Result<Option<NewNotification>>;

/// A notification subscriber: the usual path, and the fan-out job's when the provider is in
/// process.
fn notifying(id: &str, event: &str, prepare: Prepare) -> Subscriber {
    Subscriber::new(id, event, move |engine, e| usual(engine, e, prepare))
        .inline(move |engine, tx, e| in_fan_out(engine, tx, e, prepare))
}

/// Claim (committed before the provider is called) → send → record and acknowledge.
fn journaled(
    engine: &Engine,
    provider: &dyn NotificationProvider,
    send: Outgoing,
) -> Result<Notification> {
    let ctx = engine.ctx().clone();
    let claimed = {
        let (new, event) = (send.new.clone(), send.event.clone());
        engine.store().write(move |tx| {
            let claimed = notification::claim(tx, &ctx, &new)?;
            if claimed.status == "success" {
                ack(tx, &ctx, event.as_ref())?;
            }
            Ok(claimed)
        })?
    };
    if claimed.status == "success" {
        return Ok(claimed);
    }
    let event = send.event.clone();
    let outcome = provider.send(&send.message(&claimed.id));
    crate::failpoint::hit("notify:sent");
    let (ctx, id) = (engine.ctx().clone(), claimed.id.clone());
    let external = outcome.as_ref().ok().cloned();
    let recorded = engine.store().write(move |tx| {
        let recorded =
            notification::record(tx, &ctx, &id, external.is_some(), external.as_deref())?;
        if external.is_some() {
            ack(tx, &ctx, event.as_ref())?;
        }
        Ok(recorded)
    })?;
    crate::failpoint::hit("notify:recorded");
    outcome.map(|_| recorded)
}

/// The core's notification subscribers.
pub fn subscribers() -> Vec<Subscriber> {
    vec![
        notifying("notify.order-placed", "order.placed", order_placed),
        notifying("notify.order-shipped", "shipment.created", order_shipped),
        notifying("notify.order-refunded", "payment.refunded", order_refunded),
        notifying(
            "notify.password-reset",
            "auth.password_reset",
            password_reset,
        ),
        notifying("notify.invite", "invite.created", invite),
        notifying("notify.invite-resent", "invite.resent", invite),
    ]
}

fn keyed(
    event: &Event,
    template: &str,
    to: String,
    data: Value,
    resource: (&str, &str),
) -> NewNotification {
    NewNotification {
        to,
        channel: "email".into(),
        template: template.into(),
        data,
        trigger_type: Some(event.name.clone()),
        resource_id: Some(resource.1.to_string()),
        resource_type: Some(resource.0.to_string()),
        idempotency_key: Some(format!("{template}:{}", event.id)),
        ..NewNotification::default()
    }
}

fn id_of<'a>(event: &'a Event, key: &str) -> Result<&'a str> {
    event
        .data
        .get(key)
        .and_then(Value::as_str)
        .ok_or_else(|| Error::UnexpectedState(format!("{} event without '{key}'", event.name)))
}

/// The order document a mail needs: email, display id, items, total.
fn order_data(conn: &Connection, order_id: &str) -> Result<(Option<String>, Value)> {
    let found = order::retrieve(conn, order_id)?;
    let items = order::items::shared_items_of(conn, order_id)?;
    let methods = order::shipping::shared_methods_of(conn, order_id)?;
    let rates =
        |lines: &[order::TaxLine]| lines.iter().map(order::TaxLine::rate).collect::<Vec<_>>();
    let item_lines: Vec<Line> = items
        .iter()
        .map(|i| Line {
            unit_price: i.unit_price,
            quantity: i.quantity,
            is_tax_inclusive: i.is_tax_inclusive,
            rates: rates(&i.tax_lines),
            discounts: i
                .adjustments
                .iter()
                .map(order::Adjustment::discount)
                .collect(),
        })
        .collect();
    let method_lines: Vec<Line> = methods
        .iter()
        .map(|s| Line {
            unit_price: s.amount,
            quantity: 1,
            is_tax_inclusive: s.is_tax_inclusive,
            rates: rates(&s.tax_lines),
            discounts: s
                .adjustments
                .iter()
                .map(order::Adjustment::discount)
                .collect(),
        })
        .collect();
    let total = Totals::of(&item_lines, &method_lines)?.total();
    let data = json!({
        "order_id": found.id,
        "display_id": found.display_id,
        "currency_code": found.currency_code,
        "total": total,
        "items": items.iter().map(|i| json!({"title": i.title, "quantity": i.quantity})).collect::<Vec<_>>(),
    });
    Ok((found.email, data))
}

fn order_placed(c: &Connection, event: &Event) -> Result<Option<NewNotification>> {
    let order_id = id_of(event, "id")?;
    let (email, data) = match order_data(c, order_id) {
        // An order that no longer exists has nobody to mail.
        Err(Error::NotFound(_)) => return Ok(None),
        other => other?,
    };
    Ok(email.map(|email| keyed(event, "order-placed", email, data, ("order", order_id))))
}

fn order_shipped(c: &Connection, event: &Event) -> Result<Option<NewNotification>> {
    if event.data.get("no_notification").and_then(Value::as_bool) == Some(true) {
        return Ok(None);
    }
    let fulfillment_id = id_of(event, "id")?;
    let orders = crate::flows::links::order_fulfillment().lefts_of(c, fulfillment_id)?;
    let Some(order_id) = orders.first() else {
        return Ok(None);
    };
    let (email, mut data) = order_data(c, order_id)?;
    let labels = crate::modules::fulfillment::records::retrieve(c, fulfillment_id)
        .map(|f| {
            f.labels
                .iter()
                .map(|l| l.tracking_number.clone())
                .collect::<Vec<_>>()
        })
        .unwrap_or_default();
    data["tracking_numbers"] = json!(labels);
    Ok(email.map(|email| keyed(event, "order-shipped", email, data, ("order", order_id))))
}

fn order_refunded(c: &Connection, event: &Event) -> Result<Option<NewNotification>> {
    let payment_id = id_of(event, "id")?;
    let ledger = payment::ledger::retrieve(c, payment_id)?;
    let amount = ledger.refunds.last().map_or(0, |r| r.1);
    let orders = crate::flows::links::order_payment_collection()
        .lefts_of(c, &ledger.payment.payment_collection_id)?;
    let Some(order_id) = orders.first() else {
        return Ok(None);
    };
    let (email, mut data) = order_data(c, order_id)?;
    data["amount"] = json!(amount);
    Ok(email.map(|email| keyed(event, "order-refunded", email, data, ("order", order_id))))
}

fn password_reset(_: &Connection, event: &Event) -> Result<Option<NewNotification>> {
    let email = id_of(event, "entity_id")?.to_string();
    let data = json!({
        "token": id_of(event, "token")?,
        "actor_type": event.data.get("actor_type").cloned().unwrap_or(Value::Null),
    });
    Ok(Some(keyed(
        event,
        "password-reset",
        email.clone(),
        data,
        ("auth_identity", &email),
    )))
}

fn invite(_: &Connection, event: &Event) -> Result<Option<NewNotification>> {
    let id = id_of(event, "id")?;
    let email = id_of(event, "email")?.to_string();
    let data = json!({"token": id_of(event, "token")?});
    Ok(Some(keyed(event, "invite", email, data, ("invite", id))))
}

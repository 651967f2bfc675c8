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

use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::events::{Event, Subscriber, ack_in};
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
        let claimed = notification::claim(tx, &ctx, &send.new)?;
        let event = send.event.clone();
        if claimed.status == "success" {
            ack(tx, &ctx, event.as_ref())?;
            return Ok((claimed, Ok(String::new())));
        }
        let outcome = provider.send(&send.message(&claimed.id));
        crate::failpoint::hit("notify:in-process:sent");
        let external = outcome.as_ref().ok();
        let recorded = notification::record(
            tx,
            &ctx,
            &claimed.id,
            external.is_some(),
            external.map(String::as_str),
        )?;
        if outcome.is_ok() {
            ack(tx, &ctx, event.as_ref())?;
        }
        // A refusal commits its `failure` record; the error reaches the dispatcher after.
        Ok((recorded, outcome))
    })?;
    outcome.map(|_| recorded)
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
        Subscriber::new("notify.order-placed", "order.placed", order_placed),
        Subscriber::new("notify.order-shipped", "shipment.created", order_shipped),
        Subscriber::new("notify.order-refunded", "payment.refunded", order_refunded),
        Subscriber::new(
            "notify.password-reset",
            "auth.password_reset",
            password_reset,
        ),
        Subscriber::new("notify.invite", "invite.created", invite),
        Subscriber::new("notify.invite-resent", "invite.resent", invite),
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
    let items = order::items::items_of(conn, order_id)?;
    let methods = order::shipping::methods_of(conn, order_id)?;
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

fn order_placed(engine: &Engine, event: &Event) -> Result<()> {
    let order_id = id_of(event, "id")?;
    let found = engine.store().read(|c| match order_data(c, order_id) {
        // An order that no longer exists has nobody to mail.
        Err(Error::NotFound(_)) => Ok((None, Value::Null)),
        other => other,
    })?;
    let (Some(email), data) = found else {
        return Ok(());
    };
    deliver_acking(
        engine,
        keyed(event, "order-placed", email, data, ("order", order_id)),
        event,
    )
}

fn order_shipped(engine: &Engine, event: &Event) -> Result<()> {
    if event.data.get("no_notification").and_then(Value::as_bool) == Some(true) {
        return Ok(());
    }
    let fulfillment_id = id_of(event, "id")?;
    let found = engine.store().read(|c| {
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
        Ok(email.map(|e| (e, data, order_id.clone())))
    })?;
    let Some((email, data, order_id)) = found else {
        return Ok(());
    };
    deliver_acking(
        engine,
        keyed(event, "order-shipped", email, data, ("order", &order_id)),
        event,
    )
}

fn order_refunded(engine: &Engine, event: &Event) -> Result<()> {
    let payment_id = id_of(event, "id")?;
    let found = engine.store().read(|c| {
        let ledger = payment::ledger::retrieve(c, payment_id)?;
        let amount = ledger.refunds.last().map_or(0, |r| r.1);
        let orders = crate::flows::links::order_payment_collection()
            .lefts_of(c, &ledger.payment.payment_collection_id)?;
        let Some(order_id) = orders.first() else {
            return Ok(None);
        };
        let (email, mut data) = order_data(c, order_id)?;
        data["amount"] = json!(amount);
        Ok(email.map(|e| (e, data, order_id.clone())))
    })?;
    let Some((email, data, order_id)) = found else {
        return Ok(());
    };
    deliver_acking(
        engine,
        keyed(event, "order-refunded", email, data, ("order", &order_id)),
        event,
    )
}

fn password_reset(engine: &Engine, event: &Event) -> Result<()> {
    let email = id_of(event, "entity_id")?.to_string();
    let data = json!({
        "token": id_of(event, "token")?,
        "actor_type": event.data.get("actor_type").cloned().unwrap_or(Value::Null),
    });
    let new = keyed(
        event,
        "password-reset",
        email.clone(),
        data,
        ("auth_identity", &email),
    );
    deliver_acking(engine, new, event)
}

fn invite(engine: &Engine, event: &Event) -> Result<()> {
    let id = id_of(event, "id")?;
    let email = id_of(event, "email")?.to_string();
    let data = json!({"token": id_of(event, "token")?});
    deliver_acking(
        engine,
        keyed(event, "invite", email, data, ("invite", id)),
        event,
    )
}

//! Emailed receipts (issue 17): the till's receipt sent through the notification module
//! (`flows::notifications::deliver`, template `pos-receipt`), once per order and address —
//! the notification's idempotency key is `pos-receipt:<order id>:<address>`, so pressing the
//! button twice (or a retried request) sends one email, and another address sends another.

use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::flows::notifications;
use crate::modules::notification::{NewNotification, Notification};
use crate::modules::{customer, order};
use serde_json::Value;

/// The notification template.
pub const TEMPLATE: &str = "pos-receipt";

/// The once-only key of a receipt to an address (addresses compared without case).
pub fn idempotency_key(order_id: &str, to: &str) -> String {
    format!("pos-receipt:{order_id}:{}", to.trim().to_ascii_lowercase())
}

/// Whether an address is a till's walk-in placeholder (`…@pos.invalid`, never delivered).
pub fn is_placeholder(address: &str) -> bool {
    address.to_ascii_lowercase().ends_with(".invalid")
}

/// The address the form offers: the attached customer's, else the order's own — never the
/// walk-in placeholder (a walk-in's guest customer carries it too).
///
/// # Errors
/// 404 for an unknown order.
pub fn suggested_address(engine: &Engine, order_id: &str) -> Result<Option<String>> {
    let id = order_id.to_string();
    engine.store().read(move |c| {
        let found = order::retrieve(c, &id)?;
        if let Some(customer) = found.customer_id.as_deref()
            && let Ok(customer) = customer::retrieve(c, customer)
            && let Some(email) = customer
                .email
                .filter(|e| !e.is_empty() && !is_placeholder(e))
        {
            return Ok(Some(email));
        }
        Ok(found.email.filter(|e| !e.is_empty() && !is_placeholder(e)))
    })
}

/// Sends the receipt of `order_id` (its text and number in `data`, see the template) to `to`.
///
/// # Errors
/// 400 for the walk-in placeholder; the notification module's refusals (no provider, the
/// provider's error).
pub fn send(engine: &Engine, order_id: &str, to: &str, data: Value) -> Result<Notification> {
    let to = to.trim();
    if is_placeholder(to) {
        return Err(Error::invalid("Enter the customer's email address"));
    }
    notifications::deliver(
        engine,
        NewNotification {
            to: to.to_string(),
            channel: "email".into(),
            template: TEMPLATE.into(),
            data,
            trigger_type: Some("pos.receipt".into()),
            resource_id: Some(order_id.to_string()),
            resource_type: Some("order".into()),
            idempotency_key: Some(idempotency_key(order_id, to)),
            ..NewNotification::default()
        },
    )
}

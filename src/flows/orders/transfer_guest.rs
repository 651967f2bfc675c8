//! Staff hand an order to a guest (Medusa 2.21.2's `transfer-order-to-guest-workflow`,
//! behind `POST /admin/orders/:id/transfer/guest`): the guest customer with the email is
//! found or created, and a `transfer` change with one `TRANSFER_CUSTOMER` action (the new
//! email in `details.new_email`) is created and confirmed at once — no token, no request.
//! One local step: the customer, the change and the order move commit together.
//!
//! Medusa takes the first customer its email query returns; here a registered customer
//! with the email is preferred (and refused, as Medusa refuses one), then a guest, else a
//! new guest is made.

use super::transfer::{OrderRef, ensure_live, find_order};
use crate::db::Tx;
use crate::error::{Error, Result};
use crate::modules::customer::{self, Customer, CustomerFilter, NewCustomer};
use crate::modules::order::changes::{self, NewAction, NewChange};
use crate::workflow::{Done, Handle, Step, StepCtx, Workflow};
use serde::{Deserialize, Serialize};
use serde_json::json;

/// `POST /admin/orders/:id/transfer/guest`.
pub const GUEST: &str = "transfer-order-to-guest-workflow";

/// [`GUEST`]'s input.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GuestTransfer {
    /// The order.
    pub order_id: String,
    /// The guest's email (found or made).
    pub email: String,
    /// The staff user.
    #[serde(default)]
    pub logged_in_user: Option<String>,
    /// On the change.
    #[serde(default)]
    pub description: Option<String>,
    /// On the change.
    #[serde(default)]
    pub internal_note: Option<String>,
}

/// [`GUEST`] typed.
pub const TRANSFER_TO_GUEST: Handle<GuestTransfer, OrderRef> = Handle::new(GUEST);

/// The workflow, registered with the other order workflows.
pub fn workflow() -> Workflow {
    TRANSFER_TO_GUEST
        .workflow()
        .step(Step::local("transfer-order-to-guest", guest_step))
}

/// Medusa's `findOrCreateCustomerStep` for an email (also used when staff give an order
/// without an email its first one).
///
/// # Errors
/// Database failures.
pub(super) fn find_or_create(tx: &Tx, step: &StepCtx, email: &str) -> Result<Customer> {
    let with = |has_account| -> Result<Option<Customer>> {
        let filter = CustomerFilter {
            email: vec![email.to_string()],
            has_account: Some(has_account),
            ..CustomerFilter::default()
        };
        Ok(customer::list(tx, &filter, 0, 1)?.0.into_iter().next())
    };
    if let Some(found) = with(true)? {
        return Ok(found);
    }
    if let Some(found) = with(false)? {
        return Ok(found);
    }
    let input = NewCustomer {
        email: email.to_string(),
        has_account: false,
        ..NewCustomer::default()
    };
    customer::create(tx, step.engine.ctx(), &input)
}

fn guest_step(tx: &Tx, step: &StepCtx) -> Result<Done> {
    let ctx = step.engine.ctx();
    let input: GuestTransfer = step.input_as()?;
    let found = find_order(tx, &input.order_id)?;
    let taker = find_or_create(tx, step, &input.email)?;
    ensure_live(&found)?;
    if found.customer_id.as_deref() == Some(taker.id.as_str()) {
        return Err(Error::invalid(format!(
            "Order: {} already belongs to customer: {}",
            found.id, taker.id
        )));
    }
    if taker.has_account {
        return Err(Error::invalid(format!(
            "Cannot transfer order: {} to registered customer account: {}. Only guest customers are allowed.",
            found.id,
            taker.email.as_deref().unwrap_or_default()
        )));
    }
    let by = input.logged_in_user;
    let new = NewChange {
        order_id: found.id.clone(),
        change_type: "transfer".into(),
        description: input.description,
        internal_note: input.internal_note,
        created_by: by.clone(),
        ..Default::default()
    };
    let change = changes::create(tx, ctx, &new)?;
    let action = NewAction {
        action: changes::TRANSFER_CUSTOMER.into(),
        reference: Some("customer".into()),
        reference_id: Some(taker.id.clone()),
        details: json!({"original_email": found.email, "new_email": taker.email}),
        amount: None,
        ..Default::default()
    };
    changes::add_action(tx, ctx, &change, &action)?;
    changes::confirm(tx, ctx, &change.id, by.as_deref())?;
    Done::of(&OrderRef { order_id: found.id })
}

//! Order transfer (Medusa 2.21.2's `request-order-transfer-workflow`,
//! `accept-order-transfer-workflow`, `decline-transfer-order-request`,
//! `cancel-transfer-order-request`): a signed-in customer asks for a guest order; whoever
//! holds the order's mailbox accepts (the order becomes the customer's) or declines with the
//! token; the requester may cancel. Each is one local step, so every check and the write it
//! guards share one write job, and the change's state is re-checked by the module's guarded
//! `UPDATE`s.
//!
//! **The token.** Medusa mails it to the order's email through its notification module; this
//! store has none, so `order.transfer_requested` carries it in its payload
//! (`{id, order_change_id, email, token}`) for a subscriber to deliver. It is 256 bits from the
//! OS CSPRNG; the action's `details` keep only its SHA-256 (`token_hash`, where Medusa keeps
//! the token itself), the accept / decline workflows receive only the SHA-256 of the token
//! presented (so the workflow journal never holds a live token), and the two digests are
//! compared in constant time.
//!
//! The admin routes (`POST /admin/orders/:id/transfer` and `…/transfer/cancel`) run the same
//! workflows with `logged_in_user` (the staff member, who is then `created_by` /
//! `requested_by` / `canceled_by`) and, for cancel, `actor_type: "user"`: staff may move any
//! order and cancel any transfer, as on Medusa.
//!
//! **One difference in who may ask:** Medusa lets any signed-in customer request any order,
//! including another registered customer's, and answers with the whole order. Here a
//! signed-in customer never sees another customer's order (as on `GET /store/orders/:id`),
//! so such a request is the same 404 as an unknown order. Guest orders move as in Medusa.

use crate::crypto;
use crate::db::Tx;
use crate::error::{Error, Result};
use crate::modules::customer::{self, Customer};
use crate::modules::order::changes::{self, ChangeAction, NewAction, NewChange, OrderChange};
use crate::modules::order::{self, Order};
use crate::workflow::{Done, Handle, Step, StepCtx, Workflow};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// `POST /store/orders/:id/transfer/request`.
pub const REQUEST: &str = "request-order-transfer-workflow";
/// `POST /store/orders/:id/transfer/accept`.
pub const ACCEPT: &str = "accept-order-transfer-workflow";
/// `POST /store/orders/:id/transfer/decline`.
pub const DECLINE: &str = "decline-transfer-order-request";
/// `POST /store/orders/:id/transfer/cancel`.
pub const CANCEL: &str = "cancel-transfer-order-request";

/// [`REQUEST`]'s input: staff (`logged_in_user`, the admin route) or the customer asks.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequestTransfer {
    /// The order.
    pub order_id: String,
    /// Who takes it.
    pub customer_id: String,
    /// The staff user asking (absent or `null` for a customer).
    #[serde(default)]
    pub logged_in_user: Option<String>,
    /// On the change.
    #[serde(default)]
    pub description: Option<String>,
    /// On the change.
    #[serde(default)]
    pub internal_note: Option<String>,
    /// The order takes the new customer's email too.
    #[serde(default)]
    pub update_order_email: Option<bool>,
}

/// The input of [`ACCEPT`] and [`DECLINE`]: the order and the SHA-256 of the token presented.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TransferToken {
    /// The order.
    pub order_id: String,
    /// Hex SHA-256 of the token.
    pub token_sha256: String,
}

/// [`CANCEL`]'s input: staff (`actor_type: "user"`) or the requesting customer.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CancelTransfer {
    /// The order.
    pub order_id: String,
    /// The customer canceling (their own request).
    #[serde(default)]
    pub customer_id: Option<String>,
    /// The staff user canceling.
    #[serde(default)]
    pub logged_in_user: Option<String>,
    /// `"user"` for staff.
    #[serde(default)]
    pub actor_type: Option<String>,
}

/// What the transfer workflows answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrderRef {
    /// The order.
    pub order_id: String,
}

/// [`REQUEST`] typed.
pub const REQUEST_TRANSFER: Handle<RequestTransfer, OrderRef> = Handle::new(REQUEST);
/// [`ACCEPT`] typed.
pub const ACCEPT_TRANSFER: Handle<TransferToken, OrderRef> = Handle::new(ACCEPT);
/// [`DECLINE`] typed.
pub const DECLINE_TRANSFER: Handle<TransferToken, OrderRef> = Handle::new(DECLINE);
/// [`CANCEL`] typed.
pub const CANCEL_TRANSFER: Handle<CancelTransfer, OrderRef> = Handle::new(CANCEL);

/// The four workflows, registered with the other order workflows.
pub fn workflows() -> Vec<Workflow> {
    vec![
        REQUEST_TRANSFER
            .workflow()
            .step(Step::local("request-order-transfer", request_step)),
        ACCEPT_TRANSFER
            .workflow()
            .step(Step::local("accept-order-transfer", accept_step)),
        DECLINE_TRANSFER
            .workflow()
            .step(Step::local("decline-order-transfer", decline_step)),
        CANCEL_TRANSFER
            .workflow()
            .step(Step::local("cancel-order-transfer", cancel_step)),
    ]
}

/// The input of [`ACCEPT`] and [`DECLINE`] for a presented token.
pub fn token_input(order_id: &str, token: &str) -> TransferToken {
    TransferToken {
        order_id: order_id.to_string(),
        token_sha256: crypto::sha256_hex(token.as_bytes()),
    }
}

fn done(order_id: &str) -> Result<Done> {
    Done::of(&OrderRef {
        order_id: order_id.to_string(),
    })
}

/// Medusa's not-found message for the order of these workflows (a query with
/// `throwIfKeyNotFound`).
pub(super) fn find_order(tx: &Tx, id: &str) -> Result<Order> {
    order::retrieve(tx, id).map_err(|e| match e {
        Error::NotFound(_) => Error::NotFound(format!("Order id not found: {id}")),
        other => other,
    })
}

/// Medusa's `throwIfOrderIsCancelled`.
pub(super) fn ensure_live(found: &Order) -> Result<()> {
    if found.status == "canceled" {
        return Err(Error::invalid(format!(
            "Order with id {} has been canceled.",
            found.id
        )));
    }
    Ok(())
}

fn request_step(tx: &Tx, step: &StepCtx) -> Result<Done> {
    let ctx = step.engine.ctx();
    let input: RequestTransfer = step.input_as()?;
    let found = find_order(tx, &input.order_id)?;
    let taker = customer::retrieve(tx, &input.customer_id)?;
    // Staff (`logged_in_user`, the admin route) may move any order; a customer only one
    // that is not another registered customer's.
    let staff = input.logged_in_user.as_deref();
    if staff.is_none() {
        check_owner(tx, &found, &taker)?;
    }
    check_request(&found, &taker)?;
    let by = staff.unwrap_or(&taker.id).to_string();
    let new = NewChange {
        order_id: found.id.clone(),
        change_type: "transfer".into(),
        description: input.description.clone(),
        internal_note: input.internal_note.clone(),
        created_by: Some(by.clone()),
        ..Default::default()
    };
    let change = changes::create(tx, ctx, &new)?;
    let token = crypto::random_hex(32);
    let new_email = input.update_order_email == Some(true);
    let action = transfer_to(&found, &taker, &token, new_email);
    changes::add_action(tx, ctx, &change, &action)?;
    changes::mark_requested(tx, ctx, &change.id, Some(&by))?;
    let data =
        json!({"id": found.id, "order_change_id": change.id, "email": found.email, "token": token});
    ctx.emit(tx, "order.transfer_requested", data)?;
    done(&found.id)
}

/// Ours, for customers only: another registered customer's order is not found.
fn check_owner(tx: &Tx, found: &Order, taker: &Customer) -> Result<()> {
    if let Some(owner) = found.customer_id.as_deref()
        && owner != taker.id
        && customer::retrieve(tx, owner).is_ok_and(|c| c.has_account)
    {
        return Err(Error::NotFound(format!("Order id not found: {}", found.id)));
    }
    Ok(())
}

/// Who may take which order: Medusa's checks (not canceled, a registered customer, not
/// already theirs).
fn check_request(found: &Order, taker: &Customer) -> Result<()> {
    ensure_live(found)?;
    if !taker.has_account {
        return Err(Error::invalid(format!(
            "Cannot transfer order: {} to a guest customer account: {}",
            found.id,
            taker.email.as_deref().unwrap_or_default()
        )));
    }
    if found.customer_id.as_deref() == Some(taker.id.as_str()) {
        return Err(Error::invalid(format!(
            "Order: {} already belongs to customer: {}",
            found.id, taker.id
        )));
    }
    Ok(())
}

/// The `TRANSFER_CUSTOMER` action: the token's digest (never the token), the email the
/// order had, and the taker's email when the order's should follow.
fn transfer_to(found: &Order, taker: &Customer, token: &str, new_email: bool) -> NewAction {
    let mut details = json!({
        "token_hash": crypto::sha256_hex(token.as_bytes()),
        "original_email": found.email,
    });
    if new_email {
        details["new_email"] = json!(taker.email);
    }
    NewAction {
        action: changes::TRANSFER_CUSTOMER.into(),
        reference: Some("customer".into()),
        reference_id: Some(taker.id.clone()),
        details,
        amount: None,
        ..Default::default()
    }
}

/// The open change's `TRANSFER_CUSTOMER` action.
fn transfer_action(tx: &Tx, change: &OrderChange) -> Result<Option<ChangeAction>> {
    Ok(changes::actions_of(tx, &change.id)?
        .into_iter()
        .find(|a| a.action == changes::TRANSFER_CUSTOMER))
}

/// Refuses unless `presented` (a SHA-256 hex) is the digest stored with the action.
fn check_token(action: Option<&ChangeAction>, presented: &str) -> Result<()> {
    let stored = action
        .and_then(|a| a.details.get("token_hash"))
        .and_then(Value::as_str)
        .unwrap_or_default();
    if stored.is_empty() || !crypto::constant_time_eq(stored.as_bytes(), presented.as_bytes()) {
        return Err(Error::not_allowed("Invalid token."));
    }
    Ok(())
}

fn accept_step(tx: &Tx, step: &StepCtx) -> Result<Done> {
    let input: TransferToken = step.input_as()?;
    let found = find_order(tx, &input.order_id)?;
    ensure_live(&found)?;
    let change = changes::open_change(tx, &found.id)?
        .filter(|c| c.status == "requested" && c.change_type.as_deref() == Some("transfer"))
        .ok_or_else(|| {
            Error::invalid(format!(
                "Order {} does not have an order transfer request.",
                found.id
            ))
        })?;
    check_token(transfer_action(tx, &change)?.as_ref(), &input.token_sha256)?;
    changes::confirm(tx, step.engine.ctx(), &change.id, None)?;
    done(&found.id)
}

/// The order's open change, or Medusa's "An active Order Change is required to proceed".
fn active_change(tx: &Tx, order_id: &str) -> Result<OrderChange> {
    changes::open_change(tx, order_id)?
        .ok_or_else(|| Error::invalid("An active Order Change is required to proceed"))
}

fn decline_step(tx: &Tx, step: &StepCtx) -> Result<Done> {
    let input: TransferToken = step.input_as()?;
    let found = find_order(tx, &input.order_id)?;
    let change = active_change(tx, &found.id)?;
    check_token(transfer_action(tx, &change)?.as_ref(), &input.token_sha256)?;
    changes::decline(tx, step.engine.ctx(), &change.id, None)?;
    done(&found.id)
}

fn cancel_step(tx: &Tx, step: &StepCtx) -> Result<Done> {
    let input: CancelTransfer = step.input_as()?;
    let found = find_order(tx, &input.order_id)?;
    ensure_live(&found)?;
    let change = active_change(tx, &found.id)?;
    // Staff (`actor_type: "user"`) may cancel any transfer; a customer only their own.
    let by = if input.actor_type.as_deref() == Some("user") {
        input.logged_in_user.as_deref().unwrap_or("")
    } else {
        let customer_id = input.customer_id.as_deref().unwrap_or("");
        let requester = transfer_action(tx, &change)?.and_then(|a| a.reference_id);
        if requester.as_deref() != Some(customer_id) {
            return Err(Error::not_allowed(
                "This customer is not allowed to cancel the transfer.",
            ));
        }
        customer_id
    };
    changes::cancel(tx, step.engine.ctx(), &change.id, Some(by))?;
    done(&found.id)
}

//! `transfer-cart-customer` (Medusa's id): a guest cart becomes the logged-in customer's —
//! `POST /store/carts/:id/customer`, which storefronts call when a shopper signs in with a
//! cart already filled.
//!
//! Like Medusa: the same customer is a no-op (no write, no event, the email the shopper may
//! have edited stays); another customer takes the cart with their email, the cart is refreshed
//! (prices, shipping, taxes, payment collection) and `cart.customer_transferred {id}` is
//! emitted. Medusa 2.21.2 names `customer.customer_id` for the event's `customer_id`, which
//! does not exist, so its payload is `{id}` alone; so is ours.
//!
//! Two refusals Medusa's workflow does not make, both checked inside the write job:
//! - a completed cart (400) or one being completed (409), through
//!   [`carts::retrieve_open`] — the cart of an order being
//!   placed must not change hands;
//! - a cart that belongs to another *registered* customer (400 `not_allowed`): Medusa fetches
//!   `customer.has_account` for this workflow but never checks it, which lets anyone holding a
//!   cart id take a signed-in shopper's cart and its addresses. Guest carts move freely.

use super::{carts, refresh};
use crate::db::Tx;
use crate::error::{Error, Result};
use crate::modules::{cart, customer};
use crate::workflow::{Done, Handle, Step, Workflow};
use serde::{Deserialize, Serialize};
use serde_json::{Map, json};

/// The workflow's id (Medusa's).
pub const WORKFLOW: &str = "transfer-cart-customer";

/// The workflow's input: which cart goes to which customer.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TransferCart {
    /// The cart.
    pub cart_id: String,
    /// The signed-in customer taking it.
    pub customer_id: String,
    /// The request's `additional_data`, journaled with the input.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub additional_data: Option<serde_json::Value>,
}

/// The cart a cart workflow acted on (also `complete-cart`'s and
/// `create-payment-collection-for-cart`'s input).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CartRef {
    /// Its id.
    pub cart_id: String,
}

/// The typed handle: `TRANSFER.run(engine, &TransferCart {..}, key)`.
pub const TRANSFER: Handle<TransferCart, CartRef> = Handle::new(WORKFLOW);

/// The workflow: one local step.
pub fn workflow() -> Workflow {
    TRANSFER
        .workflow()
        .step(Step::local("transfer-cart-customer", |tx, s| {
            let input: TransferCart = s.input_as()?;
            transfer(tx, s.engine, &input.cart_id, &input.customer_id)?;
            Done::of(&CartRef {
                cart_id: input.cart_id,
            })
        }))
}

/// Gives the cart to `customer_id`.
///
/// # Errors
/// 404 unknown cart or customer; 400 completed cart or one owned by another registered
/// customer; 409 a cart being completed.
pub fn transfer(tx: &Tx, engine: &crate::Engine, cart_id: &str, customer_id: &str) -> Result<()> {
    let ctx = engine.ctx();
    let found = cart::retrieve(tx, cart_id)?;
    let taker = customer::retrieve(tx, customer_id)?;
    if found.customer_id.as_deref() == Some(taker.id.as_str()) {
        return Ok(());
    }
    carts::retrieve_open(tx, cart_id)?;
    if let Some(owner) = found.customer_id.as_deref()
        && customer::retrieve(tx, owner).is_ok_and(|c| c.has_account)
    {
        return Err(Error::not_allowed(format!(
            "Cart {cart_id} belongs to another customer"
        )));
    }
    let mut changes = Map::new();
    changes.insert("customer_id".into(), json!(taker.id));
    changes.insert("email".into(), json!(taker.email));
    cart::update(tx, ctx, cart_id, &changes)?;
    refresh::refresh(tx, engine, cart_id, false)?;
    ctx.emit(tx, "cart.customer_transferred", json!({ "id": cart_id }))
}

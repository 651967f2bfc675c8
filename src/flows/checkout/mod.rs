//! Cart and checkout (issue 5): the cross-module flows over cart, inventory, stock location,
//! fulfillment, payment, tax and order, and the catalog they price from.
//!
//! Every cart change is a registered workflow (Medusa's ids: `create-carts`, `add-to-cart`,
//! `update-line-item-in-cart`, `delete-line-items`, `update-cart`,
//! `add-shipping-method-to-cart`, `update-cart-promotions`, `update-tax-lines`, `create-payment-collection-for-cart`,
//! `create-payment-session`, `complete-cart`), so each is journaled, runs its local steps in
//! one write job, and honours an idempotency key. Cart changes are one local group (a failure
//! rolls the whole group back to its savepoint); `complete-cart` and `create-payment-session`
//! call the payment provider as an external step with compensation.

pub mod carts;
pub mod catalog;
pub mod complete;
pub mod create;
pub mod inputs;
pub mod payment;
pub mod promotions;
pub mod refresh;
pub mod shipping_price;
pub mod stock;
pub mod taxes;
pub mod transfer;

#[cfg(test)]
pub(crate) mod recovery_tests;

pub use create::CREATE_CARTS;
pub use inputs::{
    ADD_SHIPPING_METHOD, ADD_TO_CART, COMPLETE_CART, CREATE_PAYMENT_COLLECTION,
    CREATE_PAYMENT_SESSION, DELETE_LINE_ITEMS, UPDATE_CART, UPDATE_CART_PROMOTIONS,
    UPDATE_LINE_ITEM, UPDATE_TAX_LINES,
};
pub use transfer::{CartRef, TRANSFER};

use crate::db::Tx;
use crate::engine::Engine;
use crate::error::Result;
use crate::workflow::hooks::{self, points};
use crate::workflow::{Done, Handle, Step, Workflow};
use inputs::{CartChange, CollectionRef, PromotionAction, PromotionChange};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// A one-step cart workflow: its step reads the typed [`CartChange`], runs `op` on it and
/// answers the cart's [`CartRef`].
fn cart_workflow<B: Serialize + DeserializeOwned + 'static>(
    handle: Handle<CartChange<B>, CartRef>,
    step: &str,
    op: fn(&Tx, &Engine, &CartChange<B>) -> Result<()>,
) -> Workflow {
    handle
        .workflow()
        .transient()
        .step(Step::local(step, move |tx, s| {
            let change: CartChange<B> = s.input_as()?;
            op(tx, s.engine, &change)?;
            Done::of(&CartRef {
                cart_id: change.cart_id,
            })
        }))
}

/// Every checkout workflow, registered by `Engine::builder`.
pub fn workflows() -> Vec<Workflow> {
    vec![
        create::workflow(),
        cart_workflow(ADD_TO_CART, "add-line-item", |tx, engine, c| {
            let item = &c.body;
            carts::add_line(
                tx,
                engine,
                &c.cart_id,
                &item.variant_id,
                item.quantity,
                item.metadata.as_ref(),
            )?;
            refresh::refresh(tx, engine, &c.cart_id, false)
        }),
        cart_workflow(UPDATE_LINE_ITEM, "update-line-item", |tx, engine, c| {
            let metadata = c.body.metadata.as_ref();
            carts::set_line(
                tx,
                engine,
                &c.cart_id,
                &c.line_id,
                c.body.quantity,
                metadata,
            )
        }),
        cart_workflow(DELETE_LINE_ITEMS, "delete-line-item", |tx, engine, c| {
            carts::delete_item(tx, engine, &c.cart_id, &c.line_id)
        }),
        cart_workflow(UPDATE_CART, "update-cart", |tx, engine, c| {
            carts::update_cart(tx, engine, &c.cart_id, &c.body)
        })
        .step(hooks::step(points::CART_UPDATED, |s| {
            Ok(Some(s.result("update-cart").clone()))
        })),
        UPDATE_CART_PROMOTIONS
            .workflow()
            .transient()
            .step(Step::local("update-cart-promotions", |tx, s| {
                let change: PromotionChange = s.input_as()?;
                let add = change.action == PromotionAction::Add;
                carts::change_codes(tx, s.engine, &change.cart_id, &change.body.promo_codes, add)?;
                Done::of(&CartRef {
                    cart_id: change.cart_id,
                })
            })),
        cart_workflow(
            ADD_SHIPPING_METHOD,
            "add-shipping-method",
            |tx, engine, c| carts::add_shipping_method(tx, engine, &c.cart_id, &c.body),
        ),
        cart_workflow(UPDATE_TAX_LINES, "update-tax-lines", |tx, engine, c| {
            carts::retrieve_open(tx, &c.cart_id)?;
            refresh::refresh(tx, engine, &c.cart_id, true)
        }),
        CREATE_PAYMENT_COLLECTION
            .workflow()
            .transient()
            .step(Step::local("create-collection", |tx, s| {
                let cart: CartRef = s.input_as()?;
                let id = payment::collection_for_cart(tx, s.engine.ctx(), &cart.cart_id)?;
                Done::of(&CollectionRef {
                    payment_collection_id: id,
                })
            })),
        payment::session_workflow(),
        complete::workflow(),
        transfer::workflow(),
    ]
}

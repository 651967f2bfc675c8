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
pub mod payment;
pub mod promotions;
pub mod refresh;
pub mod shipping_price;
pub mod stock;
pub mod transfer;

use crate::db::Tx;
use crate::error::Result;
use crate::workflow::hooks::{self, points};
use crate::workflow::{Done, Step, StepCtx, Workflow};
use serde_json::{Value, json};

fn input_cart(step: &StepCtx) -> String {
    step.input["cart_id"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

fn done_cart(cart_id: &str) -> Result<Done> {
    Ok(Done::new(json!({"cart_id": cart_id})))
}

fn body<'a>(step: &'a StepCtx<'a>) -> &'a Value {
    &step.input["body"]
}

/// A one-step cart workflow whose step runs `op(tx, ctx, cart_id, body)`.
fn cart_workflow(
    name: &str,
    step: &str,
    op: fn(&Tx, &StepCtx, &str, &Value) -> Result<()>,
) -> Workflow {
    Workflow::new(name).step(Step::local(step, move |tx, s| {
        let cart_id = input_cart(s);
        op(tx, s, &cart_id, body(s))?;
        done_cart(&cart_id)
    }))
}

/// Every checkout workflow, registered by `Engine::builder`.
pub fn workflows() -> Vec<Workflow> {
    vec![
        create::workflow(),
        cart_workflow("add-to-cart", "add-line-item", |tx, s, id, b| {
            carts::add_item(tx, s.engine, id, b)?;
            refresh::refresh(tx, s.engine, id, false)
        }),
        cart_workflow(
            "update-line-item-in-cart",
            "update-line-item",
            |tx, s, id, b| {
                let line = s.input["line_id"].as_str().unwrap_or_default();
                carts::update_item(tx, s.engine, id, line, b)
            },
        ),
        cart_workflow("delete-line-items", "delete-line-item", |tx, s, id, _| {
            let line = s.input["line_id"].as_str().unwrap_or_default();
            carts::delete_item(tx, s.engine, id, line)
        }),
        cart_workflow("update-cart", "update-cart", |tx, s, id, b| {
            carts::update(tx, s.engine, id, b)
        })
        .step(hooks::step(points::CART_UPDATED, |s| {
            Ok(Some(s.result("update-cart").clone()))
        })),
        cart_workflow(
            "update-cart-promotions",
            "update-cart-promotions",
            |tx, s, id, b| {
                let add = s.input["action"].as_str() != Some("remove");
                carts::change_promotions(tx, s.engine, id, b, add)
            },
        ),
        cart_workflow(
            "add-shipping-method-to-cart",
            "add-shipping-method",
            |tx, s, id, b| carts::add_shipping_method(tx, s.engine, id, b),
        ),
        cart_workflow("update-tax-lines", "update-tax-lines", |tx, s, id, _| {
            carts::retrieve_open(tx, id)?;
            refresh::refresh(tx, s.engine, id, true)
        }),
        Workflow::new("create-payment-collection-for-cart").step(Step::local(
            "create-collection",
            |tx, s| {
                let id = payment::collection_for_cart(tx, s.engine.ctx(), &input_cart(s))?;
                Ok(Done::new(json!({"payment_collection_id": id})))
            },
        )),
        payment::session_workflow(),
        complete::workflow(),
        transfer::workflow(),
    ]
}

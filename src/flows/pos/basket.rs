//! `pos-update-basket`: every change to the sale being rung up, as one journaled workflow
//! `{session_id, user_id, action, …}` whose single local step checks that the session is
//! open and then calls the checkout's own cart functions (the same the Store API's cart
//! workflows run), so prices, taxes and promotions come out exactly as online.
//!
//! The basket is a cart in the register's channel and region, its shipping address the
//! till's location (taxes are those of the shop), its email a walk-in address under the
//! reserved `.invalid` domain until a customer is attached. Actions:
//! `add {variant_id, quantity}`, `quantity {line_id, quantity}` (0 removes), `remove
//! {line_id}`, `customer {customer_id | null}`, `promo_add {code}`, `promo_remove {code}`,
//! `discount {line_id, amount, reason}` (per unit, minor units; managers only, see
//! [`may_discount`]), `clear` (drop the basket: the next scan starts a new one).

use super::types::{BasketChange, BasketRef, UPDATE_BASKET};
use crate::db::Tx;
use crate::error::{Error, Result};
use crate::flows::checkout::{carts, refresh, transfer};
use crate::modules::pos::{self, Register, sessions};
use crate::modules::{cart, stock_location, user};
use crate::workflow::{Done, Step, StepCtx, Workflow};
use serde_json::{Map, Value, json};

/// The role that may give manual line discounts.
pub const MANAGER_ROLE: &str = "manager";

/// The workflow ([`UPDATE_BASKET`]).
pub fn workflow() -> Workflow {
    UPDATE_BASKET
        .workflow()
        .step(Step::local(UPDATE_BASKET.name(), update))
}

/// A field the action needs, or a 400 naming it (the boundary's wording).
fn needed<'a>(field: &'a Option<String>, name: &str) -> Result<&'a str> {
    field
        .as_deref()
        .ok_or_else(|| Error::invalid(format!("Invalid request: Field '{name}' is required")))
}

/// The walk-in email of a register's sales (a reserved domain: never delivered).
pub fn walk_in_email(register: &Register) -> String {
    format!("walk-in+{}@pos.invalid", register.code.to_ascii_lowercase())
}

/// Whether a staff member may give manual line discounts: their user's `metadata.pos_role`
/// is `"manager"` (set with `POST /admin/users/:id {metadata: {pos_role: "manager"}}`).
///
/// # Errors
/// Database failures.
pub fn may_discount(conn: &rusqlite::Connection, user_id: &str) -> Result<bool> {
    let found = match user::retrieve(conn, user_id) {
        Ok(found) => found,
        // A secret key, not a user: no role.
        Err(e) if e.status() == 404 => return Ok(false),
        Err(e) => return Err(e),
    };
    Ok(found
        .metadata
        .as_ref()
        .and_then(|m| m.get("pos_role"))
        .and_then(Value::as_str)
        == Some(MANAGER_ROLE))
}

fn update(tx: &Tx, step: &StepCtx) -> Result<Done> {
    let input: BasketChange = step.input_as()?;
    let session = sessions::ensure_open(tx, &input.session_id)?;
    let register = pos::retrieve_register(tx, &session.register_id)?;
    let action = input.action.as_str();
    if action == "clear" {
        sessions::set_cart(tx, &session.id, None)?;
        return Done::of(&BasketRef { cart_id: None });
    }
    let cart_id = match open_cart(tx, session.cart_id.as_deref())? {
        Some(id) => id,
        None => {
            let id = new_cart(tx, step, &register)?;
            sessions::set_cart(tx, &session.id, Some(&id))?;
            id
        }
    };
    match action {
        "add" => carts::add_item(
            tx,
            step.engine,
            &cart_id,
            &json!({"variant_id": input.variant_id, "quantity": input.quantity}),
        )?,
        "quantity" => carts::update_item(
            tx,
            step.engine,
            &cart_id,
            needed(&input.line_id, "line_id")?,
            &json!({ "quantity": input.quantity }),
        )?,
        "remove" => carts::delete_item(
            tx,
            step.engine,
            &cart_id,
            needed(&input.line_id, "line_id")?,
        )?,
        "customer" => set_customer(tx, step, &input, &register, &cart_id)?,
        "promo_add" | "promo_remove" => carts::change_promotions(
            tx,
            step.engine,
            &cart_id,
            &json!({ "promo_codes": [needed(&input.code, "code")?.trim()] }),
            action == "promo_add",
        )?,
        "discount" => discount(tx, step, &input, &cart_id)?,
        other => return Err(Error::invalid(format!("Unknown basket action {other}"))),
    }
    Done::of(&BasketRef {
        cart_id: Some(cart_id),
    })
}

/// The session's cart if it can still be changed (a completed one starts a new basket).
fn open_cart(tx: &Tx, cart_id: Option<&str>) -> Result<Option<String>> {
    let Some(id) = cart_id else {
        return Ok(None);
    };
    let found = cart::retrieve(tx, id)?;
    Ok(found.completed_at.is_none().then_some(found.id))
}

/// A new basket: a cart in the till's channel and region, addressed to the till's location.
fn new_cart(tx: &Tx, step: &StepCtx, register: &Register) -> Result<String> {
    let location = stock_location::retrieve(tx, &register.stock_location_id)?;
    let address = location.address.map(|a| {
        json!({
            "address_1": a.address_1, "city": a.city, "country_code": a.country_code,
            "province": a.province, "postal_code": a.postal_code,
        })
    });
    let mut input = json!({
        "region_id": register.region_id,
        "sales_channel_id": register.sales_channel_id,
        "key_channels": [register.sales_channel_id],
        "email": walk_in_email(register),
        "metadata": {"pos_register_id": register.id},
    });
    if let Some(address) = address {
        input["shipping_address"] = address;
    }
    carts::create(tx, step.engine, &input)
}

fn set_customer(
    tx: &Tx,
    step: &StepCtx,
    input: &BasketChange,
    register: &Register,
    cart_id: &str,
) -> Result<()> {
    let ctx = step.engine.ctx();
    let mut changes = Map::new();
    changes.insert("customer_id".into(), Value::Null);
    changes.insert("email".into(), json!(walk_in_email(register)));
    cart::update(tx, ctx, cart_id, &changes)?;
    match input.customer_id.as_deref().filter(|c| !c.is_empty()) {
        Some(customer) => transfer::transfer(tx, step.engine, cart_id, customer),
        None => refresh::refresh(tx, step.engine, cart_id, false),
    }
}

/// A manual discount of `amount` per unit off a line's price, with its reason: the line's
/// price is fixed at the discounted amount (re-pricing leaves it alone) and its metadata
/// keeps the original price, the discount, the reason and who gave it.
fn discount(tx: &Tx, step: &StepCtx, input: &BasketChange, cart_id: &str) -> Result<()> {
    let ctx = step.engine.ctx();
    let user_id = input.user_id.as_str();
    if !may_discount(tx, user_id)? {
        return Err(Error::not_allowed(
            "Only a manager may give a manual discount (user metadata pos_role = \"manager\")",
        ));
    }
    let reason = input.reason.as_deref().unwrap_or("").trim();
    if reason.is_empty() {
        return Err(Error::invalid("A manual discount needs a reason"));
    }
    carts::retrieve_open(tx, cart_id)?;
    let line = cart::items::item(tx, cart_id, needed(&input.line_id, "line_id")?)?;
    let (original, already) = match line.metadata.get("pos_discount") {
        Some(d) => (
            d["original_unit_price"].as_i64().unwrap_or(line.unit_price),
            true,
        ),
        None => (line.unit_price, false),
    };
    let amount = input.amount.unwrap_or(-1);
    if amount < 0 || amount > original {
        return Err(Error::invalid(
            "The discount must be between zero and the line's unit price",
        ));
    }
    let mut metadata = line.metadata.as_object().cloned().unwrap_or_default();
    if amount == 0 && already {
        metadata.remove("pos_discount");
    } else {
        metadata.insert(
            "pos_discount".into(),
            json!({"amount": amount, "reason": reason, "user_id": user_id, "original_unit_price": original}),
        );
    }
    cart::items::set_custom_price(
        tx,
        ctx,
        &line.id,
        original - amount,
        &Value::Object(metadata),
    )?;
    refresh::refresh(tx, step.engine, cart_id, false)
}

//! `create-carts` (Medusa's id) as a typed workflow: [`CREATE_CARTS`] takes a
//! [`CreateCarts`] and returns the new cart's [`CartRef`]. The input is checked against the
//! types before anything is journaled (a misspelled field is a 400 naming it); the journal
//! still stores it as JSON, `{"body": {...}}`, as before.

use super::carts;
use super::transfer::CartRef;
use crate::workflow::hooks::{self, points};
use crate::workflow::{Done, Handle, Step, Workflow};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The workflow's input: the request body (checked by the route) with what the route adds.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateCarts {
    /// What the cart is made from.
    pub body: NewCartBody,
}

/// One line to start the cart with.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewCartItem {
    /// `variant_…`
    pub variant_id: String,
    /// Units.
    pub quantity: i64,
    /// Free-form JSON.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Value>,
}

/// `POST /store/carts`'s body, plus the request's customer and its key's sales channels.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewCartBody {
    /// `reg_…` (the default region when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region_id: Option<String>,
    /// The region's currency when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency_code: Option<String>,
    /// Email.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Address object.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shipping_address: Option<Value>,
    /// Address object.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub billing_address: Option<Value>,
    /// Lines to add.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub items: Vec<NewCartItem>,
    /// `sc_…` (must be one of `key_channels` when those are given).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sales_channel_id: Option<String>,
    /// Promotion codes to apply.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub promo_codes: Vec<String>,
    /// Free-form JSON.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Value>,
    /// For the `cart_created` hook.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub additional_data: Option<Value>,
    /// The publishable key's sales channels.
    #[serde(default)]
    pub key_channels: Vec<String>,
    /// The signed-in customer, if any.
    #[serde(default)]
    pub customer_id: Option<String>,
}

/// The typed handle: `CREATE_CARTS.run(engine, &CreateCarts {..}, key)`.
pub const CREATE_CARTS: Handle<CreateCarts, CartRef> = Handle::new("create-carts");

/// The workflow: create the cart (with its lines, refreshed), then the `cart_created` hook.
pub fn workflow() -> Workflow {
    CREATE_CARTS
        .workflow()
        .transient()
        .step(Step::local("create-cart", |tx, s| {
            let input: CreateCarts = s.input_as()?;
            let cart_id = carts::create_cart(tx, s.engine, &input.body)?;
            Done::of(&CartRef { cart_id })
        }))
        .step(hooks::step(points::CART_CREATED, |s| {
            Ok(Some(s.result("create-cart").clone()))
        }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workflow::parse_input;
    use serde_json::json;

    #[test]
    fn a_misspelled_field_is_refused_at_the_boundary() {
        let ok: CreateCarts = parse_input(
            &json!({"body": {"region_id": "reg_1", "items": [{"variant_id": "v", "quantity": 2}]}}),
        )
        .expect("fits");
        assert_eq!(ok.body.items[0].quantity, 2);
        let err = parse_input::<CreateCarts>(&json!({"body": {"regoin_id": "reg_1"}})).unwrap_err();
        assert_eq!(err.status(), 400);
        assert!(err.to_string().contains("regoin_id"), "{err}");
    }
}

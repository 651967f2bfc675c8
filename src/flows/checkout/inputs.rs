//! The checkout workflows' typed inputs, outputs and handles (issue 20, part 2).
//!
//! Each workflow's input is a serde struct whose field names are exactly the JSON keys the
//! routes journaled before the types existed (`{cart_id, line_id, body}` for a cart change),
//! so an execution journaled by an older build still parses when recovery picks it up. The
//! inputs are built by our own code (a route after its body schema, the till, a test), so
//! they refuse unknown fields: a misspelled key is a 400 naming it, never an empty id deep
//! inside a step.

use super::transfer::CartRef;
use crate::workflow::{Handle, keep_null};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// A change to one cart: the route's `:id`, its `:line_id` (empty for cart-level changes,
/// as the route has always journaled it) and the checked request body.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CartChange<B> {
    /// The cart.
    pub cart_id: String,
    /// The line the change is about (`""` when none).
    #[serde(default)]
    pub line_id: String,
    /// What changes.
    pub body: B,
}

impl<B> CartChange<B> {
    /// A cart-level change (no line).
    pub fn of(cart_id: &str, body: B) -> Self {
        CartChange {
            cart_id: cart_id.to_string(),
            line_id: String::new(),
            body,
        }
    }
}

/// No body (`update-tax-lines`, `delete-line-items`): `{}`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoBody {}

/// `POST /store/carts/:id/line-items`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AddItem {
    /// `variant_…`
    pub variant_id: String,
    /// Units (positive).
    pub quantity: i64,
    /// Free-form JSON; lines of one variant merge when their metadata is equal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Value>,
    /// For hooks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub additional_data: Option<Value>,
}

/// `POST /store/carts/:id/line-items/:line_id`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpdateItem {
    /// Units (0 removes the line).
    pub quantity: i64,
    /// Replaces the line's metadata when an object.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Value>,
    /// For hooks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub additional_data: Option<Value>,
}

/// `POST /store/carts/:id`, plus the publishable key's sales channels. The nullable fields
/// keep `null` apart from absent: `Some(None)` clears, `None` leaves alone.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpdateCart {
    /// Moves the cart to another region.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region_id: Option<String>,
    /// Email (`null` clears).
    #[serde(
        default,
        deserialize_with = "keep_null",
        skip_serializing_if = "Option::is_none"
    )]
    pub email: Option<Option<String>>,
    /// Address object (`null` clears).
    #[serde(
        default,
        deserialize_with = "keep_null",
        skip_serializing_if = "Option::is_none"
    )]
    pub shipping_address: Option<Option<Map<String, Value>>>,
    /// Address object (`null` clears).
    #[serde(
        default,
        deserialize_with = "keep_null",
        skip_serializing_if = "Option::is_none"
    )]
    pub billing_address: Option<Option<Map<String, Value>>>,
    /// `sc_…` (one of `key_channels`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sales_channel_id: Option<String>,
    /// Replaces the cart's promotion codes when present.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub promo_codes: Option<Vec<String>>,
    /// Free-form JSON (`null` clears).
    #[serde(
        default,
        deserialize_with = "keep_null",
        skip_serializing_if = "Option::is_none"
    )]
    pub metadata: Option<Option<Value>>,
    /// For the `cart_updated` hook.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub additional_data: Option<Value>,
    /// The publishable key's sales channels.
    #[serde(default)]
    pub key_channels: Vec<String>,
}

/// `POST /store/carts/:id/shipping-methods`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShippingChoice {
    /// `so_…`
    pub option_id: String,
    /// Provider data for the method.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<Value>,
    /// For hooks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub additional_data: Option<Value>,
}

/// Whether `update-cart-promotions` adds or removes its codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PromotionAction {
    /// `POST /store/carts/:id/promotions`.
    Add,
    /// `DELETE /store/carts/:id/promotions`.
    Remove,
}

/// The codes of a promotions request.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PromoCodes {
    /// Promotion codes.
    pub promo_codes: Vec<String>,
}

/// `update-cart-promotions`'s input.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PromotionChange {
    /// The cart.
    pub cart_id: String,
    /// Add or remove.
    pub action: PromotionAction,
    /// The codes.
    pub body: PromoCodes,
}

/// A payment collection a workflow made or acted on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CollectionRef {
    /// `pay_col_…`
    pub payment_collection_id: String,
}

/// `create-payment-session`'s input (`POST /store/payment-collections/:id/payment-sessions`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewSession {
    /// The collection.
    pub payment_collection_id: String,
    /// `pp_…`
    pub provider_id: String,
    /// Provider data (`null` when the request sent none, as journaled before).
    #[serde(default)]
    pub data: Option<Value>,
}

/// The order a workflow placed or acted on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrderRef {
    /// `order_…`
    pub order_id: String,
}

/// `add-to-cart`.
pub const ADD_TO_CART: Handle<CartChange<AddItem>, CartRef> = Handle::new("add-to-cart");
/// `update-line-item-in-cart`.
pub const UPDATE_LINE_ITEM: Handle<CartChange<UpdateItem>, CartRef> =
    Handle::new("update-line-item-in-cart");
/// `delete-line-items` (the line is the input's `line_id`).
pub const DELETE_LINE_ITEMS: Handle<CartChange<NoBody>, CartRef> = Handle::new("delete-line-items");
/// `update-cart`.
pub const UPDATE_CART: Handle<CartChange<UpdateCart>, CartRef> = Handle::new("update-cart");
/// `update-cart-promotions`.
pub const UPDATE_CART_PROMOTIONS: Handle<PromotionChange, CartRef> =
    Handle::new("update-cart-promotions");
/// `add-shipping-method-to-cart`.
pub const ADD_SHIPPING_METHOD: Handle<CartChange<ShippingChoice>, CartRef> =
    Handle::new("add-shipping-method-to-cart");
/// `update-tax-lines`.
pub const UPDATE_TAX_LINES: Handle<CartChange<NoBody>, CartRef> = Handle::new("update-tax-lines");
/// `create-payment-collection-for-cart`.
pub const CREATE_PAYMENT_COLLECTION: Handle<CartRef, CollectionRef> =
    Handle::new("create-payment-collection-for-cart");
/// `create-payment-session`.
pub const CREATE_PAYMENT_SESSION: Handle<NewSession, CollectionRef> =
    Handle::new("create-payment-session");
/// `complete-cart`.
pub const COMPLETE_CART: Handle<CartRef, OrderRef> = Handle::new("complete-cart");

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workflow::parse_input;
    use serde_json::json;

    #[test]
    fn the_inputs_routes_journaled_before_the_types_still_parse() {
        let add: CartChange<AddItem> = parse_input(&json!({
            "cart_id": "cart_1", "line_id": "",
            "body": {"variant_id": "variant_1", "quantity": 2, "metadata": null}
        }))
        .expect("an add-to-cart input as journaled before");
        assert_eq!(
            (add.body.variant_id.as_str(), add.body.quantity),
            ("variant_1", 2)
        );
        let update: CartChange<UpdateCart> = parse_input(&json!({
            "cart_id": "cart_1", "line_id": "",
            "body": {"email": null, "metadata": {"a": 1}, "key_channels": ["sc_1"]}
        }))
        .expect("an update-cart input");
        assert_eq!(
            update.body.email,
            Some(None),
            "null is kept apart from absent"
        );
        assert_eq!(update.body.shipping_address, None);
        let promo: PromotionChange = parse_input(&json!({
            "cart_id": "cart_1", "action": "remove", "body": {"promo_codes": ["X"]}
        }))
        .expect("a promotions input");
        assert_eq!(promo.action, PromotionAction::Remove);
        let session: NewSession = parse_input(&json!({
            "payment_collection_id": "pay_col_1", "provider_id": "pp_system_default", "data": null
        }))
        .expect("a session input");
        assert_eq!(session.data, None);
        parse_input::<CartChange<NoBody>>(&json!({"cart_id": "c", "line_id": "l", "body": {}}))
            .expect("no body");
    }

    #[test]
    fn a_misspelled_field_is_a_400_naming_it() {
        let err = parse_input::<CartChange<AddItem>>(&json!({
            "cart_id": "c", "line_id": "", "body": {"variantid": "v", "quantity": 1}
        }))
        .unwrap_err();
        assert_eq!(err.status(), 400);
        assert!(err.to_string().contains("variantid"), "{err}");
        let err = parse_input::<CartRef>(&json!({"cartid": "c"})).unwrap_err();
        assert!(err.to_string().contains("cartid"), "{err}");
    }
}

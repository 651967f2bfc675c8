//! The return workflows' typed inputs, outputs and handles (issue 20 part 2). Field names
//! are the journal's: a run journaled before the types recovers on them.

use super::targets::{ActionRef, Cancel, Confirm, NewShipping, On, ReturnKey, ShippingUpdate};
use crate::workflow::{Handle, keep_null};
use serde::{Deserialize, Serialize};
use serde_json::{Number, Value};

/// `begin-return-order`'s input (`POST /admin/returns`).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BeginReturn {
    /// The order.
    pub order_id: String,
    /// Where the items come back (the order's fulfillment location when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location_id: Option<String>,
    /// The change's description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The change's note.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub internal_note: Option<String>,
    /// Stored on the return.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub no_notification: Option<bool>,
    /// Stored on the return when an object.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Value>,
    /// Who begins it.
    #[serde(default)]
    pub created_by: Option<String>,
}

/// `update-return`'s body.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpdateReturn {
    /// A new location.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location_id: Option<String>,
    /// A new flag.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub no_notification: Option<bool>,
    /// `null` clears.
    #[serde(
        default,
        deserialize_with = "keep_null",
        skip_serializing_if = "Option::is_none"
    )]
    pub metadata: Option<Option<Value>>,
}

/// Units of an order line asked back.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReturnItem {
    /// The order line.
    pub id: String,
    /// Units.
    pub quantity: i64,
    /// Accepted like Medusa's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The action's note.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub internal_note: Option<String>,
    /// A return reason.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason_id: Option<String>,
    /// The customer's note (the store's return).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Kept on the action.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Value>,
}

/// Items asked back (`{items}`).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReturnItems {
    /// At least one.
    #[serde(default)]
    pub items: Vec<ReturnItem>,
}

/// A requested item updated (absent keeps; `null` clears a reason, a note, metadata).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpdateReturnItem {
    /// The RETURN_ITEM action.
    pub action_id: String,
    /// Units.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quantity: Option<i64>,
    /// `null` clears.
    #[serde(
        default,
        deserialize_with = "keep_null",
        skip_serializing_if = "Option::is_none"
    )]
    pub internal_note: Option<Option<String>>,
    /// `null` clears.
    #[serde(
        default,
        deserialize_with = "keep_null",
        skip_serializing_if = "Option::is_none"
    )]
    pub reason_id: Option<Option<String>>,
    /// Accepted like Medusa's.
    #[serde(
        default,
        deserialize_with = "keep_null",
        skip_serializing_if = "Option::is_none"
    )]
    pub metadata: Option<Option<Value>>,
}

/// `begin-receive-return`'s body.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BeginReceive {
    /// The change's note.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub internal_note: Option<String>,
    /// The change's description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Accepted like Medusa's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Value>,
    /// Who begins it.
    #[serde(default)]
    pub created_by: Option<String>,
}

/// Units of a returned line received (or damaged).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Receipt {
    /// The order line.
    pub id: String,
    /// Units.
    pub quantity: i64,
    /// Accepted like Medusa's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The action's note.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub internal_note: Option<String>,
}

/// Receipts (`{items}`).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Receipts {
    /// At least one.
    #[serde(default)]
    pub items: Vec<Receipt>,
}

/// A receipt updated.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpdateReceipt {
    /// The receipt action.
    pub action_id: String,
    /// Units.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quantity: Option<i64>,
    /// `null` clears.
    #[serde(
        default,
        deserialize_with = "keep_null",
        skip_serializing_if = "Option::is_none"
    )]
    pub internal_note: Option<Option<String>>,
}

/// The store's return shipping: an option (the customer's `price` is never used).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StoreShipping {
    /// A return option.
    pub option_id: String,
    /// Ignored: a customer does not set their own price.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub price: Option<Number>,
}

/// `create-complete-return-order`'s input (`POST /store/returns`).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StoreReturn {
    /// The order.
    pub order_id: String,
    /// What comes back (the body's `note` fills each item's missing one).
    #[serde(default)]
    pub items: Vec<ReturnItem>,
    /// How it comes back.
    pub return_shipping: StoreShipping,
    /// The customer's note.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Accepted like Medusa's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub receive_now: Option<bool>,
    /// Where it comes back (the order's fulfillment location when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location_id: Option<String>,
    /// The signed-in customer (`null` for a guest).
    #[serde(default)]
    pub customer_id: Option<String>,
}

/// A return and its order: what every return workflow answers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReturnRef {
    /// `return_…`
    pub return_id: String,
    /// `order_…`
    pub order_id: String,
}

/// A body for the return in the route's path.
pub type OnReturn<B> = On<ReturnKey, B>;

/// `begin-return-order`.
pub const BEGIN_RETURN: Handle<BeginReturn, ReturnRef> = Handle::new("begin-return-order");
/// `update-return`.
pub const UPDATE_RETURN: Handle<OnReturn<UpdateReturn>, ReturnRef> = Handle::new("update-return");
/// `request-item-return`.
pub const REQUEST_ITEMS: Handle<OnReturn<ReturnItems>, ReturnRef> =
    Handle::new("request-item-return");
/// `update-request-item-return`.
pub const UPDATE_REQUEST_ITEM: Handle<OnReturn<UpdateReturnItem>, ReturnRef> =
    Handle::new("update-request-item-return");
/// `remove-item-return-action`.
pub const REMOVE_REQUEST_ITEM: Handle<OnReturn<ActionRef>, ReturnRef> =
    Handle::new("remove-item-return-action");
/// `create-return-shipping-method`.
pub const ADD_SHIPPING: Handle<OnReturn<NewShipping>, ReturnRef> =
    Handle::new("create-return-shipping-method");
/// `update-return-shipping-method`.
pub const UPDATE_SHIPPING: Handle<OnReturn<ShippingUpdate>, ReturnRef> =
    Handle::new("update-return-shipping-method");
/// `remove-return-shipping-method`.
pub const REMOVE_SHIPPING: Handle<OnReturn<ActionRef>, ReturnRef> =
    Handle::new("remove-return-shipping-method");
/// `confirm-return-request`.
pub const CONFIRM_REQUEST: Handle<OnReturn<Confirm>, ReturnRef> =
    Handle::new("confirm-return-request");
/// `cancel-return-request`.
pub const CANCEL_REQUEST: Handle<OnReturn<Cancel>, ReturnRef> =
    Handle::new("cancel-return-request");
/// `create-complete-return-order`.
pub const STORE_RETURN: Handle<StoreReturn, ReturnRef> =
    Handle::new("create-complete-return-order");
/// `begin-receive-return`.
pub const BEGIN_RECEIVE: Handle<OnReturn<BeginReceive>, ReturnRef> =
    Handle::new("begin-receive-return");
/// `receive-item-return-request`.
pub const RECEIVE_ITEMS: Handle<OnReturn<Receipts>, ReturnRef> =
    Handle::new("receive-item-return-request");
/// `dismiss-item-return-request` (damaged units).
pub const DISMISS_ITEMS: Handle<OnReturn<Receipts>, ReturnRef> =
    Handle::new("dismiss-item-return-request");
/// `update-receive-item-return-request`.
pub const UPDATE_RECEIPT: Handle<OnReturn<UpdateReceipt>, ReturnRef> =
    Handle::new("update-receive-item-return-request");
/// `remove-item-receive-return-action`.
pub const REMOVE_RECEIPT: Handle<OnReturn<ActionRef>, ReturnRef> =
    Handle::new("remove-item-receive-return-action");
/// `confirm-return-receive`.
pub const CONFIRM_RECEIVE: Handle<OnReturn<Confirm>, ReturnRef> =
    Handle::new("confirm-return-receive");
/// `cancel-receive-return`.
pub const CANCEL_RECEIVE: Handle<OnReturn<Cancel>, ReturnRef> =
    Handle::new("cancel-receive-return");
/// `cancel-return`.
pub const CANCEL_RETURN: Handle<OnReturn<Cancel>, ReturnRef> = Handle::new("cancel-return");

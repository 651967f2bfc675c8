//! The order-edit workflows' typed inputs, outputs and handles (issue 20 part 2), with the
//! draft order's edit-only workflows (its promotions and existing shipping methods). Every
//! input is a body for the order in the route's path (`order_id`). Field names are the
//! journal's.

use super::targets::{
    ActionRef, Cancel, Confirm, NewItems, NewShipping, On, OrderKey, ShippingUpdate,
};
use crate::workflow::{Handle, keep_null};
use serde::{Deserialize, Serialize};
use serde_json::{Number, Value};

/// A body for the order (or draft) in the route's path.
pub type OnOrder<B> = On<OrderKey, B>;

/// `begin-order-edit-order` / `begin-draft-order-edit`'s body.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BeginEdit {
    /// The change's description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The change's note.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub internal_note: Option<String>,
    /// Accepted like Medusa's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Value>,
    /// Who begins it.
    #[serde(default)]
    pub created_by: Option<String>,
}

/// `order-edit-update-item-quantity`'s body: a line's new quantity (`:item_id`).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ItemQuantity {
    /// The order line.
    pub item_id: String,
    /// Units (0 removes the line's unfulfilled units).
    pub quantity: i64,
    /// The action's note.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub internal_note: Option<String>,
}

/// `update-order-edit-item-action`'s body (absent keeps; `null` clears the note).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpdateEditAction {
    /// The ITEM_ADD or ITEM_UPDATE action.
    pub action_id: String,
    /// Units.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quantity: Option<i64>,
    /// Staff's price of a new line (major units).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit_price: Option<Number>,
    /// `null` clears.
    #[serde(
        default,
        deserialize_with = "keep_null",
        skip_serializing_if = "Option::is_none"
    )]
    pub internal_note: Option<Option<String>>,
}

/// `request-order-edit-request`'s body.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequestEdit {
    /// Who requests it.
    #[serde(default)]
    pub requested_by: Option<String>,
}

/// A draft's promotion codes to add or remove.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PromoCodes {
    /// At least one.
    #[serde(default)]
    pub promo_codes: Vec<String>,
}

/// A draft's existing shipping method changed inside its edit.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DraftMethodChange {
    /// The method (`:method_id`).
    pub shipping_method_id: String,
    /// Another option (its price unless `custom_amount`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shipping_option_id: Option<String>,
    /// Staff's price (major units).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_amount: Option<Number>,
    /// `null` clears.
    #[serde(
        default,
        deserialize_with = "keep_null",
        skip_serializing_if = "Option::is_none"
    )]
    pub internal_note: Option<Option<String>>,
}

/// The order an edit workflow acted on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EditedOrder {
    /// `order_…`
    pub order_id: String,
}

/// What beginning an edit answers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EditBegun {
    /// `order_…`
    pub order_id: String,
    /// The edit's change, `ordch_…`
    pub order_change_id: String,
}

/// `begin-order-edit-order`.
pub const BEGIN_EDIT: Handle<OnOrder<BeginEdit>, EditBegun> = Handle::new("begin-order-edit-order");
/// `begin-draft-order-edit`.
pub const BEGIN_DRAFT_EDIT: Handle<OnOrder<BeginEdit>, EditBegun> =
    Handle::new("begin-draft-order-edit");
/// `order-edit-add-new-item`.
pub const ADD_ITEMS: Handle<OnOrder<NewItems>, EditedOrder> =
    Handle::new("order-edit-add-new-item");
/// `order-edit-update-item-quantity`.
pub const UPDATE_QUANTITY: Handle<OnOrder<ItemQuantity>, EditedOrder> =
    Handle::new("order-edit-update-item-quantity");
/// `update-order-edit-item-action`.
pub const UPDATE_ACTION: Handle<OnOrder<UpdateEditAction>, EditedOrder> =
    Handle::new("update-order-edit-item-action");
/// `remove-order-edit-item-action`.
pub const REMOVE_ACTION: Handle<OnOrder<ActionRef>, EditedOrder> =
    Handle::new("remove-order-edit-item-action");
/// `request-order-edit-request`.
pub const REQUEST_EDIT: Handle<OnOrder<RequestEdit>, EditedOrder> =
    Handle::new("request-order-edit-request");
/// `confirm-order-edit-request`.
pub const CONFIRM_EDIT: Handle<OnOrder<Confirm>, EditedOrder> =
    Handle::new("confirm-order-edit-request");
/// `cancel-begin-order-edit`.
pub const CANCEL_EDIT: Handle<OnOrder<Cancel>, EditedOrder> =
    Handle::new("cancel-begin-order-edit");
/// `create-order-edit-shipping-method`.
pub const ADD_SHIPPING: Handle<OnOrder<NewShipping>, EditedOrder> =
    Handle::new("create-order-edit-shipping-method");
/// `update-order-edit-shipping-method`.
pub const UPDATE_SHIPPING: Handle<OnOrder<ShippingUpdate>, EditedOrder> =
    Handle::new("update-order-edit-shipping-method");
/// `remove-order-edit-shipping-method`.
pub const REMOVE_SHIPPING: Handle<OnOrder<ActionRef>, EditedOrder> =
    Handle::new("remove-order-edit-shipping-method");
/// `add-draft-order-promotion`.
pub const ADD_PROMOTIONS: Handle<OnOrder<PromoCodes>, EditedOrder> =
    Handle::new("add-draft-order-promotion");
/// `remove-draft-order-promotions`.
pub const REMOVE_PROMOTIONS: Handle<OnOrder<PromoCodes>, EditedOrder> =
    Handle::new("remove-draft-order-promotions");
/// `update-draft-order-shipping-method`.
pub const UPDATE_DRAFT_METHOD: Handle<OnOrder<DraftMethodChange>, EditedOrder> =
    Handle::new("update-draft-order-shipping-method");
/// `remove-draft-order-shipping-method`.
pub const REMOVE_DRAFT_METHOD: Handle<OnOrder<DraftMethodChange>, EditedOrder> =
    Handle::new("remove-draft-order-shipping-method");

//! The draft-order workflows' typed inputs, outputs and handles (issue 20 part 2). Field
//! names are the journal's. Amounts stay the JSON that was sent (major units): the money
//! parser reads them in the step and names the field when one is malformed.

use super::edit_types::{EditedOrder, OnOrder};
use super::targets::NoBody;
use crate::workflow::{Handle, keep_null};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// A draft's line: a variant (at the region's price or `unit_price`), or a custom `title`
/// with its `unit_price`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DraftItem {
    /// `variant_…`
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variant_id: Option<String>,
    /// The variant by its SKU (Medusa 2.21.2's `variant_sku`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variant_sku: Option<String>,
    /// The variant by its barcode (Medusa's `variant_barcode`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variant_barcode: Option<String>,
    /// Medusa's deprecated name of `variant_sku`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sku: Option<String>,
    /// Medusa's deprecated name of `variant_barcode`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub barcode: Option<String>,
    /// A custom line's title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Units (at least 1).
    #[serde(default)]
    pub quantity: i64,
    /// Major units.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit_price: Option<Value>,
    /// The line's metadata when an object.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Value>,
}

/// A draft's shipping method: `{name, amount}` or `{shipping_option_id}` at its price.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DraftMethod {
    /// `so_…`
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shipping_option_id: Option<String>,
    /// The method's name (the option's when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Major units (the option's price when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<Value>,
    /// Provider data when an object.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<Value>,
}

/// `create-draft-order`'s input (`POST /admin/draft-orders`, or a fixture's draft).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewDraft {
    /// The buyer's email (the customer's when absent).
    #[serde(default)]
    pub email: Option<String>,
    /// `cus_…`
    #[serde(default)]
    pub customer_id: Option<String>,
    /// `reg_…`
    pub region_id: String,
    /// `sc_…` (the store's default channel when absent).
    #[serde(default)]
    pub sales_channel_id: Option<String>,
    /// Lines.
    #[serde(default)]
    pub items: Vec<DraftItem>,
    /// Address fields.
    #[serde(default)]
    pub shipping_address: Option<Map<String, Value>>,
    /// Address fields.
    #[serde(default)]
    pub billing_address: Option<Map<String, Value>>,
    /// One (through the API).
    #[serde(default)]
    pub shipping_methods: Vec<DraftMethod>,
    /// Accepted like Medusa's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub no_notification_order: Option<bool>,
    /// Codes to apply.
    #[serde(default)]
    pub promo_codes: Vec<String>,
    /// The draft's metadata when an object.
    #[serde(default)]
    pub metadata: Option<Value>,
}

/// `update-draft-order`'s body (`null` metadata clears it).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DraftUpdate {
    /// A new email.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Another customer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_id: Option<String>,
    /// Another channel.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sales_channel_id: Option<String>,
    /// Address fields over the current ones.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shipping_address: Option<Map<String, Value>>,
    /// Address fields over the current ones.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub billing_address: Option<Map<String, Value>>,
    /// `null` clears.
    #[serde(
        default,
        deserialize_with = "keep_null",
        skip_serializing_if = "Option::is_none"
    )]
    pub metadata: Option<Option<Value>>,
    /// Who changes it.
    #[serde(default)]
    pub user_id: Option<String>,
}

/// `create-draft-order`.
pub const CREATE_DRAFT: Handle<NewDraft, EditedOrder> = Handle::new(super::drafts::CREATE);
/// `convert-draft-order-to-order`.
pub const CONVERT_DRAFT: Handle<OnOrder<NoBody>, EditedOrder> = Handle::new(super::drafts::CONVERT);
/// `delete-draft-order`.
pub const DELETE_DRAFT: Handle<OnOrder<NoBody>, EditedOrder> = Handle::new(super::drafts::DELETE);
/// `update-draft-order`.
pub const UPDATE_DRAFT: Handle<OnOrder<DraftUpdate>, EditedOrder> =
    Handle::new(super::draft_update::UPDATE);

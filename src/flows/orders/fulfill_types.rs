//! The fulfillment workflows' typed inputs, outputs and handles (issue 20 part 2), kept
//! beside [`fulfill`](super::fulfill), which re-exports the public ones. Field names are the
//! journal's: a run journaled before the types recovers on them.

use crate::modules::fulfillment::provider::MANUAL;
use crate::workflow::Handle;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Units of one order line (`{id, quantity}`, the Admin API's item shape).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LineQuantity {
    /// The order line item.
    pub id: String,
    /// Units.
    pub quantity: i64,
}

/// `create-order-fulfillment`'s input (`POST /admin/orders/:id/fulfillments`).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FulfillOrder {
    /// The order.
    pub order_id: String,
    /// What to fulfil (at least one line).
    #[serde(default)]
    pub items: Vec<LineQuantity>,
    /// Where from (the lines' reservations' location, else the channel's first, when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location_id: Option<String>,
    /// Accepted like Medusa's; the order's own shipping option decides the provider.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shipping_option_id: Option<String>,
    /// Passed on in the event.
    #[serde(default)]
    pub no_notification: bool,
    /// Stored on the fulfillment when an object.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Value>,
    /// For the `fulfillment_created` hook.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub additional_data: Option<Value>,
}

/// A shipping label.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LabelInput {
    /// The carrier's number.
    pub tracking_number: String,
    /// Where to track it.
    pub tracking_url: String,
    /// The label itself.
    pub label_url: String,
}

/// `create-order-shipment`'s input.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShipFulfillment {
    /// The order.
    pub order_id: String,
    /// One of its fulfillments.
    pub fulfillment_id: String,
    /// Lines that must be part of the fulfillment.
    #[serde(default)]
    pub items: Vec<LineQuantity>,
    /// Labels to record.
    #[serde(default)]
    pub labels: Vec<LabelInput>,
    /// Passed on in the event.
    #[serde(default)]
    pub no_notification: bool,
    /// Accepted like Medusa's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Value>,
    /// Accepted like Medusa's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub additional_data: Option<Value>,
}

/// The input of `mark-order-fulfillment-as-delivered` and `cancel-order-fulfillment`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FulfillmentOfOrder {
    /// The order.
    pub order_id: String,
    /// One of its fulfillments.
    pub fulfillment_id: String,
    /// Passed on in the cancel's event.
    #[serde(default)]
    pub no_notification: bool,
}

/// What a fulfillment workflow made or acted on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FulfillmentRef {
    /// `ful_…`
    pub fulfillment_id: String,
}

/// `create-fulfillment`'s output (and the workflow's).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fulfilled {
    /// The order.
    pub order_id: String,
    /// The new fulfillment.
    pub fulfillment_id: String,
}

/// `validate-fulfillment`'s output: what to fulfil, where, by which provider. Journals from
/// before providers were pluggable have no provider: the manual one.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Plan {
    /// The stock location.
    pub location_id: String,
    /// Checked lines.
    pub items: Vec<LineQuantity>,
    /// The fulfillment provider.
    #[serde(default = "manual")]
    pub provider_id: String,
    /// The shipping option's data for the provider.
    #[serde(default)]
    pub option_data: Value,
}

fn manual() -> String {
    MANUAL.to_string()
}

/// `validate-cancel`'s output: the fulfillment as the provider must cancel it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct CancelPlan {
    #[serde(default = "manual")]
    pub(super) provider_id: String,
    #[serde(default)]
    pub(super) data: Value,
    pub(super) location_id: String,
    pub(super) items: Vec<CanceledLine>,
}

/// A line of a fulfillment being canceled (`id` is null for a line that has none).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct CanceledLine {
    pub(super) id: Option<String>,
    pub(super) quantity: i64,
}

/// The provider's answer, stored on the fulfillment.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct ProviderData {
    pub(super) data: Value,
}

/// `create-order-fulfillment`.
pub const CREATE_FULFILLMENT: Handle<FulfillOrder, Fulfilled> =
    Handle::new("create-order-fulfillment");
/// `create-order-shipment`.
pub const CREATE_SHIPMENT: Handle<ShipFulfillment, FulfillmentRef> =
    Handle::new("create-order-shipment");
/// `mark-order-fulfillment-as-delivered`.
pub const MARK_DELIVERED: Handle<FulfillmentOfOrder, FulfillmentRef> =
    Handle::new("mark-order-fulfillment-as-delivered");
/// `cancel-order-fulfillment`.
pub const CANCEL_FULFILLMENT: Handle<FulfillmentOfOrder, FulfillmentRef> =
    Handle::new("cancel-order-fulfillment");

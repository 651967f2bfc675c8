//! The exchange and claim workflows' typed inputs, outputs and handles (issue 20 part 2).
//! Both kinds take the same bodies under their own record key (`exchange_id` /
//! `claim_id`): [`handles`] gives a kind's set. Field names are the journal's.

use super::return_types::{ReturnItems, UpdateReturnItem};
use super::targets::{
    ActionRef, Cancel, Confirm, NewItems, NewShipping, On, RecordKey, ResizeItem, ShippingUpdate,
};
use crate::error::{Error, Result};
use crate::workflow::{Handle, keep_null};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// `begin-exchange-order` / `begin-claim-order`'s input.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BeginRecord {
    /// The order.
    pub order_id: String,
    /// A claim's `refund` or `replace`.
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub claim_type: Option<String>,
    /// Accepted like Medusa's (a claim's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason_id: Option<String>,
    /// The change's description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The change's note.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub internal_note: Option<String>,
    /// Stored on the record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub no_notification: Option<bool>,
    /// Stored on the record when an object.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Value>,
    /// Who begins it.
    #[serde(default)]
    pub created_by: Option<String>,
}

/// Units of an order line claimed (damaged or missing).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClaimItem {
    /// The order line.
    pub id: String,
    /// Units.
    pub quantity: i64,
    /// One of Medusa's claim reasons.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Kept as the item's note.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The action's note.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub internal_note: Option<String>,
}

/// `claim-item`'s body.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClaimItems {
    /// At least one.
    #[serde(default)]
    pub items: Vec<ClaimItem>,
}

/// `update-claim-item`'s body (absent keeps; `null` clears).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpdateClaimItem {
    /// The WRITE_OFF_ITEM action.
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
    pub reason: Option<Option<String>>,
    /// `null` clears.
    #[serde(
        default,
        deserialize_with = "keep_null",
        skip_serializing_if = "Option::is_none"
    )]
    pub description: Option<Option<String>>,
    /// `null` clears.
    #[serde(
        default,
        deserialize_with = "keep_null",
        skip_serializing_if = "Option::is_none"
    )]
    pub internal_note: Option<Option<String>>,
}

/// What every exchange and claim workflow answers: the record (under its kind's key), its
/// order and its inbound return (none once a confirmation found nothing coming back).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecordRef {
    /// An exchange's id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exchange_id: Option<String>,
    /// A claim's id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub claim_id: Option<String>,
    /// `order_…`
    pub order_id: String,
    /// `return_…`
    #[serde(default)]
    pub return_id: Option<String>,
}

impl RecordRef {
    /// The record's id, whichever kind it is.
    ///
    /// # Errors
    /// `unexpected_state` when the answer names no record.
    pub fn id(&self) -> Result<&str> {
        self.exchange_id
            .as_deref()
            .or(self.claim_id.as_deref())
            .ok_or_else(|| Error::UnexpectedState("the answer names no exchange or claim".into()))
    }
}

/// A body for the exchange (`CLAIM` false) or claim in the route's path.
pub type OnRecord<const CLAIM: bool, B> = On<RecordKey<CLAIM>, B>;

/// The workflows of one kind (see [`handles`]).
pub struct RecordHandles<const CLAIM: bool> {
    /// `begin-{k}-order`.
    pub begin: Handle<BeginRecord, RecordRef>,
    /// `{k}-request-item-return`.
    pub inbound_add: Handle<OnRecord<CLAIM, ReturnItems>, RecordRef>,
    /// `update-{k}-request-item-return`.
    pub inbound_update: Handle<OnRecord<CLAIM, UpdateReturnItem>, RecordRef>,
    /// `remove-{k}-request-item-return`.
    pub inbound_remove: Handle<OnRecord<CLAIM, ActionRef>, RecordRef>,
    /// `create-{k}-return-shipping-method`.
    pub inbound_shipping: Handle<OnRecord<CLAIM, NewShipping>, RecordRef>,
    /// `update-{k}-return-shipping-method`.
    pub inbound_shipping_update: Handle<OnRecord<CLAIM, ShippingUpdate>, RecordRef>,
    /// `remove-{k}-return-shipping-method`.
    pub inbound_shipping_remove: Handle<OnRecord<CLAIM, ActionRef>, RecordRef>,
    /// `{k}-add-new-item`.
    pub outbound_add: Handle<OnRecord<CLAIM, NewItems>, RecordRef>,
    /// `update-{k}-add-item`.
    pub outbound_update: Handle<OnRecord<CLAIM, ResizeItem>, RecordRef>,
    /// `remove-{k}-add-item-action`.
    pub outbound_remove: Handle<OnRecord<CLAIM, ActionRef>, RecordRef>,
    /// `create-{k}-shipping-method`.
    pub outbound_shipping: Handle<OnRecord<CLAIM, NewShipping>, RecordRef>,
    /// `update-{k}-shipping-method`.
    pub outbound_shipping_update: Handle<OnRecord<CLAIM, ShippingUpdate>, RecordRef>,
    /// `remove-{k}-shipping-method`.
    pub outbound_shipping_remove: Handle<OnRecord<CLAIM, ActionRef>, RecordRef>,
    /// `confirm-{k}-request`.
    pub confirm: Handle<OnRecord<CLAIM, Confirm>, RecordRef>,
    /// `cancel-begin-{k}-order`.
    pub cancel_request: Handle<OnRecord<CLAIM, Cancel>, RecordRef>,
    /// `cancel-{k}`.
    pub cancel: Handle<OnRecord<CLAIM, Cancel>, RecordRef>,
}

/// The workflows of the kind `CLAIM` names (the names differ only in `exchange` / `claim`).
pub const fn handles<const CLAIM: bool>() -> RecordHandles<CLAIM> {
    const fn name(claim: bool, (exchange, of_claim): (&'static str, &'static str)) -> &'static str {
        if claim { of_claim } else { exchange }
    }
    RecordHandles {
        begin: Handle::new(name(CLAIM, ("begin-exchange-order", "begin-claim-order"))),
        inbound_add: Handle::new(name(
            CLAIM,
            ("exchange-request-item-return", "claim-request-item-return"),
        )),
        inbound_update: Handle::new(name(
            CLAIM,
            (
                "update-exchange-request-item-return",
                "update-claim-request-item-return",
            ),
        )),
        inbound_remove: Handle::new(name(
            CLAIM,
            (
                "remove-exchange-request-item-return",
                "remove-claim-request-item-return",
            ),
        )),
        inbound_shipping: Handle::new(name(
            CLAIM,
            (
                "create-exchange-return-shipping-method",
                "create-claim-return-shipping-method",
            ),
        )),
        inbound_shipping_update: Handle::new(name(
            CLAIM,
            (
                "update-exchange-return-shipping-method",
                "update-claim-return-shipping-method",
            ),
        )),
        inbound_shipping_remove: Handle::new(name(
            CLAIM,
            (
                "remove-exchange-return-shipping-method",
                "remove-claim-return-shipping-method",
            ),
        )),
        outbound_add: Handle::new(name(CLAIM, ("exchange-add-new-item", "claim-add-new-item"))),
        outbound_update: Handle::new(name(
            CLAIM,
            ("update-exchange-add-item", "update-claim-add-item"),
        )),
        outbound_remove: Handle::new(name(
            CLAIM,
            (
                "remove-exchange-add-item-action",
                "remove-claim-add-item-action",
            ),
        )),
        outbound_shipping: Handle::new(name(
            CLAIM,
            (
                "create-exchange-shipping-method",
                "create-claim-shipping-method",
            ),
        )),
        outbound_shipping_update: Handle::new(name(
            CLAIM,
            (
                "update-exchange-shipping-method",
                "update-claim-shipping-method",
            ),
        )),
        outbound_shipping_remove: Handle::new(name(
            CLAIM,
            (
                "remove-exchange-shipping-method",
                "remove-claim-shipping-method",
            ),
        )),
        confirm: Handle::new(name(
            CLAIM,
            ("confirm-exchange-request", "confirm-claim-request"),
        )),
        cancel_request: Handle::new(name(
            CLAIM,
            ("cancel-begin-exchange-order", "cancel-begin-claim-order"),
        )),
        cancel: Handle::new(name(CLAIM, ("cancel-exchange", "cancel-claim"))),
    }
}

/// The exchange workflows.
pub const EXCHANGE: RecordHandles<false> = handles::<false>();
/// The claim workflows (its claim items are [`CLAIM_ITEMS`] and the two after it).
pub const CLAIM: RecordHandles<true> = handles::<true>();

/// `claim-item`.
pub const CLAIM_ITEMS: Handle<OnRecord<true, ClaimItems>, RecordRef> = Handle::new("claim-item");
/// `update-claim-item`.
pub const UPDATE_CLAIM_ITEM: Handle<OnRecord<true, UpdateClaimItem>, RecordRef> =
    Handle::new("update-claim-item");
/// `remove-claim-item-action`.
pub const REMOVE_CLAIM_ITEM: Handle<OnRecord<true, ActionRef>, RecordRef> =
    Handle::new("remove-claim-item-action");

//! What the after-sales workflows' typed inputs share (issue 20 part 2): [`On`], a request
//! body for one record (the route's `:id` under the record's key, flat beside the body's
//! fields, exactly as the routes journaled it before the types), and the bodies several
//! families take — an action named by id, a confirmation, a cancel, a shipping method added
//! or updated, new items.
//!
//! The bodies refuse unknown fields, so a misspelled key from our own code is a 400 naming
//! it rather than a silently empty value.

use crate::workflow::keep_null;
use serde::de::{DeserializeOwned, Error as _};
use serde::ser::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Number, Value};
use std::marker::PhantomData;

/// The key a record's id travels under in a workflow's input.
pub trait Key {
    /// `return_id`, `exchange_id`, `claim_id` or `order_id`.
    const NAME: &'static str;
}

/// A return (`return_id`).
#[derive(Debug, Clone, Copy)]
pub struct ReturnKey;
impl Key for ReturnKey {
    const NAME: &'static str = "return_id";
}

/// An exchange (`exchange_id`, `CLAIM` false) or a claim (`claim_id`).
#[derive(Debug, Clone, Copy)]
pub struct RecordKey<const CLAIM: bool>;
impl<const CLAIM: bool> Key for RecordKey<CLAIM> {
    const NAME: &'static str = if CLAIM { "claim_id" } else { "exchange_id" };
}

/// An order, or a draft order (`order_id`).
#[derive(Debug, Clone, Copy)]
pub struct OrderKey;
impl Key for OrderKey {
    const NAME: &'static str = "order_id";
}

/// A body `B` for the record `id`, as one flat JSON object: `{<K::NAME>: id, ...body}`.
#[derive(Debug, Clone)]
pub struct On<K, B> {
    /// The record's id.
    pub id: String,
    /// What the request asks of it.
    pub body: B,
    key: PhantomData<K>,
}

impl<K: Key, B> On<K, B> {
    /// `body` for the record `id`.
    pub fn new(id: &str, body: B) -> Self {
        On {
            id: id.to_string(),
            body,
            key: PhantomData,
        }
    }
}

impl<K: Key, B: Serialize> Serialize for On<K, B> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut object = match serde_json::to_value(&self.body).map_err(S::Error::custom)? {
            Value::Object(object) => object,
            _ => return Err(S::Error::custom("a record's body must be an object")),
        };
        object.insert(K::NAME.to_string(), Value::String(self.id.clone()));
        object.serialize(serializer)
    }
}

impl<'de, K: Key, B: DeserializeOwned> Deserialize<'de> for On<K, B> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let mut object = Map::<String, Value>::deserialize(deserializer)?;
        let id = match object.remove(K::NAME) {
            Some(Value::String(id)) => id,
            Some(other) => {
                return Err(D::Error::custom(format!(
                    "invalid type: {other}, expected a string for `{}`",
                    K::NAME
                )));
            }
            None => return Err(D::Error::missing_field(K::NAME)),
        };
        let body = B::deserialize(Value::Object(object)).map_err(D::Error::custom)?;
        Ok(On {
            id,
            body,
            key: PhantomData,
        })
    }
}

/// No more than the record: `{}`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoBody {}

/// One action of the record's open change (`:action_id` of the route).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActionRef {
    /// `ordchact_…`
    pub action_id: String,
}

/// Confirming a request (`confirmed_by` is the acting user, `null` for a secret key).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Confirm {
    /// Who confirms.
    #[serde(default)]
    pub confirmed_by: Option<String>,
    /// Accepted like Medusa's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub no_notification: Option<bool>,
}

/// Canceling a request or a record.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cancel {
    /// Who cancels.
    #[serde(default)]
    pub canceled_by: Option<String>,
    /// Passed on in the event (a return's cancel).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub no_notification: Option<bool>,
}

/// A shipping method added to a change: an option, at its price or staff's `custom_amount`
/// (major units).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewShipping {
    /// `so_…`
    pub shipping_option_id: String,
    /// Staff's price instead of the option's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_amount: Option<Number>,
    /// Accepted like Medusa's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The action's note.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub internal_note: Option<String>,
    /// Accepted like Medusa's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Value>,
}

/// A shipping action updated: a new custom amount (absent or `null` keeps it), its note
/// (`null` clears it).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShippingUpdate {
    /// The SHIPPING_ADD action.
    pub action_id: String,
    /// Major units.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_amount: Option<Number>,
    /// `null` clears.
    #[serde(
        default,
        deserialize_with = "keep_null",
        skip_serializing_if = "Option::is_none"
    )]
    pub internal_note: Option<Option<String>>,
    /// Accepted like Medusa's.
    #[serde(
        default,
        deserialize_with = "keep_null",
        skip_serializing_if = "Option::is_none"
    )]
    pub metadata: Option<Option<Value>>,
}

/// A new line of an edit, an exchange or a claim: a variant, at the order's price or staff's
/// `unit_price` (major units).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewItem {
    /// `variant_…`
    pub variant_id: String,
    /// Units (at least 1).
    pub quantity: i64,
    /// Staff's price.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit_price: Option<Number>,
    /// The action's note.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub internal_note: Option<String>,
    /// Accepted like Medusa's (stock decides).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allow_backorder: Option<bool>,
    /// The line's metadata when an object.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Value>,
}

/// New lines (`{items: [...]}`).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewItems {
    /// At least one.
    #[serde(default)]
    pub items: Vec<NewItem>,
}

/// A new line's action resized (`quantity` absent keeps it; `internal_note` `null` clears).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResizeItem {
    /// The ITEM_ADD action.
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

/// A major-unit amount as the JSON the money parser reads (`null` when absent).
pub fn amount_json(amount: &Option<Number>) -> Value {
    amount.clone().map_or(Value::Null, Value::Number)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workflow::parse_input;
    use serde_json::json;

    #[test]
    fn a_record_body_is_one_flat_object_both_ways() {
        let input: On<RecordKey<true>, ActionRef> =
            parse_input(&json!({"claim_id": "claim_1", "action_id": "a_1"})).unwrap();
        assert_eq!(
            (input.id.as_str(), input.body.action_id.as_str()),
            ("claim_1", "a_1")
        );
        assert_eq!(
            serde_json::to_value(&input).unwrap(),
            json!({"claim_id": "claim_1", "action_id": "a_1"})
        );
        let err = |v: Value| {
            parse_input::<On<ReturnKey, ActionRef>>(&v)
                .unwrap_err()
                .to_string()
        };
        assert_eq!(
            err(json!({"action_id": "a"})),
            "Invalid request: Field 'return_id' is required"
        );
        assert_eq!(
            err(json!({"return_id": "r", "action_id": "a", "actoin": 1})),
            "Invalid request: Unrecognized fields: 'actoin'"
        );
        assert!(err(json!({"return_id": 7, "action_id": "a"})).contains("invalid type"));
    }
}

//! What the after-sales flows read from a request the same way: an optional major-unit
//! amount, a shipping option's price for an order (or staff's custom amount), and an
//! action's internal note on update. One copy each, shared by returns, order edits,
//! exchanges, claims and draft orders.

use super::targets::{ShippingUpdate, amount_json};
use crate::db::Tx;
use crate::error::{Error, Result};
use crate::modules::fulfillment::{self as options, ShippingOption};
use crate::modules::order::changes::{self, ChangeAction};
use crate::money;
use crate::workflow::StepCtx;
use serde_json::Value;

/// The minor units of an optional major-unit amount sent as `field` (absent or `null`:
/// `None`), never negative.
///
/// # Errors
/// 400 naming `field` for a malformed or negative amount.
pub fn optional_amount(value: &Value, currency: &str, field: &str) -> Result<Option<i64>> {
    if value.is_null() {
        return Ok(None);
    }
    money::parse_major_non_negative(value, currency)
        .map(Some)
        .map_err(|e| Error::invalid(format!("{field}: {e}")))
}

/// What shipping by `option` costs: the sent custom amount (major units; `field` names it in
/// errors) when there is one, else the option's price for `currency` and `region`.
///
/// # Errors
/// 400 for a bad custom amount, or an option without a price in `currency`.
pub fn option_amount(
    option: &ShippingOption,
    currency: &str,
    region: Option<&str>,
    (custom_amount, field): (&Value, &str),
) -> Result<i64> {
    if let Some(amount) = optional_amount(custom_amount, currency, field)? {
        return Ok(amount);
    }
    options::price_for(option, currency, region)
        .map(|p| p.amount)
        .ok_or_else(|| {
            Error::invalid(format!(
                "Shipping option {} has no price in {currency}",
                option.id
            ))
        })
}

/// The `internal_note` an update sent (`Some(None)`: `null`, which clears it), else the
/// action's own.
pub fn note_of(sent: &Option<Option<String>>, action: &ChangeAction) -> Option<String> {
    match sent {
        Some(note) => note.clone(),
        None => action.internal_note.clone(),
    }
}

/// Updates a SHIPPING_ADD action from a request: its `custom_amount` (major units of
/// `currency`; absent keeps the amount) and `internal_note`.
///
/// # Errors
/// 400 for a bad amount or a change no longer open.
pub fn update_shipping(
    tx: &Tx,
    step: &StepCtx,
    sent: &ShippingUpdate,
    currency: &str,
    action: &ChangeAction,
) -> Result<()> {
    let custom = amount_json(&sent.custom_amount);
    let amount = optional_amount(&custom, currency, "custom_amount")?.or(action.amount);
    let note = note_of(&sent.internal_note, action);
    let ctx = step.engine.ctx();
    changes::update_action(tx, ctx, action, &action.details, amount, note.as_deref())?;
    Ok(())
}

/// Whether `option` is a return option (its `is_return` rule is `true`).
pub fn is_return_option(option: &ShippingOption) -> bool {
    option.rule_allows("is_return", "true") && !option.rule_allows("is_return", "false")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn optional_amounts_are_minor_units_or_absent_and_never_negative() {
        assert_eq!(optional_amount(&json!(null), "usd", "x").unwrap(), None);
        assert_eq!(
            optional_amount(&json!(12.5), "usd", "x").unwrap(),
            Some(1250)
        );
        assert_eq!(optional_amount(&json!(12), "jpy", "x").unwrap(), Some(12));
        let err = optional_amount(&json!(-1), "usd", "unit_price").unwrap_err();
        assert!(err.to_string().contains("unit_price"), "{err}");
        assert!(optional_amount(&json!("lots"), "usd", "x").is_err());
    }
}

//! Fulfillment providers (Medusa's `IFulfillmentProvider`): the options a provider offers,
//! the check of an option's provider data, calculated shipping prices, and creating and
//! canceling a fulfillment at the provider. Registered with
//! `EngineBuilder::fulfillment_provider`; the built-in one is [`ManualProvider`]
//! (`manual_manual`).
//!
//! Where each call runs matters:
//! - [`FulfillmentProvider::calculate_price`] runs inside the cart's write job (every cart
//!   refresh re-prices its shipping method), so it must compute from what it is given and
//!   never call out over the network;
//! - [`FulfillmentProvider::create_fulfillment`] and [`FulfillmentProvider::cancel_fulfillment`]
//!   run as external workflow steps, outside the writer, with a stable idempotency key.

use crate::error::{Error, Result};
use serde_json::{Value, json};

/// The manual provider's id.
pub const MANUAL: &str = "manual_manual";

/// A fulfillment option a provider offers (what a shipping option's `data` chooses).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FulfillmentOption {
    /// Option id, e.g. `manual-fulfillment`.
    pub id: String,
    /// Whether it is for returns.
    pub is_return: bool,
}

/// One unit kind being shipped, for a calculated price.
#[derive(Debug, Clone, PartialEq)]
pub struct ShippedItem {
    /// `variant_…`, if the line has a variant.
    pub variant_id: Option<String>,
    /// Units.
    pub quantity: i64,
    /// Price of one unit in minor units.
    pub unit_price: i64,
    /// The variant's weight (the unit is the shop's own), if set.
    pub weight: Option<f64>,
}

/// What [`FulfillmentProvider::calculate_price`] prices.
#[derive(Debug, Clone, PartialEq)]
pub struct PriceRequest {
    /// `so_…`
    pub option_id: String,
    /// The shipping option's provider data.
    pub option_data: Value,
    /// The cart's currency.
    pub currency_code: String,
    /// Lower-case ISO-2 of the shipping address.
    pub country_code: String,
    /// The cart's lines.
    pub items: Vec<ShippedItem>,
}

/// One line of a fulfillment, for the provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FulfilledLine {
    /// The order's line item.
    pub line_item_id: String,
    /// Units.
    pub quantity: i64,
}

/// A create or cancel call.
#[derive(Debug, Clone, PartialEq)]
pub struct FulfillmentCall {
    /// Stable key of the logical operation (`<execution>:<step>`).
    pub idempotency_key: String,
    /// `order_…`
    pub order_id: String,
    /// `sloc_…` the units leave from.
    pub location_id: String,
    /// The shipping option's provider data (`{}` without one).
    pub option_data: Value,
    /// What is fulfilled.
    pub items: Vec<FulfilledLine>,
    /// On cancel: the data the provider answered at creation (`Null` when unknown).
    pub data: Value,
}

/// A fulfillment provider.
pub trait FulfillmentProvider: Send + Sync {
    /// The provider id (`<identifier>_<id>`, as Medusa names them: `manual_manual`).
    fn id(&self) -> &'static str;
    /// The fulfillment options it offers (`GET /admin/fulfillment-providers/:id/options`).
    fn options(&self) -> Vec<FulfillmentOption>;
    /// Checks a shipping option's provider data when the option is created or updated.
    ///
    /// # Errors
    /// A 400 naming what is wrong.
    fn validate_option(&self, data: &Value) -> Result<()> {
        let _ = data;
        Ok(())
    }
    /// Whether options of `price_type: calculated` with this data can be priced.
    fn can_calculate(&self, data: &Value) -> bool {
        let _ = data;
        false
    }
    /// The price of a calculated option for a cart, in minor units. Runs inside the cart's
    /// write job: no network calls.
    ///
    /// # Errors
    /// The option cannot be priced for this cart (it is then not offered).
    fn calculate_price(&self, request: &PriceRequest) -> Result<i64> {
        let _ = request;
        Err(Error::invalid(format!(
            "Fulfillment provider {} cannot calculate prices",
            self.id()
        )))
    }
    /// Creates the fulfillment at the provider; the answer is stored as the fulfillment's
    /// `data`.
    ///
    /// # Errors
    /// The provider failed (the fulfillment is then not created).
    fn create_fulfillment(&self, call: &FulfillmentCall) -> Result<Value>;
    /// Cancels a fulfillment at the provider (by key alone when `data` is `Null`).
    ///
    /// # Errors
    /// The provider failed (the fulfillment then stays as it is).
    fn cancel_fulfillment(&self, call: &FulfillmentCall) -> Result<()>;
}

/// `manual_manual`: staff fulfil by hand; nothing outside is told. Offers one outbound and
/// one return option, as Medusa's manual provider does; does not calculate prices.
pub struct ManualProvider;

impl FulfillmentProvider for ManualProvider {
    fn id(&self) -> &'static str {
        MANUAL
    }
    fn options(&self) -> Vec<FulfillmentOption> {
        vec![
            FulfillmentOption {
                id: "manual-fulfillment".into(),
                is_return: false,
            },
            FulfillmentOption {
                id: "manual-fulfillment-return".into(),
                is_return: true,
            },
        ]
    }
    fn create_fulfillment(&self, _: &FulfillmentCall) -> Result<Value> {
        Ok(json!({}))
    }
    fn cancel_fulfillment(&self, _: &FulfillmentCall) -> Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manual_offers_an_outbound_and_a_return_option_and_cannot_calculate() {
        let options = ManualProvider.options();
        assert_eq!(options.len(), 2);
        assert!(!options[0].is_return && options[1].is_return);
        assert!(!ManualProvider.can_calculate(&json!({})));
        let request = PriceRequest {
            option_id: "so_1".into(),
            option_data: json!({}),
            currency_code: "usd".into(),
            country_code: "us".into(),
            items: Vec::new(),
        };
        assert!(ManualProvider.calculate_price(&request).is_err());
    }
}

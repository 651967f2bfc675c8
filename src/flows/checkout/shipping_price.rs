//! `calculate-shipping-options-prices` for one option and a cart
//! (`POST /store/shipping-options/:id/calculate`).
//!
//! Medusa hands the option to its fulfillment provider's `calculatePrice`. Stockroom's only
//! provider is `manual_manual`, whose Medusa counterpart does not calculate (it throws, and
//! Medusa answers 500); every option here has flat prices, so the calculation is the flat
//! price the cart would be charged — the region's price in the cart's currency, else the
//! currency's — with the region's tax inclusivity. An option without such a price is refused
//! as Medusa's price validation refuses it.

use super::catalog;
use crate::error::{Error, Result};
use crate::modules::{cart, fulfillment};
use rusqlite::Connection;

/// An option's price for a cart.
#[derive(Debug, Clone)]
pub struct OptionPrice {
    /// The option.
    pub option: fulfillment::ShippingOption,
    /// Amount in minor units.
    pub amount: i64,
    /// Whether the amount includes tax.
    pub is_tax_inclusive: bool,
    /// The cart's currency.
    pub currency_code: String,
}

/// The price of option `option_id` for cart `cart_id`.
///
/// # Errors
/// 404 unknown option or cart; 400 when the option has no price in the cart's currency.
pub fn calculate(conn: &Connection, option_id: &str, cart_id: &str) -> Result<OptionPrice> {
    let option = fulfillment::retrieve_option(conn, option_id)?;
    let found = cart::retrieve(conn, cart_id)?;
    let region = found.region_id.as_deref();
    let amount = fulfillment::price_for(&option, &found.currency_code, region)
        .map(|p| p.amount)
        .ok_or_else(|| {
            Error::invalid(format!(
                "Shipping options with IDs {option_id} do not have a price"
            ))
        })?;
    let is_tax_inclusive = catalog::prices_include_tax(conn, &found.currency_code, region)?;
    Ok(OptionPrice {
        option,
        amount,
        is_tax_inclusive,
        currency_code: found.currency_code,
    })
}

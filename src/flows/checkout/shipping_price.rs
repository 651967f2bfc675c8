//! `calculate-shipping-options-prices` for one option and a cart
//! (`POST /store/shipping-options/:id/calculate`).
//!
//! A `calculated` option is priced by its fulfillment provider's `calculate_price` (as
//! Medusa hands it to the provider's `calculatePrice`); a provider that cannot price it is a
//! 400. A flat option's calculation is the flat price the cart would be charged — the
//! region's price in the cart's currency, else the currency's — with the region's tax
//! inclusivity. An option without such a price is refused as Medusa's price validation
//! refuses it.

use super::{catalog, refresh};
use crate::error::{Error, Result};
use crate::modules::{cart, fulfillment};
use crate::providers::Providers;
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
pub fn calculate(
    conn: &Connection,
    providers: &Providers,
    option_id: &str,
    cart_id: &str,
) -> Result<OptionPrice> {
    let option = fulfillment::retrieve_option(conn, option_id)?;
    let found = cart::retrieve(conn, cart_id)?;
    let region = found.region_id.as_deref();
    let amount = if option.price_type == "calculated" {
        let country = refresh::shipping_place(conn, &found)?
            .map(|(country, _)| country)
            .unwrap_or_default();
        let items = refresh::shipped_items(conn, &found)?;
        refresh::calculated_price(providers, &option, &found, &country, items)?
    } else {
        fulfillment::price_for(&option, &found.currency_code, region)
            .map(|p| p.amount)
            .ok_or_else(|| {
                Error::invalid(format!(
                    "Shipping options with IDs {option_id} do not have a price"
                ))
            })?
    };
    let is_tax_inclusive = catalog::prices_include_tax(conn, &found.currency_code, region)?;
    Ok(OptionPrice {
        option,
        amount,
        is_tax_inclusive,
        currency_code: found.currency_code,
    })
}

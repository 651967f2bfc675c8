//! Creating a price list over variants (Medusa's `createPriceListsWorkflow`): prices name
//! variants, the link gives each variant's price set, the pricing module stores the list.

use crate::ctx::Ctx;
use crate::error::{Error, Result};
use crate::flows::links;
use crate::modules::pricing::{self, NewPrice, NewPriceList};
use rusqlite::Connection;

/// Input of [`create`]: the list with prices keyed by variant id.
#[derive(Debug, Clone, Default)]
pub struct PriceListInput {
    /// The list (its `prices` are ignored: see `variant_prices`).
    pub list: NewPriceList,
    /// `(variant id, price)` pairs.
    pub variant_prices: Vec<(String, NewPrice)>,
}

/// Creates the list; returns its id.
///
/// # Errors
/// A variant without a price set (404), or whatever pricing refuses.
pub fn create(conn: &Connection, ctx: &Ctx, input: &PriceListInput) -> Result<String> {
    let variant_ids: Vec<String> = input
        .variant_prices
        .iter()
        .map(|(v, _)| v.clone())
        .collect();
    let sets = links::variant_price_set().rights_of_many(conn, &variant_ids)?;
    let prices = input
        .variant_prices
        .iter()
        .map(|(variant, price)| {
            let set = sets
                .get(variant)
                .and_then(|s| s.first())
                .ok_or_else(|| Error::not_found("Variant", variant))?;
            Ok((set.clone(), price.clone()))
        })
        .collect::<Result<Vec<_>>>()?;
    let list = NewPriceList {
        prices,
        ..input.list.clone()
    };
    pricing::create_price_list(conn, ctx, &list)
}

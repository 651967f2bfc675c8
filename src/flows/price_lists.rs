//! Creating a price list over variants (Medusa's `createPriceListsWorkflow`): prices name
//! variants, the link gives each variant's price set, the pricing module stores the list.

use crate::ctx::Ctx;
use crate::error::{Error, Result};
use crate::flows::links;
use crate::modules::pricing::lists::ListPrice;
use crate::modules::pricing::{self, NewPrice, NewPriceList, PriceList};
use rusqlite::Connection;
use std::collections::HashMap;

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

/// A price list's `prices/batch` body: prices to add and to change (keyed by variant), ids
/// to remove.
#[derive(Debug, Clone, Default)]
pub struct PriceBatch {
    /// `(variant id, price)` to add.
    pub create: Vec<(String, NewPrice)>,
    /// `(price id, variant id, price)` to change.
    pub update: Vec<(String, String, NewPrice)>,
    /// Price ids to remove.
    pub delete: Vec<String>,
}

/// What [`batch_prices`] did: ids created and updated (in input order), ids deleted.
#[derive(Debug, Clone, Default)]
pub struct BatchDone {
    /// New price ids.
    pub created: Vec<String>,
    /// Updated price ids.
    pub updated: Vec<String>,
    /// Deleted price ids.
    pub deleted: Vec<String>,
}

fn set_of(conn: &Connection, variant: &str) -> Result<String> {
    links::variant_price_set()
        .rights_of(conn, variant)?
        .into_iter()
        .next()
        .ok_or_else(|| Error::not_found("Variant", variant))
}

/// Adds, changes and removes prices of list `list_id` in one job.
///
/// # Errors
/// 404 for an unknown list, variant or price of the list; whatever pricing refuses.
pub fn batch_prices(
    conn: &Connection,
    ctx: &Ctx,
    list_id: &str,
    batch: &PriceBatch,
) -> Result<BatchDone> {
    pricing::retrieve_price_list(conn, list_id)?;
    let mut done = BatchDone::default();
    pricing::lists::delete_prices(conn, ctx, list_id, &batch.delete)?;
    done.deleted.clone_from(&batch.delete);
    for (variant, price) in &batch.create {
        let set = set_of(conn, variant)?;
        done.created
            .push(pricing::lists::add_price(conn, ctx, list_id, &set, price)?);
    }
    for (id, variant, price) in &batch.update {
        let set = set_of(conn, variant)?;
        pricing::lists::update_price(conn, ctx, list_id, id, &set, price)?;
        done.updated.push(id.clone());
    }
    Ok(done)
}

/// A price list with its rules and prices, each price with the variant its set belongs to
/// (Medusa's admin price list shape).
#[derive(Debug, Clone)]
pub struct PriceListDetail {
    /// The list.
    pub list: PriceList,
    /// `(attribute, accepted values)`.
    pub rules: Vec<(String, Vec<String>)>,
    /// `(variant id, price)`.
    pub prices: Vec<(Option<String>, ListPrice)>,
}

/// [`PriceListDetail`]s of these lists: two queries for rules and prices, one link lookup per
/// distinct price set.
///
/// # Errors
/// Database failures.
pub fn details(conn: &Connection, lists: Vec<PriceList>) -> Result<Vec<PriceListDetail>> {
    let ids: Vec<String> = lists.iter().map(|l| l.id.clone()).collect();
    let mut rules = pricing::lists::rules_of(conn, &ids)?;
    let mut prices = pricing::lists::prices_of(conn, &ids)?;
    let link = links::variant_price_set();
    let mut variants: HashMap<String, Option<String>> = HashMap::new();
    let mut out = Vec::with_capacity(lists.len());
    for list in lists {
        let mut named = Vec::new();
        for price in prices.remove(&list.id).unwrap_or_default() {
            let variant = match variants.get(&price.price_set_id) {
                Some(v) => v.clone(),
                None => {
                    let v = link.lefts_of(conn, &price.price_set_id)?.into_iter().next();
                    variants.insert(price.price_set_id.clone(), v.clone());
                    v
                }
            };
            named.push((variant, price));
        }
        out.push(PriceListDetail {
            rules: rules.remove(&list.id).unwrap_or_default(),
            prices: named,
            list,
        });
    }
    Ok(out)
}

/// Removes from list `list_id` every price of these products' variants (Medusa's
/// `POST /admin/price-lists/:id/products` with `remove`): the product module names the
/// variants, the link their price sets, pricing deletes the list's prices in those sets.
/// Products without prices in the list are no error, as in Medusa.
///
/// # Errors
/// 400 when no product id is given (Medusa's message); 404 for an unknown list.
pub fn remove_products(
    conn: &Connection,
    ctx: &Ctx,
    list_id: &str,
    product_ids: &[String],
) -> Result<Vec<String>> {
    if product_ids.is_empty() {
        return Err(Error::invalid(
            "No product ids passed to remove from price list",
        ));
    }
    pricing::retrieve_price_list(conn, list_id)?;
    let variant_ids: Vec<String> =
        crate::modules::product::relations::variants_of(conn, product_ids)?
            .into_values()
            .flatten()
            .map(|v| v.id)
            .collect();
    let sets: Vec<String> = links::variant_price_set()
        .rights_of_many(conn, &variant_ids)?
        .into_values()
        .flatten()
        .collect();
    let doomed: Vec<String> = pricing::lists::prices_of(conn, &[list_id.to_string()])?
        .remove(list_id)
        .unwrap_or_default()
        .into_iter()
        .filter(|p| sets.contains(&p.price_set_id))
        .map(|p| p.id)
        .collect();
    pricing::lists::delete_prices(conn, ctx, list_id, &doomed)?;
    Ok(doomed)
}

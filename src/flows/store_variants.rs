//! The store's variant and option reads (`/store/product-variants`,
//! `/store/product-options`): the rows of published products in the key's sales channels,
//! with what the wire document needs — option values, the product, the calculated price for
//! the pricing context and, when asked, the inventory quantity.

use super::checkout::stock;
use super::product_graph;
use super::store_catalog::{self, PricingInput};
use crate::error::{Error, Result};
use crate::modules::pricing::calc::CalculatedPrice;
use crate::modules::product::store_read::{self, OptionFilter, Order, ProductScope, VariantFilter};
use crate::modules::product::{self, OptionValue, Product, ProductOption, Variant};
use crate::modules::{cart, customer, json_list};
use rusqlite::Connection;
use std::collections::HashMap;

/// A variant with its relations, ready to be written out.
#[derive(Debug, Clone)]
pub struct VariantDoc {
    /// The row.
    pub variant: Variant,
    /// Its option values, each with its option.
    pub options: Vec<(OptionValue, ProductOption)>,
    /// Its product.
    pub product: Option<Product>,
    /// Its price in the pricing context, if there is one.
    pub price: Option<CalculatedPrice>,
    /// Available quantity over the channel's locations (when asked for).
    pub inventory_quantity: Option<i64>,
}

/// What a variant read needs besides its filter.
#[derive(Debug, Clone, Default)]
pub struct VariantQuery {
    /// The sales channels in effect (the key's, or those asked for among them).
    pub channels: Vec<String>,
    /// The pricing context's inputs; `None` when no price is wanted.
    pub pricing: Option<PricingInput>,
    /// `cart_id`: the cart's region and shipping country stand in for the query's.
    pub cart_id: Option<String>,
    /// The signed-in customer (their groups' price lists apply).
    pub customer_id: Option<String>,
    /// Whether `inventory_quantity` was asked for.
    pub inventory: bool,
}

/// Published products in `channels`.
pub fn store_scope(channels: &[String]) -> ProductScope {
    ProductScope {
        statuses: vec!["published".into()],
        scope: Some((
            super::links::product_sales_channel().left_linked_to_any("p.id"),
            json_list(channels),
        )),
    }
}

/// A page of store variants and the total.
///
/// # Errors
/// 400 for a bad pricing context; database failures.
pub fn variant_page(
    conn: &Connection,
    query: &VariantQuery,
    filter: &VariantFilter,
    order: Order,
    page: (u64, u64),
) -> Result<(Vec<VariantDoc>, u64)> {
    let scope = store_scope(&query.channels);
    let (variants, count) = store_read::variant_page(conn, &scope, filter, order, page)?;
    Ok((documents(conn, query, variants)?, count))
}

/// One store variant.
///
/// # Errors
/// 404 "Product variant with id: X was not found"; 400 for a bad pricing context.
pub fn variant(conn: &Connection, query: &VariantQuery, id: &str) -> Result<VariantDoc> {
    let filter = VariantFilter {
        ids: vec![id.to_string()],
        ..VariantFilter::default()
    };
    let order = Order::parse("id", store_read::VARIANT_ORDER)?;
    let (mut docs, _) = variant_page(conn, query, &filter, order, (1, 0))?;
    docs.pop()
        .ok_or_else(|| Error::NotFound(format!("Product variant with id: {id} was not found")))
}

fn documents(
    conn: &Connection,
    query: &VariantQuery,
    variants: Vec<Variant>,
) -> Result<Vec<VariantDoc>> {
    let ids: Vec<String> = variants.iter().map(|v| v.id.clone()).collect();
    let mut product_ids: Vec<String> = variants.iter().map(|v| v.product_id.clone()).collect();
    product_ids.dedup();
    let mut options = product::relations::variant_options_of(conn, &ids)?;
    let products: HashMap<String, Product> = product::read::by_ids(conn, &product_ids)?
        .into_iter()
        .map(|p| (p.id.clone(), p))
        .collect();
    let mut prices = match &query.pricing {
        Some(input) => prices(conn, query, input, &ids)?,
        None => HashMap::new(),
    };
    let mut stock = if query.inventory {
        stock::inventory_quantities(conn, &ids)?
    } else {
        HashMap::new()
    };
    Ok(variants
        .into_iter()
        .map(|v| VariantDoc {
            options: options.remove(&v.id).unwrap_or_default(),
            product: products.get(&v.product_id).cloned(),
            price: prices.remove(&v.id),
            inventory_quantity: stock.remove(&v.id),
            variant: v,
        })
        .collect())
}

/// Prices for the request's context: a cart's region and shipping country stand in for the
/// query's, and the signed-in customer's groups count.
fn prices(
    conn: &Connection,
    query: &VariantQuery,
    input: &PricingInput,
    ids: &[String],
) -> Result<HashMap<String, CalculatedPrice>> {
    let mut input = input.clone();
    if let Some(cart_id) = &query.cart_id {
        let found = cart::retrieve(conn, cart_id)?;
        if found.region_id.is_some() {
            input.region_id = found.region_id.clone();
        }
        if let Some(address) = cart::address(conn, found.shipping_address_id.as_deref())?
            && let Some(country) = address.get("country_code").and_then(|c| c.as_str())
        {
            input.country_code = Some(country.to_string());
        }
    }
    if let Some(customer_id) = &query.customer_id {
        input.customer_group_ids = customer::group::groups_of(conn, customer_id)?
            .into_iter()
            .map(|g| g.id)
            .collect();
    }
    match store_catalog::pricing_context(conn, &input)? {
        Some(pricing) => product_graph::prices_for_variants(conn, &pricing.ctx, ids),
        None => Ok(HashMap::new()),
    }
}

/// A product option with its values, as a store option is answered.
pub type OptionWithValues = (ProductOption, Vec<OptionValue>);

/// A page of store options (of published products in `channels`) with their values.
///
/// # Errors
/// Database failures.
pub fn option_page(
    conn: &Connection,
    channels: &[String],
    filter: &OptionFilter,
    order: Order,
    page: (u64, u64),
) -> Result<(Vec<OptionWithValues>, u64)> {
    let scope = store_scope(channels);
    let (options, count) = store_read::option_page(conn, &scope, filter, order, page)?;
    let ids: Vec<String> = options.iter().map(|o| o.id.clone()).collect();
    let mut values = store_read::values_of(conn, &ids)?;
    let docs = options
        .into_iter()
        .map(|o| {
            let v = values.remove(&o.id).unwrap_or_default();
            (o, v)
        })
        .collect();
    Ok((docs, count))
}

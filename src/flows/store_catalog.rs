//! The store's product reads: scoping to the publishable key's sales channels and published
//! products, resolving the pricing context (region → currency), then loading the graph.

use crate::error::{Error, Result};
use crate::flows::links;
use crate::modules::pricing::calc::PricingContext;
use crate::modules::product::{self, Product, ProductFilter, ProductOrder};
use crate::modules::{json_list, region, store};
use rusqlite::Connection;

/// What the pricing context is built from.
#[derive(Debug, Clone, Default)]
pub struct PricingInput {
    /// `region_id` query parameter.
    pub region_id: Option<String>,
    /// `currency_code` query parameter.
    pub currency_code: Option<String>,
    /// `country_code` query parameter (prices with and without tax).
    pub country_code: Option<String>,
    /// Customer groups of the logged-in customer.
    pub customer_group_ids: Vec<String>,
    /// Whether prices are required (asked for in `fields`) even without a region.
    pub required: bool,
    /// Now, ISO-8601.
    pub now: String,
}

/// The pricing of a store request: the context prices are chosen for, and the country whose
/// taxes are shown beside them (when the region computes taxes automatically).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StorePricing {
    /// The pricing context.
    pub ctx: PricingContext,
    /// Lower-case ISO-2 country for `calculated_amount_with_tax` and friends.
    pub tax_country: Option<String>,
}

/// Builds the pricing context: the region's currency, else `currency_code`, else the store's
/// default region (only when prices are required).
///
/// # Errors
/// 400 for an unknown region, or when prices are required and nothing gives a currency.
pub fn pricing_context(conn: &Connection, input: &PricingInput) -> Result<Option<StorePricing>> {
    let region_id = match (&input.region_id, &input.currency_code, input.required) {
        (Some(id), _, _) => Some(id.clone()),
        (None, Some(_), _) | (None, None, false) => None,
        (None, None, true) => store::default_store(conn)?.and_then(|s| s.default_region_id),
    };
    let (region_id, currency, taxes) = match region_id {
        Some(id) => {
            let region = region::shared(conn, &id).map_err(|_| {
                Error::invalid(format!(
                    "Region with id {id} not found when populating the pricing context"
                ))
            })?;
            (
                Some(region.id.clone()),
                region.currency_code.clone(),
                region.automatic_taxes,
            )
        }
        None => match &input.currency_code {
            Some(code) => (None, code.to_ascii_lowercase(), false),
            None if input.required => {
                return Err(Error::invalid(
                    "Missing required pricing context to calculate prices - region_id",
                ));
            }
            None => return Ok(None),
        },
    };
    let ctx = PricingContext {
        currency_code: currency,
        region_id,
        quantity: 1,
        customer_group_ids: input.customer_group_ids.clone(),
        now: input.now.clone(),
    };
    let tax_country = input
        .country_code
        .as_ref()
        .filter(|_| taxes)
        .map(|c| c.to_ascii_lowercase());
    Ok(Some(StorePricing { ctx, tax_country }))
}

/// The effective sales channels: the requested ones (which must belong to the key), else all
/// of the key's.
///
/// # Errors
/// 400 when the key has no channel or a requested channel is not the key's.
pub fn effective_channels(key_channels: &[String], requested: &[String]) -> Result<Vec<String>> {
    if key_channels.is_empty() {
        return Err(Error::invalid(
            "Publishable key needs to have a sales channel configured",
        ));
    }
    if requested.is_empty() {
        return Ok(key_channels.to_vec());
    }
    if requested.iter().any(|r| !key_channels.contains(r)) {
        return Err(Error::invalid(
            "Requested sales channel is not part of the publishable key",
        ));
    }
    Ok(requested.to_vec())
}

/// Adds the store's fixed conditions to `filter`: published, in `channels`, public categories.
pub fn store_filter(mut filter: ProductFilter, channels: &[String]) -> ProductFilter {
    filter.statuses = vec!["published".into()];
    filter.public_categories = true;
    filter.scope = Some((
        links::product_sales_channel().left_linked_to_any("p.id"),
        json_list(channels),
    ));
    filter
}

/// The ids of a page of store products (relations are loaded by `product_graph` for those
/// that need it; the total comes from `product::count`, which callers memoize).
///
/// # Errors
/// Database failures.
pub fn page(
    conn: &Connection,
    filter: &ProductFilter,
    order: &ProductOrder,
    page: (u64, u64),
) -> Result<Vec<String>> {
    product::read::page_ids(conn, filter, order, page.0, page.1)
}

/// One store product row.
///
/// # Errors
/// 404 "Product with id: X was not found" when absent, unpublished or not in the channels.
pub fn retrieve(conn: &Connection, id: &str, filter: &ProductFilter) -> Result<Product> {
    product::retrieve(conn, id, filter)
}

//! Loading products with their relations and prices (Medusa's `query.graph` for products):
//! one query for the page, then one query per wanted relation over the page's ids, then
//! the variant → price set link and the prices for the pricing context. Used by the store
//! and admin product routes.

use crate::error::Result;
use crate::flows::links;
use crate::modules::pricing::{self, calc};
use crate::modules::product::taxonomy::{self, ValueKind};
use crate::modules::product::{
    self, Category, Collection, Image, OptionValue, Product, ProductOption, Tag, Variant,
};
use crate::modules::sales_channel::{self, SalesChannel};
use rusqlite::Connection;
use std::collections::{HashMap, HashSet};

/// Which relations to load.
#[derive(Debug, Clone, Default)]
pub struct Wanted {
    /// `variants`.
    pub variants: bool,
    /// `variants.options` (with their option).
    pub variant_options: bool,
    /// `variants.calculated_price` for this context.
    pub prices: Option<calc::PricingContext>,
    /// `variants.prices` (admin: the stored default prices).
    pub stored_prices: bool,
    /// `options` with `values`.
    pub options: bool,
    /// `images`.
    pub images: bool,
    /// `tags`.
    pub tags: bool,
    /// `categories`.
    pub categories: bool,
    /// `type`.
    pub product_type: bool,
    /// `collection`.
    pub collection: bool,
    /// `sales_channels` (the linked channels' records).
    pub sales_channels: bool,
    /// `variants.inventory_quantity` (only when asked for by name, as in Medusa).
    pub inventory: bool,
}

/// A variant with what was loaded for it.
#[derive(Debug, Clone)]
pub struct VariantNode {
    /// The row.
    pub variant: Variant,
    /// Its option values with their option.
    pub options: Vec<(OptionValue, ProductOption)>,
    /// Its price for the context, if prices were wanted and one applies.
    pub calculated_price: Option<calc::CalculatedPrice>,
    /// Its stored default prices, if wanted.
    pub prices: Vec<pricing::StoredPrice>,
    /// Units available to sell, if wanted (`None` when not loaded).
    pub inventory_quantity: Option<i64>,
}

/// A product with what was loaded for it.
#[derive(Debug, Clone)]
pub struct ProductNode {
    /// The row.
    pub product: Product,
    /// Variants.
    pub variants: Vec<VariantNode>,
    /// Options with values.
    pub options: Vec<(ProductOption, Vec<OptionValue>)>,
    /// Images.
    pub images: Vec<Image>,
    /// Tags.
    pub tags: Vec<Tag>,
    /// Categories.
    pub categories: Vec<Category>,
    /// Type.
    pub product_type: Option<Tag>,
    /// Collection.
    pub collection: Option<Collection>,
    /// The linked sales channels (live ones), in link order.
    pub sales_channels: Vec<SalesChannel>,
}

/// Loads `wanted` relations for a page of products, a fixed number of queries in all.
///
/// # Errors
/// Database failures.
pub fn load(conn: &Connection, page: Vec<Product>, wanted: &Wanted) -> Result<Vec<ProductNode>> {
    let ids: Vec<String> = page.iter().map(|p| p.id.clone()).collect();
    let mut variants = if wanted.variants {
        product::relations::variants_of(conn, &ids)?
    } else {
        HashMap::new()
    };
    let mut variant_nodes = load_variants(conn, &mut variants, wanted)?;
    let mut options = when(wanted.options, || {
        product::relations::options_of(conn, &ids)
    })?;
    let mut images = when(wanted.images, || product::relations::images_of(conn, &ids))?;
    let mut tags = when(wanted.tags, || product::relations::tags_of(conn, &ids))?;
    let mut categories = when(wanted.categories, || {
        product::relations::categories_of(conn, &ids)
    })?;
    let mut channels = when(wanted.sales_channels, || {
        links::product_sales_channel().rights_of_many(conn, &ids)
    })?;
    let channel_records = channels_by_id(conn, &channels)?;
    let type_ids = distinct(page.iter().filter_map(|p| p.type_id.clone()));
    let types = when(wanted.product_type, || {
        taxonomy::values_by_id(conn, ValueKind::Type, &type_ids)
    })?;
    let collection_ids = distinct(page.iter().filter_map(|p| p.collection_id.clone()));
    let collections = when(wanted.collection, || {
        taxonomy::collections_by_id(conn, &collection_ids)
    })?;
    Ok(page
        .into_iter()
        .map(|product| {
            let id = product.id.clone();
            ProductNode {
                variants: variant_nodes.remove(&id).unwrap_or_default(),
                options: options.remove(&id).unwrap_or_default(),
                images: images.remove(&id).unwrap_or_default(),
                tags: tags.remove(&id).unwrap_or_default(),
                categories: categories.remove(&id).unwrap_or_default(),
                product_type: product.type_id.as_ref().and_then(|t| types.get(t).cloned()),
                collection: product
                    .collection_id
                    .as_ref()
                    .and_then(|c| collections.get(c).cloned()),
                sales_channels: channels
                    .remove(&id)
                    .unwrap_or_default()
                    .iter()
                    .filter_map(|c| channel_records.get(c).cloned())
                    .collect(),
                product,
            }
        })
        .collect())
}

/// The records of every channel a page's products link to, in one query (Medusa's
/// `*sales_channels` answers the channels themselves, not just their ids).
fn channels_by_id(
    conn: &Connection,
    links: &HashMap<String, Vec<String>>,
) -> Result<HashMap<String, SalesChannel>> {
    let ids = distinct(links.values().flatten().cloned());
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(sales_channel::list_ids(conn, &ids)?
        .into_iter()
        .map(|c| (c.id.clone(), c))
        .collect())
}

fn when<T: Default>(flag: bool, f: impl FnOnce() -> Result<T>) -> Result<T> {
    if flag { f() } else { Ok(T::default()) }
}

fn distinct(items: impl Iterator<Item = String>) -> Vec<String> {
    let mut seen = HashSet::new();
    items.filter(|i| seen.insert(i.clone())).collect()
}

/// Variant nodes by product id, with options and prices when wanted.
fn load_variants(
    conn: &Connection,
    variants: &mut HashMap<String, Vec<Variant>>,
    wanted: &Wanted,
) -> Result<HashMap<String, Vec<VariantNode>>> {
    let variant_ids: Vec<String> = variants.values().flatten().map(|v| v.id.clone()).collect();
    let mut options = when(wanted.variant_options, || {
        product::relations::variant_options_of(conn, &variant_ids)
    })?;
    let needs_sets = wanted.prices.is_some() || wanted.stored_prices;
    let sets = when(needs_sets, || {
        links::variant_price_set().rights_of_many(conn, &variant_ids)
    })?;
    let set_ids: Vec<String> = sets.values().flatten().cloned().collect();
    let mut calculated = match &wanted.prices {
        Some(ctx) => calculate(conn, ctx, &set_ids)?,
        None => HashMap::new(),
    };
    let mut stored = when(wanted.stored_prices, || pricing::prices_of(conn, &set_ids))?;
    let available = when(wanted.inventory, || {
        crate::flows::checkout::stock::inventory_quantities(conn, &variant_ids)
    })?;
    let mut out: HashMap<String, Vec<VariantNode>> = HashMap::new();
    for (product_id, list) in variants.drain() {
        let nodes = list
            .into_iter()
            .map(|variant| {
                let set = sets.get(&variant.id).and_then(|s| s.first());
                VariantNode {
                    options: options.remove(&variant.id).unwrap_or_default(),
                    calculated_price: set.and_then(|s| calculated.remove(s)),
                    prices: set.and_then(|s| stored.remove(s)).unwrap_or_default(),
                    inventory_quantity: wanted
                        .inventory
                        .then(|| available.get(&variant.id).copied().unwrap_or(0)),
                    variant,
                }
            })
            .collect();
        out.insert(product_id, nodes);
    }
    Ok(out)
}

/// Every price of these variants in `currency` (with rules and lists), by variant id: the
/// data price calculation needs, independent of the time and the shopper.
///
/// # Errors
/// Database failures.
pub fn candidates_for_variants(
    conn: &Connection,
    currency: &str,
    variant_ids: &[String],
) -> Result<std::sync::Arc<HashMap<String, Vec<calc::Candidate>>>> {
    // Every refresh of a cart prices its items again from these rows, which only a price
    // change (a committed write to one of these tables) alters.
    let key = format!("price-candidates:{currency}:{}", variant_ids.join(","));
    let link = links::variant_price_set();
    let price_tables = [
        link.table(),
        "pricing_price",
        "pricing_price_rule",
        "pricing_price_list",
        "pricing_price_list_rule",
    ];
    crate::db::cached::cached(&key, &price_tables, || {
        read_candidates(conn, currency, variant_ids)
    })
}

fn read_candidates(
    conn: &Connection,
    currency: &str,
    variant_ids: &[String],
) -> Result<HashMap<String, Vec<calc::Candidate>>> {
    let sets = links::variant_price_set().rights_of_many(conn, variant_ids)?;
    let set_ids: Vec<String> = sets.values().flatten().cloned().collect();
    let mut by_set = pricing::candidates(conn, &set_ids, currency)?;
    Ok(sets
        .into_iter()
        .map(|(variant, sets)| {
            let prices = sets
                .first()
                .and_then(|s| by_set.remove(s))
                .unwrap_or_default();
            (variant, prices)
        })
        .collect())
}

/// The calculated price of each of these variants that has one in `ctx`, by variant id
/// (three queries whatever the number of variants).
///
/// # Errors
/// Database failures.
pub fn prices_for_variants(
    conn: &Connection,
    ctx: &calc::PricingContext,
    variant_ids: &[String],
) -> Result<HashMap<String, calc::CalculatedPrice>> {
    let inclusive = pricing::is_tax_inclusive(conn, &ctx.currency_code, ctx.region_id.as_deref())?;
    Ok(
        candidates_for_variants(conn, &ctx.currency_code, variant_ids)?
            .iter()
            .filter_map(|(variant, prices)| {
                Some((variant.clone(), calc::calculate(ctx, prices, inclusive)?))
            })
            .collect(),
    )
}

/// Calculated prices by price set id.
fn calculate(
    conn: &Connection,
    ctx: &calc::PricingContext,
    set_ids: &[String],
) -> Result<HashMap<String, calc::CalculatedPrice>> {
    let inclusive = pricing::is_tax_inclusive(conn, &ctx.currency_code, ctx.region_id.as_deref())?;
    let candidates = pricing::candidates(conn, set_ids, &ctx.currency_code)?;
    Ok(candidates
        .into_iter()
        .filter_map(|(set, prices)| Some((set, calc::calculate(ctx, &prices, inclusive)?)))
        .collect())
}

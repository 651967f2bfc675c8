//! What the checkout needs from the catalog (products, variants, prices, regions), in one
//! place: a variant's snapshot and price for a cart, a region's countries and tax settings.
//!
//! Variants and products are read as rows through the generic row reader (`model::rows`, the
//! idea of Medusa's `query.graph`); prices through the catalog's pricing flow; regions
//! through the region module.

use crate::error::{Error, Result};
use crate::flows::{links, product_graph};
use crate::model::rows::load_rows;
use crate::modules::cart::LineItem;
use crate::modules::pricing::{
    self,
    calc::{CalculatedPrice, Candidate, PricingContext},
};
use crate::modules::product::{self, ProductFilter, ProductOrder, line_source};
use crate::modules::{region, store};
use rusqlite::Connection;
use serde_json::{Map, Value, json};
use std::collections::HashMap;

/// A variant as a cart sees it.
#[derive(Debug, Clone, Default)]
pub struct VariantInfo {
    /// The line-item snapshot (quantity 0), priced for the cart.
    pub item: LineItem,
    /// Whether stock is counted.
    pub manage_inventory: bool,
    /// Whether it sells beyond stock.
    pub allow_backorder: bool,
}

/// A region as a cart sees it.
#[derive(Debug, Clone, Default)]
pub struct RegionInfo {
    /// `reg_…`
    pub id: String,
    /// Display name.
    pub name: String,
    /// Currency.
    pub currency_code: String,
    /// Whether taxes are computed on every change.
    pub automatic_taxes: bool,
    /// ISO-2 codes, lower case.
    pub countries: Vec<String>,
}

/// The variant `id`, of a published product sold in one of `channels`, priced in
/// `currency` / `region`.
///
/// # Errors
/// 404 for an unknown variant (or one not sold in the channels); 400 "Variants with IDs X do
/// not have a price".
pub fn variant(
    conn: &Connection,
    id: &str,
    channels: &[String],
    currency: &str,
    region: Option<&str>,
    now: &str,
) -> Result<VariantInfo> {
    let not_found = || Error::not_found("Variant", id);
    let variant = line_source::variant_line(conn, id)?.ok_or_else(not_found)?;
    let product_id = variant.product_id.clone().ok_or_else(not_found)?;
    let product = line_source::product_line(conn, &product_id)?.ok_or_else(not_found)?;
    let sold_in = links::product_sales_channel().rights_of(conn, &product_id)?;
    if product.status.as_deref() != Some("published")
        || !channels.iter().any(|c| sold_in.contains(c))
    {
        return Err(not_found());
    }
    let price = price(conn, id, currency, (region, &[]), (1, now))?;
    let compare =
        (price.original.amount > price.calculated.amount).then_some(price.original.amount);
    let product_type = match &product.type_id {
        Some(type_id) => line_source::type_value(conn, type_id)?,
        None => None,
    };
    let product_collection = match &product.collection_id {
        Some(collection_id) => line_source::collection_title(conn, collection_id)?,
        None => None,
    };
    let title = product.title.clone().unwrap_or_default();
    let item = LineItem {
        title: title.clone(),
        subtitle: variant.title.clone(),
        thumbnail: variant.thumbnail.or(product.thumbnail),
        variant_id: Some(id.to_string()),
        product_id: Some(product_id),
        product_title: Some(title),
        product_description: product.description,
        product_subtitle: product.subtitle,
        product_type,
        product_type_id: product.type_id,
        product_collection,
        product_handle: product.handle,
        variant_sku: variant.sku,
        variant_barcode: variant.barcode,
        variant_title: variant.title,
        requires_shipping: true,
        is_discountable: product.discountable,
        is_giftcard: product.is_giftcard,
        is_tax_inclusive: price.is_tax_inclusive,
        compare_at_unit_price: compare,
        unit_price: price.calculated.amount,
        metadata: json!({}),
        ..LineItem::default()
    };
    Ok(VariantInfo {
        item,
        manage_inventory: variant.manage_inventory,
        allow_backorder: variant.allow_backorder,
    })
}

/// The price of `id` for `(quantity, now)` in `currency` / `region` for a customer in
/// `customer_group_ids` (tiered and price-list prices apply, customer-group lists included,
/// as Medusa's cart pricing context carries the cart's customer and their groups).
///
/// # Errors
/// 400 "Variants with IDs X do not have a price".
pub fn price(
    conn: &Connection,
    id: &str,
    currency: &str,
    (region, customer_group_ids): (Option<&str>, &[String]),
    (quantity, now): (i64, &str),
) -> Result<CalculatedPrice> {
    let inclusive = prices_include_tax(conn, currency, region)?;
    let candidates = candidates(conn, currency, &[id.to_string()])?;
    let context = PricingContext {
        currency_code: currency.to_string(),
        region_id: region.map(str::to_string),
        quantity,
        customer_group_ids: customer_group_ids.to_vec(),
        now: now.to_string(),
    };
    price_among(&candidates, id, &context, inclusive)
}

/// The candidate prices of these variants in `currency`, by variant id: one read for all of
/// a cart's items, which [`price_among`] then prices one by one.
///
/// # Errors
/// Database failures.
pub fn candidates(
    conn: &Connection,
    currency: &str,
    variant_ids: &[String],
) -> Result<std::sync::Arc<HashMap<String, Vec<Candidate>>>> {
    product_graph::candidates_for_variants(conn, currency, variant_ids)
}

/// The price of variant `id` among `candidates` (from [`candidates`]) for `context`;
/// `inclusive` is [`prices_include_tax`] of the context's currency and region.
///
/// # Errors
/// 400 "Variants with IDs X do not have a price".
pub fn price_among(
    candidates: &HashMap<String, Vec<Candidate>>,
    id: &str,
    context: &PricingContext,
    inclusive: bool,
) -> Result<CalculatedPrice> {
    let prices = candidates.get(id).map_or(&[][..], Vec::as_slice);
    pricing::calc::calculate(context, prices, inclusive)
        .ok_or_else(|| Error::invalid(format!("Variants with IDs {id} do not have a price")))
}

fn info(r: &region::Region) -> RegionInfo {
    RegionInfo {
        countries: r.countries.iter().map(|c| c.iso_2.to_lowercase()).collect(),
        id: r.id.clone(),
        name: r.name.clone(),
        currency_code: r.currency_code.clone(),
        automatic_taxes: r.automatic_taxes,
    }
}

/// A region by id.
///
/// # Errors
/// 404.
pub fn region(conn: &Connection, id: &str) -> Result<RegionInfo> {
    region::shared(conn, id).map(|r| info(&r))
}

/// Whether the region computes taxes on every cart change (without building its document).
///
/// # Errors
/// 404.
pub fn automatic_taxes(conn: &Connection, id: &str) -> Result<bool> {
    Ok(region::shared(conn, id)?.automatic_taxes)
}

/// The store's default region, else any region.
///
/// # Errors
/// Database failures.
pub fn default_region(conn: &Connection) -> Result<Option<RegionInfo>> {
    if let Some(id) = store::default_store(conn)?.and_then(|s| s.default_region_id) {
        return region(conn, &id).map(Some);
    }
    let (all, _) = region::list(conn, &region::RegionFilter::default(), 1, 0)?;
    Ok(all.first().map(info))
}

/// Whether prices in this currency / region include tax.
///
/// # Errors
/// Database failures.
pub fn prices_include_tax(conn: &Connection, currency: &str, region: Option<&str>) -> Result<bool> {
    pricing::is_tax_inclusive(conn, currency, region)
}

/// The product and the variant documents a reply's items show, each by id, as JSON text
/// (each reply used to serialize them again).
pub type ItemRelations = (HashMap<String, String>, HashMap<String, String>);

/// `items.product` / `items.variant` for the cart and order JSON, by product and variant id.
///
/// # Errors
/// Database failures.
pub fn item_relations(
    conn: &Connection,
    product_ids: &[String],
    variant_ids: &[String],
) -> Result<std::sync::Arc<ItemRelations>> {
    // Every cart reply shows its items' product and variant rows (four replies per checkout).
    let key = format!(
        "item-relations:{}:{}",
        product_ids.join(","),
        variant_ids.join(",")
    );
    crate::db::cached::cached(&key, &["product", "product_variant"], || {
        read_item_relations(conn, product_ids, variant_ids)
    })
}

fn read_item_relations(
    conn: &Connection,
    product_ids: &[String],
    variant_ids: &[String],
) -> Result<ItemRelations> {
    let by_id = |rows: Vec<Value>| -> Map<String, Value> {
        rows.into_iter()
            .filter_map(|mut v| {
                let id = v.get("id")?.as_str()?.to_string();
                for key in [
                    "allow_backorder",
                    "manage_inventory",
                    "is_giftcard",
                    "discountable",
                ] {
                    if let Some(n) = v.get(key).and_then(Value::as_i64) {
                        v[key] = json!(n != 0);
                    }
                }
                if let Some(m) = v
                    .get("metadata")
                    .and_then(Value::as_str)
                    .and_then(|t| serde_json::from_str::<Value>(t).ok())
                {
                    v["metadata"] = m;
                }
                Some((id, v))
            })
            .collect()
    };
    let mut products = by_id(load_rows(conn, "product", product_ids)?);
    for product in products.values_mut() {
        product["categories"] = json!([]);
        product["tags"] = json!([]);
    }
    let texts = |documents: Map<String, Value>| -> Result<HashMap<String, String>> {
        documents
            .into_iter()
            .map(|(id, document)| Ok((id, serde_json::to_string(&document)?)))
            .collect()
    };
    Ok((
        texts(products)?,
        texts(by_id(load_rows(conn, "product_variant", variant_ids)?))?,
    ))
}

/// `(manage_inventory, allow_backorder)` of a variant (`(false, false)` when unknown).
///
/// # Errors
/// Database failures.
pub fn inventory_flags(conn: &Connection, variant_id: &str) -> Result<(bool, bool)> {
    Ok(line_source::variant_line(conn, variant_id)?
        .map_or((false, false), |v| (v.manage_inventory, v.allow_backorder)))
}

/// Every live variant with a SKU: `(variant id, sku, title)` (for seeding inventory).
///
/// # Errors
/// Database failures.
pub fn variants_with_sku(conn: &Connection) -> Result<Vec<(String, String, String)>> {
    let (products, _) = product::list(
        conn,
        &ProductFilter::default(),
        &ProductOrder::default(),
        i64::MAX as u64,
        0,
    )?;
    let ids: Vec<String> = products.into_iter().map(|p| p.id).collect();
    let mut out = Vec::new();
    for variants in product::relations::variants_of(conn, &ids)?.into_values() {
        out.extend(
            variants
                .into_iter()
                .filter_map(|v| Some((v.id, v.sku?, v.title))),
        );
    }
    out.sort();
    Ok(out)
}

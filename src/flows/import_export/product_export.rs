//! The product CSV in Medusa's column layout (`normalizeForExport` of Medusa's core flows):
//! one row per variant (one row for a product without variants), the product's columns
//! repeated on each, `Product Image N` / `Product Tag N` / `Product Sales Channel N` /
//! `Product Category N` numbered from 1, `Variant Price <CUR>` for a variant's price
//! without rules and `Variant Price <Region name> [<CUR>]` for a region's price, and
//! `Variant Option N Name` / `Value` pairs. Amounts are major units, as Medusa's API shows
//! them. Products are in id order (Medusa's `order: {id: "ASC"}`).
//!
//! Left out on purpose, so that export → import → export gives the same bytes: creation and
//! update times (the import ignores them, as Medusa's does) and metadata (Medusa's export
//! drops it too).

use super::csv_text::{Table, text};
use crate::error::Result;
use crate::flows::links;
use crate::flows::product_graph::{self, ProductNode, VariantNode, Wanted};
use crate::modules::pricing::StoredPrice;
use crate::modules::product::{self, ProductFilter, ProductOrder};
use crate::modules::region::{self, RegionFilter};
use rusqlite::Connection;
use serde::Deserialize;
use serde_json::Value;
use std::collections::{BTreeSet, HashMap};

/// The product columns, in Medusa's order (`prodColumnPositions`), each with how a product
/// row gives its cell.
const PRODUCT_COLUMNS: &[&str] = &[
    "Product Id",
    "Product Handle",
    "Product Title",
    "Product Subtitle",
    "Product Description",
    "Product Status",
    "Product Thumbnail",
    "Product Weight",
    "Product Length",
    "Product Width",
    "Product Height",
    "Product Hs Code",
    "Product Origin Country",
    "Product Mid Code",
    "Product Material",
    "Product Collection Id",
    "Product Type Id",
    "Product Discountable",
    "Product External Id",
    "Product Is Giftcard",
];

/// The variant columns, in Medusa's order (`variantColumnPositions`, then the rest).
const VARIANT_COLUMNS: &[&str] = &[
    "Variant Id",
    "Variant Title",
    "Variant Sku",
    "Variant Upc",
    "Variant Ean",
    "Variant Hs Code",
    "Variant Mid Code",
    "Variant Manage Inventory",
    "Variant Allow Backorder",
    "Variant Barcode",
    "Variant Weight",
    "Variant Length",
    "Variant Width",
    "Variant Height",
    "Variant Material",
    "Variant Origin Country",
    "Variant Variant Rank",
];

/// Products per page read.
const PAGE: u64 = 200;

/// The filter `POST /admin/products/export` takes (the list's filters).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ProductExportFilter {
    /// Only these ids.
    pub id: Vec<String>,
    /// Only these handles.
    pub handle: Vec<String>,
    /// Only these statuses.
    pub status: Vec<String>,
    /// Free text.
    pub q: Option<String>,
    /// In any of these categories.
    pub category_id: Vec<String>,
    /// In any of these collections.
    pub collection_id: Vec<String>,
    /// With any of these tags.
    pub tag_id: Vec<String>,
    /// Of any of these types.
    pub type_id: Vec<String>,
    /// In any of these sales channels.
    pub sales_channel_id: Vec<String>,
    /// Gift cards only / none.
    pub is_giftcard: Option<bool>,
}

impl ProductExportFilter {
    fn to_filter(&self) -> ProductFilter {
        let scope = (!self.sales_channel_id.is_empty()).then(|| {
            (
                links::product_sales_channel().left_linked_to_any("p.id"),
                crate::modules::json_list(&self.sales_channel_id),
            )
        });
        ProductFilter {
            ids: self.id.clone(),
            handles: self.handle.clone(),
            statuses: self.status.clone(),
            q: self.q.clone(),
            category_ids: self.category_id.clone(),
            collection_ids: self.collection_id.clone(),
            tag_ids: self.tag_id.clone(),
            type_ids: self.type_id.clone(),
            is_giftcard: self.is_giftcard,
            scope,
            ..ProductFilter::default()
        }
    }
}

/// The product CSV for `filter` (a [`ProductExportFilter`] as JSON).
///
/// # Errors
/// 400 for a filter that is not one; database failures.
pub fn table(conn: &Connection, filter: &Value) -> Result<Table> {
    let filter: ProductExportFilter = crate::workflow::parse_input(filter)?;
    let nodes = all_products(conn, &filter.to_filter())?;
    let regions: HashMap<String, String> =
        region::list(conn, &RegionFilter::default(), u64::MAX, 0)?
            .0
            .into_iter()
            .map(|r| (r.id, r.name))
            .collect();
    Ok(layout(&nodes, &regions))
}

fn all_products(conn: &Connection, filter: &ProductFilter) -> Result<Vec<ProductNode>> {
    let order = ProductOrder {
        column: "id",
        descending: false,
    };
    let wanted = Wanted {
        variants: true,
        variant_options: true,
        stored_prices: true,
        images: true,
        tags: true,
        categories: true,
        sales_channels: true,
        ..Wanted::default()
    };
    let mut nodes = Vec::new();
    loop {
        let (page, _) = product::list(conn, filter, &order, PAGE, nodes.len() as u64)?;
        let done = (page.len() as u64) < PAGE;
        nodes.extend(product_graph::load(conn, page, &wanted)?);
        if done {
            return Ok(nodes);
        }
    }
}

/// The header and rows of `nodes` (region id → name for region prices).
pub fn layout(nodes: &[ProductNode], regions: &HashMap<String, String>) -> Table {
    let most = |count: fn(&ProductNode) -> usize| nodes.iter().map(count).max().unwrap_or(0);
    let counts = [
        ("Product Image", most(|n| n.images.len())),
        ("Product Tag", most(|n| n.tags.len())),
        ("Product Sales Channel", most(|n| n.sales_channels.len())),
        ("Product Category", most(|n| n.categories.len())),
    ];
    let options = nodes
        .iter()
        .flat_map(|n| n.variants.iter().map(|v| v.options.len()))
        .max()
        .unwrap_or(0);
    let prices: BTreeSet<String> = nodes
        .iter()
        .flat_map(|n| n.variants.iter())
        .flat_map(|v| price_cells(v, regions))
        .map(|(column, _)| column)
        .collect();
    let mut header: Vec<String> = PRODUCT_COLUMNS.iter().map(|c| c.to_string()).collect();
    for (name, count) in counts {
        header.extend((1..=count).map(|i| format!("{name} {i}")));
    }
    header.extend(VARIANT_COLUMNS.iter().map(|c| c.to_string()));
    header.extend(prices.iter().cloned());
    for i in 1..=options {
        header.push(format!("Variant Option {i} Name"));
        header.push(format!("Variant Option {i} Value"));
    }
    let index: HashMap<&str, usize> = header
        .iter()
        .enumerate()
        .map(|(i, h)| (h.as_str(), i))
        .collect();
    let mut rows = Vec::new();
    for node in nodes {
        let product = product_cells(node);
        if node.variants.is_empty() {
            rows.push(row(&index, header.len(), &product, &[]));
        }
        for variant in &node.variants {
            rows.push(row(
                &index,
                header.len(),
                &product,
                &variant_cells(variant, regions),
            ));
        }
    }
    Table { header, rows }
}

fn row(
    index: &HashMap<&str, usize>,
    width: usize,
    a: &[(String, String)],
    b: &[(String, String)],
) -> Vec<String> {
    let mut cells = vec![String::new(); width];
    for (column, value) in a.iter().chain(b) {
        if let Some(&i) = index.get(column.as_str()) {
            cells[i] = value.clone();
        }
    }
    cells
}

fn opt_text(value: Option<&str>) -> String {
    value.map(text).unwrap_or_default()
}

fn opt_number(value: Option<f64>) -> String {
    value.map(|v| v.to_string()).unwrap_or_default()
}

fn product_cells(node: &ProductNode) -> Vec<(String, String)> {
    let p = &node.product;
    let mut cells: Vec<(String, String)> = [
        ("Product Id", p.id.clone()),
        ("Product Handle", text(&p.handle)),
        ("Product Title", text(&p.title)),
        ("Product Subtitle", opt_text(p.subtitle.as_deref())),
        ("Product Description", opt_text(p.description.as_deref())),
        ("Product Status", p.status.clone()),
        ("Product Thumbnail", opt_text(p.thumbnail.as_deref())),
        ("Product Weight", opt_number(p.weight)),
        ("Product Length", opt_number(p.length)),
        ("Product Width", opt_number(p.width)),
        ("Product Height", opt_number(p.height)),
        ("Product Hs Code", opt_text(p.hs_code.as_deref())),
        (
            "Product Origin Country",
            opt_text(p.origin_country.as_deref()),
        ),
        ("Product Mid Code", opt_text(p.mid_code.as_deref())),
        ("Product Material", opt_text(p.material.as_deref())),
        (
            "Product Collection Id",
            p.collection_id.clone().unwrap_or_default(),
        ),
        ("Product Type Id", p.type_id.clone().unwrap_or_default()),
        ("Product Discountable", p.discountable.to_string()),
        ("Product External Id", opt_text(p.external_id.as_deref())),
        ("Product Is Giftcard", p.is_giftcard.to_string()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    let numbered = |name: &str, values: Vec<String>| {
        values
            .into_iter()
            .enumerate()
            .map(|(i, v)| (format!("{name} {}", i + 1), v))
            .collect::<Vec<_>>()
    };
    cells.extend(numbered(
        "Product Image",
        node.images.iter().map(|i| text(&i.url)).collect(),
    ));
    cells.extend(numbered(
        "Product Tag",
        node.tags.iter().map(|t| t.id.clone()).collect(),
    ));
    cells.extend(numbered(
        "Product Sales Channel",
        node.sales_channels.iter().map(|c| c.id.clone()).collect(),
    ));
    cells.extend(numbered(
        "Product Category",
        node.categories.iter().map(|c| c.id.clone()).collect(),
    ));
    cells
}

fn variant_cells(node: &VariantNode, regions: &HashMap<String, String>) -> Vec<(String, String)> {
    let v = &node.variant;
    let mut cells: Vec<(String, String)> = [
        ("Variant Id", v.id.clone()),
        ("Variant Title", text(&v.title)),
        ("Variant Sku", opt_text(v.sku.as_deref())),
        ("Variant Upc", opt_text(v.upc.as_deref())),
        ("Variant Ean", opt_text(v.ean.as_deref())),
        ("Variant Hs Code", opt_text(v.hs_code.as_deref())),
        ("Variant Mid Code", opt_text(v.mid_code.as_deref())),
        ("Variant Manage Inventory", v.manage_inventory.to_string()),
        ("Variant Allow Backorder", v.allow_backorder.to_string()),
        ("Variant Barcode", opt_text(v.barcode.as_deref())),
        ("Variant Weight", opt_number(v.weight)),
        ("Variant Length", opt_number(v.length)),
        ("Variant Width", opt_number(v.width)),
        ("Variant Height", opt_number(v.height)),
        ("Variant Material", opt_text(v.material.as_deref())),
        (
            "Variant Origin Country",
            opt_text(v.origin_country.as_deref()),
        ),
        ("Variant Variant Rank", v.variant_rank.to_string()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    cells.extend(price_cells(node, regions));
    for (i, (value, option)) in node.options.iter().enumerate() {
        cells.push((
            format!("Variant Option {} Name", i + 1),
            text(&option.title),
        ));
        cells.push((
            format!("Variant Option {} Value", i + 1),
            text(&value.value),
        ));
    }
    cells
}

/// Whether Medusa's layout can hold a price: no quantity bounds, and no rule or only a
/// region rule.
pub fn expressible(p: &StoredPrice) -> bool {
    let rules_fit = match p.rules.as_slice() {
        [] => true,
        [(attribute, _)] => attribute == "region_id",
        _ => false,
    };
    p.min_quantity.is_none() && p.max_quantity.is_none() && rules_fit
}

/// `(column, amount)` of a variant's exportable prices (see [`expressible`]).
fn price_cells(node: &VariantNode, regions: &HashMap<String, String>) -> Vec<(String, String)> {
    node.prices
        .iter()
        .filter(|p| expressible(p))
        .filter_map(|p| {
            let currency = p.currency_code.to_ascii_uppercase();
            let column = match p.rules.as_slice() {
                [] => format!("Variant Price {currency}"),
                [(attribute, region)] if attribute == "region_id" => {
                    format!("Variant Price {} [{currency}]", regions.get(region)?)
                }
                _ => return None,
            };
            let exponent = crate::money::exponent_or_default(&p.currency_code);
            Some((column, crate::money::format_major(p.amount, exponent)))
        })
        .collect()
}

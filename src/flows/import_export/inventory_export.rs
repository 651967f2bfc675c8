//! The inventory CSV in Medusa's layout (`normalizeForExport` of its inventory flows): the
//! item's own columns as `Item <Field>`, one row per linked variant (`Variant Id`, `Title`,
//! `Barcode`, `Ean`, `Upc`; one row with those empty for an unlinked item), and for every
//! stock location, by name, `Location [<name>] Stocked Quantity`, `Reserved Quantity`,
//! `Available Quantity` (empty where the item has no level there).

use super::csv_text::{Table, text};
use crate::error::Result;
use crate::flows::links;
use crate::modules::inventory::manage::{self, Item};
use crate::modules::product::store_read::{self, Order, ProductScope, VariantFilter};
use crate::modules::stock_location;
use rusqlite::Connection;
use serde::Deserialize;
use serde_json::Value;

/// The item columns, in Medusa's default field order.
const ITEM_COLUMNS: &[&str] = &[
    "id",
    "sku",
    "title",
    "description",
    "thumbnail",
    "origin_country",
    "hs_code",
    "requires_shipping",
    "mid_code",
    "material",
    "weight",
    "length",
    "height",
    "width",
];

/// Items per page read.
const PAGE: u64 = 200;

/// The filter `POST /admin/inventory-items/export` takes.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct InventoryExportFilter {
    /// Only these ids.
    pub id: Vec<String>,
    /// Free text over sku and title.
    pub q: Option<String>,
    /// Exact sku.
    pub sku: Option<String>,
}

/// `Item Hs Code` for `hs_code`.
fn beautify(prefix: &str, key: &str) -> String {
    let mut out = prefix.to_string();
    for word in key.split('_') {
        out.push(' ');
        let mut chars = word.chars();
        if let Some(first) = chars.next() {
            out.extend(first.to_uppercase());
            out.push_str(chars.as_str());
        }
    }
    out
}

fn cell(value: Option<&Value>) -> String {
    match value {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => text(s),
        Some(Value::Bool(b)) => b.to_string(),
        Some(Value::Number(n)) => n.to_string(),
        Some(other) => text(&other.to_string()),
    }
}

/// The inventory CSV for `filter` (an [`InventoryExportFilter`] as JSON).
///
/// # Errors
/// 400 for a filter that is not one; database failures.
pub fn table(conn: &Connection, filter: &Value) -> Result<Table> {
    let filter: InventoryExportFilter = crate::workflow::parse_input(filter)?;
    let (location_ids, _) = stock_location::manage::list(conn, None, &[], &[], 0, u64::MAX)?;
    let mut locations = location_ids
        .iter()
        .map(|id| stock_location::retrieve(conn, id))
        .collect::<Result<Vec<_>>>()?;
    locations.sort_by(|a, b| a.name.cmp(&b.name));
    let mut header: Vec<String> = ITEM_COLUMNS.iter().map(|c| beautify("Item", c)).collect();
    header.extend(
        [
            "Variant Id",
            "Variant Title",
            "Variant Barcode",
            "Variant Ean",
            "Variant Upc",
        ]
        .map(String::from),
    );
    for location in &locations {
        for field in [
            "Stocked Quantity",
            "Reserved Quantity",
            "Available Quantity",
        ] {
            header.push(format!("Location [{}] {field}", location.name));
        }
    }
    let mut rows = Vec::new();
    let mut offset = 0;
    loop {
        let (items, _) = manage::list(
            conn,
            filter.q.as_deref(),
            filter.sku.as_deref(),
            &filter.id,
            offset,
            PAGE,
        )?;
        for item in &items {
            rows.extend(item_rows(conn, item, &locations)?);
        }
        if (items.len() as u64) < PAGE {
            return Ok(Table { header, rows });
        }
        offset += PAGE;
    }
}

fn item_rows(
    conn: &Connection,
    item: &Item,
    locations: &[stock_location::StockLocation],
) -> Result<Vec<Vec<String>>> {
    let own: Vec<String> = ITEM_COLUMNS
        .iter()
        .map(|c| match *c {
            "id" => item.id.clone(),
            key => cell(item.fields.get(key)),
        })
        .collect();
    let mut levels = Vec::new();
    for location in locations {
        let level = item
            .location_levels
            .iter()
            .find(|l| l.location_id == location.id);
        for quantity in [
            level.map(|l| l.stocked_quantity),
            level.map(|l| l.reserved_quantity),
            level.map(|l| l.available_quantity),
        ] {
            levels.push(quantity.map(|q| q.to_string()).unwrap_or_default());
        }
    }
    let variant_ids = links::variant_inventory_item().lefts_of(conn, &item.id)?;
    let variants = if variant_ids.is_empty() {
        Vec::new()
    } else {
        let filter = VariantFilter {
            ids: variant_ids,
            ..VariantFilter::default()
        };
        let order = Order {
            column: "created_at",
            descending: false,
        };
        store_read::variant_page(
            conn,
            &ProductScope::default(),
            &filter,
            order,
            (u64::MAX, 0),
        )?
        .0
    };
    let variant_cells: Vec<[String; 5]> = if variants.is_empty() {
        vec![Default::default()]
    } else {
        variants
            .iter()
            .map(|v| {
                let opt = |s: &Option<String>| s.as_deref().map(text).unwrap_or_default();
                [
                    v.id.clone(),
                    text(&v.title),
                    opt(&v.barcode),
                    opt(&v.ean),
                    opt(&v.upc),
                ]
            })
            .collect()
    };
    Ok(variant_cells
        .into_iter()
        .map(|variant| {
            let mut row = own.clone();
            row.extend(variant);
            row.extend(levels.iter().cloned());
            row
        })
        .collect())
}

//! Draft orders in the fixture format (`draft_orders`): what `stockroom export` writes for
//! each draft and how `seed` makes it again.
//!
//! A draft is written as what staff would send to create it — contact, customer (by email),
//! region and sales channel (by key), addresses, lines (a variant by SKU, its price only when
//! staff set it; or a custom title and price), shipping methods (name and amount), promotion
//! codes and metadata — and loaded through the same `create_draft` as
//! `POST /admin/draft-orders`, so its prices, tax lines (through the tax region's provider)
//! and promotion adjustments are computed exactly as they were. Export → load → export is
//! therefore byte-identical. What a draft holds beyond that is named in the export's
//! `skipped` list: an edit still open, and a line whose variant has no SKU (the draft is left
//! out then).

use super::export::{ALL, KeyBook};
use super::orders::draft_promotions;
use super::orders::drafts::{self, Methods};
use crate::db::Tx;
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::modules::order::admin::{self as order_admin, OrderFilter};
use crate::modules::order::{self, ADDRESS_FIELDS, Order, changes};
use crate::modules::{customer, product};
use crate::money;
use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use std::collections::HashMap;

/// Fixture key (or email) → id.
type Ids = HashMap<String, String>;

/// `draft_orders[]` entry.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct FixtureDraftOrder {
    /// Contact email.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// The customer, by the email of a fixture customer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer: Option<String>,
    /// Region key.
    pub region: String,
    /// Sales channel key (the store's default channel when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sales_channel: Option<String>,
    /// Address fields.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shipping_address: Option<Map<String, Value>>,
    /// Address fields.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub billing_address: Option<Map<String, Value>>,
    /// Lines.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub items: Vec<FixtureDraftItem>,
    /// Shipping methods.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub shipping_methods: Vec<FixtureDraftMethod>,
    /// Promotion codes (of fixture promotions).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub promo_codes: Vec<String>,
    /// Free-form JSON.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Value>,
}

/// A draft's line: a variant (`sku`) or a custom `title`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct FixtureDraftItem {
    /// The variant's SKU.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sku: Option<String>,
    /// A custom line's title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Units.
    pub quantity: i64,
    /// Major units, when staff set the price (always for a custom line).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit_price: Option<Value>,
    /// Free-form JSON.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Value>,
}

/// A draft's shipping method.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct FixtureDraftMethod {
    /// Shown name.
    pub name: String,
    /// Major units.
    pub amount: Value,
}

/// The live drafts, oldest first.
///
/// # Errors
/// Database failures.
pub fn export(
    conn: &Connection,
    book: &KeyBook,
    skipped: &mut Vec<String>,
) -> Result<Vec<FixtureDraftOrder>> {
    let filter = OrderFilter {
        drafts: true,
        oldest_first: true,
        ..OrderFilter::default()
    };
    let (drafts, _) = order_admin::list(conn, &filter, 0, ALL)?;
    let mut list = Vec::new();
    for draft in drafts {
        let name = format!("draft order #{}", draft.display_id);
        if changes::open_change(conn, &draft.id)?.is_some() {
            skipped.push(format!(
                "{name}: its open edit (the draft is exported without it)"
            ));
        }
        match one(conn, book, &draft)? {
            Ok(entry) => list.push(entry),
            Err(reason) => skipped.push(format!("{name}: {reason}")),
        }
    }
    Ok(list)
}

/// One draft, or why the format cannot hold it.
fn one(
    conn: &Connection,
    book: &KeyBook,
    draft: &Order,
) -> Result<std::result::Result<FixtureDraftOrder, String>> {
    let Some(region) = draft.region_id.as_deref().and_then(|id| book.key(id)) else {
        return Ok(Err("no exported region".into()));
    };
    let currency = &draft.currency_code;
    let mut items = Vec::new();
    for item in order::items::items_of(conn, &draft.id)? {
        let metadata =
            Some(item.metadata.clone()).filter(|m| m.as_object().is_some_and(|o| !o.is_empty()));
        let price = money::to_json(item.unit_price, currency);
        items.push(match item.variant_id {
            Some(_) => {
                let Some(sku) = item.variant_sku.clone() else {
                    return Ok(Err(format!(
                        "line '{}' names a variant without a SKU",
                        item.title
                    )));
                };
                FixtureDraftItem {
                    sku: Some(sku),
                    title: None,
                    quantity: item.quantity,
                    unit_price: item.is_custom_price.then_some(price),
                    metadata,
                }
            }
            None => FixtureDraftItem {
                sku: None,
                title: Some(item.title.clone()),
                quantity: item.quantity,
                unit_price: Some(price),
                metadata,
            },
        });
    }
    let shipping_methods = order::shipping::methods_of(conn, &draft.id)?
        .into_iter()
        .map(|m| FixtureDraftMethod {
            name: m.name,
            amount: money::to_json(m.amount, currency),
        })
        .collect();
    let customer = match draft.customer_id.as_deref() {
        Some(id) => customer::retrieve(conn, id)?.email,
        None => None,
    };
    Ok(Ok(FixtureDraftOrder {
        email: draft.email.clone(),
        customer,
        region,
        sales_channel: draft
            .sales_channel_id
            .as_deref()
            .and_then(|id| book.key(id)),
        shipping_address: address(conn, draft.shipping_address_id.as_deref())?,
        billing_address: address(conn, draft.billing_address_id.as_deref())?,
        items,
        shipping_methods,
        promo_codes: draft_promotions::codes_after(conn, &draft.id, &[])?,
        metadata: draft.metadata.clone(),
    }))
}

/// An order address as the fields a draft is created with (nulls left out).
fn address(conn: &Connection, id: Option<&str>) -> Result<Option<Map<String, Value>>> {
    Ok(order::address(conn, id)?.map(|mut fields| {
        fields.retain(|k, v| {
            ADDRESS_FIELDS.contains(&k.as_str()) && k != "customer_id" && !v.is_null()
        });
        fields
    }))
}

/// Creates the fixture's drafts, in order, as `POST /admin/draft-orders` would (any number
/// of shipping methods).
///
/// # Errors
/// An unknown key, customer or SKU; whatever creating a draft refuses.
pub fn load(
    tx: &Tx,
    engine: &Engine,
    list: &[FixtureDraftOrder],
    (regions, channels, customers): (&Ids, &Ids, &Ids),
) -> Result<()> {
    for d in list {
        let unknown = |kind: &str, key: &str| {
            Error::invalid(format!("fixture: draft order: unknown {kind} '{key}'"))
        };
        let region = regions
            .get(&d.region)
            .ok_or_else(|| unknown("region", &d.region))?;
        let channel = match &d.sales_channel {
            Some(k) => Some(channels.get(k).ok_or_else(|| unknown("sales channel", k))?),
            None => None,
        };
        let customer = match &d.customer {
            Some(email) => Some(
                customers
                    .get(email)
                    .ok_or_else(|| unknown("customer", email))?,
            ),
            None => None,
        };
        let mut items = Vec::new();
        for item in &d.items {
            let mut want = json!({ "quantity": item.quantity });
            if let Some(sku) = &item.sku {
                let variant =
                    product::codes::variant_by_code(tx, sku)?.ok_or_else(|| unknown("SKU", sku))?;
                want["variant_id"] = json!(variant);
            }
            for (key, value) in [
                ("title", item.title.as_ref().map(|t| json!(t))),
                ("unit_price", item.unit_price.clone()),
                ("metadata", item.metadata.clone()),
            ] {
                if let Some(value) = value {
                    want[key] = value;
                }
            }
            items.push(want);
        }
        let methods: Vec<Value> = d
            .shipping_methods
            .iter()
            .map(|m| json!({ "name": m.name, "amount": m.amount }))
            .collect();
        let input = json!({
            "email": d.email,
            "customer_id": customer,
            "region_id": region,
            "sales_channel_id": channel,
            "shipping_address": d.shipping_address,
            "billing_address": d.billing_address,
            "items": items,
            "shipping_methods": methods,
            "promo_codes": d.promo_codes,
            "metadata": d.metadata,
        });
        let input = crate::workflow::parse_input(&input)?;
        drafts::create_draft(tx, engine, &input, Methods::Any)?;
    }
    Ok(())
}

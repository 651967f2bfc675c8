//! The shipping options an order could use (Medusa 2.21.2's
//! `list-shipping-options-for-order`, behind `GET /admin/orders/:id/shipping-options`): the
//! options of the fulfillment sets at the order's sales channel's stock locations whose
//! service zones serve its shipping address, each flagged `insufficient_inventory` when some
//! inventory-managed line cannot be covered at the option's location. Unlike the store's
//! cart options, none is filtered out by its `enabled_in_store` / `is_return` rules — staff
//! see them all, as on Medusa.

use crate::error::{Error, Result};
use crate::flows::checkout::{catalog, stock};
use crate::flows::links;
use crate::modules::fulfillment::{self, ShippingOption, zones};
use crate::modules::inventory::{self, manage as inventory_manage};
use crate::modules::order::{self, LineItem};
use crate::modules::stock_location::{self, StockLocation};
use rusqlite::Connection;
use serde_json::Value;

/// One option with where it ships from.
#[derive(Debug, Clone)]
pub struct OrderOption {
    /// The option, with its rules.
    pub option: ShippingOption,
    /// `fuset_…` of its service zone.
    pub fulfillment_set_id: String,
    /// The set's type (`shipping`, `pickup`).
    pub fulfillment_set_type: String,
    /// The stock location the set belongs to.
    pub location: Option<StockLocation>,
    /// Whether some inventory-managed line is short at that location.
    pub insufficient_inventory: bool,
}

/// The order's shipping options.
///
/// # Errors
/// 404 "Order id not found: X" (Medusa's query wording); 400 "Field(s) are required to
/// have value to continue - sales_channel_id, region_id" when the order lacks either.
pub fn for_order(conn: &Connection, order_id: &str) -> Result<Vec<OrderOption>> {
    let found = order::retrieve(conn, order_id).map_err(|e| match e {
        Error::NotFound(_) => Error::NotFound(format!("Order id not found: {order_id}")),
        other => other,
    })?;
    let missing: Vec<&str> = [
        ("sales_channel_id", &found.sales_channel_id),
        ("region_id", &found.region_id),
    ]
    .iter()
    .filter(|(_, v)| v.as_deref().is_none_or(str::is_empty))
    .map(|(k, _)| *k)
    .collect();
    if !missing.is_empty() {
        return Err(Error::invalid(format!(
            "Field(s) are required to have value to continue - {}",
            missing.join(", ")
        )));
    }
    let Some((country, province)) = place(conn, found.shipping_address_id.as_deref())? else {
        return Ok(Vec::new());
    };
    let mut set_location = Vec::new();
    for location in stock::channel_locations(conn, found.sales_channel_id.as_deref())? {
        for set in links::location_fulfillment_set().rights_of(conn, &location)? {
            set_location.push((set, location.clone()));
        }
    }
    let sets: Vec<String> = set_location.iter().map(|(s, _)| s.clone()).collect();
    let items = order::items::items_of(conn, order_id)?;
    let options = fulfillment::options_in_sets(conn, &sets, &country, province.as_deref())?;
    std::sync::Arc::unwrap_or_clone(options)
        .into_iter()
        .map(|option| {
            let zone = zones::retrieve_zone(conn, &option.service_zone_id)?;
            let set = zones::retrieve_set(conn, &zone.fulfillment_set_id)?;
            let location_id = set_location
                .iter()
                .find(|(s, _)| *s == set.id)
                .map(|(_, l)| l.clone());
            let location = match &location_id {
                Some(id) => stock_location::retrieve(conn, id).ok(),
                None => None,
            };
            let short = match &location_id {
                Some(id) => short_at(conn, &items, id)?,
                None => true,
            };
            Ok(OrderOption {
                option,
                fulfillment_set_id: set.id,
                fulfillment_set_type: set.kind,
                location,
                insufficient_inventory: short,
            })
        })
        .collect()
}

/// `(country, province)` of the shipping address, when it has a country.
fn place(conn: &Connection, address_id: Option<&str>) -> Result<Option<(String, Option<String>)>> {
    let Some(address) = order::address(conn, address_id)? else {
        return Ok(None);
    };
    let text = |k: &str| {
        address
            .get(k)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_lowercase)
    };
    Ok(text("country_code").map(|c| (c, text("province"))))
}

/// Medusa's check: a line is short when its variant manages inventory and one of its
/// shipping-requiring inventory items has no level at the location or less available there
/// than the line's quantity.
fn short_at(conn: &Connection, items: &[LineItem], location: &str) -> Result<bool> {
    let here = [location.to_string()];
    for line in items {
        let Some(variant) = line.variant_id.as_deref() else {
            continue;
        };
        if !catalog::inventory_flags(conn, variant)?.0 {
            continue;
        }
        for item in links::variant_inventory_item().rights_of(conn, variant)? {
            let requires = inventory_manage::retrieve(conn, &item)
                .map(|i| i.fields.get("requires_shipping") != Some(&Value::Bool(false)))
                .unwrap_or(false);
            if requires && !inventory::is_available(conn, &item, &here, line.quantity)? {
                return Ok(true);
            }
        }
    }
    Ok(false)
}

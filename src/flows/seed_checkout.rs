//! The checkout part of a fixture: stock locations (address, sales channels, fulfillment sets
//! with service zones, geo zones and flat-priced shipping options) and inventory for every
//! variant with a SKU (one item per variant, stocked at the first location).
//! Entries refer to sales channels and regions by their fixture keys, like the rest of the
//! file.

use super::checkout::catalog;
use super::links;
use crate::ctx::Ctx;
use crate::error::{Error, Result};
use crate::modules::fulfillment::{self, GeoZone, NewShippingOption, TypeChoice};
use crate::modules::inventory;
use crate::modules::stock_location::{self, LocationAddress};
use crate::money::parse_major_non_negative;
use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};

/// `stock_locations[]` entry.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct FixtureLocation {
    /// Fixture-local key.
    pub key: String,
    /// Display name.
    pub name: String,
    /// Street address.
    pub address: FixtureAddress,
    /// Keys of the sales channels it serves.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sales_channels: Vec<String>,
    /// What ships from it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fulfillment_sets: Vec<FixtureFulfillmentSet>,
}

/// A location address.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct FixtureAddress {
    /// Street.
    pub address_1: String,
    /// City.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    /// ISO-2.
    pub country_code: String,
    /// Postal code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postal_code: Option<String>,
    /// Province or state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub province: Option<String>,
}

/// A fulfillment set.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct FixtureFulfillmentSet {
    /// Display name.
    pub name: String,
    /// `shipping` or `pickup`.
    #[serde(rename = "type", default = "shipping")]
    pub kind: String,
    /// Its service zones.
    pub service_zones: Vec<FixtureServiceZone>,
}

fn shipping() -> String {
    "shipping".into()
}

/// A service zone.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct FixtureServiceZone {
    /// Display name.
    pub name: String,
    /// Countries (`"us"`) or provinces (`"ca:qc"`) it covers.
    pub geo_zones: Vec<String>,
    /// Options in this zone.
    pub shipping_options: Vec<FixtureShippingOption>,
}

/// A flat-priced shipping option.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct FixtureShippingOption {
    /// Display name.
    pub name: String,
    /// Type label and code (`standard`, `express`).
    pub code: String,
    /// Prices in major units.
    pub prices: Vec<FixtureOptionPrice>,
}

/// One price of an option: per currency, or per region (by key).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct FixtureOptionPrice {
    /// Currency (for a region price, the region's).
    pub currency_code: String,
    /// Region key, for a region price.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// Major units.
    pub amount: Value,
}

/// `inventory` section.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct FixtureInventory {
    /// Stock of every variant with a SKU at the first location.
    pub default_stocked: i64,
    /// Exceptions by SKU (at the first location).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub stocked: BTreeMap<String, i64>,
    /// Stock at the other locations.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub levels: Vec<FixtureLevel>,
}

/// Stock of one SKU at a location other than the first.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct FixtureLevel {
    /// The variant's SKU.
    pub sku: String,
    /// Key of the stock location.
    pub location: String,
    /// Units on hand.
    pub stocked: i64,
}

/// The checkout sections of a fixture.
#[derive(Debug, Clone, Default)]
pub struct CheckoutFixture<'a> {
    /// Locations.
    pub locations: &'a [FixtureLocation],
    /// Inventory.
    pub inventory: Option<&'a FixtureInventory>,
}

fn lookup<'a>(keys: &'a HashMap<String, String>, kind: &str, key: &str) -> Result<&'a String> {
    keys.get(key)
        .ok_or_else(|| Error::invalid(format!("fixture: unknown {kind} key '{key}'")))
}

/// Loads the checkout sections; `channels` and `regions` map fixture keys to ids.
///
/// # Errors
/// Unknown keys; invalid amounts or rates; database failures.
pub fn load(
    conn: &Connection,
    ctx: &Ctx,
    f: &CheckoutFixture,
    channels: &HashMap<String, String>,
    regions: &HashMap<String, String>,
) -> Result<HashMap<String, String>> {
    let profile = if f.locations.is_empty() {
        None
    } else {
        Some(fulfillment::create_profile(
            conn,
            ctx,
            "Default Shipping Profile",
            "default",
        )?)
    };
    let mut location_ids = Vec::new();
    for location in f.locations {
        let address = LocationAddress {
            address_1: location.address.address_1.clone(),
            city: location.address.city.clone(),
            country_code: location.address.country_code.clone(),
            postal_code: location.address.postal_code.clone(),
            province: location.address.province.clone(),
            ..LocationAddress::default()
        };
        let id = stock_location::create(conn, ctx, &location.name, Some(&address))?.id;
        for channel in &location.sales_channels {
            let channel_id = lookup(channels, "sales channel", channel)?;
            links::sales_channel_stock_location().create(
                conn,
                &ctx.id("scloc"),
                channel_id,
                &id,
                &ctx.now(),
            )?;
        }
        for set in &location.fulfillment_sets {
            load_set(conn, ctx, &id, set, profile.as_deref(), regions)?;
        }
        location_ids.push((location.key.clone(), id));
    }
    let locations: HashMap<String, String> = location_ids.iter().cloned().collect();
    if let (Some(inv), Some((_, location))) = (f.inventory, location_ids.first()) {
        load_inventory(conn, ctx, inv, location)?;
        for level in &inv.levels {
            let location = lookup(&locations, "stock location", &level.location)?;
            let item = inventory::manage::list(conn, None, Some(&level.sku), &[], 0, 1)?
                .0
                .into_iter()
                .next()
                .ok_or_else(|| {
                    Error::invalid(format!("fixture: no inventory for sku '{}'", level.sku))
                })?;
            inventory::set_stocked(conn, ctx, &item.id, location, level.stocked)?;
        }
    }
    Ok(locations)
}

fn load_set(
    conn: &Connection,
    ctx: &Ctx,
    location: &str,
    set: &FixtureFulfillmentSet,
    profile: Option<&str>,
    regions: &HashMap<String, String>,
) -> Result<()> {
    let set_id = fulfillment::create_set(conn, ctx, &set.name, &set.kind)?;
    links::location_fulfillment_set().create(
        conn,
        &ctx.id("locfs"),
        location,
        &set_id,
        &ctx.now(),
    )?;
    for zone in &set.service_zones {
        let geo: Vec<GeoZone> = zone
            .geo_zones
            .iter()
            .map(|g| match g.split_once(':') {
                Some((country, province)) => GeoZone {
                    country_code: country.into(),
                    province_code: Some(province.into()),
                },
                None => GeoZone {
                    country_code: g.clone(),
                    province_code: None,
                },
            })
            .collect();
        let zone_id = fulfillment::create_zone(conn, ctx, &set_id, &zone.name, &geo)?;
        for option in &zone.shipping_options {
            let mut prices = Vec::new();
            for p in &option.prices {
                let amount = parse_major_non_negative(&p.amount, &p.currency_code)
                    .map_err(|e| Error::invalid(format!("fixture: shipping price: {e}")))?;
                let region = p
                    .region
                    .as_deref()
                    .map(|k| lookup(regions, "region", k).cloned())
                    .transpose()?;
                prices.push((p.currency_code.clone(), region, amount));
            }
            let input = NewShippingOption {
                name: option.name.clone(),
                service_zone_id: zone_id.clone(),
                shipping_profile_id: profile.map(str::to_string),
                kind: TypeChoice::New(option.name.clone(), option.code.clone(), String::new()),
                prices,
                ..NewShippingOption::default()
            };
            fulfillment::create_option(conn, ctx, &input)?;
        }
    }
    Ok(())
}

fn load_inventory(
    conn: &Connection,
    ctx: &Ctx,
    inv: &FixtureInventory,
    location: &str,
) -> Result<()> {
    for (variant_id, sku, title) in catalog::variants_with_sku(conn)? {
        let item = inventory::create_item(conn, ctx, Some(&sku), &title)?;
        links::variant_inventory_item().create(
            conn,
            &ctx.id("pvitem"),
            &variant_id,
            &item,
            &ctx.now(),
        )?;
        let stocked = inv
            .stocked
            .get(&sku)
            .copied()
            .unwrap_or(inv.default_stocked);
        inventory::set_stocked(conn, ctx, &item, location, stocked)?;
    }
    Ok(())
}

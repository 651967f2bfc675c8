//! Fulfillment: fulfillment sets (linked to stock locations) of service zones that cover geo
//! zones (a country, or a province of it), shipping profiles, and shipping options — each in
//! one service zone, with rules (`is_return`, `enabled_in_store`) and flat prices per
//! currency, optionally per region (or calculated by the option's provider, `provider.rs`). Admin setup
//! (issue 13): `profiles.rs`, `option_types.rs`, `option_admin.rs` (option list, update,
//! delete, rules), `zones.rs` (sets and service zones as documents, their updates and
//! cascading deletes).

pub mod option_admin;
pub mod option_parts;
pub mod option_types;
mod options;
pub mod profiles;
pub mod provider;
pub mod records;
#[cfg(test)]
mod tests;
pub mod zones;

pub use options::{
    NewRule, NewShippingOption, OptionPrice, OptionRule, ShippingOption, TypeChoice, create_option,
    insert_price, insert_rule, options_in_sets, price_for, retrieve_option,
};

use crate::ctx::Ctx;
use crate::db::module::Module;
use crate::error::Result;
use crate::migration;
use rusqlite::{Connection, OptionalExtension, params};

/// A `LIKE` pattern matching `q` anywhere, with `\` escaping the wildcards it contains.
pub(crate) fn like_pattern(q: &str) -> String {
    let escaped = q
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

/// The `ORDER BY` of a list from Medusa's `order` (`name`, `-created_at`): one of `allowed`
/// columns (qualified by `prefix`), ties broken by id; oldest first when absent.
///
/// # Errors
/// 400 for a column that cannot be sorted on.
pub(crate) fn order_by(order: Option<&str>, allowed: &[&str], prefix: &str) -> Result<String> {
    let Some(order) = order else {
        return Ok(format!("{prefix}created_at, {prefix}id"));
    };
    let (name, direction) = match order.strip_prefix('-') {
        Some(rest) => (rest, "DESC"),
        None => (order, "ASC"),
    };
    let column = allowed.iter().find(|c| **c == name).ok_or_else(|| {
        crate::error::Error::invalid(format!("Invalid request: Cannot order by '{name}'"))
    })?;
    Ok(format!(
        "{prefix}{column} {direction}, {prefix}id {direction}"
    ))
}

/// The module: tables `fulfillment_*`.
pub fn module() -> Module {
    Module::new("fulfillment", "fulfillment")
        .migration(migration!("fulfillment", "0001_init.sql"))
        .migration(migration!("fulfillment", "0002_fulfillments.sql"))
        .migration(migration!("fulfillment", "0003_admin_setup.sql"))
}

/// Creates a fulfillment set (`type`: `shipping` or `pickup`).
///
/// # Errors
/// Database failures.
pub fn create_set(conn: &Connection, ctx: &Ctx, name: &str, kind: &str) -> Result<String> {
    let id = ctx.id("fuset");
    conn.prepare_cached_static(
        "INSERT INTO fulfillment_set (id, name, type, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?4)",
    )?
    .execute(params![id, name, kind, ctx.now()])?;
    Ok(id)
}

/// A geo zone: a whole country, or one province of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeoZone {
    /// ISO-2, lower case.
    pub country_code: String,
    /// Province code, lower case, for a province zone.
    pub province_code: Option<String>,
}

/// Creates a service zone in a set, covering `geo_zones`.
///
/// # Errors
/// Database failures.
pub fn create_zone(
    conn: &Connection,
    ctx: &Ctx,
    set_id: &str,
    name: &str,
    geo_zones: &[GeoZone],
) -> Result<String> {
    let (id, now) = (ctx.id("serzo"), ctx.now());
    conn.prepare_cached_static(
        "INSERT INTO fulfillment_service_zone (id, name, fulfillment_set_id, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?4)",
    )?
    .execute(params![id, name, set_id, now])?;
    zones::insert_geo_zones(conn, ctx, &id, geo_zones)?;
    Ok(id)
}

/// Creates a shipping profile (`type`: `default`, `gift_card`, …).
///
/// # Errors
/// Database failures.
pub fn create_profile(conn: &Connection, ctx: &Ctx, name: &str, kind: &str) -> Result<String> {
    Ok(profiles::create(conn, ctx, name, kind, None)?.id)
}

/// A fulfillment set with its service zones, as `stockroom export` writes it back.
#[derive(Debug, Clone, PartialEq)]
pub struct SetLayout {
    /// `fuset_…`
    pub id: String,
    /// Display name.
    pub name: String,
    /// `shipping` or `pickup`.
    pub kind: String,
    /// Live zones, oldest first.
    pub zones: Vec<ZoneLayout>,
}

/// A service zone with its geo zones and shipping options.
#[derive(Debug, Clone, PartialEq)]
pub struct ZoneLayout {
    /// Display name.
    pub name: String,
    /// Countries and provinces covered.
    pub geo_zones: Vec<GeoZone>,
    /// Live options with their prices, oldest first.
    pub options: Vec<ShippingOption>,
}

/// The live sets among `set_ids` (in that order) with their zones and options.
///
/// # Errors
/// Database failures.
pub fn layout_of_sets(conn: &Connection, set_ids: &[String]) -> Result<Vec<SetLayout>> {
    let mut set_stmt = conn.prepare_cached_static(
        "SELECT name, type FROM fulfillment_set WHERE id = ?1 AND deleted_at IS NULL",
    )?;
    let mut layouts = Vec::new();
    for id in set_ids {
        let found: Option<(String, String)> = set_stmt
            .query_row([id], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        if let Some((name, kind)) = found {
            let zones = zones_of_set(conn, id)?;
            layouts.push(SetLayout {
                id: id.clone(),
                name,
                kind,
                zones,
            });
        }
    }
    Ok(layouts)
}

fn zones_of_set(conn: &Connection, set_id: &str) -> Result<Vec<ZoneLayout>> {
    let zones: Vec<(String, String)> = conn
        .prepare_cached_static(
            "SELECT id, name FROM fulfillment_service_zone
             WHERE fulfillment_set_id = ?1 AND deleted_at IS NULL ORDER BY id",
        )?
        .query_map([set_id], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let mut geo = conn.prepare_cached_static(
        "SELECT country_code, province_code FROM fulfillment_geo_zone
         WHERE service_zone_id = ?1 AND deleted_at IS NULL ORDER BY id",
    )?;
    let mut option_ids = conn.prepare_cached_static(
        "SELECT id FROM fulfillment_shipping_option
         WHERE service_zone_id = ?1 AND deleted_at IS NULL ORDER BY id",
    )?;
    let mut out = Vec::new();
    for (zone_id, name) in zones {
        let geo_zones = geo
            .query_map([&zone_id], |r| {
                Ok(GeoZone {
                    country_code: r.get(0)?,
                    province_code: r.get(1)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        let ids: Vec<String> = option_ids
            .query_map([&zone_id], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        let options = ids
            .iter()
            .map(|id| retrieve_option(conn, id))
            .collect::<Result<_>>()?;
        out.push(ZoneLayout {
            name,
            geo_zones,
            options,
        });
    }
    Ok(out)
}

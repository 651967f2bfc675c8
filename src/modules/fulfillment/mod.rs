//! Fulfillment: fulfillment sets (linked to stock locations) of service zones that cover geo
//! zones (a country, or a province of it), shipping profiles, and shipping options — each in
//! one service zone, with rules (`is_return`, `enabled_in_store`) and flat prices per
//! currency, optionally per region. The only provider is `manual_manual`.

mod options;
pub mod records;
#[cfg(test)]
mod tests;

pub use options::{
    NewShippingOption, OptionPrice, OptionRule, ShippingOption, create_option, options_in_sets,
    price_for, retrieve_option,
};

use crate::ctx::Ctx;
use crate::db::module::Module;
use crate::error::Result;
use crate::migration;
use rusqlite::{Connection, params};

/// The manual fulfillment provider's id.
pub const MANUAL_PROVIDER: &str = "manual_manual";

/// The module: tables `fulfillment_*`.
pub fn module() -> Module {
    Module::new("fulfillment", "fulfillment")
        .migration(migration!("fulfillment", "0001_init.sql"))
        .migration(migration!("fulfillment", "0002_fulfillments.sql"))
}

/// Creates a fulfillment set (`type`: `shipping` or `pickup`).
///
/// # Errors
/// Database failures.
pub fn create_set(conn: &Connection, ctx: &Ctx, name: &str, kind: &str) -> Result<String> {
    let id = ctx.id("fuset");
    conn.prepare_cached(
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
    conn.prepare_cached(
        "INSERT INTO fulfillment_service_zone (id, name, fulfillment_set_id, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?4)",
    )?
    .execute(params![id, name, set_id, now])?;
    let mut insert = conn.prepare_cached(
        "INSERT INTO fulfillment_geo_zone (id, service_zone_id, type, country_code, province_code, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
    )?;
    for zone in geo_zones {
        let kind = if zone.province_code.is_some() {
            "province"
        } else {
            "country"
        };
        let province = zone.province_code.as_ref().map(|p| p.to_lowercase());
        insert.execute(params![
            ctx.id("fgz"),
            id,
            kind,
            zone.country_code.to_lowercase(),
            province,
            now
        ])?;
    }
    Ok(id)
}

/// Creates a shipping profile (`type`: `default`, `gift_card`, …).
///
/// # Errors
/// Database failures.
pub fn create_profile(conn: &Connection, ctx: &Ctx, name: &str, kind: &str) -> Result<String> {
    let id = ctx.id("sp");
    conn.prepare_cached(
        "INSERT INTO fulfillment_shipping_profile (id, name, type, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?4)",
    )?
    .execute(params![id, name, kind, ctx.now()])?;
    Ok(id)
}

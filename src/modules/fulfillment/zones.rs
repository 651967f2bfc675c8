//! Fulfillment sets and service zones as the admin sees them: documents with their geo zones,
//! name checks, a zone's update (its geo zones replaced: sent ids kept and changed, new ones
//! created, the rest deleted — Medusa's `updateServiceZones`), and deletes that cascade the
//! way Medusa's do: a set takes its zones, a zone its geo zones and shipping options.

use super::GeoZone;
use crate::ctx::Ctx;
use crate::error::{Error, Result};
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

/// A geo zone row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GeoZoneRow {
    /// `fgz_…`
    pub id: String,
    /// `country` or `province`.
    #[serde(rename = "type")]
    pub kind: String,
    /// ISO-2, lower case.
    pub country_code: String,
    /// Province code for a province zone.
    pub province_code: Option<String>,
    /// Always `None`: city and zip zones are not supported.
    pub city: Option<String>,
    /// `serzo_…`
    pub service_zone_id: String,
    /// ISO-8601.
    pub created_at: String,
    /// ISO-8601.
    pub updated_at: String,
}

/// A service zone with its geo zones.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ServiceZone {
    /// `serzo_…`
    pub id: String,
    /// Unique display name.
    pub name: String,
    /// `fuset_…`
    pub fulfillment_set_id: String,
    /// Live geo zones, oldest first.
    pub geo_zones: Vec<GeoZoneRow>,
    /// ISO-8601.
    pub created_at: String,
    /// ISO-8601.
    pub updated_at: String,
}

/// A fulfillment set with its service zones.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FulfillmentSet {
    /// `fuset_…`
    pub id: String,
    /// Unique display name.
    pub name: String,
    /// `shipping` or `pickup`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Live zones, oldest first.
    pub service_zones: Vec<ServiceZone>,
    /// ISO-8601.
    pub created_at: String,
    /// ISO-8601.
    pub updated_at: String,
}

/// A geo zone to keep (with `id`) or create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeoZoneInput {
    /// `fgz_…` of a zone of this service zone to keep.
    pub id: Option<String>,
    /// Country and province.
    pub zone: GeoZone,
}

/// A live set with its zones.
///
/// # Errors
/// 404 when absent or deleted.
pub fn retrieve_set(conn: &Connection, id: &str) -> Result<FulfillmentSet> {
    let found = conn
        .prepare_cached_static(
            "SELECT id, name, type, created_at, updated_at FROM fulfillment_set
             WHERE id = ?1 AND deleted_at IS NULL",
        )?
        .query_row([id], |r| {
            Ok(FulfillmentSet {
                id: r.get(0)?,
                name: r.get(1)?,
                kind: r.get(2)?,
                service_zones: Vec::new(),
                created_at: r.get(3)?,
                updated_at: r.get(4)?,
            })
        })
        .optional()?;
    let mut set = found.ok_or_else(|| Error::not_found("FulfillmentSet", id))?;
    let zone_ids: Vec<String> = conn
        .prepare_cached_static(
            "SELECT id FROM fulfillment_service_zone
             WHERE fulfillment_set_id = ?1 AND deleted_at IS NULL ORDER BY created_at, id",
        )?
        .query_map([id], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    set.service_zones = zone_ids
        .iter()
        .map(|z| retrieve_zone(conn, z))
        .collect::<Result<_>>()?;
    Ok(set)
}

/// A live service zone with its geo zones.
///
/// # Errors
/// 404 when absent or deleted.
pub fn retrieve_zone(conn: &Connection, id: &str) -> Result<ServiceZone> {
    let found = conn
        .prepare_cached_static(
            "SELECT id, name, fulfillment_set_id, created_at, updated_at FROM fulfillment_service_zone
             WHERE id = ?1 AND deleted_at IS NULL",
        )?
        .query_row([id], |r| {
            Ok(ServiceZone {
                id: r.get(0)?,
                name: r.get(1)?,
                fulfillment_set_id: r.get(2)?,
                geo_zones: Vec::new(),
                created_at: r.get(3)?,
                updated_at: r.get(4)?,
            })
        })
        .optional()?;
    let mut zone = found.ok_or_else(|| Error::not_found("ServiceZone", id))?;
    zone.geo_zones = conn
        .prepare_cached_static(
            "SELECT id, type, country_code, province_code, created_at, updated_at
             FROM fulfillment_geo_zone WHERE service_zone_id = ?1 AND deleted_at IS NULL
             ORDER BY created_at, id",
        )?
        .query_map([id], |r| {
            Ok(GeoZoneRow {
                id: r.get(0)?,
                kind: r.get(1)?,
                country_code: r.get(2)?,
                province_code: r.get(3)?,
                city: None,
                service_zone_id: id.to_string(),
                created_at: r.get(4)?,
                updated_at: r.get(5)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(zone)
}

fn name_taken(conn: &Connection, table: &str, name: &str, except: &str) -> Result<bool> {
    let sql = format!("SELECT 1 FROM {table} WHERE name = ?1 AND id != ?2 AND deleted_at IS NULL");
    Ok(conn
        .prepare_cached(&sql)?
        .query_row(params![name, except], |_| Ok(()))
        .optional()?
        .is_some())
}

/// Refuses a set name another live set has (Medusa keeps them unique).
///
/// # Errors
/// 422 `duplicate_error`.
pub fn check_set_name_free(conn: &Connection, name: &str) -> Result<()> {
    if name_taken(conn, "fulfillment_set", name, "")? {
        return Err(Error::Duplicate(format!(
            "Fulfillment set with name: {name}, already exists."
        )));
    }
    Ok(())
}

/// Refuses a zone name another live zone (other than `except`) has.
///
/// # Errors
/// 422 `duplicate_error`.
pub fn check_zone_name_free(conn: &Connection, name: &str, except: &str) -> Result<()> {
    if name_taken(conn, "fulfillment_service_zone", name, except)? {
        return Err(Error::Duplicate(format!(
            "Service zone with name: {name}, already exists."
        )));
    }
    Ok(())
}

/// Renames a zone and/or replaces its geo zones.
///
/// # Errors
/// 404 for an unknown zone, or a geo zone id not in it; 422 for a name in use.
pub fn update_zone(
    conn: &Connection,
    ctx: &Ctx,
    id: &str,
    name: Option<&str>,
    geo_zones: Option<&[GeoZoneInput]>,
) -> Result<ServiceZone> {
    let zone = retrieve_zone(conn, id)?;
    let now = ctx.now();
    if let Some(name) = name {
        check_zone_name_free(conn, name, id)?;
        conn.prepare_cached_static("UPDATE fulfillment_service_zone SET name = ?2 WHERE id = ?1")?
            .execute(params![id, name])?;
    }
    if let Some(inputs) = geo_zones {
        replace_geo_zones(conn, ctx, &zone, inputs)?;
    }
    conn.prepare_cached_static(
        "UPDATE fulfillment_service_zone SET updated_at = ?2 WHERE id = ?1",
    )?
    .execute(params![id, now])?;
    retrieve_zone(conn, id)
}

fn replace_geo_zones(
    conn: &Connection,
    ctx: &Ctx,
    zone: &ServiceZone,
    inputs: &[GeoZoneInput],
) -> Result<()> {
    let now = ctx.now();
    for input in inputs {
        let Some(geo_id) = &input.id else { continue };
        if !zone.geo_zones.iter().any(|g| &g.id == geo_id) {
            return Err(Error::not_found("GeoZone", geo_id));
        }
        let (kind, province) = kind_of(&input.zone);
        conn.prepare_cached_static(
            "UPDATE fulfillment_geo_zone SET type = ?2, country_code = ?3, province_code = ?4, updated_at = ?5
             WHERE id = ?1",
        )?
        .execute(params![geo_id, kind, input.zone.country_code.to_lowercase(), province, now])?;
    }
    for old in &zone.geo_zones {
        if !inputs
            .iter()
            .any(|i| i.id.as_deref() == Some(old.id.as_str()))
        {
            soft_delete(conn, "fulfillment_geo_zone", "id", &old.id, &now)?;
        }
    }
    let fresh: Vec<GeoZone> = inputs
        .iter()
        .filter(|i| i.id.is_none())
        .map(|i| i.zone.clone())
        .collect();
    insert_geo_zones(conn, ctx, &zone.id, &fresh)
}

fn kind_of(zone: &GeoZone) -> (&'static str, Option<String>) {
    match &zone.province_code {
        Some(p) => ("province", Some(p.to_lowercase())),
        None => ("country", None),
    }
}

/// Adds geo zones to a service zone.
///
/// # Errors
/// Database failures.
pub fn insert_geo_zones(
    conn: &Connection,
    ctx: &Ctx,
    zone_id: &str,
    geo_zones: &[GeoZone],
) -> Result<()> {
    let mut insert = conn.prepare_cached_static(
        "INSERT INTO fulfillment_geo_zone (id, service_zone_id, type, country_code, province_code, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
    )?;
    let now = ctx.now();
    for zone in geo_zones {
        let (kind, province) = kind_of(zone);
        let country = zone.country_code.to_lowercase();
        insert.execute(params![
            ctx.id("fgz"),
            zone_id,
            kind,
            country,
            province,
            now
        ])?;
    }
    Ok(())
}

fn soft_delete(conn: &Connection, table: &str, column: &str, id: &str, now: &str) -> Result<usize> {
    let sql = format!(
        "UPDATE {table} SET deleted_at = ?2, updated_at = ?2 WHERE {column} = ?1 AND deleted_at IS NULL"
    );
    Ok(conn.prepare_cached(&sql)?.execute(params![id, now])?)
}

/// Soft-deletes a shipping option with its rules and prices.
///
/// # Errors
/// Database failures.
pub fn delete_option(conn: &Connection, ctx: &Ctx, id: &str) -> Result<()> {
    let now = ctx.now();
    soft_delete(
        conn,
        "fulfillment_shipping_option_rule",
        "shipping_option_id",
        id,
        &now,
    )?;
    soft_delete(
        conn,
        "fulfillment_shipping_option_price",
        "shipping_option_id",
        id,
        &now,
    )?;
    soft_delete(conn, "fulfillment_shipping_option", "id", id, &now)?;
    Ok(())
}

/// Soft-deletes a service zone, its geo zones and its shipping options; returns the ids of
/// the options it took.
///
/// # Errors
/// Database failures.
pub fn delete_zone(conn: &Connection, ctx: &Ctx, id: &str) -> Result<Vec<String>> {
    let now = ctx.now();
    let options: Vec<String> = conn
        .prepare_cached_static(
            "SELECT id FROM fulfillment_shipping_option WHERE service_zone_id = ?1 AND deleted_at IS NULL",
        )?
        .query_map([id], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for option in &options {
        delete_option(conn, ctx, option)?;
    }
    soft_delete(conn, "fulfillment_geo_zone", "service_zone_id", id, &now)?;
    soft_delete(conn, "fulfillment_service_zone", "id", id, &now)?;
    Ok(options)
}

/// Soft-deletes a set with its zones (and theirs).
///
/// # Errors
/// 404 when absent; database failures.
pub fn delete_set(conn: &Connection, ctx: &Ctx, id: &str) -> Result<()> {
    let set = retrieve_set(conn, id)?;
    for zone in &set.service_zones {
        delete_zone(conn, ctx, &zone.id)?;
    }
    soft_delete(conn, "fulfillment_set", "id", id, &ctx.now())?;
    Ok(())
}

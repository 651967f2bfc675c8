//! Where things ship from (issue 13): a stock location's fulfillment providers
//! (`{add, remove}`) and fulfillment sets, a set's service zones, and their deletion — the
//! stock location and fulfillment modules joined by the `location_fulfillment_set` and
//! `location_fulfillment_provider` links (Medusa's `createLocationFulfillmentSetWorkflow`,
//! `create|update|deleteServiceZonesWorkflow`, `deleteFulfillmentSetsWorkflow`). Emits
//! `fulfillment-set.created|deleted`, `service-zone.created|updated|deleted`,
//! `geo-zone.created|updated|deleted` as a zone's geo zones change and, for the options a
//! deleted zone takes with it, `shipping-option.deleted`.

use crate::ctx::Ctx;
use crate::db::Tx;
use crate::error::{Error, Result};
use crate::flows::fulfillment_setup::emit_each;
use crate::flows::links;
use crate::modules::fulfillment::zones::{self, FulfillmentSet, GeoZoneInput, ServiceZone};
use crate::modules::fulfillment::{self, GeoZone};
use crate::modules::stock_location;
use rusqlite::Connection;
use serde_json::json;

/// The providers enabled at any stock location holding the zone's set.
///
/// # Errors
/// 404 for an unknown zone.
pub fn providers_of_zone(conn: &Connection, zone_id: &str) -> Result<Vec<String>> {
    let zone = zones::retrieve_zone(conn, zone_id)?;
    let mut providers = Vec::new();
    for location in links::location_fulfillment_set().lefts_of(conn, &zone.fulfillment_set_id)? {
        providers.extend(providers_of_location(conn, &location)?);
    }
    Ok(providers)
}

/// The providers enabled at a location, in link order.
///
/// # Errors
/// Database failures.
pub fn providers_of_location(conn: &Connection, location: &str) -> Result<Vec<String>> {
    links::location_fulfillment_provider().rights_of(conn, location)
}

/// A location's live fulfillment sets with their zones.
///
/// # Errors
/// Database failures.
pub fn sets_of_location(conn: &Connection, location: &str) -> Result<Vec<FulfillmentSet>> {
    let mut sets = Vec::new();
    for id in links::location_fulfillment_set().rights_of(conn, location)? {
        match zones::retrieve_set(conn, &id) {
            Ok(set) => sets.push(set),
            Err(Error::NotFound(_)) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(sets)
}

/// Enables (`add`) and disables (`remove`) providers at a location; `known` are the ids of
/// the engine's registered fulfillment providers.
///
/// # Errors
/// 404 for an unknown location or provider.
pub fn location_providers(
    tx: &Tx,
    ctx: &Ctx,
    location: &str,
    (add, remove): (&[String], &[String]),
    known: &[&str],
) -> Result<()> {
    stock_location::retrieve(tx, location)?;
    let link = links::location_fulfillment_provider();
    let now = ctx.now();
    for provider in add {
        if !known.contains(&provider.as_str()) {
            return Err(Error::not_found("FulfillmentProvider", provider));
        }
        link.create(tx, &ctx.id("locfp"), location, provider, &now)?;
    }
    for provider in remove {
        link.dismiss(tx, location, provider, &now)?;
    }
    Ok(())
}

/// Creates a fulfillment set at a location; emits `fulfillment-set.created`.
///
/// # Errors
/// 404 for an unknown location; 422 for a set name in use.
pub fn create_location_set(
    tx: &Tx,
    ctx: &Ctx,
    location: &str,
    name: &str,
    kind: &str,
) -> Result<String> {
    stock_location::retrieve(tx, location)?;
    zones::check_set_name_free(tx, name)?;
    let id = fulfillment::create_set(tx, ctx, name, kind)?;
    links::location_fulfillment_set().create(tx, &ctx.id("locfs"), location, &id, &ctx.now())?;
    ctx.emit(tx, "fulfillment-set.created", json!({ "id": id }))?;
    Ok(id)
}

/// Deletes a set with its zones and their options, and unlinks it from its locations; emits
/// `fulfillment-set.deleted`.
///
/// # Errors
/// 404 for an unknown set.
pub fn delete_set(tx: &Tx, ctx: &Ctx, id: &str) -> Result<()> {
    let set = zones::retrieve_set(tx, id)?;
    for zone in &set.service_zones {
        delete_zone_cascade(tx, ctx, &zone.id)?;
    }
    zones::delete_set(tx, ctx, id)?;
    let link = links::location_fulfillment_set();
    for location in link.lefts_of(tx, id)? {
        link.dismiss(tx, &location, id, &ctx.now())?;
    }
    ctx.emit(tx, "fulfillment-set.deleted", json!({ "id": id }))
}

/// Creates a zone in a set; emits `service-zone.created`.
///
/// # Errors
/// 404 for an unknown set; 422 for a zone name in use.
pub fn create_zone(
    tx: &Tx,
    ctx: &Ctx,
    set_id: &str,
    name: &str,
    geo_zones: &[GeoZone],
) -> Result<String> {
    zones::retrieve_set(tx, set_id)?;
    zones::check_zone_name_free(tx, name, "")?;
    let id = fulfillment::create_zone(tx, ctx, set_id, name, geo_zones)?;
    ctx.emit(tx, "service-zone.created", json!({ "id": id }))?;
    let zone = zones::retrieve_zone(tx, &id)?;
    emit_each(
        tx,
        ctx,
        "geo-zone.created",
        zone.geo_zones.iter().map(|g| &g.id),
    )?;
    Ok(id)
}

/// The zone, when it is one of the set's (Medusa checks both before touching a zone).
///
/// # Errors
/// 404 for an unknown set, or a zone not in it.
pub fn zone_of_set(conn: &Connection, set_id: &str, zone_id: &str) -> Result<ServiceZone> {
    let set = zones::retrieve_set(conn, set_id)?;
    set.service_zones
        .into_iter()
        .find(|z| z.id == zone_id)
        .ok_or_else(|| {
            Error::NotFound(format!(
                "Service zone with id: {zone_id} not found on fulfillment set"
            ))
        })
}

/// Renames a zone of a set and/or replaces its geo zones; emits `service-zone.updated`.
///
/// # Errors
/// 404 for an unknown set, zone or geo zone; 422 for a name in use.
pub fn update_zone(
    tx: &Tx,
    ctx: &Ctx,
    set_id: &str,
    zone_id: &str,
    name: Option<&str>,
    geo_zones: Option<&[GeoZoneInput]>,
) -> Result<ServiceZone> {
    let before = zone_of_set(tx, set_id, zone_id)?;
    let zone = zones::update_zone(tx, ctx, zone_id, name, geo_zones)?;
    ctx.emit(tx, "service-zone.updated", json!({ "id": zone_id }))?;
    if let Some(sent) = geo_zones {
        let had = |id: &String| before.geo_zones.iter().any(|g| &g.id == id);
        let has = |id: &String| zone.geo_zones.iter().any(|g| &g.id == id);
        let created = zone.geo_zones.iter().map(|g| &g.id).filter(|id| !had(id));
        emit_each(tx, ctx, "geo-zone.created", created)?;
        emit_each(
            tx,
            ctx,
            "geo-zone.updated",
            sent.iter().filter_map(|g| g.id.as_ref()),
        )?;
        let deleted = before.geo_zones.iter().map(|g| &g.id).filter(|id| !has(id));
        emit_each(tx, ctx, "geo-zone.deleted", deleted)?;
    }
    Ok(zone)
}

/// Deletes a zone of a set with its geo zones and options; emits `service-zone.deleted`.
///
/// # Errors
/// 404 for an unknown set, or a zone not in it.
pub fn delete_zone(tx: &Tx, ctx: &Ctx, set_id: &str, zone_id: &str) -> Result<()> {
    zone_of_set(tx, set_id, zone_id)?;
    delete_zone_cascade(tx, ctx, zone_id)
}

fn delete_zone_cascade(tx: &Tx, ctx: &Ctx, zone_id: &str) -> Result<()> {
    for option in zones::delete_zone(tx, ctx, zone_id)? {
        ctx.emit(tx, "shipping-option.deleted", json!({ "id": option }))?;
    }
    ctx.emit(tx, "service-zone.deleted", json!({ "id": zone_id }))
}

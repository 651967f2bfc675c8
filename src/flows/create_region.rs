//! Creating a region (Medusa's `createRegionsWorkflow`): the region module makes the region
//! and assigns its countries, links tie it to its payment providers, and a pricing preference
//! records whether its prices include tax. Update and delete too, each emitting Medusa's
//! `region.created|updated|deleted` in the same write job.

use crate::ctx::Ctx;
use crate::db::Tx;
use crate::error::Result;
use crate::flows::links;
use crate::modules::pricing;
use crate::modules::region::{self, NewRegion, Region};
use rusqlite::Connection;
use serde_json::{Map, Value, json};

/// Input of [`run`].
#[derive(Debug, Clone, Default)]
pub struct RegionInput {
    /// The region.
    pub region: NewRegion,
    /// Payment provider ids (`pp_system_default`).
    pub payment_providers: Vec<String>,
    /// Prices in this region include tax.
    pub is_tax_inclusive: bool,
}

/// Creates the region, its provider links and its tax-inclusivity preference.
///
/// # Errors
/// Whatever the region module refuses (unknown currency or country, country taken).
pub fn run(conn: &Connection, ctx: &Ctx, input: &RegionInput) -> Result<Region> {
    let created = region::create(conn, ctx, &input.region)?;
    for provider in &input.payment_providers {
        links::region_payment_provider().create(
            conn,
            &ctx.id("regpp"),
            &created.id,
            provider,
            &ctx.now(),
        )?;
    }
    if input.is_tax_inclusive {
        pricing::set_preference(conn, ctx, "region_id", &created.id, true)?;
    }
    Ok(created)
}

/// [`run`], emitting `region.created`.
///
/// # Errors
/// As [`run`].
pub fn create(tx: &Tx, ctx: &Ctx, input: &RegionInput) -> Result<Region> {
    let created = run(tx, ctx, input)?;
    ctx.emit(tx, "region.created", json!({ "id": created.id }))?;
    Ok(created)
}

/// Input of [`update`]; `None` fields are left as they are.
#[derive(Debug, Clone, Default)]
pub struct RegionUpdate {
    /// Own columns (`name`, `currency_code`, `automatic_taxes`, `metadata`) → new values.
    pub changes: Map<String, Value>,
    /// Replaces the countries (ISO-2 codes).
    pub countries: Option<Vec<String>>,
    /// Replaces the payment providers.
    pub payment_providers: Option<Vec<String>>,
    /// Whether prices in this region include tax.
    pub is_tax_inclusive: Option<bool>,
}

/// Updates a region, its provider links and its tax-inclusivity; emits `region.updated`.
///
/// # Errors
/// As `region::update`.
pub fn update(tx: &Tx, ctx: &Ctx, id: &str, input: &RegionUpdate) -> Result<Region> {
    region::update(tx, ctx, id, &input.changes, input.countries.as_deref())?;
    let now = ctx.now();
    if let Some(wanted) = &input.payment_providers {
        let link = links::region_payment_provider();
        for current in link.rights_of(tx, id)? {
            if !wanted.contains(&current) {
                link.dismiss(tx, id, &current, &now)?;
            }
        }
        for provider in wanted {
            link.create(tx, &ctx.id("regpp"), id, provider, &now)?;
        }
    }
    if let Some(inclusive) = input.is_tax_inclusive {
        pricing::set_preference(tx, ctx, "region_id", id, inclusive)?;
    }
    ctx.emit(tx, "region.updated", json!({ "id": id }))?;
    region::retrieve(tx, id)
}

/// Soft-deletes a region (its countries are freed, its provider links dismissed); emits
/// `region.deleted`.
///
/// # Errors
/// 404 when absent.
pub fn delete(tx: &Tx, ctx: &Ctx, id: &str) -> Result<()> {
    region::delete(tx, ctx, id)?;
    let link = links::region_payment_provider();
    for provider in link.rights_of(tx, id)? {
        link.dismiss(tx, id, &provider, &ctx.now())?;
    }
    ctx.emit(tx, "region.deleted", json!({ "id": id }))
}

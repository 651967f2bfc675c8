//! Creating a region (Medusa's `createRegionsWorkflow`): the region module makes the region
//! and assigns its countries, links tie it to its payment providers, and a pricing preference
//! records whether its prices include tax.

use crate::ctx::Ctx;
use crate::error::Result;
use crate::flows::links;
use crate::modules::pricing;
use crate::modules::region::{self, NewRegion, Region};
use rusqlite::Connection;

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

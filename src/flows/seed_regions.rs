//! The regional part of a fixture: regions (with payment providers and tax-inclusive
//! prices) and tax regions with their default rates. Loaded by `seed` in its transaction.

use crate::ctx::Ctx;
use crate::error::{Error, Result};
use crate::flows::create_region;
use crate::flows::seed_catalog::Keys;
use crate::modules::{region, tax};
use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// `regions[]` entry.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct FixtureRegion {
    /// Fixture-local key.
    pub key: String,
    /// Name.
    pub name: String,
    /// Currency code.
    pub currency_code: String,
    /// ISO-2 country codes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub countries: Vec<String>,
    /// Automatic taxes (default true).
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub automatic_taxes: bool,
    /// Prices in this region include tax (a price preference).
    #[serde(default, skip_serializing_if = "crate::flows::seed_regions::is_false")]
    pub prices_include_tax: bool,
    /// Payment provider ids (`pp_system_default`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub payment_providers: Vec<String>,
}

pub(crate) fn yes() -> bool {
    true
}

/// Serde helper: leave a flag that defaults to true out of an export when it is true.
#[allow(clippy::trivially_copy_pass_by_ref)] // serde passes a reference
pub(crate) fn is_true(flag: &bool) -> bool {
    *flag
}

/// Serde helper: leave a flag that defaults to false out of an export when it is false.
#[allow(clippy::trivially_copy_pass_by_ref)] // serde passes a reference
pub(crate) fn is_false(flag: &bool) -> bool {
    !*flag
}

/// `tax_regions[]` entry.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct FixtureTaxRegion {
    /// ISO-2 country code.
    pub country_code: String,
    /// Province code (its country's region must come first).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub province_code: Option<String>,
    /// Default rate in percent (decimal text or number).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_rate: Option<Value>,
    /// Code of the default rate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// Name of the default rate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The default rate combines with the country's (provinces).
    #[serde(default, skip_serializing_if = "crate::flows::seed_regions::is_false")]
    pub is_combinable: bool,
    /// The tax provider, when not the system one (`tp_system`, what a country's region gets).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider_id: Option<String>,
}

/// Creates the tax regions with their default rates.
///
/// # Errors
/// Invalid rates, a province before its country.
pub fn load_tax_regions(conn: &Connection, ctx: &Ctx, list: &[FixtureTaxRegion]) -> Result<()> {
    for t in list {
        let rate = t
            .default_rate
            .as_ref()
            .map(|r| {
                crate::money::Rate::parse_percent(r)
                    .map_err(|e| Error::invalid(format!("fixture: tax rate: {e}")))
            })
            .transpose()?;
        let default = rate.map(|rate| tax::NewRate {
            rate: Some(rate),
            code: t.code.clone().unwrap_or_else(|| "default".into()),
            name: t.name.clone().unwrap_or_else(|| "Default".into()),
            is_default: true,
            is_combinable: t.is_combinable,
            rules: Vec::new(),
            metadata: None,
        });
        let created = tax::create_region(
            conn,
            ctx,
            &t.country_code,
            t.province_code.as_deref(),
            default.as_ref(),
        )?;
        if let Some(provider) = &t.provider_id {
            tax::set_region_provider(conn, ctx, &created.id, provider)?;
        }
    }
    Ok(())
}

/// Creates the regions with their payment providers and tax-inclusive preferences.
///
/// # Errors
/// Invalid regions.
pub fn load_regions(
    conn: &Connection,
    ctx: &Ctx,
    list: &[FixtureRegion],
    keys: &mut Keys,
) -> Result<()> {
    for r in list {
        let input = create_region::RegionInput {
            region: region::NewRegion {
                name: r.name.clone(),
                currency_code: r.currency_code.clone(),
                countries: r.countries.clone(),
                automatic_taxes: r.automatic_taxes,
                metadata: None,
            },
            payment_providers: r.payment_providers.clone(),
            is_tax_inclusive: r.prices_include_tax,
        };
        let created = create_region::run(conn, ctx, &input)?;
        keys.regions.insert(r.key.clone(), created.id);
    }
    Ok(())
}

//! Taxes: tax regions (a country, or a province of it; provider `tp_system`) with default
//! rates. A province's region wins over its country's; no region means no tax.

use crate::ctx::Ctx;
use crate::db::module::Module;
use crate::error::Result;
use crate::migration;
use crate::money::Rate;
use rusqlite::{Connection, OptionalExtension, params};

/// The system tax provider.
pub const SYSTEM_PROVIDER: &str = "tp_system";

/// The module: tables `tax_*`.
pub fn module() -> Module {
    Module::new("tax", "tax").migration(migration!("tax", "0001_init.sql"))
}

/// A rate that applies to a place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaxRate {
    /// `txr_…`
    pub id: String,
    /// The rate.
    pub rate: Rate,
    /// Code (e.g. `VAT`).
    pub code: String,
    /// Display name (the tax line's description).
    pub name: String,
}

/// Creates a tax region with one default rate. Returns the region id.
///
/// # Errors
/// A duplicate region; database failures.
pub fn create_region(
    conn: &Connection,
    ctx: &Ctx,
    country: &str,
    province: Option<&str>,
    rate: Rate,
    code: &str,
    name: &str,
) -> Result<String> {
    let (id, now) = (ctx.id("txreg"), ctx.now());
    conn.prepare_cached(
        "INSERT INTO tax_region (id, country_code, province_code, provider_id, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
    )?
    .execute(params![id, country.to_lowercase(), province.map(str::to_lowercase), SYSTEM_PROVIDER, now])?;
    conn.prepare_cached(
        "INSERT INTO tax_rate (id, tax_region_id, rate_ppm, code, name, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
    )?
    .execute(params![ctx.id("txr"), id, rate.percent_ppm(), code, name, now])?;
    Ok(id)
}

/// The default rates for an address: the province's region if it has one, else the
/// country's; empty when neither exists.
///
/// # Errors
/// Database failures.
pub fn rates_for(conn: &Connection, country: &str, province: Option<&str>) -> Result<Vec<TaxRate>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id FROM tax_region WHERE country_code = ?1 AND COALESCE(province_code, '') = ?2 AND deleted_at IS NULL",
    )?;
    let country = country.to_lowercase();
    let mut region: Option<String> = None;
    if let Some(p) = province.filter(|p| !p.is_empty()) {
        region = stmt
            .query_row(params![country, p.to_lowercase()], |r| r.get(0))
            .optional()?;
    }
    if region.is_none() {
        region = stmt
            .query_row(params![country, ""], |r| r.get(0))
            .optional()?;
    }
    let Some(region) = region else {
        return Ok(Vec::new());
    };
    let mut rates = conn.prepare_cached(
        "SELECT id, rate_ppm, code, name FROM tax_rate WHERE tax_region_id = ?1 AND is_default = 1 AND deleted_at IS NULL ORDER BY id",
    )?;
    let rows = rates.query_map([region], |r| {
        Ok(TaxRate {
            id: r.get(0)?,
            rate: Rate::from_percent_ppm(r.get(1)?),
            code: r.get(2)?,
            name: r.get(3)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::Clock;
    use crate::id::IdGenerator;

    #[test]
    fn province_wins_over_country() {
        let conn = Connection::open_in_memory().unwrap();
        crate::db::module::migrate(&conn, &[module()], "t").unwrap();
        let ctx = Ctx::new(Clock::fixed(0), IdGenerator::seeded(Clock::fixed(0), 1));
        let pct = |p: &str| Rate::parse_percent(p).unwrap();
        create_region(&conn, &ctx, "CA", None, pct("5"), "GST", "GST").unwrap();
        create_region(
            &conn,
            &ctx,
            "ca",
            Some("QC"),
            pct("14.975"),
            "QST",
            "GST+QST",
        )
        .unwrap();
        assert_eq!(rates_for(&conn, "ca", None).unwrap()[0].rate, pct("5"));
        assert_eq!(
            rates_for(&conn, "ca", Some("qc")).unwrap()[0].rate,
            pct("14.975")
        );
        assert_eq!(rates_for(&conn, "ca", Some("on")).unwrap()[0].code, "GST");
        assert!(rates_for(&conn, "us", None).unwrap().is_empty());
    }
}

//! Tax: tax regions per country (and per province under a country), their default rate and
//! override rates that apply to given products or product types. [`resolve`] picks the
//! rates of a line the way Medusa's tax module does.

pub mod provider;
pub mod rates;
pub mod regions;
pub mod resolve;

use crate::ctx::Ctx;
use crate::db::module::Module;
use crate::error::{Error, Result};
use crate::migration;
use crate::modules::metadata_from_sql;
use crate::money::Rate;
use rusqlite::{Connection, OptionalExtension, Row, params};
use serde::Serialize;

/// The module: tables `tax*`.
pub fn module() -> Module {
    Module::new("tax", "tax").migration(migration!("tax", "0001_init.sql"))
}

/// A tax region.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TaxRegion {
    /// `txreg_…`
    pub id: String,
    /// Lower-case ISO-2.
    pub country_code: String,
    /// Lower-case province code, for a province region.
    pub province_code: Option<String>,
    /// The country region of a province region.
    pub parent_id: Option<String>,
    /// Tax provider (`tp_system`).
    pub provider_id: Option<String>,
    /// Free-form JSON.
    pub metadata: Option<serde_json::Value>,
    /// ISO-8601.
    pub created_at: String,
    /// ISO-8601.
    pub updated_at: String,
}

/// A tax rate with its rules.
#[derive(Debug, Clone, PartialEq)]
pub struct TaxRate {
    /// `txr_…`
    pub id: String,
    /// Its region.
    pub tax_region_id: String,
    /// The rate; `None` for a rate-less default.
    pub rate: Option<Rate>,
    /// Code, e.g. `VAT`.
    pub code: String,
    /// Name.
    pub name: String,
    /// The region's default rate.
    pub is_default: bool,
    /// Applies together with the parent region's rate.
    pub is_combinable: bool,
    /// `(reference, reference_id)`: `("product", "prod_…")`, `("product_type", "ptyp_…")`.
    pub rules: Vec<(String, String)>,
    /// The `txrule_…` ids of `rules`, in the same order (`DELETE …/rules/:rule_id` names one).
    pub rule_ids: Vec<String>,
    /// Free-form JSON.
    pub metadata: Option<serde_json::Value>,
    /// ISO-8601.
    pub created_at: String,
    /// ISO-8601.
    pub updated_at: String,
}

/// Input of [`create_rate`].
#[derive(Debug, Clone, Default)]
pub struct NewRate {
    /// Rate in percent.
    pub rate: Option<Rate>,
    /// Code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Default rate of the region.
    pub is_default: bool,
    /// Combinable with the parent's rate.
    pub is_combinable: bool,
    /// Rules.
    pub rules: Vec<(String, String)>,
    /// Free-form JSON.
    pub metadata: Option<serde_json::Value>,
}

pub(crate) fn region_from(r: &Row) -> rusqlite::Result<TaxRegion> {
    Ok(TaxRegion {
        id: r.get(0)?,
        country_code: r.get(1)?,
        province_code: r.get(2)?,
        parent_id: r.get(3)?,
        provider_id: r.get(4)?,
        metadata: metadata_from_sql(r.get(5)?),
        created_at: r.get(6)?,
        updated_at: r.get(7)?,
    })
}

pub(crate) const REGION_COLUMNS: &str =
    "id, country_code, province_code, parent_id, provider_id, metadata, created_at, updated_at";

/// Creates a tax region (a province region finds its country region as parent) with an
/// optional default rate.
///
/// # Errors
/// A province without its country's region; a duplicate region (422).
pub fn create_region(
    conn: &Connection,
    ctx: &Ctx,
    country_code: &str,
    province_code: Option<&str>,
    default_rate: Option<&NewRate>,
) -> Result<TaxRegion> {
    let country = country_code.to_ascii_lowercase();
    let province = province_code.map(str::to_ascii_lowercase);
    let parent = match &province {
        Some(_) => Some(
            region_for(conn, &country, None)?
                .ok_or_else(|| {
                    Error::invalid(format!("No parent tax region for country {country}"))
                })?
                .id,
        ),
        None => None,
    };
    let provider = parent.is_none().then_some("tp_system");
    let id = ctx.id("txreg");
    conn.prepare_cached_static(
        "INSERT INTO tax_region (id, country_code, province_code, parent_id, provider_id, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
    )?
    .execute(params![id, country, province, parent, provider, ctx.now()])?;
    if let Some(rate) = default_rate {
        let rate = NewRate {
            is_default: true,
            ..rate.clone()
        };
        create_rate(conn, ctx, &id, &rate)?;
    }
    retrieve_region(conn, &id)
}

/// A tax region by id.
///
/// # Errors
/// 404 when absent.
pub fn retrieve_region(conn: &Connection, id: &str) -> Result<TaxRegion> {
    conn.prepare_cached_static(crate::sql_text!(
        [],
        "SELECT {REGION_COLUMNS} FROM tax_region WHERE id = ?1 AND deleted_at IS NULL"
    ))?
    .query_row([id], region_from)
    .optional()?
    .ok_or_else(|| Error::not_found("TaxRegion", id))
}

/// The region of a country (`province = None`) or of a province.
///
/// # Errors
/// Database failures.
pub fn region_for(
    conn: &Connection,
    country: &str,
    province: Option<&str>,
) -> Result<Option<TaxRegion>> {
    // Every refresh of a taxed cart looks its tax region up (six times per checkout); tax
    // regions change only when a shop edits them.
    let key = ["tax-region:", country, ":", province.unwrap_or("\u{0}")].concat();
    let found = crate::db::cached::cached(&key, &["tax_region"], || {
        read_region_for(conn, country, province)
    })?;
    Ok(found.as_ref().clone())
}

fn read_region_for(
    conn: &Connection,
    country: &str,
    province: Option<&str>,
) -> Result<Option<TaxRegion>> {
    Ok(conn
        .prepare_cached_static(crate::sql_text!([], "SELECT {REGION_COLUMNS} FROM tax_region
             WHERE country_code = ?1 AND ifnull(province_code, '') = ifnull(?2, '') AND deleted_at IS NULL"))?
        .query_row(params![country.to_ascii_lowercase(), province.map(str::to_ascii_lowercase)], region_from)
        .optional()?)
}

/// Every live tax region (among `ids`, if given), by country then province.
///
/// # Errors
/// Database failures.
pub fn list_regions(conn: &Connection, ids: &[String]) -> Result<Vec<TaxRegion>> {
    let mut stmt = conn.prepare_cached_static(crate::sql_text!(
        [],
        "SELECT {REGION_COLUMNS} FROM tax_region WHERE deleted_at IS NULL
         AND (?1 = '[]' OR id IN (SELECT value FROM json_each(?1)))
         ORDER BY country_code, ifnull(province_code, '')"
    ))?;
    let rows = stmt.query_map([crate::modules::json_list(ids)], region_from)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Adds a rate (with its rules) to a region; a new default replaces the old one.
///
/// # Errors
/// An unknown region; an empty code or name.
pub fn create_rate(
    conn: &Connection,
    ctx: &Ctx,
    region_id: &str,
    input: &NewRate,
) -> Result<TaxRate> {
    retrieve_region(conn, region_id)?;
    if input.code.trim().is_empty() || input.name.trim().is_empty() {
        return Err(Error::invalid(
            "Invalid request: Field 'code' and 'name' are required",
        ));
    }
    let now = ctx.now();
    if input.is_default {
        conn.prepare_cached_static(
            "UPDATE tax_rate SET is_default = 0, updated_at = ?2 WHERE tax_region_id = ?1 AND is_default = 1",
        )?
        .execute(params![region_id, now])?;
    }
    let id = ctx.id("txr");
    conn.prepare_cached_static(
        "INSERT INTO tax_rate (id, tax_region_id, rate_ppm, code, name, is_default, is_combinable,
            metadata, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9)",
    )?
    .execute(params![
        id,
        region_id,
        input.rate.map(Rate::percent_ppm),
        input.code,
        input.name,
        input.is_default,
        input.is_combinable,
        input.metadata.as_ref().map(serde_json::Value::to_string),
        now
    ])?;
    for (reference, reference_id) in &input.rules {
        conn.prepare_cached_static(
            "INSERT INTO tax_rate_rule (id, tax_rate_id, reference, reference_id, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
        )?
        .execute(params![ctx.id("txrule"), id, reference, reference_id, now])?;
    }
    Ok(rates_of(conn, region_id)?
        .into_iter()
        .find(|r| r.id == id)
        .unwrap_or_else(|| TaxRate {
            id,
            tax_region_id: region_id.into(),
            rate: input.rate,
            code: input.code.clone(),
            name: input.name.clone(),
            is_default: input.is_default,
            is_combinable: input.is_combinable,
            rules: input.rules.clone(),
            rule_ids: Vec::new(),
            metadata: input.metadata.clone(),
            created_at: now.clone(),
            updated_at: now,
        }))
}

/// The live rates of a region with their rules.
///
/// # Errors
/// Database failures.
pub fn rates_of(conn: &Connection, region_id: &str) -> Result<Vec<TaxRate>> {
    let mut stmt = conn.prepare_cached_static(
        "SELECT t.id, t.tax_region_id, t.rate_ppm, t.code, t.name, t.is_default, t.is_combinable,
                t.created_at, t.metadata, t.updated_at, r.reference, r.reference_id, r.id
         FROM tax_rate t LEFT JOIN tax_rate_rule r ON r.tax_rate_id = t.id AND r.deleted_at IS NULL
         WHERE t.tax_region_id = ?1 AND t.deleted_at IS NULL ORDER BY t.id",
    )?;
    let mut rows = stmt.query([region_id])?;
    let mut rates: Vec<TaxRate> = Vec::new();
    while let Some(r) = rows.next()? {
        let id: String = r.get(0)?;
        if rates.last().is_none_or(|last| last.id != id) {
            rates.push(TaxRate {
                id,
                tax_region_id: r.get(1)?,
                rate: r.get::<_, Option<i64>>(2)?.map(Rate::from_percent_ppm),
                code: r.get(3)?,
                name: r.get(4)?,
                is_default: r.get(5)?,
                is_combinable: r.get(6)?,
                rules: Vec::new(),
                rule_ids: Vec::new(),
                metadata: metadata_from_sql(r.get(8)?),
                created_at: r.get(7)?,
                updated_at: r.get(9)?,
            });
        }
        if let (Some(reference), Some(last)) = (r.get::<_, Option<String>>(10)?, rates.last_mut()) {
            last.rules.push((reference, r.get(11)?));
            last.rule_ids.push(r.get(12)?);
        }
    }
    Ok(rates)
}

/// The rates that apply to a line shipped to `country`/`province` for `product_id` of type
/// `product_type_id`.
///
/// # Errors
/// Database failures.
pub fn rates_for(
    conn: &Connection,
    country: &str,
    province: Option<&str>,
    product_id: &str,
    product_type_id: Option<&str>,
) -> Result<Vec<TaxRate>> {
    Ok(resolve_line(conn, country, province, product_id, product_type_id)?.rates)
}

/// The rates of a line with the provider that turns them into tax lines.
#[derive(Debug, Clone, PartialEq)]
pub struct Resolved {
    /// The country region's `provider_id` (`None`: no region, or one without a provider —
    /// the system provider then applies).
    pub provider_id: Option<String>,
    /// The applicable rates ([`resolve::applicable`]).
    pub rates: Vec<TaxRate>,
}

/// [`rates_for`] with the country region's provider.
///
/// # Errors
/// Database failures.
pub fn resolve_line(
    conn: &Connection,
    country: &str,
    province: Option<&str>,
    product_id: &str,
    product_type_id: Option<&str>,
) -> Result<Resolved> {
    Ok(place_rates(conn, country, province)?.resolve(product_id, product_type_id))
}

/// The rates of a shipping place — its country's tax region's and its province's — read
/// once for every line shipped there (a cart's items and shipping methods).
#[derive(Debug, Clone, Default)]
pub struct PlaceRates {
    /// The country region's `provider_id` (as in [`Resolved`]).
    pub provider_id: Option<String>,
    country: Vec<TaxRate>,
    province: Vec<TaxRate>,
}

impl PlaceRates {
    /// What applies to one line: [`resolve_line`] without reading again.
    pub fn resolve(&self, product_id: &str, product_type_id: Option<&str>) -> Resolved {
        let line = resolve::Line {
            product_id,
            product_type_id,
        };
        Resolved {
            provider_id: self.provider_id.clone(),
            rates: resolve::applicable(&self.country, &self.province, &line),
        }
    }
}

/// The rates of `(country, province)`: none when the country has no tax region.
///
/// # Errors
/// Database failures.
pub fn place_rates(conn: &Connection, country: &str, province: Option<&str>) -> Result<PlaceRates> {
    let Some(country_region) = region_for(conn, country, None)? else {
        return Ok(PlaceRates::default());
    };
    let country_rates = rates_of(conn, &country_region.id)?;
    let province_rates = match province {
        Some(p) => match region_for(conn, country, Some(p))? {
            Some(r) => rates_of(conn, &r.id)?,
            None => Vec::new(),
        },
        None => Vec::new(),
    };
    Ok(PlaceRates {
        provider_id: country_region.provider_id,
        country: country_rates,
        province: province_rates,
    })
}

/// Sets the tax provider of a country's tax region (`POST /admin/tax-regions` with
/// `provider_id`); the caller checks the provider is registered.
///
/// # Errors
/// 404 unknown region; database failures.
pub fn set_region_provider(
    conn: &Connection,
    ctx: &Ctx,
    region_id: &str,
    provider: &str,
) -> Result<()> {
    retrieve_region(conn, region_id)?;
    conn.prepare_cached_static(
        "UPDATE tax_region SET provider_id = ?2, updated_at = ?3 WHERE id = ?1",
    )?
    .execute(params![region_id, provider, ctx.now()])?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::Clock;
    use crate::id::IdGenerator;

    fn setup() -> (Connection, Ctx) {
        let conn = Connection::open_in_memory().unwrap();
        crate::db::module::migrate(&conn, &[module()], "t").unwrap();
        let ctx = Ctx::new(Clock::fixed(0), IdGenerator::seeded(Clock::fixed(0), 9));
        (conn, ctx)
    }

    fn rate(code: &str, percent: &str) -> NewRate {
        NewRate {
            rate: Rate::parse_percent(percent).ok(),
            code: code.into(),
            name: code.into(),
            ..NewRate::default()
        }
    }

    #[test]
    fn country_province_and_overrides_from_the_database() {
        let (conn, ctx) = setup();
        let ca = create_region(&conn, &ctx, "CA", None, Some(&rate("GST", "5"))).unwrap();
        assert_eq!(
            (ca.country_code.as_str(), ca.provider_id.as_deref()),
            ("ca", Some("tp_system"))
        );
        let qc = NewRate {
            is_combinable: true,
            ..rate("QST", "9.975")
        };
        let quebec = create_region(&conn, &ctx, "ca", Some("QC"), Some(&qc)).unwrap();
        assert_eq!(quebec.parent_id, Some(ca.id.clone()));
        let books = NewRate {
            rules: vec![("product_type".into(), "ptyp_b".into())],
            ..rate("BOOK", "0")
        };
        create_rate(&conn, &ctx, &ca.id, &books).unwrap();
        let codes = |province, kind| -> Vec<String> {
            rates_for(&conn, "ca", province, "prod_1", kind)
                .unwrap()
                .into_iter()
                .map(|r| r.code)
                .collect()
        };
        assert_eq!(codes(Some("qc"), None), ["GST", "QST"]);
        assert_eq!(codes(None, Some("ptyp_b")), ["BOOK"]);
        assert!(rates_for(&conn, "us", None, "p", None).unwrap().is_empty());
        assert_eq!(
            create_region(&conn, &ctx, "ca", None, None)
                .unwrap_err()
                .status(),
            422
        );
        assert!(
            create_region(&conn, &ctx, "us", Some("ny"), None).is_err(),
            "no parent region"
        );
    }
}

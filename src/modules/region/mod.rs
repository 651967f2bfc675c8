//! Regions: a currency, the countries it serves, whether taxes are computed automatically.
//! Payment providers are linked to regions (`link_region_payment_provider`, see
//! `flows::links`), since the providers belong to the payment module.

pub mod countries;

use crate::ctx::Ctx;
use crate::db::module::Module;
use crate::error::{Error, Result};
use crate::migration;
use crate::modules::{clamp, json_list, metadata_from_sql};
use rusqlite::{Connection, OptionalExtension, Row, params};
use serde::Serialize;

/// The module: tables `region*`.
pub fn module() -> Module {
    Module::new("region", "region").migration(migration!("region", "0001_init.sql"))
}

/// A country of a region, as Medusa shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Country {
    /// Lower-case ISO 3166-1 alpha-2.
    pub iso_2: String,
    /// Lower-case alpha-3.
    pub iso_3: String,
    /// Numeric code, as text.
    pub num_code: String,
    /// Upper-case English name.
    pub name: String,
    /// Display name.
    pub display_name: String,
    /// Owning region.
    pub region_id: Option<String>,
    /// Free-form JSON.
    pub metadata: Option<serde_json::Value>,
    /// ISO-8601.
    pub created_at: String,
    /// ISO-8601.
    pub updated_at: String,
    /// ISO-8601 when soft-deleted.
    pub deleted_at: Option<String>,
}

/// A region as stored, with its countries.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Region {
    /// `reg_…`
    pub id: String,
    /// Display name.
    pub name: String,
    /// Lower-case ISO 4217.
    pub currency_code: String,
    /// Whether taxes are computed automatically.
    pub automatic_taxes: bool,
    /// Free-form JSON.
    pub metadata: Option<serde_json::Value>,
    /// ISO-8601.
    pub created_at: String,
    /// ISO-8601.
    pub updated_at: String,
    /// ISO-8601 when soft-deleted.
    pub deleted_at: Option<String>,
    /// Countries served.
    pub countries: Vec<Country>,
}

/// Input of [`create`].
#[derive(Debug, Clone, Default)]
pub struct NewRegion {
    /// Display name.
    pub name: String,
    /// ISO 4217 code.
    pub currency_code: String,
    /// ISO-2 codes of the countries.
    pub countries: Vec<String>,
    /// Automatic taxes (Medusa's default: true).
    pub automatic_taxes: bool,
    /// Free-form JSON.
    pub metadata: Option<serde_json::Value>,
}

/// Filters of [`list`]; empty fields do not filter.
#[derive(Debug, Clone, Default)]
pub struct RegionFilter {
    /// Only these ids.
    pub ids: Vec<String>,
    /// Only these currencies.
    pub currency_codes: Vec<String>,
    /// Only these exact names.
    pub names: Vec<String>,
    /// Case-insensitive substring of the name.
    pub q: Option<String>,
}

const COLUMNS: &str =
    "id, name, currency_code, automatic_taxes, metadata, created_at, updated_at, deleted_at";

fn from_row(r: &Row) -> rusqlite::Result<Region> {
    Ok(Region {
        id: r.get(0)?,
        name: r.get(1)?,
        currency_code: r.get(2)?,
        automatic_taxes: r.get(3)?,
        metadata: metadata_from_sql(r.get(4)?),
        created_at: r.get(5)?,
        updated_at: r.get(6)?,
        deleted_at: r.get(7)?,
        countries: Vec::new(),
    })
}

/// Creates a region and assigns its countries.
///
/// # Errors
/// An empty name, an unknown currency or country, a country already in another region.
pub fn create(conn: &Connection, ctx: &Ctx, input: &NewRegion) -> Result<Region> {
    if input.name.trim().is_empty() {
        return Err(Error::invalid("Invalid request: Field 'name' is required"));
    }
    let currency = input.currency_code.to_ascii_lowercase();
    crate::money::require_exponent(&currency).map_err(|e| Error::invalid(e.to_string()))?;
    let id = ctx.id("reg");
    let now = ctx.now();
    let metadata = input.metadata.as_ref().map(|m| m.to_string());
    conn.prepare_cached_static(
        "INSERT INTO region (id, name, currency_code, automatic_taxes, metadata, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
    )?
    .execute(params![id, input.name, currency, input.automatic_taxes, metadata, now])?;
    for code in &input.countries {
        assign_country(conn, &id, code, &now)?;
    }
    retrieve(conn, &id)
}

fn assign_country(conn: &Connection, region_id: &str, code: &str, now: &str) -> Result<()> {
    let (iso_2, iso_3, num, name, display) = *countries::find(code)
        .ok_or_else(|| Error::invalid(format!("Countries with codes: \"{code}\" do not exist")))?;
    let taken: Option<Option<String>> = conn
        .prepare_cached_static("SELECT region_id FROM region_country WHERE iso_2 = ?1")?
        .query_row([iso_2], |r| r.get(0))
        .optional()?;
    if let Some(Some(_)) = taken {
        return Err(Error::invalid(format!(
            "Countries with codes: \"{iso_2}\" are already assigned to a region"
        )));
    }
    conn.prepare_cached_static(
        "INSERT INTO region_country (iso_2, iso_3, num_code, name, display_name, region_id, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)
         ON CONFLICT (iso_2) DO UPDATE SET region_id = excluded.region_id, updated_at = excluded.updated_at",
    )?
    .execute(params![iso_2, iso_3, num, name, display, region_id, now])?;
    Ok(())
}

/// A live region by id, with its countries.
///
/// # Errors
/// 404 "Region with id: X was not found".
pub fn retrieve(conn: &Connection, id: &str) -> Result<Region> {
    shared(conn, id).map(std::sync::Arc::unwrap_or_clone)
}

/// [`retrieve`]'s region shared with the memo, for readers that change nothing (a checkout
/// looks its region up about thirty times; copying its countries each time was most of it).
///
/// # Errors
/// As [`retrieve`].
pub fn shared(conn: &Connection, id: &str) -> Result<std::sync::Arc<Region>> {
    // Regions change rarely.
    crate::db::cached::cached(
        &["region:", id].concat(),
        &["region", "region_country"],
        || read_region(conn, id),
    )
}

/// [`retrieve`]'s region as JSON text (every cart reply shows it with its countries).
///
/// # Errors
/// As [`retrieve`].
pub fn retrieve_json(conn: &Connection, id: &str) -> Result<std::sync::Arc<String>> {
    crate::db::cached::cached(
        &format!("region-json:{id}"),
        &["region", "region_country"],
        || Ok(serde_json::to_string(&read_region(conn, id)?)?),
    )
}

fn read_region(conn: &Connection, id: &str) -> Result<Region> {
    let mut region = conn
        .prepare_cached_static(crate::sql_text!(
            [],
            "SELECT {COLUMNS} FROM region WHERE id = ?1 AND deleted_at IS NULL"
        ))?
        .query_row([id], from_row)
        .optional()?
        .ok_or_else(|| Error::not_found("Region", id))?;
    region.countries = countries_of(conn, id)?;
    Ok(region)
}

fn countries_of(conn: &Connection, region_id: &str) -> Result<Vec<Country>> {
    let mut stmt = conn.prepare_cached_static(
        "SELECT iso_2, iso_3, num_code, name, display_name, region_id, metadata, created_at,
                updated_at, deleted_at
         FROM region_country WHERE region_id = ?1 ORDER BY iso_2",
    )?;
    let rows = stmt.query_map([region_id], |r| {
        Ok(Country {
            iso_2: r.get(0)?,
            iso_3: r.get(1)?,
            num_code: r.get(2)?,
            name: r.get(3)?,
            display_name: r.get(4)?,
            region_id: r.get(5)?,
            metadata: metadata_from_sql(r.get(6)?),
            created_at: r.get(7)?,
            updated_at: r.get(8)?,
            deleted_at: r.get(9)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// A page of live regions (oldest first) and the total matching `filter`.
///
/// # Errors
/// Database failures.
pub fn list(
    conn: &Connection,
    filter: &RegionFilter,
    limit: u64,
    offset: u64,
) -> Result<(Vec<Region>, u64)> {
    let where_sql = "deleted_at IS NULL
        AND (?1 = '[]' OR id IN (SELECT value FROM json_each(?1)))
        AND (?2 = '[]' OR currency_code IN (SELECT value FROM json_each(?2)))
        AND (?3 = '[]' OR name IN (SELECT value FROM json_each(?3)))
        AND (?4 IS NULL OR instr(lower(name), lower(?4)) > 0)";
    let args = params![
        json_list(&filter.ids),
        json_list(&filter.currency_codes),
        json_list(&filter.names),
        filter.q
    ];
    let count: u64 = conn
        .prepare_cached(&format!("SELECT count(*) FROM region WHERE {where_sql}"))?
        .query_row(args, |r| r.get::<_, i64>(0))? as u64;
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM region WHERE {where_sql} ORDER BY created_at, id LIMIT ?5 OFFSET ?6"
    ))?;
    let mut regions: Vec<Region> = stmt
        .query_map(
            params![
                json_list(&filter.ids),
                json_list(&filter.currency_codes),
                json_list(&filter.names),
                filter.q,
                clamp(limit),
                clamp(offset)
            ],
            from_row,
        )?
        .collect::<rusqlite::Result<_>>()?;
    for region in &mut regions {
        region.countries = countries_of(conn, &region.id)?;
    }
    Ok((regions, count))
}

/// Soft-deletes a region and frees its countries.
///
/// # Errors
/// 404 when absent.
pub fn delete(conn: &Connection, ctx: &Ctx, id: &str) -> Result<()> {
    retrieve(conn, id)?;
    let now = ctx.now();
    conn.prepare_cached_static("UPDATE region SET deleted_at = ?2, updated_at = ?2 WHERE id = ?1")?
        .execute(params![id, now])?;
    conn.prepare_cached_static("UPDATE region_country SET region_id = NULL WHERE region_id = ?1")?
        .execute([id])?;
    Ok(())
}

/// Updates a region: `name`, `currency_code`, `automatic_taxes`, `metadata` from `changes`;
/// `countries`, when given, replace its countries.
///
/// # Errors
/// 404 when absent; 400 for a blank name, an unknown currency or country, or a country of
/// another region.
pub fn update(
    conn: &Connection,
    ctx: &Ctx,
    id: &str,
    changes: &serde_json::Map<String, serde_json::Value>,
    countries: Option<&[String]>,
) -> Result<Region> {
    retrieve(conn, id)?;
    let mut changes = changes.clone();
    if let Some(name) = changes.get("name").and_then(serde_json::Value::as_str)
        && name.trim().is_empty()
    {
        return Err(Error::invalid(
            "Invalid request: Field 'name' cannot be empty",
        ));
    }
    if let Some(code) = changes
        .get("currency_code")
        .and_then(serde_json::Value::as_str)
    {
        let code = code.to_ascii_lowercase();
        crate::money::require_exponent(&code).map_err(|e| Error::invalid(e.to_string()))?;
        changes.insert("currency_code".into(), code.into());
    }
    let now = ctx.now();
    let columns = ["name", "currency_code", "automatic_taxes", "metadata"];
    crate::modules::update_columns(conn, "region", id, &columns, &changes, &now)?;
    if let Some(countries) = countries {
        conn.prepare_cached_static(
            "UPDATE region_country SET region_id = NULL, updated_at = ?2 WHERE region_id = ?1",
        )?
        .execute(params![id, now])?;
        for code in countries {
            assign_country(conn, id, code, &now)?;
        }
    }
    retrieve(conn, id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::Clock;
    use crate::id::IdGenerator;

    fn setup() -> (Connection, Ctx) {
        let conn = Connection::open_in_memory().unwrap();
        crate::db::module::migrate(&conn, &[module()], "t").unwrap();
        let ctx = Ctx::new(Clock::fixed(0), IdGenerator::seeded(Clock::fixed(0), 1));
        (conn, ctx)
    }

    fn region(name: &str, currency: &str, countries: &[&str]) -> NewRegion {
        NewRegion {
            name: name.into(),
            currency_code: currency.into(),
            countries: countries.iter().map(|c| c.to_string()).collect(),
            automatic_taxes: true,
            metadata: None,
        }
    }

    #[test]
    fn create_list_filter() {
        let (conn, ctx) = setup();
        create(&conn, &ctx, &region("US", "usd", &["us"])).unwrap();
        let eu = create(&conn, &ctx, &region("Europe", "EUR", &["de", "fr"])).unwrap();
        assert_eq!(eu.currency_code, "eur");
        assert_eq!(eu.countries.len(), 2);
        let filter = RegionFilter {
            currency_codes: vec!["eur".into()],
            ..RegionFilter::default()
        };
        let (page, count) = list(&conn, &filter, 10, 0).unwrap();
        assert_eq!((page.len(), count, page[0].id.clone()), (1, 1, eu.id));
    }

    #[test]
    fn a_country_belongs_to_one_region() {
        let (conn, ctx) = setup();
        create(&conn, &ctx, &region("US", "usd", &["us"])).unwrap();
        let err = create(&conn, &ctx, &region("Again", "usd", &["us"])).unwrap_err();
        assert!(err.to_string().contains("already assigned"), "{err}");
        assert!(create(&conn, &ctx, &region("X", "usd", &["zz"])).is_err());
        assert!(create(&conn, &ctx, &region("X", "xxx", &[])).is_err());
    }
}

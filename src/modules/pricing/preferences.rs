//! Price preferences as the admin API manages them: whether prices of a currency or of a
//! region include tax (read by [`super::is_tax_inclusive`] when pricing). A region's own
//! `is_tax_inclusive` writes the same rows.

use crate::ctx::Ctx;
use crate::error::{Error, Result};
use crate::modules::{clamp, json_list};
use rusqlite::{Connection, OptionalExtension, Row, params};
use serde::Serialize;

/// A price preference.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PricePreference {
    /// `prpref_…`
    pub id: String,
    /// `currency_code` or `region_id`.
    pub attribute: String,
    /// The currency code or region id.
    pub value: String,
    /// Whether those prices include tax.
    pub is_tax_inclusive: bool,
    /// ISO 8601.
    pub created_at: String,
    /// ISO 8601.
    pub updated_at: String,
    /// ISO 8601 once deleted.
    pub deleted_at: Option<String>,
}

const COLUMNS: &str = "id, attribute, value, is_tax_inclusive, created_at, updated_at, deleted_at";

fn from_row(r: &Row<'_>) -> rusqlite::Result<PricePreference> {
    Ok(PricePreference {
        id: r.get(0)?,
        attribute: r.get(1)?,
        value: r.get(2)?,
        is_tax_inclusive: r.get(3)?,
        created_at: r.get(4)?,
        updated_at: r.get(5)?,
        deleted_at: r.get(6)?,
    })
}

fn check_attribute(attribute: &str) -> Result<()> {
    if matches!(attribute, "currency_code" | "region_id") {
        Ok(())
    } else {
        Err(Error::invalid(format!(
            "Unknown price preference attribute {attribute}: expected currency_code or region_id"
        )))
    }
}

/// Creates a preference.
///
/// # Errors
/// 400 for an unknown attribute; 422 when one exists for the attribute and value.
pub fn create(
    conn: &Connection,
    ctx: &Ctx,
    attribute: &str,
    value: &str,
    is_tax_inclusive: bool,
) -> Result<PricePreference> {
    check_attribute(attribute)?;
    let (id, now) = (ctx.id("prpref"), ctx.now());
    conn.prepare_cached_static(
        "INSERT INTO pricing_price_preference
         (id, attribute, value, is_tax_inclusive, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
    )?
    .execute(params![id, attribute, value, is_tax_inclusive, now])?;
    retrieve(conn, &id)
}

/// A live preference.
///
/// # Errors
/// 404 when absent.
pub fn retrieve(conn: &Connection, id: &str) -> Result<PricePreference> {
    conn.prepare_cached_static(crate::sql_text!(
        [],
        "SELECT {COLUMNS} FROM pricing_price_preference WHERE id = ?1 AND deleted_at IS NULL"
    ))?
    .query_row([id], from_row)
    .optional()?
    .ok_or_else(|| Error::not_found("Price preference", id))
}

/// Filters of a preference list; empty lists do not filter.
#[derive(Debug, Clone, Default)]
pub struct PreferenceFilter {
    /// Among these ids.
    pub ids: Vec<String>,
    /// Of these attributes.
    pub attributes: Vec<String>,
    /// With these values.
    pub values: Vec<String>,
    /// Value containing this (case-insensitive).
    pub q: Option<String>,
}

/// A page of live preferences, oldest first, and their count.
///
/// # Errors
/// Database failures.
pub fn list(
    conn: &Connection,
    filter: &PreferenceFilter,
    (offset, limit): (u64, u64),
) -> Result<(Vec<PricePreference>, u64)> {
    let clause = "deleted_at IS NULL
        AND (?1 = '[]' OR id IN (SELECT value FROM json_each(?1)))
        AND (?2 = '[]' OR attribute IN (SELECT value FROM json_each(?2)))
        AND (?3 = '[]' OR value IN (SELECT value FROM json_each(?3)))
        AND (?4 = '' OR instr(lower(value), ?4) > 0)";
    let args = (
        json_list(&filter.ids),
        json_list(&filter.attributes),
        json_list(&filter.values),
        filter.q.as_deref().unwrap_or("").to_lowercase(),
    );
    let count: i64 = conn
        .prepare_cached(&format!(
            "SELECT count(*) FROM pricing_price_preference WHERE {clause}"
        ))?
        .query_row(params![args.0, args.1, args.2, args.3], |r| r.get(0))?;
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM pricing_price_preference WHERE {clause}
         ORDER BY id LIMIT ?5 OFFSET ?6"
    ))?;
    let rows = stmt.query_map(
        params![args.0, args.1, args.2, args.3, clamp(limit), clamp(offset)],
        from_row,
    )?;
    Ok((rows.collect::<rusqlite::Result<_>>()?, count.max(0) as u64))
}

/// Changes a preference's attribute, value and/or flag.
///
/// # Errors
/// 404 when absent; 400 for an unknown attribute; 422 when the new key is taken.
pub fn update(
    conn: &Connection,
    ctx: &Ctx,
    id: &str,
    (attribute, value, is_tax_inclusive): (Option<&str>, Option<&str>, Option<bool>),
) -> Result<PricePreference> {
    let current = retrieve(conn, id)?;
    let attribute = attribute.unwrap_or(&current.attribute);
    check_attribute(attribute)?;
    conn.prepare_cached_static(
        "UPDATE pricing_price_preference SET attribute = ?2, value = ?3, is_tax_inclusive = ?4,
         updated_at = ?5 WHERE id = ?1",
    )?
    .execute(params![
        id,
        attribute,
        value.unwrap_or(&current.value),
        is_tax_inclusive.unwrap_or(current.is_tax_inclusive),
        ctx.now()
    ])?;
    retrieve(conn, id)
}

/// Soft-deletes a preference (those prices are then taken as tax-exclusive).
///
/// # Errors
/// 404 when absent.
pub fn delete(conn: &Connection, ctx: &Ctx, id: &str) -> Result<()> {
    retrieve(conn, id)?;
    conn.prepare_cached_static(
        "UPDATE pricing_price_preference SET deleted_at = ?2, updated_at = ?2 WHERE id = ?1",
    )?
    .execute(params![id, ctx.now()])?;
    Ok(())
}

//! A tax region after creation: its province children, update, and delete (children, rates
//! and rules go with it, as Medusa's cascade does).

use super::{REGION_COLUMNS, TaxRegion, region_from, retrieve_region};
use crate::ctx::Ctx;
use crate::error::Result;
use crate::modules::update_columns;
use rusqlite::{Connection, params};
use serde_json::{Map, Value};

/// The live province regions under a country region.
///
/// # Errors
/// Database failures.
pub fn children_of(conn: &Connection, id: &str) -> Result<Vec<TaxRegion>> {
    let mut stmt = conn.prepare_cached_static(crate::sql_text!(
        [],
        "SELECT {REGION_COLUMNS} FROM tax_region WHERE parent_id = ?1 AND deleted_at IS NULL
         ORDER BY ifnull(province_code, '')"
    ))?;
    let rows = stmt.query_map([id], region_from)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Updates `province_code`, `provider_id` and/or `metadata` (what Medusa's update accepts).
///
/// # Errors
/// 404 when absent; 422 when the new province already has a region.
pub fn update(
    conn: &Connection,
    ctx: &Ctx,
    id: &str,
    changes: &Map<String, Value>,
) -> Result<TaxRegion> {
    retrieve_region(conn, id)?;
    let mut changes = changes.clone();
    if let Some(Value::String(code)) = changes.get_mut("province_code") {
        *code = code.to_ascii_lowercase();
    }
    update_columns(
        conn,
        "tax_region",
        id,
        &["province_code", "provider_id", "metadata"],
        &changes,
        &ctx.now(),
    )?;
    retrieve_region(conn, id)
}

/// Soft-deletes a region, its province children, and every rate and rule under them.
///
/// # Errors
/// 404 when absent.
pub fn delete(conn: &Connection, ctx: &Ctx, id: &str) -> Result<()> {
    retrieve_region(conn, id)?;
    let now = ctx.now();
    let doomed =
        "SELECT id FROM tax_region WHERE (id = ?1 OR parent_id = ?1) AND deleted_at IS NULL";
    conn.prepare_cached(&format!(
        "UPDATE tax_rate_rule SET deleted_at = ?2, updated_at = ?2 WHERE deleted_at IS NULL
         AND tax_rate_id IN (SELECT id FROM tax_rate WHERE tax_region_id IN ({doomed}))"
    ))?
    .execute(params![id, now])?;
    conn.prepare_cached(&format!(
        "UPDATE tax_rate SET deleted_at = ?2, updated_at = ?2 WHERE deleted_at IS NULL
         AND tax_region_id IN ({doomed})"
    ))?
    .execute(params![id, now])?;
    conn.prepare_cached_static(
        "UPDATE tax_region SET deleted_at = ?2, updated_at = ?2
         WHERE (id = ?1 OR parent_id = ?1) AND deleted_at IS NULL",
    )?
    .execute(params![id, now])?;
    Ok(())
}

/// Ids of live rates (of the given regions, code or name containing `q`, among `ids`),
/// oldest first, a page of them and the count.
///
/// # Errors
/// Database failures.
pub fn rate_ids(
    conn: &Connection,
    regions: &[String],
    q: Option<&str>,
    ids: &[String],
    page: (u64, u64),
) -> Result<(Vec<String>, u64)> {
    let filter = "deleted_at IS NULL
        AND (?1 = '[]' OR tax_region_id IN (SELECT value FROM json_each(?1)))
        AND (?2 = '' OR instr(lower(code || ' ' || name), ?2) > 0)
        AND (?3 = '[]' OR id IN (SELECT value FROM json_each(?3)))";
    let args = (
        crate::modules::json_list(regions),
        q.unwrap_or("").to_lowercase(),
        crate::modules::json_list(ids),
    );
    let count: i64 = conn
        .prepare_cached(&format!("SELECT count(*) FROM tax_rate WHERE {filter}"))?
        .query_row(params![args.0, args.1, args.2], |r| r.get(0))?;
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT id FROM tax_rate WHERE {filter} ORDER BY id LIMIT ?4 OFFSET ?5"
    ))?;
    let rows = stmt.query_map(
        params![
            args.0,
            args.1,
            args.2,
            crate::modules::clamp(page.1),
            crate::modules::clamp(page.0)
        ],
        |r| r.get(0),
    )?;
    Ok((rows.collect::<rusqlite::Result<_>>()?, count.max(0) as u64))
}

//! Stock locations as the admin manages them: list (by `q` / name), JSON documents with the
//! address, update of the name, metadata and address, soft delete.

use super::retrieve;
use crate::ctx::Ctx;
use crate::error::Result;
use crate::modules::{metadata_from_sql, update_columns};
use rusqlite::{Connection, params};
use serde_json::{Map, Value};

/// Address columns an admin may set.
pub const ADDRESS_FIELDS: &[&str] = &[
    "address_1",
    "address_2",
    "company",
    "city",
    "country_code",
    "phone",
    "province",
    "postal_code",
    "metadata",
];

fn row(conn: &Connection, table: &str, id: &str) -> Result<Map<String, Value>> {
    let rows = crate::model::rows::load_rows(conn, table, &[id.to_string()])?;
    let mut map = match rows.into_iter().next() {
        Some(Value::Object(map)) => map,
        _ => Map::new(),
    };
    let metadata = metadata_from_sql(
        map.get("metadata")
            .and_then(Value::as_str)
            .map(String::from),
    );
    map.insert("metadata".into(), metadata.unwrap_or(Value::Null));
    Ok(map)
}

/// A location as a JSON object with its `address` (or `null`).
///
/// # Errors
/// 404 when absent; database failures.
pub fn document(conn: &Connection, id: &str) -> Result<Map<String, Value>> {
    let found = retrieve(conn, id)?;
    let mut map = row(conn, "stock_location", id)?;
    let address = match &found.address_id {
        Some(a) => Value::Object(row(conn, "stock_location_address", a)?),
        None => Value::Null,
    };
    map.insert("address".into(), address);
    Ok(map)
}

/// Ids of a page of live locations (newest first; `q` matches the name; among `names` and
/// `ids` when not empty), with the count.
///
/// # Errors
/// Database failures.
pub fn list(
    conn: &Connection,
    q: Option<&str>,
    names: &[String],
    ids: &[String],
    offset: u64,
    limit: u64,
) -> Result<(Vec<String>, u64)> {
    let like = q.map(|q| {
        format!(
            "%{}%",
            q.replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_")
        )
    });
    let names = (!names.is_empty()).then(|| Value::from(names.to_vec()).to_string());
    let clause = "deleted_at IS NULL AND (?1 IS NULL OR name LIKE ?1 ESCAPE '\\')
        AND (?2 IS NULL OR name IN (SELECT value FROM json_each(?2)))
        AND (?3 = '[]' OR id IN (SELECT value FROM json_each(?3)))";
    let wanted = crate::modules::json_list(ids);
    let count: i64 = conn
        .prepare_cached(&format!(
            "SELECT COUNT(*) FROM stock_location WHERE {clause}"
        ))?
        .query_row(params![like, names, wanted], |r| r.get(0))?;
    let ids = conn
        .prepare_cached(&format!(
            "SELECT id FROM stock_location WHERE {clause} ORDER BY created_at DESC, id DESC LIMIT ?4 OFFSET ?5"
        ))?
        .query_map(
            params![
                like,
                names,
                wanted,
                i64::try_from(limit).unwrap_or(i64::MAX),
                i64::try_from(offset).unwrap_or(i64::MAX)
            ],
            |r| r.get(0),
        )?
        .collect::<rusqlite::Result<_>>()?;
    Ok((ids, count.max(0) as u64))
}

/// Updates a location's `name` / `metadata` and, when given, its address (created when it
/// has none).
///
/// # Errors
/// 404 when absent; an address without `address_1` / `country_code` when created; database
/// failures.
pub fn update(
    conn: &Connection,
    ctx: &Ctx,
    id: &str,
    fields: &Map<String, Value>,
    address: Option<&Map<String, Value>>,
) -> Result<()> {
    let found = retrieve(conn, id)?;
    let now = ctx.now();
    update_columns(
        conn,
        "stock_location",
        id,
        &["name", "metadata"],
        fields,
        &now,
    )?;
    let Some(address) = address else {
        return Ok(());
    };
    let address_id = match found.address_id {
        Some(a) => a,
        None => {
            let a = ctx.id("laddr");
            conn.prepare_cached_static(
                "INSERT INTO stock_location_address (id, address_1, country_code, created_at, updated_at) VALUES (?1, '', '', ?2, ?2)",
            )?
            .execute(params![a, now])?;
            conn.prepare_cached_static("UPDATE stock_location SET address_id = ?2 WHERE id = ?1")?
                .execute(params![id, a])?;
            a
        }
    };
    let mut address = address.clone();
    if let Some(Value::String(c)) = address.get_mut("country_code") {
        *c = c.to_lowercase();
    }
    update_columns(
        conn,
        "stock_location_address",
        &address_id,
        ADDRESS_FIELDS,
        &address,
        &now,
    )?;
    Ok(())
}

/// Soft-deletes a location (and its address).
///
/// # Errors
/// 404 when absent; database failures.
pub fn delete(conn: &Connection, ctx: &Ctx, id: &str) -> Result<()> {
    let found = retrieve(conn, id)?;
    let now = ctx.now();
    conn.prepare_cached_static(
        "UPDATE stock_location SET deleted_at = ?2, updated_at = ?2 WHERE id = ?1",
    )?
    .execute(params![id, now])?;
    if let Some(a) = found.address_id {
        conn.prepare_cached_static(
            "UPDATE stock_location_address SET deleted_at = ?2, updated_at = ?2 WHERE id = ?1",
        )?
        .execute(params![a, now])?;
    }
    Ok(())
}

//! Inventory items and their location levels as the admin manages them: list, retrieve with
//! the summed stocked / reserved quantities and levels, create, update, soft delete; levels
//! created, updated (stocked, incoming) and deleted per location.

use super::Level;
use crate::ctx::Ctx;
use crate::error::{Error, Result};
use crate::modules::{metadata_from_sql, update_columns};
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use serde_json::{Map, Value};

/// An inventory item with its levels.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Item {
    /// `iitem_…`
    pub id: String,
    /// The item's descriptive columns (`sku`, `title`, `hs_code`, …), as stored.
    #[serde(flatten)]
    pub fields: Map<String, Value>,
    /// Σ stocked over the levels.
    pub stocked_quantity: i64,
    /// Σ reserved over the levels.
    pub reserved_quantity: i64,
    /// Levels, oldest first.
    pub location_levels: Vec<Level>,
}

/// Columns an admin may set on an item.
pub const ITEM_FIELDS: &[&str] = &[
    "sku",
    "title",
    "description",
    "thumbnail",
    "requires_shipping",
    "hs_code",
    "origin_country",
    "mid_code",
    "material",
    "weight",
    "length",
    "height",
    "width",
    "metadata",
];

/// An item by id.
///
/// # Errors
/// 404 "Inventory item with id: X was not found".
pub fn retrieve(conn: &Connection, id: &str) -> Result<Item> {
    let rows = crate::model::rows::load_rows(conn, "inventory_item", &[id.to_string()])?;
    let Some(Value::Object(mut fields)) = rows.into_iter().next() else {
        return Err(Error::not_found("Inventory item", id));
    };
    if fields.get("deleted_at").is_some_and(|d| !d.is_null()) {
        return Err(Error::not_found("Inventory item", id));
    }
    fields.remove("id");
    let metadata = metadata_from_sql(
        fields
            .get("metadata")
            .and_then(Value::as_str)
            .map(String::from),
    );
    fields.insert("metadata".into(), metadata.unwrap_or(Value::Null));
    let requires = fields.get("requires_shipping").and_then(Value::as_i64) != Some(0);
    fields.insert("requires_shipping".into(), Value::Bool(requires));
    let levels = levels_of(conn, id)?;
    Ok(Item {
        id: id.to_string(),
        fields,
        stocked_quantity: levels.iter().map(|l| l.stocked_quantity).sum(),
        reserved_quantity: levels.iter().map(|l| l.reserved_quantity).sum(),
        location_levels: levels,
    })
}

/// Every live level of an item, oldest first.
///
/// # Errors
/// Database failures.
pub fn levels_of(conn: &Connection, item: &str) -> Result<Vec<Level>> {
    let rows = conn
        .prepare_cached_static(
            "SELECT id, inventory_item_id, location_id, stocked_quantity, reserved_quantity, incoming_quantity
             FROM inventory_level WHERE inventory_item_id = ?1 AND deleted_at IS NULL ORDER BY id",
        )?
        .query_map([item], |r| {
            let (stocked, reserved): (i64, i64) = (r.get(3)?, r.get(4)?);
            Ok(Level {
                id: r.get(0)?,
                inventory_item_id: r.get(1)?,
                location_id: r.get(2)?,
                stocked_quantity: stocked,
                reserved_quantity: reserved,
                incoming_quantity: r.get(5)?,
                available_quantity: stocked - reserved,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// The item a live level belongs to.
///
/// # Errors
/// 404 for an id that is no live level.
pub fn item_of_level(conn: &Connection, level_id: &str) -> Result<String> {
    conn.prepare_cached_static(
        "SELECT inventory_item_id FROM inventory_level WHERE id = ?1 AND deleted_at IS NULL",
    )?
    .query_row([level_id], |r| r.get(0))
    .optional()?
    .ok_or_else(|| Error::not_found("Inventory level", level_id))
}

/// A page of items (newest first; `q` matches sku or title; `sku` exact; among `ids` when
/// not empty), with the count.
///
/// # Errors
/// Database failures.
pub fn list(
    conn: &Connection,
    q: Option<&str>,
    sku: Option<&str>,
    ids: &[String],
    offset: u64,
    limit: u64,
) -> Result<(Vec<Item>, u64)> {
    list_sorted(
        conn,
        q,
        sku,
        ids,
        &crate::modules::SortKey::NEWEST,
        offset,
        limit,
    )
}

/// Columns an item list can be sorted on ([`list_sorted`]).
pub const SORTABLE: &[&str] = &["created_at", "updated_at", "sku", "title"];

/// [`list`] in `order` (a column of [`SORTABLE`]).
///
/// # Errors
/// 400 for a column that is not sortable; database failures.
pub fn list_sorted(
    conn: &Connection,
    q: Option<&str>,
    sku: Option<&str>,
    ids: &[String],
    order: &crate::modules::SortKey,
    offset: u64,
    limit: u64,
) -> Result<(Vec<Item>, u64)> {
    let order_sql = order.sql(SORTABLE)?;
    let like = q.map(|q| {
        format!(
            "%{}%",
            q.replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_")
        )
    });
    let clause = "deleted_at IS NULL AND (?1 IS NULL OR sku LIKE ?1 ESCAPE '\\' OR title LIKE ?1 ESCAPE '\\')
        AND (?2 IS NULL OR sku = ?2) AND (?3 = '[]' OR id IN (SELECT value FROM json_each(?3)))";
    let wanted = crate::modules::json_list(ids);
    let count: i64 = conn
        .prepare_cached(&format!(
            "SELECT COUNT(*) FROM inventory_item WHERE {clause}"
        ))?
        .query_row(params![like, sku, wanted], |r| r.get(0))?;
    let ids: Vec<String> = conn
        .prepare_cached(&format!(
            "SELECT id FROM inventory_item WHERE {clause} ORDER BY {order_sql} LIMIT ?4 OFFSET ?5"
        ))?
        .query_map(
            params![
                like,
                sku,
                wanted,
                i64::try_from(limit).unwrap_or(i64::MAX),
                i64::try_from(offset).unwrap_or(i64::MAX)
            ],
            |r| r.get(0),
        )?
        .collect::<rusqlite::Result<_>>()?;
    let items = ids
        .iter()
        .map(|id| retrieve(conn, id))
        .collect::<Result<Vec<_>>>()?;
    Ok((items, count.max(0) as u64))
}

/// Creates an item from validated fields. Returns its id.
///
/// # Errors
/// A duplicate SKU (`invalid_data`); database failures.
pub fn create(conn: &Connection, ctx: &Ctx, fields: &Map<String, Value>) -> Result<String> {
    if let Some(sku) = fields.get("sku").and_then(Value::as_str) {
        sku_free(conn, sku, None)?;
    }
    let title = fields.get("title").and_then(Value::as_str).unwrap_or("");
    let id = super::create_item(conn, ctx, None, title)?;
    update_columns(conn, "inventory_item", &id, ITEM_FIELDS, fields, &ctx.now())?;
    Ok(id)
}

fn sku_free(conn: &Connection, sku: &str, except: Option<&str>) -> Result<()> {
    let taken: Option<String> = conn
        .prepare_cached_static(
            "SELECT id FROM inventory_item WHERE sku = ?1 AND deleted_at IS NULL AND (?2 IS NULL OR id != ?2)",
        )?
        .query_row(params![sku, except], |r| r.get(0))
        .optional()?;
    match taken {
        Some(_) => Err(Error::invalid(format!(
            "Inventory item with sku: {sku}, already exists."
        ))),
        None => Ok(()),
    }
}

/// Updates an item's fields.
///
/// # Errors
/// 404 when absent; a duplicate SKU; database failures.
pub fn update(conn: &Connection, ctx: &Ctx, id: &str, fields: &Map<String, Value>) -> Result<()> {
    retrieve(conn, id)?;
    if let Some(sku) = fields.get("sku").and_then(Value::as_str) {
        sku_free(conn, sku, Some(id))?;
    }
    update_columns(conn, "inventory_item", id, ITEM_FIELDS, fields, &ctx.now())?;
    Ok(())
}

/// Soft-deletes an item and its levels.
///
/// # Errors
/// 404 when absent; `not_allowed` while units are reserved; database failures.
pub fn delete(conn: &Connection, ctx: &Ctx, id: &str) -> Result<()> {
    let found = retrieve(conn, id)?;
    if found.reserved_quantity > 0 {
        return Err(Error::not_allowed(format!(
            "Inventory item {id} has reservations and cannot be deleted"
        )));
    }
    let now = ctx.now();
    conn.prepare_cached_static("UPDATE inventory_level SET deleted_at = ?2, updated_at = ?2 WHERE inventory_item_id = ?1 AND deleted_at IS NULL")?
        .execute(params![id, now])?;
    conn.prepare_cached_static(
        "UPDATE inventory_item SET deleted_at = ?2, updated_at = ?2 WHERE id = ?1",
    )?
    .execute(params![id, now])?;
    Ok(())
}

fn level_at(conn: &Connection, item: &str, location: &str) -> Result<Option<Level>> {
    Ok(levels_of(conn, item)?
        .into_iter()
        .find(|l| l.location_id == location))
}

/// Creates a level at a location.
///
/// # Errors
/// 404 for an unknown item; `invalid_data` when a level exists there; database failures.
pub fn create_level(
    conn: &Connection,
    ctx: &Ctx,
    item: &str,
    location: &str,
    stocked: i64,
    incoming: i64,
) -> Result<()> {
    retrieve(conn, item)?;
    if level_at(conn, item, location)?.is_some() {
        return Err(Error::invalid(format!(
            "Inventory level for item {item} and location {location} already exists"
        )));
    }
    let now = ctx.now();
    conn.prepare_cached_static(
        "INSERT INTO inventory_level (id, inventory_item_id, location_id, stocked_quantity, incoming_quantity, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
    )?
    .execute(params![ctx.id("ilev"), item, location, stocked, incoming, now])?;
    Ok(())
}

/// Updates a level's stocked and/or incoming quantities.
///
/// # Errors
/// 404 when the item is not stocked there; database failures.
pub fn update_level(
    conn: &Connection,
    ctx: &Ctx,
    item: &str,
    location: &str,
    stocked: Option<i64>,
    incoming: Option<i64>,
) -> Result<()> {
    retrieve(conn, item)?;
    level_at(conn, item, location)?.ok_or_else(|| not_stocked(item, location))?;
    conn.prepare_cached_static(
        "UPDATE inventory_level SET stocked_quantity = COALESCE(?3, stocked_quantity),
           incoming_quantity = COALESCE(?4, incoming_quantity), updated_at = ?5
         WHERE inventory_item_id = ?1 AND location_id = ?2 AND deleted_at IS NULL",
    )?
    .execute(params![item, location, stocked, incoming, ctx.now()])?;
    Ok(())
}

fn not_stocked(item: &str, location: &str) -> Error {
    Error::NotFound(format!("Item {item} is not stocked at location {location}"))
}

/// Deletes a level; refused while units are reserved or incoming there, and while stocked
/// unless `force`. Returns the level's id.
///
/// # Errors
/// 404 when the item is not stocked there; `not_allowed` as above; database failures.
pub fn delete_level(
    conn: &Connection,
    ctx: &Ctx,
    item: &str,
    location: &str,
    force: bool,
) -> Result<String> {
    let level = level_at(conn, item, location)?.ok_or_else(|| not_stocked(item, location))?;
    if level.reserved_quantity > 0 || level.incoming_quantity > 0 {
        return Err(Error::not_allowed(format!(
            "Cannot remove Inventory Level {} at Location {location} because there are reserved or incoming quantities",
            level.id
        )));
    }
    if level.stocked_quantity > 0 && !force {
        return Err(Error::not_allowed(format!(
            "Cannot remove Inventory Level {} at Location {location} because there is stocked quantity. Use force to delete it",
            level.id
        )));
    }
    conn.prepare_cached_static(
        "UPDATE inventory_level SET deleted_at = ?2, updated_at = ?2 WHERE id = ?1",
    )?
    .execute(params![level.id, ctx.now()])?;
    Ok(level.id)
}

/// Stocked quantity of every live level of every item with a SKU, as `(sku, location id,
/// stocked)` in item then level order: what `stockroom export` writes back.
///
/// # Errors
/// Database failures.
pub fn stock_by_sku(conn: &Connection) -> Result<Vec<(String, String, i64)>> {
    let rows = conn
        .prepare_cached_static(
            "SELECT i.sku, l.location_id, l.stocked_quantity
             FROM inventory_item i JOIN inventory_level l ON l.inventory_item_id = i.id
             WHERE i.deleted_at IS NULL AND l.deleted_at IS NULL AND i.sku IS NOT NULL
             ORDER BY i.id, l.id",
        )?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

//! Reservations as the admin sees them (list, create, update, delete) and what a fulfillment
//! does to them: the units leave the shelf, so reserved and stocked both drop.

use super::{Want, insufficient, reserve};
use crate::ctx::Ctx;
use crate::error::{Error, Result};
use crate::modules::metadata_from_sql;
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use serde_json::Value;

/// A reservation as the admin API shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reservation {
    /// `resitem_…`
    pub id: String,
    /// The order line item holding it, if any.
    pub line_item_id: Option<String>,
    /// `iitem_…`
    pub inventory_item_id: String,
    /// `sloc_…`
    pub location_id: String,
    /// Units.
    pub quantity: i64,
    /// Whether it may exceed the stock.
    pub allow_backorder: bool,
    /// Free text.
    pub description: Option<String>,
    /// An outside system's id.
    pub external_id: Option<String>,
    /// Who created it.
    pub created_by: Option<String>,
    /// Free-form JSON.
    pub metadata: Option<Value>,
    /// ISO-8601.
    pub created_at: String,
    /// ISO-8601.
    pub updated_at: String,
}

const COLUMNS: &str = "id, line_item_id, inventory_item_id, location_id, quantity, allow_backorder,
    description, external_id, created_by, metadata, created_at, updated_at";

fn from_row(r: &rusqlite::Row) -> rusqlite::Result<Reservation> {
    Ok(Reservation {
        id: r.get(0)?,
        line_item_id: r.get(1)?,
        inventory_item_id: r.get(2)?,
        location_id: r.get(3)?,
        quantity: r.get(4)?,
        allow_backorder: r.get(5)?,
        description: r.get(6)?,
        external_id: r.get(7)?,
        created_by: r.get(8)?,
        metadata: metadata_from_sql(r.get(9)?),
        created_at: r.get(10)?,
        updated_at: r.get(11)?,
    })
}

/// A reservation by id.
///
/// # Errors
/// 404 "Reservation with id: X was not found".
pub fn retrieve(conn: &Connection, id: &str) -> Result<Reservation> {
    conn.prepare_cached_static(crate::sql_text!(
        [],
        "SELECT {COLUMNS} FROM inventory_reservation_item WHERE id = ?1 AND deleted_at IS NULL"
    ))?
    .query_row([id], from_row)
    .optional()?
    .ok_or_else(|| Error::not_found("Reservation", id))
}

/// Filters of the reservation list (`None`: any).
#[derive(Debug, Clone, Default)]
pub struct ReservationFilter {
    /// Only these reservations (empty: any).
    pub ids: Vec<String>,
    /// Reserving one of these `iitem_…` (empty: any).
    pub inventory_item_ids: Vec<String>,
    /// At one of these `sloc_…` (empty: any).
    pub location_ids: Vec<String>,
    /// For one of these line items (empty: any).
    pub line_item_ids: Vec<String>,
}

/// A page of live reservations, oldest first, and the count of all that match.
///
/// # Errors
/// Database failures.
pub fn list(
    conn: &Connection,
    filter: &ReservationFilter,
    offset: u64,
    limit: u64,
) -> Result<(Vec<Reservation>, u64)> {
    let clause = "deleted_at IS NULL
        AND (?1 = '[]' OR inventory_item_id IN (SELECT value FROM json_each(?1)))
        AND (?2 = '[]' OR location_id IN (SELECT value FROM json_each(?2)))
        AND (?3 = '[]' OR line_item_id IN (SELECT value FROM json_each(?3)))
        AND (?4 = '[]' OR id IN (SELECT value FROM json_each(?4)))";
    let f = (
        crate::modules::json_list(&filter.inventory_item_ids),
        crate::modules::json_list(&filter.location_ids),
        crate::modules::json_list(&filter.line_item_ids),
        crate::modules::json_list(&filter.ids),
    );
    let count: i64 = conn
        .prepare_cached(&format!(
            "SELECT COUNT(*) FROM inventory_reservation_item WHERE {clause}"
        ))?
        .query_row(params![f.0, f.1, f.2, f.3], |r| r.get(0))?;
    let rows = conn
        .prepare_cached(&format!(
            "SELECT {COLUMNS} FROM inventory_reservation_item WHERE {clause} ORDER BY id LIMIT ?5 OFFSET ?6"
        ))?
        .query_map(
            params![
                f.0,
                f.1,
                f.2,
                f.3,
                i64::try_from(limit).unwrap_or(i64::MAX),
                i64::try_from(offset).unwrap_or(i64::MAX)
            ],
            from_row,
        )?
        .collect::<rusqlite::Result<_>>()?;
    Ok((rows, count.max(0) as u64))
}

/// Input of [`create`].
#[derive(Debug, Clone, Default)]
pub struct NewReservation {
    /// A line item, if any.
    pub line_item_id: Option<String>,
    /// `iitem_…`
    pub inventory_item_id: String,
    /// `sloc_…`
    pub location_id: String,
    /// Units (≥ 1).
    pub quantity: i64,
    /// Reserve beyond what is available.
    pub allow_backorder: bool,
    /// Free text.
    pub description: Option<String>,
    /// Free-form JSON.
    pub metadata: Option<Value>,
    /// Who created it.
    pub created_by: Option<String>,
}

/// Creates a reservation at one location (guarded like checkout's).
///
/// # Errors
/// 404 when the item is not stocked at the location; `not_allowed` when short; database
/// failures.
pub fn create(conn: &Connection, ctx: &Ctx, input: &NewReservation) -> Result<Reservation> {
    level_exists(conn, &input.inventory_item_id, &input.location_id)?;
    let want = Want {
        line_item_id: input.line_item_id.clone().unwrap_or_default(),
        inventory_item_id: input.inventory_item_id.clone(),
        quantity: input.quantity,
        allow_backorder: input.allow_backorder,
    };
    let id = reserve(conn, ctx, &[want], std::slice::from_ref(&input.location_id))
        .map_err(|_| short(&input.inventory_item_id, &input.location_id))?
        .into_iter()
        .next()
        .unwrap_or_default();
    conn.prepare_cached_static(
        "UPDATE inventory_reservation_item SET line_item_id = ?2, description = ?3, metadata = ?4, created_by = ?5 WHERE id = ?1",
    )?
    .execute(params![
        id,
        input.line_item_id,
        input.description,
        input.metadata.as_ref().map(Value::to_string),
        input.created_by
    ])?;
    retrieve(conn, &id)
}

fn short(item: &str, location: &str) -> Error {
    Error::not_allowed(format!(
        "Not enough stock available for item {item} at location {location}"
    ))
}

fn level_exists(conn: &Connection, item: &str, location: &str) -> Result<()> {
    let found: Option<String> = conn
        .prepare_cached_static(
            "SELECT id FROM inventory_level WHERE inventory_item_id = ?1 AND location_id = ?2 AND deleted_at IS NULL",
        )?
        .query_row(params![item, location], |r| r.get(0))
        .optional()?;
    found.map(|_| ()).ok_or_else(|| {
        Error::NotFound(format!("Item {item} is not stocked at location {location}"))
    })
}

/// Changes a reservation's quantity, location, description or metadata; the levels follow.
///
/// # Errors
/// 404 when absent; `not_allowed` when the new quantity is not available; database failures.
pub fn update(
    conn: &Connection,
    ctx: &Ctx,
    id: &str,
    quantity: Option<i64>,
    location_id: Option<&str>,
    description: Option<&str>,
    metadata: Option<&Value>,
) -> Result<Reservation> {
    let old = retrieve(conn, id)?;
    let location = location_id.unwrap_or(&old.location_id).to_string();
    let quantity = quantity.unwrap_or(old.quantity);
    let now = ctx.now();
    if quantity != old.quantity || location != old.location_id {
        level_exists(conn, &old.inventory_item_id, &location)?;
        adjust_reserved(
            conn,
            &now,
            &old.inventory_item_id,
            &old.location_id,
            -old.quantity,
        )?;
        let taken = conn
            .prepare_cached_static(
                "UPDATE inventory_level SET reserved_quantity = reserved_quantity + ?3, updated_at = ?5
                 WHERE inventory_item_id = ?1 AND location_id = ?2 AND deleted_at IS NULL
                   AND (?4 OR stocked_quantity - reserved_quantity >= ?3)",
            )?
            .execute(params![old.inventory_item_id, location, quantity, old.allow_backorder, now])?;
        if taken == 0 {
            return Err(short(&old.inventory_item_id, &location));
        }
    }
    conn.prepare_cached_static(
        "UPDATE inventory_reservation_item SET quantity = ?2, location_id = ?3,
           description = COALESCE(?4, description), metadata = COALESCE(?5, metadata), updated_at = ?6 WHERE id = ?1",
    )?
    .execute(params![id, quantity, location, description, metadata.map(Value::to_string), now])?;
    retrieve(conn, id)
}

fn adjust_reserved(
    conn: &Connection,
    now: &str,
    item: &str,
    location: &str,
    by: i64,
) -> Result<()> {
    conn.prepare_cached_static(
        "UPDATE inventory_level SET reserved_quantity = MAX(reserved_quantity + ?3, 0), updated_at = ?4
         WHERE inventory_item_id = ?1 AND location_id = ?2 AND deleted_at IS NULL",
    )?
    .execute(params![item, location, by, now])?;
    Ok(())
}

/// Fulfills `quantity` units of a line at `location`: its reservations there shrink (oldest
/// first, deleted when used up) and the level's reserved and stocked quantities both drop.
/// Returns the inventory items touched; empty when the line holds no reservation there.
///
/// # Errors
/// `invalid_data` when the reservations there hold fewer units; database failures.
pub fn fulfill_reserved(
    conn: &Connection,
    ctx: &Ctx,
    line_item_id: &str,
    location: &str,
    quantity: i64,
) -> Result<Vec<String>> {
    let held: Vec<(String, String, i64)> = super::reservations_of(conn, line_item_id)?
        .into_iter()
        .filter(|r| r.2 == location)
        .map(|(id, item, _, q)| (id, item, q))
        .collect();
    let mut items: Vec<String> = held.iter().map(|h| h.1.clone()).collect();
    items.sort();
    items.dedup();
    let now = ctx.now();
    for item in &items {
        let total: i64 = held.iter().filter(|h| &h.1 == item).map(|h| h.2).sum();
        if total < quantity {
            return Err(Error::invalid(format!(
                "Quantity to fulfill exceeds the reserved quantity for the item: {line_item_id}"
            )));
        }
        let mut left = quantity;
        for (id, _, q) in held.iter().filter(|h| &h.1 == item) {
            let used = left.min(*q);
            left -= used;
            conn.prepare_cached_static(
                "UPDATE inventory_reservation_item SET quantity = quantity - ?2, updated_at = ?3,
                   deleted_at = CASE WHEN quantity - ?2 <= 0 THEN ?3 ELSE NULL END WHERE id = ?1",
            )?
            .execute(params![id, used, now])?;
            if left == 0 {
                break;
            }
        }
        adjust_reserved(conn, &now, item, location, -quantity)?;
        ship_unreserved(conn, ctx, item, location, quantity, true)?;
    }
    Ok(items)
}

/// Takes `quantity` units of an item off the shelf at `location` (stocked drops). Without
/// `reserved`, only what is available (stocked − reserved) may go.
///
/// # Errors
/// 404 when the item is not stocked there; `not_allowed` when short; database failures.
pub fn ship_unreserved(
    conn: &Connection,
    ctx: &Ctx,
    item: &str,
    location: &str,
    quantity: i64,
    reserved: bool,
) -> Result<()> {
    level_exists(conn, item, location)?;
    let changed = conn
        .prepare_cached_static(
            "UPDATE inventory_level SET stocked_quantity = stocked_quantity - ?3, updated_at = ?5
             WHERE inventory_item_id = ?1 AND location_id = ?2 AND deleted_at IS NULL
               AND (?4 OR stocked_quantity - reserved_quantity >= ?3)",
        )?
        .execute(params![item, location, quantity, reserved, ctx.now()])?;
    if changed == 0 {
        return Err(short(item, location));
    }
    Ok(())
}

/// Gives back up to `quantity` units a line holds (newest reservations first; one used up is
/// deleted): an order edit reduced the line. Returns the units released.
///
/// # Errors
/// Database failures.
pub fn shrink(conn: &Connection, ctx: &Ctx, line_item_id: &str, quantity: i64) -> Result<i64> {
    let mut held = super::reservations_of(conn, line_item_id)?;
    held.reverse();
    let (mut left, now) = (quantity, ctx.now());
    for (id, item, location, q) in held {
        if left <= 0 {
            break;
        }
        let used = left.min(q);
        left -= used;
        conn.prepare_cached_static(
            "UPDATE inventory_reservation_item SET quantity = quantity - ?2, updated_at = ?3,
               deleted_at = CASE WHEN quantity - ?2 <= 0 THEN ?3 ELSE NULL END WHERE id = ?1",
        )?
        .execute(params![id, used, now])?;
        adjust_reserved(conn, &now, &item, &location, -used)?;
    }
    Ok(quantity - left)
}

/// Deletes a reservation and gives its units back.
///
/// # Errors
/// 404 when absent; database failures.
pub fn delete(conn: &Connection, ctx: &Ctx, id: &str) -> Result<()> {
    retrieve(conn, id)?;
    super::release(conn, ctx, &[id.to_string()])
}

/// Re-creates released reservations exactly where they were (a compensation): `(line item,
/// inventory item, location, quantity)` each, reserved even beyond what is available.
///
/// # Errors
/// Database failures.
pub fn restore(conn: &Connection, ctx: &Ctx, held: &[(String, String, String, i64)]) -> Result<()> {
    for (line, item, location, quantity) in held {
        let want = Want {
            line_item_id: line.clone(),
            inventory_item_id: item.clone(),
            quantity: *quantity,
            allow_backorder: true,
        };
        reserve(conn, ctx, &[want], std::slice::from_ref(location)).map_err(|_| insufficient())?;
    }
    Ok(())
}

/// Undoes [`fulfill_reserved`] / [`ship_unreserved`] for a canceled fulfillment: the units go
/// back on the shelf (`stocked` rises) and, for a line item, are reserved for it again.
///
/// # Errors
/// 404 when the item is no longer stocked at the location; database failures.
pub fn unfulfill(
    conn: &Connection,
    ctx: &Ctx,
    line_item_id: Option<&str>,
    item: &str,
    location: &str,
    quantity: i64,
) -> Result<()> {
    level_exists(conn, item, location)?;
    conn.prepare_cached_static(
        "UPDATE inventory_level SET stocked_quantity = stocked_quantity + ?3, updated_at = ?4
         WHERE inventory_item_id = ?1 AND location_id = ?2 AND deleted_at IS NULL",
    )?
    .execute(params![item, location, quantity, ctx.now()])?;
    if let Some(line) = line_item_id {
        restore(
            conn,
            ctx,
            &[(
                line.to_string(),
                item.to_string(),
                location.to_string(),
                quantity,
            )],
        )?;
    }
    Ok(())
}

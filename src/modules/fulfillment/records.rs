//! Fulfillments: what was packed at a location (`packed_at`), shipped (`shipped_at`, with
//! labels), delivered (`delivered_at`) or canceled. Items name the line item and inventory item
//! they draw from; which order a fulfillment belongs to is a link (`flows::links`).

use crate::ctx::Ctx;
use crate::error::{Error, Result};
use crate::modules::metadata_from_sql;
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use serde_json::Value;

/// A fulfillment with its items and labels.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Fulfillment {
    /// `ful_…`
    pub id: String,
    /// `sloc_…`
    pub location_id: String,
    /// `manual_manual`.
    pub provider_id: String,
    /// `so_…`
    pub shipping_option_id: Option<String>,
    /// ISO-8601.
    pub packed_at: Option<String>,
    /// ISO-8601.
    pub shipped_at: Option<String>,
    /// ISO-8601.
    pub delivered_at: Option<String>,
    /// ISO-8601.
    pub canceled_at: Option<String>,
    /// Whether it ships.
    pub requires_shipping: bool,
    /// Provider data.
    pub data: Option<Value>,
    /// Free-form JSON.
    pub metadata: Option<Value>,
    /// ISO-8601.
    pub created_at: String,
    /// ISO-8601.
    pub updated_at: String,
    /// Items.
    pub items: Vec<FulfillmentItem>,
    /// Shipping labels.
    pub labels: Vec<Label>,
}

/// One fulfilled line.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct FulfillmentItem {
    /// `fulit_…` (empty before creation).
    pub id: String,
    /// Title of the line.
    pub title: String,
    /// SKU.
    pub sku: Option<String>,
    /// Barcode.
    pub barcode: Option<String>,
    /// Units.
    pub quantity: i64,
    /// The order line item.
    pub line_item_id: Option<String>,
    /// `iitem_…`
    pub inventory_item_id: Option<String>,
}

/// A shipping label.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Label {
    /// `fulla_…` (empty before creation).
    pub id: String,
    /// Carrier's tracking number.
    pub tracking_number: String,
    /// Tracking page.
    pub tracking_url: String,
    /// The label document.
    pub label_url: String,
}

/// Creates a packed fulfillment at `location_id` with its items. Returns its id.
///
/// # Errors
/// Database failures.
pub fn create(
    conn: &Connection,
    ctx: &Ctx,
    location_id: &str,
    shipping_option_id: Option<&str>,
    items: &[FulfillmentItem],
    metadata: Option<&Value>,
) -> Result<String> {
    let (id, now) = (ctx.id("ful"), ctx.now());
    conn.prepare_cached_static(
        "INSERT INTO fulfillment (id, location_id, shipping_option_id, packed_at, metadata, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?4, ?4)",
    )?
    .execute(params![id, location_id, shipping_option_id, now, metadata.map(Value::to_string)])?;
    let mut insert = conn.prepare_cached_static(
        "INSERT INTO fulfillment_item (id, fulfillment_id, title, sku, barcode, quantity, line_item_id, inventory_item_id, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9)",
    )?;
    for item in items {
        insert.execute(params![
            ctx.id("fulit"),
            id,
            item.title,
            item.sku,
            item.barcode,
            item.quantity,
            item.line_item_id,
            item.inventory_item_id,
            now
        ])?;
    }
    Ok(id)
}

/// A fulfillment by id.
///
/// # Errors
/// 404 "Fulfillment with id: X was not found".
pub fn retrieve(conn: &Connection, id: &str) -> Result<Fulfillment> {
    let found = conn
        .prepare_cached_static(
            "SELECT id, location_id, provider_id, shipping_option_id, packed_at, shipped_at, delivered_at,
               canceled_at, requires_shipping, data, metadata, created_at, updated_at
             FROM fulfillment WHERE id = ?1 AND deleted_at IS NULL",
        )?
        .query_row([id], |r| {
            Ok(Fulfillment {
                id: r.get(0)?,
                location_id: r.get(1)?,
                provider_id: r.get(2)?,
                shipping_option_id: r.get(3)?,
                packed_at: r.get(4)?,
                shipped_at: r.get(5)?,
                delivered_at: r.get(6)?,
                canceled_at: r.get(7)?,
                requires_shipping: r.get(8)?,
                data: metadata_from_sql(r.get(9)?),
                metadata: metadata_from_sql(r.get(10)?),
                created_at: r.get(11)?,
                updated_at: r.get(12)?,
                items: Vec::new(),
                labels: Vec::new(),
            })
        })
        .optional()?;
    let mut fulfillment = found.ok_or_else(|| Error::not_found("Fulfillment", id))?;
    fulfillment.items = conn
        .prepare_cached_static(
            "SELECT id, title, sku, barcode, quantity, line_item_id, inventory_item_id FROM fulfillment_item
             WHERE fulfillment_id = ?1 AND deleted_at IS NULL ORDER BY id",
        )?
        .query_map([id], |r| {
            Ok(FulfillmentItem {
                id: r.get(0)?,
                title: r.get(1)?,
                sku: r.get(2)?,
                barcode: r.get(3)?,
                quantity: r.get(4)?,
                line_item_id: r.get(5)?,
                inventory_item_id: r.get(6)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    fulfillment.labels = conn
        .prepare_cached_static(
            "SELECT id, tracking_number, tracking_url, label_url FROM fulfillment_label
             WHERE fulfillment_id = ?1 AND deleted_at IS NULL ORDER BY id",
        )?
        .query_map([id], |r| {
            Ok(Label {
                id: r.get(0)?,
                tracking_number: r.get(1)?,
                tracking_url: r.get(2)?,
                label_url: r.get(3)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(fulfillment)
}

fn live(conn: &Connection, id: &str) -> Result<Fulfillment> {
    let found = retrieve(conn, id)?;
    if found.canceled_at.is_some() {
        return Err(Error::not_allowed(format!(
            "Fulfillment with id: {id} has been canceled"
        )));
    }
    Ok(found)
}

/// Records which provider made a fulfillment and what it answered (its `data`).
///
/// # Errors
/// Database failures.
pub fn set_provider(conn: &Connection, id: &str, provider_id: &str, data: &Value) -> Result<()> {
    conn.prepare_cached_static("UPDATE fulfillment SET provider_id = ?2, data = ?3 WHERE id = ?1")?
        .execute(params![id, provider_id, data.to_string()])?;
    Ok(())
}

/// Refuses what [`cancel`] would refuse (canceled, shipped), without changing anything: the
/// check before the provider is asked to cancel.
///
/// # Errors
/// 404 when absent; `not_allowed` when canceled or shipped.
pub fn check_cancelable(conn: &Connection, id: &str) -> Result<Fulfillment> {
    let found = live(conn, id)?;
    if found.shipped_at.is_some() {
        return Err(Error::not_allowed(format!(
            "Fulfillment with id: {id} has been shipped and cannot be canceled"
        )));
    }
    Ok(found)
}

/// Marks a fulfillment shipped and adds its labels.
///
/// # Errors
/// 404 when absent; `not_allowed` when canceled or already shipped; database failures.
pub fn ship(conn: &Connection, ctx: &Ctx, id: &str, labels: &[Label]) -> Result<()> {
    let found = live(conn, id)?;
    if found.shipped_at.is_some() {
        return Err(Error::not_allowed(format!(
            "Fulfillment with id: {id} has already been shipped"
        )));
    }
    let now = ctx.now();
    conn.prepare_cached_static(
        "UPDATE fulfillment SET shipped_at = ?2, updated_at = ?2 WHERE id = ?1",
    )?
    .execute(params![id, now])?;
    let mut insert = conn.prepare_cached_static(
        "INSERT INTO fulfillment_label (id, fulfillment_id, tracking_number, tracking_url, label_url, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
    )?;
    for label in labels {
        insert.execute(params![
            ctx.id("fulla"),
            id,
            label.tracking_number,
            label.tracking_url,
            label.label_url,
            now
        ])?;
    }
    Ok(())
}

/// Marks a fulfillment delivered (and shipped, if it was not yet).
///
/// # Errors
/// 404 when absent; `not_allowed` when canceled or already delivered; database failures.
pub fn deliver(conn: &Connection, ctx: &Ctx, id: &str) -> Result<()> {
    let found = live(conn, id)?;
    if found.delivered_at.is_some() {
        return Err(Error::not_allowed(format!(
            "Fulfillment with id: {id} has already been delivered"
        )));
    }
    conn.prepare_cached_static(
        "UPDATE fulfillment SET delivered_at = ?2, shipped_at = COALESCE(shipped_at, ?2), updated_at = ?2 WHERE id = ?1",
    )?
    .execute(params![id, ctx.now()])?;
    Ok(())
}

/// Marks a fulfillment canceled; refused once shipped. Returns it as it was.
///
/// # Errors
/// 404 when absent; `not_allowed` when already canceled or shipped; database failures.
pub fn cancel(conn: &Connection, ctx: &Ctx, id: &str) -> Result<Fulfillment> {
    let found = check_cancelable(conn, id)?;
    conn.prepare_cached_static(
        "UPDATE fulfillment SET canceled_at = ?2, updated_at = ?2 WHERE id = ?1",
    )?
    .execute(params![id, ctx.now()])?;
    Ok(found)
}

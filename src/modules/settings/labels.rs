//! Property labels (`plbl_…`): one label per `(entity, property)`, e.g. `("order",
//! "display_id")` → "Order number". Deleting removes the row, as Medusa's service does.

use super::order_by;
use crate::ctx::Ctx;
use crate::error::{Error, Result};
use crate::modules::{clamp, json_list};
use rusqlite::{Connection, OptionalExtension, Row, params};
use serde::Serialize;

/// A property label.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PropertyLabel {
    /// `plbl_…`
    pub id: String,
    /// The entity, e.g. `order`.
    pub entity: String,
    /// The property path, e.g. `customer.email`.
    pub property: String,
    /// The display name.
    pub label: String,
    /// Context for the property.
    pub description: Option<String>,
    /// ISO-8601.
    pub created_at: String,
    /// ISO-8601.
    pub updated_at: String,
}

/// Input of [`create`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NewLabel {
    /// The entity.
    pub entity: String,
    /// The property path.
    pub property: String,
    /// The display name.
    pub label: String,
    /// Optional context.
    pub description: Option<String>,
}

/// A change to one label: `None` leaves a field as it is; `description: Some(None)` clears it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LabelChange {
    /// The label's id.
    pub id: String,
    /// New display name.
    pub label: Option<String>,
    /// New description.
    pub description: Option<Option<String>>,
}

/// List filters (all optional).
#[derive(Debug, Clone, Default)]
pub struct LabelFilter {
    /// Exact ids.
    pub ids: Vec<String>,
    /// Exact entity.
    pub entity: Option<String>,
    /// Exact property.
    pub property: Option<String>,
    /// Case-insensitive substring of the entity, property or label.
    pub q: Option<String>,
    /// `field` or `-field` among `entity`, `property`, `label`, `created_at`, `updated_at`.
    pub order: Option<String>,
}

const COLUMNS: &str = "id, entity, property, label, description, created_at, updated_at";
const SORTABLE: &[&str] = &["entity", "property", "label", "created_at", "updated_at"];

fn from_row(r: &Row) -> rusqlite::Result<PropertyLabel> {
    Ok(PropertyLabel {
        id: r.get(0)?,
        entity: r.get(1)?,
        property: r.get(2)?,
        label: r.get(3)?,
        description: r.get(4)?,
        created_at: r.get(5)?,
        updated_at: r.get(6)?,
    })
}

fn blank(text: &str) -> bool {
    text.trim().is_empty()
}

/// Creates labels; returns their ids in input order.
///
/// # Errors
/// 400 for a blank entity, property or label; 422 when `(entity, property)` already has a
/// label (also between two of the inputs).
pub fn create(conn: &Connection, ctx: &Ctx, labels: &[NewLabel]) -> Result<Vec<String>> {
    let mut ids = Vec::with_capacity(labels.len());
    for new in labels {
        if blank(&new.entity) || blank(&new.property) || blank(&new.label) {
            return Err(Error::invalid(
                "Invalid request: Field 'entity', 'property' and 'label' cannot be empty",
            ));
        }
        if find_key(conn, &new.entity, &new.property)?.is_some() {
            return Err(Error::Duplicate(format!(
                "Property label with entity: {}, property: {}, already exists.",
                new.entity, new.property
            )));
        }
        let (id, now) = (ctx.id("plbl"), ctx.now());
        conn.prepare_cached_static(
            "INSERT INTO settings_property_label
                (id, entity, property, label, description, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
        )?
        .execute(params![
            id,
            new.entity,
            new.property,
            new.label,
            new.description,
            now
        ])?;
        ids.push(id);
    }
    Ok(ids)
}

fn find_key(conn: &Connection, entity: &str, property: &str) -> Result<Option<String>> {
    Ok(conn
        .prepare_cached_static(
            "SELECT id FROM settings_property_label WHERE entity = ?1 AND property = ?2",
        )?
        .query_row(params![entity, property], |r| r.get(0))
        .optional()?)
}

/// A label by id.
///
/// # Errors
/// 404 "Property label with id: X not found" (Medusa's wording).
pub fn retrieve(conn: &Connection, id: &str) -> Result<PropertyLabel> {
    conn.prepare_cached_static(crate::sql_text!(
        [],
        "SELECT {COLUMNS} FROM settings_property_label WHERE id = ?1"
    ))?
    .query_row([id], from_row)
    .optional()?
    .ok_or_else(|| Error::NotFound(format!("Property label with id: {id} not found")))
}

/// Applies each change; returns the ids changed, in input order.
///
/// # Errors
/// 404 for an unknown id; 400 for a blank label.
pub fn update(conn: &Connection, ctx: &Ctx, changes: &[LabelChange]) -> Result<Vec<String>> {
    for change in changes {
        let current = retrieve(conn, &change.id)?;
        if change.label.as_deref().is_some_and(blank) {
            return Err(Error::invalid(
                "Invalid request: Field 'label' cannot be empty",
            ));
        }
        let description = change.description.clone().unwrap_or(current.description);
        conn.prepare_cached_static(
            "UPDATE settings_property_label SET label = ?2, description = ?3, updated_at = ?4
             WHERE id = ?1",
        )?
        .execute(params![
            change.id,
            change.label.as_ref().unwrap_or(&current.label),
            description,
            ctx.now()
        ])?;
    }
    Ok(changes.iter().map(|c| c.id.clone()).collect())
}

/// Deletes labels `ids`.
///
/// # Errors
/// 404 for an id that is no label (nothing is deleted then).
pub fn delete(conn: &Connection, ids: &[String]) -> Result<()> {
    for id in ids {
        retrieve(conn, id)?;
    }
    conn.prepare_cached_static(
        "DELETE FROM settings_property_label WHERE id IN (SELECT value FROM json_each(?1))",
    )?
    .execute([json_list(ids)])?;
    Ok(())
}

/// Labels with these ids (any order of `ids`), in creation order.
///
/// # Errors
/// Database failures.
pub fn by_ids(conn: &Connection, ids: &[String]) -> Result<Vec<PropertyLabel>> {
    let filter = LabelFilter {
        ids: ids.to_vec(),
        ..LabelFilter::default()
    };
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(list(conn, &filter, 0, u64::MAX)?.0)
}

/// A page of labels and the count of all that match.
///
/// # Errors
/// Database failures.
pub fn list(
    conn: &Connection,
    filter: &LabelFilter,
    offset: u64,
    limit: u64,
) -> Result<(Vec<PropertyLabel>, u64)> {
    let conditions = "(?1 = '[]' OR id IN (SELECT value FROM json_each(?1)))
        AND (?2 IS NULL OR entity = ?2) AND (?3 IS NULL OR property = ?3)
        AND (?4 IS NULL OR instr(lower(entity), lower(?4)) > 0
             OR instr(lower(property), lower(?4)) > 0 OR instr(lower(label), lower(?4)) > 0)";
    let order = order_by(filter.order.as_deref(), SORTABLE)
        .unwrap_or_else(|| "created_at ASC, id ASC".into());
    let ids = json_list(&filter.ids);
    let args = params![ids, filter.entity, filter.property, filter.q];
    let count: i64 = conn
        .prepare_cached(&format!(
            "SELECT count(*) FROM settings_property_label WHERE {conditions}"
        ))?
        .query_row(args, |r| r.get(0))?;
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM settings_property_label WHERE {conditions}
         ORDER BY {order} LIMIT ?5 OFFSET ?6"
    ))?;
    let rows = stmt.query_map(
        params![
            ids,
            filter.entity,
            filter.property,
            filter.q,
            clamp(limit),
            clamp(offset)
        ],
        from_row,
    )?;
    let found = rows.collect::<rusqlite::Result<Vec<_>>>()?;
    Ok((found, u64::try_from(count).unwrap_or(0)))
}

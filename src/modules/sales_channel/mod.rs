//! Sales channels: where products are sold (web shop, POS). Publishable keys and stock
//! locations are linked to them; products are scoped by them on `/store` routes.

use crate::ctx::Ctx;
use crate::db::module::Module;
use crate::error::{Error, Result};
use crate::migration;
use crate::modules::metadata_from_sql;
use rusqlite::{Connection, OptionalExtension, Row, params};
use serde::Serialize;

/// The module: tables `sales_channel*`.
pub fn module() -> Module {
    Module::new("sales_channel", "sales_channel")
        .migration(migration!("sales_channel", "0001_init.sql"))
}

/// A sales channel as stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SalesChannel {
    /// `sc_…`
    pub id: String,
    /// Display name.
    pub name: String,
    /// Optional description.
    pub description: Option<String>,
    /// Disabled channels cannot take new carts.
    pub is_disabled: bool,
    /// Free-form JSON.
    pub metadata: Option<serde_json::Value>,
    /// ISO-8601.
    pub created_at: String,
    /// ISO-8601.
    pub updated_at: String,
    /// ISO-8601 when soft-deleted.
    pub deleted_at: Option<String>,
}

/// Input of [`create`].
#[derive(Debug, Clone, Default)]
pub struct NewSalesChannel {
    /// Display name.
    pub name: String,
    /// Optional description.
    pub description: Option<String>,
    /// Start disabled.
    pub is_disabled: bool,
}

const COLUMNS: &str =
    "id, name, description, is_disabled, metadata, created_at, updated_at, deleted_at";

fn from_row(r: &Row) -> rusqlite::Result<SalesChannel> {
    Ok(SalesChannel {
        id: r.get(0)?,
        name: r.get(1)?,
        description: r.get(2)?,
        is_disabled: r.get(3)?,
        metadata: metadata_from_sql(r.get(4)?),
        created_at: r.get(5)?,
        updated_at: r.get(6)?,
        deleted_at: r.get(7)?,
    })
}

/// Creates a sales channel.
///
/// # Errors
/// An empty name; database failures.
pub fn create(conn: &Connection, ctx: &Ctx, input: &NewSalesChannel) -> Result<SalesChannel> {
    if input.name.trim().is_empty() {
        return Err(Error::invalid("Invalid request: Field 'name' is required"));
    }
    let id = ctx.id("sc");
    let now = ctx.now();
    conn.prepare_cached_static(
        "INSERT INTO sales_channel (id, name, description, is_disabled, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
    )?
    .execute(params![
        id,
        input.name,
        input.description,
        input.is_disabled,
        now
    ])?;
    retrieve(conn, &id)
}

/// A sales channel by id (soft-deleted ones are not found).
///
/// # Errors
/// 404 when absent.
pub fn retrieve(conn: &Connection, id: &str) -> Result<SalesChannel> {
    conn.prepare_cached_static(crate::sql_text!(
        [],
        "SELECT {COLUMNS} FROM sales_channel WHERE id = ?1 AND deleted_at IS NULL"
    ))?
    .query_row([id], from_row)
    .optional()?
    .ok_or_else(|| Error::not_found("Sales channel", id))
}

/// Every live sales channel, oldest first.
///
/// # Errors
/// Database failures.
pub fn list(conn: &Connection) -> Result<Vec<SalesChannel>> {
    list_ids(conn, &[])
}

/// The live sales channels among `ids` (every one when `ids` is empty), oldest first.
///
/// # Errors
/// Database failures.
pub fn list_ids(conn: &Connection, ids: &[String]) -> Result<Vec<SalesChannel>> {
    let mut stmt = conn.prepare_cached_static(crate::sql_text!(
        [],
        "SELECT {COLUMNS} FROM sales_channel WHERE deleted_at IS NULL
         AND (?1 = '[]' OR id IN (SELECT value FROM json_each(?1))) ORDER BY id"
    ))?;
    let rows = stmt.query_map([crate::modules::json_list(ids)], from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Updates a sales channel's `name`, `description`, `is_disabled`, `metadata`.
///
/// # Errors
/// 404 when absent; 400 for a blank name.
pub fn update(
    conn: &Connection,
    ctx: &Ctx,
    id: &str,
    changes: &serde_json::Map<String, serde_json::Value>,
) -> Result<SalesChannel> {
    if changes
        .get("name")
        .and_then(serde_json::Value::as_str)
        .is_some_and(|n| n.trim().is_empty())
    {
        return Err(Error::invalid(
            "Invalid request: Field 'name' cannot be empty",
        ));
    }
    let columns = ["name", "description", "is_disabled", "metadata"];
    if !crate::modules::update_columns(conn, "sales_channel", id, &columns, changes, &ctx.now())? {
        return Err(Error::not_found("Sales channel", id));
    }
    retrieve(conn, id)
}

/// Soft-deletes a sales channel.
///
/// # Errors
/// 404 when absent.
pub fn soft_delete(conn: &Connection, ctx: &Ctx, id: &str) -> Result<()> {
    let changed = conn
        .prepare_cached_static(
            "UPDATE sales_channel SET deleted_at = ?2, updated_at = ?2
             WHERE id = ?1 AND deleted_at IS NULL",
        )?
        .execute(params![id, ctx.now()])?;
    if changed == 0 {
        return Err(Error::not_found("Sales channel", id));
    }
    Ok(())
}

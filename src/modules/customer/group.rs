//! Customer groups (used by price lists and promotions) and their members.

use crate::ctx::Ctx;
use crate::error::{Error, Result};
use crate::modules::{metadata_from_sql, update_columns};
use rusqlite::{Connection, OptionalExtension, Row, params};
use serde::Serialize;
use serde_json::{Map, Value};

/// A customer group.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CustomerGroup {
    /// `cusgroup_…`
    pub id: String,
    /// Unique name.
    pub name: String,
    /// Free-form JSON.
    pub metadata: Option<Value>,
    /// Actor that created it.
    pub created_by: Option<String>,
    /// ISO-8601.
    pub created_at: String,
    /// ISO-8601.
    pub updated_at: String,
    /// ISO-8601 when soft-deleted.
    pub deleted_at: Option<String>,
}

const COLUMNS: &str = "id, name, metadata, created_by, created_at, updated_at, deleted_at";

fn from_row(r: &Row) -> rusqlite::Result<CustomerGroup> {
    Ok(CustomerGroup {
        id: r.get(0)?,
        name: r.get(1)?,
        metadata: metadata_from_sql(r.get(2)?),
        created_by: r.get(3)?,
        created_at: r.get(4)?,
        updated_at: r.get(5)?,
        deleted_at: r.get(6)?,
    })
}

/// Creates a group.
///
/// # Errors
/// 400 for an empty name; 422 when the name is taken.
pub fn create(
    conn: &Connection,
    ctx: &Ctx,
    name: &str,
    metadata: Option<&Value>,
    created_by: Option<&str>,
) -> Result<CustomerGroup> {
    if name.trim().is_empty() {
        return Err(Error::invalid("Invalid request: Field 'name' is required"));
    }
    let (id, now) = (ctx.id("cusgroup"), ctx.now());
    conn.prepare_cached_static(
        "INSERT INTO customer_group (id, name, metadata, created_by, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
    )?
    .execute(params![
        id,
        name,
        metadata.map(Value::to_string),
        created_by,
        now
    ])?;
    retrieve(conn, &id)
}

/// A live group.
///
/// # Errors
/// 404 when absent.
pub fn retrieve(conn: &Connection, id: &str) -> Result<CustomerGroup> {
    conn.prepare_cached_static(crate::sql_text!(
        [],
        "SELECT {COLUMNS} FROM customer_group WHERE id = ?1 AND deleted_at IS NULL"
    ))?
    .query_row([id], from_row)
    .optional()?
    .ok_or_else(|| Error::not_found("Customer group", id))
}

/// A page of live groups (name contains `q`, among `ids`, if given), oldest first, and the
/// count.
///
/// # Errors
/// Database failures.
pub fn list(
    conn: &Connection,
    q: Option<&str>,
    ids: &[String],
    offset: u64,
    limit: u64,
) -> Result<(Vec<CustomerGroup>, u64)> {
    let pattern = format!("%{}%", q.unwrap_or("").to_lowercase());
    let ids = crate::modules::json_list(ids);
    let filter = "deleted_at IS NULL AND lower(name) LIKE ?1
        AND (?2 = '[]' OR id IN (SELECT value FROM json_each(?2)))";
    let count: i64 = conn.query_row(
        &format!("SELECT count(*) FROM customer_group WHERE {filter}"),
        [&pattern, &ids],
        |r| r.get(0),
    )?;
    let mut stmt = conn.prepare(&format!(
        "SELECT {COLUMNS} FROM customer_group WHERE {filter} ORDER BY id \
         LIMIT {limit} OFFSET {offset}"
    ))?;
    let rows = stmt.query_map([&pattern, &ids], from_row)?;
    Ok((rows.collect::<rusqlite::Result<_>>()?, count.max(0) as u64))
}

/// Updates `name` and/or `metadata`.
///
/// # Errors
/// 404 when absent; 422 when the new name is taken.
pub fn update(
    conn: &Connection,
    ctx: &Ctx,
    id: &str,
    changes: &Map<String, Value>,
) -> Result<CustomerGroup> {
    if !update_columns(
        conn,
        "customer_group",
        id,
        &["name", "metadata"],
        changes,
        &ctx.now(),
    )? {
        return Err(Error::not_found("Customer group", id));
    }
    retrieve(conn, id)
}

/// Soft-deletes a group and drops its memberships.
///
/// # Errors
/// 404 when absent.
pub fn delete(conn: &Connection, ctx: &Ctx, id: &str) -> Result<()> {
    retrieve(conn, id)?;
    conn.execute(
        "DELETE FROM customer_group_customer WHERE customer_group_id = ?1",
        [id],
    )?;
    conn.execute(
        "UPDATE customer_group SET deleted_at = ?2 WHERE id = ?1",
        params![id, ctx.now()],
    )?;
    Ok(())
}

/// Adds customers to a group (already-members are left as they are).
///
/// # Errors
/// 404 when the group or a customer does not exist.
pub fn add_customers(
    conn: &Connection,
    ctx: &Ctx,
    group_id: &str,
    customer_ids: &[String],
) -> Result<()> {
    retrieve(conn, group_id)?;
    for customer_id in customer_ids {
        let exists = conn
            .prepare_cached_static("SELECT 1 FROM customer WHERE id = ?1 AND deleted_at IS NULL")?
            .query_row([customer_id], |_| Ok(()))
            .optional()?;
        if exists.is_none() {
            return Err(Error::not_found("Customer", customer_id));
        }
        conn.prepare_cached_static(
            "INSERT OR IGNORE INTO customer_group_customer
                (id, customer_id, customer_group_id, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?4)",
        )?
        .execute(params![ctx.id("cusgc"), customer_id, group_id, ctx.now()])?;
    }
    Ok(())
}

/// Removes customers from a group (non-members are ignored).
///
/// # Errors
/// 404 when the group does not exist.
pub fn remove_customers(conn: &Connection, group_id: &str, customer_ids: &[String]) -> Result<()> {
    retrieve(conn, group_id)?;
    for customer_id in customer_ids {
        conn.prepare_cached_static(
            "DELETE FROM customer_group_customer WHERE customer_group_id = ?1 AND customer_id = ?2",
        )?
        .execute([group_id, customer_id])?;
    }
    Ok(())
}

/// The live groups a customer belongs to.
///
/// # Errors
/// Database failures.
pub fn groups_of(conn: &Connection, customer_id: &str) -> Result<Vec<CustomerGroup>> {
    let mut stmt = conn.prepare_cached_static(
        "SELECT g.id, g.name, g.metadata, g.created_by, g.created_at, g.updated_at, g.deleted_at
         FROM customer_group g JOIN customer_group_customer m ON m.customer_group_id = g.id
         WHERE m.customer_id = ?1 AND g.deleted_at IS NULL ORDER BY g.id",
    )?;
    let rows = stmt.query_map([customer_id], from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Ids of a group's members.
///
/// # Errors
/// Database failures.
pub fn member_ids(conn: &Connection, group_id: &str) -> Result<Vec<String>> {
    let mut stmt = conn.prepare_cached_static(
        "SELECT customer_id FROM customer_group_customer WHERE customer_group_id = ?1
         ORDER BY customer_id",
    )?;
    let rows = stmt.query_map([group_id], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

//! Updating collections, tags, types and categories (`POST /admin/<family>/:id`): partial
//! updates of their own columns; a category given a new parent moves with its whole subtree.

use super::category::retrieve_category;
use super::model::{Category, Collection, Tag};
use super::taxonomy::{ValueKind, retrieve_collection, retrieve_value};
use crate::ctx::Ctx;
use crate::error::{Error, Result};
use crate::modules::update_columns;
use rusqlite::{Connection, params};
use serde_json::{Map, Value};

/// A partial update from a validated body: key → new value (`null` clears).
pub type Changes = Map<String, Value>;

/// 400 when `key` is sent as a blank string.
fn not_blank(changes: &Changes, key: &str) -> Result<()> {
    if changes
        .get(key)
        .and_then(Value::as_str)
        .is_some_and(|s| s.trim().is_empty())
    {
        return Err(Error::invalid(format!(
            "Invalid request: Field '{key}' cannot be empty"
        )));
    }
    Ok(())
}

/// Updates a collection's `title`, `handle` and `metadata`.
///
/// # Errors
/// 404 when absent; 400 for a blank title or handle; 422 for a duplicate handle.
pub fn update_collection(
    conn: &Connection,
    ctx: &Ctx,
    id: &str,
    changes: &Changes,
) -> Result<Collection> {
    not_blank(changes, "title")?;
    not_blank(changes, "handle")?;
    let columns = ["title", "handle", "metadata"];
    if !update_columns(
        conn,
        "product_collection",
        id,
        &columns,
        changes,
        &ctx.now(),
    )? {
        return Err(Error::not_found("Collection", id));
    }
    retrieve_collection(conn, id)
}

/// Updates a tag's or type's `value` and `metadata`.
///
/// # Errors
/// 404 when absent; 400 for a blank value; 422 for a duplicate value.
pub fn update_value(
    conn: &Connection,
    ctx: &Ctx,
    kind: ValueKind,
    id: &str,
    changes: &Changes,
) -> Result<Tag> {
    not_blank(changes, "value")?;
    let columns = ["value", "metadata"];
    if !update_columns(conn, kind.table(), id, &columns, changes, &ctx.now())? {
        return Err(Error::not_found(kind.label(), id));
    }
    retrieve_value(conn, kind, id)
}

/// Updates a category's own columns; a `parent_category_id` (or `null`: a root) moves it and
/// its descendants, as the last child of the new parent.
///
/// # Errors
/// 404 for an unknown category or parent; 400 for a blank name or handle, or a parent inside
/// its own subtree; 422 for a duplicate handle.
pub fn update_category(
    conn: &Connection,
    ctx: &Ctx,
    id: &str,
    changes: &Changes,
) -> Result<Category> {
    let current = retrieve_category(conn, id, false)?;
    not_blank(changes, "name")?;
    not_blank(changes, "handle")?;
    let mut own = changes.clone();
    let parent = own.remove("parent_category_id");
    let columns = [
        "name",
        "handle",
        "description",
        "is_active",
        "is_internal",
        "rank",
        "metadata",
    ];
    let now = ctx.now();
    update_columns(conn, "product_category", id, &columns, &own, &now)?;
    if let Some(parent) = parent {
        let parent = parent.as_str();
        if parent != current.parent_category_id.as_deref() {
            move_category(conn, &current, parent, &now)?;
        }
    }
    retrieve_category(conn, id, false)
}

fn move_category(
    conn: &Connection,
    current: &Category,
    parent: Option<&str>,
    now: &str,
) -> Result<()> {
    let parent_path = match parent {
        Some(parent) => {
            let found = retrieve_category(conn, parent, false)?;
            if found.mpath.starts_with(&current.mpath) {
                return Err(Error::invalid(format!(
                    "Category {} cannot be a child of its own descendant {parent}",
                    current.id
                )));
            }
            found.mpath
        }
        None => String::new(),
    };
    let rank: i64 = conn
        .prepare_cached(
            "SELECT count(*) FROM product_category
             WHERE parent_category_id IS ?1 AND deleted_at IS NULL AND id <> ?2",
        )?
        .query_row(params![parent, current.id], |r| r.get(0))?;
    conn.prepare_cached(
        "UPDATE product_category SET parent_category_id = ?2, rank = ?3, updated_at = ?4
         WHERE id = ?1",
    )?
    .execute(params![current.id, parent, rank, now])?;
    let old = &current.mpath;
    let new = format!("{parent_path}{}.", current.id);
    let old_len = i64::try_from(old.chars().count()).unwrap_or(i64::MAX);
    conn.prepare_cached(
        "UPDATE product_category SET mpath = ?2 || substr(mpath, ?3 + 1)
         WHERE substr(mpath, 1, ?3) = ?1",
    )?
    .execute(params![old, new, old_len])?;
    Ok(())
}

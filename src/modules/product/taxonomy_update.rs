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
/// its descendants, as the last child of the new parent unless `rank` places it; `rank`
/// places it among its siblings (they are renumbered `0..n`, as Medusa does).
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
    let rank = match own.remove("rank") {
        None => None,
        Some(r) => Some(r.as_u64().ok_or_else(|| {
            Error::invalid("Invalid request: Field 'rank' must be a non-negative integer")
        })?),
    };
    let columns = [
        "name",
        "handle",
        "description",
        "is_active",
        "is_internal",
        "metadata",
    ];
    let now = ctx.now();
    update_columns(conn, "product_category", id, &columns, &own, &now)?;
    let old_parent = current.parent_category_id.clone();
    let new_parent = match &parent {
        Some(p) => p.as_str().map(str::to_string),
        None => old_parent.clone(),
    };
    if new_parent != old_parent {
        move_category(conn, &current, new_parent.as_deref())?;
        renumber(conn, old_parent.as_deref(), id, None, &now)?;
        renumber(
            conn,
            new_parent.as_deref(),
            id,
            Some(rank.unwrap_or(u64::MAX)),
            &now,
        )?;
    } else if let Some(rank) = rank {
        renumber(conn, new_parent.as_deref(), id, Some(rank), &now)?;
    }
    retrieve_category(conn, id, false)
}

/// Renumbers the live children of `parent` `0..n` in rank order; with `place`, category `id`
/// goes to that position (clamped to the end), otherwise it is left out.
fn renumber(
    conn: &Connection,
    parent: Option<&str>,
    id: &str,
    place: Option<u64>,
    now: &str,
) -> Result<()> {
    let mut stmt = conn.prepare_cached_static(
        "SELECT id FROM product_category
         WHERE parent_category_id IS ?1 AND deleted_at IS NULL AND id <> ?2
         ORDER BY rank, id",
    )?;
    let mut order: Vec<String> = stmt
        .query_map(params![parent, id], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    if let Some(place) = place {
        let at = usize::try_from(place)
            .unwrap_or(usize::MAX)
            .min(order.len());
        order.insert(at, id.to_string());
    }
    for (rank, child) in order.iter().enumerate() {
        conn.prepare_cached_static(
            "UPDATE product_category SET rank = ?2, updated_at = ?3 WHERE id = ?1 AND rank <> ?2",
        )?
        .execute(params![child, i64::try_from(rank).unwrap_or(i64::MAX), now])?;
    }
    Ok(())
}

/// Re-parents `current` and rewrites the materialized paths of its subtree.
fn move_category(conn: &Connection, current: &Category, parent: Option<&str>) -> Result<()> {
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
    conn.prepare_cached_static(
        "UPDATE product_category SET parent_category_id = ?2 WHERE id = ?1",
    )?
    .execute(params![current.id, parent])?;
    let old = &current.mpath;
    let new = format!("{parent_path}{}.", current.id);
    let old_len = i64::try_from(old.chars().count()).unwrap_or(i64::MAX);
    conn.prepare_cached_static(
        "UPDATE product_category SET mpath = ?2 || substr(mpath, ?3 + 1)
         WHERE substr(mpath, 1, ?3) = ?1",
    )?
    .execute(params![old, new, old_len])?;
    Ok(())
}

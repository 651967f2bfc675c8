//! Categories: a tree with materialized paths (`mpath` = ancestor ids joined by `.`), ranks
//! among siblings, and the store's visibility flags (`is_active`, `is_internal`).

use super::model::{Category, Product};
use super::taxonomy::{SimpleFilter, page, products_by, simple_where};
use crate::ctx::Ctx;
use crate::error::{Error, Result};
use crate::modules::metadata_from_sql;
use rusqlite::{Connection, Row, params};
use std::collections::HashMap;

/// The columns [`category_from`] reads, on alias `c`.
pub const CATEGORY_COLUMNS: &str = "c.id, c.name, c.description, c.handle, c.mpath, \
    c.is_active, c.is_internal, c.rank, c.parent_category_id, c.metadata, c.created_at, \
    c.updated_at, c.deleted_at";

/// A category from [`CATEGORY_COLUMNS`] starting at column `at`.
pub fn category_from(r: &Row, at: usize) -> rusqlite::Result<Category> {
    Ok(Category {
        id: r.get(at)?,
        name: r.get(at + 1)?,
        description: r.get(at + 2)?,
        handle: r.get(at + 3)?,
        mpath: r.get(at + 4)?,
        is_active: r.get(at + 5)?,
        is_internal: r.get(at + 6)?,
        rank: r.get(at + 7)?,
        parent_category_id: r.get(at + 8)?,
        metadata: metadata_from_sql(r.get(at + 9)?),
        created_at: r.get(at + 10)?,
        updated_at: r.get(at + 11)?,
        deleted_at: r.get(at + 12)?,
    })
}

/// Input of [`create_category`].
#[derive(Debug, Clone, Default)]
pub struct NewCategory {
    /// Name (required).
    pub name: String,
    /// Handle; a slug of the name when absent.
    pub handle: Option<String>,
    /// Description.
    pub description: String,
    /// Parent category id.
    pub parent_category_id: Option<String>,
    /// Visible on the store.
    pub is_active: bool,
    /// Hidden from the store.
    pub is_internal: bool,
}

/// Creates a category as the last child of its parent.
///
/// # Errors
/// An empty name, an unknown parent, a duplicate handle.
pub fn create_category(conn: &Connection, ctx: &Ctx, input: &NewCategory) -> Result<Category> {
    if input.name.trim().is_empty() {
        return Err(Error::invalid("Invalid request: Field 'name' is required"));
    }
    let id = ctx.id("pcat");
    let parent_path = match &input.parent_category_id {
        Some(parent) => retrieve_category(conn, parent, false)?.mpath,
        None => String::new(),
    };
    let rank: i64 = conn
        .prepare_cached_static(
            "SELECT count(*) FROM product_category WHERE parent_category_id IS ?1 AND deleted_at IS NULL",
        )?
        .query_row([&input.parent_category_id], |r| r.get(0))?;
    let handle = input
        .handle
        .clone()
        .unwrap_or_else(|| super::write::slug(&input.name));
    conn.prepare_cached_static(
        "INSERT INTO product_category (id, name, description, handle, mpath, is_active,
            is_internal, rank, parent_category_id, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10)",
    )?
    .execute(params![
        id,
        input.name,
        input.description,
        handle,
        format!("{parent_path}{id}."),
        input.is_active,
        input.is_internal,
        rank,
        input.parent_category_id,
        ctx.now()
    ])?;
    retrieve_category(conn, &id, false)
}

/// A category by id; with `public_only`, inactive and internal ones are not found.
///
/// # Errors
/// 404 "Product category with id: X was not found".
pub fn retrieve_category(conn: &Connection, id: &str, public_only: bool) -> Result<Category> {
    let f = SimpleFilter {
        ids: vec![id.to_string()],
        public_only,
        ..SimpleFilter::default()
    };
    let (mut page, _) = list_categories(conn, &f, 1, 0)?;
    page.pop()
        .ok_or_else(|| Error::not_found("Product category", id))
}

/// A page of categories (by rank) and the total.
///
/// # Errors
/// Database failures.
pub fn list_categories(
    conn: &Connection,
    f: &SimpleFilter,
    limit: u64,
    offset: u64,
) -> Result<(Vec<Category>, u64)> {
    let (where_sql, args) = simple_where(f, "handle", "name");
    let cols = CATEGORY_COLUMNS.replace("c.", "");
    page(
        conn,
        "product_category",
        &cols,
        &where_sql,
        "rank",
        &args,
        limit,
        offset,
        |r| category_from(r, 0),
    )
}

/// Every live category (the tree is small; callers build parents and children from it).
///
/// # Errors
/// Database failures.
pub fn all_categories(conn: &Connection, public_only: bool) -> Result<Vec<Category>> {
    let f = SimpleFilter {
        public_only,
        ..SimpleFilter::default()
    };
    Ok(list_categories(conn, &f, u64::MAX, 0)?.0)
}

/// Published products of these categories, by category id.
///
/// # Errors
/// Database failures.
pub fn products_of_categories(
    conn: &Connection,
    category_ids: &[String],
) -> Result<HashMap<String, Vec<Product>>> {
    products_by(
        conn,
        "cp.product_category_id",
        "product_category_product cp JOIN product p ON p.id = cp.product_id",
        "cp.product_category_id IN (SELECT value FROM json_each(?1))",
        category_ids,
    )
}

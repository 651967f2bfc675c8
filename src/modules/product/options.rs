//! A product's options after creation (`/admin/products/:id/options`): add one with its
//! values, rename it or replace its values, soft-delete it. Variants lose the values that go.

use super::write::NewOption;
use crate::ctx::Ctx;
use crate::error::{Error, Result};
use rusqlite::{Connection, OptionalExtension, params};

fn require_title(title: &str) -> Result<()> {
    if title.trim().is_empty() {
        return Err(Error::invalid("Invalid request: Field 'title' is required"));
    }
    Ok(())
}

fn title_taken(conn: &Connection, product_id: &str, title: &str, except: &str) -> Result<()> {
    let taken: Option<String> = conn
        .prepare_cached_static(
            "SELECT id FROM product_option
             WHERE product_id = ?1 AND title = ?2 AND id <> ?3 AND deleted_at IS NULL",
        )?
        .query_row(params![product_id, title, except], |r| r.get(0))
        .optional()?;
    if taken.is_some() {
        return Err(Error::invalid(format!(
            "Product option with title: {title} already exists for product {product_id}"
        )));
    }
    Ok(())
}

fn insert_value(conn: &Connection, ctx: &Ctx, option_id: &str, value: &str) -> Result<()> {
    conn.prepare_cached_static(
        "INSERT INTO product_option_value (id, option_id, value, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?4)",
    )?
    .execute(params![ctx.id("optval"), option_id, value, ctx.now()])?;
    Ok(())
}

/// Adds an option with its values to live product `product_id`; returns the option id.
///
/// # Errors
/// 404 for an unknown product; 400 for a blank or duplicate title.
pub fn add(conn: &Connection, ctx: &Ctx, product_id: &str, option: &NewOption) -> Result<String> {
    super::read::retrieve_any(conn, product_id)?;
    require_title(&option.title)?;
    title_taken(conn, product_id, &option.title, "")?;
    let id = ctx.id("opt");
    conn.prepare_cached_static(
        "INSERT INTO product_option (id, product_id, title, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?4)",
    )?
    .execute(params![id, product_id, option.title, ctx.now()])?;
    let mut seen: Vec<&String> = Vec::new();
    for value in &option.values {
        if !seen.contains(&value) {
            insert_value(conn, ctx, &id, value)?;
            seen.push(value);
        }
    }
    Ok(id)
}

fn require_option(conn: &Connection, product_id: &str, option_id: &str) -> Result<()> {
    super::read::retrieve_any(conn, product_id)?;
    let found: Option<String> = conn
        .prepare_cached_static(
            "SELECT id FROM product_option WHERE id = ?1 AND product_id = ?2 AND deleted_at IS NULL",
        )?
        .query_row(params![option_id, product_id], |r| r.get(0))
        .optional()?;
    found
        .map(|_| ())
        .ok_or_else(|| Error::not_found("Product option", option_id))
}

/// Soft-deletes values of `option_id` (all, or those not in `keep`) and detaches them from
/// variants.
fn drop_values(conn: &Connection, ctx: &Ctx, option_id: &str, keep: &[String]) -> Result<()> {
    let keep = crate::modules::json_list(keep);
    conn.prepare_cached_static(
        "DELETE FROM product_variant_option WHERE option_value_id IN (
            SELECT id FROM product_option_value WHERE option_id = ?1 AND deleted_at IS NULL
              AND value NOT IN (SELECT value FROM json_each(?2)))",
    )?
    .execute(params![option_id, keep])?;
    conn.prepare_cached_static(
        "UPDATE product_option_value SET deleted_at = ?3, updated_at = ?3
         WHERE option_id = ?1 AND deleted_at IS NULL
           AND value NOT IN (SELECT value FROM json_each(?2))",
    )?
    .execute(params![option_id, keep, ctx.now()])?;
    Ok(())
}

/// Renames option `option_id` of product `product_id` and/or replaces its values (values
/// kept keep their ids and variants; removed ones leave the variants that had them).
///
/// # Errors
/// 404 for an unknown product or option; 400 for a blank or duplicate title.
pub fn update(
    conn: &Connection,
    ctx: &Ctx,
    product_id: &str,
    option_id: &str,
    title: Option<&str>,
    values: Option<&[String]>,
) -> Result<()> {
    require_option(conn, product_id, option_id)?;
    let now = ctx.now();
    if let Some(title) = title {
        require_title(title)?;
        title_taken(conn, product_id, title, option_id)?;
        conn.prepare_cached_static(
            "UPDATE product_option SET title = ?2, updated_at = ?3 WHERE id = ?1",
        )?
        .execute(params![option_id, title, now])?;
    }
    if let Some(values) = values {
        drop_values(conn, ctx, option_id, values)?;
        let mut stmt = conn.prepare_cached_static(
            "SELECT value FROM product_option_value WHERE option_id = ?1 AND deleted_at IS NULL",
        )?;
        let mut existing: Vec<String> = stmt
            .query_map([option_id], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        for value in values {
            if !existing.contains(value) {
                insert_value(conn, ctx, option_id, value)?;
                existing.push(value.clone());
            }
        }
    }
    Ok(())
}

/// Soft-deletes option `option_id` of product `product_id` with its values.
///
/// # Errors
/// 404 for an unknown product or option.
pub fn delete(conn: &Connection, ctx: &Ctx, product_id: &str, option_id: &str) -> Result<()> {
    require_option(conn, product_id, option_id)?;
    drop_values(conn, ctx, option_id, &[])?;
    conn.prepare_cached_static(
        "UPDATE product_option SET deleted_at = ?2, updated_at = ?2 WHERE id = ?1",
    )?
    .execute(params![option_id, ctx.now()])?;
    Ok(())
}

//! Products put into and taken out of a category or a collection in batches (Medusa's
//! `batchLinkProductsToCategoryWorkflow` and `batchLinkProductsToCollectionWorkflow`). Every
//! added product must exist; taking out a product that is not in does nothing.

use super::category::retrieve_category;
use super::read::retrieve_any;
use super::taxonomy::retrieve_collection;
use crate::ctx::Ctx;
use crate::error::Result;
use rusqlite::{Connection, params};

/// Adds `add` to category `id` and removes `remove` from it.
///
/// # Errors
/// 404 for an unknown category or added product.
pub fn link_to_category(
    conn: &Connection,
    ctx: &Ctx,
    id: &str,
    add: &[String],
    remove: &[String],
) -> Result<()> {
    retrieve_category(conn, id, false)?;
    let now = ctx.now();
    for product in add {
        retrieve_any(conn, product)?;
        conn.prepare_cached_static(
            "INSERT OR IGNORE INTO product_category_product (product_id, product_category_id)
             VALUES (?1, ?2)",
        )?
        .execute(params![product, id])?;
        touch(conn, product, &now)?;
    }
    for product in remove {
        let removed = conn
            .prepare_cached_static(
                "DELETE FROM product_category_product
                 WHERE product_id = ?1 AND product_category_id = ?2",
            )?
            .execute(params![product, id])?;
        if removed > 0 {
            touch(conn, product, &now)?;
        }
    }
    Ok(())
}

/// Puts `add` into collection `id` (out of any other) and takes `remove` out of it.
///
/// # Errors
/// 404 for an unknown collection or added product.
pub fn link_to_collection(
    conn: &Connection,
    ctx: &Ctx,
    id: &str,
    add: &[String],
    remove: &[String],
) -> Result<()> {
    retrieve_collection(conn, id)?;
    let now = ctx.now();
    for product in add {
        retrieve_any(conn, product)?;
        conn.prepare_cached_static(
            "UPDATE product SET collection_id = ?2, updated_at = ?3 WHERE id = ?1",
        )?
        .execute(params![product, id, now])?;
    }
    for product in remove {
        conn.prepare_cached_static(
            "UPDATE product SET collection_id = NULL, updated_at = ?3
             WHERE id = ?1 AND collection_id = ?2",
        )?
        .execute(params![product, id, now])?;
    }
    Ok(())
}

fn touch(conn: &Connection, product: &str, now: &str) -> Result<()> {
    conn.prepare_cached_static("UPDATE product SET updated_at = ?2 WHERE id = ?1")?
        .execute(params![product, now])?;
    Ok(())
}

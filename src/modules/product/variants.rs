//! Adding variants to an existing product and soft-deleting them
//! (`/admin/products/:id/variants`).

use super::write::NewVariant;
use crate::ctx::Ctx;
use crate::error::{Error, Result};
use rusqlite::{Connection, params};
use std::collections::HashMap;

/// Adds a variant to live product `product_id`; its options name existing option values.
/// Returns the new variant's id.
///
/// # Errors
/// 404 for an unknown product; 400 for an unknown option value; 422 for a duplicate SKU.
pub fn add(conn: &Connection, ctx: &Ctx, product_id: &str, variant: &NewVariant) -> Result<String> {
    super::read::retrieve_any(conn, product_id)?;
    let ids = vec![product_id.to_string()];
    let options = super::relations::options_of(conn, &ids)?;
    let values: HashMap<(String, String), String> = options
        .get(product_id)
        .into_iter()
        .flatten()
        .flat_map(|(option, values)| {
            values
                .iter()
                .map(|v| ((option.title.clone(), v.value.clone()), v.id.clone()))
        })
        .collect();
    let rank: i64 = conn
        .prepare_cached("SELECT count(*) FROM product_variant WHERE product_id = ?1")?
        .query_row([product_id], |r| r.get(0))?;
    let rank = usize::try_from(rank).unwrap_or(0);
    let now = ctx.now();
    super::write::insert_variant(conn, ctx, product_id, rank, variant, &values, &now)
}

/// Soft-deletes variant `variant_id` of product `product_id`.
///
/// # Errors
/// 404 "Variant with id: X was not found" when it is not a live variant of that product.
pub fn soft_delete(conn: &Connection, ctx: &Ctx, product_id: &str, variant_id: &str) -> Result<()> {
    let changed = conn
        .prepare_cached(
            "UPDATE product_variant SET deleted_at = ?3, updated_at = ?3
             WHERE id = ?1 AND product_id = ?2 AND deleted_at IS NULL",
        )?
        .execute(params![variant_id, product_id, ctx.now()])?;
    if changed == 0 {
        return Err(Error::not_found("Variant", variant_id));
    }
    Ok(())
}

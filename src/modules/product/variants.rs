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
        .prepare_cached_static("SELECT count(*) FROM product_variant WHERE product_id = ?1")?
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
        .prepare_cached_static(
            "UPDATE product_variant SET deleted_at = ?3, updated_at = ?3
             WHERE id = ?1 AND product_id = ?2 AND deleted_at IS NULL",
        )?
        .execute(params![variant_id, product_id, ctx.now()])?;
    if changed == 0 {
        return Err(Error::not_found("Variant", variant_id));
    }
    Ok(())
}

/// The columns of a variant a partial update may set.
const UPDATABLE: &[&str] = &[
    "title",
    "sku",
    "ean",
    "upc",
    "barcode",
    "hs_code",
    "mid_code",
    "origin_country",
    "material",
    "allow_backorder",
    "manage_inventory",
    "weight",
    "length",
    "height",
    "width",
    "variant_rank",
    "thumbnail",
    "metadata",
];

/// Updates variant `variant_id` of product `product_id`: its own columns from `changes`
/// (keys of `UPDATABLE`), and with `options` (option title → value) its option values.
///
/// # Errors
/// 404 when it is not a live variant of that product; 400 for a blank title or an unknown
/// option value; 422 for a duplicate SKU, EAN, UPC or barcode.
pub fn update(
    conn: &Connection,
    ctx: &Ctx,
    product_id: &str,
    variant_id: &str,
    changes: &serde_json::Map<String, serde_json::Value>,
    options: Option<&[(String, String)]>,
) -> Result<()> {
    let live: i64 = conn
        .prepare_cached_static(
            "SELECT count(*) FROM product_variant
             WHERE id = ?1 AND product_id = ?2 AND deleted_at IS NULL",
        )?
        .query_row(params![variant_id, product_id], |r| r.get(0))?;
    if live == 0 {
        return Err(Error::not_found("Variant", variant_id));
    }
    if changes
        .get("title")
        .and_then(serde_json::Value::as_str)
        .is_some_and(|t| t.trim().is_empty())
    {
        return Err(Error::invalid(
            "Invalid request: Field 'title' cannot be empty",
        ));
    }
    let now = ctx.now();
    crate::modules::update_columns(
        conn,
        "product_variant",
        variant_id,
        UPDATABLE,
        changes,
        &now,
    )?;
    let Some(options) = options else {
        return Ok(());
    };
    let ids = vec![product_id.to_string()];
    let all = super::relations::options_of(conn, &ids)?;
    let values: HashMap<(&str, &str), &str> = all
        .get(product_id)
        .into_iter()
        .flatten()
        .flat_map(|(option, values)| {
            values
                .iter()
                .map(|v| ((option.title.as_str(), v.value.as_str()), v.id.as_str()))
        })
        .collect();
    conn.prepare_cached_static("DELETE FROM product_variant_option WHERE variant_id = ?1")?
        .execute([variant_id])?;
    for (option, value) in options {
        let value_id = values
            .get(&(option.as_str(), value.as_str()))
            .ok_or_else(|| {
                Error::invalid(format!(
                    "Option value {value} does not exist for option {option}"
                ))
            })?;
        conn.prepare_cached_static(
            "INSERT INTO product_variant_option (variant_id, option_value_id) VALUES (?1, ?2)",
        )?
        .execute(params![variant_id, value_id])?;
    }
    Ok(())
}

/// The weight of each of these variants that has one — its own, else its product's (for
/// calculated shipping prices).
///
/// # Errors
/// Database failures.
pub fn weights(conn: &Connection, ids: &[&str]) -> Result<HashMap<String, f64>> {
    let mut stmt = conn.prepare_cached_static(
        "SELECT coalesce(v.weight, p.weight) FROM product_variant v JOIN product p ON p.id = v.product_id
         WHERE v.id = ?1 AND coalesce(v.weight, p.weight) IS NOT NULL",
    )?;
    let mut out = HashMap::new();
    for id in ids {
        let mut rows = stmt.query([id])?;
        if let Some(row) = rows.next()? {
            out.insert((*id).to_string(), row.get(0)?);
        }
    }
    Ok(out)
}

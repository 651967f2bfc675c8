//! Creating and soft-deleting products with their options, variants and images.

use crate::ctx::Ctx;
use crate::error::{Error, Result};
use rusqlite::{Connection, params};
use serde_json::Value;
use std::collections::HashMap;

/// Input of [`create`].
#[derive(Debug, Clone, Default)]
pub struct NewProduct {
    /// The id to create it under (a CSV import naming a product the store does not have,
    /// as Medusa's upsert does); a fresh `prod_…` when absent.
    pub id: Option<String>,
    /// Title (required).
    pub title: String,
    /// Handle; a slug of the title when absent.
    pub handle: Option<String>,
    /// Subtitle.
    pub subtitle: Option<String>,
    /// Description.
    pub description: Option<String>,
    /// Gift card product.
    pub is_giftcard: bool,
    /// Whether discounts apply (Medusa's default: true).
    pub discountable: bool,
    /// `draft` when absent.
    pub status: Option<String>,
    /// Thumbnail URL.
    pub thumbnail: Option<String>,
    /// Images, in rank order.
    pub images: Vec<NewImage>,
    /// Weight.
    pub weight: Option<f64>,
    /// Length.
    pub length: Option<f64>,
    /// Height.
    pub height: Option<f64>,
    /// Width.
    pub width: Option<f64>,
    /// Material.
    pub material: Option<String>,
    /// Origin country.
    pub origin_country: Option<String>,
    /// External system id.
    pub external_id: Option<String>,
    /// Collection id.
    pub collection_id: Option<String>,
    /// Type id.
    pub type_id: Option<String>,
    /// Category ids.
    pub category_ids: Vec<String>,
    /// Tag ids.
    pub tag_ids: Vec<String>,
    /// Options with their values.
    pub options: Vec<NewOption>,
    /// Variants.
    pub variants: Vec<NewVariant>,
    /// Free-form JSON.
    pub metadata: Option<Value>,
}

/// An image of a new product.
#[derive(Debug, Clone, Default)]
pub struct NewImage {
    /// URL.
    pub url: String,
}

/// An option of a new product.
#[derive(Debug, Clone, Default)]
pub struct NewOption {
    /// Title, e.g. `Size`.
    pub title: String,
    /// Values, e.g. `S`, `M`.
    pub values: Vec<String>,
}

/// A variant of a new product.
#[derive(Debug, Clone, Default)]
pub struct NewVariant {
    /// The id to create it under (see [`NewProduct::id`]); a fresh `variant_…` when absent.
    pub id: Option<String>,
    /// Title (required).
    pub title: String,
    /// SKU.
    pub sku: Option<String>,
    /// Barcode.
    pub barcode: Option<String>,
    /// EAN.
    pub ean: Option<String>,
    /// UPC.
    pub upc: Option<String>,
    /// Sell when out of stock.
    pub allow_backorder: bool,
    /// Track inventory.
    pub manage_inventory: bool,
    /// Weight.
    pub weight: Option<f64>,
    /// Option title → value.
    pub options: Vec<(String, String)>,
    /// Free-form JSON.
    pub metadata: Option<Value>,
    /// Position among the product's variants (`None`: its place in the input).
    pub variant_rank: Option<i64>,
}

/// What [`create`] made: the product id and its variant ids in input order.
#[derive(Debug, Clone)]
pub struct Created {
    /// `prod_…`
    pub product_id: String,
    /// Ids of the variants, in the order given.
    pub variant_ids: Vec<String>,
}

/// Creates a product with everything it owns.
///
/// # Errors
/// A missing title, a duplicate handle or SKU (422), a variant naming an unknown option value,
/// unknown collection/type/category/tag ids.
pub fn create(conn: &Connection, ctx: &Ctx, input: &NewProduct) -> Result<Created> {
    if input.title.trim().is_empty() {
        return Err(Error::invalid("Invalid request: Field 'title' is required"));
    }
    let id = chosen_id(conn, ctx, "product", "prod", input.id.as_deref())?;
    let now = ctx.now();
    insert_product(conn, &id, input, &now)?;
    for (rank, image) in input.images.iter().enumerate() {
        conn.prepare_cached_static(
            "INSERT INTO product_image (id, product_id, url, rank, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
        )?
        .execute(params![ctx.id("img"), id, image.url, rank as i64, now])?;
    }
    for tag in &input.tag_ids {
        conn.prepare_cached_static(
            "INSERT INTO product_tags (product_id, product_tag_id) VALUES (?1, ?2)",
        )?
        .execute(params![id, tag])?;
    }
    for category in &input.category_ids {
        conn.prepare_cached_static(
            "INSERT INTO product_category_product (product_id, product_category_id) VALUES (?1, ?2)",
        )?
        .execute(params![id, category])?;
    }
    let values = insert_options(conn, ctx, &id, &input.options, &now)?;
    let mut variant_ids = Vec::with_capacity(input.variants.len());
    for (rank, variant) in input.variants.iter().enumerate() {
        variant_ids.push(insert_variant(
            conn, ctx, &id, rank, variant, &values, &now,
        )?);
    }
    Ok(Created {
        product_id: id,
        variant_ids,
    })
}

fn insert_product(conn: &Connection, id: &str, p: &NewProduct, now: &str) -> Result<()> {
    let handle = p.handle.clone().unwrap_or_else(|| slug(&p.title));
    let status = p.status.clone().unwrap_or_else(|| "draft".into());
    if !matches!(
        status.as_str(),
        "draft" | "proposed" | "published" | "rejected"
    ) {
        return Err(Error::invalid(format!(
            "Invalid request: Invalid enum value. Expected 'draft' | 'proposed' | 'published' | 'rejected', received '{status}'"
        )));
    }
    let thumbnail = p
        .thumbnail
        .clone()
        .or_else(|| p.images.first().map(|i| i.url.clone()));
    conn.prepare_cached_static(
        "INSERT INTO product (id, title, handle, subtitle, description, is_giftcard, status,
            thumbnail, weight, length, height, width, material, origin_country, discountable,
            external_id, collection_id, type_id, metadata, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18,
            ?19, ?20, ?20)",
    )?
    .execute(params![
        id,
        p.title,
        handle,
        p.subtitle,
        p.description,
        p.is_giftcard,
        status,
        thumbnail,
        p.weight,
        p.length,
        p.height,
        p.width,
        p.material,
        p.origin_country,
        p.discountable,
        p.external_id,
        p.collection_id,
        p.type_id,
        p.metadata.as_ref().map(Value::to_string),
        now
    ])?;
    Ok(())
}

/// Inserts options and values; returns `(option title, value) → value id`.
fn insert_options(
    conn: &Connection,
    ctx: &Ctx,
    product_id: &str,
    options: &[NewOption],
    now: &str,
) -> Result<HashMap<(String, String), String>> {
    let mut values = HashMap::new();
    for option in options {
        let option_id = ctx.id("opt");
        conn.prepare_cached_static(
            "INSERT INTO product_option (id, product_id, title, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?4)",
        )?
        .execute(params![option_id, product_id, option.title, now])?;
        for value in &option.values {
            let value_id = ctx.id("optval");
            conn.prepare_cached_static(
                "INSERT INTO product_option_value (id, option_id, value, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?4)",
            )?
            .execute(params![value_id, option_id, value, now])?;
            values.insert((option.title.clone(), value.clone()), value_id);
        }
    }
    Ok(values)
}

/// Inserts one variant of `product_id` with its option values (`(option title, value)` →
/// value id).
pub(super) fn insert_variant(
    conn: &Connection,
    ctx: &Ctx,
    product_id: &str,
    rank: usize,
    v: &NewVariant,
    values: &HashMap<(String, String), String>,
    now: &str,
) -> Result<String> {
    if v.title.trim().is_empty() {
        return Err(Error::invalid(
            "Invalid request: Field 'variants, 0, title' is required",
        ));
    }
    let id = chosen_id(conn, ctx, "product_variant", "variant", v.id.as_deref())?;
    conn.prepare_cached_static(
        "INSERT INTO product_variant (id, product_id, title, sku, barcode, ean, upc,
            allow_backorder, manage_inventory, weight, variant_rank, metadata, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?13)",
    )?
    .execute(params![
        id,
        product_id,
        v.title,
        v.sku,
        v.barcode,
        v.ean,
        v.upc,
        v.allow_backorder,
        v.manage_inventory,
        v.weight,
        v.variant_rank.unwrap_or(rank as i64),
        v.metadata.as_ref().map(Value::to_string),
        now
    ])?;
    for (option, value) in &v.options {
        let value_id = values
            .get(&(option.clone(), value.clone()))
            .ok_or_else(|| {
                Error::invalid(format!(
                    "Option value {value} does not exist for option {option}"
                ))
            })?;
        conn.prepare_cached_static(
            "INSERT INTO product_variant_option (variant_id, option_value_id) VALUES (?1, ?2)",
        )?
        .execute(params![id, value_id])?;
    }
    Ok(id)
}

/// `wanted` when it is a free id with the table's prefix, else a fresh one when nothing was
/// asked for. An id that a row — even a deleted one — already has is a 422, as is one
/// without the prefix (ids name their kind everywhere).
fn chosen_id(
    conn: &Connection,
    ctx: &Ctx,
    table: &str,
    prefix: &str,
    wanted: Option<&str>,
) -> Result<String> {
    let Some(wanted) = wanted else {
        return Ok(ctx.id(prefix));
    };
    let shaped = wanted
        .strip_prefix(prefix)
        .and_then(|rest| rest.strip_prefix('_'))
        .is_some_and(|rest| {
            !rest.is_empty() && rest.len() <= 64 && rest.bytes().all(|b| b.is_ascii_alphanumeric())
        });
    if !shaped {
        return Err(Error::invalid(format!(
            "Invalid id {wanted}: expected {prefix}_ followed by letters and digits"
        )));
    }
    let taken: bool = conn
        .prepare_cached(&format!(
            "SELECT EXISTS (SELECT 1 FROM {table} WHERE id = ?1)"
        ))?
        .query_row([wanted], |r| r.get(0))?;
    if taken {
        return Err(Error::Duplicate(format!(
            "{} with id: {wanted}, already exists.",
            if prefix == "prod" {
                "Product"
            } else {
                "Product variant"
            }
        )));
    }
    Ok(wanted.to_string())
}

/// Soft-deletes a product and its variants (their handles and SKUs become free again).
///
/// # Errors
/// 404 when absent.
pub fn soft_delete(conn: &Connection, ctx: &Ctx, id: &str) -> Result<()> {
    let now = ctx.now();
    let changed = conn
        .prepare_cached_static(
            "UPDATE product SET deleted_at = ?2, updated_at = ?2 WHERE id = ?1 AND deleted_at IS NULL",
        )?
        .execute(params![id, now])?;
    if changed == 0 {
        return Err(Error::not_found("Product", id));
    }
    conn.prepare_cached_static(
        "UPDATE product_variant SET deleted_at = ?2, updated_at = ?2
         WHERE product_id = ?1 AND deleted_at IS NULL",
    )?
    .execute(params![id, now])?;
    Ok(())
}

/// Medusa's default handle: lower-case words joined by `-`.
pub fn slug(title: &str) -> String {
    let mut out = String::with_capacity(title.len());
    for c in title.chars() {
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
}

/// Moves every product, variant and image URL under `from` (a server's address,
/// `http://localhost:9000`) to `to`, leaving timestamps as they are: a cached fixture store
/// seeded on another port is made to name this one. Returns the rows changed.
///
/// # Errors
/// Database failures.
pub fn rebase_urls(conn: &Connection, from: &str, to: &str) -> Result<usize> {
    let (from, to) = (format!("{from}/static/"), format!("{to}/static/"));
    let mut changed = 0;
    for (table, column) in [
        ("product", "thumbnail"),
        ("product_variant", "thumbnail"),
        ("product_image", "url"),
    ] {
        changed += conn.execute(
            &format!(
                "UPDATE {table} SET {column} = ?2 || substr({column}, length(?1) + 1)
                 WHERE substr({column}, 1, length(?1)) = ?1"
            ),
            [&from, &to],
        )?;
    }
    Ok(changed)
}

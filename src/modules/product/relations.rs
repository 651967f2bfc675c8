//! Batch loaders: one relation for a whole page of products in one query
//! (`… IN (SELECT value FROM json_each(?))`), grouped by owner id.

use super::model::{Category, Image, OptionValue, ProductOption, Tag, Variant};
use crate::error::Result;
use crate::modules::{json_list, metadata_from_sql};
use rusqlite::{Connection, Row};
use std::collections::HashMap;

/// Groups `(key, item)` rows by key, keeping row order.
fn grouped<T>(
    rows: impl Iterator<Item = rusqlite::Result<(String, T)>>,
) -> Result<HashMap<String, Vec<T>>> {
    let mut map: HashMap<String, Vec<T>> = HashMap::new();
    for row in rows {
        let (key, item) = row?;
        map.entry(key).or_default().push(item);
    }
    Ok(map)
}

/// The columns [`variant_from`] reads, in order.
pub(super) const VARIANT_COLUMNS: &str =
    "id, title, sku, barcode, ean, upc, allow_backorder, manage_inventory, hs_code,
     origin_country, mid_code, material, weight, length, height, width, metadata,
     variant_rank, thumbnail, product_id, created_at, updated_at, deleted_at";

/// A variant from a row of [`VARIANT_COLUMNS`].
pub(super) fn variant_from(r: &Row) -> rusqlite::Result<Variant> {
    Ok(Variant {
        id: r.get(0)?,
        title: r.get(1)?,
        sku: r.get(2)?,
        barcode: r.get(3)?,
        ean: r.get(4)?,
        upc: r.get(5)?,
        allow_backorder: r.get(6)?,
        manage_inventory: r.get(7)?,
        hs_code: r.get(8)?,
        origin_country: r.get(9)?,
        mid_code: r.get(10)?,
        material: r.get(11)?,
        weight: r.get(12)?,
        length: r.get(13)?,
        height: r.get(14)?,
        width: r.get(15)?,
        metadata: metadata_from_sql(r.get(16)?),
        variant_rank: r.get(17)?,
        thumbnail: r.get(18)?,
        product_id: r.get(19)?,
        created_at: r.get(20)?,
        updated_at: r.get(21)?,
        deleted_at: r.get(22)?,
    })
}

/// Live variants of these products, by product id, in rank order.
///
/// # Errors
/// Database failures.
pub fn variants_of(
    conn: &Connection,
    product_ids: &[String],
) -> Result<HashMap<String, Vec<Variant>>> {
    let mut stmt = conn.prepare_cached_static(crate::sql_text!(
        [],
        "SELECT {VARIANT_COLUMNS} FROM product_variant
         WHERE product_id IN (SELECT value FROM json_each(?1)) AND deleted_at IS NULL
         ORDER BY product_id, variant_rank, id"
    ))?;
    let rows = stmt.query_map([json_list(product_ids)], |r| {
        let v = variant_from(r)?;
        Ok((v.product_id.clone(), v))
    })?;
    grouped(rows)
}

pub(super) const VALUE_COLUMNS: &str =
    "v.id, v.value, v.rank, v.metadata, v.option_id, v.created_at, v.updated_at, v.deleted_at";
pub(super) const OPTION_COLUMNS: &str =
    "o.id, o.title, o.product_id, o.metadata, o.created_at, o.updated_at, o.deleted_at";

pub(super) fn value_from(r: &Row, at: usize) -> rusqlite::Result<OptionValue> {
    Ok(OptionValue {
        id: r.get(at)?,
        value: r.get(at + 1)?,
        rank: r.get(at + 2)?,
        metadata: metadata_from_sql(r.get(at + 3)?),
        option_id: r.get(at + 4)?,
        created_at: r.get(at + 5)?,
        updated_at: r.get(at + 6)?,
        deleted_at: r.get(at + 7)?,
    })
}

pub(super) fn option_from(r: &Row, at: usize) -> rusqlite::Result<ProductOption> {
    Ok(ProductOption {
        id: r.get(at)?,
        title: r.get(at + 1)?,
        is_exclusive: true,
        product_id: r.get(at + 2)?,
        metadata: metadata_from_sql(r.get(at + 3)?),
        created_at: r.get(at + 4)?,
        updated_at: r.get(at + 5)?,
        deleted_at: r.get(at + 6)?,
    })
}

/// The option values of these variants with their option, by variant id.
///
/// # Errors
/// Database failures.
pub fn variant_options_of(
    conn: &Connection,
    variant_ids: &[String],
) -> Result<HashMap<String, Vec<(OptionValue, ProductOption)>>> {
    let mut stmt = conn.prepare_cached_static(crate::sql_text!(
        [],
        "SELECT vo.variant_id, {VALUE_COLUMNS}, {OPTION_COLUMNS}
         FROM product_variant_option vo
         JOIN product_option_value v ON v.id = vo.option_value_id
         JOIN product_option o ON o.id = v.option_id
         WHERE vo.variant_id IN (SELECT value FROM json_each(?1))
           AND v.deleted_at IS NULL AND o.deleted_at IS NULL
         ORDER BY vo.variant_id, o.id"
    ))?;
    let rows = stmt.query_map([json_list(variant_ids)], |r| {
        Ok((r.get(0)?, (value_from(r, 1)?, option_from(r, 9)?)))
    })?;
    grouped(rows)
}

/// An option with its values.
pub type OptionWithValues = (ProductOption, Vec<OptionValue>);

/// Options of these products with their values, by product id.
///
/// # Errors
/// Database failures.
pub fn options_of(
    conn: &Connection,
    product_ids: &[String],
) -> Result<HashMap<String, Vec<OptionWithValues>>> {
    let mut stmt = conn.prepare_cached_static(crate::sql_text!(
        [],
        "SELECT {OPTION_COLUMNS}, {VALUE_COLUMNS}
         FROM product_option o
         LEFT JOIN product_option_value v ON v.option_id = o.id AND v.deleted_at IS NULL
         WHERE o.product_id IN (SELECT value FROM json_each(?1)) AND o.deleted_at IS NULL
         ORDER BY o.product_id, o.id, v.id"
    ))?;
    let mut rows = stmt.query([json_list(product_ids)])?;
    let mut map: HashMap<String, Vec<OptionWithValues>> = HashMap::new();
    while let Some(r) = rows.next()? {
        let option = option_from(r, 0)?;
        let list = map.entry(option.product_id.clone()).or_default();
        if list.last().is_none_or(|(o, _)| o.id != option.id) {
            list.push((option, Vec::new()));
        }
        let value_id: Option<String> = r.get(7)?;
        if let (Some(_), Some((_, values))) = (value_id, list.last_mut()) {
            values.push(value_from(r, 7)?);
        }
    }
    Ok(map)
}

/// Images of these products, by product id, in rank order.
///
/// # Errors
/// Database failures.
pub fn images_of(conn: &Connection, product_ids: &[String]) -> Result<HashMap<String, Vec<Image>>> {
    let mut stmt = conn.prepare_cached_static(
        "SELECT id, url, rank, product_id, metadata, created_at, updated_at, deleted_at
         FROM product_image
         WHERE product_id IN (SELECT value FROM json_each(?1)) AND deleted_at IS NULL
         ORDER BY product_id, rank",
    )?;
    let rows = stmt.query_map([json_list(product_ids)], |r| {
        let image = Image {
            id: r.get(0)?,
            url: r.get(1)?,
            rank: r.get(2)?,
            product_id: r.get(3)?,
            metadata: metadata_from_sql(r.get(4)?),
            created_at: r.get(5)?,
            updated_at: r.get(6)?,
            deleted_at: r.get(7)?,
        };
        Ok((image.product_id.clone(), image))
    })?;
    grouped(rows)
}

/// Tags of these products, by product id.
///
/// # Errors
/// Database failures.
pub fn tags_of(conn: &Connection, product_ids: &[String]) -> Result<HashMap<String, Vec<Tag>>> {
    let mut stmt = conn.prepare_cached_static(
        "SELECT pt.product_id, t.id, t.value, t.metadata, t.created_at, t.updated_at, t.deleted_at
         FROM product_tags pt JOIN product_tag t ON t.id = pt.product_tag_id
         WHERE pt.product_id IN (SELECT value FROM json_each(?1)) AND t.deleted_at IS NULL
         ORDER BY pt.product_id, t.value",
    )?;
    let rows = stmt.query_map([json_list(product_ids)], |r| {
        Ok((r.get(0)?, super::taxonomy::tag_from(r, 1)?))
    })?;
    grouped(rows)
}

/// Categories of these products, by product id.
///
/// # Errors
/// Database failures.
pub fn categories_of(
    conn: &Connection,
    product_ids: &[String],
) -> Result<HashMap<String, Vec<Category>>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT cp.product_id, {}
         FROM product_category_product cp JOIN product_category c ON c.id = cp.product_category_id
         WHERE cp.product_id IN (SELECT value FROM json_each(?1)) AND c.deleted_at IS NULL
         ORDER BY cp.product_id, c.rank",
        super::taxonomy::CATEGORY_COLUMNS
    ))?;
    let rows = stmt.query_map([json_list(product_ids)], |r| {
        Ok((r.get(0)?, super::taxonomy::category_from(r, 1)?))
    })?;
    grouped(rows)
}

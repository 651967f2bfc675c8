//! Updating a product's own fields, tags and categories (`POST /admin/products/:id`).

use crate::ctx::Ctx;
use crate::error::{Error, Result};
use rusqlite::types::ToSql;
use rusqlite::{Connection, params};
use serde_json::Value;

/// A change to one column: absent (`None`), cleared (`Some(None)`) or set.
pub type Change<T> = Option<Option<T>>;

/// Input of [`update`]; `None` fields are left as they are.
#[derive(Debug, Clone, Default)]
pub struct ProductUpdate {
    /// New title.
    pub title: Option<String>,
    /// New handle.
    pub handle: Option<String>,
    /// New status.
    pub status: Option<String>,
    /// Subtitle.
    pub subtitle: Change<String>,
    /// Description.
    pub description: Change<String>,
    /// Thumbnail.
    pub thumbnail: Change<String>,
    /// Material.
    pub material: Change<String>,
    /// Collection.
    pub collection_id: Change<String>,
    /// Type.
    pub type_id: Change<String>,
    /// Weight.
    pub weight: Change<f64>,
    /// Discountable.
    pub discountable: Option<bool>,
    /// Metadata (replaced whole).
    pub metadata: Change<Value>,
    /// Replaces the tags.
    pub tag_ids: Option<Vec<String>>,
    /// Replaces the categories.
    pub category_ids: Option<Vec<String>>,
}

/// Applies `change` to the live product `id`.
///
/// # Errors
/// 404 when absent; 400 for an empty title or a bad status; 422 for a duplicate handle.
pub fn update(conn: &Connection, ctx: &Ctx, id: &str, change: &ProductUpdate) -> Result<()> {
    super::read::retrieve_any(conn, id)?;
    if change.title.as_deref().is_some_and(|t| t.trim().is_empty()) {
        return Err(Error::invalid(
            "Invalid request: Field 'title' cannot be empty",
        ));
    }
    if let Some(status) = &change.status
        && !matches!(
            status.as_str(),
            "draft" | "proposed" | "published" | "rejected"
        )
    {
        return Err(Error::invalid(format!(
            "Invalid request: Invalid enum value. Expected 'draft' | 'proposed' | 'published' | 'rejected', received '{status}'"
        )));
    }
    let (sets, mut args) = assignments(change);
    let now = ctx.now();
    args.push(Box::new(now));
    args.push(Box::new(id.to_string()));
    let sql = format!(
        "UPDATE product SET {}updated_at = ?{} WHERE id = ?{}",
        sets.iter().map(|s| format!("{s}, ")).collect::<String>(),
        args.len() - 1,
        args.len()
    );
    let refs: Vec<&dyn ToSql> = args.iter().map(|a| a.as_ref() as &dyn ToSql).collect();
    conn.prepare_cached(&sql)?.execute(refs.as_slice())?;
    replace_links(conn, id, change)
}

fn assignments(c: &ProductUpdate) -> (Vec<String>, Vec<Box<dyn ToSql>>) {
    let mut sets = Vec::new();
    let mut args: Vec<Box<dyn ToSql>> = Vec::new();
    let mut set = |column: &str, value: Box<dyn ToSql>| {
        args.push(value);
        sets.push(format!("{column} = ?{}", args.len()));
    };
    if let Some(v) = &c.title {
        set("title", Box::new(v.clone()));
    }
    if let Some(v) = &c.handle {
        set("handle", Box::new(v.clone()));
    }
    if let Some(v) = &c.status {
        set("status", Box::new(v.clone()));
    }
    for (column, value) in [
        ("subtitle", &c.subtitle),
        ("description", &c.description),
        ("thumbnail", &c.thumbnail),
        ("material", &c.material),
        ("collection_id", &c.collection_id),
        ("type_id", &c.type_id),
    ] {
        if let Some(v) = value {
            set(column, Box::new(v.clone()));
        }
    }
    if let Some(v) = c.weight {
        set("weight", Box::new(v));
    }
    if let Some(v) = c.discountable {
        set("discountable", Box::new(v));
    }
    if let Some(v) = &c.metadata {
        set("metadata", Box::new(v.as_ref().map(Value::to_string)));
    }
    (sets, args)
}

fn replace_links(conn: &Connection, id: &str, change: &ProductUpdate) -> Result<()> {
    if let Some(tags) = &change.tag_ids {
        conn.prepare_cached_static("DELETE FROM product_tags WHERE product_id = ?1")?
            .execute([id])?;
        for tag in tags {
            conn.prepare_cached_static(
                "INSERT INTO product_tags (product_id, product_tag_id) VALUES (?1, ?2)",
            )?
            .execute(params![id, tag])?;
        }
    }
    if let Some(categories) = &change.category_ids {
        conn.prepare_cached_static("DELETE FROM product_category_product WHERE product_id = ?1")?
            .execute([id])?;
        for category in categories {
            conn.prepare_cached_static(
                "INSERT INTO product_category_product (product_id, product_category_id) VALUES (?1, ?2)",
            )?
            .execute(params![id, category])?;
        }
    }
    Ok(())
}

/// Appends images (by URL) to live product `id`, after its current ones; the first image of
/// a product without a thumbnail becomes its thumbnail.
///
/// # Errors
/// 404 when absent; database failures.
pub fn add_images(conn: &Connection, ctx: &Ctx, id: &str, urls: &[String]) -> Result<()> {
    let found = super::read::retrieve_any(conn, id)?;
    let next: i64 = conn
        .prepare_cached_static(
            "SELECT coalesce(max(rank) + 1, 0) FROM product_image WHERE product_id = ?1 AND deleted_at IS NULL",
        )?
        .query_row([id], |r| r.get(0))?;
    let now = ctx.now();
    let mut insert = conn.prepare_cached_static(
        "INSERT INTO product_image (id, product_id, url, rank, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
    )?;
    for (offset, url) in (0_i64..).zip(urls) {
        insert.execute(rusqlite::params![
            ctx.id("img"),
            id,
            url,
            next + offset,
            now
        ])?;
    }
    if found.thumbnail.is_none()
        && let Some(first) = urls.first()
    {
        conn.prepare_cached_static(
            "UPDATE product SET thumbnail = ?2, updated_at = ?3 WHERE id = ?1",
        )?
        .execute(rusqlite::params![id, first, now])?;
    }
    Ok(())
}

/// The product's own columns a CSV import may set ([`set_columns`]).
pub const IMPORTABLE: &[&str] = &[
    "title",
    "handle",
    "subtitle",
    "description",
    "is_giftcard",
    "status",
    "thumbnail",
    "weight",
    "length",
    "height",
    "width",
    "origin_country",
    "hs_code",
    "mid_code",
    "material",
    "discountable",
    "external_id",
    "collection_id",
    "type_id",
];

/// Sets live product `id`'s own columns from `changes` (keys of [`IMPORTABLE`]; a `Null`
/// clears). Used by the CSV import, whose columns reach further than the update route's.
///
/// # Errors
/// 404 when absent; 400 for another key or a bad status; 422 for a duplicate handle.
pub fn set_columns(
    conn: &Connection,
    ctx: &Ctx,
    id: &str,
    changes: &serde_json::Map<String, Value>,
) -> Result<()> {
    super::read::retrieve_any(conn, id)?;
    if let Some(status) = changes.get("status").and_then(Value::as_str)
        && !matches!(status, "draft" | "proposed" | "published" | "rejected")
    {
        return Err(Error::invalid(format!(
            "Invalid request: Invalid enum value. Expected 'draft' | 'proposed' | 'published' | 'rejected', received '{status}'"
        )));
    }
    crate::modules::update_columns(conn, "product", id, IMPORTABLE, changes, &ctx.now())?;
    Ok(())
}

/// Replaces live product `id`'s images by `urls`, in that order (the old ones are
/// soft-deleted); the thumbnail is left as it is.
///
/// # Errors
/// 404 when absent; database failures.
pub fn replace_images(conn: &Connection, ctx: &Ctx, id: &str, urls: &[String]) -> Result<()> {
    super::read::retrieve_any(conn, id)?;
    let now = ctx.now();
    conn.prepare_cached_static(
        "UPDATE product_image SET deleted_at = ?2, updated_at = ?2
         WHERE product_id = ?1 AND deleted_at IS NULL",
    )?
    .execute(params![id, now])?;
    let mut insert = conn.prepare_cached_static(
        "INSERT INTO product_image (id, product_id, url, rank, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
    )?;
    for (rank, url) in (0_i64..).zip(urls) {
        insert.execute(params![ctx.id("img"), id, url, rank, now])?;
    }
    Ok(())
}

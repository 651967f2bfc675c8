//! Collections, tags and types (categories are in `category`, re-exported here).

use super::model::{Collection, Product, Tag};

pub use super::category::{
    CATEGORY_COLUMNS, NewCategory, all_categories, category_from, create_category, list_categories,
    products_of_categories, retrieve_category,
};
use crate::ctx::Ctx;
use crate::error::{Error, Result};
use crate::modules::{clamp, json_list, metadata_from_sql};
use rusqlite::types::ToSql;
use rusqlite::{Connection, OptionalExtension, Row, params};
use std::collections::HashMap;

/// Which of the two value tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueKind {
    /// `product_tag`, ids `ptag_…`.
    Tag,
    /// `product_type`, ids `ptyp_…`.
    Type,
}

impl ValueKind {
    pub(super) fn table(self) -> &'static str {
        match self {
            ValueKind::Tag => "product_tag",
            ValueKind::Type => "product_type",
        }
    }

    fn prefix(self) -> &'static str {
        match self {
            ValueKind::Tag => "ptag",
            ValueKind::Type => "ptyp",
        }
    }

    /// Medusa's entity name in messages.
    pub fn label(self) -> &'static str {
        match self {
            ValueKind::Tag => "Product tag",
            ValueKind::Type => "Product type",
        }
    }
}

/// Simple list filters shared by collections, tags, types and categories; empty lists do
/// not filter.
#[derive(Debug, Clone, Default)]
pub struct SimpleFilter {
    /// Only these ids.
    pub ids: Vec<String>,
    /// Only these handles (collections, categories) or values (tags, types).
    pub keys: Vec<String>,
    /// Case-insensitive substring of the title / name / value.
    pub q: Option<String>,
    /// Categories only: parent id (`Some(None)` = roots).
    pub parent: Option<Option<String>>,
    /// Categories only: active and not internal.
    pub public_only: bool,
}

pub(super) fn tag_from(r: &Row, at: usize) -> rusqlite::Result<Tag> {
    Ok(Tag {
        id: r.get(at)?,
        value: r.get(at + 1)?,
        metadata: metadata_from_sql(r.get(at + 2)?),
        created_at: r.get(at + 3)?,
        updated_at: r.get(at + 4)?,
        deleted_at: r.get(at + 5)?,
    })
}

/// Creates a tag or a type.
///
/// # Errors
/// An empty or duplicate value.
pub fn create_value(conn: &Connection, ctx: &Ctx, kind: ValueKind, value: &str) -> Result<Tag> {
    if value.trim().is_empty() {
        return Err(Error::invalid("Invalid request: Field 'value' is required"));
    }
    let id = ctx.id(kind.prefix());
    conn.prepare_cached(&format!(
        "INSERT INTO {} (id, value, created_at, updated_at) VALUES (?1, ?2, ?3, ?3)",
        kind.table()
    ))?
    .execute(params![id, value, ctx.now()])?;
    retrieve_value(conn, kind, &id)
}

/// A tag or type by id.
///
/// # Errors
/// 404 when absent.
pub fn retrieve_value(conn: &Connection, kind: ValueKind, id: &str) -> Result<Tag> {
    let (mut page, _) = list_values(
        conn,
        kind,
        &SimpleFilter {
            ids: vec![id.to_string()],
            ..SimpleFilter::default()
        },
        1,
        0,
    )?;
    page.pop().ok_or_else(|| Error::not_found(kind.label(), id))
}

/// A page of tags or types (by value) and the total.
///
/// # Errors
/// Database failures.
pub fn list_values(
    conn: &Connection,
    kind: ValueKind,
    f: &SimpleFilter,
    limit: u64,
    offset: u64,
) -> Result<(Vec<Tag>, u64)> {
    let cols = "id, value, metadata, created_at, updated_at, deleted_at";
    let (where_sql, args) = simple_where(f, "value", "value");
    page(
        conn,
        kind.table(),
        cols,
        &where_sql,
        "value",
        &args,
        limit,
        offset,
        |r| tag_from(r, 0),
    )
}

/// Tags or types by id (for a page's `type_id`s).
///
/// # Errors
/// Database failures.
pub fn values_by_id(
    conn: &Connection,
    kind: ValueKind,
    ids: &[String],
) -> Result<HashMap<String, Tag>> {
    let f = SimpleFilter {
        ids: ids.to_vec(),
        ..SimpleFilter::default()
    };
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let (list, _) = list_values(conn, kind, &f, u64::MAX, 0)?;
    Ok(list.into_iter().map(|t| (t.id.clone(), t)).collect())
}

pub(super) fn simple_where(
    f: &SimpleFilter,
    key_col: &str,
    q_col: &str,
) -> (String, Vec<Box<dyn ToSql>>) {
    let mut sql = vec!["deleted_at IS NULL".to_string()];
    let mut args: Vec<Box<dyn ToSql>> = Vec::new();
    if !f.ids.is_empty() {
        args.push(Box::new(json_list(&f.ids)));
        sql.push(format!(
            "id IN (SELECT value FROM json_each(?{}))",
            args.len()
        ));
    }
    if !f.keys.is_empty() {
        args.push(Box::new(json_list(&f.keys)));
        sql.push(format!(
            "{key_col} IN (SELECT value FROM json_each(?{}))",
            args.len()
        ));
    }
    if let Some(q) = &f.q {
        args.push(Box::new(q.to_lowercase()));
        sql.push(format!("instr(lower({q_col}), ?{}) > 0", args.len()));
    }
    match &f.parent {
        Some(Some(parent)) => {
            args.push(Box::new(parent.clone()));
            sql.push(format!("parent_category_id = ?{}", args.len()));
        }
        Some(None) => sql.push("parent_category_id IS NULL".into()),
        None => {}
    }
    if f.public_only {
        sql.push("is_active = 1 AND is_internal = 0".into());
    }
    (sql.join(" AND "), args)
}

#[allow(clippy::too_many_arguments)]
pub(super) fn page<T>(
    conn: &Connection,
    table: &str,
    cols: &str,
    where_sql: &str,
    order: &str,
    args: &[Box<dyn ToSql>],
    limit: u64,
    offset: u64,
    map: impl FnMut(&Row) -> rusqlite::Result<T>,
) -> Result<(Vec<T>, u64)> {
    let refs: Vec<&dyn ToSql> = args.iter().map(|a| a.as_ref() as &dyn ToSql).collect();
    let count: u64 = conn
        .prepare_cached(&format!("SELECT count(*) FROM {table} WHERE {where_sql}"))?
        .query_row(refs.as_slice(), |r| r.get::<_, i64>(0))? as u64;
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {cols} FROM {table} WHERE {where_sql} ORDER BY {order}, id LIMIT {} OFFSET {}",
        clamp(limit),
        clamp(offset)
    ))?;
    let rows = stmt.query_map(refs.as_slice(), map)?;
    Ok((rows.collect::<rusqlite::Result<_>>()?, count))
}

const COLLECTION_COLUMNS: &str = "id, title, handle, metadata, created_at, updated_at, deleted_at";

fn collection_from(r: &Row) -> rusqlite::Result<Collection> {
    Ok(Collection {
        id: r.get(0)?,
        title: r.get(1)?,
        handle: r.get(2)?,
        metadata: metadata_from_sql(r.get(3)?),
        created_at: r.get(4)?,
        updated_at: r.get(5)?,
        deleted_at: r.get(6)?,
    })
}

/// Creates a collection; the handle defaults to a slug of the title.
///
/// # Errors
/// An empty title, a duplicate handle.
pub fn create_collection(
    conn: &Connection,
    ctx: &Ctx,
    title: &str,
    handle: Option<&str>,
) -> Result<Collection> {
    if title.trim().is_empty() {
        return Err(Error::invalid("Invalid request: Field 'title' is required"));
    }
    let id = ctx.id("pcol");
    let handle = handle.map_or_else(|| super::write::slug(title), str::to_string);
    conn.prepare_cached_static(
        "INSERT INTO product_collection (id, title, handle, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?4)",
    )?
    .execute(params![id, title, handle, ctx.now()])?;
    retrieve_collection(conn, &id)
}

/// A collection by id.
///
/// # Errors
/// 404 "Collection with id: X was not found".
pub fn retrieve_collection(conn: &Connection, id: &str) -> Result<Collection> {
    conn.prepare_cached_static(crate::sql_text!(
        [],
        "SELECT {COLLECTION_COLUMNS} FROM product_collection WHERE id = ?1 AND deleted_at IS NULL"
    ))?
    .query_row([id], collection_from)
    .optional()?
    .ok_or_else(|| Error::not_found("Collection", id))
}

/// A page of collections (newest first, Medusa's default) and the total.
///
/// # Errors
/// Database failures.
pub fn list_collections(
    conn: &Connection,
    f: &SimpleFilter,
    limit: u64,
    offset: u64,
) -> Result<(Vec<Collection>, u64)> {
    let (where_sql, args) = simple_where(f, "handle", "title");
    page(
        conn,
        "product_collection",
        COLLECTION_COLUMNS,
        &where_sql,
        "created_at DESC",
        &args,
        limit,
        offset,
        collection_from,
    )
}

/// Collections by id (for a page's `collection_id`s).
///
/// # Errors
/// Database failures.
pub fn collections_by_id(conn: &Connection, ids: &[String]) -> Result<HashMap<String, Collection>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let f = SimpleFilter {
        ids: ids.to_vec(),
        ..SimpleFilter::default()
    };
    let (list, _) = list_collections(conn, &f, u64::MAX, 0)?;
    Ok(list.into_iter().map(|c| (c.id.clone(), c)).collect())
}

/// What [`soft_delete`] removes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Deletable {
    /// A category (its children move to the root, its products lose it).
    Category,
    /// A collection (its products leave it).
    Collection,
    /// A tag (products lose it).
    Tag,
    /// A type (products lose it).
    Type,
}

impl Deletable {
    fn table(self) -> &'static str {
        match self {
            Deletable::Category => "product_category",
            Deletable::Collection => "product_collection",
            Deletable::Tag => "product_tag",
            Deletable::Type => "product_type",
        }
    }

    fn label(self) -> &'static str {
        match self {
            Deletable::Category => "Product category",
            Deletable::Collection => "Collection",
            Deletable::Tag => "Product tag",
            Deletable::Type => "Product type",
        }
    }

    /// What products referring to it must forget.
    fn detach(self) -> &'static str {
        match self {
            Deletable::Category => {
                "DELETE FROM product_category_product WHERE product_category_id = ?1;
                 UPDATE product_category SET parent_category_id = NULL WHERE parent_category_id = ?1"
            }
            Deletable::Collection => "UPDATE product SET collection_id = NULL WHERE collection_id = ?1",
            Deletable::Tag => "DELETE FROM product_tags WHERE product_tag_id = ?1",
            Deletable::Type => "UPDATE product SET type_id = NULL WHERE type_id = ?1",
        }
    }
}

/// Soft-deletes a category, collection, tag or type and detaches it from products.
///
/// # Errors
/// 404 "`<Kind>` with id: X was not found".
pub fn soft_delete(conn: &Connection, ctx: &Ctx, kind: Deletable, id: &str) -> Result<()> {
    let changed = conn
        .prepare_cached(&format!(
            "UPDATE {} SET deleted_at = ?2, updated_at = ?2 WHERE id = ?1 AND deleted_at IS NULL",
            kind.table()
        ))?
        .execute(params![id, ctx.now()])?;
    if changed == 0 {
        return Err(Error::not_found(kind.label(), id));
    }
    for statement in kind.detach().split(';') {
        conn.prepare_cached(statement.trim())?.execute([id])?;
    }
    Ok(())
}

/// Published products of these collections, by collection id.
///
/// # Errors
/// Database failures.
pub fn products_of_collections(
    conn: &Connection,
    collection_ids: &[String],
) -> Result<HashMap<String, Vec<Product>>> {
    products_by(
        conn,
        "p.collection_id",
        "product p",
        "p.collection_id IN (SELECT value FROM json_each(?1))",
        collection_ids,
    )
}

pub(super) fn products_by(
    conn: &Connection,
    key: &str,
    from: &str,
    cond: &str,
    ids: &[String],
) -> Result<HashMap<String, Vec<Product>>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {key}, {} FROM {from}
         WHERE {cond} AND p.deleted_at IS NULL AND p.status = 'published'
         ORDER BY {key}, p.created_at, p.pk",
        super::read::COLUMNS
    ))?;
    let mut rows = stmt.query([json_list(ids)])?;
    let mut map: HashMap<String, Vec<Product>> = HashMap::new();
    while let Some(r) = rows.next()? {
        let key: String = r.get(0)?;
        map.entry(key)
            .or_default()
            .push(super::read::product_from(r, 1)?);
    }
    Ok(map)
}

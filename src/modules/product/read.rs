//! Reading products: filtered pages, and batch loaders that fetch one relation for a whole
//! page in one query (`… IN (SELECT value FROM json_each(?))`), so a listing costs the same
//! number of statements whatever its size and whatever the catalog's size.

use super::model::Product;
use crate::error::{Error, Result};
use crate::modules::{clamp, json_list, metadata_from_sql};
use rusqlite::types::ToSql;
use rusqlite::{Connection, OptionalExtension, Row};
use std::collections::HashMap;

/// What a product page is filtered by; empty lists do not filter.
#[derive(Debug, Clone, Default)]
pub struct ProductFilter {
    /// Only these ids.
    pub ids: Vec<String>,
    /// Only these handles.
    pub handles: Vec<String>,
    /// Only these titles.
    pub titles: Vec<String>,
    /// Only these statuses (the store passes `published`).
    pub statuses: Vec<String>,
    /// Free text: every word must prefix-match a searchable column.
    pub q: Option<String>,
    /// In any of these categories (active, non-internal ones when `public_categories`).
    pub category_ids: Vec<String>,
    /// Store semantics for `category_ids`: only active, non-internal categories count.
    pub public_categories: bool,
    /// In any of these collections.
    pub collection_ids: Vec<String>,
    /// Carrying any of these tags.
    pub tag_ids: Vec<String>,
    /// Of any of these types.
    pub type_ids: Vec<String>,
    /// Gift cards only / none.
    pub is_giftcard: Option<bool>,
    /// A condition on `p` with one JSON-list parameter `?`, composed by a flow from another
    /// module's link (`EXISTS (SELECT 1 FROM link_… WHERE product_id = p.id AND …)`).
    pub scope: Option<(String, String)>,
}

/// Sort order of a page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProductOrder {
    /// Column: `created_at`, `updated_at`, `title`, `handle` or `id`.
    pub column: &'static str,
    /// Descending.
    pub descending: bool,
}

impl Default for ProductOrder {
    fn default() -> Self {
        ProductOrder {
            column: "created_at",
            descending: false,
        }
    }
}

impl ProductOrder {
    /// Parses Medusa's `order` (`title`, `-created_at`); unknown columns are refused.
    ///
    /// # Errors
    /// 400 for a column that cannot be sorted on.
    pub fn parse(order: &str) -> Result<ProductOrder> {
        let (descending, name) = match order.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, order),
        };
        let column = match name {
            "created_at" => "created_at",
            "updated_at" => "updated_at",
            "title" => "title",
            "handle" => "handle",
            "id" => "id",
            other => {
                return Err(Error::invalid(format!(
                    "Invalid request: Cannot order by '{other}'"
                )));
            }
        };
        Ok(ProductOrder { column, descending })
    }
}

pub(super) const COLUMNS: &str = "p.id, p.title, p.handle, p.subtitle, p.description, p.is_giftcard, \
    p.status, p.thumbnail, p.weight, p.length, p.height, p.width, p.origin_country, p.hs_code, \
    p.mid_code, p.material, p.discountable, p.external_id, p.collection_id, p.type_id, \
    p.metadata, p.created_at, p.updated_at, p.deleted_at";

fn from_row(r: &Row) -> rusqlite::Result<Product> {
    product_from(r, 0)
}

/// A product from `COLUMNS` starting at column `at`.
pub(super) fn product_from(r: &Row, at: usize) -> rusqlite::Result<Product> {
    Ok(Product {
        id: r.get(at)?,
        title: r.get(at + 1)?,
        handle: r.get(at + 2)?,
        subtitle: r.get(at + 3)?,
        description: r.get(at + 4)?,
        is_giftcard: r.get(at + 5)?,
        status: r.get(at + 6)?,
        thumbnail: r.get(at + 7)?,
        weight: r.get(at + 8)?,
        length: r.get(at + 9)?,
        height: r.get(at + 10)?,
        width: r.get(at + 11)?,
        origin_country: r.get(at + 12)?,
        hs_code: r.get(at + 13)?,
        mid_code: r.get(at + 14)?,
        material: r.get(at + 15)?,
        discountable: r.get(at + 16)?,
        external_id: r.get(at + 17)?,
        collection_id: r.get(at + 18)?,
        type_id: r.get(at + 19)?,
        metadata: metadata_from_sql(r.get(at + 20)?),
        created_at: r.get(at + 21)?,
        updated_at: r.get(at + 22)?,
        deleted_at: r.get(at + 23)?,
    })
}

/// A live product by id, whatever its status.
///
/// # Errors
/// 404 "Product with id: X was not found".
pub fn retrieve_any(conn: &Connection, id: &str) -> Result<Product> {
    conn.prepare_cached_static(crate::sql_text!(
        [],
        "SELECT {COLUMNS} FROM product p WHERE p.id = ?1 AND p.deleted_at IS NULL"
    ))?
    .query_row([id], from_row)
    .optional()?
    .ok_or_else(|| Error::not_found("Product", id))
}

/// A live product by id that also passes `filter` (status, scope…).
///
/// # Errors
/// 404 "Product with id: X was not found".
pub fn retrieve(conn: &Connection, id: &str, filter: &ProductFilter) -> Result<Product> {
    let filter = ProductFilter {
        ids: vec![id.to_string()],
        ..filter.clone()
    };
    let (mut page, _) = list_inner(conn, &filter, &ProductOrder::default(), 1, 0, false)?;
    page.pop().ok_or_else(|| Error::not_found("Product", id))
}

/// A page of live products matching `filter`, and (when `with_count`) how many match in all.
///
/// # Errors
/// Database failures.
pub fn list(
    conn: &Connection,
    filter: &ProductFilter,
    order: &ProductOrder,
    limit: u64,
    offset: u64,
) -> Result<(Vec<Product>, u64)> {
    list_inner(conn, filter, order, limit, offset, true)
}

fn list_inner(
    conn: &Connection,
    filter: &ProductFilter,
    order: &ProductOrder,
    limit: u64,
    offset: u64,
    with_count: bool,
) -> Result<(Vec<Product>, u64)> {
    let rows = page(conn, filter, order, limit, offset)?;
    let count = if with_count {
        count(conn, filter)?
    } else {
        rows.len() as u64
    };
    Ok((rows, count))
}

/// How many live products match `filter`.
///
/// # Errors
/// Database failures.
pub fn count(conn: &Connection, filter: &ProductFilter) -> Result<u64> {
    let (where_sql, args) = where_clause(filter);
    let refs: Vec<&dyn ToSql> = args.iter().map(|a| a.as_ref() as &dyn ToSql).collect();
    let n: i64 = conn
        .prepare_cached(&format!("SELECT count(*) FROM product p WHERE {where_sql}"))?
        .query_row(refs.as_slice(), |r| r.get(0))?;
    Ok(n.max(0) as u64)
}

/// The ids of one page of live products matching `filter` (for callers that have the rest
/// memoized).
///
/// # Errors
/// Database failures.
pub fn page_ids(
    conn: &Connection,
    filter: &ProductFilter,
    order: &ProductOrder,
    limit: u64,
    offset: u64,
) -> Result<Vec<String>> {
    let (where_sql, args) = where_clause(filter);
    let refs: Vec<&dyn ToSql> = args.iter().map(|a| a.as_ref() as &dyn ToSql).collect();
    let mut stmt = conn.prepare_cached(&page_sql("p.id", &where_sql, order, limit, offset))?;
    let rows = stmt.query_map(refs.as_slice(), |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Live products by id, in the order of `ids` (unknown ids are skipped).
///
/// # Errors
/// Database failures.
pub fn by_ids(conn: &Connection, ids: &[String]) -> Result<Vec<Product>> {
    let mut stmt = conn.prepare_cached_static(crate::sql_text!(
        [],
        "SELECT {COLUMNS} FROM product p
         WHERE p.id IN (SELECT value FROM json_each(?1)) AND p.deleted_at IS NULL"
    ))?;
    let mut rows: HashMap<String, Product> = stmt
        .query_map([json_list(ids)], from_row)?
        .map(|r| r.map(|p| (p.id.clone(), p)))
        .collect::<rusqlite::Result<_>>()?;
    Ok(ids.iter().filter_map(|id| rows.remove(id)).collect())
}

// LIMIT/OFFSET as literals: bound, they make SQLite re-prepare the statement on every run
// (measured); as integers they cannot inject anything.
fn page_sql(
    columns: &str,
    where_sql: &str,
    order: &ProductOrder,
    limit: u64,
    offset: u64,
) -> String {
    let direction = if order.descending { "DESC" } else { "ASC" };
    format!(
        "SELECT {columns} FROM product p WHERE {where_sql}
         ORDER BY p.{c} {direction}, p.pk {direction} LIMIT {l} OFFSET {o}",
        c = order.column,
        l = clamp(limit),
        o = clamp(offset),
    )
}

/// One page of live products matching `filter`, without the total.
///
/// # Errors
/// Database failures.
pub fn page(
    conn: &Connection,
    filter: &ProductFilter,
    order: &ProductOrder,
    limit: u64,
    offset: u64,
) -> Result<Vec<Product>> {
    let (where_sql, args) = where_clause(filter);
    let refs: Vec<&dyn ToSql> = args.iter().map(|a| a.as_ref() as &dyn ToSql).collect();
    let sql = page_sql(COLUMNS, &where_sql, order, limit, offset);
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(refs.as_slice(), from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

type Args = Vec<Box<dyn ToSql>>;

const STATUSES: [&str; 4] = ["draft", "proposed", "published", "rejected"];

/// Adds `clause` (with `?` for a JSON list of `items`) unless `items` is empty.
fn list_in(sql: &mut Vec<String>, args: &mut Args, clause: &str, items: &[String]) {
    if !items.is_empty() {
        args.push(Box::new(json_list(items)));
        sql.push(clause.replace('?', &format!("?{}", args.len())));
    }
}

fn where_clause(f: &ProductFilter) -> (String, Args) {
    let mut sql = vec!["p.deleted_at IS NULL".to_string()];
    let mut args: Args = Vec::new();
    let each = "(SELECT value FROM json_each(?))";
    // One known status is a literal equality, so the (status, created_at, pk) index drives
    // the page and the cached statement is not re-prepared on every bind.
    if let [status] = f.statuses.as_slice()
        && let Some(known) = STATUSES.iter().find(|s| *s == status)
    {
        sql.push(format!("p.status = '{known}'"));
    } else {
        list_in(
            &mut sql,
            &mut args,
            &format!("p.status IN {each}"),
            &f.statuses,
        );
    }
    list_in(&mut sql, &mut args, &format!("p.id IN {each}"), &f.ids);
    list_in(
        &mut sql,
        &mut args,
        &format!("p.handle IN {each}"),
        &f.handles,
    );
    list_in(
        &mut sql,
        &mut args,
        &format!("p.title IN {each}"),
        &f.titles,
    );
    list_in(
        &mut sql,
        &mut args,
        &format!("p.collection_id IN {each}"),
        &f.collection_ids,
    );
    list_in(
        &mut sql,
        &mut args,
        &format!("p.type_id IN {each}"),
        &f.type_ids,
    );
    list_in(
        &mut sql,
        &mut args,
        &format!("p.id IN (SELECT product_id FROM product_tags WHERE product_tag_id IN {each})"),
        &f.tag_ids,
    );
    let public = if f.public_categories {
        " AND c.is_active = 1 AND c.is_internal = 0 AND c.deleted_at IS NULL"
    } else {
        ""
    };
    list_in(
        &mut sql,
        &mut args,
        &format!(
            "p.id IN (SELECT cp.product_id FROM product_category_product cp
              JOIN product_category c ON c.id = cp.product_category_id
              WHERE cp.product_category_id IN {each}{public})"
        ),
        &f.category_ids,
    );
    if let Some((scope, param)) = &f.scope {
        args.push(Box::new(param.clone()));
        sql.push(scope.replace('?', &format!("?{}", args.len())));
    }
    if let Some(giftcard) = f.is_giftcard {
        sql.push(format!("p.is_giftcard = {}", i32::from(giftcard)));
    }
    if let Some(query) = f.q.as_deref().and_then(fts_query) {
        args.push(Box::new(query));
        sql.push(format!(
            "p.pk IN (SELECT rowid FROM product_fts WHERE product_fts MATCH ?{})",
            args.len()
        ));
    }
    (sql.join(" AND "), args)
}

/// Turns free text into an FTS5 query: each word a quoted prefix term, all required.
/// `None` when there is no word at all (then nothing is filtered).
pub(crate) fn fts_query(q: &str) -> Option<String> {
    let terms: Vec<String> = q
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| format!("\"{w}\"*"))
        .collect();
    (!terms.is_empty()).then(|| terms.join(" "))
}

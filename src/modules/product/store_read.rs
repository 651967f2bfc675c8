//! Variants and options read on their own (`/store/product-variants`,
//! `/store/product-options`): filtered pages of the rows whose product passes a
//! [`ProductScope`] (the store passes "published, in the key's channels").

use super::model::{OptionValue, ProductOption, Variant};
use super::relations::{
    OPTION_COLUMNS, VALUE_COLUMNS, VARIANT_COLUMNS, option_from, value_from, variant_from,
};
use crate::error::{Error, Result};
use crate::modules::json_list;
use rusqlite::Connection;
use rusqlite::types::ToSql;
use std::collections::HashMap;

type Args = Vec<Box<dyn ToSql>>;

/// Which products' variants / options are visible.
#[derive(Debug, Clone, Default)]
pub struct ProductScope {
    /// Only products in these statuses (empty: any).
    pub statuses: Vec<String>,
    /// A condition on `p` with one JSON-list parameter `?` (a link, composed by a flow).
    pub scope: Option<(String, String)>,
}

/// Filters of a variant page; empty lists and `None` do not filter.
#[derive(Debug, Clone, Default)]
pub struct VariantFilter {
    /// Only these ids.
    pub ids: Vec<String>,
    /// Only these SKUs.
    pub skus: Vec<String>,
    /// Only variants of these products.
    pub product_ids: Vec<String>,
    /// Having an option value equal to this (`options[value]`).
    pub option_value: Option<String>,
    /// Having a value of this option (`options[option_id]`).
    pub option_id: Option<String>,
    /// `allow_backorder`.
    pub allow_backorder: Option<bool>,
    /// `manage_inventory`.
    pub manage_inventory: Option<bool>,
    /// Case-insensitive substring of title, SKU, barcode, EAN or UPC.
    pub q: Option<String>,
}

/// Filters of an option page.
#[derive(Debug, Clone, Default)]
pub struct OptionFilter {
    /// Only these ids.
    pub ids: Vec<String>,
    /// Only these titles.
    pub titles: Vec<String>,
    /// Case-insensitive substring of the title.
    pub q: Option<String>,
    /// `is_exclusive` (every option here is exclusive to its product).
    pub is_exclusive: Option<bool>,
}

/// A sort order: a whitelisted column, descending or not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Order {
    /// The column.
    pub column: &'static str,
    /// Descending.
    pub descending: bool,
}

impl Order {
    /// Parses Medusa's `order` (`title`, `-created_at`) against the columns allowed.
    ///
    /// # Errors
    /// 400 for a column that cannot be sorted on.
    pub fn parse(order: &str, allowed: &[&'static str]) -> Result<Order> {
        let (descending, name) = match order.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, order),
        };
        let column = allowed
            .iter()
            .find(|c| **c == name)
            .ok_or_else(|| Error::invalid(format!("Invalid request: Cannot order by '{name}'")))?;
        Ok(Order { column, descending })
    }

    fn sql(&self) -> String {
        let dir = if self.descending { "DESC" } else { "ASC" };
        format!("{} {dir}, id {dir}", self.column)
    }
}

/// Columns a variant page may be ordered by.
pub const VARIANT_ORDER: &[&str] = &[
    "id",
    "title",
    "sku",
    "variant_rank",
    "created_at",
    "updated_at",
];
/// Columns an option page may be ordered by.
pub const OPTION_ORDER: &[&str] = &["id", "title", "created_at", "updated_at"];

fn push(sql: &mut Vec<String>, args: &mut Args, clause: &str, arg: Box<dyn ToSql>) {
    args.push(arg);
    sql.push(clause.replace('?', &format!("?{}", args.len())));
}

fn push_list(sql: &mut Vec<String>, args: &mut Args, column: &str, items: &[String]) {
    if !items.is_empty() {
        let clause = format!("{column} IN (SELECT value FROM json_each(?))");
        push(sql, args, &clause, Box::new(json_list(items)));
    }
}

/// `product_id IN (…products in scope…)`.
fn scoped(sql: &mut Vec<String>, args: &mut Args, scope: &ProductScope) {
    let mut inner = vec!["p.deleted_at IS NULL".to_string()];
    push_list(&mut inner, args, "p.status", &scope.statuses);
    if let Some((condition, param)) = &scope.scope {
        push(&mut inner, args, condition, Box::new(param.clone()));
    }
    sql.push(format!(
        "product_id IN (SELECT p.id FROM product p WHERE {})",
        inner.join(" AND ")
    ));
}

fn like(q: &str) -> String {
    let escaped = q
        .to_lowercase()
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

fn variant_where(scope: &ProductScope, f: &VariantFilter) -> (String, Args) {
    let mut sql = vec!["deleted_at IS NULL".to_string()];
    let mut args: Args = Vec::new();
    scoped(&mut sql, &mut args, scope);
    push_list(&mut sql, &mut args, "id", &f.ids);
    push_list(&mut sql, &mut args, "sku", &f.skus);
    push_list(&mut sql, &mut args, "product_id", &f.product_ids);
    let values = "id IN (SELECT vo.variant_id FROM product_variant_option vo \
        JOIN product_option_value ov ON ov.id = vo.option_value_id \
        WHERE ov.deleted_at IS NULL AND ";
    if let Some(value) = &f.option_value {
        let clause = format!("{values}ov.value = ?)");
        push(&mut sql, &mut args, &clause, Box::new(value.clone()));
    }
    if let Some(option) = &f.option_id {
        let clause = format!("{values}ov.option_id = ?)");
        push(&mut sql, &mut args, &clause, Box::new(option.clone()));
    }
    for (column, value) in [
        ("allow_backorder", f.allow_backorder),
        ("manage_inventory", f.manage_inventory),
    ] {
        if let Some(b) = value {
            sql.push(format!("{column} = {}", i32::from(b)));
        }
    }
    if let Some(q) = f.q.as_deref().filter(|q| !q.trim().is_empty()) {
        let columns = ["title", "sku", "barcode", "ean", "upc"]
            .map(|c| format!("lower(coalesce({c}, '')) LIKE ? ESCAPE '\\'"))
            .join(" OR ");
        let clause = format!("({})", columns.replace('?', "?#"));
        args.push(Box::new(like(q)));
        sql.push(clause.replace("?#", &format!("?{}", args.len())));
    }
    (sql.join(" AND "), args)
}

fn refs(args: &Args) -> Vec<&dyn ToSql> {
    args.iter().map(AsRef::as_ref).collect()
}

/// A page of variants and the total matching.
///
/// # Errors
/// Database failures.
pub fn variant_page(
    conn: &Connection,
    scope: &ProductScope,
    filter: &VariantFilter,
    order: Order,
    (limit, offset): (u64, u64),
) -> Result<(Vec<Variant>, u64)> {
    let (clause, args) = variant_where(scope, filter);
    let count: i64 = conn.query_row(
        &format!("SELECT count(*) FROM product_variant WHERE {clause}"),
        refs(&args).as_slice(),
        |r| r.get(0),
    )?;
    let sql = format!(
        "SELECT {VARIANT_COLUMNS} FROM product_variant WHERE {clause} ORDER BY {} LIMIT {} OFFSET {}",
        order.sql(),
        i64::try_from(limit).unwrap_or(i64::MAX),
        i64::try_from(offset).unwrap_or(i64::MAX),
    );
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map(refs(&args).as_slice(), variant_from)?;
    let variants = rows.collect::<rusqlite::Result<Vec<_>>>()?;
    Ok((variants, u64::try_from(count).unwrap_or(0)))
}

fn option_where(scope: &ProductScope, f: &OptionFilter) -> (String, Args) {
    let mut sql = vec!["deleted_at IS NULL".to_string()];
    let mut args: Args = Vec::new();
    scoped(&mut sql, &mut args, scope);
    push_list(&mut sql, &mut args, "id", &f.ids);
    push_list(&mut sql, &mut args, "title", &f.titles);
    if f.is_exclusive == Some(false) {
        sql.push("0".into());
    }
    if let Some(q) = f.q.as_deref().filter(|q| !q.trim().is_empty()) {
        let clause = "lower(title) LIKE ? ESCAPE '\\'";
        push(&mut sql, &mut args, clause, Box::new(like(q)));
    }
    (sql.join(" AND "), args)
}

/// A page of options and the total matching.
///
/// # Errors
/// Database failures.
pub fn option_page(
    conn: &Connection,
    scope: &ProductScope,
    filter: &OptionFilter,
    order: Order,
    (limit, offset): (u64, u64),
) -> Result<(Vec<ProductOption>, u64)> {
    let (clause, args) = option_where(scope, filter);
    let count: i64 = conn.query_row(
        &format!("SELECT count(*) FROM product_option WHERE {clause}"),
        refs(&args).as_slice(),
        |r| r.get(0),
    )?;
    let sql = format!(
        "SELECT {OPTION_COLUMNS} FROM product_option o WHERE {clause} ORDER BY {} LIMIT {} OFFSET {}",
        order.sql(),
        i64::try_from(limit).unwrap_or(i64::MAX),
        i64::try_from(offset).unwrap_or(i64::MAX),
    );
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map(refs(&args).as_slice(), |r| option_from(r, 0))?;
    let options = rows.collect::<rusqlite::Result<Vec<_>>>()?;
    Ok((options, u64::try_from(count).unwrap_or(0)))
}

/// Live values of these options, by option id, in rank then id order.
///
/// # Errors
/// Database failures.
pub fn values_of(
    conn: &Connection,
    option_ids: &[String],
) -> Result<HashMap<String, Vec<OptionValue>>> {
    let mut stmt = conn.prepare_cached_static(crate::sql_text!(
        [],
        "SELECT {VALUE_COLUMNS} FROM product_option_value v
         WHERE v.option_id IN (SELECT value FROM json_each(?1)) AND v.deleted_at IS NULL
         ORDER BY v.option_id, v.rank, v.id"
    ))?;
    let rows = stmt.query_map([json_list(option_ids)], |r| value_from(r, 0))?;
    let mut map: HashMap<String, Vec<OptionValue>> = HashMap::new();
    for row in rows {
        let value = row?;
        map.entry(value.option_id.clone()).or_default().push(value);
    }
    Ok(map)
}

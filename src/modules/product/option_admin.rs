//! Options as their own admin family (`/admin/product-options`, Medusa 2.16+): filtered pages
//! of options with their values, one option, its values, one value; an option's metadata
//! and value ranks, a value's text and metadata, a value deleted (variants lose it). Every
//! option here belongs to one product (`is_exclusive: true`): Stockroom has no options shared
//! between products, so a filter for shared ones finds none.

use super::model::{OptionValue, ProductOption};
use super::relations::{OPTION_COLUMNS, VALUE_COLUMNS, option_from, value_from};
use crate::ctx::Ctx;
use crate::error::{Error, Result};
use crate::modules::{clamp, json_list};
use rusqlite::{Connection, OptionalExtension, params};
use serde_json::Value;

/// Filters of [`list`] (all optional; lists match any of their entries).
#[derive(Debug, Clone, Default)]
pub struct OptionFilter {
    /// Exact ids.
    pub ids: Vec<String>,
    /// Exact titles.
    pub titles: Vec<String>,
    /// Case-insensitive substring of the title.
    pub q: Option<String>,
    /// `Some(false)` asks for shared options: there are none.
    pub is_exclusive: Option<bool>,
}

/// Filters of [`values`].
#[derive(Debug, Clone, Default)]
pub struct ValueFilter {
    /// Exact ids.
    pub ids: Vec<String>,
    /// Exact values.
    pub values: Vec<String>,
    /// Case-insensitive substring of the value.
    pub q: Option<String>,
}

/// An option with its live values (by rank, then creation).
pub type OptionDoc = (ProductOption, Vec<OptionValue>);

fn values_of(conn: &Connection, option_id: &str) -> Result<Vec<OptionValue>> {
    let mut stmt = conn.prepare_cached_static(crate::sql_text!(
        [],
        "SELECT {VALUE_COLUMNS} FROM product_option_value v
         WHERE v.option_id = ?1 AND v.deleted_at IS NULL
         ORDER BY v.rank IS NULL, v.rank, v.id"
    ))?;
    let rows = stmt.query_map([option_id], |r| value_from(r, 0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// A page of live options (oldest first) with their values, and the count.
///
/// # Errors
/// Database failures.
pub fn list(
    conn: &Connection,
    filter: &OptionFilter,
    offset: u64,
    limit: u64,
) -> Result<(Vec<OptionDoc>, u64)> {
    if filter.is_exclusive == Some(false) {
        return Ok((Vec::new(), 0));
    }
    let conditions = "o.deleted_at IS NULL
        AND (?1 = '[]' OR o.id IN (SELECT value FROM json_each(?1)))
        AND (?2 = '[]' OR o.title IN (SELECT value FROM json_each(?2)))
        AND (?3 IS NULL OR instr(lower(o.title), lower(?3)) > 0)";
    let (ids, titles) = (json_list(&filter.ids), json_list(&filter.titles));
    let count: i64 = conn
        .prepare_cached(&format!(
            "SELECT count(*) FROM product_option o WHERE {conditions}"
        ))?
        .query_row(params![ids, titles, filter.q], |r| r.get(0))?;
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {OPTION_COLUMNS} FROM product_option o WHERE {conditions}
         ORDER BY o.created_at, o.id LIMIT ?4 OFFSET ?5"
    ))?;
    let options: Vec<ProductOption> = stmt
        .query_map(
            params![ids, titles, filter.q, clamp(limit), clamp(offset)],
            |r| option_from(r, 0),
        )?
        .collect::<rusqlite::Result<_>>()?;
    let docs = options
        .into_iter()
        .map(|o| {
            let values = values_of(conn, &o.id)?;
            Ok((o, values))
        })
        .collect::<Result<Vec<_>>>()?;
    Ok((docs, u64::try_from(count).unwrap_or(0)))
}

/// One live option with its values.
///
/// # Errors
/// 404 "Product option with id: X was not found".
pub fn retrieve(conn: &Connection, id: &str) -> Result<OptionDoc> {
    let option = conn
        .prepare_cached_static(crate::sql_text!(
            [],
            "SELECT {OPTION_COLUMNS} FROM product_option o WHERE o.id = ?1 AND o.deleted_at IS NULL"
        ))?
        .query_row([id], |r| option_from(r, 0))
        .optional()?
        .ok_or_else(|| Error::not_found("Product option", id))?;
    let values = values_of(conn, id)?;
    Ok((option, values))
}

/// A page of an option's live values and the count.
///
/// # Errors
/// 404 for an unknown option.
pub fn values(
    conn: &Connection,
    option_id: &str,
    filter: &ValueFilter,
    offset: u64,
    limit: u64,
) -> Result<(Vec<OptionValue>, u64)> {
    retrieve(conn, option_id)?;
    let all: Vec<OptionValue> = values_of(conn, option_id)?
        .into_iter()
        .filter(|v| filter.ids.is_empty() || filter.ids.contains(&v.id))
        .filter(|v| filter.values.is_empty() || filter.values.contains(&v.value))
        .filter(|v| {
            filter
                .q
                .as_deref()
                .is_none_or(|q| v.value.to_lowercase().contains(&q.to_lowercase()))
        })
        .collect();
    let count = all.len() as u64;
    let page = all
        .into_iter()
        .skip(usize::try_from(offset).unwrap_or(usize::MAX))
        .take(usize::try_from(limit).unwrap_or(usize::MAX))
        .collect();
    Ok((page, count))
}

/// One live value of option `option_id`.
///
/// # Errors
/// 404 with Medusa's message when the value is not a live value of that option.
pub fn value(conn: &Connection, option_id: &str, value_id: &str) -> Result<OptionValue> {
    values_of(conn, option_id)?
        .into_iter()
        .find(|v| v.id == value_id)
        .ok_or_else(|| {
            Error::NotFound(format!(
                "Product option value with id \"{value_id}\" was not found for option with id \"{option_id}\""
            ))
        })
}

/// Replaces an option's metadata (`None` clears it).
///
/// # Errors
/// 404 for an unknown option.
pub fn set_metadata(
    conn: &Connection,
    ctx: &Ctx,
    id: &str,
    metadata: Option<&Value>,
) -> Result<()> {
    retrieve(conn, id)?;
    conn.prepare_cached_static(
        "UPDATE product_option SET metadata = ?2, updated_at = ?3 WHERE id = ?1",
    )?
    .execute(params![id, metadata.map(Value::to_string), ctx.now()])?;
    Ok(())
}

/// Sets the rank of each named value of option `id` (`value text → rank`).
///
/// # Errors
/// 404 for an unknown option; 400 for a value the option does not have.
pub fn set_ranks(conn: &Connection, ctx: &Ctx, id: &str, ranks: &[(String, i64)]) -> Result<()> {
    let (_, values) = retrieve(conn, id)?;
    for (text, rank) in ranks {
        let found = values
            .iter()
            .find(|v| &v.value == text)
            .ok_or_else(|| Error::invalid(format!("Option {id} has no value {text} to rank")))?;
        conn.prepare_cached_static(
            "UPDATE product_option_value SET rank = ?2, updated_at = ?3 WHERE id = ?1",
        )?
        .execute(params![found.id, rank, ctx.now()])?;
    }
    Ok(())
}

/// Changes a value's text and/or metadata (`Some(None)` clears the metadata).
///
/// # Errors
/// 404 as [`value`]; 400 for a blank value or one the option already has.
pub fn update_value(
    conn: &Connection,
    ctx: &Ctx,
    (option_id, value_id): (&str, &str),
    text: Option<&str>,
    metadata: Option<Option<&Value>>,
) -> Result<()> {
    let current = value(conn, option_id, value_id)?;
    if let Some(text) = text {
        if text.trim().is_empty() {
            return Err(Error::invalid(
                "Invalid request: Field 'value' cannot be empty",
            ));
        }
        let taken = values_of(conn, option_id)?
            .iter()
            .any(|v| v.value == text && v.id != value_id);
        if taken {
            return Err(Error::invalid(format!(
                "Option {option_id} already has the value {text}"
            )));
        }
    }
    let metadata = match metadata {
        Some(m) => m.cloned(),
        None => current.metadata.clone(),
    };
    conn.prepare_cached_static(
        "UPDATE product_option_value SET value = ?2, metadata = ?3, updated_at = ?4 WHERE id = ?1",
    )?
    .execute(params![
        value_id,
        text.unwrap_or(&current.value),
        metadata.as_ref().map(Value::to_string),
        ctx.now()
    ])?;
    Ok(())
}

/// Soft-deletes a value; the variants that had it lose it.
///
/// # Errors
/// 404 as [`value`].
pub fn delete_value(conn: &Connection, ctx: &Ctx, option_id: &str, value_id: &str) -> Result<()> {
    value(conn, option_id, value_id)?;
    conn.prepare_cached_static("DELETE FROM product_variant_option WHERE option_value_id = ?1")?
        .execute([value_id])?;
    conn.prepare_cached_static(
        "UPDATE product_option_value SET deleted_at = ?2, updated_at = ?2 WHERE id = ?1",
    )?
    .execute(params![value_id, ctx.now()])?;
    Ok(())
}

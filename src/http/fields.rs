//! Applying a `fields=` selection to a serialized entity: scalars stay when selected,
//! relations stay (and are projected in turn) when the selection reaches them. Which keys
//! are relations is the route's knowledge, passed in as `(path, key)` pairs.

use super::query::{FieldSelection, QueryError, list_params, parse_fields};
use crate::error::{Error, Result};
use serde_json::{Map, Value};

/// Relations of an entity graph: keys that hold related entities wherever they appear
/// (`variants`, `options`, `category_children`). Paths listed as opaque are kept whole when
/// selected (computed objects such as `variants.calculated_price`).
pub struct Graph {
    /// Relation keys.
    pub relations: &'static [&'static str],
    /// Computed objects kept whole when selected.
    pub opaque: &'static [&'static str],
    /// Paths always kept whole with their parent (a variant option's `option`).
    pub embedded: &'static [&'static str],
}

fn join(parent: &str, key: &str) -> String {
    if parent.is_empty() {
        key.to_string()
    } else {
        format!("{parent}.{key}")
    }
}

/// Keeps in `object` (at `path`) what `selection` asks for.
pub fn project(
    object: &mut Map<String, Value>,
    selection: &FieldSelection,
    graph: &Graph,
    path: &str,
) {
    object.retain(|key, value| {
        let full = join(path, key);
        if graph.embedded.contains(&full.as_str()) {
            return true;
        }
        if graph.opaque.contains(&full.as_str()) {
            return selection.includes_relation(&full);
        }
        if !graph.relations.contains(&key.as_str()) {
            return key == "id" || selection.includes(&full);
        }
        if !selection.includes_relation(&full) {
            return false;
        }
        match value {
            Value::Array(items) => {
                for item in items.iter_mut() {
                    if let Value::Object(map) = item {
                        project(map, selection, graph, &full);
                    }
                }
            }
            Value::Object(map) => project(map, selection, graph, &full),
            _ => {}
        }
        true
    });
}

/// The selection of a request: its `fields` applied to `defaults` (the defaults as they are
/// when `fields` is absent), plus `extra` entries the route adds (e.g. prices for a region).
pub fn selection(fields: Option<&str>, defaults: &[&str], extra: &[&str]) -> FieldSelection {
    match fields {
        Some(f) => {
            let mut text = f.to_string();
            for e in extra {
                text.push(',');
                text.push_str(e);
            }
            parse_fields(&text, defaults)
        }
        None => {
            let all: Vec<&str> = defaults.iter().chain(extra).copied().collect();
            FieldSelection::from_defaults(&all)
        }
    }
}

/// Medusa's store restriction: no field path may go through `order` / `orders`.
///
/// # Errors
/// 400 "Requested fields [..] are not valid".
pub fn check_restricted(selection: &FieldSelection) -> Result<()> {
    let bad: Vec<&String> = selection
        .fields()
        .iter()
        .chain(selection.star_relations())
        .filter(|f| f.split('.').any(|s| s == "order" || s == "orders"))
        .collect();
    if bad.is_empty() {
        return Ok(());
    }
    let list: Vec<&str> = bad.iter().map(|s| s.as_str()).collect();
    Err(Error::invalid(format!(
        "Requested fields [{}] are not valid",
        list.join(", ")
    )))
}

/// Pagination with a route default limit: `(limit, offset, order, fields)`.
///
/// # Errors
/// 400 with Medusa's zod messages.
pub fn page(
    query: &Map<String, Value>,
    default_limit: u64,
) -> Result<(u64, u64, Option<String>, Option<String>)> {
    let p = list_params(query).map_err(query_error)?;
    Ok((
        p.limit.unwrap_or(default_limit),
        p.offset.unwrap_or(0),
        p.order,
        p.fields,
    ))
}

/// A query error as Medusa's 400 `invalid_data`.
pub fn query_error(e: QueryError) -> Error {
    Error::InvalidData(e.0)
}

/// A `string | string[]` filter.
///
/// # Errors
/// 400 for other shapes.
pub fn strings(query: &Map<String, Value>, key: &str) -> Result<Vec<String>> {
    super::query::string_list(query, key).map_err(query_error)
}

/// The `id` filter of a list: one id, or several (`id=a&id=b`, `id[]=a&id[]=b`), taken
/// exactly as sent (no comma splitting, as on Medusa); empty when not sent.
///
/// # Errors
/// 400 for other shapes.
pub fn ids(query: &Map<String, Value>) -> Result<Vec<String>> {
    super::query::exact_list(query, "id").map_err(query_error)
}

/// A boolean sent as a string (`"true"`/`"false"`).
///
/// # Errors
/// 400 for anything else.
pub fn boolean(query: &Map<String, Value>, key: &str) -> Result<Option<bool>> {
    match query.get(key) {
        None => Ok(None),
        Some(Value::String(s)) if s == "true" => Ok(Some(true)),
        Some(Value::String(s)) if s == "false" => Ok(Some(false)),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(_) => Err(Error::invalid(format!(
            "Invalid request: Expected type: 'boolean' for field '{key}', got: 'string'"
        ))),
    }
}

/// A single string parameter.
///
/// # Errors
/// 400 when it is not a string.
pub fn string(query: &Map<String, Value>, key: &str) -> Result<Option<String>> {
    match query.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(Error::invalid(format!(
            "Invalid request: Expected type: 'string' for field '{key}', got: 'array'"
        ))),
    }
}

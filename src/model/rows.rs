//! Generic row access for any module table (`id` + columns), used by models and by the link
//! query helper: rows come back as JSON objects, column by column.

use crate::error::{Error, Result};
use rusqlite::Connection;
use rusqlite::types::Value as Sql;
use serde_json::{Map, Value};

/// Table and column names are spliced into SQL, so only plain identifiers are accepted.
pub fn check_identifier(name: &str) -> Result<&str> {
    let ok = !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    ok.then_some(name).ok_or_else(|| {
        Error::UnexpectedState(format!("'{name}' is not a plain table or column name"))
    })
}

/// The columns of `table`, in order.
///
/// # Errors
/// A bad identifier; database failures.
pub fn columns(conn: &Connection, table: &str) -> Result<Vec<String>> {
    let sql = format!(
        "SELECT name FROM pragma_table_info('{}')",
        check_identifier(table)?
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    Ok(stmt
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?)
}

/// Live rows of `table` with these ids, as JSON objects, in id order. Rows with a non-null
/// `deleted_at` are skipped (tables without that column are read whole). The statement is
/// cached and its column names come from the statement itself: no schema query per call.
///
/// # Errors
/// A bad identifier; database failures.
pub fn load_rows(conn: &Connection, table: &str, ids: &[String]) -> Result<Vec<Value>> {
    let table = check_identifier(table)?;
    let sql = match ids.len() {
        0 => return Ok(Vec::new()),
        // One id (most calls): no list of placeholders to build.
        1 => format!("SELECT * FROM {table} WHERE id = ?1"),
        n => {
            let marks: Vec<String> = (1..=n).map(|i| format!("?{i}")).collect();
            format!(
                "SELECT * FROM {table} WHERE id IN ({}) ORDER BY id",
                marks.join(", ")
            )
        }
    };
    let mut stmt = conn.prepare_cached(&sql)?;
    let width = stmt.column_count();
    let deleted = (0..width).find(|&i| stmt.column_name(i).is_ok_and(|c| c == "deleted_at"));
    let mut out = Vec::with_capacity(ids.len());
    for_each_row(&mut stmt, ids, |r| {
        if let Some(i) = deleted
            && !matches!(r.get_ref(i)?, rusqlite::types::ValueRef::Null)
        {
            return Ok(());
        }
        let mut map = Map::new();
        for i in 0..width {
            let name = r.as_ref().column_name(i)?;
            map.insert(name.to_string(), sql_to_json(r.get::<_, Sql>(i)?));
        }
        out.push(Value::Object(map));
        Ok(())
    })?;
    Ok(out)
}

/// Runs `stmt` with `ids` bound and hands each row to `each`.
fn for_each_row(
    stmt: &mut rusqlite::Statement,
    ids: &[String],
    mut each: impl FnMut(&rusqlite::Row) -> rusqlite::Result<()>,
) -> Result<()> {
    let mut rows = stmt.query(rusqlite::params_from_iter(ids))?;
    while let Some(r) = rows.next()? {
        each(r)?;
    }
    Ok(())
}

/// SQLite value → JSON (BLOBs become null: no module stores them).
pub fn sql_to_json(v: Sql) -> Value {
    match v {
        Sql::Null | Sql::Blob(_) => Value::Null,
        Sql::Integer(i) => Value::from(i),
        Sql::Real(f) => serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number),
        Sql::Text(t) => Value::String(t),
    }
}

/// The type name zod would report for a JSON value.
pub fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// "loyalty_account" → "Loyalty account" (for "X with id: … was not found").
pub fn humanize(table: &str) -> String {
    let text = table.replace('_', " ");
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().collect::<String>() + chars.as_str(),
        None => text,
    }
}

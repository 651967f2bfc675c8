//! Conversions between a field's JSON value and its SQLite column.

use super::{Field, FieldType, rows};
use crate::error::{Error, Result};
use rusqlite::types::Value as Sql;
use serde_json::{Map, Value};

pub(super) fn type_fits(field: &Field, v: &Value) -> bool {
    match (field.ty, v) {
        (_, Value::Null) => field.nullable,
        (FieldType::Text, Value::String(_))
        | (FieldType::Boolean, Value::Bool(_))
        | (FieldType::Json, _) => true,
        (FieldType::Integer, Value::Number(n)) => n.is_i64(),
        _ => false,
    }
}

pub(super) fn to_sql(field: &Field, v: &Value) -> Sql {
    match (field.ty, v) {
        (_, Value::Null) => Sql::Null,
        (FieldType::Text, Value::String(s)) => Sql::Text(s.clone()),
        (FieldType::Integer, Value::Number(n)) => n.as_i64().map_or(Sql::Null, Sql::Integer),
        (FieldType::Boolean, Value::Bool(b)) => Sql::Integer(i64::from(*b)),
        (_, other) => Sql::Text(other.to_string()),
    }
}

/// Query-string filters arrive as strings: coerce them to the field's type.
pub(super) fn filter_sql(field: &Field, v: &Value) -> Result<Sql> {
    let bad = || {
        Error::invalid(format!(
            "Invalid request: Expected type: '{}' for field '{}', got: '{}'",
            field.ty.name(),
            field.name,
            rows::json_type(v)
        ))
    };
    Ok(match (field.ty, v) {
        (FieldType::Integer, Value::String(s)) => Sql::Integer(s.parse().map_err(|_| bad())?),
        (FieldType::Boolean, Value::String(s)) => Sql::Integer(match s.as_str() {
            "true" => 1,
            "false" => 0,
            _ => return Err(bad()),
        }),
        _ if type_fits(field, v) => to_sql(field, v),
        _ => return Err(bad()),
    })
}

pub(super) fn from_sql(ty: FieldType, v: Sql) -> Value {
    match (ty, v) {
        (_, Sql::Null) => Value::Null,
        (FieldType::Boolean, Sql::Integer(i)) => Value::Bool(i != 0),
        (FieldType::Json, Sql::Text(t)) => serde_json::from_str(&t).unwrap_or(Value::String(t)),
        (_, other) => rows::sql_to_json(other),
    }
}

/// Checks a create/update body with Medusa's messages (at most three issues).
pub(super) fn validate<'v>(
    fields: &[Field],
    input: &'v Value,
    creating: bool,
) -> Result<&'v Map<String, Value>> {
    let object = input
        .as_object()
        .ok_or_else(|| Error::invalid("Invalid request: Expected an object"))?;
    let mut issues = Vec::new();
    for field in fields {
        match object.get(&field.name) {
            None if creating && field.required_on_create() => {
                issues.push(format!("Field '{}' is required", field.name))
            }
            Some(v) if !type_fits(field, v) => issues.push(format!(
                "Expected type: '{}' for field '{}', got: '{}'",
                field.ty.name(),
                field.name,
                rows::json_type(v)
            )),
            Some(Value::String(text)) if !field.allows(text) => issues.push(format!(
                "Invalid enum value for field '{}'. Expected '{}', received '{text}'",
                field.name,
                field.values.unwrap_or_default().join("' | '")
            )),
            _ => {}
        }
    }
    let unknown: Vec<&str> = object
        .keys()
        .filter(|k| !fields.iter().any(|f| &f.name == *k))
        .map(String::as_str)
        .collect();
    if !unknown.is_empty() {
        issues.push(format!("Unrecognized fields: '{}'", unknown.join(", ")));
    }
    if issues.is_empty() {
        return Ok(object);
    }
    issues.truncate(3);
    Err(Error::invalid(format!(
        "Invalid request: {}",
        issues.join("; ")
    )))
}

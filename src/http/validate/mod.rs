//! JSON request-body parsing and declarative validation with Medusa's wording.
//!
//! Medusa parses bodies with Express' `json()` (body-parser, strict mode) and
//! validates them with `.strict()` zod schemas whose issues its
//! `zodValidator` turns into `400 invalid_data` messages such as
//! `Invalid request: Field 'quantity' is required`.  Clients (the JS SDK, the
//! Next.js starter, integration tests) match on those strings, so this module
//! reproduces both steps:
//!
//! * [`parse_json_body`] accepts what body-parser accepts (empty body = `{}`,
//!   top level `{...}` or `[...]`) and fails with
//!   `Invalid JSON in request body` otherwise;
//! * [`Schema`] describes the allowed keys and their [`Kind`]s and
//!   [`Schema::check`] reports issues in zod's order with Medusa's
//!   formatting (at most three, joined with `"; "`).
//!
//! Errors are [`BodyError`]s carrying the client-facing message; the caller
//! maps them to its own `400 invalid_data` error.

use serde_json::{Map, Value};
use std::fmt;

mod email;

pub use email::is_email;

/// Message for bodies that are not acceptable JSON.
const INVALID_JSON: &str = "Invalid JSON in request body";

/// Medusa's `formatError` shows only the first three zod issues.
const MAX_ISSUES: usize = 3;

/// The largest integer a body's integer field may carry: JavaScript's
/// `Number.MAX_SAFE_INTEGER` (2^53 − 1), the largest a JS client can send
/// exactly. Bigger values are refused (not rounded, wrapped or dropped), and
/// sums of a few such values stay far inside SQLite's 64-bit integers.
pub const MAX_SAFE_INTEGER: i64 = (1 << 53) - 1;

/// A request body the server refuses; the message is client-facing and the
/// caller returns it as `400 invalid_data`.
#[derive(Debug, PartialEq)]
pub struct BodyError(pub String);

impl fmt::Display for BodyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for BodyError {}

/// body-parser's strict mode: after JSON whitespace the body must open an
/// object or array (bare `1`, `"x"`, `null` are rejected).
fn opens_container(text: &str) -> bool {
    text.trim_start_matches([' ', '\t', '\n', '\r'])
        .starts_with(['{', '['])
}

/// Parses a raw request body the way Medusa's `express.json()` does, so the
/// same bodies are accepted: an empty body is `{}`, a UTF-8 BOM is skipped,
/// the top level must be an object or array.  Anything else (malformed JSON,
/// whitespace only, a bare scalar) is `Invalid JSON in request body`; bytes
/// that are not UTF-8 get the same message with a reason appended.
pub fn parse_json_body(bytes: &[u8]) -> Result<Value, BodyError> {
    let text = std::str::from_utf8(bytes)
        .map_err(|_| BodyError(format!("{INVALID_JSON}: body is not valid UTF-8")))?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.is_empty() {
        return Ok(Value::Object(Map::new()));
    }
    if !opens_container(text) {
        return Err(BodyError(INVALID_JSON.to_string()));
    }
    serde_json::from_str(text).map_err(|_| BodyError(INVALID_JSON.to_string()))
}

/// The JSON type a field must have; mirrors the zod types Medusa's
/// validators use so the same bodies pass and fail.
#[derive(Debug, Clone)]
pub enum Kind {
    /// `z.string()`.
    String,
    /// `z.number()`: any JSON number.
    Number,
    /// `z.number().int()`: a number without fractional part (`2.0` passes,
    /// `1.5` fails with `got: 'float'` as zod reports it) whose magnitude is at
    /// most [`MAX_SAFE_INTEGER`]: `1e20` or `2^63` is refused naming the field
    /// rather than read as "absent" or wrapped (zod would let it through).
    Integer,
    /// `z.string().email()`: a string zod's email check accepts
    /// ([`is_email`]); others fail with zod's `Invalid email address`.
    Email,
    /// `z.boolean()`.
    Boolean,
    /// `z.record(z.unknown())`: any JSON object (e.g. `metadata`).
    Object,
    /// `z.array(z.unknown())`: any JSON array.
    Array,
    /// `z.unknown()`: any value, only presence is checked when required.
    Any,
    /// `.nullable()`: `null` or the inner kind.
    Nullable(Box<Kind>),
    /// `z.array(kind)`: an array whose every element has the inner kind.
    ArrayOf(Box<Kind>),
    /// A nested object validated by its own [`Schema`].
    Shape(Box<Schema>),
}

impl Kind {
    /// Allows `null` besides this kind (`.nullable()`; combine with
    /// [`Schema::optional`] for zod's `.nullish()`).
    pub fn nullable(self) -> Kind {
        Kind::Nullable(Box::new(self))
    }

    /// An array whose elements all have kind `item`.
    pub fn array_of(item: Kind) -> Kind {
        Kind::ArrayOf(Box::new(item))
    }

    /// A nested object checked by `schema`.
    pub fn shape(schema: Schema) -> Kind {
        Kind::Shape(Box::new(schema))
    }
}

/// One declared key of a [`Schema`]: its name, kind and whether it must be
/// present.
#[derive(Debug, Clone)]
pub struct FieldSpec {
    name: String,
    kind: Kind,
    required: bool,
}

/// A declarative description of an allowed JSON object, checked with zod's
/// semantics and Medusa's messages; see [`Schema::check`].
///
/// ```ignore
/// let item = Schema::new()
///     .required("variant_id", Kind::String)
///     .required("quantity", Kind::Integer)
///     .optional("metadata", Kind::Object.nullable());
/// item.check(&body)?;
/// ```
#[derive(Debug, Clone)]
pub struct Schema {
    fields: Vec<FieldSpec>,
    strict: bool,
}

impl Default for Schema {
    fn default() -> Self {
        Schema::new()
    }
}

/// Collects zod-style issues, stopping once Medusa would show no more.
struct Issues(Vec<String>);

impl Issues {
    fn full(&self) -> bool {
        self.0.len() >= MAX_ISSUES
    }

    fn push(&mut self, message: String) {
        if !self.full() {
            self.0.push(message);
        }
    }
}

/// Medusa's `formatPath`: zod path segments joined with `", "`.
fn format_path(path: &[String]) -> String {
    path.join(", ")
}

/// zod's parsed-type name for a received value.
fn zod_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn type_issue(expected: &str, path: &[String], got: &str) -> String {
    format!(
        "Expected type: '{expected}' for field '{}', got: '{got}'",
        format_path(path)
    )
}

fn is_integral(value: &Value) -> bool {
    value.is_i64() || value.is_u64() || value.as_f64().is_some_and(|f| f.fract() == 0.0)
}

/// zod's `too_small` / `too_big` issues in Medusa's wording, for an integral
/// number outside ±[`MAX_SAFE_INTEGER`].
fn integer_range_issue(value: &Value, path: &[String]) -> Option<String> {
    let max = MAX_SAFE_INTEGER as f64;
    let v = match value.as_i64() {
        Some(i) => i as f64,
        None => value.as_f64()?, // u64 above i64::MAX converts too
    };
    let field = format_path(path);
    if v > max {
        Some(format!(
            "Value for field '{field}' too big, expected at most: '{MAX_SAFE_INTEGER}'"
        ))
    } else if v < -max {
        Some(format!(
            "Value for field '{field}' too small, expected at least: '-{MAX_SAFE_INTEGER}'"
        ))
    } else {
        None
    }
}

/// Checks one value against a kind, appending issues at `path`.
fn check_kind(kind: &Kind, value: &Value, path: &mut Vec<String>, issues: &mut Issues) {
    if issues.full() {
        return;
    }
    let expected = match kind {
        Kind::Any => return,
        Kind::Nullable(_) if value.is_null() => return,
        Kind::Nullable(inner) => return check_kind(inner, value, path, issues),
        Kind::ArrayOf(item) => return check_items(item, value, path, issues),
        Kind::Shape(schema) => return schema.check_value(value, path, issues),
        Kind::Integer if value.is_number() && !is_integral(value) => {
            return issues.push(type_issue("integer", path, "float"));
        }
        Kind::Integer if value.is_number() => {
            if let Some(issue) = integer_range_issue(value, path) {
                issues.push(issue);
            }
            return;
        }
        Kind::Email if value.as_str().is_some_and(|s| !is_email(s)) => {
            return issues.push("Invalid email address".to_string());
        }
        Kind::String | Kind::Email if value.is_string() => return,
        Kind::Number if value.is_number() => return,
        Kind::Boolean if value.is_boolean() => return,
        Kind::Object if value.is_object() => return,
        Kind::Array if value.is_array() => return,
        Kind::String | Kind::Email => "string",
        Kind::Number | Kind::Integer => "number",
        Kind::Boolean => "boolean",
        Kind::Object => "object",
        Kind::Array => "array",
    };
    issues.push(type_issue(expected, path, zod_type(value)));
}

fn check_items(item: &Kind, value: &Value, path: &mut Vec<String>, issues: &mut Issues) {
    let Some(items) = value.as_array() else {
        return issues.push(type_issue("array", path, zod_type(value)));
    };
    for (i, element) in items.iter().enumerate() {
        if issues.full() {
            return;
        }
        path.push(i.to_string());
        check_kind(item, element, path, issues);
        path.pop();
    }
}

impl Schema {
    /// An empty schema that rejects unknown keys (Medusa applies zod's
    /// `.strict()` to every body schema).
    pub fn new() -> Schema {
        Schema {
            fields: Vec::new(),
            strict: true,
        }
    }

    fn with_field(mut self, name: &str, kind: Kind, required: bool) -> Schema {
        self.fields.retain(|f| f.name != name);
        self.fields.push(FieldSpec {
            name: name.to_string(),
            kind,
            required,
        });
        self
    }

    /// Declares a key that must be present (`null` only if `kind` is
    /// nullable); redeclaring a name replaces the earlier declaration.
    pub fn required(self, name: &str, kind: Kind) -> Schema {
        self.with_field(name, kind, true)
    }

    /// Declares a key that may be absent (zod `.optional()`); an explicit
    /// `null` still needs a nullable `kind`.
    pub fn optional(self, name: &str, kind: Kind) -> Schema {
        self.with_field(name, kind, false)
    }

    /// The kind declared for `name`, if any (route middleware coerces query strings by it).
    pub fn kind_of(&self, name: &str) -> Option<&Kind> {
        self.fields.iter().find(|f| f.name == name).map(|f| &f.kind)
    }

    /// Declares a required nested object; its issues are reported under
    /// `name` (`Field 'shipping_address, city' is required`).
    pub fn object(self, name: &str, schema: Schema) -> Schema {
        self.required(name, Kind::shape(schema))
    }

    /// Declares an optional nested object checked by `schema`.
    pub fn optional_object(self, name: &str, schema: Schema) -> Schema {
        self.optional(name, Kind::shape(schema))
    }

    /// Declares a required array of objects, each checked by `item`
    /// (issues at `items, 0, quantity`).
    pub fn array(self, name: &str, item: Schema) -> Schema {
        self.required(name, Kind::array_of(Kind::shape(item)))
    }

    /// Declares an optional array of objects, each checked by `item`.
    pub fn optional_array(self, name: &str, item: Schema) -> Schema {
        self.optional(name, Kind::array_of(Kind::shape(item)))
    }

    /// Accepts (and ignores) undeclared keys, like a nested zod object
    /// without `.strict()`; use for nested shapes Medusa does not make strict.
    pub fn allow_unknown(mut self) -> Schema {
        self.strict = false;
        self
    }

    /// Validates a parsed body (or any JSON value) against the schema.
    ///
    /// Issues follow zod's order: declared fields in declaration order
    /// (recursing into nested shapes and array elements), then this object's
    /// unknown keys.  Messages are Medusa's:
    ///
    /// * `Field 'x' is required`
    /// * `Expected type: 'number' for field 'quantity', got: 'string'`
    ///   (received type as zod names it: `string`, `number`, `boolean`,
    ///   `object`, `array`, `null`, or `float` for a non-integer)
    /// * `Value for field 'x' too big, expected at most: '9007199254740991'`
    ///   for an integer beyond ±[`MAX_SAFE_INTEGER`]
    /// * `Invalid email address` for a [`Kind::Email`] that is no address
    /// * `Unrecognized fields: 'a, b'` (keys in the map's order)
    ///
    /// Nested paths are joined with `", "` as Medusa's `formatPath` does
    /// (`shipping_address, city`, `items, 0, quantity`); a non-object top
    /// level is reported for field `''`.  At most three issues are joined
    /// with `"; "` behind `Invalid request: `.
    pub fn check(&self, value: &Value) -> Result<(), BodyError> {
        let mut issues = Issues(Vec::new());
        self.check_value(value, &mut Vec::new(), &mut issues);
        if issues.0.is_empty() {
            Ok(())
        } else {
            Err(BodyError(format!(
                "Invalid request: {}",
                issues.0.join("; ")
            )))
        }
    }

    fn check_value(&self, value: &Value, path: &mut Vec<String>, issues: &mut Issues) {
        let Some(object) = value.as_object() else {
            return issues.push(type_issue("object", path, zod_type(value)));
        };
        for field in &self.fields {
            path.push(field.name.clone());
            match object.get(&field.name) {
                Some(v) => check_kind(&field.kind, v, path, issues),
                None if field.required => {
                    issues.push(format!("Field '{}' is required", format_path(path)));
                }
                None => {}
            }
            path.pop();
        }
        if self.strict {
            self.check_unknown(object, issues);
        }
    }

    fn check_unknown(&self, object: &Map<String, Value>, issues: &mut Issues) {
        let unknown: Vec<&str> = object
            .keys()
            .filter(|k| !self.fields.iter().any(|f| f.name == **k))
            .map(String::as_str)
            .collect();
        if !unknown.is_empty() {
            issues.push(format!("Unrecognized fields: '{}'", unknown.join(", ")));
        }
    }
}

/// The string at `key` of an object, for reading a body after
/// [`Schema::check`]; `None` if absent, `null` or not a string.
pub fn get_str<'a>(value: &'a Value, key: &str) -> Option<&'a str> {
    value.get(key)?.as_str()
}

/// The number at `key` as `f64` (e.g. prices); `None` if absent or not a
/// number.
pub fn get_f64(value: &Value, key: &str) -> Option<f64> {
    value.get(key)?.as_f64()
}

/// The integral number at `key` as `i64` (also `2.0`, which passes
/// [`Kind::Integer`]); `None` if absent, fractional or out of range.
pub fn get_i64(value: &Value, key: &str) -> Option<i64> {
    let v = value.get(key)?;
    v.as_i64().or_else(|| {
        let f = v.as_f64()?;
        let in_range = f.fract() == 0.0 && f >= i64::MIN as f64 && f < i64::MAX as f64;
        in_range.then_some(f as i64)
    })
}

/// The integral, non-negative number at `key` as `u64` (quantities);
/// `None` if absent, negative, fractional or out of range.
pub fn get_u64(value: &Value, key: &str) -> Option<u64> {
    let v = value.get(key)?;
    v.as_u64().or_else(|| {
        let f = v.as_f64()?;
        let in_range = f.fract() == 0.0 && f >= 0.0 && f < u64::MAX as f64;
        in_range.then_some(f as u64)
    })
}

/// The boolean at `key`; `None` if absent or not a boolean.
pub fn get_bool(value: &Value, key: &str) -> Option<bool> {
    value.get(key)?.as_bool()
}

/// The object at `key` (nested shapes, `metadata`); `None` if absent or not
/// an object.
pub fn get_object<'a>(value: &'a Value, key: &str) -> Option<&'a Map<String, Value>> {
    value.get(key)?.as_object()
}

/// The array at `key`; `None` if absent or not an array.
pub fn get_array<'a>(value: &'a Value, key: &str) -> Option<&'a Vec<Value>> {
    value.get(key)?.as_array()
}

/// Whether `key` is present with an explicit `null`, which for Medusa's
/// nullable update fields means "clear it" rather than "leave it".
pub fn is_null(value: &Value, key: &str) -> bool {
    value.get(key).is_some_and(Value::is_null)
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_formats;
#[cfg(test)]
mod tests_schema;

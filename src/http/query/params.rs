//! Typed list parameters read from a parsed query, with Medusa's coercion
//! and zod messages: pagination and shaping ([`list_params`], Medusa's
//! `createFindParams`) and `string | string[]` filters ([`string_list`]).

use serde_json::{Map, Value};

use super::QueryError;

/// zod's name for the type of a received value (`typeof`, plus `array`/`null`).
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

fn type_issue(expected: &str, field: &str, got: &str) -> String {
    format!("Expected type: '{expected}' for field '{field}', got: '{got}'")
}

/// Medusa's `Invalid request: ` prefix over at most three issues.
fn request_error(issues: &[String]) -> QueryError {
    let shown: Vec<&str> = issues.iter().take(3).map(String::as_str).collect();
    QueryError(format!("Invalid request: {}", shown.join("; ")))
}

/// Pagination and shaping parameters common to Medusa list endpoints
/// (`createFindParams`); `None` means "not sent, use the route default".
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ListParams {
    /// Page size (`limit`), already coerced from its string form.
    pub limit: Option<u64>,
    /// Rows to skip (`offset`), already coerced from its string form.
    pub offset: Option<u64>,
    /// Sort key as sent, e.g. `-created_at` for descending.
    pub order: Option<String>,
    /// Raw `fields=` selection; feed it to [`parse_fields`](super::parse_fields).
    pub fields: Option<String>,
}

/// Outcome of JS `parseInt(s)` as far as pagination cares.
enum JsInt {
    NaN,
    Negative,
    Value(u64),
}

/// JS `parseInt(s)` without radix: leading whitespace, optional sign, `0x`
/// hex or a decimal digit prefix; trailing junk ignored; overflow saturates.
fn js_parse_int(s: &str) -> JsInt {
    let t = s.trim_start_matches(|c: char| c.is_whitespace() || c == '\u{feff}');
    let (negative, t) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    let (radix, digits) = match t.get(..2) {
        Some("0x") | Some("0X") => (16, &t[2..]),
        _ => (10, t),
    };
    let run: &str = &digits[..digits
        .find(|c: char| !c.is_digit(radix))
        .unwrap_or(digits.len())];
    if run.is_empty() {
        return JsInt::NaN;
    }
    let value = run.chars().fold(0u64, |acc, c| {
        let d = u64::from(c.to_digit(radix).unwrap_or(0));
        acc.saturating_mul(u64::from(radix)).saturating_add(d)
    });
    if negative && value > 0 {
        JsInt::Negative
    } else {
        JsInt::Value(value)
    }
}

/// `limit`/`offset` the way Medusa's preprocess + `z.number()` sees them;
/// negatives are refused as zod's `too_small` for a `min(0)` would word it.
fn number_param(q: &Map<String, Value>, key: &str, issues: &mut Vec<String>) -> Option<u64> {
    let got = match q.get(key) {
        None | Some(Value::Null) => return None,
        Some(Value::String(s)) if s.is_empty() => "string",
        Some(Value::String(s)) => match js_parse_int(s) {
            JsInt::Value(n) => return Some(n),
            JsInt::NaN => "nan",
            JsInt::Negative => {
                issues.push(format!(
                    "Value for field '{key}' too small, expected at least: '0'"
                ));
                return None;
            }
        },
        Some(Value::Number(n)) => match n.as_u64() {
            Some(v) => return Some(v),
            None => "number",
        },
        Some(other) => zod_type(other),
    };
    issues.push(type_issue("number", key, got));
    None
}

fn string_param(q: &Map<String, Value>, key: &str, issues: &mut Vec<String>) -> Option<String> {
    match q.get(key) {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(other) => {
            issues.push(type_issue("string", key, zod_type(other)));
            None
        }
    }
}

/// Reads `fields`, `offset`, `limit`, `order` from a parsed query with
/// Medusa's coercion (`parseInt`, so `"10"` and `"10abc"` are 10) and its
/// zod messages, so clients see the same 400 text as from Medusa:
///
/// * `limit=abc` → `Invalid request: Expected type: 'number' for field
///   'limit', got: 'nan'` (zod reports NaN as `nan`); `limit=` → `… got:
///   'string'`; `limit[]=1` → `… got: 'array'`.
/// * `limit=-1` → `Invalid request: Value for field 'limit' too small,
///   expected at least: '0'` (Medusa itself passes negatives on).
/// * `fields`/`order` sent twice → `… Expected type: 'string' … got: 'array'`.
///
/// Issues are reported in Medusa's schema order (fields, offset, limit,
/// order), at most three, joined with `"; "`.
pub fn list_params(q: &Map<String, Value>) -> Result<ListParams, QueryError> {
    let mut issues = Vec::new();
    let fields = string_param(q, "fields", &mut issues);
    let offset = number_param(q, "offset", &mut issues);
    let limit = number_param(q, "limit", &mut issues);
    let order = string_param(q, "order", &mut issues);
    if !issues.is_empty() {
        return Err(request_error(&issues));
    }
    Ok(ListParams {
        limit,
        offset,
        order,
        fields,
    })
}

fn split_commas(s: &str) -> Vec<String> {
    s.split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(str::to_string)
        .collect()
}

/// Reads a filter Medusa declares as `string | string[]` (e.g. `id`,
/// `handle`, `category_id`) as a list.
///
/// * absent or `null` → empty list (no filter requested);
/// * a string, or an array with exactly one string → split on commas, parts
///   trimmed, empty parts dropped (`id=a,b` and `id[]=a,b` → `["a","b"]`);
/// * an array of several strings → taken as-is.
///
/// Note that `id=` yields an empty list too; callers that must distinguish
/// "filter by nothing" from "no filter" should check `q.contains_key(key)`.
/// Other shapes fail with the message Medusa's zod union produces, e.g.
/// `Invalid request: Expected type: 'string, array' for field 'id', got:
/// 'object'`.
pub fn string_list(q: &Map<String, Value>, key: &str) -> Result<Vec<String>, QueryError> {
    match q.get(key) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::String(s)) => Ok(split_commas(s)),
        Some(Value::Array(items)) => array_of_strings(key, items),
        Some(other) => Err(request_error(&[type_issue(
            "string, array",
            key,
            zod_type(other),
        )])),
    }
}

fn array_of_strings(key: &str, items: &[Value]) -> Result<Vec<String>, QueryError> {
    let strings: Option<Vec<&str>> = items.iter().map(Value::as_str).collect();
    match strings {
        Some(list) if list.len() == 1 => Ok(split_commas(list[0])),
        Some(list) => Ok(list.into_iter().map(str::to_string).collect()),
        None => Err(request_error(&[type_issue("string, string", key, "array")])),
    }
}

//! Typed list parameters read from a parsed query, with zod-style messages
//! (Medusa's where Medusa refuses too; stricter numbers than its `parseInt`): pagination and shaping ([`list_params`], Medusa's
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

/// The largest `limit` / `offset` accepted: JavaScript's `Number.MAX_SAFE_INTEGER`
/// (2^53 − 1), the same bound as integer body fields. Any integer up to it is
/// taken as sent (a `limit` of 1000000 simply returns the whole list; there is
/// no clamping), and `offset + limit` can never overflow SQLite's 64-bit
/// integers.
pub const MAX_PAGE_VALUE: u64 = (1 << 53) - 1;

/// How a `limit` / `offset` string reads.
#[derive(Debug, PartialEq)]
enum PageText {
    /// Plain decimal digits (or `-0`): the value, saturated at `u64::MAX`.
    Integer(u64),
    /// A minus sign before a non-zero number.
    Negative,
    /// A decimal number with a fraction or an exponent (`1.5`, `1e9`).
    Float,
    /// A digit followed by something else (`10abc`, `0x10`).
    Junk,
    /// No number at all (`abc`), which JS `parseInt` reads as `NaN`.
    NaN,
}

fn all_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// `digits? (. digits?)? ((e|E) [+-]? digits)?` with at least one mantissa digit.
fn is_decimal_literal(s: &str) -> bool {
    let (mantissa, exponent) = match s.find(['e', 'E']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits = |t: &str| t.bytes().all(|b| b.is_ascii_digit());
    let exponent_ok = exponent.is_none_or(|e| all_digits(e.trim_start_matches(['+', '-'])));
    !(whole.is_empty() && fraction.is_empty()) && digits(whole) && digits(fraction) && exponent_ok
}

/// Classifies a non-empty `limit` / `offset` string. Unlike Medusa, which runs
/// JS `parseInt` (so `1e9` is 1, `1e18` is 1, `10abc` is 10, `-1` reaches the
/// database and fails there with a 500), only plain decimal digits are a number.
fn page_text(s: &str) -> PageText {
    let (negative, rest) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s),
    };
    if all_digits(rest) {
        let value = rest.bytes().fold(0u64, |acc, b| {
            acc.saturating_mul(10).saturating_add(u64::from(b - b'0'))
        });
        return match (negative, value) {
            (true, v) if v > 0 => PageText::Negative,
            (_, v) => PageText::Integer(v),
        };
    }
    if is_decimal_literal(rest) {
        return if negative && rest.bytes().any(|b| (b'1'..=b'9').contains(&b)) {
            PageText::Negative
        } else {
            PageText::Float
        };
    }
    if rest.starts_with(|c: char| c.is_ascii_digit()) {
        PageText::Junk
    } else {
        PageText::NaN
    }
}

/// `limit` / `offset`: a plain non-negative integer up to [`MAX_PAGE_VALUE`]; anything
/// else is an issue naming the field, worded as Medusa's zod messages are.
fn number_param(q: &Map<String, Value>, key: &str, issues: &mut Vec<String>) -> Option<u64> {
    let (expected, got) = match q.get(key) {
        None | Some(Value::Null) => return None,
        Some(Value::String(s)) if s.is_empty() => ("number", "string"),
        Some(Value::String(s)) => match page_text(s) {
            PageText::Integer(n) if n <= MAX_PAGE_VALUE => return Some(n),
            PageText::Integer(_) => return too_big(key, issues),
            PageText::Negative => {
                issues.push(format!(
                    "Value for field '{key}' too small, expected at least: '0'"
                ));
                return None;
            }
            PageText::Float => ("integer", "float"),
            PageText::Junk => ("integer", "string"),
            PageText::NaN => ("number", "nan"),
        },
        Some(Value::Number(n)) => match n.as_u64() {
            Some(v) if v <= MAX_PAGE_VALUE => return Some(v),
            Some(_) => return too_big(key, issues),
            None => ("integer", "number"),
        },
        Some(other) => ("number", zod_type(other)),
    };
    issues.push(type_issue(expected, key, got));
    None
}

fn too_big(key: &str, issues: &mut Vec<String>) -> Option<u64> {
    issues.push(format!(
        "Value for field '{key}' too big, expected at most: '{MAX_PAGE_VALUE}'"
    ));
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
/// Medusa's zod messages where Medusa refuses too:
///
/// * `limit=abc` → `Invalid request: Expected type: 'number' for field
///   'limit', got: 'nan'` (zod reports NaN as `nan`); `limit=` → `… got:
///   'string'`; `limit[]=1` → `… got: 'array'`.
///
/// and 400s in the same style where Medusa's `parseInt` coercion silently
/// reads something else than was sent, or lets the database fail:
///
/// * `limit=-1` → `… Value for field 'limit' too small, expected at least:
///   '0'` (Medusa: 500);
/// * `limit=1.5`, `limit=1e9` → `… Expected type: 'integer' for field
///   'limit', got: 'float'` (Medusa: 1);
/// * `limit=10abc`, `limit=0x10`, `limit= 7` → `… got: 'string'` (Medusa:
///   10, 16, 7);
/// * above [`MAX_PAGE_VALUE`] → `… too big, expected at most:
///   '9007199254740991'`.
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

/// Reads a `string | string[]` filter exactly as Medusa's zod union takes it:
/// `id=a` → `["a"]`, `id=a&id=b` / `id[]=a&id[]=b` → `["a", "b"]`. Unlike
/// [`string_list`] nothing is split on commas or dropped (`id=a,b` is the one id
/// `a,b`, and `id=` the one id `""`, which matches nothing), so an empty list
/// always means "not sent". Other shapes fail as in [`string_list`].
pub fn exact_list(q: &Map<String, Value>, key: &str) -> Result<Vec<String>, QueryError> {
    match q.get(key) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::String(s)) => Ok(vec![s.clone()]),
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| v.as_str().map(str::to_string))
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| request_error(&[type_issue("string, string", key, "array")])),
        Some(other) => Err(request_error(&[type_issue(
            "string, array",
            key,
            zod_type(other),
        )])),
    }
}

//! Query-string handling for the Medusa-compatible HTTP layer.
//!
//! The @medusajs/js-sdk (and the Next.js starter built on it) serialise query
//! objects with `qs.stringify`, and Medusa's Express server reads them back
//! with the `qs` "extended" parser.  To accept exactly the same URLs this
//! module re-implements that parser ([`parse_query`]) with qs' default limits
//! (`depth` 5, `arrayLimit` 20, `parameterLimit` 1000) plus `allowDots`, but
//! rejects what qs would silently truncate or pass through (malformed
//! percent-escapes, too many parameters, too deep nesting) so the caller can
//! answer `400 invalid_data`.
//!
//! On top of the parsed map it offers the pieces every list/retrieve route
//! needs: pagination ([`list_params`]), id-style filters ([`string_list`])
//! and Medusa's `fields=` selection grammar ([`parse_fields`],
//! [`FieldSelection`]).
//!
//! Everything returns [`QueryError`]; its message is ready to be sent to the
//! client and the caller maps it to its own error type.

use serde_json::{Map, Value};
use std::collections::{BTreeSet, HashMap};
use std::fmt;

/// Maximum number of `&`-separated parts (qs `parameterLimit`); more is a
/// [`QueryError`] so a huge query cannot make us allocate without bound.
pub const PARAMETER_LIMIT: usize = 1000;

/// Maximum number of bracket levels after the first key segment (qs `depth`);
/// deeper keys are a [`QueryError`] (qs `strictDepth: true`).
pub const DEPTH_LIMIT: usize = 5;

/// Highest bracket index that still builds an array (qs `arrayLimit`); a
/// higher index turns the array into an object keyed by index strings, so
/// `id[999999]=x` cannot allocate a million-slot array.
pub const ARRAY_LIMIT: usize = 20;

/// A query string (or a value inside it) the server refuses; the message is
/// client-facing and the caller returns it as `400 invalid_data`.
#[derive(Debug, PartialEq)]
pub struct QueryError(pub String);

impl fmt::Display for QueryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for QueryError {}

fn invalid(detail: impl fmt::Display) -> QueryError {
    QueryError(format!("Invalid query string: {detail}"))
}

// ---------------------------------------------------------------------------
// Percent-decoding
// ---------------------------------------------------------------------------

/// Shortens user input quoted in error messages so a hostile query cannot
/// bloat the response.
fn excerpt(s: &str) -> String {
    const MAX: usize = 64;
    match s.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{}...", &s[..cut]),
        None => s.to_string(),
    }
}

fn hex_value(byte: u8) -> Option<u8> {
    match byte {
        b'0'..=b'9' => Some(byte - b'0'),
        b'a'..=b'f' => Some(byte - b'a' + 10),
        b'A'..=b'F' => Some(byte - b'A' + 10),
        _ => None,
    }
}

/// Decodes one key or value like qs' decoder (`+` is a space, then
/// `decodeURIComponent`), but errors where qs would keep the raw text.
fn decode_component(s: &str) -> Result<String, QueryError> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b'%' => {
                let hi = bytes.get(i + 1).copied().and_then(hex_value);
                let lo = bytes.get(i + 2).copied().and_then(hex_value);
                let (Some(hi), Some(lo)) = (hi, lo) else {
                    return Err(invalid(format_args!(
                        "malformed percent-encoding in '{}'",
                        excerpt(s)
                    )));
                };
                out.push((hi << 4) | lo);
                i += 3;
            }
            other => {
                out.push(other);
                i += 1;
            }
        }
    }
    String::from_utf8(out).map_err(|_| {
        invalid(format_args!(
            "'{}' does not decode to valid UTF-8",
            excerpt(s)
        ))
    })
}

/// qs turns `%5B`/`%5D` (any case) into brackets before splitting, which only
/// matters for finding the `]=` that ends a key containing `=`.
fn normalize_brackets(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(pos) = rest.find('%') {
        out.push_str(&rest[..pos]);
        let tail = &rest[pos..];
        let code = tail.get(..3).map(str::to_ascii_uppercase);
        match code.as_deref() {
            Some("%5B") => out.push('['),
            Some("%5D") => out.push(']'),
            _ => {
                out.push('%');
                rest = &tail[1..];
                continue;
            }
        }
        rest = &tail[3..];
    }
    out.push_str(rest);
    out
}

// ---------------------------------------------------------------------------
// qs value model: JS values as qs builds them (sparse arrays, `true`)
// ---------------------------------------------------------------------------

/// A value while qs is building it.  Arrays may have holes (`None`) until the
/// final compaction, and merging a plain string into an object stores `true`
/// under that string, exactly as qs does.
#[derive(Debug, Clone)]
enum Node {
    Str(String),
    True,
    Arr(Vec<Option<Node>>),
    Obj(Vec<(String, Node)>),
}

impl Node {
    fn is_container(&self) -> bool {
        matches!(self, Node::Arr(_) | Node::Obj(_))
    }

    /// JS truthiness as used by qs' `if (!source) return target`.
    fn is_empty_string(&self) -> bool {
        matches!(self, Node::Str(s) if s.is_empty())
    }

    /// The property name a primitive becomes when merged into an object.
    fn as_key(&self) -> String {
        match self {
            Node::Str(s) => s.clone(),
            _ => "true".to_string(),
        }
    }

    /// Converts to JSON, dropping array holes (qs `utils.compact`).
    fn into_value(self) -> Value {
        match self {
            Node::Str(s) => Value::String(s),
            Node::True => Value::Bool(true),
            Node::Arr(items) => {
                Value::Array(items.into_iter().flatten().map(Node::into_value).collect())
            }
            Node::Obj(entries) => Value::Object(
                entries
                    .into_iter()
                    .map(|(k, v)| (k, v.into_value()))
                    .collect(),
            ),
        }
    }
}

/// `[].concat(a, b)`: arrays are spliced in (holes kept), anything else is
/// appended as one element.
fn concat_into(out: &mut Vec<Option<Node>>, node: Node) {
    match node {
        Node::Arr(items) => out.extend(items),
        other => out.push(Some(other)),
    }
}

fn combine(a: Node, b: Node) -> Node {
    let mut out = Vec::new();
    concat_into(&mut out, a);
    concat_into(&mut out, b);
    Node::Arr(out)
}

/// `utils.merge` of qs: folds the tree built for one key into the result.
fn merge(target: Node, source: Node) -> Node {
    if source.is_empty_string() {
        return target;
    }
    if !source.is_container() {
        return merge_primitive(target, source);
    }
    match target {
        Node::Arr(t) => match source {
            Node::Arr(s) => Node::Arr(merge_arrays(t, s)),
            other => Node::Obj(merge_entries(array_entries(t), entries_of(other))),
        },
        Node::Obj(t) => Node::Obj(merge_entries(t, entries_of(source))),
        primitive => {
            let mut out = vec![Some(primitive)];
            concat_into(&mut out, source);
            Node::Arr(out)
        }
    }
}

fn merge_primitive(target: Node, source: Node) -> Node {
    match target {
        Node::Arr(mut items) => {
            items.push(Some(source));
            Node::Arr(items)
        }
        Node::Obj(entries) => {
            Node::Obj(merge_entries(entries, vec![(source.as_key(), Node::True)]))
        }
        primitive => Node::Arr(vec![Some(primitive), Some(source)]),
    }
}

/// Index-wise array merge: containers at the same index merge, otherwise the
/// new item is pushed; holes are filled in place.
fn merge_arrays(mut target: Vec<Option<Node>>, source: Vec<Option<Node>>) -> Vec<Option<Node>> {
    for (i, item) in source.into_iter().enumerate() {
        let Some(item) = item else { continue };
        match target.get_mut(i) {
            Some(slot @ Some(_)) => {
                let existing = slot.take();
                match existing {
                    Some(old) if old.is_container() && item.is_container() => {
                        *slot = Some(merge(old, item));
                    }
                    old => {
                        *slot = old;
                        target.push(Some(item));
                    }
                }
            }
            Some(hole) => *hole = Some(item),
            None => {
                target.resize_with(i, || None);
                target.push(Some(item));
            }
        }
    }
    target
}

/// `arrayToObject`: the present items keyed by their index.
fn array_entries(items: Vec<Option<Node>>) -> Vec<(String, Node)> {
    items
        .into_iter()
        .enumerate()
        .filter_map(|(i, item)| item.map(|node| (i.to_string(), node)))
        .collect()
}

fn entries_of(node: Node) -> Vec<(String, Node)> {
    match node {
        Node::Obj(entries) => entries,
        Node::Arr(items) => array_entries(items),
        _ => Vec::new(),
    }
}

fn merge_entries(mut acc: Vec<(String, Node)>, source: Vec<(String, Node)>) -> Vec<(String, Node)> {
    for (key, value) in source {
        match acc.iter().position(|(k, _)| *k == key) {
            Some(pos) => {
                let old = std::mem::replace(&mut acc[pos].1, Node::True);
                acc[pos].1 = merge(old, value);
            }
            None => acc.push((key, value)),
        }
    }
    acc
}

// ---------------------------------------------------------------------------
// Keys: dots, brackets, depth
// ---------------------------------------------------------------------------

/// allowDots: `a.b.c` becomes `a[b][c]` (qs regex `/\.([^.[]+)/g`).
fn dots_to_brackets(key: &str) -> String {
    let chars: Vec<char> = key.chars().collect();
    let mut out = String::with_capacity(key.len() + 4);
    let mut i = 0;
    while i < chars.len() {
        if chars[i] == '.' {
            let end = (i + 1..chars.len())
                .find(|&j| chars[j] == '.' || chars[j] == '[')
                .unwrap_or(chars.len());
            if end > i + 1 {
                out.push('[');
                out.extend(&chars[i + 1..end]);
                out.push(']');
                i = end;
                continue;
            }
        }
        out.push(chars[i]);
        i += 1;
    }
    out
}

/// Byte ranges of `[...]` groups without nested brackets (qs regex
/// `/(\[[^[\]]*])/g`), left to right.
fn bracket_groups(key: &str) -> Vec<(usize, usize)> {
    let mut groups = Vec::new();
    let mut open = None;
    for (i, ch) in key.char_indices() {
        match ch {
            '[' => open = Some(i),
            ']' => {
                if let Some(start) = open.take() {
                    groups.push((start, i + 1));
                }
            }
            _ => {}
        }
    }
    groups
}

/// Splits a decoded key into qs' chain: the parent segment (if non-empty)
/// followed by bracket groups, rejecting more than [`DEPTH_LIMIT`] groups.
fn key_chain(raw_key: &str) -> Result<Vec<String>, QueryError> {
    let key = dots_to_brackets(raw_key);
    let groups = bracket_groups(&key);
    if groups.len() > DEPTH_LIMIT {
        return Err(invalid(format_args!(
            "parameter '{}' is nested deeper than {DEPTH_LIMIT} levels",
            excerpt(raw_key)
        )));
    }
    let parent = groups
        .first()
        .map_or(key.as_str(), |&(start, _)| &key[..start]);
    let mut chain = Vec::with_capacity(groups.len() + 1);
    if !parent.is_empty() {
        chain.push(parent.to_string());
    }
    chain.extend(groups.iter().map(|&(s, e)| key[s..e].to_string()));
    Ok(chain)
}

/// `parseInt(x, 10)` round-trips and fits the array limit: `"0"`..`"20"`.
fn small_index(segment: &str) -> Option<usize> {
    let canonical = !segment.is_empty()
        && segment.len() <= 2
        && segment.bytes().all(|b| b.is_ascii_digit())
        && (segment == "0" || !segment.starts_with('0'));
    let index: usize = if canonical {
        segment.parse().ok()?
    } else {
        return None;
    };
    (index <= ARRAY_LIMIT).then_some(index)
}

/// qs `parseObject`: wraps the leaf value from the innermost segment out.
fn build_chain(chain: &[String], value: Node) -> Node {
    chain.iter().rev().fold(value, |leaf, root| {
        if root == "[]" {
            return combine(Node::Arr(Vec::new()), leaf);
        }
        let bracketed = root.len() >= 2 && root.starts_with('[') && root.ends_with(']');
        let clean = if bracketed {
            &root[1..root.len() - 1]
        } else {
            root.as_str()
        };
        match small_index(clean) {
            Some(index) if bracketed => {
                let mut items: Vec<Option<Node>> = Vec::new();
                items.resize_with(index, || None);
                items.push(Some(leaf));
                Node::Arr(items)
            }
            _ if clean == "__proto__" => Node::Obj(Vec::new()),
            _ => Node::Obj(vec![(clean.to_string(), leaf)]),
        }
    })
}

// ---------------------------------------------------------------------------
// Flat pass: split on `&`, decode, combine duplicates
// ---------------------------------------------------------------------------

/// Splits one `key=value` part where qs does: after the first `]=` if any,
/// else at the first `=`; no `=` means an empty value.
fn split_part(part: &str) -> Result<(String, String), QueryError> {
    let pos = match part.find("]=") {
        Some(p) => Some(p + 1),
        None => part.find('='),
    };
    match pos {
        Some(p) => Ok((
            decode_component(&part[..p])?,
            decode_component(&part[p + 1..])?,
        )),
        None => Ok((decode_component(part)?, String::new())),
    }
}

/// Whether JS would order this property name as an array index (before all
/// other keys in `Object.keys`).
fn js_index_key(key: &str) -> Option<u32> {
    let canonical = !key.is_empty()
        && key.bytes().all(|b| b.is_ascii_digit())
        && (key == "0" || !key.starts_with('0'));
    if !canonical {
        return None;
    }
    key.parse::<u32>().ok().filter(|&n| n != u32::MAX)
}

/// qs' first pass: a flat `key -> value` map where repeated keys combine into
/// arrays, iterated in JS property order.
fn flat_pairs(parts: &[&str]) -> Result<Vec<(String, Node)>, QueryError> {
    let mut pairs: Vec<(String, Node)> = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for part in parts.iter().filter(|p| !p.is_empty()) {
        let (key, value) = split_part(part)?;
        match seen.get(&key) {
            Some(&i) => {
                let old = std::mem::replace(&mut pairs[i].1, Node::True);
                pairs[i].1 = combine(old, Node::Str(value));
            }
            None => {
                seen.insert(key.clone(), pairs.len());
                pairs.push((key, Node::Str(value)));
            }
        }
    }
    pairs.sort_by_key(|(k, _)| js_index_key(k).map_or((1, 0), |n| (0, n)));
    Ok(pairs)
}

/// Parses a raw query string (the part after `?`, possibly empty) the way
/// Express' qs parser does for Medusa, so SDK-built URLs mean the same here.
///
/// * `a=1&a=2` → `{"a":["1","2"]}`; `a` (no `=`) → `{"a":""}`.
/// * `id[]=a&id[]=b`, `id[0]=a&id[1]=b` → arrays; sparse indices compact in
///   index order (`id[3]=a&id[1]=b` → `["b","a"]`); an index above
///   [`ARRAY_LIMIT`] makes an object keyed by the index strings.
/// * `created_at[$gte]=x`, `$or[0][title]=x`, `a.b=v` → nested objects/arrays.
/// * Keys and values are percent-decoded (`+` is a space), so the SDK's
///   `id%5B0%5D=prod_1` works.  Values stay strings; the only non-string is
///   qs' own quirk of merging a plain value into an object
///   (`a[b]=1&a=c` → `{"a":{"b":"1","c":true}}`).
///
/// Errors (all meant for a `400 invalid_data`): malformed `%` escapes,
/// non-UTF-8 after decoding, more than [`PARAMETER_LIMIT`] parts, keys with
/// more than [`DEPTH_LIMIT`] bracket levels.
pub fn parse_query(raw: &str) -> Result<Map<String, Value>, QueryError> {
    let clean = normalize_brackets(raw);
    let parts: Vec<&str> = clean.split('&').collect();
    if parts.len() > PARAMETER_LIMIT {
        return Err(invalid(format_args!(
            "too many parameters (limit is {PARAMETER_LIMIT})"
        )));
    }
    let mut root = Node::Obj(Vec::new());
    for (key, value) in flat_pairs(&parts)? {
        if key.is_empty() {
            continue;
        }
        root = merge(root, build_chain(&key_chain(&key)?, value));
    }
    match root.into_value() {
        Value::Object(map) => Ok(map),
        _ => Ok(Map::new()),
    }
}

// ---------------------------------------------------------------------------
// Typed parameters (Medusa's createFindParams / zod formatting)
// ---------------------------------------------------------------------------

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
    /// Raw `fields=` selection; feed it to [`parse_fields`].
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

// ---------------------------------------------------------------------------
// `fields=` selection
// ---------------------------------------------------------------------------

/// One entry of a `fields=` list, classified as Medusa's `FieldParser` does;
/// exposed so callers can inspect or log what a client asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldsSpec {
    /// `title`, `variants.sku`: no prefix, so the defaults are replaced.
    Plain(String),
    /// `+title` (or ` title`, an unencoded `+` decoded to a space): added
    /// to the defaults.
    Add(String),
    /// `-title`: removes `title` and everything below it (`title.*`,
    /// `*title`, `title.x`); `-*` removes all top-level scalars.
    Remove(String),
    /// `*variants` or `variants.*` (also `+*variants`): relation `variants`
    /// with all its scalar columns.  Holds the relation path without markers.
    Star(String),
    /// A lone `*`: keeps only the top-level scalar defaults (drops default
    /// relations) and never replaces the defaults.
    Wildcard,
}

impl FieldsSpec {
    /// Splits a raw `fields=` value on commas and classifies each entry;
    /// entries that are empty after trimming (trailing comma, `", "`
    /// separators) are ignored.
    pub fn parse_list(fields: &str) -> Vec<FieldsSpec> {
        fields
            .split(',')
            .filter_map(FieldsSpec::parse_entry)
            .collect()
    }

    fn parse_entry(raw: &str) -> Option<FieldsSpec> {
        let additive = raw.starts_with(char::is_whitespace);
        let entry = raw.trim();
        if entry.is_empty() {
            return None;
        }
        if entry == "*" {
            return Some(FieldsSpec::Wildcard);
        }
        if let Some(rest) = entry.strip_prefix('-') {
            let rest = rest.trim_start();
            return (!rest.is_empty()).then(|| FieldsSpec::Remove(rest.to_string()));
        }
        let (plus, body) = match entry.strip_prefix('+') {
            Some(rest) => (true, rest.trim_start()),
            None => (false, entry),
        };
        if body.starts_with('*') || body.ends_with(".*") {
            let rel = body.strip_prefix('*').unwrap_or(body);
            let rel = rel.strip_suffix(".*").unwrap_or(rel);
            return (!rel.is_empty()).then(|| FieldsSpec::Star(rel.to_string()));
        }
        if body.is_empty() {
            return None;
        }
        Some(if plus || additive {
            FieldsSpec::Add(body.to_string())
        } else {
            FieldsSpec::Plain(body.to_string())
        })
    }
}

/// The resolved `fields=` selection of one request: which scalar paths and
/// which relations to load and serialise.
///
/// Internally it is Medusa's pair of sets: `fields` (scalar paths such as
/// `title`, `variants.sku`, always `id` once a `fields=` was sent) and
/// `star_relations` (relation paths whose scalar columns are all wanted,
/// from `*rel` / `rel.*`).  A plain entry naming a relation (`+tags`, as the
/// Next.js starter sends) is treated like `*tags`, since a relation has no
/// scalar value of its own; the caller decides which names are relations.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldSelection {
    fields: BTreeSet<String>,
    star_relations: BTreeSet<String>,
}

/// Applies Medusa's `fields=` grammar to a route's `defaults` so responses
/// carry exactly what the client asked for.
///
/// 1. Entries are split on commas and classified ([`FieldsSpec`]).
/// 2. If any entry is [`FieldsSpec::Plain`] (and there is no lone `*`), the
///    defaults are dropped and only the listed entries count; if there are
///    no entries at all (`fields=`) only `id` remains.  Otherwise the
///    defaults are the starting point (with a lone `*` dropping the
///    defaults' relations and nested paths).
/// 3. Entries are applied left to right: plain/`+x` add `x`, `*rel`/`rel.*`
///    add a star relation, `-x` removes `x`, `*x`, and every `x.…` entry.
///    (Unlike Medusa, `-x` also removes in replace mode instead of adding.)
/// 4. `id` is always added.
///
/// When the client sent no `fields` at all, use
/// [`FieldSelection::from_defaults`] instead (Medusa then adds no `id`).
pub fn parse_fields(fields: &str, defaults: &[&str]) -> FieldSelection {
    let specs = FieldsSpec::parse_list(fields);
    let wildcard = specs.contains(&FieldsSpec::Wildcard);
    let replace =
        !wildcard && (specs.is_empty() || specs.iter().any(|s| matches!(s, FieldsSpec::Plain(_))));
    let mut set: BTreeSet<String> = if replace {
        BTreeSet::new()
    } else {
        defaults.iter().map(|d| d.to_string()).collect()
    };
    if wildcard {
        set.retain(|f| f != "*" && !f.contains('.') && !f.starts_with('*'));
    }
    for spec in specs {
        apply_spec(&mut set, spec);
    }
    set.insert("id".to_string());
    FieldSelection::from_set(set)
}

fn apply_spec(set: &mut BTreeSet<String>, spec: FieldsSpec) {
    match spec {
        FieldsSpec::Plain(f) | FieldsSpec::Add(f) => {
            set.insert(f);
        }
        FieldsSpec::Star(rel) => {
            set.insert(format!("*{rel}"));
        }
        FieldsSpec::Remove(name) => set.retain(|f| !removed_by(f, &name)),
        FieldsSpec::Wildcard => {}
    }
}

/// Medusa's `-name` rule: the entry itself (also as `*name`), anything below
/// it, or for `-*` every top-level scalar.
fn removed_by(entry: &str, name: &str) -> bool {
    let bare = if entry == "*" {
        entry
    } else {
        entry.strip_prefix('*').unwrap_or(entry)
    };
    if bare == name {
        return true;
    }
    if name == "*" {
        return !entry.contains('.') && !entry.starts_with('*');
    }
    bare.strip_prefix(name)
        .is_some_and(|rest| rest.starts_with('.'))
}

fn parent_path(path: &str) -> Option<&str> {
    path.rfind('.').map(|i| &path[..i])
}

fn is_under(path: &str, rel: &str) -> bool {
    path.strip_prefix(rel)
        .is_some_and(|rest| rest.starts_with('.'))
}

impl FieldSelection {
    /// The selection when the request had no `fields` parameter: the
    /// route's defaults as they are (star entries become star relations).
    pub fn from_defaults(defaults: &[&str]) -> FieldSelection {
        FieldSelection::from_set(defaults.iter().map(|d| d.to_string()).collect())
    }

    /// Medusa's `extractStarFields`: `*rel` / `rel.*` leave the field set and
    /// become star relations.
    fn from_set(set: BTreeSet<String>) -> FieldSelection {
        let mut selection = FieldSelection::default();
        for entry in set {
            if entry != "*" && (entry.starts_with('*') || entry.ends_with(".*")) {
                let rel = entry.strip_prefix('*').unwrap_or(&entry);
                let rel = rel.strip_suffix(".*").unwrap_or(rel);
                if !rel.is_empty() {
                    selection.star_relations.insert(rel.to_string());
                }
            } else {
                selection.fields.insert(entry);
            }
        }
        selection
    }

    /// Whether the scalar at `path` (`"title"`, `"variants.sku"`,
    /// `"items.variant.sku"`) is selected: listed exactly, or its parent
    /// relation has all columns ([`Self::relation_all_columns`]).
    pub fn includes(&self, path: &str) -> bool {
        self.fields.contains(path)
            || parent_path(path).is_some_and(|p| self.relation_all_columns(p))
    }

    /// Whether relation `rel` (`"variants"`, `"variants.calculated_price"`,
    /// `"items.variant"`) must be loaded: it is a star relation, listed as a
    /// plain entry, or anything below it is selected (`variants.sku` or
    /// `*variants.calculated_price` both need `variants`).
    pub fn includes_relation(&self, rel: &str) -> bool {
        self.relation_all_columns(rel)
            || self.fields.iter().any(|f| is_under(f, rel))
            || self.star_relations.iter().any(|s| is_under(s, rel))
    }

    /// Whether every scalar column of relation `rel` is wanted (`*rel`,
    /// `rel.*`, or a plain entry equal to `rel`); if false but
    /// [`Self::includes_relation`] is true, only the listed
    /// `rel.col` paths (see [`Self::nested_columns`]) are wanted.
    pub fn relation_all_columns(&self, rel: &str) -> bool {
        self.star_relations.contains(rel) || self.fields.contains(rel)
    }

    /// Top-level entries without a dot (`id`, `title`, also plain relation
    /// names like `tags`), sorted; intersect with the entity's real columns.
    pub fn top_level_scalars(&self) -> Vec<&str> {
        self.fields
            .iter()
            .filter(|f| !f.contains('.'))
            .map(String::as_str)
            .collect()
    }

    /// The explicitly listed direct columns of relation `rel`
    /// (`variants.sku` → `sku` for `rel = "variants"`), sorted.
    pub fn nested_columns(&self, rel: &str) -> Vec<&str> {
        self.fields
            .iter()
            .filter_map(|f| f.strip_prefix(rel)?.strip_prefix('.'))
            .filter(|col| !col.contains('.'))
            .collect()
    }

    /// All non-star entries (Medusa's `fields` set), for logging and tests.
    pub fn fields(&self) -> &BTreeSet<String> {
        &self.fields
    }

    /// All relation paths selected with all columns (Medusa's `starFields`).
    pub fn star_relations(&self) -> &BTreeSet<String> {
        &self.star_relations
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[track_caller]
    fn check(input: &str, expected: Value) {
        let got = parse_query(input).map(Value::Object);
        assert_eq!(got, Ok(expected), "query: {input}");
    }

    #[track_caller]
    fn check_err(input: &str, needle: &str) {
        match parse_query(input) {
            Err(QueryError(msg)) => assert!(msg.contains(needle), "{input}: {msg}"),
            Ok(v) => panic!("{input}: expected error containing {needle:?}, got {v:?}"),
        }
    }

    fn map(v: Value) -> Map<String, Value> {
        match v {
            Value::Object(m) => m,
            _ => panic!("not an object"),
        }
    }

    #[track_caller]
    fn check_list(input: Value, expected: Result<ListParams, &str>) {
        let got = list_params(&map(input));
        assert_eq!(got, expected.map_err(|m| QueryError(m.to_string())));
    }

    #[track_caller]
    fn check_strings(input: Value, expected: Result<Vec<&str>, &str>) {
        let got = string_list(&map(input), "id");
        let expected = expected
            .map(|v| v.into_iter().map(str::to_string).collect())
            .map_err(|m| QueryError(m.to_string()));
        assert_eq!(got, expected);
    }

    const DEFAULTS: &[&str] = &[
        "id",
        "title",
        "handle",
        "*variants",
        "*options",
        "variants.sku",
    ];

    fn sel(fields: &str) -> FieldSelection {
        parse_fields(fields, DEFAULTS)
    }

    fn set(items: &[&str]) -> BTreeSet<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    // --- basic parsing -----------------------------------------------------
    #[test]
    fn empty_query() {
        check("", json!({}));
    }
    #[test]
    fn single_pair() {
        check("a=b", json!({"a": "b"}));
    }
    #[test]
    fn two_pairs() {
        check("a=b&c=d", json!({"a": "b", "c": "d"}));
    }
    #[test]
    fn key_without_value() {
        check("a", json!({"a": ""}));
    }
    #[test]
    fn key_with_empty_value() {
        check("a=", json!({"a": ""}));
    }
    #[test]
    fn empty_parts_ignored() {
        check("&&a=1&&", json!({"a": "1"}));
    }
    #[test]
    fn empty_key_ignored() {
        check("=x&a=1", json!({"a": "1"}));
    }
    #[test]
    fn value_with_equals() {
        check("a=b=c", json!({"a": "b=c"}));
    }
    #[test]
    fn values_stay_strings() {
        check("n=1&b=true", json!({"n": "1", "b": "true"}));
    }
    #[test]
    fn plus_is_space() {
        check("q=hello+world", json!({"q": "hello world"}));
    }
    #[test]
    fn percent_decoding() {
        check("q=caf%C3%A9%20x", json!({"q": "café x"}));
    }
    #[test]
    fn encoded_plus_stays_plus() {
        check("q=a%2Bb", json!({"q": "a+b"}));
    }
    #[test]
    fn raw_utf8_passes() {
        check("q=ünï", json!({"q": "ünï"}));
    }
    #[test]
    fn key_is_decoded() {
        check("a%20b=1", json!({"a b": "1"}));
    }
    #[test]
    fn repeated_key_array() {
        check("a=1&a=2", json!({"a": ["1", "2"]}));
    }
    #[test]
    fn repeated_key_three() {
        check("a=1&a=2&a=3", json!({"a": ["1", "2", "3"]}));
    }

    // --- brackets ----------------------------------------------------------
    #[test]
    fn indexed_array() {
        check("id[0]=a&id[1]=b", json!({"id": ["a", "b"]}));
    }
    #[test]
    fn push_array() {
        check("id[]=a&id[]=b", json!({"id": ["a", "b"]}));
    }
    #[test]
    fn single_push() {
        check("id[]=a", json!({"id": ["a"]}));
    }
    #[test]
    fn operator_object() {
        check(
            "created_at[$gte]=2024-01-01",
            json!({"created_at": {"$gte": "2024-01-01"}}),
        );
    }
    #[test]
    fn two_operators() {
        check(
            "p[$gte]=1&p[$lte]=9",
            json!({"p": {"$gte": "1", "$lte": "9"}}),
        );
    }
    #[test]
    fn or_nested() {
        check("$or[0][title]=x", json!({"$or": [{"title": "x"}]}));
    }
    #[test]
    fn or_two_entries() {
        check(
            "$or[0][title]=x&$or[1][handle]=y",
            json!({"$or": [{"title": "x"}, {"handle": "y"}]}),
        );
    }
    #[test]
    fn or_same_index_merges() {
        check(
            "$or[0][a]=1&$or[0][b]=2",
            json!({"$or": [{"a": "1", "b": "2"}]}),
        );
    }
    #[test]
    fn sparse_compacts_in_order() {
        check("id[3]=a&id[1]=b", json!({"id": ["b", "a"]}));
    }
    #[test]
    fn sparse_single() {
        check("id[5]=a", json!({"id": ["a"]}));
    }
    #[test]
    fn index_limit_ok() {
        check("id[20]=a", json!({"id": ["a"]}));
    }
    #[test]
    fn index_over_limit_object() {
        check("id[21]=a", json!({"id": {"21": "a"}}));
    }
    #[test]
    fn mixed_limit_object() {
        check("id[0]=a&id[21]=b", json!({"id": {"0": "a", "21": "b"}}));
    }
    #[test]
    fn leading_zero_is_key() {
        check("id[01]=a", json!({"id": {"01": "a"}}));
    }
    #[test]
    fn negative_is_key() {
        check("id[-1]=a", json!({"id": {"-1": "a"}}));
    }
    #[test]
    fn top_level_digit_key() {
        check("0=a", json!({"0": "a"}));
    }
    #[test]
    fn bracket_only_key() {
        check("[a]=b", json!({"a": "b"}));
    }
    #[test]
    fn unclosed_bracket_literal() {
        check("a[=b", json!({"a[": "b"}));
    }
    #[test]
    fn nested_open_bracket() {
        check("a[b[c]]=d", json!({"a[b": {"c": "d"}}));
    }
    #[test]
    fn push_then_nested() {
        check("a[][b]=x", json!({"a": [{"b": "x"}]}));
    }
    #[test]
    fn bracket_key_with_equals() {
        check("a[b=c]=d", json!({"a": {"b=c": "d"}}));
    }
    #[test]
    fn repeated_indexed_key() {
        check("id[0]=a&id[0]=b", json!({"id": [["a", "b"]]}));
    }
    #[test]
    fn mixed_push_and_plain() {
        check("a=1&a[]=2", json!({"a": ["1", "2"]}));
    }
    #[test]
    fn array_then_object_key() {
        check("a[0]=x&a[b]=y", json!({"a": {"0": "x", "b": "y"}}));
    }
    #[test]
    fn object_then_plain_quirk() {
        check("a[b]=1&a=c", json!({"a": {"b": "1", "c": true}}));
    }
    #[test]
    fn plain_then_object() {
        check("a=c&a[b]=1", json!({"a": ["c", {"b": "1"}]}));
    }
    #[test]
    fn empty_value_does_not_clobber() {
        check("a[b]=1&a=", json!({"a": {"b": "1"}}));
    }
    #[test]
    fn proto_key_dropped() {
        check("a[__proto__]=x", json!({"a": {}}));
    }
    #[test]
    fn depth_five_ok() {
        check(
            "a[b][c][d][e][f]=1",
            json!({"a": {"b": {"c": {"d": {"e": {"f": "1"}}}}}}),
        );
    }
    #[test]
    fn depth_six_rejected() {
        check_err("a[b][c][d][e][f][g]=1", "deeper than 5");
    }
    #[test]
    fn depth_counts_dots() {
        check_err("a.b.c.d.e.f.g=1", "deeper than 5");
    }

    // --- dots ----------------------------------------------------------------
    #[test]
    fn dotted_key() {
        check("a.b=v", json!({"a": {"b": "v"}}));
    }
    #[test]
    fn dotted_deep() {
        check("a.b.c=v", json!({"a": {"b": {"c": "v"}}}));
    }
    #[test]
    fn dot_after_bracket() {
        check("a[b].c=v", json!({"a": {"b": {"c": "v"}}}));
    }
    #[test]
    fn dot_index() {
        check("a.0=v", json!({"a": ["v"]}));
    }
    #[test]
    fn dot_and_bracket_merge() {
        check("a.b=1&a[c]=2", json!({"a": {"b": "1", "c": "2"}}));
    }
    #[test]
    fn dot_and_bracket_same_leaf() {
        check("a.b=1&a[b]=2", json!({"a": {"b": ["1", "2"]}}));
    }
    #[test]
    fn trailing_dot_literal() {
        check("a.=v", json!({"a.": "v"}));
    }
    #[test]
    fn encoded_dot_splits() {
        check("a%2Eb=v", json!({"a": {"b": "v"}}));
    }

    // --- SDK encodings -------------------------------------------------------
    #[test]
    fn sdk_encoded_index() {
        check("id%5B0%5D=prod_1", json!({"id": ["prod_1"]}));
    }
    #[test]
    fn sdk_encoded_two() {
        check(
            "id%5B0%5D=prod_1&id%5B1%5D=prod_2",
            json!({"id": ["prod_1", "prod_2"]}),
        );
    }
    #[test]
    fn sdk_lowercase_escapes() {
        check("id%5b0%5d=p", json!({"id": ["p"]}));
    }
    #[test]
    fn sdk_encoded_operator() {
        check(
            "created_at%5B%24gte%5D=2024",
            json!({"created_at": {"$gte": "2024"}}),
        );
    }
    #[test]
    fn sdk_fields() {
        check(
            "fields=%2Avariants.calculated_price%2C%2Bvariants.inventory_quantity%2C&limit=12",
            json!({"fields": "*variants.calculated_price,+variants.inventory_quantity,", "limit": "12"}),
        );
    }
    #[test]
    fn sdk_encoded_key_with_equals() {
        check("a%5Bb=c%5D=d", json!({"a": {"b=c": "d"}}));
    }

    // --- errors --------------------------------------------------------------
    #[test]
    fn bad_escape() {
        check_err("a=%zz", "malformed percent-encoding");
    }
    #[test]
    fn truncated_escape() {
        check_err("a=%4", "malformed percent-encoding");
    }
    #[test]
    fn lone_percent() {
        check_err("a=%", "malformed percent-encoding");
    }
    #[test]
    fn bad_escape_in_key() {
        check_err("a%G0=1", "malformed percent-encoding");
    }
    #[test]
    fn invalid_utf8() {
        check_err("a=%C3%28", "UTF-8");
    }
    #[test]
    fn surrogate_rejected() {
        check_err("a=%ED%A0%80", "UTF-8");
    }
    #[test]
    fn error_prefix() {
        check_err("a=%", "Invalid query string: ");
    }
    #[test]
    fn excerpt_is_bounded() {
        let long = format!("a={}%", "x".repeat(500));
        assert!(parse_query(&long).err().is_some_and(|e| e.0.len() < 200));
    }
    #[test]
    fn parameter_limit_ok() {
        let q = vec!["a=1"; PARAMETER_LIMIT].join("&");
        assert!(parse_query(&q).is_ok());
    }
    #[test]
    fn parameter_limit_exceeded() {
        let q = vec!["a=1"; PARAMETER_LIMIT + 1].join("&");
        assert_eq!(
            parse_query(&q),
            Err(QueryError(
                "Invalid query string: too many parameters (limit is 1000)".into()
            ))
        );
    }

    // --- list_params ---------------------------------------------------------
    #[test]
    fn list_empty() {
        check_list(json!({}), Ok(ListParams::default()));
    }
    #[test]
    fn list_all() {
        check_list(
            json!({"limit": "10", "offset": "20", "order": "-created_at", "fields": "id,title"}),
            Ok(ListParams {
                limit: Some(10),
                offset: Some(20),
                order: Some("-created_at".into()),
                fields: Some("id,title".into()),
            }),
        );
    }
    #[test]
    fn list_zero() {
        check_list(
            json!({"limit": "0"}),
            Ok(ListParams {
                limit: Some(0),
                ..Default::default()
            }),
        );
    }
    #[test]
    fn list_parse_int_prefix() {
        check_list(
            json!({"limit": "10abc"}),
            Ok(ListParams {
                limit: Some(10),
                ..Default::default()
            }),
        );
    }
    #[test]
    fn list_parse_int_whitespace() {
        check_list(
            json!({"offset": " 7"}),
            Ok(ListParams {
                offset: Some(7),
                ..Default::default()
            }),
        );
    }
    #[test]
    fn list_parse_int_hex() {
        check_list(
            json!({"limit": "0x10"}),
            Ok(ListParams {
                limit: Some(16),
                ..Default::default()
            }),
        );
    }
    #[test]
    fn list_fraction_truncates() {
        check_list(
            json!({"limit": "1.9"}),
            Ok(ListParams {
                limit: Some(1),
                ..Default::default()
            }),
        );
    }
    #[test]
    fn list_huge_saturates() {
        check_list(
            json!({"offset": "99999999999999999999999"}),
            Ok(ListParams {
                offset: Some(u64::MAX),
                ..Default::default()
            }),
        );
    }
    #[test]
    fn list_minus_zero() {
        check_list(
            json!({"offset": "-0"}),
            Ok(ListParams {
                offset: Some(0),
                ..Default::default()
            }),
        );
    }
    #[test]
    fn list_nan() {
        check_list(
            json!({"limit": "abc"}),
            Err("Invalid request: Expected type: 'number' for field 'limit', got: 'nan'"),
        );
    }
    #[test]
    fn list_empty_string() {
        check_list(
            json!({"limit": ""}),
            Err("Invalid request: Expected type: 'number' for field 'limit', got: 'string'"),
        );
    }
    #[test]
    fn list_array() {
        check_list(
            json!({"limit": ["1", "2"]}),
            Err("Invalid request: Expected type: 'number' for field 'limit', got: 'array'"),
        );
    }
    #[test]
    fn list_object() {
        check_list(
            json!({"offset": {"a": "1"}}),
            Err("Invalid request: Expected type: 'number' for field 'offset', got: 'object'"),
        );
    }
    #[test]
    fn list_negative() {
        check_list(
            json!({"limit": "-1"}),
            Err("Invalid request: Value for field 'limit' too small, expected at least: '0'"),
        );
    }
    #[test]
    fn list_fields_array() {
        check_list(
            json!({"fields": ["a", "b"]}),
            Err("Invalid request: Expected type: 'string' for field 'fields', got: 'array'"),
        );
    }
    #[test]
    fn list_order_object() {
        check_list(
            json!({"order": {"a": "b"}}),
            Err("Invalid request: Expected type: 'string' for field 'order', got: 'object'"),
        );
    }
    #[test]
    fn list_issue_order() {
        check_list(
            json!({"limit": "x", "offset": "y", "fields": ["a"], "order": ["b"]}),
            Err(
                "Invalid request: Expected type: 'string' for field 'fields', got: 'array'; Expected type: 'number' for field 'offset', got: 'nan'; Expected type: 'number' for field 'limit', got: 'nan'",
            ),
        );
    }
    #[test]
    fn list_from_query_string() {
        let q = parse_query("limit=5&offset=10&order=title").unwrap();
        assert_eq!(
            list_params(&q),
            Ok(ListParams {
                limit: Some(5),
                offset: Some(10),
                order: Some("title".into()),
                fields: None
            })
        );
    }

    // --- string_list ---------------------------------------------------------
    #[test]
    fn list_absent() {
        check_strings(json!({}), Ok(vec![]));
    }
    #[test]
    fn list_single() {
        check_strings(json!({"id": "a"}), Ok(vec!["a"]));
    }
    #[test]
    fn list_commas() {
        check_strings(json!({"id": "a,b"}), Ok(vec!["a", "b"]));
    }
    #[test]
    fn list_commas_trimmed() {
        check_strings(json!({"id": " a , ,b,"}), Ok(vec!["a", "b"]));
    }
    #[test]
    fn list_empty_value() {
        check_strings(json!({"id": ""}), Ok(vec![]));
    }
    #[test]
    fn list_one_element_split() {
        check_strings(json!({"id": ["a,b"]}), Ok(vec!["a", "b"]));
    }
    #[test]
    fn list_many_kept() {
        check_strings(json!({"id": ["a,b", "c"]}), Ok(vec!["a,b", "c"]));
    }
    #[test]
    fn list_bad_element() {
        check_strings(
            json!({"id": ["a", {"x": "1"}]}),
            Err("Invalid request: Expected type: 'string, string' for field 'id', got: 'array'"),
        );
    }
    #[test]
    fn list_object_value() {
        check_strings(
            json!({"id": {"x": "1"}}),
            Err("Invalid request: Expected type: 'string, array' for field 'id', got: 'object'"),
        );
    }
    #[test]
    fn list_from_sdk() {
        let q = parse_query("id%5B0%5D=prod_1&id%5B1%5D=prod_2").unwrap();
        assert_eq!(
            string_list(&q, "id"),
            Ok(vec!["prod_1".to_string(), "prod_2".to_string()])
        );
    }

    // --- FieldsSpec ----------------------------------------------------------
    #[test]
    fn spec_classes() {
        assert_eq!(
            FieldsSpec::parse_list("title,+a,-b,*c,d.*, e,+*f,*"),
            vec![
                FieldsSpec::Plain("title".into()),
                FieldsSpec::Add("a".into()),
                FieldsSpec::Remove("b".into()),
                FieldsSpec::Star("c".into()),
                FieldsSpec::Star("d".into()),
                FieldsSpec::Add("e".into()),
                FieldsSpec::Star("f".into()),
                FieldsSpec::Wildcard,
            ]
        );
    }
    #[test]
    fn spec_empty_entries() {
        assert_eq!(FieldsSpec::parse_list(" , ,,"), vec![]);
    }
    #[test]
    fn spec_star_both_markers() {
        assert_eq!(
            FieldsSpec::parse_list("*a.*"),
            vec![FieldsSpec::Star("a".into())]
        );
    }
    #[test]
    fn spec_bare_markers_dropped() {
        assert_eq!(FieldsSpec::parse_list("+,-,.*"), vec![]);
    }

    // --- parse_fields --------------------------------------------------------
    #[test]
    fn fields_replace() {
        let s = sel("title,handle");
        assert_eq!(s.fields(), &set(&["handle", "id", "title"]));
        assert!(s.star_relations().is_empty());
    }
    #[test]
    fn fields_replace_adds_id() {
        assert_eq!(sel("title").fields(), &set(&["id", "title"]));
    }
    #[test]
    fn fields_replace_keeps_stars() {
        let s = sel("title,*variants");
        assert_eq!(s.fields(), &set(&["id", "title"]));
        assert_eq!(s.star_relations(), &set(&["variants"]));
    }
    #[test]
    fn fields_replace_with_remove() {
        assert_eq!(sel("title,handle,-handle").fields(), &set(&["id", "title"]));
    }
    #[test]
    fn fields_add() {
        let s = sel("+metadata");
        assert_eq!(
            s.fields(),
            &set(&["handle", "id", "metadata", "title", "variants.sku"])
        );
        assert_eq!(s.star_relations(), &set(&["options", "variants"]));
    }
    #[test]
    fn fields_unencoded_plus_is_space() {
        let q = parse_query("fields=+metadata").unwrap();
        let raw = q.get("fields").and_then(Value::as_str).unwrap_or_default();
        assert!(parse_fields(raw, DEFAULTS).includes("title"));
        assert!(parse_fields(raw, DEFAULTS).includes("metadata"));
    }
    #[test]
    fn fields_remove() {
        assert!(!sel("-title").includes("title"));
    }
    #[test]
    fn fields_remove_relation_and_nested() {
        let s = sel("-variants");
        assert!(!s.includes_relation("variants"));
        assert!(!s.includes("variants.sku"));
        assert_eq!(s.star_relations(), &set(&["options"]));
    }
    #[test]
    fn fields_remove_then_add() {
        assert!(sel("-title,+title").includes("title"));
    }
    #[test]
    fn fields_remove_all_scalars() {
        assert_eq!(sel("-*").fields(), &set(&["id", "variants.sku"]));
    }
    #[test]
    fn fields_star_suffix() {
        assert!(sel("options.values.*").relation_all_columns("options.values"));
    }
    #[test]
    fn fields_wildcard() {
        let s = sel("*");
        assert_eq!(s.fields(), &set(&["handle", "id", "title"]));
        assert!(s.star_relations().is_empty());
    }
    #[test]
    fn fields_wildcard_with_plain_does_not_replace() {
        assert!(sel("*,metadata").includes("title"));
    }
    #[test]
    fn fields_empty_only_id() {
        assert_eq!(sel("").fields(), &set(&["id"]));
    }
    #[test]
    fn fields_trailing_commas_only_id() {
        assert_eq!(sel(",,").fields(), &set(&["id"]));
    }
    #[test]
    fn fields_trimmed_plain() {
        assert_eq!(
            sel("title , handle ").fields(),
            &set(&["handle", "id", "title"])
        );
    }
    #[test]
    fn fields_leading_space_is_additive() {
        assert!(sel(" metadata").includes("title"));
    }
    #[test]
    fn from_defaults_no_id() {
        let s = FieldSelection::from_defaults(&["title", "*variants"]);
        assert_eq!(s.fields(), &set(&["title"]));
        assert!(s.relation_all_columns("variants"));
    }

    #[test]
    fn nextjs_product_fields() {
        let s = sel(
            "*variants.calculated_price,+variants.inventory_quantity,*variants.images,+metadata,+tags,",
        );
        assert_eq!(
            s.fields(),
            &set(&[
                "handle",
                "id",
                "metadata",
                "tags",
                "title",
                "variants.inventory_quantity",
                "variants.sku"
            ])
        );
        assert_eq!(
            s.star_relations(),
            &set(&[
                "options",
                "variants",
                "variants.calculated_price",
                "variants.images"
            ])
        );
        assert!(s.includes("title"));
        assert!(s.includes("variants.inventory_quantity"));
        assert!(s.includes("variants.title"));
        assert!(s.includes("variants.calculated_price.calculated_amount"));
        assert!(s.includes_relation("variants.calculated_price"));
        assert!(s.includes_relation("tags"));
        assert!(s.relation_all_columns("tags"));
        assert!(!s.includes_relation("collection"));
    }
    #[test]
    fn nextjs_product_fields_via_sdk_url() {
        let q =
            parse_query("fields=%2Avariants.calculated_price%2C%2Bvariants.inventory_quantity%2C")
                .unwrap();
        let s = parse_fields(
            q.get("fields").and_then(Value::as_str).unwrap_or_default(),
            &["id", "title"],
        );
        assert_eq!(
            s.fields(),
            &set(&["id", "title", "variants.inventory_quantity"])
        );
        assert!(s.includes_relation("variants"));
        assert!(!s.relation_all_columns("variants"));
        assert!(s.relation_all_columns("variants.calculated_price"));
        assert_eq!(s.nested_columns("variants"), vec!["inventory_quantity"]);
        assert!(!s.includes("variants.sku"));
    }
    #[test]
    fn nextjs_cart_fields() {
        let defaults = ["id", "currency_code", "email", "*items", "total"];
        let s = parse_fields(
            "*items, *region, *items.product, *items.variant, *items.thumbnail, *items.metadata, +items.total, *promotions, +shipping_methods.name",
            &defaults,
        );
        assert_eq!(
            s.fields(),
            &set(&[
                "currency_code",
                "email",
                "id",
                "items.total",
                "shipping_methods.name",
                "total"
            ])
        );
        assert_eq!(
            s.star_relations(),
            &set(&[
                "items",
                "items.metadata",
                "items.product",
                "items.thumbnail",
                "items.variant",
                "promotions",
                "region"
            ])
        );
        assert!(s.includes("email"));
        assert!(s.includes("items.quantity"));
        assert!(s.includes("items.variant.sku"));
        assert!(s.includes_relation("items.variant"));
        assert!(s.includes_relation("region"));
        assert!(s.includes("shipping_methods.name"));
        assert!(!s.includes("shipping_methods.amount"));
        assert!(s.includes_relation("shipping_methods"));
        assert!(!s.relation_all_columns("shipping_methods"));
        assert!(!s.includes_relation("customer"));
    }
    #[test]
    fn includes_relation_via_nested_column() {
        assert!(sel("title,collection.handle").includes_relation("collection"));
    }
    #[test]
    fn includes_relation_prefix_not_confused() {
        assert!(!sel("title,variantsx.a").includes_relation("variants"));
    }
    #[test]
    fn top_level_scalars_sorted() {
        assert_eq!(
            sel("+metadata").top_level_scalars(),
            vec!["handle", "id", "metadata", "title"]
        );
    }
    #[test]
    fn nested_columns_direct_only() {
        assert_eq!(sel("a.b,a.c.d,ab.e").nested_columns("a"), vec!["b"]);
    }

    #[test]
    fn display_is_message() {
        assert_eq!(QueryError("x".into()).to_string(), "x");
    }
}

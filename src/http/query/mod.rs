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
//!
//! Layout: this file is the qs parser; `params.rs` holds the typed list
//! parameters ([`ListParams`], [`list_params`], [`string_list`]) and
//! `selection.rs` the `fields=` grammar ([`FieldsSpec`], [`FieldSelection`],
//! [`parse_fields`]), both re-exported here.

use serde_json::{Map, Value};
use std::collections::HashMap;
use std::fmt;

mod params;
mod selection;

pub use params::{ListParams, MAX_PAGE_VALUE, exact_list, list_params, string_list};
pub use selection::{FieldSelection, FieldsSpec, parse_fields};

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
pub(crate) fn decode_component(s: &str) -> Result<String, QueryError> {
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

#[cfg(test)]
mod tests_fields;
#[cfg(test)]
mod tests_params;
#[cfg(test)]
mod tests_qs;

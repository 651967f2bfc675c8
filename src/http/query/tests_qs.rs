//! Tests of the qs-style parser [`parse_query`]: plain pairs, brackets,
//! dots, the SDK's percent-encoded keys, and the inputs it refuses.

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

#[test]
fn display_is_message() {
    assert_eq!(QueryError("x".into()).to_string(), "x");
}

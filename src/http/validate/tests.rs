//! Tests of [`parse_json_body`] (what body-parser's strict mode accepts),
//! the typed getters for reading a checked body, and [`BodyError`].

use super::*;
use serde_json::json;

#[track_caller]
fn body(input: &str, expected: Result<Value, &str>) {
    let got = parse_json_body(input.as_bytes());
    assert_eq!(
        got,
        expected.map_err(|m| BodyError(m.to_string())),
        "body: {input:?}"
    );
}

const BAD_JSON: &str = "Invalid JSON in request body";

// --- parse_json_body -----------------------------------------------------
#[test]
fn body_empty_is_object() {
    body("", Ok(json!({})));
}
#[test]
fn body_object() {
    body(r#"{"a":1}"#, Ok(json!({"a": 1})));
}
#[test]
fn body_array() {
    body("[1,2]", Ok(json!([1, 2])));
}
#[test]
fn body_leading_whitespace() {
    body(" \n{\"a\":true}", Ok(json!({"a": true})));
}
#[test]
fn body_bom_skipped() {
    body("\u{feff}{}", Ok(json!({})));
}
#[test]
fn body_malformed() {
    body("{\"a\":", Err(BAD_JSON));
}
#[test]
fn body_trailing_garbage() {
    body("{} x", Err(BAD_JSON));
}
#[test]
fn body_single_quotes() {
    body("{'a':1}", Err(BAD_JSON));
}
#[test]
fn body_whitespace_only() {
    body("  ", Err(BAD_JSON));
}
#[test]
fn body_bare_number() {
    body("1", Err(BAD_JSON));
}
#[test]
fn body_bare_string() {
    body("\"x\"", Err(BAD_JSON));
}
#[test]
fn body_null() {
    body("null", Err(BAD_JSON));
}
#[test]
fn body_invalid_utf8() {
    let got = parse_json_body(b"{\"a\":\"\xff\"}");
    assert!(got.is_err_and(|e| e.0.starts_with(BAD_JSON) && e.0.contains("UTF-8")));
}
#[test]
fn body_deep_nesting_rejected() {
    body(&"[".repeat(1000), Err(BAD_JSON));
}

// --- getters --------------------------------------------------------------
#[test]
fn getter_str() {
    assert_eq!(get_str(&json!({"a": "x"}), "a"), Some("x"));
}
#[test]
fn getter_str_wrong() {
    assert_eq!(get_str(&json!({"a": 1}), "a"), None);
}
#[test]
fn getter_str_missing() {
    assert_eq!(get_str(&json!({}), "a"), None);
}
#[test]
fn getter_f64() {
    assert_eq!(get_f64(&json!({"a": 1.5}), "a"), Some(1.5));
}
#[test]
fn getter_i64() {
    assert_eq!(get_i64(&json!({"a": -3}), "a"), Some(-3));
}
#[test]
fn getter_i64_float_zero() {
    assert_eq!(get_i64(&json!({"a": 2.0}), "a"), Some(2));
}
#[test]
fn getter_i64_fraction() {
    assert_eq!(get_i64(&json!({"a": 2.5}), "a"), None);
}
#[test]
fn getter_u64() {
    assert_eq!(get_u64(&json!({"a": 7}), "a"), Some(7));
}
#[test]
fn getter_u64_negative() {
    assert_eq!(get_u64(&json!({"a": -7}), "a"), None);
}
#[test]
fn getter_u64_float_zero() {
    assert_eq!(get_u64(&json!({"a": 3.0}), "a"), Some(3));
}
#[test]
fn getter_bool() {
    assert_eq!(get_bool(&json!({"a": true}), "a"), Some(true));
}
#[test]
fn getter_object() {
    assert_eq!(
        get_object(&json!({"a": {"b": 1}}), "a").map(Map::len),
        Some(1)
    );
}
#[test]
fn getter_array() {
    assert_eq!(get_array(&json!({"a": [1, 2]}), "a").map(Vec::len), Some(2));
}
#[test]
fn getter_on_non_object() {
    assert_eq!(get_str(&json!([1]), "a"), None);
}
#[test]
fn null_detection() {
    assert!(is_null(&json!({"a": null}), "a"));
}
#[test]
fn null_detection_absent() {
    assert!(!is_null(&json!({}), "a"));
}

#[test]
fn display_is_message() {
    assert_eq!(BodyError("x".into()).to_string(), "x");
}

//! Tests of the typed list parameters: [`list_params`] (pagination with
//! plain-digit integers and zod-style messages) and [`string_list`] filters.

use super::*;
use serde_json::json;

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
// Medusa runs JS `parseInt` here, so `10abc` is 10, `1e9` and `1.9` are 1, `1e18` is 1 and
// `0x10` is 16: a client asking for one thing silently gets another. We answer 400 instead.
#[test]
fn list_trailing_junk_refused() {
    check_list(
        json!({"limit": "10abc"}),
        Err("Invalid request: Expected type: 'integer' for field 'limit', got: 'string'"),
    );
}
#[test]
fn list_whitespace_refused() {
    check_list(
        json!({"offset": " 7"}),
        Err("Invalid request: Expected type: 'number' for field 'offset', got: 'nan'"),
    );
}
#[test]
fn list_hex_refused() {
    check_list(
        json!({"limit": "0x10"}),
        Err("Invalid request: Expected type: 'integer' for field 'limit', got: 'string'"),
    );
}
#[test]
fn list_fraction_refused() {
    check_list(
        json!({"limit": "1.9"}),
        Err("Invalid request: Expected type: 'integer' for field 'limit', got: 'float'"),
    );
}
#[test]
fn list_exponent_refused() {
    for (key, value) in [
        ("limit", "1e9"),
        ("offset", "1e18"),
        ("limit", "1E3"),
        ("offset", "1.0"),
    ] {
        check_list(
            json!({ key: value }),
            Err(&format!(
                "Invalid request: Expected type: 'integer' for field '{key}', got: 'float'"
            )),
        );
    }
}
#[test]
fn list_negative_forms_refused() {
    for value in ["-1", "-1.5", "-2e3", "-99999999999999999999999"] {
        check_list(
            json!({ "offset": value }),
            Err("Invalid request: Value for field 'offset' too small, expected at least: '0'"),
        );
    }
}
#[test]
fn list_huge_refused() {
    check_list(
        json!({"offset": "99999999999999999999999"}),
        Err(
            "Invalid request: Value for field 'offset' too big, expected at most: '9007199254740991'",
        ),
    );
    check_list(
        json!({"limit": "9007199254740992"}),
        Err(
            "Invalid request: Value for field 'limit' too big, expected at most: '9007199254740991'",
        ),
    );
}
#[test]
fn list_large_plain_integers_taken_as_sent() {
    check_list(
        json!({"limit": "1000000", "offset": "9007199254740991"}),
        Ok(ListParams {
            limit: Some(1_000_000),
            offset: Some(9_007_199_254_740_991),
            ..Default::default()
        }),
    );
}
#[test]
fn list_non_numbers_are_nan() {
    for value in ["abc", "Infinity", "NaN", ".", "+5", "-"] {
        check_list(
            json!({ "limit": value }),
            Err("Invalid request: Expected type: 'number' for field 'limit', got: 'nan'"),
        );
    }
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

// --- exact_list ------------------------------------------------------------
#[track_caller]
fn check_exact(input: Value, expected: Result<Vec<&str>, &str>) {
    let got = exact_list(&map(input), "id");
    let expected = expected
        .map(|v| v.into_iter().map(str::to_string).collect())
        .map_err(|m| QueryError(m.to_string()));
    assert_eq!(got, expected);
}
#[test]
fn exact_absent_and_single() {
    check_exact(json!({}), Ok(vec![]));
    check_exact(json!({"id": "a"}), Ok(vec!["a"]));
}
#[test]
fn exact_keeps_commas_and_empties() {
    check_exact(json!({"id": "a,b"}), Ok(vec!["a,b"]));
    check_exact(json!({"id": ""}), Ok(vec![""]));
    check_exact(json!({"id": ["a,b"]}), Ok(vec!["a,b"]));
}
#[test]
fn exact_repeated_and_bracketed() {
    for query in ["id=a&id=b", "id[]=a&id[]=b", "id%5B0%5D=a&id%5B1%5D=b"] {
        let q = parse_query(query).unwrap();
        assert_eq!(
            exact_list(&q, "id"),
            Ok(vec!["a".to_string(), "b".to_string()]),
            "{query}"
        );
    }
}
#[test]
fn exact_bad_shapes() {
    check_exact(
        json!({"id": ["a", {"x": "1"}]}),
        Err("Invalid request: Expected type: 'string, string' for field 'id', got: 'array'"),
    );
    check_exact(
        json!({"id": {"x": "1"}}),
        Err("Invalid request: Expected type: 'string, array' for field 'id', got: 'object'"),
    );
}

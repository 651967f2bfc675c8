//! Tests of [`Schema::check`]: accepted bodies, single issues with
//! Medusa's wording, nested shapes and arrays, and several issues in zod's
//! order (at most three).

use super::*;
use serde_json::json;

#[track_caller]
fn check(schema: &Schema, input: Value, expected: Result<(), &str>) {
    let got = schema.check(&input);
    assert_eq!(
        got,
        expected.map_err(|m| BodyError(m.to_string())),
        "input: {input}"
    );
}

fn line_item() -> Schema {
    Schema::new()
        .required("variant_id", Kind::String)
        .required("quantity", Kind::Number)
        .optional("metadata", Kind::Object)
}

fn address() -> Schema {
    Schema::new()
        .required("city", Kind::String)
        .optional("postal_code", Kind::String.nullable())
}

fn cart_update() -> Schema {
    Schema::new()
        .optional("email", Kind::String)
        .optional_object("shipping_address", address())
        .optional_array("items", line_item())
}

fn kinds() -> Schema {
    Schema::new()
        .optional("s", Kind::String)
        .optional("n", Kind::Number)
        .optional("i", Kind::Integer)
        .optional("b", Kind::Boolean)
        .optional("o", Kind::Object)
        .optional("a", Kind::Array)
        .optional("x", Kind::Any)
        .optional("ns", Kind::String.nullable())
        .optional("tags", Kind::array_of(Kind::String))
}

// --- Schema: success ------------------------------------------------------
#[test]
fn valid_item() {
    check(
        &line_item(),
        json!({"variant_id": "v", "quantity": 2}),
        Ok(()),
    );
}
#[test]
fn valid_with_optional() {
    check(
        &line_item(),
        json!({"variant_id": "v", "quantity": 2, "metadata": {"k": 1}}),
        Ok(()),
    );
}
#[test]
fn empty_schema_empty_body() {
    check(&Schema::new(), json!({}), Ok(()));
}
#[test]
fn default_is_new() {
    check(
        &Schema::default(),
        json!({"a": 1}),
        Err("Invalid request: Unrecognized fields: 'a'"),
    );
}
#[test]
fn all_kinds_valid() {
    check(
        &kinds(),
        json!({"s": "x", "n": 1.5, "i": 3, "b": false, "o": {}, "a": [1, "x"], "x": null, "ns": null, "tags": ["a"]}),
        Ok(()),
    );
}
#[test]
fn integer_accepts_float_zero() {
    check(&kinds(), json!({"i": 2.0}), Ok(()));
}
#[test]
fn integer_accepts_negative() {
    check(&kinds(), json!({"i": -4}), Ok(()));
}
#[test]
fn nullable_accepts_value() {
    check(&kinds(), json!({"ns": "x"}), Ok(()));
}
#[test]
fn any_accepts_array() {
    check(&kinds(), json!({"x": [1]}), Ok(()));
}
#[test]
fn nested_valid() {
    check(
        &cart_update(),
        json!({"shipping_address": {"city": "Oslo", "postal_code": null}}),
        Ok(()),
    );
}
#[test]
fn array_of_shapes_valid() {
    check(
        &cart_update(),
        json!({"items": [{"variant_id": "a", "quantity": 1}]}),
        Ok(()),
    );
}
#[test]
fn empty_array_valid() {
    check(&cart_update(), json!({"items": []}), Ok(()));
}

// --- Schema: single issues ------------------------------------------------
#[test]
fn unknown_key() {
    check(
        &line_item(),
        json!({"variant_id": "v", "quantity": 1, "foo": 1}),
        Err("Invalid request: Unrecognized fields: 'foo'"),
    );
}
#[test]
fn unknown_keys_joined() {
    check(
        &Schema::new(),
        json!({"a": 1, "b": 2}),
        Err("Invalid request: Unrecognized fields: 'a, b'"),
    );
}
#[test]
fn missing_required() {
    check(
        &line_item(),
        json!({"quantity": 1}),
        Err("Invalid request: Field 'variant_id' is required"),
    );
}
#[test]
fn wrong_type_string() {
    check(
        &line_item(),
        json!({"variant_id": "v", "quantity": "2"}),
        Err("Invalid request: Expected type: 'number' for field 'quantity', got: 'string'"),
    );
}
#[test]
fn wrong_type_null() {
    check(
        &line_item(),
        json!({"variant_id": null, "quantity": 1}),
        Err("Invalid request: Expected type: 'string' for field 'variant_id', got: 'null'"),
    );
}
#[test]
fn wrong_type_array() {
    check(
        &line_item(),
        json!({"variant_id": ["v"], "quantity": 1}),
        Err("Invalid request: Expected type: 'string' for field 'variant_id', got: 'array'"),
    );
}
#[test]
fn wrong_type_object() {
    check(
        &kinds(),
        json!({"s": {}}),
        Err("Invalid request: Expected type: 'string' for field 's', got: 'object'"),
    );
}
#[test]
fn wrong_type_boolean() {
    check(
        &kinds(),
        json!({"n": true}),
        Err("Invalid request: Expected type: 'number' for field 'n', got: 'boolean'"),
    );
}
#[test]
fn boolean_got_string() {
    check(
        &kinds(),
        json!({"b": "true"}),
        Err("Invalid request: Expected type: 'boolean' for field 'b', got: 'string'"),
    );
}
#[test]
fn object_got_array() {
    check(
        &kinds(),
        json!({"o": []}),
        Err("Invalid request: Expected type: 'object' for field 'o', got: 'array'"),
    );
}
#[test]
fn array_got_object() {
    check(
        &kinds(),
        json!({"a": {}}),
        Err("Invalid request: Expected type: 'array' for field 'a', got: 'object'"),
    );
}
#[test]
fn integer_got_float() {
    check(
        &kinds(),
        json!({"i": 1.5}),
        Err("Invalid request: Expected type: 'integer' for field 'i', got: 'float'"),
    );
}
#[test]
fn integer_got_string() {
    check(
        &kinds(),
        json!({"i": "1"}),
        Err("Invalid request: Expected type: 'number' for field 'i', got: 'string'"),
    );
}
#[test]
fn nullable_wrong_type() {
    check(
        &kinds(),
        json!({"ns": 1}),
        Err("Invalid request: Expected type: 'string' for field 'ns', got: 'number'"),
    );
}
#[test]
fn optional_rejects_null() {
    check(
        &line_item(),
        json!({"variant_id": "v", "quantity": 1, "metadata": null}),
        Err("Invalid request: Expected type: 'object' for field 'metadata', got: 'null'"),
    );
}
#[test]
fn required_nullable_missing() {
    check(
        &Schema::new().required("x", Kind::String.nullable()),
        json!({}),
        Err("Invalid request: Field 'x' is required"),
    );
}
#[test]
fn required_nullable_null_ok() {
    check(
        &Schema::new().required("x", Kind::String.nullable()),
        json!({"x": null}),
        Ok(()),
    );
}
#[test]
fn required_any_missing() {
    check(
        &Schema::new().required("x", Kind::Any),
        json!({}),
        Err("Invalid request: Field 'x' is required"),
    );
}
#[test]
fn array_element_wrong() {
    check(
        &kinds(),
        json!({"tags": ["a", 2]}),
        Err("Invalid request: Expected type: 'string' for field 'tags, 1', got: 'number'"),
    );
}
#[test]
fn array_of_got_string() {
    check(
        &kinds(),
        json!({"tags": "a"}),
        Err("Invalid request: Expected type: 'array' for field 'tags', got: 'string'"),
    );
}
#[test]
fn top_level_array() {
    check(
        &line_item(),
        json!([]),
        Err("Invalid request: Expected type: 'object' for field '', got: 'array'"),
    );
}
#[test]
fn top_level_string() {
    check(
        &line_item(),
        json!("x"),
        Err("Invalid request: Expected type: 'object' for field '', got: 'string'"),
    );
}

// --- Schema: nesting ------------------------------------------------------
#[test]
fn nested_missing() {
    check(
        &cart_update(),
        json!({"shipping_address": {}}),
        Err("Invalid request: Field 'shipping_address, city' is required"),
    );
}
#[test]
fn nested_wrong_type() {
    check(
        &cart_update(),
        json!({"shipping_address": {"city": 5}}),
        Err(
            "Invalid request: Expected type: 'string' for field 'shipping_address, city', got: 'number'",
        ),
    );
}
#[test]
fn nested_not_object() {
    check(
        &cart_update(),
        json!({"shipping_address": "Oslo"}),
        Err("Invalid request: Expected type: 'object' for field 'shipping_address', got: 'string'"),
    );
}
#[test]
fn nested_null_rejected() {
    check(
        &cart_update(),
        json!({"shipping_address": null}),
        Err("Invalid request: Expected type: 'object' for field 'shipping_address', got: 'null'"),
    );
}
#[test]
fn nested_unknown() {
    check(
        &cart_update(),
        json!({"shipping_address": {"city": "x", "zip": "1"}}),
        Err("Invalid request: Unrecognized fields: 'zip'"),
    );
}
#[test]
fn nested_allow_unknown() {
    let schema = Schema::new().object(
        "a",
        Schema::new().required("b", Kind::String).allow_unknown(),
    );
    check(&schema, json!({"a": {"b": "x", "c": 1}}), Ok(()));
}
#[test]
fn allow_unknown_top_level() {
    check(&Schema::new().allow_unknown(), json!({"z": 1}), Ok(()));
}
#[test]
fn required_object_missing() {
    check(
        &Schema::new().object("a", address()),
        json!({}),
        Err("Invalid request: Field 'a' is required"),
    );
}
#[test]
fn required_array_missing() {
    check(
        &Schema::new().array("items", line_item()),
        json!({}),
        Err("Invalid request: Field 'items' is required"),
    );
}
#[test]
fn array_item_missing() {
    check(
        &cart_update(),
        json!({"items": [{"variant_id": "a", "quantity": 1}, {"variant_id": "b"}]}),
        Err("Invalid request: Field 'items, 1, quantity' is required"),
    );
}
#[test]
fn array_item_not_object() {
    check(
        &cart_update(),
        json!({"items": ["a"]}),
        Err("Invalid request: Expected type: 'object' for field 'items, 0', got: 'string'"),
    );
}
#[test]
fn array_item_unknown() {
    check(
        &cart_update(),
        json!({"items": [{"variant_id": "a", "quantity": 1, "x": 1}]}),
        Err("Invalid request: Unrecognized fields: 'x'"),
    );
}
#[test]
fn deep_nesting_path() {
    let schema = Schema::new().object(
        "a",
        Schema::new().array("b", Schema::new().required("c", Kind::Boolean)),
    );
    check(
        &schema,
        json!({"a": {"b": [{"c": 1}]}}),
        Err("Invalid request: Expected type: 'boolean' for field 'a, b, 0, c', got: 'number'"),
    );
}
#[test]
fn redeclare_replaces() {
    check(
        &Schema::new()
            .required("a", Kind::String)
            .optional("a", Kind::Number),
        json!({}),
        Ok(()),
    );
}

// --- Schema: several issues -----------------------------------------------
#[test]
fn two_issues_schema_order() {
    check(
        &line_item(),
        json!({"quantity": "1"}),
        Err(
            "Invalid request: Field 'variant_id' is required; Expected type: 'number' for field 'quantity', got: 'string'",
        ),
    );
}
#[test]
fn unknown_after_fields() {
    check(
        &line_item(),
        json!({"quantity": 1, "offer_id": "o"}),
        Err("Invalid request: Field 'variant_id' is required; Unrecognized fields: 'offer_id'"),
    );
}
#[test]
fn nested_issue_before_parent_unknown() {
    check(
        &cart_update(),
        json!({"shipping_address": {}, "bogus": 1}),
        Err(
            "Invalid request: Field 'shipping_address, city' is required; Unrecognized fields: 'bogus'",
        ),
    );
}
#[test]
fn at_most_three_issues() {
    let schema = Schema::new()
        .required("a", Kind::String)
        .required("b", Kind::String)
        .required("c", Kind::String)
        .required("d", Kind::String);
    check(
        &schema,
        json!({"e": 1}),
        Err("Invalid request: Field 'a' is required; Field 'b' is required; Field 'c' is required"),
    );
}
#[test]
fn three_array_issues_cut() {
    check(
        &kinds(),
        json!({"tags": [1, 2, 3, 4], "s": 1}),
        Err(
            "Invalid request: Expected type: 'string' for field 's', got: 'number'; Expected type: 'string' for field 'tags, 0', got: 'number'; Expected type: 'string' for field 'tags, 1', got: 'number'",
        ),
    );
}
#[test]
fn parse_then_check() {
    let value = parse_json_body(br#"{"variant_id":"variant_1","quantity":1}"#).unwrap();
    assert_eq!(line_item().check(&value), Ok(()));
}
#[test]
fn empty_body_then_check() {
    let value = parse_json_body(b"").unwrap();
    assert_eq!(
        line_item().check(&value),
        Err(BodyError(
            "Invalid request: Field 'variant_id' is required; Field 'quantity' is required".into()
        ))
    );
}

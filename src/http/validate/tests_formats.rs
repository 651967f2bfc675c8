//! Tests of the value checks beyond a JSON type: integers must be representable
//! (±[`MAX_SAFE_INTEGER`]) and emails must pass zod's email check. Bodies are parsed from
//! text, as a request's are, so `1e20` and `2^63` arrive as serde_json reads them.

use super::*;

#[track_caller]
fn check(schema: &Schema, body: &str, expected: Result<(), &str>) {
    let value = parse_json_body(body.as_bytes()).expect("test body parses");
    let got = schema.check(&value);
    assert_eq!(
        got,
        expected.map_err(|m| BodyError(m.to_string())),
        "body: {body}"
    );
}

fn level() -> Schema {
    Schema::new()
        .optional("stocked_quantity", Kind::Integer)
        .optional_array("items", Schema::new().required("quantity", Kind::Integer))
}

const TOO_BIG: &str = "Invalid request: Value for field 'stocked_quantity' too big, expected at most: '9007199254740991'";

#[test]
fn integers_up_to_the_safe_bound_pass() {
    for body in [
        r#"{"stocked_quantity": 0}"#,
        r#"{"stocked_quantity": -5}"#,
        r#"{"stocked_quantity": 2.0}"#,
        r#"{"stocked_quantity": 1e3}"#,
        r#"{"stocked_quantity": 9007199254740991}"#,
        r#"{"stocked_quantity": -9007199254740991}"#,
    ] {
        check(&level(), body, Ok(()));
    }
}

#[test]
fn integers_beyond_the_bound_name_the_field() {
    for body in [
        r#"{"stocked_quantity": 9007199254740992}"#,
        r#"{"stocked_quantity": 9223372036854775807}"#,
        r#"{"stocked_quantity": 9223372036854775808}"#,
        r#"{"stocked_quantity": 18446744073709551616}"#,
        r#"{"stocked_quantity": 1e20}"#,
        r#"{"stocked_quantity": 1e308}"#,
    ] {
        check(&level(), body, Err(TOO_BIG));
    }
    check(
        &level(),
        r#"{"stocked_quantity": -1e20}"#,
        Err(
            "Invalid request: Value for field 'stocked_quantity' too small, expected at least: '-9007199254740991'",
        ),
    );
}

#[test]
fn nested_integer_issue_carries_its_path() {
    check(
        &level(),
        r#"{"items": [{"quantity": 1}, {"quantity": 1e20}]}"#,
        Err(
            "Invalid request: Value for field 'items, 1, quantity' too big, expected at most: '9007199254740991'",
        ),
    );
}

#[test]
fn fractions_are_still_floats() {
    check(
        &level(),
        r#"{"stocked_quantity": 1.5}"#,
        Err("Invalid request: Expected type: 'integer' for field 'stocked_quantity', got: 'float'"),
    );
}

#[test]
fn plain_numbers_keep_their_range() {
    let schema = Schema::new().required("weight", Kind::Number);
    check(&schema, r#"{"weight": 1e300}"#, Ok(()));
}

fn contact() -> Schema {
    Schema::new().optional("email", Kind::Email.nullable())
}

#[test]
fn emails_pass_zods_check() {
    for body in [
        r#"{"email": "jane@example.com"}"#,
        r#"{"email": "jane+orders@mail.example.co.uk"}"#,
        r#"{"email": null}"#,
        r#"{}"#,
    ] {
        check(&contact(), body, Ok(()));
    }
}

#[test]
fn bad_emails_get_zods_message() {
    for body in [
        r#"{"email": "not-an-email"}"#,
        r#"{"email": "\u0000@example.com"}"#,
        r#"{"email": "<script>x</script>@example.com"}"#,
        r#"{"email": ""}"#,
        r#"{"email": "a@b"}"#,
    ] {
        check(
            &contact(),
            body,
            Err("Invalid request: Invalid email address"),
        );
    }
}

#[test]
fn non_string_email_is_a_type_issue() {
    check(
        &contact(),
        r#"{"email": 5}"#,
        Err("Invalid request: Expected type: 'string' for field 'email', got: 'number'"),
    );
}

//! Tests of the money foundation: the currency table, exact parsing and
//! its errors, rendering and round trips, [`Amount`] arithmetic, rounding
//! modes and [`Rate`] tax computation.

use super::currency::CURRENCIES;
use super::*;
use serde_json::json;

#[track_caller]
fn check_parse(text: &str, currency: &str, expected: i64) {
    match parse_major(text, currency) {
        Ok(minor) => assert_eq!(minor, expected, "parsing {text:?} {currency}"),
        Err(error) => panic!("parsing {text:?} {currency}: {error}"),
    }
}

fn kind(error: &MoneyError) -> &'static str {
    match error {
        MoneyError::UnknownCurrency { .. } => "unknown",
        MoneyError::TooPrecise { .. } => "precise",
        MoneyError::Overflow { .. } => "overflow",
        MoneyError::NotANumber { .. } => "nan",
        MoneyError::Negative { .. } => "negative",
    }
}

#[track_caller]
fn check_err(result: Result<i64, MoneyError>, expected: &str) {
    match result {
        Ok(minor) => panic!("expected {expected} error, got {minor}"),
        Err(error) => assert_eq!(kind(&error), expected, "{error}"),
    }
}

#[track_caller]
fn check_format(minor: i64, exponent: u32, expected: &str) {
    assert_eq!(format_major(minor, exponent), expected);
}

#[track_caller]
fn check_json(minor: i64, currency: &str, expected: &str) {
    let rendered = serde_json::to_string(&to_json(minor, currency));
    assert_eq!(rendered.ok().as_deref(), Some(expected));
}

#[track_caller]
fn check_ratio(amount: i64, num: i64, den: i64, rounding: Rounding, expected: i64) {
    assert_eq!(mul_ratio(amount, num, den, rounding), Some(expected));
}

#[track_caller]
fn rate(text: &str) -> Rate {
    match Rate::parse_percent(text) {
        Ok(rate) => rate,
        Err(error) => panic!("rate {text:?}: {error}"),
    }
}

#[test]
fn table_is_sorted_lowercase_and_unique() {
    assert!(CURRENCIES.windows(2).all(|pair| pair[0].0 < pair[1].0));
    assert!(
        CURRENCIES
            .iter()
            .all(|(code, _)| code.len() == 3 && code.bytes().all(|b| b.is_ascii_lowercase()))
    );
}

#[test]
fn exponents() {
    let cases = [
        ("usd", 2),
        ("eur", 2),
        ("gbp", 2),
        ("jpy", 0),
        ("krw", 0),
        ("vnd", 0),
        ("clp", 0),
        ("isk", 0),
        ("kwd", 3),
        ("bhd", 3),
        ("jod", 3),
        ("omr", 3),
        ("tnd", 3),
        ("lyd", 3),
        ("iqd", 3),
        ("clf", 4),
        ("uyw", 4),
        ("aed", 2),
        ("zwg", 2),
    ];
    for (code, exponent) in cases {
        assert_eq!(currency_exponent(code), Some(exponent), "{code}");
    }
}

#[test]
fn exponent_is_case_insensitive() {
    assert_eq!(currency_exponent("USD"), Some(2));
    assert_eq!(currency_exponent("JpY"), Some(0));
}

#[test]
fn unknown_currencies() {
    for code in ["xyz", "", "us", "usdd", "xau", "xdr", "ü$"] {
        assert_eq!(currency_exponent(code), None, "{code}");
    }
    assert_eq!(exponent_or_default("xyz"), 2);
    check_err(parse_major("1", "xyz"), "unknown");
}

#[test]
fn parse_usd() {
    check_parse("10.5", "usd", 1050);
    check_parse("10", "usd", 1000);
    check_parse("10.05", "usd", 1005);
    check_parse("0.01", "usd", 1);
    check_parse("0", "usd", 0);
    check_parse("007.50", "usd", 750);
}

#[test]
fn parse_trailing_zeros_are_not_precision() {
    check_parse("10.500", "usd", 1050);
    check_parse("1000.000", "jpy", 1000);
    check_parse("0.000000", "jpy", 0);
}

#[test]
fn parse_other_exponents() {
    check_parse("1000", "jpy", 1000);
    check_parse("1.234", "kwd", 1234);
    check_parse("0.001", "kwd", 1);
    check_parse("1.2345", "clf", 12345);
}

#[test]
fn parse_rejects_too_precise() {
    check_err(parse_major("10.555", "usd"), "precise");
    check_err(parse_major("10.5", "jpy"), "precise");
    check_err(parse_major("0.0001", "kwd"), "precise");
    check_err(parse_major("1.23456", "clf"), "precise");
    check_err(parse_major("1e-3", "usd"), "precise");
    check_err(parse_major("1e-999999999999", "usd"), "precise");
}

#[test]
fn parse_exponent_notation() {
    check_parse("1e3", "usd", 100_000);
    check_parse("1E3", "jpy", 1000);
    check_parse("1.5e-1", "usd", 15);
    check_parse("1.5e+1", "usd", 1500);
    check_parse("125e-2", "usd", 125);
    check_parse("0e999999999999", "usd", 0);
}

#[test]
fn parse_rejects_non_numbers() {
    for text in [
        "", "-", "abc", "1.", ".5", "+1", " 1", "1 ", "1e", "1e+", "1.2.3", "0x10",
    ] {
        check_err(parse_major(text, "usd"), "nan");
    }
    for text in ["NaN", "inf", "1_000", "١"] {
        check_err(parse_major(text, "usd"), "nan");
    }
}

#[test]
fn parse_negative() {
    check_parse("-10.5", "usd", -1050);
    check_parse("-0", "usd", 0);
    check_err(parse_major_non_negative("-10.5", "usd"), "negative");
    assert_eq!(parse_major_non_negative("-0", "usd").ok(), Some(0));
    assert_eq!(parse_major_non_negative("10.5", "usd").ok(), Some(1050));
}

#[test]
fn parse_overflow() {
    check_parse("92233720368547758.07", "usd", i64::MAX);
    check_parse("-92233720368547758.08", "usd", i64::MIN);
    check_err(parse_major("92233720368547758.08", "usd"), "overflow");
    check_err(parse_major("1e17", "usd"), "overflow");
    check_err(parse_major("1e999999999999", "usd"), "overflow");
    check_err(parse_major(&"9".repeat(100), "jpy"), "overflow");
}

#[test]
fn parse_json_values() {
    let cases = [
        ("10.5", 1050),
        ("10", 1000),
        ("10.0", 1000),
        ("1e3", 100_000),
        ("1.5e-1", 15),
        ("\"10.5\"", 1050),
    ];
    for (json_text, expected) in cases {
        let value: Value = serde_json::from_str(json_text).unwrap();
        assert_eq!(
            parse_major(&value, "usd").ok(),
            Some(expected),
            "{json_text}"
        );
    }
    let number: Number = serde_json::from_str("0.001").unwrap();
    assert_eq!(parse_major(&number, "kwd").ok(), Some(1));
    check_err(parse_major(&json!(0.1 + 0.2), "usd"), "precise");
    check_err(parse_major(&json!(null), "usd"), "nan");
    check_err(parse_major(&json!(u64::MAX), "jpy"), "overflow");
}

#[test]
fn error_messages_are_short_and_clear() {
    let long = "1".repeat(500);
    let message = parse_major(long.as_str(), "jpy").unwrap_err().to_string();
    assert!(message.len() < 100, "{message}");
    let message = parse_major("10.555", "usd").unwrap_err().to_string();
    assert_eq!(message, "10.555 has more than 2 decimal places");
    let message = parse_major("1", "ABCD").unwrap_err().to_string();
    assert_eq!(message, "unknown currency code \"ABCD\"");
}

#[test]
fn format_trims_zeros() {
    check_format(1050, 2, "10.5");
    check_format(1000, 2, "10");
    check_format(1005, 2, "10.05");
    check_format(5, 2, "0.05");
    check_format(0, 2, "0");
    check_format(-5, 2, "-0.05");
    check_format(500, 0, "500");
    check_format(1234, 3, "1.234");
    check_format(1, 4, "0.0001");
    check_format(i64::MIN, 2, "-92233720368547758.08");
}

#[test]
fn round_trips_for_each_exponent() {
    let values = [
        0,
        1,
        -1,
        5,
        10,
        99,
        100,
        1050,
        -1050,
        123_456_789,
        i64::MAX,
        i64::MIN,
    ];
    for (currency, exponent) in [("jpy", 0), ("usd", 2), ("kwd", 3), ("clf", 4)] {
        for minor in values {
            let text = format_major(minor, exponent);
            assert_eq!(
                parse_major(text.as_str(), currency).ok(),
                Some(minor),
                "{text}"
            );
        }
    }
}

#[test]
fn json_rendering() {
    check_json(1050, "usd", "10.5");
    check_json(1000, "usd", "10");
    check_json(1234, "kwd", "1.234");
    check_json(500, "jpy", "500");
    check_json(1, "usd", "0.01");
    check_json(-1050, "usd", "-10.5");
    check_json(0, "usd", "0");
    check_json(10_001, "clf", "1.0001");
    check_json(100_000_000_000_001, "usd", "1000000000000.01");
}

#[test]
fn json_round_trips_through_parse() {
    for minor in [1, 7, 1050, 99_999, 123_456_789_012, -42] {
        let value = to_json(minor, "usd");
        assert_eq!(parse_major(&value, "usd").ok(), Some(minor), "{value}");
    }
}

#[test]
fn raw_json_shape() {
    assert_eq!(
        raw_json(1050, "usd"),
        json!({"value": "10.5", "precision": 20})
    );
    assert_eq!(
        raw_json(1000, "usd"),
        json!({"value": "10", "precision": 20})
    );
    assert_eq!(
        Amount(500).raw_json("jpy"),
        json!({"value": "500", "precision": 20})
    );
    assert_eq!(Amount(1234).to_json("kwd"), json!(1.234));
}

#[test]
fn amount_arithmetic() {
    assert_eq!(Amount(5).checked_add(Amount(7)), Some(Amount(12)));
    assert_eq!(Amount(5).checked_sub(Amount(7)), Some(Amount(-2)));
    assert_eq!(Amount(250).checked_mul_qty(3), Some(Amount(750)));
    assert_eq!(Amount(i64::MAX).checked_add(Amount(1)), None);
    assert_eq!(Amount(i64::MIN).checked_sub(Amount(1)), None);
    assert_eq!(Amount(i64::MAX).checked_mul_qty(2), None);
}

#[test]
fn amount_sum() {
    assert_eq!(
        Amount::checked_sum([Amount(1), Amount(2), Amount(3)]),
        Some(Amount(6))
    );
    assert_eq!(Amount::checked_sum(Vec::new()), Some(Amount::ZERO));
    assert_eq!(Amount::checked_sum([Amount(i64::MAX), Amount(1)]), None);
}

#[test]
fn rounding_half_up() {
    check_ratio(5, 1, 2, Rounding::HalfUp, 3);
    check_ratio(-5, 1, 2, Rounding::HalfUp, -3);
    check_ratio(14, 1, 10, Rounding::HalfUp, 1);
    check_ratio(-16, 1, 10, Rounding::HalfUp, -2);
    check_ratio(5, -1, 2, Rounding::HalfUp, -3);
}

#[test]
fn rounding_half_even() {
    check_ratio(5, 1, 2, Rounding::HalfEven, 2);
    check_ratio(7, 1, 2, Rounding::HalfEven, 4);
    check_ratio(-5, 1, 2, Rounding::HalfEven, -2);
    check_ratio(-7, 1, 2, Rounding::HalfEven, -4);
    check_ratio(-16, 1, 10, Rounding::HalfEven, -2);
    check_ratio(26, 1, 10, Rounding::HalfEven, 3);
}

#[test]
fn rounding_down_truncates_toward_zero() {
    check_ratio(19, 1, 10, Rounding::Down, 1);
    check_ratio(-19, 1, 10, Rounding::Down, -1);
    check_ratio(-5, 1, 2, Rounding::Down, -2);
}

#[test]
fn mul_ratio_edges() {
    check_ratio(10, 3, 3, Rounding::HalfUp, 10);
    check_ratio(i64::MAX, i64::MAX, i64::MAX, Rounding::HalfUp, i64::MAX);
    check_ratio(i64::MIN, 1, 1, Rounding::Down, i64::MIN);
    assert_eq!(mul_ratio(i64::MIN, 1, -1, Rounding::Down), None);
    assert_eq!(mul_ratio(i64::MIN, -1, 1, Rounding::Down), None);
    assert_eq!(mul_ratio(1, 1, 0, Rounding::HalfUp), None);
    assert_eq!(mul_ratio(i64::MAX, 2, 1, Rounding::HalfUp), None);
    assert_eq!(Rounding::default(), Rounding::HalfUp);
}

#[test]
fn rate_parsing() {
    assert_eq!(rate("8.25").percent_ppm(), 8_250_000);
    assert_eq!(rate("25").percent_ppm(), 25_000_000);
    assert_eq!(rate("0.000001").percent_ppm(), 1);
    assert_eq!(Rate::from_percent_ppm(8_250_000), rate("8.25"));
    assert_eq!(rate("8.25").percent_string(), "8.25");
    assert_eq!(rate("8.25").to_json(), json!(8.25));
    assert_eq!(Rate::parse_percent(&json!(19)).ok(), Some(rate("19")));
    assert!(matches!(
        Rate::parse_percent("-1"),
        Err(MoneyError::Negative { .. })
    ));
    assert!(matches!(
        Rate::parse_percent("1.0000001"),
        Err(MoneyError::TooPrecise { .. })
    ));
}

#[test]
fn tax_exclusive() {
    assert_eq!(rate("8.25").of(1000, Rounding::HalfUp), Some(83));
    assert_eq!(rate("8.25").of(1000, Rounding::HalfEven), Some(82));
    assert_eq!(rate("8.25").of(1000, Rounding::Down), Some(82));
    assert_eq!(rate("25").of(8000, Rounding::HalfUp), Some(2000));
    assert_eq!(rate("8.25").of(-1000, Rounding::HalfUp), Some(-83));
    assert_eq!(Rate::ZERO.of(1000, Rounding::HalfUp), Some(0));
}

#[test]
fn tax_inclusive() {
    assert_eq!(
        rate("25").split_inclusive(10_000, Rounding::HalfUp),
        Some((8000, 2000))
    );
    assert_eq!(
        rate("25").exclusive_from_inclusive(10_000, Rounding::HalfUp),
        Some(8000)
    );
    assert_eq!(
        rate("100").split_inclusive(1, Rounding::HalfUp),
        Some((0, 1))
    );
    assert_eq!(
        rate("100").split_inclusive(1, Rounding::HalfEven),
        Some((1, 0))
    );
    assert_eq!(
        Rate::from_percent_ppm(-100_000_000).split_inclusive(1, Rounding::HalfUp),
        None
    );
}

#[test]
fn tax_inclusive_always_adds_up() {
    for percent in ["0", "5", "7.7", "8.25", "19", "20", "21", "33.333333"] {
        for inclusive in [0, 1, 3, 99, 1000, 1083, 123_457, -999] {
            for rounding in [Rounding::HalfUp, Rounding::HalfEven, Rounding::Down] {
                let split = rate(percent).split_inclusive(inclusive, rounding);
                let (exclusive, tax) = split.unwrap();
                assert_eq!(exclusive + tax, inclusive, "{percent}% of {inclusive}");
            }
        }
    }
}

/// The old rendering: the decimal text, parsed.
fn decimal_json_by_text(minor: i64, exponent: u32) -> serde_json::Value {
    let text = format_major(minor, exponent);
    if let Ok(whole) = text.parse::<i64>() {
        return serde_json::Value::from(whole);
    }
    match text
        .parse::<f64>()
        .ok()
        .and_then(serde_json::Number::from_f64)
    {
        Some(number) => serde_json::Value::Number(number),
        None => serde_json::Value::String(text),
    }
}

#[test]
fn the_fast_json_rendering_is_the_same_number_as_the_text() {
    let mut minors: Vec<i64> = (-2_000..2_000).collect();
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    for _ in 0..20_000 {
        // xorshift: amounts of every size up to and past 2^53.
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let magnitude = (x >> (x % 64)) as i64;
        minors.push(if x.is_multiple_of(2) {
            magnitude
        } else {
            -magnitude
        });
    }
    minors.extend([
        (1 << 53) - 1,
        1 << 53,
        (1 << 53) + 1,
        i64::MAX,
        i64::MIN,
        i64::MIN + 1,
    ]);
    for exponent in [0, 1, 2, 3, 4, 8] {
        for &minor in &minors {
            assert_eq!(
                decimal_json(minor, exponent),
                decimal_json_by_text(minor, exponent),
                "{minor} at {exponent}"
            );
        }
    }
}

/// Amounts the written money pairs are checked on: whole, fractional, signed and extreme.
const PAIR_AMOUNTS: [i64; 10] = [0, 1, -1, 5, 10, 1050, -1050, 99_999, 123_456_789, i64::MAX];

#[test]
fn written_pairs_parse_to_the_rendered_values() {
    for currency in ["usd", "jpy", "kwd", "eur"] {
        for &minor in PAIR_AMOUNTS.iter().chain(&[i64::MIN + 1]) {
            let mut out = String::from("{");
            write_json_pair(&mut out, "total", minor, currency);
            out.push('}');
            let parsed: Value = serde_json::from_str(&out).expect("valid JSON");
            assert_eq!(
                parsed["total"],
                to_json(minor, currency),
                "{minor} {currency}"
            );
            assert_eq!(
                parsed["raw_total"],
                raw_json(minor, currency),
                "{minor} {currency}"
            );
        }
    }
}

#[test]
fn written_pairs_are_the_bytes_serde_json_writes() {
    for currency in ["usd", "JPY", "kwd", "clf", "xyz", "eu"] {
        for &minor in PAIR_AMOUNTS.iter().chain(&[i64::MIN]) {
            let mut out = String::new();
            write_json_pair(&mut out, "total", minor, currency);
            // What the function wrote before its fast path: serde_json's number, then the
            // raw object with `value` first.
            let expected = format!(
                "\"total\":{},\"raw_total\":{{\"value\":\"{}\",\"precision\":20}}",
                to_json(minor, currency),
                format_major(minor, exponent_or_default(currency))
            );
            assert_eq!(out, expected, "{minor} {currency}");
        }
    }
}

#[test]
fn written_numbers_are_serde_json_numbers_across_ranges() {
    let mut amounts: Vec<i64> = (-2_500..2_500).collect();
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    for _ in 0..20_000 {
        // xorshift: amounts of every length up to and past 15 digits
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let digits = (x % 19) as u32;
        let amount = (x >> 8) % 10_u64.pow(digits).max(1);
        let signed = i64::try_from(amount).unwrap_or(i64::MAX);
        amounts.push(if x & 1 == 0 { signed } else { -signed });
    }
    amounts.extend([
        999_999_999_999_999,
        -999_999_999_999_999,
        1_000_000_000_000_001,
    ]);
    for currency in ["usd", "jpy", "kwd", "clf"] {
        for &minor in &amounts {
            let mut out = String::new();
            write_json_pair(&mut out, "t", minor, currency);
            let number = out
                .strip_prefix("\"t\":")
                .and_then(|rest| rest.split(",\"raw_t\"").next())
                .unwrap();
            assert_eq!(
                number,
                to_json(minor, currency).to_string(),
                "{minor} {currency}"
            );
        }
    }
}

#[test]
fn fast_major_text_matches_the_padded_path() {
    let mut values = vec![
        0,
        1,
        -1,
        9,
        10,
        11,
        99,
        100,
        101,
        1050,
        -1050,
        1_000_000,
        i64::MAX,
        i64::MIN,
    ];
    let mut x: i64 = 0x2545_f491_4f6c_dd1d;
    for _ in 0..20_000 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        values.push(x);
        values.push(x % 1_000_000);
    }
    for exponent in 0..=21 {
        for &minor in &values {
            let (mut fast, mut padded) = (String::new(), String::new());
            write_major(&mut fast, minor, exponent);
            write_major_padded(&mut padded, minor, exponent);
            assert_eq!(fast, padded, "{minor} at {exponent}");
        }
    }
}

#[test]
fn every_known_currency_is_found_in_either_case_and_others_are_not() {
    let codes = super::currency::CURRENCIES;
    assert!(
        codes.windows(2).all(|w| w[0].0 < w[1].0),
        "sorted, no duplicates"
    );
    for &(code, exponent) in codes {
        assert_eq!(currency_exponent(code), Some(exponent), "{code}");
        assert_eq!(
            currency_exponent(&code.to_uppercase()),
            Some(exponent),
            "{code}"
        );
    }
    for unknown in ["", "us", "usdd", "zzz", "aaa", "u\u{e9}", "\u{0}\u{0}\u{0}"] {
        assert_eq!(currency_exponent(unknown), None, "{unknown:?}");
    }
}

#[test]
fn the_raw_precision_text_is_the_raw_precision() {
    assert_eq!(RAW_PRECISION_TEXT, RAW_PRECISION.to_string());
}

//! Exact parsing of major-unit decimals (`"10.5"`, `10.5`, `"1.5e1"`)
//! into minor units, never through `f64` arithmetic: [`MajorText`] reads
//! the decimal text, [`parse_scaled`] scales it and refuses to round.

use std::borrow::Cow;

use serde_json::{Number, Value};

use super::{MoneyError, require_exponent, snippet};

/// Largest exponent magnitude the parser tracks; anything larger can only be
/// zero, an overflow or too precise, which the capped value still decides.
const EXPONENT_CAP: i64 = 1_000_000_000;

/// Anything that carries a major-unit decimal as text: `str`, `String`, a
/// JSON number, or a JSON value that is a number or a numeric string (Medusa
/// accepts both). Reading the text keeps parsing exact.
pub trait MajorText {
    /// The decimal text, or [`MoneyError::NotANumber`].
    fn major_text(&self) -> Result<Cow<'_, str>, MoneyError>;
}

impl MajorText for str {
    fn major_text(&self) -> Result<Cow<'_, str>, MoneyError> {
        Ok(Cow::Borrowed(self))
    }
}

impl MajorText for String {
    fn major_text(&self) -> Result<Cow<'_, str>, MoneyError> {
        Ok(Cow::Borrowed(self.as_str()))
    }
}

impl MajorText for Number {
    fn major_text(&self) -> Result<Cow<'_, str>, MoneyError> {
        Ok(Cow::Owned(self.to_string()))
    }
}

impl MajorText for Value {
    fn major_text(&self) -> Result<Cow<'_, str>, MoneyError> {
        match self {
            Value::Number(number) => number.major_text(),
            Value::String(text) => Ok(Cow::Borrowed(text.as_str())),
            other => Err(MoneyError::NotANumber {
                value: snippet(&other.to_string()),
            }),
        }
    }
}

/// Parses a major-unit amount (`"10.5"`, `10.5`, `"1.5e1"`) into minor units
/// of `currency`, exactly; negatives (refunds, adjustments) are allowed.
pub fn parse_major<T: MajorText + ?Sized>(input: &T, currency: &str) -> Result<i64, MoneyError> {
    let exponent = require_exponent(currency)?;
    parse_scaled(&input.major_text()?, exponent)
}

/// [`parse_major`] for prices and other amounts that must not be negative.
pub fn parse_major_non_negative<T: MajorText + ?Sized>(
    input: &T,
    currency: &str,
) -> Result<i64, MoneyError> {
    let exponent = require_exponent(currency)?;
    let text = input.major_text()?;
    let minor = parse_scaled(&text, exponent)?;
    if minor < 0 {
        return Err(MoneyError::Negative {
            value: snippet(&text),
        });
    }
    Ok(minor)
}

/// Parses decimal text into an integer scaled by `10^exponent`, the inverse
/// of [`format_major`](super::format_major). Grammar: `-?digits(.digits)?([eE][+-]?digits)?`.
pub fn parse_scaled(text: &str, exponent: u32) -> Result<i64, MoneyError> {
    let decimal = split_decimal(text).ok_or_else(|| MoneyError::NotANumber {
        value: snippet(text),
    })?;
    let magnitude = scale_digits(&decimal, exponent).map_err(|fault| fault.into_error(text))?;
    let signed = if decimal.negative {
        -magnitude
    } else {
        magnitude
    };
    i64::try_from(signed).map_err(|_| MoneyError::Overflow {
        value: snippet(text),
    })
}

/// The pieces of a syntactically valid decimal.
struct Decimal {
    negative: bool,
    /// Integer digits followed by fraction digits, as values 0..=9.
    digits: Vec<u8>,
    /// How many of `digits` are after the decimal point.
    fraction_len: usize,
    /// The `e` exponent, capped at [`EXPONENT_CAP`].
    exponent: i64,
}

/// Splits decimal text into sign, digits and exponent; `None` if the text is
/// not a decimal in the accepted grammar.
fn split_decimal(text: &str) -> Option<Decimal> {
    let (negative, unsigned) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (mantissa, exponent) = match unsigned.split_once(['e', 'E']) {
        Some((mantissa, exponent)) => (mantissa, parse_exponent(exponent)?),
        None => (unsigned, 0),
    };
    let (whole, fraction) = match mantissa.split_once('.') {
        Some((_, "")) => return None,
        Some(parts) => parts,
        None => (mantissa, ""),
    };
    if !is_digits(whole) || !(fraction.is_empty() || is_digits(fraction)) {
        return None;
    }
    let digits = whole
        .bytes()
        .chain(fraction.bytes())
        .map(|b| b - b'0')
        .collect();
    Some(Decimal {
        negative,
        digits,
        fraction_len: fraction.len(),
        exponent,
    })
}

/// True for a non-empty run of ASCII digits.
fn is_digits(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit())
}

/// Parses the part after `e`, saturating at [`EXPONENT_CAP`] so absurd
/// exponents cannot overflow the shift arithmetic.
fn parse_exponent(text: &str) -> Option<i64> {
    let (negative, digits) = match text.as_bytes().first() {
        Some(b'-') => (true, text.get(1..)?),
        Some(b'+') => (false, text.get(1..)?),
        _ => (false, text),
    };
    if !is_digits(digits) {
        return None;
    }
    let magnitude = digits.bytes().fold(0_i64, |value, b| {
        (value * 10 + i64::from(b - b'0')).min(EXPONENT_CAP)
    });
    Some(if negative { -magnitude } else { magnitude })
}

/// Why scaling failed, turned into a [`MoneyError`] once the text is known.
enum ScaleFault {
    TooPrecise(u32),
    Overflow,
}

impl ScaleFault {
    fn into_error(self, text: &str) -> MoneyError {
        let value = snippet(text);
        match self {
            ScaleFault::TooPrecise(max_decimals) => MoneyError::TooPrecise {
                value,
                max_decimals,
            },
            ScaleFault::Overflow => MoneyError::Overflow { value },
        }
    }
}

/// Largest magnitude an `i64` can take (that of `i64::MIN`).
const MAX_MAGNITUDE: i128 = 1 << 63;

/// Turns the digits into `digits * 10^(exponent - fraction_len + scale)`,
/// refusing to drop non-zero digits or exceed `i64`.
fn scale_digits(decimal: &Decimal, scale: u32) -> Result<i128, ScaleFault> {
    let digits = &decimal.digits;
    let first = match digits.iter().position(|&d| d != 0) {
        Some(first) => first,
        None => return Ok(0),
    };
    let fraction_len = i64::try_from(decimal.fraction_len).unwrap_or(i64::MAX);
    let shift = decimal
        .exponent
        .saturating_sub(fraction_len)
        .saturating_add(i64::from(scale));
    let trailing_zeros = digits.iter().rev().take_while(|&&d| d == 0).count();
    let dropped = usize::try_from(shift.saturating_neg().max(0)).unwrap_or(usize::MAX);
    if dropped > trailing_zeros {
        return Err(ScaleFault::TooPrecise(scale));
    }
    let kept = digits.get(first..digits.len() - dropped).unwrap_or(&[]);
    let padding = std::iter::repeat_n(0_u8, usize::try_from(shift.max(0)).unwrap_or(usize::MAX));
    kept.iter()
        .copied()
        .chain(padding)
        .try_fold(0_i128, |value, digit| {
            let next = value * 10 + i128::from(digit);
            if next > MAX_MAGNITUDE {
                Err(ScaleFault::Overflow)
            } else {
                Ok(next)
            }
        })
}

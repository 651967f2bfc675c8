//! Exact money for Stockroom.
//!
//! # Representation
//!
//! Every amount is an exact integer count of the currency's *minor units*
//! (cents for `usd`, yen for `jpy`, fils for `kwd`) held in an `i64`. The
//! number of minor-unit digits is the ISO 4217 exponent, see
//! [`currency_exponent`]. Arithmetic never touches floating point: sums and
//! quantities use checked `i64` operations, ratios (tax rates, proration) use
//! `i128` intermediates and an explicit [`Rounding`] mode.
//!
//! # JSON
//!
//! Medusa v2 speaks *major* units on the wire, as plain JSON numbers, so
//! [`to_json`] renders `1050` minor `usd` as `10.5`, `1000` minor `usd` as
//! `10` (an integer, the way JavaScript prints it), `1000` minor `jpy` as
//! `1000` and `1234` minor `kwd` (3 decimals) as `1.234`. Medusa's
//! `raw_*` fields (`{"value": "10.5", "precision": 20}`) come from
//! [`raw_json`]. Incoming amounts are parsed by [`parse_major`] from the
//! number's decimal text, never through `f64` arithmetic.
//!
//! A fractional JSON number is an `f64` on the wire. [`to_json`] produces the
//! `f64` whose shortest round-trip text is exactly the decimal amount; this
//! is exact for up to 15 significant digits (amounts below 10^13 major units
//! at 2 decimals), beyond that the nearest `f64` is sent, just as Medusa's
//! JavaScript would. The `f64` is for rendering only, it is never computed
//! with. Incoming JSON numbers of up to 15 significant digits reach us
//! intact too: serde_json parses them to the nearest `f64`, whose shortest
//! text is the digits the client sent.
//!
//! # Rounding rules
//!
//! * Parsing never rounds: more decimal places than the currency has is
//!   [`MoneyError::TooPrecise`]. Trailing zeros are not extra precision, so
//!   `"10.500"` is accepted for `usd`.
//! * [`Rounding::HalfUp`] (the default) rounds a remainder of exactly one
//!   half away from zero: `0.5 -> 1`, `-0.5 -> -1`. This is how Medusa's
//!   totals come out for positive amounts, and it is the rule for tax: tax is
//!   computed and rounded *per line* with `HalfUp` (10.00 at 8.25% is 0.825,
//!   charged as 0.83).
//! * [`Rounding::HalfEven`] rounds an exact half to the even neighbour
//!   (banker's rounding), for callers that spread rounding over many lines.
//! * [`Rounding::Down`] truncates toward zero (`1.9 -> 1`, `-1.9 -> -1`), for
//!   "never give away more than owed" splits.
//! * Tax-inclusive prices are split by rounding the *tax* part (same rule as
//!   tax-exclusive tax) and taking `exclusive = inclusive - tax`, so
//!   `exclusive + tax == inclusive` always holds exactly.
//!
//! # Layout
//!
//! This file holds [`Amount`], [`Rounding`], [`MoneyError`] and the JSON
//! renderers; `currency.rs` the ISO 4217 exponent table, `parse.rs` the
//! exact decimal parser ([`parse_major`], [`MajorText`]) and `rate.rs`
//! [`Rate`] with tax splitting. Everything is re-exported here.

use serde_json::{Number, Value};

mod currency;
mod parse;
mod rate;

pub use currency::{DEFAULT_EXPONENT, currency_exponent, exponent_or_default, require_exponent};
pub use parse::{MajorText, parse_major, parse_major_non_negative, parse_scaled};
pub use rate::Rate;

/// Precision Medusa writes into every `raw_*` amount object.
const RAW_PRECISION: u32 = 20;

/// Longest piece of caller input echoed back inside an error message.
const SNIPPET_CHARS: usize = 40;

/// Why a money value was refused; messages are safe to show API callers.
#[derive(Debug, thiserror::Error)]
pub enum MoneyError {
    /// The currency code is not in the ISO 4217 table, so we cannot know
    /// where its decimal point is.
    #[error("unknown currency code {code:?}")]
    UnknownCurrency {
        /// The code as given (shortened if long).
        code: String,
    },
    /// The amount has more decimal places than the currency (or rate) allows;
    /// we refuse rather than silently round a customer's money.
    #[error("{value} has more than {max_decimals} decimal places")]
    TooPrecise {
        /// The input as given (shortened if long).
        value: String,
        /// Decimal places allowed.
        max_decimals: u32,
    },
    /// The amount does not fit in 64-bit minor units.
    #[error("{value} is out of range for a money amount")]
    Overflow {
        /// The input as given (shortened if long).
        value: String,
    },
    /// The input is not a plain decimal number (`10`, `10.5`, `1.5e-1`).
    #[error("{value:?} is not a decimal number")]
    NotANumber {
        /// The input as given (shortened if long).
        value: String,
    },
    /// A negative value where only zero or more makes sense (prices, rates).
    #[error("{value} must not be negative")]
    Negative {
        /// The input as given (shortened if long).
        value: String,
    },
}

/// Shortens caller input so an error message cannot balloon.
fn snippet(text: &str) -> String {
    let mut chars = text.chars();
    let head: String = chars.by_ref().take(SNIPPET_CHARS).collect();
    if chars.next().is_some() {
        format!("{head}…")
    } else {
        head
    }
}

/// An exact amount in minor units; a newtype so minor and major units are not
/// mixed up by accident.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Amount(pub i64);

impl Amount {
    /// Zero, the start of every total.
    pub const ZERO: Amount = Amount(0);

    /// Adds two amounts; `None` on overflow instead of wrapping money.
    pub fn checked_add(self, other: Amount) -> Option<Amount> {
        self.0.checked_add(other.0).map(Amount)
    }

    /// Subtracts `other`; `None` on overflow instead of wrapping money.
    pub fn checked_sub(self, other: Amount) -> Option<Amount> {
        self.0.checked_sub(other.0).map(Amount)
    }

    /// Unit price times quantity; `None` on overflow.
    pub fn checked_mul_qty(self, quantity: i64) -> Option<Amount> {
        self.0.checked_mul(quantity).map(Amount)
    }

    /// Totals a list of amounts, `None` if any partial sum overflows (the
    /// std `Sum` trait can only panic or wrap, neither is acceptable).
    pub fn checked_sum<I: IntoIterator<Item = Amount>>(amounts: I) -> Option<Amount> {
        amounts
            .into_iter()
            .try_fold(Amount::ZERO, |total, amount| total.checked_add(amount))
    }

    /// Medusa-style JSON number in major units, see [`to_json`].
    pub fn to_json(self, currency: &str) -> Value {
        to_json(self.0, currency)
    }

    /// Medusa `raw_*` object, see [`raw_json`].
    pub fn raw_json(self, currency: &str) -> Value {
        raw_json(self.0, currency)
    }
}

/// How a result that falls between two minor units is settled; named so
/// every rounding site states its rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Rounding {
    /// Exact halves go to the even neighbour (banker's rounding).
    HalfEven,
    /// Exact halves go away from zero; Medusa's visible behaviour and the
    /// per-line tax rule.
    #[default]
    HalfUp,
    /// Truncate toward zero.
    Down,
}

/// `amount * numerator / denominator` rounded as asked, for tax, discounts
/// and proration without floats; `None` if `denominator` is zero or the
/// result leaves `i64`. Works for any signs.
pub fn mul_ratio(amount: i64, numerator: i64, denominator: i64, rounding: Rounding) -> Option<i64> {
    if denominator == 0 {
        return None;
    }
    let product = i128::from(amount) * i128::from(numerator);
    i64::try_from(div_round(product, i128::from(denominator), rounding)).ok()
}

/// Divides with the chosen rounding; `denominator` is non-zero and both
/// operands come from `i64` products, so nothing here can overflow.
fn div_round(numerator: i128, denominator: i128, rounding: Rounding) -> i128 {
    let (numerator, denominator) = if denominator < 0 {
        (-numerator, -denominator)
    } else {
        (numerator, denominator)
    };
    let quotient = numerator / denominator;
    let twice_remainder = 2 * (numerator % denominator).abs();
    let bump = match rounding {
        Rounding::Down => false,
        Rounding::HalfUp => twice_remainder >= denominator,
        Rounding::HalfEven => {
            twice_remainder > denominator || (twice_remainder == denominator && quotient % 2 != 0)
        }
    };
    if bump {
        quotient + numerator.signum()
    } else {
        quotient
    }
}

/// Exact major-unit decimal text of `minor` at `exponent` decimals, trailing
/// zeros trimmed (`1050, 2 -> "10.5"`, `1000, 2 -> "10"`), as Medusa's raw
/// values and JavaScript print it.
pub fn format_major(minor: i64, exponent: u32) -> String {
    let mut out = String::with_capacity(24);
    write_major(&mut out, minor, exponent);
    out
}

/// [`format_major`] appended to `out`. Listings write two of these per price, so the digits
/// are produced by integer arithmetic rather than through `format!`'s padding machinery.
pub fn write_major(out: &mut String, minor: i64, exponent: u32) {
    with_major(minor, exponent, |text| out.push_str(text));
}

/// Calls `f` with [`format_major`]'s text: made on the stack ([`MajorDigits`]) when the
/// exponent's scale fits `u64`, as it does for every real currency.
fn with_major<R>(minor: i64, exponent: u32, f: impl FnOnce(&str) -> R) -> R {
    match MajorDigits::of(minor, exponent) {
        Some(digits) => f(digits.as_str()),
        None => {
            let mut padded = String::new();
            write_major_padded(&mut padded, minor, exponent);
            f(&padded)
        }
    }
}

/// [`format_major`]'s text in a buffer on the stack: a reply writes each amount twice (the
/// number and its `raw_` value), so it is made once, without allocating.
struct MajorDigits {
    bytes: [u8; MajorDigits::CAPACITY],
    len: usize,
}

impl MajorDigits {
    /// A sign, 19 whole digits at most, a point and 19 decimals at most (`u64` scales).
    const CAPACITY: usize = 40;

    /// `None` when the exponent's scale leaves `u64` (no real currency has one).
    fn of(minor: i64, exponent: u32) -> Option<MajorDigits> {
        let scale = 10_u64.checked_pow(exponent)?;
        let mut text = MajorDigits {
            bytes: [0; MajorDigits::CAPACITY],
            len: 0,
        };
        if minor < 0 {
            text.push(b'-');
        }
        let abs = minor.unsigned_abs();
        text.push_digits(abs / scale, 1);
        let (mut fraction, mut width) = (abs % scale, exponent);
        if fraction != 0 {
            while fraction % 10 == 0 {
                fraction /= 10;
                width -= 1;
            }
            text.push(b'.');
            text.push_digits(fraction, width);
        }
        Some(text)
    }

    fn push(&mut self, byte: u8) {
        if let Some(slot) = self.bytes.get_mut(self.len) {
            *slot = byte;
            self.len += 1;
        }
    }

    /// Decimal digits of `n`, zero-padded on the left to at least `width` (≤ 20) digits.
    fn push_digits(&mut self, mut n: u64, width: u32) {
        let mut digits = [b'0'; 20];
        let mut start = digits.len();
        loop {
            start -= 1;
            digits[start] = b'0' + (n % 10) as u8;
            n /= 10;
            if n == 0 {
                break;
            }
        }
        let start = start.min(digits.len().saturating_sub(width as usize));
        for &digit in &digits[start..] {
            self.push(digit);
        }
    }

    fn as_str(&self) -> &str {
        // Only ASCII digits, '-' and '.' were pushed.
        std::str::from_utf8(&self.bytes[..self.len]).unwrap_or_default()
    }
}

/// The general path for exponents whose scale leaves `u64` (no real currency has one).
fn write_major_padded(out: &mut String, minor: i64, exponent: u32) {
    let decimals = usize::try_from(exponent).unwrap_or(usize::MAX);
    let width = decimals.saturating_add(1);
    let padded = format!("{:0>width$}", minor.unsigned_abs());
    let (whole, fraction) = padded.split_at(padded.len().saturating_sub(decimals));
    let fraction = fraction.trim_end_matches('0');
    if minor < 0 {
        out.push('-');
    }
    out.push_str(whole);
    if !fraction.is_empty() {
        out.push('.');
        out.push_str(fraction);
    }
}

/// Renders minor units of `currency` as a Medusa v2 JSON number in major
/// units (`1050 usd -> 10.5`, `1000 usd -> 10`, `1234 kwd -> 1.234`).
/// Unknown currencies render with [`DEFAULT_EXPONENT`].
pub fn to_json(minor: i64, currency: &str) -> Value {
    decimal_json(minor, exponent_or_default(currency))
}

/// JSON number for an exact decimal: an integer when whole, otherwise the
/// `f64` whose shortest text is the decimal (exact up to 15 significant
/// digits; rendering only, never arithmetic).
fn decimal_json(minor: i64, exponent: u32) -> Value {
    // Fast paths (every request renders dozens of amounts): a whole amount is an integer; an
    // amount within 2^53 over a power of ten that fits an i64 (≤ 10^18, exact in f64) is one
    // correctly rounded division — the same double as parsing the decimal text, which is also
    // correctly rounded.
    if let Some(scale) = 10_i64.checked_pow(exponent) {
        if minor % scale == 0 {
            return Value::from(minor / scale);
        }
        const EXACT: i64 = 1 << 53;
        if minor.unsigned_abs() <= EXACT.unsigned_abs() {
            #[allow(clippy::cast_precision_loss)] // both exact: checked above
            let value = minor as f64 / scale as f64;
            if let Some(number) = Number::from_f64(value) {
                return Value::Number(number);
            }
        }
    }
    let text = format_major(minor, exponent);
    if let Ok(whole) = text.parse::<i64>() {
        return Value::from(whole);
    }
    match text.parse::<f64>().ok().and_then(Number::from_f64) {
        Some(number) => Value::Number(number),
        None => Value::String(text),
    }
}

/// Medusa's `raw_*` shape, `{"value": "10.5", "precision": 20}`, carrying the
/// exact decimal as a string next to the rendered number.
pub fn raw_json(minor: i64, currency: &str) -> Value {
    serde_json::json!({
        "value": format_major(minor, exponent_or_default(currency)),
        "precision": RAW_PRECISION,
    })
}

/// Writes `minor` of `currency` into JSON text as [`to_json`] and [`raw_json`] render it:
/// `"key":number,"raw_key":{"value":"…","precision":20}` without building either value.
/// Replies carry dozens of amounts (27 per cart reply), so the digits go straight into `out`:
/// no intermediate string, no formatting machinery for the common whole amount.
pub fn write_json_pair(out: &mut String, key: &str, minor: i64, currency: &str) {
    if minor == 0 {
        // Most of a cart's 27 amounts are zero (discounts, credits, taxes before an address):
        // the same text in every currency.
        return push_pair(out, key, |out| out.push('0'), "0");
    }
    let exponent = exponent_or_default(currency);
    let whole = || {
        10_i64
            .checked_pow(exponent)
            .is_some_and(|scale| minor % scale == 0)
    };
    let short = minor.unsigned_abs() < FIFTEEN_DIGITS || whole();
    with_major(minor, exponent, |major| {
        push_pair(
            out,
            key,
            |out| {
                if short {
                    // A whole amount: the integer `decimal_json` would make, as its own
                    // digits. Any other amount of at most 15 significant digits:
                    // `decimal_json` makes the double nearest the decimal, and the shortest
                    // text that reads back as that double (what serde_json writes) is the
                    // decimal itself — two different decimals of 15 digits or fewer never
                    // share a double, and a shorter text would be one. `major` is exactly
                    // that decimal, trailing zeros dropped, without the float formatting
                    // machinery.
                    out.push_str(major);
                } else {
                    write_json_number(out, minor, exponent);
                }
            },
            major,
        );
    });
}

/// `"key":` then the number `number` writes, then the `raw_` member of `major`.
fn push_pair(out: &mut String, key: &str, number: impl FnOnce(&mut String), major: &str) {
    out.reserve(2 * key.len() + 2 * major.len() + 40);
    out.push('"');
    out.push_str(key);
    out.push_str("\":");
    number(out);
    push_raw_member(out, key, major);
}

/// Amounts under this (in minor units) have at most 15 significant digits.
const FIFTEEN_DIGITS: u64 = 1_000_000_000_000_000;

/// [`RAW_PRECISION`] as the text a raw value's member carries (a test holds them equal).
const RAW_PRECISION_TEXT: &str = "20";

/// Writes `,"raw_key":{"value":"…","precision":20}`, the member [`raw_json`] renders after
/// a pair's number, straight into `out`.
pub fn write_raw_member(out: &mut String, key: &str, minor: i64, exponent: u32) {
    with_major(minor, exponent, |major| push_raw_member(out, key, major));
}

fn push_raw_member(out: &mut String, key: &str, major: &str) {
    out.push_str(",\"raw_");
    out.push_str(key);
    out.push_str("\":{\"value\":\"");
    out.push_str(major);
    out.push_str("\",\"precision\":");
    out.push_str(RAW_PRECISION_TEXT);
    out.push('}');
}

/// The JSON number [`decimal_json`] makes, as text.
fn write_json_number(out: &mut String, minor: i64, exponent: u32) {
    use std::fmt::Write as _;
    match decimal_json(minor, exponent) {
        Value::Number(n) => {
            let _ = write!(out, "{n}");
        }
        other => out.push_str(&other.to_string()),
    }
}

#[cfg(test)]
mod tests;

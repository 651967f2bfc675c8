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

use std::borrow::Cow;

use serde_json::{Number, Value};

/// Exponent assumed by the renderers for a currency code missing from the
/// table; two decimals is what most of the world and Medusa's admin assume.
pub const DEFAULT_EXPONENT: u32 = 2;

/// Precision Medusa writes into every `raw_*` amount object.
const RAW_PRECISION: u32 = 20;

/// Decimal places a [`Rate`] keeps, in percent (8.250000%).
const RATE_DECIMALS: u32 = 6;

/// 100% expressed in [`Rate`] units (millionths of a percent).
const WHOLE_PERCENT_PPM: i64 = 100 * 1_000_000;

/// Largest exponent magnitude the parser tracks; anything larger can only be
/// zero, an overflow or too precise, which the capped value still decides.
const EXPONENT_CAP: i64 = 1_000_000_000;

/// Longest piece of caller input echoed back inside an error message.
const SNIPPET_CHARS: usize = 40;

/// ISO 4217 minor-unit exponents, sorted by code for binary search.
///
/// All active codes with a defined minor unit, including the fund codes
/// (`bov`, `che`, `chw`, `clf`, `cou`, `mxv`, `usn`, `uyi`, `uyw`). Codes
/// without a minor unit (`xau`, `xdr`, …) are not money we can price in.
/// A few recently withdrawn codes (`cuc`, `hrk`, `sll`, `zwl`) stay so that
/// old orders keep rendering.
const CURRENCIES: &[(&str, u32)] = &[
    ("aed", 2),
    ("afn", 2),
    ("all", 2),
    ("amd", 2),
    ("ang", 2),
    ("aoa", 2),
    ("ars", 2),
    ("aud", 2),
    ("awg", 2),
    ("azn", 2),
    ("bam", 2),
    ("bbd", 2),
    ("bdt", 2),
    ("bgn", 2),
    ("bhd", 3),
    ("bif", 0),
    ("bmd", 2),
    ("bnd", 2),
    ("bob", 2),
    ("bov", 2),
    ("brl", 2),
    ("bsd", 2),
    ("btn", 2),
    ("bwp", 2),
    ("byn", 2),
    ("bzd", 2),
    ("cad", 2),
    ("cdf", 2),
    ("che", 2),
    ("chf", 2),
    ("chw", 2),
    ("clf", 4),
    ("clp", 0),
    ("cny", 2),
    ("cop", 2),
    ("cou", 2),
    ("crc", 2),
    ("cuc", 2),
    ("cup", 2),
    ("cve", 2),
    ("czk", 2),
    ("djf", 0),
    ("dkk", 2),
    ("dop", 2),
    ("dzd", 2),
    ("egp", 2),
    ("ern", 2),
    ("etb", 2),
    ("eur", 2),
    ("fjd", 2),
    ("fkp", 2),
    ("gbp", 2),
    ("gel", 2),
    ("ghs", 2),
    ("gip", 2),
    ("gmd", 2),
    ("gnf", 0),
    ("gtq", 2),
    ("gyd", 2),
    ("hkd", 2),
    ("hnl", 2),
    ("hrk", 2),
    ("htg", 2),
    ("huf", 2),
    ("idr", 2),
    ("ils", 2),
    ("inr", 2),
    ("iqd", 3),
    ("irr", 2),
    ("isk", 0),
    ("jmd", 2),
    ("jod", 3),
    ("jpy", 0),
    ("kes", 2),
    ("kgs", 2),
    ("khr", 2),
    ("kmf", 0),
    ("kpw", 2),
    ("krw", 0),
    ("kwd", 3),
    ("kyd", 2),
    ("kzt", 2),
    ("lak", 2),
    ("lbp", 2),
    ("lkr", 2),
    ("lrd", 2),
    ("lsl", 2),
    ("lyd", 3),
    ("mad", 2),
    ("mdl", 2),
    ("mga", 2),
    ("mkd", 2),
    ("mmk", 2),
    ("mnt", 2),
    ("mop", 2),
    ("mru", 2),
    ("mur", 2),
    ("mvr", 2),
    ("mwk", 2),
    ("mxn", 2),
    ("mxv", 2),
    ("myr", 2),
    ("mzn", 2),
    ("nad", 2),
    ("ngn", 2),
    ("nio", 2),
    ("nok", 2),
    ("npr", 2),
    ("nzd", 2),
    ("omr", 3),
    ("pab", 2),
    ("pen", 2),
    ("pgk", 2),
    ("php", 2),
    ("pkr", 2),
    ("pln", 2),
    ("pyg", 0),
    ("qar", 2),
    ("ron", 2),
    ("rsd", 2),
    ("rub", 2),
    ("rwf", 0),
    ("sar", 2),
    ("sbd", 2),
    ("scr", 2),
    ("sdg", 2),
    ("sek", 2),
    ("sgd", 2),
    ("shp", 2),
    ("sle", 2),
    ("sll", 2),
    ("sos", 2),
    ("srd", 2),
    ("ssp", 2),
    ("stn", 2),
    ("svc", 2),
    ("syp", 2),
    ("szl", 2),
    ("thb", 2),
    ("tjs", 2),
    ("tmt", 2),
    ("tnd", 3),
    ("top", 2),
    ("try", 2),
    ("ttd", 2),
    ("twd", 2),
    ("tzs", 2),
    ("uah", 2),
    ("ugx", 0),
    ("usd", 2),
    ("usn", 2),
    ("uyi", 0),
    ("uyu", 2),
    ("uyw", 4),
    ("uzs", 2),
    ("ved", 2),
    ("ves", 2),
    ("vnd", 0),
    ("vuv", 0),
    ("wst", 2),
    ("xaf", 0),
    ("xcd", 2),
    ("xcg", 2),
    ("xof", 0),
    ("xpf", 0),
    ("yer", 2),
    ("zar", 2),
    ("zmw", 2),
    ("zwg", 2),
    ("zwl", 2),
];

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

/// ISO 4217 minor-unit exponent of a currency code (case-insensitive), so
/// callers know how many decimals a major amount may carry; `None` if unknown.
pub fn currency_exponent(code: &str) -> Option<u32> {
    if code.len() != 3 {
        return None;
    }
    let lower = code.to_ascii_lowercase();
    CURRENCIES
        .binary_search_by(|(known, _)| (*known).cmp(lower.as_str()))
        .ok()
        .and_then(|index| CURRENCIES.get(index))
        .map(|&(_, exponent)| exponent)
}

/// Like [`currency_exponent`] but as an error, for validating input at the
/// API edge.
pub fn require_exponent(code: &str) -> Result<u32, MoneyError> {
    currency_exponent(code).ok_or_else(|| MoneyError::UnknownCurrency {
        code: snippet(code),
    })
}

/// Exponent used when rendering, where failing is not an option: unknown
/// codes fall back to [`DEFAULT_EXPONENT`]. Validate codes on the way in.
pub fn exponent_or_default(code: &str) -> u32 {
    currency_exponent(code).unwrap_or(DEFAULT_EXPONENT)
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

/// A tax (or discount) rate in percent, stored exactly as millionths of a
/// percent (8.25% is `8_250_000`), so Medusa's decimal `rate` fields survive
/// unchanged and tax is computed without floats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Rate {
    percent_ppm: i64,
}

impl Rate {
    /// 0%, for tax-free lines.
    pub const ZERO: Rate = Rate { percent_ppm: 0 };

    /// Builds a rate from millionths of a percent (`8_250_000` is 8.25%),
    /// for rates already stored in that unit.
    pub const fn from_percent_ppm(percent_ppm: i64) -> Rate {
        Rate { percent_ppm }
    }

    /// Parses a percent such as `"8.25"` (or a JSON number `8.25`) exactly;
    /// at most 6 decimals, never negative.
    pub fn parse_percent<T: MajorText + ?Sized>(input: &T) -> Result<Rate, MoneyError> {
        let text = input.major_text()?;
        let percent_ppm = parse_scaled(&text, RATE_DECIMALS)?;
        if percent_ppm < 0 {
            return Err(MoneyError::Negative {
                value: snippet(&text),
            });
        }
        Ok(Rate { percent_ppm })
    }

    /// The stored millionths of a percent, for persisting the rate.
    pub const fn percent_ppm(self) -> i64 {
        self.percent_ppm
    }

    /// The percent as exact decimal text (`"8.25"`), for storage and logs.
    pub fn percent_string(self) -> String {
        format_major(self.percent_ppm, RATE_DECIMALS)
    }

    /// The percent as a JSON number (`8.25`), the way Medusa sends `rate`.
    pub fn to_json(self) -> Value {
        decimal_json(self.percent_ppm, RATE_DECIMALS)
    }

    /// Tax on a tax-exclusive `amount`: `amount * rate`, rounded as asked
    /// (Medusa totals use [`Rounding::HalfUp`] per line). `None` on overflow.
    pub fn of(self, amount: i64, rounding: Rounding) -> Option<i64> {
        mul_ratio(amount, self.percent_ppm, WHOLE_PERCENT_PPM, rounding)
    }

    /// Splits a tax-inclusive amount into `(exclusive, tax)`.
    ///
    /// The tax part `inclusive * rate / (1 + rate)` is rounded as asked and
    /// `exclusive = inclusive - tax`, so the two always add back up to
    /// `inclusive` exactly. `None` on overflow or a rate of -100%.
    pub fn split_inclusive(self, inclusive: i64, rounding: Rounding) -> Option<(i64, i64)> {
        let denominator = WHOLE_PERCENT_PPM.checked_add(self.percent_ppm)?;
        let tax = mul_ratio(inclusive, self.percent_ppm, denominator, rounding)?;
        Some((inclusive.checked_sub(tax)?, tax))
    }

    /// The tax-exclusive part of a tax-inclusive amount, `amount / (1 + rate)`;
    /// the tax is then exactly `inclusive - exclusive`. See
    /// [`Rate::split_inclusive`] for where the rounding goes.
    pub fn exclusive_from_inclusive(self, inclusive: i64, rounding: Rounding) -> Option<i64> {
        self.split_inclusive(inclusive, rounding)
            .map(|(exclusive, _)| exclusive)
    }
}

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
/// of [`format_major`]. Grammar: `-?digits(.digits)?([eE][+-]?digits)?`.
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

/// Exact major-unit decimal text of `minor` at `exponent` decimals, trailing
/// zeros trimmed (`1050, 2 -> "10.5"`, `1000, 2 -> "10"`), as Medusa's raw
/// values and JavaScript print it.
pub fn format_major(minor: i64, exponent: u32) -> String {
    let decimals = usize::try_from(exponent).unwrap_or(usize::MAX);
    let width = decimals.saturating_add(1);
    let padded = format!("{:0>width$}", minor.unsigned_abs());
    let (whole, fraction) = padded.split_at(padded.len().saturating_sub(decimals));
    let fraction = fraction.trim_end_matches('0');
    let sign = if minor < 0 { "-" } else { "" };
    if fraction.is_empty() {
        format!("{sign}{whole}")
    } else {
        format!("{sign}{whole}.{fraction}")
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

#[cfg(test)]
mod tests {
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
}

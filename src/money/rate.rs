//! Tax and discount rates: [`Rate`] holds a percent exactly (millionths of
//! a percent), computes tax on exclusive amounts and splits tax-inclusive
//! amounts so the parts always add back up.

use serde_json::Value;

use super::{
    MajorText, MoneyError, Rounding, decimal_json, format_major, mul_ratio, parse_scaled, snippet,
};

/// Decimal places a [`Rate`] keeps, in percent (8.250000%).
const RATE_DECIMALS: u32 = 6;

/// 100% expressed in [`Rate`] units (millionths of a percent).
const WHOLE_PERCENT_PPM: i64 = 100 * 1_000_000;

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

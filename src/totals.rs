//! Cart and order totals with Medusa's semantics (reference §1.6), exactly, in minor units.
//!
//! A line's `subtotal` is `unit_price × quantity` without tax (a tax-inclusive price is split
//! with [`Rate::split_inclusive`], rounded half-up per line, so subtotal + tax adds back to
//! the price exactly); `tax_total` is the tax on `subtotal − discount_subtotal`; `total` is
//! `subtotal − discount_subtotal + tax_total`. A cart's `subtotal` is item subtotals **plus
//! shipping subtotals**; `total = subtotal + tax_total − discount_subtotal`. Promotions and
//! credit lines are not modelled yet, so every discount and credit total is 0.

use crate::error::{Error, Result};
use crate::money::{Rate, Rounding, to_json};
use serde_json::{Map, Value, json};

/// A priced line (an item, or a shipping method with quantity 1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// Minor units per unit.
    pub unit_price: i64,
    /// Units.
    pub quantity: i64,
    /// Whether `unit_price` includes tax.
    pub is_tax_inclusive: bool,
    /// The applicable tax rates.
    pub rates: Vec<Rate>,
}

/// A line's totals, minor units.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LineTotals {
    /// Excluding tax, before discounts.
    pub subtotal: i64,
    /// Tax.
    pub tax_total: i64,
    /// subtotal + tax.
    pub total: i64,
}

fn overflow() -> Error {
    Error::invalid("Amount out of range")
}

impl Line {
    /// Computes the line's totals.
    ///
    /// # Errors
    /// An amount out of range.
    pub fn totals(&self) -> Result<LineTotals> {
        let gross = self
            .unit_price
            .checked_mul(self.quantity)
            .ok_or_else(overflow)?;
        let ppm: i64 = self.rates.iter().map(|r| r.percent_ppm()).sum();
        let rate = Rate::from_percent_ppm(ppm);
        let (subtotal, tax_total) = if self.is_tax_inclusive {
            rate.split_inclusive(gross, Rounding::HalfUp)
                .ok_or_else(overflow)?
        } else {
            (
                gross,
                rate.of(gross, Rounding::HalfUp).ok_or_else(overflow)?,
            )
        };
        let total = subtotal.checked_add(tax_total).ok_or_else(overflow)?;
        Ok(LineTotals {
            subtotal,
            tax_total,
            total,
        })
    }
}

/// A cart's or order's totals, minor units.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Totals {
    /// Items.
    pub items: LineTotals,
    /// Shipping methods.
    pub shipping: LineTotals,
}

impl Totals {
    /// Sums item and shipping lines.
    ///
    /// # Errors
    /// An amount out of range.
    pub fn of(items: &[Line], shipping: &[Line]) -> Result<Totals> {
        Ok(Totals {
            items: sum(items)?,
            shipping: sum(shipping)?,
        })
    }

    /// The grand total (what the customer pays).
    pub fn total(&self) -> i64 {
        self.items.total + self.shipping.total
    }

    /// Every total field Medusa sends on a cart or order, in minor units.
    pub fn fields(&self) -> [(&'static str, i64); 27] {
        let (i, s) = (self.items, self.shipping);
        let (subtotal, tax, total) = (
            i.subtotal + s.subtotal,
            i.tax_total + s.tax_total,
            self.total(),
        );
        [
            ("total", total),
            ("subtotal", subtotal),
            ("tax_total", tax),
            ("discount_total", 0),
            ("discount_subtotal", 0),
            ("discount_tax_total", 0),
            ("original_total", total),
            ("original_subtotal", subtotal),
            ("original_tax_total", tax),
            ("item_total", i.total),
            ("item_subtotal", i.subtotal),
            ("item_tax_total", i.tax_total),
            ("item_discount_total", 0),
            ("original_item_total", i.total),
            ("original_item_subtotal", i.subtotal),
            ("original_item_tax_total", i.tax_total),
            ("shipping_total", s.total),
            ("shipping_subtotal", s.subtotal),
            ("shipping_tax_total", s.tax_total),
            ("shipping_discount_total", 0),
            ("original_shipping_total", s.total),
            ("original_shipping_subtotal", s.subtotal),
            ("original_shipping_tax_total", s.tax_total),
            ("credit_line_total", 0),
            ("credit_line_subtotal", 0),
            ("credit_line_tax_total", 0),
            ("gift_card_total", 0),
        ]
    }

    /// Every total field Medusa sends on a cart or order, in major units.
    pub fn to_json(&self, currency: &str) -> Map<String, Value> {
        let m = |v: i64| to_json(v, currency);
        let (i, s) = (self.items, self.shipping);
        let subtotal = i.subtotal + s.subtotal;
        let tax = i.tax_total + s.tax_total;
        let value = json!({
            "total": m(self.total()), "subtotal": m(subtotal), "tax_total": m(tax),
            "discount_total": 0, "discount_subtotal": 0, "discount_tax_total": 0,
            "original_total": m(self.total()), "original_subtotal": m(subtotal), "original_tax_total": m(tax),
            "item_total": m(i.total), "item_subtotal": m(i.subtotal), "item_tax_total": m(i.tax_total),
            "item_discount_total": 0,
            "original_item_total": m(i.total), "original_item_subtotal": m(i.subtotal), "original_item_tax_total": m(i.tax_total),
            "shipping_total": m(s.total), "shipping_subtotal": m(s.subtotal), "shipping_tax_total": m(s.tax_total),
            "shipping_discount_total": 0,
            "original_shipping_total": m(s.total), "original_shipping_subtotal": m(s.subtotal), "original_shipping_tax_total": m(s.tax_total),
            "credit_line_total": 0, "credit_line_subtotal": 0, "credit_line_tax_total": 0,
        });
        match value {
            Value::Object(map) => map,
            _ => Map::new(),
        }
    }
}

impl LineTotals {
    /// A line's total fields, in major units (with `raw_*` twins).
    pub fn to_json(&self, currency: &str) -> Map<String, Value> {
        let m = |v: i64| to_json(v, currency);
        let mut out = Map::new();
        for (key, value) in [
            ("subtotal", self.subtotal),
            ("tax_total", self.tax_total),
            ("total", self.total),
            ("original_subtotal", self.subtotal),
            ("original_tax_total", self.tax_total),
            ("original_total", self.total),
            ("discount_total", 0),
            ("discount_subtotal", 0),
            ("discount_tax_total", 0),
        ] {
            out.insert(key.into(), m(value));
            out.insert(
                format!("raw_{key}"),
                crate::money::raw_json(value, currency),
            );
        }
        out
    }
}

fn sum(lines: &[Line]) -> Result<LineTotals> {
    let mut out = LineTotals::default();
    for line in lines {
        let t = line.totals()?;
        out.subtotal = out.subtotal.checked_add(t.subtotal).ok_or_else(overflow)?;
        out.tax_total = out
            .tax_total
            .checked_add(t.tax_total)
            .ok_or_else(overflow)?;
        out.total = out.total.checked_add(t.total).ok_or_else(overflow)?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rate(p: &str) -> Rate {
        Rate::parse_percent(p).unwrap()
    }

    #[test]
    fn exclusive_and_inclusive_lines() {
        let ex = Line {
            unit_price: 1000,
            quantity: 3,
            is_tax_inclusive: false,
            rates: vec![rate("8.25")],
        };
        assert_eq!(
            ex.totals().unwrap(),
            LineTotals {
                subtotal: 3000,
                tax_total: 248,
                total: 3248
            }
        );
        let inc = Line {
            unit_price: 1190,
            quantity: 1,
            is_tax_inclusive: true,
            rates: vec![rate("19")],
        };
        assert_eq!(
            inc.totals().unwrap(),
            LineTotals {
                subtotal: 1000,
                tax_total: 190,
                total: 1190
            }
        );
        let odd = Line {
            unit_price: 999,
            quantity: 1,
            is_tax_inclusive: true,
            rates: vec![rate("20")],
        };
        let t = odd.totals().unwrap();
        assert_eq!((t.subtotal + t.tax_total, t.total), (999, 999));
    }

    #[test]
    fn cart_subtotal_includes_shipping() {
        let items = [Line {
            unit_price: 1100,
            quantity: 1,
            is_tax_inclusive: false,
            rates: vec![],
        }];
        let shipping = [Line {
            unit_price: 1000,
            quantity: 1,
            is_tax_inclusive: false,
            rates: vec![],
        }];
        let t = Totals::of(&items, &shipping).unwrap();
        let json = t.to_json("usd");
        assert_eq!(
            (
                json["subtotal"].clone(),
                json["item_subtotal"].clone(),
                json["total"].clone()
            ),
            (json!(21), json!(11), json!(21))
        );
        assert!(
            Line {
                unit_price: i64::MAX,
                quantity: 2,
                is_tax_inclusive: false,
                rates: vec![]
            }
            .totals()
            .is_err()
        );
    }
}

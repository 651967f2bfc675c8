//! Cart and order totals with Medusa's semantics (reference §1.6), exactly, in minor units.
//!
//! A line's `subtotal` is `unit_price × quantity` without tax (a tax-inclusive price is split
//! with [`Rate::split_inclusive`], rounded half-up per line, so subtotal + tax adds back to
//! the price exactly). Promotion adjustments ([`Discount`]) come off before tax, as Medusa's
//! `getLineItemTotals` does: `discount_subtotal` is the adjustments without tax (a
//! tax-inclusive adjustment is divided by 1 + rate), `tax_total` is the tax on
//! `subtotal − discount_subtotal`, `total` is `subtotal − discount_subtotal + tax_total`.
//! A line without discounts keeps its split, so a tax-inclusive price adds up to itself.
//! `discount_tax_total` is `original_tax_total − tax_total` and `discount_total` is
//! `discount_subtotal + discount_tax_total`, as in Medusa 2.21.2's `getLineItemTotals`
//! (`@medusajs/utils` `totals/line-item`); Medusa keeps unrounded decimals, we round each
//! line's tax half-up to the minor unit, so `original_total − discount_total == total` holds
//! exactly on every line and every cart.
//! A cart's `subtotal` is item subtotals **plus shipping subtotals**;
//! `total = subtotal + tax_total − discount_subtotal`. Credit lines are not modelled (0).

use crate::error::{Error, Result};
use crate::money::{Rate, Rounding, to_json};
use serde_json::{Map, Value};

/// A promotion adjustment on a line, in minor units.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Discount {
    /// Minor units taken off.
    pub amount: i64,
    /// Whether `amount` includes the line's tax (a tax-inclusive promotion).
    pub is_tax_inclusive: bool,
}

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
    /// Promotion adjustments.
    pub discounts: Vec<Discount>,
}

/// A line's totals, minor units.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LineTotals {
    /// Excluding tax, before discounts.
    pub subtotal: i64,
    /// Tax after discounts.
    pub tax_total: i64,
    /// subtotal − discount_subtotal + tax_total.
    pub total: i64,
    /// Tax before discounts.
    pub original_tax_total: i64,
    /// subtotal + original tax (the price itself for tax-inclusive lines).
    pub original_total: i64,
    /// Discounts without tax.
    pub discount_subtotal: i64,
    /// The tax the discounts removed.
    pub discount_tax_total: i64,
    /// discount_subtotal + discount_tax_total.
    pub discount_total: i64,
}

fn overflow() -> Error {
    Error::invalid("Amount out of range")
}

impl Line {
    /// The sum of the line's tax rates.
    pub fn rate(&self) -> Rate {
        Rate::from_percent_ppm(self.rates.iter().map(|r| r.percent_ppm()).sum())
    }

    /// `(subtotal, original tax)`: the line before discounts.
    ///
    /// # Errors
    /// An amount out of range.
    pub fn before_discounts(&self) -> Result<(i64, i64)> {
        let gross = self
            .unit_price
            .checked_mul(self.quantity)
            .ok_or_else(overflow)?;
        let rate = self.rate();
        if self.is_tax_inclusive {
            rate.split_inclusive(gross, Rounding::HalfUp)
                .ok_or_else(overflow)
        } else {
            Ok((
                gross,
                rate.of(gross, Rounding::HalfUp).ok_or_else(overflow)?,
            ))
        }
    }

    /// `(subtotal after discounts, tax after discounts)`, Medusa's formula rounded per line:
    /// the discounts without tax (a tax-inclusive adjustment divided by 1 + rate) come off
    /// the subtotal and the tax is computed on what is left. A line without discounts keeps
    /// its own split, so a tax-inclusive price still adds up to itself exactly.
    fn after_discounts(&self, subtotal: i64, original_tax: i64) -> Result<(i64, i64)> {
        if self.discounts.is_empty() {
            return Ok((subtotal, original_tax));
        }
        let rate = self.rate();
        let mut off = 0i64;
        for d in &self.discounts {
            let part = if d.is_tax_inclusive {
                rate.exclusive_from_inclusive(d.amount, Rounding::HalfUp)
                    .ok_or_else(overflow)?
            } else {
                d.amount
            };
            off = off.checked_add(part).ok_or_else(overflow)?;
        }
        let taxable = subtotal.checked_sub(off).ok_or_else(overflow)?;
        Ok((
            taxable,
            rate.of(taxable, Rounding::HalfUp).ok_or_else(overflow)?,
        ))
    }

    /// Computes the line's totals.
    ///
    /// # Errors
    /// An amount out of range.
    pub fn totals(&self) -> Result<LineTotals> {
        let (subtotal, original_tax_total) = self.before_discounts()?;
        let (taxable, tax_total) = self.after_discounts(subtotal, original_tax_total)?;
        let discount_subtotal = subtotal - taxable;
        let discount_tax_total = original_tax_total - tax_total;
        Ok(LineTotals {
            subtotal,
            tax_total,
            total: taxable.checked_add(tax_total).ok_or_else(overflow)?,
            original_tax_total,
            original_total: subtotal
                .checked_add(original_tax_total)
                .ok_or_else(overflow)?,
            discount_subtotal,
            discount_tax_total,
            discount_total: discount_subtotal
                .checked_add(discount_tax_total)
                .ok_or_else(overflow)?,
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
        let subtotal = i.subtotal + s.subtotal;
        [
            ("total", self.total()),
            ("subtotal", subtotal),
            ("tax_total", i.tax_total + s.tax_total),
            ("discount_total", i.discount_total + s.discount_total),
            (
                "discount_subtotal",
                i.discount_subtotal + s.discount_subtotal,
            ),
            (
                "discount_tax_total",
                i.discount_tax_total + s.discount_tax_total,
            ),
            ("original_total", i.original_total + s.original_total),
            ("original_subtotal", subtotal),
            (
                "original_tax_total",
                i.original_tax_total + s.original_tax_total,
            ),
            ("item_total", i.total),
            ("item_subtotal", i.subtotal),
            ("item_tax_total", i.tax_total),
            ("item_discount_total", i.discount_total),
            ("original_item_total", i.original_total),
            ("original_item_subtotal", i.subtotal),
            ("original_item_tax_total", i.original_tax_total),
            ("shipping_total", s.total),
            ("shipping_subtotal", s.subtotal),
            ("shipping_tax_total", s.tax_total),
            ("shipping_discount_total", s.discount_total),
            ("original_shipping_total", s.original_total),
            ("original_shipping_subtotal", s.subtotal),
            ("original_shipping_tax_total", s.original_tax_total),
            ("credit_line_total", 0),
            ("credit_line_subtotal", 0),
            ("credit_line_tax_total", 0),
            ("gift_card_total", 0),
        ]
    }

    /// Every total field Medusa sends on a cart or order, in major units.
    pub fn to_json(&self, currency: &str) -> Map<String, Value> {
        self.fields()
            .iter()
            .filter(|(k, _)| *k != "gift_card_total")
            .map(|(k, v)| ((*k).to_string(), to_json(*v, currency)))
            .collect()
    }
}

impl LineTotals {
    /// A line's total fields Medusa sends, in minor units (`original_subtotal` is the
    /// subtotal: lines have no pre-edit version).
    pub fn fields(&self) -> [(&'static str, i64); 9] {
        [
            ("subtotal", self.subtotal),
            ("tax_total", self.tax_total),
            ("total", self.total),
            ("original_subtotal", self.subtotal),
            ("original_tax_total", self.original_tax_total),
            ("original_total", self.original_total),
            ("discount_total", self.discount_total),
            ("discount_subtotal", self.discount_subtotal),
            ("discount_tax_total", self.discount_tax_total),
        ]
    }
}

fn sum(lines: &[Line]) -> Result<LineTotals> {
    let mut out = LineTotals::default();
    for line in lines {
        let t = line.totals()?;
        let add = |a: i64, b: i64| a.checked_add(b).ok_or_else(overflow);
        out.subtotal = add(out.subtotal, t.subtotal)?;
        out.tax_total = add(out.tax_total, t.tax_total)?;
        out.total = add(out.total, t.total)?;
        out.original_tax_total = add(out.original_tax_total, t.original_tax_total)?;
        out.original_total = add(out.original_total, t.original_total)?;
        out.discount_subtotal = add(out.discount_subtotal, t.discount_subtotal)?;
        out.discount_tax_total = add(out.discount_tax_total, t.discount_tax_total)?;
        out.discount_total = add(out.discount_total, t.discount_total)?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

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
            discounts: vec![],
        };
        let t = ex.totals().unwrap();
        assert_eq!((t.subtotal, t.tax_total, t.total), (3000, 248, 3248));
        let inc = Line {
            unit_price: 1190,
            quantity: 1,
            is_tax_inclusive: true,
            rates: vec![rate("19")],
            discounts: vec![],
        };
        let t = inc.totals().unwrap();
        assert_eq!((t.subtotal, t.tax_total, t.total), (1000, 190, 1190));
        let odd = Line {
            unit_price: 999,
            quantity: 1,
            is_tax_inclusive: true,
            rates: vec![rate("20")],
            discounts: vec![],
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
            discounts: vec![],
        }];
        let shipping = [Line {
            unit_price: 1000,
            quantity: 1,
            is_tax_inclusive: false,
            rates: vec![],
            discounts: vec![],
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
                rates: vec![],
                discounts: vec![],
            }
            .totals()
            .is_err()
        );
    }

    #[test]
    fn discounts_come_off_before_tax_and_reconcile_exactly() {
        let line = |inclusive: bool, discount: Discount| Line {
            unit_price: 11900,
            quantity: 1,
            is_tax_inclusive: inclusive,
            rates: vec![rate("19")],
            discounts: vec![discount],
        };
        // 10.00 off a 119.00 tax-inclusive price: tax on 90.00.
        let t = line(
            true,
            Discount {
                amount: 1000,
                is_tax_inclusive: false,
            },
        )
        .totals()
        .unwrap();
        assert_eq!(
            (t.subtotal, t.discount_subtotal, t.tax_total, t.total),
            (10000, 1000, 1710, 10710)
        );
        assert_eq!((t.discount_tax_total, t.discount_total), (190, 1190));
        assert_eq!(t.original_total - t.discount_total, t.total);
        // A tax-inclusive adjustment of 11.90 is 10.00 before tax.
        let t = line(
            true,
            Discount {
                amount: 1190,
                is_tax_inclusive: true,
            },
        )
        .totals()
        .unwrap();
        assert_eq!((t.discount_subtotal, t.total), (1000, 10710));
        // Odd amounts: the tax difference is the discount's tax, to the cent.
        let t = line(
            false,
            Discount {
                amount: 333,
                is_tax_inclusive: false,
            },
        )
        .totals()
        .unwrap();
        assert_eq!(
            (t.subtotal, t.original_tax_total, t.tax_total),
            (11900, 2261, 2198)
        );
        assert_eq!(t.original_total - t.discount_total, t.total);
    }
}

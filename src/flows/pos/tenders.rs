//! Splitting what a sale costs across its tenders (pure, unit-tested).
//!
//! Card tenders pay exactly what they say, in the order given, and may not pay more than is
//! due (a card is never overcharged to give cash back). Cash pays the rest: that rest is
//! rounded to the currency's smallest coin ([`rounding::round_cash`]), the cash handed over
//! must cover it, and the surplus is the change. Several cash amounts are one cash tender.
//! The rounding difference is a write-off: the order is paid in full (the cash payment
//! records the exact rest), the drawer holds the rounded amount, and the Z-report shows the
//! difference as cash rounding.

use crate::error::{Error, Result};
use crate::modules::pos::rounding;
use crate::money;
use serde::{Deserialize, Serialize};

/// A tender as the cashier entered it (minor units).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Offered {
    /// `cash` | `card`.
    pub kind: String,
    /// What was handed over (cash) or charged (card).
    pub tendered: i64,
    /// A card slip reference, if typed in.
    #[serde(default)]
    pub reference: Option<String>,
}

/// One tender as it will be recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Applied {
    /// `cash` | `card`.
    pub kind: String,
    /// What the payment records (the exact part of the total it settles).
    pub payment_amount: i64,
    /// What stays in the till (cash: after rounding; card: = payment amount).
    pub kept: i64,
    /// Handed over.
    pub tendered: i64,
    /// Given back.
    pub change: i64,
    /// Card slip reference.
    pub reference: Option<String>,
}

/// The tenders of a sale.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plan {
    /// In recording order: cards first, then cash.
    pub tenders: Vec<Applied>,
    /// Taken off the cash part by rounding (negative when rounding added to it).
    pub rounding: i64,
    /// Change due to the customer.
    pub change: i64,
}

fn show(minor: i64, currency: &str) -> String {
    let exponent = money::exponent_or_default(currency);
    format!(
        "{} {}",
        money::format_major(minor, exponent),
        currency.to_uppercase()
    )
}

/// Splits `total` across `offered`.
///
/// # Errors
/// 400 for an unknown kind, a non-positive amount, cards over the total, cash offered when
/// nothing is left to pay, or too little tendered.
pub fn plan(total: i64, currency: &str, offered: &[Offered]) -> Result<Plan> {
    if offered.is_empty() {
        return Err(Error::invalid(
            "Add a tender (cash or card) to complete the sale",
        ));
    }
    let mut tenders = Vec::new();
    let mut rest = total;
    let mut cash = 0i64;
    for tender in offered {
        if tender.tendered <= 0 {
            return Err(Error::invalid(
                "A tender's amount must be greater than zero",
            ));
        }
        match tender.kind.as_str() {
            "card" => {
                if tender.tendered > rest {
                    return Err(Error::invalid(format!(
                        "The card payments exceed what is due ({})",
                        show(total, currency)
                    )));
                }
                rest -= tender.tendered;
                tenders.push(Applied {
                    kind: "card".into(),
                    payment_amount: tender.tendered,
                    kept: tender.tendered,
                    tendered: tender.tendered,
                    change: 0,
                    reference: tender.reference.clone().filter(|r| !r.trim().is_empty()),
                });
            }
            "cash" => {
                cash = cash
                    .checked_add(tender.tendered)
                    .ok_or_else(|| Error::invalid("The cash amount is too large"))?;
            }
            other => return Err(Error::invalid(format!("Unknown tender {other}"))),
        }
    }
    if rest == 0 {
        if cash > 0 {
            return Err(Error::invalid(
                "The card payments already cover the sale; remove the cash tender",
            ));
        }
        return Ok(Plan {
            tenders,
            rounding: 0,
            change: 0,
        });
    }
    let due = rounding::round_cash(rest, currency);
    if cash == 0 {
        return Err(Error::invalid(format!(
            "{} is still due",
            show(rest, currency)
        )));
    }
    if cash < due {
        return Err(Error::invalid(format!(
            "The cash tendered is short by {}",
            show(due - cash, currency)
        )));
    }
    tenders.push(Applied {
        kind: "cash".into(),
        payment_amount: rest,
        kept: due,
        tendered: cash,
        change: cash - due,
        reference: None,
    });
    Ok(Plan {
        tenders,
        rounding: rest - due,
        change: cash - due,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn offer(kind: &str, tendered: i64) -> Offered {
        Offered {
            kind: kind.into(),
            tendered,
            reference: None,
        }
    }

    #[test]
    fn cash_gives_change() {
        let p = plan(1234, "usd", &[offer("cash", 2000)]).unwrap();
        assert_eq!(p.change, 766);
        assert_eq!(p.tenders[0].payment_amount, 1234);
        assert_eq!(p.tenders[0].kept, 1234);
    }

    #[test]
    fn swiss_cash_is_rounded_to_five_centimes() {
        let p = plan(1002, "chf", &[offer("cash", 2000)]).unwrap();
        assert_eq!((p.rounding, p.change), (2, 1000));
        assert_eq!(p.tenders[0].kept, 1000);
        assert_eq!(p.tenders[0].payment_amount, 1002);
        let exact = plan(1003, "chf", &[offer("cash", 1005)]).unwrap();
        assert_eq!((exact.rounding, exact.change), (-2, 0));
    }

    #[test]
    fn split_card_then_cash() {
        let p = plan(5000, "eur", &[offer("cash", 2000), offer("card", 3500)]).unwrap();
        assert_eq!(p.tenders[0].kind, "card");
        assert_eq!(p.tenders[1].payment_amount, 1500);
        assert_eq!(p.change, 500);
        let cards = plan(5000, "eur", &[offer("card", 2000), offer("card", 3000)]).unwrap();
        assert_eq!(cards.tenders.len(), 2);
    }

    #[test]
    fn refuses_short_over_and_unknown() {
        assert!(plan(5000, "eur", &[offer("cash", 4999)]).is_err());
        assert!(plan(5000, "eur", &[offer("card", 5001)]).is_err());
        assert!(plan(5000, "eur", &[offer("card", 5000), offer("cash", 1)]).is_err());
        assert!(plan(5000, "eur", &[offer("cheque", 5000)]).is_err());
        assert!(plan(5000, "eur", &[offer("cash", 0)]).is_err());
        assert!(plan(5000, "eur", &[]).is_err());
        assert!(plan(5000, "eur", &[offer("card", 1000)]).is_err());
    }
}

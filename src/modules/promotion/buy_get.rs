//! Buy-get promotions ("buy 2 shirts, get 1 cap free"), Medusa's `getComputedActionsForBuyGet`,
//! pure and exact in minor units.
//!
//! Lines matching the buy rules and lines matching the target rules are each taken most
//! expensive line first (by line subtotal, stable). The promotion applies in rounds: a round
//! reserves `buy_rules_min_quantity` units on the buy side — lines that cannot be targets
//! first, so reserving them never uses up the only target — then `apply_to_quantity` units
//! of targets not reserved by that round, never more than `max_quantity` (default 1) target
//! units over all rounds. A round that cannot find both stops the promotion. Units a round
//! used (bought or given) are not used again, and units another buy-get promotion already
//! used on the same side are not available to this one.
//!
//! The discount on a target line is the units given times its unit price (line subtotal ÷
//! quantity): a percentage of that, rounded half-up once per line, or the fixed value per
//! unit, capped at that. Unlike Medusa (which does not look), a line is never discounted
//! beyond what earlier promotions left of it.

use super::compute::{Adjust, Target, Value};
use super::model::Promotion;
use super::rules::all_hold;
use crate::money::{Rounding, mul_ratio};
use std::collections::HashMap;

/// Safety bound on rounds (Medusa stops at 1,000 too); every round uses up at least one unit.
const MAX_ROUNDS: usize = 1000;

/// Units of each line that buy-get promotions used, per side, across promotions.
#[derive(Debug, Default, Clone)]
pub struct Consumed {
    buy: HashMap<String, i64>,
    target: HashMap<String, i64>,
}

/// Units of a line reserved or given in one round.
type Picks = Vec<(usize, i64)>;

/// The adjustments a buy-get promotion gives `items` (`applied`: what earlier promotions
/// took off each item, in the subtotal's terms), recording the units it used in `consumed`.
pub(super) fn adjustments(
    promotion: &Promotion,
    value: Value,
    items: &[Target],
    applied: &HashMap<(bool, String), i64>,
    consumed: &mut Consumed,
) -> Vec<Adjust> {
    let Some(method) = promotion.application_method.as_ref() else {
        return Vec::new();
    };
    let min_buy = method.buy_rules_min_quantity.unwrap_or(0);
    let apply_to = method.apply_to_quantity.unwrap_or(0);
    if min_buy <= 0 || apply_to <= 0 || method.buy_rules.is_empty() {
        return Vec::new();
    }
    let buy = by_price(items, |t| all_hold(&method.buy_rules, &t.attrs));
    let targets = by_price(items, |t| {
        t.is_discountable && all_hold(&method.target_rules, &t.attrs)
    });
    let mut buy_left = remaining(items, &buy, &consumed.buy);
    let mut target_left = remaining(items, &targets, &consumed.target);
    let rounds = Rounds {
        min_buy,
        apply_to,
        max_given: method.max_quantity.unwrap_or(1),
    };
    let mut given: HashMap<usize, i64> = HashMap::new();
    let mut given_total = 0;
    for _ in 0..MAX_ROUNDS {
        let Some((bought, picked)) =
            rounds.next(&buy, &targets, &buy_left, &target_left, given_total)
        else {
            break;
        };
        for (index, units) in bought.iter().chain(&picked) {
            for left in [&mut buy_left, &mut target_left] {
                if let Some(units_left) = left.get_mut(index) {
                    *units_left -= units;
                }
            }
        }
        for (index, units) in &bought {
            *consumed.buy.entry(items[*index].id.clone()).or_default() += units;
        }
        for (index, units) in &picked {
            *consumed.target.entry(items[*index].id.clone()).or_default() += units;
        }
        for (index, units) in picked {
            *given.entry(index).or_default() += units;
            given_total += units;
        }
    }
    let mut out: Vec<(usize, i64)> = given.into_iter().collect();
    out.sort_unstable();
    out.into_iter()
        .filter_map(|(index, units)| {
            let line = &items[index];
            let amount = discount(value, line, units, applied);
            (amount > 0).then(|| Adjust {
                item: true,
                target_id: line.id.clone(),
                amount,
                promotion_id: promotion.id.clone(),
                code: promotion.code.clone(),
                is_tax_inclusive: promotion.is_tax_inclusive,
            })
        })
        .collect()
}

/// Indexes of the lines `keep` accepts, the largest line subtotal first (stable on ties).
fn by_price(items: &[Target], keep: impl Fn(&Target) -> bool) -> Vec<usize> {
    let mut lines: Vec<usize> = (0..items.len()).filter(|i| keep(&items[*i])).collect();
    lines.sort_by(|a, b| items[*b].subtotal.cmp(&items[*a].subtotal));
    lines
}

/// Each line's units not yet used on this side by other buy-get promotions.
fn remaining(
    items: &[Target],
    lines: &[usize],
    used: &HashMap<String, i64>,
) -> HashMap<usize, i64> {
    lines
        .iter()
        .map(|i| {
            let taken = used.get(&items[*i].id).copied().unwrap_or(0);
            (*i, (items[*i].quantity - taken).max(0))
        })
        .collect()
}

/// A promotion's round sizes.
struct Rounds {
    min_buy: i64,
    apply_to: i64,
    max_given: i64,
}

impl Rounds {
    /// The units one more round buys and gives, or `None` when no round is possible.
    fn next(
        &self,
        buy: &[usize],
        targets: &[usize],
        buy_left: &HashMap<usize, i64>,
        target_left: &HashMap<usize, i64>,
        given_so_far: i64,
    ) -> Option<(Picks, Picks)> {
        let bought = self.reserve_buy(buy, targets, buy_left)?;
        let mut picked = Vec::new();
        let mut found = 0;
        for index in targets {
            let reserved: i64 = bought
                .iter()
                .filter(|(i, _)| i == index)
                .map(|(_, u)| u)
                .sum();
            let free = target_left.get(index).copied().unwrap_or(0) - reserved;
            let units = free
                .min(self.apply_to - found)
                .min(self.max_given - given_so_far - found);
            if units <= 0 {
                continue;
            }
            picked.push((*index, units));
            found += units;
            if found >= self.apply_to {
                break;
            }
        }
        (found >= self.apply_to).then_some((bought, picked))
    }

    /// `min_buy` units from the buy lines, those that cannot be targets first.
    fn reserve_buy(
        &self,
        buy: &[usize],
        targets: &[usize],
        buy_left: &HashMap<usize, i64>,
    ) -> Option<Picks> {
        let (plain, also_target): (Vec<usize>, Vec<usize>) =
            buy.iter().partition(|i| !targets.contains(i));
        let mut bought = Vec::new();
        let mut total = 0;
        for index in plain.iter().chain(&also_target) {
            if total >= self.min_buy {
                break;
            }
            let units = buy_left
                .get(index)
                .copied()
                .unwrap_or(0)
                .min(self.min_buy - total);
            if units > 0 {
                bought.push((*index, units));
                total += units;
            }
        }
        (total >= self.min_buy).then_some(bought)
    }
}

/// The discount on `units` units of `line`: their share of the line's subtotal, a percentage
/// of it or the fixed value per unit, never more than that share nor than what earlier
/// promotions left of the line.
fn discount(
    value: Value,
    line: &Target,
    units: i64,
    applied: &HashMap<(bool, String), i64>,
) -> i64 {
    let quantity = line.quantity.max(1);
    let share = mul_ratio(
        line.subtotal,
        units.min(quantity),
        quantity,
        Rounding::HalfUp,
    )
    .unwrap_or(line.subtotal);
    let amount = match value {
        Value::Percentage(rate) => rate.of(share, Rounding::HalfUp).unwrap_or(0),
        Value::Fixed(per_unit) => per_unit.saturating_mul(units),
    };
    let left = line.subtotal - applied.get(&(true, line.id.clone())).copied().unwrap_or(0);
    amount.min(share).min(left).max(0)
}

#[cfg(test)]
#[path = "buy_get_tests.rs"]
mod tests;

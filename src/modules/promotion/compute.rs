//! Which adjustments a set of promotions gives a cart (Medusa's `computeActions`, standard
//! promotions), pure and exact in minor units.
//!
//! Promotions apply one after the other; each sees what the earlier ones already took off a
//! line (`applied`), as in Medusa's `applyPromotionToItems`. A line's base is its subtotal
//! (without tax), or its original total (with tax) for a tax-inclusive promotion.
//!
//! * `each` (items, shipping methods): per line, on at most `max_quantity` units:
//!   a percentage of that (rounded half-up per line), or the fixed value per unit; never
//!   more than what is left of the line.
//! * `across` (and target `order`): the promotion's total — a percentage of the eligible
//!   lines' remaining amounts (rounded half-up once), or the fixed value capped at them — is
//!   split in proportion to each line's remaining amount. Medusa splits in unrounded
//!   decimals; in minor units we floor each share and give the leftover units to the
//!   largest remainders (earlier lines first on ties), so the shares add up to the total
//!   exactly and none exceeds its line.

use super::buy_get;
use super::campaign::Budget;
use super::model::Promotion;
use super::rules::{Attrs, all_hold};
use crate::money::{Rate, Rounding, mul_ratio, parse_major};
use std::collections::HashMap;

/// A line a promotion may discount: an item or a shipping method.
#[derive(Debug, Clone, Default)]
pub struct Target {
    /// `cali_…` / `casm_…`
    pub id: String,
    /// Units (1 for a shipping method).
    pub quantity: i64,
    /// Without tax, minor units.
    pub subtotal: i64,
    /// With tax, minor units.
    pub original_total: i64,
    /// Whether promotions may discount it.
    pub is_discountable: bool,
    /// Target-rule context (`items.product.id`, …).
    pub attrs: Attrs,
}

/// Everything promotions are computed against.
#[derive(Debug, Clone, Default)]
pub struct Context {
    /// The cart's currency.
    pub currency_code: String,
    /// ISO-8601 now (campaign dates).
    pub now: String,
    /// Promotion-rule context (`region.id`, `customer.groups.id`, …).
    pub attrs: Attrs,
    /// Items.
    pub items: Vec<Target>,
    /// Shipping methods.
    pub methods: Vec<Target>,
}

/// One adjustment to make.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Adjust {
    /// Whether the target is an item (else a shipping method).
    pub item: bool,
    /// The item or shipping method.
    pub target_id: String,
    /// Minor units.
    pub amount: i64,
    /// `promo_…`
    pub promotion_id: String,
    /// Its code.
    pub code: String,
    /// Whether `amount` includes tax.
    pub is_tax_inclusive: bool,
}

/// The adjustments `promotions` give in `ctx`, applied in Medusa's order (`in_medusa_order`).
pub fn compute(promotions: &[Promotion], ctx: &Context) -> Vec<Adjust> {
    let mut applied: HashMap<(bool, String), i64> = HashMap::new();
    let mut consumed = buy_get::Consumed::default();
    let mut out = Vec::new();
    for promotion in in_medusa_order(promotions) {
        if !applies(promotion, ctx) {
            continue;
        }
        // A buy-get promotion's units count as used only if its budget lets it apply.
        let (adjustments, used) = if promotion.kind == "buyget" {
            let mut used = consumed.clone();
            let adjustments = buy_get_adjustments(promotion, ctx, &applied, &mut used);
            (adjustments, Some(used))
        } else {
            (promotion_adjustments(promotion, ctx, &applied), None)
        };
        if !within_spend_budget(promotion, &adjustments, &ctx.currency_code) {
            continue;
        }
        if let Some(used) = used {
            consumed = used;
        }
        for a in &adjustments {
            let targets = if a.item { &ctx.items } else { &ctx.methods };
            let excl = match targets.iter().find(|t| t.id == a.target_id) {
                Some(t) if a.is_tax_inclusive && t.original_total > 0 => {
                    mul_ratio(a.amount, t.subtotal, t.original_total, Rounding::HalfUp)
                        .unwrap_or(a.amount)
                }
                _ => a.amount,
            };
            *applied.entry((a.item, a.target_id.clone())).or_default() += excl;
        }
        out.extend(adjustments);
    }
    out
}

/// The order promotions apply in (Medusa's `sortByBuyGetType`, a stable sort of the order
/// given): buy-get promotions first; then the larger application value first (compared as
/// numbers, whatever their type, as Medusa does); buy-get ties by the larger
/// `buy_rules_min_quantity`, then the larger `apply_to_quantity`.
pub fn in_medusa_order(promotions: &[Promotion]) -> Vec<&Promotion> {
    let mut ordered: Vec<&Promotion> = promotions.iter().collect();
    ordered.sort_by(|a, b| {
        let key = |p: &Promotion| {
            let method = p.application_method.as_ref();
            (
                p.kind == "buyget",
                method.and_then(|m| crate::money::parse_scaled(m.value.trim(), 6).ok()),
                method.and_then(|m| m.buy_rules_min_quantity),
                method.and_then(|m| m.apply_to_quantity),
            )
        };
        let (ka, kb) = (key(a), key(b));
        let by_value = kb.0.cmp(&ka.0).then(kb.1.cmp(&ka.1));
        if ka.0 && kb.0 {
            by_value.then(kb.2.cmp(&ka.2)).then(kb.3.cmp(&ka.3))
        } else {
            by_value
        }
    });
    ordered
}

fn buy_get_adjustments(
    promotion: &Promotion,
    ctx: &Context,
    applied: &HashMap<(bool, String), i64>,
    consumed: &mut buy_get::Consumed,
) -> Vec<Adjust> {
    let Some(method) = promotion.application_method.as_ref() else {
        return Vec::new();
    };
    let currency = method
        .currency_code
        .as_deref()
        .unwrap_or(&ctx.currency_code);
    match Value::of(&method.kind, &method.value, currency) {
        Some(value) => buy_get::adjustments(promotion, value, &ctx.items, applied, consumed),
        None => Vec::new(),
    }
}

/// Whether the promotion may apply at all: active, standard or buy-get, in its campaign's dates, under
/// its usage limit and usage budget, in the cart's currency, its rules satisfied.
fn applies(promotion: &Promotion, ctx: &Context) -> bool {
    let Some(method) = promotion.application_method.as_ref() else {
        return false;
    };
    let campaign_ok = promotion.campaign.as_ref().is_none_or(|c| {
        c.is_running(&ctx.now)
            && c.budget
                .as_ref()
                .is_none_or(|b| b.kind != "usage" || under(b, 1))
    });
    promotion.status == "active"
        && matches!(promotion.kind.as_str(), "standard" | "buyget")
        && campaign_ok
        && promotion.limit.is_none_or(|l| promotion.used < l)
        && method
            .currency_code
            .as_deref()
            .is_none_or(|c| method.kind == "percentage" || c == ctx.currency_code)
        && all_hold(&promotion.rules, &ctx.attrs)
}

fn under(budget: &Budget, more: i64) -> bool {
    budget
        .limit
        .is_none_or(|l| budget.used.saturating_add(more) <= l)
}

/// A spend budget must be in the cart's currency and cover everything the promotion gives:
/// a budget in another currency cannot count the discount, so the promotion does not apply
/// (it would otherwise give discounts no budget ever sees).
fn within_spend_budget(promotion: &Promotion, adjustments: &[Adjust], currency: &str) -> bool {
    let Some(budget) = promotion.campaign.as_ref().and_then(|c| c.budget.as_ref()) else {
        return true;
    };
    if budget.kind != "spend" {
        return true;
    }
    let same_currency = budget
        .currency_code
        .as_deref()
        .is_some_and(|c| c.eq_ignore_ascii_case(currency));
    let given = adjustments
        .iter()
        .fold(0_i64, |sum, a| sum.saturating_add(a.amount));
    same_currency && under(budget, given)
}

/// The eligible lines with what is left of each (in the promotion's base).
fn eligible<'a>(
    promotion: &Promotion,
    targets: &'a [Target],
    item: bool,
    applied: &HashMap<(bool, String), i64>,
) -> Vec<(&'a Target, i64, i64)> {
    let Some(method) = promotion.application_method.as_ref() else {
        return Vec::new();
    };
    targets
        .iter()
        .filter(|t| t.is_discountable && t.subtotal > 0)
        .filter(|t| all_hold(&method.target_rules, &t.attrs))
        .filter_map(|t| {
            let done = applied.get(&(item, t.id.clone())).copied().unwrap_or(0);
            let (base, done) = if promotion.is_tax_inclusive {
                let done = mul_ratio(done, t.original_total, t.subtotal, Rounding::HalfUp)?;
                (t.original_total, done)
            } else {
                (t.subtotal, done)
            };
            let left = base - done;
            (left > 0).then_some((t, base, left))
        })
        .collect()
}

fn promotion_adjustments(
    promotion: &Promotion,
    ctx: &Context,
    applied: &HashMap<(bool, String), i64>,
) -> Vec<Adjust> {
    let Some(method) = promotion.application_method.as_ref() else {
        return Vec::new();
    };
    let item = method.target_type != "shipping_methods";
    let targets = if item { &ctx.items } else { &ctx.methods };
    let lines = eligible(promotion, targets, item, applied);
    let currency = method
        .currency_code
        .as_deref()
        .unwrap_or(&ctx.currency_code);
    let value = Value::of(&method.kind, &method.value, currency);
    let Some(value) = value else {
        return Vec::new();
    };
    let across = method.target_type == "order" || method.allocation.as_deref() == Some("across");
    let amounts = if across {
        across_amounts(value, &lines)
    } else {
        let max_quantity = method.max_quantity.unwrap_or(1);
        lines
            .iter()
            .map(|(t, base, left)| each_amount(value, t, *base, *left, max_quantity, item))
            .collect()
    };
    lines
        .iter()
        .zip(amounts)
        .filter(|(_, amount)| *amount > 0)
        .map(|((t, _, _), amount)| Adjust {
            item,
            target_id: t.id.clone(),
            amount,
            promotion_id: promotion.id.clone(),
            code: promotion.code.clone(),
            is_tax_inclusive: promotion.is_tax_inclusive,
        })
        .collect()
}

/// An application method's value, exact.
#[derive(Debug, Clone, Copy)]
pub(super) enum Value {
    Percentage(Rate),
    Fixed(i64),
}

impl Value {
    fn of(kind: &str, text: &str, currency: &str) -> Option<Value> {
        match kind {
            "percentage" => Rate::parse_percent(text).ok().map(Value::Percentage),
            _ => parse_major(text, currency).ok().map(Value::Fixed),
        }
    }
}

fn each_amount(
    value: Value,
    t: &Target,
    base: i64,
    left: i64,
    max_quantity: i64,
    item: bool,
) -> i64 {
    let quantity = if item { t.quantity.max(1) } else { 1 };
    let cap = mul_ratio(base, max_quantity, quantity, Rounding::HalfUp).unwrap_or(left);
    let applicable = left.min(cap);
    let amount = match value {
        Value::Percentage(rate) => rate.of(applicable, Rounding::HalfUp).unwrap_or(0),
        Value::Fixed(v) => v.saturating_mul(quantity.min(max_quantity)),
    };
    amount.min(applicable)
}

fn across_amounts(value: Value, lines: &[(&Target, i64, i64)]) -> Vec<i64> {
    let pool: i64 = lines.iter().map(|(_, _, left)| *left).sum();
    if pool <= 0 {
        return vec![0; lines.len()];
    }
    let total = match value {
        Value::Percentage(rate) => rate.of(pool, Rounding::HalfUp).unwrap_or(0),
        Value::Fixed(v) => v,
    }
    .min(pool);
    let weights: Vec<i64> = lines.iter().map(|(_, _, left)| *left).collect();
    allocate(total, &weights)
}

/// Splits `total` (≤ Σ weights) in proportion to `weights` (positive), exactly: floors, then
/// one more unit to each of the largest remainders, earlier first on ties.
pub fn allocate(total: i64, weights: &[i64]) -> Vec<i64> {
    let sum: i128 = weights.iter().map(|w| i128::from(*w)).sum();
    if sum <= 0 || total <= 0 {
        return vec![0; weights.len()];
    }
    let exact: Vec<(i64, i128)> = weights
        .iter()
        .map(|w| {
            let product = i128::from(total) * i128::from(*w);
            (
                i64::try_from(product / sum).unwrap_or_default(),
                product % sum,
            )
        })
        .collect();
    let mut shares: Vec<i64> = exact.iter().map(|(floor, _)| *floor).collect();
    let left = total - shares.iter().sum::<i64>();
    let mut order: Vec<usize> = (0..weights.len()).collect();
    order.sort_by(|a, b| exact[*b].1.cmp(&exact[*a].1).then(a.cmp(b)));
    for index in order
        .into_iter()
        .take(usize::try_from(left).unwrap_or_default())
    {
        shares[index] += 1;
    }
    shares
}

#[cfg(test)]
#[path = "compute_tests.rs"]
pub(crate) mod tests;

use super::*;
use crate::modules::promotion::model::{ApplicationMethod, Rule};

pub(crate) fn promotion(
    kind: &str,
    target: &str,
    allocation: Option<&str>,
    value: &str,
) -> Promotion {
    Promotion {
        id: "promo_1".into(),
        code: "CODE".into(),
        kind: "standard".into(),
        status: "active".into(),
        is_automatic: false,
        is_tax_inclusive: false,
        limit: None,
        used: 0,
        campaign_id: None,
        created_at: String::new(),
        updated_at: String::new(),
        deleted_at: None,
        application_method: Some(ApplicationMethod {
            id: "proappmet_1".into(),
            kind: kind.into(),
            target_type: target.into(),
            allocation: allocation.map(str::to_string),
            value: value.into(),
            currency_code: Some("usd".into()),
            max_quantity: allocation.filter(|a| *a == "each").map(|_| 2),
            apply_to_quantity: None,
            buy_rules_min_quantity: None,
            description: None,
            target_rules: Vec::new(),
            buy_rules: Vec::new(),
            created_at: String::new(),
            updated_at: String::new(),
        }),
        rules: Vec::new(),
        campaign: None,
    }
}

pub(crate) fn item(id: &str, quantity: i64, subtotal: i64) -> Target {
    Target {
        id: id.into(),
        quantity,
        subtotal,
        original_total: subtotal,
        is_discountable: true,
        attrs: Attrs::new(),
    }
}

fn amounts(promotions: &[Promotion], items: Vec<Target>) -> Vec<i64> {
    let ctx = Context {
        currency_code: "usd".into(),
        items,
        ..Context::default()
    };
    compute(promotions, &ctx).iter().map(|a| a.amount).collect()
}

#[test]
fn allocation_is_exact_and_capped() {
    assert_eq!(allocate(100, &[1, 1, 1]), vec![34, 33, 33]);
    assert_eq!(allocate(1000, &[333, 333, 334]), vec![333, 333, 334]);
    assert_eq!(allocate(10, &[3, 7]), vec![3, 7]);
    assert_eq!(allocate(0, &[3, 7]), vec![0, 0]);
    let shares = allocate(997, &[1234, 5, 99_999]);
    assert_eq!(shares.iter().sum::<i64>(), 997);
}

#[test]
fn a_percentage_across_lines_is_rounded_once_and_split_exactly() {
    // 15% of 3 × 3.33 = 1.4985 → 1.50 in all, not 3 × 0.50.
    let p = promotion("percentage", "items", Some("across"), "15");
    let got = amounts(
        &[p],
        vec![item("a", 1, 333), item("b", 1, 333), item("c", 1, 333)],
    );
    assert_eq!(got, vec![50, 50, 50]);
    let p = promotion("percentage", "order", None, "10");
    let got = amounts(&[p], vec![item("a", 1, 1001), item("b", 1, 2002)]);
    assert_eq!((got.iter().sum::<i64>(), got), (300, vec![100, 200]));
}

#[test]
fn each_applies_to_max_quantity_units_per_line() {
    // 10% of at most 2 of 3 units of 9.99.
    let p = promotion("percentage", "items", Some("each"), "10");
    assert_eq!(amounts(&[p], vec![item("a", 3, 2997)]), vec![200]);
    // 5.00 off each of at most 2 units, never more than the line.
    let p = promotion("fixed", "items", Some("each"), "5");
    assert_eq!(
        amounts(std::slice::from_ref(&p), vec![item("a", 3, 2997)]),
        vec![1000]
    );
    assert_eq!(amounts(&[p], vec![item("a", 1, 300)]), vec![300]);
}

#[test]
fn later_promotions_see_what_earlier_ones_took() {
    let first = promotion("fixed", "items", Some("across"), "8");
    let mut second = promotion("percentage", "items", Some("across"), "5");
    second.id = "promo_2".into();
    let got = amounts(&[first, second], vec![item("a", 1, 1000)]);
    assert_eq!(got, vec![800, 10]);
}

#[test]
fn the_larger_value_applies_first_whatever_the_order_given() {
    // Medusa's sortByBuyGetType: 50 (%) before 8 (fixed), compared as plain numbers.
    let first = promotion("fixed", "items", Some("across"), "8");
    let mut second = promotion("percentage", "items", Some("across"), "50");
    second.id = "promo_2".into();
    let ctx = Context {
        currency_code: "usd".into(),
        items: vec![item("a", 1, 1000)],
        ..Context::default()
    };
    let got: Vec<(String, i64)> = compute(&[first, second], &ctx)
        .into_iter()
        .map(|a| (a.promotion_id, a.amount))
        .collect();
    assert_eq!(got, vec![("promo_2".into(), 500), ("promo_1".into(), 500)]);
}

#[test]
fn inactive_limited_or_unruled_promotions_do_not_apply() {
    let mut draft = promotion("fixed", "items", Some("across"), "1");
    draft.status = "draft".into();
    let mut used_up = promotion("fixed", "items", Some("across"), "1");
    (used_up.limit, used_up.used) = (Some(5), 5);
    let mut ruled = promotion("fixed", "items", Some("across"), "1");
    ruled.rules.push(Rule {
        id: "prorul_1".into(),
        attribute: "currency_code".into(),
        operator: "eq".into(),
        description: None,
        values: vec![("v".into(), "eur".into())],
    });
    let got = amounts(&[draft, used_up, ruled], vec![item("a", 1, 1000)]);
    assert!(got.is_empty());
}

#[test]
fn a_tax_inclusive_promotion_works_on_the_price_with_tax() {
    let mut p = promotion("percentage", "items", Some("across"), "10");
    p.is_tax_inclusive = true;
    let mut line = item("a", 1, 1000);
    line.original_total = 1190;
    let ctx = Context {
        currency_code: "usd".into(),
        items: vec![line],
        ..Context::default()
    };
    let got = compute(&[p], &ctx);
    assert_eq!((got[0].amount, got[0].is_tax_inclusive), (119, true));
}

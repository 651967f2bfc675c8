use super::*;
use crate::modules::promotion::compute::tests::{item, promotion};
use crate::modules::promotion::compute::{Context, compute};
use crate::modules::promotion::model::Rule;
use crate::modules::promotion::rules::Attrs;

fn rule(attribute: &str, values: &[&str]) -> Rule {
    Rule {
        id: "prorul_1".into(),
        attribute: attribute.into(),
        operator: "in".into(),
        description: None,
        values: values
            .iter()
            .map(|v| ("prorulval_1".to_string(), v.to_string()))
            .collect(),
    }
}

/// Buy `min_buy` of products in `buy`, get `apply_to` of products in `get` at `value`.
fn buy_get(
    kind: &str,
    value: &str,
    buy: &[&str],
    get: &[&str],
    min_buy: i64,
    apply_to: i64,
) -> Promotion {
    let mut p = promotion(kind, "items", Some("each"), value);
    p.kind = "buyget".into();
    let method = p.application_method.as_mut().expect("method");
    method.buy_rules = vec![rule("items.product.id", buy)];
    method.target_rules = vec![rule("items.product.id", get)];
    method.buy_rules_min_quantity = Some(min_buy);
    method.apply_to_quantity = Some(apply_to);
    method.max_quantity = Some(apply_to);
    p
}

fn line(id: &str, product: &str, quantity: i64, subtotal: i64) -> Target {
    let mut t = item(id, quantity, subtotal);
    t.attrs = Attrs::from([("items.product.id".to_string(), vec![product.to_string()])]);
    t
}

fn given(promotions: &[Promotion], items: Vec<Target>) -> Vec<(String, i64)> {
    let ctx = Context {
        currency_code: "usd".into(),
        items,
        ..Context::default()
    };
    compute(promotions, &ctx)
        .into_iter()
        .map(|a| (a.target_id, a.amount))
        .collect()
}

#[test]
fn buy_two_shirts_get_a_cap_free() {
    let p = buy_get("percentage", "100", &["shirt"], &["cap"], 2, 1);
    let items = vec![line("s", "shirt", 2, 4000), line("c", "cap", 1, 1500)];
    assert_eq!(given(&[p], items), vec![("c".into(), 1500)]);
}

#[test]
fn too_few_bought_gives_nothing() {
    let p = buy_get("percentage", "100", &["shirt"], &["cap"], 2, 1);
    let items = vec![line("s", "shirt", 1, 2000), line("c", "cap", 1, 1500)];
    assert!(given(&[p], items).is_empty());
}

#[test]
fn buy_two_get_one_of_the_same_product_needs_three_units() {
    // Two units are reserved as bought; the third is given.
    let p = buy_get("percentage", "100", &["mug"], &["mug"], 2, 1);
    assert!(given(std::slice::from_ref(&p), vec![line("m", "mug", 2, 2000)]).is_empty());
    assert_eq!(
        given(&[p], vec![line("m", "mug", 3, 3000)]),
        vec![("m".into(), 1000)]
    );
}

#[test]
fn max_quantity_bounds_the_rounds() {
    // Six mugs could make two rounds of buy 2 get 1; max_quantity 1 allows one.
    let mut p = buy_get("percentage", "50", &["mug"], &["mug"], 2, 1);
    assert_eq!(
        given(std::slice::from_ref(&p), vec![line("m", "mug", 6, 6000)]),
        vec![("m".into(), 500)]
    );
    p.application_method.as_mut().expect("method").max_quantity = Some(2);
    assert_eq!(
        given(&[p], vec![line("m", "mug", 6, 6000)]),
        vec![("m".into(), 1000)]
    );
}

#[test]
fn buy_side_reserves_lines_that_cannot_be_targets_first() {
    // Buy 2 of {A, B, C}, get 1 A: reserving B and C leaves A to give (Medusa 2.21).
    let p = buy_get("percentage", "100", &["a", "b", "c"], &["a"], 2, 1);
    let items = vec![
        line("la", "a", 1, 3000),
        line("lb", "b", 1, 2000),
        line("lc", "c", 1, 1000),
    ];
    assert_eq!(given(&[p], items), vec![("la".into(), 3000)]);
}

#[test]
fn a_fixed_value_is_per_unit_and_capped_at_the_units_price() {
    let p = buy_get("fixed", "20", &["shirt"], &["cap"], 1, 2);
    let mut p2 = p.clone();
    p2.application_method.as_mut().expect("method").max_quantity = Some(2);
    let items = vec![line("s", "shirt", 1, 4000), line("c", "cap", 3, 4500)];
    // 2 caps × min(20.00, 15.00).
    assert_eq!(given(&[p2], items), vec![("c".into(), 3000)]);
}

#[test]
fn two_buy_get_promotions_do_not_share_units() {
    let mut first = buy_get("percentage", "100", &["mug"], &["mug"], 2, 1);
    first.id = "promo_a".into();
    let mut second = first.clone();
    second.id = "promo_b".into();
    second.code = "OTHER".into();
    // Three mugs make one round; the second promotion finds the units used.
    let got = given(&[first, second], vec![line("m", "mug", 3, 3000)]);
    assert_eq!(got, vec![("m".into(), 1000)]);
}

#[test]
fn the_most_expensive_target_is_given_first() {
    let p = buy_get("percentage", "100", &["shirt"], &["cap"], 1, 1);
    let items = vec![
        line("s", "shirt", 1, 4000),
        line("cheap", "cap", 1, 500),
        line("dear", "cap", 1, 900),
    ];
    assert_eq!(given(&[p], items), vec![("dear".into(), 900)]);
}

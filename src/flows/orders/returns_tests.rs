use super::units_value;
use crate::modules::order::{LineItem, TaxLine};

fn line(quantity: i64, unit_price: i64, rate_ppm: i64) -> LineItem {
    let tax = TaxLine {
        id: String::new(),
        description: None,
        tax_rate_id: None,
        code: "VAT".into(),
        rate_ppm,
        provider_id: None,
    };
    LineItem {
        quantity,
        unit_price,
        tax_lines: vec![tax],
        ..LineItem::default()
    }
}

#[test]
fn a_unit_is_worth_its_share_of_the_line_total_rounded_half_up() {
    // 3 × 10.00 at 10 %: 33.00; one unit 11.00, all three 33.00.
    let taxed = line(3, 1000, 10_000_000);
    assert_eq!(units_value(&taxed, 1).unwrap(), 1100);
    assert_eq!(units_value(&taxed, 3).unwrap(), 3300);
    // 3 × 0.01 untaxed: one unit is 0.01; two are 0.02 (0.0200 exactly).
    let cheap = line(3, 1, 0);
    assert_eq!(units_value(&cheap, 1).unwrap(), 1);
    assert_eq!(units_value(&cheap, 2).unwrap(), 2);
    // 2 × 0.05 at 10 %: the line is 0.11 (0.10 + 0.01 tax); one unit 0.055 → 0.06.
    let odd = line(2, 5, 10_000_000);
    assert_eq!(units_value(&odd, 1).unwrap(), 6);
    assert_eq!(
        units_value(&line(0, 5, 0), 1).unwrap(),
        0,
        "an empty line is worth nothing"
    );
}

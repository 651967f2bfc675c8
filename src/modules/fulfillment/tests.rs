//! Unit tests of shipping options: zones by country and province, rules, prices.

use super::*;
use crate::clock::Clock;
use crate::id::IdGenerator;

#[test]
fn options_match_zone_rules_and_prices() {
    let conn = Connection::open_in_memory().unwrap();
    crate::db::module::migrate(&conn, &[module()], "t").unwrap();
    let ctx = Ctx::new(Clock::fixed(0), IdGenerator::seeded(Clock::fixed(0), 1));
    let set = create_set(&conn, &ctx, "Ship", "shipping").unwrap();
    let zones = [
        GeoZone {
            country_code: "US".into(),
            province_code: None,
        },
        GeoZone {
            country_code: "ca".into(),
            province_code: Some("QC".into()),
        },
    ];
    let zone = create_zone(&conn, &ctx, &set, "NA", &zones).unwrap();
    let profile = create_profile(&conn, &ctx, "Default", "default").unwrap();
    let input = NewShippingOption {
        name: "Standard".into(),
        service_zone_id: zone,
        shipping_profile_id: Some(profile),
        kind: TypeChoice::New("Standard".into(), "standard".into(), String::new()),
        prices: vec![
            ("usd".into(), None, 1000),
            ("usd".into(), Some("reg_1".into()), 800),
        ],
        ..Default::default()
    };
    let option = create_option(&conn, &ctx, &input).unwrap();
    let sets = vec![set];
    assert_eq!(options_in_sets(&conn, &sets, "us", None).unwrap().len(), 1);
    assert_eq!(
        options_in_sets(&conn, &sets, "ca", Some("qc"))
            .unwrap()
            .len(),
        1
    );
    assert!(
        options_in_sets(&conn, &sets, "ca", Some("on"))
            .unwrap()
            .is_empty()
    );
    assert!(
        options_in_sets(&conn, &sets, "de", None)
            .unwrap()
            .is_empty()
    );
    assert!(option.rule_allows("is_return", "false"));
    assert!(!option.rule_allows("is_return", "true"));
    assert_eq!(
        price_for(&option, "usd", Some("reg_1")).unwrap().amount,
        800
    );
    assert_eq!(
        price_for(&option, "usd", Some("reg_2")).unwrap().amount,
        1000
    );
    assert!(price_for(&option, "eur", None).is_none());
}

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

#[test]
fn migration_0003_moves_inline_option_types_into_their_table() {
    let conn = Connection::open_in_memory().unwrap();
    let before = Module::new("fulfillment", "fulfillment")
        .migration(migration!("fulfillment", "0001_init.sql"))
        .migration(migration!("fulfillment", "0002_fulfillments.sql"));
    crate::db::module::migrate(&conn, &[before], "t").unwrap();
    conn.execute_batch(
        "INSERT INTO fulfillment_set VALUES ('fuset_1', 'S', 'shipping', 't', 't', NULL);
         INSERT INTO fulfillment_service_zone VALUES ('serzo_1', 'Z', 'fuset_1', 't', 't', NULL);
         INSERT INTO fulfillment_shipping_option (id, name, service_zone_id, provider_id, type_id,
             type_label, type_code, type_description, created_at, updated_at)
         VALUES ('so_1', 'Std', 'serzo_1', 'manual_manual', 'sotype_1', 'Standard', 'standard', 'd', 't', 't');",
    )
    .unwrap();
    crate::db::module::migrate(&conn, &[module()], "t").unwrap();
    let option = retrieve_option(&conn, "so_1").unwrap();
    let kind = (
        option.type_id,
        option.type_label,
        option.type_code,
        option.type_description,
    );
    assert_eq!(
        kind,
        (
            "sotype_1".into(),
            "Standard".into(),
            "standard".into(),
            "d".into()
        )
    );
}

#[test]
fn rules_with_in_and_nin_operators_read_json_arrays() {
    let conn = Connection::open_in_memory().unwrap();
    crate::db::module::migrate(&conn, &[module()], "t").unwrap();
    let ctx = Ctx::new(Clock::fixed(0), IdGenerator::seeded(Clock::fixed(0), 1));
    let set = create_set(&conn, &ctx, "Ship", "shipping").unwrap();
    let zone = create_zone(&conn, &ctx, &set, "Z", &[]).unwrap();
    let rule = |a: &str, o: &str, v: &str| (a.to_string(), o.to_string(), v.to_string());
    let input = NewShippingOption {
        name: "Std".into(),
        service_zone_id: zone,
        rules: Some(vec![
            rule("enabled_in_store", "in", r#"["true"]"#),
            rule("is_return", "nin", r#"["true"]"#),
        ]),
        ..Default::default()
    };
    let option = create_option(&conn, &ctx, &input).unwrap();
    assert!(option.rule_allows("enabled_in_store", "true"));
    assert!(!option.rule_allows("enabled_in_store", "false"));
    assert!(option.rule_allows("is_return", "false"));
    assert!(!option.rule_allows("is_return", "true"));
}

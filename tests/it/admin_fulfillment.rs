//! Admin shipping setup over HTTP (issue 13, item 2): shipping profiles, shipping option
//! types, shipping options, their prices and rules, and the rules batch.

use crate::common;

use common::setup::{Admin, id};
use serde_json::{Value, json};

#[test]
fn shipping_profiles_crud_with_unique_names_and_strict_bodies() {
    let admin = Admin::start();
    let before = admin.ok("GET", "/admin/shipping-profiles", None);
    assert_eq!(before["count"], 1, "the demo's default profile");
    assert_eq!(before["limit"], 20);
    let made = admin.ok(
        "POST",
        "/admin/shipping-profiles",
        Some(&json!({"name": "Bulky", "type": "custom", "metadata": {"k": 1}})),
    )["shipping_profile"]
        .clone();
    let sp = id(&made);
    assert!(sp.starts_with("sp_"));
    assert_eq!(
        (
            made["name"].clone(),
            made["type"].clone(),
            made["metadata"]["k"].clone()
        ),
        (json!("Bulky"), json!("custom"), json!(1))
    );
    let msg = admin.refused(
        "POST",
        "/admin/shipping-profiles",
        Some(&json!({"name": "Bulky", "type": "x"})),
        422,
        "duplicate_error",
    );
    assert_eq!(msg, "Shipping profile with name: Bulky, already exists.");
    let msg = admin.refused(
        "POST",
        "/admin/shipping-profiles",
        Some(&json!({"type": "x", "color": 1})),
        400,
        "invalid_data",
    );
    assert_eq!(
        msg,
        "Invalid request: Field 'name' is required; Unrecognized fields: 'color'"
    );
    let updated = admin.ok(
        "POST",
        &format!("/admin/shipping-profiles/{sp}"),
        Some(&json!({"name": "Heavy", "metadata": null})),
    );
    assert_eq!(updated["shipping_profile"]["name"], "Heavy");
    assert_eq!(updated["shipping_profile"]["metadata"], Value::Null);
    let sorted = admin.ok("GET", "/admin/shipping-profiles?order=-name", None);
    assert_eq!(sorted["shipping_profiles"][0]["name"], "Heavy");
    let msg = admin.refused(
        "GET",
        "/admin/shipping-profiles?order=color",
        None,
        400,
        "invalid_data",
    );
    assert_eq!(msg, "Invalid request: Cannot order by 'color'");
    let found = admin.ok("GET", "/admin/shipping-profiles?q=eav&fields=name", None);
    assert_eq!(found["count"], 1);
    assert_eq!(
        found["shipping_profiles"][0],
        json!({"id": sp, "name": "Heavy"})
    );
    let gone = admin.ok("DELETE", &format!("/admin/shipping-profiles/{sp}"), None);
    assert_eq!(
        gone,
        json!({"id": sp, "object": "shipping_profile", "deleted": true})
    );
    admin.refused(
        "GET",
        &format!("/admin/shipping-profiles/{sp}"),
        None,
        404,
        "not_found",
    );
    assert_eq!(
        admin.events("shipping-profile.created"),
        vec![json!({"id": sp})]
    );
}

#[test]
fn a_profile_in_use_by_an_option_cannot_be_deleted() {
    let admin = Admin::start();
    let (_, _, zone) = admin.shipping_from("Dock", &["se"]);
    let sp = admin.profile("Fragile");
    let option = admin.option(&zone, &sp, json!([{"currency_code": "eur", "amount": 5}]));
    let msg = admin.refused(
        "DELETE",
        &format!("/admin/shipping-profiles/{sp}"),
        None,
        400,
        "not_allowed",
    );
    assert!(msg.contains("with associated Shipping Options"), "{msg}");
    admin.ok(
        "DELETE",
        &format!("/admin/shipping-options/{}", id(&option)),
        None,
    );
    admin.ok("DELETE", &format!("/admin/shipping-profiles/{sp}"), None);
}

#[test]
fn shipping_option_types_crud_including_the_fixtures_types() {
    let admin = Admin::start();
    let listed = admin.ok("GET", "/admin/shipping-option-types", None);
    assert_eq!(
        listed["count"], 3,
        "one per demo option, moved out of the options"
    );
    assert_eq!(listed["limit"], 10);
    let codes = admin.ok("GET", "/admin/shipping-option-types?code=express", None);
    assert_eq!(
        codes["shipping_option_types"][0]["label"],
        "Express Shipping"
    );
    let made = admin.ok(
        "POST",
        "/admin/shipping-option-types",
        Some(&json!({"label": "Pickup", "code": "pickup"})),
    )["shipping_option_type"]
        .clone();
    let t = id(&made);
    assert!(t.starts_with("sotype_"));
    assert_eq!(made["description"], "");
    let updated = admin.ok(
        "POST",
        &format!("/admin/shipping-option-types/{t}"),
        Some(&json!({"description": "At the desk"})),
    );
    assert_eq!(
        updated["shipping_option_type"]["description"],
        "At the desk"
    );
    let msg = admin.refused(
        "POST",
        "/admin/shipping-option-types/sotype_nope",
        Some(&json!({"label": "x"})),
        404,
        "not_found",
    );
    assert_eq!(
        msg,
        "Shipping option type with id \"sotype_nope\" not found"
    );
    admin.refused(
        "POST",
        "/admin/shipping-option-types",
        Some(&json!({"label": "x"})),
        400,
        "invalid_data",
    );
    let gone = admin.ok("DELETE", &format!("/admin/shipping-option-types/{t}"), None);
    assert_eq!(
        gone,
        json!({"id": t, "object": "shipping_option_type", "deleted": true})
    );
    admin.refused(
        "GET",
        &format!("/admin/shipping-option-types/{t}"),
        None,
        404,
        "not_found",
    );
}

#[test]
fn shipping_options_create_retrieve_list_and_refuse_bad_input() {
    let admin = Admin::start();
    let (location, _, zone) = admin.shipping_from("Dock", &["se"]);
    let sp = admin.profile("Fragile");
    let region = id(&admin.ok("GET", "/admin/regions?limit=1", None)["regions"][0]);
    let option = admin.option(
        &zone,
        &sp,
        json!([{"currency_code": "SEK", "amount": 49.5}, {"region_id": region, "amount": 7}]),
    );
    let so = id(&option);
    assert!(so.starts_with("so_"));
    assert_eq!(option["type"]["code"], "courier");
    assert_eq!(option["service_zone"]["id"], zone.as_str());
    assert_eq!(option["shipping_profile"]["name"], "Fragile");
    assert_eq!(
        option["provider"],
        json!({"id": "manual_manual", "is_enabled": true})
    );
    assert_eq!(option["prices"][0]["currency_code"], "sek");
    assert_eq!(option["prices"][0]["amount"], 49.5);
    assert_eq!(
        option["prices"][1]["price_rules"][0],
        json!({"attribute": "region_id", "operator": "eq", "value": region})
    );
    assert_eq!(option["rules"][0]["value"], "true");
    let one = admin.ok(
        "GET",
        &format!("/admin/shipping-options/{so}?fields=id,name"),
        None,
    );
    assert_eq!(one["shipping_option"], json!({"id": so, "name": "Courier"}));

    let by_zone = admin.ok(
        "GET",
        &format!("/admin/shipping-options?service_zone_id={zone}"),
        None,
    );
    assert_eq!(by_zone["count"], 1);
    let at = admin.ok(
        "GET",
        &format!("/admin/shipping-options?stock_location_id={location}"),
        None,
    );
    assert_eq!(at["shipping_options"][0]["id"], so.as_str());
    let all = admin.ok("GET", "/admin/shipping-options", None);
    assert_eq!(
        (all["count"].clone(), all["limit"].clone()),
        (json!(4), json!(20))
    );
    let newest = admin.ok(
        "GET",
        "/admin/shipping-options?order=-created_at&limit=1",
        None,
    );
    assert_eq!(newest["shipping_options"][0]["id"], so.as_str());
    assert_eq!(
        admin.ok("GET", "/admin/shipping-options?is_return=true", None)["count"],
        0
    );

    let base = json!({"name": "X", "service_zone_id": zone, "shipping_profile_id": sp, "provider_id": "manual_manual",
        "price_type": "flat", "type": {"label": "X", "description": "", "code": "x"}, "prices": []});
    let mut bad = base.clone();
    bad["price_type"] = json!("free");
    let msg = admin.refused(
        "POST",
        "/admin/shipping-options",
        Some(&bad),
        400,
        "invalid_data",
    );
    assert!(msg.contains("'price_type'"), "{msg}");
    let mut bad = base.clone();
    bad["prices"] = json!([{"region_id": "reg_missing", "amount": 1}]);
    let msg = admin.refused(
        "POST",
        "/admin/shipping-options",
        Some(&bad),
        400,
        "invalid_data",
    );
    assert_eq!(
        msg,
        "Cannot create prices for non-existent regions. Region with ids [reg_missing] were not found."
    );
    let mut bad = base.clone();
    bad["prices"] = json!([{"currency_code": "eur"}]);
    let msg = admin.refused(
        "POST",
        "/admin/shipping-options",
        Some(&bad),
        400,
        "invalid_data",
    );
    assert_eq!(
        msg,
        "Invalid request: Field 'prices, 0, amount' is required"
    );
    let mut bad = base.clone();
    bad["rules"] = json!([{"attribute": "a", "operator": "like", "value": "x"}]);
    admin.refused(
        "POST",
        "/admin/shipping-options",
        Some(&bad),
        400,
        "invalid_data",
    );
    let mut bad = base.clone();
    bad["provider_id"] = json!("fedex_fedex");
    let msg = admin.refused(
        "POST",
        "/admin/shipping-options",
        Some(&bad),
        400,
        "not_allowed",
    );
    assert_eq!(
        msg,
        "Providers (fedex_fedex) are not enabled for the service location"
    );
    let mut bad = base;
    bad["service_zone_id"] = json!("serzo_missing");
    admin.refused(
        "POST",
        "/admin/shipping-options",
        Some(&bad),
        404,
        "not_found",
    );
    assert_eq!(
        admin.events("shipping-option.created"),
        vec![json!({"id": so})]
    );
}

#[test]
fn updating_an_option_replaces_its_prices_and_rules_and_the_rules_batch_edits_them() {
    let admin = Admin::start();
    let (_, _, zone) = admin.shipping_from("Dock", &["se"]);
    let sp = admin.profile("Fragile");
    let option = admin.option(
        &zone,
        &sp,
        json!([{"currency_code": "eur", "amount": 5}, {"currency_code": "usd", "amount": 6}]),
    );
    let so = id(&option);
    let kept_price = id(&option["prices"][0]);
    let kept_rule = id(&option["rules"][0]);
    let body = json!({
        "name": "Courier+", "type_id": Value::Null,
        "prices": [{"id": kept_price, "amount": 4.5}, {"currency_code": "dkk", "amount": 40}],
        "rules": [{"id": kept_rule, "attribute": "enabled_in_store", "operator": "eq", "value": "false"}],
    });
    let updated = admin.ok(
        "POST",
        &format!("/admin/shipping-options/{so}"),
        Some(&body),
    )["shipping_option"]
        .clone();
    assert_eq!(updated["name"], "Courier+");
    let prices: Vec<(Value, Value)> = updated["prices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["currency_code"].clone(), p["amount"].clone()))
        .collect();
    assert_eq!(
        prices,
        vec![(json!("eur"), json!(4.5)), (json!("dkk"), json!(40))]
    );
    assert_eq!(updated["prices"][0]["id"], kept_price.as_str());
    assert_eq!(updated["rules"].as_array().unwrap().len(), 1);
    assert_eq!(updated["rules"][0]["value"], "false");
    assert_eq!(
        admin.ok("GET", "/admin/shipping-options?admin_only=true", None)["count"],
        1
    );
    let stranger = json!({"prices": [{"id": "price_nope", "amount": 1}]});
    let path = format!("/admin/shipping-options/{so}");
    admin.refused("POST", &path, Some(&stranger), 404, "not_found");

    let new_type = id(&admin.ok(
        "POST",
        "/admin/shipping-option-types",
        Some(&json!({"label": "Eco", "code": "eco"})),
    )["shipping_option_type"]);
    let typed = admin.ok(
        "POST",
        &format!("/admin/shipping-options/{so}"),
        Some(&json!({"type_id": new_type})),
    );
    assert_eq!(typed["shipping_option"]["type"]["code"], "eco");
    let filtered = admin.ok(
        "GET",
        &format!("/admin/shipping-options?shipping_option_type_id={new_type}"),
        None,
    );
    assert_eq!(filtered["count"], 1);

    let batch = json!({
        "create": [{"attribute": "is_return", "operator": "eq", "value": "false"},
                   {"attribute": "customer_group", "operator": "in", "value": ["vip", "staff"]}],
        "update": [{"id": kept_rule, "attribute": "enabled_in_store", "operator": "eq", "value": "true"}],
        "delete": [],
    });
    let done = admin.ok(
        "POST",
        &format!("/admin/shipping-options/{so}/rules/batch"),
        Some(&batch),
    );
    assert_eq!(done["created"].as_array().unwrap().len(), 2);
    assert_eq!(done["created"][1]["value"], json!(["vip", "staff"]));
    assert_eq!(done["updated"][0]["value"], "true");
    let created = id(&done["created"][0]);
    let removal = json!({"delete": [created]});
    let done = admin.ok(
        "POST",
        &format!("/admin/shipping-options/{so}/rules/batch"),
        Some(&removal),
    );
    assert_eq!(
        done["deleted"],
        json!({"ids": [created], "object": "shipping_option_rule", "deleted": true})
    );
    let missing = json!({"delete": ["sorul_nope"]});
    admin.refused(
        "POST",
        &format!("/admin/shipping-options/{so}/rules/batch"),
        Some(&missing),
        404,
        "not_found",
    );
    let rules = admin.ok("GET", &format!("/admin/shipping-options/{so}"), None)["shipping_option"]
        ["rules"]
        .clone();
    assert_eq!(rules.as_array().unwrap().len(), 2);

    let gone = admin.ok("DELETE", &format!("/admin/shipping-options/{so}"), None);
    assert_eq!(
        gone,
        json!({"id": so, "object": "shipping_option", "deleted": true})
    );
    admin.refused(
        "GET",
        &format!("/admin/shipping-options/{so}"),
        None,
        404,
        "not_found",
    );
    assert_eq!(admin.events("shipping-option.updated").len(), 2);
    // Two rules with the option, two in the batch; the update kept one rule and dropped one.
    assert_eq!(admin.events("shipping-option-rule.created").len(), 4);
    assert_eq!(admin.events("shipping-option-rule.updated").len(), 2);
    assert_eq!(admin.events("shipping-option-rule.deleted").len(), 2);
    assert_eq!(admin.events("shipping-option-type.created").len(), 2);
    assert_eq!(
        admin.events("shipping-option.deleted"),
        vec![json!({"id": so})]
    );
}

//! Admin fulfillment and shipping setup over HTTP (issue 13, item 2): shipping profiles,
//! option types, shipping options and their rules, stock locations' fulfillment sets and
//! providers, service zones — and a shop configured through these routes alone checking out.

mod common;

use common::client::Reply;
use common::{TestApp, config};
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};
use stockroom::Engine;

type Seen = Arc<Mutex<Vec<(String, Value)>>>;

const EVENTS: &[&str] = &[
    "shipping-profile.created",
    "shipping-option-type.created",
    "shipping-option.created",
    "shipping-option.updated",
    "shipping-option.deleted",
    "shipping-option-rule.created",
    "fulfillment-set.created",
    "fulfillment-set.deleted",
    "service-zone.created",
    "service-zone.deleted",
];

struct Admin {
    app: TestApp,
    auth: String,
    seen: Seen,
}

impl Admin {
    fn start() -> Admin {
        let seen = Seen::default();
        let mut builder = Engine::builder();
        for name in EVENTS {
            let seen = seen.clone();
            builder = builder.on(&format!("test.{name}"), name, move |_, event| {
                let mut seen = seen.lock().expect("lock");
                seen.push((event.name.clone(), event.data.clone()));
                Ok(())
            });
        }
        let app = TestApp::with(config(), builder);
        let auth = format!("Bearer {}", app.admin_token());
        Admin { app, auth, seen }
    }

    fn call(&self, method: &str, path: &str, body: Option<&Value>) -> Reply {
        self.app.admin_call(method, path, &self.auth, body)
    }

    #[track_caller]
    fn ok(&self, method: &str, path: &str, body: Option<&Value>) -> Value {
        let reply = self.call(method, path, body);
        assert_eq!(reply.status, 200, "{method} {path}: {}", reply.text());
        reply.json()
    }

    /// Expects `status` and Medusa's error `type`; returns the message.
    #[track_caller]
    fn refused(
        &self,
        method: &str,
        path: &str,
        body: Option<&Value>,
        status: u16,
        kind: &str,
    ) -> String {
        let reply = self.call(method, path, body);
        assert_eq!(reply.status, status, "{method} {path}: {}", reply.text());
        let json = reply.json();
        assert_eq!(json["type"], kind, "{}", reply.text());
        json["message"].as_str().expect("message").to_string()
    }

    fn events(&self, name: &str) -> Vec<Value> {
        self.app.engine().wait_idle().expect("idle");
        let seen = self.seen.lock().expect("lock");
        seen.iter()
            .filter(|(n, _)| n == name)
            .map(|(_, d)| d.clone())
            .collect()
    }

    /// A stock location with `manual_manual` enabled, a shipping set and a zone over
    /// `countries`; returns `(location, set, zone)`.
    fn shipping_from(&self, name: &str, countries: &[&str]) -> (String, String, String) {
        let body =
            json!({"name": name, "address": {"address_1": "1 Quay", "country_code": countries[0]}});
        let location =
            id(&self.ok("POST", "/admin/stock-locations", Some(&body))["stock_location"]);
        let add = json!({"add": ["manual_manual"]});
        self.ok(
            "POST",
            &format!("/admin/stock-locations/{location}/fulfillment-providers"),
            Some(&add),
        );
        let set = json!({"name": format!("{name} shipping"), "type": "shipping"});
        let doc = self.ok(
            "POST",
            &format!("/admin/stock-locations/{location}/fulfillment-sets"),
            Some(&set),
        );
        let set = id(&doc["stock_location"]["fulfillment_sets"][0]);
        let geo: Vec<Value> = countries
            .iter()
            .map(|c| json!({"type": "country", "country_code": c}))
            .collect();
        let zone = json!({"name": format!("{name} zone"), "geo_zones": geo});
        let doc = self.ok(
            "POST",
            &format!("/admin/fulfillment-sets/{set}/service-zones"),
            Some(&zone),
        );
        let zone = id(&doc["fulfillment_set"]["service_zones"][0]);
        (location, set, zone)
    }

    fn profile(&self, name: &str) -> String {
        let body = json!({"name": name, "type": "default"});
        id(&self.ok("POST", "/admin/shipping-profiles", Some(&body))["shipping_profile"])
    }

    fn option(&self, zone: &str, profile: &str, prices: Value) -> Value {
        let body = json!({
            "name": "Courier", "service_zone_id": zone, "shipping_profile_id": profile,
            "provider_id": "manual_manual", "price_type": "flat",
            "type": {"label": "Courier", "description": "Next day", "code": "courier"},
            "prices": prices,
            "rules": [{"attribute": "enabled_in_store", "operator": "eq", "value": "true"},
                      {"attribute": "is_return", "operator": "eq", "value": "false"}],
        });
        self.ok("POST", "/admin/shipping-options", Some(&body))["shipping_option"].clone()
    }
}

fn id(v: &Value) -> String {
    v["id"].as_str().expect("id").to_string()
}

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
    assert_eq!(admin.events("shipping-option-rule.created").len(), 2);
    assert_eq!(
        admin.events("shipping-option.deleted"),
        vec![json!({"id": so})]
    );
}

#[test]
fn fulfillment_sets_service_zones_and_providers() {
    let admin = Admin::start();
    let providers = admin.ok("GET", "/admin/fulfillment-providers", None);
    assert_eq!(
        providers,
        json!({"fulfillment_providers": [{"id": "manual_manual", "is_enabled": true}], "count": 1, "offset": 0, "limit": 20})
    );
    let (location, set, zone) = admin.shipping_from("Dock", &["se", "no"]);
    let at = admin.ok(
        "GET",
        &format!("/admin/fulfillment-providers?stock_location_id={location}"),
        None,
    );
    assert_eq!(at["count"], 1);
    let unknown = json!({"add": ["fedex_fedex"]});
    admin.refused(
        "POST",
        &format!("/admin/stock-locations/{location}/fulfillment-providers"),
        Some(&unknown),
        404,
        "not_found",
    );
    let dup = json!({"name": "Dock shipping", "type": "shipping"});
    admin.refused(
        "POST",
        &format!("/admin/stock-locations/{location}/fulfillment-sets"),
        Some(&dup),
        422,
        "duplicate_error",
    );

    let one = admin.ok(
        "GET",
        &format!("/admin/fulfillment-sets/{set}/service-zones/{zone}"),
        None,
    )["service_zone"]
        .clone();
    assert_eq!(one["name"], "Dock zone");
    let countries: Vec<&str> = one["geo_zones"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["country_code"].as_str().unwrap())
        .collect();
    assert_eq!(countries, ["se", "no"]);
    let kept = id(&one["geo_zones"][0]);
    let body = json!({"name": "Nordics", "geo_zones": [{"id": kept, "type": "country", "country_code": "se"},
        {"type": "province", "country_code": "FI", "province_code": "FI-18"}]});
    let set_doc = admin.ok(
        "POST",
        &format!("/admin/fulfillment-sets/{set}/service-zones/{zone}"),
        Some(&body),
    )["fulfillment_set"]
        .clone();
    let geo = &set_doc["service_zones"][0]["geo_zones"];
    assert_eq!(set_doc["service_zones"][0]["name"], "Nordics");
    assert_eq!(
        (
            geo[0]["id"].clone(),
            geo[1]["type"].clone(),
            geo[1]["province_code"].clone()
        ),
        (json!(kept), json!("province"), json!("fi-18"))
    );
    assert_eq!(geo.as_array().unwrap().len(), 2);

    let city = json!({"name": "Town", "geo_zones": [{"type": "city", "country_code": "se", "province_code": "x", "city": "y"}]});
    admin.refused(
        "POST",
        &format!("/admin/fulfillment-sets/{set}/service-zones"),
        Some(&city),
        400,
        "invalid_data",
    );
    let no_code = json!({"name": "Town", "geo_zones": [{"type": "country"}]});
    let msg = admin.refused(
        "POST",
        &format!("/admin/fulfillment-sets/{set}/service-zones"),
        Some(&no_code),
        400,
        "invalid_data",
    );
    assert_eq!(
        msg,
        "Invalid request: Field 'geo_zones, 0, country_code' is required"
    );
    let msg = admin.refused(
        "GET",
        &format!("/admin/fulfillment-sets/{set}/service-zones/serzo_nope"),
        None,
        404,
        "not_found",
    );
    assert_eq!(msg, "Service zone with id: serzo_nope not found");
    let demo_zone = id(
        &admin.ok("GET", "/admin/shipping-options?limit=1", None)["shipping_options"][0]["service_zone"],
    );
    let msg = admin.refused(
        "DELETE",
        &format!("/admin/fulfillment-sets/{set}/service-zones/{demo_zone}"),
        None,
        404,
        "not_found",
    );
    assert_eq!(
        msg,
        format!("Service zone with id: {demo_zone} not found on fulfillment set")
    );

    let sp = admin.profile("Fragile");
    let option = id(&admin.option(&zone, &sp, json!([{"currency_code": "eur", "amount": 5}])));
    let second =
        json!({"name": "Second", "geo_zones": [{"type": "country", "country_code": "dk"}]});
    let doc = admin.ok(
        "POST",
        &format!("/admin/fulfillment-sets/{set}/service-zones"),
        Some(&second),
    );
    let second = id(&doc["fulfillment_set"]["service_zones"][1]);
    let gone = admin.ok(
        "DELETE",
        &format!("/admin/fulfillment-sets/{set}/service-zones/{second}"),
        None,
    );
    assert_eq!(
        (gone["object"].clone(), gone["deleted"].clone()),
        (json!("service_zone"), json!(true))
    );
    assert_eq!(gone["parent"]["service_zones"].as_array().unwrap().len(), 1);

    let gone = admin.ok("DELETE", &format!("/admin/fulfillment-sets/{set}"), None);
    assert_eq!(
        gone,
        json!({"id": set, "object": "fulfillment_set", "deleted": true})
    );
    admin.refused(
        "GET",
        &format!("/admin/shipping-options/{option}"),
        None,
        404,
        "not_found",
    );
    let location_doc = admin.ok(
        "POST",
        &format!("/admin/stock-locations/{location}/fulfillment-providers"),
        Some(&json!({"remove": ["manual_manual"]})),
    );
    assert_eq!(
        location_doc["stock_location"]["fulfillment_sets"],
        json!([])
    );
    assert_eq!(
        location_doc["stock_location"]["fulfillment_providers"],
        json!([])
    );
    assert_eq!(
        admin.events("fulfillment-set.deleted"),
        vec![json!({"id": set})]
    );
    assert_eq!(admin.events("service-zone.deleted").len(), 2);
    assert_eq!(
        admin.events("shipping-option.deleted"),
        vec![json!({"id": option})]
    );
}

#[test]
fn a_shop_configured_through_the_admin_api_alone_checks_out_with_its_option() {
    let admin = Admin::start();
    let region = json!({"name": "Sweden", "currency_code": "eur", "countries": ["se"], "payment_providers": ["pp_system_default"]});
    let region = id(&admin.ok("POST", "/admin/regions", Some(&region))["region"]);
    let (location, _, zone) = admin.shipping_from("Malmö", &["se"]);
    let channel = id(&admin.ok("GET", "/admin/sales-channels", None)["sales_channels"][0]);
    let link = json!({"add": [channel]});
    admin.ok(
        "POST",
        &format!("/admin/stock-locations/{location}/sales-channels"),
        Some(&link),
    );
    let sp = admin.profile("Parcels");
    let option = id(&admin.option(&zone, &sp, json!([{"region_id": region, "amount": 59}])));

    let app = &admin.app;
    let variant = app.variant();
    let cart = id(&app.ok("/store/carts", &json!({"region_id": region}))["cart"]);
    app.ok(
        &format!("/store/carts/{cart}/line-items"),
        &json!({"variant_id": variant, "quantity": 1}),
    );
    let address = common::checkout::address("se");
    app.ok(
        &format!("/store/carts/{cart}"),
        &json!({"email": "ada@example.com", "shipping_address": address}),
    );
    let options = app
        .store_get(&format!("/store/shipping-options?cart_id={cart}"))
        .json();
    let listed: Vec<&str> = options["shipping_options"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        listed,
        [option.as_str()],
        "only the option set up for Sweden"
    );
    assert_eq!(options["shipping_options"][0]["amount"], 59);
    let cart_doc = app.ok(
        &format!("/store/carts/{cart}/shipping-methods"),
        &json!({"option_id": option}),
    );
    assert_eq!(
        cart_doc["cart"]["shipping_methods"][0]["shipping_option_id"],
        option.as_str()
    );
    assert_eq!(cart_doc["cart"]["shipping_total"], 59);

    // Disabling the option in the store takes it away from the cart's choices.
    let off =
        json!({"rules": [{"attribute": "enabled_in_store", "operator": "eq", "value": "false"}]});
    admin.ok(
        "POST",
        &format!("/admin/shipping-options/{option}"),
        Some(&off),
    );
    let options = app
        .store_get(&format!("/store/shipping-options?cart_id={cart}"))
        .json();
    assert_eq!(options["shipping_options"], json!([]));
}

#[test]
fn the_setup_routes_are_in_the_openapi_document() {
    let admin = Admin::start();
    let doc = admin.app.get("/openapi.json").json();
    for path in [
        "/admin/shipping-profiles/{id}",
        "/admin/shipping-option-types/{id}",
        "/admin/shipping-options/{id}/rules/batch",
        "/admin/fulfillment-providers",
        "/admin/stock-locations/{id}/fulfillment-sets",
        "/admin/fulfillment-sets/{id}/service-zones/{zone_id}",
    ] {
        assert!(doc["paths"][path].is_object(), "{path} missing");
    }
}

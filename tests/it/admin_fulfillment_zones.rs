//! Where a shop ships from, over HTTP (issue 13, item 2): stock locations' fulfillment sets
//! and providers, service zones, fulfillment providers — and a shop configured through the
//! admin API alone checking out with the option it set up.

use crate::common;

use common::setup::{Admin, id};
use serde_json::json;

#[test]
fn fulfillment_sets_service_zones_and_providers() {
    let admin = Admin::start();
    let providers = admin.ok("GET", "/admin/fulfillment-providers", None);
    assert_eq!(
        providers,
        json!({"fulfillment_providers": [{"id": "manual_manual", "is_enabled": true}], "count": 1, "offset": 0, "limit": 50})
    );
    let (location, set, zone) = admin.shipping_from("Dock", &["se", "no"]);
    let plain = admin.ok("GET", &format!("/admin/stock-locations/{location}"), None);
    assert!(plain["stock_location"].get("fulfillment_sets").is_none());
    let path = format!(
        "/admin/stock-locations/{location}?fields=*fulfillment_sets,*fulfillment_providers"
    );
    let full = admin.ok("GET", &path, None)["stock_location"].clone();
    assert_eq!(full["fulfillment_sets"][0]["id"], set.as_str());
    assert_eq!(
        full["fulfillment_sets"][0]["service_zones"][0]["id"],
        zone.as_str()
    );
    assert_eq!(full["fulfillment_providers"][0]["id"], "manual_manual");
    let listed = admin.ok(
        "GET",
        "/admin/stock-locations?fields=%2Bfulfillment_sets.name",
        None,
    );
    assert!(listed["stock_locations"][0]["fulfillment_sets"].is_array());
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
    let path = format!("/admin/fulfillment-providers?stock_location_id={location}");
    assert_eq!(admin.ok("GET", &path, None)["count"], 0);
    assert_eq!(
        admin.events("fulfillment-set.deleted"),
        vec![json!({"id": set})]
    );
    assert_eq!(admin.events("service-zone.deleted").len(), 2);
    // se and no with the zone, fi-18 by the update (which kept se, dropped no), dk with the second.
    assert_eq!(admin.events("geo-zone.created").len(), 4);
    assert_eq!(admin.events("geo-zone.updated"), vec![json!({"id": kept})]);
    assert_eq!(admin.events("geo-zone.deleted").len(), 1);
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
    let cart = swedish_cart(app, &region);
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
    let rule = json!({"attribute": "enabled_in_store", "operator": "eq", "value": "true"});
    assert_eq!(options["shipping_options"][0]["rules"][0], rule);
    let cart_doc = app.ok(
        &format!("/store/carts/{cart}/shipping-methods"),
        &json!({"option_id": option}),
    );
    assert_eq!(
        cart_doc["cart"]["shipping_methods"][0]["shipping_option_id"],
        option.as_str()
    );
    assert_eq!(cart_doc["cart"]["shipping_total"], 59);
    let collection = app.ok("/store/payment-collections", &json!({"cart_id": cart}));
    let pc = id(&collection["payment_collection"]);
    let session = json!({"provider_id": "pp_system_default"});
    app.ok(
        &format!("/store/payment-collections/{pc}/payment-sessions"),
        &session,
    );
    let placed = app.complete(&cart);
    assert_eq!(placed.status, 200, "{}", placed.text());
    let order = placed.json()["order"].clone();
    assert_eq!(
        order["shipping_methods"][0]["shipping_option_id"],
        option.as_str()
    );
    assert_eq!(order["shipping_total"], 59);

    // Disabling the option in the store takes it away from a cart's choices.
    let cart = swedish_cart(app, &region);
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
        "/admin/fulfillments/{id}/shipment",
        "/admin/fulfillments/{id}/cancel",
    ] {
        assert!(doc["paths"][path].is_object(), "{path} missing");
    }
}

#[test]
fn deleting_a_stock_location_deletes_its_fulfillment_sets_and_their_options() {
    let admin = Admin::start();
    let (location, set, zone) = admin.shipping_from("Dock", &["se"]);
    let sp = admin.profile("Fragile");
    let option = id(&admin.option(&zone, &sp, json!([{"currency_code": "eur", "amount": 5}])));
    admin.ok(
        "DELETE",
        &format!("/admin/stock-locations/{location}"),
        None,
    );
    let path = format!("/admin/shipping-options/{option}");
    admin.refused("GET", &path, None, 404, "not_found");
    let path = format!("/admin/fulfillment-sets/{set}/service-zones/{zone}");
    admin.refused("POST", &path, Some(&json!({"name": "x"})), 404, "not_found");
    assert_eq!(
        admin.events("fulfillment-set.deleted"),
        vec![json!({"id": set})]
    );
}

/// A cart in `region` with one demo item and a Swedish shipping address.
fn swedish_cart(app: &common::TestApp, region: &str) -> String {
    let variant = app.variant();
    let cart = id(&app.ok("/store/carts", &json!({"region_id": region}))["cart"]);
    let item = json!({"variant_id": variant, "quantity": 1});
    app.ok(&format!("/store/carts/{cart}/line-items"), &item);
    let address = common::checkout::address("se");
    let body = json!({"email": "ada@example.com", "shipping_address": address, "billing_address": address});
    app.ok(&format!("/store/carts/{cart}"), &body);
    cart
}

/// `GET /admin/fulfillment-providers/:id/options`: the manual provider's two options, as
/// Medusa's `@medusajs/fulfillment-manual` lists them; an unknown provider is 404.
#[test]
fn the_manual_providers_options_are_listed() {
    let app = common::TestApp::start();
    let auth = format!("Bearer {}", app.admin_token());
    let reply = app.admin_call(
        "GET",
        "/admin/fulfillment-providers/manual_manual/options",
        &auth,
        None,
    );
    assert_eq!(
        reply.json(),
        serde_json::json!({
            "fulfillment_options": [{"id": "manual-fulfillment"}, {"id": "manual-fulfillment-return", "is_return": true}],
            "count": 2, "limit": 2, "offset": 0,
        })
    );
    let unknown = app.admin_call(
        "GET",
        "/admin/fulfillment-providers/fp_nowhere/options",
        &auth,
        None,
    );
    assert_eq!(unknown.status, 404);
}

//! `/admin/promotions` and `/admin/campaigns` through the Admin API (issue 14): creation with
//! application method and rules, Medusa's validation messages, list filters, update, delete,
//! campaigns with usage and spend budgets, and the events in the outbox.

use crate::common;

use common::orders::Admin;
use serde_json::{Value, json};

fn ten_percent(code: &str) -> Value {
    json!({
        "code": code, "type": "standard", "status": "active",
        "application_method": {"type": "percentage", "target_type": "order", "value": 10},
        "rules": [{"attribute": "currency_code", "operator": "in", "values": ["usd"]}],
    })
}

#[track_caller]
fn refused(a: &Admin, path: &str, body: Value, status: u16, message: &str) {
    let reply = a.call("POST", path, Some(&body));
    assert_eq!(reply.status, status, "{}", reply.text());
    assert_eq!(reply.json()["message"], message, "{}", reply.text());
}

fn outbox(a: &Admin, name: &str) -> i64 {
    let sql = format!("SELECT COUNT(*) FROM event_outbox WHERE name = '{name}'");
    a.app
        .engine()
        .store()
        .read(move |c| Ok(c.query_row(&sql, [], |r| r.get(0))?))
        .unwrap()
}

#[test]
fn a_promotion_is_created_with_its_method_and_rules() {
    let a = Admin::start();
    let body = json!({
        "code": "SHIRTS5", "type": "standard", "is_tax_inclusive": false,
        "application_method": {"type": "fixed", "target_type": "items", "allocation": "each",
            "max_quantity": 2, "value": 5.5, "currency_code": "usd",
            "target_rules": [{"attribute": "items.product.id", "operator": "eq", "values": "prod_1"}]},
        "rules": [{"attribute": "region.id", "operator": "in", "values": ["reg_1", "reg_2"]}],
    });
    let p = a.post("/admin/promotions", &body)["promotion"].clone();
    assert!(p["id"].as_str().unwrap().starts_with("promo_"));
    assert_eq!(
        (
            &p["code"],
            &p["status"],
            &p["is_automatic"],
            &p["used"],
            &p["limit"]
        ),
        (
            &json!("SHIRTS5"),
            &json!("draft"),
            &json!(false),
            &json!(0),
            &Value::Null
        )
    );
    let m = &p["application_method"];
    assert!(m["id"].as_str().unwrap().starts_with("proappmet_"));
    assert_eq!((&m["value"], &m["max_quantity"]), (&json!(5.5), &json!(2)));
    let target = &m["target_rules"][0];
    assert!(target["id"].as_str().unwrap().starts_with("prorul_"));
    assert_eq!(target["values"][0]["value"], "prod_1");
    let values: Vec<&Value> = p["rules"][0]["values"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| &v["value"])
        .collect();
    assert_eq!(values, [&json!("reg_1"), &json!("reg_2")]);
    // An order promotion is always spread across the items.
    let order = a.post("/admin/promotions", &ten_percent("TEN"))["promotion"].clone();
    assert_eq!(order["application_method"]["allocation"], "across");
    let again = a.get(&format!("/admin/promotions/{}", p["id"].as_str().unwrap()));
    assert_eq!(again["promotion"], p);
    assert_eq!(outbox(&a, "promotion.created"), 2);
}

#[test]
fn invalid_promotions_are_refused_with_medusas_messages() {
    let a = Admin::start();
    let method = |extra: Value| {
        let mut m =
            json!({"type": "fixed", "target_type": "items", "value": 5, "currency_code": "usd"});
        for (k, v) in extra.as_object().unwrap() {
            m[k] = v.clone();
        }
        json!({"code": "X", "type": "standard", "application_method": m})
    };
    let p = "/admin/promotions";
    refused(
        &a,
        p,
        method(json!({"allocation": "each"})),
        400,
        "application_method.max_quantity is required when application_method.allocation is 'each'",
    );
    refused(
        &a,
        p,
        method(json!({"allocation": "across", "max_quantity": 1})),
        400,
        "application_method.max_quantity is not allowed to be set for allocation (across)",
    );
    refused(
        &a,
        p,
        method(json!({})),
        400,
        "application_method.allocation should be either 'across OR each' when application_method.target_type is either 'shipping_methods OR items'",
    );
    refused(
        &a,
        p,
        method(json!({"type": "percentage", "value": 120, "allocation": "across"})),
        400,
        "Application Method value should be a percentage number between 0 and 100",
    );
    refused(
        &a,
        p,
        method(json!({"target_type": "everything"})),
        400,
        "Invalid request: Expected: 'order, shipping_methods, items' for field 'application_method, target_type', but got: 'everything'",
    );
    let mut automatic = ten_percent("AUTO");
    automatic["is_automatic"] = json!(true);
    automatic["limit"] = json!(5);
    refused(
        &a,
        p,
        automatic,
        400,
        "Invalid request: Automatic promotions cannot have a usage limit",
    );
    let mut buyget = ten_percent("B");
    buyget["type"] = json!("buyget");
    refused(
        &a,
        p,
        buyget,
        400,
        "Invalid request: Buyget promotions require at least one buy rule and quantities to be defined",
    );
    let mut bad_rule = ten_percent("R");
    bad_rule["rules"][0]["operator"] = json!("like");
    refused(
        &a,
        p,
        bad_rule,
        400,
        "Invalid request: Expected: 'gte, lte, gt, lt, eq, ne, in' for field 'rules, 0, operator', but got: 'like'",
    );
    refused(
        &a,
        p,
        json!({"type": "standard"}),
        400,
        "Invalid request: Field 'code' is required; Field 'application_method' is required",
    );
    a.post(p, &ten_percent("TEN"));
    refused(
        &a,
        p,
        ten_percent("TEN"),
        422,
        "Promotion with code: TEN, already exists.",
    );
}

#[test]
fn promotions_are_listed_filtered_updated_and_deleted() {
    let a = Admin::start();
    let ids: Vec<String> = ["SUMMER10", "SUMMER20", "WINTER"]
        .iter()
        .map(|c| {
            a.post("/admin/promotions", &ten_percent(c))["promotion"]["id"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    // The demo holds three promotions of its own (WELCOME10, FREESHIP, BUY2GET1).
    let page = a.get("/admin/promotions?limit=2&offset=0");
    assert_eq!(
        (&page["count"], &page["limit"], &page["offset"]),
        (&json!(6), &json!(2), &json!(0))
    );
    assert_eq!(page["promotions"][0]["code"], "WINTER");
    assert_eq!(a.get("/admin/promotions?q=SUMMER")["count"], 2);
    assert_eq!(
        a.get("/admin/promotions?code=WINTER")["promotions"][0]["id"],
        ids[2].as_str()
    );
    let by_ids = a.get(&format!(
        "/admin/promotions?id[]={}&id[]={}",
        ids[0], ids[1]
    ));
    assert_eq!(by_ids["count"], 2);
    let path = format!("/admin/promotions/{}", ids[0]);
    let updated = a.post(
        &path,
        &json!({"status": "inactive", "limit": 3,
        "application_method": {"value": 15}}),
    )["promotion"]
        .clone();
    assert_eq!(
        (&updated["status"], &updated["limit"]),
        (&json!("inactive"), &json!(3))
    );
    assert_eq!(updated["application_method"]["value"], 15);
    refused(
        &a,
        &path,
        json!({"is_automatic": true}),
        400,
        "Invalid request: Automatic promotions cannot have a usage limit",
    );
    refused(
        &a,
        &path,
        json!({"application_method": {"value": 101}}),
        400,
        "Application Method value should be a percentage number between 0 and 100",
    );
    let gone = a.call("DELETE", &path, None);
    assert_eq!(
        gone.json(),
        json!({"id": ids[0], "object": "promotion", "deleted": true})
    );
    let missing = a.call("GET", &path, None);
    assert_eq!(
        (missing.status, missing.json()["message"].clone()),
        (
            404,
            json!(format!("Promotion with id: {} was not found", ids[0]))
        )
    );
    assert_eq!(a.get("/admin/promotions")["count"], 5);
    assert_eq!(
        (
            outbox(&a, "promotion.updated"),
            outbox(&a, "promotion.deleted")
        ),
        (1, 1)
    );
}

#[test]
fn campaigns_carry_usage_and_spend_budgets() {
    let a = Admin::start();
    let c = "/admin/campaigns";
    let spend = a.post(
        c,
        &json!({"name": "Summer", "campaign_identifier": "summer-26",
        "starts_at": "2026-06-01T00:00:00.000Z",
        "budget": {"type": "spend", "limit": 1000.5, "currency_code": "usd"}}),
    )["campaign"]
        .clone();
    assert!(spend["id"].as_str().unwrap().starts_with("procamp_"));
    let budget = &spend["budget"];
    assert!(budget["id"].as_str().unwrap().starts_with("probudg_"));
    assert_eq!(
        (&budget["type"], &budget["limit"], &budget["used"]),
        (&json!("spend"), &json!(1000.5), &json!(0))
    );
    refused(
        &a,
        c,
        json!({"name": "x", "campaign_identifier": "x", "budget": {"type": "spend", "limit": 5}}),
        400,
        "Invalid request: currency_code is required when budget type is spend",
    );
    refused(
        &a,
        c,
        json!({"name": "x", "campaign_identifier": "x", "budget": {"type": "usage", "limit": 5, "currency_code": "usd"}}),
        400,
        "Invalid request: currency_code should not be present when budget type is usage",
    );
    refused(
        &a,
        c,
        json!({"name": "again", "campaign_identifier": "summer-26"}),
        422,
        "Campaign with campaign_identifier: summer-26, already exists.",
    );
    let usage = a.post(
        c,
        &json!({"name": "Launch", "campaign_identifier": "launch",
        "budget": {"type": "usage", "limit": 100}}),
    )["campaign"]
        .clone();
    let id = usage["id"].as_str().unwrap();
    let promo = a.post("/admin/promotions", &ten_percent("LAUNCH"))["promotion"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    a.post(&format!("{c}/{id}/promotions"), &json!({"add": [promo]}));
    let attached = a.get(&format!("/admin/promotions/{promo}"))["promotion"].clone();
    assert_eq!(
        (
            &attached["campaign_id"],
            &attached["campaign"]["budget"]["limit"]
        ),
        (&json!(id), &json!(100))
    );
    let updated = a.post(
        &format!("{c}/{id}"),
        &json!({"name": "Launch 2", "budget": {"limit": 50}}),
    )["campaign"]
        .clone();
    assert_eq!(
        (&updated["name"], &updated["budget"]["limit"]),
        (&json!("Launch 2"), &json!(50))
    );
    assert_eq!(a.get(c)["count"], 2);
    assert_eq!(a.get(&format!("{c}?q=laun"))["campaigns"][0]["id"], id);
    // A campaign created inline with its promotion.
    let mut inline = ten_percent("INLINE");
    inline["campaign"] = json!({"name": "Inline", "campaign_identifier": "inline"});
    let made = a.post("/admin/promotions", &inline)["promotion"].clone();
    assert_eq!(made["campaign"]["campaign_identifier"], "inline");
    a.post(&format!("{c}/{id}/promotions"), &json!({"remove": [promo]}));
    assert_eq!(
        a.get(&format!("/admin/promotions/{promo}"))["promotion"]["campaign_id"],
        Value::Null
    );
    let gone = a.call("DELETE", &format!("{c}/{id}"), None);
    assert_eq!(gone.json()["deleted"], true);
    assert_eq!(a.call("GET", &format!("{c}/{id}"), None).status, 404);
    assert_eq!(
        (
            outbox(&a, "campaign.created"),
            outbox(&a, "campaign.deleted")
        ),
        (3, 1)
    );
}

#[test]
fn promotion_routes_are_documented_and_admin_only() {
    let a = Admin::start();
    let doc = a.app.get("/openapi.json").json();
    for path in [
        "/admin/promotions",
        "/admin/promotions/{id}",
        "/admin/campaigns",
        "/admin/campaigns/{id}/promotions",
        "/store/carts/{id}/promotions",
    ] {
        assert!(
            doc["paths"].get(path).is_some(),
            "{path} missing from /openapi.json"
        );
    }
    assert_eq!(a.app.get("/admin/promotions").status, 401);
}

#[test]
fn rules_are_created_updated_and_deleted_in_batches() {
    let a = Admin::start();
    let id = a.post("/admin/promotions", &ten_percent("TEN"))["promotion"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let existing = a.get(&format!("/admin/promotions/{id}"))["promotion"]["rules"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let path = format!("/admin/promotions/{id}/rules/batch");
    let done = a.post(
        &path,
        &json!({
            "create": [{"attribute": "region.id", "operator": "eq", "values": "reg_1"}],
            "update": [{"id": existing, "operator": "in", "values": ["usd", "eur"]}],
        }),
    );
    assert!(
        done["created"][0]["id"]
            .as_str()
            .unwrap()
            .starts_with("prorul_")
    );
    assert_eq!(done["created"][0]["values"][0]["value"], "reg_1");
    let values: Vec<&Value> = done["updated"][0]["values"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| &v["value"])
        .collect();
    assert_eq!(values, [&json!("usd"), &json!("eur")]);
    assert_eq!(
        done["deleted"],
        json!({"ids": [], "object": "promotion-rule", "deleted": true})
    );
    let gone = a.post(&path, &json!({"delete": [existing]}));
    assert_eq!(gone["deleted"]["ids"], json!([existing]));
    let rules = a.get(&format!("/admin/promotions/{id}"))["promotion"]["rules"].clone();
    assert_eq!(
        (rules.as_array().unwrap().len(), &rules[0]["attribute"]),
        (1, &json!("region.id"))
    );
    // Target rules live on the application method; a rule of another kind is not found.
    let targets = a.post(
        &format!("/admin/promotions/{id}/target-rules/batch"),
        &json!({
        "create": [{"attribute": "items.product.id", "operator": "in", "values": ["prod_1"]}]}),
    );
    let target = targets["created"][0]["id"].as_str().unwrap().to_string();
    let p = a.get(&format!("/admin/promotions/{id}"))["promotion"].clone();
    assert_eq!(
        p["application_method"]["target_rules"][0]["id"],
        target.as_str()
    );
    let reply = a.call("POST", &path, Some(&json!({"delete": [target]})));
    assert_eq!(
        (reply.status, reply.json()["message"].clone()),
        (
            404,
            json!(format!("Promotion rule with id: {target} was not found"))
        )
    );
}

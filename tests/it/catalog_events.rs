//! Admin catalog writes emit Medusa's events through the outbox (data `{id}`), seen by a
//! subscriber registered through the public builder; a rejected write emits nothing.

use crate::common;

use common::{TestApp, config};
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};
use stockroom::Engine;

type Seen = Arc<Mutex<Vec<(String, Value)>>>;

const NAMES: &[&str] = &[
    "product.created",
    "product.updated",
    "product.deleted",
    "product-variant.created",
    "product-variant.updated",
    "product-variant.deleted",
    "product-option.created",
    "product-option.updated",
    "product-option.deleted",
    "region.created",
    "region.updated",
    "region.deleted",
    "product-category.created",
    "product-category.updated",
    "product-category.deleted",
    "product-collection.created",
    "product-collection.updated",
    "product-collection.deleted",
    "product-tag.created",
    "product-type.updated",
    "sales-channel.created",
    "sales-channel.updated",
    "sales-channel.deleted",
];

fn app_recording() -> (TestApp, Seen, String) {
    let seen = Seen::default();
    let mut builder = Engine::builder();
    for name in NAMES {
        let seen = seen.clone();
        builder = builder.on(&format!("test.{name}"), name, move |_, event| {
            if let Ok(mut seen) = seen.lock() {
                seen.push((event.name.clone(), event.data.clone()));
            }
            Ok(())
        });
    }
    let app = TestApp::with(config(), builder);
    let auth = format!("Bearer {}", app.admin_token());
    (app, seen, auth)
}

fn drain(app: &TestApp, seen: &Seen) -> Vec<(String, Value)> {
    app.engine().wait_idle().expect("dispatcher idle");
    seen.lock()
        .map(|mut s| s.drain(..).collect())
        .unwrap_or_default()
}

#[track_caller]
fn call(app: &TestApp, auth: &str, method: &str, path: &str, body: Option<Value>) -> Value {
    let reply = app.admin_call(method, path, auth, body.as_ref());
    assert_eq!(reply.status, 200, "{method} {path}: {}", reply.text());
    reply.json()
}

fn id(value: &Value) -> String {
    value.as_str().unwrap_or_default().to_string()
}

fn ev(name: &str, id: &str) -> (String, Value) {
    (name.to_string(), json!({ "id": id }))
}

#[test]
fn product_variant_and_option_writes_emit_their_events() {
    let (app, seen, auth) = app_recording();
    let body = json!({
        "title": "Evented", "options": [{"title": "Size", "values": ["S", "M"]}],
        "variants": [{"title": "S", "options": {"Size": "S"},
                      "prices": [{"currency_code": "usd", "amount": 5}]}]
    });
    let product = call(&app, &auth, "POST", "/admin/products", Some(body))["product"].clone();
    let p = id(&product["id"]);
    let v = id(&product["variants"][0]["id"]);
    assert_eq!(drain(&app, &seen), [ev("product.created", &p)]);
    call(
        &app,
        &auth,
        "POST",
        &format!("/admin/products/{p}"),
        Some(json!({"title": "Evented 2"})),
    );
    let vpath = format!("/admin/products/{p}/variants/{v}");
    call(&app, &auth, "POST", &vpath, Some(json!({"title": "Small"})));
    let added = call(
        &app,
        &auth,
        "POST",
        &format!("/admin/products/{p}/variants"),
        Some(json!({"title": "M", "options": {"Size": "M"}, "prices": []})),
    );
    let v2 = added["product"]["variants"]
        .as_array()
        .and_then(|vs| vs.iter().find(|x| x["title"] == "M"))
        .map(|x| id(&x["id"]))
        .unwrap_or_default();
    call(&app, &auth, "DELETE", &vpath, None);
    assert_eq!(
        drain(&app, &seen),
        [
            ev("product.updated", &p),
            ev("product-variant.updated", &v),
            ev("product-variant.created", &v2),
            ev("product-variant.deleted", &v),
        ]
    );
    let with_option = call(
        &app,
        &auth,
        "POST",
        &format!("/admin/products/{p}/options"),
        Some(json!({"title": "Color", "values": ["Red"]})),
    );
    let o = with_option["product"]["options"]
        .as_array()
        .and_then(|os| os.iter().find(|x| x["title"] == "Color"))
        .map(|x| id(&x["id"]))
        .unwrap_or_default();
    let opath = format!("/admin/products/{p}/options/{o}");
    call(
        &app,
        &auth,
        "POST",
        &opath,
        Some(json!({"values": ["Blue"]})),
    );
    call(&app, &auth, "DELETE", &opath, None);
    call(&app, &auth, "DELETE", &format!("/admin/products/{p}"), None);
    assert_eq!(
        drain(&app, &seen),
        [
            ev("product-option.created", &o),
            ev("product-option.updated", &o),
            ev("product-option.deleted", &o),
            ev("product.deleted", &p),
        ]
    );
    let rejected = app.admin_call(
        "POST",
        &format!("/admin/products/{p}"),
        &auth,
        Some(&json!({"title": "gone"})),
    );
    assert_eq!(rejected.status, 404);
    assert!(
        drain(&app, &seen).is_empty(),
        "a rejected write emits nothing"
    );
}

#[test]
fn region_taxonomy_and_channel_writes_emit_their_events() {
    let (app, seen, auth) = app_recording();
    let region = call(
        &app,
        &auth,
        "POST",
        "/admin/regions",
        Some(json!({"name": "Nordics", "currency_code": "sek", "countries": ["se"]})),
    );
    let r = id(&region["region"]["id"]);
    let rpath = format!("/admin/regions/{r}");
    call(&app, &auth, "POST", &rpath, Some(json!({"name": "North"})));
    call(&app, &auth, "DELETE", &rpath, None);
    assert_eq!(
        drain(&app, &seen),
        [
            ev("region.created", &r),
            ev("region.updated", &r),
            ev("region.deleted", &r),
        ]
    );
    let families = [
        (
            "product-categories",
            "product_category",
            "product-category",
            json!({"name": "C"}),
        ),
        (
            "collections",
            "collection",
            "product-collection",
            json!({"title": "C"}),
        ),
    ];
    for (family, key, event, body) in families {
        let made = call(&app, &auth, "POST", &format!("/admin/{family}"), Some(body));
        let c = id(&made[key]["id"]);
        let path = format!("/admin/{family}/{c}");
        call(
            &app,
            &auth,
            "POST",
            &path,
            Some(json!({"metadata": {"x": 1}})),
        );
        call(&app, &auth, "DELETE", &path, None);
        assert_eq!(
            drain(&app, &seen),
            [
                ev(&format!("{event}.created"), &c),
                ev(&format!("{event}.updated"), &c),
                ev(&format!("{event}.deleted"), &c),
            ]
        );
    }
    let tag = call(
        &app,
        &auth,
        "POST",
        "/admin/product-tags",
        Some(json!({"value": "t"})),
    );
    let ty = call(
        &app,
        &auth,
        "POST",
        "/admin/product-types",
        Some(json!({"value": "t"})),
    );
    let ty_id = id(&ty["product_type"]["id"]);
    call(
        &app,
        &auth,
        "POST",
        &format!("/admin/product-types/{ty_id}"),
        Some(json!({"value": "u"})),
    );
    let channel = call(
        &app,
        &auth,
        "POST",
        "/admin/sales-channels",
        Some(json!({"name": "Kiosk"})),
    );
    let sc = id(&channel["sales_channel"]["id"]);
    let scpath = format!("/admin/sales-channels/{sc}");
    call(
        &app,
        &auth,
        "POST",
        &scpath,
        Some(json!({"name": "Kiosk 2"})),
    );
    call(&app, &auth, "DELETE", &scpath, None);
    assert_eq!(
        drain(&app, &seen),
        [
            ev("product-tag.created", &id(&tag["product_tag"]["id"])),
            ev("product-type.updated", &ty_id),
            ev("sales-channel.created", &sc),
            ev("sales-channel.updated", &sc),
            ev("sales-channel.deleted", &sc),
        ]
    );
}

//! The admin UI's settings editing (store name, regions, sales channels, invites) and
//! promotions (create with rules, a promotion's page with its widget zones, campaigns): each
//! form runs what the Admin API runs, so the result is read back through the APIs.

use crate::admin_ui_support;
use crate::common;

use admin_ui_support::{Browser, hidden};
use common::{TestApp, config};
use serde_json::Value;
use stockroom::Engine;
use stockroom::maud::html;

fn admin_get(app: &TestApp, path: &str) -> Value {
    let auth = format!("Bearer {}", app.admin_token());
    let reply = app.admin_call("GET", path, &auth, None);
    assert_eq!(reply.status, 200, "{path}: {}", reply.text());
    reply.json()
}

#[track_caller]
fn redirected(reply: &common::client::Reply, to: &str) {
    assert_eq!(reply.status, 303, "{}", reply.text());
    assert_eq!(reply.header("location"), Some(to));
}

#[test]
fn the_store_regions_and_sales_channels_are_edited_in_settings() {
    let app = TestApp::start();
    let mut browser = Browser::new(&app);
    browser.sign_in();
    let page = browser.get("/app/settings").text();
    let store_id = hidden(&page, "store_id").expect("the store form");
    redirected(
        &browser.submit(
            "/app/settings/store",
            &[("store_id", &store_id), ("name", "Harbour Goods")],
        ),
        "/app/settings?done=saved",
    );
    assert_eq!(
        admin_get(&app, &format!("/admin/stores/{store_id}"))["store"]["name"],
        "Harbour Goods"
    );
    let blank = browser.submit(
        "/app/settings/store",
        &[("store_id", &store_id), ("name", "")],
    );
    assert_eq!(blank.status, 400);
    assert!(
        blank.text().contains("Store name is required"),
        "{}",
        blank.text()
    );

    redirected(
        &browser.submit(
            "/app/settings/regions",
            &[
                ("name", "Nordics"),
                ("currency_code", "SEK"),
                ("countries", "se, NO"),
            ],
        ),
        "/app/settings?done=created",
    );
    let regions = app.store_get("/store/regions").json();
    let nordics = regions["regions"]
        .as_array()
        .expect("regions")
        .iter()
        .find(|r| r["name"] == "Nordics")
        .cloned()
        .expect("the new region, through the Store API");
    assert_eq!(nordics["currency_code"], "sek");
    let id = nordics["id"].as_str().expect("id").to_string();
    redirected(
        &browser.submit(
            &format!("/app/settings/regions/{id}"),
            &[("name", "Scandinavia")],
        ),
        "/app/settings?done=saved",
    );
    assert_eq!(
        admin_get(&app, &format!("/admin/regions/{id}"))["region"]["name"],
        "Scandinavia"
    );
    // A country another region already has is refused, and nothing is created.
    let taken = browser.submit(
        "/app/settings/regions",
        &[
            ("name", "Again"),
            ("currency_code", "sek"),
            ("countries", "se"),
        ],
    );
    assert!(
        taken.status >= 400 && taken.status < 500,
        "{}",
        taken.status
    );
    let regions = admin_get(&app, "/admin/regions?limit=100");
    assert!(!regions.to_string().contains("\"Again\""));

    redirected(
        &browser.submit(
            "/app/settings/sales-channels",
            &[("name", "Pop-up"), ("description", "Summer market")],
        ),
        "/app/settings?done=created",
    );
    let channels = admin_get(&app, "/admin/sales-channels?limit=100");
    let channel = channels["sales_channels"]
        .as_array()
        .expect("channels")
        .iter()
        .find(|c| c["name"] == "Pop-up")
        .cloned()
        .expect("the new channel");
    let id = channel["id"].as_str().expect("id").to_string();
    assert_eq!(channel["is_disabled"], false);
    redirected(
        &browser.submit(
            &format!("/app/settings/sales-channels/{id}"),
            &[("is_disabled", "true")],
        ),
        "/app/settings?done=saved",
    );
    let doc = admin_get(&app, &format!("/admin/sales-channels/{id}"));
    assert_eq!(doc["sales_channel"]["is_disabled"], true);
    let page = browser.get("/app/settings").text();
    assert!(
        page.contains("Enable Pop-up"),
        "the switch offers the way back"
    );
    let nothing = browser.submit(&format!("/app/settings/sales-channels/{id}"), &[]);
    assert_eq!(nothing.status, 400);
}

#[test]
fn an_invite_token_is_shown_once_and_invites_can_be_deleted() {
    let app = TestApp::start();
    let mut browser = Browser::new(&app);
    browser.sign_in();
    let made = browser.submit(
        "/app/settings/invites",
        &[("email", "new.staff@example.com")],
    );
    assert_eq!(made.status, 201, "{}", made.text());
    let text = made.text();
    let token = text
        .split("shown only once.<br><code>")
        .nth(1)
        .and_then(|rest| rest.split("</code>").next())
        .expect("the token on the answer")
        .to_string();
    assert_eq!(token.len(), 64, "{token}");
    let again = browser.get("/app/settings").text();
    assert!(again.contains("new.staff@example.com"));
    assert!(!again.contains(&token), "shown once only");
    // The token is a real invite: it registers the user through the API.
    let invites = admin_get(&app, "/admin/invites");
    let invite = invites["invites"]
        .as_array()
        .expect("invites")
        .iter()
        .find(|i| i["email"] == "new.staff@example.com")
        .cloned()
        .expect("the invite, through the Admin API");
    let duplicate = browser.submit(
        "/app/settings/invites",
        &[("email", "new.staff@example.com")],
    );
    assert_eq!(duplicate.status, 422, "{}", duplicate.text());
    assert_eq!(
        browser
            .submit("/app/settings/invites", &[("email", "not-an-email")])
            .status,
        400
    );
    let id = invite["id"].as_str().expect("id");
    redirected(
        &browser.submit(&format!("/app/settings/invites/{id}/delete"), &[]),
        "/app/settings?done=deleted",
    );
    let invites = admin_get(&app, "/admin/invites");
    assert!(!invites.to_string().contains("new.staff@example.com"));
    // Without the CSRF token nothing runs.
    let forged = browser.post("/app/settings/invites", &[("email", "forged@example.com")]);
    assert_eq!(forged.status, 403);
    assert!(
        !admin_get(&app, "/admin/invites")
            .to_string()
            .contains("forged@")
    );
}

#[test]
fn a_promotion_with_rules_is_created_and_shown_with_its_widget_zones() {
    let mut builder = Engine::builder();
    for zone in [
        "promotion.details.before",
        "promotion.details.side.before",
        "promotion.details.side.after",
        "promotion.details.after",
    ] {
        builder = builder.widget(zone, move |cx| {
            Ok(html! { p { "widget " (zone) " for " (cx.entity_id) } })
        });
    }
    let app = TestApp::with(config(), builder);
    let mut browser = Browser::new(&app);
    browser.sign_in();

    redirected(
        &browser.submit(
            "/app/campaigns",
            &[
                ("name", "Summer"),
                ("campaign_identifier", "summer-26"),
                ("budget_type", "usage"),
                ("budget_limit", "100"),
            ],
        ),
        "/app/campaigns?done=created",
    );
    let campaigns = browser.get("/app/campaigns").text();
    assert!(
        campaigns.contains("summer-26") && campaigns.contains("0 of 100 uses"),
        "{campaigns}"
    );
    let form = browser.get("/app/promotions/new").text();
    let campaign = form
        .split("<option value=\"")
        .find(|o| o.contains(">Summer</option>"))
        .and_then(|o| o.split('"').next())
        .expect("the campaign offered")
        .to_string();

    let bad = browser.submit("/app/promotions", &[("code", "NOPE"), ("value", "ten")]);
    assert_eq!(bad.status, 400);
    assert!(bad.text().contains("Value must be a number"));
    // The Admin API's own refinements apply: an automatic promotion has no usage limit.
    let automatic_with_limit = browser.submit(
        "/app/promotions",
        &[
            ("code", "NOPE"),
            ("value", "5"),
            ("is_automatic", "true"),
            ("limit", "3"),
        ],
    );
    assert_eq!(automatic_with_limit.status, 400);
    assert!(
        automatic_with_limit
            .text()
            .contains("Automatic promotions cannot have a usage limit"),
        "{}",
        automatic_with_limit.text()
    );
    assert!(
        admin_get(&app, "/admin/promotions?code=NOPE")["promotions"]
            .as_array()
            .is_some_and(Vec::is_empty)
    );

    let made = browser.submit(
        "/app/promotions",
        &[
            ("code", "SUMMER10"),
            ("status", "active"),
            ("method_type", "percentage"),
            ("value", "10"),
            ("target_type", "order"),
            ("allocation", "across"),
            ("rule_attribute_1", "customer.groups.id"),
            ("rule_operator_1", "in"),
            ("rule_values_1", "cusgroup_a, cusgroup_b"),
            ("campaign_id", &campaign),
        ],
    );
    assert_eq!(made.status, 303, "{}", made.text());
    let location = made
        .header("location")
        .expect("to the promotion")
        .to_string();
    let id = location
        .trim_start_matches("/app/promotions/")
        .trim_end_matches("?done=created")
        .to_string();
    let doc = admin_get(&app, &format!("/admin/promotions/{id}"))["promotion"].clone();
    assert_eq!(doc["code"], "SUMMER10");
    assert_eq!(doc["status"], "active");
    assert_eq!(doc["campaign_id"], campaign.as_str());
    assert_eq!(doc["rules"][0]["attribute"], "customer.groups.id");
    assert_eq!(doc["rules"][0]["operator"], "in");
    let values: Vec<&str> = doc["rules"][0]["values"]
        .as_array()
        .expect("values")
        .iter()
        .filter_map(|v| v["value"].as_str())
        .collect();
    assert_eq!(values, ["cusgroup_a", "cusgroup_b"]);

    let page = browser.get(&location).text();
    assert!(page.contains("Created."), "notice");
    for needle in [
        "customer.groups.id",
        "cusgroup_a, cusgroup_b",
        "Summer",
        "0 of 100 uses",
        "10% off order",
    ] {
        assert!(page.contains(needle), "{needle}: {page}");
    }
    let at = |zone: &str| {
        page.find(&format!("widget {zone} for {id}"))
            .unwrap_or_else(|| panic!("{zone} rendered"))
    };
    let (before, side_before, side_after, after) = (
        at("promotion.details.before"),
        at("promotion.details.side.before"),
        at("promotion.details.side.after"),
        at("promotion.details.after"),
    );
    assert!(before < side_before && side_before < side_after && side_after < after);
    let details = page.find("id=\"details-h\"").expect("details");
    assert!(before < details && details < after);
    let list = browser.get("/app/promotions?q=SUMMER").text();
    assert!(list.contains(&format!("href=\"/app/promotions/{id}\"")));
    assert_eq!(browser.get("/app/promotions/promo_missing").status, 404);
}

/// A multipart body: plain fields, then files `(field, filename, type, bytes)`.
fn multipart(
    boundary: &str,
    fields: &[(&str, &str)],
    files: &[(&str, &str, &str, &[u8])],
) -> Vec<u8> {
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    for (field, filename, content_type, bytes) in files {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"{filename}\"\r\nContent-Type: {content_type}\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    body
}

#[test]
fn product_images_are_uploaded_through_the_file_module_and_categories_are_set() {
    let app = TestApp::start();
    let mut browser = Browser::new(&app);
    browser.sign_in();
    let products = admin_get(&app, "/admin/products?limit=1&fields=id,title");
    let id = products["products"][0]["id"]
        .as_str()
        .expect("a product")
        .to_string();
    let images_before = admin_get(&app, &format!("/admin/products/{id}?fields=*images"))["product"]
        ["images"]
        .as_array()
        .map_or(0, Vec::len);
    let page = browser.get(&format!("/app/products/{id}")).text();
    assert!(
        page.contains("enctype=\"multipart/form-data\""),
        "an upload form"
    );
    let csrf = hidden(&page, "_csrf").expect("csrf");
    let boundary = "----ui-upload-1";
    let png: &[u8] = b"\x89PNG\r\n\x1a\nnot-really-but-bytes";
    let path = format!("/app/products/{id}/images");

    let forged = multipart(boundary, &[], &[("images", "a.png", "image/png", png)]);
    assert_eq!(browser.post_multipart(&path, boundary, &forged).status, 403);
    let text = multipart(
        boundary,
        &[("_csrf", &csrf)],
        &[("images", "notes.txt", "text/plain", b"hello")],
    );
    let refused = browser.post_multipart(&path, boundary, &text);
    assert_eq!(refused.status, 400);
    assert!(refused.text().contains("notes.txt is not an image"));

    let good = multipart(
        boundary,
        &[("_csrf", &csrf)],
        &[("images", "ui-upload-7f3.png", "image/png", png)],
    );
    let reply = browser.post_multipart(&path, boundary, &good);
    assert_eq!(reply.status, 303, "{}", reply.text());
    let images =
        admin_get(&app, &format!("/admin/products/{id}?fields=*images"))["product"]["images"]
            .as_array()
            .cloned()
            .expect("images");
    assert_eq!(images.len(), images_before + 1);
    let url = images
        .iter()
        .filter_map(|i| i["url"].as_str())
        .find(|u| u.ends_with("-ui-upload-7f3.png"))
        .expect("the uploaded image")
        .to_string();
    let served = app.get(&url[url.find("/static/").expect("a /static url")..]);
    assert_eq!(served.status, 200);
    assert_eq!(served.body, png, "the file module serves the bytes back");
    let page = browser.get(&format!("/app/products/{id}")).text();
    assert!(
        page.contains(&format!("src=\"{url}\"")),
        "shown on the page"
    );

    let categories = admin_get(&app, "/admin/product-categories?limit=2");
    let category = categories["product_categories"][0]["id"]
        .as_str()
        .expect("a demo category")
        .to_string();
    let path = format!("/app/products/{id}/categories");
    assert_eq!(
        browser.submit(&path, &[("category", &category)]).status,
        303
    );
    let chosen = |app: &TestApp| -> Vec<String> {
        admin_get(app, &format!("/admin/products/{id}?fields=*categories"))["product"]["categories"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|c| c["id"].as_str().map(str::to_string))
            .collect()
    };
    assert_eq!(chosen(&app), std::slice::from_ref(&category));
    assert_eq!(browser.submit(&path, &[]).status, 303);
    assert!(chosen(&app).is_empty());
    let unknown = browser.submit(&path, &[("category", "pcat_missing")]);
    assert!(
        unknown.status >= 400 && unknown.status < 500,
        "{}",
        unknown.status
    );
}

#[test]
fn settings_list_the_tax_regions_and_the_locations_with_their_shipping_options() {
    let app = TestApp::start();
    let mut browser = Browser::new(&app);
    browser.sign_in();
    let page = browser.get("/app/settings").text();
    let section = |id: &str| {
        page.split(&format!("id=\"{id}\""))
            .nth(1)
            .and_then(|rest| rest.split("</section>").next())
            .unwrap_or_else(|| panic!("the {id} section"))
            .to_string()
    };
    let taxes = section("tax-h");
    let regions = admin_get(&app, "/admin/tax-regions")["tax_regions"].clone();
    assert!(!regions.as_array().unwrap().is_empty());
    for r in regions.as_array().unwrap() {
        let country = r["country_code"].as_str().unwrap().to_uppercase();
        assert!(
            taxes.contains(&format!(">{country}</a>")),
            "{country}: {taxes}"
        );
    }
    let locations = section("loc-h");
    let options = admin_get(&app, "/admin/shipping-options")["shipping_options"].clone();
    for o in options.as_array().unwrap() {
        let name = o["name"].as_str().unwrap();
        assert!(locations.contains(name), "{name}: {locations}");
    }
    let location = admin_get(&app, "/admin/stock-locations")["stock_locations"][0]["name"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(locations.contains(&location));
}

/// Every visible control of `page` has a label, and no two labels (or ids) are the same.
#[track_caller]
fn labels_are_unique(page: &str) {
    let mut ids = Vec::new();
    for tag in page.split('<').skip(1) {
        let tag = tag.split('>').next().unwrap_or("");
        let control = ["input ", "select ", "textarea "]
            .iter()
            .any(|t| tag.starts_with(t));
        if !control || tag.contains("type=\"hidden\"") {
            continue;
        }
        let id = tag
            .split("id=\"")
            .nth(1)
            .and_then(|r| r.split('"').next())
            .unwrap_or_else(|| panic!("a control without an id: <{tag}>"));
        assert!(
            page.contains(&format!("<label for=\"{id}\"")),
            "no label for {id}"
        );
        assert!(!ids.contains(&id.to_string()), "two controls {id}");
        ids.push(id.to_string());
    }
    let mut labels: Vec<String> = page
        .split("<label for=\"")
        .skip(1)
        .filter_map(|r| r.split("</label>").next())
        .map(|r| r.split_once('>').map_or("", |(_, text)| text).to_string())
        .collect();
    let all = labels.len();
    labels.sort();
    labels.dedup();
    assert_eq!(labels.len(), all, "labels repeat on the page");
}

fn tax_region(app: &TestApp, country: &str, province: Option<&str>) -> Option<Value> {
    admin_get(app, "/admin/tax-regions?limit=100")["tax_regions"]
        .as_array()
        .expect("tax regions")
        .iter()
        .find(|r| r["country_code"] == country && r["province_code"].as_str() == province)
        .cloned()
}

#[test]
fn tax_regions_their_rates_and_rules_are_edited_in_settings() {
    let app = TestApp::start();
    let mut browser = Browser::new(&app);
    browser.sign_in();
    labels_are_unique(&browser.get("/app/settings").text());
    assert!(tax_region(&app, "jp", None).is_none(), "the demo has no JP");
    let new_region = |rate: &str| {
        vec![
            ("_form", "new-tax-region".to_string()),
            ("country_code", "JP".to_string()),
            ("provider_id", "tp_system".to_string()),
            ("default_name", "Consumption tax".to_string()),
            ("default_code", "JCT".to_string()),
            ("default_rate", rate.to_string()),
        ]
    };
    let fields =
        |pairs: &[(&'static str, String)]| -> Vec<(&'static str, String)> { pairs.to_vec() };
    let send = |browser: &mut Browser, path: &str, pairs: Vec<(&str, String)>| {
        let borrowed: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
        browser.submit(path, &borrowed)
    };
    // A bad rate answers the form again with the message and what was typed; nothing is made.
    let bad = send(&mut browser, "/app/settings/tax-regions", new_region("ten"));
    assert_eq!(bad.status, 400);
    let text = bad.text();
    assert!(
        text.contains("Default rate (%) is not a percentage"),
        "{text}"
    );
    assert!(text.contains("value=\"Consumption tax\"") && text.contains("value=\"ten\""));
    assert!(tax_region(&app, "jp", None).is_none());
    let mut unknown = fields(&new_region("10"));
    unknown[2].1 = "tp_nowhere".into();
    let refused = send(&mut browser, "/app/settings/tax-regions", unknown);
    assert_eq!(refused.status, 400);
    assert!(
        refused
            .text()
            .contains("Tax provider tp_nowhere is not registered")
    );
    assert!(tax_region(&app, "jp", None).is_none());

    let made = send(&mut browser, "/app/settings/tax-regions", new_region("10"));
    assert_eq!(made.status, 303, "{}", made.text());
    let region = tax_region(&app, "jp", None).expect("JP, through the Admin API");
    let id = region["id"].as_str().expect("id").to_string();
    let page_path = format!("/app/settings/tax-regions/{id}");
    assert_eq!(
        made.header("location"),
        Some(format!("{page_path}?done=created").as_str())
    );
    assert_eq!(region["provider_id"], "tp_system");
    assert_eq!(region["tax_rates"][0]["code"], "JCT");
    assert_eq!(region["tax_rates"][0]["rate"], 10);
    assert_eq!(region["tax_rates"][0]["is_default"], true);
    // A province under it.
    let province = browser.submit(
        "/app/settings/tax-regions",
        &[("country_code", "jp"), ("province_code", "JP-13")],
    );
    assert_eq!(province.status, 303, "{}", province.text());
    let tokyo = tax_region(&app, "jp", Some("jp-13")).expect("the province");
    assert_eq!(tokyo["parent_id"], id.as_str());

    let page = browser.get(&page_path).text();
    labels_are_unique(&page);
    assert!(page.contains("JP-JP-13"), "the province is listed: {page}");
    // Add a rate, then edit the default one.
    redirected(
        &browser.submit(
            &format!("{page_path}/rates"),
            &[("name", "Reduced"), ("code", "RED"), ("rate", "8")],
        ),
        &format!("{page_path}?done=created"),
    );
    let rates = tax_region(&app, "jp", None).expect("jp")["tax_rates"].clone();
    assert_eq!(rates.as_array().map(Vec::len), Some(2));
    let rate_id = |code: &str| {
        rates
            .as_array()
            .expect("rates")
            .iter()
            .find(|r| r["code"] == code)
            .and_then(|r| r["id"].as_str())
            .expect("the rate")
            .to_string()
    };
    let (jct, reduced) = (rate_id("JCT"), rate_id("RED"));
    redirected(
        &browser.submit(
            &format!("/app/settings/tax-rates/{jct}"),
            &[
                ("name", "Consumption tax"),
                ("code", "JCT"),
                ("rate", "10.5"),
                ("is_default", "true"),
            ],
        ),
        &format!("{page_path}?done=saved"),
    );
    let doc = admin_get(&app, &format!("/admin/tax-rates/{jct}"))["tax_rate"].clone();
    assert_eq!(doc["rate"], 10.5);
    assert_eq!(doc["is_default"], true);
    let blank = browser.submit(
        &format!("/app/settings/tax-rates/{jct}"),
        &[
            ("_form", &format!("rate-{jct}")),
            ("name", ""),
            ("code", "JCT"),
            ("rate", "12"),
        ],
    );
    assert_eq!(blank.status, 400);
    assert!(blank.text().contains("Rate name is required"));
    assert!(
        blank.text().contains("value=\"12\""),
        "the typed rate is kept"
    );
    assert_eq!(
        admin_get(&app, &format!("/admin/tax-rates/{jct}"))["tax_rate"]["rate"],
        10.5
    );
    // A rule on the reduced rate, then its removal.
    redirected(
        &browser.submit(
            &format!("/app/settings/tax-rates/{reduced}/rules"),
            &[
                ("reference", "product_type"),
                ("reference_id", "ptyp_books"),
            ],
        ),
        &format!("{page_path}?done=created"),
    );
    let rule =
        admin_get(&app, &format!("/admin/tax-rates/{reduced}"))["tax_rate"]["rules"][0].clone();
    assert_eq!(rule["reference"], "product_type");
    assert_eq!(rule["reference_id"], "ptyp_books");
    let odd = browser.submit(
        &format!("/app/settings/tax-rates/{reduced}/rules"),
        &[("reference", "customer"), ("reference_id", "cus_1")],
    );
    assert_eq!(odd.status, 400);
    let rule_id = rule["id"].as_str().expect("rule id");
    redirected(
        &browser.submit(
            &format!("/app/settings/tax-rates/{reduced}/rules/{rule_id}/delete"),
            &[],
        ),
        &format!("{page_path}?done=deleted"),
    );
    assert_eq!(
        admin_get(&app, &format!("/admin/tax-rates/{reduced}"))["tax_rate"]["rules"],
        serde_json::json!([])
    );
    redirected(
        &browser.submit(&format!("/app/settings/tax-rates/{reduced}/delete"), &[]),
        &format!("{page_path}?done=deleted"),
    );
    let rates = tax_region(&app, "jp", None).expect("jp")["tax_rates"].clone();
    assert_eq!(rates.as_array().map(Vec::len), Some(1));
    // The provider form, and deleting the region with its province.
    redirected(
        &browser.submit(&page_path, &[("provider_id", "tp_system")]),
        &format!("{page_path}?done=saved"),
    );
    assert_eq!(
        browser.post(&format!("{page_path}/delete"), &[]).status,
        403
    );
    redirected(
        &browser.submit(&format!("{page_path}/delete"), &[]),
        "/app/settings?done=deleted",
    );
    assert!(tax_region(&app, "jp", None).is_none());
    assert!(tax_region(&app, "jp", Some("jp-13")).is_none());
    assert_eq!(browser.get(&page_path).status, 404);
}

#[test]
fn a_publishable_key_made_and_linked_in_the_ui_serves_its_channel_on_the_store_api() {
    let app = TestApp::start();
    let mut browser = Browser::new(&app);
    browser.sign_in();
    redirected(
        &browser.submit("/app/settings/sales-channels", &[("name", "Kiosk")]),
        "/app/settings?done=created",
    );
    let channels = admin_get(&app, "/admin/sales-channels?limit=100");
    let kiosk = channels["sales_channels"]
        .as_array()
        .expect("channels")
        .iter()
        .find(|c| c["name"] == "Kiosk")
        .and_then(|c| c["id"].as_str())
        .expect("the new channel")
        .to_string();
    let auth = format!("Bearer {}", app.admin_token());
    let product = serde_json::json!({
        "title": "Kiosk Mug",
        "handle": "kiosk-mug",
        "status": "published",
        "options": [{"title": "Size", "values": ["One"]}],
        "sales_channels": [{"id": kiosk}],
        "variants": [{"title": "One", "sku": "KIOSK-MUG", "options": {"Size": "One"},
            "prices": [{"currency_code": "usd", "amount": 9}]}],
    });
    let made = app.admin_call("POST", "/admin/products", &auth, Some(&product));
    assert_eq!(made.status, 200, "{}", made.text());
    let mug = made.json()["product"]["id"]
        .as_str()
        .expect("id")
        .to_string();

    let blank = browser.submit("/app/settings/publishable-keys", &[("title", " ")]);
    assert_eq!(blank.status, 400);
    assert!(blank.text().contains("Publishable key title is required"));
    let created = browser.submit(
        "/app/settings/publishable-keys",
        &[("title", "Kiosk screen")],
    );
    assert_eq!(created.status, 303, "{}", created.text());
    let location = created.header("location").expect("to the key").to_string();
    let path = location.trim_end_matches("?done=created").to_string();
    let id = path
        .trim_start_matches("/app/settings/api-keys/")
        .to_string();
    let doc = admin_get(&app, &format!("/admin/api-keys/{id}"))["api_key"].clone();
    assert_eq!(doc["type"], "publishable");
    assert_eq!(doc["title"], "Kiosk screen");
    let token = doc["token"].as_str().expect("token").to_string();
    let page = browser.get(&location).text();
    labels_are_unique(&page);
    assert!(
        page.contains(&token),
        "a publishable token is shown on its page"
    );
    assert!(page.contains("No sales channels linked."));

    let missing = browser.submit(&format!("{path}/sales-channels"), &[("add", "sc_missing")]);
    assert_eq!(missing.status, 404, "{}", missing.text());
    redirected(
        &browser.submit(&format!("{path}/sales-channels"), &[("add", &kiosk)]),
        &format!("{path}?done=saved"),
    );
    let store = |token: &str| {
        app.request(
            "GET",
            "/store/products?limit=100&fields=id",
            &[("x-publishable-api-key", token)],
            None,
        )
    };
    let listed = store(&token);
    assert_eq!(listed.status, 200, "{}", listed.text());
    let ids: Vec<String> = listed.json()["products"]
        .as_array()
        .expect("products")
        .iter()
        .filter_map(|p| p["id"].as_str().map(str::to_string))
        .collect();
    assert_eq!(
        ids,
        std::slice::from_ref(&mug),
        "only the linked channel's products"
    );
    // The demo key still sees the demo catalogue, not the kiosk's mug.
    let demo = app.store_get("/store/products?limit=100&fields=id").text();
    assert!(!demo.contains(&mug));

    let page = browser.get(&path).text();
    assert!(page.contains("Unlink Kiosk"));
    redirected(
        &browser.submit(&format!("{path}/sales-channels"), &[("remove", &kiosk)]),
        &format!("{path}?done=saved"),
    );
    assert!(!store(&token).text().contains(&mug), "unlinked");
    redirected(
        &browser.submit(&format!("{path}/revoke"), &[]),
        &format!("{path}?done=revoked"),
    );
    let revoked = store(&token);
    assert!((400..500).contains(&revoked.status), "{}", revoked.status);
    redirected(
        &browser.submit(&format!("{path}/delete"), &[]),
        "/app/settings?done=deleted",
    );
    assert_eq!(browser.get(&path).status, 404);
}

#[test]
fn a_location_its_channels_zones_and_shipping_options_are_edited_in_settings() {
    let app = TestApp::start();
    let mut browser = Browser::new(&app);
    browser.sign_in();
    labels_are_unique(&browser.get("/app/settings").text());
    let new_location = |country: &str| {
        vec![
            ("_form", "new-location".to_string()),
            ("name", "Harbour depot".to_string()),
            ("address_1", "1 Quay Street".to_string()),
            ("city", "Hamburg".to_string()),
            ("postal_code", "20457".to_string()),
            ("country_code", country.to_string()),
        ]
    };
    let send = |browser: &mut Browser, path: &str, pairs: &[(&str, String)]| {
        let borrowed: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
        browser.submit(path, &borrowed)
    };
    let bad = send(
        &mut browser,
        "/app/settings/locations",
        &new_location("Germany"),
    );
    assert_eq!(bad.status, 400);
    assert!(
        bad.text()
            .contains("Country code must be a two-letter ISO code")
    );
    assert!(bad.text().contains("value=\"Harbour depot\""), "kept");
    assert!(
        !admin_get(&app, "/admin/stock-locations?limit=100")
            .to_string()
            .contains("Harbour")
    );

    let made = send(&mut browser, "/app/settings/locations", &new_location("DE"));
    assert_eq!(made.status, 303, "{}", made.text());
    let path = made
        .header("location")
        .expect("to the location")
        .trim_end_matches("?done=created")
        .to_string();
    let id = path
        .trim_start_matches("/app/settings/locations/")
        .to_string();
    let doc = |fields: &str| {
        admin_get(
            &app,
            &format!("/admin/stock-locations/{id}?fields={fields}"),
        )["stock_location"]
            .clone()
    };
    let location = doc("*address");
    assert_eq!(location["name"], "Harbour depot");
    assert_eq!(location["address"]["country_code"], "de");
    assert_eq!(location["address"]["city"], "Hamburg");
    redirected(
        &browser.submit(
            &path,
            &[
                ("name", "Quay depot"),
                ("address_1", "2 Quay Street"),
                ("country_code", "de"),
            ],
        ),
        &format!("{path}?done=saved"),
    );
    let location = doc("*address");
    assert_eq!(location["name"], "Quay depot");
    assert_eq!(location["address"]["address_1"], "2 Quay Street");

    // Sales channels.
    let channel = admin_get(&app, "/admin/sales-channels?limit=1")["sales_channels"][0]["id"]
        .as_str()
        .expect("a channel")
        .to_string();
    let linked = |app: &TestApp| {
        admin_get(
            app,
            &format!("/admin/stock-locations/{id}?fields=*sales_channels"),
        )["stock_location"]["sales_channels"]
            .to_string()
            .contains(&channel)
    };
    redirected(
        &browser.submit(&format!("{path}/sales-channels"), &[("add", &channel)]),
        &format!("{path}?done=saved"),
    );
    assert!(linked(&app));
    redirected(
        &browser.submit(&format!("{path}/sales-channels"), &[("remove", &channel)]),
        &format!("{path}?done=saved"),
    );
    assert!(!linked(&app));

    // Where it ships: a provider, a set, a zone.
    let page = browser.get(&path).text();
    assert!(page.contains("Enable a fulfillment provider and add a service zone first."));
    let provider =
        admin_get(&app, "/admin/fulfillment-providers")["fulfillment_providers"][0]["id"]
            .as_str()
            .expect("a provider")
            .to_string();
    redirected(
        &browser.submit(&format!("{path}/providers"), &[("provider_id", &provider)]),
        &format!("{path}?done=saved"),
    );
    redirected(
        &browser.submit(
            &format!("{path}/fulfillment-sets"),
            &[("name", "Quay shipping"), ("type", "shipping")],
        ),
        &format!("{path}?done=created"),
    );
    let set = doc("*fulfillment_sets")["fulfillment_sets"][0]["id"]
        .as_str()
        .expect("the set")
        .to_string();
    let wrong = browser.submit(
        &format!("{path}/zones"),
        &[
            ("fulfillment_set_id", &set),
            ("name", "Home"),
            ("countries", "de, Austria"),
        ],
    );
    assert_eq!(wrong.status, 400);
    assert!(
        wrong
            .text()
            .contains("'austria' is not a two-letter ISO code")
    );
    redirected(
        &browser.submit(
            &format!("{path}/zones"),
            &[
                ("fulfillment_set_id", &set),
                ("name", "Home"),
                ("countries", "de, AT"),
            ],
        ),
        &format!("{path}?done=created"),
    );
    let zone = doc("*fulfillment_sets")["fulfillment_sets"][0]["service_zones"][0].clone();
    assert_eq!(zone["name"], "Home");
    let countries: Vec<&str> = zone["geo_zones"]
        .as_array()
        .expect("geo zones")
        .iter()
        .filter_map(|g| g["country_code"].as_str())
        .collect();
    assert_eq!(countries.len(), 2);
    assert!(countries.contains(&"de") && countries.contains(&"at"));
    let zone = zone["id"].as_str().expect("zone id").to_string();

    // A shipping option: refused without a price (nothing lost), then made, edited, deleted.
    let page = browser.get(&path).text();
    labels_are_unique(&page);
    let amount_field = page
        .split("name=\"amount_")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .expect("an amount field per currency")
        .to_string();
    let profile = hidden(&page, "shipping_profile_id").unwrap_or_default();
    let profile = if profile.is_empty() {
        admin_get(&app, "/admin/shipping-profiles")["shipping_profiles"][0]["id"]
            .as_str()
            .expect("a profile")
            .to_string()
    } else {
        profile
    };
    let field = format!("amount_{amount_field}");
    let option_form = |name: &str, amount: &str| {
        vec![
            ("_form", "new-option".to_string()),
            ("name", name.to_string()),
            ("service_zone_id", zone.clone()),
            ("provider_id", provider.clone()),
            ("shipping_profile_id", profile.clone()),
            (field.as_str(), amount.to_string()),
        ]
    };
    let options = |app: &TestApp| {
        admin_get(
            app,
            &format!("/admin/shipping-options?stock_location_id={id}"),
        )["shipping_options"]
            .clone()
    };
    let refused = send(
        &mut browser,
        &format!("{path}/shipping-options"),
        &option_form("Quay standard", ""),
    );
    assert_eq!(refused.status, 400);
    assert!(refused.text().contains("New option needs a price"));
    assert!(refused.text().contains("value=\"Quay standard\""));
    assert_eq!(options(&app), serde_json::json!([]));
    redirected(
        &send(
            &mut browser,
            &format!("{path}/shipping-options"),
            &option_form("Quay standard", "4.99"),
        ),
        &format!("{path}?done=created"),
    );
    let made = options(&app)[0].clone();
    assert_eq!(made["name"], "Quay standard");
    assert_eq!(made["price_type"], "flat");
    assert_eq!(made["provider_id"], provider.as_str());
    assert_eq!(made["prices"][0]["currency_code"], amount_field.as_str());
    assert_eq!(made["prices"][0]["amount"], 4.99);
    let option = made["id"].as_str().expect("option id").to_string();
    let edit = format!("/app/settings/shipping-options/{option}");
    let bad = browser.submit(&edit, &[("name", "Quay express"), (&field, "abc")]);
    assert_eq!(bad.status, 400);
    assert!(
        bad.text().contains("must be an amount such as 4.99"),
        "{}",
        bad.text()
    );
    redirected(
        &browser.submit(&edit, &[("name", "Quay express"), (&field, "6.5")]),
        &format!("{path}?done=saved"),
    );
    let edited = options(&app)[0].clone();
    assert_eq!(edited["name"], "Quay express");
    assert_eq!(edited["prices"].as_array().map(Vec::len), Some(1));
    assert_eq!(edited["prices"][0]["amount"], 6.5);
    assert!(browser.get("/app/settings").text().contains("Quay express"));
    redirected(
        &browser.submit(&format!("{edit}/delete"), &[]),
        &format!("{path}?done=deleted"),
    );
    assert_eq!(options(&app), serde_json::json!([]));

    redirected(
        &browser.submit(&format!("{path}/delete"), &[]),
        "/app/settings?done=deleted",
    );
    let auth = format!("Bearer {}", app.admin_token());
    let gone = app.admin_call("GET", &format!("/admin/stock-locations/{id}"), &auth, None);
    assert_eq!(gone.status, 404);
}

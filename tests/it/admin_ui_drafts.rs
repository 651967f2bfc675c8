//! The admin UI's draft orders: custom lines (a title, a unit price, a quantity) and the
//! customer picker (a search posted back with everything typed, then a choice or a new
//! email), on the new draft form and on an open draft. Each form runs the Admin API's
//! workflows, so results are read back through `/admin/draft-orders`.

use crate::admin_ui_support;
use crate::common;

use admin_ui_support::Browser;
use common::orders::{Admin, id};
use serde_json::{Value, json};

fn signed_in(admin: &Admin) -> Browser<'_> {
    let mut browser = Browser::new(&admin.app);
    browser.sign_in();
    browser
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

/// A customer made through the Admin API; returns its id.
fn customer(admin: &Admin, email: &str, first: &str, last: &str) -> String {
    let body = json!({"email": email, "first_name": first, "last_name": last});
    id(&admin.post("/admin/customers", &body)["customer"])
}

fn region(admin: &Admin) -> String {
    id(&admin.get("/admin/regions?limit=1")["regions"][0])
}

fn draft_count(admin: &Admin) -> u64 {
    admin.get("/admin/draft-orders?limit=1")["count"]
        .as_u64()
        .unwrap_or(0)
}

fn draft_of(reply: &common::client::Reply) -> String {
    assert_eq!(reply.status, 303, "{}", reply.text());
    reply
        .header("location")
        .expect("to the draft")
        .trim_start_matches("/app/draft-orders/")
        .split('?')
        .next()
        .expect("id")
        .to_string()
}

fn draft(admin: &Admin, id: &str) -> Value {
    admin.get(&format!("/admin/draft-orders/{id}"))["draft_order"].clone()
}

#[test]
fn a_draft_is_made_with_a_custom_line_for_a_customer_found_by_search() {
    let admin = Admin::start();
    let ada = customer(&admin, "ada@example.com", "Ada", "Lovelace");
    let region = region(&admin);
    let mut browser = signed_in(&admin);
    labels_are_unique(&browser.get("/app/draft-orders/new").text());
    let before = draft_count(&admin);

    // A search posts the whole form back: the matches appear, nothing typed is lost, nothing
    // is created.
    let typed = [
        ("region_id", region.as_str()),
        ("custom_title_1", "Gift wrap"),
        ("custom_price_1", "3.50"),
        ("custom_quantity_1", "2"),
    ];
    let mut search = vec![("intent", "search"), ("customer_q", "lovelace")];
    search.extend(typed);
    let found = browser.submit("/app/draft-orders", &search);
    assert_eq!(found.status, 200, "{}", found.text());
    let page = found.text();
    labels_are_unique(&page);
    assert!(
        page.contains("Ada Lovelace &lt;ada@example.com&gt;"),
        "{page}"
    );
    assert!(page.contains(&format!("value=\"{ada}\"")));
    assert!(page.contains("value=\"Gift wrap\"") && page.contains("value=\"3.50\""));
    assert!(page.contains("value=\"lovelace\""));
    let none = browser.submit(
        "/app/draft-orders",
        &[("intent", "search"), ("customer_q", "nobody-like-this")],
    );
    assert!(none.text().contains("No customer matches"));
    assert_eq!(draft_count(&admin), before);

    // Bad custom lines answer the form again, with what was typed.
    let no_price = browser.submit(
        "/app/draft-orders",
        &[
            ("customer_id", ada.as_str()),
            ("region_id", region.as_str()),
            ("custom_title_1", "Gift wrap"),
        ],
    );
    assert_eq!(no_price.status, 400);
    assert!(
        no_price
            .text()
            .contains("Custom line 1 unit price is required")
    );
    assert!(no_price.text().contains("value=\"Gift wrap\""));
    let bad_price = browser.submit(
        "/app/draft-orders",
        &[
            ("region_id", region.as_str()),
            ("email", "x@example.com"),
            ("custom_title_1", "Gift wrap"),
            ("custom_price_1", "three"),
        ],
    );
    assert_eq!(bad_price.status, 400);
    assert!(
        bad_price
            .text()
            .contains("Custom line 1 unit price must be an amount")
    );
    assert!(bad_price.text().contains("value=\"three\""));
    let bad_quantity = browser.submit(
        "/app/draft-orders",
        &[
            ("region_id", region.as_str()),
            ("email", "x@example.com"),
            ("custom_title_1", "Gift wrap"),
            ("custom_price_1", "3"),
            ("custom_quantity_1", "0"),
        ],
    );
    assert_eq!(bad_quantity.status, 400, "{}", bad_quantity.text());
    assert_eq!(draft_count(&admin), before);

    // Made for the chosen customer.
    let mut create = vec![("intent", "create"), ("customer_id", ada.as_str())];
    create.extend(typed);
    let made = draft_of(&browser.submit("/app/draft-orders", &create));
    let doc = draft(&admin, &made);
    assert_eq!(doc["customer_id"], ada.as_str());
    assert_eq!(doc["email"], "ada@example.com");
    let items = doc["items"].as_array().expect("items");
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["title"], "Gift wrap");
    assert_eq!(items[0]["unit_price"], 3.5);
    assert_eq!(items[0]["quantity"], 2);
    assert_eq!(items[0]["is_custom_price"], true);
    assert!(items[0]["variant_id"].is_null());
    let page = browser.get(&format!("/app/draft-orders/{made}")).text();
    assert!(page.contains("Gift wrap"));

    // Or for a new email, with no customer.
    let guest = draft_of(&browser.submit(
        "/app/draft-orders",
        &[
            ("email", "walk-in@example.com"),
            ("region_id", region.as_str()),
            ("custom_title_2", "Engraving"),
            ("custom_price_2", "12"),
        ],
    ));
    let doc = draft(&admin, &guest);
    assert_eq!(doc["email"], "walk-in@example.com");
    assert!(doc["customer_id"].is_null(), "{}", doc["customer_id"]);
    assert_eq!(doc["items"][0]["title"], "Engraving");
    assert_eq!(doc["items"][0]["quantity"], 1);
}

#[test]
fn an_open_draft_gets_another_customer_through_the_picker() {
    let admin = Admin::start();
    let grace = customer(&admin, "grace@example.com", "Grace", "Hopper");
    let region = region(&admin);
    let mut browser = signed_in(&admin);
    let made = draft_of(&browser.submit(
        "/app/draft-orders",
        &[
            ("email", "phone@example.com"),
            ("region_id", region.as_str()),
            ("custom_title_1", "Consultation"),
            ("custom_price_1", "40"),
        ],
    ));
    let path = format!("/app/draft-orders/{made}/customer");
    let page = browser.get(&format!("/app/draft-orders/{made}")).text();
    labels_are_unique(&page);
    assert!(page.contains("Change the customer"));

    let found = browser.submit(&path, &[("intent", "search"), ("customer_q", "grace@")]);
    assert_eq!(found.status, 200);
    let text = found.text();
    labels_are_unique(&text);
    assert!(
        text.contains("Grace Hopper &lt;grace@example.com&gt;"),
        "{text}"
    );
    assert_eq!(
        draft(&admin, &made)["email"],
        "phone@example.com",
        "a search changes nothing"
    );

    let nothing = browser.submit(&path, &[("intent", "save")]);
    assert_eq!(nothing.status, 400);
    assert!(
        nothing
            .text()
            .contains("Choose a customer or type an email")
    );
    let not_email = browser.submit(&path, &[("intent", "save"), ("email", "nope")]);
    assert_eq!(not_email.status, 400);
    assert!(not_email.text().contains("value=\"nope\""), "kept");
    let unknown = browser.submit(&path, &[("intent", "save"), ("customer_id", "cus_missing")]);
    assert_eq!(unknown.status, 404, "{}", unknown.text());

    let saved = browser.submit(
        &path,
        &[("intent", "save"), ("customer_id", grace.as_str())],
    );
    assert_eq!(saved.status, 303, "{}", saved.text());
    assert_eq!(
        saved.header("location"),
        Some(format!("/app/draft-orders/{made}?done=saved").as_str())
    );
    let doc = draft(&admin, &made);
    assert_eq!(doc["customer_id"], grace.as_str());
    assert_eq!(doc["email"], "grace@example.com");
    let page = browser.get(&format!("/app/draft-orders/{made}")).text();
    assert!(
        page.contains(&format!("value=\"{grace}\" checked")),
        "the current customer is chosen"
    );

    let emailed = browser.submit(&path, &[("intent", "save"), ("email", "new@example.com")]);
    assert_eq!(emailed.status, 303, "{}", emailed.text());
    assert_eq!(draft(&admin, &made)["email"], "new@example.com");
    // Without the CSRF token nothing runs.
    let forged = browser.post(
        &path,
        &[("intent", "save"), ("email", "forged@example.com")],
    );
    assert_eq!(forged.status, 403);
    assert_eq!(draft(&admin, &made)["email"], "new@example.com");
}

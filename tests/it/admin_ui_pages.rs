//! The admin UI's other pages — home, customers, products (create, edit, delete, found
//! through the Store API), inventory (adjust stock with a note), promotions, settings (a
//! secret key shown once) — and the extension points: widgets in zones (in order, a failing
//! or panicking one boxed) and custom admin pages with their navigation entry.

use crate::admin_ui_support;
use crate::common;

use admin_ui_support::{Browser, hidden};
use common::orders::{Admin, id};
use common::{TestApp, config};
use serde_json::Value;
use stockroom::maud::html;
use stockroom::{Engine, Error};

#[test]
fn the_home_page_shows_todays_orders_open_orders_and_low_stock() {
    let admin = Admin::start();
    let order = admin.order(1);
    let mut browser = Browser::new(&admin.app);
    browser.sign_in();
    let page = browser.get("/app").text();
    for name in [
        "Home",
        "Orders",
        "Products",
        "Inventory",
        "Customers",
        "Promotions",
        "Settings",
    ] {
        assert!(page.contains(&format!(">{name}</a>")), "nav link {name}");
    }
    assert!(page.contains("Orders today<strong>1</strong>"), "{page}");
    assert!(
        page.contains(&format!("/app/orders/{}", id(&order))),
        "to fulfill"
    );
    // The ordered item, stocked at 3 with 1 reserved, is listed with 2 available, linked to
    // its inventory page — inside the "Low stock" section, not merely under its heading.
    let variant = admin.app.variant();
    admin.app.set_stock(&variant, 3);
    let item: String = admin
        .app
        .engine()
        .store()
        .read(move |c| {
            Ok(c.query_row(
                "SELECT inventory_item_id FROM link_product_variant_inventory_item WHERE variant_id = ?1 AND deleted_at IS NULL",
                [&variant],
                |r| r.get(0),
            )?)
        })
        .expect("the variant's inventory item");
    let page = browser.get("/app").text();
    let low = page
        .split("id=\"low-h\"")
        .nth(1)
        .and_then(|rest| rest.split("</section>").next())
        .expect("the Low stock section");
    assert!(low.starts_with(">Low stock</h2>"), "{low}");
    let row = low
        .split("<tr>")
        .find(|r| r.contains(&format!("href=\"/app/inventory/{item}\"")))
        .unwrap_or_else(|| panic!("the low item's row: {low}"));
    assert!(row.contains("<td class=\"num\">2</td>"), "{row}");
    // The item's page lists the order's reservation.
    let item_page = browser.get(&format!("/app/inventory/{item}")).text();
    assert!(item_page.contains("Reservations (1)"), "{item_page}");
}

#[test]
fn customers_list_and_detail_show_orders_addresses_and_groups() {
    let app = TestApp::start();
    let (customer, _) = app.signup("ada@example.com", "pw-ada-12345");
    let mut browser = Browser::new(&app);
    browser.sign_in();
    let list = browser.get("/app/customers?q=ada").text();
    assert!(
        list.contains(&format!("/app/customers/{customer}")),
        "{list}"
    );
    let none = browser.get("/app/customers?q=nobody-at-all").text();
    assert!(none.contains("No customers match."));
    let registered = browser
        .get("/app/customers?q=ada&account=registered")
        .text();
    assert!(registered.contains(&format!("/app/customers/{customer}")));
    let guests = browser.get("/app/customers?q=ada&account=guest").text();
    assert!(
        guests.contains("No customers match."),
        "a registered customer"
    );
    assert_eq!(browser.get("/app/customers?account=robot").status, 400);
    let page = browser.get(&format!("/app/customers/{customer}"));
    assert_eq!(page.status, 200);
    let text = page.text();
    for needle in ["ada@example.com", "Addresses", "Groups", "Orders (0)"] {
        assert!(text.contains(needle), "{needle}");
    }
    assert_eq!(browser.get("/app/customers/cus_missing").status, 404);
}

#[test]
fn a_product_created_in_the_ui_is_sold_through_the_store_api() {
    let app = TestApp::start();
    let mut browser = Browser::new(&app);
    browser.sign_in();
    let form = browser.get("/app/products/new").text();
    let channel = hidden(&form, "sales_channel").expect("a sales channel checkbox");
    assert!(
        form.contains("name=\"price_usd\""),
        "a price per store currency"
    );
    let csrf = hidden(&form, "_csrf").unwrap();
    let reply = browser.post(
        "/app/products",
        &[
            ("_csrf", &csrf),
            ("title", "Linen Apron"),
            ("handle", "linen-apron"),
            ("status", "published"),
            ("sales_channel", &channel),
            ("variant_title", "One size"),
            ("sku", "APRON-1"),
            ("price_usd", "24.50"),
        ],
    );
    assert_eq!(reply.status, 303, "{}", reply.text());
    let location = reply.header("location").unwrap().to_string();
    assert!(location.starts_with("/app/products/prod_"), "{location}");
    let page = browser.get(&location).text();
    assert!(
        page.contains("APRON-1") && page.contains("24.50 USD"),
        "{page}"
    );
    let region = app.region("usd");
    let store = app.store_get(&format!(
        "/store/products?handle=linen-apron&region_id={region}&fields=*variants.calculated_price"
    ));
    assert_eq!(store.status, 200, "{}", store.text());
    let product = &store.json()["products"][0];
    assert_eq!(product["title"], "Linen Apron");
    assert_eq!(
        product["variants"][0]["calculated_price"]["calculated_amount"],
        Value::from(24.5)
    );
}

#[test]
fn product_forms_show_errors_and_edits_and_deletes_apply() {
    let app = TestApp::start();
    let mut browser = Browser::new(&app);
    browser.sign_in();
    let missing = browser.submit("/app/products", &[("title", ""), ("variant_title", "x")]);
    assert_eq!(missing.status, 400);
    assert!(missing.text().contains("Title is required"));
    let bad_price = browser.submit(
        "/app/products",
        &[
            ("title", "T"),
            ("variant_title", "V"),
            ("price_usd", "12.345"),
        ],
    );
    assert_eq!(bad_price.status, 400, "{}", bad_price.text());
    assert!(
        bad_price.text().contains("value=\"12.345\""),
        "the form keeps what was typed"
    );
    let created = browser.submit(
        "/app/products",
        &[
            ("title", "Mug"),
            ("variant_title", "Blue"),
            ("status", "draft"),
        ],
    );
    let location = created.header("location").unwrap().to_string();
    let product = location
        .trim_start_matches("/app/products/")
        .split('?')
        .next()
        .unwrap()
        .to_string();
    let edit = browser.submit(
        &format!("/app/products/{product}"),
        &[
            ("title", "Big Mug"),
            ("status", "published"),
            ("description", "Holds a lot"),
        ],
    );
    assert_eq!(edit.status, 303, "{}", edit.text());
    let page = browser.get(&format!("/app/products/{product}")).text();
    assert!(page.contains("Big Mug") && page.contains("Holds a lot"));
    let bad_status = browser.submit(
        &format!("/app/products/{product}"),
        &[("title", "Big Mug"), ("status", "gone")],
    );
    assert_eq!(bad_status.status, 400);
    let deleted = browser.submit(&format!("/app/products/{product}/delete"), &[]);
    assert_eq!(deleted.status, 303);
    assert_eq!(browser.get(&format!("/app/products/{product}")).status, 404);
}

#[test]
fn stock_is_adjusted_with_a_note_and_never_below_reserved() {
    let app = TestApp::start();
    let mut browser = Browser::new(&app);
    browser.sign_in();
    let list = browser
        .get("/app/inventory?q=CLASSIC-T-SHIRT-S-WHITE")
        .text();
    let at = list.find("/app/inventory/iitem_").expect("the item");
    let end = at + list[at..].find('"').unwrap();
    let item_path = list[at..end].to_string();
    let page = browser.get(&item_path).text();
    let form_at = page.find("/locations/").unwrap();
    let form_end = form_at + page[form_at..].find('"').unwrap();
    let action = format!("{item_path}{}", &page[form_at..form_end]);
    let stocked = |browser: &mut Browser| {
        let page = browser.get(&item_path).text();
        let at = page.find("Stocked <strong>").unwrap() + "Stocked <strong>".len();
        page[at..at + page[at..].find('<').unwrap()]
            .parse::<i64>()
            .unwrap()
    };
    let before = stocked(&mut browser);
    let reply = browser.submit(
        &action,
        &[("delta", "7"), ("note", "Recount after delivery")],
    );
    assert_eq!(reply.status, 303, "{}", reply.text());
    assert_eq!(stocked(&mut browser), before + 7);
    let page = browser.get(&item_path).text();
    assert!(
        page.contains("+7 → ") && page.contains("Recount after delivery"),
        "history"
    );
    let too_far = browser.submit(&action, &[("delta", &format!("-{}", before + 8))]);
    assert_eq!(too_far.status, 400);
    assert!(too_far.text().contains("Stock cannot go below"));
    assert_eq!(stocked(&mut browser), before + 7, "unchanged");
    let zero = browser.submit(&action, &[("delta", "0")]);
    assert_eq!(zero.status, 400);
}

#[test]
fn promotions_are_activated_and_deactivated() {
    let admin = Admin::start();
    let created = admin.post(
        "/admin/promotions",
        &serde_json::json!({
            "code": "UI10", "type": "standard", "status": "draft",
            "application_method": {"type": "percentage", "target_type": "order", "value": 10, "allocation": "across"},
        }),
    );
    let promotion = id(&created["promotion"]);
    let mut browser = Browser::new(&admin.app);
    browser.sign_in();
    let page = browser.get("/app/promotions?q=UI10").text();
    assert!(page.contains("Activate UI10"), "{page}");
    let reply = browser.submit(&format!("/app/promotions/{promotion}/activate"), &[]);
    assert_eq!(reply.status, 303, "{}", reply.text());
    let doc = admin.get(&format!("/admin/promotions/{promotion}"));
    assert_eq!(doc["promotion"]["status"], "active");
    let reply = browser.submit(&format!("/app/promotions/{promotion}/deactivate"), &[]);
    assert_eq!(reply.status, 303);
    let doc = admin.get(&format!("/admin/promotions/{promotion}"));
    assert_eq!(doc["promotion"]["status"], "inactive");
}

#[test]
fn a_secret_key_is_shown_once() {
    let app = TestApp::start();
    let mut browser = Browser::new(&app);
    browser.sign_in();
    let settings = browser.get("/app/settings").text();
    assert!(settings.contains("Regions") && settings.contains("Sales channels"));
    let reply = browser.submit("/app/settings/api-keys", &[("title", "Warehouse sync")]);
    assert_eq!(reply.status, 201);
    let page = reply.text();
    let at = page.find("<code>sk_").expect("the secret") + "<code>".len();
    let token = &page[at..at + page[at..].find('<').unwrap()];
    let later = browser.get("/app/settings").text();
    assert!(later.contains("Warehouse sync") && !later.contains(token));
    let basic = format!("Basic {token}");
    let reply = app.request("GET", "/admin/orders", &[("authorization", &basic)], None);
    assert_eq!(reply.status, 200, "the key works on the Admin API");
}

fn with_widgets() -> TestApp {
    let builder = Engine::builder()
        .widget("customer.details.after", |cx| {
            Ok(html! { p class="first" { "First widget for " (cx.entity_id) } })
        })
        .widget("customer.details.after", |_| {
            Err(Error::invalid("points unavailable"))
        })
        .widget("customer.details.after", |_| panic!("widget bug"))
        .widget("customer.details.after", |_| {
            Ok(html! { p { "Last widget <b>escaped</b>" } })
        })
        .admin_page("loyalty-test", "Loyalty test", |_, _, _| {
            Ok(html! { p { "Top members here" } })
        });
    TestApp::with(config(), builder)
}

#[test]
fn widgets_render_in_order_and_failures_are_boxed() {
    let app = with_widgets();
    let (customer, _) = app.signup("grace@example.com", "pw-grace-12345");
    let mut browser = Browser::new(&app);
    browser.sign_in();
    let reply = browser.get(&format!("/app/customers/{customer}"));
    assert_eq!(reply.status, 200);
    let page = reply.text();
    let first = page.find(&format!("First widget for {customer}")).unwrap();
    let error = page.find("failed: points unavailable").unwrap();
    let panicked = page.find("customer.details.after failed.").unwrap();
    let last = page.find("Last widget &lt;b&gt;escaped&lt;/b&gt;").unwrap();
    assert!(
        first < error && error < panicked && panicked < last,
        "registration order"
    );
    assert!(
        page.contains("Addresses"),
        "the rest of the page still renders"
    );
}

#[test]
fn custom_admin_pages_get_a_nav_entry_and_the_sign_in_check() {
    let app = with_widgets();
    assert_eq!(app.get("/app/loyalty-test").status, 303);
    let mut browser = Browser::new(&app);
    browser.sign_in();
    let home = browser.get("/app").text();
    assert!(home.contains("<a href=\"/app/loyalty-test\">Loyalty test</a>"));
    let page = browser.get("/app/loyalty-test").text();
    assert!(page.contains("<h1>Loyalty test</h1>") && page.contains("Top members here"));
}

#[test]
fn unknown_zones_and_clashing_pages_fail_the_build() {
    let store = stockroom::db::Store::memory(Default::default()).unwrap();
    let err = Engine::builder()
        .widget("customer.detail.after", |_| Ok(html! {}))
        .build(store)
        .err()
        .expect("an unknown zone is refused");
    assert!(err.to_string().contains("customer.detail.after"), "{err}");
    let store = stockroom::db::Store::memory(Default::default()).unwrap();
    let err = Engine::builder()
        .admin_page("orders", "Mine", |_, _, _| Ok(html! {}))
        .build(store)
        .err()
        .expect("a core page is not replaced");
    assert!(err.to_string().contains("orders"), "{err}");
}

#[test]
fn options_and_variants_are_added_repriced_and_deleted_on_an_existing_product() {
    let app = TestApp::start();
    let mut browser = Browser::new(&app);
    browser.sign_in();
    let created = browser.submit(
        "/app/products",
        &[
            ("title", "Scarf"),
            ("variant_title", "Plain"),
            ("status", "published"),
        ],
    );
    let location = created.header("location").unwrap().to_string();
    let product = location
        .trim_start_matches("/app/products/")
        .split('?')
        .next()
        .unwrap()
        .to_string();
    let base = format!("/app/products/{product}");
    let option = browser.submit(
        &format!("{base}/options"),
        &[("title", "Colour"), ("values", "Red, Green")],
    );
    assert_eq!(option.status, 303, "{}", option.text());
    let page = browser.get(&base).text();
    assert!(page.contains("Red, Green") && page.contains("Option Colour"));

    let mut fields = vec![
        ("title", "Red scarf"),
        ("sku", "SCARF-RED"),
        ("barcode", "4006381333931"),
        ("price_usd", "19.90"),
        ("manage_inventory", "true"),
    ];
    // One value per option of the product, in the page's order (Variant, then Colour).
    for (title, value) in [("Variant", "Plain"), ("Colour", "Red")] {
        fields.push(("option_title", title));
        fields.push(("option_value", value));
    }
    let bad = browser.submit(&format!("{base}/variants"), &{
        let mut f = fields.clone();
        f[3] = ("price_usd", "19.999");
        f
    });
    assert_eq!(bad.status, 400, "{}", bad.text());
    assert!(bad.text().contains("The USD price must be an amount"));
    let added = browser.submit(&format!("{base}/variants"), &fields);
    assert_eq!(added.status, 303, "{}", added.text());
    let duplicate = browser.submit(&format!("{base}/variants"), &fields);
    assert!(
        duplicate.status >= 400 && duplicate.status < 500,
        "SKU taken"
    );

    let admin = format!("Bearer {}", app.admin_token());
    let doc = app
        .admin_call("GET", &format!("/admin/products/{product}"), &admin, None)
        .json();
    let red = doc["product"]["variants"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["sku"] == "SCARF-RED")
        .expect("the new variant")
        .clone();
    assert_eq!(red["barcode"], "4006381333931");
    assert_eq!(red["prices"][0]["amount"], 19.9);
    let vid = red["id"].as_str().unwrap().to_string();

    let repriced = browser.submit(
        &format!("{base}/variants/{vid}/prices"),
        &[("price_usd", "24.50")],
    );
    assert_eq!(repriced.status, 303, "{}", repriced.text());
    assert!(browser.get(&base).text().contains("24.50 USD"));
    let deleted = browser.submit(&format!("{base}/variants/{vid}/delete"), &[]);
    assert_eq!(deleted.status, 303);
    let doc = app
        .admin_call("GET", &format!("/admin/products/{product}"), &admin, None)
        .json();
    assert!(
        doc["product"]["variants"]
            .as_array()
            .unwrap()
            .iter()
            .all(|v| v["id"] != vid.as_str())
    );
}

#[test]
fn the_home_page_shows_revenue_by_day() {
    let admin = Admin::start();
    let order = admin.order(2);
    let total = order["total"].as_f64().unwrap();
    let payment = common::orders::payment_of(&order);
    admin.post(
        &format!("/admin/payments/{payment}/capture"),
        &serde_json::json!({}),
    );
    admin.post(
        &format!("/admin/payments/{payment}/refund"),
        &serde_json::json!({"amount": 1}),
    );
    let mut browser = Browser::new(&admin.app);
    browser.sign_in();
    let page = browser.get("/app").text();
    let section = page
        .split("id=\"revenue-h\"")
        .nth(1)
        .and_then(|rest| rest.split("</section>").next())
        .expect("the revenue section");
    assert_eq!(
        section.matches("<th scope=\"row\">").count(),
        8,
        "today and 7 days"
    );
    let today_row = section.split("<tr>").nth(2).expect("today's row");
    assert!(
        today_row.contains(&format!("{total:.2} USD")),
        "{today_row}"
    );
    assert!(today_row.contains(">1.00 USD<"), "{today_row}");
    assert!(
        today_row.contains(&format!("{:.2} USD", total - 1.0)),
        "{today_row}"
    );
    assert!(page.contains(&format!(
        "Revenue today<strong>{:.2} USD</strong>",
        total - 1.0
    )));
}

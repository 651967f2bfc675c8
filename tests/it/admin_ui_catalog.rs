//! The admin UI's catalog and customer pages after issue 16's second round: a product's
//! prices per currency and per region, its collection, type, tags and sales channels changed
//! after creation (checked through the Admin and Store APIs); the customer groups page and
//! joining / leaving a group from the customer's page; sorting the customers, inventory,
//! promotions and campaigns lists by their column headers.

use crate::admin_ui_support;
use crate::common;

use admin_ui_support::Browser;
use common::TestApp;
use serde_json::{Value, json};

/// `Bearer <admin token>`.
fn admin_auth(app: &TestApp) -> String {
    format!("Bearer {}", app.admin_token())
}

fn admin_get(app: &TestApp, auth: &str, path: &str) -> Value {
    let reply = app.admin_call("GET", path, auth, None);
    assert_eq!(reply.status, 200, "{path}: {}", reply.text());
    reply.json()
}

fn admin_post(app: &TestApp, auth: &str, path: &str, body: &Value) -> Value {
    let reply = app.admin_call("POST", path, auth, Some(body));
    assert_eq!(reply.status, 200, "{path}: {}", reply.text());
    reply.json()
}

/// The id in a `/app/<kind>/<id>?done=…` redirect.
fn id_in(location: &str, kind: &str) -> String {
    location
        .trim_start_matches(&format!("/app/{kind}/"))
        .split('?')
        .next()
        .unwrap()
        .to_string()
}

/// The first id of `items` (an Admin API list) whose `key` is `value`.
fn id_where(items: &Value, key: &str, value: &str) -> String {
    items
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x[key] == value)
        .and_then(|x| x["id"].as_str())
        .unwrap_or_else(|| panic!("no {key} = {value} in {items}"))
        .to_string()
}

/// The Store API's calculated price of a product's first variant in a region.
fn calculated(app: &TestApp, handle: &str, region: &str) -> f64 {
    let reply = app.store_get(&format!(
        "/store/products?handle={handle}&region_id={region}&fields=*variants.calculated_price"
    ));
    assert_eq!(reply.status, 200, "{}", reply.text());
    reply.json()["products"][0]["variants"][0]["calculated_price"]["calculated_amount"]
        .as_f64()
        .expect("a calculated price")
}

#[test]
fn region_prices_and_organization_are_changed_on_an_existing_product() {
    let app = TestApp::start();
    let auth = admin_auth(&app);
    let mut browser = Browser::new(&app);
    browser.sign_in();
    let channels = admin_get(&app, &auth, "/admin/sales-channels")["sales_channels"].clone();
    let web = id_where(&channels, "name", "Default Sales Channel");
    let till = id_where(&channels, "name", "Shop till");
    let created = browser.submit(
        "/app/products",
        &[
            ("title", "Wool Hat"),
            ("handle", "wool-hat"),
            ("status", "published"),
            ("sales_channel", &web),
            ("variant_title", "One size"),
            ("price_usd", "10.00"),
        ],
    );
    assert_eq!(created.status, 303, "{}", created.text());
    let product = id_in(created.header("location").unwrap(), "products");
    let base = format!("/app/products/{product}");
    let us = app.region("usd");
    let eu = app.region("eur");
    assert_eq!(calculated(&app, "wool-hat", &us), 10.0);

    // The page offers a price per region, labelled with the region and its currency.
    let page = browser.get(&base).text();
    assert!(
        page.contains(&format!("name=\"region_price_{us}\"")),
        "{page}"
    );
    assert!(page.contains("Price of One size in United States (USD)"));
    let doc = admin_get(&app, &auth, &format!("/admin/products/{product}"));
    let variant = doc["product"]["variants"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let prices = format!("{base}/variants/{variant}/prices");

    // A bad region amount answers the form again with the typed values and changes nothing.
    let bad = browser.submit(
        &prices,
        &[
            ("for_variant", &variant),
            ("price_usd", "11.00"),
            (&format!("region_price_{us}"), "8.001"),
        ],
    );
    assert_eq!(bad.status, 400, "{}", bad.text());
    let text = bad.text();
    assert!(text.contains("The price in United States must be an amount"));
    assert!(text.contains("value=\"8.001\"") && text.contains("value=\"11.00\""));
    assert_eq!(calculated(&app, "wool-hat", &us), 10.0);

    // A region price: the Admin API shows it with its rule, the Store API sells at it in
    // that region.
    let saved = browser.submit(
        &prices,
        &[
            ("for_variant", &variant),
            ("price_usd", "10.00"),
            ("price_eur", "9.50"),
            (&format!("region_price_{us}"), "8.00"),
        ],
    );
    assert_eq!(saved.status, 303, "{}", saved.text());
    let doc = admin_get(&app, &auth, &format!("/admin/products/{product}"));
    let stored = doc["product"]["variants"][0]["prices"].as_array().unwrap();
    assert_eq!(stored.len(), 3, "{stored:?}");
    let regional = stored
        .iter()
        .find(|p| p["rules"]["region_id"] == us.as_str())
        .expect("the region price");
    assert_eq!(regional["amount"], 8.0);
    assert_eq!(regional["currency_code"], "usd");
    assert_eq!(calculated(&app, "wool-hat", &us), 8.0);
    assert_eq!(calculated(&app, "wool-hat", &eu), 9.5);
    assert!(
        browser
            .get(&base)
            .text()
            .contains("8.00 USD in United States")
    );

    // A price the form does not show (a quantity tier set through the API) is kept when the
    // form is saved; clearing the region field removes the region price.
    admin_post(
        &app,
        &auth,
        &format!("/admin/products/{product}/variants/{variant}"),
        &json!({"prices": [
            {"currency_code": "usd", "amount": 10},
            {"currency_code": "usd", "amount": 8, "rules": {"region_id": us}},
            {"currency_code": "usd", "amount": 7, "min_quantity": 10},
        ]}),
    );
    let cleared = browser.submit(
        &prices,
        &[
            ("for_variant", &variant),
            ("price_usd", "12.00"),
            (&format!("region_price_{us}"), ""),
        ],
    );
    assert_eq!(cleared.status, 303, "{}", cleared.text());
    let doc = admin_get(&app, &auth, &format!("/admin/products/{product}"));
    let mut amounts: Vec<(f64, Value)> = doc["product"]["variants"][0]["prices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["amount"].as_f64().unwrap(), p["min_quantity"].clone()))
        .collect();
    amounts.sort_by(|a, b| a.0.total_cmp(&b.0));
    assert_eq!(amounts, vec![(7.0, json!(10)), (12.0, Value::Null)]);
    assert_eq!(calculated(&app, "wool-hat", &us), 12.0);

    // Collection, type, tags and sales channels after creation: the pickers list the
    // store's, and each change shows through the Admin API.
    let collections = admin_get(&app, &auth, "/admin/collections")["collections"].clone();
    let summer = id_where(&collections, "title", "Summer Collection");
    let tags = admin_get(&app, &auth, "/admin/product-tags")["product_tags"].clone();
    let (new, sale) = (
        id_where(&tags, "value", "New"),
        id_where(&tags, "value", "Sale"),
    );
    let kind = admin_post(
        &app,
        &auth,
        "/admin/product-types",
        &json!({"value": "Hats"}),
    )["product_type"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let page = browser.get(&base).text();
    for shown in ["Summer Collection", "Hats", "Organic cotton", "Shop till"] {
        assert!(page.contains(shown), "picker lists {shown}");
    }
    let organize = format!("{base}/organize");
    let saved = browser.submit(
        &organize,
        &[
            ("form", "organize"),
            ("collection_id", &summer),
            ("type_id", &kind),
            ("tag", &new),
            ("tag", &sale),
            ("sales_channel", &till),
        ],
    );
    assert_eq!(saved.status, 303, "{}", saved.text());
    let doc = admin_get(
        &app,
        &auth,
        &format!("/admin/products/{product}?fields=*sales_channels,*tags,*type,*collection"),
    )["product"]
        .clone();
    assert_eq!(doc["collection_id"], summer.as_str());
    assert_eq!(doc["type_id"], kind.as_str());
    let mut tag_ids: Vec<&str> = doc["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap())
        .collect();
    tag_ids.sort_unstable();
    let mut wanted = vec![new.as_str(), sale.as_str()];
    wanted.sort_unstable();
    assert_eq!(tag_ids, wanted);
    let channel_ids: Vec<&str> = doc["sales_channels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(channel_ids, vec![till.as_str()]);

    // An unknown collection is refused on the page, with what was chosen kept.
    let refused = browser.submit(
        &organize,
        &[
            ("form", "organize"),
            ("collection_id", "pcol_missing"),
            ("tag", &sale),
            ("sales_channel", &web),
        ],
    );
    assert!(
        refused.status == 404 || refused.status == 400,
        "{}",
        refused.status
    );
    assert!(refused.text().contains("role=\"alert\""));
    let doc = admin_get(&app, &auth, &format!("/admin/products/{product}"))["product"].clone();
    assert_eq!(doc["collection_id"], summer.as_str(), "nothing changed");

    // Clearing: no collection, no type, no tags, back to the web channel only.
    let cleared = browser.submit(
        &organize,
        &[
            ("form", "organize"),
            ("collection_id", ""),
            ("type_id", ""),
            ("sales_channel", &web),
        ],
    );
    assert_eq!(cleared.status, 303, "{}", cleared.text());
    let doc = admin_get(
        &app,
        &auth,
        &format!("/admin/products/{product}?fields=*sales_channels,*tags"),
    )["product"]
        .clone();
    assert_eq!(doc["collection_id"], Value::Null);
    assert_eq!(doc["type_id"], Value::Null);
    assert_eq!(doc["tags"], json!([]));
    assert_eq!(doc["sales_channels"][0]["id"], web.as_str());
}

#[test]
fn customer_groups_are_listed_created_renamed_and_deleted() {
    let app = TestApp::start();
    let auth = admin_auth(&app);
    let mut browser = Browser::new(&app);
    browser.sign_in();
    let home = browser.get("/app").text();
    assert!(home.contains("href=\"/app/customer-groups\">Customer groups</a>"));
    let list = browser.get("/app/customer-groups").text();
    assert!(list.contains(">VIP</a>"), "the demo's group: {list}");
    assert!(list.contains("aria-current=\"page\""));

    let blank = browser.submit("/app/customer-groups", &[("name", "  ")]);
    assert_eq!(blank.status, 400);
    assert!(blank.text().contains("Group name is required"));
    let created = browser.submit("/app/customer-groups", &[("name", "Wholesale")]);
    assert_eq!(created.status, 303, "{}", created.text());
    let group = id_in(created.header("location").unwrap(), "customer-groups");
    let doc = admin_get(&app, &auth, &format!("/admin/customer-groups/{group}"));
    assert_eq!(doc["customer_group"]["name"], "Wholesale");
    let taken = browser.submit("/app/customer-groups", &[("name", "Wholesale")]);
    assert_eq!(taken.status, 422, "{}", taken.text());
    assert!(
        taken.text().contains("value=\"Wholesale\""),
        "the typed name is kept"
    );

    // Search and pagination.
    let found = browser.get("/app/customer-groups?q=whole").text();
    assert!(found.contains(&format!("/app/customer-groups/{group}")));
    assert!(!found.contains(">VIP</a>"));
    assert!(
        browser
            .get("/app/customer-groups?q=nothing-like-it")
            .text()
            .contains("No customer groups match.")
    );
    assert_eq!(browser.get("/app/customer-groups?page=0").status, 400);

    // Rename: a taken name is refused with the typed name kept.
    let page = format!("/app/customer-groups/{group}");
    let clash = browser.submit(&page, &[("name", "VIP")]);
    assert_eq!(clash.status, 422);
    assert!(clash.text().contains("value=\"VIP\""));
    let renamed = browser.submit(&page, &[("name", "Trade")]);
    assert_eq!(renamed.status, 303, "{}", renamed.text());
    let doc = admin_get(&app, &auth, &format!("/admin/customer-groups/{group}"));
    assert_eq!(doc["customer_group"]["name"], "Trade");

    let deleted = browser.submit(&format!("{page}/delete"), &[]);
    assert_eq!(deleted.status, 303);
    assert_eq!(
        app.admin_call(
            "GET",
            &format!("/admin/customer-groups/{group}"),
            &auth,
            None
        )
        .status,
        404
    );
    assert_eq!(browser.get(&page).status, 404);
}

#[test]
fn customers_join_and_leave_groups_from_both_pages() {
    let app = TestApp::start();
    let auth = admin_auth(&app);
    let mut browser = Browser::new(&app);
    browser.sign_in();
    let customer = admin_post(
        &app,
        &auth,
        "/admin/customers",
        &json!({"email": "grace@example.com", "first_name": "Grace", "last_name": "Hopper"}),
    )["customer"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let created = browser.submit("/app/customer-groups", &[("name", "Navy")]);
    let group = id_in(created.header("location").unwrap(), "customer-groups");
    let page = format!("/app/customer-groups/{group}");
    let members = |app: &TestApp| -> Vec<String> {
        let doc = admin_get(
            app,
            &auth,
            &format!("/admin/customers/{customer}?fields=*groups"),
        );
        doc["customer"]["groups"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| g["id"].as_str().unwrap().to_string())
            .collect()
    };

    // From the group page: find, add with a checkbox, remove.
    let search = browser.get(&format!("{page}?find=grace")).text();
    assert!(
        search.contains(&format!("name=\"customer_id\" value=\"{customer}\"")),
        "{search}"
    );
    let none = browser.submit(&format!("{page}/customers"), &[]);
    assert_eq!(none.status, 400);
    assert!(none.text().contains("Choose at least one customer"));
    let missing = browser.submit(
        &format!("{page}/customers"),
        &[("customer_id", "cus_missing")],
    );
    assert_eq!(missing.status, 404);
    let added = browser.submit(&format!("{page}/customers"), &[("customer_id", &customer)]);
    assert_eq!(added.status, 303, "{}", added.text());
    assert_eq!(members(&app), vec![group.clone()]);
    let shown = browser.get(&page).text();
    assert!(shown.contains("Customers (1)") && shown.contains("Remove Grace Hopper"));
    assert!(
        browser
            .get(&format!("{page}?find=grace"))
            .text()
            .contains("— in the group")
    );
    let removed = browser.submit(
        &format!("{page}/customers/remove"),
        &[("customer_id", &customer)],
    );
    assert_eq!(removed.status, 303);
    assert!(members(&app).is_empty());

    // From the customer page: join, then leave.
    let customer_page = format!("/app/customers/{customer}");
    let text = browser.get(&customer_page).text();
    assert!(text.contains("<label for=\"group_id\">Add to group</label>"));
    assert!(text.contains(&format!("<option value=\"{group}\">Navy</option>")));
    let joined = browser.submit(&format!("{customer_page}/groups"), &[("group_id", &group)]);
    assert_eq!(joined.status, 303, "{}", joined.text());
    assert_eq!(members(&app), vec![group.clone()]);
    assert!(
        browser
            .get(&customer_page)
            .text()
            .contains("Remove from Navy")
    );
    let unknown = browser.submit(
        &format!("{customer_page}/groups"),
        &[("group_id", "cusgroup_missing")],
    );
    assert_eq!(unknown.status, 404);
    assert!(unknown.text().contains("role=\"alert\""));
    let left = browser.submit(
        &format!("{customer_page}/groups/remove"),
        &[("group_id", &group)],
    );
    assert_eq!(left.status, 303);
    assert!(members(&app).is_empty());
}

/// The text of the `column`-th cell (0-based) of each body row linking to `/app/<kind>/`.
fn column(page: &str, kind: &str, column: usize) -> Vec<String> {
    let marker = format!("href=\"/app/{kind}/");
    page.split("<tr>")
        .skip(1)
        .filter(|row| row.contains(&marker))
        .map(|row| {
            let cell = row.split("<td").nth(column + 1).unwrap_or("");
            let text = cell.split_once('>').map_or("", |(_, rest)| rest);
            let mut out = String::new();
            let mut in_tag = false;
            for ch in text.split("</td>").next().unwrap_or("").chars() {
                match ch {
                    '<' => in_tag = true,
                    '>' => in_tag = false,
                    c if !in_tag => out.push(c),
                    _ => {}
                }
            }
            out
        })
        .collect()
}

fn is_sorted(values: &[String], descending: bool) -> bool {
    values.windows(2).all(|w| {
        if descending {
            w[0] >= w[1]
        } else {
            w[0] <= w[1]
        }
    })
}

#[test]
fn lists_sort_by_their_column_headers() {
    let app = TestApp::start();
    let auth = admin_auth(&app);
    let mut browser = Browser::new(&app);
    browser.sign_in();
    for email in ["zed@example.com", "amy@example.com", "mo@example.com"] {
        admin_post(&app, &auth, "/admin/customers", &json!({"email": email}));
    }

    // Customers by email, both ways; the header says which, and links to the other way.
    let up = browser.get("/app/customers?order=email").text();
    let emails = column(&up, "customers", 1);
    assert!(emails.len() >= 4, "{emails:?}");
    assert!(is_sorted(&emails, false), "{emails:?}");
    assert!(up.contains("aria-sort=\"ascending\""));
    assert!(up.contains("href=\"/app/customers?order=-email\""), "{up}");
    let down = browser.get("/app/customers?order=-email").text();
    let reversed = column(&down, "customers", 1);
    assert_eq!(
        reversed,
        emails.iter().rev().cloned().collect::<Vec<_>>(),
        "all on one page: exactly reversed"
    );
    assert!(down.contains("aria-sort=\"descending\""));
    // The search is kept by the header links; an unknown field is a 400 page.
    let searched = browser.get("/app/customers?q=example&order=email").text();
    assert!(searched.contains("href=\"/app/customers?q=example&amp;order=-email\""));
    for bad in ["password_hash", "email;DROP TABLE customer", "-id)"] {
        let reply = browser.get(&format!(
            "/app/customers?order={}",
            admin_ui_support::enc(bad)
        ));
        assert_eq!(reply.status, 400, "{bad}");
    }

    // Inventory by SKU (the demo has more than a page: each page is in order, and the two
    // first pages differ).
    let up = browser.get("/app/inventory?order=sku").text();
    let skus = column(&up, "inventory", 1);
    assert_eq!(skus.len(), 50);
    assert!(is_sorted(&skus, false), "{skus:?}");
    let down = column(
        &browser.get("/app/inventory?order=-sku").text(),
        "inventory",
        1,
    );
    assert!(is_sorted(&down, true), "{down:?}");
    assert_ne!(skus[0], down[0]);
    assert_eq!(browser.get("/app/inventory?order=stocked").status, 400);

    // Promotions by code.
    let up = column(
        &browser.get("/app/promotions?order=code").text(),
        "promotions",
        0,
    );
    let down = column(
        &browser.get("/app/promotions?order=-code").text(),
        "promotions",
        0,
    );
    assert!(up.len() >= 2, "{up:?}");
    assert!(is_sorted(&up, false), "{up:?}");
    assert_eq!(down, up.iter().rev().cloned().collect::<Vec<_>>());
    assert_eq!(browser.get("/app/promotions?order=rules").status, 400);

    // Campaigns by name.
    for (name, identifier) in [
        ("Spring", "SPRING"),
        ("Autumn", "AUTUMN"),
        ("Winter", "WINTER"),
    ] {
        let reply = browser.submit(
            "/app/campaigns",
            &[("name", name), ("campaign_identifier", identifier)],
        );
        assert_eq!(reply.status, 303, "{}", reply.text());
    }
    let names = |order: &str, browser: &mut Browser| -> Vec<String> {
        let page = browser.get(&format!("/app/campaigns?order={order}")).text();
        ["Autumn", "Spring", "Winter"]
            .iter()
            .filter_map(|n| {
                page.find(&format!("<td>{n}</td>"))
                    .map(|at| (at, n.to_string()))
            })
            .collect::<std::collections::BTreeMap<_, _>>()
            .into_values()
            .collect()
    };
    assert_eq!(names("name", &mut browser), ["Autumn", "Spring", "Winter"]);
    assert_eq!(names("-name", &mut browser), ["Winter", "Spring", "Autumn"]);
    assert_eq!(browser.get("/app/campaigns?order=budget").status, 400);
}

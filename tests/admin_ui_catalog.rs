//! The admin UI's catalog and customer pages after issue 16's second round: a product's
//! prices per currency and per region, its collection, type, tags and sales channels changed
//! after creation (checked through the Admin and Store APIs); the customer groups page and
//! joining / leaving a group from the customer's page; sorting the customers, inventory,
//! promotions and campaigns lists by their column headers.

mod admin_ui_support;
mod common;

use admin_ui_support::Browser;
use common::TestApp;
use serde_json::{Value, json};

/// `Bearer <admin token>`.
fn admin_auth(app: &TestApp) -> String {
    format!("Bearer {}", app.admin_token())
}

fn admin_post(app: &TestApp, auth: &str, path: &str, body: &Value) -> Value {
    let reply = app.admin_call("POST", path, auth, Some(body));
    assert_eq!(reply.status, 200, "{path}: {}", reply.text());
    reply.json()
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

//! The admin UI's gate: signed-out redirects with a safe `next`, sign-in (and a wrong
//! password) through the emailpass login, session rotation and sign-out, CSRF refusals, the
//! security headers, the hashed assets, and that no customer credential or publishable key
//! reaches `/app`.

use crate::admin_ui_support;
use crate::common;

use admin_ui_support::{Browser, hidden};
use common::accounts::{ADMIN_EMAIL, ADMIN_PASSWORD, cookie_of};
use common::{DEMO_KEY, TestApp};
use stockroom::http::ui::session;

#[test]
fn a_signed_out_visit_redirects_to_sign_in_with_next() {
    let app = TestApp::start();
    let reply = app.get("/app/orders?status=pending");
    assert_eq!(reply.status, 303);
    assert_eq!(
        reply.header("location"),
        Some("/app/sign-in?next=/app/orders%3Fstatus%3Dpending")
    );
    let home = app.get("/app");
    assert_eq!(home.header("location"), Some("/app/sign-in"));
    let post = app.request("POST", "/app/orders/x/cancel", &[], None);
    assert_eq!(
        (post.status, post.header("location")),
        (303, Some("/app/sign-in"))
    );
}

#[test]
fn the_sign_in_page_has_labelled_fields_and_a_button() {
    let app = TestApp::start();
    let page = app.get("/app/sign-in").text();
    for needle in [
        "<label for=\"email\">Email</label>",
        "<label for=\"password\">Password</label>",
        "<button type=\"submit\">Sign in</button>",
        "<main",
        "<h1>",
    ] {
        assert!(page.contains(needle), "{needle} missing: {page}");
    }
}

#[test]
fn signing_in_sets_a_strict_http_only_cookie_and_goes_to_next() {
    let app = TestApp::start();
    let mut browser = Browser::new(&app);
    let page = browser.get("/app/sign-in?next=/app/customers").text();
    let token = hidden(&page, "_signin").unwrap();
    assert_eq!(hidden(&page, "next").as_deref(), Some("/app/customers"));
    let reply = browser.post(
        "/app/sign-in",
        &[
            ("_signin", &token),
            ("email", ADMIN_EMAIL),
            ("password", ADMIN_PASSWORD),
            ("next", "/app/customers"),
        ],
    );
    assert_eq!(reply.status, 303, "{}", reply.text());
    assert_eq!(reply.header("location"), Some("/app/customers"));
    let cookie = reply
        .headers
        .iter()
        .find(|(k, v)| k == "set-cookie" && v.starts_with("stockroom_app="))
        .map(|(_, v)| v.clone())
        .expect("a session cookie");
    for attribute in ["HttpOnly", "SameSite=Strict", "Path=/app", "Max-Age="] {
        assert!(cookie.contains(attribute), "{cookie}");
    }
    assert!(!cookie.contains("Secure"), "plain HTTP: {cookie}");
    assert_eq!(browser.get("/app/customers").status, 200);
}

#[test]
fn the_cookie_is_secure_behind_tls() {
    let app = TestApp::start();
    let mut browser = Browser::new(&app);
    let page = browser.get("/app/sign-in").text();
    let token = hidden(&page, "_signin").unwrap();
    let body = format!(
        "_signin={}&email={}&password={ADMIN_PASSWORD}&next=%2Fapp",
        admin_ui_support::enc(&token),
        admin_ui_support::enc(ADMIN_EMAIL)
    );
    let cookie = format!(
        "stockroom_app_signin={}",
        browser.cookie("stockroom_app_signin").unwrap()
    );
    let reply = app.request(
        "POST",
        "/app/sign-in",
        &[
            ("cookie", &cookie),
            ("content-type", "application/x-www-form-urlencoded"),
            ("x-forwarded-proto", "https"),
        ],
        Some(&body),
    );
    assert_eq!(reply.status, 303, "{}", reply.text());
    assert!(reply.headers.iter().any(|(k, v)| k == "set-cookie"
        && v.starts_with("stockroom_app=")
        && v.contains("; Secure")));
}

#[test]
fn a_wrong_password_shows_the_form_again_without_a_session() {
    let app = TestApp::start();
    let mut browser = Browser::new(&app);
    let reply = browser.sign_in_as(ADMIN_EMAIL, "not the password");
    assert_eq!(reply.status, 401);
    let page = reply.text();
    assert!(page.contains("Invalid email or password"), "{page}");
    assert!(
        page.contains("value=\"admin@example.com\""),
        "the email is kept"
    );
    assert!(browser.cookie("stockroom_app").is_none());
    assert_eq!(browser.get("/app").status, 303);
}

#[test]
fn unsafe_next_values_land_on_the_home_page() {
    let app = TestApp::start();
    for next in [
        "//evil.example/app",
        "https://evil.example",
        "/application",
        "/app/\\x",
    ] {
        let mut browser = Browser::new(&app);
        let page = browser.get("/app/sign-in").text();
        let token = hidden(&page, "_signin").unwrap();
        let reply = browser.post(
            "/app/sign-in",
            &[
                ("_signin", &token),
                ("email", ADMIN_EMAIL),
                ("password", ADMIN_PASSWORD),
                ("next", next),
            ],
        );
        assert_eq!(reply.header("location"), Some("/app"), "{next}");
    }
}

#[test]
fn signing_in_again_rotates_the_session_and_signing_out_ends_it() {
    let app = TestApp::start();
    let mut browser = Browser::new(&app);
    browser.sign_in();
    let first = browser.cookie("stockroom_app").unwrap();
    // A signed-in browser is sent on from the sign-in page; the form comes without the
    // session, and is posted with it (as a planted or stale cookie would be).
    assert_eq!(browser.get("/app/sign-in").status, 303);
    browser.cookies.retain(|(k, _)| k != "stockroom_app");
    let page = browser.get("/app/sign-in").text();
    let token = hidden(&page, "_signin").unwrap();
    browser
        .cookies
        .push(("stockroom_app".into(), first.clone()));
    let reply = browser.post(
        "/app/sign-in",
        &[
            ("_signin", &token),
            ("email", ADMIN_EMAIL),
            ("password", ADMIN_PASSWORD),
        ],
    );
    assert_eq!(reply.status, 303);
    let second = browser.cookie("stockroom_app").unwrap();
    assert_ne!(first, second);
    let old = format!("stockroom_app={first}");
    assert_eq!(
        app.request("GET", "/app", &[("cookie", &old)], None).status,
        303
    );
    assert_eq!(browser.get("/app").status, 200);
    let reply = browser.submit("/app/sign-out", &[]);
    assert_eq!(reply.status, 303);
    let current = format!("stockroom_app={second}");
    assert_eq!(
        app.request("GET", "/app", &[("cookie", &current)], None)
            .status,
        303
    );
}

#[test]
fn posts_without_the_csrf_token_are_refused() {
    let app = TestApp::start();
    let mut browser = Browser::new(&app);
    browser.sign_in();
    for fields in [&[][..], &[("_csrf", "forged")][..]] {
        let reply = browser.post("/app/sign-out", fields);
        assert_eq!(reply.status, 403, "{fields:?}");
        assert!(reply.text().contains("Forbidden"));
    }
    assert_eq!(browser.get("/app").status, 200, "still signed in");
    // The token of another session does not pass either.
    let mut other = Browser::new(&app);
    other.sign_in();
    let foreign = other.csrf();
    assert_eq!(
        browser.post("/app/sign-out", &[("_csrf", &foreign)]).status,
        403
    );
    // Nor does a sign-in form without its nonce.
    let mut fresh = Browser::new(&app);
    let reply = fresh.post(
        "/app/sign-in",
        &[("email", ADMIN_EMAIL), ("password", ADMIN_PASSWORD)],
    );
    assert_eq!(reply.status, 403);
}

#[test]
fn malformed_forms_are_400_and_other_types_415() {
    let app = TestApp::start();
    let mut browser = Browser::new(&app);
    browser.sign_in();
    let cookie = format!("stockroom_app={}", browser.cookie("stockroom_app").unwrap());
    let bad = app.request(
        "POST",
        "/app/sign-out",
        &[
            ("cookie", &cookie),
            ("content-type", "application/x-www-form-urlencoded"),
        ],
        Some("_csrf=%zz"),
    );
    assert_eq!(bad.status, 400);
    assert!(
        bad.text().contains("malformed percent-encoding"),
        "{}",
        bad.text()
    );
    let json = app.request(
        "POST",
        "/app/sign-out",
        &[("cookie", &cookie), ("content-type", "application/json")],
        Some("{}"),
    );
    assert_eq!(json.status, 415);
}

#[test]
fn pages_and_redirects_carry_the_security_headers() {
    let app = TestApp::start();
    let mut browser = Browser::new(&app);
    browser.sign_in();
    for reply in [
        browser.get("/app/orders"),
        app.get("/app/products"),
        app.get("/app/sign-in"),
    ] {
        let csp = reply.header("content-security-policy").expect("a CSP");
        assert!(csp.contains("default-src 'none'") && csp.contains("frame-ancestors 'none'"));
        assert!(!csp.contains("unsafe-inline"));
        assert_eq!(reply.header("x-frame-options"), Some("DENY"));
        assert_eq!(reply.header("x-content-type-options"), Some("nosniff"));
        assert!(reply.header("referrer-policy").is_some());
    }
    let page = browser.get("/app/orders").text();
    assert!(!page.contains("<script"), "no scripts at all");
    assert!(!page.contains("style="), "no inline styles");
}

#[test]
fn assets_are_content_hashed_and_immutable() {
    let app = TestApp::start();
    let page = app.get("/app/sign-in").text();
    let at = page.find("/app/assets/app.").unwrap();
    let end = at + page[at..].find('"').unwrap();
    let path = &page[at..end];
    let css = app.get(path);
    assert_eq!(css.status, 200);
    assert_eq!(css.header("content-type"), Some("text/css; charset=utf-8"));
    assert_eq!(
        css.header("cache-control"),
        Some("public, max-age=31536000, immutable")
    );
    let digest = stockroom::crypto::sha256_hex(&css.body);
    assert!(path.contains(&digest[..16]), "{path}");
    assert_eq!(app.get("/app/assets/app.0000000000000000.css").status, 404);
}

#[test]
fn customer_credentials_and_publishable_keys_never_reach_the_ui() {
    let app = TestApp::start();
    let (_, token) = app.signup("shopper@example.com", "pw-shopper-1");
    let session = app.request(
        "POST",
        "/auth/session",
        &[("authorization", &format!("Bearer {token}"))],
        None,
    );
    let connect_sid = cookie_of(&session);
    let value = connect_sid.trim_start_matches("connect.sid=").to_string();
    let as_app_cookie = format!("stockroom_app={}", value.trim_start_matches("s%3A"));
    let bearer = format!("Bearer {token}");
    for headers in [
        vec![("cookie", connect_sid.as_str())],
        vec![("cookie", as_app_cookie.as_str())],
        vec![("authorization", bearer.as_str())],
        vec![("x-publishable-api-key", DEMO_KEY)],
    ] {
        let reply = app.request("GET", "/app/orders", &headers, None);
        assert_eq!(reply.status, 303, "{headers:?}");
    }
    // A customer's session under a *valid* UI signature is still refused: the session is a
    // customer's. The same construction over a staff session is let in, so the refusal above
    // is about who the session belongs to, not about the signature.
    let app_cookie_for = |sid: &str| {
        let set = session::set_session_cookie(app.engine(), sid, false);
        set.split(';').next().expect("name=value").to_string()
    };
    let sid_of = |connect_sid: &str| {
        let value = connect_sid.trim_start_matches("connect.sid=s%3A");
        value.split('.').next().expect("sid").to_string()
    };
    let customer_cookie = app_cookie_for(&sid_of(&connect_sid));
    let refused = app.request("GET", "/app/orders", &[("cookie", &customer_cookie)], None);
    assert_eq!(refused.status, 303);
    assert_eq!(
        refused.header("location"),
        Some("/app/sign-in?next=/app/orders")
    );
    let staff_token = app.admin_token();
    let staff_session = app.request(
        "POST",
        "/auth/session",
        &[("authorization", &format!("Bearer {staff_token}"))],
        None,
    );
    let staff_cookie = app_cookie_for(&sid_of(&cookie_of(&staff_session)));
    let let_in = app.request("GET", "/app/orders", &[("cookie", &staff_cookie)], None);
    assert_eq!(
        let_in.status, 200,
        "a staff session under the same signature"
    );

    // A customer's emailpass login is not a staff sign-in either.
    let mut browser = Browser::new(&app);
    let reply = browser.sign_in_as("shopper@example.com", "pw-shopper-1");
    assert_eq!(reply.status, 401, "{}", reply.text());
}

#[test]
fn sign_in_failures_are_throttled_like_the_api() {
    let app = TestApp::start();
    let mut browser = Browser::new(&app);
    let mut statuses = Vec::new();
    for _ in 0..8 {
        statuses.push(browser.sign_in_as(ADMIN_EMAIL, "wrong").status);
    }
    assert!(statuses.contains(&429), "{statuses:?}");
    let api = app.login_reply("user", ADMIN_EMAIL, "wrong");
    assert_eq!(api.status, 429, "the API shares the throttle");
}

//! Login throttling (security issue 12, finding 4): failures are counted per (identity,
//! client address) with growing delays (429 + `Retry-After`), nobody can lock an owner out,
//! admins see the records, and over-long passwords are refused before hashing. Time moves
//! on the engine's manual clock, never by sleeping.

use crate::common;

use common::TestApp;
use common::accounts::{ADMIN_EMAIL, ADMIN_PASSWORD};
use serde_json::json;
use std::net::IpAddr;
use stockroom::flows::auth as flow;

const EMAIL: &str = "owner@example.com";

fn ip(text: &str) -> Option<IpAddr> {
    Some(text.parse().unwrap())
}

/// Fails `n` times from `client`, waiting out each delay on the manual clock.
fn fail_from(app: &TestApp, actor: &str, email: &str, client: Option<IpAddr>, n: usize) {
    let mut failed = 0;
    while failed < n {
        match flow::login(app.engine(), actor, email, "wrong", client) {
            Err(stockroom::Error::TooManyRequests {
                retry_after_secs, ..
            }) => {
                app.engine().clock().advance(retry_after_secs as i64 * 1000);
            }
            Err(e) => {
                assert_eq!(e.status(), 401, "{e}");
                failed += 1;
            }
            Ok(_) => panic!("a wrong password logged in"),
        }
    }
}

#[test]
fn a_few_failures_from_one_address_answer_429_with_retry_after_until_the_delay_passes() {
    let app = TestApp::start();
    app.register("customer", EMAIL, "right");
    for _ in 0..5 {
        assert_eq!(app.login_reply("customer", EMAIL, "wrong").status, 401);
    }
    let refused = app.login_reply("customer", EMAIL, "right");
    common::check(
        &refused,
        429,
        json!({"type": "not_allowed", "message": "Too many login attempts, retry in 30 s"}),
    );
    assert_eq!(refused.header("retry-after"), Some("30"));
    app.engine().clock().advance(30_000);
    assert_eq!(app.login_reply("customer", EMAIL, "right").status, 200);
    // The success forgot the streak: five more failures are needed before the next 429.
    for _ in 0..4 {
        assert_eq!(app.login_reply("customer", EMAIL, "wrong").status, 401);
    }
    assert_eq!(app.login_reply("customer", EMAIL, "right").status, 200);
}

#[test]
fn delays_double_with_further_failures_up_to_the_cap() {
    let app = TestApp::start();
    let client = ip("203.0.113.9");
    let mut delays = Vec::new();
    for _ in 0..12 {
        let _ = flow::login(app.engine(), "customer", EMAIL, "wrong", client);
        if let Err(stockroom::Error::TooManyRequests {
            retry_after_secs, ..
        }) = flow::login(app.engine(), "customer", EMAIL, "wrong", client)
        {
            delays.push(retry_after_secs);
            app.engine().clock().advance(retry_after_secs as i64 * 1000);
        }
    }
    assert_eq!(delays, [30, 60, 120, 240, 480, 900, 900, 900, 900, 900]);
}

#[test]
fn the_owner_gets_in_from_another_address_after_a_flood_from_one() {
    let app = TestApp::start();
    let attacker = ip("203.0.113.1");
    fail_from(&app, "user", ADMIN_EMAIL, attacker, 25);
    // The admin, from the test client's own address (127.0.0.1), is not throttled.
    assert_eq!(
        app.login_reply("user", ADMIN_EMAIL, ADMIN_PASSWORD).status,
        200
    );
    // And from the attacker's address once its delay has passed.
    app.engine().clock().advance(15 * 60_000);
    assert!(flow::login(app.engine(), "user", ADMIN_EMAIL, ADMIN_PASSWORD, attacker).is_ok());
}

#[test]
fn many_addresses_slow_each_other_but_a_fresh_address_still_gets_in() {
    let app = TestApp::start();
    app.register("customer", EMAIL, "right");
    for i in 0..60 {
        let _ = flow::login(
            app.engine(),
            "customer",
            EMAIL,
            "wrong",
            ip(&format!("198.51.100.{i}")),
        );
    }
    // Under the crowd, one failure from a fresh address is enough to throttle it…
    let fresh = ip("192.0.2.1");
    let first = flow::login(app.engine(), "customer", EMAIL, "wrong", fresh).unwrap_err();
    assert_eq!(first.status(), 401);
    let second = flow::login(app.engine(), "customer", EMAIL, "right", fresh).unwrap_err();
    assert_eq!(second.status(), 429);
    // …but the first attempt from an address is always checked, so the owner gets in.
    assert!(flow::login(app.engine(), "customer", EMAIL, "right", ip("192.0.2.2")).is_ok());
    assert_eq!(app.login_reply("customer", EMAIL, "right").status, 200);
}

#[test]
fn unknown_emails_are_throttled_like_known_ones() {
    let app = TestApp::start();
    for _ in 0..5 {
        assert_eq!(
            app.login_reply("customer", "nobody@example.com", "x")
                .status,
            401
        );
    }
    assert_eq!(
        app.login_reply("customer", "nobody@example.com", "x")
            .status,
        429
    );
}

#[test]
fn admins_list_throttled_attempts() {
    let app = TestApp::start();
    let token = app.admin_token();
    let started = stockroom::clock::format_iso8601(app.engine().clock().now());
    let until = stockroom::clock::format_iso8601(app.engine().clock().now() + 30_000);
    for _ in 0..6 {
        app.login_reply("customer", "Victim@Example.com", "wrong");
    }
    let path = "/admin/auth/throttled-attempts";
    assert_eq!(app.get(path).status, 401);
    let reply = app.request(
        "GET",
        path,
        &[("authorization", &format!("Bearer {token}"))],
        None,
    );
    assert_eq!(reply.status, 200, "{}", reply.text());
    let body = reply.json();
    assert_eq!(
        (&body["count"], &body["offset"], &body["limit"]),
        (&json!(1), &json!(0), &json!(50))
    );
    let row = &body["throttled_attempts"][0];
    assert_eq!(row["email"], "victim@example.com");
    assert_eq!(row["address"], "127.0.0.1");
    assert_eq!(row["count"], 5, "the sixth attempt was refused unchecked");
    assert_eq!(row["first_attempt_at"], started.as_str());
    assert_eq!(row["blocked_until"], until.as_str());
}

#[test]
fn over_long_passwords_are_refused_before_hashing() {
    let app = TestApp::start();
    let long = "x".repeat(1025);
    let expected =
        json!({"type": "invalid_data", "message": "Password must be at most 1024 bytes"});
    common::check(
        &app.login_reply("customer", EMAIL, &long),
        400,
        expected.clone(),
    );
    let register = app.post(
        "/auth/customer/emailpass/register",
        &[],
        &json!({"email": EMAIL, "password": long}),
    );
    common::check(&register, 400, expected);
    app.register("customer", EMAIL, &"y".repeat(1024));
}

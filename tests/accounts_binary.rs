//! Black-box tests through the real `stockroom` binary: the access log of auth traffic
//! carries no secret, and `stockroom user create` makes an admin who can log in.

mod common;

use common::accounts::{ADMIN_EMAIL, ADMIN_PASSWORD};
use serde_json::{Value, json};
use stockroom::modules::auth::config::{DEV_COOKIE_SECRET, DEV_JWT_SECRET};

/// Strings that must never reach the log.
fn secrets(extra: &[&str]) -> Vec<String> {
    let mut all: Vec<String> = [
        "$argon2",
        ADMIN_PASSWORD,
        "pw-secret-1",
        DEV_JWT_SECRET,
        DEV_COOKIE_SECRET,
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    all.extend(extra.iter().map(|s| s.to_string()));
    all
}

/// Runs the real binary in demo mode and checks its access log after auth traffic.
#[test]
fn no_secret_in_access_log_lines() {
    use std::io::{BufRead, BufReader, Read};
    use std::process::{Command, Stdio};
    let mut child = Command::new(env!("CARGO_BIN_EXE_stockroom"))
        .args(["serve", "--demo", "--port", "0"])
        .env_remove("STOCKROOM_ADMIN_PASSWORD")
        .env_remove("STOCKROOM_ADMIN_EMAIL")
        .env_remove("JWT_SECRET")
        .env_remove("COOKIE_SECRET")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    let addr = line.trim().rsplit("http://").next().unwrap().to_string();
    let send = |method: &str, path: &str, headers: &[(&str, &str)], body: Value| {
        common::client::send(
            &addr,
            method,
            path,
            headers,
            Some(body.to_string().as_bytes()),
        )
    };
    let json_ct = ("content-type", "application/json");
    let login = send(
        "POST",
        "/auth/user/emailpass",
        &[json_ct],
        json!({"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}),
    );
    let token = login.json()["token"].as_str().unwrap().to_string();
    let bearer = format!("Bearer {token}");
    let key = send(
        "POST",
        "/admin/api-keys",
        &[json_ct, ("authorization", &bearer)],
        json!({"title": "t", "type": "secret"}),
    );
    let sk = key.json()["api_key"]["token"].as_str().unwrap().to_string();
    send(
        "GET",
        &format!("/admin/invites/accept?token={sk}"),
        &[("authorization", &format!("Basic {sk}"))],
        json!({}),
    );
    send(
        "POST",
        "/auth/customer/emailpass/register",
        &[json_ct],
        json!({"email": "x@example.com", "password": "pw-secret-1"}),
    );
    let _ = child.kill();
    let mut log = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut log)
        .unwrap();
    let _ = child.wait();
    assert!(log.contains("POST /admin/api-keys 200"), "{log}");
    for secret in secrets(&[&token, &sk[3..]]) {
        assert!(
            !log.contains(secret.as_str()),
            "access log leaks {secret}: {log}"
        );
    }
}

#[test]
fn cli_user_create_makes_a_login() {
    use std::process::Command;
    let dir = std::env::temp_dir().join(format!("stockroom-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let db = dir.join("shop.db");
    let out = Command::new(env!("CARGO_BIN_EXE_stockroom"))
        .args(["user", "create", "--db", db.to_str().unwrap()])
        .args(["--email", "Owner@Example.com", "--password", "pw-secret-1"])
        .output()
        .expect("the binary runs");
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        out.status.success() && stdout.contains("created user user_"),
        "{stdout}"
    );
    assert!(!stdout.contains("pw-secret-1"));
    let store = stockroom::db::Store::open(&db, Default::default()).unwrap();
    let engine = stockroom::Engine::builder().build(store.clone()).unwrap();
    let token =
        stockroom::flows::auth::login(&engine, "user", "owner@example.com", "pw-secret-1", None)
            .unwrap();
    let context = stockroom::flows::auth::verify_token(&engine, &token).unwrap();
    assert!(context.actor_id.starts_with("user_"));
    store.close();
    let _ = std::fs::remove_dir_all(&dir);
}

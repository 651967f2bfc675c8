//! Black-box tests through the real `stockroom` binary: the access log of auth traffic
//! carries no secret, `stockroom user create` makes an admin who can log in, and passwords
//! stored in a real store file get production hash parameters (issue 12, finding 5).

use crate::common;

use common::accounts::{ADMIN_EMAIL, ADMIN_PASSWORD};
use serde_json::{Value, json};
use stockroom::modules::auth::config::{DEV_COOKIE_SECRET, DEV_JWT_SECRET};
use stockroom::modules::auth::{self, password};

/// `(m, t, p)` of a stored hash.
fn hash_params(phc: &str) -> (u32, u32, u32) {
    let params = password::params_of(phc).expect("an argon2 hash");
    (params.m_cost(), params.t_cost(), params.p_cost())
}

/// `(m, t, p)` of production hashes.
fn production_params() -> (u32, u32, u32) {
    let params = password::params(password::Cost::Standard);
    (params.m_cost(), params.t_cost(), params.p_cost())
}

/// The stored emailpass hash of `email` in a store file.
fn stored_hash(db: &std::path::Path, email: &str) -> String {
    let store = stockroom::db::Store::open(db, Default::default()).unwrap();
    let record = store
        .read(|c| auth::find_emailpass(c, email))
        .unwrap()
        .expect("an identity");
    store.close();
    record.password_hash
}

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
    let hash = stored_hash(&db, "owner@example.com");
    assert_eq!(hash_params(&hash), production_params(), "{hash}");
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

/// Finding 5: `seed` into a store file hashed the fixture's passwords with the light
/// parameters of demo stores, so a wrong password for the seeded admin answered far faster
/// than an unknown email and revealed the account.
#[test]
fn seed_into_a_store_file_hashes_with_production_parameters() {
    use std::process::Command;
    let dir = std::env::temp_dir().join(format!("stockroom-seed-hash-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let db = dir.join("shop.db");
    let fixture = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/demo.json");
    let out = Command::new(env!("CARGO_BIN_EXE_stockroom"))
        .args(["seed", "--db", db.to_str().unwrap(), fixture])
        .env_remove("STOCKROOM_ADMIN_PASSWORD")
        .env_remove("STOCKROOM_ADMIN_EMAIL")
        .output()
        .expect("the binary runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let hash = stored_hash(&db, ADMIN_EMAIL);
    assert_eq!(hash_params(&hash), production_params(), "{hash}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// A hash weaker than the engine's parameters (a fixture's light hash, an old export) is
/// replaced at the next successful login, and the password keeps working.
#[test]
fn a_weak_hash_is_upgraded_at_the_next_login() {
    let store = stockroom::db::Store::memory(Default::default()).unwrap();
    let engine = stockroom::Engine::builder()
        .auth(auth::AuthConfig::offline())
        .build(store.clone())
        .unwrap();
    let light = password::hash("pw-light", password::Cost::Light).unwrap();
    let ctx = engine.ctx().clone();
    let weak = light.clone();
    store
        .write(move |tx| {
            auth::create_emailpass(tx, &ctx, "old@example.com", &weak, &Default::default())
        })
        .unwrap();
    let login = |pass: &str| {
        stockroom::flows::auth::login(&engine, "customer", "old@example.com", pass, None)
    };
    assert!(login("wrong").is_err());
    let unchanged = store
        .read(|c| auth::find_emailpass(c, "old@example.com"))
        .unwrap()
        .unwrap();
    assert_eq!(unchanged.password_hash, light, "a failure changes nothing");
    login("pw-light").unwrap();
    let upgraded = store
        .read(|c| auth::find_emailpass(c, "old@example.com"))
        .unwrap()
        .unwrap();
    assert_eq!(hash_params(&upgraded.password_hash), production_params());
    assert!(password::verify("pw-light", &upgraded.password_hash));
    login("pw-light").unwrap();
    engine.shutdown();
}

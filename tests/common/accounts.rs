//! Helpers for the accounts tests: register, log in, and call routes with a bearer token,
//! a session cookie or a secret key.

use super::client::Reply;
use super::{DEMO_KEY, TestApp};
use serde_json::{Value, json};

/// The demo fixture's admin (fixtures/demo.json).
pub const ADMIN_EMAIL: &str = "admin@example.com";
/// The demo fixture's admin password.
pub const ADMIN_PASSWORD: &str = "supersecret";

impl TestApp {
    /// POST JSON with extra headers.
    pub fn post(&self, path: &str, headers: &[(&str, &str)], body: &Value) -> Reply {
        let mut all = vec![("content-type", "application/json")];
        all.extend_from_slice(headers);
        self.request("POST", path, &all, Some(&body.to_string()))
    }

    /// `POST /auth/<actor>/emailpass/register` → the token (panics if refused).
    pub fn register(&self, actor: &str, email: &str, password: &str) -> String {
        let reply = self.post(
            &format!("/auth/{actor}/emailpass/register"),
            &[],
            &json!({"email": email, "password": password}),
        );
        assert_eq!(reply.status, 200, "{}", reply.text());
        token_of(&reply)
    }

    /// `POST /auth/<actor>/emailpass` → the raw reply.
    pub fn login_reply(&self, actor: &str, email: &str, password: &str) -> Reply {
        self.post(
            &format!("/auth/{actor}/emailpass"),
            &[],
            &json!({"email": email, "password": password}),
        )
    }

    /// Logs in and returns the token (panics if refused).
    pub fn login(&self, actor: &str, email: &str, password: &str) -> String {
        let reply = self.login_reply(actor, email, password);
        assert_eq!(reply.status, 200, "{}", reply.text());
        token_of(&reply)
    }

    /// The demo admin's token.
    pub fn admin_token(&self) -> String {
        self.login("user", ADMIN_EMAIL, ADMIN_PASSWORD)
    }

    /// Registers a customer through the storefront sequence and returns
    /// `(customer id, bound token)`.
    pub fn signup(&self, email: &str, password: &str) -> (String, String) {
        let registration = self.register("customer", email, password);
        let reply = self.store_call(
            "POST",
            "/store/customers",
            &registration,
            Some(&json!({"email": email, "first_name": "Ada"})),
        );
        assert_eq!(reply.status, 200, "{}", reply.text());
        let id = reply.json()["customer"]["id"].as_str().unwrap().to_string();
        (id, self.login("customer", email, password))
    }

    /// A /store call with the demo key and a bearer token.
    pub fn store_call(&self, method: &str, path: &str, token: &str, body: Option<&Value>) -> Reply {
        let auth = format!("Bearer {token}");
        let text = body.map(Value::to_string);
        self.request(
            method,
            path,
            &[
                ("x-publishable-api-key", DEMO_KEY),
                ("authorization", &auth),
                ("content-type", "application/json"),
            ],
            text.as_deref(),
        )
    }

    /// An /admin call with an `Authorization` header value.
    pub fn admin_call(
        &self,
        method: &str,
        path: &str,
        authorization: &str,
        body: Option<&Value>,
    ) -> Reply {
        let text = body.map(Value::to_string);
        self.request(
            method,
            path,
            &[
                ("authorization", authorization),
                ("content-type", "application/json"),
            ],
            text.as_deref(),
        )
    }
}

/// The `token` of an auth reply.
pub fn token_of(reply: &Reply) -> String {
    reply.json()["token"].as_str().expect("a token").to_string()
}

/// The decoded payload of a JWT.
pub fn claims(token: &str) -> Value {
    let payload = token.split('.').nth(1).expect("a JWT");
    serde_json::from_slice(&stockroom::crypto::b64url_decode(payload).expect("base64url"))
        .expect("JSON")
}

/// The `name=value` part of a reply's `Set-Cookie`.
pub fn cookie_of(reply: &Reply) -> String {
    let header = reply.header("set-cookie").expect("a Set-Cookie header");
    header.split(';').next().unwrap_or("").to_string()
}

//! A tiny browser for the admin UI tests: a cookie jar over the test client, form posts,
//! and reading hidden fields out of pages.
#![allow(dead_code)]

use crate::common::TestApp;
use crate::common::accounts::{ADMIN_EMAIL, ADMIN_PASSWORD};
use crate::common::client::Reply;

/// One browser session against a test app.
pub struct Browser<'a> {
    /// The app.
    pub app: &'a TestApp,
    /// `name=value` cookies, replaced by name.
    pub cookies: Vec<(String, String)>,
}

/// Percent-encodes a form value.
pub fn enc(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The `value` of the first input named `name` in `html`.
pub fn hidden(html: &str, name: &str) -> Option<String> {
    let at = html.find(&format!("name=\"{name}\""))?;
    let tag_start = html[..at].rfind('<')?;
    let tag_end = at + html[at..].find('>')?;
    let tag = &html[tag_start..tag_end];
    let v = tag.find("value=\"")? + 7;
    let end = tag[v..].find('"')?;
    Some(tag[v..v + end].to_string())
}

impl<'a> Browser<'a> {
    /// A browser with no cookies.
    pub fn new(app: &'a TestApp) -> Self {
        Browser {
            app,
            cookies: Vec::new(),
        }
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    fn keep_cookies(&mut self, reply: &Reply) {
        for (name, value) in &reply.headers {
            if name != "set-cookie" {
                continue;
            }
            let pair = value.split(';').next().unwrap_or("");
            let Some((k, v)) = pair.split_once('=') else {
                continue;
            };
            self.cookies.retain(|(name, _)| name != k);
            if !v.is_empty() && !value.contains("Max-Age=0") {
                self.cookies.push((k.to_string(), v.to_string()));
            }
        }
    }

    /// GET with the jar's cookies.
    pub fn get(&mut self, path: &str) -> Reply {
        let cookie = self.cookie_header();
        let reply = self.app.request("GET", path, &[("cookie", &cookie)], None);
        self.keep_cookies(&reply);
        reply
    }

    /// POST a `multipart/form-data` body (already encoded, with `boundary`) with the jar's
    /// cookies.
    pub fn post_multipart(&mut self, path: &str, boundary: &str, body: &[u8]) -> Reply {
        let cookie = self.cookie_header();
        let content_type = format!("multipart/form-data; boundary={boundary}");
        let reply = crate::common::client::send(
            &self.app.addr,
            "POST",
            path,
            &[("cookie", &cookie), ("content-type", &content_type)],
            Some(body),
        );
        self.keep_cookies(&reply);
        reply
    }

    /// POST a form (`(name, value)` pairs, encoded here).
    pub fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Reply {
        let body = fields
            .iter()
            .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
            .collect::<Vec<_>>()
            .join("&");
        let cookie = self.cookie_header();
        let reply = self.app.request(
            "POST",
            path,
            &[
                ("cookie", &cookie),
                ("content-type", "application/x-www-form-urlencoded"),
            ],
            Some(&body),
        );
        self.keep_cookies(&reply);
        reply
    }

    /// Signs in through the form; returns the sign-in POST's reply.
    pub fn sign_in_as(&mut self, email: &str, password: &str) -> Reply {
        let page = self.get("/app/sign-in").text();
        let token = hidden(&page, "_signin").expect("a sign-in token");
        self.post(
            "/app/sign-in",
            &[
                ("_signin", &token),
                ("email", email),
                ("password", password),
                ("next", "/app"),
            ],
        )
    }

    /// Signs in as the demo admin, asserting success.
    pub fn sign_in(&mut self) {
        let reply = self.sign_in_as(ADMIN_EMAIL, ADMIN_PASSWORD);
        assert_eq!(reply.status, 303, "{}", reply.text());
    }

    /// The CSRF token of the session (from the sign-out form of any page).
    pub fn csrf(&mut self) -> String {
        let page = self.get("/app").text();
        hidden(&page, "_csrf").expect("a CSRF token on the page")
    }

    /// POST a form with the session's CSRF token.
    pub fn submit(&mut self, path: &str, fields: &[(&str, &str)]) -> Reply {
        let csrf = self.csrf();
        let mut all = vec![("_csrf", csrf.as_str())];
        all.extend_from_slice(fields);
        self.post(path, &all)
    }

    /// The value of a cookie in the jar.
    pub fn cookie(&self, name: &str) -> Option<String> {
        self.cookies
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    }
}

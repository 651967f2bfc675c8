//! The bad-input harness: requests generated from the route table — bad ids, broken and hostile
//! query strings, broken, mistyped, oversized and non-UTF-8 bodies, wrong content types, missing
//! and wrong credentials — against every route. Asserts: no 5xx, every 4xx carries Medusa's
//! error JSON, the server keeps serving, and a rejected request changes no data.
//! New routes are covered automatically (the list comes from `engine.router()`).

use crate::common;

use common::client::{self, Reply};
use common::{DEMO_KEY, TestApp};
use serde_json::Value;
use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use stockroom::Engine;
use stockroom::db::module::table_names;

/// A hash of every row of every table, except the workflow journal (a log that records even
/// rejected runs as `reverted`) and the dispatcher's own bookkeeping (`event_cursor`,
/// `event_delivery`, which it advances in the background). The outbox itself is included: a
/// rejected request must emit nothing.
fn fingerprint(engine: &Engine) -> u64 {
    // Deliveries of events emitted by earlier (accepted) requests change `event_*` rows in
    // the background; let them settle so only this request's effect is compared.
    engine.wait_idle().unwrap();
    engine
        .store()
        .read(|conn| {
            let mut hasher = DefaultHasher::new();
            for table in table_names(conn)?.iter().filter(|t| {
                !t.starts_with("workflow_") && *t != "event_cursor" && *t != "event_delivery"
            }) {
                let mut stmt = conn.prepare(&format!("SELECT * FROM \"{table}\""))?;
                let columns = stmt.column_count();
                let mut rows = stmt.query([])?;
                table.hash(&mut hasher);
                while let Some(row) = rows.next()? {
                    for i in 0..columns {
                        format!("{:?}", row.get_ref(i)?).hash(&mut hasher);
                    }
                }
            }
            Ok(hasher.finish())
        })
        .unwrap()
}

const BAD_IDS: [&str; 5] = [
    "does_not_exist",
    "'%3B DROP TABLE product%3B--",
    "%00",
    "%C3%BC%C3%B1%C3%AF",
    "%FF%FE",
];

const BAD_QUERIES: [&str; 14] = [
    "limit=-1",
    "limit=abc",
    "limit=99999999999999999999999",
    "offset=1e99",
    "fields=%ZZ",
    "fields=*no_such_relation.deeper.still",
    "fields=-id,-,+,*",
    "order=%3BDROP",
    "id[999]=x&id[0]=y",
    "a[b][c][d][e][f][g][h]=1",
    "created_at[$gte]=not-a-date",
    "q=%25%25%25%27%22",
    "region_id[]=a&region_id[x]=b",
    "%FF=%FE",
];

fn bad_bodies() -> Vec<(&'static str, Vec<u8>)> {
    let long = format!("{{\"title\":\"{}\"}}", "x".repeat(60_000));
    let deep = format!("{}{}", "[".repeat(5000), "]".repeat(5000));
    vec![
        ("application/json", b"{".to_vec()),
        ("application/json", b"[]".to_vec()),
        ("application/json", b"null".to_vec()),
        ("application/json", b"\"text\"".to_vec()),
        ("application/json", b"{\"unknown_field\": 1}".to_vec()),
        (
            "application/json",
            b"{\"quantity\": -5, \"amount\": 1e400, \"limit\": 18446744073709551616}".to_vec(),
        ),
        (
            "application/json",
            b"{\"title\": 5, \"metadata\": \"not an object\", \"email\": []}".to_vec(),
        ),
        ("application/json", long.into_bytes()),
        ("application/json", deep.into_bytes()),
        (
            "application/json",
            vec![b'{', b'"', 0xff, 0xfe, b'"', b':', b'1', b'}'],
        ),
        ("text/plain", b"hello".to_vec()),
        ("application/json", vec![b' '; 70 * 1024]),
    ]
}

fn credentials(app: &TestApp) -> Vec<Vec<(&'static str, String)>> {
    vec![
        vec![
            ("x-publishable-api-key", DEMO_KEY.to_string()),
            ("authorization", format!("Bearer {}", app.admin_token())),
        ],
        vec![],
        vec![("x-publishable-api-key", DEMO_KEY.to_string())],
        vec![
            ("x-publishable-api-key", "pk_wrong".to_string()),
            ("authorization", "Bearer not.a.jwt".to_string()),
        ],
        vec![
            ("x-publishable-api-key", DEMO_KEY.to_string()),
            ("authorization", "Basic c2tfbm9wZTo=".to_string()),
        ],
    ]
}

/// Fills `:param` segments with `id`.
fn path_with(pattern: &str, id: &str) -> String {
    pattern
        .split('/')
        .map(|s| if s.starts_with(':') { id } else { s })
        .collect::<Vec<_>>()
        .join("/")
}

#[derive(Default)]
struct Tally {
    sent: usize,
    by_class: [usize; 6],
}

#[track_caller]
fn assert_well_formed(reply: &Reply, what: &str) {
    assert!(
        reply.status < 500,
        "{what} → {} {}",
        reply.status,
        reply.text()
    );
    // The admin UI and the till answer their errors as HTML pages; what the server refuses
    // before any route runs (a malformed path or query) is the server's JSON error, as
    // everywhere.
    if what
        .split(' ')
        .any(|p| p.starts_with("/app") || p.starts_with("/pos"))
    {
        if reply.status >= 400 {
            let html = reply
                .header("content-type")
                .is_some_and(|t| t.starts_with("text/html"));
            let json = reply.json()["message"].is_string();
            assert!(
                html || json,
                "{what} → {} is neither a page nor an error",
                reply.status
            );
        }
        return;
    }
    if reply.status >= 400 {
        let body: Value = reply.json();
        let message_ok = body["message"].is_string();
        let typed = body["type"].is_string() || reply.status == 401 || body["errors"].is_array();
        assert!(
            message_ok && typed,
            "{what} → {} without Medusa's error JSON: {}",
            reply.status,
            reply.text()
        );
    }
}

fn send(
    app: &TestApp,
    tally: &mut Tally,
    method: &str,
    path: &str,
    headers: &[(&str, String)],
    body: Option<(&str, &[u8])>,
) -> Reply {
    let mut all: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (*k, v.as_str())).collect();
    if let Some((content_type, _)) = body {
        all.push(("content-type", content_type));
    }
    let reply = client::send(&app.addr, method, path, &all, body.map(|(_, b)| b));
    tally.sent += 1;
    tally.by_class[(reply.status / 100).min(5) as usize] += 1;
    reply
}

/// One generated request: method, path, optional (content type, body).
struct Probe {
    method: String,
    path: String,
    body: Option<(&'static str, Vec<u8>)>,
}

/// Every bad request for one route.
fn probes(method: &str, pattern: &str) -> Vec<Probe> {
    let probe = |path: String, body| Probe {
        method: method.to_string(),
        path,
        body,
    };
    let ids: &[&str] = if pattern.contains(':') {
        &BAD_IDS
    } else {
        &BAD_IDS[..1]
    };
    let mut out: Vec<Probe> = ids
        .iter()
        .map(|id| probe(path_with(pattern, id), None))
        .collect();
    let base = path_with(pattern, "does_not_exist");
    out.extend(
        BAD_QUERIES
            .iter()
            .map(|q| probe(format!("{base}?{q}"), None)),
    );
    if method != "GET" {
        out.extend(
            bad_bodies()
                .into_iter()
                .map(|b| probe(base.clone(), Some(b))),
        );
    }
    out
}

fn reset(app: &TestApp) {
    assert_eq!(
        app.request("POST", "/test-control/reset", &[], None).status,
        200
    );
}

/// Sends every probe of a route under every credential; returns whether any mutating probe
/// was accepted (2xx), which makes a whole-route comparison meaningless.
fn run_route(
    app: &TestApp,
    creds: &[Vec<(&'static str, String)>],
    tally: &mut Tally,
    probes: &[Probe],
    check_each: Option<u64>,
) -> bool {
    let mut accepted = false;
    for headers in creds {
        for p in probes {
            let body = p.body.as_ref().map(|(ct, b)| (*ct, b.as_slice()));
            let reply = send(app, tally, &p.method, &p.path, headers, body);
            assert_well_formed(&reply, &format!("{} {}", p.method, p.path));
            accepted |= p.method != "GET" && reply.status < 300;
            if let Some(seeded) = check_each {
                if reply.status >= 400 {
                    assert_eq!(
                        seeded,
                        fingerprint(app.engine()),
                        "{} {} was rejected yet changed data",
                        p.method,
                        p.path
                    );
                }
                reset(app);
            }
        }
    }
    accepted
}

/// Every route, every probe, every credential: no 5xx, Medusa's error JSON on every 4xx, and
/// a route whose probes were all rejected leaves the data exactly as seeded. Routes that
/// accepted some probe are run again probe by probe, comparing after each rejection.
#[test]
fn no_route_answers_bad_input_with_a_5xx_or_a_change() {
    let app = TestApp::start();
    // Logging in writes (throttle bookkeeping): do it once, before the reference state.
    let creds = credentials(&app);
    reset(&app);
    let seeded = fingerprint(app.engine());
    let routes: Vec<(String, String)> = app
        .engine()
        .router()
        .routes()
        .iter()
        .filter(|r| !r.pattern.starts_with("/test-control"))
        .map(|r| (r.method.to_string(), r.pattern.clone()))
        .collect();
    let mut tally = Tally::default();
    for (method, pattern) in &routes {
        let probes = probes(method, pattern);
        let accepted = run_route(&app, &creds, &mut tally, &probes, None);
        if accepted {
            reset(&app);
            run_route(&app, &creds, &mut tally, &probes, Some(seeded));
        } else if method != "GET" {
            assert_eq!(
                seeded,
                fingerprint(app.engine()),
                "rejected requests to {method} {pattern} changed data"
            );
        }
        reset(&app);
    }
    assert_eq!(app.get("/health").status, 200, "still serving");
    eprintln!(
        "bad-input harness: {} routes, {} requests: 2xx {}, 3xx {}, 4xx {}, 5xx {}",
        routes.len(),
        tally.sent,
        tally.by_class[2],
        tally.by_class[3],
        tally.by_class[4],
        tally.by_class[5]
    );
}

#[test]
fn gets_never_change_data() {
    let app = TestApp::start();
    let before = fingerprint(app.engine());
    let patterns: Vec<String> = app
        .engine()
        .router()
        .routes()
        .iter()
        .filter(|r| r.method == "GET")
        .map(|r| r.pattern.clone())
        .collect();
    let mut tally = Tally::default();
    for pattern in patterns {
        for headers in credentials(&app) {
            let reply = send(
                &app,
                &mut tally,
                "GET",
                &path_with(&pattern, "does_not_exist"),
                &headers,
                None,
            );
            assert_well_formed(&reply, &pattern);
        }
    }
    assert_eq!(before, fingerprint(app.engine()));
}

#[test]
fn the_openapi_document_lists_every_route() {
    let app = TestApp::start();
    let doc = app.get("/openapi.json").json();
    assert_eq!(doc["openapi"], "3.0.3");
    // The admin UI's HTML pages are not part of the API document.
    let api = app.engine().router().routes().iter();
    for route in api.filter(|r| !r.pattern.starts_with("/app")) {
        let path = route
            .pattern
            .split('/')
            .map(|s| {
                s.strip_prefix(':')
                    .map_or_else(|| s.to_string(), |p| format!("{{{p}}}"))
            })
            .collect::<Vec<_>>()
            .join("/");
        assert!(
            doc["paths"][&path][route.method.to_ascii_lowercase()].is_object(),
            "{} {}",
            route.method,
            route.pattern
        );
    }
}

//! `/metrics`: request counters by route pattern and status, writer and store figures, and
//! its access rule (loopback, or a bearer token when one is configured).

use crate::common;

use common::{DEMO_KEY, TestApp, config};
use stockroom::Engine;

/// The value of the sample line starting with `prefix` (labels included).
fn sample(text: &str, prefix: &str) -> Option<f64> {
    text.lines()
        .find(|l| l.starts_with(prefix) && l[prefix.len()..].starts_with(' '))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|v| v.parse().ok())
}

/// `/metrics` once every request of the test below is counted. A worker counts a request
/// after it has written the answer, so the client can ask for `/metrics` (on the other
/// worker) a moment before that: read again until all are in. Counts only grow, and no
/// request of an asserted route follows, so what is read then is final.
fn settled_metrics(app: &TestApp) -> common::client::Reply {
    let counted = |text: &str| {
        let get = |route: &str, status: u16| {
            sample(
                text,
                &format!(
                    "stockroom_http_requests_total{{method=\"GET\",route=\"{route}\",status=\"{status}\"}}"
                ),
            )
        };
        let unmatched =
            "stockroom_http_requests_total{method=\"\",route=\"unmatched\",status=\"404\"}";
        get("/store/products", 200) >= Some(4.0)
            && get("/store/products/:id", 200).is_some()
            && get("/store/products/:id", 404).is_some()
            && sample(text, unmatched).is_some()
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let reply = app.get("/metrics");
        if reply.status != 200 || counted(&reply.text()) || std::time::Instant::now() > deadline {
            return reply;
        }
        std::thread::yield_now();
    }
}

#[test]
fn metrics_count_requests_by_route_pattern_and_report_the_store() {
    let app = TestApp::start();
    let variant = app.variant();
    for _ in 0..2 {
        assert_eq!(
            app.store_get(&format!("/store/products?id={variant}"))
                .status,
            200
        );
    }
    let product = app.store_get("/store/products?limit=1").json()["products"][0]["id"]
        .as_str()
        .expect("product")
        .to_string();
    assert_eq!(
        app.store_get(&format!("/store/products/{product}")).status,
        200
    );
    assert_eq!(app.store_get("/store/products/prod_missing").status, 404);
    assert_eq!(app.get("/no/such/route").status, 404);
    let reply = settled_metrics(&app);
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert!(
        reply
            .header("content-type")
            .is_some_and(|t| t.starts_with("text/plain; version=0.0.4")),
        "{:?}",
        reply.header("content-type")
    );
    let text = reply.text();
    let requests = |route: &str, status: u16| {
        sample(
            &text,
            &format!(
                "stockroom_http_requests_total{{method=\"GET\",route=\"{route}\",status=\"{status}\"}}"
            ),
        )
    };
    assert_eq!(requests("/store/products", 200), Some(4.0), "{text}");
    assert_eq!(
        requests("/store/products/:id", 200),
        Some(1.0),
        "by pattern, not path"
    );
    assert_eq!(requests("/store/products/:id", 404), Some(1.0));
    assert_eq!(
        sample(
            &text,
            "stockroom_http_requests_total{method=\"\",route=\"unmatched\",status=\"404\"}"
        ),
        Some(1.0)
    );
    let count = sample(
        &text,
        "stockroom_http_request_duration_seconds_count{method=\"GET\",route=\"/store/products\"}",
    );
    assert_eq!(count, Some(4.0));
    let inf = sample(
        &text,
        "stockroom_http_request_duration_seconds_bucket{method=\"GET\",route=\"/store/products\",le=\"+Inf\"}",
    );
    assert_eq!(inf, Some(4.0));
    assert!(sample(&text, "stockroom_writer_commits_total").is_some_and(|n| n > 0.0));
    assert!(sample(&text, "stockroom_writer_batch_size_count").is_some_and(|n| n > 0.0));
    assert!(sample(&text, "stockroom_writer_queue_depth").is_some());
    assert!(sample(&text, "stockroom_outbox_backlog").is_some());
    assert_eq!(
        sample(
            &text,
            "stockroom_workflow_executions{state=\"failed_compensation\"}"
        ),
        Some(0.0)
    );
    assert!(sample(&text, "stockroom_db_size_bytes").is_some_and(|n| n > 100_000.0));
    assert!(sample(&text, "process_resident_memory_bytes").is_some_and(|n| n > 0.0));
    let sqlite = |connection: &str, kind: &str| {
        sample(
            &text,
            &format!(
                "stockroom_sqlite_memory_bytes{{connection=\"{connection}\",kind=\"{kind}\"}}"
            ),
        )
    };
    assert!(
        sqlite("writer", "schema").is_some_and(|n| n > 0.0),
        "{text}"
    );
    assert!(sqlite("writer", "page_cache").is_some_and(|n| n > 0.0));
    assert!(sqlite("readers", "statements").is_some());
    assert!(sample(&text, "stockroom_sqlite_readers_counted").is_some());
    assert!(
        !text.contains(DEMO_KEY) && !text.contains(&variant),
        "no query values"
    );
}

#[test]
fn a_metrics_token_is_required_once_configured() {
    let mut config = config();
    config.ops.metrics_token = Some("scrape-token-for-the-test".into());
    let app = TestApp::with(config, Engine::builder());
    assert_eq!(
        app.get("/metrics").status,
        401,
        "loopback is not enough then"
    );
    let wrong = [("authorization", "Bearer scrape-token-for-the-tes")];
    assert_eq!(app.request("GET", "/metrics", &wrong, None).status, 401);
    let right = [("authorization", "Bearer scrape-token-for-the-test")];
    let reply = app.request("GET", "/metrics", &right, None);
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert!(reply.text().contains("stockroom_http_requests_total"));
}

#[test]
fn health_ready_answers_once_the_engine_is_built() {
    let app = TestApp::start();
    let reply = app.get("/health/ready");
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(reply.json()["status"], "ready");
    assert_eq!(app.get("/health").text(), "OK", "liveness unchanged");
}

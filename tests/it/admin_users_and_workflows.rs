//! `/admin/users/:id/auth-providers` and `/reset-password`, and the workflow-execution routes
//! that fit a synchronous engine (run a registered workflow under a transaction id, read it
//! by that id, its journal as server-sent events, step answers refused as no step waits).

use crate::common;

use common::TestApp;
use common::client::Reply;
use serde_json::{Value, json};
use stockroom::workflow::{Done, Step, Workflow};

struct Admin {
    app: TestApp,
    auth: String,
}

impl Admin {
    fn with(builder: stockroom::EngineBuilder) -> Admin {
        let app = TestApp::with(common::config(), builder);
        let auth = format!("Bearer {}", app.admin_token());
        Admin { app, auth }
    }

    fn call(&self, method: &str, path: &str, body: Option<Value>) -> Reply {
        self.app.admin_call(method, path, &self.auth, body.as_ref())
    }

    #[track_caller]
    fn ok(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let reply = self.call(method, path, body);
        assert_eq!(reply.status, 200, "{method} {path}: {}", reply.text());
        reply.json()
    }

    #[track_caller]
    fn fails(&self, method: &str, path: &str, body: Option<Value>, status: u16) -> Value {
        let reply = self.call(method, path, body);
        assert_eq!(reply.status, status, "{method} {path}: {}", reply.text());
        reply.json()
    }
}

fn greeting() -> Workflow {
    Workflow::new("greet")
        .step(Step::local("hello", |_, ctx| {
            Ok(Done::new(json!({"hello": ctx.input["name"]})))
        }))
        .step(Step::local("check", |_, ctx| {
            if ctx.input["name"] == "nobody" {
                return Err(stockroom::Error::invalid("nobody to greet"));
            }
            Ok(Done::new(json!(true)))
        }))
}

#[test]
fn an_admin_sees_how_a_user_signs_in_and_gets_a_reset_token_that_works() {
    let a = Admin::with(stockroom::Engine::builder());
    let me = a.ok("GET", "/admin/users/me", None)["user"].clone();
    let id = me["id"].as_str().unwrap_or_default().to_string();
    assert_eq!(
        a.ok("GET", &format!("/admin/users/{id}/auth-providers"), None),
        json!({"providers": ["emailpass"]})
    );
    a.fails("GET", "/admin/users/user_missing/auth-providers", None, 404);
    let token = a.ok("POST", &format!("/admin/users/{id}/reset-password"), None)["token"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(!token.is_empty());
    a.fails(
        "POST",
        "/admin/users/user_missing/reset-password",
        None,
        404,
    );
    // The token sets a new password through Medusa's reset route.
    let reply = a.app.request(
        "POST",
        "/auth/user/emailpass/update",
        &[
            ("authorization", &format!("Bearer {token}")),
            ("content-type", "application/json"),
        ],
        Some(r#"{"password": "a-brand-new-secret"}"#),
    );
    assert_eq!(reply.status, 200, "{}", reply.text());
    let email = me["email"].as_str().unwrap_or_default();
    let login = a.app.login_reply("user", email, "a-brand-new-secret");
    assert_eq!(login.status, 200, "{}", login.text());
}

#[test]
fn a_registered_workflow_runs_under_a_transaction_id_and_reads_back() {
    let a = Admin::with(stockroom::Engine::builder().workflow(greeting()));
    let ran = a.ok(
        "POST",
        "/admin/workflows-executions/greet/run",
        Some(json!({"input": {"name": "Ada"}, "transaction_id": "t-1"})),
    );
    assert_eq!(
        ran["acknowledgement"],
        json!({"workflowId": "greet", "transactionId": "t-1", "hasFinished": true,
               "hasFailed": false})
    );
    let read =
        a.ok("GET", "/admin/workflows-executions/greet/t-1", None)["workflow_execution"].clone();
    assert_eq!(read["state"], "done");
    assert_eq!(read["context"]["input"], json!({"name": "Ada"}));
    let events = a.call(
        "GET",
        "/admin/workflows-executions/greet/t-1/subscribe",
        None,
    );
    assert_eq!(events.status, 200);
    assert_eq!(events.header("content-type"), Some("text/event-stream"));
    let text = events.text();
    assert!(text.starts_with("event: onBegin\n"), "{text}");
    assert_eq!(text.matches("event: onStepSuccess\n").count(), 2, "{text}");
    assert!(text.contains("event: onFinish\n"), "{text}");

    let failed = a.fails(
        "POST",
        "/admin/workflows-executions/greet/run",
        Some(json!({"input": {"name": "nobody"}, "transaction_id": "t-2"})),
        400,
    );
    assert_eq!(failed["message"], "nobody to greet");
    let reverted = a.ok("GET", "/admin/workflows-executions/greet/t-2", None);
    assert_eq!(reverted["workflow_execution"]["state"], "reverted");

    a.fails(
        "POST",
        "/admin/workflows-executions/no-such-workflow/run",
        Some(json!({"input": {}})),
        404,
    );
    a.fails(
        "GET",
        "/admin/workflows-executions/greet/t-missing",
        None,
        404,
    );
    let refused = a.fails(
        "POST",
        "/admin/workflows-executions/greet/steps/success",
        Some(json!({"transaction_id": "t-1", "step_id": "hello", "response": {}})),
        400,
    );
    assert_eq!(refused["type"], "not_allowed");
    a.fails(
        "POST",
        "/admin/workflows-executions/greet/steps/failure",
        Some(json!({"transaction_id": "t-1", "step_id": "nope"})),
        404,
    );
    a.fails(
        "POST",
        "/admin/workflows-executions/greet/steps/failure",
        Some(json!({"step_id": "hello"})),
        400,
    );
    // The existing id route still answers for execution ids.
    let id = read["id"].as_str().unwrap_or_default();
    assert_eq!(
        a.ok("GET", &format!("/admin/workflows-executions/{id}"), None)["workflow_execution"]["id"],
        json!(id)
    );
    // Without a signed-in admin there is no running anything.
    let anonymous = a.app.request(
        "POST",
        "/admin/workflows-executions/greet/run",
        &[("content-type", "application/json")],
        Some("{}"),
    );
    assert_eq!(anonymous.status, 401);
}

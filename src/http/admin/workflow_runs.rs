//! The rest of `/admin/workflows-executions` as far as it fits a synchronous engine:
//! `POST /:workflow_id/run` runs a registered workflow (only those: the name must be in the
//! engine) under a transaction id (the idempotency key: a repeat answers the first run);
//! `GET /:workflow_id/:transaction_id` reads that execution; `GET
//! /:workflow_id/:transaction_id/subscribe` answers its journal as Medusa's server-sent
//! events (`onBegin`, a step event per journaled step, `onFinish`) and closes — every run
//! here ends inside the request that starts it, so there is nothing to wait for;
//! `POST /:workflow_id/steps/success|failure` find the step and refuse with 400
//! `not_allowed`, because no step of this engine ever waits for an outside answer (Medusa's
//! async steps); an unknown execution or step is a 404.

use super::workflows::execution_json;
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::http::validate::{Kind, Schema, get_str};
use crate::http::{Access, Body, Request, Response, Route};
use crate::workflow::{self, ExecutionRecord};
use serde_json::{Value, json};

/// The routes.
pub fn routes() -> Vec<Route> {
    vec![
        Route::new(
            "POST",
            "/admin/workflows-executions/:workflow_id/run",
            Access::Admin,
            "Run a registered workflow",
            run,
        ),
        Route::new(
            "GET",
            "/admin/workflows-executions/:workflow_id/:transaction_id",
            Access::Admin,
            "Retrieve a workflow execution by transaction id",
            by_transaction,
        ),
        Route::new(
            "GET",
            "/admin/workflows-executions/:workflow_id/:transaction_id/subscribe",
            Access::Admin,
            "A workflow execution's journal as server-sent events",
            subscribe,
        ),
        Route::new(
            "POST",
            "/admin/workflows-executions/:workflow_id/steps/success",
            Access::Admin,
            "Complete a waiting step (none wait in this engine)",
            step_success,
        ),
        Route::new(
            "POST",
            "/admin/workflows-executions/:workflow_id/steps/failure",
            Access::Admin,
            "Fail a waiting step (none wait in this engine)",
            step_failure,
        ),
    ]
}

fn run(engine: &Engine, request: &Request) -> Result<Response> {
    let schema = Schema::new()
        .optional("input", Kind::Any)
        .optional("transaction_id", Kind::String)
        .allow_unknown();
    let body = request.body_with(&schema)?;
    let name = request.param("workflow_id");
    if engine.workflow(name).is_none() {
        return Err(Error::not_found("Workflow", name));
    }
    let transaction = get_str(&body, "transaction_id")
        .map(str::to_string)
        .unwrap_or_else(|| engine.ctx().id("trx"));
    let input = body.get("input").cloned().unwrap_or(json!({}));
    workflow::run(engine, name, input, Some(&transaction))?;
    Ok(Response::json(json!({
        "acknowledgement": {
            "workflowId": name,
            "transactionId": transaction,
            "hasFinished": true,
            "hasFailed": false,
        }
    })))
}

fn execution(engine: &Engine, request: &Request) -> Result<ExecutionRecord> {
    let (name, key) = (
        request.param("workflow_id"),
        request.param("transaction_id"),
    );
    engine
        .store()
        .read(|c| workflow::load_execution_by_key(c, name, key))
}

fn by_transaction(engine: &Engine, request: &Request) -> Result<Response> {
    let record = execution(engine, request)?;
    Ok(Response::json(
        json!({ "workflow_execution": execution_json(&record) }),
    ))
}

fn finished(status: &str) -> bool {
    matches!(status, "done" | "reverted" | "failed_compensation")
}

fn event(out: &mut String, kind: &str, record: &ExecutionRecord, extra: Value) {
    let mut data = json!({
        "event_type": kind,
        "workflow_id": record.workflow,
        "transaction_id": record.idempotency_key,
    });
    if let (Value::Object(map), Value::Object(more)) = (&mut data, extra) {
        map.extend(more);
    }
    out.push_str(&format!("event: {kind}\ndata: {data}\n\n"));
}

/// The journal of one execution as Medusa's workflow events.
fn events_of(record: &ExecutionRecord) -> String {
    let mut out = String::new();
    event(&mut out, "onBegin", record, json!({}));
    for step in &record.steps {
        let kind = match step.status.as_str() {
            "done" => "onStepSuccess",
            "failed" => "onStepFailure",
            "compensated" => "onCompensateStepSuccess",
            "compensation_failed" => "onCompensateStepFailure",
            _ => "onStepBegin",
        };
        let doc = json!({"step": {"id": step.name, "status": step.status},
            "response": step.output, "errors": step.error.iter().collect::<Vec<_>>()});
        event(&mut out, kind, record, doc);
    }
    if finished(&record.status) {
        let doc = json!({"state": record.status, "result": record.result,
            "errors": record.error.iter().collect::<Vec<_>>()});
        event(&mut out, "onFinish", record, doc);
    }
    out
}

fn subscribe(engine: &Engine, request: &Request) -> Result<Response> {
    let record = execution(engine, request)?;
    Ok(Response {
        status: 200,
        body: Body::Bytes {
            content_type: "text/event-stream".into(),
            data: events_of(&record).into_bytes(),
        },
        headers: vec![("Cache-Control".into(), "no-cache".into())],
    })
}

/// Medusa's body for both step routes; the step must exist in the execution.
fn answer_step(engine: &Engine, request: &Request) -> Result<Response> {
    let schema = Schema::new()
        .required("transaction_id", Kind::String)
        .required("step_id", Kind::String)
        .optional("response", Kind::Any)
        .optional("compensate_input", Kind::Any)
        .optional("action", Kind::String)
        .allow_unknown();
    let body = request.body_with(&schema)?;
    if let Some(action) = get_str(&body, "action")
        && !["invoke", "compensate"].contains(&action.to_lowercase().as_str())
    {
        return Err(Error::invalid(format!(
            "Invalid request: Expected: 'invoke, compensate' for field 'action', but got: '{action}'"
        )));
    }
    let (name, key) = (
        request.param("workflow_id"),
        get_str(&body, "transaction_id").unwrap_or_default(),
    );
    let record = engine
        .store()
        .read(|c| workflow::load_execution_by_key(c, name, key))?;
    let step_id = get_str(&body, "step_id").unwrap_or_default();
    let step = record
        .steps
        .iter()
        .find(|s| s.name == step_id)
        .ok_or_else(|| Error::not_found("Workflow step", step_id))?;
    Err(Error::not_allowed(format!(
        "Step {step_id} of transaction {key} is not waiting for a response (it is {}): \
         every step of this engine completes inside its run",
        step.status
    )))
}

fn step_success(engine: &Engine, request: &Request) -> Result<Response> {
    answer_step(engine, request)
}

fn step_failure(engine: &Engine, request: &Request) -> Result<Response> {
    answer_step(engine, request)
}

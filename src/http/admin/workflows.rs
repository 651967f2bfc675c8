//! `GET /admin/workflows-executions[/:id]`: the workflow journal for operators, above all the
//! executions left `failed_compensation` that need a human.

use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::http::fields::ids;
use crate::http::query::list_params;
use crate::http::{Access, Request, Response, Route, list_envelope};
use crate::workflow::{ExecutionRecord, list_executions_among};
use serde_json::{Map, Value, json};

/// The routes of this family.
pub fn routes() -> Vec<Route> {
    vec![
        Route::new(
            "GET",
            "/admin/workflows-executions",
            Access::Admin,
            "List workflow executions",
            list,
        ),
        Route::new(
            "GET",
            "/admin/workflows-executions/:id",
            Access::Admin,
            "Retrieve a workflow execution",
            retrieve,
        ),
    ]
}

const STATES: [&str; 5] = [
    "running",
    "compensating",
    "done",
    "reverted",
    "failed_compensation",
];

fn list(engine: &Engine, req: &Request) -> Result<Response> {
    let params = list_params(&req.query).map_err(|e| Error::invalid(e.to_string()))?;
    let (limit, offset) = (params.limit.unwrap_or(20), params.offset.unwrap_or(0));
    let state = req.query_str("state").map(str::to_string);
    if let Some(s) = state.as_deref().filter(|s| !STATES.contains(s)) {
        return Err(Error::invalid(format!(
            "Invalid request: 'state' must be one of {}, got '{s}'",
            STATES.join(", ")
        )));
    }
    let ids = ids(&req.query)?;
    let (records, count) = engine
        .store()
        .read(|c| list_executions_among(c, state.as_deref(), &ids, limit, offset))?;
    let items = records.iter().map(execution_json).collect();
    Ok(Response::json(list_envelope(
        "workflow_executions",
        items,
        count,
        offset,
        limit,
    )))
}

fn retrieve(engine: &Engine, req: &Request) -> Result<Response> {
    let id = req.param("id").to_string();
    let record = engine
        .store()
        .read(|c| crate::workflow::load_execution(c, &id))?;
    Ok(Response::json(
        json!({ "workflow_execution": execution_json(&record) }),
    ))
}

/// Medusa's workflow_execution shape. `execution.steps` is Medusa's map keyed by the step's
/// path (`_root`, then `_root.a`, `_root.a.b`, … — a sequential flow nests each step under the
/// one before it, which is what `depth` and the dashboard's "unreachable after a failure"
/// read), each with `invoke` and `compensate` states; `context.data` carries the payload and
/// each step's output under its name, `context.errors` the failures. Each step also keeps the
/// journal's own fields (`name`, `kind`, `status`, `idx`, `attempts`, `output`, `error`) for
/// operators and our tools.
pub(super) fn execution_json(record: &ExecutionRecord) -> Value {
    let (steps, invoke, errors) = medusa_steps(record);
    json!({
        "id": record.id,
        "workflow_id": record.workflow,
        "transaction_id": record.idempotency_key,
        "state": record.status,
        "context": {
            "input": record.input,
            "result": record.result,
            "error": record.error,
            "data": {"payload": record.input, "invoke": invoke},
            "errors": errors,
        },
        "execution": {"state": record.status, "steps": steps},
        "created_at": record.created_at,
        "updated_at": record.updated_at,
    })
}

/// A journal step status as Medusa's (invoke state, invoke status, compensate state,
/// compensate status).
fn medusa_states(status: &str) -> [&'static str; 4] {
    match status {
        "done" => ["done", "ok", "dormant", "idle"],
        "failed" => ["failed", "permanent_failure", "dormant", "idle"],
        "compensating" => ["done", "ok", "compensating", "idle"],
        "compensated" => ["done", "ok", "reverted", "ok"],
        "compensation_failed" => ["done", "ok", "failed", "permanent_failure"],
        _ => ["invoking", "idle", "dormant", "idle"],
    }
}

/// The step map, the per-step invoke context and the errors of one execution.
fn medusa_steps(record: &ExecutionRecord) -> (Map<String, Value>, Map<String, Value>, Vec<Value>) {
    let (mut steps, mut invoke, mut errors) = (Map::new(), Map::new(), Vec::new());
    let root_state = if record.status == "running" {
        "invoking"
    } else {
        "done"
    };
    steps.insert(
        "_root".into(),
        json!({"id": "_root", "depth": -1, "definition": {},
            "invoke": {"state": root_state, "status": "ok"},
            "compensate": {"state": "dormant", "status": "idle"}, "startedAt": null}),
    );
    let mut path = String::from("_root");
    for (depth, step) in record.steps.iter().enumerate() {
        path = format!("{path}.{}", step.name);
        let [state, status, comp_state, comp_status] = medusa_states(&step.status);
        steps.insert(
            path.clone(),
            json!({
                "id": path,
                "depth": depth,
                "definition": {"action": step.name, "async": false,
                    "local": step.kind == "local"},
                "invoke": {"state": state, "status": status},
                "compensate": {"state": comp_state, "status": comp_status},
                "startedAt": null,
                "idx": step.idx,
                "name": step.name,
                "kind": step.kind,
                "status": step.status,
                "attempts": step.attempts,
                "output": step.output,
                "error": step.error,
            }),
        );
        invoke.insert(
            step.name.clone(),
            json!({"output": {"output": step.output, "compensateInput": step.compensation}}),
        );
        if let Some(error) = &step.error {
            let handler = if step.status.starts_with("compensat") {
                "compensate"
            } else {
                "invoke"
            };
            errors.push(json!({"action": step.name, "handlerType": handler, "error": error}));
        }
    }
    (steps, invoke, errors)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::{Store, StoreOptions};
    use crate::workflow::{Done, Step, Workflow};

    fn engine() -> Engine {
        let wf = Workflow::new("stuck")
            .step(
                Step::local("a", |_, _| Ok(Done::new(json!(1))))
                    .compensate(|_, _, _| Err(Error::invalid("no"))),
            )
            .step(Step::external("b", |_| {
                Err(Error::PaymentAuthorization("declined".into()))
            }));
        let engine = Engine::builder()
            .workflow(wf)
            .build(Store::memory(StoreOptions::default()).unwrap())
            .unwrap();
        let _ = crate::workflow::run(&engine, "stuck", json!({"cart_id": "c1"}), Some("c1"));
        engine
    }

    fn request(query: &str) -> Request {
        Request {
            query: crate::http::query::parse_query(query).unwrap(),
            ..Request::default()
        }
    }

    #[test]
    fn lists_failed_compensations_for_an_operator() {
        let engine = engine();
        let response = list(&engine, &request("state=failed_compensation")).unwrap();
        let crate::http::Body::Json(body) = response.body else {
            panic!()
        };
        assert_eq!(body["count"], 1);
        let execution = &body["workflow_executions"][0];
        assert_eq!(
            (
                execution["workflow_id"].as_str(),
                execution["transaction_id"].as_str()
            ),
            (Some("stuck"), Some("c1"))
        );
        let steps = &execution["execution"]["steps"];
        assert_eq!(steps["_root.a"]["status"], "compensation_failed");
        assert_eq!(steps["_root.a"]["compensate"]["state"], "failed");
        assert_eq!(steps["_root.a.b"]["invoke"]["status"], "permanent_failure");
        assert_eq!(steps["_root.a.b"]["depth"], 1);
        assert_eq!(execution["context"]["data"]["payload"]["cart_id"], "c1");
        assert_eq!(
            execution["context"]["data"]["invoke"]["a"]["output"]["output"],
            1
        );
        let actions: Vec<&str> = execution["context"]["errors"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|e| e["action"].as_str())
            .collect();
        assert_eq!(actions, ["a", "b"]);
    }

    #[test]
    fn unknown_state_filter_is_400() {
        assert_eq!(
            list(&engine(), &request("state=weird"))
                .unwrap_err()
                .status(),
            400
        );
    }

    #[test]
    fn unknown_execution_is_404() {
        let req = Request {
            params: vec![("id".into(), "wf_exec_nope".into())],
            ..Request::default()
        };
        assert_eq!(retrieve(&engine(), &req).unwrap_err().status(), 404);
    }
}

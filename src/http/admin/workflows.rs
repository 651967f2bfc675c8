//! `GET /admin/workflows-executions[/:id]`: the workflow journal for operators, above all the
//! executions left `failed_compensation` that need a human.

use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::http::fields::ids;
use crate::http::query::list_params;
use crate::http::{Access, Request, Response, Route, list_envelope};
use crate::workflow::{ExecutionRecord, list_executions_among};
use serde_json::{Value, json};

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

/// Medusa's workflow_execution shape, with the journal's steps under `execution.steps`.
pub(super) fn execution_json(record: &ExecutionRecord) -> Value {
    json!({
        "id": record.id,
        "workflow_id": record.workflow,
        "transaction_id": record.idempotency_key,
        "state": record.status,
        "context": {"input": record.input, "result": record.result, "error": record.error},
        "execution": {"steps": record.steps},
        "created_at": record.created_at,
        "updated_at": record.updated_at,
    })
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
        assert_eq!(
            execution["execution"]["steps"][0]["status"],
            "compensation_failed"
        );
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

//! The journal's SQL: `workflow_execution` and `workflow_step`. Every function takes the
//! caller's connection, so journal rows commit in the same transaction as the work they record.

use crate::ctx::Ctx;
use crate::error::{Error, Result};
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use serde_json::Value;

/// One execution with its steps, as operators and recovery read it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExecutionRecord {
    /// `wf_exec_…`
    pub id: String,
    /// Workflow name.
    pub workflow: String,
    /// The idempotency key (transaction id) it ran under, if any.
    pub idempotency_key: Option<String>,
    /// `running`, `compensating`, `done`, `reverted` or `failed_compensation`.
    pub status: String,
    /// The workflow input.
    pub input: Value,
    /// The result, once done.
    pub result: Option<Value>,
    /// The error that stopped it, if any.
    pub error: Option<Value>,
    /// ISO-8601.
    pub created_at: String,
    /// ISO-8601.
    pub updated_at: String,
    /// Its steps so far, in order.
    pub steps: Vec<StepRecord>,
}

/// One journaled step.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct StepRecord {
    /// Position in the workflow.
    pub idx: usize,
    /// Step name.
    pub name: String,
    /// `local` or `external`.
    pub kind: String,
    /// `invoking`, `done`, `failed`, `compensating`, `compensated` or `compensation_failed`.
    pub status: String,
    /// Output when done.
    pub output: Option<Value>,
    /// Compensation data when done.
    pub compensation: Option<Value>,
    /// Last error.
    pub error: Option<Value>,
    /// Invocation (or compensation) attempts.
    pub attempts: u32,
}

/// A live execution found by key: (id, status, result, error).
pub(crate) type KeyedExecution = (String, String, Option<Value>, Option<Value>);

/// The live (not reverted) execution of `workflow` under `key`.
pub(crate) fn find_by_key(
    conn: &Connection,
    workflow: &str,
    key: &str,
) -> Result<Option<KeyedExecution>> {
    Ok(conn
        .prepare_cached_static(
            "SELECT id, status, result, error FROM workflow_execution
             WHERE workflow = ?1 AND idempotency_key = ?2 AND status <> 'reverted'",
        )?
        .query_row(params![workflow, key], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                json_col(r.get(2)?),
                json_col(r.get(3)?),
            ))
        })
        .optional()?)
}

/// JSON text for a journal column. `serde_json::to_string` writes bytes directly;
/// `Value::to_string` goes through `Display`'s formatter adapter (slower, same text).
pub(crate) fn json_text(value: &Value) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

pub(crate) fn insert_execution(
    conn: &Connection,
    ctx: &Ctx,
    id: &str,
    workflow: &str,
    key: Option<&str>,
    input: &Value,
) -> Result<()> {
    conn.prepare_cached_static(
        "INSERT INTO workflow_execution (id, workflow, idempotency_key, status, input, created_at, updated_at)
         VALUES (?1, ?2, ?3, 'running', ?4, ?5, ?5)",
    )?
    .execute(params![id, workflow, key, json_text(input), ctx.now()])?;
    Ok(())
}

pub(crate) fn set_status(
    conn: &Connection,
    ctx: &Ctx,
    id: &str,
    status: &str,
    result: Option<&Value>,
    error: Option<&Value>,
) -> Result<()> {
    conn.prepare_cached_static(
        "UPDATE workflow_execution SET status = ?2, result = COALESCE(?3, result),
           error = COALESCE(?4, error), updated_at = ?5 WHERE id = ?1",
    )?
    .execute(params![
        id,
        status,
        result.map(json_text),
        error.map(json_text),
        ctx.now()
    ])?;
    Ok(())
}

/// Marks an execution done with its result and the steps of the finishing job (a JSON
/// array made by [`FinishedSteps`], `None` when that job ran no local step).
pub(crate) fn finish(
    conn: &Connection,
    ctx: &Ctx,
    id: &str,
    result: &Value,
    steps: Option<&str>,
) -> Result<()> {
    conn.prepare_cached_static(
        "UPDATE workflow_execution SET status = 'done', result = ?2, steps = ?3, updated_at = ?4
         WHERE id = ?1",
    )?
    .execute(params![id, json_text(result), steps, ctx.now()])?;
    Ok(())
}

/// The done steps of the job that finishes an execution, kept as one JSON array for
/// [`finish`] instead of a `workflow_step` row each: they commit with the `done` status, so
/// recovery never reads them, and a row insert per step was most of the journal's cost.
#[derive(Default)]
pub(crate) struct FinishedSteps {
    json: Vec<u8>,
}

impl FinishedSteps {
    /// Appends a step that completed on its first attempt.
    pub(crate) fn push(&mut self, step: &StepWrite) {
        #[derive(Serialize)]
        struct Finished<'a> {
            idx: usize,
            name: &'a str,
            kind: &'a str,
            status: &'a str,
            output: Option<&'a Value>,
            compensation: Option<&'a Value>,
            error: Option<&'a Value>,
            attempts: u32,
        }
        self.json
            .push(if self.json.is_empty() { b'[' } else { b',' });
        let finished = Finished {
            idx: step.idx,
            name: step.name,
            kind: if step.local { "local" } else { "external" },
            status: step.status,
            output: step.output,
            compensation: step.compensation,
            error: step.error,
            attempts: step.attempts,
        };
        // Serializing borrowed `Value`s into a Vec cannot fail.
        let _ = serde_json::to_writer(&mut self.json, &finished);
    }

    /// The array's text, `None` when no step was pushed.
    pub(crate) fn text(mut self) -> Option<String> {
        if self.json.is_empty() {
            return None;
        }
        self.json.push(b']');
        String::from_utf8(self.json).ok()
    }
}

/// What to write for one step.
pub(crate) struct StepWrite<'a> {
    pub idx: usize,
    pub name: &'a str,
    pub local: bool,
    pub status: &'a str,
    pub output: Option<&'a Value>,
    pub compensation: Option<&'a Value>,
    pub error: Option<&'a Value>,
    pub attempts: u32,
}

pub(crate) fn put_step(
    conn: &Connection,
    ctx: &Ctx,
    execution_id: &str,
    step: &StepWrite,
) -> Result<()> {
    conn.prepare_cached_static(
        "INSERT INTO workflow_step (execution_id, idx, name, kind, status, output, compensation, error, attempts, started_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10)
         ON CONFLICT (execution_id, idx) DO UPDATE SET status = excluded.status,
           output = COALESCE(excluded.output, output), compensation = COALESCE(excluded.compensation, compensation),
           error = COALESCE(excluded.error, error), attempts = max(attempts, excluded.attempts),
           updated_at = excluded.updated_at",
    )?
    .execute(params![
        execution_id,
        step.idx as i64,
        step.name,
        if step.local { "local" } else { "external" },
        step.status,
        step.output.map(json_text),
        step.compensation.map(json_text),
        step.error.map(json_text),
        step.attempts,
        ctx.now(),
    ])?;
    Ok(())
}

/// One execution with its steps.
///
/// # Errors
/// 404 when there is no such execution.
pub fn load(conn: &Connection, id: &str) -> Result<ExecutionRecord> {
    let record = conn
        .prepare_cached_static(
            "SELECT id, workflow, idempotency_key, status, input, result, error, created_at, updated_at, steps
             FROM workflow_execution WHERE id = ?1",
        )?
        .query_row([id], |r| {
            let finished: Option<String> = r.get(9)?;
            let record = ExecutionRecord {
                id: r.get(0)?,
                workflow: r.get(1)?,
                idempotency_key: r.get(2)?,
                status: r.get(3)?,
                input: json_col(r.get(4)?).unwrap_or(Value::Null),
                result: json_col(r.get(5)?),
                error: json_col(r.get(6)?),
                created_at: r.get(7)?,
                updated_at: r.get(8)?,
                steps: Vec::new(),
            };
            Ok((record, finished))
        })
        .optional()?
        .ok_or_else(|| Error::not_found("Workflow execution", id))?;
    let (mut record, finished) = record;
    let mut stmt = conn.prepare_cached_static(
        "SELECT idx, name, kind, status, output, compensation, error, attempts
         FROM workflow_step WHERE execution_id = ?1 ORDER BY idx",
    )?;
    record.steps = stmt
        .query_map([id], |r| {
            Ok(StepRecord {
                idx: r.get::<_, i64>(0)? as usize,
                name: r.get(1)?,
                kind: r.get(2)?,
                status: r.get(3)?,
                output: json_col(r.get(4)?),
                compensation: json_col(r.get(5)?),
                error: json_col(r.get(6)?),
                attempts: r.get(7)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    if let Some(text) = finished {
        let steps: Vec<StepRecord> = serde_json::from_str(&text)
            .map_err(|e| Error::UnexpectedState(format!("journal steps of {id}: {e}")))?;
        record.steps.extend(steps);
        record.steps.sort_by_key(|s| s.idx);
    }
    Ok(record)
}

/// The newest execution of `workflow` under transaction id (idempotency key) `key`,
/// whatever its status (a reverted run frees its key, so there may be several).
///
/// # Errors
/// 404 when `workflow` never ran under `key`.
pub fn load_by_key(conn: &Connection, workflow: &str, key: &str) -> Result<ExecutionRecord> {
    let id: Option<String> = conn
        .prepare_cached_static(
            "SELECT id FROM workflow_execution WHERE workflow = ?1 AND idempotency_key = ?2
             ORDER BY created_at DESC, id DESC LIMIT 1",
        )?
        .query_row(params![workflow, key], |r| r.get(0))
        .optional()?;
    let id = id.ok_or_else(|| {
        Error::NotFound(format!(
            "Workflow execution of {workflow} with transaction id: {key} was not found"
        ))
    })?;
    load(conn, &id)
}

/// Executions, newest first, optionally only those in `status`; with the total count.
///
/// # Errors
/// Database failures.
pub fn list_executions(
    conn: &Connection,
    status: Option<&str>,
    limit: u64,
    offset: u64,
) -> Result<(Vec<ExecutionRecord>, u64)> {
    list_executions_among(conn, status, &[], limit, offset)
}

/// [`list_executions`] restricted to the executions in `ids` when it is not empty (the
/// admin list's `id` filter).
///
/// # Errors
/// Database failures.
pub fn list_executions_among(
    conn: &Connection,
    status: Option<&str>,
    ids: &[String],
    limit: u64,
    offset: u64,
) -> Result<(Vec<ExecutionRecord>, u64)> {
    let clause = "(?1 IS NULL OR status = ?1)
        AND (?2 = '[]' OR id IN (SELECT value FROM json_each(?2)))";
    let wanted = serde_json::Value::from(ids.to_vec()).to_string();
    let count: i64 = conn
        .prepare_cached(&format!(
            "SELECT count(*) FROM workflow_execution WHERE {clause}"
        ))?
        .query_row(params![status, wanted], |r| r.get(0))?;
    let page = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
    let ids: Vec<String> = conn
        .prepare_cached(&format!(
            "SELECT id FROM workflow_execution WHERE {clause}
             ORDER BY id DESC LIMIT ?3 OFFSET ?4"
        ))?
        .query_map(params![status, wanted, page(limit), page(offset)], |r| {
            r.get(0)
        })?
        .collect::<rusqlite::Result<_>>()?;
    let records = ids.iter().map(|id| load(conn, id)).collect::<Result<_>>()?;
    Ok((records, count.max(0) as u64))
}

/// Ids of executions a crash may have interrupted.
pub(crate) fn unfinished(conn: &Connection) -> Result<Vec<String>> {
    let mut stmt = conn.prepare_cached_static(
        "SELECT id FROM workflow_execution WHERE status IN ('running', 'compensating') ORDER BY id",
    )?;
    Ok(stmt
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?)
}

fn json_col(text: Option<String>) -> Option<Value> {
    text.and_then(|t| serde_json::from_str(&t).ok())
}

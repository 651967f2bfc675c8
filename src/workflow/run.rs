//! Running a workflow: the fewest write jobs that keep every step journaled.
//!
//! Each write job does, in one transaction: (start: idempotency check + execution row) →
//! (the outcome of the external step just called) → (the next group of local steps with their
//! journal rows) → (the intent of the next external step) or (the execution marked done). So a
//! workflow "local group, external, local group" costs two commits. A local step that fails
//! rolls its group back to a savepoint; its failure is journaled and the completed steps are
//! compensated in reverse.

use super::journal::{self, StepWrite};
use super::{Body, StepCtx, Workflow};
use crate::db::Tx;
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::failpoint;
use serde_json::{Map, Value};
use std::ops::Range;
use std::sync::Arc;

/// Outputs so far, and the completed steps still to compensate on failure (with their data).
#[derive(Debug, Clone, Default)]
pub(crate) struct State {
    pub results: Map<String, Value>,
    pub completed: Vec<(usize, Value)>,
}

/// One execution in progress.
#[derive(Clone)]
pub(crate) struct Exec {
    pub engine: Engine,
    pub wf: Arc<Workflow>,
    pub id: String,
    pub input: Arc<Value>,
}

/// Runs `workflow` with `input`. With an idempotency `key`, a repeat returns the stored result
/// (or error) of the first run instead of running again, and a concurrent repeat gets
/// `conflict`. A run that failed and was fully compensated frees its key.
///
/// # Errors
/// The failing step's error (after compensation); `conflict` for a concurrent repeat;
/// `not_found` for an unregistered workflow.
pub fn run(engine: &Engine, workflow: &str, input: Value, key: Option<&str>) -> Result<Value> {
    let wf = engine
        .workflow(workflow)
        .ok_or_else(|| Error::not_found("Workflow", workflow))?;
    wf.check_input(&input)?;
    let exec = Exec {
        engine: engine.clone(),
        id: engine.ctx().id("wf_exec"),
        wf,
        input: Arc::new(input),
    };
    drive(&exec, State::default(), 0, Some(key.map(String::from)))
}

enum JobOutcome {
    Replay(Result<Value>),
    Ran {
        state: State,
        failure: Option<Error>,
    },
}

/// Runs the workflow from step `from`. `start` is `Some(key)` for a fresh run (the first job
/// then creates the execution row).
pub(crate) fn drive(
    exec: &Exec,
    mut state: State,
    from: usize,
    mut start: Option<Option<String>>,
) -> Result<Value> {
    let n = exec.wf.steps.len();
    let mut idx = from;
    let mut called: Option<(usize, super::Done)> = None;
    loop {
        let local_end = (idx..n)
            .find(|&i| !exec.wf.steps[i].is_local())
            .unwrap_or(n);
        let intent = (local_end < n).then_some(local_end);
        let job = JobPlan {
            start: start.take(),
            called: called.take(),
            locals: idx..local_end,
            intent,
        };
        match submit(exec, job, state)? {
            JobOutcome::Replay(result) => return result,
            JobOutcome::Ran {
                state: next,
                failure,
            } => {
                state = next;
                for i in idx..local_end {
                    failpoint::hit(&point(exec, i, "after"));
                }
                if let Some(error) = failure {
                    return Err(compensate(exec, &state, error));
                }
            }
        }
        let Some(ext) = intent else {
            return Ok(final_result(exec, &state));
        };
        failpoint::hit(&point(exec, ext, "before"));
        match call_external(exec, ext, &state) {
            Ok(done) => {
                failpoint::hit(&point(exec, ext, "after"));
                called = Some((ext, done));
                idx = ext + 1;
            }
            Err((error, attempts)) => {
                record_external_failure(exec, ext, &error, attempts)?;
                return Err(compensate(exec, &state, error));
            }
        }
    }
}

struct JobPlan {
    start: Option<Option<String>>,
    called: Option<(usize, super::Done)>,
    locals: Range<usize>,
    intent: Option<usize>,
}

fn submit(exec: &Exec, plan: JobPlan, state: State) -> Result<JobOutcome> {
    let exec = exec.clone();
    exec.engine
        .clone()
        .store()
        .write(move |tx| run_job(tx, &exec, plan, state))
}

fn run_job(tx: &Tx, exec: &Exec, plan: JobPlan, mut state: State) -> Result<JobOutcome> {
    let ctx = exec.engine.ctx();
    if let Some(key) = plan.start {
        if let Some(replay) = replay(tx, exec, key.as_deref())? {
            return Ok(JobOutcome::Replay(replay));
        }
        journal::insert_execution(
            tx,
            ctx,
            &exec.id,
            exec.wf.name(),
            key.as_deref(),
            &exec.input,
        )?;
    }
    if let Some((idx, done)) = plan.called {
        let step = &exec.wf.steps[idx];
        let write = StepWrite {
            status: "done",
            output: Some(&done.output),
            compensation: Some(&done.compensation),
            ..step_write(idx, step)
        };
        journal::put_step(tx, ctx, &exec.id, &write)?;
        state.results.insert(step.name.clone(), done.output);
        state.completed.push((idx, done.compensation));
    }
    // A job that ends the execution keeps its steps for the `done` update (see
    // `journal::FinishedSteps`); one that leaves it running writes step rows for recovery.
    let mut finished = plan.intent.is_none().then(journal::FinishedSteps::default);
    if let Some(error) = run_local_group(tx, exec, plan.locals.clone(), &mut state, &mut finished)?
    {
        return Ok(JobOutcome::Ran {
            state,
            failure: Some(error),
        });
    }
    match plan.intent {
        Some(ext) => {
            let write = StepWrite {
                status: "invoking",
                ..step_write(ext, &exec.wf.steps[ext])
            };
            journal::put_step(tx, ctx, &exec.id, &write)?;
        }
        None => {
            let result = final_result(exec, &state);
            let steps = finished.and_then(journal::FinishedSteps::text);
            journal::finish(tx, ctx, &exec.id, &result, steps.as_deref())?;
        }
    }
    Ok(JobOutcome::Ran {
        state,
        failure: None,
    })
}

/// The stored answer for a repeat under the same key, if there is a live execution.
fn replay(tx: &Tx, exec: &Exec, key: Option<&str>) -> Result<Option<Result<Value>>> {
    let Some(key) = key else { return Ok(None) };
    let Some((_, status, result, error)) = journal::find_by_key(tx, exec.wf.name(), key)? else {
        return Ok(None);
    };
    Ok(Some(match status.as_str() {
        "done" => Ok(result.unwrap_or(Value::Null)),
        "failed_compensation" => Err(error.map_or_else(
            || Error::UnexpectedState("failed".into()),
            |e| Error::from_stored(&e),
        )),
        _ => Err(Error::Conflict(format!(
            "workflow {} with key {key} is already running",
            exec.wf.name()
        ))),
    }))
}

/// Runs local steps `range` inside a savepoint. Returns the first step error (after rolling
/// the group back and journaling the failure), or `None` if all succeeded.
fn run_local_group(
    tx: &Tx,
    exec: &Exec,
    range: Range<usize>,
    state: &mut State,
    finished: &mut Option<journal::FinishedSteps>,
) -> Result<Option<Error>> {
    if range.is_empty() {
        return Ok(None);
    }
    let ctx = exec.engine.ctx();
    crate::db::writer::exec_cached(tx, "SAVEPOINT workflow_group")?;
    let before = state.clone();
    for idx in range {
        let step = &exec.wf.steps[idx];
        let Body::Local { invoke, .. } = &step.body else {
            continue;
        };
        failpoint::hit(&point(exec, idx, "before"));
        let outcome = invoke(tx, &step_ctx(exec, state, idx, 1));
        match outcome {
            Ok(done) => {
                let write = StepWrite {
                    status: "done",
                    output: Some(&done.output),
                    compensation: Some(&done.compensation),
                    attempts: 1,
                    ..step_write(idx, step)
                };
                match finished.as_mut() {
                    Some(steps) => steps.push(&write),
                    None => journal::put_step(tx, ctx, &exec.id, &write)?,
                }
                state.results.insert(step.name.clone(), done.output);
                state.completed.push((idx, done.compensation));
            }
            Err(error) => {
                tx.execute_batch("ROLLBACK TO workflow_group; RELEASE workflow_group")?;
                *state = before;
                let stored = error.to_stored();
                let write = StepWrite {
                    status: "failed",
                    error: Some(&stored),
                    attempts: 1,
                    ..step_write(idx, step)
                };
                journal::put_step(tx, ctx, &exec.id, &write)?;
                return Ok(Some(error));
            }
        }
    }
    crate::db::writer::exec_cached(tx, "RELEASE workflow_group")?;
    Ok(None)
}

/// Calls an external step with its retries. On failure returns the last error and the number
/// of attempts made.
fn call_external(
    exec: &Exec,
    idx: usize,
    state: &State,
) -> std::result::Result<super::Done, (Error, u32)> {
    let step = &exec.wf.steps[idx];
    let Body::External { invoke, .. } = &step.body else {
        return Err((Error::UnexpectedState("not an external step".into()), 0));
    };
    let mut delay = step.backoff;
    let mut attempt = 1;
    loop {
        match invoke(&step_ctx(exec, state, idx, attempt)) {
            Ok(done) => return Ok(done),
            Err(error) if attempt >= step.attempts => return Err((error, attempt)),
            Err(_) => {
                std::thread::sleep(delay);
                delay *= 2;
                attempt += 1;
            }
        }
    }
}

fn record_external_failure(exec: &Exec, idx: usize, error: &Error, attempts: u32) -> Result<()> {
    let (exec2, stored) = (exec.clone(), error.to_stored());
    exec.engine.store().write(move |tx| {
        let step = &exec2.wf.steps[idx];
        let write = StepWrite {
            status: "failed",
            error: Some(&stored),
            attempts,
            ..step_write(idx, step)
        };
        journal::put_step(tx, exec2.engine.ctx(), &exec2.id, &write)
    })
}

/// Compensates completed steps in reverse; returns the error to report (the original one).
pub(crate) fn compensate(exec: &Exec, state: &State, error: Error) -> Error {
    if let Err(e) = super::recovery::compensate_all(exec, state, &error) {
        eprintln!(
            "stockroom: workflow {} {}: compensation failed: {e}",
            exec.wf.name(),
            exec.id
        );
    }
    error
}

pub(crate) fn step_ctx<'a>(
    exec: &'a Exec,
    state: &'a State,
    idx: usize,
    attempt: u32,
) -> StepCtx<'a> {
    StepCtx {
        engine: &exec.engine,
        execution_id: &exec.id,
        input: &exec.input,
        results: &state.results,
        step: &exec.wf.steps[idx].name,
        attempt,
    }
}

pub(crate) fn step_write(idx: usize, step: &super::Step) -> StepWrite<'_> {
    StepWrite {
        idx,
        name: &step.name,
        local: step.is_local(),
        status: "",
        output: None,
        compensation: None,
        error: None,
        attempts: 0,
    }
}

/// The failpoint name of a step: `wf:<workflow>:<step>:<when>`.
pub(crate) fn point(exec: &Exec, idx: usize, when: &str) -> String {
    format!("wf:{}:{}:{when}", exec.wf.name(), exec.wf.steps[idx].name)
}

fn final_result(exec: &Exec, state: &State) -> Value {
    exec.wf
        .steps
        .last()
        .and_then(|s| state.results.get(&s.name))
        .cloned()
        .unwrap_or(Value::Null)
}

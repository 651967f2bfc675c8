//! Compensation, and recovery of executions a crash interrupted.
//!
//! Compensation walks completed steps in reverse. A local compensation runs in a write job
//! together with its journal row, and so does that of an external step this run may call
//! inline (`Step::inline_when`); any other external one is journaled `compensating` before
//! the call and `compensated` after it. Each is tried three times; if it still fails the step is
//! `compensation_failed`, the execution `failed_compensation`, and an operator takes over
//! (`GET /admin/workflows-executions?status=failed_compensation`, `stockroom workflows`).
//!
//! Recovery at start-up: an execution left `compensating` finishes its compensation. One left
//! `running` is compensated (or, with `Recovery::Resume`, finished) — an external step
//! journaled `invoking` with no outcome is treated as possibly done: its compensation is called
//! with `Null` data and must cancel by the step's idempotency key.

use super::journal::{self, ExecutionRecord, StepWrite};
use super::run::{Exec, State, drive, point, step_ctx, step_write};
use super::{Body, Recovery};
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::failpoint;
use serde_json::Value;
use std::sync::Arc;

const COMPENSATION_ATTEMPTS: u32 = 3;

/// Compensates every step in `state.completed`, newest first, then marks the execution
/// `reverted` (or `failed_compensation` if one could not be undone).
pub(crate) fn compensate_all(exec: &Exec, state: &State, error: &Error) -> Result<()> {
    set_status(exec, "compensating", None, Some(error.to_stored()))?;
    for (idx, data) in state.completed.iter().rev() {
        failpoint::hit_named(|| point(exec, *idx, "compensate"));
        if let Err(e) = compensate_step(exec, state, *idx, data) {
            mark_failed_compensation(exec, *idx, &e)?;
            return Err(e);
        }
    }
    set_status(exec, "reverted", None, None)
}

/// Sets the execution's status in a write job of its own.
fn set_status(
    exec: &Exec,
    status: &'static str,
    result: Option<Value>,
    error: Option<Value>,
) -> Result<()> {
    let exec2 = exec.clone();
    exec.engine.store().write(move |tx| {
        journal::set_status(
            tx,
            exec2.engine.ctx(),
            &exec2.id,
            status,
            result.as_ref(),
            error.as_ref(),
        )
    })
}

fn compensate_step(exec: &Exec, state: &State, idx: usize, data: &Value) -> Result<()> {
    let step = &exec.wf.steps[idx];
    let mut last = None;
    for attempt in 1..=COMPENSATION_ATTEMPTS {
        let outcome = match &step.body {
            Body::Local { compensate, .. } => {
                compensate_local(exec, state, idx, data, compensate.clone(), attempt)
            }
            // A step this run may call inline is undone the local way: one write job.
            Body::External { compensate, .. }
                if step.runs_inline(&step_ctx(exec, state, idx, attempt)) =>
            {
                // The call and its `compensated` row in one write job, as for a local step.
                let f: LocalCompensate = compensate.clone().map(|f| {
                    Arc::new(
                        move |_: &crate::db::Tx, ctx: &super::StepCtx, data: &Value| f(ctx, data),
                    ) as _
                });
                compensate_local(exec, state, idx, data, f, attempt)
            }
            Body::External { compensate, .. } => {
                compensate_external(exec, state, idx, data, compensate.as_deref(), attempt)
            }
        };
        match outcome {
            Ok(()) => return Ok(()),
            Err(e) => last = Some(e),
        }
        if attempt < COMPENSATION_ATTEMPTS {
            std::thread::sleep(step.backoff * attempt);
        }
    }
    Err(last.unwrap_or_else(|| Error::UnexpectedState("compensation failed".into())))
}

type LocalCompensate =
    Option<Arc<dyn Fn(&crate::db::Tx, &super::StepCtx, &Value) -> Result<()> + Send + Sync>>;

fn compensate_local(
    exec: &Exec,
    state: &State,
    idx: usize,
    data: &Value,
    f: LocalCompensate,
    attempt: u32,
) -> Result<()> {
    let (exec2, state2, data2) = (exec.clone(), state.clone(), data.clone());
    exec.engine.store().write(move |tx| {
        if let Some(f) = &f {
            f(tx, &step_ctx(&exec2, &state2, idx, attempt), &data2)?;
        }
        let write = StepWrite {
            status: "compensated",
            attempts: attempt,
            ..step_write(idx, &exec2.wf.steps[idx])
        };
        journal::put_step(tx, exec2.engine.ctx(), &exec2.id, &write)
    })
}

fn compensate_external(
    exec: &Exec,
    state: &State,
    idx: usize,
    data: &Value,
    f: Option<&super::ExternalCompensateFn>,
    attempt: u32,
) -> Result<()> {
    set_step(exec, idx, "compensating", None, attempt)?;
    if let Some(f) = f {
        f(&step_ctx(exec, state, idx, attempt), data)?;
    }
    set_step(exec, idx, "compensated", None, attempt)
}

fn set_step(
    exec: &Exec,
    idx: usize,
    status: &'static str,
    error: Option<Value>,
    attempts: u32,
) -> Result<()> {
    let exec2 = exec.clone();
    exec.engine.store().write(move |tx| {
        let write = StepWrite {
            status,
            error: error.as_ref(),
            attempts,
            ..step_write(idx, &exec2.wf.steps[idx])
        };
        journal::put_step(tx, exec2.engine.ctx(), &exec2.id, &write)
    })
}

fn mark_failed_compensation(exec: &Exec, idx: usize, error: &Error) -> Result<()> {
    set_step(
        exec,
        idx,
        "compensation_failed",
        Some(error.to_stored()),
        COMPENSATION_ATTEMPTS,
    )?;
    set_status(exec, "failed_compensation", None, None)
}

/// Finishes every execution left `running` or `compensating` (after a crash). Returns how
/// many were looked at. Executions of workflows this engine does not register are left as
/// they are (with a warning) for the application that defines them.
///
/// # Errors
/// Database failures.
pub fn recover(engine: &Engine) -> Result<usize> {
    let ids = engine.store().read(journal::unfinished)?;
    for id in &ids {
        let record = engine.store().read(|c| journal::load(c, id))?;
        recover_one(engine, record)?;
    }
    Ok(ids.len())
}

fn recover_one(engine: &Engine, record: ExecutionRecord) -> Result<()> {
    let Some(wf) = engine.workflow(&record.workflow) else {
        // Another build of the application (one with this workflow) must finish it; marking it
        // failed here would strand work that is perfectly recoverable there.
        eprintln!(
            "stockroom: execution {} of unregistered workflow '{}' left {} for the application that defines it",
            record.id, record.workflow, record.status
        );
        return Ok(());
    };
    let exec = Exec {
        engine: engine.clone(),
        wf,
        id: record.id.clone(),
        input: Arc::new(record.input.clone()),
    };
    let (state, first_open) = rebuild(&record, exec.wf.steps.len());
    let interrupted =
        Error::UnexpectedState("interrupted by a crash; recovered at start-up".into());
    // Failures below are already journaled (failed_compensation); recovery moves on.
    match (record.status.as_str(), first_open) {
        ("running", None) => finish_done(&exec, &state),
        ("running", Some(idx)) if exec.wf.recovery == Recovery::Resume => {
            let _ = drive(&exec, strip_open(state, idx), idx, None);
            Ok(())
        }
        _ => {
            let _ = compensate_all(&exec, &state, &interrupted);
            Ok(())
        }
    }
}

/// Rebuilds outputs and the steps still to compensate, and finds the first step not done
/// (`None` when all `len` steps are done).
fn rebuild(record: &ExecutionRecord, len: usize) -> (State, Option<usize>) {
    let mut state = State::default();
    let mut first_open = None;
    for step in &record.steps {
        match step.status.as_str() {
            "done" => {
                state.results.insert(
                    step.name.clone(),
                    step.output.clone().unwrap_or(Value::Null),
                );
                state
                    .completed
                    .push((step.idx, step.compensation.clone().unwrap_or(Value::Null)));
            }
            // Outcome unknown: the side effect may have happened; compensation must cancel by key.
            "invoking" | "compensating" | "compensation_failed" if step.kind == "external" => {
                first_open.get_or_insert(step.idx);
                state
                    .completed
                    .push((step.idx, step.compensation.clone().unwrap_or(Value::Null)));
            }
            _ => {
                first_open.get_or_insert(step.idx);
            }
        }
    }
    if first_open.is_none() && record.steps.len() < len {
        first_open = Some(record.steps.len());
    }
    (state, first_open)
}

/// For a resume: the open external step is re-invoked, so it is not "completed" yet.
fn strip_open(mut state: State, idx: usize) -> State {
    state.completed.retain(|(i, _)| *i != idx);
    state
}

fn finish_done(exec: &Exec, state: &State) -> Result<()> {
    let result = exec
        .wf
        .steps
        .last()
        .and_then(|s| state.results.get(&s.name))
        .cloned()
        .unwrap_or(Value::Null);
    set_status(exec, "done", Some(result), None)
}

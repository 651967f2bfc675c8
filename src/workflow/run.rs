//! Running a workflow: the fewest write jobs that keep every step journaled.
//!
//! Each write job does, in one transaction: (start: idempotency check + execution row) →
//! (the outcome of the external step just called) → (the next local steps with their journal
//! rows, and the external steps this run may call inline) → (the intent of the next external
//! step) or (the execution marked done). So a workflow "local group, external, local group"
//! costs two commits, or one when the external step runs inline. A local step that fails
//! rolls its run of local steps back to a savepoint; its failure is journaled and the
//! completed steps are compensated in reverse.

use super::journal::{self, StepWrite};
use super::{Body, StepCtx, Workflow};
use crate::db::Tx;
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::failpoint;
use serde_json::{Map, Value};
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
    let exec = start(engine, workflow, input)?;
    drive(&exec, State::default(), 0, Some(key.map(String::from)))
}

/// A read answered from inside the write job that ends a run, or replays it under its key:
/// given the workflow's output, on the writer's own connection, after the journal rows. It
/// sees exactly what the run is committing, with the writer's warm page cache and no read
/// transaction of its own (a read-back on a pooled reader after the commit found its page
/// cache reset by that commit and re-read every page). Its answer travels back with the
/// job's result and is never journaled, so a replay answers the current state, as a
/// read-back did.
pub(crate) type Reply<R> = Arc<ReplyFn<R>>;

/// The function behind a [`Reply`].
pub(crate) type ReplyFn<R> = dyn Fn(&Tx, &Value) -> Result<R> + Send + Sync;

/// [`run`], answering `reply` instead of the output: `reply` reads the store inside the
/// write job that ends the run done, or replays a done run under its key, given the
/// workflow's output — on the writer's connection, seeing exactly what the run commits, and
/// never journaled. An error of its own is answered after the run's changes commit, as a
/// failed read-back's was.
///
/// # Errors
/// As [`run`]; otherwise the reply's error.
pub fn run_replying<R: Send + 'static>(
    engine: &Engine,
    workflow: &str,
    input: Value,
    key: Option<&str>,
    reply: impl Fn(&Tx, &Value) -> Result<R> + Send + Sync + 'static,
) -> Result<R> {
    let exec = start(engine, workflow, input)?;
    let start = Some(key.map(String::from));
    let (_, answer) = drive_with(&exec, State::default(), 0, start, Some(Arc::new(reply)))?;
    answer.unwrap_or_else(|| {
        Err(Error::UnexpectedState(
            "workflow ended without reply".into(),
        ))
    })
}

fn start(engine: &Engine, workflow: &str, input: Value) -> Result<Exec> {
    let wf = engine
        .workflow(workflow)
        .ok_or_else(|| Error::not_found("Workflow", workflow))?;
    wf.check_input(&input)?;
    Ok(Exec {
        engine: engine.clone(),
        id: engine.ctx().id("wf_exec"),
        wf,
        input: Arc::new(input),
    })
}

/// A job's outcome, with the caller's [`Reply`] when the job ended or replayed the run.
enum JobOutcome<R> {
    Replay(Result<Value>, Option<Result<R>>),
    Ran {
        state: State,
        /// The steps this job completed and committed, in order.
        ran: Vec<usize>,
        stop: Stop,
        answer: Option<Result<R>>,
    },
}

/// Where a job stopped running steps.
enum Stop {
    /// Past the last step: the execution is done.
    Finished,
    /// At an external step that must be called outside the writer (its intent is journaled).
    External(usize),
    /// The step at this index failed (journaled `failed` by the job); the completed steps
    /// are to be compensated.
    Failed(usize, Error),
}

/// Runs the workflow from step `from`. `start` is `Some(key)` for a fresh run (the first job
/// then creates the execution row).
pub(crate) fn drive(
    exec: &Exec,
    state: State,
    from: usize,
    start: Option<Option<String>>,
) -> Result<Value> {
    drive_with::<()>(exec, state, from, start, None).map(|(output, _)| output)
}

/// [`drive`], with the answer of `reply` from the job that ends or replays the run.
fn drive_with<R: Send + 'static>(
    exec: &Exec,
    mut state: State,
    from: usize,
    mut start: Option<Option<String>>,
    reply: Option<Reply<R>>,
) -> Result<(Value, Option<Result<R>>)> {
    let mut idx = from;
    let mut called: Option<(usize, super::Done)> = None;
    loop {
        let job = JobPlan {
            start: start.take(),
            called: called.take(),
            from: idx,
        };
        let (stop, answer) = match submit(exec, job, state, reply.clone())? {
            JobOutcome::Replay(result, answer) => return result.map(|output| (output, answer)),
            JobOutcome::Ran {
                state: next,
                ran,
                stop,
                answer,
            } => {
                state = next;
                for i in ran {
                    failpoint::hit_named(|| point(exec, i, "after"));
                }
                (stop, answer)
            }
        };
        let ext = match stop {
            Stop::Finished => return Ok((final_result(exec, &state), answer)),
            Stop::Failed(_, error) => return Err(compensate(exec, &state, error)),
            Stop::External(ext) => ext,
        };
        failpoint::hit_named(|| point(exec, ext, "before"));
        match call_external(exec, ext, &state) {
            Ok(done) => {
                failpoint::hit_named(|| point(exec, ext, "after"));
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

/// One write job: start the execution (or not), record the external call just made (if
/// any), then run steps from `from` until the end, a step that fails, or an external step
/// that may not run inline.
struct JobPlan {
    start: Option<Option<String>>,
    called: Option<(usize, super::Done)>,
    from: usize,
}

fn submit<R: Send + 'static>(
    exec: &Exec,
    plan: JobPlan,
    state: State,
    reply: Option<Reply<R>>,
) -> Result<JobOutcome<R>> {
    let exec = exec.clone();
    exec.engine
        .clone()
        .store()
        .write(move |tx| run_job(tx, &exec, plan, state, reply.as_deref()))
}

fn run_job<R>(
    tx: &Tx,
    exec: &Exec,
    plan: JobPlan,
    mut state: State,
    reply: Option<&ReplyFn<R>>,
) -> Result<JobOutcome<R>> {
    let ctx = exec.engine.ctx();
    // A transient run without a key writes its execution row only if it turns out to need
    // one: when it stops at an external step or fails (see `Workflow::transient`).
    let mut unstarted = None;
    if let Some(key) = plan.start {
        if let Some(replay) = replay(tx, exec, key.as_deref())? {
            let answer = match (&replay, reply) {
                (Ok(output), Some(reply)) => Some(reply(tx, output)),
                _ => None,
            };
            return Ok(JobOutcome::Replay(replay, answer));
        }
        if key.is_none() && exec.wf.is_transient() {
            unstarted = Some(key);
        } else {
            start_execution(tx, exec, key.as_deref())?;
        }
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
    let mut ran = Vec::new();
    let mut answer = None;
    let stop = run_steps(tx, exec, plan.from, &mut state, &mut ran)?;
    // A transient run that did not finish in this job needs its row after all, before its
    // step rows.
    let finished = matches!(stop, Stop::Finished);
    if let (Some(key), false) = (&unstarted, finished) {
        start_execution(tx, exec, key.as_deref())?;
    }
    if !finished {
        put_done_rows(tx, exec, &state, &ran)?;
    }
    match &stop {
        // The job that ends the execution keeps its steps for the `done` update (see
        // `journal::FinishedSteps`); one that leaves it running writes step rows for recovery
        // (above). A transient run finished in its first job has no row at all: nothing to
        // replay or recover.
        Stop::Finished => {
            let result = final_result(exec, &state);
            if unstarted.is_none() {
                let steps = finished_steps(exec, &state, &ran);
                journal::finish(tx, ctx, &exec.id, &result, steps.as_deref())?;
            }
            // The run's events are fanned out (and in-process subscribers handled) in this
            // job, saving the dispatcher's own job and commit.
            if tx.has_emitted() {
                crate::events::dispatcher::fan_out_in_job(&exec.engine, tx);
            }
            // Inside the job but outside its `?`: a failed read must not undo the run.
            answer = reply.map(|reply| reply(tx, &result));
        }
        Stop::External(ext) => {
            let write = StepWrite {
                status: "invoking",
                ..step_write(*ext, &exec.wf.steps[*ext])
            };
            journal::put_step(tx, ctx, &exec.id, &write)?;
        }
        Stop::Failed(idx, error) => {
            let stored = error.to_stored();
            let write = StepWrite {
                status: "failed",
                error: Some(&stored),
                attempts: 1,
                ..step_write(*idx, &exec.wf.steps[*idx])
            };
            journal::put_step(tx, ctx, &exec.id, &write)?;
        }
    }
    Ok(JobOutcome::Ran {
        state,
        ran,
        stop,
        answer,
    })
}

fn start_execution(tx: &Tx, exec: &Exec, key: Option<&str>) -> Result<()> {
    let ctx = exec.engine.ctx();
    journal::insert_execution(tx, ctx, &exec.id, exec.wf.name(), key, &exec.input)
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

/// A run of consecutive local steps inside one savepoint: where it began, to roll back to.
struct Segment {
    completed: usize,
    ran: usize,
}

/// Runs steps from `from` inside the caller's write job: local steps, and external steps
/// whose rule lets this run call them inline ([`super::Step::inline_when`]). Consecutive
/// local steps share a savepoint: a local step's error rolls back that run of steps only
/// (an inline call before it stays done, to be compensated like any completed step). Each
/// failure is journaled `failed` by the job (`run_job`). `ran` gets the steps that completed.
fn run_steps(
    tx: &Tx,
    exec: &Exec,
    from: usize,
    state: &mut State,
    ran: &mut Vec<usize>,
) -> Result<Stop> {
    let mut segment: Option<Segment> = None;
    for idx in from..exec.wf.steps.len() {
        let step = &exec.wf.steps[idx];
        let outcome = match &step.body {
            Body::Local { invoke, .. } => {
                if segment.is_none() {
                    crate::db::writer::exec_cached(tx, "SAVEPOINT workflow_group")?;
                    segment = Some(Segment {
                        completed: state.completed.len(),
                        ran: ran.len(),
                    });
                }
                failpoint::hit_named(|| point(exec, idx, "before"));
                invoke(tx, &step_ctx(exec, state, idx, 1))
            }
            Body::External { invoke, .. } => {
                release(tx, &mut segment)?;
                if !step.runs_inline(&step_ctx(exec, state, idx, 1)) {
                    return Ok(Stop::External(idx));
                }
                failpoint::hit_named(|| point(exec, idx, "before"));
                invoke(&step_ctx(exec, state, idx, 1))
            }
        };
        match outcome {
            Ok(done) => {
                state.results.insert(step.name.clone(), done.output);
                state.completed.push((idx, done.compensation));
                ran.push(idx);
            }
            Err(error) => {
                if let Some(begun) = segment.take() {
                    crate::db::writer::rollback_to(tx, "workflow_group")?;
                    for undone in ran.drain(begun.ran..) {
                        state.results.remove(&exec.wf.steps[undone].name);
                    }
                    state.completed.truncate(begun.completed);
                }
                return Ok(Stop::Failed(idx, error));
            }
        }
    }
    release(tx, &mut segment)?;
    Ok(Stop::Finished)
}

/// Ends the open run of local steps, keeping its changes.
fn release(tx: &Tx, segment: &mut Option<Segment>) -> Result<()> {
    if segment.take().is_some() {
        crate::db::writer::exec_cached(tx, "RELEASE workflow_group")?;
    }
    Ok(())
}

/// The journal entry of a step this job completed (first attempt), from `state`.
fn done_write<'a>(exec: &'a Exec, state: &'a State, idx: usize) -> StepWrite<'a> {
    let step = &exec.wf.steps[idx];
    let compensation = state
        .completed
        .iter()
        .rev()
        .find(|(i, _)| *i == idx)
        .map(|(_, data)| data);
    StepWrite {
        status: "done",
        output: state.results.get(&step.name),
        compensation,
        attempts: 1,
        ..step_write(idx, step)
    }
}

/// The steps of the job that finishes the execution, as [`journal::FinishedSteps`] text.
fn finished_steps(exec: &Exec, state: &State, ran: &[usize]) -> Option<String> {
    let mut steps = journal::FinishedSteps::default();
    for &idx in ran {
        steps.push(&done_write(exec, state, idx));
    }
    steps.text()
}

/// A `workflow_step` row for each step this job completed (the execution goes on running,
/// so recovery may need them).
fn put_done_rows(tx: &Tx, exec: &Exec, state: &State, ran: &[usize]) -> Result<()> {
    for &idx in ran {
        journal::put_step(
            tx,
            exec.engine.ctx(),
            &exec.id,
            &done_write(exec, state, idx),
        )?;
    }
    Ok(())
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

//! The workflow engine: multi-step operations that never leave partial state.
//!
//! It is generic — it knows nothing about commerce. A [`Workflow`] is an ordered list of steps;
//! each step sees the workflow input and the outputs of the steps before it ([`StepCtx`]), and
//! returns its output plus the data its compensation needs ([`Done`]).
//!
//! * **Local** steps only touch the store. Consecutive local steps run together in one write
//!   job with their journal rows, so they commit or vanish together.
//! * **External** steps talk to the outside (a payment provider, a mailer). They run on the
//!   caller's thread, never on the writer; the journal records the intent before the call
//!   and the outcome after it, so a crash in between is recoverable. Each gets a stable
//!   idempotency key ([`StepCtx::idempotency_key`]) to pass to the provider.
//! * An external step may say, per run, that this call has no effect outside the process
//!   ([`Step::inline_when`], e.g. a payment provider that lives in the process): it then runs
//!   inside the surrounding write job like a local step — no intent row, no second job, one
//!   attempt — and a crash loses it together with the rest of the job.
//! * On failure, completed steps are compensated in reverse order, each journaled; a
//!   compensation that still fails after its retries leaves the execution
//!   `failed_compensation` for an operator.
//! * A run may carry an idempotency key: a repeat returns the stored result; a concurrent
//!   repeat gets `conflict` (409).
//! * At start-up [`recover`] finishes every execution a crash left `running` or
//!   `compensating`.
//!
//! ```
//! use serde_json::json;
//! use stockroom::workflow::{Done, Step, Workflow};
//!
//! let wf = Workflow::new("hello")
//!     .step(Step::local("greet", |_tx, ctx| Ok(Done::new(json!(format!("hi {}", ctx.input["name"]))))))
//!     .step(Step::external("notify", |ctx| Ok(Done::new(json!({"sent": ctx.result("greet")})))));
//! assert_eq!(wf.steps().len(), 2);
//! ```

pub mod hooks;
mod journal;
mod recovery;
mod run;
mod typed;

pub use journal::{
    ExecutionRecord, StepRecord, list_executions, list_executions_among, load as load_execution,
    load_by_key as load_execution_by_key,
};
pub use recovery::recover;
pub use run::{run, run_replying};
pub use typed::{Handle, keep_null, parse_input};

/// The text field `key` of a workflow's JSON output (an id the caller goes on with). An
/// output without it is a fault of the workflow, answered `unexpected_state` — never an
/// empty id handed to the next call or put in a redirect.
///
/// # Errors
/// `unexpected_state` when `key` is missing or not a string.
pub fn output_str<'a>(output: &'a Value, key: &str) -> Result<&'a str> {
    output[key].as_str().ok_or_else(|| {
        crate::error::Error::UnexpectedState(format!("workflow output without `{key}`"))
    })
}

use crate::db::Tx;
use crate::engine::Engine;
use crate::error::Result;
use serde_json::{Map, Value};
use std::sync::Arc;
use std::time::Duration;

/// What a step hands back: its output (visible to later steps and, for the last step, the
/// workflow's result) and what its compensation will need.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Done {
    /// Output, stored in the journal.
    pub output: Value,
    /// Compensation data, stored in the journal.
    pub compensation: Value,
}

impl Done {
    /// An output with no compensation data.
    pub fn new(output: Value) -> Self {
        Done {
            output,
            compensation: Value::Null,
        }
    }

    /// An output and the data its compensation needs.
    pub fn with_compensation(output: Value, compensation: Value) -> Self {
        Done {
            output,
            compensation,
        }
    }
}

/// What a step sees.
pub struct StepCtx<'a> {
    /// The engine.
    pub engine: &'a Engine,
    /// This execution's id (`wf_exec_…`).
    pub execution_id: &'a str,
    /// The workflow's input.
    pub input: &'a Value,
    /// Outputs of completed steps, by step name.
    pub results: &'a Map<String, Value>,
    /// This step's name.
    pub step: &'a str,
    /// Attempt number, from 1.
    pub attempt: u32,
}

impl StepCtx<'_> {
    /// The output of an earlier step (`Null` if it has none).
    pub fn result(&self, step: &str) -> &Value {
        self.results.get(step).unwrap_or(&Value::Null)
    }

    /// A key naming this step of this execution — the same on every attempt, on recovery and
    /// in the compensation — to pass to external providers so a retry never acts twice.
    pub fn idempotency_key(&self) -> String {
        format!("{}:{}", self.execution_id, self.step)
    }
}

type LocalInvoke = Arc<dyn Fn(&Tx, &StepCtx) -> Result<Done> + Send + Sync>;
pub(crate) type LocalCompensate = Arc<dyn Fn(&Tx, &StepCtx, &Value) -> Result<()> + Send + Sync>;
type ExternalInvoke = Arc<dyn Fn(&StepCtx) -> Result<Done> + Send + Sync>;
pub(crate) type ExternalCompensateFn = dyn Fn(&StepCtx, &Value) -> Result<()> + Send + Sync;
type ExternalCompensate = Arc<dyn Fn(&StepCtx, &Value) -> Result<()> + Send + Sync>;
type InlineRule = Arc<dyn Fn(&StepCtx) -> bool + Send + Sync>;

#[derive(Clone)]
pub(crate) enum Body {
    Local {
        invoke: LocalInvoke,
        compensate: Option<LocalCompensate>,
    },
    External {
        invoke: ExternalInvoke,
        compensate: Option<ExternalCompensate>,
        inline: Option<InlineRule>,
    },
}

/// One step of a workflow.
#[derive(Clone)]
pub struct Step {
    name: String,
    body: Body,
    attempts: u32,
    backoff: Duration,
}

impl Step {
    /// A step that only touches the store; it runs on the writer inside the group's
    /// transaction.
    pub fn local(
        name: &str,
        invoke: impl Fn(&Tx, &StepCtx) -> Result<Done> + Send + Sync + 'static,
    ) -> Self {
        Step::with_body(
            name,
            Body::Local {
                invoke: Arc::new(invoke),
                compensate: None,
            },
        )
    }

    /// A step with an outside side effect; it runs on the caller's thread.
    pub fn external(
        name: &str,
        invoke: impl Fn(&StepCtx) -> Result<Done> + Send + Sync + 'static,
    ) -> Self {
        Step::with_body(
            name,
            Body::External {
                invoke: Arc::new(invoke),
                compensate: None,
                inline: None,
            },
        )
    }

    fn with_body(name: &str, body: Body) -> Self {
        Step {
            name: name.to_string(),
            body,
            attempts: 1,
            backoff: Duration::ZERO,
        }
    }

    /// Compensation of a local step: undoes its effect in a write job. Ignored on an external
    /// step (use [`Step::compensate_external`]).
    pub fn compensate(
        mut self,
        f: impl Fn(&Tx, &StepCtx, &Value) -> Result<()> + Send + Sync + 'static,
    ) -> Self {
        if let Body::Local { compensate, .. } = &mut self.body {
            *compensate = Some(Arc::new(f));
        }
        self
    }

    /// Compensation of a local step that reads its data as `C` (what the step gave
    /// [`Done::undo_with`]). Data that does not fit is an `unexpected_state` error, so the
    /// execution is left `failed_compensation` for an operator rather than half undone.
    pub fn compensate_with<C: serde::de::DeserializeOwned>(
        self,
        f: impl Fn(&Tx, &StepCtx, C) -> Result<()> + Send + Sync + 'static,
    ) -> Self {
        self.compensate(move |tx, ctx, data| {
            let data = C::deserialize(data).map_err(|e| {
                crate::error::Error::UnexpectedState(format!(
                    "compensation data of step {}: {e}",
                    ctx.step
                ))
            })?;
            f(tx, ctx, data)
        })
    }

    /// Compensation of an external step (e.g. cancel at the provider, by idempotency key).
    /// After a crash it may be called with `Null` data when the call's outcome was never
    /// journaled, so it must work from the key alone. Ignored on a local step.
    pub fn compensate_external(
        mut self,
        f: impl Fn(&StepCtx, &Value) -> Result<()> + Send + Sync + 'static,
    ) -> Self {
        if let Body::External { compensate, .. } = &mut self.body {
            *compensate = Some(Arc::new(f));
        }
        self
    }

    /// Lets this external step run inside the surrounding write job, as if it were local,
    /// on the runs where `rule` answers `true` (asked on the writer, with the outputs of the
    /// steps before it, when the run reaches the step; and again when it is compensated).
    ///
    /// `rule` answers for the call the step is about to make: `true` only when that call has
    /// no effect outside this process, does no blocking I/O, is fast, does not write to the
    /// store by itself (the writer is busy running it), and gives the same answer when re-run.
    /// Such a step is not journaled `invoking` first and costs no job of its own: a crash
    /// loses it together with the job, and nothing outside the process happened. It gets one
    /// attempt (retries wait, and a write job must not), and its compensation runs in a write
    /// job with its journal row, as a local step's does. Ignored on a local step.
    pub fn inline_when(mut self, rule: impl Fn(&StepCtx) -> bool + Send + Sync + 'static) -> Self {
        if let Body::External { inline, .. } = &mut self.body {
            *inline = Some(Arc::new(rule));
        }
        self
    }

    /// Whether this run may run the step inside a write job ([`Step::inline_when`]): always
    /// for a local step, never for an external step without a rule.
    pub(crate) fn runs_inline(&self, ctx: &StepCtx) -> bool {
        match &self.body {
            Body::Local { .. } => true,
            Body::External { inline, .. } => inline.as_ref().is_some_and(|rule| rule(ctx)),
        }
    }

    /// Retries an external step up to `attempts` times in all, waiting `backoff`, doubled
    /// each time, between attempts (not when it runs inline: one attempt). (Local steps are deterministic store work: a retry
    /// would fail the same way, so they always run once.)
    pub fn retry(mut self, attempts: u32, backoff: Duration) -> Self {
        self.attempts = attempts.max(1);
        self.backoff = backoff;
        self
    }

    /// Runs a local step's body inside the caller's write job, as part of a step of another
    /// workflow (composition: the point of sale runs `create-order-fulfillment`'s steps inside
    /// its own). Nothing is journaled for it: the calling step's journal row covers it, and
    /// its savepoint rolls it back with the rest.
    ///
    /// # Errors
    /// The step's own errors; `unexpected_state` for an external step.
    pub(crate) fn invoke_local(&self, tx: &Tx, ctx: &StepCtx) -> Result<Done> {
        match &self.body {
            Body::Local { invoke, .. } => invoke(tx, ctx),
            Body::External { .. } => Err(crate::error::Error::UnexpectedState(format!(
                "step {} is external and cannot run inside a write job",
                self.name
            ))),
        }
    }

    /// The step's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Whether the step runs on the writer.
    pub fn is_local(&self) -> bool {
        matches!(self.body, Body::Local { .. })
    }
}

/// What recovery does with an execution a crash left `running`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recovery {
    /// Undo it: compensate every completed step (the default; the caller never saw a result).
    Compensate,
    /// Finish it: re-run the unfinished external step with the same idempotency key, then the
    /// rest.
    Resume,
}

/// An ordered composition of steps.
#[derive(Clone)]
pub struct Workflow {
    name: String,
    steps: Vec<Step>,
    recovery: Recovery,
    input_check: Option<InputCheck>,
    transient: bool,
}

type InputCheck = Arc<dyn Fn(&Value) -> Result<()> + Send + Sync>;

impl Workflow {
    /// An empty workflow; register it with `EngineBuilder::workflow`.
    pub fn new(name: &str) -> Self {
        Workflow {
            name: name.to_string(),
            steps: Vec::new(),
            recovery: Recovery::Compensate,
            input_check: None,
            transient: false,
        }
    }

    /// Keeps no execution row for a run that needs none: one without an idempotency key
    /// that finishes in its first write job. The journal exists for recovery and for replays;
    /// such a run needs neither, because its effects and their absence commit atomically.
    /// A run that stops at an external step or fails is journaled as usual, from that same
    /// job on. The admin's execution list (`/admin/workflows-executions`) then shows only
    /// the runs that kept a row — as Medusa, which keeps a workflow without `store`,
    /// `idempotent` or `retentionTime` in memory only. Meant for the storefront's frequent
    /// cart changes: each row costs a write to the table and three indexes in that commit.
    pub fn transient(mut self) -> Self {
        self.transient = true;
        self
    }

    /// Whether [`Workflow::transient`] was asked.
    pub fn is_transient(&self) -> bool {
        self.transient
    }

    /// Appends a step.
    pub fn step(mut self, step: Step) -> Self {
        self.steps.push(step);
        self
    }

    /// Chooses what recovery does after a crash.
    pub fn recovery(mut self, recovery: Recovery) -> Self {
        self.recovery = recovery;
        self
    }

    /// The workflow's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Its steps, in order.
    pub fn steps(&self) -> &[Step] {
        &self.steps
    }

    /// Checks an input before a run starts (see [`Workflow::input`]).
    ///
    /// # Errors
    /// 400 `invalid_data` for an input the workflow does not take.
    pub fn check_input(&self, input: &Value) -> Result<()> {
        self.input_check
            .as_ref()
            .map_or(Ok(()), |check| check(input))
    }
}

/// The engine's journal tables, as a module (prefix `workflow`).
pub fn module() -> crate::db::module::Module {
    crate::db::module::Module::new("workflow", "workflow")
        .migration(crate::migration!("workflow", "0001_init.sql"))
        .migration(crate::migration!("workflow", "0002_key_index.sql"))
        .migration(crate::migration!("workflow", "0003_finished_steps.sql"))
        .migration(crate::migration!(
            "workflow",
            "0004_checks_without_lists.sql"
        ))
}

//! Typed workflows: serde structs in and out, JSON in the journal.
//!
//! A [`Handle`] names a workflow together with its input and output types. Registering
//! [`Handle::workflow`] makes the engine parse every input as the handle's input type
//! *before* the execution starts, so a missing or misspelled field is a 400 at the boundary
//! — never an empty id deep inside a step. Steps read their input and earlier results with
//! [`StepCtx::input_as`] / [`StepCtx::result_as`] and hand back [`Done::of`]; the journal,
//! recovery and the admin's execution list still see JSON under the workflow's name.

use super::{Done, StepCtx, Workflow};
use crate::db::Tx;
use crate::engine::Engine;
use crate::error::{Error, Result};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::marker::PhantomData;

/// A workflow's name with its input type `I` and output type `O`. Cheap, `const`, and meant
/// to live in a `pub const` next to the workflow's definition:
///
/// ```
/// use serde::{Deserialize, Serialize};
/// use stockroom::workflow::{Done, Handle, Step};
///
/// #[derive(Serialize, Deserialize)]
/// #[serde(deny_unknown_fields)]
/// pub struct Greet { pub name: String }
///
/// pub const GREET: Handle<Greet, String> = Handle::new("greet");
///
/// # fn main() -> stockroom::Result<()> {
/// let wf = GREET.workflow().step(Step::local("greet", |_tx, ctx| {
///     let input: Greet = ctx.input_as()?;
///     Done::of(&format!("hi {}", input.name))
/// }));
/// let engine = stockroom::EngineBuilder::empty()
///     .workflow(wf)
///     .build(stockroom::db::Store::memory(Default::default())?)?;
/// assert_eq!(GREET.run(&engine, &Greet { name: "Ada".into() }, None)?, "hi Ada");
/// let typo = serde_json::json!({"nmae": "Ada"});
/// let err = GREET.run_json(&engine, typo, None).unwrap_err();
/// assert_eq!(err.to_string(), "Invalid request: Unrecognized fields: 'nmae'");
/// # Ok(()) }
/// ```
pub struct Handle<I, O> {
    name: &'static str,
    types: PhantomData<fn(I) -> O>,
}

impl<I, O> Clone for Handle<I, O> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<I, O> Copy for Handle<I, O> {}

impl<I, O> Handle<I, O> {
    /// The handle of the workflow registered as `name`.
    pub const fn new(name: &'static str) -> Self {
        Handle {
            name,
            types: PhantomData,
        }
    }

    /// The name the journal and recovery know the workflow by.
    pub fn name(&self) -> &'static str {
        self.name
    }
}

impl<I: Serialize + DeserializeOwned + 'static, O: DeserializeOwned> Handle<I, O> {
    /// An empty workflow under this name whose input is checked as `I` before each run.
    pub fn workflow(&self) -> Workflow {
        Workflow::new(self.name).input::<I>()
    }

    /// Runs the workflow with a typed input and returns its typed output.
    ///
    /// # Errors
    /// As [`run`](super::run); `unexpected_state` if the output does not fit `O`.
    pub fn run(&self, engine: &Engine, input: &I, key: Option<&str>) -> Result<O> {
        self.output(super::run(engine, self.name, to_json(input)?, key)?)
    }

    /// Runs the workflow with JSON from outside (a request body): it is parsed as `I` first,
    /// and a body that does not fit is a 400 naming the field.
    ///
    /// # Errors
    /// 400 `invalid_data` for input that is not an `I`; otherwise as [`Handle::run`].
    pub fn run_json(&self, engine: &Engine, input: Value, key: Option<&str>) -> Result<O> {
        parse_input::<I>(&input)?;
        self.output(super::run(engine, self.name, input, key)?)
    }

    fn output(&self, output: Value) -> Result<O> {
        self.output_of(&output)
    }

    fn output_of(&self, output: &Value) -> Result<O> {
        O::deserialize(output).map_err(|e| {
            Error::UnexpectedState(format!("workflow {} returned another type: {e}", self.name))
        })
    }
}

impl<I: Serialize + DeserializeOwned + 'static, O: DeserializeOwned + 'static> Handle<I, O> {
    /// [`Handle::run`], answering what `reply` reads inside the write job that ends (or
    /// replays) the run, given the typed output: see [`run_replying`](super::run_replying).
    ///
    /// # Errors
    /// As [`Handle::run`]; otherwise the reply's error.
    pub fn run_replying<R: Send + 'static>(
        &self,
        engine: &Engine,
        input: &I,
        key: Option<&str>,
        reply: impl Fn(&Tx, O) -> Result<R> + Send + Sync + 'static,
    ) -> Result<R> {
        self.replying(engine, to_json(input)?, key, reply)
    }

    /// [`Handle::run_json`], answering as [`Handle::run_replying`] does.
    ///
    /// # Errors
    /// As [`Handle::run_json`]; otherwise the reply's error.
    pub fn run_json_replying<R: Send + 'static>(
        &self,
        engine: &Engine,
        input: Value,
        key: Option<&str>,
        reply: impl Fn(&Tx, O) -> Result<R> + Send + Sync + 'static,
    ) -> Result<R> {
        parse_input::<I>(&input)?;
        self.replying(engine, input, key, reply)
    }

    /// Runs with JSON input already known to fit `I`, the typed output handed to `reply`.
    fn replying<R: Send + 'static>(
        &self,
        engine: &Engine,
        input: Value,
        key: Option<&str>,
        reply: impl Fn(&Tx, O) -> Result<R> + Send + Sync + 'static,
    ) -> Result<R> {
        let handle = *self;
        super::run_replying(engine, self.name, input, key, move |tx, output| {
            reply(tx, handle.output_of(output)?)
        })
    }
}

impl Workflow {
    /// Checks every input as `I` before a run starts (see [`Handle::workflow`]).
    pub fn input<I: DeserializeOwned + 'static>(mut self) -> Self {
        self.input_check = Some(std::sync::Arc::new(|v| parse_input::<I>(v).map(|_| ())));
        self
    }
}

impl StepCtx<'_> {
    /// The workflow input as `T`.
    ///
    /// # Errors
    /// 400 `invalid_data` naming the field that does not fit.
    pub fn input_as<T: DeserializeOwned>(&self) -> Result<T> {
        parse_input(self.input)
    }

    /// An earlier step's output as `T`.
    ///
    /// # Errors
    /// `unexpected_state` when it does not fit: the steps disagree on a type.
    pub fn result_as<T: DeserializeOwned>(&self, step: &str) -> Result<T> {
        T::deserialize(self.result(step)).map_err(|e| {
            Error::UnexpectedState(format!(
                "the output of step {step} is not what {} reads: {e}",
                self.step
            ))
        })
    }
}

impl Done {
    /// A typed output with no compensation data.
    ///
    /// # Errors
    /// `unexpected_state` if it does not serialize (a map with non-text keys).
    pub fn of(output: &impl Serialize) -> Result<Done> {
        Ok(Done::new(to_json(output)?))
    }

    /// Adds typed compensation data, read back by `Step::compensate_with`.
    ///
    /// # Errors
    /// As [`Done::of`].
    pub fn undo_with(mut self, data: &impl Serialize) -> Result<Done> {
        self.compensation = to_json(data)?;
        Ok(self)
    }
}

/// `#[serde(default, deserialize_with = "keep_null")]` on an `Option<Option<T>>` field keeps
/// an explicit `null` (`Some(None)`: clear it) apart from an absent field (`None`: leave it).
///
/// # Errors
/// The field's value is not a `T` or `null`.
pub fn keep_null<'de, D, T>(deserializer: D) -> std::result::Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

fn to_json(value: &impl Serialize) -> Result<Value> {
    serde_json::to_value(value).map_err(|e| Error::UnexpectedState(format!("step output: {e}")))
}

/// Parses JSON from outside as `T`, with Medusa's wording for the common mistakes.
///
/// # Errors
/// 400 `invalid_data`: "Invalid request: Field 'x' is required", "… Unrecognized fields:
/// 'x'", or serde's description of a wrong type.
pub fn parse_input<T: DeserializeOwned>(input: &Value) -> Result<T> {
    T::deserialize(input).map_err(|e| Error::invalid(format!("Invalid request: {}", wording(&e))))
}

fn wording(e: &serde_json::Error) -> String {
    let text = e.to_string();
    let quoted = |rest: &str| rest.split('`').nth(1).map(str::to_string);
    if let Some(field) = text.strip_prefix("missing field ").and_then(quoted) {
        return format!("Field '{field}' is required");
    }
    if let Some(field) = text.strip_prefix("unknown field ").and_then(quoted) {
        return format!("Unrecognized fields: '{field}'");
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Input {
        cart_id: String,
        quantity: i64,
    }

    #[test]
    fn boundary_errors_name_the_field() {
        let err = |v: Value| parse_input::<Input>(&v).unwrap_err().to_string();
        assert_eq!(
            err(serde_json::json!({"quantity": 1})),
            "Invalid request: Field 'cart_id' is required"
        );
        assert_eq!(
            err(serde_json::json!({"cart_id": "c", "quantity": 1, "cartid": "c"})),
            "Invalid request: Unrecognized fields: 'cartid'"
        );
        assert!(err(serde_json::json!({"cart_id": "c", "quantity": "2"})).contains("invalid type"));
        assert!(parse_input::<Input>(&serde_json::json!({"cart_id": "c", "quantity": 2})).is_ok());
    }

    const COUNT: Handle<String, String> = Handle::new("count");

    /// The reply reads inside the job that ends the run (it sees the run's own journal row,
    /// still uncommitted), runs again on a replay with the stored output, and its failure
    /// leaves the run committed.
    #[test]
    fn a_reply_is_read_in_the_job_that_ends_or_replays_the_run() -> Result<()> {
        let wf = COUNT
            .workflow()
            .step(super::super::Step::local("echo", |_tx, ctx| {
                Done::of(&ctx.input_as::<String>()?)
            }));
        let store = crate::db::Store::memory(Default::default())?;
        let engine = crate::EngineBuilder::empty().workflow(wf).build(store)?;
        let done_rows = |tx: &Tx, output: String| -> Result<(String, i64)> {
            let sql = "SELECT COUNT(*) FROM workflow_execution WHERE status = 'done'";
            Ok((output, tx.query_row(sql, [], |r| r.get(0))?))
        };
        let first = COUNT.run_replying(&engine, &"a".into(), Some("k"), done_rows)?;
        assert_eq!(first, ("a".to_string(), 1));
        let replay = COUNT.run_replying(&engine, &"b".into(), Some("k"), done_rows)?;
        assert_eq!(
            replay,
            ("a".to_string(), 1),
            "the stored output, nothing run again"
        );
        let refused = COUNT.run_replying(&engine, &"c".into(), Some("k2"), |_, _| {
            Err::<(), _>(Error::invalid("the reply failed"))
        });
        assert_eq!(refused.unwrap_err().to_string(), "the reply failed");
        let kept = engine
            .store()
            .read(|conn| super::super::load_execution_by_key(conn, "count", "k2"))?;
        assert_eq!(
            (kept.status.as_str(), kept.result),
            ("done", Some("c".into()))
        );
        Ok(())
    }
}

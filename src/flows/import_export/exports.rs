//! The CSV export machinery shared by products, orders and inventory items (Medusa's
//! `export-products`, `export-orders`, `export-inventory-items`): each is a journaled
//! workflow of three steps, told apart only by an [`ExportKind`].
//!
//! 1. `notify-on-failure` (external, does nothing) — its compensation writes the "failed"
//!    feed notification, so a failure of any later step tells the admin, as Medusa's
//!    `notifyOnFailureStep` does.
//! 2. the export step (external): reads the rows on a reader, writes the CSV, and stores it
//!    through the engine's file provider (the local one keeps it in the store and serves it
//!    at `/static/<key>`); its compensation deletes the file.
//! 3. `send-notifications` (local): the feed notification `admin-ui` with the file's
//!    `{filename, url, mimeType}` that Medusa's dashboard shows as a download.
//!
//! Medusa runs the export in the background and answers `202 {transaction_id}`; here it
//! runs inside the request (a read and one file write), and the answer is the same.

use super::csv_text::{self, Table};
use crate::db::Tx;
use crate::engine::Engine;
use crate::error::Result;
use crate::modules::file::NewFile;
use crate::modules::file::provider::FileCall;
use crate::modules::notification::{self, NewNotification};
use crate::workflow::{Done, Handle, Step, StepCtx, Workflow};
use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// What one kind of export is made of.
pub struct ExportKind {
    /// The workflow (`export-products`).
    pub workflow: Handle<ExportInput, Exported>,
    /// The step writing the file (`export-products`).
    pub step: &'static str,
    /// The notifications' title (`Product export`).
    pub title: &'static str,
    /// What is exported, in the failure message (`products`).
    pub noun: &'static str,
    /// The file name's tail: `<epoch ms>-<tail>.csv`.
    pub file_tail: &'static str,
    /// The rows, on a reader, for the filter the route passed on.
    pub table: fn(&Connection, &Value) -> Result<Table>,
}

/// An export's input, as [`start`] journals it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExportInput {
    /// The route's filter, read by the kind's table (`Null` for none).
    pub filter: Value,
    /// The server's address, for the file's download URL.
    pub base_url: String,
}

/// The export step's compensation data: the stored file to delete.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StoredFile {
    /// The file's id.
    pub id: String,
}

/// The export step's output (and the workflow's).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Exported {
    /// The file's id.
    pub id: String,
    /// `<epoch ms>-<tail>.csv`
    pub filename: String,
    /// Where it is downloaded.
    pub url: String,
}

/// Writes a feed notification for the dashboard (`channel: feed`, `template: admin-ui`),
/// once per `key`; the local provider's feed is the store itself, so it is recorded sent.
///
/// # Errors
/// Database failures.
pub fn feed(tx: &Tx, engine: &Engine, key: &str, data: Value) -> Result<()> {
    let ctx = engine.ctx();
    let new = NewNotification {
        to: String::new(),
        channel: "feed".into(),
        template: "admin-ui".into(),
        data,
        idempotency_key: Some(key.to_string()),
        provider_id: "local".into(),
        ..NewNotification::default()
    };
    let claimed = notification::claim(tx, ctx, &new)?;
    notification::record(tx, ctx, &claimed.id, true, None)?;
    Ok(())
}

/// The first step of an export or import: nothing, undone by telling the admin it failed.
/// It is an external step so that it commits on its own: a failing local step rolls back
/// the local steps grouped with it, and those are never compensated.
/// `description` reads the workflow's input; input that does not fit is `unexpected_state`
/// (the execution is left for an operator rather than posting a message without its name).
pub fn notify_on_failure(
    title: &'static str,
    description: impl Fn(&StepCtx) -> Result<String> + Send + Sync + 'static,
) -> Step {
    Step::external("notify-on-failure", |_| Ok(Done::new(Value::Null))).compensate_external(
        move |ctx, _| {
            let data = json!({"title": title, "description": description(ctx)?});
            let (engine, key) = (ctx.engine.clone(), format!("{}:failed", ctx.execution_id));
            ctx.engine
                .store()
                .write(move |tx| feed(tx, &engine, &key, data))
        },
    )
}

/// The workflow of one export kind.
pub fn workflow(kind: &'static ExportKind) -> Workflow {
    let failed = move |_: &StepCtx| {
        Ok(format!(
            "Failed to export {}, please try again later.",
            kind.noun
        ))
    };
    kind.workflow
        .workflow()
        .step(notify_on_failure(kind.title, failed))
        .step(
            Step::external(kind.step, move |ctx| export(ctx, kind))
                .compensate_external(delete_file),
        )
        .step(Step::local("send-notifications", move |tx, ctx| {
            let file: Exported = ctx.result_as(kind.step)?;
            let data = json!({
                "title": kind.title,
                "description": format!("{} completed successfully!", kind.title),
                "file": {"filename": file.filename, "url": file.url, "mimeType": "text/csv"},
            });
            feed(tx, ctx.engine, &format!("{}:done", ctx.execution_id), data)?;
            Done::of(&file)
        }))
}

/// The export step's compensation: deletes the file it stored. `Null` data (a crash before
/// the step's outcome was journaled) means no file is known, so there is nothing to delete.
fn delete_file(ctx: &StepCtx, data: &Value) -> Result<()> {
    if data.is_null() {
        return Ok(());
    }
    let file = StoredFile::deserialize(data).map_err(|e| {
        crate::error::Error::UnexpectedState(format!("compensation data of {}: {e}", ctx.step))
    })?;
    file_call(ctx, |call| {
        ctx.engine.providers().file().delete(call, &file.id)
    })
}

fn file_call<T>(ctx: &StepCtx, f: impl FnOnce(&FileCall) -> Result<T>) -> Result<T> {
    let input: ExportInput = ctx.input_as()?;
    f(&FileCall {
        store: ctx.engine.store(),
        ctx: ctx.engine.ctx(),
        base_url: &input.base_url,
    })
}

fn export(ctx: &StepCtx, kind: &ExportKind) -> Result<Done> {
    let input: ExportInput = ctx.input_as()?;
    let table = ctx
        .engine
        .store()
        .read(|c| (kind.table)(c, &input.filter))?;
    let bytes = csv_text::write(&table)?;
    let filename = format!("{}-{}.csv", ctx.engine.clock().now(), kind.file_tail);
    let file = NewFile::new(filename.clone(), Some("text/csv"), bytes);
    let stored = file_call(ctx, |call| {
        ctx.engine.providers().file().upload(call, vec![file])
    })?;
    let stored = stored.into_iter().next().ok_or_else(|| {
        crate::error::Error::UnexpectedState("the file provider stored nothing".into())
    })?;
    let out = Exported {
        id: stored.id.clone(),
        filename,
        url: stored.url,
    };
    Done::of(&out)?.undo_with(&StoredFile { id: stored.id })
}

/// Runs an export under a fresh transaction id and answers that id (Medusa's
/// `{transaction_id}`); the execution is `GET /admin/workflows-executions/<workflow>/<id>`.
///
/// # Errors
/// The kind's filter refused (400), or a failure of the file provider.
pub fn start(engine: &Engine, kind: &ExportKind, filter: Value, base_url: &str) -> Result<String> {
    let transaction = engine.ctx().id("trx");
    let input = ExportInput {
        filter,
        base_url: base_url.to_string(),
    };
    kind.workflow.run(engine, &input, Some(&transaction))?;
    Ok(transaction)
}

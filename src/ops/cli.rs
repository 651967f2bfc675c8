//! The binary's `backup`, `restore` and `verify` commands: open, call [`super`], print.
//! Results go to stdout, progress (on a terminal only, see [`super::progress`]) and notes to
//! stderr.

use super::backup::{Progress, backup_file};
use super::restore::restore;
use super::verify::verify;
use crate::clock::{Clock, format_iso8601};
use crate::config::OpsCommand;
use crate::engine::Engine;
use crate::error::{Error, Result};
use rusqlite::{Connection, OpenFlags};

/// Runs one operations command.
///
/// # Errors
/// The command's failure; for `verify`, a store that is not sound.
pub fn run(command: OpsCommand) -> Result<()> {
    let modules = Engine::builder().all_modules();
    match command {
        OpsCommand::Backup {
            db,
            to,
            method,
            pages_per_step,
            pause_ms,
        } => {
            let options = OpsCommand::backup_options(method, pages_per_step, pause_ms);
            let bar = super::progress::bar("copying pages", 0);
            let mut show = |p: Progress| {
                bar.set_length(p.total);
                bar.set_position(p.copied);
            };
            let report = backup_file(&db, &to, &modules, &options, &mut show);
            bar.finish_and_clear();
            let report = report?;
            println!(
                "backed up {} to {}: {} bytes in {} ms ({} steps), verified in {} ms",
                db.display(),
                report.file.display(),
                report.bytes,
                report.copy_ms,
                report.steps,
                report.verify_ms
            );
            Ok(())
        }
        OpsCommand::Restore { from, db } => {
            let label = format_iso8601(Clock::System.now()).replace(':', "-");
            let report = restore(&from, &db, &modules, &label)?;
            println!(
                "restored {} from {} ({} bytes)",
                db.display(),
                from.display(),
                report.bytes
            );
            for aside in &report.kept_aside {
                println!("kept the old file as {}", aside.display());
            }
            Ok(())
        }
        OpsCommand::Prune { db, policy } => {
            let Some(policy) = policy else {
                println!("retention is off (--retention-days 0): nothing pruned");
                return Ok(());
            };
            if !db.is_file() {
                return Err(Error::invalid(format!("no store file at {}", db.display())));
            }
            let store = crate::db::Store::open(&db, crate::db::StoreOptions::default())?;
            let pruned = super::retention::prune_expired(&store, Clock::System.now(), policy);
            store.close();
            let c = pruned?;
            println!(
                "pruned {} executions ({} steps), {} events ({} deliveries), {} webhook deliveries and {} notifications in {} write jobs",
                c.executions,
                c.steps,
                c.events,
                c.deliveries,
                c.webhook_deliveries,
                c.notifications,
                c.jobs
            );
            Ok(())
        }
        OpsCommand::Replay { db, scope } => replay(&db, &scope),
        OpsCommand::Verify { db, json } => {
            if !db.is_file() {
                return Err(Error::invalid(format!("no store file at {}", db.display())));
            }
            let conn = Connection::open_with_flags(&db, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
            let report = verify(&conn, &modules)?;
            if json {
                println!("{}", serde_json::to_string(&report)?);
            } else {
                for line in report.problems().iter().chain(&report.notes()) {
                    println!("{line}");
                }
            }
            if report.is_sound() {
                eprintln!("{}: sound", db.display());
                Ok(())
            } else {
                Err(Error::UnexpectedState(format!(
                    "{} is not sound ({} problem(s))",
                    db.display(),
                    report.problems().len()
                )))
            }
        }
    }
}

/// `stockroom events replay`: dead deliveries back in the queue, in one write job.
fn replay(db: &std::path::Path, scope: &crate::config::ReplayScope) -> Result<()> {
    use crate::config::ReplayScope;
    use crate::events::webhooks::deliveries;
    if !db.is_file() {
        return Err(Error::invalid(format!("no store file at {}", db.display())));
    }
    let store = crate::db::Store::open(db, crate::db::StoreOptions::default())?;
    let ctx = crate::ctx::Ctx::new(Clock::System, crate::id::IdGenerator::random(Clock::System));
    let scope = scope.clone();
    let replayed = store.write(move |tx| match &scope {
        ReplayScope::AllDead => Ok((
            deliveries::replay_dead(tx, &ctx, None)?,
            crate::events::replay_dead_deliveries(tx)?,
        )),
        ReplayScope::Webhook(id) => {
            crate::events::webhooks::retrieve(tx, id)?;
            Ok((deliveries::replay_dead(tx, &ctx, Some(id))?, 0))
        }
        ReplayScope::Delivery(id) => {
            let webhook: Option<String> = rusqlite::OptionalExtension::optional(tx.query_row(
                "SELECT webhook_id FROM event_webhook_delivery WHERE id = ?1",
                [id],
                |r| r.get(0),
            ))?;
            let webhook = webhook.ok_or_else(|| Error::not_found("Webhook delivery", id))?;
            deliveries::replay(tx, &ctx, &webhook, id)?;
            Ok((1, 0))
        }
    });
    store.close();
    let (webhooks, subscribers) = replayed?;
    println!(
        "replayed {webhooks} webhook deliveries and {subscribers} subscriber deliveries; a running server sends them within a second"
    );
    Ok(())
}

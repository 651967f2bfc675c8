//! Scheduled jobs (Medusa's `src/jobs` with a cron `schedule`).
//!
//! A [`Job`] is a name, a cron expression and a handler, registered with
//! `EngineBuilder::job`. Each run is a journaled workflow execution named `job:<name>`
//! whose idempotency key is the slot it runs for (an ISO-8601 time), so runs are listed by
//! `stockroom jobs --db PATH` and the admin's execution list like any workflow.
//!
//! * **Clock.** Slots are computed on the engine's clock (UTC). On the system clock a
//!   scheduler thread looks for due slots every second and starts each due run on a thread
//!   of its own. On a manual (fixture) clock nothing runs by itself: moving the clock through
//!   `/test-control/clock` runs what became due, and library callers use
//!   [`Engine::run_due_jobs`](crate::Engine::run_due_jobs) — tests advance time, never sleep.
//! * **One at a time.** A job never has two runs at once: a slot that comes due while the
//!   previous run is still going waits for it to finish and then runs (late, once).
//! * **Missed runs.** Whatever the number of slots missed — downtime, or a run longer than
//!   its period — a job runs *once*, for the most recent missed slot, and then follows its
//!   schedule. At start-up the last slot run is read from the journal; a job with no run
//!   in the journal (a new job, or one whose history retention removed) starts with the
//!   first slot after the engine started. A run cut off by a crash is not run again.
//!
//! Cron expressions are parsed by the `croner` crate: POSIX/Vixie semantics (five fields,
//! an optional leading seconds field, Sunday = 0 or 7, day-of-month OR day-of-week),
//! aliases like `@hourly`. An invalid expression fails `build`.

use crate::clock::{Millis, format_iso8601, parse_iso8601};
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::workflow::{Done, Step, Workflow};
use chrono::{DateTime, Utc};
use croner::Cron;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::str::FromStr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

type Handler = Arc<dyn Fn(&Engine, &JobRun) -> Result<Value> + Send + Sync>;

/// What a run's handler is told: which slot it runs for (the workflow input, journaled).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JobRun {
    /// The job's name.
    pub job: String,
    /// The slot this run is for (ISO-8601 UTC); later than it when the run is a catch-up.
    pub scheduled_at: String,
}

/// A scheduled job.
#[derive(Clone)]
pub struct Job {
    name: String,
    schedule: String,
    handler: Handler,
}

impl Job {
    /// `handler` runs at every slot of the cron expression `schedule`; what it returns is
    /// the run's journaled result, an error its journaled failure.
    pub fn new(
        name: &str,
        schedule: &str,
        handler: impl Fn(&Engine, &JobRun) -> Result<Value> + Send + Sync + 'static,
    ) -> Self {
        Job {
            name: name.to_string(),
            schedule: schedule.to_string(),
            handler: Arc::new(handler),
        }
    }

    /// The job's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The name its runs are journaled under.
    pub fn workflow_name(&self) -> String {
        format!("job:{}", self.name)
    }

    /// The one-step workflow each run executes. The step is external: the handler runs on
    /// the scheduler's thread and writes through `engine.store().write` as it needs.
    pub fn workflow(&self) -> Workflow {
        let handler = self.handler.clone();
        Workflow::new(&self.workflow_name())
            .input::<JobRun>()
            .step(Step::external("run", move |ctx| {
                let run: JobRun = ctx.input_as()?;
                handler(ctx.engine, &run).map(Done::new)
            }))
    }

    fn parse(&self) -> Result<Cron> {
        Cron::from_str(&self.schedule).map_err(|e| {
            Error::UnexpectedState(format!(
                "job {}: invalid cron expression '{}': {e}",
                self.name, self.schedule
            ))
        })
    }
}

/// One run started by [`Engine::run_due_jobs`].
#[derive(Debug)]
pub struct JobOutcome {
    /// The job.
    pub job: String,
    /// The slot it ran for.
    pub scheduled_at: String,
    /// The handler's result.
    pub result: Result<Value>,
}

struct Slotted {
    job: Job,
    cron: Cron,
    /// The last slot a run was started for.
    last: Mutex<Millis>,
    running: AtomicBool,
}

/// The engine's jobs and their state.
pub(crate) struct Scheduler {
    jobs: Vec<Arc<Slotted>>,
    stop: Arc<AtomicBool>,
}

impl Scheduler {
    /// Parses every schedule and reads each job's last slot from the journal.
    pub(crate) fn new(jobs: Vec<Job>, store: &crate::db::Store, now: Millis) -> Result<Self> {
        let mut slotted = Vec::new();
        for job in jobs {
            let cron = job.parse()?;
            let name = job.workflow_name();
            let last = store.read(move |c| last_slot(c, &name))?.unwrap_or(now);
            slotted.push(Arc::new(Slotted {
                job,
                cron,
                last: Mutex::new(last),
                running: AtomicBool::new(false),
            }));
        }
        Ok(Scheduler {
            jobs: slotted,
            stop: Arc::new(AtomicBool::new(false)),
        })
    }

    /// Runs every due job on the calling thread, one after another, and reports each run.
    pub(crate) fn run_due(&self, engine: &Engine) -> Vec<JobOutcome> {
        let now = engine.clock().now();
        let due: Vec<_> = self
            .jobs
            .iter()
            .filter_map(|job| claim(job, now).map(|slot| (job.clone(), slot)))
            .collect();
        due.into_iter()
            .map(|(job, slot)| run_claimed(engine, &job, slot))
            .collect()
    }

    /// Starts the background thread (system clock only). It holds the engine weakly and
    /// ends with it, or at [`Scheduler::stop`].
    pub(crate) fn start(&self, engine: Weak<crate::engine::EngineInner>) {
        if self.jobs.is_empty() {
            return;
        }
        let (jobs, stop) = (self.jobs.clone(), self.stop.clone());
        let spawned = std::thread::Builder::new()
            .name("stockroom-jobs".into())
            .spawn(move || {
                while !stop.load(Ordering::SeqCst) {
                    let Some(inner) = engine.upgrade() else {
                        return;
                    };
                    let engine = Engine::from_inner(inner);
                    let now = engine.clock().now();
                    for job in &jobs {
                        if let Some(slot) = claim(job, now) {
                            let (engine, job) = (engine.clone(), job.clone());
                            std::thread::spawn(move || run_claimed(&engine, &job, slot));
                        }
                    }
                    drop(engine);
                    std::thread::sleep(Duration::from_secs(1));
                }
            });
        if let Err(e) = spawned {
            eprintln!("stockroom: the job scheduler did not start: {e}");
        }
    }

    /// Stops the background thread (runs in progress finish).
    pub(crate) fn stop(&self) {
        self.stop.store(true, Ordering::SeqCst);
    }
}

/// The slot `job` is due for at `now`, claimed (marked running, `last` moved) — `None` if
/// nothing is due or a run is still going.
fn claim(job: &Slotted, now: Millis) -> Option<Millis> {
    let mut last = job.last.lock().unwrap_or_else(|p| p.into_inner());
    let slot = latest_slot(&job.cron, now)?;
    if slot <= *last || job.running.swap(true, Ordering::SeqCst) {
        return None;
    }
    *last = slot;
    Some(slot)
}

/// Clears a job's `running` flag however its run ends, a panic included.
struct Running<'a>(&'a AtomicBool);

impl Drop for Running<'_> {
    fn drop(&mut self) {
        self.0.store(false, Ordering::SeqCst);
    }
}

fn run_claimed(engine: &Engine, job: &Slotted, slot: Millis) -> JobOutcome {
    let _running = Running(&job.running);
    let run = JobRun {
        job: job.job.name.clone(),
        scheduled_at: format_iso8601(slot),
    };
    let result = serde_json::to_value(&run)
        .map_err(Error::from)
        .and_then(|input| {
            crate::workflow::run(
                engine,
                &job.job.workflow_name(),
                input,
                Some(&run.scheduled_at),
            )
        });
    JobOutcome {
        job: run.job,
        scheduled_at: run.scheduled_at,
        result,
    }
}

/// The most recent slot at or before `now`.
fn latest_slot(cron: &Cron, now: Millis) -> Option<Millis> {
    let now: DateTime<Utc> = DateTime::from_timestamp_millis(now)?;
    let slot = cron.find_previous_occurrence(&now, true).ok()?;
    Some(slot.timestamp_millis())
}

/// The last slot a run of `workflow` was journaled for (keys are ISO times: they sort).
fn last_slot(conn: &rusqlite::Connection, workflow: &str) -> Result<Option<Millis>> {
    let key: Option<String> = conn
        .prepare_cached_static(
            "SELECT max(idempotency_key) FROM workflow_execution WHERE workflow = ?1",
        )?
        .query_row([workflow], |r| r.get(0))?;
    Ok(key.as_deref().and_then(parse_iso8601))
}

/// The runs of every job, newest first (`stockroom jobs`): job, slot, status, result or
/// error, start and last change.
///
/// # Errors
/// Database failures.
pub fn list_runs(conn: &rusqlite::Connection, limit: u64) -> Result<Vec<Value>> {
    let mut stmt = conn.prepare_cached_static(
        "SELECT workflow, idempotency_key, status, result, error, created_at, updated_at
         FROM workflow_execution WHERE workflow LIKE 'job:%'
         ORDER BY created_at DESC, id DESC LIMIT ?1",
    )?;
    let rows = stmt.query_map([limit.min(i64::MAX as u64) as i64], |r| {
        let workflow: String = r.get(0)?;
        let result: Option<String> = r.get(3)?;
        Ok(serde_json::json!({
            "job": workflow.trim_start_matches("job:"),
            "scheduled_at": r.get::<_, Option<String>>(1)?,
            "status": r.get::<_, String>(2)?,
            "result": result.and_then(|t| serde_json::from_str::<Value>(&t).ok()),
            "error": r.get::<_, Option<String>>(4)?,
            "started_at": r.get::<_, String>(5)?,
            "updated_at": r.get::<_, String>(6)?,
        }))
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(iso: &str) -> Millis {
        parse_iso8601(iso).unwrap()
    }

    #[test]
    fn the_latest_slot_collapses_missed_ones() {
        let nightly = Cron::from_str("0 3 * * *").unwrap();
        let slot = latest_slot(&nightly, at("2024-01-05T10:00:00.000Z"));
        assert_eq!(slot, Some(at("2024-01-05T03:00:00.000Z")));
        let exact = latest_slot(&nightly, at("2024-01-05T03:00:00.000Z"));
        assert_eq!(exact, Some(at("2024-01-05T03:00:00.000Z")), "inclusive");
    }

    #[test]
    fn weekdays_follow_posix() {
        // 2024-01-01 is a Monday; "1" is Monday in crontab (Sunday is 0).
        let mondays = Cron::from_str("0 0 * * 1").unwrap();
        let slot = latest_slot(&mondays, at("2024-01-03T00:00:00.000Z"));
        assert_eq!(slot, Some(at("2024-01-01T00:00:00.000Z")));
    }

    #[test]
    fn a_claimed_slot_is_not_claimed_twice_and_waits_for_a_running_one() {
        let job = Slotted {
            job: Job::new("j", "* * * * *", |_, _| Ok(Value::Null)),
            cron: Cron::from_str("* * * * *").unwrap(),
            last: Mutex::new(at("2024-01-01T00:00:00.000Z")),
            running: AtomicBool::new(false),
        };
        let now = at("2024-01-01T00:05:30.000Z");
        assert_eq!(claim(&job, now), Some(at("2024-01-01T00:05:00.000Z")));
        let later = at("2024-01-01T00:07:00.000Z");
        assert_eq!(claim(&job, later), None, "still running");
        job.running.store(false, Ordering::SeqCst);
        assert_eq!(claim(&job, now), None, "that slot already ran");
        assert_eq!(claim(&job, later), Some(later), "late, once");
    }

    #[test]
    fn invalid_expressions_are_refused() {
        let job = Job::new("bad", "61 * * * *", |_, _| Ok(Value::Null));
        assert!(
            job.parse()
                .unwrap_err()
                .to_string()
                .contains("invalid cron")
        );
    }
}

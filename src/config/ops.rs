//! The operations commands (`backup`, `restore`, `verify`) and the serve settings that
//! belong to operations (`--backup-dir`), parsed like the rest of [`super`].

use super::{Command, db_flag};
use crate::error::{Error, Result};
use crate::ops::backup::{BackupOptions, Method};
use crate::ops::retention::{DAY_MS, RetentionPolicy};
use std::path::PathBuf;
use std::time::Duration;

/// Operations settings of `serve`.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct OpsConfig {
    /// Folder `POST /admin/backups` writes into (`--backup-dir`, `STOCKROOM_BACKUP_DIR`);
    /// `None`: the route answers that backups are not configured.
    pub backup_dir: Option<PathBuf>,
    /// Bearer token `/metrics` requires (`--metrics-token`, `STOCKROOM_METRICS_TOKEN`);
    /// `None`: loopback clients only.
    pub metrics_token: Option<String>,
    /// The access log as JSON lines (`--access-log json`, `STOCKROOM_ACCESS_LOG=json`).
    pub access_log_json: bool,
    /// Days finished workflow executions and delivered events are kept
    /// (`--retention-days`, `STOCKROOM_RETENTION_DAYS`; `None`: the default, 30; `Some(0)`:
    /// kept forever).
    pub retention_days: Option<u64>,
    /// How webhooks are delivered (`--webhook-*`, `STOCKROOM_WEBHOOK_*`).
    pub webhooks: crate::events::webhooks::WebhookSettings,
    /// The SMTP server notifications are mailed through (`--smtp-url`, `STOCKROOM_SMTP_URL`;
    /// may hold a password); `None`: the `local` provider only logs them.
    pub smtp_url: Option<String>,
    /// The sender of those mails (`--smtp-from`, `STOCKROOM_SMTP_FROM`).
    pub smtp_from: Option<String>,
    /// Litestream replicates the store and owns its checkpoints (`--litestream`,
    /// `STOCKROOM_LITESTREAM=true`): no automatic checkpoints, no TRUNCATE at shutdown.
    pub litestream: bool,
}

impl std::fmt::Debug for OpsConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OpsConfig")
            .field("backup_dir", &self.backup_dir)
            .field(
                "metrics_token",
                &self.metrics_token.as_ref().map(|_| "<redacted>"),
            )
            .field("access_log_json", &self.access_log_json)
            .field("retention_days", &self.retention_days)
            .field("webhooks", &self.webhooks)
            .field("smtp_url", &self.smtp_url.as_ref().map(|_| "<redacted>"))
            .field("smtp_from", &self.smtp_from)
            .field("litestream", &self.litestream)
            .finish()
    }
}

/// Shortest metrics token accepted (a bearer secret).
const MIN_TOKEN: usize = 16;

impl OpsConfig {
    /// The settings from the environment (flags then override them).
    ///
    /// # Errors
    /// A metrics token under 16 characters; an access-log format other than text or json.
    pub fn from_env(env: &dyn Fn(&str) -> Option<String>) -> Result<OpsConfig> {
        let mut config = OpsConfig {
            backup_dir: env("STOCKROOM_BACKUP_DIR")
                .filter(|d| !d.is_empty())
                .map(PathBuf::from),
            webhooks: super::webhooks::from_env(env)?,
            smtp_url: env("STOCKROOM_SMTP_URL").filter(|u| !u.is_empty()),
            smtp_from: env("STOCKROOM_SMTP_FROM").filter(|f| !f.is_empty()),
            litestream: matches!(
                env("STOCKROOM_LITESTREAM").as_deref(),
                Some("1" | "true" | "yes")
            ),
            ..OpsConfig::default()
        };
        if let Some(token) = env("STOCKROOM_METRICS_TOKEN").filter(|t| !t.is_empty()) {
            config.metrics_token = Some(metrics_token(token)?);
        }
        if let Some(days) = env("STOCKROOM_RETENTION_DAYS") {
            config.retention_days = Some(positive(&days, "STOCKROOM_RETENTION_DAYS")?);
        }
        if let Some(format) = env("STOCKROOM_ACCESS_LOG") {
            config.access_log_json = access_log_json(&format)?;
        }
        Ok(config)
    }

    /// The SMTP provider's settings, when a server is configured.
    ///
    /// # Errors
    /// A URL without a sender, or either malformed.
    pub fn smtp(&self) -> Result<Option<crate::modules::notification::smtp::SmtpSettings>> {
        match (&self.smtp_url, &self.smtp_from) {
            (None, _) => Ok(None),
            (Some(_), None) => Err(Error::invalid(
                "--smtp-url needs --smtp-from (or STOCKROOM_SMTP_FROM): the sender of the mails",
            )),
            (Some(url), Some(from)) => Ok(Some(
                crate::modules::notification::smtp::SmtpSettings::from_url(url, from)?,
            )),
        }
    }

    /// The retention policy, or `None` when everything is kept.
    pub fn retention(&self) -> Option<RetentionPolicy> {
        retention_of(self.retention_days)
    }

    /// Takes a serve flag this struct owns; `Ok(false)` when the flag is not one of them.
    pub(super) fn take_flag(
        &mut self,
        flag: &str,
        value: &mut dyn FnMut() -> Result<String>,
    ) -> Result<bool> {
        match flag {
            "--backup-dir" => self.backup_dir = Some(PathBuf::from(value()?)),
            "--metrics-token" => self.metrics_token = Some(metrics_token(value()?)?),
            "--access-log" => self.access_log_json = access_log_json(&value()?)?,
            "--litestream" => self.litestream = true,
            "--smtp-url" => self.smtp_url = Some(value()?),
            "--smtp-from" => self.smtp_from = Some(value()?),
            "--retention-days" => {
                self.retention_days = Some(positive(&value()?, "--retention-days")?)
            }
            other => return super::webhooks::take_flag(&mut self.webhooks, other, value),
        }
        Ok(true)
    }
}

/// `stockroom backup | restore | verify`.
#[derive(Debug, Clone, PartialEq)]
pub enum OpsCommand {
    /// `stockroom backup --db PATH --to FILE [--method steps|vacuum] [--pages N] [--pause-ms MS]`
    Backup {
        /// The store (may be served meanwhile).
        db: PathBuf,
        /// The new backup file.
        to: PathBuf,
        /// Method and pacing.
        method: Method,
        /// Pages per step.
        pages_per_step: i32,
        /// Pause between steps.
        pause_ms: u64,
    },
    /// `stockroom restore --from FILE --db PATH`
    Restore {
        /// The backup.
        from: PathBuf,
        /// The store file to replace (kept aside).
        db: PathBuf,
    },
    /// `stockroom prune --db PATH [--retention-days N]`
    Prune {
        /// The store.
        db: PathBuf,
        /// What to keep (`None`: everything, with `--retention-days 0`).
        policy: Option<RetentionPolicy>,
    },
    /// `stockroom events replay --db PATH [--webhook ID | --delivery ID]`
    Replay {
        /// The store (may be served meanwhile).
        db: PathBuf,
        /// What to replay.
        scope: super::webhooks::ReplayScope,
    },
    /// `stockroom verify --db PATH [--json]`
    Verify {
        /// The store.
        db: PathBuf,
        /// Print the report as JSON.
        json: bool,
    },
}

impl OpsCommand {
    /// The backup's options.
    pub fn backup_options(method: Method, pages_per_step: i32, pause_ms: u64) -> BackupOptions {
        BackupOptions {
            method,
            pages_per_step,
            pause: Duration::from_millis(pause_ms),
        }
    }
}

pub(super) const BACKUP_HELP: &str = "stockroom backup --db PATH --to FILE: copy a store (served or not) into a new file, verify the copy, print its size and time
  --method steps|vacuum  SQLite's online backup API in steps inside one read snapshot (default),
                         or VACUUM INTO (a compacted copy, one statement)
  --pages N              pages per step (default 1024)
  --pause-ms MS          pause between steps (default 0)
  the writer is never blocked (WAL readers do not block it); FILE must not exist
";
pub(super) const RESTORE_HELP: &str = "stockroom restore --from FILE --db PATH: verify the backup FILE and put it in place of the store PATH; refused while a server (or anything) has PATH open; the old file is kept as PATH.before-restore-<time>
";
pub(super) const VERIFY_HELP: &str = "stockroom verify --db PATH [--json]: integrity check, foreign keys and migration checksums; exits non-zero when the store is not sound
";

/// Parses `backup`'s arguments.
pub(super) fn parse_backup(
    args: &[String],
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Command> {
    let (db, rest) = db_flag(args, env)?;
    let defaults = BackupOptions::default();
    let (mut to, mut method) = (None, defaults.method);
    let (mut pages, mut pause_ms) = (defaults.pages_per_step, 0u64);
    let mut it = rest.iter();
    while let Some(flag) = it.next() {
        let value = it
            .next()
            .ok_or_else(|| Error::invalid(format!("{flag} needs a value\n\n{BACKUP_HELP}")))?;
        match flag.as_str() {
            "--to" => to = Some(PathBuf::from(value)),
            "--method" => {
                method = Method::parse(value).ok_or_else(|| {
                    Error::invalid(format!("--method must be steps or vacuum, not '{value}'"))
                })?
            }
            "--pages" => pages = positive(value, "--pages")?,
            "--pause-ms" => pause_ms = positive::<u64>(value, "--pause-ms")?,
            other => {
                return Err(Error::invalid(format!(
                    "unexpected argument '{other}'\n\n{BACKUP_HELP}"
                )));
            }
        }
    }
    let to =
        to.ok_or_else(|| Error::invalid(format!("backup needs --to FILE\n\n{BACKUP_HELP}")))?;
    Ok(Command::Ops(OpsCommand::Backup {
        db,
        to,
        method,
        pages_per_step: pages,
        pause_ms,
    }))
}

/// Parses `restore`'s arguments.
pub(super) fn parse_restore(
    args: &[String],
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Command> {
    let (db, rest) = db_flag(args, env)?;
    match rest.as_slice() {
        [flag, from] if flag == "--from" => Ok(Command::Ops(OpsCommand::Restore {
            from: PathBuf::from(from),
            db,
        })),
        _ => Err(Error::invalid(format!(
            "restore needs --from FILE\n\n{RESTORE_HELP}"
        ))),
    }
}

pub(super) const PRUNE_HELP: &str = "stockroom prune --db PATH [--retention-days N]: delete finished workflow executions and delivered events older than N days (default 30; 0 keeps everything), in small write jobs; safe while the store is served
";

/// Parses `prune`'s arguments.
pub(super) fn parse_prune(
    args: &[String],
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Command> {
    let (db, rest) = db_flag(args, env)?;
    let days = match rest.as_slice() {
        [] => match env("STOCKROOM_RETENTION_DAYS") {
            Some(days) => Some(positive(&days, "STOCKROOM_RETENTION_DAYS")?),
            None => None,
        },
        [flag, days] if flag == "--retention-days" => Some(positive(days, "--retention-days")?),
        _ => {
            return Err(Error::invalid(format!(
                "unexpected arguments\n\n{PRUNE_HELP}"
            )));
        }
    };
    Ok(Command::Ops(OpsCommand::Prune {
        db,
        policy: retention_of(days),
    }))
}

/// `None` (the default) → 30 days; `Some(0)` → keep everything.
fn retention_of(days: Option<u64>) -> Option<RetentionPolicy> {
    match days {
        Some(0) => None,
        Some(days) => Some(RetentionPolicy {
            keep_ms: i64::try_from(days)
                .unwrap_or(i64::MAX / DAY_MS)
                .saturating_mul(DAY_MS),
            ..RetentionPolicy::default()
        }),
        None => Some(RetentionPolicy::default()),
    }
}

/// Parses `verify`'s arguments.
pub(super) fn parse_verify(
    args: &[String],
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Command> {
    let (db, rest) = db_flag(args, env)?;
    match rest.as_slice() {
        [] => Ok(Command::Ops(OpsCommand::Verify { db, json: false })),
        [flag] if flag == "--json" => Ok(Command::Ops(OpsCommand::Verify { db, json: true })),
        _ => Err(Error::invalid(format!(
            "unexpected arguments\n\n{VERIFY_HELP}"
        ))),
    }
}

fn metrics_token(token: String) -> Result<String> {
    if token.len() < MIN_TOKEN {
        return Err(Error::invalid(format!(
            "the metrics token must be {MIN_TOKEN}+ characters"
        )));
    }
    Ok(token)
}

fn access_log_json(format: &str) -> Result<bool> {
    match format {
        "json" => Ok(true),
        "text" => Ok(false),
        other => Err(Error::invalid(format!(
            "--access-log must be text or json, not '{other}'"
        ))),
    }
}

fn positive<T: std::str::FromStr + Default + PartialOrd>(text: &str, flag: &str) -> Result<T> {
    text.parse::<T>()
        .ok()
        .filter(|n| *n >= T::default())
        .ok_or_else(|| Error::invalid(format!("{flag} must be a number, not '{text}'")))
}

#[cfg(test)]
mod tests {
    use super::super::parse;
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn backup_restore_and_verify_parse_with_their_defaults() {
        let none = |_: &str| None;
        let cmd = parse(&args(&["backup", "--db", "s.db", "--to", "b.db"]), &none).unwrap();
        assert_eq!(
            cmd,
            Command::Ops(OpsCommand::Backup {
                db: "s.db".into(),
                to: "b.db".into(),
                method: Method::Steps,
                pages_per_step: 1024,
                pause_ms: 0
            })
        );
        let cmd = parse(
            &args(&[
                "backup", "--db", "s.db", "--to", "b.db", "--method", "vacuum",
            ]),
            &none,
        )
        .unwrap();
        assert!(matches!(
            cmd,
            Command::Ops(OpsCommand::Backup {
                method: Method::VacuumInto,
                ..
            })
        ));
        let env = |k: &str| (k == "STOCKROOM_DB").then(|| "e.db".to_string());
        let cmd = parse(&args(&["restore", "--from", "b.db"]), &env).unwrap();
        assert_eq!(
            cmd,
            Command::Ops(OpsCommand::Restore {
                from: "b.db".into(),
                db: "e.db".into()
            })
        );
        let cmd = parse(&args(&["verify", "--db", "s.db", "--json"]), &none).unwrap();
        assert_eq!(
            cmd,
            Command::Ops(OpsCommand::Verify {
                db: "s.db".into(),
                json: true
            })
        );
    }

    #[test]
    fn bad_ops_arguments_are_refused_with_the_help() {
        let none = |_: &str| None;
        for bad in [
            &["backup", "--db", "s.db"][..],
            &["backup", "--db", "s.db", "--to", "b", "--method", "copy"],
            &["backup", "--db", "s.db", "--to", "b", "--pages", "-3"],
            &["restore", "--db", "s.db"],
            &["verify", "--db", "s.db", "--fast"],
        ] {
            let err = parse(&args(bad), &none).unwrap_err();
            assert_eq!(err.status(), 400, "{bad:?}");
        }
    }

    #[test]
    fn the_backup_dir_comes_from_the_flag_or_the_environment() {
        let env = |k: &str| (k == "STOCKROOM_BACKUP_DIR").then(|| "/var/b".to_string());
        let Command::Serve(config) = parse(&args(&["serve", "--demo"]), &env).unwrap() else {
            panic!("serve")
        };
        assert_eq!(config.ops.backup_dir, Some(PathBuf::from("/var/b")));
        let Command::Serve(config) =
            parse(&args(&["serve", "--demo", "--backup-dir", "/srv/b"]), &env).unwrap()
        else {
            panic!("serve")
        };
        assert_eq!(config.ops.backup_dir, Some(PathBuf::from("/srv/b")));
    }
}

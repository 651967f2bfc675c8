//! The operations commands (`backup`, `restore`, `verify`, `prune`) and the serve settings
//! that belong to operations (backups, metrics, access log, retention, Litestream, SMTP,
//! webhooks), as clap arguments and as the types the rest of the code uses.

use super::cli::{DbArg, number};
use crate::error::{Error, Result};
use crate::ops::backup::{BackupOptions, Method};
use crate::ops::retention::{DAY_MS, RetentionPolicy};
use clap::builder::BoolishValueParser;
use clap::{ArgAction, Args, ValueEnum};
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
    /// Warm the catalog memos and every pooled reader in the background after a start
    /// (`serve` does unless `--no-warm` / `STOCKROOM_NO_WARM=true`; off by default in
    /// embedded and test configurations). See [`crate::http::warm`].
    pub warm: bool,
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
            .field("warm", &self.warm)
            .finish()
    }
}

/// Shortest metrics token accepted (a bearer secret).
const MIN_TOKEN: usize = 16;

impl OpsConfig {
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
}

/// The access log's format.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum AccessLogFormat {
    /// One line of text per request.
    Text,
    /// One JSON object per request (never a query string or a header).
    Json,
}

/// `serve`'s operations flags.
#[derive(Args, Debug)]
#[command(next_help_heading = "Operations")]
pub struct OpsArgs {
    /// Folder POST /admin/backups writes into.
    #[arg(long, env = "STOCKROOM_BACKUP_DIR", value_name = "DIR")]
    backup_dir: Option<String>,
    /// Bearer token /metrics requires (16+ characters); without one, /metrics answers
    /// loopback clients only.
    #[arg(
        long,
        env = "STOCKROOM_METRICS_TOKEN",
        value_name = "TOKEN",
        hide_env_values = true
    )]
    metrics_token: Option<String>,
    /// Access log format.
    #[arg(long, env = "STOCKROOM_ACCESS_LOG", value_name = "FORMAT", value_enum,
          default_value_t = AccessLogFormat::Text)]
    access_log: AccessLogFormat,
    /// Keep finished workflow executions, delivered events and webhook deliveries and sent
    /// notifications N days (0: forever; default 30); file stores are pruned in the
    /// background, a minute after start then hourly.
    #[arg(long, env = "STOCKROOM_RETENTION_DAYS", value_name = "N", value_parser = number::<u64>)]
    retention_days: Option<u64>,
    /// Litestream replicates this store and owns its checkpoints: automatic checkpoints off,
    /// no wal_checkpoint(TRUNCATE) at shutdown (see README, Warm standby).
    #[arg(long, env = "STOCKROOM_LITESTREAM", action = ArgAction::SetTrue,
          value_parser = BoolishValueParser::new())]
    litestream: bool,
    /// Do not warm the catalog memos and the pooled readers in the background after the
    /// start (by default the first listings of each region are ready before anyone asks).
    #[arg(long, env = "STOCKROOM_NO_WARM", action = ArgAction::SetTrue,
          value_parser = BoolishValueParser::new())]
    no_warm: bool,
    /// Mail notifications through this server: smtps://user:pass@host[:465],
    /// smtp://user:pass@host[:587] (STARTTLS required), smtp://host:port?tls=none; without
    /// it the local provider logs them.
    #[arg(
        long,
        env = "STOCKROOM_SMTP_URL",
        value_name = "URL",
        hide_env_values = true
    )]
    smtp_url: Option<String>,
    /// The mails' sender, e.g. 'Shop <shop@example.com>'.
    #[arg(long, env = "STOCKROOM_SMTP_FROM", value_name = "SENDER")]
    smtp_from: Option<String>,
    /// Webhook delivery.
    #[command(flatten)]
    webhooks: super::webhooks::WebhookArgs,
}

impl OpsArgs {
    /// The settings. Empty variables count as unset, as they always did.
    ///
    /// # Errors
    /// A metrics token under 16 characters.
    pub(super) fn config(self) -> Result<OpsConfig> {
        let some = |v: Option<String>| v.filter(|v| !v.is_empty());
        let metrics_token = match some(self.metrics_token) {
            Some(token) if token.len() < MIN_TOKEN => {
                return Err(Error::invalid(format!(
                    "the metrics token must be {MIN_TOKEN}+ characters"
                )));
            }
            token => token,
        };
        Ok(OpsConfig {
            backup_dir: some(self.backup_dir).map(PathBuf::from),
            metrics_token,
            access_log_json: self.access_log == AccessLogFormat::Json,
            retention_days: self.retention_days,
            webhooks: self.webhooks.settings(),
            smtp_url: some(self.smtp_url),
            smtp_from: some(self.smtp_from),
            litestream: self.litestream,
            warm: !self.no_warm,
        })
    }
}

/// `stockroom backup | restore | verify | prune | events replay`.
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

/// How a backup copies.
#[derive(ValueEnum, Clone, Copy, Debug)]
enum BackupMethod {
    /// SQLite's online backup API in steps inside one read snapshot.
    Steps,
    /// VACUUM INTO: a compacted copy, one statement.
    Vacuum,
}

/// `stockroom backup`. The writer is never blocked (WAL readers do not block it).
#[derive(Args, Debug)]
pub struct BackupArgs {
    /// The store (may be served meanwhile).
    #[command(flatten)]
    db: DbArg,
    /// The new backup file (must not exist).
    #[arg(long, value_name = "FILE")]
    to: PathBuf,
    /// How to copy.
    #[arg(long, value_enum, default_value_t = BackupMethod::Steps)]
    method: BackupMethod,
    /// Pages per step.
    #[arg(long, value_name = "N", default_value_t = BackupOptions::default().pages_per_step,
          value_parser = pages)]
    pages: i32,
    /// Pause between steps.
    #[arg(long, value_name = "MS", default_value_t = 0, value_parser = number::<u64>)]
    pause_ms: u64,
}

impl BackupArgs {
    pub(super) fn command(self) -> OpsCommand {
        OpsCommand::Backup {
            db: self.db.db,
            to: self.to,
            method: match self.method {
                BackupMethod::Steps => Method::Steps,
                BackupMethod::Vacuum => Method::VacuumInto,
            },
            pages_per_step: self.pages,
            pause_ms: self.pause_ms,
        }
    }
}

/// `stockroom restore`: refused while a server (or anything) has the store open; the old file
/// is kept as PATH.before-restore-<time>.
#[derive(Args, Debug)]
pub struct RestoreArgs {
    /// The backup to verify and put in place.
    #[arg(long, value_name = "FILE")]
    from: PathBuf,
    /// The store file to replace.
    #[command(flatten)]
    db: DbArg,
}

impl RestoreArgs {
    pub(super) fn command(self) -> OpsCommand {
        OpsCommand::Restore {
            from: self.from,
            db: self.db.db,
        }
    }
}

/// `stockroom verify`.
#[derive(Args, Debug)]
pub struct VerifyArgs {
    /// The store.
    #[command(flatten)]
    db: DbArg,
    /// Print the report as JSON.
    #[arg(long)]
    json: bool,
}

impl VerifyArgs {
    pub(super) fn command(self) -> OpsCommand {
        OpsCommand::Verify {
            db: self.db.db,
            json: self.json,
        }
    }
}

/// `stockroom prune`: safe while the store is served.
#[derive(Args, Debug)]
pub struct PruneArgs {
    /// The store.
    #[command(flatten)]
    db: DbArg,
    /// Keep N days (default 30; 0 keeps everything).
    #[arg(long, env = "STOCKROOM_RETENTION_DAYS", value_name = "N", value_parser = number::<u64>)]
    retention_days: Option<u64>,
}

impl PruneArgs {
    pub(super) fn command(self) -> OpsCommand {
        OpsCommand::Prune {
            db: self.db.db,
            policy: retention_of(self.retention_days),
        }
    }
}

/// Pages per step: a number, not negative.
fn pages(text: &str) -> std::result::Result<i32, String> {
    number::<i32>(text)
        .ok()
        .filter(|n| *n >= 0)
        .ok_or_else(|| format!("must be a number, not '{text}'"))
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

//! The command line as clap structures (derive). Only shapes, names, defaults and variables
//! live here; [`super`] turns them into the commands the rest of the code runs.

use super::ops::{BackupArgs, OpsArgs, PruneArgs, RestoreArgs, VerifyArgs};
use super::till::TillCommand;
use super::webhooks::EventsSub;
use crate::db::Synchronous;
use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

/// stockroom — a commerce engine in one SQLite file (Medusa v2 compatible Store and Admin
/// APIs).
#[derive(Parser, Debug)]
#[command(name = "stockroom", version, propagate_version = true)]
#[command(arg_required_else_help = true, max_term_width = 100)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Sub,
}

/// The subcommands.
// Parsed once per process: boxing `ServeArgs` would buy nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Subcommand, Debug)]
pub enum Sub {
    /// Run the HTTP server (Store, Admin and Auth APIs, the admin UI)
    Serve(ServeArgs),
    /// Create or upgrade the store file, then exit
    Migrate(DbArg),
    /// Load a fixture file into the store file
    Seed {
        /// The store.
        #[command(flatten)]
        db: DbArg,
        /// Fixture file (the format of fixtures/demo.json).
        #[arg(value_name = "FILE")]
        fixture: PathBuf,
    },
    /// Print the store in the fixture format on stdout (read-only; what the format cannot hold is
    /// listed on stderr)
    Export(DbArg),
    /// List workflow executions (newest first), one JSON object per line
    Workflows {
        /// The store.
        #[command(flatten)]
        db: DbArg,
        /// Only executions in this state; failed_compensation lists those that need an
        /// operator.
        #[arg(long, value_name = "STATE")]
        state: Option<String>,
    },
    /// List scheduled job runs (newest first, at most 1000), one JSON object per line
    Jobs(DbArg),
    /// Admin users
    User {
        /// What to do with users.
        #[command(subcommand)]
        command: UserSub,
    },
    /// Copy a store (served or not) into a new file, verify the copy, print its size and time
    Backup(BackupArgs),
    /// Verify a backup and put it in place of a store no process has open (the old file is
    /// kept aside)
    Restore(RestoreArgs),
    /// Integrity check, foreign keys and migration checksums; exits non-zero when the store is
    /// not sound
    Verify(VerifyArgs),
    /// Delete finished workflow executions, delivered events, webhook deliveries and sent
    /// notifications older than the retention, in small write jobs
    Prune(PruneArgs),
    /// Event and webhook deliveries
    Events {
        /// What to do with deliveries.
        #[command(subcommand)]
        command: EventsSub,
    },
    /// A till (point of sale) of a central store: init, status, sync
    Till {
        /// What to do with the till.
        #[command(subcommand)]
        command: TillCommand,
    },
    /// Print a shell completion script (e.g. `stockroom completions bash > /etc/bash_completion.d/stockroom`)
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

/// `--db PATH` (or `STOCKROOM_DB`), required.
#[derive(Args, Debug)]
pub struct DbArg {
    /// Store file.
    #[arg(long, env = "STOCKROOM_DB", value_name = "PATH")]
    pub db: PathBuf,
}

/// `stockroom user …`.
#[derive(Subcommand, Debug)]
pub enum UserSub {
    /// Create an admin user
    Create(UserCreateArgs),
}

/// `stockroom user create`.
#[derive(Args, Debug)]
pub struct UserCreateArgs {
    /// The store.
    #[command(flatten)]
    pub db: DbArg,
    /// The admin's email.
    #[arg(long, env = "STOCKROOM_ADMIN_EMAIL", value_parser = non_empty)]
    pub email: String,
    /// The admin's password (hashed before it is stored).
    #[arg(long, env = "STOCKROOM_ADMIN_PASSWORD", hide_env_values = true, value_parser = non_empty)]
    pub password: String,
}

/// `stockroom serve`.
#[derive(Args, Debug)]
#[command(after_help = SERVE_VARIABLES)]
pub struct ServeArgs {
    /// Store file.
    #[arg(long, env = "STOCKROOM_DB", value_name = "PATH")]
    pub db: Option<PathBuf>,
    /// A fresh in-memory store (the default with --demo or --fixture).
    #[arg(long)]
    pub memory: bool,
    /// Load fixtures/demo.json; print the URL and the publishable key.
    #[arg(long, conflicts_with = "fixture")]
    pub demo: bool,
    /// Load FILE at start (the format of fixtures/demo.json).
    #[arg(long, value_name = "FILE")]
    pub fixture: Option<PathBuf>,
    /// Bind address.
    #[arg(long, env = "HOST", default_value = "127.0.0.1")]
    pub host: String,
    /// Port; 0 picks a free one and prints it.
    #[arg(long, env = "PORT", default_value_t = 9000, value_parser = number::<u16>)]
    pub port: u16,
    /// Durability of the store file: full, normal or off.
    #[arg(long, env = "STOCKROOM_SYNCHRONOUS", value_name = "MODE", default_value = "full",
          value_parser = synchronous)]
    pub synchronous: Synchronous,
    /// Requests whose handlers run at once (each on its connection's thread).
    #[arg(long, env = "STOCKROOM_WORKERS", default_value_t = 8, value_parser = number::<usize>)]
    pub workers: usize,
    /// Largest request body in bytes.
    #[arg(long, env = "STOCKROOM_BODY_LIMIT", value_name = "BYTES", default_value_t = 1 << 20,
          value_parser = number::<usize>)]
    pub body_limit: usize,
    /// Idle or slow connection timeout (0: none).
    #[arg(long, env = "STOCKROOM_TIMEOUT_MS", value_name = "MS", default_value_t = 30_000,
          value_parser = number::<u64>)]
    pub timeout_ms: u64,
    /// Total time to send one request, headers and body; over it: 408 (0: none).
    #[arg(long, env = "STOCKROOM_REQUEST_TIMEOUT_MS", value_name = "MS",
          default_value_t = 10_000, value_parser = number::<u64>)]
    pub request_timeout_ms: u64,
    /// Most connections open at once, one thread each (lowered to what the open-files limit
    /// allows); beyond it new connections wait in the listen backlog.
    #[arg(long, env = "STOCKROOM_MAX_CONNECTIONS", value_name = "N",
          default_value_t = super::DEFAULT_MAX_CONNECTIONS as u64, value_parser = number::<u64>)]
    pub max_connections: u64,
    /// No access log.
    #[arg(long)]
    pub quiet: bool,
    /// Mount /test-control/* (reset, snapshots, clock); only with --demo or --fixture.
    #[arg(long)]
    pub test_control: bool,
    /// Always migrate and seed (STOCKROOM_FIXTURE_CACHE=off does the same; =DIR moves the
    /// cache of seeded fixture images from ~/.cache/stockroom/fixtures).
    #[arg(long)]
    pub no_fixture_cache: bool,
    /// Operations, notifications and webhooks.
    #[command(flatten)]
    pub ops: OpsArgs,
}

/// The variables `serve` reads that have no flag (secrets stay off the command line).
const SERVE_VARIABLES: &str = "\
Variables without a flag:
  JWT_SECRET, COOKIE_SECRET   32+ characters each; required unless --demo or --fixture, which
                              use fixed, documented dev secrets
  STORE_CORS, ADMIN_CORS, AUTH_CORS   allowed origins, comma-separated
  STOCKROOM_ADMIN_EMAIL, STOCKROOM_ADMIN_PASSWORD   replace the fixture's first admin user
  STOCKROOM_HASH_PERMITS, STOCKROOM_HASH_WAIT_MS    password hashes at once, and how long a
                              login waits for a turn
  STOCKROOM_FIXTURE_CACHE     off, or the folder of the seeded-fixture cache
  STOCKROOM_TILL_SYNC_MS      how often a till syncs with its central (default 2000)";

/// A number, spaces around it ignored (as the variables always were).
pub(crate) fn number<T: std::str::FromStr>(text: &str) -> Result<T, String> {
    text.trim()
        .parse()
        .map_err(|_| format!("must be a number, not '{text}'"))
}

/// A number above zero.
pub(crate) fn positive(text: &str) -> Result<u64, String> {
    number::<u64>(text)
        .ok()
        .filter(|n| *n > 0)
        .ok_or_else(|| format!("must be a positive number, not '{text}'"))
}

fn non_empty(text: &str) -> Result<String, String> {
    if text.is_empty() {
        return Err("must not be empty".into());
    }
    Ok(text.to_string())
}

fn synchronous(text: &str) -> Result<Synchronous, String> {
    Synchronous::parse(text).ok_or_else(|| format!("must be full, normal or off, not '{text}'"))
}

//! Command line and environment. Environment variables mirror the flags; a flag wins over its
//! variable. Parsing is a pure function of the arguments and an env lookup, so it is tested
//! without touching the process environment.

use crate::db::Synchronous;
use crate::error::{Error, Result};
use crate::http::cors::{CorsConfig, parse_origins};
use crate::http::server::HttpOptions;
use crate::modules::auth::AuthConfig;
use std::path::PathBuf;
use std::time::Duration;

mod ops;
mod webhooks;
pub use ops::{OpsCommand, OpsConfig};
pub use webhooks::ReplayScope;

/// A parsed command.
// Built once per process: boxing `ServeConfig` would buy nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    /// `stockroom serve …`
    Serve(ServeConfig),
    /// `stockroom migrate --db PATH`
    Migrate {
        /// Store file.
        db: PathBuf,
    },
    /// `stockroom seed --db PATH FILE`
    Seed {
        /// Store file.
        db: PathBuf,
        /// Fixture file.
        fixture: PathBuf,
    },
    /// `stockroom workflows --db PATH [--state S]`: list journaled executions.
    Workflows {
        /// Store file.
        db: PathBuf,
        /// Only executions in this state (e.g. `failed_compensation`).
        state: Option<String>,
    },
    /// `stockroom jobs --db PATH`: list scheduled job runs.
    Jobs {
        /// Store file.
        db: PathBuf,
    },
    /// `stockroom export --db PATH`: print the store as a fixture document.
    Export {
        /// Store file.
        db: PathBuf,
    },
    /// `stockroom user create --db PATH --email E --password P`
    UserCreate {
        /// Store file.
        db: PathBuf,
        /// The admin's email.
        email: String,
        /// The admin's password (hashed before it is stored).
        password: String,
    },
    /// `stockroom backup | restore | verify` (operations, in `config/ops.rs`).
    Ops(OpsCommand),
    /// `--help` of a command (the text to print).
    Help(&'static str),
}

/// Where the store lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DbTarget {
    /// A file store.
    File(PathBuf),
    /// A fresh in-memory store.
    Memory,
}

/// Everything `serve` needs.
#[derive(Debug, Clone, PartialEq)]
pub struct ServeConfig {
    /// Store location.
    pub db: DbTarget,
    /// Load this fixture at start (`--demo` is `fixtures/demo.json`).
    pub fixture: Option<PathBuf>,
    /// Whether this is the demo mode (prints the publishable key).
    pub demo: bool,
    /// Bind address (default 127.0.0.1).
    pub host: String,
    /// Port (default 9000; 0 picks a free one and prints it).
    pub port: u16,
    /// Durability of the store file.
    pub synchronous: Synchronous,
    /// HTTP settings.
    pub workers: usize,
    /// Largest request body.
    pub body_limit: usize,
    /// Per-connection timeout in ms (0 = none).
    pub connection_timeout_ms: u64,
    /// Total time to read one request (line, headers, body) in ms (0 = none).
    pub request_timeout_ms: u64,
    /// Most connections open at once (one thread each).
    pub max_connections: usize,
    /// CORS lists.
    pub cors: CorsConfig,
    /// Print one line per request.
    pub access_log: bool,
    /// Mount the test-control API (fixture and demo modes only).
    pub test_control: bool,
    /// Signing secrets and accounts settings (`JWT_SECRET`, `COOKIE_SECRET`).
    pub auth: AuthConfig,
    /// Replaces the fixture's first admin user (`STOCKROOM_ADMIN_EMAIL`,
    /// `STOCKROOM_ADMIN_PASSWORD`); each part is optional.
    pub admin_override: AdminOverride,
    /// Directory of the seeded-image cache for in-memory fixture stores (`None`: always seed);
    /// see [`crate::fixture_cache`].
    pub fixture_cache: Option<PathBuf>,
    /// Operations settings (backup folder).
    pub ops: OpsConfig,
}

/// Email and/or password replacing the fixture's first admin user.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct AdminOverride {
    /// New email.
    pub email: Option<String>,
    /// New password.
    pub password: Option<String>,
}

impl std::fmt::Debug for AdminOverride {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AdminOverride")
            .field("email", &self.email)
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .finish()
    }
}

impl ServeConfig {
    /// The HTTP layer's options.
    pub fn http_options(&self) -> HttpOptions {
        HttpOptions {
            workers: self.workers,
            body_limit: self.body_limit,
            connection_timeout: (self.connection_timeout_ms > 0)
                .then(|| Duration::from_millis(self.connection_timeout_ms)),
            request_timeout: (self.request_timeout_ms > 0)
                .then(|| Duration::from_millis(self.request_timeout_ms)),
            max_connections: self.max_connections,
            cors: self.cors.clone(),
            access_log: self.access_log,
            access_log_json: self.access_log && self.ops.access_log_json,
            metrics: None,
        }
    }
}

/// Connections open at once unless configured.
pub const DEFAULT_MAX_CONNECTIONS: usize = 1024;

/// Top-level usage.
pub const USAGE: &str =
    "stockroom — a commerce engine in one SQLite file (Medusa v2 compatible Store API)

usage:
  stockroom serve [--db PATH | --memory] [--demo | --fixture FILE] [--host H] [--port P]
  stockroom migrate --db PATH
  stockroom seed --db PATH FILE
  stockroom export --db PATH > fixture.json
  stockroom workflows --db PATH [--state running|compensating|done|reverted|failed_compensation]
  stockroom jobs --db PATH
  stockroom user create --db PATH --email E --password P
  stockroom backup --db PATH --to FILE [--method steps|vacuum]
  stockroom restore --from FILE --db PATH
  stockroom verify --db PATH [--json]
  stockroom prune --db PATH [--retention-days N]
  stockroom events replay --db PATH [--webhook ID | --delivery ID]
  stockroom <command> --help
";

const SERVE_HELP: &str = "stockroom serve: run the HTTP server

  --db PATH            store file (env STOCKROOM_DB)
  --memory             fresh in-memory store (default with --demo/--fixture)
  --demo               load fixtures/demo.json, print the URL and publishable key
  --fixture FILE       load FILE (same format as fixtures/demo.json)
  --host H             bind address (env HOST, default 127.0.0.1)
  --port P             port (env PORT, default 9000; 0 = pick one and print it)
  --synchronous MODE   full|normal|off (env STOCKROOM_SYNCHRONOUS, default full)
  --workers N          HTTP worker threads (env STOCKROOM_WORKERS, default 4)
  --body-limit BYTES   largest request body (env STOCKROOM_BODY_LIMIT, default 1048576)
  --timeout-ms MS      idle/slow connection timeout (env STOCKROOM_TIMEOUT_MS, default 30000)
  --request-timeout-ms MS  total time to send one request, headers and body
                       (env STOCKROOM_REQUEST_TIMEOUT_MS, default 10000; over it: 408)
  --max-connections N  most connections open at once, one thread each (env
                       STOCKROOM_MAX_CONNECTIONS, default 1024, lowered to what the open-files
                       limit allows); beyond it new connections wait in the listen backlog
  --quiet              no access log
  --test-control       mount /test-control/* (reset, snapshots, clock); only with --demo/--fixture
  --backup-dir DIR     folder POST /admin/backups writes into (env STOCKROOM_BACKUP_DIR)
  --metrics-token T    bearer token /metrics requires (env STOCKROOM_METRICS_TOKEN, 16+
                       characters); without one, /metrics answers loopback clients only
  --access-log FORMAT  text (default) or json: one JSON object per request (env
                       STOCKROOM_ACCESS_LOG); never a query string or a header
  --retention-days N   keep finished workflow executions and delivered events N days
                       (env STOCKROOM_RETENTION_DAYS, default 30, 0 = forever); file stores
                       are pruned in the background, a minute after start then hourly
  --litestream         Litestream replicates this store and owns its checkpoints: automatic
                       checkpoints off, no wal_checkpoint(TRUNCATE) at shutdown (env
                       STOCKROOM_LITESTREAM=true; see README, Warm standby)
  --smtp-url URL       mail notifications through this server: smtps://user:pass@host[:465],
                       smtp://user:pass@host[:587] (STARTTLS required), smtp://host:port?tls=none
                       (env STOCKROOM_SMTP_URL); without it the local provider logs them
  --smtp-from SENDER   the mails' sender, e.g. 'Shop <shop@example.com>' (env STOCKROOM_SMTP_FROM)
  --webhooks-allow-loopback  let webhook endpoints be on loopback addresses (a receiver on
                       this host; env STOCKROOM_WEBHOOKS_ALLOW_LOOPBACK=true); link-local,
                       unspecified and multicast addresses are always refused
  --webhook-workers N  webhook deliveries in flight at once (env STOCKROOM_WEBHOOK_WORKERS, 4)
  --webhook-max-attempts N  attempts before a delivery is dead-lettered (env
                       STOCKROOM_WEBHOOK_MAX_ATTEMPTS, default 12)
  --webhook-backoff-ms MS  wait before the second attempt, doubling up to an hour (env
                       STOCKROOM_WEBHOOK_BACKOFF_MS, default 1000)
  --webhook-timeout-ms MS  read/write timeout of a delivery, connect at most 3000 (env
                       STOCKROOM_WEBHOOK_TIMEOUT_MS, default 10000)
  --no-fixture-cache   always migrate and seed (env STOCKROOM_FIXTURE_CACHE=off; or =DIR to move
                       the cache of seeded fixture images from ~/.cache/stockroom/fixtures)
CORS origins (comma-separated): STORE_CORS, ADMIN_CORS, AUTH_CORS.
JWT_SECRET and COOKIE_SECRET (32+ characters each) are required unless --demo/--fixture,
which use fixed, documented dev secrets.
";

const MIGRATE_HELP: &str =
    "stockroom migrate --db PATH: create or upgrade the store file, then exit\n";
const WORKFLOWS_HELP: &str = "stockroom workflows --db PATH [--state STATE]: list workflow executions (newest first), one JSON object per line; --state failed_compensation lists those that need an operator\n";
const JOBS_HELP: &str = "stockroom jobs --db PATH: list scheduled job runs (newest first, at most 1000), one JSON object per line: job, scheduled_at, status, result, error, started_at, updated_at. Read-only\n";
const EXPORT_HELP: &str = "stockroom export --db PATH > fixture.json: print the store in the fixture format (catalog, regions, taxes, stock locations and shipping, stock, admin users and customers with their password hashes); what the format cannot hold (orders, customer groups, price-list rules…) is listed on stderr. Read-only: no migration or recovery runs\n";
const SEED_HELP: &str = "stockroom seed --db PATH FILE: load a fixture file into the store file\n";
const USER_HELP: &str =
    "stockroom user create --db PATH --email E --password P: create an admin user
  (env STOCKROOM_DB, STOCKROOM_ADMIN_EMAIL, STOCKROOM_ADMIN_PASSWORD stand in for the flags)
";

/// Parses `args` (without the program name), reading variables through `env`.
///
/// # Errors
/// 400-style `invalid_data` errors with a message for the user.
pub fn parse(args: &[String], env: &dyn Fn(&str) -> Option<String>) -> Result<Command> {
    let Some((command, rest)) = args.split_first() else {
        return Ok(Command::Help(USAGE));
    };
    let help = |text| {
        rest.iter()
            .any(|a| a == "--help" || a == "-h")
            .then_some(Command::Help(text))
    };
    match command.as_str() {
        "--help" | "-h" | "help" => Ok(Command::Help(USAGE)),
        "serve" => help(SERVE_HELP).map_or_else(|| parse_serve(rest, env).map(Command::Serve), Ok),
        "migrate" => help(MIGRATE_HELP).map_or_else(|| parse_migrate(rest, env), Ok),
        "seed" => help(SEED_HELP).map_or_else(|| parse_seed(rest, env), Ok),
        "export" => help(EXPORT_HELP).map_or_else(|| parse_export(rest, env), Ok),
        "workflows" => help(WORKFLOWS_HELP).map_or_else(|| parse_workflows(rest, env), Ok),
        "jobs" => help(JOBS_HELP).map_or_else(|| parse_jobs(rest, env), Ok),
        "user" => help(USER_HELP).map_or_else(|| parse_user(rest, env), Ok),
        "backup" => help(ops::BACKUP_HELP).map_or_else(|| ops::parse_backup(rest, env), Ok),
        "restore" => help(ops::RESTORE_HELP).map_or_else(|| ops::parse_restore(rest, env), Ok),
        "verify" => help(ops::VERIFY_HELP).map_or_else(|| ops::parse_verify(rest, env), Ok),
        "prune" => help(ops::PRUNE_HELP).map_or_else(|| ops::parse_prune(rest, env), Ok),
        "events" => {
            help(webhooks::EVENTS_HELP).map_or_else(|| webhooks::parse_events(rest, env), Ok)
        }
        other => Err(Error::invalid(format!(
            "unknown command '{other}'\n\n{USAGE}"
        ))),
    }
}

fn parse_serve(args: &[String], env: &dyn Fn(&str) -> Option<String>) -> Result<ServeConfig> {
    let mut config = ServeConfig {
        db: DbTarget::Memory,
        fixture: None,
        demo: false,
        host: env("HOST").unwrap_or_else(|| "127.0.0.1".into()),
        port: number(env("PORT"), "PORT")?.unwrap_or(9000),
        synchronous: synchronous(env("STOCKROOM_SYNCHRONOUS"))?,
        workers: number(env("STOCKROOM_WORKERS"), "STOCKROOM_WORKERS")?.unwrap_or(4),
        body_limit: number(env("STOCKROOM_BODY_LIMIT"), "STOCKROOM_BODY_LIMIT")?.unwrap_or(1 << 20),
        connection_timeout_ms: number(env("STOCKROOM_TIMEOUT_MS"), "STOCKROOM_TIMEOUT_MS")?
            .unwrap_or(30_000),
        request_timeout_ms: number(
            env("STOCKROOM_REQUEST_TIMEOUT_MS"),
            "STOCKROOM_REQUEST_TIMEOUT_MS",
        )?
        .unwrap_or(10_000),
        max_connections: number(
            env("STOCKROOM_MAX_CONNECTIONS"),
            "STOCKROOM_MAX_CONNECTIONS",
        )?
        .map_or(DEFAULT_MAX_CONNECTIONS, |n: u64| n as usize),
        cors: CorsConfig {
            store: parse_origins(&env("STORE_CORS").unwrap_or_default()),
            admin: parse_origins(&env("ADMIN_CORS").unwrap_or_default()),
            auth: parse_origins(&env("AUTH_CORS").unwrap_or_default()),
        },
        access_log: true,
        test_control: false,
        auth: AuthConfig::dev(),
        admin_override: AdminOverride {
            email: env("STOCKROOM_ADMIN_EMAIL"),
            password: env("STOCKROOM_ADMIN_PASSWORD"),
        },
        fixture_cache: match env("STOCKROOM_FIXTURE_CACHE").as_deref() {
            Some("off" | "0" | "false") => None,
            Some(dir) if !dir.is_empty() => Some(PathBuf::from(dir)),
            _ => crate::fixture_cache::FixtureCache::default_dir(env),
        },
        ops: OpsConfig::from_env(env)?,
    };
    let mut db = env("STOCKROOM_DB").map(PathBuf::from);
    let mut memory = false;
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        let mut value = || {
            it.next()
                .cloned()
                .ok_or_else(|| Error::invalid(format!("{flag} needs a value")))
        };
        match flag.as_str() {
            "--db" => db = Some(PathBuf::from(value()?)),
            "--memory" => memory = true,
            "--demo" => config.demo = true,
            "--fixture" => config.fixture = Some(PathBuf::from(value()?)),
            "--host" => config.host = value()?,
            "--port" => config.port = number(Some(value()?), "--port")?.unwrap_or(9000),
            "--synchronous" => config.synchronous = synchronous(Some(value()?))?,
            "--workers" => config.workers = number(Some(value()?), "--workers")?.unwrap_or(4),
            "--body-limit" => {
                config.body_limit = number(Some(value()?), "--body-limit")?.unwrap_or(1 << 20)
            }
            "--timeout-ms" => {
                config.connection_timeout_ms = number(Some(value()?), "--timeout-ms")?.unwrap_or(0)
            }
            "--max-connections" => {
                config.max_connections = number(Some(value()?), "--max-connections")?
                    .map_or(DEFAULT_MAX_CONNECTIONS, |n: u64| n as usize)
            }
            "--request-timeout-ms" => {
                config.request_timeout_ms =
                    number(Some(value()?), "--request-timeout-ms")?.unwrap_or(0)
            }
            "--quiet" => config.access_log = false,
            "--test-control" => config.test_control = true,
            "--no-fixture-cache" => config.fixture_cache = None,
            other if config.ops.take_flag(other, &mut value)? => {}
            other => {
                return Err(Error::invalid(format!(
                    "unknown flag '{other}' for serve\n\n{SERVE_HELP}"
                )));
            }
        }
    }
    if config.test_control && !config.demo && config.fixture.is_none() {
        return Err(Error::invalid(
            "--test-control needs --demo or --fixture FILE: it resets the store",
        ));
    }
    if config.demo && config.fixture.is_some() {
        return Err(Error::invalid(
            "--demo and --fixture cannot be used together",
        ));
    }
    if config.demo {
        config.fixture = Some(PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fixtures/demo.json"
        )));
    }
    config.auth = match config.fixture {
        Some(_) if env("JWT_SECRET").is_none() && env("COOKIE_SECRET").is_none() => {
            AuthConfig::dev()
        }
        Some(_) => AuthConfig {
            hash_cost: crate::modules::auth::password::Cost::Light,
            ..AuthConfig::production(env("JWT_SECRET"), env("COOKIE_SECRET"))?
        },
        None => AuthConfig::production(env("JWT_SECRET"), env("COOKIE_SECRET"))?,
    };
    if let Some(permits) = number(env("STOCKROOM_HASH_PERMITS"), "STOCKROOM_HASH_PERMITS")? {
        config.auth.hash_permits = permits;
    }
    if let Some(wait) = number(env("STOCKROOM_HASH_WAIT_MS"), "STOCKROOM_HASH_WAIT_MS")? {
        config.auth.hash_wait_ms = wait;
    }
    config.db = match (db, memory) {
        (Some(_), true) => return Err(Error::invalid("--db and --memory cannot be used together")),
        (Some(path), false) => DbTarget::File(path),
        (None, true) => DbTarget::Memory,
        (None, false) if config.fixture.is_some() => DbTarget::Memory,
        (None, false) => {
            return Err(Error::invalid(
                "serve needs --db PATH, --memory, --demo or --fixture FILE",
            ));
        }
    };
    Ok(config)
}

fn parse_migrate(args: &[String], env: &dyn Fn(&str) -> Option<String>) -> Result<Command> {
    let (db, rest) = db_flag(args, env)?;
    if let Some(extra) = rest.first() {
        return Err(Error::invalid(format!(
            "unexpected argument '{extra}'\n\n{MIGRATE_HELP}"
        )));
    }
    Ok(Command::Migrate { db })
}

fn parse_seed(args: &[String], env: &dyn Fn(&str) -> Option<String>) -> Result<Command> {
    let (db, rest) = db_flag(args, env)?;
    match rest.as_slice() {
        [file] => Ok(Command::Seed {
            db,
            fixture: PathBuf::from(file),
        }),
        _ => Err(Error::invalid(format!(
            "seed needs exactly one FILE\n\n{SEED_HELP}"
        ))),
    }
}

fn parse_export(args: &[String], env: &dyn Fn(&str) -> Option<String>) -> Result<Command> {
    let (db, rest) = db_flag(args, env)?;
    if let Some(extra) = rest.first() {
        return Err(Error::invalid(format!(
            "unexpected argument '{extra}'\n\n{EXPORT_HELP}"
        )));
    }
    Ok(Command::Export { db })
}

fn parse_jobs(args: &[String], env: &dyn Fn(&str) -> Option<String>) -> Result<Command> {
    match db_flag(args, env)? {
        (db, rest) if rest.is_empty() => Ok(Command::Jobs { db }),
        _ => Err(Error::invalid(format!(
            "unexpected arguments\n\n{JOBS_HELP}"
        ))),
    }
}

fn parse_workflows(args: &[String], env: &dyn Fn(&str) -> Option<String>) -> Result<Command> {
    let (db, rest) = db_flag(args, env)?;
    match rest.as_slice() {
        [] => Ok(Command::Workflows { db, state: None }),
        [flag, state] if flag == "--state" => Ok(Command::Workflows {
            db,
            state: Some(state.clone()),
        }),
        _ => Err(Error::invalid(format!(
            "unexpected arguments\n\n{WORKFLOWS_HELP}"
        ))),
    }
}

fn parse_user(args: &[String], env: &dyn Fn(&str) -> Option<String>) -> Result<Command> {
    let (db, rest) = db_flag(args, env)?;
    let Some((sub, rest)) = rest.split_first() else {
        return Err(Error::invalid(format!(
            "user needs a subcommand\n\n{USER_HELP}"
        )));
    };
    if sub != "create" {
        return Err(Error::invalid(format!(
            "unknown user subcommand '{sub}'\n\n{USER_HELP}"
        )));
    }
    let mut email = env("STOCKROOM_ADMIN_EMAIL");
    let mut password = env("STOCKROOM_ADMIN_PASSWORD");
    let mut it = rest.iter();
    while let Some(flag) = it.next() {
        let value = it.next().cloned();
        match (flag.as_str(), value) {
            ("--email", Some(v)) => email = Some(v),
            ("--password", Some(v)) => password = Some(v),
            (other, _) => {
                return Err(Error::invalid(format!(
                    "unexpected argument '{other}'\n\n{USER_HELP}"
                )));
            }
        }
    }
    match (email, password) {
        (Some(email), Some(password)) if !email.is_empty() && !password.is_empty() => {
            Ok(Command::UserCreate {
                db,
                email,
                password,
            })
        }
        _ => Err(Error::invalid(format!(
            "user create needs --email and --password\n\n{USER_HELP}"
        ))),
    }
}

/// Takes `--db PATH` (or STOCKROOM_DB) out of `args`, returning the rest.
fn db_flag(
    args: &[String],
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<(PathBuf, Vec<String>)> {
    let mut db = env("STOCKROOM_DB").map(PathBuf::from);
    let mut rest = Vec::new();
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        if arg == "--db" {
            db = Some(PathBuf::from(
                it.next()
                    .ok_or_else(|| Error::invalid("--db needs a value"))?,
            ));
        } else {
            rest.push(arg.clone());
        }
    }
    let db = db.ok_or_else(|| Error::invalid("--db PATH (or STOCKROOM_DB) is required"))?;
    Ok((db, rest))
}

fn number<T: std::str::FromStr>(value: Option<String>, name: &str) -> Result<Option<T>> {
    value
        .map(|v| {
            v.trim()
                .parse()
                .map_err(|_| Error::invalid(format!("{name} must be a number, got '{v}'")))
        })
        .transpose()
}

fn synchronous(value: Option<String>) -> Result<Synchronous> {
    match value {
        None => Ok(Synchronous::Full),
        Some(v) => Synchronous::parse(&v).ok_or_else(|| {
            Error::invalid(format!(
                "synchronous must be full, normal or off, got '{v}'"
            ))
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(text: &str) -> Vec<String> {
        text.split_whitespace().map(String::from).collect()
    }

    fn no_env(_: &str) -> Option<String> {
        None
    }

    fn serve(text: &str) -> ServeConfig {
        match parse(&args(text), &no_env).unwrap() {
            Command::Serve(c) => c,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn demo_defaults_to_memory_on_loopback_9000() {
        let c = serve("serve --demo");
        assert_eq!(
            (c.db, c.host.as_str(), c.port),
            (DbTarget::Memory, "127.0.0.1", 9000)
        );
        assert!(c.fixture.unwrap().ends_with("fixtures/demo.json"));
        assert_eq!(c.synchronous, Synchronous::Full);
    }

    #[test]
    fn flags_win_over_env() {
        let env = |k: &str| match k {
            "PORT" => Some("7000".to_string()),
            "STORE_CORS" => Some("http://a,http://b".to_string()),
            _ => None,
        };
        let Command::Serve(c) = parse(&args("serve --demo"), &env).unwrap() else {
            panic!()
        };
        assert_eq!(c.port, 7000);
        assert_eq!(c.cors.store, vec!["http://a", "http://b"]);
        let Command::Serve(c) = parse(&args("serve --demo --port 0"), &env).unwrap() else {
            panic!()
        };
        assert_eq!(c.port, 0);
    }

    #[test]
    fn hashing_gate_settings_come_from_the_environment() {
        let env = |k: &str| match k {
            "STOCKROOM_HASH_PERMITS" => Some("3".to_string()),
            "STOCKROOM_HASH_WAIT_MS" => Some("40".to_string()),
            _ => None,
        };
        let Command::Serve(c) = parse(&args("serve --demo"), &env).unwrap() else {
            panic!()
        };
        assert_eq!((c.auth.hash_permits, c.auth.hash_wait_ms), (3, 40));
        assert!(serve("serve --demo").auth.hash_permits >= 1);
        let bad = |k: &str| (k == "STOCKROOM_HASH_PERMITS").then(|| "many".to_string());
        assert!(parse(&args("serve --demo"), &bad).is_err());
    }

    #[test]
    fn serve_without_a_store_is_an_error() {
        assert!(parse(&args("serve"), &no_env).is_err());
        assert!(parse(&args("serve --db x --memory"), &no_env).is_err());
        assert!(parse(&args("serve --port nine"), &no_env).is_err());
        assert!(parse(&args("serve --bogus"), &no_env).is_err());
    }

    #[test]
    fn migrate_and_seed() {
        assert_eq!(
            parse(&args("migrate --db s.db"), &no_env).unwrap(),
            Command::Migrate { db: "s.db".into() }
        );
        assert_eq!(
            parse(&args("seed --db s.db f.json"), &no_env).unwrap(),
            Command::Seed {
                db: "s.db".into(),
                fixture: "f.json".into()
            }
        );
        assert!(parse(&args("seed --db s.db"), &no_env).is_err());
        assert!(parse(&args("migrate"), &no_env).is_err());
        assert_eq!(
            parse(&args("export --db s.db"), &no_env).unwrap(),
            Command::Export { db: "s.db".into() }
        );
        assert!(parse(&args("export --db s.db extra"), &no_env).is_err());
        assert_eq!(
            parse(
                &args("workflows --db s.db --state failed_compensation"),
                &no_env
            )
            .unwrap(),
            Command::Workflows {
                db: "s.db".into(),
                state: Some("failed_compensation".into())
            }
        );
        assert_eq!(
            parse(&args("jobs --db s.db"), &no_env).unwrap(),
            Command::Jobs { db: "s.db".into() }
        );
        assert!(parse(&args("jobs --db s.db --state done"), &no_env).is_err());
    }

    #[test]
    fn secrets_are_required_outside_demo_and_fixture() {
        let err = parse(&args("serve --memory"), &no_env).unwrap_err();
        assert!(err.to_string().contains("JWT_SECRET must be set"), "{err}");
        let weak = |k: &str| match k {
            "JWT_SECRET" | "COOKIE_SECRET" => Some("short".to_string()),
            _ => None,
        };
        assert!(
            parse(&args("serve --memory"), &weak)
                .unwrap_err()
                .to_string()
                .contains("too weak")
        );
        let strong = |k: &str| match k {
            "JWT_SECRET" | "COOKIE_SECRET" => Some("s".repeat(40)),
            _ => None,
        };
        let Command::Serve(c) = parse(&args("serve --memory"), &strong).unwrap() else {
            panic!()
        };
        assert_eq!(c.auth.jwt_secret, "s".repeat(40));
        assert_eq!(serve("serve --demo").auth, AuthConfig::dev());
    }

    #[test]
    fn user_create() {
        assert_eq!(
            parse(
                &args("user create --db s.db --email a@x.io --password pw"),
                &no_env
            )
            .unwrap(),
            Command::UserCreate {
                db: "s.db".into(),
                email: "a@x.io".into(),
                password: "pw".into()
            }
        );
        assert!(parse(&args("user create --db s.db --email a@x.io"), &no_env).is_err());
        assert!(parse(&args("user delete --db s.db"), &no_env).is_err());
    }

    #[test]
    fn help_everywhere() {
        for a in ["", "--help", "serve --help", "migrate --help", "seed -h"] {
            assert!(
                matches!(parse(&args(a), &no_env).unwrap(), Command::Help(_)),
                "{a}"
            );
        }
    }
}

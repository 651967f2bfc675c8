//! Command line and environment, through clap (derive, with `env`): every flag has its
//! variable, a flag wins over its variable, and help, errors, `--version` and shell
//! completions are clap's. The clap structures are in [`cli`]; this file turns them into
//! the types the rest of the code uses ([`Command`], [`ServeConfig`]), which do not change
//! with the parser.
//!
//! The variables behind flags are read by clap from the process environment; the others
//! (secrets, CORS lists, hashing gate, the admin override, the fixture cache) through the
//! `env` lookup [`parse`] is given, so a caller can supply them without touching the
//! environment.

use crate::db::Synchronous;
use crate::error::{Error, Result};
use crate::http::cors::{CorsConfig, parse_origins};
use crate::http::server::HttpOptions;
use crate::modules::auth::AuthConfig;
use clap::{CommandFactory, FromArgMatches};
use std::path::PathBuf;
use std::time::Duration;

pub mod cli;
mod ops;
mod till;
mod webhooks;
pub use ops::{OpsCommand, OpsConfig};
pub use till::TillCommand;
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
    /// `stockroom backup | restore | verify | prune | events replay` (in `config/ops.rs`).
    Ops(OpsCommand),
    /// `stockroom till init | status | sync` (run by `flows::till_sync::cli`).
    Till(TillCommand),
    /// `stockroom completions SHELL`: print a completion script.
    Completions(clap_complete::Shell),
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

/// The clap command (for completions and help).
pub fn command() -> clap::Command {
    cli::Cli::command()
}

/// Parses `args` (without the program name) for library callers (examples, benches): a
/// usage error, `--help` or `--version` comes back as an `invalid_data` error holding clap's
/// rendered text.
///
/// # Errors
/// Bad flags or values, or settings that do not go together.
pub fn parse(args: &[String], env: &dyn Fn(&str) -> Option<String>) -> Result<Command> {
    parse_args(args, env).map_err(|e| Error::invalid(e.render().to_string()))
}

/// Parses `args` (without the program name), keeping clap's error: the binary prints it
/// and exits as clap does (help and version with 0 on stdout, usage errors with 2).
///
/// # Errors
/// clap's error for bad flags or values; settings that do not go together as a clap
/// error of the same style.
pub fn parse_args(
    args: &[String],
    env: &dyn Fn(&str) -> Option<String>,
) -> std::result::Result<Command, clap::Error> {
    let mut command = command();
    let argv = std::iter::once("stockroom".to_string()).chain(args.iter().cloned());
    let matches = command.try_get_matches_from_mut(argv)?;
    let parsed = cli::Cli::from_arg_matches(&matches)?;
    let name = matches.subcommand_name().unwrap_or_default().to_string();
    resolve(parsed.command, env).map_err(|e| {
        // In clap's style, with the subcommand's usage line.
        let kind = clap::error::ErrorKind::ValueValidation;
        match command.find_subcommand_mut(&name) {
            Some(sub) => sub.error(kind, e),
            None => command.error(kind, e),
        }
    })
}

/// The parsed subcommand as the rest of the code takes it.
fn resolve(sub: cli::Sub, env: &dyn Fn(&str) -> Option<String>) -> Result<Command> {
    use cli::Sub;
    Ok(match sub {
        Sub::Serve(args) => Command::Serve(serve_config(args, env)?),
        Sub::Migrate(db) => Command::Migrate { db: db.db },
        Sub::Seed { db, fixture } => Command::Seed { db: db.db, fixture },
        Sub::Export(db) => Command::Export { db: db.db },
        Sub::Workflows { db, state } => Command::Workflows { db: db.db, state },
        Sub::Jobs(db) => Command::Jobs { db: db.db },
        Sub::User {
            command: cli::UserSub::Create(user),
        } => Command::UserCreate {
            db: user.db.db,
            email: user.email,
            password: user.password,
        },
        Sub::Backup(args) => Command::Ops(args.command()),
        Sub::Restore(args) => Command::Ops(args.command()),
        Sub::Verify(args) => Command::Ops(args.command()),
        Sub::Prune(args) => Command::Ops(args.command()),
        Sub::Events {
            command: webhooks::EventsSub::Replay(args),
        } => Command::Ops(args.command()),
        Sub::Till { command } => Command::Till(command),
        Sub::Completions { shell } => Command::Completions(shell),
    })
}

/// `serve`'s settings: flags and their variables from clap, the rest from `env`, then the
/// checks that span several of them.
fn serve_config(args: cli::ServeArgs, env: &dyn Fn(&str) -> Option<String>) -> Result<ServeConfig> {
    if args.test_control && !args.demo && args.fixture.is_none() {
        return Err(Error::invalid(
            "--test-control needs --demo or --fixture FILE: it resets the store",
        ));
    }
    let fixture = if args.demo {
        Some(PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fixtures/demo.json"
        )))
    } else {
        args.fixture
    };
    let db = match (args.db, args.memory) {
        (Some(path), false) => DbTarget::File(path),
        (None, true) => DbTarget::Memory,
        (None, false) if fixture.is_some() => DbTarget::Memory,
        (Some(_), true) => return Err(Error::invalid("--db and --memory cannot be used together")),
        (None, false) => {
            return Err(Error::invalid(
                "serve needs --db PATH, --memory, --demo or --fixture FILE",
            ));
        }
    };
    let auth = auth_config(fixture.is_some(), env)?;
    Ok(ServeConfig {
        db,
        fixture,
        demo: args.demo,
        host: args.host,
        port: args.port,
        synchronous: args.synchronous,
        workers: args.workers,
        body_limit: args.body_limit,
        connection_timeout_ms: args.timeout_ms,
        request_timeout_ms: args.request_timeout_ms,
        max_connections: usize::try_from(args.max_connections).unwrap_or(usize::MAX),
        cors: CorsConfig {
            store: parse_origins(&env("STORE_CORS").unwrap_or_default()),
            admin: parse_origins(&env("ADMIN_CORS").unwrap_or_default()),
            auth: parse_origins(&env("AUTH_CORS").unwrap_or_default()),
        },
        access_log: !args.quiet,
        test_control: args.test_control,
        auth,
        admin_override: AdminOverride {
            email: env("STOCKROOM_ADMIN_EMAIL"),
            password: env("STOCKROOM_ADMIN_PASSWORD"),
        },
        fixture_cache: if args.no_fixture_cache {
            None
        } else {
            fixture_cache(env)
        },
        ops: args.ops.config()?,
    })
}

/// `STOCKROOM_FIXTURE_CACHE`: `off` (or `0`, `false`) disables the cache, a folder moves it.
fn fixture_cache(env: &dyn Fn(&str) -> Option<String>) -> Option<PathBuf> {
    match env("STOCKROOM_FIXTURE_CACHE").as_deref() {
        Some("off" | "0" | "false") => None,
        Some(dir) if !dir.is_empty() => Some(PathBuf::from(dir)),
        _ => crate::fixture_cache::FixtureCache::default_dir(env),
    }
}

/// Secrets: fixed dev secrets for fixture stores unless both are unset; real ones (32+
/// characters) otherwise. Then the hashing gate's tuning.
fn auth_config(fixture: bool, env: &dyn Fn(&str) -> Option<String>) -> Result<AuthConfig> {
    let (jwt, cookie) = (env("JWT_SECRET"), env("COOKIE_SECRET"));
    let mut auth = match fixture {
        true if jwt.is_none() && cookie.is_none() => AuthConfig::dev(),
        true => AuthConfig {
            hash_cost: crate::modules::auth::password::Cost::Light,
            ..AuthConfig::production(jwt, cookie)?
        },
        false => AuthConfig::production(jwt, cookie)?,
    };
    if let Some(permits) = env_number(env, "STOCKROOM_HASH_PERMITS")? {
        auth.hash_permits = permits;
    }
    if let Some(wait) = env_number(env, "STOCKROOM_HASH_WAIT_MS")? {
        auth.hash_wait_ms = wait;
    }
    Ok(auth)
}

fn env_number<T: std::str::FromStr>(
    env: &dyn Fn(&str) -> Option<String>,
    name: &str,
) -> Result<Option<T>> {
    env(name)
        .map(|v| {
            cli::number(&v)
                .map_err(|_| Error::invalid(format!("{name} must be a number, got '{v}'")))
        })
        .transpose()
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

    #[test]
    fn the_clap_definition_is_consistent() {
        command().debug_assert();
    }

    #[test]
    fn help_and_version_are_clap_s() {
        use clap::error::ErrorKind;
        for (line, kind) in [
            ("--help", ErrorKind::DisplayHelp),
            ("help", ErrorKind::DisplayHelp),
            ("serve --help", ErrorKind::DisplayHelp),
            ("seed -h", ErrorKind::DisplayHelp),
            ("till init --help", ErrorKind::DisplayHelp),
            ("--version", ErrorKind::DisplayVersion),
            ("", ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand),
        ] {
            let err = parse_args(&args(line), &no_env).unwrap_err();
            assert_eq!(err.kind(), kind, "{line}");
        }
        let help = parse_args(&args("serve --help"), &no_env)
            .unwrap_err()
            .render()
            .to_string();
        for shown in [
            "--retention-days",
            "STOCKROOM_RETENTION_DAYS",
            "--webhook-timeout-ms",
        ] {
            assert!(help.contains(shown), "{shown} in serve's help");
        }
        let version = parse_args(&args("--version"), &no_env)
            .unwrap_err()
            .render()
            .to_string();
        assert!(version.contains(env!("CARGO_PKG_VERSION")), "{version}");
    }

    #[test]
    fn a_bad_flag_is_a_usage_error_with_its_name() {
        let err = parse_args(&args("serve --demo --bogus"), &no_env).unwrap_err();
        assert_eq!(err.exit_code(), 2);
        assert!(err.to_string().contains("--bogus"), "{err}");
        let err = parse_args(&args("serve"), &no_env).unwrap_err();
        assert_eq!(err.exit_code(), 2);
        assert!(err.to_string().contains("serve needs --db PATH"), "{err}");
    }

    #[test]
    fn completions_and_till_parse() {
        assert_eq!(
            parse(&args("completions zsh"), &no_env).unwrap(),
            Command::Completions(clap_complete::Shell::Zsh)
        );
        assert!(parse(&args("completions tcsh"), &no_env).is_err());
        assert_eq!(
            parse(&args("till status --db t.db"), &no_env).unwrap(),
            Command::Till(TillCommand::Status { db: "t.db".into() })
        );
        let init = "till init --central http://c:9100 --key sk_1 --db t.db --register R1 \
                    --sales-channel sc_1 --location sloc_1";
        let Command::Till(till) = parse(&args(init), &no_env).unwrap() else {
            panic!("till")
        };
        assert_eq!(till.to_args(), args(&init["till ".len()..]));
        assert!(parse(&args("till init --db t.db"), &no_env).is_err());
    }
}

//! Today's invocations, each with the command it must parse to. Written against the old
//! hand parser and kept when the command line moved to clap: every flag, subcommand and
//! variable keeps its meaning and its default.
//!
//! The parser reads the process environment (clap's `env`), so every case here sets its
//! variables under one lock and clears all the others first; this binary holds nothing else
//! that reads the environment.

use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Duration;
use stockroom::config::{
    self, AdminOverride, Command, DbTarget, OpsCommand, OpsConfig, ReplayScope, ServeConfig,
};
use stockroom::db::Synchronous;
use stockroom::http::cors::CorsConfig;
use stockroom::modules::auth::AuthConfig;
use stockroom::ops::backup::Method;
use stockroom::ops::retention::{DAY_MS, RetentionPolicy};

/// Every variable the command line reads.
const VARIABLES: &[&str] = &[
    "HOST",
    "PORT",
    "STOCKROOM_DB",
    "STOCKROOM_SYNCHRONOUS",
    "STOCKROOM_WORKERS",
    "STOCKROOM_BODY_LIMIT",
    "STOCKROOM_TIMEOUT_MS",
    "STOCKROOM_REQUEST_TIMEOUT_MS",
    "STOCKROOM_MAX_CONNECTIONS",
    "STORE_CORS",
    "ADMIN_CORS",
    "AUTH_CORS",
    "JWT_SECRET",
    "COOKIE_SECRET",
    "STOCKROOM_ADMIN_EMAIL",
    "STOCKROOM_ADMIN_PASSWORD",
    "STOCKROOM_FIXTURE_CACHE",
    "STOCKROOM_HASH_PERMITS",
    "STOCKROOM_HASH_WAIT_MS",
    "STOCKROOM_BACKUP_DIR",
    "STOCKROOM_METRICS_TOKEN",
    "STOCKROOM_ACCESS_LOG",
    "STOCKROOM_RETENTION_DAYS",
    "STOCKROOM_LITESTREAM",
    "STOCKROOM_NO_WARM",
    "STOCKROOM_SMTP_URL",
    "STOCKROOM_SMTP_FROM",
    "STOCKROOM_WEBHOOKS_ALLOW_LOOPBACK",
    "STOCKROOM_WEBHOOK_WORKERS",
    "STOCKROOM_WEBHOOK_MAX_ATTEMPTS",
    "STOCKROOM_WEBHOOK_BACKOFF_MS",
    "STOCKROOM_WEBHOOK_TIMEOUT_MS",
];

static ENV: Mutex<()> = Mutex::new(());

const SECRET: &str = "table-test-secret-0123456789abcdefghij";

/// Parses `line` with exactly `vars` set (and the cache off unless a case sets it).
fn parse_with(line: &str, vars: &[(&str, &str)]) -> stockroom::Result<Command> {
    let _guard = ENV.lock().unwrap_or_else(|p| p.into_inner());
    // SAFETY: every access to the environment in this test binary holds `ENV`.
    unsafe {
        for name in VARIABLES {
            std::env::remove_var(name);
        }
        std::env::set_var("STOCKROOM_FIXTURE_CACHE", "off");
        for (name, value) in vars {
            std::env::set_var(name, value);
        }
    }
    let args: Vec<String> = line.split_whitespace().map(String::from).collect();
    config::parse(&args, &|k| std::env::var(k).ok())
}

fn parse(line: &str, vars: &[(&str, &str)]) -> Command {
    parse_with(line, vars).unwrap_or_else(|e| panic!("{line} {vars:?}: {e}"))
}

fn serve(line: &str, vars: &[(&str, &str)]) -> ServeConfig {
    match parse(line, vars) {
        Command::Serve(config) => config,
        other => panic!("{line}: {other:?}"),
    }
}

fn demo_fixture() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/demo.json"))
}

/// `serve --demo` with nothing set.
fn demo_defaults() -> ServeConfig {
    ServeConfig {
        db: DbTarget::Memory,
        fixture: Some(demo_fixture()),
        demo: true,
        host: "127.0.0.1".into(),
        port: 9000,
        synchronous: Synchronous::Full,
        workers: 8,
        body_limit: 1 << 20,
        connection_timeout_ms: 30_000,
        request_timeout_ms: 10_000,
        max_connections: 1024,
        cors: CorsConfig::default(),
        access_log: true,
        test_control: false,
        auth: AuthConfig::dev(),
        admin_override: AdminOverride::default(),
        fixture_cache: None,
        // `serve` warms in the background unless told not to.
        ops: OpsConfig {
            warm: true,
            ..OpsConfig::default()
        },
    }
}

/// `serve --db PATH` with both secrets set.
fn file_store(path: &str) -> ServeConfig {
    ServeConfig {
        db: DbTarget::File(path.into()),
        fixture: None,
        demo: false,
        auth: AuthConfig::production(Some(SECRET.into()), Some(SECRET.into())).unwrap(),
        ..demo_defaults()
    }
}

const SECRETS: [(&str, &str); 2] = [("JWT_SECRET", SECRET), ("COOKIE_SECRET", SECRET)];

fn with_secrets<'a>(more: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    SECRETS
        .iter()
        .copied()
        .chain(more.iter().copied())
        .collect()
}

#[test]
fn serve_invocations_in_use_parse_as_before() {
    assert_eq!(serve("serve --demo", &[]), demo_defaults());
    assert_eq!(
        serve("serve --demo --port 0", &[]),
        ServeConfig {
            port: 0,
            ..demo_defaults()
        }
    );
    assert_eq!(
        serve("serve --demo --port 0 --quiet", &[]),
        ServeConfig {
            port: 0,
            access_log: false,
            ..demo_defaults()
        }
    );
    // The crash harnesses: a file store seeded with the demo fixture.
    assert_eq!(
        serve("serve --port 0 --quiet --db c.db --demo", &SECRETS),
        ServeConfig {
            db: DbTarget::File("c.db".into()),
            port: 0,
            access_log: false,
            auth: AuthConfig {
                hash_cost: stockroom::modules::auth::password::Cost::Light,
                ..AuthConfig::production(Some(SECRET.into()), Some(SECRET.into())).unwrap()
            },
            ..demo_defaults()
        }
    );
    assert_eq!(
        serve(
            "serve --db c.db --port 0 --quiet --synchronous full",
            &SECRETS
        ),
        ServeConfig {
            port: 0,
            access_log: false,
            ..file_store("c.db")
        }
    );
    assert_eq!(
        serve(
            "serve --fixture fixtures/my-shop.json --port 0 --test-control --quiet",
            &[]
        ),
        ServeConfig {
            fixture: Some("fixtures/my-shop.json".into()),
            demo: false,
            port: 0,
            test_control: true,
            access_log: false,
            ..demo_defaults()
        }
    );
}

#[test]
fn every_serve_flag_keeps_its_meaning() {
    let line = "serve --memory --host 0.0.0.0 --port 7001 --synchronous normal --workers 8 \
                --body-limit 4096 --timeout-ms 0 --request-timeout-ms 500 --max-connections 64 \
                --quiet --backup-dir /srv/b --metrics-token tttttttttttttttttttt \
                --access-log json --retention-days 7 --litestream \
                --smtp-url smtps://u:p@mail.example.com --smtp-from shop@example.com \
                --webhooks-allow-loopback --webhook-workers 2 --webhook-max-attempts 3 \
                --webhook-backoff-ms 20 --webhook-timeout-ms 1500 --no-fixture-cache --no-warm";
    let expected = ServeConfig {
        db: DbTarget::Memory,
        host: "0.0.0.0".into(),
        port: 7001,
        synchronous: Synchronous::Normal,
        workers: 8,
        body_limit: 4096,
        connection_timeout_ms: 0,
        request_timeout_ms: 500,
        max_connections: 64,
        access_log: false,
        ops: OpsConfig {
            backup_dir: Some("/srv/b".into()),
            metrics_token: Some("t".repeat(20)),
            access_log_json: true,
            retention_days: Some(7),
            webhooks: stockroom::events::webhooks::WebhookSettings {
                workers: 2,
                connect_timeout: Duration::from_millis(1500),
                io_timeout: Duration::from_millis(1500),
                max_attempts: 3,
                base_backoff: Duration::from_millis(20),
                allow_loopback: true,
                extra_roots: Vec::new(),
            },
            smtp_url: Some("smtps://u:p@mail.example.com".into()),
            smtp_from: Some("shop@example.com".into()),
            litestream: true,
            warm: false,
        },
        ..file_store("x")
    };
    let parsed = serve(line, &SECRETS);
    assert_eq!(parsed, expected);
    assert_eq!(parsed.ops.retention().map(|p| p.keep_ms), Some(7 * DAY_MS));
}

#[test]
fn every_serve_variable_keeps_its_meaning_and_flags_win() {
    let vars = with_secrets(&[
        ("STOCKROOM_DB", "env.db"),
        ("HOST", "0.0.0.0"),
        ("PORT", "7002"),
        ("STOCKROOM_SYNCHRONOUS", "off"),
        ("STOCKROOM_WORKERS", "3"),
        ("STOCKROOM_BODY_LIMIT", "2048"),
        ("STOCKROOM_TIMEOUT_MS", "100"),
        ("STOCKROOM_REQUEST_TIMEOUT_MS", "200"),
        ("STOCKROOM_MAX_CONNECTIONS", "32"),
        ("STORE_CORS", "http://a,http://b"),
        ("ADMIN_CORS", "http://admin"),
        ("AUTH_CORS", "http://auth"),
        ("STOCKROOM_ADMIN_EMAIL", "boss@example.com"),
        ("STOCKROOM_ADMIN_PASSWORD", "pw-12345"),
        ("STOCKROOM_FIXTURE_CACHE", "/var/cache/fx"),
        ("STOCKROOM_HASH_PERMITS", "3"),
        ("STOCKROOM_HASH_WAIT_MS", "40"),
        ("STOCKROOM_BACKUP_DIR", "/var/b"),
        ("STOCKROOM_METRICS_TOKEN", "mmmmmmmmmmmmmmmmmmmm"),
        ("STOCKROOM_ACCESS_LOG", "json"),
        ("STOCKROOM_RETENTION_DAYS", "0"),
        ("STOCKROOM_LITESTREAM", "true"),
        ("STOCKROOM_NO_WARM", "true"),
        ("STOCKROOM_SMTP_URL", "smtp://mail:2525?tls=none"),
        ("STOCKROOM_SMTP_FROM", "Shop <shop@example.com>"),
        ("STOCKROOM_WEBHOOKS_ALLOW_LOOPBACK", "1"),
        ("STOCKROOM_WEBHOOK_WORKERS", "5000"),
        ("STOCKROOM_WEBHOOK_MAX_ATTEMPTS", "2"),
        ("STOCKROOM_WEBHOOK_BACKOFF_MS", "30"),
        ("STOCKROOM_WEBHOOK_TIMEOUT_MS", "9000"),
    ]);
    let from_env = ServeConfig {
        db: DbTarget::File("env.db".into()),
        host: "0.0.0.0".into(),
        port: 7002,
        synchronous: Synchronous::Off,
        workers: 3,
        body_limit: 2048,
        connection_timeout_ms: 100,
        request_timeout_ms: 200,
        max_connections: 32,
        cors: CorsConfig {
            store: vec!["http://a".into(), "http://b".into()],
            admin: vec!["http://admin".into()],
            auth: vec!["http://auth".into()],
        },
        admin_override: AdminOverride {
            email: Some("boss@example.com".into()),
            password: Some("pw-12345".into()),
        },
        fixture_cache: Some("/var/cache/fx".into()),
        auth: AuthConfig {
            hash_permits: 3,
            hash_wait_ms: 40,
            ..file_store("x").auth
        },
        ops: OpsConfig {
            backup_dir: Some("/var/b".into()),
            metrics_token: Some("m".repeat(20)),
            access_log_json: true,
            retention_days: Some(0),
            webhooks: stockroom::events::webhooks::WebhookSettings {
                workers: 1000,
                connect_timeout: Duration::from_secs(3),
                io_timeout: Duration::from_secs(9),
                max_attempts: 2,
                base_backoff: Duration::from_millis(30),
                allow_loopback: true,
                extra_roots: Vec::new(),
            },
            smtp_url: Some("smtp://mail:2525?tls=none".into()),
            smtp_from: Some("Shop <shop@example.com>".into()),
            litestream: true,
            warm: false,
        },
        ..file_store("x")
    };
    let parsed = serve("serve", &vars);
    assert_eq!(parsed, from_env);
    assert_eq!(parsed.ops.retention(), None, "0 days keeps everything");
    let flagged = serve(
        "serve --db flag.db --port 7003 --host 127.0.0.2 --workers 6 --access-log text \
         --retention-days 2 --backup-dir /srv/b --no-fixture-cache",
        &vars,
    );
    assert_eq!(
        flagged,
        ServeConfig {
            db: DbTarget::File("flag.db".into()),
            port: 7003,
            host: "127.0.0.2".into(),
            workers: 6,
            fixture_cache: None,
            ops: OpsConfig {
                access_log_json: false,
                retention_days: Some(2),
                backup_dir: Some("/srv/b".into()),
                ..from_env.ops.clone()
            },
            ..from_env.clone()
        }
    );
    let cache_off = serve("serve --demo", &[("STOCKROOM_FIXTURE_CACHE", "false")]);
    assert_eq!(cache_off.fixture_cache, None);
    let fixture_secrets = serve("serve --fixture f.json", &SECRETS);
    assert_eq!(
        fixture_secrets.auth.hash_cost,
        stockroom::modules::auth::password::Cost::Light,
        "a fixture store with real secrets keeps the light hashes"
    );
    assert_eq!(fixture_secrets.auth.jwt_secret, SECRET);
}

/// An invocation, its variables and what it parses to.
type Case = (&'static str, Vec<(&'static str, &'static str)>, Command);

#[test]
fn the_other_commands_parse_as_before() {
    let db = || PathBuf::from("s.db");
    let cases: Vec<Case> = vec![
        ("migrate --db s.db", vec![], Command::Migrate { db: db() }),
        (
            "migrate",
            vec![("STOCKROOM_DB", "s.db")],
            Command::Migrate { db: db() },
        ),
        (
            "seed --db s.db fixtures/demo.json",
            vec![],
            Command::Seed {
                db: db(),
                fixture: "fixtures/demo.json".into(),
            },
        ),
        (
            "seed f.json --db s.db",
            vec![],
            Command::Seed {
                db: db(),
                fixture: "f.json".into(),
            },
        ),
        ("export --db s.db", vec![], Command::Export { db: db() }),
        (
            "workflows --db s.db",
            vec![],
            Command::Workflows {
                db: db(),
                state: None,
            },
        ),
        (
            "workflows --state failed_compensation",
            vec![("STOCKROOM_DB", "s.db")],
            Command::Workflows {
                db: db(),
                state: Some("failed_compensation".into()),
            },
        ),
        ("jobs --db s.db", vec![], Command::Jobs { db: db() }),
        (
            "user create --db s.db --email a@x.io --password pw",
            vec![],
            Command::UserCreate {
                db: db(),
                email: "a@x.io".into(),
                password: "pw".into(),
            },
        ),
        (
            "user create",
            vec![
                ("STOCKROOM_DB", "s.db"),
                ("STOCKROOM_ADMIN_EMAIL", "e@x.io"),
                ("STOCKROOM_ADMIN_PASSWORD", "pw2"),
            ],
            Command::UserCreate {
                db: db(),
                email: "e@x.io".into(),
                password: "pw2".into(),
            },
        ),
        (
            "backup --db s.db --to b.db",
            vec![],
            Command::Ops(OpsCommand::Backup {
                db: db(),
                to: "b.db".into(),
                method: Method::Steps,
                pages_per_step: 1024,
                pause_ms: 0,
            }),
        ),
        (
            "backup --db s.db --to b.db --method vacuum --pages 64 --pause-ms 5",
            vec![],
            Command::Ops(OpsCommand::Backup {
                db: db(),
                to: "b.db".into(),
                method: Method::VacuumInto,
                pages_per_step: 64,
                pause_ms: 5,
            }),
        ),
        (
            "restore --from b.db",
            vec![("STOCKROOM_DB", "s.db")],
            Command::Ops(OpsCommand::Restore {
                from: "b.db".into(),
                db: db(),
            }),
        ),
        (
            "restore --from b.db --db s.db",
            vec![],
            Command::Ops(OpsCommand::Restore {
                from: "b.db".into(),
                db: db(),
            }),
        ),
        (
            "verify --db s.db",
            vec![],
            Command::Ops(OpsCommand::Verify {
                db: db(),
                json: false,
            }),
        ),
        (
            "verify --db s.db --json",
            vec![],
            Command::Ops(OpsCommand::Verify {
                db: db(),
                json: true,
            }),
        ),
        (
            "prune --db s.db",
            vec![],
            Command::Ops(OpsCommand::Prune {
                db: db(),
                policy: Some(RetentionPolicy::default()),
            }),
        ),
        (
            "prune --db s.db --retention-days 0",
            vec![],
            Command::Ops(OpsCommand::Prune {
                db: db(),
                policy: None,
            }),
        ),
        (
            "prune --db s.db",
            vec![("STOCKROOM_RETENTION_DAYS", "3")],
            Command::Ops(OpsCommand::Prune {
                db: db(),
                policy: Some(RetentionPolicy {
                    keep_ms: 3 * DAY_MS,
                    ..RetentionPolicy::default()
                }),
            }),
        ),
        (
            "events replay --db s.db",
            vec![],
            Command::Ops(OpsCommand::Replay {
                db: db(),
                scope: ReplayScope::AllDead,
            }),
        ),
        (
            "events replay --db s.db --webhook wh_1",
            vec![],
            Command::Ops(OpsCommand::Replay {
                db: db(),
                scope: ReplayScope::Webhook("wh_1".into()),
            }),
        ),
        (
            "events replay --delivery whd_1",
            vec![("STOCKROOM_DB", "s.db")],
            Command::Ops(OpsCommand::Replay {
                db: db(),
                scope: ReplayScope::Delivery("whd_1".into()),
            }),
        ),
    ];
    for (line, vars, expected) in cases {
        assert_eq!(parse(line, &vars), expected, "{line} {vars:?}");
    }
}

#[test]
fn bad_invocations_are_refused() {
    let cases: Vec<(&str, Vec<(&str, &str)>)> = vec![
        ("serve", vec![]),
        ("serve --db x --memory", SECRETS.to_vec()),
        ("serve --memory", vec![("STOCKROOM_DB", "x")]),
        ("serve --demo --port nine", vec![]),
        ("serve --demo --port 70000", vec![]),
        ("serve --demo --bogus", vec![]),
        ("serve --demo --fixture f.json", vec![]),
        ("serve --memory --test-control", SECRETS.to_vec()),
        ("serve --memory", vec![]),
        (
            "serve --memory",
            vec![("JWT_SECRET", "short"), ("COOKIE_SECRET", "short")],
        ),
        ("serve --demo --metrics-token short", vec![]),
        ("serve --demo --access-log xml", vec![]),
        ("serve --demo --synchronous sometimes", vec![]),
        ("serve --demo --webhook-max-attempts 0", vec![]),
        ("serve --demo --retention-days -1", vec![]),
        ("serve --demo", vec![("PORT", "x")]),
        ("serve --demo", vec![("STOCKROOM_HASH_PERMITS", "many")]),
        (
            "serve --demo",
            vec![("STOCKROOM_WEBHOOK_MAX_ATTEMPTS", "0")],
        ),
        ("serve --demo", vec![("STOCKROOM_METRICS_TOKEN", "short")]),
        ("serve --demo", vec![("STOCKROOM_ACCESS_LOG", "xml")]),
        (
            "serve --demo",
            vec![("STOCKROOM_WEBHOOKS_ALLOW_LOOPBACK", "maybe")],
        ),
        ("migrate", vec![]),
        ("seed --db s.db", vec![]),
        ("export --db s.db extra", vec![]),
        ("jobs --db s.db --state done", vec![]),
        ("user create --db s.db --email a@x.io", vec![]),
        ("user delete --db s.db", vec![]),
        ("backup --db s.db", vec![]),
        ("backup --db s.db --to b --method copy", vec![]),
        ("backup --db s.db --to b --pages -3", vec![]),
        ("restore --db s.db", vec![]),
        ("verify --db s.db --fast", vec![]),
        ("events --db s.db", vec![]),
        ("events replay --db s.db --all", vec![]),
        ("nonsense", vec![]),
    ];
    for (line, vars) in cases {
        assert!(
            parse_with(line, &vars).is_err(),
            "{line} {vars:?} should be refused"
        );
    }
}

//! The `stockroom` binary: wiring only. Parses the command line, runs the command, and on
//! `serve` waits for SIGINT/SIGTERM to shut down gracefully.

use signal_hook::consts::{SIGINT, SIGTERM};
use signal_hook::iterator::Signals;
use std::io::Write;
use std::process::ExitCode;
use stockroom::config::{self, Command, ServeConfig};
use stockroom::db::{Store, StoreOptions};
use stockroom::modules::auth::AuthConfig;
use stockroom::{Engine, Result, app, flows::accounts, flows::seed, flows::seed_files};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    // Help, --version and usage errors: clap prints them and exits (0, or 2 for an error).
    let command = match config::parse_args(&args, &|k| std::env::var(k).ok()) {
        Ok(command) => command,
        Err(e) => e.exit(),
    };
    match run(command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("stockroom: {e}");
            ExitCode::from(2)
        }
    }
}

fn run(command: Command) -> Result<()> {
    match command {
        Command::Completions(shell) => {
            // Into a buffer first: clap_complete panics on a write error, and a reader that
            // stops early (`| head`) is not one.
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut config::command(), "stockroom", &mut script);
            match std::io::stdout().lock().write_all(&script) {
                Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
                    Err(stockroom::Error::Internal(format!("stdout: {e}")))
                }
                _ => Ok(()),
            }
        }
        // `flows::till_sync::cli` runs the till commands from their words.
        Command::Till(till) => stockroom::flows::till_sync::cli::run(&till.to_args()),
        Command::Serve(config) => serve(&config),
        Command::Workflows { db, state } => {
            // Read-only: no engine, so no recovery runs from an operator's listing.
            let store = Store::open(&db, StoreOptions::default())?;
            let (records, count) = store
                .read(|c| stockroom::workflow::list_executions(c, state.as_deref(), 1000, 0))?;
            for record in records {
                println!("{}", serde_json::to_string(&record)?);
            }
            eprintln!("{count} execution(s)");
            store.close();
            Ok(())
        }
        Command::Jobs { db } => {
            // Read-only, like `workflows`: no engine, no recovery, no job runs.
            let store = Store::open(&db, StoreOptions::default())?;
            let runs = store.read(|c| stockroom::jobs::list_runs(c, 1000))?;
            for run in &runs {
                println!("{run}");
            }
            eprintln!("{} run(s)", runs.len());
            store.close();
            Ok(())
        }
        Command::Migrate { db } => {
            let store = Store::open(&db, StoreOptions::default())?;
            Engine::builder().build(store)?.shutdown();
            println!("migrated {}", db.display());
            Ok(())
        }
        Command::Seed { db, fixture } => {
            let text = std::fs::read_to_string(&fixture).map_err(|e| {
                stockroom::Error::invalid(format!("cannot read {}: {e}", fixture.display()))
            })?;
            let store = Store::open(&db, StoreOptions::default())?;
            // A real store file: fixture passwords get production hashes, not the light
            // ones of --demo/--fixture stores.
            let engine = Engine::builder().auth(AuthConfig::offline()).build(store)?;
            // Image files sit beside the fixture; their URLs are on the default address
            // (`serve --port 9000`), where a server on this file answers them.
            let dir = fixture.parent().unwrap_or(std::path::Path::new("."));
            let base_url = seed_files::base_url_for("localhost", 9000);
            let (bar, progress) = stockroom::ops::progress::seed();
            let loaded = seed::parse(&text).and_then(|parsed| {
                let files = seed_files::FixtureFiles::from_dir(&parsed, dir, &base_url)?;
                seed::load_with_progress(&engine, parsed, &files, &progress)
            });
            bar.finish_and_clear();
            // Deliver what the load emitted before closing; the dispatcher must stop first, or
            // it reports the closed store.
            let summary = loaded.and_then(|s| engine.wait_idle().map(|()| s));
            engine.shutdown();
            let summary = summary?;
            println!("seeded {} from {}", db.display(), fixture.display());
            for key in summary.publishable_keys {
                println!("publishable key: {key}");
            }
            Ok(())
        }
        Command::Export { db } => export(&db),
        Command::Ops(command) => stockroom::ops::cli::run(command),
        Command::UserCreate {
            db,
            email,
            password,
        } => {
            let store = Store::open(&db, StoreOptions::default())?;
            let engine = Engine::builder().auth(AuthConfig::offline()).build(store)?;
            let user = accounts::create_user(&engine, &email, &password);
            let _ = engine.wait_idle();
            engine.shutdown();
            println!("created user {} ({})", user?.id, email);
            Ok(())
        }
    }
}

/// Prints the store as a fixture on stdout and what it left out on stderr. Read-only: no
/// engine is built, so no migration or recovery touches the file.
fn export(db: &std::path::Path) -> Result<()> {
    if !db.is_file() {
        return Err(stockroom::Error::invalid(format!(
            "no store file at {}",
            db.display()
        )));
    }
    let store = Store::open(db, StoreOptions::default())?;
    let spinner = stockroom::ops::progress::spinner("reading the store");
    let outcome = store.read(|c| {
        if let Some(first) = Engine::builder().pending_migrations(c)?.first() {
            return Err(stockroom::Error::invalid(format!(
                "{} was written by an older stockroom ({first} not applied): run `stockroom migrate --db {}` first",
                db.display(),
                db.display()
            )));
        }
        stockroom::flows::export::export(c)
    });
    store.close();
    spinner.finish_and_clear();
    let exported = outcome?;
    let text = stockroom::flows::export::to_json(&exported.fixture)?;
    std::io::stdout()
        .lock()
        .write_all(text.as_bytes())
        .map_err(|e| stockroom::Error::Internal(format!("stdout: {e}")))?;
    for line in &exported.skipped {
        eprintln!("stockroom export: not exported: {line}");
    }
    write_image_files(&exported.files)
}

/// Writes the store's own image files under the current directory, at the paths the fixture
/// names them by (keep them beside the fixture file). An existing file with other bytes is
/// never overwritten.
fn write_image_files(files: &stockroom::flows::seed_files::ExportFiles) -> Result<()> {
    let failed = |path: &str, e: std::io::Error| {
        stockroom::Error::invalid(format!("cannot write image file {path}: {e}"))
    };
    for (path, bytes) in files {
        let target = std::path::Path::new(path);
        match std::fs::read(target) {
            Ok(existing) if existing == *bytes => continue,
            Ok(_) => {
                return Err(stockroom::Error::invalid(format!(
                    "{path} exists with other bytes: export into an empty folder"
                )));
            }
            Err(_) => {}
        }
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(|e| failed(path, e))?;
        }
        std::fs::write(target, bytes).map_err(|e| failed(path, e))?;
    }
    if !files.is_empty() {
        eprintln!(
            "stockroom export: wrote {} image file(s) under the current folder; keep them beside the fixture",
            files.len()
        );
    }
    Ok(())
}

fn serve(config: &ServeConfig) -> Result<()> {
    // First, while this is the only thread: glibc reads its cache size only at start.
    stockroom::alloc::reexec_with_tunables();
    // Register the handlers before the server exists, so an early signal is not lost.
    let mut signals = Signals::new([SIGINT, SIGTERM])
        .map_err(|e| stockroom::Error::Internal(format!("signal handlers: {e}")))?;
    // Before the server's threads exist, so none of them makes an arena past the cap.
    stockroom::alloc::tune_for_server();
    let app = app::start(config, Engine::builder())?;
    // A till syncs with its central in the background; any other store compacts its till
    // change log there (hourly).
    let till = stockroom::flows::till_sync::worker::start(&app.engine, till_interval())?;
    // One write, and a reader that closed the pipe after the URL line (a test runner) must
    // not take the server down: println! would panic on EPIPE.
    let mut banner = format!("Stockroom listening on http://{}\n", app.server.addr());
    for key in &app.publishable_keys {
        banner.push_str(&format!("publishable key: {key}\n"));
    }
    for email in &app.admin_emails {
        banner.push_str(&format!("admin user: {email}\n"));
    }
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(banner.as_bytes()).and_then(|()| out.flush());
    drop(out);
    signals.forever().next();
    eprintln!("stockroom: shutting down");
    if let Some(till) = till {
        till.stop();
    }
    app.shutdown();
    Ok(())
}

/// How often a till syncs: `STOCKROOM_TILL_SYNC_MS`, default 2 s.
fn till_interval() -> std::time::Duration {
    let ms = std::env::var("STOCKROOM_TILL_SYNC_MS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2_000);
    std::time::Duration::from_millis(ms)
}

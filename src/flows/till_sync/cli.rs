//! `stockroom till init | status | sync`.

use super::client::Central;
use super::{capture, worker};
use crate::db::{Store, StoreOptions};
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::modules::auth::AuthConfig;
use crate::modules::{sales_channel, stock_location, till_sync};
use crate::ops::lock::StoreLock;
use std::path::PathBuf;

/// `stockroom till --help`.
pub const HELP: &str = "\
stockroom till init --central URL --key sk_… --db PATH --register CODE --sales-channel ID --location ID
    Makes PATH (a new file) a till of the central store at URL (http://host:port): migrates
    it, records what it is a till of, and pulls central's whole catalog. The sales channel
    and stock location are central's ids (the till's POS channel and its shop).
stockroom till status --db PATH
    What PATH is a till of, its pull cursor and its queue of sales.
stockroom till sync --db PATH
    One sync round now (push pending sales, pull changes), for scripts; `stockroom serve`
    on a till does this in the background.
";

/// Runs `stockroom till …` (the arguments after `till`).
///
/// # Errors
/// Bad arguments; central unreachable or refusing; database failures.
pub fn run(args: &[String]) -> Result<()> {
    let Some((command, rest)) = args.split_first() else {
        print!("{HELP}");
        return Ok(());
    };
    if rest.iter().any(|a| a == "--help" || a == "-h") || command == "--help" {
        print!("{HELP}");
        return Ok(());
    }
    let flags = Flags::parse(rest)?;
    match command.as_str() {
        "init" => init(&flags),
        "status" => status(&flags.path("--db")?),
        "sync" => sync(&flags.path("--db")?),
        other => Err(Error::invalid(format!(
            "unknown till command '{other}'\n\n{HELP}"
        ))),
    }
}

struct Flags(Vec<(String, String)>);

impl Flags {
    fn parse(args: &[String]) -> Result<Flags> {
        let mut out = Vec::new();
        let mut it = args.iter();
        while let Some(flag) = it.next() {
            if !flag.starts_with("--") {
                return Err(Error::invalid(format!("unexpected argument '{flag}'")));
            }
            let value = it
                .next()
                .ok_or_else(|| Error::invalid(format!("{flag} needs a value")))?;
            out.push((flag.clone(), value.clone()));
        }
        Ok(Flags(out))
    }

    fn get(&self, name: &str) -> Result<String> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .ok_or_else(|| Error::invalid(format!("{name} is required\n\n{HELP}")))
    }

    fn path(&self, name: &str) -> Result<PathBuf> {
        self.get(name).map(PathBuf::from)
    }
}

fn open(db: &std::path::Path) -> Result<(StoreLock, Engine)> {
    let lock = StoreLock::acquire(db)?;
    let store = Store::open(db, StoreOptions::default())?;
    let engine = Engine::builder().auth(AuthConfig::offline()).build(store)?;
    Ok((lock, engine))
}

fn init(flags: &Flags) -> Result<()> {
    let db = flags.path("--db")?;
    if db.exists() {
        return Err(Error::invalid(format!(
            "{} exists: a till starts from a new file",
            db.display()
        )));
    }
    let mut config = till_sync::Config {
        central_url: flags.get("--central")?,
        api_key: flags.get("--key")?,
        register: flags.get("--register")?,
        sales_channel_id: flags.get("--sales-channel")?,
        location_id: flags.get("--location")?,
        pull_cursor: 0,
        pulled_at: None,
    };
    config.central_url = config.central_url.trim_end_matches('/').to_string();
    let central = Central::new(&config.central_url, &config.api_key)?;
    // Refuse early, before a file exists, when central is away or the key is wrong.
    central.get("/admin/pos/changes?since=0&limit=1")?;
    let (lock, engine) = open(&db)?;
    let outcome = become_till(&engine, &central, &config);
    let _ = engine.wait_idle();
    engine.shutdown();
    drop(lock);
    if outcome.is_err() {
        let _ = std::fs::remove_file(&db);
    }
    let (pulled, cursor) = outcome?;
    println!(
        "till {} of {} created at {} ({pulled} changes pulled, cursor {cursor})",
        config.register,
        config.central_url,
        db.display()
    );
    Ok(())
}

/// Makes `engine`'s store a till: records the configuration (and drops the capture triggers:
/// a till logs nothing), then
/// pulls everything and checks the channel and location arrived. Returns (changes applied,
/// cursor).
///
/// # Errors
/// Central unreachable or refusing; an unknown channel or location; database failures.
pub fn become_till(
    engine: &Engine,
    central: &Central,
    config: &till_sync::Config,
) -> Result<(usize, i64)> {
    let (ctx, stored) = (engine.ctx().clone(), config.clone());
    engine.store().write(move |tx| {
        till_sync::set_config(tx, &ctx, &stored)?;
        capture::ensure(tx, false)?;
        till_sync::clear_changes(tx)
    })?;
    let mut pulled = 0;
    let cursor = loop {
        let (applied, more, at) = worker::pull_page(engine, central)?;
        pulled += applied;
        if !more {
            break at;
        }
    };
    let (channel, location) = (config.sales_channel_id.clone(), config.location_id.clone());
    engine.store().read(|c| {
        sales_channel::retrieve(c, &channel)?;
        stock_location::retrieve(c, &location)?;
        Ok(())
    })?;
    Ok((pulled, cursor))
}

fn status(db: &std::path::Path) -> Result<()> {
    let store = Store::open(db, StoreOptions::default())?;
    let outcome = store.read(|c| Ok((till_sync::config(c)?, till_sync::queue_counts(c)?)));
    store.close();
    let (config, (pending, synced)) = outcome?;
    let config = config.ok_or_else(|| Error::invalid(format!("{} is not a till", db.display())))?;
    println!(
        "till {} of {}\nsales channel {}, location {}\npull cursor {} (last pull {})\nsales pending {pending}, synced {synced}",
        config.register,
        config.central_url,
        config.sales_channel_id,
        config.location_id,
        config.pull_cursor,
        config.pulled_at.as_deref().unwrap_or("never"),
    );
    Ok(())
}

fn sync(db: &std::path::Path) -> Result<()> {
    let (lock, engine) = open(db)?;
    let outcome = engine
        .store()
        .read(till_sync::config)
        .and_then(|c| c.ok_or_else(|| Error::invalid(format!("{} is not a till", db.display()))))
        .and_then(|c| worker::central_of(&c))
        .and_then(|central| worker::round(&engine, &central));
    engine.shutdown();
    drop(lock);
    let report = outcome?;
    println!(
        "pushed {}, refused {}, pulled {} (cursor {})",
        report.pushed, report.refused, report.pulled, report.cursor
    );
    Ok(())
}

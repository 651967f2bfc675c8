//! `stockroom till init | status | sync`.

use super::client::Central;
use super::{capture, worker};
use crate::db::{Store, StoreOptions};
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::modules::auth::AuthConfig;
use crate::modules::pos::{self, NewRegister};
use crate::modules::{sales_channel, stock_location, till_sync};
use crate::ops::lock::StoreLock;
use serde_json::Value;
use std::path::PathBuf;

/// `stockroom till --help`.
pub const HELP: &str = "\
stockroom till init --central URL --key sk_… --db PATH --register CODE [--sales-channel ID --location ID]
    Makes PATH (a new file) a till of the central store at URL (http://host:port): migrates
    it, records what it is a till of, pulls central's whole catalog and makes the register
    CODE here so `/pos` sells in the synced channel. The sales channel and stock location
    are read from central's register CODE (`GET /admin/pos/registers`); --sales-channel and
    --location (central's ids) override them, and are needed when central has no such
    register.
stockroom till status --db PATH
    What PATH is a till of, its pull cursor and its queue of sales.
stockroom till sync --db PATH
    One sync round now (push pending sales, pull changes), for scripts; `stockroom serve`
    on a till does this in the background.
stockroom till compact --db PATH
    On central: compacts the change log up to what every till has pulled (see
    ARCHITECTURE.md, \"Tills and central\"); `serve` also does this in the background.
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
        "compact" => compact(&flags.path("--db")?),
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

    fn optional(&self, name: &str) -> Option<String> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
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
    let central_url = flags.get("--central")?.trim_end_matches('/').to_string();
    let api_key = flags.get("--key")?;
    let register = flags.get("--register")?.trim().to_ascii_uppercase();
    let central = Central::new(&central_url, &api_key)?;
    // Refuse early, before a file exists, when central is away or the key is wrong.
    central.get("/admin/pos/changes?since=0&limit=1")?;
    let found = central_register(&central, &register)?;
    let pick = |flag: &str, field: &str| -> Result<String> {
        flags
            .optional(flag)
            .or_else(|| found.as_ref().and_then(|r| r[field].as_str().map(str::to_string)))
            .ok_or_else(|| {
                Error::invalid(format!(
                    "central has no register {register}: create it there (POST /admin/pos/registers or /pos) \
                     or give {flag}"
                ))
            })
    };
    let config = till_sync::Config {
        sales_channel_id: pick("--sales-channel", "sales_channel_id")?,
        location_id: pick("--location", "stock_location_id")?,
        central_url,
        api_key,
        register,
        pull_cursor: 0,
        pulled_at: None,
    };
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
    if let Some(found) = central_register(central, &config.register)? {
        let new = NewRegister {
            code: config.register.clone(),
            name: found["name"]
                .as_str()
                .unwrap_or(&config.register)
                .to_string(),
            sales_channel_id: channel,
            stock_location_id: location,
            region_id: found["region_id"].as_str().unwrap_or_default().to_string(),
        };
        let ctx = engine.ctx().clone();
        engine.store().write(move |tx| {
            if pos::find_by_code(tx, &new.code)?.is_none() {
                pos::create_register(tx, &ctx, &new)?;
            }
            Ok(())
        })?;
    }
    Ok((pulled, cursor))
}

/// Central's register `code` as `GET /admin/pos/registers` answers it, if central has one.
///
/// # Errors
/// Central unreachable or refusing.
pub fn central_register(central: &Central, code: &str) -> Result<Option<Value>> {
    let listed = central.get("/admin/pos/registers")?;
    Ok(listed["registers"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|r| {
            r["code"]
                .as_str()
                .is_some_and(|c| c.eq_ignore_ascii_case(code))
        })
        .cloned())
}

fn compact(db: &std::path::Path) -> Result<()> {
    let (lock, engine) = open(db)?;
    let outcome = super::compaction::run(&engine, super::compaction::Policy::default());
    engine.shutdown();
    drop(lock);
    let done = outcome?;
    println!(
        "compacted through {}: {} entries removed",
        done.through, done.removed
    );
    Ok(())
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

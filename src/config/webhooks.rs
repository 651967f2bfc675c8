//! The webhook settings of `serve` (`--webhook-*` flags, `STOCKROOM_WEBHOOK_*` variables) and
//! `stockroom events replay`.

use super::{Command, db_flag};
use crate::error::{Error, Result};
use crate::events::webhooks::WebhookSettings;
use std::time::Duration;

pub(super) const EVENTS_HELP: &str = "stockroom events replay --db PATH [--webhook ID | --delivery ID]: put dead-lettered deliveries back in the queue
  without a filter: every dead webhook delivery and every dead subscriber delivery
  --webhook ID   only that endpoint's dead deliveries
  --delivery ID  only that delivery (dead or already delivered)
  safe while the store is served: the running server picks them up within a second
";

/// What `events replay` replays.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReplayScope {
    /// Every dead webhook and subscriber delivery.
    AllDead,
    /// One endpoint's dead deliveries.
    Webhook(String),
    /// One delivery.
    Delivery(String),
}

/// Parses `events`'s arguments.
pub(super) fn parse_events(
    args: &[String],
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Command> {
    let Some((sub, rest)) = args.split_first().filter(|(s, _)| *s == "replay") else {
        return Err(Error::invalid(format!(
            "events needs a subcommand\n\n{EVENTS_HELP}"
        )));
    };
    let _ = sub;
    let (db, rest) = db_flag(rest, env)?;
    let scope = match rest.as_slice() {
        [] => ReplayScope::AllDead,
        [flag, id] if flag == "--webhook" => ReplayScope::Webhook(id.clone()),
        [flag, id] if flag == "--delivery" => ReplayScope::Delivery(id.clone()),
        _ => {
            return Err(Error::invalid(format!(
                "unexpected arguments\n\n{EVENTS_HELP}"
            )));
        }
    };
    Ok(Command::Ops(super::OpsCommand::Replay { db, scope }))
}

/// The settings from the environment (flags then override them).
///
/// # Errors
/// A value that is not a number (or a boolean, for `STOCKROOM_WEBHOOKS_ALLOW_LOOPBACK`).
pub(super) fn from_env(env: &dyn Fn(&str) -> Option<String>) -> Result<WebhookSettings> {
    let mut settings = WebhookSettings::default();
    if let Some(value) = env("STOCKROOM_WEBHOOKS_ALLOW_LOOPBACK") {
        settings.allow_loopback = match value.as_str() {
            "1" | "true" | "yes" => true,
            "0" | "false" | "no" | "" => false,
            other => {
                return Err(Error::invalid(format!(
                    "STOCKROOM_WEBHOOKS_ALLOW_LOOPBACK must be true or false, not '{other}'"
                )));
            }
        };
    }
    for name in [
        "STOCKROOM_WEBHOOK_WORKERS",
        "STOCKROOM_WEBHOOK_MAX_ATTEMPTS",
        "STOCKROOM_WEBHOOK_BACKOFF_MS",
        "STOCKROOM_WEBHOOK_TIMEOUT_MS",
    ] {
        if let Some(value) = env(name) {
            set(&mut settings, name, &value)?;
        }
    }
    Ok(settings)
}

/// Takes a webhook flag; `Ok(false)` when the flag is not one.
pub(super) fn take_flag(
    settings: &mut WebhookSettings,
    flag: &str,
    value: &mut dyn FnMut() -> Result<String>,
) -> Result<bool> {
    match flag {
        "--webhooks-allow-loopback" => settings.allow_loopback = true,
        "--webhook-workers"
        | "--webhook-max-attempts"
        | "--webhook-backoff-ms"
        | "--webhook-timeout-ms" => set(settings, flag, &value()?)?,
        _ => return Ok(false),
    }
    Ok(true)
}

fn set(settings: &mut WebhookSettings, name: &str, value: &str) -> Result<()> {
    let number = value
        .parse::<u64>()
        .ok()
        .filter(|n| *n > 0)
        .ok_or_else(|| {
            Error::invalid(format!("{name} must be a positive number, not '{value}'"))
        })?;
    let small = || u32::try_from(number.min(1000)).unwrap_or(1000);
    if name.ends_with("WORKERS") || name.ends_with("workers") {
        settings.workers = small() as usize;
    } else if name.ends_with("MAX_ATTEMPTS") || name.ends_with("max-attempts") {
        settings.max_attempts = small();
    } else if name.ends_with("BACKOFF_MS") || name.ends_with("backoff-ms") {
        settings.base_backoff = Duration::from_millis(number);
    } else {
        settings.io_timeout = Duration::from_millis(number);
        settings.connect_timeout = Duration::from_millis(number).min(settings.connect_timeout);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::{OpsCommand, parse};
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn webhook_settings_come_from_flags_over_the_environment() {
        let env = |k: &str| match k {
            "STOCKROOM_WEBHOOK_WORKERS" => Some("2".to_string()),
            "STOCKROOM_WEBHOOK_BACKOFF_MS" => Some("50".to_string()),
            _ => None,
        };
        let Command::Serve(config) = parse(
            &args(&[
                "serve",
                "--demo",
                "--webhooks-allow-loopback",
                "--webhook-workers",
                "8",
            ]),
            &env,
        )
        .unwrap() else {
            panic!("serve")
        };
        let w = &config.ops.webhooks;
        assert!(w.allow_loopback);
        assert_eq!((w.workers, w.base_backoff), (8, Duration::from_millis(50)));
        let bad = |k: &str| (k == "STOCKROOM_WEBHOOK_MAX_ATTEMPTS").then(|| "0".to_string());
        assert!(parse(&args(&["serve", "--demo"]), &bad).is_err());
        let Command::Serve(plain) = parse(&args(&["serve", "--demo"]), &|_| None).unwrap() else {
            panic!("serve")
        };
        assert!(
            !plain.ops.webhooks.allow_loopback,
            "loopback is refused by default"
        );
    }

    #[test]
    fn events_replay_parses_its_scope() {
        let none = |_: &str| None;
        let cmd = parse(&args(&["events", "replay", "--db", "s.db"]), &none).unwrap();
        assert_eq!(
            cmd,
            Command::Ops(OpsCommand::Replay {
                db: "s.db".into(),
                scope: ReplayScope::AllDead
            })
        );
        let cmd = parse(
            &args(&["events", "replay", "--db", "s.db", "--delivery", "whd_1"]),
            &none,
        )
        .unwrap();
        assert!(matches!(
            cmd,
            Command::Ops(OpsCommand::Replay { scope: ReplayScope::Delivery(ref d), .. }) if d == "whd_1"
        ));
        assert!(parse(&args(&["events", "--db", "s.db"]), &none).is_err());
        assert!(parse(&args(&["events", "replay", "--db", "s.db", "--all"]), &none).is_err());
    }
}

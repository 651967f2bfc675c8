//! The webhook settings of `serve` (`--webhook-*` flags, `STOCKROOM_WEBHOOK_*` variables) and
//! `stockroom events replay`.

use super::cli::{DbArg, positive};
use crate::events::webhooks::WebhookSettings;
use clap::builder::BoolishValueParser;
use clap::{ArgAction, Args, Subcommand};
use std::time::Duration;

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

/// `stockroom events …`.
#[derive(Subcommand, Debug)]
pub enum EventsSub {
    /// Put dead-lettered deliveries back in the queue; without a filter every dead webhook
    /// delivery and every dead subscriber delivery. Safe while the store is served: the
    /// running server picks them up within a second
    Replay(ReplayArgs),
}

/// `stockroom events replay`.
#[derive(Args, Debug)]
pub struct ReplayArgs {
    /// The store (may be served meanwhile).
    #[command(flatten)]
    db: DbArg,
    /// Only that endpoint's dead deliveries.
    #[arg(long, value_name = "ID", conflicts_with = "delivery")]
    webhook: Option<String>,
    /// Only that delivery (dead or already delivered).
    #[arg(long, value_name = "ID")]
    delivery: Option<String>,
}

impl ReplayArgs {
    pub(super) fn command(self) -> super::OpsCommand {
        let scope = match (self.webhook, self.delivery) {
            (Some(id), _) => ReplayScope::Webhook(id),
            (None, Some(id)) => ReplayScope::Delivery(id),
            (None, None) => ReplayScope::AllDead,
        };
        super::OpsCommand::Replay {
            db: self.db.db,
            scope,
        }
    }
}

/// `serve`'s webhook flags.
#[derive(Args, Debug)]
#[command(next_help_heading = "Webhooks")]
pub struct WebhookArgs {
    /// Let webhook endpoints be on loopback addresses (a receiver on this host); link-local,
    /// unspecified and multicast addresses are always refused.
    #[arg(long, env = "STOCKROOM_WEBHOOKS_ALLOW_LOOPBACK", action = ArgAction::SetTrue,
          value_parser = BoolishValueParser::new())]
    webhooks_allow_loopback: bool,
    /// Webhook deliveries in flight at once [default: 4].
    #[arg(long, env = "STOCKROOM_WEBHOOK_WORKERS", value_name = "N", value_parser = positive)]
    webhook_workers: Option<u64>,
    /// Attempts before a delivery is dead-lettered [default: 12].
    #[arg(long, env = "STOCKROOM_WEBHOOK_MAX_ATTEMPTS", value_name = "N", value_parser = positive)]
    webhook_max_attempts: Option<u64>,
    /// Wait before the second attempt, doubling up to an hour [default: 1000].
    #[arg(long, env = "STOCKROOM_WEBHOOK_BACKOFF_MS", value_name = "MS", value_parser = positive)]
    webhook_backoff_ms: Option<u64>,
    /// Read/write timeout of a delivery; connect at most 3000 [default: 10000].
    #[arg(long, env = "STOCKROOM_WEBHOOK_TIMEOUT_MS", value_name = "MS", value_parser = positive)]
    webhook_timeout_ms: Option<u64>,
}

impl WebhookArgs {
    /// The settings: the defaults with what was given; counts capped at 1000.
    pub(super) fn settings(&self) -> WebhookSettings {
        let small = |n: u64| u32::try_from(n.min(1000)).unwrap_or(1000);
        let mut settings = WebhookSettings {
            allow_loopback: self.webhooks_allow_loopback,
            ..WebhookSettings::default()
        };
        if let Some(n) = self.webhook_workers {
            settings.workers = small(n) as usize;
        }
        if let Some(n) = self.webhook_max_attempts {
            settings.max_attempts = small(n);
        }
        if let Some(ms) = self.webhook_backoff_ms {
            settings.base_backoff = Duration::from_millis(ms);
        }
        if let Some(ms) = self.webhook_timeout_ms {
            settings.io_timeout = Duration::from_millis(ms);
            settings.connect_timeout = settings.connect_timeout.min(settings.io_timeout);
        }
        settings
    }
}

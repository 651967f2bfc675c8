//! The notification provider trait and the `local` provider.
//!
//! A provider sends one rendered [`Message`] on its channel and answers the id its system gave
//! it. It is called outside any write job (it may talk to the network), between the claim and
//! the record of the notification; the message carries the notification's id, which a provider
//! should use as its idempotency key where its system has one (the SMTP provider makes it the
//! `Message-ID`). A provider that declares itself [`NotificationProvider::in_process`] is
//! instead called inside the one write job that claims, records and acknowledges.

use crate::error::Result;
use serde::Serialize;
use serde_json::Value;
use std::collections::{HashSet, VecDeque};
use std::sync::{Arc, Mutex};

/// A rendered notification, ready to send.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Message {
    /// The notification's id (`noti_…`): the provider's idempotency key.
    pub notification_id: String,
    /// Recipient.
    pub to: String,
    /// Channel (`email`, `feed`).
    pub channel: String,
    /// Template name.
    pub template: String,
    /// Subject line.
    pub subject: String,
    /// Plain-text body.
    pub text: String,
    /// HTML body (escaped by the template engine).
    pub html: String,
    /// The template's data.
    pub data: Value,
}

/// A way to deliver notifications (Medusa's notification module providers).
pub trait NotificationProvider: Send + Sync {
    /// Stable id, stored as the notification's `provider_id` (`local`, `smtp`).
    fn id(&self) -> &str;

    /// The channels it serves.
    fn channels(&self) -> Vec<String>;

    /// Sends `message`; answers the provider's id for it.
    ///
    /// # Errors
    /// The message was not accepted (the caller records a failure and the event is retried).
    fn send(&self, message: &Message) -> Result<String>;

    /// Whether [`NotificationProvider::send`] may run inside a write job, so that claiming
    /// the notification, sending, recording the outcome and acknowledging the event commit
    /// as one job (one durable commit instead of three).
    ///
    /// Answer `true` only if sending has **no effect outside this process** and does **no
    /// blocking I/O** (it runs on the writer thread, which every write waits for). Then a crash
    /// before that job commits loses the send together with its record, and the redelivered
    /// event sends it once. One thing a rolled-back job cannot take back is the provider's own
    /// memory: if the job's `COMMIT` itself fails, the retry sends again under a new
    /// notification id. The default, `false`, keeps the journaled path: the claim commits
    /// before the provider is called, so a crash after a real send can resend only in the
    /// window before its record commits, under the same notification id.
    fn in_process(&self) -> bool {
        false
    }
}

/// Medusa's local provider: logs each message (one line on stderr, unless quiet) and keeps the
/// latest [`LocalProvider::KEPT`] in memory, where tests and the till read what was "sent".
/// Sending the same notification id twice keeps one copy (the store's claim row is what makes
/// a send happen once; this only keeps the kept copies distinct). It is [`NotificationProvider::in_process`]: nothing leaves the
/// process but the log line.
#[derive(Clone, Default)]
pub struct LocalProvider {
    sent: Arc<Mutex<Sent>>,
    quiet: bool,
}

/// The messages kept, and their ids: a send runs on the writer thread (in process), so the
/// duplicate check is a set lookup, not a scan of every message sent so far.
#[derive(Default)]
struct Sent {
    messages: VecDeque<Message>,
    ids: HashSet<String>,
}

impl LocalProvider {
    /// How many messages are kept. The local provider is the default in a running server, so
    /// keeping every message grew the process by ~3.9 KB per order (a 10-minute checkout soak
    /// climbed to 200 MiB); the latest thousand are plenty to read back.
    pub const KEPT: usize = 1_000;

    /// A local provider that logs.
    pub fn new() -> Self {
        LocalProvider::default()
    }

    /// A local provider that does not log (tests).
    pub fn quiet() -> Self {
        LocalProvider {
            quiet: true,
            ..LocalProvider::default()
        }
    }

    /// The messages sent so far, oldest first.
    pub fn sent(&self) -> Vec<Message> {
        let sent = self.sent.lock().unwrap_or_else(|p| p.into_inner());
        sent.messages.iter().cloned().collect()
    }
}

impl NotificationProvider for LocalProvider {
    fn id(&self) -> &str {
        "local"
    }

    fn channels(&self) -> Vec<String> {
        vec!["email".into(), "feed".into()]
    }

    fn send(&self, message: &Message) -> Result<String> {
        let mut sent = self.sent.lock().unwrap_or_else(|p| p.into_inner());
        if sent.ids.insert(message.notification_id.clone()) {
            if !self.quiet {
                // One write for the line: `eprintln!` writes each piece of its format with
                // its own system call (stderr is unbuffered), nine per message.
                let line = format!(
                    "stockroom: notification {} ({}) to {}: {}\n",
                    message.notification_id, message.template, message.to, message.subject
                );
                let _ = std::io::Write::write_all(&mut std::io::stderr().lock(), line.as_bytes());
            }
            sent.messages.push_back(message.clone());
            if sent.messages.len() > Self::KEPT
                && let Some(oldest) = sent.messages.pop_front()
            {
                sent.ids.remove(&oldest.notification_id);
            }
        }
        Ok(format!("local_{}", message.notification_id))
    }

    fn in_process(&self) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(n: usize) -> Message {
        Message {
            notification_id: format!("noti_{n}"),
            to: "ada@example.com".into(),
            channel: "email".into(),
            template: "order-placed".into(),
            subject: "s".into(),
            text: "t".into(),
            html: "h".into(),
            data: Value::Null,
        }
    }

    #[test]
    fn the_local_provider_keeps_one_copy_per_notification() {
        let local = LocalProvider::quiet();
        let message = message(1);
        assert_eq!(local.send(&message).unwrap(), "local_noti_1");
        local.send(&message).unwrap();
        assert_eq!(local.sent().len(), 1);
    }

    #[test]
    fn the_local_provider_keeps_only_the_latest_messages() {
        let local = LocalProvider::quiet();
        for n in 0..LocalProvider::KEPT + 5 {
            local.send(&message(n)).unwrap();
        }
        let sent = local.sent();
        assert_eq!(sent.len(), LocalProvider::KEPT);
        assert_eq!(sent[0].notification_id, "noti_5");
        assert_eq!(
            sent[LocalProvider::KEPT - 1].notification_id,
            format!("noti_{}", LocalProvider::KEPT + 4)
        );
        let ids = local.sent.lock().unwrap().ids.len();
        assert_eq!(ids, LocalProvider::KEPT, "evicted ids are forgotten too");
    }
}

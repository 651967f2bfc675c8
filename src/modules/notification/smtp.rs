//! The SMTP provider (`smtp`), over `lettre`: a multipart text + HTML email per message, its
//! `Message-ID` derived from the notification id (what a receiving system can deduplicate a
//! resend on), sent with a connection timeout.
//!
//! Configured by URL (`--smtp-url`, `STOCKROOM_SMTP_URL`) and sender (`--smtp-from`,
//! `STOCKROOM_SMTP_FROM`):
//! * `smtps://user:password@host[:465]` — TLS from the first byte;
//! * `smtp://user:password@host[:587]` — STARTTLS, **required** (a server that does not offer
//!   it is refused, so credentials never cross the network in clear);
//! * `smtp://host:port?tls=none` — no TLS at all, for a relay on the same host or a test sink.
//!
//! Certificates are checked against the Mozilla roots compiled in (`webpki-roots`).

use super::provider::{Message, NotificationProvider};
use crate::error::{Error, Result};
use lettre::message::{Mailbox, MultiPart, header::MessageId};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{SmtpTransport, Transport};
use std::time::Duration;

/// How the connection is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpTls {
    /// TLS from the start (`smtps://`).
    Wrapper,
    /// STARTTLS, required (`smtp://`).
    StartTls,
    /// None (`smtp://…?tls=none`).
    Off,
}

/// Where and how to send.
#[derive(Clone, PartialEq, Eq)]
pub struct SmtpSettings {
    /// Server host.
    pub host: String,
    /// Server port.
    pub port: u16,
    /// Connection security.
    pub tls: SmtpTls,
    /// Login, if the server wants one.
    pub credentials: Option<(String, String)>,
    /// The sender, `Shop <shop@example.com>`.
    pub from: String,
    /// Connect and command timeout.
    pub timeout: Duration,
}

impl std::fmt::Debug for SmtpSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpSettings")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("tls", &self.tls)
            .field("user", &self.credentials.as_ref().map(|c| &c.0))
            .field("from", &self.from)
            .finish()
    }
}

impl SmtpSettings {
    /// Parses an `smtp://` or `smtps://` URL (see the module doc) with the sender `from`.
    ///
    /// # Errors
    /// 400 for another scheme, a missing host, a bad port or `tls` value, or a bad sender.
    pub fn from_url(url: &str, from: &str) -> Result<SmtpSettings> {
        let bad = |why: &str| {
            Error::invalid(format!(
                "SMTP url: {why} (smtp[s]://[user:password@]host[:port][?tls=none])"
            ))
        };
        let (tls, rest, default_port) = if let Some(rest) = url.strip_prefix("smtps://") {
            (SmtpTls::Wrapper, rest, 465)
        } else if let Some(rest) = url.strip_prefix("smtp://") {
            (SmtpTls::StartTls, rest, 587)
        } else {
            return Err(bad("the scheme must be smtp or smtps"));
        };
        let (rest, query) = rest.split_once('?').unwrap_or((rest, ""));
        let tls = match query {
            "" => tls,
            "tls=none" if tls == SmtpTls::StartTls => SmtpTls::Off,
            _ => return Err(bad("the only option is ?tls=none, on smtp://")),
        };
        let rest = rest.trim_end_matches('/');
        let (credentials, host_port) = match rest.rsplit_once('@') {
            Some((login, host)) => {
                let (user, password) = login.split_once(':').ok_or_else(|| bad("user:password"))?;
                (Some((decode(user), decode(password))), host)
            }
            None => (None, rest),
        };
        let (host, port) = match host_port.rsplit_once(':') {
            Some((host, port)) => (host, port.parse::<u16>().map_err(|_| bad("bad port"))?),
            None => (host_port, default_port),
        };
        if host.is_empty() {
            return Err(bad("no host"));
        }
        from.parse::<Mailbox>()
            .map_err(|e| Error::invalid(format!("SMTP sender '{from}': {e}")))?;
        Ok(SmtpSettings {
            host: host.to_string(),
            port,
            tls,
            credentials,
            from: from.to_string(),
            timeout: Duration::from_secs(15),
        })
    }
}

/// `%XX` escapes of a URL's user and password.
fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = text
            .get(i + 1..i + 3)
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The SMTP provider.
pub struct SmtpProvider {
    transport: SmtpTransport,
    from: Mailbox,
    domain: String,
}

impl SmtpProvider {
    /// A provider over `settings` (no connection is made until the first message).
    ///
    /// # Errors
    /// 400 for a sender that is not a mailbox; TLS parameters that cannot be built.
    pub fn new(settings: &SmtpSettings) -> Result<SmtpProvider> {
        let from: Mailbox = settings
            .from
            .parse()
            .map_err(|e| Error::invalid(format!("SMTP sender '{}': {e}", settings.from)))?;
        let tls_for = || {
            TlsParameters::new(settings.host.clone())
                .map_err(|e| Error::Internal(format!("SMTP TLS: {e}")))
        };
        let tls = match settings.tls {
            SmtpTls::Wrapper => Tls::Wrapper(tls_for()?),
            SmtpTls::StartTls => Tls::Required(tls_for()?),
            SmtpTls::Off => Tls::None,
        };
        let mut builder = SmtpTransport::builder_dangerous(settings.host.as_str())
            .port(settings.port)
            .tls(tls)
            .timeout(Some(settings.timeout));
        if let Some((user, password)) = &settings.credentials {
            builder = builder.credentials(Credentials::new(user.clone(), password.clone()));
        }
        let domain = from.email.domain().to_string();
        Ok(SmtpProvider {
            transport: builder.build(),
            from,
            domain,
        })
    }
}

impl NotificationProvider for SmtpProvider {
    fn id(&self) -> &str {
        "smtp"
    }

    fn channels(&self) -> Vec<String> {
        vec!["email".into()]
    }

    fn send(&self, message: &Message) -> Result<String> {
        let to: Mailbox = message
            .to
            .parse()
            .map_err(|e| Error::invalid(format!("cannot mail '{}': {e}", message.to)))?;
        let message_id = format!("<{}@{}>", message.notification_id, self.domain);
        let email = lettre::Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(message.subject.clone())
            .header(MessageId::from(message_id.clone()))
            .multipart(MultiPart::alternative_plain_html(
                message.text.clone(),
                message.html.clone(),
            ))
            .map_err(|e| Error::Internal(format!("cannot build the email: {e}")))?;
        self.transport
            .send(&email)
            .map_err(|e| Error::UnexpectedState(format!("SMTP: {e}")))?;
        Ok(message_id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_parse_with_secure_defaults() {
        let s = SmtpSettings::from_url(
            "smtp://ada:p%40ss@mail.example.com",
            "Shop <shop@example.com>",
        )
        .unwrap();
        assert_eq!(
            (s.host.as_str(), s.port, s.tls),
            ("mail.example.com", 587, SmtpTls::StartTls)
        );
        assert_eq!(s.credentials, Some(("ada".into(), "p@ss".into())));
        assert!(
            !format!("{s:?}").contains("p@ss"),
            "the password never reaches a log"
        );
        let s = SmtpSettings::from_url("smtps://mail.example.com", "shop@example.com").unwrap();
        assert_eq!((s.port, s.tls), (465, SmtpTls::Wrapper));
        let s =
            SmtpSettings::from_url("smtp://127.0.0.1:2525?tls=none", "shop@example.com").unwrap();
        assert_eq!((s.port, s.tls), (2525, SmtpTls::Off));
        for bad in [
            "http://x",
            "smtps://x?tls=none",
            "smtp://:25",
            "smtp://x:port",
        ] {
            assert!(
                SmtpSettings::from_url(bad, "shop@example.com").is_err(),
                "{bad}"
            );
        }
        assert!(SmtpSettings::from_url("smtp://x", "not a mailbox").is_err());
    }
}

//! Outgoing mail for Marquee.
//!
//! This crate turns one [`Outgoing`] message (already rendered by the caller: subject,
//! plain-text body, escaped HTML body) into a real RFC 5322 email and hands it to a
//! transport:
//!
//! * [`Transport::Smtp`]: production. SMTP through lettre's async tokio transport, with
//!   rustls for TLS. The transport (and its connection pool) is created once per
//!   [`Mailer`] and reused for every message.
//! * [`Transport::EmlDir`]: demo. Each message becomes a `.eml` file in a directory,
//!   written atomically, one file per outbox row however often it is retried.
//! * [`Transport::Disabled`]: nothing is sent; [`Mailer::send`] returns a permanent error.
//!
//! It keeps no state about what was sent: the caller owns a durable outbox, calls
//! [`Mailer::send`] for a row and uses [`SendError::transient`] to decide between
//! retrying later and giving up.
//!
//! With the `sink` feature, [`sink`] provides a small real SMTP server for tests.

mod eml;
mod message;
#[cfg(feature = "sink")]
pub mod sink;

use std::fmt;
use std::path::PathBuf;
use std::sync::OnceLock;
use std::time::Duration;

use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::transport::smtp::AsyncSmtpTransportBuilder;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};

use message::BodyStyle;

/// How to send mail, usually read from the site's configuration.
#[derive(Clone, Debug)]
pub struct MailSettings {
    /// The `From` mailbox, e.g. `Marquee Weekly <news@example.org>`; also the envelope sender.
    pub from: String,
    pub transport: Transport,
}

/// Where messages go.
#[derive(Clone)]
pub enum Transport {
    /// Production: SMTP through lettre's async tokio transport.
    Smtp {
        host: String,
        port: u16,
        security: Security,
        /// With a username, the client authenticates (PLAIN or LOGIN, as the server offers).
        username: Option<String>,
        password: Option<String>,
        /// Timeout for connecting and for each SMTP command; 0 is treated as 1.
        timeout_secs: u64,
    },
    /// Demo: each message is written as a .eml file in this directory.
    EmlDir(PathBuf),
    /// Mail is not sent; `send` returns an error saying that mail is not configured
    /// (transient = false).
    Disabled,
}

// Written by hand so that the SMTP password never ends up in a log.
impl fmt::Debug for Transport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Transport::Smtp {
                host,
                port,
                security,
                username,
                password,
                timeout_secs,
            } => f
                .debug_struct("Smtp")
                .field("host", host)
                .field("port", port)
                .field("security", security)
                .field("username", username)
                .field("password", &password.as_ref().map(|_| "<redacted>"))
                .field("timeout_secs", timeout_secs)
                .finish(),
            Transport::EmlDir(dir) => f.debug_tuple("EmlDir").field(dir).finish(),
            Transport::Disabled => f.write_str("Disabled"),
        }
    }
}

/// Transport security for [`Transport::Smtp`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Security {
    /// Plain TCP, no TLS at all: for local relays and tests.
    None,
    /// Plain connection upgraded with STARTTLS, which is required (no downgrade). Usually port 587.
    StartTls,
    /// Implicit TLS from the first byte ("SMTPS"), usually port 465.
    Tls,
}

impl Security {
    /// Parses `"none"`, `"starttls"` or `"tls"` (case-insensitive, surrounding spaces ignored).
    pub fn parse(s: &str) -> Option<Security> {
        match s.trim().to_ascii_lowercase().as_str() {
            "none" => Some(Security::None),
            "starttls" => Some(Security::StartTls),
            "tls" => Some(Security::Tls),
            _ => None,
        }
    }

    /// The conventional port for this kind of security: 25, 587 or 465.
    pub fn default_port(self) -> u16 {
        match self {
            Security::None => 25,
            Security::StartTls => 587,
            Security::Tls => 465,
        }
    }

    /// The spelling accepted by [`Security::parse`].
    pub fn as_str(self) -> &'static str {
        match self {
            Security::None => "none",
            Security::StartTls => "starttls",
            Security::Tls => "tls",
        }
    }
}

impl fmt::Display for Security {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One message to send: a row of the caller's outbox, already rendered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outgoing {
    /// Outbox row id; used in the .eml file name.
    pub id: i64,
    pub to_email: String,
    /// Display name; any Unicode, quotes or commas are encoded properly. May be empty.
    pub to_name: String,
    pub subject: String,
    /// Plain-text body.
    pub text: String,
    /// HTML body, already escaped by the caller.
    pub html: String,
    /// An http(s) URL. When present the message gets `List-Unsubscribe: <URL>` and
    /// `List-Unsubscribe-Post: List-Unsubscribe=One-Click` (RFC 8058).
    pub list_unsubscribe: Option<String>,
    /// E.g. `<outbox-17.3f9a...@paper.example>`, angle brackets included; the same on every
    /// retry of the same row so that receivers can de-duplicate.
    pub message_id: String,
}

/// What happened to a message that was sent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Sent {
    /// The SMTP server accepted the message (it answered 250 at the end of DATA).
    Smtp,
    /// The message was written to this file.
    File(PathBuf),
}

/// Why a message was not sent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SendError {
    /// `true`: worth retrying later (4xx reply, network trouble, timeout, TLS, disk).
    /// `false`: retrying the same message will not help (5xx reply, bad address, mail disabled).
    pub transient: bool,
    /// A one-line description for logs and the outbox's last-error column.
    pub message: String,
}

impl SendError {
    pub(crate) fn permanent(message: impl Into<String>) -> SendError {
        SendError {
            transient: false,
            message: message.into(),
        }
    }

    pub(crate) fn retry_later(message: impl Into<String>) -> SendError {
        SendError {
            transient: true,
            message: message.into(),
        }
    }
}

impl fmt::Display for SendError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for SendError {}

/// Errors in [`MailSettings`], reported by [`Mailer::new`].
#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error("invalid sender address {from:?}: {reason}")]
    InvalidFrom { from: String, reason: String },
    #[error("SMTP host is empty")]
    EmptySmtpHost,
    #[error("cannot set up TLS for SMTP host {host:?}: {reason}")]
    Tls { host: String, reason: String },
    #[error("cannot create mail directory {}: {source}", path.display())]
    EmlDir {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// Sends [`Outgoing`] messages through the configured transport.
///
/// Cheap to share: put it in an `Arc` and call [`Mailer::send`] from any task.
///
/// [`Mailer::new`] needs no tokio runtime, but `send` must run inside one, and a mailer
/// that has sent over SMTP should be dropped inside one too: lettre's connection pool is
/// started on the first send and spawns a clean-up task when it is dropped.
pub struct Mailer {
    from: Mailbox,
    kind: Kind,
}

enum Kind {
    Smtp(Box<Smtp>),
    EmlDir(PathBuf),
    Disabled,
}

struct Smtp {
    host: String,
    port: u16,
    security: Security,
    username: Option<String>,
    /// Fully configured in [`Mailer::new`] (so configuration errors show up there) ...
    builder: AsyncSmtpTransportBuilder,
    /// ... but only built on the first send: with lettre's `pool` feature, building the
    /// transport spawns a tokio task, which would make `Mailer::new` panic outside a runtime.
    transport: OnceLock<AsyncSmtpTransport<Tokio1Executor>>,
}

impl Mailer {
    /// Validates `from`, prepares the SMTP transport (TLS configuration included) or creates
    /// the .eml directory. Needs no tokio runtime.
    pub fn new(settings: MailSettings) -> Result<Mailer, MailError> {
        let from: Mailbox = settings
            .from
            .trim()
            .parse()
            .map_err(|e| MailError::InvalidFrom {
                from: settings.from.clone(),
                reason: format!("{e}"),
            })?;

        let kind = match settings.transport {
            Transport::Smtp {
                host,
                port,
                security,
                username,
                password,
                timeout_secs,
            } => {
                let host = host.trim().to_owned();
                if host.is_empty() {
                    return Err(MailError::EmptySmtpHost);
                }
                let tls = match security {
                    Security::None => Tls::None,
                    Security::StartTls => Tls::Required(tls_parameters(&host)?),
                    Security::Tls => Tls::Wrapper(tls_parameters(&host)?),
                };
                let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&host)
                    .port(port)
                    .tls(tls)
                    .timeout(Some(Duration::from_secs(timeout_secs.max(1))));
                if let Some(user) = username.as_ref().filter(|u| !u.is_empty()) {
                    if security == Security::None {
                        tracing::warn!(
                            host,
                            "SMTP credentials are configured without TLS; they travel in clear text"
                        );
                    }
                    builder = builder
                        .credentials(Credentials::new(user.clone(), password.unwrap_or_default()));
                }
                Kind::Smtp(Box::new(Smtp {
                    host,
                    port,
                    security,
                    username,
                    builder,
                    transport: OnceLock::new(),
                }))
            }
            Transport::EmlDir(dir) => {
                std::fs::create_dir_all(&dir).map_err(|source| MailError::EmlDir {
                    path: dir.clone(),
                    source,
                })?;
                Kind::EmlDir(dir)
            }
            Transport::Disabled => Kind::Disabled,
        };
        Ok(Mailer { from, kind })
    }

    /// Builds the email for `m` and hands it to the transport.
    ///
    /// Errors are classified by [`SendError::transient`]; nothing is retried here except
    /// one case: when an SMTP server does not offer 8BITMIME, the message is rebuilt with
    /// 7-bit-safe transfer encodings and sent again at once.
    pub async fn send(&self, m: &Outgoing) -> Result<Sent, SendError> {
        match &self.kind {
            Kind::Disabled => Err(SendError::permanent(
                "mail is not configured (the mail transport is disabled); message not sent",
            )),
            Kind::EmlDir(dir) => {
                let email = message::build(&self.from, m, BodyStyle::Readable)?;
                let path = eml::write(dir, m.id, &m.subject, email.formatted())
                    .await
                    .map_err(|e| {
                        SendError::retry_later(format!(
                            "cannot write .eml in {}: {e}",
                            dir.display()
                        ))
                    })?;
                tracing::debug!(id = m.id, path = %path.display(), "mail written to file");
                Ok(Sent::File(path))
            }
            Kind::Smtp(smtp) => {
                let transport = smtp.transport.get_or_init(|| smtp.builder.clone().build());
                let email = message::build(&self.from, m, BodyStyle::Readable)?;
                let result = match transport.send(email).await {
                    Err(e) if needs_7bit(&e) => {
                        tracing::info!(
                            id = m.id,
                            "SMTP server lacks 8BITMIME; resending with 7-bit-safe encodings"
                        );
                        let email = message::build(&self.from, m, BodyStyle::SevenBitSafe)?;
                        transport.send(email).await
                    }
                    other => other,
                };
                match result {
                    Ok(_response) => {
                        tracing::debug!(id = m.id, to = %m.to_email, "mail accepted by SMTP server");
                        Ok(Sent::Smtp)
                    }
                    Err(e) => Err(smtp.classify(&e)),
                }
            }
        }
    }

    /// A one-line description of where mail goes, for startup logs and admin pages, e.g.
    /// `SMTP smtp.example.org:587 (STARTTLS)` or `files in /path/mail`.
    pub fn describe(&self) -> String {
        match &self.kind {
            Kind::Smtp(smtp) => {
                let security = match smtp.security {
                    Security::None => "plain, no TLS",
                    Security::StartTls => "STARTTLS",
                    Security::Tls => "TLS",
                };
                let user = match smtp.username.as_deref() {
                    Some(u) if !u.is_empty() => format!(", user {u}"),
                    _ => String::new(),
                };
                format!("SMTP {}:{} ({security}{user})", smtp.host, smtp.port)
            }
            Kind::EmlDir(dir) => format!("files in {}", dir.display()),
            Kind::Disabled => "disabled (mail is not sent)".to_owned(),
        }
    }

    /// The parsed `From` mailbox.
    pub fn from_mailbox(&self) -> String {
        self.from.to_string()
    }
}

impl fmt::Debug for Mailer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Mailer")
            .field("from", &self.from.to_string())
            .field("transport", &self.describe())
            .finish()
    }
}

fn tls_parameters(host: &str) -> Result<TlsParameters, MailError> {
    TlsParameters::new(host.to_owned()).map_err(|e| MailError::Tls {
        host: host.to_owned(),
        reason: error_chain(&e),
    })
}

/// lettre refuses (before MAIL FROM) to send 8-bit content to a server that did not
/// advertise 8BITMIME. It reports this as a "client" error that only its text identifies.
fn needs_7bit(e: &lettre::transport::smtp::Error) -> bool {
    e.is_client() && error_chain(e).contains("8BITMIME")
}

impl Smtp {
    /// Maps a lettre SMTP error to a [`SendError`].
    ///
    /// 5xx replies are permanent; everything else (4xx, connection refused, timeouts, TLS,
    /// authentication set-up) is transient, since it may be fixed by the server or by
    /// configuration without the message changing. Exception: a non-ASCII recipient address
    /// on a server without SMTPUTF8 can never be delivered there, so it is permanent.
    fn classify(&self, e: &lettre::transport::smtp::Error) -> SendError {
        let detail = error_chain(e);
        let message = format!("SMTP {}:{}: {detail}", self.host, self.port);
        if e.is_permanent() || (e.is_client() && detail.contains("SMTPUTF8")) {
            SendError::permanent(message)
        } else {
            SendError::retry_later(message)
        }
    }
}

/// `e` and its sources on one line, skipping a source whose text the previous one already
/// includes (lettre's Display prints its direct source itself).
fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let part = s.to_string();
        if !text.contains(&part) {
            text.push_str(": ");
            text.push_str(&part);
        }
        source = s.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(transport: Transport) -> MailSettings {
        MailSettings {
            from: "Marquee Weekly <news@example.org>".into(),
            transport,
        }
    }

    fn smtp(security: Security, port: u16) -> Transport {
        Transport::Smtp {
            host: "smtp.example.org".into(),
            port,
            security,
            username: None,
            password: Some("hunter2".into()),
            timeout_secs: 10,
        }
    }

    #[test]
    fn security_parse() {
        assert_eq!(Security::parse("none"), Some(Security::None));
        assert_eq!(Security::parse(" STARTTLS "), Some(Security::StartTls));
        assert_eq!(Security::parse("tls"), Some(Security::Tls));
        assert_eq!(Security::parse("ssl"), None);
        assert_eq!(Security::parse(""), None);
        for s in [Security::None, Security::StartTls, Security::Tls] {
            assert_eq!(Security::parse(s.as_str()), Some(s));
        }
    }

    // No #[tokio::test]: building an SMTP mailer must not need a runtime.
    #[test]
    fn describe_smtp_without_runtime() {
        let m = Mailer::new(settings(smtp(Security::StartTls, 587))).unwrap();
        assert_eq!(m.describe(), "SMTP smtp.example.org:587 (STARTTLS)");
        let m = Mailer::new(settings(smtp(Security::Tls, 465))).unwrap();
        assert_eq!(m.describe(), "SMTP smtp.example.org:465 (TLS)");
        let m = Mailer::new(settings(smtp(Security::None, 25))).unwrap();
        assert_eq!(m.describe(), "SMTP smtp.example.org:25 (plain, no TLS)");
        assert!(!format!("{m:?}").contains("hunter2"));
        assert!(!format!("{:?}", smtp(Security::None, 25)).contains("hunter2"));
    }

    #[test]
    fn rejects_bad_from_and_empty_host() {
        let mut s = settings(Transport::Disabled);
        s.from = "not an address".into();
        assert!(matches!(Mailer::new(s), Err(MailError::InvalidFrom { .. })));

        let mut t = smtp(Security::None, 25);
        if let Transport::Smtp { host, .. } = &mut t {
            *host = "  ".into();
        }
        assert!(matches!(
            Mailer::new(settings(t)),
            Err(MailError::EmptySmtpHost)
        ));
    }

    #[tokio::test]
    async fn disabled_is_permanent() {
        let m = Mailer::new(settings(Transport::Disabled)).unwrap();
        assert_eq!(m.describe(), "disabled (mail is not sent)");
        let out = Outgoing {
            id: 1,
            to_email: "a@example.org".into(),
            to_name: String::new(),
            subject: "Hi".into(),
            text: "t".into(),
            html: "<p>t</p>".into(),
            list_unsubscribe: None,
            message_id: "<outbox-1.x@paper.example>".into(),
        };
        let err = m.send(&out).await.unwrap_err();
        assert!(!err.transient);
        assert!(err.to_string().contains("not configured"), "{err}");
    }
}

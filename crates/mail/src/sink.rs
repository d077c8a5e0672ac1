//! A small but real SMTP server on loopback, for tests (feature `sink`).
//!
//! Tests point a [`crate::Mailer`] (or anything else that speaks SMTP) at
//! `127.0.0.1:{sink.port()}` with [`crate::Security::None`]; the real lettre client then
//! talks to this server over TCP, and the test inspects what arrived with
//! [`SmtpSink::wait_for`] and the decoding helpers on [`Received`].
//!
//! It implements the parts of RFC 5321 a submission client needs: the 220 greeting,
//! EHLO/HELO, MAIL FROM, RCPT TO, DATA (dot-unstuffing, ended by a line holding only `.`),
//! RSET, NOOP and QUIT, and answers 502 to anything else (STARTTLS and AUTH included).
//! EHLO advertises 8BITMIME (switchable, see [`SmtpSink::set_8bitmime`]) and SMTPUTF8.
//! Failures can be injected per transaction with [`SmtpSink::fail_next`] (451 at the end of
//! DATA) and [`SmtpSink::reject_next`] (550 at RCPT).
//!
//! Nothing is relayed; accepted messages are kept in memory until the sink is dropped,
//! which also closes its listener and all its connections.

use std::fmt;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use mail_parser::{HeaderName, HeaderValue, MessageParser, MimeHeaders, PartType};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Notify;
use tokio::task::{JoinHandle, JoinSet};

/// The host name the sink announces in its greeting and EHLO reply.
const SERVER_NAME: &str = "marquee-sink.test";

/// A running SMTP server on `127.0.0.1`; stops when dropped.
pub struct SmtpSink {
    pub addr: SocketAddr,
    shared: Arc<Shared>,
    accept_task: JoinHandle<()>,
}

/// State shared by the handle and the connection tasks.
struct Shared {
    state: Mutex<State>,
    /// Woken whenever a message is accepted.
    arrived: Notify,
}

struct State {
    messages: Vec<Received>,
    fail_next: usize,
    reject_next: usize,
    eight_bit_mime: bool,
    connections: usize,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        // A panicking connection task must not make every later assertion panic too.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl SmtpSink {
    /// Binds `127.0.0.1:0` and serves each connection on its own tokio task.
    pub async fn start() -> SmtpSink {
        let listener = TcpListener::bind(("127.0.0.1", 0))
            .await
            .expect("SmtpSink: bind 127.0.0.1:0");
        let addr = listener.local_addr().expect("SmtpSink: local_addr");
        let shared = Arc::new(Shared {
            state: Mutex::new(State {
                messages: Vec::new(),
                fail_next: 0,
                reject_next: 0,
                eight_bit_mime: true,
                connections: 0,
            }),
            arrived: Notify::new(),
        });
        let accept_task = tokio::spawn(accept_loop(listener, Arc::clone(&shared)));
        SmtpSink {
            addr,
            shared,
            accept_task,
        }
    }

    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// Everything accepted so far, in order of arrival.
    pub fn messages(&self) -> Vec<Received> {
        self.shared.lock().messages.clone()
    }

    /// How many TCP connections have been accepted so far.
    pub fn connections(&self) -> usize {
        self.shared.lock().connections
    }

    /// Waits until at least `n` messages have been accepted and returns all of them.
    ///
    /// # Panics
    /// After `timeout`, with a message listing what did arrive.
    pub async fn wait_for(&self, n: usize, timeout: Duration) -> Vec<Received> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            // Created before the check, so an arrival between the check and the await
            // still wakes us (Notify::notify_waiters reaches futures that already exist).
            let arrived = self.shared.arrived.notified();
            {
                let state = self.shared.lock();
                if state.messages.len() >= n {
                    return state.messages.clone();
                }
            }
            if tokio::time::timeout_at(deadline, arrived).await.is_err() {
                let messages = self.messages();
                if messages.len() >= n {
                    return messages;
                }
                let list: Vec<String> = messages
                    .iter()
                    .map(|m| format!("  - {}", m.summary()))
                    .collect();
                panic!(
                    "SmtpSink {}: expected at least {n} message(s) within {timeout:?}, got {}{}{}",
                    self.addr,
                    messages.len(),
                    if list.is_empty() { "" } else { ":\n" },
                    list.join("\n")
                );
            }
        }
    }

    /// The next `n` transactions get `451 4.3.0 try again later` at the end of DATA (the
    /// message is not kept).
    pub fn fail_next(&self, n: usize) {
        self.shared.lock().fail_next = n;
    }

    /// The next `n` transactions get `550 5.1.1 no such user` for their recipients.
    pub fn reject_next(&self, n: usize) {
        self.shared.lock().reject_next = n;
    }

    /// Whether EHLO replies (from now on) advertise 8BITMIME; on by default. Without it,
    /// `MAIL FROM ... BODY=8BITMIME` is refused, as a real server would.
    pub fn set_8bitmime(&self, on: bool) {
        self.shared.lock().eight_bit_mime = on;
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        // The accept task owns the JoinSet of connection tasks: aborting it ends them all.
        self.accept_task.abort();
    }
}

impl fmt::Debug for SmtpSink {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmtpSink")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

async fn accept_loop(listener: TcpListener, shared: Arc<Shared>) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _peer)) => {
                    shared.lock().connections += 1;
                    let shared = Arc::clone(&shared);
                    connections.spawn(async move {
                        // An I/O error only ends this connection, as with a real server.
                        let _ = serve(stream, shared).await;
                    });
                }
                Err(e) => {
                    tracing::warn!("SmtpSink: accept failed: {e}");
                    tokio::task::yield_now().await;
                }
            },
            // Reap finished connection tasks so the set does not grow without bound.
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
}

/// One SMTP session (RFC 5321 §3, §4.1).
async fn serve(stream: TcpStream, shared: Arc<Shared>) -> std::io::Result<()> {
    let (reader, mut writer) = stream.into_split();
    let mut reader = BufReader::new(reader);
    let mut session = Session::default();
    let mut line = Vec::new();

    writer
        .write_all(format!("220 {SERVER_NAME} ESMTP marquee test sink\r\n").as_bytes())
        .await?;
    loop {
        line.clear();
        if reader.read_until(b'\n', &mut line).await? == 0 {
            return Ok(()); // client closed the connection
        }
        let command = String::from_utf8_lossy(strip_eol(&line)).into_owned();
        match session.command(&command, &shared) {
            Step::Reply(reply) => writer.write_all(reply.as_bytes()).await?,
            Step::Quit(reply) => {
                writer.write_all(reply.as_bytes()).await?;
                writer.shutdown().await?;
                return Ok(());
            }
            Step::Data(go_ahead) => {
                writer.write_all(go_ahead.as_bytes()).await?;
                let Some(data) = read_data(&mut reader).await? else {
                    return Ok(()); // connection closed in the middle of DATA
                };
                let reply = session.finish_data(data, &shared);
                writer.write_all(reply.as_bytes()).await?;
            }
        }
    }
}

/// Reads DATA lines up to the terminating `.` line, undoing dot-stuffing (RFC 5321
/// §4.5.2). Returns `None` if the connection closes first.
async fn read_data(
    reader: &mut BufReader<tokio::net::tcp::OwnedReadHalf>,
) -> std::io::Result<Option<Vec<u8>>> {
    let mut data = Vec::new();
    let mut line = Vec::new();
    loop {
        line.clear();
        if reader.read_until(b'\n', &mut line).await? == 0 {
            return Ok(None);
        }
        if strip_eol(&line) == b"." {
            return Ok(Some(data));
        }
        let unstuffed = if line.first() == Some(&b'.') {
            &line[1..]
        } else {
            &line[..]
        };
        data.extend_from_slice(unstuffed);
    }
}

fn strip_eol(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// What the connection loop must do after a command line.
enum Step {
    Reply(String),
    /// Send the 354 reply, then read the message.
    Data(String),
    Quit(String),
}

#[derive(Default)]
struct Session {
    greeted: bool,
    transaction: Option<Transaction>,
}

/// One mail transaction: MAIL FROM, RCPT TO..., DATA.
struct Transaction {
    mail_from: String,
    rcpt_to: Vec<String>,
    /// Decided at the first RCPT: does this transaction consume a `reject_next`?
    rejecting: Option<bool>,
}

fn reply(text: &str) -> Step {
    Step::Reply(format!("{text}\r\n"))
}

impl Session {
    fn command(&mut self, line: &str, shared: &Shared) -> Step {
        let (verb, arg) = match line.split_once(' ') {
            Some((verb, arg)) => (verb, arg.trim()),
            None => (line.trim(), ""),
        };
        match verb.to_ascii_uppercase().as_str() {
            "EHLO" | "HELO" if arg.is_empty() => reply("501 5.5.4 domain name required"),
            "EHLO" => {
                self.greeted = true;
                self.transaction = None;
                let mut lines = vec![format!("{SERVER_NAME} greets {arg}")];
                if shared.lock().eight_bit_mime {
                    lines.push("8BITMIME".to_owned());
                }
                lines.push("SMTPUTF8".to_owned());
                let last = lines.len() - 1;
                let text: String = lines
                    .iter()
                    .enumerate()
                    .map(|(i, l)| format!("250{}{l}\r\n", if i == last { ' ' } else { '-' }))
                    .collect();
                Step::Reply(text)
            }
            "HELO" => {
                self.greeted = true;
                self.transaction = None;
                reply(&format!("250 {SERVER_NAME}"))
            }
            "MAIL" => self.mail(arg, shared),
            "RCPT" => self.rcpt(arg, shared),
            "DATA" if !arg.is_empty() => reply("501 5.5.4 DATA takes no arguments"),
            "DATA" => match &self.transaction {
                None => reply("503 5.5.1 MAIL first"),
                Some(tx) if tx.rcpt_to.is_empty() && tx.rejecting == Some(true) => {
                    reply("554 5.5.1 no valid recipients")
                }
                Some(tx) if tx.rcpt_to.is_empty() => reply("503 5.5.1 RCPT first"),
                Some(_) => Step::Data("354 end data with <CR><LF>.<CR><LF>\r\n".to_owned()),
            },
            "RSET" => {
                self.transaction = None;
                reply("250 2.0.0 OK")
            }
            "NOOP" => reply("250 2.0.0 OK"),
            "QUIT" => Step::Quit(format!("221 2.0.0 {SERVER_NAME} closing connection\r\n")),
            "" => reply("500 5.5.2 empty command"),
            _ => reply("502 5.5.2 command not implemented"),
        }
    }

    fn mail(&mut self, arg: &str, shared: &Shared) -> Step {
        if !self.greeted {
            return reply("503 5.5.1 EHLO or HELO first");
        }
        if self.transaction.is_some() {
            return reply("503 5.5.1 nested MAIL command");
        }
        let Some((path, params)) = parse_path(arg, "FROM:") else {
            return reply("501 5.5.4 syntax: MAIL FROM:<address>");
        };
        let eight_bit_mime = shared.lock().eight_bit_mime;
        for param in params.split_whitespace() {
            let (key, value) = param.split_once('=').unwrap_or((param, ""));
            let ok = match key.to_ascii_uppercase().as_str() {
                "BODY" => {
                    value.eq_ignore_ascii_case("7BIT")
                        || (eight_bit_mime && value.eq_ignore_ascii_case("8BITMIME"))
                }
                "SMTPUTF8" => value.is_empty(),
                "SIZE" => value.parse::<u64>().is_ok(),
                _ => false,
            };
            if !ok {
                return reply(&format!("555 5.5.4 unsupported parameter {param}"));
            }
        }
        self.transaction = Some(Transaction {
            mail_from: path,
            rcpt_to: Vec::new(),
            rejecting: None,
        });
        reply("250 2.1.0 OK")
    }

    fn rcpt(&mut self, arg: &str, shared: &Shared) -> Step {
        let Some(tx) = &mut self.transaction else {
            return reply("503 5.5.1 MAIL first");
        };
        let Some((path, _params)) = parse_path(arg, "TO:") else {
            return reply("501 5.5.4 syntax: RCPT TO:<address>");
        };
        if path.is_empty() {
            return reply("501 5.1.3 empty recipient");
        }
        let rejecting = *tx.rejecting.get_or_insert_with(|| {
            let mut state = shared.lock();
            let reject = state.reject_next > 0;
            if reject {
                state.reject_next -= 1;
            }
            reject
        });
        if rejecting {
            return reply("550 5.1.1 no such user");
        }
        tx.rcpt_to.push(path);
        reply("250 2.1.5 OK")
    }

    /// Called with the unstuffed message once the `.` line arrived; ends the transaction.
    fn finish_data(&mut self, data: Vec<u8>, shared: &Shared) -> String {
        let Some(tx) = self.transaction.take() else {
            return "503 5.5.1 no transaction\r\n".to_owned();
        };
        let mut state = shared.lock();
        if state.fail_next > 0 {
            state.fail_next -= 1;
            return "451 4.3.0 try again later\r\n".to_owned();
        }
        state.messages.push(Received {
            mail_from: tx.mail_from,
            rcpt_to: tx.rcpt_to,
            data: String::from_utf8_lossy(&data).into_owned(),
        });
        let queued = state.messages.len();
        drop(state);
        shared.arrived.notify_waiters();
        format!("250 2.0.0 OK queued as {queued}\r\n")
    }
}

/// Parses `FROM:<path> params` / `TO:<path> params` (the prefix is case-insensitive, a space
/// after the colon is tolerated). Returns the path without brackets and the parameters.
fn parse_path<'a>(arg: &'a str, prefix: &str) -> Option<(String, &'a str)> {
    let head = arg.get(..prefix.len())?;
    if !head.eq_ignore_ascii_case(prefix) {
        return None;
    }
    let rest = arg[prefix.len()..].trim_start().strip_prefix('<')?;
    let end = rest.find('>')?;
    Some((rest[..end].to_owned(), rest[end + 1..].trim()))
}

/// One message the sink accepted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Received {
    /// The envelope sender (`MAIL FROM`), without angle brackets.
    pub mail_from: String,
    /// The accepted envelope recipients (`RCPT TO`), without angle brackets.
    pub rcpt_to: Vec<String>,
    /// The raw message after dot-unstuffing, CRLF line endings as sent.
    pub data: String,
}

impl Received {
    /// Wraps a raw message that did not come through SMTP (e.g. an .eml file) so that the
    /// same decoding helpers can be used; the envelope is left empty.
    pub fn from_raw(data: impl Into<String>) -> Received {
        Received {
            mail_from: String::new(),
            rcpt_to: Vec::new(),
            data: data.into(),
        }
    }

    fn parsed(&self) -> mail_parser::Message<'_> {
        MessageParser::default()
            .parse(self.data.as_bytes())
            .unwrap_or_else(|| panic!("cannot parse received message:\n{}", self.data))
    }

    /// The decoded value of the first header called `name` (case-insensitive): folding
    /// undone and RFC 2047 encoded words decoded. Address headers (From, To, Cc, Bcc,
    /// Reply-To, Sender) are shown as `Name <address>, ...` with quoting removed.
    pub fn header(&self, name: &str) -> Option<String> {
        let message = self.parsed();
        let header = message
            .headers()
            .iter()
            .find(|h| h.name.as_str().eq_ignore_ascii_case(name))?;
        let is_mailbox_header = matches!(
            header.name,
            HeaderName::From
                | HeaderName::To
                | HeaderName::Cc
                | HeaderName::Bcc
                | HeaderName::ReplyTo
                | HeaderName::Sender
        );
        if let (true, HeaderValue::Address(address)) = (is_mailbox_header, &header.value) {
            let shown: Vec<String> = address
                .iter()
                .map(|a| match (a.name(), a.address()) {
                    (Some(name), Some(addr)) => format!("{name} <{addr}>"),
                    (None, Some(addr)) => addr.to_owned(),
                    (Some(name), None) => name.to_owned(),
                    (None, None) => String::new(),
                })
                .collect();
            return Some(shown.join(", "));
        }
        // Anything else: decode the raw value as unstructured text (RFC 5322 §3.2.5).
        let start = header.offset_start as usize;
        let end = header.offset_end as usize;
        let mut raw = message.raw_message()[start..end].to_vec();
        if raw.last() != Some(&b'\n') {
            raw.extend_from_slice(b"\r\n");
        }
        let text = match mail_parser::parsers::MessageStream::new(&raw).parse_unstructured() {
            HeaderValue::Text(text) => text.into_owned(),
            _ => String::new(),
        };
        Some(text.trim().to_owned())
    }

    /// The decoded Subject.
    ///
    /// # Panics
    /// If the message has no Subject header.
    pub fn subject(&self) -> String {
        self.header("Subject")
            .unwrap_or_else(|| panic!("message has no Subject:\n{}", self.data))
    }

    /// The decoded To header, e.g. `Zoë "Z" O'Brien <zoe@example.org>` (name unquoted).
    ///
    /// # Panics
    /// If the message has no To header.
    pub fn to(&self) -> String {
        self.header("To")
            .unwrap_or_else(|| panic!("message has no To:\n{}", self.data))
    }

    /// The decoded text/plain part (transfer encoding and charset undone, line endings `\n`).
    ///
    /// # Panics
    /// If there is no text/plain part.
    pub fn text(&self) -> String {
        self.part("plain")
            .unwrap_or_else(|| panic!("message has no text/plain part:\n{}", self.data))
    }

    /// The decoded text/html part.
    ///
    /// # Panics
    /// If there is no text/html part.
    pub fn html(&self) -> String {
        self.part("html")
            .unwrap_or_else(|| panic!("message has no text/html part:\n{}", self.data))
    }

    /// The first `text/{subtype}` leaf part, decoded, with CRLF turned back into `\n`.
    /// (Unlike mail-parser's `body_text`, never converts HTML to text or text to HTML.)
    fn part(&self, subtype: &str) -> Option<String> {
        let message = self.parsed();
        let text = message.parts.iter().find_map(|part| match &part.body {
            PartType::Text(text) | PartType::Html(text)
                if part.is_content_type("text", subtype) =>
            {
                Some(text.to_string())
            }
            // A single-part message without Content-Type defaults to text/plain.
            PartType::Text(text) if subtype == "plain" && part.content_type().is_none() => {
                Some(text.to_string())
            }
            _ => None,
        })?;
        Some(text.replace("\r\n", "\n"))
    }

    /// One line for failure messages: `sender -> recipients: subject`.
    fn summary(&self) -> String {
        let subject = self
            .header("Subject")
            .unwrap_or_else(|| "(no subject)".to_owned());
        format!(
            "{} -> {}: {subject:?}",
            self.mail_from,
            self.rcpt_to.join(", ")
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_parsing() {
        assert_eq!(
            parse_path("FROM:<a@b> BODY=8BITMIME", "FROM:"),
            Some(("a@b".into(), "BODY=8BITMIME"))
        );
        assert_eq!(parse_path("from: <a@b>", "FROM:"), Some(("a@b".into(), "")));
        assert_eq!(parse_path("FROM:<>", "FROM:"), Some((String::new(), "")));
        assert_eq!(parse_path("TO:a@b", "TO:"), None);
        assert_eq!(parse_path("FROM:<a@b>", "TO:"), None);
        assert_eq!(parse_path("", "TO:"), None);
    }

    #[test]
    fn decoding_helpers() {
        let raw = "From: \"Marquee Weekly\" <news@example.org>\r\n\
                   To: =?utf-8?b?Wm/Dqw==?= <zoe@example.org>\r\n\
                   Subject: =?utf-8?q?Caf=C3=A9?= and\r\n more\r\n\
                   X-Thing: hello\r\n\
                   Content-Type: text/plain; charset=utf-8\r\n\
                   Content-Transfer-Encoding: quoted-printable\r\n\
                   \r\n\
                   Hello =E2=80=94 world=\r\n!\r\n";
        let r = Received::from_raw(raw);
        assert_eq!(r.subject(), "Café and more");
        assert_eq!(r.to(), "Zoë <zoe@example.org>");
        assert_eq!(
            r.header("from").as_deref(),
            Some("Marquee Weekly <news@example.org>")
        );
        assert_eq!(r.header("x-thing").as_deref(), Some("hello"));
        assert_eq!(r.header("X-Missing"), None);
        assert_eq!(r.text(), "Hello — world!\n");
    }
}

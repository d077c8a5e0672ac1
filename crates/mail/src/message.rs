//! Building the RFC 5322 message for one [`Outgoing`].
//!
//! The structure is always
//!
//! ```text
//! multipart/alternative
//! ├── text/plain; charset=utf-8
//! └── text/html; charset=utf-8
//! ```
//!
//! with From, To, Subject, Date, Message-ID, `Auto-Submitted: auto-generated` and, for
//! list mail, the RFC 8058 one-click unsubscribe headers. Header values that are not plain
//! ASCII (subject, display names) are RFC 2047-encoded by lettre.
//!
//! ## Transfer encoding
//!
//! lettre's own choice ([`Body::new`]) switches to quoted-printable as soon as a line reaches
//! 76 characters, and `Body::new_with_encoding(8bit)` refuses such lines too. Quoted-printable
//! splits long lines with `=` soft breaks, so a verification link in a saved .eml could no
//! longer be copied from a text editor. So for [`BodyStyle::Readable`] we check the RFC 5322
//! limit ourselves (every line under 998 bytes, no NUL) and, when it holds, pass the text
//! through unchanged as `7bit` (ASCII) or `8bit` (UTF-8). Only otherwise does lettre choose.
//! [`BodyStyle::SevenBitSafe`] always lets lettre choose, for servers without 8BITMIME.

use lettre::message::header::{ContentTransferEncoding, ContentType, HeaderName, HeaderValue};
use lettre::message::{Body, Mailbox, MultiPart, SinglePart};
use lettre::{Address, Message};

use crate::{Outgoing, SendError};

/// RFC 5322 §2.1.1: a line is at most 998 octets, not counting CRLF. We stay under it.
const MAX_LINE_BYTES: usize = 998;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum BodyStyle {
    /// Unencoded text (7bit/8bit) whenever the lines allow it.
    Readable,
    /// Only 7-bit transfer encodings (7bit, quoted-printable, base64).
    SevenBitSafe,
}

const AUTO_SUBMITTED: HeaderName = HeaderName::new_from_ascii_str("Auto-Submitted");
const LIST_UNSUBSCRIBE: HeaderName = HeaderName::new_from_ascii_str("List-Unsubscribe");
const LIST_UNSUBSCRIBE_POST: HeaderName = HeaderName::new_from_ascii_str("List-Unsubscribe-Post");

/// Builds the message. Errors are permanent: the same input would fail the same way again.
pub(crate) fn build(from: &Mailbox, m: &Outgoing, style: BodyStyle) -> Result<Message, SendError> {
    let address: Address = m.to_email.trim().parse().map_err(|e| {
        SendError::permanent(format!("invalid recipient address {:?}: {e}", m.to_email))
    })?;
    let name = one_line(&m.to_name);
    let to = Mailbox::new((!name.is_empty()).then_some(name), address);

    if !is_valid_message_id(&m.message_id) {
        return Err(SendError::permanent(format!(
            "invalid Message-ID {:?} (expected <local@domain>)",
            m.message_id
        )));
    }

    let mut builder = Message::builder()
        .from(from.clone())
        .to(to)
        .subject(one_line(&m.subject))
        .date_now()
        .message_id(Some(m.message_id.clone()))
        .raw_header(HeaderValue::new(
            AUTO_SUBMITTED,
            "auto-generated".to_owned(),
        ));

    if let Some(url) = &m.list_unsubscribe {
        if !is_valid_unsubscribe_url(url) {
            return Err(SendError::permanent(format!(
                "invalid List-Unsubscribe URL {url:?} (expected an http(s) URL without spaces)"
            )));
        }
        builder = builder
            .raw_header(HeaderValue::new(LIST_UNSUBSCRIBE, format!("<{url}>")))
            .raw_header(HeaderValue::new(
                LIST_UNSUBSCRIBE_POST,
                "List-Unsubscribe=One-Click".to_owned(),
            ));
    }

    let body = MultiPart::alternative()
        .singlepart(
            SinglePart::builder()
                .header(ContentType::TEXT_PLAIN)
                .body(body(&m.text, style)),
        )
        .singlepart(
            SinglePart::builder()
                .header(ContentType::TEXT_HTML)
                .body(body(&m.html, style)),
        );

    builder
        .multipart(body)
        .map_err(|e| SendError::permanent(format!("cannot build message: {e}")))
}

/// Encodes one body part; see the module documentation.
fn body(content: &str, style: BodyStyle) -> Body {
    if style == BodyStyle::Readable {
        let crlf = to_crlf(content);
        let fits =
            !crlf.contains('\0') && crlf.split("\r\n").all(|line| line.len() < MAX_LINE_BYTES);
        if fits {
            let encoding = if crlf.is_ascii() {
                ContentTransferEncoding::SevenBit
            } else {
                ContentTransferEncoding::EightBit
            };
            // "Pre-encoded" is accurate: 7bit/8bit content is sent as is, and we have just
            // checked the line lengths, line endings and NULs that these encodings require.
            return Body::dangerous_pre_encoded(crlf.into_bytes(), encoding);
        }
    }
    Body::new(content.to_owned())
}

/// Normalises every line ending (`\r\n`, lone `\n`, lone `\r`) to CRLF.
fn to_crlf(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 32);
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push_str("\r\n");
            }
            '\n' => out.push_str("\r\n"),
            c => out.push(c),
        }
    }
    out
}

/// Collapses control characters (newlines, tabs) to spaces for single-line header values.
fn one_line(s: &str) -> String {
    s.trim()
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// `<left@right>` in printable ASCII without spaces or further angle brackets.
fn is_valid_message_id(id: &str) -> bool {
    let Some(inner) = id.strip_prefix('<').and_then(|s| s.strip_suffix('>')) else {
        return false;
    };
    let printable = inner
        .bytes()
        .all(|b| b.is_ascii_graphic() && b != b'<' && b != b'>');
    match inner.split_once('@') {
        Some((left, right)) => printable && !left.is_empty() && !right.is_empty(),
        None => false,
    }
}

/// An http(s) URL that can sit inside `<...>` unencoded.
fn is_valid_unsubscribe_url(url: &str) -> bool {
    let lower = url.to_ascii_lowercase();
    let rest = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"));
    matches!(rest, Some(r) if !r.is_empty())
        && url.len() < 900
        && url
            .bytes()
            .all(|b| b.is_ascii_graphic() && b != b'<' && b != b'>')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outgoing() -> Outgoing {
        Outgoing {
            id: 7,
            to_email: "reader@example.org".into(),
            to_name: "Zoë".into(),
            subject: "Hello".into(),
            text: "plain".into(),
            html: "<p>html</p>".into(),
            list_unsubscribe: None,
            message_id: "<outbox-7.abc@paper.example>".into(),
        }
    }

    fn from() -> Mailbox {
        "Marquee Weekly <news@example.org>".parse().unwrap()
    }

    fn formatted(m: &Outgoing, style: BodyStyle) -> String {
        String::from_utf8(build(&from(), m, style).unwrap().formatted()).unwrap()
    }

    #[test]
    fn crlf_normalisation() {
        assert_eq!(to_crlf("a\nb\r\nc\rd\n"), "a\r\nb\r\nc\r\nd\r\n");
        assert_eq!(to_crlf(""), "");
    }

    #[test]
    fn long_lines_stay_unencoded_when_they_fit() {
        let link = format!("https://paper.example/verify?token={}", "x".repeat(150));
        let mut m = outgoing();
        m.text = format!("Zoë, confirm here:\n{link}\n");
        m.html = format!("<p><a href=\"{link}\">confirm</a></p>");
        let raw = formatted(&m, BodyStyle::Readable);
        assert!(raw.contains("Content-Transfer-Encoding: 8bit"), "{raw}");
        assert!(raw.contains("Content-Transfer-Encoding: 7bit"), "{raw}");
        assert!(raw.contains(&format!("\r\n{link}\r\n")), "{raw}");
        assert!(raw.contains("Zoë, confirm here:\r\n"), "{raw}");
    }

    #[test]
    fn too_long_lines_fall_back_to_lettre() {
        let mut m = outgoing();
        m.text = "y".repeat(MAX_LINE_BYTES);
        let raw = formatted(&m, BodyStyle::Readable);
        assert!(
            raw.contains("Content-Transfer-Encoding: quoted-printable"),
            "{raw}"
        );
        assert!(raw.lines().all(|l| l.len() <= MAX_LINE_BYTES));
    }

    #[test]
    fn seven_bit_safe_style_is_ascii() {
        let mut m = outgoing();
        m.text = "Zoë — “quoted”".into();
        let raw = formatted(&m, BodyStyle::SevenBitSafe);
        assert!(raw.is_ascii(), "{raw}");
    }

    #[test]
    fn headers() {
        let mut m = outgoing();
        m.list_unsubscribe = Some("https://paper.example/u/abc".into());
        let raw = formatted(&m, BodyStyle::Readable);
        let head = raw.split("\r\n\r\n").next().unwrap();
        for expected in [
            "From: \"Marquee Weekly\" <news@example.org>",
            "Message-ID: <outbox-7.abc@paper.example>",
            "Auto-Submitted: auto-generated",
            "List-Unsubscribe: <https://paper.example/u/abc>",
            "List-Unsubscribe-Post: List-Unsubscribe=One-Click",
            "Subject: Hello",
            "Date: ",
            "MIME-Version: 1.0",
            "Content-Type: multipart/alternative;",
        ] {
            assert!(head.contains(expected), "missing {expected:?} in\n{head}");
        }
        // Non-ASCII display names are RFC 2047 encoded, never raw.
        assert!(head.is_ascii(), "{head}");
        let text = raw.find("Content-Type: text/plain; charset=utf-8").unwrap();
        let html = raw.find("Content-Type: text/html; charset=utf-8").unwrap();
        assert!(text < html, "text part must come first");
        assert!(!formatted(&outgoing(), BodyStyle::Readable).contains("List-Unsubscribe"));
    }

    #[test]
    fn header_injection_is_neutralised() {
        let mut m = outgoing();
        m.subject = "Hi\r\nBcc: victim@example.org".into();
        m.to_name = "Eve\r\nX-Evil: 1".into();
        let raw = formatted(&m, BodyStyle::Readable);
        let head = raw.split("\r\n\r\n").next().unwrap();
        assert!(
            !head
                .lines()
                .any(|l| l.starts_with("Bcc:") || l.starts_with("X-Evil:")),
            "{head}"
        );
    }

    #[test]
    fn bad_inputs_are_permanent_errors() {
        let mut m = outgoing();
        m.to_email = "not-an-address".into();
        let e = build(&from(), &m, BodyStyle::Readable).unwrap_err();
        assert!(!e.transient && e.message.contains("recipient"), "{e}");

        let mut m = outgoing();
        m.message_id = "outbox-7".into();
        assert!(
            !build(&from(), &m, BodyStyle::Readable)
                .unwrap_err()
                .transient
        );

        let mut m = outgoing();
        m.list_unsubscribe = Some("javascript:alert(1)".into());
        assert!(
            !build(&from(), &m, BodyStyle::Readable)
                .unwrap_err()
                .transient
        );
        m.list_unsubscribe = Some("https://paper.example/a b".into());
        assert!(build(&from(), &m, BodyStyle::Readable).is_err());
    }

    #[test]
    fn message_id_validation() {
        assert!(is_valid_message_id("<a.b@c>"));
        assert!(!is_valid_message_id("<a b@c>"));
        assert!(!is_valid_message_id("<@c>"));
        assert!(!is_valid_message_id("<ab>"));
        assert!(!is_valid_message_id("a@c"));
    }
}

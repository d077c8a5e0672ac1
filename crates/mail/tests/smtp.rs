//! The SMTP transport against the loopback sink: real lettre client, real TCP.

use std::time::Duration;

use marquee_mail::sink::SmtpSink;
use marquee_mail::{MailSettings, Mailer, Outgoing, Security, Sent, Transport};

const WAIT: Duration = Duration::from_secs(10);

fn mailer(port: u16) -> Mailer {
    Mailer::new(MailSettings {
        from: "Marquee Weekly <news@example.org>".into(),
        transport: Transport::Smtp {
            host: "127.0.0.1".into(),
            port,
            security: Security::None,
            username: None,
            password: None,
            timeout_secs: 10,
        },
    })
    .expect("mailer")
}

fn long_link() -> String {
    let base = "https://paper.example/account/verify?token=";
    let link = format!("{base}{}", "a1B2c3D4e5".repeat(11));
    assert_eq!(link.len(), 153);
    link
}

fn outgoing(id: i64) -> Outgoing {
    let link = long_link();
    Outgoing {
        id,
        to_email: "reader@example.org".into(),
        to_name: "Zoë Reader".into(),
        subject: "Re: “Rust and Bone” — Zoë".into(),
        text: format!("Hello Zoë,\n\nplease confirm your address:\n{link}\n\n— Marquee Weekly\n"),
        html: format!("<p>Hello Zoë,</p><p><a href=\"{link}\">Confirm your address</a></p>"),
        list_unsubscribe: Some("https://paper.example/unsubscribe/tok-123".into()),
        message_id: format!("<outbox-{id}.3f9a@paper.example>"),
    }
}

#[tokio::test]
async fn delivers_a_complete_message() {
    let sink = SmtpSink::start().await;
    let mailer = mailer(sink.port());
    assert_eq!(
        mailer.describe(),
        format!("SMTP 127.0.0.1:{} (plain, no TLS)", sink.port())
    );

    let sent = mailer.send(&outgoing(17)).await.expect("send");
    assert_eq!(sent, Sent::Smtp);

    let got = sink.wait_for(1, WAIT).await;
    assert_eq!(got.len(), 1);
    let msg = &got[0];
    assert_eq!(msg.mail_from, "news@example.org");
    assert_eq!(msg.rcpt_to, vec!["reader@example.org".to_owned()]);
    assert_eq!(msg.subject(), "Re: “Rust and Bone” — Zoë");
    assert_eq!(msg.to(), "Zoë Reader <reader@example.org>");
    assert_eq!(
        msg.header("From").as_deref(),
        Some("Marquee Weekly <news@example.org>")
    );
    assert_eq!(
        msg.header("Message-ID").as_deref(),
        Some("<outbox-17.3f9a@paper.example>")
    );
    assert_eq!(
        msg.header("Auto-Submitted").as_deref(),
        Some("auto-generated")
    );
    assert_eq!(
        msg.header("List-Unsubscribe").as_deref(),
        Some("<https://paper.example/unsubscribe/tok-123>")
    );
    assert_eq!(
        msg.header("List-Unsubscribe-Post").as_deref(),
        Some("List-Unsubscribe=One-Click")
    );
    assert!(msg.header("Date").is_some());
    assert!(msg
        .header("Content-Type")
        .unwrap()
        .starts_with("multipart/alternative"));

    // Both parts decode back to exactly what was given.
    let link = long_link();
    let sent = outgoing(17);
    assert_eq!(msg.text(), sent.text);
    assert!(
        msg.text().lines().any(|l| l == link),
        "link not intact on its own line"
    );
    assert_eq!(msg.html(), sent.html);

    // Readable on the wire too: 8bit parts, the link unbroken on one raw line.
    assert!(
        msg.data.contains("Content-Transfer-Encoding: 8bit"),
        "{}",
        msg.data
    );
    assert!(
        msg.data.contains(&format!("\r\n{link}\r\n")),
        "{}",
        msg.data
    );
}

#[tokio::test]
async fn pooled_transport_sends_several_messages() {
    let sink = SmtpSink::start().await;
    let mailer = mailer(sink.port());
    for id in 1..=3 {
        mailer.send(&outgoing(id)).await.expect("send");
    }
    let got = sink.wait_for(3, WAIT).await;
    let ids: Vec<String> = got
        .iter()
        .map(|m| m.header("Message-ID").unwrap())
        .collect();
    assert_eq!(
        ids,
        [
            "<outbox-1.3f9a@paper.example>",
            "<outbox-2.3f9a@paper.example>",
            "<outbox-3.3f9a@paper.example>"
        ]
    );
}

#[tokio::test]
async fn temporary_failure_is_transient_and_retry_succeeds() {
    let sink = SmtpSink::start().await;
    let mailer = mailer(sink.port());
    sink.fail_next(1);

    let err = mailer.send(&outgoing(5)).await.expect_err("451 must fail");
    assert!(err.transient, "{err:?}");
    assert!(err.message.contains("451"), "{}", err.message);
    assert!(err.message.contains("try again later"), "{}", err.message);
    assert!(sink.messages().is_empty());

    mailer.send(&outgoing(5)).await.expect("retry");
    let got = sink.wait_for(1, WAIT).await;
    assert_eq!(got.len(), 1);
    assert_eq!(
        got[0].header("Message-ID").as_deref(),
        Some("<outbox-5.3f9a@paper.example>")
    );
}

#[tokio::test]
async fn rejected_recipient_is_permanent() {
    let sink = SmtpSink::start().await;
    let mailer = mailer(sink.port());
    sink.reject_next(1);

    let err = mailer.send(&outgoing(6)).await.expect_err("550 must fail");
    assert!(!err.transient, "{err:?}");
    assert!(err.message.contains("550"), "{}", err.message);
    assert!(err.message.contains("no such user"), "{}", err.message);
    assert!(
        err.message.contains(&format!("127.0.0.1:{}", sink.port())),
        "{}",
        err.message
    );

    // Only one transaction was rejected.
    mailer
        .send(&outgoing(7))
        .await
        .expect("next one goes through");
    assert_eq!(sink.wait_for(1, WAIT).await.len(), 1);
}

#[tokio::test]
async fn connection_refused_is_transient() {
    // Take a free port and release it, so that nothing listens there.
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let err = mailer(port)
        .send(&outgoing(8))
        .await
        .expect_err("nothing listens");
    assert!(err.transient, "{err:?}");
    assert!(
        err.message.to_lowercase().contains("refused"),
        "{}",
        err.message
    );
}

#[tokio::test]
async fn bad_recipient_is_permanent_and_nothing_is_sent() {
    let sink = SmtpSink::start().await;
    let mut m = outgoing(9);
    m.to_email = "reader at example.org".into();
    let err = mailer(sink.port()).send(&m).await.expect_err("bad address");
    assert!(!err.transient, "{err:?}");
    assert!(
        err.message.contains("reader at example.org"),
        "{}",
        err.message
    );
    assert_eq!(sink.connections(), 0);
}

#[tokio::test]
async fn display_names_are_encoded() {
    let sink = SmtpSink::start().await;
    let mailer = mailer(sink.port());
    let names = [
        "Zoë \"Z\" O'Brien, Jr.",
        "O'Brien, \"Bob\"",
        "Ünïcödé 名前 🦀",
        "back\\slash (and parens) <angle>; semi",
        "plain",
    ];
    for (i, name) in names.iter().enumerate() {
        let mut m = outgoing(100 + i as i64);
        m.to_name = (*name).to_owned();
        mailer.send(&m).await.expect("send");
    }
    let got = sink.wait_for(names.len(), WAIT).await;
    for (msg, name) in got.iter().zip(names) {
        assert_eq!(
            msg.to(),
            format!("{name} <reader@example.org>"),
            "raw:\n{}",
            msg.data
        );
        assert_eq!(msg.rcpt_to, vec!["reader@example.org".to_owned()]);
        let head = msg.data.split("\r\n\r\n").next().unwrap();
        assert!(head.is_ascii(), "headers must be 7-bit:\n{head}");
    }

    // No name at all: just the address.
    let mut m = outgoing(200);
    m.to_name = "  ".into();
    mailer.send(&m).await.expect("send");
    let got = sink.wait_for(names.len() + 1, WAIT).await;
    assert_eq!(got.last().unwrap().to(), "reader@example.org");
}

#[tokio::test]
async fn falls_back_to_seven_bit_without_8bitmime() {
    let sink = SmtpSink::start().await;
    sink.set_8bitmime(false);
    let mailer = mailer(sink.port());
    let m = outgoing(10);
    mailer.send(&m).await.expect("send with 7-bit fallback");
    let got = sink.wait_for(1, WAIT).await;
    let msg = &got[0];
    assert!(msg.data.is_ascii(), "{}", msg.data);
    assert_eq!(msg.subject(), m.subject);
    assert!(msg.text().contains(&long_link()));
    assert!(msg.html().contains("Hello Zoë"));
}

#[tokio::test]
#[should_panic(expected = "expected at least 2 message(s)")]
async fn wait_for_panics_with_what_arrived() {
    let sink = SmtpSink::start().await;
    mailer(sink.port()).send(&outgoing(11)).await.unwrap();
    sink.wait_for(2, Duration::from_millis(300)).await;
}

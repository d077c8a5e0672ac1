//! The .eml directory transport.

use std::path::{Path, PathBuf};

use marquee_mail::sink::Received;
use marquee_mail::{MailSettings, Mailer, Outgoing, Sent, Transport};

/// A fresh directory under the system temp dir, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> TempDir {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos();
        let path =
            std::env::temp_dir().join(format!("marquee-mail-{tag}-{}-{nanos}", std::process::id()));
        TempDir(path)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn mailer(dir: &Path) -> Mailer {
    Mailer::new(MailSettings {
        from: "Marquee Weekly <news@example.org>".into(),
        transport: Transport::EmlDir(dir.to_path_buf()),
    })
    .expect("mailer")
}

fn link() -> String {
    format!(
        "https://paper.example/account/verify?token={}",
        "Zz09".repeat(27)
    )
}

fn outgoing(id: i64) -> Outgoing {
    Outgoing {
        id,
        to_email: "reader@example.org".into(),
        to_name: "Zoë \"Z\" O'Brien".into(),
        subject: "Re: “Rust and Bone” — Zoë".into(),
        text: format!("Confirm your address:\n{}\n", link()),
        html: format!("<p><a href=\"{}\">Confirm</a></p>", link()),
        list_unsubscribe: None,
        message_id: format!("<outbox-{id}.77@paper.example>"),
    }
}

fn dir_entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    names
}

#[tokio::test]
async fn writes_one_readable_file_per_row() {
    let tmp = TempDir::new("eml");
    // The directory does not exist yet: Mailer::new creates it (nested too).
    let dir = tmp.0.join("mail");
    let mailer = mailer(&dir);
    assert_eq!(mailer.describe(), format!("files in {}", dir.display()));

    let sent = mailer.send(&outgoing(42)).await.expect("send");
    let expected = dir.join("000042-re-rust-and-bone-zoe.eml");
    assert_eq!(sent, Sent::File(expected.clone()));

    // A retry of the same row replaces the file instead of adding one.
    let mut retry = outgoing(42);
    retry.text.push_str("(second attempt)\n");
    assert_eq!(
        mailer.send(&retry).await.expect("resend"),
        Sent::File(expected.clone())
    );
    assert_eq!(dir_entries(&dir), ["000042-re-rust-and-bone-zoe.eml"]);

    let raw = std::fs::read_to_string(&expected).unwrap();
    // Someone opening the file in an editor finds the link whole, on a line of its own.
    assert!(
        raw.lines().any(|l| l.trim_end_matches('\r') == link()),
        "{raw}"
    );

    let msg = Received::from_raw(raw);
    assert_eq!(msg.subject(), "Re: “Rust and Bone” — Zoë");
    assert_eq!(msg.to(), "Zoë \"Z\" O'Brien <reader@example.org>");
    assert_eq!(
        msg.header("Message-ID").as_deref(),
        Some("<outbox-42.77@paper.example>")
    );
    assert!(msg.text().contains("(second attempt)"));
    assert!(msg.text().contains(&link()));
    assert!(msg.html().contains(&link()));
    assert_eq!(msg.header("List-Unsubscribe"), None);

    // A different row gets its own file.
    mailer.send(&outgoing(7)).await.expect("send");
    assert_eq!(
        dir_entries(&dir),
        [
            "000007-re-rust-and-bone-zoe.eml",
            "000042-re-rust-and-bone-zoe.eml"
        ]
    );
}

#[tokio::test]
async fn concurrent_retries_leave_one_file() {
    let tmp = TempDir::new("eml-concurrent");
    let mailer = std::sync::Arc::new(mailer(&tmp.0));
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let mailer = mailer.clone();
            tokio::spawn(async move { mailer.send(&outgoing(3)).await })
        })
        .collect();
    for t in tasks {
        t.await.unwrap().expect("send");
    }
    assert_eq!(dir_entries(&tmp.0), ["000003-re-rust-and-bone-zoe.eml"]);
}

#[tokio::test]
async fn bad_recipient_writes_nothing() {
    let tmp = TempDir::new("eml-bad");
    let mailer = mailer(&tmp.0);
    let mut m = outgoing(1);
    m.to_email = "@".into();
    let err = mailer.send(&m).await.expect_err("bad address");
    assert!(!err.transient);
    assert!(dir_entries(&tmp.0).is_empty());
}

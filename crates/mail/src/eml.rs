//! The demo transport: one `.eml` file per outbox row.
//!
//! The name is `{id:06}-{slug}.eml`, where the slug is the subject folded to lowercase ASCII
//! (at most 40 characters). A retry of the same row with the same subject therefore maps to
//! the same file, and the file is replaced atomically: the message is written to a hidden
//! temporary file in the same directory, flushed to disk, then renamed over the target. A
//! reader never sees a half-written message and a retry never leaves a second file.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// The longest slug in a file name, in characters (all ASCII).
const MAX_SLUG: usize = 40;

/// Writes `contents` as `{dir}/{file_name(id, subject)}`, replacing any previous version.
pub(crate) async fn write(
    dir: &Path,
    id: i64,
    subject: &str,
    contents: Vec<u8>,
) -> io::Result<PathBuf> {
    let target = dir.join(file_name(id, subject));
    // Blocking file I/O (including fsync) runs off the async worker threads.
    tokio::task::spawn_blocking(move || write_atomically(&target, &contents).map(|()| target))
        .await
        .map_err(io::Error::other)?
}

fn write_atomically(target: &Path, contents: &[u8]) -> io::Result<()> {
    // Unique per process and call, so concurrent writers of the same row cannot collide.
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let name = target
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("message.eml");
    let temp = target.with_file_name(format!(".{name}.{}.{n}.tmp", std::process::id()));

    let result = (|| {
        let mut file = fs::File::create(&temp)?;
        file.write_all(contents)?;
        file.sync_all()?;
        fs::rename(&temp, target)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&temp);
    }
    result
}

/// `{id:06}-{slug}.eml`, e.g. `000042-re-rust-and-bone-zoe.eml`.
pub(crate) fn file_name(id: i64, subject: &str) -> String {
    format!("{id:06}-{}.eml", slug(subject))
}

/// Lowercase ASCII letters and digits separated by single dashes, at most [`MAX_SLUG`]
/// characters, never empty. Common accented Latin letters lose their accents; other
/// characters act as separators.
pub(crate) fn slug(subject: &str) -> String {
    let folded: String = subject
        .chars()
        .map(|c| {
            if c.is_ascii() {
                c.to_string()
            } else {
                fold(c).to_owned()
            }
        })
        .collect();
    let mut out = String::new();
    let mut pending_dash = false;
    for c in folded.chars() {
        if c.is_ascii_alphanumeric() {
            if pending_dash && !out.is_empty() {
                out.push('-');
            }
            pending_dash = false;
            out.push(c.to_ascii_lowercase());
        } else {
            pending_dash = true;
        }
        if out.len() >= MAX_SLUG {
            break;
        }
    }
    out.truncate(MAX_SLUG);
    let trimmed = out.trim_end_matches('-');
    if trimmed.is_empty() {
        "message".to_owned()
    } else {
        trimmed.to_owned()
    }
}

/// ASCII spelling of a non-ASCII character for slugs: a de-accented Latin letter, or a space.
fn fold(c: char) -> &'static str {
    match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' => "a",
        'À' | 'Á' | 'Â' | 'Ã' | 'Ä' | 'Å' | 'Ā' | 'Ă' | 'Ą' => "a",
        'ç' | 'ć' | 'č' | 'Ç' | 'Ć' | 'Č' => "c",
        'ď' | 'đ' | 'Ď' | 'Đ' | 'ð' | 'Ð' => "d",
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ė' | 'ę' | 'ě' => "e",
        'È' | 'É' | 'Ê' | 'Ë' | 'Ē' | 'Ė' | 'Ę' | 'Ě' => "e",
        'ğ' | 'Ğ' => "g",
        'ì' | 'í' | 'î' | 'ï' | 'ī' | 'į' | 'ı' | 'Ì' | 'Í' | 'Î' | 'Ï' | 'Ī' | 'Į' | 'İ' => {
            "i"
        }
        'ł' | 'ľ' | 'ĺ' | 'Ł' | 'Ľ' | 'Ĺ' => "l",
        'ñ' | 'ń' | 'ň' | 'Ñ' | 'Ń' | 'Ň' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ő' => "o",
        'Ò' | 'Ó' | 'Ô' | 'Õ' | 'Ö' | 'Ø' | 'Ō' | 'Ő' => "o",
        'ř' | 'ŕ' | 'Ř' | 'Ŕ' => "r",
        'ś' | 'š' | 'ş' | 'Ś' | 'Š' | 'Ş' => "s",
        'ť' | 'ţ' | 'Ť' | 'Ţ' => "t",
        'ù' | 'ú' | 'û' | 'ü' | 'ū' | 'ů' | 'ű' | 'ų' => "u",
        'Ù' | 'Ú' | 'Û' | 'Ü' | 'Ū' | 'Ů' | 'Ű' | 'Ų' => "u",
        'ý' | 'ÿ' | 'Ý' | 'Ÿ' => "y",
        'ź' | 'ż' | 'ž' | 'Ź' | 'Ż' | 'Ž' => "z",
        'ß' => "ss",
        'æ' | 'Æ' => "ae",
        'œ' | 'Œ' => "oe",
        'þ' | 'Þ' => "th",
        _ => " ",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        assert_eq!(slug("Re: “Rust and Bone” — Zoë"), "re-rust-and-bone-zoe");
        assert_eq!(slug("  Hello,   World!  "), "hello-world");
        assert_eq!(slug("Straße & Œuvre"), "strasse-oeuvre");
        assert_eq!(slug("日本語"), "message");
        assert_eq!(slug(""), "message");
        let long = slug("The quick brown fox jumps over the lazy dog again and again");
        assert_eq!(long, "the-quick-brown-fox-jumps-over-the-lazy");
        assert!(long.len() <= MAX_SLUG);
        // A cut never leaves a trailing dash.
        let cut = slug(&format!("{} b", "a".repeat(MAX_SLUG - 1)));
        assert_eq!(cut, "a".repeat(MAX_SLUG - 1));
    }

    #[test]
    fn file_names() {
        assert_eq!(file_name(42, "Welcome!"), "000042-welcome.eml");
        assert_eq!(file_name(1234567, "x"), "1234567-x.eml");
    }
}

/// First path segments the site itself uses; a section may not take them.
pub const RESERVED_SECTION_SLUGS: &[&str] = &[
    "admin", "api", "authors", "tags", "films", "people", "theaters", "showtimes", "events",
    "reports", "popular", "search", "account", "static", "healthz", "feed.xml", "atom.xml",
    "feed.json", "sitemap.xml", "sitemaps", "robots.txt", "favicon.ico", "about", "credits", ".well-known", "comments",
    "unsubscribe", "actor", "network", "media", "ghost", "wp-content", "category",
];

/// Turns a headline or name into a URL slug: lowercase ASCII letters, digits and single hyphens.
/// Accented Latin letters lose their accents ("Céline" -> "celine"); "&" reads as "and".
pub fn slugify(input: &str) -> String {
    let mut out = String::with_capacity(input.len());
    let mut pending_dash = false;
    for ch in input.chars() {
        let mapped: &str = match ch {
            'a'..='z' | '0'..='9' => {
                push(&mut out, &mut pending_dash, ch);
                continue;
            }
            'A'..='Z' => {
                push(&mut out, &mut pending_dash, ch.to_ascii_lowercase());
                continue;
            }
            '&' => "and",
            '\'' | '’' | '‘' => continue,
            _ => fold_accent(ch).unwrap_or(""),
        };
        if mapped.is_empty() {
            pending_dash = !out.is_empty();
        } else {
            if ch == '&' {
                pending_dash = !out.is_empty();
            }
            for c in mapped.chars() {
                push(&mut out, &mut pending_dash, c);
            }
            if ch == '&' {
                pending_dash = true;
            }
        }
    }
    if out.len() > 80 {
        out.truncate(80);
        while out.ends_with('-') {
            out.pop();
        }
    }
    out
}

fn push(out: &mut String, pending_dash: &mut bool, c: char) {
    if *pending_dash && !out.is_empty() {
        out.push('-');
    }
    *pending_dash = false;
    out.push(c);
}

pub(crate) fn fold_accent(c: char) -> Option<&'static str> {
    Some(match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'À' | 'Á' | 'Â' | 'Ã' | 'Ä' | 'Å' => "a",
        'æ' | 'Æ' => "ae",
        'ç' | 'Ç' => "c",
        'è' | 'é' | 'ê' | 'ë' | 'È' | 'É' | 'Ê' | 'Ë' => "e",
        'ì' | 'í' | 'î' | 'ï' | 'Ì' | 'Í' | 'Î' | 'Ï' => "i",
        'ñ' | 'Ñ' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'Ò' | 'Ó' | 'Ô' | 'Õ' | 'Ö' | 'Ø' => "o",
        'œ' | 'Œ' => "oe",
        'ù' | 'ú' | 'û' | 'ü' | 'Ù' | 'Ú' | 'Û' | 'Ü' => "u",
        'ý' | 'ÿ' | 'Ý' => "y",
        'ß' => "ss",
        _ => return None,
    })
}

/// Checks a slug a person typed. Returns a message fit to show next to the field.
pub fn validate_slug(slug: &str) -> Result<(), String> {
    if slug.is_empty() {
        return Err("A slug is required.".into());
    }
    if slug.len() > 80 {
        return Err("A slug can be at most 80 characters.".into());
    }
    let ok = slug.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if !ok || slug.starts_with('-') || slug.ends_with('-') || slug.contains("--") {
        return Err("Use lowercase letters, digits and single hyphens only, e.g. rust-and-bone.".into());
    }
    Ok(())
}

/// An address path in one spelling, so that an old address matches however a browser or an
/// export wrote it (`/tag/caf%C3%A9/` and `/tag/café/` both become `/tag/caf%c3%a9/`, the way
/// WordPress writes them): every byte that is not unreserved ASCII or path punctuation is a
/// lowercase escape, and an escape of unreserved ASCII is that character. An escaped
/// delimiter stays escaped, so `/a%2Fb/` is not `/a/b/`.
pub fn canonical_path(path: &str) -> String {
    let unreserved = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~');
    let b = path.as_bytes();
    let mut out = String::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let mut byte = b[i];
        let mut escaped = false;
        if byte == b'%' && i + 2 < b.len() {
            if let (Some(h), Some(l)) = (hex_value(b[i + 1]), hex_value(b[i + 2])) {
                byte = h * 16 + l;
                escaped = true;
                i += 2;
            }
        }
        i += 1;
        if unreserved(byte) || (!escaped && b"!$&'()*+,;=:@/?".contains(&byte)) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02x}"));
        }
    }
    out
}

/// `s` with its percent escapes decoded (a `%` that starts none is itself); bytes that do not
/// make UTF-8 become U+FFFD.
pub fn percent_decode(s: &str) -> String {
    if !s.contains('%') {
        return s.to_string();
    }
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            if let (Some(h), Some(l)) = (hex_value(b[i + 1]), hex_value(b[i + 2])) {
                out.push(h * 16 + l);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex_value(b: u8) -> Option<u8> {
    (b as char).to_digit(16).map(|d| d as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_from_headlines() {
        assert_eq!(slugify("Rust and Bone"), "rust-and-bone");
        assert_eq!(slugify("De rouille et d'os"), "de-rouille-et-dos");
        assert_eq!(slugify("Food & Drink"), "food-and-drink");
        assert_eq!(slugify("  Céline Sallette!! "), "celine-sallette");
        assert_eq!(slugify("<script>alert(1)</script>"), "script-alert-1-script");
        assert_eq!(slugify("1776"), "1776");
        assert_eq!(slugify("!!!"), "");
        assert!(slugify(&"word ".repeat(40)).len() <= 80);
    }

    #[test]
    fn slug_validation_explains_itself() {
        assert!(validate_slug("rust-and-bone").is_ok());
        assert!(validate_slug("Rust").is_err());
        assert!(validate_slug("a--b").is_err());
        assert!(validate_slug("").is_err());
    }

    #[test]
    fn old_addresses_have_one_spelling() {
        assert_eq!(canonical_path("/tag/caf%C3%A9-culture/"), "/tag/caf%c3%a9-culture/");
        assert_eq!(canonical_path("/tag/café-culture/"), "/tag/caf%c3%a9-culture/");
        assert_eq!(canonical_path("/?p=12"), "/?p=12");
        assert_eq!(canonical_path("/a b/%zz/%4"), "/a%20b/%25zz/%254");
        assert_eq!(canonical_path("/a%2Fb/?s=a%26b"), "/a%2fb/?s=a%26b", "escaped delimiters stay escaped");
        assert_eq!(canonical_path("/%7Euser/%41"), "/~user/A");
    }
}

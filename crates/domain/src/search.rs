//! Readers' search queries. What a reader types is parsed here into a small syntax tree (words,
//! "phrases", prefixes* and -exclusions) of letters and digits; the search index
//! (`crates/search`) builds its query objects from that tree, so no input reaches it as
//! syntax. Also: the plain text an article is indexed by, and search snippets made safe for
//! HTML.

use jiff::civil::Date;
use jiff::tz::TimeZone;

/// The longest query accepted, in characters of its normal form (as [`SearchQuery`]'s
/// `Display` writes it), so that every normal form is itself accepted. What a reader types may
/// be longer by the spaces and marks between words, up to four times this.
pub const MAX_QUERY_CHARS: usize = 200;
/// The most terms (words, phrases, prefixes, exclusions) in one query.
pub const MAX_TERMS: usize = 20;
/// The fewest letters a prefix search (`audi*`) needs before its star.
pub const MIN_PREFIX_CHARS: usize = 2;

/// Opens a highlighted stretch in text that the search index marks; [`marked_html`] turns it into
/// `<mark>`. Indexed text never contains it ([`plain_text`] strips it).
pub const MARK_START: char = '\u{E000}';
/// Closes a highlighted stretch.
pub const MARK_END: char = '\u{E001}';
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Term {
    /// One word; the index also matches its other forms (stemming).
    Word(String),
    /// Words that must stand next to each other in this order.
    Phrase(Vec<String>),
    /// Any word that begins with these letters.
    Prefix(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clause {
    pub term: Term,
    /// The article must not contain the term (`-word`).
    pub exclude: bool,
}

/// A parsed query: every clause must hold. Words are lowercase.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchQuery {
    pub clauses: Vec<Clause>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QueryError {
    TooLong,
    NoWords,
    OnlyExclusions,
    TooManyTerms,
    ShortPrefix(String),
}

impl std::fmt::Display for QueryError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            QueryError::TooLong => write!(f, "Your search is too long: use at most {MAX_QUERY_CHARS} characters."),
            QueryError::NoWords => write!(f, "Your search has no words in it. Type a word, a name or a title to look for."),
            QueryError::OnlyExclusions => write!(f, "A minus sign leaves a word out; add at least one word to look for."),
            QueryError::TooManyTerms => write!(f, "Your search has too many words: use at most {MAX_TERMS}."),
            QueryError::ShortPrefix(p) => write!(f, "“{p}*” is too short to search by its beginning: give at least {MIN_PREFIX_CHARS} letters before the star."),
        }
    }
}

impl std::error::Error for QueryError {}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || ('\u{300}'..='\u{36f}').contains(&c)
}

/// The lowercase words in `text`; anything that is not a letter or digit separates them.
fn words_in(text: &str) -> Vec<String> {
    text.split(|c: char| !is_word_char(c)).filter(|w| !w.is_empty()).map(str::to_lowercase).collect()
}

/// Parses what a reader typed. Quotes make a phrase (an unclosed quote runs to the end), a
/// trailing star a prefix, a leading minus an exclusion; every other mark separates words,
/// and a word joined by marks (`self-driving`, `d'os`) is a phrase of its parts.
pub fn parse(input: &str) -> Result<SearchQuery, QueryError> {
    let input = input.trim();
    if input.chars().count() > 4 * MAX_QUERY_CHARS {
        return Err(QueryError::TooLong);
    }
    let mut clauses = Vec::new();
    let mut rest = input;
    loop {
        rest = rest.trim_start();
        if rest.is_empty() {
            break;
        }
        let mut exclude = false;
        if let Some(after) = rest.strip_prefix('-') {
            exclude = after.starts_with(|c: char| c == '"' || is_word_char(c));
            rest = after;
        }
        let (chunk, quoted) = if let Some(after) = rest.strip_prefix('"') {
            let end = after.find('"').unwrap_or(after.len());
            rest = after.get(end + 1..).unwrap_or("");
            (&after[..end], true)
        } else {
            let end = rest.find(|c: char| c.is_whitespace() || c == '"').unwrap_or(rest.len());
            let chunk = &rest[..end];
            rest = &rest[end..];
            (chunk, false)
        };
        let mut words = words_in(chunk);
        let term = match words.len() {
            0 => continue,
            1 if !quoted && chunk.ends_with('*') => {
                let w = words.remove(0);
                if w.chars().count() < MIN_PREFIX_CHARS {
                    return Err(QueryError::ShortPrefix(w));
                }
                Term::Prefix(w)
            }
            1 => Term::Word(words.remove(0)),
            _ => Term::Phrase(words),
        };
        clauses.push(Clause { term, exclude });
    }
    // The limit is on the normal form, which can be longer than what was typed: `a-b` is
    // written `"a b"`, and some letters lowercase to two characters.
    let query = SearchQuery { clauses };
    if query.to_string().chars().count() > MAX_QUERY_CHARS {
        return Err(QueryError::TooLong);
    }
    let clauses = query.clauses;
    if clauses.is_empty() {
        return Err(QueryError::NoWords);
    }
    if clauses.len() > MAX_TERMS {
        return Err(QueryError::TooManyTerms);
    }
    if clauses.iter().all(|c| c.exclude) {
        return Err(QueryError::OnlyExclusions);
    }
    Ok(SearchQuery { clauses })
}

impl std::fmt::Display for SearchQuery {
    /// The query in its normal form, which [`parse`] reads back to the same tree: one space
    /// between terms, lowercase, phrases in quotes.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, c) in self.clauses.iter().enumerate() {
            let sep = if i == 0 { "" } else { " " };
            let minus = if c.exclude { "-" } else { "" };
            match &c.term {
                Term::Word(w) => write!(f, "{sep}{minus}{w}")?,
                Term::Prefix(w) => write!(f, "{sep}{minus}{w}*")?,
                Term::Phrase(ws) => write!(f, "{sep}{minus}\"{}\"", ws.join(" "))?,
            }
        }
        Ok(())
    }
}

impl SearchQuery {
    /// The words a reader looked for (not those left out), for hints such as "search for
    /// just one of them".
    pub fn included_terms(&self) -> Vec<String> {
        self.clauses.iter().filter(|c| !c.exclude).map(|c| SearchQuery { clauses: vec![c.clone()] }.to_string()).collect()
    }
}

/// The text of sanitized article HTML as a reader reads it: tags gone (block elements leave a
/// line break so words stay apart), character references decoded, and the search sentinels and
/// other control characters removed.
pub fn plain_text(html: &str) -> String {
    const BLOCKS: &[&str] = &[
        "p", "br", "div", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "tr", "td", "th", "table", "figure", "figcaption", "hr", "dt", "dd",
    ];
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(i) = rest.find(['<', '&']) {
        push_clean(&mut out, &rest[..i]);
        rest = &rest[i..];
        if rest.starts_with('<') {
            let end = rest.find('>').map(|e| e + 1).unwrap_or(rest.len());
            let name: String = rest[1..end].trim_start_matches('/').chars().take_while(|c| c.is_ascii_alphanumeric()).collect::<String>().to_ascii_lowercase();
            if BLOCKS.contains(&name.as_str()) && !out.ends_with('\n') && !out.is_empty() {
                out.push('\n');
            }
            rest = &rest[end..];
        } else {
            let (decoded, used) = decode_reference(rest);
            push_clean(&mut out, &decoded);
            rest = &rest[used..];
        }
    }
    push_clean(&mut out, rest);
    let lines = out.lines().map(|l| l.split_whitespace().collect::<Vec<_>>().join(" ")).filter(|l| !l.is_empty());
    lines.collect::<Vec<_>>().join("\n")
}

fn push_clean(out: &mut String, text: &str) {
    out.extend(text.chars().map(|c| if c == '\t' || c == '\n' || c == '\u{a0}' { ' ' } else { c }).filter(|c| !c.is_control() && !('\u{E000}'..='\u{E00F}').contains(c)));
}

/// Decodes the character reference at the start of `s` (which starts with `&`): the text and
/// how many bytes it took. An unknown one is kept as it is.
fn decode_reference(s: &str) -> (String, usize) {
    let Some(end) = s[1..].find(';').map(|e| e + 1).filter(|e| *e <= 12) else { return ("&".into(), 1) };
    let name = &s[1..end];
    let c = match name {
        "amp" => Some('&'),
        "lt" => Some('<'),
        "gt" => Some('>'),
        "quot" => Some('"'),
        "apos" => Some('\''),
        "nbsp" => Some(' '),
        _ => name
            .strip_prefix("#x")
            .or_else(|| name.strip_prefix("#X"))
            .and_then(|h| u32::from_str_radix(h, 16).ok())
            .or_else(|| name.strip_prefix('#').and_then(|d| d.parse().ok()))
            .and_then(char::from_u32),
    };
    match c {
        Some(c) => (c.to_string(), end + 1),
        None => ("&".into(), 1),
    }
}

/// HTML for a snippet or headline an engine returned: everything escaped, and only the
/// [`MARK_START`]/[`MARK_END`] sentinels become `<mark>` elements, always balanced.
pub fn marked_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 32);
    let mut open = false;
    for c in text.chars() {
        match c {
            MARK_START if !open => {
                out.push_str("<mark>");
                open = true;
            }
            MARK_END if open => {
                out.push_str("</mark>");
                open = false;
            }
            MARK_START | MARK_END => {}
            c => crate::media::push_escaped(&mut out, c),
        }
    }
    if open {
        out.push_str("</mark>");
    }
    out
}

/// A `from`/`to` date range (`YYYY-MM-DD`, both days included) as Unix seconds in `tz`:
/// the start of `from` and the start of the day after `to`. Empty fields leave that end open.
pub fn date_range(from: &str, to: &str, tz: &TimeZone) -> Result<(Option<i64>, Option<i64>), String> {
    let day = |s: &str, label: &str| -> Result<Option<Date>, String> {
        let s = s.trim();
        if s.is_empty() {
            return Ok(None);
        }
        s.parse::<Date>().map(Some).map_err(|_| format!("The {label} date “{}” is not a date like 2026-03-31.", s.chars().take(40).collect::<String>()))
    };
    let (from, to) = (day(from, "from")?, day(to, "to")?);
    if let (Some(f), Some(t)) = (from, to) {
        if f > t {
            return Err("The from date comes after the to date.".into());
        }
    }
    let start = |d: Date| d.to_zoned(tz.clone()).map(|z| z.timestamp().as_second()).map_err(|_| "That date is out of range.".to_string());
    let from = from.map(start).transpose()?;
    let to = match to {
        Some(t) => Some(start(t.tomorrow().map_err(|_| "That date is out of range.".to_string())?)?),
        None => None,
    };
    Ok((from, to))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn word(w: &str) -> Clause {
        Clause { term: Term::Word(w.into()), exclude: false }
    }

    #[test]
    fn words_phrases_prefixes_and_exclusions() {
        let q = parse(r#"  Rust "and BONE"  audi* -dogs -"big fish" self-driving "#).unwrap();
        assert_eq!(
            q.clauses,
            vec![
                word("rust"),
                Clause { term: Term::Phrase(vec!["and".into(), "bone".into()]), exclude: false },
                Clause { term: Term::Prefix("audi".into()), exclude: false },
                Clause { term: Term::Word("dogs".into()), exclude: true },
                Clause { term: Term::Phrase(vec!["big".into(), "fish".into()]), exclude: true },
                Clause { term: Term::Phrase(vec!["self".into(), "driving".into()]), exclude: false },
            ]
        );
        assert_eq!(q.to_string(), r#"rust "and bone" audi* -dogs -"big fish" "self driving""#);
        assert_eq!(parse(&q.to_string()).unwrap(), q, "the normal form reads back the same");
    }

    #[test]
    fn bad_queries_say_why() {
        assert_eq!(parse("   "), Err(QueryError::NoWords));
        assert_eq!(parse(r#"* " " () : & | ! - --"#), Err(QueryError::NoWords));
        assert_eq!(parse("-rust"), Err(QueryError::OnlyExclusions));
        assert_eq!(parse("a*"), Err(QueryError::ShortPrefix("a".into())));
        assert_eq!(parse(&"x".repeat(201)), Err(QueryError::TooLong));
        assert!(parse(&"é".repeat(200)).is_ok(), "the limit counts characters, not bytes");
        assert_eq!(parse(&"w ".repeat(21)), Err(QueryError::TooManyTerms));
        assert!(QueryError::ShortPrefix("a".into()).to_string().contains("“a*”"));
        // A lone minus or star is punctuation, not an operator.
        assert_eq!(parse("rust - bone *").unwrap().clauses, vec![word("rust"), word("bone")]);
        assert_eq!(parse(r#""rust and"#).unwrap().to_string(), r#""rust and""#, "an unclosed quote runs to the end");
        assert_eq!(parse(r#""rust""#).unwrap().clauses, vec![word("rust")]);
    }

    #[test]
    fn included_terms_are_what_to_suggest() {
        assert_eq!(parse(r#"rust "big fish" -dogs audi*"#).unwrap().included_terms(), vec!["rust", "\"big fish\"", "audi*"]);
    }

    #[test]
    fn plain_text_reads_like_the_page() {
        let html = crate::markdown::render("# Title\n\nSome *em* &amp; `<script>alert(1)</script>` here.\n\n- one\n- two\n\nA&nbsp;B \u{E000}x\u{E001}");
        assert_eq!(plain_text(&html), "Title\nSome em & <script>alert(1)</script> here.\none\ntwo\nA B x");
        assert_eq!(plain_text("a &#233; &#xE9; &bogus; & b"), "a é é &bogus; & b");
    }

    #[test]
    fn marks_survive_and_everything_else_is_escaped() {
        let s = format!("<script>{MARK_START}rust{MARK_END} & \"bone\" {MARK_START}open");
        assert_eq!(marked_html(&s), "&lt;script&gt;<mark>rust</mark> &amp; &quot;bone&quot; <mark>open</mark>");
        assert_eq!(marked_html(&format!("{MARK_END}a{MARK_START}{MARK_START}b")), "a<mark>b</mark>");
    }

    #[test]
    fn date_ranges_are_whole_days_in_the_papers_zone() {
        let tz = TimeZone::get("America/Los_Angeles").unwrap();
        let (from, to) = date_range("2026-03-08", "2026-03-08", &tz).unwrap();
        assert_eq!(to.unwrap() - from.unwrap(), 23 * 3600, "the spring-forward day is 23 hours long");
        assert_eq!(from, Some(1_772_956_800));
        assert_eq!(date_range("", "", &tz).unwrap(), (None, None));
        assert!(date_range("2026-02-30", "", &tz).unwrap_err().contains("not a date"));
        assert!(date_range("2026-03-09", "2026-03-08", &tz).unwrap_err().contains("after"));
    }
}

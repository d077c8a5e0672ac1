//! Readers' comments: the real-name policy for display names, the small Markdown subset a
//! comment may use, the moderators' word lists, the verdict that decides whether a new comment is
//! published, held for review or refused, and the signed, expiring tokens put in links in
//! notification emails (one-click unsubscribe and the like). Pure rules: nothing here does I/O.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use pulldown_cmark::{html, CowStr, Event, LinkType, Options, Parser, Tag, TagEnd};
use sha2::Sha256;
use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

// ---------------------------------------------------------------------------------------------
// Real names
// ---------------------------------------------------------------------------------------------

/// Longest display name accepted, in characters, after whitespace is normalized.
pub const MAX_NAME_CHARS: usize = 80;

/// Shown next to the name field on the comment and sign-up forms.
pub const REAL_NAME_POLICY: &str = "Comments appear under your real first and last name, as people know you. \
     Handles, web addresses, email addresses and numbers are not accepted.";

/// Words that stand in for a name rather than being one; matched case-insensitively as whole words.
const PLACEHOLDER_WORDS: &[&str] = &[
    "anonymous", "anon", "anonym", "guest", "admin", "administrator", "moderator", "sysadmin", "webmaster",
    "test", "tester", "testing", "user", "username", "unknown", "nobody", "noname", "nameless", "none",
    "undefined", "asdf", "qwerty",
];

/// Phrases that stand in for a name; matched case-insensitively as consecutive whole words.
const PLACEHOLDER_PHRASES: &[&[&str]] = &[
    &["your", "name"], &["first", "name"], &["last", "name"], &["full", "name"], &["real", "name"],
    &["no", "name"], &["first", "last"], &["firstname", "lastname"], &["name", "surname"],
];

/// Checks a reader's display name against the real-name policy ([`REAL_NAME_POLICY`]).
///
/// Returns the name trimmed, with runs of whitespace (of any kind) collapsed to single spaces, or
/// a message for the form naming the problem. A name needs at least two words, and at least one
/// of them written out (two or more letters in a row), so "J. R. Smith" passes and "J. R." does
/// not; a single word is accepted only when it is two or more Chinese, Japanese or Korean
/// characters ("王小明"), names that are customarily written without spaces. Letters of any
/// script (with combining accents), apostrophes (`'` `’`), hyphens and periods are allowed, as
/// are the middle dots of Catalan and transliterated CJK names (`·` `・`) between letters;
/// digits, `@`, `_`, web addresses, other symbols, control and invisible characters are refused,
/// as are placeholders such as "Anonymous", "Guest" or "Test User" anywhere in the name.
pub fn check_real_name(raw: &str) -> Result<String, String> {
    let name = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    if name.is_empty() {
        return Err("Please enter your name.".into());
    }
    if name.chars().any(is_invisible) {
        return Err("Your name contains invisible or control characters; please type it again.".into());
    }
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(format!("Your name can be at most {MAX_NAME_CHARS} characters."));
    }
    let words: Vec<&str> = name.split(' ').collect();
    if words.iter().any(|w| looks_like_email(w)) {
        return Err("Please enter your name, not an email address.".into());
    }
    if words.iter().any(|w| looks_like_web_address(w)) {
        return Err("Please leave web addresses out of your name.".into());
    }
    if words.iter().any(|w| w.contains('@') || w.contains('_') || w.starts_with('#')) {
        return Err("Please use your real name, not a handle or username.".into());
    }
    if name.chars().any(char::is_numeric) {
        return Err("Please leave numbers out of your name.".into());
    }
    let chars: Vec<char> = name.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        let prev = if i > 0 { Some(chars[i - 1]) } else { None };
        let next = chars.get(i + 1).copied();
        let after_letter = prev.is_some_and(|p| p.is_alphabetic() || is_combining_mark(p));
        let allowed = c.is_alphabetic()
            || matches!(c, ' ' | '\'' | '’' | '-' | '‐' | '.')
            || (is_combining_mark(c) && after_letter)
            || (matches!(c, '·' | '・' | '\u{200C}' | '\u{200D}') && after_letter && next.is_some_and(char::is_alphabetic));
        if !allowed {
            let shown = if is_combining_mark(c) || matches!(c, '\u{200C}' | '\u{200D}') {
                format!("U+{:04X}", c as u32)
            } else {
                format!("“{c}”")
            };
            return Err(format!("A name can contain only letters, spaces, apostrophes, hyphens and periods, not {shown}."));
        }
    }
    if words.iter().any(|w| !w.chars().any(char::is_alphabetic)) {
        return Err("Each part of your name needs letters.".into());
    }
    let lowered: Vec<String> = name
        .split([' ', '·', '・'])
        .map(|w| w.trim_matches(|c: char| !c.is_alphabetic()).to_lowercase())
        .collect();
    if let Some(w) = lowered.iter().find(|w| PLACEHOLDER_WORDS.contains(&w.as_str())) {
        return Err(format!("“{w}” is not a name. {REAL_NAME_POLICY}"));
    }
    for phrase in PLACEHOLDER_PHRASES {
        if lowered.windows(phrase.len()).any(|win| win.iter().zip(phrase.iter()).all(|(a, b)| a == b)) {
            return Err(format!("“{}” is not a name. {REAL_NAME_POLICY}", phrase.join(" ")));
        }
    }
    let parts: Vec<&str> = name.split([' ', '·', '・']).filter(|w| !w.is_empty()).collect();
    if parts.len() < 2 {
        let cjk = chars.iter().all(|&c| is_cjk(c)) && chars.len() >= 2;
        if !cjk {
            return Err("Please enter your first and last name.".into());
        }
    }
    if !parts.iter().any(|w| longest_letter_run(w) >= 2) {
        return Err("Please write out at least one of your names rather than only initials.".into());
    }
    Ok(name)
}

/// Control characters and invisible formatting characters (zero-width space, bidirectional
/// overrides, soft hyphen, byte-order mark, …). Ordinary whitespace is collapsed before this runs.
fn is_invisible(c: char) -> bool {
    c.is_control()
        || matches!(c as u32, 0xAD | 0x34F | 0x61C | 0x115F | 0x1160 | 0x17B4 | 0x17B5 | 0x180E | 0x200B | 0x200E | 0x200F
            | 0x202A..=0x202E | 0x2060..=0x206F | 0x3164 | 0xFE00..=0xFE0F | 0xFEFF | 0xFFA0 | 0xFFF0..=0xFFFB | 0xE0000..=0xE0FFF)
}

/// Marks written on top of or next to a letter that `char::is_alphabetic` does not count as
/// letters: combining accents (decomposed "é"), Indic viramas and nuktas, Thai and Lao tone marks.
fn is_combining_mark(c: char) -> bool {
    let u = c as u32;
    if c.is_alphabetic() || c.is_numeric() {
        return false;
    }
    matches!(u, 0x300..=0x36F | 0x483..=0x489 | 0x591..=0x5BD | 0x5BF | 0x5C1 | 0x5C2 | 0x5C4 | 0x5C5 | 0x5C7
        | 0x610..=0x61A | 0x64B..=0x65F | 0x670 | 0x6D6..=0x6DC | 0x6DF..=0x6E4 | 0x6E7 | 0x6E8 | 0x6EA..=0x6ED
        | 0x1AB0..=0x1AFF | 0x1DC0..=0x1DFF | 0x20D0..=0x20FF | 0xFE20..=0xFE2F
        | 0xE31 | 0xE34..=0xE3A | 0xE47..=0xE4E | 0xEB1 | 0xEB4..=0xEBC | 0xEC8..=0xECE
        | 0x102B..=0x103E | 0x1056..=0x1059 | 0x17B6..=0x17D3 | 0x3099 | 0x309A)
        // Brahmic scripts (Devanagari to Sinhala): everything but digits and the dandas.
        || ((0x900..=0xDFF).contains(&u) && !matches!(u, 0x964 | 0x965 | 0x970 | 0x9F2..=0x9FB | 0xAF1 | 0xBF3..=0xBFA | 0xDF4))
}

/// Han ideographs, kana and Hangul: scripts whose names are often written without spaces.
fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x3005 | 0x3007 | 0x3040..=0x309F | 0x30A0..=0x30FA | 0x30FC..=0x30FF | 0x31F0..=0x31FF
        | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x3134F
        | 0x1100..=0x11FF | 0x3130..=0x318F | 0xAC00..=0xD7AF)
}

fn longest_letter_run(word: &str) -> usize {
    let (mut run, mut best) = (0, 0);
    for c in word.chars() {
        if c.is_alphabetic() {
            run += 1;
            best = best.max(run);
        } else if !is_combining_mark(c) {
            run = 0;
        }
    }
    best
}

fn looks_like_email(word: &str) -> bool {
    match word.split_once('@') {
        Some((local, domain)) => !local.is_empty() && domain.contains('.'),
        None => false,
    }
}

/// "http://…", "www.…" or a bare domain ("example.com", "bit.ly"). A dot followed by a
/// capitalized word ("Dr.Smith") is not taken for a domain unless it is a common top-level domain.
fn looks_like_web_address(word: &str) -> bool {
    const COMMON_TLDS: &[&str] = &[
        "com", "net", "org", "edu", "gov", "info", "biz", "io", "co", "me", "tv", "ly", "app", "dev", "xyz", "online",
        "site", "blog", "uk", "us", "ca", "de", "fr", "es", "it", "nl", "ru", "cn", "jp", "au", "in", "br",
    ];
    let lower = word.to_lowercase();
    if lower.contains("://") || lower.starts_with("www.") || lower.starts_with("http:") || lower.starts_with("https:") {
        return true;
    }
    let trimmed = word.trim_end_matches(['.', '\'', '’']);
    let Some((host, tld)) = trimmed.rsplit_once('.') else {
        return false;
    };
    let host_ok = host.chars().last().is_some_and(char::is_alphanumeric);
    let tld_ok = tld.len() >= 2
        && tld.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        && (tld.chars().all(|c| !c.is_ascii_uppercase()) || COMMON_TLDS.contains(&tld.to_ascii_lowercase().as_str()));
    host_ok && tld_ok
}

// ---------------------------------------------------------------------------------------------
// Comment bodies
// ---------------------------------------------------------------------------------------------

/// Longest comment accepted, in characters of the trimmed Markdown.
pub const MAX_COMMENT_CHARS: usize = 5000;

/// Deepest nesting of block quotes and lists kept in a comment; deeper ones are flattened into
/// their enclosing block (their text stays).
const MAX_BLOCK_NESTING: usize = 6;

/// Deepest nesting of emphasis kept in a comment; deeper emphasis is reduced to its text.
const MAX_INLINE_NESTING: usize = 4;

/// A rendered comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommentBody {
    /// Sanitized HTML: only `p br em strong a blockquote ul ol li`, and on `a` only an http,
    /// https or mailto `href`, always with `rel="nofollow ugc"`.
    pub html: String,
    /// The comment links somewhere: it has an `<a>`, or its text mentions `http://`, `https://`
    /// or `www.` (bare addresses are not turned into links, but count here).
    pub has_links: bool,
}

pub(crate) fn comment_cleaner() -> &'static ammonia::Builder<'static> {
    static CLEANER: OnceLock<ammonia::Builder<'static>> = OnceLock::new();
    CLEANER.get_or_init(|| {
        let mut b = ammonia::Builder::empty();
        b.add_tags(["p", "br", "em", "strong", "a", "blockquote", "ul", "ol", "li"])
            .tag_attributes(HashMap::from([("a", HashSet::from(["href"]))]))
            .generic_attributes(HashSet::new())
            .url_schemes(HashSet::from(["http", "https", "mailto"]))
            .url_relative(ammonia::UrlRelative::Deny)
            .link_rel(Some("nofollow ugc"))
            .clean_content_tags(HashSet::from(["script", "style"]));
        b
    })
}

/// Comments use CommonMark without extensions: no tables, strikethrough, footnotes or task lists.
fn comment_parser(markdown: &str) -> Parser<'_> {
    Parser::new_ext(markdown, Options::empty())
}

/// Links a comment may carry: http, https and mailto, and email autolinks (`<a@b.example>`).
fn allowed_link(link_type: LinkType, dest: &str) -> bool {
    if link_type == LinkType::Email {
        return !dest.is_empty();
    }
    let lower = dest.trim().to_ascii_lowercase();
    ["http://", "https://", "mailto:"].iter().any(|p| lower.len() > p.len() && lower.starts_with(p))
}

/// Renders a reader's comment to safe HTML.
///
/// Errors (a message for the form) when the comment is empty after trimming, has no visible
/// text at all (only a rule or an image without alt text, say), or is longer than
/// [`MAX_COMMENT_CHARS`] characters.
///
/// Kept: paragraphs, line breaks, emphasis, strong emphasis, block quotes, ordered and unordered
/// lists (ordered lists always count from 1), and links to http, https and mailto addresses,
/// which always get `rel="nofollow ugc"` (titles are dropped). Everything else is reduced to its
/// text: headings become paragraphs, images their alt text, code spans plain text, code blocks a
/// paragraph with a line break per line, and raw HTML is shown as the text that was typed
/// (escaped, never interpreted). Links to other schemes (javascript:, data:, relative) keep
/// only their text, as do links whose address does not parse. Control characters other than
/// line breaks and tabs are dropped. Quotes and lists nested more than a few levels deep are
/// flattened, so any input renders quickly and with bounded nesting.
pub fn render_comment(markdown: &str) -> Result<CommentBody, String> {
    let chars = markdown.trim().chars().count();
    if chars > MAX_COMMENT_CHARS {
        return Err(format!("A comment can be at most {MAX_COMMENT_CHARS} characters; this one has {chars}."));
    }
    render_any_length(markdown)
}

/// [`render_comment`] without the length limit, for comments imported from another site,
/// which were written under its rules and are kept whole.
pub fn render_imported_comment(markdown: &str) -> Result<CommentBody, String> {
    render_any_length(markdown)
}

fn render_any_length(markdown: &str) -> Result<CommentBody, String> {
    let trimmed = markdown.trim();
    if trimmed.is_empty() {
        return Err("Please write a comment.".into());
    }
    // Control characters other than line breaks and tabs have no business in a comment.
    let cleaned: String = trimmed.chars().filter(|c| !c.is_control() || matches!(c, '\n' | '\r' | '\t')).collect();
    let (events, visible) = comment_events(&cleaned);
    if visible.trim().is_empty() {
        return Err("Please write a comment.".into());
    }
    let mut raw = String::with_capacity(trimmed.len() * 3 / 2);
    html::push_html(&mut raw, events.into_iter());
    let html = strip_hrefless_links(&comment_cleaner().clean(&raw).to_string()).replace("<p></p>", "");
    let has_links = html.contains("<a ") || mentions_web_address(&visible);
    Ok(CommentBody { html, has_links })
}

/// Unwraps the links whose address the sanitizer refused as unparseable (`https://exa mple`):
/// it leaves them as `<a rel="nofollow ugc">` without an `href`. Links never nest, and text is
/// escaped, so the next `</a>` closes each one.
fn strip_hrefless_links(html: &str) -> String {
    const OPEN: &str = "<a rel=\"nofollow ugc\">";
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(i) = rest.find(OPEN) {
        out.push_str(&rest[..i]);
        rest = &rest[i + OPEN.len()..];
        match rest.find("</a>") {
            Some(j) => {
                out.push_str(&rest[..j]);
                rest = &rest[j + "</a>".len()..];
            }
            None => break,
        }
    }
    out.push_str(rest);
    out
}

/// What the stack of open tags remembers about each `Start` event while filtering.
enum Frame {
    /// Passed through; emit this end tag when the element closes.
    Kept(TagEnd),
    /// Dropped; its contents stay. `item` is set for a list item of a flattened list.
    Dropped { item: bool },
}

/// The comment's events reduced to the allowed subset (see [`render_comment`]), and its visible
/// text (text events concatenated, a newline at every break or block boundary).
fn comment_events(markdown: &str) -> (Vec<Event<'_>>, String) {
    let mut out: Vec<Event<'_>> = Vec::new();
    let mut visible = String::new();
    let mut stack: Vec<Frame> = Vec::new();
    let (mut blocks, mut inlines) = (0usize, 0usize);
    let mut verbatim = false; // inside a code block or an HTML block
    let mut pending_breaks = 0usize; // newlines seen in verbatim text, not yet emitted
    let mut last_inline = false; // the last event emitted was inline content
    for ev in comment_parser(markdown) {
        match ev {
            Event::Start(tag) => {
                let parent_kept_list = matches!(stack.last(), Some(Frame::Kept(TagEnd::List(_))));
                let item = matches!(tag, Tag::Item);
                let kept: Option<Tag<'_>> = match tag {
                    Tag::Paragraph | Tag::Heading { .. } => Some(Tag::Paragraph),
                    Tag::CodeBlock(_) | Tag::HtmlBlock => {
                        verbatim = true;
                        pending_breaks = 0;
                        Some(Tag::Paragraph)
                    }
                    Tag::BlockQuote(_) if blocks < MAX_BLOCK_NESTING => Some(Tag::BlockQuote(None)),
                    Tag::List(start) if blocks < MAX_BLOCK_NESTING => Some(Tag::List(start.map(|_| 1))),
                    Tag::Item if parent_kept_list => Some(Tag::Item),
                    Tag::Emphasis | Tag::Strong if inlines < MAX_INLINE_NESTING => Some(tag),
                    Tag::Link { link_type, dest_url, id, .. } if allowed_link(link_type, &dest_url) => {
                        Some(Tag::Link { link_type, dest_url, title: "".into(), id })
                    }
                    _ => None,
                };
                match kept {
                    Some(t) => {
                        match t {
                            Tag::BlockQuote(_) | Tag::List(_) => blocks += 1,
                            Tag::Emphasis | Tag::Strong => inlines += 1,
                            _ => {}
                        }
                        let is_block = !matches!(t, Tag::Emphasis | Tag::Strong | Tag::Link { .. });
                        if is_block {
                            visible.push('\n');
                            last_inline = false;
                        }
                        stack.push(Frame::Kept(t.to_end()));
                        out.push(Event::Start(t));
                    }
                    None => {
                        // Items of a flattened tight list hold bare text: keep them on separate lines.
                        if item && last_inline {
                            out.push(Event::HardBreak);
                            visible.push('\n');
                            last_inline = false;
                        }
                        stack.push(Frame::Dropped { item })
                    }
                }
            }
            Event::End(_) => match stack.pop() {
                Some(Frame::Kept(end)) => {
                    match end {
                        TagEnd::BlockQuote(_) | TagEnd::List(_) => blocks -= 1,
                        TagEnd::Emphasis | TagEnd::Strong => inlines -= 1,
                        TagEnd::Paragraph => {
                            verbatim = false;
                            pending_breaks = 0;
                        }
                        _ => {}
                    }
                    if !matches!(end, TagEnd::Emphasis | TagEnd::Strong | TagEnd::Link) {
                        visible.push('\n');
                        last_inline = false;
                    }
                    out.push(Event::End(end));
                }
                Some(Frame::Dropped { item }) if item && last_inline => {
                    out.push(Event::HardBreak);
                    visible.push('\n');
                    last_inline = false;
                }
                Some(Frame::Dropped { .. }) => {}
                None => {}
            },
            Event::Text(t) | Event::Html(t) if verbatim => {
                let mut first = true;
                for line in t.split('\n') {
                    if !first {
                        pending_breaks += 1;
                    }
                    first = false;
                    if line.is_empty() {
                        continue;
                    }
                    for _ in 0..pending_breaks {
                        out.push(Event::HardBreak);
                        visible.push('\n');
                    }
                    pending_breaks = 0;
                    push_text(&mut out, &mut visible, line.to_string().into());
                    last_inline = true;
                }
            }
            Event::Text(t) | Event::Code(t) | Event::Html(t) | Event::InlineHtml(t) | Event::InlineMath(t)
            | Event::DisplayMath(t) | Event::FootnoteReference(t) => {
                push_text(&mut out, &mut visible, t);
                last_inline = true;
            }
            Event::SoftBreak | Event::HardBreak => {
                visible.push('\n');
                out.push(ev);
                last_inline = true;
            }
            Event::Rule | Event::TaskListMarker(_) => {}
        }
    }
    (out, visible)
}

fn push_text<'a>(out: &mut Vec<Event<'a>>, visible: &mut String, text: CowStr<'a>) {
    visible.push_str(&text);
    out.push(Event::Text(text));
}

/// `http://`, `https://` or a `www.` that starts a word and is followed by a letter or digit.
fn mentions_web_address(text: &str) -> bool {
    let lower = text.to_lowercase();
    if lower.contains("http://") || lower.contains("https://") {
        return true;
    }
    lower.match_indices("www.").any(|(i, _)| {
        let before_ok = lower[..i].chars().next_back().is_none_or(|c| !c.is_alphanumeric());
        let after_ok = lower[i + 4..].chars().next().is_some_and(char::is_alphanumeric);
        before_ok && after_ok
    })
}

/// An open container while writing plain text.
enum PlainContainer {
    Quote,
    /// A list item: its marker ("- " or "3. ") and whether its first line was written yet.
    Item { marker: String, started: bool },
}

#[derive(Default)]
struct PlainWriter {
    out: String,
    /// Inline text of the block being read.
    cur: String,
    stack: Vec<PlainContainer>,
    /// For each open list, the next item's number (None for bullets).
    lists: Vec<Option<u64>>,
    /// Inside a paragraph, heading, code block or HTML block (not bare text of a tight item).
    in_block: bool,
    /// The last block written was bare text of a tight list item.
    last_tight: bool,
    /// The open link's destination and where its text starts in `cur`.
    link: Option<(String, usize)>,
}

impl PlainWriter {
    /// Writes the text gathered so far as a block: a blank line before it (a single newline
    /// between items of a tight list), each line prefixed for the quotes and items around it.
    fn flush(&mut self) {
        let text: String = self.cur.trim().chars().filter(|c| !c.is_control() || matches!(c, '\n' | '\t')).collect();
        self.cur.clear();
        if text.is_empty() {
            return;
        }
        let tight = !self.in_block && matches!(self.stack.last(), Some(PlainContainer::Item { .. }));
        if !self.out.is_empty() {
            self.out.push_str(if tight && self.last_tight { "\n" } else { "\n\n" });
        }
        self.last_tight = tight;
        let (mut first, mut rest) = (String::new(), String::new());
        for container in self.stack.iter_mut().take(2 * MAX_BLOCK_NESTING) {
            match container {
                PlainContainer::Quote => {
                    first.push_str("> ");
                    rest.push_str("> ");
                }
                PlainContainer::Item { marker, started } => {
                    let pad = " ".repeat(marker.chars().count());
                    if *started {
                        first.push_str(&pad);
                    } else {
                        first.push_str(marker);
                        *started = true;
                    }
                    rest.push_str(&pad);
                }
            }
        }
        for (i, line) in text.lines().enumerate() {
            if i > 0 {
                self.out.push('\n');
            }
            let line = format!("{}{}", if i == 0 { &first } else { &rest }, line.trim_end());
            self.out.push_str(line.trim_end());
        }
    }
}

/// The comment as plain text for an email: Markdown markup removed, paragraphs separated by a
/// blank line, links shown as "text (url)" (just the address when the text is the address).
///
/// Conventions of plain-text mail stand in for the structure: quoted lines start with "> ",
/// list items with "- " or "1. ". Images become their alt text, code and raw HTML stay as typed,
/// soft line breaks become spaces and hard ones newlines. Links to schemes other than http,
/// https and mailto keep only their text, as in [`render_comment`].
pub fn comment_plain_text(markdown: &str) -> String {
    let mut w = PlainWriter::default();
    for ev in comment_parser(markdown) {
        match ev {
            Event::Start(Tag::Paragraph | Tag::Heading { .. } | Tag::CodeBlock(_) | Tag::HtmlBlock) => {
                w.flush();
                w.in_block = true;
            }
            Event::End(TagEnd::Paragraph | TagEnd::Heading(_) | TagEnd::CodeBlock | TagEnd::HtmlBlock) => {
                w.flush();
                w.in_block = false;
            }
            Event::Start(Tag::BlockQuote(_)) => {
                w.flush();
                w.stack.push(PlainContainer::Quote);
            }
            Event::Start(Tag::List(start)) => {
                w.flush();
                if !matches!(w.stack.last(), Some(PlainContainer::Item { .. })) {
                    // A list that is not nested in an item starts after a blank line.
                    w.last_tight = false;
                }
                w.lists.push(start);
            }
            Event::End(TagEnd::List(_)) => {
                w.flush();
                w.lists.pop();
            }
            Event::Start(Tag::Item) => {
                w.flush();
                let marker = match w.lists.last_mut() {
                    Some(Some(n)) => {
                        let m = format!("{n}. ");
                        *n = n.saturating_add(1);
                        m
                    }
                    _ => "- ".to_string(),
                };
                w.stack.push(PlainContainer::Item { marker, started: false });
            }
            Event::End(TagEnd::BlockQuote(_) | TagEnd::Item) => {
                w.flush();
                w.stack.pop();
            }
            Event::Start(Tag::Link { link_type, dest_url, .. }) if allowed_link(link_type, &dest_url) => {
                w.link = Some((dest_url.trim().to_string(), w.cur.len()));
            }
            Event::End(TagEnd::Link) => {
                if let Some((url, start)) = w.link.take() {
                    let text = w.cur[start..].trim().to_string();
                    let bare = url.strip_prefix("mailto:").unwrap_or(&url);
                    if text.is_empty() {
                        w.cur.push_str(&url);
                    } else if text != url && text != bare {
                        w.cur.push_str(&format!(" ({url})"));
                    }
                }
            }
            Event::Text(t) | Event::Code(t) | Event::Html(t) | Event::InlineHtml(t) | Event::InlineMath(t)
            | Event::DisplayMath(t) | Event::FootnoteReference(t) => w.cur.push_str(&t),
            Event::SoftBreak => w.cur.push(' '),
            Event::HardBreak => w.cur.push('\n'),
            Event::Rule => w.flush(),
            _ => {}
        }
    }
    w.flush();
    w.out
}

// ---------------------------------------------------------------------------------------------
// Word lists
// ---------------------------------------------------------------------------------------------

/// A moderators' list of words and phrases (banned or suspect), matched as whole words.
#[derive(Debug, Clone, Default)]
pub struct WordList {
    entries: Vec<WordEntry>,
    /// Entry indexes by their first word, in list order.
    by_first_word: HashMap<String, Vec<usize>>,
}

#[derive(Debug, Clone)]
struct WordEntry {
    written: String,
    words: Vec<String>,
}

impl WordList {
    /// One entry per line or comma-separated; trimmed; case-insensitive; blank entries ignored; an
    /// entry may be a phrase of several words.
    ///
    /// Entries are compared word by word, where a word is a run of letters, digits and combining
    /// marks: punctuation in an entry separates words too ("f-word" is the phrase "f word",
    /// "don't" the phrase "don t"), and an entry with no letters or digits at all is ignored.
    /// Chinese and Japanese characters count as one word each, so such entries match inside a
    /// sentence written without spaces.
    pub fn parse(text: &str) -> WordList {
        let mut list = WordList::default();
        for raw in text.split(['\n', ',']) {
            let written = raw.trim();
            let words = words_of(written);
            if words.is_empty() {
                continue;
            }
            list.by_first_word.entry(words[0].clone()).or_default().push(list.entries.len());
            list.entries.push(WordEntry { written: written.to_string(), words });
        }
        list
    }

    /// No entries (nothing would ever be found).
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The first entry found in `text` as a whole word or whole phrase (case-insensitive,
    /// Unicode-aware, ignoring punctuation between words), as the entry was written.
    ///
    /// "First" is the earliest occurrence in `text`; among entries starting at the same word,
    /// the one listed first. "ass" does not match "class" or "passage"; "bad word" matches
    /// "Bad, word!"; accents must match as written ("café" does not match "cafe").
    pub fn find(&self, text: &str) -> Option<String> {
        if self.entries.is_empty() {
            return None;
        }
        let words = words_of(text);
        for i in 0..words.len() {
            if let Some(candidates) = self.by_first_word.get(&words[i]) {
                for &e in candidates {
                    let entry = &self.entries[e];
                    if words[i..].starts_with(&entry.words) {
                        return Some(entry.written.clone());
                    }
                }
            }
        }
        None
    }
}

/// Lowercased words of `text`: runs of letters, digits and combining marks; each CJK character
/// is a word of its own.
fn words_of(text: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    for c in text.chars() {
        if is_cjk(c) {
            if !cur.is_empty() {
                words.push(std::mem::take(&mut cur));
            }
            words.push(c.to_lowercase().collect());
        } else if c.is_alphanumeric() || (is_combining_mark(c) && !cur.is_empty()) {
            cur.extend(c.to_lowercase());
        } else if !cur.is_empty() {
            words.push(std::mem::take(&mut cur));
        }
    }
    if !cur.is_empty() {
        words.push(cur);
    }
    words
}

// ---------------------------------------------------------------------------------------------
// Moderation
// ---------------------------------------------------------------------------------------------

/// How new comments are moderated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModerationMode {
    /// Every comment waits for a moderator.
    Pre,
    /// Comments appear at once (unless a word list or a link holds them).
    Post,
    /// A reader's comments wait until this many of theirs have been approved.
    FirstN(i64),
}

impl ModerationMode {
    /// From a setting: "pre", "post" or "first_n" (with `n`, which must not be negative; it is
    /// ignored for the other modes). Case and surrounding whitespace are ignored.
    pub fn parse(mode: &str, n: i64) -> Option<ModerationMode> {
        match mode.trim().to_ascii_lowercase().as_str() {
            "pre" => Some(ModerationMode::Pre),
            "post" => Some(ModerationMode::Post),
            "first_n" if n >= 0 => Some(ModerationMode::FirstN(n)),
            _ => None,
        }
    }

    /// The setting's value: "pre", "post" or "first_n" (store `n` separately).
    pub fn as_str(&self) -> &'static str {
        match self {
            ModerationMode::Pre => "pre",
            ModerationMode::Post => "post",
            ModerationMode::FirstN(_) => "first_n",
        }
    }
}

/// What happens to a new comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Refused; the message is for the reader and names the word.
    Reject(String),
    /// Waits in the moderators' queue; the reason is shown there.
    Hold(String),
    /// Appears at once.
    Publish,
}

/// Decides what happens to a new comment, in this order: a banned word rejects it; a suspect word
/// holds it ("suspect word: X"); a link holds it ("contains a link"); then the mode: `Pre` holds
/// ("pre-moderation"), `Post` publishes, `FirstN(n)` holds while the reader has fewer than `n`
/// approved comments ("first 3 comments are reviewed") and publishes after.
///
/// `markdown` is the comment as typed (the word lists are matched against it, link addresses and
/// alt text included); `has_links` comes from [`render_comment`]; `approved_before` is how many of
/// the reader's earlier comments were approved.
pub fn screen(markdown: &str, has_links: bool, banned: &WordList, suspect: &WordList, mode: ModerationMode, approved_before: i64) -> Verdict {
    if let Some(word) = banned.find(markdown) {
        return Verdict::Reject(format!("Your comment contains “{word}”, which is not allowed here. Please remove it and post again."));
    }
    if let Some(word) = suspect.find(markdown) {
        return Verdict::Hold(format!("suspect word: {word}"));
    }
    if has_links {
        return Verdict::Hold("contains a link".into());
    }
    match mode {
        ModerationMode::Pre => Verdict::Hold("pre-moderation".into()),
        ModerationMode::Post => Verdict::Publish,
        ModerationMode::FirstN(n) if approved_before < n => {
            Verdict::Hold(if n == 1 { "first comment is reviewed".into() } else { format!("first {n} comments are reviewed") })
        }
        ModerationMode::FirstN(_) => Verdict::Publish,
    }
}

// ---------------------------------------------------------------------------------------------
// Signed tokens
// ---------------------------------------------------------------------------------------------

type HmacSha256 = Hmac<Sha256>;

/// Length of an HMAC-SHA256 tag in bytes.
const TAG_LEN: usize = 32;

/// Why a token was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    /// Not a token at all: wrong shape, bad encoding, truncated.
    #[error("the link is incomplete or damaged")]
    Malformed,
    /// Well formed, but not signed with this secret for this purpose (or edited since).
    #[error("the link is not valid")]
    BadSignature,
    /// Genuine, but past its expiry.
    #[error("the link has expired")]
    Expired,
}

/// The keyed hash over the purpose and the payload. The purpose is length-prefixed so that no
/// purpose/payload pair can be re-split into another.
fn token_mac(secret: &[u8], purpose: &str, payload: &[u8]) -> HmacSha256 {
    let mut mac = HmacSha256::new_from_slice(secret).expect("HMAC accepts keys of any length");
    mac.update(b"marquee-token-v1\0");
    mac.update(&(purpose.len() as u64).to_be_bytes());
    mac.update(purpose.as_bytes());
    mac.update(payload);
    mac
}

/// A URL-safe token carrying `fields` and an expiry, signed with `secret` for `purpose`.
///
/// The token is `PAYLOAD.SIGNATURE`, both base64url without padding (only ASCII letters,
/// digits, `-`, `_` and the one `.`), so it can go in a path or query string as is. The payload is the JSON
/// `[expires_at, [fields…]]`: it is readable by anyone holding the token, so put identifiers in
/// it, not secrets. `expires_at` is in the same unit as `now` in [`verify_token`] (Unix
/// seconds elsewhere in Marquee). `secret` should be at least 32 random bytes; `purpose` (e.g.
/// "unsubscribe") keeps a token made for one kind of link from working for another.
pub fn sign_token(secret: &[u8], purpose: &str, fields: &[&str], expires_at: i64) -> String {
    let payload = serde_json::to_vec(&(expires_at, fields)).expect("integers and strings serialize");
    let tag = token_mac(secret, purpose, &payload).finalize().into_bytes();
    format!("{}.{}", URL_SAFE_NO_PAD.encode(&payload), URL_SAFE_NO_PAD.encode(tag))
}

/// The fields back when the signature is valid for this purpose and `now < expires_at`.
///
/// The signature is checked (in constant time) before anything else in the payload is believed,
/// so a forged or edited token is `BadSignature` even when it also claims to be expired.
/// Surrounding whitespace is ignored.
pub fn verify_token(secret: &[u8], purpose: &str, token: &str, now: i64) -> Result<Vec<String>, TokenError> {
    let (payload_b64, tag_b64) = token.trim().split_once('.').ok_or(TokenError::Malformed)?;
    let payload = URL_SAFE_NO_PAD.decode(payload_b64).map_err(|_| TokenError::Malformed)?;
    let tag = URL_SAFE_NO_PAD.decode(tag_b64).map_err(|_| TokenError::Malformed)?;
    if payload.is_empty() || tag.len() != TAG_LEN {
        return Err(TokenError::Malformed);
    }
    token_mac(secret, purpose, &payload).verify_slice(&tag).map_err(|_| TokenError::BadSignature)?;
    let (expires_at, fields): (i64, Vec<String>) = serde_json::from_slice(&payload).map_err(|_| TokenError::Malformed)?;
    if now >= expires_at {
        return Err(TokenError::Expired);
    }
    Ok(fields)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, Instant};

    // --- names -------------------------------------------------------------------------------

    #[test]
    fn real_names_are_accepted_and_normalized() {
        for name in [
            "Maria Lopez", "Zoë Saldaña", "Jean-Luc Picard", "Mary J. Blige", "Sinéad O'Connor", "Sinéad O’Connor",
            "Martin Luther King Jr.", "Ngũgĩ wa Thiong'o", "J. R. Smith", "Li Na", "王小明", "Ana María de la Cruz",
            "김민수", "山田 太郎", "Αλέξης Τσίπρας", "Владимир Набоков", "محمد علي", "देवनागरी नाम", "สมชาย ใจดี",
            "Ἀριστοτέλης Σταγειρίτης", "Paul·la Serra", "Henry VIII Tudor", "Israel Kamakawiwoʻole",
        ] {
            assert_eq!(check_real_name(name).as_deref(), Ok(name), "{name}");
        }
        assert_eq!(check_real_name("  Maria \t  Lopez\u{a0} ").unwrap(), "Maria Lopez");
        assert_eq!(check_real_name("Maria\u{3000}Lopez").unwrap(), "Maria Lopez");
        // Decomposed accents (e + U+0301) are letters too.
        assert!(check_real_name("Rene\u{301}e Zellweger").is_ok());
        assert!(check_real_name(&format!("{} {}", "A".repeat(40), "B".repeat(39))).is_ok(), "exactly 80 characters");
    }

    fn refused(name: &str, needle: &str) {
        match check_real_name(name) {
            Ok(n) => panic!("{name:?} was accepted as {n:?}"),
            Err(e) => assert!(e.contains(needle), "{name:?}: {e:?} should mention {needle:?}"),
        }
    }

    #[test]
    fn names_that_break_the_policy_are_refused_with_a_reason() {
        refused("", "enter your name");
        refused("   \t ", "enter your name");
        refused("Madonna", "first and last name");
        refused("cooldude", "first and last name");
        refused("王", "first and last name");
        refused("@cinephile", "handle");
        refused("film_buff 99", "handle");
        refused("Maria @lopez", "handle");
        refused("John Smith 2", "numbers");
        refused("R2 D2", "numbers");
        refused("Maria Lopez²", "numbers");
        refused("jo@example.com Smith", "email address");
        refused("www.example.com", "web address");
        refused("visit example.com", "web address");
        refused("Maria Lopez.com", "web address");
        refused("Maria bit.ly", "web address");
        refused("http://x.y", "web address");
        refused("Maria https:example", "web address");
        refused(&format!("{} {}", "A".repeat(40), "B".repeat(40)), "at most 80");
        refused("J. R.", "initials");
        refused("J R", "initials");
        refused("J.R. K.L.", "initials");
        refused("Maria Lopez!", "not “!”");
        refused("Maria & Lopez", "not “&”");
        refused("Maria (Lopez)", "not “(”");
        refused("Maria 🎬 Lopez", "not “🎬”");
        refused("Maria Lopez\u{0}", "control");
        refused("Maria\u{7}Lopez", "control");
        refused("Maria\u{200B}Lopez", "invisible");
        refused("Maria Lopez\u{202E}", "invisible");
        refused("Maria - Lopez", "needs letters");
        refused("\u{301}Maria Lopez", "U+0301");
    }

    #[test]
    fn placeholders_are_refused_as_whole_words() {
        for name in ["Anonymous", "Anonymous Reader", "anon Smith", "GUEST User", "Admin Team", "Site Moderator", "Test User", "Your Name", "First Last", "Maria Unknown"] {
            refused(name, "is not a name");
        }
        // Only whole words: these contain a placeholder inside a longer word.
        for name in ["Testa Rossi", "Guestman Brown", "Admina Lee", "Anona Moss", "Firstly Named"] {
            assert!(check_real_name(name).is_ok(), "{name}");
        }
        assert!(REAL_NAME_POLICY.contains("first and last name"));
    }

    // --- comment bodies ----------------------------------------------------------------------

    fn html(md: &str) -> String {
        render_comment(md).unwrap().html
    }

    #[test]
    fn comments_keep_the_small_subset() {
        let out = html("Hello *there* and **you**.\nSecond line  \nhard break\n\n> quoted\n\n- one\n- two\n\n1. first\n2. second");
        assert!(out.contains("<p>Hello <em>there</em> and <strong>you</strong>.\nSecond line<br>\nhard break</p>"), "{out}");
        assert!(out.contains("<blockquote>\n<p>quoted</p>\n</blockquote>"), "{out}");
        assert!(out.contains("<ul>\n<li>one</li>\n<li>two</li>\n</ul>"), "{out}");
        assert!(out.contains("<ol>\n<li>first</li>\n<li>second</li>\n</ol>"), "{out}");
        assert_eq!(html("3. third\n4. fourth"), "<ol>\n<li>third</li>\n<li>fourth</li>\n</ol>\n", "no start attribute");
    }

    #[test]
    fn links_are_nofollow_ugc_and_only_safe_schemes_survive() {
        let body = render_comment("See [the site](https://example.org/a?b=1&c=2 \"title\") or <https://x.example> or <me@example.com> or [mail](mailto:a@b.example).").unwrap();
        assert!(body.has_links);
        assert!(body.html.contains("<a href=\"https://example.org/a?b=1&amp;c=2\" rel=\"nofollow ugc\">the site</a>"), "{}", body.html);
        assert!(body.html.contains("<a href=\"https://x.example\" rel=\"nofollow ugc\">https://x.example</a>"), "{}", body.html);
        assert!(body.html.contains("<a href=\"mailto:me@example.com\" rel=\"nofollow ugc\">me@example.com</a>"), "{}", body.html);
        assert!(body.html.contains("<a href=\"mailto:a@b.example\" rel=\"nofollow ugc\">mail</a>"), "{}", body.html);
        assert!(!body.html.contains("title"), "{}", body.html);
        assert_eq!(body.html.matches("rel=\"nofollow ugc\"").count(), 4);

        for md in [
            "[click](javascript:alert(1))",
            "[click](JaVaScRiPt:alert(1))",
            "[click](data:text/html;base64,PHNjcmlwdD4=)",
            "[click](/relative/path)",
            "[click](vbscript:msgbox)",
            "<javascript:alert(1)>",
            "[click]( javascript:alert(1) )",
        ] {
            let body = render_comment(md).unwrap();
            assert!(!body.html.contains("<a"), "{md}: {}", body.html);
            assert!(!body.html.to_lowercase().contains("href"), "{md}: {}", body.html);
            assert!(!body.has_links, "{md}");
        }
        assert_eq!(html("[click](javascript:alert(1))"), "<p>click</p>\n");
        // Addresses the sanitizer cannot parse lose the link, not just the href.
        for md in ["[x](https://exa%20mple) y", "[x](https://[bad) y", "[x](http://) y"] {
            let body = render_comment(md).unwrap();
            assert_eq!(body.html, "<p>x y</p>\n", "{md}");
            assert!(!body.has_links, "{md}");
        }
        assert_eq!(strip_hrefless_links("<p><a rel=\"nofollow ugc\">a</a> <a href=\"https://b.example\" rel=\"nofollow ugc\">b</a></p>"), "<p>a <a href=\"https://b.example\" rel=\"nofollow ugc\">b</a></p>");
    }

    #[test]
    fn everything_else_is_reduced_to_text() {
        assert_eq!(html("# Big *news*"), "<p>Big <em>news</em></p>\n");
        assert_eq!(html("Setext\n======"), "<p>Setext</p>\n");
        assert_eq!(html("![a cat](https://example.org/cat.png)"), "<p>a cat</p>\n");
        assert_eq!(html("Use `<b>` here"), "<p>Use &lt;b&gt; here</p>\n");
        assert_eq!(html("```\nfn main() {\n\n  x < 1\n}\n```"), "<p>fn main() {<br>\n<br>\n  x &lt; 1<br>\n}</p>\n");
        assert_eq!(html("    indented code"), "<p>indented code</p>\n");
        assert_eq!(html("~~struck~~ | a | b |\n|---|---|"), "<p>~~struck~~ | a | b |\n|---|---|</p>\n", "no tables or strikethrough");
        assert_eq!(html("a\n\n---\n\nb"), "<p>a</p>\n<p>b</p>\n");
        assert_eq!(html("[^1]\n\n[^1]: note"), "<p>^1</p>\n", "no footnotes: a reference link to a relative address");
        assert_eq!(html("- [ ] task"), "<ul>\n<li>[ ] task</li>\n</ul>\n", "no task lists");
    }

    #[test]
    fn raw_html_is_shown_not_interpreted() {
        assert_eq!(html("<script>alert(1)</script>"), "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>\n");
        let out = html("Hi <b onclick=\"x()\">there</b> <img src=x onerror=alert(1)>");
        assert_eq!(out, "<p>Hi &lt;b onclick=\"x()\"&gt;there&lt;/b&gt; &lt;img src=x onerror=alert(1)&gt;</p>\n");
        let out = html("<div>\n<iframe src=\"https://evil.example\"></iframe>\n</div>");
        assert!(out.starts_with("<p>&lt;div&gt;<br>\n&lt;iframe"), "{out}");
        assert!(!out.contains("<iframe") && !out.contains("<div"), "{out}");
        let out = html("<!-- hidden --> and <?php echo 1 ?>");
        assert!(out.contains("&lt;!-- hidden --&gt;"), "{out}");
        let out = html("[x](https://example.org\"onmouseover=\"alert(1))");
        assert_eq!(out, "<p><a href=\"https://example.org%22onmouseover=%22alert(1)\" rel=\"nofollow ugc\">x</a></p>\n", "quotes stay inside the address");
        let out = html("![x\" onerror=\"alert(1)](https://example.org/x.png)");
        assert_eq!(out, "<p>x\" onerror=\"alert(1)</p>\n", "alt text is text, not an attribute");
    }

    #[test]
    fn empty_and_oversized_comments_are_refused() {
        assert!(render_comment("").unwrap_err().contains("write a comment"));
        assert!(render_comment("  \n\t\n ").unwrap_err().contains("write a comment"));
        assert!(render_comment("---").unwrap_err().contains("write a comment"));
        assert!(render_comment("![](https://example.org/x.png)").unwrap_err().contains("write a comment"));
        assert!(render_comment("\u{7}\u{0}").unwrap_err().contains("write a comment"));
        assert_eq!(html("x\u{7}y\u{1b}[31mz"), "<p>xy[31mz</p>\n", "control characters are dropped");
        assert!(render_comment(&"é".repeat(MAX_COMMENT_CHARS)).is_ok(), "the limit counts characters, not bytes");
        let err = render_comment(&"x".repeat(MAX_COMMENT_CHARS + 1)).unwrap_err();
        assert!(err.contains("at most 5000") && err.contains("5001"), "{err}");
        assert!(render_comment(&format!("  {}  \n", "x".repeat(MAX_COMMENT_CHARS))).is_ok(), "surrounding whitespace is not counted");
    }

    #[test]
    fn bare_addresses_count_as_links() {
        assert!(render_comment("see https://example.org").unwrap().has_links);
        assert!(render_comment("see HTTP://example.org").unwrap().has_links);
        assert!(render_comment("see www.example.org").unwrap().has_links);
        assert!(render_comment("(www.example.org)").unwrap().has_links);
        assert!(render_comment("`https://example.org`").unwrap().has_links);
        let plain = render_comment("awww. so cute, www. and plain text").unwrap();
        assert!(!plain.has_links);
        assert!(!plain.html.contains("<a"));
        assert!(!render_comment("![pic](https://example.org/x.png) nice").unwrap().has_links, "an image's address is not shown");
    }

    fn quick(md: &str) -> CommentBody {
        let start = Instant::now();
        let body = render_comment(md).unwrap();
        assert!(start.elapsed() < Duration::from_secs(2), "took {:?}", start.elapsed());
        body
    }

    fn depth(html: &str) -> usize {
        let (mut d, mut max) = (0usize, 0usize);
        for (i, _) in html.match_indices('<') {
            let rest = &html[i + 1..];
            if rest.starts_with('/') {
                d = d.saturating_sub(1);
            } else if !rest.starts_with("br") {
                d += 1;
                max = max.max(d);
            }
        }
        max
    }

    #[test]
    fn deep_nesting_is_flattened_quickly() {
        let mut cases = vec![
            ">".repeat(4999) + "x",
            "> ".repeat(2400) + "x",
            "- ".repeat(2400) + "x",
            "1. ".repeat(1600) + "x",
            "*".repeat(2400) + "x" + &"*".repeat(2400),
            "_".repeat(2400) + "x" + &"_".repeat(2400),
            "[".repeat(2400) + "x" + &"](https://e.example)".repeat(100),
            "> - ".repeat(1200) + "x",
            (0..400).map(|i| format!("{}- item\n", "  ".repeat(i))).collect(),
        ];
        cases.push((0..600).map(|i| format!("{} x\n", ">".repeat(i % 50))).collect());
        for md in &cases {
            let md = &md[..md.char_indices().nth(MAX_COMMENT_CHARS).map_or(md.len(), |(i, _)| i)];
            let body = quick(md);
            assert!(depth(&body.html) <= 2 * MAX_BLOCK_NESTING + MAX_INLINE_NESTING + 2, "{} deep: {}", depth(&body.html), &body.html[..200.min(body.html.len())]);
            assert!(body.html.contains('x') || body.html.contains("item"), "the text survives flattening");
        }
        // 10,000 quote markers are over the length limit: refused, quickly.
        let start = Instant::now();
        assert!(render_comment(&">".repeat(10_000)).is_err());
        assert!(start.elapsed() < Duration::from_secs(1));
    }

    #[test]
    fn flattened_list_items_stay_on_their_own_lines() {
        let md: String = (0..10).map(|i| format!("{}- item{i}\n", "  ".repeat(i))).collect::<String>() + &"  ".repeat(9) + "- last\n";
        let out = html(&md);
        assert_eq!(out.matches("<ul>").count(), MAX_BLOCK_NESTING, "{out}");
        assert!(out.contains("item5<br>\nitem6<br>\nitem7<br>\nitem8<br>\nitem9<br>\nlast"), "{out}");
    }

    // --- plain text --------------------------------------------------------------------------

    #[test]
    fn plain_text_for_email() {
        assert_eq!(comment_plain_text("Hello *there* and **you**.\nSame paragraph.\n\nSecond paragraph."), "Hello there and you. Same paragraph.\n\nSecond paragraph.");
        assert_eq!(comment_plain_text("See [the site](https://example.org) and <https://x.example>."), "See the site (https://example.org) and https://x.example.");
        assert_eq!(comment_plain_text("Write <me@example.com> or [me](mailto:me@example.com) or [us](mailto:us@example.com)"), "Write me@example.com or me (mailto:me@example.com) or us (mailto:us@example.com)");
        assert_eq!(comment_plain_text("[click](javascript:alert(1)) ![a cat](cat.png) [](https://e.example)"), "click a cat https://e.example");
        assert_eq!(comment_plain_text("# Heading\n\n<b>raw</b> and `code`\n\n```\nline 1\nline 2\n```"), "Heading\n\n<b>raw</b> and code\n\nline 1\nline 2");
        assert_eq!(comment_plain_text("a  \nb"), "a\nb");
        assert_eq!(comment_plain_text("> quoted\n> more\n\nreply"), "> quoted more\n\nreply");
        assert_eq!(comment_plain_text("Intro:\n\n- one\n- two\n  - nested\n\n3. three\n4. four\n\nEnd"), "Intro:\n\n- one\n- two\n  - nested\n\n3. three\n4. four\n\nEnd");
        assert_eq!(comment_plain_text("- loose one\n\n- loose two"), "- loose one\n\n- loose two");
        assert_eq!(comment_plain_text("  \n "), "");
        assert_eq!(comment_plain_text("x\0y\u{7}z"), "xyz", "control characters are dropped");
        let deep = comment_plain_text(&(">".repeat(3000) + "x  \ny  \nz"));
        assert!(deep.len() < 200, "quote prefixes are capped: {}", deep.len());
    }

    // --- word lists --------------------------------------------------------------------------

    #[test]
    fn word_lists_match_whole_words_and_phrases() {
        let list = WordList::parse("ass, Bad Word\n  spoiler alert  \n\n , ,\nCafé\n!!!\n坏蛋");
        assert!(!list.is_empty());
        assert!(WordList::parse("").is_empty());
        assert!(WordList::parse(" \n , \n").is_empty());
        assert!(WordList::parse("***").is_empty(), "an entry without letters can never match");
        assert_eq!(list.find("what an ass"), Some("ass".into()));
        assert_eq!(list.find("ASS!"), Some("ass".into()));
        assert_eq!(list.find("the ass's tail"), Some("ass".into()), "possessive");
        assert_eq!(list.find("a class act, a passage, assess, bass"), None);
        assert_eq!(list.find("That's a Bad, word!"), Some("Bad Word".into()));
        assert_eq!(list.find("bad-word"), Some("Bad Word".into()));
        assert_eq!(list.find("bad\nword"), Some("Bad Word".into()));
        assert_eq!(list.find("bad words"), None);
        assert_eq!(list.find("badword"), None);
        assert_eq!(list.find("SPOILER ALERT: he dies"), Some("spoiler alert".into()));
        assert_eq!(list.find("café"), Some("Café".into()));
        assert_eq!(list.find("CAFÉ au lait"), Some("Café".into()));
        assert_eq!(list.find("cafe"), None, "no accent folding");
        assert_eq!(list.find("他是个坏蛋吧"), Some("坏蛋".into()), "CJK matches without spaces");
        assert_eq!(list.find("**ass**"), Some("ass".into()), "Markdown markup is punctuation");
        assert_eq!(list.find(""), None);
        // The earliest occurrence in the text wins.
        assert_eq!(list.find("spoiler alert: bad word"), Some("spoiler alert".into()));
        let apostrophes = WordList::parse("don't");
        assert_eq!(apostrophes.find("I don’t know"), Some("don't".into()));
        assert_eq!(apostrophes.find("don"), None);
    }

    // --- moderation --------------------------------------------------------------------------

    #[test]
    fn moderation_modes_parse_and_print() {
        assert_eq!(ModerationMode::parse("pre", 0), Some(ModerationMode::Pre));
        assert_eq!(ModerationMode::parse(" Post ", 7), Some(ModerationMode::Post));
        assert_eq!(ModerationMode::parse("first_n", 3), Some(ModerationMode::FirstN(3)));
        assert_eq!(ModerationMode::parse("first_n", -1), None);
        assert_eq!(ModerationMode::parse("sometimes", 3), None);
        for m in [ModerationMode::Pre, ModerationMode::Post, ModerationMode::FirstN(5)] {
            assert_eq!(ModerationMode::parse(m.as_str(), 5), Some(m));
        }
    }

    #[test]
    fn screening_follows_the_order_of_the_rules() {
        let banned = WordList::parse("slur");
        let suspect = WordList::parse("idiot");
        let none = WordList::default();
        let post = ModerationMode::Post;
        match screen("You slur, idiot, https://x.example", true, &banned, &suspect, post, 99) {
            Verdict::Reject(msg) => assert!(msg.contains("“slur”"), "{msg}"),
            v => panic!("{v:?}"),
        }
        assert_eq!(screen("You idiot", true, &banned, &suspect, post, 99), Verdict::Hold("suspect word: idiot".into()));
        assert_eq!(screen("Look", true, &banned, &suspect, post, 99), Verdict::Hold("contains a link".into()));
        assert_eq!(screen("Nice", false, &banned, &suspect, post, 0), Verdict::Publish);
        assert_eq!(screen("Nice", false, &none, &none, ModerationMode::Pre, 99), Verdict::Hold("pre-moderation".into()));
        let first3 = ModerationMode::FirstN(3);
        assert_eq!(screen("Nice", false, &none, &none, first3, 0), Verdict::Hold("first 3 comments are reviewed".into()));
        assert_eq!(screen("Nice", false, &none, &none, first3, 2), Verdict::Hold("first 3 comments are reviewed".into()));
        assert_eq!(screen("Nice", false, &none, &none, first3, 3), Verdict::Publish);
        assert_eq!(screen("Nice", false, &none, &none, ModerationMode::FirstN(1), 0), Verdict::Hold("first comment is reviewed".into()));
        assert_eq!(screen("Nice", false, &none, &none, ModerationMode::FirstN(0), 0), Verdict::Publish);
        assert_eq!(screen("Nice", true, &none, &none, first3, 10), Verdict::Hold("contains a link".into()), "links are held even for trusted readers");
        assert_eq!(screen("a classic", false, &WordList::parse("ass"), &none, post, 0), Verdict::Publish);
    }

    // --- tokens ------------------------------------------------------------------------------

    const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef";

    #[test]
    fn tokens_round_trip_and_are_url_safe() {
        let fields = ["reader@example.com", "42", "a.b/c?d=e&f=g,h|i \"quoted\" é ✓", ""];
        let token = sign_token(SECRET, "unsubscribe", &fields, 1_000);
        assert!(token.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')), "{token}");
        assert_eq!(verify_token(SECRET, "unsubscribe", &token, 999).unwrap(), fields);
        assert_eq!(verify_token(SECRET, "unsubscribe", &format!(" {token}\n"), 999).unwrap(), fields);
        assert_eq!(verify_token(SECRET, "x", &sign_token(SECRET, "x", &[], 10), 0).unwrap(), Vec::<String>::new());
    }

    #[test]
    fn expiry_is_enforced() {
        let token = sign_token(SECRET, "unsubscribe", &["a@example.com"], 1_000);
        assert!(verify_token(SECRET, "unsubscribe", &token, 999).is_ok());
        assert_eq!(verify_token(SECRET, "unsubscribe", &token, 1_000), Err(TokenError::Expired));
        assert_eq!(verify_token(SECRET, "unsubscribe", &token, 5_000), Err(TokenError::Expired));
    }

    #[test]
    fn tampered_or_foreign_tokens_are_refused() {
        let token = sign_token(SECRET, "unsubscribe", &["a@example.com", "7"], 1_000);
        assert_eq!(verify_token(SECRET, "confirm", &token, 0), Err(TokenError::BadSignature));
        assert_eq!(verify_token(b"another secret, also 32 bytes!!!", "unsubscribe", &token, 0), Err(TokenError::BadSignature));
        assert_eq!(verify_token(SECRET, "unsubscribe", &sign_token(SECRET, "unsubscribe", &["a@example.com", "8"], 1_000), 0).unwrap()[1], "8");
        for cut in [1, 5, 20, token.len() / 2, token.len() - 1] {
            assert!(verify_token(SECRET, "unsubscribe", &token[..cut], 0).is_err(), "truncated to {cut}");
        }
        assert_eq!(verify_token(SECRET, "unsubscribe", "", 0), Err(TokenError::Malformed));
        assert_eq!(verify_token(SECRET, "unsubscribe", "not a token", 0), Err(TokenError::Malformed));
        assert_eq!(verify_token(SECRET, "unsubscribe", &format!("{token}.x"), 0), Err(TokenError::Malformed));
        assert_eq!(verify_token(SECRET, "unsubscribe", &format!("{token}="), 0), Err(TokenError::Malformed));

        // Every single-character change is refused.
        let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        for i in 0..token.len() {
            let mut bytes = token.clone().into_bytes();
            if bytes[i] == b'.' {
                continue;
            }
            bytes[i] = alphabet[(alphabet.iter().position(|b| *b == bytes[i]).unwrap() + 1) % alphabet.len()];
            let edited = String::from_utf8(bytes).unwrap();
            assert!(verify_token(SECRET, "unsubscribe", &edited, 0).is_err(), "edit at {i} accepted");
        }
    }

    #[test]
    fn a_token_for_one_address_cannot_be_edited_to_name_another() {
        let token = sign_token(SECRET, "unsubscribe", &["alice@example.com"], 1_000);
        let (payload, tag) = token.split_once('.').unwrap();
        let json = String::from_utf8(URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap();
        assert_eq!(json, r#"[1000,["alice@example.com"]]"#);
        // Same signature, another address.
        let forged_payload = URL_SAFE_NO_PAD.encode(json.replace("alice", "bob"));
        assert_eq!(verify_token(SECRET, "unsubscribe", &format!("{forged_payload}.{tag}"), 0), Err(TokenError::BadSignature));
        // Same address, later expiry.
        let extended = URL_SAFE_NO_PAD.encode(json.replace("1000", "9999999"));
        assert_eq!(verify_token(SECRET, "unsubscribe", &format!("{extended}.{tag}"), 5_000), Err(TokenError::BadSignature));
        // Another reader's genuine signature does not transfer.
        let bob = sign_token(SECRET, "unsubscribe", &["bob@example.com"], 1_000);
        let (_, bob_tag) = bob.split_once('.').unwrap();
        assert_eq!(verify_token(SECRET, "unsubscribe", &format!("{payload}.{bob_tag}"), 0), Err(TokenError::BadSignature));
        // Fields cannot be re-split: ["a,b"] and ["a", "b"] sign differently.
        let one = sign_token(SECRET, "p", &["a,b"], 10);
        let two = sign_token(SECRET, "p", &["a", "b"], 10);
        assert_ne!(one.split_once('.').unwrap().1, two.split_once('.').unwrap().1);
    }
}

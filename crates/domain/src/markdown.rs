//! Markdown to safe HTML. Every body that reaches a page passes through [`render`]: the
//! CommonMark output is cleaned by an allow-list, so raw HTML a writer pastes that is not on it
//! (scripts, event handlers, iframes, styles) is removed rather than executed.

use pulldown_cmark::{html, Options, Parser};
use std::sync::OnceLock;

pub(crate) fn cleaner() -> &'static ammonia::Builder<'static> {
    static CLEANER: OnceLock<ammonia::Builder<'static>> = OnceLock::new();
    CLEANER.get_or_init(base_cleaner)
}

fn base_cleaner() -> ammonia::Builder<'static> {
    let mut b = ammonia::Builder::default();
    b.add_tags(["figure", "figcaption"])
        .link_rel(Some("noopener"))
        .url_schemes(["http", "https", "mailto"].into_iter().collect());
    b
}

/// The cleaner for bodies that show library images: the same allow-list, plus the
/// placeholder element that stands for the n-th image until it is replaced after cleaning.
pub(crate) fn media_cleaner() -> &'static ammonia::Builder<'static> {
    static CLEANER: OnceLock<ammonia::Builder<'static>> = OnceLock::new();
    CLEANER.get_or_init(|| {
        let mut b = base_cleaner();
        b.add_tags(["mq-media"]).add_tag_attributes("mq-media", ["data-n"]);
        b
    })
}

/// The content keys of the library images a body shows (`![alt](media:KEY)`), in order, once
/// each.
pub fn media_refs(markdown: &str) -> Vec<String> {
    use pulldown_cmark::{Event, Tag};
    let mut keys: Vec<String> = Vec::new();
    for ev in Parser::new_ext(markdown, options()) {
        if let Event::Start(Tag::Image { dest_url, .. }) = ev {
            if let Some(k) = dest_url.strip_prefix("media:") {
                if !keys.iter().any(|x| x == k) {
                    keys.push(k.to_string());
                }
            }
        }
    }
    keys
}

/// A library image in a body: its key and the alt text the writer gave it there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BodyImage {
    pub key: String,
    pub alt: String,
}

/// The library images a body shows, each with the alt text written beside it.
pub fn body_images(markdown: &str) -> Vec<BodyImage> {
    let (_, images) = to_html_media(markdown);
    images
}

/// Renders a body like [`render_checked`], with each `![alt](media:KEY)` shown as the
/// library's picture: a `<figure>` with caption and credit when it stands alone in its
/// paragraph, a bare `<picture>` inside text. `media` finds an image by key; an image it does
/// not know is left out.
pub fn render_checked_with_media(markdown: &str, max_bytes: usize, media: &dyn Fn(&str) -> Option<crate::media::MediaImage>) -> Result<String, String> {
    if !markdown.contains("media:") {
        return render_checked(markdown, max_bytes);
    }
    check_size_and_depth(markdown, max_bytes)?;
    let (raw, images) = to_html_media(markdown);
    check_element_depth(&raw)?;
    let cleaned = media_cleaner().clean(&raw).to_string();
    let sizes = crate::media::COLUMN_SIZES;
    let mut out = String::with_capacity(cleaned.len() + images.len() * 600);
    let mut rest = cleaned.as_str();
    const OPEN: &str = "<mq-media data-n=\"";
    const CLOSE: &str = "\"></mq-media>";
    while let Some(i) = rest.find(OPEN) {
        let after = &rest[i + OPEN.len()..];
        let Some(end) = after.find(CLOSE) else { break };
        let n: Option<usize> = after[..end].parse().ok();
        let alone = rest[..i].ends_with("<p>") && after[end + CLOSE.len()..].starts_with("</p>");
        let (head, tail) = if alone { (&rest[..i - 3], &after[end + CLOSE.len() + 4..]) } else { (&rest[..i], &after[end + CLOSE.len()..]) };
        out.push_str(head);
        if let Some(img) = n.and_then(|n| images.get(n)) {
            if let Some(m) = media(&img.key) {
                out.push_str(&if alone { m.figure(&img.alt, sizes, true) } else { m.picture(&img.alt, sizes, true) });
            }
        }
        rest = tail;
    }
    out.push_str(rest);
    Ok(out)
}

fn options() -> Options {
    let mut opts = Options::empty();
    opts.insert(Options::ENABLE_TABLES);
    opts.insert(Options::ENABLE_STRIKETHROUGH);
    opts.insert(Options::ENABLE_SMART_PUNCTUATION);
    opts
}

/// The body's HTML with each library image replaced by a numbered placeholder, and the images.
fn to_html_media(markdown: &str) -> (String, Vec<BodyImage>) {
    use pulldown_cmark::{CowStr, Event, Tag, TagEnd};
    let mut images: Vec<BodyImage> = Vec::new();
    let mut open: Option<BodyImage> = None;
    let mut depth = 0usize;
    let mut events: Vec<Event> = Vec::new();
    for ev in Parser::new_ext(markdown, options()) {
        if let Some(img) = open.as_mut() {
            match ev {
                Event::Start(Tag::Image { .. }) => depth += 1,
                Event::End(TagEnd::Image) if depth > 0 => depth -= 1,
                Event::End(TagEnd::Image) => {
                    let n = images.len();
                    images.push(open.take().expect("open image"));
                    events.push(Event::InlineHtml(CowStr::from(format!("<mq-media data-n=\"{n}\"></mq-media>"))));
                }
                Event::Text(t) | Event::Code(t) => img.alt.push_str(&t),
                Event::SoftBreak | Event::HardBreak => img.alt.push(' '),
                _ => {}
            }
            continue;
        }
        match ev {
            Event::Start(Tag::Image { ref dest_url, .. }) if dest_url.starts_with("media:") => {
                open = Some(BodyImage { key: dest_url["media:".len()..].to_string(), alt: String::new() });
            }
            other => events.push(other),
        }
    }
    let mut raw = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut raw, events.into_iter());
    (raw, images)
}

/// Deepest nesting a body may have, in block quotes or HTML elements.
pub const MAX_DEPTH: usize = 64;

/// Renders what a writer typed: refuses a body over `max_bytes` or nested deeper than
/// [`MAX_DEPTH`] (which would make sanitizing slow) with a message for the form.
pub fn render_checked(markdown: &str, max_bytes: usize) -> Result<String, String> {
    check_size_and_depth(markdown, max_bytes)?;
    let raw = to_html(markdown);
    check_element_depth(&raw)?;
    Ok(cleaner().clean(&raw).to_string())
}

/// Refuses a body over `max_bytes` or with block quotes nested deeper than [`MAX_DEPTH`].
fn check_size_and_depth(markdown: &str, max_bytes: usize) -> Result<(), String> {
    if markdown.len() > max_bytes {
        return Err(format!("The body can be at most {} KB.", max_bytes / 1000));
    }
    let quote_depth = markdown.lines().map(|l| l.bytes().take_while(|b| *b == b'>' || *b == b' ' || *b == b'\t').filter(|b| *b == b'>').count()).max().unwrap_or(0);
    if quote_depth > MAX_DEPTH {
        return Err(too_deep());
    }
    Ok(())
}

/// Refuses HTML nested deeper than [`MAX_DEPTH`] (which would make sanitizing slow).
fn check_element_depth(raw: &str) -> Result<(), String> {
    // A tag opens only at `<` and an ASCII letter, and a parser adds at most two elements of
    // its own for each one written (a `<tbody>` and a `<tr>` for a `<td>` in a table), besides
    // `<html>`, `<head>` and `<body>`: a body with fewer openings than a third of the limit
    // cannot reach it, and most bodies are that short: they skip the tokenizer.
    let openings = raw.as_bytes().windows(2).filter(|w| w[0] == b'<' && w[1].is_ascii_alphabetic()).count();
    if 3 * openings + 3 > MAX_DEPTH && element_depth(raw) > MAX_DEPTH {
        return Err(too_deep());
    }
    Ok(())
}

fn too_deep() -> String {
    format!("The body nests quotes, lists or HTML elements more than {MAX_DEPTH} levels deep.")
}

/// How deeply elements nest in `html`, as a browser would build them or deeper, never less:
/// an estimate made without building the tree, which is what gets slow.
///
/// The HTML is split into tags by html5ever's tokenizer, which reads quotes, comments and
/// the text inside `<textarea>`, `<script>` and the like as a browser does. Open tags of
/// elements that are not void count (a `/>` does not make a `<div/>` empty, as it does not in
/// a browser). An end tag closes the innermost open element of its name only when everything
/// open inside that element may be left unclosed (`</ul>` closes an `<li>` left open); an end
/// tag that closes nothing, or that would have to undo misnesting (`</b>` in `<b><div>`), is
/// ignored, so that no stray `</x>` can hide the elements left open. Past [`MAX_DEPTH`] it
/// stops counting, so any input is measured in linear time.
fn element_depth(html: &str) -> usize {
    use html5ever::tendril::StrTendril;
    use html5ever::tokenizer::{BufferQueue, Tokenizer, TokenizerOpts};
    use html5ever::TokenizerResult;
    let sink = DepthSink::default();
    let tokenizer = Tokenizer::new(sink, TokenizerOpts::default());
    let input = BufferQueue::default();
    input.push_back(StrTendril::from(html));
    while let TokenizerResult::Script(()) = tokenizer.feed(&input) {}
    tokenizer.end();
    tokenizer.sink.max.get()
}

/// Counts open elements as the tokenizer reads tags; see [`element_depth`].
#[derive(Default)]
struct DepthSink {
    open: std::cell::RefCell<Vec<String>>,
    max: std::cell::Cell<usize>,
}

impl html5ever::tokenizer::TokenSink for DepthSink {
    type Handle = ();

    fn process_token(&self, token: html5ever::tokenizer::Token, _line: u64) -> html5ever::tokenizer::TokenSinkResult<()> {
        use html5ever::tokenizer::states::RawKind;
        use html5ever::tokenizer::{TagKind, Token, TokenSinkResult};
        const VOID: &[&str] = &["area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr", "param", "keygen", "frame"];
        // Elements whose end tag may be left out (the parser closes them when something else ends).
        const OPTIONAL_END: &[&str] = &["p", "li", "dt", "dd", "option", "optgroup", "tr", "td", "th", "thead", "tbody", "tfoot", "colgroup", "caption", "rb", "rt", "rtc", "rp"];
        let Token::TagToken(tag) = token else { return TokenSinkResult::Continue };
        // Past the limit the answer is known; counting on would only cost time.
        if self.max.get() > MAX_DEPTH {
            return TokenSinkResult::Continue;
        }
        let name: &str = &tag.name;
        let mut open = self.open.borrow_mut();
        // Formatting elements: the end tag of one that is not the innermost open element makes
        // the parser move elements about (the adoption agency) rather than close anything, so
        // `<b><li></b>` leaves the list item open, and deeper.
        const FORMATTING: &[&str] = &["a", "b", "big", "code", "em", "font", "i", "nobr", "s", "small", "strike", "strong", "tt", "u"];
        if tag.kind == TagKind::EndTag {
            if FORMATTING.contains(&name) {
                if open.last().is_some_and(|n| n == name) {
                    open.pop();
                }
            } else if let Some(pos) = open.iter().rposition(|n| n == name) {
                if open[pos + 1..].iter().all(|n| OPTIONAL_END.contains(&n.as_str())) {
                    open.truncate(pos);
                }
            }
            return TokenSinkResult::Continue;
        }
        if !VOID.contains(&name) {
            open.push(name.to_string());
            self.max.set(self.max.get().max(open.len()));
        }
        // Text-only elements are text up to their end tag, as the tree builder tells the
        // tokenizer; inside SVG, MathML or a select it may not, so there tags are still read
        // (which can only count more).
        if open.iter().any(|n| matches!(n.as_str(), "svg" | "math" | "select")) {
            return TokenSinkResult::Continue;
        }
        match name {
            "textarea" | "title" => TokenSinkResult::RawData(RawKind::Rcdata),
            "style" | "xmp" | "iframe" | "noembed" | "noframes" | "noscript" => TokenSinkResult::RawData(RawKind::Rawtext),
            "script" => TokenSinkResult::RawData(RawKind::ScriptData),
            "plaintext" => TokenSinkResult::Plaintext,
            _ => TokenSinkResult::Continue,
        }
    }
}

fn to_html(markdown: &str) -> String {
    let parser = Parser::new_ext(markdown, options());
    let mut raw = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut raw, parser);
    raw
}

/// Renders Markdown that was already checked (stored bodies) to sanitized HTML.
pub fn render(markdown: &str) -> String {
    cleaner().clean(&to_html(markdown)).to_string()
}

/// The first paragraph's plain text, for descriptions and summaries.
pub fn plain_excerpt(markdown: &str, max_chars: usize) -> String {
    use pulldown_cmark::{Event, Tag, TagEnd};
    let mut text = String::new();
    let mut in_para = false;
    for ev in Parser::new(markdown) {
        match ev {
            Event::Start(Tag::Paragraph) => in_para = true,
            Event::End(TagEnd::Paragraph) if !text.trim().is_empty() => break,
            Event::End(TagEnd::Paragraph) => in_para = false,
            Event::Text(t) | Event::Code(t) if in_para => text.push_str(&t),
            Event::SoftBreak | Event::HardBreak if in_para => text.push(' '),
            _ => {}
        }
    }
    let text = text.trim();
    if text.chars().count() <= max_chars {
        return text.to_string();
    }
    let cut: String = text.chars().take(max_chars).collect();
    let cut = cut.rsplit_once(' ').map(|(a, _)| a).unwrap_or(&cut);
    format!("{}…", cut.trim_end_matches([',', ';', ':', '.']))
}

/// The whole text of a Markdown body without markup, for places that take no HTML (calendar
/// files, structured data): blocks separated by a blank line, list items on lines starting
/// "- ", a web or mail link's address after its text when they differ. Raw HTML and other
/// links' addresses (`javascript:` and such) are dropped.
pub fn plain_text(markdown: &str) -> String {
    use pulldown_cmark::{Event, Tag, TagEnd};
    let mut out = String::new();
    let mut links: Vec<String> = Vec::new();
    let mut link_text = String::new();
    let block_break = |out: &mut String| {
        let trimmed = out.trim_end_matches([' ', '\n']).len();
        out.truncate(trimmed);
        if !out.is_empty() {
            out.push_str("\n\n");
        }
    };
    for ev in Parser::new(markdown) {
        match ev {
            // A loose list item's paragraph stays on the item's line.
            Event::Start(Tag::Paragraph | Tag::Heading { .. } | Tag::BlockQuote(_) | Tag::CodeBlock(_) | Tag::List(_)) if !out.ends_with("- ") => block_break(&mut out),
            Event::Start(Tag::Item) => {
                // The list's first item follows the block break; later ones go on the next line.
                if !out.is_empty() && !out.ends_with("\n\n") {
                    let trimmed = out.trim_end_matches([' ', '\n']).len();
                    out.truncate(trimmed);
                    out.push('\n');
                }
                out.push_str("- ");
            }
            Event::Start(Tag::Link { dest_url, .. }) => {
                links.push(dest_url.to_string());
                link_text.clear();
            }
            Event::End(TagEnd::Link) => {
                if let Some(url) = links.pop() {
                    let shown = ["https://", "http://", "mailto:"].iter().any(|scheme| url.starts_with(scheme));
                    if shown && url != link_text {
                        out.push_str(&format!(" ({url})"));
                    }
                }
            }
            Event::Text(t) | Event::Code(t) => {
                out.push_str(&t);
                if !links.is_empty() {
                    link_text.push_str(&t);
                }
            }
            Event::SoftBreak => out.push(' '),
            Event::HardBreak => out.push('\n'),
            _ => {}
        }
    }
    out.trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn library_images_become_pictures_and_nothing_else_does() {
        let body = "Before.\n\n![The *marquee* lit](media:0123456789abcdef01234567)\n\nText with ![](media:0123456789abcdef01234567) inline.\n\n<mq-media data-n=\"7\"></mq-media><img src=x onerror=alert(1)>\n\n![gone](media:ffffffffffffffffffffffff)";
        assert_eq!(media_refs(body), vec!["0123456789abcdef01234567".to_string(), "ffffffffffffffffffffffff".to_string()]);
        assert_eq!(body_images(body)[0].alt, "The marquee lit");
        let known = |k: &str| (k == "0123456789abcdef01234567").then(crate::media::tests::sample);
        let html = render_checked_with_media(body, 100_000, &known).unwrap();
        assert!(html.contains("<p>Before.</p>\n<figure class=\"media\"><picture>"), "{html}");
        assert!(html.contains("alt=\"The marquee lit\""), "{html}");
        assert!(html.contains("<p>Text with <picture>"), "{html}");
        assert!(html.contains("alt=\"A marquee at dusk\""), "the library's alt fills an empty one: {html}");
        assert_eq!(html.matches("<picture>").count(), 2, "{html}");
        assert!(!html.contains("mq-media") && !html.contains("onerror") && !html.contains("gone"), "{html}");
    }

    #[test]
    fn markdown_renders_and_scripts_do_not_survive() {
        let html = render("# Hi\n\nSome *em* and [a link](https://example.org).\n\n<script>alert('x')</script>\n\n<img src=x onerror=alert(1)>\n\n[bad](javascript:alert(1))");
        assert!(html.contains("<h1>Hi</h1>"));
        assert!(html.contains("<em>em</em>"));
        assert!(html.contains("href=\"https://example.org\""));
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("onerror"), "{html}");
        assert!(!html.contains("javascript:"), "{html}");
    }

    #[test]
    fn deep_nesting_and_oversized_bodies_are_refused() {
        assert!(render_checked(&"> ".repeat(1000), 200_000).unwrap_err().contains("levels deep"));
        assert!(render_checked(&"<div>".repeat(1000), 200_000).unwrap_err().contains("levels deep"));
        assert!(render_checked(&"x".repeat(300_000), 200_000).unwrap_err().contains("at most 200 KB"));
        let ok = render_checked(&"line<br>\n\n".repeat(500), 200_000).unwrap();
        assert!(ok.contains("<br>"), "void elements do not count as nesting");
        assert!(render_checked("> quoted\n>> twice", 1000).is_ok());
    }

    #[test]
    fn plain_text_keeps_every_block_and_drops_markup() {
        let md = "# Tonight\n\nDoors at *8*, [tickets](https://t.example/1).\n\n- one\n- two\n\n<script>alert(1)</script>\n\nBye.";
        assert_eq!(plain_text(md), "Tonight\n\nDoors at 8, tickets (https://t.example/1).\n\n- one\n- two\n\nBye.");
        assert_eq!(plain_text("<https://a.example>"), "https://a.example");
        assert_eq!(plain_text("[x](javascript:alert(1)) and [page](/events/)"), "x and page");
    }

    #[test]
    fn excerpt_takes_first_paragraph() {
        assert_eq!(plain_excerpt("## Head\n\nFirst *para* here.\n\nSecond.", 100), "First para here.");
        assert_eq!(plain_excerpt("one two three four", 9), "one two…");
    }
}

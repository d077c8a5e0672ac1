//! Markdown to safe HTML. Every body that reaches a page passes through [`render`]: the
//! CommonMark output is cleaned by an allow-list, so raw HTML a writer pastes that is not on it
//! (scripts, event handlers, iframes, styles) is removed rather than executed.

use pulldown_cmark::{html, Options, Parser};
use std::sync::OnceLock;

fn cleaner() -> &'static ammonia::Builder<'static> {
    static CLEANER: OnceLock<ammonia::Builder<'static>> = OnceLock::new();
    CLEANER.get_or_init(|| {
        let mut b = ammonia::Builder::default();
        b.add_tags(["figure", "figcaption"])
            .link_rel(Some("noopener"))
            .url_schemes(["http", "https", "mailto"].into_iter().collect());
        b
    })
}

/// Renders Markdown to sanitized HTML.
pub fn render(markdown: &str) -> String {
    let mut opts = Options::empty();
    opts.insert(Options::ENABLE_TABLES);
    opts.insert(Options::ENABLE_STRIKETHROUGH);
    opts.insert(Options::ENABLE_SMART_PUNCTUATION);
    let parser = Parser::new_ext(markdown, opts);
    let mut raw = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut raw, parser);
    cleaner().clean(&raw).to_string()
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

#[cfg(test)]
mod tests {
    use super::*;

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
    fn excerpt_takes_first_paragraph() {
        assert_eq!(plain_excerpt("## Head\n\nFirst *para* here.\n\nSecond.", 100), "First para here.");
        assert_eq!(plain_excerpt("one two three four", 9), "one two…");
    }
}

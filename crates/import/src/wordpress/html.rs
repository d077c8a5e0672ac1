//! WordPress post HTML (block editor or classic) to Marquee's Markdown.
//!
//! What Markdown says as well as HTML does (paragraphs, headings, emphasis, links, lists,
//! quotes, code, rules, images) becomes Markdown. Inline elements Markdown has no syntax for
//! (`<sup>`, `<abbr>`, ...) stay as inline HTML, and a block it cannot say (a table, a block
//! with other elements inside) stays as an HTML block; both pass through the same sanitizer as
//! every body when the article is rendered. Embeds become links to what they embedded. Only
//! scripts, styles and form controls are dropped, and each drop is reported.

use std::fmt::Write;

#[derive(Debug, Clone, PartialEq)]
enum H {
    Text(String),
    El { name: String, attrs: Vec<(String, String)>, children: Vec<H> },
}

/// An image the converter met, so the importer can bring it into the media library.
pub struct FoundImage {
    pub key: String,
    pub alt: String,
}

pub struct Converted {
    pub markdown: String,
    /// Things that could not be carried over exactly.
    pub notes: Vec<String>,
}

const VOID: &[&str] = &["br", "img", "hr", "input", "source", "meta", "link", "wbr", "col", "embed", "area", "param", "track", "base"];
const BLOCK: &[&str] = &[
    "p", "div", "ul", "ol", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "hr", "table", "figure", "figcaption", "section", "article",
    "aside", "header", "footer", "dl", "dt", "dd", "iframe", "video", "audio", "object", "script", "style", "form", "address", "details", "nav",
];
const DROPPED: &[&str] = &["script", "style", "form", "input", "button", "select", "textarea", "noscript", "template", "link", "meta", "base"];

/// Converts `html` to Markdown. `image` answers the media key and alt text for an image's
/// address when the importer has it in the library.
pub fn to_markdown(html: &str, image: &mut dyn FnMut(&str) -> Option<FoundImage>) -> Converted {
    let classic = !html.contains("<!-- wp:");
    let html = expand_caption_shortcodes(html);
    let nodes = parse(&html);
    let mut c = Ctx { image, notes: Vec::new(), classic };
    let mut blocks = Vec::new();
    c.blocks(&nodes, &mut blocks);
    for code in ["gallery", "embed", "video", "audio", "playlist"] {
        if html.contains(&format!("[{code}")) {
            c.notes.push(format!("the shortcode [{code}] is kept as text"));
        }
    }
    Converted { markdown: blocks.join("\n\n"), notes: c.notes }
}

/// WordPress's media shortcodes as the HTML they stand for: `[gallery]` as the images
/// `gallery` answers for its `ids` (or for none given: the post's own attachments), `[embed]`,
/// `[video]` and `[audio]` as links to what they play. A shortcode whose images or address are
/// unknown stays as it was written (and [`to_markdown`] reports it).
pub fn expand_media_shortcodes(html: &str, gallery: &mut dyn FnMut(Option<&str>) -> Option<String>) -> String {
    if !html.contains('[') {
        return html.to_string();
    }
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(start) = rest.find('[') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        let name_len = after.bytes().take_while(|b| b.is_ascii_alphabetic()).count();
        let name = &after[..name_len];
        let Some(close) = after.find(']').filter(|_| matches!(name, "gallery" | "embed" | "video" | "audio")) else {
            out.push('[');
            rest = after;
            continue;
        };
        let attrs = &after[name_len..close];
        let mut tail = &after[close + 1..];
        // [embed]address[/embed] and [video ...][/video] have a closing tag.
        let mut inner = "";
        let end_tag = format!("[/{name}]");
        if let Some(e) = tail.find(&end_tag).filter(|&e| !tail[..e].contains('[')) {
            inner = tail[..e].trim();
            tail = &tail[e + end_tag.len()..];
        }
        let replaced = match name {
            "gallery" => gallery(shortcode_attr(attrs, "ids")),
            _ => {
                let src = [shortcode_attr(attrs, "src"), shortcode_attr(attrs, "mp4"), shortcode_attr(attrs, "mp3"), Some(inner)]
                    .into_iter()
                    .flatten()
                    .map(|s| decode_entities(s.trim()))
                    .find(|s| s.starts_with("https://") || s.starts_with("http://"));
                src.map(|src| {
                    let label = match name {
                        "video" => "Video",
                        "audio" => "Audio",
                        _ => "Embedded",
                    };
                    let src = src.replace('"', "%22").replace('<', "%3C");
                    format!("<p><a href=\"{src}\">{label}: {src}</a></p>")
                })
            }
        };
        match replaced {
            Some(html) => out.push_str(&html),
            None => out.push_str(&rest[start..rest.len() - tail.len()]),
        }
        rest = tail;
    }
    out.push_str(rest);
    out
}

/// `ids="1,2"` (or `ids='1,2'`, or `ids=1`) from a shortcode's attributes.
fn shortcode_attr<'a>(attrs: &'a str, key: &str) -> Option<&'a str> {
    let mut rest = attrs;
    while let Some(i) = rest.find(key) {
        let before_ok = i == 0 || rest.as_bytes()[i - 1].is_ascii_whitespace();
        let after = rest[i + key.len()..].trim_start();
        if before_ok {
            if let Some(v) = after.strip_prefix('=') {
                let v = v.trim_start();
                return Some(match v.chars().next() {
                    Some(q @ ('"' | '\'' | '“' | '”' | '″')) => {
                        let v = &v[q.len_utf8()..];
                        &v[..v.find(['"', '\'', '“', '”', '″']).unwrap_or(v.len())]
                    }
                    _ => &v[..v.find(char::is_whitespace).unwrap_or(v.len())],
                });
            }
        }
        rest = &rest[i + key.len()..];
    }
    None
}

/// `[caption ...]<img ...> The caption[/caption]`, the classic editor's captioned image, as
/// the figure the block editor would have written.
fn expand_caption_shortcodes(html: &str) -> String {
    if !html.contains("[caption") {
        return html.to_string();
    }
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(start) = rest.find("[caption") {
        let Some(open_end) = rest[start..].find(']').map(|e| start + e + 1) else { break };
        let Some(close) = rest[open_end..].find("[/caption]").map(|e| open_end + e) else { break };
        out.push_str(&rest[..start]);
        let inner = &rest[open_end..close];
        let (media, caption) = match inner.rfind('>') {
            Some(i) => (&inner[..=i], inner[i + 1..].trim()),
            None => ("", inner.trim()),
        };
        let _ = write!(out, "<figure>{media}<figcaption>{caption}</figcaption></figure>");
        rest = &rest[close + "[/caption]".len()..];
    }
    out.push_str(rest);
    out
}

fn parse(html: &str) -> Vec<H> {
    // A stack of open elements; the root collects the top level.
    let mut stack: Vec<(String, Vec<(String, String)>, Vec<H>)> = vec![(String::new(), Vec::new(), Vec::new())];
    let mut rest = html;
    while !rest.is_empty() {
        let Some(lt) = rest.find('<') else {
            push_text(&mut stack, rest);
            break;
        };
        if lt > 0 {
            push_text(&mut stack, &rest[..lt]);
        }
        rest = &rest[lt..];
        if let Some(after) = rest.strip_prefix("<!--") {
            rest = after.find("-->").map(|e| &after[e + 3..]).unwrap_or("");
            continue;
        }
        let Some(tag) = parse_tag(rest) else {
            push_text(&mut stack, "&lt;");
            rest = &rest[1..];
            continue;
        };
        rest = &rest[tag.len..];
        if tag.closing {
            if let Some(pos) = stack.iter().rposition(|(n, _, _)| *n == tag.name) {
                if pos > 0 {
                    while stack.len() > pos {
                        close_top(&mut stack);
                    }
                }
            }
            continue;
        }
        let name = tag.name;
        // A new block, or a new paragraph or list item, ends an open paragraph.
        if BLOCK.contains(&name.as_str()) {
            if let Some(pos) = stack.iter().rposition(|(n, _, _)| n == "p") {
                if !stack[pos + 1..].iter().any(|(n, _, _)| matches!(n.as_str(), "div" | "blockquote" | "li" | "td" | "th" | "figure")) {
                    while stack.len() > pos {
                        close_top(&mut stack);
                    }
                }
            }
        }
        if name == "li" {
            if let Some(pos) = stack.iter().rposition(|(n, _, _)| matches!(n.as_str(), "li" | "ul" | "ol")) {
                if stack[pos].0 == "li" {
                    while stack.len() > pos {
                        close_top(&mut stack);
                    }
                }
            }
        }
        if matches!(name.as_str(), "script" | "style" | "textarea") && !tag.self_closing {
            let end = format!("</{name}");
            let body_end = find_ascii_ci(rest, &end).unwrap_or(rest.len());
            let body = &rest[..body_end];
            rest = &rest[body_end..];
            rest = rest.find('>').map(|e| &rest[e + 1..]).unwrap_or("");
            stack.last_mut().unwrap().2.push(H::El { name, attrs: tag.attrs, children: vec![H::Text(body.to_string())] });
            continue;
        }
        if VOID.contains(&name.as_str()) || tag.self_closing || stack.len() > 60 {
            stack.last_mut().unwrap().2.push(H::El { name, attrs: tag.attrs, children: Vec::new() });
        } else {
            stack.push((name, tag.attrs, Vec::new()));
        }
    }
    while stack.len() > 1 {
        close_top(&mut stack);
    }
    stack.pop().unwrap().2
}

fn find_ascii_ci(hay: &str, needle: &str) -> Option<usize> {
    let h = hay.as_bytes();
    let n = needle.as_bytes();
    (0..h.len().saturating_sub(n.len() - 1)).find(|&i| h[i..i + n.len()].eq_ignore_ascii_case(n))
}

fn push_text(stack: &mut [(String, Vec<(String, String)>, Vec<H>)], text: &str) {
    let children = &mut stack.last_mut().unwrap().2;
    if let Some(H::Text(t)) = children.last_mut() {
        t.push_str(text);
    } else {
        children.push(H::Text(text.to_string()));
    }
}

fn close_top(stack: &mut Vec<(String, Vec<(String, String)>, Vec<H>)>) {
    let (name, attrs, children) = stack.pop().unwrap();
    stack.last_mut().unwrap().2.push(H::El { name, attrs, children });
}

struct Tag {
    name: String,
    attrs: Vec<(String, String)>,
    closing: bool,
    self_closing: bool,
    len: usize,
}

/// A tag at the start of `s` ("<..."), or `None` when the "<" is only text.
fn parse_tag(s: &str) -> Option<Tag> {
    let b = s.as_bytes();
    let mut i = 1;
    let closing = b.get(1) == Some(&b'/');
    if closing {
        i += 1;
    }
    let start = i;
    while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'-' || b[i] == b':') {
        i += 1;
    }
    if i == start || !b[start].is_ascii_alphabetic() {
        return None;
    }
    let name = s[start..i].to_ascii_lowercase();
    let mut attrs = Vec::new();
    let mut self_closing = false;
    loop {
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        match b.get(i) {
            None => return None,
            Some(b'>') => {
                i += 1;
                break;
            }
            Some(b'/') => {
                self_closing = true;
                i += 1;
            }
            Some(_) => {
                let k = i;
                while i < b.len() && !b[i].is_ascii_whitespace() && !matches!(b[i], b'=' | b'>' | b'/') {
                    i += 1;
                }
                let key = s[k..i].to_ascii_lowercase();
                while i < b.len() && b[i].is_ascii_whitespace() {
                    i += 1;
                }
                let mut value = String::new();
                if b.get(i) == Some(&b'=') {
                    i += 1;
                    while i < b.len() && b[i].is_ascii_whitespace() {
                        i += 1;
                    }
                    match b.get(i) {
                        Some(&q @ (b'"' | b'\'')) => {
                            let v = i + 1;
                            let end = s[v..].find(q as char)? + v;
                            value = s[v..end].to_string();
                            i = end + 1;
                        }
                        _ => {
                            let v = i;
                            while i < b.len() && !b[i].is_ascii_whitespace() && b[i] != b'>' {
                                i += 1;
                            }
                            value = s[v..i].to_string();
                        }
                    }
                }
                if !key.is_empty() && attrs.len() < 32 {
                    attrs.push((key, value));
                }
            }
        }
    }
    Some(Tag { name, attrs, closing, self_closing, len: i })
}

fn attr<'a>(attrs: &'a [(String, String)], name: &str) -> &'a str {
    attrs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str()).unwrap_or("")
}

struct Ctx<'a> {
    image: &'a mut dyn FnMut(&str) -> Option<FoundImage>,
    notes: Vec<String>,
    classic: bool,
}

const PARA: char = '\u{1}';
const BREAK: char = '\u{2}';

impl Ctx<'_> {
    fn blocks(&mut self, nodes: &[H], out: &mut Vec<String>) {
        let mut run: Vec<&H> = Vec::new();
        for node in nodes {
            let is_block = matches!(node, H::El { name, .. } if BLOCK.contains(&name.as_str()) || DROPPED.contains(&name.as_str()));
            if is_block {
                self.paragraphs(&run, out);
                run.clear();
                self.block(node, out);
            } else {
                run.push(node);
            }
        }
        self.paragraphs(&run, out);
    }

    /// Loose text and inline elements: paragraphs, split where the classic editor would.
    fn paragraphs(&mut self, run: &[&H], out: &mut Vec<String>) {
        let mut s = String::new();
        for node in run {
            self.inline(node, &mut s);
        }
        for para in s.split(PARA) {
            let p = finish_inline(para);
            // A line that is nothing but an address is how the classic editor embeds a video
            // or a post: it becomes a link.
            match bare_url(&p.replace('\\', "")) {
                Some(url) if self.classic => {
                    self.notes.push(format!("an embedded page became a link to {url}"));
                    out.push(format!("<{url}>"));
                }
                _ if !p.is_empty() => out.push(p),
                _ => {}
            }
        }
    }

    fn block(&mut self, node: &H, out: &mut Vec<String>) {
        let H::El { name, attrs, children } = node else { return };
        match name.as_str() {
            "p" | "dt" | "dd" | "address" => {
                let run: Vec<&H> = children.iter().collect();
                if children.iter().any(|c| matches!(c, H::El { name, .. } if BLOCK.contains(&name.as_str()))) {
                    self.blocks(children, out);
                } else {
                    self.paragraphs(&run, out);
                }
            }
            "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => {
                let level = name[1..].parse::<usize>().unwrap_or(2);
                let mut s = String::new();
                for c in children {
                    self.inline(c, &mut s);
                }
                let text = finish_inline(&s.replace([PARA, BREAK], " "));
                if !text.is_empty() {
                    out.push(format!("{} {text}", "#".repeat(level)));
                }
            }
            "ul" | "ol" => {
                let mut items = Vec::new();
                let mut n = 1;
                for item in children {
                    let content: Vec<H> = match item {
                        H::El { name, children, .. } if name == "li" => children.clone(),
                        H::Text(t) if t.trim().is_empty() => continue,
                        other => vec![other.clone()],
                    };
                    let mut inner = Vec::new();
                    self.blocks(&content, &mut inner);
                    let marker = if name == "ol" { format!("{n}. ") } else { "- ".to_string() };
                    n += 1;
                    let body = inner.join("\n\n");
                    let pad = " ".repeat(marker.len());
                    let mut item_text = String::new();
                    for (i, line) in body.lines().enumerate() {
                        if i == 0 {
                            item_text.push_str(&marker);
                        } else {
                            item_text.push('\n');
                            if !line.is_empty() {
                                item_text.push_str(&pad);
                            }
                        }
                        item_text.push_str(line);
                    }
                    if body.is_empty() {
                        item_text.push_str(marker.trim_end());
                    }
                    items.push(item_text);
                }
                if !items.is_empty() {
                    out.push(items.join("\n"));
                }
            }
            "blockquote" => {
                let mut inner = Vec::new();
                self.blocks(children, &mut inner);
                let body = inner.join("\n\n");
                let quoted: Vec<String> = body.lines().map(|l| if l.is_empty() { ">".to_string() } else { format!("> {l}") }).collect();
                if !quoted.is_empty() {
                    out.push(quoted.join("\n"));
                }
            }
            "pre" => {
                // Preformatted text keeps every line, blank ones too; markup inside it (a
                // highlighter's spans) is not text and goes.
                let simple = children.iter().all(|c| match c {
                    H::Text(_) => true,
                    H::El { name, children, .. } => name == "code" && children.iter().all(|c| matches!(c, H::Text(_))),
                });
                if !simple {
                    self.notes.push("markup inside preformatted text (its text is kept)".into());
                }
                let mut code = String::new();
                collect_text(children, &mut code);
                let code = decode_entities(&code);
                let mut fence = "```".to_string();
                while code.contains(&fence) {
                    fence.push('`');
                }
                out.push(format!("{fence}\n{}\n{fence}", code.trim_end_matches('\n')));
            }
            "hr" => out.push("* * *".into()),
            "div" if attr(attrs, "class").contains("wp-block-embed__wrapper") => {
                let mut text = String::new();
                collect_text(children, &mut text);
                match bare_url(&decode_entities(&text)) {
                    Some(url) => {
                        out.push(format!("<{url}>"));
                        self.notes.push(format!("an embedded page became a link to {url}"));
                    }
                    None => self.blocks(children, out),
                }
            }
            "div" | "figure" | "section" | "article" | "aside" | "header" | "footer" | "details" | "nav" | "dl" => self.blocks(children, out),
            "figcaption" => {
                let mut s = String::new();
                for c in children {
                    self.inline(c, &mut s);
                }
                let text = finish_inline(&s.replace(PARA, " "));
                if !text.is_empty() {
                    out.push(format!("*{text}*"));
                }
            }
            "iframe" | "video" | "audio" | "object" => {
                let mut src = attr(attrs, "src").to_string();
                if src.is_empty() {
                    src = attr(attrs, "data").to_string();
                }
                if src.is_empty() {
                    if let Some(H::El { attrs, .. }) = children.iter().find(|c| matches!(c, H::El { name, .. } if name == "source")) {
                        src = attr(attrs, "src").to_string();
                    }
                }
                if src.starts_with("http://") || src.starts_with("https://") || src.starts_with("//") {
                    let src = if src.starts_with("//") { format!("https:{src}") } else { src };
                    let title = attr(attrs, "title");
                    let label = if title.is_empty() { format!("Embedded {name}") } else { escape_md(&decode_entities(title)) };
                    out.push(format!("[{label}]({})", link_destination(&src)));
                    self.notes.push(format!("an embedded {name} became a link to {src}"));
                } else {
                    self.notes.push(format!("an embedded {name} with no address was dropped"));
                }
            }
            "table" => out.push(html_block(node)),
            n if DROPPED.contains(&n) => self.notes.push(format!("a <{n}> was dropped")),
            _ => out.push(html_block(node)),
        }
    }

    fn inline(&mut self, node: &H, s: &mut String) {
        match node {
            H::Text(t) => self.text(t, s),
            H::El { name, attrs, children } => match name.as_str() {
                "em" | "i" => self.wrap("*", children, s),
                "strong" | "b" => self.wrap("**", children, s),
                "del" | "s" | "strike" => self.wrap("~~", children, s),
                "span" | "font" => {
                    for c in children {
                        self.inline(c, s);
                    }
                }
                "br" => s.push(BREAK),
                "code" => {
                    let mut code = String::new();
                    collect_text(children, &mut code);
                    let code = decode_entities(&code).replace('\n', " ");
                    let mut ticks = "`".to_string();
                    while code.contains(&ticks) {
                        ticks.push('`');
                    }
                    let pad = if code.starts_with('`') || code.ends_with('`') { " " } else { "" };
                    let _ = write!(s, "{ticks}{pad}{code}{pad}{ticks}");
                }
                "a" => {
                    let href = attr(attrs, "href");
                    let mut inner = String::new();
                    for c in children {
                        self.inline(c, &mut inner);
                    }
                    let inner = finish_inline(&inner.replace(PARA, " "));
                    // A link around an image to its own file on the old site (WordPress's
                    // "link to media file"): the library's image stands alone.
                    let to_own_file = inner.starts_with("![") && inner.contains("](media:") && !href.is_empty() && (self.image)(&decode_entities(href)).is_some();
                    if to_own_file || href.is_empty() || href.starts_with('#') && inner.is_empty() {
                        s.push_str(&inner);
                    } else {
                        let _ = write!(s, "[{inner}]({})", link_destination(href));
                    }
                }
                "img" => self.image(attrs, s),
                n if DROPPED.contains(&n) => self.notes.push(format!("a <{n}> was dropped")),
                _ => {
                    // No Markdown for it: kept as inline HTML, which the sanitizer sees.
                    let _ = write!(s, "<{name}{}>", attrs_html(attrs));
                    for c in children {
                        self.inline(c, s);
                    }
                    let _ = write!(s, "</{name}>");
                }
            },
        }
    }

    fn wrap(&mut self, mark: &str, children: &[H], s: &mut String) {
        let mut inner = String::new();
        for c in children {
            self.inline(c, &mut inner);
        }
        let trimmed = inner.trim_matches(|c: char| c.is_whitespace() || c == BREAK);
        if trimmed.is_empty() {
            s.push_str(&inner);
            return;
        }
        // Markdown's emphasis may not start or end with a space: keep the space outside.
        let lead = &inner[..inner.len() - inner.trim_start().len()];
        let tail = &inner[inner.trim_end().len()..];
        let _ = write!(s, "{}{mark}{trimmed}{mark}{}", if lead.is_empty() { "" } else { " " }, if tail.is_empty() { "" } else { " " });
    }

    fn image(&mut self, attrs: &[(String, String)], s: &mut String) {
        let src = attr(attrs, "src");
        let alt = decode_entities(attr(attrs, "alt"));
        if src.is_empty() {
            return;
        }
        match (self.image)(&decode_entities(src)) {
            Some(found) => {
                let alt = if alt.trim().is_empty() { found.alt } else { alt };
                let _ = write!(s, "![{}](media:{})", escape_md(&alt), found.key);
            }
            None => {
                self.notes.push(format!("the image {src} is not in the export's attachments or the uploads folder, so it still points at the old site"));
                let _ = write!(s, "![{}]({})", escape_md(&alt), link_destination(src));
            }
        }
    }

    fn text(&mut self, t: &str, s: &mut String) {
        let mut t = t.to_string();
        if self.classic {
            // wpautop: a blank line is a new paragraph, a single line break is kept.
            t = t.replace("\r\n", "\n");
            let mut out = String::with_capacity(t.len());
            let mut newlines = 0;
            for c in t.chars() {
                if c == '\n' {
                    newlines += 1;
                    continue;
                }
                if newlines > 0 && !c.is_whitespace() {
                    out.push(if newlines > 1 { PARA } else { BREAK });
                    newlines = 0;
                } else if newlines > 0 {
                    continue;
                }
                out.push(c);
            }
            if newlines > 1 {
                out.push(PARA);
            } else if newlines == 1 {
                out.push(' ');
            }
            t = out;
        }
        let mut last_space = s.ends_with(' ');
        for c in t.chars() {
            if c == PARA || c == BREAK {
                s.push(c);
                last_space = true;
                continue;
            }
            if c.is_whitespace() && c != '\u{a0}' {
                if !last_space {
                    s.push(' ');
                }
                last_space = true;
                continue;
            }
            last_space = false;
            if matches!(c, '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '~' | '#') {
                s.push('\\');
            }
            s.push(c);
        }
    }
}

/// Trims an inline run and turns its break marks into Markdown hard breaks, escaping what
/// would otherwise start a list at the beginning of a line.
fn finish_inline(s: &str) -> String {
    let s = s.trim_matches(|c: char| c.is_whitespace() && c != '\u{a0}' || c == BREAK);
    let mut out = String::with_capacity(s.len());
    for (i, line) in s.split(BREAK).enumerate() {
        if i > 0 {
            out.push_str("\\\n");
        }
        let line = line.trim();
        out.push_str(&escape_line_start(line));
    }
    out
}

/// `s` when it is one web address and nothing else.
fn bare_url(s: &str) -> Option<&str> {
    let s = s.trim();
    ((s.starts_with("https://") || s.starts_with("http://")) && s.len() > 10 && !s.contains(|c: char| c.is_whitespace() || matches!(c, '<' | '>' | '"'))).then_some(s)
}

fn escape_line_start(line: &str) -> String {
    let first = line.chars().next();
    if matches!(first, Some('-' | '+' | '=')) {
        return format!("\\{line}");
    }
    let digits = line.chars().take_while(|c| c.is_ascii_digit()).count();
    if digits > 0 && digits < 10 && matches!(line[digits..].chars().next(), Some('.' | ')')) {
        return format!("{}\\{}", &line[..digits], &line[digits..]);
    }
    line.to_string()
}

fn escape_md(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '\\' | '[' | ']' | '*' | '_' | '`' | '<' | '>') {
            out.push('\\');
        }
        if c == '\n' {
            out.push(' ');
        } else {
            out.push(c);
        }
    }
    out
}

fn link_destination(href: &str) -> String {
    let href = href.trim();
    if href.contains([' ', '(', ')', '<', '>']) || href.is_empty() {
        format!("<{}>", href.replace('<', "%3C").replace('>', "%3E").replace(' ', "%20"))
    } else {
        href.to_string()
    }
}

fn collect_text(nodes: &[H], out: &mut String) {
    for n in nodes {
        match n {
            H::Text(t) => out.push_str(t),
            // A script's or a style sheet's source is not text anyone reads.
            H::El { name, .. } if matches!(name.as_str(), "script" | "style" | "template") => {}
            H::El { name, children, .. } => {
                if name == "br" {
                    out.push('\n');
                }
                collect_text(children, out);
            }
        }
    }
}

fn attrs_html(attrs: &[(String, String)]) -> String {
    let mut s = String::new();
    for (k, v) in attrs {
        let _ = write!(s, " {k}=\"{}\"", v.replace('"', "&quot;").replace('<', "&lt;"));
    }
    s
}

fn serialize(node: &H, out: &mut String) {
    match node {
        H::Text(t) => out.push_str(&t.replace('<', "&lt;")),
        H::El { name, attrs, children } => {
            let _ = write!(out, "<{name}{}>", attrs_html(attrs));
            if VOID.contains(&name.as_str()) {
                return;
            }
            for c in children {
                serialize(c, out);
            }
            let _ = write!(out, "</{name}>");
        }
    }
}

/// A block Markdown cannot say, as HTML Markdown passes through whole: it starts with a block
/// tag and holds no blank line (which would end an HTML block).
fn html_block(node: &H) -> String {
    let mut s = String::new();
    serialize(node, &mut s);
    let mut out = String::with_capacity(s.len() + 16);
    for line in s.lines() {
        if line.trim().is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str(line);
    }
    if out.starts_with("<div") || out.starts_with("<table") {
        out
    } else {
        format!("<div>\n{out}\n</div>")
    }
}

/// Text with HTML's entities decoded (the common named ones and every numeric one); an
/// unknown name is left as it was written.
pub fn decode_entities(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        let end = after.find(';').filter(|&e| e > 0 && e <= 10);
        let decoded = end.and_then(|e| {
            let name = &after[..e];
            let c = if let Some(hex) = name.strip_prefix("#x").or_else(|| name.strip_prefix("#X")) {
                u32::from_str_radix(hex, 16).ok().and_then(char::from_u32)
            } else if let Some(dec) = name.strip_prefix('#') {
                dec.parse().ok().and_then(char::from_u32)
            } else {
                named_entity(name)
            };
            c.filter(|&c| c != '\0').map(|c| (c, e))
        });
        match decoded {
            Some((c, e)) => {
                out.push(c);
                rest = &after[e + 1..];
            }
            None => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

fn named_entity(name: &str) -> Option<char> {
    Some(match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        "nbsp" => '\u{a0}',
        "hellip" => '…',
        "mdash" => '—',
        "ndash" => '–',
        "lsquo" => '‘',
        "rsquo" => '’',
        "ldquo" => '“',
        "rdquo" => '”',
        "laquo" => '«',
        "raquo" => '»',
        "copy" => '©',
        "reg" => '®',
        "trade" => '™',
        "deg" => '°',
        "eacute" => 'é',
        "egrave" => 'è',
        "aacute" => 'á',
        "agrave" => 'à',
        "iacute" => 'í',
        "oacute" => 'ó',
        "uacute" => 'ú',
        "ntilde" => 'ñ',
        "ouml" => 'ö',
        "uuml" => 'ü',
        "auml" => 'ä',
        "ccedil" => 'ç',
        "middot" => '·',
        "bull" => '•',
        "times" => '×',
        "frac12" => '½',
        _ => return None,
    })
}

/// The text of some HTML: tags removed, entities decoded, white space collapsed (for a deck
/// made from an excerpt, or a name).
pub fn plain_text(html: &str) -> String {
    let mut text = String::new();
    collect_text(&parse(html), &mut text);
    let decoded = decode_entities(&text);
    decoded.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn md(html: &str) -> String {
        to_markdown(html, &mut |src: &str| src.contains("known").then(|| FoundImage { key: "abc123".into(), alt: "From the library".into() })).markdown
    }

    #[test]
    fn block_editor_markup_becomes_markdown() {
        let html = "<!-- wp:paragraph -->\n<p>The <strong>lights</strong> go <em>down</em>. See <a href=\"https://example.org/a\">this</a>.</p>\n<!-- /wp:paragraph -->\n\n<!-- wp:heading -->\n<h2>Second act</h2>\n<!-- /wp:heading -->\n\n<!-- wp:list -->\n<ul><li>One</li><li>Two <em>more</em></li></ul>\n<!-- /wp:list -->\n\n<!-- wp:quote -->\n<blockquote class=\"wp-block-quote\"><p>Quoted.</p></blockquote>\n<!-- /wp:quote -->";
        assert_eq!(md(html), "The **lights** go *down*. See [this](https://example.org/a).\n\n## Second act\n\n- One\n- Two *more*\n\n> Quoted.");
    }

    #[test]
    fn classic_paragraphs_and_breaks_follow_wpautop() {
        assert_eq!(md("First line\nsecond line.\n\nNew paragraph with 5 * 3 and a_b."), "First line\\\nsecond line.\n\nNew paragraph with 5 \\* 3 and a\\_b.");
        assert_eq!(md("1. not a list\n\n- nor this"), "1\\. not a list\n\n\\- nor this");
    }

    #[test]
    fn images_captions_and_embeds() {
        let html = "[caption id=\"attachment_9\" align=\"alignnone\" width=\"300\"]<img src=\"https://old.example/wp-content/uploads/known.jpg\" alt=\"\" /> The stage at night[/caption]\n\n<img src=\"https://old.example/elsewhere.png\" alt=\"gone\">\n\n<iframe src=\"https://video.example/embed/1\" title=\"Trailer\"></iframe>";
        let c = to_markdown(html, &mut |src: &str| src.contains("known").then(|| FoundImage { key: "abc123".into(), alt: "From the library".into() }));
        assert_eq!(c.markdown, "![From the library](media:abc123)\n\n*The stage at night*\n\n![gone](https://old.example/elsewhere.png)\n\n[Trailer](https://video.example/embed/1)");
        assert_eq!(c.notes.len(), 2, "{:?}", c.notes);
    }

    #[test]
    fn preformatted_text_embeds_and_linked_images() {
        assert_eq!(md("<pre><span class=\"k\">let</span> a;\n\n<em>b</em></pre>"), "```\nlet a;\n\nb\n```", "blank lines in preformatted text stay");
        let block = "<!-- wp:embed -->\n<figure class=\"wp-block-embed\"><div class=\"wp-block-embed__wrapper\">\nhttps://video.example/watch?v=a_b\n</div></figure>\n<!-- /wp:embed -->";
        assert_eq!(md(block), "<https://video.example/watch?v=a_b>");
        assert_eq!(md("Intro.\n\nhttps://video.example/x_y\n\nOutro."), "Intro.\n\n<https://video.example/x_y>\n\nOutro.");
        assert_eq!(md("<p><a href=\"https://old.example/wp-content/uploads/known.jpg\"><img src=\"https://old.example/wp-content/uploads/known-300x200.jpg\" alt=\"A\"></a></p>"), "![A](media:abc123)");
        assert_eq!(md("<p><a href=\"https://elsewhere.example/\"><img src=\"https://old.example/wp-content/uploads/known.jpg\" alt=\"A\"></a></p>"), "[![A](media:abc123)](https://elsewhere.example/)", "a link elsewhere stays");
    }

    #[test]
    fn media_shortcodes_become_images_and_links() {
        let mut gallery = |ids: Option<&str>| Some(format!("<img src=\"g/{}.jpg\" alt=\"\">", ids.unwrap_or("own")));
        assert_eq!(expand_media_shortcodes("A [gallery ids=\"3,4\" columns=\"2\"] B", &mut gallery), "A <img src=\"g/3,4.jpg\" alt=\"\"> B");
        assert_eq!(expand_media_shortcodes("[gallery]", &mut gallery), "<img src=\"g/own.jpg\" alt=\"\">");
        assert_eq!(expand_media_shortcodes("[embed]https://v.example/1[/embed]", &mut gallery), "<p><a href=\"https://v.example/1\">Embedded: https://v.example/1</a></p>");
        assert_eq!(expand_media_shortcodes("[video mp4=\"https://v.example/a.mp4\"][/video]", &mut gallery), "<p><a href=\"https://v.example/a.mp4\">Video: https://v.example/a.mp4</a></p>");
        assert_eq!(expand_media_shortcodes("[embed]javascript:alert(1)[/embed] [note] [x", &mut gallery), "[embed]javascript:alert(1)[/embed] [note] [x", "only web addresses");
        assert_eq!(plain_text("Eve <script>alert(1)</script>Evans"), "Eve Evans");
    }

    #[test]
    fn what_markdown_cannot_say_stays_html_and_scripts_go() {
        let c = to_markdown("<p>E = mc<sup>2</sup></p><table><tr><td>a</td>\n\n<td>b</td></tr></table><script>alert(1)</script><pre><code>if a &lt; b {\n}</code></pre>", &mut |_: &str| None);
        assert_eq!(c.markdown, "E = mc<sup>2</sup>\n\n<table><tr><td>a</td>\n<td>b</td></tr></table>\n\n```\nif a < b {\n}\n```");
        assert!(c.notes.iter().any(|n| n.contains("<script>")));
        assert_eq!(plain_text("<p>Tom &amp; Jerry&#8217;s <b>big</b>\n night</p>"), "Tom & Jerry’s big night");
    }
}

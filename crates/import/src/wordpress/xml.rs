//! A streaming reader for WordPress's export format (WXR, an RSS 2.0 file).
//!
//! It reads the file a buffer at a time and hands over each element directly under
//! `<channel>` (an author, a term, an item) as a small tree, so a file of any size is read in
//! the memory of its largest record. It is written here rather than taken from an XML crate so
//! that it can promise three things a WXR import needs:
//! - no document type is ever read: a `<!DOCTYPE` is refused, so no entity can be declared,
//!   expanded or fetched (XXE, "billion laughs");
//! - every error names the line and column where the file went wrong;
//! - a field larger than [`Limits::max_field`] is cut off and flagged, not held in memory.

use std::io::Read;

#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Bytes of text one element may hold (a post's content, say).
    pub max_field: usize,
    /// Elements nested inside one another.
    pub max_depth: usize,
    /// Elements in one record (an item with its meta and comments).
    pub max_nodes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { max_field: 16 * 1024 * 1024, max_depth: 32, max_nodes: 200_000 }
    }
}

/// An element and what it holds. Text from character data and CDATA sections is joined.
#[derive(Debug, Default, Clone)]
pub struct Node {
    pub name: String,
    pub attrs: Vec<(String, String)>,
    pub text: String,
    /// The text was longer than the limit and was cut off.
    pub oversized: bool,
    pub children: Vec<Node>,
    /// Where the element starts, from 1.
    pub line: u64,
}

impl Node {
    pub fn child(&self, name: &str) -> Option<&Node> {
        self.children.iter().find(|c| c.name == name)
    }

    /// The text of the first child called `name`, or "".
    pub fn get(&self, name: &str) -> &str {
        self.child(name).map(|c| c.text.as_str()).unwrap_or("")
    }

    pub fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Node> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }

    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
}

#[derive(Debug)]
pub struct XmlError {
    pub line: u64,
    pub column: u64,
    pub message: String,
}

impl std::fmt::Display for XmlError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}: {}", self.line, self.column, self.message)
    }
}

pub struct WxrReader<R: Read> {
    input: R,
    buf: Vec<u8>,
    at: usize,
    len: usize,
    eof: bool,
    line: u64,
    column: u64,
    /// Bytes read so far, for the progress bar.
    pub offset: u64,
    limits: Limits,
    /// Open elements above the records: rss, channel.
    outer: Vec<String>,
    started: bool,
    finished: bool,
    pending_lt: bool,
}

enum Markup {
    Start { name: String, attrs: Vec<(String, String)>, empty: bool, line: u64 },
    End { name: String },
    Text(String),
    Cdata(String),
    Skip,
}

impl<R: Read> WxrReader<R> {
    pub fn new(input: R, limits: Limits) -> Self {
        WxrReader { input, buf: vec![0; 256 * 1024], at: 0, len: 0, eof: false, line: 1, column: 1, offset: 0, limits, outer: Vec::new(), started: false, finished: false, pending_lt: false }
    }

    fn error(&self, message: impl Into<String>) -> XmlError {
        XmlError { line: self.line, column: self.column, message: message.into() }
    }

    fn fill(&mut self) -> Result<bool, XmlError> {
        if self.at < self.len {
            return Ok(true);
        }
        if self.eof {
            return Ok(false);
        }
        loop {
            match self.input.read(&mut self.buf) {
                Ok(0) => {
                    self.eof = true;
                    return Ok(false);
                }
                Ok(n) => {
                    self.at = 0;
                    self.len = n;
                    return Ok(true);
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(self.error(format!("could not be read: {e}"))),
            }
        }
    }

    fn peek(&mut self) -> Result<Option<u8>, XmlError> {
        Ok(if self.fill()? { Some(self.buf[self.at]) } else { None })
    }

    fn bump(&mut self) -> Result<Option<u8>, XmlError> {
        if !self.fill()? {
            return Ok(None);
        }
        let b = self.buf[self.at];
        self.at += 1;
        self.offset += 1;
        if b == b'\n' {
            self.line += 1;
            self.column = 1;
        } else if b & 0xC0 != 0x80 {
            self.column += 1;
        }
        Ok(Some(b))
    }

    fn expect_byte(&mut self, what: &str) -> Result<u8, XmlError> {
        self.bump()?.ok_or_else(|| self.error(format!("the file ends inside {what}")))
    }

    /// Reads until `end` (consumed), keeping at most `keep` bytes; answers (bytes, cut off).
    fn until(&mut self, end: &[u8], keep: usize, what: &str) -> Result<(Vec<u8>, bool), XmlError> {
        let mut out = Vec::new();
        let mut cut = false;
        let mut tail: Vec<u8> = Vec::with_capacity(end.len());
        loop {
            // Fast path: copy a run of bytes that cannot start the terminator.
            if tail.is_empty() && self.fill()? {
                let slice = &self.buf[self.at..self.len];
                let run = slice.iter().position(|&b| b == end[0] || b == b'\n').unwrap_or(slice.len());
                if run > 0 {
                    let chunk = &slice[..run];
                    let room = keep.saturating_sub(out.len());
                    if chunk.len() > room {
                        cut = true;
                        out.extend_from_slice(&chunk[..room]);
                    } else {
                        out.extend_from_slice(chunk);
                    }
                    self.column += chunk.iter().filter(|&&b| b & 0xC0 != 0x80).count() as u64;
                    self.at += run;
                    self.offset += run as u64;
                    continue;
                }
            }
            let b = self.expect_byte(what)?;
            tail.push(b);
            if end.starts_with(&tail) {
                if tail.len() == end.len() {
                    return Ok((out, cut));
                }
                continue;
            }
            // Not the terminator after all: the first byte is content, the rest is re-tried.
            let mut pending = std::mem::take(&mut tail);
            while !pending.is_empty() {
                let first = pending.remove(0);
                if out.len() < keep {
                    out.push(first);
                } else {
                    cut = true;
                }
                if end.starts_with(&pending) {
                    tail = pending;
                    break;
                }
            }
        }
    }

    fn name(&mut self) -> Result<String, XmlError> {
        let mut name = Vec::new();
        // A run of name bytes is copied straight from the buffer; a name holds no line break,
        // so only the column moves.
        while self.fill()? {
            let slice = &self.buf[self.at..self.len];
            let run = slice.iter().position(|&b| b.is_ascii_whitespace() || matches!(b, b'>' | b'/' | b'=')).unwrap_or(slice.len());
            name.extend_from_slice(&slice[..run]);
            self.column += slice[..run].iter().filter(|&&b| b & 0xC0 != 0x80).count() as u64;
            self.at += run;
            self.offset += run as u64;
            if name.len() > 200 {
                return Err(self.error("an element or attribute name is longer than 200 bytes"));
            }
            if self.at < self.len {
                break;
            }
        }
        if name.is_empty() {
            let at_end = self.peek()?.is_none();
            return Err(self.error(if at_end { "the file ends inside a tag" } else { "expected an element or attribute name" }));
        }
        String::from_utf8(name).map_err(|_| self.error("a name is not valid UTF-8"))
    }

    fn skip_space(&mut self) -> Result<(), XmlError> {
        while self.fill()? {
            let slice = &self.buf[self.at..self.len];
            let run = slice.iter().position(|b| !b.is_ascii_whitespace()).unwrap_or(slice.len());
            for &b in &slice[..run] {
                if b == b'\n' {
                    self.line += 1;
                    self.column = 1;
                } else {
                    self.column += 1;
                }
            }
            self.at += run;
            self.offset += run as u64;
            if self.at < self.len {
                break;
            }
        }
        Ok(())
    }

    fn markup(&mut self, text_limit: usize) -> Result<Option<(Markup, bool)>, XmlError> {
        let Some(b) = self.peek()? else { return Ok(None) };
        if b != b'<' {
            let (mut raw, cut) = self.until(b"<", text_limit, "text")?;
            if cut {
                trim_cut(&mut raw, true);
            }
            // `until` consumed the "<" that ends the text; give it back by handling it here.
            let text = self.decode(&raw)?;
            self.pending_lt = true;
            return Ok(Some((Markup::Text(text), cut)));
        }
        self.bump()?;
        self.after_lt(text_limit).map(Some)
    }

    fn after_lt(&mut self, text_limit: usize) -> Result<(Markup, bool), XmlError> {
        let line = self.line;
        match self.peek()? {
            Some(b'?') => {
                self.until(b"?>", 0, "a processing instruction")?;
                Ok((Markup::Skip, false))
            }
            Some(b'!') => {
                self.bump()?;
                match self.peek()? {
                    Some(b'-') => {
                        self.bump()?;
                        if self.expect_byte("a comment")? != b'-' {
                            return Err(self.error("a comment must start with <!--"));
                        }
                        self.until(b"-->", 0, "a comment")?;
                        Ok((Markup::Skip, false))
                    }
                    Some(b'[') => {
                        for &want in b"[CDATA[" {
                            if self.expect_byte("a CDATA section")? != want {
                                return Err(self.error("expected <![CDATA["));
                            }
                        }
                        let (mut raw, cut) = self.until(b"]]>", text_limit, "a CDATA section")?;
                        if cut {
                            trim_cut(&mut raw, false);
                        }
                        let text = String::from_utf8(raw).map_err(|_| self.error("the text is not valid UTF-8"))?;
                        Ok((Markup::Cdata(text), cut))
                    }
                    _ => Err(self.error(
                        "the file declares a document type (<!DOCTYPE or <!ENTITY). WordPress exports have none, and Marquee never reads one, so that no entity can be expanded or fetched",
                    )),
                }
            }
            Some(b'/') => {
                self.bump()?;
                let name = self.name()?;
                self.skip_space()?;
                if self.expect_byte("an end tag")? != b'>' {
                    return Err(self.error(format!("expected > to close </{name}")));
                }
                Ok((Markup::End { name }, false))
            }
            _ => {
                let name = self.name()?;
                let mut attrs = Vec::new();
                loop {
                    self.skip_space()?;
                    match self.peek()? {
                        Some(b'>') => {
                            self.bump()?;
                            return Ok((Markup::Start { name, attrs, empty: false, line }, false));
                        }
                        Some(b'/') => {
                            self.bump()?;
                            if self.expect_byte("a tag")? != b'>' {
                                return Err(self.error(format!("expected /> to close <{name}")));
                            }
                            return Ok((Markup::Start { name, attrs, empty: true, line }, false));
                        }
                        None => return Err(self.error(format!("the file ends inside <{name}"))),
                        _ => {
                            let key = self.name()?;
                            self.skip_space()?;
                            if self.expect_byte("an attribute")? != b'=' {
                                return Err(self.error(format!("expected = after the attribute {key}")));
                            }
                            self.skip_space()?;
                            let quote = self.expect_byte("an attribute")?;
                            if quote != b'"' && quote != b'\'' {
                                return Err(self.error(format!("the value of {key} must be in quotes")));
                            }
                            let (raw, _) = self.until(&[quote], 64 * 1024, "an attribute value")?;
                            if raw.contains(&b'<') {
                                return Err(self.error(format!("the value of {key} holds a <")));
                            }
                            let value = self.decode(&raw)?;
                            if attrs.len() >= 64 {
                                return Err(self.error(format!("<{name}> has more than 64 attributes")));
                            }
                            attrs.push((key, value));
                        }
                    }
                }
            }
        }
    }

    /// Character data with XML's five entities and character references decoded. Any other
    /// entity is an error: with no document type, none can have been declared.
    fn decode(&self, raw: &[u8]) -> Result<String, XmlError> {
        let text = std::str::from_utf8(raw).map_err(|_| self.error("the text is not valid UTF-8"))?;
        if !text.contains('&') {
            return Ok(text.to_string());
        }
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(i) = rest.find('&') {
            out.push_str(&rest[..i]);
            let after = &rest[i + 1..];
            let Some(end) = after.find(';').filter(|&e| e <= 12) else {
                return Err(self.error("a & that does not start an entity (write &amp;)"));
            };
            let entity = &after[..end];
            let c = match entity {
                "lt" => '<',
                "gt" => '>',
                "amp" => '&',
                "quot" => '"',
                "apos" => '\'',
                _ => {
                    let code = if let Some(hex) = entity.strip_prefix("#x").or_else(|| entity.strip_prefix("#X")) {
                        u32::from_str_radix(hex, 16).ok()
                    } else if let Some(dec) = entity.strip_prefix('#') {
                        dec.parse().ok()
                    } else {
                        return Err(self.error(format!("the entity &{entity}; is not XML's (only &lt; &gt; &amp; &quot; &apos; and &#...; are)")));
                    };
                    match code.and_then(char::from_u32) {
                        Some(c) if c != '\0' => c,
                        _ => return Err(self.error(format!("&{entity}; is not a character"))),
                    }
                }
            };
            out.push(c);
            rest = &after[end + 1..];
        }
        out.push_str(rest);
        Ok(out)
    }
}

/// A field cut off at its limit may end inside a character or (outside CDATA) an entity: what
/// is kept ends before them, so the kept part still reads as text.
fn trim_cut(raw: &mut Vec<u8>, entities: bool) {
    let valid = match std::str::from_utf8(raw) {
        Ok(_) => raw.len(),
        Err(e) => e.valid_up_to(),
    };
    raw.truncate(valid);
    if entities {
        if let Some(amp) = raw.iter().rposition(|&b| b == b'&') {
            if !raw[amp..].contains(&b';') {
                raw.truncate(amp);
            }
        }
    }
}

// `markup` reads text up to and including the next "<"; this flag remembers that the "<" was
// consumed, so the next call goes straight to the tag.
impl<R: Read> WxrReader<R> {
    fn next_markup(&mut self, text_limit: usize) -> Result<Option<(Markup, bool)>, XmlError> {
        if self.pending_lt {
            self.pending_lt = false;
            return self.after_lt(text_limit).map(Some);
        }
        self.markup(text_limit)
    }

    /// The next element directly under `<channel>`, or `None` at the end of the file.
    pub fn next_record(&mut self) -> Result<Option<Node>, XmlError> {
        if self.finished {
            return Ok(None);
        }
        loop {
            let Some((m, _)) = self.next_markup(1024)? else {
                if !self.outer.is_empty() {
                    return Err(self.error(format!("the file ends before </{}>", self.outer.last().unwrap())));
                }
                if !self.started {
                    return Err(self.error("this is not a WordPress export: it holds no <rss> element"));
                }
                self.finished = true;
                return Ok(None);
            };
            match m {
                Markup::Skip => {}
                Markup::Text(t) | Markup::Cdata(t) => {
                    // White space, and a byte-order mark some editors put first, is not text.
                    if !t.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}').is_empty() && self.outer.len() < 2 {
                        return Err(self.error("text outside <channel>"));
                    }
                }
                Markup::End { name } => {
                    let open = self.outer.pop();
                    if open.as_deref() != Some(name.as_str()) {
                        return Err(self.error(format!("</{name}> closes {}", open.map(|o| format!("<{o}>")).unwrap_or_else(|| "nothing".into()))));
                    }
                    if self.outer.is_empty() {
                        self.finished = true;
                        return Ok(None);
                    }
                }
                Markup::Start { name, attrs, empty, line } => match self.outer.len() {
                    0 => {
                        if name != "rss" {
                            return Err(self.error(format!("this is not a WordPress export: it starts with <{name}>, not <rss>")));
                        }
                        if self.started {
                            return Err(self.error("a second <rss> element"));
                        }
                        self.started = true;
                        if !empty {
                            self.outer.push(name);
                        }
                    }
                    1 => {
                        if name != "channel" {
                            return Err(self.error(format!("<{name}> where <channel> was expected")));
                        }
                        if !empty {
                            self.outer.push(name);
                        }
                    }
                    _ => {
                        let node = Node { name, attrs, line, ..Node::default() };
                        return if empty { Ok(Some(node)) } else { self.subtree(node).map(Some) };
                    }
                },
            }
        }
    }

    fn subtree(&mut self, root: Node) -> Result<Node, XmlError> {
        let mut stack = vec![root];
        let mut nodes = 1usize;
        loop {
            let limit = self.limits.max_field.saturating_sub(stack.last().map(|n| n.text.len()).unwrap_or(0));
            let Some((m, cut)) = self.next_markup(limit)? else {
                return Err(self.error(format!("the file ends inside <{}>", stack.last().unwrap().name)));
            };
            match m {
                Markup::Skip => {}
                Markup::Text(t) | Markup::Cdata(t) => {
                    let top = stack.last_mut().unwrap();
                    if top.text.len() + t.len() > self.limits.max_field || cut {
                        top.oversized = true;
                    }
                    if !top.oversized || top.text.len() < self.limits.max_field {
                        let room = self.limits.max_field.saturating_sub(top.text.len());
                        let mut end = t.len().min(room);
                        while !t.is_char_boundary(end) {
                            end -= 1;
                        }
                        top.text.push_str(&t[..end]);
                    }
                }
                Markup::Start { name, attrs, empty, line } => {
                    nodes += 1;
                    if nodes > self.limits.max_nodes {
                        return Err(self.error(format!("the record that starts on line {} has more than {} elements", stack[0].line, self.limits.max_nodes)));
                    }
                    let node = Node { name, attrs, line, ..Node::default() };
                    if empty {
                        stack.last_mut().unwrap().children.push(node);
                    } else {
                        if stack.len() >= self.limits.max_depth {
                            return Err(self.error(format!("elements nest more than {} deep", self.limits.max_depth)));
                        }
                        stack.push(node);
                    }
                }
                Markup::End { name } => {
                    let node = stack.pop().unwrap();
                    if node.name != name {
                        return Err(self.error(format!("</{name}> closes <{}>, opened on line {}", node.name, node.line)));
                    }
                    match stack.last_mut() {
                        Some(parent) => parent.children.push(node),
                        None => return Ok(node),
                    }
                }
            }
        }
    }
}

//! A small XML writer for feeds and sitemaps. Every text and attribute value passes through
//! [`push_escaped`], so nothing a writer typed can close an element, open a CDATA section or
//! carry a character that XML 1.0 forbids.

#[derive(Default)]
pub struct Xml {
    out: String,
}

impl Xml {
    /// A document: the XML declaration, then what is written.
    pub fn document() -> Xml {
        Xml { out: String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n") }
    }

    /// `<name a="v">`
    pub fn open(&mut self, name: &str, attrs: &[(&str, &str)]) -> &mut Self {
        self.tag(name, attrs);
        self.out.push_str(">\n");
        self
    }

    /// `</name>`
    pub fn close(&mut self, name: &str) -> &mut Self {
        self.out.push_str("</");
        self.out.push_str(name);
        self.out.push_str(">\n");
        self
    }

    /// `<name a="v"/>`
    pub fn empty(&mut self, name: &str, attrs: &[(&str, &str)]) -> &mut Self {
        self.tag(name, attrs);
        self.out.push_str("/>\n");
        self
    }

    /// `<name a="v">text</name>`
    pub fn text(&mut self, name: &str, attrs: &[(&str, &str)], text: &str) -> &mut Self {
        self.tag(name, attrs);
        self.out.push('>');
        push_escaped(&mut self.out, text);
        self.close(name)
    }

    pub fn finish(self) -> String {
        self.out
    }

    fn tag(&mut self, name: &str, attrs: &[(&str, &str)]) {
        self.out.push('<');
        self.out.push_str(name);
        for (key, value) in attrs {
            self.out.push(' ');
            self.out.push_str(key);
            self.out.push_str("=\"");
            push_escaped(&mut self.out, value);
            self.out.push('"');
        }
    }
}

/// Appends `text` fit for element content or a double- or single-quoted attribute. Characters
/// XML 1.0 cannot carry at all (most C0 controls, U+FFFE, U+FFFF) are dropped.
pub fn push_escaped(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if c < ' ' || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nothing_typed_escapes_its_element() {
        let mut x = Xml::document();
        x.open("feed", &[("xml:lang", "en")]).text("title", &[("note", "\"quoted\" & 'single'")], "Fish & <Chips> ]]> \u{1}\u{FFFF}done").close("feed");
        assert_eq!(
            x.finish(),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<feed xml:lang=\"en\">\n<title note=\"&quot;quoted&quot; &amp; &apos;single&apos;\">Fish &amp; &lt;Chips&gt; ]]&gt; done</title>\n</feed>\n"
        );
    }
}

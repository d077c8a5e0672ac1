//! Helpers for tests, here and in other crates (with the `testing` feature): what a browser
//! would make of HTML that Marquee sends, checked for anything that could run.
//!
//! The HTML is parsed by html5ever, the parser of Servo, which follows the HTML standard's
//! tokenizer and tree builder: it sees the elements and attributes a browser sees, however
//! the markup is broken, nested or encoded.

use html5ever::tendril::TendrilSink;
use html5ever::{local_name, ns, ParseOpts, QualName};
use markup5ever_rcdom::{Handle, NodeData, RcDom};

/// Elements that run code, load a document or a plugin, change where links go or what the
/// page looks like outside its box, or send a form: none may ever be in a body or comment.
pub const FORBIDDEN_ELEMENTS: &[&str] = &[
    "script",
    "iframe",
    "frame",
    "frameset",
    "object",
    "embed",
    "applet",
    "base",
    "meta",
    "link",
    "style",
    "form",
    "input",
    "button",
    "textarea",
    "select",
    "svg",
    "math",
    "template",
    "noscript",
    "portal",
    "fencedframe",
];

/// Attributes that hold a URL a browser may follow, load or run.
const URL_ATTRIBUTES: &[&str] = &[
    "href",
    "src",
    "action",
    "formaction",
    "srcset",
    "poster",
    "data",
    "background",
    "cite",
    "longdesc",
    "lowsrc",
    "dynsrc",
    "ping",
    "manifest",
    "codebase",
    "xlink:href",
    "imagesrcset",
];

/// An element of the parsed tree, as a browser would have it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Element {
    /// The local name, lowercase.
    pub name: String,
    /// (name, value), names lowercase.
    pub attrs: Vec<(String, String)>,
    /// The element's depth below the fragment's root (1 for a top-level element).
    pub depth: usize,
    /// In the HTML namespace (not SVG or MathML).
    pub html: bool,
}

/// Parses `html` the way a browser parses the inside of a `<div>` (innerHTML, scripting on)
/// and lists its elements in document order, template contents included.
pub fn elements(html: &str) -> Vec<Element> {
    let mut opts = ParseOpts::default();
    opts.tree_builder.scripting_enabled = true;
    let context = QualName::new(None, ns!(html), local_name!("div"));
    let dom: RcDom = html5ever::parse_fragment(RcDom::default(), opts, context, Vec::new(), true).one(html);
    let mut out = Vec::new();
    // The fragment parser puts the nodes under an <html> element of its own.
    let root = dom.document.children.borrow().first().cloned();
    if let Some(root) = root {
        for child in root.children.borrow().iter() {
            walk(child, 1, &mut out);
        }
    }
    out
}

fn walk(node: &Handle, depth: usize, out: &mut Vec<Element>) {
    if let NodeData::Element { name, attrs, template_contents, .. } = &node.data {
        out.push(Element {
            name: name.local.to_string(),
            attrs: attrs
                .borrow()
                .iter()
                .map(|a| {
                    let key = match &a.name.prefix {
                        Some(p) => format!("{p}:{}", a.name.local),
                        None => a.name.local.to_string(),
                    };
                    (key, a.value.to_string())
                })
                .collect(),
            depth,
            html: name.ns == ns!(html),
        });
        if let Some(t) = template_contents.borrow().as_ref() {
            for child in t.children.borrow().iter() {
                walk(child, depth + 1, out);
            }
        }
    }
    for child in node.children.borrow().iter() {
        walk(child, depth + 1, out);
    }
}

/// A URL as a browser reads its scheme: leading and trailing spaces and control characters
/// removed, tabs and line breaks removed anywhere, lowercase.
fn normalized_url(value: &str) -> String {
    let trimmed = value.trim_matches(|c: char| c <= ' ');
    trimmed.chars().filter(|c| !matches!(c, '\t' | '\n' | '\r')).collect::<String>().to_ascii_lowercase()
}

/// The scheme a browser would use for `value`, if it names one (`javascript` for
/// `JaVa\tScRiPt:alert(1)`).
pub fn url_scheme(value: &str) -> Option<String> {
    let url = normalized_url(value);
    let colon = url.find(':')?;
    let scheme = &url[..colon];
    let first = scheme.chars().next()?;
    (first.is_ascii_alphabetic() && scheme.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))).then(|| scheme.to_string())
}

/// Every URL in an attribute's value: the value itself, or for a `srcset` each candidate's
/// address.
fn urls_in<'a>(attr: &str, value: &'a str) -> Vec<&'a str> {
    if attr == "srcset" || attr == "imagesrcset" {
        value.split(',').map(|candidate| candidate.split_whitespace().next().unwrap_or("")).collect()
    } else {
        vec![value]
    }
}

/// What in `html` could run code or load something it should not, as sentences; empty when
/// nothing does. Looked for: the [`FORBIDDEN_ELEMENTS`]; any attribute named `on…` (an event
/// handler), `style` or `http-equiv`; a URL whose scheme is not `http`, `https` or `mailto`
/// (`javascript:`, `vbscript:`, `data:` ...; see [`unsafe_html_with`]).
pub fn unsafe_html(html: &str) -> Vec<String> {
    unsafe_html_with(html, &["http", "https", "mailto"])
}

/// [`unsafe_html`], with the URL schemes a link or image may use. Relative URLs (no scheme)
/// are always allowed.
pub fn unsafe_html_with(html: &str, allowed_schemes: &[&str]) -> Vec<String> {
    let mut problems = Vec::new();
    for el in elements(html) {
        if !el.html {
            problems.push(format!("<{}> outside HTML (SVG or MathML)", el.name));
        }
        if FORBIDDEN_ELEMENTS.contains(&el.name.as_str()) {
            problems.push(format!("a <{}> element", el.name));
        }
        for (key, value) in &el.attrs {
            if key.starts_with("on") {
                problems.push(format!("the event handler {key}=\"{value}\" on <{}>", el.name));
            }
            if matches!(key.as_str(), "style" | "http-equiv") {
                problems.push(format!("the attribute {key}=\"{value}\" on <{}>", el.name));
            }
            if URL_ATTRIBUTES.contains(&key.as_str()) {
                for url in urls_in(key, value) {
                    if let Some(scheme) = url_scheme(url) {
                        if !allowed_schemes.contains(&scheme.as_str()) {
                            problems.push(format!("the {scheme}: URL {key}=\"{value}\" on <{}>", el.name));
                        }
                    }
                }
            }
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_checker_sees_what_a_browser_sees() {
        assert!(unsafe_html("<p>Hello <a href=\"https://a.example/\">there</a></p>").is_empty());
        assert!(unsafe_html("<a href=\"/relative\">x</a><img src=\"photo.jpg\" alt=\"\">").is_empty());
        for bad in [
            "<SCRIPT>alert(1)</SCRIPT>",
            "<img src=x OnError=alert(1)>",
            "<a href=\" java\tscript:alert(1)\">x</a>",
            "<a href=\"&#106;avascript:alert(1)\">x</a>",
            "<a href=\"&#x6A;avascript&colon;alert(1)\">x</a>",
            "<img srcset=\"a.png 1x, data:image/svg+xml,x 2x\">",
            "<svg><a href=\"x\">y</a></svg>",
            "<p>ok</p><iframe src=\"https://a.example/\"></iframe>",
            "<template><img src=x onerror=alert(1)></template>",
            "<form action=\"https://evil.example/\"><button>Go</button></form>",
            "<a href=\"vbscript:msgbox\">x</a>",
        ] {
            assert!(!unsafe_html(bad).is_empty(), "{bad}");
        }
        // Text that only looks like markup is text.
        assert!(unsafe_html("&lt;script&gt;alert(1)&lt;/script&gt; javascript:alert(1)").is_empty());
        assert_eq!(url_scheme("  JaVa\nScRiPt:alert(1)"), Some("javascript".into()));
        assert_eq!(url_scheme("/path:with-colon"), None);
        assert_eq!(elements("<div><p>a</p></div>").iter().map(|e| (e.name.as_str(), e.depth)).collect::<Vec<_>>(), vec![("div", 1), ("p", 2)]);
    }
}

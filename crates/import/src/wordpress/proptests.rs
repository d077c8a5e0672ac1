//! Property tests (proptest) for the importers' parsing, which reads files nobody checked:
//! the WordPress export (WXR) reader and what it makes of each post (the HTML converter,
//! `prepare`), and the CSV feeds of theaters, showtimes and events. (The CSV imports
//! themselves are async and need a `Store`; what they call to read and check each line,
//! `read_feed` and `read_place`, is tested here, and the events' fields are checked by
//! `marquee_domain::event::EventInput::check`, tested in marquee-domain. Film records (JSON)
//! are read by `marquee_domain::film::parse_record`, tested there too.)
//!
//! This module sits under `wordpress` so that it can call the importer's private steps.
//! Each property runs `PROPTEST_CASES` cases, 256 by default, as part of `cargo test`; the
//! long run is `PROPTEST_CASES=100000 cargo test --release -p marquee-import --lib proptests`.

use super::xml::{Limits, Node, WxrReader, XmlError};
use super::{html, prepare, Attachment, Categories, Options, PostCtx, Report};
use marquee_domain::media::MediaImage;
use marquee_domain::testing::unsafe_html;
use proptest::prelude::*;
use proptest::sample::select;
use std::collections::HashMap;

// ---------------------------------------------------------------------------------------------
// Strategies and helpers
// ---------------------------------------------------------------------------------------------

fn any_text(max: usize) -> BoxedStrategy<String> {
    proptest::string::string_regex(&format!("(?s:.{{0,{max}}})")).expect("valid regex").boxed()
}

fn glued(pieces: &'static [&'static str], max_pieces: usize) -> BoxedStrategy<String> {
    let piece = prop_oneof![6 => select(pieces).prop_map(str::to_string), 2 => "[a-zA-Z0-9 ]{1,6}", 1 => any_text(4)];
    proptest::collection::vec(piece, 0..max_pieces).prop_map(|v| v.concat()).boxed()
}

/// Pieces of XML, of WXR and of what breaks them.
const XML: &[&str] = &[
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>",
    "<rss version=\"2.0\">",
    "</rss>",
    "<channel>",
    "</channel>",
    "<item>",
    "</item>",
    "<title>",
    "</title>",
    "<wp:post_id>",
    "</wp:post_id>",
    "<wp:status>",
    "</wp:status>",
    "<content:encoded>",
    "</content:encoded>",
    "<![CDATA[",
    "]]>",
    "]]",
    "]",
    "<!--",
    "-->",
    "--",
    "<!DOCTYPE rss [<!ENTITY x \"y\">]>",
    "<!ENTITY",
    "&amp;",
    "&lt;",
    "&#x1F980;",
    "&#0;",
    "&#xD800;",
    "&#99999999;",
    "&bogus;",
    "&",
    ";",
    "<",
    ">",
    "/>",
    "<a b=\"c\">",
    "<a b='c'/>",
    "<a b=c>",
    "<a b=\"<\">",
    "=",
    "\"",
    "'",
    "\n",
    "\r\n",
    " ",
    "\u{feff}",
    "é",
    "🦀",
    "\u{0}",
    "<wp:author>",
    "</wp:author>",
    "<wp:category>",
    "</wp:category>",
    "<x/>",
    "</x>",
    "<?pi ?>",
    "?>",
    "<rss>",
    "<channel/>",
    "text",
];

/// Reads a whole file: the records, then the end or the error.
fn read_all<R: std::io::Read>(reader: R, limits: Limits) -> (Vec<Node>, Option<XmlError>) {
    let mut r = WxrReader::new(reader, limits);
    let mut records = Vec::new();
    loop {
        match r.next_record() {
            Ok(Some(n)) => records.push(n),
            Ok(None) => return (records, None),
            Err(e) => return (records, Some(e)),
        }
        assert!(records.len() < 100_000, "the reader does not stop");
    }
}

/// Hands over its bytes a few at a time, as a slow disk or a pipe might.
struct Trickle<'a> {
    bytes: &'a [u8],
    sizes: Vec<usize>,
    at: usize,
    n: usize,
}

impl std::io::Read for Trickle<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let size = self.sizes[self.n % self.sizes.len()].min(buf.len()).min(self.bytes.len() - self.at);
        self.n += 1;
        buf[..size].copy_from_slice(&self.bytes[self.at..self.at + size]);
        self.at += size;
        Ok(size)
    }
}

fn escape_xml(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// What an item of an export holds, for the generated exports.
#[derive(Debug, Clone)]
struct Item {
    title: String,
    /// Written in CDATA rather than with entities.
    cdata: bool,
    post_name: String,
    post_date: String,
    status: &'static str,
    content: String,
}

fn item() -> impl Strategy<Value = Item> {
    (
        prop_oneof![3 => "[a-zA-Z0-9 ,.!?'&<>-]{0,30}", 1 => "\\PC{0,12}"],
        any::<bool>(),
        prop_oneof!["[a-z0-9-]{0,12}", "\\PC{0,6}", Just("caf%C3%A9".to_string())],
        prop_oneof![
            Just("2019-05-03 14:22:10".to_string()),
            Just("0000-00-00 00:00:00".to_string()),
            "20[0-9]{2}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}",
            "[0-9é€日-]{0,12}",
            "\\PC{0,14}",
        ],
        select(&["publish", "draft", "pending", "private", "future", "trash", "inherit", "weird"][..]),
        glued(HTML, 20),
    )
        .prop_map(|(title, cdata, post_name, post_date, status, content)| Item { title, cdata, post_name, post_date, status, content })
}

/// An export with `items` as posts, their text written as WordPress writes it, and the line
/// each item starts on.
fn wxr(items: &[Item]) -> (String, Vec<u64>) {
    let mut lines = Vec::new();
    let mut s = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\" xmlns:wp=\"http://wordpress.org/export/1.2/\">\n<channel>\n<title>Paper</title>\n<link>https://old.example</link>\n<wp:base_site_url>https://old.example</wp:base_site_url>\n");
    for (i, it) in items.iter().enumerate() {
        let title = if it.cdata && !it.title.contains("]]>") { format!("<![CDATA[{}]]>", it.title) } else { escape_xml(&it.title) };
        let content = if it.content.contains("]]>") { escape_xml(&it.content) } else { format!("<![CDATA[{}]]>", it.content) };
        lines.push(s.matches('\n').count() as u64 + 1);
        s.push_str(&format!(
            "<item>\n<title>{title}</title>\n<link>https://old.example/?p={id}</link>\n<dc:creator><![CDATA[kim]]></dc:creator>\n<content:encoded>{content}</content:encoded>\n<excerpt:encoded><![CDATA[]]></excerpt:encoded>\n<wp:post_id>{id}</wp:post_id>\n<wp:post_date><![CDATA[{date}]]></wp:post_date>\n<wp:post_date_gmt>{date_gmt}</wp:post_date_gmt>\n<wp:post_name><![CDATA[{name}]]></wp:post_name>\n<wp:status><![CDATA[{status}]]></wp:status>\n<wp:post_type><![CDATA[post]]></wp:post_type>\n<category domain=\"category\" nicename=\"music\"><![CDATA[Music]]></category>\n<wp:postmeta><wp:meta_key>_thumbnail_id</wp:meta_key><wp:meta_value>7</wp:meta_value></wp:postmeta>\n</item>\n",
            id = i + 1,
            date = it.post_date.replace("]]>", ""),
            date_gmt = escape_xml(&it.post_date),
            name = it.post_name.replace("]]>", ""),
            status = it.status,
        ));
    }
    s.push_str("</channel>\n</rss>\n");
    (s, lines)
}

/// Pieces of WordPress post HTML.
const HTML: &[&str] = &[
    "<p>",
    "</p>",
    "<!-- wp:paragraph -->",
    "<!-- /wp:paragraph -->",
    "<script>alert(1)</script>",
    "<script>",
    "<style>",
    "</style>",
    "<a href=\"",
    "<a href=\"javascript:alert(1)\">",
    "<a href='https://a.example/'>",
    "</a>",
    "<img src=\"",
    "<img src=x onerror=alert(1)>",
    "\" alt=\"",
    "\">",
    ">",
    "<",
    "\"",
    "'",
    "<iframe src=\"https://v.example/e\" title=\"T\"></iframe>",
    "<iframe src=\"javascript:alert(1)\">",
    "<video><source src=\"//v.example/a.mp4\"></video>",
    "<figure>",
    "</figure>",
    "<figcaption>",
    "[caption id=\"x\"]",
    "[/caption]",
    "[gallery ids=\"7,8\"]",
    "[gallery]",
    "[embed]",
    "[/embed]",
    "[video mp4=\"https://v.example/a.mp4\"][/video]",
    "[audio src=\"javascript:x\"]",
    "https://video.example/watch?v=a_b",
    "<ul>",
    "<li>",
    "</li>",
    "</ul>",
    "<ol>",
    "<blockquote>",
    "</blockquote>",
    "<pre>",
    "</pre>",
    "<code>",
    "</code>",
    "<table><tr><td>",
    "</td></tr></table>",
    "<h2>",
    "</h2>",
    "<em>",
    "</em>",
    "<strong>",
    "<b>",
    "<sup>",
    "<span style=\"x\" onclick=\"y\">",
    "<div class=\"wp-block-embed__wrapper\">",
    "</div>",
    "<div>",
    "<br>",
    "<br/>",
    "<hr>",
    "&amp;",
    "&lt;",
    "&#8217;",
    "&#x6a;avascript:",
    "&nbsp;",
    "&bogus;",
    "\n",
    "\n\n",
    "\r\n",
    " ",
    "*",
    "_",
    "`",
    "#",
    "1.",
    "-",
    "[",
    "]",
    "(",
    ")",
    "\\",
    "|",
    "~",
    "https://old.example/wp-content/uploads/2019/05/photo-300x200.jpg",
    "wp-attachment:7",
    "media:x",
    "<svg onload=alert(1)>",
    "<form action=x><input></form>",
    "<textarea>",
    "<!--",
    "-->",
    "é",
    "日本",
    "\u{0}",
    "\u{200b}",
];

fn storage() -> marquee_media::Storage {
    marquee_media::Storage::Local(std::path::PathBuf::from("/nonexistent/marquee-proptests"))
}

fn photo() -> MediaImage {
    MediaImage {
        key: "0123456789abcdef01234567".into(),
        alt: "A \"photo\" <b>".into(),
        caption: "<script>alert(1)</script>".into(),
        credit: "Kim & co".into(),
        width: 1200,
        height: 800,
        fallback: "jpg".into(),
        widths: vec![320, 1200],
        webp: true,
    }
}

/// Runs `prepare` on `item` as the importer would, with one attachment (id 7,
/// `2019/05/photo.jpg`), a known author (kim) and the category music.
fn prepared(item: &Node) -> (Result<Option<super::Prepared>, String>, Report) {
    let media = storage();
    let opts = Options::new(&media);
    let tz = jiff::tz::TimeZone::get("America/Los_Angeles").unwrap();
    let authors: HashMap<String, i64> = HashMap::from([("kim".to_string(), 1)]);
    let categories: HashMap<String, String> = HashMap::from([("music".to_string(), "music".to_string())]);
    let sections: HashMap<String, i64> = HashMap::from([("news".to_string(), 1), ("music".to_string(), 2), ("pages".to_string(), 3)]);
    let attachments: HashMap<String, Attachment> =
        HashMap::from([("7".to_string(), Attachment { media_id: 70, image: photo(), parent: "1".into(), link_path: None })]);
    let by_file: HashMap<String, String> = HashMap::from([("2019/05/photo.jpg".to_string(), "7".to_string())]);
    let ctx = PostCtx {
        opts: &opts,
        tz: &tz,
        now: 1_700_000_000,
        authors: &authors,
        categories: &categories,
        cats_by_id: HashMap::new(),
        default_section: 1,
        pages_section: 3,
        sections: &sections,
        attachments: &attachments,
        by_file: &by_file,
    };
    assert_eq!(ctx.opts.categories, Categories::Sections);
    let mut report = Report::default();
    (prepare(&ctx, item, &mut report), report)
}

// ---------------------------------------------------------------------------------------------
// The WXR reader
// ---------------------------------------------------------------------------------------------

proptest! {
    /// Any bytes are read as records or refused with the line and column of the problem; how
    /// the bytes arrive (a few at a time or all at once) changes nothing.
    #[test]
    fn any_bytes_are_records_or_an_error_with_a_place(
        text in prop_oneof![1 => any_text(120), 1 => proptest::collection::vec(any::<u8>(), 0..120).prop_map(|b| String::from_utf8_lossy(&b).into_owned()), 5 => glued(XML, 40)],
        raw_tail in proptest::collection::vec(any::<u8>(), 0..4),
        sizes in proptest::collection::vec(1usize..9, 1..5),
    ) {
        let mut bytes = text.into_bytes();
        bytes.extend(raw_tail);
        let limits = Limits { max_field: 64, max_depth: 8, max_nodes: 50 };
        let (records, error) = read_all(bytes.as_slice(), limits);
        if let Some(e) = &error {
            let lines = bytes.iter().filter(|&&b| b == b'\n').count() as u64 + 1;
            prop_assert!(e.line >= 1 && e.line <= lines && e.column >= 1, "{e}");
            prop_assert!(!e.message.is_empty());
        }
        for r in &records {
            prop_assert!(r.text.len() <= limits.max_field);
        }
        let trickled = read_all(Trickle { bytes: &bytes, sizes, at: 0, n: 0 }, limits);
        prop_assert_eq!(format!("{:?}", trickled), format!("{:?}", (records, error)));
    }

    /// A well-formed export with N posts is read as N items with the same titles, each at its
    /// line; `prepare` makes each a post (or leaves it out for its status) without a panic,
    /// its headline the title's text, its slug and body safe to use.
    #[test]
    fn an_export_of_n_posts_gives_n_posts(items in proptest::collection::vec(item(), 0..6)) {
        let (text, lines) = wxr(&items);
        let (records, error) = read_all(text.as_bytes(), Limits::default());
        prop_assert!(error.is_none(), "{error:?}\n{text}");
        let read: Vec<&Node> = records.iter().filter(|n| n.name == "item").collect();
        prop_assert_eq!(read.len(), items.len());
        for ((node, it), line) in read.iter().zip(&items).zip(lines) {
            prop_assert_eq!(node.get("title"), it.title.as_str());
            prop_assert_eq!(node.line, line);
            let (result, _report) = prepared(node);
            match (result, it.status) {
                (Ok(None), status) => prop_assert!(matches!(status, "trash" | "inherit")),
                (Err(why), status) => prop_assert!(status == "weird" || why.contains("has no date"), "{why}"),
                (Ok(Some(p)), _) => {
                    let title = html::plain_text(&it.title);
                    let want: String = if title.is_empty() { "Untitled".into() } else { title.chars().take(300).collect() };
                    prop_assert_eq!(&p.headline, &want);
                    prop_assert!(marquee_domain::validate_slug(&p.slug).is_ok(), "slug {:?}", p.slug);
                    let problems = unsafe_html(&p.body_html);
                    prop_assert!(problems.is_empty(), "{problems:?}\n{}", p.body_html);
                    prop_assert!(p.old_paths.iter().chain(&p.former_paths).all(|o| o.starts_with('/')));
                }
            }
        }
    }

    /// Items of any content (as the reader hands them over) are prepared or refused with a
    /// reason, never a panic, and no post body runs anything.
    #[test]
    fn any_item_is_prepared_or_refused(fields in proptest::collection::vec((select(&["title", "wp:post_id", "wp:status", "wp:post_date", "wp:post_date_gmt", "wp:post_name", "content:encoded", "excerpt:encoded", "link", "wp:post_type", "dc:creator", "wp:comment_status"][..]), prop_oneof![4 => glued(HTML, 10), 1 => select(&["日本", "— —", "12 a/é", "", "caf%C3%A9", "0000-00-00"][..]).prop_map(str::to_string)]), 0..10)) {
        let mut node = Node { name: "item".into(), line: 1, ..Node::default() };
        for (name, text) in fields {
            node.children.push(Node { name: name.into(), text, line: 1, ..Node::default() });
        }
        for (k, v) in [("wp:post_id", "9"), ("wp:status", "publish"), ("wp:post_date_gmt", "2020-01-02 03:04:05")] {
            if node.child(k).is_none() {
                node.children.push(Node { name: k.into(), text: v.into(), line: 1, ..Node::default() });
            }
        }
        if let (Ok(Some(p)), _) = prepared(&node) {
            let problems = unsafe_html(&p.body_html);
            prop_assert!(problems.is_empty(), "{problems:?}\n{}", p.body_html);
            prop_assert!(!p.headline.is_empty() && p.headline.chars().count() <= 300);
            prop_assert!(marquee_domain::validate_slug(&p.slug).is_ok(), "slug {:?}", p.slug);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The HTML converter
// ---------------------------------------------------------------------------------------------

proptest! {
    /// Any post HTML converts to Markdown, and that Markdown renders (as the importer renders
    /// it, library images included) to a body that runs nothing; the text helpers take any
    /// text.
    #[test]
    fn converted_posts_run_nothing(source in prop_oneof![1 => any_text(80), 6 => glued(HTML, 40)]) {
        let expanded = html::expand_media_shortcodes(&source, &mut |ids: Option<&str>| ids.map(|ids| format!("<img src=\"wp-attachment:{ids}\" alt=\"\">")));
        let converted = html::to_markdown(&expanded, &mut |src: &str| src.contains("photo").then(|| html::FoundImage { key: "0123456789abcdef01234567".into(), alt: "a \"photo\"".into() }));
        let body = marquee_domain::markdown::render_checked_with_media(&converted.markdown, usize::MAX, &|k: &str| (k == "0123456789abcdef01234567").then(photo));
        if let Ok(body) = body {
            let problems = unsafe_html(&body);
            prop_assert!(problems.is_empty(), "{problems:?}\nhtml: {source:?}\nmarkdown: {:?}\nbody: {body}", converted.markdown);
        }
        let plain = html::plain_text(&source);
        prop_assert!(!plain.contains("  ") && plain.trim() == plain);
        let _ = html::decode_entities(&source);
    }
}

// ---------------------------------------------------------------------------------------------
// CSV feeds
// ---------------------------------------------------------------------------------------------

/// A place as a feed line gives it.
#[derive(Debug, Clone)]
struct Place {
    name: String,
    url: String,
    zone: String,
    lat: String,
    lon: String,
    postal_code: String,
}

fn place() -> impl Strategy<Value = Place> {
    (
        prop_oneof![4 => "[A-Za-z0-9 ,\"'&é-]{0,30}", 1 => any_text(10)],
        prop_oneof![
            Just(String::new()),
            Just("https://hall.example/".to_string()),
            Just("javascript:alert(1)".to_string()),
            "https?://[a-z.]{0,10}",
            any_text(10)
        ],
        select(&["America/Los_Angeles", "UTC", "Mars/Base", "", " utc "][..]).prop_map(str::to_string),
        prop_oneof![Just(String::new()), "-?[0-9]{1,3}(\\.[0-9]{1,4})?", Just("NaN".to_string()), Just("inf".to_string())],
        prop_oneof![Just(String::new()), "-?[0-9]{1,3}(\\.[0-9]{1,4})?"],
        prop_oneof![Just(String::new()), Just("94612".to_string()), "[0-9]{5}", any_text(5)],
    )
        .prop_map(|(name, url, zone, lat, lon, postal_code)| Place { name, url, zone, lat, lon, postal_code })
}

fn csv_line(fields: &[&str]) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(fields).unwrap();
    String::from_utf8(w.into_inner().unwrap()).unwrap()
}

proptest! {
    /// Any text is a feed of well-formed lines and errors naming their lines; a line's place
    /// is read or refused with a reason, never a panic.
    #[test]
    fn any_feed_is_lines_or_line_errors(text in prop_oneof![any_text(200), glued(&["name,time_zone,url,latitude,longitude,postal_code\n", ",", "\"", "\"\"", "\n", "\r\n", "UTC", "America/Los_Angeles", "https://a.example", "javascript:x", "12.5", "-200", "NaN", "94612", " ", "\u{feff}", "é"], 40)]) {
        let Ok(feed) = crate::read_feed("feed.csv", &text) else { return Ok(()) };
        let lines = text.lines().count() as u64 + 1;
        for e in &feed.errors {
            prop_assert!(e.starts_with("feed.csv:"), "{e}");
        }
        for (line, row) in &feed.rows {
            prop_assert!(*line <= lines);
            if let Ok(p) = crate::read_place(&feed.headers, row, "name", "url") {
                prop_assert!(!p.name.is_empty() && p.name.chars().count() <= 200);
                prop_assert!(p.url.is_empty() || marquee_domain::event::is_http_url(&p.url));
                prop_assert!(marquee_domain::time::parse_zone(&p.time_zone).is_ok());
                if let Some((lat, lon)) = p.point {
                    prop_assert!(marquee_domain::geo::valid_point(lat, lon));
                }
            }
        }
    }

    /// A feed written by a CSV writer reads back line for line, and each place is what its
    /// line says or refused for what is wrong with it.
    #[test]
    fn written_feeds_read_back(places in proptest::collection::vec(place(), 0..8)) {
        let mut text = String::from("name,url,time_zone,latitude,longitude,postal_code\n");
        for p in &places {
            text.push_str(&csv_line(&[&p.name, &p.url, &p.zone, &p.lat, &p.lon, &p.postal_code]));
        }
        let feed = crate::read_feed("feed.csv", &text).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert!(feed.errors.is_empty(), "{:?}", feed.errors);
        prop_assert_eq!(feed.rows.len(), places.len());
        for ((_, row), p) in feed.rows.iter().zip(&places) {
            match crate::read_place(&feed.headers, row, "name", "url") {
                Ok(read) => {
                    prop_assert_eq!(&read.name, p.name.trim());
                    prop_assert_eq!(&read.url, p.url.trim());
                    prop_assert!(marquee_domain::time::parse_zone(p.zone.trim()).is_ok());
                }
                Err(why) => {
                    let name = p.name.trim();
                    let bad_name = name.is_empty() || name.chars().count() > 200;
                    let bad_url = !p.url.trim().is_empty() && !marquee_domain::event::is_http_url(p.url.trim());
                    let bad_zone = marquee_domain::time::parse_zone(p.zone.trim()).is_err();
                    let bad_point = !(p.lat.trim().is_empty() && p.lon.trim().is_empty());
                    prop_assert!(bad_name || bad_url || bad_zone || bad_point, "{why}: {p:?}");
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Regressions: the shrunk cases of what the properties found
// ---------------------------------------------------------------------------------------------

fn item_of(fields: &[(&str, &str)]) -> Node {
    let mut node = Node { name: "item".into(), line: 1, ..Node::default() };
    for (k, v) in fields {
        node.children.push(Node { name: (*k).into(), text: (*v).into(), line: 1, ..Node::default() });
    }
    node
}

/// Found by `an_export_of_n_posts_gives_n_posts`: a post's old dated address was cut from
/// `wp:post_date` by byte positions, which panicked (and stopped the import) when a character
/// of more than one byte stood across one of them.
#[test]
fn regression_a_post_date_of_other_characters_does_not_panic() {
    for date in ["ꢀ0𑜀AA", "¡ࠀ<!-- wp:paragraph -->", "2019é-05-03 14:22:10"] {
        let (result, _) = prepared(&item_of(&[("title", "T"), ("wp:post_id", "1"), ("wp:status", "draft"), ("wp:post_name", "a"), ("wp:post_date", date)]));
        assert!(result.is_ok(), "{date}");
    }
    let (result, _) =
        prepared(&item_of(&[("title", "T"), ("wp:post_id", "1"), ("wp:status", "draft"), ("wp:post_name", "hello"), ("wp:post_date", "2019-05-03 14:22:10")]));
    assert!(result.unwrap().unwrap().old_paths.contains(&"/2019/05/03/hello/".to_string()));
}

/// Found by `any_item_is_prepared_or_refused`: a post whose name and title give no slug got
/// `post-` and its WordPress id as written in the export, which need not be a number
/// (`post-<p>`, `post-12 a/é`), and so a slug no address can hold.
#[test]
fn regression_a_post_without_a_usable_title_gets_a_valid_slug() {
    for (title, id, want) in [("*", "<p>", "post-p"), ("日本", "12 a/é", "post-12-a-e"), ("", "7", "untitled")] {
        let (result, _) = prepared(&item_of(&[("title", title), ("wp:post_id", id), ("wp:status", "draft")]));
        assert_eq!(result.unwrap().unwrap().slug, want, "{title:?} {id:?}");
    }
}

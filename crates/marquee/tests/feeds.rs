//! Feeds, sitemaps and robots.txt over real HTTP, on both databases. Every RSS and Atom feed is
//! also read by a real feed reader library, Python's feedparser, which the tests install into a
//! virtual environment under the target directory the first time they need it. (feedparser 6
//! does not read JSON Feed, so JSON feeds are checked field by field with serde_json.)

mod common;

use common::{article_id, TestSite};
use serde_json::Value;
use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

const FORMATS: [(&str, &str); 3] =
    [("feed.xml", "application/rss+xml; charset=utf-8"), ("atom.xml", "application/atom+xml; charset=utf-8"), ("feed.json", "application/feed+json; charset=utf-8")];

/// A response with the headers these tests look at.
struct Fetched {
    status: u16,
    content_type: String,
    etag: String,
    last_modified: String,
    body: String,
}

async fn fetch(site: &TestSite, path: &str, headers: &[(&str, &str)]) -> Fetched {
    let mut req = common::new_client().get(site.url(path));
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let r = req.send().await.unwrap();
    let header = |name: &str| r.headers().get(name).map(|v| v.to_str().unwrap().to_string()).unwrap_or_default();
    let (status, content_type, etag, last_modified) = (r.status().as_u16(), header("content-type"), header("etag"), header("last-modified"));
    Fetched { status, content_type, etag, last_modified, body: r.text().await.unwrap() }
}

/// Saves an article through the newsroom form as the signed-in editor; returns its id.
async fn save(site: &TestSite, fields: &[(&str, &str)]) -> i64 {
    let author = site.author_id("eddie-editor").await;
    let mut all: Vec<(&str, &str)> = vec![("author1", &author), ("deck", "A deck."), ("body", "Body text."), ("action", "publish")];
    all.retain(|(k, _)| !fields.iter().any(|(f, _)| f == k));
    all.extend_from_slice(fields);
    let (status, loc, text) = site.write(&all).await;
    assert_eq!(status, 303, "saving failed: {text}");
    article_id(&loc).parse().unwrap()
}

async fn publish(site: &TestSite, headline: &str, slug: &str, section: &str) -> i64 {
    let sec = site.section_id(section).await;
    save(site, &[("headline", headline), ("slug", slug), ("section", &sec)]).await
}

/// The id a feed gives an article: a tag URI from the host, the day it was created, its id.
async fn feed_id(site: &TestSite, id: i64) -> String {
    let (created,): (i64,) = sqlx::query_as("SELECT created_at FROM articles WHERE id = $1").bind(id).fetch_one(site.store.pool()).await.unwrap();
    format!("tag:127.0.0.1,{}:article:{id}", marquee_domain::time::utc_date(created))
}

/// Texts of the elements called `name` (any namespace), in document order.
fn texts(doc: &roxmltree::Document, name: &str) -> Vec<String> {
    doc.descendants().filter(|n| n.tag_name().name() == name).map(|n| n.text().unwrap_or_default().to_string()).collect()
}

fn parse_xml<'a>(what: &str, body: &'a str) -> roxmltree::Document<'a> {
    roxmltree::Document::parse(body).unwrap_or_else(|e| panic!("{what} is not well-formed XML ({e}):\n{body}"))
}

/// Checks what JSON Feed 1.1 requires and what readers rely on; returns the parsed feed.
fn check_json_feed(what: &str, body: &str) -> Value {
    let feed: Value = serde_json::from_str(body).unwrap_or_else(|e| panic!("{what} is not JSON ({e}):\n{body}"));
    assert_eq!(feed["version"], "https://jsonfeed.org/version/1.1", "{what}");
    assert!(feed["title"].as_str().is_some_and(|t| !t.is_empty()), "{what}: title");
    for key in ["home_page_url", "feed_url"] {
        assert!(feed[key].as_str().is_some_and(|u| u.starts_with("http://")), "{what}: {key} must be absolute");
    }
    for item in feed["items"].as_array().unwrap_or_else(|| panic!("{what}: items must be an array")) {
        assert!(item["id"].as_str().is_some_and(|i| !i.is_empty()), "{what}: every item needs an id");
        assert!(item["content_html"].is_string() || item["content_text"].is_string(), "{what}: every item needs content");
        assert!(item["url"].as_str().is_some_and(|u| u.starts_with("http://")), "{what}: item url");
        for key in ["date_published", "date_modified"] {
            let date = item[key].as_str().unwrap_or_else(|| panic!("{what}: {key}"));
            assert!(date.parse::<jiff::Timestamp>().is_ok(), "{what}: {key} {date} is not RFC 3339");
        }
        for author in item["authors"].as_array().unwrap_or_else(|| panic!("{what}: authors must be an array")) {
            assert!(author["name"].is_string(), "{what}: an author needs a name");
        }
    }
    feed
}

// ---------------------------------------------------------------------------------------------
// feedparser

/// A Python with feedparser 6, in a venv made once under the target directory. Made in a
/// scratch directory and renamed into place under a file lock, so parallel tests and test
/// processes never see half a venv. Any failure fails the test that asked.
fn feedparser_python() -> &'static Path {
    static PYTHON: OnceLock<PathBuf> = OnceLock::new();
    PYTHON.get_or_init(|| install_feedparser().unwrap_or_else(|e| panic!("cannot set up Python's feedparser for the feed tests: {e}")))
}

fn install_feedparser() -> Result<PathBuf, String> {
    let root = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let venv = root.join("feedparser-venv");
    let python = venv.join("bin").join("python");
    let ready = |python: &Path| Command::new(python).args(["-c", "import feedparser, sys; sys.exit(0 if feedparser.__version__.startswith('6.') else 1)"]).status().is_ok_and(|s| s.success());
    if ready(&python) {
        return Ok(python);
    }
    std::fs::create_dir_all(&root).map_err(|e| format!("{}: {e}", root.display()))?;
    let lock = std::fs::File::create(root.join("feedparser-venv.lock")).map_err(|e| e.to_string())?;
    lock.lock().map_err(|e| format!("locking the venv: {e}"))?;
    if ready(&python) {
        return Ok(python);
    }
    let scratch = root.join(format!("feedparser-venv-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&scratch);
    let run = |cmd: &mut Command| -> Result<(), String> {
        let out = cmd.output().map_err(|e| format!("{cmd:?} did not start: {e} (is python3 installed?)"))?;
        if out.status.success() {
            Ok(())
        } else {
            Err(format!("{cmd:?} failed: {}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)))
        }
    };
    run(Command::new("python3").args(["-m", "venv"]).arg(&scratch))?;
    run(Command::new(scratch.join("bin").join("python")).args(["-m", "pip", "install", "--quiet", "--disable-pip-version-check", "feedparser==6.*"]))?;
    let _ = std::fs::remove_dir_all(&venv);
    std::fs::rename(&scratch, &venv).map_err(|e| format!("moving the venv into place: {e}"))?;
    if ready(&python) {
        Ok(python)
    } else {
        Err(format!("{} cannot import feedparser 6 after installing it", python.display()))
    }
}

/// Reads feeds with feedparser and reports what it understood, one summary per feed.
const READ_FEEDS: &str = r#"
import calendar, io, json, sys
import feedparser

def when(parsed):
    return calendar.timegm(parsed) if parsed else None

out = []
for f in json.load(sys.stdin):
    d = feedparser.parse(io.BytesIO(f["body"].encode("utf-8")), response_headers={"content-type": f["content_type"]})
    out.append({
        "bozo": int(bool(d.bozo)),
        "error": repr(d.get("bozo_exception")),
        "version": d.version,
        "title": d.feed.get("title"),
        "link": d.feed.get("link"),
        "self": [l.get("href") for l in d.feed.get("links", []) if l.get("rel") == "self"],
        "entries": [{
            "title": e.get("title"),
            "link": e.get("link"),
            "id": e.get("id"),
            "authors": [a.get("name") for a in e.get("authors", [])],
            "author_pages": [a.get("href") for a in e.get("authors", []) if a.get("href")],
            "tags": [t.get("term") for t in e.get("tags", [])],
            "summary": e.get("summary"),
            "content": [c.get("value") for c in e.get("content", [])],
            "published": when(e.get("published_parsed")),
        } for e in d.entries],
    })
json.dump(out, sys.stdout)
"#;

/// feedparser's view of each `(body, content type)`; fails unless every feed parses cleanly.
fn feedparser(feeds: &[(String, &str, &str)]) -> Vec<Value> {
    let input: Vec<Value> = feeds.iter().map(|(_, body, ct)| serde_json::json!({"body": body, "content_type": ct})).collect();
    let mut child = Command::new(feedparser_python())
        .args(["-c", READ_FEEDS])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python with feedparser did not start");
    serde_json::to_writer(child.stdin.take().unwrap(), &input).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "feedparser failed: {}", String::from_utf8_lossy(&out.stderr));
    let parsed: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    for ((name, body, _), p) in feeds.iter().zip(&parsed) {
        assert_eq!(p["bozo"], 0, "feedparser found {name} malformed: {}\n{body}", p["error"]);
    }
    parsed
}

// ---------------------------------------------------------------------------------------------
// Feeds

const HEADLINE: &str = "Fish & Chips <Live> \"Now\"";
const DECK: &str = "Crisp & hot, at last.";

both_backends!(every_feed_carries_the_live_article_and_nothing_else, |site| {
    site.login("editor").await;
    let movies = site.section_id("movie-review").await;
    let wren = site.author_id("wren-writer").await;
    let body = "Fried *daily* & served hot.\n\nA line with ]]> in it.";
    let fields = [("headline", HEADLINE), ("deck", DECK), ("slug", "fish-and-chips"), ("section", movies.as_str()), ("author2", wren.as_str()), ("tags", "Oakland, Fish & Chips"), ("body", body)];
    let id = save(&site, &fields).await;
    save(&site, &[("headline", "Secret plans"), ("slug", "secret-plans"), ("section", &movies), ("tags", "Oakland"), ("action", "save")]).await;
    let tz = jiff::tz::TimeZone::get("America/Los_Angeles").unwrap();
    let tomorrow = marquee_domain::time::datetime_local(marquee_domain::time::now_unix() + 86_400, &tz);
    save(&site, &[("headline", "Tomorrow's news"), ("slug", "tomorrows-news"), ("section", &movies), ("tags", "Oakland"), ("publish_at", &tomorrow), ("action", "schedule")]).await;

    let base = site.base.clone();
    let tag_id = feed_id(&site, id).await;
    let url = format!("{base}/movie-review/fish-and-chips/");
    let (publish_at,): (i64,) = sqlx::query_as("SELECT publish_at FROM articles WHERE id = $1").bind(id).fetch_one(site.store.pool()).await.unwrap();
    let scopes = [("/", "The Test Weekly"), ("/movie-review/", "The Test Weekly: Movie Review"), ("/authors/eddie-editor/", "The Test Weekly: Eddie Editor"), ("/tags/oakland/", "The Test Weekly: Oakland")];
    let mut xml_feeds: Vec<(String, String, &str, &str)> = Vec::new();
    for (page, title) in scopes {
        for (file, content_type) in FORMATS {
            let path = format!("{page}{file}");
            let f = fetch(&site, &path, &[]).await;
            assert_eq!(f.status, 200, "{path}");
            assert_eq!(f.content_type, content_type, "{path}");
            assert!(!f.etag.is_empty() && !f.last_modified.is_empty(), "{path} has validators");
            for hidden in ["Secret plans", "Tomorrow"] {
                assert!(!f.body.contains(hidden), "{path} shows {hidden}");
            }
            if file == "feed.json" {
                let feed = check_json_feed(&path, &f.body);
                assert_eq!(feed["title"], title, "{path}");
                assert_eq!(feed["feed_url"], format!("{base}{path}"));
                assert_eq!(feed["home_page_url"], format!("{base}{page}"));
                let items = feed["items"].as_array().unwrap();
                assert_eq!(items.len(), 1, "{path}");
                let item = &items[0];
                assert_eq!(item["id"], tag_id.as_str());
                assert_eq!(item["url"], url.as_str());
                assert_eq!(item["title"], HEADLINE);
                assert_eq!(item["summary"], DECK);
                let html = item["content_html"].as_str().unwrap();
                assert!(html.contains("<em>daily</em> &amp; served hot") && html.contains("A line with ]]"), "{path}: the whole sanitized body: {html}");
                assert_eq!(item["authors"], serde_json::json!([{"name": "Eddie Editor", "url": format!("{base}/authors/eddie-editor/")}, {"name": "Wren Writer", "url": format!("{base}/authors/wren-writer/")}]));
                assert_eq!(item["tags"], serde_json::json!(["Movie Review", "Oakland", "Fish & Chips"]));
            } else {
                let doc = parse_xml(&path, &f.body);
                assert_eq!(doc.root_element().tag_name().name(), if file == "feed.xml" { "rss" } else { "feed" });
                let content = texts(&doc, if file == "feed.xml" { "encoded" } else { "content" });
                assert_eq!(content.len(), 1, "{path}");
                assert!(content[0].contains("<em>daily</em> &amp; served hot"), "{path}: the whole body: {}", content[0]);
                xml_feeds.push((path, f.body, content_type, title));
            }
        }
    }

    // A real feed reader understands every RSS and Atom feed the same way.
    let inputs: Vec<(String, &str, &str)> = xml_feeds.iter().map(|(p, b, ct, _)| (p.clone(), b.as_str(), *ct)).collect();
    for ((path, _, _, title), seen) in xml_feeds.iter().zip(feedparser(&inputs)) {
        let page = path.rsplit_once('/').unwrap().0;
        assert_eq!(seen["version"], if path.ends_with("feed.xml") { "rss20" } else { "atom10" }, "{path}");
        assert_eq!(seen["title"], *title, "{path}");
        assert_eq!(seen["link"], format!("{base}{page}/"), "{path}");
        assert_eq!(seen["self"], serde_json::json!([format!("{base}{path}")]), "{path}");
        let entries = seen["entries"].as_array().unwrap();
        assert_eq!(entries.len(), 1, "{path}: only the live article");
        let e = &entries[0];
        assert_eq!(e["title"], HEADLINE, "{path}");
        assert_eq!(e["link"], url.as_str(), "{path}");
        assert_eq!(e["id"], tag_id.as_str(), "{path}");
        assert_eq!(e["authors"], serde_json::json!(["Eddie Editor", "Wren Writer"]), "{path}");
        assert_eq!(e["tags"], serde_json::json!(["Movie Review", "Oakland", "Fish & Chips"]), "{path}");
        assert_eq!(e["published"], publish_at, "{path}: the publication time survives the date format");
        assert!(e["content"][0].as_str().unwrap().contains("<em>daily</em>"), "{path}: {e}");
        if path.ends_with("atom.xml") {
            assert_eq!(e["author_pages"], serde_json::json!([format!("{base}/authors/eddie-editor/"), format!("{base}/authors/wren-writer/")]), "{path}");
        }
    }

    // Nothing at an unknown address.
    for path in ["/no-such-section/feed.xml", "/authors/nobody/atom.xml", "/tags/nothing/feed.json", "/movie-review/feed.xml/"] {
        assert_eq!(fetch(&site, path, &[]).await.status, 404, "{path}");
    }

    // Feed readers find the feeds from the pages.
    let (_, home) = site.read("/").await;
    for (file, content_type) in FORMATS {
        let media = content_type.split(';').next().unwrap();
        assert!(home.contains(&format!("<link rel=\"alternate\" type=\"{media}\" title=\"The Test Weekly (")) && home.contains(&format!("href=\"/{file}\"")), "home page lacks {file}");
    }
    for page in ["/movie-review/", "/authors/eddie-editor/", "/tags/oakland/"] {
        let (_, html) = site.read(page).await;
        for (file, _) in FORMATS {
            assert!(html.contains(&format!("href=\"{page}{file}\"")), "{page} does not link its {file}");
        }
    }
});

both_backends!(feed_ids_stay_and_conditional_gets_answer_304, |site| {
    site.login("editor").await;
    let id = publish(&site, "Old name", "old-name", "news").await;
    let tag_id = feed_id(&site, id).await;
    let first = fetch(&site, "/atom.xml", &[]).await;
    let doc = parse_xml("atom", &first.body);
    assert_eq!(texts(&doc, "id")[1], tag_id, "the entry's id");

    // Conditional GET: the same tag or a date no older than Last-Modified gets 304, no body.
    for headers in [vec![("if-none-match", first.etag.as_str())], vec![("if-modified-since", first.last_modified.as_str())]] {
        let again = fetch(&site, "/atom.xml", &headers).await;
        assert_eq!(again.status, 304, "{headers:?}");
        assert!(again.body.is_empty());
        assert_eq!(again.etag, first.etag);
    }
    let lm = marquee_domain::time::parse_http_date(&first.last_modified).expect("Last-Modified is an HTTP date");
    // The publication, or the moment the server noticed it (a save may end in the next second).
    let published = sqlx::query_as::<_, (i64,)>("SELECT publish_at FROM articles WHERE id = $1").bind(id).fetch_one(site.store.pool()).await.unwrap().0;
    assert!((published..=published + 5).contains(&lm), "Last-Modified {lm}, published {published}");
    let older = marquee_domain::time::http_date(lm - 60);
    assert_eq!(fetch(&site, "/atom.xml", &[("if-modified-since", &older)]).await.status, 200);
    assert_eq!(fetch(&site, "/atom.xml", &[("if-none-match", "\"something-else\""), ("if-modified-since", &first.last_modified)]).await.status, 200, "a tag that does not match decides");
    let cached = fetch(&site, "/atom.xml", &[]).await;
    assert_eq!((cached.etag.as_str(), cached.body.as_str()), (first.etag.as_str(), first.body.as_str()), "served again, identical");

    // A new slug and headline: a new link, the same id in every format.
    let edit = format!("/admin/articles/{id}");
    let news = site.section_id("news").await;
    let author = site.author_id("eddie-editor").await;
    let (status, _, _) = site.post_form(&edit, &edit, &[("headline", "New name"), ("slug", "new-name"), ("section", &news), ("author1", &author), ("body", "Body."), ("action", "publish")]).await;
    assert_eq!(status, 303);
    let moved = fetch(&site, "/atom.xml", &[("if-none-match", &first.etag)]).await;
    assert_eq!(moved.status, 200, "the edit changed the feed");
    assert_ne!(moved.etag, first.etag);
    let doc = parse_xml("atom", &moved.body);
    assert_eq!(texts(&doc, "id")[1], tag_id, "the id survives the new slug");
    assert!(moved.body.contains(&format!("{}/news/new-name/", site.base)) && !moved.body.contains("old-name"));
    let rss = fetch(&site, "/news/feed.xml", &[]).await;
    assert_eq!(texts(&parse_xml("rss", &rss.body), "guid"), vec![tag_id.clone()]);
    let json = check_json_feed("json", &fetch(&site, "/news/feed.json", &[]).await.body);
    assert_eq!(json["items"][0]["id"], tag_id.as_str());

    // A new article: a 200 with a new tag for the client holding the old one.
    let second = publish(&site, "Second story", "second-story", "news").await;
    let newer = fetch(&site, "/atom.xml", &[("if-none-match", &moved.etag)]).await;
    assert_eq!(newer.status, 200);
    assert_ne!(newer.etag, moved.etag);
    let ids = texts(&parse_xml("atom", &newer.body), "id");
    assert_eq!(ids[1..], [feed_id(&site, second).await, tag_id], "newest first");
    assert_eq!(fetch(&site, "/atom.xml", &[("if-none-match", &newer.etag)]).await.status, 304);
});

both_backends!(an_empty_feed_is_still_a_feed, |site| {
    let mut feeds = Vec::new();
    for (file, content_type) in FORMATS {
        let f = fetch(&site, &format!("/news/{file}"), &[]).await;
        assert_eq!((f.status, f.content_type.as_str()), (200, content_type));
        assert!(marquee_domain::time::parse_http_date(&f.last_modified).is_some());
        if file == "feed.json" {
            assert_eq!(check_json_feed(file, &f.body)["items"], serde_json::json!([]));
        } else {
            feeds.push((file.to_string(), f.body, content_type));
        }
    }
    let inputs: Vec<(String, &str, &str)> = feeds.iter().map(|(n, b, ct)| (n.clone(), b.as_str(), *ct)).collect();
    for seen in feedparser(&inputs) {
        assert_eq!(seen["entries"], serde_json::json!([]));
        assert_eq!(seen["title"], "The Test Weekly: News");
    }
});

// ---------------------------------------------------------------------------------------------
// Sitemaps and robots.txt

/// The `<loc>`s of a sitemap or sitemap index, which must be well-formed XML of that kind.
async fn locs(site: &TestSite, path: &str, root: &str) -> Vec<String> {
    let f = fetch(site, path, &[]).await;
    assert_eq!(f.status, 200, "{path}");
    assert_eq!(f.content_type, "application/xml; charset=utf-8", "{path}");
    let doc = parse_xml(path, &f.body);
    assert_eq!(doc.root_element().tag_name().name(), root, "{path}");
    assert_eq!(doc.root_element().tag_name().namespace(), Some("http://www.sitemaps.org/schemas/sitemap/0.9"), "{path}");
    texts(&doc, "loc")
}

/// Every URL in the child sitemaps whose file names start with `kind`, in order.
async fn urls_of(site: &TestSite, index: &[String], kind: &str) -> Vec<String> {
    let mut all = Vec::new();
    for child in index.iter().filter(|c| c.contains(&format!("/sitemaps/{kind}-"))) {
        all.extend(locs(site, child.strip_prefix(&site.base).unwrap(), "urlset").await);
    }
    all
}

both_backends!(sitemaps_list_every_public_page_in_small_files, marquee_web::WebConfig { sitemap_page_size: 2, ..Default::default() }, |site| {
    site.login("editor").await;
    let mut live = Vec::new();
    for (i, section) in ["news", "movie-review", "news", "movie-review", "news"].iter().enumerate() {
        let slug = format!("story-{i}");
        publish(&site, &format!("Story {i} & more"), &slug, section).await;
        live.push(format!("{}/{section}/{slug}/", site.base));
    }
    let news = site.section_id("news").await;
    save(&site, &[("headline", "Secret plans"), ("slug", "secret-plans"), ("section", &news), ("action", "save")]).await;
    let film = marquee_domain::film::FilmRecord { title: "Quiet Film".into(), year: Some(2020), ..Default::default() };
    site.store.upsert_film(&film, 0).await.unwrap();
    marquee::import::import_theaters(&site.store, "t.csv", "id,name,postal_code,time_zone\nT1,Near Cinema,94612,America/Los_Angeles\n").await.unwrap();
    // One story is three days old: still in the sitemap, no longer news.
    sqlx::query("UPDATE articles SET publish_at = publish_at - 3 * 86400 WHERE slug = 'story-0'").execute(site.store.pool()).await.unwrap();

    let base = site.base.clone();
    let index = locs(&site, "/sitemap.xml", "sitemapindex").await;
    let expected: Vec<String> = ["articles-1", "articles-2", "articles-3", "sections-1", "authors-1", "films-1", "theaters-1", "news"]
        .iter()
        .map(|f| format!("{base}/sitemaps/{f}.xml"))
        .collect();
    assert_eq!(index, expected, "every child file with URLs in it (no tags yet), five articles making three files of two");

    let articles = urls_of(&site, &index, "articles").await;
    assert_eq!(articles.len(), 5, "{articles:?}");
    assert_eq!(articles.iter().collect::<BTreeSet<_>>(), live.iter().collect::<BTreeSet<_>>(), "every live article once, and nothing else");
    let first = fetch(&site, "/sitemaps/articles-1.xml", &[]).await.body;
    assert_eq!(texts(&parse_xml("articles-1", &first), "lastmod").len(), 2, "articles say when they last changed");
    for beyond in ["articles-4.xml", "articles-999999999999999.xml", "articles-9223372036854775807.xml", "articles-0.xml", "articles-01.xml", "articles.xml", "nothing-1.xml", "films-2.xml"] {
        assert_eq!(fetch(&site, &format!("/sitemaps/{beyond}"), &[]).await.status, 404, "{beyond}");
    }
    assert_eq!(urls_of(&site, &index, "sections").await, vec![format!("{base}/news/"), format!("{base}/movie-review/")]);
    assert_eq!(urls_of(&site, &index, "authors").await, vec![format!("{base}/authors/eddie-editor/")], "only authors with live articles");
    assert_eq!(urls_of(&site, &index, "films").await, vec![format!("{base}/films/quiet-film-2020/")]);
    assert_eq!(urls_of(&site, &index, "theaters").await, vec![format!("{base}/theaters/near-cinema/")]);

    // The news sitemap: the last two days only, with Google News' fields.
    let f = fetch(&site, "/sitemaps/news.xml", &[]).await;
    let doc = parse_xml("news", &f.body);
    let news_locs = texts(&doc, "loc");
    assert_eq!(news_locs.len(), 4, "{news_locs:?}");
    assert!(!news_locs.contains(&live[0]), "a three-day-old story is not news");
    assert_eq!(texts(&doc, "name"), vec!["The Test Weekly"; 4]);
    assert_eq!(texts(&doc, "language"), vec!["en"; 4]);
    assert_eq!(texts(&doc, "title")[0], "Story 4 & more", "newest first, escaped and read back");
    assert!(texts(&doc, "publication_date").iter().all(|d| d.parse::<jiff::Timestamp>().is_ok()));
    let news_ns = doc.descendants().find(|n| n.tag_name().name() == "news").unwrap().tag_name().namespace();
    assert_eq!(news_ns, Some("http://www.google.com/schemas/sitemap-news/0.9"));

    let robots = fetch(&site, "/robots.txt", &[]).await;
    assert_eq!((robots.status, robots.content_type.as_str()), (200, "text/plain; charset=utf-8"));
    let lines: Vec<&str> = robots.body.lines().collect();
    for line in ["User-agent: *", "Disallow: /admin/", "Disallow: /account/", "Allow: /", &format!("Sitemap: {base}/sitemap.xml")] {
        assert!(lines.contains(&line), "robots.txt lacks {line}:\n{}", robots.body);
    }
});

both_backends!(tags_sitemap_and_empty_kinds, |site| {
    // No articles yet: no article, author, tag or news files in the index.
    let index = locs(&site, "/sitemap.xml", "sitemapindex").await;
    assert_eq!(index, vec![format!("{}/sitemaps/sections-1.xml", site.base)]);
    assert_eq!(fetch(&site, "/sitemaps/articles-1.xml", &[]).await.status, 404);
    site.login("editor").await;
    let news = site.section_id("news").await;
    save(&site, &[("headline", "Tagged"), ("slug", "tagged"), ("section", &news), ("tags", "Oakland, Fish & Chips")]).await;
    save(&site, &[("headline", "Draft"), ("slug", "draft"), ("section", &news), ("tags", "Secret"), ("action", "save")]).await;
    let index = locs(&site, "/sitemap.xml", "sitemapindex").await;
    let tags = urls_of(&site, &index, "tags").await;
    assert_eq!(tags, vec![format!("{}/tags/oakland/", site.base), format!("{}/tags/fish-and-chips/", site.base)], "a draft's tags are not listed");

    // Moved to next year, the story is scheduled: neither its tags nor its author are listed
    // until then; back to its time, both are again.
    let authors = urls_of(&site, &index, "authors").await;
    assert_eq!(authors, vec![format!("{}/authors/eddie-editor/", site.base)]);
    for (shift, listed) in [(365 * 86_400, false), (-365 * 86_400, true)] {
        sqlx::query("UPDATE articles SET publish_at = publish_at + $1 WHERE slug = 'tagged'").bind(shift as i64).execute(site.store.pool()).await.unwrap();
        let index = locs(&site, "/sitemap.xml", "sitemapindex").await;
        let files: Vec<&str> = index.iter().filter_map(|f| f.rsplit('/').next()).collect();
        assert_eq!(files.contains(&"tags-1.xml"), listed, "{files:?}");
        assert_eq!(files.contains(&"authors-1.xml"), listed, "{files:?}");
        let status = fetch(&site, "/sitemaps/tags-1.xml", &[]).await.status;
        assert_eq!(status, if listed { 200 } else { 404 });
    }
});

both_backends!(large_sitemaps_stream_in_batches, marquee_web::WebConfig { sitemap_page_size: 1_200, ..Default::default() }, |site| {
    // 1,300 live articles and 1,200 drafts after them, written straight into the database:
    // ids 1-1,200 make file 1, 1,201-2,400 file 2, and 2,401-2,500 are drafts only, so no
    // file 3.
    let news: i64 = site.section_id("news").await.parse().unwrap();
    for (count, status, prefix) in [(1_300, "published", "bulk"), (1_200, "draft", "hidden")] {
        let sql = format!(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {count}) \
             INSERT INTO articles (section_id, slug, headline, status, publish_at, created_at, updated_at) \
             SELECT $1, '{prefix}-' || i, 'Bulk ' || i, '{status}', 1000, 0, 0 FROM n"
        );
        sqlx::query(&sql).bind(news).execute(site.store.pool()).await.unwrap();
    }
    let index = locs(&site, "/sitemap.xml", "sitemapindex").await;
    let files: Vec<&String> = index.iter().filter(|l| l.contains("/sitemaps/articles-")).collect();
    assert_eq!(files.len(), 2, "{index:?}");
    let one = locs(&site, "/sitemaps/articles-1.xml", "urlset").await;
    let two = locs(&site, "/sitemaps/articles-2.xml", "urlset").await;
    assert_eq!((one.len(), two.len()), (1_200, 100), "a file spans two database batches");
    let mut seen: HashMap<&String, u32> = HashMap::new();
    for url in one.iter().chain(&two) {
        *seen.entry(url).or_default() += 1;
    }
    assert_eq!(seen.len(), 1_300);
    assert!(seen.values().all(|n| *n == 1), "no URL twice");
    assert!(seen.keys().all(|u| u.contains("/news/bulk-")), "no draft");
    assert_eq!(fetch(&site, "/sitemaps/articles-3.xml", &[]).await.status, 404);
});

//! `marquee import wordpress`: a real WordPress export (WXR 1.2) brought into a running site on
//! each database: posts, pages, drafts, images, threaded comments in every approval state,
//! custom fields and every old address; then brought again without changing anything, edited,
//! refused when broken, and a hostile file that must neither be read as a document type nor
//! put anything executable on a page.

mod common;

use common::TestSite;
use marquee::import::wordpress::{self, Categories, Options, Report};
use std::path::{Path, PathBuf};

const SOURCE: &str = "https://lantern.example";

fn example() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/wordpress/lantern.WordPress.2025-11-30.xml")
}

fn uploads() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/wordpress/uploads")
}

fn temp_file(name: &str, text: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("marquee-wxr-{}-{}", std::process::id(), rand::random::<u32>()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

async fn import_with<'a>(site: &'a TestSite, path: &Path, tweak: impl FnOnce(&mut Options<'a>)) -> anyhow::Result<Report> {
    let mut opts = Options::new(&site.media);
    opts.uploads = Some(uploads());
    tweak(&mut opts);
    let report = wordpress::import(&site.store, path, &opts).await;
    // What every server's worker does within a second of a change made elsewhere.
    site.state.refresh().await.unwrap();
    report
}

async fn import(site: &TestSite, path: &Path) -> Report {
    import_with(site, path, |_| {}).await.expect("the import succeeds")
}

/// The article a WordPress post became.
async fn article(site: &TestSite, wp_id: &str) -> marquee_store::ArticleRecord {
    let map = site.store.import_map(SOURCE, "post").await.unwrap();
    let id = map.get(wp_id).unwrap_or_else(|| panic!("post {wp_id} was imported")).0;
    site.store.article_record(id).await.unwrap().unwrap()
}

both_backends!(a_wordpress_export_comes_in_whole_and_a_second_run_changes_nothing, |site| {
    let r = import(&site, &example()).await;
    assert!(r.skipped.is_empty(), "nothing is skipped: {:?}", r.skipped);
    assert_eq!((r.posts, r.pages, r.comments, r.images), (6, 2, 6, 3), "{}", r.details());
    // 3 authors, 6 categories, 4 tags, 3 images, 8 posts and pages, 6 comments.
    assert_eq!((r.added, r.updated, r.unchanged), (30, 0, 0), "{}", r.details());
    for what in ["nav_menu_item", "trash", "pingback", "not images", "no alt text"] {
        assert!(r.unmapped.keys().any(|k| k.contains(what)), "the report names {what}: {}", r.details());
    }

    // The block-editor review: headline, deck, byline, date, section, lead and body images,
    // tags, and its comments as threads.
    let (status, page) = site.read("/film/tides-of-the-grand-lake/").await;
    assert_eq!(status, 200);
    assert!(page.contains("Tides of the Grand Lake: A Documentary Finds Its Harbor"));
    assert!(page.contains("A documentary about a movie palace that lets the building do the talking."), "the excerpt is the deck");
    assert!(page.contains(">Marisol Reyes</a>"), "byline");
    assert!(page.contains("datetime=\"2025-10-20T"), "the post's date");
    assert!(page.contains("<h2>Who keeps the lights on</h2>"));
    assert!(page.contains("<strong>every one of the 1,140 bulbs</strong>"));
    assert!(page.contains("<li>Runs 94 minutes</li>"));
    assert!(page.contains("href=\"/tags/documentary/\""));
    assert!(page.contains("property=\"og:image\"") && page.contains("alt=\"A theater marquee at night, its sign board ringed with lit bulbs\""), "lead image with its alt text");
    assert!(page.contains("alt=\"The Grand Lake’s marquee, relit\""), "the body image keeps the alt text the post gave it");
    assert!(!page.contains("lantern.example/wp-content"), "no image is left on the old site");
    let first = page.find("I ushered there in 1979").expect("approved comment shown");
    let reply = page.find("the director would love to hear from you").expect("reply shown");
    let reply2 = page.find("night the organ caught a moth").expect("reply to the reply shown");
    assert!(first < reply && reply < reply2);
    assert!(page[first..reply].contains("class=\"comment-list replies\""), "the reply is nested under its parent");
    assert!(page.contains("Ruth Abernathy") && page.contains("<em>night the organ caught a moth</em>"));
    assert!(!page.contains("Disagree about the last reel"), "a comment waiting for approval is not shown");
    assert!(!page.contains("cheap tickets"), "spam is not shown");
    assert!(!page.contains("Bay Screens Weekly"), "pingbacks are not comments");

    let review = article(&site, "110").await;
    assert_eq!((review.status.as_str(), review.featured), ("published", 1), "a sticky post is featured");
    assert!(review.lead_media_id.is_some());
    let comments = site.store.article_comments(review.id).await.unwrap();
    let statuses: Vec<&str> = comments.iter().map(|c| c.status.as_str()).collect();
    assert_eq!(statuses.iter().filter(|s| **s == "approved").count(), 3, "{statuses:?}");
    assert!(statuses.contains(&"pending") && statuses.contains(&"rejected"), "waiting and spam comments are kept, not shown: {statuses:?}");
    let depths: Vec<i64> = comments.iter().filter(|c| c.status == "approved").map(|c| c.depth).collect();
    assert_eq!(depths, vec![0, 1, 2]);
    // The one waiting is in the newsroom's queue under its author's name, and an editor can
    // approve it there.
    site.login("editor").await;
    let (_, queue) = site.get("/admin/comments/").await;
    assert!(queue.contains("Theo Brandt") && queue.contains("Disagree about the last reel"), "{queue}");
    let waiting = comments.iter().find(|c| c.status == "pending").unwrap();
    let (status, _, body) = site.post_form("/admin/comments/", &format!("/admin/comments/{}", waiting.id), &[("action", "approve"), ("reason", ""), ("view", "pending")]).await;
    assert_eq!(status, 303, "{body}");
    assert!(site.read("/film/tides-of-the-grand-lake/").await.1.contains("Disagree about the last reel"));
    let fields = site.store.article_fields(review.id).await.unwrap();
    assert!(fields.contains(&("star_rating".into(), "3.5".into())), "custom fields are kept: {fields:?}");
    assert!(fields.iter().any(|(k, v)| k == "_yoast_wpseo_metadesc" && v.starts_with("Our review")));
    assert!(!fields.iter().any(|(k, _)| k == "_edit_last"), "WordPress's own editing locks are not");
    let ruth = comments.iter().find(|c| c.body.contains("1979")).unwrap();
    let comment_fields = site.store.comment_fields(ruth.id).await.unwrap();
    assert!(comment_fields.contains(&("comment_author_email".into(), "ruth.abernathy@mail.example".into())), "{comment_fields:?}");
    assert!(comment_fields.contains(&("comment_author_url".into(), "https://ruth.example".into())));

    // The classic-editor post: paragraphs and line breaks as wpautop made them, a table kept as
    // HTML, an embed as a link, its primary category as the section and the other as a tag.
    let (status, page) = site.read("/music/the-quiet-hours-play-loud/").await;
    assert_eq!(status, 200);
    assert!(page.contains("fast, funny, and a half-step from shouting.<br>\nDrummer Paulo Mendes keeps up, mostly."), "a single line break stays a break");
    assert!(page.contains("<td>Rail Yard Hymn</td>"));
    assert!(page.contains("href=\"https://video.example/embed/quiet-hours-live\""));
    assert!(page.contains("H<sub>2</sub>O"));
    assert!(page.contains("href=\"/tags/local-bands/\"") && page.contains("href=\"/tags/arts/\""));
    assert!(page.contains("The band’s poster for the release show."), "the [caption] text");
    assert!(page.contains("/media/") && page.contains(".png"), "the captioned image came from the uploads folder");
    assert!(!page.contains("[gallery") && page.matches("/320.png 320w").count() >= 2, "the gallery shows its image");

    let (status, page) = site.read("/food-drink/twelve-late-kitchens/").await;
    assert_eq!(status, 200);
    assert!(page.contains("<code>cash_only = true</code>"));
    assert!(page.contains("Mon–Thu   5 pm – 1 am"), "preformatted text keeps its spacing");
    assert!(page.contains("href=\"/tags/cafe-culture/\"") && page.contains("café culture"));
    assert!(page.contains("Comments on this article are closed."), "comments were closed on WordPress");
    assert_eq!(article(&site, "112").await.status, "published");

    // Drafts stay drafts (a private post too), a scheduled post waits, the trash stays out.
    let draft = article(&site, "113").await;
    assert_eq!((draft.status.as_str(), draft.section_slug.as_str()), ("draft", "city-desk"));
    assert_eq!(article(&site, "115").await.status, "draft");
    let scheduled = article(&site, "114").await;
    assert_eq!(scheduled.status, "scheduled");
    assert_eq!(scheduled.section_slug, "news", "Uncategorized posts go to the default section");
    assert_eq!(site.read("/news/holiday-windows/").await.0, 404, "not before its time");
    assert!(!site.store.import_map(SOURCE, "post").await.unwrap().contains_key("116"));

    // Pages.
    let (status, page) = site.read("/pages/about/").await;
    assert_eq!(status, 200);
    assert!(page.contains("We started in 2004 with a photocopier"));
    assert!(page.contains("href=\"mailto:letters@lantern.example\""));
    assert_eq!(site.read("/pages/staff/").await.0, 200);

    // Every old address answers 301 with the new one.
    for (old, new) in [
        ("/2025/10/20/tides-of-the-grand-lake/", "/film/tides-of-the-grand-lake/"),
        ("/2025/10/20/grand-lake-documentary/", "/film/tides-of-the-grand-lake/"),
        ("/?p=110", "/film/tides-of-the-grand-lake/"),
        ("/?p=111&replytocom=3", "/music/the-quiet-hours-play-loud/"),
        ("/2025/11/06/the-quiet-hours-play-loud/", "/music/the-quiet-hours-play-loud/"),
        ("/about/", "/pages/about/"),
        ("/about/staff/", "/pages/staff/"),
        ("/?page_id=3", "/pages/staff/"),
        ("/category/arts/film/", "/film/"),
        ("/category/food-drink/", "/food-drink/"),
        ("/category/uncategorized/", "/news/"),
        ("/?cat=4", "/music/"),
        ("/tag/local-bands/", "/tags/local-bands/"),
        ("/tag/caf%c3%a9-culture/", "/tags/cafe-culture/"),
        ("/tag/caf%C3%A9-culture/", "/tags/cafe-culture/"),
        ("/?tag=documentary", "/tags/documentary/"),
        ("/author/mreyes/", "/authors/marisol-reyes/"),
        ("/feed/", "/feed.xml"),
        ("/category/arts/music/feed/", "/music/feed.xml"),
        ("/?attachment_id=101", "/film/tides-of-the-grand-lake/"),
        ("/2025/10/20/tides-of-the-grand-lake/lantern-marquee/", "/film/tides-of-the-grand-lake/"),
    ] {
        assert_eq!(site.location(old).await, (301, new.to_string()), "{old}");
    }
    // An image that belongs to no post answers with the image itself.
    let (status, to) = site.location("/fog-over-the-estuary/").await;
    assert_eq!(status, 301);
    assert!(to.starts_with("/media/") && to.ends_with(".jpg"), "{to}");
    assert_eq!(site.read(&to).await.0, 200);
    assert_eq!(site.read("/2025/10/20/no-such-post/").await.0, 404);

    // The images are in the library, with their alt text, and their renditions are served.
    let (rows, total) = site.store.media_page(None, 50).await.unwrap();
    assert_eq!(total, 3);
    assert!(rows.iter().any(|m| m.alt == "Old pier pilings standing in grey water under fog" && m.caption == "Morning fog over the estuary pilings."));
    let key = &rows[0].content_key;
    let r = site.client.get(site.url(&format!("/media/{key}/320.webp"))).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "image/webp");

    // Search finds them by their words, authors and tags, exactly as an index rebuilt from
    // the stored articles would.
    let (_, page) = site.read("/search/?q=organist").await;
    assert!(page.contains("Tides of the Grand Lake"), "{page}");
    let queries = ["organist", "reyes", "documentary", "noodle", "stork club", "lights"];
    let hits = |site: &TestSite| {
        let store = site.store.clone();
        async move {
            let mut all = Vec::new();
            for q in queries {
                let query = marquee_domain::search::parse(q).unwrap();
                let (found, total) = store.search(&query, &Default::default(), marquee_domain::time::now_unix(), 10, 0).await.unwrap();
                all.push((q, total, found.into_iter().map(|h| (h.card.id, h.snippet)).collect::<Vec<_>>()));
            }
            all
        }
    };
    let before = hits(&site).await;
    assert!(before.iter().all(|(_, total, _)| *total > 0), "{before:?}");
    site.store.rebuild_search_index().await.unwrap();
    assert_eq!(hits(&site).await, before);

    // Again: nothing changes, and nothing is written.
    let version = site.store.content_version().await.unwrap();
    let again = import(&site, &example()).await;
    assert_eq!((again.added, again.updated, again.unchanged), (0, 0, 30), "{}", again.details());
    assert_eq!(again.summary(), "0 added, 0 updated, 30 unchanged, 0 skipped");
    assert_eq!(site.store.content_version().await.unwrap(), version, "a second run writes nothing");
    assert_eq!(site.store.article_comments(review.id).await.unwrap().len(), comments.len());
});

both_backends!(an_edited_export_updates_what_changed_and_keeps_what_was_edited_here, |site| {
    import(&site, &example()).await;
    let text = std::fs::read_to_string(example()).unwrap();
    let edited = text
        .replace("<![CDATA[The Quiet Hours Play Loud]]>", "<![CDATA[The Quiet Hours Play Louder]]>")
        .replace("Saw them open for somebody at a pizza place in 2022.", "Saw them open for somebody at a taco place in 2022.");
    assert_ne!(edited, text);
    let path = temp_file("edited.xml", &edited);
    let r = import(&site, &path).await;
    assert_eq!((r.added, r.updated, r.unchanged), (0, 2, 28), "{}", r.details());
    let (status, page) = site.read("/music/the-quiet-hours-play-loud/").await;
    assert_eq!(status, 200, "the address stays");
    assert!(page.contains("The Quiet Hours Play Louder") && page.contains("a taco place"));
});

both_backends!(categories_can_become_tags, |site| {
    let r = import_with(&site, &example(), |o| {
        o.categories = Categories::Tags;
        o.section = "news".into();
    })
    .await
    .unwrap();
    assert!(r.skipped.is_empty(), "{:?}", r.skipped);
    let review = article(&site, "110").await;
    assert_eq!(review.section_slug, "news");
    assert!(review.tags.iter().any(|t| t == "Film") && review.tags.iter().any(|t| t == "documentary"), "{:?}", review.tags);
    assert!(site.store.section_by_slug("film").await.unwrap().is_none(), "no section is made for a category");
    assert_eq!(site.location("/category/arts/film/").await, (301, "/tags/film/".into()));
    assert_eq!(site.location("/2025/10/20/tides-of-the-grand-lake/").await, (301, "/news/tides-of-the-grand-lake/".into()));
});

/// Everything a refused file must leave as it was.
async fn untouched(site: &TestSite) -> (i64, usize, usize) {
    (site.store.content_version().await.unwrap(), site.store.sections().await.unwrap().len(), site.store.import_map(SOURCE, "author").await.unwrap().len())
}

both_backends!(a_malformed_export_is_refused_with_its_line_and_column_and_nothing_is_written, |site| {
    let before = untouched(&site).await;
    let text = std::fs::read_to_string(example()).unwrap();
    // An item whose </wp:post_id> is misspelt, near the end of the file: the whole file is
    // checked before anything is written.
    let broken = text.replacen("<wp:post_id>120</wp:post_id>", "<wp:post_id>120</wp:post-id>", 1);
    let line = broken.lines().position(|l| l.contains("</wp:post-id>")).unwrap() + 1;
    let path = temp_file("broken.xml", &broken);
    let err = format!("{:#}", import_with(&site, &path, |_| {}).await.unwrap_err());
    assert!(err.contains(&format!("broken.xml:{line}:")), "the error names the line: {err}");
    assert!(err.contains("</wp:post-id> closes <wp:post_id>"), "{err}");
    assert_eq!(untouched(&site).await, before);

    // A file cut off in the middle.
    let mut half = text.len() / 2;
    while !text.is_char_boundary(half) {
        half -= 1;
    }
    let cut = temp_file("cut.xml", &text[..half]);
    let err = format!("{:#}", import_with(&site, &cut, |_| {}).await.unwrap_err());
    assert!(err.contains("cut.xml:") && err.contains("the file ends"), "{err}");
    // HTML's entities are not XML's.
    let entity = temp_file("entity.xml", &text.replace("<title>The Estuary Lantern</title>", "<title>The&nbsp;Estuary Lantern</title>"));
    let err = format!("{:#}", import_with(&site, &entity, |_| {}).await.unwrap_err());
    assert!(err.contains("entity.xml:16:") && err.contains("&nbsp;"), "{err}");
    // Not an export at all.
    let html = temp_file("page.xml", "<html><body>hello</body></html>");
    let err = format!("{:#}", import_with(&site, &html, |_| {}).await.unwrap_err());
    assert!(err.contains("page.xml:1:") && err.contains("not a WordPress export"), "{err}");
    assert_eq!(untouched(&site).await, before);
});

/// A small WXR file around `items`.
fn wxr(channel: &str, items: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" ?>\n<rss version=\"2.0\" xmlns:excerpt=\"http://wordpress.org/export/1.2/excerpt/\" xmlns:content=\"http://purl.org/rss/1.0/modules/content/\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:wp=\"http://wordpress.org/export/1.2/\">\n<channel>\n<title>Hostile</title>\n<link>https://hostile.example</link>\n<wp:wxr_version>1.2</wp:wxr_version>\n<wp:base_site_url>https://hostile.example</wp:base_site_url>\n{channel}\n{items}\n</channel>\n</rss>\n"
    )
}

fn cdata(s: &str) -> String {
    format!("<![CDATA[{}]]>", s.replace("]]>", "]]]]><![CDATA[>"))
}

fn item(id: u32, title: &str, content: &str, extra: &str) -> String {
    format!(
        "<item><title>{}</title><link>https://hostile.example/{id}/</link><dc:creator>{}</dc:creator><content:encoded>{}</content:encoded><excerpt:encoded>{}</excerpt:encoded>\
         <wp:post_id>{id}</wp:post_id><wp:post_date>2025-06-01 10:00:00</wp:post_date><wp:post_date_gmt>2025-06-01 17:00:00</wp:post_date_gmt><wp:comment_status>open</wp:comment_status>\
         <wp:post_name>post-{id}</wp:post_name><wp:status>publish</wp:status><wp:post_type>post</wp:post_type>{extra}</item>",
        cdata(title),
        cdata("eve"),
        cdata(content),
        cdata("<img src=x onerror=alert('deck')>A deck"),
    )
}

/// No element on `html` that runs anything: no script, no event handler, no javascript: URL.
fn assert_inert(what: &str, html: &str) {
    let lower = html.to_ascii_lowercase();
    let mut rest = lower.as_str();
    while let Some(i) = rest.find('<') {
        let tag_end = rest[i..].find('>').map(|e| i + e).unwrap_or(rest.len());
        let tag = &rest[i..tag_end];
        assert!(!tag.starts_with("<script") || tag.contains("application/ld+json") || tag.contains("src=\"/static/"), "{what}: a script element: {tag}");
        for attr in tag.split_whitespace().skip(1) {
            assert!(!(attr.starts_with("on") && attr.contains('=')), "{what}: an event handler: {tag}");
            assert!(!attr.contains("javascript:") && !attr.starts_with("srcdoc"), "{what}: {tag}");
        }
        assert!(!tag.starts_with("<iframe") && !tag.starts_with("<svg") && !tag.starts_with("<object") && !tag.starts_with("<embed"), "{what}: {tag}");
        rest = &rest[tag_end.min(rest.len())..];
        if rest.is_empty() {
            break;
        }
        rest = &rest[1..];
    }
    assert!(!lower.contains("<script>alert"), "{what}");
}

both_backends!(a_hostile_export_is_refused_or_made_harmless, |site| {
    let before = untouched(&site).await;
    // An external entity (XXE) and an entity bomb: refused before any entity is read.
    for (name, doctype) in [
        ("xxe.xml", "<!DOCTYPE rss [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>"),
        ("laughs.xml", "<!DOCTYPE rss [<!ENTITY lol \"lol\"><!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\"><!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">]>"),
    ] {
        let text = wxr("", &item(1, "&xxe;", "&lol3;", "")).replacen("<rss ", &format!("{doctype}\n<rss "), 1);
        let path = temp_file(name, &text);
        let err = format!("{:#}", import_with(&site, &path, |_| {}).await.unwrap_err());
        assert!(err.contains(&format!("{name}:2:")) && err.contains("document type"), "{err}");
        assert!(!err.contains("root:"), "nothing of /etc/passwd: {err}");
    }
    // An entity used without a document type is not XML's either.
    let path = temp_file("undeclared.xml", &wxr("", "<item><title>&xxe;</title></item>"));
    let err = format!("{:#}", import_with(&site, &path, |_| {}).await.unwrap_err());
    assert!(err.contains("&xxe;"), "{err}");
    assert_eq!(untouched(&site).await, before, "a refused file writes nothing");

    // Script in every field a page shows: imported, and made harmless.
    let author = "<wp:author><wp:author_login>eve</wp:author_login><wp:author_display_name><![CDATA[<img src=x onerror=alert('author')>Eve <script>alert('name')</script>Evans]]></wp:author_display_name></wp:author>";
    let category = "<wp:category><wp:term_id>7</wp:term_id><wp:category_nicename>arts</wp:category_nicename><wp:category_parent></wp:category_parent><wp:cat_name><![CDATA[<script>alert('cat')</script>Arts]]></wp:cat_name></wp:category>\
                    <wp:tag><wp:term_id>8</wp:term_id><wp:tag_slug>bad-tag</wp:tag_slug><wp:tag_name><![CDATA[<svg onload=alert('tag')>Bad tag]]></wp:tag_name></wp:tag>";
    let body = "<p>Before.</p><script>alert('body')</script><img src=\"x\" onerror=\"alert('img')\"><a href=\"javascript:alert('link')\">click</a>\
                <iframe srcdoc=\"<script>alert('frame')</script>\"></iframe><svg><g onload=\"alert('svg')\"/></svg><div style=\"background:url(javascript:alert('css'))\" onclick=\"alert('div')\">Kept text.</div>\
                <table><tr><td onmouseover=\"alert('cell')\">cell</td></tr></table><object data=\"javascript:alert('obj')\"></object><form action=\"https://evil.example\"><input name=q></form>\
                <p>After [embed]javascript:alert('embed')[/embed].</p>";
    let comment = "<wp:comment><wp:comment_id>1</wp:comment_id><wp:comment_author><![CDATA[<b onmouseover=alert('who')>Mallory</b> Stone]]></wp:comment_author>\
                   <wp:comment_date_gmt>2025-06-02 10:00:00</wp:comment_date_gmt><wp:comment_content><![CDATA[Hi <script>alert('comment')</script><a href=\"javascript:alert('clink')\">there</a> <img src=x onerror=alert('cimg')>]]></wp:comment_content>\
                   <wp:comment_approved>1</wp:comment_approved><wp:comment_type>comment</wp:comment_type><wp:comment_parent>0</wp:comment_parent></wp:comment>";
    let extra = format!("<category domain=\"category\" nicename=\"arts\"><![CDATA[<script>alert('c')</script>Arts]]></category><category domain=\"post_tag\" nicename=\"bad-tag\"><![CDATA[<svg onload=alert('t')>Bad tag]]></category>\
                         <wp:postmeta><wp:meta_key>note</wp:meta_key><wp:meta_value><![CDATA[<script>alert('meta')</script>]]></wp:meta_value></wp:postmeta>{comment}");
    let text = wxr(&format!("{author}{category}"), &item(1, "<script>alert('title')</script>Night &amp; <b>Day</b>", body, &extra));
    let path = temp_file("script.xml", &text);
    let r = import_with(&site, &path, |_| {}).await.unwrap();
    assert!(r.skipped.is_empty(), "{}", r.details());
    let a = site.store.import_map("https://hostile.example", "post").await.unwrap();
    let record = site.store.article_record(a["1"].0).await.unwrap().unwrap();
    assert_eq!(record.headline, "Night & Day", "no markup in a headline, and a script's text is not text");
    let url = format!("/{}/{}/", record.section_slug, record.slug);
    let (status, page) = site.read(&url).await;
    assert_eq!(status, 200);
    assert!(page.contains("Kept text.") && page.contains("Before.") && page.contains("Mallory Stone"), "the text is kept");
    for path in [url.as_str(), "/", "/arts/", "/tags/bad-tag/", "/authors/eve-evans/", "/feed.xml", "/feed.json", "/atom.xml", "/arts/feed.xml", "/search/?q=night"] {
        let (status, body) = site.read(path).await;
        assert_eq!(status, 200, "{path}");
        // RSS and Atom carry the HTML escaped: read it as a feed reader would.
        let body = if path.ends_with(".xml") { body.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&amp;", "&") } else { body };
        assert_inert(path, &body);
    }
    assert_eq!(site.store.article_fields(record.id).await.unwrap(), vec![("note".to_string(), "<script>alert('meta')</script>".to_string())], "a custom field is kept as it was, and shown nowhere");
});

both_backends!(huge_fields_are_refused_by_the_record_not_held_in_memory, |site| {
    let big = "<p>Words and more words.</p>\n".repeat(4_000); // about 112 KB
    let comment = format!(
        "<wp:comment><wp:comment_id>1</wp:comment_id><wp:comment_author>Ann Other</wp:comment_author><wp:comment_content>{}</wp:comment_content><wp:comment_approved>1</wp:comment_approved><wp:comment_parent>0</wp:comment_parent></wp:comment>",
        cdata(&big)
    );
    // A cut that falls inside a character (Cyrillic takes two bytes a letter) is cut cleanly.
    let cyrillic = "<p>Слово за словом, строка за строкой.</p>\n".repeat(2_000);
    let items = [item(1, "Huge body", &big, ""), item(2, "A fine post", "<p>Short.</p>", &comment), item(3, &"Long title ".repeat(20_000), "<p>Short.</p>", ""), item(6, "Большой", &cyrillic, "")].concat();
    let path = temp_file("huge.xml", &wxr("", &items));
    let r = import_with(&site, &path, |o| o.xml_limits.max_field = 64 * 1024).await.unwrap();
    let skipped: Vec<&str> = r.skipped.iter().map(|(_, why)| why.as_str()).collect();
    assert_eq!(skipped.len(), 4, "{}", r.details());
    assert!(skipped.iter().any(|s| s.contains("post 6") && s.contains("64 KB")), "{skipped:?}");
    assert!(skipped.iter().any(|s| s.contains("post 1") && s.contains("content:encoded") && s.contains("64 KB")), "{skipped:?}");
    assert!(skipped.iter().any(|s| s.contains("post 3") && s.contains("title")), "{skipped:?}");
    assert!(skipped.iter().any(|s| s.contains("comment 1") && s.contains("64 KB")), "{skipped:?}");
    let map = site.store.import_map("https://hostile.example", "post").await.unwrap();
    assert_eq!(map.keys().collect::<Vec<_>>(), vec!["2"], "the good post goes in");

    // An id the export names twice: the first record is kept and the second is reported.
    let comment = |id: u32, text: &str| format!("<wp:comment><wp:comment_id>{id}</wp:comment_id><wp:comment_author>Ann Other</wp:comment_author><wp:comment_content>{text}</wp:comment_content><wp:comment_approved>1</wp:comment_approved><wp:comment_parent>0</wp:comment_parent></wp:comment>");
    let items = [item(7, "First seven", "<p>One.</p>", &comment(70, "Kept.")), item(8, "Eight", "<p>Two.</p>", &comment(70, "Again.")), item(7, "Second seven", "<p>Three.</p>", "")].concat();
    let path = temp_file("twice.xml", &wxr("", &items));
    let r = import_with(&site, &path, |_| {}).await.unwrap();
    let skipped: Vec<&str> = r.skipped.iter().map(|(_, why)| why.as_str()).collect();
    assert!(skipped.contains(&"post 7 appears twice in the export; the first one was kept") && skipped.contains(&"comment 70 appears twice in the export; the first one was kept"), "{skipped:?}");
    let map = site.store.import_map("https://hostile.example", "post").await.unwrap();
    assert_eq!(site.store.article_record(map["7"].0).await.unwrap().unwrap().headline, "First seven");
    assert_eq!(site.store.import_map("https://hostile.example", "comment").await.unwrap().len(), 1);

    // A record with more elements than any real post has is refused with its line.
    let many = "<wp:postmeta><wp:meta_key>k</wp:meta_key><wp:meta_value>v</wp:meta_value></wp:postmeta>".repeat(400);
    let path = temp_file("many.xml", &wxr("", &item(4, "Many", "x", &many)));
    let err = format!("{:#}", import_with(&site, &path, |o| o.xml_limits.max_nodes = 1_000).await.unwrap_err());
    assert!(err.contains("many.xml:") && err.contains("more than 1000 elements"), "{err}");
    // So is nesting deeper than a WordPress export goes.
    let deep = format!("{}{}", "<x>".repeat(100), "</x>".repeat(100));
    let path = temp_file("deep.xml", &wxr("", &item(5, "Deep", "x", &deep)));
    let err = format!("{:#}", import_with(&site, &path, |_| {}).await.unwrap_err());
    assert!(err.contains("nest more than"), "{err}");
});

both_backends!(attachments_are_fetched_through_the_guarded_client, |site| {
    // The old site, on loopback, serving one image.
    let jpeg = std::fs::read(uploads().join("2025/10/fog-over-the-estuary.jpg")).unwrap();
    let app = axum::Router::new().route("/wp-content/uploads/2024/01/pier.jpg", axum::routing::get(move || async move { ([("content-type", "image/jpeg")], jpeg) }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let old = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    let attachment = format!(
        "<item><title>pier</title><link>{old}/pier/</link><wp:post_id>9</wp:post_id><wp:status>inherit</wp:status><wp:post_type>attachment</wp:post_type><wp:post_parent>0</wp:post_parent>\
         <wp:attachment_url>{old}/wp-content/uploads/2024/01/pier.jpg</wp:attachment_url>\
         <wp:postmeta><wp:meta_key>_wp_attachment_image_alt</wp:meta_key><wp:meta_value>A pier</wp:meta_value></wp:postmeta></item>"
    );
    let text = wxr("", &format!("{attachment}{}", item(1, "Pier", &format!("<p><img src=\"{old}/wp-content/uploads/2024/01/pier-300x200.jpg\" alt=\"The pier\"></p>"), "<wp:postmeta><wp:meta_key>_thumbnail_id</wp:meta_key><wp:meta_value>9</wp:meta_value></wp:postmeta>")));
    let path = temp_file("fetch.xml", &text);

    // Loopback is a private address: the guarded client refuses it unless allowed.
    let guarded = marquee::ImportFetcher::new(false, 1024 * 1024);
    let r = import_with(&site, &path, |o| {
        o.uploads = None;
        o.fetch = Some(&guarded);
    })
    .await
    .unwrap();
    assert_eq!(r.images, 0);
    assert!(r.skipped.iter().any(|(_, why)| why.contains("private address")), "{}", r.details());
    let open = marquee::ImportFetcher::new(true, 1024 * 1024);
    let r = import_with(&site, &path, |o| {
        o.uploads = None;
        o.fetch = Some(&open);
    })
    .await
    .unwrap();
    assert_eq!(r.images, 1, "{}", r.details());
    let post = site.store.article_record(site.store.import_map("https://hostile.example", "post").await.unwrap()["1"].0).await.unwrap().unwrap();
    assert!(post.lead_media_id.is_some());
    assert!(post.body.contains("![The pier](media:"), "{}", post.body);
});

both_backends!(what_was_deleted_here_stays_deleted, |site| {
    import(&site, &example()).await;
    // The last post the import wrote (the page "Staff"), with the highest id, is deleted; a
    // writer's new article may then take its id (SQLite reuses the highest).
    let staff = article(&site, "3").await;
    assert!(site.store.delete_article(staff.id, "", &[], marquee_domain::time::now_unix()).await.unwrap());
    site.login("editor").await;
    let sec = site.section_id("news").await;
    let author = site.author_id("eddie-editor").await;
    let (status, _, body) = site.write(&[("headline", "Written here"), ("slug", "written-here"), ("section", &sec), ("author1", &author), ("body", "Ours."), ("action", "publish")]).await;
    assert_eq!(status, 303, "{body}");
    let review = article(&site, "110").await;
    let ruth = site.store.article_comments(review.id).await.unwrap().into_iter().find(|c| c.body.contains("1979")).unwrap();
    assert!(site.store.delete_article(review.id, "", &[], marquee_domain::time::now_unix()).await.unwrap(), "its comments go with it");
    let _ = ruth;

    // An export in which both changed: neither comes back, nothing else is touched.
    let text = std::fs::read_to_string(example()).unwrap().replace("Desmond Okafor</strong>, music and food", "Desmond Okafor</strong>, music, food and the van").replace("I had forgotten it until I read this.", "I had forgotten it.");
    let path = temp_file("after-deletes.xml", &text);
    let r = import(&site, &path).await;
    assert!(r.skipped.is_empty(), "{}", r.details());
    assert!(r.unmapped.keys().any(|k| k.starts_with("posts deleted here")), "{}", r.details());
    assert_eq!(r.added, 0, "{}", r.details());
    assert_eq!(site.read("/pages/staff/").await.0, 404);
    assert_eq!(site.read("/film/tides-of-the-grand-lake/").await.0, 404);
    let (status, page) = site.read("/news/written-here/").await;
    assert_eq!(status, 200);
    assert!(page.contains("Ours.") && !page.contains("the van"), "the article written here is its own");
    // Its old addresses answer nothing now, rather than the wrong page.
    assert_eq!(site.read("/about/staff/").await.0, 404);
});

both_backends!(replies_find_their_parents_whatever_order_the_ids_are_in, |site| {
    let c = |id: u32, parent: u32, text: &str| {
        format!("<wp:comment><wp:comment_id>{id}</wp:comment_id><wp:comment_author>Ann Other</wp:comment_author><wp:comment_content>{text}</wp:comment_content><wp:comment_approved>1</wp:comment_approved><wp:comment_parent>{parent}</wp:comment_parent></wp:comment>")
    };
    // 5 answers 9, which came later (comments moved between posts get new ids); 7 answers a
    // pingback that is not imported; 3 and 4 answer each other.
    let ping = "<wp:comment><wp:comment_id>8</wp:comment_id><wp:comment_author>Elsewhere</wp:comment_author><wp:comment_content>[...]</wp:comment_content><wp:comment_approved>1</wp:comment_approved><wp:comment_type>pingback</wp:comment_type><wp:comment_parent>0</wp:comment_parent></wp:comment>";
    let comments = [c(5, 9, "A reply."), c(9, 0, "The first word."), c(7, 8, "About that pingback."), ping.to_string(), c(3, 4, "Ring one."), c(4, 3, "Ring two.")].concat();
    let path = temp_file("order.xml", &wxr("", &item(1, "Threads", "<p>Body.</p>", &comments)));
    let r = import_with(&site, &path, |_| {}).await.unwrap();
    assert!(r.skipped.is_empty(), "{}", r.details());
    assert!(r.unmapped.keys().any(|k| k.starts_with("replies to comments that were not imported")), "{}", r.details());
    let post = site.store.import_map("https://hostile.example", "post").await.unwrap()["1"].0;
    let comments = site.store.article_comments(post).await.unwrap();
    let by_text = |t: &str| comments.iter().find(|c| c.body.contains(t)).unwrap_or_else(|| panic!("{t}"));
    assert_eq!(by_text("A reply.").parent_id, Some(by_text("The first word.").id));
    assert_eq!(by_text("A reply.").depth, 1);
    assert_eq!(by_text("About that pingback.").parent_id, None);
    assert_eq!(comments.len(), 5);
});

both_backends!(batches_written_side_by_side_take_different_slugs_and_share_new_tags, |site| {
    // 2,100 posts (three batches; PostgreSQL writes two at once) that all ask for one slug and
    // all bring one new tag and one comment.
    let posts = 2_100u32;
    let mut items = String::new();
    for id in 1..=posts {
        let comment = format!("<wp:comment><wp:comment_id>{id}</wp:comment_id><wp:comment_author>Ann Other</wp:comment_author><wp:comment_content>Comment {id}.</wp:comment_content><wp:comment_approved>1</wp:comment_approved><wp:comment_parent>0</wp:comment_parent></wp:comment>");
        let tag = "<category domain=\"post_tag\" nicename=\"letters\"><![CDATA[Letters]]></category>";
        items.push_str(&item(id, &format!("Letter {id}"), &format!("<p>Letter number {id}.</p>"), &format!("{tag}{comment}")).replace(&format!("post-{id}</wp:post_name>"), "same-title</wp:post_name>"));
    }
    let path = temp_file("same-slugs.xml", &wxr("", &items));
    let r = import(&site, &path).await;
    assert!(r.skipped.is_empty(), "{}", r.details());
    assert_eq!((r.posts, r.comments), (posts as u64, posts as u64), "{}", r.details());

    let map = site.store.import_map("https://hostile.example", "post").await.unwrap();
    let mut slugs = std::collections::BTreeSet::new();
    for id in 1..=posts {
        let a = site.store.article_record(map[&id.to_string()].0).await.unwrap().unwrap();
        assert!(a.body.contains(&format!("Letter number {id}.")), "post {id} is its own article");
        assert_eq!(a.tags, ["Letters"], "post {id} has the tag");
        slugs.insert(a.slug);
    }
    let mut expected: std::collections::BTreeSet<String> = (2..=posts).map(|n| format!("same-title-{n}")).collect();
    expected.insert("same-title".into());
    assert_eq!(slugs, expected, "every post has a slug of its own");
    let tags: Vec<(String,)> = sqlx::query_as("SELECT slug FROM tags WHERE slug LIKE 'letters%'").fetch_all(site.store.pool()).await.unwrap();
    assert_eq!(tags, [("letters".to_string(),)], "the tag was added once");
    let (status, page) = site.read("/tags/letters/").await;
    assert_eq!(status, 200);
    assert!(page.contains("Letter "), "the tag's archive lists its posts");

    let again = import(&site, &path).await;
    assert_eq!((again.added, again.updated), (0, 0), "{}", again.details());
});

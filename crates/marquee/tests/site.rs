//! End-to-end behaviour of the publication core, over real HTTP, on both databases.

mod common;

use common::{article_id, new_client, TestSite};

async fn publish(site: &TestSite, headline: &str, slug: &str, section: &str, body: &str) -> String {
    let sec = site.section_id(section).await;
    let author = site.author_id("eddie-editor").await;
    let (status, loc, text) = site
        .write(&[("headline", headline), ("deck", "A deck."), ("slug", slug), ("section", &sec), ("author1", &author), ("tags", "Testing, Oakland"), ("body", body), ("action", "publish")])
        .await;
    assert_eq!(status, 303, "publish failed: {text}");
    article_id(&loc)
}

both_backends!(health_and_404, |site| {
    assert_eq!(site.read("/healthz").await, (200, "ok".to_string()));
    let r = new_client().get(site.url("/")).send().await.unwrap();
    let csp = r.headers().get("content-security-policy").unwrap().to_str().unwrap();
    assert!(csp.contains("script-src 'self'") && csp.contains("frame-ancestors 'none'"), "{csp}");
    assert!(r.headers().get("set-cookie").is_none(), "readers' pages set no cookies");
    let (status, body) = site.read("/no-such-section/no-such-story/").await;
    assert_eq!(status, 404);
    assert!(body.contains("Page not found") && body.contains("The Test Weekly"), "a real 404 page: {body}");
    assert_eq!(site.read("/authors/nobody/").await.0, 404);
    assert_eq!(site.read("/tags/nothing/").await.0, 404);
});

both_backends!(published_article_everywhere_a_reader_looks, |site| {
    site.login("editor").await;
    let id = publish(&site, "Rust and Bone", "rust-and-bone", "movie-review", "First paragraph about *Ali*.\n\nSecond.").await;
    assert!(!id.is_empty());
    let (status, page) = site.read("/movie-review/rust-and-bone/").await;
    assert_eq!(status, 200);
    for needle in ["Rust and Bone", "A deck.", "<em>Ali</em>", "href=\"/authors/eddie-editor/\"", "Movie Review", "© The Test Weekly &amp; friends", "href=\"/tags/oakland/\""] {
        assert!(page.contains(needle), "article page lacks {needle}");
    }
    for path in ["/", "/movie-review/", "/authors/eddie-editor/", "/tags/oakland/"] {
        let (status, html) = site.read(path).await;
        assert_eq!(status, 200, "{path}");
        assert!(html.contains("href=\"/movie-review/rust-and-bone/\""), "{path} does not link the article");
    }
    assert!(site.read("/movie-review/").await.1.contains("Latest in Movie Review"));
    assert!(site.read("/authors/eddie-editor/").await.1.contains("Author Archives"));
    // Without the trailing slash a section is still found.
    assert_eq!(site.location("/movie-review").await, (301, "/movie-review/".to_string()));
});

/// What a browser gets when it says it takes gzip, and what a client that does not gets.
async fn fetch_encoded(site: &TestSite, path: &str, headers: &[(&str, &str)]) -> (u16, reqwest::header::HeaderMap, Vec<u8>) {
    let mut request = new_client().get(site.url(path));
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let r = request.send().await.unwrap();
    (r.status().as_u16(), r.headers().clone(), r.bytes().await.unwrap().to_vec())
}

fn gunzip(bytes: &[u8]) -> Vec<u8> {
    use std::io::Read;
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(bytes).read_to_end(&mut out).expect("a gzip body");
    out
}

both_backends!(kept_pages_go_compressed_to_browsers_that_accept_gzip, |site| {
    site.login("editor").await;
    publish(&site, "Rust and Bone", "rust-and-bone", "movie-review", &"A long paragraph about the film, its water and its bruises. ".repeat(30)).await;
    for path in ["/movie-review/rust-and-bone/", "/", "/movie-review/", "/feed.xml", "/static/style.css"] {
        let (status, plain_headers, plain) = fetch_encoded(&site, path, &[]).await;
        assert_eq!(status, 200, "{path}");
        assert!(plain_headers.get("content-encoding").is_none(), "{path} is plain to a client that asks for nothing");
        let (status, headers, zipped) = fetch_encoded(&site, path, &[("accept-encoding", "gzip, deflate, br")]).await;
        assert_eq!(status, 200, "{path}");
        assert_eq!(headers.get("content-encoding").map(|v| v.to_str().unwrap()), Some("gzip"), "{path}");
        assert_eq!(gunzip(&zipped), plain, "{path}: the compressed copy is the same page");
        assert!(zipped.len() * 2 < plain.len(), "{path}: {} bytes compressed from {}", zipped.len(), plain.len());
        let vary: Vec<String> = headers.get_all("vary").iter().map(|v| v.to_str().unwrap().to_ascii_lowercase()).collect();
        assert!(vary.iter().any(|v| v.contains("accept-encoding")), "{path} varies by encoding: {vary:?}");
        let (_, refused_headers, refused) = fetch_encoded(&site, path, &[("accept-encoding", "br, gzip;q=0")]).await;
        assert!(refused_headers.get("content-encoding").is_none(), "{path}: gzip;q=0 refuses gzip");
        assert_eq!(refused, plain, "{path}");
        // Each copy has its own entity tag, and a conditional request is answered for the
        // copy it would get, with that copy's tag and `Vary`.
        if let Some(tag) = plain_headers.get("etag").map(|v| v.to_str().unwrap().to_string()) {
            let zipped_tag = headers.get("etag").map(|v| v.to_str().unwrap().to_string()).unwrap();
            assert_ne!(tag, zipped_tag, "{path}");
            let etag = |h: &reqwest::header::HeaderMap| h.get("etag").map(|v| v.to_str().unwrap().to_string());
            let varies = |h: &reqwest::header::HeaderMap| h.get_all("vary").iter().any(|v| v.to_str().unwrap().to_ascii_lowercase().contains("accept-encoding"));
            let (status, h, body) = fetch_encoded(&site, path, &[("accept-encoding", "gzip"), ("if-none-match", &zipped_tag)]).await;
            assert_eq!((status, body.len()), (304, 0), "{path}: a browser's compressed copy is current");
            assert_eq!(etag(&h).as_ref(), Some(&zipped_tag), "{path}");
            assert!(varies(&h), "{path}: the 304 varies as the 200 does");
            let (status, h, _) = fetch_encoded(&site, path, &[("if-none-match", &tag)]).await;
            assert_eq!(status, 304, "{path}: a plain client's plain copy is current");
            assert_eq!(etag(&h).as_ref(), Some(&tag), "{path}");
            let (status, h, body) = fetch_encoded(&site, path, &[("accept-encoding", "gzip"), ("if-none-match", &tag)]).await;
            assert_eq!(status, 200, "{path}: holding the plain copy, a browser that takes gzip gets the compressed one");
            assert_eq!(h.get("content-encoding").map(|v| v.to_str().unwrap()), Some("gzip"), "{path}");
            assert_eq!(gunzip(&body), plain, "{path}");
        }
    }
    // A page the cache does not keep (a review asked for with a ZIP code that is not one,
    // which shows a message in its Now Playing box) is made for one request and goes plain.
    let (_, headers, _) = fetch_encoded(&site, "/movie-review/rust-and-bone/?zip=not-a-zip", &[("accept-encoding", "gzip")]).await;
    assert!(headers.get("content-encoding").is_none(), "a page the cache does not keep is sent plain");
});

both_backends!(draft_is_invisible_to_readers, |site| {
    site.login("editor").await;
    let sec = site.section_id("news").await;
    let author = site.author_id("eddie-editor").await;
    let (status, loc, _) = site.write(&[("headline", "Secret plans"), ("section", &sec), ("author1", &author), ("body", "Not yet."), ("action", "save")]).await;
    assert_eq!(status, 303);
    assert_eq!(site.read("/news/secret-plans/").await.0, 404);
    for path in ["/", "/news/", "/authors/eddie-editor/"] {
        assert!(!site.read(path).await.1.contains("Secret plans"), "draft leaked on {path}");
    }
    // The newsroom can preview it.
    let (status, preview) = site.get(&format!("/admin/articles/{}/preview", article_id(&loc))).await;
    assert_eq!(status, 200);
    assert!(preview.contains("Secret plans") && preview.contains("Readers cannot see this page"));
    // Readers cannot reach the preview.
    assert_eq!(site.location(&format!("/admin/articles/{}/preview", article_id(&loc))).await.0, 303);
});

/// Whether the author's and the tag's archives list the article of the test below.
async fn shown_on_archives(site: &TestSite) -> Vec<bool> {
    let mut on = Vec::new();
    for path in ["/authors/eddie-editor/", "/tags/night-buses/"] {
        on.push(site.read(path).await.1.contains("Buses after midnight"));
    }
    on
}

both_backends!(author_and_tag_archives_follow_an_articles_state, |site| {
    // Archives are read from the byline and tag rows, which carry their article's time
    // (migration 0020): every change of state must reach them.
    site.login("editor").await;
    let sec = site.section_id("news").await;
    let author = site.author_id("eddie-editor").await;
    let fields = |action: &'static str, publish_at: &'static str| {
        vec![("headline", "Buses after midnight"), ("slug", "buses-after-midnight"), ("section", sec.as_str()), ("author1", author.as_str()), ("tags", "Night buses"), ("body", "Routes."), ("action", action), ("publish_at", publish_at)]
    };
    let (status, loc, _) = site.write(&fields("save", "")).await;
    assert_eq!(status, 303);
    let edit = format!("/admin/articles/{}", article_id(&loc));
    assert_eq!(shown_on_archives(&site).await, [false, false], "a draft");
    let author_id: i64 = author.parse().unwrap();
    // Each save, and where the article shows after it (the author's archive, the tag's).
    let steps = [
        ("publish", "", [true, true], "published"),
        ("schedule", "2099-01-01T10:00", [false, false], "moved to the future"),
        ("publish", "", [true, true], "published again"),
        ("unpublish", "", [false, false], "back to a draft"),
        // The newsroom writes bylines and tags again on each save; whatever else changes an
        // article's row (a statement of its own, a future tool) is followed too (below).
        ("publish", "", [true, true], "published once more"),
    ];
    for (action, at, shown, what) in steps {
        let (status, _, _) = site.post_form(&edit, &edit, &fields(action, at)).await;
        assert_eq!(status, 303, "{what}");
        assert_eq!(shown_on_archives(&site).await, shown, "{what}");
        if action == "unpublish" {
            assert_eq!(site.store.live_article_count(marquee_store::Listing::Author(author_id), i64::MAX).await.unwrap(), 0);
        }
    }
    let id: i64 = article_id(&loc).parse().unwrap();
    sqlx::query("UPDATE articles SET status = 'draft' WHERE id = $1").bind(id).execute(site.store.pool()).await.unwrap();
    assert_eq!(site.store.live_article_count(marquee_store::Listing::Author(author_id), i64::MAX).await.unwrap(), 0, "a draft by any way");
    sqlx::query("UPDATE articles SET status = 'published', publish_at = $2 WHERE id = $1").bind(id).bind(4_000_000_000i64).execute(site.store.pool()).await.unwrap();
    assert_eq!(site.store.live_article_count(marquee_store::Listing::Author(author_id), 3_999_999_999).await.unwrap(), 0, "not yet");
    assert_eq!(site.store.live_article_count(marquee_store::Listing::Author(author_id), 4_000_000_000).await.unwrap(), 1, "live at its time");
});

both_backends!(scheduled_article_appears_only_after_its_time, |site| {
    site.login("editor").await;
    let sec = site.section_id("news").await;
    let author = site.author_id("eddie-editor").await;
    // Warm the cache so that the test also proves cached pages expire at the scheduled time.
    assert!(site.read("/news/").await.1.contains("Nothing has been published"));
    let tz = jiff::tz::TimeZone::get("America/Los_Angeles").unwrap();
    let at = jiff::Timestamp::now().as_second() + 61;
    let at = at - at.rem_euclid(60); // datetime-local has minute precision
    let local = marquee_domain::time::datetime_local(at, &tz);
    let (status, loc, text) = site
        .write(&[("headline", "Tomorrow's news"), ("section", &sec), ("author1", &author), ("body", "Soon."), ("publish_at", &local), ("action", "schedule")])
        .await;
    assert_eq!(status, 303, "{text}");
    let rec = site.store.article_record(article_id(&loc).parse().unwrap()).await.unwrap().unwrap();
    assert_eq!((rec.status.as_str(), rec.publish_at), ("scheduled", Some(at)));
    assert_eq!(site.read("/news/tomorrows-news/").await.0, 404);
    assert!(!site.read("/news/").await.1.contains("Tomorrow"));
    // Wait for the time to come (at most a minute), then it is live without anyone touching it.
    let wait = (at - jiff::Timestamp::now().as_second()).max(0) as u64 + 2;
    tokio::time::sleep(std::time::Duration::from_secs(wait)).await;
    assert_eq!(site.read("/news/tomorrows-news/").await.0, 200);
    assert!(site.read("/news/").await.1.contains("Tomorrow&#39;s news"), "the cached section page did not expire");
});

both_backends!(schedule_needs_a_future_time, |site| {
    site.login("editor").await;
    let sec = site.section_id("news").await;
    let author = site.author_id("eddie-editor").await;
    let (status, _, html) = site
        .write(&[("headline", "Late"), ("section", &sec), ("author1", &author), ("body", "x"), ("publish_at", "2001-01-01T10:00"), ("action", "schedule")])
        .await;
    assert_eq!(status, 422);
    assert!(html.contains("Choose a time in the future"));
    let (status, _, html) = site
        .write(&[("headline", "Late"), ("section", &sec), ("author1", &author), ("body", "x"), ("publish_at", "next tuesday"), ("action", "schedule")])
        .await;
    assert_eq!(status, 422);
    assert!(html.contains("is not a date and time"), "{html}");
    assert_eq!(site.store.article_summaries(None, 10, marquee_store::Seek::FIRST).await.unwrap().1, 0, "nothing saved");
});

both_backends!(contributor_cannot_publish, |site| {
    site.login("writer").await;
    let sec = site.section_id("news").await;
    let me = site.author_id("wren-writer").await;
    let (status, _, html) = site.write(&[("headline", "My scoop"), ("section", &sec), ("author1", &me), ("body", "Big."), ("action", "publish")]).await;
    assert_eq!(status, 403);
    assert!(html.contains("Only editors can publish"));
    assert!(html.contains("My scoop"), "what was typed is kept");
    assert_eq!(site.store.article_summaries(None, 10, marquee_store::Seek::FIRST).await.unwrap().1, 0);
    // A draft is fine, and the contributor can edit it.
    let (status, loc, _) = site.write(&[("headline", "My scoop"), ("section", &sec), ("author1", &me), ("body", "Big."), ("action", "save")]).await;
    assert_eq!(status, 303);
    let edit = loc.split('?').next().unwrap().to_string();
    let (status, _, _) = site.post_form(&edit, &edit, &[("headline", "My bigger scoop"), ("section", &sec), ("author1", &me), ("body", "Bigger."), ("action", "save")]).await;
    assert_eq!(status, 303);
    let (status, _, _) = site.post_form(&edit, &edit, &[("headline", "My bigger scoop"), ("section", &sec), ("author1", &me), ("body", "Bigger."), ("action", "schedule"), ("publish_at", "2099-01-01T10:00")]).await;
    assert_eq!(status, 403);
    assert_eq!(site.read("/news/my-scoop/").await.0, 404);

    // Another contributor cannot touch it; an editor can publish it.
    let other = new_client();
    site.login_as(&other, "other").await;
    assert_eq!(common::get_with(&other, &site.url(&edit)).await.0, 403);
    let editor = new_client();
    site.login_as(&editor, "editor").await;
    let (_, html) = common::get_with(&editor, &site.url(&edit)).await;
    let csrf = common::csrf_in(&html);
    let r = editor
        .post(site.url(&edit))
        .form(&[("_csrf", csrf.as_str()), ("headline", "My bigger scoop"), ("slug", "my-scoop"), ("section", &sec), ("author1", &me), ("body", "Bigger."), ("action", "publish")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 303);
    assert_eq!(site.read("/news/my-scoop/").await.0, 200);
    // Once published, it is no longer the contributor's to edit.
    assert_eq!(site.get(&edit).await.0, 403);
});

both_backends!(changed_slug_or_section_redirects, |site| {
    site.login("editor").await;
    let id = publish(&site, "Old name", "old-name", "news", "Body.").await;
    let edit = format!("/admin/articles/{id}");
    let author = site.author_id("eddie-editor").await;
    let news = site.section_id("news").await;
    let (status, _, _) = site.post_form(&edit, &edit, &[("headline", "New name"), ("slug", "new-name"), ("section", &news), ("author1", &author), ("body", "Body."), ("action", "publish")]).await;
    assert_eq!(status, 303);
    assert_eq!(site.location("/news/old-name/").await, (301, "/news/new-name/".to_string()));
    let movies = site.section_id("movie-review").await;
    let (status, _, _) = site.post_form(&edit, &edit, &[("headline", "New name"), ("slug", "new-name"), ("section", &movies), ("author1", &author), ("body", "Body."), ("action", "publish")]).await;
    assert_eq!(status, 303);
    assert_eq!(site.location("/news/old-name/").await, (301, "/movie-review/new-name/".to_string()));
    assert_eq!(site.location("/news/new-name/").await, (301, "/movie-review/new-name/".to_string()));
    assert_eq!(site.read("/movie-review/new-name/").await.0, 200);
    // The publication date stays the first one, and an edit this soon after publishing is no "update".
    let page = site.read("/movie-review/new-name/").await.1;
    assert!(!page.contains("Updated"), "an edit within a minute of publishing is not an update");
});

both_backends!(updated_date_after_editing_a_published_article, |site| {
    site.login("editor").await;
    let id: i64 = publish(&site, "Council votes", "council-votes", "news", "Yes.").await.parse().unwrap();
    // Pretend it was published an hour ago, then edit it.
    sqlx::query("UPDATE articles SET publish_at = publish_at - 3600 WHERE id = $1").bind(id).execute(site.store.pool()).await.unwrap();
    let edit = format!("/admin/articles/{id}");
    let author = site.author_id("eddie-editor").await;
    let news = site.section_id("news").await;
    let (status, _, _) = site.post_form(&edit, &edit, &[("headline", "Council votes yes"), ("slug", "council-votes"), ("section", &news), ("author1", &author), ("body", "Yes, 5-2."), ("action", "save")]).await;
    assert_eq!(status, 303);
    let page = site.read("/news/council-votes/").await.1;
    assert!(page.contains("Council votes yes") && page.contains("5-2"));
    assert!(page.contains("Updated"), "edited after publishing shows an updated date");
});

both_backends!(script_in_body_or_headline_is_not_executed, |site| {
    site.login("editor").await;
    let sec = site.section_id("news").await;
    let author = site.author_id("eddie-editor").await;
    let (status, _, text) = site
        .write(&[
            ("headline", "<script>alert('h')</script> Fish & Chips"),
            ("slug", "fish-and-chips"),
            ("deck", "<img src=x onerror=alert(1)>"),
            ("section", &sec),
            ("author1", &author),
            ("tags", "<b>bold</b>"),
            ("body", "Hello <script>alert('b')</script> <a href=\"javascript:alert(1)\">x</a> <iframe src=\"https://evil.example\"></iframe> <b onclick=\"alert(2)\">bold</b>"),
            ("action", "publish"),
        ])
        .await;
    assert_eq!(status, 303, "{text}");
    let page = site.read("/news/fish-and-chips/").await.1;
    assert!(!page.contains("<script>alert"), "script survived: {page}");
    assert!(!page.contains("<img") && !page.contains("onclick") && !page.contains("javascript:") && !page.contains("<iframe"), "{page}");
    assert!(page.contains("&lt;img src=x onerror=alert(1)&gt;"), "the deck is shown as text");
    assert!(page.contains("&lt;script&gt;alert(&#39;h&#39;)&lt;/script&gt; Fish &amp; Chips"), "headline is shown escaped");
    assert!(page.contains("<b>bold</b>"), "harmless markup stays");
    assert!(page.contains("&lt;b&gt;bold&lt;/b&gt;"), "tag names are escaped");
    for path in ["/", "/news/"] {
        assert!(!site.read(path).await.1.contains("<script>alert"), "{path}");
    }
});

both_backends!(state_changing_post_without_csrf_is_refused, |site| {
    site.login("editor").await;
    let sec = site.section_id("news").await;
    let author = site.author_id("eddie-editor").await;
    let fields = [("headline", "Forged"), ("section", sec.as_str()), ("author1", author.as_str()), ("body", "x"), ("action", "publish")];
    let r = site.client.post(site.url("/admin/articles/new")).form(&fields).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 403);
    assert!(r.text().await.unwrap().contains("nothing was saved"));
    let mut forged = vec![("_csrf", "0".repeat(64))];
    forged.extend(fields.iter().map(|(k, v)| (*k, v.to_string())));
    let r = site.client.post(site.url("/admin/articles/new")).form(&forged).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 403);
    // A sign-in form posted from elsewhere is refused too.
    let r = new_client().post(site.url("/admin/login")).form(&[("email", "editor@paper.test"), ("password", common::PASSWORD)]).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 403);
    assert_eq!(site.store.article_summaries(None, 10, marquee_store::Seek::FIRST).await.unwrap().1, 0);
});

both_backends!(bad_input_returns_the_form_with_messages_and_keeps_it, |site| {
    site.login("editor").await;
    let sec = site.section_id("news").await;
    let author = site.author_id("eddie-editor").await;
    let (status, _, html) = site.write(&[("headline", ""), ("deck", "Kept deck"), ("section", &sec), ("author1", &author), ("body", "Kept body text"), ("action", "save")]).await;
    assert_eq!(status, 422);
    assert!(html.contains("A headline is required.") && html.contains("Kept deck") && html.contains("Kept body text"));
    let long = "x".repeat(401);
    let (status, _, html) = site.write(&[("headline", &long), ("section", &sec), ("author1", &author), ("body", "b"), ("action", "save")]).await;
    assert_eq!(status, 422);
    assert!(html.contains("at most 200 characters"));
    let (status, _, html) = site.write(&[("headline", "No section"), ("section", ""), ("author1", &author), ("body", "b"), ("action", "save")]).await;
    assert_eq!(status, 422);
    assert!(html.contains("Choose a section."));
    assert_eq!(site.store.article_summaries(None, 10, marquee_store::Seek::FIRST).await.unwrap().1, 0, "nothing half-saved");
    publish(&site, "Twins", "twins", "news", "One.").await;
    let (status, _, html) = site.write(&[("headline", "Twins"), ("slug", "twins"), ("section", &sec), ("author1", &author), ("body", "Two."), ("action", "publish")]).await;
    assert_eq!(status, 422);
    assert!(html.contains("already uses this slug") && html.contains("Two."));
    assert_eq!(site.store.article_summaries(None, 10, marquee_store::Seek::FIRST).await.unwrap().1, 1);
    // Same slug in another section is fine.
    publish(&site, "Twins", "twins", "movie-review", "Other.").await;
    // Preview renders the Markdown and saves nothing.
    let (status, _, html) = site.write(&[("headline", "Preview me"), ("section", &sec), ("author1", &author), ("body", "Some **bold** words"), ("action", "preview")]).await;
    assert_eq!(status, 200);
    assert!(html.contains("<strong>bold</strong>") && html.contains("value=\"preview-me\""), "slug proposed from the headline");
    assert_eq!(site.store.article_summaries(None, 10, marquee_store::Seek::FIRST).await.unwrap().1, 2);
});

both_backends!(revisions_can_be_viewed_and_restored, |site| {
    site.login("editor").await;
    let id = publish(&site, "First headline", "story", "news", "First body.").await;
    let edit = format!("/admin/articles/{id}");
    let author = site.author_id("eddie-editor").await;
    let news = site.section_id("news").await;
    site.post_form(&edit, &edit, &[("headline", "Second headline"), ("slug", "story"), ("section", &news), ("author1", &author), ("body", "Second body."), ("action", "save")]).await;
    let (status, list) = site.get(&format!("{edit}/revisions")).await;
    assert_eq!(status, 200);
    assert!(list.contains("Revision 1") && list.contains("Revision 2") && list.contains("First headline"));
    let (status, rev) = site.get(&format!("{edit}/revisions/1")).await;
    assert_eq!(status, 200);
    assert!(rev.contains("First body.") && rev.contains("Restore this revision"));
    let (status, loc, _) = site.post_form(&format!("{edit}/revisions/1"), &format!("{edit}/revisions/1/restore"), &[]).await;
    assert_eq!(status, 303);
    assert!(loc.contains("restored=1"));
    let page = site.read("/news/story/").await.1;
    assert!(page.contains("First headline") && page.contains("First body."));
    assert_eq!(site.store.revisions(id.parse().unwrap()).await.unwrap().len(), 3, "restoring adds a revision");
});

both_backends!(unpublishing_takes_it_off_the_site, |site| {
    site.login("editor").await;
    let id = publish(&site, "Oops", "oops", "news", "Wrong.").await;
    assert_eq!(site.read("/news/oops/").await.0, 200);
    let edit = format!("/admin/articles/{id}");
    let author = site.author_id("eddie-editor").await;
    let news = site.section_id("news").await;
    let (status, _, _) = site.post_form(&edit, &edit, &[("headline", "Oops"), ("slug", "oops"), ("section", &news), ("author1", &author), ("body", "Wrong."), ("action", "unpublish")]).await;
    assert_eq!(status, 303);
    assert_eq!(site.read("/news/oops/").await.0, 404);
    assert!(!site.read("/").await.1.contains("Oops"));
});

both_backends!(bylines_keep_their_order, |site| {
    site.login("editor").await;
    let sec = site.section_id("news").await;
    let (a, b) = (site.author_id("wren-writer").await, site.author_id("eddie-editor").await);
    site.write(&[("headline", "Two hands"), ("section", &sec), ("author1", &a), ("author2", &b), ("body", "x"), ("action", "publish")]).await;
    let page = site.read("/news/two-hands/").await.1;
    let (wren, eddie) = (page.find(">Wren Writer<").unwrap(), page.find(">Eddie Editor<").unwrap());
    assert!(wren < eddie, "byline order kept");
    assert!(site.read("/authors/wren-writer/").await.1.contains("Two hands"));
    assert!(site.read("/authors/eddie-editor/").await.1.contains("Two hands"));
});

/// The address a pager link (`rel="next"` or `rel="prev"`) leads to.
fn pager_link(html: &str, rel: &str) -> Option<String> {
    let at = html.find(&format!("<a rel=\"{rel}\" href=\""))? + rel.len() + 16;
    Some(html[at..].split('"').next()?.replace("&amp;", "&"))
}

/// The story numbers a listing page shows, top to bottom.
fn story_numbers(html: &str) -> Vec<i64> {
    html.split("Story number ").skip(1).filter_map(|s| s.split('<').next()?.parse().ok()).collect()
}

both_backends!(pagination, |site| {
    let sec: i64 = site.section_id("news").await.parse().unwrap();
    let author: i64 = site.author_id("eddie-editor").await.parse().unwrap();
    let publish = |i: i64| {
        let store = site.store.clone();
        async move {
            let (slug, headline) = (format!("story-{i}"), format!("Story number {i}"));
            // Two stories to a second: a page may end between two of the same time.
            let w = marquee_store::ArticleWrite {
                id: None, section_id: sec, slug: &slug, headline: &headline, deck: "", body: "b", body_html: "<p>b</p>", status: "published",
                publish_at: Some(1_000_000 + i / 2), author_ids: &[author], tags: &[], film_id: None, rating: None, user_id: None, featured: None, unchanged_since: None, slug_proposed: false, lead_media_id: None, now: 1_000_000 + i,
            };
            store.save_article(&w).await.unwrap().unwrap();
        }
    };
    for i in 0..45 {
        publish(i).await;
    }
    let (_, p1) = site.read("/news/").await;
    assert_eq!(story_numbers(&p1), (25..45).rev().collect::<Vec<_>>());
    assert!(p1.contains("Page 1 of 3") && pager_link(&p1, "prev").is_none());
    let (status, p2) = site.read("/news/?page=2").await;
    assert_eq!(status, 200);
    assert_eq!(story_numbers(&p2), (5..25).rev().collect::<Vec<_>>());
    assert_eq!(story_numbers(&site.read("/news/?page=3").await.1), (0..5).rev().collect::<Vec<_>>());
    assert_eq!(site.read("/news/?page=4").await.0, 404);

    // "Older" from the first page to the last, then "Newer" back: every story once, in order,
    // each page the same as by its number.
    let mut walked = Vec::new();
    let (mut at, mut pages) = ("/news/".to_string(), Vec::new());
    loop {
        let (status, html) = site.read(&at).await;
        assert_eq!(status, 200, "{at}");
        walked.extend(story_numbers(&html));
        pages.push((at.clone(), story_numbers(&html)));
        match pager_link(&html, "next") {
            Some(next) => at = next,
            None => break,
        }
    }
    assert_eq!(walked, (0..45).rev().collect::<Vec<_>>());
    assert_eq!(pages.len(), 3);
    assert!(pages[1].0.starts_with("/news/?page=2&after=") && pages[2].0.starts_with("/news/?page=3&after="), "{pages:?}");
    let last = site.read(&pages[2].0).await.1;
    assert!(last.contains("Page 3 of 3") && pager_link(&last, "next").is_none());
    let back = pager_link(&last, "prev").unwrap();
    assert!(back.starts_with("/news/?page=2&before="), "{back}");
    let p2_again = site.read(&back).await.1;
    assert_eq!(story_numbers(&p2_again), pages[1].1);
    assert_eq!(pager_link(&p2_again, "prev").as_deref(), Some("/news/"));
    assert_eq!(pager_link(&p2_again, "next").as_deref(), Some(pages[2].0.as_str()));

    // A story published meanwhile moves every numbered page by one, but a reader walking on
    // from a page they had open sees no story twice.
    site.login("editor").await;
    let eddie = author.to_string();
    site.write(&[("headline", "Story number 45"), ("section", &sec.to_string()), ("author1", &eddie), ("body", "x"), ("action", "publish")]).await;
    assert_eq!(story_numbers(&site.read("/news/?page=3").await.1), (0..6).rev().collect::<Vec<_>>());
    assert_eq!(story_numbers(&site.read(&pages[2].0).await.1), (0..5).rev().collect::<Vec<_>>());

    // Archives page the same way.
    let a1 = site.read("/authors/eddie-editor/").await.1;
    let a2 = site.read(&pager_link(&a1, "next").unwrap()).await.1;
    assert!(pager_link(&a1, "next").unwrap().starts_with("/authors/eddie-editor/?page=2&after="));
    assert_eq!(story_numbers(&a2), (6..26).rev().collect::<Vec<_>>());

    // What a hand-typed address can get wrong is named.
    let (status, html) = site.read("/news/?page=abc").await;
    assert_eq!(status, 400);
    assert!(html.contains("whole number"));
    for (bad, says) in [
        ("/news/?page=2&after=yesterday", "two whole numbers joined by a dot"),
        ("/news/?page=2&after=1000010", "two whole numbers joined by a dot"),
        ("/news/?page=2&after=1.2&before=3.4", "not both"),
        ("/news/?after=1000010.5", "numbered from 2 up"),
        ("/tags/anything/?page=2&before=x.y", "two whole numbers joined by a dot"),
    ] {
        let (status, html) = site.read(bad).await;
        assert_eq!(status, 400, "{bad}");
        assert!(html.contains(says), "{bad}: {html}");
    }
    assert_eq!(site.read("/news/?page=5&after=1.1").await.0, 404, "nothing is older than the first second");
});

// With the page cache off every page below is read again, so each typed number goes through
// the listing's marks (one every hundred articles, kept until content changes).
both_backends!(typed_page_numbers_deep_in_a_listing_match_the_pages_walked_to, marquee_web::WebConfig { page_cache: false, ..Default::default() }, |site| {
    let sec: i64 = site.section_id("news").await.parse().unwrap();
    let author: i64 = site.author_id("eddie-editor").await.parse().unwrap();
    for i in 0..330 {
        let (slug, headline) = (format!("story-{i}"), format!("Story number {i}"));
        // Three stories to a second: marks fall between stories of one time.
        let w = marquee_store::ArticleWrite {
            id: None, section_id: sec, slug: &slug, headline: &headline, deck: "", body: "b", body_html: "<p>b</p>", status: "published",
            publish_at: Some(1_000_000 + i / 3), author_ids: &[author], tags: &[], film_id: None, rating: None, user_id: None, featured: None, unchanged_since: None, slug_proposed: false, lead_media_id: None, now: 1_000_000 + i,
        };
        site.store.save_article(&w).await.unwrap().unwrap();
    }
    for base in ["/news/", "/authors/eddie-editor/"] {
        // Walked by the Older links: 17 pages of 20, the last with 10.
        let mut walked = Vec::new();
        let mut at = base.to_string();
        loop {
            let html = site.read(&at).await.1;
            walked.push(story_numbers(&html));
            match pager_link(&html, "next") {
                Some(next) => at = next,
                None => break,
            }
        }
        assert_eq!(walked.len(), 17, "{base}");
        assert_eq!(walked.concat(), (0..330).rev().collect::<Vec<_>>(), "{base}");
        // Typed, deepest first (marks taken at once) and then from the top (marks reused).
        for page in (1..=17).rev().chain(1..=17) {
            let (status, html) = site.read(&format!("{base}?page={page}")).await;
            assert_eq!(status, 200, "{base} page {page}");
            assert_eq!(story_numbers(&html), walked[page - 1], "{base} page {page}");
        }
        assert_eq!(site.read(&format!("{base}?page=18")).await.0, 404, "{base}");
        assert_eq!(site.read(&format!("{base}?page=40")).await.0, 404, "{base}");
    }

    // A new story moves every typed page by one: the marks taken before it are not used.
    site.login("editor").await;
    site.write(&[("headline", "Story number 330"), ("section", &sec.to_string()), ("author1", &author.to_string()), ("body", "x"), ("action", "publish")]).await;
    assert_eq!(story_numbers(&site.read("/news/?page=6").await.1), (211..231).rev().collect::<Vec<_>>());
    assert_eq!(story_numbers(&site.read("/news/?page=17").await.1), (0..11).rev().collect::<Vec<_>>());
});

both_backends!(the_newsroom_list_walks_by_its_links, |site| {
    let sec: i64 = site.section_id("news").await.parse().unwrap();
    let author: i64 = site.author_id("eddie-editor").await.parse().unwrap();
    for i in 0..110 {
        let (slug, headline) = (format!("desk-{i}"), format!("Desk story {i}"));
        let draft = i % 11 == 0;
        let w = marquee_store::ArticleWrite {
            id: None, section_id: sec, slug: &slug, headline: &headline, deck: "", body: "b", body_html: "<p>b</p>", status: if draft { "draft" } else { "published" },
            publish_at: (!draft).then_some(1_000_000), author_ids: &[author], tags: &[], film_id: None, rating: None, user_id: None, featured: None, unchanged_since: None, slug_proposed: false, lead_media_id: None,
            // Three saves to a second, so pages end between rows of one time.
            now: 1_000_000 + i / 3,
        };
        site.store.save_article(&w).await.unwrap().unwrap();
    }
    site.login("editor").await;
    let link = |html: &str, label: &str| html.find(label).map(|end| html[..end].rsplit("href=\"").next().unwrap().split('"').next().unwrap().replace("&amp;", "&"));
    let desk = |html: &str| {
        // A published article's row names it twice (its editor, and "view" it).
        let mut rows = html.split("Desk story ").skip(1).filter_map(|s| s.split('<').next()?.parse().ok()).collect::<Vec<i64>>();
        rows.dedup();
        rows
    };
    for (status, expected) in [("", (0..110).rev().collect::<Vec<i64>>()), ("draft", (0..110).rev().filter(|i| i % 11 == 0).collect())] {
        let (mut at, mut seen, mut pages) = (format!("/admin/?status={status}"), Vec::new(), Vec::new());
        loop {
            let (code, html) = site.get(&at).await;
            assert_eq!(code, 200, "{at}");
            seen.extend(desk(&html));
            pages.push((at.clone(), html.clone()));
            match link(&html, "Next →") {
                Some(next) => at = next,
                None => break,
            }
        }
        assert_eq!(seen, expected, "every article once, most recently changed first ({status:?})");
        assert_eq!(pages.len(), expected.len().div_ceil(50));
        if let [_, second, third] = &pages[..] {
            assert!(second.0.contains("&page=2&after=") && third.1.contains("Page 3 of 3"), "{}", second.0);
            let back = link(&third.1, "← Previous").unwrap();
            assert!(back.contains("&page=2&before="), "{back}");
            assert_eq!(desk(&site.get(&back).await.1), desk(&second.1), "Previous shows the page before");
            assert_eq!(link(&second.1, "← Previous").as_deref(), Some("/admin/?status="));
        }
    }
    // A typed page number still works; a place that makes no sense shows the first page.
    assert_eq!(desk(&site.get("/admin/?status=&page=2").await.1), (10..60).rev().collect::<Vec<_>>());
    assert_eq!(desk(&site.get("/admin/?status=&page=2&after=nonsense").await.1)[0], 109);
});

both_backends!(the_home_page_leads_with_the_newest_and_shows_each_sections_own, |site| {
    let news: i64 = site.section_id("news").await.parse().unwrap();
    let reviews: i64 = site.section_id("movie-review").await.parse().unwrap();
    let (eddie, wren): (i64, i64) = (site.author_id("eddie-editor").await.parse().unwrap(), site.author_id("wren-writer").await.parse().unwrap());
    let mut stories = Vec::new();
    for i in 0..6 {
        stories.push((news, eddie, format!("N{i}"), 1_000_000 + i, "published"));
        stories.push((reviews, wren, format!("M{i}"), 2_000_000 + i, "published"));
    }
    // Neither a scheduled story nor a draft is shown.
    stories.push((news, eddie, "Later".into(), 4_000_000_000, "published"));
    stories.push((reviews, wren, "Unfinished".into(), 3_000_000, "draft"));
    for (section_id, author, name, at, status) in &stories {
        let (slug, headline) = (name.to_lowercase(), format!("Front story {name}"));
        let w = marquee_store::ArticleWrite {
            id: None, section_id: *section_id, slug: &slug, headline: &headline, deck: "", body: "b", body_html: "<p>b</p>", status,
            publish_at: (*status != "draft").then_some(*at), author_ids: &[*author], tags: &[], film_id: None, rating: None, user_id: None, featured: None, unchanged_since: None, slug_proposed: false, lead_media_id: None, now: *at,
        };
        site.store.save_article(&w).await.unwrap().unwrap();
    }
    let (_, home) = site.read("/").await;
    let shown: Vec<&str> = home.split("Front story ").skip(1).filter_map(|s| s.split('<').next()).collect();
    // The lead, the six after it from any section, then each section's four newest (in the
    // sections' order) other than the lead.
    assert_eq!(shown, ["M5", "M4", "M3", "M2", "M1", "M0", "N5", "N5", "N4", "N3", "N2", "M4", "M3", "M2", "M1"]);
    assert!(!home.contains("Front story Later") && !home.contains("Front story Unfinished"));
    // Every card carries its byline.
    assert_eq!(home.matches(">Wren Writer<").count(), 10, "the M cards");
    assert_eq!(home.matches(">Eddie Editor<").count(), 5, "the N cards");
});

both_backends!(login_is_rate_limited, |site| {
    let (_, html) = site.get("/admin/login").await;
    let csrf = common::csrf_in(&html);
    for _ in 0..5 {
        let r = site.client.post(site.url("/admin/login")).form(&[("_csrf", csrf.as_str()), ("email", "editor@paper.test"), ("password", "wrong password")]).send().await.unwrap();
        assert_eq!(r.status().as_u16(), 401);
    }
    let r = site.client.post(site.url("/admin/login")).form(&[("_csrf", csrf.as_str()), ("email", "editor@paper.test"), ("password", common::PASSWORD)]).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 429, "even the right password waits once the limit is reached");
    assert!(r.text().await.unwrap().contains("Too many failed sign-ins"));
    // Another account from another client is unaffected by this account's limit.
    site.login_as(&new_client(), "writer").await;
});

both_backends!(session_cookie_is_protected_and_logout_ends_it, |site| {
    let (_, html) = site.get("/admin/login").await;
    let csrf = common::csrf_in(&html);
    let r = site.client.post(site.url("/admin/login")).form(&[("_csrf", csrf.as_str()), ("email", "editor@paper.test"), ("password", common::PASSWORD)]).send().await.unwrap();
    let cookie = r.headers().get_all("set-cookie").iter().map(|v| v.to_str().unwrap().to_string()).find(|c| c.starts_with("mq_session=")).unwrap();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax") && !cookie.contains("Secure"), "{cookie}");
    assert_eq!(site.get("/admin/").await.0, 200);
    // An expired session no longer signs anyone in, and cleanup removes it.
    sqlx::query("UPDATE sessions SET expires_at = 0").execute(site.store.pool()).await.unwrap();
    assert_eq!(site.get("/admin/").await.0, 303);
    assert_eq!(site.store.delete_expired_sessions(jiff::Timestamp::now().as_second()).await.unwrap(), 1);
    site.login("editor").await;
    assert_eq!(site.get("/admin/").await.0, 200);
    site.post_form("/admin/", "/admin/logout", &[]).await;
    assert_eq!(site.get("/admin/").await.0, 303);
    // With an https base URL the cookie is Secure.
    let mut p = site.store.publication().await.unwrap();
    p.base_url = "https://paper.test".into();
    site.store.update_publication(&p).await.unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await; // the server notices within a second
    let c = new_client();
    let (_, html) = common::get_with(&c, &site.url("/admin/login")).await;
    let csrf = common::csrf_in(&html);
    let r = c.post(site.url("/admin/login")).form(&[("_csrf", csrf.as_str()), ("email", "editor@paper.test"), ("password", common::PASSWORD)]).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 303);
    let cookie = r.headers().get_all("set-cookie").iter().map(|v| v.to_str().unwrap().to_string()).find(|c| c.contains("mq_session=")).unwrap();
    assert!(cookie.starts_with("__Host-mq_session=") && cookie.contains("Secure") && cookie.contains("Path=/") && !cookie.contains("Domain"), "{cookie}");
    // An https site reads only the prefixed names: a plain-named cookie, which a sibling
    // subdomain could have planted, counts for nothing.
    let raw = common::raw_client();
    let r = raw.get(site.url("/admin/login")).send().await.unwrap();
    let nonce = common::cookie_set(&r, "__Host-mq_csrf").expect("the nonce cookie is prefixed");
    let token = common::csrf_in(&r.text().await.unwrap());
    let login = [("_csrf", token.as_str()), ("email", "editor@paper.test"), ("password", common::PASSWORD)];
    let r = raw.post(site.url("/admin/login")).header("cookie", format!("mq_csrf={nonce}")).form(&login).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 403);
    let r = raw.post(site.url("/admin/login")).header("cookie", format!("__Host-mq_csrf={nonce}")).form(&login).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 303);
});

/// Signs `who` in with a cookie-less client; returns the browser's CSRF nonce and session.
async fn raw_sign_in(site: &TestSite, raw: &reqwest::Client, who: &str) -> (String, String) {
    let r = raw.get(site.url("/admin/login")).send().await.unwrap();
    let nonce = common::cookie_set(&r, "mq_csrf").expect("the login page sets the nonce");
    let token = common::csrf_in(&r.text().await.unwrap());
    let email = format!("{who}@paper.test");
    let r = raw.post(site.url("/admin/login")).header("cookie", format!("mq_csrf={nonce}")).form(&[("_csrf", token.as_str()), ("email", email.as_str()), ("password", common::PASSWORD)]).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 303, "signing in as {who}");
    (nonce, common::cookie_set(&r, "mq_session").expect("a session"))
}

both_backends!(csrf_tokens_are_bound_to_the_session, |site| {
    let raw = common::raw_client();
    let (nonce, session) = raw_sign_in(&site, &raw, "editor").await;
    let jar = |nonce: &str, session: &str| format!("mq_csrf={nonce}; mq_session={session}");
    let token_for = |cookies: String| {
        let raw = raw.clone();
        let url = site.url("/admin/articles/new");
        async move { common::csrf_in(&raw.get(url).header("cookie", cookies).send().await.unwrap().text().await.unwrap()) }
    };
    let (sec, author) = (site.section_id("news").await, site.author_id("eddie-editor").await);
    let post = |cookies: String, token: String, headline: &'static str| {
        let raw = raw.clone();
        let url = site.url("/admin/articles/new");
        let (sec, author) = (sec.clone(), author.clone());
        async move {
            let form = [("_csrf", token.as_str()), ("headline", headline), ("section", &sec), ("author1", &author), ("body", "x"), ("action", "save")];
            raw.post(url).header("cookie", cookies).form(&form).send().await.unwrap().status().as_u16()
        }
    };
    // A forged nonce cookie with the same forged value in the form, beside a real session.
    let forged = "f0".repeat(32);
    assert_eq!(post(jar(&forged, &session), forged.clone(), "Forged nonce").await, 403);
    // A real pair for another session (the forger's own, planted beside the victim's).
    let (their_nonce, their_session) = raw_sign_in(&site, &raw, "writer").await;
    let theirs = token_for(jar(&their_nonce, &their_session)).await;
    assert_eq!(post(jar(&their_nonce, &session), theirs.clone(), "Forger's pair").await, 403);
    assert_eq!(post(jar(&their_nonce, &their_session), theirs, "The writer's own").await, 303, "a token works with the session it was made for");
    // The token a page gave before signing in does not outlive the sign-in.
    let r = raw.get(site.url("/admin/login")).header("cookie", format!("mq_csrf={nonce}")).send().await.unwrap();
    let before = common::csrf_in(&r.text().await.unwrap());
    assert_eq!(post(jar(&nonce, &session), before, "Signed-out token").await, 403);
    let mine = token_for(jar(&nonce, &session)).await;
    assert_ne!(mine, nonce, "the token is not the cookie");
    assert_eq!(post(jar(&nonce, &session), mine, "Genuine").await, 303);
    let headlines: Vec<String> = site.store.article_summaries(None, 10, marquee_store::Seek::FIRST).await.unwrap().0.into_iter().map(|a| a.headline).collect();
    assert_eq!(headlines.len(), 2, "{headlines:?}");
    assert!(headlines.iter().all(|h| h == "Genuine" || h == "The writer's own"), "{headlines:?}");
});

both_backends!(form_bodies_that_are_not_utf8_are_refused, |site| {
    site.login("editor").await;
    let (_, html) = site.get("/admin/articles/new").await;
    let csrf = common::csrf_in(&html);
    let (sec, author) = (site.section_id("news").await, site.author_id("eddie-editor").await);
    let encoded = format!("_csrf={csrf}&headline=Caf%E9&section={sec}&author1={author}&body=x&action=publish").into_bytes();
    let mut raw_byte = format!("_csrf={csrf}&section={sec}&author1={author}&body=x&action=publish&headline=Caf").into_bytes();
    raw_byte.push(0xE9);
    for body in [encoded, raw_byte] {
        let r = site.client.post(site.url("/admin/articles/new")).header("content-type", "application/x-www-form-urlencoded").body(body).send().await.unwrap();
        assert_eq!(r.status().as_u16(), 400);
        assert!(r.text().await.unwrap().contains("This form could not be read"));
    }
    // An upload's text field too.
    let (_, html) = site.get("/admin/media").await;
    let csrf = common::csrf_in(&html);
    let form = reqwest::multipart::Form::new().text("_csrf", csrf).part("alt", reqwest::multipart::Part::bytes(vec![b'A', 0xFF])).part("file", reqwest::multipart::Part::bytes(vec![1, 2, 3]).file_name("x.png"));
    let r = site.client.post(site.url("/admin/media")).multipart(form).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 400);
    assert!(r.text().await.unwrap().contains("could not be read as text"));
    assert_eq!(site.store.article_summaries(None, 10, marquee_store::Seek::FIRST).await.unwrap().1, 0, "nothing was saved");
    // The same form in UTF-8 goes through, accents and all.
    let ok = format!("_csrf={}&headline=Caf%C3%A9&section={sec}&author1={author}&body=x&action=publish", common::csrf_in(&site.get("/admin/articles/new").await.1));
    let r = site.client.post(site.url("/admin/articles/new")).header("content-type", "application/x-www-form-urlencoded").body(ok).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 303);
    assert_eq!(site.store.article_summaries(None, 10, marquee_store::Seek::FIRST).await.unwrap().0[0].headline, "Café");
});

both_backends!(admins_manage_staff_sections_and_settings, |site| {
    // Editors are not admins.
    site.login("editor").await;
    assert_eq!(site.get("/admin/users").await.0, 403);
    assert_eq!(site.get("/admin/settings").await.0, 403);
    let admin = TestSiteClient::new(&site, "admin").await;
    let (status, _, html) = admin.post("/admin/users", "/admin/users", &[("name", "Nina New"), ("email", "nina@paper.test"), ("role", "editor"), ("password", "long enough password")]).await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("Added Nina New as editor"));
    let (status, _, html) = admin.post("/admin/users", "/admin/users", &[("name", "Dup"), ("email", "nina@paper.test"), ("role", "editor"), ("password", "long enough password")]).await;
    assert_eq!(status, 422);
    assert!(html.contains("already exists"));
    site.login_as(&new_client(), "admin").await;
    let (status, _, html) = admin.post("/admin/sections", "/admin/sections", &[("name", "Food & Drink"), ("slug", ""), ("description", "Eat.")]).await;
    assert_eq!(status, 200, "{html}");
    let (status, _, html) = admin.post("/admin/sections", "/admin/sections", &[("name", "Admin"), ("slug", "admin")]).await;
    assert_eq!(status, 422);
    assert!(html.contains("used by the site itself"));
    assert!(site.read("/").await.1.contains("href=\"/food-and-drink/\""), "new section in the navigation");
    let (status, _, html) = admin.post("/admin/settings", "/admin/settings", &[("name", "The Renamed Weekly"), ("base_url", &site.base), ("time_zone", "Mars/Base"), ("copyright", "© Renamed"), ("home", "94612"), ("radius_miles", "25"), ("popular_days", "7")]).await;
    assert_eq!(status, 422);
    assert!(html.contains("is not an IANA time zone") && html.contains("The Renamed Weekly"));
    let (status, _, _) = admin.post("/admin/settings", "/admin/settings", &[("name", "The Renamed Weekly"), ("base_url", &site.base), ("time_zone", "America/Chicago"), ("copyright", "© Renamed & Co"), ("home", "60601"), ("radius_miles", "30"), ("popular_days", "14")]).await;
    assert_eq!(status, 200);
    let home = site.read("/").await.1;
    assert!(home.contains("The Renamed Weekly") && home.contains("© Renamed &amp; Co"));
    let p = site.store.publication().await.unwrap();
    let chicago = marquee_domain::geo::zip("60601").unwrap();
    assert_eq!((p.home_latitude, p.home_longitude, p.radius_miles), (chicago.latitude, chicago.longitude, 30.0), "home moved to Chicago's 60601");
    assert_eq!(p.popular_days, 14);
    let (status, _, html) = admin.post("/admin/settings", "/admin/settings", &[("name", "X"), ("base_url", &site.base), ("time_zone", "UTC"), ("home", "nowhere"), ("radius_miles", "-3")]).await;
    assert_eq!(status, 422);
    assert!(html.contains("Enter a US ZIP code") && html.contains("from 1 to 500"));
});

both_backends!(renaming_a_section_keeps_article_urls, |site| {
    site.login("editor").await;
    publish(&site, "Film one", "film-one", "movie-review", "x").await;
    let admin = TestSiteClient::new(&site, "admin").await;
    let id = site.section_id("movie-review").await;
    let (status, _, _) = admin.post("/admin/sections", &format!("/admin/sections/{id}"), &[("name", "Film"), ("slug", "film"), ("position", "1")]).await;
    assert_eq!(status, 303);
    assert_eq!(site.location("/movie-review/film-one/").await, (301, "/film/film-one/".to_string()));
    assert_eq!(site.read("/film/").await.0, 200);
});

/// A second signed-in browser.
struct TestSiteClient<'a> {
    site: &'a TestSite,
    client: reqwest::Client,
}

impl<'a> TestSiteClient<'a> {
    async fn new(site: &'a TestSite, who: &str) -> TestSiteClient<'a> {
        let client = new_client();
        site.login_as(&client, who).await;
        TestSiteClient { site, client }
    }
    async fn post(&self, page: &str, action: &str, fields: &[(&str, &str)]) -> (u16, String, String) {
        let (_, html) = common::get_with(&self.client, &self.site.url(page)).await;
        let csrf = common::csrf_in(&html);
        let mut all = vec![("_csrf", csrf.as_str())];
        all.extend_from_slice(fields);
        let r = self.client.post(self.site.url(action)).form(&all).send().await.unwrap();
        let status = r.status().as_u16();
        let loc = r.headers().get("location").map(|v| v.to_str().unwrap().to_string()).unwrap_or_default();
        (status, loc, r.text().await.unwrap())
    }
}

both_backends!(demo_content_has_the_reference_review, |site| {
    marquee::demo::seed(&site.store, &site.base, marquee::demo::DEMO_NAME, "demo password 123", false).await.unwrap();
    let total = site.store.live_article_count(marquee_store::Listing::All, i64::MAX).await.unwrap();
    assert!(total >= 300, "a few hundred demo articles, got {total}");
    let sections: Vec<String> = site.store.sections().await.unwrap().into_iter().map(|s| s.name).collect();
    for name in ["News", "Movie Review", "Music", "Food & Drink", "Arts"] {
        assert!(sections.iter().any(|s| s == name), "demo section {name}");
    }
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await; // the server notices the new content
    let (_, movies) = site.read("/movie-review/").await;
    assert!(movies.contains("href=\"/movie-review/rust-and-bone/\""), "Rust and Bone on the first Movie Review page");
    let (status, review) = site.read("/movie-review/rust-and-bone/").await;
    assert_eq!(status, 200);
    assert!(review.contains(">Rust and Bone<") && review.contains("Physical therapy."));
    assert!(review.contains("Film Details") && review.contains("122 minutes") && review.contains(">Marion Cotillard</a>"), "the demo review is linked to its film");
    assert!(review.contains("Our rating: 4 out of 5"), "and rated");
    assert!(review.contains("Now Playing") && review.contains("class=\"theater\"") && !review.contains("is not showing in any theaters"), "the demo shows where it plays");
    // The demo shows every sixth reviewed film; the second one is not showing anywhere.
    let film = &marquee_demo::films()[1];
    assert_eq!(site.store.find_films(&film.title, Some(film.year)).await.unwrap().len(), 1, "demo reviews are linked to their films");
    let page = site.read(&format!("/movie-review/{}/", marquee_domain::slugify(&film.title))).await.1;
    let sentence = format!("{} is not showing in any theaters in the area.", film.title).replace('&', "&amp;").replace('\'', "&#39;");
    assert!(page.contains("Film Details") && page.contains(&sentence), "some demo films are not showing: {sentence}");
    // Two special reports with events and articles, in the box of every article.
    assert!(review.contains("href=\"/reports/fall-arts-2026/\"") && review.contains("href=\"/reports/holiday-guide-2026/\""), "Special Reports box");
    assert!(review.contains("Latest in Movie Review") && review.contains("More by"), "the other boxes");
    let popular = review.split("Most Popular Stories</a></h2>").nth(1).expect("a Most Popular box on a fresh demo");
    assert!(popular.split("</ol>").next().unwrap().contains("href=\"/movie-review/rust-and-bone/\""), "the reference review is among the most read");
    let (status, fall) = site.read("/reports/fall-arts-2026/").await;
    assert_eq!(status, 200);
    assert!(fall.contains("Fall Arts 2026") && fall.contains("href=\"/events/") && fall.contains("href=\"/arts/") && fall.contains(">On stage<"), "events, articles and chapters");
    let (status, holiday) = site.read("/reports/holiday-guide-2026/").await;
    assert_eq!(status, 200);
    assert!(holiday.contains("Winter Makers Fair") && holiday.contains(">Eats<"));
    let fair = holiday.split("href=\"/events/winter-makers-fair").nth(1).and_then(|r| r.split('"').next()).expect("the fair's address");
    let (_, fair_page) = site.read(&format!("/events/winter-makers-fair{fair}")).await;
    assert!(fair_page.contains("Featured in <a href=\"/reports/holiday-guide-2026/\">"), "an event names the reports that list it");
    let (_, events) = site.read("/events/").await;
    assert!(events.contains("Winter Makers Fair"), "the calendar lists upcoming demo events");
    assert!(!events.contains("West Oakland Open Studios"), "past events are not listed by default");
    // The demo editor signs in with the password given to seed.
    let c = new_client();
    let (_, html) = common::get_with(&c, &site.url("/admin/login")).await;
    let csrf = common::csrf_in(&html);
    let r = c.post(site.url("/admin/login")).form(&[("_csrf", csrf.as_str()), ("email", marquee::demo::DEMO_EDITOR_EMAIL), ("password", "demo password 123")]).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 303);
});

// An article page reads its rows on one connection (`Store::pinned`); on SQLite that is a
// connection outside sqlx, with a row reader of its own, whose reads share one snapshot.
// Whatever it reads must be what the pool reads, value for value, and a write made after a
// page's reads must show on the next page's.
both_backends!(a_pages_own_connection_reads_what_the_pool_reads, |site| {
    marquee::demo::seed(&site.store, &site.base, marquee::demo::DEMO_NAME, "demo password 123", false).await.unwrap();
    let pool = &site.store;
    let own = pool.pinned().await.unwrap();
    let now = marquee_domain::time::now_unix();
    let page = pool.live_article("movie-review", "rust-and-bone", now).await.unwrap().expect("the reference review");
    assert_eq!(format!("{:?}", own.live_article("movie-review", "rust-and-bone", now).await.unwrap()), format!("{:?}", Some(&page)));
    assert!(!page.card.authors.is_empty() && !page.tags.is_empty(), "byline and tags are read too");
    assert!(own.live_article("movie-review", "no-such-review", now).await.unwrap().is_none());
    let film = page.film_id.expect("the review names its film");
    assert_eq!(format!("{:?}", own.film_by_id(film).await.unwrap()), format!("{:?}", pool.film_by_id(film).await.unwrap()));
    let film_row = pool.film_by_id(film).await.unwrap().expect("the film");
    assert_eq!(format!("{:?}", own.film_by_slug(&film_row.slug).await.unwrap()), format!("{:?}", Some(&film_row)));
    assert!(own.film_by_slug("no-such-film").await.unwrap().is_none());
    let reviews = pool.live_reviews_of_films(&[film], now).await.unwrap();
    assert!(reviews.iter().any(|r| r.id == page.card.id) && reviews.iter().all(|r| !r.authors.is_empty()));
    assert_eq!(format!("{:?}", own.live_reviews_of_films(&[film], now).await.unwrap()), format!("{reviews:?}"));
    // Two reviews of the film from a peer (the demo has none), and one of another film.
    let (imdb, wikidata, tmdb) = (film_row.imdb_id.as_deref(), film_row.wikidata_id.as_deref(), film_row.tmdb_id.as_deref());
    assert!(imdb.is_some() || wikidata.is_some() || tmdb.is_some(), "the film has an outside id");
    let actor = pool
        .save_remote_actor(&marquee_store::ActorRecord { url: "https://peer.test/actor", inbox: "https://peer.test/inbox", shared_inbox: "", key_id: "https://peer.test/actor#key", public_key_pem: "unused", username: "peer", name: "The Peer Weekly" }, now)
        .await
        .unwrap();
    let peer = pool
        .follow_peer(&actor, &marquee_store::NewPeer { handle: "peer@peer.test", site_url: "https://peer.test/", host: "peer.test", trending_url: "", outbox_url: "" }, "https://example.test/follow/1", "{}", now)
        .await
        .unwrap();
    for (n, (ids, at)) in [((imdb, wikidata, tmdb), now - 50), ((imdb, wikidata, tmdb), now - 10), ((Some("tt0000001"), None, None), now)].into_iter().enumerate() {
        let (url, title) = (format!("https://peer.test/review-{n}/"), format!("Peer review {n}"));
        let record = marquee_store::NetworkArticleRecord { object_id: &url, url: &url, title: &title, summary: "", byline: "Pat Peer", published_at: at, film_title: "", imdb_id: ids.0, wikidata_id: ids.1, tmdb_id: ids.2 };
        assert!(pool.save_network_article(peer, &record, now).await.unwrap());
    }
    let network = pool.network_reviews(imdb, wikidata, tmdb, 20).await.unwrap();
    assert_eq!(network.iter().map(|r| r.title.as_str()).collect::<Vec<_>>(), ["Peer review 1", "Peer review 0"]);
    assert_eq!(network[0].paper, "The Peer Weekly");
    let next = pool.pinned().await.unwrap();
    assert_eq!(format!("{:?}", next.network_reviews(imdb, wikidata, tmdb, 20).await.unwrap()), format!("{network:?}"));
    if site.store.backend() == marquee_store::Backend::Sqlite {
        assert!(own.network_reviews(imdb, wikidata, tmdb, 20).await.unwrap().is_empty(), "a page reads one snapshot, from its first read on");
    }
    drop(next);
    // A search's hits, read on a SQLite connection of its own (`own_reads`) or the pool's.
    let q = marquee_domain::search::parse("rust bone").unwrap();
    let (hits, total) = pool.search(&q, &Default::default(), now, 10, 0).await.unwrap();
    assert!(total >= 1 && hits.iter().any(|h| h.card.id == page.card.id && !h.card.authors.is_empty()));
    assert_eq!(format!("{:?}", pool.own_reads().search(&q, &Default::default(), now, 10, 0).await.unwrap()), format!("{:?}", (&hits, total)));
    let credits = pool.credits(film).await.unwrap();
    assert!(credits.len() > 3);
    assert_eq!(format!("{:?}", own.credits(film).await.unwrap()), format!("{credits:?}"));
    let theaters = pool.theaters_in_box(-90.0, 90.0, -180.0, 180.0).await.unwrap();
    assert!(!theaters.is_empty());
    assert_eq!(format!("{:?}", own.theaters_in_box(-90.0, 90.0, -180.0, 180.0).await.unwrap()), format!("{theaters:?}"));
    let ids: Vec<i64> = theaters.iter().map(|t| t.id).collect();
    for film_id in [Some(film), None] {
        let shows = pool.showtimes(&ids, film_id, now - 86_400, now + 30 * 86_400).await.unwrap();
        assert!(!shows.is_empty(), "the demo has screenings");
        assert_eq!(format!("{:?}", own.showtimes(&ids, film_id, now - 86_400, now + 30 * 86_400).await.unwrap()), format!("{shows:?}"));
    }
    // More statement texts than a page's SQLite connection keeps column positions for (an
    // IN list of every length up to 600): each still reads its rows as the pool does.
    let (from, to) = (now - 86_400, now + 30 * 86_400);
    let want = format!("{:?}", pool.showtimes(&ids[..1], None, from, to).await.unwrap());
    for k in 1..=600 {
        assert_eq!(format!("{:?}", own.showtimes(&vec![ids[0]; k], None, from, to).await.unwrap()), want, "a list of {k}");
    }
    // Now Playing's one statement: the screenings of the theaters in a box, each with its
    // whole theater, are those the two reads (theaters, then their showtimes) give.
    for film_id in [Some(film), None] {
        let placed = pool.screenings_in_box(-90.0, 90.0, -180.0, 180.0, film_id, from, to).await.unwrap();
        let mut got: Vec<i64> = placed.iter().map(|p| p.showtime.id).collect();
        let mut want: Vec<i64> = pool.showtimes(&ids, film_id, from, to).await.unwrap().iter().map(|s| s.id).collect();
        got.sort();
        want.sort();
        assert!(!got.is_empty());
        assert_eq!(got, want);
        assert!(placed.windows(2).all(|w| w[0].showtime.starts_at <= w[1].showtime.starts_at), "in time order");
        for p in &placed {
            let theater = theaters.iter().find(|t| t.id == p.showtime.theater_id).expect("a theater in the box");
            assert_eq!(format!("{:?}", p.theater()), format!("{theater:?}"));
        }
        assert_eq!(format!("{:?}", own.screenings_in_box(-90.0, 90.0, -180.0, 180.0, film_id, from, to).await.unwrap()), format!("{placed:?}"));
        // A box with no theater in it (the South Atlantic) has no screenings.
        assert!(pool.screenings_in_box(-40.0, -30.0, -20.0, -10.0, film_id, from, to).await.unwrap().is_empty());
    }
    // A review's film and its credits in one read (one statement on PostgreSQL), as the two
    // reads give them, on the pool and on a page's own connection.
    let both = pool.film_with_credits(film).await.unwrap().expect("the review's film");
    assert_eq!(format!("{both:?}"), format!("{:?}", (pool.film_by_id(film).await.unwrap().unwrap(), &credits)));
    assert_eq!(format!("{:?}", own.film_with_credits(film).await.unwrap()), format!("{:?}", Some(&both)));
    assert!(pool.film_with_credits(-1).await.unwrap().is_none());
    let comments = pool.article_comments(page.card.id).await.unwrap();
    assert!(!comments.is_empty(), "the reference review has comments");
    assert_eq!(format!("{:?}", own.article_comments(page.card.id).await.unwrap()), format!("{comments:?}"));
    // Writes through the pool after a page's reads are seen by the next page's.
    let sqlite = site.store.backend() == marquee_store::Backend::Sqlite;
    let reader = comments.iter().find_map(|c| c.reader_id).expect("a reader's comment");
    pool.unsubscribe(reader, page.card.id).await.unwrap();
    let own = pool.pinned().await.unwrap();
    assert!(!own.is_subscribed(reader, page.card.id).await.unwrap());
    pool.subscribe(reader, page.card.id, now).await.unwrap();
    let next = pool.pinned().await.unwrap();
    assert!(next.is_subscribed(reader, page.card.id).await.unwrap());
    if sqlite {
        assert!(!own.is_subscribed(reader, page.card.id).await.unwrap(), "the earlier page still reads its snapshot");
    }
    drop((own, next));
    let own = pool.pinned().await.unwrap();
    let mut settings = own.comment_settings().await.unwrap();
    assert_eq!(format!("{settings:?}"), format!("{:?}", pool.comment_settings().await.unwrap()));
    settings.edit_minutes += 7;
    pool.update_comment_settings(&settings).await.unwrap();
    assert_eq!(pool.pinned().await.unwrap().comment_settings().await.unwrap().edit_minutes, settings.edit_minutes);
    if sqlite {
        assert_eq!(own.comment_settings().await.unwrap().edit_minutes, settings.edit_minutes - 7);
    }
});

#[tokio::test]
async fn a_theme_directory_overrides_templates_and_assets() {
    let dir = std::env::temp_dir().join(format!("marquee-theme-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("templates")).unwrap();
    std::fs::create_dir_all(dir.join("static")).unwrap();
    std::fs::write(dir.join("templates/error.html"), "<!doctype html><title>x</title><p>Our own {{ status }} page: {{ title }}</p>").unwrap();
    std::fs::write(dir.join("static/style.css"), "body { color: rebeccapurple; }").unwrap();
    let web = marquee_web::WebConfig { theme_dir: Some(dir.clone()), ..Default::default() };
    let site = TestSite::sqlite(web).await;
    let (status, body) = site.read("/nowhere/at/all/").await;
    assert_eq!(status, 404);
    assert_eq!(body, "<!doctype html><title>x</title><p>Our own 404 page: Page not found</p>");
    assert!(site.read("/static/style.css").await.1.contains("rebeccapurple"));
    // Templates the theme does not override still come from the default theme.
    assert!(site.read("/").await.1.contains("Nothing has been published yet."));
    site.finish().await;
    let _ = std::fs::remove_dir_all(dir);
}

fn shared_movies() -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/movies.json");
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

both_backends!(importing_the_messy_film_data_keeps_what_is_valid_and_is_idempotent, |site| {
    let text = shared_movies();
    let first = marquee::import::import_films(&site.store, "movies.json", &text, false).await.unwrap();
    assert_eq!((first.added, first.updated, first.unchanged), (3200, 0, 0), "{}", first.summary());
    assert_eq!(first.skipped.len(), 1);
    assert!(first.skipped[0].1.contains("no title"), "{:?}", first.skipped);
    // 96 records carry "Not Rated" or "Open"; one of them has no title and is skipped whole.
    assert_eq!(first.notes.iter().filter(|(_, n)| n.contains("not an MPAA rating")).count(), 95);
    // Titles that are numbers, and remakes that share a title, are all kept as separate films.
    assert_eq!(site.store.find_films("1776", None).await.unwrap().len(), 1);
    let royale = site.store.find_films("Casino Royale", None).await.unwrap();
    assert!(royale.len() >= 2 && royale[0].slug != royale[1].slug, "remakes are separate films");
    assert_eq!(site.store.film_count().await.unwrap(), 3200);
    let again = marquee::import::import_films(&site.store, "movies.json", &text, false).await.unwrap();
    assert_eq!((again.added, again.updated, again.unchanged), (0, 0, 3200), "a second run changes nothing");
    assert_eq!(site.store.film_count().await.unwrap(), 3200);
    // A changed record is updated in place, credits and all.
    let changed = r#"[{"title": "Casino Royale", "year": 2006, "runtime_minutes": 144, "directors": ["Martin Campbell"], "cast": [{"name": "Daniel Craig", "character": "James Bond"}]}]"#;
    let r = marquee::import::import_films(&site.store, "x.json", changed, false).await.unwrap();
    assert_eq!(r.added + r.updated, 1);
    // A file that is not JSON is refused whole, with the line.
    let err = marquee::import::import_films(&site.store, "bad.json", "[\n{\"title\": \"A\"},\n{oops}\n]", false).await.unwrap_err().to_string();
    assert!(err.starts_with("bad.json:3:"), "{err}");
});

both_backends!(a_review_shows_film_details_and_links_to_film_and_people, |site| {
    let (film_id, _) = site.store.upsert_film(&marquee::demo::rust_and_bone(), 0).await.unwrap();
    let other = marquee_domain::film::FilmRecord { title: "Rust and Bone".into(), year: Some(1950), ..Default::default() };
    site.store.upsert_film(&other, 0).await.unwrap();
    site.login("editor").await;
    let sec = site.section_id("movie-review").await;
    let author = site.author_id("eddie-editor").await;
    let fields = |film: &'static str| vec![("headline", "Rust and Bone"), ("slug", "rust-and-bone"), ("section", sec.as_str()), ("author1", author.as_str()), ("body", "Good."), ("film", film), ("action", "publish")];
    let (status, _, html) = site.write(&fields("Rust and Bone")).await;
    assert_eq!(status, 422, "two films share the title");
    assert!(html.contains("Several films are called") && html.contains("Add the year"), "{html}");
    let (status, _, html) = site.write(&fields("Rust and Bones (2012)")).await;
    assert_eq!(status, 422);
    assert!(html.contains("No film called"));
    let (status, loc, _) = site.write(&fields("rust and bone (2012)")).await;
    assert_eq!(status, 303);
    assert_eq!(site.store.article_film(article_id(&loc).parse().unwrap()).await.unwrap(), Some(film_id));
    let (_, edit) = site.get(loc.split('?').next().unwrap()).await;
    assert!(edit.contains("value=\"Rust and Bone (2012)\""), "the editor shows the linked film");

    let (_, page) = site.read("/movie-review/rust-and-bone/").await;
    for needle in ["Film Details", "De rouille et d&#39;os", "R (MPAA)", "122 minutes", "2012", "Drama, Romance", ">Jacques Audiard</a>", ">Martine Cassinelli</a>", "Thomas Bidegain", "(Stéphanie)"] {
        assert!(page.contains(needle), "Film Details lacks {needle}");
    }
    let order: Vec<usize> = ["Marion Cotillard", "Matthias Schoenaerts", "Armand Verdure", "Céline Sallette", "Corinne Masiero", "Bouli Lanners", "Jean-Michel Correia", "Mourad Frarema", "Yannick Choirat"]
        .iter()
        .map(|n| page.find(&format!(">{n}</a>")).unwrap_or_else(|| panic!("cast lacks {n}")))
        .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "cast in billing order");
    let (status, film) = site.read("/films/rust-and-bone-2012/").await;
    assert_eq!(status, 200);
    assert!(film.contains("Film Details") && film.contains("href=\"/movie-review/rust-and-bone/\""), "the film page lists its review");
    let (status, person) = site.read("/people/marion-cotillard/").await;
    assert_eq!(status, 200);
    assert!(person.contains("href=\"/films/rust-and-bone-2012/\"") && person.contains("as Stéphanie") && person.contains("href=\"/movie-review/rust-and-bone/\""));
    assert!(site.read("/people/jacques-audiard/").await.1.contains("director, writer"));
    assert_eq!(site.read("/films/no-such-film/").await.0, 404);
    assert_eq!(site.read("/people/nobody-at-all/").await.0, 404);
});

/// The JSON-LD block of a page, parsed.
fn jsonld(page: &str) -> serde_json::Value {
    let start = page.find("<script type=\"application/ld+json\">").expect("a JSON-LD block") + "<script type=\"application/ld+json\">".len();
    let end = start + page[start..].find("</script>").unwrap();
    serde_json::from_str(&page[start..end]).expect("valid JSON-LD")
}

both_backends!(structured_data_and_open_graph, |site| {
    site.store.upsert_film(&marquee::demo::rust_and_bone(), 0).await.unwrap();
    site.login("editor").await;
    let sec = site.section_id("movie-review").await;
    let news = site.section_id("news").await;
    let author = site.author_id("eddie-editor").await;
    let (status, _, html) = site.write(&[("headline", "Rated"), ("section", &sec), ("author1", &author), ("body", "x"), ("rating", "4"), ("action", "publish")]).await;
    assert_eq!(status, 422);
    assert!(html.contains("Only a review linked to a film can carry a rating."));
    let (status, _, html) = site.write(&[("headline", "Rated"), ("section", &sec), ("author1", &author), ("body", "x"), ("film", "Rust and Bone (2012)"), ("rating", "9"), ("action", "publish")]).await;
    assert_eq!(status, 422);
    assert!(html.contains("1 to 5 stars"));
    site.write(&[("headline", "Rust and Bone"), ("deck", "Physical therapy."), ("section", &sec), ("author1", &author), ("body", "x"), ("film", "Rust and Bone (2012)"), ("rating", "4"), ("action", "publish")]).await;
    site.write(&[("headline", "Council </script><script>alert(1)</script>"), ("slug", "council"), ("section", &news), ("author1", &author), ("body", "x"), ("action", "publish")]).await;
    let (_, review) = site.read("/movie-review/rust-and-bone/").await;
    let ld = jsonld(&review);
    assert_eq!(ld["@type"], "CriticReview");
    assert_eq!(ld["author"][0]["name"], "Eddie Editor");
    assert_eq!(ld["publisher"]["name"], "The Test Weekly");
    assert!(ld["datePublished"].as_str().unwrap().starts_with("20"));
    assert_eq!(ld["reviewRating"]["ratingValue"], 4);
    assert_eq!(ld["reviewRating"]["bestRating"], 5);
    assert!(review.contains("Our rating: 4 out of 5"));
    let movie = &ld["itemReviewed"];
    assert_eq!(movie["@type"], "Movie");
    assert_eq!(movie["name"], "Rust and Bone");
    assert_eq!(movie["duration"], "PT2H2M");
    assert_eq!(movie["contentRating"], "MPAA R");
    assert_eq!(movie["dateCreated"], "2012");
    assert_eq!(movie["director"][0]["name"], "Jacques Audiard");
    assert_eq!(movie["actor"][0]["name"], "Marion Cotillard");
    assert_eq!(movie["actor"].as_array().unwrap().len(), 9);
    assert!(review.contains("<meta property=\"og:type\" content=\"article\">") && review.contains("<meta property=\"og:title\" content=\"Rust and Bone\">"));
    assert!(review.contains(&format!("<meta property=\"og:url\" content=\"{}/movie-review/rust-and-bone/\">", site.base)));
    let (_, news_page) = site.read("/news/council/").await;
    let ld = jsonld(&news_page);
    assert_eq!(ld["@type"], "NewsArticle");
    assert_eq!(ld["headline"], "Council </script><script>alert(1)</script>", "the headline survives intact as data");
    assert!(!news_page.contains("<script>alert(1)"), "and cannot close the script element");
    let (_, film) = site.read("/films/rust-and-bone-2012/").await;
    assert_eq!(jsonld(&film)["@type"], "Movie");
    assert!(site.read("/").await.1.contains("<meta property=\"og:site_name\" content=\"The Test Weekly\">"));
});

both_backends!(no_open_redirect_from_the_slash_fallback, |site| {
    for path in ["//evil.example", "//evil%2Eexample", "/\\evil.example", "//2130706433"] {
        let (status, location) = site.location(path).await;
        assert!(!location.contains("evil") && !location.starts_with("//"), "{path} redirected to {location}");
        assert!(status == 404 || status == 400, "{path}: {status}");
    }
    assert_eq!(site.location("/admin").await, (301, "/admin/".to_string()));
    assert_eq!(site.location("/news").await, (301, "/news/".to_string()));
    assert_eq!(site.location("/nonsense").await.0, 404, "unknown single segments are not redirected");
});

both_backends!(contributors_cannot_read_others_unpublished_text, |site| {
    // An editor schedules an embargoed story; a contributor writes a private draft.
    site.login("editor").await;
    let news = site.section_id("news").await;
    let eddie = site.author_id("eddie-editor").await;
    let (_, loc, _) = site
        .write(&[("headline", "Embargoed"), ("section", &news), ("author1", &eddie), ("body", "Secret embargoed text."), ("publish_at", "2099-01-01T10:00"), ("action", "schedule")])
        .await;
    let scheduled = article_id(&loc);
    let writer = TestSiteClient::new(&site, "writer").await;
    let wren = site.author_id("wren-writer").await;
    let (_, loc, _) = writer.post("/admin/articles/new", "/admin/articles/new", &[("headline", "Wren's draft"), ("section", &news), ("author1", &wren), ("body", "Private draft text."), ("action", "save")]).await;
    let draft = article_id(&loc);
    let other = TestSiteClient::new(&site, "other").await;
    for id in [&scheduled, &draft] {
        let (status, html) = common::get_with(&other.client, &site.url(&format!("/admin/articles/{id}/preview"))).await;
        assert_eq!(status, 403);
        assert!(!html.contains("Secret embargoed") && !html.contains("Private draft"));
        let (status, _, html) = other.post("/admin/", &format!("/admin/articles/{id}/revisions/1/restore"), &[]).await;
        assert_eq!(status, 403, "restoring someone else's revision");
        assert!(!html.contains("Secret embargoed") && !html.contains("Private draft"), "nothing leaks through the refusal");
    }
});

both_backends!(a_saved_article_is_answered_as_saved_when_the_site_cannot_be_read_again, |site| {
    site.login("editor").await;
    let news = site.section_id("news").await;
    let eddie = site.author_id("eddie-editor").await;
    assert!(!site.read("/news/").await.1.contains("Saved while away"), "the section's page, cached");
    // After the article commits, the site (settings, sections) is read again. Make that
    // reading fail, as a database going away just after a commit would.
    let rename = |from: &str, to: &str| format!("ALTER TABLE sections RENAME COLUMN {from} TO {to}");
    sqlx::query(&rename("description", "description_away")).execute(site.store.pool()).await.unwrap();
    let (status, location, _) = site.write(&[("headline", "Saved while away"), ("section", &news), ("author1", &eddie), ("body", "Kept."), ("action", "publish")]).await;
    assert_eq!(status, 303, "the answer says the article was saved, not that something failed");
    assert!(location.starts_with("/admin/articles/"), "{location}");
    assert!(site.read("/news/").await.1.contains("Saved while away"), "no page from before the change is served");
    sqlx::query(&rename("description_away", "description")).execute(site.store.pool()).await.unwrap();
    assert!(site.read("/news/saved-while-away/").await.1.contains("Kept."));
});

both_backends!(simultaneous_saves_all_succeed, |site| {
    let mut tasks = Vec::new();
    for i in 0..12 {
        let client = new_client();
        site.login_as(&client, "editor").await;
        let url = site.url("/admin/articles/new");
        let (_, html) = common::get_with(&client, &url).await;
        let csrf = common::csrf_in(&html);
        let news = site.section_id("news").await;
        let author = site.author_id("eddie-editor").await;
        tasks.push(tokio::spawn(async move {
            let headline = format!("Parallel story {i}");
            let r = client.post(&url).form(&[("_csrf", csrf.as_str()), ("headline", &headline), ("section", &news), ("author1", &author), ("body", "Same time."), ("action", "publish")]).send().await.unwrap();
            r.status().as_u16()
        }));
    }
    for t in tasks {
        assert_eq!(t.await.unwrap(), 303, "every simultaneous save is stored");
    }
    assert_eq!(site.store.article_summaries(None, 50, marquee_store::Seek::FIRST).await.unwrap().1, 12);
});

both_backends!(parallel_guessing_is_capped_and_cannot_lock_the_owner_out, |site| {
    let (_, html) = site.get("/admin/login").await;
    let csrf = common::csrf_in(&html);
    let mut tasks = Vec::new();
    for _ in 0..30 {
        let client = site.client.clone();
        let url = site.url("/admin/login");
        let csrf = csrf.clone();
        tasks.push(tokio::spawn(async move {
            client.post(&url).form(&[("_csrf", csrf.as_str()), ("email", "editor@paper.test"), ("password", "guess")]).send().await.unwrap().status().as_u16()
        }));
    }
    let mut checked = 0;
    for t in tasks {
        match t.await.unwrap() {
            401 => checked += 1,
            429 => {}
            other => panic!("unexpected {other}"),
        }
    }
    assert!(checked <= 5, "{checked} guesses were checked; the limit is 5");
    // The owner, from another address with no failures, still signs in.
    let owner = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .local_address("127.0.0.2".parse::<std::net::IpAddr>().unwrap())
        .build()
        .unwrap();
    site.login_as(&owner, "editor").await;
});

both_backends!(newsroom_bad_numbers_and_deep_nesting_are_clear_errors, |site| {
    site.login("editor").await;
    assert_eq!(site.get("/admin/?page=9223372036854775807").await.0, 200);
    assert_eq!(site.get("/admin/?page=abc").await.0, 200);
    let news = site.section_id("news").await;
    let author = site.author_id("eddie-editor").await;
    let deep = "<div>".repeat(5000);
    for action in ["preview", "save"] {
        let (status, _, html) = site.write(&[("headline", "Deep"), ("section", &news), ("author1", &author), ("body", &deep), ("action", action)]).await;
        assert_eq!(status, 422, "{action}");
        assert!(html.contains("levels deep"));
    }
    assert_eq!(site.store.article_summaries(None, 10, marquee_store::Seek::FIRST).await.unwrap().1, 0);
});

/// Tomorrow's date in Los Angeles, as YYYY-MM-DD.
fn la_date(days_from_today: i64) -> String {
    let tz = jiff::tz::TimeZone::get("America/Los_Angeles").unwrap();
    let today = jiff::Timestamp::now().to_zoned(tz).date();
    today.checked_add(jiff::ToSpan::days(days_from_today)).unwrap().to_string()
}

const THEATERS_CSV: &str = "id,name,address,city,state,postal_code,latitude,longitude,time_zone,url\n\
T1,Near Cinema,1 Main St,Oakland,CA,94612,,,America/Los_Angeles,https://near.example\n\
T2,Middle Screens,2 Main St,Berkeley,CA,94704,,,America/Los_Angeles,\n\
T3,Far Away Plex,3 Main St,Sacramento,CA,95814,,,America/Los_Angeles,\n\
T4,Manhattan Hall,4 Broadway,New York,NY,10001,40.75,-73.99,America/New_York,\n";

async fn showtime_fixtures(site: &TestSite) {
    site.store.upsert_film(&marquee::demo::rust_and_bone(), 0).await.unwrap();
    let other = marquee_domain::film::FilmRecord { title: "Quiet Film".into(), year: Some(2020), ..Default::default() };
    site.store.upsert_film(&other, 0).await.unwrap();
    marquee::import::import_theaters(&site.store, "theaters.csv", THEATERS_CSV).await.unwrap();
    let d1 = la_date(1);
    let d2 = la_date(2);
    let csv = format!(
        "theater_id,film_id,title,year,start,attributes,auditorium,ticket_url\n\
         T2,rust-and-bone-2012,,,{d1}T19:30,subtitled;language:French,2,https://tix.example/b1\n\
         T1,,Rust and Bone,2012,{d1}T21:00,3d,1,https://tix.example/a1\n\
         T1,,Rust and Bone,2012,{d2}T13:15,,1,\n\
         T3,rust-and-bone-2012,,,{d1}T18:00,,,\n\
         T4,rust-and-bone-2012,,,{d1}T20:00,imax,,\n"
    );
    let r = marquee::import::import_showtimes(&site.store, "week.csv", &csv).await.unwrap();
    assert_eq!((r.added, r.theaters), (5, 4));
    tokio::time::sleep(std::time::Duration::from_millis(1200)).await; // the server notices the change
}

both_backends!(now_playing_lists_nearby_theaters_nearest_first, |site| {
    showtime_fixtures(&site).await;
    site.login("editor").await;
    let sec = site.section_id("movie-review").await;
    let author = site.author_id("eddie-editor").await;
    site.write(&[("headline", "Rust and Bone"), ("section", &sec), ("author1", &author), ("body", "x"), ("film", "Rust and Bone (2012)"), ("action", "publish")]).await;
    site.write(&[("headline", "Quiet Film"), ("section", &sec), ("author1", &author), ("body", "x"), ("film", "Quiet Film (2020)"), ("action", "publish")]).await;

    let (_, page) = site.read("/movie-review/rust-and-bone/").await;
    let near = page.find(">Near Cinema<").expect("Near Cinema listed");
    let middle = page.find(">Middle Screens<").expect("Middle Screens listed");
    assert!(near < middle, "nearest first (home is 94612)");
    assert!(!page.contains("Far Away Plex") && !page.contains("Manhattan Hall"), "outside the radius");
    assert!(page.contains("9:00 PM") && page.contains("(3D)") && page.contains("href=\"https://tix.example/a1\""));
    assert!(page.contains("7:30 PM") && page.contains("Subtitled, In french"));
    let tz = jiff::tz::TimeZone::get("America/Los_Angeles").unwrap();
    let tomorrow = jiff::Timestamp::now().to_zoned(tz).date().tomorrow().unwrap();
    assert!(page.contains(&tomorrow.strftime("%A, %B %-d").to_string()), "grouped under the local day");

    let (_, quiet) = site.read("/movie-review/quiet-film/").await;
    assert!(quiet.contains("Quiet Film is not showing in any theaters in the area."));

    // A reader in New York sees the New York theater, in its own time.
    let (_, ny) = site.read("/movie-review/rust-and-bone/?zip=10001").await;
    assert!(ny.contains("Manhattan Hall") && ny.contains("8:00 PM") && ny.contains("(IMAX)") && !ny.contains("Near Cinema"));
    let (_, latlon) = site.read("/films/rust-and-bone-2012/?lat=38.58&lon=-121.49").await;
    assert!(latlon.contains("Far Away Plex") && !latlon.contains("Manhattan Hall"));
    let (status, bad) = site.read("/movie-review/rust-and-bone/?zip=00000").await;
    assert_eq!(status, 200, "a bad ZIP does not break the review");
    assert!(bad.contains("is not a US ZIP code we know") && bad.contains("Near Cinema"));

    let (status, all) = site.read("/showtimes/?zip=94612").await;
    assert_eq!(status, 200);
    assert!(all.contains("Near Cinema") && all.contains("Middle Screens") && all.contains("Rust and Bone"));
    let (status, bad) = site.read("/showtimes/?zip=abc").await;
    assert_eq!(status, 400);
    assert!(bad.contains("is not a US ZIP code we know"));
    let (status, _) = site.read("/showtimes/?lat=95&lon=0").await;
    assert_eq!(status, 400);
});

both_backends!(theater_pages_and_screening_events, |site| {
    showtime_fixtures(&site).await;
    let (_, list) = site.read("/theaters/").await;
    assert!(list.contains("href=\"/theaters/near-cinema/\"") && list.contains("Manhattan Hall"));
    let (status, page) = site.read("/theaters/near-cinema/").await;
    assert_eq!(status, 200);
    assert!(page.contains("Rust and Bone") && page.contains("9:00 PM") && page.contains("1:15 PM"));
    let ld = jsonld(&page);
    let events = ld["@graph"].as_array().unwrap();
    assert_eq!(events.len(), 2);
    assert_eq!(events[0]["@type"], "ScreeningEvent");
    assert_eq!(events[0]["location"]["@type"], "MovieTheater");
    assert!(events[0]["location"]["geo"]["latitude"].as_f64().unwrap() > 37.0);
    assert!(events[0]["startDate"].as_str().unwrap().ends_with("T21:00:00-08:00"));
    assert_eq!(events[0]["workPresented"]["name"], "Rust and Bone");
    assert_eq!(site.read("/theaters/nowhere/").await.0, 404);
});

both_backends!(showtime_calendar_file_keeps_the_theater_time_zone, |site| {
    showtime_fixtures(&site).await;
    let (_, page) = site.read("/theaters/manhattan-hall/").await;
    let start = page.find("/showtimes/").unwrap();
    let href: String = page[start..].chars().take_while(|c| *c != '"').collect();
    let r = new_client().get(site.url(&href)).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert!(r.headers()["content-type"].to_str().unwrap().starts_with("text/calendar"));
    let ics = r.text().await.unwrap();
    let d1 = la_date(1).replace('-', "");
    assert!(ics.contains(&format!("DTSTART;TZID=America/New_York:{d1}T200000")), "{ics}");
    assert!(ics.contains(&format!("DTEND;TZID=America/New_York:{d1}T220200")), "runtime 122 minutes");
    assert!(ics.contains("BEGIN:VTIMEZONE\r\nTZID:America/New_York") && ics.contains("TZOFFSETTO:-0500"));
    assert!(ics.contains("SUMMARY:Rust and Bone at Manhattan Hall") && ics.ends_with("END:VCALENDAR\r\n"));
    assert_eq!(site.read("/showtimes/999999.ics").await.0, 404);
});

both_backends!(showtime_feeds_replace_a_week_atomically_and_name_bad_lines, |site| {
    showtime_fixtures(&site).await;
    let t1 = site.store.theater_by_external_id("T1").await.unwrap().unwrap();
    let count = |site: &TestSite, id: i64| {
        let store = site.store.clone();
        async move { store.showtimes(&[id], None, 0, i64::MAX).await.unwrap() }
    };
    assert_eq!(count(&site, t1.id).await.len(), 2);
    let d1 = la_date(1);
    // A bad file changes nothing and names its lines.
    let bad = format!(
        "theater_id,film_id,title,year,start,attributes,auditorium,ticket_url\n\
         T1,rust-and-bone-2012,,,{d1}T10:00,,,\n\
         T1,no-such-film,,,{d1}T11:00,,,\n\
         T9,rust-and-bone-2012,,,{d1}T12:00,,,\n\
         T1,rust-and-bone-2012,,,someday,,,\n\
         T1,rust-and-bone-2012,,,{d1}T13:00,,,javascript:alert(1)\n"
    );
    let err = marquee::import::import_showtimes(&site.store, "bad.csv", &bad).await.unwrap_err().to_string();
    for needle in ["nothing was imported", "bad.csv:3: no film has the id", "bad.csv:4: no theater has the id “T9”", "bad.csv:5:", "bad.csv:6: a ticket URL"] {
        assert!(err.contains(needle), "{needle} missing from: {err}");
    }
    assert_eq!(count(&site, t1.id).await.len(), 2, "a bad file changed nothing");
    // Re-importing tomorrow for T1 replaces tomorrow only; the day after is kept.
    let again = format!("theater_id,film_id,title,year,start,attributes,auditorium,ticket_url\nT1,rust-and-bone-2012,,,{d1}T17:45,,,\n");
    marquee::import::import_showtimes(&site.store, "again.csv", &again).await.unwrap();
    let rows = count(&site, t1.id).await;
    assert_eq!(rows.len(), 2);
    let times: Vec<String> = rows.iter().map(|s| jiff::Timestamp::from_second(s.starts_at).unwrap().to_zoned(jiff::tz::TimeZone::get("America/Los_Angeles").unwrap()).strftime("%H:%M").to_string()).collect();
    assert_eq!(times, vec!["17:45", "13:15"]);
    // Other theaters are untouched.
    let t2 = site.store.theater_by_external_id("T2").await.unwrap().unwrap();
    assert_eq!(count(&site, t2.id).await.len(), 1);
    // Theaters: a bad line refuses the file.
    let err = marquee::import::import_theaters(&site.store, "t.csv", "id,name,time_zone,postal_code\nX1,Somewhere,Mars/Base,94612\nX2,,America/Chicago,60601\n").await.unwrap_err().to_string();
    assert!(err.contains("t.csv:2:") && err.contains("t.csv:3:"), "{err}");
    assert!(site.store.theater_by_external_id("X1").await.unwrap().is_none());
    // Re-importing the same theaters changes nothing.
    let r = marquee::import::import_theaters(&site.store, "theaters.csv", THEATERS_CSV).await.unwrap();
    assert_eq!((r.added, r.updated, r.unchanged), (0, 0, 4));
});

both_backends!(showtimes_are_correct_across_daylight_saving_changes, |site| {
    showtime_fixtures(&site).await;
    // US daylight saving time ends on 2026-11-01 and starts on 2027-03-14.
    let csv = "theater_id,film_id,title,year,start,attributes,auditorium,ticket_url\n\
               T1,rust-and-bone-2012,,,2026-10-31T19:00,,,\n\
               T1,rust-and-bone-2012,,,2026-11-01T19:00,,,\n\
               T1,rust-and-bone-2012,,,2026-11-01 01:30,,,\n";
    marquee::import::import_showtimes(&site.store, "dst.csv", csv).await.unwrap();
    let t1 = site.store.theater_by_external_id("T1").await.unwrap().unwrap();
    let rows = site.store.showtimes(&[t1.id], None, 0, 1_794_000_000).await.unwrap();
    let at = |s: &str| jiff::civil::DateTime::strptime("%Y-%m-%dT%H:%M", s).unwrap().to_zoned(jiff::tz::TimeZone::get("America/Los_Angeles").unwrap()).unwrap().timestamp().as_second();
    let starts: Vec<i64> = rows.iter().map(|s| s.starts_at).collect();
    assert!(starts.contains(&at("2026-10-31T19:00")) && starts.contains(&at("2026-11-01T19:00")));
    assert_eq!(at("2026-11-01T19:00") - at("2026-10-31T19:00"), 25 * 3600, "the day DST ends is 25 hours long");
    // 01:30 on 2026-11-01 happens twice; the earlier (daylight) one is taken: 08:30 UTC.
    assert!(starts.contains(&1_793_521_800), "{starts:?}");
    // The calendar file shows the local time with the zone's rules around it.
    let late = rows.iter().find(|s| s.starts_at == at("2026-11-01T19:00")).unwrap();
    let ics = site.read(&format!("/showtimes/{}.ics", late.id)).await.1;
    assert!(ics.contains("DTSTART;TZID=America/Los_Angeles:20261101T190000"), "{ics}");
    assert!(ics.contains("BEGIN:STANDARD\r\nDTSTART:20261101T020000\r\nTZOFFSETFROM:-0700\r\nTZOFFSETTO:-0800"), "{ics}");
    // 02:30 on 2027-03-14 does not exist in Los Angeles: the line is refused.
    let gap = "theater_id,film_id,title,year,start,attributes,auditorium,ticket_url\nT1,rust-and-bone-2012,,,2027-03-14T02:30,,,\n";
    let err = marquee::import::import_showtimes(&site.store, "gap.csv", gap).await.unwrap_err().to_string();
    assert!(err.contains("gap.csv:2:") && err.contains("does not exist in this time zone"), "{err}");
});

both_backends!(editors_upload_feeds_in_the_newsroom, |site| {
    async fn upload(site: &TestSite, client: &reqwest::Client, kind: &str, file_name: &str, body: String, with_token: bool) -> (u16, String) {
        let (_, page) = common::get_with(client, &site.url("/admin/feeds")).await;
        let mut form = reqwest::multipart::Form::new();
        if with_token {
            form = form.text("_csrf", common::csrf_in(&page));
        }
        form = form.part("file", reqwest::multipart::Part::text(body).file_name(file_name.to_string()));
        let r = client.post(site.url(&format!("/admin/feeds/{kind}"))).multipart(form).send().await.unwrap();
        (r.status().as_u16(), r.text().await.unwrap())
    }
    let writer = new_client();
    site.login_as(&writer, "writer").await;
    assert_eq!(common::get_with(&writer, &site.url("/admin/feeds")).await.0, 403);
    let editor = new_client();
    site.login_as(&editor, "editor").await;
    let films = r#"[{"title": "Rust and Bone", "year": 2012, "runtime_minutes": 122, "directors": ["Jacques Audiard"]}, {"year": 1}]"#;
    let (status, html) = upload(&site, &editor, "films", "films.json", films.into(), true).await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("1 added") && html.contains("record 2: skipped: no title"));
    let (status, html) = upload(&site, &editor, "theaters", "theaters.csv", THEATERS_CSV.into(), true).await;
    assert_eq!(status, 200);
    assert!(html.contains("4 added"));
    let d1 = la_date(1);
    let bad = format!("theater_id,film_id,start\nT1,rust-and-bone-2012,{d1}T19:00\nT1,rust-and-bone-2012,not a time\n");
    let (status, html) = upload(&site, &editor, "showtimes", "week.csv", bad, true).await;
    assert_eq!(status, 422);
    assert!(html.contains("Nothing was imported") && html.contains("week.csv:3:"));
    let good = format!("theater_id,film_id,start\nT1,rust-and-bone-2012,{d1}T19:00\n");
    let (status, _) = upload(&site, &editor, "showtimes", "week.csv", good.clone(), false).await;
    assert_eq!(status, 403, "an upload without the CSRF token is refused");
    let (status, html) = upload(&site, &editor, "showtimes", "week.csv", good, true).await;
    assert_eq!(status, 200);
    assert!(html.contains("1 screenings at 1 theaters"));
    let t1 = site.store.theater_by_external_id("T1").await.unwrap().unwrap();
    assert_eq!(site.store.showtimes(&[t1.id], None, 0, i64::MAX).await.unwrap().len(), 1);
});

both_backends!(editors_manage_films_credits_and_theaters, |site| {
    let writer = TestSiteClient::new(&site, "writer").await;
    assert_eq!(common::get_with(&writer.client, &site.url("/admin/films")).await.0, 403);
    site.login("editor").await;
    let fields = |credits: &'static str, imdb: &'static str| {
        vec![("title", "Rust and Bone"), ("original_title", "De rouille et d'os"), ("year", "2012"), ("runtime_minutes", "122"), ("certification", "R"), ("genres", "Drama, Romance"), ("imdb", imdb), ("credits", credits)]
    };
    let (status, _, html) = site.post_form("/admin/films/new", "/admin/films/new", &fields("director: Jacques Audiard\nstar: Somebody", "")).await;
    assert_eq!(status, 422);
    assert!(html.contains("Credit line 2") && html.contains("De rouille et d&#39;os"), "the message names the line and the form is kept");
    let (status, _, html) = site.post_form("/admin/films/new", "/admin/films/new", &fields("director: Jacques Audiard", "12345")).await;
    assert_eq!(status, 422);
    assert!(html.contains("IMDb id"));
    let (status, loc, _) = site.post_form("/admin/films/new", "/admin/films/new", &fields("director: Jacques Audiard\ncast: Marion Cotillard (Stéphanie)", "")).await;
    assert_eq!(status, 303);
    let edit = loc.split('?').next().unwrap().to_string();
    let (_, form) = site.get(&edit).await;
    assert!(form.contains("cast: Marion Cotillard (Stéphanie)"), "credits come back as lines");
    let (status, _, _) = site.post_form(&edit, &edit, &fields("director: Jacques Audiard\ncast: Marion Cotillard (Stéphanie)\ncast: Matthias Schoenaerts (Ali)", "")).await;
    assert_eq!(status, 303);
    let film = site.read("/films/rust-and-bone-2012/").await.1;
    assert!(film.contains(">Matthias Schoenaerts</a>") && film.contains("(Ali)") && film.contains("122 minutes"));
    // A second film with the same title and year is refused.
    let (status, _, html) = site.post_form("/admin/films/new", "/admin/films/new", &fields("", "")).await;
    assert_eq!(status, 422);
    assert!(html.contains("Another film"));
    let (_, found) = site.get("/admin/films?q=rust").await;
    assert!(found.contains("Rust and Bone (2012)"));

    let theater = [("external_id", "X1"), ("name", "Corner Cinema"), ("postal_code", "94612"), ("position", ""), ("time_zone", "Mars/Base")];
    let (status, _, html) = site.post_form("/admin/theaters", "/admin/theaters", &theater).await;
    assert_eq!(status, 422);
    assert!(html.contains("is not an IANA time zone") && html.contains("Corner Cinema"));
    let theater = [("external_id", "X1"), ("name", "Corner Cinema"), ("postal_code", "94612"), ("position", ""), ("time_zone", "America/Los_Angeles")];
    let (status, _, html) = site.post_form("/admin/theaters", "/admin/theaters", &theater).await;
    assert_eq!(status, 200);
    assert!(html.contains("Saved Corner Cinema"));
    let t = site.store.theater_by_external_id("X1").await.unwrap().unwrap();
    assert_eq!(t.latitude, marquee_domain::geo::zip("94612").unwrap().latitude, "placed by its ZIP code");
    assert_eq!(site.read("/theaters/corner-cinema/").await.0, 200);
});

both_backends!(bad_locations_and_feed_urls_cannot_harm_other_readers, |site| {
    showtime_fixtures(&site).await;
    // A bad location's message is shown to the one reader who asked, never cached for others.
    let (status, bad) = site.read("/films/rust-and-bone-2012/?lat=5").await;
    assert_eq!(status, 200);
    assert!(bad.contains("Give both a latitude and a longitude"));
    let (_, plain) = site.read("/films/rust-and-bone-2012/").await;
    assert!(!plain.contains("Give both a latitude"), "the plain page is not poisoned");
    assert!(plain.contains("Near Cinema"));
    // A theater feed cannot plant a script link.
    let csv = "id,name,postal_code,time_zone,url\nE1,Evil Cinema,94612,America/Los_Angeles,javascript:alert(1)\n";
    let err = marquee::import::import_theaters(&site.store, "evil.csv", csv).await.unwrap_err().to_string();
    assert!(err.contains("evil.csv:2:") && err.contains("https://"), "{err}");
    assert!(site.store.theater_by_external_id("E1").await.unwrap().is_none());
    // Two films with one title at one theater stay apart.
    let remake = marquee_domain::film::FilmRecord { title: "Rust and Bone".into(), year: Some(2030), ..Default::default() };
    site.store.upsert_film(&remake, 0).await.unwrap();
    let d1 = la_date(1);
    let both = format!("theater_id,film_id,start\nT1,rust-and-bone-2012,{d1}T18:00\nT1,rust-and-bone-2030,{d1}T20:00\n");
    marquee::import::import_showtimes(&site.store, "both.csv", &both).await.unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(1200)).await;
    let (_, page) = site.read("/theaters/near-cinema/").await;
    assert!(page.contains("href=\"/films/rust-and-bone-2012/\"") && page.contains("href=\"/films/rust-and-bone-2030/\""), "each film keeps its own heading");
});

// The article page reads its byline and tags within the article's own statement (as JSON
// the database builds): names with quotes, backslashes, markup and letters outside ASCII come
// back as written, in the order the newsroom gave, through the pool, a page's own connection
// and the preview's read by id; the page prints the byline in that order, escaped.
both_backends!(an_article_page_reads_its_byline_and_tags_in_their_order, |site| {
    let store = &site.store;
    let sec: i64 = site.section_id("news").await.parse().unwrap();
    let first = store.create_author("zoe", "Zoë \"Z\" O'Neil \\ 東京", "").await.unwrap();
    let second = store.create_author("al", "Al <b>Bold</b> Ames", "").await.unwrap();
    let tags = [("zed".to_string(), "Zed".to_string()), ("arger".to_string(), "Ärger \"quoted\"".to_string()), ("backslash".to_string(), "back\\slash".to_string())];
    let write = |slug: &'static str, authors: &'static [i64], tags: &'static [(String, String)]| marquee_store::ArticleWrite {
        id: None, section_id: sec, slug, headline: "Two bylines", deck: "", body: "b", body_html: "<p>b</p>", status: "published",
        publish_at: Some(1_000_000), author_ids: authors, tags, film_id: None, rating: None, user_id: None, featured: None, unchanged_since: None, slug_proposed: false, lead_media_id: None, now: 1_000_000,
    };
    let authors: &'static [i64] = Box::leak(vec![second.id, first.id].into_boxed_slice());
    let tags: &'static [(String, String)] = Box::leak(Box::new(tags));
    let id = store.save_article(&write("two-bylines", authors, tags)).await.unwrap().unwrap();
    let bare = store.save_article(&write("no-tags", Box::leak(vec![first.id].into_boxed_slice()), &[])).await.unwrap().unwrap();
    let now = marquee_domain::time::now_unix();
    let own = store.pinned().await.unwrap();
    for page in [
        store.live_article("news", "two-bylines", now).await.unwrap().unwrap(),
        own.live_article("news", "two-bylines", now).await.unwrap().unwrap(),
        store.article_page_by_id(id).await.unwrap().unwrap(),
    ] {
        let names: Vec<&str> = page.card.authors.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(names, ["Al <b>Bold</b> Ames", "Zoë \"Z\" O'Neil \\ 東京"]);
        assert_eq!(page.card.authors.iter().map(|a| a.id).collect::<Vec<_>>(), [second.id, first.id]);
        assert_eq!(page.card.authors[1].slug, first.slug);
        let tag_names: Vec<&str> = page.tags.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(tag_names, ["Zed", "Ärger \"quoted\"", "back\\slash"]);
        assert_eq!(page.tags[1].slug, "arger");
    }
    for page in [own.live_article("news", "no-tags", now).await.unwrap().unwrap(), store.article_page_by_id(bare).await.unwrap().unwrap()] {
        assert!(page.tags.is_empty());
        assert_eq!(page.card.authors.len(), 1);
    }
    drop(own);
    let (status, html) = site.read("/news/two-bylines/").await;
    assert_eq!(status, 200);
    let al = html.find("/authors/al/\">Al &lt;b&gt;Bold&lt;/b&gt; Ames</a>").expect("the first name, escaped");
    let zoe = html.find("/authors/zoe/\">Zoë &quot;Z&quot; O&#39;Neil \\ 東京</a>").expect("the second name, escaped");
    assert!(al < zoe, "the byline keeps the newsroom's order");
    assert!(!html.contains("<b>Bold</b>"));
});

//! Readers' search (`/search/?q=`), end to end over HTTP, on SQLite and PostgreSQL: the
//! embedded index (`crates/search`) filled from each database's change log.

mod common;

use common::{article_id, new_client, TestSite};

const DAY: i64 = 86_400;

/// An article to store directly; `at` is its publication time.
struct Story {
    headline: &'static str,
    deck: &'static str,
    body: &'static str,
    section: &'static str,
    authors: &'static [&'static str],
    tags: &'static [&'static str],
    at: i64,
    status: &'static str,
    film_id: Option<i64>,
}

const STORY: Story = Story { headline: "", deck: "", body: "Nothing much.", section: "news", authors: &["eddie-editor"], tags: &[], at: 0, status: "published", film_id: None };

fn now() -> i64 {
    marquee_domain::time::now_unix()
}

/// Saves `s` through the store's one article writer and returns its id; the site's caches are
/// refreshed as after a newsroom save.
async fn put(site: &TestSite, s: Story) -> i64 {
    let section = site.store.section_by_slug(s.section).await.unwrap().unwrap().id;
    let mut authors = Vec::new();
    for slug in s.authors {
        authors.push(site.store.author_by_slug(slug).await.unwrap().unwrap().id);
    }
    let tags: Vec<(String, String)> = s.tags.iter().map(|t| (marquee_domain::slugify(t), t.to_string())).collect();
    let slug = format!("{}-{}", marquee_domain::slugify(s.headline), s.at);
    let at = if s.at == 0 { now() - 60 } else { s.at };
    let w = marquee_store::ArticleWrite {
        id: None,
        section_id: section,
        slug: &slug,
        headline: s.headline,
        deck: s.deck,
        body: s.body,
        body_html: &marquee_domain::markdown::render(s.body),
        status: s.status,
        publish_at: Some(at),
        author_ids: &authors,
        tags: &tags,
        film_id: s.film_id,
        rating: None,
        user_id: None,
        featured: None,
        unchanged_since: None,
        slug_proposed: false,
        lead_media_id: None,
        now: now(),
    };
    let id = site.store.save_article(&w).await.unwrap().unwrap();
    site.state.refresh().await.unwrap();
    id
}

/// GET /search/ with these parameters, as a reader.
async fn find(site: &TestSite, params: &[(&str, &str)]) -> (u16, String) {
    let r = new_client().get(site.url("/search/")).query(params).send().await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

/// The article addresses a results page lists, in order.
fn hits(html: &str) -> Vec<String> {
    html.split("<h2 class=\"card-title\"><a href=\"").skip(1).map(|s| s[..s.find('"').unwrap()].to_string()).collect()
}

async fn hits_for(site: &TestSite, q: &str) -> Vec<String> {
    let (status, html) = find(site, &[("q", q)]).await;
    assert_eq!(status, 200, "searching {q}: {html}");
    hits(&html)
}

fn path(s: &Story) -> String {
    format!("/{}/{}-{}/", s.section, marquee_domain::slugify(s.headline), s.at)
}

both_backends!(finds_by_headline_deck_body_author_tag_and_film, |site| {
    let film = marquee_domain::film::FilmRecord { title: "The Lighthouse Keeper".into(), original_title: "Le Gardien du Phare".into(), year: Some(2019), ..Default::default() };
    let (film_id, _) = site.store.upsert_film(&film, 0).await.unwrap();
    site.store.create_author("zoe-quartermaine", "Zoë Quartermaine", "").await.unwrap();
    let stories = [
        Story { headline: "Quokkas invade the waterfront", ..STORY },
        Story { headline: "Council meets", deck: "A marmalade-colored agenda", at: 1_700_000_001, ..STORY },
        Story { headline: "Weekend plans", body: "The zeppelin over the *estuary* drew crowds.", at: 1_700_000_002, ..STORY },
        Story { headline: "Letters", authors: &["zoe-quartermaine"], at: 1_700_000_003, ..STORY },
        Story { headline: "Pub crawl", tags: &["Gastropubs"], at: 1_700_000_004, ..STORY },
        Story { headline: "Tides and keepers", section: "movie-review", film_id: Some(film_id), at: 1_700_000_005, ..STORY },
    ];
    let mut paths = Vec::new();
    for s in stories {
        paths.push(path(&s));
        put(&site, s).await;
    }
    for (q, expect) in [
        ("quokkas", 0),
        ("marmalade", 1),
        ("zeppelin estuary", 2),
        ("quartermaine", 3),
        ("zoe", 3),
        ("gastropubs", 4),
        ("lighthouse", 5),
        ("gardien phare", 5),
    ] {
        assert_eq!(hits_for(&site, q).await, vec![paths[expect].clone()], "searching {q}");
    }
    // Stemming: another form of the word finds it too.
    assert_eq!(hits_for(&site, "quokka").await, vec![paths[0].clone()]);
    assert_eq!(hits_for(&site, "gastropub").await, vec![paths[4].clone()]);
    // Markup is not text: the emphasis around "estuary" is not searchable.
    assert!(hits_for(&site, "em").await.is_empty());
});

both_backends!(ranking_prefers_headlines_then_newer, |site| {
    let old = now() - 3 * 365 * DAY;
    let body_only = Story { headline: "City budget", body: "A pelican was seen near the pier.", at: now() - DAY, ..STORY };
    let in_headline = Story { headline: "Pelican season", body: "Birds.", at: old, ..STORY };
    let (b, h) = (path(&body_only), path(&in_headline));
    put(&site, body_only).await;
    put(&site, in_headline).await;
    assert_eq!(hits_for(&site, "pelican").await, vec![h, b], "a headline match outranks a newer body-only match");
    let older = Story { headline: "Heron watch", body: "Herons everywhere.", at: now() - 2 * 365 * DAY, ..STORY };
    let newer = Story { headline: "Heron watch", body: "Herons everywhere.", at: now() - 30 * DAY, ..STORY };
    let (o, n) = (path(&older), path(&newer));
    put(&site, older).await;
    put(&site, newer).await;
    assert_eq!(hits_for(&site, "heron").await, vec![n, o], "at equal relevance the newer article comes first");
});

both_backends!(phrases_prefixes_and_exclusions, |site| {
    let phrase = Story { headline: "Film notes", body: "We saw Rust and Bone by Jacques Audiard.", at: 1_700_000_001, ..STORY };
    let words = Story { headline: "Yard notes", body: "A bone, some rust, and an audition.", at: 1_700_000_002, ..STORY };
    let (p, w) = (path(&phrase), path(&words));
    put(&site, phrase).await;
    put(&site, words).await;
    assert_eq!(hits_for(&site, "\"rust and bone\"").await, vec![p.clone()]);
    let mut both = hits_for(&site, "rust bone").await;
    both.sort();
    assert_eq!(both, vec![p.clone(), w.clone()]);
    let mut prefixed = hits_for(&site, "audi*").await;
    prefixed.sort();
    assert_eq!(prefixed, vec![p.clone(), w.clone()], "audi* finds Audiard and audition");
    assert!(hits_for(&site, "audi").await.is_empty(), "without the star only the whole word counts");
    assert_eq!(hits_for(&site, "rust -audition").await, vec![p.clone()]);
    assert_eq!(hits_for(&site, "bone -\"rust and bone\"").await, vec![w]);
    assert_eq!(hits_for(&site, "JACQUES").await, vec![p], "any case");
});

both_backends!(filters_by_section_author_and_dates, |site| {
    // 2026-03-01 07:30 UTC is still February 28 in the paper's zone (America/Los_Angeles).
    let late_feb = 1_772_350_200;
    let march = 1_772_409_600; // 2026-03-02 00:00 UTC, March 1 in Los Angeles
    let stories = [
        Story { headline: "Otter report", at: late_feb, ..STORY },
        Story { headline: "Otter review", section: "movie-review", at: march, ..STORY },
        Story { headline: "Otter letter", authors: &["wren-writer"], at: march + 1, ..STORY },
    ];
    let paths: Vec<String> = stories.iter().map(path).collect();
    for s in stories {
        put(&site, s).await;
    }
    let search = |params: &'static [(&'static str, &'static str)]| {
        let site = &site;
        async move {
            let mut all = vec![("q", "otter")];
            all.extend_from_slice(params);
            let (status, html) = find(site, &all).await;
            assert_eq!(status, 200, "{params:?}: {html}");
            let mut h = hits(&html);
            h.sort();
            (h, html)
        }
    };
    assert_eq!(search(&[]).await.0.len(), 3);
    let (h, html) = search(&[("section", "movie-review")]).await;
    assert_eq!(h, vec![paths[1].clone()]);
    assert!(html.contains("In Movie Review") && html.contains("href=\"/search/?q=otter\""), "the filter shows with a link that drops it");
    assert!(html.contains("<option value=\"movie-review\" selected>"), "the form keeps the choice");
    assert_eq!(search(&[("author", "wren-writer")]).await.0, vec![paths[2].clone()]);
    assert_eq!(search(&[("to", "2026-02-28")]).await.0, vec![paths[0].clone()], "dates are days in the paper's zone");
    let mut march_only = vec![paths[1].clone(), paths[2].clone()];
    march_only.sort();
    assert_eq!(search(&[("from", "2026-03-01")]).await.0, march_only);
    assert_eq!(search(&[("from", "2026-03-01"), ("to", "2026-03-01"), ("section", "news")]).await.0, vec![paths[2].clone()]);
    let (none, html) = search(&[("from", "2026-03-01"), ("to", "2026-03-01"), ("author", "wren-writer"), ("section", "movie-review")]).await;
    assert!(none.is_empty());
    assert!(html.contains("search without it") && html.contains("Search without any filter"), "{html}");
});

both_backends!(pagination_ten_a_page, |site| {
    for i in 0..23 {
        let headline: &'static str = Box::leak(format!("Walrus count {i}").into_boxed_str());
        put(&site, Story { headline, at: 1_700_000_000 + i, ..STORY }).await;
    }
    let (status, p1) = find(&site, &[("q", "walrus")]).await;
    assert_eq!(status, 200);
    assert_eq!(hits(&p1).len(), 10);
    assert!(p1.contains("Articles 1–10 of 23") && p1.contains("Page 1 of 3"), "{p1}");
    assert!(p1.contains("href=\"/search/?q=walrus&amp;page=2\""), "the next page keeps the query");
    let (_, p3) = find(&site, &[("q", "walrus"), ("page", "3")]).await;
    assert_eq!(hits(&p3).len(), 3);
    assert!(p3.contains("Articles 21–23 of 23"));
    let (_, p2) = find(&site, &[("q", "walrus"), ("page", "2")]).await;
    let mut seen: Vec<String> = [hits(&p1), hits(&p2), hits(&p3)].concat();
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), 23, "every article once across the pages");
    for page in ["4", "abc", "0", "-1"] {
        let (status, html) = find(&site, &[("q", "walrus"), ("page", page)]).await;
        assert_eq!(status, 400, "page {page}");
        assert!(html.contains("page"), "{html}");
    }
});

both_backends!(snippets_highlight_and_escape, |site| {
    let s = Story {
        headline: "Why <script> tags worry editors",
        body: "Long before the part that matters, there is filler text about nothing at all. Readers pasted `<script>alert(1)</script>` into the comment box & the marmoset page broke.",
        ..STORY
    };
    put(&site, s).await;
    let (status, html) = find(&site, &[("q", "marmoset")]).await;
    assert_eq!(status, 200);
    assert!(html.contains("<mark>marmoset</mark>"), "{html}");
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "the body's markup-like text is shown escaped: {html}");
    assert!(html.contains("Why &lt;script&gt; tags worry editors"));
    assert!(!html.contains("<script>"), "nothing the writer typed becomes markup");
    let (_, html) = find(&site, &[("q", "script")]).await;
    assert!(html.contains("Why &lt;<mark>script</mark>&gt; tags"), "the headline is highlighted and escaped: {html}");
    assert!(html.contains("&lt;<mark>script</mark>&gt;alert(1)"), "{html}");
    assert!(!html.contains("<script>"));
    // A query that looks like markup is escaped where the page repeats it.
    let (status, html) = find(&site, &[("q", "<b>marmoset</b>")]).await;
    assert_eq!(status, 200);
    assert!(!html.contains("<b>marmoset") && html.contains("value=\"&lt;b&gt;marmoset&lt;/b&gt;\""), "{html}");
});

both_backends!(drafts_never_scheduled_only_when_due, |site| {
    put(&site, Story { headline: "Clandestine merger", status: "draft", ..STORY }).await;
    assert!(hits_for(&site, "clandestine").await.is_empty(), "a draft is never found");
    let at = now() + 3600;
    put(&site, Story { headline: "Embargoed budget", status: "scheduled", at, ..STORY }).await;
    assert!(hits_for(&site, "embargoed").await.is_empty(), "not before its time");
    // Its time comes with no job to run and nothing written again: the same index, asked a
    // second before and at its time.
    let q = marquee_domain::search::parse("embargoed").unwrap();
    assert_eq!(site.store.search(&q, &Default::default(), at - 1, 10, 0).await.unwrap().1, 0);
    let (hits, total) = site.store.search(&q, &Default::default(), at, 10, 0).await.unwrap();
    assert_eq!((total, hits.len()), (1, 1), "found once due");
});

both_backends!(newsroom_edits_keep_the_index_in_step, |site| {
    site.login("editor").await;
    let news = site.section_id("news").await;
    let author = site.author_id("eddie-editor").await;
    let (status, loc, _) = site
        .write(&[("headline", "Heron sighting"), ("slug", "sighting"), ("section", &news), ("author1", &author), ("body", "By the lake."), ("action", "publish")])
        .await;
    assert_eq!(status, 303);
    assert_eq!(hits_for(&site, "heron").await, vec!["/news/sighting/".to_string()]);
    let edit = format!("/admin/articles/{}", article_id(&loc));
    let form = |headline: &'static str, action: &'static str| {
        [("headline", headline), ("slug", "sighting"), ("section", news.as_str()), ("author1", author.as_str()), ("body", "By the lake."), ("action", action)]
    };
    let (status, _, _) = site.post_form(&edit, &edit, &form("Egret sighting", "save")).await;
    assert_eq!(status, 303);
    assert!(hits_for(&site, "heron").await.is_empty(), "the old headline is gone from the index");
    assert_eq!(hits_for(&site, "egret").await, vec!["/news/sighting/".to_string()]);
    // Renaming the author re-indexes the byline.
    let eddie = site.store.author_by_slug("eddie-editor").await.unwrap().unwrap();
    site.store.update_author(eddie.id, "Edwina Ibarra", "").await.unwrap();
    site.state.refresh().await.unwrap();
    assert_eq!(hits_for(&site, "ibarra").await.len(), 1);
    let (status, _, _) = site.post_form(&edit, &edit, &form("Egret sighting", "unpublish")).await;
    assert_eq!(status, 303);
    assert!(hits_for(&site, "egret").await.is_empty(), "unpublishing removes it");
    // A film's new title reaches its reviews.
    let mut film = marquee_domain::film::FilmRecord { title: "Working Title".into(), year: Some(2024), ..Default::default() };
    let (film_id, _) = site.store.upsert_film(&film, 0).await.unwrap();
    put(&site, Story { headline: "A review", section: "movie-review", film_id: Some(film_id), ..STORY }).await;
    assert_eq!(hits_for(&site, "working").await.len(), 1);
    film.title = "Final Cut".into();
    site.store.save_film(Some(film_id), &film, 0).await.unwrap().unwrap();
    site.state.refresh().await.unwrap();
    assert!(hits_for(&site, "working").await.is_empty());
    assert_eq!(hits_for(&site, "final cut").await.len(), 1);
});

both_backends!(every_server_fills_its_own_index_from_the_log, |site| {
    put(&site, Story { headline: "Narwhal festival", ..STORY }).await;
    assert_eq!(hits_for(&site, "narwhal").await.len(), 1);
    let query = marquee_domain::search::parse("narwhal").unwrap();
    // A second server on the same database, with an empty index of its own, reads the log
    // before its first search.
    let second = marquee_store::Store::open(&site.database_url()).await.unwrap();
    second.set_search_dir(None);
    let (hits, total) = second.search(&query, &Default::default(), now(), 10, 0).await.unwrap();
    assert_eq!((hits.len(), total), (1, 1));
    assert_eq!(hits[0].card.headline, "Narwhal festival");
    // An edit made through the first is found by the second at its next search, and a
    // deletion leaves both.
    let id = put(&site, Story { headline: "Narwhal parade", ..STORY }).await;
    assert_eq!(second.search(&query, &Default::default(), now(), 10, 0).await.unwrap().1, 2);
    assert!(site.store.delete_article(id, "", &[], now()).await.unwrap());
    assert_eq!(second.search(&query, &Default::default(), now(), 10, 0).await.unwrap().1, 1);
    assert_eq!(hits_for(&site, "parade").await.len(), 0);
    second.close().await;

    // An index directory kept across restarts goes on from where it stood. One made from
    // another database (here: the same one given a new epoch, as a copy restored into a new
    // database has) or from a later state of this one (an older backup put back under it: its
    // log ends before the index's position) is started over rather than trusted; each time a
    // change is made that the log never saw, which only starting over finds.
    let dir = std::env::temp_dir().join(format!("marquee-search-test-{}-{}", std::process::id(), rand::random::<u32>()));
    let expect = ["narwhal", "narwhal", "walrus", "okapi"];
    for (round, word) in expect.iter().enumerate() {
        let server = marquee_store::Store::open(&site.database_url()).await.unwrap();
        server.set_search_dir(Some(dir.clone()));
        let q = marquee_domain::search::parse(word).unwrap();
        let (hits, total) = server.search(&q, &Default::default(), now(), 10, 0).await.unwrap();
        assert_eq!(total, 1, "round {round}: {word}");
        assert!(hits[0].card.headline.to_lowercase().starts_with(word));
        assert_eq!(server.rebuild_search_index().await.unwrap(), 1, "one live article: the deleted one is gone");
        server.close().await;
        drop(server);
        let pool = site.store.pool();
        if round == 1 {
            sqlx::query("UPDATE articles SET headline = 'Walrus festival' WHERE headline = 'Narwhal festival'").execute(pool).await.unwrap();
            sqlx::query("UPDATE search_log SET epoch = 'restored'").execute(pool).await.unwrap();
        }
        if round == 2 {
            sqlx::query("UPDATE articles SET headline = 'Okapi festival' WHERE headline = 'Walrus festival'").execute(pool).await.unwrap();
            sqlx::query("UPDATE publication SET content_version = 1").execute(pool).await.unwrap();
            sqlx::query("UPDATE search_changes SET seq = 1").execute(pool).await.unwrap();
        }
    }
    std::fs::remove_dir_all(&dir).unwrap();
});

both_backends!(a_large_backlog_is_read_in_the_background, |site| {
    // 2,500 articles written straight to the database and noted in the search log at one
    // position, as another server's import would: more than a search waits for. A search
    // answers at once from what is indexed so far, and the rest arrives in the background.
    let section = site.store.section_by_slug("news").await.unwrap().unwrap().id;
    let pool = site.store.pool();
    let at = now() - 60;
    for chunk in 0..5 {
        let rows: Vec<String> = (0..500).map(|i| format!("({section}, 'zebra-{chunk}-{i}', 'Zebra crossing {chunk} {i}', '', 'x', '<p>x</p>', {at}, {at}, {at}, 'published')")).collect();
        let sql = format!("INSERT INTO articles (section_id, slug, headline, deck, body, body_html, publish_at, created_at, updated_at, status) VALUES {}", rows.join(", "));
        sqlx::query(&sql).execute(pool).await.unwrap();
    }
    let mut tx = pool.begin().await.unwrap();
    sqlx::query("UPDATE publication SET content_version = content_version + 1 WHERE id = 1").execute(&mut *tx).await.unwrap();
    sqlx::query("INSERT INTO search_changes (article_id, seq) SELECT id, (SELECT content_version FROM publication WHERE id = 1) FROM articles WHERE slug LIKE 'zebra-%'").execute(&mut *tx).await.unwrap();
    tx.commit().await.unwrap();
    let zebra = marquee_domain::search::parse("zebra").unwrap();
    let (_, first) = site.store.search(&zebra, &Default::default(), now(), 10, 0).await.unwrap();
    assert!(first < 2_500, "the first search did not wait for the whole backlog ({first} found)");
    let started = std::time::Instant::now();
    loop {
        let (hits, total) = site.store.search(&zebra, &Default::default(), now(), 10, 0).await.unwrap();
        if total == 2_500 {
            assert_eq!(hits.len(), 10);
            break;
        }
        assert!(started.elapsed().as_secs() < 60, "only {total} of 2,500 indexed after a minute");
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    let (status, page) = find(&site, &[("q", "zebra")]).await;
    assert_eq!(status, 200);
    assert!(page.contains("Articles 1–10 of 2500 matching"), "the page counts them all");
});

both_backends!(empty_query_and_no_results, |site| {
    let (status, home) = site.read("/").await;
    assert_eq!(status, 200);
    assert!(home.contains("<form role=\"search\" action=\"/search/\"") && home.contains("<label for=\"site-search-q\""), "every page has a search box");
    let (status, html) = find(&site, &[]).await;
    assert_eq!(status, 200);
    assert!(html.contains("<meta name=\"robots\" content=\"noindex\">") && html.contains("id=\"search-q\""));
    assert!(!html.contains("No articles match") && !html.contains("search-results"), "an empty query shows the form only");
    assert_eq!(site.location("/search?q=x").await, (301, "/search/?q=x".to_string()));
    put(&site, Story { headline: "Lagoon cleanup", ..STORY }).await;
    let (status, html) = find(&site, &[("q", "lagon cleanp"), ("section", "news")]).await;
    assert_eq!(status, 200);
    for needle in ["No articles match <strong>lagon cleanp</strong>", "Check the spelling", "href=\"/search/?q=lagon\"", "In News (<a href=\"/search/?q=lagon%20cleanp\">search without it</a>)", "href=\"/movie-review/\""] {
        assert!(html.contains(needle), "the no-results page lacks {needle}: {html}");
    }
});

both_backends!(bad_input_is_a_400_with_a_message, |site| {
    let long = "word ".repeat(41);
    for (params, message) in [
        (vec![("q", long.as_str())], "at most 200 characters"),
        (vec![("q", "otter"), ("from", "2026-13-01")], "not a date"),
        (vec![("q", "otter"), ("from", "2026-03-02"), ("to", "2026-03-01")], "comes after"),
        (vec![("q", "otter"), ("section", "nope")], "no section"),
        (vec![("q", "otter"), ("author", "nobody")], "no author"),
        (vec![("q", "-otter")], "at least one word"),
        (vec![("q", "o*")], "too short"),
        (vec![("q", "otter"), ("page", "x")], "page number"),
        (vec![("q", "otter"), ("page", "1001")], "1000 pages deep"),
    ] {
        let (status, html) = find(&site, &params).await;
        assert_eq!(status, 400, "{params:?}");
        assert!(html.contains(message) && html.contains("role=\"alert\"") && html.contains("id=\"search-q\""), "{params:?}: {html}");
    }
});

both_backends!(engine_syntax_never_breaks_a_search, |site| {
    put(&site, Story { headline: "Rust and bone", body: "Rust, bone: the review & more.", ..STORY }).await;
    for q in [
        "\"", "\"\"", "(", ")", "rust)", "(rust", "NEAR(rust bone)", "rust NEAR bone", "*", "**", "rust*bone", ":", "rust:", "headline:rust", "{headline}: rust", "&", "|", "!",
        "rust & bone", "rust | bone", "!rust", "rust:*", "'rust':*", "<->", "rust <-> bone", "'", "''", "\\", "rust AND", "OR", "NOT rust", "rust NOT", "AND OR NOT",
        "^rust", "rust^2", "-", "--rust", "+rust", "%", "_", "%_%", ";DROP TABLE articles;--", "🦀 rust", "über*", "the", "a the of", "\u{E000}rust\u{E001}", "rust\u{0}bone",
        "\"rust and\" bone\"", "col:\"rust\"", "rust~", "rust?", "[rust]", "$1", "?", "@@", "rust)) OR ((1=1",
    ] {
        let (status, html) = find(&site, &[("q", q)]).await;
        assert!(status == 200 || status == 400, "{q:?} answered {status}: {html}");
    }
    assert_eq!(hits_for(&site, "rust AND bone").await.len(), 1, "operator words are plain words");
    assert!(hits_for(&site, "NEAR(rust bone)").await.is_empty(), "“near” is in no article");
});

both_backends!(a_backlog_read_in_many_batches_gives_the_index_one_read_gives, |site| {
    // Nine articles with a word of their own: one stays a draft, one is deleted.
    let mut ids = Vec::new();
    for n in 0..9 {
        let headline = format!("Quokka sighting number {n}");
        let headline: &'static str = Box::leak(headline.into_boxed_str());
        ids.push(put(&site, Story { headline, status: if n == 4 { "draft" } else { "published" }, at: now() - 3_600 - n, ..STORY }).await);
    }
    assert!(site.store.delete_article(ids[6], "", &[], now()).await.unwrap());
    let query = marquee_domain::search::parse("quokka").unwrap();
    let mut found = Vec::new();
    // Two new servers with empty indexes: one reads the log two entries to a commit (the next
    // two read from the database while the index takes in the last), one in a single read.
    for batch in [2, 5_000] {
        let server = marquee_store::Store::open(&site.database_url()).await.unwrap();
        server.set_search_dir(None);
        server.set_search_batch(batch);
        let read = server.sync_search().await.unwrap();
        assert!(read >= 9, "batch {batch}: {read} log entries read");
        let (hits, total) = server.search(&query, &Default::default(), now(), 20, 0).await.unwrap();
        let mut headlines: Vec<String> = hits.into_iter().map(|h| h.card.headline).collect();
        headlines.sort();
        assert_eq!(total, 7, "batch {batch}: {headlines:?}");
        assert!(!headlines.iter().any(|h| h.ends_with(" 4") || h.ends_with(" 6")), "batch {batch}: the draft and the deleted one are not found: {headlines:?}");
        // Everything else in the log is in both alike.
        let all = marquee_domain::search::parse("the").unwrap();
        let every = server.search(&all, &Default::default(), now(), 1_000, 0).await.unwrap();
        found.push((headlines, every.1, every.0.into_iter().map(|h| h.card.id).collect::<Vec<_>>()));
        // Nothing new: a second read finds nothing to do.
        assert_eq!(server.sync_search().await.unwrap(), 0);
        server.close().await;
    }
    assert_eq!(found[0], found[1]);
});

//! Most Popular, the boxes around articles, and special reports, over real HTTP on both
//! databases.

mod common;

use common::{article_id, new_client, TestSite, FIREFOX};

async fn publish(site: &TestSite, headline: &str, section: &str, body: &str) -> String {
    let sec = site.section_id(section).await;
    let author = site.author_id("eddie-editor").await;
    let (status, loc, text) = site.write(&[("headline", headline), ("section", &sec), ("author1", &author), ("body", body), ("action", "publish")]).await;
    assert_eq!(status, 303, "publish failed: {text}");
    article_id(&loc)
}

/// Saves article `id` through the newsroom's form with `action` (publish, unpublish...);
/// answers the status.
async fn save(site: &TestSite, id: &str, headline: &str, slug: &str, body: &str, action: &str) -> u16 {
    let sec = site.section_id("news").await;
    let author = site.author_id("eddie-editor").await;
    let path = format!("/admin/articles/{id}");
    site.post_form(&path, &path, &[("headline", headline), ("slug", slug), ("section", &sec), ("author1", &author), ("body", body), ("action", action)]).await.0
}

/// `times` page views of `path` from a client sending `agent`; answers the last status.
async fn visit(site: &TestSite, path: &str, agent: &str, times: usize) -> u16 {
    let mut status = 0;
    for _ in 0..times {
        status = common::another_reader(agent).get(site.url(path)).send().await.unwrap().status().as_u16();
    }
    status
}

/// The headlines of the Most Popular list on `/popular/`, in order.
async fn ranking(site: &TestSite, query: &str) -> Vec<String> {
    let (status, html) = site.read(&format!("/popular/{query}")).await;
    assert_eq!(status, 200, "{html}");
    let list = html.split("<ol class=\"ranking\">").nth(1).map(|l| l.split("</ol>").next().unwrap().to_string()).unwrap_or_default();
    list.split("class=\"card-title\"><a href=\"").skip(1).map(|s| s.split('>').nth(1).unwrap().split('<').next().unwrap().to_string()).collect()
}

/// The headlines listed in the box titled `title` on `html`.
fn box_items(html: &str, title: &str) -> Vec<String> {
    let Some(start) = html.find(&format!(">{title}</a></h2>")) else { return Vec::new() };
    let rest = &html[start..];
    let list = &rest[..rest.find("</section>").unwrap()];
    list.split("<li><a href=\"").skip(1).map(|s| s.split('>').nth(1).unwrap().split('<').next().unwrap().to_string()).collect()
}

both_backends!(most_popular_counts_readers_only, |site| {
    site.login("editor").await;
    publish(&site, "Often read", "news", "a").await;
    publish(&site, "Read once", "news", "b").await;
    publish(&site, "Read by robots", "movie-review", "c").await;
    publish(&site, "Never read", "news", "d").await;
    assert_eq!(visit(&site, "/news/often-read/", FIREFOX, 3).await, 200);
    visit(&site, "/news/read-once/", FIREFOX, 1).await;
    for bot in ["Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", "facebookexternalhit/1.1", "curl/8.5.0", ""] {
        visit(&site, "/movie-review/read-by-robots/", bot, 3).await;
    }
    // The newsroom reading its own story, a preview, a HEAD and a missing page do not count.
    for _ in 0..5 {
        let r = site.client.get(site.url("/movie-review/read-by-robots/")).header("user-agent", FIREFOX).send().await.unwrap();
        assert_eq!(r.status().as_u16(), 200);
    }
    let robots_id = site.store.article_id_at("movie-review", "read-by-robots").await.unwrap().unwrap();
    site.client.get(site.url(&format!("/admin/articles/{robots_id}/preview"))).header("user-agent", FIREFOX).send().await.unwrap();
    reqwest::Client::new().head(site.url("/movie-review/read-by-robots/")).header("user-agent", FIREFOX).send().await.unwrap();
    assert_eq!(visit(&site, "/news/no-such-story/", FIREFOX, 2).await, 404);
    // No cookie is set for counting.
    let r = reqwest::Client::builder().user_agent(FIREFOX).build().unwrap().get(site.url("/news/often-read/")).send().await.unwrap();
    assert!(r.headers().get("set-cookie").is_none());

    site.state.flush_views().await.unwrap();
    site.state.refresh_popular().await.unwrap();
    assert_eq!(ranking(&site, "").await, vec!["Often read", "Read once"], "four reader views, then one; robots, staff and previews count nothing");
    assert_eq!(ranking(&site, "?section=movie-review").await, Vec::<String>::new());
    assert_eq!(ranking(&site, "?section=news").await, vec!["Often read", "Read once"]);
    assert_eq!(site.read("/popular/?section=nope").await.0, 400);
    let (_, home) = site.read("/").await;
    assert_eq!(box_items(&home, "Most Popular Stories"), vec!["Often read", "Read once"]);

    // The cached pages follow a change of ranking.
    let (_, before) = site.read("/news/never-read/").await;
    assert_eq!(box_items(&before, "Most Popular Stories"), vec!["Often read", "Read once"]);
    visit(&site, "/news/read-once/", FIREFOX, 6).await;
    site.state.flush_views().await.unwrap();
    site.state.refresh_popular().await.unwrap();
    let (_, after) = site.read("/news/never-read/").await;
    assert_eq!(box_items(&after, "Most Popular Stories"), vec!["Read once", "Often read"], "7 views now beat 4");

    // A story back in draft leaves the ranking.
    let id = site.store.article_id_at("news", "read-once").await.unwrap().unwrap();
    assert_eq!(save(&site, &id.to_string(), "Read once", "read-once", "b", "unpublish").await, 303);
    site.state.refresh_popular().await.unwrap();
    assert_eq!(ranking(&site, "").await, vec!["Often read"]);
});

both_backends!(a_reader_counts_once_by_their_address_behind_a_trusted_proxy, marquee_web::WebConfig { trusted_proxies: marquee_web::proxy::TrustedProxies::parse("127.0.0.1").unwrap(), ..Default::default() }, |site| {
    site.login("editor").await;
    publish(&site, "Reread story", "news", "x").await;
    publish(&site, "Direct story", "news", "y").await;
    let proxy = reqwest::Client::builder().user_agent(FIREFOX).build().unwrap();
    // Through the proxy (127.0.0.1): three readers, one of whom reloads twice.
    for reader in ["198.51.100.7", "198.51.100.7", "198.51.100.7", "198.51.100.8", "2001:db8::9"] {
        let r = proxy.get(site.url("/news/reread-story/")).header("x-forwarded-for", reader).send().await.unwrap();
        assert_eq!(r.status().as_u16(), 200);
    }
    // Straight from a reader at 127.1.x.y: what they claim to forward counts for nothing.
    let direct = common::another_reader(FIREFOX);
    for claimed in ["198.51.100.1", "198.51.100.2", "198.51.100.3"] {
        direct.get(site.url("/news/direct-story/")).header("x-forwarded-for", claimed).send().await.unwrap();
    }
    site.state.flush_views().await.unwrap();
    let now = marquee_domain::time::now_unix();
    let top = site.store.most_popular(now, now - 86400, None, 5).await.unwrap();
    let views: Vec<(String, i64)> = top.iter().map(|t| (t.card.headline.clone(), t.views)).collect();
    assert_eq!(views, vec![("Reread story".to_string(), 3), ("Direct story".to_string(), 1)], "one view per reader's address and article");
});

both_backends!(several_servers_add_up_their_counts, |site| {
    site.login("editor").await;
    publish(&site, "Shared story", "news", "x").await;
    // A second server on the same database, as behind a load balancer.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let second_base = format!("http://{}", listener.local_addr().unwrap());
    let second = marquee_web::AppState::new(site.store.clone(), marquee_web::WebConfig::default()).await.unwrap();
    tokio::spawn(marquee_web::serve(listener, second.clone()));
    for i in 0..10 {
        let base = if i % 2 == 0 { &site.base } else { &second_base };
        assert_eq!(common::another_reader(FIREFOX).get(format!("{base}/news/shared-story/")).send().await.unwrap().status().as_u16(), 200);
    }
    let (first, other) = tokio::join!(site.state.flush_views(), second.flush_views());
    first.unwrap();
    other.unwrap();
    let now = marquee_domain::time::now_unix();
    let top = site.store.most_popular(now, now - 86400, None, 5).await.unwrap();
    assert_eq!(top.len(), 1);
    assert_eq!(top[0].views, 10, "both servers' counts are kept");
});

both_backends!(article_boxes_latest_archive_and_reports, |site| {
    site.login("editor").await;
    for n in 1..=7 {
        publish(&site, &format!("News story {n}"), "news", "text").await;
    }
    publish(&site, "A film", "movie-review", "text").await;
    let (status, page) = site.read("/news/news-story-3/").await;
    assert_eq!(status, 200);
    let latest = box_items(&page, "Latest in News");
    assert_eq!(latest.len(), 5, "{latest:?}");
    assert!(!latest.contains(&"News story 3".to_string()), "the article itself is left out");
    assert_eq!(latest[0], "News story 7");
    assert!(!latest.contains(&"A film".to_string()), "only its own section");
    assert!(page.contains("href=\"/authors/eddie-editor/\">More by Eddie Editor"), "author archive link");
    // A new story appears in the box of an already cached page.
    publish(&site, "Fresh news", "news", "text").await;
    let (_, page) = site.read("/news/news-story-3/").await;
    assert_eq!(box_items(&page, "Latest in News")[0], "Fresh news");
    assert!(!page.contains(">Special Reports</a></h2>"), "no box without current reports");
});

both_backends!(editors_build_special_reports, |site| {
    site.login("editor").await;
    publish(&site, "Gift guide: books", "news", "Books for everyone.").await;
    publish(&site, "Where to skate", "news", "Outdoors.").await;
    publish(&site, "Cookie bakeoff", "news", "Butter.").await;
    let sec = site.section_id("news").await;
    let author = site.author_id("eddie-editor").await;
    let (status, _, _) = site.write(&[("headline", "Secret draft", ), ("section", &sec), ("author1", &author), ("body", "x"), ("action", "save")]).await;
    assert_eq!(status, 303);

    // A contributor may not build reports.
    let writer = new_client();
    site.login_as(&writer, "writer").await;
    assert_eq!(writer.get(site.url("/admin/reports")).send().await.unwrap().status().as_u16(), 403);

    let (status, html) = site.get("/admin/reports").await;
    assert_eq!(status, 200);
    assert!(html.contains("New special report"));
    let (status, _, html) = site.post_form("/admin/reports", "/admin/reports", &[("title", ""), ("intro", "x")]).await;
    assert_eq!(status, 422);
    assert!(html.contains("A title of up to 200 characters is required."));
    let (status, loc, _) = site
        .post_form(
            "/admin/reports",
            "/admin/reports",
            &[("title", "Holiday Guide 2026 <b>gifts</b>"), ("slug", "holiday-guide-2026"), ("intro", "Our *favourite* things."), ("current", "on")],
        )
        .await;
    assert_eq!(status, 303);
    let edit = loc.split('?').next().unwrap().to_string();
    let id = edit.trim_start_matches("/admin/reports/").to_string();
    assert_eq!(site.read("/reports/holiday-guide-2026/").await.0, 404, "a draft report is hidden");

    let form = |action: &'static str| (edit.clone(), action);
    let (page, _) = form("");
    for (title, n) in [("Gifts", 1), ("Eats", 2)] {
        let (status, _, _) = site.post_form(&page, &format!("{edit}/chapters"), &[("title", title)]).await;
        assert_eq!(status, 303, "chapter {n}");
    }
    let chapters = site.store.report_chapters(id.parse().unwrap()).await.unwrap();
    let (gifts, eats) = (chapters[0].id.to_string(), chapters[1].id.to_string());
    for (target, chapter, blurb) in [
        ("/news/gift-guide-books/", gifts.as_str(), "Start here <script>alert(1)</script>"),
        (&format!("{}/news/cookie-bakeoff/", site.base), eats.as_str(), ""),
        ("/news/where-to-skate/", "", "Lace up."),
        ("/news/secret-draft/", gifts.as_str(), ""),
    ] {
        let (status, loc, _) = site.post_form(&page, &format!("{edit}/items"), &[("target", target), ("chapter", chapter), ("blurb", blurb)]).await;
        assert_eq!((status, loc.contains("error")), (303, false), "adding {target}");
    }
    let (_, loc, _) = site.post_form(&page, &format!("{edit}/items"), &[("target", "/news/nothing-here/")]).await;
    assert!(loc.contains("error=item"));
    let (_, html) = site.get(&loc).await;
    assert!(html.contains("Nothing was added"), "the editor is told why");

    // Publish, then read it.
    let (status, _, _) = site
        .post_form(&page, &edit, &[("title", "Holiday Guide 2026 <b>gifts</b>"), ("slug", "holiday-guide-2026"), ("intro", "Our *favourite* things."), ("published", "on"), ("current", "on")])
        .await;
    assert_eq!(status, 303);
    let (status, html) = site.read("/reports/holiday-guide-2026/").await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("Holiday Guide 2026 &lt;b&gt;gifts&lt;/b&gt;") && !html.contains("<b>gifts</b>"), "the title is escaped");
    assert!(html.contains("<em>favourite</em>"), "the intro is Markdown");
    assert!(html.contains("Start here &lt;script&gt;") && !html.contains("<script>alert"), "blurbs are escaped");
    assert!(!html.contains("Secret draft"), "a draft in a report stays hidden");
    let order = |html: &str| -> Vec<usize> { ["Where to skate", "Gift guide: books", "Cookie bakeoff"].iter().map(|h| html.find(h).unwrap()).collect() };
    let at = order(&html);
    assert!(at[0] < at[1] && at[1] < at[2], "unchaptered items first, then Gifts, then Eats");
    assert!(html.find(">Gifts<").unwrap() < html.find(">Eats<").unwrap());

    // Reorder: Eats before Gifts; the article page's box lists the report.
    let (status, _, _) = site.post_form(&page, &format!("{edit}/chapters/{eats}"), &[("action", "up")]).await;
    assert_eq!(status, 303);
    let (_, html) = site.read("/reports/holiday-guide-2026/").await;
    assert!(html.find(">Eats<").unwrap() < html.find(">Gifts<").unwrap(), "chapters reordered");
    let (_, article) = site.read("/news/where-to-skate/").await;
    assert!(article.contains("href=\"/reports/holiday-guide-2026/\""), "Special Reports box");
    assert!(site.read("/reports/").await.1.contains("href=\"/reports/holiday-guide-2026/\""));
    let (status, index) = site.read("/sitemap.xml").await;
    assert_eq!(status, 200);
    assert!(index.contains("/sitemaps/reports-1.xml"), "{index}");
    let (_, sitemap) = site.read("/sitemaps/reports-1.xml").await;
    assert!(sitemap.contains(&format!("<loc>{}/reports/holiday-guide-2026/</loc>", site.base)), "{sitemap}");

    // Items move within their chapter, and a removed chapter keeps its items.
    let items = site.store.report_items(id.parse().unwrap(), i64::MAX).await.unwrap();
    let draft_item = items.iter().find(|i| i.label == "Secret draft").unwrap().id;
    let (status, _, _) = site.post_form(&page, &format!("{edit}/items/{draft_item}"), &[("action", "up")]).await;
    assert_eq!(status, 303);
    let items = site.store.report_items(id.parse().unwrap(), i64::MAX).await.unwrap();
    let gift_items: Vec<&str> = items.iter().filter(|i| i.chapter_id.map(|c| c.to_string()) == Some(gifts.clone())).map(|i| i.label.as_str()).collect();
    assert_eq!(gift_items, vec!["Secret draft", "Gift guide: books"]);
    let (status, _, _) = site.post_form(&page, &format!("{edit}/chapters/{gifts}"), &[("action", "remove")]).await;
    assert_eq!(status, 303);
    let (_, html) = site.read("/reports/holiday-guide-2026/").await;
    assert!(!html.contains(">Gifts<") && html.contains("Gift guide: books"), "the chapter went, its items stayed");

    // No longer current: out of the box, still readable.
    let (status, _, _) = site.post_form(&page, &edit, &[("title", "Holiday Guide 2026"), ("slug", "holiday-guide-2026"), ("published", "on")]).await;
    assert_eq!(status, 303);
    let (_, article) = site.read("/news/where-to-skate/").await;
    assert!(!article.contains("href=\"/reports/holiday-guide-2026/\""));
    assert_eq!(site.read("/reports/holiday-guide-2026/").await.0, 200);
});

both_backends!(rankings_below_the_box_and_feeds_follow_changes, |site| {
    site.login("editor").await;
    for n in 1..=6 {
        publish(&site, &format!("Big news {n}"), "news", "x").await;
    }
    publish(&site, "Film A", "movie-review", "x").await;
    publish(&site, "Film B", "movie-review", "x").await;
    for n in 1..=6 {
        visit(&site, &format!("/news/big-news-{n}/"), FIREFOX, 20).await;
    }
    visit(&site, "/movie-review/film-a/", FIREFOX, 3).await;
    visit(&site, "/movie-review/film-b/", FIREFOX, 1).await;
    site.state.flush_views().await.unwrap();
    site.state.refresh_popular().await.unwrap();
    assert_eq!(ranking(&site, "?section=movie-review").await, vec!["Film A", "Film B"]);
    // Film B overtakes Film A; neither is in the site-wide top five, yet the section's page follows.
    visit(&site, "/movie-review/film-b/", FIREFOX, 5).await;
    site.state.flush_views().await.unwrap();
    site.state.refresh_popular().await.unwrap();
    assert_eq!(ranking(&site, "?section=movie-review").await, vec!["Film B", "Film A"]);

    // A feed reader that sends only If-Modified-Since sees an unpublished story go.
    let r = new_client().get(site.url("/feed.xml")).send().await.unwrap();
    let last_modified = r.headers().get("last-modified").unwrap().to_str().unwrap().to_string();
    assert!(r.text().await.unwrap().contains("Film B"));
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await; // HTTP dates count whole seconds
    let id = site.store.article_id_at("movie-review", "film-b").await.unwrap().unwrap();
    let sec = site.section_id("movie-review").await;
    let author = site.author_id("eddie-editor").await;
    let (status, _, _) = site
        .post_form(&format!("/admin/articles/{id}"), &format!("/admin/articles/{id}"), &[("headline", "Film B"), ("slug", "film-b"), ("section", &sec), ("author1", &author), ("body", "x"), ("action", "unpublish")])
        .await;
    assert_eq!(status, 303);
    let r = new_client().get(site.url("/feed.xml")).header("if-modified-since", &last_modified).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 200, "the feed changed since {last_modified}");
    assert!(!r.text().await.unwrap().contains("Film B"));
});

both_backends!(a_nul_character_is_a_bad_request, |site| {
    for path in ["/reports/%00/", "/events/%00/", "/events/%00/event.ics", "/search/?q=x&author=%00", "/tags/%00/feed.xml", "/authors/%00/feed.json", "/news/%00/", "/popular/?section=%00"] {
        let (status, body) = site.read(path).await;
        assert_eq!(status, 400, "{path}: {body}");
        assert!(body.contains("NUL character"), "{path} says why");
    }
    // A form field with a NUL is refused before it reaches the database.
    site.login("editor").await;
    let (status, _, body) = site.post_form("/admin/reports", "/admin/reports", &[("title", "Bad\u{0}title")]).await;
    assert_eq!(status, 400, "{body}");
    let (status, _, _) = site.post_form("/admin/reports", "/admin/reports/99999/chapters", &[("title", "Lost")]).await;
    assert_eq!(status, 404, "a chapter for a report that does not exist");
});

both_backends!(a_second_server_sees_an_edit_at_once, |site| {
    site.login("editor").await;
    let id = publish(&site, "Early edition", "news", "First take.").await;
    // A second server on the same database, with its page cache on.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let second_base = format!("http://{}", listener.local_addr().unwrap());
    let second = marquee_web::AppState::new(site.store.clone(), marquee_web::WebConfig::default()).await.unwrap();
    tokio::spawn(marquee_web::serve(listener, second.clone()));
    let postgres = site.store.backend() == marquee_store::Backend::Postgres;
    if postgres {
        // It hears of changes by notice; only then does it stop reading the version each second.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
        while !second.listening_for_changes() {
            assert!(std::time::Instant::now() < deadline, "the second server never listened for changes");
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    } else {
        assert!(!second.listening_for_changes(), "SQLite has no notices");
    }
    let client = reqwest::Client::builder().user_agent(FIREFOX).build().unwrap();
    let page = |c: reqwest::Client| {
        // The section's page: cached for everyone (an article page is not while the paper
        // has no home area for Now Playing).
        let url = format!("{second_base}/news/");
        async move { c.get(url).send().await.unwrap().text().await.unwrap() }
    };
    assert!(page(client.clone()).await.contains("Early edition"), "the page is now in the second server's cache");

    assert_eq!(save(&site, &id, "Late edition", "early-edition", "Second take.", "publish").await, 303);
    let edited = std::time::Instant::now();
    // By notice on PostgreSQL (the issue asks for 1 s); SQLite's servers read the version
    // each second, so up to about two.
    let limit = std::time::Duration::from_millis(if postgres { 1000 } else { 2500 });
    loop {
        if page(client.clone()).await.contains("Late edition") {
            break;
        }
        assert!(edited.elapsed() < limit, "the second server still served the old page after {:?}", edited.elapsed());
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    if !postgres {
        return;
    }
    // The listening connections are cut (as when PostgreSQL restarts): the servers listen
    // again, and the next edit still reaches the second one within the second.
    let listening = || async {
        let rows: Vec<(i32,)> = sqlx::query_as("SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN%' AND pid <> pg_backend_pid()").fetch_all(site.store.pool()).await.unwrap();
        rows.into_iter().map(|(p,)| p).collect::<Vec<i32>>()
    };
    let cut = listening().await;
    assert_eq!(cut.len(), 2, "each server listens on a connection of its own: {cut:?}");
    let listens = second.listens_so_far();
    for pid in &cut {
        sqlx::query("SELECT pg_terminate_backend($1)").bind(pid).execute(site.store.pool()).await.unwrap();
    }
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    loop {
        let fresh = listening().await.into_iter().filter(|p| !cut.contains(p)).count();
        // The second server set up a new connection (and then re-read the site once).
        if fresh == 2 && second.listens_so_far() > listens && second.listening_for_changes() {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "the servers did not listen again");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(save(&site, &id, "Final edition", "early-edition", "Third take.", "publish").await, 303);
    let edited = std::time::Instant::now();
    while !page(client.clone()).await.contains("Final edition") {
        assert!(edited.elapsed() < limit, "after the cut, the second server still served the old page after {:?}", edited.elapsed());
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
});

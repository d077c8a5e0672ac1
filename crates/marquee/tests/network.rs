//! Papers on one network, each a real Marquee server on loopback with its own database: they
//! follow each other from the newsroom, publish, edit and unpublish, read each other's
//! rankings, go down and come back, and block each other. Run on SQLite and on PostgreSQL.

mod common;

use common::{eventually, new_client, Db, TestSite};

fn net() -> marquee_web::WebConfig {
    marquee_web::WebConfig { allow_private_fetch: true, ..Default::default() }
}

fn handle(site: &TestSite) -> String {
    format!("@paper@{}", site.base.trim_start_matches("http://"))
}

fn host(site: &TestSite) -> String {
    site.base.trim_start_matches("http://").to_string()
}

/// A paper with its own name, an editor and an admin signed in, and the film both papers know.
async fn paper(db: Db, name: &str) -> Option<TestSite> {
    let site = TestSite::on(db, net()).await?;
    let mut p = site.store.publication().await.unwrap();
    p.name = name.into();
    site.store.update_publication(&p).await.unwrap();
    site.state.refresh().await.unwrap();
    site.store.upsert_film(&marquee::demo::rust_and_bone(), 0).await.unwrap();
    site.login("admin").await;
    Some(site)
}

async fn peer_state(site: &TestSite, of: &TestSite) -> String {
    let actor = format!("{}/actor", of.base);
    site.store.peer_by_actor(&actor).await.unwrap().map(|p| p.state).unwrap_or_default()
}

/// `from` follows `to` from its newsroom, and `to` accepts.
async fn follow(from: &TestSite, to: &TestSite) {
    let (status, location, body) = from.post_form("/admin/network/", "/admin/network/follow", &[("handle", &handle(to))]).await;
    assert_eq!((status, location.as_str()), (303, "/admin/network/?done=follow"), "{body}");
    eventually("the follow is accepted", || async { peer_state(from, to).await == "following" }).await;
}

async fn publish(site: &TestSite, fields: &[(&str, &str)]) -> String {
    let sec = site.section_id(fields.iter().find(|(k, _)| *k == "section").map(|(_, v)| *v).unwrap_or("news")).await;
    let author = site.author_id("eddie-editor").await;
    let mut all: Vec<(&str, &str)> = vec![("section", sec.as_str()), ("author1", author.as_str()), ("action", "publish")];
    all.extend(fields.iter().filter(|(k, _)| *k != "section").copied());
    let (status, location, body) = site.write(&all).await;
    assert_eq!(status, 303, "{body}");
    common::article_id(&location)
}

/// Reads a page as a browser would, which counts a view.
async fn view(site: &TestSite, path: &str, times: usize) {
    for _ in 0..times {
        assert_eq!(common::another_reader(common::FIREFOX).get(site.url(path)).send().await.unwrap().status().as_u16(), 200);
    }
    site.state.flush_views().await.unwrap();
}

/// Reads `of`'s ranking on `site` now (or waits while the background worker does).
async fn read_ranking(site: &TestSite, of: &TestSite) {
    let actor = format!("{}/actor", of.base);
    let peer = site.store.peer_by_actor(&actor).await.unwrap().expect("a peer");
    site.store.trending_due_now(peer.id).await.unwrap();
    site.state.read_peers().await.unwrap();
    eventually("the ranking was read", || async { site.store.peer_by_actor(&actor).await.unwrap().unwrap().trending_next_at > 0 }).await;
}

/// The Trending in the Alternative Press box of a page, or "" if it has none.
fn trending_box(html: &str) -> String {
    match html.find("id=\"trending-title\"") {
        Some(start) => html[start..].split("</section>").next().unwrap_or_default().to_string(),
        None => String::new(),
    }
}

async fn network_article_count(site: &TestSite, title: &str) -> i64 {
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM network_articles WHERE title = $1").bind(title).fetch_one(site.store.pool()).await.unwrap();
    n
}

each_backend!(two_papers_share_reviews_rankings_and_survive_downtime_and_blocks, |db| {
    let Some(a) = paper(db, "The Test Weekly").await else { return };
    let Some(b) = paper(db, "The Other Weekly").await else { return };
    follow(&b, &a).await;
    follow(&a, &b).await;
    let (_, admin_page) = b.get("/admin/network/").await;
    assert!(admin_page.contains("The Test Weekly") && admin_page.contains("Following") && admin_page.contains(&handle(&a)), "{admin_page}");

    // A review on A reaches B's page for the same film, matched by its IMDb id.
    let id = publish(&a, &[("section", "movie-review"), ("headline", "Bruised and mended"), ("slug", "bruised"), ("deck", "Physical therapy."), ("body", "A film about bodies at work."), ("film", "Rust and Bone (2012)"), ("tags", "French cinema")]).await;
    let film_page = "/films/rust-and-bone-2012/";
    eventually("B's film page shows A's review", || async {
        let (_, html) = b.read(film_page).await;
        html.contains("Across the network") && html.contains("Bruised and mended") && html.contains("The Test Weekly") && html.contains("Eddie Editor")
    })
    .await;
    let (_, own) = a.read(film_page).await;
    assert!(!own.contains("Across the network"), "a paper's own review is not listed as from the network");

    // An edit arrives as an Update.
    let (status, _, _) = a.post_form(&format!("/admin/articles/{id}"), &format!("/admin/articles/{id}"), &[
        ("section", &a.section_id("movie-review").await), ("author1", &a.author_id("eddie-editor").await), ("action", "publish"),
        ("headline", "Bruised, mended, and sure of it"), ("slug", "bruised"), ("deck", "Physical therapy."), ("body", "A film about bodies at work."), ("film", "Rust and Bone (2012)"),
    ]).await;
    assert_eq!(status, 303);
    eventually("B shows the new headline", || async {
        let (_, html) = b.read(film_page).await;
        html.contains("Bruised, mended, and sure of it") && !html.contains("Bruised and mended<")
    })
    .await;

    // Rankings: each paper's Trending box shows the other's most-read stories, never its own.
    view(&a, "/movie-review/bruised/", 5).await;
    publish(&b, &[("headline", "The ferry is back"), ("slug", "ferry"), ("body", "Service resumes Monday.")]).await;
    view(&b, "/news/ferry/", 3).await;
    read_ranking(&b, &a).await;
    read_ranking(&a, &b).await;
    let (_, home_b) = b.read("/").await;
    let box_b = trending_box(&home_b);
    assert!(box_b.contains("Trending in the Alternative Press") && box_b.contains("Bruised, mended, and sure of it") && box_b.contains("The Test Weekly"), "{box_b}");
    assert!(box_b.contains(&format!("href=\"{}/movie-review/bruised/\"", a.base)), "links to the story on its own paper");
    assert!(!box_b.contains("The ferry is back"), "never B's own story");
    let (_, article_a) = a.read("/movie-review/bruised/").await;
    let box_a = trending_box(&article_a);
    assert!(box_a.contains("The ferry is back") && box_a.contains("The Other Weekly") && !box_a.contains("Bruised"), "{box_a}");

    // A goes down: B keeps showing A's last good ranking, and after three failed reads shows A
    // as failing. A story B publishes meanwhile waits in B's queue.
    a.stop().await;
    for _ in 0..3 {
        read_ranking(&b, &a).await;
    }
    assert_eq!(peer_state(&b, &a).await, "failing");
    let (_, home_b) = b.read("/").await;
    assert!(trending_box(&home_b).contains("Bruised, mended, and sure of it"), "the last good ranking stays while A is down");
    let (_, admin_page) = b.get("/admin/network/").await;
    assert!(admin_page.contains("Failing") && admin_page.contains("reading the ranking"), "{admin_page}");
    publish(&b, &[("headline", "Written while A slept"), ("slug", "while-a-slept"), ("body", "Nothing is lost.")]).await;
    b.state.sync_network().await.unwrap();
    eventually("B tried to deliver and will retry", || async {
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM deliveries WHERE status = 'pending' AND attempts > 0").fetch_one(b.store.pool()).await.unwrap();
        n > 0
    })
    .await;
    assert_eq!(network_article_count(&a, "Written while A slept").await, 0);

    // A comes back: the retry delivers (its time is brought forward here instead of waiting),
    // and B reads A's ranking again and shows A as followed.
    a.restart().await;
    sqlx::query("UPDATE deliveries SET next_attempt_at = 0 WHERE status = 'pending'").execute(b.store.pool()).await.unwrap();
    eventually("the story written while A was down reaches A", || async { network_article_count(&a, "Written while A slept").await == 1 }).await;
    read_ranking(&b, &a).await;
    assert_eq!(peer_state(&b, &a).await, "following");

    // Unpublishing on A is a Delete on B.
    let (status, _, _) = a.post_form(&format!("/admin/articles/{id}"), &format!("/admin/articles/{id}"), &[
        ("section", &a.section_id("movie-review").await), ("author1", &a.author_id("eddie-editor").await), ("action", "unpublish"),
        ("headline", "Bruised, mended, and sure of it"), ("slug", "bruised"), ("body", "A film about bodies at work."), ("film", "Rust and Bone (2012)"),
    ]).await;
    assert_eq!(status, 303);
    eventually("B forgets the unpublished review", || async {
        let (_, html) = b.read(film_page).await;
        !html.contains("Bruised, mended")
    })
    .await;

    // A blocks B's domain: B's stories leave A's box, B no longer follows A, and what B sends
    // is refused.
    let (status, _, _) = a.post_form("/admin/network/", "/admin/network/block", &[("domain", &host(&b))]).await;
    assert_eq!(status, 303);
    assert_eq!(peer_state(&a, &b).await, "blocked");
    let (_, home_a) = a.read("/").await;
    assert!(!trending_box(&home_a).contains("The ferry is back"), "a blocked paper's stories are not shown");
    let followers: serde_json::Value = new_client().get(a.url("/actor/followers")).send().await.unwrap().json().await.unwrap();
    assert_eq!(followers["totalItems"], 0, "the blocked domain's followers are removed");
    publish(&b, &[("headline", "Sent to a closed door"), ("slug", "closed-door"), ("body", "Refused.")]).await;
    b.state.sync_network().await.unwrap();
    eventually("A refuses B's delivery", || async {
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM deliveries WHERE status = 'failed' AND last_error LIKE '%403%'").fetch_one(b.store.pool()).await.unwrap();
        n > 0
    })
    .await;
    assert_eq!(network_article_count(&a, "Sent to a closed door").await, 0);

    // Lifting the block follows B again.
    let (status, _, _) = a.post_form("/admin/network/", "/admin/network/unblock", &[("domain", &host(&b))]).await;
    assert_eq!(status, 303);
    eventually("A follows B again", || async { peer_state(&a, &b).await == "following" }).await;
    a.finish().await;
    b.finish().await;
});

each_backend!(bad_handles_get_clear_errors, |db| {
    let Some(a) = paper(db, "The Test Weekly").await else { return };
    for (input, needle) in [("not a handle", "A handle looks like"), ("@paper@127.0.0.1:1", "Cannot find"), (&handle(&a), "That is this paper")] {
        let (status, _, body) = a.post_form("/admin/network/", "/admin/network/follow", &[("handle", input)]).await;
        assert_eq!(status, 422, "{input}");
        assert!(body.contains(needle), "{input}: {body}");
    }
    let (status, _, body) = a.post_form("/admin/network/", "/admin/network/block", &[("domain", "<b>x</b>")]).await;
    assert_eq!(status, 422);
    assert!(body.contains("Enter a domain") && !body.contains("<b>x</b>"), "{body}");
    // Only admins manage the network.
    let editor = new_client();
    a.login_as(&editor, "editor").await;
    assert_eq!(editor.get(a.url("/admin/network/")).send().await.unwrap().status().as_u16(), 403);
    a.finish().await;
});

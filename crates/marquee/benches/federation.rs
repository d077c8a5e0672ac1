//! `cargo bench -p marquee --bench federation`: how long one article takes to reach 1,000
//! followers' inboxes on loopback.
//!
//! A receiving server on loopback plays 1,000 followers, each with its own inbox (no shared
//! inbox, so every delivery is its own signed POST); it counts what arrives and checks that
//! each POST carries a Signature header. The site (its own database, SQLite by default,
//! `MARQUEE_BENCH_DB=postgres` for PostgreSQL) is served in this process with its real
//! delivery worker. One article is published; the clock runs from the moment the article is
//! handed to the network sync until the 1,000th inbox has it, split into queueing (one
//! transaction writing 1,000 deliveries) and delivering (claim, sign, POST, record).
//!
//! For scale, the same run also POSTs the same body 1,000 times straight from one HTTP
//! client, 64 at a time, unsigned and unqueued: the floor the loopback network and the
//! receiver set. MARQUEE_BENCH_FOLLOWERS changes the number of followers.

mod scratch;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

fn followers() -> usize {
    std::env::var("MARQUEE_BENCH_FOLLOWERS").ok().and_then(|v| v.parse().ok()).unwrap_or(1000)
}

struct Receiver {
    base: String,
    got: Arc<AtomicUsize>,
    unsigned: Arc<AtomicUsize>,
}

async fn receiver() -> Receiver {
    use axum::routing::post;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let got = Arc::new(AtomicUsize::new(0));
    let unsigned = Arc::new(AtomicUsize::new(0));
    let (g, u) = (got.clone(), unsigned.clone());
    let app = axum::Router::new().route(
        "/users/{n}/inbox",
        post(move |headers: axum::http::HeaderMap, _body: axum::body::Bytes| {
            let (g, u) = (g.clone(), u.clone());
            async move {
                if !headers.contains_key("signature") {
                    u.fetch_add(1, Ordering::Relaxed);
                }
                g.fetch_add(1, Ordering::Relaxed);
                axum::http::StatusCode::ACCEPTED
            }
        }),
    );
    tokio::spawn(async move { axum::serve(listener, app).await });
    Receiver { base, got, unsigned }
}

/// The site's database: a scratch PostgreSQL one, or a SQLite file in a directory of its own.
enum Db {
    Postgres(scratch::Scratch),
    Sqlite(std::path::PathBuf),
}

async fn open_store() -> (marquee_store::Store, Db) {
    if scratch::wanted() {
        let db = scratch::Scratch::create("fed").await;
        (marquee_store::Store::open(&db.url).await.unwrap(), Db::Postgres(db))
    } else {
        let dir = std::env::temp_dir().join(format!("marquee-fed-bench-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let store = marquee_store::Store::open(&format!("sqlite://{}", dir.join("bench.db").display())).await.unwrap();
        (store, Db::Sqlite(dir))
    }
}

#[tokio::main]
async fn main() {
    let n = followers();
    let recv = receiver().await;
    let (store, db) = open_store().await;
    println!("backend: {:?}, followers: {n}", store.backend());

    // The site: a section, an author, and n followers whose inboxes are on the receiver.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let mut p = store.publication().await.unwrap();
    p.base_url = base.clone();
    p.name = "Bench Weekly".into();
    store.update_publication(&p).await.unwrap();
    let section = store.create_section("news", "News", "", 0).await.unwrap().unwrap();
    let author = store.create_author("wren", "Wren Writer", "").await.unwrap();
    for i in 0..n {
        let actor = format!("{}/users/{i}", recv.base);
        let a = store
            .save_remote_actor(
                &marquee_store::ActorRecord { url: &actor, inbox: &format!("{actor}/inbox"), shared_inbox: "", key_id: &format!("{actor}#key"), public_key_pem: "unused", username: "", name: "" },
                0,
            )
            .await
            .unwrap();
        sqlx::query("INSERT INTO followers (actor_id, follow_id, created_at) VALUES ($1, $2, 0)").bind(a.id).bind(format!("{actor}/follow")).execute(store.pool()).await.unwrap();
    }
    let web = marquee_web::WebConfig { allow_private_fetch: true, ..Default::default() };
    let state = marquee_web::AppState::new(store.clone(), web).await.unwrap();
    tokio::spawn(marquee_web::serve(listener, state.clone()));
    // The key pair is made on first use; make it before the clock starts.
    let actor: serde_json::Value = reqwest::get(format!("{base}/actor")).await.unwrap().json().await.unwrap();
    assert!(actor["publicKey"]["publicKeyPem"].is_string());
    // Anything the worker finds at start (nothing) is done before the clock starts.
    state.sync_network().await.unwrap();

    let now = marquee_domain::time::now_unix();
    let body = "Service resumes Monday. ".repeat(60);
    let html = marquee_domain::markdown::render(&body);
    let w = marquee_store::ArticleWrite {
        id: None,
        section_id: section,
        slug: "ferry",
        headline: "The ferry is back",
        deck: "After a winter in dry dock.",
        body: &body,
        body_html: &html,
        status: "published",
        publish_at: Some(now),
        author_ids: &[author.id],
        tags: &[("transit".into(), "Transit".into())],
        film_id: None,
        rating: None,
        user_id: None,
        featured: None,
        unchanged_since: None,
        slug_proposed: false,
        lead_media_id: None,
        now,
    };
    store.save_article(&w).await.unwrap().unwrap();

    let start = Instant::now();
    state.sync_network().await.unwrap();
    let queued = start.elapsed();
    while recv.got.load(Ordering::Relaxed) < n {
        assert!(start.elapsed() < Duration::from_secs(300), "only {} of {n} delivered after 5 minutes", recv.got.load(Ordering::Relaxed));
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    let delivered = start.elapsed();
    assert_eq!(recv.unsigned.load(Ordering::Relaxed), 0, "every delivery is signed");
    let (waiting, failed) = store.delivery_counts().await.unwrap();

    // The floor: the same body POSTed n times from one client, 64 at a time.
    let activity: String = sqlx::query_as::<_, (String,)>("SELECT activity FROM deliveries ORDER BY id LIMIT 1").fetch_one(store.pool()).await.unwrap().0;
    let client = reqwest::Client::new();
    let before = recv.got.load(Ordering::Relaxed);
    let floor_start = Instant::now();
    use futures_util::StreamExt;
    futures_util::stream::iter(0..n)
        .map(|i| {
            let (client, url, body) = (client.clone(), format!("{}/users/{i}/inbox", recv.base), activity.clone());
            async move { client.post(url).header("content-type", "application/activity+json").body(body).send().await.unwrap().status() }
        })
        .buffer_unordered(64)
        .for_each(|_| async {})
        .await;
    let floor = floor_start.elapsed();
    assert_eq!(recv.got.load(Ordering::Relaxed) - before, n);

    println!("article size: {} bytes of activity JSON", activity.len());
    println!("queueing {n} deliveries (one transaction): {:.1} ms", queued.as_secs_f64() * 1000.0);
    println!("published -> last inbox has it: {:.2} s ({:.0} deliveries/s); left waiting {waiting}, failed {failed}", delivered.as_secs_f64(), n as f64 / delivered.as_secs_f64());
    println!("floor, {n} unsigned POSTs of the same body, 64 at a time: {:.2} s ({:.0}/s)", floor.as_secs_f64(), n as f64 / floor.as_secs_f64());
    println!("ratio delivery / floor: {:.1}x", delivered.as_secs_f64() / floor.as_secs_f64());
    store.close().await;
    match db {
        Db::Postgres(scratch) => scratch.drop_database().await,
        Db::Sqlite(dir) => drop(std::fs::remove_dir_all(dir)),
    }
}

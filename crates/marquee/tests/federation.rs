//! The paper on the fediverse, over real HTTP on both databases: WebFinger and the actor with
//! its key, the signed inbox, a follower on another server getting Create, Update and Delete,
//! the trending collection, and two app servers on one database. Papers following each other
//! are in `network.rs`.

mod common;

use common::{new_client, TestSite};

async fn json(site: &TestSite, path: &str) -> (u16, String, serde_json::Value) {
    let r = new_client().get(site.url(path)).send().await.unwrap();
    let status = r.status().as_u16();
    let content_type = r.headers().get("content-type").map(|v| v.to_str().unwrap().to_string()).unwrap_or_default();
    let text = r.text().await.unwrap();
    (status, content_type, serde_json::from_str(&text).unwrap_or(serde_json::Value::Null))
}

both_backends!(webfinger_finds_the_paper_and_its_actor_carries_its_key, |site| {
    let host = site.base.trim_start_matches("http://").to_string();
    let (status, content_type, jrd) = json(&site, &format!("/.well-known/webfinger?resource=acct:paper@{host}")).await;
    assert_eq!(status, 200);
    assert_eq!(content_type, "application/jrd+json");
    assert_eq!(jrd["subject"], format!("acct:paper@{host}"));
    let self_link = jrd["links"].as_array().unwrap().iter().find(|l| l["rel"] == "self").expect("a self link");
    assert_eq!(self_link["type"], "application/activity+json");
    let actor_url = self_link["href"].as_str().unwrap().to_string();
    assert_eq!(actor_url, format!("{}/actor", site.base));

    let (status, content_type, actor) = json(&site, "/actor").await;
    assert_eq!(status, 200);
    assert_eq!(content_type, "application/activity+json");
    assert_eq!(actor["id"], actor_url.as_str());
    assert_eq!(actor["preferredUsername"], "paper");
    assert_eq!(actor["name"], "The Test Weekly");
    assert_eq!(actor["publicKey"]["owner"], actor_url.as_str());
    let pem = actor["publicKey"]["publicKeyPem"].as_str().unwrap().to_string();
    assert!(pem.starts_with("-----BEGIN PUBLIC KEY-----"), "{pem}");

    // A second server on the same database presents the same key.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let second = format!("http://{}", listener.local_addr().unwrap());
    let state = marquee_web::AppState::new(site.store.clone(), marquee_web::WebConfig::default()).await.unwrap();
    tokio::spawn(marquee_web::serve(listener, state));
    let other: serde_json::Value = new_client().get(format!("{second}/actor")).send().await.unwrap().json().await.unwrap();
    assert_eq!(other["publicKey"]["publicKeyPem"].as_str().unwrap(), pem, "one key for the whole site");

    // Other accounts and malformed questions.
    assert_eq!(json(&site, &format!("/.well-known/webfinger?resource=acct:someone@{host}")).await.0, 404);
    assert_eq!(json(&site, "/.well-known/webfinger?resource=acct:paper@elsewhere.example").await.0, 404);
    assert_eq!(json(&site, "/.well-known/webfinger").await.0, 400);
});

/// Another fediverse server on loopback with one actor, alice, whose inbox keeps what it gets.
struct Remote {
    base: String,
    keys: &'static marquee_federation::KeyPair,
    received: std::sync::Arc<std::sync::Mutex<Vec<(std::collections::BTreeMap<String, String>, Vec<u8>)>>>,
}

fn remote_keys() -> &'static (marquee_federation::KeyPair, marquee_federation::KeyPair) {
    static KEYS: std::sync::OnceLock<(marquee_federation::KeyPair, marquee_federation::KeyPair)> = std::sync::OnceLock::new();
    KEYS.get_or_init(|| (marquee_federation::KeyPair::generate().unwrap(), marquee_federation::KeyPair::generate().unwrap()))
}

impl Remote {
    async fn start() -> Remote {
        use axum::routing::{get, post};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let keys = &remote_keys().0;
        let received = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let actor = serde_json::json!({
            "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
            "id": format!("{base}/users/alice"), "type": "Person", "preferredUsername": "alice", "name": "Alice Remote",
            "inbox": format!("{base}/users/alice/inbox"),
            "publicKey": { "id": format!("{base}/users/alice#main-key"), "owner": format!("{base}/users/alice"), "publicKeyPem": keys.public_pem }
        });
        let store = received.clone();
        let app = axum::Router::new()
            .route("/users/alice", get(move || { let a = actor.clone(); async move { ([("content-type", "application/activity+json")], a.to_string()) } }))
            .route(
                "/users/alice/inbox",
                post(move |headers: axum::http::HeaderMap, body: axum::body::Bytes| {
                    let store = store.clone();
                    async move {
                        let h = headers.iter().map(|(k, v)| (k.as_str().to_string(), v.to_str().unwrap_or("").to_string())).collect();
                        store.lock().unwrap().push((h, body.to_vec()));
                        axum::http::StatusCode::ACCEPTED
                    }
                }),
            );
        tokio::spawn(async move { axum::serve(listener, app).await });
        Remote { base, keys, received }
    }

    fn alice(&self) -> String {
        format!("{}/users/alice", self.base)
    }

    /// POSTs `activity` to the site's inbox, signed by `keys` under alice's key id.
    async fn post(&self, site: &TestSite, activity: &serde_json::Value, keys: &marquee_federation::KeyPair) -> u16 {
        let body = activity.to_string().into_bytes();
        let host = site.base.trim_start_matches("http://");
        let signed = marquee_federation::sign_request(keys, &format!("{}#main-key", self.alice()), "POST", host, "/actor/inbox", Some(&body), std::time::SystemTime::now()).unwrap();
        new_client()
            .post(site.url("/actor/inbox"))
            .header("content-type", "application/activity+json")
            .header("date", signed.date)
            .header("digest", signed.digest.unwrap())
            .header("signature", signed.signature)
            .body(body)
            .send()
            .await
            .unwrap()
            .status()
            .as_u16()
    }
}

async fn follower_count(site: &TestSite) -> i64 {
    json(site, "/actor/followers").await.2["totalItems"].as_i64().unwrap()
}

both_backends!(a_signed_follow_is_accepted_and_forgeries_are_refused, marquee_web::WebConfig { allow_private_fetch: true, ..Default::default() }, |site| {
    let remote = Remote::start().await;
    let me = format!("{}/actor", site.base);
    let follow = serde_json::json!({ "@context": "https://www.w3.org/ns/activitystreams", "id": format!("{}/follows/1", remote.base), "type": "Follow", "actor": remote.alice(), "object": me });

    // Forgeries first: no signature, the wrong key, another actor than the signer, too big.
    let unsigned = new_client().post(site.url("/actor/inbox")).header("content-type", "application/activity+json").body(follow.to_string()).send().await.unwrap();
    assert_eq!(unsigned.status().as_u16(), 401);
    assert_eq!(remote.post(&site, &follow, &remote_keys().1).await, 401, "signed with a key that is not alice's");
    let spoofed = serde_json::json!({ "id": format!("{}/follows/2", remote.base), "type": "Follow", "actor": format!("{}/users/mallory", remote.base), "object": me });
    assert_eq!(remote.post(&site, &spoofed, remote.keys).await, 403, "alice may not speak for mallory");
    let huge = serde_json::json!({ "id": "x", "type": "Note", "actor": remote.alice(), "content": "x".repeat(300 * 1024) });
    assert_eq!(remote.post(&site, &huge, remote.keys).await, 413);
    assert_eq!(follower_count(&site).await, 0, "nothing above was acted on");

    // A proper Follow: a follower, and a signed Accept back in alice's inbox.
    assert_eq!(remote.post(&site, &follow, remote.keys).await, 202);
    assert_eq!(follower_count(&site).await, 1);
    let site_pem = json(&site, "/actor").await.2["publicKey"]["publicKeyPem"].as_str().unwrap().to_string();
    let mut accept = None;
    for _ in 0..100 {
        if let Some(got) = remote.received.lock().unwrap().first().cloned() {
            accept = Some(got);
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let (headers, body) = accept.expect("an Accept is delivered to alice's inbox");
    let incoming = marquee_federation::Incoming::read("POST", "/users/alice/inbox", &headers, Some(&body)).expect("the Accept is signed");
    assert_eq!(incoming.key_id(), format!("{me}#main-key"));
    assert!(incoming.verify(&site_pem), "with the paper's key");
    let activity: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(activity["type"], "Accept");
    assert_eq!(activity["object"]["id"], follow["id"]);

    // Following again keeps one follower; Undo ends it.
    assert_eq!(remote.post(&site, &follow, remote.keys).await, 202);
    assert_eq!(follower_count(&site).await, 1);
    let undo = serde_json::json!({ "id": format!("{}/undo/1", remote.base), "type": "Undo", "actor": remote.alice(), "object": follow });
    assert_eq!(remote.post(&site, &undo, remote.keys).await, 202);
    assert_eq!(follower_count(&site).await, 0);
});

both_backends!(the_inbox_will_not_fetch_keys_from_private_addresses_by_default, |site| {
    let remote = Remote::start().await;
    let follow = serde_json::json!({ "id": format!("{}/follows/1", remote.base), "type": "Follow", "actor": remote.alice(), "object": format!("{}/actor", site.base) });
    assert_eq!(remote.post(&site, &follow, remote.keys).await, 401, "the key lives on a loopback address, which is not fetched");
    assert_eq!(follower_count(&site).await, 0);
});

/// The activities of `kind` alice has received so far.
fn received(remote: &Remote, kind: &str) -> Vec<serde_json::Value> {
    remote.received.lock().unwrap().iter().filter_map(|(_, body)| serde_json::from_slice::<serde_json::Value>(body).ok()).filter(|a| a["type"] == kind).collect()
}

async fn follow_as_alice(site: &TestSite, remote: &Remote) {
    let follow = serde_json::json!({ "id": format!("{}/follows/1", remote.base), "type": "Follow", "actor": remote.alice(), "object": format!("{}/actor", site.base) });
    assert_eq!(remote.post(site, &follow, remote.keys).await, 202);
}

async fn publish_story(site: &TestSite, action: &str, headline: &str) -> (u16, String) {
    let sec = site.section_id("news").await;
    let author = site.author_id("wren-writer").await;
    let (status, loc, _) = site
        .write(&[("section", sec.as_str()), ("author1", author.as_str()), ("action", action), ("headline", headline), ("slug", "ferry"), ("deck", "After a winter in dry dock."), ("body", "Service *resumes* Monday."), ("tags", "Transit, Bay ferries")])
        .await;
    (status, loc)
}

both_backends!(a_follower_gets_articles_as_they_are_published_edited_and_withdrawn, marquee_web::WebConfig { allow_private_fetch: true, ..Default::default() }, |site| {
    let remote = Remote::start().await;
    follow_as_alice(&site, &remote).await;
    site.login("editor").await;
    let (status, loc) = publish_story(&site, "publish", "The ferry is back").await;
    assert_eq!(status, 303);
    let id = common::article_id(&loc);
    common::eventually("alice gets a Create", || async { !received(&remote, "Create").is_empty() }).await;
    let create = received(&remote, "Create").remove(0);
    let article = &create["object"];
    assert_eq!(article["type"], "Article");
    assert_eq!(article["name"], "The ferry is back");
    assert_eq!(article["summary"], "After a winter in dry dock.");
    assert_eq!(article["url"], format!("{}/news/ferry/", site.base));
    assert_eq!(article["attributedTo"], format!("{}/actor", site.base));
    assert_eq!(article["author"][0]["name"], "Wren Writer");
    assert!(article["content"].as_str().unwrap().contains("<em>resumes</em>"));
    let tags: Vec<&str> = article["tag"].as_array().unwrap().iter().map(|t| t["name"].as_str().unwrap()).collect();
    assert_eq!(tags, ["#Transit", "#BayFerries"], "in the order the writer gave them");
    assert!(article["to"].as_array().unwrap().iter().any(|t| t == "https://www.w3.org/ns/activitystreams#Public"));
    // The object can be fetched where its id says, and the outbox lists it.
    let object_path = article["id"].as_str().unwrap().trim_start_matches(&site.base).to_string();
    let (status, _, fetched) = json(&site, &object_path).await;
    assert_eq!((status, fetched["name"].as_str()), (200, Some("The ferry is back")));
    let (_, _, outbox) = json(&site, "/actor/outbox").await;
    assert_eq!(outbox["orderedItems"][0]["object"]["id"], article["id"]);

    // An edit is an Update of the same object; saving without changes sends nothing.
    let edit = |headline: &'static str, action: &'static str| {
        let site = &site;
        let id = id.clone();
        async move {
            let sec = site.section_id("news").await;
            let author = site.author_id("wren-writer").await;
            let path = format!("/admin/articles/{id}");
            site.post_form(&path, &path, &[("section", sec.as_str()), ("author1", author.as_str()), ("action", action), ("headline", headline), ("slug", "ferry"), ("deck", "After a winter in dry dock."), ("body", "Service *resumes* Monday."), ("tags", "Transit, Bay ferries")]).await.0
        }
    };
    assert_eq!(edit("The ferry is back, on time", "publish").await, 303);
    common::eventually("alice gets an Update", || async { !received(&remote, "Update").is_empty() }).await;
    let update = received(&remote, "Update").remove(0);
    assert_eq!(update["object"]["id"], article["id"]);
    assert_eq!(update["object"]["name"], "The ferry is back, on time");

    // Unpublishing is a Delete; the object is gone.
    assert_eq!(edit("The ferry is back, on time", "unpublish").await, 303);
    common::eventually("alice gets a Delete", || async { !received(&remote, "Delete").is_empty() }).await;
    let delete = received(&remote, "Delete").remove(0);
    assert_eq!(delete["object"]["id"], article["id"]);
    assert_eq!(json(&site, &object_path).await.0, 410);
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!((received(&remote, "Create").len(), received(&remote, "Update").len(), received(&remote, "Delete").len()), (1, 1, 1), "each change is told once");
});

both_backends!(the_trending_collection_is_the_most_popular_ranking, |site| {
    site.login("editor").await;
    let (status, _) = publish_story(&site, "publish", "The ferry is back").await;
    assert_eq!(status, 303);
    let (_, _, empty) = json(&site, "/actor/trending").await;
    assert_eq!(empty["totalItems"], 0, "nothing read yet");
    let browser = reqwest::Client::builder().user_agent("Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0").build().unwrap();
    browser.get(site.url("/news/ferry/")).send().await.unwrap();
    site.state.flush_views().await.unwrap();
    let (status, content_type, ranking) = json(&site, "/actor/trending").await;
    assert_eq!((status, content_type.as_str()), (200, "application/activity+json"));
    assert_eq!(ranking["type"], "OrderedCollection");
    assert_eq!(ranking["orderedItems"][0]["name"], "The ferry is back");
    assert_eq!(ranking["orderedItems"][0]["url"], format!("{}/news/ferry/", site.base));
    let (_, _, actor) = json(&site, "/actor").await;
    assert_eq!(actor["streams"][0], format!("{}/actor/trending", site.base), "peers find the ranking from the actor");
});

both_backends!(two_servers_on_one_database_deliver_each_activity_once, marquee_web::WebConfig { allow_private_fetch: true, ..Default::default() }, |site| {
    // A second app server on the same database, with its own workers.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let state = marquee_web::AppState::new(site.store.clone(), marquee_web::WebConfig { allow_private_fetch: true, ..Default::default() }).await.unwrap();
    tokio::spawn(marquee_web::serve(listener, state.clone()));
    let remote = Remote::start().await;
    follow_as_alice(&site, &remote).await;
    site.login("editor").await;
    assert_eq!(publish_story(&site, "publish", "The ferry is back").await.0, 303);
    // Both servers sweep at once, as their workers also do.
    let (a, b) = tokio::join!(site.state.sync_network(), state.sync_network());
    a.unwrap();
    b.unwrap();
    common::eventually("alice gets the Create", || async { !received(&remote, "Create").is_empty() }).await;
    tokio::time::sleep(std::time::Duration::from_secs(3)).await;
    assert_eq!(received(&remote, "Create").len(), 1, "one Create, not one per server");
    assert_eq!(received(&remote, "Accept").len(), 1, "one Accept");
});

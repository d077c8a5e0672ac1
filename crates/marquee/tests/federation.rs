//! The paper on the fediverse, over real HTTP on both databases: WebFinger and the actor with
//! its public key. (Following, delivery and the network boxes come next.)

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

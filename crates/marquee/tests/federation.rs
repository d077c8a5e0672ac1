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

//! The APIs as a client uses them, on both databases: Ghost's Content API with a key made in
//! the newsroom, Ghost's Admin API with tokens signed by Admin API keys (and the newsroom's
//! role rules), webhooks received by a real HTTP server, and the OpenAPI document.

mod common;

use common::{eventually, get_with, make_key, new_client, TestSite};
use hmac::{Hmac, Mac};
use marquee_domain::time::now_unix;
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};

async fn content(site: &TestSite, path_and_query: &str) -> (u16, reqwest::header::HeaderMap, Value) {
    let r = new_client().get(site.url(path_and_query)).send().await.unwrap();
    let status = r.status().as_u16();
    let headers = r.headers().clone();
    let text = r.text().await.unwrap();
    let v = serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON ({status}): {text}"));
    (status, headers, v)
}

/// A Ghost Admin API token for `key`, as Ghost's clients make them.
fn token(key: &str) -> String {
    let (id, secret) = marquee_api::token::split_key(key).unwrap();
    marquee_api::token::sign(id, &secret, now_unix(), 300)
}

async fn admin_call(site: &TestSite, method: reqwest::Method, path: &str, auth: &str, body: Option<Value>) -> (u16, Value) {
    let mut req = new_client().request(method, site.url(path)).header("authorization", auth);
    if let Some(b) = body {
        req = req.header("content-type", "application/json").body(b.to_string());
    }
    let r = req.send().await.unwrap();
    let status = r.status().as_u16();
    let text = r.text().await.unwrap();
    (status, if text.is_empty() { Value::Null } else { serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON ({status}): {text}")) })
}

fn error_type(v: &Value) -> &str {
    v["errors"][0]["type"].as_str().unwrap_or("")
}

/// Writes and publishes (or drafts, or schedules) an article through the newsroom as the editor.
async fn newsroom_article(site: &TestSite, headline: &str, slug: &str, section: &str, action: &str, publish_at: &str, tags: &str) -> String {
    site.login("editor").await;
    let section_id = site.section_id(section).await;
    let author = site.author_id("eddie-editor").await;
    let (status, loc, body) = site
        .write(&[("headline", headline), ("deck", "A deck."), ("slug", slug), ("section", &section_id), ("author1", &author), ("tags", tags), ("body", "Some **words** here."), ("publish_at", publish_at), ("action", action)])
        .await;
    assert_eq!(status, 303, "{body}");
    common::article_id(&loc)
}

both_backends!(the_content_api_shows_live_posts_to_a_valid_key, |site| {
    let key = make_key(&site, "content", "Front end", None).await;
    assert_eq!(key.len(), 26, "Ghost's clients check for 26 hex digits");
    newsroom_article(&site, "Live story", "live-story", "news", "publish", "", "Jazz, Oakland").await;
    newsroom_article(&site, "Second live", "second-live", "movie-review", "publish", "", "").await;
    newsroom_article(&site, "Secret draft", "secret-draft", "news", "save", "", "").await;
    newsroom_article(&site, "Future story", "future-story", "news", "schedule", "2099-01-01T10:00", "").await;

    // No key, a wrong key, a key twice: Ghost's errors.
    let (status, headers, v) = content(&site, "/ghost/api/content/posts/").await;
    assert_eq!((status, error_type(&v)), (403, "NoPermissionError"));
    assert_eq!(headers["access-control-allow-origin"], "*", "CORS on errors too");
    for k in ["message", "context", "type", "details", "property", "help", "code", "id", "ghostErrorCode"] {
        assert!(v["errors"][0].get(k).is_some(), "error key {k}: {v}");
    }
    let (status, _, v) = content(&site, "/ghost/api/content/posts/?key=00000000000000000000000000").await;
    assert_eq!((status, error_type(&v)), (401, "UnauthorizedError"));
    let (status, _, _) = content(&site, &format!("/ghost/api/content/posts/?key={key}&key={key}")).await;
    assert_eq!(status, 400);

    // Only live articles, newest first, with Ghost's shape.
    let (status, headers, v) = content(&site, &format!("/ghost/api/content/posts/?key={key}&include=authors,tags")).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(headers["access-control-allow-origin"], "*");
    let titles: Vec<&str> = v["posts"].as_array().unwrap().iter().map(|p| p["title"].as_str().unwrap()).collect();
    assert_eq!(titles, ["Second live", "Live story"], "no draft, no scheduled article");
    let live = &v["posts"][1];
    assert_eq!(live["custom_excerpt"], "A deck.");
    assert_eq!(live["primary_tag"]["slug"], "news", "the section is the primary tag");
    let tag_slugs: Vec<&str> = live["tags"].as_array().unwrap().iter().map(|t| t["slug"].as_str().unwrap()).collect();
    assert_eq!(tag_slugs, ["news", "jazz", "oakland"]);
    assert_eq!(live["primary_author"]["slug"], "eddie-editor");
    assert_eq!(live["url"], site.url("/news/live-story/"));
    assert!(live["html"].as_str().unwrap().contains("<strong>words</strong>"));
    assert!(live.get("plaintext").is_none(), "plaintext only when asked");
    assert_eq!(v["meta"]["pagination"], json!({ "page": 1, "limit": 15, "pages": 1, "total": 2, "next": null, "prev": null }));

    // Drafts and scheduled articles are not found by slug or id either.
    for slug in ["secret-draft", "future-story"] {
        let (status, _, v) = content(&site, &format!("/ghost/api/content/posts/slug/{slug}/?key={key}")).await;
        assert_eq!((status, error_type(&v)), (404, "NotFoundError"), "{slug}");
    }
    let (status, _, one) = content(&site, &format!("/ghost/api/content/posts/{}/?key={key}&formats=plaintext&fields=title,plaintext", live["id"].as_str().unwrap())).await;
    assert_eq!(status, 200);
    assert!(one.get("meta").is_none(), "a read has no meta, so Ghost's client returns one object");
    assert_eq!(one["posts"][0].as_object().unwrap().keys().collect::<Vec<_>>(), ["id", "plaintext", "title"], "only the fields asked for, and the id");
    assert_eq!(one["posts"][0]["plaintext"], "Some words here.");

    // Filters: Ghost's NQL, with + as AND even when not escaped.
    let ask = |filter: &str| format!("/ghost/api/content/posts/?key={key}&fields=slug&filter={filter}");
    let slugs = |v: &Value| v["posts"].as_array().unwrap().iter().map(|p| p["slug"].as_str().unwrap().to_string()).collect::<Vec<_>>();
    for (filter, expected) in [
        ("tag:jazz", vec!["live-story"]),
        ("tag:movie-review", vec!["second-live"]),
        ("primary_tag:news", vec!["live-story"]),
        ("tag:[jazz,movie-review]", vec!["second-live", "live-story"]),
        ("tag:-jazz", vec!["second-live"]),
        ("author:eddie-editor+tag:oakland", vec!["live-story"]),
        ("author:eddie-editor%2Btag:oakland", vec!["live-story"]),
        ("featured:true", vec![]),
        ("published_at:%3E'2000-01-01'", vec!["second-live", "live-story"]),
        ("published_at:%3Cnow-30d", vec![]),
        ("title:~'second'", vec!["second-live"]),
        ("slug:live-story,slug:second-live", vec!["second-live", "live-story"]),
    ] {
        let (status, _, v) = content(&site, &ask(filter)).await;
        assert_eq!(status, 200, "{filter}: {v}");
        assert_eq!(slugs(&v), expected, "{filter}");
    }
    let (status, _, v) = content(&site, &ask("tag:((")).await;
    assert_eq!((status, error_type(&v)), (400, "BadRequestError"));
    assert!(v["errors"][0]["context"].as_str().unwrap().contains("Error parsing filter"));
    let (status, _, v) = content(&site, &ask("password:x")).await;
    assert_eq!((status, error_type(&v)), (400, "BadRequestError"), "an unknown field");

    // Pages, limits and bad parameters.
    let (_, _, v) = content(&site, &format!("/ghost/api/content/posts/?key={key}&limit=1&page=2&fields=slug")).await;
    assert_eq!(slugs(&v), ["live-story"]);
    assert_eq!(v["meta"]["pagination"], json!({ "page": 2, "limit": 1, "pages": 2, "total": 2, "next": null, "prev": 1 }));
    let (_, _, v) = content(&site, &format!("/ghost/api/content/posts/?key={key}&limit=all&fields=slug")).await;
    assert_eq!(v["meta"]["pagination"]["limit"], "all");
    let (_, _, v) = content(&site, &format!("/ghost/api/content/posts/?key={key}&order=title%20asc&fields=slug")).await;
    assert_eq!(slugs(&v), ["live-story", "second-live"]);
    for bad in ["limit=0", "limit=lots", "page=-1", "formats=pdf", "order=title;drop"] {
        let (status, _, v) = content(&site, &format!("/ghost/api/content/posts/?key={key}&{bad}")).await;
        assert_eq!((status, error_type(&v)), (422, "ValidationError"), "{bad}");
    }
    let (status, _, _) = content(&site, &format!("/ghost/api/content/posts/?key={key}&colour=red")).await;
    assert_eq!(status, 400, "an unknown parameter");

    // Authors, tags (sections first among equals), tiers, settings, pages.
    let (_, _, v) = content(&site, &format!("/ghost/api/content/authors/?key={key}&include=count.posts")).await;
    assert_eq!(v["authors"][0]["slug"], "eddie-editor");
    assert_eq!(v["authors"][0]["count"]["posts"], 2, "only live posts count");
    assert_eq!(v["authors"].as_array().unwrap().len(), 1, "only authors with live posts");
    let (_, _, v) = content(&site, &format!("/ghost/api/content/tags/?key={key}&include=count.posts&fields=slug,count")).await;
    let tag_list: Vec<(String, i64)> = v["tags"].as_array().unwrap().iter().map(|t| (t["slug"].as_str().unwrap().to_string(), t["count"]["posts"].as_i64().unwrap())).collect();
    assert_eq!(tag_list, [("jazz".to_string(), 1), ("movie-review".to_string(), 1), ("news".to_string(), 1), ("oakland".to_string(), 1)]);
    let (_, _, v) = content(&site, &format!("/ghost/api/content/tags/?key={key}&order=slug%20desc&fields=slug")).await;
    let slugs: Vec<&str> = v["tags"].as_array().unwrap().iter().map(|t| t["slug"].as_str().unwrap()).collect();
    assert_eq!(slugs, ["oakland", "news", "movie-review", "jazz"], "order applies to tags too");
    let (status, _, v) = content(&site, &format!("/ghost/api/content/authors/?key={key}&formats=html")).await;
    assert_eq!(status, 422);
    assert!(v["errors"][0]["context"].as_str().unwrap().contains("Only posts"), "{v}");
    let (status, _, v) = content(&site, &format!("/ghost/api/content/tags/slug/news/?key={key}")).await;
    assert_eq!((status, v["tags"][0]["name"].as_str()), (200, Some("News")));
    let (_, _, v) = content(&site, &format!("/ghost/api/content/settings/?key={key}")).await;
    assert_eq!(v["settings"]["title"], "The Test Weekly");
    assert_eq!(v["settings"]["navigation"][0], json!({ "label": "News", "url": "/news/" }));
    let (_, _, v) = content(&site, &format!("/ghost/api/content/tiers/?key={key}")).await;
    assert_eq!(v["tiers"][0]["type"], "free");
    let (_, _, v) = content(&site, &format!("/ghost/api/content/tiers/?key={key}&filter=type:paid")).await;
    assert_eq!(v["tiers"], json!([]), "Marquee's one tier is free");
    let (_, _, v) = content(&site, &format!("/ghost/api/content/tiers/?key={key}&filter=type:free%2Bactive:true")).await;
    assert_eq!(v["tiers"][0]["slug"], "free", "{v}");
    let (_, _, v) = content(&site, &format!("/ghost/api/content/pages/?key={key}")).await;
    assert_eq!(v["pages"], json!([]));

    // Cached with an ETag until content changes.
    let url = site.url(&format!("/ghost/api/content/posts/?key={key}&fields=title"));
    let first = new_client().get(&url).send().await.unwrap();
    assert_eq!(first.headers()["cache-control"], "public, max-age=0");
    let etag = first.headers()["etag"].to_str().unwrap().to_string();
    let again = new_client().get(&url).header("if-none-match", &etag).send().await.unwrap();
    assert_eq!(again.status().as_u16(), 304);
    newsroom_article(&site, "Newest", "newest", "news", "publish", "", "").await;
    let changed = new_client().get(&url).header("if-none-match", &etag).send().await.unwrap();
    assert_eq!(changed.status().as_u16(), 200, "a new article changes the answer at once");
    assert!(changed.text().await.unwrap().contains("Newest"));

    // Preflight for browsers.
    let r = new_client().request(reqwest::Method::OPTIONS, site.url("/ghost/api/content/posts/")).header("origin", "https://front.example").header("access-control-request-headers", "accept-version").send().await.unwrap();
    assert_eq!(r.status().as_u16(), 204);
    assert_eq!(r.headers()["access-control-allow-headers"], "accept-version");

    // A revoked key is refused at once, cached answers or not.
    let admin = new_client();
    site.login_as(&admin, "admin").await;
    let (_, page) = get_with(&admin, &site.url("/admin/integrations/")).await;
    let id = site.store.api_keys().await.unwrap().into_iter().find(|k| k.name == "Front end").unwrap().id;
    let r = admin.post(site.url(&format!("/admin/integrations/keys/{id}/revoke"))).form(&[("_csrf", common::csrf_in(&page))]).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 303);
    let (status, _, v) = content(&site, &format!("/ghost/api/content/posts/?key={key}&fields=title")).await;
    assert_eq!((status, error_type(&v)), (401, "UnauthorizedError"), "revoked");
});

both_backends!(the_admin_api_writes_with_the_newsroom_rules, |site| {
    let editor_key = make_key(&site, "admin", "Editor's tool", Some("editor")).await;
    let writer_key = make_key(&site, "admin", "Writer's tool", Some("writer")).await;
    let editor = format!("Ghost {}", token(&editor_key));
    let writer = format!("Ghost {}", token(&writer_key));
    let content_key = make_key(&site, "content", "Reader", None).await;

    // A contributor's key writes drafts and cannot publish.
    let post = json!({ "posts": [{ "title": "By the writer", "markdown": "Words.", "status": "published" }] });
    let (status, v) = admin_call(&site, reqwest::Method::POST, "/ghost/api/admin/posts/", &writer, Some(post)).await;
    assert_eq!((status, error_type(&v)), (403, "NoPermissionError"), "{v}");
    let (status, v) = admin_call(&site, reqwest::Method::POST, "/ghost/api/admin/posts/", &writer, Some(json!({ "posts": [{ "title": "A writer's draft", "markdown": "Words." }] }))).await;
    assert_eq!(status, 201, "{v}");
    assert_eq!(v["posts"][0]["status"], "draft");
    assert_eq!(v["posts"][0]["published_at"], Value::Null);
    assert_eq!(v["posts"][0]["primary_author"]["slug"], "wren-writer", "the key's staff member writes the byline");
    let draft_id = v["posts"][0]["id"].as_str().unwrap().to_string();
    let draft_updated = v["posts"][0]["updated_at"].as_str().unwrap().to_string();
    let (status, v) = admin_call(&site, reqwest::Method::PUT, &format!("/ghost/api/admin/posts/{draft_id}/"), &writer, Some(json!({ "posts": [{ "status": "published", "updated_at": draft_updated }] }))).await;
    assert_eq!((status, error_type(&v)), (403, "NoPermissionError"), "a contributor cannot publish by editing either");

    // An editor's key publishes, with HTML and the section named as a tag.
    let post = json!({ "posts": [{ "title": "From the API", "html": "<p>Hello <em>there</em></p><script>alert(1)</script>", "custom_excerpt": "Sent by a tool.", "tags": [{ "name": "Movie Review" }, "Festivals"], "status": "published", "featured": true }] });
    let (status, v) = admin_call(&site, reqwest::Method::POST, "/ghost/api/admin/posts/?source=html", &editor, Some(post.clone())).await;
    assert_eq!(status, 201, "{v}");
    let p = &v["posts"][0];
    assert_eq!((p["status"].as_str(), p["featured"].as_bool(), p["primary_tag"]["slug"].as_str()), (Some("published"), Some(true), Some("movie-review")));
    assert!(p["html"].as_str().unwrap().contains("<em>there</em>") && !p["html"].as_str().unwrap().contains("<script"), "sanitized: {}", p["html"]);
    assert_eq!(p["url"], site.url("/movie-review/from-the-api/"));
    let id = p["id"].as_str().unwrap().to_string();
    let updated = p["updated_at"].as_str().unwrap().to_string();
    let (status, _, c) = content(&site, &format!("/ghost/api/content/posts/?key={content_key}&filter=featured:true&fields=title")).await;
    assert_eq!((status, c["posts"][0]["title"].as_str()), (200, Some("From the API")), "published at once, to the Content API too");
    let (status, v) = admin_call(&site, reqwest::Method::POST, "/ghost/api/admin/posts/", &editor, Some(post)).await;
    assert_eq!((status, v["errors"][0]["property"].as_str()), (422, Some("html")), "html needs ?source=html");

    // Edits need the updated_at last read; a stale one is Ghost's collision error.
    let (status, v) = admin_call(&site, reqwest::Method::PUT, &format!("/ghost/api/admin/posts/{id}/"), &editor, Some(json!({ "posts": [{ "title": "No date" }] }))).await;
    assert_eq!((status, v["errors"][0]["property"].as_str()), (422, Some("updated_at")));
    // Within the same second as the post was made: each save moves updated_at on, so the
    // second edit below still collides.
    let (status, v) = admin_call(&site, reqwest::Method::PUT, &format!("/ghost/api/admin/posts/{id}/"), &editor, Some(json!({ "posts": [{ "title": "Retitled", "updated_at": updated }] }))).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["posts"][0]["title"], "Retitled");
    assert_eq!(v["posts"][0]["status"], "published", "an edit without status keeps it published");
    let (status, v) = admin_call(&site, reqwest::Method::PUT, &format!("/ghost/api/admin/posts/{id}/"), &editor, Some(json!({ "posts": [{ "title": "Stale", "updated_at": updated }] }))).await;
    assert_eq!((status, error_type(&v)), (409, "UpdateCollisionError"), "{v}");
    assert_eq!(v["errors"][0]["message"], "Saving failed! Someone else is editing this post.");
    let record = site.store.article_record(marquee_api::ids::number_of(marquee_api::ids::Kind::Post, &id).unwrap()).await.unwrap().unwrap();
    assert_eq!(record.headline, "Retitled", "nothing of the stale edit was saved");

    // Scheduling: not in the Content API until its time.
    let (status, v) = admin_call(&site, reqwest::Method::POST, "/ghost/api/admin/posts/", &editor, Some(json!({ "posts": [{ "title": "Later", "markdown": "Soon.", "status": "scheduled", "published_at": "2099-06-01T12:00:00.000Z" }] }))).await;
    assert_eq!((status, v["posts"][0]["status"].as_str()), (201, Some("scheduled")), "{v}");
    assert_eq!(v["posts"][0]["published_at"], "2099-06-01T12:00:00.000+00:00");
    let (_, _, c) = content(&site, &format!("/ghost/api/content/posts/slug/later/?key={content_key}")).await;
    assert_eq!(error_type(&c), "NotFoundError");
    let (_, v) = admin_call(&site, reqwest::Method::GET, "/ghost/api/admin/posts/?filter=status:scheduled&fields=title", &editor, None).await;
    assert_eq!(v["posts"].as_array().unwrap().iter().map(|p| p["title"].as_str().unwrap()).collect::<Vec<_>>(), ["Later"]);

    // Bodies that cannot be read: each a clear 4xx, nothing saved.
    let articles_before = site.store.article_summaries(None, 100, marquee_store::Seek::FIRST).await.unwrap().1;
    let raw = |body: &str, ct: &str| {
        let (auth, body, ct) = (editor.clone(), body.to_string(), ct.to_string());
        let url = site.url("/ghost/api/admin/posts/");
        async move {
            let r = new_client().post(url).header("authorization", auth).header("content-type", ct).body(body).send().await.unwrap();
            let status = r.status().as_u16();
            (status, serde_json::from_str::<Value>(&r.text().await.unwrap()).unwrap_or(Value::Null))
        }
    };
    let (status, v) = raw("{\"posts\": [", "application/json").await;
    assert_eq!((status, error_type(&v)), (400, "BadRequestError"));
    let (status, v) = raw("{\"posts\": [{\"title\": \"x\", \"colour\": \"red\"}]}", "application/json").await;
    assert_eq!((status, error_type(&v)), (422, "ValidationError"));
    assert!(v["errors"][0]["message"].as_str().unwrap().contains("colour"), "{v}");
    let (status, v) = raw("{\"posts\": [{\"title\": 5}]}", "application/json").await;
    assert_eq!((status, v["errors"][0]["property"].as_str()), (422, Some("posts[0].title")), "{v}");
    let (status, _) = raw("title=x", "application/x-www-form-urlencoded").await;
    assert_eq!(status, 415);
    let (status, _) = raw(&format!("{{\"posts\": [{{\"title\": \"{}\"}}]}}", "x".repeat(2 * 1024 * 1024)), "application/json").await;
    assert_eq!(status, 413);
    let (status, v) = raw("{\"posts\": [{\"title\": \"x\", \"feature_image\": \"https://img.example/a.jpg\"}]}", "application/json").await;
    assert_eq!((status, v["errors"][0]["property"].as_str()), (422, Some("feature_image")), "what Marquee cannot keep is refused, not lost");
    assert_eq!(site.store.article_summaries(None, 100, marquee_store::Seek::FIRST).await.unwrap().1, articles_before, "nothing was saved");

    // Credentials: a bearer key works; bad, expired and missing tokens do not.
    let (status, _) = admin_call(&site, reqwest::Method::GET, "/ghost/api/admin/posts/", &format!("Bearer {editor_key}"), None).await;
    assert_eq!(status, 200);
    // Browsing takes Ghost's order and fields.
    let (status, v) = admin_call(&site, reqwest::Method::GET, "/ghost/api/admin/posts/?order=title%20asc&fields=title,status", &format!("Bearer {editor_key}"), None).await;
    assert_eq!(status, 200, "{v}");
    let titles: Vec<&str> = v["posts"].as_array().unwrap().iter().map(|p| p["title"].as_str().unwrap()).collect();
    let mut sorted = titles.clone();
    sorted.sort();
    assert!(titles.len() > 1 && titles == sorted, "{titles:?}");
    let keys: Vec<&String> = v["posts"][0].as_object().unwrap().keys().collect();
    assert_eq!(keys, ["id", "status", "title"], "only the fields asked for (and the id)");
    let (id_part, secret) = marquee_api::token::split_key(&editor_key).unwrap();
    let expired = marquee_api::token::sign(id_part, &secret, now_unix() - 3600, 300);
    for (auth, expected) in [(format!("Ghost {expired}"), 401), ("Ghost not.a.token".to_string(), 400), ("Basic abc".to_string(), 401), (format!("Bearer {id_part}:{}", "00".repeat(32)), 401)] {
        let (status, v) = admin_call(&site, reqwest::Method::GET, "/ghost/api/admin/posts/", &auth, None).await;
        assert_eq!(status, expected, "{auth}: {v}");
    }
    let r = new_client().get(site.url("/ghost/api/admin/posts/")).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 403);

    // Tags: editors add and rename them; sections stay the newsroom's.
    let (status, v) = admin_call(&site, reqwest::Method::POST, "/ghost/api/admin/tags/", &editor, Some(json!({ "tags": [{ "name": "Noir" }] }))).await;
    assert_eq!((status, v["tags"][0]["slug"].as_str()), (201, Some("noir")));
    let noir = v["tags"][0]["id"].as_str().unwrap().to_string();
    let (status, v) = admin_call(&site, reqwest::Method::PUT, &format!("/ghost/api/admin/tags/{noir}/"), &editor, Some(json!({ "tags": [{ "slug": "news" }] }))).await;
    assert_eq!((status, v["errors"][0]["property"].as_str()), (422, Some("slug")), "a tag may not take a section's slug: {v}");
    let (status, _) = admin_call(&site, reqwest::Method::POST, "/ghost/api/admin/tags/", &writer, Some(json!({ "tags": [{ "name": "Mine" }] }))).await;
    assert_eq!(status, 403, "contributors do not manage tags");
    let section_tag = marquee_api::ids::encode(marquee_api::ids::Kind::Section, site.section_id("news").await.parse().unwrap());
    let (status, _) = admin_call(&site, reqwest::Method::DELETE, &format!("/ghost/api/admin/tags/{section_tag}/"), &editor, None).await;
    assert_eq!(status, 403);

    // Deleting: contributors only their own drafts; then it is gone.
    let (status, _) = admin_call(&site, reqwest::Method::DELETE, &format!("/ghost/api/admin/posts/{id}/"), &writer, None).await;
    assert_eq!(status, 403);
    let (status, v) = admin_call(&site, reqwest::Method::DELETE, &format!("/ghost/api/admin/posts/{draft_id}/"), &writer, None).await;
    assert_eq!(status, 204, "{v}");
    let (status, _) = admin_call(&site, reqwest::Method::DELETE, &format!("/ghost/api/admin/posts/{id}/"), &editor, None).await;
    assert_eq!(status, 204);
    let (status, v) = admin_call(&site, reqwest::Method::GET, &format!("/ghost/api/admin/posts/{id}/"), &editor, None).await;
    assert_eq!((status, error_type(&v)), (404, "NotFoundError"));
    let (status, _) = site.read("/movie-review/from-the-api/").await;
    assert_eq!(status, 404, "the page is gone too");
});

/// A real HTTP server that keeps every POST it gets: (headers, body).
type Received = Arc<Mutex<Vec<(axum::http::HeaderMap, String)>>>;

async fn receiver() -> (String, Received) {
    let got: Received = Default::default();
    let keep = got.clone();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |headers: axum::http::HeaderMap, body: String| {
            let keep = keep.clone();
            async move {
                keep.lock().unwrap().push((headers, body));
                axum::http::StatusCode::OK
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (format!("http://{addr}/hook"), got)
}

async fn add_hook(site: &TestSite, event: &str, url: &str) {
    let admin = new_client();
    site.login_as(&admin, "admin").await;
    let (_, page) = get_with(&admin, &site.url("/admin/integrations/")).await;
    let r = admin
        .post(site.url("/admin/integrations/webhooks"))
        .form(&[("_csrf", common::csrf_in(&page).as_str()), ("name", event), ("event", event), ("target_url", url), ("secret", "hook-secret")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
}

fn events(got: &Received) -> Vec<(String, Value)> {
    got.lock().unwrap().iter().map(|(h, b)| (h["x-marquee-event"].to_str().unwrap().to_string(), serde_json::from_str(b).unwrap())).collect()
}

both_backends!(webhooks_are_signed_and_fire_once, marquee_web::WebConfig { allow_private_fetch: true, ..Default::default() }, |site| {
    let (url, got) = receiver().await;
    for event in ["post.published", "post.published.edited", "post.unpublished", "post.deleted"] {
        add_hook(&site, event, &url).await;
    }
    let key = make_key(&site, "admin", "Tool", Some("editor")).await;
    let auth = format!("Ghost {}", token(&key));

    // Published through the Admin API: one signed delivery, with the post as current.
    let (status, v) = admin_call(&site, reqwest::Method::POST, "/ghost/api/admin/posts/", &auth, Some(json!({ "posts": [{ "title": "Hooked", "markdown": "Body.", "status": "published" }] }))).await;
    assert_eq!(status, 201, "{v}");
    let id = v["posts"][0]["id"].as_str().unwrap().to_string();
    eventually("post.published arrives", || async { events(&got).iter().any(|(e, _)| e == "post.published") }).await;
    let (headers, body) = got.lock().unwrap()[0].clone();
    let sig = headers["x-ghost-signature"].to_str().unwrap().to_string();
    let (mac_hex, t) = sig.trim_start_matches("sha256=").split_once(", t=").unwrap();
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(b"hook-secret").unwrap();
    mac.update(body.as_bytes());
    mac.update(t.as_bytes());
    assert_eq!(mac_hex, hex::encode(mac.finalize().into_bytes()), "the signature is Ghost's: HMAC of the body and the time");
    let published = events(&got);
    assert_eq!(published[0].1["post"]["current"]["title"], "Hooked");
    assert_eq!(published[0].1["post"]["current"]["status"], "published");

    // A scheduled article fires when its time comes, not before.
    let at = jiff::Timestamp::from_second(now_unix() + 4).unwrap().to_string();
    let (status, v2) = admin_call(&site, reqwest::Method::POST, "/ghost/api/admin/posts/", &auth, Some(json!({ "posts": [{ "title": "On the dot", "markdown": "Later.", "status": "scheduled", "published_at": at }] }))).await;
    assert_eq!((status, v2["posts"][0]["status"].as_str()), (201, Some("scheduled")), "{v2}");
    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    assert!(!events(&got).iter().any(|(_, b)| b["post"]["current"]["title"] == "On the dot"), "not before its time");
    eventually("the scheduled article's post.published", || async { events(&got).iter().any(|(e, b)| e == "post.published" && b["post"]["current"]["title"] == "On the dot") }).await;

    // Edited, unpublished, deleted: one each.
    let updated = v["posts"][0]["updated_at"].as_str().unwrap().to_string();
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let (status, v) = admin_call(&site, reqwest::Method::PUT, &format!("/ghost/api/admin/posts/{id}/"), &auth, Some(json!({ "posts": [{ "title": "Hooked again", "updated_at": updated }] }))).await;
    assert_eq!(status, 200, "{v}");
    eventually("post.published.edited", || async { events(&got).iter().any(|(e, _)| e == "post.published.edited") }).await;
    let updated = v["posts"][0]["updated_at"].as_str().unwrap().to_string();
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let (status, _) = admin_call(&site, reqwest::Method::PUT, &format!("/ghost/api/admin/posts/{id}/"), &auth, Some(json!({ "posts": [{ "status": "draft", "updated_at": updated }] }))).await;
    assert_eq!(status, 200);
    eventually("post.unpublished", || async { events(&got).iter().any(|(e, _)| e == "post.unpublished") }).await;
    let (status, _) = admin_call(&site, reqwest::Method::DELETE, &format!("/ghost/api/admin/posts/{id}/"), &auth, None).await;
    assert_eq!(status, 204);
    eventually("post.deleted", || async { events(&got).iter().any(|(e, _)| e == "post.deleted") }).await;
    let deleted = events(&got).into_iter().find(|(e, _)| e == "post.deleted").unwrap().1;
    assert_eq!(deleted["post"]["previous"]["title"], "Hooked again");

    // Several more sweeps change nothing: each event came exactly once.
    tokio::time::sleep(std::time::Duration::from_secs(5)).await;
    let mut counts = std::collections::BTreeMap::new();
    for (e, _) in events(&got) {
        *counts.entry(e).or_insert(0) += 1;
    }
    assert_eq!(counts, [("post.deleted".to_string(), 1), ("post.published".to_string(), 2), ("post.published.edited".to_string(), 1), ("post.unpublished".to_string(), 1)].into_iter().collect());
});

both_backends!(the_openapi_document_describes_every_api_route, |site| {
    let (status, body) = site.read("/api/openapi.json").await;
    assert_eq!(status, 200);
    let doc: Value = serde_json::from_str(&body).unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    let paths: Vec<&String> = doc["paths"].as_object().unwrap().keys().collect();
    for p in ["/ghost/api/content/posts/", "/ghost/api/content/posts/slug/{slug}/", "/ghost/api/content/settings/", "/ghost/api/admin/posts/{id}/", "/ghost/api/admin/tags/"] {
        assert!(paths.iter().any(|x| x.as_str() == p), "{p} in {paths:?}");
    }
    // Every operation in the document is served: none answers the router's own 404 or a 405.
    let mut operations = 0;
    for (p, item) in doc["paths"].as_object().unwrap() {
        let id = if p.starts_with("/api/v1/") { "1" } else { "6d7100010000000000000001" };
        let concrete = p.replace("{id}", id).replace("{slug}", "x").replace("{external_id}", "x");
        for method in item.as_object().unwrap().keys() {
            let method = reqwest::Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            // A (wrong) key, so writes reach the router past the CSRF check as API calls do.
            let r = new_client().request(method.clone(), site.url(&concrete)).header("authorization", "Bearer nobody:00").header("content-type", "application/json").body("{}").send().await.unwrap();
            let status = r.status().as_u16();
            let v: Value = serde_json::from_str(&r.text().await.unwrap()).unwrap_or(Value::Null);
            assert!(status != 405 && v["errors"][0]["message"] != "Resource not found", "{method} {p} is in the document but not served ({status} {v})");
            operations += 1;
        }
    }
    assert!(operations >= 44, "{operations}");
    let r = new_client().post(site.url("/ghost/api/admin/nothing/")).header("authorization", "Bearer nobody:00").body("{}").send().await.unwrap();
    let v: Value = serde_json::from_str(&r.text().await.unwrap()).unwrap();
    assert_eq!(v["errors"][0]["message"], "Resource not found", "what the check above looks for");
    // `fields=` may leave out any property of what the Content API lists, so the document
    // requires none of them.
    for schema in ["Post", "Tag", "Author", "Tier", "PostAuthor"] {
        let required = &doc["components"]["schemas"][schema]["required"];
        assert!(required.is_null() || required.as_array().is_some_and(|r| r.is_empty()), "{schema} requires {required}");
    }
    // The newsroom's reference page is made from it.
    site.login("writer").await;
    let (status, page) = site.get("/admin/api/").await;
    assert_eq!(status, 200);
    assert!(page.contains("GET /ghost/api/content/posts/") && page.contains("PUT /ghost/api/admin/posts/{id}/"), "{page}");
});

both_backends!(marquees_api_checks_fields_as_the_forms_do, marquee_web::WebConfig { allow_private_fetch: true, ..Default::default() }, |site| {
    let editor = format!("Bearer {}", make_key(&site, "admin", "Editor", Some("editor")).await);
    let writer = format!("Bearer {}", make_key(&site, "admin", "Writer", Some("writer")).await);

    // Films: the film form's checks and messages, field by field; nothing half-saved.
    let (status, v) = admin_call(&site, reqwest::Method::POST, "/api/v1/films/", &editor, Some(json!({ "title": "Rust and Bone", "year": 1800, "ids": { "imdb": "not-an-id" } }))).await;
    assert_eq!(status, 422, "{v}");
    let props: Vec<&str> = v["errors"].as_array().unwrap().iter().map(|e| e["property"].as_str().unwrap()).collect();
    assert!(props.contains(&"ids.imdb"), "{v}");
    assert_eq!(site.store.film_count().await.unwrap(), 0, "nothing saved");
    let film = json!({ "title": "Rust and Bone", "original_title": "De rouille et d'os", "year": 2012, "runtime_minutes": 122, "certification": "R", "genres": ["Drama"], "ids": { "imdb": "tt2053425" },
        "credits": [{ "role": "director", "name": "Jacques Audiard" }, { "role": "cast", "name": "Marion Cotillard", "character": "Stéphanie" }] });
    let (status, v) = admin_call(&site, reqwest::Method::POST, "/api/v1/films/", &writer, Some(film.clone())).await;
    assert_eq!((status, error_type(&v)), (403, "NoPermissionError"), "a contributor's key reads but does not write");
    let (status, v) = admin_call(&site, reqwest::Method::POST, "/api/v1/films/", &editor, Some(film)).await;
    assert_eq!(status, 201, "{v}");
    assert_eq!((v["film"]["runtime_minutes"].as_i64(), v["film"]["credits"][1]["character"].as_str()), (Some(122), Some("Stéphanie")));
    let id = v["film"]["id"].as_i64().unwrap();
    let (status, v) = admin_call(&site, reqwest::Method::GET, "/api/v1/films/?q=rust", &writer, None).await;
    assert_eq!((status, v["films"][0]["id"].as_i64()), (200, Some(id)));
    let (status, v) = admin_call(&site, reqwest::Method::GET, "/api/v1/people/marion-cotillard/", &writer, None).await;
    assert_eq!((status, v["person"]["films"][0]["title"].as_str()), (200, Some("Rust and Bone")));
    let (status, v) = admin_call(&site, reqwest::Method::PUT, &format!("/api/v1/films/{id}/"), &editor, Some(json!({ "title": "Rust and Bone", "year": 2012, "rating": "R" }))).await;
    assert_eq!((status, v["errors"][0]["type"].as_str()), (422, Some("ValidationError")), "unknown field: {v}");
    let (status, _) = admin_call(&site, reqwest::Method::GET, "/api/v1/films/999999/", &writer, None).await;
    assert_eq!(status, 404);

    // Theaters and venues: the place form's checks.
    let (status, v) = admin_call(&site, reqwest::Method::PUT, "/api/v1/theaters/grand-lake/", &editor, Some(json!({ "name": "Grand Lake", "time_zone": "America/Los_Angeles" }))).await;
    assert_eq!((status, v["errors"][0]["property"].as_str()), (422, Some("latitude")), "{v}");
    let (status, v) = admin_call(&site, reqwest::Method::PUT, "/api/v1/theaters/grand-lake/", &editor, Some(json!({ "name": "Grand Lake", "postal_code": "94610", "time_zone": "America/Los_Angeles" }))).await;
    assert_eq!((status, v["theater"]["external_id"].as_str()), (200, Some("grand-lake")), "{v}");
    let (status, v) = admin_call(&site, reqwest::Method::POST, "/api/v1/venues/", &editor, Some(json!({ "name": "The Hall", "time_zone": "Mars/Olympus" }))).await;
    assert_eq!((status, v["errors"][0]["property"].as_str()), (422, Some("time_zone")));
    let (status, v) = admin_call(&site, reqwest::Method::POST, "/api/v1/venues/", &editor, Some(json!({ "name": "The Hall", "city": "Oakland", "postal_code": "94612", "time_zone": "America/Los_Angeles" }))).await;
    assert_eq!(status, 201, "{v}");
    let venue = v["venue"]["id"].as_i64().unwrap();

    // Events: times in the venue's zone, the event form's checks.
    let (status, v) = admin_call(&site, reqwest::Method::POST, "/api/v1/events/", &editor, Some(json!({ "title": "Late show", "venue_id": venue, "category": "music", "start": "someday" }))).await;
    assert_eq!((status, v["errors"][0]["property"].as_str()), (422, Some("start")), "{v}");
    let (status, v) = admin_call(&site, reqwest::Method::POST, "/api/v1/events/", &editor, Some(json!({ "title": "Late show", "venue_id": venue, "category": "music", "start": "2099-12-24T21:00", "price": "$12" }))).await;
    assert_eq!(status, 201, "{v}");
    assert_eq!(v["event"]["starts_at"], "2099-12-24T21:00:00-08:00", "shown in the venue's zone");
    let event = v["event"]["id"].as_i64().unwrap();
    let (status, v) = admin_call(&site, reqwest::Method::GET, "/api/v1/events/?from=2099-12-24&days=1", &writer, None).await;
    assert_eq!((status, v["events"][0]["title"].as_str()), (200, Some("Late show")));
    let (status, _) = admin_call(&site, reqwest::Method::DELETE, &format!("/api/v1/events/{event}/"), &writer, None).await;
    assert_eq!(status, 403);
    let (status, _) = admin_call(&site, reqwest::Method::DELETE, &format!("/api/v1/events/{event}/"), &editor, None).await;
    assert_eq!(status, 204);
    let (status, _) = admin_call(&site, reqwest::Method::GET, "/api/v1/events/?days=0", &writer, None).await;
    assert_eq!(status, 422);
    let (status, _) = admin_call(&site, reqwest::Method::GET, "/api/v1/venues/?sort=name", &writer, None).await;
    assert_eq!(status, 400, "an unknown parameter");

    // Comment moderation: an approval through the API notifies webhooks, as one in the newsroom does.
    let (url, got) = receiver().await;
    add_hook(&site, "comment.approved", &url).await;
    let article = newsroom_article(&site, "Talk about it", "talk-about-it", "news", "publish", "", "").await;
    let article_id: i64 = article.parse().unwrap();
    let reader = site.store.create_reader("reader@readers.test", "Rita Reader", &marquee_web::hash_password(common::PASSWORD), now_unix(), marquee_store::MailToken { token_hash: "x", purpose: "verify", email: "reader@readers.test", expires_at: now_unix() + 60 }, |_| marquee_store::NewMail { reader_id: None, kind: "verify", to_email: String::new(), to_name: String::new(), subject: String::new(), text: String::new(), html: String::new(), list_unsubscribe: None }).await.unwrap().unwrap();
    let c = marquee_store::NewComment { article_id, reader_id: reader.id, parent_id: None, body: "First!", body_html: "<p>First!</p>", status: "pending", hold_reason: "pre-moderation", ip: "127.0.0.1", now: now_unix() };
    let comment = site.store.add_comment(c, &|_: &marquee_store::Subscriber, _| unreachable!()).await.unwrap().unwrap();
    let (status, v) = admin_call(&site, reqwest::Method::GET, "/api/v1/comments/", &editor, None).await;
    assert_eq!((status, v["comments"][0]["id"].as_i64()), (200, Some(comment)));
    let (status, v) = admin_call(&site, reqwest::Method::POST, &format!("/api/v1/comments/{comment}/decision/"), &editor, Some(json!({ "action": "reject" }))).await;
    assert_eq!((status, v["errors"][0]["property"].as_str()), (422, Some("reason")));
    let (status, v) = admin_call(&site, reqwest::Method::POST, &format!("/api/v1/comments/{comment}/decision/"), &editor, Some(json!({ "action": "feature" }))).await;
    assert_eq!((status, v["errors"][0]["property"].as_str()), (422, Some("action")), "a waiting comment cannot be featured: {v}");
    let (status, _) = admin_call(&site, reqwest::Method::POST, &format!("/api/v1/comments/{comment}/decision/"), &editor, Some(json!({ "action": "approve" }))).await;
    assert_eq!(status, 200);
    assert_eq!(site.store.comment(comment).await.unwrap().unwrap().status, "approved");
    eventually("comment.approved arrives", || async { events(&got).iter().any(|(e, b)| e == "comment.approved" && b["comment"]["current"]["id"] == comment) }).await;
});

both_backends!(saves_at_the_same_moment_each_get_a_slug, marquee_web::WebConfig { api_requests_per_minute: 0, ..Default::default() }, |site| {
    // Clients that send the same thing at once (a retrying importer, two desks) are each saved
    // under their own slug, never refused with a server error.
    let editor = format!("Bearer {}", make_key(&site, "admin", "Editor", Some("editor")).await);
    let venue = json!({ "name": "The Same Hall", "postal_code": "94612", "time_zone": "America/Los_Angeles" });
    let film = json!({ "title": "Same Title", "year": 2001 });
    let post = json!({ "posts": [{ "title": "Same headline", "status": "draft" }] });
    let mut calls = Vec::new();
    for _ in 0..6 {
        calls.push(admin_call(&site, reqwest::Method::POST, "/api/v1/venues/", &editor, Some(venue.clone())));
        calls.push(admin_call(&site, reqwest::Method::POST, "/ghost/api/admin/posts/", &editor, Some(post.clone())));
    }
    let answers = futures_util::future::join_all(calls).await;
    let mut slugs = std::collections::HashSet::new();
    for (status, v) in &answers {
        assert_eq!(*status, 201, "{v}");
        let slug = v["venue"]["slug"].as_str().or(v["posts"][0]["slug"].as_str()).unwrap().to_string();
        assert!(slugs.insert(slug.clone()), "{slug} given twice");
    }
    assert_eq!(slugs.len(), 12);
    // The same film sent twice at once is one film (films are keyed by title and year).
    let (a, b) = tokio::join!(
        admin_call(&site, reqwest::Method::POST, "/api/v1/films/", &editor, Some(film.clone())),
        admin_call(&site, reqwest::Method::POST, "/api/v1/films/", &editor, Some(film.clone()))
    );
    assert!(a.0 < 500 && b.0 < 500, "{a:?} {b:?}");
    assert_eq!(site.store.film_count().await.unwrap(), 1);
    // Two films naming a new person at once credit one person.
    let (a, b) = tokio::join!(
        admin_call(&site, reqwest::Method::POST, "/api/v1/films/", &editor, Some(json!({ "title": "First Film", "year": 2002, "credits": [{ "role": "director", "name": "Nadia Newcomer" }] }))),
        admin_call(&site, reqwest::Method::POST, "/api/v1/films/", &editor, Some(json!({ "title": "Second Film", "year": 2003, "credits": [{ "role": "director", "name": "Nadia Newcomer" }] })))
    );
    assert_eq!((a.0, b.0), (201, 201), "{a:?} {b:?}");
    let (status, v) = admin_call(&site, reqwest::Method::GET, "/api/v1/people/nadia-newcomer/", &editor, None).await;
    assert_eq!((status, v["person"]["films"].as_array().map(Vec::len)), (200, Some(2)), "{v}");
    let (status, _) = admin_call(&site, reqwest::Method::GET, "/api/v1/people/nadia-newcomer-2/", &editor, None).await;
    assert_eq!(status, 404, "no second person of the same name");
    // Events asking for one slug at once: one gets it, the others are told why.
    let venue = answers.iter().find_map(|(_, v)| v["venue"]["id"].as_i64()).unwrap();
    let event = json!({ "title": "Same night", "slug": "same-night", "venue_id": venue, "category": "music", "start": "2099-06-01T20:00" });
    let mut calls = Vec::new();
    for _ in 0..4 {
        calls.push(admin_call(&site, reqwest::Method::POST, "/api/v1/events/", &editor, Some(event.clone())));
    }
    let mut statuses: Vec<u16> = futures_util::future::join_all(calls).await.into_iter().map(|(s, _)| s).collect();
    statuses.sort();
    assert_eq!(statuses, [201, 422, 422, 422]);
});

both_backends!(venues_with_and_without_a_position, marquee_web::WebConfig::default(), |site| {
    // A venue may have no position; one saved without, then one with, then each changed to the
    // other, all save (PostgreSQL keeps prepared statements, so the unknown position must be
    // sent as the same type as a known one).
    let editor = format!("Bearer {}", make_key(&site, "admin", "Editor", Some("editor")).await);
    let nowhere = json!({ "name": "Nowhere Hall", "time_zone": "America/Los_Angeles" });
    let somewhere = json!({ "name": "Somewhere Hall", "postal_code": "94612", "time_zone": "America/Los_Angeles" });
    let mut ids = Vec::new();
    for body in [&nowhere, &somewhere] {
        let (status, v) = admin_call(&site, reqwest::Method::POST, "/api/v1/venues/", &editor, Some(body.clone())).await;
        assert_eq!(status, 201, "{v}");
        ids.push(v["venue"]["id"].as_i64().unwrap());
    }
    for (id, body, placed) in [(ids[0], &somewhere, true), (ids[1], &nowhere, false), (ids[0], &nowhere, false), (ids[1], &somewhere, true)] {
        let (status, v) = admin_call(&site, reqwest::Method::PUT, &format!("/api/v1/venues/{id}/"), &editor, Some(body.clone())).await;
        assert_eq!(status, 200, "{v}");
        assert_eq!(v["venue"]["latitude"].is_f64(), placed, "{v}");
        assert_eq!(v["venue"]["latitude"].as_f64(), placed.then_some(37.809435), "{v}");
    }
});

both_backends!(each_key_has_its_own_rate_limit, marquee_web::WebConfig { api_requests_per_minute: 3, ..Default::default() }, |site| {
    // Three requests a minute per key and address: the fourth is refused in Ghost's shape with
    // a Retry-After, cached answer or not, while another key goes on working.
    let first = make_key(&site, "content", "First", None).await;
    let second = make_key(&site, "content", "Second", None).await;
    let editor = format!("Bearer {}", make_key(&site, "admin", "Editor", Some("editor")).await);
    // Counts are per calendar minute: start early in one, so the requests share it.
    let into_minute = now_unix().rem_euclid(60);
    if into_minute > 45 {
        tokio::time::sleep(std::time::Duration::from_secs((61 - into_minute) as u64)).await;
    }
    for _ in 0..3 {
        let (status, _, _) = content(&site, &format!("/ghost/api/content/settings/?key={first}")).await;
        assert_eq!(status, 200);
    }
    let (status, headers, v) = content(&site, &format!("/ghost/api/content/settings/?key={first}")).await;
    assert_eq!((status, error_type(&v)), (429, "TooManyRequestsError"), "{v}");
    let wait: u64 = headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&wait), "{wait}");
    let (status, _, _) = content(&site, &format!("/ghost/api/content/settings/?key={second}")).await;
    assert_eq!(status, 200, "another key has its own count");
    // Admin keys too.
    let mut statuses = Vec::new();
    for _ in 0..4 {
        statuses.push(admin_call(&site, reqwest::Method::GET, "/api/v1/reports/", &editor, None).await.0);
    }
    assert_eq!(statuses, [200, 200, 200, 429]);
});

fn jpeg(w: u32, h: u32, shade: u8) -> Vec<u8> {
    let img = image::RgbImage::from_fn(w, h, |x, y| image::Rgb([(x % 200) as u8, (y % 200) as u8, shade]));
    let mut out = std::io::Cursor::new(Vec::new());
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 85).encode_image(&img).unwrap();
    out.into_inner()
}

async fn upload_image(site: &TestSite, auth: &str, name: &str, bytes: Vec<u8>, extra: &[(&str, &str)]) -> (u16, Value) {
    let mut form = reqwest::multipart::Form::new().part("file", reqwest::multipart::Part::bytes(bytes).file_name(name.to_string()));
    for (k, v) in extra {
        form = form.text(k.to_string(), v.to_string());
    }
    let r = new_client().post(site.url("/ghost/api/admin/images/upload/")).header("authorization", auth).multipart(form).send().await.unwrap();
    let status = r.status().as_u16();
    let text = r.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON ({status}): {text}")))
}

both_backends!(the_admin_api_uploads_images_and_posts_lead_with_them, |site| {
    let writer = format!("Bearer {}", make_key(&site, "admin", "Writer's tool", Some("writer")).await);
    let editor = format!("Bearer {}", make_key(&site, "admin", "Editor's tool", Some("editor")).await);

    // Ghost's images/upload: the image goes into the media library, checked by its bytes.
    let (status, v) = upload_image(&site, &writer, "booth.jpg", jpeg(1000, 600, 40), &[("purpose", "image"), ("ref", "booth.jpg")]).await;
    assert_eq!(status, 201, "{v}");
    assert_eq!(v["images"][0]["ref"], "booth.jpg");
    let url = v["images"][0]["url"].as_str().unwrap().to_string();
    assert!(url.starts_with(&format!("{}/media/", site.base)) && url.ends_with("/1000.jpg"), "{url}");
    assert_eq!(new_client().get(&url).send().await.unwrap().status(), 200, "the address serves the image");
    for (name, bytes, field) in [
        ("page.svg", b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>".to_vec(), "file"),
        ("notes.jpg", b"just some text, not a picture".to_vec(), "file"),
    ] {
        let (status, v) = upload_image(&site, &writer, name, bytes, &[]).await;
        assert_eq!((status, v["errors"][0]["property"].as_str()), (422, Some(field)), "{name}: {v}");
    }
    let (status, v) = upload_image(&site, &writer, "a.jpg", jpeg(20, 20, 9), &[("purpose", "banner")]).await;
    assert_eq!((status, v["errors"][0]["property"].as_str()), (422, Some("purpose")), "{v}");
    let r = new_client().post(site.url("/ghost/api/admin/images/upload/")).header("authorization", &writer).header("content-type", "application/json").body("{}").send().await.unwrap();
    assert_eq!(r.status(), 415);

    // A post leads with it; its alt text and caption are kept with the image.
    let body = json!({"posts": [{"title": "In the booth", "markdown": "Reel two.", "feature_image": url, "feature_image_alt": "A projector in a dark booth", "feature_image_caption": "Reel two, 1979", "status": "published"}]});
    let (status, v) = admin_call(&site, reqwest::Method::POST, "/ghost/api/admin/posts/", &editor, Some(body)).await;
    assert_eq!(status, 201, "{v}");
    let post = &v["posts"][0];
    assert_eq!((post["feature_image"].as_str(), post["feature_image_alt"].as_str(), post["feature_image_caption"].as_str()), (Some(url.as_str()), Some("A projector in a dark booth"), Some("Reel two, 1979")));
    let path = post["url"].as_str().unwrap().trim_start_matches(&site.base).to_string();
    let (_, page) = site.read(&path).await;
    let key = url.split("/media/").nth(1).unwrap().split('/').next().unwrap();
    assert!(page.contains(&format!("<meta property=\"og:image\" content=\"{}/media/{key}/", site.base)), "{page}");
    assert!(page.contains("alt=\"A projector in a dark booth\"") && page.contains("Reel two, 1979"));
    let content_key = make_key(&site, "content", "Reader app", None).await;
    let (_, _, v) = content(&site, &format!("/ghost/api/content/posts/?key={content_key}&filter=tag:news&fields=title,feature_image,feature_image_alt")).await;
    assert_eq!(v["posts"][0]["feature_image"].as_str(), Some(url.as_str()), "{v}");

    // An image with no alt text cannot lead a published post; a draft may wait for it.
    let (_, v) = upload_image(&site, &writer, "dark.jpg", jpeg(800, 500, 200), &[]).await;
    let bare = v["images"][0]["url"].as_str().unwrap().to_string();
    let (status, v) = admin_call(&site, reqwest::Method::POST, "/ghost/api/admin/posts/", &editor, Some(json!({"posts": [{"title": "Dark", "feature_image": bare, "status": "published"}]}))).await;
    assert_eq!((status, v["errors"][0]["property"].as_str()), (422, Some("feature_image")), "{v}");
    let (status, v) = admin_call(&site, reqwest::Method::POST, "/ghost/api/admin/posts/", &editor, Some(json!({"posts": [{"title": "Dark", "feature_image": bare}]}))).await;
    assert_eq!(status, 201, "{v}");
    // null takes the image off; alt text with no image to describe is refused.
    let (id, updated) = (v["posts"][0]["id"].as_str().unwrap().to_string(), v["posts"][0]["updated_at"].clone());
    let (status, v) = admin_call(&site, reqwest::Method::PUT, &format!("/ghost/api/admin/posts/{id}/"), &editor, Some(json!({"posts": [{"feature_image": null, "updated_at": updated}]}))).await;
    assert_eq!(status, 200, "{v}");
    assert!(v["posts"][0]["feature_image"].is_null(), "{v}");
    let updated = v["posts"][0]["updated_at"].clone();
    let (status, v) = admin_call(&site, reqwest::Method::PUT, &format!("/ghost/api/admin/posts/{id}/"), &editor, Some(json!({"posts": [{"feature_image_alt": "Nothing", "updated_at": updated}]}))).await;
    assert_eq!((status, v["errors"][0]["property"].as_str()), (422, Some("feature_image_alt")), "{v}");
    // A contributor's key may not rewrite the text of an image someone else uploaded.
    let (_, v) = upload_image(&site, &editor, "editors.jpg", jpeg(600, 400, 90), &[]).await;
    let theirs = v["images"][0]["url"].as_str().unwrap().to_string();
    let (status, v) = admin_call(&site, reqwest::Method::POST, "/ghost/api/admin/posts/", &writer, Some(json!({"posts": [{"title": "Mine", "feature_image": theirs, "feature_image_alt": "Renamed"}]}))).await;
    assert_eq!(status, 403, "{v}");
    let key = theirs.split("/media/").nth(1).unwrap().split('/').next().unwrap();
    assert_eq!(site.store.media_by_key(key).await.unwrap().unwrap().alt, "", "nothing was changed");
    // An image from elsewhere is not copied silently.
    let (status, v) = admin_call(&site, reqwest::Method::POST, "/ghost/api/admin/posts/", &editor, Some(json!({"posts": [{"title": "Elsewhere", "feature_image": "https://img.example/a.jpg"}]}))).await;
    assert_eq!((status, v["errors"][0]["property"].as_str()), (422, Some("feature_image")), "{v}");
    assert!(v["errors"][0]["message"].as_str().unwrap().contains("images/upload"), "the refusal says how to send the image: {v}");
});

// Deep pages of every post, newest first, start from the marks the server keeps in the site's
// listing (every 100 posts) rather than skipping from the first: each page is the same slice
// of the whole list, asked deep first and then shallower, across marks and at the end. Posts
// share publication times, so the order within a second rests on their ids.
both_backends!(the_content_apis_deep_pages_are_the_whole_lists_slices, |site| {
    let key = make_key(&site, "content", "Archive reader", None).await;
    let sec: i64 = site.section_id("news").await.parse().unwrap();
    let author: i64 = site.author_id("eddie-editor").await.parse().unwrap();
    for i in 0..260i64 {
        let (slug, headline) = (format!("post-{i}"), format!("Post {i}"));
        let w = marquee_store::ArticleWrite {
            id: None, section_id: sec, slug: &slug, headline: &headline, deck: "", body: "b", body_html: "<p>b</p>", status: "published",
            publish_at: Some(1_000_000 + i / 3), author_ids: &[author], tags: &[], film_id: None, rating: None, user_id: None, featured: None, unchanged_since: None, slug_proposed: false, lead_media_id: None, now: 1_000_000 + i,
        };
        site.store.save_article(&w).await.unwrap().unwrap();
    }
    let slugs = |v: &Value| -> Vec<String> { v["posts"].as_array().unwrap().iter().map(|p| p["slug"].as_str().unwrap().to_string()).collect() };
    let (_, _, v) = content(&site, &format!("/ghost/api/content/posts/?key={key}&limit=all&fields=slug")).await;
    let all = slugs(&v);
    assert_eq!(all.len(), 260);
    assert_eq!(all[0], "post-259");
    for (limit, page) in [(2, 110), (7, 30), (2, 51), (2, 50), (3, 87), (1, 101), (1, 100), (9, 12), (5, 1)] {
        let (status, _, v) = content(&site, &format!("/ghost/api/content/posts/?key={key}&limit={limit}&page={page}&fields=slug")).await;
        assert_eq!(status, 200);
        let from = ((page - 1) * limit).min(260);
        assert_eq!(slugs(&v), all[from..(from + limit).min(260)], "limit {limit}, page {page}");
        assert_eq!(v["meta"]["pagination"]["total"], 260);
    }
    let (_, _, v) = content(&site, &format!("/ghost/api/content/posts/?key={key}&limit=10&page=27&fields=slug")).await;
    assert!(slugs(&v).is_empty(), "past the end");
    // The total is the site's listing size, kept until content changes: a new post counts,
    // and every deep page moves by one.
    let w = marquee_store::ArticleWrite {
        id: None, section_id: sec, slug: "post-new", headline: "Newest", deck: "", body: "b", body_html: "<p>b</p>", status: "published",
        publish_at: Some(2_000_000), author_ids: &[author], tags: &[], film_id: None, rating: None, user_id: None, featured: None, unchanged_since: None, slug_proposed: false, lead_media_id: None, now: 2_000_000,
    };
    site.store.save_article(&w).await.unwrap().unwrap();
    // Written outside the server, as another server would: it notices within its poll.
    let deep = format!("/ghost/api/content/posts/?key={key}&limit=2&page=110&fields=slug");
    eventually("the new post counted", || async { content(&site, &deep).await.2["meta"]["pagination"]["total"] == 261 }).await;
    assert_eq!(slugs(&content(&site, &deep).await.2), all[217..219], "one newer post moves page 110 back by one");
});

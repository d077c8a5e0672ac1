//! Readers, comments, moderation, thread subscriptions and mail, end to end: real HTTP, a
//! real SMTP exchange with a server on loopback, on SQLite and on PostgreSQL.

mod common;

use common::{csrf_in, get_with, link_in, new_client, nth_mail, register, verified_reader, TestSite, PASSWORD, WAIT};
use marquee_mail::sink::{Received, SmtpSink};
use std::time::Duration;

/// Publishes an article in News as the editor (signing `site.client` in); returns its path.
async fn publish(site: &TestSite, headline: &str, slug: &str) -> String {
    site.login("editor").await;
    let sec = site.section_id("news").await;
    let author = site.author_id("eddie-editor").await;
    let (status, _, text) = site.write(&[("headline", headline), ("slug", slug), ("section", &sec), ("author1", &author), ("body", "The story."), ("action", "publish")]).await;
    assert_eq!(status, 303, "publish failed: {text}");
    format!("/news/{slug}/")
}

fn mails_to(sink: &SmtpSink, email: &str) -> Vec<Received> {
    sink.messages().into_iter().filter(|m| m.rcpt_to.iter().any(|r| r == email)).collect()
}

/// Waits until nothing is left to send in the outbox.
async fn drain(site: &TestSite) {
    let deadline = tokio::time::Instant::now() + WAIT;
    while site.store.outbox_stats().await.unwrap().pending > 0 {
        assert!(tokio::time::Instant::now() < deadline, "the outbox did not drain");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Posts a comment (or a reply) as `client`; returns (status, location, body).
async fn comment(site: &TestSite, client: &reqwest::Client, article: &str, body: &str, parent: Option<&str>) -> (u16, String, String) {
    let (_, html) = get_with(client, &site.url("/account/")).await;
    let csrf = csrf_in(&html);
    let r = client
        .post(site.url(&format!("{article}comments")))
        .form(&[("_csrf", csrf.as_str()), ("body", body), ("parent", parent.unwrap_or("")), ("website", "")])
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    let loc = r.headers().get("location").map(|v| v.to_str().unwrap().to_string()).unwrap_or_default();
    (status, loc, r.text().await.unwrap())
}

fn comment_id(location: &str) -> String {
    location.rsplit("#comment-").next().unwrap().to_string()
}

/// Posts a reader's form from `page` (for its CSRF token) to `action`.
async fn reader_post(site: &TestSite, client: &reqwest::Client, page: &str, action: &str, fields: &[(&str, &str)]) -> (u16, String, String) {
    let (_, html) = get_with(client, &site.url(page)).await;
    let csrf = csrf_in(&html);
    let mut all = vec![("_csrf", csrf.as_str())];
    all.extend_from_slice(fields);
    let r = client.post(site.url(action)).form(&all).send().await.unwrap();
    let status = r.status().as_u16();
    let loc = r.headers().get("location").map(|v| v.to_str().unwrap().to_string()).unwrap_or_default();
    (status, loc, r.text().await.unwrap())
}

/// The newsroom decides on a comment (site.client must be signed in as an editor).
async fn moderate(site: &TestSite, id: &str, action: &str, reason: &str) {
    let (status, loc, body) = site.post_form("/admin/comments/", &format!("/admin/comments/{id}"), &[("action", action), ("reason", reason), ("view", "pending")]).await;
    assert_eq!(status, 303, "{action} failed: {body}");
    assert!(loc.starts_with("/admin/comments/"), "{loc}");
}

async fn comment_settings(site: &TestSite, moderation: &str, banned: &str, suspect: &str) {
    site.login("admin").await;
    let (status, _, body) = site
        .post_form(
            "/admin/comments/settings",
            "/admin/comments/settings",
            &[("moderation", moderation), ("first_n", "2"), ("banned_words", banned), ("suspect_words", suspect), ("deleted_account", "keep"), ("edit_minutes", "15")],
        )
        .await;
    assert_eq!(status, 303, "saving comment settings failed: {body}");
}

with_mail!(a_signed_out_comment_is_sent_to_sign_in_and_back_to_its_article, |site, _sink| {
    let article = publish(&site, "Rust and Bone", "rust-and-bone").await;
    // A reader whose session ended posts the form still open in their browser.
    let client = new_client();
    let (_, html) = get_with(&client, &site.url("/account/register")).await;
    let csrf = csrf_in(&html);
    for action in ["comments", "subscribe"] {
        let r = client.post(site.url(&format!("{article}{action}"))).form(&[("_csrf", csrf.as_str()), ("body", "Worth seeing."), ("website", "")]).send().await.unwrap();
        assert_eq!(r.status().as_u16(), 303, "{action}");
        let location = r.headers().get("location").unwrap().to_str().unwrap().to_string();
        assert_eq!(location, "/account/login?next=/news/rust-and-bone/%23comments", "{action}");
        let (_, page) = get_with(&client, &site.url(&location)).await;
        assert!(page.contains("value=\"/news/rust-and-bone/#comments\""), "the sign-in form returns to the article");
    }
    // A reader whose session cookie the browser has dropped posts the form still on screen:
    // its token was made for that session, and they are sent to sign in all the same.
    let raw = common::raw_client();
    let r = raw.get(site.url("/account/register")).send().await.unwrap();
    let nonce = common::cookie_set(&r, "mq_csrf").unwrap();
    let token = csrf_in(&r.text().await.unwrap());
    let form = [("_csrf", token.as_str()), ("name", "Ines Faro"), ("email", "ines@readers.test"), ("password", PASSWORD), ("website", "")];
    let r = raw.post(site.url("/account/register")).header("cookie", format!("mq_csrf={nonce}")).form(&form).send().await.unwrap();
    let session = common::cookie_set(&r, "mq_reader").expect("registering signs the reader in");
    let page = raw.get(site.url("/account/")).header("cookie", format!("mq_csrf={nonce}; mq_reader={session}")).send().await.unwrap().text().await.unwrap();
    let bound = csrf_in(&page);
    let r = raw.post(site.url(&format!("{article}comments"))).header("cookie", format!("mq_csrf={nonce}")).form(&[("_csrf", bound.as_str()), ("body", "Still here."), ("website", "")]).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 303);
    assert_eq!(r.headers().get("location").unwrap().to_str().unwrap(), "/account/login?next=/news/rust-and-bone/%23comments");
    // That token opens no other form, and nothing was posted.
    let r = raw.post(site.url("/account/name")).header("cookie", format!("mq_csrf={nonce}")).form(&[("_csrf", bound.as_str()), ("name", "Someone Else")]).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 403);
    let comments: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM comments").fetch_one(site.store.pool()).await.unwrap();
    assert_eq!(comments, 0);
});

with_mail!(the_whole_story_from_registration_to_one_click_unsubscribe, |site, sink| {
    let article = publish(&site, "Rust and Bone", "rust-and-bone").await;

    // Anna registers; until she opens the link she can neither comment nor subscribe.
    let (anna, status, page) = register(&site, "Anna Ortiz", "anna@readers.test").await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("Check your email"), "{page}");
    let (status, _, page) = comment(&site, &anna, &article, "First!", None).await;
    assert_eq!(status, 403, "an unverified reader must not comment");
    assert!(page.contains("Confirm your email address"), "{page}");
    assert_eq!(site.store.article_comments(1).await.unwrap().len(), 0);
    let (status, _, _) = reader_post(&site, &anna, "/account/", &format!("{article}subscribe"), &[]).await;
    assert_eq!(status, 403, "an unverified reader must not subscribe");

    // The verification mail arrived over SMTP, multipart, with a working link.
    let verify = nth_mail(&sink, "anna@readers.test", 1).await;
    assert!(verify.subject().contains("Confirm your address"), "{}", verify.subject());
    assert!(verify.to().contains("Anna Ortiz"));
    assert!(verify.html().contains("Confirm my address"));
    let (status, page) = get_with(&anna, &link_in(&verify.text(), "/account/verify?token=")).await;
    assert_eq!(status, 200);
    assert!(page.contains("Address confirmed"));

    // Her first comment waits for an editor (the default: a reader's first 2 are reviewed).
    let (status, loc, _) = comment(&site, &anna, &article, "A film about *bodies* that heal slowly.", None).await;
    assert_eq!(status, 303);
    assert!(loc.contains("posted=pending"), "{loc}");
    let first = comment_id(&loc);
    assert!(!site.read(&article).await.1.contains("bodies"), "a pending comment is invisible to readers");
    assert!(get_with(&anna, &site.url(&article)).await.1.contains("Only you can see this comment"), "its author sees it, marked as waiting");
    moderate(&site, &first, "approve", "").await;
    let (_, page) = site.read(&article).await;
    assert!(page.contains("<em>bodies</em>") && page.contains("Anna Ortiz"), "approved comment on the page");
    assert!(page.contains("1 comment</a>"), "count next to the headline");

    // She subscribes with one click; Ben, verified too, replies.
    let (status, _, _) = reader_post(&site, &anna, &article, &format!("{article}subscribe"), &[]).await;
    assert_eq!(status, 303);
    assert!(get_with(&anna, &site.url("/account/")).await.1.contains("Rust and Bone"), "the account page lists the subscription");
    let ben = verified_reader(&site, &sink, "Ben Okafor", "ben@readers.test").await;
    reader_post(&site, &ben, &article, &format!("{article}subscribe"), &[]).await;
    let (status, loc, _) = comment(&site, &ben, &article, "The whale scene stays with me.", Some(&first)).await;
    assert_eq!(status, 303);
    let reply = comment_id(&loc);
    drain(&site).await;
    assert_eq!(mails_to(&sink, "anna@readers.test").len(), 1, "no notification before the reply is approved");

    // The editor approves it from the queue; Anna is told, Ben (its author) is not.
    site.login("editor").await;
    let (_, queue) = site.get("/admin/comments/").await;
    assert!(queue.contains("The whale scene stays with me.") && queue.contains("Ben Okafor"), "{queue}");
    moderate(&site, &reply, "approve", "").await;
    let note = nth_mail(&sink, "anna@readers.test", 2).await;
    assert!(note.subject().contains("Rust and Bone"), "{}", note.subject());
    assert!(note.text().contains("Ben Okafor") && note.text().contains("The whale scene stays with me."));
    assert!(note.text().contains(&format!("#comment-{reply}")));
    let unsubscribe = note.header("List-Unsubscribe").expect("List-Unsubscribe header");
    assert_eq!(note.header("List-Unsubscribe-Post").as_deref(), Some("List-Unsubscribe=One-Click"));
    moderate(&site, &reply, "approve", "").await; // a double click
    drain(&site).await;
    assert_eq!(mails_to(&sink, "anna@readers.test").len(), 2, "approving twice tells subscribers once");
    assert_eq!(mails_to(&sink, "ben@readers.test").len(), 1, "only Ben's verification: no mail about his own comment");
    let (_, page) = site.read(&article).await;
    assert!(page.contains(&format!("id=\"comment-{reply}\"")), "the reply is on the page");
    assert!(page.find(&format!("id=\"comment-{first}\"")).unwrap() < page.find(&format!("id=\"comment-{reply}\"")).unwrap(), "the reply is threaded under the comment");
    assert!(page.contains("comment-list replies"));

    // One click in the mail program: a POST without cookies. A GET only asks to confirm.
    let url = unsubscribe.trim_start_matches('<').trim_end_matches('>').to_string();
    assert!(url.starts_with(&site.base), "{url}");
    let (status, page) = get_with(&new_client(), &url).await;
    assert_eq!(status, 200);
    assert!(page.contains("<button type=\"submit\">Unsubscribe</button>"), "{page}");
    assert!(get_with(&anna, &site.url("/account/")).await.1.contains("Rust and Bone"), "a GET does not unsubscribe");
    let r = new_client().post(&url).header("content-type", "application/x-www-form-urlencoded").body("List-Unsubscribe=One-Click").send().await.unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert!(r.text().await.unwrap().contains("You are unsubscribed"));
    assert!(!get_with(&anna, &site.url("/account/")).await.1.contains("since"), "the subscription is gone");

    // Ben comments again (now published at once? no: his first 2 are reviewed); approved, no mail to Anna.
    let (_, loc, _) = comment(&site, &ben, &article, "One more thought.", None).await;
    moderate(&site, &comment_id(&loc), "approve", "").await;
    drain(&site).await;
    assert_eq!(mails_to(&sink, "anna@readers.test").len(), 2, "no more mail after unsubscribing");

    // Every decision is in the log with who made it.
    let (_, log) = site.get("/admin/comments/?view=log").await;
    assert_eq!(log.matches("<td>approve</td>").count(), 3, "{log}");
    assert!(log.contains("Eddie Editor"));
});

with_mail!(real_names_only, |site, _sink| {
    for (name, needle) in [("cooldude", "first and last name"), ("@cinephile Smith", "handle"), ("John Smith 2", "number"), ("Jo Smith www.example.com", "web address"), ("Anonymous Reader", "is not a name")] {
        let (_, status, page) = register(&site, name, "someone@readers.test").await;
        assert_eq!(status, 422, "{name} must be refused");
        assert!(page.to_lowercase().contains(needle), "{name}: the message explains ({needle}):\n{page}");
        assert!(page.contains("field-error"), "the message sits next to the field");
    }
    // A name with markup is refused and shown back escaped, never as a tag.
    let (_, status, page) = register(&site, "<script>alert(1)</script> Smith", "x@readers.test").await;
    assert_eq!(status, 422);
    assert!(!page.contains("<script>alert(1)"), "markup echoed raw");
    assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt; Smith"), "the typed name is kept, escaped");
    let (_, status, _) = register(&site, "Zoë Saldaña", "zoe@readers.test").await;
    assert_eq!(status, 200, "a real name with accents is fine");
    // The form explains the policy.
    let (_, page) = site.read("/account/register").await;
    assert!(page.contains("Anonymous and pseudonymous comments will be removed."));
});

with_mail!(scripts_in_comments_do_not_run, |site, sink| {
    comment_settings(&site, "post", "", "").await;
    let article = publish(&site, "Safe page", "safe-page").await;
    let reader = verified_reader(&site, &sink, "Maya Chen", "maya@readers.test").await;
    for evil in ["<script>alert(1)</script>", "**bold** <img src=x onerror=alert(2)> [click](javascript:alert(3)) <a href=\"javascript:alert(4)\">x</a>"] {
        let (status, loc, _) = comment(&site, &reader, &article, evil, None).await;
        assert_eq!(status, 303);
        assert!(loc.contains("posted=yes"), "post-moderation publishes at once: {loc}");
    }
    let (_, page) = site.read(&article).await;
    let body = &page[page.find("What others are saying").unwrap()..];
    assert!(body.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "markup shown as text");
    assert!(body.contains("&lt;img src=x onerror=alert(2)&gt;"), "an inline tag is shown as text");
    for bad in ["<script", "<img", "<a href=\"javascript"] {
        assert!(!body.contains(bad), "{bad} survived:\n{body}");
    }
    assert!(body.contains("<strong>bold</strong>"));
    // Links are allowed but held for review, and carry rel="nofollow ugc".
    let (_, loc, _) = comment(&site, &reader, &article, "See [the trailer](https://example.org/trailer).", None).await;
    assert!(loc.contains("posted=pending"), "a comment with a link waits: {loc}");
    site.login("editor").await;
    moderate(&site, &comment_id(&loc), "approve", "").await;
    assert!(site.read(&article).await.1.contains("<a href=\"https://example.org/trailer\" rel=\"nofollow ugc\">the trailer</a>"));
});

with_mail!(banned_words_refuse_and_suspect_words_wait, |site, sink| {
    comment_settings(&site, "post", "grifter\nsnake oil", "refund").await;
    let article = publish(&site, "Word lists", "word-lists").await;
    let reader = verified_reader(&site, &sink, "Lena Park", "lena@readers.test").await;
    let (status, _, page) = comment(&site, &reader, &article, "The director is a Grifter, plainly.", None).await;
    assert_eq!(status, 422);
    assert!(page.contains("grifter") || page.contains("Grifter"), "the message names the word:\n{page}");
    assert!(page.contains("The director is a Grifter, plainly."), "what was typed is kept");
    let (status, _, _) = comment(&site, &reader, &article, "Pure snake   oil!", None).await;
    assert_eq!(status, 422, "a banned phrase is refused");
    let (_, loc, _) = comment(&site, &reader, &article, "I want a refund.", None).await;
    assert!(loc.contains("posted=pending"), "a suspect word waits: {loc}");
    let (_, loc, _) = comment(&site, &reader, &article, "A classy, refunded? No: a fine film.", None).await;
    assert!(loc.contains("posted=yes"), "whole words only: {loc}");
    site.login("editor").await;
    let (_, queue) = site.get("/admin/comments/").await;
    assert!(queue.contains("suspect word: refund"), "the queue says why it waits");
    assert_eq!(site.store.article_comments(1).await.unwrap().iter().filter(|c| c.status == "approved").count(), 1);
});

with_mail!(pre_moderation_rejection_features_suspension_and_closing, |site, sink| {
    comment_settings(&site, "pre", "", "").await;
    let article = publish(&site, "Pre-moderated", "pre-moderated").await;
    let reader = verified_reader(&site, &sink, "Omar Haddad", "omar@readers.test").await;
    let other = verified_reader(&site, &sink, "Ruth Baker", "ruth@readers.test").await;
    let (_, loc, _) = comment(&site, &reader, &article, "Held until read.", None).await;
    let held = comment_id(&loc);
    for _ in 0..2 {
        // Pre-moderation holds every comment, however many were approved before.
        assert!(!site.read(&article).await.1.contains("Held until read."), "invisible until approved");
    }
    let (_, loc, _) = comment(&site, &other, &article, "Call me FilmFan.", None).await;
    let bad = comment_id(&loc);
    site.login("editor").await;
    moderate(&site, &held, "approve", "").await;
    moderate(&site, &held, "feature", "").await;
    moderate(&site, &bad, "reject", "pseudonymous").await;
    let (_, page) = site.read(&article).await;
    assert!(page.contains("Held until read.") && page.contains("Editor’s pick"));
    assert!(!page.contains("Call me FilmFan."), "rejected comments are not shown to readers");
    let (_, own) = get_with(&other, &site.url(&article)).await;
    assert!(own.contains("An editor removed this comment: pseudonymous"), "its author sees the reason");

    // Suspend Ruth for 3 days: she cannot comment; the log records it.
    let ruth = site.store.reader_by_email("ruth@readers.test").await.unwrap().unwrap();
    let (status, _, _) = site.post_form("/admin/comments/?view=log", &format!("/admin/readers/{}", ruth.id), &[("action", "suspend"), ("days", "3")]).await;
    assert_eq!(status, 303);
    let (status, _, page) = comment(&site, &other, &article, "Let me back in.", None).await;
    assert_eq!(status, 403);
    assert!(page.contains("suspended"), "{page}");
    // A ban is not undone by a later suspension; only "lift" ends it.
    site.post_form("/admin/comments/", &format!("/admin/readers/{}", ruth.id), &[("action", "ban")]).await;
    site.post_form("/admin/comments/", &format!("/admin/readers/{}", ruth.id), &[("action", "suspend"), ("days", "1")]).await;
    assert_eq!(site.store.reader_by_id(ruth.id).await.unwrap().unwrap().banned, 1);
    assert_eq!(get_with(&other, &site.url("/account/")).await.0, 303, "a banned reader is signed out");
    let (_, log) = site.get("/admin/comments/?view=log").await;
    for action in ["approve", "feature", "reject", "suspend", "ban"] {
        assert!(log.contains(&format!("<td>{action}</td>")), "log lacks {action}");
    }
    assert!(log.contains("pseudonymous"));

    // Closing the article's comments refuses new ones and says so.
    let article_id = site.store.live_article("news", "pre-moderated", i64::MAX / 2).await.unwrap().unwrap().card.id;
    let (status, _, _) = site.post_form("/admin/comments/", &format!("/admin/articles/{article_id}/comments"), &[("open", "0")]).await;
    assert_eq!(status, 303);
    assert!(site.read(&article).await.1.contains("Comments on this article are closed."));
    let (status, _, page) = comment(&site, &reader, &article, "Too late?", None).await;
    assert_eq!(status, 403);
    assert!(page.contains("closed"));
    // Contributors do not moderate.
    site.login("writer").await;
    let (status, _) = site.get("/admin/comments/").await;
    assert_eq!(status, 403);
});

with_mail!(unsubscribe_tokens_are_bound_to_the_address, |site, sink| {
    comment_settings(&site, "post", "", "").await;
    let article = publish(&site, "Bound tokens", "bound-tokens").await;
    let anna = verified_reader(&site, &sink, "Anna Ortiz", "anna@readers.test").await;
    let ben = verified_reader(&site, &sink, "Ben Okafor", "ben@readers.test").await;
    reader_post(&site, &anna, &article, &format!("{article}subscribe"), &[]).await;
    let anna_id = site.store.reader_by_email("anna@readers.test").await.unwrap().unwrap().id;
    let sub = site.store.reader_subscriptions(anna_id).await.unwrap()[0].id;
    let secret = site.store.mail_secret("unused").await.unwrap();
    let far = marquee_domain::time::now_unix() + 86400;
    // A genuine signature, but for another address than the subscription's: refused.
    let forged = marquee_domain::comment::sign_token(secret.as_bytes(), "unsubscribe", &[&sub.to_string(), "ben@readers.test"], far);
    let r = new_client().post(site.url(&format!("/unsubscribe?token={forged}"))).body("List-Unsubscribe=One-Click").send().await.unwrap();
    assert_eq!(r.status().as_u16(), 403);
    // A token signed with another key, or edited, or expired: refused.
    let other_key = marquee_domain::comment::sign_token(b"another site's key", "unsubscribe", &[&sub.to_string(), "anna@readers.test"], far);
    let expired = marquee_domain::comment::sign_token(secret.as_bytes(), "unsubscribe", &[&sub.to_string(), "anna@readers.test"], 1000);
    for (token, status) in [(other_key.as_str(), 403), (expired.as_str(), 410), ("not-a-token", 403)] {
        let r = new_client().post(site.url(&format!("/unsubscribe?token={token}"))).send().await.unwrap();
        assert_eq!(r.status().as_u16(), status, "{token}");
    }
    assert_eq!(site.store.reader_subscriptions(anna_id).await.unwrap().len(), 1, "Anna is still subscribed");
    // Ben's comment notifies Anna; her own link works.
    let (_, _, _) = comment(&site, &ben, &article, "Hello Anna.", None).await;
    let note = nth_mail(&sink, "anna@readers.test", 2).await;
    let url = link_in(&note.text(), "/unsubscribe?token=");
    let r = new_client().post(&url).body("List-Unsubscribe=One-Click").send().await.unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert!(site.store.reader_subscriptions(anna_id).await.unwrap().is_empty());
    // Used twice, it still answers kindly.
    assert_eq!(new_client().post(&url).send().await.unwrap().status().as_u16(), 200);
});

with_mail!(rate_limits_answer_429, |site, sink| {
    comment_settings(&site, "post", "", "").await;
    let article = publish(&site, "Busy thread", "busy-thread").await;
    let reader = verified_reader(&site, &sink, "Nadia Rahman", "nadia@readers.test").await;
    let limit = marquee_web::RateLimits::default().comments_per_account;
    for i in 0..limit {
        let (status, _, _) = comment(&site, &reader, &article, &format!("Comment number {}.", i + 1), None).await;
        assert_eq!(status, 303);
    }
    let (status, _, page) = comment(&site, &reader, &article, "One too many.", None).await;
    assert_eq!(status, 429);
    assert!(page.contains("Too many comments") && page.contains("Wait"), "{page}");
    assert!(page.contains(">One too many.</textarea>"), "the refused comment comes back in the form");
    assert!(!site.read(&article).await.1.contains("One too many."));
    // Registrations per address are limited too (one was used above).
    let per_ip = marquee_web::RateLimits::default().registrations_per_ip;
    let mut last = 0;
    for i in 0..per_ip {
        last = register(&site, "Sam Lee", &format!("sam{i}@readers.test")).await.1;
    }
    assert_eq!(last, 429, "registration is rate-limited per address");
    // The password-reset mail too, per account.
    let mut statuses = Vec::new();
    for _ in 0..4 {
        statuses.push(reader_post(&site, &new_client(), "/account/forgot", "/account/forgot", &[("email", "nadia@readers.test"), ("website", "")]).await.0);
    }
    assert_eq!(statuses, vec![200, 200, 200, 429]);
});

with_mail!(honeypot_catches_bots, |site, sink| {
    let client = new_client();
    let (_, html) = get_with(&client, &site.url("/account/register")).await;
    assert!(html.contains("name=\"website\""), "the form has the hidden field");
    let csrf = csrf_in(&html);
    let r = client
        .post(site.url("/account/register"))
        .form(&[("_csrf", csrf.as_str()), ("name", "Bot McBotface"), ("email", "bot@spam.test"), ("password", PASSWORD), ("website", "http://spam.test")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 422);
    assert!(r.text().await.unwrap().contains("looked automated"));
    assert!(site.store.reader_by_email("bot@spam.test").await.unwrap().is_none(), "nothing stored");
    drain(&site).await;
    assert!(sink.messages().is_empty(), "no mail sent");
});

with_mail!(mail_is_retried_and_never_sent_twice, |site, sink| {
    // The SMTP server says "try later" once: the message stays queued with the error.
    sink.fail_next(1);
    let (_, status, _) = register(&site, "Iris Novak", "iris@readers.test").await;
    assert_eq!(status, 200);
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let stats = site.store.outbox_stats().await.unwrap();
        if !stats.last_error.is_empty() {
            assert_eq!(stats.pending, 1, "kept for a retry");
            assert!(stats.last_error.contains("451") || stats.last_error.to_lowercase().contains("try again"), "{}", stats.last_error);
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "the failure was not recorded");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(sink.messages().is_empty());
    // When the backoff has passed, it goes out once.
    sqlx::query("UPDATE outbox SET next_attempt_at = 0 WHERE status = 'pending'").execute(site.store.pool()).await.unwrap();
    site.state.wake_mail();
    let m = nth_mail(&sink, "iris@readers.test", 1).await;
    drain(&site).await;
    assert_eq!(mails_to(&sink, "iris@readers.test").len(), 1);
    assert!(m.header("Message-ID").unwrap().contains("outbox-"));
    // Two workers racing for the same due row: only one wins it.
    let mail = marquee_store::NewMail { reader_id: None, kind: "test", to_email: "race@readers.test".into(), to_name: "Race Test".into(), subject: "s".into(), text: "t".into(), html: "<p>t</p>".into(), list_unsubscribe: None };
    // Keep the live worker out of the way: the row is due only in the future for it.
    let now = marquee_domain::time::now_unix();
    let id = site.store.enqueue_mail(&mail, now, now + 3600).await.unwrap();
    let later = marquee_domain::time::now_unix() + 7200;
    let (a, b) = tokio::join!(site.store.claim_mail(later, 60, 10), site.store.claim_mail(later, 60, 10));
    let (a_rows, b_rows) = (a.unwrap(), b.unwrap());
    let won = a_rows.iter().chain(b_rows.iter()).filter(|r| r.id == id).count();
    assert_eq!(won, 1, "claimed by exactly one worker");
    // A worker that died mid-send leaves its lease to run out; then the row is taken again.
    assert!(site.store.claim_mail(later + 30, 60, 10).await.unwrap().is_empty(), "still leased");
    let first = a_rows.into_iter().chain(b_rows).find(|r| r.id == id).unwrap();
    let second = site.store.claim_mail(later + 61, 60, 10).await.unwrap();
    assert_eq!(second.len(), 1, "taken again after the lease");
    // The first worker comes back late: its outcome no longer counts.
    site.store.mark_mail_failed(&first, later + 62, "timed out", false).await.unwrap();
    site.store.mark_mail_sent(&second[0], later + 63).await.unwrap();
    site.store.mark_mail_sent(&first, later + 64).await.unwrap();
    let (status, sent_at): (String, Option<i64>) = sqlx::query_as("SELECT status, sent_at FROM outbox WHERE id = $1").bind(id).fetch_one(site.store.pool()).await.unwrap();
    assert_eq!((status.as_str(), sent_at), ("sent", Some(later + 63)));
});

with_mail!(accounts_change_reset_and_delete, |site, sink| {
    comment_settings(&site, "post", "", "").await;
    let article = publish(&site, "Account changes", "account-changes").await;
    let reader = verified_reader(&site, &sink, "Paula Gomez", "paula@readers.test").await;
    let (_, loc, _) = comment(&site, &reader, &article, "Before the change.", None).await;
    assert!(loc.contains("posted=yes"));

    // Name: the same policy; a good name shows on her comments.
    let (status, _, page) = reader_post(&site, &reader, "/account/", "/account/name", &[("name", "paulag")]).await;
    assert_eq!(status, 422);
    assert!(page.contains("field-error"));
    let (status, _, _) = reader_post(&site, &reader, "/account/", "/account/name", &[("name", "Paula Gómez Ruiz")]).await;
    assert_eq!(status, 303);
    assert!(site.read(&article).await.1.contains("Paula Gómez Ruiz"));

    // Email: changes only when the link sent to the new address is opened.
    let (status, _, page) = reader_post(&site, &reader, "/account/", "/account/email", &[("email", "paula@new.test"), ("password", PASSWORD)]).await;
    assert_eq!(status, 200, "{page}");
    assert!(site.store.reader_by_email("paula@readers.test").await.unwrap().is_some(), "old address kept until confirmed");
    let m = nth_mail(&sink, "paula@new.test", 1).await;
    get_with(&reader, &link_in(&m.text(), "/account/verify?token=")).await;
    assert!(site.store.reader_by_email("paula@new.test").await.unwrap().is_some());
    let told = nth_mail(&sink, "paula@readers.test", 2).await;
    assert!(told.subject().contains("address was changed") && told.text().contains("paula@new.test"), "the old address is told: {}", told.text());

    // A change of address still pending when the password is reset dies with the old password.
    reader_post(&site, &reader, "/account/", "/account/email", &[("email", "intruder@evil.test"), ("password", PASSWORD)]).await;
    let stale = link_in(&nth_mail(&sink, "intruder@evil.test", 1).await.text(), "/account/verify?token=");

    // Forgotten password: the link in the mail sets a new one, once.
    let anon = new_client();
    reader_post(&site, &anon, "/account/forgot", "/account/forgot", &[("email", "paula@new.test"), ("website", "")]).await;
    let m = nth_mail(&sink, "paula@new.test", 2).await;
    let link = link_in(&m.text(), "/account/reset?token=");
    let (status, form) = get_with(&anon, &link).await;
    assert_eq!(status, 200);
    let token = link.split("token=").nth(1).unwrap().to_string();
    let csrf = csrf_in(&form);
    let r = anon.post(site.url("/account/reset")).form(&[("_csrf", csrf.as_str()), ("token", token.as_str()), ("password", "a brand new password")]).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 303);
    // The reset signed the browser in, so the form's token (bound to no session) is spent too.
    let r = anon.post(site.url("/account/reset")).form(&[("_csrf", csrf.as_str()), ("token", token.as_str()), ("password", "and another one!")]).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 403, "a token from before signing in");
    let csrf = csrf_in(&get_with(&anon, &site.url("/account/")).await.1);
    let r = anon.post(site.url("/account/reset")).form(&[("_csrf", csrf.as_str()), ("token", token.as_str()), ("password", "and another one!")]).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 400, "a reset link works once");
    assert_eq!(get_with(&new_client(), &stale).await.0, 400, "the pending change of address was cancelled by the reset");
    assert!(site.store.reader_by_email("intruder@evil.test").await.unwrap().is_none());
    // An unknown address gets the same answer, and no mail.
    let (status, _, page) = reader_post(&site, &new_client(), "/account/forgot", "/account/forgot", &[("email", "nobody@readers.test"), ("website", "")]).await;
    assert_eq!(status, 200);
    assert!(page.contains("If an account uses"));

    // Deleting the account (with the new password) keeps the comment as "deleted account".
    let (status, _, page) = reader_post(&site, &anon, "/account/", "/account/delete", &[("password", "wrong password!")]).await;
    assert_eq!(status, 422, "{page}");
    let (status, _, page) = reader_post(&site, &anon, "/account/", "/account/delete", &[("password", "a brand new password")]).await;
    assert_eq!(status, 200, "{page}");
    assert!(site.store.reader_by_email("paula@new.test").await.unwrap().is_none());
    let (_, page) = site.read(&article).await;
    assert!(page.contains("Before the change.") && page.contains("deleted account"), "kept under the admin setting");
    assert!(!page.contains("Paula"));
});

with_mail!(deleted_accounts_can_take_their_comments, |site, sink| {
    site.login("admin").await;
    site.post_form(
        "/admin/comments/settings",
        "/admin/comments/settings",
        &[("moderation", "post"), ("first_n", "0"), ("banned_words", ""), ("suspect_words", ""), ("deleted_account", "remove"), ("edit_minutes", "15")],
    )
    .await;
    let article = publish(&site, "Removal", "removal").await;
    let reader = verified_reader(&site, &sink, "Tom Weiss", "tom@readers.test").await;
    comment(&site, &reader, &article, "Soon gone.", None).await;
    assert!(site.read(&article).await.1.contains("Soon gone."));
    reader_post(&site, &reader, "/account/", "/account/delete", &[("password", PASSWORD)]).await;
    assert!(!site.read(&article).await.1.contains("Soon gone."));
});

with_mail!(replies_order_pages_edits_and_reports, |site, sink| {
    comment_settings(&site, "post", "", "").await;
    let article = publish(&site, "Threads", "threads").await;
    let a = verified_reader(&site, &sink, "Alma Reyes", "alma@readers.test").await;
    let b = verified_reader(&site, &sink, "Bruno Silva", "bruno@readers.test").await;
    let (_, loc, _) = comment(&site, &a, &article, "Top one.", None).await;
    let mut parent = comment_id(&loc);
    // Replies nest three deep; a reply to the deepest joins its parent's level.
    let mut ids = vec![parent.clone()];
    for depth in 1..=4 {
        let (_, loc, _) = comment(&site, &b, &article, &format!("Reply at {depth}."), Some(&parent)).await;
        parent = comment_id(&loc);
        ids.push(parent.clone());
    }
    let depths: Vec<i64> = site.store.article_comments(1).await.unwrap().iter().map(|c| c.depth).collect();
    assert_eq!(depths, vec![0, 1, 2, 3, 3]);
    let (_, loc, _) = comment(&site, &a, &article, "Second top.", None).await;
    let second = comment_id(&loc);
    let (_, page) = site.read(&article).await;
    assert!(page.find("Top one.").unwrap() < page.find("Second top.").unwrap(), "oldest first by default");
    let (_, page) = site.read(&format!("{article}?corder=newest")).await;
    assert!(page.find("Second top.").unwrap() < page.find("Top one.").unwrap(), "newest first on request");
    assert!(page.contains("6 comments</a>"));

    // The author edits within the window; others cannot.
    let (status, _, _) = reader_post(&site, &a, &format!("/comments/{second}/edit"), &format!("/comments/{second}/edit"), &[("body", "Second top, edited.")]).await;
    assert_eq!(status, 303);
    let (_, page) = site.read(&article).await;
    assert!(page.contains("Second top, edited.") && page.contains("edited"));
    let (status, _) = get_with(&b, &site.url(&format!("/comments/{second}/edit"))).await;
    assert_eq!(status, 404, "not Bruno's comment");

    // Bruno reports it with a reason; it shows in the reported queue; dismissing clears it.
    let (status, _, page) = reader_post(&site, &b, &format!("/comments/{second}/report"), &format!("/comments/{second}/report"), &[("reason", "pseudonymous"), ("detail", "Looks made up.")]).await;
    assert_eq!(status, 200, "{page}");
    site.login("editor").await;
    let (_, queue) = site.get("/admin/comments/?view=reported").await;
    assert!(queue.contains("Not a real name") && queue.contains("Looks made up."), "{queue}");
    let (status, _, _) = site.post_form("/admin/comments/?view=reported", &format!("/admin/comments/{second}"), &[("action", "dismiss"), ("view", "reported")]).await;
    assert_eq!(status, 303);
    assert!(!site.get("/admin/comments/?view=reported").await.1.contains("Looks made up."));
    // Reported again after that, it is back in the queue.
    let (_, _, page) = reader_post(&site, &b, &format!("/comments/{second}/report"), &format!("/comments/{second}/report"), &[("reason", "abusive"), ("detail", "Worse now.")]).await;
    assert!(page.contains("Thank you for the report"), "{page}");
    assert!(site.get("/admin/comments/?view=reported").await.1.contains("Worse now."));
    let (_, _, page) = reader_post(&site, &b, &format!("/comments/{second}/report"), &format!("/comments/{second}/report"), &[("reason", "abusive")]).await;
    assert!(page.contains("already"), "a second open report is not stored twice: {page}");

    // Rejecting a comment with replies keeps the replies, under a placeholder.
    moderate(&site, &ids[1], "reject", "off topic").await;
    let (_, page) = site.read(&article).await;
    assert!(page.contains("This comment was removed by an editor.") && !page.contains("Reply at 1.") && page.contains("Reply at 2."), "replies stay visible");

    // Deleting a comment with replies leaves a placeholder; the replies stay.
    reader_post(&site, &a, &article, &format!("/comments/{}/delete", ids[0]), &[]).await;
    let (_, page) = site.read(&article).await;
    assert!(page.contains("This comment was deleted.") && page.contains("Reply at 2.") && !page.contains("Top one."));

    // With no edit window left, editing is refused.
    site.login("admin").await;
    site.post_form(
        "/admin/comments/settings",
        "/admin/comments/settings",
        &[("moderation", "post"), ("first_n", "2"), ("banned_words", ""), ("suspect_words", ""), ("deleted_account", "keep"), ("edit_minutes", "0")],
    )
    .await;
    let (status, _) = get_with(&a, &site.url(&format!("/comments/{second}/edit"))).await;
    assert_eq!(status, 403);
});

with_mail!(daily_digest_gathers_a_day_of_comments, |site, sink| {
    comment_settings(&site, "post", "", "").await;
    let article = publish(&site, "Digest", "digest").await;
    let anna = verified_reader(&site, &sink, "Anna Ortiz", "anna@readers.test").await;
    let ben = verified_reader(&site, &sink, "Ben Okafor", "ben@readers.test").await;
    reader_post(&site, &anna, &article, &format!("{article}subscribe"), &[]).await;
    let (status, _, _) = reader_post(&site, &anna, "/account/", "/account/digest", &[("digest", "daily")]).await;
    assert_eq!(status, 303);
    comment(&site, &ben, &article, "Morning thought.", None).await;
    comment(&site, &ben, &article, "Evening thought.", None).await;
    drain(&site).await;
    assert_eq!(mails_to(&sink, "anna@readers.test").len(), 1, "nothing immediate on the daily digest");
    // The digest hour comes: one message with both comments; a second run sends nothing.
    // "Tomorrow" is 08:00 tomorrow in the paper's zone, an hour after the digest hour,
    // whatever time of day the test runs.
    let zone = jiff::tz::TimeZone::get(&site.store.publication().await.unwrap().time_zone).unwrap();
    let today = jiff::Timestamp::from_second(marquee_domain::time::now_unix()).unwrap().to_zoned(zone.clone()).date();
    let tomorrow = today.tomorrow().unwrap().at(8, 0, 0, 0).to_zoned(zone).unwrap().timestamp().as_second();
    assert_eq!(site.state.run_digests(tomorrow).await.unwrap(), 1);
    assert_eq!(site.state.run_digests(tomorrow + 60).await.unwrap(), 0);
    let digest = nth_mail(&sink, "anna@readers.test", 2).await;
    assert!(digest.subject().contains("2 new comments"), "{}", digest.subject());
    assert!(digest.text().contains("Morning thought.") && digest.text().contains("Evening thought."));
    // Its one-click unsubscribe ends every thread the reader follows.
    let url = digest.header("List-Unsubscribe").unwrap().trim_matches(|c| c == '<' || c == '>').to_string();
    let r = new_client().post(&url).body("List-Unsubscribe=One-Click").send().await.unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let anna_id = site.store.reader_by_email("anna@readers.test").await.unwrap().unwrap().id;
    assert!(site.store.reader_subscriptions(anna_id).await.unwrap().is_empty());
});

with_mail!(a_reader_downloads_their_own_data, |site, sink| {
    let article = publish(&site, "Data and the reader", "data-and-the-reader").await;
    let anna = verified_reader(&site, &sink, "Anna Ortiz", "anna@readers.test").await;
    let ben = verified_reader(&site, &sink, "Ben Okafor", "ben@readers.test").await;
    let (status, loc, _) = comment(&site, &anna, &article, "Anna's first <thought> & more.", None).await;
    assert_eq!(status, 303);
    let anna_comment = comment_id(&loc);
    moderate(&site, &anna_comment, "approve", "").await;
    comment(&site, &anna, &article, "A second thought, still waiting.", None).await;
    reader_post(&site, &anna, &article, &format!("{article}subscribe"), &[]).await;
    comment(&site, &ben, &article, "Ben's own remark.", None).await;
    let (status, _, _) = reader_post(&site, &ben, &article, &format!("/comments/{anna_comment}/report"), &[("reason", "off-topic"), ("detail", "")]).await;
    assert!(status == 303 || status == 200, "{status}");

    assert!(get_with(&anna, &site.url("/account/")).await.1.contains("href=\"/account/data.json\""), "the account page offers the download");
    let r = anna.get(site.url("/account/data.json")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.headers()["content-disposition"].to_str().unwrap().starts_with("attachment"));
    assert_eq!(r.headers()["cache-control"], "private, no-store");
    let data: serde_json::Value = r.json().await.unwrap();
    assert_eq!(data["account"]["email"], "anna@readers.test");
    assert_eq!(data["account"]["name"], "Anna Ortiz");
    let comments = data["comments"].as_array().unwrap();
    assert_eq!(comments.len(), 2, "only her own comments: {data}");
    assert_eq!(comments[0]["text"], "Anna's first <thought> & more.");
    assert_eq!(comments[0]["status"], "approved");
    assert_eq!(comments[1]["status"], "pending", "a comment waiting for approval is hers too");
    assert!(comments[0]["article"]["url"].as_str().unwrap().ends_with("/news/data-and-the-reader/"));
    assert_eq!(data["subscriptions"].as_array().unwrap().len(), 1);
    assert_eq!(data["subscriptions"][0]["article"]["headline"], "Data and the reader");
    assert!(data["reports"].as_array().unwrap().is_empty(), "Ben's report is Ben's");
    assert_eq!(comments[0]["sent_from"], "127.0.0.1", "the address a comment came from is the reader's data too");
    assert!(data["moderation"].as_array().unwrap().iter().any(|d| d["action"] == "approve" && d["comment_id"].as_i64() == Some(anna_comment.parse().unwrap())), "{data}");

    let ben_data: serde_json::Value = ben.get(site.url("/account/data.json")).send().await.unwrap().json().await.unwrap();
    assert_eq!(ben_data["comments"].as_array().unwrap().len(), 1);
    assert_eq!(ben_data["comments"][0]["text"], "Ben's own remark.");
    assert_eq!(ben_data["reports"].as_array().unwrap().len(), 1);
    assert!(!ben_data.to_string().contains("anna@readers.test"), "nobody else's address");

    // Signed out, there is nothing to download.
    let r = new_client().get(site.url("/account/data.json")).send().await.unwrap();
    assert_eq!(r.status(), 303);
    assert!(r.headers()["location"].to_str().unwrap().starts_with("/account/login"));
});

/// Registers from a client that sends `X-Forwarded-For: forwarded`; answers the status.
async fn register_via(site: &TestSite, forwarded: &str, email: &str) -> u16 {
    let client = new_client();
    let (_, html) = get_with(&client, &site.url("/account/register")).await;
    let csrf = csrf_in(&html);
    let form = [("_csrf", csrf.as_str()), ("name", "Sam Lee"), ("email", email), ("password", PASSWORD), ("website", "")];
    client.post(site.url("/account/register")).header("x-forwarded-for", forwarded).form(&form).send().await.unwrap().status().as_u16()
}

with_mail!(trusted_proxy_limits_each_reader, |cfg| { cfg.trusted_proxies = marquee_web::proxy::TrustedProxies::parse("127.0.0.1, ::1").unwrap(); }, |site, _sink| {
    // Behind the proxy (the tests' loopback), every reader has their own allowance...
    let per_ip = marquee_web::RateLimits::default().registrations_per_ip;
    for i in 0..per_ip + 2 {
        let status = register_via(&site, &format!("203.0.113.{}", i + 1), &format!("sam{i}@readers.test")).await;
        assert_eq!(status, 200, "registration {} from its own address", i + 1);
    }
    // ...and one reader's is used up, whatever they put in front of the proxy's entry.
    let mut statuses = Vec::new();
    for i in 0..per_ip + 1 {
        statuses.push(register_via(&site, &format!("198.51.100.{i}, 192.0.2.77"), &format!("kim{i}@readers.test")).await);
    }
    assert_eq!(statuses.last(), Some(&429), "{statuses:?}");
    assert!(statuses[..per_ip as usize].iter().all(|s| *s == 200), "{statuses:?}");
});

with_mail!(forwarded_for_ignored_without_a_trusted_proxy, |site, _sink| {
    // No proxy is trusted by default: a made-up X-Forwarded-For does not buy a new allowance.
    let per_ip = marquee_web::RateLimits::default().registrations_per_ip;
    let mut statuses = Vec::new();
    for i in 0..per_ip + 1 {
        statuses.push(register_via(&site, &format!("203.0.113.{}", i + 1), &format!("lee{i}@readers.test")).await);
    }
    assert_eq!(statuses.last(), Some(&429), "{statuses:?}");
});

with_mail!(signed_in_readers_share_one_cached_page_yet_each_sees_only_their_own_parts, |site, sink| {
    let article = publish(&site, "Rust and Bone", "rust-and-bone").await;
    let zoe = verified_reader(&site, &sink, "Zoë O'Hara-Ávila", "zoe@readers.test").await;
    let ben = verified_reader(&site, &sink, "Ben Okafor", "ben@readers.test").await;
    let dee = verified_reader(&site, &sink, "Dee Marsh", "dee@readers.test").await;
    let (cy, status, _) = register(&site, "Cy Young", "cy@readers.test").await;
    assert_eq!(status, 200);
    // An approved thread, so every page carries reply forms with the reader's name and token.
    let (_, loc, _) = comment(&site, &dee, &article, "The frozen lake scene stays with you.", None).await;
    site.login("editor").await;
    moderate(&site, &comment_id(&loc), "approve", "").await;
    let page = |client: &reqwest::Client, path: &str| {
        let (client, url) = (client.clone(), site.url(path));
        async move {
            let r = client.get(url).send().await.unwrap();
            assert_eq!(r.status().as_u16(), 200);
            assert_eq!(r.headers().get("cache-control").map(|v| v.to_str().unwrap().to_string()).as_deref(), Some("private, no-store"), "a signed-in page is never kept by caches");
            r.text().await.unwrap()
        }
    };
    // Zoë's page, the first from the shared copy and the second from the cache, matches the
    // page rendered whole for her (an unknown ZIP code is never cached, and this article has
    // no film whose showtimes it would change), name escaping and all.
    let first = page(&zoe, &article).await;
    let second = page(&zoe, &article).await;
    let whole = page(&zoe, &format!("{article}?zip=00000")).await;
    assert_eq!(first, second);
    assert_eq!(first, whole, "the shared copy with Zoë's parts is the page rendered for her");
    assert!(first.contains("Your reply, as Zoë O&#39;Hara-Ávila"), "{first}");
    assert!(first.contains("Your comment, as Zoë O"));
    // Ben gets the same shared copy with his own name and token, none of Zoë's.
    let bens = page(&ben, &article).await;
    let (zoe_token, ben_token) = (csrf_in(&first), csrf_in(&bens));
    assert_ne!(zoe_token, ben_token);
    assert!(bens.contains("Your comment, as Ben Okafor") && !bens.contains("Zo\u{eb}"), "Ben sees none of Zoë's parts");
    assert!(!bens.contains(&zoe_token) && !first.contains(&ben_token));
    assert_eq!(bens, page(&ben, &format!("{article}?zip=00000")).await);
    // His token from that page is his: his comment posts (and waits, as a new reader's does).
    let r = ben.post(site.url(&format!("{article}comments"))).form(&[("_csrf", ben_token.as_str()), ("body", "Cotillard carries every scene she is in."), ("parent", ""), ("website", "")]).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 303);
    assert!(r.headers().get("location").unwrap().to_str().unwrap().contains("posted=pending"));
    // Now his page shows his waiting comment; nobody else's does.
    assert!(page(&ben, &article).await.contains("Cotillard carries every scene"), "its author sees his waiting comment");
    for other in [&zoe, &dee] {
        let theirs = page(other, &article).await;
        assert!(!theirs.contains("Cotillard carries") && !theirs.contains("Ben Okafor"), "another reader's waiting comment or name leaked");
    }
    assert!(!site.get(&article).await.1.contains("Cotillard carries"));
    // Dee, whose comment is approved, has Delete on it rather than Report; others have Report.
    let dees = page(&dee, &article).await;
    assert!(dees.contains("/delete") && dees.contains("Your comment, as Dee Marsh"), "{dees}");
    assert!(!first.contains("/delete") && first.contains("/report"));
    // Subscribing is per reader: Zoë's page says so, Ben's and Dee's do not.
    let r = zoe.post(site.url(&format!("{article}subscribe"))).form(&[("_csrf", zoe_token.as_str())]).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 303);
    let subscribed = page(&zoe, &article).await;
    assert!(subscribed.contains("Stop emails about this thread"));
    assert_eq!(subscribed, page(&zoe, &format!("{article}?zip=00000")).await);
    for other in [&ben, &dee] {
        let theirs = page(other, &article).await;
        assert!(!theirs.contains("Stop emails about this thread") && theirs.contains(">Subscribe to this thread</button>"));
    }
    // A reader who has not confirmed their address is asked to, on a page of their own.
    let cys = page(&cy, &article).await;
    assert!(cys.contains("Confirm your email address to comment") && !cys.contains("Your comment, as"), "{cys}");
    // After signing out, the page is everyone's again.
    let (_, account) = get_with(&zoe, &site.url("/account/")).await;
    let r = zoe.post(site.url("/account/logout")).form(&[("_csrf", csrf_in(&account).as_str())]).send().await.unwrap();
    assert!(r.status().is_redirection() || r.status().is_success());
    let (_, signed_out) = get_with(&zoe, &site.url(&article)).await;
    assert!(!signed_out.contains("Your comment, as") && signed_out.contains("to comment."));
});

with_mail!(a_readers_change_on_one_server_shows_on_another_within_a_second, |site, sink| {
    let article = publish(&site, "Rust and Bone", "rust-and-bone").await;
    let ana = verified_reader(&site, &sink, "Ana Ruiz", "ana@readers.test").await;
    // A second server as behind a load balancer: on PostgreSQL a server of its own, with its
    // own store and memory; a SQLite file has one server, so there the same one answers.
    let (second_base, _second) = match site.postgres_url() {
        Some(url) => {
            let store = marquee_store::Store::open(&url).await.unwrap();
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            let base = format!("http://{}", listener.local_addr().unwrap());
            let state = marquee_web::AppState::new(store, common::mail_config(&sink)).await.unwrap();
            tokio::spawn(marquee_web::serve(listener, state.clone()));
            let deadline = std::time::Instant::now() + Duration::from_secs(5);
            while !state.listening_for_changes() {
                assert!(std::time::Instant::now() < deadline, "the second server never listened for changes");
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            (base, Some(state))
        }
        None => (site.base.clone(), None),
    };
    let on_second = |client: &reqwest::Client| {
        let (client, url) = (client.clone(), format!("{second_base}{article}"));
        async move { client.get(url).send().await.unwrap().text().await.unwrap() }
    };
    // Ana reads the article on the second server, which now keeps her in memory.
    let page = on_second(&ana).await;
    assert!(page.contains("Your comment, as Ana Ruiz") && page.contains(">Subscribe to this thread</button>"));
    let within_a_second = |what: &'static str, done: fn(&str) -> bool| {
        let ana = ana.clone();
        let on_second = &on_second;
        async move {
            let changed = std::time::Instant::now();
            while !done(&on_second(&ana).await) {
                assert!(changed.elapsed() < Duration::from_secs(1), "the second server still showed the old page {what} after {:?}", changed.elapsed());
                tokio::time::sleep(Duration::from_millis(25)).await;
            }
        }
    };
    // She subscribes through the first server; the second shows it.
    let (status, _, _) = reader_post(&site, &ana, &article, &format!("{article}subscribe"), &[]).await;
    assert_eq!(status, 303);
    within_a_second("after subscribing", |p| p.contains("Stop emails about this thread")).await;
    // Her comment, posted through the first server, waits for an editor: the second shows it to her.
    let (status, _, _) = comment(&site, &ana, &article, "The fight scenes are shot like dances.", None).await;
    assert_eq!(status, 303);
    within_a_second("after commenting", |p| p.contains("shot like dances") && p.contains("Only you can see this comment")).await;
    // An editor bans her through the first server: the second signs her out.
    let id = site.store.reader_by_email("ana@readers.test").await.unwrap().unwrap().id;
    site.login("editor").await;
    let (status, _, _) = site.post_form("/admin/comments/", &format!("/admin/readers/{id}"), &[("action", "ban")]).await;
    assert_eq!(status, 303);
    within_a_second("after the ban", |p| !p.contains("Ana Ruiz") && p.contains("to comment.")).await;
});

with_mail!(a_deleted_articles_subscriptions_do_not_follow_its_id, |site, sink| {
    let first = publish(&site, "Rust and Bone", "rust-and-bone").await;
    let ana = verified_reader(&site, &sink, "Ana Ruiz", "ana@readers.test").await;
    let (status, _, _) = reader_post(&site, &ana, &first, &format!("{first}subscribe"), &[]).await;
    assert_eq!(status, 303);
    assert!(get_with(&ana, &site.url(&first)).await.1.contains("Stop emails about this thread"), "she follows it, and the server keeps that in memory");
    // The article is deleted (through the Admin API) and another published: on SQLite it may
    // get the same id.
    let (id,): (i64,) = sqlx::query_as("SELECT id FROM articles WHERE slug = 'rust-and-bone'").fetch_one(site.store.pool()).await.unwrap();
    let key = common::make_key(&site, "admin", "Cleanup", Some("editor")).await;
    let post = marquee_api::ids::encode(marquee_api::ids::Kind::Post, id);
    let r = new_client().delete(site.url(&format!("/ghost/api/admin/posts/{post}/"))).header("authorization", format!("Bearer {key}")).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 204);
    let second = publish(&site, "Amour", "amour").await;
    let page = get_with(&ana, &site.url(&second)).await.1;
    assert!(page.contains(">Subscribe to this thread</button>") && !page.contains("Stop emails"), "the new article is not hers to stop");
});

with_mail!(a_theme_that_changes_the_readers_name_still_gets_each_reader_their_own_page, |cfg| {
    let dir = std::env::temp_dir().join(format!("marquee-theme-{}-{}", std::process::id(), rand::random::<u32>()));
    std::fs::create_dir_all(dir.join("templates/comments")).unwrap();
    let default = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../web/theme/templates/comments/box.html")).unwrap();
    let changed = default.replace("as {{ box.viewer.name }}", "as {{ box.viewer.name|upper }}");
    assert_ne!(default, changed);
    std::fs::write(dir.join("templates/comments/box.html"), changed).unwrap();
    cfg.theme_dir = Some(dir);
}, |site, sink| {
    let article = publish(&site, "Rust and Bone", "rust-and-bone").await;
    let ana = verified_reader(&site, &sink, "Ana Ruiz", "ana@readers.test").await;
    let ben = verified_reader(&site, &sink, "Ben Okafor", "ben@readers.test").await;
    for (client, name, other) in [(&ana, "ANA RUIZ", "BEN OKAFOR"), (&ben, "BEN OKAFOR", "ANA RUIZ"), (&ana, "ANA RUIZ", "BEN OKAFOR")] {
        let page = get_with(client, &site.url(&article)).await.1;
        assert!(page.contains(&format!("Your comment, as {name}")) && !page.contains(other), "{page}");
        assert!(!page.to_lowercase().contains("mqname") && !page.to_lowercase().contains("mqcsrf"), "no marker reaches a reader");
    }
});

both_backends!(a_readers_standing_on_an_article_reads_the_same_from_memory_and_from_the_database, |site| {
    publish(&site, "Rust and Bone", "rust-and-bone").await;
    publish(&site, "Amour", "amour").await;
    let ids: Vec<(i64,)> = sqlx::query_as("SELECT id FROM articles WHERE slug IN ('rust-and-bone', 'amour') ORDER BY slug DESC").fetch_all(site.store.pool()).await.unwrap();
    let (commented_on, followed) = (ids[0].0, ids[1].0);
    let now = marquee_domain::time::now_unix();
    let store = &site.store;
    let reader = store.create_verified_reader("ana@readers.test", "Ana Ruiz", "unused", now).await.unwrap();
    store.create_reader_session("session-of-ana", reader, now, now + 3600).await.unwrap();
    let no_mail = |_: &marquee_store::Subscriber, _: i64| -> marquee_store::NewMail { unreachable!("nobody else follows it") };
    let c = marquee_store::NewComment { article_id: commented_on, reader_id: reader, parent_id: None, body: "Worth it.", body_html: "<p>Worth it.</p>", status: "pending", hold_reason: "", ip: "", now };
    let comment = store.add_comment(c, &no_mail).await.unwrap().unwrap();
    store.subscribe(reader, followed, now).await.unwrap();
    // The site's store keeps readers in memory (on PostgreSQL once its listener hears); a
    // store of its own on PostgreSQL, with no listener, asks the database every time.
    let mut stores = vec![site.store.clone()];
    if let Some(url) = site.postgres_url() {
        stores.push(marquee_store::Store::connect(&url).await.unwrap());
    }
    let standing = |store: marquee_store::Store, at: i64, article: i64| async move { store.session_reader_on("session-of-ana", at, article).await.unwrap().map(|o| (o.reader.name, o.commented, o.subscribed)) };
    for s in &stores {
        for _ in 0..2 {
            assert_eq!(standing(s.clone(), now, commented_on).await, Some(("Ana Ruiz".to_string(), 1, 0)));
            assert_eq!(standing(s.clone(), now, followed).await, Some(("Ana Ruiz".to_string(), 0, 1)));
        }
        assert_eq!(standing(s.clone(), now + 7200, commented_on).await, None, "an expired session is nobody's");
    }
    assert!(store.delete_own_comment(comment, reader).await.unwrap());
    for s in &stores {
        assert_eq!(standing(s.clone(), now, commented_on).await, Some(("Ana Ruiz".to_string(), 0, 0)), "a deleted comment is no longer hers to see");
    }
    store.delete_reader_session("session-of-ana").await.unwrap();
    for s in &stores {
        assert_eq!(standing(s.clone(), now, followed).await, None, "signed out");
    }
});

//! The site's mail: composing messages from the theme's `mail/` templates, signed unsubscribe
//! links, the outbox worker that hands queued rows to the transport, and the daily digest.
//!
//! Delivery is at least once, never lost: a row is claimed with a lease, sent, then marked
//! sent. Only if the process dies between the server's acceptance and that mark is the row
//! sent again, with the same Message-ID so that mail systems can tell it is a repeat.

use crate::state::AppState;
use marquee_domain::comment::{comment_plain_text, sign_token, verify_token};
use marquee_domain::time::now_unix;
use marquee_mail::Outgoing;
use marquee_store::{ArticlePage, Comment, DigestItem, NewMail, Subscriber};
use serde::Serialize;

/// How long a worker may hold a claimed message before another may try it.
const LEASE_SECS: i64 = 120;
/// Unsubscribe links work for this long.
pub const UNSUBSCRIBE_DAYS: i64 = 90;
/// Local hour at which daily digests go out.
pub const DIGEST_HOUR: i8 = 7;

#[derive(Serialize)]
struct MailCtx<'a, T: Serialize> {
    site_name: &'a str,
    base_url: &'a str,
    to_name: &'a str,
    unsubscribe_url: Option<&'a str>,
    #[serde(flatten)]
    data: T,
}

/// Renders `mail/{name}.txt` and `mail/{name}.html` into a message for `to`.
pub fn compose<T: Serialize>(state: &AppState, name: &str, kind: &'static str, to: (Option<i64>, &str, &str), subject: String, unsubscribe_url: Option<String>, data: T) -> NewMail {
    let site = state.site();
    let base = site.publication.base_url.trim_end_matches('/');
    let ctx = MailCtx { site_name: &site.publication.name, base_url: base, to_name: to.2, unsubscribe_url: unsubscribe_url.as_deref(), data };
    let render = |ext: &str| {
        state.0.templates.render(&format!("mail/{name}.{ext}"), &ctx).unwrap_or_else(|e| {
            tracing::error!("mail template mail/{name}.{ext} failed: {e}");
            String::new()
        })
    };
    NewMail { reader_id: to.0, kind, to_email: to.1.to_string(), to_name: to.2.to_string(), subject, text: render("txt"), html: render("html"), list_unsubscribe: unsubscribe_url }
}

/// A link that ends one subscription without signing in, bound to the subscriber's address.
pub fn unsubscribe_url(state: &AppState, subscription_id: i64, email: &str) -> String {
    let token = sign_token(state.0.secret.as_bytes(), "unsubscribe", &[&subscription_id.to_string(), email], now_unix() + UNSUBSCRIBE_DAYS * 86400);
    format!("{}/unsubscribe?token={token}", state.site().publication.base_url.trim_end_matches('/'))
}

/// A link that ends every subscription of a reader (the digest's one-click unsubscribe).
pub fn unsubscribe_all_url(state: &AppState, reader_id: i64, email: &str) -> String {
    let token = sign_token(state.0.secret.as_bytes(), "unsubscribe-all", &[&reader_id.to_string(), email], now_unix() + UNSUBSCRIBE_DAYS * 86400);
    format!("{}/unsubscribe?token={token}", state.site().publication.base_url.trim_end_matches('/'))
}

/// What an unsubscribe link ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnsubscribeTarget {
    Subscription(i64),
    AllOfReader(i64),
}

/// What an unsubscribe token names and the address it was sent to, if it is genuine and current.
pub fn read_unsubscribe_token(state: &AppState, token: &str) -> Result<(UnsubscribeTarget, String), marquee_domain::comment::TokenError> {
    use marquee_domain::comment::TokenError;
    let secret = state.0.secret.as_bytes();
    let now = now_unix();
    let (fields, all) = match verify_token(secret, "unsubscribe", token, now) {
        Ok(f) => (f, false),
        Err(TokenError::BadSignature) => (verify_token(secret, "unsubscribe-all", token, now)?, true),
        Err(e) => return Err(e),
    };
    match fields.as_slice() {
        [id, email] => {
            let id: i64 = id.parse().map_err(|_| TokenError::Malformed)?;
            Ok((if all { UnsubscribeTarget::AllOfReader(id) } else { UnsubscribeTarget::Subscription(id) }, email.clone()))
        }
        _ => Err(TokenError::Malformed),
    }
}

/// What a notification says about one new comment.
#[derive(Serialize, Clone)]
pub struct CommentNotice {
    pub headline: String,
    pub article_url: String,
    pub comment_url: String,
    pub author: String,
    pub text: String,
}

/// Builds the composer that turns a subscriber into their notification about `notice`.
pub fn notice_composer(state: &AppState, notice: CommentNotice) -> impl Fn(&Subscriber, i64) -> NewMail + Send + Sync {
    let state = state.clone();
    move |s: &Subscriber, comment_id: i64| {
        let unsubscribe = unsubscribe_url(&state, s.subscription_id, &s.email);
        let subject = format!("New comment on “{}”", notice.headline);
        let notice = CommentNotice { comment_url: format!("{}#comment-{comment_id}", notice.article_url), ..notice.clone() };
        compose(&state, "notify", "notify", (Some(s.reader_id), &s.email, &s.name), subject, Some(unsubscribe), &notice)
    }
}

/// The notification subscribers get about a comment by `author` on `page`.
pub fn comment_composer(state: &AppState, page: &ArticlePage, author: &str, body: &str) -> impl Fn(&Subscriber, i64) -> NewMail + Send + Sync {
    let base = state.site().publication.base_url.trim_end_matches('/').to_string();
    let article_url = format!("{base}/{}/{}/", page.card.section_slug, page.card.slug);
    notice_composer(state, CommentNotice { headline: page.card.headline.clone(), comment_url: String::new(), article_url, author: author.to_string(), text: comment_plain_text(body) })
}

/// Used by the newsroom when it approves a comment: the notification subscribers get.
pub fn approval_composer(state: &AppState, page: &ArticlePage, comment: &Comment) -> impl Fn(&Subscriber, i64) -> NewMail + Send + Sync {
    comment_composer(state, page, comment.author_name.as_deref().unwrap_or("A reader"), &comment.body)
}

#[derive(Serialize)]
struct DigestArticle {
    headline: String,
    article_url: String,
    unsubscribe_url: String,
    comments: Vec<CommentNotice>,
}

fn digest_composer(state: &AppState) -> impl Fn(&Subscriber, &[DigestItem]) -> NewMail + Send + Sync {
    let state = state.clone();
    move |s: &Subscriber, items: &[DigestItem]| {
        let base = state.site().publication.base_url.trim_end_matches('/').to_string();
        let mut articles: Vec<DigestArticle> = Vec::new();
        for item in items {
            let article_url = format!("{base}/{}/{}/", item.section_slug, item.article_slug);
            if articles.last().map(|a| &a.article_url) != Some(&article_url) {
                let unsubscribe_url = unsubscribe_url(&state, item.subscription_id.unwrap_or_default(), &s.email);
                articles.push(DigestArticle { headline: item.headline.clone(), article_url: article_url.clone(), unsubscribe_url, comments: Vec::new() });
            }
            let a = articles.last_mut().expect("pushed above");
            a.comments.push(CommentNotice {
                headline: item.headline.clone(),
                comment_url: format!("{article_url}#comment-{}", item.comment_id),
                article_url,
                author: item.author_name.clone().unwrap_or_else(|| "A reader".into()),
                text: comment_plain_text(&item.body),
            });
        }
        let n: usize = articles.iter().map(|a| a.comments.len()).sum();
        let subject = if n == 1 { "1 new comment in threads you follow".to_string() } else { format!("{n} new comments in threads you follow") };
        // One-click unsubscribe in the header ends every thread; the body links each one.
        let all = unsubscribe_all_url(&state, s.reader_id, &s.email);
        #[derive(Serialize)]
        struct Data {
            articles: Vec<DigestArticle>,
            account_url: String,
        }
        compose(&state, "digest", "digest", (Some(s.reader_id), &s.email, &s.name), subject, Some(all), Data { articles, account_url: format!("{base}/account/") })
    }
}

/// The instant of today's digest hour in the paper's zone, if it has passed at `now`.
pub fn digest_boundary(state: &AppState, now: i64) -> Option<i64> {
    let tz = state.site().tz.clone();
    let ts = jiff::Timestamp::from_second(now).ok()?;
    let zoned = ts.to_zoned(tz);
    let at = zoned.date().at(DIGEST_HOUR, 0, 0, 0).to_zoned(zoned.time_zone().clone()).ok()?.timestamp().as_second();
    (at <= now).then_some(at)
}

impl AppState {
    /// Sends every daily digest that is due at `now` (a worker does this every minute);
    /// returns how many were queued.
    pub async fn run_digests(&self, now: i64) -> anyhow::Result<usize> {
        run_digests(self, now).await
    }
}

async fn run_digests(state: &AppState, now: i64) -> anyhow::Result<usize> {
    let Some(boundary) = digest_boundary(state, now) else { return Ok(0) };
    let compose = digest_composer(state);
    let mut sent = 0;
    for reader in state.store().digest_due(boundary).await? {
        if state.store().send_digest(reader, boundary, now, &compose).await? {
            sent += 1;
        }
    }
    if sent > 0 {
        state.0.mail_wake.notify_one();
    }
    Ok(sent)
}

/// Records that a message went out. The mail server has it now, so the mark must not be lost
/// to a database restart (the row would be sent again when its lease ran out): while the
/// database is away the mark is tried again, for up to as long as the lease lasts.
async fn record_sent(store: &marquee_store::Store, row: &marquee_store::OutboxRow) -> Result<(), marquee_store::StoreError> {
    let until = std::time::Instant::now() + std::time::Duration::from_secs(LEASE_SECS as u64 / 2);
    loop {
        match store.mark_mail_sent(row, now_unix()).await {
            Err(e) if e.database_away() && std::time::Instant::now() < until => tokio::time::sleep(std::time::Duration::from_millis(500)).await,
            done => return done,
        }
    }
}

/// Sends what is due in the outbox once; returns how many messages were sent.
pub async fn deliver_due(state: &AppState) -> anyhow::Result<usize> {
    let Some(mailer) = state.0.config.mail.mailer() else { return Ok(0) };
    let store = state.store();
    let host = state.site().publication.base_url.split("://").nth(1).unwrap_or("localhost").split(['/', ':']).next().unwrap_or("localhost").to_string();
    let mut sent = 0;
    loop {
        // One message per claim, so a lease never has to outlast a slow batch.
        let batch = store.claim_mail(now_unix(), LEASE_SECS, 1).await?;
        if batch.is_empty() {
            return Ok(sent);
        }
        for row in batch {
            let out = Outgoing {
                id: row.id,
                to_email: row.to_email.clone(),
                to_name: row.to_name.clone(),
                subject: row.subject.clone(),
                text: row.text_body.clone(),
                html: row.html_body.clone(),
                list_unsubscribe: row.list_unsubscribe.clone(),
                message_id: format!("<outbox-{}.{}@{host}>", row.id, row.created_at),
            };
            match mailer.send(&out).await {
                Ok(marquee_mail::Sent::File(path)) => {
                    println!("Mail to {}: {}", row.to_email, path.display());
                    record_sent(store, &row).await?;
                    sent += 1;
                }
                Ok(_) => {
                    tracing::info!("mail {} ({}) sent to {}", row.id, row.kind, row.to_email);
                    record_sent(store, &row).await?;
                    sent += 1;
                }
                Err(e) => {
                    tracing::warn!("mail {} to {} failed (attempt {}): {}", row.id, row.to_email, row.attempts, e.message);
                    store.mark_mail_failed(&row, now_unix(), &e.message, !e.transient).await?;
                }
            }
        }
    }
}


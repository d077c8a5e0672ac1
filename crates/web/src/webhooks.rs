//! Webhooks: admins register an address for an event in the newsroom; each event is queued in
//! the database in the same transaction as its cause (or by the sweep below, for articles),
//! then POSTed by a worker through the guarded fetcher, signed, with retries.
//!
//! Articles are swept like the ActivityPub sweep does (`network.rs`): every two seconds each
//! server compares live articles with what webhooks were last told, and records the news and
//! queues the deliveries in one conditional transaction, so publishing, editing, a scheduled
//! article's time coming and unpublishing each fire once however many servers run.

use crate::api_views::{self, AdminPost};
use crate::fetch::PostOutcome;
use crate::state::AppState;
use hmac::{Hmac, Mac};
use marquee_domain::time::now_unix;
use marquee_store::{ArticlePage, Comment, PostFilter, PostQuery, PostRow, WebhookDeliveryRow};
use sha2::Sha256;

/// The events a webhook can be registered for, with what each means.
pub const EVENTS: &[(&str, &str)] = &[
    ("post.published", "an article goes live: published now, or a scheduled one whose time came"),
    ("post.published.edited", "a live article is saved again"),
    ("post.unpublished", "a live article is taken off the site"),
    ("post.deleted", "an article is deleted through the Admin API"),
    ("comment.approved", "an editor approves a reader's comment"),
];

/// Only articles published this recently fire `post.published` when first seen, so that an
/// imported archive does not flood webhooks.
const ANNOUNCE_WITHIN_SECS: i64 = 2 * 86_400;
/// Deliveries one worker claims at a time.
pub const WEBHOOK_BATCH: i64 = 32;

pub fn is_event(name: &str) -> bool {
    EVENTS.iter().any(|(e, _)| *e == name)
}

/// A post event's body, as Ghost sends it: `{"post": {"current": ..., "previous": ...}}`.
pub fn post_body(current: Option<&AdminPost>, previous: Option<&AdminPost>) -> String {
    let side = |p: Option<&AdminPost>| p.and_then(|p| serde_json::to_value(p).ok()).unwrap_or_else(|| serde_json::json!({}));
    serde_json::json!({ "post": { "current": side(current), "previous": side(previous) } }).to_string()
}

/// A comment event's body: `{"comment": {"current": ..., "previous": {}}}`, the comment as it
/// is once approved.
pub fn comment_body(state: &AppState, article: &ArticlePage, c: &Comment) -> String {
    let site = state.site();
    let current = serde_json::json!({
        "id": c.id,
        "post_id": crate::api_views::post_id(article.card.id),
        "post_url": format!("{}{}", site.base(), article.card.path()),
        "post_title": article.card.headline,
        "url": format!("{}{}#comment-{}", site.base(), article.card.path(), c.id),
        "parent_id": c.parent_id,
        "author_name": c.author_name,
        "html": c.body_html,
        "status": "approved",
        "created_at": api_views::ghost_time(c.created_at),
    });
    serde_json::json!({ "comment": { "current": current, "previous": {} } }).to_string()
}

/// The signature headers of a delivery made at `at_ms` (Unix milliseconds): Ghost's
/// `X-Ghost-Signature: sha256=<hex>, t=<ms>`, an HMAC-SHA256 with the webhook's secret over
/// the body followed by the timestamp.
pub fn signature(secret: &str, body: &str, at_ms: i64) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes a key of any length");
    mac.update(body.as_bytes());
    mac.update(at_ms.to_string().as_bytes());
    format!("sha256={}, t={at_ms}", hex::encode(mac.finalize().into_bytes()))
}

impl AppState {
    /// A salt that makes this site's post uuids its own.
    pub(crate) fn id_salt(&self) -> String {
        self.0.secret.chars().take(16).collect()
    }

    /// Any article (draft, scheduled or live) with everything a post shows.
    pub(crate) async fn post_row(&self, id: i64) -> anyhow::Result<Option<PostRow>> {
        let filter = PostFilter::Id(vec![id]);
        let q = PostQuery { filter: Some(&filter), order: &[], limit: Some(1), offset: 0, after: None, total: None, now: now_unix(), live_only: false };
        Ok(self.store().content_posts(&q).await?.0.into_iter().next())
    }

    /// Tells webhooks what changed among the articles since the last sweep; answers how many
    /// articles were looked at.
    pub async fn sync_webhooks(&self) -> anyhow::Result<usize> {
        let now = now_unix();
        let backlog = self.store().webhook_backlog(now, 200).await?;
        let site = self.site();
        let salt = self.id_salt();
        let mut queued = false;
        for seen in &backlog {
            let was_live = seen.recorded.is_some_and(|(live, _)| live);
            let event = match (was_live, seen.live) {
                (false, true) if seen.recorded.is_some() || seen.publish_at >= now - ANNOUNCE_WITHIN_SECS => Some("post.published"),
                (true, true) => Some("post.published.edited"),
                (true, false) => Some("post.unpublished"),
                _ => None,
            };
            let body = match event {
                Some(event) => {
                    let row = self.post_row(seen.article_id).await?;
                    let post = row.as_ref().map(|r| api_views::admin_post(&site, r, &salt, now));
                    Some((event, post_body(post.as_ref(), None)))
                }
                None => None,
            };
            if self.store().record_webhook_article(seen, now, body.as_ref().map(|(e, b)| (*e, b.as_str()))).await? && body.is_some() {
                queued = true;
            }
        }
        if queued {
            self.0.webhook_wake.notify_one();
        }
        Ok(backlog.len())
    }
}

/// Delivers one batch of due webhook deliveries; answers how many were claimed.
pub async fn deliver_due(state: &AppState) -> anyhow::Result<usize> {
    let rows = state.store().claim_webhook_deliveries(now_unix(), 60, WEBHOOK_BATCH).await?;
    let claimed = rows.len();
    let sends = rows.into_iter().map(|row| {
        let state = state.clone();
        async move {
            let outcome = send(&state, &row).await;
            let now = now_unix();
            let (status, failure) = match &outcome {
                PostOutcome::Delivered => ("delivered".to_string(), None),
                PostOutcome::Retry(e) => (e.clone(), Some((e.as_str(), false))),
                PostOutcome::GiveUp(e) => (e.clone(), Some((e.as_str(), true))),
            };
            if let Err(e) = state.store().finish_webhook_delivery(&row, now, &status, failure).await {
                tracing::warn!("recording a webhook delivery failed: {e}");
            }
        }
    });
    futures_util::future::join_all(sends).await;
    Ok(claimed)
}

async fn send(state: &AppState, row: &WebhookDeliveryRow) -> PostOutcome {
    let at_ms = jiff::Timestamp::now().as_millisecond();
    let signature = signature(&row.secret, &row.body, at_ms);
    let headers = [
        ("x-ghost-signature", signature.clone()),
        ("x-marquee-signature", signature),
        ("x-marquee-event", row.event.clone()),
        ("x-marquee-delivery", row.id.to_string()),
    ];
    state.0.fetcher.post(&row.target_url, "application/json", row.body.clone().into_bytes(), &headers).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_covers_the_body_and_the_time() {
        let s = signature("secret", "{\"post\":{}}", 1_700_000_000_000);
        assert!(s.starts_with("sha256=") && s.ends_with(", t=1700000000000"));
        assert_eq!(s, signature("secret", "{\"post\":{}}", 1_700_000_000_000), "the same every time");
        assert_ne!(s, signature("secret", "{\"post\":{ }}", 1_700_000_000_000), "another body");
        assert_ne!(s.split(',').next(), signature("secret", "{\"post\":{}}", 1_700_000_000_001).split(',').next(), "another time");
        assert_ne!(s, signature("other", "{\"post\":{}}", 1_700_000_000_000), "another secret");
        assert!(is_event("post.published") && !is_event("post.exploded"));
    }
}

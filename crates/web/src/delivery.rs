//! The paper's side of ActivityPub plumbing: its identity and key pair, signed GETs of other
//! servers' documents, other servers' actors (fetched, checked and kept), and the durable
//! delivery queue, sent one task per destination. Used by the protocol endpoints
//! (`federation.rs`) and by what the paper does among papers (`network.rs`).

use crate::fetch::PostOutcome;
use crate::state::AppState;
use marquee_domain::time::now_unix;
use marquee_federation::{Identity, KeyPair};
use marquee_store::{DeliveryRow, RemoteActor};
use serde_json::Value;
use std::sync::Arc;

/// The paper's user name on the network: `@paper@example.org`.
pub const USERNAME: &str = "paper";


/// How long a fetched actor (and its key) is trusted before it is fetched again.
const ACTOR_TTL_SECS: i64 = 86_400;


impl AppState {
    /// The paper's key pair, made on first use and shared through the database by every server.
    pub(crate) async fn federation_keys(&self) -> anyhow::Result<Arc<KeyPair>> {
        self.0
            .federation_keys
            .get_or_try_init(|| async {
                let store = self.store();
                let private = match store.federation_key().await? {
                    Some((private, _)) => private,
                    None => {
                        // Generating an RSA key takes a while; keep it off the request threads.
                        let keys = tokio::task::spawn_blocking(KeyPair::generate).await??;
                        let now = now_unix();
                        store.keep_federation_key(&keys.private_pem()?, &keys.public_pem, now).await?.0
                    }
                };
                Ok::<_, anyhow::Error>(Arc::new(KeyPair::from_private_pem(&private)?))
            })
            .await
            .cloned()
    }

    pub(crate) fn identity(&self) -> Identity {
        let site = self.site();
        Identity {
            base_url: site.publication.base_url.trim_end_matches('/').to_string(),
            username: USERNAME.to_string(),
            name: site.publication.name.clone(),
            summary: format!("News, reviews and listings from {}.", site.publication.name),
        }
    }

    /// GETs another server's document, signed with the paper's key (servers in "secure mode"
    /// answer only signed fetches).
    pub(crate) async fn signed_get(&self, url: &str) -> Result<Value, String> {
        let keys = self.federation_keys().await.map_err(|e| e.to_string())?;
        let (host, path) = signing_target(url)?;
        let signed = marquee_federation::sign_request(&keys, &self.identity().key_id(), "GET", &host, &path, None, std::time::SystemTime::now()).map_err(|e| e.to_string())?;
        self.0.fetcher.get_json(url, &[("date", signed.date), ("signature", signed.signature)]).await.map_err(|e| e.to_string())
    }
}

impl AppState {
    /// The actor at `url`: from the database while fresh, else fetched, checked and stored.
    pub(crate) async fn actor_at(&self, url: &str, refetch: bool) -> Result<RemoteActor, String> {
        let now = now_unix();
        if !refetch {
            if let Ok(Some(a)) = self.store().remote_actor(url).await {
                if now - a.fetched_at < ACTOR_TTL_SECS {
                    return Ok(a);
                }
            }
        }
        Ok(self.fetch_actor(url).await?.0)
    }

    /// Fetches the actor at `url` (with a signed GET), checks and stores it; answers the
    /// document too.
    pub(crate) async fn fetch_actor(&self, url: &str) -> Result<(RemoteActor, serde_json::Value), String> {
        let now = now_unix();
        let doc = self.signed_get(url).await.map_err(|e| format!("cannot fetch the actor {url}: {e}"))?;
        let info = marquee_federation::read_actor(url, &doc)?;
        let record = marquee_store::ActorRecord {
            url: &info.id,
            inbox: &info.inbox,
            shared_inbox: &info.shared_inbox,
            key_id: &info.key_id,
            public_key_pem: &info.public_key_pem,
            username: &info.username,
            name: &info.name,
        };
        let actor = self.store().save_remote_actor(&record, now).await.map_err(|e| e.to_string())?;
        Ok((actor, doc))
    }
}


/// How many deliveries one worker claims at a time.
pub const DELIVERY_BATCH: i64 = 64;

/// Delivers one batch of due activities; answers how many were claimed.
pub async fn deliver_due(state: &AppState) -> anyhow::Result<usize> {
    let now = now_unix();
    let rows = state.store().claim_deliveries(now, 60, DELIVERY_BATCH).await?;
    let claimed = rows.len();
    if rows.is_empty() {
        return Ok(0);
    }
    let keys = state.federation_keys().await?;
    let key_id = state.identity().key_id();
    // One worker per destination, all destinations at once: a destination gets its
    // activities in the order they were queued (a Create before its Update), and once one
    // of them must wait, the rest wait with it.
    let mut by_inbox: std::collections::BTreeMap<String, Vec<DeliveryRow>> = Default::default();
    for row in rows {
        by_inbox.entry(row.inbox.clone()).or_default().push(row);
    }
    // Each destination is its own task, so signing (RSA) runs on every core.
    let workers = by_inbox.into_values().map(|rows| {
        let (state, keys, key_id) = (state.clone(), keys.clone(), key_id.clone());
        tokio::spawn(async move {
            let mut waiting: Option<String> = None;
            for row in rows {
                let outcome = match &waiting {
                    Some(e) => PostOutcome::Retry(format!("waiting behind an earlier delivery: {e}")),
                    None => match sign_for(&keys, &key_id, &row.inbox, row.activity.as_bytes()) {
                        Ok(headers) => state.0.fetcher.post_activity(&row.inbox, row.activity.clone().into_bytes(), &headers).await,
                        Err(e) => PostOutcome::GiveUp(e),
                    },
                };
                record_outcome(&state, &row, outcome, &mut waiting).await;
            }
        })
    });
    futures_util::future::join_all(workers).await;
    Ok(claimed)
}

async fn record_outcome(state: &AppState, row: &DeliveryRow, outcome: PostOutcome, waiting: &mut Option<String>) {
    use crate::fetch::PostOutcome;
    let now = now_unix();
    let store = state.store();
    // A Follow that cannot be delivered shows on its peer in the newsroom.
    let follow = || -> Option<String> {
        let activity: serde_json::Value = serde_json::from_str(&row.activity).ok()?;
        (activity["type"] == "Follow").then(|| activity["object"].as_str().map(str::to_string)).flatten()
    };
    let r = match outcome {
        PostOutcome::Delivered => store.mark_delivered(row, now).await,
        PostOutcome::Retry(e) => {
            *waiting = Some(e.clone());
            store.mark_delivery_failed(row, now, &e, false).await
        }
        PostOutcome::GiveUp(e) => {
            if let Some(target) = follow() {
                if let Ok(Some(actor)) = store.remote_actor(&target).await {
                    let _ = store.peer_failed(actor.id, &format!("the follow could not be delivered: {e}")).await;
                }
            }
            store.mark_delivery_failed(row, now, &e, true).await
        }
    };
    if let Err(e) = r {
        tracing::warn!("recording a delivery failed: {e}");
    }
}

/// The `host` header value and the path with query that a request to `url` signs.
pub(crate) fn signing_target(url: &str) -> Result<(String, String), String> {
    let url = reqwest::Url::parse(url).map_err(|_| format!("“{url}” is not an address"))?;
    let host = match url.port() {
        Some(p) => format!("{}:{p}", url.host_str().unwrap_or_default()),
        None => url.host_str().unwrap_or_default().to_string(),
    };
    let path = match url.query() {
        Some(q) => format!("{}?{q}", url.path()),
        None => url.path().to_string(),
    };
    Ok((host, path))
}

/// The Date, Digest and Signature headers for POSTing `body` to `inbox`.
fn sign_for(keys: &KeyPair, key_id: &str, inbox: &str, body: &[u8]) -> Result<Vec<(&'static str, String)>, String> {
    let (host, path) = signing_target(inbox)?;
    let signed = marquee_federation::sign_request(keys, key_id, "POST", &host, &path, Some(body), std::time::SystemTime::now()).map_err(|e| e.to_string())?;
    let mut headers = vec![("date", signed.date), ("signature", signed.signature)];
    if let Some(d) = signed.digest {
        headers.push(("digest", d));
    }
    Ok(headers)
}

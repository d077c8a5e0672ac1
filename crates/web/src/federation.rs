//! ActivityPub: the paper as `@paper@host` on the fediverse. WebFinger, the actor with the
//! paper's public key, the signed inbox, the outbox, the followers and trending collections,
//! and the durable delivery queue's worker. What the paper does with other papers (publishing
//! to followers, following peers, the network boxes) is in `network.rs`.

use crate::public::{error_page, internal_error};
use crate::state::AppState;
use axum::extract::{Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use marquee_federation::{KeyPair, ACTIVITY_JSON};
use serde::Deserialize;
use std::sync::Arc;

/// The paper's user name on the network: `@paper@example.org`.
pub const USERNAME: &str = "paper";

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
                        let now = marquee_domain::time::now_unix();
                        store.keep_federation_key(&keys.private_pem()?, &keys.public_pem, now).await?.0
                    }
                };
                Ok::<_, anyhow::Error>(Arc::new(KeyPair::from_private_pem(&private)?))
            })
            .await
            .cloned()
    }
}

fn json(content_type: &'static str, value: serde_json::Value) -> Response {
    ([(header::CONTENT_TYPE, content_type), (header::ACCESS_CONTROL_ALLOW_ORIGIN, "*")], value.to_string()).into_response()
}

#[derive(Deserialize)]
pub struct WebfingerQuery {
    resource: Option<String>,
}

/// `/.well-known/webfinger?resource=acct:paper@host`
pub async fn webfinger(State(state): State<AppState>, Query(q): Query<WebfingerQuery>) -> Response {
    let Some(resource) = q.resource.filter(|r| !r.trim().is_empty()) else {
        return error_page(&state, StatusCode::BAD_REQUEST, "Which account?", "Ask for an account with ?resource=acct:name@host.");
    };
    let me = state.identity();
    if !me.is_resource(resource.trim()) {
        return error_page(&state, StatusCode::NOT_FOUND, "No such account", "This site has one account on the network; its name is given on its actor page.");
    }
    json("application/jrd+json", me.webfinger())
}

/// `/actor`: the paper's ActivityPub actor.
pub async fn actor(State(state): State<AppState>) -> Response {
    let keys = match state.federation_keys().await {
        Ok(k) => k,
        Err(e) => return internal_error(&state, e),
    };
    json(ACTIVITY_JSON, state.identity().actor(&keys.public_pem))
}

/// The largest activity the inbox reads.
pub const MAX_INBOX_BYTES: usize = 256 * 1024;
/// How long a fetched actor (and its key) is trusted before it is fetched again.
const ACTOR_TTL_SECS: i64 = 86_400;

/// `/actor/followers`: how many follow the paper (who they are is not listed).
pub async fn followers(State(state): State<AppState>) -> Response {
    match state.store().follower_count().await {
        Ok(n) => json(ACTIVITY_JSON, state.identity().followers(n)),
        Err(e) => internal_error(&state, e),
    }
}

/// `/actor/outbox`: the paper's newest articles, each as its Create.
pub async fn outbox(State(state): State<AppState>) -> Response {
    match state.outbox_items().await {
        Ok(items) => json(ACTIVITY_JSON, state.identity().outbox(items)),
        Err(e) => internal_error(&state, e),
    }
}

/// `/actor/trending`: the paper's Most Popular ranking, which other papers read for their
/// Trending in the Alternative Press box.
pub async fn trending(State(state): State<AppState>) -> Response {
    match state.trending_objects().await {
        Ok(items) => json(ACTIVITY_JSON, state.identity().trending(items)),
        Err(e) => internal_error(&state, e),
    }
}

/// `/actor/articles/{id}`: one live article as an ActivityPub `Article`; 410 once it is not
/// live (it may have been announced and then withdrawn).
pub async fn article(State(state): State<AppState>, axum::extract::Path(id): axum::extract::Path<String>) -> Response {
    let Ok(id) = id.parse::<i64>() else { return refuse(StatusCode::NOT_FOUND, "No such article.") };
    match state.article_object(id, true).await {
        Ok(Some(object)) => json(ACTIVITY_JSON, object),
        Ok(None) => refuse(StatusCode::GONE, "This article is not published."),
        Err(e) => internal_error(&state, e),
    }
}

fn refuse(status: StatusCode, message: &str) -> Response {
    (status, [(header::CONTENT_TYPE, "text/plain; charset=utf-8")], message.to_string()).into_response()
}

impl AppState {
    /// The actor at `url`: from the database while fresh, else fetched, checked and stored.
    async fn actor_at(&self, url: &str, refetch: bool) -> Result<marquee_store::RemoteActor, String> {
        let now = marquee_domain::time::now_unix();
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
    pub(crate) async fn fetch_actor(&self, url: &str) -> Result<(marquee_store::RemoteActor, serde_json::Value), String> {
        let now = marquee_domain::time::now_unix();
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

/// `/actor/inbox`: activities from other servers. Each must be signed by the key of the actor
/// it names; anything else is refused before it is read.
pub async fn inbox(State(state): State<AppState>, uri: axum::http::Uri, headers: axum::http::HeaderMap, body: axum::body::Bytes) -> Response {
    if body.len() > MAX_INBOX_BYTES {
        return refuse(StatusCode::PAYLOAD_TOO_LARGE, "The activity is larger than this inbox takes.");
    }
    let lowercase: std::collections::BTreeMap<String, String> =
        headers.iter().filter_map(|(k, v)| v.to_str().ok().map(|v| (k.as_str().to_ascii_lowercase(), v.to_string()))).collect();
    let path = uri.path_and_query().map(|p| p.as_str()).unwrap_or("/actor/inbox");
    let incoming = match marquee_federation::Incoming::read("POST", path, &lowercase, Some(&body)) {
        Ok(i) => i,
        Err(e) => return refuse(StatusCode::UNAUTHORIZED, &format!("The request is not properly signed: {e}.")),
    };
    let actor_url = incoming.key_id().split('#').next().unwrap_or_default().to_string();
    let host = marquee_federation::host_of(&actor_url).unwrap_or_default();
    match state.store().is_blocked(&host).await {
        Ok(true) => return refuse(StatusCode::FORBIDDEN, &format!("This paper does not take activities from {host}.")),
        Ok(false) => {}
        Err(e) => return internal_error(&state, e),
    }
    let mut actor = match state.actor_at(&actor_url, false).await {
        Ok(a) => a,
        Err(e) => return refuse(StatusCode::UNAUTHORIZED, &format!("The signing key cannot be checked: {e}.")),
    };
    if actor.key_id != incoming.key_id() || !incoming.verify(&actor.public_key_pem) {
        // The key may have changed since it was stored: fetch it once more, but at most once a
        // minute per actor, so forged requests cannot make this server hammer another.
        if marquee_domain::time::now_unix() - actor.fetched_at < 60 {
            return refuse(StatusCode::UNAUTHORIZED, "The signature does not match the sender's key.");
        }
        actor = match state.actor_at(&actor_url, true).await {
            Ok(a) => a,
            Err(e) => return refuse(StatusCode::UNAUTHORIZED, &format!("The signing key cannot be checked: {e}.")),
        };
        if actor.key_id != incoming.key_id() || !incoming.verify(&actor.public_key_pem) {
            return refuse(StatusCode::UNAUTHORIZED, "The signature does not match the sender's key.");
        }
    }
    let Ok(activity) = serde_json::from_slice::<serde_json::Value>(&body) else {
        return refuse(StatusCode::BAD_REQUEST, "The activity is not JSON.");
    };
    if marquee_federation::actor_of(&activity) != Some(actor.url.as_str()) {
        return refuse(StatusCode::FORBIDDEN, "The activity names another actor than the one who signed it.");
    }
    let me = state.identity();
    let now = marquee_domain::time::now_unix();
    let outcome = match activity["type"].as_str() {
        Some("Follow") if marquee_federation::object_id(&activity) == Some(me.actor_id().as_str()) => {
            let Some(follow_id) = activity["id"].as_str() else { return refuse(StatusCode::BAD_REQUEST, "A Follow needs an id.") };
            let accept = me.accept(&activity).to_string();
            let r = state.store().add_follower(&actor, follow_id, &accept, now).await;
            state.0.delivery_wake.notify_one();
            r.map_err(anyhow::Error::from)
        }
        Some("Undo") if activity["object"]["type"] == "Follow" => state.store().remove_follower(actor.id).await.map(|_| ()).map_err(anyhow::Error::from),
        Some("Accept") => state.peer_accepted(&actor, &activity).await,
        Some("Reject") => state.store().peer_failed(actor.id, "the paper refused our follow").await.map_err(anyhow::Error::from),
        Some("Create") | Some("Update") => match state.article_received(&actor, &activity).await {
            Ok(()) => Ok(()),
            Err(e) => return refuse(StatusCode::UNPROCESSABLE_ENTITY, &format!("The article was not taken: {e}.")),
        },
        Some("Delete") => state.article_deleted(&actor, &activity).await,
        // Other activities are accepted and not acted on.
        _ => Ok(()),
    };
    match outcome {
        Ok(()) => StatusCode::ACCEPTED.into_response(),
        Err(e) => internal_error(&state, e),
    }
}

/// Delivers queued activities, signed with the paper's key; every server runs one worker.
pub fn spawn_delivery_worker(state: &AppState) {
    let state = state.clone();
    tokio::spawn(async move {
        loop {
            match deliver_due(&state).await {
                // A full batch: there may be more due at once.
                Ok(n) if n as i64 == DELIVERY_BATCH => continue,
                Ok(_) => {}
                Err(e) => tracing::warn!("activity delivery failed: {e:#}"),
            }
            let _ = tokio::time::timeout(std::time::Duration::from_secs(1), state.0.delivery_wake.notified()).await;
        }
    });
}

/// How many deliveries one worker claims at a time.
const DELIVERY_BATCH: i64 = 64;

/// Delivers one batch of due activities; answers how many were claimed.
async fn deliver_due(state: &AppState) -> anyhow::Result<usize> {
    let now = marquee_domain::time::now_unix();
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
    let mut by_inbox: std::collections::BTreeMap<String, Vec<marquee_store::DeliveryRow>> = Default::default();
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
                    Some(e) => crate::fetch::PostOutcome::Retry(format!("waiting behind an earlier delivery: {e}")),
                    None => match sign_for(&keys, &key_id, &row.inbox, row.activity.as_bytes()) {
                        Ok(headers) => state.0.fetcher.post_activity(&row.inbox, row.activity.clone().into_bytes(), &headers).await,
                        Err(e) => crate::fetch::PostOutcome::GiveUp(e),
                    },
                };
                record_outcome(&state, &row, outcome, &mut waiting).await;
            }
        })
    });
    futures_util::future::join_all(workers).await;
    Ok(claimed)
}

async fn record_outcome(state: &AppState, row: &marquee_store::DeliveryRow, outcome: crate::fetch::PostOutcome, waiting: &mut Option<String>) {
    use crate::fetch::PostOutcome;
    let now = marquee_domain::time::now_unix();
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

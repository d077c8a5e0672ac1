//! ActivityPub: the paper as `@paper@host` on the fediverse. WebFinger, the actor with the
//! paper's public key, the signed inbox, the outbox, and the followers and trending
//! collections. Keys, signed fetches and the delivery queue are in `delivery.rs`; what the
//! paper does with other papers (publishing to followers, following peers, the network boxes)
//! is in `network.rs`.

use crate::respond::{error_page, Reply};
use crate::state::AppState;
use axum::extract::{Query, State};
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use marquee_federation::ACTIVITY_JSON;
use serde::Deserialize;

fn json(content_type: &'static str, value: serde_json::Value) -> Reply {
    Ok(([(header::CONTENT_TYPE, content_type), (header::ACCESS_CONTROL_ALLOW_ORIGIN, "*")], value.to_string()).into_response())
}

#[derive(Deserialize)]
pub struct WebfingerQuery {
    resource: Option<String>,
}

/// `/.well-known/webfinger?resource=acct:paper@host`
pub async fn webfinger(State(state): State<AppState>, Query(q): Query<WebfingerQuery>) -> Reply {
    let Some(resource) = q.resource.filter(|r| !r.trim().is_empty()) else {
        return Err(error_page(StatusCode::BAD_REQUEST, "Which account?", "Ask for an account with ?resource=acct:name@host."));
    };
    let me = state.identity();
    if !me.is_resource(resource.trim()) {
        return Err(error_page(StatusCode::NOT_FOUND, "No such account", "This site has one account on the network; its name is given on its actor page."));
    }
    json("application/jrd+json", me.webfinger())
}

/// `/actor`: the paper's ActivityPub actor.
pub async fn actor(State(state): State<AppState>) -> Reply {
    let keys = state.federation_keys().await?;
    json(ACTIVITY_JSON, state.identity().actor(&keys.public_pem))
}

/// The largest activity the inbox reads.
pub const MAX_INBOX_BYTES: usize = 256 * 1024;

/// `/actor/followers`: how many follow the paper (who they are is not listed).
pub async fn followers(State(state): State<AppState>) -> Reply {
    let n = state.store().follower_count().await?;
    json(ACTIVITY_JSON, state.identity().followers(n))
}

/// `/actor/outbox`: the paper's newest articles, each as its Create.
pub async fn outbox(State(state): State<AppState>) -> Reply {
    let items = state.outbox_items().await?;
    json(ACTIVITY_JSON, state.identity().outbox(items))
}

/// `/actor/trending`: the paper's Most Popular ranking, which other papers read for their
/// Trending in the Alternative Press box.
pub async fn trending(State(state): State<AppState>) -> Reply {
    let items = state.trending_objects().await?;
    json(ACTIVITY_JSON, state.identity().trending(items))
}

/// `/actor/articles/{id}`: one live article as an ActivityPub `Article`; 410 once it is not
/// live (it may have been announced and then withdrawn).
pub async fn article(State(state): State<AppState>, axum::extract::Path(id): axum::extract::Path<String>) -> Reply {
    let Ok(id) = id.parse::<i64>() else { return refuse(StatusCode::NOT_FOUND, "No such article.") };
    match state.article_object(id, true).await? {
        Some(object) => json(ACTIVITY_JSON, object),
        None => refuse(StatusCode::GONE, "This article is not published."),
    }
}

fn refuse(status: StatusCode, message: &str) -> Reply {
    Ok((status, [(header::CONTENT_TYPE, "text/plain; charset=utf-8")], message.to_string()).into_response())
}

/// `/actor/inbox`: activities from other servers. Each must be signed by the key of the actor
/// it names; anything else is refused before it is read.
pub async fn inbox(State(state): State<AppState>, uri: axum::http::Uri, headers: axum::http::HeaderMap, body: axum::body::Bytes) -> Reply {
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
    if state.store().is_blocked(&host).await? {
        return refuse(StatusCode::FORBIDDEN, &format!("This paper does not take activities from {host}."));
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
    outcome?;
    Ok(StatusCode::ACCEPTED.into_response())
}


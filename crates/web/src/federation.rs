//! ActivityPub: the paper as `@paper@host` on the fediverse. So far WebFinger and the actor
//! document with the paper's public key; following, delivery and the network boxes build on
//! these.

use crate::public::{error_page, internal_error};
use crate::state::AppState;
use axum::extract::{Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use marquee_federation::{Identity, KeyPair, ACTIVITY_JSON};
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

    fn identity(&self) -> Identity {
        let site = self.site();
        Identity {
            base_url: site.publication.base_url.trim_end_matches('/').to_string(),
            username: USERNAME.to_string(),
            name: site.publication.name.clone(),
            summary: format!("News, reviews and listings from {}.", site.publication.name),
        }
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

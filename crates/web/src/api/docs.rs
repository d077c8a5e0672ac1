//! The OpenAPI 3.1 document of the APIs, at `/api/openapi.json`. It is made from the handlers
//! themselves: every API route is registered through `utoipa_axum`'s router together with its
//! `#[utoipa::path]` description (see `lib.rs`), so a route cannot exist without its entry.

use super::ApiSpec;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Marquee APIs",
        description = "Ghost's Content and Admin APIs as Marquee speaks them (articles are posts; sections are primary tags), and Marquee's own API for films, theaters, showtimes, events, venues, special reports and comment moderation. Content API calls take `?key=`; Admin API and Marquee API calls take `Authorization: Ghost <token>` (a token signed with an Admin API key, as Ghost's clients make them) or `Authorization: Bearer <id>:<secret>` (the key itself), or a newsroom session.",
        license(name = "AGPL-3.0-or-later")
    ),
    modifiers(&Security),
    tags(
        (name = "Content API", description = "Read-only, public: live articles, authors, tags, settings."),
        (name = "Admin API", description = "Posts and tags, written with the newsroom's rules."),
        (name = "Marquee API", description = "Films, theaters, showtimes, events, venues, reports, comments.")
    )
)]
pub struct ApiDoc;

struct Security;

impl Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme("ghost_token", SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description("Authorization", "`Ghost <token>`: a JSON Web Token signed (HS256) with an Admin API key's secret, at most five minutes long, audience /admin/."))));
        components.add_security_scheme("bearer_key", SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).description(Some("The Admin API key itself, `{id}:{secret}`.")).build()));
    }
}

/// `GET /api/openapi.json`
pub async fn openapi_json(Extension(spec): Extension<ApiSpec>) -> Response {
    (StatusCode::OK, [(header::CONTENT_TYPE, "application/json; charset=utf-8"), (header::ACCESS_CONTROL_ALLOW_ORIGIN, "*")], spec.json.as_str().to_string()).into_response()
}

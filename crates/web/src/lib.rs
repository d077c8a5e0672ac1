//! Marquee's web layer: routes, handlers, view models, templates, sessions and the page cache.
//! Handlers stay thin: they parse the request, call the newsroom service or the store, build a
//! view struct and render a template. ARCHITECTURE.md gives the layers of this crate's files and
//! what each may import; this file only declares them and wires the router.

mod admin;
mod api;
mod api_guard;
mod api_views;
mod auth;
mod boxes;
mod cache;
mod comments;
mod cookies;
mod csrf;
mod delivery;
mod event_view;
mod events;
mod federation;
mod feeds;
pub mod fetch;
mod forms;
mod gzip;
mod ical;
mod limits;
mod mail;
mod media;
mod network;
mod newsroom;
mod pageviews;
mod paging;
mod parts;
mod personal;
mod popular;
pub mod proxy;
mod public;
mod readers;
mod render;
mod reports;
mod respond;
mod search;
mod showtimes;
mod site;
mod sitemaps;
mod state;
mod structured;
mod trending;
mod views;
mod webhooks;
mod workers;
mod xml;

pub use admin::staff::validate_new_user;
pub use api_guard::{issue_key, KeyKind};
pub use auth::hash_password;
pub use state::{AppState, MailConfig, RateLimits, WebConfig};

use axum::http::{header, HeaderValue};
use axum::routing::{get, post};
use tower_http::set_header::SetResponseHeaderLayer;
use axum::Router;
use std::net::SocketAddr;

/// Scripts, styles and frames only from this site; a script that slipped into a page anyway
/// would not run. Images may come from anywhere a writer links to.
const CSP: &str = "default-src 'self'; img-src 'self' https: data:; script-src 'self'; style-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'";

/// The APIs: every route is registered with its OpenAPI description, so the document at
/// `/api/openapi.json` lists exactly what is served.
fn api_routes() -> (Router<AppState>, api::ApiSpec) {
    use utoipa::OpenApi;
    use utoipa_axum::router::OpenApiRouter;
    use utoipa_axum::routes;
    let content = OpenApiRouter::<AppState>::new()
        .routes(routes!(api::content::posts))
        .routes(routes!(api::content::post))
        .routes(routes!(api::content::post_by_slug))
        .routes(routes!(api::content::pages))
        .routes(routes!(api::content::page))
        .routes(routes!(api::content::page_by_slug))
        .routes(routes!(api::content::authors))
        .routes(routes!(api::content::author))
        .routes(routes!(api::content::author_by_slug))
        .routes(routes!(api::content::tags))
        .routes(routes!(api::content::tag))
        .routes(routes!(api::content::tag_by_slug))
        .routes(routes!(api::content::tiers))
        .routes(routes!(api::content::settings))
        .layer(axum::middleware::from_fn(api::content_cors));
    let admin = OpenApiRouter::<AppState>::new()
        .routes(routes!(api::admin::posts, api::admin::add_post))
        .routes(routes!(api::admin::post, api::admin::edit_post, api::admin::delete_post))
        .routes(routes!(api::admin::post_by_slug))
        .routes(routes!(api::admin::add_tag))
        .routes(routes!(api::admin::edit_tag, api::admin::delete_tag));
    // Images are read up to the newsroom's upload limit, not the API's 1 MiB for JSON.
    let images = OpenApiRouter::<AppState>::new().routes(routes!(api::admin::upload_image)).layer(axum::extract::DefaultBodyLimit::max(csrf::MAX_UPLOAD));
    let (router, doc) = OpenApiRouter::with_openapi(api::docs::ApiDoc::openapi()).merge(content).merge(admin).merge(images).merge(api::v1::routes()).split_for_parts();
    let json = doc.to_pretty_json().expect("the OpenAPI document serializes");
    // API bodies stop being read at the API's own limit, below the site's upload limit.
    let router = router.layer(axum::extract::DefaultBodyLimit::max(api::MAX_BODY));
    (router, api::ApiSpec { json: std::sync::Arc::new(json) })
}

/// The whole site as one router.
pub fn router(state: AppState) -> Router {
    let (api_router, spec) = api_routes();
    let admin = Router::new()
        .route("/admin/", get(admin::articles::dashboard))
        .route("/admin/login", get(admin::login_form).post(admin::login))
        .route("/admin/logout", post(admin::logout))
        .route("/admin/articles/new", get(admin::articles::new_article).post(admin::articles::create_article))
        .route("/admin/articles/{id}", get(admin::articles::edit_article).post(admin::articles::update_article))
        .route("/admin/articles/{id}/preview", get(admin::articles::preview_article))
        .route("/admin/articles/{id}/revisions", get(admin::articles::revisions))
        .route("/admin/articles/{id}/revisions/{n}", get(admin::articles::revision))
        .route("/admin/articles/{id}/revisions/{n}/restore", post(admin::articles::restore_revision))
        .route("/admin/media", get(admin::media::library).post(admin::media::upload))
        .route("/admin/media/{id}", get(admin::media::show).post(admin::media::save))
        .route("/admin/media/{id}/delete", post(admin::media::delete))
        .route("/admin/authors", get(admin::staff::authors))
        .route("/admin/authors/{id}", post(admin::staff::update_author))
        .route("/admin/users", get(admin::staff::users).post(admin::staff::add_user))
        .route("/admin/users/{id}", post(admin::staff::update_user))
        .route("/admin/sections", get(admin::settings::sections).post(admin::settings::add_section))
        .route("/admin/sections/{id}", post(admin::settings::update_section))
        .route("/admin/settings", get(admin::settings::settings).post(admin::settings::save_settings))
        .route("/admin/films", get(admin::films::films))
        .route("/admin/films/new", get(admin::films::new_film).post(admin::films::save_film))
        .route("/admin/films/{id}", get(admin::films::edit_film).post(admin::films::save_film))
        .route("/admin/theaters", get(admin::films::theaters).post(admin::films::save_theater))
        .route("/admin/events", get(admin::events::events))
        .route("/admin/events/new", get(admin::events::new_event).post(admin::events::save_event))
        .route("/admin/events/{id}", get(admin::events::edit_event).post(admin::events::save_event))
        .route("/admin/events/{id}/delete", get(admin::events::confirm_delete).post(admin::events::delete_event))
        .route("/admin/venues", get(admin::events::venues).post(admin::events::save_venue))
        .route("/admin/venues/{id}", get(admin::events::edit_venue).post(admin::events::save_venue))
        .route("/admin/comments/", get(admin::moderation::queue))
        .route("/admin/comments/settings", get(admin::moderation::settings).post(admin::moderation::save_settings))
        .route("/admin/comments/retry-mail", post(admin::moderation::retry_mail))
        .route("/admin/comments/{id}", post(admin::moderation::decide))
        .route("/admin/readers/{id}", post(admin::moderation::restrict))
        .route("/admin/articles/{id}/comments", post(admin::moderation::set_open))
        .route("/admin/reports", get(admin::reports::admin_list).post(admin::reports::create))
        .route("/admin/reports/{id}", get(admin::reports::edit).post(admin::reports::save))
        .route("/admin/reports/{id}/delete", post(admin::reports::delete))
        .route("/admin/reports/{id}/chapters", post(admin::reports::add_chapter))
        .route("/admin/reports/{id}/chapters/{chapter}", post(admin::reports::change_chapter))
        .route("/admin/reports/{id}/items", post(admin::reports::add_item))
        .route("/admin/reports/{id}/items/{item}", post(admin::reports::change_item))
        .route("/admin/network/", get(admin::network::network))
        .route("/admin/network", get(|| async { respond::moved("/admin/network/") }))
        .route("/admin/network/follow", post(admin::network::follow))
        .route("/admin/network/block", post(admin::network::block))
        .route("/admin/network/unblock", post(admin::network::unblock))
        .route("/admin/network/retry", post(admin::network::retry))
        .route("/admin/network/{id}/{action}", post(admin::network::peer_action))
        .route("/admin/integrations/", get(admin::integrations::integrations))
        .route("/admin/integrations", get(|| async { respond::moved("/admin/integrations/") }))
        .route("/admin/integrations/keys", post(admin::integrations::add_key))
        .route("/admin/integrations/keys/{id}/revoke", post(admin::integrations::revoke_key))
        .route("/admin/integrations/webhooks", post(admin::integrations::add_hook))
        .route("/admin/integrations/webhooks/{id}/delete", post(admin::integrations::delete_hook))
        .route("/admin/integrations/webhooks/retry", post(admin::integrations::retry_hooks))
        .route("/admin/api/", get(admin::integrations::reference))
        .route("/admin/api", get(|| async { respond::moved("/admin/api/") }))
        .route("/admin/feeds", get(admin::feeds::feeds))
        .route("/admin/feeds/{kind}", post(admin::feeds::upload_feed));
    Router::new()
        .route("/", get(public::home))
        .route("/healthz", get(public::healthz))
        .route("/static/{*path}", get(public::static_file))
        .route("/media/{key}/{file}", get(public::media_file))
        .route("/credits", get(public::credits))
        .route("/favicon.ico", get(|| async { respond::moved("/static/favicon.svg") }))
        .route("/authors/{slug}/", get(public::author))
        .route("/tags/{slug}/", get(public::tag))
        .route("/films/{slug}/", get(public::film))
        .route("/people/{slug}/", get(public::person))
        .route("/.well-known/webfinger", get(federation::webfinger))
        .route("/actor", get(federation::actor))
        .route("/actor/inbox", post(federation::inbox))
        .route("/actor/followers", get(federation::followers))
        .route("/actor/outbox", get(federation::outbox))
        .route("/actor/trending", get(federation::trending))
        .route("/actor/articles/{id}", get(federation::article))
        .route("/popular/", get(popular::page))
        .route("/reports/", get(reports::index))
        .route("/reports/{slug}/", get(reports::report))
        .route("/search/", get(search::search))
        .route("/theaters/", get(showtimes::theaters))
        .route("/theaters/{slug}/", get(showtimes::theater))
        .route("/showtimes/", get(showtimes::showtimes_near))
        .route("/showtimes/{file}", get(showtimes::ics))
        .route("/events/", get(events::calendar))
        .route("/events/{slug}/", get(events::event))
        .route("/events/{slug}/event.ics", get(events::ics))
        .route("/account/", get(readers::account))
        .route("/account", get(|| async { respond::moved("/account/") }))
        .route("/account/register", get(readers::register_form).post(readers::register))
        .route("/account/verify", get(readers::verify))
        .route("/account/verify/resend", post(readers::resend_verification))
        .route("/account/login", get(readers::login_form).post(readers::login))
        .route("/account/logout", post(readers::logout))
        .route("/account/forgot", get(readers::forgot_form).post(readers::forgot))
        .route("/account/reset", get(readers::reset_form).post(readers::reset))
        .route("/account/name", post(readers::change_name))
        .route("/account/email", post(readers::change_email))
        .route("/account/digest", post(readers::set_digest))
        .route("/account/subscriptions/{id}/end", post(readers::end_subscription))
        .route("/account/delete", post(readers::delete_account))
        .route("/account/data.json", get(readers::data))
        .route("/unsubscribe", get(readers::unsubscribe_confirm).post(readers::unsubscribe))
        .route("/comments/{id}/edit", get(comments::edit_form).post(comments::edit))
        .route("/comments/{id}/delete", post(comments::delete))
        .route("/comments/{id}/report", get(comments::report_form).post(comments::report))
        .route("/{section}/{slug}/comments", post(comments::post_comment))
        .route("/{section}/{slug}/subscribe", post(comments::subscribe))
        .route("/{section}/{slug}/unsubscribe", post(comments::unsubscribe))
        .route("/{section}/", get(public::section))
        .route("/{section}/{slug}/", get(public::article))
        .route("/api/openapi.json", get(api::docs::openapi_json))
        .merge(api_router)
        .merge(admin)
        .merge(feeds::routes())
        .merge(sitemaps::routes())
        .fallback(public::fallback)
        .layer(axum::middleware::from_fn(respond::retry_while_database_away))
        .layer(axum::middleware::from_fn(gzip::gzip_kept))
        .layer(axum::middleware::from_fn_with_state(state.clone(), csrf::protect))
        .layer(SetResponseHeaderLayer::if_not_present(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP)))
        .layer(SetResponseHeaderLayer::if_not_present(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")))
        .layer(SetResponseHeaderLayer::if_not_present(header::REFERRER_POLICY, HeaderValue::from_static("strict-origin-when-cross-origin")))
        .layer(axum::extract::DefaultBodyLimit::max(csrf::MAX_UPLOAD))
        .layer(axum::middleware::from_fn_with_state(state.clone(), respond::themed_errors))
        .layer(axum::middleware::from_fn_with_state(std::sync::Arc::new(state.0.config.trusted_proxies.clone()), proxy::real_client))
        .layer(axum::Extension(spec))
        .with_state(state)
}

/// Serves the site on `listener` until the process is stopped.
pub async fn serve(listener: tokio::net::TcpListener, state: AppState) -> std::io::Result<()> {
    serve_until(listener, state, std::future::pending()).await
}

/// Serves the site on `listener` until `shutdown` completes; then stops taking requests and
/// closes its connections once their requests are answered. The background workers keep
/// running.
pub async fn serve_until(listener: tokio::net::TcpListener, state: AppState, shutdown: impl std::future::Future<Output = ()> + Send + 'static) -> std::io::Result<()> {
    workers::spawn_all(&state);
    let app = router(state);
    axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>()).with_graceful_shutdown(shutdown).await
}

//! Marquee's web layer: routes, handlers, view models, templates, sessions and the page cache.
//! Handlers stay thin: they parse the request, call the newsroom service or the store, build a
//! view struct and render a template.

mod admin;
mod auth;
mod boxes;
mod cache;
mod comments;
mod csrf;
mod events;
mod federation;
mod network;
mod network_desk;
mod feeds;
mod fetch;
mod event_desk;
mod ical;
mod mail;
mod moderation;
mod readers;
mod newsroom;
mod popular;
mod public;
mod render;
mod reports;
mod search;
mod showtimes;
mod sitemaps;
mod state;
mod structured;
mod views;
mod xml;

pub use admin::validate_new_user;
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

/// The whole site as one router.
pub fn router(state: AppState) -> Router {
    let admin = Router::new()
        .route("/admin/", get(admin::dashboard))
        .route("/admin/login", get(admin::login_form).post(admin::login))
        .route("/admin/logout", post(admin::logout))
        .route("/admin/articles/new", get(admin::new_article).post(admin::create_article))
        .route("/admin/articles/{id}", get(admin::edit_article).post(admin::update_article))
        .route("/admin/articles/{id}/preview", get(admin::preview_article))
        .route("/admin/articles/{id}/revisions", get(admin::revisions))
        .route("/admin/articles/{id}/revisions/{n}", get(admin::revision))
        .route("/admin/articles/{id}/revisions/{n}/restore", post(admin::restore_revision))
        .route("/admin/authors", get(admin::authors))
        .route("/admin/authors/{id}", post(admin::update_author))
        .route("/admin/users", get(admin::users).post(admin::add_user))
        .route("/admin/users/{id}", post(admin::update_user))
        .route("/admin/sections", get(admin::sections).post(admin::add_section))
        .route("/admin/sections/{id}", post(admin::update_section))
        .route("/admin/settings", get(admin::settings).post(admin::save_settings))
        .route("/admin/films", get(admin::films))
        .route("/admin/films/new", get(admin::new_film).post(admin::save_film))
        .route("/admin/films/{id}", get(admin::edit_film).post(admin::save_film))
        .route("/admin/theaters", get(admin::theaters).post(admin::save_theater))
        .route("/admin/events", get(event_desk::events))
        .route("/admin/events/new", get(event_desk::new_event).post(event_desk::save_event))
        .route("/admin/events/{id}", get(event_desk::edit_event).post(event_desk::save_event))
        .route("/admin/events/{id}/delete", get(event_desk::confirm_delete).post(event_desk::delete_event))
        .route("/admin/venues", get(event_desk::venues).post(event_desk::save_venue))
        .route("/admin/venues/{id}", get(event_desk::edit_venue).post(event_desk::save_venue))
        .route("/admin/comments/", get(moderation::queue))
        .route("/admin/comments/settings", get(moderation::settings).post(moderation::save_settings))
        .route("/admin/comments/retry-mail", post(moderation::retry_mail))
        .route("/admin/comments/{id}", post(moderation::decide))
        .route("/admin/readers/{id}", post(moderation::restrict))
        .route("/admin/articles/{id}/comments", post(moderation::set_open))
        .route("/admin/reports", get(reports::admin_list).post(reports::create))
        .route("/admin/reports/{id}", get(reports::edit).post(reports::save))
        .route("/admin/reports/{id}/delete", post(reports::delete))
        .route("/admin/reports/{id}/chapters", post(reports::add_chapter))
        .route("/admin/reports/{id}/chapters/{chapter}", post(reports::change_chapter))
        .route("/admin/reports/{id}/items", post(reports::add_item))
        .route("/admin/reports/{id}/items/{item}", post(reports::change_item))
        .route("/admin/network/", get(network_desk::network))
        .route("/admin/network", get(|| async { public::moved("/admin/network/") }))
        .route("/admin/network/follow", post(network_desk::follow))
        .route("/admin/network/block", post(network_desk::block))
        .route("/admin/network/unblock", post(network_desk::unblock))
        .route("/admin/network/retry", post(network_desk::retry))
        .route("/admin/network/{id}/{action}", post(network_desk::peer_action))
        .route("/admin/feeds", get(admin::feeds))
        .route("/admin/feeds/{kind}", post(admin::upload_feed));
    Router::new()
        .route("/", get(public::home))
        .route("/healthz", get(public::healthz))
        .route("/static/{*path}", get(public::static_file))
        .route("/credits", get(public::credits))
        .route("/favicon.ico", get(|| async { public::moved("/static/favicon.svg") }))
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
        .route("/account", get(|| async { public::moved("/account/") }))
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
        .route("/unsubscribe", get(readers::unsubscribe_confirm).post(readers::unsubscribe))
        .route("/comments/{id}/edit", get(comments::edit_form).post(comments::edit))
        .route("/comments/{id}/delete", post(comments::delete))
        .route("/comments/{id}/report", get(comments::report_form).post(comments::report))
        .route("/{section}/{slug}/comments", post(comments::post_comment))
        .route("/{section}/{slug}/subscribe", post(comments::subscribe))
        .route("/{section}/{slug}/unsubscribe", post(comments::unsubscribe))
        .route("/{section}/", get(public::section))
        .route("/{section}/{slug}/", get(public::article))
        .merge(admin)
        .merge(feeds::routes())
        .merge(sitemaps::routes())
        .fallback(public::fallback)
        .layer(axum::middleware::from_fn_with_state(state.clone(), csrf::protect))
        .layer(SetResponseHeaderLayer::if_not_present(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP)))
        .layer(SetResponseHeaderLayer::if_not_present(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")))
        .layer(SetResponseHeaderLayer::if_not_present(header::REFERRER_POLICY, HeaderValue::from_static("strict-origin-when-cross-origin")))
        .layer(axum::extract::DefaultBodyLimit::max(csrf::MAX_UPLOAD))
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
    state.spawn_background();
    mail::spawn_worker(&state);
    federation::spawn_delivery_worker(&state);
    network::spawn_network_worker(&state);
    let app = router(state);
    axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>()).with_graceful_shutdown(shutdown).await
}

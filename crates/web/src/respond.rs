//! How handlers answer: [`AppError`], the one error type every handler and page part returns
//! with `?`, the error pages (rendered in the theme by [`themed_errors`], so that building
//! one needs no state), the page cache around rendered pages, private pages, and redirects.
//! Imports only the state and the foundation below it; no handler module.

use crate::cache::{CachedPage, Turn};
use crate::state::AppState;
use crate::views::Layout;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Redirect, Response};
use marquee_domain::time::now_unix;
use serde::Serialize;
use std::borrow::Cow;
use std::future::Future;
use std::panic::Location;

/// What a handler answers.
pub type Reply = Result<Response, AppError>;

/// The outcome of rendering a public page: HTML with its status, or why there is none.
pub type Rendered = Result<(StatusCode, String), AppError>;

/// Why a handler could not answer with what was asked for.
pub enum AppError {
    /// Something failed that the reader cannot fix (the database, a template): logged with
    /// where it happened, and answered with a 500 page that says nothing of the cause.
    Internal(anyhow::Error, &'static Location<'static>),
    /// An error page: 404, 400 with the reason, 403, 429 ...
    Page(ErrorPage),
    /// A finished answer instead of the page (a redirect to where the page lives now).
    Response(Response),
}

/// An error page's words; [`themed_errors`] puts them into the theme's `error.html`.
#[derive(Clone, Debug)]
pub struct ErrorPage {
    pub status: StatusCode,
    pub title: Cow<'static, str>,
    pub message: Cow<'static, str>,
}

impl<E: Into<anyhow::Error>> From<E> for AppError {
    #[track_caller]
    fn from(e: E) -> AppError {
        AppError::Internal(e.into(), Location::caller())
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        match self {
            AppError::Internal(e, at) if database_away(&e) => {
                tracing::warn!("the database is away: {e:#} (at {at})");
                let mut resp = ErrorPage {
                    status: StatusCode::SERVICE_UNAVAILABLE,
                    title: "Back in a moment".into(),
                    message: "The paper's database did not answer. Please try again in a few seconds; if you were saving something, look first whether it was saved.".into(),
                }
                .into_response();
                resp.headers_mut().insert(header::RETRY_AFTER, header::HeaderValue::from_static("2"));
                resp.extensions_mut().insert(DatabaseAway);
                resp
            }
            AppError::Internal(e, at) => {
                tracing::error!("{e:#} (at {at})");
                ErrorPage { status: StatusCode::INTERNAL_SERVER_ERROR, title: "Something went wrong".into(), message: "The server could not show this page. Please try again in a moment.".into() }.into_response()
            }
            AppError::Page(page) => page.into_response(),
            AppError::Response(r) => r,
        }
    }
}

impl IntoResponse for ErrorPage {
    /// A plain page carrying its words, which [`themed_errors`] replaces with the theme's.
    fn into_response(self) -> Response {
        let body = format!("<!doctype html><title>{}</title><p>{}</p>", self.status, self.status);
        let mut resp = (self.status, Html(body)).into_response();
        resp.extensions_mut().insert(self);
        resp
    }
}

/// Marks an answer made because the database was away (see [`database_away`]).
#[derive(Clone, Copy, Debug)]
pub struct DatabaseAway;

/// Whether an error came from the database being out of reach (PostgreSQL restarting, say)
/// rather than from the request: answered 503 with `Retry-After`, and asked again by
/// [`retry_while_database_away`] when reading it twice changes nothing.
pub fn database_away(e: &anyhow::Error) -> bool {
    e.chain().any(marquee_store::database_away)
}

/// How long a reading request waits for the database to come back before its reader sees 503.
const DATABASE_AWAY_PATIENCE: std::time::Duration = std::time::Duration::from_secs(10);

/// The innermost layer: a GET or HEAD answered while the database was away is asked again
/// every 250 ms, for up to 10 s, so a reader does not see a database restart. Other methods
/// are answered at once (503): the reader sends the form again. (A write that committed and
/// then lost the database on a later statement is answered 503 too, so the message does not
/// promise that nothing was saved.)
pub async fn retry_while_database_away(req: Request, next: Next) -> Response {
    if !matches!(*req.method(), axum::http::Method::GET | axum::http::Method::HEAD) {
        return next.run(req).await;
    }
    let (parts, _) = req.into_parts();
    let until = std::time::Instant::now() + DATABASE_AWAY_PATIENCE;
    loop {
        let resp = next.clone().run(Request::from_parts(parts.clone(), axum::body::Body::empty())).await;
        if resp.extensions().get::<DatabaseAway>().is_none() || std::time::Instant::now() >= until {
            return resp;
        }
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    }
}

/// The outermost layer: every error page, wherever it was made (a handler, an extractor, the
/// CSRF check), is rendered with the theme's `error.html` and the site's layout.
pub async fn themed_errors(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let mut resp = next.run(req).await;
    let Some(page) = resp.extensions_mut().remove::<ErrorPage>() else { return resp };
    #[derive(Serialize)]
    struct Ctx<'a> {
        layout: Layout,
        title: &'a str,
        message: &'a str,
        status: u16,
    }
    let site = state.site();
    let ctx = Ctx { layout: Layout::new(&site, None), title: &page.title, message: &page.message, status: page.status.as_u16() };
    match state.0.templates.render("error.html", ctx) {
        Ok(body) => {
            let (mut parts, _) = resp.into_parts();
            parts.headers.remove(header::CONTENT_LENGTH);
            Response::from_parts(parts, axum::body::Body::from(body))
        }
        Err(e) => {
            tracing::error!("the error page does not render: {e}");
            resp
        }
    }
}

/// An error page with its own status, title and message.
pub fn error_page(status: StatusCode, title: impl Into<Cow<'static, str>>, message: impl Into<Cow<'static, str>>) -> AppError {
    AppError::Page(ErrorPage { status, title: title.into(), message: message.into() })
}

pub fn not_found() -> AppError {
    error_page(StatusCode::NOT_FOUND, "Page not found", "There is no page at this address. It may have moved, or the link may be mistyped.")
}

/// 400 with what could not be read and why.
pub fn bad_request(message: impl Into<Cow<'static, str>>) -> AppError {
    error_page(StatusCode::BAD_REQUEST, "That request could not be read", message)
}

/// 403 with the rule that refused it.
pub fn forbidden(message: impl Into<Cow<'static, str>>) -> AppError {
    error_page(StatusCode::FORBIDDEN, "Not allowed", message)
}

/// 301 Moved Permanently (axum's `Redirect::permanent` is 308; the URL contract says 301).
pub fn moved(to: &str) -> Response {
    (StatusCode::MOVED_PERMANENTLY, [(header::LOCATION, to.to_string())]).into_response()
}

/// 303 See Other, after a form was handled.
pub fn see_other(to: &str) -> Response {
    Redirect::to(to).into_response()
}

/// Renders a template for a public page.
pub fn render_page<S: Serialize>(state: &AppState, template: &str, ctx: S) -> Rendered {
    Ok((StatusCode::OK, state.0.templates.render(template, ctx)?))
}

/// A page for one signed-in person (the newsroom, a reader's account): rendered on every
/// request and never stored by caches.
pub fn private_page<S: Serialize>(state: &AppState, status: StatusCode, template: &str, ctx: S) -> Reply {
    let body = state.0.templates.render(template, ctx)?;
    Ok((status, [(header::CACHE_CONTROL, "no-store")], Html(body)).into_response())
}

/// Serves `key` from the page cache, or renders it and keeps it until content changes.
pub async fn cached<F, Fut>(state: &AppState, key: String, render: F) -> Response
where
    F: FnOnce() -> Fut,
    Fut: Future<Output = Rendered>,
{
    cached_for(state, Some(key), None, render).await
}

/// Like [`cached`], and also re-rendered after `ttl` seconds when given. A `None` key renders
/// without caching.
pub async fn cached_for<F, Fut>(state: &AppState, key: Option<String>, ttl: Option<i64>, render: F) -> Response
where
    F: FnOnce() -> Fut,
    Fut: Future<Output = Rendered>,
{
    let as_page = || async { render().await.map(|(status, body)| CachedPage::html(status, body)) };
    serve_cached(state, key, ttl, &HeaderMap::new(), as_page).await
}

/// The page cache under any response: serves `key` from the cache, or renders it and keeps
/// it (a 200 only) until content changes or `ttl` seconds pass. A page with validators
/// answers a conditional `request` with 304.
pub async fn serve_cached<F, Fut>(state: &AppState, key: Option<String>, ttl: Option<i64>, request: &HeaderMap, render: F) -> Response
where
    F: FnOnce() -> Fut,
    Fut: Future<Output = Result<CachedPage, AppError>>,
{
    let now = now_unix();
    let generation = state.0.cache.generation();
    if let Some(page) = key.as_deref().and_then(|k| state.0.cache.get(k, now)) {
        return page.respond(request);
    }
    // Missing: render it, unless another request is rendering it right now; then take its
    // page, or render after all if it could not keep one.
    let leader = match key.as_deref().and_then(|k| state.0.cache.join(k, generation)) {
        Some(Turn::Follow(mut done)) => {
            if let Ok(page) = done.wait_for(Option::is_some).await {
                if let Some(page) = page.as_ref() {
                    return page.respond(request);
                }
            }
            None
        }
        Some(Turn::Lead(leader)) => Some(leader),
        None => None,
    };
    let mut page = match render().await {
        Ok(page) => page,
        Err(e) => return e.into_response(),
    };
    if let (Some(key), StatusCode::OK) = (key, StatusCode::from_u16(page.status).unwrap_or(StatusCode::OK)) {
        page.expires = ttl.map(|t| now + t).unwrap_or(i64::MAX);
        // Kept, so worth compressing once for every client that accepts gzip.
        if state.0.cache.enabled() {
            page.gzip = Some(Default::default());
        }
        if let Some(leader) = leader {
            leader.finish(&page);
        }
        state.0.cache.put(key, page.clone(), now, generation);
    }
    page.respond(request)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use axum::routing::get;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;
    use tower::ServiceExt;

    /// A route that fails with `failure` the first `fails` times it runs, then answers "fine".
    fn flaky(fails: usize, failure: fn() -> AppError) -> (axum::Router, Arc<AtomicUsize>) {
        let calls = Arc::new(AtomicUsize::new(0));
        let c = calls.clone();
        let handler = move || {
            let c = c.clone();
            async move {
                if c.fetch_add(1, Ordering::SeqCst) < fails {
                    return Err(failure());
                }
                Ok::<_, AppError>("fine")
            }
        };
        let app = axum::Router::new().route("/page", get(handler.clone()).post(handler)).layer(axum::middleware::from_fn(retry_while_database_away));
        (app, calls)
    }

    fn restarting() -> AppError {
        marquee_store::StoreError::Db(sqlx::Error::Io(std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "connection refused"))).into()
    }

    fn broken() -> AppError {
        anyhow::anyhow!("the template did not render").into()
    }

    async fn send(app: axum::Router, method: &str) -> (StatusCode, Option<String>, String) {
        let resp = app.oneshot(Request::builder().method(method).uri("/page").body(Body::empty()).unwrap()).await.unwrap();
        let status = resp.status();
        let retry = resp.headers().get(header::RETRY_AFTER).map(|v| v.to_str().unwrap().to_string());
        let body = String::from_utf8(axum::body::to_bytes(resp.into_body(), 1 << 20).await.unwrap().to_vec()).unwrap();
        (status, retry, body)
    }

    #[tokio::test]
    async fn a_page_asked_while_the_database_restarts_is_asked_again() {
        let (app, calls) = flaky(3, restarting);
        assert_eq!(send(app, "GET").await, (StatusCode::OK, None, "fine".to_string()));
        assert_eq!(calls.load(Ordering::SeqCst), 4, "three failures, then the answer");
    }

    #[tokio::test]
    async fn a_form_sent_while_the_database_restarts_is_refused_once_with_retry_after() {
        let (app, calls) = flaky(1, restarting);
        let (status, retry, _) = send(app, "POST").await;
        assert_eq!((status, retry.as_deref()), (StatusCode::SERVICE_UNAVAILABLE, Some("2")));
        assert_eq!(calls.load(Ordering::SeqCst), 1, "a write is never sent twice by the server");
    }

    #[tokio::test]
    async fn other_failures_are_not_asked_again() {
        let (app, calls) = flaky(1, broken);
        let (status, retry, _) = send(app, "GET").await;
        assert_eq!((status, retry), (StatusCode::INTERNAL_SERVER_ERROR, None));
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }
}

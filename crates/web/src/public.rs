//! What readers see: home, section, article, author and tag pages, static assets, 404s.

use crate::cache::CachedPage;
use crate::feeds::{feed_links, FeedLink};
use crate::state::AppState;
use crate::showtimes::{now_playing_box, LocationQuery, NowPlaying, SHOWTIME_PAGE_TTL};
use crate::views::{author_links, Card, FilmDetails, Layout, Pager};
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::{Html, IntoResponse, Response};
use marquee_domain::time::{long_date, long_datetime, now_unix, rfc3339};
use marquee_store::Listing;
use serde::{Deserialize, Serialize};
use std::future::Future;

const PER_PAGE: i64 = 20;

#[derive(Deserialize)]
pub struct PageQuery {
    page: Option<String>,
}

impl PageQuery {
    fn number(&self) -> Result<i64, &'static str> {
        page_number(self.page.as_deref())
    }
}

/// A `page=` parameter: 1 when absent, else a whole number from 1 up.
pub fn page_number(page: Option<&str>) -> Result<i64, &'static str> {
    match page.map(str::trim) {
        None | Some("") => Ok(1),
        Some(p) => p.parse::<i64>().ok().filter(|n| (1..=100_000).contains(n)).ok_or("The page number must be a whole number from 1 up."),
    }
}

/// The outcome of rendering a public page: HTML with its status, or a finished response.
pub type Rendered = Result<(StatusCode, String), Response>;

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
    Fut: Future<Output = Result<CachedPage, Response>>,
{
    let now = now_unix();
    let generation = state.0.cache.generation();
    if let Some(page) = key.as_deref().and_then(|k| state.0.cache.get(k, now)) {
        return page.respond(request);
    }
    let mut page = match render().await {
        Ok(page) => page,
        Err(resp) => return resp,
    };
    if let (Some(key), StatusCode::OK) = (key, StatusCode::from_u16(page.status).unwrap_or(StatusCode::OK)) {
        page.expires = ttl.map(|t| now + t).unwrap_or(i64::MAX);
        state.0.cache.put(key, page.clone(), now, generation);
    }
    page.respond(request)
}

fn html(status: StatusCode, body: String) -> Response {
    (status, Html(body)).into_response()
}

pub fn render_page<S: Serialize>(state: &AppState, template: &str, ctx: S) -> Rendered {
    state.0.templates.render(template, ctx).map(|b| (StatusCode::OK, b)).map_err(|e| internal_error(state, e))
}

#[track_caller]
pub fn internal_error(state: &AppState, e: impl std::fmt::Display) -> Response {
    tracing::error!("{e} (at {})", std::panic::Location::caller());
    error_page(state, StatusCode::INTERNAL_SERVER_ERROR, "Something went wrong", "The server could not show this page. Please try again in a moment.")
}

pub fn error_page(state: &AppState, status: StatusCode, title: &str, message: &str) -> Response {
    let site = state.site();
    #[derive(Serialize)]
    struct Ctx<'a> {
        layout: Layout,
        title: &'a str,
        message: &'a str,
        status: u16,
    }
    let body = state
        .0
        .templates
        .render("error.html", Ctx { layout: Layout::new(&site, None), title, message, status: status.as_u16() })
        .unwrap_or_else(|_| format!("<!doctype html><title>{}</title><p>{}</p>", status, status));
    html(status, body)
}

fn not_found_page(state: &AppState) -> Rendered {
    Err(not_found(state))
}

pub fn not_found(state: &AppState) -> Response {
    error_page(state, StatusCode::NOT_FOUND, "Page not found", "There is no page at this address. It may have moved, or the link may be mistyped.")
}

pub fn bad_request(state: &AppState, message: &str) -> Response {
    error_page(state, StatusCode::BAD_REQUEST, "That request could not be read", message)
}

pub async fn healthz() -> &'static str {
    "ok"
}

pub async fn home(State(state): State<AppState>) -> Response {
    cached(&state, "/".into(), || async {
        let site = state.site();
        let now = now_unix();
        let store = state.store();
        let (top, _) = store.live_articles(Listing::All, now, 7, 0).await.map_err(|e| internal_error(&state, e))?;
        #[derive(Serialize)]
        struct SectionBlock {
            name: String,
            url: String,
            cards: Vec<Card>,
        }
        let mut blocks = Vec::new();
        for s in &site.sections {
            let (cards, _) = store.live_articles(Listing::Section(s.id), now, 5, 0).await.map_err(|e| internal_error(&state, e))?;
            let cards: Vec<_> = cards.into_iter().filter(|c| Some(c.id) != top.first().map(|t| t.id)).take(4).collect();
            if !cards.is_empty() {
                blocks.push(SectionBlock { name: s.name.clone(), url: format!("/{}/", s.slug), cards: Card::list(&cards, &site) });
            }
        }
        #[derive(Serialize)]
        struct Ctx {
            layout: Layout,
            lead: Option<Card>,
            top: Vec<Card>,
            sections: Vec<SectionBlock>,
            popular: Vec<crate::boxes::BoxLink>,
            trending: Vec<crate::network::TrendingLink>,
            reports: Vec<crate::boxes::ReportLink>,
        }
        let lead = top.first().map(|c| Card::new(c, &site));
        let rest = Card::list(top.get(1..).unwrap_or(&[]), &site);
        let boxes = state.boxes().await.map_err(|e| internal_error(&state, e))?;
        let ctx = Ctx { layout: Layout::new(&site, None), lead, top: rest, sections: blocks, popular: boxes.popular.clone(), trending: boxes.trending.clone(), reports: boxes.reports.clone() };
        render_page(&state, "home.html", ctx)
    })
    .await
}

#[derive(Serialize)]
struct ListingCtx {
    layout: Layout,
    kind: &'static str,
    /// This listing's own feeds, for the page's head.
    feeds: Vec<FeedLink>,
    title: String,
    heading: String,
    intro: String,
    cards: Vec<Card>,
    pager: Pager,
    canonical: String,
}

/// Renders one page of a listing, or 404 when the page is past the end.
async fn listing_page(state: &AppState, listing: Listing, base: &str, page: i64, make: impl FnOnce(Vec<Card>, Pager) -> ListingCtx) -> Rendered {
    let site = state.site();
    let (cards, total) = state
        .store()
        .live_articles(listing, now_unix(), PER_PAGE, (page - 1) * PER_PAGE)
        .await
        .map_err(|e| internal_error(state, e))?;
    if cards.is_empty() && page > 1 {
        return not_found_page(state);
    }
    let pager = Pager::new(base, page, PER_PAGE, total);
    render_page(state, "listing.html", make(Card::list(&cards, &site), pager))
}

pub async fn section(State(state): State<AppState>, Path(slug): Path<String>, Query(q): Query<PageQuery>) -> Response {
    let page = match q.number() {
        Ok(p) => p,
        Err(m) => return bad_request(&state, m),
    };
    let site = state.site();
    let Some(section) = site.sections.iter().find(|s| s.slug == slug).cloned() else {
        return not_found(&state);
    };
    let base = format!("/{}/", section.slug);
    cached(&state, format!("{base}?page={page}"), || async {
        listing_page(&state, Listing::Section(section.id), &base, page, |cards, pager| ListingCtx {
            layout: Layout::new(&site, Some(&section.slug)),
            kind: "section",
            feeds: feed_links(&site, Some(&section.name), &base),
            title: section.name.clone(),
            heading: format!("Latest in {}", section.name),
            intro: section.description.clone(),
            cards,
            pager,
            canonical: base.clone(),
        })
        .await
    })
    .await
}

#[derive(Clone, Copy)]
pub(crate) enum Archive {
    Author,
    Tag,
}

pub async fn author(State(state): State<AppState>, Path(slug): Path<String>, Query(q): Query<PageQuery>) -> Response {
    archive(state, Archive::Author, slug, q).await
}

pub async fn tag(State(state): State<AppState>, Path(slug): Path<String>, Query(q): Query<PageQuery>) -> Response {
    archive(state, Archive::Tag, slug, q).await
}

/// Whose archive a page or feed shows.
pub(crate) struct ArchiveSubject {
    pub listing: Listing,
    pub kind: &'static str,
    pub heading: String,
    pub name: String,
    pub intro: String,
}

/// The author or tag at `slug`, if there is one.
pub(crate) async fn archive_subject(state: &AppState, kind: Archive, slug: &str) -> Result<Option<ArchiveSubject>, Response> {
    let store = state.store();
    let found = match kind {
        Archive::Author => store.author_by_slug(slug).await.map(|a| {
            a.map(|a| ArchiveSubject { listing: Listing::Author(a.id), kind: "author", heading: format!("Author Archives: {}", a.name), name: a.name, intro: a.bio })
        }),
        Archive::Tag => store.tag_by_slug(slug).await.map(|t| {
            t.map(|t| ArchiveSubject { listing: Listing::Tag(t.id), kind: "tag", heading: format!("Tagged “{}”", t.name), name: t.name, intro: String::new() })
        }),
    };
    found.map_err(|e| internal_error(state, e))
}

impl Archive {
    /// The first path segment of its pages: `/authors/{slug}/`, `/tags/{slug}/`.
    pub(crate) fn prefix(self) -> &'static str {
        match self {
            Archive::Author => "authors",
            Archive::Tag => "tags",
        }
    }
}

/// An author's or a tag's archive: their live articles, newest first, paginated.
async fn archive(state: AppState, kind: Archive, slug: String, q: PageQuery) -> Response {
    let page = match q.number() {
        Ok(p) => p,
        Err(m) => return bad_request(&state, m),
    };
    let base = format!("/{}/{slug}/", kind.prefix());
    cached(&state, format!("{base}?page={page}"), || async {
        let site = state.site();
        let Some(subject) = archive_subject(&state, kind, &slug).await? else {
            return not_found_page(&state);
        };
        listing_page(&state, subject.listing, &base, page, |cards, pager| ListingCtx {
            layout: Layout::new(&site, None),
            kind: subject.kind,
            feeds: feed_links(&site, Some(&subject.name), &base),
            title: subject.name,
            heading: subject.heading,
            intro: subject.intro,
            cards,
            pager,
            canonical: base.clone(),
        })
        .await
    })
    .await
}

#[derive(Serialize)]
pub struct ArticleView {
    pub url: String,
    pub section_name: String,
    pub section_url: String,
    pub headline: String,
    pub deck: String,
    pub authors: Vec<crate::views::AuthorLink>,
    pub date: String,
    pub date_iso: String,
    pub updated: Option<String>,
    pub updated_iso: Option<String>,
    pub body_html: String,
    pub tags: Vec<crate::views::AuthorLink>,
    /// Stars out of 5, for a rated review.
    pub rating: Option<i64>,
}

pub fn article_view(page: &marquee_store::ArticlePage, site: &crate::state::SiteInfo) -> ArticleView {
    let c = &page.card;
    let updated = page.revised_at.filter(|r| *r > c.publish_at + 60);
    ArticleView {
        url: c.path(),
        section_name: c.section_name.clone(),
        section_url: format!("/{}/", c.section_slug),
        headline: c.headline.clone(),
        deck: c.deck.clone(),
        authors: author_links(&c.authors),
        date: long_date(c.publish_at, &site.tz),
        date_iso: rfc3339(c.publish_at, &site.tz),
        updated: updated.map(|u| long_datetime(u, &site.tz)),
        updated_iso: updated.map(|u| rfc3339(u, &site.tz)),
        body_html: page.body_html.clone(),
        tags: page.tags.iter().map(|t| crate::views::AuthorLink { name: t.name.clone(), url: format!("/tags/{}/", t.slug) }).collect(),
        rating: page.rating,
    }
}

#[derive(Serialize)]
pub struct ArticleCtx {
    pub layout: Layout,
    pub article: ArticleView,
    pub film: Option<FilmDetails>,
    /// schema.org JSON-LD, already safe to place inside a script element.
    pub jsonld: String,
    pub now_playing: Option<NowPlaying>,
    pub preview: Option<String>,
    pub comments: Option<crate::comments::CommentsBox>,
    /// Latest in the section, Most Popular, Special Reports; none on previews.
    pub boxes: Option<crate::boxes::ArticleBoxes>,
}

impl ArticleCtx {
    pub fn new(site: &crate::state::SiteInfo, page: &marquee_store::ArticlePage, film: Option<ReviewedFilm>, preview: Option<String>) -> ArticleCtx {
        let article = article_view(page, site);
        let jsonld = crate::structured::article(site, &article, film.as_ref().map(|f| &f.movie));
        ArticleCtx { layout: Layout::new(site, Some(&page.card.section_slug)), article, film: film.map(|f| f.details), jsonld, now_playing: None, preview, comments: None, boxes: None }
    }
}

/// The film a review is about: its Film Details box and its schema.org `Movie`.
pub struct ReviewedFilm {
    pub details: FilmDetails,
    pub movie: serde_json::Value,
}

/// The film a review is linked to, if any.
pub async fn film_box(state: &AppState, film_id: Option<i64>) -> Result<Option<ReviewedFilm>, Response> {
    let Some(id) = film_id else { return Ok(None) };
    let store = state.store();
    let film = store.film_by_id(id).await.map_err(|e| internal_error(state, e))?;
    let Some(film) = film else { return Ok(None) };
    let credits = store.credits(id).await.map_err(|e| internal_error(state, e))?;
    let base = state.site().publication.base_url.trim_end_matches('/').to_string();
    Ok(Some(ReviewedFilm { movie: crate::structured::movie(&base, &film, &credits), details: FilmDetails::new(&film, &credits) }))
}

pub async fn article(
    State(state): State<AppState>,
    Path((section, slug)): Path<(String, String)>,
    Query(place): Query<LocationQuery>,
    Query(cq): Query<crate::comments::CommentQuery>,
    crate::readers::Viewer(viewer): crate::readers::Viewer,
    axum::Extension(csrf): axum::Extension<crate::csrf::CsrfToken>,
    method: axum::http::Method,
    headers: HeaderMap,
) -> Response {
    let key = format!("/{section}/{slug}/");
    // A signed-in reader sees their own forms and pending comments: never cached.
    let signed_in = viewer.is_some();
    let cache_key = if signed_in { None } else { place.cache_key(&state.site()).map(|q| format!("{key}?{q}{}", cq.cache_suffix())) };
    let mut resp = cached_for(&state, cache_key, Some(SHOWTIME_PAGE_TTL), || async {
        let site = state.site();
        let Some(page) = state.store().live_article(&section, &slug, now_unix()).await.map_err(|e| internal_error(&state, e))? else {
            return match state.store().redirect_target(&key, now_unix()).await {
                Ok(Some(to)) => Err(moved(&to)),
                Ok(None) => not_found_page(&state),
                Err(e) => Err(internal_error(&state, e)),
            };
        };
        let film = film_box(&state, page.film_id).await?;
        let mut ctx = ArticleCtx::new(&site, &page, film, None);
        if let Some(film_id) = page.film_id {
            ctx.now_playing = Some(now_playing_box(&state, &place, film_id).await.map_err(|e| internal_error(&state, e))?);
        }
        ctx.comments = Some(crate::comments::comments_box(&state, &page, viewer.as_ref(), viewer.as_ref().map(|_| &csrf), &cq).await?);
        let boxes = state.boxes().await.map_err(|e| internal_error(&state, e))?;
        ctx.boxes = Some(boxes.for_article(&site, &page.card, page.section_id));
        render_page(&state, "article.html", ctx)
    })
    .await;
    if resp.status() == StatusCode::OK && crate::popular::is_reader_view(&method, &headers) {
        state.0.views.record(&section, &slug);
    }
    // The same address shows a signed-in reader their own forms and comments: no shared
    // cache (or back button after signing out) may keep that copy.
    if signed_in {
        resp.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    }
    resp.headers_mut().insert(header::VARY, HeaderValue::from_static("Cookie"));
    resp
}

pub async fn film(State(state): State<AppState>, Path(slug): Path<String>, Query(place): Query<LocationQuery>) -> Response {
    let cache_key = place.cache_key(&state.site()).map(|q| format!("/films/{slug}/?{q}"));
    cached_for(&state, cache_key, Some(SHOWTIME_PAGE_TTL), || async {
        let site = state.site();
        let store = state.store();
        let Some(film) = store.film_by_slug(&slug).await.map_err(|e| internal_error(&state, e))? else {
            return not_found_page(&state);
        };
        let credits = store.credits(film.id).await.map_err(|e| internal_error(&state, e))?;
        let reviews = store.live_reviews_of_films(&[film.id], now_unix()).await.map_err(|e| internal_error(&state, e))?;
        let network = store
            .network_reviews(film.imdb_id.as_deref(), film.wikidata_id.as_deref(), film.tmdb_id.as_deref(), 20)
            .await
            .map_err(|e| internal_error(&state, e))?
            .into_iter()
            .map(|r| NetworkReviewView { date: marquee_domain::time::long_date(r.published_at, &site.tz), iso: marquee_domain::time::rfc3339(r.published_at, &site.tz), review: r })
            .collect();
        #[derive(Serialize)]
        struct NetworkReviewView {
            review: marquee_store::NetworkReview,
            date: String,
            iso: String,
        }
        #[derive(Serialize)]
        struct Ctx {
            layout: Layout,
            film: FilmDetails,
            reviews: Vec<Card>,
            network: Vec<NetworkReviewView>,
            jsonld: String,
            now_playing: NowPlaying,
        }
        let base = site.publication.base_url.trim_end_matches('/').to_string();
        let mut movie = crate::structured::movie(&base, &film, &credits);
        movie["@context"] = serde_json::json!("https://schema.org");
        let jsonld = crate::structured::script_safe(&movie);
        let now_playing = now_playing_box(&state, &place, film.id).await.map_err(|e| internal_error(&state, e))?;
        let ctx = Ctx { layout: Layout::new(&site, None), film: FilmDetails::new(&film, &credits), reviews: Card::list(&reviews, &site), network, jsonld, now_playing };
        render_page(&state, "film.html", ctx)
    })
    .await
}

pub async fn person(State(state): State<AppState>, Path(slug): Path<String>) -> Response {
    cached(&state, format!("/people/{slug}/"), || async {
        let site = state.site();
        let store = state.store();
        let Some(person) = store.person_by_slug(&slug).await.map_err(|e| internal_error(&state, e))? else {
            return not_found_page(&state);
        };
        let credits = store.person_credits(person.id).await.map_err(|e| internal_error(&state, e))?;
        #[derive(Serialize)]
        struct FilmRow {
            url: String,
            title: String,
            year: Option<i64>,
            roles: Vec<String>,
        }
        let mut films: Vec<FilmRow> = Vec::new();
        let mut ids: Vec<i64> = Vec::new();
        for c in &credits {
            let role = match c.role.as_str() {
                "cast" if !c.character.is_empty() => format!("as {}", c.character),
                "cast" => "cast".to_string(),
                r => r.to_string(),
            };
            if ids.last() == Some(&c.film_id) {
                films.last_mut().expect("pushed with the id").roles.push(role);
            } else {
                ids.push(c.film_id);
                films.push(FilmRow { url: format!("/films/{}/", c.film_slug), title: c.title.clone(), year: c.year, roles: vec![role] });
            }
        }
        let reviews = store.live_reviews_of_films(&ids, now_unix()).await.map_err(|e| internal_error(&state, e))?;
        #[derive(Serialize)]
        struct Ctx {
            layout: Layout,
            name: String,
            films: Vec<FilmRow>,
            reviews: Vec<Card>,
        }
        render_page(&state, "person.html", Ctx { layout: Layout::new(&site, None), name: person.name, films, reviews: Card::list(&reviews, &site) })
    })
    .await
}

pub async fn credits(State(state): State<AppState>) -> Response {
    cached(&state, "/credits".into(), || async {
        #[derive(Serialize)]
        struct Ctx {
            layout: Layout,
        }
        render_page(&state, "credits.html", Ctx { layout: Layout::new(&state.site(), None) })
    })
    .await
}

pub async fn static_file(State(state): State<AppState>, Path(path): Path<String>, headers: HeaderMap) -> Response {
    let Some(asset) = state.0.templates.asset(&path) else { return not_found(&state) };
    if headers.get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()) == Some(asset.etag.as_str()) {
        return StatusCode::NOT_MODIFIED.into_response();
    }
    let headers = [
        (header::CONTENT_TYPE, HeaderValue::from_static(asset.content_type)),
        (header::ETAG, HeaderValue::from_str(&asset.etag).expect("hex etag")),
        (header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=3600")),
    ];
    (headers, asset.body.clone()).into_response()
}

/// Unknown addresses: an article's old address answers 301 to its new one; a known page asked
/// for without its trailing slash is sent to it; everything else is a real 404 page.
pub async fn fallback(State(state): State<AppState>, uri: Uri) -> Response {
    let path = uri.path();
    match state.store().redirect_target(path, now_unix()).await {
        Ok(Some(to)) => return moved(&to),
        Ok(None) => {}
        Err(e) => return internal_error(&state, e),
    }
    if let Some(to) = with_trailing_slash(path, &state.site()) {
        let query = uri.query().map(|q| format!("?{q}")).unwrap_or_default();
        return moved(&format!("{to}{query}"));
    }
    not_found(&state)
}

/// 301 Moved Permanently (axum's `Redirect::permanent` is 308; the URL contract says 301).
pub fn moved(to: &str) -> Response {
    (StatusCode::MOVED_PERMANENTLY, [(header::LOCATION, to.to_string())]).into_response()
}

/// The address a known page has with its trailing slash, for a request that left it off.
/// Only single-slash, plain-segment paths qualify, so `//evil.example` can never become a
/// redirect to another host.
fn with_trailing_slash(path: &str, site: &crate::state::SiteInfo) -> Option<String> {
    if path.ends_with('/') || path.starts_with("//") {
        return None;
    }
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let plain = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if !path.starts_with('/') || !segments.iter().all(|s| plain(s)) {
        return None;
    }
    let known = match segments.as_slice() {
        ["admin"] | ["theaters"] | ["showtimes"] | ["popular"] | ["reports"] | ["search"] | ["events"] => true,
        ["reports", _] => true,
        ["authors" | "tags" | "films" | "people" | "theaters" | "events", _] => true,
        [section] | [section, _] => site.sections.iter().any(|s| s.slug == *section),
        _ => false,
    };
    known.then(|| format!("{path}/"))
}

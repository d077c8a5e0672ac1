//! What readers see: home, section, article, author and tag pages, static assets, 404s.

use crate::csrf::CsrfToken;
use crate::paging::Place;
use crate::parts::archive::{archive_subject, listing_size, typed_page, Archive};
use crate::parts::article::{film_box, ArticleCtx};
use crate::parts::comment_box::{comments_box, CommentQuery, Looker};
use crate::personal::{PersonalPage, Slotted};
use crate::cache::CachedPage;
use std::sync::Arc;
use crate::parts::now_playing::{now_playing_box, LocationQuery, NowPlaying, SHOWTIME_PAGE_TTL};
use crate::respond::{bad_request, cached, cached_for, moved, not_found, render_page, AppError, Rendered, Reply};
use crate::site::SiteInfo;
use crate::state::AppState;
use crate::views::{feed_links, Card, FeedLink, FilmDetails, Layout, Pager};
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::IntoResponse;
use marquee_domain::time::now_unix;
use marquee_store::Listing;
use serde::{Deserialize, Serialize};

const PER_PAGE: i64 = 20;

/// Which page of a listing to show: `?page=N`, and on the pages its own links lead to, the
/// place where it begins (`after=` or `before=`; see `paging.rs`).
#[derive(Deserialize)]
pub struct PageQuery {
    page: Option<String>,
    after: Option<String>,
    before: Option<String>,
}

impl PageQuery {
    fn place(&self) -> Result<Place, &'static str> {
        Place::parse(self.page.as_deref(), self.after.as_deref(), self.before.as_deref(), PER_PAGE)
    }
}

pub async fn healthz() -> &'static str {
    "ok"
}

/// A WordPress address by query (`/?p=12`, `/?page_id=3`, `/?cat=4`, `/?tag=x`,
/// `/?attachment_id=9`) as an import keeps it: the path and that one parameter.
fn old_query_address(path: &str, query: Option<&str>) -> Option<String> {
    let query = query?;
    query.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=')?;
        (matches!(k, "p" | "page_id" | "cat" | "tag" | "attachment_id") && !v.is_empty() && v.len() <= 200).then(|| format!("{path}?{k}={v}"))
    })
}

pub async fn home(State(state): State<AppState>, uri: Uri) -> Reply {
    if let Some(old) = old_query_address("/", uri.query()) {
        if let Some(to) = state.store().redirect_target(&old, now_unix()).await? {
            return Ok(moved(&to));
        }
    }
    Ok(cached(&state, "/".into(), || async {
        let site = state.site();
        let now = now_unix();
        let store = state.store();
        // The lead stories and each section's newest, read together.
        let mut asked = vec![(Listing::All, 7)];
        asked.extend(site.sections.iter().map(|s| (Listing::Section(s.id), 5)));
        let mut fronts = store.live_fronts(&asked, now).await?.into_iter();
        let top = fronts.next().unwrap_or_default();
        #[derive(Serialize)]
        struct SectionBlock {
            name: String,
            url: String,
            cards: Vec<Card>,
        }
        let mut blocks = Vec::new();
        for (s, cards) in site.sections.iter().zip(fronts) {
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
            trending: Vec<crate::trending::TrendingLink>,
            reports: Vec<crate::boxes::ReportLink>,
        }
        let lead = top.first().map(|c| Card::new(c, &site));
        let rest = Card::list(top.get(1..).unwrap_or(&[]), &site);
        let boxes = state.boxes().await?;
        let ctx = Ctx { layout: Layout::new(&site, None), lead, top: rest, sections: blocks, popular: boxes.popular.clone(), trending: boxes.trending.clone(), reports: boxes.reports.clone() };
        render_page(&state, "home.html", ctx)
    })
    .await)
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
async fn listing_page(state: &AppState, listing: Listing, base: &str, at: Place, make: impl FnOnce(Vec<Card>, Pager) -> ListingCtx) -> Rendered {
    let site = state.site();
    let now = now_unix();
    let seek = typed_page(state, listing, now, at.seek).await?;
    let fetched = state.store().live_articles(listing, now, PER_PAGE + 1, seek).await?;
    if fetched.is_empty() && at.page > 1 {
        return Err(not_found());
    }
    let total = listing_size(state, listing, now).await?;
    let (cards, pager) = at.cut(base, PER_PAGE, fetched, total, |c| (c.publish_at, c.id));
    render_page(state, "listing.html", make(Card::list(&cards, &site), pager))
}

pub async fn section(State(state): State<AppState>, Path(slug): Path<String>, Query(q): Query<PageQuery>) -> Reply {
    let at = q.place().map_err(bad_request)?;
    let site = state.site();
    let Some(section) = site.sections.iter().find(|s| s.slug == slug).cloned() else {
        // A page's old address on an imported site (`/about/`).
        return match state.store().redirect_target(&format!("/{slug}/"), now_unix()).await? {
            Some(to) => Ok(moved(&to)),
            None => Err(not_found()),
        };
    };
    let base = format!("/{}/", section.slug);
    Ok(cached_for(&state, at.cache_key(&base), None, || async {
        listing_page(&state, Listing::Section(section.id), &base, at, |cards, pager| ListingCtx {
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
    .await)
}

pub async fn author(State(state): State<AppState>, Path(slug): Path<String>, Query(q): Query<PageQuery>) -> Reply {
    archive(state, Archive::Author, slug, q).await
}

pub async fn tag(State(state): State<AppState>, Path(slug): Path<String>, Query(q): Query<PageQuery>) -> Reply {
    archive(state, Archive::Tag, slug, q).await
}

/// An author's or a tag's archive: their live articles, newest first, paginated.
async fn archive(state: AppState, kind: Archive, slug: String, q: PageQuery) -> Reply {
    let at = q.place().map_err(bad_request)?;
    let base = format!("/{}/{slug}/", kind.prefix());
    Ok(cached_for(&state, at.cache_key(&base), None, || async {
        let site = state.site();
        let Some(subject) = archive_subject(&state, kind, &slug).await? else {
            return Err(not_found());
        };
        listing_page(&state, subject.listing, &base, at, |cards, pager| ListingCtx {
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
    .await)
}

pub async fn article(
    State(state): State<AppState>,
    Path((section, slug)): Path<(String, String)>,
    Query(place): Query<LocationQuery>,
    Query(cq): Query<CommentQuery>,
    axum::Extension(csrf): axum::Extension<CsrfToken>,
    axum::extract::ConnectInfo(peer): axum::extract::ConnectInfo<std::net::SocketAddr>,
    method: axum::http::Method,
    headers: HeaderMap,
) -> Reply {
    let site = state.site();
    let at = ArticleAt { section: &section, slug: &slug, key: format!("/{section}/{slug}/"), place: &place, cq: &cq };
    let cache_key = place.cache_key(&site).map(|q| format!("{}?{q}{}", at.key, cq.cache_suffix()));
    let (mut resp, signed_in) = match crate::cookies::reader_token(&headers, site.secure_cookies) {
        // A redirect or 404 gets the headers below too.
        Some(token) => signed_in_article(&state, &at, cache_key, &crate::cookies::token_hash(token), &csrf).await.unwrap_or_else(|e| (e.into_response(), false)),
        None => (everyones_article(&state, &at, cache_key).await, false),
    };
    if resp.status() == StatusCode::OK && crate::pageviews::is_reader_view(&method, &headers) {
        state.0.views.record(peer.ip(), &section, &slug);
    }
    // The same address shows a signed-in reader their own forms and comments: no shared
    // cache (or back button after signing out) may keep that copy.
    if signed_in {
        resp.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    }
    resp.headers_mut().insert(header::VARY, HeaderValue::from_static("Cookie"));
    Ok(resp)
}

/// The article page a request asks for.
struct ArticleAt<'a> {
    section: &'a str,
    slug: &'a str,
    /// The article's address, `/{section}/{slug}/`.
    key: String,
    place: &'a LocationQuery,
    cq: &'a CommentQuery,
}

/// Everything on an article page but its comments, or the redirect or 404 in its place, and
/// the handle the comments are read through: the page's reads all run on one connection.
async fn article_ctx(state: &AppState, at: &ArticleAt<'_>) -> Result<(marquee_store::Store, marquee_store::ArticlePage, ArticleCtx), AppError> {
    let site = state.site();
    // The boxes first: when they are not kept, they are read through the pool, which this
    // task must not wait on once it holds a connection of its own.
    let boxes = state.boxes().await?;
    let store = state.store().pinned().await?;
    let Some(page) = store.live_article(at.section, at.slug, now_unix()).await? else {
        return match store.redirect_target(&at.key, now_unix()).await? {
            Some(to) => Err(AppError::Response(moved(&to))),
            None => Err(not_found()),
        };
    };
    let film = film_box(state, &store, page.film_id).await?;
    let lead = crate::parts::article::lead_image(&store, page.lead_media_id).await?;
    let mut ctx = ArticleCtx::new(&site, &page, film, lead.as_ref(), None);
    if let Some(film_id) = page.film_id {
        ctx.now_playing = Some(now_playing_box(state, &store, at.place, film_id).await?);
    }
    ctx.boxes = Some(boxes.for_article(&site, &page.card, page.section_id));
    Ok((store, page, ctx))
}

/// The page as everyone who is not signed in sees it, from the page cache when it holds it.
async fn everyones_article(state: &AppState, at: &ArticleAt<'_>, cache_key: Option<String>) -> axum::response::Response {
    cached_for(state, cache_key, Some(SHOWTIME_PAGE_TTL), || async {
        let (store, page, mut ctx) = article_ctx(state, at).await?;
        ctx.comments = Some(comments_box(state, &store, &page, None, at.cq).await?);
        // The connection goes back before the page is written out.
        drop(store);
        render_page(state, "article.html", ctx)
    })
    .await
}

/// The page rendered whole for one reader.
async fn readers_article(state: &AppState, at: &ArticleAt<'_>, reader: &marquee_store::Reader, subscribed: Option<bool>, csrf: &CsrfToken) -> Result<axum::response::Response, AppError> {
    let (store, page, mut ctx) = article_ctx(state, at).await?;
    let subscribed = match subscribed {
        Some(s) => s,
        None => store.is_subscribed(reader.id, page.card.id).await?,
    };
    let looker = Looker { reader, subscribed, csrf: csrf.value() };
    ctx.comments = Some(comments_box(state, &store, &page, Some(looker), at.cq).await?);
    drop(store);
    Ok(render_page(state, "article.html", ctx)?.into_response())
}

/// The page for a browser with a reader's session cookie, and whether the session was valid.
/// Most readers get the shared signed-in copy with their name and token put in (see
/// `personal.rs`); the others, and every reader when the page cache is off, a page rendered
/// for them.
async fn signed_in_article(state: &AppState, at: &ArticleAt<'_>, cache_key: Option<String>, session: &str, csrf: &CsrfToken) -> Result<(axum::response::Response, bool), AppError> {
    let now = now_unix();
    let store = state.store();
    let shared_key = cache_key.as_ref().filter(|_| state.0.cache.enabled() && !at.cq.posted()).map(|k| format!("{k}#signed-in"));
    let Some(shared_key) = shared_key else {
        return Ok(match store.session_reader(session, now).await? {
            Some(reader) => (readers_article(state, at, &reader, None, csrf).await?, true),
            None => (everyones_article(state, at, cache_key).await, false),
        });
    };
    let generation = state.0.cache.generation();
    let shared = match state.0.cache.get(&shared_key, now).and_then(|p| p.personal) {
        Some(p) => p,
        None => {
            let p = Arc::new(personal_page(state, at).await?);
            let mut entry = CachedPage::html(StatusCode::OK, String::new());
            entry.personal = Some(p.clone());
            entry.expires = now + SHOWTIME_PAGE_TTL;
            state.0.cache.put(shared_key, entry, now, generation);
            p
        }
    };
    let Some(on) = store.session_reader_on(session, now, shared.article_id).await? else {
        return Ok((everyones_article(state, at, cache_key).await, false));
    };
    let reader = &on.reader;
    let copy = shared.for_reader(on.subscribed == 1);
    let Some(copy) = copy.filter(|_| reader.is_verified() && !reader.is_blocked(now) && on.commented == 0) else {
        return Ok((readers_article(state, at, reader, Some(on.subscribed == 1), csrf).await?, true));
    };
    let name = marquee_domain::media::escape_html(&reader.name);
    let body = copy.fill(&name, csrf.value());
    Ok(((StatusCode::OK, [(header::CONTENT_TYPE, crate::cache::HTML)], body).into_response(), true))
}

/// The shared copy of an article page for signed-in readers: as a verified reader with no
/// comment there sees it, once not subscribed and once subscribed, with markers for their
/// name and token.
async fn personal_page(state: &AppState, at: &ArticleAt<'_>) -> Result<PersonalPage, AppError> {
    let m = crate::personal::markers();
    let stand_in = marquee_store::Reader {
        // No comment has this reader id, so none is shown as theirs.
        id: i64::MIN,
        email: String::new(),
        name: m.name.clone(),
        password_hash: String::new(),
        verified: 1,
        digest: String::new(),
        suspended_until: 0,
        banned: 0,
        created_at: 0,
    };
    let (store, page, mut ctx) = article_ctx(state, at).await?;
    ctx.comments = Some(comments_box(state, &store, &page, Some(Looker { reader: &stand_in, subscribed: false, csrf: &m.csrf }), at.cq).await?);
    drop(store);
    let unsubscribed = Slotted::cut(&state.0.templates.render("article.html", &ctx)?, m);
    if let Some(comments) = ctx.comments.as_mut() {
        comments.set_subscribed(true);
    }
    let subscribed = Slotted::cut(&state.0.templates.render("article.html", &ctx)?, m);
    Ok(PersonalPage { article_id: page.card.id, copies: unsubscribed.zip(subscribed) })
}

pub async fn film(State(state): State<AppState>, Path(slug): Path<String>, Query(place): Query<LocationQuery>) -> Reply {
    let cache_key = place.cache_key(&state.site()).map(|q| format!("/films/{slug}/?{q}"));
    Ok(cached_for(&state, cache_key, Some(SHOWTIME_PAGE_TTL), || async {
        let site = state.site();
        // The page's reads share one connection (on SQLite, one read outside sqlx's thread).
        let store = state.store().pinned().await?;
        let Some(film) = store.film_by_slug(&slug).await? else {
            return Err(not_found());
        };
        let credits = store.credits(film.id).await?;
        let reviews = store.live_reviews_of_films(&[film.id], now_unix()).await?;
        let network = store
            .network_reviews(film.imdb_id.as_deref(), film.wikidata_id.as_deref(), film.tmdb_id.as_deref(), 20)
            .await?
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
        let mut movie = crate::structured::movie(site.base(), &film, &credits);
        movie["@context"] = serde_json::json!("https://schema.org");
        let jsonld = crate::structured::script_safe(&movie);
        let now_playing = now_playing_box(&state, &store, &place, film.id).await?;
        // The connection goes back before the page is written out.
        drop(store);
        let ctx = Ctx { layout: Layout::new(&site, None), film: FilmDetails::new(&film, &credits), reviews: Card::list(&reviews, &site), network, jsonld, now_playing };
        render_page(&state, "film.html", ctx)
    })
    .await)
}

pub async fn person(State(state): State<AppState>, Path(slug): Path<String>) -> Reply {
    Ok(cached(&state, format!("/people/{slug}/"), || async {
        let site = state.site();
        let store = state.store();
        let Some(person) = store.person_by_slug(&slug).await? else {
            return Err(not_found());
        };
        let credits = store.person_credits(person.id).await?;
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
        let reviews = store.live_reviews_of_films(&ids, now_unix()).await?;
        #[derive(Serialize)]
        struct Ctx {
            layout: Layout,
            name: String,
            films: Vec<FilmRow>,
            reviews: Vec<Card>,
        }
        render_page(&state, "person.html", Ctx { layout: Layout::new(&site, None), name: person.name, films, reviews: Card::list(&reviews, &site) })
    })
    .await)
}

pub async fn credits(State(state): State<AppState>) -> Reply {
    Ok(cached(&state, "/credits".into(), || async {
        #[derive(Serialize)]
        struct Ctx {
            layout: Layout,
        }
        render_page(&state, "credits.html", Ctx { layout: Layout::new(&state.site(), None) })
    })
    .await)
}

pub async fn static_file(State(state): State<AppState>, Path(path): Path<String>, headers: HeaderMap) -> Reply {
    let Some(asset) = state.0.templates.asset(&path) else { return Err(not_found()) };
    // A client holding the compressed copy names its tag; the gzip layer gives either answer
    // that copy's tag and `Vary`.
    let zipped = crate::gzip::sends_gzip(asset.body.len(), &headers);
    let current = crate::cache::if_none_match(&headers, &asset.etag, zipped).unwrap_or(false);
    let headers = [
        (header::ETAG, HeaderValue::from_str(&asset.etag).expect("hex etag")),
        (header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=3600")),
    ];
    let mut response = if current {
        (StatusCode::NOT_MODIFIED, headers).into_response()
    } else {
        (headers, [(header::CONTENT_TYPE, HeaderValue::from_static(asset.content_type))], asset.body.clone()).into_response()
    };
    response.extensions_mut().insert(crate::gzip::Compressible { body: asset.body.clone(), gzip: asset.gzip.clone() });
    Ok(response)
}

/// `/media/{key}/{width}.{ext}`: one rendition of a library image. Its address names its
/// content, so browsers and proxies may keep it for a year without asking again.
pub async fn media_file(State(state): State<AppState>, Path((key, file)): Path<(String, String)>) -> Reply {
    let Some((width, ext)) = file.split_once('.') else { return Err(not_found()) };
    let Some(width) = width.parse::<u32>().ok().filter(|w| !width.starts_with('0') && *w > 0) else { return Err(not_found()) };
    let Some((mime, bytes)) = crate::media::rendition(&state, &key, width, ext).await? else { return Err(not_found()) };
    let headers = [
        (header::CONTENT_TYPE, HeaderValue::from_static(mime)),
        (header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=31536000, immutable")),
        (header::CONTENT_SECURITY_POLICY, HeaderValue::from_static("default-src 'none'; sandbox")),
    ];
    Ok((headers, bytes).into_response())
}

/// Unknown addresses: an article's old address answers 301 to its new one; a known page asked
/// for without its trailing slash is sent to it; everything else is a real 404 page.
pub async fn fallback(State(state): State<AppState>, uri: Uri) -> Reply {
    let path = uri.path();
    if let Some(to) = state.store().redirect_target(path, now_unix()).await? {
        return Ok(moved(&to));
    }
    if let Some(old) = old_query_address(path, uri.query()) {
        if let Some(to) = state.store().redirect_target(&old, now_unix()).await? {
            return Ok(moved(&to));
        }
    }
    if path.starts_with("/ghost/api/") || path.starts_with("/api/") {
        return Ok(crate::api::ApiError::new(StatusCode::NOT_FOUND, "NotFoundError", "Resource not found").context(format!("There is no API endpoint at {path}.")).into_response());
    }
    if let Some(to) = with_trailing_slash(path, &state.site()) {
        let query = uri.query().map(|q| format!("?{q}")).unwrap_or_default();
        return Ok(moved(&format!("{to}{query}")));
    }
    Err(not_found())
}

/// The address a known page has with its trailing slash, for a request that left it off.
/// Only single-slash, plain-segment paths qualify, so `//evil.example` can never become a
/// redirect to another host.
fn with_trailing_slash(path: &str, site: &SiteInfo) -> Option<String> {
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

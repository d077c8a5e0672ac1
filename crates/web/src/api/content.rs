//! Ghost's Content API at `/ghost/api/content/`: posts (live articles), pages (Marquee has
//! none), authors, tags (sections and tags), tiers and settings, read with a Content API key.
//! Answers are cached like pages, with an ETag, until content changes; drafts, scheduled and
//! unpublished articles never appear.

use super::filters::{order_listed, parse_filter, post_order, simple_match, tier_match};
use super::{ApiPath, POST_FORMATS, only_fields, query_pairs, read_browse, ApiError, ApiReply, Browse, ContentErrors, ContentKey, ErrorBody};
use crate::api_views::{self, Meta, Pagination, Post, PostAuthor, PostParts, Settings, Tag, Tier};
use crate::cache::CachedPage;
use crate::respond::{serve_cached, AppError};
use crate::site::SiteInfo;
use crate::state::AppState;
use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::IntoResponse;
use marquee_api::ids::{self, Kind};
use marquee_domain::time::now_unix;
use marquee_store::{Listing, PostFilter, PostQuery, Seek};
use serde::Serialize;
use utoipa::{IntoParams, ToSchema};

/// The browse parameters (documentation; the handlers read the query string themselves so
/// that `+` in a filter stays an AND).
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct BrowseParams {
    /// The Content API key made in the newsroom (26 hex digits).
    key: String,
    /// `authors`, `tags` (posts); `count.posts` (authors, tags). Others are ignored.
    include: Option<String>,
    /// Only these properties (and `id`) of each item, comma separated.
    fields: Option<String>,
    /// `html` (the default), `plaintext`, or both.
    formats: Option<String>,
    /// An NQL filter, e.g. `tag:movie-review+featured:true`.
    filter: Option<String>,
    /// Items a page: 1 to 10000, or `all`; 15 by default.
    limit: Option<String>,
    /// The page, from 1.
    page: Option<i64>,
    /// e.g. `published_at desc,title asc`.
    order: Option<String>,
}

/// The read parameters.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct ReadParams {
    /// The Content API key made in the newsroom.
    key: String,
    include: Option<String>,
    fields: Option<String>,
    formats: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct PostsPage {
    pub posts: Vec<Post>,
    pub meta: Meta,
}

#[derive(Serialize, ToSchema)]
pub struct PostsOne {
    pub posts: Vec<Post>,
}

#[derive(Serialize, ToSchema)]
pub struct PagesPage {
    pub pages: Vec<Post>,
    pub meta: Meta,
}

#[derive(Serialize, ToSchema)]
pub struct AuthorsPage {
    pub authors: Vec<PostAuthor>,
    pub meta: Meta,
}

#[derive(Serialize, ToSchema)]
pub struct AuthorsOne {
    pub authors: Vec<PostAuthor>,
}

#[derive(Serialize, ToSchema)]
pub struct TagsPage {
    pub tags: Vec<Tag>,
    pub meta: Meta,
}

#[derive(Serialize, ToSchema)]
pub struct TagsOne {
    pub tags: Vec<Tag>,
}

#[derive(Serialize, ToSchema)]
pub struct TiersPage {
    pub tiers: Vec<Tier>,
    pub meta: Meta,
}

#[derive(Serialize, ToSchema)]
pub struct SettingsBody {
    pub settings: Settings,
    #[schema(value_type = Object)]
    pub meta: serde_json::Value,
}

const BROWSE: &[&str] = &["key", "include", "fields", "formats", "filter", "limit", "page", "order"];
const READ: &[&str] = &["key", "include", "fields", "formats"];

/// Serves the answer for this path and query (the key left out) from the page cache, or
/// makes it; it stays until content changes (a minute at most when the filter names `now`),
/// with an ETag for conditional requests.
async fn cached_json<F, Fut>(state: &AppState, path: &str, raw: Option<&str>, request: &HeaderMap, make: F) -> ApiReply
where
    F: FnOnce() -> Fut,
    Fut: std::future::Future<Output = Result<String, ApiError>>,
{
    let query: Vec<&str> = raw.unwrap_or("").split('&').filter(|p| !p.is_empty() && !p.starts_with("key=")).collect();
    let key = format!("api:{path}?{}", query.join("&"));
    // A filter on a time relative to now (`published_at:>now-7d`) means something else a
    // minute later, whether or not content changed.
    let relative = query_pairs(raw)?.iter().any(|(k, v)| k == "filter" && v.to_ascii_lowercase().contains("now"));
    let changed = state.site().changed_at;
    let mut resp = serve_cached(state, Some(key), relative.then_some(60), request, || async move {
        make().await.map(|body| CachedPage::validated("application/json; charset=utf-8", body, changed)).map_err(|e| AppError::Response(e.into_response()))
    })
    .await;
    if resp.status().is_success() || resp.status() == axum::http::StatusCode::NOT_MODIFIED {
        resp.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=0"));
    }
    Ok(resp)
}

fn body<T: Serialize>(value: &T) -> Result<String, ApiError> {
    Ok(serde_json::to_string(value)?)
}

fn parts_of(b: &Browse) -> PostParts {
    PostParts { authors: b.include.iter().any(|i| i == "authors"), tags: b.include.iter().any(|i| i == "tags"), html: b.formats.iter().any(|f| f == "html"), plaintext: b.formats.iter().any(|f| f == "plaintext") }
}

fn wants_count(b: &Browse) -> bool {
    b.include.iter().any(|i| i == "count.posts")
}

async fn post_page(state: &AppState, site: &SiteInfo, b: &Browse, filter: Option<&PostFilter>) -> Result<(Vec<serde_json::Value>, i64), ApiError> {
    let order = post_order(&b.order);
    let now = now_unix();
    let mut offset = b.limit.map(|l| (b.page - 1) * l).unwrap_or(0);
    // Every post is the site's whole listing: its size is the listing's, counted once per
    // change of content, and newest first a deep page starts from the mark the server keeps
    // in it, as a typed page number of a section does, rather than skipping every post above.
    let mut after = None;
    let mut total = None;
    if filter.is_none() {
        total = Some(crate::parts::archive::listing_size(state, Listing::All, now).await?);
        if order.is_empty() && b.limit.is_some() {
            if let Seek::OlderSkip(t, id, skip) = crate::parts::archive::typed_page(state, Listing::All, now, Seek::Skip(offset)).await? {
                (after, offset) = (Some((t, id)), skip);
            }
        }
    }
    let q = PostQuery { filter, order: &order, limit: b.limit, offset, after, total, now, live_only: true };
    let (rows, total) = state.store().content_posts(&q).await?;
    let parts = parts_of(b);
    let salt = state.id_salt();
    let items = rows.iter().map(|r| serde_json::to_value(api_views::post(site, r, parts, &salt))).collect::<Result<Vec<_>, _>>()?;
    Ok((only_fields(items, &b.fields), total))
}

/// `GET /ghost/api/content/posts/`: live articles, newest first.
#[utoipa::path(get, path = "/ghost/api/content/posts/", tag = "Content API", params(BrowseParams),
    responses((status = 200, description = "A page of posts", body = PostsPage), ContentErrors))]
pub async fn posts(State(state): State<AppState>, _: ContentKey, RawQuery(raw): RawQuery, headers: HeaderMap) -> ApiReply {
    let pairs = query_pairs(raw.as_deref())?;
    let b = read_browse(&pairs, BROWSE, POST_FORMATS)?;
    let filter = parse_filter(b.filter.as_deref(), now_unix())?;
    cached_json(&state, "posts", raw.as_deref(), &headers, || async {
        let site = state.site();
        let (posts, total) = post_page(&state, &site, &b, filter.as_ref()).await?;
        body(&serde_json::json!({ "posts": posts, "meta": { "pagination": Pagination::new(b.page, b.limit, total) } }))
    })
    .await
}

async fn one_post(state: &AppState, raw: Option<&str>, headers: &HeaderMap, path: String, filter: PostFilter) -> ApiReply {
    let pairs = query_pairs(raw)?;
    let b = read_browse(&pairs, READ, POST_FORMATS)?;
    cached_json(state, &path, raw, headers, || async {
        let site = state.site();
        let (posts, _) = post_page(state, &site, &Browse { limit: Some(1), ..b }, Some(&filter)).await?;
        if posts.is_empty() {
            return Err(ApiError::not_found("Post", "read post"));
        }
        body(&serde_json::json!({ "posts": posts }))
    })
    .await
}

/// `GET /ghost/api/content/posts/{id}/`
#[utoipa::path(get, path = "/ghost/api/content/posts/{id}/", tag = "Content API", params(("id" = String, Path, description = "The post's id"), ReadParams),
    responses((status = 200, description = "The post", body = PostsOne), ContentErrors))]
pub async fn post(State(state): State<AppState>, _: ContentKey, ApiPath(id): ApiPath<String>, RawQuery(raw): RawQuery, headers: HeaderMap) -> ApiReply {
    let number = ids::number_of(Kind::Post, &id).ok_or_else(|| super::bad_id("post"))?;
    one_post(&state, raw.as_deref(), &headers, format!("posts/{number}"), PostFilter::Id(vec![number])).await
}

/// `GET /ghost/api/content/posts/slug/{slug}/`
#[utoipa::path(get, path = "/ghost/api/content/posts/slug/{slug}/", tag = "Content API", params(("slug" = String, Path, description = "The post's slug"), ReadParams),
    responses((status = 200, description = "The post", body = PostsOne), ContentErrors))]
pub async fn post_by_slug(State(state): State<AppState>, _: ContentKey, ApiPath(slug): ApiPath<String>, RawQuery(raw): RawQuery, headers: HeaderMap) -> ApiReply {
    let path = format!("posts/slug/{slug}");
    one_post(&state, raw.as_deref(), &headers, path, PostFilter::Slug(vec![slug])).await
}

/// `GET /ghost/api/content/pages/`: Marquee has no static pages, so the list is empty.
#[utoipa::path(get, path = "/ghost/api/content/pages/", tag = "Content API", params(BrowseParams),
    responses((status = 200, description = "An empty page of pages", body = PagesPage), ContentErrors))]
pub async fn pages(State(_state): State<AppState>, _: ContentKey, RawQuery(raw): RawQuery) -> ApiReply {
    let b = read_browse(&query_pairs(raw.as_deref())?, BROWSE, POST_FORMATS)?;
    Ok(super::json(axum::http::StatusCode::OK, &serde_json::json!({ "pages": [], "meta": { "pagination": Pagination::new(b.page, b.limit, 0) } })))
}

/// `GET /ghost/api/content/pages/{id}/` and `/pages/slug/{slug}/`: always 404.
#[utoipa::path(get, path = "/ghost/api/content/pages/{id}/", tag = "Content API", params(("id" = String, Path, description = "A page's id"), ReadParams),
    responses((status = 404, description = "Marquee has no pages", body = ErrorBody), ContentErrors))]
pub async fn page(_: ContentKey, ApiPath(_id): ApiPath<String>, RawQuery(raw): RawQuery) -> ApiReply {
    read_browse(&query_pairs(raw.as_deref())?, READ, POST_FORMATS)?;
    Err(ApiError::not_found("Page", "read page"))
}

/// `GET /ghost/api/content/pages/slug/{slug}/`
#[utoipa::path(get, path = "/ghost/api/content/pages/slug/{slug}/", tag = "Content API", params(("slug" = String, Path, description = "A page's slug"), ReadParams),
    responses((status = 404, description = "Marquee has no pages", body = ErrorBody), ContentErrors))]
pub async fn page_by_slug(_: ContentKey, ApiPath(_slug): ApiPath<String>, RawQuery(raw): RawQuery) -> ApiReply {
    read_browse(&query_pairs(raw.as_deref())?, READ, POST_FORMATS)?;
    Err(ApiError::not_found("Page", "read page"))
}

/// One page of a list made in memory (authors and tags are few).
/// One page of a list made in memory (authors, tags, tiers), in `order`, with `fields`.
fn paginate<T: Serialize>(items: Vec<T>, b: &Browse, fields: &[String]) -> Result<(Vec<serde_json::Value>, Pagination), ApiError> {
    let mut all: Vec<serde_json::Value> = items.into_iter().map(serde_json::to_value).collect::<Result<_, _>>()?;
    order_listed(&mut all, &b.order);
    let total = all.len() as i64;
    let start = b.limit.map(|l| ((b.page - 1) * l) as usize).unwrap_or(0);
    let page: Vec<serde_json::Value> = all.into_iter().skip(start).take(b.limit.map(|l| l as usize).unwrap_or(usize::MAX)).collect();
    Ok((only_fields(page, fields), Pagination::new(b.page, b.limit, total)))
}

async fn all_authors(state: &AppState, site: &SiteInfo, counts: bool) -> Result<Vec<PostAuthor>, ApiError> {
    let (_, per_author) = state.store().live_counts(now_unix()).await?;
    let authors = state.store().authors().await?;
    Ok(authors
        .iter()
        .filter_map(|a| {
            let n = per_author.iter().find(|(id, _)| *id == a.id).map(|(_, n)| *n).unwrap_or(0);
            // Only authors with published posts are listed, as in Ghost.
            (n > 0).then(|| api_views::author(site, a, counts.then_some(n)))
        })
        .collect())
}

/// `GET /ghost/api/content/authors/`: authors with live articles, by name.
#[utoipa::path(get, path = "/ghost/api/content/authors/", tag = "Content API", params(BrowseParams),
    responses((status = 200, description = "A page of authors", body = AuthorsPage), ContentErrors))]
pub async fn authors(State(state): State<AppState>, _: ContentKey, RawQuery(raw): RawQuery, headers: HeaderMap) -> ApiReply {
    let b = read_browse(&query_pairs(raw.as_deref())?, BROWSE, &[])?;
    let keep = simple_match(b.filter.as_deref(), "authors")?;
    cached_json(&state, "authors", raw.as_deref(), &headers, || async {
        let site = state.site();
        let mut list = all_authors(&state, &site, wants_count(&b)).await?;
        if let Some(keep) = keep {
            list.retain(|a| keep(&a.id, &a.slug));
        }
        let (authors, pagination) = paginate(list, &b, &b.fields)?;
        body(&serde_json::json!({ "authors": authors, "meta": { "pagination": pagination } }))
    })
    .await
}

async fn one_author(state: &AppState, raw: Option<&str>, headers: &HeaderMap, path: String, pick: impl Fn(&PostAuthor) -> bool + Send) -> ApiReply {
    let b = read_browse(&query_pairs(raw)?, READ, &[])?;
    cached_json(state, &path, raw, headers, || async {
        let site = state.site();
        let found: Vec<PostAuthor> = all_authors(state, &site, wants_count(&b)).await?.into_iter().filter(|a| pick(a)).take(1).collect();
        if found.is_empty() {
            return Err(ApiError::not_found("Author", "read author"));
        }
        let (authors, _) = paginate(found, &b, &b.fields)?;
        body(&serde_json::json!({ "authors": authors }))
    })
    .await
}

/// `GET /ghost/api/content/authors/{id}/`
#[utoipa::path(get, path = "/ghost/api/content/authors/{id}/", tag = "Content API", params(("id" = String, Path, description = "The author's id"), ReadParams),
    responses((status = 200, description = "The author", body = AuthorsOne), ContentErrors))]
pub async fn author(State(state): State<AppState>, _: ContentKey, ApiPath(id): ApiPath<String>, RawQuery(raw): RawQuery, headers: HeaderMap) -> ApiReply {
    // Ids are hex; the ones Marquee writes are lower case.
    let id = id.to_ascii_lowercase();
    ids::number_of(Kind::Author, &id).ok_or_else(|| super::bad_id("author"))?;
    let path = format!("authors/{id}");
    one_author(&state, raw.as_deref(), &headers, path, move |a| a.id == id).await
}

/// `GET /ghost/api/content/authors/slug/{slug}/`
#[utoipa::path(get, path = "/ghost/api/content/authors/slug/{slug}/", tag = "Content API", params(("slug" = String, Path, description = "The author's slug"), ReadParams),
    responses((status = 200, description = "The author", body = AuthorsOne), ContentErrors))]
pub async fn author_by_slug(State(state): State<AppState>, _: ContentKey, ApiPath(slug): ApiPath<String>, RawQuery(raw): RawQuery, headers: HeaderMap) -> ApiReply {
    let path = format!("authors/slug/{slug}");
    one_author(&state, raw.as_deref(), &headers, path, move |a| a.slug == slug).await
}

/// Sections (each with its live articles) then tags with live articles, by name.
async fn all_tags(state: &AppState, site: &SiteInfo, counts: bool) -> Result<Vec<Tag>, ApiError> {
    let now = now_unix();
    let (per_section, _) = state.store().live_counts(now).await?;
    let mut list: Vec<Tag> = site
        .sections
        .iter()
        .filter_map(|s| {
            let n = per_section.iter().find(|(id, _)| *id == s.id).map(|(_, n)| *n).unwrap_or(0);
            (n > 0).then(|| api_views::section_tag(site, s, counts.then_some(n)))
        })
        .collect();
    for (t, n) in state.store().tags_with_counts(now).await? {
        if n > 0 && !list.iter().any(|x| x.slug == t.slug) {
            list.push(api_views::plain_tag(site, &t, counts.then_some(n)));
        }
    }
    list.sort_by(|a, b| a.name.to_lowercase().cmp(&b.name.to_lowercase()).then(a.id.cmp(&b.id)));
    Ok(list)
}

/// `GET /ghost/api/content/tags/`: sections and tags that live articles carry, by name.
#[utoipa::path(get, path = "/ghost/api/content/tags/", tag = "Content API", params(BrowseParams),
    responses((status = 200, description = "A page of tags", body = TagsPage), ContentErrors))]
pub async fn tags(State(state): State<AppState>, _: ContentKey, RawQuery(raw): RawQuery, headers: HeaderMap) -> ApiReply {
    let b = read_browse(&query_pairs(raw.as_deref())?, BROWSE, &[])?;
    let keep = simple_match(b.filter.as_deref(), "tags")?;
    cached_json(&state, "tags", raw.as_deref(), &headers, || async {
        let site = state.site();
        let mut list = all_tags(&state, &site, wants_count(&b)).await?;
        if let Some(keep) = keep {
            list.retain(|t| keep(&t.id, &t.slug));
        }
        let (tags, pagination) = paginate(list, &b, &b.fields)?;
        body(&serde_json::json!({ "tags": tags, "meta": { "pagination": pagination } }))
    })
    .await
}

async fn one_tag(state: &AppState, raw: Option<&str>, headers: &HeaderMap, path: String, pick: impl Fn(&Tag) -> bool + Send) -> ApiReply {
    let b = read_browse(&query_pairs(raw)?, READ, &[])?;
    cached_json(state, &path, raw, headers, || async {
        let site = state.site();
        let found: Vec<Tag> = all_tags(state, &site, wants_count(&b)).await?.into_iter().filter(|t| pick(t)).take(1).collect();
        if found.is_empty() {
            return Err(ApiError::not_found("Tag", "read tag"));
        }
        let (tags, _) = paginate(found, &b, &b.fields)?;
        body(&serde_json::json!({ "tags": tags }))
    })
    .await
}

/// `GET /ghost/api/content/tags/{id}/`
#[utoipa::path(get, path = "/ghost/api/content/tags/{id}/", tag = "Content API", params(("id" = String, Path, description = "The tag's id"), ReadParams),
    responses((status = 200, description = "The tag", body = TagsOne), ContentErrors))]
pub async fn tag(State(state): State<AppState>, _: ContentKey, ApiPath(id): ApiPath<String>, RawQuery(raw): RawQuery, headers: HeaderMap) -> ApiReply {
    let id = id.to_ascii_lowercase();
    if ids::number_of(Kind::Tag, &id).or_else(|| ids::number_of(Kind::Section, &id)).is_none() {
        return Err(super::bad_id("tag"));
    }
    let path = format!("tags/{id}");
    one_tag(&state, raw.as_deref(), &headers, path, move |t| t.id == id).await
}

/// `GET /ghost/api/content/tags/slug/{slug}/`
#[utoipa::path(get, path = "/ghost/api/content/tags/slug/{slug}/", tag = "Content API", params(("slug" = String, Path, description = "The tag's slug"), ReadParams),
    responses((status = 200, description = "The tag", body = TagsOne), ContentErrors))]
pub async fn tag_by_slug(State(state): State<AppState>, _: ContentKey, ApiPath(slug): ApiPath<String>, RawQuery(raw): RawQuery, headers: HeaderMap) -> ApiReply {
    let path = format!("tags/slug/{slug}");
    one_tag(&state, raw.as_deref(), &headers, path, move |t| t.slug == slug).await
}

/// `GET /ghost/api/content/tiers/`: the one free tier.
#[utoipa::path(get, path = "/ghost/api/content/tiers/", tag = "Content API", params(BrowseParams),
    responses((status = 200, description = "The tiers", body = TiersPage), ContentErrors))]
pub async fn tiers(State(state): State<AppState>, _: ContentKey, RawQuery(raw): RawQuery) -> ApiReply {
    let b = read_browse(&query_pairs(raw.as_deref())?, BROWSE, &[])?;
    let keep = tier_match(b.filter.as_deref())?;
    let mut tiers = vec![serde_json::to_value(api_views::free_tier(&state.site()))?];
    if let Some(keep) = keep {
        tiers.retain(|t| keep(t));
    }
    let (tiers, pagination) = paginate(tiers, &b, &b.fields)?;
    Ok(super::json(axum::http::StatusCode::OK, &serde_json::json!({ "tiers": tiers, "meta": { "pagination": pagination } })))
}

/// `GET /ghost/api/content/settings/`: the site's public settings.
#[utoipa::path(get, path = "/ghost/api/content/settings/", tag = "Content API", params(("key" = String, Query, description = "The Content API key")),
    responses((status = 200, description = "The settings", body = SettingsBody), ContentErrors))]
pub async fn settings(State(state): State<AppState>, _: ContentKey, RawQuery(raw): RawQuery, headers: HeaderMap) -> ApiReply {
    read_browse(&query_pairs(raw.as_deref())?, &["key"], &[])?;
    cached_json(&state, "settings", raw.as_deref(), &headers, || async { body(&serde_json::json!({ "settings": api_views::settings(&state.site()), "meta": {} })) }).await
}


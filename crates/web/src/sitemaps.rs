//! Sitemaps for search engines (sitemaps.org) and robots.txt.
//!
//! `/sitemap.xml` is an index of child sitemaps: `/sitemaps/{kind}-{n}.xml` for each kind of
//! public page in `marquee_store::SITEMAP_KINDS`, and `/sitemaps/news.xml`, a Google News
//! sitemap of the last two days' articles. File n of a kind lists the public rows with ids in
//! ((n - 1) * `sitemap_page_size`, n * `sitemap_page_size`], so at most that many URLs, and
//! finding a file takes no count and no OFFSET; the index leaves out ranges with no public
//! row. A child sitemap is streamed: its rows are read a batch at a time in id order and
//! written as they come, so no sitemap is ever whole in memory. Sitemaps are not kept in the
//! page cache.

use crate::cache::CachedPage;
use crate::respond::{not_found, serve_cached, Reply};
use crate::site::SiteInfo;
use crate::state::AppState;
use crate::xml::Xml;
use axum::body::{Body, Bytes};
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use marquee_domain::time::{now_unix, rfc3339};
use marquee_store::{SitemapKind, Store, SITEMAP_KINDS};
use std::sync::Arc;

const SITEMAP_NS: &str = "http://www.sitemaps.org/schemas/sitemap/0.9";
const NEWS_NS: &str = "http://www.google.com/schemas/sitemap-news/0.9";
const XML: &str = "application/xml; charset=utf-8";
/// Rows read from the database at a time while a sitemap streams.
const BATCH: i64 = 1_000;
/// The news sitemap: articles of the last two days, at most 1,000 (Google's rules).
const NEWS_WINDOW_SECS: i64 = 2 * 24 * 3600;
const NEWS_MAX: i64 = 1_000;
/// What crawlers are asked to leave alone: the newsroom, readers' accounts, comment forms and
/// unsubscribe links. (`$` anchors the end for the crawlers that read it; the others see no
/// such path.)
const PRIVATE: &[&str] = &["/admin/", "/account/", "/comments/", "/unsubscribe$", "/unsubscribe?"];

pub fn routes() -> Router<AppState> {
    Router::new().route("/sitemap.xml", get(index)).route("/sitemaps/{file}", get(child)).route("/robots.txt", get(robots))
}

/// How many id ranges of `page_size` reach the id `last`.
fn files(last: i64, page_size: i64) -> i64 {
    (last + page_size - 1) / page_size
}

fn page_size(state: &AppState) -> i64 {
    state.0.config.sitemap_page_size.clamp(1, 50_000)
}

fn xml(body: impl Into<Body>) -> Reply {
    Ok(([(header::CONTENT_TYPE, XML)], body.into()).into_response())
}

/// The sitemap index: every child file that has URLs in it.
async fn index(State(state): State<AppState>) -> Reply {
    let site = state.site();
    let store = state.store();
    let now = now_unix();
    let size = page_size(&state);
    let mut children = Vec::new();
    for kind in SITEMAP_KINDS {
        let last = store.sitemap_last_id(kind).await?.unwrap_or(0);
        for n in 1..=files(last, size) {
            if store.sitemap_has_rows(kind, now, (n - 1) * size, n * size).await? {
                children.push(format!("{}-{n}.xml", kind.name));
            }
        }
    }
    match store.news_rows(now, now - NEWS_WINDOW_SECS, 1).await? {
        recent if !recent.is_empty() => children.push("news.xml".into()),
        _ => {}
    }
    let mut x = Xml::document();
    x.open("sitemapindex", &[("xmlns", SITEMAP_NS)]);
    for file in children {
        x.open("sitemap", &[]).text("loc", &[], &format!("{}/sitemaps/{file}", site.base())).close("sitemap");
    }
    x.close("sitemapindex");
    xml(x.finish())
}

/// `/sitemaps/news.xml` or `/sitemaps/{kind}-{n}.xml`.
async fn child(State(state): State<AppState>, Path(file): Path<String>) -> Reply {
    if file == "news.xml" {
        return news(&state).await;
    }
    let parsed = file.strip_suffix(".xml").and_then(|stem| stem.rsplit_once('-')).and_then(|(name, n)| {
        let number = n.parse::<i64>().ok().filter(|k| *k >= 1 && k.to_string() == n)?;
        Some((SitemapKind::by_name(name)?, number))
    });
    let Some((kind, n)) = parsed else { return Err(not_found()) };
    let store = state.store();
    let now = now_unix();
    let size = page_size(&state);
    // File n holds the public rows with ids in ((n - 1) * size, n * size].
    let last = store.sitemap_last_id(kind).await?.unwrap_or(0);
    // The number comes from the address: past the last file it is refused before any
    // arithmetic with it.
    if n > files(last, size) {
        return Err(not_found());
    }
    let (after, upto) = ((n - 1) * size, n * size);
    if !store.sitemap_has_rows(kind, now, after, upto).await? {
        return Err(not_found());
    }
    xml(stream_urlset(&state, kind, now, after, upto))
}

/// Where a streaming sitemap is.
enum Step {
    Open,
    /// Rows after this id are next.
    Rows { after: i64 },
    Close,
    Done,
}

struct Streaming {
    store: Store,
    site: Arc<SiteInfo>,
    kind: &'static SitemapKind,
    now: i64,
    /// The last id the file covers.
    upto: i64,
}

/// A `<urlset>` of the public rows of `kind` with ids in (`after`, `upto`], written batch by
/// batch.
fn stream_urlset(state: &AppState, kind: &'static SitemapKind, now: i64, after: i64, upto: i64) -> Body {
    let ctx = Arc::new(Streaming { store: state.store().clone(), site: state.site(), kind, now, upto });
    let chunks = futures_util::stream::unfold(Step::Open, move |step| {
        let ctx = ctx.clone();
        async move {
            let (chunk, next) = match step {
                Step::Done => return None,
                Step::Open => {
                    let mut x = Xml::document();
                    x.open("urlset", &[("xmlns", SITEMAP_NS)]);
                    (x.finish(), Step::Rows { after })
                }
                Step::Rows { after } => {
                    let rows = match ctx.store.sitemap_rows(ctx.kind, ctx.now, after, ctx.upto, BATCH).await {
                        Ok(rows) => rows,
                        Err(e) => {
                            // The status line is gone already: cut the body short so the file is
                            // plainly broken rather than quietly incomplete.
                            tracing::error!("sitemap {} failed while streaming: {e}", ctx.kind.name);
                            return Some((Err(std::io::Error::other(e)), Step::Done));
                        }
                    };
                    let mut x = Xml::default();
                    for row in &rows {
                        url(&mut x, &ctx.site, &row.path, row.lastmod);
                    }
                    let next = match rows.last() {
                        Some(last) if rows.len() as i64 == BATCH => Step::Rows { after: last.id },
                        _ => Step::Close,
                    };
                    (x.finish(), next)
                }
                Step::Close => ("</urlset>\n".to_string(), Step::Done),
            };
            Some((Ok(Bytes::from(chunk)), next))
        }
    });
    Body::from_stream(chunks)
}

/// One `<url>`, absolute, with its last change when known.
fn url(x: &mut Xml, site: &SiteInfo, path: &str, lastmod: Option<i64>) {
    x.open("url", &[]).text("loc", &[], &format!("{}{path}", site.base()));
    if let Some(t) = lastmod {
        x.text("lastmod", &[], &rfc3339(t, &site.tz));
    }
    x.close("url");
}

/// The Google News sitemap: live articles published in the last two days, newest first.
async fn news(state: &AppState) -> Reply {
    let site = state.site();
    let now = now_unix();
    let rows = state.store().news_rows(now, now - NEWS_WINDOW_SECS, NEWS_MAX).await?;
    let mut x = Xml::document();
    x.open("urlset", &[("xmlns", SITEMAP_NS), ("xmlns:news", NEWS_NS)]);
    for row in rows {
        x.open("url", &[])
            .text("loc", &[], &format!("{}{}", site.base(), row.path))
            .open("news:news", &[])
            .open("news:publication", &[])
            .text("news:name", &[], &site.publication.name)
            .text("news:language", &[], "en")
            .close("news:publication")
            .text("news:publication_date", &[], &rfc3339(row.publish_at, &site.tz))
            .text("news:title", &[], &row.headline)
            .close("news:news")
            .close("url");
    }
    x.close("urlset");
    xml(x.finish())
}

/// Crawl everything readers see, nothing private, and find the sitemap index.
async fn robots(State(state): State<AppState>, request: HeaderMap) -> Reply {
    Ok(serve_cached(&state, Some("/robots.txt".into()), None, &request, || async {
        let site = state.site();
        let base: String = site.base().chars().filter(|c| !c.is_control()).collect();
        let mut body = String::from("User-agent: *\n");
        for path in PRIVATE {
            body.push_str(&format!("Disallow: {path}\n"));
        }
        body.push_str(&format!("Allow: /\n\nSitemap: {base}/sitemap.xml\n"));
        Ok(CachedPage::new(StatusCode::OK, "text/plain; charset=utf-8", body))
    })
    .await)
}

//! Feeds of the newest live articles in RSS 2.0 (`feed.xml`), Atom 1.0 (`atom.xml`) and JSON
//! Feed 1.1 (`feed.json`), for the whole site (`/feed.xml`) and under every section, author and
//! tag page (`/movie-review/atom.xml`, `/authors/{slug}/feed.json`, `/tags/{slug}/feed.xml`).
//! They live in the page cache like pages, carry an ETag (a digest of the body) and a
//! Last-Modified (the newest publication or revision in them), and answer a conditional GET
//! with 304.
//!
//! An entry's id is a tag URI (RFC 4151) made of the base URL's host, the UTC day the article
//! was first saved and its row id, e.g. `tag:paper.example,2026-11-24:article:42`. None of these
//! change when the headline, slug or section does, so a feed reader never shows an edited
//! article twice. (Moving the site to another host name does change them.)

use crate::cache::CachedPage;
use crate::parts::archive::{archive_subject, Archive};
use crate::respond::{not_found, serve_cached, AppError, Reply};
use crate::site::SiteInfo;
use crate::state::AppState;
use crate::views::{feed_title, Format};
use crate::xml::Xml;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::routing::get;
use axum::Router;
use marquee_domain::time::{now_unix, rfc3339, rfc822, utc_date};
use marquee_store::{FeedArticle, Listing};
use serde_json::json;

/// Articles per feed.
const FEED_LENGTH: i64 = 20;
const ATOM_NS: &str = "http://www.w3.org/2005/Atom";

/// What a feed covers, as its address says.
enum Scope {
    Site,
    Section(String),
    Archive(Archive, String),
}

impl Scope {
    /// The HTML page the feed follows; its feed files sit under it.
    fn page(&self) -> String {
        match self {
            Scope::Site => "/".into(),
            Scope::Section(slug) => format!("/{slug}/"),
            Scope::Archive(kind, slug) => format!("/{}/{slug}/", kind.prefix()),
        }
    }

    /// The listing and its name, or `None` when nothing is at that address.
    async fn resolve(&self, state: &AppState, site: &SiteInfo) -> Result<Option<(Listing, Option<String>)>, AppError> {
        Ok(match self {
            Scope::Site => Some((Listing::All, None)),
            Scope::Section(slug) => site.sections.iter().find(|s| s.slug == *slug).map(|s| (Listing::Section(s.id), Some(s.name.clone()))),
            Scope::Archive(kind, slug) => archive_subject(state, *kind, slug).await?.map(|s| (s.listing, Some(s.name))),
        })
    }
}

/// Every feed address: three formats under the home page and each section, author and tag.
/// Static file names outrank `/{section}/{slug}/` in the router, and article slugs cannot
/// contain a dot, so the two never meet.
pub fn routes() -> Router<AppState> {
    let mut router = Router::new();
    for format in Format::ALL {
        let file = format.file();
        router = router
            .route(&format!("/{file}"), get(move |State(state): State<AppState>, request: HeaderMap| serve(state, request, format, Scope::Site)))
            .route(
                &format!("/{{section}}/{file}"),
                get(move |State(state): State<AppState>, Path(slug): Path<String>, request: HeaderMap| serve(state, request, format, Scope::Section(slug))),
            )
            .route(
                &format!("/authors/{{slug}}/{file}"),
                get(move |State(state): State<AppState>, Path(slug): Path<String>, request: HeaderMap| {
                    serve(state, request, format, Scope::Archive(Archive::Author, slug))
                }),
            )
            .route(
                &format!("/tags/{{slug}}/{file}"),
                get(move |State(state): State<AppState>, Path(slug): Path<String>, request: HeaderMap| serve(state, request, format, Scope::Archive(Archive::Tag, slug))),
            );
    }
    router
}

async fn serve(state: AppState, request: HeaderMap, format: Format, scope: Scope) -> Reply {
    let page = scope.page();
    Ok(serve_cached(&state, Some(format!("{page}{}", format.file())), None, &request, || async {
        let site = state.site();
        let Some((listing, name)) = scope.resolve(&state, &site).await? else {
            return Err(not_found());
        };
        let articles = state.store().feed_articles(listing, now_unix(), FEED_LENGTH).await?;
        let feed = Feed::new(&site, name.as_deref(), &page, format, &articles);
        let body = match format {
            Format::Rss => feed.rss(),
            Format::Atom => feed.atom(),
            Format::Json => feed.json(),
        };
        // The header may not go back in time: unpublishing the newest story makes the feed's
        // newest date older, yet the feed changed. The time this server saw the change bounds it.
        Ok(CachedPage::validated(format.content_type(), body, feed.updated.max(site.changed_at)))
    })
    .await)
}

/// A feed, ready to be written in any format.
struct Feed<'a> {
    site: &'a SiteInfo,
    title: String,
    description: String,
    /// The HTML page it follows, absolute.
    home: String,
    /// Its own address, absolute; also the Atom feed's id.
    self_url: String,
    format: Format,
    /// The newest change in it (Unix seconds).
    updated: i64,
    entries: Vec<Entry>,
}

struct Entry {
    id: String,
    url: String,
    title: String,
    summary: String,
    content_html: String,
    published: i64,
    updated: i64,
    /// Names and author pages, absolute.
    authors: Vec<(String, String)>,
    /// The section's name, then the tags'.
    categories: Vec<String>,
}

impl<'a> Feed<'a> {
    fn new(site: &'a SiteInfo, name: Option<&str>, page: &str, format: Format, articles: &[FeedArticle]) -> Feed<'a> {
        let base = site.base();
        let host = host_of(base);
        let entries: Vec<Entry> = articles
            .iter()
            .map(|a| {
                let c = &a.card;
                let mut authors: Vec<(String, String)> = c.authors.iter().map(|p| (p.name.clone(), format!("{base}/authors/{}/", p.slug))).collect();
                if authors.is_empty() {
                    authors.push((site.publication.name.clone(), format!("{base}/")));
                }
                Entry {
                    id: format!("tag:{host},{}:article:{}", utc_date(a.created_at), c.id),
                    url: format!("{base}{}", c.path()),
                    title: c.headline.clone(),
                    summary: c.deck.clone(),
                    content_html: a.body_html.clone(),
                    published: c.publish_at,
                    updated: a.updated_at(),
                    authors,
                    categories: std::iter::once(c.section_name.clone()).chain(a.tags.iter().map(|t| t.name.clone())).collect(),
                }
            })
            .collect();
        let title = feed_title(site, name);
        Feed {
            site,
            description: format!("The newest articles from {title}."),
            title,
            home: format!("{base}{page}"),
            self_url: format!("{base}{page}{}", format.file()),
            format,
            updated: entries.iter().map(|e| e.updated).max().unwrap_or(site.changed_at),
            entries,
        }
    }

    fn rss(&self) -> String {
        let tz = &self.site.tz;
        let mut x = Xml::document();
        x.open(
            "rss",
            &[("version", "2.0"), ("xmlns:atom", ATOM_NS), ("xmlns:content", "http://purl.org/rss/1.0/modules/content/"), ("xmlns:dc", "http://purl.org/dc/elements/1.1/")],
        )
        .open("channel", &[])
        .text("title", &[], &self.title)
        .text("link", &[], &self.home)
        .text("description", &[], &marquee_domain::media::escape_html(&self.description))
        .text("language", &[], "en")
        .text("copyright", &[], &self.site.publication.copyright)
        .text("lastBuildDate", &[], &rfc822(self.updated, tz))
        .text("generator", &[], "Marquee")
        .empty("atom:link", &[("href", &self.self_url), ("rel", "self"), ("type", self.format.media_type())]);
        for e in &self.entries {
            x.open("item", &[])
                .text("title", &[], &e.title)
                .text("link", &[], &e.url)
                .text("guid", &[("isPermaLink", "false")], &e.id)
                .text("pubDate", &[], &rfc822(e.published, tz));
            for (name, _) in &e.authors {
                x.text("dc:creator", &[], name);
            }
            for c in &e.categories {
                x.text("category", &[], c);
            }
            // Readers take an RSS description as HTML, and the deck is plain text.
            if !e.summary.is_empty() {
                x.text("description", &[], &marquee_domain::media::escape_html(&e.summary));
            }
            x.text("content:encoded", &[], &e.content_html).close("item");
        }
        x.close("channel").close("rss");
        x.finish()
    }

    fn atom(&self) -> String {
        let tz = &self.site.tz;
        let mut x = Xml::document();
        x.open("feed", &[("xmlns", ATOM_NS), ("xml:lang", "en")])
            .text("title", &[], &self.title)
            .text("subtitle", &[], &self.description)
            .text("id", &[], &self.self_url)
            .text("updated", &[], &rfc3339(self.updated, tz))
            .empty("link", &[("rel", "self"), ("type", self.format.media_type()), ("href", &self.self_url)])
            .empty("link", &[("rel", "alternate"), ("type", "text/html"), ("href", &self.home)])
            .text("rights", &[], &self.site.publication.copyright)
            .text("generator", &[], "Marquee");
        for e in &self.entries {
            x.open("entry", &[])
                .text("title", &[], &e.title)
                .empty("link", &[("rel", "alternate"), ("type", "text/html"), ("href", &e.url)])
                .text("id", &[], &e.id)
                .text("published", &[], &rfc3339(e.published, tz))
                .text("updated", &[], &rfc3339(e.updated, tz));
            for (name, url) in &e.authors {
                x.open("author", &[]).text("name", &[], name).text("uri", &[], url).close("author");
            }
            for c in &e.categories {
                x.empty("category", &[("term", c)]);
            }
            if !e.summary.is_empty() {
                x.text("summary", &[], &e.summary);
            }
            x.text("content", &[("type", "html")], &e.content_html).close("entry");
        }
        x.close("feed");
        x.finish()
    }

    fn json(&self) -> String {
        let tz = &self.site.tz;
        let items: Vec<_> = self
            .entries
            .iter()
            .map(|e| {
                let mut item = json!({
                    "id": e.id,
                    "url": e.url,
                    "title": e.title,
                    "content_html": e.content_html,
                    "date_published": rfc3339(e.published, tz),
                    "date_modified": rfc3339(e.updated, tz),
                    "authors": e.authors.iter().map(|(name, url)| json!({"name": name, "url": url})).collect::<Vec<_>>(),
                    "tags": e.categories,
                });
                if !e.summary.is_empty() {
                    item["summary"] = json!(e.summary);
                }
                item
            })
            .collect();
        let feed = json!({
            "version": "https://jsonfeed.org/version/1.1",
            "title": self.title,
            "description": self.description,
            "home_page_url": self.home,
            "feed_url": self.self_url,
            "language": "en",
            "items": items,
        });
        feed.to_string()
    }
}

/// The host of a base URL, without scheme, credentials or port: the tag URI's authority.
fn host_of(base: &str) -> String {
    let rest = base.split_once("://").map_or(base, |(_, r)| r);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = if host.starts_with('[') { host } else { host.split(':').next().unwrap_or_default() };
    host.to_ascii_lowercase()
}

#[cfg(test)]
mod tests {
    use super::host_of;

    #[test]
    fn tag_uri_authority() {
        assert_eq!(host_of("https://Paper.Example"), "paper.example");
        assert_eq!(host_of("http://127.0.0.1:8080/"), "127.0.0.1");
        assert_eq!(host_of("https://user@news.example:443/weekly"), "news.example");
    }
}

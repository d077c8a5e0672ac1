//! Plain structs the templates receive. Dates are formatted here, in the publication's zone.

use crate::site::SiteInfo;
use marquee_domain::time::{long_date, long_datetime, rfc3339};
use marquee_store::{ArticleCard, AuthorRef};
use serde::Serialize;

#[derive(Serialize)]
pub struct Layout {
    pub site_name: String,
    pub copyright: String,
    pub base_url: String,
    pub nav: Vec<NavItem>,
    /// The site's feeds, linked from every page's head.
    pub feeds: Vec<FeedLink>,
}

#[derive(Serialize)]
pub struct NavItem {
    pub name: String,
    pub url: String,
    pub current: bool,
}

impl Layout {
    pub fn new(site: &SiteInfo, current_section: Option<&str>) -> Layout {
        Layout {
            site_name: site.publication.name.clone(),
            copyright: site.publication.copyright.clone(),
            base_url: site.publication.base_url.trim_end_matches('/').to_string(),
            nav: site
                .sections
                .iter()
                .map(|s| NavItem { name: s.name.clone(), url: format!("/{}/", s.slug), current: Some(s.slug.as_str()) == current_section })
                // "events" is reserved, so no section can share its address or marker.
                .chain([NavItem { name: "Events".into(), url: "/events/".into(), current: current_section == Some("events") }])
                .collect(),
            feeds: feed_links(site, None, "/"),
        }
    }
}

#[derive(Serialize)]
pub struct AuthorLink {
    pub name: String,
    pub url: String,
}

pub fn author_links(authors: &[AuthorRef]) -> Vec<AuthorLink> {
    authors.iter().map(|a| AuthorLink { name: a.name.clone(), url: format!("/authors/{}/", a.slug) }).collect()
}

#[derive(Serialize)]
pub struct Card {
    pub url: String,
    pub headline: String,
    pub deck: String,
    pub section_name: String,
    pub section_url: String,
    pub date: String,
    pub date_iso: String,
    pub authors: Vec<AuthorLink>,
}

impl Card {
    pub fn new(c: &ArticleCard, site: &SiteInfo) -> Card {
        Card {
            url: c.path(),
            headline: c.headline.clone(),
            deck: c.deck.clone(),
            section_name: c.section_name.clone(),
            section_url: format!("/{}/", c.section_slug),
            date: long_date(c.publish_at, &site.tz),
            date_iso: rfc3339(c.publish_at, &site.tz),
            authors: author_links(&c.authors),
        }
    }

    pub fn list(cards: &[ArticleCard], site: &SiteInfo) -> Vec<Card> {
        cards.iter().map(|c| Card::new(c, site)).collect()
    }
}

#[derive(Serialize)]
pub struct Pager {
    pub page: i64,
    pub pages: i64,
    pub prev_url: Option<String>,
    pub next_url: Option<String>,
}

impl Pager {
    pub fn new(base: &str, page: i64, per_page: i64, total: i64) -> Pager {
        let pages = ((total + per_page - 1) / per_page).max(1);
        let sep = if base.contains('?') { '&' } else { '?' };
        let url = |p: i64| if p == 1 { base.to_string() } else { format!("{base}{sep}page={p}") };
        Pager {
            page,
            pages,
            prev_url: (page > 1).then(|| url(page - 1)),
            next_url: (page < pages).then(|| url(page + 1)),
        }
    }
}

/// "1900 Telegraph Ave, Oakland, CA 94612", leaving out the parts that are empty.
pub fn address_line(street: &str, city: &str, state: &str, postal_code: &str) -> String {
    let region = format!("{} {}", state.trim(), postal_code.trim());
    [street, city, region.as_str()].iter().map(|s| s.trim()).filter(|s| !s.is_empty()).collect::<Vec<_>>().join(", ")
}

/// The article (`/{section}/{slug}`) whose comment form posts to `path`
/// (`/{section}/{slug}/comments`, `…/subscribe` or `…/unsubscribe`); those forms act only for
/// a signed-in reader.
pub fn article_of_comment_form(path: &str) -> Option<&str> {
    let article = ["/comments", "/subscribe", "/unsubscribe"].iter().find_map(|end| path.strip_suffix(end))?;
    let mut segments = article.strip_prefix('/')?.split('/');
    let two = matches!((segments.next(), segments.next(), segments.next()), (Some(a), Some(b), None) if !a.is_empty() && !b.is_empty() && !matches!(a, "admin" | "api" | "ghost" | "account"));
    two.then_some(article)
}

/// Percent-encodes a string for use in a query parameter.
pub fn url_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[derive(Serialize)]
pub struct CastMember {
    pub name: String,
    pub url: String,
    pub character: String,
}

/// The Film Details box.
#[derive(Serialize)]
pub struct FilmDetails {
    pub url: String,
    pub title: String,
    /// Only when it differs from the title.
    pub original_title: Option<String>,
    pub rating: Option<String>,
    pub rating_body: Option<String>,
    pub runtime: Option<String>,
    pub year: Option<i64>,
    pub genres: Vec<String>,
    pub directors: Vec<AuthorLink>,
    pub producers: Vec<AuthorLink>,
    pub writers: Vec<AuthorLink>,
    pub cast: Vec<CastMember>,
}

impl FilmDetails {
    pub fn new(f: &marquee_store::Film, credits: &[marquee_store::Credit]) -> FilmDetails {
        let people = |role: &str| -> Vec<AuthorLink> {
            credits
                .iter()
                .filter(|c| c.role == role)
                .map(|c| AuthorLink { name: c.person_name.clone(), url: format!("/people/{}/", c.person_slug) })
                .collect()
        };
        FilmDetails {
            url: format!("/films/{}/", f.slug),
            title: f.title.clone(),
            original_title: Some(f.original_title.clone()).filter(|o| !o.is_empty() && *o != f.title),
            rating: f.certification.clone(),
            rating_body: f.certification_body.clone(),
            runtime: f.runtime_minutes.map(marquee_domain::film::runtime_text),
            year: f.year,
            genres: f.genres.lines().filter(|g| !g.is_empty()).map(str::to_string).collect(),
            directors: people("director"),
            producers: people("producer"),
            writers: people("writer"),
            cast: credits
                .iter()
                .filter(|c| c.role == "cast")
                .map(|c| CastMember { name: c.person_name.clone(), url: format!("/people/{}/", c.person_slug), character: c.character.clone() })
                .collect(),
        }
    }
}

// ----- feed addresses -----

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Rss,
    Atom,
    Json,
}

impl Format {
    pub const ALL: [Format; 3] = [Format::Rss, Format::Atom, Format::Json];

    /// The file name under the page the feed follows.
    pub fn file(self) -> &'static str {
        match self {
            Format::Rss => "feed.xml",
            Format::Atom => "atom.xml",
            Format::Json => "feed.json",
        }
    }

    pub fn media_type(self) -> &'static str {
        match self {
            Format::Rss => "application/rss+xml",
            Format::Atom => "application/atom+xml",
            Format::Json => "application/feed+json",
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Format::Rss => "application/rss+xml; charset=utf-8",
            Format::Atom => "application/atom+xml; charset=utf-8",
            Format::Json => "application/feed+json; charset=utf-8",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Format::Rss => "RSS",
            Format::Atom => "Atom",
            Format::Json => "JSON Feed",
        }
    }
}

/// A `<link rel="alternate">` in a page's head, by which feed readers find the feeds.
#[derive(Serialize)]
pub struct FeedLink {
    #[serde(rename = "type")]
    pub media_type: &'static str,
    pub title: String,
    pub href: String,
}

/// The three feeds of the page at `page` (a path ending in `/`), named after `name` (a section,
/// author or tag), or the site's own when `None`.
pub fn feed_links(site: &SiteInfo, name: Option<&str>, page: &str) -> Vec<FeedLink> {
    let title = feed_title(site, name);
    Format::ALL
        .iter()
        .map(|f| FeedLink { media_type: f.media_type(), title: format!("{title} ({})", f.label()), href: format!("{page}{}", f.file()) })
        .collect()
}

pub fn feed_title(site: &SiteInfo, name: Option<&str>) -> String {
    match name {
        Some(n) => format!("{}: {n}", site.publication.name),
        None => site.publication.name.clone(),
    }
}

// ----- an article -----

#[derive(Serialize)]
pub struct ArticleView {
    pub url: String,
    pub section_name: String,
    pub section_url: String,
    pub headline: String,
    pub deck: String,
    pub authors: Vec<AuthorLink>,
    pub date: String,
    pub date_iso: String,
    pub updated: Option<String>,
    pub updated_iso: Option<String>,
    pub body_html: String,
    pub tags: Vec<AuthorLink>,
    /// Stars out of 5, for a rated review.
    pub rating: Option<i64>,
    pub lead: Option<LeadImage>,
}

/// An article's lead image: the figure above the body, and what link previews and search
/// engines are given.
#[derive(Serialize)]
pub struct LeadImage {
    pub figure_html: String,
    /// The widest rendition, as an absolute URL.
    pub url: String,
    pub width: u32,
    pub height: u32,
    pub alt: String,
}

impl LeadImage {
    pub fn new(img: &marquee_domain::media::MediaImage, site: &SiteInfo) -> LeadImage {
        LeadImage {
            // Above the fold: loaded at once, not lazily.
            figure_html: img.figure("", marquee_domain::media::COLUMN_SIZES, false),
            url: format!("{}{}", site.publication.base_url.trim_end_matches('/'), img.largest_url()),
            width: img.width,
            height: img.height,
            alt: img.alt.clone(),
        }
    }
}

pub fn article_view(page: &marquee_store::ArticlePage, site: &SiteInfo) -> ArticleView {
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
        tags: page.tags.iter().map(|t| AuthorLink { name: t.name.clone(), url: format!("/tags/{}/", t.slug) }).collect(),
        rating: page.rating,
        lead: None,
    }
}

//! What the Ghost-compatible API shows: posts, authors, tags, tiers and settings in the shapes
//! Ghost 5's Content API gives them, made from Marquee's rows. Articles are posts: the section
//! is the primary tag, the deck the custom excerpt, the byline the authors in order. The same
//! shapes go into webhooks. Foundation: imports nothing above the site and the views.

use crate::site::SiteInfo;
use marquee_api::ids::{self, Kind};
use marquee_store::{Author, LeadImage, MediaRow, PostRow, Section, TagRef};
use serde::Serialize;
use utoipa::ToSchema;

/// Ghost's reading speed, in words a minute.
const WORDS_PER_MINUTE: usize = 275;
/// An excerpt made from the text is this long at most.
const EXCERPT_CHARS: usize = 500;

/// An instant as the Content API writes it: `2026-11-26T02:44:17.000+00:00`.
pub fn ghost_time(unix: i64) -> String {
    jiff::Timestamp::from_second(unix).map(|t| t.strftime("%Y-%m-%dT%H:%M:%S.000+00:00").to_string()).unwrap_or_default()
}

/// A post (a live article).
/// Every property may be left out: `fields=` keeps only those asked for.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Post {
    #[schema(required = false)]
    pub id: String,
    #[schema(required = false)]
    pub uuid: String,
    #[schema(required = false)]
    pub title: String,
    #[schema(required = false)]
    pub slug: String,
    /// Sanitized HTML of the body (with `formats=html`, the default).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(required = false)]
    pub html: Option<String>,
    /// The body as text (with `formats=plaintext`).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(required = false)]
    pub plaintext: Option<String>,
    #[schema(required = false)]
    pub comment_id: String,
    #[schema(required = false)]
    pub feature_image: Option<String>,
    #[schema(required = false)]
    pub feature_image_alt: Option<String>,
    #[schema(required = false)]
    pub feature_image_caption: Option<String>,
    #[schema(required = false)]
    pub featured: bool,
    /// Always `public`: every live article is open to everyone.
    #[schema(required = false)]
    pub visibility: String,
    #[schema(required = false)]
    pub created_at: String,
    #[schema(required = false)]
    pub updated_at: String,
    /// Null for a draft.
    #[schema(required = false)]
    pub published_at: Option<String>,
    /// The deck.
    #[schema(required = false)]
    pub custom_excerpt: Option<String>,
    #[schema(required = false)]
    pub codeinjection_head: Option<String>,
    #[schema(required = false)]
    pub codeinjection_foot: Option<String>,
    #[schema(required = false)]
    pub custom_template: Option<String>,
    #[schema(required = false)]
    pub canonical_url: Option<String>,
    #[schema(required = false)]
    pub url: String,
    #[schema(required = false)]
    pub excerpt: Option<String>,
    #[schema(required = false)]
    pub reading_time: i64,
    #[schema(required = false)]
    pub access: bool,
    #[schema(required = false)]
    pub comments: bool,
    #[schema(required = false)]
    pub og_image: Option<String>,
    #[schema(required = false)]
    pub og_title: Option<String>,
    #[schema(required = false)]
    pub og_description: Option<String>,
    #[schema(required = false)]
    pub twitter_image: Option<String>,
    #[schema(required = false)]
    pub twitter_title: Option<String>,
    #[schema(required = false)]
    pub twitter_description: Option<String>,
    #[schema(required = false)]
    pub meta_title: Option<String>,
    #[schema(required = false)]
    pub meta_description: Option<String>,
    #[schema(required = false)]
    pub email_subject: Option<String>,
    #[schema(required = false)]
    pub frontmatter: Option<String>,
    /// The byline in order (with `include=authors`).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(required = false)]
    pub authors: Option<Vec<PostAuthor>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(required = false)]
    pub primary_author: Option<PostAuthor>,
    /// The section first, then the article's tags (with `include=tags`).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(required = false)]
    pub tags: Option<Vec<Tag>>,
    /// The section (with `include=tags`).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(required = false)]
    pub primary_tag: Option<Tag>,
}

/// A post as the Admin API and webhooks show it: drafts and scheduled articles too, with their
/// state and the Markdown they are written in.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AdminPost {
    #[serde(flatten)]
    pub post: Post,
    /// `draft`, `scheduled` or `published`.
    #[schema(required = false)]
    pub status: String,
    /// The body as written, in Markdown (Marquee's own field).
    #[schema(required = false)]
    pub markdown: String,
}

/// A post's state as Ghost names it.
pub fn status_of(row: &PostRow, now: i64) -> &'static str {
    match (row.status.as_str(), row.card.publish_at) {
        ("draft", _) => "draft",
        (_, t) if t > now => "scheduled",
        _ => "published",
    }
}

/// Any article as the Admin API shows it, with authors, tags, HTML and text.
pub fn admin_post(site: &SiteInfo, row: &PostRow, salt: &str, now: i64) -> AdminPost {
    let parts = PostParts { authors: true, tags: true, html: true, plaintext: true };
    AdminPost { post: post(site, row, parts, salt), status: status_of(row, now).into(), markdown: row.body.clone() }
}

/// An author as a post names them.
/// Every property may be left out: `fields=` keeps only those asked for.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PostAuthor {
    #[schema(required = false)]
    pub id: String,
    #[schema(required = false)]
    pub name: String,
    #[schema(required = false)]
    pub slug: String,
    #[schema(required = false)]
    pub profile_image: Option<String>,
    #[schema(required = false)]
    pub cover_image: Option<String>,
    #[schema(required = false)]
    pub bio: Option<String>,
    #[schema(required = false)]
    pub website: Option<String>,
    #[schema(required = false)]
    pub location: Option<String>,
    #[schema(required = false)]
    pub facebook: Option<String>,
    #[schema(required = false)]
    pub twitter: Option<String>,
    #[schema(required = false)]
    pub meta_title: Option<String>,
    #[schema(required = false)]
    pub meta_description: Option<String>,
    #[schema(required = false)]
    pub url: String,
    /// With `include=count.posts`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(required = false)]
    pub count: Option<Count>,
}

/// A tag: one of Marquee's tags, or a section.
/// Every property may be left out: `fields=` keeps only those asked for.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Tag {
    #[schema(required = false)]
    pub id: String,
    #[schema(required = false)]
    pub name: String,
    #[schema(required = false)]
    pub slug: String,
    #[schema(required = false)]
    pub description: Option<String>,
    #[schema(required = false)]
    pub feature_image: Option<String>,
    #[schema(required = false)]
    pub visibility: String,
    #[schema(required = false)]
    pub og_image: Option<String>,
    #[schema(required = false)]
    pub og_title: Option<String>,
    #[schema(required = false)]
    pub og_description: Option<String>,
    #[schema(required = false)]
    pub twitter_image: Option<String>,
    #[schema(required = false)]
    pub twitter_title: Option<String>,
    #[schema(required = false)]
    pub twitter_description: Option<String>,
    #[schema(required = false)]
    pub meta_title: Option<String>,
    #[schema(required = false)]
    pub meta_description: Option<String>,
    #[schema(required = false)]
    pub codeinjection_head: Option<String>,
    #[schema(required = false)]
    pub codeinjection_foot: Option<String>,
    #[schema(required = false)]
    pub canonical_url: Option<String>,
    #[schema(required = false)]
    pub accent_color: Option<String>,
    #[schema(required = false)]
    pub url: String,
    /// With `include=count.posts`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(required = false)]
    pub count: Option<Count>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Count {
    pub posts: i64,
}

/// A membership tier: Marquee has one, free, since every article is open to everyone.
/// Every property may be left out: `fields=` keeps only those asked for.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Tier {
    #[schema(required = false)]
    pub id: String,
    #[schema(required = false)]
    pub name: String,
    #[schema(required = false)]
    pub description: Option<String>,
    #[schema(required = false)]
    pub slug: String,
    #[schema(required = false)]
    pub active: bool,
    #[serde(rename = "type")]
    #[schema(required = false)]
    pub kind: String,
    #[schema(required = false)]
    pub welcome_page_url: Option<String>,
    #[schema(required = false)]
    pub visibility: String,
    #[schema(required = false)]
    pub trial_days: i64,
    #[schema(required = false)]
    pub benefits: Vec<String>,
    #[schema(required = false)]
    pub created_at: String,
    #[schema(required = false)]
    pub updated_at: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NavigationItem {
    pub label: String,
    pub url: String,
}

/// The site's public settings.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Settings {
    pub title: String,
    pub description: String,
    pub logo: Option<String>,
    pub icon: Option<String>,
    pub accent_color: Option<String>,
    pub cover_image: Option<String>,
    pub facebook: Option<String>,
    pub twitter: Option<String>,
    pub lang: String,
    pub locale: String,
    pub timezone: String,
    pub codeinjection_head: Option<String>,
    pub codeinjection_foot: Option<String>,
    /// The sections, then the events calendar.
    pub navigation: Vec<NavigationItem>,
    pub secondary_navigation: Vec<NavigationItem>,
    pub meta_title: Option<String>,
    pub meta_description: Option<String>,
    pub og_image: Option<String>,
    pub og_title: Option<String>,
    pub og_description: Option<String>,
    pub twitter_image: Option<String>,
    pub twitter_title: Option<String>,
    pub twitter_description: Option<String>,
    pub members_support_address: String,
    pub members_enabled: bool,
    pub members_invite_only: bool,
    pub paid_members_enabled: bool,
    pub comments_enabled: String,
    pub recommendations_enabled: bool,
    pub url: String,
    pub version: String,
}

/// `meta.pagination` of a browse answer.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Pagination {
    pub page: i64,
    /// A number, or `"all"`.
    #[schema(value_type = Value)]
    pub limit: serde_json::Value,
    pub pages: i64,
    pub total: i64,
    pub next: Option<i64>,
    pub prev: Option<i64>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Meta {
    pub pagination: Pagination,
}

impl Pagination {
    /// Page `page` of `total` rows, `limit` to a page (`None`: all on one page).
    pub fn new(page: i64, limit: Option<i64>, total: i64) -> Pagination {
        let pages = match limit {
            Some(l) if l > 0 => ((total + l - 1) / l).max(1),
            _ => 1,
        };
        Pagination {
            page,
            limit: limit.map(serde_json::Value::from).unwrap_or_else(|| "all".into()),
            pages,
            total,
            next: (page < pages).then_some(page + 1),
            prev: (page > 1).then_some(page - 1),
        }
    }
}

/// The id an article carries as a post.
pub fn post_id(article_id: i64) -> String {
    ids::encode(Kind::Post, article_id)
}

/// Which parts of a post to add.
#[derive(Debug, Clone, Copy, Default)]
pub struct PostParts {
    pub authors: bool,
    pub tags: bool,
    pub html: bool,
    pub plaintext: bool,
}

fn nonempty(s: &str) -> Option<String> {
    Some(s.trim().to_string()).filter(|s| !s.is_empty())
}

/// The section as a tag.
pub fn section_tag(site: &SiteInfo, s: &Section, posts: Option<i64>) -> Tag {
    tag(site, ids::encode(Kind::Section, s.id), &s.name, &s.slug, nonempty(&s.description), format!("/{}/", s.slug), posts)
}

/// One of Marquee's tags.
pub fn plain_tag(site: &SiteInfo, t: &TagRef, posts: Option<i64>) -> Tag {
    tag(site, ids::encode(Kind::Tag, t.id), &t.name, &t.slug, None, format!("/tags/{}/", t.slug), posts)
}

fn tag(site: &SiteInfo, id: String, name: &str, slug: &str, description: Option<String>, path: String, posts: Option<i64>) -> Tag {
    Tag {
        id,
        name: name.to_string(),
        slug: slug.to_string(),
        description,
        feature_image: None,
        visibility: "public".into(),
        og_image: None,
        og_title: None,
        og_description: None,
        twitter_image: None,
        twitter_title: None,
        twitter_description: None,
        meta_title: None,
        meta_description: None,
        codeinjection_head: None,
        codeinjection_foot: None,
        canonical_url: None,
        accent_color: None,
        url: format!("{}{path}", site.base()),
        count: posts.map(|posts| Count { posts }),
    }
}

/// An author, with their bio.
pub fn author(site: &SiteInfo, a: &Author, posts: Option<i64>) -> PostAuthor {
    PostAuthor { bio: nonempty(&a.bio), count: posts.map(|posts| Count { posts }), ..byline_author(site, a.id, &a.name, &a.slug) }
}

fn byline_author(site: &SiteInfo, id: i64, name: &str, slug: &str) -> PostAuthor {
    PostAuthor {
        id: ids::encode(Kind::Author, id),
        name: name.to_string(),
        slug: slug.to_string(),
        profile_image: None,
        cover_image: None,
        bio: None,
        website: None,
        location: None,
        facebook: None,
        twitter: None,
        meta_title: None,
        meta_description: None,
        url: format!("{}/authors/{slug}/", site.base()),
        count: None,
    }
}

/// A lead image as Ghost's `feature_image` (the address of its widest rendition),
/// `feature_image_alt` and `feature_image_caption`.
fn feature_image(site: &SiteInfo, lead: &LeadImage) -> (Option<String>, Option<String>, Option<String>) {
    let (Some(key), Some(kind)) = (&lead.lead_key, &lead.lead_kind) else { return (None, None, None) };
    let row = MediaRow {
        content_key: key.clone(),
        kind: kind.clone(),
        width: lead.lead_width.unwrap_or(0),
        height: lead.lead_height.unwrap_or(0),
        animated: lead.lead_animated.unwrap_or(0),
        alt: lead.lead_alt.clone().unwrap_or_default(),
        caption: lead.lead_caption.clone().unwrap_or_default(),
        ..MediaRow::default()
    };
    match marquee_import::library::image_of(&row) {
        Some(img) => (Some(format!("{}/media/{key}/{}.{}", site.base(), img.width, img.fallback)), nonempty(&img.alt), nonempty(&img.caption)),
        None => (None, None, None),
    }
}

/// A live article as a post; `salt` makes its `uuid` this site's own.
pub fn post(site: &SiteInfo, row: &PostRow, parts: PostParts, salt: &str) -> Post {
    let (feature_image, feature_image_alt, feature_image_caption) = feature_image(site, &row.lead);
    let c = &row.card;
    let text = marquee_domain::search::plain_text(&row.body_html);
    let words = text.split_whitespace().count();
    let excerpt = nonempty(&c.deck).or_else(|| {
        let cut: String = text.chars().take(EXCERPT_CHARS).collect();
        nonempty(&cut)
    });
    let section = site.sections.iter().find(|s| s.id == row.section_id);
    let tags = parts.tags.then(|| section.map(|s| section_tag(site, s, None)).into_iter().chain(row.tags.iter().map(|t| plain_tag(site, t, None))).collect::<Vec<_>>());
    let authors = parts.authors.then(|| c.authors.iter().map(|a| byline_author(site, a.id, &a.name, &a.slug)).collect::<Vec<_>>());
    let id = ids::encode(Kind::Post, c.id);
    Post {
        uuid: ids::uuid(Kind::Post, c.id, salt),
        comment_id: id.clone(),
        id,
        title: c.headline.clone(),
        slug: c.slug.clone(),
        html: parts.html.then(|| row.body_html.clone()),
        plaintext: parts.plaintext.then(|| text.clone()),
        feature_image,
        feature_image_alt,
        feature_image_caption,
        featured: row.featured == 1,
        visibility: "public".into(),
        created_at: ghost_time(row.created_at),
        updated_at: ghost_time(row.updated_at),
        published_at: (row.status != "draft" && c.publish_at > 0).then(|| ghost_time(c.publish_at)),
        custom_excerpt: nonempty(&c.deck),
        codeinjection_head: None,
        codeinjection_foot: None,
        custom_template: None,
        canonical_url: None,
        url: format!("{}{}", site.base(), c.path()),
        excerpt,
        reading_time: ((words + WORDS_PER_MINUTE / 2) / WORDS_PER_MINUTE) as i64,
        access: true,
        comments: false,
        og_image: None,
        og_title: None,
        og_description: None,
        twitter_image: None,
        twitter_title: None,
        twitter_description: None,
        meta_title: None,
        meta_description: None,
        email_subject: None,
        frontmatter: None,
        primary_author: authors.as_ref().and_then(|a| a.first().cloned()),
        authors,
        primary_tag: tags.as_ref().and_then(|t| t.first().cloned()),
        tags,
    }
}

/// The one tier.
pub fn free_tier(site: &SiteInfo) -> Tier {
    Tier {
        id: "6d7100050000000000000001".into(),
        name: "Free".into(),
        description: Some(format!("Every story {} publishes, open to everyone.", site.publication.name)),
        slug: "free".into(),
        active: true,
        kind: "free".into(),
        welcome_page_url: None,
        visibility: "public".into(),
        trial_days: 0,
        benefits: Vec::new(),
        created_at: ghost_time(0),
        updated_at: None,
    }
}

pub fn settings(site: &SiteInfo) -> Settings {
    let p = &site.publication;
    let navigation = site
        .sections
        .iter()
        .map(|s| NavigationItem { label: s.name.clone(), url: format!("/{}/", s.slug) })
        .chain([NavigationItem { label: "Events".into(), url: "/events/".into() }])
        .collect();
    Settings {
        title: p.name.clone(),
        description: format!("News, reviews and listings from {}.", p.name),
        logo: None,
        icon: Some(format!("{}/static/favicon.svg", site.base())),
        accent_color: None,
        cover_image: None,
        facebook: None,
        twitter: None,
        lang: "en".into(),
        locale: "en".into(),
        timezone: p.time_zone.clone(),
        codeinjection_head: None,
        codeinjection_foot: None,
        navigation,
        secondary_navigation: vec![NavigationItem { label: "Search".into(), url: "/search/".into() }, NavigationItem { label: "Most Popular".into(), url: "/popular/".into() }],
        meta_title: None,
        meta_description: None,
        og_image: None,
        og_title: None,
        og_description: None,
        twitter_image: None,
        twitter_title: None,
        twitter_description: None,
        members_support_address: "noreply".into(),
        members_enabled: false,
        members_invite_only: false,
        paid_members_enabled: false,
        comments_enabled: "off".into(),
        recommendations_enabled: false,
        url: format!("{}/", site.base()),
        version: "5.0".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_and_times_read_as_ghost_writes_them() {
        let p = Pagination::new(2, Some(15), 31);
        assert_eq!((p.pages, p.next, p.prev), (3, Some(3), Some(1)));
        let all = Pagination::new(1, None, 31);
        assert_eq!((all.pages, all.next, all.limit.clone()), (1, None, serde_json::json!("all")));
        let empty = Pagination::new(1, Some(15), 0);
        assert_eq!((empty.pages, empty.next), (1, None));
        assert_eq!(ghost_time(1_795_575_900), "2026-11-25T03:05:00.000+00:00");
    }
}

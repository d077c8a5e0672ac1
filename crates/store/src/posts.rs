//! Live articles as the Content API lists them: a typed filter tree (what Ghost's filters mean
//! for Marquee's tables), orders, pages, and everything a post shows. Only live articles are
//! ever found (`LIVE`): drafts, scheduled and unpublished articles never come back.

use crate::cards::{ArticleCard, TagRef, CARD_COLS, LIVE, LIVE_FROM_A_PLACE};
use crate::db::{placeholders, Result, Store};
use sqlx::FromRow;

/// A condition on posts.
#[derive(Debug, Clone, PartialEq)]
pub enum PostFilter {
    All(Vec<PostFilter>),
    Any(Vec<PostFilter>),
    Not(Box<PostFilter>),
    Id(Vec<i64>),
    Slug(Vec<String>),
    /// Carries any of these tags; a section counts as a tag (it is the post's primary tag).
    Tag(Vec<String>),
    /// Is in one of these sections.
    PrimaryTag(Vec<String>),
    /// Has one of these authors in its byline.
    Author(Vec<String>),
    /// Its first author is one of these.
    PrimaryAuthor(Vec<String>),
    Featured(bool),
    /// In one of these states: `draft`, `scheduled` (its time not come) or `published`.
    Status(Vec<String>),
    Time(TimeField, Cmp, i64),
    Title(TextMatch, String),
    /// Matches nothing (a value no post of this site can have, such as `visibility:paid`).
    Nothing,
    /// Matches every post (`visibility:public`).
    Everything,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeField {
    PublishedAt,
    UpdatedAt,
    CreatedAt,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cmp {
    Eq,
    Lt,
    Le,
    Gt,
    Ge,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextMatch {
    Equals,
    Contains,
    StartsWith,
    EndsWith,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrderField {
    PublishedAt,
    UpdatedAt,
    CreatedAt,
    Title,
    Slug,
    Id,
    Featured,
}

/// One page of posts: `limit` `None` is all of them.
pub struct PostQuery<'a> {
    pub filter: Option<&'a PostFilter>,
    /// (field, descending); an empty order is newest first.
    pub order: &'a [(OrderField, bool)],
    pub limit: Option<i64>,
    pub offset: i64,
    /// With the default order and a limit: the page starts after this (publication time, id)
    /// place, then skips `offset` more, instead of skipping from the first post (a deep page
    /// read from a mark the server keeps; see `typed_page` in the web crate).
    pub after: Option<(i64, i64)>,
    /// How many posts match, when the caller knows (the site's listing size, which the web
    /// crate keeps until content changes); otherwise they are counted.
    pub total: Option<i64>,
    pub now: i64,
    /// Live articles only (the Content API); false lists drafts and scheduled ones too (the
    /// Admin API).
    pub live_only: bool,
}

/// Everything a post shows.
#[derive(Debug, Clone, FromRow)]
pub struct PostRow {
    #[sqlx(flatten)]
    pub card: ArticleCard,
    pub section_id: i64,
    pub body_html: String,
    pub created_at: i64,
    pub updated_at: i64,
    pub revised_at: Option<i64>,
    pub featured: i64,
    pub status: String,
    /// The Markdown the body is written in.
    pub body: String,
    pub created_by: Option<i64>,
    /// The lead image (`feature_image`), when the article has one.
    #[sqlx(flatten)]
    pub lead: LeadImage,
    #[sqlx(skip)]
    pub tags: Vec<TagRef>,
}

/// An article's lead image as the APIs show it: enough to name its widest rendition.
#[derive(Debug, Clone, Default, FromRow)]
pub struct LeadImage {
    pub lead_key: Option<String>,
    pub lead_kind: Option<String>,
    pub lead_width: Option<i64>,
    pub lead_height: Option<i64>,
    pub lead_animated: Option<i64>,
    pub lead_alt: Option<String>,
    pub lead_caption: Option<String>,
}

/// What a post shows besides its card.
const POST_COLS: &str = "a.section_id, a.body_html, a.created_at, a.updated_at, a.revised_at, a.featured, a.status, a.body, a.created_by, \
    m.content_key AS lead_key, m.kind AS lead_kind, m.width AS lead_width, m.height AS lead_height, m.animated AS lead_animated, m.alt AS lead_alt, m.caption AS lead_caption";

enum Bind {
    Int(i64),
    Text(String),
}

/// Whether the filter's SQL names the section (`s.slug`).
fn uses_section(f: &PostFilter) -> bool {
    match f {
        PostFilter::All(parts) | PostFilter::Any(parts) => parts.iter().any(uses_section),
        PostFilter::Not(inner) => uses_section(inner),
        PostFilter::Tag(_) | PostFilter::PrimaryTag(_) => true,
        _ => false,
    }
}

/// Writes `f` as SQL over `articles a JOIN sections s`, pushing its values to `binds`; the
/// first value is `$first`.
fn sql_of(f: &PostFilter, binds: &mut Vec<Bind>, first: usize) -> String {
    let next = |binds: &Vec<Bind>| first + binds.len();
    let list = |binds: &mut Vec<Bind>, values: Vec<Bind>| -> Option<String> {
        if values.is_empty() {
            return None;
        }
        let at = next(binds);
        let n = values.len();
        binds.extend(values);
        Some(placeholders(at, n))
    };
    let texts = |v: &[String]| v.iter().map(|s| Bind::Text(s.clone())).collect::<Vec<_>>();
    match f {
        PostFilter::All(parts) if !parts.is_empty() => format!("({})", parts.iter().map(|p| sql_of(p, binds, first)).collect::<Vec<_>>().join(" AND ")),
        PostFilter::Any(parts) if !parts.is_empty() => format!("({})", parts.iter().map(|p| sql_of(p, binds, first)).collect::<Vec<_>>().join(" OR ")),
        PostFilter::All(_) | PostFilter::Everything => "1 = 1".into(),
        PostFilter::Any(_) | PostFilter::Nothing => "1 = 0".into(),
        PostFilter::Not(inner) => format!("NOT ({})", sql_of(inner, binds, first)),
        PostFilter::Id(ids) => match list(binds, ids.iter().map(|i| Bind::Int(*i)).collect()) {
            Some(p) => format!("a.id IN ({p})"),
            None => "1 = 0".into(),
        },
        PostFilter::Slug(slugs) => match list(binds, texts(slugs)) {
            Some(p) => format!("a.slug IN ({p})"),
            None => "1 = 0".into(),
        },
        PostFilter::PrimaryTag(slugs) => match list(binds, texts(slugs)) {
            Some(p) => format!("s.slug IN ({p})"),
            None => "1 = 0".into(),
        },
        PostFilter::Tag(slugs) => {
            let Some(in_tags) = list(binds, texts(slugs)) else { return "1 = 0".into() };
            let in_sections = list(binds, texts(slugs)).expect("not empty");
            format!("(s.slug IN ({in_sections}) OR EXISTS (SELECT 1 FROM article_tags x JOIN tags t ON t.id = x.tag_id WHERE x.article_id = a.id AND t.slug IN ({in_tags})))")
        }
        PostFilter::Author(slugs) => match list(binds, texts(slugs)) {
            Some(p) => format!("EXISTS (SELECT 1 FROM article_authors x JOIN authors au ON au.id = x.author_id WHERE x.article_id = a.id AND au.slug IN ({p}))"),
            None => "1 = 0".into(),
        },
        PostFilter::PrimaryAuthor(slugs) => match list(binds, texts(slugs)) {
            Some(p) => format!(
                "EXISTS (SELECT 1 FROM article_authors x JOIN authors au ON au.id = x.author_id WHERE x.article_id = a.id AND au.slug IN ({p}) \
                 AND x.position = (SELECT MIN(y.position) FROM article_authors y WHERE y.article_id = a.id))"
            ),
            None => "1 = 0".into(),
        },
        PostFilter::Featured(on) => format!("a.featured = {}", i64::from(*on)),
        PostFilter::Status(states) => {
            // `$1` is now.
            let parts: Vec<&str> = states
                .iter()
                .filter_map(|st| match st.as_str() {
                    "draft" => Some("a.status = 'draft'"),
                    "scheduled" => Some("(a.status <> 'draft' AND a.publish_at > $1)"),
                    "published" => Some("(a.status <> 'draft' AND a.publish_at <= $1)"),
                    _ => None,
                })
                .collect();
            if parts.is_empty() {
                "1 = 0".into()
            } else {
                format!("({})", parts.join(" OR "))
            }
        }
        PostFilter::Time(field, cmp, at) => {
            let column = match field {
                TimeField::PublishedAt => "a.publish_at",
                TimeField::UpdatedAt => "a.updated_at",
                TimeField::CreatedAt => "a.created_at",
            };
            let op = match cmp {
                Cmp::Eq => "=",
                Cmp::Lt => "<",
                Cmp::Le => "<=",
                Cmp::Gt => ">",
                Cmp::Ge => ">=",
            };
            let p = next(binds);
            binds.push(Bind::Int(*at));
            format!("{column} {op} ${p}")
        }
        PostFilter::Title(how, text) => {
            // Folded by the database on both sides: SQLite folds only ASCII letters, and a
            // pattern folded here in full would then miss titles with capitals like É.
            let escaped = text.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
            let pattern = match how {
                TextMatch::Equals => escaped,
                TextMatch::Contains => format!("%{escaped}%"),
                TextMatch::StartsWith => format!("{escaped}%"),
                TextMatch::EndsWith => format!("%{escaped}"),
            };
            let p = next(binds);
            binds.push(Bind::Text(pattern));
            format!("LOWER(a.headline) LIKE LOWER(${p}) ESCAPE '\\'")
        }
    }
}

fn order_sql(order: &[(OrderField, bool)]) -> String {
    let mut parts: Vec<String> = order
        .iter()
        .map(|(field, desc)| {
            let column = match field {
                OrderField::PublishedAt => "a.publish_at",
                OrderField::UpdatedAt => "a.updated_at",
                OrderField::CreatedAt => "a.created_at",
                OrderField::Title => "a.headline",
                OrderField::Slug => "a.slug",
                OrderField::Id => "a.id",
                OrderField::Featured => "a.featured",
            };
            // Drafts have no publish_at; the databases put NULLs at opposite ends, so say
            // where: after every date, whichever way the dates run.
            format!("{column} {}", if *desc { "DESC NULLS LAST" } else { "ASC NULLS LAST" })
        })
        .collect();
    if order.is_empty() {
        parts.push("a.publish_at DESC NULLS LAST".into());
    }
    // Ties are broken the same way on every page.
    parts.push("a.id DESC".into());
    parts.join(", ")
}

impl Store {
    /// One page of live posts and how many match in all.
    pub async fn content_posts(&self, q: &PostQuery<'_>) -> Result<(Vec<PostRow>, i64)> {
        let mut binds = Vec::new();
        let condition = q.filter.map(|f| format!(" AND {}", sql_of(f, &mut binds, 2))).unwrap_or_default();
        // `$1` is now whether or not it is used, so that the filter's values start at `$2`.
        let visible = if q.live_only { LIVE } else { "$1 = $1" };
        let from = format!("FROM articles a JOIN sections s ON s.id = a.section_id WHERE {visible}{condition}");
        // Every article has a section, so the page's ids need the join only when the filter
        // names one; without it they come from the time index alone.
        let tables = if q.filter.is_some_and(uses_section) { "articles a JOIN sections s ON s.id = a.section_id" } else { "articles a" };
        let ids_from = format!("FROM {tables} WHERE {visible}{condition}");
        let order = order_sql(q.order);
        // A place to start from, only in the default order (newest first), whose index it
        // names a place in; its two values come after the filter's. The live rule is then
        // written as a place is elsewhere (`LIVE_FROM_A_PLACE`), so that SQLite starts its
        // walk of the time index at the place rather than at now.
        let after = q.after.filter(|_| q.order.is_empty() && q.limit.is_some());
        let page_from = match after {
            Some(_) => {
                let n = binds.len() + 2;
                let visible = if q.live_only { LIVE_FROM_A_PLACE } else { visible };
                format!("FROM {tables} WHERE {visible}{condition} AND (a.publish_at, a.id) < (${n}, ${})", n + 1)
            }
            None => ids_from.clone(),
        };
        let sql = match q.limit {
            // The page's ids first, through an index in the order asked for where there is
            // one, then only those rows whole: the rows skipped to reach a deep page are not
            // read with their bodies.
            Some(limit) => format!(
                "SELECT {CARD_COLS}, {POST_COLS} FROM (SELECT a.id {page_from} ORDER BY {order} LIMIT {} OFFSET {}) p JOIN articles a ON a.id = p.id \
                 JOIN sections s ON s.id = a.section_id LEFT JOIN media m ON m.id = a.lead_media_id ORDER BY {order}",
                limit.max(0),
                q.offset.max(0)
            ),
            None => format!("SELECT {CARD_COLS}, {POST_COLS} {} ORDER BY {order}", from.replacen(" WHERE ", " LEFT JOIN media m ON m.id = a.lead_media_id WHERE ", 1)),
        };
        let mut rows_q = sqlx::query_as::<_, PostRow>(&sql).bind(q.now);
        let count_sql = format!("SELECT COUNT(*) {ids_from}");
        let mut count_q = sqlx::query_as::<_, (i64,)>(&count_sql).bind(q.now);
        for b in &binds {
            match b {
                Bind::Int(i) => {
                    rows_q = rows_q.bind(*i);
                    count_q = count_q.bind(*i);
                }
                Bind::Text(t) => {
                    rows_q = rows_q.bind(t.clone());
                    count_q = count_q.bind(t.clone());
                }
            }
        }
        if let Some((t, id)) = after {
            rows_q = rows_q.bind(t).bind(id);
        }
        let mut rows = rows_q.fetch_all(&mut *self.conn().await?).await?;
        let total = match q.total {
            Some(n) => n,
            None => count_q.fetch_one(&mut *self.conn().await?).await?.0,
        };
        let mut cards: Vec<ArticleCard> = rows.iter().map(|r| r.card.clone()).collect();
        self.attach_authors(&mut cards).await?;
        let mut tags = self.tags_of(&cards.iter().map(|c| c.id).collect::<Vec<_>>()).await?;
        for (row, card) in rows.iter_mut().zip(cards) {
            row.tags = tags.remove(&card.id).unwrap_or_default();
            row.card = card;
        }
        Ok((rows, total))
    }

    /// Tags with how many live posts carry each, by name.
    pub async fn tags_with_counts(&self, now: i64) -> Result<Vec<(TagRef, i64)>> {
        let sql = format!(
            "SELECT t.id, t.slug, t.name, (SELECT COUNT(*) FROM article_tags x JOIN articles a ON a.id = x.article_id WHERE x.tag_id = t.id AND {LIVE}) AS n FROM tags t ORDER BY t.name, t.id"
        );
        let rows: Vec<(i64, String, String, i64)> = sqlx::query_as(&sql).bind(now).fetch_all(&mut *self.conn().await?).await?;
        Ok(rows.into_iter().map(|(id, slug, name, n)| (TagRef { id, slug, name }, n)).collect())
    }

    /// How many live posts each section and each author has.
    pub async fn live_counts(&self, now: i64) -> Result<(Vec<(i64, i64)>, Vec<(i64, i64)>)> {
        let sections: Vec<(i64, i64)> = sqlx::query_as(&format!("SELECT a.section_id, COUNT(*) FROM articles a WHERE {LIVE} GROUP BY a.section_id")).bind(now).fetch_all(&mut *self.conn().await?).await?;
        let authors: Vec<(i64, i64)> =
            sqlx::query_as(&format!("SELECT x.author_id, COUNT(*) FROM article_authors x JOIN articles a ON a.id = x.article_id WHERE {LIVE} GROUP BY x.author_id")).bind(now).fetch_all(&mut *self.conn().await?).await?;
        Ok((sections, authors))
    }
}

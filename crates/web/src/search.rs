//! `/search/?q=`: readers' full-text search with filters by section, author and dates. The
//! query is parsed by `marquee_domain::search`; the store runs it on this server's search
//! index. Bad input answers 400 with the form and a message; results are cached like other
//! pages, keyed by the address as sent and the index's generation.

use crate::paging::page_number;
use crate::respond::{cached_for, render_page, AppError, Reply};
use crate::site::SiteInfo;
use crate::state::AppState;
use crate::views::{author_links, url_encode, AuthorLink, Layout, Pager};
use axum::extract::{Query, State};
use axum::http::StatusCode;
use marquee_domain::search::{date_range, marked_html, parse, SearchQuery, MAX_QUERY_CHARS};
use marquee_domain::time::{long_date, now_unix, rfc3339};
use marquee_store::{Author, SearchFilter, SearchHit, Section};
use serde::{Deserialize, Serialize};

/// The deepest page of results served: ranking every match to reach a deeper page costs
/// memory for all the matches before it.
const MAX_PAGE: i64 = 1_000;

const PER_PAGE: i64 = 10;

#[derive(Deserialize, Default)]
pub struct SearchParams {
    #[serde(default)]
    q: String,
    #[serde(default)]
    section: String,
    #[serde(default)]
    author: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    page: Option<String>,
}

/// A search whose every part was understood.
struct Valid {
    query: Option<SearchQuery>,
    section: Option<Section>,
    author: Option<Author>,
    from: String,
    to: String,
    filter: SearchFilter,
    page: i64,
}

impl Valid {
    /// The address of this search with `page`, leaving out the filters `drop` names.
    fn url(&self, page: i64, drop: &[&str]) -> String {
        let mut parts = vec![("q", self.query.as_ref().map(|q| q.to_string()).unwrap_or_default())];
        parts.push(("section", self.section.as_ref().map(|s| s.slug.clone()).unwrap_or_default()));
        parts.push(("author", self.author.as_ref().map(|a| a.slug.clone()).unwrap_or_default()));
        parts.push(("from", self.from.clone()));
        parts.push(("to", self.to.clone()));
        if page > 1 {
            parts.push(("page", page.to_string()));
        }
        let query: Vec<String> = parts.into_iter().filter(|(k, v)| !v.is_empty() && !drop.contains(k)).map(|(k, v)| format!("{k}={}", url_encode(&v))).collect();
        format!("/search/?{}", query.join("&"))
    }
}

#[derive(Serialize)]
struct Choice {
    value: String,
    name: String,
    selected: bool,
}

/// The search form, filled in with what the reader sent.
#[derive(Serialize)]
struct FormView {
    q: String,
    from: String,
    to: String,
    sections: Vec<Choice>,
    authors: Vec<Choice>,
    max_chars: usize,
}

#[derive(Serialize)]
struct Hit {
    url: String,
    headline_html: String,
    snippet_html: String,
    section_name: String,
    section_url: String,
    date: String,
    date_iso: String,
    authors: Vec<AuthorLink>,
}

impl Hit {
    fn new(h: &SearchHit, site: &SiteInfo) -> Hit {
        let c = &h.card;
        Hit {
            url: c.path(),
            headline_html: marked_html(&h.headline),
            snippet_html: marked_html(&h.snippet),
            section_name: c.section_name.clone(),
            section_url: format!("/{}/", c.section_slug),
            date: long_date(c.publish_at, &site.tz),
            date_iso: rfc3339(c.publish_at, &site.tz),
            authors: author_links(&c.authors),
        }
    }
}

#[derive(Serialize)]
struct Link {
    label: String,
    url: String,
}

#[derive(Serialize)]
struct Results {
    query: String,
    total: i64,
    first: i64,
    last: i64,
    hits: Vec<Hit>,
    pager: Pager,
    /// Filters in use, each with the address of the same search without it.
    filters: Vec<Link>,
    /// The same search with no filters at all.
    unfiltered: Option<String>,
    /// For a search of several terms that found nothing: each term alone.
    fewer_words: Vec<Link>,
}

#[derive(Serialize)]
struct SearchCtx {
    layout: Layout,
    form: FormView,
    error: Option<String>,
    results: Option<Results>,
}

pub async fn search(State(state): State<AppState>, Query(p): Query<SearchParams>, axum::extract::RawQuery(raw): axum::extract::RawQuery) -> Reply {
    let site = state.site();
    let valid = match validate(&state, &p, &site).await {
        Ok(v) => Ok(v),
        Err(Invalid::Input(message)) => Err(message),
        Err(Invalid::Failed(e)) => return Err(e),
    };
    // Only a search that was understood is cached. The form shows what this reader typed, so
    // the key is the address as sent, not the search's normal form; with the index's
    // generation, so results kept while the index was still reading a backlog go stale.
    let generation = state.store().search_generation();
    let key = valid.as_ref().ok().map(|_| format!("/search/?{}#{generation}", raw.unwrap_or_default()));
    Ok(cached_for(&state, key, None, || async {
        let (results, error) = match &valid {
            Err(message) => (None, Some(message.clone())),
            Ok(Valid { query: None, .. }) => (None, None),
            Ok(v @ Valid { query: Some(q), .. }) => match results(&state, &site, q, v).await? {
                Ok(r) => (Some(r), None),
                Err(message) => (None, Some(message)),
            },
        };
        let authors = state.store().authors().await?;
        let status = if error.is_some() { StatusCode::BAD_REQUEST } else { StatusCode::OK };
        let ctx = SearchCtx { layout: Layout::new(&site, None), form: form_view(&p, &site, &authors), error, results };
        render_page(&state, "search.html", ctx).map(|(_, body)| (status, body))
    })
    .await)
}

fn form_view(p: &SearchParams, site: &SiteInfo, authors: &[Author]) -> FormView {
    let clip = |s: &str| s.chars().take(MAX_QUERY_CHARS * 2).collect::<String>();
    FormView {
        q: clip(&p.q),
        from: clip(&p.from),
        to: clip(&p.to),
        sections: site.sections.iter().map(|s| Choice { value: s.slug.clone(), name: s.name.clone(), selected: s.slug == p.section.trim() }).collect(),
        authors: authors.iter().map(|a| Choice { value: a.slug.clone(), name: a.name.clone(), selected: a.slug == p.author.trim() }).collect(),
        max_chars: MAX_QUERY_CHARS,
    }
}

enum Invalid {
    /// What the reader should fix.
    Input(String),
    Failed(AppError),
}

impl From<String> for Invalid {
    fn from(m: String) -> Self {
        Invalid::Input(m)
    }
}

/// Checks every parameter; the message says what to fix.
async fn validate(state: &AppState, p: &SearchParams, site: &SiteInfo) -> Result<Valid, Invalid> {
    let page = page_number(p.page.as_deref()).map_err(|m| m.to_string())?;
    let query = if p.q.trim().is_empty() { None } else { Some(parse(&p.q).map_err(|e| e.to_string())?) };
    let named = |s: &str| s.chars().take(60).collect::<String>();
    let section = match p.section.trim() {
        "" => None,
        slug => Some(site.sections.iter().find(|s| s.slug == slug).cloned().ok_or_else(|| format!("There is no section “{}”.", named(slug)))?),
    };
    let author = match p.author.trim() {
        "" => None,
        slug => {
            let found = state.store().author_by_slug(slug).await.map_err(|e| Invalid::Failed(e.into()))?;
            Some(found.ok_or_else(|| format!("There is no author “{}”.", named(slug)))?)
        }
    };
    let (from, to) = date_range(&p.from, &p.to, &site.tz)?;
    let filter = SearchFilter { section_id: section.as_ref().map(|s| s.id), author_id: author.as_ref().map(|a| a.id), from, to };
    Ok(Valid { query, section, author, from: p.from.trim().to_string(), to: p.to.trim().to_string(), filter, page })
}

/// One page of results, or (as `Err` inside) why that page does not exist.
async fn results(state: &AppState, site: &SiteInfo, q: &SearchQuery, v: &Valid) -> Result<Result<Results, String>, AppError> {
    if v.page > MAX_PAGE {
        return Ok(Err(format!("Search results go {MAX_PAGE} pages deep; add a word or a filter to find what lies further.")));
    }
    let offset = (v.page - 1) * PER_PAGE;
    // The hits are read on a SQLite connection of the page's own; not on a pinned pooled
    // one, since the search may first wait on the pool to bring the index up to date.
    let (hits, total) = state.store().own_reads().search(q, &v.filter, now_unix(), PER_PAGE, offset).await?;
    if hits.is_empty() && v.page > 1 {
        let pages = (total + PER_PAGE - 1) / PER_PAGE;
        let there = match pages {
            0 => "are none".to_string(),
            1 => "is 1".to_string(),
            n => format!("are {n}"),
        };
        return Ok(Err(format!("There is no page {} of these results; there {there}.", v.page)));
    }
    let date = |d: &str| d.parse::<jiff::civil::Date>().map(|d| d.strftime("%B %-d, %Y").to_string()).unwrap_or_default();
    let mut filters = Vec::new();
    if let Some(s) = &v.section {
        filters.push(Link { label: format!("In {}", s.name), url: v.url(1, &["section"]) });
    }
    if let Some(a) = &v.author {
        filters.push(Link { label: format!("By {}", a.name), url: v.url(1, &["author"]) });
    }
    if !v.from.is_empty() {
        filters.push(Link { label: format!("From {}", date(&v.from)), url: v.url(1, &["from"]) });
    }
    if !v.to.is_empty() {
        filters.push(Link { label: format!("To {}", date(&v.to)), url: v.url(1, &["to"]) });
    }
    let terms = q.included_terms();
    let fewer_words = if total == 0 && terms.len() > 1 {
        terms.into_iter().map(|t| Link { url: format!("/search/?q={}", url_encode(&t)), label: t }).collect()
    } else {
        Vec::new()
    };
    Ok(Ok(Results {
        query: q.to_string(),
        total,
        first: offset + 1,
        last: offset + hits.len() as i64,
        hits: hits.iter().map(|h| Hit::new(h, site)).collect(),
        pager: Pager::new(&v.url(1, &[]), v.page, PER_PAGE, total),
        unfiltered: (filters.len() > 1).then(|| v.url(1, &["section", "author", "from", "to"])),
        filters,
        fewer_words,
    }))
}

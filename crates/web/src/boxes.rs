//! The boxes around articles: Latest in the section, Most Popular Stories, Special Reports,
//! Trending in the Alternative Press and the author's archive. They are built once and kept in memory, so an article page costs no
//! query for them: rebuilt when content changes (the content version moves), when a scheduled
//! article comes due, and every few minutes for Most Popular, whose page-cache copies are
//! dropped only when the ranking really changed. Foundation: the boxes are built from the store
//! and the site alone, so the state can hold them without importing anything above it.

use crate::cache::PageCache;
use crate::site::SiteInfo;
use crate::trending::{merge_trending, TRENDING_BOX_LEN, TrendingLink};
use crate::views::{author_links, AuthorLink};
use marquee_domain::time::now_unix;
use marquee_store::{ArticleCard, Listing, Store};
use serde::Serialize;
use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, RwLock};

/// How often Most Popular is ranked again.
pub const POPULAR_REFRESH_SECS: i64 = 300;
/// Stories per box.
const BOX_LEN: usize = 5;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BoxLink {
    pub url: String,
    pub headline: String,
    pub section_name: String,
}

impl BoxLink {
    fn new(c: &ArticleCard) -> BoxLink {
        BoxLink { url: c.path(), headline: c.headline.clone(), section_name: c.section_name.clone() }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReportLink {
    pub url: String,
    pub title: String,
    pub cover_image: String,
    pub cover_alt: String,
}

impl From<marquee_store::Report> for ReportLink {
    fn from(r: marquee_store::Report) -> ReportLink {
        ReportLink { url: format!("/reports/{}/", r.slug), title: r.title, cover_image: r.cover_image, cover_alt: r.cover_alt }
    }
}

/// Everything the boxes show, for every section at once.
pub struct Boxes {
    version: i64,
    /// Rebuilt at or after this instant (a scheduled article comes due, or Most Popular ages).
    expires: AtomicI64,
    /// Newest live stories of each section, one more than a box shows so that the article
    /// itself can be left out.
    latest: HashMap<i64, Vec<(i64, BoxLink)>>,
    pub popular: Vec<BoxLink>,
    pub reports: Vec<ReportLink>,
    /// Trending in the Alternative Press: peers' stories.
    pub trending: Vec<TrendingLink>,
}

/// The boxes of one article page.
#[derive(Serialize)]
pub struct ArticleBoxes {
    pub latest_title: String,
    pub latest_url: String,
    pub latest: Vec<BoxLink>,
    pub popular: Vec<BoxLink>,
    pub reports: Vec<ReportLink>,
    pub trending: Vec<TrendingLink>,
    pub authors: Vec<AuthorLink>,
}

impl Boxes {
    pub fn for_article(&self, site: &SiteInfo, article: &ArticleCard, section_id: i64) -> ArticleBoxes {
        let section = site.sections.iter().find(|s| s.id == section_id);
        let latest = self.latest.get(&section_id).map(|l| l.iter().filter(|(id, _)| *id != article.id).take(BOX_LEN).map(|(_, l)| l.clone()).collect()).unwrap_or_default();
        ArticleBoxes {
            latest_title: format!("Latest in {}", section.map(|s| s.name.as_str()).unwrap_or(&article.section_name)),
            latest_url: format!("/{}/", article.section_slug),
            latest,
            popular: self.popular.clone(),
            reports: self.reports.clone(),
            trending: self.trending.clone(),
            authors: author_links(&article.authors),
        }
    }
}

async fn popular_links(store: &Store, site: &SiteInfo, now: i64) -> anyhow::Result<Vec<BoxLink>> {
    let since = now - site.publication.popular_days * 86400;
    let rows = store.most_popular(now, since, None, BOX_LEN as i64).await?;
    Ok(rows.iter().map(|r| BoxLink::new(&r.card)).collect())
}

/// Trending in the Alternative Press, merged from peers' last good rankings.
async fn trending_links(store: &Store, site: &SiteInfo, now: i64) -> anyhow::Result<Vec<TrendingLink>> {
    let stories = store.peer_stories().await?;
    let own_host = marquee_federation::host_of(site.base()).unwrap_or_default();
    Ok(merge_trending(&stories, &own_host, now, TRENDING_BOX_LEN))
}

async fn build(store: &Store, site: &SiteInfo) -> anyhow::Result<Boxes> {
    let now = now_unix();
    let mut latest = HashMap::new();
    for s in &site.sections {
        let cards = store.live_articles(Listing::Section(s.id), now, BOX_LEN as i64 + 1, marquee_store::Seek::FIRST).await?;
        latest.insert(s.id, cards.iter().map(|c| (c.id, BoxLink::new(c))).collect());
    }
    let reports = store.current_reports().await?.into_iter().map(ReportLink::from).collect();
    let popular = popular_links(store, site, now).await?;
    let trending = trending_links(store, site, now).await?;
    let due = store.next_scheduled_after(now).await?.unwrap_or(i64::MAX);
    Ok(Boxes { version: site.version, expires: AtomicI64::new(due.min(now + POPULAR_REFRESH_SECS)), latest, popular, reports, trending })
}

/// The boxes one server keeps, and the lock that lets one task at a time rebuild them.
#[derive(Default)]
pub struct BoxCache {
    current: RwLock<Option<Arc<Boxes>>>,
    building: tokio::sync::Mutex<()>,
}

impl BoxCache {
    /// The boxes as of `site`'s content, built if they are missing or stale (always, when
    /// `enabled` is off). A rebuild that changes Most Popular or Trending empties `pages`.
    pub async fn get(&self, store: &Store, site: &SiteInfo, pages: &PageCache, enabled: bool) -> anyhow::Result<Arc<Boxes>> {
        if !enabled {
            return Ok(Arc::new(build(store, site).await?));
        }
        let fresh = |b: &Arc<Boxes>| b.version == site.version && now_unix() < b.expires.load(Ordering::Relaxed);
        if let Some(b) = self.current.read().unwrap().clone().filter(fresh) {
            return Ok(b);
        }
        // One rebuild at a time; whoever waited finds the new boxes.
        let _building = self.building.lock().await;
        if let Some(b) = self.current.read().unwrap().clone().filter(fresh) {
            return Ok(b);
        }
        let old = self.current.read().unwrap().as_ref().map(|b| (b.popular.clone(), b.trending.clone()));
        let boxes = Arc::new(build(store, site).await?);
        if old.is_some_and(|(popular, trending)| popular != boxes.popular || trending != boxes.trending) {
            // Cached pages show the old ranking.
            pages.clear();
        } else {
            // The box did not change, but rankings further down or in one section may have.
            pages.remove_prefix("/popular/");
        }
        *self.current.write().unwrap() = Some(boxes.clone());
        Ok(boxes)
    }

    /// Marks the boxes stale; the next `get` rebuilds them and drops cached pages if what they
    /// show changed.
    pub fn expire(&self) {
        if let Some(b) = self.current.read().unwrap().as_ref() {
            b.expires.store(0, Ordering::Relaxed);
        }
    }
}

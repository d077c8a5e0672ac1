//! Counting page views for Most Popular: in memory per server, added to the database every
//! few seconds.
//!
//! A view is a GET of a live article page answered 200 to something that looks like a person's
//! browser: no cookie is set or read for it. Crawlers, link previewers, prefetches and the
//! newsroom's own visits do not count. Foundation: imports only `cookies`.

use crate::cookies::{staff_token};
use axum::http::{header, HeaderMap, Method};
use marquee_domain::time::now_unix;
use marquee_store::{Store, ViewCount};
use std::collections::BTreeMap;
use std::sync::Mutex;

/// Seconds between flushes; a crash loses at most this many seconds of counts.
pub const FLUSH_SECS: u64 = 5;

/// Distinct articles held between flushes; more are not counted until the next flush.
const MAX_PENDING: usize = 50_000;

/// Parts of a User-Agent that mark a program rather than a reader.
const NOT_A_READER: &[&str] = &[
    "bot", "crawl", "spider", "slurp", "scrape", "preview", "fetch", "facebookexternalhit", "embedly", "headless", "lighthouse", "pagespeed",
    "curl", "wget", "python", "httpclient", "http-client", "okhttp", "java/", "libwww", "go-http", "axios", "node-fetch", "reqwest", "monitor",
    "pingdom", "uptime", "validator", "feed", "archive",
];

/// Counts waiting to be written, by section slug, then article slug. Sorted maps hand the
/// counts over in one fixed order, so that two servers flushing at once on PostgreSQL take
/// row locks in the same order and cannot deadlock; borrowed lookups keep a view free of
/// allocation once its article has been seen.
#[derive(Default)]
pub struct ViewCounter {
    pending: Mutex<Pending>,
    /// Held while a flush writes, so that a second flush finds the first one's counts written.
    flushing: tokio::sync::Mutex<()>,
}

#[derive(Default)]
struct Pending {
    counts: BTreeMap<String, BTreeMap<String, i64>>,
    articles: usize,
}

impl Pending {
    fn add(&mut self, section: &str, slug: &str, views: i64) {
        if let Some(n) = self.counts.get_mut(section).and_then(|s| s.get_mut(slug)) {
            *n += views;
        } else if self.articles < MAX_PENDING {
            self.counts.entry(section.to_string()).or_default().insert(slug.to_string(), views);
            self.articles += 1;
        }
    }
}

impl ViewCounter {
    pub fn record(&self, section: &str, slug: &str) {
        self.pending.lock().unwrap().add(section, slug, 1);
    }

    fn take(&self) -> Vec<ViewCount> {
        let pending = std::mem::take(&mut *self.pending.lock().unwrap());
        let rows = pending.counts.into_iter().flat_map(|(section, slugs)| slugs.into_iter().map(move |(slug, views)| ViewCount { section: section.clone(), slug, views }));
        rows.collect()
    }

    /// Puts counts back after a failed write, so that the next flush retries them.
    fn restore(&self, counts: Vec<ViewCount>) {
        let mut pending = self.pending.lock().unwrap();
        for c in counts {
            pending.add(&c.section, &c.slug, c.views);
        }
    }
}

/// Whether this request for an article page is a reader's view.
pub fn is_reader_view(method: &Method, headers: &HeaderMap) -> bool {
    if method != Method::GET {
        return false;
    }
    let purpose = ["purpose", "sec-purpose", "x-purpose", "x-moz"];
    if purpose.iter().any(|h| headers.get(*h).and_then(|v| v.to_str().ok()).is_some_and(|v| v.contains("prefetch") || v.contains("preview"))) {
        return false;
    }
    if staff_token(headers, false).is_some() || staff_token(headers, true).is_some() {
        return false;
    }
    let Some(agent) = headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok()) else { return false };
    let agent = agent.to_ascii_lowercase();
    agent.starts_with("mozilla/") && !NOT_A_READER.iter().any(|p| agent.contains(p))
}

impl ViewCounter {
    /// Writes the counts gathered since the last flush. On failure they are kept for the next.
    pub async fn flush(&self, store: &Store) -> anyhow::Result<()> {
        let _one_at_a_time = self.flushing.lock().await;
        let counts = self.take();
        if counts.is_empty() {
            return Ok(());
        }
        if let Err(e) = store.add_views(now_unix(), &counts).await {
            self.restore(counts);
            return Err(e.into());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn agent(ua: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(header::USER_AGENT, HeaderValue::from_str(ua).unwrap());
        h
    }

    #[test]
    fn readers_count_and_programs_do_not() {
        let firefox = "Mozilla/5.0 (X11; Linux x86_64; rv:132.0) Gecko/20100101 Firefox/132.0";
        let phone = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1";
        assert!(is_reader_view(&Method::GET, &agent(firefox)));
        assert!(is_reader_view(&Method::GET, &agent(phone)));
        assert!(!is_reader_view(&Method::HEAD, &agent(firefox)), "HEAD is not a view");
        for bot in [
            "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
            "Mozilla/5.0 (compatible; bingbot/2.0)",
            "facebookexternalhit/1.1",
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/120.0 Safari/537.36",
            "Mozilla/5.0 (compatible; Slack-ImgProxy; Slackbot-LinkExpanding)",
            "curl/8.5.0",
            "python-requests/2.32",
            "",
        ] {
            assert!(!is_reader_view(&Method::GET, &agent(bot)), "{bot} counted");
        }
        let mut prefetch = agent(firefox);
        prefetch.insert("sec-purpose", HeaderValue::from_static("prefetch;prerender"));
        assert!(!is_reader_view(&Method::GET, &prefetch));
        let mut staff = agent(firefox);
        staff.insert(header::COOKIE, HeaderValue::from_static("mq_session=abc"));
        assert!(!is_reader_view(&Method::GET, &staff), "the newsroom's visits do not count");
    }

    #[test]
    fn failed_counts_are_kept_for_the_next_flush() {
        let c = ViewCounter::default();
        c.record("news", "a");
        c.record("news", "a");
        let taken = c.take();
        assert_eq!(taken, vec![ViewCount { section: "news".into(), slug: "a".into(), views: 2 }]);
        c.record("news", "a");
        c.restore(taken);
        assert_eq!(c.take()[0].views, 3);
        assert!(c.take().is_empty());
    }

    #[test]
    fn counts_are_handed_over_in_one_order() {
        let c = ViewCounter::default();
        for (section, slug) in [("news", "b"), ("arts", "z"), ("news", "a"), ("news", "b")] {
            c.record(section, slug);
        }
        let order: Vec<(String, String, i64)> = c.take().into_iter().map(|v| (v.section, v.slug, v.views)).collect();
        assert_eq!(order, vec![("arts".into(), "z".into(), 1), ("news".into(), "a".into(), 1), ("news".into(), "b".into(), 2)]);
    }
}

//! Counting page views for Most Popular: in memory per server, added to the database every
//! few seconds.
//!
//! A view is a GET of a live article page answered 200 to something that looks like a person's
//! browser: no cookie is set or read for it. Crawlers, link previewers, prefetches and the
//! newsroom's own visits do not count, and neither does a reader reading the same article
//! again within half an hour: a view is counted once per client address (the reader's own
//! behind a trusted proxy, see `proxy`) and article in that time, by each server. Foundation:
//! imports only `cookies`.

use crate::cookies::staff_token;
use axum::http::{header, HeaderMap, Method};
use marquee_domain::time::now_unix;
use marquee_store::{Store, ViewCount};
use std::collections::{BTreeMap, HashSet};
use std::hash::BuildHasher;
use std::net::IpAddr;
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

/// How long a reader's view of an article keeps their next views of it from counting.
const REPEAT_SECS: i64 = 30 * 60;

/// Readers and articles remembered per half hour; past it the older half hour is forgotten
/// early (about 2 MB each).
const MAX_SEEN: usize = 100_000;

/// Which (address, article) pairs were counted lately: two generations of keyed hashes, the
/// current one and the one before, so a pair is remembered for between one and two periods.
#[derive(Default)]
struct Seen {
    current: HashSet<u64>,
    previous: HashSet<u64>,
    since: i64,
    keys: std::collections::hash_map::RandomState,
}

impl Seen {
    /// True the first time `client` reads this article in the period, which counts.
    fn first(&mut self, client: IpAddr, section: &str, slug: &str, now: i64) -> bool {
        if now - self.since >= REPEAT_SECS || self.current.len() >= MAX_SEEN {
            self.previous = std::mem::take(&mut self.current);
            self.since = now;
        }
        let key = self.keys.hash_one((client, section, slug));
        !self.previous.contains(&key) && self.current.insert(key)
    }
}

/// Counts waiting to be written, by section slug, then article slug. Sorted maps hand the
/// counts over in one fixed order, so that two servers flushing at once on PostgreSQL take
/// row locks in the same order and cannot deadlock; borrowed lookups keep a view free of
/// allocation once its article has been seen.
#[derive(Default)]
pub struct ViewCounter {
    pending: Mutex<Pending>,
    seen: Mutex<Seen>,
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
    /// Counts a reader's view from `client`, unless that address read the article lately.
    pub fn record(&self, client: IpAddr, section: &str, slug: &str) {
        if self.seen.lock().unwrap().first(client, section, slug, now_unix()) {
            self.pending.lock().unwrap().add(section, slug, 1);
        }
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

    fn reader(n: u8) -> IpAddr {
        IpAddr::from([203, 0, 113, n])
    }

    #[test]
    fn a_reader_counts_once_per_article_and_half_hour() {
        let c = ViewCounter::default();
        for _ in 0..3 {
            c.record(reader(1), "news", "a");
        }
        c.record(reader(2), "news", "a");
        c.record(reader(1), "news", "b");
        c.record(reader(1), "arts", "a");
        let views: Vec<i64> = c.take().into_iter().map(|v| v.views).collect();
        assert_eq!(views, vec![1, 2, 1], "arts/a once, news/a by two readers, news/b once");
        let mut seen = Seen::default();
        assert!(seen.first(reader(1), "news", "a", 1_000));
        assert!(!seen.first(reader(1), "news", "a", 1_000 + REPEAT_SECS - 1));
        assert!(!seen.first(reader(1), "news", "a", 1_000 + REPEAT_SECS), "still remembered in the period after");
        assert!(seen.first(reader(1), "news", "a", 1_000 + 2 * REPEAT_SECS), "two periods on, a new view");
        let v6: IpAddr = "2001:db8::1".parse().unwrap();
        assert!(seen.first(v6, "news", "a", 1_000 + 2 * REPEAT_SECS));
    }

    #[test]
    fn failed_counts_are_kept_for_the_next_flush() {
        let c = ViewCounter::default();
        c.record(reader(1), "news", "a");
        c.record(reader(2), "news", "a");
        let taken = c.take();
        assert_eq!(taken, vec![ViewCount { section: "news".into(), slug: "a".into(), views: 2 }]);
        c.record(reader(3), "news", "a");
        c.restore(taken);
        assert_eq!(c.take()[0].views, 3);
        assert!(c.take().is_empty());
    }

    #[test]
    fn counts_are_handed_over_in_one_order() {
        let c = ViewCounter::default();
        for (n, (section, slug)) in [("news", "b"), ("arts", "z"), ("news", "a"), ("news", "b")].into_iter().enumerate() {
            c.record(reader(n as u8), section, slug);
        }
        let order: Vec<(String, String, i64)> = c.take().into_iter().map(|v| (v.section, v.slug, v.views)).collect();
        assert_eq!(order, vec![("arts".into(), "z".into(), 1), ("news".into(), "a".into(), 1), ("news".into(), "b".into(), 2)]);
    }
}

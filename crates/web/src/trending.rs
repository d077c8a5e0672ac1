//! Trending in the Alternative Press: merging peers' Most Popular rankings into one box.
//! Foundation: imports nothing from this crate.

use marquee_store::PeerStory;
use serde::Serialize;

/// Stories in the Trending in the Alternative Press box.
pub const TRENDING_BOX_LEN: usize = 6;

/// One story in the Trending in the Alternative Press box.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrendingLink {
    pub url: String,
    pub title: String,
    pub paper: String,
    pub paper_url: String,
}

/// Merges peers' rankings into one list: a story's score falls with its rank at its paper and
/// with its age (halving over two days), the paper's own stories never appear, and no paper
/// takes more than half the box while others have stories to fill it.
pub fn merge_trending(stories: &[PeerStory], own_host: &str, now: i64, len: usize) -> Vec<TrendingLink> {
    let mut scored: Vec<(f64, &PeerStory)> = stories
        .iter()
        .filter(|s| marquee_federation::host_of(&s.url).is_some_and(|h| h != own_host))
        .map(|s| {
            let age_days = ((now - s.published_at).max(0) as f64) / 86400.0;
            let score = (1.0 / (s.rank.max(1) as f64).sqrt()) * (1.0 / (1.0 + age_days / 2.0));
            (score, s)
        })
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.url.cmp(&b.1.url)));
    let papers: std::collections::BTreeSet<i64> = scored.iter().map(|(_, s)| s.peer_id).collect();
    let cap = if papers.len() > 1 { len.div_ceil(2) } else { len };
    let mut taken: std::collections::HashMap<i64, usize> = Default::default();
    let mut out: Vec<TrendingLink> = Vec::new();
    // First with each paper capped, then filling what is left in score order.
    for capped in [true, false] {
        for (_, s) in &scored {
            if out.len() == len {
                break;
            }
            let n = taken.entry(s.peer_id).or_default();
            if (capped && *n >= cap) || out.iter().any(|l| l.url == s.url) {
                continue;
            }
            *n += 1;
            out.push(TrendingLink { url: s.url.clone(), title: s.title.clone(), paper: s.paper.clone(), paper_url: s.site_url.clone() });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn story(peer_id: i64, rank: i64, url: &str, age_hours: i64) -> PeerStory {
        PeerStory { peer_id, paper: format!("Paper {peer_id}"), site_url: String::new(), rank, url: url.into(), title: url.into(), published_at: 1_000_000 - age_hours * 3600, fetched_at: 0 }
    }

    #[test]
    fn fresh_stories_rise_own_stories_never_show_and_no_paper_takes_the_box() {
        let stories = vec![
            story(1, 1, "https://b.example/old-top/", 24 * 6),
            story(1, 2, "https://b.example/fresh/", 1),
            story(1, 3, "https://b.example/third/", 2),
            story(1, 4, "https://b.example/fourth/", 2),
            story(2, 1, "https://c.example/top/", 5),
            story(2, 2, "https://a.example/ours/", 1),
        ];
        let links = merge_trending(&stories, "a.example", 1_000_000, 3);
        let urls: Vec<&str> = links.iter().map(|l| l.url.as_str()).collect();
        assert_eq!(urls, ["https://c.example/top/", "https://b.example/fresh/", "https://b.example/third/"], "a six-day-old first place falls behind fresher ones");
        let all = merge_trending(&stories, "a.example", 1_000_000, 10);
        assert_eq!(all.len(), 5, "with nothing else to show, one paper fills the box");
        assert!(!all.iter().any(|l| l.url.contains("a.example")), "never the paper's own story");
    }
}

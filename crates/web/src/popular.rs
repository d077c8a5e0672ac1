//! Most Popular: article page views counted in memory and added to the database every few
//! seconds, and the `/popular/` page.
//!
//! A view is a GET of a live article page answered 200 to something that looks like a person's
//! browser: no cookie is set or read for it. Crawlers, link previewers, prefetches and the
//! newsroom's own visits do not count.

use crate::respond::{bad_request, cached_for, render_page, Reply};
use crate::state::AppState;
use crate::views::{Card, Layout};
use axum::extract::{Query, State};
use marquee_domain::time::now_unix;
use serde::{Deserialize, Serialize};

#[derive(Deserialize)]
pub struct PopularQuery {
    section: Option<String>,
}

/// `/popular/`: the ranking over the paper's window, for the whole site or one section.
pub async fn page(State(state): State<AppState>, Query(q): Query<PopularQuery>) -> Reply {
    let site = state.site();
    let section = match q.section.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(slug) => match site.sections.iter().find(|s| s.slug == slug) {
            Some(s) => Some(s.clone()),
            None => return Err(bad_request("There is no section by that name; pick one from the list on the Most Popular page.")),
        },
    };
    let key = format!("/popular/?section={}", section.as_ref().map(|s| s.slug.as_str()).unwrap_or(""));
    Ok(cached_for(&state, Some(key), Some(crate::boxes::POPULAR_REFRESH_SECS), || async {
        let days = site.publication.popular_days;
        let now = now_unix();
        let rows = state
            .store()
            .most_popular(now, now - days * 86400, section.as_ref().map(|s| s.id), 25)
            .await?;
        #[derive(Serialize)]
        struct Row {
            card: Card,
            views: i64,
        }
        #[derive(Serialize)]
        struct Filter {
            name: String,
            url: String,
            current: bool,
        }
        #[derive(Serialize)]
        struct Ctx {
            layout: Layout,
            heading: String,
            days: i64,
            rows: Vec<Row>,
            filters: Vec<Filter>,
        }
        let mut filters = vec![Filter { name: "All sections".into(), url: "/popular/".into(), current: section.is_none() }];
        filters.extend(site.sections.iter().map(|s| Filter {
            name: s.name.clone(),
            url: format!("/popular/?section={}", s.slug),
            current: section.as_ref().is_some_and(|c| c.id == s.id),
        }));
        let heading = match &section {
            Some(s) => format!("Most Popular in {}", s.name),
            None => "Most Popular Stories".to_string(),
        };
        let rows = rows.iter().map(|r| Row { card: Card::new(&r.card, &site), views: r.views }).collect();
        render_page(&state, "popular.html", Ctx { layout: Layout::new(&site, None), heading, days, rows, filters })
    })
    .await)
}

//! Special reports: `/reports/` and `/reports/{slug}/` for readers, and the editors' pages
//! under `/admin/reports` where reports are built and their items put in order.

use crate::event_view::EventView;
use crate::respond::{cached, not_found, render_page, Reply};
use crate::state::AppState;
use crate::views::{Card, Layout};
use axum::extract::{Path, State};
use marquee_domain::time::now_unix;
use marquee_store::{Report, ReportItem};
use serde::Serialize;
use std::collections::HashMap;

// ----- readers -----

#[derive(Serialize)]
struct ReportSummary {
    url: String,
    title: String,
    cover_image: String,
    cover_alt: String,
    current: bool,
}

pub async fn index(State(state): State<AppState>) -> Reply {
    Ok(cached(&state, "/reports/".into(), || async {
        let site = state.site();
        let reports = state.store().reports(true).await?;
        #[derive(Serialize)]
        struct Ctx {
            layout: Layout,
            reports: Vec<ReportSummary>,
        }
        let reports = reports
            .into_iter()
            .map(|r| ReportSummary { url: format!("/reports/{}/", r.slug), title: r.title, cover_image: r.cover_image, cover_alt: r.cover_alt, current: r.current == 1 })
            .collect();
        render_page(&state, "reports.html", Ctx { layout: Layout::new(&site, None), reports })
    })
    .await)
}

/// One entry as readers see it: an article card or an event, with the blurb.
#[derive(Serialize)]
struct Entry {
    blurb: String,
    article: Option<Card>,
    event: Option<EventView>,
}

#[derive(Serialize)]
struct Chapter {
    id: String,
    title: String,
    intro: String,
    entries: Vec<Entry>,
}

pub async fn report(State(state): State<AppState>, Path(slug): Path<String>) -> Reply {
    Ok(cached(&state, format!("/reports/{slug}/"), || async {
        let site = state.site();
        let store = state.store();
        let report = match store.report_by_slug(&slug).await? {
            Some(r) if r.status == "published" => r,
            _ => return Err(not_found()),
        };
        let now = now_unix();
        let chapters = store.report_chapters(report.id).await?;
        let items = store.report_items(report.id, now).await?;
        let article_ids: Vec<i64> = items.iter().filter_map(|i| i.article_id).collect();
        let event_ids: Vec<i64> = items.iter().filter_map(|i| i.event_id).collect();
        let mut cards: HashMap<i64, Card> =
            store.live_cards_by_ids(&article_ids, now).await?.iter().map(|c| (c.id, Card::new(c, &site))).collect();
        let mut events: HashMap<i64, EventView> =
            store.event_cards_by_ids(&event_ids).await?.iter().map(|e| (e.id, EventView::new(e))).collect();
        let mut entry = |i: &ReportItem| -> Option<Entry> {
            let article = i.article_id.and_then(|id| cards.remove(&id));
            let event = i.event_id.and_then(|id| events.remove(&id));
            (article.is_some() || event.is_some()).then(|| Entry { blurb: i.blurb.clone(), article, event })
        };
        // Items outside any chapter come first; drafts and missing targets are left out.
        let mut sections = vec![Chapter { id: String::new(), title: String::new(), intro: String::new(), entries: items.iter().filter(|i| i.chapter_id.is_none()).filter_map(&mut entry).collect() }];
        for c in &chapters {
            let entries = items.iter().filter(|i| i.chapter_id == Some(c.id)).filter_map(&mut entry).collect();
            sections.push(Chapter { id: format!("chapter-{}", c.position + 1), title: c.title.clone(), intro: c.intro.clone(), entries });
        }
        sections.retain(|c| !c.entries.is_empty() || !c.title.is_empty());
        #[derive(Serialize)]
        struct Ctx {
            layout: Layout,
            report: Report,
            url: String,
            chapters: Vec<Chapter>,
            contents: Vec<(String, String)>,
        }
        let contents = sections.iter().filter(|c| !c.title.is_empty()).map(|c| (c.id.clone(), c.title.clone())).collect();
        let url = format!("/reports/{}/", report.slug);
        render_page(&state, "report.html", Ctx { layout: Layout::new(&site, None), report, url, chapters: sections, contents })
    })
    .await)
}


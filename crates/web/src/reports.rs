//! Special reports: `/reports/` and `/reports/{slug}/` for readers, and the editors' pages
//! under `/admin/reports` where reports are built and their items put in order.

use crate::admin::{admin_layout, forbidden, page, AdminLayout};
use crate::auth::Staff;
use crate::csrf::CsrfToken;
use crate::public::{cached, internal_error, not_found, render_page};
use crate::state::AppState;
use crate::views::{Card, Layout};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use marquee_domain::time::now_unix;
use marquee_domain::{slugify, validate_slug, FieldErrors};
use marquee_store::{ItemTarget, Move, Report, ReportItem, ReportWrite};
use serde::{Deserialize, Serialize};
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

pub async fn index(State(state): State<AppState>) -> Response {
    cached(&state, "/reports/".into(), || async {
        let site = state.site();
        let reports = state.store().reports(true).await.map_err(|e| internal_error(&state, e))?;
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
    .await
}

/// One entry as readers see it: an article card or an event, with the blurb.
#[derive(Serialize)]
struct Entry {
    blurb: String,
    article: Option<Card>,
    event: Option<crate::events::EventView>,
}

#[derive(Serialize)]
struct Chapter {
    id: String,
    title: String,
    intro: String,
    entries: Vec<Entry>,
}

pub async fn report(State(state): State<AppState>, Path(slug): Path<String>) -> Response {
    cached(&state, format!("/reports/{slug}/"), || async {
        let site = state.site();
        let store = state.store();
        let report = match store.report_by_slug(&slug).await {
            Ok(Some(r)) if r.status == "published" => r,
            Ok(_) => return Err(not_found(&state)),
            Err(e) => return Err(internal_error(&state, e)),
        };
        let now = now_unix();
        let chapters = store.report_chapters(report.id).await.map_err(|e| internal_error(&state, e))?;
        let items = store.report_items(report.id, now).await.map_err(|e| internal_error(&state, e))?;
        let article_ids: Vec<i64> = items.iter().filter_map(|i| i.article_id).collect();
        let event_ids: Vec<i64> = items.iter().filter_map(|i| i.event_id).collect();
        let mut cards: HashMap<i64, Card> =
            store.live_cards_by_ids(&article_ids, now).await.map_err(|e| internal_error(&state, e))?.iter().map(|c| (c.id, Card::new(c, &site))).collect();
        let mut events: HashMap<i64, crate::events::EventView> =
            store.event_cards_by_ids(&event_ids).await.map_err(|e| internal_error(&state, e))?.iter().map(|e| (e.id, crate::events::EventView::new(e))).collect();
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
    .await
}

// ----- editors -----

fn see_other(to: &str) -> Response {
    Redirect::to(to).into_response()
}

fn editors_only(state: &AppState, staff: &Staff) -> Option<Response> {
    (!staff.role.can_edit_others()).then(|| forbidden(state, "Only editors build special reports."))
}

/// For changes to a report's contents: 403 for contributors, 404 for a report that is gone.
async fn may_change(state: &AppState, staff: &Staff, id: i64) -> Option<Response> {
    if let Some(r) = editors_only(state, staff) {
        return Some(r);
    }
    match state.store().report_by_id(id).await {
        Ok(Some(_)) => None,
        Ok(None) => Some(not_found(state)),
        Err(e) => Some(internal_error(state, e)),
    }
}

#[derive(Deserialize, Serialize, Default, Clone)]
pub struct ReportForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    slug: String,
    #[serde(default)]
    intro: String,
    #[serde(default)]
    cover_image: String,
    #[serde(default)]
    cover_alt: String,
    #[serde(default)]
    published: Option<String>,
    #[serde(default)]
    current: Option<String>,
    #[serde(default)]
    position: String,
}

impl ReportForm {
    fn from_report(r: &Report) -> ReportForm {
        ReportForm {
            title: r.title.clone(),
            slug: r.slug.clone(),
            intro: r.intro.clone(),
            cover_image: r.cover_image.clone(),
            cover_alt: r.cover_alt.clone(),
            published: (r.status == "published").then(|| "on".into()),
            current: (r.current == 1).then(|| "on".into()),
            position: r.position.to_string(),
        }
    }

    /// The checked fields with the intro rendered, or the errors to show.
    fn check(&self) -> Result<(String, String, i64), FieldErrors> {
        let mut errors = FieldErrors::new();
        let title = self.title.trim();
        if title.is_empty() || title.chars().count() > 200 {
            errors.insert("title", "A title of up to 200 characters is required.".into());
        }
        let slug = if self.slug.trim().is_empty() { slugify(title) } else { self.slug.trim().to_string() };
        if let Err(e) = validate_slug(&slug) {
            errors.insert("slug", e);
        }
        let intro_html = match marquee_domain::markdown::render_checked(&self.intro, 100_000) {
            Ok(h) => h,
            Err(e) => {
                errors.insert("intro", e);
                String::new()
            }
        };
        let cover = self.cover_image.trim();
        if !cover.is_empty() && !(cover.starts_with('/') && !cover.starts_with("//") || cover.starts_with("https://") || cover.starts_with("http://")) {
            errors.insert("cover_image", "Give the cover as a path on this site (/static/...) or an http(s) address.".into());
        }
        if !cover.is_empty() && self.cover_alt.trim().is_empty() {
            errors.insert("cover_alt", "Describe the cover image for readers who cannot see it.".into());
        }
        let position = match self.position.trim() {
            "" => 0,
            p => p.parse::<i64>().unwrap_or_else(|_| {
                errors.insert("position", "The order in the box is a whole number (lower comes first).".into());
                0
            }),
        };
        if errors.is_empty() {
            Ok((slug, intro_html, position))
        } else {
            Err(errors)
        }
    }

    fn write<'a>(&'a self, slug: &'a str, intro_html: &'a str, position: i64) -> ReportWrite<'a> {
        ReportWrite {
            slug,
            title: self.title.trim(),
            intro: &self.intro,
            intro_html,
            cover_image: self.cover_image.trim(),
            cover_alt: self.cover_alt.trim(),
            published: self.published.is_some(),
            current: self.current.is_some(),
            position,
            now: now_unix(),
        }
    }
}

pub async fn admin_list(State(state): State<AppState>, staff: Staff, Extension(csrf): Extension<CsrfToken>) -> Response {
    if let Some(r) = editors_only(&state, &staff) {
        return r;
    }
    list_page(&state, &staff, &csrf, StatusCode::OK, ReportForm { current: Some("on".into()), ..Default::default() }, FieldErrors::new(), None).await
}

async fn list_page(state: &AppState, staff: &Staff, csrf: &CsrfToken, status: StatusCode, form: ReportForm, errors: FieldErrors, message: Option<String>) -> Response {
    let reports = match state.store().reports(false).await {
        Ok(r) => r,
        Err(e) => return internal_error(state, e),
    };
    #[derive(Serialize)]
    struct Ctx {
        admin: AdminLayout,
        reports: Vec<Report>,
        form: ReportForm,
        errors: FieldErrors,
        message: Option<String>,
    }
    page(state, status, "admin/reports.html", Ctx { admin: admin_layout(state, staff, csrf), reports, form, errors, message })
}

pub async fn create(State(state): State<AppState>, staff: Staff, Extension(csrf): Extension<CsrfToken>, Form(form): Form<ReportForm>) -> Response {
    if let Some(r) = editors_only(&state, &staff) {
        return r;
    }
    let invalid = |errors| list_page(&state, &staff, &csrf, StatusCode::UNPROCESSABLE_ENTITY, form.clone(), errors, Some("Nothing was saved. Please correct the fields marked below.".into()));
    let (slug, intro_html, position) = match form.check() {
        Ok(v) => v,
        Err(errors) => return invalid(errors).await,
    };
    match state.store().create_report(&form.write(&slug, &intro_html, position)).await {
        Ok(Some(id)) => {
            let _ = state.refresh().await;
            see_other(&format!("/admin/reports/{id}?saved=1"))
        }
        Ok(None) => invalid(slug_taken()).await,
        Err(e) => internal_error(&state, e),
    }
}

fn slug_taken() -> FieldErrors {
    let mut errors = FieldErrors::new();
    errors.insert("slug", "Another report already has this address.".into());
    errors
}

#[derive(Deserialize)]
pub struct EditQuery {
    saved: Option<String>,
    error: Option<String>,
}

/// An item as the editor's list shows it.
#[derive(Serialize)]
struct ItemRow {
    item: ReportItem,
    chapter: String,
}

async fn edit_page(state: &AppState, staff: &Staff, csrf: &CsrfToken, status: StatusCode, id: i64, form: Option<ReportForm>, errors: FieldErrors, message: Option<String>) -> Response {
    let store = state.store();
    let report = match store.report_by_id(id).await {
        Ok(Some(r)) => r,
        Ok(None) => return not_found(state),
        Err(e) => return internal_error(state, e),
    };
    let (chapters, items) = match (store.report_chapters(id).await, store.report_items(id, now_unix()).await) {
        (Ok(c), Ok(i)) => (c, i),
        (Err(e), _) | (_, Err(e)) => return internal_error(state, e),
    };
    let names: HashMap<i64, String> = chapters.iter().map(|c| (c.id, c.title.clone())).collect();
    // Grouped as readers see them: items outside chapters first, then each chapter's.
    let mut rows: Vec<ItemRow> = items.iter().filter(|i| i.chapter_id.is_none()).map(|i| ItemRow { item: i.clone(), chapter: String::new() }).collect();
    for c in &chapters {
        rows.extend(items.iter().filter(|i| i.chapter_id == Some(c.id)).map(|i| ItemRow { item: i.clone(), chapter: names[&c.id].clone() }));
    }
    #[derive(Serialize)]
    struct Ctx {
        admin: AdminLayout,
        report: Report,
        form: ReportForm,
        chapters: Vec<marquee_store::ReportChapter>,
        items: Vec<ItemRow>,
        errors: FieldErrors,
        message: Option<String>,
    }
    let form = form.unwrap_or_else(|| ReportForm::from_report(&report));
    page(state, status, "admin/report.html", Ctx { admin: admin_layout(state, staff, csrf), report, form, chapters, items: rows, errors, message })
}

pub async fn edit(State(state): State<AppState>, staff: Staff, Extension(csrf): Extension<CsrfToken>, Path(id): Path<i64>, Query(q): Query<EditQuery>) -> Response {
    if let Some(r) = editors_only(&state, &staff) {
        return r;
    }
    let message = match (q.saved, q.error.as_deref()) {
        (_, Some("item")) => Some("Nothing was added: give the address of an article on this site (such as /news/a-story/) or of an event (/events/an-event/).".into()),
        (_, Some("chapter")) => Some("A chapter needs a title of up to 200 characters.".into()),
        (Some(_), _) => Some("Saved.".into()),
        _ => None,
    };
    edit_page(&state, &staff, &csrf, StatusCode::OK, id, None, FieldErrors::new(), message).await
}

pub async fn save(State(state): State<AppState>, staff: Staff, Extension(csrf): Extension<CsrfToken>, Path(id): Path<i64>, Form(form): Form<ReportForm>) -> Response {
    if let Some(r) = editors_only(&state, &staff) {
        return r;
    }
    let (slug, intro_html, position) = match form.check() {
        Ok(v) => v,
        Err(errors) => return edit_page(&state, &staff, &csrf, StatusCode::UNPROCESSABLE_ENTITY, id, Some(form), errors, Some("Nothing was saved. Please correct the fields marked below.".into())).await,
    };
    match state.store().update_report(id, &form.write(&slug, &intro_html, position)).await {
        Ok(true) => {
            let _ = state.refresh().await;
            see_other(&format!("/admin/reports/{id}?saved=1"))
        }
        Ok(false) => edit_page(&state, &staff, &csrf, StatusCode::UNPROCESSABLE_ENTITY, id, Some(form), slug_taken(), Some("Nothing was saved.".into())).await,
        Err(e) => internal_error(&state, e),
    }
}

pub async fn delete(State(state): State<AppState>, staff: Staff, Path(id): Path<i64>) -> Response {
    if let Some(r) = editors_only(&state, &staff) {
        return r;
    }
    if let Err(e) = state.store().delete_report(id).await {
        return internal_error(&state, e);
    }
    let _ = state.refresh().await;
    see_other("/admin/reports")
}

#[derive(Deserialize)]
pub struct ChapterForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    intro: String,
    /// save, up, down or remove.
    #[serde(default)]
    action: String,
}

pub async fn add_chapter(State(state): State<AppState>, staff: Staff, Path(id): Path<i64>, Form(f): Form<ChapterForm>) -> Response {
    if let Some(r) = may_change(&state, &staff, id).await {
        return r;
    }
    let title = f.title.trim();
    if title.is_empty() || title.chars().count() > 200 {
        return see_other(&format!("/admin/reports/{id}?error=chapter#chapters"));
    }
    done(&state, id, "chapters", state.store().add_chapter(id, title.to_string(), f.intro.trim().to_string()).await).await
}

pub async fn change_chapter(State(state): State<AppState>, staff: Staff, Path((id, chapter)): Path<(i64, i64)>, Form(f): Form<ChapterForm>) -> Response {
    if let Some(r) = may_change(&state, &staff, id).await {
        return r;
    }
    let store = state.store();
    let result = match f.action.as_str() {
        "up" => store.move_chapter(id, chapter, Move::Up).await,
        "down" => store.move_chapter(id, chapter, Move::Down).await,
        "remove" => store.delete_chapter(id, chapter).await,
        _ => {
            let title = f.title.trim();
            if title.is_empty() || title.chars().count() > 200 {
                return see_other(&format!("/admin/reports/{id}?error=chapter#chapters"));
            }
            store.update_chapter(id, chapter, title.to_string(), f.intro.trim().to_string()).await
        }
    };
    done(&state, id, "chapters", result).await
}

#[derive(Deserialize)]
pub struct ItemForm {
    /// An article's or an event's address, on this site or as a full URL.
    #[serde(default)]
    target: String,
    #[serde(default)]
    chapter: String,
    #[serde(default)]
    blurb: String,
    #[serde(default)]
    action: String,
}

/// The article or event an editor pasted the address of.
async fn resolve_target(state: &AppState, target: &str) -> anyhow::Result<Option<ItemTarget>> {
    let base = state.site().publication.base_url.trim_end_matches('/').to_string();
    let path = target.trim().strip_prefix(base.as_str()).unwrap_or(target.trim());
    let path = path.split(['?', '#']).next().unwrap_or("");
    let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
    Ok(match parts.as_slice() {
        ["events", slug] => state.store().event_by_slug(slug).await?.map(|e| ItemTarget::Event(e.event.card.id)),
        [section, slug] => state.store().article_id_at(section, slug).await?.map(ItemTarget::Article),
        _ => None,
    })
}

fn chapter_id(raw: &str) -> Option<i64> {
    raw.trim().parse().ok()
}

pub async fn add_item(State(state): State<AppState>, staff: Staff, Path(id): Path<i64>, Form(f): Form<ItemForm>) -> Response {
    if let Some(r) = may_change(&state, &staff, id).await {
        return r;
    }
    let target = match resolve_target(&state, &f.target).await {
        Ok(Some(t)) => t,
        Ok(None) => return see_other(&format!("/admin/reports/{id}?error=item#items")),
        Err(e) => return internal_error(&state, e),
    };
    let blurb = f.blurb.trim().chars().take(1000).collect();
    done(&state, id, "items", state.store().add_item(id, chapter_id(&f.chapter), target, blurb).await).await
}

pub async fn change_item(State(state): State<AppState>, staff: Staff, Path((id, item)): Path<(i64, i64)>, Form(f): Form<ItemForm>) -> Response {
    if let Some(r) = may_change(&state, &staff, id).await {
        return r;
    }
    let store = state.store();
    let result = match f.action.as_str() {
        "up" => store.move_item(id, item, Move::Up).await,
        "down" => store.move_item(id, item, Move::Down).await,
        "remove" => store.delete_item(id, item).await,
        _ => store.update_item(id, item, chapter_id(&f.chapter), f.blurb.trim().chars().take(1000).collect()).await,
    };
    done(&state, id, "items", result).await
}

async fn done(state: &AppState, id: i64, anchor: &str, result: marquee_store::Result<()>) -> Response {
    if let Err(e) = result {
        return internal_error(state, e);
    }
    let _ = state.refresh().await;
    see_other(&format!("/admin/reports/{id}?saved=1#{anchor}"))
}

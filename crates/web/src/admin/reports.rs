//! The special reports desk (editors): building reports, chapters and their items.

use super::{admin_layout, page, AdminLayout, NOT_SAVED};
use crate::auth::Staff;
use crate::csrf::CsrfToken;
use crate::respond::{not_found, see_other, AppError, Reply};
use crate::state::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::{Extension, Form};
use marquee_domain::time::now_unix;
use marquee_domain::{slugify, validate_slug, FieldErrors};
use marquee_store::{ItemTarget, Move, Report, ReportItem, ReportWrite};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

// ----- editors -----

/// For changes to a report's contents: 403 for contributors, 404 for a report that is gone.
async fn may_change(state: &AppState, staff: &Staff, id: i64) -> Result<(), AppError> {
    staff.must_be_editor("Only editors build special reports.")?;
    state.store().report_by_id(id).await?.map(|_| ()).ok_or_else(not_found)
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

pub async fn admin_list(State(state): State<AppState>, staff: Staff, Extension(csrf): Extension<CsrfToken>) -> Reply {
    staff.must_be_editor("Only editors build special reports.")?;
    list_page(&state, &staff, &csrf, StatusCode::OK, ReportForm { current: Some("on".into()), ..Default::default() }, FieldErrors::new(), None).await
}

async fn list_page(state: &AppState, staff: &Staff, csrf: &CsrfToken, status: StatusCode, form: ReportForm, errors: FieldErrors, message: Option<String>) -> Reply {
    let reports = state.store().reports(false).await?;
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

pub async fn create(State(state): State<AppState>, staff: Staff, Extension(csrf): Extension<CsrfToken>, Form(form): Form<ReportForm>) -> Reply {
    staff.must_be_editor("Only editors build special reports.")?;
    let invalid = |errors| list_page(&state, &staff, &csrf, StatusCode::UNPROCESSABLE_ENTITY, form.clone(), errors, Some(NOT_SAVED.into()));
    let (slug, intro_html, position) = match form.check() {
        Ok(v) => v,
        Err(errors) => return invalid(errors).await,
    };
    match state.store().create_report(&form.write(&slug, &intro_html, position)).await? {
        Some(id) => {
            state.refresh_after_write().await;
            Ok(see_other(&format!("/admin/reports/{id}?saved=1")))
        }
        None => invalid(slug_taken()).await,
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

async fn edit_page(state: &AppState, staff: &Staff, csrf: &CsrfToken, status: StatusCode, id: i64, form: Option<ReportForm>, errors: FieldErrors, message: Option<String>) -> Reply {
    let store = state.store();
    let report = match store.report_by_id(id).await? {
        Some(r) => r,
        None => return Err(not_found()),
    };
    let chapters = store.report_chapters(id).await?;
    let items = store.report_items(id, now_unix()).await?;
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

pub async fn edit(State(state): State<AppState>, staff: Staff, Extension(csrf): Extension<CsrfToken>, Path(id): Path<i64>, Query(q): Query<EditQuery>) -> Reply {
    staff.must_be_editor("Only editors build special reports.")?;
    let message = match (q.saved, q.error.as_deref()) {
        (_, Some("item")) => Some("Nothing was added: give the address of an article on this site (such as /news/a-story/) or of an event (/events/an-event/).".into()),
        (_, Some("chapter")) => Some("A chapter needs a title of up to 200 characters.".into()),
        (Some(_), _) => Some("Saved.".into()),
        _ => None,
    };
    edit_page(&state, &staff, &csrf, StatusCode::OK, id, None, FieldErrors::new(), message).await
}

pub async fn save(State(state): State<AppState>, staff: Staff, Extension(csrf): Extension<CsrfToken>, Path(id): Path<i64>, Form(form): Form<ReportForm>) -> Reply {
    staff.must_be_editor("Only editors build special reports.")?;
    let (slug, intro_html, position) = match form.check() {
        Ok(v) => v,
        Err(errors) => return edit_page(&state, &staff, &csrf, StatusCode::UNPROCESSABLE_ENTITY, id, Some(form), errors, Some(NOT_SAVED.into())).await,
    };
    match state.store().update_report(id, &form.write(&slug, &intro_html, position)).await? {
        true => {
            state.refresh_after_write().await;
            Ok(see_other(&format!("/admin/reports/{id}?saved=1")))
        }
        false => edit_page(&state, &staff, &csrf, StatusCode::UNPROCESSABLE_ENTITY, id, Some(form), slug_taken(), Some("Nothing was saved.".into())).await,
    }
}

pub async fn delete(State(state): State<AppState>, staff: Staff, Path(id): Path<i64>) -> Reply {
    staff.must_be_editor("Only editors build special reports.")?;
    state.store().delete_report(id).await?;
    state.refresh_after_write().await;
    Ok(see_other("/admin/reports"))
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

pub async fn add_chapter(State(state): State<AppState>, staff: Staff, Path(id): Path<i64>, Form(f): Form<ChapterForm>) -> Reply {
    may_change(&state, &staff, id).await?;
    let title = f.title.trim();
    if title.is_empty() || title.chars().count() > 200 {
        return Ok(see_other(&format!("/admin/reports/{id}?error=chapter#chapters")));
    }
    done(&state, id, "chapters", state.store().add_chapter(id, title.to_string(), f.intro.trim().to_string()).await).await
}

pub async fn change_chapter(State(state): State<AppState>, staff: Staff, Path((id, chapter)): Path<(i64, i64)>, Form(f): Form<ChapterForm>) -> Reply {
    may_change(&state, &staff, id).await?;
    let store = state.store();
    let result = match f.action.as_str() {
        "up" => store.move_chapter(id, chapter, Move::Up).await,
        "down" => store.move_chapter(id, chapter, Move::Down).await,
        "remove" => store.delete_chapter(id, chapter).await,
        _ => {
            let title = f.title.trim();
            if title.is_empty() || title.chars().count() > 200 {
                return Ok(see_other(&format!("/admin/reports/{id}?error=chapter#chapters")));
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

pub async fn add_item(State(state): State<AppState>, staff: Staff, Path(id): Path<i64>, Form(f): Form<ItemForm>) -> Reply {
    may_change(&state, &staff, id).await?;
    let target = match resolve_target(&state, &f.target).await? {
        Some(t) => t,
        None => return Ok(see_other(&format!("/admin/reports/{id}?error=item#items"))),
    };
    let blurb = f.blurb.trim().chars().take(1000).collect();
    done(&state, id, "items", state.store().add_item(id, chapter_id(&f.chapter), target, blurb).await).await
}

pub async fn change_item(State(state): State<AppState>, staff: Staff, Path((id, item)): Path<(i64, i64)>, Form(f): Form<ItemForm>) -> Reply {
    may_change(&state, &staff, id).await?;
    let store = state.store();
    let result = match f.action.as_str() {
        "up" => store.move_item(id, item, Move::Up).await,
        "down" => store.move_item(id, item, Move::Down).await,
        "remove" => store.delete_item(id, item).await,
        _ => store.update_item(id, item, chapter_id(&f.chapter), f.blurb.trim().chars().take(1000).collect()).await,
    };
    done(&state, id, "items", result).await
}

async fn done(state: &AppState, id: i64, anchor: &str, result: marquee_store::Result<()>) -> Reply {
    result?;
    state.refresh_after_write().await;
    Ok(see_other(&format!("/admin/reports/{id}?saved=1#{anchor}")))
}

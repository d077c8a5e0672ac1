//! The article desk: the list of articles, the editor, previews, revisions and restoring one.

use super::{admin_layout, page, AdminLayout, EditQuery, NOT_SAVED};
use crate::auth::Staff;
use crate::csrf::CsrfToken;
use crate::newsroom::{self, ArticleForm, SaveOutcome};
use crate::paging::Place;
use crate::parts::article::ArticleCtx;
use crate::respond::{forbidden, not_found, see_other, AppError, Reply};
use crate::state::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::{Extension, Form};
use marquee_domain::time::{long_datetime, now_unix};
use marquee_domain::FieldErrors;
use marquee_store::Seek;
use serde::{Deserialize, Serialize};

// ----- articles -----

/// What the editor says when someone else saved the article after it was opened.
const CHANGED_MEANWHILE: &str = "Someone else saved this article after you opened it, so nothing was saved. Copy your changes, reload the article and apply them again.";

#[derive(Deserialize)]
pub struct ListQuery {
    status: Option<String>,
    page: Option<String>,
    after: Option<String>,
    before: Option<String>,
}

pub async fn dashboard(State(state): State<AppState>, staff: Staff, Extension(csrf): Extension<CsrfToken>, Query(q): Query<ListQuery>) -> Reply {
    let status = q.status.as_deref().filter(|s| marquee_domain::ArticleStatus::parse(s).is_some());
    let per = 50;
    // A page number or place that makes no sense shows the first page: this is a tool, not
    // an address anyone shares.
    let place = Place::parse(q.page.as_deref(), q.after.as_deref(), q.before.as_deref(), per).unwrap_or(Place { page: 1, seek: Seek::FIRST });
    let (rows, total) = state.store().article_summaries(status, per + 1, place.seek).await?;
    let base = format!("/admin/?status={}", status.unwrap_or(""));
    let (rows, pager) = place.cut(&base, per, rows, total, |r| (r.updated_at, r.id));
    let site = state.site();
    let now = now_unix();
    #[derive(Serialize)]
    struct Row {
        id: i64,
        headline: String,
        section: String,
        state: String,
        when: String,
        url: Option<String>,
        editable: bool,
    }
    let rows: Vec<Row> = rows
        .into_iter()
        .map(|r| {
            let live = r.status != "draft" && r.publish_at.is_some_and(|t| t <= now);
            let state_label = match (r.status.as_str(), live) {
                ("draft", _) => "Draft",
                (_, true) => "Published",
                _ => "Scheduled",
            };
            Row {
                id: r.id,
                editable: staff.can_edit(r.created_by, &r.status),
                url: live.then(|| format!("/{}/{}/", r.section_slug, r.slug)),
                headline: r.headline,
                section: r.section_name,
                state: state_label.to_string(),
                when: r.publish_at.map(|t| long_datetime(t, &site.tz)).unwrap_or_default(),
            }
        })
        .collect();
    #[derive(Serialize)]
    struct Ctx {
        admin: AdminLayout,
        rows: Vec<Row>,
        status: String,
        pager: crate::views::Pager,
    }
    page(&state, StatusCode::OK, "admin/dashboard.html", Ctx { admin: admin_layout(&state, &staff, &csrf), rows, status: status.unwrap_or("").to_string(), pager })
}

#[derive(Serialize)]
struct Choice {
    value: String,
    label: String,
}

#[derive(Serialize)]
struct EditorCtx {
    admin: AdminLayout,
    id: Option<i64>,
    form: ArticleForm,
    errors: FieldErrors,
    sections: Vec<Choice>,
    authors: Vec<Choice>,
    state_label: String,
    live_url: Option<String>,
    can_publish: bool,
    is_published: bool,
    preview_html: Option<String>,
    message: Option<String>,
    time_zone: String,
    /// The chosen lead image, small, when it is in the library.
    lead_picture: Option<String>,
    upload_error: Option<String>,
}

async fn editor_page(
    state: &AppState,
    staff: &Staff,
    csrf: &CsrfToken,
    status: StatusCode,
    record: Option<&marquee_store::ArticleRecord>,
    form: ArticleForm,
    errors: FieldErrors,
    preview_html: Option<String>,
    message: Option<String>,
    upload_error: Option<String>,
) -> Reply {
    let store = state.store();
    let site = state.site();
    let authors = store.authors().await?;
    let lead_picture = match crate::newsroom::media_key_in(&form.lead_image) {
        Some(key) => store.media_by_key(key).await?.as_ref().and_then(crate::media::image_of).map(|img| img.picture("", "20rem", false)),
        None => None,
    };
    let now = now_unix();
    let live = record.is_some_and(|r| r.status != "draft" && r.publish_at.is_some_and(|t| t <= now));
    let state_label = match record {
        None => "New article, not saved yet".to_string(),
        Some(r) if r.status == "draft" => "Draft".to_string(),
        Some(r) if live => format!("Published {}", r.publish_at.map(|t| long_datetime(t, &site.tz)).unwrap_or_default()),
        Some(r) => format!("Scheduled for {}", r.publish_at.map(|t| long_datetime(t, &site.tz)).unwrap_or_default()),
    };
    let ctx = EditorCtx {
        admin: admin_layout(state, staff, csrf),
        id: record.map(|r| r.id),
        form,
        errors,
        sections: site.sections.iter().map(|s| Choice { value: s.id.to_string(), label: s.name.clone() }).collect(),
        authors: authors.iter().map(|a| Choice { value: a.id.to_string(), label: a.name.clone() }).collect(),
        state_label,
        live_url: record.filter(|_| live).map(|r| format!("/{}/{}/", r.section_slug, r.slug)),
        can_publish: staff.role.can_publish(),
        is_published: record.is_some_and(|r| r.status != "draft"),
        preview_html,
        message,
        time_zone: site.publication.time_zone.clone(),
        lead_picture,
        upload_error,
    };
    page(state, status, "admin/article.html", ctx)
}

pub async fn new_article(State(state): State<AppState>, staff: Staff, Extension(csrf): Extension<CsrfToken>) -> Reply {
    let mut form = ArticleForm::default();
    if let Some(a) = staff.user.author_id {
        form.author1 = a.to_string();
    }
    editor_page(&state, &staff, &csrf, StatusCode::OK, None, form, FieldErrors::new(), None, None, None).await
}

async fn apply_form(state: AppState, staff: Staff, csrf: CsrfToken, record: Option<marquee_store::ArticleRecord>, mut form: ArticleForm) -> Reply {
    match newsroom::save(&state, &staff, record.as_ref(), &mut form).await? {
        SaveOutcome::Saved(id) => Ok(see_other(&format!("/admin/articles/{id}?saved=1"))),
        SaveOutcome::Preview(html) => editor_page(&state, &staff, &csrf, StatusCode::OK, record.as_ref(), form, FieldErrors::new(), Some(html), None, None).await,
        SaveOutcome::Invalid { errors, forbidden } => {
            let status = if forbidden { StatusCode::FORBIDDEN } else { StatusCode::UNPROCESSABLE_ENTITY };
            let msg = Some(NOT_SAVED.into());
            editor_page(&state, &staff, &csrf, status, record.as_ref(), form, errors, None, msg, None).await
        }
        SaveOutcome::Changed => {
            let msg = Some(CHANGED_MEANWHILE.into());
            editor_page(&state, &staff, &csrf, StatusCode::CONFLICT, record.as_ref(), form, FieldErrors::new(), None, msg, None).await
        }
    }
}

pub async fn create_article(State(state): State<AppState>, staff: Staff, Extension(csrf): Extension<CsrfToken>, Form(form): Form<ArticleForm>) -> Reply {
    apply_form(state, staff, csrf, None, form).await
}

async fn load_record(state: &AppState, id: i64) -> Result<marquee_store::ArticleRecord, AppError> {
    match state.store().article_record(id).await? {
        Some(r) => Ok(r),
        None => Err(not_found()),
    }
}

pub async fn edit_article(State(state): State<AppState>, staff: Staff, Extension(csrf): Extension<CsrfToken>, Path(id): Path<i64>, Query(q): Query<EditQuery>) -> Reply {
    let record = load_record(&state, id).await?;
    if !staff.can_edit(record.created_by, &record.status) {
        return Err(forbidden("Contributors can only edit their own drafts."));
    }
    let form = ArticleForm::from_record(&record, &state.site().tz);
    let message = match (q.saved.is_some(), q.restored, q.uploaded.as_deref().filter(|k| marquee_media::is_content_key(k))) {
        (_, _, Some(key)) if form.lead_image == key => Some(format!("Uploaded and made the lead image. To show it in the body too, paste ![what it shows](media:{key}) on a line of its own.")),
        (_, _, Some(key)) => Some(format!("Uploaded. To show it in the body, paste ![what it shows](media:{key}) on a line of its own; to lead with it, give {key} as the lead image.")),
        (_, Some(n), _) => Some(format!("Revision {n} restored and saved as the newest revision.")),
        (true, _, _) => Some("Saved.".to_string()),
        _ => None,
    };
    let upload_error = q.upload_error.map(|e| e.chars().take(300).collect());
    editor_page(&state, &staff, &csrf, StatusCode::OK, Some(&record), form, FieldErrors::new(), None, message, upload_error).await
}

pub async fn update_article(State(state): State<AppState>, staff: Staff, Extension(csrf): Extension<CsrfToken>, Path(id): Path<i64>, Form(form): Form<ArticleForm>) -> Reply {
    let record = load_record(&state, id).await?;
    apply_form(state, staff, csrf, Some(record), form).await
}

pub async fn preview_article(State(state): State<AppState>, staff: Staff, Path(id): Path<i64>) -> Reply {
    let record = load_record(&state, id).await?;
    let live = record.status != "draft" && record.publish_at.is_some_and(|t| t <= now_unix());
    if !staff.can_edit(record.created_by, &record.status) && !live {
        return Err(forbidden("Contributors can only preview their own drafts."));
    }
    let site = state.site();
    match state.store().article_page_by_id(id).await? {
        Some(p) => {
            let film = crate::parts::article::film_box(&state, state.store(), p.film_id).await?;
            let lead = crate::parts::article::lead_image(state.store(), p.lead_media_id).await?;
            let mut ctx = ArticleCtx::new(&site, &p, film, lead.as_ref(), Some(record.status.clone()));
            if p.card.publish_at == 0 {
                ctx.article.date = "Not yet published".into();
                ctx.article.date_iso = String::new();
            }
            page(&state, StatusCode::OK, "article.html", ctx)
        }
        None => Err(not_found()),
    }
}

// ----- revisions -----

pub async fn revisions(State(state): State<AppState>, staff: Staff, Extension(csrf): Extension<CsrfToken>, Path(id): Path<i64>) -> Reply {
    let record = load_record(&state, id).await?;
    if !staff.can_edit(record.created_by, &record.status) {
        return Err(forbidden("Contributors can only see the history of their own drafts."));
    }
    let site = state.site();
    let revs = state.store().revisions(id).await?;
    #[derive(Serialize)]
    struct Row {
        number: i64,
        headline: String,
        status: String,
        when: String,
        by: String,
    }
    #[derive(Serialize)]
    struct Ctx {
        admin: AdminLayout,
        id: i64,
        headline: String,
        rows: Vec<Row>,
    }
    let rows = revs
        .into_iter()
        .map(|r| Row { number: r.number, headline: r.headline, status: r.status, when: long_datetime(r.created_at, &site.tz), by: r.created_by_name.unwrap_or_else(|| "import".into()) })
        .collect();
    page(&state, StatusCode::OK, "admin/revisions.html", Ctx { admin: admin_layout(&state, &staff, &csrf), id, headline: record.headline, rows })
}

pub async fn revision(State(state): State<AppState>, staff: Staff, Extension(csrf): Extension<CsrfToken>, Path((id, n)): Path<(i64, i64)>) -> Reply {
    let record = load_record(&state, id).await?;
    if !staff.can_edit(record.created_by, &record.status) {
        return Err(forbidden("Contributors can only see the history of their own drafts."));
    }
    let rev = match state.store().revision(id, n).await? {
        Some(r) => r,
        None => return Err(not_found()),
    };
    let site = state.site();
    #[derive(Serialize)]
    struct Ctx {
        admin: AdminLayout,
        id: i64,
        number: i64,
        when: String,
        headline: String,
        deck: String,
        slug: String,
        section: String,
        tags: String,
        body_html: String,
        current: bool,
    }
    let section = site.sections.iter().find(|s| s.id == rev.section_id).map(|s| s.name.clone()).unwrap_or_default();
    let latest = state.store().revisions(id).await.ok().and_then(|r| r.first().map(|x| x.number)).unwrap_or(n);
    let ctx = Ctx {
        admin: admin_layout(&state, &staff, &csrf),
        id,
        number: n,
        when: long_datetime(rev.created_at, &site.tz),
        headline: rev.headline,
        deck: rev.deck,
        slug: rev.slug,
        section,
        tags: rev.tags.replace('\n', ", "),
        body_html: marquee_domain::markdown::render(&rev.body),
        current: latest == n,
    };
    page(&state, StatusCode::OK, "admin/revision.html", ctx)
}

/// Restoring copies an old revision's words into the article as a new revision; the
/// article's state (draft, scheduled, published) and time stay as they are.
pub async fn restore_revision(State(state): State<AppState>, staff: Staff, Extension(csrf): Extension<CsrfToken>, Path((id, n)): Path<(i64, i64)>) -> Reply {
    let record = load_record(&state, id).await?;
    if !staff.can_edit(record.created_by, &record.status) {
        return Err(forbidden("Contributors can only restore revisions of their own drafts."));
    }
    let rev = match state.store().revision(id, n).await? {
        Some(r) => r,
        None => return Err(not_found()),
    };
    let mut form = ArticleForm::from_record(&record, &state.site().tz);
    let ids: Vec<&str> = rev.author_ids.split(',').collect();
    let slot = |i: usize| ids.get(i).map(|s| s.to_string()).unwrap_or_default();
    form.headline = rev.headline;
    form.deck = rev.deck;
    form.slug = rev.slug;
    form.body = rev.body;
    form.section = rev.section_id.to_string();
    form.tags = rev.tags.replace('\n', ", ");
    (form.author1, form.author2, form.author3, form.author4) = (slot(0), slot(1), slot(2), slot(3));
    form.action = "save".into();
    match newsroom::save(&state, &staff, Some(&record), &mut form).await? {
        SaveOutcome::Saved(id) => Ok(see_other(&format!("/admin/articles/{id}?restored={n}"))),
        SaveOutcome::Invalid { errors, forbidden } => {
            let status = if forbidden { StatusCode::FORBIDDEN } else { StatusCode::UNPROCESSABLE_ENTITY };
            let msg = Some(format!("Revision {n} could not be restored as it is; nothing was saved. Fix the fields below and save."));
            editor_page(&state, &staff, &csrf, status, Some(&record), form, errors, None, msg, None).await
        }
        SaveOutcome::Preview(_) => Ok(see_other(&format!("/admin/articles/{id}"))),
        SaveOutcome::Changed => editor_page(&state, &staff, &csrf, StatusCode::CONFLICT, Some(&record), form, FieldErrors::new(), None, Some(CHANGED_MEANWHILE.into()), None).await,
    }
}


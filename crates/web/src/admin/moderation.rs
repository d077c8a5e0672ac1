//! The newsroom's comment desk at `/admin/comments/`: the queue of pending and reported
//! comments, decisions (approve, reject with a reason, feature, dismiss reports), suspending
//! or banning readers, closing an article's comments, the log, and the comment settings.
//! Editors and admins only; every decision is logged with who and when.

use super::{admin_layout, page, AdminLayout};
use crate::auth::Staff;
use crate::csrf::CsrfToken;
use crate::mail::approval_composer;
use crate::respond::{error_page, see_other, Reply};
use crate::state::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::{Extension, Form};
use marquee_domain::comment::ModerationMode;
use marquee_domain::time::{long_datetime, now_unix};
use marquee_domain::FieldErrors;
use marquee_store::{CommentSettings, Decision, Moderator, QueueItem};
use serde::{Deserialize, Serialize};

fn moderator(staff: &Staff) -> Moderator<'_> {
    Moderator { id: staff.user.id, name: &staff.user.name }
}

#[derive(Deserialize)]
pub struct QueueQuery {
    view: Option<String>,
    done: Option<String>,
}

#[derive(Serialize)]
struct ItemView {
    #[serde(flatten)]
    item: QueueItem,
    url: String,
    date: String,
    suspended: Option<String>,
    reasons: Vec<String>,
}

#[derive(Serialize)]
struct QueueCtx {
    admin: AdminLayout,
    view: &'static str,
    items: Vec<ItemView>,
    log: Vec<LogView>,
    message: Option<String>,
    counts: (usize, usize),
}

#[derive(Serialize)]
struct LogView {
    when: String,
    who: String,
    action: String,
    comment_id: Option<i64>,
    reader_id: Option<i64>,
    article_id: Option<i64>,
    detail: String,
}

pub async fn queue(State(state): State<AppState>, staff: Staff, Extension(csrf): Extension<CsrfToken>, Query(q): Query<QueueQuery>) -> Reply {
    staff.must_be_editor("Only editors and admins moderate comments.")?;
    let view = match q.view.as_deref() {
        Some("reported") => "reported",
        Some("log") => "log",
        _ => "pending",
    };
    let store = state.store();
    let tz = state.site().tz.clone();
    let now = now_unix();
    let pending = store.comment_queue(false, 500).await?;
    let reported = store.comment_queue(true, 500).await?;
    let counts = (pending.len(), reported.len());
    let chosen = match view {
        "pending" => pending,
        "reported" => reported,
        _ => Vec::new(),
    };
    let mut items = Vec::new();
    for item in chosen {
        let reasons = if item.reports > 0 { store.report_reasons(item.id).await.unwrap_or_default() } else { Vec::new() };
        items.push(ItemView {
            url: format!("/{}/{}/", item.section_slug, item.article_slug),
            date: long_datetime(item.created_at, &tz),
            suspended: item.author_suspended_until.filter(|u| *u > now).map(|u| long_datetime(u, &tz)),
            reasons,
            item,
        });
    }
    let log = if view == "log" {
        store
            .moderation_log(200)
            .await?
            .into_iter()
            .map(|e| LogView { when: long_datetime(e.created_at, &tz), who: e.moderator_name, action: e.action, comment_id: e.comment_id, reader_id: e.reader_id, article_id: e.article_id, detail: e.detail })
            .collect()
    } else {
        Vec::new()
    };
    let message = match q.done.as_deref() {
        Some("approve") => Some("Approved. Subscribers to the thread are being told."),
        Some("reject") => Some("Rejected. Its author sees the reason."),
        Some("feature") => Some("Featured."),
        Some("unfeature") => Some("No longer featured."),
        Some("dismiss") => Some("Reports dismissed; the comment stays."),
        Some("reader") => Some("The reader's account is updated."),
        Some("article") => Some("The article's comments are updated."),
        _ => None,
    }
    .map(str::to_string);
    page(&state, StatusCode::OK, "admin/comments.html", QueueCtx { admin: admin_layout(&state, &staff, &csrf), view, items, log, message, counts })
}

#[derive(Deserialize)]
pub struct DecisionForm {
    #[serde(default)]
    action: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    view: String,
}

fn back_to(view: &str, done: &str) -> Reply {
    let view = if matches!(view, "reported" | "log") { view } else { "pending" };
    Ok(see_other(&format!("/admin/comments/?view={view}&done={done}")))
}

pub async fn decide(State(state): State<AppState>, staff: Staff, Path(id): Path<i64>, Form(f): Form<DecisionForm>) -> Reply {
    staff.must_be_editor("Only editors and admins moderate comments.")?;
    let decision = match f.action.as_str() {
        "approve" => Decision::Approve,
        "reject" => {
            let reason: String = f.reason.trim().chars().take(200).collect();
            if reason.is_empty() {
                return Err(error_page(StatusCode::UNPROCESSABLE_ENTITY, "A reason is needed", "Choose or type the reason the author will see, such as “pseudonymous”. Go back; nothing was changed."));
            }
            Decision::Reject(reason)
        }
        "feature" => Decision::Feature(true),
        "unfeature" => Decision::Feature(false),
        "dismiss" => Decision::Dismiss,
        _ => return Err(error_page(StatusCode::UNPROCESSABLE_ENTITY, "Unknown action", "Use one of the queue's buttons.")),
    };
    let store = state.store();
    let comment = match store.comment(id).await? {
        Some(c) => c,
        None => return Err(error_page(StatusCode::NOT_FOUND, "No such comment", "It may have been deleted by its author.")),
    };
    let article = match store.article_page_by_id(comment.article_id).await? {
        Some(p) => p,
        None => return Err(error_page(StatusCode::NOT_FOUND, "No such article", "The comment's article is gone.")),
    };
    let compose = approval_composer(&state, &article, &comment);
    let hook = crate::webhooks::comment_body(&state, &article, &comment);
    match store.moderate(id, &decision, moderator(&staff), now_unix(), &compose, Some(&hook)).await? {
        true => {
            state.wake_mail();
            state.0.webhook_wake.notify_one();
            state.refresh_after_write().await;
            back_to(&f.view, &f.action)
        }
        false => Err(error_page(StatusCode::NOT_FOUND, "No such comment", "It may have been deleted by its author.")),
    }
}

#[derive(Deserialize)]
pub struct RestrictForm {
    #[serde(default)]
    action: String,
    #[serde(default)]
    days: String,
    #[serde(default)]
    view: String,
}

pub async fn restrict(State(state): State<AppState>, staff: Staff, Path(reader_id): Path<i64>, Form(f): Form<RestrictForm>) -> Reply {
    staff.must_be_editor("Only editors and admins moderate comments.")?;
    let now = now_unix();
    let (until, ban) = match f.action.as_str() {
        "suspend" => match f.days.trim().parse::<i64>() {
            Ok(d) if (1..=3650).contains(&d) => (now + d * 86400, false),
            _ => return Err(error_page(StatusCode::UNPROCESSABLE_ENTITY, "How many days?", "A suspension lasts from 1 to 3,650 days. Go back; nothing was changed.")),
        },
        "ban" => (0, true),
        "lift" => (0, false),
        _ => return Err(error_page(StatusCode::UNPROCESSABLE_ENTITY, "Unknown action", "Use one of the queue's buttons.")),
    };
    match state.store().restrict_reader(reader_id, until, ban, moderator(&staff), now).await? {
        true => back_to(&f.view, "reader"),
        false => Err(error_page(StatusCode::NOT_FOUND, "No such reader", "The account may have been deleted.")),
    }
}

#[derive(Deserialize)]
pub struct OpenForm {
    #[serde(default)]
    open: String,
    #[serde(default)]
    back: String,
}

pub async fn set_open(State(state): State<AppState>, staff: Staff, Path(article_id): Path<i64>, Form(f): Form<OpenForm>) -> Reply {
    staff.must_be_editor("Only editors and admins moderate comments.")?;
    let open = f.open == "1";
    let r = state.store().set_comments_open(article_id, open, moderator(&staff), now_unix()).await;
    state.refresh_after_write().await;
    match r? {
        true if f.back == "editor" => Ok(see_other(&format!("/admin/articles/{article_id}"))),
        true => back_to("pending", "article"),
        false => Err(error_page(StatusCode::NOT_FOUND, "No such article", "It may have been deleted.")),
    }
}

#[derive(Deserialize, Serialize)]
pub struct SettingsForm {
    #[serde(default)]
    moderation: String,
    #[serde(default)]
    first_n: String,
    #[serde(default)]
    banned_words: String,
    #[serde(default)]
    suspect_words: String,
    #[serde(default)]
    deleted_account: String,
    #[serde(default)]
    edit_minutes: String,
}

#[derive(Serialize)]
struct SettingsCtx<'a> {
    admin: AdminLayout,
    form: &'a SettingsForm,
    errors: FieldErrors,
    message: Option<&'static str>,
    mail: marquee_store::OutboxStats,
}

async fn settings_page(state: &AppState, staff: &Staff, csrf: &CsrfToken, status: StatusCode, form: &SettingsForm, errors: FieldErrors, message: Option<&'static str>) -> Reply {
    let mail = state.store().outbox_stats().await?;
    page(state, status, "admin/comment_settings.html", SettingsCtx { admin: admin_layout(state, staff, csrf), form, errors, message, mail })
}

#[derive(Deserialize)]
pub struct SavedQuery {
    saved: Option<String>,
}

pub async fn settings(State(state): State<AppState>, staff: Staff, Extension(csrf): Extension<CsrfToken>, Query(q): Query<SavedQuery>) -> Reply {
    staff.must_be_admin("Only admins change the comment settings.")?;
    let s = state.store().comment_settings().await?;
    let form = SettingsForm {
        moderation: s.moderation,
        first_n: s.first_n.to_string(),
        banned_words: s.banned_words,
        suspect_words: s.suspect_words,
        deleted_account: s.deleted_account,
        edit_minutes: s.edit_minutes.to_string(),
    };
    let message = match q.saved.as_deref() {
        Some("1") => Some("Comment settings saved."),
        Some("retry") => Some("Failed mail is queued again."),
        _ => None,
    };
    settings_page(&state, &staff, &csrf, StatusCode::OK, &form, FieldErrors::new(), message).await
}

pub async fn save_settings(State(state): State<AppState>, staff: Staff, Extension(csrf): Extension<CsrfToken>, Form(f): Form<SettingsForm>) -> Reply {
    staff.must_be_admin("Only admins change the comment settings.")?;
    let mut errors = FieldErrors::new();
    let first_n = f.first_n.trim().parse::<i64>().ok().filter(|n| (0..=1000).contains(n));
    if first_n.is_none() {
        errors.insert("first_n", "Enter a whole number from 0 to 1,000.".into());
    }
    if ModerationMode::parse(&f.moderation, first_n.unwrap_or(0)).is_none() {
        errors.insert("moderation", "Choose one of the three kinds of moderation.".into());
    }
    let edit_minutes = f.edit_minutes.trim().parse::<i64>().ok().filter(|n| (0..=1440).contains(n));
    if edit_minutes.is_none() {
        errors.insert("edit_minutes", "Enter a number of minutes from 0 to 1,440.".into());
    }
    if !matches!(f.deleted_account.as_str(), "keep" | "remove") {
        errors.insert("deleted_account", "Choose what happens to a deleted account's comments.".into());
    }
    for (field, text) in [("banned_words", &f.banned_words), ("suspect_words", &f.suspect_words)] {
        if text.len() > 20_000 {
            errors.insert(field, "Keep the list under 20,000 characters.".into());
        }
    }
    if !errors.is_empty() {
        return settings_page(&state, &staff, &csrf, StatusCode::UNPROCESSABLE_ENTITY, &f, errors, None).await;
    }
    let s = CommentSettings {
        moderation: f.moderation.clone(),
        first_n: first_n.unwrap_or(0),
        banned_words: f.banned_words.clone(),
        suspect_words: f.suspect_words.clone(),
        deleted_account: f.deleted_account.clone(),
        edit_minutes: edit_minutes.unwrap_or(15),
    };
    state.store().update_comment_settings(&s).await?;
    Ok(see_other("/admin/comments/settings?saved=1"))
}

pub async fn retry_mail(State(state): State<AppState>, staff: Staff) -> Reply {
    staff.must_be_admin("Only admins manage outgoing mail.")?;
    state.store().retry_failed_mail(now_unix()).await?;
    state.wake_mail();
    Ok(see_other("/admin/comments/settings?saved=retry"))
}

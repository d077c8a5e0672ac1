//! Readers' comments on articles: the "What others are saying" box, posting, replying,
//! editing within the window, deleting, reporting, and subscribing to a thread.

use crate::auth::SignedIn;
use crate::csrf::CsrfToken;
use crate::limits::{client_ip, honeypot_tripped, over_limit, rate_limit, Action};
use crate::mail::comment_composer;
use crate::parts::account::{notice, refusal, Notice};
use crate::parts::comment_box::{blocked_message, POLICY};
use crate::respond::{error_page, not_found, private_page, see_other, AppError, Reply};
use crate::state::AppState;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::StatusCode;
use axum::{Extension, Form};
use marquee_domain::comment::{render_comment, screen, ModerationMode, Verdict, WordList, MAX_COMMENT_CHARS};
use marquee_domain::time::now_unix;
use marquee_store::{ArticlePage, Comment, CommentError, CommentSettings, NewComment, Reader};
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;

/// Refuses readers who may not take part yet, with the reason.
fn may_take_part(state: &AppState, csrf: &CsrfToken, r: &Reader) -> Result<(), AppError> {
    if !r.is_verified() {
        return Err(refusal(
            state,
            csrf,
            StatusCode::FORBIDDEN,
            Notice {
                title: "Confirm your email address first".into(),
                message: format!("Open the link we sent to {} to confirm it; then you can comment and subscribe. Your account page can send the link again.", r.email),
                link: Some(("/account/".into(), "Go to your account".into())),
                ..Default::default()
            },
        ));
    }
    if let Some(m) = blocked_message(r, now_unix(), &state.site().tz) {
        return Err(refusal(state, csrf, StatusCode::FORBIDDEN, Notice { title: "You cannot comment now".into(), message: m, ..Default::default() }));
    }
    Ok(())
}

async fn live_article(state: &AppState, section: &str, slug: &str) -> Result<ArticlePage, AppError> {
    match state.store().live_article(section, slug, now_unix()).await? {
        Some(p) => Ok(p),
        None => Err(not_found()),
    }
}

fn word_screen(settings: &CommentSettings, body: &str, has_links: bool, approved_before: i64) -> Verdict {
    let mode = ModerationMode::parse(&settings.moderation, settings.first_n).unwrap_or(ModerationMode::Pre);
    screen(body, has_links, &WordList::parse(&settings.banned_words), &WordList::parse(&settings.suspect_words), mode, approved_before)
}

#[derive(Deserialize, Serialize, Default)]
pub struct CommentForm {
    #[serde(default)]
    body: String,
    #[serde(default)]
    parent: String,
    #[serde(default, skip_serializing)]
    website: String,
}

/// The comment form again, with what the reader typed and what was wrong.
fn form_again(state: &AppState, csrf: &CsrfToken, status: StatusCode, page: &ArticlePage, form: &CommentForm, error: &str, action: &str) -> Reply {
    let site = state.site();
    let ctx = serde_json::json!({
        "layout": crate::views::Layout::new(&site, Some(&page.card.section_slug)),
        "csrf": csrf.value(),
        "headline": page.card.headline,
        "article_url": format!("/{}/{}/", page.card.section_slug, page.card.slug),
        "form": form,
        "error": error,
        "action": action,
        "max_chars": MAX_COMMENT_CHARS,
        "policy": POLICY,
    });
    private_page(state, status, "comments/edit.html", ctx)
}

pub async fn post_comment(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    SignedIn(reader): SignedIn,
    Path((section, slug)): Path<(String, String)>,
    Form(f): Form<CommentForm>,
) -> Reply {
    let page = live_article(&state, &section, &slug).await?;
    let action = format!("/{section}/{slug}/comments");
    may_take_part(&state, &csrf, &reader)?;
    if page.comments_open != 1 {
        return form_again(&state, &csrf, StatusCode::FORBIDDEN, &page, &f, "Comments on this article are closed.", &action);
    }
    if honeypot_tripped(&f.website) {
        return form_again(&state, &csrf, StatusCode::UNPROCESSABLE_ENTITY, &page, &f, "This form looked automated, so it was not sent. Leave the field marked “leave empty” empty.", &action);
    }
    let rendered = match render_comment(&f.body) {
        Ok(r) => r,
        Err(e) => return form_again(&state, &csrf, StatusCode::UNPROCESSABLE_ENTITY, &page, &f, &e, &action),
    };
    let parent_id = match f.parent.trim() {
        "" => None,
        p => match p.parse::<i64>() {
            Ok(id) => Some(id),
            Err(_) => return form_again(&state, &csrf, StatusCode::UNPROCESSABLE_ENTITY, &page, &f, "The comment you replied to could not be found.", &action),
        },
    };
    let store = state.store();
    let settings = store.comment_settings().await?;
    let approved_before = store.approved_comment_count(reader.id).await?;
    let (status, hold_reason) = match word_screen(&settings, &f.body, rendered.has_links, approved_before) {
        Verdict::Reject(message) => return form_again(&state, &csrf, StatusCode::UNPROCESSABLE_ENTITY, &page, &f, &message, &action),
        Verdict::Hold(reason) => ("pending", reason),
        Verdict::Publish => ("approved", String::new()),
    };
    let ip = client_ip(&peer);
    if let Err(limit) = over_limit(&state, Action::Comment, &reader.id.to_string(), &ip).await {
        return form_again(&state, &csrf, StatusCode::TOO_MANY_REQUESTS, &page, &f, &limit?, &action);
    }
    let compose = comment_composer(&state, &page, &reader.name, &f.body);
    let new = NewComment { article_id: page.card.id, reader_id: reader.id, parent_id, body: &f.body, body_html: &rendered.html, status, hold_reason: &hold_reason, ip: &ip, now: now_unix() };
    match store.add_comment(new, &compose).await? {
        Ok(id) => {
            state.wake_mail();
            state.refresh_after_write().await;
            let posted = if status == "approved" { "yes" } else { "pending" };
            Ok(see_other(&format!("/{section}/{slug}/?posted={posted}#comment-{id}")))
        }
        Err(CommentError::Closed) => form_again(&state, &csrf, StatusCode::FORBIDDEN, &page, &f, "Comments on this article are closed.", &action),
        Err(CommentError::ParentNotFound) => form_again(&state, &csrf, StatusCode::UNPROCESSABLE_ENTITY, &page, &f, "The comment you replied to could not be found.", &action),
    }
}

async fn own_comment(state: &AppState, reader: &Reader, id: i64) -> Result<(Comment, ArticlePage), AppError> {
    let comment = match state.store().comment(id).await? {
        Some(c) if c.reader_id == Some(reader.id) => c,
        _ => return Err(error_page(StatusCode::NOT_FOUND, "No such comment", "You have no comment with that number.")),
    };
    let page = match state.store().article_page_by_id(comment.article_id).await? {
        Some(p) => p,
        None => return Err(not_found()),
    };
    Ok((comment, page))
}

async fn edit_window_open(state: &AppState, c: &Comment) -> Result<bool, AppError> {
    let settings = state.store().comment_settings().await?;
    Ok(c.status != "deleted" && c.status != "rejected" && now_unix() - c.created_at < settings.edit_minutes * 60)
}

pub async fn edit_form(State(state): State<AppState>, Extension(csrf): Extension<CsrfToken>, SignedIn(reader): SignedIn, Path(id): Path<i64>) -> Reply {
    let (comment, page) = own_comment(&state, &reader, id).await?;
    let form = CommentForm { body: comment.body.clone(), ..Default::default() };
    if !edit_window_open(&state, &comment).await? {
        return Err(error_page(StatusCode::FORBIDDEN, "Too late to edit", "Comments can be edited only for a short time after posting. You can still delete it."));
    }
    form_again(&state, &csrf, StatusCode::OK, &page, &form, "", &format!("/comments/{id}/edit"))
}

pub async fn edit(State(state): State<AppState>, Extension(csrf): Extension<CsrfToken>, SignedIn(reader): SignedIn, Path(id): Path<i64>, Form(f): Form<CommentForm>) -> Reply {
    let (comment, page) = own_comment(&state, &reader, id).await?;
    let action = format!("/comments/{id}/edit");
    if !edit_window_open(&state, &comment).await? {
        return form_again(&state, &csrf, StatusCode::FORBIDDEN, &page, &f, "Comments can be edited only for a short time after posting.", &action);
    }
    may_take_part(&state, &csrf, &reader)?;
    let rendered = match render_comment(&f.body) {
        Ok(r) => r,
        Err(e) => return form_again(&state, &csrf, StatusCode::UNPROCESSABLE_ENTITY, &page, &f, &e, &action),
    };
    let store = state.store();
    let settings = store.comment_settings().await?;
    let approved_before = store.approved_comment_count(reader.id).await?;
    // An edit to an approved comment stays approved unless it now needs review.
    let approved_before = if comment.status == "approved" { approved_before.max(settings.first_n) } else { approved_before };
    let (status, reason) = match word_screen(&settings, &f.body, rendered.has_links, approved_before) {
        Verdict::Reject(m) => return form_again(&state, &csrf, StatusCode::UNPROCESSABLE_ENTITY, &page, &f, &m, &action),
        Verdict::Hold(reason) if comment.status == "approved" && reason == "pre-moderation" => ("approved", String::new()),
        Verdict::Hold(reason) => ("pending", reason),
        Verdict::Publish if comment.status == "pending" => ("pending", comment.hold_reason.clone()),
        Verdict::Publish => ("approved", String::new()),
    };
    match store.edit_comment(id, reader.id, &f.body, &rendered.html, status, &reason, now_unix()).await? {
        true => {
            state.refresh_after_write().await;
            Ok(see_other(&format!("/{}/{}/#comment-{id}", page.card.section_slug, page.card.slug)))
        }
        false => form_again(&state, &csrf, StatusCode::CONFLICT, &page, &f, "This comment can no longer be edited.", &action),
    }
}

pub async fn delete(State(state): State<AppState>, SignedIn(reader): SignedIn, Path(id): Path<i64>) -> Reply {
    let (_, page) = own_comment(&state, &reader, id).await?;
    state.store().delete_own_comment(id, reader.id).await?;
    state.refresh_after_write().await;
    Ok(see_other(&format!("/{}/{}/#comments", page.card.section_slug, page.card.slug)))
}

#[derive(Deserialize, Serialize, Default)]
pub struct ReportForm {
    #[serde(default)]
    reason: String,
    #[serde(default)]
    detail: String,
    #[serde(default, skip_serializing)]
    website: String,
}

const REPORT_REASONS: &[(&str, &str)] = &[
    ("pseudonymous", "Not a real name (anonymous or pseudonymous)"),
    ("abusive", "Abusive, harassing or hateful"),
    ("spam", "Spam or advertising"),
    ("off-topic", "Off topic"),
    ("other", "Something else"),
];

async fn visible_comment(state: &AppState, id: i64) -> Result<(Comment, ArticlePage), AppError> {
    let comment = match state.store().comment(id).await? {
        Some(c) if c.status == "approved" => c,
        _ => return Err(error_page(StatusCode::NOT_FOUND, "No such comment", "There is no comment with that number on this site.")),
    };
    match state.store().article_page_by_id(comment.article_id).await? {
        Some(p) => Ok((comment, p)),
        None => Err(not_found()),
    }
}

fn report_page(state: &AppState, csrf: &CsrfToken, status: StatusCode, comment: &Comment, page: &ArticlePage, form: &ReportForm, error: Option<&str>) -> Reply {
    let site = state.site();
    let ctx = serde_json::json!({
        "layout": crate::views::Layout::new(&site, Some(&page.card.section_slug)),
        "csrf": csrf.value(),
        "headline": page.card.headline,
        "article_url": format!("/{}/{}/", page.card.section_slug, page.card.slug),
        "comment": { "id": comment.id, "author": comment.author_name.clone().unwrap_or_else(|| "deleted account".into()), "html": comment.body_html },
        "reasons": REPORT_REASONS,
        "form": form,
        "error": error,
    });
    private_page(state, status, "comments/report.html", ctx)
}

pub async fn report_form(State(state): State<AppState>, Extension(csrf): Extension<CsrfToken>, SignedIn(_reader): SignedIn, Path(id): Path<i64>) -> Reply {
    let (comment, page) = visible_comment(&state, id).await?;
    report_page(&state, &csrf, StatusCode::OK, &comment, &page, &ReportForm::default(), None)
}

pub async fn report(State(state): State<AppState>, Extension(csrf): Extension<CsrfToken>, ConnectInfo(peer): ConnectInfo<SocketAddr>, SignedIn(reader): SignedIn, Path(id): Path<i64>, Form(f): Form<ReportForm>) -> Reply {
    let (comment, page) = visible_comment(&state, id).await?;
    may_take_part(&state, &csrf, &reader)?;
    if honeypot_tripped(&f.website) {
        return report_page(&state, &csrf, StatusCode::UNPROCESSABLE_ENTITY, &comment, &page, &f, Some("This form looked automated, so it was not sent."));
    }
    let Some((_, label)) = REPORT_REASONS.iter().find(|(k, _)| *k == f.reason) else {
        return report_page(&state, &csrf, StatusCode::UNPROCESSABLE_ENTITY, &comment, &page, &f, Some("Choose a reason for the report."));
    };
    let detail: String = f.detail.trim().chars().take(500).collect();
    let reason = if detail.is_empty() { label.to_string() } else { format!("{label}: {detail}") };
    rate_limit(&state, Action::Report, &reader.id.to_string(), &client_ip(&peer)).await?;
    match state.store().report_comment(id, reader.id, &reason, now_unix()).await? {
        false => notice(
            &state,
            &csrf,
            StatusCode::OK,
            Notice {
                title: "You reported this comment already".into(),
                message: "Your earlier report is still waiting for an editor; there is no need to send another.".into(),
                link: Some((format!("/{}/{}/#comment-{id}", page.card.section_slug, page.card.slug), "Back to the article".into())),
                ..Default::default()
            },
        ),
        true => notice(
            &state,
            &csrf,
            StatusCode::OK,
            Notice {
                title: "Thank you for the report".into(),
                message: "An editor will look at the comment. Reports are not shown to its author.".into(),
                link: Some((format!("/{}/{}/#comment-{id}", page.card.section_slug, page.card.slug), "Back to the article".into())),
                ..Default::default()
            },
        ),
    }
}

pub async fn subscribe(State(state): State<AppState>, Extension(csrf): Extension<CsrfToken>, SignedIn(reader): SignedIn, Path((section, slug)): Path<(String, String)>) -> Reply {
    let page = live_article(&state, &section, &slug).await?;
    may_take_part(&state, &csrf, &reader)?;
    state.store().subscribe(reader.id, page.card.id, now_unix()).await?;
    Ok(see_other(&format!("/{section}/{slug}/#comments")))
}

pub async fn unsubscribe(State(state): State<AppState>, SignedIn(reader): SignedIn, Path((section, slug)): Path<(String, String)>) -> Reply {
    let page = live_article(&state, &section, &slug).await?;
    state.store().unsubscribe(reader.id, page.card.id).await?;
    Ok(see_other(&format!("/{section}/{slug}/#comments")))
}


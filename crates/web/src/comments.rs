//! Readers' comments on articles: the "What others are saying" box, posting, replying,
//! editing within the window, deleting, reporting, and subscribing to a thread.

use crate::csrf::CsrfToken;
use crate::mail::{notice_composer, CommentNotice};
use crate::public::{error_page, internal_error, not_found};
use crate::readers::{client_ip, honeypot_tripped, notice, private_page, rate_limit, Action, Notice, SignedIn};
use crate::state::AppState;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use marquee_domain::comment::{comment_plain_text, render_comment, screen, ModerationMode, Verdict, WordList, MAX_COMMENT_CHARS, REAL_NAME_POLICY};
use marquee_domain::time::{long_datetime, now_unix, rfc3339};
use marquee_store::{ArticlePage, Comment, CommentError, CommentSettings, NewComment, Reader, MAX_DEPTH};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::net::SocketAddr;

/// Top-level threads per page of comments.
pub const THREADS_PER_PAGE: usize = 50;

/// The policy line every comment box shows.
pub const POLICY: &str = "Anonymous and pseudonymous comments will be removed.";

#[derive(Deserialize, Default)]
pub struct CommentQuery {
    corder: Option<String>,
    cpage: Option<String>,
    posted: Option<String>,
}

impl CommentQuery {
    fn newest(&self) -> bool {
        self.corder.as_deref() == Some("newest")
    }

    fn page(&self) -> usize {
        self.cpage.as_deref().and_then(|p| p.parse::<usize>().ok()).filter(|p| (1..=10_000).contains(p)).unwrap_or(1)
    }

    /// The part of the page-cache key these options make, when they differ from the default.
    pub fn cache_suffix(&self) -> String {
        let mut s = String::new();
        if self.newest() {
            s.push_str("&corder=newest");
        }
        if self.page() > 1 {
            s.push_str(&format!("&cpage={}", self.page()));
        }
        s
    }
}

#[derive(Serialize)]
pub struct CommentView {
    id: i64,
    author: String,
    date: String,
    date_iso: String,
    html: String,
    featured: bool,
    deleted: bool,
    placeholder: Option<&'static str>,
    pending: bool,
    rejected: Option<String>,
    edited: bool,
    mine: bool,
    can_edit: bool,
    can_reply: bool,
    children: Vec<CommentView>,
}

#[derive(Serialize)]
pub struct ViewerBox {
    name: String,
    verified: bool,
    blocked: Option<String>,
    subscribed: bool,
    csrf: String,
}

/// "What others are saying" on an article page.
#[derive(Serialize)]
pub struct CommentsBox {
    pub count: usize,
    open: bool,
    newest: bool,
    page: usize,
    pages: usize,
    threads: Vec<CommentView>,
    viewer: Option<ViewerBox>,
    policy: &'static str,
    name_policy: &'static str,
    max_chars: usize,
    posted: Option<&'static str>,
    action: String,
    next: String,
}

/// Builds the comment box for `page`, as `viewer` (if signed in) sees it.
pub async fn comments_box(state: &AppState, page: &ArticlePage, viewer: Option<&Reader>, csrf: Option<&CsrfToken>, q: &CommentQuery) -> Result<CommentsBox, Response> {
    let store = state.store();
    let now = now_unix();
    let rows = store.article_comments(page.card.id).await.map_err(|e| internal_error(state, e))?;
    let settings = store.comment_settings().await.map_err(|e| internal_error(state, e))?;
    let tz = state.site().tz.clone();
    let count = rows.iter().filter(|c| c.status == "approved").count();
    let open = page.comments_open == 1;
    // Children of each comment, in time order; then the visible tree from the roots.
    let mut children: HashMap<Option<i64>, Vec<&Comment>> = HashMap::new();
    for c in &rows {
        children.entry(c.parent_id).or_default().push(c);
    }
    fn build(c: &Comment, children: &HashMap<Option<i64>, Vec<&Comment>>, viewer: Option<&Reader>, open: bool, edit_secs: i64, now: i64, tz: &jiff::tz::TimeZone) -> Option<CommentView> {
        let kids: Vec<CommentView> = children.get(&Some(c.id)).map(|v| v.iter().filter_map(|k| build(k, children, viewer, open, edit_secs, now, tz)).collect()).unwrap_or_default();
        let mine = viewer.is_some_and(|v| Some(v.id) == c.reader_id);
        // Readers see approved comments, and their own waiting or rejected ones. Anything else
        // stays only as a placeholder while visible replies hang from it.
        let shown = c.status == "approved" || (mine && (c.status == "pending" || c.status == "rejected"));
        if !shown && kids.is_empty() {
            return None;
        }
        let placeholder = (!shown).then_some(match c.status.as_str() {
            "deleted" => "This comment was deleted.",
            "rejected" => "This comment was removed by an editor.",
            _ => "This comment is being reviewed by an editor.",
        });
        let deleted = placeholder.is_some();
        let can_act = viewer.is_some_and(|v| v.is_verified() && !v.is_blocked(now));
        Some(CommentView {
            id: c.id,
            author: if deleted { String::new() } else { c.author_name.clone().unwrap_or_else(|| "deleted account".into()) },
            date: long_datetime(c.created_at, tz),
            date_iso: rfc3339(c.created_at, tz),
            html: if deleted { String::new() } else { c.body_html.clone() },
            placeholder,
            featured: c.featured == 1,
            deleted,
            pending: c.status == "pending",
            rejected: (c.status == "rejected").then(|| c.reject_reason.clone()),
            edited: c.edited_at.is_some(),
            mine: mine && !deleted,
            can_edit: mine && !deleted && c.status != "rejected" && now - c.created_at < edit_secs,
            can_reply: open && can_act && !deleted && c.status == "approved" && c.depth < MAX_DEPTH,
            children: kids,
        })
    }
    let edit_secs = settings.edit_minutes * 60;
    let mut threads: Vec<CommentView> = children.get(&None).map(|v| v.iter().filter_map(|c| build(c, &children, viewer, open, edit_secs, now, &tz)).collect()).unwrap_or_default();
    if q.newest() {
        threads.reverse();
    }
    let pages = threads.len().div_ceil(THREADS_PER_PAGE).max(1);
    let page_no = q.page().min(pages);
    let threads: Vec<CommentView> = threads.into_iter().skip((page_no - 1) * THREADS_PER_PAGE).take(THREADS_PER_PAGE).collect();
    let viewer_box = match (viewer, csrf) {
        (Some(v), Some(csrf)) => {
            let subscribed = store.is_subscribed(v.id, page.card.id).await.map_err(|e| internal_error(state, e))?;
            Some(ViewerBox { name: v.name.clone(), verified: v.is_verified(), blocked: blocked_message(v, now, &tz), subscribed, csrf: csrf.value().to_string() })
        }
        _ => None,
    };
    let url = format!("/{}/{}/", page.card.section_slug, page.card.slug);
    Ok(CommentsBox {
        count,
        open,
        newest: q.newest(),
        page: page_no,
        pages,
        threads,
        viewer: viewer_box,
        policy: POLICY,
        name_policy: REAL_NAME_POLICY,
        max_chars: MAX_COMMENT_CHARS,
        posted: match q.posted.as_deref().filter(|_| viewer.is_some()) {
            Some("pending") => Some("pending"),
            Some("yes") => Some("yes"),
            _ => None,
        },
        action: format!("{url}comments"),
        next: url,
    })
}

fn blocked_message(r: &Reader, now: i64, tz: &jiff::tz::TimeZone) -> Option<String> {
    if r.banned == 1 {
        Some("Your account is banned from commenting.".into())
    } else if r.suspended_until > now {
        Some(format!("Your account is suspended from commenting until {}.", long_datetime(r.suspended_until, tz)))
    } else {
        None
    }
}

/// Refuses readers who may not take part yet, with the reason.
fn may_take_part(state: &AppState, csrf: &CsrfToken, r: &Reader) -> Result<(), Response> {
    if !r.is_verified() {
        return Err(notice(
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
        return Err(notice(state, csrf, StatusCode::FORBIDDEN, Notice { title: "You cannot comment now".into(), message: m, ..Default::default() }));
    }
    Ok(())
}

async fn live_article(state: &AppState, section: &str, slug: &str) -> Result<ArticlePage, Response> {
    match state.store().live_article(section, slug, now_unix()).await {
        Ok(Some(p)) => Ok(p),
        Ok(None) => Err(not_found(state)),
        Err(e) => Err(internal_error(state, e)),
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
fn form_again(state: &AppState, csrf: &CsrfToken, status: StatusCode, page: &ArticlePage, form: &CommentForm, error: &str, action: &str) -> Response {
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

fn composer_for(state: &AppState, page: &ArticlePage, author: &str, body: &str) -> impl Fn(&marquee_store::Subscriber, i64) -> marquee_store::NewMail + Send + Sync {
    let base = state.site().publication.base_url.trim_end_matches('/').to_string();
    let article_url = format!("{base}/{}/{}/", page.card.section_slug, page.card.slug);
    notice_composer(state, CommentNotice { headline: page.card.headline.clone(), comment_url: String::new(), article_url, author: author.to_string(), text: comment_plain_text(body) })
}

pub async fn post_comment(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    SignedIn(reader): SignedIn,
    Path((section, slug)): Path<(String, String)>,
    Form(f): Form<CommentForm>,
) -> Response {
    let page = match live_article(&state, &section, &slug).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let action = format!("/{section}/{slug}/comments");
    if let Err(r) = may_take_part(&state, &csrf, &reader) {
        return r;
    }
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
    let settings = match store.comment_settings().await {
        Ok(s) => s,
        Err(e) => return internal_error(&state, e),
    };
    let approved_before = match store.approved_comment_count(reader.id).await {
        Ok(n) => n,
        Err(e) => return internal_error(&state, e),
    };
    let (status, hold_reason) = match word_screen(&settings, &f.body, rendered.has_links, approved_before) {
        Verdict::Reject(message) => return form_again(&state, &csrf, StatusCode::UNPROCESSABLE_ENTITY, &page, &f, &message, &action),
        Verdict::Hold(reason) => ("pending", reason),
        Verdict::Publish => ("approved", String::new()),
    };
    let ip = client_ip(&peer);
    if let Err(message) = crate::readers::over_limit(&state, Action::Comment, &reader.id.to_string(), &ip).await {
        return match message {
            Ok(m) => form_again(&state, &csrf, StatusCode::TOO_MANY_REQUESTS, &page, &f, &m, &action),
            Err(r) => r,
        };
    }
    let compose = composer_for(&state, &page, &reader.name, &f.body);
    let new = NewComment { article_id: page.card.id, reader_id: reader.id, parent_id, body: &f.body, body_html: &rendered.html, status, hold_reason: &hold_reason, ip: &ip, now: now_unix() };
    match store.add_comment(new, &compose).await {
        Ok(Ok(id)) => {
            state.wake_mail();
            let _ = state.refresh().await;
            let posted = if status == "approved" { "yes" } else { "pending" };
            Redirect::to(&format!("/{section}/{slug}/?posted={posted}#comment-{id}")).into_response()
        }
        Ok(Err(CommentError::Closed)) => form_again(&state, &csrf, StatusCode::FORBIDDEN, &page, &f, "Comments on this article are closed.", &action),
        Ok(Err(CommentError::ParentNotFound)) => form_again(&state, &csrf, StatusCode::UNPROCESSABLE_ENTITY, &page, &f, "The comment you replied to could not be found.", &action),
        Err(e) => internal_error(&state, e),
    }
}

async fn own_comment(state: &AppState, reader: &Reader, id: i64) -> Result<(Comment, ArticlePage), Response> {
    let comment = match state.store().comment(id).await {
        Ok(Some(c)) if c.reader_id == Some(reader.id) => c,
        Ok(_) => return Err(error_page(state, StatusCode::NOT_FOUND, "No such comment", "You have no comment with that number.")),
        Err(e) => return Err(internal_error(state, e)),
    };
    let page = match state.store().article_page_by_id(comment.article_id).await {
        Ok(Some(p)) => p,
        Ok(None) => return Err(not_found(state)),
        Err(e) => return Err(internal_error(state, e)),
    };
    Ok((comment, page))
}

async fn edit_window_open(state: &AppState, c: &Comment) -> Result<bool, Response> {
    let settings = state.store().comment_settings().await.map_err(|e| internal_error(state, e))?;
    Ok(c.status != "deleted" && c.status != "rejected" && now_unix() - c.created_at < settings.edit_minutes * 60)
}

pub async fn edit_form(State(state): State<AppState>, Extension(csrf): Extension<CsrfToken>, SignedIn(reader): SignedIn, Path(id): Path<i64>) -> Response {
    let (comment, page) = match own_comment(&state, &reader, id).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let form = CommentForm { body: comment.body.clone(), ..Default::default() };
    match edit_window_open(&state, &comment).await {
        Ok(true) => form_again(&state, &csrf, StatusCode::OK, &page, &form, "", &format!("/comments/{id}/edit")),
        Ok(false) => error_page(&state, StatusCode::FORBIDDEN, "Too late to edit", "Comments can be edited only for a short time after posting. You can still delete it."),
        Err(r) => r,
    }
}

pub async fn edit(State(state): State<AppState>, Extension(csrf): Extension<CsrfToken>, SignedIn(reader): SignedIn, Path(id): Path<i64>, Form(f): Form<CommentForm>) -> Response {
    let (comment, page) = match own_comment(&state, &reader, id).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let action = format!("/comments/{id}/edit");
    match edit_window_open(&state, &comment).await {
        Ok(true) => {}
        Ok(false) => return form_again(&state, &csrf, StatusCode::FORBIDDEN, &page, &f, "Comments can be edited only for a short time after posting.", &action),
        Err(r) => return r,
    }
    if let Err(r) = may_take_part(&state, &csrf, &reader) {
        return r;
    }
    let rendered = match render_comment(&f.body) {
        Ok(r) => r,
        Err(e) => return form_again(&state, &csrf, StatusCode::UNPROCESSABLE_ENTITY, &page, &f, &e, &action),
    };
    let store = state.store();
    let (settings, approved_before) = match (store.comment_settings().await, store.approved_comment_count(reader.id).await) {
        (Ok(s), Ok(n)) => (s, n),
        (Err(e), _) | (_, Err(e)) => return internal_error(&state, e),
    };
    // An edit to an approved comment stays approved unless it now needs review.
    let approved_before = if comment.status == "approved" { approved_before.max(settings.first_n) } else { approved_before };
    let (status, reason) = match word_screen(&settings, &f.body, rendered.has_links, approved_before) {
        Verdict::Reject(m) => return form_again(&state, &csrf, StatusCode::UNPROCESSABLE_ENTITY, &page, &f, &m, &action),
        Verdict::Hold(reason) if comment.status == "approved" && reason == "pre-moderation" => ("approved", String::new()),
        Verdict::Hold(reason) => ("pending", reason),
        Verdict::Publish if comment.status == "pending" => ("pending", comment.hold_reason.clone()),
        Verdict::Publish => ("approved", String::new()),
    };
    match store.edit_comment(id, reader.id, &f.body, &rendered.html, status, &reason, now_unix()).await {
        Ok(true) => {
            let _ = state.refresh().await;
            Redirect::to(&format!("/{}/{}/#comment-{id}", page.card.section_slug, page.card.slug)).into_response()
        }
        Ok(false) => form_again(&state, &csrf, StatusCode::CONFLICT, &page, &f, "This comment can no longer be edited.", &action),
        Err(e) => internal_error(&state, e),
    }
}

pub async fn delete(State(state): State<AppState>, SignedIn(reader): SignedIn, Path(id): Path<i64>) -> Response {
    let (_, page) = match own_comment(&state, &reader, id).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    match state.store().delete_own_comment(id, reader.id).await {
        Ok(_) => {
            let _ = state.refresh().await;
            Redirect::to(&format!("/{}/{}/#comments", page.card.section_slug, page.card.slug)).into_response()
        }
        Err(e) => internal_error(&state, e),
    }
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

async fn visible_comment(state: &AppState, id: i64) -> Result<(Comment, ArticlePage), Response> {
    let comment = match state.store().comment(id).await {
        Ok(Some(c)) if c.status == "approved" => c,
        Ok(_) => return Err(error_page(state, StatusCode::NOT_FOUND, "No such comment", "There is no comment with that number on this site.")),
        Err(e) => return Err(internal_error(state, e)),
    };
    match state.store().article_page_by_id(comment.article_id).await {
        Ok(Some(p)) => Ok((comment, p)),
        Ok(None) => Err(not_found(state)),
        Err(e) => Err(internal_error(state, e)),
    }
}

fn report_page(state: &AppState, csrf: &CsrfToken, status: StatusCode, comment: &Comment, page: &ArticlePage, form: &ReportForm, error: Option<&str>) -> Response {
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

pub async fn report_form(State(state): State<AppState>, Extension(csrf): Extension<CsrfToken>, SignedIn(_reader): SignedIn, Path(id): Path<i64>) -> Response {
    match visible_comment(&state, id).await {
        Ok((c, p)) => report_page(&state, &csrf, StatusCode::OK, &c, &p, &ReportForm::default(), None),
        Err(r) => r,
    }
}

pub async fn report(State(state): State<AppState>, Extension(csrf): Extension<CsrfToken>, ConnectInfo(peer): ConnectInfo<SocketAddr>, SignedIn(reader): SignedIn, Path(id): Path<i64>, Form(f): Form<ReportForm>) -> Response {
    let (comment, page) = match visible_comment(&state, id).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    if let Err(r) = may_take_part(&state, &csrf, &reader) {
        return r;
    }
    if honeypot_tripped(&f.website) {
        return report_page(&state, &csrf, StatusCode::UNPROCESSABLE_ENTITY, &comment, &page, &f, Some("This form looked automated, so it was not sent."));
    }
    let Some((_, label)) = REPORT_REASONS.iter().find(|(k, _)| *k == f.reason) else {
        return report_page(&state, &csrf, StatusCode::UNPROCESSABLE_ENTITY, &comment, &page, &f, Some("Choose a reason for the report."));
    };
    let detail: String = f.detail.trim().chars().take(500).collect();
    let reason = if detail.is_empty() { label.to_string() } else { format!("{label}: {detail}") };
    if let Err(r) = rate_limit(&state, Action::Report, &reader.id.to_string(), &client_ip(&peer)).await {
        return r;
    }
    match state.store().report_comment(id, reader.id, &reason, now_unix()).await {
        Ok(false) => notice(
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
        Ok(true) => notice(
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
        Err(e) => internal_error(&state, e),
    }
}

pub async fn subscribe(State(state): State<AppState>, Extension(csrf): Extension<CsrfToken>, SignedIn(reader): SignedIn, Path((section, slug)): Path<(String, String)>) -> Response {
    let page = match live_article(&state, &section, &slug).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    if let Err(r) = may_take_part(&state, &csrf, &reader) {
        return r;
    }
    match state.store().subscribe(reader.id, page.card.id, now_unix()).await {
        Ok(_) => Redirect::to(&format!("/{section}/{slug}/#comments")).into_response(),
        Err(e) => internal_error(&state, e),
    }
}

pub async fn unsubscribe(State(state): State<AppState>, SignedIn(reader): SignedIn, Path((section, slug)): Path<(String, String)>) -> Response {
    let page = match live_article(&state, &section, &slug).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    match state.store().unsubscribe(reader.id, page.card.id).await {
        Ok(_) => Redirect::to(&format!("/{section}/{slug}/#comments")).into_response(),
        Err(e) => internal_error(&state, e),
    }
}

/// Used by the newsroom when it approves a comment: the notification subscribers get.
pub fn approval_composer(state: &AppState, page: &ArticlePage, comment: &Comment) -> impl Fn(&marquee_store::Subscriber, i64) -> marquee_store::NewMail + Send + Sync {
    composer_for(state, page, comment.author_name.as_deref().unwrap_or("A reader"), &comment.body)
}


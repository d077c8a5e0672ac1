//! The newsroom at `/admin/`: sign-in, the article list and editor, revisions, staff,
//! sections, authors and publication settings.

use crate::auth::{self, Staff};
use crate::csrf::CsrfToken;
use crate::newsroom::{self, ArticleForm, SaveOutcome};
use crate::public::{error_page, internal_error, not_found, ArticleCtx};
use crate::state::AppState;
use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use marquee_domain::time::{long_datetime, now_unix};
use marquee_domain::{slugify, validate_slug, FieldErrors, Role, RESERVED_SECTION_SLUGS};
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;

#[derive(Serialize)]
pub struct AdminLayout {
    site_name: String,
    user_name: String,
    role: &'static str,
    is_editor: bool,
    is_admin: bool,
    csrf: String,
}

pub(crate) fn admin_layout(state: &AppState, staff: &Staff, csrf: &CsrfToken) -> AdminLayout {
    AdminLayout {
        site_name: state.site().publication.name.clone(),
        user_name: staff.user.name.clone(),
        role: staff.role.as_str(),
        is_editor: staff.role.can_edit_others(),
        is_admin: staff.role.can_administer(),
        csrf: csrf.value().to_string(),
    }
}

pub(crate) fn page<S: Serialize>(state: &AppState, status: StatusCode, template: &str, ctx: S) -> Response {
    match state.0.templates.render(template, ctx) {
        Ok(body) => (status, [(header::CACHE_CONTROL, "no-store")], Html(body)).into_response(),
        Err(e) => internal_error(state, e),
    }
}

pub(crate) fn forbidden(state: &AppState, message: &str) -> Response {
    error_page(state, StatusCode::FORBIDDEN, "Not allowed", message)
}

/// The notice above a form that was sent back to be corrected.
pub(crate) const NOT_SAVED: &str = "Nothing was saved. Please correct the fields marked below.";

pub(crate) fn see_other(to: &str) -> Response {
    Redirect::to(to).into_response()
}

// ----- sign-in -----

#[derive(Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

#[derive(Serialize)]
struct LoginCtx<'a> {
    site_name: String,
    csrf: &'a str,
    next: String,
    email: String,
    error: Option<String>,
}

fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with("/admin/") && !n.contains("//") && !n.contains('\\') && !n.chars().any(char::is_control) && n.len() < 500 => n.to_string(),
        _ => "/admin/".to_string(),
    }
}

pub async fn login_form(State(state): State<AppState>, Extension(csrf): Extension<CsrfToken>, Query(q): Query<NextQuery>) -> Response {
    let ctx = LoginCtx { site_name: state.site().publication.name.clone(), csrf: csrf.value(), next: safe_next(q.next.as_deref()), email: String::new(), error: None };
    page(&state, StatusCode::OK, "admin/login.html", ctx)
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    next: Option<String>,
}

pub async fn login(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Form(f): Form<LoginForm>,
) -> Response {
    let store = state.store();
    let cfg = &state.0.config;
    let now = now_unix();
    let since = now - cfg.login_window_secs;
    let email = f.email.trim().to_ascii_lowercase();
    let ip_key = format!("ip:{}", peer.ip());
    let email_key = format!("email:{email}");
    let retry = |error: &str, status: StatusCode| {
        let ctx = LoginCtx { site_name: state.site().publication.name.clone(), csrf: csrf.value(), next: safe_next(f.next.as_deref()), email: f.email.clone(), error: Some(error.to_string()) };
        page(&state, status, "admin/login.html", ctx)
    };
    let (attempt, by_ip, by_email) = match store.begin_login_attempt(&ip_key, &email_key, now, since).await {
        Ok(r) => r,
        Err(e) => return internal_error(&state, e),
    };
    // An address that keeps failing is stopped; an account under attack stays open to an
    // address with (almost) no failures, so guessing cannot lock its owner out.
    let max = cfg.login_max_failures;
    if by_ip > max * 4 || (by_email > max && by_ip > 2) {
        let minutes = cfg.login_window_secs / 60;
        return retry(&format!("Too many failed sign-ins. Wait {minutes} minutes and try again."), StatusCode::TOO_MANY_REQUESTS);
    }
    let user = match store.user_by_email(&email).await {
        Ok(u) => u,
        Err(e) => return internal_error(&state, e),
    };
    let ok = match &user {
        Some(u) if u.active == 1 => auth::verify_password(&f.password, &u.password_hash),
        _ => {
            // Spend the same effort as a real check so timing does not reveal accounts.
            auth::verify_against_dummy(&f.password);
            false
        }
    };
    let Some(user) = user.filter(|_| ok) else {
        return retry("That email and password do not match an active staff account.", StatusCode::UNAUTHORIZED);
    };
    if let Err(e) = store.forget_login_attempt(&attempt).await {
        return internal_error(&state, e);
    }
    let token = auth::random_token();
    if let Err(e) = store.create_session(&auth::token_hash(&token), user.id, now, now + auth::SESSION_DAYS * 86400).await {
        return internal_error(&state, e);
    }
    let cookie = auth::session_cookie(&token, state.site().secure_cookies);
    ([(header::SET_COOKIE, cookie)], Redirect::to(&safe_next(f.next.as_deref()))).into_response()
}

pub async fn logout(State(state): State<AppState>, headers: axum::http::HeaderMap) -> Response {
    if let Some(token) = auth::cookie(&headers, auth::SESSION_COOKIE) {
        if let Err(e) = state.store().delete_session(&auth::token_hash(token)).await {
            return internal_error(&state, e);
        }
    }
    ([(header::SET_COOKIE, auth::clear_session_cookie(state.site().secure_cookies))], Redirect::to("/admin/login")).into_response()
}

// ----- articles -----

#[derive(Deserialize)]
pub struct ListQuery {
    status: Option<String>,
    page: Option<String>,
}

pub async fn dashboard(State(state): State<AppState>, staff: Staff, Extension(csrf): Extension<CsrfToken>, Query(q): Query<ListQuery>) -> Response {
    let status = q.status.as_deref().filter(|s| marquee_domain::ArticleStatus::parse(s).is_some());
    let page_no = q.page.as_deref().and_then(|p| p.trim().parse::<i64>().ok()).unwrap_or(1).clamp(1, 100_000);
    let per = 50;
    let (rows, total) = match state.store().article_summaries(status, per, (page_no - 1) * per).await {
        Ok(r) => r,
        Err(e) => return internal_error(&state, e),
    };
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
    let base = format!("/admin/?status={}", status.unwrap_or(""));
    let mut pager = crate::views::Pager::new(&base, page_no, per, total);
    pager.prev_url = (page_no > 1).then(|| format!("{base}&page={}", page_no - 1));
    pager.next_url = (page_no < pager.pages).then(|| format!("{base}&page={}", page_no + 1));
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
) -> Response {
    let store = state.store();
    let site = state.site();
    let authors = match store.authors().await {
        Ok(a) => a,
        Err(e) => return internal_error(state, e),
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
    };
    page(state, status, "admin/article.html", ctx)
}

pub async fn new_article(State(state): State<AppState>, staff: Staff, Extension(csrf): Extension<CsrfToken>) -> Response {
    let mut form = ArticleForm::default();
    if let Some(a) = staff.user.author_id {
        form.author1 = a.to_string();
    }
    editor_page(&state, &staff, &csrf, StatusCode::OK, None, form, FieldErrors::new(), None, None).await
}

async fn apply_form(state: AppState, staff: Staff, csrf: CsrfToken, record: Option<marquee_store::ArticleRecord>, mut form: ArticleForm) -> Response {
    match newsroom::save(&state, &staff, record.as_ref(), &mut form).await {
        Ok(SaveOutcome::Saved(id)) => see_other(&format!("/admin/articles/{id}?saved=1")),
        Ok(SaveOutcome::Preview(html)) => editor_page(&state, &staff, &csrf, StatusCode::OK, record.as_ref(), form, FieldErrors::new(), Some(html), None).await,
        Ok(SaveOutcome::Invalid { errors, forbidden }) => {
            let status = if forbidden { StatusCode::FORBIDDEN } else { StatusCode::UNPROCESSABLE_ENTITY };
            let msg = Some("Nothing was saved. Please correct the fields marked below.".to_string());
            editor_page(&state, &staff, &csrf, status, record.as_ref(), form, errors, None, msg).await
        }
        Err(e) => internal_error(&state, e),
    }
}

pub async fn create_article(State(state): State<AppState>, staff: Staff, Extension(csrf): Extension<CsrfToken>, Form(form): Form<ArticleForm>) -> Response {
    apply_form(state, staff, csrf, None, form).await
}

async fn load_record(state: &AppState, id: i64) -> Result<marquee_store::ArticleRecord, Response> {
    match state.store().article_record(id).await {
        Ok(Some(r)) => Ok(r),
        Ok(None) => Err(not_found(state)),
        Err(e) => Err(internal_error(state, e)),
    }
}

#[derive(Deserialize)]
pub struct EditQuery {
    saved: Option<String>,
    restored: Option<i64>,
}

pub async fn edit_article(State(state): State<AppState>, staff: Staff, Extension(csrf): Extension<CsrfToken>, Path(id): Path<i64>, Query(q): Query<EditQuery>) -> Response {
    let record = match load_record(&state, id).await {
        Ok(r) => r,
        Err(resp) => return resp,
    };
    if !staff.can_edit(record.created_by, &record.status) {
        return forbidden(&state, "Contributors can only edit their own drafts.");
    }
    let form = ArticleForm::from_record(&record, &state.site().tz);
    let message = match (q.saved.is_some(), q.restored) {
        (_, Some(n)) => Some(format!("Revision {n} restored and saved as the newest revision.")),
        (true, _) => Some("Saved.".to_string()),
        _ => None,
    };
    editor_page(&state, &staff, &csrf, StatusCode::OK, Some(&record), form, FieldErrors::new(), None, message).await
}

pub async fn update_article(State(state): State<AppState>, staff: Staff, Extension(csrf): Extension<CsrfToken>, Path(id): Path<i64>, Form(form): Form<ArticleForm>) -> Response {
    match load_record(&state, id).await {
        Ok(r) => apply_form(state, staff, csrf, Some(r), form).await,
        Err(resp) => resp,
    }
}

pub async fn preview_article(State(state): State<AppState>, staff: Staff, Path(id): Path<i64>) -> Response {
    let record = match load_record(&state, id).await {
        Ok(r) => r,
        Err(resp) => return resp,
    };
    let live = record.status != "draft" && record.publish_at.is_some_and(|t| t <= now_unix());
    if !staff.can_edit(record.created_by, &record.status) && !live {
        return forbidden(&state, "Contributors can only preview their own drafts.");
    }
    let site = state.site();
    match state.store().article_page_by_id(id).await {
        Ok(Some(p)) => {
            let film = match crate::public::film_box(&state, p.film_id).await {
                Ok(f) => f,
                Err(resp) => return resp,
            };
            let mut ctx = ArticleCtx::new(&site, &p, film, Some(record.status.clone()));
            if p.card.publish_at == 0 {
                ctx.article.date = "Not yet published".into();
                ctx.article.date_iso = String::new();
            }
            page(&state, StatusCode::OK, "article.html", ctx)
        }
        Ok(None) => not_found(&state),
        Err(e) => internal_error(&state, e),
    }
}

// ----- revisions -----

pub async fn revisions(State(state): State<AppState>, staff: Staff, Extension(csrf): Extension<CsrfToken>, Path(id): Path<i64>) -> Response {
    let record = match load_record(&state, id).await {
        Ok(r) => r,
        Err(resp) => return resp,
    };
    if !staff.can_edit(record.created_by, &record.status) {
        return forbidden(&state, "Contributors can only see the history of their own drafts.");
    }
    let site = state.site();
    let revs = match state.store().revisions(id).await {
        Ok(r) => r,
        Err(e) => return internal_error(&state, e),
    };
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

pub async fn revision(State(state): State<AppState>, staff: Staff, Extension(csrf): Extension<CsrfToken>, Path((id, n)): Path<(i64, i64)>) -> Response {
    let record = match load_record(&state, id).await {
        Ok(r) => r,
        Err(resp) => return resp,
    };
    if !staff.can_edit(record.created_by, &record.status) {
        return forbidden(&state, "Contributors can only see the history of their own drafts.");
    }
    let rev = match state.store().revision(id, n).await {
        Ok(Some(r)) => r,
        Ok(None) => return not_found(&state),
        Err(e) => return internal_error(&state, e),
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
pub async fn restore_revision(State(state): State<AppState>, staff: Staff, Extension(csrf): Extension<CsrfToken>, Path((id, n)): Path<(i64, i64)>) -> Response {
    let record = match load_record(&state, id).await {
        Ok(r) => r,
        Err(resp) => return resp,
    };
    if !staff.can_edit(record.created_by, &record.status) {
        return forbidden(&state, "Contributors can only restore revisions of their own drafts.");
    }
    let rev = match state.store().revision(id, n).await {
        Ok(Some(r)) => r,
        Ok(None) => return not_found(&state),
        Err(e) => return internal_error(&state, e),
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
    match newsroom::save(&state, &staff, Some(&record), &mut form).await {
        Ok(SaveOutcome::Saved(id)) => see_other(&format!("/admin/articles/{id}?restored={n}")),
        Ok(SaveOutcome::Invalid { errors, forbidden }) => {
            let status = if forbidden { StatusCode::FORBIDDEN } else { StatusCode::UNPROCESSABLE_ENTITY };
            let msg = Some(format!("Revision {n} could not be restored as it is; nothing was saved. Fix the fields below and save."));
            editor_page(&state, &staff, &csrf, status, Some(&record), form, errors, None, msg).await
        }
        Ok(SaveOutcome::Preview(_)) => see_other(&format!("/admin/articles/{id}")),
        Err(e) => internal_error(&state, e),
    }
}

// ----- authors (editors) -----

#[derive(Deserialize)]
pub struct AuthorForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    bio: String,
}

pub async fn authors(State(state): State<AppState>, staff: Staff, Extension(csrf): Extension<CsrfToken>) -> Response {
    if !staff.role.can_edit_others() {
        return forbidden(&state, "Only editors manage author profiles.");
    }
    let list = match state.store().authors().await {
        Ok(a) => a,
        Err(e) => return internal_error(&state, e),
    };
    #[derive(Serialize)]
    struct Ctx {
        admin: AdminLayout,
        authors: Vec<marquee_store::Author>,
    }
    page(&state, StatusCode::OK, "admin/authors.html", Ctx { admin: admin_layout(&state, &staff, &csrf), authors: list })
}

pub async fn update_author(State(state): State<AppState>, staff: Staff, Path(id): Path<i64>, Form(f): Form<AuthorForm>) -> Response {
    if !staff.role.can_edit_others() {
        return forbidden(&state, "Only editors manage author profiles.");
    }
    let name = f.name.trim();
    if name.is_empty() || name.chars().count() > 120 || f.bio.chars().count() > 2000 {
        return error_page(&state, StatusCode::UNPROCESSABLE_ENTITY, "Author not saved", "A name (up to 120 characters) is required, and a bio can be at most 2,000 characters. Go back to keep what you typed.");
    }
    if let Err(e) = state.store().update_author(id, name, f.bio.trim()).await {
        return internal_error(&state, e);
    }
    let _ = state.refresh().await;
    see_other("/admin/authors")
}

// ----- staff accounts (admins) -----

#[derive(Deserialize, Serialize, Default)]
pub struct NewUserForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    role: String,
    #[serde(default, skip_serializing)]
    password: String,
}

async fn users_page(state: &AppState, staff: &Staff, csrf: &CsrfToken, status: StatusCode, form: NewUserForm, errors: FieldErrors, message: Option<String>) -> Response {
    let users = match state.store().users().await {
        Ok(u) => u,
        Err(e) => return internal_error(state, e),
    };
    #[derive(Serialize)]
    struct Ctx {
        admin: AdminLayout,
        users: Vec<marquee_store::User>,
        roles: Vec<&'static str>,
        form: NewUserForm,
        errors: FieldErrors,
        message: Option<String>,
        me: i64,
    }
    let ctx = Ctx { admin: admin_layout(state, staff, csrf), users, roles: Role::ALL.iter().map(|r| r.as_str()).collect(), form, errors, message, me: staff.user.id };
    page(state, status, "admin/users.html", ctx)
}

pub async fn users(State(state): State<AppState>, staff: Staff, Extension(csrf): Extension<CsrfToken>) -> Response {
    if !staff.role.can_administer() {
        return forbidden(&state, "Only admins manage staff accounts.");
    }
    users_page(&state, &staff, &csrf, StatusCode::OK, NewUserForm { role: "contributor".into(), ..Default::default() }, FieldErrors::new(), None).await
}

/// Checks a new staff account; shared by the admin form and `marquee user add`.
pub fn validate_new_user(email: &str, name: &str, role: &str, password: &str) -> FieldErrors {
    let mut errors = FieldErrors::new();
    if let Err(e) = crate::readers::check_email(email) {
        errors.insert("email", e);
    }
    if name.trim().is_empty() || name.trim().chars().count() > 120 {
        errors.insert("name", "A name of up to 120 characters is required.".into());
    }
    if Role::parse(role).is_none() {
        errors.insert("role", "Choose contributor, editor or admin.".into());
    }
    if let Err(e) = crate::readers::check_password(password) {
        errors.insert("password", e);
    }
    errors
}

pub async fn add_user(State(state): State<AppState>, staff: Staff, Extension(csrf): Extension<CsrfToken>, Form(f): Form<NewUserForm>) -> Response {
    if !staff.role.can_administer() {
        return forbidden(&state, "Only admins manage staff accounts.");
    }
    let mut errors = validate_new_user(&f.email, &f.name, &f.role, &f.password);
    if errors.is_empty() {
        let hash = auth::hash_password(&f.password);
        let role = Role::parse(&f.role).unwrap_or(Role::Contributor);
        let new = marquee_store::NewUser { email: &f.email, name: f.name.trim(), password_hash: &hash, role: role.as_str(), now: now_unix() };
        match state.store().create_user(new, &slugify(&f.name)).await {
            Ok(Ok(u)) => {
                let _ = state.refresh().await;
                let msg = Some(format!("Added {} as {}.", u.name, u.role));
                return users_page(&state, &staff, &csrf, StatusCode::OK, NewUserForm { role: "contributor".into(), ..Default::default() }, FieldErrors::new(), msg).await;
            }
            Ok(Err(_)) => {
                errors.insert("email", "A staff account with this email already exists.".into());
            }
            Err(e) => return internal_error(&state, e),
        }
    }
    users_page(&state, &staff, &csrf, StatusCode::UNPROCESSABLE_ENTITY, f, errors, Some("Nothing was saved. Please correct the fields marked below.".into())).await
}

#[derive(Deserialize)]
pub struct UserAccessForm {
    #[serde(default)]
    role: String,
    #[serde(default)]
    active: Option<String>,
}

pub async fn update_user(State(state): State<AppState>, staff: Staff, Path(id): Path<i64>, Form(f): Form<UserAccessForm>) -> Response {
    if !staff.role.can_administer() {
        return forbidden(&state, "Only admins manage staff accounts.");
    }
    let Some(role) = Role::parse(&f.role) else {
        return error_page(&state, StatusCode::UNPROCESSABLE_ENTITY, "Not saved", "Choose contributor, editor or admin.");
    };
    if id == staff.user.id && (role != Role::Admin || f.active.is_none()) {
        return error_page(&state, StatusCode::UNPROCESSABLE_ENTITY, "Not saved", "You cannot remove your own admin rights or deactivate yourself; ask another admin.");
    }
    if let Err(e) = state.store().set_user_access(id, role.as_str(), f.active.is_some()).await {
        return internal_error(&state, e);
    }
    see_other("/admin/users")
}

// ----- sections (admins) -----

#[derive(Deserialize, Serialize, Default)]
pub struct SectionForm {
    #[serde(default)]
    slug: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    position: String,
}

fn validate_section(f: &mut SectionForm) -> (FieldErrors, i64) {
    let mut errors = FieldErrors::new();
    if f.slug.trim().is_empty() {
        f.slug = slugify(&f.name);
    }
    f.slug = f.slug.trim().to_string();
    if f.name.trim().is_empty() || f.name.trim().chars().count() > 80 {
        errors.insert("name", "A name of up to 80 characters is required.".into());
    }
    if let Err(e) = validate_slug(&f.slug) {
        errors.insert("slug", e);
    } else if RESERVED_SECTION_SLUGS.contains(&f.slug.as_str()) {
        errors.insert("slug", format!("“{}” is used by the site itself; choose another slug.", f.slug));
    }
    if f.description.chars().count() > 500 {
        errors.insert("description", "A description can be at most 500 characters.".into());
    }
    let position = if f.position.trim().is_empty() { Ok(0) } else { f.position.trim().parse::<i64>() };
    let position = position.unwrap_or_else(|_| {
        errors.insert("position", "The position must be a whole number.".into());
        0
    });
    (errors, position)
}

async fn sections_page(state: &AppState, staff: &Staff, csrf: &CsrfToken, status: StatusCode, form: SectionForm, errors: FieldErrors, message: Option<String>) -> Response {
    #[derive(Serialize)]
    struct Ctx {
        admin: AdminLayout,
        sections: Vec<marquee_store::Section>,
        form: SectionForm,
        errors: FieldErrors,
        message: Option<String>,
    }
    let sections = match state.store().sections().await {
        Ok(s) => s,
        Err(e) => return internal_error(state, e),
    };
    page(state, status, "admin/sections.html", Ctx { admin: admin_layout(state, staff, csrf), sections, form, errors, message })
}

pub async fn sections(State(state): State<AppState>, staff: Staff, Extension(csrf): Extension<CsrfToken>) -> Response {
    if !staff.role.can_administer() {
        return forbidden(&state, "Only admins manage sections.");
    }
    sections_page(&state, &staff, &csrf, StatusCode::OK, SectionForm::default(), FieldErrors::new(), None).await
}

pub async fn add_section(State(state): State<AppState>, staff: Staff, Extension(csrf): Extension<CsrfToken>, Form(mut f): Form<SectionForm>) -> Response {
    if !staff.role.can_administer() {
        return forbidden(&state, "Only admins manage sections.");
    }
    let (mut errors, position) = validate_section(&mut f);
    if errors.is_empty() {
        match state.store().create_section(&f.slug, f.name.trim(), f.description.trim(), position).await {
            Ok(Some(_)) => {
                let _ = state.refresh().await;
                return sections_page(&state, &staff, &csrf, StatusCode::OK, SectionForm::default(), FieldErrors::new(), Some(format!("Added the section {}.", f.name.trim()))).await;
            }
            Ok(None) => {
                errors.insert("slug", "Another section already uses this slug.".into());
            }
            Err(e) => return internal_error(&state, e),
        }
    }
    sections_page(&state, &staff, &csrf, StatusCode::UNPROCESSABLE_ENTITY, f, errors, Some("Nothing was saved. Please correct the fields marked below.".into())).await
}

pub async fn update_section(State(state): State<AppState>, staff: Staff, Extension(csrf): Extension<CsrfToken>, Path(id): Path<i64>, Form(mut f): Form<SectionForm>) -> Response {
    if !staff.role.can_administer() {
        return forbidden(&state, "Only admins manage sections.");
    }
    let (mut errors, position) = validate_section(&mut f);
    if errors.is_empty() {
        match state.store().update_section(id, &f.slug, f.name.trim(), f.description.trim(), position).await {
            Ok(true) => {
                let _ = state.refresh().await;
                return see_other("/admin/sections");
            }
            Ok(false) => {
                errors.insert("slug", "Another section already uses this slug.".into());
            }
            Err(e) => return internal_error(&state, e),
        }
    }
    let msg = format!("The section “{}” was not changed: {}", f.name, errors.values().cloned().collect::<Vec<_>>().join(" "));
    sections_page(&state, &staff, &csrf, StatusCode::UNPROCESSABLE_ENTITY, SectionForm::default(), FieldErrors::new(), Some(msg)).await
}

// ----- publication settings (admins) -----

#[derive(Deserialize, Serialize)]
pub struct SettingsForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    base_url: String,
    #[serde(default)]
    time_zone: String,
    #[serde(default)]
    copyright: String,
    /// A ZIP code, or "latitude, longitude".
    #[serde(default)]
    home: String,
    #[serde(default)]
    radius_miles: String,
    #[serde(default)]
    popular_days: String,
}

/// "94612" or "37.81, -122.27" to coordinates.
pub fn parse_location(s: &str) -> Option<(f64, f64)> {
    let s = s.trim();
    if let Some(place) = marquee_domain::geo::zip(s) {
        return Some((place.latitude, place.longitude));
    }
    let (a, b) = s.split_once(',')?;
    let (lat, lon) = (a.trim().parse::<f64>().ok()?, b.trim().parse::<f64>().ok()?);
    marquee_domain::geo::valid_point(lat, lon).then_some((lat, lon))
}

async fn settings_page(state: &AppState, staff: &Staff, csrf: &CsrfToken, status: StatusCode, form: SettingsForm, errors: FieldErrors, message: Option<String>) -> Response {
    #[derive(Serialize)]
    struct Ctx {
        admin: AdminLayout,
        form: SettingsForm,
        errors: FieldErrors,
        message: Option<String>,
    }
    page(state, status, "admin/settings.html", Ctx { admin: admin_layout(state, staff, csrf), form, errors, message })
}

pub async fn settings(State(state): State<AppState>, staff: Staff, Extension(csrf): Extension<CsrfToken>) -> Response {
    if !staff.role.can_administer() {
        return forbidden(&state, "Only admins change publication settings.");
    }
    let p = state.site().publication.clone();
    let form = SettingsForm {
        name: p.name,
        base_url: p.base_url,
        time_zone: p.time_zone,
        copyright: p.copyright,
        home: format!("{:.5}, {:.5}", p.home_latitude, p.home_longitude),
        radius_miles: p.radius_miles.to_string(),
        popular_days: p.popular_days.to_string(),
    };
    settings_page(&state, &staff, &csrf, StatusCode::OK, form, FieldErrors::new(), None).await
}

pub async fn save_settings(State(state): State<AppState>, staff: Staff, Extension(csrf): Extension<CsrfToken>, Form(f): Form<SettingsForm>) -> Response {
    if !staff.role.can_administer() {
        return forbidden(&state, "Only admins change publication settings.");
    }
    let mut errors = FieldErrors::new();
    if f.name.trim().is_empty() || f.name.trim().chars().count() > 120 {
        errors.insert("name", "A name of up to 120 characters is required.".into());
    }
    let url = f.base_url.trim().trim_end_matches('/');
    if !(url.starts_with("http://") || url.starts_with("https://")) || url.len() < 10 || url.contains(char::is_whitespace) {
        errors.insert("base_url", "Enter the site's address, such as https://www.example-weekly.com".into());
    }
    if let Err(e) = marquee_domain::time::parse_zone(&f.time_zone) {
        errors.insert("time_zone", e);
    }
    if f.copyright.chars().count() > 300 {
        errors.insert("copyright", "The copyright line can be at most 300 characters.".into());
    }
    let home = parse_location(&f.home);
    if home.is_none() {
        errors.insert("home", "Enter a US ZIP code such as 94612, or a latitude and longitude such as 37.81, -122.27.".into());
    }
    let radius = f.radius_miles.trim().parse::<f64>().ok().filter(|r| (1.0..=500.0).contains(r));
    if radius.is_none() {
        errors.insert("radius_miles", "The radius must be a number of miles from 1 to 500.".into());
    }
    let popular_days = f.popular_days.trim().parse::<i64>().ok().filter(|d| (1..=90).contains(d));
    if popular_days.is_none() {
        errors.insert("popular_days", "Most Popular counts views over 1 to 90 days.".into());
    }
    let (Some((home_latitude, home_longitude)), Some(radius_miles), Some(popular_days), true) = (home, radius, popular_days, errors.is_empty()) else {
        return settings_page(&state, &staff, &csrf, StatusCode::UNPROCESSABLE_ENTITY, f, errors, Some("Nothing was saved. Please correct the fields marked below.".into())).await;
    };
    let p = marquee_store::Publication {
        name: f.name.trim().into(),
        base_url: url.into(),
        time_zone: f.time_zone.trim().into(),
        copyright: f.copyright.trim().into(),
        home_latitude,
        home_longitude,
        radius_miles,
        popular_days,
    };
    if let Err(e) = state.store().update_publication(&p).await {
        return internal_error(&state, e);
    }
    let _ = state.refresh().await;
    settings_page(&state, &staff, &csrf, StatusCode::OK, f, FieldErrors::new(), Some("Settings saved.".into())).await
}


// ----- feeds (editors) -----

async fn feeds_page(state: &AppState, staff: &Staff, csrf: &CsrfToken, status: StatusCode, message: Option<String>, report: Vec<String>) -> Response {
    #[derive(Serialize)]
    struct Ctx {
        admin: AdminLayout,
        message: Option<String>,
        report: Vec<String>,
        films: i64,
        theaters: usize,
    }
    let films = state.store().film_count().await.unwrap_or(0);
    let theaters = state.store().theaters().await.map(|t| t.len()).unwrap_or(0);
    page(state, status, "admin/feeds.html", Ctx { admin: admin_layout(state, staff, csrf), message, report, films, theaters })
}

pub async fn feeds(State(state): State<AppState>, staff: Staff, Extension(csrf): Extension<CsrfToken>) -> Response {
    if !staff.role.can_edit_others() {
        return forbidden(&state, "Only editors load feeds.");
    }
    feeds_page(&state, &staff, &csrf, StatusCode::OK, None, Vec::new()).await
}

/// `POST /admin/feeds/{films|theaters|showtimes|events}` with a file: the same imports as
/// `marquee import ...`, with the same all-or-nothing checks for theaters, showtimes and events.
pub async fn upload_feed(State(state): State<AppState>, staff: Staff, Extension(csrf): Extension<CsrfToken>, Path(kind): Path<String>, mut form: axum::extract::Multipart) -> Response {
    if !staff.role.can_edit_others() {
        return forbidden(&state, "Only editors load feeds.");
    }
    let mut file: Option<(String, String)> = None;
    loop {
        match form.next_field().await {
            Ok(Some(field)) if field.name() == Some("file") => {
                let name = field.file_name().unwrap_or("upload").to_string();
                match field.bytes().await.map(|b| String::from_utf8(b.to_vec())) {
                    Ok(Ok(text)) => file = Some((name, text)),
                    Ok(Err(_)) => return feeds_page(&state, &staff, &csrf, StatusCode::UNPROCESSABLE_ENTITY, Some(format!("{name} is not UTF-8 text; nothing was imported.")), Vec::new()).await,
                    Err(e) => return feeds_page(&state, &staff, &csrf, StatusCode::BAD_REQUEST, Some(format!("The upload could not be read: {e}")), Vec::new()).await,
                }
            }
            Ok(Some(_)) => continue,
            Ok(None) => break,
            Err(e) => return feeds_page(&state, &staff, &csrf, StatusCode::BAD_REQUEST, Some(format!("The upload could not be read: {e}")), Vec::new()).await,
        }
    }
    let Some((name, text)) = file.filter(|(_, t)| !t.trim().is_empty()) else {
        return feeds_page(&state, &staff, &csrf, StatusCode::UNPROCESSABLE_ENTITY, Some("Choose a file to upload.".into()), Vec::new()).await;
    };
    let store = state.store();
    let outcome: anyhow::Result<(String, Vec<String>)> = match kind.as_str() {
        "films" => marquee_import::import_films(store, &name, &text, false).await.map(|r| {
            let lines = r.skipped.iter().map(|(n, why)| format!("record {n}: skipped: {why}")).chain(r.notes.iter().map(|(n, note)| format!("record {n}: {note}"))).collect();
            (format!("Films from {name}: {}.", r.summary()), lines)
        }),
        "theaters" => marquee_import::import_theaters(store, &name, &text).await.map(|r| (format!("Theaters from {name}: {} added, {} updated, {} unchanged.", r.added, r.updated, r.unchanged), Vec::new())),
        "showtimes" => marquee_import::import_showtimes(store, &name, &text).await.map(|r| (format!("Showtimes from {name}: {} screenings at {} theaters ({} earlier ones replaced).", r.added, r.theaters, r.replaced), Vec::new())),
        "events" => marquee_import::import_events(store, &name, &text).await.map(|r| (format!("Events from {name}: {}.", r.summary()), Vec::new())),
        _ => return not_found(&state),
    };
    match outcome {
        Ok((summary, lines)) => {
            let _ = state.refresh().await;
            feeds_page(&state, &staff, &csrf, StatusCode::OK, Some(summary), lines).await
        }
        Err(e) => {
            let lines: Vec<String> = e.to_string().lines().map(|l| l.trim().to_string()).collect();
            feeds_page(&state, &staff, &csrf, StatusCode::UNPROCESSABLE_ENTITY, Some("Nothing was imported.".into()), lines).await
        }
    }
}

// ----- films and theaters (editors) -----

#[derive(Deserialize, Serialize, Default)]
pub struct FilmForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    original_title: String,
    #[serde(default)]
    year: String,
    #[serde(default)]
    release_date: String,
    #[serde(default)]
    runtime_minutes: String,
    #[serde(default)]
    certification: String,
    #[serde(default)]
    genres: String,
    #[serde(default)]
    imdb: String,
    #[serde(default)]
    tmdb: String,
    #[serde(default)]
    wikidata: String,
    #[serde(default)]
    credits: String,
}

impl FilmForm {
    fn from_film(f: &marquee_store::Film, credits: &[marquee_store::Credit]) -> FilmForm {
        let lines: Vec<(String, String, String)> = credits.iter().map(|c| (c.role.clone(), c.person_name.clone(), c.character.clone())).collect();
        FilmForm {
            title: f.title.clone(),
            original_title: f.original_title.clone(),
            year: f.year.map(|y| y.to_string()).unwrap_or_default(),
            release_date: f.release_date.clone().unwrap_or_default(),
            runtime_minutes: f.runtime_minutes.map(|m| m.to_string()).unwrap_or_default(),
            certification: f.certification.clone().unwrap_or_default(),
            genres: f.genres.lines().collect::<Vec<_>>().join(", "),
            imdb: f.imdb_id.clone().unwrap_or_default(),
            tmdb: f.tmdb_id.clone().unwrap_or_default(),
            wikidata: f.wikidata_id.clone().unwrap_or_default(),
            credits: marquee_domain::film::credit_lines(&lines),
        }
    }

    /// Checks the form through the same rules as an import in Marquee's format.
    fn record(&self) -> Result<marquee_domain::film::FilmRecord, FieldErrors> {
        let mut errors = FieldErrors::new();
        let num = |s: &str| -> Option<serde_json::Value> { (!s.trim().is_empty()).then(|| s.trim().parse::<i64>().map(serde_json::Value::from).unwrap_or_else(|_| serde_json::Value::from(s.trim()))) };
        let mut ids = serde_json::Map::new();
        for (k, v) in [("imdb", &self.imdb), ("tmdb", &self.tmdb), ("wikidata", &self.wikidata)] {
            if !v.trim().is_empty() {
                ids.insert(k.into(), v.trim().into());
            }
        }
        let v = serde_json::json!({
            "title": self.title.trim(),
            "original_title": self.original_title.trim(),
            "year": num(&self.year),
            "release_date": self.release_date.trim(),
            "runtime_minutes": num(&self.runtime_minutes),
            "certification": self.certification.trim(),
            "genres": self.genres.split(',').map(str::trim).filter(|g| !g.is_empty()).collect::<Vec<_>>(),
            "ids": ids,
        });
        let parsed = marquee_domain::film::parse_record(&v);
        let mut record = match parsed {
            Ok(p) => {
                for note in p.notes {
                    let field = if note.starts_with("year") { "year" } else if note.starts_with("running") { "runtime_minutes" } else if note.starts_with("release") { "release_date" } else { "certification" };
                    errors.insert(field, format!("Not saved: {note}."));
                }
                Some(p.film)
            }
            Err(e) => {
                let field = if e.contains("IMDb") { "imdb" } else if e.contains("Wikidata") { "wikidata" } else { "title" };
                errors.insert(field, format!("{}.", capitalize_first(&e)));
                None
            }
        };
        match marquee_domain::film::parse_credit_lines(&self.credits) {
            Ok(c) => {
                if let Some(r) = record.as_mut() {
                    r.credits = c;
                }
            }
            Err(e) => {
                errors.insert("credits", e);
            }
        }
        match record {
            Some(r) if errors.is_empty() => Ok(r),
            _ => Err(errors),
        }
    }
}

fn capitalize_first(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().chain(c).collect()).unwrap_or_default()
}

#[derive(Deserialize)]
pub struct SearchQuery {
    q: Option<String>,
}

pub async fn films(State(state): State<AppState>, staff: Staff, Extension(csrf): Extension<CsrfToken>, Query(q): Query<SearchQuery>) -> Response {
    if !staff.role.can_edit_others() {
        return forbidden(&state, "Only editors manage films.");
    }
    let query = q.q.unwrap_or_default();
    let found = if query.trim().is_empty() { Vec::new() } else { state.store().search_films(&query, 100).await.unwrap_or_default() };
    #[derive(Serialize)]
    struct Ctx {
        admin: AdminLayout,
        q: String,
        films: Vec<marquee_store::Film>,
        total: i64,
        message: Option<String>,
    }
    let total = state.store().film_count().await.unwrap_or(0);
    page(&state, StatusCode::OK, "admin/films.html", Ctx { admin: admin_layout(&state, &staff, &csrf), q: query, films: found, total, message: None })
}

async fn film_page(state: &AppState, staff: &Staff, csrf: &CsrfToken, status: StatusCode, id: Option<i64>, slug: Option<String>, form: FilmForm, errors: FieldErrors, message: Option<String>) -> Response {
    #[derive(Serialize)]
    struct Ctx {
        admin: AdminLayout,
        id: Option<i64>,
        slug: Option<String>,
        form: FilmForm,
        errors: FieldErrors,
        message: Option<String>,
        ratings: &'static [&'static str],
    }
    page(state, status, "admin/film.html", Ctx { admin: admin_layout(state, staff, csrf), id, slug, form, errors, message, ratings: marquee_domain::film::MPAA })
}

pub async fn new_film(State(state): State<AppState>, staff: Staff, Extension(csrf): Extension<CsrfToken>) -> Response {
    if !staff.role.can_edit_others() {
        return forbidden(&state, "Only editors manage films.");
    }
    film_page(&state, &staff, &csrf, StatusCode::OK, None, None, FilmForm::default(), FieldErrors::new(), None).await
}

pub async fn edit_film(State(state): State<AppState>, staff: Staff, Extension(csrf): Extension<CsrfToken>, Path(id): Path<i64>, Query(q): Query<EditQuery>) -> Response {
    if !staff.role.can_edit_others() {
        return forbidden(&state, "Only editors manage films.");
    }
    let Ok(Some(film)) = state.store().film_by_id(id).await else { return not_found(&state) };
    let credits = state.store().credits(id).await.unwrap_or_default();
    let message = q.saved.map(|_| "Saved.".to_string());
    film_page(&state, &staff, &csrf, StatusCode::OK, Some(id), Some(film.slug.clone()), FilmForm::from_film(&film, &credits), FieldErrors::new(), message).await
}

pub async fn save_film(State(state): State<AppState>, staff: Staff, Extension(csrf): Extension<CsrfToken>, id: Option<Path<i64>>, Form(form): Form<FilmForm>) -> Response {
    if !staff.role.can_edit_others() {
        return forbidden(&state, "Only editors manage films.");
    }
    let id = id.map(|Path(i)| i);
    let record = match form.record() {
        Ok(r) => r,
        Err(errors) => {
            return film_page(&state, &staff, &csrf, StatusCode::UNPROCESSABLE_ENTITY, id, None, form, errors, Some("Nothing was saved. Please correct the fields marked below.".into())).await;
        }
    };
    match state.store().save_film(id, &record, now_unix()).await {
        Ok(Ok(saved)) => {
            let _ = state.refresh().await;
            see_other(&format!("/admin/films/{saved}?saved=1"))
        }
        Ok(Err(msg)) => {
            let mut errors = FieldErrors::new();
            errors.insert("title", msg);
            film_page(&state, &staff, &csrf, StatusCode::UNPROCESSABLE_ENTITY, id, None, form, errors, Some("Nothing was saved.".into())).await
        }
        Err(e) => internal_error(&state, e),
    }
}

/// A place, theater or venue, as the newsroom's form sends it.
#[derive(Deserialize, Serialize, Default, Clone)]
pub struct PlaceForm {
    #[serde(default)]
    pub external_id: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub address: String,
    #[serde(default)]
    pub city: String,
    #[serde(default)]
    pub state: String,
    #[serde(default)]
    pub postal_code: String,
    /// "latitude, longitude"; blank to place it by its ZIP code.
    #[serde(default)]
    pub position: String,
    #[serde(default)]
    pub time_zone: String,
    #[serde(default)]
    pub url: String,
}

impl PlaceForm {
    /// Checks the form, trimmed, as a venue. A theater (`strict`) must have a feed id and a
    /// position; a venue may have neither, but a position typed wrong is still refused.
    pub(crate) fn check(&self, strict: bool) -> Result<marquee_store::VenueRecord, FieldErrors> {
        let mut errors = FieldErrors::new();
        let external_id = self.external_id.trim();
        if (strict && external_id.is_empty()) || external_id.len() > 100 {
            errors.insert("external_id", "Give the theater an id (the one showtimes feeds use), up to 100 characters.".into());
        }
        if self.name.trim().is_empty() || self.name.chars().count() > 200 {
            errors.insert("name", "A name of up to 200 characters is required.".into());
        }
        if let Err(e) = marquee_domain::time::parse_zone(&self.time_zone) {
            errors.insert("time_zone", e);
        }
        let point = if self.position.trim().is_empty() { marquee_domain::geo::zip(&self.postal_code).map(|p| (p.latitude, p.longitude)) } else { parse_location(&self.position) };
        if point.is_none() && (strict || !self.position.trim().is_empty()) {
            errors.insert("position", "Give a latitude and longitude such as 37.81, -122.27, or a US ZIP code in the postal code field.".into());
        }
        if !self.url.trim().is_empty() && !marquee_domain::event::is_http_url(&self.url) {
            errors.insert("url", "A website address starts with https:// or http://.".into());
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(marquee_store::VenueRecord {
            external_id: Some(external_id.to_string()).filter(|e| !e.is_empty()),
            name: self.name.trim().into(),
            address: self.address.trim().into(),
            city: self.city.trim().into(),
            state: self.state.trim().into(),
            postal_code: self.postal_code.trim().into(),
            latitude: point.map(|p| p.0),
            longitude: point.map(|p| p.1),
            time_zone: self.time_zone.trim().into(),
            url: self.url.trim().into(),
        })
    }
}

pub async fn theaters(State(state): State<AppState>, staff: Staff, Extension(csrf): Extension<CsrfToken>) -> Response {
    if !staff.role.can_edit_others() {
        return forbidden(&state, "Only editors manage theaters.");
    }
    theaters_page(&state, &staff, &csrf, StatusCode::OK, PlaceForm { time_zone: state.site().publication.time_zone.clone(), ..Default::default() }, FieldErrors::new(), None).await
}

async fn theaters_page(state: &AppState, staff: &Staff, csrf: &CsrfToken, status: StatusCode, form: PlaceForm, errors: FieldErrors, message: Option<String>) -> Response {
    let list = match state.store().theaters().await {
        Ok(t) => t,
        Err(e) => return internal_error(state, e),
    };
    #[derive(Serialize)]
    struct Ctx {
        admin: AdminLayout,
        theaters: Vec<marquee_store::Theater>,
        form: PlaceForm,
        errors: FieldErrors,
        message: Option<String>,
    }
    page(state, status, "admin/theaters.html", Ctx { admin: admin_layout(state, staff, csrf), theaters: list, form, errors, message })
}

/// Adds a theater, or updates the one with the same feed id.
pub async fn save_theater(State(state): State<AppState>, staff: Staff, Extension(csrf): Extension<CsrfToken>, Form(f): Form<PlaceForm>) -> Response {
    if !staff.role.can_edit_others() {
        return forbidden(&state, "Only editors manage theaters.");
    }
    let place = match f.check(true) {
        Ok(p) => p,
        Err(errors) => return theaters_page(&state, &staff, &csrf, StatusCode::UNPROCESSABLE_ENTITY, f, errors, Some(NOT_SAVED.into())).await,
    };
    // The strict check made sure of the id and the position.
    let record = marquee_store::TheaterRecord {
        external_id: place.external_id.unwrap_or_default(),
        name: place.name,
        address: place.address,
        city: place.city,
        state: place.state,
        postal_code: place.postal_code,
        latitude: place.latitude.unwrap_or_default(),
        longitude: place.longitude.unwrap_or_default(),
        time_zone: place.time_zone,
        url: place.url,
    };
    match state.store().upsert_theater(&record).await {
        Ok(_) => {
            let _ = state.refresh().await;
            let msg = Some(format!("Saved {}.", record.name));
            theaters_page(&state, &staff, &csrf, StatusCode::OK, PlaceForm { time_zone: record.time_zone, ..Default::default() }, FieldErrors::new(), msg).await
        }
        Err(e) => internal_error(&state, e),
    }
}

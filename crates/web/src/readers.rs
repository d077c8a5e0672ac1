//! Readers' accounts at `/account/`: register (double opt-in), verify, sign in and out, reset
//! a forgotten password, change name or address, digest preference, subscriptions, delete the
//! account; and the signed one-click unsubscribe link at `/unsubscribe`.

use crate::auth::{self, check_email, check_password, reader_next, SignedIn};
use crate::cookies::{clear_session_cookie, random_token, reader_token, set_cookie, token_hash, READER_COOKIE};
use crate::csrf::CsrfToken;
use crate::limits::{client_ip, honeypot_tripped, over_limit, rate_limit, Action};
use crate::mail::{compose, read_unsubscribe_token};
use crate::parts::account::{notice, page, refusal, Notice};
use crate::respond::{error_page, see_other, AppError, Reply};
use crate::state::AppState;
use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect};
use axum::{Extension, Form};
use marquee_domain::comment::{check_real_name, REAL_NAME_POLICY};
use marquee_domain::time::{long_date, now_unix};
use marquee_domain::FieldErrors;
use marquee_store::{DeletedComments, MailToken, Reader, ReaderError};
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;

const SESSION_DAYS: i64 = 30;
const VERIFY_HOURS: i64 = 48;
const RESET_HOURS: i64 = 1;

fn base_url(state: &AppState) -> String {
    state.site().publication.base_url.trim_end_matches('/').to_string()
}

fn verification_mail(state: &AppState, reader_id: i64, email: &str, name: &str, token: &str, change: bool) -> marquee_store::NewMail {
    #[derive(Serialize)]
    struct Data {
        link: String,
        change: bool,
        hours: i64,
    }
    let link = format!("{}/account/verify?token={token}", base_url(state));
    let subject = if change { "Confirm your new email address".to_string() } else { format!("Confirm your address for {}", state.site().publication.name) };
    compose(state, "verify", "verify", (Some(reader_id), email, name), subject, None, Data { link, change, hours: VERIFY_HOURS })
}

// ----- registration -----

#[derive(Deserialize, Default, Serialize)]
pub struct RegisterForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    email: String,
    #[serde(default, skip_serializing)]
    password: String,
    #[serde(default, skip_serializing)]
    website: String,
}

#[derive(Serialize)]
struct RegisterCtx<'a> {
    form: &'a RegisterForm,
    errors: FieldErrors,
    policy: &'static str,
    message: Option<String>,
}

pub async fn register_form(State(state): State<AppState>, Extension(csrf): Extension<CsrfToken>) -> Reply {
    page(&state, &csrf, StatusCode::OK, "account/register.html", RegisterCtx { form: &RegisterForm::default(), errors: FieldErrors::new(), policy: REAL_NAME_POLICY, message: None })
}

pub async fn register(State(state): State<AppState>, Extension(csrf): Extension<CsrfToken>, ConnectInfo(peer): ConnectInfo<SocketAddr>, Form(f): Form<RegisterForm>) -> Reply {
    let again = |errors: FieldErrors, message: Option<String>, status: StatusCode| page(&state, &csrf, status, "account/register.html", RegisterCtx { form: &f, errors, policy: REAL_NAME_POLICY, message });
    if honeypot_tripped(&f.website) {
        return again(FieldErrors::new(), Some("This form looked automated, so it was not sent. Leave the field marked “leave empty” empty.".into()), StatusCode::UNPROCESSABLE_ENTITY);
    }
    let mut errors = FieldErrors::new();
    let name = check_real_name(&f.name).map_err(|e| errors.insert("name", e)).ok();
    let email = check_email(&f.email).map_err(|e| errors.insert("email", e)).ok();
    if let Err(e) = check_password(&f.password) {
        errors.insert("password", e);
    }
    let (Some(name), Some(email), true) = (name, email, errors.is_empty()) else {
        return again(errors, None, StatusCode::UNPROCESSABLE_ENTITY);
    };
    let ip = client_ip(&peer);
    match over_limit(&state, Action::Register, &email, &ip).await {
        Ok(()) => {}
        Err(Ok(message)) => return again(FieldErrors::new(), Some(message), StatusCode::TOO_MANY_REQUESTS),
        Err(Err(e)) => return Err(e),
    }
    let token = random_token();
    let hash = auth::hash_password(&f.password);
    let now = now_unix();
    let t = MailToken { token_hash: &token_hash(&token), purpose: "verify", email: &email, expires_at: now + VERIFY_HOURS * 3600 };
    let created = state.store().create_reader(&email, &name, &hash, now, t, |id| verification_mail(&state, id, &email, &name, &token, false)).await?;
    match created {
        Ok(reader) => {
            state.wake_mail();
            // Signed in at once, so the verification link is all that is left to do.
            let cookie = start_session(&state, reader.id).await?;
            let mut resp = notice(
                &state,
                &csrf,
                StatusCode::OK,
                Notice {
                    title: "Check your email".into(),
                    message: format!("We sent a link to {email}. Open it to confirm your address; then you can comment and subscribe to threads. The link works for {VERIFY_HOURS} hours."),
                    link: Some(("/account/".into(), "Go to your account".into())),
                    ..Default::default()
                },
            )?;
            resp.headers_mut().append(header::SET_COOKIE, cookie.parse().expect("cookie header"));
            Ok(resp)
        }
        Err(ReaderError::EmailTaken) => {
            let mut errors = FieldErrors::new();
            errors.insert("email", "An account already uses this address. Sign in, or reset your password if you forgot it.".into());
            again(errors, None, StatusCode::CONFLICT)
        }
    }
}

async fn start_session(state: &AppState, reader_id: i64) -> Result<String, AppError> {
    let token = random_token();
    let now = now_unix();
    state.store().create_reader_session(&token_hash(&token), reader_id, now, now + SESSION_DAYS * 86400).await?;
    Ok(set_cookie(READER_COOKIE, &token, Some(SESSION_DAYS * 86400), state.site().secure_cookies))
}

#[derive(Deserialize)]
pub struct TokenQuery {
    #[serde(default)]
    token: String,
}

pub async fn verify(State(state): State<AppState>, Extension(csrf): Extension<CsrfToken>, Query(q): Query<TokenQuery>) -> Reply {
    let tell_old = |old: &Reader, new_email: &str| {
        #[derive(Serialize)]
        struct Data<'a> {
            new_email: &'a str,
        }
        let data = Data { new_email };
        compose(&state, "address_changed", "address-changed", (None, &old.email, &old.name), "Your email address was changed".into(), None, data)
    };
    match state.store().verify_reader(&token_hash(&q.token), now_unix(), tell_old).await? {
        Some(Ok(reader)) => {
            state.wake_mail();
            notice(
                &state,
                &csrf,
                StatusCode::OK,
                Notice {
                    title: "Address confirmed".into(),
                    message: format!("Thank you, {}. {} is confirmed: you can now comment and subscribe to threads.", reader.name, reader.email),
                    link: Some(("/account/".into(), "Go to your account".into())),
                    ..Default::default()
                },
            )
        }
        Some(Err(ReaderError::EmailTaken)) => notice(
            &state,
            &csrf,
            StatusCode::CONFLICT,
            Notice { title: "Address already in use".into(), message: "Another account confirmed this address first, so it was not changed.".into(), ..Default::default() },
        ),
        None => notice(
            &state,
            &csrf,
            StatusCode::BAD_REQUEST,
            Notice {
                title: "This link does not work".into(),
                message: "It was already used, has expired, or was copied incompletely. Sign in and ask for a new one from your account page.".into(),
                link: Some(("/account/".into(), "Go to your account".into())),
                ..Default::default()
            },
        ),
    }
}

// ----- sign in, sign out -----

#[derive(Deserialize, Serialize, Default)]
pub struct LoginForm {
    #[serde(default)]
    email: String,
    #[serde(default, skip_serializing)]
    password: String,
    #[serde(default)]
    next: String,
}

#[derive(Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

pub async fn login_form(State(state): State<AppState>, Extension(csrf): Extension<CsrfToken>, Query(q): Query<NextQuery>) -> Reply {
    let form = LoginForm { next: reader_next(q.next.as_deref()), ..Default::default() };
    page(&state, &csrf, StatusCode::OK, "account/login.html", serde_json::json!({ "form": form, "error": null }))
}

pub async fn login(State(state): State<AppState>, Extension(csrf): Extension<CsrfToken>, ConnectInfo(peer): ConnectInfo<SocketAddr>, Form(mut f): Form<LoginForm>) -> Reply {
    f.next = reader_next(Some(&f.next));
    let cfg = &state.0.config;
    let now = now_unix();
    let email = f.email.trim().to_lowercase();
    let store = state.store();
    let retry = |error: &str, status: StatusCode| page(&state, &csrf, status, "account/login.html", serde_json::json!({ "form": &f, "error": error }));
    let (attempt, by_ip, by_email) = store.begin_login_attempt(&format!("reader-ip:{}", peer.ip()), &format!("reader-email:{email}"), now, now - cfg.login_window_secs).await?;
    let max = cfg.login_max_failures;
    if by_ip > max * 4 || (by_email > max && by_ip > 2) {
        let minutes = cfg.login_window_secs / 60;
        return retry(&format!("Too many failed sign-ins. Wait {minutes} minutes and try again, or reset your password."), StatusCode::TOO_MANY_REQUESTS);
    }
    let reader = store.reader_by_email(&email).await?;
    let ok = match &reader {
        Some(r) => auth::verify_password(&f.password, &r.password_hash),
        None => {
            auth::verify_against_dummy(&f.password);
            false
        }
    };
    let Some(reader) = reader.filter(|_| ok) else {
        return retry("That email and password do not match an account.", StatusCode::UNAUTHORIZED);
    };
    if reader.banned == 1 {
        return retry("This account has been banned for breaking the comment policy.", StatusCode::FORBIDDEN);
    }
    store.forget_login_attempt(&attempt).await?;
    let cookie = start_session(&state, reader.id).await?;
    Ok(([(header::SET_COOKIE, cookie)], Redirect::to(&f.next)).into_response())
}

pub async fn logout(State(state): State<AppState>, headers: axum::http::HeaderMap) -> Reply {
    if let Some(token) = reader_token(&headers, state.site().secure_cookies) {
        state.store().delete_reader_session(&token_hash(token)).await?;
    }
    Ok(([(header::SET_COOKIE, clear_session_cookie(READER_COOKIE, state.site().secure_cookies))], Redirect::to("/")).into_response())
}

// ----- forgotten password -----

#[derive(Deserialize, Serialize, Default)]
pub struct ForgotForm {
    #[serde(default)]
    email: String,
    #[serde(default, skip_serializing)]
    website: String,
}

pub async fn forgot_form(State(state): State<AppState>, Extension(csrf): Extension<CsrfToken>) -> Reply {
    page(&state, &csrf, StatusCode::OK, "account/forgot.html", serde_json::json!({ "form": ForgotForm::default(), "error": null }))
}

pub async fn forgot(State(state): State<AppState>, Extension(csrf): Extension<CsrfToken>, ConnectInfo(peer): ConnectInfo<SocketAddr>, Form(f): Form<ForgotForm>) -> Reply {
    if honeypot_tripped(&f.website) {
        return page(&state, &csrf, StatusCode::UNPROCESSABLE_ENTITY, "account/forgot.html", serde_json::json!({ "form": &f, "error": "This form looked automated, so it was not sent." }));
    }
    let email = match check_email(&f.email) {
        Ok(e) => e,
        Err(e) => return page(&state, &csrf, StatusCode::UNPROCESSABLE_ENTITY, "account/forgot.html", serde_json::json!({ "form": &f, "error": e })),
    };
    rate_limit(&state, Action::Mail, &email, &client_ip(&peer)).await?;
    let reader = state.store().reader_by_email(&email).await?;
    if let Some(r) = reader.filter(|r| r.banned == 0) {
        let token = random_token();
        let now = now_unix();
        #[derive(Serialize)]
        struct Data {
            link: String,
            hours: i64,
        }
        let mail = compose(&state, "reset", "reset", (Some(r.id), &r.email, &r.name), "Reset your password".into(), None, Data { link: format!("{}/account/reset?token={token}", base_url(&state)), hours: RESET_HOURS });
        let t = MailToken { token_hash: &token_hash(&token), purpose: "reset", email: &r.email, expires_at: now + RESET_HOURS * 3600 };
        state.store().send_reader_token(r.id, t, &mail, now).await?;
        state.wake_mail();
    }
    // The same answer whether or not the address has an account.
    notice(
        &state,
        &csrf,
        StatusCode::OK,
        Notice { title: "Check your email".into(), message: format!("If an account uses {email}, a link to choose a new password is on its way. It works for one hour."), ..Default::default() },
    )
}

#[derive(Deserialize)]
pub struct ResetForm {
    #[serde(default)]
    token: String,
    #[serde(default)]
    password: String,
}

pub async fn reset_form(State(state): State<AppState>, Extension(csrf): Extension<CsrfToken>, Query(q): Query<TokenQuery>) -> Reply {
    if state.store().reader_token_valid(&token_hash(&q.token), "reset", now_unix()).await? {
        page(&state, &csrf, StatusCode::OK, "account/reset.html", serde_json::json!({ "token": q.token, "error": null }))
    } else {
        bad_link(&state, &csrf)
    }
}

fn bad_link(state: &AppState, csrf: &CsrfToken) -> Reply {
    notice(
        state,
        csrf,
        StatusCode::BAD_REQUEST,
        Notice {
            title: "This link does not work".into(),
            message: "It was already used, has expired, or was copied incompletely. Ask for a new one.".into(),
            link: Some(("/account/forgot".into(), "Reset your password".into())),
            ..Default::default()
        },
    )
}

pub async fn reset(State(state): State<AppState>, Extension(csrf): Extension<CsrfToken>, Form(f): Form<ResetForm>) -> Reply {
    if let Err(e) = check_password(&f.password) {
        return page(&state, &csrf, StatusCode::UNPROCESSABLE_ENTITY, "account/reset.html", serde_json::json!({ "token": f.token, "error": e }));
    }
    match state.store().reset_reader_password(&token_hash(&f.token), &auth::hash_password(&f.password), now_unix()).await? {
        Some(reader) => {
            let cookie = start_session(&state, reader.id).await?;
            Ok(([(header::SET_COOKIE, cookie)], Redirect::to("/account/?changed=password")).into_response())
        }
        None => bad_link(&state, &csrf),
    }
}

// ----- the account page -----

#[derive(Serialize)]
struct SubscriptionView {
    id: i64,
    headline: String,
    url: String,
    since: String,
}

/// What the reader typed into the account page's forms, shown again after an error.
#[derive(Default, Clone, Copy)]
struct Typed<'a> {
    name: Option<&'a str>,
    email: Option<&'a str>,
}

#[derive(Deserialize)]
pub struct AccountQuery {
    changed: Option<String>,
}

async fn account_page(state: &AppState, csrf: &CsrfToken, reader: &Reader, status: StatusCode, errors: FieldErrors, message: Option<String>, typed: Typed<'_>) -> Reply {
    let subs = state.store().reader_subscriptions(reader.id).await?;
    let tz = state.site().tz.clone();
    let subscriptions: Vec<SubscriptionView> =
        subs.into_iter().map(|s| SubscriptionView { id: s.id, headline: s.headline, url: format!("/{}/{}/", s.section_slug, s.article_slug), since: long_date(s.created_at, &tz) }).collect();
    let settings = state.store().comment_settings().await?;
    let now = now_unix();
    page(
        state,
        csrf,
        status,
        "account/index.html",
        serde_json::json!({
            "reader": reader,
            "name": typed.name.unwrap_or(&reader.name),
            "new_email": typed.email.unwrap_or(""),
            "suspended_until": (reader.suspended_until > now).then(|| long_date(reader.suspended_until, &tz)),
            "subscriptions": subscriptions,
            "errors": errors,
            "message": message,
            "policy": REAL_NAME_POLICY,
            "deleted_comments_kept": settings.deleted_account == "keep",
        }),
    )
}

pub async fn account(State(state): State<AppState>, Extension(csrf): Extension<CsrfToken>, SignedIn(reader): SignedIn, Query(q): Query<AccountQuery>) -> Reply {
    let message = match q.changed.as_deref() {
        Some("name") => Some("Your name is changed.".to_string()),
        Some("password") => Some("Your password is changed.".to_string()),
        Some("digest") => Some("Your email preference is saved.".to_string()),
        Some("subscription") => Some("That subscription has ended.".to_string()),
        _ => None,
    };
    account_page(&state, &csrf, &reader, StatusCode::OK, FieldErrors::new(), message, Typed::default()).await
}

/// `/account/data.json`: everything the paper keeps about the signed-in reader, as one JSON
/// file to save (their account, every comment they wrote whatever became of it and the
/// address it came from, the threads they follow, the reports they made and the newsroom's
/// decisions about them), as privacy law asks. No one else's data is in it.
pub async fn data(State(state): State<AppState>, SignedIn(reader): SignedIn) -> Reply {
    let store = state.store();
    let site = state.site();
    let tz = site.tz.clone();
    let base = site.publication.base_url.trim_end_matches('/').to_string();
    let time = |t: i64| marquee_domain::time::rfc3339(t, &tz);
    let comments: Vec<serde_json::Value> = store
        .reader_comments(reader.id)
        .await?
        .into_iter()
        .map(|c| {
            serde_json::json!({
                "id": c.id,
                "article": {"id": c.article_id, "headline": c.headline, "url": format!("{base}/{}/{}/", c.section_slug, c.article_slug)},
                "in_reply_to": c.parent_id,
                "text": c.body,
                "status": c.status,
                "held_because": (!c.hold_reason.is_empty()).then_some(c.hold_reason),
                "rejected_because": (!c.reject_reason.is_empty()).then_some(c.reject_reason),
                "written": time(c.created_at),
                "edited": c.edited_at.map(time),
                "sent_from": (!c.ip.is_empty()).then_some(c.ip),
            })
        })
        .collect();
    let subscriptions: Vec<serde_json::Value> = store
        .reader_subscriptions(reader.id)
        .await?
        .into_iter()
        .map(|s| serde_json::json!({"article": {"id": s.article_id, "headline": s.headline, "url": format!("{base}/{}/{}/", s.section_slug, s.article_slug)}, "since": time(s.created_at)}))
        .collect();
    let reports: Vec<serde_json::Value> =
        store.reader_reports(reader.id).await?.into_iter().map(|(comment, reason, at)| serde_json::json!({"comment_id": comment, "reason": reason, "reported": time(at)})).collect();
    let decisions: Vec<serde_json::Value> = store
        .reader_decisions(reader.id)
        .await?
        .into_iter()
        .map(|(action, comment, detail, at)| serde_json::json!({"action": action, "comment_id": comment, "detail": detail, "when": time(at)}))
        .collect();
    let now = now_unix();
    let body = serde_json::json!({
        "format": "marquee-reader-data/1",
        "publication": {"name": site.publication.name, "url": base},
        "exported": time(now),
        "account": {
            "name": reader.name,
            "email": reader.email,
            "email_confirmed": reader.is_verified(),
            "notifications": reader.digest,
            "created": time(reader.created_at),
            "suspended_until": (reader.suspended_until > now).then(|| time(reader.suspended_until)),
            "banned": reader.banned == 1,
        },
        "comments": comments,
        "subscriptions": subscriptions,
        "reports": reports,
        "moderation": decisions,
    });
    let json = serde_json::to_string_pretty(&body).map_err(anyhow::Error::from)?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/json; charset=utf-8"),
            (header::CONTENT_DISPOSITION, "attachment; filename=\"my-account-data.json\""),
            (header::CACHE_CONTROL, "private, no-store"),
        ],
        json,
    )
        .into_response())
}

#[derive(Deserialize)]
pub struct NameForm {
    #[serde(default)]
    name: String,
}

pub async fn change_name(State(state): State<AppState>, Extension(csrf): Extension<CsrfToken>, SignedIn(reader): SignedIn, Form(f): Form<NameForm>) -> Reply {
    match check_real_name(&f.name) {
        Ok(name) => {
            state.store().rename_reader(reader.id, &name).await?;
            state.refresh_after_write().await;
            Ok(see_other("/account/?changed=name"))
        }
        Err(e) => {
            let mut errors = FieldErrors::new();
            errors.insert("name", e);
            account_page(&state, &csrf, &reader, StatusCode::UNPROCESSABLE_ENTITY, errors, None, Typed { name: Some(&f.name), ..Default::default() }).await
        }
    }
}

#[derive(Deserialize)]
pub struct EmailForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
}

/// A new address takes effect once the link sent to it is opened.
pub async fn change_email(State(state): State<AppState>, Extension(csrf): Extension<CsrfToken>, ConnectInfo(peer): ConnectInfo<SocketAddr>, SignedIn(reader): SignedIn, Form(f): Form<EmailForm>) -> Reply {
    let mut errors = FieldErrors::new();
    let email = check_email(&f.email).map_err(|e| errors.insert("email", e)).ok();
    if !auth::verify_password(&f.password, &reader.password_hash) {
        errors.insert("email_password", "That is not your current password.".into());
    }
    let Some(email) = email.filter(|_| errors.is_empty()) else {
        return account_page(&state, &csrf, &reader, StatusCode::UNPROCESSABLE_ENTITY, errors, None, Typed { email: Some(&f.email), ..Default::default() }).await;
    };
    rate_limit(&state, Action::Mail, &reader.id.to_string(), &client_ip(&peer)).await?;
    if state.store().reader_by_email(&email).await?.is_some_and(|other| other.id != reader.id) {
        errors.insert("email", "Another account uses this address.".into());
        return account_page(&state, &csrf, &reader, StatusCode::CONFLICT, errors, None, Typed { email: Some(&f.email), ..Default::default() }).await;
    }
    let token = random_token();
    let now = now_unix();
    let mail = verification_mail(&state, reader.id, &email, &reader.name, &token, email != reader.email);
    let t = MailToken { token_hash: &token_hash(&token), purpose: "verify", email: &email, expires_at: now + VERIFY_HOURS * 3600 };
    state.store().send_reader_token(reader.id, t, &mail, now).await?;
    state.wake_mail();
    let message = format!("We sent a confirmation link to {email}. Your address changes when you open it; until then we keep using {}.", reader.email);
    account_page(&state, &csrf, &reader, StatusCode::OK, FieldErrors::new(), Some(message), Typed::default()).await
}

/// Sends the verification link again, to the current address.
pub async fn resend_verification(State(state): State<AppState>, Extension(csrf): Extension<CsrfToken>, ConnectInfo(peer): ConnectInfo<SocketAddr>, SignedIn(reader): SignedIn) -> Reply {
    if reader.is_verified() {
        return Ok(see_other("/account/"));
    }
    rate_limit(&state, Action::Mail, &reader.id.to_string(), &client_ip(&peer)).await?;
    let token = random_token();
    let now = now_unix();
    let mail = verification_mail(&state, reader.id, &reader.email, &reader.name, &token, false);
    let t = MailToken { token_hash: &token_hash(&token), purpose: "verify", email: &reader.email, expires_at: now + VERIFY_HOURS * 3600 };
    state.store().send_reader_token(reader.id, t, &mail, now).await?;
    state.wake_mail();
    account_page(&state, &csrf, &reader, StatusCode::OK, FieldErrors::new(), Some(format!("A new link is on its way to {}.", reader.email)), Typed::default()).await
}

#[derive(Deserialize)]
pub struct DigestForm {
    #[serde(default)]
    digest: String,
}

pub async fn set_digest(State(state): State<AppState>, SignedIn(reader): SignedIn, Form(f): Form<DigestForm>) -> Reply {
    let digest = match f.digest.as_str() {
        "immediate" | "daily" => f.digest.as_str(),
        _ => return Err(error_page(StatusCode::UNPROCESSABLE_ENTITY, "Choose how often", "Choose “as they are approved” or “once a day”.")),
    };
    state.store().set_reader_digest(reader.id, digest).await?;
    Ok(see_other("/account/?changed=digest"))
}

pub async fn end_subscription(State(state): State<AppState>, SignedIn(reader): SignedIn, Path(id): Path<i64>) -> Reply {
    match state.store().subscription(id).await? {
        Some((owner, article_id, _)) if owner == reader.id => {
            state.store().unsubscribe(reader.id, article_id).await?;
            Ok(see_other("/account/?changed=subscription"))
        }
        _ => Err(error_page(StatusCode::NOT_FOUND, "No such subscription", "You have no subscription with that number; it may have ended already.")),
    }
}

#[derive(Deserialize)]
pub struct DeleteForm {
    #[serde(default)]
    password: String,
}

pub async fn delete_account(State(state): State<AppState>, Extension(csrf): Extension<CsrfToken>, SignedIn(reader): SignedIn, Form(f): Form<DeleteForm>) -> Reply {
    if !auth::verify_password(&f.password, &reader.password_hash) {
        let mut errors = FieldErrors::new();
        errors.insert("delete_password", "That is not your current password; the account was not deleted.".into());
        return account_page(&state, &csrf, &reader, StatusCode::UNPROCESSABLE_ENTITY, errors, None, Typed::default()).await;
    }
    let policy = if state.store().comment_settings().await?.deleted_account == "remove" { DeletedComments::Remove } else { DeletedComments::Keep };
    state.store().delete_reader(reader.id, policy).await?;
    state.refresh_after_write().await;
    let mut resp = notice(
        &state,
        &csrf,
        StatusCode::OK,
        Notice {
            title: "Your account is deleted".into(),
            message: match policy {
                DeletedComments::Keep => "Your account, subscriptions and address are gone. Your comments stay, signed “deleted account”.".into(),
                DeletedComments::Remove => "Your account, subscriptions, address and comments are gone.".into(),
            },
            ..Default::default()
        },
    )?;
    resp.headers_mut().append(header::SET_COOKIE, clear_session_cookie(READER_COOKIE, state.site().secure_cookies).parse().expect("cookie header"));
    Ok(resp)
}

// ----- one-click unsubscribe -----

/// What a checked unsubscribe link will end.
enum Ending {
    /// One thread: the reader and the article.
    Thread(i64, i64),
    /// Every thread a reader follows.
    All(i64),
    /// Nothing left to end.
    Nothing,
}

/// Reads an unsubscribe link and checks it against the address it was sent to: a genuine
/// token naming someone else's subscription, or sent to another address, is refused.
async fn unsubscribe_target(state: &AppState, csrf: &CsrfToken, token: &str) -> Result<Ending, AppError> {
    use crate::mail::UnsubscribeTarget;
    let refuse = |status: StatusCode, message: &str| refusal(state, csrf, status, Notice { title: "This unsubscribe link does not work".into(), message: message.into(), link: Some(("/account/".into(), "Manage subscriptions in your account".into())), ..Default::default() });
    let wrong_address = || refuse(StatusCode::FORBIDDEN, "It was sent to a different address than the subscription's.");
    let (target, email) = match read_unsubscribe_token(state, token) {
        Ok(x) => x,
        Err(marquee_domain::comment::TokenError::Expired) => return Err(refuse(StatusCode::GONE, "It has expired. Sign in to end the subscription from your account page.")),
        Err(_) => return Err(refuse(StatusCode::FORBIDDEN, "It is not a link this site made, or it was changed.")),
    };
    match target {
        UnsubscribeTarget::Subscription(id) => match state.store().subscription(id).await? {
            Some((_, _, address)) if address != email => Err(wrong_address()),
            Some((reader_id, article_id, _)) => Ok(Ending::Thread(reader_id, article_id)),
            None => Ok(Ending::Nothing),
        },
        UnsubscribeTarget::AllOfReader(id) => match state.store().reader_by_id(id).await? {
            Some(r) if r.email != email => Err(wrong_address()),
            Some(r) => Ok(Ending::All(r.id)),
            None => Ok(Ending::Nothing),
        },
    }
}

pub async fn unsubscribe_confirm(State(state): State<AppState>, Extension(csrf): Extension<CsrfToken>, Query(q): Query<TokenQuery>) -> Reply {
    let message = match unsubscribe_target(&state, &csrf, &q.token).await? {
        Ending::Nothing => return already_unsubscribed(&state, &csrf),
        Ending::Thread(_, article_id) => {
            let headline = state.store().article_record(article_id).await.ok().flatten().map(|a| a.headline).unwrap_or_default();
            format!("You will get no more email about new comments on “{headline}”.")
        }
        Ending::All(_) => "You will get no more email about new comments on any of the threads you follow.".to_string(),
    };
    notice(
        &state,
        &csrf,
        StatusCode::OK,
        Notice { title: "Unsubscribe?".into(), message, action: Some(format!("/unsubscribe?token={}", q.token)), button: Some("Unsubscribe".into()), ..Default::default() },
    )
}

fn already_unsubscribed(state: &AppState, csrf: &CsrfToken) -> Reply {
    notice(state, csrf, StatusCode::OK, Notice { title: "You are unsubscribed".into(), message: "You will get no more email about it.".into(), ..Default::default() })
}

/// The one-click POST (RFC 8058) from a mail program, or the confirm button. The signed token
/// is the authority, so no session or form token is needed.
pub async fn unsubscribe(State(state): State<AppState>, Extension(csrf): Extension<CsrfToken>, Query(q): Query<TokenQuery>) -> Reply {
    match unsubscribe_target(&state, &csrf, &q.token).await? {
        Ending::Nothing => {}
        Ending::Thread(reader_id, article_id) => {
            state.store().unsubscribe(reader_id, article_id).await?;
        }
        Ending::All(reader_id) => {
            state.store().unsubscribe_all(reader_id).await?;
        }
    }
    already_unsubscribed(&state, &csrf)
}

//! The newsroom at `/admin/`. This file is its frame: sign-in, the layout every desk's page
//! shares, and the place form that theaters and venues share. Each desk is a file of its own
//! and may use this frame, never another desk.

use crate::auth::{self, Staff};
use crate::cookies::{clear_session_cookie, random_token, session_cookie, staff_token, token_hash, SESSION_COOKIE, SESSION_DAYS};
use crate::csrf::CsrfToken;
use crate::respond::{private_page, Reply};
use crate::state::AppState;
use axum::extract::{ConnectInfo, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect};
use axum::{Extension, Form};
use marquee_domain::time::now_unix;
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

/// A newsroom page: private to the person signed in, never cached.
pub(crate) fn page<S: Serialize>(state: &AppState, status: StatusCode, template: &str, ctx: S) -> Reply {
    private_page(state, status, template, ctx)
}

/// What an editor page says after a save (`?saved=1`) or a restore (`?restored=3`).
#[derive(Deserialize)]
pub struct EditQuery {
    pub saved: Option<String>,
    pub restored: Option<i64>,
    /// An image was uploaded from the article editor (its content key)...
    pub uploaded: Option<String>,
    /// ...or refused, with this message.
    pub upload_error: Option<String>,
}


/// The notice above a form that was sent back to be corrected.
pub(crate) const NOT_SAVED: &str = "Nothing was saved. Please correct the fields marked below.";

pub mod articles;
pub mod events;
pub mod feeds;
pub mod films;
pub mod integrations;
pub mod media;
pub mod moderation;
pub mod network;
pub mod reports;
pub mod settings;
pub mod staff;

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

pub async fn login_form(State(state): State<AppState>, Extension(csrf): Extension<CsrfToken>, Query(q): Query<NextQuery>) -> Reply {
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
) -> Reply {
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
    let (attempt, by_ip, by_email) = store.begin_login_attempt(&ip_key, &email_key, now, since).await?;
    // An address that keeps failing is stopped; an account under attack stays open to an
    // address with (almost) no failures, so guessing cannot lock its owner out.
    let max = cfg.login_max_failures;
    if by_ip > max * 4 || (by_email > max && by_ip > 2) {
        let minutes = cfg.login_window_secs / 60;
        return retry(&format!("Too many failed sign-ins. Wait {minutes} minutes and try again."), StatusCode::TOO_MANY_REQUESTS);
    }
    let user = store.user_by_email(&email).await?;
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
    store.forget_login_attempt(&attempt).await?;
    let token = random_token();
    store.create_session(&token_hash(&token), user.id, now, now + SESSION_DAYS * 86400).await?;
    let cookie = session_cookie(SESSION_COOKIE, &token, state.site().secure_cookies);
    Ok(([(header::SET_COOKIE, cookie)], Redirect::to(&safe_next(f.next.as_deref()))).into_response())
}

pub async fn logout(State(state): State<AppState>, headers: axum::http::HeaderMap) -> Reply {
    if let Some(token) = staff_token(&headers, state.site().secure_cookies) {
        state.store().delete_session(&token_hash(token)).await?;
    }
    Ok(([(header::SET_COOKIE, clear_session_cookie(SESSION_COOKIE, state.site().secure_cookies))], Redirect::to("/admin/login")).into_response())
}


// ----- places (theaters and venues) -----


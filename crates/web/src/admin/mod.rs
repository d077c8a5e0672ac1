//! The newsroom at `/admin/`. This file is its frame: sign-in, the layout every desk's page
//! shares, and the place form that theaters and venues share. Each desk is a file of its own
//! and may use this frame, never another desk.

use crate::auth::{self, Staff};
use crate::cookies::{clear_session_cookie, cookie, random_token, session_cookie, token_hash, SESSION_COOKIE, SESSION_DAYS};
use crate::csrf::CsrfToken;
use crate::respond::{private_page, Reply};
use crate::state::AppState;
use axum::extract::{ConnectInfo, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect};
use axum::{Extension, Form};
use marquee_domain::time::now_unix;
use marquee_domain::FieldErrors;
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
}


/// The notice above a form that was sent back to be corrected.
pub(crate) const NOT_SAVED: &str = "Nothing was saved. Please correct the fields marked below.";

pub mod articles;
pub mod events;
pub mod feeds;
pub mod films;
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
    let cookie = session_cookie(&token, state.site().secure_cookies);
    Ok(([(header::SET_COOKIE, cookie)], Redirect::to(&safe_next(f.next.as_deref()))).into_response())
}

pub async fn logout(State(state): State<AppState>, headers: axum::http::HeaderMap) -> Reply {
    if let Some(token) = cookie(&headers, SESSION_COOKIE) {
        state.store().delete_session(&token_hash(token)).await?;
    }
    Ok(([(header::SET_COOKIE, clear_session_cookie(state.site().secure_cookies))], Redirect::to("/admin/login")).into_response())
}


// ----- places (theaters and venues) -----

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


//! Staff and authors: author profiles (editors), staff accounts and their roles (admins).

use super::{admin_layout, page, AdminLayout, NOT_SAVED};
use crate::auth::{self, check_email, check_password, Staff};
use crate::csrf::CsrfToken;
use crate::respond::{error_page, see_other, Reply};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::{Extension, Form};
use marquee_domain::time::now_unix;
use marquee_domain::{slugify, FieldErrors, Role};
use serde::{Deserialize, Serialize};

// ----- authors (editors) -----

#[derive(Deserialize)]
pub struct AuthorForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    bio: String,
}

pub async fn authors(State(state): State<AppState>, staff: Staff, Extension(csrf): Extension<CsrfToken>) -> Reply {
    staff.must_be_editor("Only editors manage author profiles.")?;
    let list = state.store().authors().await?;
    #[derive(Serialize)]
    struct Ctx {
        admin: AdminLayout,
        authors: Vec<marquee_store::Author>,
    }
    page(&state, StatusCode::OK, "admin/authors.html", Ctx { admin: admin_layout(&state, &staff, &csrf), authors: list })
}

pub async fn update_author(State(state): State<AppState>, staff: Staff, Path(id): Path<i64>, Form(f): Form<AuthorForm>) -> Reply {
    staff.must_be_editor("Only editors manage author profiles.")?;
    let name = f.name.trim();
    if name.is_empty() || name.chars().count() > 120 || f.bio.chars().count() > 2000 {
        return Err(error_page(StatusCode::UNPROCESSABLE_ENTITY, "Author not saved", "A name (up to 120 characters) is required, and a bio can be at most 2,000 characters. Go back to keep what you typed."));
    }
    state.store().update_author(id, name, f.bio.trim()).await?;
    state.refresh_after_write().await;
    Ok(see_other("/admin/authors"))
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

async fn users_page(state: &AppState, staff: &Staff, csrf: &CsrfToken, status: StatusCode, form: NewUserForm, errors: FieldErrors, message: Option<String>) -> Reply {
    let users = state.store().users().await?;
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

pub async fn users(State(state): State<AppState>, staff: Staff, Extension(csrf): Extension<CsrfToken>) -> Reply {
    staff.must_be_admin("Only admins manage staff accounts.")?;
    users_page(&state, &staff, &csrf, StatusCode::OK, NewUserForm { role: "contributor".into(), ..Default::default() }, FieldErrors::new(), None).await
}

/// Checks a new staff account; shared by the admin form and `marquee user add`.
pub fn validate_new_user(email: &str, name: &str, role: &str, password: &str) -> FieldErrors {
    let mut errors = FieldErrors::new();
    if let Err(e) = check_email(email) {
        errors.insert("email", e);
    }
    if name.trim().is_empty() || name.trim().chars().count() > 120 {
        errors.insert("name", "A name of up to 120 characters is required.".into());
    }
    if Role::parse(role).is_none() {
        errors.insert("role", "Choose contributor, editor or admin.".into());
    }
    if let Err(e) = check_password(password) {
        errors.insert("password", e);
    }
    errors
}

pub async fn add_user(State(state): State<AppState>, staff: Staff, Extension(csrf): Extension<CsrfToken>, Form(f): Form<NewUserForm>) -> Reply {
    staff.must_be_admin("Only admins manage staff accounts.")?;
    let mut errors = validate_new_user(&f.email, &f.name, &f.role, &f.password);
    if errors.is_empty() {
        let hash = auth::hash_password(&f.password);
        let role = Role::parse(&f.role).unwrap_or(Role::Contributor);
        let new = marquee_store::NewUser { email: &f.email, name: f.name.trim(), password_hash: &hash, role: role.as_str(), now: now_unix() };
        match state.store().create_user(new, &slugify(&f.name)).await? {
            Ok(u) => {
                state.refresh_after_write().await;
                let msg = Some(format!("Added {} as {}.", u.name, u.role));
                return users_page(&state, &staff, &csrf, StatusCode::OK, NewUserForm { role: "contributor".into(), ..Default::default() }, FieldErrors::new(), msg).await;
            }
            Err(_) => {
                errors.insert("email", "A staff account with this email already exists.".into());
            }
        }
    }
    users_page(&state, &staff, &csrf, StatusCode::UNPROCESSABLE_ENTITY, f, errors, Some(NOT_SAVED.into())).await
}

#[derive(Deserialize)]
pub struct UserAccessForm {
    #[serde(default)]
    role: String,
    #[serde(default)]
    active: Option<String>,
}

pub async fn update_user(State(state): State<AppState>, staff: Staff, Path(id): Path<i64>, Form(f): Form<UserAccessForm>) -> Reply {
    staff.must_be_admin("Only admins manage staff accounts.")?;
    let Some(role) = Role::parse(&f.role) else {
        return Err(error_page(StatusCode::UNPROCESSABLE_ENTITY, "Not saved", "Choose contributor, editor or admin."));
    };
    if id == staff.user.id && (role != Role::Admin || f.active.is_none()) {
        return Err(error_page(StatusCode::UNPROCESSABLE_ENTITY, "Not saved", "You cannot remove your own admin rights or deactivate yourself; ask another admin."));
    }
    state.store().set_user_access(id, role.as_str(), f.active.is_some()).await?;
    Ok(see_other("/admin/users"))
}


//! Who is asking: argon2id password hashes and the rules for addresses and passwords; the
//! `Staff` extractor (a newsroom session) and the readers' `Viewer` and `SignedIn` extractors.
//! Sessions live in the database, which keeps only the SHA-256 of the token in the cookie.

use crate::cookies::{reader_token, staff_token, token_hash};
use crate::respond::{forbidden, AppError};
use crate::state::AppState;
use crate::views::url_encode;
use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect};
use marquee_domain::time::now_unix;
use marquee_domain::Role;
use marquee_store::{Reader, User};

pub fn hash_password(password: &str) -> String {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default().hash_password(password.as_bytes(), &salt).expect("argon2 hashing").to_string()
}

pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).map(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok()).unwrap_or(false)
}

/// Checks a password against a hash that can never match, so that a sign-in for an unknown
/// account costs the same time as one for a real account.
pub fn verify_against_dummy(password: &str) {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let hash = DUMMY.get_or_init(|| hash_password(&crate::cookies::random_token()));
    let _ = verify_password(password, hash);
}

/// A signed-in, active staff member.
#[derive(Clone)]
pub struct Staff {
    pub user: User,
    pub role: Role,
}

impl Staff {
    pub fn can_edit(&self, created_by: Option<i64>, status: &str) -> bool {
        self.role.can_edit_others() || (created_by == Some(self.user.id) && status == "draft")
    }

    /// Editors and admins pass; a contributor is refused with 403 and `why`.
    pub fn must_be_editor(&self, why: &'static str) -> Result<(), AppError> {
        if self.role.can_edit_others() {
            Ok(())
        } else {
            Err(forbidden(why))
        }
    }

    /// Admins pass; anyone else is refused with 403 and `why`.
    pub fn must_be_admin(&self, why: &'static str) -> Result<(), AppError> {
        if self.role.can_administer() {
            Ok(())
        } else {
            Err(forbidden(why))
        }
    }
}

impl FromRequestParts<AppState> for Staff {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let to_login = || {
            let next = parts.uri.path_and_query().map(|p| p.as_str()).unwrap_or("/admin/");
            AppError::Response(Redirect::to(&format!("/admin/login?next={}", url_encode(next))).into_response())
        };
        let Some(token) = staff_token(&parts.headers, state.site().secure_cookies) else { return Err(to_login()) };
        let user = state.store().session_user(&token_hash(token), now_unix()).await?;
        match user {
            Some(user) => {
                let role = Role::parse(&user.role).unwrap_or(Role::Contributor);
                Ok(Staff { user, role })
            }
            None => Err(to_login()),
        }
    }
}

// ----- readers -----

/// The signed-in reader, if any; never refuses a request.
pub struct Viewer(pub Option<Reader>);

impl FromRequestParts<AppState> for Viewer {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let Some(token) = reader_token(&parts.headers, state.site().secure_cookies) else { return Ok(Viewer(None)) };
        let reader = state.store().session_reader(&token_hash(token), now_unix()).await?;
        Ok(Viewer(reader))
    }
}

/// A signed-in reader; others are sent to the sign-in page and brought back afterwards.
pub struct SignedIn(pub Reader);

impl FromRequestParts<AppState> for SignedIn {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        match Viewer::from_request_parts(parts, state).await?.0 {
            Some(r) => Ok(SignedIn(r)),
            None => {
                // After a POST, come back to the page the form was on: an article's comment
                // forms name their article in the address; others go by the Referer.
                let back = if parts.method == axum::http::Method::GET {
                    parts.uri.path_and_query().map(|p| p.as_str().to_string())
                } else {
                    crate::views::article_of_comment_form(parts.uri.path()).map(|a| format!("{a}/#comments")).or_else(|| {
                        parts.headers.get(header::REFERER).and_then(|v| v.to_str().ok()).and_then(|r| r.split_once("://").and_then(|(_, rest)| rest.find('/').map(|i| rest[i..].to_string())))
                    })
                };
                let next = reader_next(back.as_deref());
                Err(AppError::Response(Redirect::to(&format!("/account/login?next={}", url_encode(&next))).into_response()))
            }
        }
    }
}

/// A local path to return to after signing in; anything else becomes the account page.
pub fn reader_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') && !n.chars().any(char::is_control) && n.len() < 500 && !n.starts_with("/admin") => n.to_string(),
        _ => "/account/".to_string(),
    }
}

pub fn check_email(email: &str) -> Result<String, String> {
    let email = email.trim().to_lowercase();
    let ok = email.len() <= 254
        && email.split('@').count() == 2
        && email.split('@').all(|p| !p.is_empty())
        && email.rsplit('@').next().is_some_and(|d| d.contains('.') && !d.starts_with('.') && !d.ends_with('.'))
        && !email.contains(|c: char| c.is_whitespace() || c.is_control() || "<>()[],;:\\\"".contains(c));
    if ok {
        Ok(email)
    } else {
        Err("Enter an email address such as name@example.org.".into())
    }
}

pub fn check_password(password: &str) -> Result<(), String> {
    if password.chars().count() < 10 || password.len() > 1024 {
        Err("A password needs at least 10 characters.".into())
    } else {
        Ok(())
    }
}

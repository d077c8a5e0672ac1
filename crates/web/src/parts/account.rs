//! The frame of readers' own pages (sign-in, registration, their account): the site's layout
//! with the form token, and the short notice page with one message and, optionally, a button.

use crate::csrf::CsrfToken;
use crate::respond::{private_page, AppError, Reply};
use crate::state::AppState;
use crate::views::Layout;
use axum::http::StatusCode;
use serde::Serialize;

#[derive(Serialize)]
pub struct Page<'a, T: Serialize> {
    layout: Layout,
    csrf: &'a str,
    #[serde(flatten)]
    data: T,
}

/// A reader's page: the layout, the form token and `data`, never cached.
pub fn page<T: Serialize>(state: &AppState, csrf: &CsrfToken, status: StatusCode, template: &str, data: T) -> Reply {
    let site = state.site();
    private_page(state, status, template, Page { layout: Layout::new(&site, None), csrf: csrf.value(), data })
}

/// A short page with a message and, optionally, one button.
#[derive(Serialize, Default)]
pub struct Notice {
    pub title: String,
    pub message: String,
    pub link: Option<(String, String)>,
    pub action: Option<String>,
    pub button: Option<String>,
}

pub fn notice(state: &AppState, csrf: &CsrfToken, status: StatusCode, n: Notice) -> Reply {
    page(state, csrf, status, "account/notice.html", n)
}

/// A notice as the answer to a request that was refused (for a handler's `?`).
pub fn refusal(state: &AppState, csrf: &CsrfToken, status: StatusCode, n: Notice) -> AppError {
    match notice(state, csrf, status, n) {
        Ok(resp) => AppError::Response(resp),
        Err(e) => e,
    }
}

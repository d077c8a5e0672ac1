//! Feeds (editors): uploading films, theaters, showtimes and events, with the same imports as
//! `marquee import ...`.

use super::{admin_layout, page, AdminLayout};
use crate::auth::Staff;
use crate::csrf::CsrfToken;
use crate::respond::{not_found, Reply};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Extension;
use serde::Serialize;

// ----- feeds (editors) -----

async fn feeds_page(state: &AppState, staff: &Staff, csrf: &CsrfToken, status: StatusCode, message: Option<String>, report: Vec<String>) -> Reply {
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

pub async fn feeds(State(state): State<AppState>, staff: Staff, Extension(csrf): Extension<CsrfToken>) -> Reply {
    staff.must_be_editor("Only editors load feeds.")?;
    feeds_page(&state, &staff, &csrf, StatusCode::OK, None, Vec::new()).await
}

/// `POST /admin/feeds/{films|theaters|showtimes|events}` with a file: the same imports as
/// `marquee import ...`, with the same all-or-nothing checks for theaters, showtimes and events.
pub async fn upload_feed(State(state): State<AppState>, staff: Staff, Extension(csrf): Extension<CsrfToken>, Path(kind): Path<String>, mut form: axum::extract::Multipart) -> Reply {
    staff.must_be_editor("Only editors load feeds.")?;
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
        _ => return Err(not_found()),
    };
    match outcome {
        Ok((summary, lines)) => {
            state.refresh_after_write().await;
            feeds_page(&state, &staff, &csrf, StatusCode::OK, Some(summary), lines).await
        }
        Err(e) => {
            let lines: Vec<String> = e.to_string().lines().map(|l| l.trim().to_string()).collect();
            feeds_page(&state, &staff, &csrf, StatusCode::UNPROCESSABLE_ENTITY, Some("Nothing was imported.".into()), lines).await
        }
    }
}


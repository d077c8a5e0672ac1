//! Films and theaters (editors): finding, adding and correcting films and their credits, and
//! the theaters showtimes feeds refer to.

use super::{admin_layout, page, AdminLayout, EditQuery, NOT_SAVED};
use crate::forms::{FilmForm, PlaceForm};
use crate::auth::Staff;
use crate::csrf::CsrfToken;
use crate::respond::{not_found, see_other, Reply};
use crate::state::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::{Extension, Form};
use marquee_domain::time::now_unix;
use marquee_domain::FieldErrors;
use serde::{Deserialize, Serialize};

// ----- films and theaters (editors) -----

#[derive(Deserialize)]
pub struct SearchQuery {
    q: Option<String>,
}

pub async fn films(State(state): State<AppState>, staff: Staff, Extension(csrf): Extension<CsrfToken>, Query(q): Query<SearchQuery>) -> Reply {
    staff.must_be_editor("Only editors manage films.")?;
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

async fn film_page(state: &AppState, staff: &Staff, csrf: &CsrfToken, status: StatusCode, id: Option<i64>, slug: Option<String>, form: FilmForm, errors: FieldErrors, message: Option<String>) -> Reply {
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

pub async fn new_film(State(state): State<AppState>, staff: Staff, Extension(csrf): Extension<CsrfToken>) -> Reply {
    staff.must_be_editor("Only editors manage films.")?;
    film_page(&state, &staff, &csrf, StatusCode::OK, None, None, FilmForm::default(), FieldErrors::new(), None).await
}

pub async fn edit_film(State(state): State<AppState>, staff: Staff, Extension(csrf): Extension<CsrfToken>, Path(id): Path<i64>, Query(q): Query<EditQuery>) -> Reply {
    staff.must_be_editor("Only editors manage films.")?;
    let Ok(Some(film)) = state.store().film_by_id(id).await else { return Err(not_found()) };
    let credits = state.store().credits(id).await.unwrap_or_default();
    let message = q.saved.map(|_| "Saved.".to_string());
    film_page(&state, &staff, &csrf, StatusCode::OK, Some(id), Some(film.slug.clone()), FilmForm::from_film(&film, &credits), FieldErrors::new(), message).await
}

pub async fn save_film(State(state): State<AppState>, staff: Staff, Extension(csrf): Extension<CsrfToken>, id: Option<Path<i64>>, Form(form): Form<FilmForm>) -> Reply {
    staff.must_be_editor("Only editors manage films.")?;
    let id = id.map(|Path(i)| i);
    let record = match form.record() {
        Ok(r) => r,
        Err(errors) => {
            return film_page(&state, &staff, &csrf, StatusCode::UNPROCESSABLE_ENTITY, id, None, form, errors, Some(NOT_SAVED.into())).await;
        }
    };
    match state.store().save_film(id, &record, now_unix()).await? {
        Ok(saved) => {
            state.refresh_after_write().await;
            Ok(see_other(&format!("/admin/films/{saved}?saved=1")))
        }
        Err(msg) => {
            let mut errors = FieldErrors::new();
            errors.insert("title", msg);
            film_page(&state, &staff, &csrf, StatusCode::UNPROCESSABLE_ENTITY, id, None, form, errors, Some("Nothing was saved.".into())).await
        }
    }
}

pub async fn theaters(State(state): State<AppState>, staff: Staff, Extension(csrf): Extension<CsrfToken>) -> Reply {
    staff.must_be_editor("Only editors manage theaters.")?;
    theaters_page(&state, &staff, &csrf, StatusCode::OK, PlaceForm { time_zone: state.site().publication.time_zone.clone(), ..Default::default() }, FieldErrors::new(), None).await
}

async fn theaters_page(state: &AppState, staff: &Staff, csrf: &CsrfToken, status: StatusCode, form: PlaceForm, errors: FieldErrors, message: Option<String>) -> Reply {
    let list = state.store().theaters().await?;
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
pub async fn save_theater(State(state): State<AppState>, staff: Staff, Extension(csrf): Extension<CsrfToken>, Form(f): Form<PlaceForm>) -> Reply {
    staff.must_be_editor("Only editors manage theaters.")?;
    let record = match f.check_theater() {
        Ok(r) => r,
        Err(errors) => return theaters_page(&state, &staff, &csrf, StatusCode::UNPROCESSABLE_ENTITY, f, errors, Some(NOT_SAVED.into())).await,
    };
    state.store().upsert_theater(&record).await?;
    state.refresh_after_write().await;
    let msg = Some(format!("Saved {}.", record.name));
    theaters_page(&state, &staff, &csrf, StatusCode::OK, PlaceForm { time_zone: record.time_zone, ..Default::default() }, FieldErrors::new(), msg).await
}


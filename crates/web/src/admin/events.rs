//! The newsroom's events and venues (`/admin/events`, `/admin/venues`), for editors and
//! admins: lists, add and edit forms that keep what was typed when something is wrong, and
//! deleting an event after a confirmation.

use super::{admin_layout, page, AdminLayout, NOT_SAVED};
use crate::forms::{event_record, EventForm, PlaceForm};
use crate::auth::Staff;
use crate::csrf::CsrfToken;
use crate::event_view::EventView;
use crate::respond::{not_found, see_other, AppError, Reply};
use crate::state::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::{Extension, Form};
use marquee_domain::event::Category;
use marquee_domain::time::now_unix;
use marquee_domain::FieldErrors;
use marquee_store::{Venue, EVENT_CURSOR_START};
use serde::{Deserialize, Serialize};

const UPCOMING_PER_PAGE: i64 = 100;
const PAST_LISTED: i64 = 30;

/// For editors only: the row `load` finds, or the refusal or 404 to answer with. The row is
/// looked up only after the role is checked.
async fn editor_row<T>(_state: &AppState, staff: &Staff, load: impl std::future::Future<Output = marquee_store::Result<Option<T>>>) -> Result<T, AppError> {
    staff.must_be_editor("Only editors manage events and venues.")?;
    match load.await? {
        Some(row) => Ok(row),
        None => Err(not_found()),
    }
}

#[derive(Deserialize)]
pub struct ListQuery {
    /// The keyset cursor "STARTS_AT.ID" of the last event on the previous page.
    after: Option<String>,
    deleted: Option<String>,
}

/// `/admin/events`: what is coming (in pages), what just happened, and the venues' link.
pub async fn events(State(state): State<AppState>, staff: Staff, Extension(csrf): Extension<CsrfToken>, Query(q): Query<ListQuery>) -> Reply {
    staff.must_be_editor("Only editors manage events and venues.")?;
    let after = q.after.as_deref().and_then(|a| a.split_once('.')).and_then(|(s, i)| Some((s.parse().ok()?, i.parse().ok()?))).unwrap_or(EVENT_CURSOR_START);
    let now = now_unix();
    let store = state.store();
    let upcoming = store.upcoming_events(now, after, UPCOMING_PER_PAGE).await?;
    let past = if after == EVENT_CURSOR_START { store.past_events(now, PAST_LISTED).await.unwrap_or_default() } else { Vec::new() };
    #[derive(Serialize)]
    struct Ctx {
        admin: AdminLayout,
        upcoming: Vec<EventView>,
        past: Vec<EventView>,
        later_url: Option<String>,
        first_page: bool,
        venues: usize,
        message: Option<String>,
    }
    let later_url = (upcoming.len() as i64 == UPCOMING_PER_PAGE).then(|| upcoming.last().map(|c| format!("/admin/events?after={}.{}", c.starts_at, c.id))).flatten();
    let ctx = Ctx {
        admin: admin_layout(&state, &staff, &csrf),
        upcoming: EventView::list(&upcoming),
        past: EventView::list(&past),
        later_url,
        first_page: after == EVENT_CURSOR_START,
        venues: store.venues().await.map(|v| v.len()).unwrap_or(0),
        message: q.deleted.map(|_| "The event was deleted.".to_string()),
    };
    page(&state, StatusCode::OK, "admin/events.html", ctx)
}

#[derive(Serialize)]
struct Choice {
    value: String,
    label: String,
}

#[allow(clippy::too_many_arguments)]
async fn event_page(state: &AppState, staff: &Staff, csrf: &CsrfToken, status: StatusCode, id: Option<i64>, live_url: Option<String>, form: EventForm, errors: FieldErrors, message: Option<String>) -> Reply {
    let venues = state.store().venues().await?;
    #[derive(Serialize)]
    struct Ctx {
        admin: AdminLayout,
        id: Option<i64>,
        live_url: Option<String>,
        form: EventForm,
        errors: FieldErrors,
        message: Option<String>,
        venues: Vec<Choice>,
        categories: Vec<Choice>,
    }
    let ctx = Ctx {
        admin: admin_layout(state, staff, csrf),
        id,
        live_url,
        form,
        errors,
        message,
        venues: venues.iter().map(|v| Choice { value: v.id.to_string(), label: venue_label(v) }).collect(),
        categories: Category::ALL.iter().map(|c| Choice { value: c.as_str().into(), label: c.label().into() }).collect(),
    };
    page(state, status, "admin/event.html", ctx)
}

/// "Lakeside Hall, Oakland (America/Los_Angeles)": venues may share a name, and the zone says
/// how the times are read.
fn venue_label(v: &Venue) -> String {
    if v.city.is_empty() {
        format!("{} ({})", v.name, v.time_zone)
    } else {
        format!("{}, {} ({})", v.name, v.city, v.time_zone)
    }
}

pub async fn new_event(State(state): State<AppState>, staff: Staff, Extension(csrf): Extension<CsrfToken>) -> Reply {
    staff.must_be_editor("Only editors manage events and venues.")?;
    event_page(&state, &staff, &csrf, StatusCode::OK, None, None, EventForm::default(), FieldErrors::new(), None).await
}

#[derive(Deserialize)]
pub struct EditQuery {
    saved: Option<String>,
}

pub async fn edit_event(State(state): State<AppState>, staff: Staff, Extension(csrf): Extension<CsrfToken>, Path(id): Path<i64>, Query(q): Query<EditQuery>) -> Reply {
    let d = editor_row(&state, &staff, state.store().event(id)).await?;
    let live_url = Some(format!("/events/{}/", d.event.card.slug));
    event_page(&state, &staff, &csrf, StatusCode::OK, Some(id), live_url, EventForm::from_event(&d), FieldErrors::new(), q.saved.map(|_| "Saved.".to_string())).await
}

/// Adds an event (`/admin/events/new`) or saves one (`/admin/events/{id}`).
pub async fn save_event(State(state): State<AppState>, staff: Staff, Extension(csrf): Extension<CsrfToken>, id: Option<Path<i64>>, Form(form): Form<EventForm>) -> Reply {
    staff.must_be_editor("Only editors manage events and venues.")?;
    let id = id.map(|Path(i)| i);
    let record = match event_record(&state, &form).await? {
        Ok(r) => r,
        Err(errors) => return event_page(&state, &staff, &csrf, StatusCode::UNPROCESSABLE_ENTITY, id, None, form, errors, Some(NOT_SAVED.into())).await,
    };
    match state.store().save_event(id, &record, now_unix()).await? {
        Ok(saved) => {
            state.refresh_after_write().await;
            Ok(see_other(&format!("/admin/events/{saved}?saved=1")))
        }
        Err(msg) => {
            let mut errors = FieldErrors::new();
            errors.insert("slug", msg);
            event_page(&state, &staff, &csrf, StatusCode::UNPROCESSABLE_ENTITY, id, None, form, errors, Some(NOT_SAVED.into())).await
        }
    }
}

/// `GET /admin/events/{id}/delete`: asks before deleting.
pub async fn confirm_delete(State(state): State<AppState>, staff: Staff, Extension(csrf): Extension<CsrfToken>, Path(id): Path<i64>) -> Reply {
    let d = editor_row(&state, &staff, state.store().event(id)).await?;
    #[derive(Serialize)]
    struct Ctx {
        admin: AdminLayout,
        id: i64,
        event: EventView,
        message: Option<String>,
    }
    page(&state, StatusCode::OK, "admin/event_delete.html", Ctx { admin: admin_layout(&state, &staff, &csrf), id, event: EventView::new(&d.event.card), message: None })
}

pub async fn delete_event(State(state): State<AppState>, staff: Staff, Path(id): Path<i64>) -> Reply {
    staff.must_be_editor("Only editors manage events and venues.")?;
    match state.store().delete_event(id).await? {
        true => {
            state.refresh_after_write().await;
            Ok(see_other("/admin/events?deleted=1"))
        }
        false => Err(not_found()),
    }
}

// ----- venues -----

async fn venues_page(state: &AppState, staff: &Staff, csrf: &CsrfToken, status: StatusCode, id: Option<i64>, form: PlaceForm, errors: FieldErrors, message: Option<String>) -> Reply {
    let list = state.store().venues().await?;
    #[derive(Serialize)]
    struct Ctx {
        admin: AdminLayout,
        venues: Vec<Venue>,
        id: Option<i64>,
        form: PlaceForm,
        errors: FieldErrors,
        message: Option<String>,
    }
    page(state, status, "admin/venues.html", Ctx { admin: admin_layout(state, staff, csrf), venues: list, id, form, errors, message })
}

/// `/admin/venues`: every venue, and a form to add one.
pub async fn venues(State(state): State<AppState>, staff: Staff, Extension(csrf): Extension<CsrfToken>) -> Reply {
    staff.must_be_editor("Only editors manage events and venues.")?;
    let form = PlaceForm { time_zone: state.site().publication.time_zone.clone(), ..Default::default() };
    venues_page(&state, &staff, &csrf, StatusCode::OK, None, form, FieldErrors::new(), None).await
}

/// `/admin/venues/{id}`: the list, with the form filled in to change this venue.
pub async fn edit_venue(State(state): State<AppState>, staff: Staff, Extension(csrf): Extension<CsrfToken>, Path(id): Path<i64>, Query(q): Query<EditQuery>) -> Reply {
    let v = editor_row(&state, &staff, state.store().venue(id)).await?;
    let form = PlaceForm {
        external_id: v.external_id.clone().unwrap_or_default(),
        name: v.name.clone(),
        address: v.address.clone(),
        city: v.city.clone(),
        state: v.state.clone(),
        postal_code: v.postal_code.clone(),
        position: v.latitude.zip(v.longitude).map(|(a, b)| format!("{a}, {b}")).unwrap_or_default(),
        time_zone: v.time_zone.clone(),
        url: v.url.clone(),
    };
    venues_page(&state, &staff, &csrf, StatusCode::OK, Some(id), form, FieldErrors::new(), q.saved.map(|_| format!("Saved {}.", v.name))).await
}

/// Adds a venue (`POST /admin/venues`) or saves one (`POST /admin/venues/{id}`).
pub async fn save_venue(State(state): State<AppState>, staff: Staff, Extension(csrf): Extension<CsrfToken>, id: Option<Path<i64>>, Form(f): Form<PlaceForm>) -> Reply {
    staff.must_be_editor("Only editors manage events and venues.")?;
    let id = id.map(|Path(i)| i);
    let record = match f.check(false) {
        Ok(r) => r,
        Err(errors) => return venues_page(&state, &staff, &csrf, StatusCode::UNPROCESSABLE_ENTITY, id, f, errors, Some(NOT_SAVED.into())).await,
    };
    match state.store().save_venue(id, &record).await? {
        Ok(saved) => {
            state.refresh_after_write().await;
            Ok(see_other(&format!("/admin/venues/{saved}?saved=1")))
        }
        Err(msg) => {
            let mut errors = FieldErrors::new();
            errors.insert("external_id", msg);
            venues_page(&state, &staff, &csrf, StatusCode::UNPROCESSABLE_ENTITY, id, f, errors, Some(NOT_SAVED.into())).await
        }
    }
}

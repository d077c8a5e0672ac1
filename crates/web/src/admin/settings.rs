//! Sections and the publication's settings (admins).

use super::{admin_layout, page, AdminLayout, NOT_SAVED};
use crate::forms::parse_location;
use crate::auth::Staff;
use crate::csrf::CsrfToken;
use crate::respond::{see_other, Reply};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::{Extension, Form};
use marquee_domain::{slugify, validate_slug, FieldErrors, RESERVED_SECTION_SLUGS};
use serde::{Deserialize, Serialize};

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

async fn sections_page(state: &AppState, staff: &Staff, csrf: &CsrfToken, status: StatusCode, form: SectionForm, errors: FieldErrors, message: Option<String>) -> Reply {
    #[derive(Serialize)]
    struct Ctx {
        admin: AdminLayout,
        sections: Vec<marquee_store::Section>,
        form: SectionForm,
        errors: FieldErrors,
        message: Option<String>,
    }
    let sections = state.store().sections().await?;
    page(state, status, "admin/sections.html", Ctx { admin: admin_layout(state, staff, csrf), sections, form, errors, message })
}

pub async fn sections(State(state): State<AppState>, staff: Staff, Extension(csrf): Extension<CsrfToken>) -> Reply {
    staff.must_be_admin("Only admins manage sections.")?;
    sections_page(&state, &staff, &csrf, StatusCode::OK, SectionForm::default(), FieldErrors::new(), None).await
}

pub async fn add_section(State(state): State<AppState>, staff: Staff, Extension(csrf): Extension<CsrfToken>, Form(mut f): Form<SectionForm>) -> Reply {
    staff.must_be_admin("Only admins manage sections.")?;
    let (mut errors, position) = validate_section(&mut f);
    if errors.is_empty() {
        match state.store().create_section(&f.slug, f.name.trim(), f.description.trim(), position).await? {
            Some(_) => {
                state.refresh_after_write().await;
                return sections_page(&state, &staff, &csrf, StatusCode::OK, SectionForm::default(), FieldErrors::new(), Some(format!("Added the section {}.", f.name.trim()))).await;
            }
            None => {
                errors.insert("slug", "Another section already uses this slug.".into());
            }
        }
    }
    sections_page(&state, &staff, &csrf, StatusCode::UNPROCESSABLE_ENTITY, f, errors, Some(NOT_SAVED.into())).await
}

pub async fn update_section(State(state): State<AppState>, staff: Staff, Extension(csrf): Extension<CsrfToken>, Path(id): Path<i64>, Form(mut f): Form<SectionForm>) -> Reply {
    staff.must_be_admin("Only admins manage sections.")?;
    let (mut errors, position) = validate_section(&mut f);
    if errors.is_empty() {
        match state.store().update_section(id, &f.slug, f.name.trim(), f.description.trim(), position).await? {
            true => {
                state.refresh_after_write().await;
                return Ok(see_other("/admin/sections"));
            }
            false => {
                errors.insert("slug", "Another section already uses this slug.".into());
            }
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

async fn settings_page(state: &AppState, staff: &Staff, csrf: &CsrfToken, status: StatusCode, form: SettingsForm, errors: FieldErrors, message: Option<String>) -> Reply {
    #[derive(Serialize)]
    struct Ctx {
        admin: AdminLayout,
        form: SettingsForm,
        errors: FieldErrors,
        message: Option<String>,
    }
    page(state, status, "admin/settings.html", Ctx { admin: admin_layout(state, staff, csrf), form, errors, message })
}

pub async fn settings(State(state): State<AppState>, staff: Staff, Extension(csrf): Extension<CsrfToken>) -> Reply {
    staff.must_be_admin("Only admins change publication settings.")?;
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

pub async fn save_settings(State(state): State<AppState>, staff: Staff, Extension(csrf): Extension<CsrfToken>, Form(f): Form<SettingsForm>) -> Reply {
    staff.must_be_admin("Only admins change publication settings.")?;
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
        return settings_page(&state, &staff, &csrf, StatusCode::UNPROCESSABLE_ENTITY, f, errors, Some(NOT_SAVED.into())).await;
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
    state.store().update_publication(&p).await?;
    state.refresh_after_write().await;
    settings_page(&state, &staff, &csrf, StatusCode::OK, f, FieldErrors::new(), Some("Settings saved.".into())).await
}



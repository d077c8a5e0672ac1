//! Marquee's own API at `/api/v1/`, for what Ghost does not model: films and their credits,
//! people, theaters and showtimes, venues and events, special reports, and comment moderation.
//! Every call takes an Admin API key (or a newsroom session); reading is for all staff, writing
//! for editors and admins. Writes go through the newsroom's own form checks (`forms.rs`), so a
//! refused field gets the message the form would show, and nothing is saved.

use super::{ApiPath, query_pairs, AdminErrors, ApiError, ApiJson, ApiReply, Caller};
use crate::forms::{event_record, EventForm, FilmForm, PlaceForm};
use crate::state::AppState;
use crate::webhooks::comment_body;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use marquee_domain::time::{now_unix, parse_zone, rfc3339};
use marquee_domain::FieldErrors;
use marquee_store::{Decision, Moderator};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The routes of Marquee's API, with their OpenAPI descriptions.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(films, add_film))
        .routes(routes!(film, edit_film))
        .routes(routes!(person))
        .routes(routes!(theaters))
        .routes(routes!(put_theater))
        .routes(routes!(showtimes))
        .routes(routes!(venues, add_venue))
        .routes(routes!(venue, edit_venue))
        .routes(routes!(events, add_event))
        .routes(routes!(event, edit_event, delete_event))
        .routes(routes!(reports))
        .routes(routes!(report))
        .routes(routes!(comments))
        .routes(routes!(decide))
}

fn ok<T: Serialize>(status: StatusCode, v: &T) -> ApiReply {
    Ok(super::json(status, v))
}

/// The query parameters an endpoint takes; any other is a 400.
fn params(raw: Option<&str>, allowed: &[&str]) -> Result<Vec<(String, String)>, ApiError> {
    let pairs = query_pairs(raw)?;
    if let Some((k, _)) = pairs.iter().find(|(k, _)| !allowed.contains(&k.as_str())) {
        return Err(ApiError::bad_request(format!("Unknown parameter “{}”.", k.chars().take(40).collect::<String>())).context(if allowed.is_empty() { "This endpoint takes no parameters.".to_string() } else { format!("This endpoint takes {}.", allowed.join(", ")) }));
    }
    Ok(pairs)
}

fn param<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.trim()).filter(|v| !v.is_empty())
}

fn number(pairs: &[(String, String)], name: &str, default: i64, range: std::ops::RangeInclusive<i64>) -> Result<i64, ApiError> {
    match param(pairs, name) {
        None => Ok(default),
        Some(v) => v.parse::<i64>().ok().filter(|n| range.contains(n)).ok_or_else(|| ApiError::invalid(name, format!("{name} is a whole number from {} to {}.", range.start(), range.end()))),
    }
}

fn missing(what: &str) -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "NotFoundError", format!("{what} not found."))
}

// ----- films and people -----

#[derive(Serialize, ToSchema)]
pub struct ExternalIds {
    pub imdb: Option<String>,
    pub tmdb: Option<String>,
    pub wikidata: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct CreditOut {
    /// `director`, `producer`, `writer` or `cast`.
    pub role: String,
    pub name: String,
    pub character: String,
    pub person_slug: String,
}

#[derive(Serialize, ToSchema)]
pub struct FilmOut {
    pub id: i64,
    pub slug: String,
    pub title: String,
    pub original_title: String,
    pub year: Option<i64>,
    pub release_date: Option<String>,
    pub runtime_minutes: Option<i64>,
    /// The MPAA rating, e.g. `R`.
    pub certification: Option<String>,
    pub genres: Vec<String>,
    pub ids: ExternalIds,
    /// The film's page.
    pub url: String,
    /// With one film (not in lists).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(required = false)]
    pub credits: Option<Vec<CreditOut>>,
}

fn film_out(state: &AppState, f: &marquee_store::Film, credits: Option<&[marquee_store::Credit]>) -> FilmOut {
    FilmOut {
        id: f.id,
        slug: f.slug.clone(),
        title: f.title.clone(),
        original_title: f.original_title.clone(),
        year: f.year,
        release_date: f.release_date.clone(),
        runtime_minutes: f.runtime_minutes,
        certification: f.certification.clone(),
        genres: f.genres.lines().filter(|g| !g.is_empty()).map(str::to_string).collect(),
        ids: ExternalIds { imdb: f.imdb_id.clone(), tmdb: f.tmdb_id.clone(), wikidata: f.wikidata_id.clone() },
        url: format!("{}/films/{}/", state.site().base(), f.slug),
        credits: credits.map(|cs| cs.iter().map(|c| CreditOut { role: c.role.clone(), name: c.person_name.clone(), character: c.character.clone(), person_slug: c.person_slug.clone() }).collect()),
    }
}

#[derive(Serialize, ToSchema)]
pub struct FilmList {
    pub films: Vec<FilmOut>,
    /// Films in the database in all.
    pub total: i64,
}

#[derive(Serialize, ToSchema)]
pub struct FilmOne {
    pub film: FilmOut,
}

#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct FilmSearch {
    /// Words of the title (or original title).
    q: Option<String>,
    /// At most this many, 1 to 100 (20 by default).
    limit: Option<i64>,
}

/// `GET /api/v1/films/?q=`: films whose title matches, best first.
#[utoipa::path(get, path = "/api/v1/films/", tag = "Marquee API", params(FilmSearch),
    responses((status = 200, description = "Matching films", body = FilmList), AdminErrors), security(("ghost_token" = []), ("bearer_key" = [])))]
pub async fn films(State(state): State<AppState>, _caller: Caller, RawQuery(raw): RawQuery) -> ApiReply {
    let p = params(raw.as_deref(), &["q", "limit"])?;
    let limit = number(&p, "limit", 20, 1..=100)?;
    let found = match param(&p, "q") {
        Some(q) if q.chars().count() <= 200 => state.store().search_films(q, limit).await?,
        Some(_) => return Err(ApiError::invalid("q", "A search is at most 200 characters.")),
        None => Vec::new(),
    };
    ok(StatusCode::OK, &FilmList { films: found.iter().map(|f| film_out(&state, f, None)).collect(), total: state.store().film_count().await? })
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct IdsWrite {
    pub imdb: Option<String>,
    pub tmdb: Option<String>,
    pub wikidata: Option<String>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreditWrite {
    /// `director`, `producer`, `writer` or `cast`.
    pub role: String,
    pub name: String,
    #[serde(default)]
    pub character: String,
}

/// A film as sent; what is left out is left empty. Credits replace the film's credits.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FilmWrite {
    pub title: String,
    pub original_title: Option<String>,
    pub year: Option<i64>,
    /// `YYYY-MM-DD`.
    pub release_date: Option<String>,
    pub runtime_minutes: Option<i64>,
    pub certification: Option<String>,
    pub genres: Option<Vec<String>>,
    pub ids: Option<IdsWrite>,
    pub credits: Option<Vec<CreditWrite>>,
}

impl FilmWrite {
    fn form(&self) -> FilmForm {
        let ids = self.ids.as_ref();
        let pick = |f: fn(&IdsWrite) -> &Option<String>| ids.and_then(|i| f(i).clone()).unwrap_or_default();
        FilmForm {
            title: self.title.clone(),
            original_title: self.original_title.clone().unwrap_or_default(),
            year: self.year.map(|y| y.to_string()).unwrap_or_default(),
            release_date: self.release_date.clone().unwrap_or_default(),
            runtime_minutes: self.runtime_minutes.map(|m| m.to_string()).unwrap_or_default(),
            certification: self.certification.clone().unwrap_or_default(),
            genres: self.genres.clone().unwrap_or_default().join(", "),
            imdb: pick(|i| &i.imdb),
            tmdb: pick(|i| &i.tmdb),
            wikidata: pick(|i| &i.wikidata),
            credits: marquee_domain::film::credit_lines(&self.credits.iter().flatten().map(|c| (c.role.clone(), c.name.clone(), c.character.clone())).collect::<Vec<_>>()),
        }
    }
}

/// The form's field names as the JSON names them.
fn film_fields(errors: FieldErrors) -> FieldErrors {
    errors
        .into_iter()
        .map(|(k, v)| {
            let k = match k {
                "imdb" => "ids.imdb",
                "tmdb" => "ids.tmdb",
                "wikidata" => "ids.wikidata",
                other => other,
            };
            (k, v)
        })
        .collect()
}

async fn save_film(state: &AppState, caller: &Caller, id: Option<i64>, body: FilmWrite) -> ApiReply {
    caller.must_be_editor(if id.is_some() { "edit film" } else { "add film" })?;
    let record = body.form().record().map_err(|e| ApiError::fields(&film_fields(e)))?;
    let saved = match state.store().save_film(id, &record, now_unix()).await? {
        Ok(saved) => saved,
        Err(msg) => return Err(ApiError::fields(&FieldErrors::from([("title", msg)]))),
    };
    state.refresh_after_write().await;
    let f = state.store().film_by_id(saved).await?.ok_or_else(|| missing("Film"))?;
    let credits = state.store().credits(saved).await?;
    ok(if id.is_some() { StatusCode::OK } else { StatusCode::CREATED }, &FilmOne { film: film_out(state, &f, Some(&credits)) })
}

/// `POST /api/v1/films/`: adds a film (editors).
#[utoipa::path(post, path = "/api/v1/films/", tag = "Marquee API", request_body = FilmWrite,
    responses((status = 201, description = "The film as saved", body = FilmOne), AdminErrors), security(("ghost_token" = []), ("bearer_key" = [])))]
pub async fn add_film(State(state): State<AppState>, caller: Caller, ApiJson(body): ApiJson<FilmWrite>) -> ApiReply {
    save_film(&state, &caller, None, body).await
}

/// `GET /api/v1/films/{id}/`: a film with its credits.
#[utoipa::path(get, path = "/api/v1/films/{id}/", tag = "Marquee API", params(("id" = i64, Path, description = "The film's number")),
    responses((status = 200, description = "The film", body = FilmOne), AdminErrors), security(("ghost_token" = []), ("bearer_key" = [])))]
pub async fn film(State(state): State<AppState>, _caller: Caller, ApiPath(id): ApiPath<i64>, RawQuery(raw): RawQuery) -> ApiReply {
    params(raw.as_deref(), &[])?;
    let f = state.store().film_by_id(id).await?.ok_or_else(|| missing("Film"))?;
    let credits = state.store().credits(id).await?;
    ok(StatusCode::OK, &FilmOne { film: film_out(&state, &f, Some(&credits)) })
}

/// `PUT /api/v1/films/{id}/`: replaces what is stored about a film (editors).
#[utoipa::path(put, path = "/api/v1/films/{id}/", tag = "Marquee API", params(("id" = i64, Path, description = "The film's number")), request_body = FilmWrite,
    responses((status = 200, description = "The film as saved", body = FilmOne), AdminErrors), security(("ghost_token" = []), ("bearer_key" = [])))]
pub async fn edit_film(State(state): State<AppState>, caller: Caller, ApiPath(id): ApiPath<i64>, ApiJson(body): ApiJson<FilmWrite>) -> ApiReply {
    state.store().film_by_id(id).await?.ok_or_else(|| missing("Film"))?;
    save_film(&state, &caller, Some(id), body).await
}

#[derive(Serialize, ToSchema)]
pub struct PersonFilm {
    pub film_id: i64,
    pub film_slug: String,
    pub title: String,
    pub year: Option<i64>,
    pub role: String,
    pub character: String,
}

#[derive(Serialize, ToSchema)]
pub struct PersonOut {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub url: String,
    pub films: Vec<PersonFilm>,
}

#[derive(Serialize, ToSchema)]
pub struct PersonOne {
    pub person: PersonOut,
}

/// `GET /api/v1/people/{slug}/`: a person and their films.
#[utoipa::path(get, path = "/api/v1/people/{slug}/", tag = "Marquee API", params(("slug" = String, Path, description = "The person's slug")),
    responses((status = 200, description = "The person", body = PersonOne), AdminErrors), security(("ghost_token" = []), ("bearer_key" = [])))]
pub async fn person(State(state): State<AppState>, _caller: Caller, ApiPath(slug): ApiPath<String>, RawQuery(raw): RawQuery) -> ApiReply {
    params(raw.as_deref(), &[])?;
    let p = state.store().person_by_slug(&slug).await?.ok_or_else(|| missing("Person"))?;
    let films = state.store().person_credits(p.id).await?.into_iter().map(|c| PersonFilm { film_id: c.film_id, film_slug: c.film_slug, title: c.title, year: c.year, role: c.role, character: c.character }).collect();
    ok(StatusCode::OK, &PersonOne { person: PersonOut { id: p.id, url: format!("{}/people/{}/", state.site().base(), p.slug), slug: p.slug, name: p.name, films } })
}

// ----- theaters, venues, showtimes -----

#[derive(Serialize, ToSchema)]
pub struct PlaceOut {
    pub id: i64,
    pub slug: String,
    /// The id feeds use for it.
    pub external_id: Option<String>,
    pub name: String,
    pub address: String,
    pub city: String,
    pub state: String,
    pub postal_code: String,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    /// IANA, e.g. `America/Los_Angeles`.
    pub time_zone: String,
    /// Its own web site.
    pub website: String,
}

#[derive(Serialize, ToSchema)]
pub struct TheaterList {
    pub theaters: Vec<PlaceOut>,
}

#[derive(Serialize, ToSchema)]
pub struct TheaterOne {
    pub theater: PlaceOut,
}

fn theater_out(t: &marquee_store::Theater) -> PlaceOut {
    PlaceOut {
        id: t.id,
        slug: t.slug.clone(),
        external_id: Some(t.external_id.clone()),
        name: t.name.clone(),
        address: t.address.clone(),
        city: t.city.clone(),
        state: t.state.clone(),
        postal_code: t.postal_code.clone(),
        latitude: Some(t.latitude),
        longitude: Some(t.longitude),
        time_zone: t.time_zone.clone(),
        website: t.url.clone(),
    }
}

fn venue_out(v: &marquee_store::Venue) -> PlaceOut {
    PlaceOut {
        id: v.id,
        slug: v.slug.clone(),
        external_id: v.external_id.clone(),
        name: v.name.clone(),
        address: v.address.clone(),
        city: v.city.clone(),
        state: v.state.clone(),
        postal_code: v.postal_code.clone(),
        latitude: v.latitude,
        longitude: v.longitude,
        time_zone: v.time_zone.clone(),
        website: v.url.clone(),
    }
}

/// `GET /api/v1/theaters/`
#[utoipa::path(get, path = "/api/v1/theaters/", tag = "Marquee API",
    responses((status = 200, description = "Every theater", body = TheaterList), AdminErrors), security(("ghost_token" = []), ("bearer_key" = [])))]
pub async fn theaters(State(state): State<AppState>, _caller: Caller, RawQuery(raw): RawQuery) -> ApiReply {
    params(raw.as_deref(), &[])?;
    ok(StatusCode::OK, &TheaterList { theaters: state.store().theaters().await?.iter().map(theater_out).collect() })
}

/// A theater or venue as sent. A theater needs a position: `latitude` and `longitude`, or a US
/// ZIP code in `postal_code`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlaceWrite {
    pub name: String,
    #[serde(default)]
    pub address: String,
    #[serde(default)]
    pub city: String,
    #[serde(default)]
    pub state: String,
    #[serde(default)]
    pub postal_code: String,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub time_zone: String,
    #[serde(default)]
    pub website: String,
}

impl PlaceWrite {
    fn form(&self, external_id: &str) -> Result<PlaceForm, ApiError> {
        let position = match (self.latitude, self.longitude) {
            (Some(a), Some(b)) => format!("{a}, {b}"),
            (None, None) => String::new(),
            _ => return Err(ApiError::invalid("latitude", "Give both latitude and longitude, or neither (and a ZIP code).")),
        };
        Ok(PlaceForm {
            external_id: external_id.into(),
            name: self.name.clone(),
            address: self.address.clone(),
            city: self.city.clone(),
            state: self.state.clone(),
            postal_code: self.postal_code.clone(),
            position,
            time_zone: self.time_zone.clone(),
            url: self.website.clone(),
        })
    }
}

fn place_fields(errors: FieldErrors) -> FieldErrors {
    errors.into_iter().map(|(k, v)| (if k == "position" { "latitude" } else if k == "url" { "website" } else { k }, v)).collect()
}

/// `PUT /api/v1/theaters/{external_id}/`: adds the theater with this feed id, or updates it
/// (editors).
#[utoipa::path(put, path = "/api/v1/theaters/{external_id}/", tag = "Marquee API", params(("external_id" = String, Path, description = "The id showtimes feeds use for it")), request_body = PlaceWrite,
    responses((status = 200, description = "The theater as saved", body = TheaterOne), AdminErrors), security(("ghost_token" = []), ("bearer_key" = [])))]
pub async fn put_theater(State(state): State<AppState>, caller: Caller, ApiPath(external_id): ApiPath<String>, ApiJson(body): ApiJson<PlaceWrite>) -> ApiReply {
    caller.must_be_editor("edit theater")?;
    let record = body.form(&external_id)?.check_theater().map_err(|e| ApiError::fields(&place_fields(e)))?;
    state.store().upsert_theater(&record).await?;
    state.refresh_after_write().await;
    let t = state.store().theater_by_external_id(&record.external_id).await?.ok_or_else(|| missing("Theater"))?;
    ok(StatusCode::OK, &TheaterOne { theater: theater_out(&t) })
}

#[derive(Serialize, ToSchema)]
pub struct ShowtimeOut {
    pub id: i64,
    pub theater_id: i64,
    pub theater_slug: String,
    pub film_id: i64,
    pub film_slug: String,
    pub film_title: String,
    /// RFC 3339 in the theater's zone.
    pub starts_at: String,
    pub attributes: Vec<String>,
    pub auditorium: String,
    pub ticket_url: String,
}

#[derive(Serialize, ToSchema)]
pub struct ShowtimeList {
    pub showtimes: Vec<ShowtimeOut>,
}

#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct ShowtimeQuery {
    /// A theater's slug (by default every theater).
    theater: Option<String>,
    /// A film's slug (by default every film).
    film: Option<String>,
    /// Days from now, 1 to 31 (7 by default).
    days: Option<i64>,
}

/// `GET /api/v1/showtimes/`: screenings from now on, in time order.
#[utoipa::path(get, path = "/api/v1/showtimes/", tag = "Marquee API", params(ShowtimeQuery),
    responses((status = 200, description = "Screenings", body = ShowtimeList), AdminErrors), security(("ghost_token" = []), ("bearer_key" = [])))]
pub async fn showtimes(State(state): State<AppState>, _caller: Caller, RawQuery(raw): RawQuery) -> ApiReply {
    let p = params(raw.as_deref(), &["theater", "film", "days"])?;
    let days = number(&p, "days", 7, 1..=31)?;
    let store = state.store();
    let all = store.theaters().await?;
    let theaters: Vec<&marquee_store::Theater> = match param(&p, "theater") {
        Some(slug) => vec![all.iter().find(|t| t.slug == slug).ok_or_else(|| ApiError::invalid("theater", "There is no theater with that slug."))?],
        None => all.iter().collect(),
    };
    let film = match param(&p, "film") {
        Some(slug) => Some(store.film_by_slug(slug).await?.ok_or_else(|| ApiError::invalid("film", "There is no film with that slug."))?.id),
        None => None,
    };
    let now = now_unix();
    let ids: Vec<i64> = theaters.iter().map(|t| t.id).collect();
    let rows = store.showtimes(&ids, film, now, now + days * 86_400).await?;
    let showtimes = rows
        .into_iter()
        .map(|s| ShowtimeOut {
            starts_at: rfc3339(s.starts_at, &parse_zone(&s.time_zone).unwrap_or(jiff::tz::TimeZone::UTC)),
            attributes: s.attributes.split(',').map(str::trim).filter(|a| !a.is_empty()).map(str::to_string).collect(),
            id: s.id,
            theater_id: s.theater_id,
            theater_slug: s.theater_slug,
            film_id: s.film_id,
            film_slug: s.film_slug,
            film_title: s.film_title,
            auditorium: s.auditorium,
            ticket_url: s.ticket_url,
        })
        .collect();
    ok(StatusCode::OK, &ShowtimeList { showtimes })
}

#[derive(Serialize, ToSchema)]
pub struct VenueList {
    pub venues: Vec<PlaceOut>,
}

#[derive(Serialize, ToSchema)]
pub struct VenueOne {
    pub venue: PlaceOut,
}

/// `GET /api/v1/venues/`
#[utoipa::path(get, path = "/api/v1/venues/", tag = "Marquee API",
    responses((status = 200, description = "Every venue", body = VenueList), AdminErrors), security(("ghost_token" = []), ("bearer_key" = [])))]
pub async fn venues(State(state): State<AppState>, _caller: Caller, RawQuery(raw): RawQuery) -> ApiReply {
    params(raw.as_deref(), &[])?;
    ok(StatusCode::OK, &VenueList { venues: state.store().venues().await?.iter().map(venue_out).collect() })
}

async fn save_venue(state: &AppState, caller: &Caller, id: Option<i64>, body: PlaceWrite) -> ApiReply {
    caller.must_be_editor(if id.is_some() { "edit venue" } else { "add venue" })?;
    let record = body.form("")?.check(false).map_err(|e| ApiError::fields(&place_fields(e)))?;
    let saved = match state.store().save_venue(id, &record).await? {
        Ok(saved) => saved,
        Err(msg) => return Err(ApiError::fields(&FieldErrors::from([("name", msg)]))),
    };
    state.refresh_after_write().await;
    let v = state.store().venue(saved).await?.ok_or_else(|| missing("Venue"))?;
    ok(if id.is_some() { StatusCode::OK } else { StatusCode::CREATED }, &VenueOne { venue: venue_out(&v) })
}

/// `POST /api/v1/venues/`: adds a venue (editors).
#[utoipa::path(post, path = "/api/v1/venues/", tag = "Marquee API", request_body = PlaceWrite,
    responses((status = 201, description = "The venue as saved", body = VenueOne), AdminErrors), security(("ghost_token" = []), ("bearer_key" = [])))]
pub async fn add_venue(State(state): State<AppState>, caller: Caller, ApiJson(body): ApiJson<PlaceWrite>) -> ApiReply {
    save_venue(&state, &caller, None, body).await
}

/// `GET /api/v1/venues/{id}/`
#[utoipa::path(get, path = "/api/v1/venues/{id}/", tag = "Marquee API", params(("id" = i64, Path, description = "The venue's number")),
    responses((status = 200, description = "The venue", body = VenueOne), AdminErrors), security(("ghost_token" = []), ("bearer_key" = [])))]
pub async fn venue(State(state): State<AppState>, _caller: Caller, ApiPath(id): ApiPath<i64>, RawQuery(raw): RawQuery) -> ApiReply {
    params(raw.as_deref(), &[])?;
    let v = state.store().venue(id).await?.ok_or_else(|| missing("Venue"))?;
    ok(StatusCode::OK, &VenueOne { venue: venue_out(&v) })
}

/// `PUT /api/v1/venues/{id}/`: replaces what is stored about a venue (editors).
#[utoipa::path(put, path = "/api/v1/venues/{id}/", tag = "Marquee API", params(("id" = i64, Path, description = "The venue's number")), request_body = PlaceWrite,
    responses((status = 200, description = "The venue as saved", body = VenueOne), AdminErrors), security(("ghost_token" = []), ("bearer_key" = [])))]
pub async fn edit_venue(State(state): State<AppState>, caller: Caller, ApiPath(id): ApiPath<i64>, ApiJson(body): ApiJson<PlaceWrite>) -> ApiReply {
    state.store().venue(id).await?.ok_or_else(|| missing("Venue"))?;
    save_venue(&state, &caller, Some(id), body).await
}

// ----- events -----

#[derive(Serialize, ToSchema)]
pub struct EventOut {
    pub id: i64,
    pub slug: String,
    pub title: String,
    /// `music`, `arts`, `film`, `food`, `theater`, `comedy`, `dance`, `kids`, `community` or `other`.
    pub category: String,
    /// RFC 3339 in the venue's zone (a date's midnight for an all-day event).
    pub starts_at: String,
    pub ends_at: Option<String>,
    pub all_day: bool,
    pub price: String,
    pub venue_id: i64,
    pub venue_name: String,
    pub ticket_url: String,
    /// Markdown.
    pub description: String,
    /// The event's page.
    pub url: String,
}

#[derive(Serialize, ToSchema)]
pub struct EventList {
    pub events: Vec<EventOut>,
}

#[derive(Serialize, ToSchema)]
pub struct EventOne {
    pub event: EventOut,
}

fn event_out(state: &AppState, d: &marquee_store::EventDetail) -> EventOut {
    let (e, c) = (&d.event, &d.event.card);
    let tz = parse_zone(&d.venue.time_zone).unwrap_or(jiff::tz::TimeZone::UTC);
    EventOut {
        id: c.id,
        slug: c.slug.clone(),
        title: c.title.clone(),
        category: c.category.clone(),
        starts_at: rfc3339(c.starts_at, &tz),
        ends_at: c.ends_at.map(|t| rfc3339(t, &tz)),
        all_day: c.all_day,
        price: c.price.clone(),
        venue_id: e.venue_id,
        venue_name: d.venue.name.clone(),
        ticket_url: e.ticket_url.clone(),
        description: e.description.clone(),
        url: format!("{}/events/{}/", state.site().base(), c.slug),
    }
}

#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct EventQuery {
    /// The first day, `YYYY-MM-DD`, in the publication's zone (today by default).
    from: Option<String>,
    /// Days, 1 to 62 (14 by default).
    days: Option<i64>,
}

/// `GET /api/v1/events/`: events on the days asked for, in time order.
#[utoipa::path(get, path = "/api/v1/events/", tag = "Marquee API", params(EventQuery),
    responses((status = 200, description = "Events", body = EventList), AdminErrors), security(("ghost_token" = []), ("bearer_key" = [])))]
pub async fn events(State(state): State<AppState>, _caller: Caller, RawQuery(raw): RawQuery) -> ApiReply {
    let p = params(raw.as_deref(), &["from", "days"])?;
    let days = number(&p, "days", 14, 1..=62)?;
    let site = state.site();
    let first = match param(&p, "from") {
        Some(d) => d.parse::<jiff::civil::Date>().map_err(|_| ApiError::invalid("from", "from is a date such as 2026-12-24."))?,
        None => jiff::Timestamp::now().to_zoned(site.tz.clone()).date(),
    };
    let start = first.to_zoned(site.tz.clone()).map(|z| z.timestamp().as_second()).map_err(|_| ApiError::invalid("from", "That date is out of range."))?;
    let cards = state.store().events_between(start, start + days * 86_400, None, 500).await?;
    let mut out = Vec::new();
    for c in cards {
        if let Some(d) = state.store().event(c.id).await? {
            out.push(event_out(&state, &d));
        }
    }
    ok(StatusCode::OK, &EventList { events: out })
}

/// An event as sent. `start` and `end` are the venue's local time (`2026-12-24T19:00`, or a
/// date for an all-day event).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EventWrite {
    pub title: String,
    /// Made from the title and date when left out.
    pub slug: Option<String>,
    pub venue_id: i64,
    pub category: String,
    pub start: String,
    pub end: Option<String>,
    #[serde(default)]
    pub all_day: bool,
    #[serde(default)]
    pub price: String,
    #[serde(default)]
    pub ticket_url: String,
    /// Markdown.
    #[serde(default)]
    pub description: String,
}

impl EventWrite {
    fn form(&self) -> EventForm {
        EventForm {
            title: self.title.clone(),
            slug: self.slug.clone().unwrap_or_default(),
            venue_id: self.venue_id.to_string(),
            category: self.category.clone(),
            start: self.start.clone(),
            end: self.end.clone().unwrap_or_default(),
            all_day: self.all_day.then(|| "1".into()),
            price: self.price.clone(),
            ticket_url: self.ticket_url.clone(),
            description: self.description.clone(),
        }
    }
}

async fn save_event(state: &AppState, caller: &Caller, id: Option<i64>, body: EventWrite) -> ApiReply {
    caller.must_be_editor(if id.is_some() { "edit event" } else { "add event" })?;
    let record = event_record(state, &body.form()).await?.map_err(|e| ApiError::fields(&e))?;
    let saved = match state.store().save_event(id, &record, now_unix()).await? {
        Ok(saved) => saved,
        Err(msg) => return Err(ApiError::fields(&FieldErrors::from([("slug", msg)]))),
    };
    state.refresh_after_write().await;
    let d = state.store().event(saved).await?.ok_or_else(|| missing("Event"))?;
    ok(if id.is_some() { StatusCode::OK } else { StatusCode::CREATED }, &EventOne { event: event_out(state, &d) })
}

/// `POST /api/v1/events/`: adds an event (editors).
#[utoipa::path(post, path = "/api/v1/events/", tag = "Marquee API", request_body = EventWrite,
    responses((status = 201, description = "The event as saved", body = EventOne), AdminErrors), security(("ghost_token" = []), ("bearer_key" = [])))]
pub async fn add_event(State(state): State<AppState>, caller: Caller, ApiJson(body): ApiJson<EventWrite>) -> ApiReply {
    save_event(&state, &caller, None, body).await
}

/// `GET /api/v1/events/{id}/`
#[utoipa::path(get, path = "/api/v1/events/{id}/", tag = "Marquee API", params(("id" = i64, Path, description = "The event's number")),
    responses((status = 200, description = "The event", body = EventOne), AdminErrors), security(("ghost_token" = []), ("bearer_key" = [])))]
pub async fn event(State(state): State<AppState>, _caller: Caller, ApiPath(id): ApiPath<i64>, RawQuery(raw): RawQuery) -> ApiReply {
    params(raw.as_deref(), &[])?;
    let d = state.store().event(id).await?.ok_or_else(|| missing("Event"))?;
    ok(StatusCode::OK, &EventOne { event: event_out(&state, &d) })
}

/// `PUT /api/v1/events/{id}/`: replaces an event (editors); a new slug leaves the old address
/// redirecting.
#[utoipa::path(put, path = "/api/v1/events/{id}/", tag = "Marquee API", params(("id" = i64, Path, description = "The event's number")), request_body = EventWrite,
    responses((status = 200, description = "The event as saved", body = EventOne), AdminErrors), security(("ghost_token" = []), ("bearer_key" = [])))]
pub async fn edit_event(State(state): State<AppState>, caller: Caller, ApiPath(id): ApiPath<i64>, ApiJson(body): ApiJson<EventWrite>) -> ApiReply {
    state.store().event(id).await?.ok_or_else(|| missing("Event"))?;
    save_event(&state, &caller, Some(id), body).await
}

/// `DELETE /api/v1/events/{id}/` (editors)
#[utoipa::path(delete, path = "/api/v1/events/{id}/", tag = "Marquee API", params(("id" = i64, Path, description = "The event's number")),
    responses((status = 204, description = "Deleted"), AdminErrors), security(("ghost_token" = []), ("bearer_key" = [])))]
pub async fn delete_event(State(state): State<AppState>, caller: Caller, ApiPath(id): ApiPath<i64>) -> ApiReply {
    caller.must_be_editor("delete event")?;
    if !state.store().delete_event(id).await? {
        return Err(missing("Event"));
    }
    state.refresh_after_write().await;
    Ok(StatusCode::NO_CONTENT.into_response())
}

// ----- special reports -----

#[derive(Serialize, ToSchema)]
pub struct ReportOut {
    pub id: i64,
    pub slug: String,
    pub title: String,
    /// Markdown.
    pub intro: String,
    pub cover_image: String,
    pub cover_alt: String,
    pub published: bool,
    /// Listed in the Special Reports box.
    pub current: bool,
    pub url: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(required = false)]
    pub chapters: Option<Vec<ChapterOut>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(required = false)]
    pub items: Option<Vec<ItemOut>>,
}

#[derive(Serialize, ToSchema)]
pub struct ChapterOut {
    pub id: i64,
    pub title: String,
    pub intro: String,
}

#[derive(Serialize, ToSchema)]
pub struct ItemOut {
    pub id: i64,
    pub chapter_id: Option<i64>,
    /// `article` or `event`.
    pub kind: String,
    pub label: String,
    pub path: String,
    pub blurb: String,
    /// False while the article is a draft or not yet due (readers do not see it).
    pub live: bool,
}

#[derive(Serialize, ToSchema)]
pub struct ReportList {
    pub reports: Vec<ReportOut>,
}

#[derive(Serialize, ToSchema)]
pub struct ReportOne {
    pub report: ReportOut,
}

fn report_out(state: &AppState, r: &marquee_store::Report) -> ReportOut {
    ReportOut {
        id: r.id,
        slug: r.slug.clone(),
        title: r.title.clone(),
        intro: r.intro.clone(),
        cover_image: r.cover_image.clone(),
        cover_alt: r.cover_alt.clone(),
        published: r.status == "published",
        current: r.current == 1,
        url: format!("{}/reports/{}/", state.site().base(), r.slug),
        chapters: None,
        items: None,
    }
}

/// `GET /api/v1/reports/`: every special report, drafts too.
#[utoipa::path(get, path = "/api/v1/reports/", tag = "Marquee API",
    responses((status = 200, description = "Special reports", body = ReportList), AdminErrors), security(("ghost_token" = []), ("bearer_key" = [])))]
pub async fn reports(State(state): State<AppState>, _caller: Caller, RawQuery(raw): RawQuery) -> ApiReply {
    params(raw.as_deref(), &[])?;
    ok(StatusCode::OK, &ReportList { reports: state.store().reports(false).await?.iter().map(|r| report_out(&state, r)).collect() })
}

/// `GET /api/v1/reports/{id}/`: a report with its chapters and items in order.
#[utoipa::path(get, path = "/api/v1/reports/{id}/", tag = "Marquee API", params(("id" = i64, Path, description = "The report's number")),
    responses((status = 200, description = "The report", body = ReportOne), AdminErrors), security(("ghost_token" = []), ("bearer_key" = [])))]
pub async fn report(State(state): State<AppState>, _caller: Caller, ApiPath(id): ApiPath<i64>, RawQuery(raw): RawQuery) -> ApiReply {
    params(raw.as_deref(), &[])?;
    let r = state.store().report_by_id(id).await?.ok_or_else(|| missing("Report"))?;
    let mut out = report_out(&state, &r);
    out.chapters = Some(state.store().report_chapters(id).await?.into_iter().map(|c| ChapterOut { id: c.id, title: c.title, intro: c.intro }).collect());
    out.items = Some(
        state
            .store()
            .report_items(id, now_unix())
            .await?
            .into_iter()
            .map(|i| ItemOut { id: i.id, chapter_id: i.chapter_id, kind: if i.event_id.is_some() { "event".into() } else { "article".into() }, label: i.label, path: i.path, blurb: i.blurb, live: i.live == 1 })
            .collect(),
    );
    ok(StatusCode::OK, &ReportOne { report: out })
}

// ----- comment moderation -----

#[derive(Serialize, ToSchema)]
pub struct CommentOut {
    pub id: i64,
    pub post_id: String,
    pub article_url: String,
    pub headline: String,
    pub author_name: Option<String>,
    pub body_html: String,
    /// `pending`, `approved`, `rejected` or `deleted`.
    pub status: String,
    /// Why it waits (pre-moderation, a suspect word, a link ...).
    pub hold_reason: String,
    pub featured: bool,
    pub created_at: String,
    /// Open reports about it.
    pub reports: i64,
}

#[derive(Serialize, ToSchema)]
pub struct CommentList {
    pub comments: Vec<CommentOut>,
}

#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct QueueQuery {
    /// `pending` (the default) or `reported`.
    view: Option<String>,
}

/// `GET /api/v1/comments/`: the moderation queue (editors).
#[utoipa::path(get, path = "/api/v1/comments/", tag = "Marquee API", params(QueueQuery),
    responses((status = 200, description = "Comments waiting for a decision", body = CommentList), AdminErrors), security(("ghost_token" = []), ("bearer_key" = [])))]
pub async fn comments(State(state): State<AppState>, caller: Caller, RawQuery(raw): RawQuery) -> ApiReply {
    caller.must_be_editor("list comments")?;
    let p = params(raw.as_deref(), &["view"])?;
    let reported = match param(&p, "view") {
        None | Some("pending") => false,
        Some("reported") => true,
        Some(_) => return Err(ApiError::invalid("view", "view is pending or reported.")),
    };
    let site = state.site();
    let comments = state
        .store()
        .comment_queue(reported, 500)
        .await?
        .into_iter()
        .map(|c| CommentOut {
            id: c.id,
            post_id: crate::api_views::post_id(c.article_id),
            article_url: format!("{}/{}/{}/", site.base(), c.section_slug, c.article_slug),
            headline: c.headline,
            author_name: c.author_name,
            body_html: c.body_html,
            status: c.status,
            hold_reason: c.hold_reason,
            featured: c.featured == 1,
            created_at: crate::api_views::ghost_time(c.created_at),
            reports: c.reports,
        })
        .collect();
    ok(StatusCode::OK, &CommentList { comments })
}

/// A moderator's decision.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionWrite {
    /// `approve`, `reject` (with a reason the author sees), `feature`, `unfeature` or `dismiss`
    /// (its reports).
    pub action: String,
    pub reason: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct DecisionDone {
    pub id: i64,
    pub action: String,
}

/// `POST /api/v1/comments/{id}/decision/`: approves, rejects, features or clears a comment
/// (editors); logged with the key's staff member, as in the newsroom.
#[utoipa::path(post, path = "/api/v1/comments/{id}/decision/", tag = "Marquee API", params(("id" = i64, Path, description = "The comment's number")), request_body = DecisionWrite,
    responses((status = 200, description = "Decided", body = DecisionDone), AdminErrors), security(("ghost_token" = []), ("bearer_key" = [])))]
pub async fn decide(State(state): State<AppState>, caller: Caller, ApiPath(id): ApiPath<i64>, ApiJson(body): ApiJson<DecisionWrite>) -> ApiReply {
    caller.must_be_editor("moderate comment")?;
    let decision = match body.action.as_str() {
        "approve" => Decision::Approve,
        "reject" => {
            let reason: String = body.reason.clone().unwrap_or_default().trim().chars().take(200).collect();
            if reason.is_empty() {
                return Err(ApiError::invalid("reason", "A rejection needs the reason its author will see, such as “pseudonymous”."));
            }
            Decision::Reject(reason)
        }
        "feature" => Decision::Feature(true),
        "unfeature" => Decision::Feature(false),
        "dismiss" => Decision::Dismiss,
        _ => return Err(ApiError::invalid("action", "action is approve, reject, feature, unfeature or dismiss.")),
    };
    let store = state.store();
    let comment = store.comment(id).await?.ok_or_else(|| missing("Comment"))?;
    let article = store.article_page_by_id(comment.article_id).await?.ok_or_else(|| missing("Comment"))?;
    let refused = match (&decision, comment.status.as_str()) {
        (_, "deleted") => Some("Its author deleted this comment."),
        (Decision::Feature(_), status) if status != "approved" => Some("Only an approved comment can be featured or unfeatured."),
        _ => None,
    };
    if let Some(why) = refused {
        return Err(ApiError::invalid("action", why));
    }
    let compose = crate::mail::approval_composer(&state, &article, &comment);
    let hook = matches!(decision, Decision::Approve).then(|| comment_body(&state, &article, &comment));
    let who = Moderator { id: caller.staff.user.id, name: &caller.staff.user.name };
    if !store.moderate(id, &decision, who, now_unix(), &compose, hook.as_deref()).await? {
        return Err(missing("Comment"));
    }
    state.wake_mail();
    state.0.webhook_wake.notify_one();
    state.refresh_after_write().await;
    ok(StatusCode::OK, &DecisionDone { id, action: body.action })
}

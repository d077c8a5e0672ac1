//! The frame every API shares: errors in Ghost's shape, the Content API key and the Admin API's
//! credentials (a Ghost token, a Marquee bearer key or a newsroom session), JSON bodies that
//! are checked before anything is read from them, the browse parameters, and CORS. The
//! handlers are `content.rs` (Ghost's Content API), `admin.rs` (Ghost's Admin API) and `v1.rs`
//! (Marquee's own API); `docs.rs` serves the OpenAPI document made from them.

pub mod admin;
pub mod content;
pub mod docs;
pub mod filters;
pub mod v1;

use crate::auth::Staff;
use crate::cookies::{random_token, staff_token, token_hash};
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use marquee_api::token;
use marquee_domain::time::now_unix;
use marquee_domain::Role;
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::net::SocketAddr;
use std::panic::Location;
use utoipa::ToSchema;

/// The OpenAPI document made when the router is built, for `/api/openapi.json` and the
/// newsroom's reference page.
#[derive(Clone)]
pub struct ApiSpec {
    pub json: std::sync::Arc<String>,
}

/// The largest JSON body any endpoint reads.
pub const MAX_BODY: usize = 1024 * 1024;
/// The `formats` a post may be asked for (mobiledoc and lexical are accepted and left out, as
/// Marquee keeps neither).
pub const POST_FORMATS: &[&str] = &["html", "plaintext", "mobiledoc", "lexical"];

/// What an API handler answers.
pub type ApiReply = Result<Response, ApiError>;

/// An error as Ghost answers it: `{"errors": [{...}]}` with every key present.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub errors: Vec<ErrorItem>,
    /// Seconds to wait, for a 429 or 503.
    pub retry_after: Option<i64>,
    /// Made because the database was away: a GET is asked again (see
    /// `respond::retry_while_database_away`).
    pub database_away: bool,
}

/// One error of an answer.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ErrorItem {
    pub message: String,
    pub context: Option<String>,
    /// Ghost's error class, such as `NotFoundError` or `ValidationError`.
    #[serde(rename = "type")]
    pub kind: String,
    #[schema(value_type = Option<Value>)]
    pub details: Option<serde_json::Value>,
    /// The field a validation error is about.
    pub property: Option<String>,
    pub help: Option<String>,
    pub code: Option<String>,
    pub id: String,
    #[serde(rename = "ghostErrorCode")]
    pub ghost_error_code: Option<String>,
}

/// The errors any Content API endpoint may answer with.
#[derive(utoipa::IntoResponses)]
#[allow(dead_code)]
pub enum ContentErrors {
    /// The client's copy is current (a conditional request).
    #[response(status = 304)]
    NotModified,
    /// A parameter, filter or address that cannot be read (`BadRequestError`).
    #[response(status = 400)]
    BadRequest(ErrorBody),
    /// The key is not one of this site's (`UnauthorizedError`).
    #[response(status = 401)]
    Unauthorized(ErrorBody),
    /// No key was given (`NoPermissionError`).
    #[response(status = 403)]
    Forbidden(ErrorBody),
    /// Nothing by that id or slug (`NotFoundError`).
    #[response(status = 404)]
    NotFound(ErrorBody),
    /// A parameter's value is out of range (`ValidationError`).
    #[response(status = 422)]
    Invalid(ErrorBody),
    /// Too many requests from this key and address in a minute (`TooManyRequestsError`).
    #[response(status = 429)]
    TooMany(ErrorBody),
}

/// The errors any Admin API or Marquee API endpoint may answer with.
#[derive(utoipa::IntoResponses)]
#[allow(dead_code)]
pub enum AdminErrors {
    /// The body or a parameter cannot be read (`BadRequestError`).
    #[response(status = 400)]
    BadRequest(ErrorBody),
    /// The token or key is not valid (`UnauthorizedError`).
    #[response(status = 401)]
    Unauthorized(ErrorBody),
    /// No credentials, or the caller's role may not do this (`NoPermissionError`).
    #[response(status = 403)]
    Forbidden(ErrorBody),
    /// Nothing by that id (`NotFoundError`).
    #[response(status = 404)]
    NotFound(ErrorBody),
    /// Someone saved the item since the client read it (`UpdateCollisionError`).
    #[response(status = 409)]
    Conflict(ErrorBody),
    /// The body is larger than 1 MiB.
    #[response(status = 413)]
    TooLarge(ErrorBody),
    /// The body is not JSON.
    #[response(status = 415)]
    NotJson(ErrorBody),
    /// A field is missing or wrong, with the reason (`ValidationError`); nothing was saved.
    #[response(status = 422)]
    Invalid(ErrorBody),
    /// Too many requests from this key and address in a minute.
    #[response(status = 429)]
    TooMany(ErrorBody),
}

/// The body of every error answer.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ErrorBody {
    pub errors: Vec<ErrorItem>,
}

impl ApiError {
    pub fn new(status: StatusCode, kind: &str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            errors: vec![ErrorItem {
                message: message.into(),
                context: None,
                kind: kind.into(),
                details: None,
                property: None,
                help: None,
                code: None,
                id: random_token()[..32].to_string(),
                ghost_error_code: None,
            }],
            retry_after: None,
            database_away: false,
        }
    }

    pub fn context(mut self, context: impl Into<String>) -> ApiError {
        self.errors[0].context = Some(context.into());
        self
    }

    pub fn code(mut self, code: &str) -> ApiError {
        self.errors[0].code = Some(code.into());
        self
    }

    pub fn details(mut self, details: serde_json::Value) -> ApiError {
        self.errors[0].details = Some(details);
        self
    }

    /// A failure the caller cannot fix: 503 with `Retry-After` when the database was away
    /// (send it again, after looking whether it was saved), else 500.
    fn unexpected(e: anyhow::Error, at: &'static Location<'static>) -> ApiError {
        if crate::respond::database_away(&e) {
            tracing::warn!("the database is away: {e:#} (at {at})");
            let mut away = ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "InternalServerError", "The database did not answer. Try again in a few seconds; a write may have been saved before it stopped answering, so read it back first.").code("DATABASE_UNAVAILABLE");
            away.retry_after = Some(2);
            away.database_away = true;
            return away;
        }
        tracing::error!("{e:#} (at {at})");
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "InternalServerError", "An unexpected error occurred, please try again.").code("UNEXPECTED_ERROR")
    }

    pub fn not_found(what: &str, action: &str) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, "NotFoundError", format!("Resource not found error, cannot {action}.")).context(format!("{what} not found."))
    }

    pub fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, "BadRequestError", message)
    }

    /// 422 about one parameter or field.
    pub fn invalid(property: &str, message: impl Into<String>) -> ApiError {
        let mut e = ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "ValidationError", message);
        e.errors[0].property = Some(property.into());
        e
    }

    /// 422 with one error per field, as the newsroom's form would show them.
    pub fn fields(errors: &marquee_domain::FieldErrors) -> ApiError {
        let mut all = ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "ValidationError", "Nothing was saved.");
        all.errors = errors
            .iter()
            .map(|(field, message)| {
                let mut e = ApiError::invalid(field, message.clone()).errors.remove(0);
                e.context = Some("Nothing was saved.".into());
                e
            })
            .collect();
        if all.errors.is_empty() {
            all = ApiError::invalid("", "Nothing was saved.");
        }
        all
    }

    pub fn forbidden(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::FORBIDDEN, "NoPermissionError", message)
    }

    pub fn unauthorized(message: impl Into<String>, code: &str) -> ApiError {
        ApiError::new(StatusCode::UNAUTHORIZED, "UnauthorizedError", message).code(code)
    }
}

impl<E: Into<anyhow::Error>> From<E> for ApiError {
    #[track_caller]
    fn from(e: E) -> ApiError {
        ApiError::unexpected(e.into(), Location::caller())
    }
}

/// An error of the layers the newsroom shares (a store failure in a form check, say) as the
/// API answers it.
impl From<crate::respond::AppError> for ApiError {
    fn from(e: crate::respond::AppError) -> ApiError {
        use crate::respond::AppError;
        match e {
            AppError::Internal(e, at) => ApiError::unexpected(e, at),
            AppError::Page(p) => {
                let kind = match p.status.as_u16() {
                    400 => "BadRequestError",
                    403 => "NoPermissionError",
                    404 => "NotFoundError",
                    429 => "TooManyRequestsError",
                    _ => "ValidationError",
                };
                ApiError::new(p.status, kind, p.title.to_string()).context(p.message.to_string())
            }
            AppError::Response(r) => ApiError::new(r.status(), "InternalServerError", "The request could not be answered."),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = serde_json::to_string(&ErrorBody { errors: self.errors }).unwrap_or_default();
        let mut resp = (self.status, [(header::CONTENT_TYPE, "application/json; charset=utf-8")], body).into_response();
        let h = resp.headers_mut();
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache, private, no-store, must-revalidate, max-stale=0, post-check=0, pre-check=0"));
        if let Some(secs) = self.retry_after {
            h.insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        if self.database_away {
            resp.extensions_mut().insert(crate::respond::DatabaseAway);
        }
        resp
    }
}

/// A JSON answer.
pub fn json<T: Serialize>(status: StatusCode, value: &T) -> Response {
    match serde_json::to_string(value) {
        Ok(body) => (status, [(header::CONTENT_TYPE, "application/json; charset=utf-8")], body).into_response(),
        Err(e) => ApiError::from(e).into_response(),
    }
}

/// The query string's parameters, percent-decoded, with `+` kept as a plus sign (NQL's AND)
/// rather than read as a space. A parameter given twice is an error, as in Ghost.
pub fn query_pairs(raw: Option<&str>) -> Result<Vec<(String, String)>, ApiError> {
    let mut out: Vec<(String, String)> = Vec::new();
    for pair in raw.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let k = percent_decode(&k.replace('+', " "))?;
        // Form encoders write a space as `+`; in a filter a bare `+` is NQL's "and" (as people
        // type it in curl), so only there it stays itself.
        let v = if k == "filter" { percent_decode(v)? } else { percent_decode(&v.replace('+', " "))? };
        if out.iter().any(|(seen, _)| *seen == k) {
            return Err(ApiError::bad_request("Invalid Request").code("INVALID_REQUEST").context(format!("The parameter “{k}” is given more than once.")));
        }
        out.push((k, v));
    }
    Ok(out)
}

fn percent_decode(s: &str) -> Result<String, ApiError> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes.get(i + 1..i + 3).and_then(|h| std::str::from_utf8(h).ok()).and_then(|h| u8::from_str_radix(h, 16).ok());
            match hex {
                Some(b) => {
                    out.push(b);
                    i += 3;
                    continue;
                }
                None => return Err(ApiError::bad_request("The address holds a % that is not followed by two hex digits.")),
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    let text = String::from_utf8(out).map_err(|_| ApiError::bad_request("The query string is not UTF-8 text."))?;
    if text.contains('\0') {
        return Err(ApiError::bad_request("The query string holds a NUL character."));
    }
    Ok(text)
}

/// The client's address, for rate limits.
fn client_ip(parts: &Parts) -> std::net::IpAddr {
    parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip()).unwrap_or(std::net::IpAddr::from([0, 0, 0, 0]))
}

fn too_many(now: i64) -> ApiError {
    let mut e = ApiError::new(StatusCode::TOO_MANY_REQUESTS, "TooManyRequestsError", "Too many requests from this key and address; wait a minute and try again.");
    e.retry_after = Some(crate::api_guard::ApiGuard::retry_after(now));
    e
}

/// A valid Content API key (`?key=`), counted against its rate limit.
pub struct ContentKey;

impl FromRequestParts<AppState> for ContentKey {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let pairs = query_pairs(parts.uri.query())?;
        let Some((_, key)) = pairs.iter().find(|(k, _)| k == "key") else {
            return Err(ApiError::forbidden("Authorization failed")
                .context("Unable to determine the authenticated member or integration. Check the supplied Content API Key and ensure cookies are being passed through if member auth is failing."));
        };
        let now = now_unix();
        let digest = token_hash(key.trim());
        let id = match state.0.api.known_key(&digest) {
            Some(id) => id,
            None => match state.store().api_key("content", &digest).await? {
                Some(k) => {
                    state.0.api.remember_key(&digest, k.id);
                    k.id
                }
                None => return Err(ApiError::unauthorized("Unknown Content API Key", "UNKNOWN_CONTENT_API_KEY")),
            },
        };
        if state.0.api.due_for_touch(id, now) {
            state.store().touch_api_key(id, now).await?;
        }
        if !state.0.api.allow(id, client_ip(parts), now, state.0.config.api_requests_per_minute) {
            return Err(too_many(now));
        }
        Ok(ContentKey)
    }
}

/// Who is calling the Admin API or Marquee's API: a staff member, through an Admin API key
/// (`Authorization: Ghost <token>` or `Authorization: Bearer <id>:<secret>`) or their newsroom
/// session (whose writes pass the CSRF check). The newsroom's role rules apply to them.
pub struct Caller {
    pub staff: Staff,
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let now = now_unix();
        let store = state.store();
        let Some(auth) = parts.headers.get(header::AUTHORIZATION) else {
            // A newsroom session: the browser's cookie, checked like the newsroom's own.
            let user = match staff_token(&parts.headers, state.site().secure_cookies) {
                Some(t) => store.session_user(&token_hash(t), now).await?,
                None => None,
            };
            let Some(user) = user else {
                return Err(ApiError::forbidden("Authorization failed")
                    .context("Unable to determine the authenticated user or integration. Send an Admin API token (Authorization: Ghost <token>), a key (Authorization: Bearer <id>:<secret>), or sign in to the newsroom."));
            };
            let role = Role::parse(&user.role).unwrap_or(Role::Contributor);
            return Ok(Caller { staff: Staff { user, role } });
        };
        let auth = auth.to_str().map_err(|_| ApiError::unauthorized("Authorization header format is \"Authorization: Ghost [token]\"", "INVALID_AUTH_HEADER"))?;
        let (scheme, credential) = auth.trim().split_once(' ').unwrap_or((auth, ""));
        let credential = credential.trim();
        let (key_id, secret_check): (String, Box<dyn Fn(&[u8]) -> Result<(), ApiError> + Send + Sync>) = if scheme.eq_ignore_ascii_case("ghost") {
            let kid = token::key_id(credential).map_err(|e| match e {
                token::TokenError::Malformed => ApiError::bad_request("Invalid token").code("INVALID_JWT"),
                token::TokenError::WrongAlgorithm => ApiError::unauthorized("Invalid token: the token must be signed with HS256.", "INVALID_JWT"),
                _ => ApiError::bad_request("Admin API kid missing.").code("MISSING_ADMIN_API_KID"),
            })?;
            let jwt = credential.to_string();
            (kid, Box::new(move |secret: &[u8]| token::verify(&jwt, secret, now).map(|_| ()).map_err(|e| ApiError::unauthorized(format!("Invalid token: {e}"), "INVALID_JWT"))))
        } else if scheme.eq_ignore_ascii_case("bearer") {
            let (id, given) = token::split_key(credential).ok_or_else(|| ApiError::unauthorized("A bearer key is the Admin API key itself: {id}:{secret}.", "INVALID_AUTH_HEADER"))?;
            let id = id.to_string();
            (
                id,
                Box::new(move |secret: &[u8]| {
                    if crate::csrf::constant_time_eq(secret, &given) {
                        Ok(())
                    } else {
                        Err(ApiError::unauthorized("The key's secret does not match.", "INVALID_API_KEY"))
                    }
                }),
            )
        } else {
            return Err(ApiError::unauthorized("Authorization header format is \"Authorization: Ghost [token]\"", "INVALID_AUTH_HEADER"));
        };
        let Some(key) = store.api_key("admin", &key_id).await? else {
            return Err(ApiError::unauthorized("Unknown Admin API Key", "UNKNOWN_ADMIN_API_KEY"));
        };
        // A secret the store cannot give back as bytes checks nothing: refuse rather than sign
        // with an empty key.
        let secret = hex::decode(&key.secret).ok().filter(|s| !s.is_empty()).ok_or_else(|| anyhow::anyhow!("the secret of Admin API key {} is damaged", key.id))?;
        secret_check(&secret)?;
        if !state.0.api.allow(key.id, client_ip(parts), now, state.0.config.api_requests_per_minute) {
            return Err(too_many(now));
        }
        let user = match key.user_id {
            Some(uid) => store.user_by_id(uid).await?.filter(|u| u.active == 1),
            None => None,
        };
        let Some(user) = user else {
            return Err(ApiError::unauthorized("The staff account this key acts for is deactivated or gone.", "INVALID_API_KEY"));
        };
        if state.0.api.due_for_touch(key.id, now) {
            store.touch_api_key(key.id, now).await?;
        }
        let role = Role::parse(&user.role).unwrap_or(Role::Contributor);
        Ok(Caller { staff: Staff { user, role } })
    }
}

impl Caller {
    pub fn must_be_editor(&self, action: &str) -> Result<(), ApiError> {
        if self.staff.role.can_edit_others() {
            Ok(())
        } else {
            Err(ApiError::forbidden(format!("Permission error, cannot {action}.")).context("Only editors and admins may do this; this key acts for a contributor."))
        }
    }
}

/// Ghost's answer to an id that is not one of its kind's: 422 on `id`.
pub fn bad_id(kind: &str) -> ApiError {
    ApiError::invalid("id", format!("Validation error, cannot read {kind}.")).context("Validation (matches) failed for id")
}

/// A path parameter (`{id}`, `{slug}`): one that cannot be read answers the APIs' error shape,
/// naming the parameter, instead of axum's plain-text rejection.
pub struct ApiPath<T>(pub T);

impl<T: DeserializeOwned + Send> FromRequestParts<AppState> for ApiPath<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(v)) => Ok(ApiPath(v)),
            Err(e) => {
                let name = parts.extensions.get::<axum::extract::MatchedPath>().and_then(|m| m.as_str().split('{').nth(1)).and_then(|n| n.split('}').next()).unwrap_or("id").to_string();
                Err(ApiError::invalid(&name, format!("Validation error: {}.", e.body_text().trim_end_matches('.'))))
            }
        }
    }
}

/// A `\u0000` escape in JSON text (and not an escaped backslash followed by `u0000`).
fn has_escaped_nul(text: &str) -> bool {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'\\' {
            if bytes[i + 1..].starts_with(b"u0000") {
                return true;
            }
            // Whatever follows the backslash is escaped, a backslash included.
            i += 2;
        } else {
            i += 1;
        }
    }
    false
}

/// A JSON body of type `T`: `Content-Type: application/json`, at most [`MAX_BODY`] bytes,
/// UTF-8, and matching `T` exactly (unknown fields are refused). Each failure is a 4xx that
/// says what was wrong, before anything is saved.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let is_json = req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|v| {
            let v = v.to_ascii_lowercase();
            v.starts_with("application/json") || v.starts_with("application/merge-patch+json")
        });
        if !is_json {
            return Err(ApiError::new(StatusCode::UNSUPPORTED_MEDIA_TYPE, "UnsupportedMediaTypeError", "Send the body as JSON with Content-Type: application/json."));
        }
        let too_large = || ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "RequestEntityTooLargeError", format!("The body is larger than {} KiB.", MAX_BODY / 1024));
        // The API's routes read at most MAX_BODY (`lib.rs::api_routes`), so a larger body
        // stops being read there.
        let bytes = Bytes::from_request(req, state).await.map_err(|e| if e.status() == StatusCode::PAYLOAD_TOO_LARGE { too_large() } else { ApiError::bad_request("The body could not be read.") })?;
        if bytes.len() > MAX_BODY {
            return Err(too_large());
        }
        let text = std::str::from_utf8(&bytes).map_err(|_| ApiError::bad_request("The body could not be read: it is not UTF-8 text."))?;
        if text.contains('\0') || has_escaped_nul(text) {
            return Err(ApiError::bad_request("The body holds a NUL character, which no field accepts."));
        }
        let mut de = serde_json::Deserializer::from_str(text);
        match serde_path_to_error::deserialize::<_, T>(&mut de) {
            Ok(v) => {
                de.end().map_err(|e| ApiError::bad_request(format!("The body is not valid JSON: {e}.")))?;
                Ok(ApiJson(v))
            }
            Err(e) if e.inner().is_syntax() || e.inner().is_eof() => Err(ApiError::bad_request(format!("The body is not valid JSON: {}.", e.inner()))),
            Err(e) => {
                let path = e.path().to_string();
                let mut err = ApiError::invalid(&path, format!("Validation error: {}.", e.inner()));
                err.errors[0].context = Some(if path == "." { "The body does not match the request's schema.".into() } else { format!("The field {path} is wrong.") });
                Err(err)
            }
        }
    }
}

/// Browse parameters as Ghost reads them.
#[derive(Debug, Clone, Default)]
pub struct Browse {
    pub include: Vec<String>,
    pub fields: Vec<String>,
    pub formats: Vec<String>,
    pub filter: Option<String>,
    /// `None`: `limit=all`.
    pub limit: Option<i64>,
    pub page: i64,
    /// (field, descending)
    pub order: Vec<(String, bool)>,
}

/// Query parameters an endpoint takes besides `key`; anything else is refused with 400.
pub fn read_browse(pairs: &[(String, String)], allowed: &[&str], formats: &[&str]) -> Result<Browse, ApiError> {
    let mut b = Browse { limit: Some(15), page: 1, formats: vec!["html".into()], ..Default::default() };
    let list = |v: &str| v.split(',').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect::<Vec<_>>();
    for (k, v) in pairs {
        if k == "key" {
            continue;
        }
        if !allowed.contains(&k.as_str()) {
            return Err(ApiError::bad_request(format!("Unknown parameter “{}”.", k.chars().take(40).collect::<String>())).context(format!("This endpoint takes {}.", allowed.join(", "))));
        }
        match k.as_str() {
            "include" => b.include = list(v),
            "fields" => b.fields = list(v),
            "formats" => {
                b.formats = list(v);
                if let Some(bad) = b.formats.iter().find(|f| !formats.contains(&f.as_str())) {
                    let why = if formats.is_empty() { "Only posts and pages come in formats.".to_string() } else { format!("“{bad}” is not one of {}.", formats.join(", ")) };
                    return Err(ApiError::invalid("formats", "Validation (AllowedValues) failed for formats").context(why));
                }
            }
            "filter" => b.filter = Some(v.clone()).filter(|f| !f.trim().is_empty()),
            "limit" => {
                b.limit = match v.trim() {
                    "all" => None,
                    n => Some(n.parse::<i64>().ok().filter(|n| (1..=10_000).contains(n)).ok_or_else(|| ApiError::invalid("limit", "Validation (matches) failed for limit").context("A limit is a whole number from 1 to 10000, or all."))?),
                }
            }
            "page" => b.page = v.trim().parse::<i64>().ok().filter(|n| (1..=1_000_000).contains(n)).ok_or_else(|| ApiError::invalid("page", "Validation (matches) failed for page").context("A page is a whole number from 1 up."))?,
            "order" => {
                if !v.chars().all(|c| c.is_ascii_alphanumeric() || "_,. ".contains(c)) {
                    return Err(ApiError::invalid("order", "Validation (matches) failed for order").context("An order is fields and directions, such as published_at desc,title asc."));
                }
                // Rules without a direction are ignored, as Ghost does.
                b.order = v
                    .split(',')
                    .filter_map(|rule| {
                        let mut words = rule.split_whitespace();
                        match (words.next(), words.next().map(|d| d.to_ascii_lowercase()), words.next()) {
                            (Some(f), Some(d), None) if d == "asc" || d == "desc" => Some((f.to_ascii_lowercase(), d == "desc")),
                            _ => None,
                        }
                    })
                    .collect();
            }
            _ => {}
        }
    }
    Ok(b)
}

/// Keeps only `fields` (and `id`) of each object, when fields were asked for.
pub fn only_fields(mut items: Vec<serde_json::Value>, fields: &[String]) -> Vec<serde_json::Value> {
    if fields.is_empty() {
        return items;
    }
    for item in &mut items {
        if let Some(obj) = item.as_object_mut() {
            obj.retain(|k, _| k == "id" || fields.iter().any(|f| f == k));
        }
    }
    items
}

/// CORS as Ghost does it for the Content API: any origin may read; a preflight is answered
/// at once.
pub async fn content_cors(req: Request, next: Next) -> Response {
    if req.method() == Method::OPTIONS {
        let asked = req.headers().get(header::ACCESS_CONTROL_REQUEST_HEADERS).cloned();
        let mut resp = StatusCode::NO_CONTENT.into_response();
        let h = resp.headers_mut();
        h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
        h.insert(header::ACCESS_CONTROL_ALLOW_METHODS, HeaderValue::from_static("GET,HEAD,OPTIONS"));
        h.insert(header::ACCESS_CONTROL_MAX_AGE, HeaderValue::from_static("86400"));
        if let Some(asked) = asked {
            h.insert(header::ACCESS_CONTROL_ALLOW_HEADERS, asked);
        }
        return resp;
    }
    let mut resp = next.run(req).await;
    let h = resp.headers_mut();
    h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
    h.append(header::VARY, HeaderValue::from_static("Accept-Version"));
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_real_nul_escape_is_refused() {
        assert!(has_escaped_nul(r#"{"a": "x\u0000y"}"#));
        assert!(!has_escaped_nul(r#"{"a": "C:\\u0000 is a path"}"#), "an escaped backslash, then text");
        assert!(has_escaped_nul(r#"{"a": "\\\u0000"}"#), "an escaped backslash, then a NUL escape");
        assert!(!has_escaped_nul(r#"{"a": "\u00001"}"#.replace("0000", "0041").as_str()));
        assert!(!has_escaped_nul("ends with \\"));
    }

    #[test]
    fn a_plus_is_a_space_except_in_filters() {
        let pairs = query_pairs(Some("order=published_at+desc&filter=tag:a+featured:true&fields=title%2Curl")).unwrap();
        assert_eq!(pairs, [("order".to_string(), "published_at desc".to_string()), ("filter".into(), "tag:a+featured:true".into()), ("fields".into(), "title,url".into())]);
    }
}

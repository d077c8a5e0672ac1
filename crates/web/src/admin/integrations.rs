//! Integrations (admins): API keys (Content keys for front ends, Admin keys that act as a
//! staff member), webhooks with their recent deliveries, and the API reference made from the
//! OpenAPI document.

use super::{admin_layout, page, AdminLayout};
use crate::api::ApiSpec;
use crate::auth::Staff;
use crate::api_guard::{issue_key, KeyKind};
use crate::cookies::random_token;
use crate::csrf::CsrfToken;
use crate::respond::{error_page, see_other, Reply};
use crate::state::AppState;
use crate::webhooks::{is_event, EVENTS};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::{Extension, Form};
use marquee_domain::time::{long_datetime, now_unix};
use marquee_domain::FieldErrors;
use serde::{Deserialize, Serialize};

const ADMINS_ONLY: &str = "Only admins manage API keys and webhooks.";

#[derive(Serialize)]
struct KeyRow {
    id: i64,
    kind: &'static str,
    name: String,
    hint: String,
    acts_as: String,
    created: String,
    last_used: String,
    revoked: Option<String>,
}

#[derive(Serialize)]
struct HookRow {
    id: i64,
    name: String,
    event: String,
    target_url: String,
    last: String,
}

#[derive(Serialize)]
struct DeliveryRow {
    event: String,
    hook: String,
    status: String,
    attempts: i64,
    when: String,
    error: String,
}

#[derive(Serialize, Deserialize, Default)]
pub struct KeyForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    user_id: String,
}

#[derive(Serialize, Deserialize, Default)]
pub struct HookForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    event: String,
    #[serde(default)]
    target_url: String,
    #[serde(default)]
    secret: String,
}

/// A key or secret shown once, right after it was made.
#[derive(Serialize)]
struct Made {
    what: String,
    value: String,
}

#[derive(Deserialize)]
pub struct DoneQuery {
    done: Option<String>,
}

#[allow(clippy::too_many_arguments)]
async fn render(state: &AppState, staff: &Staff, csrf: &CsrfToken, status: StatusCode, message: Option<String>, made: Option<Made>, key_form: KeyForm, hook_form: HookForm, errors: FieldErrors) -> Reply {
    let store = state.store();
    let tz = state.site().tz.clone();
    let when = |t: Option<i64>| t.map(|t| long_datetime(t, &tz)).unwrap_or_else(|| "never".into());
    let keys = store
        .api_keys()
        .await?
        .into_iter()
        .map(|k| KeyRow {
            id: k.id,
            kind: if k.kind == "content" { "Content" } else { "Admin" },
            name: k.name,
            hint: k.hint,
            acts_as: k.user_name.map(|n| format!("{n} ({})", k.user_role.unwrap_or_default())).unwrap_or_default(),
            created: when(Some(k.created_at)),
            last_used: when(k.last_used_at),
            revoked: k.revoked_at.map(|t| long_datetime(t, &tz)),
        })
        .collect::<Vec<_>>();
    let hooks = store.webhooks().await?;
    let deliveries = store
        .webhook_deliveries(20)
        .await?
        .into_iter()
        .map(|d| DeliveryRow {
            event: d.event,
            hook: hooks.iter().find(|h| h.id == d.webhook_id).map(|h| h.name.clone()).unwrap_or_default(),
            status: d.status,
            attempts: d.attempts,
            when: when(d.sent_at.or(Some(d.created_at))),
            error: d.last_error,
        })
        .collect::<Vec<_>>();
    let hooks = hooks
        .into_iter()
        .map(|h| HookRow { id: h.id, name: h.name, event: h.event, target_url: h.target_url, last: if h.last_status.is_empty() { "not yet triggered".into() } else { format!("{}: {}", when(h.last_triggered_at), h.last_status) } })
        .collect::<Vec<_>>();
    let staff_list = store.users().await?.into_iter().filter(|u| u.active == 1).map(|u| (u.id.to_string(), format!("{} ({})", u.name, u.role))).collect::<Vec<_>>();
    #[derive(Serialize)]
    struct Ctx {
        admin: AdminLayout,
        message: Option<String>,
        made: Option<Made>,
        keys: Vec<KeyRow>,
        hooks: Vec<HookRow>,
        deliveries: Vec<DeliveryRow>,
        staff: Vec<(String, String)>,
        events: &'static [(&'static str, &'static str)],
        key_form: KeyForm,
        hook_form: HookForm,
        errors: FieldErrors,
        base_url: String,
    }
    let ctx = Ctx {
        admin: admin_layout(state, staff, csrf),
        message,
        made,
        keys,
        hooks,
        deliveries,
        staff: staff_list,
        events: EVENTS,
        key_form,
        hook_form,
        errors,
        base_url: state.site().base().to_string(),
    };
    page(state, status, "admin/integrations.html", ctx)
}

/// `GET /admin/integrations/`
pub async fn integrations(State(state): State<AppState>, staff: Staff, Extension(csrf): Extension<CsrfToken>, Query(q): Query<DoneQuery>) -> Reply {
    staff.must_be_admin(ADMINS_ONLY)?;
    let message = match q.done.as_deref() {
        Some("revoked") => Some("The key is revoked: it no longer works anywhere.".to_string()),
        Some("deleted") => Some("The webhook is deleted, with what was still queued for it.".to_string()),
        Some("retry") => Some("The failed deliveries will be tried again.".to_string()),
        _ => None,
    };
    render(&state, &staff, &csrf, StatusCode::OK, message, None, KeyForm::default(), HookForm::default(), FieldErrors::new()).await
}

/// `POST /admin/integrations/keys`: makes a key and shows it once.
pub async fn add_key(State(state): State<AppState>, staff: Staff, Extension(csrf): Extension<CsrfToken>, Form(f): Form<KeyForm>) -> Reply {
    staff.must_be_admin(ADMINS_ONLY)?;
    let mut errors = FieldErrors::new();
    let name = f.name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        errors.insert("key_name", "Name the key (up to 100 characters), e.g. “Next.js front end”.".into());
    }
    let user = match f.kind.as_str() {
        "content" => None,
        "admin" => match f.user_id.trim().parse::<i64>().ok() {
            Some(id) => match state.store().user_by_id(id).await?.filter(|u| u.active == 1) {
                Some(u) => Some(u),
                None => {
                    errors.insert("user_id", "Choose the active staff member the key acts as; the key has their role.".into());
                    None
                }
            },
            None => {
                errors.insert("user_id", "Choose the staff member the key acts as; the key has their role.".into());
                None
            }
        },
        _ => {
            errors.insert("kind", "Choose a Content key or an Admin key.".into());
            None
        }
    };
    if !errors.is_empty() {
        return render(&state, &staff, &csrf, StatusCode::UNPROCESSABLE_ENTITY, Some(super::NOT_SAVED.into()), None, f, HookForm::default(), errors).await;
    }
    let now = now_unix();
    let made = match user {
        None => Made { what: format!("Content API key “{name}”"), value: issue_key(state.store(), KeyKind::Content, name, Some(staff.user.id), now).await? },
        Some(u) => {
            let value = issue_key(state.store(), KeyKind::Admin { user_id: u.id }, name, Some(staff.user.id), now).await?;
            Made { what: format!("Admin API key “{name}”, acting as {}", u.name), value }
        }
    };
    let message = Some("Copy the key now: it is shown only this once. Revoke it here when it is no longer needed.".to_string());
    render(&state, &staff, &csrf, StatusCode::OK, message, Some(made), KeyForm::default(), HookForm::default(), FieldErrors::new()).await
}

/// `POST /admin/integrations/keys/{id}/revoke`
pub async fn revoke_key(State(state): State<AppState>, staff: Staff, Path(id): Path<i64>) -> Reply {
    staff.must_be_admin(ADMINS_ONLY)?;
    if !state.store().revoke_api_key(id, now_unix()).await? {
        return Err(error_page(StatusCode::NOT_FOUND, "No such key", "There is no key with that number that is still in use."));
    }
    state.refresh_after_write().await;
    Ok(see_other("/admin/integrations/?done=revoked"))
}

/// `POST /admin/integrations/webhooks`: registers a webhook.
pub async fn add_hook(State(state): State<AppState>, staff: Staff, Extension(csrf): Extension<CsrfToken>, Form(f): Form<HookForm>) -> Reply {
    staff.must_be_admin(ADMINS_ONLY)?;
    let mut errors = FieldErrors::new();
    let name = f.name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        errors.insert("hook_name", "Name the webhook (up to 100 characters).".into());
    }
    if !is_event(&f.event) {
        errors.insert("event", "Choose an event.".into());
    }
    let url = f.target_url.trim();
    let parsed = url::Url::parse(url).ok().filter(|u| matches!(u.scheme(), "http" | "https") && u.host_str().is_some());
    if parsed.is_none() || url.len() > 2000 {
        errors.insert("target_url", "Give the address to POST to, starting with https:// (or http://).".into());
    }
    let secret = f.secret.trim();
    if secret.len() > 200 {
        errors.insert("secret", "A secret is at most 200 characters; leave it blank to have one made.".into());
    }
    if !errors.is_empty() {
        return render(&state, &staff, &csrf, StatusCode::UNPROCESSABLE_ENTITY, Some(super::NOT_SAVED.into()), None, KeyForm::default(), f, errors).await;
    }
    let secret = if secret.is_empty() { random_token() } else { secret.to_string() };
    state.store().create_webhook(name, &f.event, url, &secret, Some(staff.user.id), now_unix()).await?;
    let made = Made { what: format!("The secret of webhook “{name}” (deliveries carry X-Ghost-Signature: sha256=HMAC(secret, body + t), t=milliseconds)"), value: secret };
    render(&state, &staff, &csrf, StatusCode::OK, Some("The webhook is registered.".into()), Some(made), KeyForm::default(), HookForm::default(), FieldErrors::new()).await
}

/// `POST /admin/integrations/webhooks/{id}/delete`
pub async fn delete_hook(State(state): State<AppState>, staff: Staff, Path(id): Path<i64>) -> Reply {
    staff.must_be_admin(ADMINS_ONLY)?;
    if !state.store().delete_webhook(id).await? {
        return Err(error_page(StatusCode::NOT_FOUND, "No such webhook", "It may have been deleted already."));
    }
    Ok(see_other("/admin/integrations/?done=deleted"))
}

/// `POST /admin/integrations/webhooks/retry`
pub async fn retry_hooks(State(state): State<AppState>, staff: Staff) -> Reply {
    staff.must_be_admin(ADMINS_ONLY)?;
    state.store().retry_failed_webhooks(now_unix()).await?;
    state.0.webhook_wake.notify_one();
    Ok(see_other("/admin/integrations/?done=retry"))
}

#[derive(Serialize)]
struct Operation {
    method: String,
    path: String,
    summary: String,
    anchor: String,
    params: Vec<(String, String, String)>,
    body: Option<String>,
    responses: Vec<(String, String)>,
}

/// `GET /admin/api/`: the API reference, read from the OpenAPI document (staff only; nothing
/// is loaded from another host).
pub async fn reference(State(state): State<AppState>, staff: Staff, Extension(csrf): Extension<CsrfToken>, Extension(spec): Extension<ApiSpec>) -> Reply {
    let doc: serde_json::Value = serde_json::from_str(&spec.json)?;
    let mut groups: Vec<(String, Vec<Operation>)> = Vec::new();
    let name_of = |r: &serde_json::Value| r.as_str().and_then(|s| s.rsplit('/').next()).unwrap_or("").to_string();
    for (path, item) in doc["paths"].as_object().into_iter().flatten() {
        for (method, op) in item.as_object().into_iter().flatten() {
            let tag = op["tags"][0].as_str().unwrap_or("Other").to_string();
            let params = op["parameters"].as_array().into_iter().flatten().map(|p| (p["name"].as_str().unwrap_or("").to_string(), p["in"].as_str().unwrap_or("").to_string(), p["description"].as_str().unwrap_or("").to_string())).collect();
            let body = op["requestBody"]["content"]["application/json"]["schema"]["$ref"].as_str().map(|r| name_of(&serde_json::json!(r)));
            let responses = op["responses"]
                .as_object()
                .into_iter()
                .flatten()
                .map(|(code, r)| (code.clone(), r["description"].as_str().unwrap_or("").lines().next().unwrap_or("").to_string()))
                .collect();
            let operation = Operation {
                method: method.to_uppercase(),
                path: path.clone(),
                summary: op["summary"].as_str().or(op["description"].as_str()).unwrap_or("").lines().next().unwrap_or("").to_string(),
                anchor: format!("{}-{}", method, path.replace(['/', '{', '}'], "-")).replace("--", "-"),
                params,
                body,
                responses,
            };
            match groups.iter_mut().find(|(t, _)| *t == tag) {
                Some((_, ops)) => ops.push(operation),
                None => groups.push((tag, vec![operation])),
            }
        }
    }
    #[derive(Serialize)]
    struct Ctx {
        admin: AdminLayout,
        message: Option<String>,
        groups: Vec<(String, Vec<Operation>)>,
        description: String,
    }
    let description = doc["info"]["description"].as_str().unwrap_or("").to_string();
    page(&state, StatusCode::OK, "admin/api.html", Ctx { admin: admin_layout(&state, &staff, &csrf), message: None, groups, description })
}

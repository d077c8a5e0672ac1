//! The newsroom's network page at `/admin/network/`: follow other papers by handle or
//! address, see each peer's state, read a ranking again, stop following, block and unblock
//! domains, and retry failed deliveries. Admins only.

use super::{admin_layout, page, AdminLayout};
use crate::auth::Staff;
use crate::csrf::CsrfToken;
use crate::respond::{error_page, see_other, Reply};
use crate::state::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::{Extension, Form};
use marquee_domain::time::{long_datetime, now_unix};
use serde::{Deserialize, Serialize};

#[derive(Serialize)]
struct PeerRow {
    id: i64,
    name: String,
    handle: String,
    site_url: String,
    state: &'static str,
    state_class: String,
    last_read: String,
    last_error: String,
    blocked: bool,
    host: String,
}

fn describe(state: &str) -> &'static str {
    match state {
        "pending" => "Pending: waiting for the paper to accept",
        "following" => "Following",
        "failing" => "Failing",
        "blocked" => "Blocked",
        _ => "Unknown",
    }
}

#[derive(Serialize)]
struct Ctx<'a> {
    admin: AdminLayout,
    message: Option<String>,
    error: Option<String>,
    handle: &'a str,
    domain: &'a str,
    me: String,
    peers: Vec<PeerRow>,
    followers: i64,
    blocked: Vec<String>,
    waiting: i64,
    failed: i64,
}

async fn render(state: &AppState, staff: &Staff, csrf: &CsrfToken, status: StatusCode, message: Option<String>, error: Option<String>, handle: &str, domain: &str) -> Reply {
    let store = state.store();
    let loaded = async {
        let peers = store.peers().await?;
        let followers = store.follower_count().await?;
        let blocked = store.blocked_domains().await?;
        let (waiting, failed) = store.delivery_counts().await?;
        Ok::<_, marquee_store::StoreError>((peers, followers, blocked, waiting, failed))
    };
    let (peers, followers, blocked, waiting, failed) = loaded.await?;
    let site = state.site();
    let peers = peers
        .into_iter()
        .map(|p| PeerRow {
            id: p.id,
            name: if p.name.is_empty() { p.host.clone() } else { p.name.clone() },
            state: describe(&p.state),
            state_class: format!("peer-{}", p.state),
            last_read: p.trending_fetched_at.map(|t| long_datetime(t, &site.tz)).unwrap_or_else(|| "never".into()),
            last_error: p.last_error,
            blocked: p.state == "blocked",
            handle: p.handle,
            site_url: p.site_url,
            host: p.host,
        })
        .collect();
    let me = state.identity();
    let me = format!("@{}@{}", me.username, me.host());
    page(state, status, "admin/network.html", Ctx { admin: admin_layout(state, staff, csrf), message, error, handle, domain, me, peers, followers, blocked, waiting, failed })
}

#[derive(Deserialize)]
pub struct Done {
    done: Option<String>,
}

pub async fn network(State(state): State<AppState>, staff: Staff, Extension(csrf): Extension<CsrfToken>, Query(q): Query<Done>) -> Reply {
    staff.must_be_admin("Only admins manage the paper's network.")?;
    let message = match q.done.as_deref() {
        Some("follow") => Some("Follow sent. The paper shows as following once it accepts.".to_string()),
        Some("unfollow") => Some("No longer following that paper.".to_string()),
        Some("refresh") => Some("The paper's ranking will be read again within seconds.".to_string()),
        Some("block") => Some("Domain blocked.".to_string()),
        Some("unblock") => Some("Block lifted.".to_string()),
        Some("retry") => Some("Failed deliveries are queued again.".to_string()),
        _ => None,
    };
    render(&state, &staff, &csrf, StatusCode::OK, message, None, "", "").await
}

#[derive(Deserialize)]
pub struct FollowForm {
    #[serde(default)]
    handle: String,
}

pub async fn follow(State(state): State<AppState>, staff: Staff, Extension(csrf): Extension<CsrfToken>, Form(f): Form<FollowForm>) -> Reply {
    staff.must_be_admin("Only admins manage the paper's network.")?;
    match state.follow_paper(&f.handle).await {
        Ok(_) => Ok(see_other("/admin/network/?done=follow")),
        Err(e) => render(&state, &staff, &csrf, StatusCode::UNPROCESSABLE_ENTITY, None, Some(e), &f.handle, "").await,
    }
}

pub async fn peer_action(State(state): State<AppState>, staff: Staff, Path((id, action)): Path<(i64, String)>) -> Reply {
    staff.must_be_admin("Only admins manage the paper's network.")?;
    let peer = match state.store().peer(id).await? {
        Some(p) => p,
        None => return Err(error_page(StatusCode::NOT_FOUND, "No such paper", "That paper is not in the network list any more.")),
    };
    let r = match action.as_str() {
        "unfollow" => state.unfollow_paper(&peer).await,
        "refresh" => state.store().trending_due_now(peer.id).await.map_err(anyhow::Error::from),
        _ => return Err(error_page(StatusCode::NOT_FOUND, "No such action", "A paper can be unfollowed or read again.")),
    };
    r?;
    Ok(see_other(&format!("/admin/network/?done={action}")))
}

#[derive(Deserialize)]
pub struct DomainForm {
    #[serde(default)]
    domain: String,
}

/// A domain as typed, or the host of a handle or address: `example.org`.
fn domain_of(input: &str) -> Result<String, String> {
    let input = input.trim();
    let host = if input.contains("://") {
        marquee_federation::host_of(input).unwrap_or_default()
    } else {
        input.trim_start_matches('@').rsplit('@').next().unwrap_or_default().trim_end_matches('/').to_ascii_lowercase()
    };
    let ok = !host.is_empty() && host.len() <= 253 && host.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'));
    if ok {
        Ok(host)
    } else {
        Err("Enter a domain such as example.org (a handle or an address works too).".into())
    }
}

pub async fn block(State(state): State<AppState>, staff: Staff, Extension(csrf): Extension<CsrfToken>, Form(f): Form<DomainForm>) -> Reply {
    staff.must_be_admin("Only admins manage the paper's network.")?;
    let domain = match domain_of(&f.domain) {
        Ok(d) => d,
        Err(e) => return render(&state, &staff, &csrf, StatusCode::UNPROCESSABLE_ENTITY, None, Some(e), "", &f.domain).await,
    };
    state.block_domain(&domain).await?;
    Ok(see_other("/admin/network/?done=block"))
}

pub async fn unblock(State(state): State<AppState>, staff: Staff, Extension(csrf): Extension<CsrfToken>, Form(f): Form<DomainForm>) -> Reply {
    staff.must_be_admin("Only admins manage the paper's network.")?;
    match state.unblock_domain(f.domain.trim()).await? {
        errors if errors.is_empty() => Ok(see_other("/admin/network/?done=unblock")),
        errors => render(&state, &staff, &csrf, StatusCode::OK, Some("Block lifted.".into()), Some(format!("Following again failed for {}", errors.join("; "))), "", "").await,
    }
}

pub async fn retry(State(state): State<AppState>, staff: Staff) -> Reply {
    staff.must_be_admin("Only admins manage the paper's network.")?;
    state.store().retry_failed_deliveries(now_unix()).await?;
    state.0.delivery_wake.notify_one();
    Ok(see_other("/admin/network/?done=retry"))
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_domain_is_read_from_a_handle_an_address_or_itself() {
        assert_eq!(super::domain_of("Example.org").unwrap(), "example.org");
        assert_eq!(super::domain_of("@paper@news.example.org").unwrap(), "news.example.org");
        assert_eq!(super::domain_of("https://example.org/actor").unwrap(), "example.org");
        assert!(super::domain_of("<script>").is_err());
        assert!(super::domain_of("").is_err());
    }
}

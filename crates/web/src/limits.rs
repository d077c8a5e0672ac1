//! Rate limits on what readers do that costs the paper (comments, reports, new accounts,
//! mail), per account and per network address, counted in the database so that several
//! servers share them; and the honeypot field of public forms.

use crate::respond::{error_page, AppError};
use crate::state::AppState;
use axum::http::StatusCode;
use marquee_domain::time::now_unix;
use std::net::SocketAddr;

pub fn client_ip(peer: &SocketAddr) -> String {
    peer.ip().to_string()
}

/// Things readers do that are rate-limited.
#[derive(Clone, Copy)]
pub enum Action {
    Comment,
    Report,
    Register,
    Mail,
}

/// Counts an action by `account` (a reader id or an address) from `ip`; a 429 page saying
/// when to try again when a limit is reached.
pub async fn rate_limit(state: &AppState, action: Action, account: &str, ip: &str) -> Result<(), AppError> {
    match over_limit(state, action, account, ip).await {
        Ok(()) => Ok(()),
        Err(Ok(message)) => Err(error_page(StatusCode::TOO_MANY_REQUESTS, "Slow down, please", message)),
        Err(Err(resp)) => Err(resp),
    }
}

/// Like [`rate_limit`], but hands back the message so that a form can be shown again with
/// what was typed: `Err(Ok(message))` when a limit is reached.
pub async fn over_limit(state: &AppState, action: Action, account: &str, ip: &str) -> Result<(), Result<String, AppError>> {
    let r = &state.0.config.rate;
    let (name, per_account, per_ip, what) = match action {
        Action::Comment => ("comment", r.comments_per_account, r.comments_per_ip, "comments"),
        Action::Report => ("report", r.reports_per_account, r.reports_per_ip, "reports"),
        Action::Register => ("register", i64::MAX, r.registrations_per_ip, "new accounts"),
        Action::Mail => ("mail", r.mail_per_account, r.mail_per_ip, "emails"),
    };
    let account_key = format!("{name}:account:{account}");
    let ip_key = format!("{name}:ip:{ip}");
    let now = now_unix();
    let hit = state.store().rate_limit(&[(account_key.as_str(), per_account), (ip_key.as_str(), per_ip)], now, now - r.window_secs).await.map_err(|e| Err(e.into()))?;
    match hit {
        None => Ok(()),
        Some(_) => {
            let minutes = (r.window_secs + 59) / 60;
            Err(Ok(format!("Too many {what} in a short time from this account or network. Wait {minutes} minutes and try again; nothing was sent.")))
        }
    }
}

/// The honeypot: a field people never see and bots fill in.
pub fn honeypot_tripped(value: &str) -> bool {
    !value.is_empty()
}

//! The background loops every server runs beside its requests, started by [`spawn_all`] from
//! the app's entry point (`lib.rs::serve_until`). Each loop only decides when to work; the
//! work itself is in the service modules, and every piece of it is claimed in the database
//! (or harmless to repeat), so several servers on one database can run all of them.

use crate::state::AppState;
use marquee_domain::time::now_unix;
use std::time::Duration;

/// Starts every loop: change notices, the search index, housekeeping, mail, activity
/// deliveries, the network, webhooks and image renditions.
pub fn spawn_all(state: &AppState) {
    spawn_change_notices(state);
    spawn_search(state);
    spawn_housekeeping(state);
    spawn_mail(state);
    spawn_deliveries(state);
    spawn_network(state);
    spawn_webhooks(state);
    spawn_media(state);
}

/// Reads the search log into this server's index every second, so that edits made on any
/// server are found here without waiting for a search to ask (a search also reads a short
/// backlog itself before it runs).
fn spawn_search(state: &AppState) {
    let state = state.clone();
    tokio::spawn(async move {
        loop {
            if let Err(e) = state.store().sync_search().await {
                tracing::warn!("reading the search log failed: {e}");
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    });
}

/// Makes renditions of uploaded images: at once after a full batch, else when an upload wakes
/// it or after two seconds (for uploads on another server, and retries).
fn spawn_media(state: &AppState) {
    let state = state.clone();
    tokio::spawn(async move {
        loop {
            match crate::media::run_jobs(&state).await {
                Ok(n) if n as i64 == crate::media::MEDIA_BATCH => continue,
                Ok(_) => {}
                Err(e) => tracing::warn!("making renditions failed: {e:#}"),
            }
            let _ = tokio::time::timeout(Duration::from_secs(2), state.0.media_wake.notified()).await;
        }
    });
}

/// On PostgreSQL: listens for changes made by any server on the database (a notice the
/// database sends when the content version moves) and re-reads the site at once. While no
/// listening connection is up, the housekeeping loop reads the content version every second
/// instead. Each new connection listens first and then re-reads the site once, so a change
/// committed while it was down is caught either way. After 30 quiet seconds it sends itself a
/// notice and, unless that comes back within 5, reads the version each second for five
/// minutes before listening again; a failed re-read gives the connection up too, since the
/// notice that asked for it is spent.
fn spawn_change_notices(state: &AppState) {
    use std::sync::atomic::Ordering;
    const QUIET: Duration = Duration::from_secs(30);
    const ECHO: Duration = Duration::from_secs(5);
    let state = state.clone();
    tokio::spawn(async move {
        loop {
            let mut listener = match state.store().listen_for_changes().await {
                Ok(Some(l)) => l,
                Ok(None) => return,
                Err(e) => {
                    tracing::warn!("cannot listen for changes (reading the content version each second instead): {e}");
                    tokio::time::sleep(Duration::from_secs(5)).await;
                    continue;
                }
            };
            state.0.listening.store(true, Ordering::Relaxed);
            state.0.listens.fetch_add(1, Ordering::Relaxed);
            // How long to read the version each second before listening again.
            let mut pause = Duration::from_millis(100);
            loop {
                if let Err(e) = state.refresh().await {
                    tracing::warn!("refresh failed: {e:#}");
                    break;
                }
                let heard = match tokio::time::timeout(QUIET, listener.next()).await {
                    Ok(heard) => heard,
                    Err(_) => {
                        // Perhaps deaf: signed-in readers are read from the database until
                        // a notice comes back.
                        listener.quiet();
                        match state.store().ping_listeners().await {
                            Ok(()) => tokio::time::timeout(ECHO, listener.next()).await.unwrap_or_else(|_| {
                                // Deaf, perhaps for good (a pooler): a while on the clock first.
                                pause = Duration::from_secs(300);
                                Ok(false)
                            }),
                            Err(e) => Err(e),
                        }
                    }
                };
                match heard {
                    Ok(true) => {}
                    Ok(false) => {
                        tracing::warn!("the connection listening for changes was lost or hears nothing; connecting again");
                        break;
                    }
                    Err(e) => {
                        tracing::warn!("listening for changes failed: {e}");
                        break;
                    }
                }
            }
            state.0.listening.store(false, Ordering::Relaxed);
            tokio::time::sleep(pause).await;
        }
    });
}

/// Once a second: follows the content version where no change notices come (SQLite, or a
/// PostgreSQL listener that is down; a minute apart otherwise, in case one was missed) and
/// drops cached pages when a scheduled article's time comes. Less often: writes
/// page views, ranks Most Popular again, sends daily digests, and clears expired rows.
fn spawn_housekeeping(state: &AppState) {
    let state = state.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(1));
        let mut ticks: u64 = 0;
        loop {
            tick.tick().await;
            ticks += 1;
            let now = now_unix();
            if ticks % 3600 == 1 {
                let store = state.store();
                if let Err(e) = store.delete_expired_sessions(now).await {
                    tracing::warn!("session cleanup failed: {e}");
                }
                if let Err(e) = store.delete_expired_reader_sessions(now).await {
                    tracing::warn!("reader session cleanup failed: {e}");
                }
                if let Err(e) = store.prune_rate_events(now - 86400).await {
                    tracing::warn!("rate-limit cleanup failed: {e}");
                }
                if let Err(e) = store.prune_views(now - 100 * 86400).await {
                    tracing::warn!("page-view cleanup failed: {e}");
                }
            }
            if ticks % crate::pageviews::FLUSH_SECS == 0 {
                if let Err(e) = state.flush_views().await {
                    tracing::warn!("writing page views failed (kept for the next try): {e:#}");
                }
            }
            if ticks % 30 == 3 {
                // Ranks Most Popular again when due, dropping cached pages if it changed.
                if let Err(e) = state.boxes().await {
                    tracing::warn!("rebuilding the boxes failed: {e:#}");
                }
            }
            if ticks % 60 == 2 {
                if let Err(e) = state.run_digests(now).await {
                    tracing::warn!("daily digests failed: {e:#}");
                }
            }
            if !state.0.listening.load(std::sync::atomic::Ordering::Relaxed) || ticks % 60 == 0 {
                if let Err(e) = state.refresh().await {
                    tracing::warn!("refresh failed: {e:#}");
                }
            }
            if state.0.cache.expire_if_due(now_unix()) {
                if let Err(e) = state.refresh_schedule().await {
                    tracing::warn!("schedule refresh failed: {e:#}");
                }
            }
        }
    });
}

/// Sends the outbox: wakes when mail is queued here, and every second for mail queued by
/// another server or due for a retry. Without a mail transport, mail waits in the outbox.
fn spawn_mail(state: &AppState) {
    if state.0.config.mail.mailer().is_none() {
        return;
    }
    let state = state.clone();
    tokio::spawn(async move {
        loop {
            if let Err(e) = crate::mail::deliver_due(&state).await {
                tracing::warn!("mail delivery failed: {e:#}");
            }
            let _ = tokio::time::timeout(Duration::from_secs(1), state.0.mail_wake.notified()).await;
        }
    });
}

/// Delivers queued activities, signed with the paper's key: at once after a full batch,
/// else when woken or after a second.
fn spawn_deliveries(state: &AppState) {
    let state = state.clone();
    tokio::spawn(async move {
        loop {
            match crate::delivery::deliver_due(&state).await {
                // A full batch: there may be more due at once.
                Ok(n) if n as i64 == crate::delivery::DELIVERY_BATCH => continue,
                Ok(_) => {}
                Err(e) => tracing::warn!("activity delivery failed: {e:#}"),
            }
            let _ = tokio::time::timeout(Duration::from_secs(1), state.0.delivery_wake.notified()).await;
        }
    });
}

/// Delivers queued webhook events: at once after a full batch, else when woken or after a
/// second.
fn spawn_webhooks(state: &AppState) {
    let state = state.clone();
    tokio::spawn(async move {
        loop {
            match crate::webhooks::deliver_due(&state).await {
                Ok(n) if n as i64 == crate::webhooks::WEBHOOK_BATCH => continue,
                Ok(_) => {}
                Err(e) => tracing::warn!("webhook delivery failed: {e:#}"),
            }
            let _ = tokio::time::timeout(Duration::from_secs(1), state.0.webhook_wake.notified()).await;
        }
    });
}

/// Every two seconds: tells followers and webhooks about changed articles and reads the
/// peers' rankings that are due.
fn spawn_network(state: &AppState) {
    let state = state.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(2));
        loop {
            tick.tick().await;
            if let Err(e) = state.sync_network().await {
                tracing::warn!("telling followers about articles failed: {e:#}");
            }
            if let Err(e) = state.sync_webhooks().await {
                tracing::warn!("telling webhooks about articles failed: {e:#}");
            }
            if let Err(e) = state.read_peers().await {
                tracing::warn!("reading peers' rankings failed: {e:#}");
            }
        }
    });
}

//! What every handler and worker shares: the configuration, the store, the templates, the
//! site as last read, and each server's in-memory caches and counters. State only: the
//! background loops are in `workers.rs`, what they do in the service modules.

use crate::api_guard::ApiGuard;
use crate::boxes::{BoxCache, Boxes};
use crate::cache::PageCache;
use crate::fetch::Fetcher;
use crate::pageviews::ViewCounter;
use crate::render::Templates;
use crate::site::{load_site, SiteInfo};
use marquee_store::Store;
use std::path::PathBuf;
use std::sync::{Arc, RwLock};
use std::time::Duration;

/// How the web layer is set up; filled from the configuration file and environment.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// A directory whose `templates/` and `static/` override the embedded default theme.
    pub theme_dir: Option<PathBuf>,
    /// Keep rendered public pages in memory until content changes.
    pub page_cache: bool,
    /// Keep the article boxes in memory between changes (off only to measure what it saves).
    pub box_cache: bool,
    /// Let federation reach loopback and private addresses (tests; papers on one private
    /// network). Off, other servers can never make this one fetch from its own network.
    pub allow_private_fetch: bool,
    /// Failed sign-ins allowed per account and per address in `login_window_secs`.
    pub login_max_failures: i64,
    pub login_window_secs: i64,
    /// How mail leaves the site; without a mailer, mail waits in the outbox.
    pub mail: MailConfig,
    pub rate: RateLimits,
    /// URLs per sitemap file; the protocol allows at most 50,000.
    pub sitemap_page_size: i64,
    /// Requests an API key may make from one address in a minute, per server (0: no limit).
    pub api_requests_per_minute: u32,
    /// Where media library files live.
    pub media: marquee_media::Storage,
    /// How large an upload may be.
    pub media_limits: marquee_media::Limits,
    /// Reverse proxies whose `X-Forwarded-For` names the reader (see `proxy.rs`).
    pub trusted_proxies: crate::proxy::TrustedProxies,
}

/// The transport outgoing mail goes through, if any.
#[derive(Clone, Default)]
pub struct MailConfig(Option<Arc<marquee_mail::Mailer>>);

impl MailConfig {
    pub fn new(mailer: marquee_mail::Mailer) -> MailConfig {
        MailConfig(Some(Arc::new(mailer)))
    }

    pub fn mailer(&self) -> Option<&marquee_mail::Mailer> {
        self.0.as_deref()
    }
}

impl std::fmt::Debug for MailConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.mailer() {
            Some(m) => write!(f, "{}", m.describe()),
            None => write!(f, "no mail transport"),
        }
    }
}

/// How often readers may do things that cost the paper (moderation time, mail), per account
/// and per network address, within `window_secs`.
#[derive(Debug, Clone)]
pub struct RateLimits {
    pub window_secs: i64,
    pub comments_per_account: i64,
    pub comments_per_ip: i64,
    pub reports_per_account: i64,
    pub reports_per_ip: i64,
    pub registrations_per_ip: i64,
    /// Verification, reset and change-of-address mails.
    pub mail_per_account: i64,
    pub mail_per_ip: i64,
}

impl Default for RateLimits {
    fn default() -> Self {
        RateLimits {
            window_secs: 600,
            comments_per_account: 5,
            comments_per_ip: 20,
            reports_per_account: 10,
            reports_per_ip: 30,
            registrations_per_ip: 5,
            mail_per_account: 3,
            mail_per_ip: 10,
        }
    }
}

impl Default for WebConfig {
    fn default() -> Self {
        WebConfig { theme_dir: None, page_cache: true, box_cache: true, allow_private_fetch: false, login_max_failures: 5, login_window_secs: 15 * 60, mail: MailConfig::default(), rate: RateLimits::default(), sitemap_page_size: 50_000, api_requests_per_minute: 600,
            media: marquee_media::Storage::Local(PathBuf::from("./marquee-data/media")), media_limits: marquee_media::Limits::default(), trusted_proxies: Default::default() }
    }
}

#[derive(Clone)]
pub struct AppState(pub(crate) Arc<Inner>);

pub(crate) struct Inner {
    pub store: Store,
    pub config: WebConfig,
    pub templates: Templates,
    pub site: RwLock<Arc<SiteInfo>>,
    pub cache: PageCache,
    /// Signs links in mail; the same on every server of a site.
    pub secret: String,
    /// The secret as the key of forms' tokens (`csrf`).
    pub csrf_key: hmac::Hmac<sha2::Sha256>,
    /// Wakes the mail worker when something is queued.
    pub mail_wake: tokio::sync::Notify,
    /// Article views not yet written to the database.
    pub views: ViewCounter,
    /// The boxes around articles, rebuilt when content changes.
    pub boxes: BoxCache,
    /// The paper's ActivityPub key pair, read (or made) on first use.
    pub federation_keys: tokio::sync::OnceCell<Arc<marquee_federation::KeyPair>>,
    /// Fetches and delivers to other servers, with address checks.
    pub fetcher: Fetcher,
    /// Wakes the delivery worker when activities are queued.
    pub delivery_wake: tokio::sync::Notify,
    /// Checked API keys and per-minute request counts.
    pub api: ApiGuard,
    /// Wakes the webhook worker when deliveries are queued.
    pub webhook_wake: tokio::sync::Notify,
    /// Wakes the rendition worker when an image is uploaded.
    pub media_wake: tokio::sync::Notify,
    /// A connection is listening for other servers' changes (PostgreSQL), so the content
    /// version need not be read every second.
    pub listening: std::sync::atomic::AtomicBool,
    /// How many times a listening connection was set up (tests watch it reconnect).
    pub listens: std::sync::atomic::AtomicU64,
    /// Held by [`AppState::refresh`].
    pub refreshing: tokio::sync::Mutex<()>,
}

impl AppState {
    pub async fn new(store: Store, config: WebConfig) -> anyhow::Result<AppState> {
        let templates = Templates::new(config.theme_dir.clone())?;
        let config_allow_private = config.allow_private_fetch;
        let site = load_site(&store).await?;
        let cache = PageCache::new(config.page_cache);
        let secret = store.mail_secret(&crate::cookies::random_token()).await?;
        let csrf_key = crate::cookies::token_key(secret.as_bytes());
        let state = AppState(Arc::new(Inner { store, config, templates, site: RwLock::new(Arc::new(site)), cache, secret, csrf_key,
            mail_wake: tokio::sync::Notify::new(),
            views: Default::default(),
            boxes: BoxCache::default(),
            federation_keys: Default::default(),
            fetcher: Fetcher::new(config_allow_private, Duration::from_secs(10)),
            delivery_wake: tokio::sync::Notify::new(),
            api: ApiGuard::default(),
            webhook_wake: tokio::sync::Notify::new(),
            media_wake: tokio::sync::Notify::new(),
            listening: std::sync::atomic::AtomicBool::new(false),
            listens: std::sync::atomic::AtomicU64::new(0),
            refreshing: tokio::sync::Mutex::new(()),
        }));
        state.refresh_schedule().await?;
        Ok(state)
    }

    /// Lets the mail worker know that mail was queued.
    pub fn wake_mail(&self) {
        self.0.mail_wake.notify_one();
    }

    /// Whether this server hears of changes by notice (PostgreSQL, listener connected) rather
    /// than by reading the content version each second.
    pub fn listening_for_changes(&self) -> bool {
        self.0.listening.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// How many listening connections this server has set up so far.
    pub fn listens_so_far(&self) -> u64 {
        self.0.listens.load(std::sync::atomic::Ordering::Relaxed)
    }

    pub fn store(&self) -> &Store {
        &self.0.store
    }

    pub(crate) fn site(&self) -> Arc<SiteInfo> {
        self.0.site.read().unwrap().clone()
    }

    /// Re-reads the site after a change (here or on another server): settings, sections, and
    /// the page cache, which is emptied when the content version moved.
    pub async fn refresh(&self) -> anyhow::Result<()> {
        // One at a time: two refreshes at once could install an older reading over a newer.
        let _turn = self.0.refreshing.lock().await;
        let version = self.0.store.content_version().await?;
        if version != self.site().version {
            let site = load_site(&self.0.store).await?;
            *self.0.site.write().unwrap() = Arc::new(site);
            self.0.cache.clear();
            self.0.api.forget_keys();
            self.refresh_schedule().await?;
        }
        Ok(())
    }

    /// [`AppState::refresh`] after a write of this request has committed. If the database
    /// cannot be read just then (it went away after the commit), the answer must still say
    /// what happened, that the write was saved, rather than an error that invites doing it
    /// again: the pages and API keys kept in memory are dropped at once, and the site is read
    /// again by the background refresh once the database answers.
    pub async fn refresh_after_write(&self) {
        if let Err(e) = self.refresh().await {
            tracing::warn!("reading the site again after a change failed ({e}); the background refresh will");
            self.0.cache.clear();
            self.0.api.forget_keys();
            // The write may have scheduled a story: until the schedule is read again (the
            // background loop does when this time is due, that is at once), keep no page.
            self.0.cache.set_next_change(Some(marquee_domain::time::now_unix()));
        }
    }

    pub(crate) async fn refresh_schedule(&self) -> anyhow::Result<()> {
        let next = self.0.store.next_scheduled_after(marquee_domain::time::now_unix()).await?;
        self.0.cache.set_next_change(next);
        Ok(())
    }

    /// The boxes as of the current content, built if they are missing or stale.
    pub(crate) async fn boxes(&self) -> anyhow::Result<Arc<Boxes>> {
        self.0.boxes.get(&self.0.store, &self.site(), &self.0.cache, self.0.config.box_cache).await
    }

    /// Ranks Most Popular again now, instead of at the next refresh, and drops cached pages
    /// if the ranking changed.
    pub async fn refresh_popular(&self) -> anyhow::Result<()> {
        self.0.boxes.expire();
        self.boxes().await.map(|_| ())
    }

    /// Writes the view counts gathered so far (a worker does this every few seconds).
    pub async fn flush_views(&self) -> anyhow::Result<()> {
        self.0.views.flush(&self.0.store).await
    }

}


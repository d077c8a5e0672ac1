use crate::cache::PageCache;
use crate::render::Templates;
use marquee_store::{Publication, Section, Store};
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
        WebConfig { theme_dir: None, page_cache: true, box_cache: true, allow_private_fetch: false, login_max_failures: 5, login_window_secs: 15 * 60, mail: MailConfig::default(), rate: RateLimits::default(), sitemap_page_size: 50_000 }
    }
}

/// What every page needs and that changes only when an editor changes it.
#[derive(Clone)]
pub struct SiteInfo {
    pub version: i64,
    pub publication: Publication,
    pub tz: jiff::tz::TimeZone,
    pub sections: Vec<Section>,
    pub secure_cookies: bool,
    /// When this server first saw the current content version (Unix seconds): the last change
    /// of a feed with no articles in it.
    pub changed_at: i64,
}

impl SiteInfo {
    /// The publication's base URL without a trailing slash, for absolute links.
    pub fn base(&self) -> &str {
        self.publication.base_url.trim_end_matches('/')
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
    /// Wakes the mail worker when something is queued.
    pub mail_wake: tokio::sync::Notify,
    /// Article views not yet written to the database.
    pub views: crate::popular::ViewCounter,
    pub boxes: RwLock<Option<Arc<crate::boxes::Boxes>>>,
    pub boxes_building: tokio::sync::Mutex<()>,
    /// The paper's ActivityPub key pair, read (or made) on first use.
    pub federation_keys: tokio::sync::OnceCell<Arc<marquee_federation::KeyPair>>,
    /// Fetches and delivers to other servers, with address checks.
    pub fetcher: crate::fetch::Fetcher,
    /// Wakes the delivery worker when activities are queued.
    pub delivery_wake: tokio::sync::Notify,
}

impl AppState {
    pub async fn new(store: Store, config: WebConfig) -> anyhow::Result<AppState> {
        let templates = Templates::new(config.theme_dir.clone())?;
        let config_allow_private = config.allow_private_fetch;
        let site = load_site(&store).await?;
        let cache = PageCache::new(config.page_cache);
        let secret = store.mail_secret(&crate::auth::random_token()).await?;
        let state = AppState(Arc::new(Inner { store, config, templates, site: RwLock::new(Arc::new(site)), cache, secret,
            mail_wake: tokio::sync::Notify::new(),
            views: Default::default(),
            boxes: RwLock::new(None),
            boxes_building: Default::default(),
            federation_keys: Default::default(),
            fetcher: crate::fetch::Fetcher::new(config_allow_private, Duration::from_secs(10)),
            delivery_wake: tokio::sync::Notify::new(),
        }));
        state.refresh_schedule().await?;
        Ok(state)
    }

    /// Lets the mail worker know that mail was queued.
    pub fn wake_mail(&self) {
        self.0.mail_wake.notify_one();
    }

    /// Sends the daily digests due at `now` (the background task does this every minute).
    pub async fn run_digests(&self, now: i64) -> anyhow::Result<usize> {
        crate::mail::run_digests(self, now).await
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
        let version = self.0.store.content_version().await?;
        if version != self.site().version {
            let site = load_site(&self.0.store).await?;
            *self.0.site.write().unwrap() = Arc::new(site);
            self.0.cache.clear();
            self.refresh_schedule().await?;
        }
        Ok(())
    }

    async fn refresh_schedule(&self) -> anyhow::Result<()> {
        let next = self.0.store.next_scheduled_after(marquee_domain::time::now_unix()).await?;
        self.0.cache.set_next_change(next);
        Ok(())
    }

    /// Polls the content version so that several servers on one database stay in step, and
    /// drops cached pages when a scheduled article's time comes.
    pub fn spawn_background(&self) {
        let state = self.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(1));
            let mut ticks: u64 = 0;
            loop {
                tick.tick().await;
                ticks += 1;
                let now = marquee_domain::time::now_unix();
                if ticks % 3600 == 1 {
                    if let Err(e) = state.0.store.delete_expired_sessions(now).await {
                        tracing::warn!("session cleanup failed: {e}");
                    }
                    if let Err(e) = state.0.store.delete_expired_reader_sessions(now).await {
                        tracing::warn!("reader session cleanup failed: {e}");
                    }
                    if let Err(e) = state.0.store.prune_rate_events(now - 86400).await {
                        tracing::warn!("rate-limit cleanup failed: {e}");
                    }
                    if let Err(e) = state.0.store.prune_views(now - 100 * 86400).await {
                        tracing::warn!("page-view cleanup failed: {e}");
                    }
                }
                if ticks % crate::popular::FLUSH_SECS == 0 {
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
                    if let Err(e) = crate::mail::run_digests(&state, now).await {
                        tracing::warn!("daily digests failed: {e:#}");
                    }
                }
                if let Err(e) = state.refresh().await {
                    tracing::warn!("refresh failed: {e:#}");
                }
                if state.0.cache.expire_if_due(marquee_domain::time::now_unix()) {
                    if let Err(e) = state.refresh_schedule().await {
                        tracing::warn!("schedule refresh failed: {e:#}");
                    }
                }
            }
        });
    }
}

async fn load_site(store: &Store) -> anyhow::Result<SiteInfo> {
    let version = store.content_version().await?;
    let publication = store.publication().await?;
    let tz = jiff::tz::TimeZone::get(&publication.time_zone).unwrap_or(jiff::tz::TimeZone::UTC);
    let sections = store.sections().await?;
    let secure_cookies = publication.base_url.starts_with("https://");
    Ok(SiteInfo { version, publication, tz, sections, secure_cookies, changed_at: marquee_domain::time::now_unix() })
}

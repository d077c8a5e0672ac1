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
    /// Failed sign-ins allowed per account and per address in `login_window_secs`.
    pub login_max_failures: i64,
    pub login_window_secs: i64,
}

impl Default for WebConfig {
    fn default() -> Self {
        WebConfig { theme_dir: None, page_cache: true, login_max_failures: 5, login_window_secs: 15 * 60 }
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
}

#[derive(Clone)]
pub struct AppState(pub(crate) Arc<Inner>);

pub(crate) struct Inner {
    pub store: Store,
    pub config: WebConfig,
    pub templates: Templates,
    pub site: RwLock<Arc<SiteInfo>>,
    pub cache: PageCache,
}

impl AppState {
    pub async fn new(store: Store, config: WebConfig) -> anyhow::Result<AppState> {
        let templates = Templates::new(config.theme_dir.clone())?;
        let site = load_site(&store).await?;
        let cache = PageCache::new(config.page_cache);
        let state = AppState(Arc::new(Inner { store, config, templates, site: RwLock::new(Arc::new(site)), cache }));
        state.refresh_schedule().await?;
        Ok(state)
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
                if ticks % 3600 == 1 {
                    if let Err(e) = state.0.store.delete_expired_sessions(marquee_domain::time::now_unix()).await {
                        tracing::warn!("session cleanup failed: {e}");
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
    Ok(SiteInfo { version, publication, tz, sections, secure_cookies })
}

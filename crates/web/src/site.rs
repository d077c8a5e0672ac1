//! What every page needs and that changes only when an editor changes it: the publication,
//! its zone and sections. Foundation: imports nothing from this crate.

use marquee_store::{Publication, Section, Store};

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

pub(crate) async fn load_site(store: &Store) -> anyhow::Result<SiteInfo> {
    let version = store.content_version().await?;
    let publication = store.publication().await?;
    let tz = jiff::tz::TimeZone::get(&publication.time_zone).unwrap_or(jiff::tz::TimeZone::UTC);
    let sections = store.sections().await?;
    let secure_cookies = publication.base_url.starts_with("https://");
    Ok(SiteInfo { version, publication, tz, sections, secure_cookies, changed_at: marquee_domain::time::now_unix() })
}

//! Configuration: defaults, then a TOML file, then MARQUEE_* environment variables, then flags.

use crate::Common;
use anyhow::Context;
use serde::Deserialize;
use std::path::PathBuf;

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    pub database_url: String,
    pub addr: String,
    pub theme_dir: Option<PathBuf>,
    pub page_cache: bool,
    pub box_cache: bool,
    /// Let federation fetch from and deliver to loopback and private addresses.
    pub federation_allow_private_addresses: bool,
    pub login_max_failures: i64,
    pub login_window_secs: i64,
    /// The From address of the site's mail, e.g. `Marquee Weekly <news@example.org>`.
    pub mail_from: String,
    /// "smtp", "eml" (one file per message in `mail_dir`) or "none" (mail waits in the outbox).
    pub mail_transport: String,
    pub mail_dir: PathBuf,
    pub smtp_host: String,
    pub smtp_port: Option<u16>,
    /// "starttls" (default), "tls" or "none".
    pub smtp_security: String,
    pub smtp_username: Option<String>,
    pub smtp_password: Option<String>,
    pub smtp_timeout_secs: u64,
    /// Requests an API key may make from one address in a minute, per server (0: no limit).
    pub api_requests_per_minute: u32,
    /// Where the media library's files live when no object store is set.
    pub media_dir: PathBuf,
    /// An S3-compatible object store for media files, shared by several app servers:
    /// its endpoint (`http://127.0.0.1:9000`), bucket, region and credentials.
    pub media_s3_endpoint: String,
    pub media_s3_bucket: String,
    pub media_s3_region: String,
    pub media_s3_access_key: String,
    pub media_s3_secret_key: String,
    /// Largest image upload, in megabytes.
    pub media_max_mb: usize,
    /// Reverse proxies (addresses or networks, `["127.0.0.1", "10.0.0.0/8"]`) whose
    /// X-Forwarded-For header names the reader, for rate limits behind nginx or HAProxy.
    pub trusted_proxies: Vec<String>,
    /// Where this server keeps its search index; empty: beside the SQLite file, or in memory
    /// on PostgreSQL (read again from the database on every start).
    pub search_dir: Option<PathBuf>,
}

impl Default for Config {
    fn default() -> Self {
        let web = marquee_web::WebConfig::default();
        Config {
            database_url: "sqlite://./marquee-data/marquee.db".into(),
            addr: "127.0.0.1:8080".into(),
            theme_dir: None,
            page_cache: web.page_cache,
            box_cache: web.box_cache,
            federation_allow_private_addresses: web.allow_private_fetch,
            login_max_failures: web.login_max_failures,
            login_window_secs: web.login_window_secs,
            mail_from: "Marquee <noreply@localhost>".into(),
            mail_transport: "none".into(),
            mail_dir: "./marquee-data/mail".into(),
            smtp_host: String::new(),
            smtp_port: None,
            smtp_security: "starttls".into(),
            smtp_username: None,
            smtp_password: None,
            smtp_timeout_secs: 30,
            api_requests_per_minute: web.api_requests_per_minute,
            media_dir: "./marquee-data/media".into(),
            media_s3_endpoint: String::new(),
            media_s3_bucket: String::new(),
            media_s3_region: String::new(),
            media_s3_access_key: String::new(),
            media_s3_secret_key: String::new(),
            media_max_mb: web.media_limits.max_bytes / (1024 * 1024),
            trusted_proxies: Vec::new(),
            search_dir: None,
        }
    }
}

impl Config {
    pub fn load(common: &Common) -> anyhow::Result<Config> {
        let path = common.config.clone().or_else(|| std::env::var_os("MARQUEE_CONFIG").map(PathBuf::from));
        let mut cfg = match &path {
            Some(p) => {
                let text = std::fs::read_to_string(p).with_context(|| format!("cannot read the configuration file {}", p.display()))?;
                toml::from_str(&text).with_context(|| format!("{} is not valid configuration", p.display()))?
            }
            None => Config::default(),
        };
        cfg.apply_env(|k| std::env::var(k).ok())?;
        if let Some(url) = &common.database_url {
            cfg.database_url = url.clone();
        }
        Ok(cfg)
    }

    fn apply_env(&mut self, get: impl Fn(&str) -> Option<String>) -> anyhow::Result<()> {
        if let Some(v) = get("MARQUEE_DATABASE_URL") {
            self.database_url = v;
        }
        if let Some(v) = get("MARQUEE_ADDR") {
            self.addr = v;
        }
        if let Some(v) = get("MARQUEE_THEME_DIR") {
            self.theme_dir = Some(v.into());
        }
        if let Some(v) = get("MARQUEE_PAGE_CACHE") {
            self.page_cache = matches!(v.as_str(), "1" | "true" | "yes" | "on");
        }
        if let Some(v) = get("MARQUEE_FEDERATION_ALLOW_PRIVATE_ADDRESSES") {
            self.federation_allow_private_addresses = matches!(v.as_str(), "1" | "true" | "yes" | "on");
        }
        if let Some(v) = get("MARQUEE_BOX_CACHE") {
            self.box_cache = matches!(v.as_str(), "1" | "true" | "yes" | "on");
        }
        if let Some(v) = get("MARQUEE_LOGIN_MAX_FAILURES") {
            self.login_max_failures = v.parse().context("MARQUEE_LOGIN_MAX_FAILURES must be a whole number")?;
        }
        if let Some(v) = get("MARQUEE_LOGIN_WINDOW_SECS") {
            self.login_window_secs = v.parse().context("MARQUEE_LOGIN_WINDOW_SECS must be a whole number")?;
        }
        for (key, field) in [
            ("MARQUEE_MAIL_FROM", &mut self.mail_from),
            ("MARQUEE_MAIL_TRANSPORT", &mut self.mail_transport),
            ("MARQUEE_SMTP_HOST", &mut self.smtp_host),
            ("MARQUEE_SMTP_SECURITY", &mut self.smtp_security),
        ] {
            if let Some(v) = get(key) {
                *field = v;
            }
        }
        for (key, field) in [
            ("MARQUEE_MEDIA_S3_ENDPOINT", &mut self.media_s3_endpoint),
            ("MARQUEE_MEDIA_S3_BUCKET", &mut self.media_s3_bucket),
            ("MARQUEE_MEDIA_S3_REGION", &mut self.media_s3_region),
            ("MARQUEE_MEDIA_S3_ACCESS_KEY", &mut self.media_s3_access_key),
            ("MARQUEE_MEDIA_S3_SECRET_KEY", &mut self.media_s3_secret_key),
        ] {
            if let Some(v) = get(key) {
                *field = v;
            }
        }
        if let Some(v) = get("MARQUEE_MEDIA_DIR") {
            self.media_dir = v.into();
        }
        if let Some(v) = get("MARQUEE_MEDIA_MAX_MB") {
            self.media_max_mb = v.parse().context("MARQUEE_MEDIA_MAX_MB must be a whole number of megabytes")?;
        }
        if let Some(v) = get("MARQUEE_SEARCH_DIR") {
            self.search_dir = (!v.is_empty()).then(|| v.into());
        }
        if let Some(v) = get("MARQUEE_MAIL_DIR") {
            self.mail_dir = v.into();
        }
        if let Some(v) = get("MARQUEE_SMTP_PORT") {
            self.smtp_port = Some(v.parse().context("MARQUEE_SMTP_PORT must be a port number")?);
        }
        if let Some(v) = get("MARQUEE_SMTP_USERNAME") {
            self.smtp_username = Some(v);
        }
        if let Some(v) = get("MARQUEE_SMTP_PASSWORD") {
            self.smtp_password = Some(v);
        }
        if let Some(v) = get("MARQUEE_API_REQUESTS_PER_MINUTE") {
            self.api_requests_per_minute = v.parse().context("MARQUEE_API_REQUESTS_PER_MINUTE must be a whole number (0 for no limit)")?;
        }
        if let Some(v) = get("MARQUEE_TRUSTED_PROXIES") {
            // One string: TrustedProxies::parse splits it at commas and spaces.
            self.trusted_proxies = vec![v];
        }
        if let Some(v) = get("MARQUEE_SMTP_TIMEOUT_SECS") {
            self.smtp_timeout_secs = v.parse().context("MARQUEE_SMTP_TIMEOUT_SECS must be a whole number")?;
        }
        Ok(())
    }

    /// The mail transport the settings describe; an error names the setting that is wrong.
    pub fn mail_settings(&self) -> anyhow::Result<Option<marquee_mail::MailSettings>> {
        use marquee_mail::{MailSettings, Security, Transport};
        let transport = match self.mail_transport.as_str() {
            "none" | "" => return Ok(None),
            "eml" => Transport::EmlDir(self.mail_dir.clone()),
            "smtp" => {
                if self.smtp_host.trim().is_empty() {
                    anyhow::bail!("mail_transport is \"smtp\" but smtp_host is not set");
                }
                let security = Security::parse(&self.smtp_security).with_context(|| format!("smtp_security must be starttls, tls or none, not “{}”", self.smtp_security))?;
                Transport::Smtp {
                    host: self.smtp_host.trim().to_string(),
                    port: self.smtp_port.unwrap_or(security.default_port()),
                    security,
                    username: self.smtp_username.clone(),
                    password: self.smtp_password.clone(),
                    timeout_secs: self.smtp_timeout_secs,
                }
            }
            other => anyhow::bail!("mail_transport must be smtp, eml or none, not “{other}”"),
        };
        Ok(Some(MailSettings { from: self.mail_from.clone(), transport }))
    }

    /// Where media files go: the object store when an endpoint is set, else `media_dir`.
    pub fn media_storage(&self) -> anyhow::Result<marquee_media::Storage> {
        if self.media_s3_endpoint.trim().is_empty() {
            return Ok(marquee_media::Storage::Local(self.media_dir.clone()));
        }
        if self.media_s3_bucket.trim().is_empty() {
            anyhow::bail!("media_s3_endpoint is set but media_s3_bucket is not");
        }
        Ok(marquee_media::Storage::S3(marquee_media::s3::Bucket::new(
            self.media_s3_endpoint.trim(),
            self.media_s3_bucket.trim(),
            self.media_s3_region.trim(),
            &self.media_s3_access_key,
            &self.media_s3_secret_key,
        )))
    }

    pub fn web_config(&self) -> anyhow::Result<marquee_web::WebConfig> {
        let mail = match self.mail_settings()? {
            Some(settings) => marquee_web::MailConfig::new(marquee_mail::Mailer::new(settings).map_err(|e| anyhow::anyhow!("mail settings: {e}"))?),
            None => marquee_web::MailConfig::default(),
        };
        Ok(marquee_web::WebConfig {
            theme_dir: self.theme_dir.clone(),
            page_cache: self.page_cache,
            box_cache: self.box_cache,
            allow_private_fetch: self.federation_allow_private_addresses,
            login_max_failures: self.login_max_failures,
            login_window_secs: self.login_window_secs,
            api_requests_per_minute: self.api_requests_per_minute,
            mail,
            media: self.media_storage()?,
            media_limits: marquee_media::Limits { max_bytes: self.media_max_mb.max(1) * 1024 * 1024, ..Default::default() },
            trusted_proxies: marquee_web::proxy::TrustedProxies::parse(&self.trusted_proxies.join(",")).map_err(|e| anyhow::anyhow!("trusted_proxies: {e}"))?,
            ..Default::default()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_then_environment() {
        let mut cfg: Config = toml::from_str("database_url = \"postgres://x@h/db\"\npage_cache = false").unwrap();
        assert_eq!(cfg.database_url, "postgres://x@h/db");
        assert!(!cfg.page_cache);
        cfg.apply_env(|k| (k == "MARQUEE_ADDR").then(|| "0.0.0.0:9000".to_string())).unwrap();
        assert_eq!(cfg.addr, "0.0.0.0:9000");
        assert!(toml::from_str::<Config>("databse_url = 1").is_err(), "a misspelt key is an error");
        assert!(cfg.apply_env(|k| (k == "MARQUEE_LOGIN_MAX_FAILURES").then(|| "many".to_string())).is_err());
    }

    #[test]
    fn mail_settings_name_what_is_wrong() {
        let cfg: Config = toml::from_str("mail_transport = \"smtp\"").unwrap();
        assert!(cfg.mail_settings().unwrap_err().to_string().contains("smtp_host"));
        let cfg: Config = toml::from_str("mail_transport = \"smtp\"\nsmtp_host = \"mail.example.org\"\nsmtp_security = \"ssl\"").unwrap();
        assert!(cfg.mail_settings().unwrap_err().to_string().contains("smtp_security"));
        let cfg: Config = toml::from_str("mail_transport = \"pigeon\"").unwrap();
        assert!(cfg.mail_settings().unwrap_err().to_string().contains("pigeon"));
        let cfg: Config = toml::from_str("mail_transport = \"smtp\"\nsmtp_host = \"mail.example.org\"\nsmtp_security = \"tls\"").unwrap();
        match cfg.mail_settings().unwrap().unwrap().transport {
            marquee_mail::Transport::Smtp { port, .. } => assert_eq!(port, 465),
            _ => panic!("expected SMTP"),
        }
        assert!(Config::default().mail_settings().unwrap().is_none(), "no mail transport unless configured");
    }

    #[test]
    fn trusted_proxies_from_file_or_environment() {
        let mut cfg: Config = toml::from_str("trusted_proxies = [\"127.0.0.1\", \"10.0.0.0/8\"]").unwrap();
        let web = cfg.web_config().unwrap();
        assert_eq!(web.trusted_proxies, marquee_web::proxy::TrustedProxies::parse("127.0.0.1 10.0.0.0/8").unwrap());
        cfg.apply_env(|k| (k == "MARQUEE_TRUSTED_PROXIES").then(|| "192.168.0.0/16,proxy.lan".to_string())).unwrap();
        let err = cfg.web_config().unwrap_err().to_string();
        assert!(err.contains("trusted_proxies") && err.contains("proxy.lan"), "{err}");
    }
}

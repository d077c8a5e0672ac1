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
    pub login_max_failures: i64,
    pub login_window_secs: i64,
}

impl Default for Config {
    fn default() -> Self {
        let web = marquee_web::WebConfig::default();
        Config {
            database_url: "sqlite://./marquee-data/marquee.db".into(),
            addr: "127.0.0.1:8080".into(),
            theme_dir: None,
            page_cache: web.page_cache,
            login_max_failures: web.login_max_failures,
            login_window_secs: web.login_window_secs,
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
        if let Some(v) = get("MARQUEE_LOGIN_MAX_FAILURES") {
            self.login_max_failures = v.parse().context("MARQUEE_LOGIN_MAX_FAILURES must be a whole number")?;
        }
        if let Some(v) = get("MARQUEE_LOGIN_WINDOW_SECS") {
            self.login_window_secs = v.parse().context("MARQUEE_LOGIN_WINDOW_SECS must be a whole number")?;
        }
        Ok(())
    }

    pub fn web_config(&self) -> marquee_web::WebConfig {
        marquee_web::WebConfig {
            theme_dir: self.theme_dir.clone(),
            page_cache: self.page_cache,
            login_max_failures: self.login_max_failures,
            login_window_secs: self.login_window_secs,
        }
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
}

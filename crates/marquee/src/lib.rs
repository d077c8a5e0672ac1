//! The pieces of the `marquee` command that tests and benchmarks reuse.

pub mod config;
pub mod demo;
pub use marquee_import as import;

use std::path::PathBuf;

#[derive(clap::Args, Clone, Default)]
pub struct Common {
    /// TOML configuration file; every key can be overridden by a MARQUEE_* variable.
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// sqlite://PATH or postgres://USER@HOST/DB
    #[arg(long)]
    pub database_url: Option<String>,
}

/// Downloads for `import wordpress --fetch`: the server's guarded client (no private or
/// loopback addresses unless allowed, redirects checked, a time limit) and a size cap.
pub struct ImportFetcher(marquee_web::fetch::Fetcher, usize);

impl ImportFetcher {
    pub fn new(allow_private: bool, max_bytes: usize) -> ImportFetcher {
        ImportFetcher(marquee_web::fetch::Fetcher::new(allow_private, std::time::Duration::from_secs(30)), max_bytes)
    }
}

impl marquee_import::wordpress::Fetch for ImportFetcher {
    fn get<'a>(&'a self, url: &'a str) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<Vec<u8>, String>> + Send + 'a>> {
        Box::pin(self.0.get_bytes(url, self.1))
    }
}

/// A database URL fit to print: its password, if any, replaced by `***`.
pub fn redact(url: &str) -> String {
    let Some(start) = url.find("://").map(|s| s + 3) else { return url.to_string() };
    match url.rfind('@').filter(|at| *at > start) {
        Some(at) => match url[start..at].find(':') {
            Some(colon) => format!("{}:***{}", &url[..start + colon], &url[at..]),
            None => url.to_string(),
        },
        None => url.to_string(),
    }
}

/// Serves a site until Ctrl-C.
pub async fn serve(store: marquee_store::Store, addr: &str, web: marquee_web::WebConfig) -> anyhow::Result<()> {
    use anyhow::Context;
    let state = marquee_web::AppState::new(store, web).await?;
    let listener = tokio::net::TcpListener::bind(addr).await.with_context(|| format!("cannot listen on {addr}"))?;
    let terminate = async {
        #[cfg(unix)]
        {
            if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                s.recv().await;
                return;
            }
        }
        std::future::pending::<()>().await
    };
    tokio::select! {
        r = marquee_web::serve(listener, state.clone()) => r.context("server stopped")?,
        _ = tokio::signal::ctrl_c() => eprintln!("Stopping."),
        _ = terminate => eprintln!("Stopping."),
    }
    // Page views gathered since the last write would otherwise be lost with the process.
    if let Err(e) = state.flush_views().await {
        eprintln!("Could not write the last page views: {e:#}");
    }
    Ok(())
}

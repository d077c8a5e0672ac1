//! The pieces of the `marquee` command that tests and benchmarks reuse.

pub mod config;
pub mod demo;

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

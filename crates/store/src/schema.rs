//! Bringing a database's schema up to date: the migrations of its backend.

use crate::db::{Backend, Result, Store};

impl Store {
    /// Connects to `sqlite://path` (created if missing, WAL journal) or `postgres://...`, and
    /// brings the schema up to date.
    pub async fn open(url: &str) -> Result<Store> {
        let store = Self::connect(url).await?;
        store.migrate().await?;
        Ok(store)
    }

    pub async fn migrate(&self) -> Result<()> {
        match self.backend {
            Backend::Sqlite => sqlx::migrate!("./migrations/sqlite").run(&self.pool).await?,
            Backend::Postgres => sqlx::migrate!("./migrations/postgres").run(&self.pool).await?,
        }
        Ok(())
    }
}

//! A scratch PostgreSQL database for a benchmark run with `MARQUEE_BENCH_DB=postgres`: made on
//! the server of MARQUEE_BENCH_POSTGRES_URL (default the local `test` database) and dropped
//! when the benchmark is done.

/// Whether this run asked for PostgreSQL (`MARQUEE_BENCH_DB=postgres`, or the argument
/// `postgres`).
pub fn wanted() -> bool {
    std::env::var("MARQUEE_BENCH_DB").is_ok_and(|v| v == "postgres") || std::env::args().any(|a| a == "postgres")
}

pub struct Scratch {
    /// Where the benchmark's database is.
    pub url: String,
    admin_url: String,
    name: String,
}

impl Scratch {
    /// Makes a database named for `what` and this process.
    pub async fn create(what: &str) -> Scratch {
        let admin_url = std::env::var("MARQUEE_BENCH_POSTGRES_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
        let name = format!("marquee_{what}_bench_{}", std::process::id());
        let admin = marquee_store::Store::connect(&admin_url).await.expect("connect to PostgreSQL for the benchmark");
        sqlx::query(&format!("CREATE DATABASE {name}")).execute(admin.pool()).await.unwrap();
        admin.close().await;
        let root = admin_url.rsplit_once('/').map(|(r, _)| r).unwrap_or(&admin_url);
        Scratch { url: format!("{root}/{name}"), admin_url, name }
    }

    /// A second database made from this one as it is now (`CREATE DATABASE ... TEMPLATE`),
    /// once the last connection to this one has gone.
    #[allow(dead_code)]
    pub async fn copy(&self, what: &str) -> Scratch {
        let name = format!("marquee_{what}_bench_{}", std::process::id());
        let admin = marquee_store::Store::connect(&self.admin_url).await.expect("connect to PostgreSQL for the benchmark");
        let sql = format!("CREATE DATABASE {name} TEMPLATE {}", self.name);
        let mut tries = 0;
        // A server just stopped may still hold a connection for a moment.
        while let Err(e) = sqlx::query(&sql).execute(admin.pool()).await {
            tries += 1;
            assert!(tries < 100, "copy the database {}: {e}", self.name);
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        admin.close().await;
        let root = self.url.rsplit_once('/').map(|(r, _)| r).unwrap_or(&self.url);
        Scratch { url: format!("{root}/{name}"), admin_url: self.admin_url.clone(), name }
    }

    /// Drops the database, whoever is still connected to it.
    pub async fn drop_database(self) {
        let admin = marquee_store::Store::connect(&self.admin_url).await.expect("connect to PostgreSQL");
        let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name)).execute(admin.pool()).await;
        admin.close().await;
    }
}

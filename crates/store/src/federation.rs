//! What federation keeps: the paper's key pair.

use crate::db::{Result, Store};

impl Store {
    /// The paper's key pair as (private PEM, public PEM), if one was made.
    pub async fn federation_key(&self) -> Result<Option<(String, String)>> {
        Ok(sqlx::query_as("SELECT private_pem, public_pem FROM federation_keys WHERE id = 1").fetch_optional(&mut *self.conn().await?).await?)
    }

    /// Stores a new key pair unless another server stored one first, and answers the pair
    /// every server will use from now on.
    pub async fn keep_federation_key(&self, private_pem: &str, public_pem: &str, now: i64) -> Result<(String, String)> {
        {
            let _write = self.write_guard().await;
            sqlx::query("INSERT INTO federation_keys (id, private_pem, public_pem, created_at) VALUES (1, $1, $2, $3) ON CONFLICT (id) DO NOTHING")
                .bind(private_pem)
                .bind(public_pem)
                .bind(now)
                .execute(&mut *self.conn().await?)
                .await?;
        }
        Ok(self.federation_key().await?.expect("a key was just stored"))
    }
}

//! The setting row: the one school or trust this server serves.

use sqlx::FromRow;

use super::{Store, StoreResult};

/// The setting row.
#[derive(Debug, Clone, FromRow)]
pub struct SettingRow {
    /// Stable identity.
    pub id: String,
    /// Name shown on the login screen.
    pub name: String,
    /// Prefix of incident references.
    pub incident_prefix: String,
    /// Whether every account needs 2FA.
    pub require_2fa_for_all: bool,
    /// Support email.
    pub support_email: String,
    /// Support phone.
    pub support_phone: String,
    /// Support web address.
    pub support_url: String,
    /// Demo data.
    pub demo: bool,
}

impl Store {
    /// The setting, if one has been created.
    pub async fn setting(&self) -> StoreResult<Option<SettingRow>> {
        sqlx::query_as(
            "SELECT id, name, incident_prefix, require_2fa_for_all, support_email, support_phone, support_url, demo
             FROM setting LIMIT 1",
        )
        .fetch_optional(&self.pool)
        .await
    }

    /// Create the setting of a new database (2FA required for all) unless one exists.
    pub async fn ensure_setting(&self, id: &str, name: &str) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO setting (id, name, incident_prefix, next_incident_number, require_2fa_for_all)
             SELECT ?1, ?2, 'bsmart', 10000, 1 WHERE NOT EXISTS (SELECT 1 FROM setting)",
        )
        .bind(id)
        .bind(name)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Whether every account must use 2FA.
    pub async fn set_require_2fa_for_all(&self, on: bool) -> StoreResult<()> {
        sqlx::query("UPDATE setting SET require_2fa_for_all = ?1")
            .bind(on)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}

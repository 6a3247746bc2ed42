//! `GET /setting`: the public description of the setting.

use axum::Json;
use axum::extract::State;

use super::super::auth;
use super::super::error::ApiError;
use super::super::state::AppState;
use super::common::setting;
use crate::wire::{DemoAccountInfo, PasswordRules, Setting, SupportContact};

/// The setting: what the login screen shows before anyone signs in.
#[utoipa::path(get, path = "/setting", tag = "auth",
    responses((status = 200, description = "The setting", body = Setting)))]
pub(super) async fn get_setting(State(state): State<AppState>) -> Result<Json<Setting>, ApiError> {
    let s = setting(&state).await?;
    Ok(Json(Setting {
        id: s.id,
        name: s.name,
        incident_prefix: s.incident_prefix,
        password_rules: PasswordRules {
            min_chars: auth::MIN_PASSWORD_CHARS as u32,
            min_chars_without_2fa: auth::MIN_PASSWORD_CHARS_WITHOUT_2FA as u32,
            max_chars: auth::MAX_PASSWORD_CHARS as u32,
            require_2fa_for_all: s.require_2fa_for_all,
        },
        support: SupportContact {
            email: s.support_email,
            phone: s.support_phone,
            url: s.support_url,
        },
        demo: s.demo,
        demo_accounts: if s.demo { demo_accounts() } else { Vec::new() },
    }))
}

/// The demo accounts as the demo's sign-in screen lists them (their passwords are public).
fn demo_accounts() -> Vec<DemoAccountInfo> {
    super::super::demo::ACCOUNTS
        .iter()
        .map(|a| DemoAccountInfo {
            email: a.email.to_string(),
            password: a.password.to_string(),
            role: a.role,
            note: a.note.to_string(),
        })
        .collect()
}

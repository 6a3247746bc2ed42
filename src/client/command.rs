//! `Command`: the side effects `App::update` asks the loop to perform, and the API calls
//! (run on tokio tasks that report back as [`Action::Api`]).

use secrecy::SecretString;
use tokio::sync::mpsc::UnboundedSender;

use super::action::{Action, Reply, Slot};
use super::api::{Api, Auth};
use crate::wire::IncidentQuery;

/// A side effect.
#[derive(Debug)]
pub enum Command {
    /// Run an API call on a task.
    Call {
        /// Its slot.
        slot: Slot,
        /// Its id.
        id: u64,
        /// What to call.
        call: Call,
    },
    /// Clear the terminal and its scrollback (CSI 2J + CSI 3J) before the next frame.
    ClearTerminal,
    /// Leave the loop.
    Quit,
}

/// An API call with everything it needs (secrets as `SecretString`).
#[derive(Debug)]
pub enum Call {
    /// `GET /setting`.
    Setting,
    /// `POST /auth/login`.
    Login {
        /// Email.
        email: String,
        /// Password.
        password: SecretString,
    },
    /// `POST /auth/totp`.
    Totp {
        /// Challenge.
        challenge: SecretString,
        /// Code.
        code: SecretString,
    },
    /// `POST /auth/totp/enrol`.
    Enrol(Auth),
    /// `POST /auth/totp/confirm`.
    Confirm {
        /// Challenge or token.
        auth: Auth,
        /// Code.
        code: SecretString,
    },
    /// `POST /auth/password` (forced change).
    Password {
        /// Challenge.
        challenge: SecretString,
        /// New password.
        new_password: SecretString,
    },
    /// `POST /auth/reauth`.
    Reauth {
        /// Current token.
        token: SecretString,
        /// Password.
        password: SecretString,
    },
    /// `POST /auth/logout`.
    Logout {
        /// The token to revoke.
        token: SecretString,
    },
    /// `GET /incidents`.
    Incidents {
        /// Token.
        token: SecretString,
        /// Query.
        query: IncidentQuery,
    },
    /// `GET /notifications`.
    Notifications {
        /// Token.
        token: SecretString,
    },
}

impl Call {
    /// Perform the call.
    pub async fn run(self, api: &Api) -> Reply {
        match self {
            Call::Setting => Reply::Setting(api.setting().await),
            Call::Login { email, password } => Reply::Login(api.login(&email, &password).await),
            Call::Totp { challenge, code } => Reply::Totp(api.totp(&challenge, &code).await),
            Call::Enrol(auth) => Reply::Enrol(api.enrol(&auth).await),
            Call::Confirm { auth, code } => Reply::Confirm(api.confirm(&auth, &code).await),
            Call::Password {
                challenge,
                new_password,
            } => Reply::Password(api.change_password(&challenge, &new_password).await),
            Call::Reauth { token, password } => Reply::Reauth(api.reauth(&token, &password).await),
            Call::Logout { token } => Reply::Logout(api.logout(&token).await),
            Call::Incidents { token, query } => Reply::Incidents(api.incidents(&token, &query).await),
            Call::Notifications { token } => Reply::Notifications(api.notifications(&token).await),
        }
    }
}

/// Spawn `call` on a task; its reply comes back on `tx` as [`Action::Api`].
pub fn spawn(api: &Api, tx: &UnboundedSender<Action>, slot: Slot, id: u64, call: Call) {
    let api = api.clone();
    let tx = tx.clone();
    tokio::spawn(async move {
        let reply = call.run(&api).await;
        // The loop may be gone (quitting): nothing to do then.
        let _ = tx.send(Action::Api { slot, id, reply });
    });
}

//! The terminal client.
//!
//! Layout (ARCHITECTURE-ANCHORS §8): [`app`] (state + `update`), [`action`] (what happened),
//! [`command`] (what to do, including API calls run on tasks), [`event`] (the loop),
//! [`keymap`] (one key table for keys, help and hints), [`terminal`] (set-up and restore),
//! [`api`] (one reqwest client, typed errors, bounded reads), [`session`] (token in memory),
//! [`sanitize`] (rule 35), [`lock`] (idle decision with an injected clock), [`identity`]
//! (setting identity per URL), [`theme`], [`screens`] and [`widgets`].
//!
//! Where this differs from §8: there is no separate `tasks.rs` (spawning is one function in
//! [`command`]); the status bar, help and pop-ups are drawn by `app`'s `view` module; the
//! outbox arrives with the first records the client makes (and with it the status bar's count
//! of pending uploads; until then there is nothing to count, so nothing is shown).
//!
//! Known limits: tmux, screen and SSH clients keep their own scrollback, which CSI 3J cannot
//! reach. The wall clock is checked at every event and frame, and the lock timer is set by the
//! stricter clock; a machine resumed from suspend locks at the first key or reply (before that
//! key reaches any screen), not at the moment of resume.

pub mod action;
pub mod api;
pub mod app;
pub mod command;
pub mod event;
pub mod identity;
pub mod keymap;
pub mod lock;
pub mod sanitize;
pub mod screens;
pub mod session;
pub mod terminal;
pub mod theme;
pub mod widgets;

use std::sync::Arc;

use futures::StreamExt;

use crate::cli::ClientArgs;
use crate::config::{self, ClientConfig, Overrides};

/// The App's options for a real run of `config`.
pub fn app_options(config: &ClientConfig) -> app::AppOptions {
    app::AppOptions {
        server_url: config.server_url.clone(),
        idle_lock: config.idle_lock,
        privacy_mode: config.privacy_mode,
        theme: theme::Theme::from_config(config.theme),
        clock: Arc::new(lock::SystemClock),
        known_settings: identity::default_path(),
    }
}

/// Run the client in the real terminal until the user quits (or SIGTERM/SIGHUP).
pub async fn run(config: ClientConfig) -> Result<(), String> {
    crate::hardening::forbid_core_dumps();
    let api = api::Api::new(&config.server_url)?;
    let app = app::App::new(app_options(&config));
    // Catch SIGTERM/SIGHUP before touching the terminal, so none is lost during set-up.
    let signals = Signals::register();
    let terminal = terminal::init()?;
    let mut runner = event::Runner::new(terminal, app, api.clone());
    signals.forward(runner.sender());
    let events = crossterm::event::EventStream::new().filter_map(|r| std::future::ready(r.ok()));
    let result = runner.run(events).await;
    terminal::restore();
    // Sign out on the way out (best effort, bounded): the token dies with the process anyway.
    if let Some(session) = runner.app.take_session() {
        let _ = tokio::time::timeout(std::time::Duration::from_secs(2), api.logout(&session.token())).await;
    }
    result
}

/// SIGTERM and SIGHUP (an SSH drop): registered first, forwarded to the loop as
/// `Action::Terminate` once it exists; the loop then ends and restores the terminal.
struct Signals {
    #[cfg(unix)]
    streams: Option<(tokio::signal::unix::Signal, tokio::signal::unix::Signal)>,
}

impl Signals {
    fn register() -> Signals {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            Signals {
                streams: signal(SignalKind::terminate())
                    .ok()
                    .zip(signal(SignalKind::hangup()).ok()),
            }
        }
        #[cfg(not(unix))]
        Signals {}
    }

    fn forward(self, tx: tokio::sync::mpsc::UnboundedSender<action::Action>) {
        #[cfg(unix)]
        if let Some((mut term, mut hup)) = self.streams {
            tokio::spawn(async move {
                tokio::select! {
                    _ = term.recv() => {}
                    _ = hup.recv() => {}
                }
                let _ = tx.send(action::Action::Terminate);
            });
        }
        #[cfg(not(unix))]
        let _ = tx;
    }
}

/// Start the client from command-line arguments: the config file with `--url`, `--config` and
/// `--idle-lock` on top. Errors are returned as plain sentences.
pub async fn run_from_args(args: &ClientArgs) -> Result<(), String> {
    let overrides = Overrides {
        server_url: args.url.clone(),
        idle_lock_seconds: args.idle_lock,
    };
    let config = config::load(args.config.as_deref(), &overrides).map_err(|e| e.to_string())?;
    run(config).await
}

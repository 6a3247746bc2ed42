//! The terminal client.
//!
//! How it is built (ARCHITECTURE.md has the whole picture, one key press followed from the
//! terminal to the database and back):
//! - the loop: [`event`] (one channel, no tick), [`action`] (what happened), [`command`] (what
//!   to do), [`app`] (the global state and `update`);
//! - calls: [`call`] (a request, its slot and its typed reply, routed back to whoever asked),
//!   [`api`] (one reqwest client, bounded reads, every string of every reply cleaned as it
//!   is decoded);
//! - the screens: [`screens`] (one folder each: the sign-in flow, the lock, the pages) and
//!   [`widgets`];
//! - the language check: [`language`] (words that judge rather than describe, and what to
//!   write instead, for incident reports);
//! - without a terminal: [`report_cli`] (`bsmart report` from cron, with a report key);
//! - shared rules: [`keymap`] (one key table for keys, help and hints), [`privacy`] (the one
//!   way a name is drawn), [`glyphs`] (symbols with an ASCII fallback), [`dates`] (UK
//!   formats), [`theme`], [`sanitize`] (SECURITY.md 35), [`lock`] (the idle decision with an
//!   injected clock), [`connection`] (offline and the retry backoff), [`session`] (the token
//!   in memory), [`identity`] (the setting's identity per URL), [`terminal`] (set-up and
//!   restore).
//!
//! The client never imports the server, nor the command line: [`run`] takes a
//! [`ClientConfig`] that the entry point made from the arguments and the config file.
//!
//! Known limits: tmux, screen and SSH clients keep their own scrollback, which CSI 3J cannot
//! reach. The wall clock is checked at every event and frame, and the lock timer is set by the
//! stricter clock; a machine resumed from suspend locks at the first key or reply (before that
//! key reaches any screen), not at the moment of resume.

pub mod action;
pub mod api;
pub mod app;
pub mod call;
pub mod command;
pub mod connection;
pub mod dates;
pub mod drafts;
pub mod event;
pub mod export;
pub mod fuzzy;
pub mod glyphs;
pub mod identity;
pub mod keymap;
pub mod language;
pub mod lock;
pub mod outbox;
pub mod print;
pub mod privacy;
pub mod report_cli;
pub mod sanitize;
pub mod screens;
pub mod session;
pub mod terminal;
pub mod theme;
pub mod when;
pub mod widgets;

use std::sync::Arc;

use crate::config::ClientConfig;

/// The App's options for a real run of `config`.
pub fn app_options(config: &ClientConfig) -> app::AppOptions {
    app::AppOptions {
        server_url: config.server_url.clone(),
        idle_lock: config.idle_lock,
        privacy_mode: config.privacy_mode,
        theme: theme::Theme::from_config(config.theme),
        glyphs: glyphs::Glyphs::from_config(config.glyphs),
        dates: dates::Dates::LOCAL,
        clock: Arc::new(lock::SystemClock),
        known_settings: identity::default_path(),
        export_dir: config.export_dir.clone(),
        print_command: config.print_command.clone(),
    }
}

/// Run the client in the real terminal until the user quits, a signal arrives (SIGTERM,
/// SIGHUP) or the terminal goes away.
pub async fn run(config: ClientConfig) -> Result<(), String> {
    crate::hardening::forbid_core_dumps();
    // A setting's lexicon with a mistake stops here, before the terminal is touched, with the
    // line to fix. Checked at start-up so that a report is never written without the check;
    // the incident form reads it through `language::current`.
    language::install(language::Lexicon::load(config.language_lexicon.as_deref())?);
    let api = api::Api::new(&config.server_url)?;
    let app = app::App::new(app_options(&config));
    // Catch SIGTERM/SIGHUP before touching the terminal, so none is lost during set-up.
    let signals = Signals::register();
    let terminal = terminal::init()?;
    let mut runner = event::Runner::new(terminal, app, api.clone());
    signals.forward(runner.sender());
    let gone = runner.sender();
    terminal::on_hangup(move || {
        let _ = gone.send(action::Action::InputEnded);
    });
    let result = runner.run(terminal::input()).await;
    let (terminal, mut app) = runner.into_parts();
    let gone = app.terminal_gone();
    if gone {
        // Nothing can be shown any more: ratatui's drop would try to show the cursor and
        // print its failure to a stderr that is gone too.
        std::mem::forget(terminal);
    } else {
        drop(terminal);
        terminal::restore();
    }
    // Sign out on the way out (best effort, bounded; shorter on a hung-up terminal, which must
    // be left at once): the token dies with the process anyway.
    let unsent = app.unsent();
    if let Some(session) = app.take_session() {
        // Records still in the outbox get one last try (each carries its client-made id, so
        // one that had landed is not recorded twice), bounded like the sign-out.
        if !unsent.is_empty() {
            let token = session.token();
            let tries = futures::future::join_all(unsent.iter().map(|request| api.send(request, Some(&token))));
            let _ = tokio::time::timeout(std::time::Duration::from_secs(2), tries).await;
        }
        let bound = std::time::Duration::from_millis(if gone { 500 } else { 2000 });
        let _ = tokio::time::timeout(bound, api.logout(&session.token())).await;
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

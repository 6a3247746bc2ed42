//! The screens, each a folder owning its state, keys, drawing, calls and replies:
//! - [`sign_in`]: the sign-in flow (sign in, two-factor code, setting up two-factor with the
//!   recovery codes shown once, the forced password change). It is apart from the pages, so no
//!   global key can leave one of its one-time screens.
//! - [`lock`]: the lock screen, an App-level cover drawn *instead of* everything else.
//! - the signed-in pages ([`Page`]), on a navigation stack: [`dashboard`], [`profiles`],
//!   [`clicker`], [`record`] (the `r` menu), [`compose`] (a communication or a response,
//!   opened by another page) and [`report`] (the Incident Report and Physical Intervention
//!   form, with the offer to resume a draft); [`picker`] is the list of individuals several of
//!   them share.
//!
//! **Adding a page** is its folder plus one line in the `pages!` list below (which declares its
//! module and opens it for its `Destination`). A page talks to the App only
//! through this module's types: it reads [`Ctx`] to draw, and records what it wants done in
//! [`Cx`] (calls, messages, going back), whose effects the App carries out after the page
//! returns. Its calls carry their own typed replies (see `call`), so no enum outside its folder
//! changes.

pub mod chronology;
pub mod compose;
pub mod lock;
pub mod picker;
pub mod report;
pub mod sign_in;

use std::any::Any;
use std::time::Instant;

use chrono::{DateTime, Utc};
use crossterm::event::KeyEvent;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Block, Paragraph, Wrap};
use url::Url;

use super::call::{Call, Typed};
use super::connection::Connection;
use super::dates::Dates;
use super::glyphs::Glyphs;
use super::keymap::{Binding, Destination};
use super::outbox::Outgoing;
use super::privacy::Privacy;
use super::theme::Theme;
use super::widgets::popup;
use crate::wire::Setting;

/// What a screen may read while drawing.
#[derive(Debug, Clone, Copy)]
pub struct Ctx<'a> {
    /// Styles.
    pub theme: &'a Theme,
    /// Symbols.
    pub glyphs: Glyphs,
    /// How times are shown.
    pub dates: Dates,
    /// The one way a pupil's name is drawn.
    pub privacy: Privacy,
    /// The setting, once `GET /setting` answered (cleaned).
    pub setting: Option<&'a Setting>,
    /// The server's URL (shown while connecting).
    pub server_url: &'a Url,
    /// Whether the server answers.
    pub connection: &'a Connection,
}

impl Ctx<'_> {
    /// A bordered block titled `title`, in the glyph set in use.
    pub fn block(&self, title: &str) -> Block<'static> {
        popup::block(title, self.theme, self.glyphs)
    }

    /// " · Year 9 · 9B (Elm)" after an individual's name, leaving out what is not known.
    pub fn class(&self, year: &str, group: &str) -> String {
        [year, group]
            .iter()
            .filter(|s| !s.is_empty())
            .map(|s| format!("{}{s}", self.glyphs.sep()))
            .collect()
    }

    /// "could not refresh (offline since 10:42)" while offline, for data kept on screen.
    pub fn stale(&self) -> Option<String> {
        self.connection
            .offline_since()
            .map(|since| format!("could not refresh (offline since {})", self.dates.time(since)))
    }
}

/// A line of feedback under a form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    /// What to say (cleaned).
    pub text: String,
    /// Drawn as an error.
    pub error: bool,
}

impl Note {
    /// An error note. The text is cleaned (SECURITY.md 35): it may quote an `ApiError`.
    pub fn error(text: impl Into<String>) -> Option<Note> {
        Some(Note {
            text: crate::client::sanitize::clean(&text.into()),
            error: true,
        })
    }

    /// An informational note (cleaned like [`Note::error`]).
    pub fn info(text: impl Into<String>) -> Option<Note> {
        Some(Note {
            text: crate::client::sanitize::clean(&text.into()),
            error: false,
        })
    }
}

/// Something a screen asks the App to do.
#[derive(Debug)]
pub enum Effect {
    /// Make an API call (its reply comes back to the screen that asked).
    Call(Call),
    /// Say this on the status line.
    Say(String),
    /// Show an error pop-up.
    Error(String),
    /// Open a page on top of this one.
    Open(Destination),
    /// Open this page on top of this one.
    Push(Pushed),
    /// Close this page (back).
    Back,
    /// Forget the call in flight in this slot: its answer, when it comes, is dropped.
    Cancel(&'static str),
    /// Show the keys of this screen.
    Help,
    /// Record this through the outbox (sent now, and again until it lands).
    Send(Outgoing),
    /// Save a download the user asked for (`client::export`: a new 0600 file in the download
    /// folder), and say where on the status line.
    Save {
        /// The file name the server suggested (made safe before use).
        filename: String,
        /// The text (cleaned before it is written).
        content: String,
        /// What it holds, for the status line ("1,234 rows": "Saved 1,234 rows to …").
        what: Option<String>,
    },
    /// Print a plain-text printout with the configured `print_command`, or save it as a file
    /// when there is none or it fails (nothing is lost), and say which.
    Print {
        /// The file name to save it under (made safe before use).
        filename: String,
        /// The text (cleaned before it is printed or written).
        text: String,
        /// What it holds, for the status line ("the Global Incident report, 12 rows").
        what: String,
    },
    /// Undo the click with this id (taken out of the outbox, or undone on the server).
    Undo {
        /// The click.
        click: uuid::Uuid,
        /// The behaviour's name, for messages.
        behaviour: String,
        /// The individual's name, for messages.
        individual: crate::wire::PupilName,
    },
}

/// A page made by another page, on its way to the stack (`Debug` shows its summary only).
pub struct Pushed(pub Box<dyn Page>);

impl std::fmt::Debug for Pushed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0.summary())
    }
}

/// What a screen gets while it handles a key or a reply: the time, and a place for effects.
#[derive(Debug)]
pub struct Cx {
    /// The wall-clock time now.
    pub now: DateTime<Utc>,
    /// The monotonic time now (for deadlines).
    pub instant: Instant,
    /// Which clock "10:15" and "today" are read on.
    pub dates: Dates,
    effects: Vec<Effect>,
}

impl Cx {
    /// A context at these times.
    pub fn new(now: DateTime<Utc>, instant: Instant) -> Cx {
        Cx {
            now,
            instant,
            dates: Dates::LOCAL,
            effects: Vec::new(),
        }
    }

    /// The same, reading times on `dates`' clock.
    pub fn with_dates(mut self, dates: Dates) -> Cx {
        self.dates = dates;
        self
    }

    /// Open `page` on top of this one (a page made for one record, e.g. the clicker for the
    /// individual of a profile).
    pub fn push(&mut self, page: Box<dyn Page>) {
        self.effects.push(Effect::Push(Pushed(page)));
    }

    /// Make a call.
    pub fn call(&mut self, call: Call) {
        self.effects.push(Effect::Call(call));
    }

    /// Say `text` on the status line.
    pub fn say(&mut self, text: impl Into<String>) {
        self.effects.push(Effect::Say(text.into()));
    }

    /// Show an error pop-up.
    pub fn error(&mut self, text: impl Into<String>) {
        self.effects.push(Effect::Error(text.into()));
    }

    /// Open a page.
    pub fn open(&mut self, destination: Destination) {
        self.effects.push(Effect::Open(destination));
    }

    /// Go back.
    pub fn back(&mut self) {
        self.effects.push(Effect::Back);
    }

    /// Show the keys of this screen (from a page that has something open).
    pub fn help(&mut self) {
        self.effects.push(Effect::Help);
    }

    /// Record `what` through the outbox: the screen may show it as done at once.
    pub fn send(&mut self, what: Outgoing) {
        self.effects.push(Effect::Send(what));
    }

    /// Save `content` as a download named after `filename` (see [`Effect::Save`]).
    pub fn save(&mut self, filename: String, content: String) {
        self.effects.push(Effect::Save {
            filename,
            content,
            what: None,
        });
    }

    /// Save `content` like [`Cx::save`], saying what it holds ("Saved 1,234 rows to …").
    pub fn save_counted(&mut self, filename: String, content: String, what: String) {
        self.effects.push(Effect::Save {
            filename,
            content,
            what: Some(what),
        });
    }

    /// Print `text` (see [`Effect::Print`]).
    pub fn print(&mut self, filename: String, text: String, what: String) {
        self.effects.push(Effect::Print { filename, text, what });
    }

    /// Undo the click `click` (see [`Effect::Undo`]).
    pub fn undo(&mut self, click: uuid::Uuid, behaviour: String, individual: crate::wire::PupilName) {
        self.effects.push(Effect::Undo {
            click,
            behaviour,
            individual,
        });
    }

    /// Forget the call in flight in `slot`.
    pub fn cancel(&mut self, slot: &'static str) {
        self.effects.push(Effect::Cancel(slot));
    }

    /// The effects recorded, in order.
    pub fn into_effects(self) -> Vec<Effect> {
        self.effects
    }
}

/// A signed-in page on the navigation stack.
pub trait Page: Send {
    /// The title at the top of the screen, in plain words.
    fn title(&self) -> String;
    /// The page's own key tables (help and the hint line come from them, with the global
    /// keys), in the order they are looked up.
    fn keys(&self) -> &'static [&'static [Binding]];
    /// The smallest window it can be used in (columns, rows), status bars included.
    fn min_size(&self) -> (u16, u16);
    /// True while a text field has the keys (the global letter keys do not apply then).
    fn edits_text(&self) -> bool {
        false
    }
    /// True while something of its own is open on top (a record), which takes every key: the
    /// global keys do not apply, and help lists only its keys.
    fn modal(&self) -> bool {
        false
    }
    /// True when closing it would lose something typed.
    fn has_draft(&self) -> bool {
        false
    }
    /// It was opened: ask for its data.
    fn start(&mut self, cx: &mut Cx);
    /// Ask for its data again (the server answers again after being offline).
    fn refresh(&mut self, cx: &mut Cx);
    /// A key the App did not take (Ctrl-L, F1, Ctrl-C and open pop-ups come first). Answers
    /// whether it was used; an unused key goes on to the global keys.
    fn key(&mut self, key: KeyEvent, cx: &mut Cx) -> bool;
    /// Pasted text (cleaned by then).
    fn paste(&mut self, _text: &str, _cx: &mut Cx) {}
    /// The typed reply to one of its calls.
    fn reply(&mut self, reply: Typed, cx: &mut Cx);
    /// A record of the outbox landed, or (`landed` false) was refused: a page showing it may
    /// ask for its data again, or take it back.
    fn settled(&mut self, _what: &Outgoing, _landed: bool, _cx: &mut Cx) {}
    /// The page that was on top of it closed, so it is on screen again: it may ask for its
    /// data again (a plan saved in the builder it opened).
    fn revealed(&mut self, _cx: &mut Cx) {}
    /// Save now what must survive (a form's draft): called as the client locks (its calls go
    /// out although the client is locked) and when the user is asked whether to quit.
    fn keep(&mut self, _cx: &mut Cx) {}
    /// True when what was typed here is kept on the server as a draft (quitting loses at most
    /// the last few seconds of it).
    fn kept_on_server(&self) -> bool {
        false
    }
    /// When it next needs waking without a key (an undo window closing), if ever.
    fn deadline(&self) -> Option<Instant> {
        None
    }
    /// Its deadline passed.
    fn on_deadline(&mut self, _cx: &mut Cx) {}
    /// Draw into `area`.
    fn render(&mut self, f: &mut Frame, area: Rect, ctx: &Ctx<'_>);
    /// A summary for `Debug` listings: counts and states, never pupil data.
    fn summary(&self) -> String;
    /// The page itself, for tests that look inside.
    fn as_any(&self) -> &dyn Any;
}

/// Declares each page's module and [`open`], which makes a page for a destination. Each page's
/// folder has `pub fn new_page() -> impl Page`.
macro_rules! pages {
    ($($module:ident => $destination:ident,)*) => {
        $(pub mod $module;)*

        /// A new page for `destination`, or `None` when it is not built yet.
        pub fn open(destination: Destination) -> Option<Box<dyn Page>> {
            match destination {
                $(Destination::$destination => Some(Box::new($module::new_page())),)*
                #[allow(unreachable_patterns)]
                _ => None,
            }
        }
    };
}

// The registration of pages: one line each.
pages! {
    dashboard => Dashboard,
    profiles => Profiles,
    clicker => Clicker,
    record => Record,
    incidents => Incidents,
    plans => Plans,
    admin => Admin,
    analytics => Analytics,
}

/// A rectangle of at most `w` x `h` centred in `area`.
pub fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    }
}

/// How many rows `lines` take when drawn word-wrapped (`Wrap { trim: true }`) at `width`
/// columns. ratatui's own count (feature `unstable-rendered-line-info`), so it cannot drift
/// from what is drawn.
pub fn wrapped_height(lines: &[Line], width: u16) -> u16 {
    let paragraph = Paragraph::new(lines.to_vec()).wrap(Wrap { trim: true });
    u16::try_from(paragraph.line_count(width.max(1))).unwrap_or(u16::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapped_height_counts_wrapped_and_broken_words() {
        let lines = [Line::from("aaa bbb ccc"), Line::from(""), Line::from("x".repeat(25))];
        assert_eq!(wrapped_height(&lines, 7), 2 + 1 + 4);
        assert_eq!(wrapped_height(&lines, 80), 3);
    }
}

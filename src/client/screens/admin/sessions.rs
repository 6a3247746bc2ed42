//! Sessions (`x` on the Admin hub): who is signed in where (`GET /admin/sessions`: the user,
//! the client, the address, since, last seen); `e` ends the selected one
//! (`DELETE /admin/sessions/{id}`), `E` every session of its user (the `end_sessions` action),
//! each after a y/n that says what will happen.

use std::any::Any;

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Wrap};

use crate::client::api::{Answer, ApiError, Request};
use crate::client::call::{Call, Typed, take};
use crate::client::keymap::{self, Binding, KeyAction, LIST, b, ch, k};
use crate::client::screens::{Ctx, Cx, Page};
use crate::client::widgets::popup;
use crate::client::widgets::slice_table::{SliceTable, follow};
use crate::wire::{ActionDone, AdminSession, Done, SessionList, UserAction};

/// `e`: end the selected session.
const END_ONE: KeyAction = KeyAction::Page(0);
/// `E`: end every session of its user.
const END_ALL: KeyAction = KeyAction::Page(1);

/// The list's own keys, after [`LIST`].
const KEYS: &[Binding] = &[
    b(&[ch('e')], "e", END_ONE, "end this session (asks first)", true),
    b(&[ch('E')], "E", END_ALL, "end every session of this user (asks first)", true),
];

/// The tables of the list.
const TABLES: &[&[Binding]] = &[LIST, KEYS];

/// The question's keys.
const CONFIRM: &[Binding] = &[
    b(&[ch('y')], "y", KeyAction::Submit, "yes, end it", true),
    b(&[ch('n'), k(KeyCode::Esc)], "n/Esc", KeyAction::Back, "no, keep it", true),
];

/// The replies of the page's calls.
pub enum Reply {
    /// `GET /admin/sessions`.
    List(Result<SessionList, ApiError>),
    /// `DELETE /admin/sessions/{id}`.
    Ended(Result<Done, ApiError>),
    /// The `end_sessions` action.
    AllEnded(Result<ActionDone, ApiError>),
}

/// What waits for y/n: the call to make, and the question.
struct Asked {
    question: String,
    call: fn(&AdminSession) -> Call,
    session: AdminSession,
}

/// The Sessions page.
#[derive(Default)]
pub struct Sessions {
    items: Option<Vec<AdminSession>>,
    stale: bool,
    selected: usize,
    offset: usize,
    asked: Option<Asked>,
}

impl std::fmt::Debug for Sessions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.summary())
    }
}

/// A new Sessions page (for the hub's section).
pub fn new_page() -> Box<dyn Page> {
    Box::new(Sessions::default())
}

fn list() -> Call {
    Call::new(
        "sessions",
        Request::get("/admin/sessions").session(),
        |r: Result<Answer, ApiError>| Reply::List(r.and_then(Answer::typed)),
    )
}

fn end_one(s: &AdminSession) -> Call {
    Call::new(
        "end",
        Request::delete(format!("/admin/sessions/{}", s.id)).session(),
        |r: Result<Answer, ApiError>| Reply::Ended(r.and_then(Answer::typed)),
    )
}

fn end_all(s: &AdminSession) -> Call {
    Call::new(
        "end",
        Request::post(format!("/admin/users/{}/actions", s.user.id))
            .json(&UserAction::EndSessions)
            .session(),
        |r: Result<Answer, ApiError>| Reply::AllEnded(r.and_then(Answer::typed)),
    )
}

impl Sessions {
    fn selected(&self) -> Option<&AdminSession> {
        self.items.as_ref().and_then(|l| l.get(self.selected))
    }

    fn ask(&mut self, all: bool, cx: &mut Cx) {
        let Some(s) = self.selected().cloned() else {
            cx.say("There is no session to end.");
            return;
        };
        let own = if s.current { " This is your own session: you are signed out." } else { "" };
        let question = if all {
            format!("End every session of {}? They are signed out everywhere.{own} y/n", s.user.name)
        } else {
            format!(
                "End {}'s session from {} ({})? They are signed out there.{own} y/n",
                s.user.name, s.address, s.client
            )
        };
        self.asked = Some(Asked {
            question,
            call: if all { end_all } else { end_one },
            session: s,
        });
    }

    fn done(&mut self, message: Result<String, ApiError>, cx: &mut Cx) {
        match message {
            Ok(message) => cx.say(message),
            Err(ApiError::Server { message, .. }) => cx.error(message),
            Err(e) => cx.error(e.change_failed("Not done")),
        }
        cx.call(list());
    }
}

impl Page for Sessions {
    fn title(&self) -> String {
        "Admin: Sessions".into()
    }

    fn keys(&self) -> &'static [&'static [Binding]] {
        if self.asked.is_some() { &[CONFIRM] } else { TABLES }
    }

    fn min_size(&self) -> (u16, u16) {
        (60, 12)
    }

    fn modal(&self) -> bool {
        self.asked.is_some()
    }

    fn start(&mut self, cx: &mut Cx) {
        cx.call(list());
    }

    fn refresh(&mut self, cx: &mut Cx) {
        cx.call(list());
    }

    fn key(&mut self, key: KeyEvent, cx: &mut Cx) -> bool {
        if let Some(asked) = &self.asked {
            match keymap::lookup(&[CONFIRM], &key) {
                Some(KeyAction::Submit) => {
                    cx.call((asked.call)(&asked.session));
                    self.asked = None;
                }
                Some(KeyAction::Back) => {
                    self.asked = None;
                    cx.say("Nothing was ended.");
                }
                _ => cx.say("y ends it, n or Esc keeps it."),
            }
            return true;
        }
        let len = self.items.as_ref().map_or(0, Vec::len);
        let last = len.saturating_sub(1);
        match keymap::lookup(TABLES, &key) {
            Some(KeyAction::Down) => self.selected = (self.selected + 1).min(last),
            Some(KeyAction::Up) => self.selected = self.selected.saturating_sub(1),
            Some(KeyAction::PageDown) => self.selected = (self.selected + 10).min(last),
            Some(KeyAction::PageUp) => self.selected = self.selected.saturating_sub(10),
            Some(KeyAction::Top) => self.selected = 0,
            Some(KeyAction::Bottom) => self.selected = last,
            Some(END_ONE) => self.ask(false, cx),
            Some(END_ALL) => self.ask(true, cx),
            _ => return false,
        }
        true
    }

    fn reply(&mut self, reply: Typed, cx: &mut Cx) {
        match take::<Reply>(reply) {
            Some(Reply::List(Ok(list))) => {
                self.selected = self.selected.min(list.items.len().saturating_sub(1));
                self.items = Some(list.items);
                self.stale = false;
            }
            Some(Reply::List(Err(e))) => {
                self.stale = true;
                if !e.offline() && !e.session_ended() {
                    cx.error(format!("Could not load the sessions: {e}"));
                }
            }
            Some(Reply::Ended(r)) => self.done(r.map(|d| d.message), cx),
            Some(Reply::AllEnded(r)) => self.done(r.map(|d| d.message), cx),
            None => {}
        }
    }

    fn render(&mut self, f: &mut Frame, area: Rect, ctx: &Ctx<'_>) {
        let state = if self.stale {
            format!(" - {}", ctx.stale().unwrap_or_else(|| "could not refresh".into()))
        } else {
            String::new()
        };
        let count = self.items.as_ref().map(|l| format!(" ({})", l.len())).unwrap_or_default();
        let block = ctx.block(&format!("Sessions{count}{state}")).border_style(ctx.theme.focus());
        match &self.items {
            Some(items) if !items.is_empty() => {
                let inner = block.inner(area);
                f.render_widget(block, area);
                let visible = usize::from(inner.height.saturating_sub(1));
                self.offset = follow(self.offset, self.selected, visible).min(items.len());
                let rows = items
                    .iter()
                    .skip(self.offset)
                    .take(visible)
                    .map(|s| {
                        [
                            format!("{}{}", s.user.name, if s.current { " (you, here)" } else { "" }),
                            s.client.clone(),
                            s.address.clone(),
                            ctx.dates.short(s.since),
                            ctx.dates.short(s.last_seen_at),
                        ]
                    })
                    .collect();
                f.render_widget(
                    SliceTable {
                        header: ["User", "Client", "Address", "Since", "Last seen"],
                        min_widths: [8, 6, 7, 14, 14],
                        shrink: &[1, 0, 2],
                        rows,
                        selected: self.selected.checked_sub(self.offset),
                        header_style: ctx.theme.header(),
                        selected_style: ctx.theme.selected(),
                        glyphs: ctx.glyphs,
                    },
                    inner,
                );
            }
            Some(_) => f.render_widget(
                Paragraph::new("Nobody is signed in.").wrap(Wrap { trim: true }).block(block),
                area,
            ),
            None if self.stale => f.render_widget(
                Paragraph::new("The sessions could not be loaded yet: they come when the server answers.")
                    .wrap(Wrap { trim: true })
                    .block(block),
                area,
            ),
            None => f.render_widget(Paragraph::new("Loading sessions…").block(block), area),
        }
        if let Some(asked) = &self.asked {
            popup::popup(f, area, "Are you sure?", vec![Line::from(asked.question.clone())], ctx.theme, ctx.glyphs);
        }
    }

    fn summary(&self) -> String {
        format!(
            "Sessions {{ sessions: {}, asking: {} }}",
            self.items.as_ref().map_or(0, Vec::len),
            self.asked.is_some()
        )
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

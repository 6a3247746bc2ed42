//! "Resume the incident report you started at 10:42": after signing in, the drafts the user left
//! (`GET /drafts`: their own only; another user never sees them) are offered before anything
//! else. `Enter` opens the selected one exactly as it was, `x` throws it away (asking first),
//! `Esc` leaves them for later (they are offered again at the next sign-in).

use std::any::Any;

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Clear, Paragraph, Wrap};

use crate::client::api::{Answer, ApiError, Request};
use crate::client::call::{Call, Typed, take};
use crate::client::keymap::{self, Binding, KeyAction, b, ch, k};
use crate::client::screens::{Ctx, Cx, Note, Page, centered};
use crate::wire::{Draft, DraftKind, DraftList, DraftSummary};

/// `x`: throw the selected draft away.
const DISCARD: KeyAction = KeyAction::Page(0);
/// `y`: yes, throw it away.
const CONFIRM: KeyAction = KeyAction::Page(1);

/// The keys of the offer.
const KEYS: &[Binding] = &[
    b(
        &[k(KeyCode::Enter)],
        "Enter",
        KeyAction::Open,
        "resume the selected draft",
        true,
    ),
    b(
        &[ch('j'), k(KeyCode::Down)],
        "j/↓",
        KeyAction::Down,
        "next draft",
        false,
    ),
    b(
        &[ch('k'), k(KeyCode::Up)],
        "k/↑",
        KeyAction::Up,
        "previous draft",
        false,
    ),
    b(
        &[ch('x')],
        "x",
        DISCARD,
        "throw the selected draft away (asks first)",
        true,
    ),
    b(
        &[k(KeyCode::Esc), ch('q')],
        "Esc",
        KeyAction::Back,
        "later (offered again at the next sign-in)",
        true,
    ),
];
/// The keys of "throw it away?".
const CONFIRM_KEYS: &[Binding] = &[
    b(&[ch('y')], "y", CONFIRM, "throw it away: its words are lost", true),
    b(&[ch('n'), k(KeyCode::Esc)], "n/Esc", KeyAction::Back, "keep it", true),
];

/// The replies of its calls.
enum Reply {
    /// `GET /drafts/{id}`.
    Opened(Result<Draft, ApiError>),
    /// `DELETE /drafts/{id}`.
    Discarded(uuid::Uuid, Result<(), ApiError>),
}

/// The offer. `Debug` prints counts only.
pub struct Resume {
    drafts: Vec<DraftSummary>,
    selected: usize,
    confirming: bool,
    note: Option<Note>,
}

impl std::fmt::Debug for Resume {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.summary())
    }
}

/// The call that lists the user's drafts; its reply becomes a [`DraftList`] result.
pub fn list() -> Call {
    Call::new(
        "drafts",
        Request::get("/drafts").session(),
        |r: Result<Answer, ApiError>| Listed(r.and_then(Answer::typed)),
    )
}

/// The answer of [`list`].
pub struct Listed(pub Result<DraftList, ApiError>);

/// The offer of `drafts` (at least one, newest first), or `None` when there is none.
pub fn offer(drafts: Vec<DraftSummary>) -> Option<Box<dyn Page>> {
    // Smart Plan drafts are resumed from the Smart Plans screen's builder.
    let drafts: Vec<DraftSummary> = drafts.into_iter().filter(|d| d.kind != DraftKind::Plan).collect();
    (!drafts.is_empty()).then(|| {
        Box::new(Resume {
            drafts,
            selected: 0,
            confirming: false,
            note: None,
        }) as Box<dyn Page>
    })
}

impl Resume {
    fn sentence(d: &DraftSummary, ctx: &Ctx<'_>) -> String {
        format!(
            "Resume the {} you started at {} (last saved {})",
            d.kind.label(),
            ctx.dates.short(d.started_at),
            ctx.dates.time(d.saved_at)
        )
    }
}

impl Page for Resume {
    fn title(&self) -> String {
        "Unfinished reports".into()
    }

    fn keys(&self) -> &'static [&'static [Binding]] {
        if self.confirming { &[CONFIRM_KEYS] } else { &[KEYS] }
    }

    fn min_size(&self) -> (u16, u16) {
        (50, 10)
    }

    fn modal(&self) -> bool {
        true
    }

    fn start(&mut self, _cx: &mut Cx) {}

    fn refresh(&mut self, _cx: &mut Cx) {}

    fn key(&mut self, key: KeyEvent, cx: &mut Cx) -> bool {
        let Some(draft) = self.drafts.get(self.selected) else {
            cx.back();
            return true;
        };
        let id = draft.id;
        if self.confirming {
            self.confirming = false;
            if keymap::lookup(&[CONFIRM_KEYS], &key) == Some(CONFIRM) {
                cx.call(Call::new(
                    "discard",
                    Request::delete(format!("/drafts/{id}")).session(),
                    move |r: Result<Answer, ApiError>| Reply::Discarded(id, r.map(|_| ())),
                ));
            }
            return true;
        }
        match keymap::lookup(&[KEYS], &key) {
            Some(KeyAction::Open) => cx.call(Call::new(
                "open",
                Request::get(format!("/drafts/{id}")).session(),
                |r: Result<Answer, ApiError>| Reply::Opened(r.and_then(Answer::typed)),
            )),
            Some(KeyAction::Down) => self.selected = (self.selected + 1).min(self.drafts.len() - 1),
            Some(KeyAction::Up) => self.selected = self.selected.saturating_sub(1),
            Some(DISCARD) => self.confirming = true,
            Some(KeyAction::Back) => {
                cx.say("Your drafts are kept: they are offered again when you next sign in.");
                cx.back();
            }
            _ if key.code == KeyCode::Char('?') => cx.help(),
            _ => cx.say("Enter resumes the selected draft, x throws it away, Esc leaves them for later."),
        }
        true
    }

    fn reply(&mut self, reply: Typed, cx: &mut Cx) {
        let Some(reply) = take::<Reply>(reply) else { return };
        match reply {
            Reply::Opened(Ok(draft)) => match super::resumed(&draft) {
                Some(report) => {
                    cx.back();
                    cx.push(Box::new(report));
                }
                None => {
                    self.note = Note::error("That draft is not one this version can open; it is kept on the server.")
                }
            },
            Reply::Opened(Err(e)) => self.note = Note::error(format!("Could not open the draft ({e}); it is kept.")),
            Reply::Discarded(id, Ok(())) => {
                self.drafts.retain(|d| d.id != id);
                self.selected = self.selected.min(self.drafts.len().saturating_sub(1));
                cx.say("The draft was thrown away.");
                if self.drafts.is_empty() {
                    cx.back();
                }
            }
            Reply::Discarded(_, Err(e)) => self.note = Note::error(format!("Could not throw it away ({e}).")),
        }
    }

    fn render(&mut self, f: &mut Frame, area: Rect, ctx: &Ctx<'_>) {
        let height = (self.drafts.len() as u16 + 7).min(area.height);
        let box_area = centered(area, 76, height);
        f.render_widget(Clear, box_area);
        let block = ctx.block("Unfinished reports");
        let inner = block.inner(box_area);
        f.render_widget(block, box_area);
        let mut lines = vec![
            Line::styled("You have unfinished work saved as drafts:", ctx.theme.title()),
            Line::default(),
        ];
        for (i, d) in self.drafts.iter().enumerate() {
            let chosen = i == self.selected;
            let mark = if chosen { ctx.glyphs.mark() } else { " " };
            let style = if chosen { ctx.theme.focus() } else { ctx.theme.text() };
            lines.push(Line::styled(format!("{mark} {}", Resume::sentence(d, ctx)), style));
        }
        lines.push(Line::default());
        let ask = match self.confirming {
            true => "Throw this draft away? y yes (its words are lost), n keep it.",
            false => "Enter resumes · x throws away · Esc later",
        };
        lines.push(Line::styled(
            ask,
            if self.confirming {
                ctx.theme.error()
            } else {
                ctx.theme.dim()
            },
        ));
        if let Some(note) = &self.note {
            lines.push(Line::styled(note.text.clone(), ctx.theme.error()));
        }
        f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: true }), inner);
    }

    fn summary(&self) -> String {
        format!(
            "Resume {{ drafts: {}, confirming: {} }}",
            self.drafts.len(),
            self.confirming
        )
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

//! Access review (`w` on the Admin hub, policy 8.2): per member of staff what they can see and
//! when it was last confirmed (`GET /admin/access/review`; UK dates, "never"), those due first
//! and counted in the title ("Access review (12 due)"). `Enter` opens their access; `y` asks
//! "Confirm that Sam Brown's access (31 individuals) is right?" and on yes confirms it
//! (`POST /admin/access/review/{user_id}`), says what the server did and reloads the rows.

use std::any::Any;

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::widgets::{Paragraph, Wrap};

use super::confirm::{self, Answered, Confirm, individuals, thousands};
use crate::client::api::{Answer, ApiError, Request};
use crate::client::call::{Call, Typed, take};
use crate::client::keymap::{self, Binding, KeyAction, LIST, b, ch, k};
use crate::client::screens::{Ctx, Cx, Page};
use crate::client::widgets::slice_table::{SliceTable, follow};
use crate::wire::{AccessReview, Done, ReviewRow, StaffRef};

/// `y`: confirm the selected member of staff's access.
const CONFIRM: KeyAction = KeyAction::Page(0);

/// The review's own keys, after [`LIST`].
const OWN_KEYS: &[Binding] = &[
    b(&[k(KeyCode::Enter)], "Enter", KeyAction::Open, "open their access", true),
    b(&[ch('y')], "y", CONFIRM, "confirm their access is right", true),
];

/// The tables of the review.
const TABLES: &[&[Binding]] = &[LIST, OWN_KEYS];

/// The replies of the review's calls.
enum Reply {
    /// `GET /admin/access/review`.
    List(Result<AccessReview, ApiError>),
    /// `POST /admin/access/review/{user_id}`.
    Confirmed(Result<Done, ApiError>),
}

fn list_call() -> Call {
    Call::new(
        "review",
        Request::get("/admin/access/review").session(),
        |r: Result<Answer, ApiError>| Reply::List(r.and_then(Answer::typed)),
    )
}

fn confirm_call(user_id: i64) -> Call {
    Call::new(
        "review-confirm",
        Request::post(format!("/admin/access/review/{user_id}")).session(),
        |r: Result<Answer, ApiError>| Reply::Confirmed(r.and_then(Answer::typed)),
    )
}

/// The Access review page. `Debug` prints counts only.
pub struct Review {
    review: Option<AccessReview>,
    failed: Option<String>,
    selected: usize,
    offset: usize,
    page: usize,
    confirm: Option<Confirm<StaffRef>>,
}

impl std::fmt::Debug for Review {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.summary())
    }
}

/// A new Access review page.
pub fn new_page() -> Box<dyn Page> {
    Box::new(Review {
        review: None,
        failed: None,
        selected: 0,
        offset: 0,
        page: 10,
        confirm: None,
    })
}

impl Review {
    fn rows(&self) -> &[ReviewRow] {
        self.review.as_ref().map_or(&[], |r| r.items.as_slice())
    }

    fn selected_row(&self) -> Option<&ReviewRow> {
        self.rows().get(self.selected)
    }

    /// Whether the review has come.
    pub fn loaded(&self) -> bool {
        self.review.is_some()
    }
}

impl Page for Review {
    fn title(&self) -> String {
        match &self.review {
            Some(r) => format!("Access review ({} due)", thousands(r.due)),
            None => "Access review".into(),
        }
    }

    fn keys(&self) -> &'static [&'static [Binding]] {
        if self.confirm.is_some() { &[confirm::KEYS] } else { TABLES }
    }

    fn min_size(&self) -> (u16, u16) {
        (60, 12)
    }

    fn modal(&self) -> bool {
        self.confirm.is_some()
    }

    fn start(&mut self, cx: &mut Cx) {
        cx.call(list_call());
    }

    fn refresh(&mut self, cx: &mut Cx) {
        cx.call(list_call());
    }

    fn revealed(&mut self, cx: &mut Cx) {
        // Their access may have changed on the page that closed.
        cx.call(list_call());
    }

    fn key(&mut self, key: KeyEvent, cx: &mut Cx) -> bool {
        if self.confirm.is_some() {
            if let Answered::Yes(user) = Confirm::key(&mut self.confirm, &key) {
                cx.call(confirm_call(user.id));
                cx.say(format!("Confirming {}'s access…", user.name));
            }
            return true;
        }
        let Some(action) = keymap::lookup(TABLES, &key) else {
            return false;
        };
        let last = self.rows().len().saturating_sub(1);
        let page = self.page.max(1);
        match action {
            KeyAction::Down => self.selected = (self.selected + 1).min(last),
            KeyAction::Up => self.selected = self.selected.saturating_sub(1),
            KeyAction::PageDown => self.selected = (self.selected + page).min(last),
            KeyAction::PageUp => self.selected = self.selected.saturating_sub(page),
            KeyAction::Top => self.selected = 0,
            KeyAction::Bottom => self.selected = last,
            KeyAction::Open => match self.selected_row() {
                Some(row) => cx.push(super::access::of(row.user.clone())),
                None => cx.say("There is nobody to open."),
            },
            CONFIRM => match self.selected_row() {
                Some(row) => {
                    self.confirm = Some(Confirm::new(
                        format!(
                            "Confirm that {}'s access ({}) is right?",
                            row.user.name,
                            individuals(row.visible)
                        ),
                        row.user.clone(),
                    ));
                }
                None => cx.say("There is nobody to confirm."),
            },
            _ => return false,
        }
        true
    }

    fn reply(&mut self, reply: Typed, cx: &mut Cx) {
        match take::<Reply>(reply) {
            Some(Reply::List(Ok(review))) => {
                self.failed = None;
                self.selected = self.selected.min(review.items.len().saturating_sub(1));
                self.review = Some(review);
            }
            Some(Reply::List(Err(e))) if !e.offline() && !e.session_ended() => {
                    self.failed = Some(format!("The access review could not be loaded: {e}"));
                }
                Some(Reply::List(Err(_))) => {}
            Some(Reply::Confirmed(Ok(done))) => {
                cx.say(done.message);
                cx.call(list_call());
            }
            Some(Reply::Confirmed(Err(e))) => cx.error(e.change_failed("Not confirmed")),
            None => {}
        }
    }

    fn render(&mut self, f: &mut Frame, area: Rect, ctx: &Ctx<'_>) {
        let block = ctx.block(&self.title());
        let empty = match (&self.review, &self.failed) {
            (_, Some(failed)) => Some(failed.as_str()),
            (None, None) => Some("Loading the access review…"),
            (Some(r), None) if r.items.is_empty() => Some("No active accounts to review."),
            _ => None,
        };
        if let Some(msg) = empty {
            let p = Paragraph::new(ctx.glyphs.text(msg).into_owned()).wrap(Wrap { trim: true });
            f.render_widget(p.block(block), area);
            return;
        }
        let inner = block.inner(area);
        f.render_widget(block, area);
        let visible = usize::from(inner.height.saturating_sub(1));
        self.page = visible.max(1);
        self.offset = follow(self.offset, self.selected, visible);
        let rows: Vec<[String; 6]> = self
            .rows()
            .iter()
            .skip(self.offset)
            .take(visible)
            .map(|r| {
                [
                    if r.due { "due".into() } else { String::new() },
                    r.user.name.clone(),
                    format!("{}, {}", r.role.label(), r.kind.label()),
                    r.summary.clone(),
                    thousands(r.visible),
                    match &r.last_review {
                        Some(c) => format!("{} by {}", uk_day(ctx, c.at), c.by.name),
                        None => "never".into(),
                    },
                ]
            })
            .collect();
        f.render_widget(
            SliceTable {
                header: ["Due", "Name", "Role", "Sees", "Count", "Last confirmed"],
                min_widths: [3, 10, 5, 8, 5, 8],
                shrink: &[3, 2, 5, 1],
                rows,
                selected: self.selected.checked_sub(self.offset),
                header_style: ctx.theme.header(),
                selected_style: ctx.theme.selected(),
                glyphs: ctx.glyphs,
            },
            inner,
        );
        if let Some(c) = &self.confirm {
            c.render(f, area, ctx);
        }
    }

    fn summary(&self) -> String {
        format!(
            "Review {{ rows: {}, due: {}, confirming: {} }}",
            self.rows().len(),
            self.review.as_ref().map_or(0, |r| r.due),
            self.confirm.is_some()
        )
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// `01/12/26`: the day of `at` on the screen's clock.
pub fn uk_day(ctx: &Ctx<'_>, at: chrono::DateTime<chrono::Utc>) -> String {
    let short = ctx.dates.short(at);
    short.split(' ').next().unwrap_or_default().to_string()
}

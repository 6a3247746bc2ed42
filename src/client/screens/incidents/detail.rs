//! The view of one incident (`Enter` on the list, or a notification about it): every field
//! ([`super::record`]), scrolled with the list keys, and its actions, each offered only when
//! `incident.can` allows (the server decides again): `p` parents informed, `f` flag or clear
//! the flag, `a` add my account, `e` edit, `D` delete, `w` download as Markdown, `n` a Smart
//! Plan from it. Each action says on the status line what it did; a refusal shows the
//! server's sentence in the small form, which keeps what was typed.

use std::any::Any;

use chrono::Duration;
use crossterm::event::KeyEvent;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Clear, Paragraph, Wrap};
use uuid::Uuid;

use super::calls::{self, Change, Reply};
use super::{Update, Updates, keys, record};
use crate::client::api::ApiError;
use crate::client::call::{Typed, take};
use crate::client::keymap::{self, Binding, KeyAction};
use crate::client::screens::{Ctx, Cx, Note, Page, centered, wrapped_height};
use crate::client::widgets::popup;
use crate::client::widgets::text_box::TextBox;
use crate::client::widgets::text_field::{EDITING, TextField};
use crate::wire::{
    BellPeriod, DeleteRequest, FlagRequest, Incident, LONG_TEXT_MAX, NewAccount, ParentsInformed, SHORT_TEXT_MAX,
};

/// A small form on the view. At most one is open, held by the view: the sizes of its
/// variants do not add up to anything worth a box (the account's long text is boxed).
#[allow(clippy::large_enum_variant)]
pub enum Ask {
    /// `p`: when (empty: now) and how parents or carers were told.
    Parents {
        /// When.
        when: TextField,
        /// How.
        how: TextField,
        /// The keys are on "how".
        on_how: bool,
    },
    /// `f`: why it is flagged (or the flag cleared).
    Flag {
        /// Why.
        reason: TextField,
        /// Flagging (else clearing).
        flagging: bool,
    },
    /// `a`: the user's own account, sent with the same id until it lands.
    Account {
        /// The account (boxed: a text area is large).
        text: Box<TextBox>,
        /// Its client-made id.
        id: Uuid,
        /// `Esc` was pressed once with text typed.
        leaving: bool,
    },
    /// `D`: why it is deleted, then "sure?".
    Delete {
        /// Why.
        reason: TextField,
        /// Asking "delete it?".
        confirming: bool,
    },
}

/// A form open, with its note and whether it is on its way.
pub struct Asking {
    /// The form.
    pub ask: Ask,
    /// The line under it (a refusal, in the server's words).
    pub note: Option<Note>,
    /// Sent; the answer has not come.
    pub sending: bool,
}

/// The view. `Debug` prints states, never a name or a word of the record.
pub struct IncidentView {
    /// The incident's reference.
    pub reference: String,
    /// The incident, once it came.
    pub incident: Option<Incident>,
    /// Why it could not be shown.
    failed: Option<String>,
    /// A refresh failed: what is shown may be out of date.
    stale: bool,
    scroll: u16,
    rows: u16,
    page: u16,
    /// The form open, if any.
    pub asking: Option<Asking>,
    periods: Vec<BellPeriod>,
    updates: Updates,
}

impl IncidentView {
    /// The view of `reference`; what it changes is told to `updates` (the list's).
    pub fn new(reference: String, updates: Updates) -> IncidentView {
        IncidentView {
            reference,
            incident: None,
            failed: None,
            stale: false,
            scroll: 0,
            rows: 0,
            page: 10,
            asking: None,
            periods: Vec::new(),
            updates,
        }
    }

    fn tell(&self, update: Update) {
        if let Ok(mut list) = self.updates.lock() {
            list.push(update);
        }
    }

    fn open(&mut self, ask: Ask) {
        self.asking = Some(Asking {
            ask,
            note: None,
            sending: false,
        });
    }

    fn view_key(&mut self, key: KeyEvent, cx: &mut Cx) {
        let Some(action) = keymap::lookup(keys::VIEW_TABLES, &key) else {
            cx.say("That key does nothing here: ? shows the keys.");
            return;
        };
        let page = self.page.max(1);
        match action {
            KeyAction::Back => return cx.back(),
            KeyAction::Help => return cx.help(),
            KeyAction::Down => self.scroll = self.scroll.saturating_add(1),
            KeyAction::Up => self.scroll = self.scroll.saturating_sub(1),
            KeyAction::PageDown => self.scroll = self.scroll.saturating_add(page),
            KeyAction::PageUp => self.scroll = self.scroll.saturating_sub(page),
            KeyAction::Top => self.scroll = 0,
            KeyAction::Bottom => self.scroll = u16::MAX,
            _ => {}
        }
        let Some(i) = &self.incident else {
            if !matches!(
                action,
                KeyAction::Down
                    | KeyAction::Up
                    | KeyAction::PageDown
                    | KeyAction::PageUp
                    | KeyAction::Top
                    | KeyAction::Bottom
            ) {
                cx.say("The incident has not loaded yet.");
            }
            return;
        };
        match action {
            keys::INFORMED => self.open(Ask::Parents {
                when: TextField::plain("When (empty: now; -20m, 10:15, p3, 28/11 10:15)"),
                how: TextField::plain("How, e.g. Phone call to mother (1-500 characters)"),
                on_how: false,
            }),
            keys::FLAG => {
                let flagging = i.flag.is_none();
                self.open(Ask::Flag {
                    reason: TextField::plain(if flagging {
                        "Why flag it for attention (1-500 characters)"
                    } else {
                        "Why clear the flag (may be empty)"
                    }),
                    flagging,
                });
            }
            keys::ACCOUNT if !i.can.add_account => cx.say(
                "Only staff named as present who have not yet added theirs can add an account.",
            ),
            keys::ACCOUNT => self.open(Ask::Account {
                text: Box::new(TextBox::new("My account of what happened", LONG_TEXT_MAX)),
                id: Uuid::new_v4(),
                leaving: false,
            }),
            keys::EDIT if !i.can.edit => {
                cx.say("Only its author, or a role that edits every incident, can edit it.");
            }
            keys::EDIT => cx.push(crate::client::screens::report::edit(i.clone())),
            keys::DELETE if !i.can.delete => {
                cx.say("Deleting an incident needs the delete permission (ask your DSL).");
            }
            keys::DELETE => self.open(Ask::Delete {
                reason: TextField::plain("Why delete it (1-500 characters; kept in the audit log)"),
                confirming: false,
            }),
            keys::DOWNLOAD => {
                cx.call(calls::markdown(&self.reference));
                cx.say(format!("Downloading {}…", self.reference));
            }
            keys::PLAN => match i.individuals.first() {
                Some(who) => cx.push(crate::client::screens::plans::builder(who.clone(), Some(i), None)),
                None => cx.say("This incident names nobody you may see."),
            },
            _ => {}
        }
    }

    fn ask_key(&mut self, key: KeyEvent, cx: &mut Cx) {
        let Some(asking) = &mut self.asking else { return };
        if asking.sending {
            cx.say("Sending: wait for the answer.");
            return;
        }
        let occurred = self.incident.as_ref().map(|i| i.occurred_at);
        let reference = self.reference.clone();
        match &mut asking.ask {
            Ask::Parents { when, how, on_how } => match keymap::lookup(&[keys::ASK_KEYS], &key) {
                Some(KeyAction::Back) => self.asking = None,
                Some(KeyAction::NextField) => *on_how = !*on_how,
                Some(KeyAction::Submit) if !*on_how => *on_how = true,
                Some(KeyAction::Submit) => {
                    let at = crate::client::when::parse(when.text(), cx.now, &self.periods, cx.dates, Duration::days(366));
                    let how_text = how.text().trim().to_string();
                    match at {
                        Err(e) => {
                            *on_how = false;
                            asking.note = Note::error(e.replace("a behaviour is recorded", "parents are told"));
                        }
                        Ok(at) if occurred.is_some_and(|o| at < o) => {
                            *on_how = false;
                            asking.note = Note::error("That is before the incident happened.");
                        }
                        Ok(_) if how_text.is_empty() => asking.note = Note::error("Say how they were told."),
                        Ok(_) if how_text.chars().count() > SHORT_TEXT_MAX => {
                            asking.note = Note::error("\"How\" is at most 500 characters.");
                        }
                        Ok(at) => {
                            asking.sending = true;
                            cx.call(calls::parents_informed(&reference, &ParentsInformed { at, how: how_text }));
                        }
                    }
                }
                _ => {
                    let field = if *on_how { how } else { when };
                    field.input(key);
                }
            },
            Ask::Flag { reason, flagging } => match keymap::lookup(&[keys::ASK_KEYS], &key) {
                Some(KeyAction::Back) => self.asking = None,
                Some(KeyAction::NextField) => {}
                Some(KeyAction::Submit) => {
                    let why = reason.text().trim().to_string();
                    if *flagging && why.is_empty() {
                        asking.note = Note::error("Say why it needs attention.");
                    } else {
                        asking.sending = true;
                        cx.call(calls::flag(
                            &reference,
                            &FlagRequest {
                                flagged: *flagging,
                                reason: why,
                            },
                        ));
                    }
                }
                _ => {
                    reason.input(key);
                }
            },
            Ask::Account { text, id, leaving } => match keymap::lookup(&[keys::ACCOUNT_KEYS], &key) {
                Some(KeyAction::Back) if text.is_blank() || *leaving => self.asking = None,
                Some(KeyAction::Back) => {
                    *leaving = true;
                    asking.note = Note::error("Esc again throws your account away; Ctrl-S sends it.");
                }
                Some(KeyAction::Submit) if text.is_blank() => asking.note = Note::error("Write your account first."),
                Some(KeyAction::Submit) => {
                    asking.sending = true;
                    cx.call(calls::account(
                        &reference,
                        &NewAccount {
                            id: *id,
                            text: text.text().trim().to_string(),
                        },
                    ));
                }
                _ => {
                    *leaving = false;
                    if text.input(key) && text.len() >= LONG_TEXT_MAX {
                        asking.note = Note::info("That is the longest an account can be (10,000 characters).");
                    }
                }
            },
            Ask::Delete { reason, confirming: true } => match keymap::lookup(&[keys::CONFIRM_KEYS], &key) {
                Some(KeyAction::Submit) => {
                    asking.sending = true;
                    cx.call(calls::delete(
                        &reference,
                        &DeleteRequest {
                            reason: reason.text().trim().to_string(),
                        },
                    ));
                }
                Some(KeyAction::Back) => {
                    if let Some(Asking {
                        ask: Ask::Delete { confirming, .. },
                        ..
                    }) = &mut self.asking
                    {
                        *confirming = false;
                    }
                }
                _ => cx.say("y deletes it, n keeps it."),
            },
            Ask::Delete { reason, confirming } => match keymap::lookup(&[keys::ASK_KEYS], &key) {
                Some(KeyAction::Back) => self.asking = None,
                Some(KeyAction::NextField) => {}
                Some(KeyAction::Submit) if reason.text().trim().is_empty() => {
                    asking.note = Note::error("Say why it is deleted: the audit log keeps the reason.");
                }
                Some(KeyAction::Submit) => {
                    *confirming = true;
                    asking.note = None;
                }
                _ => {
                    reason.input(key);
                }
            },
        }
    }

    /// An action was refused or failed: the form stays, with what was typed and why.
    fn refused(&mut self, e: &ApiError, cx: &mut Cx) {
        let text = if e.offline() {
            "Not sent: the server cannot be reached. What you typed is still here: try again.".to_string()
        } else {
            format!("Refused: {e}")
        };
        match &mut self.asking {
            Some(asking) => {
                asking.sending = false;
                asking.note = Note::error(text.clone());
                if let Ask::Delete { confirming, .. } = &mut asking.ask {
                    *confirming = false;
                }
            }
            None => cx.say(text.clone()),
        }
        cx.say(text);
    }

    fn changed(&mut self, change: Change, incident: Incident, cx: &mut Cx) {
        cx.say(match change {
            Change::Parents => format!("{}: parents informed recorded.", self.reference),
            Change::Flag(true) => format!("{} flagged for attention: the DSLs and key staff are told.", self.reference),
            Change::Flag(false) => format!("{}: the flag is cleared.", self.reference),
            Change::Account => format!("{}: your account is added.", self.reference),
        });
        self.tell(Update::Changed {
            reference: incident.reference.clone(),
            flagged: incident.flag.is_some(),
            parents_informed: incident.parents_informed.is_some(),
        });
        self.incident = Some(incident);
        self.asking = None;
    }
}

impl std::fmt::Debug for IncidentView {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.summary())
    }
}

impl Page for IncidentView {
    fn title(&self) -> String {
        format!("Incident {}", self.reference)
    }

    fn keys(&self) -> &'static [&'static [Binding]] {
        match self.asking.as_ref().map(|a| &a.ask) {
            None => keys::VIEW_TABLES,
            Some(Ask::Account { .. }) => &[keys::ACCOUNT_KEYS, EDITING],
            Some(Ask::Delete { confirming: true, .. }) => &[keys::CONFIRM_KEYS],
            Some(_) => &[keys::ASK_KEYS, EDITING],
        }
    }

    fn min_size(&self) -> (u16, u16) {
        (60, 16)
    }

    fn edits_text(&self) -> bool {
        self.asking.is_some()
    }

    fn modal(&self) -> bool {
        true
    }

    fn has_draft(&self) -> bool {
        match self.asking.as_ref().map(|a| &a.ask) {
            Some(Ask::Account { text, .. }) => !text.is_blank(),
            Some(Ask::Parents { how, .. }) => !how.is_empty(),
            Some(Ask::Flag { reason, .. } | Ask::Delete { reason, .. }) => !reason.is_empty(),
            None => false,
        }
    }

    fn start(&mut self, cx: &mut Cx) {
        cx.call(calls::incident(&self.reference));
        cx.call(calls::periods());
    }

    fn refresh(&mut self, cx: &mut Cx) {
        cx.call(calls::incident(&self.reference));
    }

    fn revealed(&mut self, cx: &mut Cx) {
        // Back from the report form (an edit) or the plan builder: it may have changed.
        cx.call(calls::incident(&self.reference));
    }

    fn key(&mut self, key: KeyEvent, cx: &mut Cx) -> bool {
        if self.asking.is_some() {
            self.ask_key(key, cx);
        } else {
            self.view_key(key, cx);
        }
        true
    }

    fn paste(&mut self, text: &str, _cx: &mut Cx) {
        let Some(asking) = &mut self.asking else { return };
        match &mut asking.ask {
            Ask::Parents { when, how, on_how } => {
                if *on_how {
                    how.paste(text);
                } else {
                    when.paste(text);
                }
            }
            Ask::Flag { reason, .. } | Ask::Delete { reason, .. } => reason.paste(text),
            Ask::Account { text: account, .. } => account.paste(text),
        }
    }

    fn reply(&mut self, reply: Typed, cx: &mut Cx) {
        match take::<Reply>(reply) {
            Some(Reply::Incident(Ok(incident))) => {
                self.incident = Some(incident);
                self.failed = None;
                self.stale = false;
            }
            Some(Reply::Incident(Err(e))) => {
                self.stale = true;
                if self.incident.is_none() {
                    self.failed = Some(if e.is(crate::wire::codes::NOT_FOUND) {
                        format!("{} is not available to you: it may have been deleted, or your access changed.", self.reference)
                    } else if e.offline() {
                        "It could not be loaded: it comes when the server answers.".into()
                    } else {
                        format!("It could not be loaded: {e}")
                    });
                }
            }
            Some(Reply::Changed(change, Ok(incident))) => self.changed(change, incident, cx),
            Some(Reply::Changed(_, Err(e))) | Some(Reply::Deleted(Err(e))) => self.refused(&e, cx),
            Some(Reply::Deleted(Ok(()))) => {
                self.tell(Update::Deleted(self.reference.clone()));
                self.asking = None;
                cx.say(format!(
                    "Deleted {}: hidden from every list, never erased; the audit log keeps who, when and why.",
                    self.reference
                ));
                cx.back();
            }
            Some(Reply::Markdown(Ok(export))) => cx.save(export.filename, export.markdown),
            Some(Reply::Markdown(Err(e))) if e.offline() => {
                cx.say("Not downloaded: the server cannot be reached. Press w again when it is back.");
            }
            Some(Reply::Markdown(Err(e))) => cx.say(format!("Not downloaded: {e}")),
            Some(Reply::Periods(Ok(list))) => self.periods = list.items,
            Some(_) | None => {}
        }
    }

    fn render(&mut self, f: &mut Frame, area: Rect, ctx: &Ctx<'_>) {
        let title = match (&self.incident, self.stale) {
            (Some(_), true) => format!(
                "Incident{}{}",
                ctx.glyphs.dash(),
                ctx.stale().unwrap_or_else(|| "could not refresh".into())
            ),
            _ => "Incident".to_string(),
        };
        let block = ctx.block(&ctx.glyphs.text(&title)).border_style(ctx.theme.focus());
        let inner = block.inner(area);
        f.render_widget(block, area);
        let lines: Vec<Line> = match (&self.incident, &self.failed) {
            (Some(i), _) => record::lines(i, ctx),
            (None, Some(why)) => vec![Line::from(why.clone())],
            (None, None) => vec![Line::from(ctx.glyphs.text("Loading the incident…").into_owned())],
        };
        self.rows = wrapped_height(&lines, inner.width);
        self.page = inner.height.saturating_sub(1).max(1);
        self.scroll = self.scroll.min(self.rows.saturating_sub(inner.height));
        f.render_widget(
            Paragraph::new(lines).wrap(Wrap { trim: false }).scroll((self.scroll, 0)),
            inner,
        );
        if let Some(asking) = &mut self.asking {
            render_ask(asking, &self.reference, f, area, ctx);
        }
    }

    fn summary(&self) -> String {
        format!(
            "IncidentView {{ loaded: {}, asking: {}, scroll: {} }}",
            self.incident.is_some(),
            self.asking.is_some(),
            self.scroll
        )
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// Draw the open form over the view.
fn render_ask(asking: &mut Asking, reference: &str, f: &mut Frame, area: Rect, ctx: &Ctx<'_>) {
    let (title, height) = match &asking.ask {
        Ask::Parents { .. } => ("Parents or carers informed", 11),
        Ask::Flag { flagging: true, .. } => ("Flag for attention", 8),
        Ask::Flag { .. } => ("Clear the flag", 8),
        Ask::Account { .. } => ("Add my account", 20),
        Ask::Delete { .. } => ("Delete the incident", 9),
    };
    let box_area = centered(area, 72, height);
    f.render_widget(Clear, box_area);
    let block = ctx.block(title).border_style(ctx.theme.focus());
    let inner = block.inner(box_area);
    f.render_widget(block, box_area);
    let sending = if asking.sending { "Sending… " } else { "" };
    let (hint, fields): (String, u16) = match &asking.ask {
        Ask::Parents { .. } => (format!("{sending}Enter next / records it · Tab · Esc cancels"), 6),
        Ask::Flag { .. } => (format!("{sending}Enter sends · Esc cancels"), 3),
        Ask::Account { .. } => (format!("{sending}Ctrl-S sends · Enter new line · Esc cancels"), 0),
        Ask::Delete { confirming: true, .. } => (
            format!("{sending}Delete {reference}? It is hidden from every list. y deletes, n keeps it."),
            3,
        ),
        Ask::Delete { .. } => (format!("{sending}Enter asks to confirm · Esc cancels"), 3),
    };
    let rows = Layout::vertical([
        Constraint::Length(fields),
        Constraint::Min(if fields == 0 { 3 } else { 0 }),
        Constraint::Length(1),
        Constraint::Length(2),
    ])
    .split(inner);
    match &mut asking.ask {
        Ask::Parents { when, how, on_how } => {
            let two = Layout::vertical([Constraint::Length(3), Constraint::Length(3)]).split(rows[0]);
            when.render(f, two[0], !*on_how, ctx.theme, ctx.glyphs);
            how.render(f, two[1], *on_how, ctx.theme, ctx.glyphs);
        }
        Ask::Flag { reason, .. } | Ask::Delete { reason, .. } => {
            reason.render(f, rows[0], true, ctx.theme, ctx.glyphs);
        }
        Ask::Account { text, .. } => text.render(f, rows[1], true, ctx.theme, ctx.glyphs),
    }
    f.render_widget(
        Paragraph::new(ctx.glyphs.text(&hint).into_owned())
            .style(ctx.theme.dim())
            .wrap(Wrap { trim: true }),
        rows[2],
    );
    popup::note(f, rows[3], asking.note.as_ref(), ctx.theme, ctx.glyphs);
}

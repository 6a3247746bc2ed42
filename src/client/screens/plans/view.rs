//! The view of one Smart Plan: every field, who wrote and last changed it, its review date and
//! the incident it came from; `e` edits it in the builder, `w` downloads it as Markdown, `D`
//! deletes it with a reason (offered only when the server says the reader may).

use std::any::Any;

use crossterm::event::KeyEvent;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Wrap};

use super::calls::{self, Reply};
use super::keys;
use crate::client::call::{Typed, take};
use crate::client::keymap::{self, Binding, KeyAction};
use crate::client::screens::{Ctx, Cx, Note, Page, centered, wrapped_height};
use crate::client::widgets::popup;
use crate::client::widgets::text_field::{EDITING, TextField};
use crate::wire::Plan;

/// A plan's view. `Debug` prints states only.
pub struct PlanView {
    /// The plan's id.
    pub id: String,
    /// The plan, once it came.
    pub plan: Option<Plan>,
    failed: Option<String>,
    scroll: u16,
    page: u16,
    /// Typing why it is deleted.
    pub deleting: Option<TextField>,
    note: Option<Note>,
    sending: bool,
}

impl PlanView {
    /// The view of plan `id`.
    pub fn new(id: String) -> PlanView {
        PlanView {
            id,
            plan: None,
            failed: None,
            scroll: 0,
            page: 10,
            deleting: None,
            note: None,
            sending: false,
        }
    }

    fn delete_key(&mut self, key: KeyEvent, cx: &mut Cx) {
        let Some(reason) = &mut self.deleting else { return };
        if self.sending {
            return cx.say("Deleting: wait for the answer.");
        }
        match keymap::lookup(&[keys::DELETE_KEYS], &key) {
            Some(KeyAction::Back) => {
                self.deleting = None;
                self.note = None;
            }
            Some(KeyAction::Submit) if reason.text().trim().is_empty() => {
                self.note = Note::error("Say why it is deleted: the audit log keeps the reason.");
            }
            Some(KeyAction::Submit) => {
                self.sending = true;
                cx.call(calls::delete(&self.id, reason.text().trim().to_string()));
            }
            _ => {
                reason.input(key);
            }
        }
    }
}

impl std::fmt::Debug for PlanView {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.summary())
    }
}

/// The lines of `p`.
fn lines(p: &Plan, ctx: &Ctx<'_>) -> Vec<Line<'static>> {
    let d = ctx.dates;
    let mut out = vec![
        Line::from(Span::styled(p.title.clone(), ctx.theme.title())),
        Line::from(format!("For: {}", ctx.privacy.opened(&p.individual.name))),
        Line::from(format!(
            "Review: {}",
            p.review_on
                .map_or("no date set".into(), |day| day.format("%A %-d %B %Y").to_string())
        )),
        Line::from(format!(
            "From incident: {}",
            p.source_incident_reference.as_deref().unwrap_or("none")
        )),
        Line::from(format!("Written by {}, {}", p.created_by.name, d.long(p.created_at))),
        Line::from(format!("Last changed by {}, {}", p.updated_by.name, d.long(p.updated_at))),
    ];
    for (label, text) in [
        ("Strategies that help them feel safe and regulated", &p.strategies),
        ("Reasonable adjustments", &p.reasonable_adjustments),
        ("Agreed responses", &p.agreed_responses),
        ("How staff communicate and follow up after incidents", &p.follow_up),
    ] {
        out.push(Line::from(""));
        out.push(Line::from(Span::styled(label.to_string(), ctx.theme.title())));
        if text.trim().is_empty() {
            out.push(Line::from("(none yet)"));
        }
        out.extend(text.split('\n').filter(|_| !text.trim().is_empty()).map(|l| Line::from(l.to_string())));
    }
    out
}

impl Page for PlanView {
    fn title(&self) -> String {
        "Smart Plan".into()
    }

    fn keys(&self) -> &'static [&'static [Binding]] {
        if self.deleting.is_some() {
            &[keys::DELETE_KEYS, EDITING]
        } else {
            keys::VIEW_TABLES
        }
    }

    fn min_size(&self) -> (u16, u16) {
        (50, 14)
    }

    fn edits_text(&self) -> bool {
        self.deleting.is_some()
    }

    fn modal(&self) -> bool {
        true
    }

    fn start(&mut self, cx: &mut Cx) {
        cx.call(calls::plan(&self.id));
    }

    fn refresh(&mut self, cx: &mut Cx) {
        cx.call(calls::plan(&self.id));
    }

    fn revealed(&mut self, cx: &mut Cx) {
        // Back from the builder: the plan may have changed.
        cx.call(calls::plan(&self.id));
    }

    fn key(&mut self, key: KeyEvent, cx: &mut Cx) -> bool {
        if self.deleting.is_some() {
            self.delete_key(key, cx);
            return true;
        }
        let page = self.page.max(1);
        match keymap::lookup(keys::VIEW_TABLES, &key) {
            Some(KeyAction::Back) => cx.back(),
            Some(KeyAction::Help) => cx.help(),
            Some(KeyAction::Down) => self.scroll = self.scroll.saturating_add(1),
            Some(KeyAction::Up) => self.scroll = self.scroll.saturating_sub(1),
            Some(KeyAction::PageDown) => self.scroll = self.scroll.saturating_add(page),
            Some(KeyAction::PageUp) => self.scroll = self.scroll.saturating_sub(page),
            Some(KeyAction::Top) => self.scroll = 0,
            Some(KeyAction::Bottom) => self.scroll = u16::MAX,
            Some(action) => match (&self.plan, action) {
                (None, _) => cx.say("The plan has not loaded yet."),
                (Some(p), keys::EDIT) => cx.push(super::builder(p.individual.clone(), None, Some(p.clone()))),
                (Some(_), keys::DOWNLOAD) => {
                    cx.call(calls::markdown(&self.id));
                    cx.say("Downloading the plan…");
                }
                (Some(p), keys::DELETE) if !p.can_delete => {
                    cx.say("Deleting a Smart Plan needs the delete permission (ask your DSL).");
                }
                (Some(_), keys::DELETE) => {
                    self.deleting = Some(TextField::plain("Why delete it (1-500 characters; kept in the audit log)"));
                }
                _ => {}
            },
            None => cx.say("That key does nothing here: ? shows the keys."),
        }
        true
    }

    fn paste(&mut self, text: &str, _cx: &mut Cx) {
        if let Some(reason) = &mut self.deleting {
            reason.paste(text);
        }
    }

    fn reply(&mut self, reply: Typed, cx: &mut Cx) {
        match take::<Reply>(reply) {
            Some(Reply::Plan(Ok(plan))) => {
                self.plan = Some(plan);
                self.failed = None;
            }
            Some(Reply::Plan(Err(e))) if self.plan.is_none() => {
                self.failed = Some(if e.is(crate::wire::codes::NOT_FOUND) {
                    "This plan is not available to you: it may have been deleted, or your access changed.".into()
                } else if e.offline() {
                    "It could not be loaded: it comes when the server answers.".into()
                } else {
                    format!("It could not be loaded: {e}")
                });
            }
            Some(Reply::Deleted(Ok(()))) => {
                self.deleting = None;
                self.sending = false;
                cx.say("Smart Plan deleted: hidden from every list, never erased; the audit log keeps who, when and why.");
                cx.back();
            }
            Some(Reply::Deleted(Err(e))) => {
                self.sending = false;
                self.note = Note::error(if e.offline() {
                    "Not deleted: the server cannot be reached. Your reason is still here: Enter again.".to_string()
                } else {
                    format!("Refused: {e}")
                });
            }
            Some(Reply::Markdown(Ok(export))) => cx.save(export.filename, export.markdown),
            Some(Reply::Markdown(Err(e))) => cx.say(format!("Not downloaded: {e}")),
            Some(_) | None => {}
        }
    }

    fn render(&mut self, f: &mut Frame, area: Rect, ctx: &Ctx<'_>) {
        let block = ctx.block("Smart Plan").border_style(ctx.theme.focus());
        let inner = block.inner(area);
        f.render_widget(block, area);
        let lines = match (&self.plan, &self.failed) {
            (Some(p), _) => lines(p, ctx),
            (None, Some(why)) => vec![Line::from(why.clone())],
            (None, None) => vec![Line::from(ctx.glyphs.text("Loading the plan…").into_owned())],
        };
        let rows = wrapped_height(&lines, inner.width);
        self.page = inner.height.saturating_sub(1).max(1);
        self.scroll = self.scroll.min(rows.saturating_sub(inner.height));
        f.render_widget(
            Paragraph::new(lines).wrap(Wrap { trim: false }).scroll((self.scroll, 0)),
            inner,
        );
        if let Some(reason) = &mut self.deleting {
            let box_area = centered(area, 70, 8);
            f.render_widget(Clear, box_area);
            let block = ctx.block("Delete the Smart Plan").border_style(ctx.theme.focus());
            let inner = block.inner(box_area);
            f.render_widget(block, box_area);
            let rows = Layout::vertical([Constraint::Length(3), Constraint::Length(1), Constraint::Min(0)]).split(inner);
            reason.render(f, rows[0], true, ctx.theme, ctx.glyphs);
            f.render_widget(
                Paragraph::new(
                    ctx.glyphs
                        .text("Enter deletes it (hidden, never erased) · Esc keeps it")
                        .into_owned(),
                )
                .style(ctx.theme.dim()),
                rows[1],
            );
            popup::note(f, rows[2], self.note.as_ref(), ctx.theme, ctx.glyphs);
        }
    }

    fn summary(&self) -> String {
        format!(
            "PlanView {{ loaded: {}, deleting: {} }}",
            self.plan.is_some(),
            self.deleting.is_some()
        )
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

//! Drawing the frame: the title bar, the screen, the status bar and the key hints, then the
//! pop-ups (help, quit question, error, notice); while locked, only the lock screen. A window
//! smaller than the screen needs shows "Window too small" instead of a squeezed screen.
//!
//! Kept apart from `App`'s state and `update` (the parent module) so each file holds one
//! thing; as a child module it reads `App`'s private fields without widening them.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Clear, Paragraph, Row, Table};

use super::{App, Mode, Overlay};
use crate::client::connection::Connection;
use crate::client::keymap;
use crate::client::screens::{Ctx, centered};
use crate::client::widgets::fit::{fit, width};
use crate::client::widgets::popup::{self, draw_too_small, popup, too_small};

/// The product's own words, explained once in `?` (and in the README).
const GLOSSARY: &[(&str, &str)] = &[
    ("setting", "your school or home"),
    ("Clicker", "logs a behaviour in one key"),
    ("PILD", "learning after an incident"),
    ("Smart Plan", "a pupil's agreed strategies"),
];

/// The rows the frame takes around a screen: title bar, status bar, hint line.
const CHROME_ROWS: u16 = 3;

impl App {
    fn ctx(&self) -> Ctx<'_> {
        Ctx {
            theme: &self.opts.theme,
            glyphs: self.opts.glyphs,
            dates: self.opts.dates,
            privacy: self.privacy,
            setting: self.setting.as_ref(),
            server_url: &self.opts.server_url,
            connection: &self.connection,
        }
    }

    /// Draw the whole frame: only the lock screen while locked.
    pub fn render(&mut self, f: &mut Frame) {
        let area = f.area();
        let ctx_parts = (self.opts.theme, self.opts.glyphs, self.opts.dates, self.privacy);
        let ctx = Ctx {
            theme: &ctx_parts.0,
            glyphs: ctx_parts.1,
            dates: ctx_parts.2,
            privacy: ctx_parts.3,
            setting: self.setting.as_ref(),
            server_url: &self.opts.server_url,
            connection: &self.connection,
        };
        if let Some(lock) = &mut self.lock {
            if area.height < 12 || area.width < 40 {
                lock.render(f, area, &ctx);
                return;
            }
            let rows = Layout::vertical([Constraint::Min(1), Constraint::Length(1), Constraint::Length(1)]).split(area);
            lock.render(f, rows[0], &ctx);
            let status = self.status_line(rows[1].width);
            f.render_widget(status, rows[1]);
            let hints = ctx
                .glyphs
                .text(&keymap::hints(&[keymap::LOCK], area.width.into()))
                .into_owned();
            f.render_widget(Paragraph::new(hints).style(ctx.theme.dim()), rows[2]);
            return;
        }
        let need = self.min_size();
        if too_small(area, need) {
            draw_too_small(f, area, need, ctx.theme, ctx.glyphs);
            return;
        }
        let rows = Layout::vertical([
            Constraint::Length(1),
            Constraint::Min(need.1.saturating_sub(CHROME_ROWS)),
            Constraint::Length(1),
            Constraint::Length(1),
        ])
        .split(area);
        let title = Line::from(vec![
            Span::styled(" bsmart ", ctx.theme.status()),
            Span::styled(format!(" {} ", self.title()), ctx.theme.title()),
        ]);
        f.render_widget(Paragraph::new(title), rows[0]);
        let mut warnings = Vec::new();
        if self.identity_changed {
            warnings.push(
                "this server is not the setting it was before. Do not sign in unless your admin confirms the change."
                    .to_string(),
            );
        }
        warnings.extend(self.untrusted.clone());
        match &mut self.mode {
            Mode::SignIn(flow) => flow.render(f, rows[1], &ctx, &warnings),
            Mode::Pages(pages) => {
                if let Some(top) = pages.last_mut() {
                    top.page.render(f, rows[1], &ctx);
                }
            }
        }
        let status = self.status_line(rows[2].width);
        f.render_widget(status, rows[2]);
        let theme = self.opts.theme;
        let hints = match &self.status {
            Some(s) => Line::from(Span::styled(
                fit(s, rows[3].width.into(), self.opts.glyphs.ellipsis()).into_owned(),
                theme.focus(),
            )),
            None => Line::from(Span::styled(
                self.opts
                    .glyphs
                    .text(&keymap::hints(&self.key_tables(), area.width.into()))
                    .into_owned(),
                theme.dim(),
            )),
        };
        f.render_widget(Paragraph::new(hints), rows[3]);
        let ctx = self.ctx();
        match self.overlays.last() {
            None => {}
            Some(Overlay::Help(top)) => self.render_help(f, area, *top, &ctx),
            Some(Overlay::Error(msg)) => popup(
                f,
                area,
                "Error",
                vec![
                    Line::from(Span::styled(crate::client::sanitize::clean(msg), theme.error())),
                    Line::from(""),
                    Line::from("Esc closes"),
                ],
                &theme,
                ctx.glyphs,
            ),
            Some(Overlay::Info(msg)) => popup(
                f,
                area,
                "Please note",
                vec![
                    Line::from(Span::styled(crate::client::sanitize::clean(msg), theme.focus())),
                    Line::from(""),
                    Line::from("Esc or Enter closes"),
                ],
                &theme,
                ctx.glyphs,
            ),
            Some(Overlay::QuitConfirm) => popup(
                f,
                area,
                "Quit?",
                vec![
                    Line::from(self.quit_question()),
                    Line::from(""),
                    Line::from(ctx.glyphs.text("y: quit · n or Esc: stay").into_owned()),
                ],
                &theme,
                ctx.glyphs,
            ),
        }
    }

    /// What quitting would lose, in words.
    fn quit_question(&self) -> String {
        let pending = self.outbox.len();
        let (typed, kept) = match &self.mode {
            Mode::SignIn(flow) => (flow.has_draft(), false),
            Mode::Pages(pages) => {
                let typed: Vec<_> = pages.iter().filter(|p| p.page.has_draft()).collect();
                (
                    !typed.is_empty(),
                    !typed.is_empty() && typed.iter().all(|p| p.page.kept_on_server()),
                )
            }
        };
        match (pending, typed) {
            (0, _) if kept => "Quit bsmart? Your report is being saved as a draft on the server: it is offered \
                               back when you next sign in (the last few seconds of typing could be lost)."
                .to_string(),
            (0, _) => "Quit bsmart? What you typed will be lost.".to_string(),
            (n, typed) => format!(
                "Quit bsmart? {} not reached the server yet{}: quitting now loses {}.",
                super::have(n),
                if typed { ", and what you typed is not saved" } else { "" },
                if n == 1 { "it" } else { "them" },
            ),
        }
    }

    /// The status bar: user and setting on the left (cut first when narrow); on the right,
    /// always shown so they are never cut: "names hidden · v" while privacy mode hides them,
    /// the connection ("OFFLINE since 10:42") and the lock key.
    fn status_line(&self, columns: u16) -> Paragraph<'static> {
        let g = self.opts.glyphs;
        let sep = g.sep();
        let user = self
            .session
            .as_ref()
            .map_or("not signed in", |s| s.user.display_name.as_str());
        let setting = self.setting.as_ref().map_or("-", |s| s.name.as_str());
        let conn = match &self.connection {
            Connection::Connecting => "connecting".to_string(),
            Connection::Online => "online".to_string(),
            Connection::Offline { since, .. } => format!("OFFLINE since {}", self.opts.dates.time(*since)),
        };
        let lock = if self.lock.is_some() { "Locked" } else { "Ctrl-L lock" };
        let conn = match self.outbox.len() {
            0 => conn,
            n => format!("{n} pending{sep}{conn}"),
        };
        // Privacy mode, where names are shown: whether they are hidden, and `v` where it works.
        let names = match (&self.mode, self.privacy.on, self.lock.is_some()) {
            (Mode::Pages(pages), true, false) => {
                let v_works = pages.last().is_some_and(|p| !p.page.modal() && !p.page.edits_text());
                let state = if self.privacy.revealed {
                    "names shown"
                } else {
                    "names hidden"
                };
                if v_works {
                    format!("{state}{sep}v{sep}")
                } else {
                    format!("{state}{sep}")
                }
            }
            _ => String::new(),
        };
        // The connection and the lock come first; the names state joins them when it fits.
        let essential = format!(" {conn}{sep}{lock} ");
        let right = match format!(" {names}{conn}{sep}{lock} ") {
            full if width(&full) + 12 <= usize::from(columns) => full,
            _ => fit(&essential, usize::from(columns), g.ellipsis()).into_owned(),
        };
        let left = format!(" {user}{sep}{setting}");
        let room = usize::from(columns).saturating_sub(width(&right));
        let left = fit(&left, room, g.ellipsis());
        let pad = room.saturating_sub(width(&left));
        Paragraph::new(format!("{left}{}{right}", " ".repeat(pad))).style(self.opts.theme.status())
    }

    /// The rows of help: the keys that apply now, then (on pages) what the symbols and the
    /// product's words mean.
    pub(super) fn help_rows(&self) -> Vec<(String, String)> {
        let g = self.opts.glyphs;
        let mut rows: Vec<(String, String)> = keymap::help_rows(&self.key_tables())
            .into_iter()
            .map(|(k, what)| (g.text(k).into_owned(), what.to_string()))
            .collect();
        if matches!(self.mode, Mode::Pages(_)) {
            rows.extend(g.legend().into_iter().map(|(sym, what)| (sym, what.to_string())));
            rows.extend(GLOSSARY.iter().map(|(word, what)| (word.to_string(), what.to_string())));
        }
        rows
    }

    /// The keys of the current screen, from the key table, and what the symbols mean: one
    /// column when it fits the height, else two side by side (80x24 shows every key); when even
    /// two do not fit, a window of them from row `top` (`j`/`k` scroll, the border says so).
    /// Every cell is cut to its column with "…".
    fn render_help(&self, f: &mut Frame, area: Rect, top: usize, ctx: &Ctx<'_>) {
        let theme = ctx.theme;
        let ellipsis = ctx.glyphs.ellipsis();
        let rows = self.help_rows();
        let room = usize::from(area.height.saturating_sub(2)).max(1);
        let two = rows.len() > room;
        let per_col = if two {
            rows.len().div_ceil(2).min(room)
        } else {
            rows.len()
        };
        let shown = if two { per_col * 2 } else { per_col };
        let top = top.min(rows.len().saturating_sub(shown));
        let window = &rows[top..(top + shown).min(rows.len())];
        let (left, right) = window.split_at(per_col.min(window.len()));
        let key_width = |part: &[(String, String)]| part.iter().map(|(k, _)| width(k)).max().unwrap_or(0) as u16;
        let (left_w, right_w) = (key_width(left), key_width(right));
        let r = centered(area, if two { 100 } else { 64 }, per_col as u16 + 2);
        let inner = r.width.saturating_sub(2);
        let what_w = if two {
            inner.saturating_sub(left_w + right_w + 6) / 2
        } else {
            inner.saturating_sub(left_w + 2)
        };
        let cells = |part: &[(String, String)], i: usize, key_w: u16| {
            part.get(i)
                .map(|(k, what)| {
                    [
                        Cell::from(Span::styled(fit(k, key_w.into(), ellipsis).into_owned(), theme.focus())),
                        Cell::from(fit(what, what_w.into(), ellipsis).into_owned()),
                    ]
                })
                .into_iter()
                .flatten()
        };
        let table_rows: Vec<Row> = (0..per_col)
            .map(|i| {
                Row::new(
                    cells(left, i, left_w).chain(
                        if two { Some(cells(right, i, right_w)) } else { None }
                            .into_iter()
                            .flatten(),
                    ),
                )
            })
            .collect();
        let mut widths = vec![Constraint::Length(left_w), Constraint::Length(what_w)];
        if two {
            widths.extend([Constraint::Length(right_w), Constraint::Length(what_w)]);
        }
        f.render_widget(Clear, r);
        let more = top + shown < rows.len() || top > 0;
        let bottom = if more {
            " j/k more · Esc closes "
        } else {
            " Esc closes "
        };
        let block = popup::block(&format!("Keys: {}", self.title()), theme, ctx.glyphs)
            .border_style(theme.focus())
            .title_bottom(Span::styled(ctx.glyphs.text(bottom).into_owned(), theme.dim()));
        f.render_widget(Table::new(table_rows, widths).column_spacing(2).block(block), r);
    }
}

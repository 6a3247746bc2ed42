//! Drawing the frame: the title bar, the screen, the status bar and the key hints, then the
//! overlay (help, quit question, error, incident details); while locked, only the lock screen.
//!
//! Kept apart from `App`'s state and `update` (the parent module) so each file holds one
//! thing; as a child module it reads `App`'s private fields without widening them.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Clear, Paragraph, Row, Table, Wrap};

use super::{App, Connection, Overlay};
use crate::client::keymap;
use crate::client::screens::{Ctx, Screen, centered, wrapped_height};
use crate::client::theme::Theme;

impl App {
    /// Draw the whole frame: only the lock screen while locked.
    pub fn render(&mut self, f: &mut Frame) {
        let area = f.area();
        let theme = self.opts.theme;
        if let Some(lock) = &mut self.lock {
            if area.height < 12 || area.width < 40 {
                lock.render(f, area, &theme);
                return;
            }
            let rows = Layout::vertical([Constraint::Min(1), Constraint::Length(1), Constraint::Length(1)]).split(area);
            lock.render(f, rows[0], &theme);
            self.render_status(f, rows[1]);
            f.render_widget(
                Paragraph::new(keymap::hints(&[keymap::LOCK], area.width.into())).style(theme.dim()),
                rows[2],
            );
            return;
        }
        let rows = Layout::vertical([
            Constraint::Length(1),
            Constraint::Min(1),
            Constraint::Length(1),
            Constraint::Length(1),
        ])
        .split(area);
        let title = Line::from(vec![
            Span::styled(" bsmart ", theme.status()),
            Span::styled(format!(" {} ", self.screen.title()), theme.title()),
        ]);
        f.render_widget(Paragraph::new(title), rows[0]);
        let ctx = Ctx {
            theme: &theme,
            setting: self.setting.as_ref(),
            server_url: &self.opts.server_url,
        };
        self.screen.render(f, rows[1], &ctx);
        self.render_status(f, rows[2]);
        let hints = match &self.status {
            Some(s) => Line::from(Span::styled(s.clone(), theme.focus())),
            None => Line::from(Span::styled(
                keymap::hints(&self.screen.key_tables(), area.width.into()),
                theme.dim(),
            )),
        };
        f.render_widget(Paragraph::new(hints), rows[3]);
        match &self.overlay {
            None => {}
            Some(Overlay::Details) => {
                if let Screen::Dashboard(d) = &self.screen {
                    d.render_details(f, rows[1], &theme);
                }
            }
            Some(Overlay::Help) => self.render_help(f, area),
            Some(Overlay::Error(msg)) => popup(
                f,
                area,
                " Error ",
                vec![
                    Line::from(Span::styled(crate::client::sanitize::clean(msg), theme.error())),
                    Line::from(""),
                    Line::from("Esc closes"),
                ],
                &theme,
            ),
            Some(Overlay::QuitConfirm) => popup(
                f,
                area,
                " Quit? ",
                vec![
                    Line::from("Quit bsmart? What you typed will be lost."),
                    Line::from(""),
                    Line::from("y: quit · n or Esc: stay"),
                ],
                &theme,
            ),
        }
    }

    /// The status bar: user and setting on the left (cut first when narrow); the connection
    /// and the lock key on the right (always shown, so "OFFLINE" and "Locked" are never cut).
    /// Pending uploads join the right-hand side with the outbox, when records are first made.
    fn render_status(&self, f: &mut Frame, area: Rect) {
        let style = self.opts.theme.status();
        let user = self
            .session
            .as_ref()
            .map_or("not signed in", |s| s.user.display_name.as_str());
        let setting = self.setting.as_ref().map_or("…", |s| s.name.as_str());
        let conn = match self.connection {
            Connection::Connecting => "connecting",
            Connection::Online => "online",
            Connection::Offline => "OFFLINE",
        };
        let lock = if self.lock.is_some() { "Locked" } else { "Ctrl-L lock" };
        let right = format!(" {conn} · {lock} ");
        let w = (right.chars().count() as u16).min(area.width);
        let cols = Layout::horizontal([Constraint::Min(0), Constraint::Length(w)]).split(area);
        f.render_widget(Paragraph::new(format!(" {user} · {setting} ·")).style(style), cols[0]);
        f.render_widget(Paragraph::new(right).style(style), cols[1]);
    }

    /// The keys of the current screen, from the key table: one column when it fits the
    /// height, else two side by side (80x24 shows every key); "Esc closes" sits in the border.
    fn render_help(&self, f: &mut Frame, area: Rect) {
        let theme = self.opts.theme;
        let rows = keymap::help_rows(&self.screen.key_tables());
        let two = rows.len() as u16 + 2 > area.height;
        let per_col = if two { rows.len().div_ceil(2) } else { rows.len() };
        let key_w = rows.iter().map(|(k, _)| k.chars().count()).max().unwrap_or(0) as u16;
        let cells = |i: usize| {
            rows.get(i)
                .map(|(k, what)| [Cell::from(Span::styled(*k, theme.focus())), Cell::from(*what)])
                .into_iter()
                .flatten()
        };
        let table_rows: Vec<Row> = (0..per_col)
            .map(|i| Row::new(cells(i).chain(if two { Some(cells(i + per_col)) } else { None }.into_iter().flatten())))
            .collect();
        let mut widths = vec![Constraint::Length(key_w), Constraint::Fill(1)];
        if two {
            widths.extend([Constraint::Length(key_w), Constraint::Fill(1)]);
        }
        let r = centered(area, if two { 100 } else { 60 }, per_col as u16 + 2);
        f.render_widget(Clear, r);
        let block = popup_block(&format!(" Keys: {} ", self.screen.title()), &theme)
            .title_bottom(Span::styled(" Esc closes ", theme.dim()));
        f.render_widget(Table::new(table_rows, widths).column_spacing(2).block(block), r);
    }
}

/// The border and title every pop-up has.
fn popup_block<'a>(title: &str, theme: &Theme) -> Block<'a> {
    Block::default()
        .borders(Borders::ALL)
        .border_style(theme.focus())
        .title(Span::styled(title.to_string(), theme.title()))
}

/// A bordered pop-up in the middle of `area`.
/// Its height follows the wrapped text, so the last line ("Esc closes") is never cut off.
fn popup(f: &mut Frame, area: Rect, title: &str, lines: Vec<Line>, theme: &Theme) {
    let w = area.width.min(70);
    let h = wrapped_height(&lines, w.saturating_sub(2))
        .saturating_add(2)
        .min(area.height);
    let r = centered(area, w, h);
    f.render_widget(Clear, r);
    f.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: true })
            .block(popup_block(title, theme)),
        r,
    );
}

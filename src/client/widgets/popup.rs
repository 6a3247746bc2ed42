//! The frames every screen shares: a bordered block in the glyph set in use, a pop-up sized to
//! its wrapped text, a line of feedback under a form, and "Window too small".

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

use crate::client::glyphs::Glyphs;
use crate::client::screens::{Note, centered, wrapped_height};
use crate::client::theme::Theme;

/// A bordered block titled `title` (plain words; drawn with a space either side).
pub fn block(title: &str, theme: &Theme, glyphs: Glyphs) -> Block<'static> {
    let block = Block::default().borders(Borders::ALL).border_set(glyphs.border());
    if title.is_empty() {
        block
    } else {
        block.title(Span::styled(format!(" {title} "), theme.title()))
    }
}

/// A bordered pop-up in the middle of `area`, its height following the wrapped text so the
/// last line (which says how to close it) is never cut off.
pub fn popup(f: &mut Frame, area: Rect, title: &str, lines: Vec<Line>, theme: &Theme, glyphs: Glyphs) {
    let w = area.width.min(70);
    let h = wrapped_height(&lines, w.saturating_sub(2))
        .saturating_add(2)
        .min(area.height);
    let r = centered(area, w, h);
    f.render_widget(Clear, r);
    f.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: true })
            .block(block(title, theme, glyphs).border_style(theme.focus())),
        r,
    );
}

/// The feedback line of a form (an error in the error style), wrapped in `area`.
pub fn note(f: &mut Frame, area: Rect, note: Option<&Note>, theme: &Theme, glyphs: Glyphs) {
    if let Some(n) = note {
        let style = if n.error { theme.error() } else { theme.text() };
        f.render_widget(
            Paragraph::new(Span::styled(glyphs.text(&n.text).into_owned(), style)).wrap(Wrap { trim: true }),
            area,
        );
    }
}

/// True when `area` is smaller than `need` (columns, rows).
pub fn too_small(area: Rect, need: (u16, u16)) -> bool {
    area.width < need.0 || area.height < need.1
}

/// "Window too small: needs at least W×H (now w×h)", wrapped to fit, instead of a screen drawn
/// into boxes too small for it.
pub fn draw_too_small(f: &mut Frame, area: Rect, need: (u16, u16), theme: &Theme, glyphs: Glyphs) {
    f.render_widget(Clear, area);
    let times = glyphs.text("×");
    let text = format!(
        "Window too small: needs at least {}{times}{} (now {}{times}{}). Make it larger.",
        need.0, need.1, area.width, area.height
    );
    f.render_widget(
        Paragraph::new(Span::styled(text, theme.error())).wrap(Wrap { trim: true }),
        area,
    );
}

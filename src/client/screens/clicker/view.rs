//! Drawing the clicker: the picker, or the behaviours in two columns (positive, and negative)
//! with their keys and today's counts, the time the clicks are logged at, and the confirmation
//! of the last click.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::widgets::{Paragraph, Wrap};

use super::{Clicker, Counts, Step, keys};
use crate::client::screens::Ctx;
use crate::client::widgets::fit::{fit, put, width};
use crate::wire::{Behaviour, Sentiment};

/// Draw the clicker into `area`.
pub fn render(c: &mut Clicker, f: &mut Frame, area: Rect, ctx: &Ctx<'_>) {
    if c.step == Step::Pick {
        c.picker.render(f, area, "Behaviour Clicker: pick who (Space marks a group)", ctx);
        return;
    }
    let field_rows = if c.time_field.is_some() { 3 } else { 0 };
    let rows = Layout::vertical([
        Constraint::Min(5),
        Constraint::Length(1),
        Constraint::Length(2),
        Constraint::Length(field_rows),
    ])
    .split(area);
    render_behaviours(c, f, rows[0], ctx);
    let ellipsis = ctx.glyphs.ellipsis();
    if let Some(text) = c.confirmation(ctx) {
        let text = fit(&ctx.glyphs.text(&text), usize::from(rows[1].width), ellipsis).into_owned();
        f.render_widget(Paragraph::new(text).style(ctx.theme.ok()), rows[1]);
    }
    if let Some(note) = &c.note {
        let text = ctx.glyphs.text(&note.text).into_owned();
        f.render_widget(
            Paragraph::new(text).wrap(Wrap { trim: true }).style(note_style(note.error, ctx)),
            rows[2],
        );
    }
    if let Some(field) = &mut c.time_field {
        field.render(f, rows[3], true, ctx.theme, ctx.glyphs);
    }
}

fn note_style(error: bool, ctx: &Ctx<'_>) -> Style {
    if error { ctx.theme.error() } else { ctx.theme.text() }
}

/// The title: who, and when the clicks are logged.
fn title(c: &Clicker, ctx: &Ctx<'_>) -> String {
    let dash = ctx.glyphs.dash().trim_end();
    let who = match c.group.as_slice() {
        [one] => format!(
            "{}{}",
            ctx.privacy.name(&one.name),
            ctx.class(&one.year_group, &one.group_name)
        ),
        many => format!("{} individuals", many.len()),
    };
    let when = match &c.backdate {
        Some((at, _)) => format!("logged at {} (Esc: now)", ctx.dates.short(*at)),
        None => "logged now".to_string(),
    };
    let counts = match c.counts_state {
        Counts::Loading => format!("{dash} counting today…"),
        Counts::Unknown => format!("{dash} today's counts unknown"),
        Counts::Known => String::new(),
    };
    ctx.glyphs.text(&format!("{who}{dash} {when}{counts}")).into_owned()
}

fn render_behaviours(c: &Clicker, f: &mut Frame, area: Rect, ctx: &Ctx<'_>) {
    let block = ctx.block(&fit(&title(c, ctx), usize::from(area.width.saturating_sub(4)), ctx.glyphs.ellipsis()));
    let inner = block.inner(area);
    f.render_widget(block, area);
    let Some(all) = &c.behaviours else {
        let text = if c.behaviours_failed {
            "The behaviours could not be loaded: they come when the server answers."
        } else {
            "Loading the setting's behaviours…"
        };
        f.render_widget(Paragraph::new(text).wrap(Wrap { trim: true }), inner);
        return;
    };
    if all.is_empty() {
        f.render_widget(
            Paragraph::new("The setting has no clicker behaviours yet: an admin adds them.").wrap(Wrap { trim: true }),
            inner,
        );
        return;
    }
    let columns = Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)]).split(inner);
    let neutral = c.of(&[Sentiment::Neutral]);
    let mut left = vec![("Positive", c.of(&[Sentiment::Positive]))];
    if !neutral.is_empty() {
        left.push(("Other", neutral));
    }
    let right = vec![("Negative", c.of(&[Sentiment::Negative]))];
    render_column(c, f, columns[0], &left, ctx);
    render_column(c, f, columns[1], &right, ctx);
}

/// A column of behaviours under their headings, each with its key and today's count.
fn render_column(c: &Clicker, f: &mut Frame, area: Rect, sections: &[(&str, Vec<(usize, &Behaviour)>)], ctx: &Ctx<'_>) {
    if area.height == 0 || area.width < 8 {
        return;
    }
    let today = "today";
    let count_width = width(today);
    let name_width = usize::from(area.width).saturating_sub(count_width + 6);
    let buf = f.buffer_mut();
    let mut y = area.y;
    for (label, items) in sections {
        if y >= area.bottom() {
            break;
        }
        put(buf, area.x + 1, y, label, usize::from(area.width) - 1, ctx.theme.header());
        let count_x = area.right().saturating_sub(count_width as u16 + 1);
        put(buf, count_x, y, today, count_width, ctx.theme.dim());
        y += 1;
        for (position, behaviour) in items {
            if y >= area.bottom() {
                break;
            }
            let key = keys::key_of(*position).map_or(' ', |k| k);
            let name = fit(&behaviour.name, name_width, ctx.glyphs.ellipsis());
            put(buf, area.x + 1, y, &key.to_string(), 1, ctx.theme.focus());
            put(buf, area.x + 3, y, &name, name_width, ctx.theme.text());
            let count = match c.counts_state {
                Counts::Known => c.count(behaviour.id).to_string(),
                _ if c.count(behaviour.id) > 0 => format!("{}+", c.count(behaviour.id)),
                _ => "-".to_string(),
            };
            let count_x = area.right().saturating_sub(width(&count) as u16 + 1);
            put(buf, count_x, y, &count, width(&count), ctx.theme.text());
            y += 1;
        }
    }
}

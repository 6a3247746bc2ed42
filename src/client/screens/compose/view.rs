//! Drawing the communication form: who it is about (or which thread), the tone, the message
//! with its counter, and the line under them.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::{Compose, Field, Subject};
use crate::client::screens::Ctx;
use crate::client::widgets::fit::fit;
use crate::client::widgets::popup;
use crate::wire::Tone;

/// Draw the form into `area`.
pub fn render(c: &mut Compose, f: &mut Frame, area: Rect, ctx: &Ctx<'_>) {
    let about = match &c.subject {
        Subject::Pick => {
            c.picker.render(f, area, "Who is the communication about?", ctx);
            return;
        }
        Subject::About(p) => format!(
            "About {}{}",
            ctx.privacy.name(&p.name),
            ctx.class(&p.year_group, &p.group_name)
        ),
        Subject::Respond { individual, author, .. } => {
            format!("Responding to {author} about {}", ctx.privacy.name(individual))
        }
    };
    let responding = matches!(c.subject, Subject::Respond { .. });
    let rows = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(if responding { 0 } else { 1 }),
        Constraint::Min(3),
        Constraint::Length(1),
        Constraint::Length(3),
    ])
    .split(area);
    f.render_widget(
        Paragraph::new(fit(&about, usize::from(area.width), ctx.glyphs.ellipsis()).into_owned())
            .style(ctx.theme.title()),
        rows[0],
    );
    if !responding {
        let focused = c.field == Field::Tone;
        let mut spans = vec![Span::styled(
            format!("{} Tone: ", if focused { ctx.glyphs.mark() } else { " " }),
            if focused { ctx.theme.focus() } else { ctx.theme.text() },
        )];
        for (tone, key) in [(Tone::Positive, 'p'), (Tone::Negative, 'n'), (Tone::Na, 'a')] {
            let chosen = c.tone == Some(tone);
            let label = format!("{key} {}", tone.label());
            let text = if chosen {
                format!("[{label}]")
            } else {
                format!(" {label} ")
            };
            let style = if chosen { ctx.theme.selected() } else { ctx.theme.text() };
            spans.push(Span::styled(text, style));
            spans.push(Span::raw(" "));
        }
        if c.tone.is_none() {
            spans.push(Span::styled("(choose one)", ctx.theme.dim()));
        }
        f.render_widget(Paragraph::new(Line::from(spans)), rows[1]);
    }
    c.message
        .render(f, rows[2], c.field == Field::Message, ctx.theme, ctx.glyphs);
    if c.leaving {
        let text = "Leave? What you typed will be lost. y leaves, n stays.";
        f.render_widget(Paragraph::new(text).style(ctx.theme.error()), rows[3]);
    }
    popup::note(f, rows[4], c.note.as_ref(), ctx.theme, ctx.glyphs);
}

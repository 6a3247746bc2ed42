//! Drawing the Staff page: the filters and the search above the table (only its visible rows
//! are built), and the pop-up of the mode on top (the actions, a role, a new end, a question,
//! the form, the import, a temporary password).

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Wrap};

use super::filters::ROLES;
use super::{Mode, Staff, account, actions};
use crate::client::screens::dashboard::Loading;
use crate::client::screens::{Ctx, centered};
use crate::client::widgets::popup;
use crate::client::widgets::slice_table::{SliceTable, follow};

/// Draw the page into `area`.
pub fn render(p: &mut Staff, f: &mut Frame, area: Rect, ctx: &Ctx<'_>) {
    let sep = ctx.glyphs.sep();
    let mut lines = vec![Line::from(vec![
        Span::styled("Showing: ", ctx.theme.title()),
        Span::raw(p.filters.describe().join(sep)),
        Span::styled(
            ctx.glyphs.text(&format!("{sep}R L 2 I E filter · x clears")).into_owned(),
            ctx.theme.dim(),
        ),
    ])];
    if p.typing || !p.search.is_empty() {
        lines.push(Line::from(vec![
            Span::styled("Search: ", ctx.theme.title()),
            Span::raw(p.search.text().to_string()),
            Span::styled(if p.typing { ctx.glyphs.mark() } else { "" }, ctx.theme.focus()),
        ]));
    }
    let top = u16::try_from(lines.len()).unwrap_or(2);
    let parts = Layout::vertical([Constraint::Length(top), Constraint::Min(3)]).split(area);
    f.render_widget(Paragraph::new(lines), parts[0]);
    render_table(p, f, parts[1], ctx);
    render_mode(p, f, area, ctx);
}

fn render_table(p: &mut Staff, f: &mut Frame, area: Rect, ctx: &Ctx<'_>) {
    let all = format!("{}{}", p.items.len(), if p.truncated { "+" } else { "" });
    let count = match (p.loaded, p.shown.len() < p.items.len()) {
        (false, _) => String::new(),
        (true, true) => format!(" ({} of {all})", p.shown.len()),
        (true, false) => format!(" ({all})"),
    };
    let state = match (p.loading, p.stale) {
        (Loading::First | Loading::More, _) => " - loading…".to_string(),
        (Loading::Done, true) => format!(" - {}", ctx.stale().unwrap_or_else(|| "could not refresh".into())),
        (Loading::Done, false) => String::new(),
    };
    let block = ctx
        .block(&ctx.glyphs.text(&format!("Accounts{count}{state}")))
        .border_style(ctx.theme.focus());
    let empty = match (p.loaded, p.items.is_empty(), p.shown.is_empty()) {
        (false, _, _) if p.stale => Some("The accounts could not be loaded yet: they come when the server answers."),
        (false, _, _) => Some("Loading accounts…"),
        (true, true, _) if p.filters.none() => Some("No account yet: n makes one, b makes many from a CSV file."),
        (true, true, _) => Some("No account matches these filters: x clears them."),
        (true, false, true) => Some("No account matches the search: Esc clears it."),
        _ => None,
    };
    if let Some(msg) = empty {
        f.render_widget(
            Paragraph::new(ctx.glyphs.text(msg).into_owned())
                .wrap(Wrap { trim: true })
                .block(block),
            area,
        );
        return;
    }
    let inner = block.inner(area);
    f.render_widget(block, area);
    let visible = usize::from(inner.height.saturating_sub(1));
    p.offset = follow(p.offset, p.selected, visible).min(p.shown.len());
    let rows: Vec<[String; 6]> = p
        .shown
        .iter()
        .skip(p.offset)
        .take(visible)
        .filter_map(|&at| p.items.get(at))
        .map(|u| account::row(u, p.now, ctx.dates))
        .collect();
    f.render_widget(
        SliceTable {
            header: ["Name", "Email", "Role", "Kind", "State", "Last seen"],
            min_widths: [8, 8, 5, 5, 6, 14],
            shrink: &[1, 3, 4, 0],
            rows,
            selected: p.selected.checked_sub(p.offset),
            header_style: ctx.theme.header(),
            selected_style: if matches!(p.mode, Mode::List) { ctx.theme.selected() } else { ctx.theme.text() },
            glyphs: ctx.glyphs,
        },
        inner,
    );
    p.page = visible.max(1);
}

fn render_mode(p: &mut Staff, f: &mut Frame, area: Rect, ctx: &Ctx<'_>) {
    let name = p.selected().map(|u| u.display_name.clone()).unwrap_or_default();
    let say = |f: &mut Frame, title: &str, lines: Vec<Line>| popup::popup(f, area, title, lines, ctx.theme, ctx.glyphs);
    match &mut p.mode {
        Mode::List => {}
        Mode::Menu => {
            let Some(u) = p.selected() else { return };
            let mut lines: Vec<Line> = actions::menu(u)
                .into_iter()
                .map(|(key, what)| Line::from(format!("  {key:<3} {what}")))
                .collect();
            lines.insert(0, Line::from(format!("{} ({}): {}", u.display_name, u.email, account::states(u, p.now).join(", "))));
            lines.push(Line::from(Span::styled("Esc back · ? keys", ctx.theme.dim())));
            say(f, &format!("Actions: {name}"), lines);
        }
        Mode::Role(at) => {
            let mut lines: Vec<Line> = ROLES
                .iter()
                .enumerate()
                .map(|(i, r)| {
                    let mark = if i == *at { ctx.glyphs.mark() } else { " " };
                    let style = if i == *at { ctx.theme.selected() } else { ctx.theme.text() };
                    Line::from(Span::styled(format!("{mark} {}", r.label()), style))
                })
                .collect();
            lines.push(Line::from(Span::styled("Enter takes it (asks first) · Esc keeps the role", ctx.theme.dim())));
            say(f, &format!("New role for {name}"), lines);
        }
        Mode::Expiry(field, note) => {
            let r = centered(area, 70, 8);
            f.render_widget(Clear, r);
            let block = ctx.block(&format!("End of {name}'s cover")).border_style(ctx.theme.focus());
            let inner = block.inner(r);
            f.render_widget(block, r);
            let rows = Layout::vertical([Constraint::Length(3), Constraint::Min(0)]).split(inner);
            field.render(f, rows[0], true, ctx.theme, ctx.glyphs);
            popup::note(f, rows[1], note.as_ref(), ctx.theme, ctx.glyphs);
        }
        Mode::Confirm(asked) => say(f, "Are you sure?", vec![Line::from(asked.question.clone())]),
        Mode::Sending => say(f, "Sending", vec![Line::from("Waiting for the server…")]),
        Mode::Form(form) => {
            let r = centered(area, 76, 22);
            form.render(f, r, ctx);
            if let Some(user) = &form.review {
                let question = super::form::UserForm::question(user, ctx.dates);
                let title = if form.sending { "Creating…" } else { "Create it?" };
                say(f, title, vec![Line::from(question)]);
            }
        }
        Mode::Import(import) => import.render(f, centered(area, 78, 22), ctx),
        Mode::Once(once) => once.render(f, centered(area, 76, 20), ctx),
    }
}

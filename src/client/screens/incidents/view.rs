//! Drawing the Incidents page: the filters in force above the table, the table (only its
//! visible rows), the picker while `I` picks, and the dates form of `T`.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::{Incidents, Mode};
use crate::client::screens::dashboard::{Loading, table};
use crate::client::screens::{Ctx, wrapped_height};
use crate::client::widgets::fit::fit;

/// Draw the page into `area`.
pub fn render(p: &mut Incidents, f: &mut Frame, area: Rect, ctx: &Ctx<'_>) {
    if matches!(p.mode, Mode::Picking) {
        p.picker.render(f, area, "Only the incidents about…", ctx);
        return;
    }
    let sep = ctx.glyphs.sep();
    let filters = Line::from(vec![
        Span::styled("Showing: ", ctx.theme.title()),
        Span::raw(p.filters.describe(&ctx.privacy, ctx.dates).join(sep)),
        Span::styled(
            ctx.glyphs
                .text(&format!("{sep}t period · I who · y l f P m · x clears"))
                .into_owned(),
            ctx.theme.dim(),
        ),
    ]);
    let mut lines = vec![filters];
    if p.typing || p.filtering() {
        lines.push(Line::from(vec![
            Span::styled("Text filter: ", ctx.theme.title()),
            Span::raw(p.text.text().to_string()),
            Span::styled(
                if p.typing { ctx.glyphs.mark().to_string() } else { String::new() },
                ctx.theme.focus(),
            ),
        ]));
    }
    let filter_h = wrapped_height(&lines, area.width).min(4);
    let parts = Layout::vertical([Constraint::Length(filter_h), Constraint::Min(3)]).split(area);
    f.render_widget(
        Paragraph::new(lines).wrap(Wrap { trim: true }),
        parts[0],
    );
    render_table(p, f, parts[1], ctx);
    if let Mode::Dates(_) = p.mode {
        render_dates(p, f, area, ctx);
    }
}

fn title(p: &Incidents, ctx: &Ctx<'_>) -> String {
    let dash = ctx.glyphs.dash().trim_end();
    let count = p.total.map(|n| format!(" ({n})")).unwrap_or_default();
    let state = match p.loading {
        Loading::First | Loading::More => format!(" {dash} loading…"),
        Loading::Done if p.stale => format!(
            " {dash} {}",
            ctx.stale().unwrap_or_else(|| "could not refresh".into())
        ),
        Loading::Done => String::new(),
    };
    ctx.glyphs.text(&format!("Incidents{count}{state}")).into_owned()
}

fn render_table(p: &mut Incidents, f: &mut Frame, area: Rect, ctx: &Ctx<'_>) {
    let block = ctx
        .block(&fit(
            &title(p, ctx),
            usize::from(area.width.saturating_sub(4)),
            ctx.glyphs.ellipsis(),
        ))
        .border_style(ctx.theme.focus());
    if p.items.is_empty() {
        let empty = p.filters.empty(ctx.dates);
        table::draw_empty(f, area, block, p.loading, p.total, &empty, "x clears the filters.", ctx);
        return;
    }
    if p.shown.is_empty() {
        let msg = "No incident loaded matches the text filter: Esc clears it.";
        f.render_widget(Paragraph::new(msg).wrap(Wrap { trim: true }).block(block), area);
        return;
    }
    // `shown` is made again whenever `items` changes, so every position is in it.
    let items = &p.items;
    let rows = p.shown.iter().map(|&at| &items[at]);
    p.page = table::draw(f, area, block, rows, p.selected, &mut p.offset, true, ctx);
}

fn render_dates(p: &mut Incidents, f: &mut Frame, area: Rect, ctx: &Ctx<'_>) {
    if let Mode::Dates(form) = &mut p.mode {
        form.render(f, area, ctx);
    }
}

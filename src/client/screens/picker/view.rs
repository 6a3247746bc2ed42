//! Drawing the picker: the filter field (while it is used), then the table of the visible
//! slice, with the marks of a group.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::widgets::{Paragraph, Wrap};

use super::{Loading, Picker};
use crate::client::screens::Ctx;
use crate::client::widgets::fit::fit;
use crate::client::widgets::slice_table::{SliceTable, follow};

/// Draw `p` into `area` under a block titled `title`.
pub fn render(p: &mut Picker, f: &mut Frame, area: Rect, title: &str, ctx: &Ctx<'_>) {
    let show_filter = p.typing || p.filtering();
    let (filter_area, list_area) = if show_filter && area.height >= 8 {
        let rows = Layout::vertical([Constraint::Length(3), Constraint::Min(3)]).split(area);
        (Some(rows[0]), rows[1])
    } else {
        (None, area)
    };
    if let Some(filter_area) = filter_area {
        p.filter.render(f, filter_area, p.typing, ctx.theme, ctx.glyphs);
    }
    let dash = ctx.glyphs.dash().trim_end();
    let (all, shown) = p.counts();
    let count = match p.loading {
        Loading::First => format!(" {dash} loading…"),
        Loading::More => format!(" ({all} so far) {dash} loading…"),
        Loading::Done if shown == all => format!(" ({all})"),
        Loading::Done => format!(" ({shown} of {all})"),
        Loading::Failed => format!(
            " ({all}) {dash} {}",
            ctx.stale().unwrap_or_else(|| "could not load them all".into())
        ),
    };
    let marked = match p.marked() {
        0 => String::new(),
        n => format!(" {dash} {n} marked"),
    };
    let title = format!("{title}{count}{marked}");
    let block = ctx.block(&fit(
        &ctx.glyphs.text(&title),
        usize::from(list_area.width.saturating_sub(4)),
        ctx.glyphs.ellipsis(),
    ));
    let visible = list_area.height.saturating_sub(3) as usize;
    p.page_rows = visible.max(1);
    p.offset = follow(p.offset, p.selected, visible);
    if p.shown.is_empty() {
        let message = match p.loading {
            Loading::First => "Loading the individuals you may see…".to_string(),
            _ if p.filtering() => format!(
                "Nobody you may see matches \"{}\". Esc clears the filter.",
                p.filter_text()
            ),
            Loading::Failed => "The individuals could not be loaded yet: they come when the server answers.".into(),
            _ => "You may not see any individuals yet. An admin gives access to groups or individuals.".into(),
        };
        f.render_widget(
            Paragraph::new(ctx.glyphs.text(&message).into_owned())
                .wrap(Wrap { trim: true })
                .block(block),
            list_area,
        );
        return;
    }
    let end = (p.offset + visible).min(p.shown.len());
    let mark = ctx.glyphs.tick();
    let rows: Vec<[String; 4]> = p.shown[p.offset..end]
        .iter()
        .map(|&i| {
            let person = &p.all[i];
            let marked = if p.marked.contains(&person.id) { mark } else { " " };
            [
                marked.to_string(),
                ctx.privacy.name(&person.name),
                person.year_group.clone(),
                person.group_name.clone(),
            ]
        })
        .collect();
    let inner = block.inner(list_area);
    f.render_widget(block, list_area);
    f.render_widget(
        SliceTable {
            header: [if p.multi { mark } else { "" }, "Name", "Year", "Group"],
            min_widths: [1, 10, 4, 4],
            shrink: &[3, 2, 1],
            rows,
            selected: Some(p.selected - p.offset),
            header_style: ctx.theme.header(),
            selected_style: ctx.theme.selected(),
            glyphs: ctx.glyphs,
        },
        inner,
    );
}

//! The incident table, shared by the Dashboard and the Incidents page: one row per incident
//! (reference with its flag, date, individual through privacy with "+1" when the report is
//! about more, type, location), built only for the visible slice.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::widgets::{Block, Paragraph, Wrap};

use super::Loading;
use crate::client::screens::Ctx;
use crate::client::widgets::slice_table::{SliceTable, follow};
use crate::wire::{IncidentKind, IncidentSummary};

/// The cells of one incident's row.
pub fn row(i: &IncidentSummary, ctx: &Ctx<'_>) -> [String; 5] {
    let kind = match i.kind {
        IncidentKind::Incident => i.category.clone(),
        IncidentKind::PhysicalIntervention => format!("PI: {}", i.category),
    };
    let flag = if i.flagged {
        format!("{} ", ctx.glyphs.flag())
    } else {
        String::new()
    };
    let more = match i.more_individuals {
        0 => String::new(),
        n => format!(" +{n}"),
    };
    [
        format!("{flag}{}", i.reference),
        ctx.dates.short(i.occurred_at),
        format!("{}{more}", ctx.privacy.name(&i.individual.name)),
        kind,
        i.location.clone(),
    ]
}

/// Draw `items` (the rows in order; only the visible ones are read) in `block` over `area`, scrolled so row `selected` shows (`offset` is kept
/// between frames); the selection is in reverse video when `focused`. Answers how many rows
/// fit (a page, for PageUp/PageDown).
#[allow(clippy::too_many_arguments)]
pub fn draw<'i>(
    f: &mut Frame,
    area: Rect,
    block: Block<'_>,
    items: impl ExactSizeIterator<Item = &'i IncidentSummary>,
    selected: usize,
    offset: &mut usize,
    focused: bool,
    ctx: &Ctx<'_>,
) -> usize {
    let inner = block.inner(area);
    f.render_widget(block, area);
    let visible = usize::from(inner.height.saturating_sub(1));
    let len = items.len();
    *offset = follow(*offset, selected, visible).min(len);
    let rows: Vec<[String; 5]> = items.skip(*offset).take(visible).map(|i| row(i, ctx)).collect();
    f.render_widget(
        SliceTable {
            header: ["Ref", "Date", "Individual", "Type", "Location"],
            min_widths: [13, 14, 10, 8, 8],
            shrink: &[4, 3, 2],
            rows,
            selected: selected.checked_sub(*offset),
            header_style: ctx.theme.header(),
            // Reverse video only where the keys are, so one row stands out, not two.
            selected_style: if focused { ctx.theme.selected() } else { ctx.theme.text() },
            glyphs: ctx.glyphs,
        },
        inner,
    );
    visible.max(1)
}

/// Draw the table's place while it has no rows: `empty` when the server said there are none,
/// else why there are none yet (loading, offline, or a failure whose reason was shown, with
/// `what_next` to try).
#[allow(clippy::too_many_arguments)]
pub fn draw_empty(
    f: &mut Frame,
    area: Rect,
    block: Block<'_>,
    loading: Loading,
    total: Option<u64>,
    empty: &str,
    what_next: &str,
    ctx: &Ctx<'_>,
) {
    let msg = match (loading, total) {
        (Loading::Done, Some(_)) => empty.to_string(),
        (Loading::Done, None) if ctx.connection.offline_since().is_some() => {
            "The incidents could not be loaded yet: they come when the server answers.".into()
        }
        (Loading::Done, None) => format!("The incidents could not be loaded (the reason was shown). {what_next}"),
        _ => "Loading incidents…".into(),
    };
    f.render_widget(
        Paragraph::new(ctx.glyphs.text(&msg).into_owned())
            .wrap(Wrap { trim: true })
            .block(block),
        area,
    );
}

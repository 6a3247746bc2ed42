//! The incident table, shared by the Dashboard and the Incidents page: one row per incident
//! (reference with its flag, date, individual through privacy with "+1" when the report is
//! about more, type, location), built only for the visible slice.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::widgets::Block;

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

/// Draw `items` in `block` over `area`, scrolled so row `selected` shows (`offset` is kept
/// between frames); the selection is in reverse video when `focused`. Answers how many rows
/// fit (a page, for PageUp/PageDown).
#[allow(clippy::too_many_arguments)]
pub fn draw(
    f: &mut Frame,
    area: Rect,
    block: Block<'_>,
    items: &[IncidentSummary],
    selected: usize,
    offset: &mut usize,
    focused: bool,
    ctx: &Ctx<'_>,
) -> usize {
    let inner = block.inner(area);
    f.render_widget(block, area);
    let visible = usize::from(inner.height.saturating_sub(1));
    *offset = follow(*offset, selected, visible).min(items.len());
    let end = (*offset + visible).min(items.len());
    let rows: Vec<[String; 5]> = items[*offset..end].iter().map(|i| row(i, ctx)).collect();
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

//! Drawing Analytics: the report line (type, grouping, period), the filters, the totals beside
//! the period before, a chart, and the table of the visible slice only (a report of 100,000
//! rows costs what its visible rows cost).

use chrono::Datelike;
use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Sparkline, Wrap};

use super::{Analytics, Chart};
use crate::client::screens::{Ctx, wrapped_height};
use crate::client::widgets::fit::{fit, put, width};
use crate::client::widgets::slice_table::follow;
use crate::wire::{Dimension, PupilName, Report, ReportKind, ReportRow};

/// Rows the chart takes when the window has room.
const CHART_ROWS: u16 = 8;

/// Draw the page into `area`.
pub fn render(page: &mut Analytics, f: &mut Frame, area: Rect, ctx: &Ctx<'_>) {
    let chart_h = match area.height {
        0..=19 => 0,
        20..=29 => CHART_ROWS,
        _ => CHART_ROWS + 4,
    };
    let heading = heading(page, ctx);
    // Long filters or totals wrap rather than being cut off, up to five lines.
    let heading_h = wrapped_height(&heading, area.width).clamp(3, 5);
    let rows = Layout::vertical([
        Constraint::Length(heading_h),
        Constraint::Length(chart_h),
        Constraint::Min(3),
    ])
    .split(area);
    f.render_widget(Paragraph::new(heading).wrap(Wrap { trim: true }), rows[0]);
    let Some(report) = &page.report else {
        let message = match page.stale {
            true => "The report could not be made yet: it comes when the server answers.",
            false => "Making the report…",
        };
        f.render_widget(
            Paragraph::new(ctx.glyphs.text(message).into_owned())
                .wrap(Wrap { trim: true })
                .block(ctx.block(page.kind().title())),
            rows[2],
        );
        return;
    };
    if chart_h > 0 {
        chart(page, report, f, rows[1], ctx);
    }
    table(page, f, rows[2], ctx);
}

/// The three lines above: what the report is, its filters, its totals. While the report shown
/// is not the one last asked for (loading, or the server cannot be reached), the first line
/// describes the report shown, from the report itself, so no figure is read against a period
/// or a type it is not about.
fn heading(page: &Analytics, ctx: &Ctx<'_>) -> Vec<Line<'static>> {
    let sep = ctx.glyphs.sep();
    let kind = page.kind();
    let at = ReportKind::ALL.iter().position(|k| *k == kind).unwrap_or(0) + 1;
    let dates = |r: &crate::wire::Report| match r.from.year() == r.to.year() {
        true => format!("{} to {}", r.from.format("%-d %b"), r.to.format("%-d %b %Y")),
        false => format!("{} to {}", r.from.format("%-d %b %Y"), r.to.format("%-d %b %Y")),
    };
    let first = match (&page.report, page.showing_older()) {
        (Some(r), true) => format!(
            "Shown: {}{sep}by {}{sep}{}{sep}{}",
            r.kind.short(),
            r.by.label(),
            dates(r),
            if page.stale { "not updated" } else { "updating…" }
        ),
        (Some(r), false) => format!(
            "{} [{at}/7]{sep}by {}{sep}{} ({})",
            kind.short(),
            page.by().label(),
            page.filters.period.label(),
            dates(r)
        ),
        (None, _) => format!(
            "{} [{at}/7]{sep}by {}{sep}{}{}",
            kind.short(),
            page.by().label(),
            page.filters.period.label(),
            if page.stale { format!("{sep}{}", ctx.stale().unwrap_or_else(|| "could not load".into())) } else { String::new() }
        ),
    };
    let filters = page.filters.describe(kind, &ctx.privacy, sep);
    let totals = page.report.as_ref().map_or(String::new(), |r| {
        r.totals
            .iter()
            .map(|t| {
                let change = match t.previous == 0.0 {
                    true => String::new(),
                    false => format!(", {:+.0}%", (t.value - t.previous) * 100.0 / t.previous),
                };
                format!(
                    "{} {} (before: {}{change})",
                    t.label,
                    t.kind.format(Some(t.value)),
                    t.kind.format(Some(t.previous))
                )
            })
            .collect::<Vec<_>>()
            .join(sep)
    });
    vec![
        Line::styled(ctx.glyphs.text(&first).into_owned(), ctx.theme.title()),
        Line::styled(ctx.glyphs.text(&filters).into_owned(), ctx.theme.dim()),
        Line::from(ctx.glyphs.text(&totals).into_owned()),
    ]
}

/// A row's label as drawn: a pupil's name through privacy.
fn label(report: &Report, row: &ReportRow, ctx: &Ctx<'_>) -> String {
    match report.by {
        Dimension::Individual => ctx.privacy.name(&PupilName::new(row.label.clone())),
        _ => row.label.clone(),
    }
}

/// The chart chosen, in a block.
fn chart(page: &Analytics, report: &Report, f: &mut Frame, area: Rect, ctx: &Ctx<'_>) {
    let title = match page.chart {
        Chart::Bars => format!("{} by {}", report.columns[0].title, report.by.label()),
        Chart::Series => format!(
            "{} by {}{}h: next chart",
            report.series.iter().map(|s| s.name.as_str()).collect::<Vec<_>>().join(" / "),
            report.bucket,
            ctx.glyphs.sep()
        ),
        Chart::Grid => "Clicks by hour and day of week (darker: more)".to_string(),
    };
    let block = ctx.block(&fit(&title, usize::from(area.width.saturating_sub(4)), ctx.glyphs.ellipsis()));
    let inner = block.inner(area);
    f.render_widget(block, area);
    match page.chart {
        Chart::Bars => bars(page, report, f.buffer_mut(), inner, ctx),
        Chart::Series => series(report, f, inner, ctx),
        Chart::Grid => grid(report, f.buffer_mut(), inner, ctx),
    }
}

/// Bars of the first figure of the rows, in the order shown, from the selected row's page.
fn bars(page: &Analytics, report: &Report, buf: &mut Buffer, area: Rect, ctx: &Ctx<'_>) {
    let shown: Vec<&ReportRow> = page
        .order
        .iter()
        .skip(page.offset)
        .take(usize::from(area.height))
        .filter_map(|&i| report.rows.get(i))
        .collect();
    let value = |r: &ReportRow| r.figures.first().copied().flatten().unwrap_or(0.0);
    let most = page.most;
    let label_w = (area.width / 3).min(24);
    for (y, row) in (area.y..).zip(&shown) {
        let name = label(report, row, ctx);
        put(buf, area.x, y, &fit(&name, usize::from(label_w), ctx.glyphs.ellipsis()), usize::from(label_w), ctx.theme.text());
        let figure = report.columns[0].kind.format(Some(value(row)));
        let room = area.width.saturating_sub(label_w + 2 + figure.len() as u16 + 1);
        let length = match most > 0.0 {
            true => ((value(row) / most) * f64::from(room)).round() as usize,
            false => 0,
        };
        let bar = format!("{} {figure}", ctx.glyphs.bar().repeat(length));
        put(buf, area.x + label_w + 1, y, &bar, usize::from(area.width.saturating_sub(label_w + 1)), ctx.theme.focus());
    }
}

/// A sparkline of each series (the last buckets that fit), one under another.
fn series(report: &Report, f: &mut Frame, area: Rect, ctx: &Ctx<'_>) {
    if report.series.is_empty() || area.height == 0 {
        return;
    }
    let each = (area.height / report.series.len() as u16).max(1);
    for (i, line) in report.series.iter().enumerate() {
        let y = area.y + each * i as u16;
        if y >= area.bottom() {
            break;
        }
        let most = line.points.iter().max().copied().unwrap_or(0);
        let name = format!("{} (most {most})", line.name);
        let name_w = (width(&name) as u16 + 1).min(area.width / 3);
        put(f.buffer_mut(), area.x, y, &fit(&name, usize::from(name_w), ctx.glyphs.ellipsis()), usize::from(name_w), ctx.theme.dim());
        let room = usize::from(area.width.saturating_sub(name_w));
        let points = &line.points[line.points.len().saturating_sub(room)..];
        let spark = Rect {
            x: area.x + name_w,
            y,
            width: area.width.saturating_sub(name_w),
            height: each.min(area.bottom() - y),
        };
        let sparkline = Sparkline::default().data(points).style(ctx.theme.focus());
        let sparkline = match ctx.glyphs.ascii {
            true => sparkline.bar_set(ratatui::symbols::bar::Set {
                full: "#",
                seven_eighths: "#",
                three_quarters: "=",
                five_eighths: "=",
                half: "-",
                three_eighths: "-",
                one_quarter: ".",
                one_eighth: ".",
                empty: " ",
            }),
            false => sparkline,
        };
        f.render_widget(sparkline, spark);
    }
}

/// The clicker's grid: a row a weekday, a cell an hour, shaded by how many clicks.
fn grid(report: &Report, buf: &mut Buffer, area: Rect, ctx: &Ctx<'_>) {
    let Some(grid) = &report.grid else {
        return;
    };
    let most = grid.iter().flatten().max().copied().unwrap_or(0);
    let shades = ctx.glyphs.shades();
    // Hours 7 to 18 when the room is short (the school day), else all 24.
    let cell = 2u16;
    let hours: Vec<usize> = match area.width >= 4 + 24 * cell {
        true => (0..24).collect(),
        false => (7..19).collect(),
    };
    // Every other hour named, so the numbers do not run together.
    let heading: String = hours
        .iter()
        .map(|h| if h % 2 == 0 { format!("{h:<2}") } else { "  ".to_string() })
        .collect();
    put(buf, area.x + 4, area.y, &heading, usize::from(area.width.saturating_sub(4)), ctx.theme.dim());
    let days = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    for (d, (day, counts)) in days.iter().zip(grid).enumerate() {
        let y = area.y + 1 + d as u16;
        if y >= area.bottom() {
            break;
        }
        put(buf, area.x, y, day, 4, ctx.theme.dim());
        for (i, &h) in hours.iter().enumerate() {
            let n = counts.get(h).copied().unwrap_or(0);
            let shade = match (n, most) {
                (0, _) | (_, 0) => 0,
                (n, most) => (1 + (n * 3).div_ceil(most) as usize).min(4),
            };
            let x = area.x + 4 + i as u16 * cell;
            if x + cell <= area.right() {
                put(buf, x, y, &shades[shade].repeat(usize::from(cell)), usize::from(cell), Style::default());
            }
        }
    }
    let legend = format!("most {most} in an hour");
    let x = area.x + 4 + hours.len() as u16 * cell + 1;
    if x + 10 < area.right() {
        put(buf, x, area.y + 1, &legend, usize::from(area.right() - x), ctx.theme.dim());
    }
}

/// The table: the label column and the figures, right-aligned, of the visible rows only.
fn table(page: &mut Analytics, f: &mut Frame, area: Rect, ctx: &Ctx<'_>) {
    let Some(report) = &page.report else {
        return;
    };
    let sorted = match page.sort {
        None => String::new(),
        Some(s) => {
            let name = match s.column {
                0 => report.label.as_str(),
                n => report.columns.get(n - 1).map_or("", |c| c.title.as_str()),
            };
            format!("{}sorted by {name}{}", ctx.glyphs.sep(), if s.descending { ", largest first" } else { "" })
        }
    };
    let count = report.rows.len();
    let title = format!("{} ({count} row{}){sorted}", report.title, if count == 1 { "" } else { "s" });
    let block = ctx
        .block(&fit(&title, usize::from(area.width.saturating_sub(4)), ctx.glyphs.ellipsis()))
        .border_style(ctx.theme.focus());
    if report.rows.is_empty() {
        let message = format!(
            "Nothing to count from {} to {} for {}. t or T tries another period.",
            report.from.format("%-d %b %Y"),
            report.to.format("%-d %b %Y"),
            if page.filters.lists_empty() { "the individuals you may see" } else { "the filters chosen (x clears them)" }
        );
        f.render_widget(Paragraph::new(message).wrap(Wrap { trim: true }).block(block), area);
        return;
    }
    let inner = block.inner(area);
    f.render_widget(block, area);
    let visible = usize::from(inner.height.saturating_sub(1));
    page.page = visible.max(1);
    page.offset = follow(page.offset, page.selected, visible);
    let shown: Vec<&ReportRow> = page
        .order
        .iter()
        .skip(page.offset)
        .take(visible)
        .filter_map(|&i| report.rows.get(i))
        .collect();
    // Each figure column is as wide as its title or its widest figure shown.
    let cells: Vec<Vec<String>> = shown
        .iter()
        .map(|row| {
            report
                .columns
                .iter()
                .zip(&row.figures)
                .map(|(c, v)| match (c.kind, v) {
                    (_, None) => ctx.glyphs.text("–").into_owned(),
                    (kind, v) => kind.format(*v),
                })
                .collect()
        })
        .collect();
    let widths: Vec<u16> = report
        .columns
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let widest = cells.iter().map(|r| width(&r[i])).max().unwrap_or(0);
            let title = width(&c.title).min(10);
            widest.max(title) as u16
        })
        .collect();
    let figures_w: u16 = widths.iter().map(|w| w + 1).sum();
    let label_w = inner.width.saturating_sub(figures_w + 2).max(6);
    let buf = f.buffer_mut();
    let header = ctx.theme.header();
    put(buf, inner.x + 2, inner.y, &fit(&report.label, usize::from(label_w), ctx.glyphs.ellipsis()), usize::from(label_w), header);
    let mut x = inner.x + 2 + label_w;
    for (c, w) in report.columns.iter().zip(&widths) {
        let title = fit(&c.title, usize::from(*w), ctx.glyphs.ellipsis());
        let pad = w.saturating_sub(width(&title) as u16);
        put(buf, x + 1 + pad, inner.y, &title, usize::from(*w), header);
        x += w + 1;
    }
    for (line, (row, figures)) in shown.iter().zip(&cells).enumerate() {
        let y = inner.y + 1 + line as u16;
        let selected = Some(line) == page.selected.checked_sub(page.offset);
        let style = if selected { ctx.theme.selected() } else { ctx.theme.text() };
        if selected {
            buf.set_style(Rect { x: inner.x, y, width: inner.width, height: 1 }, style);
            put(buf, inner.x, y, ctx.glyphs.mark(), 2, style);
        }
        let name = label(report, row, ctx);
        put(buf, inner.x + 2, y, &fit(&name, usize::from(label_w), ctx.glyphs.ellipsis()), usize::from(label_w), style);
        let mut x = inner.x + 2 + label_w;
        for (cell, w) in figures.iter().zip(&widths) {
            let pad = w.saturating_sub(width(cell) as u16);
            put(buf, x + 1 + pad, y, cell, usize::from(*w), style);
            x += w + 1;
        }
    }
}

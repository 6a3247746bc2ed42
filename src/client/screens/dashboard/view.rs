//! Drawing the Dashboard: the incident table (only its visible rows are built), the
//! notifications and the help-centre contact beside or below it, and the open record.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, List, ListItem, ListState, Paragraph, Wrap};

use super::{Dashboard, Loading, Pane, notice};
use crate::client::screens::{Ctx, centered, wrapped_height};
use crate::client::widgets::fit::fit;
use crate::client::widgets::slice_table::follow;
use crate::wire::IncidentSummary;

/// Draw the whole dashboard into `area`.
pub fn render(d: &mut Dashboard, f: &mut Frame, area: Rect, ctx: &Ctx<'_>) {
    let wide = area.width >= 120;
    let (table_area, side) = if wide {
        let c = Layout::horizontal([Constraint::Min(60), Constraint::Length(area.width * 3 / 10)]).split(area);
        (c[0], c[1])
    } else {
        let side_h = (area.height * 2 / 5).clamp(5, 10);
        let c = Layout::vertical([Constraint::Min(5), Constraint::Length(side_h)]).split(area);
        (c[0], c[1])
    };
    render_table(d, f, table_area, ctx);
    render_side(d, f, side, ctx);
    if let Some(incident) = &d.details {
        render_details(incident, f, area, ctx);
    }
}

/// The title of the table: the period, the count once known, and the state of the listing.
fn table_title(d: &Dashboard, ctx: &Ctx<'_>) -> String {
    let dash = ctx.glyphs.dash().trim_end();
    let count = d.total.map(|n| format!(" ({n})")).unwrap_or_default();
    let state = match d.loading {
        Loading::First if d.wanted != d.period => format!("{dash} loading {}…", d.wanted.label()),
        Loading::First | Loading::More => format!("{dash} loading…"),
        Loading::Done if d.stale => format!("{dash} {}", ctx.stale().unwrap_or_else(|| "could not refresh".into())),
        Loading::Done => String::new(),
    };
    ctx.glyphs
        .text(&format!("Incidents{dash} {}{count}{state}", d.period.label()))
        .into_owned()
}

/// Draw the incident table (only the visible rows are built).
pub fn render_table(d: &mut Dashboard, f: &mut Frame, area: Rect, ctx: &Ctx<'_>) {
    let block = ctx
        .block(&fit(
            &table_title(d, ctx),
            usize::from(area.width.saturating_sub(4)),
            ctx.glyphs.ellipsis(),
        ))
        .border_style(pane_border(d, Pane::Incidents, ctx));
    let visible = area.height.saturating_sub(3) as usize;
    d.page = visible.max(1);
    if d.incidents.is_empty() {
        let what_next = "t loads another period.";
        super::table::draw_empty(f, area, block, d.loading, d.total, d.period.empty(), what_next, ctx);
        return;
    }
    let focused = d.pane == Pane::Incidents;
    d.page = super::table::draw(f, area, block, d.incidents.iter(), d.selected, &mut d.offset, focused, ctx);
}

/// The notifications, and below them the help centre's contact on a line of its own (no
/// frame: at 80x24 the two rows a frame takes are two more notifications).
fn render_side(d: &mut Dashboard, f: &mut Frame, area: Rect, ctx: &Ctx<'_>) {
    let theme = ctx.theme;
    let sep = ctx.glyphs.sep();
    let contact = match ctx.setting {
        Some(s) => format!("{}{sep}{}{sep}{}", s.support.email, s.support.phone, s.support.url),
        None => "-".to_string(),
    };
    let help = Paragraph::new(Line::from(vec![
        Span::styled("Help: ", theme.title()),
        Span::raw(contact),
    ]))
    .wrap(Wrap { trim: true });
    let help_h = u16::try_from(help.line_count(area.width)).unwrap_or(u16::MAX).min(3);
    let parts = Layout::vertical([Constraint::Min(1), Constraint::Length(help_h)]).split(area);
    let width = usize::from(parts[0].width.saturating_sub(3));
    let ellipsis = ctx.glyphs.ellipsis();
    let dash = ctx.glyphs.dash().trim_end();
    let stale = if d.notifications_stale {
        format!("{dash} {}", ctx.stale().unwrap_or_else(|| "could not refresh".into()))
    } else {
        String::new()
    };
    let shown = usize::from(parts[0].height.saturating_sub(2)).max(1);
    let selected = d.notification_list.selected();
    let first = follow(d.notification_list.offset(), selected.unwrap_or(0), shown);
    *d.notification_list.offset_mut() = first;
    let (items, title): (Vec<ListItem>, String) = match &d.notifications {
        None if d.notifications_stale => (
            vec![ListItem::new("Could not be loaded yet.")],
            format!("My notifications{stale}"),
        ),
        None => (
            vec![ListItem::new(ctx.glyphs.text("Loading…").into_owned())],
            "My notifications".into(),
        ),
        Some(list) if list.is_empty() => (
            vec![ListItem::new("Nothing new.")],
            format!("My notifications (0){stale}"),
        ),
        // Only the notifications in view are worded and fitted (a lead may have hundreds).
        Some(list) => (
            list.iter()
                .skip(first)
                .take(shown)
                .map(|n| {
                    let mark = if n.read {
                        "  ".to_string()
                    } else {
                        format!("{} ", ctx.glyphs.unread())
                    };
                    let when = ctx.dates.day(n.created_at);
                    let text = format!("{mark}{when} {}", notice::describe(n, &ctx.privacy));
                    ListItem::new(fit(&text, width, ellipsis).into_owned())
                })
                .collect(),
            format!("My notifications ({}){stale}", list.len()),
        ),
    };
    let title = fit(
        &ctx.glyphs.text(&title),
        usize::from(parts[0].width.saturating_sub(4)),
        ellipsis,
    )
    .into_owned();
    let block = ctx.block(&title).border_style(pane_border(d, Pane::Notifications, ctx));
    let mut list = List::new(items).block(block);
    if d.pane == Pane::Notifications {
        list = list
            .highlight_style(theme.selected())
            .highlight_symbol(ctx.glyphs.mark());
    }
    let mut in_view = ListState::default().with_selected(selected.map(|at| at - first));
    f.render_stateful_widget(list, parts[0], &mut in_view);
    f.render_widget(help, parts[1]);
}

/// The border of a pane: marked while it has the keys.
fn pane_border(d: &Dashboard, pane: Pane, ctx: &Ctx<'_>) -> ratatui::style::Style {
    if d.pane == pane && d.details.is_none() {
        ctx.theme.focus()
    } else {
        ctx.theme.text()
    }
}

/// The open record: every field of the incident opened, the name in full (it was opened on
/// purpose), the date in words; as tall as its wrapped lines, so "Esc closes" is never cut.
fn render_details(i: &IncidentSummary, f: &mut Frame, area: Rect, ctx: &Ctx<'_>) {
    let theme = ctx.theme;
    let yes_no = |b: bool| if b { "yes" } else { "no" };
    let lines = vec![
        Line::from(format!("Reference:        {}", i.reference)),
        Line::from(format!("When:             {}", ctx.dates.long(i.occurred_at))),
        Line::from(format!("Individual:       {}", ctx.privacy.opened(&i.individual.name))),
        Line::from(format!("Report:           {}", i.kind.label())),
        Line::from(format!("Type:             {}", i.category)),
        Line::from(format!("Location:         {}", i.location)),
        Line::from(format!("Flagged:          {}", yes_no(i.flagged))),
        Line::from(format!("Parents informed: {}", yes_no(i.parents_informed))),
        Line::from(Span::styled(
            ctx.glyphs.text("Esc or Enter closes · ? keys").into_owned(),
            theme.dim(),
        )),
    ];
    let width = area.width.min(72);
    let height = wrapped_height(&lines, width.saturating_sub(2)).saturating_add(2);
    let popup = centered(area, width, height);
    f.render_widget(Clear, popup);
    let block = ctx.block("Incident").border_style(theme.focus());
    f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: true }).block(block), popup);
}

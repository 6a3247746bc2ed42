//! Drawing an open profile: the name and the tab bar, then the tab. Lists build only the rows
//! they show; text written by other users arrives cleaned (every server string is).

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Sparkline, Wrap};

use super::profile::{Part, Profile, Tab, counts};
use crate::client::screens::Ctx;
use crate::client::widgets::fit::fit;
use crate::client::widgets::slice_table::{SliceTable, follow};
use crate::wire::{Communication, IncidentKind, Tone};

/// Draw `p` into `area`.
pub fn render_profile(p: &mut Profile, f: &mut Frame, area: Rect, ctx: &Ctx<'_>) {
    let rows = Layout::vertical([Constraint::Length(1), Constraint::Length(1), Constraint::Min(3)]).split(area);
    let who = &p.individual;
    let (year, group) = p
        .details
        .get()
        .map_or((&who.year_group, &who.group_name), |d| (&d.year_group, &d.group_name));
    let head = format!("{}{}", ctx.privacy.opened(&who.name), ctx.class(year, group));
    f.render_widget(
        Paragraph::new(fit(&ctx.glyphs.text(&head), usize::from(area.width), ctx.glyphs.ellipsis()).into_owned())
            .style(ctx.theme.title()),
        rows[0],
    );
    render_tab_bar(p.tab, f, rows[1], ctx);
    let body = rows[2];
    let block = ctx.block(&tab_title(p, ctx));
    let inner = block.inner(body);
    f.render_widget(block, body);
    let failed = match p.tab {
        Tab::Details | Tab::KeyContacts | Tab::Access => part_message(&p.details),
        _ => part_message(&p.overview),
    };
    if let Some(message) = failed {
        f.render_widget(Paragraph::new(message).wrap(Wrap { trim: true }), inner);
        return;
    }
    match p.tab {
        Tab::Overview => overview(p, f, inner, ctx),
        Tab::Incidents => incidents(p, f, inner, ctx),
        Tab::Plans => plans(p, f, inner, ctx),
        Tab::Communications => communications(p, f, inner, ctx),
        Tab::Clickers => clickers(p, f, inner, ctx),
        Tab::Details => details(p, f, inner, ctx),
        Tab::KeyContacts => contacts(p, f, inner, ctx),
        Tab::Access => access(p, f, inner, ctx),
    }
}

/// Why a part is not shown, if it is not.
fn part_message<T>(part: &Part<T>) -> Option<String> {
    match part {
        Part::Loading => Some("Loading…".into()),
        Part::Failed(why) => Some(why.clone()),
        Part::Here(_) => None,
    }
}

fn tab_title(p: &Profile, ctx: &Ctx<'_>) -> String {
    let stale = ctx.stale().map(|s| format!("{}{s}", ctx.glyphs.dash())).unwrap_or_default();
    let count = match (p.tab, p.overview.get()) {
        (Tab::Incidents, Some(o)) => format!(" ({})", o.incident_total),
        (Tab::Plans, Some(o)) => format!(" ({})", o.plans.len()),
        (Tab::Communications, Some(o)) => format!(" ({})", o.communications.len()),
        _ => String::new(),
    };
    ctx.glyphs.text(&format!("{}{count}{stale}", p.tab.label(false))).into_owned()
}

fn render_tab_bar(tab: Tab, f: &mut Frame, area: Rect, ctx: &Ctx<'_>) {
    let long: usize = Tab::ALL.iter().map(|t| t.label(false).len() + 3).sum();
    let short = long > usize::from(area.width);
    let mut spans = Vec::new();
    for (i, t) in Tab::ALL.iter().enumerate() {
        let text = format!("{} {}", i + 1, t.label(short));
        let style = if *t == tab { ctx.theme.selected() } else { ctx.theme.dim() };
        spans.push(Span::styled(text, style));
        spans.push(Span::raw(" "));
    }
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}

fn tone(t: Tone) -> &'static str {
    t.label()
}

/// "01/12/26 10:42 Sarah Whitfield (Positive): message…" for a communication, on one line.
fn communication_line(c: &Communication, ctx: &Ctx<'_>) -> String {
    let replies = match c.responses.len() {
        0 => String::new(),
        1 => " (1 response)".into(),
        n => format!(" ({n} responses)"),
    };
    format!(
        "{} {} ({}){replies}: {}",
        ctx.dates.short(c.created_at),
        c.author.name,
        tone(c.tone),
        c.message.replace('\n', " ")
    )
}

fn overview(p: &Profile, f: &mut Frame, area: Rect, ctx: &Ctx<'_>) {
    let Some(o) = p.overview.get() else { return };
    let total: u32 = o.clicks_last_30_days.iter().sum();
    let rows = Layout::vertical([Constraint::Length(1), Constraint::Length(3), Constraint::Min(1)]).split(area);
    f.render_widget(
        Paragraph::new(format!("Clicks over the last 30 days: {total} (oldest day on the left)")).style(ctx.theme.header()),
        rows[0],
    );
    let data: Vec<u64> = o.clicks_last_30_days.iter().map(|n| u64::from(*n)).collect();
    f.render_widget(Sparkline::default().data(&data).style(ctx.theme.text()), rows[1]);
    let width = usize::from(area.width);
    let ellipsis = ctx.glyphs.ellipsis();
    let mut lines: Vec<Line> = Vec::new();
    let heading = |text: String| Line::from(Span::styled(text, ctx.theme.header()));
    lines.push(heading(format!("Recent incidents ({} in all)", o.incident_total)));
    if o.incidents.is_empty() {
        lines.push(Line::from("  None recorded."));
    }
    for i in o.incidents.iter().take(3) {
        let kind = match i.kind {
            IncidentKind::Incident => i.category.clone(),
            IncidentKind::PhysicalIntervention => format!("PI: {}", i.category),
        };
        let text = format!("  {} {} {kind}, {}", ctx.dates.short(i.occurred_at), i.reference, i.location);
        lines.push(Line::from(fit(&text, width, ellipsis).into_owned()));
    }
    lines.push(heading(format!("Smart Plans ({})", o.plans.len())));
    if o.plans.is_empty() {
        lines.push(Line::from("  None."));
    }
    for plan in o.plans.iter().take(2) {
        let review = plan
            .review_on
            .map(|d| format!(" (review {})", d.format("%d/%m/%y")))
            .unwrap_or_default();
        lines.push(Line::from(fit(&format!("  {}{review}", plan.title), width, ellipsis).into_owned()));
    }
    lines.push(heading("Latest communications".into()));
    if o.communications.is_empty() {
        lines.push(Line::from("  None."));
    }
    for c in o.communications.iter().take(3) {
        lines.push(Line::from(fit(&format!("  {}", communication_line(c, ctx)), width, ellipsis).into_owned()));
    }
    f.render_widget(Paragraph::new(lines), rows[2]);
}

/// The columns of a tab's table, and what it says when empty.
struct Spec<'a, const N: usize> {
    header: [&'a str; N],
    min_widths: [u16; N],
    empty: &'a str,
}

/// Draw a table of `rows` (the visible slice is cut from them here) with the profile's
/// selection.
fn table<const N: usize>(
    p: &mut Profile,
    f: &mut Frame,
    area: Rect,
    ctx: &Ctx<'_>,
    spec: Spec<'_, N>,
    all: usize,
    row: impl Fn(usize) -> [String; N],
) {
    let Spec {
        header,
        min_widths,
        empty,
    } = spec;
    if all == 0 {
        f.render_widget(Paragraph::new(empty.to_string()).wrap(Wrap { trim: true }), area);
        return;
    }
    let visible = usize::from(area.height.saturating_sub(1));
    p.page = visible.max(1);
    p.offset = follow(p.offset, p.row, visible);
    let end = (p.offset + visible).min(all);
    let rows: Vec<[String; N]> = (p.offset..end).map(row).collect();
    let shrink: Vec<usize> = (0..N).rev().collect();
    f.render_widget(
        SliceTable {
            header,
            min_widths,
            shrink: &shrink,
            rows,
            selected: Some(p.row.saturating_sub(p.offset)),
            header_style: ctx.theme.header(),
            selected_style: ctx.theme.selected(),
            glyphs: ctx.glyphs,
        },
        area,
    );
}

fn incidents(p: &mut Profile, f: &mut Frame, area: Rect, ctx: &Ctx<'_>) {
    let Some(o) = p.overview.get().cloned() else { return };
    let flag = ctx.glyphs.flag();
    table(
        p,
        f,
        area,
        ctx,
        Spec {
            header: ["Ref", "Date", "Type", "Location"],
            min_widths: [13, 14, 8, 8],
            empty: "No incidents recorded about them.",
        },
        o.incidents.len(),
        |i| {
            let x = &o.incidents[i];
            let kind = match x.kind {
                IncidentKind::Incident => x.category.clone(),
                IncidentKind::PhysicalIntervention => format!("PI: {}", x.category),
            };
            let mark = if x.flagged { format!("{flag} ") } else { String::new() };
            [format!("{mark}{}", x.reference), ctx.dates.short(x.occurred_at), kind, x.location.clone()]
        },
    );
}

fn plans(p: &mut Profile, f: &mut Frame, area: Rect, ctx: &Ctx<'_>) {
    let Some(o) = p.overview.get().cloned() else { return };
    let split = Layout::vertical([Constraint::Percentage(50), Constraint::Percentage(50)]).split(area);
    table(
        p,
        f,
        split[0],
        ctx,
        Spec {
            header: ["Title", "Review", "From", "By"],
            min_widths: [10, 8, 6, 6],
            empty: "No Smart Plans for them yet.",
        },
        o.plans.len(),
        |i| {
            let plan = &o.plans[i];
            [
                plan.title.clone(),
                plan.review_on.map(|d| d.format("%d/%m/%y").to_string()).unwrap_or_default(),
                plan.source_incident_reference.clone().unwrap_or_default(),
                plan.created_by.name.clone(),
            ]
        },
    );
    if let Some(plan) = o.plans.get(p.row) {
        let text = format!("Strategies: {}", plan.strategies);
        f.render_widget(Paragraph::new(text).wrap(Wrap { trim: true }), split[1]);
    }
}

fn communications(p: &mut Profile, f: &mut Frame, area: Rect, ctx: &Ctx<'_>) {
    let Some(o) = p.overview.get().cloned() else { return };
    let split = Layout::vertical([Constraint::Percentage(45), Constraint::Percentage(55)]).split(area);
    table(
        p,
        f,
        split[0],
        ctx,
        Spec {
            header: ["Date", "From", "Tone", "Message"],
            min_widths: [14, 8, 3, 10],
            empty: "No communications about them yet: m writes one.",
        },
        o.communications.len(),
        |i| {
            let c = &o.communications[i];
            [
                ctx.dates.short(c.created_at),
                c.author.name.clone(),
                tone(c.tone).to_string(),
                c.message.replace('\n', " "),
            ]
        },
    );
    let Some(thread) = o.communications.get(p.row) else { return };
    let mut lines = vec![
        Line::from(Span::styled(
            format!(
                "{} · {} · {}",
                thread.author.name,
                tone(thread.tone),
                ctx.dates.long(thread.created_at)
            ),
            ctx.theme.header(),
        )),
        Line::from(thread.message.clone()),
    ];
    for r in &thread.responses {
        lines.push(Line::from(Span::styled(
            format!("{} responded, {}:", r.author.name, ctx.dates.short(r.created_at)),
            ctx.theme.header(),
        )));
        lines.push(Line::from(r.message.clone()));
    }
    lines.push(Line::from(Span::styled("Enter responds to this thread.", ctx.theme.dim())));
    f.render_widget(
        Paragraph::new(lines.into_iter().flat_map(split_lines).collect::<Vec<_>>()).wrap(Wrap { trim: false }),
        split[1],
    );
}

/// A line that holds line breaks, as several lines.
fn split_lines(line: Line<'static>) -> Vec<Line<'static>> {
    let style = line.spans.first().map_or(Style::default(), |s| s.style);
    let text: String = line.spans.iter().map(|s| s.content.as_ref()).collect();
    text.split('\n').map(|l| Line::from(Span::styled(l.to_string(), style))).collect()
}

fn clickers(p: &mut Profile, f: &mut Frame, area: Rect, ctx: &Ctx<'_>) {
    let Some(o) = p.overview.get().cloned() else { return };
    let name = |id: i64| p.behaviours.get(&id).map_or_else(|| format!("Behaviour {id}"), |b| b.name.clone());
    let per = counts(&o, p.today);
    let split = Layout::vertical([
        Constraint::Length(u16::try_from(per.len().clamp(1, 8) + 1).unwrap_or(9)),
        Constraint::Min(2),
    ])
    .split(area);
    let mut lines = vec![Line::from(Span::styled(
        format!("{:<24} {:>5} {:>9} {:>9} {:>8}", "Behaviour", "Today", "This week", "Last week", "8 weeks"),
        ctx.theme.header(),
    ))];
    if per.is_empty() {
        lines.push(Line::from("No clicks in the last 8 weeks."));
    }
    for c in per.iter().take(usize::from(split[0].height.saturating_sub(1))) {
        let behaviour = fit(&name(c.behaviour), 24, ctx.glyphs.ellipsis()).into_owned();
        lines.push(Line::from(format!(
            "{behaviour:<24} {:>5} {:>9} {:>9} {:>8}",
            c.today, c.this_week, c.last_week, c.eight_weeks
        )));
    }
    f.render_widget(Paragraph::new(lines), split[0]);
    let names: Vec<String> = o.recent_clicks.iter().map(|c| name(c.behaviour_id)).collect();
    table(
        p,
        f,
        split[1],
        ctx,
        Spec {
            header: ["Seen", "Behaviour", "Recorded by"],
            min_widths: [14, 10, 8],
            empty: "No clicks recorded: c opens the clicker for them.",
        },
        o.recent_clicks.len(),
        |i| {
            let c = &o.recent_clicks[i];
            [ctx.dates.short(c.occurred_at), names[i].clone(), c.recorded_by.name.clone()]
        },
    );
}

fn details(p: &Profile, f: &mut Frame, area: Rect, ctx: &Ctx<'_>) {
    let Some(d) = p.details.get() else { return };
    let preferred = ctx.privacy.opened(&d.preferred_name);
    let row = |label: &str, value: String| {
        Line::from(vec![
            Span::styled(format!("{label:<16}"), ctx.theme.header()),
            Span::raw(if value.is_empty() { "-".to_string() } else { value }),
        ])
    };
    let lines = vec![
        row(
            "Name",
            format!("{} {}", ctx.privacy.opened(&d.first_name), ctx.privacy.opened(&d.last_name)),
        ),
        row("Preferred name", preferred),
        row("Date of birth", d.date_of_birth.format("%-d %B %Y").to_string()),
        row("Year", d.year_group.clone()),
        row("Group", d.group_name.clone()),
        row("SEN status", d.sen_status.clone()),
        row("Notes", d.notes.clone()),
    ];
    f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: true }), area);
}

fn contacts(p: &mut Profile, f: &mut Frame, area: Rect, ctx: &Ctx<'_>) {
    let Some(d) = p.details.get().cloned() else { return };
    table(
        p,
        f,
        area,
        ctx,
        Spec {
            header: ["Name", "Relationship", "Phone", "Email"],
            min_widths: [8, 6, 8, 6],
            empty: "No key contacts recorded.",
        },
        d.key_contacts.len(),
        |i| {
            let c = &d.key_contacts[i];
            [c.name.clone(), c.relationship.clone(), c.phone.clone(), c.email.clone()]
        },
    );
}

fn access(p: &mut Profile, f: &mut Frame, area: Rect, ctx: &Ctx<'_>) {
    let Some(d) = p.details.get().cloned() else { return };
    table(
        p,
        f,
        area,
        ctx,
        Spec {
            header: ["Staff", "Role", "May", "Key staff"],
            min_widths: [8, 4, 4, 3],
            empty: "Nobody else may see this profile.",
        },
        d.access.len(),
        |i| {
            let a = &d.access[i];
            let may = match a.level.as_str() {
                "all" => "see everyone (role)".to_string(),
                "view" => "view".to_string(),
                "record" => "view and record".to_string(),
                "manage" => "view, record, manage".to_string(),
                other => other.to_string(),
            };
            [
                a.staff.name.clone(),
                a.role.label().to_string(),
                may,
                if a.key_staff { "yes".into() } else { String::new() },
            ]
        },
    );
}

//! Drawing the report form: the page indicator and the draft's state, the fields of the page
//! (the focused one open, the others on one line each, a problem under its field), the
//! language check's finding for the focused field, and the review page (what is missing, the
//! findings with their suggestions, then everything written).

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::fields::{EXCLUSIONS, Field, Input, Key, pages};
use super::{Report, State, leaving};
use crate::client::language::{self, Finding};
use crate::client::screens::Ctx;
use crate::client::widgets::fit::fit;
use crate::client::widgets::popup;

/// Draw the form into `area`.
pub fn render(r: &mut Report, f: &mut Frame, area: Rect, ctx: &Ctx<'_>) {
    let rows = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(4),
        Constraint::Length(2),
        Constraint::Length(2),
    ])
    .split(area);
    header(r, f, rows[0], ctx);
    if r.reviewing() {
        review(r, f, rows[1], ctx);
    } else {
        page(r, f, rows[1], ctx);
    }
    let hint = match (r.state, leaving(r)) {
        (_, true) => Line::styled(
            "Leave the report? y leaves (the draft stays on the server), d throws it away, n stays.",
            ctx.theme.error(),
        ),
        (State::Sending, _) => Line::styled("Waiting for the server to record it…", ctx.theme.dim()),
        (State::Recorded, _) => Line::styled("Recorded: fetching its reference…", ctx.theme.ok()),
        (State::Writing, false) => finding_line(r, ctx),
    };
    f.render_widget(Paragraph::new(hint).wrap(Wrap { trim: true }), rows[2]);
    popup::note(f, rows[3], r.note.as_ref(), ctx.theme, ctx.glyphs);
}

/// "Page 1 of 3: Incident › Post-Incident Learning › Review" and the draft's state.
fn header(r: &Report, f: &mut Frame, area: Rect, ctx: &Ctx<'_>) {
    let titles = pages(r.form.kind);
    let mut spans = vec![Span::raw(format!("Page {} of {}: ", r.page + 1, titles.len()))];
    for (i, title) in titles.iter().enumerate() {
        if i > 0 {
            spans.push(Span::styled(" › ", ctx.theme.dim()));
        }
        let style = if i == r.page {
            ctx.theme.focus()
        } else {
            ctx.theme.dim()
        };
        spans.push(Span::styled(*title, style));
    }
    let status = r.autosave.status(ctx.dates);
    let used: usize = spans.iter().map(|s| s.content.chars().count()).sum();
    let room = usize::from(area.width).saturating_sub(used + 2);
    if room > 12 {
        spans.push(Span::raw("  "));
        spans.push(Span::styled(
            fit(&status, room, ctx.glyphs.ellipsis()).into_owned(),
            ctx.theme.dim(),
        ));
    }
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// The rows a field takes: open when focused.
fn height(field: &Field, focused: bool, room: u16, r: &Report) -> u16 {
    match (&field.input, focused) {
        (Input::Long(_), true) => room.saturating_sub(3).max(5).min(room),
        (Input::Ratings(..), true) => {
            let n = ratings_list(r, field.key).len() as u16;
            (n + 1).min(room.max(2))
        }
        (Input::Line(_), true) => 3.min(room),
        _ => 1,
    }
}

/// The fields of the page, scrolled so the focused one shows whole.
fn page(r: &mut Report, f: &mut Frame, area: Rect, ctx: &Ctx<'_>) {
    let shown = r.visible();
    let problems = r.problems.clone();
    let problem = |key: Key| problems.iter().find(|p| p.key == key).map(|p| p.text.clone());
    let mut heights: Vec<u16> = Vec::with_capacity(shown.len());
    for &i in &shown {
        let field = &r.form.fields[i];
        let extra = u16::from(problem(field.key).is_some());
        heights.push(height(field, i == r.focus, area.height, r) + extra);
    }
    // Scroll: the focused field and as many before it as fit.
    let at = shown.iter().position(|&i| i == r.focus).unwrap_or(0);
    let mut first = at;
    let mut used = heights.get(at).copied().unwrap_or(1);
    while first > 0 && used + heights[first - 1] <= area.height {
        first -= 1;
        used += heights[first];
    }
    let mut y = area.y;
    let findings_now = r
        .form
        .fields
        .get(r.focus)
        .map(|f| r.findings(f.key))
        .unwrap_or_default();
    for (n, &i) in shown.iter().enumerate().skip(first) {
        let h = heights[n];
        if y >= area.y + area.height {
            break;
        }
        let h = h.min(area.y + area.height - y);
        let rect = Rect {
            x: area.x,
            y,
            width: area.width,
            height: h,
        };
        let focused = i == r.focus;
        let issue = problem(r.form.fields[i].key);
        let body = Rect {
            height: rect.height.saturating_sub(u16::from(issue.is_some())),
            ..rect
        };
        draw_field(r, i, focused, body, f, ctx, &findings_now);
        if let Some(text) = issue {
            let line = Rect {
                y: rect.y + rect.height.saturating_sub(1),
                height: 1,
                ..rect
            };
            let width = usize::from(area.width).saturating_sub(4);
            let text = format!("    {} {}", ctx.glyphs.flag(), fit(&text, width, ctx.glyphs.ellipsis()));
            f.render_widget(Paragraph::new(Line::styled(text, ctx.theme.error())), line);
        }
        y += h;
    }
}

fn ratings_list(r: &Report, key: Key) -> &[crate::wire::ListItem] {
    match key {
        Key::Deescalation => &r.lists.deescalation,
        _ => &r.lists.physical,
    }
}

/// One field.
fn draw_field(r: &mut Report, i: usize, focused: bool, area: Rect, f: &mut Frame, ctx: &Ctx<'_>, found: &[Finding]) {
    let value = summary(r, &r.form.fields[i], ctx);
    let field = &mut r.form.fields[i];
    let label = format!("{}{}", field.label, if field.required { " *" } else { "" });
    match &mut field.input {
        Input::Long(b) if focused && area.height >= 3 => {
            b.highlight(found);
            b.render(f, area, true, ctx.theme, ctx.glyphs);
            return;
        }
        Input::Line(l) if focused && area.height >= 3 => {
            l.render(f, area, true, ctx.theme, ctx.glyphs);
            return;
        }
        _ => {}
    }
    let mark = if focused { ctx.glyphs.mark() } else { " " };
    let style = if focused { ctx.theme.focus() } else { ctx.theme.text() };
    let width = usize::from(area.width);
    let label_width = (width / 2).clamp(10, 42);
    let head = format!("{mark} {}", fit(&label, label_width, ctx.glyphs.ellipsis()));
    let pad = label_width + 2 - head.chars().count().min(label_width + 2);
    let rest = width.saturating_sub(label_width + 3);
    let mut lines = vec![Line::from(vec![
        Span::styled(head, style),
        Span::raw(" ".repeat(pad + 1)),
        Span::styled(fit(&value, rest, ctx.glyphs.ellipsis()).into_owned(), ctx.theme.text()),
    ])];
    if let (Input::Ratings(ratings, row), true) = (&field.input, focused) {
        let list = match field.key {
            Key::Deescalation => &r.lists.deescalation,
            _ => &r.lists.physical,
        };
        if list.is_empty() {
            lines.push(Line::styled(
                "    (the list of techniques has not arrived yet)",
                ctx.theme.dim(),
            ));
        }
        for (n, t) in list.iter().enumerate() {
            let rating = ratings.get(&t.id).map_or("-".to_string(), |v| v.to_string());
            let pointer = if n == *row { ctx.glyphs.mark() } else { " " };
            let s = if n == *row { ctx.theme.focus() } else { ctx.theme.text() };
            lines.push(Line::styled(format!("   {pointer} [{rating}] {}", t.name), s));
        }
    }
    f.render_widget(Paragraph::new(lines), area);
}

/// A field's value on one line.
fn summary(r: &Report, field: &Field, ctx: &Ctx<'_>) -> String {
    let none = |what: &str| format!("({what})");
    let name_of = |list: &[crate::wire::ListItem], id: Option<i64>| {
        id.and_then(|id| list.iter().find(|i| i.id == id).map(|i| i.name.clone()))
    };
    match &field.input {
        Input::Long(b) => {
            let text = b.text();
            let n = language::current().check(&text).len();
            let first = text.lines().next().unwrap_or("").to_string();
            match (text.trim().is_empty(), n) {
                (true, _) => none("empty: Tab here and type"),
                (false, 0) => format!("{first} ({} chars)", text.chars().count()),
                (false, n) => format!(
                    "{first} ({} chars, {} {n} to look at)",
                    text.chars().count(),
                    ctx.glyphs.flag()
                ),
            }
        }
        Input::Line(l) if l.text().is_empty() && field.key == Key::When => match r.form.opened {
            Some(at) => format!("{} (now; type -20m, 10:15, p3… to change)", ctx.dates.short(at)),
            None => "now".into(),
        },
        Input::Line(l) if field.key == Key::Ended => match r.form.duration(r.now, &r.lists, ctx.dates) {
            Some(took) => format!("{} ({took})", l.text()),
            None => l.text().to_string(),
        },
        Input::Line(l) if l.text().is_empty() => none("empty"),
        Input::Line(l) => l.text().to_string(),
        Input::YesNo(true) => "Yes".into(),
        Input::YesNo(false) => "No (y for yes)".into(),
        Input::Choice(c) => match field.key {
            Key::Exclusion => EXCLUSIONS
                .iter()
                .find(|(i, _)| Some(*i) == *c)
                .map_or("None".into(), |(_, e)| e.label().to_string()),
            Key::Location => name_of(&r.lists.locations, *c).unwrap_or_else(|| none("Enter to choose")),
            _ => name_of(&r.lists.categories, *c).unwrap_or_else(|| none("Enter to choose (optional)")),
        },
        Input::People(p) if p.is_empty() => none("Enter to pick"),
        Input::People(p) => p
            .iter()
            .map(|i| ctx.privacy.name(&i.name))
            .collect::<Vec<_>>()
            .join(", "),
        Input::Staff(s) if s.is_empty() => none("Enter to choose"),
        Input::Staff(s) => s.iter().map(|m| m.name.clone()).collect::<Vec<_>>().join(", "),
        Input::Ratings(ratings, _) if ratings.is_empty() => none("none rated: 1-5 on each used"),
        Input::Ratings(ratings, _) => {
            let list = ratings_list(r, field.key);
            ratings
                .iter()
                .map(|(id, n)| {
                    let name = list
                        .iter()
                        .find(|t| t.id == *id)
                        .map_or("technique", |t| t.name.as_str());
                    format!("{name} {n}/5")
                })
                .collect::<Vec<_>>()
                .join(", ")
        }
    }
}

/// The language check's word on the focused field: the finding at the cursor.
fn finding_line(r: &Report, ctx: &Ctx<'_>) -> Line<'static> {
    let Some((finding, at, total)) = r.current_finding() else {
        return Line::default();
    };
    let place = if total > 1 {
        format!(" ({at} of {total}: F7 next)")
    } else {
        String::new()
    };
    Line::from(vec![
        Span::styled(
            format!("{} \"{}\": ", ctx.glyphs.flag(), finding.phrase),
            ctx.theme.error(),
        ),
        Span::raw(format!("{}{place}", finding.suggestion)),
    ])
}

/// The review page.
fn review(r: &Report, f: &mut Frame, area: Rect, ctx: &Ctx<'_>) {
    let mut lines: Vec<Line> = Vec::new();
    let label = |key: Key| {
        r.form
            .get(key)
            .map_or("", |f| f.label.split(" (").next().unwrap_or(f.label))
    };
    if r.problems.is_empty() {
        lines.push(Line::styled(
            "Ready to submit: Enter submits, b submits and opens the Smart Plan builder.",
            ctx.theme.ok(),
        ));
    } else {
        lines.push(Line::styled(
            "To put right before it can be submitted (o goes to the first):",
            ctx.theme.error(),
        ));
        for p in &r.problems {
            let page = r.form.get(p.key).map_or(0, |f| f.page) + 1;
            lines.push(Line::styled(
                format!("  {} {} (page {page})", ctx.glyphs.flag(), p.text),
                ctx.theme.error(),
            ));
        }
    }
    lines.push(Line::default());
    let findings = r.all_findings();
    if findings.is_empty() {
        lines.push(Line::styled(
            "Language check: nothing found that blames or judges.",
            ctx.theme.dim(),
        ));
    } else {
        lines.push(Line::styled(
            format!(
                "Language check: {} to look at (F7 next, o goes to it). It never changes your words.",
                findings.len()
            ),
            ctx.theme.title(),
        ));
        for (n, (key, x)) in findings.iter().enumerate() {
            let chosen = n == r.finding % findings.len();
            let style = if chosen { ctx.theme.focus() } else { ctx.theme.text() };
            let mark = if chosen { ctx.glyphs.mark() } else { " " };
            lines.push(Line::from(vec![
                Span::styled(format!("{mark} \"{}\" in {}: ", x.phrase, label(*key)), style),
                Span::raw(x.suggestion.clone()),
            ]));
        }
    }
    let highlight = Style::default()
        .add_modifier(Modifier::UNDERLINED)
        .patch(ctx.theme.error());
    for (page, title) in pages(r.form.kind).iter().enumerate().take(r.pages() - 1) {
        lines.push(Line::default());
        lines.push(Line::styled(title.to_string(), ctx.theme.header()));
        for field in r.form.fields.iter().filter(|x| x.page == page && r.form.shows(x.key)) {
            match &field.input {
                Input::Long(b) => {
                    let text = b.text();
                    if text.trim().is_empty() {
                        lines.push(Line::styled(
                            format!("  {}: (empty)", label(field.key)),
                            ctx.theme.dim(),
                        ));
                        continue;
                    }
                    lines.push(Line::styled(format!("  {}:", label(field.key)), ctx.theme.title()));
                    let found = language::current().check(&text);
                    let mut start = 0;
                    for line in text.split('\n') {
                        let mut spans = vec![Span::raw("    ")];
                        spans.extend(
                            language::highlight(line, start, &found, highlight)
                                .into_iter()
                                .map(|s| Span::styled(s.content.into_owned(), s.style)),
                        );
                        lines.push(Line::from(spans));
                        start += line.len() + 1;
                    }
                }
                _ => lines.push(Line::from(vec![
                    Span::styled(format!("  {}: ", label(field.key)), ctx.theme.title()),
                    Span::raw(summary(r, field, ctx)),
                ])),
            }
        }
    }
    let paragraph = Paragraph::new(lines)
        .wrap(Wrap { trim: false })
        .scroll((r.review_scroll, 0));
    f.render_widget(paragraph, area);
}

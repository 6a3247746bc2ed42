//! "Dashboard": incidents of the last 7 days / 30 days / all, the user's notifications and
//! the help-centre contact.
//!
//! The incident table builds `Row`s only for the visible slice (PERFORMANCE-ANCHORS: 0.28 ms a
//! frame for 10,000 rows instead of 7.8 ms), so a frame costs the same with 10 or 10,000
//! incidents. Pages of `GET /incidents` are appended as they arrive. In privacy mode names are
//! shown as initials until `v` reveals them. `Tab` moves the keys between the incident table
//! and the notifications (at 80x24 only a few notifications fit, so that list scrolls too);
//! `Enter` on a notification about an incident opens that incident. This module is public so
//! `benches/dashboard.rs` can render it with 10,000 rows.

use chrono::{DateTime, Duration, Local, Utc};
use crossterm::event::KeyEvent;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, List, ListItem, ListState, Paragraph, Wrap};

use super::{Ctx, Msg, centered};
use crate::client::keymap::{self, Binding, KeyAction};
use crate::client::theme::Theme;
use crate::client::widgets::slice_table::SliceTable;
use crate::wire::{IncidentKind, IncidentSummary, Notification};

/// Which incidents are listed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    /// The last 7 days.
    Week,
    /// The last 30 days.
    Month,
    /// Everything the user may see.
    All,
}

impl Period {
    /// The next period (`t`).
    pub fn next(self) -> Period {
        match self {
            Period::Week => Period::Month,
            Period::Month => Period::All,
            Period::All => Period::Week,
        }
    }
    /// In words.
    pub fn label(self) -> &'static str {
        match self {
            Period::Week => "last 7 days",
            Period::Month => "last 30 days",
            Period::All => "all",
        }
    }
    /// The `since` of the query.
    pub fn since(self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        match self {
            Period::Week => Some(now - Duration::days(7)),
            Period::Month => Some(now - Duration::days(30)),
            Period::All => None,
        }
    }
}

/// Which list has the keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pane {
    /// The incident table.
    Incidents,
    /// The user's notifications.
    Notifications,
}

/// State of the dashboard. `Debug` is written by hand: it prints counts, never a pupil's name.
pub struct DashboardScreen {
    /// The period shown.
    pub period: Period,
    incidents: Vec<IncidentSummary>,
    total: u64,
    /// More pages are being fetched.
    pub loading: bool,
    selected: usize,
    offset: usize,
    page: usize,
    notifications: Vec<Notification>,
    notifications_loaded: bool,
    notification_list: ListState,
    /// The list that has the keys.
    pub pane: Pane,
    privacy: bool,
    revealed: bool,
}

impl std::fmt::Debug for DashboardScreen {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DashboardScreen")
            .field("period", &self.period)
            .field("incidents", &self.incidents.len())
            .field("selected", &self.selected)
            .field("notifications", &self.notifications.len())
            .field("loading", &self.loading)
            .finish_non_exhaustive()
    }
}

/// A notification in words, from its references (never a sentence baked in on the server).
fn describe(n: &Notification, name: impl Fn(&str) -> String) -> String {
    use crate::wire::NotificationKind;
    let who = n.actor.clone().unwrap_or_else(|| "Someone".into());
    let pupil = n.individual.as_ref().map(|i| name(i.name.unmasked()));
    let about = pupil.map(|p| format!(" about {p}")).unwrap_or_default();
    let reference = n.incident_reference.clone().unwrap_or_default();
    match n.kind {
        NotificationKind::CollaborationInvite => format!("{who} invited you to collaborate on {reference}{about}."),
        NotificationKind::Communication => format!("{who} sent a communication{about}."),
        NotificationKind::IncidentFlagged => format!("{reference}{about} was flagged for attention."),
        NotificationKind::PlanReview => format!("A Smart Plan{about} is due for review."),
    }
}

/// Initials of a name: "Ann Smith" → "A. S.".
pub fn initials(name: &str) -> String {
    name.split_whitespace()
        .filter_map(|w| w.chars().next())
        .map(|c| format!("{c}."))
        .collect::<Vec<_>>()
        .join(" ")
}

impl DashboardScreen {
    /// An empty dashboard (7 days) that will be filled by pages of incidents.
    pub fn new(privacy: bool) -> DashboardScreen {
        DashboardScreen {
            period: Period::Week,
            incidents: Vec::new(),
            total: 0,
            loading: true,
            selected: 0,
            offset: 0,
            page: 10,
            notifications: Vec::new(),
            notifications_loaded: false,
            notification_list: ListState::default(),
            pane: Pane::Incidents,
            privacy,
            revealed: false,
        }
    }

    /// The keys of this screen.
    pub fn keys() -> &'static [Binding] {
        keymap::DASHBOARD
    }

    /// Start a new listing (period changed or first fetch).
    pub fn reset_incidents(&mut self) {
        self.incidents.clear();
        self.total = 0;
        self.selected = 0;
        self.offset = 0;
        self.loading = true;
    }

    /// Append a page; `more` is true when another page is coming.
    pub fn add_page(&mut self, items: Vec<IncidentSummary>, total: u64, more: bool) {
        self.incidents.extend(items);
        self.total = total.max(self.incidents.len() as u64);
        self.loading = more;
    }

    /// Replace every incident at once (used by the benchmark and tests).
    pub fn set_incidents(&mut self, items: Vec<IncidentSummary>) {
        self.total = items.len() as u64;
        self.incidents = items;
        self.loading = false;
        self.selected = self.selected.min(self.incidents.len().saturating_sub(1));
    }

    /// The notifications arrived.
    pub fn set_notifications(&mut self, items: Vec<Notification>) {
        let first = (!items.is_empty()).then_some(0);
        self.notifications = items;
        self.notifications_loaded = true;
        self.notification_list.select(first);
    }

    /// The index of the selected incident.
    pub fn selected(&self) -> usize {
        self.selected
    }

    /// The selected incident.
    pub fn selected_incident(&self) -> Option<&IncidentSummary> {
        self.incidents.get(self.selected)
    }

    /// How a name is shown now (initials in privacy mode until revealed).
    pub fn shown_name<'a>(&self, name: &'a str) -> std::borrow::Cow<'a, str> {
        if self.privacy && !self.revealed {
            initials(name).into()
        } else {
            name.into()
        }
    }

    /// Move the selection by `delta` rows (clamped).
    pub fn move_by(&mut self, delta: isize) {
        let last = self.incidents.len().saturating_sub(1);
        self.selected = self.selected.saturating_add_signed(delta).min(last);
    }

    /// A key.
    pub fn handle_key(&mut self, key: KeyEvent) -> Option<Msg> {
        let action = keymap::lookup(&[keymap::DASHBOARD], &key)?;
        match action {
            KeyAction::SwitchPane => {
                self.pane = match self.pane {
                    Pane::Incidents => Pane::Notifications,
                    Pane::Notifications => Pane::Incidents,
                };
            }
            KeyAction::CyclePeriod => {
                self.period = self.period.next();
                self.reset_incidents();
                return Some(Msg::FetchIncidents);
            }
            KeyAction::Reveal => self.revealed = !self.revealed,
            _ if self.pane == Pane::Notifications => return self.notification_key(action),
            KeyAction::Open => return self.selected_incident().is_some().then_some(Msg::OpenDetails),
            movement => self.move_by(self.movement(movement, self.incidents.len())?),
        }
        Some(Msg::Redraw)
    }

    /// How many rows a movement key moves by in a list of `len` rows, or `None` for any
    /// other key.
    fn movement(&self, action: KeyAction, len: usize) -> Option<isize> {
        let page = self.page.max(1) as isize;
        let len = isize::try_from(len).unwrap_or(isize::MAX);
        Some(match action {
            KeyAction::Down => 1,
            KeyAction::Up => -1,
            KeyAction::Top => -len,
            KeyAction::Bottom => len,
            KeyAction::PageDown => page,
            KeyAction::PageUp => -page,
            _ => return None,
        })
    }

    /// A key while the notifications have the keys: move, or open the incident one is about.
    fn notification_key(&mut self, action: KeyAction) -> Option<Msg> {
        if action != KeyAction::Open {
            let delta = self.movement(action, self.notifications.len())?;
            let last = self.notifications.len().saturating_sub(1);
            let at = self.notification_list.selected().unwrap_or(0);
            let to = at.saturating_add_signed(delta).min(last);
            self.notification_list
                .select((!self.notifications.is_empty()).then_some(to));
            return Some(Msg::Redraw);
        }
        let at = self.notification_list.selected()?;
        let Some(reference) = self.notifications.get(at)?.incident_reference.clone() else {
            return Some(Msg::Say("This notification is not about an incident.".into()));
        };
        match self.incidents.iter().position(|i| i.reference == reference) {
            Some(row) => {
                self.selected = row;
                self.pane = Pane::Incidents;
                Some(Msg::OpenDetails)
            }
            None => Some(Msg::Say(format!(
                "{reference} is not in this list: t shows a longer period."
            ))),
        }
    }

    /// Draw the whole dashboard into `area`.
    pub fn render(&mut self, f: &mut Frame, area: Rect, ctx: &Ctx<'_>) {
        let wide = area.width >= 120;
        let (table_area, side) = if wide {
            let c = Layout::horizontal([Constraint::Min(60), Constraint::Length(area.width * 3 / 10)]).split(area);
            (c[0], c[1])
        } else {
            let side_h = (area.height * 2 / 5).clamp(5, 10);
            let c = Layout::vertical([Constraint::Min(5), Constraint::Length(side_h)]).split(area);
            (c[0], c[1])
        };
        self.render_table(f, table_area, ctx.theme);
        self.render_side(f, side, ctx);
    }

    /// Draw the incident table (only the visible rows are built).
    pub fn render_table(&mut self, f: &mut Frame, area: Rect, theme: &Theme) {
        let state = if self.loading { " — loading…" } else { "" };
        let title = format!(" Incidents — {} ({}){state} ", self.period.label(), self.total);
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(self.pane_border(Pane::Incidents, theme))
            .title(Span::styled(title, theme.title()));
        let visible = area.height.saturating_sub(3) as usize;
        self.page = visible.max(1);
        if self.selected < self.offset {
            self.offset = self.selected;
        } else if visible > 0 && self.selected >= self.offset + visible {
            self.offset = self.selected + 1 - visible;
        }
        if self.incidents.is_empty() {
            let msg = if self.loading {
                "Loading incidents…"
            } else {
                "No incidents in this period. t shows a longer one."
            };
            f.render_widget(Paragraph::new(msg).block(block), area);
            return;
        }
        let end = (self.offset + visible).min(self.incidents.len());
        let rows: Vec<[String; 5]> = self.incidents[self.offset..end]
            .iter()
            .map(|i| {
                let kind = match i.kind {
                    IncidentKind::Incident => i.category.clone(),
                    IncidentKind::PhysicalIntervention => format!("PI: {}", i.category),
                };
                let flag = if i.flagged { "⚑ " } else { "" };
                [
                    format!("{flag}{}", i.reference),
                    i.occurred_at.with_timezone(&Local).format("%d/%m/%y %H:%M").to_string(),
                    self.shown_name(i.individual.name.unmasked()).into_owned(),
                    kind,
                    i.location.clone(),
                ]
            })
            .collect();
        let inner = block.inner(area);
        f.render_widget(block, area);
        f.render_widget(
            SliceTable {
                header: ["Ref", "Date", "Individual", "Type", "Location"],
                widths: [
                    Constraint::Length(15),
                    Constraint::Length(14),
                    Constraint::Fill(3),
                    Constraint::Fill(4),
                    Constraint::Fill(2),
                ],
                rows,
                selected: Some(self.selected - self.offset),
                header_style: theme.header(),
                // Reverse video only where the keys are, so one row stands out, not two.
                selected_style: if self.pane == Pane::Incidents {
                    theme.selected()
                } else {
                    theme.text()
                },
            },
            inner,
        );
    }

    /// The notifications, and below them the help centre's contact on a line of its own (no
    /// frame: at 80x24 the two rows a frame takes are two more notifications).
    fn render_side(&mut self, f: &mut Frame, area: Rect, ctx: &Ctx<'_>) {
        let theme = ctx.theme;
        let contact = match ctx.setting {
            Some(s) => format!("{} · {} · {}", s.support.email, s.support.phone, s.support.url),
            None => "—".to_string(),
        };
        let help = Paragraph::new(Line::from(vec![
            Span::styled("Help centre: ", theme.title()),
            Span::raw(contact),
        ]))
        .wrap(Wrap { trim: true });
        let help_h = u16::try_from(help.line_count(area.width)).unwrap_or(u16::MAX).min(3);
        let parts = Layout::vertical([Constraint::Min(1), Constraint::Length(help_h)]).split(area);
        let items: Vec<ListItem> = if !self.notifications_loaded {
            vec![ListItem::new("Loading…")]
        } else if self.notifications.is_empty() {
            vec![ListItem::new("Nothing new.")]
        } else {
            self.notifications
                .iter()
                .map(|n| {
                    let when = n.created_at.with_timezone(&Local).format("%d %b").to_string();
                    let mark = if n.read { "  " } else { "● " };
                    ListItem::new(Line::from(vec![
                        Span::raw(mark),
                        Span::styled(when, theme.dim()),
                        Span::raw(format!(" {}", describe(n, |name| self.shown_name(name).into_owned()))),
                    ]))
                })
                .collect()
        };
        let title = Span::styled(
            format!(" My notifications ({}) ", self.notifications.len()),
            theme.title(),
        );
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(self.pane_border(Pane::Notifications, theme))
            .title(title);
        let mut list = List::new(items).block(block);
        if self.pane == Pane::Notifications {
            list = list.highlight_style(theme.selected()).highlight_symbol("▶");
        }
        f.render_stateful_widget(list, parts[0], &mut self.notification_list);
        f.render_widget(help, parts[1]);
    }

    /// The border of a pane: marked while it has the keys.
    fn pane_border(&self, pane: Pane, theme: &Theme) -> ratatui::style::Style {
        if self.pane == pane { theme.focus() } else { theme.text() }
    }

    /// Draw the details pop-up of the selected incident.
    pub fn render_details(&self, f: &mut Frame, area: Rect, theme: &Theme) {
        let Some(i) = self.selected_incident() else { return };
        let popup = centered(area, 64, 12);
        f.render_widget(Clear, popup);
        let yes_no = |b: bool| if b { "yes" } else { "no" };
        let lines = vec![
            Line::from(format!("Reference:        {}", i.reference)),
            Line::from(format!(
                "When:             {}",
                i.occurred_at.with_timezone(&Local).format("%A %d %B %Y, %H:%M")
            )),
            Line::from(format!(
                "Individual:       {}",
                self.shown_name(i.individual.name.unmasked())
            )),
            Line::from(format!("Report:           {}", i.kind.label())),
            Line::from(format!("Type:             {}", i.category)),
            Line::from(format!("Location:         {}", i.location)),
            Line::from(format!("Flagged:          {}", yes_no(i.flagged))),
            Line::from(format!("Parents informed: {}", yes_no(i.parents_informed))),
            Line::from(Span::styled("Esc or Enter closes", theme.dim())),
        ];
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(theme.focus())
            .title(Span::styled(" Incident ", theme.title()));
        f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: true }).block(block), popup);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn initials_and_periods() {
        assert_eq!(initials("Ann  Marie Smith"), "A. M. S.");
        assert_eq!(Period::Week.next().next().next(), Period::Week);
        assert!(Period::All.since(Utc::now()).is_none());
    }
}

//! Counting a report over the [`report_index`](super::report_index): which records it counts
//! (the access rule, the period and the one before, the subset, the filters), and their counts
//! by UTC hour, by group and in distinct individuals, in one pass.
//!
//! The rules are those of the SQL that lists the incidents behind a row (`chosen` in
//! [`reports`](super::reports)), and the tests check that the two agree row by row: an
//! incident counts when the viewer sees every individual it is about; a click or a
//! communication when they see its individual; an individual is named in a row or counted in
//! the totals only when the viewer may see them; a filter a record type does not have (a
//! location for a click, a behaviour for an incident) leaves nothing.

use super::report_index::{Facts, FastMap, FastSet, Sentiment};
use super::reports::{Grouping, HourRow, ReportFilter, ReportGroupRow, ReportRecords, TotalsRow};

/// Who a report may count: `None` is everyone (a role that sees all individuals).
pub(super) type Visible = Option<FastSet<i64>>;

/// One counted record, as every grouping reads it.
struct Seen<'a> {
    /// When (unix seconds).
    at: i64,
    /// In the period (else in the one before).
    cur: bool,
    /// A communication's sentiment.
    sentiment: Option<Sentiment>,
    /// Its individual (an incident's primary one).
    individual: i64,
    /// Everyone else named in it (incidents).
    others: &'a [i64],
    /// Who reported, clicked or wrote it.
    by: i64,
    /// Staff present, besides the reporter (incidents).
    staff: &'a [i64],
    /// An incident's category and location, a click's behaviour.
    category: Option<i64>,
    location: Option<i64>,
    behaviour: Option<i64>,
    /// A physical intervention's techniques and their effectiveness.
    techniques: &'a [(i64, i64)],
}

/// A filter of ids: `None` admits every id.
struct Among(Option<FastSet<i64>>);

impl Among {
    fn of(ids: &Option<Vec<i64>>) -> Among {
        Among(ids.as_ref().map(|ids| ids.iter().copied().collect()))
    }

    /// Whether `id` passes.
    fn admits(&self, id: i64) -> bool {
        self.0.as_ref().is_none_or(|ids| ids.contains(&id))
    }

    /// Whether `id` or any of `more` passes.
    fn admits_any(&self, id: i64, more: &[i64]) -> bool {
        self.0
            .as_ref()
            .is_none_or(|ids| ids.contains(&id) || more.iter().any(|m| ids.contains(m)))
    }

    /// Whether the filter is set.
    fn is_set(&self) -> bool {
        self.0.is_some()
    }
}

/// Whether `visible` lets the viewer see individual `id`.
fn sees(visible: &Visible, id: i64) -> bool {
    visible.as_ref().is_none_or(|v| v.contains(&id))
}

/// Call `each` with every record of `records` the viewer may count in the period or the one
/// before, filtered by `filter`.
fn chosen(facts: &Facts, records: ReportRecords, visible: &Visible, filter: &ReportFilter, mut each: impl FnMut(Seen)) {
    let (individuals, locations, staff, behaviours) = (
        Among::of(&filter.individuals),
        Among::of(&filter.locations),
        Among::of(&filter.staff),
        Among::of(&filter.behaviours),
    );
    let within = |at: i64| at >= filter.previous_start && at < filter.end;
    let none: &[i64] = &[];
    match records {
        ReportRecords::Clicks => {
            if locations.is_set() {
                return;
            }
            for c in facts.clicks.iter() {
                if within(c.at)
                    && sees(visible, c.individual)
                    && individuals.admits(c.individual)
                    && staff.admits(c.user)
                    && behaviours.admits(c.behaviour)
                {
                    each(Seen {
                        at: c.at,
                        cur: c.at >= filter.start,
                        sentiment: None,
                        individual: c.individual,
                        others: none,
                        by: c.user,
                        staff: none,
                        category: None,
                        location: None,
                        behaviour: Some(c.behaviour),
                        techniques: &[],
                    });
                }
            }
        }
        ReportRecords::Communications => {
            if locations.is_set() || behaviours.is_set() {
                return;
            }
            for m in facts.communications.iter() {
                if within(m.at)
                    && sees(visible, m.individual)
                    && individuals.admits(m.individual)
                    && staff.admits(m.author)
                {
                    each(Seen {
                        at: m.at,
                        cur: m.at >= filter.start,
                        sentiment: Some(m.sentiment),
                        individual: m.individual,
                        others: none,
                        by: m.author,
                        staff: none,
                        category: None,
                        location: None,
                        behaviour: None,
                        techniques: &[],
                    });
                }
            }
        }
        _ => {
            if behaviours.is_set() {
                return;
            }
            for i in facts.incidents.iter() {
                let of_subset = match records {
                    ReportRecords::Interventions => i.physical,
                    ReportRecords::Injuries => i.injury,
                    ReportRecords::Discriminatory => i.discriminatory,
                    _ => true,
                };
                if of_subset
                    && within(i.at)
                    && sees(visible, i.individual)
                    && i.subjects.iter().all(|s| sees(visible, *s))
                    && individuals.admits_any(i.individual, &i.others)
                    && locations.admits(i.location)
                    && staff.admits_any(i.reported_by, &i.staff)
                {
                    each(Seen {
                        at: i.at,
                        cur: i.at >= filter.start,
                        sentiment: None,
                        individual: i.individual,
                        others: &i.others,
                        by: i.reported_by,
                        staff: &i.staff,
                        category: Some(i.category),
                        location: Some(i.location),
                        behaviour: None,
                        techniques: &i.techniques,
                    });
                }
            }
        }
    }
}

/// The counts of one group, and a technique's effectiveness.
#[derive(Debug, Clone, Copy, Default)]
struct Tally {
    current: i64,
    previous: i64,
    positive: i64,
    negative: i64,
    effect_sum: i64,
    effect_n: i64,
}

impl Tally {
    /// Count one record.
    fn add(&mut self, seen: &Seen) {
        if seen.cur {
            self.current += 1;
            self.positive += i64::from(seen.sentiment == Some(Sentiment::Positive));
            self.negative += i64::from(seen.sentiment == Some(Sentiment::Negative));
        } else {
            self.previous += 1;
        }
    }
}

/// Count `seen` in the group `id`, and hand its tally back.
fn tally<'t>(groups: &'t mut FastMap<i64, Tally>, id: i64, seen: &Seen) -> &'t mut Tally {
    let t = groups.entry(id).or_default();
    t.add(seen);
    t
}

/// What one pass counts.
#[derive(Debug, Clone, PartialEq)]
pub struct Counted {
    /// Records by UTC hour, in order (hours with none left out).
    pub hours: Vec<HourRow>,
    /// Distinct individuals in each period.
    pub totals: TotalsRow,
    /// The rows of the grouping (none asked: empty), largest first.
    pub groups: Vec<ReportGroupRow>,
}

/// Count `records` for the viewer who sees `visible`, by `grouping`; `labels` names the groups
/// other than individuals (a group without a name is left out, as a join would).
pub(super) fn count(
    facts: &Facts,
    records: ReportRecords,
    visible: &Visible,
    filter: &ReportFilter,
    grouping: Option<Grouping>,
    labels: &FastMap<i64, String>,
) -> Counted {
    let mut hours: FastMap<i64, HourRow> = FastMap::default();
    let (mut now, mut before): (FastSet<i64>, FastSet<i64>) = Default::default();
    let mut groups: FastMap<i64, Tally> = FastMap::default();
    chosen(facts, records, visible, filter, |seen| {
        let hour = seen.at.div_euclid(3600);
        let row = hours.entry(hour).or_insert(HourRow {
            hour,
            count: 0,
            positive: 0,
            negative: 0,
        });
        row.count += 1;
        row.positive += i64::from(seen.sentiment == Some(Sentiment::Positive));
        row.negative += i64::from(seen.sentiment == Some(Sentiment::Negative));
        let people = std::iter::once(seen.individual).chain(seen.others.iter().copied());
        let people = people.filter(|who| sees(visible, *who));
        let groups = &mut groups;
        match grouping {
            Some(Grouping::Individual) => people.clone().for_each(|who| {
                tally(groups, who, &seen);
            }),
            Some(Grouping::Staff) => {
                tally(groups, seen.by, &seen);
                for user in seen.staff {
                    tally(groups, *user, &seen);
                }
            }
            Some(Grouping::Category) => {
                if let Some(id) = seen.category {
                    tally(groups, id, &seen);
                }
            }
            Some(Grouping::Location) => {
                if let Some(id) = seen.location {
                    tally(groups, id, &seen);
                }
            }
            Some(Grouping::Behaviour) => {
                if let Some(id) = seen.behaviour {
                    tally(groups, id, &seen);
                }
            }
            Some(Grouping::Technique) => {
                for (technique, effectiveness) in seen.techniques {
                    let t = tally(groups, *technique, &seen);
                    if seen.cur {
                        t.effect_sum += effectiveness;
                        t.effect_n += 1;
                    }
                }
            }
            None => {}
        }
        let counted = if seen.cur { &mut now } else { &mut before };
        counted.extend(people);
    });
    let mut hours: Vec<HourRow> = hours.into_values().collect();
    hours.sort_unstable_by_key(|h| h.hour);
    let names = match grouping {
        Some(Grouping::Individual) => &facts.names,
        _ => labels,
    };
    let mut groups: Vec<ReportGroupRow> = groups
        .into_iter()
        .filter_map(|(id, t)| {
            Some(ReportGroupRow {
                id,
                label: names.get(&id)?.clone(),
                current: t.current,
                previous: t.previous,
                mean: (t.effect_n > 0).then(|| (t.effect_sum as f64 / t.effect_n as f64 * 100.0).round() / 100.0),
                positive: t.positive,
                negative: t.negative,
            })
        })
        .collect();
    groups.sort_by(|a, b| {
        b.current
            .cmp(&a.current)
            .then_with(|| a.label.cmp(&b.label))
            .then(a.id.cmp(&b.id))
    });
    Counted {
        hours,
        totals: TotalsRow {
            individuals: now.len() as i64,
            previous_individuals: before.len() as i64,
        },
        groups,
    }
}

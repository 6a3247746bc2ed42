//! An incident in words, for its view: every field, the PILD, the physical intervention page,
//! the staff accounts beside the author's, who was notified, the revisions with what each
//! changed, the flag and whether parents were told. Names of the individuals it is about are
//! drawn in full (the record was opened on purpose); others involved go through privacy.

use ratatui::text::{Line, Span};

use crate::client::screens::Ctx;
use crate::wire::{FieldChange, Incident, IncidentKind, StaffRef, TechniqueUse};

/// The label of a field of an edit, from its wire name (`pild.triggers` → "PILD: likely
/// triggers"); an unknown name is shown as it came, in words.
pub fn field_label(field: &str) -> String {
    let known = match field {
        "kind" => "Report",
        "individual_ids" | "individuals" => "Individuals",
        "occurred_at" => "When",
        "location_id" | "location" => "Location",
        "category_id" | "category" => "Type",
        "what_happened" => "What happened",
        "staff_present_ids" | "staff_present" => "Staff present",
        "others_involved_ids" | "others_involved" => "Others involved",
        "injury.occurred" => "Injury",
        "injury.details" => "Injury: details",
        "pild.perspective" => "PILD: their perspective",
        "pild.feelings" => "PILD: how it made them feel",
        "pild.next_time" => "PILD: what they could do next time",
        "pild.triggers" => "PILD: likely triggers",
        "pild.adjustments" => "PILD: reasonable adjustments",
        "pild.comments" => "PILD: other comments",
        "pild.discriminatory" => "PILD: discriminatory behaviour",
        "pild.discriminatory_details" => "PILD: which behaviour",
        "pild.exclusion" => "PILD: suspension or exclusion",
        "physical.started_at" => "Intervention started",
        "physical.ended_at" => "Intervention ended",
        "physical.low_behaviours" => "Low-level behaviours",
        "physical.medium_behaviours" => "Medium-level behaviours",
        "physical.high_behaviours" => "High-level behaviours",
        "physical.staff_response" => "How staff responded",
        "physical.alternative_responses" => "Alternative responses",
        "physical.deescalation" => "De-escalation techniques",
        "physical.physical_techniques" => "Physical techniques",
        _ => "",
    };
    if known.is_empty() {
        let words = field.replace(['_', '.'], " ");
        let mut chars = words.chars();
        chars
            .next()
            .map(|c| c.to_uppercase().chain(chars).collect())
            .unwrap_or_default()
    } else {
        known.to_string()
    }
}

/// One change of an edit: "What happened: "before" → "after"" (empty shown as "(empty)").
pub fn change_line(c: &FieldChange, arrow: &str) -> String {
    let shown = |v: &str| {
        if v.trim().is_empty() {
            "(empty)".to_string()
        } else {
            format!("\"{}\"", v.replace('\n', " / "))
        }
    };
    format!("{}: {} {arrow} {}", field_label(&c.field), shown(&c.before), shown(&c.after))
}

/// "4/5" after each technique.
pub fn techniques(list: &[TechniqueUse]) -> String {
    if list.is_empty() {
        return "none recorded".into();
    }
    list.iter()
        .map(|t| format!("{} {}/5", t.technique.name, t.effectiveness))
        .collect::<Vec<_>>()
        .join(", ")
}

/// "1 h 5 min", "12 min".
pub fn duration(minutes: i64) -> String {
    match (minutes / 60, minutes % 60) {
        (0, m) => format!("{m} min"),
        (h, 0) => format!("{h} h"),
        (h, m) => format!("{h} h {m} min"),
    }
}

fn staff(list: &[StaffRef]) -> String {
    if list.is_empty() {
        "none".into()
    } else {
        list.iter().map(|s| s.name.as_str()).collect::<Vec<_>>().join(", ")
    }
}

fn or_none(text: &str) -> &str {
    if text.trim().is_empty() { "(not recorded)" } else { text }
}

struct Out<'c, 'a> {
    lines: Vec<Line<'static>>,
    ctx: &'c Ctx<'a>,
}

impl Out<'_, '_> {
    fn heading(&mut self, text: &str) {
        if !self.lines.is_empty() {
            self.lines.push(Line::from(""));
        }
        self.lines.push(Line::from(Span::styled(text.to_string(), self.ctx.theme.title())));
    }

    fn field(&mut self, label: &str, value: &str) {
        let mut first = true;
        for part in value.split('\n') {
            let lead = if first { format!("{label}: ") } else { "  ".to_string() };
            first = false;
            self.lines.push(Line::from(vec![
                Span::styled(lead, self.ctx.theme.dim()),
                Span::raw(part.to_string()),
            ]));
        }
    }

    fn text(&mut self, value: &str) {
        for part in or_none(value).split('\n') {
            self.lines.push(Line::from(part.to_string()));
        }
    }
}

/// Every line of the view of `i`.
pub fn lines(i: &Incident, ctx: &Ctx<'_>) -> Vec<Line<'static>> {
    let mut o = Out { lines: Vec::new(), ctx };
    let d = ctx.dates;
    let who: Vec<String> = i.individuals.iter().map(|p| ctx.privacy.opened(&p.name)).collect();
    o.heading(&format!("{} {} {}", i.reference, ctx.glyphs.dash().trim(), i.kind.label()));
    o.field("About", &who.join(", "));
    o.field("When", &d.long(i.occurred_at));
    o.field("Location", &i.location.name);
    o.field("Type", &i.category.name);
    o.field("Reported by", &format!("{}, {}", i.reported_by.name, d.long(i.created_at)));
    if i.revision > 1 {
        o.field("Last changed", &format!("{} (revision {})", d.long(i.updated_at), i.revision));
    }
    match &i.flag {
        Some(flag) => o.field(
            "Flagged",
            &format!("yes, by {} on {}: {}", flag.by.name, d.long(flag.at), flag.reason),
        ),
        None => o.field("Flagged", "no (f flags it for attention)"),
    }
    match &i.parents_informed {
        Some(p) => o.field(
            "Parents informed",
            &format!("{} ({}), recorded by {}", d.long(p.at), p.how, p.by.name),
        ),
        None => o.field("Parents informed", "not yet recorded (p records it)"),
    }

    o.heading("What happened");
    o.text(&i.what_happened);
    o.field("Staff present", &staff(&i.staff_present));
    let mut others: Vec<String> = i.others_involved.iter().map(|p| ctx.privacy.name(&p.name)).collect();
    if i.others_withheld > 0 {
        others.push(format!("{} more you may not see", i.others_withheld));
    }
    o.field(
        "Others involved",
        &if others.is_empty() { "none".into() } else { others.join(", ") },
    );
    o.field(
        "Injury",
        &if i.injury.occurred {
            format!("yes: {}", i.injury.details)
        } else {
            "no".into()
        },
    );

    o.heading("Post-Incident Learning (PILD)");
    let p = &i.pild;
    for (label, text) in [
        ("Their perspective", &p.perspective),
        ("How it made them feel", &p.feelings),
        ("Next time they could", &p.next_time),
        ("Likely triggers", &p.triggers),
        ("Reasonable adjustments", &p.adjustments),
        ("Other comments", &p.comments),
    ] {
        o.field(label, or_none(text));
    }
    o.field(
        "Discriminatory behaviour",
        &if p.discriminatory {
            format!("yes: {}", p.discriminatory_details)
        } else {
            "no".into()
        },
    );
    o.field("Suspension or exclusion", p.exclusion.label());

    if let Some(ph) = &i.physical {
        o.heading("Physical intervention");
        let minutes = (ph.ended_at - ph.started_at).num_minutes();
        o.field(
            "Times",
            &format!("{} to {} ({})", d.long(ph.started_at), d.time(ph.ended_at), duration(minutes)),
        );
        o.field("Low-level behaviours", or_none(&ph.low_behaviours));
        o.field("Medium-level behaviours", or_none(&ph.medium_behaviours));
        o.field("High-level behaviours", or_none(&ph.high_behaviours));
        o.field("How staff responded", or_none(&ph.staff_response));
        o.field("Alternative responses", or_none(&ph.alternative_responses));
        o.field("De-escalation", &techniques(&ph.deescalation));
        o.field("Physical techniques", &techniques(&ph.physical_techniques));
    } else if i.kind == IncidentKind::PhysicalIntervention {
        o.heading("Physical intervention");
        o.text("");
    }

    o.heading(&format!("Staff accounts ({})", i.accounts.len() + 1));
    o.field(
        &format!("{} (reported it)", i.reported_by.name),
        "the account under What happened",
    );
    for a in &i.accounts {
        o.field(&format!("{}, {}", a.author.name, d.long(a.created_at)), &a.text);
    }
    if i.can.add_account {
        o.lines.push(Line::from(Span::styled(
            "You were present: a adds your own account.",
            ctx.theme.dim(),
        )));
    }

    o.heading("Notified when it was reported");
    o.text(&staff(&i.notified));

    o.heading(&format!("Revisions ({})", i.revisions.len()));
    if i.revisions.is_empty() {
        o.text("Not edited since it was reported.");
    }
    let arrow = ctx.glyphs.text("→").into_owned();
    for r in &i.revisions {
        o.field(
            &format!("Revision {}", r.revision),
            &format!("{}, {}", r.edited_by.name, d.long(r.edited_at)),
        );
        for c in &r.changes {
            o.lines
                .push(Line::from(format!("  {}", change_line(c, &arrow))));
        }
    }
    o.lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_read_as_field_before_and_after() {
        let c = FieldChange {
            field: "pild.triggers".into(),
            before: "".into(),
            after: "Noise\nin the hall".into(),
        };
        assert_eq!(
            change_line(&c, "→"),
            "PILD: likely triggers: (empty) → \"Noise / in the hall\""
        );
        assert_eq!(field_label("what_happened"), "What happened");
        assert_eq!(field_label("brand_new.thing"), "Brand new thing");
        assert_eq!(duration(65), "1 h 5 min");
        assert_eq!(duration(12), "12 min");
        assert_eq!(duration(120), "2 h");
        let t = TechniqueUse {
            technique: crate::wire::ListItem {
                id: 1,
                name: "Calm voice".into(),
            },
            effectiveness: 4,
        };
        assert_eq!(techniques(&[t]), "Calm voice 4/5");
    }
}

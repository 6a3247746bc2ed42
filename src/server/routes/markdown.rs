//! The Markdown downloads of an incident and a Smart Plan: every field in readable Markdown
//! with UK dates ("Tue 1 Dec 2026, 10:42"). Every user string is passed through [`clean`],
//! which removes control characters (tabs become spaces; only new lines stay), so a saved file
//! shown in a terminal (`cat`) cannot run escape sequences.

use std::fmt::Write;

use super::incident_check::uk_datetime;
use crate::wire::{Incident, Plan, StaffRef, TechniqueUse};

/// `text` without control characters (tabs become spaces, `\r\n` a new line).
pub(super) fn clean(text: &str) -> String {
    text.chars()
        .filter_map(|c| match c {
            '\n' => Some('\n'),
            '\t' => Some(' '),
            c if c.is_control() => None,
            c => Some(c),
        })
        .collect()
}

/// A text block: "—" when empty.
fn block(text: &str) -> String {
    let text = clean(text);
    if text.trim().is_empty() {
        "—".to_string()
    } else {
        text
    }
}

/// Names joined, or "None".
fn names(list: &[StaffRef]) -> String {
    if list.is_empty() {
        return "None".to_string();
    }
    list.iter().map(|s| clean(&s.name)).collect::<Vec<_>>().join(", ")
}

/// Techniques with their effectiveness, one a line.
fn techniques(out: &mut String, uses: &[TechniqueUse]) {
    if uses.is_empty() {
        out.push_str("None\n");
    }
    for t in uses {
        let _ = writeln!(out, "- {}: {}/5", clean(&t.technique.name), t.effectiveness);
    }
}

/// The Markdown of `incident`.
pub(super) fn incident_markdown(incident: &Incident) -> String {
    let mut out = String::new();
    let i = incident;
    let _ = writeln!(out, "# Incident {}\n", clean(&i.reference));
    let about: Vec<String> = i.individuals.iter().map(|p| clean(p.name.unmasked())).collect();
    let _ = writeln!(out, "- **Kind:** {}", i.kind.label());
    let _ = writeln!(out, "- **About:** {}", about.join(", "));
    let _ = writeln!(out, "- **When:** {}", uk_datetime(i.occurred_at.timestamp()));
    let _ = writeln!(out, "- **Where:** {}", clean(&i.location.name));
    let _ = writeln!(out, "- **Category:** {}", clean(&i.category.name));
    let _ = writeln!(
        out,
        "- **Reported by:** {} on {}",
        clean(&i.reported_by.name),
        uk_datetime(i.created_at.timestamp())
    );
    let _ = writeln!(out, "- **Staff present:** {}", names(&i.staff_present));
    let mut others: Vec<String> = i.others_involved.iter().map(|p| clean(p.name.unmasked())).collect();
    if i.others_withheld > 0 {
        others.push(format!("{} not shown", i.others_withheld));
    }
    let _ = writeln!(
        out,
        "- **Others involved:** {}",
        if others.is_empty() {
            "None".to_string()
        } else {
            others.join(", ")
        }
    );
    let _ = writeln!(out, "- **Revision:** {}", i.revision);
    if let Some(p) = &i.parents_informed {
        let _ = writeln!(
            out,
            "- **Parents or carers informed:** {} by {}: {}",
            uk_datetime(p.at.timestamp()),
            clean(&p.by.name),
            clean(&p.how)
        );
    } else {
        out.push_str("- **Parents or carers informed:** not recorded\n");
    }
    if let Some(f) = &i.flag {
        let _ = writeln!(
            out,
            "- **Flagged:** {} by {}: {}",
            uk_datetime(f.at.timestamp()),
            clean(&f.by.name),
            clean(&f.reason)
        );
    }
    let _ = writeln!(out, "\n## What happened\n\n{}\n", block(&i.what_happened));
    let _ = writeln!(
        out,
        "## Injury\n\n{}\n",
        if i.injury.occurred {
            block(&i.injury.details)
        } else {
            "No injury.".to_string()
        }
    );
    let p = &i.pild;
    out.push_str("## Post-Incident Learning\n\n");
    for (title, text) in [
        ("Their perspective", &p.perspective),
        ("How it made them feel", &p.feelings),
        ("What they could do next time", &p.next_time),
        ("Likely triggers", &p.triggers),
        ("Reasonable adjustments", &p.adjustments),
        ("Other comments", &p.comments),
    ] {
        let _ = writeln!(out, "### {title}\n\n{}\n", block(text));
    }
    let _ = writeln!(
        out,
        "- **Discriminatory behaviour:** {}",
        if p.discriminatory {
            clean(&p.discriminatory_details)
        } else {
            "No".to_string()
        }
    );
    let _ = writeln!(out, "- **Suspension or exclusion:** {}\n", p.exclusion.label());
    if let Some(ph) = &i.physical {
        out.push_str("## Physical intervention\n\n");
        let _ = writeln!(
            out,
            "- **From** {} **to** {}\n",
            uk_datetime(ph.started_at.timestamp()),
            uk_datetime(ph.ended_at.timestamp())
        );
        for (title, text) in [
            ("Low-level behaviours", &ph.low_behaviours),
            ("Medium-level behaviours", &ph.medium_behaviours),
            ("High-level behaviours", &ph.high_behaviours),
            ("How staff responded", &ph.staff_response),
            ("Alternative responses next time", &ph.alternative_responses),
        ] {
            let _ = writeln!(out, "### {title}\n\n{}\n", block(text));
        }
        out.push_str("### De-escalation techniques\n\n");
        techniques(&mut out, &ph.deescalation);
        out.push_str("\n### Physical techniques\n\n");
        techniques(&mut out, &ph.physical_techniques);
        out.push('\n');
    }
    out.push_str("## Staff accounts\n\n");
    if i.accounts.is_empty() {
        out.push_str("None.\n\n");
    }
    for a in &i.accounts {
        let _ = writeln!(
            out,
            "### {}, {}\n\n{}\n",
            clean(&a.author.name),
            uk_datetime(a.created_at.timestamp()),
            block(&a.text)
        );
    }
    let _ = writeln!(out, "## Notified\n\n{}\n", names(&i.notified));
    out.push_str("## Revisions\n\n");
    if i.revisions.is_empty() {
        out.push_str("None: the report reads as submitted.\n");
    }
    for r in &i.revisions {
        let _ = writeln!(
            out,
            "### Revision {}: {}, {}\n",
            r.revision,
            clean(&r.edited_by.name),
            uk_datetime(r.edited_at.timestamp())
        );
        for c in &r.changes {
            let _ = writeln!(
                out,
                "- **{}:** {} → {}",
                clean(&c.field),
                block(&c.before).replace('\n', " "),
                block(&c.after).replace('\n', " ")
            );
        }
        out.push('\n');
    }
    out
}

/// The Markdown of `plan`.
pub(super) fn plan_markdown(plan: &Plan) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# Smart Plan: {}\n", clean(&plan.title));
    let _ = writeln!(out, "- **For:** {}", clean(plan.individual.name.unmasked()));
    let _ = writeln!(
        out,
        "- **Written by:** {} on {}",
        clean(&plan.created_by.name),
        uk_datetime(plan.created_at.timestamp())
    );
    let _ = writeln!(
        out,
        "- **Last changed by:** {} on {}",
        clean(&plan.updated_by.name),
        uk_datetime(plan.updated_at.timestamp())
    );
    if let Some(day) = plan.review_on {
        let _ = writeln!(out, "- **Review on:** {}", day.format("%a %-d %b %Y"));
    }
    if let Some(reference) = &plan.source_incident_reference {
        let _ = writeln!(out, "- **Built from incident:** {}", clean(reference));
    }
    out.push('\n');
    for (title, text) in [
        ("Strategies", &plan.strategies),
        ("Reasonable adjustments", &plan.reasonable_adjustments),
        ("Agreed responses", &plan.agreed_responses),
        ("Communication and follow-up", &plan.follow_up),
    ] {
        let _ = writeln!(out, "## {title}\n\n{}\n", block(text));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_never_reach_the_file() {
        let cleaned = clean("a\u{1b}[2Jb\r\nc\td\u{7}\u{9b}e");
        assert_eq!(cleaned, "a[2Jb\nc de");
    }
}

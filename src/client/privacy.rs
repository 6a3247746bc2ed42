//! Privacy mode: the one function every pupil name goes through before it is drawn.
//!
//! On a screen others can see, privacy mode (`privacy_mode = true` in the config) shows names
//! as initials in tables, lists, notifications, titles and pop-ups until `v` reveals them (or a
//! record is opened on purpose: [`Privacy::opened`]). A name arrives as a
//! [`PupilName`](crate::wire::PupilName), which cannot be displayed any other way; this module
//! is the only place in the client that reads the full text (a test checks the source).

use crate::wire::PupilName;

/// Whether names are hidden right now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Privacy {
    /// Privacy mode is on.
    pub on: bool,
    /// `v` was pressed: names are shown in full until it is pressed again.
    pub revealed: bool,
}

impl Privacy {
    /// True while names are drawn as initials.
    pub fn hides_names(&self) -> bool {
        self.on && !self.revealed
    }

    /// How a name is drawn in a list or line: initials while hidden; on one line always.
    pub fn name(&self, name: &PupilName) -> String {
        if self.hides_names() {
            name.initials()
        } else {
            one_line(name.unmasked())
        }
    }

    /// The text a filter matches a typed search against: the full name, never drawn, so that
    /// a search finds the same rows in privacy mode (where initials are drawn).
    pub fn match_text(name: &PupilName) -> &str {
        name.unmasked()
    }

    /// How a name is drawn in a record the user opened on purpose: in full.
    pub fn opened(&self, name: &PupilName) -> String {
        one_line(name.unmasked())
    }
}

fn one_line(text: &str) -> String {
    text.replace(['\n', '\r'], " ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_initials_until_revealed() {
        let name = PupilName::new("Ann  Marie\nSmith");
        let mut p = Privacy {
            on: true,
            revealed: false,
        };
        assert_eq!(p.name(&name), "A. M. S.");
        assert_eq!(p.opened(&name), "Ann  Marie Smith");
        p.revealed = true;
        assert_eq!(p.name(&name), "Ann  Marie Smith");
        assert_eq!(Privacy::default().name(&name), "Ann  Marie Smith");
    }
}

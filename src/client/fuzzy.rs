//! The fuzzy filter of the lists of individuals (nucleo-matcher, the matcher of the helix
//! editor): typed letters match in order, anywhere in the name (`jsm` finds "Jo Smith"), case
//! and accents ignored, best matches first.
//!
//! It matches the full name ([`Privacy::match_text`](super::privacy::Privacy::match_text)), so
//! a filter works the same in privacy mode, where only initials are drawn.

use nucleo_matcher::pattern::{AtomKind, CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher, Utf32Str};

/// A reusable matcher (it keeps its scratch memory between key presses).
pub struct Fuzzy {
    matcher: Matcher,
    scratch: Vec<char>,
}

impl std::fmt::Debug for Fuzzy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Fuzzy")
    }
}

impl Default for Fuzzy {
    fn default() -> Self {
        Fuzzy::new()
    }
}

impl Fuzzy {
    /// A matcher.
    pub fn new() -> Fuzzy {
        Fuzzy {
            matcher: Matcher::new(Config::DEFAULT),
            scratch: Vec::new(),
        }
    }

    /// The positions in `texts` that match `query`, best first (equal scores keep the order of
    /// `texts`). An empty query matches everything, in order.
    pub fn rank<'a>(&mut self, query: &str, texts: impl IntoIterator<Item = &'a str>) -> Vec<usize> {
        let query = query.trim();
        if query.is_empty() {
            return texts.into_iter().enumerate().map(|(i, _)| i).collect();
        }
        let pattern = Pattern::new(query, CaseMatching::Ignore, Normalization::Smart, AtomKind::Fuzzy);
        let mut scored: Vec<(u32, usize)> = texts
            .into_iter()
            .enumerate()
            .filter_map(|(i, text)| {
                let haystack = Utf32Str::new(text, &mut self.scratch);
                pattern.score(haystack, &mut self.matcher).map(|score| (score, i))
            })
            .collect();
        scored.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        scored.into_iter().map(|(_, i)| i).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn letters_in_order_match_and_the_best_comes_first() {
        let names = ["Amelia Jones", "Jo Smith", "Joseph Marsh", "Zoë Brown"];
        let mut fuzzy = Fuzzy::new();
        let found = fuzzy.rank("jsm", names);
        assert_eq!(found.first(), Some(&1), "{found:?}");
        assert!(!found.contains(&3));
        assert_eq!(fuzzy.rank("zoe", names), [3], "accents are ignored");
        assert_eq!(fuzzy.rank("SMITH", names), [1], "case is ignored");
        assert_eq!(fuzzy.rank("  ", names), [0, 1, 2, 3]);
        assert!(fuzzy.rank("qqq", names).is_empty());
    }
}

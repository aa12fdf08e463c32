//! Questions about the text of one line between two places, answered from an index built once
//! per line: a word inside a character range, the sentence a place is in, the brackets open
//! before a place. A pass that asked them by slicing the line would cost the line's length per
//! figure, and a line of a million characters with thousands of figures their product.

use crate::lex::Line;
use std::cell::{OnceCell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;

/// The index of one line.
pub struct LineIndex<'a> {
    line: &'a Line,
    /// Where each word asked about starts (character positions, ascending).
    words: RefCell<HashMap<&'static str, Rc<Vec<usize>>>>,
    /// The positions of the full stops (。).
    stops: OnceCell<Vec<usize>>,
    /// Opening and closing round brackets before each position (prefix counts).
    brackets: OnceCell<Vec<(u32, u32)>>,
}

impl<'a> LineIndex<'a> {
    /// An index of `line`, filled as questions are asked.
    pub fn new(line: &'a Line) -> LineIndex<'a> {
        LineIndex {
            line,
            words: RefCell::new(HashMap::new()),
            stops: OnceCell::new(),
            brackets: OnceCell::new(),
        }
    }

    fn starts(&self, word: &'static str) -> Rc<Vec<usize>> {
        if let Some(s) = self.words.borrow().get(word) {
            return Rc::clone(s);
        }
        let w: Vec<char> = word.chars().collect();
        let norm = &self.line.norm;
        let found: Vec<usize> = if w.is_empty() || w.len() > norm.len() {
            Vec::new()
        } else {
            (0..=norm.len() - w.len())
                .filter(|&i| norm[i] == w[0] && norm[i..i + w.len()] == w[..])
                .collect()
        };
        let found = Rc::new(found);
        self.words.borrow_mut().insert(word, Rc::clone(&found));
        found
    }

    /// True when `word` occurs inside the characters `a..b` (as `line.slice(a, b)` contains it).
    pub fn has(&self, word: &'static str, a: usize, b: usize) -> bool {
        let len = word.chars().count();
        let starts = self.starts(word);
        let k = starts.partition_point(|&s| s < a);
        starts.get(k).is_some_and(|&s| s + len <= b)
    }

    /// Where the last `word` inside the characters `a..b` starts, if any.
    pub fn last_in(&self, word: &'static str, a: usize, b: usize) -> Option<usize> {
        let len = word.chars().count();
        let starts = self.starts(word);
        let k = starts.partition_point(|&s| s + len <= b);
        k.checked_sub(1).map(|k| starts[k]).filter(|&s| s >= a)
    }

    /// True when one of `words` occurs inside the characters `a..b`.
    pub fn has_any(&self, words: &[&'static str], a: usize, b: usize) -> bool {
        words.iter().any(|w| self.has(w, a, b))
    }

    /// Where the sentence holding character `at` starts: after the last 。 before it.
    pub fn sentence_start(&self, at: usize) -> usize {
        let stops = self.stops.get_or_init(|| {
            let norm = &self.line.norm;
            (0..norm.len()).filter(|&i| norm[i] == '。').collect()
        });
        let k = stops.partition_point(|&p| p < at.min(self.line.norm.len()));
        k.checked_sub(1).map_or(0, |k| stops[k] + 1)
    }

    /// True when more round brackets are opened than closed before character `at`.
    pub fn in_brackets(&self, at: usize) -> bool {
        let counts = self.brackets.get_or_init(|| {
            let mut c = Vec::with_capacity(self.line.norm.len() + 1);
            let (mut open, mut close) = (0u32, 0u32);
            c.push((0, 0));
            for &ch in &self.line.norm {
                open += u32::from(ch == '(');
                close += u32::from(ch == ')');
                c.push((open, close));
            }
            c
        });
        let (open, close) = counts[at.min(counts.len() - 1)];
        open > close
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lex::lex_document;

    #[test]
    fn answers_as_slicing_the_line_would() {
        let lx = lex_document("甲（乙）丙(丁。其中戊；另己其中。庚");
        let line = &lx.lines[0];
        let ix = LineIndex::new(line);
        let n = line.norm.len();
        for a in 0..=n {
            for b in a..=n {
                let s = line.slice(a, b);
                for w in ["其中", "；", "另", "。"] {
                    assert_eq!(ix.has(w, a, b), s.contains(w), "{w} in {a}..{b}");
                }
            }
            let before = line.slice(0, a);
            assert_eq!(
                ix.in_brackets(a),
                before.matches('(').count() > before.matches(')').count()
            );
            let start = line.norm[..a]
                .iter()
                .rposition(|&c| c == '。')
                .map_or(0, |p| p + 1);
            assert_eq!(ix.sentence_start(a), start);
        }
    }
}

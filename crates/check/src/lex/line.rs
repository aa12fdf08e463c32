//! One line of the source, decoded and normalised character for character.

/// One line of the source.
#[derive(Debug, Clone)]
pub struct Line {
    /// Line number, 1-based.
    pub number: usize,
    /// The line as decoded.
    pub text: String,
    /// The normalised characters (same count as `text`).
    pub norm: Vec<char>,
    /// Byte offset of each character in the decoded text, plus one past the end.
    pub offsets: Vec<usize>,
}

impl Line {
    /// The normalised text of a character range.
    pub fn slice(&self, a: usize, b: usize) -> String {
        self.norm[a.min(self.norm.len())..b.min(self.norm.len())]
            .iter()
            .collect()
    }

    /// The source text of a character range.
    pub fn source(&self, a: usize, b: usize) -> String {
        let base = self.offsets[0];
        let a = self.offsets[a.min(self.norm.len())] - base;
        let b = self.offsets[b.min(self.norm.len())] - base;
        self.text[a..b].to_string()
    }

    /// The whole normalised line.
    pub fn norm_string(&self) -> String {
        self.norm.iter().collect()
    }

    /// True for a table row (cells separated by tabs).
    pub fn is_row(&self) -> bool {
        self.norm.contains(&'\t') && self.cells().len() >= 2
    }

    /// The cells of a table row as character ranges.
    pub fn cells(&self) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        let mut start = 0;
        for (i, &c) in self.norm.iter().enumerate() {
            if c == '\t' {
                out.push((start, i));
                start = i + 1;
            }
        }
        out.push((start, self.norm.len()));
        out
    }
}

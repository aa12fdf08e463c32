//! Counts of parcels: "共15宗", "十二块地", "8个地块" (Chinese numerals read by
//! [`landplan_core::numeral`]).

use super::labels::label_before;
use super::lists::is_clause_delim;
use super::{ends_with, starts_with, Line};
use landplan_core::numeral;

/// A stated number of parcels: digits or Chinese numerals followed by 宗, 块, 幅 or 个地块.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CountMention {
    /// The number.
    pub value: u32,
    /// Line, 1-based.
    pub line: usize,
    /// Character range of number and measure word in the line.
    pub chars: (usize, usize),
    /// The words before it in its clause.
    pub label: String,
    /// As written.
    pub text: String,
    /// Written as a total: "共15宗", "合计15宗", "总计15宗", "15宗地块，总面积…" is not.
    pub total: bool,
}

/// True when the words right before `start` say the count is a total (共, 共计, 合计, 总计).
pub(crate) fn says_total(c: &[char], start: usize) -> bool {
    ["共计", "合计", "总计", "共有", "共"]
        .iter()
        .any(|w| ends_with(c, start, w) || ends_with(c, start, &format!("{w}为")))
}

/// Measure words after a number of parcels; returns the index after the word.
pub(crate) fn count_word_at(c: &[char], k: usize) -> Option<usize> {
    [
        "个地块",
        "处地块",
        "宗地块",
        "宗地",
        "宗",
        "块地",
        "幅地块",
        "幅",
    ]
    .iter()
    .find(|w| starts_with(c, k, w))
    .map(|w| k + w.chars().count())
    .or_else(|| {
        // "3块" but not "3块钱": 块 followed by a clause end or 地/土地.
        (c.get(k) == Some(&'块')
            && c.get(k + 1)
                .is_none_or(|&n| is_clause_delim(n) || matches!(n, '地' | '土' | '、' | ')')))
        .then_some(k + 1)
    })
}

/// Counts written in Chinese numerals on a line ("共十二宗").
pub(crate) fn chinese_counts(line: &Line, out: &mut Vec<CountMention>) {
    let c = &line.norm;
    let is_cn = numeral::is_numeral;
    let mut i = 0;
    while i < c.len() {
        if !is_cn(c[i]) || (i > 0 && is_cn(c[i - 1])) {
            i += 1;
            continue;
        }
        let mut j = i;
        while j < c.len() && is_cn(c[j]) {
            j += 1;
        }
        let ordinal = i > 0 && c[i - 1] == '第';
        if let (Some(v), Some(end), false) =
            (numeral::parse_chars(&c[i..j]), count_word_at(c, j), ordinal)
        {
            out.push(CountMention {
                value: v,
                line: line.number,
                chars: (i, end),
                label: label_before(c, i, 0),
                text: line.source(i, end),
                total: says_total(c, i),
            });
        }
        i = j;
    }
}

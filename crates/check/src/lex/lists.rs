//! "分别" lists: "商服用地、住宅用地分别为10、20公顷" — names before the marker, figures after it.

use super::numbers::scan_run;
use super::units::unit_at;
use super::{starts_with, Unit};

/// A "分别" list in prose ("商服用地、住宅用地分别为10、20公顷", "分别占20%、30%"): the
/// lexer gives bare numbers in it the unit written after the last one; the model pairs the
/// names before 分别 with the figures in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RespectiveList {
    /// Line, 1-based.
    pub line: usize,
    /// The words before 分别 in its clause (normalised), e.g. "其中商服用地、住宅用地".
    pub names: String,
    /// How many numbers the list has.
    pub len: usize,
    /// The figures read from it, in order (indices into [`super::Lexed::quantities`]); fewer than
    /// `len` when one is damaged.
    pub figures: Vec<usize>,
    /// The list's unit.
    pub unit: Unit,
}

/// Characters that end a clause (the names of a "分别" list do not run past them).
pub(crate) fn is_clause_delim(ch: char) -> bool {
    matches!(
        ch,
        '，' | ',' | '；' | ';' | '。' | '：' | ':' | '\t' | '!' | '?' | '！' | '？'
    )
}

/// A "分别" list found on a line, before its figures are read.
pub(crate) struct ListScan {
    /// The words before 分别 in its clause.
    pub names: String,
    /// Start of each number, and whether it carries its own unit.
    pub items: Vec<(usize, bool)>,
    /// The unit written after the last number.
    pub unit: Unit,
}

/// Find "分别" lists on a line: after 分别 and a few words (为, 是, 占, 供应, 占总量的 …), two or
/// more numbers separated by 、/和/及/与/以及, the last with a unit; a number may carry its own
/// unit (the same one) and a bracket after it ("10公顷（150亩）") is skipped.
pub(crate) fn respective_lists(c: &[char]) -> Vec<ListScan> {
    let n = c.len();
    let mut out = Vec::new();
    let mut p = 0;
    // Where the clause holding each character starts (computed once, for the first list).
    let mut clause_start: Vec<usize> = Vec::new();
    while p + 1 < n {
        if !(c[p] == '分' && c[p + 1] == '别') {
            p += 1;
            continue;
        }
        let marker = p;
        p += 2;
        let mut s = p;
        while s < n && s < p + 8 && !c[s].is_ascii_digit() && !is_clause_delim(c[s]) {
            s += 1;
        }
        let mut items: Vec<(usize, bool)> = Vec::new();
        let mut units: Vec<Unit> = Vec::new();
        let mut j = s;
        while j < n && c[j].is_ascii_digit() {
            let run = scan_run(c, j);
            let mut k = run.end;
            while k < n && c[k] == ' ' {
                k += 1;
            }
            let own = unit_at(c, k);
            items.push((j, own.is_some()));
            if let Some((u, _)) = own {
                units.push(u);
            }
            j = own.map_or(k, |(_, e)| e);
            // A bracket right after the figure: its restatement or share, read as usual.
            if j < n && c[j] == '(' {
                match c[j..].iter().position(|&ch| ch == ')') {
                    Some(close) => j += close + 1,
                    None => break,
                }
            }
            while j < n && c[j] == ' ' {
                j += 1;
            }
            if starts_with(c, j, "以及") {
                j += 2;
            } else if j < n && matches!(c[j], '、' | '和' | '及' | '与') {
                j += 1;
            } else {
                break;
            }
            while j < n && c[j] == ' ' {
                j += 1;
            }
        }
        let last_has_unit = items.last().is_some_and(|&(_, u)| u);
        let unit = units.last().copied();
        if items.len() >= 2 && last_has_unit && units.iter().all(|u| Some(*u) == unit) {
            if clause_start.is_empty() {
                let mut start = 0;
                clause_start = (0..=n)
                    .map(|i| {
                        if i > 0 && is_clause_delim(c[i - 1]) {
                            start = i;
                        }
                        start
                    })
                    .collect();
            }
            let a = clause_start[marker];
            if let Some(unit) = unit {
                out.push(ListScan {
                    names: c[a..marker].iter().collect(),
                    items,
                    unit,
                });
            }
        }
        p = j.max(p);
    }
    out
}

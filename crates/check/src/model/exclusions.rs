//! Exclusions: figures outside the plan's breakdowns — 浮动, 上年/同比, 增长, 年均, 地价,
//! the plan before an adjustment, past years stated with words of history, sections about last
//! year's execution, and "分别" figures that could not be paired.

use super::builder::Builder;
use super::classify::carried_over;
use super::words::{contains_any, EXCLUDE, HISTORY_HEADINGS, HISTORY_WORDS};
use super::DocKind;
use crate::lex::Lexed;

/// Pass `exclusions`: mark every figure outside the plan's breakdowns.
///
/// Reads `m.year`, `m.kind`, the years, `section`, `unpaired`; writes `excluded`,
/// `m.excluded`. Linear in the text: each sentence's words and years are read once (a line
/// of a million characters without a full stop is one sentence, not one per figure).
pub fn mark(b: &mut Builder) {
    let lx = b.lx;
    let n = b.figure_count();
    let Builder {
        m,
        section,
        unpaired,
        excluded,
        ..
    } = b;
    let plan_year = m.year;
    let mut sentences = Sentences::default();
    for (i, q) in m.quantities.iter().enumerate() {
        // 上年度结转 in a reserve plan is part of this year's scale, not history.
        let mut out = contains_any(&q.label, EXCLUDE) && !carried_over(&q.label);
        // A past year stated earlier in the same sentence (2020-2024年…供应情况).
        if let Some(py) = plan_year {
            // A past range ("2020-2024年…") always; a single past year only with words of
            // history (情况, 实际, 完成 …): "2024年度…供应总量为…" in a 2025 plan is a period
            // mistake to report, not history.
            // The whole sentence: "2025年度计划储备80公顷，实际储备72.5公顷，完成率…".
            let sentence = sentences.around(lx, q.place.line, q.chars, py);
            let (past, current) = sentence.years_before(q.chars.0);
            if past && !current && m.kind != DocKind::ExecutionReport {
                out = true;
            }
        }
        // A section about last year's execution ("一、上年度计划执行情况") is history in a plan.
        if m.kind != DocKind::ExecutionReport
            && contains_any(&section[q.place.line], HISTORY_HEADINGS)
        {
            out = true;
        }
        excluded[i] = out || unpaired[i];
    }
    m.excluded = (0..n).filter(|&i| excluded[i]).collect();
}

/// The sentences (up to 。) of the line being read, each read once.
#[derive(Default)]
struct Sentences {
    /// The line whose full stops are in `stops`.
    line: usize,
    /// Character positions of the line's full stops.
    stops: Vec<usize>,
    /// The line's years: (characters, last year, a range), by position.
    years: Vec<((usize, usize), i32, bool)>,
    /// The sentence read last.
    current: Option<Sentence>,
}

/// One sentence: where it starts, and its years in text order with whether any so far is past
/// (before the plan year, a range or with words of history) or current.
struct Sentence {
    start: usize,
    /// (end of the year mention, any past year up to it, any current year up to it).
    years: Vec<(usize, bool, bool)>,
}

impl Sentences {
    /// The sentence around the character range `chars` of `line`.
    fn around(&mut self, lx: &Lexed, line: usize, chars: (usize, usize), py: i32) -> &Sentence {
        let text = &lx.lines[line - 1];
        if self.line != line {
            self.line = line;
            self.stops = text
                .norm
                .iter()
                .enumerate()
                .filter(|(_, &c)| c == '。')
                .map(|(i, _)| i)
                .collect();
            let first = lx.years.partition_point(|y| y.line < line);
            self.years = lx.years[first..]
                .iter()
                .take_while(|y| y.line == line)
                .map(|y| (y.chars, y.to.unwrap_or(y.year), y.to.is_some()))
                .collect();
            self.years.sort_by_key(|y| y.0);
            self.current = None;
        }
        // The sentence starts after the last full stop before the figure and ends at the first
        // one after it.
        let before = self.stops.partition_point(|&p| p < chars.0);
        let start = before.checked_sub(1).map_or(0, |k| self.stops[k] + 1);
        if self.current.as_ref().is_none_or(|s| s.start != start) {
            let after = self.stops.partition_point(|&p| p < chars.1);
            let end = self.stops.get(after).copied().unwrap_or(text.norm.len());
            let history = contains_any(&text.slice(start, end), HISTORY_WORDS);
            // The line's years inside the sentence, in text order.
            let first = self.years.partition_point(|y| y.0 .0 < start);
            let mut inside: Vec<(usize, i32, bool)> = self.years[first..]
                .iter()
                .take_while(|y| y.0 .0 < end)
                .filter(|y| y.0 .1 <= end)
                .map(|&((_, y_end), last, range)| (y_end, last, range))
                .collect();
            inside.sort_by_key(|y| y.0);
            let (mut past, mut current) = (false, false);
            let years = inside
                .into_iter()
                .map(|(y_end, last, range)| {
                    past |= last < py && (range || history);
                    current |= last >= py;
                    (y_end, past, current)
                })
                .collect();
            self.current = Some(Sentence { start, years });
        }
        self.current.as_ref().expect("set above")
    }
}

impl Sentence {
    /// Whether a past year, and whether a current year, is stated in the sentence before
    /// character `at`.
    fn years_before(&self, at: usize) -> (bool, bool) {
        let k = self.years.partition_point(|&(end, _, _)| end <= at);
        k.checked_sub(1)
            .map_or((false, false), |k| (self.years[k].1, self.years[k].2))
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{model, ties};

    #[test]
    fn history_background_and_floating_figures_are_excluded() {
        let m = model(
            "
            某县2025年度国有建设用地供应计划
            全县国有建设用地供应总量为100公顷，比上年增加10公顷。
            2020-2024年累计供应500公顷。
            一、上年度计划执行情况
            2024年实际供应90公顷。
            ",
        );
        let excluded: Vec<&str> = m
            .excluded
            .iter()
            .map(|&i| m.quantities[i].display.as_str())
            .collect();
        assert_eq!(excluded, ["10公顷", "500公顷", "90公顷"]);
        assert!(
            ties("某县2025年度国有建设用地供应计划\n供应总量为100公顷，比上年增加10公顷。")
                .is_empty()
        );
    }
}

//! Exclusions: figures outside the plan's breakdowns — 浮动, 上年/同比, 增长, 年均, 地价,
//! the plan before an adjustment, past years stated with words of history, sections about last
//! year's execution, and "分别" figures that could not be paired.

use super::builder::Builder;
use super::classify::carried_over;
use super::words::{contains_any, EXCLUDE, HISTORY_HEADINGS, HISTORY_WORDS};
use super::DocKind;

/// Pass `exclusions`: mark every figure outside the plan's breakdowns.
///
/// Reads `m.year`, `m.kind`, the years, `section`, `unpaired`; writes `excluded`,
/// `m.excluded`.
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
    for (i, q) in m.quantities.iter().enumerate() {
        // 上年度结转 in a reserve plan is part of this year's scale, not history.
        let mut out = contains_any(&q.label, EXCLUDE) && !carried_over(&q.label);
        // A past year stated earlier in the same sentence (2020-2024年…供应情况).
        if let Some(py) = plan_year {
            let line = &lx.lines[q.place.line - 1];
            let sent_start = line.norm[..q.chars.0]
                .iter()
                .rposition(|&c| c == '。')
                .map(|p| p + 1)
                .unwrap_or(0);
            // A past range ("2020-2024年…") always; a single past year only with words of
            // history (情况, 实际, 完成 …): "2024年度…供应总量为…" in a 2025 plan is a period
            // mistake to report, not history.
            // The whole sentence: "2025年度计划储备80公顷，实际储备72.5公顷，完成率…".
            let sent_end = line.norm[q.chars.1..]
                .iter()
                .position(|&c| c == '。')
                .map_or(line.norm.len(), |p| q.chars.1 + p);
            let sentence = line.slice(sent_start, sent_end);
            let history = contains_any(&sentence, HISTORY_WORDS);
            let past = lx.years.iter().any(|y| {
                y.line == q.place.line
                    && y.chars.0 >= sent_start
                    && y.chars.1 <= q.chars.0
                    && y.to.unwrap_or(y.year) < py
                    && (y.to.is_some() || history)
            });
            let current = lx.years.iter().any(|y| {
                y.line == q.place.line
                    && y.chars.0 >= sent_start
                    && y.chars.1 <= q.chars.0
                    && y.to.unwrap_or(y.year) >= py
            });
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

//! `period.mismatch`: the year of the title against the stated period (计划期限) and against
//! "NNNN年度" in the sentences that state the total and the structure.

use super::ctx::RuleCtx;
use super::Findings;
use crate::model::DocKind;
use landplan_core::Place;

/// The period and the years of the indicators against the title's year.
pub fn check(ctx: &RuleCtx, out: &mut Findings) {
    let (lx, m) = (ctx.lexed, ctx.model);
    let Some(year) = m.year else { return };
    let title_line = m.title_line.unwrap_or(1);
    let title_place = || {
        let ym = m
            .years
            .iter()
            .find(|y| y.line >= title_line && y.year == year);
        match ym {
            Some(y) => {
                let line = &lx.lines[y.line - 1];
                Place::line(y.line, y.chars.0 + 1, line.source(y.chars.0, y.chars.1))
            }
            None => Place::line(title_line, 1, m.title.clone().unwrap_or_default()),
        }
    };
    if let (Some((start, _)), Some((pl, a, b))) = (&m.period, m.period_place) {
        let py: i32 = start.get(..4).and_then(|s| s.parse().ok()).unwrap_or(year);
        if py != year && m.kind != DocKind::Other {
            let line = &lx.lines[pl - 1];
            out.push(
                ctx.finding_with(
                    "period.mismatch",
                    format!("标题中的年度为{year}年，计划期限却写作{py}年"),
                )
                .at(Place::line(pl, a + 1, line.source(a, b)))
                .at(title_place())
                .values(format!("{year}年"), format!("{py}年")),
            );
        }
    }
    // "NNNN年度…" in the sentences that state the total and the structure.
    let mut lines: Vec<usize> = Vec::new();
    if let Some(t) = m.total {
        lines.push(m.quantities[t].place.line);
    }
    for p in &m.structure {
        lines.push(m.quantities[p.quantity].place.line);
    }
    lines.sort_unstable();
    lines.dedup();
    for y in &m.years {
        if !lines.contains(&y.line) || !y.annual || y.to.is_some() || y.year == year {
            continue;
        }
        let line = &lx.lines[y.line - 1];
        out.push(
            ctx.finding_with(
                "period.mismatch",
                format!("标题中的年度为{year}年，计划指标中却写作{}年度", y.year),
            )
            .at(Place::line(
                y.line,
                y.chars.0 + 1,
                line.source(y.chars.0, y.chars.1),
            ))
            .at(title_place())
            .values(format!("{year}年度"), format!("{}年度", y.year)),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::check;

    #[test]
    fn a_period_of_another_year_is_reported_at_the_period() {
        check(
            "
            某县2025年度国有建设用地供应计划
            计划期限为2024年1月1日至12月31日。
            //~ error period.mismatch: 计划期限却写作2024年
            全县国有建设用地供应总量为100公顷。
            ",
        );
    }

    #[test]
    fn another_year_in_the_total_sentence_is_reported() {
        check(
            "
            某县2025年度国有建设用地供应计划
            计划期限为2025年1月1日至12月31日。
            2024年度全县国有建设用地供应总量为100公顷。
            //~ error period.mismatch: 计划指标中却写作2024年度
            ",
        );
    }
}

//! `parcel.count_mismatch`: a stated number of parcels ("共15宗", "十二块地") against the
//! parcels a complete list in the same document names.

use super::ctx::{place_at, RuleCtx};
use super::Findings;
use crate::model::BreakdownKind;
use landplan_core::Place;

/// "共15宗" against the parcels a complete list in the same document names; and the counts of
/// a breakdown's parts against its whole's count.
pub fn check(ctx: &RuleCtx, out: &mut Findings) {
    counts_of_parts(ctx, out);
    against_the_list(ctx, out);
}

/// The counts of parcels by line and the character where each ends.
type CountsAt<'a> = std::collections::HashMap<(usize, usize), &'a crate::lex::CountMention>;

/// The count of parcels written right before an area figure, in the same clause: "县域9宗，
/// 面积1011亩" (the count ends at most a few characters before the area, with nothing but
/// 面积/共/计 words between).
fn count_before_area<'a>(
    lx: &crate::lex::Lexed,
    at: &CountsAt<'a>,
    q: &crate::lex::Quantity,
) -> Option<&'a crate::lex::CountMention> {
    let line = &lx.lines[q.place.line - 1];
    (q.chars.0.saturating_sub(8)..=q.chars.0)
        .filter_map(|end| at.get(&(q.place.line, end)).copied())
        .find(|c| {
            let between = line.slice(c.chars.1, q.chars.0);
            let between = between.trim_start_matches(['，', ',']);
            between.chars().count() <= 6
                && between
                    .chars()
                    .all(|ch| "面积用地土总占为计共约".contains(ch))
        })
}

/// "共安排40宗，面积4590亩，其中：县域9宗，面积1011亩；市本级31宗，面积3579亩": a certain,
/// complete breakdown whose whole and every part state a count of parcels beside the area;
/// the parts' counts must add up to the whole's count as their areas do.
fn counts_of_parts(ctx: &RuleCtx, out: &mut Findings) {
    let (lx, m) = (ctx.lexed, ctx.model);
    if lx.counts.is_empty() {
        return;
    }
    let at: CountsAt = lx.counts.iter().map(|c| ((c.line, c.chars.1), c)).collect();
    for b in &m.breakdowns {
        if !b.complete || !b.evidence.is_certain() || b.parts.len() < 2 {
            continue;
        }
        let Some(whole) = count_before_area(lx, &at, &m.quantities[b.whole]) else {
            continue;
        };
        let parts: Option<Vec<_>> = b
            .parts
            .iter()
            .map(|p| count_before_area(lx, &at, &m.quantities[p.quantity]))
            .collect();
        let Some(parts) = parts else { continue };
        let sum: u32 = parts.iter().map(|c| c.value).sum();
        if sum == whole.value {
            continue;
        }
        let line = &lx.lines[whole.line - 1];
        let mut f = ctx
            .finding_with(
                "parcel.count_mismatch",
                format!(
                    "{}的各分项宗数之和为{sum}宗，文中写明{}",
                    b.what.trim_end_matches("的分项之和"),
                    whole.text
                ),
            )
            .at(place_at(line, whole.chars, whole.text.clone()))
            .values(format!("{sum}宗"), whole.text.clone());
        for c in parts {
            f = f.at(place_at(&lx.lines[c.line - 1], c.chars, c.text.clone()));
        }
        out.push(f.note(format!("关联依据：{}", b.evidence.basis)));
    }
}

/// "共15宗" against the parcels a complete list in the same document names.
fn against_the_list(ctx: &RuleCtx, out: &mut Findings) {
    let (lx, m) = (ctx.lexed, ctx.model);
    let complete_list = m
        .breakdowns
        .iter()
        .any(|b| b.kind == BreakdownKind::Parcels && b.complete);
    if !complete_list || m.parcels.len() < 2 {
        return;
    }
    let list_lines: std::collections::HashSet<usize> = m.parcels.iter().map(|p| p.line).collect();
    let history = [
        "上年",
        "去年",
        "已",
        "实际",
        "累计",
        "完成",
        "结转",
        "原计划",
    ];
    let Some(c) = lx.counts.iter().find(|c| {
        c.total
            && !list_lines.contains(&c.line)
            && crate::model::class_key(&c.label).is_none()
            && !history.iter().any(|w| c.label.contains(w))
    }) else {
        return;
    };
    let rows = m.parcels.len();
    let mut ids: Vec<&str> = m.parcels.iter().map(|p| p.id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    let distinct = ids.len();
    let v = c.value as usize;
    if v == rows || v == distinct {
        return;
    }
    let line = &lx.lines[c.line - 1];
    let mut f = ctx
        .finding(
            "parcel.count_mismatch",
            &[("found", c.text.clone()), ("expected", format!("{rows}宗"))],
        )
        .at(place_at(line, c.chars, c.text.clone()))
        .values(format!("{rows}宗"), c.text.clone());
    if let Some(first) = m.parcels.first() {
        // The list, by its first parcel's id.
        let l = &lx.lines[first.line - 1];
        let col = l
            .norm_string()
            .find(first.id.as_str())
            .map_or(1, |b| l.norm_string()[..b].chars().count() + 1);
        f = f.at(Place::line(first.line, col, first.id.clone()));
    }
    if distinct != rows {
        f = f.note(format!("清单中有重复编号，去重后为{distinct}宗"));
    }
    out.push(f);
}

#[cfg(test)]
mod tests {
    use super::super::testing::check;

    const LIST: &str = "
        （四）储备地块明细
        地块编号\t坐落\t面积（公顷）
        A-01\t城关镇东街\t2.00
        A-02\t城关镇西街\t2.00
        A-03\t城关镇南街\t2.00
        ";

    #[test]
    fn a_stated_count_against_the_list() {
        check(&format!(
            "
            某县2026年土地储备计划
            本年度计划储备土地6.00公顷，共十二宗。
            //~ error parcel.count_mismatch: 文中写明共十二宗，地块清单列出3宗
            {LIST}"
        ));
        check(&format!(
            "
            某县2026年土地储备计划
            本年度计划储备土地6.00公顷，共3宗。
            {LIST}"
        ));
    }

    #[test]
    fn counts_of_places_against_the_count_of_the_total() {
        check(
            "
            某市2026年度土地储备计划
            全市计划储备土地40宗，面积4590亩，其中：县域9宗，面积1011亩；市本级30宗，面积3579亩。
            //~ error parcel.count_mismatch: 全市计划储备土地的各分项宗数之和为39宗，文中写明40宗
            ",
        );
        check(
            "
            某市2026年度土地储备计划
            全市计划储备土地40宗，面积4590亩，其中：县域9宗，面积1011亩；市本级31宗，面积3579亩。
            ",
        );
    }
}

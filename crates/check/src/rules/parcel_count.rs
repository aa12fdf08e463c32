//! `parcel.count_mismatch`: a stated number of parcels ("共15宗", "十二块地") against the
//! parcels a complete list in the same document names.

use super::ctx::{place_at, RuleCtx};
use super::Findings;
use crate::model::BreakdownKind;
use landplan_core::Place;

/// "共15宗" against the parcels a complete list in the same document names.
pub fn check(ctx: &RuleCtx, out: &mut Findings) {
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
}

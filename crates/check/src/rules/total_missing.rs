//! `total.missing`: a supply, reserve or housing-land plan in which no plan total was found, so
//! that every check against the total was skipped.

use super::ctx::RuleCtx;
use super::Findings;
use crate::model::DocKind;
use landplan_core::Place;

/// One finding when a plan of a kind that states a total has none.
pub fn check(ctx: &RuleCtx, out: &mut Findings) {
    let m = ctx.model;
    if m.total.is_some()
        || !matches!(
            m.kind,
            DocKind::Supply | DocKind::Reserve | DocKind::HousingLand
        )
    {
        return;
    }
    let mut f = ctx.finding_with(
        "total.missing",
        format!(
            "未在{}中找到计划总量（总量、总规模、计划储备规模等），总量相关的核对未进行",
            m.kind.label()
        ),
    );
    if let Some(l) = m.title_line {
        f = f.at(Place::line(l, 1, m.title.clone().unwrap_or_default()));
    }
    out.push(f);
}

#[cfg(test)]
mod tests {
    use super::super::testing::check;

    #[test]
    fn a_plan_without_a_total_says_so_at_its_title() {
        check(
            "
            某县2025年度国有建设用地供应计划
            //~ info total.missing: 未在供应计划中找到计划总量
            住宅用地60公顷，商服用地30公顷。
            ",
        );
    }

    #[test]
    fn a_plan_with_a_total_or_a_notice_without_one_is_quiet() {
        check(
            "
            某县2025年度国有建设用地供应计划
            全县国有建设用地供应总量为90公顷。
            ",
        );
        check(
            "
            关于做好土地管理工作的意见
            住宅用地60公顷。
            ",
        );
    }
}

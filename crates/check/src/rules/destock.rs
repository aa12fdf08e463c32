//! 商品住房去化周期 (months of unsold housing stock) as a housing-land plan states it:
//! "全市商品住宅库存面积300万平方米，近12个月月均销售面积12.5万平方米，去化周期为24个月".
//!
//! Two rules:
//! - `destocking.mismatch`: the stated months against 库存 ÷ 月均销售 when both are stated
//!   (interval arithmetic on the stated precisions, as for shares);
//! - `housing.destocking`: a plan that still supplies 商品住宅 land when its own 去化周期 is past
//!   the threshold in force for the plan's region and date (time-versioned data in
//!   `data/rules/document.toml`; provinces with stricter numbers add their own version in
//!   `data/rules/provinces/`). The date is the plan's year unless the caller gives one.

use super::ctx::{place_at, place_of, RuleCtx};
use super::Findings;
use crate::lex::{Lexed, Quantity};
use landplan_core::units::half_ulp;
use landplan_core::Place;
use rust_decimal::Decimal;

/// A stated 去化周期 in months.
#[derive(Debug, Clone)]
struct Months {
    value: Decimal,
    line: usize,
    /// Character range of the number and 个月 in the line.
    chars: (usize, usize),
    text: String,
}

/// Words in a sentence that make a 去化周期 figure a policy threshold, not this city's value.
const POLICY: &[&str] = &[
    "超过",
    "以上",
    "以下",
    "之间",
    "低于",
    "不足",
    "高于",
    "的城市",
    "的地区",
    "按照",
    "要求",
];

fn stated_months(lx: &Lexed) -> Vec<Months> {
    let mut out = Vec::new();
    for line in &lx.lines {
        let c = &line.norm;
        let text: String = c.iter().collect();
        let mut from = 0;
        while let Some(b) = text[from..].find("去化周期") {
            let at = text[..from + b].chars().count() + "去化周期".chars().count();
            from += b + "去化周期".len();
            let mut k = at;
            while k < c.len() && matches!(c[k], '为' | '约' | '是' | ':' | '：' | ' ' | '达' | '到')
            {
                k += 1;
            }
            let s = k;
            while k < c.len() && (c[k].is_ascii_digit() || c[k] == '.') {
                k += 1;
            }
            let months_word = ["个月", "月"]
                .iter()
                .find(|w| line.slice(k, k + w.chars().count()) == **w);
            let (Some(w), false) = (months_word, s == k) else {
                continue;
            };
            let Ok(value) = line.slice(s, k).parse::<Decimal>() else {
                continue;
            };
            // The sentence around it.
            let start = c[..s]
                .iter()
                .rposition(|&ch| ch == '。')
                .map_or(0, |p| p + 1);
            let end = c[k..]
                .iter()
                .position(|&ch| ch == '。')
                .map_or(c.len(), |p| k + p);
            if POLICY.iter().any(|p| line.slice(start, end).contains(p)) {
                continue;
            }
            let e = k + w.chars().count();
            out.push(Months {
                value,
                line: line.number,
                chars: (s, e),
                text: line.slice(s, e),
            });
        }
    }
    out
}

fn place_months(lx: &Lexed, m: &Months) -> Place {
    place_at(&lx.lines[m.line - 1], m.chars, m.text.clone())
}

/// (value, tolerance) in square metres.
fn in_m2(q: &Quantity) -> Option<(Decimal, Decimal)> {
    let u = q.area_unit()?;
    let per_ha = Decimal::from(10_000);
    Some((
        u.to_hectares(q.value) * per_ha,
        u.to_hectares(half_ulp(q.value)) * per_ha,
    ))
}

/// Both rules, appended to `out`.
pub fn check(ctx: &RuleCtx, out: &mut Findings) {
    let (lx, m) = (ctx.lexed, ctx.model);
    let stated = stated_months(lx);
    for s in &stated {
        // 库存 and 月均销售 on the same line before it, or on the two lines above.
        let near = |q: &Quantity| {
            q.place.line + 2 >= s.line
                && q.place.line <= s.line
                && (q.place.line < s.line || q.chars.0 < s.chars.0)
        };
        let stock = m
            .quantities
            .iter()
            .rev()
            .find(|q| near(q) && q.label.contains("库存") && q.area_unit().is_some());
        let sales = m.quantities.iter().rev().find(|q| {
            near(q)
                && q.label.contains("月均")
                && ["销售", "去化", "成交"].iter().any(|w| q.label.contains(w))
                && q.area_unit().is_some()
        });
        let (Some(stock), Some(sales)) = (stock, sales) else {
            continue;
        };
        let (Some((sv, st)), Some((vv, vt))) = (in_m2(stock), in_m2(sales)) else {
            continue;
        };
        if vv - vt <= Decimal::ZERO {
            continue;
        }
        let lo = (sv - st) / (vv + vt);
        let hi = (sv + st) / (vv - vt);
        let tm = half_ulp(s.value);
        if hi >= s.value - tm && lo <= s.value + tm {
            continue;
        }
        let exact = sv / vv;
        let expected = exact.round_dp(s.value.scale().max(1));
        out.push(
            ctx.finding(
                "destocking.mismatch",
                &[
                    ("stock", stock.place.text.clone()),
                    ("sales", sales.place.text.clone()),
                    ("expected", expected.to_string()),
                    ("found", s.text.clone()),
                ],
            )
            .at(place_months(lx, s))
            .at(place_of(stock))
            .at(place_of(sales))
            .values(format!("{expected}个月"), s.text.clone())
            .note(format!(
                "按末位精度，去化周期应在{}～{}个月之间",
                lo.round_dp(2),
                hi.round_dp(2)
            )),
        );
    }

    // The policy in force for the plan's region and date.
    let Some(s) = stated.first() else { return };
    let Some(rule) = ctx.rules.rule("housing.destocking") else {
        return;
    };
    let Some(limit) = rule.param_decimal("months") else {
        return;
    };
    let inclusive = rule.params.get("inclusive").is_some_and(|v| v == "true");
    let past = if inclusive {
        s.value >= limit
    } else {
        s.value > limit
    };
    if !past {
        return;
    }
    // 商品住宅/商品住房 land the plan still supplies (not excluded as history or background).
    let excluded = |i: usize| m.excluded.contains(&i);
    let Some((i, q)) = m.quantities.iter().enumerate().find(|(i, q)| {
        !excluded(*i)
            && q.area_unit().is_some()
            && q.value > Decimal::ZERO
            && q.place.line != s.line
            && ["商品住宅", "商品住房", "商品房"]
                .iter()
                .any(|w| q.label.contains(w))
            && !q.label.contains("库存")
            && !q.label.contains("月均")
    }) else {
        return;
    };
    let _ = i;
    let cmp = if inclusive { "达到" } else { "超过" };
    out.push(
        ctx.finding_with(
            "housing.destocking",
            format!(
                "商品住房去化周期为{}，{cmp}{limit}个月，按规定应暂停新增商品住宅用地供应；计划仍安排{}{}",
                s.text, q.label, q.display
            ),
        )
        .at(place_of(q))
        .at(place_months(lx, s))
        .values(format!("去化周期{cmp}{limit}个月时不安排新增商品住宅用地"), q.display.clone())
        .note(format!("依据：{}", rule.source)),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    fn months(text: &str) -> Vec<String> {
        stated_months(&crate::lex::lex_document(text))
            .into_iter()
            .map(|m| m.text)
            .collect()
    }

    fn rules_for(year: i32, months: &str) -> Vec<String> {
        let text = format!(
            "某市{year}年度住宅用地供应计划\n计划供应住宅用地100.00公顷，其中商品住宅用地70.00公顷，保障性住房用地30.00公顷。\n\
             全市商品住宅库存面积{}万平方米，月均销售面积10万平方米，去化周期为{months}个月。\n",
            months.parse::<u32>().unwrap() * 10
        );
        crate::check_text("plan.txt", &text)
            .findings
            .into_iter()
            .map(|f| f.rule)
            .collect()
    }

    #[test]
    fn the_threshold_in_force_follows_the_plan_year() {
        // 2017–2023: 36 months or more stops supply; from 2024: only more than 36.
        assert_eq!(rules_for(2020, "36"), ["housing.destocking"]);
        assert!(rules_for(2025, "36").is_empty());
        assert_eq!(rules_for(2025, "37"), ["housing.destocking"]);
        assert!(rules_for(2020, "30").is_empty());
    }

    #[test]
    fn stated_months_against_stock_over_sales() {
        super::super::testing::check(
            "
            某市2025年度住宅用地供应计划
            //~ info total.missing
            全市商品住宅库存面积300万平方米，近12个月月均销售面积12.5万平方米，去化周期为20个月。
            //~ error destocking.mismatch: 300万平方米÷12.5万平方米＝24.0个月，文中为20个月
            ",
        );
    }

    #[test]
    fn a_plan_past_the_threshold_that_still_supplies_housing_is_warned() {
        super::super::testing::check(
            "
            某市2025年度住宅用地供应计划
            计划供应住宅用地100.00公顷，其中商品住宅用地70.00公顷，保障性住房用地30.00公顷。
            //~ warning housing.destocking: 超过36个月
            全市商品住宅库存面积400万平方米，月均销售面积10万平方米，去化周期为40个月。
            ",
        );
    }

    #[test]
    fn a_province_override_applies_to_its_regions_from_its_date() {
        let text = "某市2025年度住宅用地供应计划\n\
            计划供应住宅用地100.00公顷，其中商品住宅用地70.00公顷，保障性住房用地30.00公顷。\n\
            全市商品住宅库存面积300万平方米，月均销售面积10万平方米，去化周期为30个月。\n";
        let rules = |region: Option<&str>, date: Option<landplan_core::Date>| {
            let options = crate::CheckOptions {
                rules: landplan_core::RuleContext::builtin()
                    .with_region(region)
                    .with_date(date),
                format: None,
            };
            crate::check_document("plan.txt", text.as_bytes(), &options)
                .report
                .findings
                .into_iter()
                .map(|f| f.rule)
                .collect::<Vec<_>>()
        };
        let after = landplan_core::Date::new(2025, 9, 1);
        // 示例省 (990000) stops at more than 24 months from 2025-07-01; the nation at 36.
        assert_eq!(rules(Some("990101"), after), ["housing.destocking"]);
        assert!(rules(Some("990101"), landplan_core::Date::new(2025, 1, 1)).is_empty());
        assert!(rules(None, after).is_empty());
        // Without a date, the plan's year: 1 January 2025, before the override.
        assert!(rules(Some("990101"), None).is_empty());
    }

    #[test]
    fn a_stated_period_is_read_and_policy_thresholds_are_not() {
        assert_eq!(months("库存300万平方米，去化周期为24个月。"), ["24个月"]);
        assert_eq!(months("商品住房去化周期18.5个月"), ["18.5个月"]);
        assert!(months("去化周期超过36个月的城市，暂停新增商品住宅用地出让。").is_empty());
        assert!(months("去化周期在18-36个月之间的，按照盘活存量的规模供应。").is_empty());
    }
}

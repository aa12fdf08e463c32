//! `value.unreadable`: a figure that cannot be read (".32公顷", "1..5公顷", "12O.5公顷") is
//! reported and never guessed at.

use super::ctx::{place_at, RuleCtx};
use super::Findings;

/// Every damaged figure the lexer recorded.
pub fn check(ctx: &RuleCtx, out: &mut Findings) {
    for d in &ctx.lexed.damaged {
        out.push(
            ctx.finding_with(
                "value.unreadable",
                format!(
                    "数字“{}”无法识别（{}），未参与核对，请核实原文",
                    d.text, d.why
                ),
            )
            .at(place_at(ctx.line(d.line), d.chars, d.text.clone()))
            .values("可识别的数字", d.text.clone()),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::check;

    #[test]
    fn damaged_figures_are_reported_where_they_are() {
        check(
            "
            某县2025年度国有建设用地供应计划
            //~ info total.missing
            供应总量为.32公顷。
            //~ error value.unreadable: 小数点前缺少数字
            商服用地1..5公顷，住宅用地12O.5公顷。
            //~ error value.unreadable: 连续的小数点
            //~ error value.unreadable: 数字中夹有字母
            ",
        );
    }

    #[test]
    fn figures_that_read_are_not_reported() {
        check(
            "
            某县2025年度国有建设用地供应计划
            供应总量为1,234.5公顷。
            ",
        );
    }
}

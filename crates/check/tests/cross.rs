//! The check across files on the shape real bureaus publish: a 公告 whose body states the plan
//! in prose, and a separate 附表 (a web page) with the same figures in tables. One pair agrees;
//! in the other the 附表 gives 住宅用地 and one township differently.

use landplan_check::cross::{self, RULE};
use landplan_check::{check_bytes, DocumentReport};
use landplan_core::{Finding, RuleContext, Severity};

const NOTICE: &str = "\
关于公布未名县2025年度国有建设用地供应计划的公告

根据《国有建设用地供应计划编制规范（试行）》，现将未名县2025年度国有建设用地供应计划公告如下：

一、供应总量
2025年度全县国有建设用地计划供应总量为286.50公顷，其中新增建设用地171.90公顷，存量建设用地114.60公顷。

二、供应结构
商服用地28.65公顷，占10.00%；工矿仓储用地114.60公顷，占40.00%；住宅用地85.95公顷，占30.00%；公共管理与公共服务用地57.30公顷，占20.00%。

三、供应布局
城厢镇150.40公顷，其中商服用地20.00公顷、工矿仓储用地50.40公顷、住宅用地50.00公顷、公共管理与公共服务用地30.00公顷；
河口乡136.10公顷，其中商服用地8.65公顷、工矿仓储用地64.20公顷、住宅用地35.95公顷、公共管理与公共服务用地27.30公顷。

附件：未名县2025年度国有建设用地供应计划表

未名县自然资源局
2025年1月10日
";

/// The 附表 as a web page. `changed`: 城厢镇's 住宅用地 is 53.60 instead of 50.00, so that the
/// 附表 adds up in itself (城厢镇 154.00, 住宅用地 89.55, total 290.10) but disagrees with the
/// notice.
fn annex(changed: bool) -> String {
    let [housing, cx_housing, chengxiang, total] = if changed {
        ["89.55", "53.60", "154.00", "290.10"]
    } else {
        ["85.95", "50.00", "150.40", "286.50"]
    };
    format!(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>附表</title></head><body>\
<p>附件</p>\
<h3>未名县2025年度国有建设用地供应计划表</h3>\
<p>单位：公顷</p>\
<table border=\"1\">\
<tr><th>用地类型</th><th>面积（公顷）</th><th>占比（%）</th></tr>\
<tr><td>商服用地</td><td>28.65</td><td>10.00</td></tr>\
<tr><td>工矿仓储用地</td><td>114.60</td><td>40.00</td></tr>\
<tr><td>住宅用地</td><td>{housing}</td><td>30.00</td></tr>\
<tr><td>公共管理与公共服务用地</td><td>57.30</td><td>20.00</td></tr>\
<tr><td>合计</td><td>{total}</td><td>100.00</td></tr>\
</table>\
<h3>未名县2025年度国有建设用地供应布局表</h3>\
<p>单位：公顷</p>\
<table border=\"1\">\
<tr><th>乡镇</th><th>合计</th><th>商服用地</th><th>工矿仓储用地</th><th>住宅用地</th><th>公共管理与公共服务用地</th></tr>\
<tr><td>城厢镇</td><td>{chengxiang}</td><td>20.00</td><td>50.40</td><td>{cx_housing}</td><td>30.00</td></tr>\
<tr><td>河口乡</td><td>136.10</td><td>8.65</td><td>64.20</td><td>35.95</td><td>27.30</td></tr>\
<tr><td>合计</td><td>{total}</td><td>28.65</td><td>114.60</td><td>{housing}</td><td>57.30</td></tr>\
</table></body></html>"
    )
}

fn tie(annex: &str) -> (Vec<DocumentReport>, cross::CrossSummary) {
    let mut reports = vec![
        check_bytes("公告.txt", NOTICE.as_bytes()),
        check_bytes("附表.html", annex.as_bytes()),
    ];
    let summary = cross::tie(&RuleContext::builtin(), &mut reports);
    (reports, summary)
}

fn cross_findings(reports: &[DocumentReport]) -> Vec<&Finding> {
    reports
        .iter()
        .flat_map(|r| r.findings.iter())
        .filter(|f| f.rule == RULE)
        .collect()
}

#[test]
fn a_notice_and_its_annex_that_agree() {
    let (reports, summary) = tie(&annex(false));
    assert_eq!(summary.ties.len(), 1, "{summary:?}");
    let t = &summary.ties[0];
    assert_eq!(t.plan.region, "未名县");
    assert_eq!(t.plan.year, 2025);
    assert_eq!(t.documents, ["公告.txt", "附表.html"]);
    // The total, four classes, two townships and their classes, four shares at least.
    assert!(t.compared >= 15, "{t:?}");
    assert!(
        cross_findings(&reports).is_empty(),
        "{:#?}",
        cross_findings(&reports)
    );
    for r in &reports {
        assert!(!r.has_errors(), "{}: {:#?}", r.path, r.findings);
    }
}

#[test]
fn a_notice_and_an_annex_that_disagree_on_a_class_and_a_township() {
    let (reports, _) = tie(&annex(true));
    // The 附表 adds up in itself: only the check across files finds it.
    assert!(!reports[1].findings.iter().any(|f| f.rule == "sum.mismatch"));
    let found = cross_findings(&reports);
    let msgs: Vec<&str> = found.iter().map(|f| f.message.as_str()).collect();
    let housing = found
        .iter()
        .find(|f| f.message.contains("「住宅用地」") && f.message.contains("89.55公顷"))
        .unwrap_or_else(|| panic!("{msgs:#?}"));
    assert!(housing.message.contains("85.95公顷"), "{}", housing.message);
    assert!(
        housing.message.contains("附表.html 第"),
        "{}",
        housing.message
    );
    assert!(
        housing.message.contains("公告.txt 第"),
        "{}",
        housing.message
    );
    assert_eq!(housing.places.len(), 2);
    assert_eq!(housing.places[0].file.as_deref(), Some("附表.html"));
    assert_eq!(housing.places[1].file.as_deref(), Some("公告.txt"));
    // Both readings certain (a table with 合计; a paragraph under 供应结构 tied to the total).
    assert_eq!(housing.severity, Severity::Error, "{housing:#?}");
    assert!(
        msgs.iter().any(|m| m.contains("「城厢镇」")
            && m.contains("154.00公顷")
            && m.contains("150.40公顷")),
        "{msgs:#?}"
    );
    assert!(
        msgs.iter()
            .any(|m| m.contains("「计划总量」") && m.contains("290.10公顷")),
        "{msgs:#?}"
    );
    // The findings are the 附表's (the later file), the notice stays as it was.
    assert!(reports[0].findings.iter().all(|f| f.rule != RULE));
}

#[test]
fn an_annex_of_another_year_is_not_tied() {
    let other = annex(true).replace("2025", "2024");
    let (reports, summary) = tie(&other);
    assert!(summary.ties.is_empty());
    assert!(cross_findings(&reports).is_empty());
}

//! The annual reserve plan compiled from reserve parcels (issue 18): seed 001 (巴楚县2026年
//! 土地储备计划) reproduced from 13 reserve parcels planned to be held in 2026 and funded by
//! 0.75 亿元 of special bonds, then written as Word and Excel; and the generated county's
//! three-year plan written as Word and Excel.
//!
//! With `LANDPLAN_REPORT_OUT=DIR` the documents are also written to DIR, to be looked at.
mod common;
use common::{docx_text, zip_part};
use landplan_core::date::Date;
use landplan_core::reserve::{
    compile_annual, compile_rolling, AnnualOptions, Cost, CostKind, FundSource, PlannedStep,
    ReserveParcel, ReserveState, Step,
};
use landplan_core::units::{Money, MoneyUnit};
use landplan_core::view::PlanView;
use landplan_core::CompiledPlan;
use landplan_report::{render_plan, render_rolling, ReportFormat, ReportOptions};
use rust_decimal::Decimal;
use std::path::Path;

fn keep(name: &str, bytes: &[u8]) {
    if let Some(dir) = std::env::var_os("LANDPLAN_REPORT_OUT") {
        std::fs::write(Path::new(&dir).join(name), bytes).unwrap();
    }
}

/// Seed 001's 13 parcels read from its ledger by the ledger reader, registered 拟收储 on
/// 1 December 2025, planned to be held in 2026, with 0.75 亿元 of 征收收购补偿 from one special
/// bond shared among them by area (whole 万元, the last parcel taking the rest).
fn seed001() -> Vec<ReserveParcel> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../io/tests/data/seed001-reserve.csv");
    let opts = landplan_io::LedgerOptions {
        file_label: Some("seed001-reserve.csv".into()),
        ..Default::default()
    };
    let parcels: Vec<_> = landplan_io::open_ledger(&path, &opts)
        .unwrap()
        .map(|r| r.expect("seed 001's rows are readable"))
        .collect();
    let total: Decimal = parcels.iter().map(|p| p.area().ha()).sum();
    let funds = Decimal::from(7500);
    let mut given = Decimal::ZERO;
    let n = parcels.len();
    parcels
        .into_iter()
        .enumerate()
        .map(|(i, p)| {
            let wan = if i + 1 == n {
                funds - given
            } else {
                (funds * p.area().ha() / total).round()
            };
            given += wan;
            let registered = Date::new(2025, 12, 1).unwrap();
            let mut rp =
                ReserveParcel::register(p, Step::new(ReserveState::Proposed, registered)).unwrap();
            rp.planned.push(PlannedStep {
                to: ReserveState::Held,
                year: 2026,
                quarter: None,
            });
            rp.costs.push(Cost {
                kind: CostKind::Compensation,
                source: FundSource::SpecialBond,
                amount: Money::from_unit(wan, MoneyUnit::WanYuan),
                year: 2026,
                paid: None,
                bond: Some("巴楚县-ZQ-2026".into()),
            });
            rp
        })
        .collect()
}

fn seed001_plan() -> CompiledPlan {
    let mut opts = AnnualOptions::new("巴楚县", 2026);
    opts.file = Some("seed001-reserve.csv".into());
    opts.stated_funds = Some(Money::from_unit("0.75".parse().unwrap(), MoneyUnit::YiYuan));
    compile_annual(&seed001(), &opts)
}

#[test]
fn seed_001_is_reproduced_from_its_reserve_parcels() {
    let plan = seed001_plan();
    let v = PlanView::new(&plan);
    assert_eq!(v.kind, "reserve");
    assert_eq!(v.total_ha, "47.58");
    assert_eq!(v.total_mu, "713.63");
    assert_eq!(v.stock_ha, "39.52");
    assert_eq!(v.new_ha, "8.05");
    let structure: Vec<(&str, &str)> = v
        .structure
        .iter()
        .map(|c| (c.area_ha.as_str(), c.share_pct.as_str()))
        .collect();
    assert_eq!(
        structure,
        [("7.92", "16.66"), ("8.05", "16.92"), ("31.60", "66.42")]
    );
    let layout: Vec<(&str, &str)> = v
        .layout
        .iter()
        .map(|t| (t.name.as_str(), t.area_ha.as_str()))
        .collect();
    assert_eq!(layout, [("工业园区", "8.05"), ("巴楚镇", "39.52")]);
    let ids: Vec<&str> = v.parcels.iter().map(|p| p.id.as_str()).collect();
    assert_eq!(ids.len(), 13);
    assert_eq!((ids[0], ids[12]), ("BC－CB2026001", "BC2025CB001"));
    let dups: Vec<_> = plan
        .findings
        .iter()
        .filter(|f| f.rule == "ledger.duplicate_parcel")
        .collect();
    assert_eq!(dups.len(), 2);
    assert!(dups.iter().any(|f| f.message.contains("BC2025CB011")));
    assert!(dups.iter().any(|f| f.message.contains("BC2025CB001")));
    assert_eq!(
        dups[0].places[0].file.as_deref(),
        Some("seed001-reserve.csv")
    );
    let a = v.annual.as_ref().unwrap();
    assert_eq!(a.total_basis, "new_reserve");
    assert_eq!(a.funds_total_wan_yuan, "7500");
    assert_eq!(a.funds_stated_wan_yuan.as_deref(), Some("7500"));
    assert_eq!(a.funds.len(), 1);
    assert_eq!(a.funds[0].source, "special_bond");
    let proposed = &a.parts[1];
    assert_eq!(
        (
            proposed.id,
            proposed.area_ha.as_str(),
            proposed.parcels.len()
        ),
        ("new_proposed", "47.58", 13)
    );
    assert!(plan
        .findings
        .iter()
        .all(|f| !f.rule.starts_with("reserve.")));
}

#[test]
fn seed_001_written_as_word_and_excel_states_its_figures() {
    let plan = seed001_plan();
    let docx = render_plan(&plan, ReportFormat::Docx, &ReportOptions::default()).unwrap();
    keep("seed001-reserve-2026.docx", &docx);
    let text = docx_text(&docx);
    for want in [
        "巴楚县2026年度土地储备计划",
        "计划储备土地47.58公顷（713.63亩）",
        // 亩 from the exact hectares (39.5243 × 15), where the seed multiplied the rounded 39.52.
        "存量土地39.52公顷（592.86亩）",
        "1.地块编号：BC－CB2026001，土地坐落：巴楚县工业园区体育路北侧、锦业路东侧，面积：4.0254公顷",
        "13.地块编号：BC2025CB001",
        "年度资金使用规模",
        "资金总量：0.75亿元（7500.00万元），全部为专项债券资金",
        "支出方向：征收收购补偿7500.00万元",
        "土地储备计划构成表",
        "年度新增储备（拟收储）\t47.58\t13\t",
        "土地储备资金需求表",
        "专项债券\t7500.00\t7500.00",
    ] {
        assert!(text.contains(want), "{want}\n{text}");
    }
    // The document checker (`landplan check`) reads it, the parts and funds tables included,
    // with no error but the seed's own two duplicates, which it finds in the written list too.
    let report = landplan_check::check_bytes("seed001-reserve-2026.docx", &docx);
    assert!(report.readable);
    let errors: Vec<_> = report
        .findings
        .iter()
        .filter(|f| f.severity == landplan_core::Severity::Error)
        .map(|f| format!("{}: {}", f.rule, f.message))
        .collect();
    assert_eq!(errors.len(), 2, "{errors:#?}");
    assert!(
        errors.iter().all(|e| e.starts_with("parcel.duplicate")
            && (e.contains("BC2025CB011") || e.contains("BC2025CB001"))),
        "{errors:#?}"
    );
    let xlsx = render_plan(&plan, ReportFormat::Xlsx, &ReportOptions::default()).unwrap();
    keep("seed001-reserve-2026.xlsx", &xlsx);
    let report = landplan_check::check_bytes("seed001-reserve-2026.xlsx", &xlsx);
    let errors: Vec<_> = report
        .findings
        .iter()
        .filter(|f| f.severity == landplan_core::Severity::Error)
        .map(|f| format!("{}: {}", f.rule, f.message))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let wb = zip_part(&xlsx, "xl/workbook.xml");
    for sheet in [
        "储备规模与结构",
        "储备布局",
        "计划构成",
        "资金需求",
        "储备地块清单",
    ] {
        assert!(wb.contains(sheet), "{sheet}: {wb}");
    }
}

#[test]
fn the_generated_countys_three_year_plan_is_written_with_a_table_per_year() {
    let parcels = landplan_io::gen_reserve::generate(1, "示例县", 2026);
    let plan = compile_rolling(&parcels, 2026, &AnnualOptions::new("示例县", 2026));
    let docx = render_rolling(&plan, ReportFormat::Docx, &ReportOptions::default()).unwrap();
    keep("generated-rolling-2026.docx", &docx);
    let text = docx_text(&docx);
    assert!(
        text.contains("示例县土地储备三年滚动计划（2026—2028年）"),
        "{text}"
    );
    for year in 2026..=2028 {
        assert!(
            text.contains(&format!("示例县{year}年度土地储备计划构成表")),
            "{year}"
        );
    }
    let refused = &plan.years[1].refused[0];
    assert!(text.contains(&refused.describe()), "{text}");
    let xlsx = render_rolling(&plan, ReportFormat::Xlsx, &ReportOptions::default()).unwrap();
    keep("generated-rolling-2026.xlsx", &xlsx);
    let wb = zip_part(&xlsx, "xl/workbook.xml");
    for sheet in ["三年滚动计划", "2026年", "2027年", "2028年"] {
        assert!(wb.contains(sheet), "{sheet}");
    }
    // The generated county's annual plan of the second year, with its refused parcel.
    let annual = compile_annual(&parcels, &AnnualOptions::new("示例县", 2027));
    let docx = render_plan(&annual, ReportFormat::Docx, &ReportOptions::default()).unwrap();
    keep("generated-reserve-2027.docx", &docx);
    let text = docx_text(&docx);
    assert!(text.contains("未列入储备土地供应的地块"), "{text}");
    assert!(text.contains("暂不列入本年度储备土地供应"), "{text}");
    let xlsx = render_plan(&annual, ReportFormat::Xlsx, &ReportOptions::default()).unwrap();
    keep("generated-reserve-2027.xlsx", &xlsx);
    // Both go through the document checker without error (the refused parcel's table is not
    // read as a second parcel list).
    for (name, bytes) in [("g.docx", &docx), ("g.xlsx", &xlsx)] {
        let report = landplan_check::check_bytes(name, bytes);
        let errors: Vec<_> = report
            .findings
            .iter()
            .filter(|f| f.severity == landplan_core::Severity::Error)
            .map(|f| format!("{}: {}", f.rule, f.message))
            .collect();
        assert!(report.readable && errors.is_empty(), "{name}: {errors:#?}");
    }
}

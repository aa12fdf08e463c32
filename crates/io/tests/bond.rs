//! Reading special-bond projects: the demo's four CSV tables (data/demo/bond), a workbook with
//! the four tables as worksheets in another order with header variants, and the findings of
//! rows that cannot be read (file, worksheet, row, column).

use landplan_core::reserve::bond::{PriceUnit, RepaymentKind, RepaymentMode};
use landplan_core::{Date, Money};
use landplan_io::bond::read_bonds;
use landplan_io::tabular::TableOptions;
use rust_decimal::Decimal;
use std::path::{Path, PathBuf};
use std::str::FromStr;

fn dec(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

fn demo_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/demo/bond")
}

#[test]
fn the_demo_tables_make_two_projects_with_their_parcels_flows_and_prices() {
    let read = read_bonds(&[demo_dir()], &TableOptions::default()).unwrap();
    assert!(read.findings.is_empty(), "{:#?}", read.findings);
    assert_eq!(read.tables.len(), 4);
    let ids: Vec<&str> = read.projects.iter().map(|p| p.id.as_str()).collect();
    assert_eq!(ids, ["ZX2025-01", "ZX2025-02"]);
    let a = &read.projects[0];
    assert_eq!(a.amount, Money(dec("75000000")));
    assert_eq!(a.rate, dec("0.0245"));
    assert_eq!(a.term_years, 5);
    assert_eq!(a.issue_date, Date::new(2025, 4, 20).unwrap());
    assert_eq!(a.repayment, RepaymentMode::AnnualInterest);
    assert_eq!(
        a.parcels,
        ["SLXCB2025-0003", "SLXCB2025-0005", "SLXCB2025-0008"]
    );
    assert_eq!(a.drawdowns.len(), 2);
    assert_eq!(a.repayments.len(), 1);
    assert_eq!(a.repayments[0].kind, RepaymentKind::Interest);
    assert_eq!(a.repayments[0].amount, Money(dec("1837500")));
    assert_eq!(a.prices.len(), 3);
    assert_eq!(a.prices[0].price, Money(dec("600000")), "60 万元/亩");
    assert_eq!(a.prices[0].per, PriceUnit::Mu);
    let b = &read.projects[1];
    assert_eq!(
        b.issue_date,
        Date::new(2025, 6, 30).unwrap(),
        "2025年6月30日"
    );
    assert_eq!(b.parcels.len(), 3, "from the 关联地块 column");
}

#[test]
fn a_workbook_with_header_variants_and_bad_rows_is_read_with_findings_naming_the_sheet() {
    use rust_xlsxwriter::Workbook;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("债券.xlsx");
    let mut wb = Workbook::new();
    // The prices first: sheets are found by their headers, not their place or name.
    let s = wb.add_worksheet().set_name("测算").unwrap();
    for (c, h) in ["债券项目编号", "地类编码", "测算单价", "计价单位", "依据"]
        .iter()
        .enumerate()
    {
        s.write_string(0, c as u16, *h).unwrap();
    }
    let rows = [
        ["A-1", "07", "3000", "元/平方米", "评估"],
        ["A-1", "05", "两百", "元/平方米", ""],
        ["B-9", "06", "20", "万元/亩", ""],
    ];
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            s.write_string(r as u32 + 1, c as u16, *v).unwrap();
        }
    }
    let s = wb.add_worksheet().set_name("项目").unwrap();
    for (c, h) in [
        "项目编号",
        "名称",
        "发行额（亿元）",
        "起息日",
        "债券期限",
        "利率（%）",
        "偿还方式",
        "要求覆盖倍数",
    ]
    .iter()
    .enumerate()
    {
        s.write_string(0, c as u16, *h).unwrap();
    }
    let rows = [
        [
            "A-1",
            "甲项目",
            "1.2",
            "2024/9/1",
            "10年",
            "2.1",
            "等额还本",
            "1.2倍",
        ],
        ["A-2", "乙项目", "0.5", "2024-09-01", "100", "0.021", "", ""],
        ["A-1", "甲项目（重复）", "1", "2024-09-01", "5", "2", "", ""],
    ];
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            s.write_string(r as u32 + 1, c as u16, *v).unwrap();
        }
    }
    let s = wb.add_worksheet().set_name("资金").unwrap();
    for (c, h) in ["项目编号", "支付日期", "款项类型", "发生金额（元）"]
        .iter()
        .enumerate()
    {
        s.write_string(0, c as u16, *h).unwrap();
    }
    let rows = [
        ["A-1", "2024-10-01", "拨付", "30000000"],
        ["A-1", "2025-09-01", "还本付息", "100"],
    ];
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            s.write_string(r as u32 + 1, c as u16, *v).unwrap();
        }
    }
    wb.save(&path).unwrap();

    let opts = TableOptions {
        file_label: Some("债券.xlsx".into()),
        ..TableOptions::default()
    };
    let read = read_bonds(&[path], &opts).unwrap();
    let a = &read.projects[0];
    assert_eq!(read.projects.len(), 1, "A-2 has a bad term; A-1 twice");
    assert_eq!(a.amount, Money(dec("120000000")));
    assert_eq!(a.rate, dec("0.021"), "2.1 under 利率（%）");
    assert_eq!(a.term_years, 10);
    assert_eq!(a.repayment, RepaymentMode::Amortising);
    assert_eq!(a.required_ratio, Some(dec("1.2")));
    assert_eq!(a.prices.len(), 1);
    assert_eq!(a.prices[0].per, PriceUnit::SquareMetre);
    assert_eq!(a.prices[0].price, Money(dec("3000")));
    assert_eq!(a.drawdowns[0].amount, Money(dec("30000000")));

    let find = |needle: &str| {
        read.findings
            .iter()
            .find(|f| f.message.contains(needle))
            .unwrap_or_else(|| panic!("no finding with {needle}: {:#?}", read.findings))
    };
    // A bad price: the sheet, the row and the column.
    let f = find("两百");
    assert_eq!(f.rule, "ledger.row_rejected");
    assert!(
        f.message.starts_with("工作表“测算”第3行“测算单价”列"),
        "{}",
        f.message
    );
    let place = &f.places[0];
    assert_eq!(place.file.as_deref(), Some("债券.xlsx（工作表“测算”）"));
    assert_eq!(
        (place.row, place.field.as_deref()),
        (Some(3), Some("测算单价"))
    );
    // A term of 100 years.
    assert!(find("期限“100”").message.contains("工作表“项目”第3行"));
    // A duplicate project, a row naming a project not listed, an ambiguous kind.
    assert_eq!(find("重复").rule, "bond.duplicate_project");
    let f = find("“B-9”");
    assert_eq!(f.rule, "bond.unknown_project");
    assert_eq!(f.places[0].row, Some(4));
    assert!(find("还本付息").message.contains("分行填写"));
}

#[test]
fn a_file_that_is_no_bond_table_is_a_finding_and_a_missing_file_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("其他.csv");
    std::fs::write(&path, "地块编号,面积\nA,1\n").unwrap();
    let read = read_bonds(&[path], &TableOptions::default()).unwrap();
    let rules: Vec<&str> = read.findings.iter().map(|f| f.rule.as_str()).collect();
    assert_eq!(rules, ["bond.table_unrecognised", "bond.projects_missing"]);
    assert!(read.findings[0].message.contains("不是债券项目"));
    let e = read_bonds(&[dir.path().join("无.csv")], &TableOptions::default()).unwrap_err();
    assert!(e.to_string().contains("无.csv"), "{e}");
}

/// The generated county's reserve (rplan's generator) gets one bond project per bond id its
/// costs name, tied to exactly the parcels those costs are on, so that closed management finds
/// nothing and the coverage of each is computed.
#[test]
fn the_generated_county_has_a_project_for_each_bond_its_costs_name() {
    use landplan_core::reserve::bond::{closed_management, coverage};
    use landplan_core::RuleContext;
    use landplan_io::gen_reserve::{bond_id, generate};
    let parcels = generate(7, "示例县", 2026);
    let projects = landplan_io::gen_bond::bonds_for(&parcels);
    assert_eq!(projects, landplan_io::gen_bond::bonds_for(&parcels));
    let mut ids: Vec<String> = parcels
        .iter()
        .flat_map(|p| &p.costs)
        .filter_map(|c| c.bond.clone())
        .collect();
    ids.sort();
    ids.dedup();
    assert!(!ids.is_empty());
    assert!(ids.iter().all(|id| id.starts_with("示例县-ZQ-")), "{ids:?}");
    assert!(ids.contains(&bond_id("示例县", 2026)));
    let got: Vec<&str> = projects.iter().map(|p| p.id.as_str()).collect();
    assert_eq!(got, ids.iter().map(String::as_str).collect::<Vec<_>>());
    let ctx = RuleContext::builtin();
    for p in &projects {
        assert!(closed_management(p, &parcels, &ctx).is_empty(), "{}", p.id);
        let c = coverage(p, &parcels, &ctx);
        assert!(
            c.ratio.is_some() && c.lines.len() == p.parcels.len(),
            "{}",
            p.id
        );
        assert!(
            c.findings.iter().all(|f| f.rule == "bond.coverage_below"),
            "{:?}",
            c.findings
        );
    }
}

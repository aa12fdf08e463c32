//! Reserve workbooks: the four sheets as CSV files (one in GBK) and as one XLSX workbook, the
//! steps taken in date order, refused steps and unknown parcels as findings at their places.

use landplan_core::reserve::{CostKind, FundSource, ReadinessItem, ReserveState};
use landplan_core::Severity;
use landplan_io::reserve::{read_reserve, ReserveOptions, RULE_STEP_REFUSED, RULE_UNKNOWN_PARCEL};
use std::path::PathBuf;

fn data(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/reserve")
        .join(name)
}

#[test]
fn a_reserve_ledger_in_four_csv_files_reads_into_parcels_with_their_lives() {
    let files = ["储备地块.csv", "成本.csv", "净地.csv", "障碍.csv"].map(data);
    let r = read_reserve(&files, &ReserveOptions::default());
    assert!(!r.has_errors(), "{:#?}", r.findings);
    let ids: Vec<&str> = r.parcels.iter().map(|p| p.id()).collect();
    assert_eq!(ids, ["CB2026-01", "CB2026-02", "CB2026-03"]);
    let p1 = &r.parcels[0];
    assert_eq!(p1.state(), ReserveState::Preparing);
    assert_eq!(p1.steps.len(), 3);
    // The evidence columns went with 入库.
    let held = &p1.steps[1];
    assert_eq!(held.to, ReserveState::Held);
    assert_eq!(held.evidence.documents.len(), 2);
    assert!(held.evidence.encumbrances_cleared);
    assert_eq!(p1.project.as_deref(), Some("老粮站地块收储项目"));
    assert_eq!(p1.parcel.area().ha().to_string(), "2.5000");
    // Costs in 万元, with their bond; a year from the payment date.
    assert_eq!(p1.costs.len(), 2);
    assert_eq!(p1.costs[0].kind, CostKind::Compensation);
    assert_eq!(p1.costs[0].source, FundSource::SpecialBond);
    assert_eq!(p1.costs[0].bond.as_deref(), Some("ZX2026-01"));
    assert_eq!(r.parcels[2].costs[0].year, 2026);
    // The obstacle ledger came from the GBK file.
    assert_eq!(p1.obstacles[0].responsible, "县文物局 王某");
    assert_eq!(r.parcels[1].obstacles[0].due.month, 9);
    // Planned: supply in 2027 Q2.
    let planned = &r.parcels[1].planned;
    assert!(planned
        .iter()
        .any(|s| s.to == ReserveState::Supplied && s.year == 2027 && s.quarter == Some(2)));
    // CB2026-03 had every 净地 item done before its supply: supplied.
    assert_eq!(r.parcels[2].state(), ReserveState::Supplied);
    assert!(p1
        .missing_readiness(landplan_core::Date::new(2026, 6, 1).unwrap())
        .contains(&ReadinessItem::Water));
}

#[test]
fn refused_steps_and_unknown_parcels_are_findings_at_their_row_and_column() {
    let files = ["储备地块-错误.csv", "成本-错误.csv"].map(data);
    let r = read_reserve(&files, &ReserveOptions::default());
    let refused: Vec<_> = r
        .findings
        .iter()
        .filter(|f| f.rule == RULE_STEP_REFUSED)
        .collect();
    assert_eq!(refused.len(), 2, "{:#?}", r.findings);
    // CB-09: 拟收储 then 供应 without 入库, at row 2, column 供应日期.
    assert_eq!(refused[0].places.first().unwrap().row, Some(2));
    assert_eq!(
        refused[0].places.first().unwrap().field.as_deref(),
        Some("供应日期")
    );
    assert!(
        refused[0]
            .message
            .contains("地块当前为“拟收储”，不能直接变更为“已供应”"),
        "{}",
        refused[0].message
    );
    // CB-10: 入库 without 权属文件.
    assert!(
        refused[1].message.contains("权属或收储文件"),
        "{}",
        refused[1].message
    );
    assert_eq!(
        refused[1].places.first().unwrap().field.as_deref(),
        Some("入库日期")
    );
    // The parcels keep the steps before the refused one.
    assert_eq!(r.parcels.len(), 3);
    assert!(r
        .parcels
        .iter()
        .all(|p| p.state() == ReserveState::Proposed));
    // An unknown parcel in 成本; the known one attached.
    let unknown: Vec<_> = r
        .findings
        .iter()
        .filter(|f| f.rule == RULE_UNKNOWN_PARCEL)
        .collect();
    assert_eq!(unknown.len(), 1);
    assert!(unknown[0].message.contains("CB-99"));
    assert_eq!(unknown[0].severity, Severity::Error);
    assert_eq!(r.parcels[2].costs.len(), 1);
    // 15 亩 = 1 公顷.
    assert_eq!(r.parcels[0].parcel.area().ha().normalize().to_string(), "1");
}

#[test]
fn a_workbook_of_sheets_is_read_by_sheet_names_and_supply_waits_for_the_checklist() {
    use rust_xlsxwriter::Workbook;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("储备台账.xlsx");
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("储备地块").unwrap();
    ws.write_string(0, 0, "示例县土地储备地块台账").unwrap();
    let headers = [
        "地块编号",
        "面积（亩）",
        "土地用途",
        "拟收储日期",
        "入库日期",
        "供应日期",
        "收储方式",
        "权属文件",
        "查封、抵押、担保已解除",
    ];
    for (c, h) in headers.iter().enumerate() {
        ws.write_string(1, c as u16, *h).unwrap();
    }
    let row = [
        "CB-X1",
        "30",
        "住宅用地",
        "2026-01-05",
        "2026-02-01",
        "2026-06-30",
        "收购",
        "收购合同",
        "是",
    ];
    for (c, v) in row.iter().enumerate() {
        ws.write_string(2, c as u16, *v).unwrap();
    }
    let ws = wb.add_worksheet();
    ws.set_name("净地条件").unwrap();
    for (c, h) in ["编号", "项目", "完成日期"].iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    for (i, item) in ["土地权利清晰", "通路", "通水"].iter().enumerate() {
        ws.write_string(1 + i as u32, 0, "CB-X1").unwrap();
        ws.write_string(1 + i as u32, 1, *item).unwrap();
        ws.write_string(1 + i as u32, 2, "2026-05-01").unwrap();
    }
    wb.save(&path).unwrap();

    let r = read_reserve(&[&path], &ReserveOptions::default());
    assert_eq!(r.parcels.len(), 1, "{:#?}", r.findings);
    assert_eq!(r.parcels[0].state(), ReserveState::Held);
    assert_eq!(r.parcels[0].readiness.len(), 3);
    let f = r
        .findings
        .iter()
        .find(|f| f.rule == RULE_STEP_REFUSED)
        .expect("supply refused");
    assert!(
        f.message.contains("尚未达到净地供应条件")
            && f.message.contains("通电")
            && f.message.contains("场地平整")
            && !f.message.contains("通水"),
        "{}",
        f.message
    );
    let place = f.places.first().unwrap();
    assert!(place.file.as_deref().unwrap().contains("工作表“储备地块”"));
    assert_eq!(place.row, Some(3));
}

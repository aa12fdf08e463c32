//! Round trip: the Word document and the HTML page written for a plan go through the document checker
//! (`landplan_check::check_bytes`, what `landplan check` runs) with no error, and the checker
//! reads back the same total, structure, layout and parcel figures, field by field.
mod common;
use common::*;
use landplan_check::{DocKind, DocumentReport, PlanModel};
use landplan_core::compile::{ClassLine, CompiledPlan, PlanKind, TownshipLine};
use landplan_core::units::round_half_up;
use landplan_core::{Parcel, Severity};
use landplan_report::{render_plan, ReportFormat, ReportOptions};
use rust_decimal::Decimal;

fn check(plan: &CompiledPlan, format: ReportFormat) -> DocumentReport {
    let opts = ReportOptions {
        date: Some("2025年1月8日".into()),
        ..Default::default()
    };
    let bytes = render_plan(plan, format, &opts).unwrap();
    let name = match format {
        ReportFormat::Html => "plan.html",
        _ => "plan.docx",
    };
    landplan_check::check_bytes(name, &bytes)
}

fn no_errors(r: &DocumentReport) {
    assert!(
        r.readable,
        "checker could not read the document: {:?}",
        r.findings
    );
    let errors: Vec<String> = r
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .map(|f| {
            let lines: Vec<String> = f
                .places
                .iter()
                .filter_map(|p| p.line)
                .map(|l| l.to_string())
                .collect();
            format!("{}: {} (lines {})", f.rule, f.message, lines.join(","))
        })
        .collect();
    assert!(
        errors.is_empty(),
        "error findings on a generated plan:\n{}",
        errors.join("\n")
    );
}

fn value(m: &PlanModel, i: usize) -> Decimal {
    m.quantities[i].value
}

fn ha(a: landplan_core::Area, dp: u32) -> Decimal {
    round_half_up(a.ha(), dp).normalize()
}

fn same_structure(m: &PlanModel, structure: &[ClassLine], dp: u32) {
    same_classes("plan", m, structure, dp);
    for (read, c) in m.structure.iter().zip(structure) {
        let share = read.share.map(|i| value(m, i).normalize());
        // Shares are rounded half up from the exact share (the one rule of every writer).
        assert_eq!(
            share,
            Some(round_half_up(c.share.raw, 2).normalize()),
            "{} share",
            c.name
        );
    }
}

fn same_layout(m: &PlanModel, layout: &[TownshipLine], dp: u32) {
    assert_eq!(
        m.layout.len(),
        layout.len(),
        "layout read back: {:?}",
        m.layout.iter().map(|t| &t.name).collect::<Vec<_>>()
    );
    for (read, t) in m.layout.iter().zip(layout) {
        assert_eq!(read.name, t.name);
        assert_eq!(
            read.total.map(|i| value(m, i).normalize()),
            Some(ha(t.area, dp)),
            "{}",
            t.name
        );
        assert_eq!(read.parts.len(), t.classes.len(), "{} parts", t.name);
        for (p, c) in read.parts.iter().zip(&t.classes) {
            assert_eq!(
                value(m, p.quantity).normalize(),
                ha(c.area, dp),
                "{} {}",
                t.name,
                c.name
            );
        }
    }
}

fn same_parcels(m: &PlanModel, parcels: &[Parcel], dp: u32) {
    assert_eq!(m.parcels.len(), parcels.len(), "parcels read back");
    for (read, p) in m.parcels.iter().zip(parcels) {
        assert_eq!(read.id, p.id);
        assert_eq!(
            read.area.map(|i| value(m, i).normalize()),
            Some(ha(p.area(), dp)),
            "{}",
            p.id
        );
    }
}

/// The Word document and the HTML page (the public disclosure page, charts included) both
/// read back.
fn roundtrip(plan: &CompiledPlan) {
    for format in [ReportFormat::Docx, ReportFormat::Html] {
        roundtrip_as(plan, format);
    }
}

fn roundtrip_as(plan: &CompiledPlan, format: ReportFormat) {
    let r = check(plan, format);
    no_errors(&r);
    let m = &r.plan;
    let kind = match plan.kind() {
        PlanKind::Supply => DocKind::Supply,
        PlanKind::Reserve => DocKind::Reserve,
    };
    assert_eq!(m.kind, kind);
    let p = plan;
    assert_eq!(m.region.as_deref(), Some(p.region.as_str()));
    assert_eq!(m.year, p.year);
    let total = m.total.expect("total read back");
    // At the published precision: totals, classes and townships at two decimals, parcels at
    // four.
    let pr = landplan_report::Precision::default();
    assert_eq!(value(m, total).normalize(), ha(p.total, pr.area_dp));
    same_structure(m, &p.structure, pr.area_dp);
    same_layout(m, &p.layout, pr.area_dp);
    same_parcels(m, &p.parcels, pr.parcel_dp);
}

#[test]
fn demo_supply_plan_reads_back_through_the_checker() {
    roundtrip(&demo_supply());
}

#[test]
fn demo_reserve_plan_reads_back_through_the_checker() {
    roundtrip(&demo_reserve());
}

#[test]
fn large_generated_plan_reads_back_through_the_checker() {
    // 5,000 parcels over 12 townships.
    roundtrip(&large_supply(5000, 12));
}

#[test]
fn demo_county_supply_ledger_reads_back_through_the_checker() {
    let plan = demo_ledger(
        "example-county-supply-2025.csv",
        landplan_core::PlanKind::Supply,
    );
    assert_eq!(plan.kind(), PlanKind::Supply);
    assert_eq!(plan.parcel_count, 300);
    roundtrip(&plan);
}

#[test]
fn demo_county_reserve_ledger_reads_back_through_the_checker() {
    let plan = demo_ledger(
        "example-county-reserve-2025.csv",
        landplan_core::PlanKind::Reserve,
    );
    roundtrip(&plan);
}

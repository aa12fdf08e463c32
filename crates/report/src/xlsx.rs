//! The Excel 附表 (.xlsx), written with rust_xlsxwriter.
//!
//! Figures from the compiled plan are written as numbers rounded to the plan's display
//! precision; every sum a user expects (合计, 小计, row totals, cumulative columns, shares) is a
//! live formula, so a user who edits a figure sees the totals follow. Number formats are fixed
//! to the plan's precision; the font is a CJK face (宋体, substituted by any CJK font).
//!
//! Every formula also carries its cached result (what Excel stores after calculating), computed
//! exactly with `Decimal` from the figures written to the sheet and written as the cell displays
//! it. Excel and LibreOffice recalculate on open anyway; readers that do not calculate (the
//! document checker, pandas, calamine) see the totals instead of empty cells.
//!
//! One workbook for both kinds: the structure, layout and parcel sheets are written once with
//! the kind's columns; a supply plan adds its housing and timing sheets, a reserve plan its
//! funds sheet.

use crate::plan_doc::Plan;
use crate::plan_doc::{
    housing_stated, is_residential, layout_columns, plan_subject, quarter_label, timing_label,
    year_text,
};
use crate::ReportError;
use landplan_core::compile::{CompiledPlan, PlanKind, PlanParts, ReserveParts, SupplyParts};
use landplan_core::parcel::{HousingType, Parcel};
use landplan_core::reserve::annual::AnnualParts;
use landplan_core::reserve::CostKind;
use landplan_core::units::fmt_dp;
use landplan_core::view::Precision;
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use rust_xlsxwriter::utility::row_col_to_cell;
use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Formula, Workbook, Worksheet};
use std::collections::HashMap;

const FONT: &str = "宋体";

pub(crate) struct Formats {
    title: Format,
    unit: Format,
    header: Format,
    text: Format,
    area: Format,
    /// An area that is a part of a category (a class's 新增 or 存量, a township's class):
    /// shown at the precision, and as "—" when it is 0 (the category has no land), as the Word
    /// 附表 show it; the cell stays the number 0, so the sums over it are unchanged.
    part_area: Format,
    parcel_area: Format,
    pct: Format,
    int: Format,
    money: Format,
    total_text: Format,
    total_area: Format,
    metres: Format,
}

impl Formats {
    pub(crate) fn new(pr: Precision) -> Formats {
        let dp = pr.area_dp;
        let base = Format::new().set_font_name(FONT).set_font_size(11);
        let cell = base.clone().set_border(FormatBorder::Thin);
        let zeros = |n: u32| {
            if n == 0 {
                "0".to_string()
            } else {
                format!("0.{}", "0".repeat(n as usize))
            }
        };
        Formats {
            title: base
                .clone()
                .set_font_size(16)
                .set_bold()
                .set_align(FormatAlign::Center),
            unit: base.clone().set_align(FormatAlign::Right),
            header: cell
                .clone()
                .set_bold()
                .set_align(FormatAlign::Center)
                .set_align(FormatAlign::VerticalCenter)
                .set_text_wrap(),
            text: cell.clone(),
            area: cell.clone().set_num_format(zeros(dp)),
            part_area: cell
                .clone()
                .set_num_format(format!("{z};-{z};\"—\"", z = zeros(dp))),
            parcel_area: cell.clone().set_num_format(zeros(pr.parcel_dp)),
            pct: cell.clone().set_num_format("0.00"),
            int: cell.clone().set_num_format("0"),
            money: cell.clone().set_num_format("0.00"),
            total_text: cell.clone().set_bold(),
            total_area: cell.clone().set_bold().set_num_format(zeros(dp)),
            metres: cell.set_num_format("0.00"),
        }
    }
}

/// The values of one sheet's cells as written: numbers exactly (shown at the precision by their
/// format), formulas at their exact result. Each formula's cached result is computed from the
/// cells it refers to, as Excel would compute it, but exactly, and written as the cell shows it;
/// so every figure the sheet shows is the exact figure rounded once, as in the Word plan.
#[derive(Default)]
struct Vals(HashMap<(u32, u16), Decimal>);

impl Vals {
    /// The value of a cell; an empty cell counts as 0 (as in Excel's SUM).
    fn get(&self, r: u32, c: u16) -> Decimal {
        self.0.get(&(r, c)).copied().unwrap_or(Decimal::ZERO)
    }

    /// Write a number exactly (its format shows it at the precision) and remember it.
    fn number(
        &mut self,
        ws: &mut Worksheet,
        (r, c): (u32, u16),
        v: Decimal,
        _dp: u32,
        format: &Format,
    ) -> Result<(), ReportError> {
        self.0.insert((r, c), v);
        ws.write_number_with_format(r, c, v.to_f64().unwrap_or(0.0), format)?;
        Ok(())
    }

    /// Write a formula whose exact value is `v`; its cached result is `v` as the cell displays
    /// it (`dp` decimals).
    fn formula(
        &mut self,
        ws: &mut Worksheet,
        (r, c): (u32, u16),
        formula: Formula,
        v: Decimal,
        dp: u32,
        format: &Format,
    ) -> Result<(), ReportError> {
        self.0.insert((r, c), v);
        ws.write_formula_with_format(r, c, formula.set_result(fmt_dp(v, dp)), format)?;
        Ok(())
    }

    /// `=SUM(..)` of `col` over `rows`, with its cached result.
    fn sum(
        &mut self,
        ws: &mut Worksheet,
        at: (u32, u16),
        col: u16,
        rows: &[u32],
        dp: u32,
        format: &Format,
    ) -> Result<(), ReportError> {
        let v = rows.iter().map(|&r| self.get(r, col)).sum();
        self.formula(ws, at, sum_formula(col, rows), v, dp, format)
    }

    /// Part ÷ whole × 100 (0 when the whole is 0), with its cached result at 2 decimals.
    fn share(
        &mut self,
        ws: &mut Worksheet,
        at: (u32, u16),
        part: (u32, u16),
        whole: (u32, u16),
        format: &Format,
    ) -> Result<(), ReportError> {
        let w = self.get(whole.0, whole.1);
        let v = if w.is_zero() {
            Decimal::ZERO
        } else {
            self.get(part.0, part.1) / w * Decimal::ONE_HUNDRED
        };
        let f = share_formula(&cell(part.0, part.1), &cell(whole.0, whole.1));
        self.formula(ws, at, f, v, 2, format)
    }
}

fn cell(row: u32, col: u16) -> String {
    row_col_to_cell(row, col)
}

/// Write title, unit and header; returns the first body row.
fn head(
    ws: &mut Worksheet,
    f: &Formats,
    label: &str,
    caption: &str,
    unit: &str,
    header: &[&str],
    widths: &[f64],
) -> Result<u32, ReportError> {
    let last = (header.len() as u16).saturating_sub(1);
    ws.write_string(0, 0, label)?;
    ws.merge_range(1, 0, 1, last, caption, &f.title)?;
    ws.merge_range(2, 0, 2, last, unit, &f.unit)?;
    for (i, h) in header.iter().enumerate() {
        ws.write_string_with_format(3, i as u16, *h, &f.header)?;
    }
    for (i, w) in widths.iter().enumerate() {
        ws.set_column_width(i as u16, *w)?;
    }
    ws.set_freeze_panes(4, 0)?;
    // Print: A4, one page wide (as many pages tall as needed), landscape for wide tables,
    // header rows repeated on every page.
    ws.set_paper_size(9);
    ws.set_print_fit_to_pages(1, 0);
    ws.set_print_center_horizontally(true);
    if header.len() > 5 {
        ws.set_landscape();
    }
    ws.set_repeat_rows(3, 3)?;
    Ok(4)
}

fn sum_formula(col: u16, rows: &[u32]) -> Formula {
    if rows.is_empty() {
        return Formula::new("=0");
    }
    let contiguous = rows.windows(2).all(|w| w[1] == w[0] + 1);
    if contiguous {
        Formula::new(format!(
            "=SUM({}:{})",
            cell(rows[0], col),
            cell(*rows.last().unwrap_or(&rows[0]), col)
        ))
    } else {
        let list: Vec<String> = rows.iter().map(|r| cell(*r, col)).collect();
        Formula::new(format!("=SUM({})", list.join(",")))
    }
}

/// Share formula: part ÷ whole × 100, 0 when the whole is 0.
fn share_formula(part: &str, whole: &str) -> Formula {
    Formula::new(format!("=IF({whole}=0,0,{part}/{whole}*100)"))
}

/// Write a compiled plan's 附表 as .xlsx bytes.
pub(crate) fn write(
    plan: &CompiledPlan,
    pr: Precision,
    map: Option<&crate::map::MapInput>,
    adjustment: Option<&crate::adjust::Adjustment>,
) -> Result<Vec<u8>, ReportError> {
    let mut wb = Workbook::new();
    // The same plan gives the same bytes on every run (the public site publishes each file's
    // SHA-256): the document's creation time is fixed, as the zip entries' times are.
    let created = rust_xlsxwriter::ExcelDateTime::from_ymd(1980, 1, 1)?;
    wb.set_properties(&rust_xlsxwriter::DocProperties::new().set_creation_datetime(&created));
    let f = Formats::new(pr);
    let plan = &crate::plan_doc::Plan { plan, pr };
    structure_sheet(&mut wb, &f, plan)?;
    match &plan.parts {
        PlanParts::Supply(s) => {
            if housing_stated(s) {
                housing_sheet(&mut wb, &f, plan, s)?;
            }
            // The sheets after the housing sheet are numbered on from it.
            let n = if housing_stated(s) { 3 } else { 2 };
            layout_sheet(&mut wb, &f, plan, &format!("附表{n}"))?;
            timing_sheet(&mut wb, &f, plan, s, &format!("附表{}", n + 1))?;
            if !plan.parcels.is_empty() {
                parcel_sheet(&mut wb, &f, plan, &format!("附表{}", n + 2), map)?;
            }
        }
        PlanParts::Reserve(r) if r.annual.is_some() => {
            let a = r.annual.as_deref().expect("matched");
            layout_sheet(&mut wb, &f, plan, "附表2")?;
            parts_sheet(
                &mut wb,
                &f,
                pr,
                "计划构成",
                "附表3",
                &caption(plan, "土地储备计划构成表"),
                a,
                false,
            )?;
            annual_funds_sheet(&mut wb, &f, plan, a, "附表4")?;
            let mut n = 5;
            if !a.refused.is_empty() {
                refused_sheet(&mut wb, &f, plan, a, "附表5")?;
                n += 1;
            }
            if !plan.parcels.is_empty() {
                parcel_sheet(&mut wb, &f, plan, &format!("附表{n}"), map)?;
            }
        }
        PlanParts::Reserve(r) => {
            // The order of the Word 附表: the parcel list last.
            layout_sheet(&mut wb, &f, plan, "附表2")?;
            funds_sheet(&mut wb, &f, plan, r, "附表3")?;
            if !plan.parcels.is_empty() {
                parcel_sheet(&mut wb, &f, plan, "附表4", map)?;
            }
        }
    }
    if let Some(a) = adjustment {
        // Numbered on from the sheets before it, as in the Word 附表.
        let n = wb.worksheets().len() + 1;
        adjustment_sheet(&mut wb, &f, plan, a, &format!("附表{n}"))?;
    }
    Ok(wb.save_to_buffer()?)
}

/// `{region}{year}年度{what}`, as captions read.
fn caption(p: &Plan<'_>, what: &str) -> String {
    format!("{}{}年度{what}", p.region, year_text(p.year))
}

/// 附表1: class × area, 新增, 存量, 合计. A supply plan's sheet has 新增 before 存量 and the
/// housing types as 其中 sub-rows of 住宅用地 with a 小计; a reserve plan's has 存量 first and
/// a share column.
fn structure_sheet(wb: &mut Workbook, f: &Formats, p: &Plan<'_>) -> Result<(), ReportError> {
    let dp = p.pr.area_dp;
    let supply = p.supply();
    let (name, what, unit, header, widths): (&str, &str, &str, &[&str], &[f64]) = match supply {
        Some(_) => (
            "供应计划表",
            "国有建设用地供应计划表",
            "单位：公顷",
            &["用地类型", "供应面积", "新增", "存量"],
            &[24.0, 12.0, 12.0, 12.0],
        ),
        None => (
            "储备规模与结构",
            "土地储备规模与结构表",
            "单位：公顷、%",
            &["用地类型", "储备面积", "存量", "新增", "占比"],
            &[22.0, 12.0, 12.0, 12.0, 10.0],
        ),
    };
    let ws = wb.add_worksheet().set_name(name)?;
    let mut r = head(ws, f, "附表1", &caption(p, what), unit, header, widths)?;
    let mut v = Vals::default();
    let mut class_rows = Vec::new();
    for c in &p.structure {
        let (col2, col3) = match supply {
            Some(_) => (c.new, c.stock),
            None => (c.stock, c.new),
        };
        ws.write_string_with_format(r, 0, &c.name, &f.text)?;
        v.number(ws, (r, 1), c.area.ha(), dp, &f.area)?;
        v.number(ws, (r, 2), col2.ha(), dp, &f.part_area)?;
        v.number(ws, (r, 3), col3.ha(), dp, &f.part_area)?;
        class_rows.push(r);
        r += 1;
        if let Some(s) = supply.filter(|s| is_residential(&c.code) && housing_stated(s)) {
            r = housing_rows(ws, f, &mut v, r, s, dp)?;
        }
    }
    ws.write_string_with_format(r, 0, "合计", &f.total_text)?;
    for col in 1..=3 {
        v.sum(ws, (r, col), col, &class_rows, dp, &f.total_area)?;
    }
    if supply.is_none() {
        for row in class_rows.iter().copied().chain([r]) {
            v.share(ws, (row, 4), (row, 1), (r, 1), &f.pct)?;
        }
    }
    Ok(())
}

/// The 其中 rows of housing land, one per housing type of the plan (the one list the Word
/// plan, the terminal and the JSON give), and their 小计, from row `r`; returns the row after
/// them.
fn housing_rows(
    ws: &mut Worksheet,
    f: &Formats,
    v: &mut Vals,
    mut r: u32,
    s: &SupplyParts,
    dp: u32,
) -> Result<u32, ReportError> {
    let first = r;
    for h in &s.housing {
        ws.write_string_with_format(r, 0, format!("其中：{}", h.kind.label()), &f.text)?;
        v.number(ws, (r, 1), h.area.ha(), dp, &f.area)?;
        ws.write_blank(r, 2, &f.text)?;
        ws.write_blank(r, 3, &f.text)?;
        r += 1;
    }
    ws.write_string_with_format(r, 0, "　小计", &f.total_text)?;
    let rows: Vec<u32> = (first..r).collect();
    v.sum(ws, (r, 1), 1, &rows, dp, &f.total_area)?;
    ws.write_blank(r, 2, &f.text)?;
    ws.write_blank(r, 3, &f.text)?;
    Ok(r + 1)
}

/// 附表2 of a supply plan: housing types with their shares, and the 保障性安居工程 + 中小套型
/// row.
fn housing_sheet(
    wb: &mut Workbook,
    f: &Formats,
    p: &Plan<'_>,
    s: &SupplyParts,
) -> Result<(), ReportError> {
    let dp = p.pr.area_dp;
    let ws = wb.add_worksheet().set_name("住宅用地")?;
    let mut r = head(
        ws,
        f,
        "附表2",
        &caption(p, "住宅用地供应计划表"),
        "单位：公顷、%",
        &["住宅类型", "供应面积", "占住宅用地比例"],
        &[28.0, 12.0, 14.0],
    )?;
    let first = r;
    let n = s.housing.len() as u32;
    let total_row = first + n;
    let total = (total_row, 1);
    let mut v = Vals::default();
    let mut policy_rows = Vec::new();
    for h in &s.housing {
        ws.write_string_with_format(r, 0, h.kind.label(), &f.text)?;
        v.number(ws, (r, 1), h.area.ha(), dp, &f.area)?;
        if h.kind.is_affordable_project() || h.kind == HousingType::SmallCommodity {
            policy_rows.push(r);
        }
        r += 1;
    }
    ws.write_string_with_format(r, 0, "合计", &f.total_text)?;
    let rows: Vec<u32> = (first..r).collect();
    v.sum(ws, (r, 1), 1, &rows, dp, &f.total_area)?;
    r += 1;
    ws.write_string_with_format(r, 0, "保障性安居工程和中小套型商品住房", &f.total_text)?;
    v.sum(ws, (r, 1), 1, &policy_rows, dp, &f.total_area)?;
    // Shares last: they refer to the total written above.
    for row in first..=r {
        v.share(ws, (row, 2), (row, 1), total, &f.pct)?;
    }
    Ok(())
}

/// A supply plan's timing: quarters with cumulative formulas, the unscheduled area, 合计.
fn timing_sheet(
    wb: &mut Workbook,
    f: &Formats,
    p: &Plan<'_>,
    s: &SupplyParts,
    label: &str,
) -> Result<(), ReportError> {
    let dp = p.pr.area_dp;
    let ws = wb.add_worksheet().set_name("供应时序")?;
    let mut r = head(
        ws,
        f,
        label,
        &caption(p, "国有建设用地供应时序表"),
        "单位：公顷、%",
        &["季度", "计划供应面积", "占比", "累计供应面积", "累计占比"],
        &[12.0, 14.0, 10.0, 14.0, 10.0],
    )?;
    let first = r;
    let n = s.timing.len() as u32 + u32::from(s.unscheduled.is_positive());
    let total = (first + n, 1);
    let mut v = Vals::default();
    for q in &s.timing {
        ws.write_string_with_format(r, 0, quarter_label(q.quarter), &f.text)?;
        v.number(ws, (r, 1), q.area.ha(), dp, &f.area)?;
        let cumulative = (first..=r).map(|row| v.get(row, 1)).sum();
        v.formula(
            ws,
            (r, 3),
            Formula::new(format!(
                "=SUM({}:{})",
                row_col_to_cell_abs_row(first, 1),
                cell(r, 1)
            )),
            cumulative,
            dp,
            &f.area,
        )?;
        r += 1;
    }
    if s.unscheduled.is_positive() {
        ws.write_string_with_format(r, 0, "未明确时间", &f.text)?;
        v.number(ws, (r, 1), s.unscheduled.ha(), dp, &f.area)?;
        ws.write_blank(r, 3, &f.text)?;
        ws.write_blank(r, 4, &f.text)?;
        r += 1;
    }
    ws.write_string_with_format(r, 0, "合计", &f.total_text)?;
    let rows: Vec<u32> = (first..r).collect();
    v.sum(ws, (r, 1), 1, &rows, dp, &f.total_area)?;
    // Shares once the total is known; the share total sums the exact shares above.
    for (i, row) in rows.iter().enumerate() {
        v.share(ws, (*row, 2), (*row, 1), total, &f.pct)?;
        if i < s.timing.len() {
            v.share(ws, (*row, 4), (*row, 3), total, &f.pct)?;
        }
    }
    v.sum(ws, (r, 2), 2, &rows, 2, &f.pct)?;
    ws.write_blank(r, 3, &f.text)?;
    ws.write_blank(r, 4, &f.text)?;
    Ok(())
}

fn row_col_to_cell_abs_row(row: u32, col: u16) -> String {
    let c = cell(row, col);
    let split = c.find(|ch: char| ch.is_ascii_digit()).unwrap_or(c.len());
    format!("{}${}", &c[..split], &c[split..])
}

/// Township × class with row totals and column totals as formulas.
fn layout_sheet(
    wb: &mut Workbook,
    f: &Formats,
    p: &Plan<'_>,
    label: &str,
) -> Result<(), ReportError> {
    let dp = p.pr.area_dp;
    let cols = layout_columns(&p.structure);
    let name = match p.kind() {
        PlanKind::Supply => "供应布局",
        PlanKind::Reserve => "储备布局",
    };
    let ws = wb.add_worksheet().set_name(name)?;
    let mut header = vec!["乡镇（区域）", "合计"];
    header.extend(cols.iter().map(|(_, n)| n.as_str()));
    let mut widths = vec![16.0, 14.0];
    widths.extend(cols.iter().map(|_| 14.0));
    let caption = caption(p, &format!("{}布局表", plan_subject(p.kind())));
    let mut r = head(ws, f, label, &caption, "单位：公顷", &header, &widths)?;
    let first = r;
    let last_col = 1 + cols.len() as u16;
    let mut v = Vals::default();
    for t in &p.layout {
        ws.write_string_with_format(r, 0, &t.name, &f.text)?;
        for (i, (code, _)) in cols.iter().enumerate() {
            v.number(
                ws,
                (r, 2 + i as u16),
                t.class_area(code).ha(),
                dp,
                &f.part_area,
            )?;
        }
        let row_total = (2..=last_col).map(|c| v.get(r, c)).sum();
        v.formula(
            ws,
            (r, 1),
            Formula::new(format!("=SUM({}:{})", cell(r, 2), cell(r, last_col))),
            row_total,
            dp,
            &f.total_area,
        )?;
        r += 1;
    }
    ws.write_string_with_format(r, 0, "合计", &f.total_text)?;
    let rows: Vec<u32> = (first..r).collect();
    for col in 1..=last_col {
        v.sum(ws, (r, col), col, &rows, dp, &f.total_area)?;
    }
    Ok(())
}

/// The parcel list with a sum row: the columns every plan has, then the kind's own two
/// (供应方式 and 供应时间; 储备状态 and 资金需求（万元）, summed).
fn parcel_sheet(
    wb: &mut Workbook,
    f: &Formats,
    p: &Plan<'_>,
    label: &str,
    map: Option<&crate::map::MapInput>,
) -> Result<(), ReportError> {
    let dp = p.pr.area_dp;
    let kind = p.kind();
    let places = map.map(parcel_places).unwrap_or_default();
    let (name, what, unit, tail) = match kind {
        PlanKind::Supply => (
            "地块清单",
            "拟供应国有建设用地地块清单",
            "单位：公顷",
            ["供应方式", "供应时间"],
        ),
        PlanKind::Reserve => (
            "储备地块清单",
            "土地储备地块清单",
            "单位：公顷、万元",
            ["储备状态", "资金需求（万元）"],
        ),
    };
    let ws = wb.add_worksheet().set_name(name)?;
    let mut header = vec![
        "序号",
        "地块编号",
        "坐落",
        "乡镇",
        "用途",
        "面积（公顷）",
        "来源",
    ];
    header.extend(tail);
    let mut widths = vec![6.0, 16.0, 30.0, 12.0, 16.0, 14.0, 8.0, 12.0, 16.0];
    let mut unit = unit.to_string();
    if let Some(m) = map.filter(|_| !places.is_empty()) {
        // Each parcel's place in the map's coordinate system: centroid and extent.
        header.extend(COORD_HEADER);
        widths.extend([16.0, 16.0, 24.0, 24.0]);
        let min_e = places
            .values()
            .map(|p| p.extent.0)
            .fold(f64::INFINITY, f64::min);
        unit = format!("{unit}；{}", crate::map::crs_note(m.crs, min_e));
    }
    let mut r = head(ws, f, label, &caption(p, what), &unit, &header, &widths)?;
    let first = r;
    let mut v = Vals::default();
    for (i, x) in p.parcels.iter().enumerate() {
        ws.write_number_with_format(r, 0, (i + 1) as f64, &f.int)?;
        ws.write_string_with_format(r, 1, &x.id, &f.text)?;
        ws.write_string_with_format(r, 2, x.location.as_deref().unwrap_or(""), &f.text)?;
        ws.write_string_with_format(r, 3, x.township.as_deref().unwrap_or(""), &f.text)?;
        ws.write_string_with_format(r, 4, &x.class_text, &f.text)?;
        v.number(ws, (r, 5), x.area().ha(), p.pr.parcel_dp, &f.parcel_area)?;
        ws.write_string_with_format(r, 6, x.source.map(|s| s.label()).unwrap_or(""), &f.text)?;
        parcel_tail(ws, f, &mut v, r, kind, x)?;
        if !places.is_empty() {
            match places.get(&x.id) {
                Some(pl) => {
                    ws.write_number_with_format(r, 9, pl.centroid.0, &f.metres)?;
                    ws.write_number_with_format(r, 10, pl.centroid.1, &f.metres)?;
                    let (e0, n0, e1, n1) = pl.extent;
                    ws.write_string_with_format(r, 11, format!("{e0:.2}—{e1:.2}"), &f.text)?;
                    ws.write_string_with_format(r, 12, format!("{n0:.2}—{n1:.2}"), &f.text)?;
                }
                None => {
                    ws.write_string_with_format(r, 9, "无几何", &f.text)?;
                }
            }
        }
        r += 1;
    }
    ws.write_string_with_format(r, 1, "合计", &f.total_text)?;
    let rows: Vec<u32> = (first..r).collect();
    v.sum(ws, (r, 5), 5, &rows, dp, &f.total_area)?;
    if kind == PlanKind::Reserve {
        v.sum(ws, (r, 8), 8, &rows, 2, &f.money)?;
    }
    Ok(())
}

/// The coordinate columns of the parcel list (planar metres, X east, Y north).
const COORD_HEADER: [&str; 4] = [
    "中心点东坐标（米）",
    "中心点北坐标（米）",
    "东西范围（米）",
    "南北范围（米）",
];

/// Where a parcel is: its centroid and its extent (min east, min north, max east, max north).
struct Place {
    centroid: (f64, f64),
    extent: (f64, f64, f64, f64),
}

/// The places of the map's parcels by parcel id (the feature's label).
fn parcel_places(map: &crate::map::MapInput) -> HashMap<String, Place> {
    use landplan_geo::geo::{BoundingRect, Centroid};
    map.parcels
        .iter()
        .filter_map(|f| {
            let c = f.geometry.centroid()?;
            let r = f.geometry.bounding_rect()?;
            Some((
                f.label.clone(),
                Place {
                    centroid: (c.x(), c.y()),
                    extent: (r.min().x, r.min().y, r.max().x, r.max().y),
                },
            ))
        })
        .collect()
}

/// A parcel's cells in the kind's own columns (7 and 8).
fn parcel_tail(
    ws: &mut Worksheet,
    f: &Formats,
    v: &mut Vals,
    r: u32,
    kind: PlanKind,
    x: &Parcel,
) -> Result<(), ReportError> {
    match kind {
        PlanKind::Supply => {
            ws.write_string_with_format(r, 7, x.method.map(|m| m.label()).unwrap_or(""), &f.text)?;
            ws.write_string_with_format(r, 8, timing_label(x.timing), &f.text)?;
        }
        PlanKind::Reserve => {
            ws.write_string_with_format(
                r,
                7,
                x.reserve_status.map(|s| s.label()).unwrap_or(""),
                &f.text,
            )?;
            match x.funds {
                Some(m) => v.number(ws, (r, 8), m.wan_yuan(), 2, &f.money)?,
                None => {
                    ws.write_blank(r, 8, &f.text)?;
                }
            };
        }
    }
    Ok(())
}

/// The 调整对照表 of an adjusted plan: 原计划, 调整后 and 增减 as numbers (exact, shown at the
/// precision; "—" where a class or township is absent in that version; the change is a record
/// of the two versions, not a working sum), then the reason under the table.
fn adjustment_sheet(
    wb: &mut Workbook,
    f: &Formats,
    p: &Plan<'_>,
    a: &crate::adjust::Adjustment,
    label: &str,
) -> Result<(), ReportError> {
    use crate::adjust::{lines, rows, Group, Line, HEADER};
    let dp = p.pr.area_dp;
    let ws = wb.add_worksheet().set_name("调整对照表")?;
    let caption = crate::adjust::caption(p);
    let mut r = head(
        ws,
        f,
        label,
        &caption,
        "单位：公顷",
        &HEADER,
        &[24.0, 14.0, 14.0, 14.0],
    )?;
    let mut v = Vals::default();
    for line in lines(&rows(&a.before, p.plan)) {
        match line {
            Line::Heading(h) => {
                ws.write_string_with_format(r, 0, h, &f.total_text)?;
                for col in 1..=3 {
                    ws.write_blank(r, col, &f.text)?;
                }
            }
            Line::Figures(row) => {
                let (text, area) = if row.group == Group::Total {
                    (&f.total_text, &f.total_area)
                } else {
                    (&f.text, &f.area)
                };
                ws.write_string_with_format(r, 0, &row.name, text)?;
                for (col, x) in [(1u16, row.before), (2, row.after)] {
                    match x {
                        Some(x) => v.number(ws, (r, col), x, dp, area)?,
                        None => {
                            ws.write_string_with_format(r, col, "—", text)?;
                        }
                    }
                }
                v.number(ws, (r, 3), row.delta(), dp, area)?;
            }
        }
        r += 1;
    }
    ws.merge_range(
        r,
        0,
        r,
        3,
        &crate::adjust::reason_line(a),
        &Format::new().set_font_name(FONT).set_text_wrap(),
    )?;
    ws.set_row_height(r, 32)?;
    Ok(())
}

/// A reserve plan's funds by status, with 合计.
fn funds_sheet(
    wb: &mut Workbook,
    f: &Formats,
    p: &Plan<'_>,
    res: &ReserveParts,
    label: &str,
) -> Result<(), ReportError> {
    let dp = p.pr.area_dp;
    let ws = wb.add_worksheet().set_name("资金需求")?;
    let mut r = head(
        ws,
        f,
        label,
        &caption(p, "土地储备资金需求表"),
        "单位：公顷、宗、万元",
        &["储备状态", "面积", "地块数", "资金需求"],
        &[16.0, 14.0, 10.0, 16.0],
    )?;
    let first = r;
    let mut v = Vals::default();
    for s in &res.status {
        ws.write_string_with_format(r, 0, &s.name, &f.text)?;
        v.number(ws, (r, 1), s.area.ha(), dp, &f.area)?;
        v.number(ws, (r, 2), Decimal::from(s.parcels), 0, &f.int)?;
        v.number(ws, (r, 3), s.funds.wan_yuan(), 2, &f.money)?;
        r += 1;
    }
    ws.write_string_with_format(r, 0, "合计", &f.total_text)?;
    let rows: Vec<u32> = (first..r).collect();
    v.sum(ws, (r, 1), 1, &rows, dp, &f.total_area)?;
    v.sum(ws, (r, 2), 2, &rows, 0, &f.int)?;
    v.sum(ws, (r, 3), 3, &rows, 2, &f.money)?;
    Ok(())
}

/// The annual plan's parts (上年度末结转 … 年末库存) with areas and parcel counts, then the stock
/// flow line as a formula over the part rows. With `detail` (the three-year plan's sheet of
/// each year) also 亩 (formulas) and the parcels' 编号; the annual plan's own sheet leaves them
/// out, as its Word 附表 does (see [`crate::annex::parts_table`]).
#[allow(clippy::too_many_arguments)]
pub(crate) fn parts_sheet(
    wb: &mut Workbook,
    f: &Formats,
    pr: Precision,
    name: &str,
    label: &str,
    caption: &str,
    a: &AnnualParts,
    detail: bool,
) -> Result<(), ReportError> {
    let dp = pr.area_dp;
    let ws = wb.add_worksheet().set_name(name)?;
    let (unit, header, widths): (&str, &[&str], &[f64]) = if detail {
        (
            "单位：公顷、亩、宗",
            &["项目", "面积（公顷）", "面积（亩）", "地块数", "地块编号"],
            &[30.0, 14.0, 14.0, 10.0, 60.0],
        )
    } else {
        (
            "单位：公顷、宗",
            &["项目", "面积", "地块数"],
            &[30.0, 14.0, 10.0],
        )
    };
    let mut r = head(ws, f, label, caption, unit, header, widths)?;
    let count_col: u16 = if detail { 3 } else { 2 };
    let mut v = Vals::default();
    let mut at = HashMap::new();
    let mu = |v: &mut Vals, ws: &mut Worksheet, r: u32, format: &Format| {
        let value = v.get(r, 1) * Decimal::from(15);
        v.formula(
            ws,
            (r, 2),
            Formula::new(format!("={}*15", cell(r, 1))),
            value,
            dp,
            format,
        )
    };
    for (id, label, part) in a.labelled_parts() {
        ws.write_string_with_format(r, 0, label, &f.text)?;
        v.number(ws, (r, 1), part.area.ha(), dp, &f.area)?;
        if detail {
            mu(&mut v, ws, r, &f.area)?;
        }
        v.number(ws, (r, count_col), Decimal::from(part.count()), 0, &f.int)?;
        if detail {
            let ids: Vec<String> = part
                .parcels
                .iter()
                .map(|x| {
                    if x.planned && id != "new_proposed" {
                        format!("{}（计划）", x.id)
                    } else {
                        x.id.clone()
                    }
                })
                .collect();
            ws.write_string_with_format(r, 4, ids.join("、"), &f.text)?;
        }
        at.insert(id, r);
        r += 1;
    }
    ws.write_string_with_format(r, 0, "年末库存（按结转＋新增－供应－退出）", &f.total_text)?;
    let c = |id: &str| cell(at[id], 1);
    v.formula(
        ws,
        (r, 1),
        Formula::new(format!(
            "={}+{}+{}-{}-{}",
            c("carried_over"),
            c("new_proposed"),
            c("new_held"),
            c("supply"),
            c("exited")
        )),
        a.year_end_by_flows().ha(),
        dp,
        &f.total_area,
    )?;
    if detail {
        mu(&mut v, ws, r, &f.total_area)?;
    }
    Ok(())
}

/// 资金需求 by source (rows) and cost kind (columns), 万元, with SUM totals.
fn annual_funds_sheet(
    wb: &mut Workbook,
    f: &Formats,
    p: &Plan<'_>,
    a: &AnnualParts,
    label: &str,
) -> Result<(), ReportError> {
    let ws = wb.add_worksheet().set_name("资金需求")?;
    let kinds: Vec<CostKind> = CostKind::ALL
        .into_iter()
        .filter(|k| a.funds.iter().any(|x| x.kinds.iter().any(|y| y.kind == *k)))
        .collect();
    let mut header = vec!["资金来源"];
    header.extend(kinds.iter().map(|k| k.label()));
    header.push("合计");
    let widths: Vec<f64> = header.iter().map(|_| 16.0).collect();
    let mut r = head(
        ws,
        f,
        label,
        &caption(p, "土地储备资金需求表"),
        "单位：万元",
        &header,
        &widths,
    )?;
    let first = r;
    let last_col = kinds.len() as u16 + 1;
    let mut v = Vals::default();
    for line in &a.funds {
        ws.write_string_with_format(r, 0, line.source.label(), &f.text)?;
        for (i, k) in kinds.iter().enumerate() {
            let amount = line
                .kinds
                .iter()
                .find(|x| x.kind == *k)
                .map(|x| x.amount.wan_yuan())
                .unwrap_or(Decimal::ZERO);
            v.number(ws, (r, i as u16 + 1), amount, 2, &f.money)?;
        }
        let total: Decimal = (1..last_col).map(|c| v.get(r, c)).sum();
        v.formula(
            ws,
            (r, last_col),
            Formula::new(format!("=SUM({}:{})", cell(r, 1), cell(r, last_col - 1))),
            total,
            2,
            &f.money,
        )?;
        r += 1;
    }
    ws.write_string_with_format(r, 0, "合计", &f.total_text)?;
    let rows: Vec<u32> = (first..r).collect();
    for c in 1..=last_col {
        v.sum(ws, (r, c), c, &rows, 2, &f.money)?;
    }
    Ok(())
}

/// The parcels planned for supply in the year but not ready, with the items they miss.
fn refused_sheet(
    wb: &mut Workbook,
    f: &Formats,
    p: &Plan<'_>,
    a: &AnnualParts,
    label: &str,
) -> Result<(), ReportError> {
    let ws = wb.add_worksheet().set_name("未列入供应")?;
    let first = head(
        ws,
        f,
        label,
        &caption(p, "未列入储备土地供应的地块"),
        "单位：公顷",
        &["地块编号", "土地坐落", "面积", "计划供应日", "未完成事项"],
        &[18.0, 36.0, 12.0, 16.0, 40.0],
    )?;
    let mut v = Vals::default();
    for (r, x) in (first..).zip(&a.refused) {
        ws.write_string_with_format(r, 0, &x.id, &f.text)?;
        ws.write_string_with_format(r, 1, x.location.as_deref().unwrap_or(""), &f.text)?;
        v.number(ws, (r, 2), x.area.ha(), 4, &f.parcel_area)?;
        ws.write_string_with_format(r, 3, x.planned_day.chinese(), &f.text)?;
        let missing: Vec<&str> = x.missing.iter().map(|i| i.label()).collect();
        ws.write_string_with_format(r, 4, missing.join("、"), &f.text)?;
    }
    Ok(())
}

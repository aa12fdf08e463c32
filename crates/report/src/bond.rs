//! The 融资与收益平衡 table of land-reserve special-bond projects (土地储备专项债券): per project,
//! the expected land revenue parcel by parcel (area × the assumed price of its use), the
//! bond's principal and interest over the term, the 本息覆盖倍数 against the required ratio,
//! and the ratio at lower prices.
//!
//! - Excel ([`bond_xlsx`]): a 汇总 sheet and one sheet per project. Every derived figure is a
//!   live formula — revenue = 面积 × 单价, 合计 = SUM, interest from amount × rate × term,
//!   coverage = revenue ÷ (principal + interest), the sensitivity rows and the break-even drop
//!   — and carries as its cached result the core's exact figure (not rounded: the cell's
//!   number format shows two decimals), so readers that do not calculate see the core's
//!   values.
//! - Word ([`bond_docx`]): the same figures in the plan documents' GB/T 9704 layout (仿宋 body,
//!   黑体 headings, 五号 tables), rounded half up for display: money in 万元 at two decimals,
//!   areas at four, ratios at two.

use crate::doc::{Block, Doc, Table};
use crate::ReportError;
use landplan_core::reserve::bond::{BondProject, PriceUnit, RepaymentMode, Sensitivity};
use landplan_core::units::fmt_dp;
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use rust_xlsxwriter::utility::row_col_to_cell;
use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Formula, Workbook, Worksheet};

/// One project as the table shows it: the project and its sensitivity (whose `base` is the
/// coverage at the assumed prices).
#[derive(Debug, Clone, Copy)]
pub struct BondTable<'a> {
    /// The project.
    pub project: &'a BondProject,
    /// Its coverage and sensitivity, from `landplan_core::reserve::bond::sensitivity`.
    pub sensitivity: &'a Sensitivity,
}

fn wan(v: Decimal) -> Decimal {
    (v / Decimal::from(10_000)).normalize()
}

fn wan_text(v: Decimal) -> String {
    fmt_dp(wan(v), 2)
}

fn ratio_text(v: Option<Decimal>) -> String {
    v.map(|r| fmt_dp(r, 2)).unwrap_or_else(|| "—".into())
}

fn pct_text(v: Decimal) -> String {
    fmt_dp(v * Decimal::ONE_HUNDRED, 2)
}

/// An exact cached result: the decimal as it is, without trailing zeros.
fn exact(v: Decimal) -> String {
    v.normalize().to_string()
}

/// How a price is shown: per ㎡ in 元, per 亩 or 公顷 in 万元 (as bureaus state them). Returns
/// the unit text (元/平方米, 万元/亩) and the divisor from 元.
fn price_unit(per: PriceUnit) -> (String, Decimal) {
    match per {
        PriceUnit::SquareMetre => (format!("元/{}", per.label()), Decimal::ONE),
        _ => (format!("万元/{}", per.label()), Decimal::from(10_000)),
    }
}

fn repayment_text(p: &BondProject) -> &'static str {
    p.repayment.label()
}

/// The title of the tables for a region.
fn title(region: &str) -> String {
    format!("{region}土地储备专项债券融资与收益平衡表")
}

/// A table; `numeric` says which columns are right-aligned (numbers, 是/否 verdicts beside
/// them).
fn table(
    caption: String,
    unit: &str,
    header: &[&str],
    numeric: &[bool],
    rows: Vec<Vec<String>>,
) -> Block {
    Block::Table(Table {
        label: String::new(),
        caption,
        unit: unit.into(),
        header: header.iter().map(|h| h.to_string()).collect(),
        rows,
        numeric: numeric.to_vec(),
    })
}

/// The tables as a document model (the Word document, and the text a reader sees).
pub fn bond_doc(region: &str, tables: &[BondTable<'_>]) -> Doc {
    let mut b = vec![Block::Title(title(region))];
    b.push(Block::Para(format!(
        "本表按项目列示土地储备专项债券的预期土地出让收入与债券本息。预期收入 = 各关联储备地块面积 × 该用途测算单价；本息合计 = 债券本金 + 存续期利息；本息覆盖倍数 = 预期收入 ÷ 本息合计。除另有说明外，债券按年付息、到期一次还本，利息按单利整年计算。共{}个项目。",
        tables.len()
    )));
    for (n, t) in tables.iter().enumerate() {
        let p = t.project;
        let c = &t.sensitivity.base;
        b.push(Block::Heading1(format!("{}（{}）", p.name, p.id)));
        b.push(Block::Para(format!(
            "债券金额{}万元，{}发行，期限{}年，票面利率{}%，{}；关联储备地块{}宗。",
            wan_text(p.amount.0),
            p.issue_date.chinese(),
            p.term_years,
            pct_text(p.rate),
            repayment_text(p),
            p.parcels.len()
        )));
        let mut rows: Vec<Vec<String>> = c
            .lines
            .iter()
            .map(|l| {
                let (unit, div) = price_unit(l.per);
                vec![
                    l.parcel.clone(),
                    l.use_text.clone(),
                    fmt_dp(l.area_priced, 4),
                    unit,
                    l.price.map(|m| fmt_dp(m.0 / div, 2)).unwrap_or("—".into()),
                    wan_text(l.revenue.0),
                ]
            })
            .collect();
        rows.push(vec![
            "合计".into(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            wan_text(c.revenue.0),
        ]);
        b.push(table(
            format!("表{}-1  预期土地出让收入", n + 1),
            "单位：面积按计价单位，收入为万元",
            &[
                "储备地块编号",
                "用途",
                "面积",
                "计价单位",
                "单价",
                "预期收入",
            ],
            &[false, false, true, false, true, true],
            rows,
        ));
        let verdict = if c.balanced { "是" } else { "否" };
        b.push(table(
            format!("表{}-2  融资与收益平衡", n + 1),
            "单位：万元、倍",
            &["项目", "数值"],
            &[false, true],
            vec![
                vec!["预期土地出让收入".into(), wan_text(c.revenue.0)],
                vec!["债券本金".into(), wan_text(c.principal.0)],
                vec!["存续期利息".into(), wan_text(c.interest.0)],
                vec!["本息合计".into(), wan_text(c.debt_service.0)],
                vec!["本息覆盖倍数".into(), ratio_text(c.ratio)],
                vec!["要求覆盖倍数".into(), fmt_dp(c.required, 2)],
                vec!["是否达到要求".into(), verdict.into()],
            ],
        ));
        let mut rows = vec![vec![
            "0".to_string(),
            wan_text(c.revenue.0),
            ratio_text(c.ratio),
            verdict.to_string(),
        ]];
        for r in &t.sensitivity.rows {
            rows.push(vec![
                r.drop_pct.normalize().to_string(),
                wan_text(r.revenue.0),
                ratio_text(r.ratio),
                if r.balanced { "是" } else { "否" }.into(),
            ]);
        }
        b.push(table(
            format!("表{}-3  地价下降敏感性分析", n + 1),
            "单位：%、万元、倍",
            &["价格下降", "预期收入", "本息覆盖倍数", "是否达到要求"],
            &[true, true, true, false],
            rows,
        ));
        b.push(Block::Para(match t.sensitivity.break_even_drop_pct {
            Some(d) if d >= Decimal::ZERO => format!(
                "测算地价下降{}%时，本息覆盖倍数降至要求的{}倍。",
                fmt_dp(d, 2),
                fmt_dp(c.required, 2)
            ),
            Some(d) => format!(
                "按测算地价，本息覆盖倍数已低于要求的{}倍；地价须上涨{}%方可达到。",
                fmt_dp(c.required, 2),
                fmt_dp(-d, 2)
            ),
            None => "项目预期收入为零，无法实现融资收益平衡。".into(),
        }));
        let sources: Vec<String> = p
            .prices
            .iter()
            .filter(|a| !a.source.trim().is_empty())
            .map(|a| format!("{}：{}", a.use_key, a.source.trim()))
            .collect();
        if !sources.is_empty() {
            b.push(Block::Para(format!(
                "价格测算依据：{}。",
                sources.join("；")
            )));
        }
    }
    let mut d = Doc {
        title: title(region),
        blocks: b,
    };
    d.number_headings();
    d
}

/// The tables as a Word document (GB/T 9704 layout).
pub fn bond_docx(region: &str, tables: &[BondTable<'_>]) -> Result<Vec<u8>, ReportError> {
    crate::docx::write(&bond_doc(region, tables))
}

struct Fmt {
    title: Format,
    unit: Format,
    header: Format,
    text: Format,
    area: Format,
    money: Format,
    ratio: Format,
    rate: Format,
    int: Format,
    total: Format,
    total_money: Format,
}

fn formats() -> Fmt {
    let base = Format::new().set_font_name("宋体").set_font_size(11);
    let cell = base.clone().set_border(FormatBorder::Thin);
    Fmt {
        title: base
            .clone()
            .set_font_size(16)
            .set_bold()
            .set_align(FormatAlign::Center),
        unit: base.set_align(FormatAlign::Right),
        header: cell
            .clone()
            .set_bold()
            .set_align(FormatAlign::Center)
            .set_align(FormatAlign::VerticalCenter)
            .set_text_wrap(),
        text: cell.clone(),
        area: cell.clone().set_num_format("0.0000"),
        money: cell.clone().set_num_format("0.00"),
        ratio: cell.clone().set_num_format("0.00"),
        rate: cell.clone().set_num_format("0.00%"),
        int: cell.clone().set_num_format("0"),
        total: cell.clone().set_bold(),
        total_money: cell.set_bold().set_num_format("0.00"),
    }
}

fn num(v: Decimal) -> f64 {
    v.to_f64().unwrap_or(0.0)
}

fn at(r: u32, c: u16) -> String {
    row_col_to_cell(r, c)
}

/// An absolute reference ($G$12).
fn abs(r: u32, c: u16) -> String {
    rust_xlsxwriter::utility::row_col_to_cell_absolute(r, c)
}

/// A worksheet name from a project id: without the characters Excel refuses, at most 31
/// characters, unique in the workbook.
fn sheet_name(id: &str, taken: &mut Vec<String>) -> String {
    let clean: String = id
        .chars()
        .filter(|c| !matches!(c, '[' | ']' | ':' | '*' | '?' | '/' | '\\' | '\''))
        .take(28)
        .collect();
    let mut name = if clean.is_empty() || clean == "汇总" {
        format!("项目{}", taken.len())
    } else {
        clean
    };
    let mut k = 2;
    while taken.contains(&name) {
        name = format!("{}~{k}", name.chars().take(26).collect::<String>());
        k += 1;
    }
    taken.push(name.clone());
    name
}

/// Where one project's key figures sit in its sheet (for the 汇总 sheet's references).
struct Cells {
    revenue: (u32, u16),
    principal: (u32, u16),
    debt: (u32, u16),
    coverage: (u32, u16),
    required: (u32, u16),
}

const VAL: u16 = 6;

fn project_sheet(ws: &mut Worksheet, f: &Fmt, t: &BondTable<'_>) -> Result<Cells, ReportError> {
    let p = t.project;
    let c = &t.sensitivity.base;
    ws.merge_range(
        0,
        0,
        0,
        VAL,
        &format!("{}融资与收益平衡表", p.name),
        &f.title,
    )?;
    ws.merge_range(
        1,
        0,
        1,
        VAL,
        &format!("项目编号：{}　　金额单位：万元", p.id),
        &f.unit,
    )?;
    let header = [
        "序号",
        "储备地块编号",
        "用途",
        "面积",
        "计价单位",
        "单价",
        "预期收入（万元）",
    ];
    for (i, h) in header.iter().enumerate() {
        ws.write_string_with_format(3, i as u16, *h, &f.header)?;
    }
    for (i, w) in [6.0, 18.0, 18.0, 14.0, 10.0, 16.0, 18.0].iter().enumerate() {
        ws.set_column_width(i as u16, *w)?;
    }
    ws.set_paper_size(9);
    ws.set_print_fit_to_pages(1, 0);
    ws.set_landscape();
    let first = 4u32;
    let mut r = first;
    let mut revenue_sum = Decimal::ZERO;
    for (i, l) in c.lines.iter().enumerate() {
        let (unit, div) = price_unit(l.per);
        let price = l.price.map(|m| m.0 / div).unwrap_or(Decimal::ZERO);
        ws.write_number_with_format(r, 0, (i + 1) as f64, &f.int)?;
        ws.write_string_with_format(r, 1, &l.parcel, &f.text)?;
        ws.write_string_with_format(r, 2, &l.use_text, &f.text)?;
        ws.write_number_with_format(r, 3, num(l.area_priced), &f.area)?;
        ws.write_string_with_format(r, 4, &unit, &f.text)?;
        ws.write_number_with_format(r, 5, num(price), &f.money)?;
        // The core's revenue of the line, in 万元 (area × price, exact).
        let v = wan(l.revenue.0);
        revenue_sum += v;
        let formula = if div == Decimal::ONE {
            format!("={}*{}/10000", at(r, 3), at(r, 5))
        } else {
            format!("={}*{}", at(r, 3), at(r, 5))
        };
        let formula = Formula::new(formula).set_result(exact(v));
        ws.write_formula_with_format(r, 6, formula, &f.money)?;
        r += 1;
    }
    ws.write_string_with_format(r, 0, "合计", &f.total)?;
    for col in 1..VAL {
        ws.write_blank(r, col, &f.total)?;
    }
    let sum = if r == first {
        Formula::new("=0")
    } else {
        Formula::new(format!("=SUM({}:{})", at(first, VAL), at(r - 1, VAL)))
    };
    debug_assert_eq!(revenue_sum, wan(c.revenue.0));
    ws.write_formula_with_format(
        r,
        VAL,
        sum.set_result(exact(wan(c.revenue.0))),
        &f.total_money,
    )?;
    let total_row = r;

    // The balance: label in B:F, value in G.
    let mut r = total_row + 2;
    ws.merge_range(r, 0, r, VAL, "融资与收益平衡", &f.header)?;
    r += 1;
    let label = |ws: &mut Worksheet, r: u32, text: &str| -> Result<(), ReportError> {
        ws.merge_range(r, 0, r, VAL - 1, text, &f.text)?;
        Ok(())
    };
    let revenue = (r, VAL);
    label(ws, r, "预期土地出让收入（万元）")?;
    ws.write_formula_with_format(
        r,
        VAL,
        Formula::new(format!("={}", at(total_row, VAL))).set_result(exact(wan(c.revenue.0))),
        &f.money,
    )?;
    r += 1;
    let principal = (r, VAL);
    label(ws, r, "债券本金（万元）")?;
    ws.write_number_with_format(r, VAL, num(wan(p.amount.0)), &f.money)?;
    r += 1;
    let rate = (r, VAL);
    label(ws, r, "票面利率")?;
    ws.write_number_with_format(r, VAL, num(p.rate), &f.rate)?;
    r += 1;
    let term = (r, VAL);
    label(ws, r, "期限（年）")?;
    ws.write_number_with_format(r, VAL, f64::from(p.term_years), &f.int)?;
    r += 1;
    label(ws, r, "还本方式")?;
    ws.write_string_with_format(r, VAL, repayment_text(p), &f.text)?;
    r += 1;
    let interest = (r, VAL);
    label(ws, r, "存续期利息（万元）")?;
    let (a, i, n) = (at(principal.0, VAL), at(rate.0, VAL), at(term.0, VAL));
    let interest_formula = match p.repayment {
        RepaymentMode::AnnualInterest => format!("={a}*{i}*{n}"),
        RepaymentMode::Amortising => format!("={a}*{i}*({n}+1)/2"),
    };
    ws.write_formula_with_format(
        r,
        VAL,
        Formula::new(interest_formula).set_result(exact(wan(c.interest.0))),
        &f.money,
    )?;
    r += 1;
    let debt = (r, VAL);
    label(ws, r, "本息合计（万元）")?;
    ws.write_formula_with_format(
        r,
        VAL,
        Formula::new(format!("={}+{}", at(principal.0, VAL), at(interest.0, VAL)))
            .set_result(exact(wan(c.debt_service.0))),
        &f.money,
    )?;
    r += 1;
    let coverage = (r, VAL);
    label(ws, r, "本息覆盖倍数")?;
    let (rv, db) = (at(revenue.0, VAL), at(debt.0, VAL));
    ws.write_formula_with_format(
        r,
        VAL,
        Formula::new(format!("=IF({db}=0,\"\",{rv}/{db})"))
            .set_result(c.ratio.map(exact).unwrap_or_default()),
        &f.ratio,
    )?;
    r += 1;
    let required = (r, VAL);
    label(ws, r, "要求覆盖倍数")?;
    ws.write_number_with_format(r, VAL, num(c.required), &f.ratio)?;
    r += 1;
    label(ws, r, "是否达到要求")?;
    let rq = at(required.0, VAL);
    ws.write_formula_with_format(
        r,
        VAL,
        Formula::new(format!("=IF({rv}>={rq}*{db},\"是\",\"否\")")).set_result(if c.balanced {
            "是"
        } else {
            "否"
        }),
        &f.text,
    )?;
    r += 1;
    label(ws, r, "覆盖倍数降至要求时的地价降幅（%）")?;
    ws.write_formula_with_format(
        r,
        VAL,
        Formula::new(format!("=IF({rv}=0,\"\",(1-{rq}*{db}/{rv})*100)")).set_result(
            t.sensitivity
                .break_even_drop_pct
                .map(exact)
                .unwrap_or_default(),
        ),
        &f.money,
    )?;

    // Sensitivity: B drop, C revenue, D coverage, E verdict.
    let mut r = r + 2;
    ws.merge_range(r, 0, r, VAL, "地价下降敏感性分析", &f.header)?;
    r += 1;
    for (col, h) in [
        (1u16, "价格下降（%）"),
        (2, "预期收入（万元）"),
        (3, "本息覆盖倍数"),
        (4, "是否达到要求"),
    ] {
        ws.write_string_with_format(r, col, h, &f.header)?;
    }
    r += 1;
    let (arv, adb, arq) = (abs(revenue.0, VAL), abs(debt.0, VAL), abs(required.0, VAL));
    let base_row = (Decimal::ZERO, c.revenue, c.ratio, c.balanced);
    let rows = std::iter::once(base_row).chain(
        t.sensitivity
            .rows
            .iter()
            .map(|s| (s.drop_pct, s.revenue, s.ratio, s.balanced)),
    );
    for (drop, rev, ratio, ok) in rows {
        ws.write_number_with_format(r, 1, num(drop), &f.money)?;
        let (b, cc) = (at(r, 1), at(r, 2));
        ws.write_formula_with_format(
            r,
            2,
            Formula::new(format!("={arv}*(1-{b}/100)")).set_result(exact(wan(rev.0))),
            &f.money,
        )?;
        ws.write_formula_with_format(
            r,
            3,
            Formula::new(format!("=IF({adb}=0,\"\",{cc}/{adb})"))
                .set_result(ratio.map(exact).unwrap_or_default()),
            &f.ratio,
        )?;
        ws.write_formula_with_format(
            r,
            4,
            Formula::new(format!("=IF({cc}>={arq}*{adb},\"是\",\"否\")")).set_result(if ok {
                "是"
            } else {
                "否"
            }),
            &f.text,
        )?;
        r += 1;
    }
    Ok(Cells {
        revenue,
        principal,
        debt,
        coverage,
        required,
    })
}

/// The tables as an Excel workbook: 汇总, then one sheet per project (see the module).
pub fn bond_xlsx(region: &str, tables: &[BondTable<'_>]) -> Result<Vec<u8>, ReportError> {
    let f = formats();
    let mut wb = Workbook::new();
    // The same input gives the same bytes (as the plan's 附表).
    let props = rust_xlsxwriter::DocProperties::new()
        .set_title(title(region))
        .set_creation_datetime(&rust_xlsxwriter::ExcelDateTime::from_ymd(2000, 1, 1)?);
    wb.set_properties(&props);
    let mut taken = vec!["汇总".to_string()];
    let names: Vec<String> = tables
        .iter()
        .map(|t| sheet_name(&t.project.id, &mut taken))
        .collect();
    let summary = wb.add_worksheet().set_name("汇总")?;
    let header = [
        "项目编号",
        "项目名称",
        "债券金额（万元）",
        "本息合计（万元）",
        "预期收入（万元）",
        "本息覆盖倍数",
        "要求覆盖倍数",
        "是否达到要求",
    ];
    summary.merge_range(0, 0, 0, 7, &title(region), &f.title)?;
    summary.merge_range(1, 0, 1, 7, "单位：万元、倍", &f.unit)?;
    for (i, h) in header.iter().enumerate() {
        summary.write_string_with_format(3, i as u16, *h, &f.header)?;
    }
    for (i, w) in [14.0, 30.0, 14.0, 14.0, 14.0, 12.0, 12.0, 12.0]
        .iter()
        .enumerate()
    {
        summary.set_column_width(i as u16, *w)?;
    }
    summary.set_landscape();
    summary.set_paper_size(9);
    summary.set_print_fit_to_pages(1, 0);
    let mut cells = Vec::new();
    for (t, name) in tables.iter().zip(&names) {
        let ws = wb.add_worksheet().set_name(name)?;
        cells.push(project_sheet(ws, &f, t)?);
    }
    let summary = wb.worksheet_from_name("汇总")?;
    for (i, ((t, name), c)) in tables.iter().zip(&names).zip(&cells).enumerate() {
        let r = 4 + i as u32;
        let cov = &t.sensitivity.base;
        let sref = |(row, col): (u32, u16)| format!("='{name}'!{}", at(row, col));
        summary.write_string_with_format(r, 0, &t.project.id, &f.text)?;
        summary.write_string_with_format(r, 1, &t.project.name, &f.text)?;
        for (col, cell, v, fm) in [
            (2u16, c.principal, Some(wan(cov.principal.0)), &f.money),
            (3, c.debt, Some(wan(cov.debt_service.0)), &f.money),
            (4, c.revenue, Some(wan(cov.revenue.0)), &f.money),
            (5, c.coverage, cov.ratio, &f.ratio),
            (6, c.required, Some(cov.required), &f.ratio),
        ] {
            summary.write_formula_with_format(
                r,
                col,
                Formula::new(sref(cell)).set_result(v.map(exact).unwrap_or_default()),
                fm,
            )?;
        }
        summary.write_formula_with_format(
            r,
            7,
            Formula::new(format!(
                "=IF({}>={}*{},\"是\",\"否\")",
                at(r, 4),
                at(r, 6),
                at(r, 3)
            ))
            .set_result(if cov.balanced { "是" } else { "否" }),
            &f.text,
        )?;
    }
    Ok(wb.save_to_buffer()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sheet_names_are_cleaned_shortened_and_unique() {
        let mut taken = vec!["汇总".to_string()];
        assert_eq!(sheet_name("ZX/2025:01", &mut taken), "ZX202501");
        assert_eq!(sheet_name("ZX2025?01", &mut taken), "ZX202501~2");
        assert_eq!(sheet_name("汇总", &mut taken), "项目3");
        let long = "一".repeat(40);
        assert_eq!(sheet_name(&long, &mut taken).chars().count(), 28);
    }
}

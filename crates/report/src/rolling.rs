//! The three-year rolling plan (土地储备三年滚动计划) as Word and Excel: a summary of each year
//! (年初库存, 年度新增储备, 前期开发, 供应, 临时管护, 退出, 年末库存, 资金需求), then one table per
//! year with its parts and parcels — the same parts table as the annual plan's 附表
//! (`annex::parts_table`, `xlsx::parts_sheet`), so a year of the rolling plan
//! reads exactly as that year's annual plan.

use crate::doc::{Block, Doc, Table};
use crate::plan_doc::{wan, yi};
use crate::{ReportError, ReportFormat, ReportOptions};
use landplan_core::reserve::rolling::ThreeYearPlan;
use landplan_core::units::Area;
use landplan_core::view::Precision;
use rust_decimal::prelude::ToPrimitive;
use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook};

/// The plan's title: `{region}土地储备三年滚动计划（Y—Y+2年）`.
pub fn rolling_title(plan: &ThreeYearPlan) -> String {
    let last = plan.years.last().map(|a| a.year).unwrap_or(plan.first_year);
    format!(
        "{}土地储备三年滚动计划（{}—{}年）",
        plan.region, plan.first_year, last
    )
}

/// Write the three-year plan as Word (.docx) or Excel (.xlsx); HTML is not offered.
pub fn render_rolling(
    plan: &ThreeYearPlan,
    format: ReportFormat,
    opts: &ReportOptions,
) -> Result<Vec<u8>, ReportError> {
    match format {
        ReportFormat::Docx => crate::docx::write(&rolling_document(plan, opts)),
        ReportFormat::Xlsx => rolling_xlsx(plan, opts.precision),
        ReportFormat::Html => Err(ReportError::NotApplicable(
            "三年滚动计划只生成 Word（docx）和 Excel（xlsx）格式".into(),
        )),
    }
}

/// The document model of the three-year plan.
pub fn rolling_document(plan: &ThreeYearPlan, opts: &ReportOptions) -> Doc {
    let pr = opts.precision;
    let title = rolling_title(plan);
    let mut b = vec![Block::Title(title.clone())];
    b.push(Block::Para(format!(
        "根据《土地储备管理办法》（国土资规〔2017〕17号），结合{}土地储备地块的收储、前期开发、管护和供应安排，编制{}—{}年土地储备三年滚动计划。各年度数据由储备地块已完成和计划实施的步骤逐宗汇总，与年度土地储备计划一致。",
        plan.region,
        plan.first_year,
        plan.first_year + 2
    )));
    b.push(Block::Heading1("滚动计划指标".into()));
    for line in plan.lines() {
        b.push(Block::Heading2(format!("{}年", line.year)));
        b.push(Block::Para(format!(
            "年初储备库存{}公顷；计划新增储备土地{}公顷（{}宗），前期开发{}公顷，供应储备土地{}公顷（{}宗），临时管护{}公顷{}；年末储备库存{}公顷。资金需求{}亿元（{}万元）。",
            pr.ha(line.start_stock),
            pr.ha(line.new_reserve),
            line.new_parcels,
            pr.ha(line.preparation),
            pr.ha(line.supply),
            line.supply_parcels,
            pr.ha(line.custody),
            if line.exited.is_positive() {
                format!("，退出储备{}公顷", pr.ha(line.exited))
            } else {
                String::new()
            },
            pr.ha(line.end_stock),
            yi(line.funds),
            wan(line.funds)
        )));
        let year = plan.years.iter().find(|a| a.year == line.year);
        if let Some(a) = year.filter(|a| !a.refused.is_empty()) {
            let text: Vec<String> = a.refused.iter().map(|r| r.describe()).collect();
            b.push(Block::Para(format!(
                "{}，未达到净地供应条件，暂不列入当年储备土地供应。",
                text.join("；")
            )));
        }
    }
    b.push(Block::AttachmentNote(format!("附件：{title}附表")));
    b.push(Block::Signature {
        body: opts.issuing_body_for(&plan.region),
        date: opts.date.clone(),
    });
    b.push(Block::PageBreak);
    b.push(Block::AttachmentLabel("附件".into()));
    b.push(Block::Table(summary_table(plan, pr)));
    for a in &plan.years {
        b.push(Block::Table(crate::annex::parts_table(
            a,
            pr,
            format!("{}{}年度土地储备计划构成表", plan.region, a.year),
            true,
        )));
    }
    let mut n = 0;
    for block in &mut b {
        if let Block::Table(t) = block {
            n += 1;
            t.label = format!("附表{n}");
        }
    }
    let mut doc = Doc { title, blocks: b };
    doc.number_headings();
    doc
}

const SUMMARY_HEADER: [&str; 10] = [
    "年度",
    "年初库存",
    "新增储备",
    "前期开发",
    "储备土地供应",
    "临时管护",
    "退出",
    "年末库存",
    "新增地块数",
    "资金需求（万元）",
];

fn summary_table(plan: &ThreeYearPlan, pr: Precision) -> Table {
    let rows = plan
        .lines()
        .iter()
        .map(|l| {
            vec![
                format!("{}年", l.year),
                pr.ha(l.start_stock),
                pr.ha(l.new_reserve),
                pr.ha(l.preparation),
                pr.ha(l.supply),
                pr.ha(l.custody),
                pr.ha(l.exited),
                pr.ha(l.end_stock),
                l.new_parcels.to_string(),
                wan(l.funds),
            ]
        })
        .collect();
    Table {
        label: String::new(),
        caption: format!("{}总表", rolling_title(plan)),
        unit: "单位：公顷、宗、万元".into(),
        header: SUMMARY_HEADER.iter().map(|s| s.to_string()).collect(),
        numeric: (0..SUMMARY_HEADER.len()).map(|i| i > 0).collect(),
        rows,
    }
}

fn rolling_xlsx(plan: &ThreeYearPlan, pr: Precision) -> Result<Vec<u8>, ReportError> {
    let mut wb = Workbook::new();
    let created = rust_xlsxwriter::ExcelDateTime::from_ymd(1980, 1, 1)?;
    wb.set_properties(&rust_xlsxwriter::DocProperties::new().set_creation_datetime(&created));
    let f = crate::xlsx::Formats::new(pr);
    let base = Format::new().set_font_name("宋体").set_font_size(11);
    let cellf = base.clone().set_border(FormatBorder::Thin);
    let zeros = format!("0.{}", "0".repeat(pr.area_dp.max(1) as usize));
    let area = cellf.clone().set_num_format(&zeros);
    let int = cellf.clone().set_num_format("0");
    let money = cellf.clone().set_num_format("0.00");
    let header = cellf
        .clone()
        .set_bold()
        .set_align(FormatAlign::Center)
        .set_text_wrap();
    {
        let ws = wb.add_worksheet().set_name("三年滚动计划")?;
        let last = SUMMARY_HEADER.len() as u16 - 1;
        ws.write_string(0, 0, "附表1")?;
        ws.merge_range(
            1,
            0,
            1,
            last,
            &format!("{}总表", rolling_title(plan)),
            &base
                .clone()
                .set_font_size(16)
                .set_bold()
                .set_align(FormatAlign::Center),
        )?;
        ws.merge_range(
            2,
            0,
            2,
            last,
            "单位：公顷、宗、万元",
            &base.clone().set_align(FormatAlign::Right),
        )?;
        for (i, h) in SUMMARY_HEADER.iter().enumerate() {
            ws.write_string_with_format(3, i as u16, *h, &header)?;
            ws.set_column_width(i as u16, 13.0)?;
        }
        ws.set_landscape();
        ws.set_paper_size(9);
        let num = |a: Area| a.ha().to_f64().unwrap_or(0.0);
        for (i, l) in plan.lines().iter().enumerate() {
            let r = 4 + i as u32;
            ws.write_string_with_format(r, 0, format!("{}年", l.year), &cellf)?;
            for (c, a) in [
                l.start_stock,
                l.new_reserve,
                l.preparation,
                l.supply,
                l.custody,
                l.exited,
                l.end_stock,
            ]
            .into_iter()
            .enumerate()
            {
                ws.write_number_with_format(r, c as u16 + 1, num(a), &area)?;
            }
            ws.write_number_with_format(r, 8, l.new_parcels as f64, &int)?;
            ws.write_number_with_format(r, 9, l.funds.wan_yuan().to_f64().unwrap_or(0.0), &money)?;
        }
    }
    for (i, a) in plan.years.iter().enumerate() {
        crate::xlsx::parts_sheet(
            &mut wb,
            &f,
            pr,
            &format!("{}年", a.year),
            &format!("附表{}", i + 2),
            &format!("{}{}年度土地储备计划构成表", plan.region, a.year),
            a,
            true,
        )?;
    }
    Ok(wb.save_to_buffer()?)
}

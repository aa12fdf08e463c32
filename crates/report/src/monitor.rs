//! The execution report (计划执行情况报告) of `landplan monitor`: Word (the plan document's
//! GB/T 9704 layout, its tables and warning list) and Excel (the same tables, every rate a
//! live formula with its cached result).

use crate::doc::{Block, Doc, Table};
use crate::ReportError;
use landplan_core::monitor::{CompletionLine, MonitorReport};
use landplan_core::units::round_half_up;
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Formula, Workbook, Worksheet};

fn ha(v: Decimal) -> String {
    format!("{:.4}", round_half_up(v, 4))
}

fn pct(v: Option<Decimal>) -> String {
    v.map(|v| format!("{:.2}", round_half_up(v, 2)))
        .unwrap_or_else(|| "—".into())
}

fn line_rows(lines: &[CompletionLine]) -> Vec<Vec<String>> {
    lines
        .iter()
        .map(|l| {
            let name = match &l.code {
                Some(c) if c != "--" => format!("{}（{c}）", l.name),
                _ => l.name.clone(),
            };
            vec![name, ha(l.planned_ha), ha(l.supplied_ha), pct(l.rate_pct)]
        })
        .collect()
}

fn table(caption: &str, unit: &str, header: &[&str], rows: Vec<Vec<String>>) -> Block {
    let numeric = header
        .iter()
        .enumerate()
        .map(|(i, _)| {
            i > 0
                && rows
                    .iter()
                    .all(|r| r.get(i).is_some_and(|c| looks_numeric(c)))
        })
        .collect();
    Block::Table(Table {
        label: String::new(),
        caption: caption.into(),
        unit: unit.into(),
        header: header.iter().map(|h| h.to_string()).collect(),
        rows,
        numeric,
    })
}

fn looks_numeric(c: &str) -> bool {
    c == "—" || c.parse::<Decimal>().is_ok()
}

fn title(r: &MonitorReport) -> String {
    format!(
        "{}{}年度国有建设用地供应计划执行情况报告",
        r.region.clone().unwrap_or_default(),
        r.year
    )
}

/// The report as a document model (also the text the checker reads back).
pub fn monitor_doc(r: &MonitorReport, issuing_body: Option<&str>, date: Option<&str>) -> Doc {
    let mut b = vec![Block::Title(title(r))];
    if let Some(c) = &r.completion {
        b.push(Block::Para(format!(
            "截至{}，{}年度计划供应国有建设用地{}公顷，已供应{}公顷，完成年度计划的{}%（统计口径：{}）。",
            r.as_of.chinese(),
            r.year,
            ha(c.planned_ha),
            ha(c.supplied_ha),
            pct(c.rate_pct),
            c.basis.label()
        )));
        b.push(Block::Heading1("计划完成情况".into()));
        let header = ["项目", "计划供应", "已供应", "完成率"];
        for (caption, lines) in [
            ("按用地类型", &c.by_class),
            ("按乡镇", &c.by_township),
            ("按季度", &c.by_quarter),
            ("按供应方式", &c.by_method),
            ("按土地来源", &c.by_source),
        ] {
            if !lines.is_empty() {
                b.push(table(caption, "单位：公顷、%", &header, line_rows(lines)));
            }
        }
        b.push(Block::Heading1("时间节点完成情况".into()));
        let rows = r
            .checkpoints
            .iter()
            .map(|cp| {
                vec![
                    cp.date.chinese(),
                    cp.target_pct.normalize().to_string(),
                    pct(cp.rate_pct),
                    match cp.met {
                        Some(true) => "已达到".into(),
                        Some(false) => "未达到".into(),
                        None => "未到期".into(),
                    },
                ]
            })
            .collect();
        b.push(table(
            "计划完成进度",
            "单位：%",
            &["时间节点", "目标", "实际", "结论"],
            rows,
        ));
        if !r.unplanned.is_empty() || !r.unsupplied.is_empty() {
            b.push(Block::Para(format!(
                "计划外供应{}宗，计划内尚未供应{}宗。",
                r.unplanned.len(),
                r.unsupplied.len()
            )));
        }
    }
    follow_up_blocks(r, &mut b);
    batch_blocks(r, &mut b);
    housing_blocks(r, &mut b);
    warning_blocks(r, &mut b);
    let body = issuing_body
        .map(str::to_string)
        .unwrap_or_else(|| format!("{}自然资源局", r.region.clone().unwrap_or_default()));
    b.push(Block::Signature {
        body,
        date: date.map(str::to_string),
    });
    let mut doc = Doc {
        title: title(r),
        blocks: b,
    };
    doc.number_headings();
    doc
}

fn follow_up_blocks(r: &MonitorReport, b: &mut Vec<Block>) {
    if r.parcels.is_empty() {
        return;
    }
    b.push(Block::Heading1("供后监管".into()));
    let overdue = r.parcels.iter().filter(|p| !p.overdue.is_empty()).count();
    let idle: Vec<_> = r.parcels.iter().filter(|p| p.idle).collect();
    let take_back = r.parcels.iter().filter(|p| p.take_back).count();
    b.push(Block::Para(format!(
        "已供应的{}宗土地中，逾期未交地、开工或竣工{}宗，闲置土地{}宗，其中未动工开发满两年、可依法无偿收回的{}宗。",
        r.parcels.len(),
        overdue,
        idle.len(),
        take_back
    )));
    if !idle.is_empty() {
        let rows = idle
            .iter()
            .map(|p| {
                vec![
                    p.parcel_id.clone().unwrap_or_default(),
                    p.supervision_no.clone().unwrap_or_default(),
                    match p.idle_kind {
                        Some("halted") => "开发不足，中止满一年".into(),
                        _ => "未动工满一年".into(),
                    },
                    p.idle_cause.clone().unwrap_or_else(|| "—".into()),
                    p.idle_fee_wan_yuan
                        .map(|f| format!("{:.2}", round_half_up(f, 2)))
                        .unwrap_or_else(|| "—".into()),
                    if p.take_back { "是" } else { "否" }.into(),
                ]
            })
            .collect();
        b.push(table(
            "闲置土地",
            "单位：万元",
            &[
                "宗地编号",
                "电子监管号",
                "闲置情形",
                "闲置原因",
                "土地闲置费",
                "可无偿收回",
            ],
            rows,
        ));
    }
}

fn batch_blocks(r: &MonitorReport, b: &mut Vec<Block>) {
    if r.batches.is_empty() {
        return;
    }
    b.push(Block::Heading1("批而未供与供地率".into()));
    let unsupplied: Decimal = r.batches.iter().map(|x| x.unsupplied_ha).sum();
    b.push(Block::Para(format!(
        "{}个批次共批准{}公顷，已供应{}公顷，批而未供{}公顷。",
        r.batches.len(),
        ha(r.batches.iter().map(|x| x.approved_ha).sum()),
        ha(r.batches.iter().map(|x| x.supplied_ha).sum()),
        ha(unsupplied)
    )));
    let rows = r
        .supply_rate
        .iter()
        .map(|s| {
            vec![
                s.region.clone(),
                format!("{}—{}", s.from_year, s.to_year),
                ha(s.approved_ha),
                ha(s.supplied_ha),
                pct(s.rate_pct),
                if s.below_floor { "低于下限" } else { "—" }.into(),
            ]
        })
        .collect();
    b.push(table(
        "近五年供地率",
        "单位：公顷、%",
        &["行政区", "批准年份", "批准面积", "已供应", "供地率", "结论"],
        rows,
    ));
    if let Some(d) = &r.disposal {
        b.push(Block::Para(d.statement.clone()));
    }
}

fn housing_blocks(r: &MonitorReport, b: &mut Vec<Block>) {
    if r.housing.is_empty() {
        return;
    }
    b.push(Block::Heading1("住宅用地供应与去化周期".into()));
    let rows = r
        .housing
        .iter()
        .map(|h| {
            vec![
                h.region.clone(),
                h.date.chinese(),
                h.months.normalize().to_string(),
                h.band.clone(),
                h.cap_ha
                    .map(|c| c.normalize().to_string())
                    .unwrap_or_else(|| "—".into()),
                h.excess_ha
                    .map(|c| c.normalize().to_string())
                    .unwrap_or_else(|| "—".into()),
            ]
        })
        .collect();
    b.push(table(
        "商品住房去化周期与住宅用地供应",
        "单位：月、公顷",
        &[
            "行政区",
            "评估日期",
            "去化周期",
            "适用档次",
            "供应上限",
            "超出",
        ],
        rows,
    ));
}

fn warning_blocks(r: &MonitorReport, b: &mut Vec<Block>) {
    b.push(Block::Heading1("预警".into()));
    let red = r
        .warnings
        .iter()
        .filter(|w| w.level.label() == "红")
        .count();
    let yellow = r
        .warnings
        .iter()
        .filter(|w| w.level.label() == "黄")
        .count();
    b.push(Block::Para(format!(
        "红色预警{red}项，黄色预警{yellow}项。"
    )));
    let rows = r
        .indicators
        .iter()
        .map(|i| {
            vec![
                i.name.clone(),
                i.kind.clone(),
                i.value
                    .map(|v| match i.unit.as_str() {
                        "%" => format!("{:.2}%", round_half_up(v, 2)),
                        u => format!("{}{u}", v.normalize()),
                    })
                    .unwrap_or_else(|| "—".into()),
                i.colour.label().into(),
            ]
        })
        .collect();
    b.push(table(
        "监测指标",
        "",
        &["指标", "类型", "数值", "预警"],
        rows,
    ));
    if !r.warnings.is_empty() {
        let rows = r
            .warnings
            .iter()
            .map(|w| vec![w.level.label().to_string(), w.message.clone()])
            .collect();
        b.push(table("预警清单", "", &["级别", "内容"], rows));
    }
}

/// The Word report.
pub fn monitor_docx(
    r: &MonitorReport,
    issuing_body: Option<&str>,
    date: Option<&str>,
) -> Result<Vec<u8>, ReportError> {
    crate::docx::write(&monitor_doc(r, issuing_body, date))
}

fn num(v: Decimal) -> f64 {
    v.to_f64().unwrap_or(0.0)
}

struct Fmt {
    header: Format,
    text: Format,
    area: Format,
    pct: Format,
    title: Format,
}

fn formats() -> Fmt {
    let base = Format::new().set_font_name("宋体").set_font_size(11);
    let cell = base.clone().set_border(FormatBorder::Thin);
    Fmt {
        header: cell.clone().set_bold().set_align(FormatAlign::Center),
        text: cell.clone(),
        area: cell.clone().set_num_format("0.0000"),
        pct: cell.set_num_format("0.00"),
        title: base.set_bold().set_font_size(14),
    }
}

fn xerr(e: rust_xlsxwriter::XlsxError) -> ReportError {
    ReportError::Xlsx(e)
}

/// One sheet of planned/supplied lines with a live 完成率 formula per row.
fn lines_sheet(
    ws: &mut Worksheet,
    f: &Fmt,
    caption: &str,
    lines: &[CompletionLine],
) -> Result<(), ReportError> {
    ws.write_with_format(0, 0, caption, &f.title)
        .map_err(xerr)?;
    for (c, h) in ["项目", "计划供应（公顷）", "已供应（公顷）", "完成率（%）"]
        .iter()
        .enumerate()
    {
        ws.write_with_format(1, c as u16, *h, &f.header)
            .map_err(xerr)?;
    }
    for (i, l) in lines.iter().enumerate() {
        let row = 2 + i as u32;
        let name = match &l.code {
            Some(c) if c != "--" => format!("{}（{c}）", l.name),
            _ => l.name.clone(),
        };
        ws.write_with_format(row, 0, name, &f.text).map_err(xerr)?;
        ws.write_with_format(row, 1, num(l.planned_ha), &f.area)
            .map_err(xerr)?;
        ws.write_with_format(row, 2, num(l.supplied_ha), &f.area)
            .map_err(xerr)?;
        let r1 = row + 1;
        let cached = l
            .rate_pct
            .map(|v| format!("{:.2}", round_half_up(v, 2)))
            .unwrap_or_default();
        let formula = Formula::new(format!("=IF(B{r1}=0,\"\",C{r1}/B{r1}*100)")).set_result(cached);
        ws.write_formula_with_format(row, 3, formula, &f.pct)
            .map_err(xerr)?;
    }
    ws.set_column_width(0, 28).map_err(xerr)?;
    for c in 1..4 {
        ws.set_column_width(c, 16).map_err(xerr)?;
    }
    Ok(())
}

/// The Excel workbook: completion by each breakdown, checkpoints, idle land, batches and
/// supply rates, warnings.
pub fn monitor_xlsx(r: &MonitorReport) -> Result<Vec<u8>, ReportError> {
    let f = formats();
    let mut wb = Workbook::new();
    if let Some(c) = &r.completion {
        for (name, lines) in [
            ("按用地类型", &c.by_class),
            ("按乡镇", &c.by_township),
            ("按季度", &c.by_quarter),
            ("按供应方式", &c.by_method),
            ("按土地来源", &c.by_source),
        ] {
            let ws = wb.add_worksheet().set_name(name).map_err(xerr)?;
            lines_sheet(
                ws,
                &f,
                &format!("{}完成情况（截至{}）", name, r.as_of.chinese()),
                lines,
            )?;
        }
    }
    let ws = wb.add_worksheet().set_name("闲置与到期").map_err(xerr)?;
    let header = [
        "宗地编号",
        "电子监管号",
        "逾期事项",
        "闲置",
        "闲置原因",
        "土地闲置费（万元）",
        "可无偿收回",
    ];
    for (c, h) in header.iter().enumerate() {
        ws.write_with_format(0, c as u16, *h, &f.header)
            .map_err(xerr)?;
    }
    let listed = r
        .parcels
        .iter()
        .filter(|p| p.idle || !p.overdue.is_empty() || !p.due_soon.is_empty());
    for (i, p) in listed.enumerate() {
        let row = 1 + i as u32;
        let overdue: Vec<&str> = p.overdue.iter().map(|m| m.label()).collect();
        let cells = [
            p.parcel_id.clone().unwrap_or_default(),
            p.supervision_no.clone().unwrap_or_default(),
            overdue.join("、"),
            if p.idle { "是" } else { "否" }.to_string(),
            p.idle_cause.clone().unwrap_or_default(),
        ];
        for (c, v) in cells.iter().enumerate() {
            ws.write_with_format(row, c as u16, v, &f.text)
                .map_err(xerr)?;
        }
        match p.idle_fee_wan_yuan {
            Some(fee) => ws.write_with_format(row, 5, num(fee), &f.pct),
            None => ws.write_with_format(row, 5, "", &f.text),
        }
        .map_err(xerr)?;
        ws.write_with_format(row, 6, if p.take_back { "是" } else { "否" }, &f.text)
            .map_err(xerr)?;
    }
    ws.set_column_width(0, 16).map_err(xerr)?;
    ws.set_column_width(1, 22).map_err(xerr)?;
    if !r.batches.is_empty() {
        let ws = wb.add_worksheet().set_name("批而未供").map_err(xerr)?;
        let header = [
            "批准文号",
            "批次名称",
            "批准日期",
            "批准面积（公顷）",
            "已供应（公顷）",
            "批而未供（公顷）",
        ];
        for (c, h) in header.iter().enumerate() {
            ws.write_with_format(0, c as u16, *h, &f.header)
                .map_err(xerr)?;
        }
        for (i, x) in r.batches.iter().enumerate() {
            let row = 1 + i as u32;
            ws.write_with_format(row, 0, x.approval_no.clone().unwrap_or_default(), &f.text)
                .map_err(xerr)?;
            ws.write_with_format(row, 1, &x.name, &f.text)
                .map_err(xerr)?;
            ws.write_with_format(
                row,
                2,
                x.approved_on.map(|d| d.to_string()).unwrap_or_default(),
                &f.text,
            )
            .map_err(xerr)?;
            ws.write_with_format(row, 3, num(x.approved_ha), &f.area)
                .map_err(xerr)?;
            ws.write_with_format(row, 4, num(x.supplied_ha), &f.area)
                .map_err(xerr)?;
            let r1 = row + 1;
            let formula = Formula::new(format!("=MAX(0,D{r1}-E{r1})"))
                .set_result(format!("{:.4}", x.unsupplied_ha));
            ws.write_formula_with_format(row, 5, formula, &f.area)
                .map_err(xerr)?;
        }
        ws.set_column_width(1, 36).map_err(xerr)?;
        ws.set_column_width(0, 18).map_err(xerr)?;
    }
    let ws = wb.add_worksheet().set_name("预警").map_err(xerr)?;
    ws.write_with_format(0, 0, "级别", &f.header)
        .map_err(xerr)?;
    ws.write_with_format(0, 1, "内容", &f.header)
        .map_err(xerr)?;
    for (i, w) in r.warnings.iter().enumerate() {
        ws.write_with_format(1 + i as u32, 0, w.level.label(), &f.text)
            .map_err(xerr)?;
        ws.write_with_format(1 + i as u32, 1, &w.message, &f.text)
            .map_err(xerr)?;
    }
    ws.set_column_width(1, 90).map_err(xerr)?;
    wb.save_to_buffer().map_err(xerr)
}

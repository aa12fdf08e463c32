//! The execution report (计划执行情况报告) of `landplan monitor`: Word (the plan document's
//! GB/T 9704 layout, its tables, the cumulative-completion chart as a picture and the warning
//! list), one self-contained HTML page (the same document, the chart as inline SVG, warnings in
//! their 红黄绿 colours) and Excel (the same tables, every rate a live formula with its cached
//! result).

use crate::doc::{Block, Doc, Table};
use crate::ReportError;
use landplan_core::monitor::{CompletionLine, MonitorReport};
use landplan_core::units::round_half_up;
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Formula, Workbook, Worksheet};

/// An aggregate area in the report's text and tables, as plans state totals (the plan
/// documents' default precision, `core::view::Precision`): two decimals, half up. The Excel
/// workbook keeps the exact values.
fn ha(v: Decimal) -> String {
    let dp = landplan_core::view::Precision::default().area_dp;
    format!("{:.*}", dp as usize, round_half_up(v, dp))
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
    doc_with_chart(r, issuing_body, date, None)
}

/// The document, with the cumulative-completion chart after the checkpoint table when given.
fn doc_with_chart(
    r: &MonitorReport,
    issuing_body: Option<&str>,
    date: Option<&str>,
    chart: Option<crate::doc::Figure>,
) -> Doc {
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
        if let Some(f) = chart {
            b.push(Block::Figure(f));
        }
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

/// The Word report with the cumulative-completion chart drawn as a PNG (with a CJK face of the
/// system or of `fonts`). Without a CJK font this is [`ReportError::NoCjkFont`]; the caller
/// may then write [`monitor_docx`], the report without the chart.
pub fn monitor_docx_with_chart(
    r: &MonitorReport,
    issuing_body: Option<&str>,
    date: Option<&str>,
    fonts: &[std::path::PathBuf],
) -> Result<Vec<u8>, ReportError> {
    let chart = match r.completion {
        Some(_) => {
            let family = crate::fonts::svg_family(fonts)?;
            let svg = completion_chart_svg(r, &family);
            let png = crate::fonts::FontSet::load(fonts)?.png(&svg)?;
            Some(crate::doc::Figure {
                label: String::new(),
                caption: chart_caption(r),
                svg,
                png,
                size: CHART_SIZE,
            })
        }
        None => None,
    };
    crate::docx::write(&doc_with_chart(r, issuing_body, date, chart))
}

/// The chart's size in pixels.
const CHART_SIZE: (u32, u32) = (900, 560);

fn chart_caption(r: &MonitorReport) -> String {
    format!(
        "{}年度计划累计完成情况（截至{}）",
        r.year,
        r.as_of.chinese()
    )
}

fn f64_of(v: Decimal) -> f64 {
    v.to_f64().unwrap_or(0.0)
}

/// Where a day falls, in quarters from the start of its year (30 June = 2.0).
fn quarter_position(d: landplan_core::Date) -> f64 {
    let days = landplan_core::date::days_in_month(d.year(), d.month());
    (f64::from(d.month()) - 1.0 + f64::from(d.day()) / f64::from(days.max(1))) / 3.0
}

/// The cumulative-completion chart: the plan's cumulative share by quarter (what the plan
/// schedules), the supply's cumulative share of the year's plan by quarter up to the as-of
/// date, and each checkpoint's target (triangle) with the share reached by its day (circle,
/// green when met, red when missed; none while the day is ahead). SVG text, its text in
/// `family`.
pub fn completion_chart_svg(r: &MonitorReport, family: &str) -> String {
    use crate::svg::{Anchor, Svg, TextStyle, INK, PALETTE};
    let (w, h) = CHART_SIZE;
    let mut s = Svg::new(w, h, family);
    let (wf, hf) = (f64::from(w), f64::from(h));
    s.text(
        wf / 2.0,
        42.0,
        TextStyle::new(22.0).anchor(Anchor::Middle),
        &format!(
            "{}{}",
            r.region.clone().unwrap_or_default(),
            chart_caption(r)
        ),
    );
    let (left, right, top, bottom) = (92.0, wf - 40.0, 70.0, hf - 70.0);
    let planned_total = r
        .completion
        .as_ref()
        .map_or(Decimal::ZERO, |c| c.planned_ha);
    let share = |v: Decimal| {
        if planned_total.is_zero() {
            0.0
        } else {
            f64_of(v / planned_total * Decimal::from(100))
        }
    };
    // Cumulative planned and supplied shares at the end of each quarter.
    let mut planned = vec![0.0];
    let mut supplied = vec![0.0];
    if let Some(c) = &r.completion {
        let (mut p, mut q) = (Decimal::ZERO, Decimal::ZERO);
        for name in ["第一季度", "第二季度", "第三季度", "第四季度"] {
            if let Some(l) = c.by_quarter.iter().find(|l| l.name == name) {
                p += l.planned_ha;
                q += l.supplied_ha;
            }
            planned.push(share(p));
            supplied.push(share(q));
        }
    }
    let reached = r
        .checkpoints
        .iter()
        .filter_map(|c| c.rate_pct.map(f64_of))
        .chain(supplied.iter().copied())
        .chain(planned.iter().copied())
        .fold(100.0, f64::max);
    let y_max = ((reached / 20.0).ceil() * 20.0).max(100.0) + 10.0;
    let x_max = 4.3;
    let x = |q: f64| left + q / x_max * (right - left);
    let y = |pct: f64| bottom - pct / y_max * (bottom - top);
    // Gridlines every 20 up to the highest multiple of 20 below the top margin.
    let y_top = ((y_max - 10.0) / 20.0).floor() as u32 * 20;
    crate::chart::quarter_axes(
        &mut s,
        (left, right, top, bottom),
        (x_max, y_max),
        y_top,
        (32.0, "累计占年度计划（%）"),
    );
    s.line((left, top), (left, bottom), INK, 1.0);
    s.line((left, bottom), (right, bottom), INK, 1.0);
    let blue = PALETTE[0];
    let plan_pts: Vec<(f64, f64)> = planned
        .iter()
        .enumerate()
        .map(|(q, v)| (x(q as f64), y(*v)))
        .collect();
    s.polyline(&plan_pts, blue, 3.0);
    // The supply up to the as-of date: whole quarters, then the as-of day's total.
    let green = "#2e7d32";
    let as_of = if r.as_of.year() > r.year {
        4.0
    } else if r.as_of.year() < r.year {
        0.0
    } else {
        quarter_position(r.as_of)
    };
    let mut pts = vec![(x(0.0), y(0.0))];
    for (q, v) in supplied.iter().enumerate().skip(1) {
        if (q as f64) <= as_of {
            pts.push((x(q as f64), y(*v)));
        }
    }
    if as_of.fract() > 0.0 {
        let total = r
            .completion
            .as_ref()
            .and_then(|c| c.rate_pct)
            .map_or(0.0, f64_of);
        pts.push((x(as_of), y(total)));
    }
    s.polyline(&pts, green, 3.0);
    for (px, py) in pts.iter().skip(1) {
        s.circle(*px, *py, 4.5, green);
    }
    let orange = PALETTE[3];
    for c in &r.checkpoints {
        let cx = x(quarter_position(c.date));
        let cy = y(f64_of(c.target_pct));
        s.polygon(
            &[(cx, cy - 9.0), (cx - 8.0, cy + 6.0), (cx + 8.0, cy + 6.0)],
            Some((orange, 1.0)),
            None,
        );
        let label = format!(
            "{}月{}日 目标{}%",
            c.date.month(),
            c.date.day(),
            c.target_pct.normalize()
        );
        s.text(
            cx - 12.0,
            cy - 8.0,
            TextStyle::new(13.0).fill(orange).anchor(Anchor::End).halo(),
            &label,
        );
        // A checkpoint still ahead has no share of its own yet (its rate is the as-of day's).
        if let (Some(rate), Some(met)) = (c.rate_pct, c.met) {
            let colour = if met { green } else { "#c62828" };
            let ry = y(f64_of(rate));
            s.circle(cx, ry, 6.0, colour);
            s.text(
                cx - 12.0,
                ry + 18.0,
                TextStyle::new(13.0).fill(colour).anchor(Anchor::End).halo(),
                &format!("实际{}%", pct(Some(rate))),
            );
        }
    }
    let items = [
        ("计划累计供应", blue, false),
        ("实际累计供应", green, false),
        ("进度节点目标", orange, true),
    ];
    let lw = 170.0;
    let lh = 14.0 + 24.0 * items.len() as f64;
    let (lx, ly) = (right - lw - 12.0, bottom - lh - 12.0);
    s.rect(lx, ly, lw, lh, "#ffffff", Some(("#888888", 1.0)));
    for (i, (label, colour, marker)) in items.iter().enumerate() {
        let yc = ly + 19.0 + 24.0 * i as f64;
        if *marker {
            let cx = lx + 22.0;
            s.polygon(
                &[(cx, yc - 7.0), (cx - 6.0, yc + 5.0), (cx + 6.0, yc + 5.0)],
                Some((colour, 1.0)),
                None,
            );
        } else {
            s.line((lx + 10.0, yc), (lx + 34.0, yc), colour, 3.0);
        }
        s.text_mid(lx + 44.0, yc, TextStyle::new(14.0), label);
    }
    s.finish()
}

const HTML_CSS: &str = r#"
body{margin:0;background:#f4f4f0;color:#111;font-family:"FangSong","仿宋","STFangsong","Noto Serif CJK SC","Songti SC",serif;font-size:17px;line-height:1.8}
main{max-width:900px;margin:24px auto;background:#fff;padding:48px 64px;box-shadow:0 1px 4px rgba(0,0,0,.15)}
h1{font-family:"方正小标宋简体","SimSun","宋体","Noto Serif CJK SC",serif;font-weight:normal;text-align:center;font-size:29px;margin:8px 0 28px}
h2{font-family:"SimHei","黑体","Noto Sans CJK SC",sans-serif;font-weight:normal;font-size:19px;margin:18px 0 4px;text-indent:2em}
p{margin:0;text-indent:2em;text-align:justify}
.sig{text-align:right;text-indent:0;padding-right:4em}
figure{margin:16px 0;text-align:center}
figure svg{max-width:100%;height:auto}
.caption{text-align:center;text-indent:0;font-size:18px;margin-top:12px}
.unit{text-align:right;text-indent:0;font-size:14px}
table{border-collapse:collapse;width:100%;font-size:14px;line-height:1.5;margin-bottom:20px}
th,td{border:1px solid #333;padding:3px 6px}
th{font-family:"SimHei","黑体","Noto Sans CJK SC",sans-serif;font-weight:normal;background:#f0f0f0}
td.n{text-align:right;font-variant-numeric:tabular-nums}
.summary{display:flex;gap:12px;justify-content:center;margin:8px 0 20px}
.badge{padding:4px 14px;border-radius:4px;color:#fff;font-family:"SimHei","黑体","Noto Sans CJK SC",sans-serif}
.badge.red{background:#c62828}.badge.yellow{background:#f9a825;color:#111}.badge.asof{background:#555}
tr.red td{background:#fdecea}tr.yellow td{background:#fff8e1}
td.lv{text-align:center;color:#fff}td.lv.red{background:#c62828}td.lv.yellow{background:#f9a825;color:#111}td.lv.green{background:#2e7d32}
@media print{body{background:#fff}main{box-shadow:none;margin:0;padding:0}}
"#;

/// The colour class of a 红/黄/绿 label.
fn colour_class(label: &str) -> Option<&'static str> {
    match label {
        "红" | "红色" => Some("red"),
        "黄" | "黄色" => Some("yellow"),
        "绿" | "绿色" => Some("green"),
        _ => None,
    }
}

/// The report as one self-contained HTML page (no external resources): the same sections as
/// the Word report, the cumulative-completion chart as inline SVG (no font needed), the
/// warnings and indicators with their 红黄绿 colours.
pub fn monitor_html(
    r: &MonitorReport,
    issuing_body: Option<&str>,
    date: Option<&str>,
) -> Result<String, ReportError> {
    use crate::docx::esc;
    let chart = r.completion.as_ref().map(|_| crate::doc::Figure {
        label: String::new(),
        caption: chart_caption(r),
        svg: completion_chart_svg(r, crate::svg::FAMILY),
        png: Vec::new(),
        size: CHART_SIZE,
    });
    let doc = doc_with_chart(r, issuing_body, date, chart);
    let mut h = format!(
        "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<meta name=\"generator\" content=\"landplan\">\n<title>{}</title>\n<style>{HTML_CSS}</style>\n</head>\n<body>\n<main>\n",
        esc(&doc.title)
    );
    let count = |c: &str| r.warnings.iter().filter(|w| w.level.label() == c).count();
    for b in &doc.blocks {
        match b {
            Block::Title(t) => {
                h.push_str(&format!("<h1>{}</h1>\n", esc(t)));
                h.push_str(&format!(
                    "<div class=\"summary\"><span class=\"badge red\">红色预警 {}</span><span class=\"badge yellow\">黄色预警 {}</span><span class=\"badge asof\">截至{}</span></div>\n",
                    count("红"),
                    count("黄"),
                    esc(&r.as_of.chinese())
                ));
            }
            Block::Heading1(t) | Block::Heading2(t) => {
                h.push_str(&format!("<h2>{}</h2>\n", esc(t)))
            }
            Block::Para(t) => h.push_str(&format!("<p>{}</p>\n", esc(t))),
            Block::Signature { body, date } => h.push_str(&format!(
                "<p>&nbsp;</p>\n<p class=\"sig\">{}</p>\n<p class=\"sig\">{}</p>\n",
                esc(body),
                date.as_deref().map(esc).unwrap_or_else(|| "&nbsp;".into())
            )),
            Block::Figure(f) => h.push_str(&format!(
                "<figure class=\"chart\">{}</figure>\n<p class=\"caption\">{}</p>\n",
                f.svg.trim(),
                esc(&f.caption)
            )),
            Block::Table(t) => {
                h.push_str(&format!(
                    "<p class=\"caption\">{}</p>\n<p class=\"unit\">{}</p>\n<table>\n<thead><tr>",
                    esc(&t.caption),
                    esc(&t.unit)
                ));
                for c in &t.header {
                    h.push_str(&format!("<th>{}</th>", esc(c)));
                }
                h.push_str("</tr></thead>\n<tbody>\n");
                // The warning list and the indicators: each row in its colour.
                let colour_col = t.header.iter().position(|c| c == "级别" || c == "预警");
                for row in &t.rows {
                    let class = colour_col
                        .and_then(|i| row.get(i))
                        .and_then(|c| colour_class(c));
                    match class {
                        Some(c) => h.push_str(&format!("<tr class=\"{c}\">")),
                        None => h.push_str("<tr>"),
                    }
                    for (i, c) in row.iter().enumerate() {
                        if let (Some(k), true) = (class, colour_col == Some(i)) {
                            h.push_str(&format!("<td class=\"lv {k}\">{}</td>", esc(c)));
                        } else if t.numeric.get(i).copied().unwrap_or(false) {
                            h.push_str(&format!("<td class=\"n\">{}</td>", esc(c)));
                        } else {
                            h.push_str(&format!("<td>{}</td>", esc(c)));
                        }
                    }
                    h.push_str("</tr>\n");
                }
                h.push_str("</tbody>\n</table>\n");
            }
            Block::AttachmentNote(_) | Block::AttachmentLabel(_) | Block::PageBreak => {}
        }
    }
    h.push_str("</main>\n</body>\n</html>\n");
    Ok(h)
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

//! The single-file HTML report: the same document as the Word file, with inline CSS, the
//! charts as inline SVG and the 附表 as HTML tables. No external resources: it can be mailed
//! or published as one file.

use crate::chart::{chart_svg, ChartKind};
use crate::doc::{Block, Doc};
use crate::docx::esc;
use crate::fonts::svg_family;
use crate::{ReportError, ReportOptions};
use landplan_core::compile::{CompiledPlan, PlanKind};

const CSS: &str = r#"
body{margin:0;background:#f4f4f0;color:#111;font-family:"FangSong","仿宋","仿宋_GB2312","STFangsong","Noto Serif CJK SC","Songti SC",serif;font-size:17px;line-height:1.8}
main{max-width:860px;margin:24px auto;background:#fff;padding:48px 64px;box-shadow:0 1px 4px rgba(0,0,0,.15)}
h1{font-family:"FZXiaoBiaoSong-B05S","方正小标宋简体","SimSun","宋体","Noto Serif CJK SC",serif;font-weight:normal;text-align:center;font-size:29px;margin:8px 0 28px}
h2{font-family:"SimHei","黑体","Noto Sans CJK SC","Microsoft YaHei",sans-serif;font-weight:normal;font-size:19px;margin:18px 0 4px;text-indent:2em}
h3{font-family:"KaiTi","楷体","楷体_GB2312","STKaiti","Noto Serif CJK SC",serif;font-weight:normal;font-size:19px;margin:10px 0 4px;text-indent:2em}
p{margin:0;text-indent:2em;text-align:justify}
.sig{text-align:right;text-indent:0;padding-right:4em}
.figures{margin:28px 0}
figure{margin:16px 0;text-align:center}
figure svg{max-width:100%;height:auto}
.annex{margin-top:40px;border-top:1px solid #ccc;padding-top:20px}
.label{font-family:"SimHei","黑体","Noto Sans CJK SC",sans-serif;text-indent:0}
.caption{text-align:center;text-indent:0;font-size:19px}
.unit{text-align:right;text-indent:0;font-size:14px}
table{border-collapse:collapse;width:100%;font-size:14px;line-height:1.5;margin-bottom:24px}
th,td{border:1px solid #333;padding:3px 6px}
th{font-family:"SimHei","黑体","Noto Sans CJK SC",sans-serif;font-weight:normal;background:#f0f0f0}
td.n{text-align:right;font-variant-numeric:tabular-nums}
tr:last-child td{font-weight:bold}
@media print{body{background:#fff}main{box-shadow:none;margin:0;padding:0}}
"#;

/// The charts as inline SVG (no font needed; the timing chart shows the plan's own checkpoints
/// only when they are given).
fn charts(plan: &CompiledPlan, opts: &ReportOptions) -> Result<String, ReportError> {
    let mut kinds = vec![ChartKind::Structure, ChartKind::Layout];
    if plan.kind() == PlanKind::Supply {
        kinds.push(ChartKind::Timing);
    }
    let family = svg_family(&opts.fonts)?;
    let mut out = String::from("<section class=\"figures\">\n");
    for k in kinds {
        out.push_str("<figure>");
        out.push_str(chart_svg(plan, k, &opts.checkpoints, &family).trim());
        out.push_str("</figure>\n");
    }
    out.push_str("</section>\n");
    Ok(out)
}

/// Write the document as one HTML page.
pub(crate) fn write(
    doc: &Doc,
    plan: &CompiledPlan,
    opts: &ReportOptions,
) -> Result<String, ReportError> {
    let mut h = format!(
        "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<meta name=\"generator\" content=\"landplan\">\n<title>{}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<main>\n",
        esc(&doc.title)
    );
    let mut charts_done = false;
    let mut in_annex = false;
    for b in &doc.blocks {
        match b {
            Block::Title(t) => h.push_str(&format!("<h1>{}</h1>\n", esc(t))),
            Block::Heading1(t) => h.push_str(&format!("<h2>{}</h2>\n", esc(t))),
            Block::Heading2(t) => h.push_str(&format!("<h3>{}</h3>\n", esc(t))),
            Block::Para(t) => h.push_str(&format!("<p>{}</p>\n", esc(t))),
            Block::Signature { body, date } => {
                h.push_str(&format!(
                    "<p>&nbsp;</p>\n<p class=\"sig\">{}</p>\n<p class=\"sig\">{}</p>\n",
                    esc(body),
                    date.as_deref().map(esc).unwrap_or_else(|| "&nbsp;".into())
                ));
                h.push_str(&charts(plan, opts)?);
                charts_done = true;
            }
            Block::PageBreak => {
                if !in_annex {
                    h.push_str("<section class=\"annex\">\n");
                    in_annex = true;
                }
            }
            Block::Table(t) => {
                h.push_str(&format!(
                    "<p class=\"label\">{}</p>\n<p class=\"caption\">{}</p>\n<p class=\"unit\">{}</p>\n<table>\n<thead><tr>",
                    esc(&t.label),
                    esc(&t.caption),
                    esc(&t.unit)
                ));
                for c in &t.header {
                    h.push_str(&format!("<th>{}</th>", esc(c)));
                }
                h.push_str("</tr></thead>\n<tbody>\n");
                for r in &t.rows {
                    h.push_str("<tr>");
                    for (i, c) in r.iter().enumerate() {
                        if t.numeric.get(i).copied().unwrap_or(false) {
                            h.push_str(&format!("<td class=\"n\">{}</td>", esc(c)));
                        } else {
                            h.push_str(&format!("<td>{}</td>", esc(c)));
                        }
                    }
                    h.push_str("</tr>\n");
                }
                h.push_str("</tbody>\n</table>\n");
            }
        }
    }
    if !charts_done {
        h.push_str(&charts(plan, opts)?);
    }
    if in_annex {
        h.push_str("</section>\n");
    }
    h.push_str("</main>\n</body>\n</html>\n");
    Ok(h)
}

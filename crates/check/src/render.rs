//! Compiler-style text diagnostics.
//!
//! ```text
//! 错误[unit.mismatch]: 同一数量的两种单位不一致：383.73公顷折合5755.95亩，文中写作575.95亩
//!   --> 000.txt:19:38
//!    |
//! 19 | …供应总量控制在383.73公顷（约575.95亩）内，鼓励…
//!    |                          ^^^^^^^^
//!    = 期望: 5755.95亩  实际: 575.95亩
//! ```
//! Columns are character columns; underlines are width-aware (a CJK character is 2 columns).

use crate::DocumentReport;
use landplan_core::{Finding, Place};
use std::fmt::Write;
use unicode_width::UnicodeWidthChar;

/// Characters of context shown on each side of a figure in a quoted line.
const CONTEXT: usize = 24;

fn width(s: &str) -> usize {
    s.chars()
        .map(|c| if c == '\t' { 4 } else { c.width().unwrap_or(0) })
        .sum()
}

fn show(s: &str) -> String {
    s.replace('\t', "    ")
}

/// Render one place: the location arrow, the quoted line and the underline.
fn render_place(
    out: &mut String,
    path: &str,
    p: &Place,
    lines: &[&str],
    gutter: usize,
    primary: bool,
) {
    let file = p.file.as_deref().unwrap_or(path);
    if file != path {
        // A place in another file (the check across files): its lines are not this text's.
        let at = match (p.line, p.column, p.row) {
            (Some(l), Some(c), _) => format!("{file}:{l}:{c}"),
            (_, _, Some(r)) => format!("{file} 第{r}行"),
            _ => file.to_string(),
        };
        let _ = writeln!(out, "{:gutter$}--> {at}", "");
        if let Some(t) = &p.text {
            let _ = writeln!(out, "{:gutter$} = 该处写作: {t}", "");
        }
        return;
    }
    match (p.line, p.column) {
        (Some(l), Some(c)) => {
            let _ = writeln!(out, "{:gutter$}--> {file}:{l}:{c}", "");
            let Some(src) = lines.get(l.wrapping_sub(1)) else {
                return;
            };
            let chars: Vec<char> = src.chars().collect();
            let len = p
                .text
                .as_ref()
                .map(|t| t.chars().count())
                .unwrap_or(1)
                .max(1);
            let a = (c - 1).min(chars.len());
            let b = (a + len).min(chars.len());
            let from = a.saturating_sub(CONTEXT);
            let to = (b + CONTEXT).min(chars.len());
            let before: String = chars[from..a].iter().collect();
            let fig: String = chars[a..b].iter().collect();
            let after: String = chars[b..to].iter().collect();
            let lead = if from > 0 { "…" } else { "" };
            let tail = if to < chars.len() { "…" } else { "" };
            let _ = writeln!(out, "{:gutter$} |", "");
            let _ = writeln!(
                out,
                "{l:>gutter$} | {lead}{}{}{}{tail}",
                show(&before),
                show(&fig),
                show(&after)
            );
            let pad = width(lead) + width(&before);
            let mark = if primary { '^' } else { '-' };
            let _ = writeln!(
                out,
                "{:gutter$} | {}{}",
                "",
                " ".repeat(pad),
                mark.to_string().repeat(width(&fig).max(1))
            );
        }
        _ => {
            let _ = writeln!(out, "{:gutter$}--> {}", "", p.describe());
        }
    }
}

/// Render one finding.
pub fn render_finding(out: &mut String, path: &str, f: &Finding, lines: &[&str]) {
    let _ = writeln!(out, "{}[{}]: {}", f.severity.label(), f.rule, f.message);
    let gutter = f
        .places
        .iter()
        .filter_map(|p| p.line)
        .max()
        .map(|l| l.to_string().len())
        .unwrap_or(1);
    // The main place and up to five more; the rest as a count.
    for (i, p) in f.places.iter().enumerate().take(6) {
        render_place(out, path, p, lines, gutter, i == 0);
    }
    if f.places.len() > 6 {
        let _ = writeln!(out, "{:gutter$} = 另有{}处相关位置", "", f.places.len() - 6);
    }
    if let (Some(e), Some(fd)) = (&f.expected, &f.found) {
        let _ = writeln!(out, "{:gutter$} = 期望: {e}  实际: {fd}", "");
    }
    for n in &f.notes {
        let _ = writeln!(out, "{:gutter$} = 注: {n}", "");
    }
    out.push('\n');
}

/// Render a whole report: every finding and a summary line. `source` is the document's text
/// (as decoded), used to quote lines.
pub fn render_report(report: &DocumentReport, source: &str) -> String {
    let lines: Vec<&str> = source.split('\n').collect();
    let mut out = String::new();
    for f in &report.findings {
        render_finding(&mut out, &report.path, f, &lines);
    }
    let (e, w, i) = report.counts();
    let plan = &report.plan;
    let mut what = vec![plan.kind.label().to_string()];
    if let Some(r) = &plan.region {
        what.push(r.clone());
    }
    if let Some(y) = plan.year {
        what.push(format!("{y}年"));
    }
    if !report.readable {
        let _ = writeln!(out, "{}: 无法读取", report.path);
    } else {
        let _ = writeln!(
            out,
            "{}: {}；读取数字{}个，核对分项关系{}组，发现错误{e}个、警告{w}个、提示{i}个",
            report.path,
            what.join(" "),
            plan.quantities.len(),
            plan.breakdowns.len() + plan.unit_pairs.len(),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn underline_is_width_aware() {
        let f = Finding::new("x.y", landplan_core::Severity::Error, "m")
            .at(Place::line(1, 3, "12公顷"));
        let mut out = String::new();
        render_finding(&mut out, "a.txt", &f, &["总量12公顷。"]);
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines[3], "1 | 总量12公顷。");
        // "总量" is 4 columns wide; "12公顷" is 2 + 4 = 6.
        assert_eq!(lines[4], "  |     ^^^^^^");
    }
}

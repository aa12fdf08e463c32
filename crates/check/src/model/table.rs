//! A table block (a run of table rows): the rows' first area figures against the 合计 row
//! (a structure when every row is a class), each 小计 against the rows of its group, and row by
//! row the 新增 + 存量 columns, the class columns against the row's 合计 column, and each
//! further area column against the 合计 row.

use super::builder::{on_line, plain_parts, Builder};
use super::classify::{class_key, ItemKind};
use super::words::{contains_any, ROW_TOTAL_HEADERS};
use super::{Breakdown, BreakdownKind, Evidence, Part, PlanModel};
use crate::lex::{row_label, Lexed};

/// Read one table block.
pub fn block(b: &mut Builder, block: &[(usize, ItemKind)]) {
    let lx = b.lx;
    let Builder {
        m,
        share_of,
        section,
        ..
    } = b;
    // Rows: the first area figure in each row; the 合计/总计 row is the whole.
    let first_cell = |i: usize| -> String {
        let q = &m.quantities[i];
        let line = &lx.lines[q.place.line - 1];
        let (a, b) = line.cells()[0];
        row_label(line).unwrap_or_else(|| line.slice(a, b).trim().to_string())
    };
    let mut whole: Option<usize> = None;
    let mut rows: Vec<(usize, ItemKind)> = Vec::new();
    let mut seen_lines = std::collections::HashSet::new();
    // Rows since the last 小计 row: each 小计 is the sum of the rows of its group.
    let mut group: Vec<usize> = Vec::new();
    let mut subtotals: Vec<(usize, Vec<usize>)> = Vec::new();
    for (i, kind) in block {
        let q = &m.quantities[*i];
        if !seen_lines.insert(q.place.line) {
            continue;
        }
        let head = first_cell(*i);
        if head.contains("合计") || head.contains("总计") || head == "总量" {
            whole = Some(*i);
        } else if head.contains("小计") {
            subtotals.push((*i, std::mem::take(&mut group)));
        } else if head.starts_with("其中") || head.starts_with(' ') {
            continue;
        } else if whole.is_some() && !rows.is_empty() {
            // A row after the 合计 that closed the rows above it (an Excel 附表's
            // "保障性安居工程和中小套型商品住房" under 合计) is not a part of it.
            continue;
        } else {
            rows.push((*i, kind.clone()));
            group.push(*i);
        }
    }
    for (sub, parts) in subtotals {
        if parts.is_empty() {
            continue;
        }
        let first = &m.quantities[parts[0]];
        let name =
            row_label(&lx.lines[first.place.line - 1]).unwrap_or_else(|| first.label.clone());
        m.breakdowns.push(Breakdown {
            evidence: Evidence::of("表中的小计行与其上各行"),
            kind: BreakdownKind::Table,
            what: format!("表中“{name}”等行之和与其小计"),
            whole: sub,
            parts: plain_parts(m, parts),
            complete: true,
        });
    }
    if rows.len() < 2 {
        return;
    }
    let sec = &section[m.quantities[rows[0].0].place.line];
    let all_class = rows.iter().all(|(_, k)| matches!(k, ItemKind::Class(_)));
    let whole = match whole {
        Some(w) => Some(w),
        None if all_class && (sec.contains("结构") || sec.contains("总量")) => m.total,
        None => None,
    };
    let Some(w) = whole else { return };
    let parts: Vec<Part> = rows
        .iter()
        .map(|(i, k)| Part {
            label: m.quantities[*i].label.clone(),
            class_code: match k {
                ItemKind::Class(c) => Some(c.clone()),
                _ => None,
            },
            quantity: *i,
            share: share_of[*i],
        })
        .collect();
    m.breakdowns.push(Breakdown {
        evidence: Evidence::of("表中各行与合计行"),
        kind: if all_class {
            BreakdownKind::Structure
        } else {
            BreakdownKind::Table
        },
        what: if all_class {
            "表中各类用地面积之和与合计".to_string()
        } else {
            "表中各行之和与合计".to_string()
        },
        whole: w,
        parts,
        complete: true,
    });
    new_stock_columns(m, &rows, w);
    class_columns(lx, m, &rows, w);
    column_totals(m, &rows, w);
}

/// 新增 + 存量 columns against the row's first area figure, row by row.
fn new_stock_columns(m: &mut PlanModel, rows: &[(usize, ItemKind)], w: usize) {
    let mut row_lines: Vec<usize> = rows
        .iter()
        .map(|(i, _)| m.quantities[*i].place.line)
        .collect();
    row_lines.push(m.quantities[w].place.line);
    for l in row_lines {
        let in_row: Vec<usize> = on_line(&m.quantities, l)
            .filter(|&i| m.quantities[i].area_unit().is_some())
            .collect();
        let Some(&first) = in_row.first() else {
            continue;
        };
        let header = |i: usize| m.quantities[i].header.clone().unwrap_or_default();
        if header(first).contains("新增") || header(first).contains("存量") {
            continue;
        }
        let ns: Vec<usize> = in_row
            .iter()
            .copied()
            .filter(|&i| {
                let h = header(i);
                (h.contains("新增") || h.contains("存量")) && !h.contains("其中")
            })
            .collect();
        let has_new = ns.iter().any(|&i| header(i).contains("新增"));
        let has_stock = ns.iter().any(|&i| header(i).contains("存量"));
        if ns.len() == 2 && has_new && has_stock {
            m.breakdowns.push(Breakdown {
                evidence: Evidence::of("表中同一行的新增、存量列与该行合计"),
                kind: BreakdownKind::NewStock,
                what: format!("表中“{}”行的新增与存量之和", m.quantities[first].label),
                whole: first,
                parts: ns
                    .iter()
                    .map(|&i| Part {
                        label: header(i),
                        class_code: None,
                        quantity: i,
                        share: None,
                    })
                    .collect(),
                complete: true,
            });
        }
    }
}

/// Class columns against the row's 合计 column, row by row ("区域 | 住宅用地 | 商服用地 | 其他 |
/// 合计"): only when every other area column of the row names a distinct class (or 其他), none
/// inside another, so that the columns are a complete breakdown of the row.
fn class_columns(lx: &Lexed, m: &mut PlanModel, rows: &[(usize, ItemKind)], w: usize) {
    let mut check_lines: Vec<usize> = rows
        .iter()
        .map(|(i, _)| m.quantities[*i].place.line)
        .collect();
    check_lines.push(m.quantities[w].place.line);
    for l in check_lines {
        let header = |i: usize| m.quantities[i].header.clone().unwrap_or_default();
        let in_row: Vec<usize> = on_line(&m.quantities, l)
            .filter(|&i| {
                let q = &m.quantities[i];
                q.area_unit().is_some() && q.cell.is_some()
            })
            .collect();
        let is_total = |h: &str| contains_any(h, ROW_TOTAL_HEADERS);
        let Some(&total) = in_row.iter().find(|&&i| is_total(&header(i))) else {
            continue;
        };
        let unit = m.quantities[total].unit;
        let mut keys: Vec<String> = Vec::new();
        let mut parts: Vec<Part> = Vec::new();
        let mut complete = true;
        for &i in &in_row {
            let h = header(i);
            if i == total || m.quantities[i].unit != unit {
                continue;
            }
            let key = if h.contains("其他") || h.contains("其它") {
                Some("group:other".to_string())
            } else {
                class_key(&h)
            };
            match key {
                Some(k)
                    if !h.contains("其中")
                        && !keys
                            .iter()
                            .any(|x| x.starts_with(&k) || k.starts_with(x.as_str())) =>
                {
                    keys.push(k.clone());
                    parts.push(Part {
                        label: h,
                        class_code: Some(k),
                        quantity: i,
                        share: None,
                    });
                }
                _ => complete = false,
            }
        }
        if complete && parts.len() >= 2 {
            let row = row_label(&lx.lines[l - 1]).unwrap_or_default();
            m.breakdowns.push(Breakdown {
                evidence: Evidence::of("表中同一行的各类用地列与合计列"),
                kind: BreakdownKind::Table,
                what: format!("表中“{row}”行各类用地面积之和与该行合计"),
                whole: total,
                parts,
                complete: true,
            });
        }
    }
}

/// Further area columns: each column's rows against the 合计 row in that column.
fn column_totals(m: &mut PlanModel, rows: &[(usize, ItemKind)], w: usize) {
    let whole_line = m.quantities[w].place.line;
    let cols: Vec<usize> = m
        .quantities
        .iter()
        .filter(|q| q.place.line == whole_line && q.area_unit().is_some() && q.cell.is_some())
        .filter_map(|q| q.cell)
        .collect();
    for col in cols.into_iter().skip(1) {
        let Some(wq) = m
            .quantities
            .iter()
            .position(|q| q.place.line == whole_line && q.cell == Some(col))
        else {
            continue;
        };
        let cells: Vec<usize> = rows
            .iter()
            .filter_map(|(i, _)| {
                let l = m.quantities[*i].place.line;
                on_line(&m.quantities, l).find(|&i| {
                    let q = &m.quantities[i];
                    q.cell == Some(col) && q.area_unit().is_some()
                })
            })
            .collect();
        let parts = plain_parts(m, cells);
        if parts.len() >= 2 {
            let what = format!(
                "表中“{}”列之和与合计",
                m.quantities[wq].header.clone().unwrap_or_default()
            );
            m.breakdowns.push(Breakdown {
                evidence: Evidence::of("表中各行与合计行（按列）"),
                kind: BreakdownKind::Table,
                what,
                whole: wq,
                parts,
                complete: true,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::ties;

    #[test]
    fn rows_are_tied_to_the_total_row_column_by_column() {
        let t = ties(
            "
            某县2025年度国有建设用地供应计划
            （二）供应结构
            用地类型\t面积（公顷）\t新增（公顷）\t存量（公顷）
            住宅用地\t60\t40\t20
            商服用地\t40\t30\t10
            合计\t100\t70\t30
            ",
        );
        assert_eq!(
            t,
            [
                "Structure 100公顷 = 60公顷 + 40公顷",
                "NewStock 60公顷 = 40公顷 + 20公顷",
                "NewStock 40公顷 = 30公顷 + 10公顷",
                "NewStock 100公顷 = 70公顷 + 30公顷",
                "Table 70公顷 = 40公顷 + 30公顷",
                "Table 30公顷 = 20公顷 + 10公顷",
            ]
        );
    }
}

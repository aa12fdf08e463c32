//! Parcels: the parcel list (a table with 编号/地块名称 and 面积, or prose "编号：…"), tied to the
//! list's own 合计 row and to the plan scale.

use super::builder::{on_line, Builder};
use super::words::{LOCATION_WORDS, PARCEL_NAME_HEADERS};
use super::{Breakdown, BreakdownKind, DocKind, Evidence, ParcelEntry, Part, PlanModel, Quantity};
use crate::lex::Lexed;

/// Pass `parcels`: read the parcel list.
///
/// Reads the lines, `secondary`; writes `m.parcels`, `parcel_table_total`.
pub fn read(b: &mut Builder) {
    b.parcel_table_total = read_parcels(b.lx, &mut b.m, &b.secondary, &b.section);
}

/// Pass `parcel_ties`: the parcels against the list's own 合计 row, and against the plan scale
/// unless they add up exactly to another figure the text states (the new reserve, the stock
/// carried over), which they then enumerate.
///
/// Reads `m.parcels`, `m.total`, `m.kind`, `parcel_table_total`, `secondary`, `section`;
/// writes parcel breakdowns.
pub fn ties(b: &mut Builder) {
    let n = b.figure_count();
    let Builder {
        m,
        section,
        secondary,
        parcel_table_total,
        ..
    } = b;
    let parcel_table_total = *parcel_table_total;
    // Parcels vs the list's own 合计 row.
    let areas: Vec<usize> = m.parcels.iter().filter_map(|p| p.area).collect();
    let parcel_parts = |m: &PlanModel| -> Vec<Part> {
        m.parcels
            .iter()
            .filter_map(|p| {
                p.area.map(|a| Part {
                    label: p.id.clone(),
                    class_code: None,
                    quantity: a,
                    share: None,
                })
            })
            .collect()
    };
    if let (Some(q), true) = (parcel_table_total, areas.len() >= 2) {
        m.breakdowns.push(Breakdown {
            evidence: Evidence::of("地块清单与表中的合计行"),
            kind: BreakdownKind::Parcels,
            what: "地块清单各地块面积之和与表中合计".to_string(),
            whole: q,
            parts: parcel_parts(m),
            complete: true,
        });
    }
    // A list that adds up exactly to a figure the text states other than the total (the new
    // reserve, the stock carried over) enumerates that figure, not the whole plan.
    let in_ha = |q: &Quantity| q.area_unit().map(|u| u.to_hectares(q.value).normalize());
    let listed_sum = (areas.len() >= 2).then(|| {
        let mut sum = rust_decimal::Decimal::ZERO;
        for &a in &areas {
            sum += in_ha(&m.quantities[a]).unwrap_or_default();
        }
        sum.normalize()
    });
    let enumerates_other = listed_sum.is_some_and(|sum| {
        let list_lines: std::collections::HashSet<usize> =
            m.parcels.iter().map(|p| p.line).collect();
        m.total
            .is_some_and(|t| in_ha(&m.quantities[t]) != Some(sum))
            && (0..n).any(|j| {
                Some(j) != m.total
                    && Some(j) != parcel_table_total
                    && !secondary[j]
                    && in_ha(&m.quantities[j]) == Some(sum)
                    && !list_lines.contains(&m.quantities[j].place.line)
            })
    });

    // Parcels vs the plan scale.
    if let (Some(t), false) = (m.total, enumerates_other) {
        if areas.len() >= 2 {
            let listed = m
                .parcels
                .first()
                .map(|p| section[p.line].contains("明细") || section[p.line].contains("清单"))
                .unwrap_or(false);
            m.breakdowns.push(Breakdown {
                evidence: Evidence::of("地块清单与计划规模"),
                kind: BreakdownKind::Parcels,
                what: "地块清单面积之和与计划规模".to_string(),
                whole: t,
                parts: parcel_parts(m),
                complete: listed || m.kind == DocKind::Reserve,
            });
        }
    }
}

/// Read the parcel list (a table with 编号/地块名称 and 面积, or prose "编号：…"); returns the
/// area figure of the table's own 合计 row, if it has one.
fn read_parcels(
    lx: &Lexed,
    m: &mut PlanModel,
    secondary: &[bool],
    section: &[String],
) -> Option<usize> {
    let _ = section;
    let mut table_total = None;
    let delim = |c: char| matches!(c, '，' | ',' | '；' | ';' | '。' | '\t' | ' ' | '、');
    // Table parcels: a header with 编号 and 面积.
    let mut header_cols: Option<(usize, Option<usize>)> = None;
    for line in &lx.lines {
        let t = line.norm_string();
        if line.is_row() {
            let cells = line.cells();
            let texts: Vec<String> = cells
                .iter()
                .map(|&(a, b)| line.slice(a, b).trim().to_string())
                .collect();
            let has_area = texts.iter().any(|x| x.contains("面积"));
            let id_col = texts
                .iter()
                .position(|x| x.contains("编号") || x == "宗地号" || x.contains("地块号"))
                .or_else(|| {
                    // Without an id column, a parcel's name identifies it.
                    texts
                        .iter()
                        .position(|x| has_area && PARCEL_NAME_HEADERS.contains(&x.as_str()))
                });
            if let Some(idc) = id_col {
                let loc = texts
                    .iter()
                    .position(|x| x.contains("坐落") || x.contains("位置"));
                header_cols = Some((idc, loc));
                continue;
            }
            if let Some((idc, loc)) = header_cols {
                let id = texts.get(idc).cloned().unwrap_or_default();
                if texts
                    .iter()
                    .any(|x| matches!(x.as_str(), "合计" | "总计" | "合 计" | "总 计"))
                    || id.contains("合计")
                    || id.contains("总计")
                {
                    // The list's own total: its first area figure outside the name column.
                    table_total = on_line(&m.quantities, line.number).find(|&i| {
                        let q = &m.quantities[i];
                        q.area_unit().is_some() && q.cell != Some(idc)
                    });
                    continue;
                }
                if id.is_empty() {
                    continue;
                }
                let area = on_line(&m.quantities, line.number).find(|&i| {
                    let q = &m.quantities[i];
                    q.area_unit().is_some() && q.cell != Some(idc)
                });
                m.parcels.push(ParcelEntry {
                    id,
                    location: loc
                        .and_then(|l| texts.get(l).cloned())
                        .filter(|s| !s.is_empty()),
                    area,
                    line: line.number,
                });
            }
            continue;
        }
        header_cols = None;
        // Prose parcels: "地块编号：X，坐落：Y，面积：Z公顷".
        let Some(p) = t.find("编号") else { continue };
        let c = &line.norm;
        let mut k = t[..p].chars().count() + 2;
        while k < c.len() && matches!(c[k], ':' | '：' | ' ' | '为') {
            k += 1;
        }
        let s = k;
        while k < c.len() && !delim(c[k]) {
            k += 1;
        }
        let id = line.slice(s, k);
        if id.is_empty() || !id.chars().any(|ch| ch.is_ascii_alphanumeric()) {
            continue;
        }
        let location = LOCATION_WORDS.iter().find_map(|w| {
            let p = t.find(w)?;
            let mut k = t[..p].chars().count() + w.chars().count();
            while k < c.len() && matches!(c[k], ':' | '：' | ' ' | '于') {
                k += 1;
            }
            let s = k;
            while k < c.len() && !matches!(c[k], '，' | ',' | '；' | ';' | '。' | '\t') {
                k += 1;
            }
            let loc = line.slice(s, k);
            (!loc.is_empty()).then_some(loc)
        });
        let area = on_line(&m.quantities, line.number)
            .find(|&qi| m.quantities[qi].area_unit().is_some() && !secondary[qi]);
        m.parcels.push(ParcelEntry {
            id,
            location,
            area,
            line: line.number,
        });
    }
    table_total
}

#[cfg(test)]
mod tests {
    use super::super::testing::model;

    #[test]
    fn a_parcel_table_is_tied_to_its_total_row_and_the_plan_scale() {
        let m = model(
            "
            某县2026年土地储备计划
            本年度计划储备土地6.00公顷。
            地块编号\t坐落\t面积（公顷）
            A-01\t城关镇东街\t2.00
            A-02\t城关镇西街\t4.00
            合计\t\t6.00
            ",
        );
        let ids: Vec<&str> = m.parcels.iter().map(|p| p.id.as_str()).collect();
        assert_eq!(ids, ["A-01", "A-02"]);
        assert_eq!(m.parcels[0].location.as_deref(), Some("城关镇东街"));
        let kinds: Vec<&str> = m.breakdowns.iter().map(|b| b.what.as_str()).collect();
        assert!(
            kinds.contains(&"地块清单各地块面积之和与表中合计"),
            "{kinds:?}"
        );
        assert!(kinds.contains(&"地块清单面积之和与计划规模"), "{kinds:?}");
    }
}

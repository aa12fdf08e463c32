//! Tokeniser: every stated figure with its unit, qualifier and place.
//!
//! One file per concern: [`mod@line`] (a line and its cells), [`numbers`] (number runs, damaged
//! numbers), [`units`] (unit spellings from core, rates), [`qualifiers`] (约, 以内 …),
//! [`labels`] (what a figure is), [`lists`] ("分别" lists), [`counts`] (counts of parcels),
//! [`tables`] (rows, headers, declared units), [`quantity`] (what is found) and [`figures`]
//! (one line's figures); this module lexes a document line by line.
//!
//! Lines are normalised with [`landplan_core::text::normalize`] (full-width → half-width,
//! traditional → simplified), which keeps one character per character, so columns in the
//! normalised line are columns in the source line. A figure is a number (digits, an optional
//! decimal part, optional thousands separators, a stray space around the decimal point as in
//! "15 .93"), optionally a range ("3240-3660公顷", "3240～3660公顷", "3240至3660公顷"), and a unit
//! (公顷, 亩, 平方米/㎡, 平方公里, 万公顷, 万亩, %, 元, 万元, 亿元). A number without a unit is not a
//! figure (section numbers, document numbers, counts), except in a table column whose header
//! gives the unit. A damaged number followed by a unit (".32公顷", "1..5公顷", "12.3.4公顷",
//! "12O.5公顷") is recorded as damaged and never read as something else.

pub mod counts;
pub mod figures;
pub mod labels;
pub mod line;
pub mod lists;
pub mod numbers;
pub mod qualifiers;
pub mod quantity;
pub mod tables;
pub mod units;

pub use counts::CountMention;
pub use labels::{clean_label, label_before, row_label};
pub use line::Line;
pub use lists::RespectiveList;
pub use qualifiers::Qualifier;
pub use quantity::{Damaged, Quantity, QuantityPlace, YearMention};
pub use units::Unit;

use counts::chinese_counts;
use figures::lex_line;
use landplan_core::text::normalize;
use tables::{tableize, TableState};

/// The lexed document.
#[derive(Debug, Clone, Default)]
pub struct Lexed {
    /// The lines.
    pub lines: Vec<Line>,
    /// Every figure, in document order.
    pub quantities: Vec<Quantity>,
    /// Every year mention.
    pub years: Vec<YearMention>,
    /// Damaged figures.
    pub damaged: Vec<Damaged>,
    /// "分别" lists: names before the marker, figures after it, one to one.
    pub lists: Vec<RespectiveList>,
    /// Counts of parcels ("共15宗", "十二块地", "8个地块").
    pub counts: Vec<CountMention>,
}

/// Lex a whole document.
pub fn lex_document(text: &str) -> Lexed {
    let mut out = Lexed::default();
    let mut offset = 0usize;
    let mut table = TableState::default();
    for (idx, raw) in text.split('\n').enumerate() {
        let norm: Vec<char> = tableize(normalize(raw).chars().collect());
        let mut offsets: Vec<usize> = raw.char_indices().map(|(b, _)| offset + b).collect();
        offsets.push(offset + raw.len());
        let line = Line {
            number: idx + 1,
            text: raw.to_string(),
            norm,
            offsets,
        };
        offset += raw.len() + 1;
        let ns = line.norm_string();
        table.declaration(&ns);
        if line.is_row() {
            let header = table.row(&line);
            lex_line(&line, header, &mut out);
        } else {
            table.prose(&ns);
            lex_line(&line, None, &mut out);
            chinese_counts(&line, &mut out.counts);
        }
        out.lines.push(line);
    }
    out.counts.sort_by_key(|c| (c.line, c.chars.0));
    out
}

/// True when the characters ending at `end` are `w`.
pub(crate) fn ends_with(c: &[char], end: usize, w: &str) -> bool {
    let wc: Vec<char> = w.chars().collect();
    end >= wc.len() && c[end - wc.len()..end] == wc[..]
}

/// True when the characters starting at `at` are `w`.
pub(crate) fn starts_with(c: &[char], at: usize, w: &str) -> bool {
    let wc: Vec<char> = w.chars().collect();
    at + wc.len() <= c.len() && c[at..at + wc.len()] == wc[..]
}

#[cfg(test)]
mod tests {
    use super::*;
    use landplan_core::numeral;

    fn q(text: &str) -> Lexed {
        lex_document(text)
    }

    #[test]
    fn figures_with_units_qualifiers_and_places() {
        let l = q("总量控制在383.73公顷（约575.95亩）内，资金0.75亿元。");
        let v: Vec<String> = l.quantities.iter().map(|x| x.display.clone()).collect();
        assert_eq!(v, ["383.73公顷", "575.95亩", "0.75亿元"]);
        assert_eq!(l.quantities[0].place.column, 6);
        assert!(l.quantities[0].qualifiers.contains(&Qualifier::Within));
        assert!(l.quantities[1].is_approximate());
        assert_eq!(l.quantities[0].label, "总量");
        let t = "总量控制在383.73公顷";
        assert_eq!(
            &t[l.quantities[0].place.span.0..l.quantities[0].place.span.1],
            "383.73公顷"
        );
    }

    #[test]
    fn full_width_spaces_ranges_and_separators() {
        let l = q("规模３２４０－３６６０公顷，另15 .93公顷，和1,234.5亩，以及10公顷-12公顷");
        let d: Vec<String> = l.quantities.iter().map(|x| x.display.clone()).collect();
        assert_eq!(d, ["3240-3660公顷", "15.93公顷", "1234.5亩", "10-12公顷"]);
        assert_eq!(l.quantities[0].place.text, "３２４０－３６６０公顷");
    }

    #[test]
    fn damaged_figures_are_never_read() {
        let l = q("甲.32公顷，乙1..5公顷，丙12.3.4公顷，丁12O.5公顷，戊7.2公顷");
        assert_eq!(l.damaged.len(), 4, "{:?}", l.damaged);
        assert_eq!(l.quantities.len(), 1);
        assert_eq!(l.quantities[0].display, "7.2公顷");
    }

    #[test]
    fn a_full_stop_between_digits_before_a_unit_is_a_damaged_figure() {
        // A reprint typed "。" for the decimal point: one damaged figure, not 17 and 36平方公里.
        let l = q("全年計劃供地約17。36平方公里，住宅用地5。12平方公里。");
        assert_eq!(l.damaged.len(), 2, "{:?}", l.damaged);
        assert_eq!(l.damaged[0].text, "17。36平方公里");
        assert!(l.quantities.is_empty(), "{:?}", l.quantities);
        // A sentence that ends after a figure's unit, or a year after a full stop, stays as it is.
        let l = q("供应总量为100公顷。2025年商服用地20公顷。第3。");
        assert!(l.damaged.is_empty(), "{:?}", l.damaged);
        assert_eq!(l.quantities.len(), 2);
    }

    #[test]
    fn absurdly_long_numbers_are_damaged_not_overflowing() {
        let l = q("总量99999999999999999999公顷，其中住宅0.000000000001公顷，占比50%");
        assert_eq!(l.damaged.len(), 1);
        let r = crate::check_text(
            "x.txt",
            "总量为0.000000000001公顷，其中：住宅用地999999999999公顷，占比50%，商服用地1公顷。",
        );
        assert!(r.findings.iter().any(|f| f.rule == "sum.mismatch"));
    }

    #[test]
    fn numbers_without_units_and_identifiers_are_not_figures() {
        let l = q("1.严格保护耕地。国土资发〔2010〕117号，GB/T21010-2017，BC2025CB011，3类指标，2021 年 11 月");
        assert!(l.quantities.is_empty(), "{:?}", l.quantities);
        assert_eq!(l.years.len(), 1);
        assert_eq!(l.years[0].year, 2021);
        let l = q("结合2020-2024年供应情况，地价2000元/平方米");
        assert!(l.quantities.is_empty());
        assert_eq!(l.years[0].to, Some(2024));
    }

    #[test]
    fn table_cells_take_their_unit_from_the_header() {
        let l = q("用地类型\t面积（公顷）\t占比（%）\n住宅用地\t12.5\t50.0\n合计\t25\t100");
        let d: Vec<(String, String)> = l
            .quantities
            .iter()
            .map(|x| (x.label.clone(), x.display.clone()))
            .collect();
        assert_eq!(
            d,
            [
                ("住宅用地".to_string(), "12.5公顷".to_string()),
                ("住宅用地".to_string(), "50.0%".to_string()),
                ("合计".to_string(), "25公顷".to_string()),
                ("合计".to_string(), "100%".to_string())
            ]
        );
    }

    #[test]
    fn respective_lists_share_their_unit() {
        let l = q("其中商服用地、住宅用地分别为10、20.5公顷，分别占33.3%和66.7%。");
        let d: Vec<String> = l.quantities.iter().map(|x| x.display.clone()).collect();
        assert_eq!(d, ["10公顷", "20.5公顷", "33.3%", "66.7%"]);
        assert_eq!(l.lists.len(), 2);
        assert_eq!(l.lists[0].names, "其中商服用地、住宅用地");
        assert_eq!(l.lists[0].figures, [0, 1]);
        assert_eq!(l.lists[1].figures, [2, 3]);
        assert_eq!(l.quantities[0].place.text, "10");
        // Each with its unit, a bracket after one, 以及 as separator.
        let l = q("分别为10公顷（150亩）、20公顷以及30公顷");
        assert_eq!(l.lists[0].len, 3);
        assert_eq!(l.lists[0].figures, [0, 2, 3]);
        // Not lists: a single figure, years, mixed units, bare numbers without 分别.
        for t in [
            "分别为10公顷",
            "分别于2025年、2026年完成",
            "分别为10公顷、150亩",
            "商服用地10、住宅用地20公顷",
        ] {
            let l = q(t);
            assert!(l.lists.is_empty(), "{t}: {:?}", l.lists);
        }
        assert_eq!(q("商服用地10、住宅用地20公顷").quantities.len(), 1);
    }

    #[test]
    fn two_header_rows_under_merged_cells_give_each_column_its_unit() {
        // "面积" spans two columns (公顷, 亩); 用地类型 and 占比 span two rows.
        let l = q("用地类型\t面积\t\t占比（%）\n\t公顷\t亩\t\n住宅用地\t12.5\t187.5\t50.0\n合计\t25\t375\t100");
        let d: Vec<(String, String, Option<String>)> = l
            .quantities
            .iter()
            .map(|x| (x.label.clone(), x.display.clone(), x.header.clone()))
            .collect();
        assert_eq!(d.len(), 6, "{d:?}");
        assert_eq!(d[0].1, "12.5公顷");
        assert_eq!(d[0].2.as_deref(), Some("面积公顷"));
        assert_eq!(d[1].1, "187.5亩");
        assert_eq!(d[2].1, "50.0%");
        assert_eq!(d[5].0, "合计");
        assert_eq!(d[5].1, "100%");
    }

    #[test]
    fn parcel_counts_in_digits_and_chinese_numerals() {
        let l = q("计划供应地块共15宗，其中住宅用地十二宗、工业用地3块地，另有两个地块待定，花费5块钱，第一宗");
        let v: Vec<(u32, &str)> = l
            .counts
            .iter()
            .map(|c| (c.value, c.text.as_str()))
            .collect();
        // "第一宗" is an ordinal, "5块钱" is money.
        assert_eq!(
            v,
            [(15, "15宗"), (12, "十二宗"), (3, "3块地"), (2, "两个地块")]
        );
        assert_eq!(l.counts[0].label, "计划供应地块");
        let totals: Vec<bool> = l.counts.iter().map(|c| c.total).collect();
        assert_eq!(totals, [true, false, false, false]);
        for (t, n) in [
            ("十", 10),
            ("十五", 15),
            ("二十三", 23),
            ("一百零五", 105),
            ("两百", 200),
            ("三千零二十", 3020),
        ] {
            assert_eq!(numeral::parse(t), Some(n), "{t}");
        }
        assert_eq!(numeral::parse("三五"), None);
    }

    #[test]
    fn labels_skip_parentheticals_and_enumerators() {
        let l = q("其中:住宅用地871.73公顷；其他用地（包括：公共管理与公共服务用地、特殊用地）1945.64公顷");
        assert_eq!(l.quantities[0].label, "住宅用地");
        assert_eq!(l.quantities[1].label, "其他用地");
        let l = q("1.资金总量：0.75亿元");
        assert_eq!(l.quantities[0].label, "资金总量");
    }

    #[test]
    fn a_signed_cell_is_a_negative_figure_and_a_spaced_dash_is_not() {
        let l = lex_document("用地类型\t增减（公顷）\n商服用地\t-10.00\n住宅用地\t- 20.00\n");
        let values: Vec<String> = l.quantities.iter().map(|q| q.value.to_string()).collect();
        assert_eq!(values[0], "-10.00");
        assert!(!values.contains(&"-20.00".to_string()), "{values:?}");
        // In prose a dash is a range, not a sign.
        let p = lex_document("面积为3240-3660公顷。");
        assert_eq!(p.quantities[0].value.to_string(), "3240");
    }
}

//! The plan model: what a document states and how its figures are tied together.
//!
//! Read from the lexed text by general rules (no document-specific patterns):
//! - **title, kind, region, year, period**: the title is the first lines up to one naming a
//!   计划/规划/报告/方案; kind from its words (储备, 供应, 住房/住宅用地, 执行/实施情况, 调整);
//!   region is the title's prefix before the year; the period from 计划期限/规划期/“十四五”.
//! - **items**: every area figure that is not a restatement in another unit and not outside
//!   the plan (浮动, 上年/去年/同比, 增长/减少, 年均/平均, 容积率, 地价, past periods). Its label
//!   says what it is: a land class (resolved with the classification tables, groups such as
//!   其他用地 included), a township (镇, 乡, 街道, 园区 …, in a 布局 section), a 新增/存量 part, a
//!   housing sub-item, or a whole (总量, 规模, 合计 …).
//! - **breakdowns**: a whole and its parts: parts after 其中/包括 in the same sentence; class
//!   parts in a paragraph that speaks of the 总量 (the plan total); townships with their own
//!   totals and class parts; table rows against the 合计 row; parcels against the plan total.
//! - **unit pairs**: a figure followed by the same quantity in another unit in brackets.
//! - **shares**: a percentage right after a part (占比, 占…的).
//!
//! [`build`] runs [`PASSES`] in order over one [`Builder`] (the model being built and what
//! each pass found that later ones read); each pass has its own file, and every word list is
//! in `words.rs`. To add a pass: a function `fn(&mut Builder)` in its file, its fields in the
//! builder (documented), a line in [`PASSES`] where its inputs are ready.

mod blocks;
pub mod builder;
mod certainty;
mod classify;
mod exclusions;
mod execution;
mod items;
mod layout;
mod lists;
mod money;
mod named_whole;
mod parcels;
mod period;
mod prose;
mod scan;
mod sections;
mod shares;
mod structure;
mod table;
#[cfg(test)]
mod testing;
mod title;
mod total;
mod unit_pairs;
mod words;

pub use builder::Builder;
pub use classify::{class_key, class_match};

use crate::lex::{Lexed, Quantity, YearMention};
use serde::Serialize;

/// A pass: reads the builder, adds to it.
pub type Pass = fn(&mut Builder);

/// The passes, in the order they run: each reads what the passes before it found.
#[rustfmt::skip]
pub const PASSES: &[(&str, Pass)] = &[
    ("title", title::read),                          // title, kind, year, region
    ("period", period::read),                        // period and its place
    ("lists", lists::name_figures),                  // "分别" figures named, or unpaired
    ("sections", sections::read),                    // headings in force per line
    ("unit_pairs", unit_pairs::find),                // restatements in another unit
    ("exclusions", exclusions::mark),                // figures outside the breakdowns
    ("shares", shares::attach),                      // the % stated for each part
    ("parcels", parcels::read),                      // the parcel list
    ("items", classify::items),                      // primary area figures, classified
    ("total", total::find),                          // the plan total, totals per year
    ("blocks", blocks::walk),                        // prose lines and tables → breakdowns
    ("singles", structure::singles),                 // one class per line → a structure
    ("execution", execution::pairs),                 // plan/outcome pairs of a report
    ("total_from_table", structure::total_from_table), // a structure table's 合计
    ("table_totals", structure::table_totals),       // a table's 合计 vs the plan total
    ("structure", structure::of_the_total),          // the plan's structure
    ("layout", layout::ties),                        // townships vs the total, classes across
    ("money", money::sub_items),                     // funds and their items
    ("parcel_ties", parcels::ties),                  // parcels vs 合计 and the plan scale
    ("named_whole", named_whole::ties),              // a share naming its whole (占…总量的)
    ("certainty", certainty::assess),                // what makes each tie uncertain
];

/// Build the model from a lexed document: every pass in order.
pub fn build(lx: &Lexed) -> PlanModel {
    let mut b = Builder::new(lx);
    for (_, pass) in PASSES {
        pass(&mut b);
    }
    b.finish()
}

/// The kind of document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DocKind {
    /// 国有建设用地供应计划.
    Supply,
    /// 土地储备计划.
    Reserve,
    /// 住房用地供应计划.
    HousingLand,
    /// 执行情况 / 实施情况 report.
    ExecutionReport,
    /// 计划调整.
    Adjustment,
    /// Anything else (a five-year plan, a notice).
    #[default]
    Other,
}

impl DocKind {
    /// The kind in Chinese.
    pub fn label(self) -> &'static str {
        match self {
            DocKind::Supply => "供应计划",
            DocKind::Reserve => "储备计划",
            DocKind::HousingLand => "住房用地供应计划",
            DocKind::ExecutionReport => "执行情况报告",
            DocKind::Adjustment => "计划调整",
            DocKind::Other => "其他文件",
        }
    }
}

/// A part of a whole: a class, township, sub-item or parcel figure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Part {
    /// The label as written (cleaned).
    pub label: String,
    /// The class code when the label names a land class (`gb21010:06`, `group:other` …).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub class_code: Option<String>,
    /// Index of the figure in [`PlanModel::quantities`].
    pub quantity: usize,
    /// Index of its stated share (a % figure), if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub share: Option<usize>,
}

/// A township in the layout, with its total and class parts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TownshipPart {
    /// The township's name.
    pub name: String,
    /// Index of its total.
    pub total: Option<usize>,
    /// Its class parts.
    pub parts: Vec<Part>,
}

/// A parcel in a parcel list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ParcelEntry {
    /// 地块编号 as written.
    pub id: String,
    /// 坐落.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// Index of its area figure.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub area: Option<usize>,
    /// The line (1-based).
    pub line: usize,
}

/// What a breakdown is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BreakdownKind {
    /// Class parts of a whole (结构).
    Structure,
    /// One township's class parts vs its total.
    Township,
    /// Township totals vs the plan total.
    TownshipTotals,
    /// One class summed across townships vs the structure's figure for it.
    ClassAcrossTownships,
    /// Sub-items of a part (住宅 → 保障性/商品 …), or items of an unnamed whole.
    SubItems,
    /// 新增 + 存量.
    NewStock,
    /// Table rows vs the 合计 row.
    Table,
    /// Parcel areas vs the plan scale.
    Parcels,
}

/// A whole and its parts, as the document ties them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Breakdown {
    /// What it is.
    pub kind: BreakdownKind,
    /// What the whole is, in Chinese (for messages).
    pub what: String,
    /// Index of the whole.
    pub whole: usize,
    /// The parts.
    pub parts: Vec<Part>,
    /// True when the parts are meant to add up to the whole; false when they may be a
    /// selection (then only parts exceeding the whole is a mismatch).
    pub complete: bool,
    /// Why the tie was made, and what makes it uncertain (shown in `--format json` and in the
    /// notes of the findings on it).
    pub evidence: Evidence,
}

/// The evidence of a tie: what in the text made it, and why it may be wrong. A tie with a
/// doubt gives at most a warning (`sum.mismatch`, `share.total`): an error is asserted only
/// where the tie is certain.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Evidence {
    /// What in the text made the tie, in Chinese ("总量后以“其中”引出分项", "表格的合计行" …).
    pub basis: String,
    /// Why the tie is uncertain, in Chinese, one reason each (empty: certain).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub doubts: Vec<String>,
}

impl Evidence {
    /// A tie made for `basis`, with no doubt (yet).
    pub fn of(basis: impl Into<String>) -> Evidence {
        Evidence {
            basis: basis.into(),
            doubts: Vec::new(),
        }
    }

    /// True when nothing makes the tie uncertain.
    pub fn is_certain(&self) -> bool {
        self.doubts.is_empty()
    }
}

/// The plan as read from a document.
#[derive(Debug, Clone, Default, Serialize)]
pub struct PlanModel {
    /// supply, reserve, housing_land, execution_report, adjustment, other.
    pub kind: DocKind,
    /// The title as read (lines joined).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The jurisdiction (巴楚县, 郑州市市本级 …).
    pub region: Option<String>,
    /// The plan year.
    pub year: Option<i32>,
    /// The period (start, end) as ISO dates or years.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub period: Option<(String, String)>,
    /// Every stated figure.
    pub quantities: Vec<Quantity>,
    /// Index of the plan total (总量/规模).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total: Option<usize>,
    /// Class parts of the total.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub structure: Vec<Part>,
    /// Townships.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub layout: Vec<TownshipPart>,
    /// Parcels.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub parcels: Vec<ParcelEntry>,
    /// Every breakdown found (structure, townships, sub-items, tables, parcels …).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub breakdowns: Vec<Breakdown>,
    /// Figures stated in two units: (first, restatement).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unit_pairs: Vec<(usize, usize)>,
    /// Figures outside any breakdown (浮动, 上年, 年均 …).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub excluded: Vec<usize>,
    /// Line of the title (for period findings).
    #[serde(skip)]
    pub title_line: Option<usize>,
    /// Place of the period statement: (line, char start, char end).
    #[serde(skip)]
    pub period_place: Option<(usize, usize, usize)>,
    /// Year mentions in the text.
    #[serde(skip)]
    pub years: Vec<YearMention>,
}

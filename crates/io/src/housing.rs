//! Housing evaluations (去化周期评估) in CSV or Excel: the schema of the
//! [`tabular`](crate::tabular) reader for `landplan monitor --housing`, rows →
//! [`HousingRow`].
//!
//! Columns: 行政区 (a name or 行政区划代码), 评估日期, 去化周期（月）, 已盘活面积, 拟出让面积 (公顷
//! unless the header says 亩 or 平方米). Required: 行政区, 评估日期, 去化周期.

use crate::tabular::{
    open_table, FieldKey, FieldSpec, Row, Schema, TableError, TableOptions, TableReader, UnitKind,
};
use landplan_core::monitor::HousingRow;
use std::path::Path;

/// A housing table being read.
pub type HousingReader = TableReader<HousingRows>;

/// A housing-evaluation column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HousingField {
    /// 行政区. Required.
    Region,
    /// 评估日期. Required.
    Date,
    /// 去化周期（月）. Required.
    Months,
    /// 已盘活面积.
    Revitalized,
    /// 拟出让面积.
    Proposed,
}

impl FieldKey for HousingField {
    fn index(self) -> usize {
        self as usize
    }
}

use HousingField as F;

const FIELDS: &[FieldSpec<HousingField>] = &[
    FieldSpec::new(
        F::Region,
        &["行政区", "行政区划", "行政区划代码", "城市", "县区", "地区"],
    )
    .required("行政区"),
    FieldSpec::new(F::Date, &["评估日期", "日期", "统计日期", "截至日期"]).required("评估日期"),
    FieldSpec::new(
        F::Months,
        &[
            "去化周期",
            "去化周期（月）",
            "去化周期(月)",
            "商品住房去化周期",
            "消化周期",
        ],
    )
    .required("去化周期"),
    FieldSpec::new(
        F::Revitalized,
        &["已盘活面积", "盘活面积", "当年盘活面积", "盘活存量面积"],
    )
    .unit(UnitKind::Area),
    FieldSpec::new(
        F::Proposed,
        &[
            "拟出让面积",
            "拟供应面积",
            "计划出让面积",
            "新增商品住宅用地面积",
        ],
    )
    .unit(UnitKind::Area),
];

/// The housing-evaluation schema.
#[derive(Debug, Default)]
pub struct HousingRows;

impl Schema for HousingRows {
    type Field = HousingField;
    type Record = HousingRow;
    const FIELDS: &'static [FieldSpec<HousingField>] = FIELDS;
    const KEYS: &'static [HousingField] = &[F::Months];
    const NEEDS: &'static str = "去化周期表须有行政区、评估日期和去化周期（月）三列";
    const RULE: &'static str = crate::ledger::RULE_ROW_REJECTED;

    fn build(&mut self, row: &mut Row<'_, HousingField>) -> Option<HousingRow> {
        let region = row.required_text(F::Region, "缺少行政区");
        let date = row.date(F::Date, "评估日期");
        let months = row.decimal(F::Months, "去化周期");
        let revitalized = row.area(F::Revitalized, "已盘活面积", false);
        let proposed = row.area(F::Proposed, "拟出让面积", false);
        let require = |row: &mut Row<'_, HousingField>, field, what: &str, present: bool| {
            if !present && !row.is_rejected() {
                if let Some(c) = row.cell(field) {
                    row.reject(c, format!("缺少{what}"));
                }
            }
        };
        require(row, F::Date, "评估日期", date.is_some());
        require(row, F::Months, "去化周期", months.is_some());
        let (date, months) = (date?, months?);
        Some(HousingRow {
            region: region?,
            date,
            months,
            revitalized_ha: revitalized.map(|a| a.area().ha()),
            proposed_ha: proposed.map(|a| a.area().ha()),
            row: row.number(),
        })
    }
}

/// Open a housing table (CSV or Excel, detected from the content).
pub fn open_housing(path: &Path, opts: &TableOptions) -> Result<HousingReader, TableError> {
    open_table(path, opts, HousingRows)
}

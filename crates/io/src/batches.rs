//! Approval batches (批次) in CSV or Excel: the batch schema of the
//! [`tabular`](crate::tabular) reader, rows → [`ApprovalBatch`].
//!
//! Columns: 行政区, 批次名称, 批准文号, 批准机关, 批准日期, 批准面积 (公顷 unless the header
//! says 亩 or 平方米). Required: 批次名称 and 批准面积.

use crate::tabular::{
    open_table, table_from_reader, FieldKey, FieldSpec, FormatHint, Row, Schema, TableError,
    TableOptions, TableReader, UnitKind,
};
use landplan_core::records::ApprovalBatch;
use std::io::Read;
use std::path::Path;

/// A batch table being read: an iterator over its rows, each an [`ApprovalBatch`] or the row's
/// rejection as findings.
pub type BatchReader = TableReader<ApprovalBatches>;

/// An approval-batch column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BatchField {
    /// 行政区.
    District,
    /// 批次名称. Required.
    Name,
    /// 批准文号.
    ApprovalNo,
    /// 批准机关.
    Authority,
    /// 批准日期.
    ApprovedOn,
    /// 批准面积. Required.
    Area,
}

impl FieldKey for BatchField {
    fn index(self) -> usize {
        self as usize
    }
}

use BatchField as F;

const FIELDS: &[FieldSpec<BatchField>] = &[
    FieldSpec::new(
        F::District,
        &[
            "行政区",
            "行政区域",
            "所在行政区",
            "县区",
            "所在县区",
            "乡镇",
            "所在乡镇",
        ],
    ),
    FieldSpec::new(F::Name, &["批次名称", "批次", "批次名", "项目名称"]).required("批次名称"),
    FieldSpec::new(
        F::ApprovalNo,
        &["批准文号", "批文号", "批准文件号", "批复文号"],
    ),
    FieldSpec::new(F::Authority, &["批准机关", "批准单位", "批准机构"]),
    FieldSpec::new(F::ApprovedOn, &["批准日期", "批准时间", "批复日期"]),
    FieldSpec::new(
        F::Area,
        &[
            "批准面积",
            "批准用地面积",
            "批次面积",
            "面积",
            "用地面积",
            "总面积",
        ],
    )
    .required("批准面积")
    .unit(UnitKind::Area),
];

/// The approval-batch schema.
#[derive(Debug, Default)]
pub struct ApprovalBatches;

impl Schema for ApprovalBatches {
    type Field = BatchField;
    type Record = ApprovalBatch;
    const FIELDS: &'static [FieldSpec<BatchField>] = FIELDS;
    const KEYS: &'static [BatchField] = &[F::Name];
    const NEEDS: &'static str = "批次表须有批次名称和批准面积（公顷、亩或平方米）两类列";
    // A row of any table a bureau keeps is a ledger row (台账行) to its users.
    const RULE: &'static str = crate::ledger::RULE_ROW_REJECTED;

    fn build(&mut self, row: &mut Row<'_, BatchField>) -> Option<ApprovalBatch> {
        let district = row.text(F::District);
        let name = row.required_text(F::Name, "缺少批次名称");
        let approval_no = row.text(F::ApprovalNo);
        let authority = row.text(F::Authority);
        let approved_on = row.date(F::ApprovedOn, "批准日期");
        let area = row.area(F::Area, "批准面积", true);
        Some(ApprovalBatch {
            district,
            name: name?,
            approval_no,
            authority,
            approved_on,
            area: area?,
            row: row.number(),
        })
    }
}

/// Open a batch table (CSV or Excel, detected from the content). CSV text is streamed and read
/// on a background thread.
pub fn open_batches(path: &Path, opts: &TableOptions) -> Result<BatchReader, TableError> {
    open_table(path, opts, ApprovalBatches)
}

/// The same as [`open_batches`] from any reader, rows built on the caller's thread.
pub fn batches_from_reader<R: Read + 'static>(
    r: R,
    hint: FormatHint,
    opts: &TableOptions,
) -> Result<BatchReader, TableError> {
    table_from_reader(r, hint, opts, ApprovalBatches)
}

//! Supply records (供地记录) in CSV or Excel: the supply-record schema of the
//! [`tabular`](crate::tabular) reader, rows → [`SupplyRecord`].
//!
//! The columns follow the land market systems' exports (土地市场动态监测监管系统, 网上填报):
//! 电子监管号, 宗地编号, 项目名称, 土地使用权人/受让人, 行政区, 土地坐落, 土地用途 (either
//! classification), 面积 (公顷, 亩 or 平方米), 土地来源, 供应方式, 合同签订日期, 成交价款
//! (万元 unless the header says 元 or 亿元), the agreed and actual 交地/开工/竣工 dates,
//! 已开发面积, 已投资额, 总投资额, 中止开发日期, 闲置原因类型, 批准文号. Required: 电子监管号 or
//! 宗地编号, 面积, 土地用途. Dates are read as Chinese spreadsheets write them (and as Excel
//! serials); 1900-01-01, the systems' empty date, is absent.

use crate::tabular::cell::{class_reason, resolve_class, Cache, ClassProblem};
use crate::tabular::{
    open_table, table_from_reader, FieldKey, FieldSpec, FormatHint, Row, Schema, TableError,
    TableOptions, TableReader, UnitKind,
};
use landplan_core::records::SupplyRecord;
use landplan_core::{Date, LandSource, ResolvedClass, Scheme, SupplyMethod};
use std::io::Read;
use std::path::Path;

/// A supply-record table being read: an iterator over its rows, each a [`SupplyRecord`] or the
/// row's rejection as findings.
pub type RecordReader = TableReader<SupplyRecords>;

/// A supply-record column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[allow(missing_docs)]
pub enum RecordField {
    SupervisionNo,
    ParcelId,
    Project,
    Holder,
    Region,
    District,
    Location,
    Class,
    Area,
    Source,
    Method,
    SuppliedOn,
    Price,
    AgreedHandover,
    ActualHandover,
    AgreedStart,
    ActualStart,
    AgreedCompletion,
    ActualCompletion,
    DevelopedArea,
    Invested,
    TotalInvestment,
    HaltedOn,
    IdleCause,
    ApprovalNo,
}

impl FieldKey for RecordField {
    fn index(self) -> usize {
        self as usize
    }
}

const ID: &str = "电子监管号（或宗地编号）";

use RecordField as F;

/// Every supply-record field with its header names, best first.
const FIELDS: &[FieldSpec<RecordField>] = &[
    FieldSpec::new(F::SupervisionNo, &["电子监管号", "电子监管编号", "监管号"]).required(ID),
    FieldSpec::new(
        F::ParcelId,
        &["宗地编号", "地块编号", "宗地号", "地块号", "宗地代码"],
    )
    .required(ID),
    FieldSpec::new(F::Project, &["项目名称", "项目", "用地项目名称"]),
    FieldSpec::new(
        F::Holder,
        &[
            "土地使用权人",
            "受让人",
            "受让单位",
            "土地使用者",
            "用地单位",
            "竞得人",
        ],
    ),
    FieldSpec::new(
        F::Region,
        &[
            "行政区",
            "行政区划",
            "行政区划代码",
            "行政区域",
            "所在行政区",
            "县区",
            "所在县区",
        ],
    ),
    FieldSpec::new(
        F::District,
        &[
            "所在乡镇",
            "乡镇",
            "乡镇（街道）",
            "所在乡镇（街道）",
            "街道",
        ],
    ),
    FieldSpec::new(
        F::Location,
        &["土地坐落", "坐落", "宗地坐落", "位置", "宗地位置"],
    ),
    FieldSpec::new(
        F::Class,
        &[
            "土地用途",
            "用途",
            "规划用途",
            "用地类型",
            "地类",
            "地类名称",
            "地类编码",
        ],
    )
    .required("土地用途"),
    FieldSpec::new(
        F::Area,
        &[
            "面积",
            "供应面积",
            "供地面积",
            "出让面积",
            "宗地面积",
            "土地面积",
            "用地面积",
            "总面积",
        ],
    )
    .required("面积")
    .unit(UnitKind::Area),
    FieldSpec::new(
        F::Source,
        &["土地来源", "新增或存量", "新增/存量", "用地来源"],
    ),
    FieldSpec::new(F::Method, &["供应方式", "供地方式", "出让方式"]),
    FieldSpec::new(
        F::SuppliedOn,
        &[
            "合同签订日期",
            "供地日期",
            "签订日期",
            "合同签订时间",
            "供应日期",
            "供地时间",
        ],
    ),
    FieldSpec::new(
        F::Price,
        &[
            "成交价款",
            "出让价款",
            "成交价",
            "出让金",
            "土地出让金",
            "出让金额",
            "成交金额",
        ],
    )
    .unit(UnitKind::Money),
    FieldSpec::new(F::AgreedHandover, &["约定交地日期", "约定交地时间"]),
    FieldSpec::new(F::ActualHandover, &["实际交地日期", "实际交地时间"]),
    FieldSpec::new(F::AgreedStart, &["约定开工日期", "约定开工时间"]),
    FieldSpec::new(F::ActualStart, &["实际开工日期", "实际开工时间"]),
    FieldSpec::new(F::AgreedCompletion, &["约定竣工日期", "约定竣工时间"]),
    FieldSpec::new(F::ActualCompletion, &["实际竣工日期", "实际竣工时间"]),
    FieldSpec::new(F::DevelopedArea, &["已开发面积", "已开发土地面积"]).unit(UnitKind::Area),
    FieldSpec::new(
        F::Invested,
        &["已投资额", "已完成投资", "已投资", "已完成投资额"],
    )
    .unit(UnitKind::Money),
    FieldSpec::new(F::TotalInvestment, &["总投资额", "总投资", "投资总额"]).unit(UnitKind::Money),
    FieldSpec::new(
        F::HaltedOn,
        &["中止开发日期", "停止开发日期", "中止开发时间"],
    ),
    FieldSpec::new(F::IdleCause, &["闲置原因类型", "闲置原因"]),
    FieldSpec::new(
        F::ApprovalNo,
        &["批准文号", "批准文件号", "批文号", "农转用批准文号"],
    ),
];

/// The supply-record schema (memoises 土地用途, 供应方式 and 土地来源 words).
pub struct SupplyRecords {
    code_scheme: Scheme,
    class_cache: Cache<Result<ResolvedClass, ClassProblem>>,
    method_cache: Cache<Option<SupplyMethod>>,
    source_cache: Cache<Option<LandSource>>,
}

impl SupplyRecords {
    /// A schema reading class codes in the options' scheme.
    pub fn new(opts: &TableOptions) -> SupplyRecords {
        SupplyRecords {
            code_scheme: opts.code_scheme,
            class_cache: Cache::new(),
            method_cache: Cache::new(),
            source_cache: Cache::new(),
        }
    }

    fn class(&mut self, row: &mut Row<'_, RecordField>) -> Option<(ResolvedClass, String)> {
        let c = row.cell(F::Class)?;
        if c.text.is_empty() {
            row.reject(c, "缺少土地用途".to_string());
            return None;
        }
        let scheme = self.code_scheme;
        match self.class_cache.get(c.text, |k| resolve_class(k, scheme)) {
            Ok(r) => Some((r, c.text.to_string())),
            Err(problem) => {
                row.reject(c, class_reason("土地用途", c.text, problem));
                None
            }
        }
    }
}

impl Schema for SupplyRecords {
    type Field = RecordField;
    type Record = SupplyRecord;
    const FIELDS: &'static [FieldSpec<RecordField>] = FIELDS;
    const KEYS: &'static [RecordField] = &[F::SupervisionNo, F::ParcelId];
    const NEEDS: &'static str =
        "供地记录须有电子监管号（或宗地编号）、面积（公顷、亩或平方米）和土地用途三类列";
    // A row of any table a bureau keeps is a ledger row (台账行) to its users.
    const RULE: &'static str = crate::ledger::RULE_ROW_REJECTED;

    fn build(&mut self, row: &mut Row<'_, RecordField>) -> Option<SupplyRecord> {
        let supervision_no = row.text(F::SupervisionNo);
        let parcel_id = row.text(F::ParcelId);
        if supervision_no.is_none() && parcel_id.is_none() {
            if let Some(c) = row.cell(F::SupervisionNo).or(row.cell(F::ParcelId)) {
                row.reject(c, "缺少电子监管号和宗地编号".to_string());
            }
        }
        let area = row.area(F::Area, "面积", true);
        let class = self.class(row);
        let source = row.word(F::Source, &mut self.source_cache, LandSource::parse, |t| {
            format!("土地来源“{t}”无法识别，应为“新增”或“存量”")
        });
        let method = row.word(
            F::Method,
            &mut self.method_cache,
            SupplyMethod::parse,
            |t| format!("供应方式“{t}”无法识别，应为划拨、招标、拍卖、挂牌、协议、租赁或作价出资"),
        );
        let dates = Dates::read(row);
        let developed_area = row.area(F::DevelopedArea, "已开发面积", false);
        let price = row.money(F::Price, "成交价款");
        let invested = row.money(F::Invested, "已投资额");
        let total_investment = row.money(F::TotalInvestment, "总投资额");
        let (Some(area), Some((class, class_text))) = (area, class) else {
            return None;
        };
        Some(SupplyRecord {
            supervision_no,
            parcel_id,
            project: row.text(F::Project),
            holder: row.text(F::Holder),
            region: row.text(F::Region),
            district: row.text(F::District),
            location: row.text(F::Location),
            class_text,
            class,
            area,
            source,
            method,
            supplied_on: dates.supplied_on,
            price,
            agreed_handover: dates.agreed_handover,
            actual_handover: dates.actual_handover,
            agreed_start: dates.agreed_start,
            actual_start: dates.actual_start,
            agreed_completion: dates.agreed_completion,
            actual_completion: dates.actual_completion,
            developed_area,
            invested,
            total_investment,
            halted_on: dates.halted_on,
            idle_cause: row.text(F::IdleCause),
            approval_no: row.text(F::ApprovalNo),
            row: row.number(),
        })
    }
}

/// The dates of a record, read in column-list order (so that findings come in that order).
struct Dates {
    supplied_on: Option<Date>,
    agreed_handover: Option<Date>,
    actual_handover: Option<Date>,
    agreed_start: Option<Date>,
    actual_start: Option<Date>,
    agreed_completion: Option<Date>,
    actual_completion: Option<Date>,
    halted_on: Option<Date>,
}

impl Dates {
    fn read(row: &mut Row<'_, RecordField>) -> Dates {
        Dates {
            supplied_on: row.date(F::SuppliedOn, "合同签订日期"),
            agreed_handover: row.date(F::AgreedHandover, "约定交地日期"),
            actual_handover: row.date(F::ActualHandover, "实际交地日期"),
            agreed_start: row.date(F::AgreedStart, "约定开工日期"),
            actual_start: row.date(F::ActualStart, "实际开工日期"),
            agreed_completion: row.date(F::AgreedCompletion, "约定竣工日期"),
            actual_completion: row.date(F::ActualCompletion, "实际竣工日期"),
            halted_on: row.date(F::HaltedOn, "中止开发日期"),
        }
    }
}

/// Open a supply-record table (CSV or Excel, detected from the content). CSV text is streamed
/// and read on a background thread.
pub fn open_records(path: &Path, opts: &TableOptions) -> Result<RecordReader, TableError> {
    open_table(path, opts, SupplyRecords::new(opts))
}

/// The same as [`open_records`] from any reader, rows built on the caller's thread.
pub fn records_from_reader<R: Read + 'static>(
    r: R,
    hint: FormatHint,
    opts: &TableOptions,
) -> Result<RecordReader, TableError> {
    table_from_reader(r, hint, opts, SupplyRecords::new(opts))
}

//! Records of what was done, as bureaus keep them in spreadsheets: supply records (供地记录,
//! one per parcel actually supplied, as the land market systems export them) and approval
//! batches (批次, land approved for conversion). Plain data: landplan-io reads them from
//! tables, the coming monitoring compiles them against a stored plan (完成率, 批而未供, 闲置).
//!
//! Dates are [`Date`]s (an empty date, which the systems export as 1900-01-01, is `None`);
//! money is exact ([`Money`], in 元; `wan_yuan()` gives 万元 exactly); areas keep their stated
//! unit and precision ([`StatedArea`]).

use crate::class::ResolvedClass;
use crate::date::Date;
use crate::parcel::{LandSource, SupplyMethod};
use crate::units::{Area, Money, StatedArea};
use serde::{Deserialize, Serialize};

/// One supply record (供地记录): a parcel supplied, with its contract terms and progress.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SupplyRecord {
    /// 电子监管号 (the land market system's number for the contract or decision).
    pub supervision_no: Option<String>,
    /// 宗地编号.
    pub parcel_id: Option<String>,
    /// 项目名称.
    pub project: Option<String>,
    /// 土地使用权人 / 受让人.
    pub holder: Option<String>,
    /// 行政区 (the county's name or 行政区划代码).
    #[serde(default)]
    pub region: Option<String>,
    /// 所在乡镇.
    pub district: Option<String>,
    /// 土地坐落.
    pub location: Option<String>,
    /// 土地用途 as written.
    pub class_text: String,
    /// 土地用途 resolved against the classification tables (either classification).
    pub class: ResolvedClass,
    /// 面积 (供应面积) as stated, with its unit and precision.
    pub area: StatedArea,
    /// 土地来源: 新增 or 存量.
    pub source: Option<LandSource>,
    /// 供应方式.
    pub method: Option<SupplyMethod>,
    /// 合同签订日期 / 供地日期 (the date the land counts as supplied).
    pub supplied_on: Option<Date>,
    /// 成交价款 / 出让价款.
    pub price: Option<Money>,
    /// 约定交地日期.
    pub agreed_handover: Option<Date>,
    /// 实际交地日期.
    pub actual_handover: Option<Date>,
    /// 约定开工日期.
    pub agreed_start: Option<Date>,
    /// 实际开工日期.
    pub actual_start: Option<Date>,
    /// 约定竣工日期.
    pub agreed_completion: Option<Date>,
    /// 实际竣工日期.
    pub actual_completion: Option<Date>,
    /// 已开发面积.
    pub developed_area: Option<StatedArea>,
    /// 已投资额.
    pub invested: Option<Money>,
    /// 总投资额.
    pub total_investment: Option<Money>,
    /// 中止开发日期.
    pub halted_on: Option<Date>,
    /// 闲置原因类型 as written (政府原因, 企业原因 …).
    pub idle_cause: Option<String>,
    /// 批准文号 (of the approval batch the land came from).
    pub approval_no: Option<String>,
    /// The table row (1-based, counting title rows) the record came from.
    pub row: usize,
}

impl SupplyRecord {
    /// The supplied area in hectares.
    pub fn area_ha(&self) -> Area {
        self.area.area()
    }

    /// The record's identity as a person reads it: the 电子监管号, else the 宗地编号.
    pub fn key(&self) -> &str {
        self.supervision_no
            .as_deref()
            .or(self.parcel_id.as_deref())
            .unwrap_or("")
    }
}

/// One approval batch (批次): land approved for conversion to construction use.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApprovalBatch {
    /// 行政区.
    pub district: Option<String>,
    /// 批次名称.
    pub name: String,
    /// 批准文号.
    pub approval_no: Option<String>,
    /// 批准机关.
    pub authority: Option<String>,
    /// 批准日期.
    pub approved_on: Option<Date>,
    /// 批准面积 as stated.
    pub area: StatedArea,
    /// The table row (1-based, counting title rows) the batch came from.
    pub row: usize,
}

impl ApprovalBatch {
    /// The approved area in hectares.
    pub fn area_ha(&self) -> Area {
        self.area.area()
    }
}

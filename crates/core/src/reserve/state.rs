//! A reserve parcel's states and the steps between them.
//!
//! ```text
//! 拟收储 ──► 入库 ──► 前期开发 ◄──► 临时管护
//!    │        │         │              │
//!    │        └─────────┴──────┬───────┘
//!    │                         ▼
//!    └────────► 退出 ◄──── (any held state)     已供应 (from any held state)
//! ```
//!
//! 入库 needs its evidence (《土地储备管理办法》第十条: 产权清晰、无查封、无抵押、无担保 — the
//! 收储方式, at least one 权属 document, and the encumbrances cleared); 已供应 needs the 净地
//! checklist complete (checked by [`super::ReserveParcel::apply`]); 已供应 and 退出 are final.

use crate::date::Date;
use crate::reserve::readiness::ReadinessItem;
use serde::{Deserialize, Serialize};

/// Where a reserve parcel is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReserveState {
    /// 拟收储: listed for acquisition, title not yet held.
    Proposed,
    /// 入库: title held by the reserve centre (产权清晰、无查封、无抵押、无担保).
    Held,
    /// 前期开发: being prepared (demolition, levelling, 通路通水通电).
    Preparing,
    /// 临时管护: kept (fenced, guarded, possibly let for temporary use).
    Custody,
    /// 已供应: handed to supply (出让 or 划拨).
    Supplied,
    /// 退出: left the reserve without supply (acquisition abandoned, returned, re-planned).
    Exited,
}

impl ReserveState {
    /// Every state, in life order.
    pub const ALL: [ReserveState; 6] = [
        ReserveState::Proposed,
        ReserveState::Held,
        ReserveState::Preparing,
        ReserveState::Custody,
        ReserveState::Supplied,
        ReserveState::Exited,
    ];

    /// Chinese label.
    pub fn label(self) -> &'static str {
        match self {
            ReserveState::Proposed => "拟收储",
            ReserveState::Held => "入库",
            ReserveState::Preparing => "前期开发",
            ReserveState::Custody => "临时管护",
            ReserveState::Supplied => "已供应",
            ReserveState::Exited => "退出",
        }
    }

    /// Stable id (`proposed`, `held`, `preparing`, `custody`, `supplied`, `exited`).
    pub fn id(self) -> &'static str {
        match self {
            ReserveState::Proposed => "proposed",
            ReserveState::Held => "held",
            ReserveState::Preparing => "preparing",
            ReserveState::Custody => "custody",
            ReserveState::Supplied => "supplied",
            ReserveState::Exited => "exited",
        }
    }

    /// Parse an id or Chinese label (拟收储, 入库/已入库/储备, 前期开发, 临时管护/管护,
    /// 已供应/供应, 退出/核减).
    pub fn parse(s: &str) -> Option<ReserveState> {
        let t = crate::text::normalize(s);
        let t = t.trim();
        if let Some(st) = ReserveState::ALL.iter().find(|st| st.id() == t) {
            return Some(*st);
        }
        Some(match t {
            _ if t.contains("拟收储") || t.contains("拟储备") => ReserveState::Proposed,
            _ if t.contains("前期开发") => ReserveState::Preparing,
            _ if t.contains("管护") => ReserveState::Custody,
            _ if t.contains("供应") || t.contains("出让") || t.contains("划拨") => {
                ReserveState::Supplied
            }
            _ if t.contains("退出") || t.contains("核减") => ReserveState::Exited,
            _ if t.contains("入库") || t == "储备" || t == "已储备" => ReserveState::Held,
            _ => return None,
        })
    }

    /// The parcel's title is held (入库, 前期开发, 临时管护): it counts in the reserve's stock.
    pub fn is_held(self) -> bool {
        matches!(
            self,
            ReserveState::Held | ReserveState::Preparing | ReserveState::Custody
        )
    }

    /// No step follows.
    pub fn is_final(self) -> bool {
        matches!(self, ReserveState::Supplied | ReserveState::Exited)
    }

    /// The states a parcel in this state may go to next.
    pub fn next(self) -> &'static [ReserveState] {
        use ReserveState::*;
        match self {
            Proposed => &[Held, Exited],
            Held => &[Preparing, Custody, Supplied, Exited],
            Preparing => &[Custody, Supplied, Exited],
            Custody => &[Preparing, Supplied, Exited],
            Supplied | Exited => &[],
        }
    }
}

/// How the land was (or is to be) acquired (收储方式, 《土地储备管理办法》第十条).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AcquisitionMode {
    /// 依法收回的国有土地.
    TakeBack,
    /// 收购的土地.
    Purchase,
    /// 行使优先购买权取得的土地.
    PreEmption,
    /// 已办理农用地转用、征收批准手续并完成征收的土地.
    Expropriation,
    /// 其他依法取得的土地.
    Other,
}

impl AcquisitionMode {
    /// Every mode.
    pub const ALL: [AcquisitionMode; 5] = [
        AcquisitionMode::TakeBack,
        AcquisitionMode::Purchase,
        AcquisitionMode::PreEmption,
        AcquisitionMode::Expropriation,
        AcquisitionMode::Other,
    ];

    /// Chinese label.
    pub fn label(self) -> &'static str {
        match self {
            AcquisitionMode::TakeBack => "收回",
            AcquisitionMode::Purchase => "收购",
            AcquisitionMode::PreEmption => "优先购买",
            AcquisitionMode::Expropriation => "征收",
            AcquisitionMode::Other => "其他",
        }
    }

    /// Stable id.
    pub fn id(self) -> &'static str {
        match self {
            AcquisitionMode::TakeBack => "take_back",
            AcquisitionMode::Purchase => "purchase",
            AcquisitionMode::PreEmption => "pre_emption",
            AcquisitionMode::Expropriation => "expropriation",
            AcquisitionMode::Other => "other",
        }
    }

    /// Parse an id or Chinese label (收回, 收购, 优先购买(权), 征收, 其他).
    pub fn parse(s: &str) -> Option<AcquisitionMode> {
        let t = crate::text::normalize(s);
        let t = t.trim();
        if let Some(m) = AcquisitionMode::ALL.iter().find(|m| m.id() == t) {
            return Some(*m);
        }
        Some(match t {
            _ if t.contains("收回") => AcquisitionMode::TakeBack,
            _ if t.contains("优先购买") => AcquisitionMode::PreEmption,
            _ if t.contains("收购") => AcquisitionMode::Purchase,
            _ if t.contains("征收") => AcquisitionMode::Expropriation,
            _ if t.contains("其他") || t.contains("其它") => AcquisitionMode::Other,
            _ => return None,
        })
    }
}

/// The evidence a step carries.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evidence {
    /// 收储方式 (required for 入库).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acquisition: Option<AcquisitionMode>,
    /// Documents: 权属 certificates, 收回决定书, 收购合同, 征收批复, 出让合同 … (at least one for
    /// 入库), as their numbers or titles.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub documents: Vec<String>,
    /// 查封、抵押、担保 cleared (required for 入库).
    #[serde(default)]
    pub encumbrances_cleared: bool,
    /// A remark.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// One step of a parcel's life: the state reached, the day, the evidence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step {
    /// The state reached.
    pub to: ReserveState,
    /// The day it was reached.
    pub date: Date,
    /// What shows it.
    #[serde(default)]
    pub evidence: Evidence,
}

impl Step {
    /// A step without evidence.
    pub fn new(to: ReserveState, date: Date) -> Step {
        Step {
            to,
            date,
            evidence: Evidence::default(),
        }
    }
}

/// Why a step was refused. Messages are in Chinese, for the person who tried it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StepError {
    /// The state does not allow it.
    #[error("{}", not_allowed(*.from, *.to))]
    NotAllowed {
        /// The parcel's state.
        from: ReserveState,
        /// The state asked for.
        to: ReserveState,
    },
    /// Dated before the parcel's last step.
    #[error("步骤日期 {} 早于该地块上一步骤（{}）的日期 {}", .date.chinese(), .last_state.label(), .last.chinese())]
    BeforeLast {
        /// The last step's state.
        last_state: ReserveState,
        /// The last step's day.
        last: Date,
        /// The day asked for.
        date: Date,
    },
    /// 入库 without its evidence.
    #[error("入库须产权清晰、无查封、无抵押、无担保，缺少：{}", .missing.join("、"))]
    MissingEvidence {
        /// What is missing, in Chinese.
        missing: Vec<&'static str>,
    },
    /// 已供应 before the 净地 checklist is complete.
    #[error("地块 {parcel} 尚未达到净地供应条件，未完成：{}", .missing.iter().map(|i| i.label()).collect::<Vec<_>>().join("、"))]
    NotReady {
        /// The parcel.
        parcel: String,
        /// The items not done, in checklist order.
        missing: Vec<ReadinessItem>,
    },
}

fn not_allowed(from: ReserveState, to: ReserveState) -> String {
    if from.is_final() {
        format!("地块已{}，不能再变更为“{}”", from.label(), to.label())
    } else {
        let next: Vec<&str> = from.next().iter().map(|s| s.label()).collect();
        format!(
            "地块当前为“{}”，不能直接变更为“{}”（可变更为：{}）",
            from.label(),
            to.label(),
            next.join("、")
        )
    }
}

/// The evidence 入库 (or registering a parcel already held) needs, as the names of what is
/// missing.
fn missing_title_evidence(e: &Evidence) -> Vec<&'static str> {
    let mut missing = Vec::new();
    if e.acquisition.is_none() {
        missing.push("收储方式");
    }
    if e.documents.is_empty() {
        missing.push("权属或收储文件");
    }
    if !e.encumbrances_cleared {
        missing.push("查封、抵押、担保已解除的确认");
    }
    missing
}

/// A parcel's first step: any state but 已供应 and 退出; a held state needs title evidence.
pub(crate) fn check_first(step: &Step) -> Result<(), StepError> {
    if step.to.is_final() {
        return Err(StepError::NotAllowed {
            from: ReserveState::Proposed,
            to: step.to,
        });
    }
    if step.to.is_held() {
        let missing = missing_title_evidence(&step.evidence);
        if !missing.is_empty() {
            return Err(StepError::MissingEvidence { missing });
        }
    }
    Ok(())
}

/// A following step: allowed from the last state, not dated before it, 入库 evidenced.
pub(crate) fn check_next(last: Option<&Step>, step: &Step) -> Result<(), StepError> {
    let Some(last) = last else {
        return check_first(step);
    };
    if !last.to.next().contains(&step.to) {
        return Err(StepError::NotAllowed {
            from: last.to,
            to: step.to,
        });
    }
    if step.date < last.date {
        return Err(StepError::BeforeLast {
            last_state: last.to,
            last: last.date,
            date: step.date,
        });
    }
    if step.to == ReserveState::Held {
        let missing = missing_title_evidence(&step.evidence);
        if !missing.is_empty() {
            return Err(StepError::MissingEvidence { missing });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_parse_back_and_final_states_have_no_successor() {
        for st in ReserveState::ALL {
            assert_eq!(ReserveState::parse(st.label()), Some(st));
            assert_eq!(ReserveState::parse(st.id()), Some(st));
            assert_eq!(st.is_final(), st.next().is_empty());
        }
        assert_eq!(ReserveState::parse("已入库"), Some(ReserveState::Held));
        for m in AcquisitionMode::ALL {
            assert_eq!(AcquisitionMode::parse(m.label()), Some(m));
        }
        assert_eq!(
            AcquisitionMode::parse("行使优先购买权"),
            Some(AcquisitionMode::PreEmption)
        );
    }

    #[test]
    fn a_parcel_cannot_be_registered_as_supplied_or_held_without_title() {
        let d = Date::new(2026, 1, 1).unwrap();
        assert!(check_first(&Step::new(ReserveState::Supplied, d)).is_err());
        let e = check_first(&Step::new(ReserveState::Custody, d)).unwrap_err();
        assert!(e.to_string().contains("权属"), "{e}");
        assert!(check_first(&Step::new(ReserveState::Proposed, d)).is_ok());
    }
}

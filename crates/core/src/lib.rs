//! landplan-core: the domain of annual land supply and land reserve plans.
//!
//! This crate does no IO: it never touches the file system, the network or the clock.
//! Everything it knows from outside (classification tables, rules) is embedded at compile
//! time from `data/` at the workspace root.
//!
//! - [`units`]: exact areas (公顷, 亩, 平方米) and money (元, 万元, 亿元) with stated precision.
//! - [`share`]: shares (占比) computed exactly and rounded by largest remainder.
//! - [`class`]: land-use classifications (GB/T 21010-2017, 用地用海分类 2023), crosswalk, aliases.
//! - [`parcel`]: the parcel (地块) and its attributes as read from a ledger.
//! - [`records`]: supply records (供地记录) and approval batches (批次), as read from tables.
//! - [`finding`]: findings (rule id, severity, message, places) shared by every checker.
//! - [`rules`]: the data-described rule book and the context rules are applied in.
//! - [`date`]: the one date type ([`Date`]) and instant type ([`Timestamp`]).
//! - [`reserve`]: the reserve parcel's life (拟收储 → 入库 → 前期开发 → 临时管护 → 已供应), its costs,
//!   净地 checklist and obstacles.
//! - [`region`]: regions named by 行政区划代码, name or `代码=名称`; the demo's regions built in.
//! - [`plan`]: the compiled plan, one type for both kinds ([`CompiledPlan`]), with its JSON.
//! - [`compile`]: parcel ledger → compiled plan, streamed.
//! - [`dedup`]: a compact index for duplicate parcel ids and places in streamed ledgers.
//! - [`numeral`]: Chinese numerals (十二, 两, 一百零五, 二〇二五).
//! - [`text`]: decoding and normalising Chinese text (encodings, full-width forms).
#![deny(missing_docs)]

pub mod class;
pub mod compile;
pub mod date;
pub mod dedup;
pub mod finding;
pub mod monitor;
pub mod numeral;
pub mod parcel;
pub mod plan;
pub mod records;
pub mod region;
pub mod reserve;
pub mod rules;
pub mod share;
pub mod text;
pub mod units;
pub mod view;

pub use class::{Classifier, LandClass, ResolvedClass, Scheme};
pub use compile::{CompileOptions, Compiler};
pub use date::{Date, Timestamp};
pub use finding::{Finding, Place, Severity};
pub use parcel::{HousingType, LandSource, Parcel, ReserveStatus, SupplyMethod, Timing};
pub use plan::{CompiledPlan, PlanKind, PlanParts, ReserveParts, SupplyParts};
pub use rules::{RuleBook, RuleContext, RuleSpec};
pub use units::{Area, AreaUnit, Money, MoneyUnit};

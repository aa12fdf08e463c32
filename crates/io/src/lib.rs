//! landplan-io: reading and writing the files landplan works with.
//!
//! - [`tabular`]: one reader for every table a bureau keeps (CSV in UTF-8 with or without
//!   BOM or GBK/GB18030, streamed; Excel), parameterised by a record [`tabular::Schema`]:
//!   header variants and units, title, 单位 and 合计 rows, row/column findings.
//! - [`ledger`]: the parcel ledger (地块清单) schema, rows → [`landplan_core::Parcel`].
//! - [`records`]: supply records (供地记录) → [`landplan_core::records::SupplyRecord`].
//! - [`batches`]: approval batches (批次) → [`landplan_core::records::ApprovalBatch`].
//! - [`bond`]: special-bond projects (土地储备专项债券) from a workbook or CSV files →
//!   [`landplan_core::reserve::bond::BondProject`].
//! - [`housing`]: housing evaluations (去化周期) → [`landplan_core::monitor::HousingRow`].
//! - [`pipeline`]: ledger → compiled plan, as `landplan compile`, `landplan render` and the
//!   store's import use it.
//! - [`gen_bond`]: bond projects for a generated reserve (one per bond id its costs name).
//! - [`gen`]: a deterministic generator of realistic synthetic ledgers (示例县) for demos,
//!   tests and benchmarks.
#![deny(missing_docs)]

pub mod batches;
pub mod bond;
pub mod gen;
pub mod gen_bond;
pub mod gen_records;
pub mod gen_reserve;
pub mod housing;
pub mod ledger;
pub mod pipeline;
pub mod records;
pub mod reserve;
pub mod tabular;

pub use gen::{
    generate_csv, generate_guotu, generate_townships_geojson, BoundaryOptions, GenOptions,
};
pub use ledger::{
    ledger_from_reader, ledger_grid, open_ledger, parcel_from_record, ColumnMap, Field,
    LedgerError, LedgerFormatHint, LedgerOptions, LedgerReader,
};

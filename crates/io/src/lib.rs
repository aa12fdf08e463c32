//! landplan-io: reading and writing the files landplan works with.
//!
//! - [`ledger`]: parcel ledgers (地块清单) in CSV (UTF-8 with or without BOM, GBK/GB18030) and
//!   Excel (XLSX), header recognition, row-by-row mapping to [`landplan_core::Parcel`] with
//!   every rejected cell reported as a finding. CSV ledgers are streamed.
//! - [`gen`]: a deterministic generator of realistic synthetic ledgers (示例县) for demos,
//!   tests and benchmarks.
#![deny(missing_docs)]

mod decode;
pub mod gen;
pub mod ledger;

pub use gen::{generate_csv, GenOptions};
pub use ledger::{
    ledger_from_reader, open_ledger, parcel_from_record, ColumnMap, Field, LedgerError,
    LedgerFormatHint, LedgerOptions, LedgerReader,
};

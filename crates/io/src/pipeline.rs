//! Ledger → plan: the one pipeline that `landplan compile`, `landplan render`, the store's
//! import and the coming server call.

use crate::ledger::{open_ledger, LedgerError, LedgerOptions, LedgerReader};
use crate::tabular::{read_all, BadRows};
use landplan_core::compile::{CompileOptions, CompiledPlan, Compiler};
use landplan_core::{Finding, Parcel};
use std::path::{Path, PathBuf};

/// Read a ledger and compile it. Returns the plan, or — when rows cannot be read and
/// `bad_rows` is [`BadRows::Reject`] — the findings of every rejected row (nothing is
/// compiled then). With [`BadRows::Skip`] the rejected rows become findings of the plan. Notes
/// about the reading (which worksheet of a workbook was read) are findings of the plan.
/// `progress(bytes read, bytes total)` is called as the ledger is read. Only a ledger that
/// cannot be opened at all is an error.
pub fn compile_ledger(
    path: &Path,
    ledger: &LedgerOptions,
    compile: CompileOptions,
    bad_rows: BadRows,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<Result<CompiledPlan, Vec<Finding>>, LedgerError> {
    let mut reader = open_ledger(path, ledger)?;
    let mut compiler = Compiler::new(compile);
    compiler.add_findings(reader.notes().to_vec());
    let skipped = match read_all(&mut reader, bad_rows, progress, |p| compiler.add(p)) {
        Ok(skipped) => skipped,
        Err(rejected) => return Ok(Err(rejected)),
    };
    compiler.add_findings(skipped);
    Ok(Ok(compiler.finish()))
}

/// The rows of several ledgers, one after another (each opened first, so that a ledger that
/// cannot be opened fails before any row is read): parcels, or the findings of rejected rows.
pub fn read_ledgers(
    paths: &[PathBuf],
    opts: &LedgerOptions,
) -> Result<impl Iterator<Item = Result<Parcel, Vec<Finding>>>, LedgerError> {
    let readers = paths
        .iter()
        .map(|p| open_ledger(p, opts))
        .collect::<Result<Vec<LedgerReader>, LedgerError>>()?;
    Ok(readers.into_iter().flatten())
}

//! Reading an upload of a ledger (and geometry), shared by the API's `POST /api/imports` and
//! the staff console's `/console/imports`: the multipart parts read under the configured size
//! limit, and the ledger read with the never-fail readers the CLI uses (every bad row a finding
//! with its row and column), before anything is stored.

use axum::extract::Multipart;
use axum::http::StatusCode;
use landplan_core::compile::{CompileOptions, CompiledPlan, PlanKind};
use landplan_core::{Finding, RuleContext};
use landplan_io::tabular::BadRows;
use landplan_io::LedgerOptions;
use std::path::Path;

/// One part of a multipart form: its field name, the file name it was sent with (files only)
/// and its bytes.
#[derive(Debug, Clone)]
pub(crate) struct Part {
    /// The form field's name.
    pub field: String,
    /// The file's name as sent (None for a plain field).
    pub file_name: Option<String>,
    /// The bytes.
    pub bytes: Vec<u8>,
}

impl Part {
    /// A plain field's value, trimmed.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.bytes).trim().to_string()
    }
}

/// Why the parts could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PartsError {
    /// The parts together exceed the limit (413).
    TooLarge,
    /// Not a multipart body that parses (400).
    Malformed,
}

/// How much of an oversize upload is read and discarded before answering 413.
const DRAIN_CAP: usize = 64 * 1024 * 1024;

/// Read every part of a multipart form, refusing once the parts together pass `limit` bytes.
/// What is left of an oversize upload is read and discarded (up to 64 MiB more) before
/// answering: a client still sending its body when the answer comes (and the connection
/// closes) would see a broken pipe instead of the 413 and its reason.
pub(crate) async fn read_parts(
    multipart: &mut Multipart,
    limit: usize,
) -> Result<Vec<Part>, PartsError> {
    let mut total = 0usize;
    let mut parts = Vec::new();
    loop {
        let mut field = match multipart.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                return Err(PartsError::TooLarge)
            }
            Err(_) => return Err(PartsError::Malformed),
        };
        let name = field.name().unwrap_or("").to_string();
        let file_name = field.file_name().map(str::to_string);
        let mut bytes = Vec::new();
        loop {
            match field.chunk().await {
                Ok(Some(chunk)) => {
                    total += chunk.len();
                    if total > limit {
                        let mut drained = 0usize;
                        while let Ok(Some(chunk)) = field.chunk().await {
                            drained += chunk.len();
                            if drained > DRAIN_CAP {
                                return Err(PartsError::TooLarge);
                            }
                        }
                        drop(field);
                        while let Ok(Some(mut f)) = multipart.next_field().await {
                            while let Ok(Some(chunk)) = f.chunk().await {
                                drained += chunk.len();
                                if drained > DRAIN_CAP {
                                    return Err(PartsError::TooLarge);
                                }
                            }
                        }
                        return Err(PartsError::TooLarge);
                    }
                    bytes.extend_from_slice(&chunk);
                }
                Ok(None) => break,
                Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                    return Err(PartsError::TooLarge)
                }
                Err(_) => return Err(PartsError::Malformed),
            }
        }
        parts.push(Part {
            field: name,
            file_name,
            bytes,
        });
    }
    Ok(parts)
}

/// The message of a refused oversize upload.
pub(crate) fn too_large_message(limit: usize) -> String {
    format!("上传的文件过大：合计不能超过 {} MiB", limit / (1024 * 1024))
}

/// The extension a part is saved with, from the name it was sent with (the readers look at
/// the content too); None for a name the readers do not take.
pub(crate) fn extension(name: &str, allowed: &[&str]) -> Option<String> {
    let ext = name.rsplit_once('.')?.1.to_ascii_lowercase();
    allowed.contains(&ext.as_str()).then_some(ext)
}

/// Read a ledger saved at `path` (named `label` in findings) and compile it for `region`,
/// `year` and `kind`, rows that cannot be read kept as findings (with row and column):
/// what an upload is judged by before anything is stored. `keep_parcels` keeps the parcels
/// in the plan. Only a ledger that cannot be opened at all is an error (its message).
pub(crate) fn read_ledger(
    path: &Path,
    label: &str,
    region: &str,
    year: i32,
    kind: PlanKind,
    keep_parcels: bool,
) -> Result<Result<CompiledPlan, Vec<Finding>>, String> {
    let compile = CompileOptions {
        kind,
        region: region.to_string(),
        year: Some(year),
        keep_parcels,
        file: Some(label.to_string()),
        rules: RuleContext::builtin().with_region(Some(region)),
        ..CompileOptions::default()
    };
    let table = LedgerOptions {
        file_label: Some(label.to_string()),
        ..LedgerOptions::default()
    };
    landplan_io::pipeline::compile_ledger(path, &table, compile, BadRows::Skip, &mut |_, _| {})
        .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_readers_extensions_are_taken() {
        assert_eq!(
            extension("台账.XLSX", &["csv", "xlsx"]),
            Some("xlsx".into())
        );
        assert_eq!(extension("台账", &["csv"]), None);
        assert_eq!(extension("a.exe", &["csv"]), None);
    }

    #[test]
    fn a_bad_row_is_a_finding_with_its_row_and_column() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("l.csv");
        std::fs::write(
            &p,
            "地块编号,面积（公顷）,用途\nA-1,1.5,住宅用地\nA-2,很大,工业用地\n",
        )
        .unwrap();
        let plan = read_ledger(&p, "台账.csv", "330102", 2025, PlanKind::Supply, false)
            .unwrap()
            .unwrap();
        let bad = plan
            .findings
            .iter()
            .find(|f| f.rule == "ledger.row_rejected")
            .expect("the bad row");
        assert_eq!(bad.places[0].row, Some(3));
        assert_eq!(bad.places[0].field.as_deref(), Some("面积（公顷）"));
        assert_eq!(plan.parcel_count, 1);
    }
}

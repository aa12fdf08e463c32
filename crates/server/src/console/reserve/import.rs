//! `/console/reserve/import`: upload a reserve centre's workbook (XLSX with the sheets
//! 储备地块, 成本, 净地, 障碍) or its sheets as CSV files, read by
//! `landplan_io::reserve::read_reserve`, and optionally the parcels' boundaries (国土TXT,
//! GeoJSON, Shapefile with its side files, GeoPackage; docs/reserve.md "Boundaries"). The
//! findings come first, each with its file (and sheet), row and column, or feature; the
//! parcels and boundaries are stored (`Store::reserve_import_with`, all or nothing, audited)
//! only when neither the reading nor the boundaries' check found an error. Needs 编制 for the
//! county.

use super::segment;
use crate::console::imports::{form_parts, text_part};
use crate::console::{layout, Nav, Staff};
use crate::pages::PageError;
use crate::upload::Part;
use crate::{AppState, WebError};
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use landplan_core::{Finding, Severity};
use landplan_io::reserve::{read_reserve, ReserveOptions};
use landplan_store::reserve::{BoundaryRead, ReserveImportSummary};
use landplan_store::{Role, StoreError};
use maud::{html, Markup};
use std::collections::BTreeSet;

/// The counties (or regions above them) the account may import for: its 编制 grants.
fn editor_regions(staff: &Staff) -> Vec<String> {
    staff
        .actor
        .grants()
        .iter()
        .filter(|g| g.role == Role::Editor)
        .map(|g| g.region.clone())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect()
}

/// The upload form.
pub(crate) async fn form_page(staff: Staff) -> Html<String> {
    Html(render(&staff, "", None).into_string())
}

/// What an upload came to.
enum Outcome {
    /// Findings with errors: nothing stored.
    Refused(Vec<Finding>),
    /// Stored, with the reading's warnings (the boundaries' warnings and control-line
    /// findings are in the summary).
    Stored(ReserveImportSummary, Vec<Finding>),
}

/// What the store made of an upload with boundaries.
enum Stored {
    /// The boundaries' findings have errors: nothing stored.
    Refused(Vec<Finding>),
    /// Stored.
    Done(ReserveImportSummary),
}

fn render(staff: &Staff, region: &str, outcome: Option<&Outcome>) -> Markup {
    let regions = editor_regions(staff);
    let region = if region.is_empty() {
        regions.first().cloned().unwrap_or_default()
    } else {
        region.to_string()
    };
    let body = html! {
        p.muted { a href="/console/reserve" { "土地储备" } }
        h1 { "导入储备台账" }
        @match outcome {
            Some(Outcome::Refused(findings)) => {
                p.alert role="alert" #reserve-import-refused {
                    "台账或边界有 " (findings.iter().filter(|f| f.severity == Severity::Error).count())
                    " 处错误，未导入任何地块和边界。请改正后重新上传。"
                }
                (findings_list(findings))
            }
            Some(Outcome::Stored(sum, findings)) => {
                p.notice role="status" #reserve-import-done {
                    "已导入 " (sum.region) "：共 " (sum.parcels) " 宗，新增 " (sum.added) " 宗，更新 "
                    (sum.replaced) " 宗，未变 " (sum.unchanged) " 宗，新增步骤 " (sum.steps_added) " 个"
                    @if sum.boundaries > 0 { "，导入边界 " (sum.boundaries) " 宗" }
                    "。"
                    a href={"/console/reserve?region=" (segment(&sum.region))} { "查看储备地块" }
                }
                @for n in &sum.notes { p.muted { (n) } }
                (findings_list(&findings.iter().chain(&sum.findings).cloned().collect::<Vec<_>>()))
            }
            None => {}
        }
        @if regions.is_empty() {
            p { "本账户没有编制权限，不能导入储备台账。" }
        } @else {
            form.card.import-form method="post" action="/console/reserve/import" enctype="multipart/form-data" {
                (staff.csrf_field())
                p {
                    label for="ri-region" { "行政区划代码（县级）" }
                    input #ri-region type="text" name="region" required value=(region) list="ri-regions" inputmode="numeric";
                    datalist #ri-regions { @for r in &regions { option value=(r) {} } }
                }
                p {
                    label for="ri-files" { "台账文件（一个工作簿，或储备地块、成本、净地、障碍的 CSV 文件）" }
                    input #ri-files type="file" name="files" multiple required accept=".xlsx,.xls,.csv,.txt";
                }
                p {
                    label for="ri-geometry" { "储备地块边界（可选：国土TXT、GeoJSON、GeoPackage，或 Shapefile 连同 .dbf、.shx、.prj；按储备地块编号对应）" }
                    input #ri-geometry type="file" name="geometry" multiple accept=".txt,.geojson,.json,.gpkg,.shp,.dbf,.shx,.prj,.cpg";
                }
                p.muted { "先检查全部内容：有错误时列出文件、行和列（边界：第几个要素），不导入任何地块和边界；没有错误才整体导入。与管控线冲突的地块在导入后列出。" }
                p { button type="submit" { "上传并导入" } }
            }
        }
    };
    layout("导入储备台账", staff, Nav::Reserve, body)
}

fn findings_list(findings: &[Finding]) -> Markup {
    html! {
        @if !findings.is_empty() {
            ol.warnings #reserve-import-findings {
                @for f in findings {
                    li.warn-red[f.severity == Severity::Error].warn-yellow[f.severity == Severity::Warning] {
                        span.badge { (f.severity.label()) } " " (f.message)
                        @if let Some(p) = f.places.first() {
                            br;
                            span.muted.place {
                                @if let Some(file) = &p.file { (file) }
                                @if let Some(r) = p.row.or(p.line) { " 第 " (r) " 行" }
                                @if let Some(c) = &p.field { " “" (c) "”列" }
                                @if f.rule.starts_with("reserve.boundary") || f.rule.starts_with("geometry.") {
                                    @if let Some(t) = &p.text { " " (t) }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// A file name safe to write in the scratch folder: its last component, no separators.
fn scratch_name(i: usize, name: Option<&str>) -> String {
    let base = name
        .unwrap_or("")
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or("")
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, ':' | '*' | '?' | '"' | '<' | '>' | '|'))
        .collect::<String>();
    let base = base.trim_start_matches('.').trim();
    if base.is_empty() {
        format!("台账{}.csv", i + 1)
    } else {
        base.to_string()
    }
}

/// Write uploaded files into a scratch folder under their own names (a CSV file's name tells
/// which sheet it is; a Shapefile's side files must sit beside it): the folder and the paths.
fn scratch(files: &[&Part]) -> Result<(tempfile::TempDir, Vec<std::path::PathBuf>), WebError> {
    let dir = tempfile::Builder::new()
        .prefix("landplan-reserve-")
        .tempdir()
        .map_err(|e| WebError::Internal(format!("临时目录：{e}")))?;
    let mut paths = Vec::new();
    let mut used = BTreeSet::new();
    for (i, p) in files.iter().enumerate() {
        let mut name = scratch_name(i, p.file_name.as_deref());
        if !used.insert(name.clone()) {
            name = format!("{}-{name}", i + 1);
            used.insert(name.clone());
        }
        let path = dir.path().join(&name);
        std::fs::write(&path, &p.bytes)
            .map_err(|e| WebError::Internal(format!("写临时文件：{e}")))?;
        paths.push(path);
    }
    Ok((dir, paths))
}

/// Findings that name the files without the scratch folder.
fn unscratch(dir: &std::path::Path, findings: &mut [Finding]) {
    let prefix = format!("{}{}", dir.display(), std::path::MAIN_SEPARATOR);
    for f in findings {
        f.message = f.message.replace(&prefix, "");
        for p in &mut f.places {
            if let Some(file) = &mut p.file {
                *file = file.replace(&prefix, "");
            }
        }
    }
}

/// Read the uploaded files as the CLI reads them; findings name the files without the folder.
fn read_files(files: &[&Part]) -> Result<landplan_io::reserve::ReserveRead, WebError> {
    let (dir, paths) = scratch(files)?;
    let mut read = read_reserve(&paths, &ReserveOptions::default());
    unscratch(dir.path(), &mut read.findings);
    Ok(read)
}

/// The boundary files among uploaded ones (a Shapefile's side files are read with it).
fn is_boundary_file(p: &std::path::Path) -> bool {
    let ext = p
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    matches!(ext.as_str(), "txt" | "geojson" | "json" | "shp" | "gpkg")
}

/// `POST /console/reserve/import`: read, then store only a workbook without errors.
pub(crate) async fn upload(
    State(state): State<AppState>,
    staff: Staff,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, PageError> {
    let parts = form_parts(&state, &staff, multipart).await?;
    let region = text_part(&parts, "region");
    let files: Vec<&Part> = parts
        .iter()
        .filter(|p| p.field == "files" && !p.bytes.is_empty())
        .collect();
    if files.is_empty() {
        return Err(PageError(WebError::Invalid(
            "请选择要上传的台账文件".into(),
        )));
    }
    if region.is_empty() || !region.chars().all(|c| c.is_ascii_digit()) {
        return Err(PageError(WebError::Invalid(
            "请填写县级行政区划代码（6 位数字）".into(),
        )));
    }
    let read = read_files(&files)?;
    if read.has_errors() {
        let page = render(&staff, &region, Some(&Outcome::Refused(read.findings)));
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(page.into_string())).into_response());
    }
    if read.parcels.is_empty() {
        return Err(PageError(WebError::Invalid(
            "台账中没有储备地块（需要“储备地块”表）".into(),
        )));
    }
    let geometry: Vec<&Part> = parts
        .iter()
        .filter(|p| p.field == "geometry" && !p.bytes.is_empty())
        .collect();
    let boundaries = if geometry.is_empty() {
        None
    } else {
        let (dir, paths) = scratch(&geometry)?;
        let paths: Vec<std::path::PathBuf> =
            paths.into_iter().filter(|p| is_boundary_file(p)).collect();
        if paths.is_empty() {
            return Err(PageError(WebError::Invalid(
                "没有可读的边界文件（应为国土TXT、GeoJSON、Shapefile 的 .shp 或 GeoPackage）"
                    .into(),
            )));
        }
        Some((dir, paths))
    };
    let (actor, r, parcels) = (staff.actor.clone(), region.clone(), read.parcels);
    let scratch_dir = boundaries.as_ref().map(|(d, _)| d.path().to_path_buf());
    let stored = state
        .run(move |s| {
            let read = match &boundaries {
                None => None,
                Some((_, paths)) => match BoundaryRead::read(paths, s.srid()) {
                    Ok(b) => Some(b),
                    // A file that cannot be read or converted: a finding, nothing stored.
                    Err(e @ (StoreError::Input { .. } | StoreError::Invalid(_))) => {
                        let f = Finding::new("geometry.read_error", Severity::Error, e.to_string());
                        return Ok(Stored::Refused(vec![f]));
                    }
                    Err(e) => return Err(e),
                },
            };
            if let Some(b) = &read {
                let findings = s.reserve_check_boundaries(&actor, &r, &parcels, b)?;
                if findings.iter().any(|f| f.severity == Severity::Error) {
                    return Ok(Stored::Refused(findings));
                }
            }
            s.reserve_import_with(&actor, &r, None, &parcels, read.as_ref())
                .map(Stored::Done)
        })
        .await;
    let clean = |mut findings: Vec<Finding>| {
        if let Some(d) = &scratch_dir {
            unscratch(d, &mut findings);
        }
        findings
    };
    match stored {
        Ok(Stored::Refused(findings)) => {
            let page = render(&staff, &region, Some(&Outcome::Refused(clean(findings))));
            Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(page.into_string())).into_response())
        }
        Ok(Stored::Done(mut sum)) => {
            sum.findings = clean(sum.findings);
            tracing::info!(account = %staff.name(), region = %region, parcels = sum.parcels, "console reserve import");
            let page = render(&staff, &region, Some(&Outcome::Stored(sum, read.findings)));
            Ok(Html(page.into_string()).into_response())
        }
        // Refused by the store (a step the stored history does not allow): nothing stored.
        Err(WebError::Invalid(m)) => {
            let f = Finding::new("reserve.import_refused", Severity::Error, m);
            let page = render(&staff, &region, Some(&Outcome::Refused(vec![f])));
            Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(page.into_string())).into_response())
        }
        Err(e) => Err(PageError(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uploaded_names_stay_inside_the_scratch_folder() {
        assert_eq!(
            scratch_name(0, Some("../../etc/储备地块.csv")),
            "储备地块.csv"
        );
        assert_eq!(scratch_name(0, Some("C:\\台账\\成本.csv")), "成本.csv");
        assert_eq!(scratch_name(1, Some("..")), "台账2.csv");
        assert_eq!(scratch_name(2, None), "台账3.csv");
    }
}

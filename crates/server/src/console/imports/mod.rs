//! Ledger uploads in the console, findings first (issue 17 item 2), the compiled version with
//! its documents and the checker's report, and the check of any uploaded plan document
//! (item 3):
//!
//! - `GET /console/imports` — the upload form (region among the account's 编制 regions, year,
//!   kind, the ledger, optional parcel boundaries, township boundaries and up to two
//!   control-line files with their names and rules, used for this check only) and the
//!   account's staged uploads;
//! - `POST /console/imports` — the upload read with the API's never-fail readers
//!   (`crate::upload`) and kept staged in the store ([`staged`]): nothing is imported yet;
//! - `GET /console/imports/{staged}` — its findings, each linked to its row (`#row-N`) and, for
//!   geometry, to the parcel on the map (`#map-pN`), control-line overlaps among them (the
//!   region's stored control lines and its ancestors', and any uploaded with it); the rows as
//!   a form to edit;
//! - `POST /console/imports/{staged}/rows` — the edited rows judged again;
//! - `POST /console/imports/{staged}/store` — stored as one import (refused while it has
//!   errors; the store's import is all-or-nothing);
//! - `POST /console/imports/{staged}/plan` — 编制计划: the plan's version from the import
//!   (a new plan, or its 草稿/调整中 version compiled again), then to the plan's page;
//! - [`compiled`] — `/console/plans/{region}/{year}/{kind}/versions/{n}/compiled` and its files;
//! - [`check`] — `/console/check`.

pub mod check;
pub mod compiled;
pub mod staged;

use super::{layout, Nav, Staff};
use crate::pages::PageError;
use crate::upload::{self, Part, PartsError};
use crate::{AppState, WebError};
use axum::extract::multipart::MultipartRejection;
use axum::extract::{DefaultBodyLimit, Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use landplan_core::compile::PlanKind;
use landplan_core::{Finding, Place, Severity};
use landplan_store::{
    ImportOptions, NewStaged, PlanKey, PlanStatus, PlanVersion, Role, StagedCell, StagedFile,
    StagedOutcome, StagedUpload, Store, StoreError,
};
use maud::{html, Markup, PreEscaped};
use staged::{Staged, Upload};
use std::collections::HashMap;
use std::sync::Arc;

/// This part's routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/console/imports",
            // The configured upload limit is checked while the parts are read.
            get(form_page)
                .post(upload)
                .layer(DefaultBodyLimit::disable()),
        )
        .route("/console/imports/{staged}", get(review))
        .route("/console/imports/{staged}/rows", post(edit_rows))
        .route("/console/imports/{staged}/store", post(store))
        .route("/console/imports/{staged}/plan", post(make_plan))
        .merge(compiled::routes())
        .merge(check::routes())
}

/// A region the account may upload a ledger for.
struct RegionChoice {
    code: String,
    label: String,
}

/// The regions (county or township) the account holds 编制 for, itself or above.
fn editor_regions(store: &Store, staff: &Staff) -> Result<Vec<RegionChoice>, StoreError> {
    let regions = store.regions()?;
    let parents: HashMap<String, Option<String>> = regions
        .iter()
        .map(|r| (r.code.clone(), r.parent.clone()))
        .collect();
    let mut out = Vec::new();
    for r in &regions {
        if landplan_store::region::check_import_level(&r.code, None).is_err() {
            continue;
        }
        let chain = landplan_store::access::region_chain::<StoreError>(&r.code, |c| {
            Ok(parents.get(c).cloned())
        })?;
        if staff.actor.holds(Role::Editor, &chain) {
            let label = if r.name.trim().is_empty() {
                r.code.clone()
            } else {
                format!("{}（{}）", r.name, r.code)
            };
            out.push(RegionChoice {
                code: r.code.clone(),
                label,
            });
        }
    }
    Ok(out)
}

/// The values the form is filled with again after a refusal.
#[derive(Default)]
struct Given {
    region: String,
    year: String,
    kind: String,
}

/// `?page=N` of the stored imports' list.
#[derive(serde::Deserialize, Default)]
struct ListPage {
    #[serde(default)]
    page: Option<String>,
}

async fn form_page(
    State(state): State<AppState>,
    staff: Staff,
    axum::extract::Query(q): axum::extract::Query<ListPage>,
) -> Result<Response, PageError> {
    let page = q
        .page
        .as_deref()
        .and_then(|p| p.trim().parse::<usize>().ok())
        .unwrap_or(1)
        .max(1);
    Ok(render_form(&state, &staff, None, Given::default(), page)
        .await?
        .into_response())
}

/// The list of stored imports (导入记录), newest first, with the plan versions made from each.
fn stored_imports(
    list: &landplan_store::import_list::ImportPage,
    names: &HashMap<String, String>,
) -> Markup {
    let name_of = |code: &str| names.get(code).cloned().unwrap_or_else(|| code.to_string());
    html! {
        section #stored-imports {
            h2 { "导入记录" }
            @if list.imports.is_empty() {
                p.muted { "还没有保存过台账导入。" }
            } @else {
                p.muted { "已保存的台账导入 " (list.total) " 批，新的在前。" }
                div.scroll { table.import-list {
                    thead { tr {
                        th { "导入批次" } th { "行政区" } th { "年度" } th { "类型" }
                        th.num { "地块" } th.num { "总量（公顷）" } th { "导入人" } th { "导入时间" } th { "计划版本" }
                    } }
                    tbody {
                        @for i in &list.imports {
                            @let key = PlanKey { region: i.region.clone(), year: i.year, kind: i.kind };
                            tr data-import=(i.id) {
                                td { (i.id) }
                                td { (name_of(&i.region)) span.muted { "（" (i.region) "）" } }
                                td { (i.year) }
                                td { (i.kind.label()) }
                                td.num { (i.parcel_count) }
                                td.num { (landplan_core::units::fmt_dp(i.total_ha, 4)) }
                                td { (i.user) }
                                td { (landplan_store::step::beijing_time(&i.at)) }
                                td {
                                    @if i.versions.is_empty() { span.muted { "未编制" } }
                                    @for (k, v) in i.versions.iter().enumerate() {
                                        @if k > 0 { "、" }
                                        a href=(super::plans::version_path(&key, *v)) { "第 " (v) " 版" }
                                    }
                                }
                            }
                        }
                    }
                } }
                @if list.pages > 1 {
                    nav.pager aria-label="导入记录分页" {
                        @if list.page > 1 {
                            a href=(format!("/console/imports?page={}#stored-imports", list.page - 1)) { "上一页" }
                            " "
                        }
                        span { "第 " (list.page) " / " (list.pages) " 页" }
                        @if list.page < list.pages {
                            " "
                            a href=(format!("/console/imports?page={}#stored-imports", list.page + 1)) { "下一页" }
                        }
                    }
                }
            }
        }
    }
}

async fn render_form(
    state: &AppState,
    staff: &Staff,
    error: Option<String>,
    given: Given,
    list_page: usize,
) -> Result<Html<String>, PageError> {
    let s2 = staff.clone();
    let (regions, lines, stored, names) = state
        .run(move |s| {
            let names: HashMap<String, String> = s
                .regions()?
                .into_iter()
                .filter(|r| !r.name.is_empty())
                .map(|r| (r.code, r.name))
                .collect();
            Ok((
                editor_regions(s, &s2)?,
                s.staged_uploads(&s2.actor)?,
                s.imports(&s2.actor, list_page)?,
                names,
            ))
        })
        .await?;
    let this_year = landplan_core::Timestamp::from_system_time(std::time::SystemTime::now())
        .date_beijing()
        .map(|d| d.year())
        .unwrap_or(2025);
    let year = if given.year.is_empty() {
        this_year.to_string()
    } else {
        given.year.clone()
    };
    let limit_mib = state.auth.settings.max_upload_bytes / (1024 * 1024);
    let body = html! {
        h1 { "台账导入" }
        p.muted { "先检查、后保存：上传后先列出台账和图形中的问题（行、列、地块），确认无误后再保存到数据库。" }
        @if let Some(e) = &error { p.alert role="alert" #upload-error { (e) } }
        @if regions.is_empty() {
            p.notice role="alert" { "您没有任何县级或乡镇行政区的“编制”角色，不能上传台账。" }
        } @else {
            form.card.import-form method="post" action="/console/imports" enctype="multipart/form-data" {
                (staff.csrf_field())
                p {
                    label for="import-region" { "行政区" }
                    select #import-region name="region" required {
                        @for r in &regions {
                            option value=(r.code) selected[r.code == given.region] { (r.label) }
                        }
                    }
                }
                p {
                    label for="import-year" { "计划年度" }
                    input #import-year type="number" name="year" min="1900" max="2200" value=(year) required;
                }
                p {
                    label for="import-kind" { "计划类型" }
                    select #import-kind name="kind" {
                        option value="supply" selected[given.kind != "reserve"] { "国有建设用地供应计划" }
                        option value="reserve" selected[given.kind == "reserve"] { "土地储备计划" }
                    }
                }
                p {
                    label for="import-ledger" { "地块台账（CSV、XLSX 或 XLS，必填）" }
                    input #import-ledger type="file" name="ledger" accept=".csv,.xlsx,.xls,.txt" required;
                }
                p {
                    label for="import-geometry" { "地块界址（可选：国土TXT、GeoJSON、Shapefile 压缩为 .zip、GeoPackage）" }
                    input #import-geometry type="file" name="geometry" accept=".txt,.geojson,.json,.zip,.gpkg";
                }
                p {
                    label for="import-townships" { "乡镇界（可选：GeoJSON、Shapefile 压缩为 .zip、GeoPackage）" }
                    input #import-townships type="file" name="townships" accept=".geojson,.json,.zip,.gpkg";
                }
                fieldset.control-files {
                    legend { "管控线（可选，仅用于本次检查，不保存；入库的管控线总会参与检查）" }
                    @for i in 1..=CONTROL_SLOTS {
                        p {
                            label for=(format!("control-name-{i}")) { "图层名称 " (i) }
                            input id=(format!("control-name-{i}")) type="text" name=(format!("control-name-{i}")) maxlength="50" placeholder="如 永久基本农田";
                        }
                        p {
                            label for=(format!("control-rule-{i}")) { "叠加规则 " (i) }
                            select id=(format!("control-rule-{i}")) name=(format!("control-rule-{i}")) {
                                option value="forbid" { "禁止占用（永久基本农田、生态保护红线等）" }
                                option value="within" { "应在其内（城镇开发边界等）" }
                            }
                        }
                        p {
                            label for=(format!("control-file-{i}")) { "管控线文件 " (i) "（国土TXT、GeoJSON、Shapefile 压缩为 .zip、GeoPackage）" }
                            input id=(format!("control-file-{i}")) type="file" name=(format!("control-file-{i}")) accept=".txt,.geojson,.json,.zip,.gpkg";
                        }
                    }
                }
                p.muted { "文件合计不超过 " (limit_mib) " MiB。上传后不会立即保存。" }
                p { button type="submit" { "上传并检查" } }
            }
        }
        section #staged {
            h2 { "最近的上传" }
            @if lines.is_empty() {
                p.muted { "还没有上传。上传的文件暂存 2 小时（每个账户最多 " (staged::MAX_PER_ACCOUNT) " 份），点“保存到数据库”之前不会写入台账和计划数据。" }
            } @else {
                div.scroll { table.staged-list {
                    thead { tr { th { "上传日期" } th { "行政区" } th { "年度" } th { "类型" } th { "台账文件" } th { "状态" } } }
                    tbody {
                        @for l in &lines {
                            tr {
                                td { (beijing_date(l.created_unix)) }
                                td { (l.region) }
                                td { (l.year) }
                                td { (parse_kind(&l.kind).map(PlanKind::label).unwrap_or_default()) }
                                td { a href=(format!("/console/imports/{}", l.id)) { (l.ledger_name) } }
                                td {
                                    @if let Some(i) = l.stored.as_ref().map(|x| x.import_id) { "已保存（导入批次 " (i) "）" }
                                    @else if l.errors > 0 { span.bad { (l.errors) " 个错误" } }
                                    @else { "待保存" }
                                }
                            }
                        }
                    }
                } }
            }
        }
        // The imports stored before, after the upload form and the staged uploads.
        (stored_imports(&stored, &names))
    };
    Ok(Html(
        layout("台账导入", staff, Nav::Imports, body).into_string(),
    ))
}

/// A file part that was given (a browser sends an empty part for an empty file input).
/// A console upload form's parts, read under the server's size limit (413 page beyond it),
/// after its `_csrf` field has been checked.
pub(crate) async fn form_parts(
    state: &AppState,
    staff: &Staff,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Vec<Part>, PageError> {
    let limit = state.auth.settings.max_upload_bytes;
    let mut multipart =
        multipart.map_err(|_| PageError(WebError::Invalid("请用本页的表单上传文件".into())))?;
    let parts = upload::read_parts(&mut multipart, limit)
        .await
        .map_err(|e| match e {
            PartsError::TooLarge => PageError(WebError::TooLarge(upload::too_large_message(limit))),
            PartsError::Malformed => PageError(WebError::Invalid("上传的表单无法读取".into())),
        })?;
    staff.check_csrf(&text_part(&parts, "_csrf"))?;
    Ok(parts)
}

/// The text of a form field (empty when absent).
pub(crate) fn text_part(parts: &[Part], field: &str) -> String {
    parts
        .iter()
        .find(|p| p.field == field)
        .map(Part::text)
        .unwrap_or_default()
}

fn file_part<'a>(parts: &'a [Part], field: &str) -> Option<&'a Part> {
    parts.iter().find(|p| {
        p.field == field && !(p.bytes.is_empty() && p.file_name.as_deref().unwrap_or("").is_empty())
    })
}

fn parse_kind(s: &str) -> Option<PlanKind> {
    match s {
        "supply" | "" => Some(PlanKind::Supply),
        "reserve" => Some(PlanKind::Reserve),
        _ => None,
    }
}

/// `POST /console/imports`: read the upload, judge it, keep it staged, show its findings.
async fn upload(
    State(state): State<AppState>,
    staff: Staff,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, PageError> {
    let parts = form_parts(&state, &staff, multipart).await?;
    let text = |field: &str| text_part(&parts, field);
    let given = Given {
        region: text("region"),
        year: text("year"),
        kind: text("kind"),
    };
    let refuse = |msg: String, given: Given| {
        let (state, staff) = (state.clone(), staff.clone());
        async move {
            let page = render_form(&state, &staff, Some(msg), given, 1).await?;
            Ok::<Response, PageError>((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    };
    let region = given.region.clone();
    if region.is_empty() {
        return refuse("请选择行政区".into(), given).await;
    }
    if let Err(e) = landplan_store::region::classify(&region) {
        return refuse(e, given).await;
    }
    // The role first: an account without 编制 for the region learns that (403) whatever else
    // the form holds.
    {
        let (actor, region) = (staff.actor.clone(), region.clone());
        state
            .run(move |s| {
                s.check_role(
                    &actor,
                    Role::Editor,
                    &region,
                    &format!("上传 {region} 台账"),
                )
            })
            .await?;
    }
    let Some(year) = given
        .year
        .parse::<i32>()
        .ok()
        .filter(|y| (1900..=2200).contains(y))
    else {
        return refuse("请填写计划年度（如 2025）".into(), given).await;
    };
    let Some(kind) = parse_kind(&given.kind) else {
        return refuse("计划类型应为供应计划或储备计划".into(), given).await;
    };
    let Some(ledger) = file_part(&parts, "ledger").cloned() else {
        return refuse("请选择地块台账文件".into(), given).await;
    };
    let ledger_name = ledger
        .file_name
        .clone()
        .unwrap_or_else(|| "台账.csv".into());
    if upload::extension(&ledger_name, &["csv", "xlsx", "xls", "txt"]).is_none() {
        return refuse(
            format!("台账“{ledger_name}”应为 CSV、XLSX 或 XLS 文件"),
            given,
        )
        .await;
    }
    let geometry = file_part(&parts, "geometry").cloned();
    let townships = file_part(&parts, "townships").cloned();
    // The extensions are checked here; the files are saved under them by `save_files`.
    if let Some(p) = &geometry {
        let name = p.file_name.clone().unwrap_or_default();
        if upload::extension(&name, &["txt", "geojson", "json", "zip", "gpkg"]).is_none() {
            return refuse(
                format!(
                    "地块界址“{name}”应为国土TXT、GeoJSON、Shapefile（.zip）或 GeoPackage 文件"
                ),
                given,
            )
            .await;
        }
    }
    if let Some(p) = &townships {
        let name = p.file_name.clone().unwrap_or_default();
        if upload::extension(&name, &["geojson", "json", "zip", "gpkg"]).is_none() {
            return refuse(
                format!("乡镇界“{name}”应为 GeoJSON、Shapefile（.zip）或 GeoPackage 文件"),
                given,
            )
            .await;
        }
    }
    // Control-line files given with the upload (judged with it, never stored as control lines).
    let mut control_parts = Vec::new();
    for i in 1..=CONTROL_SLOTS {
        let Some(part) = file_part(&parts, &format!("control-file-{i}")).cloned() else {
            continue;
        };
        let file = part.file_name.clone().unwrap_or_default();
        let name = text(&format!("control-name-{i}")).trim().to_string();
        if name.is_empty() {
            return refuse(
                format!("请填写管控线文件“{file}”的图层名称（如 永久基本农田）"),
                given,
            )
            .await;
        }
        if name.chars().count() > 50 || name.chars().any(char::is_control) {
            return refuse(
                "管控线图层名称最多 50 个字符，且不能含控制字符".into(),
                given,
            )
            .await;
        }
        let rule = match text(&format!("control-rule-{i}")).as_str() {
            "forbid" | "" => landplan_geo::overlay::LayerRule::Forbid,
            "within" => landplan_geo::overlay::LayerRule::Within,
            other => {
                return refuse(
                    format!("管控线的叠加规则“{other}”无法识别：应为禁止占用或应在其内"),
                    given,
                )
                .await
            }
        };
        let Some(ext) = upload::extension(&file, &["txt", "geojson", "json", "zip", "gpkg"]) else {
            return refuse(
                format!("管控线“{file}”应为国土TXT、GeoJSON、Shapefile（.zip）或 GeoPackage 文件"),
                given,
            )
            .await;
        };
        control_parts.push((i, name, rule, part, ext));
    }
    // The files as the store keeps them (a miss in another process rebuilds from these).
    let mut files = vec![StagedFile {
        slot: "ledger".into(),
        name: ledger_name.clone(),
        layer_name: None,
        rule: None,
        bytes: ledger.bytes,
    }];
    for (slot, part) in [("geometry", geometry), ("townships", townships)] {
        if let Some(p) = part {
            files.push(StagedFile {
                slot: slot.into(),
                name: p.file_name.unwrap_or_default(),
                layer_name: None,
                rule: None,
                bytes: p.bytes,
            });
        }
    }
    for (i, name, rule, part, _) in control_parts {
        files.push(StagedFile {
            slot: format!("control-{i}"),
            name: part.file_name.unwrap_or_default(),
            layer_name: Some(name),
            rule: Some(rule_id(rule).into()),
            bytes: part.bytes,
        });
    }
    let actor = staff.actor.clone();
    let account = staff.name().to_string();
    let url = state.store.url().to_string();
    let max_bytes = state.auth.settings.max_upload_bytes as u64;
    let made = state
        .run(move |s| {
            s.check_role(
                &actor,
                Role::Editor,
                &region,
                &format!("上传 {region} {year} 年台账"),
            )?;
            let dir = tempfile::tempdir().map_err(tmp_io)?;
            let saved = match save_files(&dir, &files, max_bytes * 4)? {
                Ok(saved) => saved,
                Err(e) => return Ok(Err(e)),
            };
            let id = staged::random_id().map_err(StoreError::Invalid)?;
            let mut staged = with_controls(
                s,
                &actor,
                Staged::new(
                    id,
                    std::time::SystemTime::now(),
                    &account,
                    &url,
                    region.clone(),
                    year,
                    kind,
                    dir,
                    saved.ledger,
                    saved.geometry,
                    saved.townships,
                ),
                saved.controls,
            )?;
            staged.judge();
            s.stage_upload(
                &actor,
                &NewStaged {
                    id: staged.id.clone(),
                    region,
                    year,
                    kind: kind.id().into(),
                    files,
                    errors: staged.report.errors(),
                },
                max_bytes,
            )?;
            Ok(Ok(staged))
        })
        .await?;
    match made {
        Ok(staged) => {
            let id = staged.id.clone();
            state.staged.put(staged);
            Ok(Redirect::to(&format!("/console/imports/{id}")).into_response())
        }
        Err(msg) => refuse(msg, given).await,
    }
}

fn tmp_io(e: std::io::Error) -> StoreError {
    StoreError::Io {
        path: "临时目录".into(),
        error: e,
    }
}

/// A control-line rule as the store keeps it.
fn rule_id(rule: landplan_geo::overlay::LayerRule) -> &'static str {
    match rule {
        landplan_geo::overlay::LayerRule::Within => "within",
        _ => "forbid",
    }
}

/// An upload's files saved for the readers.
struct Saved {
    ledger: Upload,
    geometry: Option<Upload>,
    townships: Option<Upload>,
    /// The control-line files uploaded with it, read.
    controls: Vec<landplan_geoio::overlay::MemoryLayer>,
}

/// Save an upload's files in `dir` for the readers (a zipped Shapefile unpacked, at most
/// `limit` bytes of it): Err with the message for the account when one cannot be used.
fn save_files(
    dir: &tempfile::TempDir,
    files: &[StagedFile],
    limit: u64,
) -> Result<Result<Saved, String>, StoreError> {
    let save = |f: &StagedFile, exts: &[&str]| -> Result<Result<Upload, String>, StoreError> {
        let stem = &f.slot;
        let Some(ext) = upload::extension(&f.name, exts) else {
            return Ok(Err(format!("文件“{}”的类型无法识别", f.name)));
        };
        if ext == "zip" {
            return Ok(staged::unzip_layer(&f.bytes, &dir.path().join(stem), limit)
                .map(|path| Upload {
                    name: f.name.clone(),
                    path,
                })
                .map_err(|e| format!("“{}”：{e}", f.name)));
        }
        let path = dir.path().join(format!("{stem}.{ext}"));
        std::fs::write(&path, &f.bytes).map_err(tmp_io)?;
        Ok(Ok(Upload {
            name: f.name.clone(),
            path,
        }))
    };
    let mut ledger = None;
    let mut geometry = None;
    let mut townships = None;
    let mut controls = Vec::new();
    for f in files {
        let exts: &[&str] = match f.slot.as_str() {
            "ledger" => &["csv", "xlsx", "xls", "txt"],
            "townships" => &["geojson", "json", "zip", "gpkg"],
            _ => &["txt", "geojson", "json", "zip", "gpkg"],
        };
        let u = match save(f, exts)? {
            Ok(u) => u,
            Err(e) => return Ok(Err(e)),
        };
        match f.slot.as_str() {
            "ledger" => ledger = Some(u),
            "geometry" => geometry = Some(u),
            "townships" => townships = Some(u),
            _ => {
                let rule = match f.rule.as_deref() {
                    Some("within") => landplan_geo::overlay::LayerRule::Within,
                    _ => landplan_geo::overlay::LayerRule::Forbid,
                };
                match uploaded_control(&u, f.layer_name.as_deref().unwrap_or(""), rule) {
                    Ok(l) => controls.push(l),
                    Err(e) => return Ok(Err(e)),
                }
            }
        }
    }
    let Some(ledger) = ledger else {
        return Ok(Err("请选择地块台账文件".into()));
    };
    Ok(Ok(Saved {
        ledger,
        geometry,
        townships,
        controls,
    }))
}

/// `staged` with the control layers it is judged against: those stored for its region and
/// its ancestors, as stored now, then `uploaded` (not judged yet).
fn with_controls(
    s: &Store,
    actor: &landplan_store::Actor,
    mut staged: Staged,
    uploaded: Vec<landplan_geoio::overlay::MemoryLayer>,
) -> Result<Staged, StoreError> {
    let mut controls = stored_controls(s, actor, &staged.region)?;
    if !uploaded.is_empty() {
        Arc::make_mut(&mut controls).extend(uploaded);
    }
    staged.controls = controls;
    Ok(staged)
}

/// A Unix time as the Beijing date (2025年3月1日).
fn beijing_date(unix: i64) -> String {
    let t = std::time::UNIX_EPOCH + std::time::Duration::from_secs(unix.max(0) as u64);
    landplan_core::Timestamp::from_system_time(t)
        .date_beijing()
        .map(|d| d.chinese())
        .unwrap_or_default()
}

/// The account's staged upload `id`, as this process judged it, or rebuilt from the store
/// when this process has not (another process took it, or this one restarted) or its
/// judgement is behind the stored edits; the 404 page when the store has none of the
/// account's under that id (none, expired, replaced, another account's). Looking at it keeps
/// it for another [`staged::TTL`].
async fn find(
    state: &AppState,
    staff: &Staff,
    id: &str,
) -> Result<Arc<std::sync::Mutex<Staged>>, PageError> {
    let cache = state.staged.clone();
    let actor = staff.actor.clone();
    let id = id.to_string();
    let url = state.store.url().to_string();
    let limit = state.auth.settings.max_upload_bytes as u64 * 4;
    state
        .run(move |s| {
            let kept = match s.staged_upload(&actor, &id) {
                Ok(k) => k,
                Err(StoreError::NotFound(_)) => {
                    cache.remove(&id);
                    return Ok(None);
                }
                Err(e) => return Err(e),
            };
            if let Some(entry) = cache.get(&id) {
                let mut st = entry.lock().map_err(|_| busy())?;
                if st.edits == kept.edit_rounds {
                    if st.stored.is_none() {
                        st.stored = kept.stored.as_ref().map(stored_of);
                    }
                    drop(st);
                    return Ok(Some(entry));
                }
            }
            let st = rebuild(s, &actor, &kept, &url, limit)?;
            Ok(Some(cache.put(st)))
        })
        .await?
        .ok_or_else(gone)
}

fn busy() -> StoreError {
    StoreError::Invalid("上传正被处理，请稍后重试".into())
}

fn stored_of(o: &landplan_store::StagedOutcome) -> staged::Stored {
    staged::Stored {
        import_id: o.import_id,
        parcel_count: o.parcel_count,
        geometry_count: o.geometry_count,
        total_ha: o.total_ha,
        townships: o.townships,
    }
}

/// A staged upload judged again from what the store keeps of it: its files saved and read,
/// its edits replayed round by round. Once stored, only what it became is kept (its files are
/// the import's now): the page shows that, without findings.
fn rebuild(
    s: &Store,
    actor: &landplan_store::Actor,
    kept: &StagedUpload,
    url: &str,
    limit: u64,
) -> Result<Staged, StoreError> {
    let kind = parse_kind(&kept.kind)
        .ok_or_else(|| StoreError::Corrupt(format!("暂存上传的计划类型“{}”无法识别", kept.kind)))?;
    let uploaded =
        std::time::UNIX_EPOCH + std::time::Duration::from_secs(kept.created_unix.max(0) as u64);
    let dir = tempfile::tempdir().map_err(tmp_io)?;
    let named = |name: &Option<String>, stem: &str| {
        name.as_ref().map(|n| Upload {
            name: n.clone(),
            path: dir.path().join(stem),
        })
    };
    if let Some(outcome) = &kept.stored {
        let (geometry, townships) = (
            named(&kept.geometry_name, "geometry"),
            named(&kept.townships_name, "townships"),
        );
        let ledger = Upload {
            name: kept.ledger_name.clone(),
            path: dir.path().join("ledger"),
        };
        let mut st = Staged::new(
            kept.id.clone(),
            uploaded,
            actor.name(),
            url,
            kept.region.clone(),
            kept.year,
            kind,
            dir,
            ledger,
            geometry,
            townships,
        );
        st.edits = kept.edit_rounds;
        st.report.parcel_count = usize::try_from(outcome.parcel_count).unwrap_or(0);
        st.report.total_ha = outcome.total_ha.normalize().to_string();
        st.stored = Some(stored_of(outcome));
        return with_controls(s, actor, st, Vec::new());
    }
    let (files, rounds) = s.staged_upload_content(actor, &kept.id)?;
    let saved = save_files(&dir, &files, limit)?.map_err(StoreError::Invalid)?;
    let mut st = with_controls(
        s,
        actor,
        Staged::new(
            kept.id.clone(),
            uploaded,
            actor.name(),
            url,
            kept.region.clone(),
            kept.year,
            kind,
            dir,
            saved.ledger,
            saved.geometry,
            saved.townships,
        ),
        saved.controls,
    )?;
    st.replay(&rounds).map_err(StoreError::Invalid)?;
    Ok(st)
}

/// The control layers stored for `region` and its ancestors, as overlay layers in the
/// store's CRS (none on a store whose CRS is no CGCS2000 one: then nothing can be overlaid,
/// and the findings say that no control lines were checked). The caller has checked that the
/// actor holds a role for the region.
///
/// Kept in a small cache per store, region and change stamp, shared by the staged uploads that
/// use them: a county's 永久基本农田 can be tens of thousands of polygons, read once and held
/// once however many uploads judge against it, and read again after any change to the store.
fn stored_controls(
    store: &Store,
    actor: &landplan_store::Actor,
    region: &str,
) -> Result<Arc<Vec<landplan_geoio::overlay::MemoryLayer>>, StoreError> {
    /// Entries kept: (store URL, region, change stamp) → layers.
    const KEPT: usize = 8;
    type Entry = (
        (String, String, i64),
        Arc<Vec<landplan_geoio::overlay::MemoryLayer>>,
    );
    static CACHE: std::sync::OnceLock<std::sync::Mutex<Vec<Entry>>> = std::sync::OnceLock::new();
    let Some(crs) = u32::try_from(store.srid())
        .ok()
        .and_then(landplan_geo::Crs::from_epsg)
    else {
        return Ok(Arc::new(Vec::new()));
    };
    let key = (
        store.url().to_string(),
        region.to_string(),
        store.change_stamp()?,
    );
    let cache = CACHE.get_or_init(Default::default);
    if let Some((_, layers)) = cache
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .iter()
        .find(|(k, _)| *k == key)
    {
        return Ok(layers.clone());
    }
    let layers: Arc<Vec<_>> = Arc::new(
        store
            .control_layers_for(actor, region)?
            .into_iter()
            .map(|l| landplan_geoio::overlay::MemoryLayer {
                source: format!("{STORED}{} {}", l.region, l.name),
                name: l.name,
                rule: l.rule,
                crs,
                polygons: l.geometries,
                labels: l.labels,
            })
            .collect(),
    );
    let mut kept = cache.lock().unwrap_or_else(|e| e.into_inner());
    // Entries of this store and region made before this change are stale.
    kept.retain(|(k, _)| !(k.0 == key.0 && k.1 == key.1));
    if kept.len() >= KEPT {
        kept.remove(0);
    }
    kept.push((key, layers.clone()));
    Ok(layers)
}

/// How many control-line files the upload form offers.
const CONTROL_SLOTS: usize = 2;

/// The prefix of the `source` of a control layer read from the store (`数据库 CODE NAME`).
const STORED: &str = "数据库 ";
/// The prefix of the `source` of a control layer uploaded with the ledger (`上传 FILE`).
const UPLOADED: &str = "上传 ";

/// A control-line file uploaded with the ledger, read as an overlay layer in its own CRS
/// (Chinese message naming the file when it cannot be read or has no CRS).
fn uploaded_control(
    u: &Upload,
    name: &str,
    rule: landplan_geo::overlay::LayerRule,
) -> Result<landplan_geoio::overlay::MemoryLayer, String> {
    let set = landplan_geoio::read_layer(&u.path)
        .map_err(|e| format!("管控线“{}”无法读取：{e}", u.name))?;
    let crs = set.crs.ok_or_else(|| {
        format!(
            "管控线“{}”没有坐标系信息（Shapefile 的 .prj、GeoJSON 的 crs），无法与地块叠加",
            u.name
        )
    })?;
    let polygons: Vec<_> = set
        .features
        .into_iter()
        .map(|f| f.geometry)
        .filter(|g| !g.0.is_empty())
        .collect();
    if polygons.is_empty() {
        return Err(format!("管控线“{}”中没有面状图斑", u.name));
    }
    Ok(landplan_geoio::overlay::MemoryLayer {
        name: name.to_string(),
        rule,
        source: format!("{UPLOADED}{}", u.name),
        crs,
        polygons,
        labels: Vec::new(),
    })
}

/// The one line that says which control lines the upload was judged against, or that it was
/// not (never a silent pass).
fn controls_line(st: &Staged) -> Markup {
    let names: Vec<String> = st
        .controls
        .iter()
        .map(|l| {
            let from = match (
                l.source.strip_prefix(STORED),
                l.source.strip_prefix(UPLOADED),
            ) {
                (Some(r), _) => r.split_once(' ').map_or(r, |(code, _)| code).to_string(),
                (_, Some(file)) => format!("本次上传 {file}"),
                _ => l.source.clone(),
            };
            format!("“{}”（{}，{}）", l.name, from, l.rule.label())
        })
        .collect();
    let stored = st
        .controls
        .iter()
        .filter(|l| l.source.starts_with(STORED))
        .count();
    let uploaded = st.controls.len() - stored;
    html! {
        @if st.controls.is_empty() {
            p.notice #controls role="status" { "本行政区未入库管控线，未做管控线叠加检查。" }
        } @else if st.geometry.is_none() {
            p.notice #controls role="status" {
                "未上传地块界址，未做管控线叠加检查（管控线 " (st.controls.len()) " 个图层：" (names.join("、")) "）。"
            }
        } @else {
            p.muted #controls {
                @if stored == 0 { "本行政区未入库管控线；已与本次上传的管控线叠加检查：" }
                @else if uploaded > 0 { "已与本行政区及上级行政区入库的管控线和本次上传的管控线叠加检查：" }
                @else { "已与本行政区及上级行政区入库的管控线叠加检查：" }
                (names.join("、")) "；压占“禁止占用”图层为错误，超出“应在其内”图层为警告。"
            }
        }
    }
}

fn gone() -> PageError {
    PageError(WebError::NotFound(
        "没有找到这次上传：可能已过期（保留 2 小时）、已被新的上传替换，或属于其他账户。请重新上传。"
            .into(),
    ))
}

/// Where a finding is: `台账.csv 第 3 行 “面积”列 地块 A-001`.
fn place_text(p: &Place) -> String {
    let mut s = String::new();
    if let Some(file) = &p.file {
        s.push_str(file);
    }
    if let Some(r) = p.row.or(p.line) {
        s.push_str(&format!(" 第 {r} 行"));
    }
    if let Some(c) = &p.field {
        s.push_str(&format!(" “{c}”列"));
    }
    if let Some(id) = &p.parcel {
        s.push_str(&format!(" 地块 {id}"));
    }
    s.trim().to_string()
}

fn severity_class(s: Severity) -> &'static str {
    match s {
        Severity::Error => "sev-error",
        Severity::Warning => "sev-warning",
        Severity::Info => "sev-info",
    }
}

/// One finding of an upload, with links to its row and its parcel on the map.
fn finding_item(f: &Finding, st: &Staged) -> Markup {
    let r = &st.report;
    let mut rows: Vec<usize> = Vec::new();
    let mut parcels: Vec<(String, Option<usize>)> = Vec::new();
    for p in &f.places {
        if let Some(row) = p.row {
            if !rows.contains(&row) {
                rows.push(row);
            }
        }
        if let Some(id) = &p.parcel {
            if let Some(row) = r.row_of.get(id) {
                if !rows.contains(row) {
                    rows.push(*row);
                }
            }
            if !parcels.iter().any(|(x, _)| x == id) {
                parcels.push((id.clone(), r.on_map.get(id).copied()));
            }
        }
    }
    html! {
        li.finding class=(severity_class(f.severity)) {
            span.severity { (f.severity.label()) } " "
            code.rule { (f.rule) } " "
            span.message { (f.message) }
            @if let Some(p) = f.places.first() {
                @let at = place_text(p);
                @if !at.is_empty() { br; span.muted.place { (at) } }
            }
            @if !rows.is_empty() || parcels.iter().any(|(_, m)| m.is_some()) {
                br;
                @for row in rows.iter().take(10) {
                    a.row-link href=(format!("#row-{row}")) { "到第 " (row) " 行" } " "
                }
                @for (id, m) in &parcels {
                    @if let Some(m) = m {
                        a.map-link href=(format!("#map-p{m}")) { "在图上查看地块 " (id) } " "
                    }
                }
            }
        }
    }
}

/// The current plan of the upload's region, year and kind, as the account sees it.
fn current_plan(
    store: &Store,
    staff: &Staff,
    st: &Staged,
) -> Result<Option<PlanVersion>, StoreError> {
    let key = PlanKey {
        region: st.region.clone(),
        year: st.year,
        kind: st.kind,
    };
    match store.current_version(&staff.actor, &key) {
        Ok(v) => Ok(Some(v)),
        Err(StoreError::NotFound(_)) => Ok(None),
        Err(e) => Err(e),
    }
}

async fn review(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
) -> Result<Html<String>, PageError> {
    let entry = find(&state, &staff, &id).await?;
    let s2 = staff.clone();
    let html = state
        .run(move |store| {
            let st = entry
                .lock()
                .map_err(|_| StoreError::Invalid("上传正被处理，请稍后刷新".into()))?;
            let plan = if st.stored.is_some() {
                current_plan(store, &s2, &st)?
            } else {
                None
            };
            Ok(render_review(&st, &s2, plan.as_ref()).into_string())
        })
        .await?;
    Ok(Html(html))
}

fn plan_path(st: &Staged) -> String {
    format!("/console/plans/{}/{}/{}", st.region, st.year, st.kind.id())
}

fn render_review(st: &Staged, staff: &Staff, plan: Option<&PlanVersion>) -> Markup {
    let r = &st.report;
    let here = format!("/console/imports/{}", st.id);
    let errors = r.errors();
    let bad_rows = r.rows_with_findings();
    let data_rows: Vec<&(usize, Vec<String>)> = st
        .grid
        .rows
        .iter()
        .filter(|(n, _)| *n > st.grid.header_row && st.grid.header_row > 0)
        .collect();
    let all_rows = data_rows.len() <= staged::EDIT_ALL_ROWS;
    let shown: Vec<&(usize, Vec<String>)> = data_rows
        .iter()
        .copied()
        .filter(|(n, _)| all_rows || bad_rows.contains(n))
        .collect();
    let header: Vec<String> = st
        .grid
        .rows
        .iter()
        .find(|(n, _)| *n == st.grid.header_row)
        .map(|(_, c)| c.clone())
        .unwrap_or_default();
    let width = shown
        .iter()
        .map(|(_, c)| c.len())
        .chain(std::iter::once(header.len()))
        .max()
        .unwrap_or(0);
    let title = format!("台账检查：{}", st.ledger.name);
    let body = html! {
        h1 { (title) }
        dl.meta.card {
            dt { "行政区" } dd { (st.region) }
            dt { "年度" } dd { (st.year) }
            dt { "类型" } dd { (st.kind.label()) }
            dt { "文件" } dd {
                (st.ledger_label())
                @if let Some(g) = &st.geometry { "；地块界址 " (g.name) }
                @if let Some(t) = &st.townships { "；乡镇界 " (t.name) }
                @for l in st.controls.iter().filter(|l| l.source.starts_with(UPLOADED)) {
                    "；管控线“" (l.name) "” " (l.source.trim_start_matches(UPLOADED))
                }
            }
            dt { "读取" } dd { (r.parcel_count) " 宗地块，合计 " (r.total_ha) " 公顷" }
        }
        @if let Some(done) = &st.stored {
            div.notice role="status" #stored {
                p { "已保存为导入批次 " strong #import-id { (done.import_id) } "：" (done.parcel_count) " 宗地块（"
                    (done.geometry_count) " 宗有界址），合计 " (done.total_ha.normalize()) " 公顷。"
                    @if let Some(n) = done.townships { "乡镇界 " (n) " 个已一并保存。" }
                }
                (plan_form(st, staff, plan))
            }
        } @else if let Some(why) = &r.unreadable {
            p.alert role="alert" #findings-summary { "台账无法读取：" (why) }
            p { a href="/console/imports" { "重新上传" } }
        } @else if errors > 0 {
            p.alert role="alert" #findings-summary {
                "发现 " (errors) " 个错误、" (r.warnings()) " 个警告。错误修正前不能保存：可在下方表格中直接修改后重新检查，或修正文件后"
                a href="/console/imports" { "重新上传" } "。"
            }
        } @else {
            p.notice role="status" #findings-summary {
                "没有错误" @if r.warnings() > 0 { "（" (r.warnings()) " 个警告，请核对）" } "，可以保存。"
            }
        }
        @if r.unreadable.is_none() {
            (controls_line(st))
        }
        @if st.stored.is_none() && r.unreadable.is_none() {
            form.store-form method="post" action=(format!("{here}/store")) {
                (staff.csrf_field())
                @if errors > 0 {
                    button type="submit" disabled { "保存到数据库" }
                    span.muted { " 有错误时不能保存" }
                } @else {
                    button #store-import type="submit" { "保存到数据库" }
                }
            }
        }
        @if !r.findings.is_empty() {
            section #findings {
                h2 { "问题清单（" (r.findings.len()) "）" }
                ol.findings {
                    @for f in &r.findings { (finding_item(f, st)) }
                }
            }
        }
        @if !r.unmatched.is_empty() {
            p.notice #unmatched {
                "地块界址文件中有 " (r.unmatched.len()) " 个要素在台账中找不到同编号的地块（保存时不会使用）："
                (r.unmatched.iter().take(20).cloned().collect::<Vec<_>>().join("、"))
                @if r.unmatched.len() > 20 { "…" }
            }
        }
        @if st.geometry.is_some() && !r.without_boundary.is_empty() {
            p.muted #without-boundary {
                "台账中有 " (r.without_boundary.len()) " 宗地块在界址文件中没有图形："
                (r.without_boundary.iter().take(20).cloned().collect::<Vec<_>>().join("、"))
                @if r.without_boundary.len() > 20 { "…" }
                @if !st.controls.is_empty() { "（这些地块未做管控线叠加检查）" }
            }
        }
        @if let Some(svg) = &r.map_svg {
            section #map {
                h2 { "地块分布图" }
                figure #import-map {
                    // Our own writer's SVG (every text escaped there), each parcel anchored.
                    (PreEscaped(svg))
                    figcaption {
                    "上传的地块界址，按用途着色；问题清单中的“在图上查看”会定位并突出显示该地块。"
                    @if !st.controls.is_empty() { "地块附近的入库管控线按图层以斜线绘于地块之上，重叠处可见，见图例。" }
                }
                }
            }
        }
        @if st.stored.is_none() && !shown.is_empty() {
            section #rows {
                h2 { "台账各行" }
                @if !all_rows {
                    p.muted { "台账共 " (data_rows.len()) " 行，这里只列出有问题的 " (shown.len()) " 行；其余行不变。" }
                }
                form.rows-form method="post" action=(format!("{here}/rows")) {
                    (staff.csrf_field())
                    div.scroll {
                        table #ledger-rows {
                            thead { tr {
                                th scope="col" { "行" }
                                @for j in 0..width {
                                    th scope="col" { (header.get(j).cloned().unwrap_or_default()) }
                                }
                            } }
                            tbody {
                                @for (n, cells) in &shown {
                                    tr id=(format!("row-{n}")) class=[bad_rows.contains(n).then_some("bad-row")] {
                                        th scope="row" { (n) }
                                        @for j in 0..width {
                                            @let name = format!("c{n}-{j}");
                                            td {
                                                label.visually-hidden for=(name) {
                                                    "第 " (n) " 行 " (header.get(j).cloned().unwrap_or_else(|| format!("第 {} 列", j + 1)))
                                                }
                                                input id=(name) name=(name) type="text" value=(cells.get(j).cloned().unwrap_or_default());
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                    p { button #recheck type="submit" { "保存修改并重新检查" } }
                }
            }
        }
        p { a href="/console/imports" { "返回台账导入" } }
    };
    layout(&title, staff, Nav::Imports, body)
}

fn plan_form(st: &Staged, staff: &Staff, plan: Option<&PlanVersion>) -> Markup {
    let action = format!("/console/imports/{}/plan", st.id);
    html! {
        @match plan {
            Some(v) if !matches!(v.status, PlanStatus::Draft | PlanStatus::Adjusting) => {
                p { "该计划现行第 " (v.version) " 版为“" (v.status.label()) "”，不能用这次导入编制。"
                    a href=(plan_path(st)) { "查看计划" } }
            }
            _ => {
                form.plan-form method="post" action=(action) {
                    (staff.csrf_field())
                    p {
                        label for="plan-note" {
                            @if let Some(v) = plan { "说明（可选；将用本次导入重新编制第 " (v.version) " 版“" (v.status.label()) "”）" }
                            @else { "说明（可选）" }
                        }
                        input #plan-note type="text" name="note" maxlength="500";
                    }
                    p { button #make-plan type="submit" { "编制计划" } }
                }
            }
        }
    }
}

#[derive(serde::Deserialize)]
struct CsrfOnly {
    #[serde(rename = "_csrf", default)]
    csrf: String,
}

/// `POST /console/imports/{staged}/rows`: the rows as edited, judged again.
async fn edit_rows(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let csrf = fields
        .iter()
        .find(|(k, _)| k == "_csrf")
        .map(|(_, v)| v.as_str())
        .unwrap_or("");
    staff.check_csrf(csrf)?;
    let entry = find(&state, &staff, &id).await?;
    let mut edits: HashMap<(usize, usize), String> = HashMap::new();
    for (k, v) in fields {
        let Some((r, c)) = k.strip_prefix('c').and_then(|x| x.split_once('-')) else {
            continue;
        };
        let (Ok(r), Ok(c)) = (r.parse::<usize>(), c.parse::<usize>()) else {
            continue;
        };
        if c < 1000 && !v.chars().any(|ch| ch.is_control() && ch != '\t') {
            edits.insert((r, c), v);
        }
    }
    let (actor, cache, key) = (staff.actor.clone(), state.staged.clone(), id.clone());
    state
        .run(move |s| {
            let mut st = entry.lock().map_err(|_| busy())?;
            if st.stored.is_some() {
                return Err(StoreError::Invalid(
                    "这次上传已保存，不能再修改；请重新上传".into(),
                ));
            }
            let header = st.grid.header_row;
            // Only rows below the header (the data) are edited.
            edits.retain(|(r, _), _| *r > header);
            let changed: HashMap<(usize, usize), String> = edits
                .into_iter()
                .filter(|((r, c), v)| {
                    st.grid
                        .rows
                        .iter()
                        .find(|(n, _)| n == r)
                        .is_some_and(|(_, cells)| {
                            cells.get(*c).map(String::as_str).unwrap_or("") != v
                        })
                })
                .collect();
            if !changed.is_empty() {
                let mut cells: Vec<StagedCell> = changed
                    .iter()
                    .map(|((row, col), text)| StagedCell {
                        row: *row,
                        col: *col,
                        text: text.clone(),
                    })
                    .collect();
                cells.sort_by_key(|c| (c.row, c.col));
                // Judged here, then written to the store before the answer; when the store
                // refuses (another process recorded this round first), this judgement is
                // dropped and the next look rebuilds from the store.
                let recorded = st
                    .edit(&changed)
                    .map_err(StoreError::Invalid)
                    .and_then(|()| {
                        s.record_staged_edit(&actor, &key, st.edits, &cells, st.report.errors())
                    });
                if let Err(e) = recorded {
                    drop(st);
                    cache.remove(&key);
                    return Err(e);
                }
            }
            Ok(())
        })
        .await?;
    Ok(Redirect::to(&format!("/console/imports/{id}#findings-summary")).into_response())
}

/// `POST /console/imports/{staged}/store`: store the upload as one import.
async fn store(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    Form(form): Form<CsrfOnly>,
) -> Result<Response, PageError> {
    staff.check_csrf(&form.csrf)?;
    let entry = find(&state, &staff, &id).await?;
    let actor = staff.actor.clone();
    let key = id.clone();
    state
        .run(move |s| {
            let mut st = entry.lock().map_err(|_| busy())?;
            if st.stored.is_some() {
                return Ok(());
            }
            // The store decides the role first: an account without 编制 is refused (403)
            // whatever the upload holds.
            s.check_role(
                &actor,
                Role::Editor,
                &st.region,
                &format!("保存 {} {} 年台账", st.region, st.year),
            )?;
            let errors = st.report.errors();
            if errors > 0 {
                return Err(StoreError::Invalid(format!(
                    "台账有 {errors} 个错误，整批未保存；请按问题清单修正后再保存"
                )));
            }
            // One store at a time across processes: another process may have stored it, or be
            // storing it, since this one read it.
            if let Some(outcome) = s.claim_staged_for_storing(&actor, &key)? {
                st.stored = Some(stored_of(&outcome));
                return Ok(());
            }
            let result = store_claimed(s, &actor, &key, &mut st);
            if result.is_err() {
                // Best effort: the claim also lapses by itself after STORING_CLAIM_SECS.
                let _ = s.release_staged_claim(&actor, &key);
            }
            result
        })
        .await?;
    Ok(Redirect::to(&format!("/console/imports/{id}#stored")).into_response())
}

/// Import a staged upload whose storing claim this process holds, then record what it became.
fn store_claimed(
    s: &Store,
    actor: &landplan_store::Actor,
    key: &str,
    st: &mut Staged,
) -> Result<(), StoreError> {
    let opts = ImportOptions {
        region: st.region.clone(),
        region_name: None,
        year: st.year,
        kind: st.kind,
        strict: false,
        skip_bad_rows: false,
    };
    // The files under their own names (the import records them).
    let named = st.dir.path().join("named");
    std::fs::create_dir_all(&named).map_err(|e| StoreError::Io {
        path: "临时目录".into(),
        error: e,
    })?;
    let mut files = Vec::new();
    let ledger_ext = st
        .current
        .extension()
        .map(|e| e.to_string_lossy().to_string())
        .unwrap_or_else(|| "csv".into());
    let stem = st
        .ledger
        .name
        .rsplit_once('.')
        .map(|(s, _)| s.to_string())
        .unwrap_or_else(|| st.ledger.name.clone());
    let stem: String = stem
        .chars()
        .filter(|c| !matches!(c, '/' | '\\' | ':' | '\0'))
        .collect();
    let ledger_path = named.join(format!("{stem}.{ledger_ext}"));
    std::fs::copy(&st.current, &ledger_path).map_err(|e| StoreError::Io {
        path: "临时目录".into(),
        error: e,
    })?;
    files.push(ledger_path);
    if let Some(g) = &st.geometry {
        files.push(g.path.clone());
    }
    let summary = s.import_files(actor, &files, None, &opts)?;
    let townships = match &st.townships {
        Some(t)
            if landplan_store::region::classify(&st.region)
                .is_ok_and(|(l, _)| l == landplan_store::RegionLevel::County) =>
        {
            Some(
                s.import_townships(actor, &st.region, None, std::slice::from_ref(&t.path))?
                    .townships as usize,
            )
        }
        _ => None,
    };
    let outcome = StagedOutcome {
        import_id: summary.import_id,
        parcel_count: summary.parcel_count,
        geometry_count: summary.geometry_count,
        total_ha: summary.total_ha,
        townships,
    };
    s.mark_staged_stored(actor, key, &outcome)?;
    st.stored = Some(stored_of(&outcome));
    Ok(())
}

#[derive(serde::Deserialize)]
struct PlanForm {
    #[serde(rename = "_csrf", default)]
    csrf: String,
    #[serde(default)]
    note: String,
}

/// `POST /console/imports/{staged}/plan`: 编制计划 from the stored import — a new plan
/// (version 1, 草稿), or its current 草稿/调整中 version compiled again — then to the plan.
async fn make_plan(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    Form(form): Form<PlanForm>,
) -> Result<Response, PageError> {
    staff.check_csrf(&form.csrf)?;
    let entry = find(&state, &staff, &id).await?;
    let note = form.note.trim().to_string();
    if note.chars().count() > 500 || note.chars().any(|c| c.is_control()) {
        return Err(PageError(WebError::Invalid(
            "说明最多 500 个字符，且不能含控制字符".into(),
        )));
    }
    let s2 = staff.clone();
    let to = state
        .run(move |s| {
            let st = entry
                .lock()
                .map_err(|_| StoreError::Invalid("上传正被处理，请稍后重试".into()))?;
            let Some(done) = &st.stored else {
                return Err(StoreError::Invalid("请先保存这次上传，再编制计划".into()));
            };
            let key = PlanKey {
                region: st.region.clone(),
                year: st.year,
                kind: st.kind,
            };
            let note = Some(note.as_str()).filter(|n| !n.is_empty());
            match current_plan(s, &s2, &st)? {
                None => {
                    s.create_plan(&s2.actor, &key, Some(done.import_id), note)?;
                }
                Some(_) => {
                    s.revise_plan(&s2.actor, &key, Some(done.import_id), note)?;
                }
            }
            Ok(plan_path(&st))
        })
        .await?;
    Ok(Redirect::to(&to).into_response())
}

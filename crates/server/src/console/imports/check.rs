//! `/console/check`: any plan document uploaded (.docx, .pdf, .txt, .html, .xlsx …) read by
//! the checker (`landplan check`'s [`landplan_check::check_document`]), and its report shown
//! as the CLI gives it: each finding's severity, rule and message, and the quoted place with
//! the figure marked. [`report_markup`] is also the compiled version page's report.

use super::super::{layout, Nav, Staff};
use crate::pages::PageError;
use crate::AppState;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{DefaultBodyLimit, Multipart, State};
use axum::response::Html;
use axum::routing::get;
use axum::Router;
use landplan_check::{CheckOptions, CheckedDocument};
use landplan_core::{RuleContext, Severity};
use maud::{html, Markup};

/// This part's routes.
pub fn routes() -> Router<AppState> {
    Router::new().route(
        "/console/check",
        get(page).post(check).layer(DefaultBodyLimit::disable()),
    )
}

/// The checker's report as the CLI prints it, one finding a list item: severity, rule,
/// message, then the quoted place(s) (`--> 文件:行:列`, the line with the figure underlined,
/// 期望/实际).
pub fn report_markup(checked: &CheckedDocument) -> Markup {
    let report = &checked.report;
    let lines: Vec<&str> = checked.text.split('\n').collect();
    let full = landplan_check::render::render_report(report, &checked.text);
    let summary = full
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("");
    let (e, w, i) = report.counts();
    html! {
        div.check-report {
            p.check-summary { (summary) }
            @if e + w == 0 {
                p.ok.check-result { "数字相互一致，未发现错误或警告" @if i > 0 { "（" (i) " 条提示）" } "。" }
            } @else {
                p.bad.check-result role="alert" { "发现错误 " (e) " 个、警告 " (w) " 个。" }
            }
            @if !report.findings.is_empty() {
                ol.check-findings {
                    @for f in &report.findings {
                        li class=(match f.severity { Severity::Error => "sev-error", Severity::Warning => "sev-warning", Severity::Info => "sev-info" }) {
                            span.severity { (f.severity.label()) } " "
                            code.rule { (f.rule) } " "
                            span.message { (f.message) }
                            @let out = rendered(f, &report.path, &lines);
                            @let quoted: Vec<&str> = out.lines().skip(1).filter(|l| !l.trim().is_empty()).collect();
                            @if !quoted.is_empty() {
                                pre.quoted { (quoted.join("\n")) }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// One finding as `landplan check` prints it.
fn rendered(f: &landplan_core::Finding, path: &str, lines: &[&str]) -> String {
    let mut out = String::new();
    landplan_check::render::render_finding(&mut out, path, f, lines);
    out
}

async fn page(staff: Staff) -> Html<String> {
    Html(render(&staff, None, None).into_string())
}

fn render(staff: &Staff, error: Option<&str>, result: Option<(&str, &CheckedDocument)>) -> Markup {
    let body = html! {
        h1 { "计划文本审查" }
        p.muted { "上传任一计划文件（Word .docx、PDF、文本 .txt、网页 .html、Excel 附表 .xlsx 等），按 landplan check 的规则核对文中各处数字（总量、分项、占比、亩与公顷等）是否相互一致。文件只用于本次审查，不保存。" }
        @if let Some(e) = error { p.alert role="alert" { (e) } }
        form.card.check-form method="post" action="/console/check" enctype="multipart/form-data" {
            (staff.csrf_field())
            p {
                label for="check-document" { "计划文件" }
                input #check-document type="file" name="document" required;
            }
            p {
                label for="check-region" { "行政区划代码（可选，按该地规则审查）" }
                input #check-region type="text" name="region" inputmode="numeric" maxlength="12";
            }
            p { button type="submit" { "审查" } }
        }
        @if let Some((name, checked)) = result {
            section #check-report {
                h2 { "审查结果：" (name) }
                (report_markup(checked))
            }
        }
    };
    layout("计划文本审查", staff, Nav::Imports, body)
}

async fn check(
    State(state): State<AppState>,
    staff: Staff,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Html<String>, PageError> {
    let parts = super::form_parts(&state, &staff, multipart).await?;
    let text = |field: &str| super::text_part(&parts, field);
    let region = text("region");
    let Some(doc) = parts
        .iter()
        .find(|p| p.field == "document" && !p.bytes.is_empty())
        .cloned()
    else {
        return Ok(Html(
            render(&staff, Some("请选择要审查的文件"), None).into_string(),
        ));
    };
    if !region.is_empty() && !region.chars().all(|c| c.is_ascii_digit()) {
        return Ok(Html(
            render(&staff, Some("行政区划代码只能由数字组成"), None).into_string(),
        ));
    }
    let name = doc.file_name.clone().unwrap_or_else(|| "计划文件".into());
    let label = name.clone();
    let checked = state
        .run(move |_| {
            let rules = if region.is_empty() {
                RuleContext::builtin()
            } else {
                RuleContext::builtin().with_region(Some(&region))
            };
            let opts = CheckOptions {
                rules,
                format: None,
            };
            Ok(landplan_check::check_document(&label, &doc.bytes, &opts))
        })
        .await?;
    Ok(Html(
        render(&staff, None, Some((&name, &checked))).into_string(),
    ))
}

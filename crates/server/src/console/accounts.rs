//! `/console/accounts`: account administration for admins (see the console's module
//! description, [`super`]). The accounts of the admin's regions (those with a role for one of
//! them or a region below, and those without any role), and forms to add an account (with a
//! password given or generated), disable and enable it, reset its password (a generated one,
//! shown once), and grant or revoke a role for a region. Every change goes through the store,
//! which refuses anything outside the admin's regions; its Chinese message is shown.
//!
//! Forms post to `/console/accounts` (add) and `/console/accounts/{op}` (disable, enable,
//! password, grant, revoke) with the account's name in a field; the answer is the page itself
//! (a generated password is shown once, never kept).

use super::{layout, Nav, Staff};
use crate::pages::PageError;
use crate::{AppState, WebError};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use landplan_store::access::region_chain;
use landplan_store::{Account, Actor, Grant, Region, Role, Store, StoreError};
use maud::{html, Markup};
use serde::Deserialize;
use std::collections::HashMap;

/// This part's routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/console/accounts", get(page).post(add))
        .route("/console/accounts/{op}", post(change))
}

/// The page refuses an account without 管理 anywhere (the navigation hides the link too).
fn require_admin(staff: &Staff) -> Result<(), PageError> {
    if staff.holds_anywhere(Role::Admin) {
        Ok(())
    } else {
        Err(PageError(WebError::Forbidden(
            "账户管理需要某一行政区的“管理”角色".into(),
        )))
    }
}

/// What the page shows: the admin's accounts and the regions it may grant roles for.
struct Model {
    accounts: Vec<Account>,
    regions: Vec<Region>,
}

/// The admin's regions: those it holds 管理 for.
fn admin_regions(actor: &Actor) -> Vec<String> {
    actor
        .grants()
        .iter()
        .filter(|g| g.role == Role::Admin)
        .map(|g| g.region.clone())
        .collect()
}

fn load(s: &Store, actor: &Actor) -> Result<Model, StoreError> {
    let all = s.accounts(actor)?;
    let regions = s.regions()?;
    let parents: HashMap<String, Option<String>> = regions
        .iter()
        .map(|r| (r.code.clone(), r.parent.clone()))
        .collect();
    let mine = admin_regions(actor);
    let within = |code: &str| -> bool {
        region_chain::<StoreError>(code, |c| Ok(parents.get(c).cloned()))
            .map(|chain| chain.iter().any(|c| mine.contains(c)))
            .unwrap_or(false)
    };
    let accounts = all
        .into_iter()
        .filter(|a| a.grants.is_empty() || a.grants.iter().any(|g| within(&g.region)))
        .collect();
    let regions = regions.into_iter().filter(|r| within(&r.code)).collect();
    Ok(Model { accounts, regions })
}

/// What the page says after a change (or a refusal), and the add form as typed.
#[derive(Default)]
struct Outcome {
    notice: Option<String>,
    error: Option<String>,
    /// A password made for an account, shown once: (account, password).
    password: Option<(String, String)>,
    add: AddForm,
}

async fn page(State(state): State<AppState>, staff: Staff) -> Result<Html<String>, PageError> {
    require_admin(&staff)?;
    let actor = staff.actor.clone();
    let m = state.run(move |s| load(s, &actor)).await?;
    Ok(Html(render(&staff, &m, &Outcome::default()).into_string()))
}

/// The page with an outcome, with `status`.
async fn answer(
    state: &AppState,
    staff: &Staff,
    status: StatusCode,
    out: Outcome,
) -> Result<Response, PageError> {
    let actor = staff.actor.clone();
    let m = state.run(move |s| load(s, &actor)).await?;
    Ok((status, Html(render(staff, &m, &out).into_string())).into_response())
}

/// A store refusal shown on the page (its Chinese message) with its status; other failures
/// are error pages.
async fn refused(
    state: &AppState,
    staff: &Staff,
    e: WebError,
    add: AddForm,
) -> Result<Response, PageError> {
    match e {
        WebError::Forbidden(_) | WebError::Invalid(_) | WebError::NotFound(_) => {
            let out = Outcome {
                error: Some(e.to_string()),
                add,
                ..Outcome::default()
            };
            answer(state, staff, e.status(), out).await
        }
        other => Err(PageError(other)),
    }
}

#[derive(Deserialize, Default, Clone)]
struct AddForm {
    #[serde(rename = "_csrf", default)]
    csrf: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    region: String,
    #[serde(default)]
    password: String,
}

/// `POST /console/accounts`: add an account with one role for one region and a password
/// (the one given, or a generated one shown once).
async fn add(
    State(state): State<AppState>,
    staff: Staff,
    Form(form): Form<AddForm>,
) -> Result<Response, PageError> {
    staff.check_csrf(&form.csrf)?;
    require_admin(&staff)?;
    let Some(role) = Role::parse(&form.role) else {
        return refused(&state, &staff, WebError::Invalid("请选择角色".into()), form).await;
    };
    let name = form.name.trim().to_string();
    let display = form.display_name.trim().to_string();
    let region = form.region.trim().to_string();
    let given = form.password.clone();
    let actor = staff.actor.clone();
    let result = state
        .run(move |s| {
            let (password, generated) = if given.is_empty() {
                (landplan_store::credential::random_password()?, true)
            } else {
                (given, false)
            };
            let a = s.add_account_with_password(
                &actor,
                &name,
                &display,
                &[Grant::new(role, &region)],
                &password,
            )?;
            Ok((a, generated.then_some(password)))
        })
        .await;
    match result {
        Ok((a, generated)) => {
            tracing::info!(account = %staff.name(), added = %a.name, "console account added");
            let out = Outcome {
                notice: Some(format!("已添加账户“{}”。", a.name)),
                password: generated.map(|p| (a.name.clone(), p)),
                ..Outcome::default()
            };
            answer(&state, &staff, StatusCode::OK, out).await
        }
        Err(e) => {
            let add = AddForm {
                password: String::new(),
                csrf: String::new(),
                ..form
            };
            refused(&state, &staff, e, add).await
        }
    }
}

#[derive(Deserialize)]
struct ChangeForm {
    #[serde(rename = "_csrf", default)]
    csrf: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    region: String,
}

/// `POST /console/accounts/{op}`: disable, enable, password (reset to a generated one), grant,
/// revoke.
async fn change(
    State(state): State<AppState>,
    staff: Staff,
    Path(op): Path<String>,
    Form(form): Form<ChangeForm>,
) -> Result<Response, PageError> {
    staff.check_csrf(&form.csrf)?;
    require_admin(&staff)?;
    let name = form.name.clone();
    let grant = Role::parse(&form.role).map(|r| Grant::new(r, form.region.trim()));
    if matches!(op.as_str(), "grant" | "revoke") && grant.is_none() {
        return refused(
            &state,
            &staff,
            WebError::Invalid("请选择角色".into()),
            AddForm::default(),
        )
        .await;
    }
    let actor = staff.actor.clone();
    let op2 = op.clone();
    let result = state
        .run(move |s| -> Result<(String, Option<String>), StoreError> {
            Ok(match op2.as_str() {
                "disable" => {
                    s.disable_account(&actor, &name)?;
                    (format!("已停用账户“{name}”，其登录已失效。"), None)
                }
                "enable" => {
                    s.enable_account(&actor, &name)?;
                    (format!("已启用账户“{name}”。"), None)
                }
                "password" => {
                    let p = landplan_store::credential::random_password()?;
                    s.set_password(&actor, &name, &p)?;
                    (format!("已重置账户“{name}”的密码，其登录已失效。"), Some(p))
                }
                "grant" | "revoke" => {
                    let g = grant
                        .clone()
                        .unwrap_or_else(|| Grant::new(Role::Editor, ""));
                    let region = s
                        .region_label(&g.region)
                        .unwrap_or_else(|_| g.region.clone());
                    if op2 == "grant" {
                        s.grant(&actor, &name, &g)?;
                        (
                            format!("已授予账户“{name}”{region}的“{}”角色。", g.role.label()),
                            None,
                        )
                    } else {
                        s.revoke(&actor, &name, &g)?;
                        (
                            format!("已收回账户“{name}”{region}的“{}”角色。", g.role.label()),
                            None,
                        )
                    }
                }
                _ => return Err(StoreError::NotFound("没有这个操作".into())),
            })
        })
        .await;
    match result {
        Ok((notice, password)) => {
            tracing::info!(account = %staff.name(), target = %form.name, op = %op, "console account change");
            let out = Outcome {
                notice: Some(notice),
                password: password.map(|p| (form.name.clone(), p)),
                ..Outcome::default()
            };
            answer(&state, &staff, StatusCode::OK, out).await
        }
        Err(e) => refused(&state, &staff, e, AddForm::default()).await,
    }
}

fn region_text(regions: &[Region], code: &str) -> String {
    match regions.iter().find(|r| r.code == code) {
        Some(r) if !r.name.is_empty() => format!("{}（{}）", r.name, r.code),
        _ => code.to_string(),
    }
}

/// The region choices of a form.
fn region_options(regions: &[Region], chosen: &str) -> Markup {
    html! {
        @for r in regions {
            option value=(r.code) selected[r.code == chosen] {
                @if r.name.is_empty() { (r.code) } @else { (r.name) "（" (r.code) "）" }
            }
        }
    }
}

fn role_options(chosen: &str) -> Markup {
    html! {
        @for r in Role::ALL {
            option value=(r.id()) selected[r.id() == chosen] { (r.label()) }
        }
    }
}

/// A one-button form on an account.
fn button_form(staff: &Staff, op: &str, name: &str, label: &str, secondary: bool) -> Markup {
    html! {
        form.inline method="post" action=(format!("/console/accounts/{op}")) {
            (staff.csrf_field())
            input type="hidden" name="name" value=(name);
            @if secondary {
                button.secondary type="submit" aria-label=(format!("{label}：{name}")) { (label) }
            } @else {
                button type="submit" aria-label=(format!("{label}：{name}")) { (label) }
            }
        }
    }
}

fn render(staff: &Staff, m: &Model, out: &Outcome) -> Markup {
    let add = &out.add;
    let body = html! {
        h1 { "账户管理" }
        p.muted { "您可管理的行政区："
            @for (i, r) in admin_regions(&staff.actor).iter().enumerate() {
                @if i > 0 { "、" }
                (region_text(&m.regions, r))
            }
            "（及其下级）。"
        }
        @if let Some(e) = &out.error {
            p.alert role="alert" { (e) }
        }
        @if let Some(n) = &out.notice {
            p.notice role="status" { (n) }
        }
        @if let Some((who, p)) = &out.password {
            div.password-once role="status" {
                p { "账户“" (who) "”的密码：" }
                p { code.secret { (p) } }
                p.muted { "密码只显示这一次，请立即转交本人，并提醒其登录后修改。" }
            }
        }
        section aria-labelledby="list-h" {
            h2 #list-h { "账户（" (m.accounts.len()) "）" }
            div.scroll {
                table.accounts.stack {
                    thead { tr {
                        th scope="col" { "账户名" } th scope="col" { "姓名或科室" } th scope="col" { "状态" }
                        th scope="col" { "角色与行政区" } th scope="col" { "操作" }
                    } }
                    tbody {
                        @for a in &m.accounts {
                            tr {
                                td data-label="账户名" { (a.name) }
                                td data-label="姓名或科室" { (a.display_name) }
                                td data-label="状态" {
                                    @if a.disabled { span.bad { "已停用" } } @else { "启用" }
                                    @if !a.has_password { br; span.muted { "未设密码" } }
                                }
                                td data-label="角色与行政区" {
                                    ul.grants {
                                        @for g in &a.grants {
                                            li {
                                                (g.role.label()) " · " (region_text(&m.regions, &g.region))
                                                form.inline method="post" action="/console/accounts/revoke" {
                                                    (staff.csrf_field())
                                                    input type="hidden" name="name" value=(a.name);
                                                    input type="hidden" name="role" value=(g.role.id());
                                                    input type="hidden" name="region" value=(g.region);
                                                    button.link type="submit" aria-label=(format!("收回 {} 的 {} {}", a.name, region_text(&m.regions, &g.region), g.role.label())) { "收回" }
                                                }
                                            }
                                        }
                                    }
                                }
                                td.actions data-label="操作" {
                                    @if a.disabled {
                                        (button_form(staff, "enable", &a.name, "启用", false))
                                    } @else if a.name != staff.name() {
                                        (button_form(staff, "disable", &a.name, "停用", true))
                                    }
                                    (button_form(staff, "password", &a.name, "重置密码", true))
                                }
                            }
                        }
                    }
                }
            }
        }
        @if !m.accounts.is_empty() {
            section aria-labelledby="grant-h" {
                h2 #grant-h { "授予角色" }
                form.card.account-add method="post" action="/console/accounts/grant" {
                    (staff.csrf_field())
                    p {
                        label for="grant-name" { "账户" }
                        select #grant-name name="name" {
                            @for a in &m.accounts {
                                option value=(a.name) { (a.name) @if !a.display_name.is_empty() { "（" (a.display_name) "）" } }
                            }
                        }
                    }
                    p {
                        label for="grant-role" { "角色" }
                        select #grant-role name="role" { (role_options("editor")) }
                    }
                    p {
                        label for="grant-region" { "行政区" }
                        select #grant-region name="region" { (region_options(&m.regions, "")) }
                    }
                    p { button type="submit" { "授予" } }
                }
            }
        }
        section aria-labelledby="add-h" {
            h2 #add-h { "添加账户" }
            form.card.account-add method="post" action="/console/accounts" {
                (staff.csrf_field())
                p {
                    label for="add-name" { "账户名" }
                    input #add-name type="text" name="name" value=(add.name) required maxlength="64" autocomplete="off";
                }
                p {
                    label for="add-display" { "姓名或科室" }
                    input #add-display type="text" name="display_name" value=(add.display_name);
                }
                p {
                    label for="add-role" { "角色" }
                    select #add-role name="role" { (role_options(if add.role.is_empty() { "editor" } else { &add.role })) }
                }
                p {
                    label for="add-region" { "行政区" }
                    select #add-region name="region" { (region_options(&m.regions, &add.region)) }
                }
                p {
                    label for="add-password" { "初始密码（留空则自动生成，只显示一次）" }
                    input #add-password type="password" name="password" autocomplete="new-password";
                }
                p { button type="submit" { "添加" } }
            }
        }
    };
    layout("账户管理", staff, Nav::Accounts, body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regions_read_with_their_names() {
        let regions = vec![Region {
            code: "330102".into(),
            name: "甲县".into(),
            level: landplan_store::RegionLevel::County,
            parent: Some("330100".into()),
        }];
        assert_eq!(region_text(&regions, "330102"), "甲县（330102）");
        assert_eq!(region_text(&regions, "330103"), "330103");
    }
}

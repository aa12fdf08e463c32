//! `/console`: the account's workspace (see the console's module description, [`super`]).

use super::{layout, Nav, Staff};
use crate::pages::PageError;
use crate::AppState;
use axum::extract::State;
use axum::response::Html;
use axum::routing::get;
use axum::Router;
use maud::html;

/// This part's routes.
pub fn routes() -> Router<AppState> {
    Router::new().route("/console", get(page))
}

/// The workspace: every plan the account may see, newest year first.
async fn page(State(state): State<AppState>, staff: Staff) -> Result<Html<String>, PageError> {
    let actor = staff.actor.clone();
    let mut plans = state.run(move |s| s.plans(&actor, None)).await?;
    plans.sort_by(|a, b| {
        b.plan
            .year
            .cmp(&a.plan.year)
            .then(a.plan.region.cmp(&b.plan.region))
    });
    let body = html! {
        h1 { "工作台" }
        @if plans.is_empty() {
            p.card { "您所辖区域内还没有计划。" }
        } @else {
            div.scroll {
                table.plans {
                    thead { tr { th { "年度" } th { "区域" } th { "类型" } th { "版本" } th { "状态" } } }
                    tbody {
                        @for p in &plans {
                            tr {
                                td { (p.plan.year) }
                                td { (p.plan.region) }
                                td { (p.plan.kind.label()) }
                                td { "第" (p.version) "版" }
                                td { (p.status.label()) }
                            }
                        }
                    }
                }
            }
        }
    };
    Ok(Html(
        layout("工作台", &staff, Nav::Workspace, body).into_string(),
    ))
}

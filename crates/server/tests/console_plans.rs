//! The console's workspace and a plan's life in it, through HTTP (issue 17): what waits for
//! each role; submit → return with a remark → the editor sees it → resubmit → approve → publish
//! → the public page; an adjustment's difference and 调整对照表; two reviewers at once; the form
//! token; an editor's forged approval.

mod support;

use landplan_core::compile::PlanKind;
use landplan_server::auth::AuthSettings;
use landplan_store::{ImportOptions, PlanKey, PlanStatus, Store};
use support::*;

const PLAN: &str = "/console/plans/330102/2025/supply";

fn key(year: i32) -> PlanKey {
    PlanKey {
        region: OWN.into(),
        year,
        kind: PlanKind::Supply,
    }
}

/// The value of the hidden field `field` in the form posting to `action`.
fn hidden(html: &str, action: &str, field: &str) -> Option<String> {
    let at = html.find(&format!("action=\"{action}\""))?;
    let form = &html[at..at + html[at..].find("</form>")?];
    let f = form.find(&format!("name=\"{field}\""))?;
    let rest = &form[f..];
    let v = rest.find("value=\"")? + 7;
    let end = rest[v..].find('"')?;
    Some(rest[v..v + end].to_string())
}

/// Post the step form of `action` on the page as `who` last loaded it, with `reason`.
fn step(who: &Client, page: &str, action: &str, reason: &str) -> Answer {
    step_with(who, page, action, reason, &[])
}

/// [`step`] with more fields.
fn step_with(
    who: &Client,
    page: &str,
    action: &str,
    reason: &str,
    more: &[(&str, &str)],
) -> Answer {
    let path = format!("{PLAN}/{action}");
    // Approve and return share one form (two buttons); its action is approve.
    let form_action = if action == "return" {
        format!("{PLAN}/approve")
    } else {
        path.clone()
    };
    let version = hidden(page, &form_action, "version")
        .unwrap_or_else(|| panic!("no {action} form on the page:\n{page}"));
    let status = hidden(page, &form_action, "status").unwrap();
    let csrf = hidden(page, &form_action, "_csrf").unwrap();
    let mut fields = vec![
        ("_csrf", csrf.as_str()),
        ("version", version.as_str()),
        ("status", status.as_str()),
        ("reason", reason),
    ];
    fields.extend_from_slice(more);
    who.post_urlencoded(&path, &fields)
}

/// The 待我处理 section of a workspace page.
fn waiting(html: &str) -> &str {
    let at = html.find("id=\"waiting-h\"").expect("a 待我处理 section");
    &html[at..at + html[at..].find("</section>").unwrap()]
}

fn login(server: &Server, name: &str) -> Client {
    Client::console_login(&server.base, name, &password(name))
}

fn status(s: &Store, year: i32) -> PlanStatus {
    let admin = s.actor("admin").unwrap();
    s.current_version(&admin, &key(year)).unwrap().status
}

#[test]
fn the_workspace_lists_what_waits_for_each_role() {
    let dir = tempfile::tempdir().unwrap();
    let s = new_store(dir.path().join("ws.gpkg").to_str().unwrap());
    plan_in(&s, dir.path(), OWN, 2023, "draft");
    plan_in(&s, dir.path(), OWN, 2024, "approved");
    plan_in(&s, dir.path(), OWN, 2025, "submitted");
    plan_in(&s, dir.path(), OTHER, 2025, "submitted");
    add_accounts(&s);
    let server = Server::start(s, AuthSettings::default());

    let page = login(&server, "reviewer-own").get("/console");
    let w = waiting(&page.text);
    assert!(w.contains("/console/plans/330102/2025/supply"), "{w}");
    assert!(w.contains("待审核"), "{w}");
    assert!(
        !w.contains("2024/supply") && !w.contains("2023/supply"),
        "{w}"
    );
    // The other county's submitted plan is not this reviewer's.
    assert!(!page.text.contains("330103"), "{}", page.text);
    assert!(page.text.contains("甲县"), "region names: {}", page.text);

    let page = login(&server, "publisher-own").get("/console");
    let w = waiting(&page.text);
    assert!(w.contains("2024/supply") && w.contains("待公布"), "{w}");
    assert!(!w.contains("2025/supply"), "{w}");

    let page = login(&server, "editor-own").get("/console");
    let w = waiting(&page.text);
    assert!(w.contains("2023/supply") && w.contains("待提交"), "{w}");
    assert!(!w.contains("2025/supply"), "{w}");

    // A prefecture reviewer waits on both counties' submissions.
    let page = login(&server, "reviewer-parent").get("/console");
    let w = waiting(&page.text);
    assert!(
        w.contains("330102/2025") && w.contains("330103/2025"),
        "{w}"
    );

    // The filter: one year, one status.
    let editor = login(&server, "editor-own");
    let page = editor.get("/console?year=2024&status=");
    assert!(page.text.contains("2024/supply"), "{}", page.text);
    assert!(
        !page.text.contains("330102/2023/supply\">"),
        "{}",
        page.text
    );
    let page = editor.get("/console?status=approved");
    assert!(page.text.contains("计划（1）"), "{}", page.text);
    // Recent activity names who took the last step.
    assert!(page.text.contains("最近动态"), "{}", page.text);
    assert!(page.text.contains("测试员"), "{}", page.text);
}

#[test]
fn a_plan_goes_from_draft_to_the_public_site_with_a_returned_remark_on_the_way() {
    let dir = tempfile::tempdir().unwrap();
    let s = new_store(dir.path().join("loop.gpkg").to_str().unwrap());
    plan_in(&s, dir.path(), OWN, 2025, "draft");
    add_accounts(&s);
    let store = s.clone();
    let server = Server::start(s, AuthSettings::default());
    let (editor, reviewer, publisher) = (
        login(&server, "editor-own"),
        login(&server, "reviewer-own"),
        login(&server, "publisher-own"),
    );

    let page = editor.get(PLAN);
    assert_eq!(page.status, 200, "{}", page.text);
    let a = step(&editor, &page.text, "submit", "第一稿");
    assert_eq!(a.status, 303, "{}", a.text);
    assert_eq!(a.location.as_deref(), Some(&*format!("{PLAN}?done=submit")));
    assert_eq!(status(&store, 2025), PlanStatus::Submitted);

    // Returning needs a remark: refused, the page says so, nothing changes.
    let page = reviewer.get(PLAN);
    let a = step(&reviewer, &page.text, "return", "  ");
    assert_eq!(a.status, 422, "{}", a.text);
    assert!(a.text.contains("role=\"alert\""), "{}", a.text);
    assert!(a.text.contains("理由"), "{}", a.text);
    assert_eq!(status(&store, 2025), PlanStatus::Submitted);
    let remark = "T-003 面积与批复不符，请核实后重报";
    let a = step(&reviewer, &page.text, "return", remark);
    assert_eq!(a.status, 303, "{}", a.text);

    // The editor sees the remark, prominently, and the plan as returned.
    let page = editor.get(PLAN);
    assert!(page.text.contains("审核意见"), "{}", page.text);
    assert!(page.text.contains(remark), "{}", page.text);
    assert!(page.text.contains("已退回"), "{}", page.text);
    let ws = editor.get("/console");
    assert!(waiting(&ws.text).contains("已退回"), "{}", ws.text);

    let a = step(&editor, &page.text, "submit", "已核实");
    assert_eq!(a.status, 303, "{}", a.text);
    let page = reviewer.get(PLAN);
    let a = step(&reviewer, &page.text, "approve", "同意");
    assert_eq!(a.status, 303, "{}", a.text);
    let page = publisher.get(PLAN);
    assert!(page.text.contains("name=\"doc_number\""), "{}", page.text);
    let a = step_with(
        &publisher,
        &page.text,
        "publish",
        "",
        &[("doc_number", "甲自然资发〔2025〕3号")],
    );
    assert_eq!(a.status, 303, "{}", a.text);
    assert_eq!(status(&store, 2025), PlanStatus::Published);

    // On the public site, with its 文号.
    let public = Client::anonymous(&server.base).get("/plans/330102/2025/supply");
    assert_eq!(public.status, 200, "{}", public.text);
    assert!(public.text.contains("T-003"), "{}", public.text);
    assert!(
        public.text.contains("甲自然资发〔2025〕3号"),
        "{}",
        public.text
    );

    // An adjustment from a new import: T-003 enlarged.
    let ledger = ledger().replace(
        "T-003,河口乡园区,河口乡,3.0000",
        "T-003,河口乡园区,河口乡,3.5000",
    );
    let p = dir.path().join("v2.csv");
    std::fs::write(&p, ledger).unwrap();
    store
        .import_files(
            &store.actor("editor-own").unwrap(),
            &[p],
            None,
            &ImportOptions {
                region: OWN.into(),
                region_name: None,
                year: 2025,
                kind: PlanKind::Supply,
                strict: false,
                skip_bad_rows: false,
            },
        )
        .unwrap();
    let page = publisher.get(PLAN);
    let a = step(&publisher, &page.text, "adjust", "河口乡园区扩大");
    assert_eq!(a.status, 303, "{}", a.text);
    assert_eq!(status(&store, 2025), PlanStatus::Adjusting);

    // The new version's difference from the published one: the changed parcel, in tables.
    let v2 = editor.get(&format!("{PLAN}/versions/2"));
    assert_eq!(v2.status, 200, "{}", v2.text);
    assert!(v2.text.contains("与已公布的第 1 版相比"), "{}", v2.text);
    let changed = &v2.text[v2.text.find("变更的地块").expect("changed parcels")..];
    assert!(
        changed.contains("T-003") && changed.contains("面积"),
        "{changed}"
    );
    assert!(v2.text.contains("河口乡"), "{}", v2.text);
    assert!(
        v2.text.contains("+0.50"),
        "the township's change: {}",
        v2.text
    );
    assert!(v2.text.contains("/versions/2/compiled"), "{}", v2.text);
    // What the compiler found in the version's parcels is on the page too.
    assert!(v2.text.contains("编制检查"), "{}", v2.text);
    // Its 调整对照表, shown and downloadable.
    assert!(v2.text.contains("调整对照表"), "{}", v2.text);
    assert!(v2.text.contains("河口乡园区扩大"), "{}", v2.text);
    let x = editor.get(&format!("{PLAN}/versions/2/adjustment.xlsx"));
    assert_eq!(x.status, 200, "{}", x.text);
    // The first version was not adjusted: it has none.
    let x = editor.get(&format!("{PLAN}/versions/1/adjustment.xlsx"));
    assert_eq!(x.status, 404);
}

#[test]
fn the_second_of_two_reviewers_is_told_and_nothing_changes() {
    let dir = tempfile::tempdir().unwrap();
    let s = new_store(dir.path().join("two.gpkg").to_str().unwrap());
    plan_in(&s, dir.path(), OWN, 2025, "submitted");
    add_accounts(&s);
    let store = s.clone();
    let server = Server::start(s, AuthSettings::default());
    let (first, second) = (
        login(&server, "reviewer-own"),
        login(&server, "reviewer-parent"),
    );
    // Both open the submitted version.
    let p1 = first.get(PLAN);
    let p2 = second.get(PLAN);
    let a = step(&first, &p1.text, "approve", "同意");
    assert_eq!(a.status, 303, "{}", a.text);
    let steps = store
        .events(&store.actor("admin").unwrap(), &key(2025))
        .unwrap()
        .len();

    let remark = "地块 T-002 用途有误";
    let a = step(&second, &p2.text, "return", remark);
    assert_eq!(a.status, 409, "{}", a.text);
    assert!(
        a.text.contains("reviewer-own"),
        "who acted first: {}",
        a.text
    );
    assert!(a.text.contains("已批准"), "{}", a.text);
    assert!(a.text.contains("请刷新后再看"), "{}", a.text);
    assert!(a.text.contains("role=\"alert\""), "{}", a.text);
    // Nothing lost: what was typed is on the page.
    assert!(a.text.contains(remark), "{}", a.text);
    // Nothing changed.
    assert_eq!(status(&store, 2025), PlanStatus::Approved);
    assert_eq!(
        store
            .events(&store.actor("admin").unwrap(), &key(2025))
            .unwrap()
            .len(),
        steps
    );
}

#[test]
fn a_step_without_the_form_token_or_the_role_is_refused_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let s = new_store(dir.path().join("csrf.gpkg").to_str().unwrap());
    plan_in(&s, dir.path(), OWN, 2025, "submitted");
    add_accounts(&s);
    let store = s.clone();
    let server = Server::start(s, AuthSettings::default());
    let reviewer = login(&server, "reviewer-own");

    // No token.
    let a = reviewer.post_urlencoded(
        &format!("{PLAN}/approve"),
        &[("version", "1"), ("status", "submitted"), ("reason", "")],
    );
    assert_eq!(a.status, 403, "{}", a.text);
    // A wrong one.
    let a = reviewer.post_urlencoded(
        &format!("{PLAN}/approve"),
        &[
            ("_csrf", "guess"),
            ("version", "1"),
            ("status", "submitted"),
        ],
    );
    assert_eq!(a.status, 403, "{}", a.text);
    assert_eq!(status(&store, 2025), PlanStatus::Submitted);

    // An editor sees no approval form, and a forged one is refused by the store.
    let editor = login(&server, "editor-own");
    let page = editor.get(PLAN);
    assert_eq!(page.status, 200);
    assert!(
        !page.text.contains(&format!("{PLAN}/approve")),
        "{}",
        page.text
    );
    assert!(
        !page.text.contains(&format!("{PLAN}/return")),
        "{}",
        page.text
    );
    let token = editor.csrf.clone().unwrap();
    let a = editor.post_urlencoded(
        &format!("{PLAN}/approve"),
        &[("_csrf", &token), ("version", "1"), ("status", "submitted")],
    );
    assert_eq!(a.status, 403, "{}", a.text);
    assert!(a.text.contains("审核"), "{}", a.text);
    assert_eq!(status(&store, 2025), PlanStatus::Submitted);

    // Another county's editor may not even know the plan.
    let other = login(&server, "editor-other");
    assert_eq!(other.get(PLAN).status, 404);
}

#[test]
fn a_step_the_account_may_not_take_is_refused_for_the_role_whatever_was_typed() {
    let dir = tempfile::tempdir().unwrap();
    let s = new_store(dir.path().join("roles.gpkg").to_str().unwrap());
    plan_in(&s, dir.path(), OWN, 2025, "approved");
    add_accounts(&s);
    let store = s.clone();
    let server = Server::start(s, AuthSettings::default());
    // The reviewer sees the plan but may not publish it: a forged publish form with a 文号
    // that is too long and a remark with a control character is a 403 about the role.
    let reviewer = login(&server, "reviewer-own");
    let token = reviewer.csrf.clone().unwrap();
    let long = "号".repeat(101);
    let a = reviewer.post_urlencoded(
        &format!("{PLAN}/publish"),
        &[
            ("_csrf", &token),
            ("version", "1"),
            ("status", "approved"),
            ("reason", "公布\u{7}"),
            ("doc_number", &long),
        ],
    );
    assert_eq!(a.status, 403, "{}", a.text);
    assert!(a.text.contains("发布"), "{}", a.text);
    assert!(!a.text.contains("文号过长"), "{}", a.text);
    assert_eq!(status(&store, 2025), PlanStatus::Approved);
    // The publisher sending the same is told what is wrong with it.
    let publisher = login(&server, "publisher-own");
    let page = publisher.get(PLAN);
    let a = step_with(
        &publisher,
        &page.text,
        "publish",
        "",
        &[("doc_number", &long)],
    );
    assert_eq!(a.status, 422, "{}", a.text);
    assert!(a.text.contains("文号过长"), "{}", a.text);
    let a = step(&publisher, &page.text, "publish", "公布\u{7}");
    assert_eq!(a.status, 422, "{}", a.text);
    assert!(a.text.contains("理由或意见不能含控制字符"), "{}", a.text);
    assert_eq!(status(&store, 2025), PlanStatus::Approved);
}

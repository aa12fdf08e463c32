//! What the API tests share: a server on a real socket (127.0.0.1, a free port) over a store,
//! an HTTP client that keeps its session cookie and CSRF token, and a store with plans in
//! every state.
#![allow(dead_code)]

use landplan_server::auth::AuthSettings;
use landplan_server::AppState;
use landplan_store::{Actor, Grant, ImportOptions, InitOptions, PlanAction, PlanKey, Role, Store};
use serde_json::Value;
use std::path::Path;

/// A server running in its own thread until dropped.
pub struct Server {
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    stop: Option<std::sync::mpsc::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Server {
    /// Serve `store` with `settings`.
    pub fn start(store: Store, settings: AuthSettings) -> Server {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let (stop, stopped) = std::sync::mpsc::channel::<()>();
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener).unwrap();
                let shutdown = async move {
                    let _ = tokio::task::spawn_blocking(move || stopped.recv()).await;
                };
                landplan_server::serve(listener, AppState::with_auth(store, settings), shutdown)
                    .await
                    .unwrap();
            });
        });
        Server {
            base,
            stop: Some(stop),
            thread: Some(thread),
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        drop(self.stop.take());
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// An answer: status, headers we look at, body as JSON (Null when it is not JSON).
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub body: Value,
    pub text: String,
    pub set_cookie: Vec<String>,
    pub retry_after: Option<String>,
    pub location: Option<String>,
}

/// A client: anonymous, signed in (cookie + CSRF token), or with a bearer token.
#[derive(Clone)]
pub struct Client {
    agent: ureq::Agent,
    pub base: String,
    pub cookie: Option<String>,
    pub csrf: Option<String>,
    pub bearer: Option<String>,
}

fn answer(r: Result<ureq::http::Response<ureq::Body>, ureq::Error>) -> Answer {
    let mut r = r.expect("the server answers");
    let status = r.status().as_u16();
    let set_cookie = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok().map(str::to_string))
        .collect();
    let retry_after = r
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok().map(str::to_string));
    let location = r
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok().map(str::to_string));
    let text = r.body_mut().read_to_string().unwrap_or_default();
    Answer {
        status,
        body: serde_json::from_str(&text).unwrap_or(Value::Null),
        text,
        set_cookie,
        retry_after,
        location,
    }
}

impl Client {
    /// An anonymous client of the server at `base`.
    pub fn anonymous(base: &str) -> Client {
        Client {
            agent: ureq::Agent::config_builder()
                .http_status_as_error(false)
                // Redirects are answers the tests look at (the console's sign-in sends one).
                .max_redirects(0)
                .build()
                .new_agent(),
            base: base.to_string(),
            cookie: None,
            csrf: None,
            bearer: None,
        }
    }

    /// A client with a bearer token.
    pub fn with_token(base: &str, token: &str) -> Client {
        Client {
            bearer: Some(token.to_string()),
            ..Client::anonymous(base)
        }
    }

    /// Sign in; panics unless it succeeds.
    pub fn login(base: &str, name: &str, password: &str) -> Client {
        let mut c = Client::anonymous(base);
        let a = c.post_raw(
            "/api/login",
            Some("application/json"),
            serde_json::json!({ "name": name, "password": password }).to_string(),
            false,
        );
        assert_eq!(a.status, 200, "login {name}: {}", a.text);
        let cookie = a
            .set_cookie
            .iter()
            .find(|c| c.starts_with("landplan_session="))
            .expect("a session cookie");
        c.cookie = Some(cookie.split(';').next().unwrap().to_string());
        c.csrf = Some(a.body["csrf_token"].as_str().unwrap().to_string());
        c
    }

    fn auth<B>(&self, mut r: ureq::RequestBuilder<B>) -> ureq::RequestBuilder<B> {
        if let Some(c) = &self.cookie {
            r = r.header("Cookie", c);
        }
        if let Some(t) = &self.bearer {
            r = r.header("Authorization", &format!("Bearer {t}"));
        }
        r
    }

    /// GET `path`.
    pub fn get(&self, path: &str) -> Answer {
        answer(
            self.auth(self.agent.get(&format!("{}{path}", self.base)))
                .call(),
        )
    }

    /// POST a body with a content type, with the CSRF token when `csrf`.
    pub fn post_raw(
        &self,
        path: &str,
        content_type: Option<&str>,
        body: String,
        csrf: bool,
    ) -> Answer {
        let mut r = self.auth(self.agent.post(&format!("{}{path}", self.base)));
        if let Some(ct) = content_type {
            r = r.header("Content-Type", ct);
        }
        if csrf {
            if let Some(t) = &self.csrf {
                r = r.header("X-CSRF-Token", t);
            }
        }
        answer(r.send(body))
    }

    /// POST JSON with one more header.
    pub fn post_with_header(&self, path: &str, body: Value, name: &str, value: &str) -> Answer {
        let r = self
            .auth(self.agent.post(&format!("{}{path}", self.base)))
            .header("Content-Type", "application/json")
            .header(name, value);
        answer(r.send(body.to_string()))
    }

    /// POST JSON with the CSRF token (when signed in).
    pub fn post(&self, path: &str, body: Value) -> Answer {
        self.post_raw(path, Some("application/json"), body.to_string(), true)
    }

    /// POST JSON without the CSRF token.
    pub fn post_without_csrf(&self, path: &str, body: Value) -> Answer {
        self.post_raw(path, Some("application/json"), body.to_string(), false)
    }

    /// POST an HTML form (`application/x-www-form-urlencoded`), as a browser submits one;
    /// a console form carries its CSRF token itself (`_csrf`).
    pub fn post_urlencoded(&self, path: &str, fields: &[(&str, &str)]) -> Answer {
        let body = fields
            .iter()
            .map(|(k, v)| format!("{}={}", form_escape(k), form_escape(v)))
            .collect::<Vec<_>>()
            .join("&");
        self.post_raw(path, Some("application/x-www-form-urlencoded"), body, false)
    }

    /// Sign in through the console's form; panics unless it succeeds. The CSRF token is the
    /// one the console pages carry in their forms (read from the workspace page).
    pub fn console_login(base: &str, name: &str, password: &str) -> Client {
        let mut c = Client::anonymous(base);
        let a = c.post_urlencoded(
            "/console/login",
            &[("name", name), ("password", password), ("next", "/console")],
        );
        assert_eq!(a.status, 303, "console login {name}: {}", a.text);
        let cookie = a
            .set_cookie
            .iter()
            .find(|c| c.starts_with("landplan_session="))
            .expect("a session cookie");
        c.cookie = Some(cookie.split(';').next().unwrap().to_string());
        let page = c.get("/console");
        assert_eq!(page.status, 200, "{}", page.text);
        c.csrf = Some(form_token(&page.text).expect("the page's forms carry _csrf"));
        c
    }

    /// POST a multipart form: (name, file name or None, bytes).
    pub fn post_form(&self, path: &str, parts: &[(&str, Option<&str>, &[u8])]) -> Answer {
        let boundary = "landplan-test-boundary-7d3f";
        let mut body = Vec::new();
        for (name, file, bytes) in parts {
            body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
            match file {
                Some(f) => body.extend_from_slice(
                    format!(
                        "Content-Disposition: form-data; name=\"{name}\"; filename=\"{f}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
                    )
                    .as_bytes(),
                ),
                None => body.extend_from_slice(
                    format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n").as_bytes(),
                ),
            }
            body.extend_from_slice(bytes);
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
        let mut r = self
            .auth(self.agent.post(&format!("{}{path}", self.base)))
            .header(
                "Content-Type",
                &format!("multipart/form-data; boundary={boundary}"),
            );
        if let Some(t) = &self.csrf {
            r = r.header("X-CSRF-Token", t);
        }
        answer(r.send(&body[..]))
    }
}

/// A form value, percent-encoded (`application/x-www-form-urlencoded`).
pub fn form_escape(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b' ' => out.push('+'),
            b if b.is_ascii_alphanumeric() || b"-._*".contains(&b) => out.push(b as char),
            b => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// The `_csrf` value of the first form on a console page.
pub fn form_token(html: &str) -> Option<String> {
    let at = html.find("name=\"_csrf\"")?;
    let rest = &html[at..];
    let v = rest.find("value=\"")? + 7;
    let end = rest[v..].find('"')?;
    Some(rest[v..v + end].to_string())
}

/// A supply ledger of four parcels (written for these tests).
pub fn ledger() -> String {
    "地块编号,坐落,乡镇,面积（公顷）,用途,土地来源,供应方式,计划供应时间\r\n\
     T-001,城关镇北街,城关镇,1.2000,住宅用地,新增,挂牌出让,第二季度\r\n\
     T-002,城关镇西路,城关镇,0.8000,商服用地,存量,拍卖出让,第三季度\r\n\
     T-003,河口乡园区,河口乡,3.0000,工业用地,新增,挂牌出让,第一季度\r\n\
     T-004,河口乡学校,河口乡,0.5000,公共管理与公共服务用地,存量,划拨,第四季度\r\n"
        .to_string()
}

/// The county the tests act on, its sibling, its prefecture and province.
pub const OWN: &str = "330102";
pub const OTHER: &str = "330103";
pub const PARENT: &str = "330100";

/// A new store at `url` with its regions.
pub fn new_store(url: &str) -> Store {
    let op = Actor::local_operator("测试员");
    let s = Store::init(url, &InitOptions { srid: 4527 }, &op).unwrap();
    for (code, name) in [
        ("330000", "示例省"),
        (PARENT, "示例市"),
        (OWN, "甲县"),
        (OTHER, "乙县"),
    ] {
        s.ensure_region(&op, code, Some(name)).unwrap();
    }
    s
}

/// Import the test ledger for `region` and `year` as the local operator.
pub fn import(s: &Store, dir: &Path, region: &str, year: i32) -> i64 {
    let p = dir.join(format!("ledger-{region}-{year}.csv"));
    std::fs::write(&p, ledger()).unwrap();
    s.import_files(
        &Actor::local_operator("测试员"),
        &[p],
        None,
        &ImportOptions {
            region: region.into(),
            region_name: None,
            year,
            kind: landplan_core::compile::PlanKind::Supply,
            strict: false,
            skip_bad_rows: false,
        },
    )
    .unwrap()
    .import_id
}

/// A plan of `region` and `year` brought (as the local operator) to `status`: draft,
/// submitted, approved or published.
pub fn plan_in(s: &Store, dir: &Path, region: &str, year: i32, status: &str) -> PlanKey {
    let op = Actor::local_operator("测试员");
    import(s, dir, region, year);
    let key = PlanKey {
        region: region.into(),
        year,
        kind: landplan_core::compile::PlanKind::Supply,
    };
    s.create_plan(&op, &key, None, None).unwrap();
    let steps: &[PlanAction] = match status {
        "draft" => &[],
        "submitted" => &[PlanAction::Submit],
        "approved" => &[PlanAction::Submit, PlanAction::Approve],
        "published" => &[PlanAction::Submit, PlanAction::Approve, PlanAction::Publish],
        other => panic!("no such status {other}"),
    };
    for step in steps {
        s.transition(&op, &key, *step, None).unwrap();
    }
    key
}

/// Every role, with its id.
pub const ROLES: [(Role, &str); 4] = [
    (Role::Editor, "editor"),
    (Role::Reviewer, "reviewer"),
    (Role::Publisher, "publisher"),
    (Role::Admin, "admin"),
];

/// The password of a test account.
pub fn password(name: &str) -> String {
    format!("口令-{name}-2025")
}

/// Accounts: `admin` (管理 for the province; the first, added by the local operator), and one
/// per role × scope (`editor-own`, `editor-other`, `editor-parent` …), each with its password.
pub fn add_accounts(s: &Store) {
    s.add_account_with_password(
        &Actor::local_operator("测试员"),
        "admin",
        "省管理员",
        &[Grant::new(Role::Admin, "330000")],
        &password("admin"),
    )
    .unwrap();
    let admin = s.actor("admin").unwrap();
    for (role, id) in ROLES {
        for (scope, region) in [("own", OWN), ("other", OTHER), ("parent", PARENT)] {
            let name = format!("{id}-{scope}");
            s.add_account_with_password(
                &admin,
                &name,
                "",
                &[Grant::new(role, region)],
                &password(&name),
            )
            .unwrap();
        }
    }
}

// == console-import helpers ==

impl Client {
    /// GET `path`, its status and body bytes (a download).
    pub fn get_bytes(&self, path: &str) -> (u16, Vec<u8>) {
        let r = self
            .auth(self.agent.get(&format!("{}{path}", self.base)))
            .call();
        let mut r = r.expect("the server answers");
        let status = r.status().as_u16();
        let bytes = r.body_mut().read_to_vec().unwrap_or_default();
        (status, bytes)
    }
}

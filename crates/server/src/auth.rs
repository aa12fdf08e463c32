//! Who is calling: a web session (cookie + CSRF token), a bearer token, or nobody; and the
//! login rate limiter.
//!
//! - A session cookie (`landplan_session`, HttpOnly, SameSite=Strict, Secure when the request
//!   came over TLS) names a session the store keeps ([`landplan_store::credential`]); every
//!   state-changing request made with it carries the session's CSRF token in `X-CSRF-Token`.
//! - `Authorization: Bearer lp_…` names an API token (`landplan user token NAME`); such
//!   requests need no CSRF token (a browser never adds the header by itself).
//! - Without either, the caller is an anonymous visitor: it reads what is published. A cookie
//!   whose session has ended counts as none; a bearer token that is not valid is refused (401).
//!
//! The mapping to an [`Actor`] is all the server does: what the actor may do is the store's
//! decision. Failed logins are counted per account and per client address, in memory, in a
//! sliding window; past the limit a login is refused with 429 and `Retry-After` before the
//! password is even checked.

use crate::error::WebError;
use crate::AppState;
use axum::extract::ConnectInfo;
use axum::http::{header, HeaderMap, Method, Request};
use landplan_store::{Actor, Grant, Role, SessionLimits, Store, StoreError};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "landplan_session";
/// The header carrying the CSRF token.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// Sign-in settings.
#[derive(Debug, Clone)]
pub struct AuthSettings {
    /// How long sessions last.
    pub limits: SessionLimits,
    /// Failed logins allowed per account within `window`.
    pub max_failures_per_account: usize,
    /// Failed logins allowed per client address within `window`.
    pub max_failures_per_address: usize,
    /// The rate limit's window.
    pub window: Duration,
    /// The largest upload accepted by `POST /api/imports` (bytes, all parts together).
    pub max_upload_bytes: usize,
}

impl Default for AuthSettings {
    /// Sessions: 30 minutes idle, 12 hours at most; 5 failed logins per account and 20 per
    /// address in 15 minutes; uploads up to 50 MiB.
    fn default() -> Self {
        AuthSettings {
            limits: SessionLimits::default(),
            max_failures_per_account: 5,
            max_failures_per_address: 20,
            window: Duration::from_secs(15 * 60),
            max_upload_bytes: 50 * 1024 * 1024,
        }
    }
}

/// The settings and the rate limiter's memory.
#[derive(Debug)]
pub struct Auth {
    /// The settings.
    pub settings: AuthSettings,
    failures: Mutex<HashMap<String, Vec<Instant>>>,
}

impl Auth {
    /// A limiter with nothing counted yet.
    pub fn new(settings: AuthSettings) -> Auth {
        Auth {
            settings,
            failures: Mutex::new(HashMap::new()),
        }
    }

    fn keys(account: &str, addr: &str) -> [(String, usize); 2] {
        [
            (format!("account:{account}"), 0),
            (format!("address:{addr}"), 1),
        ]
    }

    /// Seconds to wait before the next attempt for this account or address, when either is
    /// past its limit.
    pub fn retry_after(&self, account: &str, addr: &str) -> Option<u64> {
        let now = Instant::now();
        let window = self.settings.window;
        let mut map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        let mut wait: Option<Duration> = None;
        for (key, which) in Auth::keys(account, addr) {
            let limit = if which == 0 {
                self.settings.max_failures_per_account
            } else {
                self.settings.max_failures_per_address
            };
            let Some(times) = map.get_mut(&key) else {
                continue;
            };
            times.retain(|t| now.duration_since(*t) < window);
            if times.len() >= limit {
                // Free again when the oldest failure counted leaves the window.
                let oldest = times[times.len() - limit];
                let w = window.saturating_sub(now.duration_since(oldest));
                wait = Some(wait.map_or(w, |x| x.max(w)));
            }
        }
        map.retain(|_, v| !v.is_empty());
        wait.map(|w| w.as_secs().max(1))
    }

    /// Count a failed login.
    pub fn failed(&self, account: &str, addr: &str) {
        let now = Instant::now();
        let mut map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        // Names tried once and never again would otherwise stay: past this many keys, forget
        // every failure that has left the window.
        if map.len() > 10_000 {
            let window = self.settings.window;
            map.retain(|_, times| {
                times.retain(|t| now.duration_since(*t) < window);
                !times.is_empty()
            });
        }
        for (key, _) in Auth::keys(account, addr) {
            map.entry(key).or_default().push(now);
        }
    }
}

/// How the caller proved who it is.
#[derive(Debug, Clone)]
pub enum Caller {
    /// Nobody: reads what is published.
    Anonymous,
    /// A web session, with its CSRF token and cookie value.
    Session {
        /// The account's actor.
        actor: Actor,
        /// The session's CSRF token.
        csrf_token: String,
        /// The cookie's value (the session id), to sign out.
        id: String,
    },
    /// A bearer token.
    Token {
        /// The token's account's actor.
        actor: Actor,
    },
}

impl Caller {
    /// The actor the store sees.
    pub fn actor(&self) -> Actor {
        match self {
            Caller::Anonymous => Actor::anonymous(),
            Caller::Session { actor, .. } | Caller::Token { actor } => actor.clone(),
        }
    }

    /// The actor for a state-changing request: 401 for an anonymous caller, 403 for a session
    /// whose request lacks the right CSRF token.
    pub fn acting(&self, headers: &HeaderMap) -> Result<Actor, WebError> {
        match self {
            Caller::Anonymous => Err(WebError::Unauthorized),
            Caller::Token { actor } => Ok(actor.clone()),
            Caller::Session {
                actor, csrf_token, ..
            } => {
                let given = headers
                    .get(CSRF_HEADER)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("");
                if constant_time_eq(given.as_bytes(), csrf_token.as_bytes()) {
                    Ok(actor.clone())
                } else {
                    Err(WebError::Forbidden(
                        "缺少或不正确的 X-CSRF-Token 请求头：登录后的修改请求须带上登录时返回的 csrf_token".into(),
                    ))
                }
            }
        }
    }
}

/// Equal bytes, compared in time that depends only on the length.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The value of the cookie `name`, if the request has it.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim().to_string())
}

/// The bearer token of the request: None without an `Authorization` header, Err when it is
/// there but not a bearer token.
fn bearer(headers: &HeaderMap) -> Result<Option<String>, WebError> {
    let Some(v) = headers.get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let v = v.to_str().map_err(|_| WebError::Unauthorized)?;
    match v.split_once(' ') {
        Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") => {
            Ok(Some(token.trim().to_string()))
        }
        _ => Err(WebError::Unauthorized),
    }
}

/// Who is calling (see the module's description).
pub async fn caller(state: &AppState, headers: &HeaderMap) -> Result<Caller, WebError> {
    if let Some(token) = bearer(headers)? {
        let actor = state.run(move |s| s.token_actor(&token)).await?;
        return Ok(Caller::Token { actor });
    }
    let Some(id) = cookie(headers, SESSION_COOKIE).filter(|c| !c.is_empty() && c.len() <= 128)
    else {
        return Ok(Caller::Anonymous);
    };
    let limits = state.auth.settings.limits;
    let key = id.clone();
    match state.run(move |s| s.web_session(&key, limits)).await? {
        Some(w) => Ok(Caller::Session {
            actor: w.actor,
            csrf_token: w.csrf_token,
            id,
        }),
        None => Ok(Caller::Anonymous),
    }
}

/// Whether the request came over TLS: its URI says https, or the proxy in front says so
/// (`X-Forwarded-Proto: https`).
pub fn is_tls<B>(req: &Request<B>) -> bool {
    req.uri().scheme_str() == Some("https") || forwarded_https(req.headers())
}

/// Whether a proxy says the request came over TLS.
pub fn forwarded_https(headers: &HeaderMap) -> bool {
    headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').next().unwrap_or("").trim() == "https")
}

/// The client's address (the peer of the connection), or `unknown` when the server was not
/// started with connection info.
pub fn client_address(connect: Option<&ConnectInfo<SocketAddr>>) -> String {
    connect.map_or_else(|| "unknown".to_string(), |c| c.0.ip().to_string())
}

/// The `Set-Cookie` value opening a session.
pub fn session_cookie(id: &str, max_age: Duration, secure: bool) -> String {
    format!(
        "{SESSION_COOKIE}={id}; Path=/; HttpOnly; SameSite=Strict; Max-Age={}{}",
        max_age.as_secs(),
        if secure { "; Secure" } else { "" }
    )
}

/// The `Set-Cookie` value ending a session.
pub fn clear_cookie(secure: bool) -> String {
    format!(
        "{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0{}",
        if secure { "; Secure" } else { "" }
    )
}

/// An account of the demo, with its password (shown once, at start).
#[derive(Clone, PartialEq, Eq)]
pub struct DemoAccount {
    /// The account's name.
    pub name: String,
    /// Its role for the demo county.
    pub role: Role,
    /// Its password (random).
    pub password: String,
}

/// Add one account per role for `county` to a store without accounts (the demo's), each with
/// a random password; the admin is added first by the local operator `operator`, the others
/// by the admin.
pub fn add_demo_accounts(
    store: &Store,
    operator: &str,
    county: &str,
) -> Result<Vec<DemoAccount>, StoreError> {
    let mut out = Vec::new();
    let mut by = Actor::local_operator(operator);
    for role in [Role::Admin, Role::Editor, Role::Reviewer, Role::Publisher] {
        let account = DemoAccount {
            name: format!("demo-{}", role.id()),
            role,
            password: landplan_store::credential::random_password()?,
        };
        store.add_account_with_password(
            &by,
            &account.name,
            &format!("示例县{}员", role.label()),
            &[Grant::new(role, county)],
            &account.password,
        )?;
        if role == Role::Admin {
            by = store.actor(&account.name)?;
        }
        out.push(account);
    }
    Ok(out)
}

/// Whether a method changes state (needs the CSRF token with a session).
pub fn changes_state(m: &Method) -> bool {
    !matches!(*m, Method::GET | Method::HEAD | Method::OPTIONS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn cookies_are_found_among_others() {
        let mut h = HeaderMap::new();
        h.insert(
            header::COOKIE,
            HeaderValue::from_static("a=1; landplan_session=abc ; b=2"),
        );
        assert_eq!(cookie(&h, SESSION_COOKIE).as_deref(), Some("abc"));
        assert_eq!(cookie(&h, "c"), None);
    }

    #[test]
    fn a_session_cookie_is_http_only_strict_and_secure_only_over_tls() {
        let c = session_cookie("x", Duration::from_secs(60), false);
        assert!(c.contains("HttpOnly") && c.contains("SameSite=Strict") && !c.contains("Secure"));
        assert!(session_cookie("x", Duration::from_secs(60), true).ends_with("; Secure"));
        let mut h = HeaderMap::new();
        h.insert("x-forwarded-proto", HeaderValue::from_static("https"));
        assert!(forwarded_https(&h));
    }

    #[test]
    fn failed_logins_past_the_limit_wait_per_account_and_per_address() {
        let auth = Auth::new(AuthSettings {
            max_failures_per_account: 2,
            max_failures_per_address: 3,
            ..AuthSettings::default()
        });
        assert_eq!(auth.retry_after("甲", "10.0.0.1"), None);
        auth.failed("甲", "10.0.0.1");
        auth.failed("甲", "10.0.0.2");
        // The account is at its limit from any address.
        assert!(auth.retry_after("甲", "10.0.0.9").is_some_and(|s| s > 0));
        // Another account from a fresh address is not.
        assert_eq!(auth.retry_after("乙", "10.0.0.9"), None);
        auth.failed("乙", "10.0.0.1");
        auth.failed("丙", "10.0.0.1");
        // 10.0.0.1 has three failures: any account from it waits.
        assert!(auth.retry_after("丁", "10.0.0.1").is_some());
        assert_eq!(auth.retry_after("丁", "10.0.0.3"), None);
    }

    #[test]
    fn the_demo_has_one_account_per_role_with_its_own_password() {
        let dir = tempfile::tempdir().unwrap();
        let url = dir.path().join("demo.gpkg");
        let store = Store::init(
            url.to_str().unwrap(),
            &landplan_store::InitOptions { srid: 4527 },
            &Actor::local_operator("演示"),
        )
        .unwrap();
        let accounts = add_demo_accounts(&store, "演示", "990101").unwrap();
        assert_eq!(accounts.len(), 4);
        for a in &accounts {
            let actor = store.verify_password(&a.name, &a.password).unwrap();
            assert_eq!(actor.grants(), [Grant::new(a.role, "990101")]);
        }
        assert_ne!(accounts[0].password, accounts[1].password);
    }

    #[test]
    fn csrf_tokens_are_compared_whole() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
    }
}

//! What signs an account in: passwords (argon2id), API tokens for scripts, and the web
//! server's sessions.
//!
//! - **Passwords** are hashed with argon2id (the `argon2` crate's defaults: 19 MiB, 2 passes,
//!   1 lane, a 16-byte random salt); the PHC string kept in `account.password_hash` records the
//!   parameters, so hashes made with other parameters keep verifying. Verification takes the
//!   same time whether the account exists, has a password or is disabled (a dummy hash is
//!   verified instead), and a disabled account never signs in. Setting a password is audited
//!   (`account.password`, without the hash) and ends the account's web sessions.
//! - **API tokens** (`lp_` + 64 hex digits, 256 random bits) are shown once when created; only
//!   their SHA-256 is kept (`api_token`). Creating and revoking one is audited
//!   (`account.token.create`, `account.token.revoke`, with the token's id and label, never the
//!   token or its hash) and sealed like every other row.
//! - **Web sessions** live in the store (`web_session`) so that several server processes on one
//!   database share them: a random id (only its SHA-256 is kept) handed to the browser as a
//!   cookie, a CSRF token, the account, and two limits — idle (since the last request) and
//!   absolute (since login). Signing in and out is audited (`account.login`,
//!   `account.logout`); sessions carry no plan data and are not sealed. A session ends at
//!   logout, when either limit passes, and when its account is disabled or its password
//!   changes.
//!
//! Who may: an account sets its own password and makes or revokes its own tokens; 管理 over
//! every region an account has a role for may do the same for it (as for the account's other
//! changes, [`crate::account`]).

use crate::access::Actor;
use crate::audit::sha256_hex;
use crate::db::Value;
use crate::error::StoreError;
use crate::session::Session;
use crate::Store;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use serde::Serialize;
use std::sync::OnceLock;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The shortest password accepted (characters).
pub const MIN_PASSWORD_CHARS: usize = 8;
/// The longest password accepted (bytes; bounds the hashing work a caller can ask for).
pub const MAX_PASSWORD_BYTES: usize = 1024;
/// What every API token starts with (so that a leaked one is recognisable in a scan).
pub const TOKEN_PREFIX: &str = "lp_";

/// `n` random bytes from the operating system, as lowercase hex.
fn random_hex(n: usize) -> Result<String, StoreError> {
    let mut buf = vec![0u8; n];
    getrandom::fill(&mut buf)
        .map_err(|e| StoreError::Corrupt(format!("无法取得系统随机数：{e}")))?;
    Ok(crate::audit::hex(&buf))
}

/// A new random password: 16 lowercase hex digits (64 bits), for accounts made by a program
/// (the demo's).
pub fn random_password() -> Result<String, StoreError> {
    random_hex(8)
}

/// Refuse a password that is too short, too long or has control characters.
pub fn check_password(password: &str) -> Result<(), StoreError> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(StoreError::Invalid(format!(
            "密码太短：至少 {MIN_PASSWORD_CHARS} 个字符"
        )));
    }
    if password.len() > MAX_PASSWORD_BYTES {
        return Err(StoreError::Invalid(format!(
            "密码太长：最多 {MAX_PASSWORD_BYTES} 字节"
        )));
    }
    if password.chars().any(char::is_control) {
        return Err(StoreError::Invalid(
            "密码不能含控制字符（如换行、制表符）".into(),
        ));
    }
    Ok(())
}

/// The argon2id PHC string of `password` with a new random salt.
pub fn hash_password(password: &str) -> Result<String, StoreError> {
    check_password(password)?;
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt)
        .map_err(|e| StoreError::Corrupt(format!("无法取得系统随机数：{e}")))?;
    let salt = SaltString::encode_b64(&salt)
        .map_err(|e| StoreError::Corrupt(format!("密码盐无法编码：{e}")))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| StoreError::Corrupt(format!("密码无法计算散列：{e}")))
}

/// Whether `password` matches the PHC string `hash` (any argon2 variant and parameters the
/// string names; a string that does not parse matches nothing).
pub fn password_matches(password: &str, hash: &str) -> bool {
    match PasswordHash::new(hash) {
        Ok(parsed) => Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

/// A hash verified when there is no real one, so that an unknown account takes as long to
/// refuse as a wrong password.
fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| {
        hash_password("landplan-dummy-password").unwrap_or_else(|_| {
            // Without randomness no hash can be made; verification then fails quickly, which
            // only matters when nothing can sign in anyway.
            String::new()
        })
    })
}

fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// How long a web session lasts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionLimits {
    /// Ends this long after its last request.
    pub idle: Duration,
    /// Ends this long after login, however active.
    pub absolute: Duration,
}

impl Default for SessionLimits {
    /// 30 minutes idle, 12 hours at most.
    fn default() -> Self {
        SessionLimits {
            idle: Duration::from_secs(30 * 60),
            absolute: Duration::from_secs(12 * 3600),
        }
    }
}

/// A session just opened: the secret id for the cookie (shown once, not kept) and its CSRF
/// token.
#[derive(Clone, PartialEq, Eq)]
pub struct NewWebSession {
    /// The session id for the cookie (only its SHA-256 is stored).
    pub id: String,
    /// The token every state-changing request of the session carries (`X-CSRF-Token`).
    pub csrf_token: String,
    /// The account signed in.
    pub account: String,
    /// When the session ends at the latest (Unix seconds).
    pub expires_unix: i64,
}

impl std::fmt::Debug for NewWebSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewWebSession")
            .field("account", &self.account)
            .field("expires_unix", &self.expires_unix)
            .finish_non_exhaustive()
    }
}

/// A live session, as a request finds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebSession {
    /// The account's actor (its grants as they are now).
    pub actor: Actor,
    /// The session's CSRF token.
    pub csrf_token: String,
}

/// A token just made: shown once.
#[derive(Clone, PartialEq, Eq)]
pub struct NewToken {
    /// Its id (to revoke it).
    pub id: i64,
    /// The token (only its SHA-256 is stored).
    pub token: String,
}

impl std::fmt::Debug for NewToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewToken")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

/// A token as listed (never the token itself).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TokenInfo {
    /// Its id.
    pub id: i64,
    /// The account it acts as.
    pub account: String,
    /// What it is for.
    pub label: String,
    /// When it was made (RFC 3339 UTC).
    pub created_at: String,
    /// When it was revoked, if it was.
    pub revoked_at: Option<String>,
}

impl Session<'_> {
    /// The id and password hash of an account, if it exists.
    fn account_secret(
        &mut self,
        name: &str,
    ) -> Result<Option<(i64, bool, Option<String>)>, StoreError> {
        let rows = self.db.query(
            "SELECT id, disabled, password_hash FROM account WHERE name = ?",
            &[name.into()],
        )?;
        Ok(rows.into_iter().next().map(|r| {
            (
                r[0].as_i64().unwrap_or(0),
                r[1].as_i64().unwrap_or(0) != 0,
                r[2].opt_text().filter(|h| !h.is_empty()),
            )
        }))
    }

    /// Refuse unless the actor is the account itself or holds 管理 over it.
    fn require_self_or_admin(&mut self, name: &str, action: &str) -> Result<(), StoreError> {
        if self.actor.is_account() && self.actor.name() == name {
            return Ok(());
        }
        let (_, account) = self.existing_account(name)?;
        self.require_admin_over(&account, action)
    }

    fn end_sessions_of(&mut self, account_id: i64) -> Result<(), StoreError> {
        if self.db.table_exists("web_session")? {
            self.db.exec(
                "DELETE FROM web_session WHERE account_id = ?",
                &[Value::Int(account_id)],
            )?;
        }
        Ok(())
    }

    /// Set (or replace) an account's password; ends its web sessions.
    pub(crate) fn set_password(&mut self, name: &str, password: &str) -> Result<(), StoreError> {
        let hash = hash_password(password)?;
        let action = format!("设置账户“{name}”的密码");
        self.write(|s| {
            s.require_self_or_admin(name, &action)?;
            let Some((id, _, before)) = s.account_secret(name)? else {
                return Err(StoreError::UnknownAccount(name.to_string()));
            };
            s.db.exec(
                "UPDATE account SET password_hash = ? WHERE id = ?",
                &[hash.into(), Value::Int(id)],
            )?;
            s.seal("account", id)?;
            s.end_sessions_of(id)?;
            s.append_audit(
                "account.password",
                &format!("account:{name}"),
                Some(serde_json::json!({ "has_password": before.is_some() })),
                Some(serde_json::json!({ "has_password": true })),
            )?;
            Ok(())
        })
    }

    /// Make a token for an account.
    pub(crate) fn create_token(&mut self, name: &str, label: &str) -> Result<NewToken, StoreError> {
        let label = label.trim();
        if label.chars().count() > 200 || label.chars().any(char::is_control) {
            return Err(StoreError::Invalid(
                "令牌说明最多 200 个字符，且不能含控制字符".into(),
            ));
        }
        let token = format!("{TOKEN_PREFIX}{}", random_hex(32)?);
        let digest = sha256_hex(token.as_bytes());
        let action = format!("为账户“{name}”生成接口令牌");
        self.write(|s| {
            s.require_self_or_admin(name, &action)?;
            let Some((account_id, disabled, _)) = s.account_secret(name)? else {
                return Err(StoreError::UnknownAccount(name.to_string()));
            };
            if disabled {
                return Err(StoreError::AccountDisabled(name.to_string()));
            }
            let id = s.one_int(
                "INSERT INTO api_token (account_id, token_sha256, label, created_at) VALUES (?, ?, ?, ?) RETURNING id",
                &[
                    Value::Int(account_id),
                    digest.into(),
                    label.into(),
                    crate::now_utc().into(),
                ],
            )?;
            s.seal("api_token", id)?;
            s.append_audit(
                "account.token.create",
                &format!("account:{name}"),
                None,
                Some(serde_json::json!({ "token_id": id, "label": label })),
            )?;
            Ok(NewToken { id, token })
        })
    }

    /// An account's tokens, oldest first.
    pub(crate) fn tokens(&mut self, name: &str) -> Result<Vec<TokenInfo>, StoreError> {
        self.require_self_or_admin(name, &format!("查看账户“{name}”的接口令牌"))?;
        let rows = self.db.query(
            "SELECT t.id, a.name, t.label, t.created_at, t.revoked_at FROM api_token t JOIN account a ON a.id = t.account_id WHERE a.name = ? ORDER BY t.id",
            &[name.into()],
        )?;
        Ok(rows
            .into_iter()
            .map(|r| TokenInfo {
                id: r[0].as_i64().unwrap_or(0),
                account: r[1].text(),
                label: r[2].text(),
                created_at: r[3].text(),
                revoked_at: r[4].opt_text(),
            })
            .collect())
    }

    /// Revoke one of an account's tokens (revoking a revoked one changes nothing).
    pub(crate) fn revoke_token(
        &mut self,
        name: &str,
        token_id: i64,
    ) -> Result<TokenInfo, StoreError> {
        let action = format!("吊销账户“{name}”的接口令牌 {token_id}");
        self.write(|s| {
            s.require_self_or_admin(name, &action)?;
            let found = s
                .tokens(name)?
                .into_iter()
                .find(|t| t.id == token_id)
                .ok_or_else(|| {
                    StoreError::NotFound(format!("账户“{name}”没有编号为 {token_id} 的接口令牌"))
                })?;
            if found.revoked_at.is_some() {
                return Ok(found);
            }
            let at = crate::now_utc();
            s.db.exec(
                "UPDATE api_token SET revoked_at = ? WHERE id = ?",
                &[at.clone().into(), Value::Int(token_id)],
            )?;
            s.seal("api_token", token_id)?;
            s.append_audit(
                "account.token.revoke",
                &format!("account:{name}"),
                Some(serde_json::json!({ "token_id": token_id, "label": found.label })),
                Some(serde_json::json!({ "token_id": token_id, "revoked_at": at })),
            )?;
            Ok(TokenInfo {
                revoked_at: Some(at),
                ..found
            })
        })
    }
}

/// Signing in and out.
impl Store {
    /// The actor of `name` when `password` is its password: [`StoreError::BadCredentials`] for
    /// an unknown account, an account without a password, a wrong password, and a disabled
    /// account (all after the same work, so that timing does not tell them apart).
    pub fn verify_password(&self, name: &str, password: &str) -> Result<Actor, StoreError> {
        let anonymous = Actor::anonymous();
        let mut s = self.raw_session(&anonymous)?;
        if password.len() > MAX_PASSWORD_BYTES {
            return Err(StoreError::BadCredentials);
        }
        let found = s.account_secret(name)?;
        let hash = found
            .as_ref()
            .and_then(|(_, _, h)| h.clone())
            .unwrap_or_else(|| dummy_hash().to_string());
        let ok = password_matches(password, &hash);
        match found {
            Some((_, false, Some(_))) if ok => s.actor_named(name),
            _ => Err(StoreError::BadCredentials),
        }
    }

    /// Set (or replace) an account's password (the account itself, or 管理 over it); ends
    /// the account's web sessions.
    pub fn set_password(
        &self,
        actor: &Actor,
        name: &str,
        password: &str,
    ) -> Result<(), StoreError> {
        self.session(actor)?.set_password(name, password)
    }

    /// Sign in: check the password ([`Store::verify_password`]) and open a web session.
    pub fn login(
        &self,
        name: &str,
        password: &str,
        limits: SessionLimits,
    ) -> Result<NewWebSession, StoreError> {
        let actor = self.verify_password(name, password)?;
        let id = random_hex(32)?;
        let csrf_token = random_hex(32)?;
        let now = unix_now();
        let expires_unix = now + limits.absolute.as_secs() as i64;
        let mut s = self.session(&actor)?;
        let digest = sha256_hex(id.as_bytes());
        let csrf = csrf_token.clone();
        s.write(|s| {
            let Some((account_id, _, _)) = s.account_secret(name)? else {
                return Err(StoreError::BadCredentials);
            };
            s.db.exec(
                "INSERT INTO web_session (id_sha256, account_id, csrf_token, created_unix, last_seen_unix, expires_unix) VALUES (?, ?, ?, ?, ?, ?)",
                &[
                    digest.into(),
                    Value::Int(account_id),
                    csrf.into(),
                    Value::Int(now),
                    Value::Int(now),
                    Value::Int(expires_unix),
                ],
            )?;
            s.append_audit("account.login", &format!("account:{name}"), None, None)?;
            Ok(())
        })?;
        Ok(NewWebSession {
            id,
            csrf_token,
            account: actor.name().to_string(),
            expires_unix,
        })
    }

    /// The live session of the cookie `id`, its last use moved to now; None when there is no
    /// such session, it has passed a limit (it is deleted then), or its account is disabled.
    pub fn web_session(
        &self,
        id: &str,
        limits: SessionLimits,
    ) -> Result<Option<WebSession>, StoreError> {
        let anonymous = Actor::anonymous();
        let mut s = self.raw_session(&anonymous)?;
        let digest = sha256_hex(id.as_bytes());
        let rows = s.db.query(
            "SELECT a.name, a.disabled, w.csrf_token, w.last_seen_unix, w.expires_unix FROM web_session w JOIN account a ON a.id = w.account_id WHERE w.id_sha256 = ?",
            &[digest.clone().into()],
        )?;
        let Some(r) = rows.into_iter().next() else {
            return Ok(None);
        };
        let now = unix_now();
        let disabled = r[1].as_i64().unwrap_or(0) != 0;
        let last_seen = r[3].as_i64().unwrap_or(0);
        let expires = r[4].as_i64().unwrap_or(0);
        if disabled || now >= expires || now - last_seen >= limits.idle.as_secs() as i64 {
            s.db.exec(
                "DELETE FROM web_session WHERE id_sha256 = ?",
                &[digest.into()],
            )?;
            return Ok(None);
        }
        // The last use is kept to the second; a request within the same second writes nothing.
        if now > last_seen {
            s.db.exec(
                "UPDATE web_session SET last_seen_unix = ? WHERE id_sha256 = ?",
                &[Value::Int(now), digest.into()],
            )?;
        }
        let actor = match s.actor_named(&r[0].text()) {
            Ok(a) => a,
            Err(StoreError::AccountDisabled(_) | StoreError::UnknownAccount(_)) => return Ok(None),
            Err(e) => return Err(e),
        };
        Ok(Some(WebSession {
            actor,
            csrf_token: r[2].text(),
        }))
    }

    /// Sign out: delete the session of the cookie `id` (audited under its account). Signing
    /// out of a session that is gone already changes nothing.
    pub fn logout(&self, id: &str) -> Result<(), StoreError> {
        let digest = sha256_hex(id.as_bytes());
        let anonymous = Actor::anonymous();
        let rows = self.raw_session(&anonymous)?.db.query(
            "SELECT a.name FROM web_session w JOIN account a ON a.id = w.account_id WHERE w.id_sha256 = ?",
            &[digest.clone().into()],
        )?;
        let Some(name) = rows.into_iter().next().map(|r| r[0].text()) else {
            return Ok(());
        };
        // The account acts on its own sessions even when disabled meanwhile.
        let actor = Actor::account(&name, Vec::new());
        let mut s = self.raw_session(&actor)?;
        s.write(|s| {
            s.db.exec(
                "DELETE FROM web_session WHERE id_sha256 = ?",
                &[digest.into()],
            )?;
            s.append_audit("account.logout", &format!("account:{name}"), None, None)?;
            Ok(())
        })
    }

    /// Make an API token for an account (the account itself, or 管理 over it); the token is
    /// in the answer only.
    pub fn create_token(
        &self,
        actor: &Actor,
        name: &str,
        label: &str,
    ) -> Result<NewToken, StoreError> {
        self.session(actor)?.create_token(name, label)
    }

    /// An account's tokens (never the tokens themselves).
    pub fn tokens(&self, actor: &Actor, name: &str) -> Result<Vec<TokenInfo>, StoreError> {
        self.session(actor)?.tokens(name)
    }

    /// Revoke a token of an account.
    pub fn revoke_token(
        &self,
        actor: &Actor,
        name: &str,
        token_id: i64,
    ) -> Result<TokenInfo, StoreError> {
        self.session(actor)?.revoke_token(name, token_id)
    }

    /// The actor of a bearer token: [`StoreError::BadCredentials`] for a token that is unknown
    /// or revoked, or whose account is disabled.
    pub fn token_actor(&self, token: &str) -> Result<Actor, StoreError> {
        if !token.starts_with(TOKEN_PREFIX) || token.len() > 200 {
            return Err(StoreError::BadCredentials);
        }
        let digest = sha256_hex(token.as_bytes());
        let anonymous = Actor::anonymous();
        let mut s = self.raw_session(&anonymous)?;
        let rows = s.db.query(
            "SELECT a.name FROM api_token t JOIN account a ON a.id = t.account_id WHERE t.token_sha256 = ? AND t.revoked_at IS NULL",
            &[digest.into()],
        )?;
        let Some(name) = rows.into_iter().next().map(|r| r[0].text()) else {
            return Err(StoreError::BadCredentials);
        };
        s.actor_named(&name).map_err(|e| match e {
            StoreError::AccountDisabled(_) | StoreError::UnknownAccount(_) => {
                StoreError::BadCredentials
            }
            e => e,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_hash_is_argon2id_with_its_parameters_and_matches_only_its_password() {
        let h = hash_password("正确的密码 horse").unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{h}");
        assert!(password_matches("正确的密码 horse", &h));
        assert!(!password_matches("正确的密码 horsE", &h));
        // A new salt each time.
        assert_ne!(h, hash_password("正确的密码 horse").unwrap());
        assert!(!password_matches("x", "not a phc string"));
    }

    #[test]
    fn passwords_too_short_too_long_or_with_control_characters_are_refused() {
        for bad in ["短密码", "1234567", "abc\ndefgh", &"x".repeat(1025)] {
            let e = check_password(bad).unwrap_err().to_string();
            assert!(e.contains("密码"), "{bad:?}: {e}");
        }
        assert!(check_password("八个汉字的密码啊").is_ok());
    }

    #[test]
    fn secrets_are_not_printed_by_debug() {
        let s = NewWebSession {
            id: "secret-id".into(),
            csrf_token: "secret-csrf".into(),
            account: "张三".into(),
            expires_unix: 1,
        };
        let d = format!("{s:?}");
        assert!(!d.contains("secret") && d.contains("张三"), "{d}");
        let t = NewToken {
            id: 3,
            token: "lp_secret".into(),
        };
        assert!(!format!("{t:?}").contains("secret"));
    }
}

//! Accounts: who may act on the store, with which roles for which regions.
//!
//! A store starts without accounts and is worked by its local operator (who holds every role).
//! The first account is added by that operator, with its grants in the same step (typically 管理
//! for the province); from then on every operation names an account ([`crate::Store::actor`]),
//! and the local operator is refused. Account changes need 管理 for the regions concerned and are
//! audited (`account.create`, `account.grant`, `account.revoke`, `account.disable`,
//! `account.enable`). Passwords, API tokens and web sessions: [`crate::credential`].

use crate::access::{Actor, Grant, Role};
use crate::db::Value;
use crate::error::StoreError;
use crate::region::classify;
use crate::session::Session;
use serde::Serialize;

/// An account as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Account {
    /// The name it acts under (unique; recorded in plan steps and audit entries).
    pub name: String,
    /// The name shown to people (姓名、科室).
    pub display_name: String,
    /// A disabled account may not act.
    pub disabled: bool,
    /// When it was added (RFC 3339 UTC).
    pub created_at: String,
    /// Whether it has a password (may sign in to the web server).
    pub has_password: bool,
    /// Its roles, by region.
    pub grants: Vec<Grant>,
}

impl Account {
    fn json(&self) -> serde_json::Value {
        serde_json::json!({
            "name": self.name,
            "display_name": self.display_name,
            "disabled": self.disabled,
            "has_password": self.has_password,
            "grants": self.grants,
        })
    }

    fn entity(&self) -> String {
        format!("account:{}", self.name)
    }
}

/// An account name: not empty, no surrounding spaces, no control characters, 64 characters
/// at most.
fn check_name(name: &str) -> Result<(), StoreError> {
    if name.trim().is_empty() {
        return Err(StoreError::Invalid("账户名不能为空".into()));
    }
    if name.trim() != name || name.chars().any(char::is_control) {
        return Err(StoreError::Invalid(format!(
            "账户名“{name}”不能以空格开头或结尾，也不能含控制字符"
        )));
    }
    if name.chars().count() > 64 {
        return Err(StoreError::Invalid(format!(
            "账户名“{name}”过长（最多 64 个字符）"
        )));
    }
    Ok(())
}

fn grant_label(g: &Grant) -> String {
    format!("行政区 {} 的“{}”角色", g.region, g.role.label())
}

impl Session<'_> {
    /// The account's id and row, if it exists.
    fn account_row(&mut self, name: &str) -> Result<Option<(i64, Account)>, StoreError> {
        let rows = self.db.query(
            "SELECT id, name, display_name, disabled, created_at, password_hash FROM account WHERE name = ?",
            &[name.into()],
        )?;
        let Some(r) = rows.into_iter().next() else {
            return Ok(None);
        };
        let id = r[0].as_i64().unwrap_or(0);
        let grants = self.grants_of(id)?;
        Ok(Some((
            id,
            Account {
                name: r[1].text(),
                display_name: r[2].text(),
                disabled: r[3].as_i64().unwrap_or(0) != 0,
                created_at: r[4].text(),
                has_password: r[5].opt_text().is_some_and(|h| !h.is_empty()),
                grants,
            },
        )))
    }

    fn grants_of(&mut self, account_id: i64) -> Result<Vec<Grant>, StoreError> {
        let mut out = Vec::new();
        for r in self.db.query(
            "SELECT role, region FROM account_grant WHERE account_id = ? ORDER BY region, role",
            &[Value::Int(account_id)],
        )? {
            let role = Role::parse(&r[0].text())
                .ok_or_else(|| StoreError::Corrupt(format!("未知的角色“{}”", r[0].text())))?;
            out.push(Grant {
                role,
                region: r[1].text(),
            });
        }
        out.sort();
        Ok(out)
    }

    pub(crate) fn existing_account(&mut self, name: &str) -> Result<(i64, Account), StoreError> {
        self.account_row(name)?
            .ok_or_else(|| StoreError::UnknownAccount(name.to_string()))
    }

    /// Refuse unless the actor holds 管理 for some region.
    fn require_some_admin(&mut self, action: &str) -> Result<(), StoreError> {
        if self.actor.holds_anywhere(Role::Admin) {
            return Ok(());
        }
        Err(StoreError::Forbidden {
            actor: self.actor.describe(),
            action: action.to_string(),
            reason: "需要某一行政区的“管理”角色".into(),
        })
    }

    /// Refuse unless the actor holds 管理 for every region the account has a role for (any
    /// region when it has none).
    pub(crate) fn require_admin_over(
        &mut self,
        account: &Account,
        action: &str,
    ) -> Result<(), StoreError> {
        if account.grants.is_empty() {
            return self.require_some_admin(action);
        }
        let mut regions: Vec<&str> = account.grants.iter().map(|g| g.region.as_str()).collect();
        regions.dedup();
        for r in regions {
            self.require(Role::Admin, r, action)?;
        }
        Ok(())
    }

    /// The actor of an enabled account.
    pub(crate) fn actor_named(&mut self, name: &str) -> Result<Actor, StoreError> {
        let (_, a) = self.existing_account(name)?;
        if a.disabled {
            return Err(StoreError::AccountDisabled(a.name));
        }
        Ok(Actor::account(&a.name, a.grants))
    }

    /// Every account, by name (needs 管理 for some region).
    pub(crate) fn accounts(&mut self) -> Result<Vec<Account>, StoreError> {
        self.require_some_admin("查看账户")?;
        let names: Vec<String> = self
            .db
            .query("SELECT name FROM account ORDER BY name", &[])?
            .into_iter()
            .map(|r| r[0].text())
            .collect();
        let mut out = Vec::with_capacity(names.len());
        for n in names {
            out.push(self.existing_account(&n)?.1);
        }
        Ok(out)
    }

    /// Add an account with its first grants, in one step (needs 管理 for each grant's region;
    /// some region when there is none).
    pub(crate) fn add_account(
        &mut self,
        name: &str,
        display_name: &str,
        grants: &[Grant],
        password: Option<&str>,
    ) -> Result<Account, StoreError> {
        check_name(name)?;
        let hash = password.map(crate::credential::hash_password).transpose()?;
        for g in grants {
            classify(&g.region).map_err(StoreError::Invalid)?;
        }
        let action = format!("添加账户“{name}”");
        self.write(|s| {
            if grants.is_empty() {
                s.require_some_admin(&action)?;
            }
            for g in grants {
                s.require(Role::Admin, &g.region, &action)?;
            }
            if s.account_row(name)?.is_some() {
                return Err(StoreError::Invalid(format!("账户“{name}”已存在")));
            }
            let created_at = crate::now_utc();
            let id = s.one_int(
                "INSERT INTO account (name, display_name, disabled, created_at, password_hash) VALUES (?, ?, 0, ?, ?) RETURNING id",
                &[
                    name.into(),
                    display_name.trim().into(),
                    created_at.into(),
                    hash.clone().map_or(Value::Null, Value::Text),
                ],
            )?;
            s.seal("account", id)?;
            let mut seen = Vec::new();
            for g in grants {
                if seen.contains(&g) {
                    continue;
                }
                seen.push(g);
                let gid = s.one_int(
                    "INSERT INTO account_grant (account_id, role, region) VALUES (?, ?, ?) RETURNING id",
                    &[Value::Int(id), g.role.id().into(), g.region.clone().into()],
                )?;
                s.seal("account_grant", gid)?;
            }
            let (_, account) = s.existing_account(name)?;
            s.append_audit("account.create", &account.entity(), None, Some(account.json()))?;
            Ok(account)
        })
    }

    /// Disable or enable an account (needs 管理 over every region it has a role for). Nobody
    /// disables their own account.
    pub(crate) fn set_disabled(
        &mut self,
        name: &str,
        disabled: bool,
    ) -> Result<Account, StoreError> {
        let verb = if disabled { "停用" } else { "启用" };
        self.write(|s| {
            let (id, before) = s.existing_account(name)?;
            s.require_admin_over(&before, &format!("{verb}账户“{name}”"))?;
            if disabled && s.actor.is_account() && s.actor.name() == name {
                return Err(StoreError::Invalid("不能停用自己的账户".into()));
            }
            if before.disabled == disabled {
                return Ok(before);
            }
            s.db.exec(
                "UPDATE account SET disabled = ? WHERE id = ?",
                &[Value::Int(disabled as i64), Value::Int(id)],
            )?;
            s.seal("account", id)?;
            if disabled && s.db.table_exists("web_session")? {
                s.db.exec(
                    "DELETE FROM web_session WHERE account_id = ?",
                    &[Value::Int(id)],
                )?;
            }
            if disabled {
                crate::staged::delete_of_account(&mut *s.db, id)?;
            }
            let after = Account {
                disabled,
                ..before.clone()
            };
            let action = if disabled {
                "account.disable"
            } else {
                "account.enable"
            };
            s.append_audit(
                action,
                &after.entity(),
                Some(before.json()),
                Some(after.json()),
            )?;
            Ok(after)
        })
    }

    /// Give an account a role for a region (needs 管理 for that region). Granting what it
    /// already has changes nothing.
    pub(crate) fn grant(&mut self, name: &str, grant: &Grant) -> Result<Account, StoreError> {
        classify(&grant.region).map_err(StoreError::Invalid)?;
        self.write(|s| {
            s.require(
                Role::Admin,
                &grant.region,
                &format!("授予账户“{name}”{}", grant_label(grant)),
            )?;
            let (id, before) = s.existing_account(name)?;
            if before.grants.contains(grant) {
                return Ok(before);
            }
            let gid = s.one_int(
                "INSERT INTO account_grant (account_id, role, region) VALUES (?, ?, ?) RETURNING id",
                &[
                    Value::Int(id),
                    grant.role.id().into(),
                    grant.region.clone().into(),
                ],
            )?;
            s.seal("account_grant", gid)?;
            let (_, after) = s.existing_account(name)?;
            s.append_audit(
                "account.grant",
                &after.entity(),
                Some(before.json()),
                Some(after.json()),
            )?;
            Ok(after)
        })
    }

    /// Take a role for a region away from an account (needs 管理 for that region).
    pub(crate) fn revoke(&mut self, name: &str, grant: &Grant) -> Result<Account, StoreError> {
        self.write(|s| {
            s.require(
                Role::Admin,
                &grant.region,
                &format!("收回账户“{name}”{}", grant_label(grant)),
            )?;
            let (id, before) = s.existing_account(name)?;
            if !before.grants.contains(grant) {
                return Err(StoreError::NotFound(format!(
                    "账户“{name}”没有{}",
                    grant_label(grant)
                )));
            }
            let gid = s.one_int(
                "SELECT id FROM account_grant WHERE account_id = ? AND role = ? AND region = ?",
                &[
                    Value::Int(id),
                    grant.role.id().into(),
                    grant.region.clone().into(),
                ],
            )?;
            s.db.exec("DELETE FROM account_grant WHERE id = ?", &[Value::Int(gid)])?;
            s.seal("account_grant", gid)?;
            let (_, after) = s.existing_account(name)?;
            s.append_audit(
                "account.revoke",
                &after.entity(),
                Some(before.json()),
                Some(after.json()),
            )?;
            Ok(after)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn account_names_are_checked() {
        assert!(check_name("张三").is_ok());
        assert!(check_name("zhang.san@示例县").is_ok());
        for bad in ["", "  ", " 张三", "张三 ", "张\t三"] {
            let e = check_name(bad).unwrap_err().to_string();
            assert!(e.contains("账户名"), "{bad:?}: {e}");
        }
        assert!(check_name(&"名".repeat(65)).is_err());
    }
}

//! Who may do what: roles, grants, the acting account ([`Actor`]) and the rules that decide.
//!
//! An account holds roles for regions; a role held for a region holds for it and everything
//! below it (province `XX0000` → prefecture `XXXX00` → county `XXXXXX` → township):
//!
//! | role | 中文 | may |
//! |---|---|---|
//! | [`Role::Editor`] | 编制 | import ledgers, compile plans (create versions), submit |
//! | [`Role::Reviewer`] | 审核 | approve or return a submitted version |
//! | [`Role::Publisher`] | 发布 | publish an approved version, adjust a published plan |
//! | [`Role::Admin`] | 管理 | manage accounts, regions, backups and the audit log |
//!
//! What an actor may *see*: a published version is public; any other version (a draft, a
//! submitted or approved version, an adjustment in progress) is visible only to actors holding
//! some role for the plan's region or a region above it. To anyone else such a plan does not
//! exist ([`crate::StoreError::NotFound`]); acting on a plan one may see without the role is
//! [`crate::StoreError::Forbidden`].
//!
//! The rules here are pure functions over a region's chain (the region, its parent, …, its
//! province), which the store builds from its region table ([`region_chain`]).

use crate::plan::PlanStatus;
use crate::region::classify;
use serde::Serialize;

/// A role an account holds for a region.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// 编制: imports, compiles (creates versions) and submits.
    Editor,
    /// 审核: approves or returns.
    Reviewer,
    /// 发布: publishes and adjusts.
    Publisher,
    /// 管理: manages accounts.
    Admin,
}

impl Role {
    /// Every role, in order.
    pub const ALL: [Role; 4] = [Role::Editor, Role::Reviewer, Role::Publisher, Role::Admin];

    /// Chinese label.
    pub fn label(self) -> &'static str {
        match self {
            Role::Editor => "编制",
            Role::Reviewer => "审核",
            Role::Publisher => "发布",
            Role::Admin => "管理",
        }
    }

    /// Stable id (stored in the database).
    pub fn id(self) -> &'static str {
        match self {
            Role::Editor => "editor",
            Role::Reviewer => "reviewer",
            Role::Publisher => "publisher",
            Role::Admin => "admin",
        }
    }

    /// Parse an id or a Chinese label.
    pub fn parse(s: &str) -> Option<Role> {
        let s = s.trim();
        Role::ALL
            .into_iter()
            .find(|r| r.id() == s || r.label() == s)
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.label())
    }
}

/// A role for a region (and everything below it).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Grant {
    /// The role.
    pub role: Role,
    /// The region's 行政区划代码.
    pub region: String,
}

impl Grant {
    /// A grant of `role` for `region`.
    pub fn new(role: Role, region: &str) -> Grant {
        Grant {
            role,
            region: region.to_string(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Anonymous,
    LocalOperator,
    Account,
}

/// Who is acting: an account of the store with its grants, the local operator of a store
/// without accounts, or an anonymous visitor.
///
/// An account's actor comes from [`crate::Store::actor`], which reads its grants; it is a
/// snapshot, so a long-running caller (a server) fetches it per request. The store checks at
/// every operation that the account still exists and is not disabled, and refuses the local
/// operator once the store has accounts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    name: String,
    grants: Vec<Grant>,
    kind: Kind,
}

impl Actor {
    /// An anonymous visitor: may read published versions, nothing else.
    pub fn anonymous() -> Actor {
        Actor {
            name: String::new(),
            grants: Vec::new(),
            kind: Kind::Anonymous,
        }
    }

    /// The operator of a store without accounts: holds every role for every region. Refused by
    /// a store that has accounts.
    pub fn local_operator(name: &str) -> Actor {
        Actor {
            name: name.trim().to_string(),
            grants: Vec::new(),
            kind: Kind::LocalOperator,
        }
    }

    /// An account with its grants (as read from the store).
    pub(crate) fn account(name: &str, grants: Vec<Grant>) -> Actor {
        Actor {
            name: name.to_string(),
            grants,
            kind: Kind::Account,
        }
    }

    /// The name recorded in plan steps and audit entries (empty for an anonymous visitor).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The account's grants (none for the local operator, who holds every role anyway).
    pub fn grants(&self) -> &[Grant] {
        &self.grants
    }

    /// Whether this is an anonymous visitor.
    pub fn is_anonymous(&self) -> bool {
        self.kind == Kind::Anonymous
    }

    /// Whether this is the local operator of a store without accounts.
    pub fn is_local_operator(&self) -> bool {
        self.kind == Kind::LocalOperator
    }

    /// Whether this is an account of the store.
    pub fn is_account(&self) -> bool {
        self.kind == Kind::Account
    }

    /// How messages name the actor: 账户“张三”, 本地操作员“张三”, 匿名访问者.
    pub fn describe(&self) -> String {
        match self.kind {
            Kind::Anonymous => "匿名访问者".to_string(),
            Kind::LocalOperator => format!("本地操作员“{}”", self.name),
            Kind::Account => format!("账户“{}”", self.name),
        }
    }

    /// Whether the actor holds `role` for the region whose chain (the region, its parent, …)
    /// is `chain`.
    pub fn holds(&self, role: Role, chain: &[String]) -> bool {
        match self.kind {
            Kind::Anonymous => false,
            Kind::LocalOperator => true,
            Kind::Account => self
                .grants
                .iter()
                .any(|g| g.role == role && chain.contains(&g.region)),
        }
    }

    /// Whether the actor holds some role for the region of `chain`.
    pub fn has_any_role(&self, chain: &[String]) -> bool {
        Role::ALL.into_iter().any(|r| self.holds(r, chain))
    }

    /// Whether the actor holds `role` for some region (any grant of it).
    pub fn holds_anywhere(&self, role: Role) -> bool {
        match self.kind {
            Kind::Anonymous => false,
            Kind::LocalOperator => true,
            Kind::Account => self.grants.iter().any(|g| g.role == role),
        }
    }

    /// Whether the actor may see a version with `status` of a plan of the region of `chain`:
    /// published versions are public, the others need some role for the region or above.
    pub fn may_see(&self, status: PlanStatus, chain: &[String]) -> bool {
        status == PlanStatus::Published || self.has_any_role(chain)
    }
}

/// The chain of `code`: the region itself, then its parent, up to the top. `parent_of` says
/// what the store's region table knows: `Some(parent)` for a registered region (its parent
/// link, `None` at the top), `None` for a code the table does not have, whose parent then
/// comes from the code itself (prefecture `XXXX00` of a county, province `XX0000` of a
/// prefecture, county of a township).
pub fn region_chain<E>(
    code: &str,
    mut parent_of: impl FnMut(&str) -> Result<Option<Option<String>>, E>,
) -> Result<Vec<String>, E> {
    let mut chain = vec![code.to_string()];
    // Six levels at most (12-digit township → … → province); the bound also stops a cycle in
    // a hand-edited region table.
    while chain.len() < 8 {
        let cur = chain.last().map(String::as_str).unwrap_or_default();
        let parent = match parent_of(cur)? {
            Some(linked) => linked,
            None => classify(cur).ok().and_then(|(_, p)| p),
        };
        match parent {
            Some(p) if !p.is_empty() && !chain.contains(&p) => chain.push(p),
            _ => break,
        }
    }
    Ok(chain)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;
    use std::convert::Infallible;

    /// The chain from the code alone (a region table that knows nothing).
    fn by_code(code: &str) -> Vec<String> {
        region_chain(code, |_| Ok::<_, Infallible>(None)).unwrap()
    }

    fn editor_of(region: &str) -> Actor {
        Actor::account("编制员", vec![Grant::new(Role::Editor, region)])
    }

    #[test]
    fn a_county_chain_climbs_to_its_prefecture_and_province_by_code() {
        assert_eq!(by_code("330102"), ["330102", "330100", "330000"]);
        assert_eq!(
            by_code("330102001"),
            ["330102001", "330102", "330100", "330000"]
        );
        assert_eq!(by_code("330000"), ["330000"]);
    }

    #[test]
    fn the_region_table_parent_link_wins_over_the_code() {
        // 省直辖县级行政单位: 429004 belongs directly to the province, not to a "429000".
        let table: HashMap<&str, Option<String>> =
            [("429004", Some("420000".to_string())), ("420000", None)].into();
        let chain = region_chain("429004", |c| Ok::<_, Infallible>(table.get(c).cloned())).unwrap();
        assert_eq!(chain, ["429004", "420000"]);
    }

    #[test]
    fn a_cycle_in_the_region_table_ends_the_chain() {
        let chain = region_chain("330102", |c| {
            Ok::<_, Infallible>(Some(Some(
                if c == "330102" { "330100" } else { "330102" }.into(),
            )))
        })
        .unwrap();
        assert_eq!(chain, ["330102", "330100"]);
    }

    #[test]
    fn a_role_holds_for_its_region_and_everything_below() {
        let pref = Actor::account("市审核员", vec![Grant::new(Role::Reviewer, "330100")]);
        assert!(pref.holds(Role::Reviewer, &by_code("330100")));
        assert!(pref.holds(Role::Reviewer, &by_code("330102")));
        assert!(pref.holds(Role::Reviewer, &by_code("330102001")));
        // Not above it, not beside it, not another role.
        assert!(!pref.holds(Role::Reviewer, &by_code("330000")));
        assert!(!pref.holds(Role::Reviewer, &by_code("330202")));
        assert!(!pref.holds(Role::Editor, &by_code("330102")));
    }

    #[test]
    fn a_county_editor_cannot_review_its_own_county() {
        let a = editor_of("330102");
        assert!(a.holds(Role::Editor, &by_code("330102")));
        assert!(!a.holds(Role::Reviewer, &by_code("330102")));
        assert!(!a.holds(Role::Publisher, &by_code("330102")));
        assert!(!a.holds(Role::Admin, &by_code("330102")));
    }

    #[test]
    fn drafts_are_visible_to_any_role_on_the_region_or_above_and_published_to_everyone() {
        let own = editor_of("330102");
        let other = editor_of("330103");
        let pref = Actor::account("市发布员", vec![Grant::new(Role::Publisher, "330100")]);
        let chain = by_code("330102");
        for status in [
            PlanStatus::Draft,
            PlanStatus::Submitted,
            PlanStatus::Approved,
            PlanStatus::Adjusting,
        ] {
            assert!(own.may_see(status, &chain), "{status:?}");
            assert!(pref.may_see(status, &chain), "{status:?}");
            assert!(!other.may_see(status, &chain), "{status:?}");
            assert!(!Actor::anonymous().may_see(status, &chain), "{status:?}");
        }
        for a in [&own, &other, &pref, &Actor::anonymous()] {
            assert!(a.may_see(PlanStatus::Published, &chain));
        }
    }

    #[test]
    fn the_local_operator_holds_everything_and_the_anonymous_visitor_nothing() {
        let op = Actor::local_operator(" 张三 ");
        assert_eq!(op.name(), "张三");
        let anon = Actor::anonymous();
        for r in Role::ALL {
            assert!(op.holds(r, &by_code("650102")));
            assert!(op.holds_anywhere(r));
            assert!(!anon.holds(r, &by_code("650102")));
            assert!(!anon.holds_anywhere(r));
        }
        assert_eq!(anon.describe(), "匿名访问者");
        assert_eq!(op.describe(), "本地操作员“张三”");
        assert_eq!(editor_of("330102").describe(), "账户“编制员”");
    }

    #[test]
    fn roles_parse_from_ids_and_chinese_labels() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.id()), Some(r));
            assert_eq!(Role::parse(r.label()), Some(r));
        }
        assert_eq!(Role::parse("审核"), Some(Role::Reviewer));
        assert_eq!(Role::parse("root"), None);
    }
}

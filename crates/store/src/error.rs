//! Errors of the store. Messages are shown to users, in Chinese, with the place and the reason.

use thiserror::Error;

/// Everything that can go wrong in the store.
#[derive(Debug, Error)]
pub enum StoreError {
    /// An unrecognised `--db` address.
    #[error(
        "无法识别的数据库地址“{0}”：应为 gpkg:路径、以 .gpkg 结尾的文件路径，或 postgres://… 地址"
    )]
    BadUrl(String),
    /// The store has not been created yet.
    #[error("数据库“{0}”尚未初始化")]
    NotInitialized(String),
    /// The store was made by a newer landplan.
    #[error("数据库“{url}”的结构版本为 {found}，高于本程序支持的 {supported}，请升级 landplan")]
    TooNew {
        /// The store address.
        url: String,
        /// The newest migration recorded in the store.
        found: i64,
        /// The newest migration this build knows.
        supported: i64,
    },
    /// Another process holds the write lock for too long.
    #[error("数据库正由另一个进程写入，等待超时；请待其完成后重试（{0}）")]
    Busy(String),
    /// A GeoPackage (SQLite) error: what went wrong with which file, in one Chinese sentence
    /// (see [`crate::gpkg::sqlite_error`]).
    #[error("数据库文件“{path}”{what}")]
    Sqlite {
        /// The file.
        path: String,
        /// What went wrong and what to do, in Chinese.
        what: String,
    },
    /// A PostgreSQL error, in one Chinese sentence with the database (see
    /// [`crate::pg::pg_error`]).
    #[error("PostgreSQL 数据库“{url}”{what}")]
    Postgres {
        /// The database URL without its password.
        url: String,
        /// What went wrong and what to do, in Chinese.
        what: String,
    },
    /// Something asked for does not exist, or the acting account may not know that it exists
    /// (another region's draft).
    #[error("{0}")]
    NotFound(String),
    /// The acting account may know the thing but may not do this to it.
    #[error("{actor}无权{action}：{reason}")]
    Forbidden {
        /// Who tried ([`crate::Actor::describe`]).
        actor: String,
        /// What, on which plan or region.
        action: String,
        /// Why not: the role and region it would need.
        reason: String,
    },
    /// The store has accounts: the local operator may no longer act; an account must.
    #[error("数据库已启用账户，须以其中一个账户的身份操作")]
    AccountRequired,
    /// No account of that name.
    #[error("数据库中没有名为“{0}”的账户")]
    UnknownAccount(String),
    /// The account is disabled.
    #[error("账户“{0}”已停用")]
    AccountDisabled(String),
    /// Sign-in refused: unknown account, no password, wrong password, disabled account or an
    /// unknown or revoked token (one message for all, so that it tells nothing).
    #[error("账户名或密码不正确，或令牌无效")]
    BadCredentials,
    /// A step that must say why was given no reason (退回, 调整).
    #[error("{0}计划必须说明理由")]
    ReasonRequired(String),
    /// A step asked for on the version a page showed, when the plan has moved on since
    /// (another account took a step first): who did what, when; nothing was changed.
    #[error("{0}")]
    Moved(String),
    /// A request the store refuses (invalid transition, bad code, missing reason …).
    #[error("{0}")]
    Invalid(String),
    /// A file could not be read or written.
    #[error("读写文件“{path}”失败：{}", landplan_core::text::io_reason(.error))]
    Io {
        /// The file.
        path: String,
        /// The cause (shown in Chinese; not chained, so it is said once).
        error: std::io::Error,
    },
    /// An input file's content is wrong (the place is in the message).
    #[error("{path}：{message}")]
    Input {
        /// The file.
        path: String,
        /// What is wrong, with line/row.
        message: String,
    },
    /// Ledger rows that could not be read: the import is refused whole unless the caller
    /// asked to skip them ([`crate::ImportOptions::skip_bad_rows`]).
    #[error("{path}：台账有 {rows} 行无法读取，整批未导入{}", first_rows(.first))]
    RowsUnreadable {
        /// The ledger file(s).
        path: String,
        /// How many rows.
        rows: i64,
        /// The first of them, each with its place and reason.
        first: Vec<String>,
    },
    /// Stored data that cannot be read back (corruption or a foreign table).
    #[error("数据库内容无法读取：{0}")]
    Corrupt(String),
}

/// The rows named in [`StoreError::RowsUnreadable`], one a line.
fn first_rows(first: &[String]) -> String {
    first.iter().map(|r| format!("\n  {r}")).collect()
}

impl From<serde_json::Error> for StoreError {
    fn from(e: serde_json::Error) -> Self {
        StoreError::Corrupt(format!("JSON 无法解析：{e}"))
    }
}

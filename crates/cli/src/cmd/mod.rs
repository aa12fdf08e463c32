//! One module per subcommand.

pub mod audit;
pub mod check;
pub mod compile;
pub mod export;
pub mod gen_ledger;
pub mod import;
pub mod init;
pub mod overlay;
pub mod plan;
pub mod render;
pub mod restore;
pub mod rollup;
pub mod rules;
pub mod store;
pub mod user;

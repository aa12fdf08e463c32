//! One module per subcommand.

pub mod check;
pub mod compile;
pub mod gen_ledger;
pub mod overlay;
pub mod render;
pub mod rules;

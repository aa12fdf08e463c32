//! The set-up the CLI's integration tests share, written once, so that each test file holds
//! only what it tests:
//!
//! - running the `landplan` binary: [`run`], [`ok`], [`fails`], [`refused`], or a [`Cli`] for a
//!   run in another directory, with standard input, or as on a machine without fonts; what it
//!   printed is read from the [`Ran`] (`ok()`, `stdout()`, `stderr()`, `json()`, …);
//! - a store to run it on: [`TestStore`] (a temp dir with a GeoPackage, or a fresh database on a
//!   throwaway PostgreSQL, optionally `landplan init`-ed), and [`on_gpkg`] / [`on_postgres`] for
//!   the tests that run one story on each backend;
//! - one county's plan of one year in a store: [`CountyPlan`] (its ledger import and its `plan`
//!   steps, as the local operator or as a named account), [`add_account`] for the accounts;
//! - [`monitor_json`], and the committed inputs [`demo`] (`data/demo/`) and [`io_data`]
//!   (`crates/io/tests/data/`).
//!
//! Each test file takes it with `mod common;`. The store tests' fixtures (`ledger_v1`,
//! `ledger_v2`, `geojson`, `square`, `write`) and the throwaway PostgreSQL (`Pg`, started by
//! `scripts/pg-test.sh`, or the server of `LANDPLAN_PG_URL`) come from
//! `crates/store/tests/common` and are re-exported here.
//!
//! Every run is made as the local operator [`OPERATOR`] (`USER=测试员`), so that the store's
//! audit log names the same user on every machine.
#![allow(dead_code)]

#[path = "../../../store/tests/common/mod.rs"]
mod store_fixtures;

#[allow(unused_imports)]
pub use store_fixtures::{geojson, ledger_v1, ledger_v2, square, write, Pg};

use serde_json::Value;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// The binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_landplan");

/// The local operator every run acts as (its `$USER`).
pub const OPERATOR: &str = "测试员";

/// A file of the demo county in `data/demo/`.
pub fn demo(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../data/demo")
        .join(name)
}

/// A ledger or document of the reader tests in `crates/io/tests/data/`.
pub fn io_data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../io/tests/data")
        .join(name)
}

/// A path as the command-line argument it is given as.
pub fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// How `landplan` is run: as [`OPERATOR`], optionally in another working directory, with
/// text on its standard input, or as on a machine without fonts.
#[derive(Default)]
pub struct Cli<'a> {
    dir: Option<&'a Path>,
    stdin: Option<&'a str>,
    no_fonts: Option<PathBuf>,
}

impl<'a> Cli<'a> {
    /// Run in the test's own working directory, with nothing on standard input.
    pub fn new() -> Self {
        Cli::default()
    }

    /// Run with `dir` as the working directory.
    pub fn in_dir(mut self, dir: &'a Path) -> Self {
        self.dir = Some(dir);
        self
    }

    /// Run with `text` piped to standard input.
    pub fn stdin(mut self, text: &'a str) -> Self {
        self.stdin = Some(text);
        self
    }

    /// Run as on a machine without fonts: fontconfig given a configuration with no font
    /// directory (written into `dir`), landplan's font database told to load no system font,
    /// no font named by `LANDPLAN_CJK_FONT`.
    pub fn without_fonts(mut self, dir: &Path) -> Self {
        let conf = dir.join("empty-fonts.conf");
        std::fs::write(
            &conf,
            "<?xml version=\"1.0\"?>\n<fontconfig></fontconfig>\n",
        )
        .unwrap();
        self.no_fonts = Some(conf);
        self
    }

    /// The command, not yet run (for tests that set more of it).
    pub fn command(&self) -> Command {
        let mut cmd = Command::new(BIN);
        cmd.env("USER", OPERATOR);
        if let Some(dir) = self.dir {
            cmd.current_dir(dir);
        }
        if let Some(conf) = &self.no_fonts {
            cmd.env("FONTCONFIG_FILE", conf)
                .env("LANDPLAN_NO_SYSTEM_FONTS", "1")
                .env_remove("LANDPLAN_CJK_FONT");
        }
        cmd
    }

    /// `landplan args…`, waited for.
    pub fn run<S: AsRef<str>>(&self, args: &[S]) -> Ran {
        let args: Vec<String> = args.iter().map(|a| a.as_ref().to_string()).collect();
        let mut cmd = self.command();
        cmd.args(&args);
        let out = match self.stdin {
            None => cmd.output().expect("run landplan"),
            Some(text) => {
                let mut child = cmd
                    .stdin(Stdio::piped())
                    .stdout(Stdio::piped())
                    .stderr(Stdio::piped())
                    .spawn()
                    .expect("run landplan");
                child
                    .stdin
                    .take()
                    .unwrap()
                    .write_all(text.as_bytes())
                    .unwrap();
                child.wait_with_output().unwrap()
            }
        };
        Ran { args, out }
    }
}

/// One finished run of `landplan`: its arguments and what it printed.
#[derive(Debug)]
pub struct Ran {
    args: Vec<String>,
    /// The process's output as it is.
    pub out: Output,
}

impl Ran {
    /// The exit code (None when ended by a signal).
    pub fn code(&self) -> Option<i32> {
        self.out.status.code()
    }

    /// Whether it exited 0.
    pub fn success(&self) -> bool {
        self.out.status.success()
    }

    /// Standard output as text, which must be UTF-8.
    pub fn stdout(&self) -> String {
        String::from_utf8(self.out.stdout.clone())
            .unwrap_or_else(|e| panic!("landplan {:?} printed no UTF-8 text: {e}", self.args))
    }

    /// Standard error as text.
    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.out.stderr).into_owned()
    }

    /// (exit code, or -1 when ended by a signal; standard output; standard error).
    pub fn outcome(&self) -> (i32, String, String) {
        (self.code().unwrap_or(-1), self.stdout(), self.stderr())
    }

    /// Standard output then standard error, as a user at a terminal reads them.
    pub fn text(&self) -> String {
        self.stdout() + &self.stderr()
    }

    /// Standard output read as JSON.
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.out.stdout).unwrap_or_else(|e| {
            panic!(
                "landplan {:?} printed no JSON ({e}):\n{}\n{}",
                self.args,
                self.stdout(),
                self.stderr()
            )
        })
    }

    /// Itself, after asserting that it exited 0 (else both streams are shown).
    pub fn ok(self) -> Self {
        assert!(
            self.success(),
            "landplan {:?} failed ({:?}):\n{}\n{}",
            self.args,
            self.code(),
            self.stdout(),
            self.stderr()
        );
        self
    }

    /// Itself, after asserting that it did not exit 0.
    pub fn failed(self) -> Self {
        assert!(!self.success(), "landplan {:?} should fail", self.args);
        self
    }

    /// Itself, after asserting that it was refused: exit code 2.
    pub fn refused(self) -> Self {
        assert_eq!(
            self.code(),
            Some(2),
            "landplan {:?} should be refused:\n{}\n{}",
            self.args,
            self.stdout(),
            self.stderr()
        );
        self
    }
}

/// `landplan args…` as the local operator.
pub fn run<S: AsRef<str>>(args: &[S]) -> Ran {
    Cli::new().run(args)
}

/// The standard output of `landplan args…`, which must succeed.
pub fn ok<S: AsRef<str>>(args: &[S]) -> String {
    run(args).ok().stdout()
}

/// The standard error of `landplan args…`, which must fail.
pub fn fails<S: AsRef<str>>(args: &[S]) -> String {
    run(args).failed().stderr()
}

/// The standard error of `landplan args…`, which must be refused (exit code 2).
pub fn refused<S: AsRef<str>>(args: &[S]) -> String {
    run(args).refused().stderr()
}

/// The JSON of `landplan monitor --format json --as-of AS_OF args…`, which exits 0, or 1 when
/// it finds red warnings (as the demo's records do).
pub fn monitor_json(as_of: &str, args: &[&str]) -> Value {
    let ran = run(&[&["monitor", "--format", "json", "--as-of", as_of][..], args].concat());
    assert!(
        matches!(ran.code(), Some(0 | 1)),
        "landplan {:?}: {:?}\n{}",
        ran.args,
        ran.code(),
        ran.stderr()
    );
    ran.json()
}

/// `landplan user add NAME --db DB --grant GRANT [--user BY]`: account `name` with one role
/// (`admin=330000`, `editor=330102`, …) added by account `by`, or by the local operator when
/// `by` is None (the store's first account); what it printed.
pub fn add_account(db: &str, name: &str, grant: &str, by: Option<&str>) -> String {
    let mut args = vec!["user", "add", name, "--db", db];
    if let Some(by) = by {
        args.extend(["--user", by]);
    }
    args.extend(["--grant", grant]);
    ok(&args)
}

/// A store for one test: a temp dir, and in it a GeoPackage or beside it a fresh database on a
/// throwaway PostgreSQL. Not initialised until [`TestStore::init`].
pub struct TestStore {
    dir: tempfile::TempDir,
    db: String,
    // Declared last: the server stops only after everything else is dropped.
    pg: Option<Pg>,
}

impl TestStore {
    /// A GeoPackage `name` in a new temp dir.
    pub fn gpkg(name: &str) -> TestStore {
        let dir = tempfile::tempdir().unwrap();
        let db = p(&dir.path().join(name)).to_string();
        TestStore { dir, db, pg: None }
    }

    /// A fresh database on a throwaway PostgreSQL, and a temp dir for the files; None (the
    /// test skips, with a printed line) when PostgreSQL is not installed and CI is unset.
    pub fn postgres() -> Option<TestStore> {
        let pg = Pg::start()?;
        let db = pg.fresh_db();
        Some(TestStore {
            dir: tempfile::tempdir().unwrap(),
            db,
            pg: Some(pg),
        })
    }

    /// `landplan init --db DB extra…`, which must succeed.
    pub fn init(self, extra: &[&str]) -> Self {
        ok(&[&["init", "--db", &self.db][..], extra].concat());
        self
    }

    /// The store's `--db`.
    pub fn db(&self) -> &str {
        &self.db
    }

    /// The temp dir for the test's files.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// The PostgreSQL server of a [`TestStore::postgres`] (for more databases on it).
    pub fn pg(&self) -> &Pg {
        self.pg.as_ref().expect("a PostgreSQL store")
    }
}

/// `test(db, dir)` on a GeoPackage `name` in a temp dir (not initialised).
pub fn on_gpkg(name: &str, test: impl FnOnce(&str, &Path)) {
    let store = TestStore::gpkg(name);
    test(store.db(), store.dir());
}

/// `test(db, dir)` on a fresh database of a throwaway PostgreSQL (not initialised); skipped,
/// with a printed line, when PostgreSQL is not installed and CI is unset.
pub fn on_postgres(test: impl FnOnce(&str, &Path)) {
    if let Some(store) = TestStore::postgres() {
        test(store.db(), store.dir());
    }
}

/// One county's plan of one year in a store, as `--db DB --region R --year Y` (and `--user U`
/// when it is worked on by a named account instead of the local operator).
#[derive(Clone, Copy)]
pub struct CountyPlan<'a> {
    pub db: &'a str,
    pub region: &'a str,
    pub year: &'a str,
    pub user: Option<&'a str>,
}

impl<'a> CountyPlan<'a> {
    /// The plan of `region` (a code, `代码=名称` or a name) for `year` in store `db`.
    pub fn new(db: &'a str, region: &'a str, year: &'a str) -> Self {
        CountyPlan {
            db,
            region,
            year,
            user: None,
        }
    }

    /// The same plan worked on by account `user`.
    pub fn by<'b>(self, user: &'b str) -> CountyPlan<'b>
    where
        'a: 'b,
    {
        CountyPlan {
            user: Some(user),
            ..self
        }
    }

    /// `cmd… --db DB --region R --year Y [--user U] extra…`.
    pub fn args<'b>(&self, cmd: &[&'b str], extra: &[&'b str]) -> Vec<&'b str>
    where
        'a: 'b,
    {
        let mut a = cmd.to_vec();
        a.extend([
            "--db",
            self.db,
            "--region",
            self.region,
            "--year",
            self.year,
        ]);
        if let Some(u) = self.user {
            a.extend(["--user", u]);
        }
        a.extend_from_slice(extra);
        a
    }

    /// `landplan plan STEP …` for this plan with `extra` arguments.
    pub fn step(&self, step: &str, extra: &[&str]) -> Ran {
        run(&self.args(&["plan", step], extra))
    }

    /// Each of `steps` (`create`, `submit`, `approve`, `publish`, …) in turn; each must succeed.
    pub fn steps(&self, steps: &[&str]) {
        for s in steps {
            self.step(s, &[]).ok();
        }
    }

    /// `landplan import FILES… --db DB --region R --year Y extra…`: a ledger (with its geometry
    /// files) imported for this plan.
    pub fn import(&self, files: &[&Path], extra: &[&str]) -> Ran {
        let mut cmd = vec!["import"];
        cmd.extend(files.iter().map(|f| p(f)));
        run(&self.args(&cmd, extra))
    }
}

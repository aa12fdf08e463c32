//! clap in Chinese: help pages with Chinese headings and usage errors told in Chinese.
//!
//! clap has no localisation; its help is rendered and its frame words (Usage, Commands,
//! Options, Possible values, default …) are replaced, and its errors are rebuilt from their
//! kind and context into one Chinese message with the usage line and where to read more.

use clap::error::{ContextKind, ContextValue, ErrorKind};
use std::process::ExitCode;

/// The frame words of clap's help, in the order they are replaced, with their Chinese.
const FRAME: &[(&str, &str)] = &[
    ("Usage: ", "用法："),
    ("Usage:", "用法："),
    ("Commands:", "命令："),
    ("Options:", "选项："),
    ("Arguments:", "参数："),
    ("Possible values:", "可选值："),
    ("[possible values: ", "[可选值："),
    ("[default: ", "[默认："),
    ("[aliases: ", "[别名："),
    ("[env: ", "[环境变量："),
    (
        "Print this message or the help of the given subcommand(s)",
        "显示本说明，或某一子命令的说明",
    ),
    (
        "Print help (see a summary with '-h')",
        "显示说明（-h 显示摘要）",
    ),
    (
        "Print help (see more with '--help')",
        "显示说明（--help 显示详细说明）",
    ),
    ("Print help", "显示说明"),
    ("Print version", "显示版本"),
    ("<COMMAND>", "<命令>"),
    ("[OPTIONS]", "[选项]"),
    ("[COMMAND]", "[命令]"),
];

/// The Chinese placeholder of an argument's value, by the argument's id, for the arguments
/// that name none of their own (clap would show the field's name: `--format <FORMAT>`).
fn placeholder(id: &str) -> &'static str {
    match id {
        "format" => "格式",
        "ledger" | "files" | "file" | "output" | "out" | "records" | "batches" | "housing"
        | "backup" | "map_parcels" | "map_townships" | "map_control" | "fonts" => "文件",
        "plan" => "计划文件",
        "templates" => "目录",
        "region" | "regions" => "行政区",
        "region_name" => "名称",
        "region_code" => "行政区划代码",
        "year" => "年度",
        "db" => "数据库",
        "user" => "账户",
        "name" | "display_name" => "名称",
        "role" => "角色",
        "kind" | "as_kind" => "种类",
        "classification" | "codes" => "分类标准",
        "sheet" => "工作表",
        "reason" => "理由",
        "note" => "备注",
        "date" | "as_of" | "export_on" => "日期",
        "issuing_body" => "发文机关",
        "seed" => "种子",
        "threads" => "线程数",
        "srid" => "EPSG代码",
        "limit" => "条数",
        "from" | "to" => "版本号",
        "import" => "导入批次",
        "chart" => "图表",
        "basis" => "口径",
        "land_grade" => "土地等别",
        "layers" => "图层",
        "checkpoints" => "月-日=百分比",
        "which" => "对象",
        _ => "值",
    }
}

/// The command with Chinese placeholders for argument values (see [`placeholder`]), in every
/// subcommand.
fn localise(cmd: clap::Command) -> clap::Command {
    cmd.mut_args(|a| {
        // clap's derive names a value by its field in capitals (`FORMAT`); a name written
        // in the source (`代码=名称`, `MM-DD=PCT`) is kept.
        let derived = a.get_value_names().is_none_or(|names| {
            names
                .iter()
                .all(|n| n.as_str() == a.get_id().as_str().to_ascii_uppercase())
        });
        if a.get_action().takes_values() && derived {
            let name = placeholder(a.get_id().as_str());
            a.value_name(name)
        } else {
            a
        }
    })
    .mut_subcommands(localise)
}

/// Help or usage text with clap's frame in Chinese.
pub fn frame(text: &str) -> String {
    FRAME
        .iter()
        .fold(text.to_string(), |t, (en, zh)| t.replace(en, zh))
}

fn context(e: &clap::Error, kind: ContextKind) -> Option<String> {
    match e.get(kind)? {
        ContextValue::String(s) => Some(s.clone()),
        ContextValue::Strings(v) => Some(v.join("、")),
        ContextValue::StyledStr(s) => Some(s.to_string()),
        ContextValue::StyledStrs(v) => Some(
            v.iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("、"),
        ),
        ContextValue::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// The message of a usage error, in Chinese.
fn message(e: &clap::Error) -> String {
    let arg = context(e, ContextKind::InvalidArg).unwrap_or_default();
    let value = context(e, ContextKind::InvalidValue).unwrap_or_default();
    let valid = context(e, ContextKind::ValidValue);
    let suggestion = context(e, ContextKind::SuggestedArg)
        .or_else(|| context(e, ContextKind::SuggestedSubcommand))
        .or_else(|| context(e, ContextKind::SuggestedValue))
        .map(|s| format!("；是否想用 {s}？"))
        .unwrap_or_default();
    let cause = std::error::Error::source(e)
        .map(|s| s.to_string())
        .filter(|s| !s.is_empty());
    match e.kind() {
        ErrorKind::InvalidValue => {
            let mut m = format!("参数 {arg} 的值“{value}”无效");
            if let Some(v) = valid {
                m.push_str(&format!("，可选值为：{v}"));
            }
            m + &suggestion
        }
        ErrorKind::ValueValidation => match cause {
            Some(c) => format!("参数 {arg} 的值“{value}”无效：{c}"),
            None => format!("参数 {arg} 的值“{value}”无效"),
        },
        ErrorKind::UnknownArgument => format!("无法识别的参数 {arg}{suggestion}"),
        ErrorKind::InvalidSubcommand => {
            let sub = context(e, ContextKind::InvalidSubcommand).unwrap_or_default();
            format!("无法识别的命令 {sub}{suggestion}")
        }
        ErrorKind::MissingRequiredArgument => format!("缺少必需的参数：{arg}"),
        ErrorKind::MissingSubcommand => "缺少子命令".to_string(),
        ErrorKind::ArgumentConflict => {
            let prior = context(e, ContextKind::PriorArg).unwrap_or_default();
            format!("参数 {arg} 不能与 {prior} 同时使用")
        }
        ErrorKind::NoEquals => format!("参数 {arg} 的值须用等号给出（如 {arg}=值）"),
        ErrorKind::TooManyValues => format!("参数 {arg} 给出的值过多（“{value}”）"),
        ErrorKind::TooFewValues | ErrorKind::WrongNumberOfValues => {
            format!("参数 {arg} 给出的值个数不对")
        }
        ErrorKind::InvalidUtf8 => "命令行参数含有无法识别的字符（不是 UTF-8）".to_string(),
        _ => {
            let rendered = e.render().to_string();
            let first = rendered
                .lines()
                .next()
                .unwrap_or_default()
                .trim_start_matches("error: ")
                .to_string();
            format!("命令行参数有误：{first}")
        }
    }
}

/// Parse the command line; help and version are printed (in Chinese) and usage errors told
/// in Chinese on standard error, each ending the process with the exit status returned.
pub fn parse<T: clap::Parser>() -> Result<T, ExitCode> {
    let parsed = localise(T::command())
        .try_get_matches()
        .and_then(|mut m| T::from_arg_matches_mut(&mut m));
    let e = match parsed {
        Ok(t) => return Ok(t),
        Err(e) => e,
    };
    match e.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
            use std::io::Write as _;
            let text = frame(&e.render().to_string());
            let mut out = std::io::stdout().lock();
            match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
                Ok(()) => Err(ExitCode::SUCCESS),
                // `landplan --help | head -c 0`: the reader is gone, end quietly as `main` does.
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Err(ExitCode::from(141)),
                Err(_) => Err(ExitCode::FAILURE),
            }
        }
        ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            eprint!("{}", frame(&e.render().to_string()));
            Err(ExitCode::from(2))
        }
        _ => {
            let usage = context(&e, ContextKind::Usage)
                .map(|u| frame(u.trim()))
                .unwrap_or_default();
            eprintln!("错误：{}", message(&e));
            if !usage.is_empty() {
                eprintln!("{usage}");
            }
            let command = usage
                .trim_start_matches("用法：")
                .split_whitespace()
                .take_while(|w| !w.starts_with(['[', '<', '-']))
                .collect::<Vec<_>>()
                .join(" ");
            if !command.is_empty() {
                eprintln!("运行 {command} --help 查看全部选项。");
            }
            Err(ExitCode::from(2))
        }
    }
}

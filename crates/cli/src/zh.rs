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
    let e = match T::try_parse() {
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

//! `landplan serve --demo`: builds the demo county, says where it listens on standard error
//! (the line tests and scripts read), serves the published plan, and stops on SIGTERM.

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Command, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_landplan");

/// GET `path` on `addr` with HTTP/1.0 (the server closes after the reply): status and body.
fn get(addr: &str, path: &str) -> (u16, String) {
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    write!(s, "GET {path} HTTP/1.0\r\nHost: {addr}\r\n\r\n").unwrap();
    let mut reply = String::new();
    s.read_to_string(&mut reply).unwrap();
    let status = reply
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let body = reply
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    (status, body)
}

#[test]
fn serve_demo_serves_the_published_demo_plan() {
    let mut child = Command::new(BIN)
        .args(["serve", "--demo", "--addr", "127.0.0.1:0"])
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let mut seen = Vec::new();
    let addr = loop {
        let Some(Ok(line)) = lines.next() else {
            let _ = child.kill();
            panic!("the server stopped before listening: {seen:?}");
        };
        if let Some(rest) = line.split("landplan 网站已启动：http://").nth(1) {
            break rest.split('/').next().unwrap().to_string();
        }
        seen.push(line);
    };
    let (status, front) = get(&addr, "/");
    let (plan_status, plan) = get(&addr, "/plans/990101/2025/supply");
    let (missing, _) = get(&addr, "/plans/990101/2026/supply");
    // Stop it as a service manager would.
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let exit = child.wait().unwrap();
    assert_eq!(status, 200);
    assert!(
        front.contains("示例县2025年度国有建设用地供应计划"),
        "{front}"
    );
    assert_eq!(plan_status, 200);
    assert!(plan.contains("id=\"plan-map\""));
    assert!(plan.contains("调整原因"));
    assert_eq!(missing, 404);
    assert!(exit.success(), "{exit:?}");
    assert!(
        seen.iter().any(|l| l.contains("示例数据已生成")),
        "{seen:?}"
    );
}

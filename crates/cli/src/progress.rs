//! Progress bars on standard error (hidden when standard error is not a terminal).

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// A progress bar over bytes of a file; a spinner when the size is unknown.
pub fn bytes(total: Option<u64>, what: &str) -> ProgressBar {
    let pb = match total {
        Some(t) => {
            let pb = ProgressBar::with_draw_target(Some(t), ProgressDrawTarget::stderr());
            pb.set_style(
                ProgressStyle::with_template(
                    "{msg} [{bar:40}] {bytes}/{total_bytes} （{bytes_per_sec}，剩余约 {eta}）",
                )
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
            );
            pb
        }
        None => ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr()),
    };
    pb.set_message(what.to_string());
    pb
}

/// A progress bar over a number of plans.
pub fn plans(total: u64, what: &str) -> ProgressBar {
    let pb = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
    pb.set_style(
        ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} 个计划（剩余约 {eta}）")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    pb.set_message(what.to_string());
    pb
}

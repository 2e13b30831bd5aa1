//! Progress bars on a terminal (indicatif). `sluice demo`, `sluice datapump` and `sluice
//! bench` draw one on stderr when it is a terminal, and otherwise keep printing their
//! one line per second, which suits logs and pipes. Log lines go to stderr too: while a
//! bar is drawn, the logger writes through [`LogWriter`], which takes the bar off the
//! screen for the line and draws it again below, so that neither tears the other.

use std::io::{IsTerminal, Write};
use std::sync::Mutex;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// The bar on the screen, if any: the one log lines are printed above.
static DRAWN: Mutex<Option<ProgressBar>> = Mutex::new(None);

/// A progress bar, drawn on stderr until dropped.
pub struct Bar {
    bar: ProgressBar,
}

impl Bar {
    /// A bar counting up to `total` `unit`s, when stderr is a terminal (and, with
    /// `stdout_too`, stdout as well: a command whose progress lines go to stdout keeps
    /// them when stdout is piped); `None` otherwise, and the caller prints its lines.
    pub fn on_terminal(total: u64, unit: &str, stdout_too: bool) -> Option<Bar> {
        if !std::io::stderr().is_terminal() || (stdout_too && !std::io::stdout().is_terminal()) {
            return None;
        }
        let template = format!(
            "{{elapsed_precise}} [{{wide_bar}}] {{human_pos}}/{{human_len}} {unit} {{msg}}"
        );
        let style = ProgressStyle::with_template(&template)
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> ");
        let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr())
            .with_style(style);
        *DRAWN.lock().unwrap_or_else(|e| e.into_inner()) = Some(bar.clone());
        Some(Bar { bar })
    }

    /// Moves the bar to `position`, with `message` after it.
    pub fn set(&self, position: u64, message: String) {
        self.bar.set_position(position);
        self.bar.set_message(message);
    }
}

impl Drop for Bar {
    fn drop(&mut self) {
        *DRAWN.lock().unwrap_or_else(|e| e.into_inner()) = None;
        self.bar.finish_and_clear();
    }
}

/// stderr for the logger: with a bar drawn, each line is printed above it.
pub struct LogWriter;

impl Write for LogWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        // A clone, so that the lock is not held while the terminal is written.
        let drawn = DRAWN.lock().unwrap_or_else(|e| e.into_inner()).clone();
        match drawn {
            Some(bar) => bar.suspend(|| std::io::stderr().write(buf)),
            None => std::io::stderr().write(buf),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        std::io::stderr().flush()
    }
}

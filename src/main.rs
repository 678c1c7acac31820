//! The `teren` binary: parse the command line, then run the app (no command, on a
//! terminal) or a command. No logic here.

use clap::Parser;
use std::io::{IsTerminal, Write};
use std::process::ExitCode;
use teren::cli::{self, Cli, Command};

fn main() -> ExitCode {
    let mut cli = Cli::parse();
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let result = match cli.command.take() {
        None if std::io::stdout().is_terminal() && std::io::stdin().is_terminal() => {
            drop(out);
            let options = teren::tui::Options { lang: cli.lang, ascii: cli.ascii };
            return finish(cli::open_app(cli.db).and_then(|store| teren::tui::run(store, options)));
        }
        Some(Command::Keymap(k)) => teren::tui::keymap::keymap_command(k, &mut out),
        command => {
            cli.command = command;
            cli::run(cli, &mut out)
        }
    };
    let result = result.and_then(|()| out.flush().map_err(Into::into));
    drop(out);
    finish(result)
}

fn finish(result: anyhow::Result<()>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("teren: {}", one_line(&e));
            ExitCode::FAILURE
        }
    }
}

/// The error and its causes on one line, without repeating a cause the message
/// already contains.
fn one_line(e: &anyhow::Error) -> String {
    let mut msg = e.to_string();
    for cause in e.chain().skip(1) {
        let c = cause.to_string();
        if !msg.contains(&c) {
            msg = format!("{msg}: {c}");
        }
    }
    msg.replace('\n', " ")
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| c.downcast_ref::<std::io::Error>().is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe))
}

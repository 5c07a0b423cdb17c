use std::io::{BufWriter, IsTerminal};
use std::process::ExitCode;

use clap::Parser;
use tracing_appender::non_blocking::{NonBlockingBuilder, WorkerGuard};
use tracing_subscriber::EnvFilter;
use wendao::config::{Cli, Command};

/// Logs go to stderr from a thread of their own, in batches: one write per request line
/// from the workers cost a fifth of the pages served. Lines wait rather than drop when it
/// falls behind; the guard writes what is left when the server stops.
fn init_logging(json: bool) -> WorkerGuard {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let (writer, guard) = NonBlockingBuilder::default()
        .lossy(false)
        .thread_name("wendao-log")
        .finish(BufWriter::new(std::io::stderr()));
    // Colours only for a person at a terminal: escape codes in a log file cost and clutter.
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(writer);
    if json {
        builder.json().init();
    } else {
        builder.init();
    }
    guard
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Check(args) => wendao::check(args),
        Command::Insights(args) => run(wendao::insights(args)),
        Command::MigrateStore(args) => run(wendao::migrate_store(args)),
        Command::Serve(args) => {
            let _flushed_at_exit = init_logging(args.log_json);
            run(wendao::serve(*args))
        }
    }
}

/// Runs a command on the actix runtime; an error is printed with its causes.
fn run(command: impl Future<Output = anyhow::Result<()>>) -> ExitCode {
    match actix_web::rt::System::new().block_on(command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("wendao: {e:#}");
            ExitCode::FAILURE
        }
    }
}

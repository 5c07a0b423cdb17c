use std::io::IsTerminal;
use std::process::ExitCode;

use clap::Parser;
use tracing_subscriber::EnvFilter;
use wendao::config::{Cli, Command};

fn init_logging(json: bool) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    // Colours only for a person at a terminal: escape codes in a log file cost and clutter.
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr);
    if json {
        builder.json().init();
    } else {
        builder.init();
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Check(args) => wendao::check(args),
        Command::Insights(args) => run(wendao::insights(args)),
        Command::MigrateStore(args) => run(wendao::migrate_store(args)),
        Command::Serve(args) => {
            init_logging(args.log_json);
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

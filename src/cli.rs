//! The command line: `bsmart`, `bsmart demo`, `bsmart serve`, `bsmart admin …`, and the entry
//! point that turns it into what each part takes ([`run`]): the client gets a
//! `config::ClientConfig` made from the config file and its flags, never the arguments; the
//! server gets its own options; the demo (which starts both) is [`crate::demo`], above both.
//!
//! The client's flags belong to `bsmart` itself (and `--config`/`--idle-lock` to `bsmart
//! demo`), so `bsmart serve --help` and `bsmart admin … --help` list only their own. No flag
//! takes a password, token or code (SECURITY.md 42): secrets are typed at a prompt that does
//! not echo, or generated and shown once.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

#[cfg(feature = "server")]
use crate::server::args::{AdminCommand, ServeArgs};

/// Keyboard-driven behaviour recording for schools, alternative provisions and children's homes.
#[derive(Debug, Parser)]
#[command(name = "bsmart", version, about, args_conflicts_with_subcommands = true)]
pub struct Cli {
    /// What to run; without one, the terminal client starts.
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Client options (used when no subcommand is given).
    #[command(flatten)]
    pub client: ClientArgs,
}

/// Options of the terminal client.
#[derive(Debug, Clone, Default, Args)]
pub struct ClientArgs {
    /// The setting's server, e.g. https://yourschool.bsmart.example (overrides the config file).
    #[arg(long)]
    pub url: Option<String>,
    /// The config file (default: the platform's config directory, bsmart/config.toml).
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Lock after this many seconds without a key press (default 120).
    #[arg(long = "idle-lock", value_name = "SECONDS")]
    pub idle_lock: Option<u64>,
}

/// The client's options that `bsmart demo` takes (the server URL is the demo's own).
#[derive(Debug, Clone, Default, Args)]
pub struct DemoClientArgs {
    /// The client's config file (its server_url is ignored: the demo uses its own server).
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Lock after this many seconds without a key press (default 120).
    #[arg(long = "idle-lock", value_name = "SECONDS")]
    pub idle_lock: Option<u64>,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Start the reference server on 127.0.0.1 with demo data, then the client against it.
    Demo(DemoArgs),
    /// Run the reference server.
    #[cfg(feature = "server")]
    Serve(ServeArgs),
    /// Server-side administration.
    #[cfg(feature = "server")]
    #[command(subcommand)]
    Admin(AdminCommand),
    /// Print one report (CSV or JSON), read with the report key named by `report_key_file` in
    /// the config: for a governors' or local-authority return from cron.
    Report(ReportArgs),
    /// `serve` and `admin` in a build without the server: caught to say so.
    #[cfg(not(feature = "server"))]
    #[command(external_subcommand)]
    Unavailable(Vec<String>),
}

/// `bsmart report`.
#[derive(Debug, Clone, Args)]
pub struct ReportArgs {
    /// The report: global, intervention, involvement, injuries, communication, clicker or
    /// discriminatory.
    pub kind: String,
    /// The first day, YYYY-MM-DD (default: 29 days before --to).
    #[arg(long)]
    pub from: Option<String>,
    /// The last day, YYYY-MM-DD, included (default: today).
    #[arg(long)]
    pub to: Option<String>,
    /// What the rows are grouped by (category, location, individual, staff, technique,
    /// behaviour, hour, weekday or time; the report's first by default).
    #[arg(long)]
    pub by: Option<String>,
    /// Only these individuals: ids separated by commas.
    #[arg(long, value_name = "IDS")]
    pub individual: Option<String>,
    /// Only these clicker behaviours (the clicker report).
    #[arg(long, value_name = "IDS")]
    pub behaviour: Option<String>,
    /// Only these locations (the incident reports).
    #[arg(long, value_name = "IDS")]
    pub location: Option<String>,
    /// Only these members of staff.
    #[arg(long, value_name = "IDS")]
    pub staff: Option<String>,
    /// Print the table as CSV (the default).
    #[arg(long, conflicts_with_all = ["json", "text"])]
    pub csv: bool,
    /// Print the report as plain text to read or pipe to a printer (`| lp`): its heading,
    /// totals and the table aligned.
    #[arg(long, conflicts_with = "json")]
    pub text: bool,
    /// Print the whole report as JSON.
    #[arg(long)]
    pub json: bool,
    /// The setting's server (overrides the config file).
    #[arg(long)]
    pub url: Option<String>,
    /// The config file (default: the platform's config directory, bsmart/config.toml).
    #[arg(long)]
    pub config: Option<PathBuf>,
}

impl ReportArgs {
    /// What to ask the server for.
    pub fn request(&self) -> crate::client::report_cli::ReportRequest {
        let pairs = [
            ("from", &self.from),
            ("to", &self.to),
            ("by", &self.by),
            ("individual_id", &self.individual),
            ("behaviour_id", &self.behaviour),
            ("location_id", &self.location),
            ("staff_id", &self.staff),
        ];
        crate::client::report_cli::ReportRequest {
            kind: self.kind.clone(),
            query: pairs
                .into_iter()
                .filter_map(|(name, value)| value.clone().map(|v| (name, v)))
                .collect(),
            output: match (self.json, self.text) {
                (true, _) => crate::client::report_cli::Output::Json,
                (_, true) => crate::client::report_cli::Output::Text,
                _ => crate::client::report_cli::Output::Csv,
            },
        }
    }
}

/// `bsmart demo`.
#[derive(Debug, Clone, Args)]
pub struct DemoArgs {
    /// Seed of the demo data (the same seed gives the same data).
    #[arg(long, default_value_t = 2026)]
    pub seed: u64,
    /// Multiply the demo data (for benchmarks).
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=50))]
    pub scale: u32,
    /// The client's options.
    #[command(flatten)]
    pub client: DemoClientArgs,
}

/// The config of the client from its flags: the file (`--config`, else the default one if it
/// exists), with `url` and `idle_lock` on top.
pub fn client_config(
    config: Option<&std::path::Path>,
    url: Option<String>,
    idle_lock: Option<u64>,
) -> Result<crate::config::ClientConfig, String> {
    let overrides = crate::config::Overrides {
        server_url: url,
        idle_lock_seconds: idle_lock,
    };
    crate::config::load(config, &overrides).map_err(|e| e.to_string())
}

/// Run what the command line asks for. Errors are plain sentences.
pub async fn run(cli: Cli) -> Result<(), String> {
    match cli.command {
        None => {
            let args = cli.client;
            crate::client::run(client_config(args.config.as_deref(), args.url, args.idle_lock)?).await
        }
        Some(Command::Report(args)) => {
            let config = client_config(args.config.as_deref(), args.url.clone(), None)?;
            crate::client::report_cli::run(&config, &args.request()).await
        }
        #[cfg(feature = "server")]
        Some(Command::Demo(args)) => crate::demo::run(&args).await,
        #[cfg(feature = "server")]
        Some(Command::Serve(args)) => crate::server::cli::serve(&args).await,
        #[cfg(feature = "server")]
        Some(Command::Admin(cmd)) => crate::server::cli::admin(&cmd).await,
        #[cfg(not(feature = "server"))]
        Some(_) => Err("this build has no server: rebuild with the `server` feature".to_string()),
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;
    use clap::error::ErrorKind;

    use super::*;

    fn help(args: &[&str]) -> String {
        let err = Cli::try_parse_from(args).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::DisplayHelp, "{args:?}");
        err.to_string()
    }

    #[test]
    fn each_command_lists_only_its_own_flags() {
        Cli::command().debug_assert();
        for args in [
            &["bsmart", "serve", "--help"][..],
            &["bsmart", "admin", "unlock", "--help"][..],
            &["bsmart", "admin", "create-admin", "--help"][..],
            &["bsmart", "admin", "verify-audit", "--help"][..],
        ] {
            let text = help(args);
            for client_flag in ["--url", "--idle-lock", "--config"] {
                assert!(!text.contains(client_flag), "{args:?} lists {client_flag}:\n{text}");
            }
        }
        let demo = help(&["bsmart", "demo", "--help"]);
        assert!(
            demo.contains("--idle-lock") && demo.contains("--config") && !demo.contains("--url"),
            "{demo}"
        );
        let client = help(&["bsmart", "--help"]);
        assert!(client.contains("--url") && client.contains("--idle-lock"), "{client}");
        let parsed = Cli::try_parse_from(["bsmart", "demo", "--idle-lock", "5"]).unwrap();
        assert!(matches!(
            parsed.command,
            Some(Command::Demo(DemoArgs {
                client: DemoClientArgs { idle_lock: Some(5), .. },
                ..
            }))
        ));
        assert!(Cli::try_parse_from(["bsmart", "serve", "--idle-lock", "5"]).is_err());
        assert!(
            Cli::try_parse_from(["bsmart", "--url", "https://s.example", "serve"]).is_err(),
            "client flags before a subcommand are refused, not ignored"
        );
    }

    #[test]
    fn a_named_config_file_that_is_missing_says_so() {
        let error = client_config(Some(std::path::Path::new("/nonexistent.toml")), None, None).unwrap_err();
        assert_eq!(
            error,
            "config file not found: /nonexistent.toml (check the path given to --config)"
        );
    }
}

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
    /// `serve` and `admin` in a build without the server: caught to say so.
    #[cfg(not(feature = "server"))]
    #[command(external_subcommand)]
    Unavailable(Vec<String>),
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

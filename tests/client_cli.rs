//! SECURITY.md 42 for the client's command line: no flag takes a password, token or code
//! (shell history and `ps` would show it), and the idle lock is a plain number of seconds.

use bsmart::cli::Cli;
use clap::Parser;

#[test]
fn no_flag_takes_a_secret() {
    for flag in ["--password", "--token", "--code", "--secret", "--recovery-code"] {
        let err = Cli::try_parse_from(["bsmart", flag, "hunter2-secret"]).unwrap_err();
        assert_eq!(
            err.kind(),
            clap::error::ErrorKind::UnknownArgument,
            "{flag} was accepted"
        );
    }
}

#[test]
fn idle_lock_and_url_are_the_client_flags() {
    let cli = Cli::try_parse_from(["bsmart", "--idle-lock", "45", "--url", "https://s.example"]).unwrap();
    assert_eq!(cli.client.idle_lock, Some(45));
    assert_eq!(cli.client.url.as_deref(), Some("https://s.example"));
    assert!(cli.command.is_none());
}

//! The client's configuration: a TOML file found with `directories`, overridden by flags.
//!
//! The file holds no secret and may not: a password, token or code in a file or on the command
//! line leaks through backups, shell history and `ps` (SECURITY.md 42). Unknown keys are an
//! error, shown to the user, rather than silently ignored (the gitui#448 lesson).

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;
use thiserror::Error;
use url::Url;

/// Default idle time before the client locks itself.
pub const DEFAULT_IDLE_LOCK_SECONDS: u64 = 120;
/// The shortest idle lock allowed: anything shorter would lock staff out mid-sentence.
pub const MIN_IDLE_LOCK_SECONDS: u64 = 5;
/// The longest idle lock allowed: the school policy asks for a short idle time.
pub const MAX_IDLE_LOCK_SECONDS: u64 = 3600;

/// Colour theme.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Theme {
    /// Colours unless `NO_COLOR` is set.
    #[default]
    Auto,
    /// No colour at all, only bold and reverse video.
    Mono,
}

/// Which symbols to draw (see `client::glyphs`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum GlyphChoice {
    /// Unicode when the terminal is UTF-8 and not the Linux console, else ASCII.
    #[default]
    Auto,
    /// Always Unicode symbols.
    Unicode,
    /// Always plain ASCII.
    Ascii,
}

/// The client's settings after the file and the flags are combined.
#[derive(Debug, Clone, PartialEq)]
pub struct ClientConfig {
    /// The setting's server, validated by [`validate_server_url`].
    pub server_url: Url,
    /// Idle time before the client locks.
    pub idle_lock: Duration,
    /// Show names as initials in lists until revealed.
    pub privacy_mode: bool,
    /// Colours.
    pub theme: Theme,
    /// Symbols.
    pub glyphs: GlyphChoice,
    /// Where downloads (an incident or a plan as Markdown) are saved: the file's
    /// `export_dir`, else the Downloads folder if there is one, else the home directory.
    pub export_dir: Option<PathBuf>,
    /// A setting's own language lexicon, added to the built-in one (`client::language`);
    /// a relative path in the file is taken from the config file's folder.
    pub language_lexicon: Option<PathBuf>,
    /// The file holding the report key of `bsmart report` (SECURITY.md rule 44; mode 0600,
    /// refused when others may read it); a relative path is taken from the config file's folder.
    pub report_key_file: Option<PathBuf>,
    /// The print spooler a printout is piped to, as a program and its arguments (never a
    /// shell line), e.g. `["lp", "-d", "staffroom"]`; `None`: printouts are saved as files.
    pub print_command: Option<Vec<String>>,
}

/// The file's shape: every key is optional and documented in `config.example.toml`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    server_url: Option<String>,
    idle_lock_seconds: Option<u64>,
    privacy_mode: Option<bool>,
    theme: Option<Theme>,
    glyphs: Option<GlyphChoice>,
    export_dir: Option<PathBuf>,
    language_lexicon: Option<PathBuf>,
    report_key_file: Option<PathBuf>,
    print_command: Option<Vec<String>>,
}

/// What the command line adds on top of the file.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    /// `--url`.
    pub server_url: Option<String>,
    /// `--idle-lock N`.
    pub idle_lock_seconds: Option<u64>,
}

/// Why the configuration could not be used; each message says what to do.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum ConfigError {
    /// A config file named on the command line does not exist.
    #[error("config file not found: {path} (check the path given to --config)")]
    NotFound {
        /// The file.
        path: String,
    },
    /// The file exists but could not be read.
    #[error("cannot read the config file {path}: {reason}")]
    Unreadable {
        /// The file.
        path: String,
        /// The operating system's reason.
        reason: String,
    },
    /// The file is not valid TOML or has an unknown key.
    #[error("the config file {path} is not valid: {reason} (see config.example.toml)")]
    Invalid {
        /// The file.
        path: String,
        /// What the parser said.
        reason: String,
    },
    /// No server URL in the file or on the command line.
    #[error("no server URL: set server_url in {path} or pass --url https://your-setting.example")]
    NoServerUrl {
        /// Where the file is expected.
        path: String,
    },
    /// The server URL is unsafe or malformed.
    #[error("{0}")]
    BadUrl(String),
    /// The idle lock is out of range.
    #[error("idle lock must be between {MIN_IDLE_LOCK_SECONDS} and {MAX_IDLE_LOCK_SECONDS} seconds, not {0}")]
    IdleLockOutOfRange(u64),
    /// `print_command` names no program.
    #[error(
        "print_command must start with the program to run, e.g. [\"lp\"] or [\"lp\", \"-d\", \"staffroom\"]; leave it out to save printouts as files"
    )]
    NoPrintProgram,
}

/// Where the config file lives by default (e.g. `~/.config/bsmart/config.toml` on Linux).
pub fn default_path() -> Option<PathBuf> {
    directories::ProjectDirs::from("app", "bsmart", "bsmart").map(|d| d.config_dir().join("config.toml"))
}

/// The folder downloads go to when the file names none: Downloads if it exists, else home.
pub fn default_export_dir() -> Option<PathBuf> {
    let dirs = directories::UserDirs::new()?;
    match dirs.download_dir() {
        Some(downloads) if downloads.is_dir() => Some(downloads.to_path_buf()),
        _ => Some(dirs.home_dir().to_path_buf()),
    }
}

/// Read the file at `path` and apply `overrides`. Without `path`, the default file is read if
/// there is one; a file named on the command line must exist.
pub fn load(path: Option<&Path>, overrides: &Overrides) -> Result<ClientConfig, ConfigError> {
    let named = path.is_some();
    let path = path
        .map(Path::to_path_buf)
        .or_else(default_path)
        .unwrap_or_else(|| PathBuf::from("config.toml"));
    let shown = path.display().to_string();
    let file = match std::fs::read_to_string(&path) {
        Ok(text) => parse(&text).map_err(|reason| ConfigError::Invalid {
            path: shown.clone(),
            reason,
        })?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && named => {
            return Err(ConfigError::NotFound { path: shown });
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => ConfigFile::default(),
        Err(e) => {
            return Err(ConfigError::Unreadable {
                path: shown,
                reason: e.to_string(),
            });
        }
    };
    let url = overrides
        .server_url
        .clone()
        .or(file.server_url)
        .ok_or(ConfigError::NoServerUrl { path: shown })?;
    let idle = overrides
        .idle_lock_seconds
        .or(file.idle_lock_seconds)
        .unwrap_or(DEFAULT_IDLE_LOCK_SECONDS);
    Ok(ClientConfig {
        server_url: validate_server_url(&url)?,
        idle_lock: validate_idle_lock(idle)?,
        privacy_mode: file.privacy_mode.unwrap_or(false),
        theme: file.theme.unwrap_or_default(),
        glyphs: file.glyphs.unwrap_or_default(),
        export_dir: file
            .export_dir
            .map(|p| match path.parent() {
                Some(dir) => dir.join(p),
                None => p,
            })
            .or_else(default_export_dir),
        language_lexicon: file.language_lexicon.map(|p| beside(&path, p)),
        report_key_file: file.report_key_file.map(|p| beside(&path, p)),
        print_command: match file.print_command {
            Some(argv) if argv.first().is_none_or(|program| program.trim().is_empty()) => {
                return Err(ConfigError::NoPrintProgram);
            }
            argv => argv,
        },
    })
}

/// `p`, taken from the folder of the config file `config` when it is relative.
fn beside(config: &Path, p: PathBuf) -> PathBuf {
    match config.parent() {
        Some(dir) => dir.join(p),
        None => p,
    }
}

fn parse(text: &str) -> Result<ConfigFile, String> {
    toml::from_str(text).map_err(|e| e.message().to_string())
}

/// Check an idle-lock time against the allowed range.
pub fn validate_idle_lock(seconds: u64) -> Result<Duration, ConfigError> {
    if (MIN_IDLE_LOCK_SECONDS..=MAX_IDLE_LOCK_SECONDS).contains(&seconds) {
        Ok(Duration::from_secs(seconds))
    } else {
        Err(ConfigError::IdleLockOutOfRange(seconds))
    }
}

/// Accept only `https://` URLs, or `http://` to a loopback address, with no user or password in
/// them (SECURITY.md 33).
pub fn validate_server_url(raw: &str) -> Result<Url, ConfigError> {
    let url = Url::parse(raw.trim()).map_err(|e| {
        ConfigError::BadUrl(format!(
            "the server URL is not valid ({e}); use https://your-setting.example"
        ))
    })?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err(ConfigError::BadUrl(
            "the server URL must not contain a user name or password; remove the part before @".into(),
        ));
    }
    let loopback = match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        None => false,
    };
    match url.scheme() {
        "https" if url.host().is_some() => Ok(url),
        "http" if loopback => Ok(url),
        "http" => Err(ConfigError::BadUrl(format!(
            "refusing http://{}: records about children must travel encrypted; use https://",
            url.host_str().unwrap_or("")
        ))),
        other => Err(ConfigError::BadUrl(format!(
            "the server URL must start with https://, not {other}://"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn https_and_loopback_http_are_accepted() {
        assert!(validate_server_url("https://school.example").is_ok());
        assert!(validate_server_url("http://127.0.0.1:8080").is_ok());
        assert!(validate_server_url("http://[::1]:8080").is_ok());
        assert!(validate_server_url("http://localhost:3000").is_ok());
    }

    #[test]
    fn plain_http_credentials_and_other_schemes_are_refused() {
        for bad in [
            "http://example.org",
            "https://u:p@host.example",
            "https://u@host.example",
            "ftp://x.example",
            "nonsense",
            "",
        ] {
            assert!(validate_server_url(bad).is_err(), "{bad} was accepted");
        }
        let msg = validate_server_url("http://example.org").unwrap_err().to_string();
        assert!(msg.contains("https://"), "{msg}");
    }

    #[test]
    fn unknown_keys_and_secrets_in_the_file_are_errors() {
        assert!(parse("password = \"x\"").is_err());
        assert!(parse("server_url = \"https://a.example\"\nidle_lock_seconds = 60").is_ok());
    }

    #[test]
    fn the_example_file_documents_every_key_and_parses() {
        let example = include_str!("../config.example.toml");
        let file = parse(example).expect("config.example.toml must parse");
        assert!(file.server_url.is_some() && file.idle_lock_seconds.is_some());
        assert!(file.privacy_mode.is_some() && file.theme.is_some() && file.glyphs.is_some());
        // Optional and off by default, so documented as a comment.
        assert!(example.contains("# language_lexicon = "));
    }

    #[test]
    fn downloads_go_to_export_dir_relative_to_the_file_else_downloads_or_home() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.toml");
        std::fs::write(&path, "server_url = \"https://a.example\"\nexport_dir = \"out\"\n").unwrap();
        let cfg = load(Some(&path), &Overrides::default()).unwrap();
        assert_eq!(cfg.export_dir, Some(dir.path().join("out")));
        std::fs::write(&path, "server_url = \"https://a.example\"\n").unwrap();
        let cfg = load(Some(&path), &Overrides::default()).unwrap();
        assert_eq!(cfg.export_dir, default_export_dir());
    }

    #[test]
    fn flags_override_the_file_and_idle_lock_is_bounded() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.toml");
        std::fs::write(&path, "server_url = \"https://a.example\"\nidle_lock_seconds = 60\n").unwrap();
        let cfg = load(
            Some(&path),
            &Overrides {
                idle_lock_seconds: Some(30),
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(cfg.idle_lock, Duration::from_secs(30));
        assert_eq!(cfg.server_url.as_str(), "https://a.example/");
        let err = load(
            Some(&path),
            &Overrides {
                idle_lock_seconds: Some(0),
                ..Default::default()
            },
        )
        .unwrap_err();
        assert_eq!(err, ConfigError::IdleLockOutOfRange(0));
        let missing = load(Some(&dir.path().join("none.toml")), &Overrides::default()).unwrap_err();
        assert!(matches!(missing, ConfigError::NotFound { .. }), "{missing}");
        assert!(missing.to_string().starts_with("config file not found: "), "{missing}");
        let empty = dir.path().join("empty.toml");
        std::fs::write(&empty, "").unwrap();
        let no_url = load(Some(&empty), &Overrides::default()).unwrap_err();
        assert!(matches!(no_url, ConfigError::NoServerUrl { .. }));
    }

    #[test]
    fn the_language_lexicon_path_is_taken_from_the_config_folder() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.toml");
        let url = "server_url = \"https://a.example\"\n";
        std::fs::write(&path, format!("{url}language_lexicon = \"words.toml\"\n")).unwrap();
        let cfg = load(Some(&path), &Overrides::default()).unwrap();
        assert_eq!(cfg.language_lexicon, Some(dir.path().join("words.toml")));
        std::fs::write(&path, format!("{url}language_lexicon = \"/etc/bsmart/words.toml\"\n")).unwrap();
        let cfg = load(Some(&path), &Overrides::default()).unwrap();
        assert_eq!(cfg.language_lexicon, Some(PathBuf::from("/etc/bsmart/words.toml")));
        std::fs::write(&path, url).unwrap();
        assert_eq!(load(Some(&path), &Overrides::default()).unwrap().language_lexicon, None);
    }

    #[test]
    fn a_print_command_is_a_program_and_its_arguments_and_an_empty_one_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        let url = "server_url = \"https://a.example\"\n";
        std::fs::write(
            &path,
            format!("{url}print_command = [\"lp\", \"-d\", \"staff room\"]\n"),
        )
        .unwrap();
        let cfg = load(Some(&path), &Overrides::default()).unwrap();
        assert_eq!(
            cfg.print_command,
            Some(vec!["lp".to_string(), "-d".into(), "staff room".into()])
        );
        for bad in ["print_command = []", "print_command = [\" \"]"] {
            std::fs::write(&path, format!("{url}{bad}\n")).unwrap();
            let e = load(Some(&path), &Overrides::default()).unwrap_err();
            assert_eq!(e, ConfigError::NoPrintProgram, "{bad}");
            assert!(e.to_string().contains("[\"lp\"]"), "{e}");
        }
        std::fs::write(&path, format!("{url}print_command = \"lp -d x\"\n")).unwrap();
        assert!(matches!(
            load(Some(&path), &Overrides::default()),
            Err(ConfigError::Invalid { .. })
        ));
        std::fs::write(&path, url).unwrap();
        assert_eq!(load(Some(&path), &Overrides::default()).unwrap().print_command, None);
    }
}

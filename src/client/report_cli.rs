//! `bsmart report TYPE [filters] --csv|--text|--json`: one report printed to standard output, for a
//! governors' or a local-authority return run from cron.
//!
//! Nobody is there to type a password and a code, so it reads with a **report key**
//! (SECURITY.md rule 44), issued by an admin to a named member of staff, from the file that
//! `report_key_file` in the config names. The file must be readable by its owner only (mode
//! 0600): one that others may read is refused, as is a key on the command line or in the
//! environment (there is no option for either; rule 42). The key is held in a `SecretString`
//! and never printed. What is printed is cleaned like everything the client shows (rule 35), so
//! a hostile name cannot drive the terminal or a mail of the cron job's output.

use std::path::Path;

use secrecy::SecretString;

use super::api::{Answer, Api, ApiError, Request};
use super::sanitize::clean;
use crate::config::ClientConfig;
use crate::wire::Report;

/// What `bsmart report` asks for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReportRequest {
    /// The type (`global`, `clicker`…).
    pub kind: String,
    /// The query pairs (`from`, `to`, `by` and the filters), as typed.
    pub query: Vec<(&'static str, String)>,
    /// How it is printed.
    pub output: Output,
}

/// How `bsmart report` prints the report.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Output {
    /// The table as CSV.
    #[default]
    Csv,
    /// The printout: heading, totals and the aligned table (`format=text`), for `| lp`.
    Text,
    /// The whole report as JSON.
    Json,
}

/// The report key in `path`: refused when the file is missing, empty, not private (others may
/// read or write it) or not a key.
pub fn read_key(path: &Path) -> Result<SecretString, String> {
    let shown = path.display();
    let metadata = std::fs::metadata(path).map_err(|e| format!("cannot read the report key file {shown}: {e}"))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = metadata.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            return Err(format!(
                "the report key file {shown} can be read by others (mode {mode:o}): run chmod 600 on it, and ask your admin for a new key if anyone may have seen it"
            ));
        }
    }
    let _ = metadata;
    let text = zeroize::Zeroizing::new(
        std::fs::read_to_string(path).map_err(|e| format!("cannot read the report key file {shown}: {e}"))?,
    );
    let key = text.trim();
    if !key.starts_with("bsrk_") || key.len() > 128 || !key.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(format!(
            "{shown} does not hold a report key (one starts bsrk_): save the key `bsmart admin report-key issue` showed in it"
        ));
    }
    Ok(SecretString::from(key.to_string()))
}

/// What to tell the user when the server refused the report.
fn refused(error: ApiError) -> String {
    match &error {
        ApiError::Server { status: 401, .. } => {
            "the report key was refused: it may have expired or been revoked, or its account is no longer active. Ask your admin for a new one".to_string()
        }
        _ => format!("the report could not be made: {error}"),
    }
}

/// Ask the server for the report and print it.
pub async fn run(config: &ClientConfig, request: &ReportRequest) -> Result<(), String> {
    let path = config.report_key_file.as_deref().ok_or(
        "no report key: name the file that holds it with report_key_file in the config file (see config.example.toml)",
    )?;
    let key = read_key(path)?;
    let kind: String = request
        .kind
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    let mut call = Request::get(format!("/reports/{kind}")).session().report();
    for (name, value) in &request.query {
        call = call.query(name, value.clone());
    }
    match request.output {
        Output::Csv => call = call.query("format", "csv"),
        Output::Text => call = call.query("format", "text"),
        Output::Json => {}
    }
    let api = Api::new(&config.server_url)?;
    let answer = api.send(&call, Some(&key)).await.map_err(refused)?;
    let text = match request.output {
        Output::Csv | Output::Text => clean(&answer.download()),
        Output::Json => {
            let report: Report = Answer::typed(answer).map_err(refused)?;
            serde_json::to_string_pretty(&report).map_err(|e| e.to_string())? + "\n"
        }
    };
    use std::io::Write;
    std::io::stdout()
        .write_all(text.as_bytes())
        .map_err(|e| format!("cannot write the report: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_file_others_may_read_is_refused_and_a_private_one_is_read() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("report.key");
        std::fs::write(&path, "bsrk_abc\n").unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
            let error = read_key(&path).unwrap_err();
            assert!(error.contains("chmod 600"), "{error}");
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        }
        use secrecy::ExposeSecret;
        assert_eq!(read_key(&path).unwrap().expose_secret(), "bsrk_abc");
        std::fs::write(&path, "a session token").unwrap();
        assert!(read_key(&path).unwrap_err().contains("does not hold a report key"));
        assert!(read_key(&dir.path().join("none")).unwrap_err().contains("cannot read"));
    }
}

//! CSV files that a spreadsheet opens safely, written by both ends: the server's audit export
//! and `format=csv` reports, the client's saved reports.
//!
//! A cell that a spreadsheet would run as a formula is neutralised with a leading `'`
//! (SECURITY.md rule 43; OWASP "CSV injection"), and the file is written with the `csv` crate,
//! which quotes what needs quoting.

use std::borrow::Cow;

/// `cell` as a spreadsheet will not run it: one starting `=`, `+`, `-`, `@`, a tab, a carriage
/// return or a NUL gets a leading `'`.
pub fn neutralised(cell: &str) -> Cow<'_, str> {
    match cell.starts_with(['=', '+', '-', '@', '\t', '\r', '\0']) {
        true => Cow::Owned(format!("'{cell}")),
        false => Cow::Borrowed(cell),
    }
}

/// The CSV text of `header` and `rows`, every cell neutralised.
pub fn csv_text<R, C>(header: &[&str], rows: R) -> Result<String, csv::Error>
where
    R: IntoIterator<Item = C>,
    C: IntoIterator,
    C::Item: AsRef<str>,
{
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(header.iter().map(|cell| neutralised(cell).into_owned()))?;
    for row in rows {
        writer.write_record(row.into_iter().map(|cell| neutralised(cell.as_ref()).into_owned()))?;
    }
    let bytes = writer.into_inner().map_err(|e| e.into_error())?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_neutralised_and_plain_text_is_not() {
        for formula in ["=HYPERLINK(\"x\")", "+1", "-1", "@SUM(A1)", "\tx", "\rx", "\0x"] {
            assert_eq!(neutralised(formula), format!("'{formula}"));
        }
        assert_eq!(neutralised("Amelia"), "Amelia");
        assert_eq!(neutralised("1-2"), "1-2");
    }

    #[test]
    fn a_file_quotes_commas_and_neutralises_every_cell() {
        let text = csv_text(&["Name", "Count"], [vec!["=cmd", "3"], vec!["Smith, Jo", "-1"]]).unwrap();
        assert_eq!(text, "Name,Count\n'=cmd,3\n\"Smith, Jo\",'-1\n");
    }
}

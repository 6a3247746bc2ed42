//! A QR code drawn with Unicode half blocks (two modules per cell), with a quiet zone of two
//! modules: the standard asks for four, but phone scanners read two without trouble, and the
//! four rows saved are what lets a setting's otpauth URL (version 5, 37 modules) fit in the
//! 21 rows an 80x24 terminal has below its title bar (41 modules, 21 rows).
//!
//! Dark modules are `█`/`▀`/`▄` drawn in black on a white background, so the code reads
//! dark-on-light on any terminal. With no colour allowed (mono theme), the blocks are swapped
//! so that a light-on-dark terminal still shows dark modules as the terminal's background.

use qrcode::render::Renderer;
use qrcode::render::unicode::Dense1x2;
use qrcode::{EcLevel, QrCode};

/// Light modules around the code.
const QUIET_ZONE: u32 = 2;

/// The rows of the code as text, or `None` if the data cannot be encoded.
pub fn lines(data: &str, mono: bool) -> Option<Vec<String>> {
    let code = QrCode::with_error_correction_level(data.as_bytes(), EcLevel::L).ok()?;
    let colors = code.to_colors();
    let mut r = Renderer::<Dense1x2>::new(&colors, code.width(), QUIET_ZONE);
    if mono {
        r.dark_color(Dense1x2::Light).light_color(Dense1x2::Dark);
    }
    Some(r.build().lines().map(str::to_owned).collect())
}

#[cfg(test)]
mod tests {
    #[test]
    fn draws_blocks_only() {
        let l = super::lines(
            "otpauth://totp/bsmart:a%40b.test?secret=JBSWY3DPEHPK3PXP&issuer=bsmart",
            false,
        )
        .unwrap();
        assert!(l.len() > 10);
        assert!(l.iter().all(|r| r.chars().all(|c| " ▀▄█".contains(c))));
        let w = l[0].chars().count();
        assert!(l.iter().all(|r| r.chars().count() == w));
    }

    #[test]
    fn a_settings_otpauth_url_fits_below_the_title_bar_of_80x24() {
        // The server's URLs (auth::otpauth_url) for the demo and for a typical school address;
        // up to about 106 bytes fit (version 5); a longer one asks for a larger window.
        for url in [
            "otpauth://totp/Riverside%20Academy%20(demo):newstarter@demo.test?secret=AIWEUZXIYB5IUEIQHRELDBHMRNOQXIYP",
            "otpauth://totp/Riverside%20Academy:jane.smith@riverside.sch.uk?secret=AIWEUZXIYB5IUEIQHRELDBHMRNOQXIYP",
        ] {
            let l = super::lines(url, false).unwrap();
            assert!(l.len() <= 21, "{} rows", l.len());
            assert!(l[0].chars().count() <= 80 - 1 - 34, "{} columns", l[0].chars().count());
        }
    }
}

//! A QR code drawn with Unicode half blocks (two modules per cell), with its quiet zone.
//!
//! Dark modules are `█`/`▀`/`▄` drawn in black on a white background, so the code reads
//! dark-on-light on any terminal. With no colour allowed (mono theme), the blocks are swapped
//! so that a light-on-dark terminal still shows dark modules as the terminal's background.

use qrcode::render::unicode::Dense1x2;
use qrcode::{EcLevel, QrCode};

/// The rows of the code as text, or `None` if the data cannot be encoded.
pub fn lines(data: &str, mono: bool) -> Option<Vec<String>> {
    let code = QrCode::with_error_correction_level(data.as_bytes(), EcLevel::L).ok()?;
    let mut r = code.render::<Dense1x2>();
    r.quiet_zone(true);
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
}

//! The chart font embedded in `report.html` as CSS `@font-face` rules with `data:` URIs.
//!
//! The inline SVG charts name their font as `Noto Sans, sans-serif` and are laid out with Noto
//! Sans's metrics (the same embedded font draws the PNGs). A browser without Noto Sans would
//! substitute a wider sans-serif, so legends would overlap and subtitles overflow. A document's
//! own `@font-face` family takes precedence over installed fonts of the same name (CSS Fonts
//! Level 4, §4.1 and §5), so embedding the very font files the charts were measured with makes
//! the report look the same on any machine, with no request outside the file.

use std::fmt::Write as _;

/// Standard base64 (RFC 4648 §4) with `=` padding.
pub fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let group = chunk.iter().enumerate().fold(0u32, |group, (index, byte)| {
            group | u32::from(*byte) << (16 - 8 * index)
        });
        for position in 0..4 {
            if position <= chunk.len() {
                let sextet = (group >> (18 - 6 * position)) & 0x3F;
                out.push(char::from(ALPHABET[sextet as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// `@font-face` rules for Noto Sans regular (weight 400) and bold (700), the two faces the
/// charts use, as the exact font files registered for drawing them.
pub fn chart_font_faces() -> String {
    let mut out = String::with_capacity(600 * 1024);
    for (weight, bytes) in [(400, notosans::REGULAR_TTF), (700, notosans::BOLD_TTF)] {
        let _ = writeln!(
            out,
            "@font-face {{ font-family: \"Noto Sans\"; font-style: normal; font-weight: {weight}; \
             font-display: block; src: url(data:font/ttf;base64,{}) format(\"truetype\"); }}",
            base64(bytes)
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_the_rfc_4648_test_vectors() {
        // RFC 4648 §10.
        for (input, expected) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(input.as_bytes()), expected, "{input:?}");
        }
        assert_eq!(base64(&[0xFF, 0xEF, 0xBE]), "/+++");
    }

    #[test]
    fn both_chart_faces_are_embedded_whole() {
        let css = chart_font_faces();
        assert_eq!(css.matches("@font-face").count(), 2);
        assert!(css.contains(&base64(notosans::REGULAR_TTF)));
        assert!(css.contains(&base64(notosans::BOLD_TTF)));
        assert!(css.contains("font-weight: 700"));
    }
}

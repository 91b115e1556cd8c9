//! PNG encoding of a rendered RGB buffer, in memory, with the `png` crate.

use anyhow::Context;

/// Encodes an 8-bit RGB buffer of `width` × `height` pixels as a PNG file's bytes.
pub(crate) fn encode_rgb(rgb: &[u8], width: u32, height: u32) -> anyhow::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    let mut encoder = png::Encoder::new(&mut bytes, width, height);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_compression(png::Compression::Balanced);
    let mut writer = encoder.write_header().context("encoding a PNG")?;
    writer.write_image_data(rgb).context("encoding a PNG")?;
    writer.finish().context("encoding a PNG")?;
    Ok(bytes)
}

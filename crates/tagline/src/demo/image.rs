//! A lead image for each demo article, drawn by the demo itself: a
//! landscape in its category's colours (sky, sun, three ridges), shaped by
//! a hash of the article's slug, so every article has its own picture and
//! the demo needs no image files.

use std::io::Write;

const WIDTH: usize = 640;
const HEIGHT: usize = 360;

type Rgb = [u8; 3];

/// Sky top, sky bottom, sun, and three ridges from far to near.
fn palette(category: &str) -> [Rgb; 6] {
    match category {
        "Politics" => [[40, 30, 90], [150, 120, 200], [255, 220, 160], [90, 70, 140], [60, 45, 110], [35, 25, 70]],
        "Business" => [[20, 80, 100], [120, 200, 200], [255, 210, 90], [40, 120, 120], [25, 90, 95], [15, 60, 65]],
        "Technology" => [[10, 20, 50], [40, 90, 160], [120, 240, 255], [30, 60, 120], [20, 40, 90], [10, 25, 60]],
        "Science" => [[60, 30, 80], [250, 150, 90], [255, 240, 200], [120, 60, 90], [80, 40, 70], [45, 25, 50]],
        "Health" => [[120, 200, 190], [230, 250, 240], [255, 255, 230], [90, 170, 140], [60, 140, 110], [35, 100, 80]],
        "Sports" => [[70, 150, 230], [190, 230, 255], [255, 250, 210], [80, 170, 80], [50, 140, 60], [30, 110, 40]],
        "Entertainment" => {
            [[90, 20, 80], [240, 120, 170], [255, 230, 120], [150, 50, 120], [110, 30, 90], [70, 15, 60]]
        }
        _ => [[40, 100, 180], [170, 210, 240], [255, 240, 170], [90, 140, 110], [60, 110, 80], [35, 80, 55]],
    }
}

/// A stable 64-bit hash (FNV-1a).
fn hash(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
}

fn mix(a: Rgb, b: Rgb, t: f32) -> Rgb {
    let t = t.clamp(0.0, 1.0);
    [0, 1, 2].map(|i| (f32::from(a[i]) + (f32::from(b[i]) - f32::from(a[i])) * t) as u8)
}

/// The picture's pixels, row by row.
fn draw(seed: &str, category: &str) -> Vec<Rgb> {
    let [top, bottom, sun, far, mid, near] = palette(category);
    let h = hash(seed);
    let param = |shift: u32, lo: f32, hi: f32| lo + (((h >> shift) & 0xff) as f32 / 255.0) * (hi - lo);
    let (sun_x, sun_y, sun_r) = (param(0, 80.0, 560.0), param(8, 60.0, 170.0), param(16, 28.0, 54.0));
    let ridges = [(far, 0.55, 24), (mid, 0.68, 32), (near, 0.82, 40)];
    let mut px = Vec::with_capacity(WIDTH * HEIGHT);
    for y in 0..HEIGHT {
        for x in 0..WIDTH {
            let (xf, yf) = (x as f32, y as f32);
            let mut c = mix(top, bottom, yf / HEIGHT as f32);
            let d = ((xf - sun_x).powi(2) + (yf - sun_y).powi(2)).sqrt();
            if d < sun_r {
                c = sun;
            } else if d < sun_r * 1.6 {
                c = mix(sun, c, (d - sun_r) / (sun_r * 0.6));
            }
            for (colour, base, shift) in ridges {
                let freq = param(shift, 0.006, 0.02);
                let phase = param(shift + 8, 0.0, std::f32::consts::TAU);
                let ridge = HEIGHT as f32 * base + 26.0 * (freq * xf + phase).sin() + 9.0 * (freq * 3.1 * xf).sin();
                if yf > ridge {
                    c = mix(colour, [0, 0, 0], (yf - ridge) / (HEIGHT as f32 * 2.5));
                }
            }
            px.push(c);
        }
    }
    px
}

/// A PNG chunk: length, type, data, CRC of type and data.
fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    let mut crc = crc32fast::Hasher::new();
    crc.update(kind);
    crc.update(data);
    out.extend_from_slice(&crc.finalize().to_be_bytes());
}

/// The article's picture as a PNG file.
pub fn png(seed: &str, category: &str) -> Vec<u8> {
    let px = draw(seed, category);
    let mut raw = Vec::with_capacity(HEIGHT * (1 + WIDTH * 3));
    for row in px.chunks(WIDTH) {
        raw.push(0); // no filter
        for p in row {
            raw.extend_from_slice(p);
        }
    }
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    z.write_all(&raw).expect("writing to memory");
    let idat = z.finish().expect("writing to memory");
    let mut ihdr = Vec::with_capacity(13);
    ihdr.extend_from_slice(&(WIDTH as u32).to_be_bytes());
    ihdr.extend_from_slice(&(HEIGHT as u32).to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]); // 8-bit RGB, deflate, no filter, no interlace
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    chunk(&mut out, b"IHDR", &ihdr);
    chunk(&mut out, b"IDAT", &idat);
    chunk(&mut out, b"IEND", &[]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_article_gets_its_own_valid_png_under_the_image_limit() {
        let a = png("eu-india-trade-agreement-signed", "Business");
        let b = png("peru-beat-chile-qualifier", "Sports");
        assert_ne!(a, b);
        for img in [&a, &b] {
            assert!(model::ImageData::parse(Some("image/png"), img.to_vec()).is_some(), "{} bytes", img.len());
        }
    }
}

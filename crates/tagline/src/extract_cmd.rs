//! `tagline extract`: run the extractor over saved pages, one JSON object per page.

use crate::cli::ExtractArgs;
use anyhow::{Context, Result};
use serde::Deserialize;
use serde_json::{json, Value};
use std::io::Read;
use std::path::Path;

#[derive(Deserialize)]
struct BatchInput {
    id: Value,
    path: String,
    url: Option<String>,
}

/// Reads a page, decompressing gzip (by magic bytes) up to the extractor's
/// input limit so that a gzip bomb is refused instead of filling memory.
pub fn read_page(path: &Path) -> Result<Vec<u8>> {
    let limit = extract::MAX_INPUT as u64;
    let mut file = std::fs::File::open(path).with_context(|| format!("opening {}", path.display()))?;
    let len = file.metadata().map_or(0, |m| m.len());
    let mut raw = Vec::with_capacity(len.min(limit + 1) as usize);
    // A compressed file is bounded by the same limit as its output.
    file.by_ref().take(limit + 1).read_to_end(&mut raw).with_context(|| format!("reading {}", path.display()))?;
    let out = if raw.starts_with(&[0x1f, 0x8b]) {
        match gunzip_whole(&raw, limit as usize) {
            Some(out) => out,
            None => {
                let mut out = Vec::new();
                flate2::read::MultiGzDecoder::new(&raw[..])
                    .take(limit + 1)
                    .read_to_end(&mut out)
                    .with_context(|| format!("decompressing {}", path.display()))?;
                out
            }
        }
    } else {
        raw
    };
    if out.len() as u64 > limit {
        anyhow::bail!("{} is larger than {} bytes (after decompression)", path.display(), limit);
    }
    Ok(out)
}

/// Inflates an ordinary single-member gzip file in one call with
/// libdeflate, faster than streaming through flate2. Anything else (several
/// members, a trailer whose size is wrong or over `limit`, corrupt data)
/// returns `None`, for the bounded streaming decoder to handle.
fn gunzip_whole(raw: &[u8], limit: usize) -> Option<Vec<u8>> {
    let trailer = raw.len().checked_sub(4).map(|t| &raw[t..])?;
    let size = u32::from_le_bytes(trailer.try_into().ok()?) as usize;
    if size > limit {
        return None;
    }
    let mut out = vec![0u8; size];
    let (mut consumed, mut produced) = (0usize, 0usize);
    // SAFETY: the decompressor is allocated, used and freed within this
    // block; the pointers and lengths describe `raw` and `out`, which
    // outlive the call, and libdeflate writes at most `out.len()` bytes.
    let ok = unsafe {
        let d = libdeflate_sys::libdeflate_alloc_decompressor();
        if d.is_null() {
            return None;
        }
        let result = libdeflate_sys::libdeflate_gzip_decompress_ex(
            d,
            raw.as_ptr().cast(),
            raw.len(),
            out.as_mut_ptr().cast(),
            out.len(),
            &mut consumed,
            &mut produced,
        );
        libdeflate_sys::libdeflate_free_decompressor(d);
        result == libdeflate_sys::libdeflate_result_LIBDEFLATE_SUCCESS
    };
    // A second member would follow the bytes the first one used.
    (ok && consumed == raw.len() && produced == size).then_some(out)
}

fn extract_one(id: Value, path: &Path, url: Option<&str>) -> Value {
    let result = read_page(path).and_then(|bytes| extract::extract(&bytes, url, None).map_err(anyhow::Error::from));
    match result {
        Ok(x) => json!({
            "id": id,
            "title": x.title,
            "byline": x.byline,
            "published": x.published.map(|d| d.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
            "lang": x.lang,
            "site_name": x.site_name,
            "image": x.image,
            "text": x.text,
            "html": x.html,
            "warnings": x.warnings,
        }),
        Err(e) => json!({ "id": id, "error": format!("{e:#}"), "text": "", "warnings": [] }),
    }
}

pub fn run(args: &ExtractArgs) -> Result<bool> {
    if !args.batch {
        let path = args.file.as_deref().context("a FILE is required without --batch")?;
        let out = extract_one(Value::Null, path, args.url.as_deref());
        let ok = out.get("error").is_none();
        let mut obj = out;
        if let Some(map) = obj.as_object_mut() {
            map.remove("id");
        }
        println!("{}", serde_json::to_string(&obj)?);
        return Ok(ok);
    }
    crate::batch::run_weighted(batch_line, crate::batch::file_size)?;
    Ok(true)
}

fn batch_line(line: &str) -> Value {
    match serde_json::from_str::<BatchInput>(line) {
        Ok(input) => extract_one(input.id, Path::new(&input.path), input.url.as_deref()),
        Err(e) => json!({ "id": Value::Null, "error": format!("invalid input line: {e}"), "text": "", "warnings": [] }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::{write::GzEncoder, Compression};
    use std::io::Write;

    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut enc = GzEncoder::new(Vec::new(), Compression::default());
        enc.write_all(data).unwrap();
        enc.finish().unwrap()
    }

    /// Reads `data` back through `read_page` from a file in a fresh folder.
    fn read_back(data: &[u8]) -> Result<Vec<u8>> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("page.html.gz");
        std::fs::write(&path, data).unwrap();
        read_page(&path)
    }

    #[test]
    fn a_gzip_page_is_inflated_whole() {
        assert_eq!(read_back(&gzip(b"<p>hello</p>")).unwrap(), b"<p>hello</p>");
    }

    #[test]
    fn every_member_of_a_multi_member_gzip_file_is_read() {
        let mut both = gzip(b"<p>first</p>");
        both.extend(gzip(b"<p>second</p>"));
        assert_eq!(read_back(&both).unwrap(), b"<p>first</p><p>second</p>");
        // Two identical members: the trailers agree with the first alone.
        let mut twice = gzip(b"<p>same</p>");
        twice.extend(gzip(b"<p>same</p>"));
        assert_eq!(read_back(&twice).unwrap(), b"<p>same</p><p>same</p>");
    }

    #[test]
    fn a_corrupt_gzip_file_is_an_error_not_a_panic() {
        let mut data = gzip(b"<p>hello</p>");
        let mid = data.len() / 2;
        data[mid] ^= 0xff;
        assert!(read_back(&data).is_err());
    }
}

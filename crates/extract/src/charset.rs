//! Decoding page bytes to text: BOM, then HTTP header, then `<meta charset>`,
//! then statistical sniffing.

use encoding_rs::Encoding;
use std::borrow::Cow;

/// Decodes HTML bytes; returns the text (borrowed when the bytes are
/// already valid UTF-8) and the encoding's name.
pub fn decode_html<'a>(bytes: &'a [u8], content_type: Option<&str>) -> (Cow<'a, str>, &'static str) {
    let encoding = Encoding::for_bom(bytes)
        .map(|(e, _)| e)
        .or_else(|| content_type.and_then(charset_param).and_then(label))
        // Pages re-saved as UTF-8 often keep their old <meta charset>; text
        // that is valid UTF-8 and not plain ASCII is almost never anything else.
        .or_else(|| (!bytes.is_ascii() && std::str::from_utf8(bytes).is_ok()).then_some(encoding_rs::UTF_8))
        .or_else(|| meta_charset(bytes))
        .unwrap_or_else(|| sniff(bytes));
    // UTF-16 declared in a meta tag is always wrong (the meta tag itself was
    // readable as ASCII), as the HTML standard notes.
    let encoding = if encoding == encoding_rs::UTF_16LE || encoding == encoding_rs::UTF_16BE {
        if Encoding::for_bom(bytes).is_some() {
            encoding
        } else {
            encoding_rs::UTF_8
        }
    } else {
        encoding
    };
    let (text, used, _had_errors) = encoding.decode(bytes);
    (text, used.name())
}

fn label(name: &str) -> Option<&'static Encoding> {
    Encoding::for_label(name.trim().trim_matches(['"', '\'']).as_bytes())
}

/// The `charset=` parameter of a Content-Type value.
pub fn charset_param(content_type: &str) -> Option<&str> {
    content_type.split(';').skip(1).find_map(|p| {
        let (k, v) = p.split_once('=')?;
        k.trim().eq_ignore_ascii_case("charset").then_some(v.trim())
    })
}

/// The prescan of the HTML standard, simplified: the first 4 KiB are searched
/// for `charset=` inside a `<meta` tag.
fn meta_charset(bytes: &[u8]) -> Option<&'static Encoding> {
    let head = &bytes[..bytes.len().min(4096)];
    let lower: Vec<u8> = head.iter().map(u8::to_ascii_lowercase).collect();
    let mut pos = 0;
    while let Some(off) = find(&lower[pos..], b"<meta") {
        let start = pos + off;
        let end = find(&lower[start..], b">").map_or(lower.len(), |e| start + e);
        let tag = &lower[start..end];
        if let Some(c) = find(tag, b"charset") {
            let rest = &tag[c + 7..];
            let rest = rest.iter().skip_while(|b| b.is_ascii_whitespace()).copied().collect::<Vec<_>>();
            if let Some(rest) = rest.strip_prefix(b"=") {
                let value: Vec<u8> = rest
                    .iter()
                    .skip_while(|b| b.is_ascii_whitespace() || **b == b'"' || **b == b'\'')
                    .take_while(|b| !(b.is_ascii_whitespace() || matches!(b, b'"' | b'\'' | b';' | b'/' | b'>')))
                    .copied()
                    .collect();
                if let Some(e) = Encoding::for_label(&value) {
                    return Some(e);
                }
            }
        }
        pos = end.max(start + 5);
        if pos >= lower.len() {
            break;
        }
    }
    None
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn sniff(bytes: &[u8]) -> &'static Encoding {
    if std::str::from_utf8(bytes).is_ok() {
        return encoding_rs::UTF_8;
    }
    let mut det = chardetng::EncodingDetector::new();
    det.feed(&bytes[..bytes.len().min(64 * 1024)], bytes.len() <= 64 * 1024);
    det.guess(None, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_http_header_wins_over_the_meta_tag() {
        let (text, enc) = decode_html(b"<meta charset=utf-8>\x96", Some("text/html; charset=windows-1252"));
        assert_eq!(enc, "windows-1252");
        assert!(text.ends_with('\u{2013}'));
    }

    #[test]
    fn the_meta_tag_is_used_without_a_header_charset() {
        let (text, enc) = decode_html(b"<html><head><meta charset=\"windows-1252\"></head>caf\xe9", Some("text/html"));
        assert_eq!(enc, "windows-1252");
        assert!(text.ends_with("caf\u{e9}"));
    }

    #[test]
    fn valid_utf8_wins_over_a_stale_meta_charset() {
        let (text, enc) = decode_html("<meta charset=gb2312><p>谷歌</p>".as_bytes(), None);
        assert_eq!(enc, "UTF-8");
        assert!(text.contains("谷歌"));
    }

    #[test]
    fn an_http_equiv_meta_tag_is_understood() {
        let html = b"<meta http-equiv=\"Content-Type\" content=\"text/html; charset=ISO-8859-1\">\xe9";
        assert_eq!(decode_html(html, None).1, "windows-1252");
    }

    #[test]
    fn a_bom_wins_over_everything() {
        let (_, enc) = decode_html(b"\xEF\xBB\xBFhello", Some("text/html; charset=windows-1252"));
        assert_eq!(enc, "UTF-8");
    }

    #[test]
    fn undeclared_invalid_utf8_is_sniffed_not_rejected() {
        let (text, _) = decode_html(b"<p>Gr\xfc\xdfe aus M\xfcnchen, sch\xf6ne Gr\xfc\xdfe</p>", None);
        assert!(text.contains("M\u{fc}nchen"), "{text}");
    }
}

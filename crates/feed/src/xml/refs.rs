//! Character and entity references: HTML's named entities, internal DTD entities within the budget.

use super::*;

pub(crate) fn html_entity(name: &str) -> Option<&'static str> {
    static MAP: OnceLock<HashMap<&'static str, &'static str>> = OnceLock::new();
    let map = MAP.get_or_init(|| {
        entities::ENTITIES
            .iter()
            .filter(|e| e.entity.ends_with(';'))
            .map(|e| (e.entity.trim_start_matches('&').trim_end_matches(';'), e.characters))
            .collect()
    });
    // feedparser follows HTML 4 here; HTML5 moved these two to other code points.
    match name {
        "lang" => Some("\u{2329}"),
        "rang" => Some("\u{232A}"),
        _ => map.get(name).copied(),
    }
}

/// Decodes character and entity references. Undeclared (HTML) entities are
/// decoded too, and reported in `errors`. Declared entities are charged to
/// their budget.
pub(crate) fn unescape(s: &str, entities: &mut Entities, errors: &mut Errors) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let end = rest[1..].find(|c: char| c == ';' || c == '&' || c == '<' || c.is_whitespace()).map(|e| e + 1);
        let Some(end) = end.filter(|&e| rest.as_bytes().get(e) == Some(&b';')) else {
            // A bare '&': not well-formed, kept as text.
            errors.push("unescaped '&'");
            out.push('&');
            rest = &rest[1..];
            continue;
        };
        let name = &rest[1..end];
        let decoded: Option<String> = if let Some(num) = name.strip_prefix('#') {
            let code = match num.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok(),
                None => num.parse::<u32>().ok(),
            };
            match code {
                // Windows-1252 text mislabelled as Unicode: &#146; means
                // U+2019, as HTML decodes it, not a C1 control character.
                Some(c @ 0x80..=0x9f) => {
                    Some(encoding_rs::WINDOWS_1252.decode_without_bom_handling(&[c as u8]).0.into_owned())
                }
                _ => code.and_then(char::from_u32).map(String::from),
            }
        } else {
            match name {
                "amp" => Some("&".into()),
                "lt" => Some("<".into()),
                "gt" => Some(">".into()),
                "quot" => Some("\"".into()),
                "apos" => Some("'".into()),
                _ => entities.expand(name).or_else(|| {
                    let e = html_entity(name).map(str::to_string);
                    errors.push(format!("undeclared entity &{name};"));
                    e
                }),
            }
        };
        match decoded {
            Some(d) => out.push_str(&d),
            None => out.push_str(&rest[..=end]),
        }
        rest = &rest[end + 1..];
        if entities.exhausted {
            break;
        }
    }
    out.push_str(rest);
    out
}

pub(crate) fn parse_entity_decls(doctype: &str, entities: &mut Entities) {
    let mut rest = doctype;
    while let Some(i) = rest.find("<!ENTITY") {
        rest = &rest[i + 8..];
        let mut parts = rest.trim_start().splitn(2, char::is_whitespace);
        let (Some(name), Some(after)) = (parts.next(), parts.next()) else { break };
        let after = after.trim_start();
        let Some(q) = after.chars().next().filter(|c| *c == '"' || *c == '\'') else { continue };
        if let Some(end) = after[1..].find(q) {
            let value = &after[1..1 + end];
            // Values are expanded once, here, and every expansion counts
            // against the budget, so nesting cannot multiply unseen.
            let v = unescape(value, entities, &mut Errors::default());
            if entities.exhausted {
                return;
            }
            entities.declared.insert(name.to_string(), v);
        }
    }
}

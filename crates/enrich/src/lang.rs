//! Language detection, with the page's or feed's declared language as a hint.

/// Returns an ISO 639-1 code (or 639-3 where there is none).
///
/// whatlang's guess is trusted only when it is reliable; otherwise the
/// declared language wins, because publishers rarely mislabel their pages
/// while statistics on short texts often err.
pub fn detect_language(text: &str, declared: Option<&str>) -> Option<String> {
    let declared = declared
        .map(|d| d.trim().split(['-', '_']).next().unwrap_or("").to_lowercase())
        .filter(|d| (2..=3).contains(&d.len()));
    // whatlang's cost grows with the text; a few sentences settle it.
    match whatlang::detect(sample(text, SAMPLE_BYTES)).filter(|i| i.is_reliable()) {
        Some(info) => {
            let code = info.lang().code();
            Some(iso639_1(code).map_or_else(|| code.to_string(), str::to_string))
        }
        None => declared,
    }
}

/// The opening judged, in bytes: the rest of an article only adds time.
const SAMPLE_BYTES: usize = 400;

/// The opening of the text, at most `cap` bytes, cut at a space.
fn sample(text: &str, cap: usize) -> &str {
    if text.len() <= cap {
        return text;
    }
    let mut end = cap;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let cut = &text[..end];
    cut.rfind(char::is_whitespace).map_or(cut, |i| &cut[..i])
}

fn iso639_1(code3: &str) -> Option<&'static str> {
    Some(match code3 {
        "eng" => "en",
        "fra" => "fr",
        "deu" => "de",
        "spa" => "es",
        "por" => "pt",
        "ita" => "it",
        "nld" => "nl",
        "rus" => "ru",
        "ukr" => "uk",
        "pol" => "pl",
        "tur" => "tr",
        "ara" => "ar",
        "heb" => "he",
        "hin" => "hi",
        "ben" => "bn",
        "cmn" => "zh",
        "jpn" => "ja",
        "kor" => "ko",
        "vie" => "vi",
        "tha" => "th",
        "ind" => "id",
        "swe" => "sv",
        "dan" => "da",
        "nob" => "no",
        "fin" => "fi",
        "ces" => "cs",
        "ell" => "el",
        "hun" => "hu",
        "ron" => "ro",
        "pes" => "fa",
        "urd" => "ur",
        "afr" => "af",
        "zul" => "zu",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn english_text_is_detected_as_en() {
        let t = "The government announced a new trade agreement with its neighbours on Tuesday, officials said.";
        assert_eq!(detect_language(t, None).as_deref(), Some("en"));
    }

    #[test]
    fn a_long_article_is_judged_from_its_opening() {
        let opening = "Le gouvernement a annoncé mardi un nouvel accord commercial avec ses voisins. \
            Les ministres se sont réunis pendant deux jours dans la capitale pour discuter des droits de douane, \
            de l'énergie et des investissements dans les chemins de fer qui relient les pays de la région. ";
        let t = format!("{opening}{}", "Lorem ipsum dolor sit amet. ".repeat(100));
        assert_eq!(detect_language(&t, Some("en")).as_deref(), Some("fr"));
    }

    #[test]
    fn a_sample_never_splits_a_character() {
        let t = "日本語のテキスト".repeat(50);
        let s = sample(&t, 240);
        assert!(s.len() <= 240 && t.starts_with(s) && !s.is_empty());
    }

    #[test]
    fn the_declared_language_is_used_when_the_text_is_too_short() {
        assert_eq!(detect_language("OK", Some("en-ZA")).as_deref(), Some("en"));
    }
}

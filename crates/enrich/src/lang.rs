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
    let sample: String = text.chars().take(2000).collect();
    match whatlang::detect(&sample) {
        Some(info) if info.is_reliable() => {
            let code = iso639_1(info.lang().code()).map_or_else(|| info.lang().code().to_string(), str::to_string);
            Some(code)
        }
        _ => declared,
    }
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
    fn the_declared_language_is_used_when_the_text_is_too_short() {
        assert_eq!(detect_language("OK", Some("en-ZA")).as_deref(), Some("en"));
    }
}

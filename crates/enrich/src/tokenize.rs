//! Word tokenisation shared by tagging, key phrases and story matching.

/// A word of the text with its byte span.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token<'a> {
    pub text: &'a str,
    pub start: usize,
    pub end: usize,
}

/// Splits text into words: runs of letters and digits, keeping inner
/// apostrophes (Xi'an) and the dots of abbreviations (U.S.). Hyphens, spaces
/// and other punctuation separate words; callers look at the gap between two
/// tokens to tell "China-Central" from "China Central".
pub fn tokens(text: &str) -> Vec<Token<'_>> {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let n = chars.len();
    let end_of = |k: usize| chars.get(k).map_or(text.len(), |c| c.0);
    let mut out = Vec::new();
    let mut i = 0;
    while i < n {
        let (start, c) = chars[i];
        if !c.is_alphanumeric() {
            i += 1;
            continue;
        }
        // An abbreviation of single capitals and dots: "U.S.", "D.C.", "U.N."
        let mut j = i;
        while j + 1 < n && chars[j].1.is_uppercase() && chars[j + 1].1 == '.' {
            j += 2;
        }
        if j - i >= 4 && !chars.get(j).is_some_and(|c| c.1.is_lowercase()) {
            out.push(Token { text: &text[start..end_of(j)], start, end: end_of(j) });
            i = j;
            continue;
        }
        j = i;
        loop {
            while j < n && chars[j].1.is_alphanumeric() {
                j += 1;
            }
            let joiner = j + 1 < n && matches!(chars[j].1, '\'' | '\u{2019}') && chars[j + 1].1.is_alphanumeric();
            if !joiner {
                break;
            }
            j += 1;
        }
        out.push(Token { text: &text[start..end_of(j)], start, end: end_of(j) });
        i = j;
    }
    out
}

const STOPWORDS: &str = "a about above across after again against all almost also although always am among an and another any are as at be because been before being below between both but by can could did do does doing down during each either else even ever every few for from further had has have having he her here hers him his how however i if in into is it its itself just least less many may me might more most much must my near neither no nor not now of off often on once one only or other others our ours out over own per perhaps put rather said same say says she should since so some still such than that the their theirs them themselves then there these they this those though through thus to too toward towards under until up upon us very via was we well were what when where whether which while who whom whose why will with within without would yet you your yours new also two three four five six seven eight nine ten first second third year years time times mr mrs ms its it's i'd i'm we're they're he's she's let like make made get got go going told tell including according across way since amid monday tuesday wednesday thursday friday saturday sunday today yesterday tomorrow thousands hundreds millions dozens percent week weeks month months day days";

/// Whether a lower-case word carries no topic on its own.
pub fn is_stopword(lower: &str) -> bool {
    use std::collections::HashSet;
    use std::sync::OnceLock;
    static SET: OnceLock<HashSet<&'static str>> = OnceLock::new();
    SET.get_or_init(|| STOPWORDS.split_whitespace().collect()).contains(lower)
}

/// Lower-cased words of the text that are not stopwords or numbers.
pub fn content_words(text: &str) -> Vec<String> {
    tokens(text)
        .into_iter()
        .map(|t| t.text.to_lowercase())
        .filter(|w| w.chars().count() > 1 && !is_stopword(w) && !w.chars().all(|c| c.is_ascii_digit()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<&str> {
        tokens(s).into_iter().map(|t| t.text).collect()
    }

    #[test]
    fn abbreviations_keep_their_dots() {
        assert_eq!(words("the U.S.-Central Asia Forum"), vec!["the", "U.S.", "Central", "Asia", "Forum"]);
    }

    #[test]
    fn a_sentence_final_dot_is_not_kept() {
        assert_eq!(words("in China. Then"), vec!["in", "China", "Then"]);
    }

    #[test]
    fn inner_apostrophes_are_kept() {
        assert_eq!(words("Xi'an and People's"), vec!["Xi'an", "and", "People's"]);
    }
}

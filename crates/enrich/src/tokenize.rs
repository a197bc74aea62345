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
/// tokens to tell "China-Central" from "China Central". In scripts written
/// without spaces (Chinese, Japanese, Thai), each character is a token of
/// its own, with no gap before the next: callers read runs of them.
pub fn tokens(text: &str) -> Vec<Token<'_>> {
    // Byte positions, decoding one character at a time: no copy of the
    // text as a vector of characters.
    let at = |p: usize| text.get(p..).and_then(|rest| rest.chars().next());
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(c) = at(i) {
        let next = i + c.len_utf8();
        if !c.is_alphanumeric() {
            i = next;
            continue;
        }
        if model::is_unspaced(c) {
            out.push(Token { text: &text[i..next], start: i, end: next });
            i = next;
            continue;
        }
        // An abbreviation of single capitals and dots: "U.S.", "D.C.", "U.N."
        let (mut j, mut pairs) = (i, 0);
        while let Some(a) = at(j).filter(|a| a.is_uppercase()) {
            let after = j + a.len_utf8();
            if at(after) != Some('.') {
                break;
            }
            j = after + 1;
            pairs += 1;
        }
        if pairs >= 2 && !at(j).is_some_and(|c| c.is_lowercase()) {
            out.push(Token { text: &text[i..j], start: i, end: j });
            i = j;
            continue;
        }
        j = i;
        loop {
            while let Some(a) = at(j).filter(|a| a.is_alphanumeric() && !model::is_unspaced(*a)) {
                j += a.len_utf8();
            }
            match at(j) {
                Some(q @ ('\'' | '\u{2019}')) if at(j + q.len_utf8()).is_some_and(|c| c.is_alphanumeric()) => {
                    j += q.len_utf8();
                }
                _ => break,
            }
        }
        out.push(Token { text: &text[i..j], start: i, end: j });
        i = j;
    }
    out
}

const STOPWORDS: &str = "a about above across after again against all almost also although always am among an and another any are as at be because been before being below between both but by can could did do does doing down during each either else even ever every few for from further had has have having he her here hers him his how however i if in into is it its itself just least less many may me might more most much must my near neither no nor not now of off often on once one only or other others our ours out over own per perhaps put rather said same say says she should since so some still such than that the their theirs them themselves then there these they this those though through thus to too toward towards under until up upon us very via was we well were what when where whether which while who whom whose why will with within without would yet you your yours new also two three four five six seven eight nine ten first second third year years time times mr mrs ms its it's i'd i'm we're they're he's she's let like make made get got go going told tell including according across way since amid monday tuesday wednesday thursday friday saturday sunday today yesterday tomorrow thousands hundreds millions dozens percent week weeks month months day days";

/// The word in lower case, borrowed when it is already (most words are):
/// exactly `str::to_lowercase`, without the copy.
pub(crate) fn lowercase(w: &str) -> std::borrow::Cow<'_, str> {
    let unchanged = w.chars().all(|c| {
        let mut l = c.to_lowercase();
        l.next() == Some(c) && l.next().is_none()
    });
    if unchanged {
        std::borrow::Cow::Borrowed(w)
    } else {
        std::borrow::Cow::Owned(w.to_lowercase())
    }
}

/// Whether a lower-case word carries no topic on its own.
pub fn is_stopword(lower: &str) -> bool {
    use std::sync::OnceLock;
    static SET: OnceLock<crate::fnv::FastMap<&'static str, ()>> = OnceLock::new();
    SET.get_or_init(|| STOPWORDS.split_whitespace().map(|w| (w, ())).collect()).contains_key(lower)
}

/// Whether a token is one character of a script written without spaces.
pub fn is_unspaced_char(word: &str) -> bool {
    let mut chars = word.chars();
    chars.next().is_some_and(model::is_unspaced) && chars.next().is_none()
}

/// Lower-cased words of the text that are not stopwords or numbers. A run
/// of unspaced characters gives its overlapping bigrams ("中亚峰会": "中亚",
/// "亚峰", "峰会"), as search indexes it: without a dictionary, bigrams
/// match far more real words than single characters do.
pub fn content_words(text: &str) -> Vec<String> {
    words(text, false)
}

/// `content_words`, keeping numbers: for story matching, where a year, a
/// magnitude or a toll tells one event from another of the same kind.
pub fn content_words_and_numbers(text: &str) -> Vec<String> {
    words(text, true)
}

fn words(text: &str, numbers: bool) -> Vec<String> {
    let toks = tokens(text);
    let mut out = Vec::with_capacity(toks.len());
    let mut k = 0;
    while k < toks.len() {
        if is_unspaced_char(toks[k].text) {
            let mut end = k + 1;
            while end < toks.len() && is_unspaced_char(toks[end].text) && toks[end - 1].end == toks[end].start {
                end += 1;
            }
            let run = &toks[k..end];
            if run.len() == 1 {
                out.push(run[0].text.to_string());
            }
            out.extend(run.windows(2).map(|w| format!("{}{}", w[0].text, w[1].text)));
            k = end;
            continue;
        }
        let w = toks[k].text.to_lowercase();
        if w.chars().count() > 1 && !is_stopword(&w) && (numbers || !w.chars().all(|c| c.is_ascii_digit())) {
            out.push(w);
        }
        k += 1;
    }
    out
}

#[cfg(test)]
mod tests {

    #[test]
    fn lower_casing_borrows_only_what_is_lower_case_already_and_equals_the_standard_one() {
        for w in ["oil", "Oil", "ΟΔΥΣΣΕΎΣ", "ǅemal", "İstanbul", "中亚峰会", "x2", "straße", "STRASSE"] {
            assert_eq!(lowercase(w), w.to_lowercase(), "{w}");
        }
        assert!(matches!(lowercase("already lower"), std::borrow::Cow::Borrowed(_)));
    }

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
    fn unspaced_scripts_give_one_token_per_character() {
        assert_eq!(words("中亚峰会 in 西安"), vec!["中", "亚", "峰", "会", "in", "西", "安"]);
    }

    #[test]
    fn unspaced_runs_give_bigrams_as_content_words() {
        assert_eq!(content_words("中亚峰会, Summit"), vec!["中亚", "亚峰", "峰会", "summit"]);
    }

    #[test]
    fn inner_apostrophes_are_kept() {
        assert_eq!(words("Xi'an and People's"), vec!["Xi'an", "and", "People's"]);
    }
}

//! The search tokenizer: words for spaced scripts, overlapping bigrams for
//! unspaced ones (Chinese, Japanese, Thai), as Lucene's CJK analyzer does.
//!
//! tantivy's default tokenizer keeps a whole run of Han characters as one
//! token, so "中亚" would never match inside "中国与中亚峰会". Bigrams make any
//! two-character query a term lookup and longer queries a phrase of bigrams.

pub use model::is_unspaced;
use tantivy::tokenizer::{Token, TokenStream, Tokenizer};

/// The tokenizer registered as [`crate::TOKENIZER`].
#[derive(Clone, Default)]
pub struct TaglineTokenizer;

/// Tokens of one text, computed up front.
pub struct VecTokenStream {
    tokens: Vec<Token>,
    next: usize,
}

impl TokenStream for VecTokenStream {
    fn advance(&mut self) -> bool {
        if self.next < self.tokens.len() {
            self.next += 1;
            true
        } else {
            false
        }
    }

    fn token(&self) -> &Token {
        &self.tokens[self.next - 1]
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.tokens[self.next - 1]
    }
}

impl Tokenizer for TaglineTokenizer {
    type TokenStream<'a> = VecTokenStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> VecTokenStream {
        VecTokenStream { tokens: tokens(text), next: 0 }
    }
}

/// Lower-cased tokens with byte offsets and positions.
pub fn tokens(text: &str) -> Vec<Token> {
    let mut out: Vec<Token> = Vec::new();
    let mut position = 0usize;
    let mut push = |from: usize, to: usize, out: &mut Vec<Token>| {
        out.push(Token {
            offset_from: from,
            offset_to: to,
            position,
            text: text[from..to].to_lowercase(),
            position_length: 1,
        });
        position += 1;
    };
    let mut chars = text.char_indices().peekable();
    while let Some((start, c)) = chars.next() {
        if !c.is_alphanumeric() {
            continue;
        }
        if is_unspaced(c) {
            // Collect the run of unspaced characters, then emit bigrams.
            let mut run = vec![(start, c)];
            while let Some(&(i, d)) = chars.peek() {
                if !is_unspaced(d) {
                    break;
                }
                run.push((i, d));
                chars.next();
            }
            let end_of = |k: usize| run[k].0 + run[k].1.len_utf8();
            if run.len() == 1 {
                push(run[0].0, end_of(0), &mut out);
            } else {
                for pair in run.windows(2) {
                    push(pair[0].0, pair[1].0 + pair[1].1.len_utf8(), &mut out);
                }
            }
            continue;
        }
        let mut end = start + c.len_utf8();
        while let Some(&(i, d)) = chars.peek() {
            if !d.is_alphanumeric() || is_unspaced(d) {
                break;
            }
            end = i + d.len_utf8();
            chars.next();
        }
        push(start, end, &mut out);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(s: &str) -> Vec<String> {
        tokens(s).into_iter().map(|t| t.text).collect()
    }

    #[test]
    fn spaced_words_are_lowercased_and_split_on_punctuation() {
        assert_eq!(texts("China–Central Asia: a Summit!"), ["china", "central", "asia", "a", "summit"]);
    }

    #[test]
    fn chinese_runs_become_overlapping_bigrams() {
        assert_eq!(texts("中国与中亚"), ["中国", "国与", "与中", "中亚"]);
    }

    #[test]
    fn a_lone_ideograph_is_its_own_token() {
        assert_eq!(texts("A 中 B"), ["a", "中", "b"]);
    }

    #[test]
    fn mixed_script_runs_are_split_at_the_script_boundary() {
        assert_eq!(texts("AI芯片price"), ["ai", "芯片", "price"]);
    }

    #[test]
    fn offsets_point_at_the_original_text() {
        let t = tokens("Ünïcode 東京都");
        assert_eq!(&"Ünïcode 東京都"[t[0].offset_from..t[0].offset_to], "Ünïcode");
        assert_eq!(&"Ünïcode 東京都"[t[2].offset_from..t[2].offset_to], "京都");
    }
}

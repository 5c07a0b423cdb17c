//! The analysis chain as a tantivy tokenizer, registered for every text field of the index.

use tantivy::tokenizer::{Token as TantivyToken, TokenStream, Tokenizer};

use super::{Mode, Tokens};

/// The chain as a tantivy tokenizer, registered for every text field. Tantivy clones it for
/// each indexing thread, and each clone reuses its buffers for every text it reads.
#[derive(Clone)]
pub struct WendaoTokenizer {
    mode: Mode,
    tokens: Tokens,
    current: TantivyToken,
}

impl WendaoTokenizer {
    pub fn new(mode: Mode) -> WendaoTokenizer {
        WendaoTokenizer {
            mode,
            tokens: Tokens::default(),
            current: TantivyToken::default(),
        }
    }
}

pub struct WendaoTokenStream<'a> {
    tokens: &'a Tokens,
    next: usize,
    current: &'a mut TantivyToken,
}

impl Tokenizer for WendaoTokenizer {
    type TokenStream<'a> = WendaoTokenStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> WendaoTokenStream<'a> {
        self.tokens.analyze(text, self.mode);
        self.current.reset();
        WendaoTokenStream {
            tokens: &self.tokens,
            next: 0,
            current: &mut self.current,
        }
    }
}

impl TokenStream for WendaoTokenStream<'_> {
    fn advance(&mut self) -> bool {
        let Some(span) = self.tokens.spans.get(self.next) else {
            return false;
        };
        self.next += 1;
        self.current.offset_from = span.from;
        self.current.offset_to = span.to;
        self.current.position = span.position;
        self.current.position_length = 1;
        self.current.text.clear();
        self.current.text.push_str(self.tokens.word(span));
        true
    }

    fn token(&self) -> &TantivyToken {
        self.current
    }

    fn token_mut(&mut self) -> &mut TantivyToken {
        self.current
    }
}

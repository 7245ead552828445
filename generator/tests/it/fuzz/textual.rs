//! Textual edits: bit flips, cuts, line moves and YAML-significant insertions on a seed's text.

use super::*;

#[derive(Debug, Clone, Copy)]
pub(super) enum Pos {
    Byte(u64),
    LineStart(u64),
    LineEnd(u64),
}

#[derive(Debug, Clone)]
pub(super) enum TextEdit {
    Flip {
        at: u64,
        bit: u8,
    },
    Set {
        at: u64,
        byte: u8,
    },
    Delete {
        at: Pos,
        len: u8,
    },
    Insert {
        at: Pos,
        text: String,
    },
    Truncate {
        at: u64,
    },
    CopyLine {
        from: u64,
        to: u64,
    },
    DeleteLine {
        at: u64,
    },
    Indent {
        line: u64,
        delta: i8,
    },
    /// `text` `times` times over: deep nesting, long lines, alias bombs.
    Repeat {
        at: Pos,
        text: String,
        times: usize,
    },
}

#[derive(Debug, Clone)]
pub(super) struct TextualCase {
    pub(super) seed: usize,
    pub(super) edits: Vec<TextEdit>,
    pub(super) words: Vec<String>,
}

pub(super) fn pos() -> BoxedStrategy<Pos> {
    prop_oneof![
        2 => any::<u64>().prop_map(Pos::Byte),
        1 => any::<u64>().prop_map(Pos::LineStart),
        1 => any::<u64>().prop_map(Pos::LineEnd),
    ]
    .boxed()
}

pub(super) fn text_edit() -> BoxedStrategy<TextEdit> {
    prop_oneof![
        2 => (any::<u64>(), 0u8..8).prop_map(|(at, bit)| TextEdit::Flip { at, bit }),
        1 => (any::<u64>(), any::<u8>()).prop_map(|(at, byte)| TextEdit::Set { at, byte }),
        2 => (pos(), 1u8..40).prop_map(|(at, len)| TextEdit::Delete { at, len }),
        4 => (pos(), prop_oneof![
            12 => select(TOKENS).prop_map(str::to_owned),
            3 => key(),
            1 => Just(ALIAS_BOMB.to_owned()),
        ])
            .prop_map(|(at, text)| TextEdit::Insert { at, text }),
        1 => any::<u64>().prop_map(|at| TextEdit::Truncate { at }),
        2 => (any::<u64>(), any::<u64>()).prop_map(|(from, to)| TextEdit::CopyLine { from, to }),
        2 => any::<u64>().prop_map(|at| TextEdit::DeleteLine { at }),
        2 => (any::<u64>(), -4i8..5).prop_map(|(line, delta)| TextEdit::Indent { line, delta }),
        1 => (
            pos(),
            prop_oneof![
                3 => select(REPEATED).prop_map(str::to_owned),
                1 => select(TOKENS).prop_map(str::to_owned),
            ],
            prop_oneof![3 => 2usize..200, 1 => 200usize..100_000],
        )
            .prop_map(|(at, text, times)| TextEdit::Repeat { at, text, times }),
    ]
    .boxed()
}

pub(super) fn textual_case() -> BoxedStrategy<TextualCase> {
    (
        seed_index(false),
        prop_oneof![3 => proptest::collection::vec(text_edit(), 1..2), 1 => proptest::collection::vec(text_edit(), 2..5)],
        words(),
    )
        .prop_map(|(seed, edits, words)| TextualCase { seed, edits, words })
        .boxed()
}

/// Byte offsets of line starts (`[0, after each \n]`).
pub(super) fn line_starts(text: &[u8]) -> Vec<usize> {
    std::iter::once(0)
        .chain(
            text.iter()
                .enumerate()
                .filter(|(_, b)| **b == b'\n')
                .map(|(i, _)| i + 1),
        )
        .collect()
}

pub(super) fn line_span(text: &[u8], n: u64) -> (usize, usize) {
    let starts = line_starts(text);
    let i = (n % starts.len() as u64) as usize;
    let start = starts[i];
    let end = starts.get(i + 1).copied().unwrap_or(text.len());
    (start, end)
}

pub(super) fn offset(text: &[u8], at: Pos) -> usize {
    match at {
        Pos::Byte(n) => (n % (text.len() as u64 + 1)) as usize,
        Pos::LineStart(n) => line_span(text, n).0,
        Pos::LineEnd(n) => {
            let (start, end) = line_span(text, n);
            if end > start && text[end - 1] == b'\n' {
                end - 1
            } else {
                end
            }
        }
    }
}

pub(super) fn apply_text(text: &mut Vec<u8>, edit: &TextEdit) {
    let byte =
        |text: &Vec<u8>, n: u64| (!text.is_empty()).then(|| (n % text.len() as u64) as usize);
    match edit {
        TextEdit::Flip { at, bit } => {
            if let Some(i) = byte(text, *at) {
                text[i] ^= 1 << bit;
            }
        }
        TextEdit::Set { at, byte: b } => {
            if let Some(i) = byte(text, *at) {
                text[i] = *b;
            }
        }
        TextEdit::Delete { at, len } => {
            let start = offset(text, *at);
            let end = (start + *len as usize).min(text.len());
            text.drain(start..end);
        }
        TextEdit::Insert { at, text: insert } => {
            let at = offset(text, *at);
            text.splice(at..at, insert.bytes());
        }
        TextEdit::Truncate { at } => {
            let at = (at % (text.len() as u64 + 1)) as usize;
            text.truncate(at);
        }
        TextEdit::CopyLine { from, to } => {
            let (start, end) = line_span(text, *from);
            let mut line = text[start..end].to_vec();
            if !line.ends_with(b"\n") {
                line.push(b'\n');
            }
            let at = line_span(text, *to).0;
            text.splice(at..at, line);
        }
        TextEdit::DeleteLine { at } => {
            let (start, end) = line_span(text, *at);
            text.drain(start..end);
        }
        TextEdit::Repeat {
            at,
            text: repeated,
            times,
        } => {
            let at = offset(text, *at);
            let block = repeated.repeat(*times);
            text.splice(at..at, block.into_bytes());
        }
        TextEdit::Indent { line, delta } => {
            let (start, end) = line_span(text, *line);
            if *delta >= 0 {
                text.splice(start..start, std::iter::repeat_n(b' ', *delta as usize));
            } else {
                let spaces = text[start..end].iter().take_while(|b| **b == b' ').count();
                let remove = spaces.min(delta.unsigned_abs() as usize);
                text.drain(start..start + remove);
            }
        }
    }
}

impl TextualCase {
    pub(super) fn source(&self) -> String {
        let mut text = seeds()[self.seed].text.clone().into_bytes();
        for edit in &self.edits {
            apply_text(&mut text, edit);
        }
        String::from_utf8_lossy(&text).into_owned()
    }
}

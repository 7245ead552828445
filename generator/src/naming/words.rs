//! Product words the document spells itself (`iModel`, `iTwin`, `eBay`): a lower-case
//! letter and then a capitalised word, which case conversion would split
//! (`GetIModels` -> `get_i_models`). [`crate::naming::Naming`] keeps each found word whole,
//! so no configuration is needed; `naming.toml` beside a spec still adds or removes words.
//!
//! A word counts when the document's prose (descriptions, summaries, titles) uses it as
//! a word of its own at least [`MIN_PROSE_USES`] times, outside code spans, and some
//! name (schema, property, parameter, operationId) has it as a part of a longer name
//! (`GetIModels`, `iTwinId`, `eBayItem`): prose is where a product is written as a word,
//! and compound names are where splitting it would show. A field named in prose
//! (`xPosition`, `pVar`) is its own name and no part of another, so it stays two words.

use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

/// How often prose must use a word before names keep it whole.
pub(crate) const MIN_PROSE_USES: usize = 2;

/// The product words of `document`, sorted.
pub(crate) fn product_words(document: &Value) -> Vec<String> {
    let mut texts = Texts::default();
    texts.collect(document, None, 0);
    let mut uses: BTreeMap<String, usize> = BTreeMap::new();
    for prose in &texts.prose {
        for token in prose_tokens(prose) {
            if let Some(word) = candidate(token) {
                *uses.entry(word).or_default() += 1;
            }
        }
    }
    uses.into_iter()
        .filter(|(_, count)| *count >= MIN_PROSE_USES)
        .map(|(word, _)| word)
        .filter(|word| texts.names.iter().any(|name| has_part(name, word)))
        .collect()
}

#[derive(Default)]
struct Texts<'v> {
    prose: Vec<&'v str>,
    names: BTreeSet<&'v str>,
}

/// Values nested deeper than this are not read (the parsers stop at 128 levels).
const MAX_DEPTH: usize = 256;

impl<'v> Texts<'v> {
    fn collect(&mut self, value: &'v Value, key: Option<&str>, depth: usize) {
        if depth > MAX_DEPTH {
            return;
        }
        match value {
            Value::String(text) => match key {
                Some("description" | "summary" | "title") => self.prose.push(text),
                Some("operationId" | "name") => {
                    self.names.insert(text);
                }
                _ => {}
            },
            Value::Object(map) => {
                for (child_key, child) in map {
                    // Examples are data, not prose or names.
                    if matches!(
                        child_key.as_str(),
                        "example" | "examples" | "default" | "enum"
                    ) {
                        continue;
                    }
                    // Keys of these maps are names: schemas, properties, parameters.
                    if matches!(
                        key,
                        Some("schemas" | "properties" | "parameters" | "responses")
                    ) {
                        self.names.insert(child_key);
                    }
                    self.collect(child, Some(child_key), depth + 1);
                }
            }
            Value::Array(items) => {
                for item in items {
                    self.collect(item, key, depth + 1);
                }
            }
            _ => {}
        }
    }
}

/// The words of prose, with code spans (`` `iModelId` ``) left out.
fn prose_tokens(prose: &str) -> impl Iterator<Item = &str> {
    prose
        .split('`')
        .step_by(2)
        .flat_map(|text| text.split(|c: char| !c.is_ascii_alphanumeric()))
        .filter(|token| !token.is_empty())
}

/// `iModel` and `iModels` -> `iModel`; anything else -> `None`.
fn candidate(token: &str) -> Option<String> {
    let bytes = token.as_bytes();
    let shaped = bytes.len() >= 4
        && bytes[0].is_ascii_lowercase()
        && bytes[1].is_ascii_uppercase()
        && bytes[2..].iter().all(u8::is_ascii_lowercase);
    if !shaped {
        return None;
    }
    // A plural is the same word (`iModels`); `eBay`'s `y` is not a plural.
    let singular = match token.strip_suffix('s') {
        Some(stem) if stem.len() >= 4 => stem,
        _ => token,
    };
    Some(singular.to_owned())
}

/// Whether `name` has `word` in it as a word of a longer name: starting and ending a
/// word of it (`GetIModels` and `iModelId` have `iModel`; `taxiModel`, `iModelling`
/// and `iModel` itself do not).
fn has_part(name: &str, word: &str) -> bool {
    let tail = &word[1..];
    let first = word.as_bytes()[0];
    let bytes = name.as_bytes();
    name.match_indices(tail).any(|(at, _)| {
        let Some(before) = at.checked_sub(1).map(|i| bytes[i]) else {
            return false;
        };
        let starts_word =
            at == 1 || !bytes[at - 2].is_ascii_lowercase() || before.is_ascii_uppercase();
        let mut end = at + tail.len();
        let plural = bytes.get(end) == Some(&b's')
            && !bytes.get(end + 1).is_some_and(u8::is_ascii_lowercase);
        if plural {
            end += 1; // `GetIModels`
        }
        let ends_word = !bytes.get(end).is_some_and(u8::is_ascii_lowercase);
        let whole_name = at == 1 && end == bytes.len();
        before.eq_ignore_ascii_case(&first) && starts_word && ends_word && !whole_name
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn finds_words_the_prose_spells_and_the_names_use() {
        let document = json!({
            "info": {"title": "iModels API", "description": "Manage an iModel in an iTwin."},
            "paths": {"/": {"get": {
                "operationId": "GetIModels",
                "summary": "Lists the iModels of an iTwin; see `xCoordinate` and `eTag`.",
                "parameters": [{"name": "iTwinId", "in": "query",
                    "description": "The xCoordinate once, eTag once."}]
            }}},
            "components": {"schemas": {"Point": {"properties": {
                "xCoordinate": {"type": "number", "example": "eBay eBay"},
                "eTag": {"type": "string"}
            }}}}
        });
        assert_eq!(product_words(&document), ["iModel", "iTwin"]);
    }

    #[test]
    fn a_word_the_names_do_not_use_is_not_needed() {
        let document = json!({
            "info": {"title": "eBay", "description": "The eBay API."},
            "paths": {"/": {"get": {"operationId": "listItems"}}}
        });
        assert!(product_words(&document).is_empty());
    }

    #[test]
    fn candidates_are_a_lower_case_letter_then_a_capitalised_word() {
        assert_eq!(candidate("iModels").as_deref(), Some("iModel"));
        assert_eq!(candidate("eBay").as_deref(), Some("eBay"));
        assert_eq!(candidate("iOS"), None);
        assert_eq!(candidate("iD"), None);
        assert_eq!(candidate("model"), None);
        assert_eq!(candidate("xCoordinates").as_deref(), Some("xCoordinate"));
    }

    #[test]
    fn names_have_the_word_as_a_part_of_a_longer_name() {
        assert!(has_part("GetIModels", "iModel"));
        assert!(has_part("iModelId", "iModel"));
        assert!(has_part("CreateIModelExtent", "iModel"));
        assert!(has_part("list_eBay_items", "eBay"));
        assert!(!has_part("get_imodel", "iModel"));
        assert!(!has_part("taxiModel", "iModel"));
        assert!(!has_part("iModelling", "iModel"));
        assert!(!has_part("pVariance", "pVar"));
        // A field named in prose is its own name, not a part of one.
        assert!(!has_part("xPosition", "xPosition"));
        assert!(!has_part("iModels", "iModel"));
    }

    #[test]
    fn a_field_named_in_prose_stays_split() {
        let document = json!({
            "components": {"schemas": {"Caption": {
                "description": "If no explicit xPosition is set, and no yPosition either.",
                "properties": {
                    "xPosition": {"description": "Overrides the xPosition default."},
                    "yPosition": {"type": "integer"}
                }
            }}}
        });
        assert!(product_words(&document).is_empty());
    }
}

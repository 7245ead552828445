//! Doc comments from spec prose, made safe for rustdoc: code fences become `text` so
//! doc tests never try to compile them, indentation that markdown would read as a code
//! block is dropped, brackets cannot turn into broken intra-doc links, bare URLs are
//! wrapped in `<>`, and the lines that continue a list item are indented under it (as
//! markdown means them, and as clippy's `doc_lazy_continuation` asks).

use proc_macro2::TokenStream;
use quote::quote;

/// Control characters other than newlines become spaces.
fn one_line_chars(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() && c != '\n' { ' ' } else { c })
        .collect()
}

/// Text for a single `#[doc = ...]` line built from spec values (enum values, tags):
/// no line breaks or control characters.
pub(super) fn one_line(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// Spec prose made safe for rustdoc. Text the generator writes itself is not passed
/// through this, so its links and code spans work.
pub(super) fn prose(text: Option<&str>) -> Option<String> {
    let text = text?.trim();
    (!text.is_empty()).then(|| sanitize(text).join("\n"))
}

/// `#[doc = "..."]` attributes, one per line, from paragraphs (`None`s are skipped);
/// paragraphs are separated by an empty line. Spec text must go through [`prose`] first.
pub(super) fn doc_attrs(paragraphs: impl IntoIterator<Item = Option<String>>) -> TokenStream {
    let lines = doc_lines(paragraphs);
    let attrs = lines.iter().map(|line| {
        let text = if line.is_empty() {
            String::new()
        } else {
            format!(" {line}")
        };
        quote! { #[doc = #text] }
    });
    quote! { #(#attrs)* }
}

/// Same as [`doc_attrs`] but for inner (`//!`) crate docs.
pub(super) fn inner_doc_attrs(paragraphs: impl IntoIterator<Item = Option<String>>) -> TokenStream {
    let lines = doc_lines(paragraphs);
    let attrs = lines.iter().map(|line| {
        let text = if line.is_empty() {
            String::new()
        } else {
            format!(" {line}")
        };
        quote! { #![doc = #text] }
    });
    quote! { #(#attrs)* }
}

fn doc_lines(paragraphs: impl IntoIterator<Item = Option<String>>) -> Vec<String> {
    let mut lines = Vec::new();
    for paragraph in paragraphs.into_iter().flatten() {
        // A lone `\r` would end a `///` line early; other control characters are noise.
        let paragraph = paragraph.replace("\r\n", "\n").replace('\r', "\n");
        let paragraph = one_line_chars(&paragraph);
        let paragraph = paragraph.trim();
        if paragraph.is_empty() {
            continue;
        }
        if !lines.is_empty() {
            lines.push(String::new());
        }
        lines.extend(paragraph.lines().map(|l| l.trim_end().to_owned()));
    }
    lines
}

/// Sanitises spec prose line by line.
fn sanitize(text: &str) -> Vec<String> {
    let mut in_fence = false;
    let mut lines: Vec<String> = text
        .lines()
        .map(|line| {
            let trimmed = line.trim();
            if trimmed.starts_with("```") {
                let opening = !in_fence;
                in_fence = !in_fence;
                return if opening {
                    "```text".to_owned()
                } else {
                    "```".to_owned()
                };
            }
            if in_fence {
                // Tabs render unpredictably in rustdoc (and clippy flags them).
                return line.trim_end().replace('\t', "    ");
            }
            escape_prose(trimmed)
        })
        .collect();
    if in_fence {
        lines.push("```".to_owned());
    }
    indent_list_continuations(&mut lines);
    lines
}

/// Indents the lines after a list item, up to a blank line or the next item, by the
/// width of its marker (`* `, `- `, `12. `).
fn indent_list_continuations(lines: &mut [String]) {
    let mut width: Option<usize> = None;
    let mut in_fence = false;
    for line in lines.iter_mut() {
        if line.starts_with("```") {
            in_fence = !in_fence;
            width = None;
            continue;
        }
        if in_fence || line.is_empty() {
            width = None;
            continue;
        }
        if let Some(marker) = list_marker(line) {
            width = Some(marker);
        } else if let Some(width) = width {
            line.insert_str(0, &" ".repeat(width));
        }
    }
}

/// The width of the list marker a line starts with, if it starts with one.
fn list_marker(line: &str) -> Option<usize> {
    if ["* ", "- ", "+ "].iter().any(|m| line.starts_with(m)) {
        return Some(2);
    }
    let digits = line.bytes().take_while(u8::is_ascii_digit).count();
    let rest = &line[digits..];
    (digits > 0 && digits < 10 && (rest.starts_with(". ") || rest.starts_with(") ")))
        .then_some(digits + 2)
}

fn escape_prose(line: &str) -> String {
    let line = line.replace('\t', "    ");
    let mut out = String::with_capacity(line.len());
    let mut rest = line.as_str();
    while !rest.is_empty() {
        if let Some(url_len) = bare_url_len(rest) {
            let preceded_by_link = out.ends_with('<') || out.ends_with('(');
            if preceded_by_link {
                out.push_str(&rest[..url_len]);
            } else {
                out.push('<');
                out.push_str(&rest[..url_len]);
                out.push('>');
            }
            rest = &rest[url_len..];
            continue;
        }
        let mut chars = rest.chars();
        let Some(c) = chars.next() else { break };
        match c {
            '[' | ']' => {
                out.push('\\');
                out.push(c);
            }
            '<' if !rest[1..].starts_with("http") => out.push_str("&lt;"),
            '>' if !out.ends_with(|c: char| c.is_ascii_alphanumeric() || c == '/') => {
                out.push_str("&gt;")
            }
            _ => out.push(c),
        }
        rest = chars.as_str();
    }
    out
}

/// Length of an `http(s)://` URL at the start of `text`.
fn bare_url_len(text: &str) -> Option<usize> {
    if !(text.starts_with("http://") || text.starts_with("https://")) {
        return None;
    }
    let end = text
        .find(|c: char| c.is_whitespace() || matches!(c, '>' | ')' | '"' | '\''))
        .unwrap_or(text.len());
    let url = text[..end].trim_end_matches(['.', ',', ';', ':']);
    Some(url.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_item_continuations_are_indented() {
        let text = "Limits:\n* no CORS\nfor security reasons.\n* scopes\n\nAfter.\n12. twelfth\nitem\n```\n* code\nline\n```";
        assert_eq!(
            prose(Some(text)).unwrap(),
            "Limits:\n* no CORS\n  for security reasons.\n* scopes\n\nAfter.\n12. twelfth\n    item\n```text\n* code\nline\n```"
        );
    }

    #[test]
    fn fences_become_text_and_urls_are_wrapped() {
        let lines =
            sanitize("See https://example.com/x.\n```\nlet x = 1;\n```\n    indented [link]");
        assert_eq!(
            lines,
            vec![
                "See <https://example.com/x>.",
                "```text",
                "let x = 1;",
                "```",
                "indented \\[link\\]",
            ]
        );
    }

    #[test]
    fn unclosed_fences_are_closed_and_tags_escaped() {
        assert_eq!(
            sanitize("```rust\nfn x() {}"),
            vec!["```text", "fn x() {}", "```"]
        );
        assert_eq!(sanitize("a <b> c"), vec!["a &lt;b> c"]);
        assert_eq!(sanitize("<https://a.b>"), vec!["<https://a.b>"]);
    }
}

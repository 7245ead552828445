//! Stage 4: token streams -> formatted source text with the `@generated` header.

use proc_macro2::TokenStream;

/// Formats `tokens` as a Rust file. A parse failure here is a generator bug, reported
/// with the offending tokens rather than a panic.
pub fn render(tokens: TokenStream, header: &str) -> Result<String, String> {
    // Cloning a token stream is cheap (reference counted); printing it is not, so the
    // text is only made when it is needed for the error.
    let file: syn::File = syn::parse2(tokens.clone()).map_err(|err| {
        format!(
            "generated code does not parse ({err}): {}",
            excerpt(&tokens.to_string())
        )
    })?;
    Ok(format!(
        "// {header}\n\n{}",
        space_items(&prettyplease::unparse(&file))
    ))
}

/// prettyplease packs items with no blank line between them; hand-written Rust puts
/// one after each item that ends with a closing brace and after the module docs.
/// Generated string literals never span lines, so a line-based pass is safe here.
fn space_items(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 16);
    let mut previous = "";
    let lines: Vec<&str> = text.lines().collect();
    for (index, line) in lines.iter().copied().enumerate() {
        let trimmed = line.trim_start();
        let after_item = matches!(previous.trim(), "}" | "};");
        let after_docs = (previous.starts_with("//!") && !trimmed.starts_with("//!"))
            || (previous.starts_with("#![") && !trimmed.starts_with("#!["));
        let after_uses = previous.starts_with("use ") && !trimmed.starts_with("use ");
        // Only top-level lines after a `;` item can open a new group of items.
        let new_group = previous.ends_with(';')
            && !previous.starts_with("//")
            && !previous.starts_with(' ')
            && !line.starts_with(' ')
            && (trimmed.starts_with("///") || {
                // The line that says what the item is, past its attributes and docs.
                let item_line = lines[index..]
                    .iter()
                    .find(|l| !l.starts_with("#[") && !l.starts_with("///"))
                    .copied()
                    .unwrap_or(line);
                item_kind(previous) != item_kind(item_line)
            });
        let starts_item = [
            "///", "#[", "pub ", "impl", "fn ", "async fn", "const ", "type ", "struct ", "enum ",
            "mod ", "use ",
        ]
        .iter()
        .any(|p| trimmed.starts_with(p));
        if !out.is_empty() && starts_item && (after_item || after_docs || after_uses || new_group) {
            out.push('\n');
        }
        out.push_str(line);
        out.push('\n');
        previous = line;
    }
    out
}

/// The first word of an item line, past `pub`: `use`, `type`, `const`.
fn item_kind(line: &str) -> &str {
    line.trim_start_matches("pub ")
        .split(' ')
        .next()
        .unwrap_or("")
}

fn excerpt(text: &str) -> &str {
    let end = text.char_indices().nth(400).map_or(text.len(), |(i, _)| i);
    &text[..end]
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    #[test]
    fn renders_with_header_and_blank_lines_between_items() {
        let text = render(
            quote! { pub struct A {} impl A { fn a() {} fn b() {} } },
            "@generated",
        )
        .unwrap();
        assert_eq!(
            text,
            "// @generated\n\npub struct A {}\nimpl A {\n    fn a() {}\n    fn b() {}\n}\n"
        );
        let text = render(quote! { pub struct A { x: u8 } pub struct B {} }, "h").unwrap();
        assert_eq!(
            text,
            "// h\n\npub struct A {\n    x: u8,\n}\n\npub struct B {}\n"
        );
    }

    #[test]
    fn reports_unparsable_tokens() {
        assert!(render(quote! { fn }, "h")
            .unwrap_err()
            .starts_with("generated code does not parse"));
    }
}

//! Shared service: problems found in a spec, reported the way rustc reports problems
//! in code: what is wrong, where (file, JSON pointer, line), and a hint when we have
//! one. JSON pointers are built and read in `pointer`; `locate` finds their lines,
//! through overlays and Swagger 2.0 conversion; `guard` turns a panic into one.

pub(crate) mod guard;
pub(crate) mod locate;
pub(crate) mod pointer;

pub use self::pointer::pointer;

use std::fmt;

/// How bad a problem is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Generation went on with a fallback for this item.
    Warning,
    /// Generation stopped; nothing was written.
    Error,
}

/// One problem, tied to a place in the spec.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Diagnostic {
    pub severity: Severity,
    /// The file the place is in when it is not the spec itself: an overlay that
    /// is broken, or that put the node there (see [`crate::source::overlay`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// JSON pointer into the document, e.g. `#/paths/~1{iModelId}/get`.
    pub pointer: String,
    /// 1-based line and column in the source text, when they could be found.
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub message: String,
    pub hint: Option<String>,
    /// The text of `line` (a window of it around `column` when it is long, as a
    /// minified document's one line is), for the labelled snippet under the message.
    pub source_line: Option<String>,
    /// The 1-based column in `source_line` that `column` is at.
    pub caret: Option<usize>,
}

impl Diagnostic {
    pub fn error(pointer: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(Severity::Error, pointer, message)
    }

    pub fn warning(pointer: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(Severity::Warning, pointer, message)
    }

    fn new(severity: Severity, pointer: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            severity,
            file: None,
            pointer: pointer.into(),
            line: None,
            column: None,
            message: message.into(),
            hint: None,
            source_line: None,
            caret: None,
        }
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    pub fn at(mut self, line: usize, column: usize) -> Self {
        self.line = Some(line);
        self.column = Some(column);
        self
    }
}

/// Every problem found in one run, tied to the file they came from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Diagnostics {
    /// The spec's path as the user gave it; used only for display.
    pub file: String,
    pub items: Vec<Diagnostic>,
}

impl Diagnostics {
    pub fn new(file: impl Into<String>) -> Self {
        Self {
            file: file.into(),
            items: Vec::new(),
        }
    }

    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.items.push(diagnostic);
    }

    pub fn has_errors(&self) -> bool {
        self.items.iter().any(|d| d.severity == Severity::Error)
    }

    pub fn errors(&self) -> impl Iterator<Item = &Diagnostic> {
        self.items.iter().filter(|d| d.severity == Severity::Error)
    }

    pub fn warnings(&self) -> impl Iterator<Item = &Diagnostic> {
        self.items
            .iter()
            .filter(|d| d.severity == Severity::Warning)
    }

    /// Drops an error at a pointer that already has one: a problem found while loading
    /// (a `$ref` to the wrong kind of object) is met again by lowering, which can only
    /// say less about it.
    pub fn keep_first_error_per_place(&mut self) {
        let mut seen = std::collections::HashSet::new();
        self.items
            .retain(|item| item.severity != Severity::Error || seen.insert(item.pointer.clone()));
    }

    /// Fills in line, column and the source line for every item whose pointer can be
    /// found in `source`. One pass over the text for all items, however many. Items
    /// in another file (an overlay's) are left as they are.
    pub fn locate(&mut self, source: &str) {
        // Columns count from after a byte-order mark, as editors show the line.
        let source = locate::without_bom(source);
        let lines: Vec<&str> = source.lines().collect();
        // YAML counts more line breaks (a lone `\r`, NEL) than `str::lines`; a line
        // we cannot show is better left out than wrong.
        for item in self.items.iter_mut().filter(|item| item.file.is_none()) {
            if item.line.is_some_and(|line| line > lines.len().max(1)) {
                item.line = None;
                item.column = None;
            }
        }
        let wanted: Vec<&str> = self
            .items
            .iter()
            .filter(|item| item.line.is_none() && item.file.is_none())
            .map(|item| item.pointer.as_str())
            .collect();
        let mut found = crate::diagnostics::locate::positions(source, &lines, &wanted).into_iter();
        for item in self.items.iter_mut().filter(|item| item.file.is_none()) {
            if item.line.is_none() {
                if let Some((line, column)) = found.next().flatten() {
                    item.line = Some(line);
                    item.column = Some(column);
                }
            }
            if let (Some(line), Some(column)) = (item.line, item.column) {
                if let Some(text) = lines.get(line.saturating_sub(1)) {
                    let (window, caret) = window(text.trim_end(), column);
                    item.source_line = Some(visible(&window));
                    item.caret = Some(caret);
                }
            }
        }
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for item in &self.items {
            let level = match item.severity {
                Severity::Warning => "warning",
                Severity::Error => "error",
            };
            writeln!(f, "{level}: {}", item.message)?;
            let file = item.file.as_deref().unwrap_or(&self.file);
            match (item.line, item.column, &item.source_line) {
                (Some(line), Some(column), Some(text)) => {
                    // rustc's layout: location, gutter, the line, a caret under the column.
                    let gutter = " ".repeat(line.to_string().len());
                    writeln!(f, "{gutter}--> {file}:{line}:{column}")?;
                    writeln!(f, "{gutter} |")?;
                    writeln!(f, "{line} | {text}")?;
                    let caret = item.caret.unwrap_or(column);
                    let pad = " ".repeat(caret.saturating_sub(1));
                    writeln!(f, "{gutter} | {pad}^ {}", item.pointer)?;
                }
                (Some(line), Some(column), None) => {
                    writeln!(f, "  --> {file}:{line}:{column} at {}", item.pointer)?
                }
                _ => writeln!(f, "  --> {file} at {}", item.pointer)?,
            }
            if let Some(hint) = &item.hint {
                writeln!(f, "  = help: {hint}")?;
            }
        }
        let errors = self.errors().count();
        let warnings = self.warnings().count();
        if errors + warnings > 0 {
            // The spec, and any overlay an item is in, each once, in order of appearance.
            let mut files: Vec<&str> = Vec::new();
            for item in &self.items {
                let file = item.file.as_deref().unwrap_or(&self.file);
                if !files.contains(&file) {
                    files.push(file);
                }
            }
            writeln!(
                f,
                "{errors} error{}, {warnings} warning{} in {}",
                if errors == 1 { "" } else { "s" },
                if warnings == 1 { "" } else { "s" },
                files.join(", ")
            )?;
        }
        Ok(())
    }
}

impl std::error::Error for Diagnostics {}

/// Characters of a long line shown before and after the column.
const BEFORE: usize = 60;
const AFTER: usize = 100;

/// A window of `text` short enough to show (minified JSON can be one huge line) that
/// holds the 1-based `column`, and the column's place in it.
fn window(text: &str, column: usize) -> (String, usize) {
    let length = text.chars().count();
    if length <= BEFORE + AFTER {
        return (text.to_owned(), column);
    }
    let at = column.saturating_sub(1).min(length);
    let start = at.saturating_sub(BEFORE);
    let end = (at + AFTER).min(length);
    let mut shown: String = text.chars().skip(start).take(end - start).collect();
    let mut caret = at - start + 1;
    if start > 0 {
        shown.insert(0, '…');
        caret += 1;
    }
    if end < length {
        shown.push('…');
    }
    (shown, caret)
}

/// `text` with each control character but tab shown as its Unicode control picture
/// (NUL as `␀`): one character for one, so columns stay, and no terminal or snapshot
/// receives a raw control byte.
fn visible(text: &str) -> String {
    text.chars()
        .map(|c| match u32::from(c) {
            code @ 0..=0x1F if c != '\t' => char::from_u32(0x2400 + code).unwrap_or(c),
            0x7F => '\u{2421}',
            _ => c,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_line_shows_a_window_around_the_column() {
        let padding = "\"x\": 0, ".repeat(1_000);
        let source = format!("{{{padding}\"paths\": {{\"/a\": 5}}}}");
        let mut diags = Diagnostics::new("min.json");
        diags.push(Diagnostic::error("#/paths/~1a", "bad path item"));
        diags.locate(&source);
        let column = source.find("\"/a\"").expect("present") + 1;
        assert_eq!(
            (diags.items[0].line, diags.items[0].column),
            (Some(1), Some(column))
        );
        let text = diags.to_string();
        let lines: Vec<&str> = text.lines().collect();
        let (shown, caret) = (lines[3], lines[4]);
        assert!(shown.len() < 200, "{shown}");
        let under = caret.find('^').expect("a caret");
        // Columns count characters (the window starts with `…`, three bytes).
        let pointed: String = shown.chars().skip(under).take(4).collect();
        assert_eq!(pointed, "\"/a\"", "{shown}\n{caret}");
    }

    #[test]
    fn pointer_escapes_slashes_and_tildes() {
        assert_eq!(
            pointer(["paths", "/{iModelId}", "get"]),
            "#/paths/~1{iModelId}/get"
        );
        assert_eq!(pointer(["a~b"]), "#/a~0b");
    }

    #[test]
    fn display_names_file_pointer_line_and_hint() {
        let mut diags = Diagnostics::new("spec/x.yaml");
        diags.push(
            Diagnostic::error("#/paths", "bad thing")
                .at(3, 5)
                .with_hint("do it right"),
        );
        let text = diags.to_string();
        assert_eq!(
            text,
            "error: bad thing\n  --> spec/x.yaml:3:5 at #/paths\n  = help: do it right\n1 error, 0 warnings in spec/x.yaml\n"
        );
        diags.locate("a: 1\nb: 2\npaths:\n    x: 1\n");
        assert_eq!(
            diags.to_string(),
            "error: bad thing\n --> spec/x.yaml:3:5\n  |\n3 | paths:\n  |     ^ #/paths\n  = help: do it right\n1 error, 0 warnings in spec/x.yaml\n"
        );
    }
}

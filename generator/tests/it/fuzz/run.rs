//! Running one input: on a worker thread under a time bound, with panics recorded by a
//! hook, and every promise of the result checked (files parse, diagnostics are located).

use super::*;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Outcome {
    Generated,
    /// With the first error, normalised, for the statistics.
    Rejected(String),
}

#[derive(Debug, Clone)]
pub(super) struct Failure {
    /// What went wrong and where, without input-specific text: failures with the same
    /// signature are one bug.
    pub(super) signature: String,
    /// The message, backtrace or offending output.
    pub(super) detail: String,
}

impl Failure {
    pub(super) fn new(signature: impl Into<String>, detail: impl Into<String>) -> Self {
        Self {
            signature: signature.into(),
            detail: detail.into(),
        }
    }
}

pub(super) const WORKER_NAME: &str = "fuzz-case";

/// The first panic of the running case, on whichever thread: `generate` runs the
/// pipeline on a thread of its own and resumes its panic on the caller's.
pub(super) static LAST_PANIC: Mutex<Option<Failure>> = Mutex::new(None);
/// Set while a case runs; panics then are recorded, not printed.
pub(super) static CASE_RUNNING: AtomicBool = AtomicBool::new(false);

/// While a case runs, panics are recorded (location, message, the generator's frames)
/// instead of printed; otherwise the default hook runs.
pub(super) fn install_panic_hook() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !CASE_RUNNING.load(Ordering::SeqCst) {
                return previous(info);
            }
            let thread = std::thread::current()
                .name()
                .unwrap_or("unnamed")
                .to_owned();
            let location = info.location().map_or_else(
                || "unknown".to_owned(),
                |l| format!("{}:{}:{}", l.file(), l.line(), l.column()),
            );
            let payload = info.payload();
            let message = payload
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "<non-string panic payload>".to_owned());
            let backtrace = std::backtrace::Backtrace::force_capture().to_string();
            let frames = generator_frames(&backtrace);
            // A panic inside a dependency (`Ident::new`) is told apart by its caller.
            let caller = frames
                .iter()
                .find(|f| !f.contains("fuzz::"))
                .map(|f| f.lines().next().unwrap_or("").trim().to_owned())
                .unwrap_or_default();
            let signature = if location.contains("generator/src") || location.starts_with("src/") {
                format!("panic at {location}")
            } else {
                format!("panic at {location} (from {caller})")
            };
            let detail = format!(
                "thread '{thread}' panicked at {location}:\n{message}\n\ngenerator frames:\n{}",
                frames.join("\n")
            );
            let mut last = LAST_PANIC.lock().unwrap_or_else(|e| e.into_inner());
            if last.is_none() {
                *last = Some(Failure::new(signature, detail));
            }
        }));
    });
}

/// The frames of `generator::` functions, each with its `at file:line` line.
pub(super) fn generator_frames(backtrace: &str) -> Vec<String> {
    let lines: Vec<&str> = backtrace.lines().collect();
    let mut frames = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let name = line.trim_start().split_once(": ").map_or("", |(_, n)| n);
        if name.starts_with("generator::")
            || name.starts_with("<generator::")
            || name.starts_with("fuzz::")
        {
            let mut frame = format!("  {name}");
            if let Some(at) = lines
                .get(i + 1)
                .filter(|l| l.trim_start().starts_with("at "))
            {
                frame.push_str(&format!("\n      {}", at.trim()));
            }
            frames.push(frame);
        }
    }
    frames.truncate(16);
    frames
}

pub(super) fn settings(words: &[String]) -> Settings {
    Settings {
        command: "cargo test -p generator --test it fuzz::".to_owned(),
        words: words.to_vec(),
        standalone: false,
        runtime: generator::RuntimeDependency::Vendored,
        ..Settings::new("fuzzed", "fuzz.yaml")
    }
}

/// Runs `source` through `generate` on a worker thread, under a time bound.
pub(super) fn run(source: &str, words: &[String]) -> Result<Outcome, Failure> {
    install_panic_hook();
    log_input(source, words);
    *LAST_PANIC.lock().unwrap_or_else(|e| e.into_inner()) = None;
    CASE_RUNNING.store(true, Ordering::SeqCst);
    let (tx, rx) = mpsc::channel();
    let (source, words) = (source.to_owned(), words.to_vec());
    let worker = std::thread::Builder::new()
        .name(WORKER_NAME.to_owned())
        .stack_size(WORKER_STACK)
        .spawn(move || {
            let result = std::panic::catch_unwind(AssertUnwindSafe(|| inspect(&source, &words)));
            let result = result.unwrap_or_else(|_| {
                Err(LAST_PANIC
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .take()
                    .unwrap_or_else(|| Failure::new("panic", "panicked (no details)")))
            });
            let _ = tx.send(result);
        })
        .expect("can spawn a worker thread");
    let limit = timeout();
    let answer = rx.recv_timeout(limit);
    CASE_RUNNING.store(false, Ordering::SeqCst);
    match answer {
        Ok(result) => {
            let _ = worker.join();
            result
        }
        // The worker cannot be stopped; it is left to finish on its own.
        Err(mpsc::RecvTimeoutError::Timeout) => Err(Failure::new(
            "hang",
            format!("generate did not return within {} ms", limit.as_millis()),
        )),
        Err(mpsc::RecvTimeoutError::Disconnected) => Err(Failure::new(
            "worker died",
            "the worker thread ended without an answer",
        )),
    }
}

/// Generates and checks everything the result promises.
pub(super) fn inspect(source: &str, words: &[String]) -> Result<Outcome, Failure> {
    match generator::generate(source, &settings(words)) {
        Ok(files) => {
            check_files(&files)?;
            check_diagnostics(&files.warnings, source, false)?;
            let _ = files.warnings.to_string();
            Ok(Outcome::Generated)
        }
        Err(diagnostics) => {
            check_diagnostics(&diagnostics, source, true)?;
            let _ = diagnostics.to_string();
            let reason = diagnostics.errors().next().map_or_else(String::new, |d| {
                normalise(&d.message).chars().take(70).collect()
            });
            Ok(Outcome::Rejected(reason))
        }
    }
}

/// `text` with everything between backticks or quotes, and every number, blanked, so
/// messages that differ only in names compare equal.
pub(super) fn normalise(text: &str) -> String {
    let mut out = String::new();
    let mut quote: Option<char> = None;
    let mut previous_digit = false;
    for c in text.chars().take(200) {
        match quote {
            Some(q) if c == q => {
                out.push(c);
                quote = None;
            }
            Some(_) => {}
            None if c == '`' || c == '"' => {
                out.push(c);
                out.push('…');
                quote = Some(c);
            }
            None if c.is_ascii_digit() => {
                if !previous_digit {
                    out.push('N');
                }
            }
            None => out.push(c),
        }
        previous_digit = c.is_ascii_digit();
    }
    out
}

pub(super) fn check_files(files: &GeneratedFiles) -> Result<(), Failure> {
    // The runtime files are copied verbatim; parsing them once is enough.
    static CHECKED_RUNTIME: Mutex<Option<HashSet<String>>> = Mutex::new(None);
    for (path, text) in &files.files {
        if path.ends_with(".rs") {
            if path.starts_with("src/runtime/") {
                let mut checked = CHECKED_RUNTIME.lock().unwrap_or_else(|e| e.into_inner());
                if !checked
                    .get_or_insert_with(HashSet::new)
                    .insert(path.clone())
                {
                    continue;
                }
            }
            if let Err(err) = syn::parse_file(text) {
                return Err(Failure::new(
                    format!("{path} does not parse: {}", normalise(&err.to_string())),
                    format!("syn: {err}\n--- {path} ---\n{text}"),
                ));
            }
        } else if path.ends_with(".toml") {
            if let Err(err) = toml::from_str::<toml::Table>(text) {
                let message = err.message().to_owned();
                return Err(Failure::new(
                    format!("{path} does not parse as TOML: {}", normalise(&message)),
                    format!("toml: {err}\n--- {path} ---\n{text}"),
                ));
            }
        }
    }
    for expected in [
        "Cargo.toml",
        "src/lib.rs",
        "src/models.rs",
        "src/operations.rs",
    ] {
        if !files.files.contains_key(expected) {
            return Err(Failure::new(format!("{expected} is missing"), ""));
        }
    }
    Ok(())
}

pub(super) fn check_diagnostics(
    diagnostics: &Diagnostics,
    source: &str,
    failed: bool,
) -> Result<(), Failure> {
    if failed && !diagnostics.has_errors() {
        return Err(Failure::new(
            "Err without an error diagnostic",
            format!("{diagnostics:#?}"),
        ));
    }
    let lines = source.lines().count().max(1);
    for item in &diagnostics.items {
        let what = format!("{:?} {:?}", item.severity, normalise(&item.message));
        if item.message.starts_with("internal error") {
            // "internal error in src/x.rs: generated code does not parse (why): tokens"
            let head = item.message.split("): ").next().unwrap_or(&item.message);
            return Err(Failure::new(normalise(head), format!("{item:#?}")));
        }
        if item.message.trim().is_empty() {
            return Err(Failure::new(
                format!(
                    "diagnostic without a message at {}",
                    normalise(&item.pointer)
                ),
                format!("{item:#?}"),
            ));
        }
        if !item.pointer.starts_with('#') {
            return Err(Failure::new(
                format!(
                    "diagnostic pointer {:?} does not start with #: {what}",
                    normalise(&item.pointer)
                ),
                format!("{item:#?}"),
            ));
        }
        if item.line.is_some_and(|l| l == 0 || l > lines + 1) {
            // One bug per stage: the message up to its first colon (`not valid YAML`).
            let stage = item.message.split(':').next().unwrap_or("");
            return Err(Failure::new(
                format!(
                    "diagnostic line outside the source: {:?} {}",
                    item.severity,
                    normalise(stage)
                ),
                format!("source has {lines} lines\n{item:#?}"),
            ));
        }
    }
    Ok(())
}

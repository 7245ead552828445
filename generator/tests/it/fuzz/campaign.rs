//! The campaign: cases run in a child process that logs each input, crashes reduced
//! by replaying candidates in more children, and every distinct failure reported.

use super::*;

// A stack overflow aborts the process; no thread or `catch_unwind` survives it. So each
// campaign runs in a child process (this test binary, filtered to the one test), which
// logs every input before running it. When the child dies, the parent reads the log,
// reduces the input by replaying candidates in more child processes (the `replay`
// test), and starts a new child at the next case.

/// Where `run` logs each input before running it, and the case it belongs to.
pub(super) static CRASH_LOG: Mutex<Option<(PathBuf, usize)>> = Mutex::new(None);

pub(super) fn log_input(source: &str, words: &[String]) {
    let log = CRASH_LOG.lock().unwrap_or_else(|e| e.into_inner());
    if let Some((path, case)) = log.as_ref() {
        let words = serde_json::to_string(words).unwrap_or_default();
        let _ = std::fs::write(path, format!("{case}\n{words}\n{source}"));
    }
}

/// Case, words and source from a crash log.
pub(super) fn read_crash_log(path: &PathBuf) -> Option<(usize, Vec<String>, String)> {
    let text = std::fs::read_to_string(path).ok()?;
    let (case, rest) = text.split_once('\n')?;
    let (words, source) = rest.split_once('\n')?;
    Some((
        case.parse().ok()?,
        serde_json::from_str(words).ok()?,
        source.to_owned(),
    ))
}

pub(super) fn crash_signature(stderr: &str, status: std::process::ExitStatus) -> String {
    if stderr.contains("has overflowed its stack") {
        "stack overflow (the process aborts)".to_owned()
    } else {
        format!("crash ({status})")
    }
}

pub(super) fn tail(text: &str, lines: usize) -> String {
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

/// Runs one input in a child process; the crash, if it crashes.
pub(super) fn replay_in_child(name: &str, source: &str, words: &[String]) -> Option<Failure> {
    let file = out_dir().join(format!("replay-{name}.txt"));
    std::fs::write(&file, source).expect("can write the replay input");
    let words = serde_json::to_string(words).unwrap_or_default();
    let output = crate::support::run_child(
        "fuzz::replay",
        [
            ("FUZZ_REPLAY", file.as_os_str()),
            ("FUZZ_WORDS", words.as_ref()),
        ],
    );
    if output.status.code().is_some() {
        return None;
    }
    let stderr = String::from_utf8_lossy(&output.stderr);
    Some(Failure::new(
        crash_signature(&stderr, output.status),
        format!("{}\n{}", output.status, tail(&stderr, 5)),
    ))
}

// ---------------------------------------------------------------------------------------
// The campaign

/// One distinct failure, as the child reports it to the parent.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub(super) struct Found {
    pub(super) signature: String,
    pub(super) detail: String,
    pub(super) occurrences: usize,
    pub(super) first_case: usize,
    pub(super) seed: String,
    pub(super) input: String,
    pub(super) words: Vec<String>,
    pub(super) file: PathBuf,
}

#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
pub(super) struct Report {
    /// Cases run, from the child's first case up to `next_case`.
    pub(super) cases: usize,
    pub(super) next_case: usize,
    pub(super) generated: usize,
    pub(super) rejected: usize,
    /// First error of rejected cases, normalised -> count.
    pub(super) reasons: BTreeMap<String, usize>,
    pub(super) found: BTreeMap<String, Found>,
}

impl Report {
    pub(super) fn merge(&mut self, other: Report) {
        self.cases += other.cases;
        self.generated += other.generated;
        self.rejected += other.rejected;
        for (reason, count) in other.reasons {
            *self.reasons.entry(reason).or_default() += count;
        }
        for (signature, found) in other.found {
            self.add(found, &signature);
        }
    }

    pub(super) fn add(&mut self, found: Found, signature: &str) {
        match self.found.get_mut(signature) {
            Some(known) => known.occurrences += found.occurrences,
            None => {
                self.found.insert(signature.to_owned(), found);
            }
        }
    }
}

pub(super) fn save_failure(name: &str, number: usize, input: &str) -> PathBuf {
    let file = out_dir().join(format!("{name}-failure-{number}.txt"));
    let _ = std::fs::write(&file, input);
    file
}

/// The child's side: runs cases `FUZZ_START..FUZZ_CASES` and writes a report.
pub(super) fn run_cases<S>(name: &str, strategy: S)
where
    S: Strategy,
    S::Value: Input,
{
    let cases = env_number("FUZZ_CASES", DEFAULT_CASES as u64) as usize;
    let start = env_number("FUZZ_START", 0) as usize;
    let report_path = PathBuf::from(std::env::var("FUZZ_REPORT").expect("FUZZ_REPORT is set"));
    let mut seed_bytes = [0u8; 32];
    seed_bytes[..8].copy_from_slice(&rng_seed().to_le_bytes());
    let tag = &name.as_bytes()[..name.len().min(24)];
    seed_bytes[8..8 + tag.len()].copy_from_slice(tag);
    let mut runner = TestRunner::new_with_rng(
        Config::default(),
        TestRng::from_seed(RngAlgorithm::ChaCha, &seed_bytes),
    );
    let log = out_dir().join(format!("last-{name}.txt"));
    // Failures an earlier child already shrank: only counted here.
    let known: HashSet<String> = std::env::var("FUZZ_KNOWN")
        .ok()
        .and_then(|text| serde_json::from_str(&text).ok())
        .unwrap_or_default();
    let mut report = Report::default();
    let write = |report: &Report| {
        let text = serde_json::to_string(report).expect("reports serialise");
        std::fs::write(&report_path, text).expect("can write the report");
    };
    for case in 0..cases {
        // Every case is drawn, so case n is the same whichever case the child starts at.
        let mut tree = strategy
            .new_tree(&mut runner)
            .unwrap_or_else(|e| panic!("{name}: cannot make a case: {e}"));
        if case < start {
            continue;
        }
        *CRASH_LOG.lock().unwrap_or_else(|e| e.into_inner()) = Some((log.clone(), case));
        let input = tree.current();
        let source = input.source();
        report.cases += 1;
        report.next_case = case + 1;
        match run(&source, input.words()) {
            Ok(Outcome::Generated) => report.generated += 1,
            Ok(Outcome::Rejected(reason)) => {
                report.rejected += 1;
                *report.reasons.entry(reason).or_default() += 1;
            }
            Err(failure) => {
                if let Some(found) = report.found.get_mut(&failure.signature) {
                    found.occurrences += 1;
                    continue;
                }
                if known.contains(&failure.signature) {
                    let found = Found {
                        signature: failure.signature.clone(),
                        detail: String::new(),
                        occurrences: 1,
                        first_case: case,
                        seed: String::new(),
                        input: String::new(),
                        words: Vec::new(),
                        file: PathBuf::new(),
                    };
                    report.found.insert(failure.signature, found);
                    continue;
                }
                eprintln!("{name}: case {case}: {} (shrinking)", failure.signature);
                let (small, mut failure) = shrink(&mut tree, failure);
                let mut budget = Budget::new(&failure.signature, REDUCE_ATTEMPTS);
                let mut check = same_failure(failure.signature.clone());
                let (input, words) = reduce(
                    &small.source(),
                    small.document(),
                    small.words(),
                    &mut check,
                    &mut failure,
                    &mut budget,
                );
                let file = save_failure(name, case, &input);
                let found = Found {
                    signature: failure.signature.clone(),
                    detail: failure.detail,
                    occurrences: 1,
                    first_case: case,
                    seed: seeds()[small.seed()].name.clone(),
                    input,
                    words,
                    file,
                };
                report.found.insert(failure.signature, found);
                write(&report);
            }
        }
        if case % 20 == 0 {
            write(&report);
        }
    }
    write(&report);
}

pub(super) fn rng_seed() -> u64 {
    env_number("FUZZ_SEED", DEFAULT_SEED)
}

/// The parent's side: runs the child until it has run every case, then reports.
pub(super) fn campaign<S>(name: &str, test: &str, strategy: S)
where
    S: Strategy,
    S::Value: Input,
{
    if std::env::var_os("FUZZ_CHILD").is_some() {
        return run_cases(name, strategy);
    }
    let cases = env_number("FUZZ_CASES", DEFAULT_CASES as u64) as usize;
    let started = Instant::now();
    let report_path = out_dir().join(format!("{name}-report.json"));
    let log = out_dir().join(format!("last-{name}.txt"));
    let mut total = Report::default();
    let mut crashes = 0;
    let mut reached = 0;
    let mut start = 0;
    while start < cases {
        let _ = std::fs::remove_file(&report_path);
        let _ = std::fs::remove_file(&log);
        let known =
            serde_json::to_string(&total.found.keys().collect::<Vec<_>>()).unwrap_or_default();
        let output = crate::support::run_child(
            test,
            [
                ("FUZZ_CHILD", std::ffi::OsStr::new("1")),
                ("FUZZ_START", start.to_string().as_ref()),
                ("FUZZ_KNOWN", known.as_ref()),
                ("FUZZ_REPORT", report_path.as_os_str()),
            ],
        );
        let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
        for line in stderr.lines().filter(|l| l.starts_with(name)) {
            println!("{line}");
        }
        let report: Option<Report> = std::fs::read_to_string(&report_path)
            .ok()
            .and_then(|text| serde_json::from_str(&text).ok());
        if let Some(report) = report {
            total.merge(report);
        }
        if output.status.success() {
            reached = cases;
            break;
        }
        if output.status.code().is_some() {
            panic!(
                "the {name} child failed ({}):\n{}\n{stderr}",
                output.status,
                String::from_utf8_lossy(&output.stdout)
            );
        }
        // Killed by a signal: the log holds the input it was running.
        let (case, words, source) = read_crash_log(&log)
            .unwrap_or_else(|| panic!("the {name} child crashed without a log:\n{stderr}"));
        crashes += 1;
        reached = case + 1;
        // Every crash's input as it ran, since crashes share one signature.
        let _ = std::fs::write(out_dir().join(format!("{name}-crash-{case}.txt")), &source);
        let mut failure = Failure::new(
            crash_signature(&stderr, output.status),
            format!("{}\n{}", output.status, tail(&stderr, 5)),
        );
        println!("{name}: case {case}: {} (reducing)", failure.signature);
        let known = total.found.contains_key(&failure.signature);
        let (input, words) = if known {
            (source, words)
        } else {
            let signature = failure.signature.clone();
            let mut check = |source: &str, words: &[String]| {
                replay_in_child(name, source, words).filter(|f| f.signature == signature)
            };
            let document = to_json(&source).map(|doc| {
                let format = match source.trim_start().strip_prefix('{') {
                    Some(rest) if rest.starts_with('\n') => Format::PrettyJson,
                    Some(_) => Format::Json,
                    None => Format::Yaml,
                };
                (doc, format)
            });
            let mut budget = Budget::new(&failure.signature, CRASH_REDUCE_ATTEMPTS);
            reduce(
                &source,
                document,
                &words,
                &mut check,
                &mut failure,
                &mut budget,
            )
        };
        let file = save_failure(name, case, &input);
        let found = Found {
            signature: failure.signature.clone(),
            detail: failure.detail,
            occurrences: 1,
            first_case: case,
            seed: String::from("(see the input)"),
            input,
            words,
            file,
        };
        total.cases += 1;
        total.add(found, &failure.signature);
        start = case + 1;
    }
    let elapsed = started.elapsed().as_secs_f64();
    let failed: usize = total.found.values().map(|f| f.occurrences).sum();
    println!(
        "{name}: {} cases executed in {elapsed:.1} s ({:.0}/s), seed {}: {} generated, {} rejected, {failed} failed ({} distinct), {crashes} crashed",
        total.cases,
        total.cases as f64 / elapsed.max(1e-9),
        rng_seed(),
        total.generated,
        total.rejected,
        total.found.len(),
    );
    let lost = reached.saturating_sub(total.cases);
    if lost > 0 {
        println!("  ({lost} cases ran in children that crashed before reporting them)");
    }
    let mut reasons: Vec<_> = total.reasons.iter().collect();
    reasons.sort_by(|a, b| b.1.cmp(a.1));
    for (reason, count) in reasons.iter().take(10) {
        println!("  rejected {count:>6}x: {reason}");
    }
    if total.found.is_empty() {
        return;
    }
    let mut report = format!("{name}: {} distinct failure(s)\n", total.found.len());
    for (signature, f) in &total.found {
        report.push_str(&format!(
            "\n=== {signature}\n{} occurrence(s), first in case {} (seed {}); reduced input in {}{}\n{}\n--- input ---\n{}\n",
            f.occurrences,
            f.first_case,
            f.seed,
            f.file.display(),
            if f.words.is_empty() {
                String::new()
            } else {
                format!(" (words {:?})", f.words)
            },
            f.detail.chars().take(3000).collect::<String>(),
            f.input.chars().take(4000).collect::<String>(),
        ));
    }
    panic!("{report}");
}

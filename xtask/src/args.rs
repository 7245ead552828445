//! The whole command line of `cargo xtask`, declared once with clap's derive API: every
//! command's flags, their help, and how they depend on each other.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::num::NonZeroUsize;
use std::path::PathBuf;

/// Project automation for imodels-codegen.
#[derive(Debug, Parser)]
#[command(name = "cargo xtask", bin_name = "cargo xtask")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Regenerate generated-client/ from spec/imodels.yaml, or any spec into any crate.
    Codegen(CodegenArgs),
    /// Every check CI runs: fmt, clippy, codegen --check, all tests, corpus.
    Test,
    /// The API change report between two specs; writes nothing.
    Diff(DiffArgs),
    /// Generate and clippy-check every spec of corpus/corpus.toml.
    Corpus(CorpusArgs),
    /// Install the pinned Prism mock server (npm) and print its path.
    Prism,
    /// Generation, build-cost and client benchmarks against progenitor and reqwest.
    Bench(BenchArgs),
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Args)]
pub struct CodegenArgs {
    /// Change nothing; fail if the output is stale.
    #[arg(long)]
    pub check: bool,
    /// Generate this spec instead of spec/imodels.yaml (needs --out).
    #[arg(long, value_name = "PATH", requires = "out")]
    pub spec: Option<PathBuf>,
    /// The standalone crate's directory (needs --spec).
    #[arg(long, value_name = "DIR", requires = "spec")]
    pub out: Option<PathBuf>,
    /// The standalone crate's package name (default: from the spec's title).
    #[arg(long, value_name = "NAME", requires = "out", value_parser = crate_name)]
    pub crate_name: Option<String>,
    /// Put the types no operation uses behind the crate's `unused-schemas` feature.
    #[arg(long, requires = "out")]
    pub gate_unused_schemas: bool,
    /// Apply this OpenAPI Overlay to the spec, after those in the `overlays/` folder
    /// beside it (repeatable; applied in the order given; needs --spec).
    #[arg(long, value_name = "FILE", requires = "spec")]
    pub overlay: Vec<PathBuf>,
    /// Copy the runtime into the crate (`src/runtime/`) instead of depending on this
    /// workspace's runtime/ by a relative path.
    #[arg(long, requires = "out")]
    pub vendor_runtime: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Args)]
pub struct DiffArgs {
    /// The spec before the change.
    pub old: PathBuf,
    /// The spec after the change.
    pub new: PathBuf,
    /// Exit non-zero on breaking changes, or on any API change.
    #[arg(long, value_enum, value_name = "WHAT")]
    pub fail_on: Option<FailOn>,
    /// Apply this OpenAPI Overlay to the new spec, after those in the `overlays/`
    /// folder beside it (repeatable; applied in the order given).
    #[arg(long, value_name = "FILE")]
    pub overlay: Vec<PathBuf>,
}

/// When `cargo xtask diff` should exit non-zero.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    Breaking,
    Any,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Args)]
pub struct CorpusArgs {
    /// Use only target/corpus/cache (no npm, no pip; cargo runs --offline).
    #[arg(long)]
    pub offline: bool,
    /// Print the report without rewriting corpus/REPORT.md (`cargo xtask test` runs the
    /// corpus on every call; its timings would dirty the checkout).
    #[arg(long)]
    pub no_report: bool,
    /// Run only this entry of corpus/corpus.toml (repeatable); REPORT.md is kept.
    #[arg(long, value_name = "NAME", value_parser = clap::builder::NonEmptyStringValueParser::new())]
    pub only: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Args)]
pub struct BenchArgs {
    /// Generation runs of each tool on iModels, alternating [default: 15, 3 with --quick].
    #[arg(long, value_name = "N")]
    pub runs: Option<NonZeroUsize>,
    /// Clean/alone/incremental builds of each generated crate [default: 3, 1 with --quick].
    #[arg(long, value_name = "N")]
    pub build_runs: Option<NonZeroUsize>,
    /// Skip the build-cost comparison (the slow part: minutes).
    #[arg(long)]
    pub no_builds: bool,
    /// Also `cargo check` the generated GitHub crate, default and all features (minutes,
    /// up to ~5 GB).
    #[arg(long)]
    pub github_check: bool,
    /// Few runs and short client rounds: to try the script out.
    #[arg(long)]
    pub quick: bool,
}

impl BenchArgs {
    pub fn runs(&self) -> usize {
        self.runs
            .map_or(if self.quick { 3 } else { 15 }, NonZeroUsize::get)
    }

    pub fn build_runs(&self) -> usize {
        self.build_runs
            .map_or(if self.quick { 1 } else { 3 }, NonZeroUsize::get)
    }
}

/// A Cargo package name: letters, digits, `-` and `_`, not starting with a digit.
fn crate_name(name: &str) -> Result<String, String> {
    let valid = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        && !name.starts_with(|c: char| c.is_ascii_digit());
    if valid {
        Ok(name.to_owned())
    } else {
        Err(
            "not a valid crate name (letters, digits, `-` and `_`, not starting with a digit)"
                .to_owned(),
        )
    }
}

/// Parses `cargo xtask` arguments (without the program name). `Err` holds clap's
/// rendered message: usage for a mistake, the help text for `--help`.
pub fn parse(args: &[String]) -> Result<Cli, clap::Error> {
    Cli::try_parse_from(std::iter::once("cargo xtask".to_owned()).chain(args.iter().cloned()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    fn parse(args: &str) -> Result<Command, String> {
        let args: Vec<String> = args.split_whitespace().map(str::to_owned).collect();
        super::parse(&args)
            .map(|cli| cli.command)
            .map_err(|e| e.to_string())
    }

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn parses_every_command() {
        let cases: [(&str, Command); 6] = [
            ("codegen", Command::Codegen(CodegenArgs::default())),
            (
                "codegen --spec a.yaml --out=o --crate-name x-y --gate-unused-schemas --vendor-runtime --overlay 2.yaml --overlay=1.yaml",
                Command::Codegen(CodegenArgs {
                    spec: Some("a.yaml".into()),
                    out: Some("o".into()),
                    crate_name: Some("x-y".into()),
                    gate_unused_schemas: true,
                    overlay: vec!["2.yaml".into(), "1.yaml".into()],
                    vendor_runtime: true,
                    ..CodegenArgs::default()
                }),
            ),
            (
                "diff a.yaml b.yaml --fail-on breaking --overlay o.yaml",
                Command::Diff(DiffArgs {
                    old: "a.yaml".into(),
                    new: "b.yaml".into(),
                    fail_on: Some(FailOn::Breaking),
                    overlay: vec!["o.yaml".into()],
                }),
            ),
            (
                "corpus --offline --only github --only=petstore",
                Command::Corpus(CorpusArgs {
                    offline: true,
                    only: vec!["github".into(), "petstore".into()],
                    ..CorpusArgs::default()
                }),
            ),
            (
                "bench --quick --runs 7",
                Command::Bench(BenchArgs {
                    quick: true,
                    runs: NonZeroUsize::new(7),
                    ..BenchArgs::default()
                }),
            ),
            ("test", Command::Test),
        ];
        for (line, expected) in cases {
            assert_eq!(
                format!("{:?}", parse(line).unwrap()),
                format!("{expected:?}"),
                "{line}"
            );
        }
    }

    #[test]
    fn bench_defaults_follow_quick() {
        let Command::Bench(quick) = parse("bench --quick --runs 7").unwrap() else {
            panic!("not bench")
        };
        assert_eq!((quick.runs(), quick.build_runs()), (7, 1));
        assert_eq!(
            (
                BenchArgs::default().runs(),
                BenchArgs::default().build_runs()
            ),
            (15, 3)
        );
    }

    #[test]
    fn rejects_bad_arguments_pointing_to_help() {
        for (line, message) in [
            ("codegen --nope", "unexpected argument '--nope'"),
            ("codegen --spec", "a value is required for '--spec <PATH>'"),
            ("codegen --spec a", "required arguments were not provided"),
            (
                "codegen --gate-unused-schemas",
                "required arguments were not provided",
            ),
            (
                "codegen --overlay o.yaml",
                "required arguments were not provided",
            ),
            (
                "codegen --vendor-runtime",
                "required arguments were not provided",
            ),
            (
                "codegen --spec a --out b --crate-name 9x",
                "not a valid crate name",
            ),
            ("bench --runs 0", "invalid value '0' for '--runs <N>'"),
            ("corpus --only", "a value is required for '--only <NAME>'"),
            ("diff a.yaml", "required arguments were not provided"),
            ("nonsense", "unrecognized subcommand 'nonsense'"),
        ] {
            let error = parse(line).unwrap_err();
            assert!(error.contains(message), "{line}: {error}");
            assert!(error.starts_with("error: "), "{line}: {error}");
            assert!(error.contains("--help"), "{line}: {error}");
        }
    }
}

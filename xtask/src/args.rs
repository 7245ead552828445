//! Command-line arguments of `cargo xtask codegen`. Hand-parsed: three flags do not
//! need an argument-parsing dependency in every build of the workspace.

use std::path::PathBuf;

pub const USAGE: &str = "\
usage:
  cargo xtask test                    every check CI runs: fmt, clippy, codegen --check, all tests
  cargo xtask codegen                 regenerate generated-client/ from spec/imodels.yaml
  cargo xtask codegen --check         change nothing; fail if generated-client/ is stale
  cargo xtask codegen --spec PATH --out DIR [--crate-name NAME] [--gate-unused-schemas]
                                      generate any spec into a standalone crate in DIR;
                                      --gate-unused-schemas puts the types no operation
                                      uses behind the crate's `unused-schemas` feature
  cargo xtask diff OLD NEW [--fail-on breaking|any]
                                      the API change report between two specs; writes nothing
  cargo xtask corpus [--offline]      generate and clippy-check every spec of corpus/corpus.toml
  cargo xtask prism                   install the pinned Prism mock server (npm) and print its path
  cargo xtask bench [--quick]         generation, build-cost and client benchmarks vs progenitor/reqwest";

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CodegenArgs {
    pub check: bool,
    pub spec: Option<PathBuf>,
    pub out: Option<PathBuf>,
    pub crate_name: Option<String>,
    pub gate_unused_schemas: bool,
}

impl CodegenArgs {
    pub fn parse(args: &[String]) -> Result<Self, String> {
        let mut parsed = Self::default();
        let mut iter = args.iter();
        while let Some(arg) = iter.next() {
            let (flag, inline) = match arg.split_once('=') {
                Some((flag, value)) if flag.starts_with("--") => (flag, Some(value.to_owned())),
                _ => (arg.as_str(), None),
            };
            let mut value = |name: &str| {
                inline
                    .clone()
                    .or_else(|| iter.next().cloned())
                    .filter(|v| !v.is_empty())
                    .ok_or_else(|| format!("`{name}` needs a value\n\n{USAGE}"))
            };
            match flag {
                "--check" => parsed.check = true,
                "--gate-unused-schemas" => parsed.gate_unused_schemas = true,
                "--spec" => parsed.spec = Some(PathBuf::from(value("--spec")?)),
                "--out" => parsed.out = Some(PathBuf::from(value("--out")?)),
                "--crate-name" => parsed.crate_name = Some(value("--crate-name")?),
                "-h" | "--help" => return Err(USAGE.to_owned()),
                other => return Err(format!("unknown argument `{other}`\n\n{USAGE}")),
            }
        }
        if parsed.spec.is_some() != parsed.out.is_some() {
            return Err(format!("`--spec` and `--out` go together\n\n{USAGE}"));
        }
        if parsed.crate_name.is_some() && parsed.out.is_none() {
            return Err(format!(
                "`--crate-name` only applies with `--spec` and `--out`\n\n{USAGE}"
            ));
        }
        if parsed.gate_unused_schemas && parsed.out.is_none() {
            return Err(format!(
                "`--gate-unused-schemas` only applies with `--spec` and `--out`\n\n{USAGE}"
            ));
        }
        if let Some(name) = &parsed.crate_name {
            if name.is_empty()
                || !name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
                || name.starts_with(|c: char| c.is_ascii_digit())
            {
                return Err(format!("`{name}` is not a valid crate name (letters, digits, `-` and `_`, not starting with a digit)"));
            }
        }
        Ok(parsed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<CodegenArgs, String> {
        CodegenArgs::parse(&args.iter().map(|s| s.to_string()).collect::<Vec<_>>())
    }

    #[test]
    fn parses_flags() {
        assert_eq!(parse(&[]).unwrap(), CodegenArgs::default());
        assert!(parse(&["--check"]).unwrap().check);
        assert!(
            parse(&["--spec", "a.yaml", "--out", "o", "--gate-unused-schemas"])
                .unwrap()
                .gate_unused_schemas
        );
        assert!(parse(&["--gate-unused-schemas"])
            .unwrap_err()
            .contains("only applies with `--spec` and `--out`"));
        let a = parse(&["--spec", "a.yaml", "--out=o", "--crate-name", "x-y"]).unwrap();
        assert_eq!(a.spec, Some(PathBuf::from("a.yaml")));
        assert_eq!(a.out, Some(PathBuf::from("o")));
        assert_eq!(a.crate_name.as_deref(), Some("x-y"));
    }

    #[test]
    fn rejects_bad_arguments_with_usage() {
        assert!(parse(&["--nope"])
            .unwrap_err()
            .contains("unknown argument `--nope`"));
        assert!(parse(&["--spec"])
            .unwrap_err()
            .contains("`--spec` needs a value"));
        assert!(parse(&["--spec", "a"]).unwrap_err().contains("go together"));
        assert!(parse(&["--spec", "a", "--out", "b", "--crate-name", "9x"])
            .unwrap_err()
            .contains("not a valid crate name"));
    }
}

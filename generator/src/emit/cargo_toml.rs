//! `Cargo.toml` of the generated crate. Dependency versions live here, in one table.

use crate::emit::runtime_files::RUNTIME_CRATE;
use crate::ir::ExternalCrate;
use crate::RuntimeDependency;

/// What the generated code always names: serde's derives.
const SERDE_DEPENDENCY: &str = "serde = { version = \"1.0.219\", features = [\"derive\"] }\n";

/// The requirement of each crate the generated code may name beside serde (which of
/// them it does is [`Api::dependencies`](crate::ir::Api::dependencies)): the crates
/// model types come from, which the crate re-exports for its callers. Their versions
/// match the runtime's where it uses them too, so one copy of each is built.
fn requirement(krate: ExternalCrate) -> &'static str {
    match krate {
        ExternalCrate::Chrono => {
            r#"{ version = "0.4.41", default-features = false, features = ["std", "serde"] }"#
        }
        ExternalCrate::SerdeJson => r#""1.0.140""#,
        ExternalCrate::Uuid => r#"{ version = "1.16.0", features = ["serde"] }"#,
    }
}

/// What the runtime needs beside serde, for a crate that carries a copy of it
/// (`--vendor-runtime`); keep in step with `runtime/Cargo.toml`.
const VENDORED_RUNTIME_DEPENDENCIES: &str = r#"bytes = "1.10"
fastrand = "2.3"
futures-util = { version = "0.3.31", default-features = false, features = ["std"] }
httpdate = "1.0.3"
percent-encoding = "2.3.1"
reqwest = { version = "0.12.15", default-features = false, features = ["rustls-tls", "stream", "multipart"] }
serde_json = "1.0.140"
tempfile = "3.20"
thiserror = "2.0.12"
tokio = { version = "1.44", default-features = false, features = ["time", "fs", "io-util", "rt"] }
tokio-util = { version = "0.7.15", default-features = false, features = ["io"] }
tracing = { version = "0.1.41", default-features = false, features = ["std"] }
url = "2.5.4"
xxhash-rust = { version = "0.8.15", features = ["xxh3"] }
"#;

/// HTTP/1.1 is what a REST client needs; HTTP/2 (negotiated over TLS) is one feature
/// away for callers who multiplex many requests, and leaving it out by default keeps
/// `h2` and its four dependencies out of every build.
const HTTP2_COMMENT: &str = "# HTTP/2, negotiated with the server over TLS.\n";

/// The typed mocks of `src/mock.rs`, for the tests of code that uses the client; off
/// by default, so a build that only calls the API never compiles a server.
const MOCK_COMMENT: &str =
    "# Typed mocks on a loopback server, for your tests (`mock::MockServer`).\n";

/// What the vendored runtime's own unit tests use (`runtime/Cargo.toml`'s
/// dev-dependencies): an async test runtime, a loopback server, the oracle its JSON
/// error paths are checked against, and a request body's collector.
const VENDORED_RUNTIME_DEV_DEPENDENCIES: &str = r#"http-body-util = "0.1.3"
serde_path_to_error = "0.1.17"
tokio = { version = "1.44", features = ["macros", "rt", "net"] }
wiremock = "0.6.3"
"#;

/// The mock server the vendored runtime's `mock` module is built on.
const VENDORED_MOCK_DEPENDENCY: &str = "wiremock = { version = \"0.6.3\", optional = true }\n";

/// The manifest. `standalone` crates get an empty `[workspace]` table so they build
/// wherever they are written, even inside another workspace's tree. The
/// `[dependencies]` are serde, the runtime (or, vendored, what it needs) and the
/// `external` crates the code names. A crate has a `[dev-dependencies]` table only
/// when it has tests: its own (`dev_dependencies`, lines `name = requirement`) or the
/// vendored runtime's.
#[allow(clippy::too_many_arguments)] // one per manifest part
pub fn cargo_toml(
    crate_name: &str,
    version: &str,
    description: &str,
    header: &str,
    standalone: bool,
    runtime: &RuntimeDependency,
    external: &[ExternalCrate],
    features: &[&str],
    dev_dependencies: &[String],
) -> String {
    let workspace = if standalone { "\n[workspace]\n" } else { "" };
    let gated: String = features
        .iter()
        .map(|f| format!("# Types no operation uses; see the crate docs.\n{f} = []\n"))
        .collect();
    let vendored_dev = match runtime {
        RuntimeDependency::Vendored => VENDORED_RUNTIME_DEV_DEPENDENCIES,
        _ => "",
    };
    let dev_dependencies = sorted_lines(&dev_dependencies.join("\n"), vendored_dev);
    let dev_dependencies = match dev_dependencies.is_empty() {
        true => String::new(),
        false => format!("\n[dev-dependencies]\n{dev_dependencies}\n"),
    };
    let (http2, mock, runtime_dependency) = match runtime {
        RuntimeDependency::Path(path) => (
            format!("http2 = [\"{RUNTIME_CRATE}/http2\"]"),
            format!("mock = [\"{RUNTIME_CRATE}/mock\"]"),
            format!(
                "{RUNTIME_CRATE} = {{ path = \"{}\" }}\n",
                toml_string_body(path)
            ),
        ),
        RuntimeDependency::Version(requirement) => (
            format!("http2 = [\"{RUNTIME_CRATE}/http2\"]"),
            format!("mock = [\"{RUNTIME_CRATE}/mock\"]"),
            format!("{RUNTIME_CRATE} = \"{}\"\n", toml_string_body(requirement)),
        ),
        RuntimeDependency::Vendored => (
            "http2 = [\"reqwest/http2\"]".to_owned(),
            "mock = [\"dep:wiremock\"]".to_owned(),
            format!("{VENDORED_RUNTIME_DEPENDENCIES}{VENDORED_MOCK_DEPENDENCY}"),
        ),
    };
    let features = format!("[features]\n{HTTP2_COMMENT}{http2}\n{MOCK_COMMENT}{mock}\n{gated}\n");
    let description = toml_string_body(description);
    let named: String = external
        .iter()
        .map(|krate| format!("{} = {}\n", krate.name(), requirement(*krate)))
        .collect();
    let dependencies = sorted_lines(&format!("{SERDE_DEPENDENCY}{named}"), &runtime_dependency);
    format!(
        "# {header}\n\
         [package]\n\
         name = \"{crate_name}\"\n\
         version = \"{version}\"\n\
         edition = \"2021\"\n\
         rust-version = \"1.85\"\n\
         description = \"{description}\"\n\
         publish = false\n\
         {workspace}\n\
         {features}[dependencies]\n{dependencies}\n{dev_dependencies}"
    )
}

/// `manifest`, as [`cargo_toml`] writes it, with package version `version`: the first
/// `version = "..."` line after `[package]` (dependencies are inline tables, so no
/// other line starts that way before it).
pub fn with_package_version(manifest: &str, version: &str) -> String {
    const LINE: &str = "\nversion = \"";
    let start = manifest.find("\n[package]\n").and_then(|package| {
        manifest[package..]
            .find(LINE)
            .map(|at| package + at + LINE.len())
    });
    let end = start.and_then(|start| manifest[start..].find('"').map(|len| start + len));
    match (start, end) {
        (Some(start), Some(end)) => format!("{}{version}{}", &manifest[..start], &manifest[end..]),
        _ => manifest.to_owned(),
    }
}

/// The dependency lines of two tables as one, sorted by crate name as Cargo writes
/// them; a crate named in both keeps the first table's line.
fn sorted_lines(first: &str, second: &str) -> String {
    let mut lines: Vec<&str> = first.lines().collect();
    let name = |line: &str| line.split('=').next().unwrap_or(line).trim().to_owned();
    let named: Vec<String> = lines.iter().map(|line| name(line)).collect();
    lines.extend(second.lines().filter(|line| !named.contains(&name(line))));
    lines.sort_unstable();
    lines.join("\n")
}

/// The inside of a TOML basic string: backslash, quote and control characters escaped.
fn toml_string_body(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", u32::from(c))),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::RuntimeDependency;

    /// The `[dev-dependencies]` table of each kind of crate: none without tests, the
    /// crate's own, the vendored runtime's, and both (a crate named twice once).
    #[test]
    fn dev_dependencies_only_for_crates_with_tests() {
        let own = vec!["tokio = \"1.50\"".to_owned(), "rcgen = \"0.13\"".to_owned()];
        let vendored = RuntimeDependency::Vendored;
        let version = RuntimeDependency::Version("0.4.0".to_owned());
        let cases: [(&RuntimeDependency, &[String], Option<&str>); 3] = [
            (&version, &[], None),
            (&version, &own, Some("rcgen = \"0.13\"\ntokio = \"1.50\"\n")),
            (
                &vendored,
                &own,
                Some(
                    "http-body-util = \"0.1.3\"\nrcgen = \"0.13\"\nserde_path_to_error = \"0.1.17\"\ntokio = \"1.50\"\nwiremock = \"0.6.3\"\n",
                ),
            ),
        ];
        for (runtime, dev, expected) in cases {
            let manifest = super::cargo_toml("c", "0.1.0", "d", "h", true, runtime, &[], &[], dev);
            let table = manifest
                .split_once("\n[dev-dependencies]\n")
                .map(|(_, t)| t);
            assert_eq!(table, expected, "{runtime:?} {dev:?}:\n{manifest}");
        }
        let manifest = super::cargo_toml("c", "0.1.0", "d", "h", true, &version, &[], &[], &[]);
        assert!(
            manifest.contains("\nopenapi-client-runtime = \"0.4.0\"\n"),
            "{manifest}"
        );
    }

    /// `[dependencies]`: serde and the runtime, plus the crates the code names, each
    /// once; a vendored runtime brings what it needs itself.
    #[test]
    fn dependencies_are_serde_the_runtime_and_the_named_crates() {
        use crate::ir::ExternalCrate;
        let version = RuntimeDependency::Version("0.4.0".to_owned());
        let names = |runtime: &RuntimeDependency, external: &[ExternalCrate]| {
            let manifest =
                super::cargo_toml("c", "0.1.0", "d", "h", true, runtime, external, &[], &[]);
            let table: Vec<String> = manifest
                .split_once("\n[dependencies]\n")
                .map(|(_, t)| t)
                .unwrap_or_default()
                .lines()
                .take_while(|line| !line.is_empty())
                .map(|line| line.split(" = ").next().unwrap_or(line).to_owned())
                .collect();
            table
        };
        assert_eq!(names(&version, &[]), ["openapi-client-runtime", "serde"]);
        assert_eq!(
            names(&version, &[ExternalCrate::Chrono, ExternalCrate::Uuid]),
            ["chrono", "openapi-client-runtime", "serde", "uuid"]
        );
        let vendored = names(&RuntimeDependency::Vendored, &[ExternalCrate::SerdeJson]);
        for name in ["bytes", "reqwest", "serde", "serde_json"] {
            assert_eq!(
                vendored.iter().filter(|n| *n == name).count(),
                1,
                "{vendored:?}"
            );
        }
        assert!(
            !vendored.iter().any(|n| n == "chrono" || n == "uuid"),
            "{vendored:?}"
        );
    }

    #[test]
    fn descriptions_with_quotes_and_control_characters_stay_valid_toml() {
        let text = super::toml_string_body("a \"b\" \\ c\n\0");
        assert_eq!(text, r#"a \"b\" \\ c\u000A\u0000"#);
    }
}

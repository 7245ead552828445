//! `Cargo.toml` of the generated crate. Dependency versions live here, in one table.

/// Runtime dependencies of every generated crate.
const DEPENDENCIES: &str = r#"[dependencies]
bytes = "1.10"
chrono = { version = "0.4.41", default-features = false, features = ["std", "serde"] }
fastrand = "2.3"
futures-util = { version = "0.3.31", default-features = false, features = ["std"] }
httpdate = "1.0.3"
percent-encoding = "2.3.1"
reqwest = { version = "0.12.15", default-features = false, features = ["rustls-tls"] }
serde = { version = "1.0.219", features = ["derive"] }
serde_json = "1.0.140"
serde_urlencoded = "0.7.1"
serde_path_to_error = "0.1.17"
thiserror = "2.0.12"
tokio = { version = "1.44", default-features = false, features = ["time"] }
tracing = { version = "0.1.41", default-features = false, features = ["std"] }
url = "2.5.4"
uuid = { version = "1.16.0", features = ["serde"] }

[dev-dependencies]
rcgen = { version = "0.13", default-features = false, features = ["crypto", "ring"] }
tokio = { version = "1.50", features = ["macros", "rt-multi-thread", "net", "io-util"] }
tokio-rustls = { version = "0.26", default-features = false, features = ["ring"] }
wiremock = "0.6.3"
"#;

/// HTTP/1.1 is what a REST client needs; HTTP/2 (negotiated over TLS) is one feature
/// away for callers who multiplex many requests, and leaving it out by default keeps
/// `h2` and its four dependencies out of every build.
const HTTP2_FEATURE: &str =
    "# HTTP/2, negotiated with the server over TLS.\nhttp2 = [\"reqwest/http2\"]\n";

/// The manifest. `standalone` crates get an empty `[workspace]` table so they build
/// wherever they are written, even inside another workspace's tree.
pub fn cargo_toml(
    crate_name: &str,
    version: &str,
    description: &str,
    header: &str,
    standalone: bool,
    features: &[&str],
) -> String {
    let workspace = if standalone { "\n[workspace]\n" } else { "" };
    let gated: String = features
        .iter()
        .map(|f| format!("# Types no operation uses; see the crate docs.\n{f} = []\n"))
        .collect();
    let features = format!("[features]\n{HTTP2_FEATURE}{gated}\n");
    let description = toml_string_body(description);
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
         {features}{DEPENDENCIES}"
    )
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
    #[test]
    fn descriptions_with_quotes_and_control_characters_stay_valid_toml() {
        let text = super::toml_string_body("a \"b\" \\ c\n\0");
        assert_eq!(text, r#"a \"b\" \\ c\u000A\u0000"#);
    }
}

//! The runtime crate (`runtime/`, `openapi-client-runtime`) as the generator knows
//! it: its version, recorded in every generated crate's API summary, and its source
//! files, copied into crates generated with `--vendor-runtime` as `src/runtime/`.
//! The runtime only names its own modules through `super::`, so the same files
//! compile as a crate and as a module.

/// The runtime's package name.
pub(crate) const RUNTIME_CRATE: &str = "openapi-client-runtime";

/// The runtime's manifest, read for its version.
const RUNTIME_MANIFEST: &str = include_str!("../../../runtime/Cargo.toml");

/// The runtime's version, from `runtime/Cargo.toml`.
pub fn runtime_version() -> &'static str {
    RUNTIME_MANIFEST
        .lines()
        .find_map(|line| {
            let value = line
                .strip_prefix("version")?
                .trim_start()
                .strip_prefix('=')?;
            Some(value.trim().trim_matches('"'))
        })
        .unwrap_or("0.0.0")
}

/// `(file name in the copy, file name in runtime/src, contents)` of each runtime file.
pub(crate) const RUNTIME_FILES: &[(&str, &str, &str)] = &[
    (
        "mod.rs",
        "lib.rs",
        include_str!("../../../runtime/src/lib.rs"),
    ),
    (
        "auth.rs",
        "auth.rs",
        include_str!("../../../runtime/src/auth.rs"),
    ),
    (
        "body.rs",
        "body.rs",
        include_str!("../../../runtime/src/body.rs"),
    ),
    (
        "client.rs",
        "client.rs",
        include_str!("../../../runtime/src/client.rs"),
    ),
    (
        "constant.rs",
        "constant.rs",
        include_str!("../../../runtime/src/constant.rs"),
    ),
    (
        "encode.rs",
        "encode.rs",
        include_str!("../../../runtime/src/encode.rs"),
    ),
    (
        "error.rs",
        "error.rs",
        include_str!("../../../runtime/src/error.rs"),
    ),
    (
        "form.rs",
        "form.rs",
        include_str!("../../../runtime/src/form.rs"),
    ),
    (
        "headers.rs",
        "headers.rs",
        include_str!("../../../runtime/src/headers.rs"),
    ),
    (
        "json_path.rs",
        "json_path.rs",
        include_str!("../../../runtime/src/json_path.rs"),
    ),
    (
        "link.rs",
        "link.rs",
        include_str!("../../../runtime/src/link.rs"),
    ),
    (
        "link_header.rs",
        "link_header.rs",
        include_str!("../../../runtime/src/link_header.rs"),
    ),
    (
        "media.rs",
        "media.rs",
        include_str!("../../../runtime/src/media.rs"),
    ),
    (
        "mock.rs",
        "mock.rs",
        include_str!("../../../runtime/src/mock.rs"),
    ),
    (
        "multipart.rs",
        "multipart.rs",
        include_str!("../../../runtime/src/multipart.rs"),
    ),
    (
        "nullable.rs",
        "nullable.rs",
        include_str!("../../../runtime/src/nullable.rs"),
    ),
    (
        "open_enum.rs",
        "open_enum.rs",
        include_str!("../../../runtime/src/open_enum.rs"),
    ),
    (
        "variants.rs",
        "variants.rs",
        include_str!("../../../runtime/src/variants.rs"),
    ),
    (
        "operation.rs",
        "operation.rs",
        include_str!("../../../runtime/src/operation.rs"),
    ),
    (
        "options.rs",
        "options.rs",
        include_str!("../../../runtime/src/options.rs"),
    ),
    (
        "paginate.rs",
        "paginate.rs",
        include_str!("../../../runtime/src/paginate.rs"),
    ),
    (
        "request.rs",
        "request.rs",
        include_str!("../../../runtime/src/request.rs"),
    ),
    (
        "reserved.rs",
        "reserved.rs",
        include_str!("../../../runtime/src/reserved.rs"),
    ),
    (
        "response.rs",
        "response.rs",
        include_str!("../../../runtime/src/response.rs"),
    ),
    (
        "style.rs",
        "style.rs",
        include_str!("../../../runtime/src/style.rs"),
    ),
    (
        "transfer.rs",
        "transfer.rs",
        include_str!("../../../runtime/src/transfer.rs"),
    ),
    (
        "wait.rs",
        "wait.rs",
        include_str!("../../../runtime/src/wait.rs"),
    ),
    (
        "retry.rs",
        "retry.rs",
        include_str!("../../../runtime/src/retry.rs"),
    ),
    (
        "security.rs",
        "security.rs",
        include_str!("../../../runtime/src/security.rs"),
    ),
];

#[cfg(test)]
mod tests {
    #[test]
    fn version_is_the_manifests() {
        let version = super::runtime_version();
        assert!(
            version.split('.').count() == 3
                && version.split('.').all(|part| part.parse::<u64>().is_ok()),
            "{version}"
        );
    }

    #[test]
    fn every_runtime_source_is_copied() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../runtime/src");
        let mut on_disk: Vec<String> = std::fs::read_dir(dir)
            .expect("runtime/src exists")
            .map(|entry| {
                entry
                    .expect("readable")
                    .file_name()
                    .to_string_lossy()
                    .into_owned()
            })
            .collect();
        on_disk.sort();
        let mut copied: Vec<String> = super::RUNTIME_FILES
            .iter()
            .map(|(_, source, _)| (*source).to_owned())
            .collect();
        copied.sort();
        assert_eq!(on_disk, copied);
    }
}

//! Types no operation uses go behind the `unused-schemas` feature when asked
//! (hand-written test; see `generator/src/lower/unused.rs` and
//! `tests/fixtures/unused_schemas.yaml`, which `fixtures_compile` builds both ways).

use crate::support::{fixture_source, generate_fixture, settings};

fn features(gate: bool) -> Vec<(String, Option<String>)> {
    let mut settings = settings("unused_schemas");
    settings.gate_unused_schemas = gate;
    let (api, _) = generator::lower_source(&fixture_source("unused_schemas"), &settings)
        .expect("fixture lowers");
    api.types
        .into_iter()
        .map(|t| (t.rust_name, t.feature))
        .collect()
}

#[test]
fn only_types_no_operation_reaches_are_gated() {
    let gated: Vec<String> = features(true)
        .into_iter()
        .filter(|(_, feature)| feature.as_deref() == Some("unused-schemas"))
        .map(|(name, _)| name)
        .collect();
    // `Problem` is only the error body and `Actor` is reached from `Event`: both used.
    assert_eq!(gated, ["PushWebhook", "PushWebhookRefType", "Commit"]);
}

#[test]
fn nothing_is_gated_unless_asked() {
    assert!(features(false).iter().all(|(_, feature)| feature.is_none()));
    let mut plain = settings("unused_schemas");
    plain.gate_unused_schemas = false;
    let files = generator::generate(&fixture_source("unused_schemas"), &plain).unwrap();
    assert!(!files.files["Cargo.toml"].contains("unused-schemas = []"));
    assert!(!files.files["src/models.rs"].contains("cfg(feature"));
}

#[test]
fn the_api_surface_records_which_types_need_the_feature() {
    // So that the change report can call a type moving behind it a breaking change.
    let surface = &generate_fixture("unused_schemas").files["api.yaml"];
    assert!(
        surface.contains(
            "features:\n  unused-schemas:\n  - PushWebhook\n  - PushWebhookRefType\n  - Commit\n"
        ),
        "{surface}"
    );
}

#[test]
fn the_feature_is_declared_in_the_manifest() {
    let manifest = &generate_fixture("unused_schemas").files["Cargo.toml"];
    let table: toml::Table = manifest.parse().expect("Cargo.toml parses");
    assert_eq!(
        table["features"]["unused-schemas"],
        toml::Value::Array(Vec::new())
    );
}

//! Overlays (OpenAPI Overlay 1.0) applied to a fixture spec (hand-written test).
//!
//! `tests/fixtures/overlays/base.yaml` is the spec; every other file there is an
//! overlay. The tables below apply them through the public entry points and check the
//! overlaid document, the generated code, where diagnostics point, and the error
//! messages (snapshots in `tests/snapshots/overlays/`).

use generator::source::overlay::{self, Origin, OverlaySource};
use generator::{Diagnostics, GeneratedFiles, Settings};
use serde_json::{json, Value};
use std::path::PathBuf;

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/overlays")
}

fn read(name: &str) -> String {
    std::fs::read_to_string(dir().join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn overlays(names: &[&str]) -> Vec<OverlaySource> {
    names
        .iter()
        .map(|name| OverlaySource::new(format!("tests/fixtures/overlays/{name}"), read(name)))
        .collect()
}

fn settings(names: &[&str]) -> Settings {
    Settings {
        command: "cargo test -p generator --test it overlays::".to_owned(),
        standalone: false,
        runtime: generator::RuntimeDependency::Vendored,
        overlays: overlays(names),
        ..Settings::new("pets", "tests/fixtures/overlays/base.yaml")
    }
}

fn generate(names: &[&str]) -> Result<GeneratedFiles, Diagnostics> {
    generator::generate(&read("base.yaml"), &settings(names))
}

/// The spec as the overlays leave it, with where each node came from.
fn overlaid(names: &[&str]) -> (Value, overlay::Provenance) {
    let mut document = generator::source::parse(&read("base.yaml")).expect("base parses");
    let provenance = overlay::apply_all(&mut document, &overlays(names))
        .unwrap_or_else(|items| panic!("{names:?}: {items:?}"));
    (document, provenance)
}

#[test]
fn update_and_remove_change_the_document_as_the_specification_says() {
    // (overlays, JSON pointer into the result, expected value; null: absent)
    let cases: &[(&[&str], &str, Value)] = &[
        // An array target gets the update appended as one item.
        (
            &["add-parameter.yaml"],
            "/paths/~1pets/get/parameters/2",
            json!({"name": "status", "in": "query", "schema": {"type": "string", "enum": ["available", "sold"]}}),
        ),
        // Objects merge: `type` stays, `description` is added.
        (
            &["merge.yaml"],
            "/components/schemas/Pet/properties/name",
            json!({"type": "string", "description": "The pet's name."}),
        ),
        // A scalar is replaced.
        (
            &["merge.yaml"],
            "/components/schemas/Pet/description",
            json!("A pet of the store."),
        ),
        // Arrays in both are concatenated, the update's items last.
        (
            &["merge.yaml"],
            "/components/schemas/Pet/required",
            json!(["id", "name"]),
        ),
        (
            &["merge.yaml"],
            "/components/schemas/Pet/properties/kind/enum",
            json!(["cat", "dog", "bird"]),
        ),
        // New members are added after the existing ones.
        (
            &["merge.yaml"],
            "/components/schemas/Pet/properties",
            json!({
                "id": {"type": "string"},
                "name": {"type": "string", "description": "The pet's name."},
                "kind": {"type": "string", "enum": ["cat", "dog", "bird"]},
                "age": {"type": "integer"}
            }),
        ),
        // `remove: true` takes the node out of its parent.
        (
            &["remove-operation.yaml"],
            "/paths/~1pets~1{id}/delete",
            Value::Null,
        ),
        (
            &["remove-operation.yaml"],
            "/paths/~1pets~1{id}/get/operationId",
            json!("getPet"),
        ),
        // A filter selects by value; the later item moves up.
        (
            &["remove-parameter.yaml"],
            "/paths/~1pets/get/parameters",
            json!([{"name": "owner", "in": "query", "schema": {"type": "string"}}]),
        ),
        // In the order given: the later overlay has the last word.
        (
            &["title-a.yaml", "title-b.yaml"],
            "/info",
            json!({"title": "Pet Store B", "version": "1.0", "description": "Set by title-a."}),
        ),
        (
            &["title-b.yaml", "title-a.yaml"],
            "/info/title",
            json!("Pet Store A"),
        ),
        // Each overlay sees what the earlier ones did.
        (
            &["add-parameter.yaml", "remove-parameter.yaml"],
            "/paths/~1pets/get/parameters/1/name",
            json!("status"),
        ),
    ];
    for (names, pointer, expected) in cases {
        let (document, _) = overlaid(names);
        let found = document.pointer(pointer).cloned().unwrap_or(Value::Null);
        assert_eq!(&found, expected, "{names:?} at {pointer}");
    }
}

#[test]
fn the_generated_code_shows_what_the_overlays_did() {
    // (overlays, file, text it must contain, text it must not contain)
    let cases: &[(&[&str], &str, &str, &str)] = &[
        (&[], "src/operations.rs", "pub fn delete_pet(", "pub fn status("),
        (
            &["add-parameter.yaml"],
            "src/operations.rs",
            "pub fn status(mut self, value: crate::models::ListPetsStatus)",
            "\u{0}",
        ),
        (
            &["add-parameter.yaml"],
            "src/models.rs",
            "pub enum ListPetsStatus",
            "\u{0}",
        ),
        (
            &["remove-operation.yaml"],
            "src/operations.rs",
            "pub fn get_pet(",
            "pub fn delete_pet(",
        ),
        (
            &["merge.yaml"],
            "src/models.rs",
            "pub age: Option<i64>,",
            "\u{0}",
        ),
        (
            &["merge.yaml"],
            "api.yaml",
            "- bird",
            "\u{0}",
        ),
        // Every file's header names the overlays, in order.
        (
            &["title-b.yaml", "remove-operation.yaml"],
            "src/lib.rs",
            "// @generated by `cargo test -p generator --test it overlays::` from tests/fixtures/overlays/base.yaml with overlays tests/fixtures/overlays/title-b.yaml, tests/fixtures/overlays/remove-operation.yaml; do not edit.\n",
            "\u{0}",
        ),
        (
            &["add-parameter.yaml"],
            "api.yaml",
            "# @generated by `cargo test -p generator --test it overlays::` from tests/fixtures/overlays/base.yaml with overlay tests/fixtures/overlays/add-parameter.yaml; do not edit.\n",
            "\u{0}",
        ),
        (
            &[],
            "Cargo.toml",
            "from tests/fixtures/overlays/base.yaml; do not edit.\n",
            "with overlay",
        ),
    ];
    for (names, file, present, absent) in cases {
        let files = generate(names).unwrap_or_else(|d| panic!("{names:?}: {d}"));
        let text = &files.files[*file];
        assert!(
            text.contains(present),
            "{names:?} {file}: no {present:?}\n{text}"
        );
        assert!(
            !text.contains(absent),
            "{names:?} {file}: has {absent:?}\n{text}"
        );
    }
}

#[test]
fn the_api_digest_changes_with_the_overlays() {
    let digest = |names: &[&str]| {
        let files = generate(names).unwrap_or_else(|d| panic!("{d}"));
        let surface = generator::changes::surface::Surface::from_text(&files.files["api.yaml"])
            .expect("api.yaml parses");
        surface.spec_digest.expect("a digest")
    };
    let plain = digest(&[]);
    assert_eq!(
        plain,
        generator::changes::surface::digest(&read("base.yaml"))
    );
    assert_ne!(plain, digest(&["title-b.yaml"]));
    assert_ne!(digest(&["title-a.yaml"]), digest(&["title-b.yaml"]));
}

#[test]
fn provenance_follows_nodes_to_the_spec_or_the_overlay() {
    let segments = |path: &[&str]| path.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    // (overlays, pointer in the overlaid document, where it came from)
    let cases: &[(&[&str], &str, Origin)] = &[
        (
            &[],
            "#/paths/~1pets/get",
            Origin::Spec(segments(&["paths", "/pets", "get"])),
        ),
        // `limit` (item 0) removed: item 0 is now the spec's item 1.
        (
            &["remove-parameter.yaml"],
            "#/paths/~1pets/get/parameters/0/schema",
            Origin::Spec(segments(&[
                "paths",
                "/pets",
                "get",
                "parameters",
                "1",
                "schema",
            ])),
        ),
        (
            &["add-parameter.yaml"],
            "#/paths/~1pets/get/parameters/2/schema/enum",
            Origin::Overlay {
                overlay: 0,
                at: segments(&["actions", "0", "update", "schema", "enum"]),
            },
        ),
        (
            &["add-parameter.yaml"],
            "#/paths/~1pets/get/parameters/1",
            Origin::Spec(segments(&["paths", "/pets", "get", "parameters", "1"])),
        ),
        // A merged object stays the spec's; what the overlay put in it is the overlay's.
        (
            &["merge.yaml"],
            "#/components/schemas/Pet/properties/name",
            Origin::Spec(segments(&[
                "components",
                "schemas",
                "Pet",
                "properties",
                "name",
            ])),
        ),
        (
            &["merge.yaml"],
            "#/components/schemas/Pet/properties/name/description",
            Origin::Overlay {
                overlay: 0,
                at: segments(&[
                    "actions",
                    "0",
                    "update",
                    "properties",
                    "name",
                    "description",
                ]),
            },
        ),
        (
            &["merge.yaml"],
            "#/components/schemas/Pet/required/1",
            Origin::Overlay {
                overlay: 0,
                at: segments(&["actions", "0", "update", "required", "0"]),
            },
        ),
        // The second overlay's change wins, and is where the node is found.
        (
            &["title-a.yaml", "title-b.yaml"],
            "#/info/title",
            Origin::Overlay {
                overlay: 1,
                at: segments(&["actions", "0", "update", "title"]),
            },
        ),
        (
            &["title-a.yaml", "title-b.yaml"],
            "#/info/description",
            Origin::Overlay {
                overlay: 0,
                at: segments(&["actions", "0", "update", "description"]),
            },
        ),
    ];
    for (names, pointer, expected) in cases {
        let (_, provenance) = overlaid(names);
        assert_eq!(&provenance.origin(pointer), expected, "{names:?} {pointer}");
    }
}

#[test]
fn a_problem_in_a_node_an_overlay_added_is_located_in_the_overlay() {
    let diagnostics = generate(&["broken-ref.yaml"]).expect_err("a dangling reference");
    let error = diagnostics.errors().next().expect("an error");
    assert_eq!(
        error.file.as_deref(),
        Some("tests/fixtures/overlays/broken-ref.yaml")
    );
    // The `schema:` line inside the action's update.
    assert_eq!(error.line, Some(16), "{diagnostics}");
}

#[test]
fn a_problem_in_the_spec_is_still_located_in_the_spec() {
    // The spec's own `$ref` broken by an overlay that removes what it points at: the
    // reference is the spec's, so the spec's line is shown.
    let remove_pet = OverlaySource::new(
        "remove-pet.yaml",
        "overlay: 1.0.0\ninfo: {title: t, version: '1'}\nactions:\n  - target: $.components.schemas.Pet\n    remove: true\n",
    );
    let mut settings = settings(&["remove-parameter.yaml"]);
    settings.overlays.push(remove_pet);
    let diagnostics = generator::generate(&read("base.yaml"), &settings).expect_err("dangling");
    let errors: Vec<_> = diagnostics.errors().collect();
    assert!(!errors.is_empty(), "{diagnostics}");
    for error in errors {
        assert_eq!(error.file, None, "{diagnostics}");
        let line = error.line.expect("located");
        let text = read("base.yaml");
        let shown = text.lines().nth(line - 1).expect("a line of the spec");
        assert!(
            shown.contains("$ref"),
            "line {line}: {shown}\n{diagnostics}"
        );
    }
}

/// Each broken overlay, applied to the base spec: the rendered diagnostics.
fn error_text(names: &[&str]) -> String {
    match generate(names) {
        Ok(_) => panic!("{names:?} should not generate"),
        Err(diagnostics) => {
            assert!(
                diagnostics.has_errors(),
                "{names:?}: failure without an error"
            );
            diagnostics.to_string()
        }
    }
}

const ERROR_CASES: &[(&str, &[&str])] = &[
    ("no_match", &["no-match.yaml"]),
    ("no_match_json", &["no-match.json"]),
    ("invalid_jsonpath", &["invalid-jsonpath.yaml"]),
    ("not_an_overlay", &["not-an-overlay.yaml"]),
    ("broken_ref", &["broken-ref.yaml"]),
    // The second overlay targets the parameter the first removed.
    (
        "removed_earlier",
        &["remove-parameter.yaml", "remove-parameter.yaml"],
    ),
];

#[test]
fn broken_overlays_are_located_errors() {
    for (name, names) in ERROR_CASES {
        let text = error_text(names);
        insta::with_settings!({
            snapshot_path => "../snapshots/overlays",
            prepend_module_to_snapshot => false,
        }, {
            insta::assert_snapshot!(*name, text);
        });
    }
}

#[test]
fn a_target_that_matches_nothing_names_the_file_line_and_target() {
    let text = error_text(&["no-match.yaml"]);
    assert!(
        text.contains("tests/fixtures/overlays/no-match.yaml:8:"),
        "{text}"
    );
    assert!(text.contains("$.paths['/owners'].get"), "{text}");
}

#[test]
fn bad_overlay_text_is_an_error_not_a_panic() {
    for text in [
        "",
        "- a list",
        "overlay: [",
        "{\"overlay\": 1}",
        "overlay: 2.0.0\ninfo: {title: t, version: '1'}\nactions: []\n",
        "overlay: 1.0.0\ninfo: {title: t, version: '1'}\nactions: [{target: '$', remove: true}]\n",
        "overlay: 1.0.0\ninfo: {title: t, version: '1'}\nactions: [{target: '$.info', update: 5}]\n",
        "overlay: 1.0.0\ninfo: {title: t, version: '1'}\nactions: [{target: '$..*..', update: {}}]\n",
        "overlay: 1.0.0\ninfo: {title: t}\nactions: [{target: '$.info', update: {}, extra: 1}]\n",
    ] {
        let mut settings = settings(&[]);
        settings.overlays.push(OverlaySource::new("bad.yaml", text));
        let diagnostics = generator::generate(&read("base.yaml"), &settings)
            .expect_err(&format!("{text:?} is refused"));
        assert!(diagnostics.has_errors(), "{text:?}");
        let shown = diagnostics.to_string();
        assert!(shown.contains("--> bad.yaml"), "{text:?}: {shown}");
    }
}

/// The snapshot folder holds exactly the snapshots the table makes.
#[test]
fn no_unreferenced_overlay_snapshots() {
    let snapshots = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots/overlays");
    let mut on_disk: Vec<String> = std::fs::read_dir(&snapshots)
        .expect("snapshot folder exists")
        .filter_map(|entry| entry.ok())
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".snap"))
        .collect();
    on_disk.sort();
    let mut expected: Vec<String> = ERROR_CASES
        .iter()
        .map(|(name, _)| format!("{name}.snap"))
        .collect();
    expected.sort();
    assert_eq!(on_disk, expected);
}

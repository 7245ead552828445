//! The checked-in iModels spec is the seed document with its indentation restored,
//! word for word, and it loads (hand-written test).

use crate::support::workspace_root;

fn restored() -> String {
    std::fs::read_to_string(workspace_root().join("spec/imodels.yaml"))
        .expect("spec/imodels.yaml exists")
}

#[test]
fn restored_spec_is_the_seed_word_for_word() {
    // A byte-for-byte copy of the seed as it shipped (indentation lost), kept in the
    // repository so a fresh clone has everything the test needs.
    let seed_path = workspace_root().join("spec/seed/imodels-openapi.txt");
    let seed = std::fs::read_to_string(&seed_path)
        .unwrap_or_else(|e| panic!("cannot read the seed at {}: {e}", seed_path.display()));
    let restored = restored();
    let stripped: Vec<&str> = restored.split('\n').map(str::trim_start).collect();
    let seed_lines: Vec<&str> = seed.split('\n').collect();
    assert_eq!(stripped.len(), seed_lines.len(), "line counts differ");
    for (number, (ours, theirs)) in stripped.iter().zip(&seed_lines).enumerate() {
        assert_eq!(ours, theirs, "line {} differs from the seed", number + 1);
    }
    assert_eq!(stripped.join("\n"), seed);
    // Only leading spaces were added: no tabs, and every line's indent is even.
    for (number, line) in restored.lines().enumerate() {
        let indent = line.len() - line.trim_start().len();
        assert!(
            !line.starts_with('\t'),
            "line {} is indented with a tab",
            number + 1
        );
        assert_eq!(indent % 2, 0, "line {} has odd indentation", number + 1);
    }
}

#[test]
fn restored_spec_parses_as_openapi_3_1() {
    let loaded = generator::source::load(&restored()).unwrap_or_else(|d| panic!("{d:?}"));
    assert_eq!(loaded.declared_version, "3.1.0");
    let document = loaded.document;
    assert_eq!(document.info.title, "iTwin iModels API");
    assert_eq!(document.paths.paths.len(), 14);
    let operations: Vec<String> = document
        .paths
        .paths
        .values()
        .filter_map(|item| item.as_item())
        .flat_map(|item| item.iter().filter_map(|(_, op)| op.operation_id.clone()))
        .collect();
    assert_eq!(operations.len(), 21);
    assert!(operations.contains(&"GetIModels".to_owned()));
    assert!(operations.contains(&"GetBaselineFile".to_owned()));
    let schemas = &document.components.as_ref().expect("components").schemas;
    assert_eq!(schemas.len(), 12);
    assert!(schemas.contains_key("Error"));
}

#[test]
fn product_words_need_no_configuration() {
    // The spec spells `iModel` and `iTwin` in its prose; `spec/naming.toml` lists them
    // too, but generating without it must give the very same client.
    let settings = |words: Vec<String>| generator::Settings {
        words,
        standalone: false,
        runtime: generator::RuntimeDependency::Vendored,
        ..generator::Settings::new("generated-client", "spec/imodels.yaml")
    };
    let configured = settings(vec!["iModel".to_owned(), "iTwin".to_owned()]);
    let (api, _) = generator::lower_source(&restored(), &settings(Vec::new()))
        .unwrap_or_else(|d| panic!("{d}"));
    assert_eq!(api.words, ["iModel", "iTwin"]);
    assert!(api
        .operations
        .iter()
        .any(|op| op.rust_name == "get_imodels"));
    let found = generator::generate(&restored(), &settings(Vec::new())).expect("generates");
    let listed = generator::generate(&restored(), &configured).expect("generates");
    assert_eq!(found.files, listed.files);
    // And a word can still be split on request.
    let mut split = settings(Vec::new());
    split.split_words = vec!["iModel".to_owned()];
    let (api, _) = generator::lower_source(&restored(), &split).expect("lowers");
    assert!(api
        .operations
        .iter()
        .any(|op| op.rust_name == "get_i_models"));
}

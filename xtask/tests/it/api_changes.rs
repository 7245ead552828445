//! A spec update, end to end: edit a copy of the iModels spec, regenerate, and check
//! the API change report, the change file and the version bump (hand-written test).

use crate::support::{stderr, xtask};
use std::fs;

/// The four edits: a new operation, a new required query parameter, a removed field
/// and a new enum value.
fn edit(spec: &str) -> String {
    let edited = spec
        .replace(
            "      operationId: GetChangesets\n",
            "      operationId: GetChangesets\n      parameters:\n        - name: afterIndex\n          in: query\n          required: true\n          schema: { type: integer }\n",
        )
        .replace("        dataCenterLocation: { type: string }\n", "")
        .replace("enum: [visible, hidden]", "enum: [visible, hidden, archived]")
        .replace(
            "  /{iModelId}/baselinefile:\n",
            "  /{iModelId}/checkpoint:\n    get:\n      operationId: GetCheckpoint\n      parameters:\n        - name: iModelId\n          in: path\n          required: true\n          schema: { type: string, format: uuid }\n      responses:\n        '200':\n          description: Checkpoint\n  /{iModelId}/baselinefile:\n",
        );
    assert_ne!(edited, spec);
    edited
}

#[test]
fn a_spec_update_reports_its_api_changes_and_bumps_the_version() {
    let root = xtask::project_root();
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir(dir.path().join("spec")).unwrap();
    let original = fs::read_to_string(root.join("spec/imodels.yaml")).unwrap();
    fs::write(dir.path().join("spec/imodels.yaml"), &original).unwrap();
    fs::copy(
        root.join("spec/naming.toml"),
        dir.path().join("spec/naming.toml"),
    )
    .unwrap();
    let args = [
        "codegen",
        "--spec",
        "spec/imodels.yaml",
        "--out",
        "client",
        "--crate-name",
        "imodels",
    ];

    let first = xtask(&args, dir.path());
    assert!(first.status.success(), "{}", stderr(&first));
    let manifest = || fs::read_to_string(dir.path().join("client/Cargo.toml")).unwrap();
    assert!(manifest().contains("version = \"0.1.0\""));
    assert!(
        !dir.path().join("client/API-CHANGES.md").exists(),
        "a first generation has nothing to compare"
    );

    fs::copy(
        dir.path().join("spec/imodels.yaml"),
        dir.path().join("old.yaml"),
    )
    .unwrap();
    fs::write(dir.path().join("spec/imodels.yaml"), edit(&original)).unwrap();
    let second = xtask(&args, dir.path());
    assert!(second.status.success(), "{}", stderr(&second));
    let printed = stderr(&second);
    let expected = [
        "2 breaking, 2 additive. Semver: minor bump for `imodels`, applied: 0.1.0 -> 0.2.0.",
        "- `get_changesets`\n  - **breaking**: new required argument `after_index` (query afterIndex, `i64`)",
        "- `get_checkpoint`\n  - additive: added (GET /{iModelId}/checkpoint)",
        "- `IModel`\n  - **breaking**: field `data_center_location` removed (`dataCenterLocation`)",
        "- `NamedVersionState`\n  - additive: enum value `archived` added",
    ];
    for line in expected {
        assert!(printed.contains(line), "missing {line:?} in:\n{printed}");
    }
    assert!(manifest().contains("version = \"0.2.0\""), "{}", manifest());
    let changes = fs::read_to_string(dir.path().join("client/API-CHANGES.md")).unwrap();
    for line in expected {
        assert!(
            changes.contains(line),
            "missing {line:?} in the change file:\n{changes}"
        );
    }

    // Nothing changed since: no new report, no bump.
    let third = xtask(&args, dir.path());
    assert!(third.status.success());
    assert!(
        stderr(&third).contains("0 file(s) changed"),
        "{}",
        stderr(&third)
    );
    assert!(manifest().contains("version = \"0.2.0\""));
    assert_eq!(
        fs::read_to_string(dir.path().join("client/API-CHANGES.md")).unwrap(),
        changes
    );

    // The same report for two spec files, as a CI gate.
    let gate = [
        "diff",
        "old.yaml",
        "spec/imodels.yaml",
        "--fail-on",
        "breaking",
    ];
    let output = xtask(&gate, dir.path());
    assert_eq!(output.status.code(), Some(1));
    let report = String::from_utf8_lossy(&output.stdout);
    assert!(report.contains("2 breaking, 2 additive."), "{report}");
    assert!(stderr(&output).contains("error: 2 breaking change(s)"));
    let additive_only = ["diff", "old.yaml", "old.yaml", "--fail-on", "any"];
    assert!(xtask(&additive_only, dir.path()).status.success());
}

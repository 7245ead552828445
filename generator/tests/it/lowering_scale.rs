//! Lowering stays linear in the document, whatever its references do (hand-written).
//!
//! Converted Swagger documents annotate every reference (`allOf: [$ref, {description}]`)
//! and their types refer to each other; merging each such reference inline once grew
//! exponentially (a 70 KB AWS description never finished).

use crate::support::settings;

/// `count` object schemas, each with `fanout` annotated references to the next ones
/// (wrapping around, so every type is reachable from every other).
fn annotated_web(count: usize, fanout: usize) -> String {
    let mut spec = String::from(
        "openapi: 3.0.3\ninfo: {title: web, version: '1'}\npaths: {}\ncomponents:\n  schemas:\n",
    );
    for index in 0..count {
        spec.push_str(&format!(
            "    T{index}:\n      type: object\n      properties:\n"
        ));
        for step in 1..=fanout {
            let target = (index + step) % count;
            spec.push_str(&format!(
                "        p{step}:\n          allOf:\n            - $ref: '#/components/schemas/T{target}'\n            - description: Link {step}.\n"
            ));
        }
    }
    spec
}

#[test]
fn annotated_references_are_references_not_copies() {
    let (api, warnings) = generator::lower_source(&annotated_web(60, 3), &settings("web"))
        .unwrap_or_else(|d| panic!("{d}"));
    assert!(warnings.items.is_empty(), "{warnings}");
    assert_eq!(api.types.len(), 60, "one type per schema, no inline copies");
    let first = match &api.types[0].kind {
        generator::ir::TypeKind::Struct(s) => s,
        other => panic!("T0 is {other:?}"),
    };
    let fields: Vec<(&str, Option<&str>)> = first
        .fields
        .iter()
        .map(|f| (f.ty.named().unwrap_or("?"), f.description.as_deref()))
        .collect();
    assert_eq!(
        fields,
        [
            ("T1", Some("Link 1.")),
            ("T2", Some("Link 2.")),
            ("T3", Some("Link 3."))
        ]
    );
}

#[test]
fn an_inline_schema_reached_twice_is_one_type() {
    // One request body component used by two operations, with an inline object.
    let spec = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    post:\n      requestBody: {$ref: '#/components/requestBodies/B'}\n      responses: {'204': {description: ok}}\n  /b:\n    post:\n      requestBody: {$ref: '#/components/requestBodies/B'}\n      responses: {'204': {description: ok}}\ncomponents:\n  requestBodies:\n    B:\n      content:\n        application/json:\n          schema:\n            type: object\n            properties:\n              inner: {type: object, properties: {x: {type: string}}}\n";
    let (api, _) =
        generator::lower_source(spec, &settings("shared")).unwrap_or_else(|d| panic!("{d}"));
    let names: Vec<&str> = api.types.iter().map(|t| t.rust_name.as_str()).collect();
    assert_eq!(names, ["PostABody", "PostABodyInner"]);
    let bodies: Vec<&str> = api
        .operations
        .iter()
        .filter_map(|op| op.body.as_ref()?.ty.named())
        .collect();
    assert_eq!(bodies, ["PostABody", "PostABody"]);
}

/// `C0` an object, each `Ci` `allOf: [$ref C(i-1), {properties: {pi}}]`.
fn allof_chain(count: usize) -> String {
    let mut spec = String::from(
        "openapi: 3.0.3\ninfo: {title: chain, version: '1'}\npaths: {}\ncomponents:\n  schemas:\n    C0:\n      type: object\n      properties:\n        p0: {type: string}\n",
    );
    for index in 1..count {
        spec.push_str(&format!(
            "    C{index}:\n      allOf:\n        - $ref: '#/components/schemas/C{}'\n        - type: object\n          properties:\n            p{index}: {{type: string}}\n",
            index - 1
        ));
    }
    spec
}

#[test]
fn a_long_allof_chain_is_merged_once_per_schema_with_one_warning() {
    // 10,000 schemas: each merge reuses the one before (the chain used to be walked
    // again for every schema, and each schema past the depth limit got a warning
    // saying its members were not objects).
    let (api, warnings) = generator::lower_source(&allof_chain(10_000), &settings("chain"))
        .unwrap_or_else(|d| panic!("{d}"));
    let items: Vec<(&str, &str)> = warnings
        .items
        .iter()
        .map(|w| (w.pointer.as_str(), w.message.as_str()))
        .collect();
    assert_eq!(
        items,
        [(
            "#/components/schemas/C17",
            "allOf nested more than 16 levels deep is not supported; this schema and every \
             schema that extends it are serde_json::Value"
        )]
    );
    assert_eq!(api.types.len(), 10_000);
    let fields = |index: usize| match &api.types[index].kind {
        generator::ir::TypeKind::Struct(s) => Some(
            s.fields
                .iter()
                .map(|f| f.wire_name.clone())
                .collect::<Vec<_>>(),
        ),
        _ => None,
    };
    let expected: Vec<String> = (0..=16).map(|i| format!("p{i}")).collect();
    assert_eq!(fields(16), Some(expected));
    for index in [17, 18, 9_999] {
        assert_eq!(
            api.types[index].kind,
            generator::ir::TypeKind::Alias(generator::ir::TypeRef::Json),
            "C{index}"
        );
    }
}

#[test]
fn an_allof_that_includes_itself_is_reported_not_walked() {
    let spec = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\ncomponents:\n  schemas:\n    A:\n      allOf:\n        - $ref: '#/components/schemas/B'\n        - {type: object, properties: {a: {type: string}}}\n    B:\n      allOf:\n        - $ref: '#/components/schemas/A'\n        - {type: object, properties: {b: {type: string}}}\n";
    let (_, warnings) =
        generator::lower_source(spec, &settings("loop")).unwrap_or_else(|d| panic!("{d}"));
    let items: Vec<(&str, &str)> = warnings
        .items
        .iter()
        .map(|w| (w.pointer.as_str(), w.message.as_str()))
        .collect();
    let message =
        "allOf that includes its own schema is not supported yet; using serde_json::Value";
    assert_eq!(
        items,
        [
            ("#/components/schemas/A", message),
            ("#/components/schemas/B", message)
        ]
    );
}

#[test]
fn hostile_sizes_are_capped_and_collapsed() {
    let source = crate::support::generated_fixture_source("hostile_sizes");
    let (api, warnings) = generator::lower_source(&source, &settings("hostile_sizes"))
        .unwrap_or_else(|d| panic!("{d}"));
    let max = generator::naming::MAX_IDENT_LEN;
    let mut names: Vec<&str> = api.types.iter().map(|t| t.rust_name.as_str()).collect();
    for op in &api.operations {
        names.push(&op.rust_name);
        names.push(&op.builder_name);
        names.extend(op.params.iter().map(|p| p.rust_name.as_str()));
    }
    for def in &api.types {
        match &def.kind {
            generator::ir::TypeKind::Struct(s) => {
                names.extend(s.fields.iter().map(|f| f.rust_name.as_str()))
            }
            generator::ir::TypeKind::Enum(e) => {
                names.extend(e.variants.iter().map(|v| v.rust_name.as_str()))
            }
            _ => {}
        }
    }
    let longest = names.iter().map(|n| n.len()).max().unwrap_or(0);
    assert!(longest <= max + 2, "a name of {longest} characters");
    // The wire names are kept: the long path parameter is still sent by its name.
    let long_op = &api.operations[0];
    assert_eq!(long_op.wire_name.len(), crate::support::HOSTILE_NAME_LEN);
    assert_eq!(
        long_op.params[0].wire_name.len(),
        crate::support::HOSTILE_NAME_LEN
    );
    // One warning per capped name, and one for the property too long to be a field.
    let messages: Vec<&str> = warnings.items.iter().map(|w| w.message.as_str()).collect();
    assert_eq!(
        messages
            .iter()
            .filter(|m| m.contains("its Rust name is capped"))
            .count(),
        6,
        "{warnings}"
    );
    assert_eq!(
        messages
            .iter()
            .filter(|m| m.contains("value is kept in the struct's `additional_properties` map"))
            .count(),
        1,
        "{warnings}"
    );
    // ...and its value is not lost: the struct that cannot name it keeps it in a map.
    let long_struct = api
        .types
        .iter()
        .find(|t| t.wire_name.len() == crate::support::HOSTILE_NAME_LEN)
        .expect("the long-named schema");
    let generator::ir::TypeKind::Struct(fields) = &long_struct.kind else {
        panic!("{:?} is not a struct", long_struct.rust_name)
    };
    assert_eq!(
        fields
            .fields
            .iter()
            .map(|f| f.wire_name.as_str())
            .collect::<Vec<_>>(),
        ["kind"]
    );
    assert_eq!(
        fields.additional.as_ref().map(|a| &a.value),
        Some(&generator::ir::TypeRef::Json)
    );
    assert_eq!(warnings.items.len(), 7, "{warnings}");
    // Every alias of the chain names its end.
    for index in 0..70 {
        let def = api
            .types
            .iter()
            .find(|t| t.rust_name == format!("Alias{index}"))
            .expect("alias");
        assert_eq!(
            def.kind,
            generator::ir::TypeKind::Alias(generator::ir::TypeRef::Named("Struct0".to_owned()))
        );
    }
}

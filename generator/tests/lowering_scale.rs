//! Lowering stays linear in the document, whatever its references do (hand-written).
//!
//! Converted Swagger documents annotate every reference (`allOf: [$ref, {description}]`)
//! and their types refer to each other; merging each such reference inline once grew
//! exponentially (a 70 KB AWS description never finished).

mod common;

use common::settings;

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

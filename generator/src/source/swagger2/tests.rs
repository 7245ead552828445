use super::*;

/// The document around a case's `paths` (and whatever else the case adds at the top).
fn document(top: &str) -> String {
    format!("swagger: '2.0'\ninfo: {{title: t, version: '1'}}\n{top}")
}

fn converted(top: &str) -> (Value, Conversion) {
    let mut value = crate::source::parse(&document(top)).expect("the case parses");
    let conversion = convert(&mut value)
        .expect("converts")
        .expect("a 2.0 document");
    (value, conversion)
}

/// (rule, the 2.0 document's top level after `info`, a pointer into the converted
/// document, the value expected there as YAML).
#[rustfmt::skip]
const RULES: &[(&str, &str, &str, &str)] = &[
    ("host, basePath, schemes: https first",
     "host: api.example.com\nbasePath: /v2/\nschemes: [http, https]\npaths: {}\n",
     "/servers", "[{url: 'https://api.example.com/v2'}, {url: 'http://api.example.com/v2'}]"),
    ("no host: the relative basePath",
     "basePath: /v1\npaths: {}\n",
     "/servers", "[{url: /v1}]"),
    ("no schemes: https guessed",
     "host: h.io\npaths: {}\n",
     "/servers", "[{url: 'https://h.io'}]"),
    ("an operation's schemes: its own servers",
     "host: h.io\nschemes: [https]\npaths:\n  /a:\n    get:\n      schemes: [http]\n      responses: {'204': {description: ok}}\n",
     "/paths/~1a/get/servers", "[{url: 'http://h.io'}]"),
    ("definitions move to components.schemas, refs follow",
     "paths: {}\ndefinitions:\n  Pet: {type: object, properties: {tag: {$ref: '#/definitions/Tag'}}}\n  Tag: {type: string}\n",
     "/components/schemas/Pet/properties/tag", "{$ref: '#/components/schemas/Tag'}"),
    ("refs in properties named like data keywords follow; examples are data",
     "paths: {}\ndefinitions:\n  P: {type: object, example: {$ref: '#/definitions/P'}, properties: {example: {$ref: '#/definitions/T'}, enum: {$ref: '#/definitions/T'}}}\n  T: {type: string}\n",
     "/components/schemas/P",
     "{type: object, example: {$ref: '#/definitions/P'}, properties: {example: {$ref: '#/components/schemas/T'}, enum: {$ref: '#/components/schemas/T'}}}"),
    ("x-nullable, type: file, discriminator, extensions",
     "paths: {}\ndefinitions:\n  P: {type: object, discriminator: kind, x-kept: 1, properties: {n: {type: string, x-nullable: true}, f: {type: file}}}\n",
     "/components/schemas/P",
     "{type: object, discriminator: {propertyName: kind}, x-kept: 1, properties: {n: {type: string, nullable: true}, f: {type: string, format: binary}}}"),
    ("a body parameter: the request body, one entry per consumed type",
     "consumes: [application/json, application/xml]\npaths:\n  /a:\n    post:\n      parameters:\n        - {name: b, in: body, required: true, description: d, schema: {$ref: '#/definitions/P'}}\n      responses: {'204': {description: ok}}\ndefinitions: {P: {type: object}}\n",
     "/paths/~1a/post/requestBody",
     "{description: d, required: true, content: {application/json: {schema: {$ref: '#/components/schemas/P'}}, application/xml: {schema: {$ref: '#/components/schemas/P'}}}}"),
    ("an operation's consumes wins",
     "consumes: [application/json]\npaths:\n  /a:\n    put:\n      consumes: [text/plain]\n      parameters: [{name: b, in: body, schema: {type: string}}]\n      responses: {'204': {description: ok}}\n",
     "/paths/~1a/put/requestBody/content", "{text/plain: {schema: {type: string}}}"),
    ("formData: a urlencoded object, required list, csv arrays not exploded",
     "paths:\n  /a:\n    post:\n      parameters:\n        - {name: n, in: formData, type: string, required: true, description: the name}\n        - {name: tags, in: formData, type: array, items: {type: string}}\n        - {name: ids, in: formData, type: array, items: {type: integer}, collectionFormat: multi}\n      responses: {'204': {description: ok}}\n",
     "/paths/~1a/post/requestBody",
     "{required: true, content: {application/x-www-form-urlencoded: {schema: {type: object, required: [n], properties: {n: {type: string, description: the name}, tags: {type: array, items: {type: string}}, ids: {type: array, items: {type: integer}}}}, encoding: {tags: {style: form, explode: false}, ids: {style: form, explode: true}}}}}"),
    ("formData with a file: multipart",
     "paths:\n  /a:\n    post:\n      parameters:\n        - {name: f, in: formData, type: file}\n      responses: {'204': {description: ok}}\n",
     "/paths/~1a/post/requestBody",
     "{content: {multipart/form-data: {schema: {type: object, properties: {f: {type: string, format: binary}}}}}}"),
    ("collectionFormat csv, ssv, pipes, multi in the query; csv in the path",
     "paths:\n  /a/{p}:\n    get:\n      parameters:\n        - {name: c, in: query, type: array, items: {type: string}}\n        - {name: s, in: query, type: array, items: {type: string}, collectionFormat: ssv}\n        - {name: i, in: query, type: array, items: {type: string}, collectionFormat: pipes}\n        - {name: m, in: query, type: array, items: {type: string}, collectionFormat: multi}\n        - {name: p, in: path, required: true, type: array, items: {type: integer}}\n      responses: {'204': {description: ok}}\n",
     "/paths/~1a~1{p}/get/parameters",
     "[{name: c, in: query, schema: {type: array, items: {type: string}}, style: form, explode: false}, {name: s, in: query, schema: {type: array, items: {type: string}}, style: spaceDelimited, explode: false}, {name: i, in: query, schema: {type: array, items: {type: string}}, style: pipeDelimited, explode: false}, {name: m, in: query, schema: {type: array, items: {type: string}}, style: form, explode: true}, {name: p, in: path, required: true, schema: {type: array, items: {type: integer}}, style: simple, explode: false}]"),
    ("a primitive parameter's type, format, enum, default and limits under schema",
     "paths:\n  /a:\n    get:\n      parameters:\n        - {name: l, in: query, type: integer, format: int32, default: 10, minimum: 1, enum: [1, 10], x-example: 5, x-kept: k}\n      responses: {'204': {description: ok}}\n",
     "/paths/~1a/get/parameters/0",
     "{name: l, in: query, example: 5, x-kept: k, schema: {type: integer, format: int32, default: 10, minimum: 1, enum: [1, 10]}}"),
    ("path-level body parameters go to each operation; others stay",
     "paths:\n  /a:\n    parameters:\n      - {name: h, in: header, type: string}\n      - {name: b, in: body, schema: {type: object}}\n    post:\n      responses: {'204': {description: ok}}\n",
     "/paths/~1a",
     "{parameters: [{name: h, in: header, schema: {type: string}}], post: {requestBody: {content: {application/json: {schema: {type: object}}}}, responses: {'204': {description: ok}}}}"),
    ("a response's schema, headers and examples per produced type",
     "produces: [application/json, text/csv]\npaths:\n  /a:\n    get:\n      responses:\n        '200':\n          description: ok\n          schema: {type: string}\n          headers: {X-Rate-Limit: {type: integer, description: calls left}}\n          examples: {application/json: hi}\n",
     "/paths/~1a/get/responses/200",
     "{description: ok, headers: {X-Rate-Limit: {description: calls left, schema: {type: integer}}}, content: {application/json: {schema: {type: string}, example: hi}, text/csv: {schema: {type: string}}}}"),
    ("shared parameters: plain ones to components.parameters, body ones to requestBodies",
     "paths:\n  /a:\n    post:\n      parameters: [{$ref: '#/parameters/limit'}, {$ref: '#/parameters/pet'}]\n      responses: {'204': {description: ok}}\nparameters:\n  limit: {name: limit, in: query, type: integer}\n  pet: {name: pet, in: body, schema: {type: object}}\n",
     "",
     "{openapi: 3.0.3, info: {title: t, version: '1'}, paths: {/a: {post: {parameters: [{$ref: '#/components/parameters/limit'}], requestBody: {$ref: '#/components/requestBodies/pet'}, responses: {'204': {description: ok}}}}}, components: {parameters: {limit: {name: limit, in: query, schema: {type: integer}}}, requestBodies: {pet: {content: {application/json: {schema: {type: object}}}}}}}"),
    ("shared responses, refs follow",
     "produces: [application/json]\npaths:\n  /a:\n    get:\n      responses: {'404': {$ref: '#/responses/NotFound'}}\nresponses:\n  NotFound: {description: gone, schema: {type: string}}\n",
     "",
     "{openapi: 3.0.3, info: {title: t, version: '1'}, paths: {/a: {get: {responses: {'404': {$ref: '#/components/responses/NotFound'}}}}}, components: {responses: {NotFound: {description: gone, content: {application/json: {schema: {type: string}}}}}}}"),
    ("securityDefinitions: basic, apiKey, the four oauth2 flows",
     "paths: {}\nsecurityDefinitions:\n  b: {type: basic}\n  k: {type: apiKey, name: X-Key, in: header}\n  i: {type: oauth2, flow: implicit, authorizationUrl: 'https://a', scopes: {r: read}}\n  p: {type: oauth2, flow: password, tokenUrl: 'https://t', scopes: {}}\n  c: {type: oauth2, flow: application, tokenUrl: 'https://t', scopes: {}}\n  x: {type: oauth2, flow: accessCode, authorizationUrl: 'https://a', tokenUrl: 'https://t', scopes: {}, description: d}\n",
     "/components/securitySchemes",
     "{b: {type: http, scheme: basic}, k: {type: apiKey, name: X-Key, in: header}, i: {type: oauth2, flows: {implicit: {authorizationUrl: 'https://a', scopes: {r: read}}}}, p: {type: oauth2, flows: {password: {tokenUrl: 'https://t', scopes: {}}}}, c: {type: oauth2, flows: {clientCredentials: {tokenUrl: 'https://t', scopes: {}}}}, x: {type: oauth2, description: d, flows: {authorizationCode: {authorizationUrl: 'https://a', tokenUrl: 'https://t', scopes: {}}}}}"),
];

#[test]
fn conversion_rules() {
    for &(rule, top, at, expected) in RULES {
        let (value, _) = converted(top);
        let expected: Value = serde_yaml::from_str(expected).expect(rule);
        assert_eq!(
            value.pointer(at),
            Some(&expected),
            "{rule}: {}",
            serde_json::to_string_pretty(&value).unwrap_or_default()
        );
    }
}

/// (case, the 2.0 document's top level after `info`, the warning's pointer into the
/// 2.0 document, its line there, a piece of its message).
#[rustfmt::skip]
const WARNINGS: &[(&str, &str, &str, usize, &str)] = &[
    ("tsv has no 3.0 style",
     "paths:\n  /a:\n    get:\n      parameters:\n        - name: t\n          in: query\n          type: array\n          items: {type: string}\n          collectionFormat: tsv\n      responses: {'204': {description: ok}}\n",
     "#/paths/~1a/get/parameters/0/collectionFormat", 11, "no style for `collectionFormat: tsv`"),
    ("pipes in a header",
     "paths:\n  /a:\n    get:\n      parameters:\n        - name: h\n          in: header\n          type: array\n          items: {type: string}\n          collectionFormat: pipes\n      responses: {'204': {description: ok}}\n",
     "#/paths/~1a/get/parameters/0/collectionFormat", 11, "`collectionFormat: pipes` has no OpenAPI 3 style for an `in: header`"),
    ("no schemes",
     "host: h.io\npaths: {}\n",
     "#/host", 3, "https assumed"),
    ("a websocket scheme",
     "host: h.io\nschemes: [wss, https]\npaths: {}\n",
     "#/schemes", 4, "`wss` is not HTTP"),
    ("no consumes for a body",
     "paths:\n  /a:\n    post:\n      parameters:\n        - {name: b, in: body, schema: {type: object}}\n      responses: {'204': {description: ok}}\n",
     "#/paths/~1a/post/parameters/0", 7, "`application/json` assumed"),
    ("body and formData together",
     "consumes: [application/json]\npaths:\n  /a:\n    post:\n      parameters:\n        - {name: b, in: body, schema: {type: object}}\n        - {name: f, in: formData, type: string}\n      responses: {'204': {description: ok}}\n",
     "#/paths/~1a/post/parameters/1", 9, "the form fields are dropped"),
    ("an unknown oauth2 flow",
     "paths: {}\nsecurityDefinitions:\n  o:\n    type: oauth2\n    flow: device\n",
     "#/securityDefinitions/o/flow", 7, "not an OAuth 2 flow"),
];

#[test]
fn lossy_steps_warn_at_the_2_0_source() {
    for &(case, top, at, line, message) in WARNINGS {
        let source = document(top);
        let loaded = crate::source::load(&source).unwrap_or_else(|d| panic!("{case}: {d:?}"));
        let warning = loaded
            .warnings
            .iter()
            .find(|w| w.message.contains(message))
            .unwrap_or_else(|| panic!("{case}: no warning in {:#?}", loaded.warnings));
        assert_eq!(
            (warning.pointer.as_str(), warning.line),
            (at, Some(line)),
            "{case}"
        );
    }
}

/// (converted pointer, the 2.0 pointer it comes from).
const MAP: &[(&str, &str)] = &[
    (
        "#/components/schemas/Pet/properties/n",
        "#/definitions/Pet/properties/n",
    ),
    (
        "#/components/schemas/Pet/properties/n/nullable",
        "#/definitions/Pet/properties/n/x-nullable",
    ),
    (
        "#/paths/~1a/post/requestBody",
        "#/paths/~1a/post/parameters/1",
    ),
    (
        "#/paths/~1a/post/requestBody/content/application~1json/schema/required",
        "#/paths/~1a/post/parameters/1/schema/required",
    ),
    (
        "#/paths/~1a/post/parameters/1/schema/format",
        "#/paths/~1a/post/parameters/2/format",
    ),
    (
        "#/paths/~1a/get/requestBody/content/multipart~1form-data/schema/properties/f",
        "#/paths/~1a/get/parameters/0",
    ),
    (
        "#/paths/~1a/post/responses/200/content/application~1json/schema/items",
        "#/paths/~1a/post/responses/200/schema/items",
    ),
    (
        "#/components/securitySchemes/o/flows/implicit/scopes",
        "#/securityDefinitions/o/scopes",
    ),
    ("#/servers/0/url", "#/host/0/url"),
    ("#/info/title", "#/info/title"),
];

#[test]
fn converted_pointers_map_back_to_the_2_0_document() {
    let (_, conversion) = converted("host: h.io\nschemes: [https]\nconsumes: [application/json]\nproduces: [application/json]\npaths:\n  /a:\n    get:\n      parameters: [{name: f, in: formData, type: file}]\n      responses: {'204': {description: ok}}\n    post:\n      parameters:\n        - {name: h, in: header, type: string}\n        - {name: b, in: body, schema: {type: object}}\n        - {name: q, in: query, type: integer, format: int64}\n      responses: {'200': {description: ok, schema: {type: array, items: {type: string}}}}\ndefinitions:\n  Pet: {properties: {n: {type: string, x-nullable: true}}}\nsecurityDefinitions:\n  o: {type: oauth2, flow: implicit, authorizationUrl: 'https://a', scopes: {}}\n");
    for &(converted, source) in MAP {
        assert_eq!(conversion.map.source(converted), source, "{converted}");
    }
}

#[test]
fn later_diagnostics_are_located_in_the_2_0_document() {
    // `format: int32` on a string: lowering says so at the converted schema; the
    // message must land on the 2.0 parameter's line.
    let source = document("paths:\n  /a:\n    get:\n      operationId: a\n      parameters:\n        - {name: b, in: body, schema: {type: object}}\n        - name: q\n          in: query\n          type: string\n          x-nullable: true\n          format: int32\n      responses: {'204': {description: ok}}\n");
    let mut value = crate::source::parse(&source).expect("parses");
    let conversion = convert(&mut value).expect("converts").expect("2.0");
    let mut diagnostics = crate::Diagnostics::new("spec.yaml");
    diagnostics.push(Diagnostic::warning(
        "#/paths/~1a/get/parameters/0/schema/format",
        "a format",
    ));
    diagnostics.push(Diagnostic::warning(
        "#/paths/~1a/get/parameters/0/schema/nullable",
        "a converted key",
    ));
    crate::diagnostics::locate::to_swagger2_source(
        &mut diagnostics,
        &conversion.map,
        Some(&source),
    );
    diagnostics.locate(&source);
    let found: Vec<(&str, Option<usize>)> = diagnostics
        .items
        .iter()
        .map(|d| (d.pointer.as_str(), d.line))
        .collect();
    assert_eq!(
        found,
        [
            ("#/paths/~1a/get/parameters/1/format", Some(13)),
            // Not spelled in the 2.0 text: its nearest ancestor that is.
            ("#/paths/~1a/get/parameters/1/nullable", Some(9)),
        ]
    );
}

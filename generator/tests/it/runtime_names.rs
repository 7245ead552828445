//! The names the generator keeps free on `Client` and `Request<O>` (the runtime's
//! `reserved.rs`) are exactly the methods those generated types have (hand-written
//! test): a method added to either without reserving its name would clash with an
//! operation or a setter of the same name in some spec.

use crate::support::generate_fixture;
use generator::naming::reserved::{
    CLIENT_METHODS, MOCK_METHODS, MOCK_SERVER_METHODS, REQUEST_METHODS,
};
use std::collections::BTreeSet;

/// The methods of every inherent `impl` of the type named `name` in `file`.
fn methods(file: &syn::File, name: &str) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    for item in &file.items {
        let syn::Item::Impl(block) = item else {
            continue;
        };
        let syn::Type::Path(ty) = block.self_ty.as_ref() else {
            continue;
        };
        let is_it = ty.path.segments.last().is_some_and(|s| s.ident == name);
        if block.trait_.is_some() || !is_it {
            continue;
        }
        for member in &block.items {
            if let syn::ImplItem::Fn(function) = member {
                names.insert(function.sig.ident.to_string());
            }
        }
    }
    names
}

#[test]
fn reserved_names_are_the_methods_of_client_and_request() {
    // `pagination` has a paged operation, so `Request<O>`'s paging methods are there.
    let files = generate_fixture("pagination");
    let lib: syn::File = syn::parse_str(&files.files["src/client.rs"]).expect("client.rs parses");
    let operations: syn::File =
        syn::parse_str(&files.files["src/operations.rs"]).expect("operations.rs parses");

    // The generic impls: the setters of each operation are on `Request<ThatOperation>`
    // in operations.rs, and may use any name but these.
    // Plus the waiters, on `Request<O: LongRunning>` in the client.rs of a spec
    // with long-running operations (and only there).
    let waiting = generate_fixture("long_running");
    assert!(!files.files["src/client.rs"].contains("send_and_wait"));
    let waiting: syn::File =
        syn::parse_str(&waiting.files["src/client.rs"]).expect("client.rs parses");
    let mut request = methods(&lib, "Request");
    request.extend(methods(&waiting, "Request"));
    let reserved: BTreeSet<String> = REQUEST_METHODS.iter().map(|s| s.to_string()).collect();
    assert_eq!(request, reserved);

    // `clone` comes from `#[derive(Clone)]`; an inherent `clone` would shadow it.
    let client = methods(&lib, "Client");
    let mut reserved: BTreeSet<String> = CLIENT_METHODS.iter().map(|s| s.to_string()).collect();
    assert!(reserved.remove("clone"));
    assert_eq!(client, reserved);
    assert!(files.files["src/client.rs"].contains("#[derive(Debug, Clone)]\npub struct Client"));

    // And the operations' own methods on `Client` never take a reserved name.
    for name in methods(&operations, "Client") {
        assert!(!CLIENT_METHODS.contains(&name.as_str()), "{name}");
    }
}

#[test]
fn reserved_names_are_the_methods_of_mock_server_and_mock() {
    let files = generate_fixture("pagination");
    let mock: syn::File = syn::parse_str(&files.files["src/mock.rs"]).expect("mock.rs parses");
    let operations: syn::File =
        syn::parse_str(&files.files["src/operations.rs"]).expect("operations.rs parses");

    // `MockServer`'s own methods are in the first impl; the helpers, one per
    // operation, are named exactly as the client's methods.
    let server = methods(&mock, "MockServer");
    let client = methods(&operations, "Client");
    let own: BTreeSet<String> = server.difference(&client).cloned().collect();
    let reserved: BTreeSet<String> = MOCK_SERVER_METHODS.iter().map(|s| s.to_string()).collect();
    assert_eq!(own, reserved);
    assert!(client.is_subset(&server), "{client:?} {server:?}");
    for name in &client {
        assert!(!MOCK_SERVER_METHODS.contains(&name.as_str()), "{name}");
    }

    // `Mock<O>`'s generic methods; the setters on `Mock<Op>` are the request's.
    let generic: BTreeSet<String> = mock
        .items
        .iter()
        .filter_map(|item| match item {
            syn::Item::Impl(block) if !block.generics.params.is_empty() => Some(block),
            _ => None,
        })
        .flat_map(|block| &block.items)
        .filter_map(|member| match member {
            syn::ImplItem::Fn(function) => Some(function.sig.ident.to_string()),
            _ => None,
        })
        .collect();
    let reserved: BTreeSet<String> = MOCK_METHODS.iter().map(|s| s.to_string()).collect();
    assert_eq!(generic, reserved);
    let setters = methods(&mock, "Mock");
    let request_setters = methods(&operations, "Request");
    assert_eq!(
        setters
            .difference(&reserved)
            .cloned()
            .collect::<BTreeSet<_>>(),
        request_setters
    );
}

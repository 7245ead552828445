//! Behaviour of the `servers` fixture's generated client (hand-written test,
//! copied into the fixture crate as `tests/behaviour.rs` and run by
//! `generator/tests/fixtures_compile.rs`): server variables are typed settings,
//! the default base URL has their defaults, path- and operation-level servers take
//! their operations (with the variables the caller chose for them, else their
//! defaults), and a base URL the caller sets takes everything. Read from the raw
//! requests a loopback socket recorded.

mod support;

use fixture_servers::servers::{files, get_reports, Server, Version};
use fixture_servers::{Client, DEFAULT_BASE_URL};
use support::Recorder;

/// The port `servers.yaml` gives the path- and operation-level servers.
const FIXED: &str = "127.0.0.1:38471";

#[test]
fn variables_are_typed_settings_with_the_specs_defaults() {
    assert_eq!(DEFAULT_BASE_URL, "http://127.0.0.1:8443/v2");
    // (server, its URL)
    let rows = [
        (Server::default(), "http://127.0.0.1:8443/v2"),
        (
            Server::default().version(Version::V1),
            "http://127.0.0.1:8443/v1",
        ),
        (
            Server::default().host("localhost").port("1"),
            "http://localhost:1/v2",
        ),
    ];
    for (server, url) in rows {
        assert_eq!(server.url(), url, "{server:?}");
    }
    assert_eq!(Version::V1.as_str(), "v1");
    // The template used to be the base URL, which no URL parser accepts.
    let client = Client::new("t").expect("the default base URL is a URL");
    assert_eq!(client.base_url(), DEFAULT_BASE_URL);
}

#[tokio::test]
async fn operations_go_to_their_own_servers_unless_the_caller_sets_one() {
    let fixed = Recorder::at(FIXED).await;
    let chosen = Recorder::start().await;
    let by_spec = Client::new("token").expect("valid");
    let server = Server::default().port(chosen.port().to_string());
    let by_caller = Client::builder()
        .base_url(server.url())
        .bearer_token("token")
        .build()
        .expect("valid");
    // (client, operation, where it must arrive, its request line)
    let rows = [
        (
            &by_spec,
            "get_files",
            &fixed,
            "GET /path-level/files HTTP/1.1",
        ),
        (
            &by_spec,
            "post_files",
            &fixed,
            "POST /operation-level/files HTTP/1.1",
        ),
        // `tier` has no default in the spec: its first value.
        (&by_spec, "get_reports", &fixed, "GET /free/reports HTTP/1.1"),
        (&by_caller, "get_files", &chosen, "GET /v2/files HTTP/1.1"),
        (&by_caller, "post_files", &chosen, "POST /v2/files HTTP/1.1"),
        (
            &by_caller,
            "list_things",
            &chosen,
            "GET /v2/things HTTP/1.1",
        ),
        (&by_caller, "get_reports", &chosen, "GET /v2/reports HTTP/1.1"),
    ];
    for (client, call, recorder, line) in rows {
        let sent = match call {
            "get_files" => client.get_files().send().await.map(drop),
            "post_files" => client.post_files().send().await.map(drop),
            "list_things" => client.list_things().send().await.map(drop),
            "get_reports" => client.get_reports().send().await.map(drop),
            other => panic!("no such call: {other}"),
        };
        sent.unwrap_or_else(|error| panic!("{call}: {error}"));
        let request = recorder.take_one();
        assert!(request.starts_with(line), "{call}: {request}");
        // No security in the spec: the client's token, as always.
        assert!(
            request
                .to_ascii_lowercase()
                .contains("authorization: bearer token\r\n"),
            "{call}: {request}"
        );
    }
}

#[test]
fn operation_server_variables_are_typed_settings_with_the_specs_defaults() {
    // (server, its URL)
    let rows = [
        (files::Server::default().url(), "http://127.0.0.1:38471/path-level"),
        (
            files::Server::default().area(files::Area::Archive).url(),
            "http://127.0.0.1:38471/archive",
        ),
        (
            files::Server::default().host("localhost").port("1").url(),
            "http://localhost:1/path-level",
        ),
        (get_reports::Server::default().url(), "http://127.0.0.1:38471/free"),
        (
            get_reports::Server::default()
                .tier(get_reports::Tier::Paid)
                .url(),
            "http://127.0.0.1:38471/paid",
        ),
    ];
    for (url, expected) in rows {
        assert_eq!(url, expected);
    }
    assert_eq!(files::Area::Archive.as_str(), "archive");
}

#[tokio::test]
async fn operations_go_to_the_variables_the_caller_chose_for_their_server() {
    let chosen = Recorder::start().await;
    let mock = Recorder::start().await;
    let port = chosen.port().to_string();
    // Each operation server set once on the client, typed: a value outside a
    // variable's `enum` does not compile.
    let client = Client::builder()
        .server(files::Server::default().port(&port).area(files::Area::Archive))
        .server(get_reports::Server::default().port(&port).tier(get_reports::Tier::Paid))
        .bearer_token("token")
        .build()
        .expect("valid");
    // The `files` server alone, its other variables at their defaults.
    let only_files = Client::builder()
        .server(files::Server::default().host("localhost").port(&port))
        .build()
        .expect("valid");
    // A base URL set too still takes every request.
    let with_base_url = Client::builder()
        .server(files::Server::default().port(&port))
        .base_url(mock.url())
        .build()
        .expect("valid");
    // (client, operation, where it must arrive, its request line, its Host)
    let rows = [
        (&client, "get_files", &chosen, "GET /archive/files HTTP/1.1", "127.0.0.1"),
        (&client, "get_reports", &chosen, "GET /paid/reports HTTP/1.1", "127.0.0.1"),
        (&only_files, "get_files", &chosen, "GET /path-level/files HTTP/1.1", "localhost"),
        (&with_base_url, "get_files", &mock, "GET /files HTTP/1.1", "127.0.0.1"),
    ];
    for (client, call, recorder, line, host) in rows {
        let sent = match call {
            "get_files" => client.get_files().send().await.map(drop),
            "get_reports" => client.get_reports().send().await.map(drop),
            other => panic!("no such call: {other}"),
        };
        sent.unwrap_or_else(|error| panic!("{call}: {error}"));
        let request = recorder.take_one();
        assert!(request.starts_with(line), "{call}: {request}");
        assert!(
            request
                .to_ascii_lowercase()
                .contains(&format!("host: {host}:")),
            "{call}: {request}"
        );
    }
    // A value no URL parser accepts is refused when the client is built.
    let refused = Client::builder()
        .server(files::Server::default().host("a b"))
        .build();
    assert!(refused.is_err(), "{:?}", refused.map(drop));
}

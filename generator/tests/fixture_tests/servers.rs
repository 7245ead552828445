//! Behaviour of the `servers` fixture's generated client (hand-written test,
//! copied into the fixture crate as `tests/behaviour.rs` and run by
//! `generator/tests/fixtures_compile.rs`): server variables are typed settings,
//! the default base URL has their defaults, path- and operation-level servers take
//! their operations, and a base URL the caller sets takes everything. Read from
//! the raw requests a loopback socket recorded.

mod support;

use fixture_servers::servers::{Server, Version};
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
        (&by_caller, "get_files", &chosen, "GET /v2/files HTTP/1.1"),
        (&by_caller, "post_files", &chosen, "POST /v2/files HTTP/1.1"),
        (
            &by_caller,
            "list_things",
            &chosen,
            "GET /v2/things HTTP/1.1",
        ),
    ];
    for (client, call, recorder, line) in rows {
        let sent = match call {
            "get_files" => client.get_files().send().await.map(drop),
            "post_files" => client.post_files().send().await.map(drop),
            "list_things" => client.list_things().send().await.map(drop),
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

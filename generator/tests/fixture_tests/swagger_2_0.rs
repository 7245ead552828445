//! Behaviour of the `swagger_2_0` fixture's generated client on the wire (hand-written
//! test, copied into the fixture crate as `tests/behaviour.rs` and run by
//! `generator/tests/fixtures_compile.rs`): a Swagger 2.0 document converted on load
//! sends what 2.0 means. A `formData` form is `application/x-www-form-urlencoded`, its
//! array without a `collectionFormat` comma-separated (2.0's default `csv`, where
//! OpenAPI 3's default would repeat the name), its `multi` array repeated; query
//! arrays follow `pipes` and `multi`; the server is the https one of `schemes`.

mod support;

use fixture_swagger_2_0::models::LendBookBody;
use fixture_swagger_2_0::{Client, DEFAULT_BASE_URL};
use support::{body, header, target, Recorder};


fn strings(values: &[&str]) -> Vec<String> {
    values.iter().map(|v| (*v).to_owned()).collect()
}

#[test]
fn the_server_is_the_https_one_of_schemes_with_the_base_path() {
    assert_eq!(DEFAULT_BASE_URL, "https://library.example.com/api/v2");
}

#[tokio::test]
async fn a_form_data_operation_sends_the_2_0_wire_form() {
    let recorder = Recorder::start().await;
    let client = Client::with_base_url(recorder.url(), "token").expect("a valid client");
    let mut form = LendBookBody::new("R 42");
    form.days = Some(7);
    form.notes = strings(&["worn", "signed"]);
    form.branches = strings(&["north", "east"]);
    // 204 is not the declared 201: the call may fail; the request is what counts.
    let _ = client.lend_book(9, form).send().await;
    let request = recorder.take_one();
    assert_eq!(target(&request), "/books/9/loans");
    assert_eq!(
        header(&request, "content-type"),
        Some("application/x-www-form-urlencoded")
    );
    assert_eq!(
        body(&request),
        "reader=R+42&days=7&notes=worn,signed&branches=north&branches=east"
    );
}

#[tokio::test]
async fn query_arrays_follow_their_collection_format() {
    let recorder = Recorder::start().await;
    let client = Client::with_base_url(recorder.url(), "token").expect("a valid client");
    let _ = client
        .list_books()
        .limit(5)
        .tags(strings(&["sf", "classic"]))
        .authors(strings(&["Le Guin", "Herbert"]))
        .send()
        .await;
    let request = recorder.take_one();
    assert_eq!(
        target(&request),
        "/books?limit=5&tags=sf|classic&authors=Le%20Guin&authors=Herbert"
    );
}

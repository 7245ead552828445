//! Behaviour of the `parameter_styles` fixture's generated client on the wire
//! (hand-written test, copied into the fixture crate as `tests/behaviour.rs` and run
//! by `generator/tests/fixtures_compile.rs`): every cell of OpenAPI's parameter
//! "Style Examples" table (3.0.3 and 3.1.1), sent through the generated client to a
//! loopback socket that records the raw request, compared with the table's string;
//! JSON `content`, `allowReserved`, the undefined combinations' fallback, a form body
//! encoded per its `encoding`; and the mocks, which must match the same wire forms.

mod support;

use fixture_parameter_styles::models::{Color, PostFormBody, PostFormBodyAddress, Rgb};
use fixture_parameter_styles::{Client, Error};
use support::{body, header, target, Recorder};

/// The table's values.
fn string(text: &str) -> Color {
    Color::String(text.to_owned())
}

fn array() -> Color {
    Color::Array(vec!["blue".into(), "black".into(), "brown".into()])
}

fn object() -> Color {
    Color::Rgb(Rgb::new(100, 200, 150))
}

/// Where a row's cell is on the wire.
#[derive(Clone, Copy)]
enum Place {
    /// The request target is this prefix, then the cell.
    Path(&'static str),
    /// The request target is this path, `?`, then the cell.
    Query(&'static str),
    /// The `color` header's value is the cell.
    Header,
    /// The `Cookie` header's value is the cell.
    Cookie,
}

/// A cell that the table marks n/a: not sent.
const NA: &str = "n/a";
/// A cell the client refuses to send (`Error::InvalidRequest`): an empty path
/// segment or a dot segment would address another resource.
const REFUSED: &str = "refused";

/// One row of the table: operation, place, then the cells for the empty string,
/// `blue`, the array and the object. Label without explode follows RFC 6570 (the
/// 3.1.1 table's cells; 3.0.3 prints the exploded form there).
#[rustfmt::skip]
const TABLE: &[(&str, Place, [&str; 4])] = &[
    ("matrix", Place::Path("/matrix/"), [";color", ";color=blue", ";color=blue,black,brown", ";color=R,100,G,200,B,150"]),
    ("matrix_explode", Place::Path("/matrix-explode/"), [";color", ";color=blue", ";color=blue;color=black;color=brown", ";R=100;G=200;B=150"]),
    ("label", Place::Path("/label/"), [REFUSED, ".blue", ".blue,black,brown", ".R,100,G,200,B,150"]),
    ("label_explode", Place::Path("/label-explode/"), [REFUSED, ".blue", ".blue.black.brown", ".R=100.G=200.B=150"]),
    ("simple", Place::Path("/simple/"), [REFUSED, "blue", "blue,black,brown", "R,100,G,200,B,150"]),
    ("simple_explode", Place::Path("/simple-explode/"), [REFUSED, "blue", "blue,black,brown", "R=100,G=200,B=150"]),
    ("form", Place::Query("/form"), ["color=", "color=blue", "color=blue,black,brown", "color=R,100,G,200,B,150"]),
    ("form_explode", Place::Query("/form-explode"), ["color=", "color=blue", "color=blue&color=black&color=brown", "R=100&G=200&B=150"]),
    ("space_delimited", Place::Query("/space-delimited"), [NA, NA, "color=blue%20black%20brown", "color=R%20100%20G%20200%20B%20150"]),
    ("pipe_delimited", Place::Query("/pipe-delimited"), [NA, NA, "color=blue|black|brown", "color=R|100|G|200|B|150"]),
    ("deep_object", Place::Query("/deep-object"), [NA, NA, NA, "color[R]=100&color[G]=200&color[B]=150"]),
    ("header", Place::Header, ["", "blue", "blue,black,brown", "R,100,G,200,B,150"]),
    ("header_explode", Place::Header, ["", "blue", "blue,black,brown", "R=100,G=200,B=150"]),
    ("cookie", Place::Cookie, ["color=", "color=blue", "color=blue,black,brown", "color=R,100,G,200,B,150"]),
    // `; ` between exploded pairs: each item its own cookie (`&` would be part of one).
    ("cookie_explode", Place::Cookie, ["color=", "color=blue", "color=blue; color=black; color=brown", "R=100; G=200; B=150"]),
];

async fn send(client: &Client, operation: &str, color: Color) -> Result<(), Error> {
    match operation {
        "matrix" => client.matrix(color).send().await.map(drop),
        "matrix_explode" => client.matrix_explode(color).send().await.map(drop),
        "label" => client.label(color).send().await.map(drop),
        "label_explode" => client.label_explode(color).send().await.map(drop),
        "simple" => client.simple(color).send().await.map(drop),
        "simple_explode" => client.simple_explode(color).send().await.map(drop),
        "form" => client.form(color).send().await.map(drop),
        "form_explode" => client.form_explode(color).send().await.map(drop),
        "space_delimited" => client.space_delimited(color).send().await.map(drop),
        "pipe_delimited" => client.pipe_delimited(color).send().await.map(drop),
        "deep_object" => client.deep_object(color).send().await.map(drop),
        "header" => client.header(color).send().await.map(drop),
        "header_explode" => client.header_explode(color).send().await.map(drop),
        "cookie" => client.cookie(color).send().await.map(drop),
        "cookie_explode" => client.cookie_explode(color).send().await.map(drop),
        other => panic!("no such operation: {other}"),
    }
}


#[tokio::test]
async fn every_cell_of_the_style_table_is_sent_as_the_table_spells_it() {
    let recorder = Recorder::start().await;
    let client = Client::with_base_url(recorder.url(), "token").expect("a valid client");
    for (operation, place, cells) in TABLE {
        let values = [string(""), string("blue"), array(), object()];
        for (cell, value) in cells.iter().zip(values) {
            if *cell == NA {
                continue;
            }
            let label = format!("{operation} {value:?}");
            let sent = send(&client, operation, value).await;
            if *cell == REFUSED {
                assert!(matches!(sent, Err(Error::InvalidRequest(_))), "{label}: {sent:?}");
                assert!(recorder.take().is_empty(), "{label}: nothing is sent");
                continue;
            }
            sent.unwrap_or_else(|error| panic!("{label}: {error}"));
            let request = recorder.take_one();
            match place {
                Place::Path(prefix) => {
                    assert_eq!(target(&request), format!("{prefix}{cell}"), "{label}");
                }
                Place::Query(path) => {
                    assert_eq!(target(&request), format!("{path}?{cell}"), "{label}");
                }
                Place::Header => assert_eq!(header(&request, "color"), Some(*cell), "{label}"),
                Place::Cookie => assert_eq!(header(&request, "cookie"), Some(*cell), "{label}"),
            }
        }
    }
}

#[tokio::test]
async fn json_content_reserved_characters_and_undefined_combinations() {
    let recorder = Recorder::start().await;
    let client = Client::with_base_url(recorder.url(), "token").expect("a valid client");
    // (what the call sends, the request target it must have)
    client
        .json_content(Rgb::new(100, 200, 150))
        .note("a b")
        .send()
        .await
        .expect("sent");
    assert_eq!(
        target(&recorder.take_one()),
        "/json?color=%7B%22R%22%3A100%2C%22G%22%3A200%2C%22B%22%3A150%7D&note=%22a%20b%22"
    );
    client
        .reserved("a/b?c=d,e[f]@g#h&i")
        .plain("a/b?c")
        .send()
        .await
        .expect("sent");
    assert_eq!(
        target(&recorder.take_one()),
        "/reserved?path=a/b?c=d,e[f]@g%23h%26i&plain=a%2Fb%3Fc"
    );
    // deepObject with an array and pipeDelimited exploded are undefined: the
    // generator warned, and they go as `form` exploded.
    let colors = || vec!["blue".to_owned(), "black".to_owned()];
    client
        .undefined_combinations()
        .colors(colors())
        .piped(colors())
        .send()
        .await
        .expect("sent");
    assert_eq!(
        target(&recorder.take_one()),
        "/undefined?colors=blue&colors=black&piped=blue&piped=black"
    );
    // Optional parameters left unset send nothing.
    client.undefined_combinations().send().await.expect("sent");
    assert_eq!(target(&recorder.take_one()), "/undefined");
}

#[tokio::test]
async fn a_form_body_encodes_each_property_by_its_encoding() {
    let recorder = Recorder::start().await;
    let client = Client::with_base_url(recorder.url(), "token").expect("a valid client");
    let address = PostFormBodyAddress {
        street: Some("1 Main St".to_owned()),
        city: Some("Paris".to_owned()),
    };
    let mut form = PostFormBody::new(
        "n 1",
        vec!["a".to_owned(), "b".to_owned()],
        Rgb::new(100, 200, 150),
        address,
    );
    form.flags = vec!["x".to_owned(), "y".to_owned()];
    form.labels = vec!["l1".to_owned(), "l2".to_owned()];
    form.kinds = vec!["k1".to_owned(), "k2".to_owned()];
    client.post_form(form).send().await.expect("sent");
    let request = recorder.take_one();
    assert_eq!(
        header(&request, "content-type"),
        Some("application/x-www-form-urlencoded")
    );
    // `tags` without an Encoding Object: form, exploded. `color`: deepObject.
    // `address`, an object without one: JSON text. `flags`: pipeDelimited.
    // `labels` (`style: form` alone) and `kinds` (`contentType` alone): form,
    // exploded, OpenAPI's default `explode` for `form`.
    assert_eq!(
        body(&request),
        "name=n+1&tags=a&tags=b&color[R]=100&color[G]=200&color[B]=150\
         &address=%7B%22street%22%3A%221+Main+St%22%2C%22city%22%3A%22Paris%22%7D&flags=x|y\
         &labels=l1&labels=l2&kinds=k1&kinds=k2"
    );
}

/// A mock built from typed arguments matches what the client sends, in every style.
#[cfg(feature = "mock")]
#[tokio::test]
async fn mocks_match_the_same_wire_forms() {
    use fixture_parameter_styles::mock::MockServer;
    let server = MockServer::start().await;
    server.deep_object(object()).respond_status(204).expect(1).mount().await;
    server.form(array()).respond_status(204).expect(1).mount().await;
    server.matrix_explode(array()).respond_status(204).expect(1).mount().await;
    server.header(object()).respond_status(204).expect(1).mount().await;
    server.cookie_explode(array()).respond_status(204).expect(1).mount().await;
    let client = server.client();
    client.deep_object(object()).send().await.expect("matched");
    client.form(array()).send().await.expect("matched");
    client.matrix_explode(array()).send().await.expect("matched");
    client.header(object()).send().await.expect("matched");
    client.cookie_explode(array()).send().await.expect("matched");
    // Another value in the same style finds no mock.
    assert!(client.deep_object(Color::Rgb(Rgb::new(1, 2, 3))).send().await.is_err());
    server.verify().await;
}

/// A mock built from a typed form body matches the form the client sends; another
/// form does not.
#[cfg(feature = "mock")]
#[tokio::test]
async fn mocks_match_form_bodies() {
    use fixture_parameter_styles::mock::MockServer;
    let form = |tags: &[&str]| {
        let mut form = PostFormBody::new(
            "n 1",
            tags.iter().map(|t| (*t).to_owned()).collect(),
            Rgb::new(100, 200, 150),
            PostFormBodyAddress::default(),
        );
        form.labels = vec!["l1".to_owned(), "l2".to_owned()];
        form
    };
    let server = MockServer::start().await;
    server.post_form(form(&["a", "b"])).respond_status(204).expect(1).mount().await;
    let client = server.client();
    client.post_form(form(&["a", "b"])).send().await.expect("matched");
    assert!(client.post_form(form(&["a"])).send().await.is_err());
    assert!(client.post_form(form(&["b", "a"])).send().await.is_err());
    server.verify().await;
}

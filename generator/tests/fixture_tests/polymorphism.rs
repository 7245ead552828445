//! Behaviour of the `polymorphism` fixture's generated client on the wire
//! (hand-written test, copied into the fixture crate as `tests/behaviour.rs` and run
//! by `generator/tests/fixtures_compile.rs`): a base schema with a discriminator
//! decodes as the subtype its tag names, with all its fields; a oneOf of subtypes
//! picks by the tag its members inherit; an unknown tag is kept as JSON, never
//! decoded as another subtype; an anyOf without a discriminator is decoded as the
//! variant whose required properties the body has, not the first all-optional one;
//! an allOf of strings is a string; a subtype is sent with its tag.

mod support;

use fixture_polymorphism::models::{
    Animal, Cat, Circle, Contact, Owner, Cow, Dog, Email, GetAnyPetResponse, Horse, Note, Pet, Phone,
    Shape, Square,
};
use fixture_polymorphism::Client;
use serde_json::{json, Value};

use support::Recorder;

fn client(base_url: &str) -> Client {
    Client::builder()
        .base_url(base_url)
        .build()
        .expect("valid settings")
}

/// A server answering every request with `body` as JSON.
async fn answering(body: &Value) -> Recorder {
    let response = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\
         Connection: close\r\n\r\n{body}",
        body.to_string().len()
    );
    Recorder::answering(response).await
}

#[tokio::test]
async fn a_pet_arrives_as_the_subtype_its_tag_names_with_all_its_fields() {
    // (the body, the pet it decodes as)
    let cases = [
        (
            json!({"petType": "dog", "name": "Rex", "bark": true}),
            Pet::Dog(Dog {
                name: Some("Rex".to_owned()),
                pet_type: "dog".to_owned(),
                bark: Some(true),
            }),
        ),
        (
            json!({"petType": "cat", "lives": 9}),
            Pet::Cat(Cat {
                name: None,
                pet_type: "cat".to_owned(),
                lives: 9,
            }),
        ),
        // A kind the client does not know is kept as it came, not taken for a dog.
        (
            json!({"petType": "parrot", "talks": true}),
            Pet::Unknown(json!({"petType": "parrot", "talks": true})),
        ),
        // So is a body without the tag.
        (json!({"name": "?"}), Pet::Unknown(json!({"name": "?"}))),
    ];
    for (body, expected) in cases {
        let recorder = answering(&body).await;
        let pet = client(recorder.url())
            .get_pet("p1")
            .send()
            .await
            .unwrap_or_else(|e| panic!("{body} decodes: {e}"))
            .into_inner();
        assert_eq!(pet, expected, "{body}");
        // And it is sent back as it came.
        assert_eq!(serde_json::to_value(&pet).unwrap(), body);
    }
}

#[tokio::test]
async fn without_a_mapping_the_tag_is_the_subtype_schema_name() {
    let body = json!([{"kind": "Circle", "radius": 1.5}, {"kind": "Square", "side": 2.0}]);
    let recorder = answering(&body).await;
    let shapes = client(recorder.url())
        .list_shapes()
        .send()
        .await
        .expect("the shapes decode")
        .into_inner();
    assert_eq!(
        shapes,
        vec![
            Shape::Circle(Circle::new("Circle", 1.5)),
            Shape::Square(Square::new("Square", 2.0)),
        ]
    );
}

#[tokio::test]
async fn a_one_of_of_subtypes_picks_by_the_tag_they_inherit() {
    let body = json!({"petType": "dog", "bark": true});
    let recorder = answering(&body).await;
    let pet = client(recorder.url())
        .get_any_pet("p1")
        .send()
        .await
        .expect("the pet decodes")
        .into_inner();
    assert_eq!(
        pet,
        GetAnyPetResponse::Dog(Dog {
            name: None,
            pet_type: "dog".to_owned(),
            bark: Some(true),
        })
    );
}

#[tokio::test]
async fn a_one_of_with_a_discriminator_picks_by_its_tag_or_mapping() {
    // (the body, the animal): `moo` is mapped to `Cow` by its bare schema name, `Horse`
    // is not mapped and so is its own name.
    let cases = [
        (
            json!({"pet_type": "moo", "moo": true}),
            Animal::Cow(Cow {
                pet_type: "moo".to_owned(),
                moo: Some(true),
            }),
        ),
        (
            json!({"pet_type": "Horse", "neigh": true}),
            Animal::Horse(Horse {
                pet_type: "Horse".to_owned(),
                neigh: Some(true),
            }),
        ),
        (
            json!({"pet_type": "Cow", "moo": true}),
            Animal::Unknown(json!({"pet_type": "Cow", "moo": true})),
        ),
    ];
    for (body, expected) in cases {
        let recorder = answering(&body).await;
        let animal = client(recorder.url())
            .get_animal("a1")
            .send()
            .await
            .unwrap_or_else(|e| panic!("{body} decodes: {e}"))
            .into_inner();
        assert_eq!(animal, expected, "{body}");
    }
}

#[tokio::test]
async fn an_any_of_picks_the_variant_whose_required_properties_are_present() {
    // (the body, the contact): `Note` (all optional) is listed first in the spec.
    let cases = [
        (
            json!({"address": "a@example.com", "label": "work"}),
            Contact::Email(Email {
                address: "a@example.com".to_owned(),
                label: Some("work".to_owned()),
            }),
        ),
        (
            json!({"number": "555", "label": "home"}),
            Contact::Phone(Phone {
                number: "555".to_owned(),
                label: Some("home".to_owned()),
            }),
        ),
        (
            json!({"label": "just a note"}),
            Contact::Note(Note {
                label: Some("just a note".to_owned()),
            }),
        ),
    ];
    for (body, expected) in cases {
        let recorder = answering(&body).await;
        let contact = client(recorder.url())
            .get_contact("c1")
            .send()
            .await
            .unwrap_or_else(|e| panic!("{body} decodes: {e}"))
            .into_inner();
        assert_eq!(contact, expected, "{body}");
        assert_eq!(serde_json::to_value(&contact).unwrap(), body);
    }
}

#[tokio::test]
async fn a_field_of_the_base_type_holds_the_subtype_and_all_of_strings_are_strings() {
    let body = json!({
        "name": "Ann",
        "pet": {"petType": "dog", "bark": false},
        "contact": {"number": "555"},
        "nickname": "A",
        "slug": "ann",
        "age": 40,
    });
    let recorder = answering(&body).await;
    let owner: Owner = client(recorder.url())
        .get_owner("o1")
        .send()
        .await
        .expect("the owner decodes")
        .into_inner();
    assert_eq!(
        owner.pet,
        Pet::Dog(Dog {
            name: None,
            pet_type: "dog".to_owned(),
            bark: Some(false),
        })
    );
    assert_eq!(
        owner.contact,
        Some(Contact::Phone(Phone {
            number: "555".to_owned(),
            label: None,
        }))
    );
    assert_eq!(owner.name, "Ann");
    assert_eq!(owner.nickname.as_deref(), Some("A"));
    assert_eq!(owner.slug.as_deref(), Some("ann"));
    assert_eq!(owner.age, Some(40));
    assert_eq!(serde_json::to_value(&owner).unwrap(), body);
}

/// The JSON body of a raw request.
fn body(request: &str) -> Value {
    let body = request.split_once("\r\n\r\n").map_or("", |(_, body)| body);
    serde_json::from_str(body).expect("a JSON body")
}

#[tokio::test]
async fn a_subtype_is_sent_with_its_tag_whatever_the_caller_left_there() {
    let recorder = Recorder::start().await;
    let client = client(recorder.url());
    // (the pet, the body on the wire)
    let cases = [
        (
            Pet::Dog(Dog {
                name: Some("Rex".to_owned()),
                pet_type: String::new(),
                bark: Some(true),
            }),
            json!({"petType": "dog", "name": "Rex", "bark": true}),
        ),
        (
            Pet::Cat(Cat::new("dog", 7)),
            json!({"petType": "cat", "lives": 7}),
        ),
        (
            Pet::Unknown(json!({"petType": "parrot"})),
            json!({"petType": "parrot"}),
        ),
    ];
    for (pet, expected) in cases {
        let label = format!("{pet:?}");
        client
            .create_pet(pet)
            .send()
            .await
            .expect("204 No Content");
        let request = recorder.take_one();
        assert!(request.starts_with("POST /pets "), "{request}");
        assert_eq!(body(&request), expected, "{label}");
    }
}

//! A few operations written as a generated crate writes them (compare
//! `generated-client/src/operations.rs`): the inputs, the request they make,
//! how a 2xx answer is decoded, under the bearer scheme [`OAUTH2`]: items in an
//! `{"item": ...}` envelope, a list of them, and an image. Hand-written.

use openapi_client_runtime::{
    decode_bytes, decode_json, decode_json_in, expand_path, path_param, BearerScheme, Bytes, Error,
    Method, Operation, Param, RawResponse, Request, Requirement, ResponseValue, SchemeKind,
    SecurityScheme,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use wiremock::ResponseTemplate;

/// The API's one security scheme, as a generated `schemes::OAUTH2`.
pub const OAUTH2: BearerScheme = BearerScheme(&SecurityScheme {
    key: "OAuth2",
    kind: SchemeKind::Bearer,
});

const SECURITY: Requirement = &[&[OAUTH2.0]];

/// The entity the operations answer with.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Item {
    pub id: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// The id of the item the tests ask for.
pub const ITEM_ID: &str = "5e19bee0-3aea-4355-a9f0-c6df9989ee7d";

/// The item as the API returns it: wrapped, `{"item": {...}}`.
pub fn item_json() -> serde_json::Value {
    json!({ "item": { "id": ITEM_ID, "name": "Bridge" } })
}

/// A `200` with an item as `application/json`.
pub fn item_ok() -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(item_json())
}

/// `GET /items/{id}`: one item; `200` declared.
#[derive(Clone, Debug)]
pub struct GetItem {
    pub id: String,
}

impl GetItem {
    /// The item [`ITEM_ID`].
    pub fn new() -> GetItem {
        GetItem {
            id: ITEM_ID.to_owned(),
        }
    }

    /// The path it is sent to.
    pub fn path() -> String {
        format!("/items/{ITEM_ID}")
    }
}

impl Operation for GetItem {
    type Output = ResponseValue<Item>;

    fn request(&self) -> Result<Request, Error> {
        let mut request = Request::new(
            "GetItem",
            Method::GET,
            "/items/{id}",
            expand_path(
                "/items/{id}",
                &[("id", path_param(&Param::simple("id"), &self.id)?)],
            )?,
        );
        request.accept("application/json");
        request.security(SECURITY);
        Ok(request)
    }

    fn decode(raw: RawResponse) -> Result<Self::Output, Error> {
        decode_json_in(raw, &[200], "item")
    }
}

/// `POST /items` with a JSON body: creates an item; `201` declared.
#[derive(Clone, Debug)]
pub struct CreateItem {
    pub body: Item,
}

impl CreateItem {
    /// The item every test creates.
    pub fn new() -> CreateItem {
        CreateItem {
            body: Item {
                id: ITEM_ID.to_owned(),
                name: "Sun City Renewable-energy Plant".to_owned(),
                description: Some("Overall model of wind and solar farms".to_owned()),
            },
        }
    }
}

impl Operation for CreateItem {
    type Output = ResponseValue<Item>;

    fn request(&self) -> Result<Request, Error> {
        let mut request = Request::new("CreateItem", Method::POST, "/items", "/items".to_owned());
        request.json_body(&self.body, "application/json")?;
        request.accept("application/json");
        request.security(SECURITY);
        Ok(request)
    }

    fn decode(raw: RawResponse) -> Result<Self::Output, Error> {
        decode_json_in(raw, &[201], "item")
    }
}

/// `GET /items/{id}/image`: a binary body (`image/png`); `200` declared.
#[derive(Clone, Debug)]
pub struct GetImage {
    pub id: String,
}

impl GetImage {
    /// The image of [`ITEM_ID`].
    pub fn new() -> GetImage {
        GetImage {
            id: ITEM_ID.to_owned(),
        }
    }
}

impl Operation for GetImage {
    type Output = ResponseValue<Bytes>;

    fn request(&self) -> Result<Request, Error> {
        let mut request = Request::new(
            "GetImage",
            Method::GET,
            "/items/{id}/image",
            expand_path(
                "/items/{id}/image",
                &[("id", path_param(&Param::simple("id"), &self.id)?)],
            )?,
        );
        request.accept("image/png");
        request.security(SECURITY);
        Ok(request)
    }

    fn decode(raw: RawResponse) -> Result<Self::Output, Error> {
        decode_bytes(raw, &[200])
    }
}

/// `GET /items?owner=...&$top=...`: a page of items, `{"items": [...]}`; `200` declared.
#[derive(Clone, Debug)]
pub struct ListItems {
    pub owner: String,
    pub top: Option<i64>,
}

impl ListItems {
    /// The items of one owner, the server's page size.
    pub fn new() -> ListItems {
        ListItems {
            owner: OWNER.to_owned(),
            top: None,
        }
    }
}

/// The owner whose items [`ListItems::new`] lists.
pub const OWNER: &str = "a1b2c3d4-0000-4000-8000-00000000000a";

/// The list of [`ListItems`].
#[derive(Clone, Debug, Deserialize)]
pub struct ItemList {
    pub items: Vec<Item>,
}

impl Operation for ListItems {
    type Output = ResponseValue<ItemList>;

    fn request(&self) -> Result<Request, Error> {
        let mut request = Request::new("ListItems", Method::GET, "/items", "/items".to_owned());
        request.query_param(&Param::form("owner"), &self.owner)?;
        request.query_param(&Param::form("$top"), &self.top)?;
        request.accept("application/json");
        request.security(SECURITY);
        Ok(request)
    }

    fn decode(raw: RawResponse) -> Result<Self::Output, Error> {
        decode_json(raw, &[200])
    }
}

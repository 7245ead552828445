//! The same call written by hand, as a user without the generated client would write
//! it against the live API: raw `reqwest`, `serde_json` into local structs of the same
//! shape as the generated `IModelList` (the fields the overlays describe, `_links`
//! included, with the same field types: `Uuid`, `DateTime<Utc>`, an enum for
//! `state`), and a list walked by following `_links.next.href`, as Bentley's own
//! iterator does. A baseline with fewer fields or a `$skip` loop would measure a
//! different job: smaller items move faster, and a loop that stops at a short page
//! is the data loss the generated client must not have.

use chrono::{DateTime, Utc};
use serde::Deserialize;
use uuid::Uuid;

pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

#[derive(Debug, Clone, Deserialize)]
pub struct IModelList {
    #[serde(rename = "iModels", default)]
    pub imodels: Vec<IModel>,
    #[serde(rename = "_links")]
    pub links: Option<CollectionLinks>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct CollectionLinks {
    #[serde(rename = "self")]
    pub self_: Option<Link>,
    pub prev: Option<Link>,
    pub next: Option<Link>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Link {
    pub href: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StorageLink {
    pub href: Option<String>,
    pub storage_type: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IModel {
    pub id: Option<Uuid>,
    pub display_name: Option<String>,
    pub name: Option<String>,
    pub description: Option<String>,
    pub state: Option<IModelState>,
    #[serde(rename = "iTwinId")]
    pub itwin_id: Option<Uuid>,
    pub created_date_time: Option<DateTime<Utc>>,
    pub creator_id: Option<Uuid>,
    pub data_center_location: Option<String>,
    #[serde(rename = "_links")]
    pub links: Option<IModelLinks>,
    pub last_changeset_push_date_time: Option<DateTime<Utc>>,
    pub extent: Option<Extent>,
    pub containers_enabled: Option<i64>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IModelLinks {
    pub creator: Option<Link>,
    pub changesets: Option<Link>,
    pub named_versions: Option<Link>,
    pub upload: Option<StorageLink>,
    pub complete: Option<Link>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Extent {
    pub south_west: Option<Point>,
    pub north_east: Option<Point>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Point {
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum IModelState {
    Initialized,
    NotInitialized,
    #[serde(other)]
    Unknown,
}

/// A `reqwest::Client` with a base URL and a token.
#[derive(Debug, Clone)]
pub struct Baseline {
    http: reqwest::Client,
    url: String,
    token: String,
}

impl Baseline {
    pub fn new(base_url: impl Into<String>, token: impl Into<String>) -> Self {
        Baseline {
            http: reqwest::Client::new(),
            url: format!("{}/", base_url.into()),
            token: token.into(),
        }
    }

    /// `GET /?iTwinId=..&$top=..`, decoded.
    pub async fn get_imodels(&self, itwin_id: Uuid, top: i64) -> Result<IModelList, BoxError> {
        self.page(&[("iTwinId", itwin_id.to_string()), ("$top", top.to_string())])
            .await
    }

    /// Walks every page (`$top` = `page`, then each page's `_links.next.href`) to
    /// a page without a next link and returns how many items there were; one page
    /// in memory at a time.
    pub async fn stream_count(&self, itwin_id: Uuid, page: i64) -> Result<u64, BoxError> {
        let mut count = 0u64;
        let mut list = self
            .page(&[
                ("iTwinId", itwin_id.to_string()),
                ("$top", page.to_string()),
                ("$skip", "0".to_owned()),
            ])
            .await?;
        loop {
            let next = list.links.take().and_then(|links| links.next?.href);
            for item in list.imodels {
                std::hint::black_box(item);
                count += 1;
            }
            let Some(next) = next else {
                return Ok(count);
            };
            list = self.fetch(self.http.get(next)).await?;
        }
    }

    async fn page(&self, query: &[(&str, String)]) -> Result<IModelList, BoxError> {
        self.fetch(self.http.get(&self.url).query(query)).await
    }

    async fn fetch(&self, request: reqwest::RequestBuilder) -> Result<IModelList, BoxError> {
        let response = request
            .bearer_auth(&self.token)
            .header(reqwest::header::ACCEPT, "application/json")
            .send()
            .await?
            .error_for_status()?;
        let body = response.bytes().await?;
        Ok(serde_json::from_slice(&body)?)
    }
}

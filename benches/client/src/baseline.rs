//! The same call written by hand, as a user without the generated client would: raw
//! `reqwest`, `serde_json` into local structs of the same shape as the generated
//! `IModelList` (the same field types: `Uuid`, `DateTime<Utc>`, an enum for `state`).

use chrono::{DateTime, Utc};
use serde::Deserialize;
use uuid::Uuid;

pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

#[derive(Debug, Clone, Deserialize)]
pub struct IModelList {
    #[serde(rename = "iModels", default)]
    pub imodels: Vec<IModel>,
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

    /// Walks every page (`$top` = `page`, `$skip` counting up) to a short page and
    /// returns how many items there were; one page in memory at a time.
    pub async fn stream_count(&self, itwin_id: Uuid, page: i64) -> Result<u64, BoxError> {
        let mut count = 0u64;
        let mut skip = 0i64;
        loop {
            let list = self
                .page(&[
                    ("iTwinId", itwin_id.to_string()),
                    ("$top", page.to_string()),
                    ("$skip", skip.to_string()),
                ])
                .await?;
            let got = list.imodels.len() as i64;
            for item in list.imodels {
                std::hint::black_box(item);
                count += 1;
            }
            if got < page {
                return Ok(count);
            }
            skip += got;
        }
    }

    async fn page(&self, query: &[(&str, String)]) -> Result<IModelList, BoxError> {
        let response = self
            .http
            .get(&self.url)
            .query(query)
            .bearer_auth(&self.token)
            .header(reqwest::header::ACCEPT, "application/json")
            .send()
            .await?
            .error_for_status()?;
        let body = response.bytes().await?;
        Ok(serde_json::from_slice(&body)?)
    }
}

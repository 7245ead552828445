//! Lists the iModels of an iTwin (hand-written example).
//!
//! ```text
//! IMODELS_ACCESS_TOKEN=... ITWIN_ID=... cargo run -p generated-client --example list_imodels
//! ```
//!
//! `IMODELS_BASE_URL` overrides the API's address, e.g. to point at a local mock server.

use generated_client::{Client, DEFAULT_BASE_URL};
use std::error::Error;
use std::process::ExitCode;

fn required(name: &str, what: &str) -> Result<String, String> {
    std::env::var(name).map_err(|_| format!("{name} is not set: set it to {what}"))
}

#[tokio::main]
async fn main() -> ExitCode {
    match list_imodels().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            let mut source = error.source();
            while let Some(cause) = source {
                eprintln!("  caused by: {cause}");
                source = cause.source();
            }
            ExitCode::FAILURE
        }
    }
}

async fn list_imodels() -> Result<(), Box<dyn Error>> {
    let token = required("IMODELS_ACCESS_TOKEN", "an iTwin Platform access token")?;
    let itwin_id: generated_client::uuid::Uuid =
        required("ITWIN_ID", "the id of the iTwin to list")?
            .parse()
            .map_err(|e| format!("ITWIN_ID is not a UUID: {e}"))?;
    let base_url = std::env::var("IMODELS_BASE_URL").unwrap_or_else(|_| DEFAULT_BASE_URL.into());

    let client = Client::builder()
        .base_url(base_url)
        .bearer_token(token)
        .build()?;
    let list = client
        .get_imodels(itwin_id)
        .top(100)
        .send()
        .await?
        .into_inner();
    for imodel in list.imodels {
        let id = imodel.id.map(|id| id.to_string()).unwrap_or_default();
        println!("{id}  {}", imodel.display_name.unwrap_or_default());
    }
    Ok(())
}

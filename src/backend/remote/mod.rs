//! The backend over HTTP: a real Landscape server (REST v2 with a JWT, or
//! the legacy API with signed requests), or `landscape-tui serve`.

mod client;
mod endpoints;
mod operations;
mod options;
mod row_reads;
mod rows;
mod session;
mod state;
mod transport;

pub use endpoints::Endpoints;
pub use options::{ApiChoice, DEFAULT_MAX_BODY_MIB, RemoteCredentials, RemoteOptions, Secret};
pub use state::RemoteBackend;
pub use transport::parse_refusals;

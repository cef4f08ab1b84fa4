//! The REST routes' guard as an axum extractor: a handler that takes an
//! [`Authorised`] runs only for a request with a valid bearer token, so no
//! handler checks the token by hand (or forgets to).

use std::sync::Arc;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;

use super::{ApiError, ServerState};

/// A request with a valid bearer token, and the backend of its account.
pub struct Authorised(pub std::sync::Arc<dyn crate::backend::Backend>);

impl FromRequestParts<Arc<ServerState>> for Authorised {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &Arc<ServerState>,
    ) -> Result<Self, Self::Rejection> {
        let claims = state.require_bearer(&parts.headers)?;
        state.backend_of(&claims).map(Authorised)
    }
}

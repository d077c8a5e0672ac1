//! Marquee's own API at `/api/v1/`: what Ghost does not model.

use crate::state::AppState;
use utoipa_axum::router::OpenApiRouter;

/// The routes of Marquee's API, with their OpenAPI descriptions.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
}

// Placeholder until the events branch lands; replaced by it.
#[derive(serde::Serialize)]
pub struct EventView {
    pub url: String,
    pub title: String,
}

impl EventView {
    pub fn new(e: &marquee_store::EventCard) -> EventView {
        EventView { url: format!("/events/{}/", e.slug), title: e.title.clone() }
    }
}

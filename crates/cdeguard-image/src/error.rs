//! The one error type of image reading: which image, which member, what went wrong.

/// An image (or one of its members) that could not be read.
#[derive(Debug, thiserror::Error)]
#[error("{image}{}: {message}", member.as_ref().map(|m| format!(": {m}")).unwrap_or_default())]
pub struct ImageError {
    /// The image path or reference.
    pub image: String,
    /// The member (layer, blob, file in a layer) at fault, when there is one.
    pub member: Option<String>,
    pub message: String,
}

impl ImageError {
    pub(crate) fn new(image: &str, member: Option<&str>, message: impl Into<String>) -> Self {
        Self {
            image: image.to_owned(),
            member: member.map(str::to_owned),
            message: message.into(),
        }
    }
}

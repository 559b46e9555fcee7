//! Objects in S3: locations, key selection, and the source that copies them.

mod body;
pub mod filter;
mod source;
pub mod url;

pub use filter::KeyFilter;
pub use source::S3Source;
pub use url::S3Url;

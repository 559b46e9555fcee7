//! Charts as inline SVG: activity per time bucket, stacked by series, with
//! attacker series drawn so they stand out on screen and in greyscale print.
//!
//! The SVG is self-contained (no fonts, images or scripts are referenced),
//! has a fixed `viewBox` width so it scales to the text width of an A4 page,
//! and escapes every string: series names are identity names taken from logs,
//! which an attacker chooses.

mod layout;
mod svg;

pub use svg::to_svg;

/// A stacked bar chart over time buckets.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Chart {
    /// Shown above the chart and as the SVG's accessible title.
    pub title: String,
    /// One label per time bucket, in order (e.g. `2024-05-01`).
    pub x_labels: Vec<String>,
    /// The stacked series; each has one value per bucket.
    pub series: Vec<Series>,
}

/// One stacked series: the activity of one identity, region or group.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Series {
    /// Legend text (attacker-controlled: escaped when drawn).
    pub name: String,
    /// Whether this is attacker activity: drawn hatched in warm colours and
    /// marked `▲` in the legend, so it is told apart without colour.
    pub attacker: bool,
    /// One value per bucket; missing buckets count as 0, extra ones are ignored.
    pub values: Vec<u64>,
}

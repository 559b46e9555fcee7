//! What the attacker's EC2 instances cost: instance-hours × the on-demand Linux list price of
//! their type in their region.
//!
//! * [`PriceTable`] holds the prices. [`PriceTable::builtin`] is the table shipped as data in
//!   `data/ec2-ondemand-linux.csv` (approximate list prices: see the crate README);
//!   [`PriceTable::from_csv`] reads a refreshed one.
//! * [`offer`] refreshes it from AWS Price List offer files (`index.json` / `index.csv`) that the
//!   user downloads; the `cloudcase-pricing-update` binary wraps it.
//! * [`estimate()`] prices a list of [`InstanceRun`]s, per run, per region, per type and overall,
//!   stating its assumptions and flagging runs it could not price. The result, [`Cost`], is a
//!   type of `cloudcase-model` (the scope document's `cost` section), re-exported here.
#![deny(missing_docs)]

pub mod estimate;
pub mod offer;
pub mod table;

pub use cloudcase_model::cost::{Cost, GroupTotal, InstanceCost};
pub use estimate::{estimate, InstanceRun};
pub use offer::{read_offer, table_from_offers, Conflict, OfferError, OfferPrices};
pub use table::{PriceTable, TableError, BUILTIN_CSV, CSV_HEADER};

//! The updater: reads AWS Price List Bulk API offer files for Amazon EC2 (the per-region
//! `index.json`, or its CSV variant `index.csv`) and keeps the on-demand Linux hourly prices —
//! shared tenancy, no pre-installed software, capacity status `Used`, unit `Hrs`, USD — in the
//! crate's price-table shape. Files are read as streams: products that do not qualify are
//! dropped as they are parsed, so a few-hundred-MB offer file never sits in memory whole.
//! Nothing here touches the network; the user downloads the files.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::io::{BufRead, BufReader, Read};

use serde::de::{Deserializer, IgnoredAny, MapAccess, Visitor};
use serde::Deserialize;

use crate::table::PriceTable;

/// Why an offer file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum OfferError {
    /// Reading the file failed.
    #[error("reading the offer file: {0}")]
    Io(#[from] std::io::Error),
    /// The JSON is malformed or not in the offer-file shape (serde_json names line and column).
    #[error("offer file JSON: {0}")]
    Json(#[from] serde_json::Error),
    /// The CSV variant is malformed.
    #[error("offer file CSV: {0}")]
    Csv(#[from] csv::Error),
    /// The file parsed but is not an EC2 offer file (for example the region index).
    #[error("not an AWS price-list offer file: {0}")]
    NotAnOffer(String),
}

/// The attributes of one product that decide whether it is kept, and where and what it is.
#[derive(Debug, Default, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Attributes {
    instance_type: Option<String>,
    region_code: Option<String>,
    location: Option<String>,
    location_type: Option<String>,
    operating_system: Option<String>,
    tenancy: Option<String>,
    pre_installed_sw: Option<String>,
    #[serde(rename = "capacitystatus")]
    capacity_status: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Product {
    product_family: Option<String>,
    #[serde(default)]
    attributes: Attributes,
}

/// Decides whether a product is an on-demand Linux instance price worth keeping: returns
/// `(region, instance_type)` or the reason it was skipped. Attributes that older offer files
/// lack (`capacitystatus`, `preInstalledSw`, `locationType`) are not held against a product.
fn classify(family: Option<&str>, a: &Attributes) -> Result<(String, String), &'static str> {
    if !family.is_some_and(|f| f.starts_with("Compute Instance")) {
        return Err("not a compute instance");
    }
    let instance_type = match a.instance_type.as_deref().map(str::trim) {
        Some(t) if !t.is_empty() => t.to_string(),
        _ => return Err("no instance type"),
    };
    if a.operating_system.as_deref() != Some("Linux") {
        return Err("not Linux");
    }
    if a.tenancy.as_deref() != Some("Shared") {
        return Err("not shared tenancy");
    }
    if a.pre_installed_sw.as_deref().is_some_and(|s| s != "NA") {
        return Err("pre-installed software");
    }
    if a.capacity_status.as_deref().is_some_and(|s| s != "Used") {
        return Err("capacity status not Used");
    }
    if a.location_type
        .as_deref()
        .is_some_and(|s| s != "AWS Region")
    {
        return Err("not an AWS Region (local zone, wavelength or outpost)");
    }
    let region = match a.region_code.as_deref().filter(|r| !r.is_empty()) {
        Some(r) => r.to_string(),
        None => match a.location.as_deref().and_then(region_for_location) {
            Some(r) => r.to_string(),
            None => return Err("no region code and an unknown location name"),
        },
    };
    Ok((region, instance_type))
}

/// Region codes for the `location` names of offer files that predate `regionCode`.
pub fn region_for_location(location: &str) -> Option<&'static str> {
    Some(match location {
        "US East (N. Virginia)" => "us-east-1",
        "US East (Ohio)" => "us-east-2",
        "US West (N. California)" => "us-west-1",
        "US West (Oregon)" => "us-west-2",
        "Canada (Central)" => "ca-central-1",
        "Canada West (Calgary)" => "ca-west-1",
        "South America (Sao Paulo)" => "sa-east-1",
        "EU (Ireland)" | "Europe (Ireland)" => "eu-west-1",
        "EU (London)" | "Europe (London)" => "eu-west-2",
        "EU (Paris)" | "Europe (Paris)" => "eu-west-3",
        "EU (Frankfurt)" | "Europe (Frankfurt)" => "eu-central-1",
        "EU (Zurich)" | "Europe (Zurich)" => "eu-central-2",
        "EU (Stockholm)" | "Europe (Stockholm)" => "eu-north-1",
        "EU (Milan)" | "Europe (Milan)" => "eu-south-1",
        "EU (Spain)" | "Europe (Spain)" => "eu-south-2",
        "Asia Pacific (Tokyo)" => "ap-northeast-1",
        "Asia Pacific (Seoul)" => "ap-northeast-2",
        "Asia Pacific (Osaka)" | "Asia Pacific (Osaka-Local)" => "ap-northeast-3",
        "Asia Pacific (Singapore)" => "ap-southeast-1",
        "Asia Pacific (Sydney)" => "ap-southeast-2",
        "Asia Pacific (Jakarta)" => "ap-southeast-3",
        "Asia Pacific (Melbourne)" => "ap-southeast-4",
        "Asia Pacific (Mumbai)" => "ap-south-1",
        "Asia Pacific (Hyderabad)" => "ap-south-2",
        "Asia Pacific (Hong Kong)" => "ap-east-1",
        "Middle East (Bahrain)" => "me-south-1",
        "Middle East (UAE)" => "me-central-1",
        "Israel (Tel Aviv)" => "il-central-1",
        "Africa (Cape Town)" => "af-south-1",
        "AWS GovCloud (US-West)" => "us-gov-west-1",
        "AWS GovCloud (US-East)" => "us-gov-east-1",
        _ => return None,
    })
}

/// A kept product, in file order.
#[derive(Debug, Clone, PartialEq)]
struct Kept {
    sku: String,
    region: String,
    instance_type: String,
}

/// What one offer file yielded: the qualifying prices and an account of everything skipped.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OfferPrices {
    /// `publicationDate` of the offer file, when it has one: the date the prices are from.
    pub publication_date: Option<String>,
    /// `(region, instance_type, usd_per_hour)` in file order, one per qualifying product.
    pub rows: Vec<(String, String, f64)>,
    /// Products read (JSON) or price rows read (CSV).
    pub seen: usize,
    /// How many products were skipped, by reason.
    pub skipped: BTreeMap<&'static str, usize>,
}

impl fmt::Display for OfferPrices {
    /// One line for standard error: what was read, kept and skipped.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} read, {} prices kept", self.seen, self.rows.len())?;
        if let Some(date) = &self.publication_date {
            write!(f, " (published {date})")?;
        }
        for (reason, count) in &self.skipped {
            write!(f, "; {count} {reason}")?;
        }
        Ok(())
    }
}

/// Products kept while streaming through `products`, plus the skip counts.
#[derive(Default)]
struct FilteredProducts {
    kept: Vec<Kept>,
    seen: usize,
    skipped: BTreeMap<&'static str, usize>,
}

impl<'de> Deserialize<'de> for FilteredProducts {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = FilteredProducts;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a map of SKU to product")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut out = FilteredProducts::default();
                while let Some((sku, product)) = map.next_entry::<String, Product>()? {
                    out.seen += 1;
                    match classify(product.product_family.as_deref(), &product.attributes) {
                        Ok((region, instance_type)) => out.kept.push(Kept {
                            sku,
                            region,
                            instance_type,
                        }),
                        Err(reason) => *out.skipped.entry(reason).or_default() += 1,
                    }
                }
                Ok(out)
            }
        }
        deserializer.deserialize_map(V)
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PriceDimension {
    unit: Option<String>,
    #[serde(default)]
    price_per_unit: HashMap<String, String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Term {
    #[serde(default)]
    price_dimensions: HashMap<String, PriceDimension>,
}

/// The hourly USD on-demand price of every SKU in `terms.OnDemand` (reserved terms are skipped
/// unparsed). When a SKU has several hourly dimensions the first non-zero one is kept.
#[derive(Default)]
struct OnDemandHourly(HashMap<String, f64>);

impl<'de> Deserialize<'de> for OnDemandHourly {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = OnDemandHourly;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a map of SKU to on-demand terms")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut out = HashMap::new();
                while let Some((sku, terms)) = map.next_entry::<String, HashMap<String, Term>>()? {
                    let price = terms
                        .values()
                        .flat_map(|t| t.price_dimensions.values())
                        .filter(|d| d.unit.as_deref() == Some("Hrs"))
                        .filter_map(|d| d.price_per_unit.get("USD"))
                        .filter_map(|p| p.trim().parse::<f64>().ok())
                        .find(|p| p.is_finite() && *p > 0.0);
                    if let Some(price) = price {
                        out.insert(sku, price);
                    }
                }
                Ok(OnDemandHourly(out))
            }
        }
        deserializer.deserialize_map(V)
    }
}

#[derive(Deserialize, Default)]
struct Terms {
    #[serde(rename = "OnDemand", default)]
    on_demand: OnDemandHourly,
}

/// The top level of an offer file: only the parts used are parsed; the rest is skipped.
struct Offer {
    publication_date: Option<String>,
    products: Option<FilteredProducts>,
    terms: Option<Terms>,
}

impl<'de> Deserialize<'de> for Offer {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Offer;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an AWS price-list offer file object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut offer = Offer {
                    publication_date: None,
                    products: None,
                    terms: None,
                };
                while let Some(key) = map.next_key::<String>()? {
                    match key.as_str() {
                        "publicationDate" => offer.publication_date = map.next_value()?,
                        "products" => offer.products = Some(map.next_value()?),
                        "terms" => offer.terms = Some(map.next_value()?),
                        _ => {
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                Ok(offer)
            }
        }
        deserializer.deserialize_map(V)
    }
}

/// Reads one EC2 offer file, JSON (`index.json`) or CSV (`index.csv`), telling them apart by
/// the first non-blank byte (`{` for JSON). Returns the qualifying prices in file order.
pub fn read_offer<R: Read>(reader: R) -> Result<OfferPrices, OfferError> {
    let mut reader = BufReader::with_capacity(1 << 20, reader);
    loop {
        let buf = reader.fill_buf()?;
        let Some(&first) = buf.first() else {
            return Err(OfferError::NotAnOffer("the file is empty".into()));
        };
        // Skip a UTF-8 byte-order mark and leading blanks before deciding.
        if first.is_ascii_whitespace() {
            reader.consume(1);
            continue;
        }
        if buf.starts_with(b"\xEF\xBB\xBF") {
            reader.consume(3);
            continue;
        }
        return if first == b'{' {
            read_offer_json(reader)
        } else {
            read_offer_csv(reader)
        };
    }
}

/// Reads the JSON offer file shape (`products` and `terms.OnDemand`).
pub fn read_offer_json<R: Read>(reader: R) -> Result<OfferPrices, OfferError> {
    let mut de = serde_json::Deserializer::from_reader(reader);
    let offer = Offer::deserialize(&mut de)?;
    de.end()?;
    let products = offer
        .products
        .ok_or_else(|| OfferError::NotAnOffer("no `products` object".into()))?;
    let terms = offer.terms.unwrap_or_default();
    let mut out = OfferPrices {
        publication_date: offer.publication_date,
        seen: products.seen,
        skipped: products.skipped,
        ..OfferPrices::default()
    };
    for kept in products.kept {
        match terms.on_demand.0.get(&kept.sku) {
            Some(&price) => out.rows.push((kept.region, kept.instance_type, price)),
            None => {
                *out.skipped
                    .entry("no on-demand hourly USD price")
                    .or_default() += 1
            }
        }
    }
    Ok(out)
}

/// Reads the CSV offer file shape: metadata rows (`"FormatVersion"`, `"Publication Date"`, …),
/// then a header row starting with `SKU`, then one row per price term.
pub fn read_offer_csv<R: Read>(reader: R) -> Result<OfferPrices, OfferError> {
    let mut csv = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(reader);
    let mut out = OfferPrices::default();
    let mut columns: Option<HashMap<String, usize>> = None;
    let mut record = csv::StringRecord::new();
    while csv.read_record(&mut record)? {
        let Some(cols) = &columns else {
            match record.get(0).map(str::trim) {
                Some("SKU") => {
                    columns = Some(
                        record
                            .iter()
                            .enumerate()
                            .map(|(i, name)| (name.trim().to_string(), i))
                            .collect(),
                    );
                }
                Some("Publication Date") => {
                    out.publication_date = record.get(1).map(|d| d.trim().to_string());
                }
                _ => {}
            }
            continue;
        };
        let field = |name: &str| -> Option<String> {
            cols.get(name)
                .and_then(|&i| record.get(i))
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_string)
        };
        if field("TermType").as_deref() != Some("OnDemand") {
            continue; // Reserved terms: not a product, not counted.
        }
        out.seen += 1;
        if field("Unit").as_deref() != Some("Hrs") || field("Currency").as_deref() != Some("USD") {
            *out.skipped
                .entry("no on-demand hourly USD price")
                .or_default() += 1;
            continue;
        }
        let attributes = Attributes {
            instance_type: field("Instance Type"),
            region_code: field("Region Code"),
            location: field("Location"),
            location_type: field("Location Type"),
            operating_system: field("Operating System"),
            tenancy: field("Tenancy"),
            pre_installed_sw: field("Pre Installed S/W"),
            capacity_status: field("CapacityStatus"),
        };
        match classify(field("Product Family").as_deref(), &attributes) {
            Ok((region, instance_type)) => {
                match field("PricePerUnit").and_then(|p| p.parse::<f64>().ok()) {
                    Some(price) if price.is_finite() && price > 0.0 => {
                        out.rows.push((region, instance_type, price))
                    }
                    _ => {
                        *out.skipped
                            .entry("no on-demand hourly USD price")
                            .or_default() += 1
                    }
                }
            }
            Err(reason) => *out.skipped.entry(reason).or_default() += 1,
        }
    }
    if columns.is_none() {
        return Err(OfferError::NotAnOffer(
            "no header row starting with \"SKU\"".into(),
        ));
    }
    Ok(out)
}

/// A price that disagreed with one already taken for the same region and type.
#[derive(Debug, Clone, PartialEq)]
pub struct Conflict {
    /// Region code.
    pub region: String,
    /// Instance type.
    pub instance_type: String,
    /// The price kept (the first one read).
    pub kept: f64,
    /// The differing price that was dropped.
    pub dropped: f64,
}

/// Builds a price table from parsed offer files, in order; the first price read for a region
/// and type wins and any different later price is reported as a [`Conflict`] (identical
/// repeats, as from overlapping files, are not). The table's comments record the source.
pub fn table_from_offers(offers: &[OfferPrices]) -> (PriceTable, Vec<Conflict>) {
    let mut table = PriceTable::default();
    let mut conflicts = Vec::new();
    let mut dates: Vec<&str> = offers
        .iter()
        .filter_map(|o| o.publication_date.as_deref())
        .collect();
    dates.sort_unstable();
    dates.dedup();
    table.push_comment(
        "On-demand Linux EC2 prices, USD per hour (shared tenancy, no pre-installed software, capacity status Used).",
    );
    table.push_comment(format!(
        "From AWS Price List offer files published {} by cloudcase-pricing-update.",
        if dates.is_empty() {
            "(no date in the files)".to_string()
        } else {
            dates.join(", ")
        }
    ));
    for offer in offers {
        for (region, instance_type, price) in &offer.rows {
            match table.hourly(region, instance_type) {
                None => table.insert(region, instance_type, *price),
                Some(kept) if kept != *price => conflicts.push(Conflict {
                    region: region.clone(),
                    instance_type: instance_type.clone(),
                    kept,
                    dropped: *price,
                }),
                Some(_) => {}
            }
        }
    }
    (table, conflicts)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A tiny offer file in the exact shape of AWS's EC2 `index.json`: one qualifying product
    /// per region style (regionCode, and location only), and one product for each exclusion.
    const FIXTURE_JSON: &str = r#"{
  "formatVersion" : "v1.0",
  "disclaimer" : "This pricing list is for informational purposes only. All prices are subject to the additional terms included in the pricing pages on http://aws.amazon.com. All Free Tier prices are also subject to the terms included at https://aws.amazon.com/free/",
  "offerCode" : "AmazonEC2",
  "version" : "20240610190409",
  "publicationDate" : "2024-06-10T19:04:09Z",
  "products" : {
    "SKU1LINUX" : {
      "sku" : "SKU1LINUX",
      "productFamily" : "Compute Instance",
      "attributes" : {
        "servicecode" : "AmazonEC2",
        "location" : "US East (N. Virginia)",
        "locationType" : "AWS Region",
        "instanceType" : "p3.2xlarge",
        "currentGeneration" : "Yes",
        "instanceFamily" : "GPU instance",
        "vcpu" : "8",
        "memory" : "61 GiB",
        "tenancy" : "Shared",
        "operatingSystem" : "Linux",
        "licenseModel" : "No License required",
        "usagetype" : "BoxUsage:p3.2xlarge",
        "operation" : "RunInstances",
        "capacitystatus" : "Used",
        "gpu" : "1",
        "preInstalledSw" : "NA",
        "regionCode" : "us-east-1",
        "servicename" : "Amazon Elastic Compute Cloud"
      }
    },
    "SKU2METAL" : {
      "sku" : "SKU2METAL",
      "productFamily" : "Compute Instance (bare metal)",
      "attributes" : {
        "location" : "US East (N. Virginia)",
        "locationType" : "AWS Region",
        "instanceType" : "c5.metal",
        "tenancy" : "Shared",
        "operatingSystem" : "Linux",
        "capacitystatus" : "Used",
        "preInstalledSw" : "NA",
        "regionCode" : "us-east-1"
      }
    },
    "SKU3WINDOWS" : {
      "sku" : "SKU3WINDOWS",
      "productFamily" : "Compute Instance",
      "attributes" : { "instanceType" : "p3.2xlarge", "tenancy" : "Shared", "operatingSystem" : "Windows",
        "capacitystatus" : "Used", "preInstalledSw" : "NA", "regionCode" : "us-east-1", "locationType" : "AWS Region" }
    },
    "SKU4DEDICATED" : {
      "sku" : "SKU4DEDICATED",
      "productFamily" : "Compute Instance",
      "attributes" : { "instanceType" : "p3.2xlarge", "tenancy" : "Dedicated", "operatingSystem" : "Linux",
        "capacitystatus" : "Used", "preInstalledSw" : "NA", "regionCode" : "us-east-1", "locationType" : "AWS Region" }
    },
    "SKU5SQL" : {
      "sku" : "SKU5SQL",
      "productFamily" : "Compute Instance",
      "attributes" : { "instanceType" : "p3.2xlarge", "tenancy" : "Shared", "operatingSystem" : "Linux",
        "capacitystatus" : "Used", "preInstalledSw" : "SQL Web", "regionCode" : "us-east-1", "locationType" : "AWS Region" }
    },
    "SKU6RESERVATION" : {
      "sku" : "SKU6RESERVATION",
      "productFamily" : "Compute Instance",
      "attributes" : { "instanceType" : "p3.2xlarge", "tenancy" : "Shared", "operatingSystem" : "Linux",
        "capacitystatus" : "UnusedCapacityReservation", "preInstalledSw" : "NA", "regionCode" : "us-east-1", "locationType" : "AWS Region" }
    },
    "SKU7EBS" : {
      "sku" : "SKU7EBS",
      "productFamily" : "Storage",
      "attributes" : { "volumeApiName" : "gp3", "regionCode" : "us-east-1", "locationType" : "AWS Region" }
    },
    "SKU8LOCALZONE" : {
      "sku" : "SKU8LOCALZONE",
      "productFamily" : "Compute Instance",
      "attributes" : { "instanceType" : "g4dn.xlarge", "tenancy" : "Shared", "operatingSystem" : "Linux",
        "capacitystatus" : "Used", "preInstalledSw" : "NA", "regionCode" : "us-east-1", "location" : "US East (Boston)", "locationType" : "AWS Local Zone" }
    },
    "SKU9OLDSTYLE" : {
      "sku" : "SKU9OLDSTYLE",
      "productFamily" : "Compute Instance",
      "attributes" : { "instanceType" : "g4dn.xlarge", "tenancy" : "Shared", "operatingSystem" : "Linux",
        "location" : "EU (Ireland)" }
    },
    "SKU10NOPRICE" : {
      "sku" : "SKU10NOPRICE",
      "productFamily" : "Compute Instance",
      "attributes" : { "instanceType" : "m5.large", "tenancy" : "Shared", "operatingSystem" : "Linux",
        "capacitystatus" : "Used", "preInstalledSw" : "NA", "regionCode" : "us-east-1", "locationType" : "AWS Region" }
    }
  },
  "terms" : {
    "OnDemand" : {
      "SKU1LINUX" : {
        "SKU1LINUX.JRTCKXETXF" : {
          "offerTermCode" : "JRTCKXETXF",
          "sku" : "SKU1LINUX",
          "effectiveDate" : "2024-06-01T00:00:00Z",
          "priceDimensions" : {
            "SKU1LINUX.JRTCKXETXF.6YS6EN2CT7" : {
              "rateCode" : "SKU1LINUX.JRTCKXETXF.6YS6EN2CT7",
              "description" : "$3.06 per On Demand Linux p3.2xlarge Instance Hour",
              "beginRange" : "0",
              "endRange" : "Inf",
              "unit" : "Hrs",
              "pricePerUnit" : { "USD" : "3.0600000000" },
              "appliesTo" : [ ]
            }
          },
          "termAttributes" : { }
        }
      },
      "SKU2METAL" : {
        "SKU2METAL.JRTCKXETXF" : {
          "offerTermCode" : "JRTCKXETXF", "sku" : "SKU2METAL", "effectiveDate" : "2024-06-01T00:00:00Z",
          "priceDimensions" : { "SKU2METAL.JRTCKXETXF.6YS6EN2CT7" : { "rateCode" : "SKU2METAL.JRTCKXETXF.6YS6EN2CT7",
            "description" : "$4.08 per On Demand Linux c5.metal Instance Hour", "beginRange" : "0", "endRange" : "Inf",
            "unit" : "Hrs", "pricePerUnit" : { "USD" : "4.0800000000" }, "appliesTo" : [ ] } },
          "termAttributes" : { }
        }
      },
      "SKU3WINDOWS" : {
        "SKU3WINDOWS.JRTCKXETXF" : { "offerTermCode" : "JRTCKXETXF", "sku" : "SKU3WINDOWS",
          "priceDimensions" : { "SKU3WINDOWS.JRTCKXETXF.6YS6EN2CT7" : { "unit" : "Hrs", "pricePerUnit" : { "USD" : "3.4280000000" }, "appliesTo" : [ ] } },
          "termAttributes" : { } }
      },
      "SKU9OLDSTYLE" : {
        "SKU9OLDSTYLE.JRTCKXETXF" : { "offerTermCode" : "JRTCKXETXF", "sku" : "SKU9OLDSTYLE",
          "priceDimensions" : { "SKU9OLDSTYLE.JRTCKXETXF.6YS6EN2CT7" : { "unit" : "Hrs", "pricePerUnit" : { "USD" : "0.5870000000" }, "appliesTo" : [ ] } },
          "termAttributes" : { } }
      },
      "SKU10NOPRICE" : {
        "SKU10NOPRICE.JRTCKXETXF" : { "offerTermCode" : "JRTCKXETXF", "sku" : "SKU10NOPRICE",
          "priceDimensions" : { "SKU10NOPRICE.JRTCKXETXF.6YS6EN2CT7" : { "unit" : "Quantity", "pricePerUnit" : { "USD" : "0.0960000000" }, "appliesTo" : [ ] } },
          "termAttributes" : { } }
      }
    },
    "Reserved" : {
      "SKU1LINUX" : {
        "SKU1LINUX.4NA7Y494T4" : {
          "offerTermCode" : "4NA7Y494T4", "sku" : "SKU1LINUX", "effectiveDate" : "2024-06-01T00:00:00Z",
          "priceDimensions" : { "SKU1LINUX.4NA7Y494T4.6YS6EN2CT7" : { "unit" : "Hrs", "pricePerUnit" : { "USD" : "1.9300000000" }, "appliesTo" : [ ] } },
          "termAttributes" : { "LeaseContractLength" : "1yr", "OfferingClass" : "standard", "PurchaseOption" : "No Upfront" }
        }
      }
    }
  }
}"#;

    /// The CSV variant (`index.csv`) of the same kind of file, header row abridged to the
    /// columns that matter plus a few others, in AWS's quoting.
    const FIXTURE_CSV: &str = "\"FormatVersion\",\"v1.0\"\n\
\"Disclaimer\",\"This pricing list is for informational purposes only.\"\n\
\"Publication Date\",\"2024-06-10T19:04:09Z\"\n\
\"Version\",\"20240610190409\"\n\
\"OfferCode\",\"AmazonEC2\"\n\
\"SKU\",\"OfferTermCode\",\"RateCode\",\"TermType\",\"PriceDescription\",\"EffectiveDate\",\"StartingRange\",\"EndingRange\",\"Unit\",\"PricePerUnit\",\"Currency\",\"RelatedTo\",\"LeaseContractLength\",\"PurchaseOption\",\"OfferingClass\",\"Product Family\",\"serviceCode\",\"Location\",\"Location Type\",\"Instance Type\",\"Tenancy\",\"Operating System\",\"License Model\",\"CapacityStatus\",\"Pre Installed S/W\",\"Region Code\"\n\
\"SKU1\",\"JRTCKXETXF\",\"SKU1.JRTCKXETXF.6YS6EN2CT7\",\"OnDemand\",\"$3.06 per On Demand Linux p3.2xlarge Instance Hour\",\"2024-06-01\",\"0\",\"Inf\",\"Hrs\",\"3.0600000000\",\"USD\",\"\",\"\",\"\",\"\",\"Compute Instance\",\"AmazonEC2\",\"US East (N. Virginia)\",\"AWS Region\",\"p3.2xlarge\",\"Shared\",\"Linux\",\"No License required\",\"Used\",\"NA\",\"us-east-1\"\n\
\"SKU1\",\"4NA7Y494T4\",\"SKU1.4NA7Y494T4.6YS6EN2CT7\",\"Reserved\",\"Linux/UNIX (Amazon VPC), p3.2xlarge reserved instance applied\",\"2024-06-01\",\"0\",\"Inf\",\"Hrs\",\"1.9300000000\",\"USD\",\"\",\"1yr\",\"No Upfront\",\"standard\",\"Compute Instance\",\"AmazonEC2\",\"US East (N. Virginia)\",\"AWS Region\",\"p3.2xlarge\",\"Shared\",\"Linux\",\"No License required\",\"Used\",\"NA\",\"us-east-1\"\n\
\"SKU2\",\"JRTCKXETXF\",\"SKU2.JRTCKXETXF.6YS6EN2CT7\",\"OnDemand\",\"$0.00 per Unused Reservation Linux p3.2xlarge Instance Hour\",\"2024-06-01\",\"0\",\"Inf\",\"Hrs\",\"3.0600000000\",\"USD\",\"\",\"\",\"\",\"\",\"Compute Instance\",\"AmazonEC2\",\"US East (N. Virginia)\",\"AWS Region\",\"p3.2xlarge\",\"Shared\",\"Linux\",\"No License required\",\"UnusedCapacityReservation\",\"NA\",\"us-east-1\"\n\
\"SKU3\",\"JRTCKXETXF\",\"SKU3.JRTCKXETXF.6YS6EN2CT7\",\"OnDemand\",\"$0.587 per On Demand Linux g4dn.xlarge Instance Hour\",\"2024-06-01\",\"0\",\"Inf\",\"Hrs\",\"0.5870000000\",\"USD\",\"\",\"\",\"\",\"\",\"Compute Instance\",\"AmazonEC2\",\"EU (Ireland)\",\"AWS Region\",\"g4dn.xlarge\",\"Shared\",\"Linux\",\"No License required\",\"Used\",\"NA\",\"\"\n\
\"SKU4\",\"JRTCKXETXF\",\"SKU4.JRTCKXETXF.6YS6EN2CT7\",\"OnDemand\",\"$3.428 per On Demand Windows p3.2xlarge Instance Hour\",\"2024-06-01\",\"0\",\"Inf\",\"Hrs\",\"3.4280000000\",\"USD\",\"\",\"\",\"\",\"\",\"Compute Instance\",\"AmazonEC2\",\"US East (N. Virginia)\",\"AWS Region\",\"p3.2xlarge\",\"Shared\",\"Windows\",\"No License required\",\"Used\",\"NA\",\"us-east-1\"\n";

    #[test]
    fn json_offer_keeps_only_on_demand_linux_shared_used_hourly() {
        let prices = read_offer(FIXTURE_JSON.as_bytes()).unwrap();
        assert_eq!(
            prices.publication_date.as_deref(),
            Some("2024-06-10T19:04:09Z")
        );
        assert_eq!(
            prices.rows,
            vec![
                ("us-east-1".into(), "p3.2xlarge".into(), 3.06),
                ("us-east-1".into(), "c5.metal".into(), 4.08),
                ("eu-west-1".into(), "g4dn.xlarge".into(), 0.587),
            ]
        );
        assert_eq!(prices.seen, 10);
        let skipped: Vec<(&str, usize)> = prices.skipped.iter().map(|(k, v)| (*k, *v)).collect();
        assert_eq!(
            skipped,
            vec![
                ("capacity status not Used", 1),
                ("no on-demand hourly USD price", 1),
                ("not Linux", 1),
                ("not a compute instance", 1),
                ("not an AWS Region (local zone, wavelength or outpost)", 1),
                ("not shared tenancy", 1),
                ("pre-installed software", 1),
            ]
        );
        assert!(prices.to_string().starts_with("10 read, 3 prices kept"));
    }

    #[test]
    fn csv_offer_gives_the_same_prices() {
        let prices = read_offer(FIXTURE_CSV.as_bytes()).unwrap();
        assert_eq!(
            prices.publication_date.as_deref(),
            Some("2024-06-10T19:04:09Z")
        );
        assert_eq!(
            prices.rows,
            vec![
                ("us-east-1".into(), "p3.2xlarge".into(), 3.06),
                ("eu-west-1".into(), "g4dn.xlarge".into(), 0.587),
            ]
        );
        assert_eq!(prices.seen, 4, "reserved rows are not counted");
        assert_eq!(prices.skipped.get("not Linux"), Some(&1));
        assert_eq!(prices.skipped.get("capacity status not Used"), Some(&1));
    }

    #[test]
    fn offers_become_a_table_that_round_trips_through_csv() {
        let json = read_offer(FIXTURE_JSON.as_bytes()).unwrap();
        let csv = read_offer(FIXTURE_CSV.as_bytes()).unwrap();
        let mut changed = csv.clone();
        changed.rows[0].2 = 3.5;
        let (table, conflicts) = table_from_offers(&[json, csv, changed]);
        assert_eq!(table.len(), 3);
        assert_eq!(table.hourly("us-east-1", "p3.2xlarge"), Some(3.06));
        assert_eq!(
            conflicts,
            vec![Conflict {
                region: "us-east-1".into(),
                instance_type: "p3.2xlarge".into(),
                kept: 3.06,
                dropped: 3.5,
            }]
        );
        let text = table.to_csv();
        assert!(text.contains("published 2024-06-10T19:04:09Z"), "{text}");
        let again = PriceTable::from_csv(&text).unwrap();
        assert_eq!(again, table);
    }

    #[test]
    fn not_an_offer_is_an_error() {
        assert!(matches!(
            read_offer(&b""[..]),
            Err(OfferError::NotAnOffer(_))
        ));
        assert!(matches!(
            read_offer(&br#"{"formatVersion":"v1.0","regions":{}}"#[..]),
            Err(OfferError::NotAnOffer(_))
        ));
        assert!(matches!(
            read_offer(&br#"{"products": {"A": 5}}"#[..]),
            Err(OfferError::Json(_))
        ));
        assert!(matches!(
            read_offer(&b"\"FormatVersion\",\"v1.0\"\n"[..]),
            Err(OfferError::NotAnOffer(_))
        ));
    }

    #[test]
    fn old_location_names_map_to_region_codes() {
        assert_eq!(
            region_for_location("Asia Pacific (Osaka-Local)"),
            Some("ap-northeast-3")
        );
        assert_eq!(
            region_for_location("Africa (Cape Town)"),
            Some("af-south-1")
        );
        assert_eq!(region_for_location("Moon (Base)"), None);
    }
}

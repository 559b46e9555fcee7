//! Country lookup in an offline MaxMind-format database given by path.

use std::net::IpAddr;
use std::path::Path;

use serde::Deserialize;

use super::Geo;

/// A country record in either common layout: MaxMind GeoIP2/GeoLite2
/// (`country.iso_code`) or ip-location-db (`country_code`).
#[derive(Deserialize)]
struct Record<'a> {
    #[serde(borrow)]
    country_code: Option<&'a str>,
    #[serde(borrow)]
    country: Option<Country<'a>>,
}

#[derive(Deserialize)]
struct Country<'a> {
    #[serde(borrow)]
    iso_code: Option<&'a str>,
}

/// Why a geo-IP database cannot be used.
#[derive(Debug, thiserror::Error)]
#[error("cannot open the geo-IP database {path}: expected a MaxMind DB (.mmdb) file: {source}")]
pub struct GeoError {
    path: String,
    #[source]
    source: maxminddb::MaxMindDbError,
}

/// A MaxMind-format country database, read into memory.
pub struct MmdbGeo {
    reader: maxminddb::Reader<Vec<u8>>,
    /// The database's own description (`database_type`, build time).
    pub description: String,
}

impl MmdbGeo {
    /// Opens the database at `path`.
    pub fn open(path: &Path) -> Result<Self, GeoError> {
        let reader = maxminddb::Reader::open_readfile(path).map_err(|source| GeoError {
            path: path.display().to_string(),
            source,
        })?;
        let built = jiff::Timestamp::from_second(reader.metadata().build_epoch as i64)
            .map(|t| t.strftime("%Y-%m-%d").to_string())
            .unwrap_or_default();
        let description = format!(
            "{} ({}, built {built})",
            path.display(),
            reader.metadata().database_type
        );
        Ok(MmdbGeo {
            reader,
            description,
        })
    }
}

impl Geo for MmdbGeo {
    fn country(&self, ip: IpAddr) -> Option<String> {
        let found = self.reader.lookup(ip).ok()?;
        let record: Record<'_> = found.decode().ok()??;
        record
            .country_code
            .or(record.country.and_then(|c| c.iso_code))
            .map(str::to_owned)
    }

    fn description(&self) -> &str {
        &self.description
    }
}

#[cfg(test)]
mod tests {
    use super::MmdbGeo;

    #[test]
    fn a_file_that_is_not_a_database_is_named_in_the_error() {
        let dir = tempfile::tempdir().expect("temporary directory");
        let path = dir.path().join("GeoLite2-Country.mmdb");
        std::fs::write(&path, b"{\"Records\":[]}").expect("write");
        let err = MmdbGeo::open(&path).err().expect("not a database");
        let text = err.to_string();
        assert!(
            text.starts_with(&format!(
                "cannot open the geo-IP database {}: expected a MaxMind DB (.mmdb) file: ",
                path.display()
            )),
            "{text}"
        );
    }
}

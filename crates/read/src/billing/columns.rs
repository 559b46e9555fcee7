//! The report columns read into a [`Charge`], under both spellings: the
//! legacy Cost and Usage Report's `category/Name` and CUR 2.0's (Data
//! Exports) `category_name`.
//!
//! [`Charge`]: cloudcase_event::detail::Charge

/// What a column fills.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Col {
    /// The usage account.
    Account,
    /// The resource id.
    Resource,
    /// The product code.
    Product,
    /// The usage type.
    UsageType,
    /// The operation.
    Operation,
    /// The line item type.
    LineItemType,
    /// The region code.
    RegionCode,
    /// The region (a code in the legacy report; kept only when it is one).
    Region,
    /// Start of the usage period.
    UsageStart,
    /// End of the usage period.
    UsageEnd,
    /// `start/end` of the line item's hour or day: the time when the usage
    /// start is empty.
    TimeInterval,
    /// The usage quantity.
    UsageAmount,
    /// The unblended cost.
    Cost,
    /// The currency.
    Currency,
}

/// How a column's text is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Text.
    Text,
    /// A timestamp (`2024-01-01T00:00:00Z`, `2024-01-01 00:00:00`, …).
    Time,
    /// A decimal number (`0.0116`, `-1.5`, `1.2E-5`).
    Number,
}

/// One column read into a charge.
pub(crate) struct Column {
    /// What it fills.
    pub col: Col,
    /// How its text is read.
    pub kind: Kind,
    /// The legacy report's name.
    pub legacy: &'static str,
    /// CUR 2.0's name.
    pub cur2: &'static str,
}

const fn column(col: Col, kind: Kind, legacy: &'static str, cur2: &'static str) -> Column {
    Column {
        col,
        kind,
        legacy,
        cur2,
    }
}

/// The columns read, in both spellings.
pub(crate) const COLUMNS: &[Column] = &[
    column(
        Col::Account,
        Kind::Text,
        "lineItem/UsageAccountId",
        "line_item_usage_account_id",
    ),
    column(
        Col::Resource,
        Kind::Text,
        "lineItem/ResourceId",
        "line_item_resource_id",
    ),
    column(
        Col::Product,
        Kind::Text,
        "lineItem/ProductCode",
        "line_item_product_code",
    ),
    column(
        Col::UsageType,
        Kind::Text,
        "lineItem/UsageType",
        "line_item_usage_type",
    ),
    column(
        Col::Operation,
        Kind::Text,
        "lineItem/Operation",
        "line_item_operation",
    ),
    column(
        Col::LineItemType,
        Kind::Text,
        "lineItem/LineItemType",
        "line_item_line_item_type",
    ),
    column(
        Col::RegionCode,
        Kind::Text,
        "product/regionCode",
        "product_region_code",
    ),
    column(Col::Region, Kind::Text, "product/region", "product_region"),
    column(
        Col::UsageStart,
        Kind::Time,
        "lineItem/UsageStartDate",
        "line_item_usage_start_date",
    ),
    column(
        Col::UsageEnd,
        Kind::Time,
        "lineItem/UsageEndDate",
        "line_item_usage_end_date",
    ),
    column(
        Col::TimeInterval,
        Kind::Text,
        "identity/TimeInterval",
        "identity_time_interval",
    ),
    column(
        Col::UsageAmount,
        Kind::Number,
        "lineItem/UsageAmount",
        "line_item_usage_amount",
    ),
    column(
        Col::Cost,
        Kind::Number,
        "lineItem/UnblendedCost",
        "line_item_unblended_cost",
    ),
    column(
        Col::Currency,
        Kind::Text,
        "lineItem/CurrencyCode",
        "line_item_currency_code",
    ),
];

/// Column-name prefixes of the report's categories, in both spellings: a
/// header whose names carry them is a Cost and Usage Report's.
const CATEGORIES: &[&str] = &[
    "identity/",
    "bill/",
    "lineItem/",
    "product/",
    "pricing/",
    "reservation/",
    "savingsPlan/",
    "resourceTags/",
    "costCategory/",
    "discount/",
    "identity_",
    "bill_",
    "line_item_",
    "product_",
    "pricing_",
    "reservation_",
    "savings_plan_",
    "resource_tags",
    "cost_category",
    "discount",
    "split_line_item_",
];

/// Whether `name` is a report column name (of a category, no spaces).
pub(crate) fn is_report_column(name: &str) -> bool {
    !name.is_empty()
        && name.bytes().all(|b| b.is_ascii_graphic())
        && CATEGORIES.iter().any(|c| name.starts_with(c))
}

/// A report header: its column names and where each read column is.
pub(crate) struct Header {
    /// The names, in order.
    pub names: Vec<Box<str>>,
    /// For each entry of [`COLUMNS`], its position and the name it has here.
    pub found: Vec<Option<Found>>,
    /// Why rows under this header cannot be events, if they cannot.
    pub unusable: Option<String>,
}

/// Where a read column is in a header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Found {
    /// Its position.
    pub index: usize,
    /// The spelling used.
    pub name: &'static str,
}

impl Header {
    /// The header that `names` are.
    pub(crate) fn new(names: Vec<Box<str>>) -> Self {
        let found: Vec<Option<Found>> = COLUMNS
            .iter()
            .map(|c| {
                names.iter().enumerate().find_map(|(index, n)| {
                    let name = [c.legacy, c.cur2].into_iter().find(|s| **n == **s)?;
                    Some(Found { index, name })
                })
            })
            .collect();
        let has = |col: Col| {
            COLUMNS
                .iter()
                .zip(&found)
                .any(|(c, f)| c.col == col && f.is_some())
        };
        let unusable = if !has(Col::UsageStart) && !has(Col::TimeInterval) {
            Some("the header has no usage start date (lineItem/UsageStartDate, line_item_usage_start_date) nor time interval, so its rows cannot be placed in time".to_owned())
        } else if !has(Col::Cost) {
            Some("the header has no unblended cost (lineItem/UnblendedCost, line_item_unblended_cost)".to_owned())
        } else {
            None
        };
        Header {
            names,
            found,
            unusable,
        }
    }

    /// Where `col` is, if the header has it.
    pub(crate) fn find(&self, col: Col) -> Option<Found> {
        COLUMNS
            .iter()
            .zip(&self.found)
            .find_map(|(c, f)| if c.col == col { *f } else { None })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(names: &str) -> Header {
        Header::new(names.split(',').map(Into::into).collect())
    }

    #[test]
    fn both_spellings_are_found() {
        let legacy = header("identity/LineItemId,identity/TimeInterval,lineItem/UsageAccountId,lineItem/UsageStartDate,lineItem/UnblendedCost");
        assert_eq!(
            legacy.find(Col::UsageStart),
            Some(Found {
                index: 3,
                name: "lineItem/UsageStartDate"
            })
        );
        assert!(legacy.unusable.is_none());
        let cur2 = header("bill_bill_type,line_item_unblended_cost,line_item_usage_start_date");
        assert_eq!(cur2.find(Col::Cost).map(|f| f.index), Some(1));
        assert_eq!(cur2.find(Col::Account), None);
        assert!(cur2.unusable.is_none());
    }

    #[test]
    fn headers_without_time_or_cost_cannot_give_events() {
        assert!(header("identity/LineItemId,lineItem/UnblendedCost")
            .unusable
            .unwrap()
            .contains("placed in time"));
        assert!(header("identity/TimeInterval,lineItem/BlendedCost")
            .unusable
            .unwrap()
            .contains("unblended cost"));
    }

    #[test]
    fn report_columns_carry_a_category() {
        assert!(is_report_column("resourceTags/user:Name"));
        assert!(is_report_column("line_item_usage_type"));
        assert!(!is_report_column("lineitem usage"));
        assert!(!is_report_column("name"));
        for c in COLUMNS {
            assert!(is_report_column(c.legacy) && is_report_column(c.cur2));
        }
    }
}

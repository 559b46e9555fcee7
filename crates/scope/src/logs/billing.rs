//! Cost and Usage Report line items: the actual cost of the attacker's instances, beside the
//! list-price estimate, and whether the report's period spans the attacker window.

use std::collections::{BTreeMap, HashMap};

use cloudcase_event::detail::Charge;
use cloudcase_model::cost::{ActualCost, ChargeTotal, CurrencyTotal};
use cloudcase_model::scope::{ScopeResult, Unknown, WindowSpan};

use super::{widen, window_span, Facts, Span};
use crate::record::time;

/// One resource, region, product, usage type and currency.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
struct ChargeKey {
    resource: Box<str>,
    region: Option<Box<str>>,
    product: Option<Box<str>>,
    usage_type: Option<Box<str>>,
    currency: Box<str>,
}

/// The sums of one key.
#[derive(Debug, Default)]
struct ChargeSum {
    cost: f64,
    usage: f64,
    items: u64,
    span: Option<Span>,
}

/// The third pass's billing state.
#[derive(Debug, Default)]
pub(super) struct Charges {
    sums: HashMap<ChargeKey, ChargeSum>,
    records: u64,
    span: Option<Span>,
}

/// The attacker instance a line item's resource id names (an id, or an ARN ending in it).
fn attacker_resource<'f>(facts: &'f Facts, c: &Charge) -> Option<&'f str> {
    let id = c.resource_id.as_deref()?;
    let id = id.rsplit('/').next().unwrap_or(id);
    facts.instances.get_key_value(id).map(|(k, _)| k.as_str())
}

impl Charges {
    pub(super) fn add(&mut self, facts: &Facts, c: &Charge) {
        let first = c.usage_start.millis();
        let last = c.usage_end.map_or(first, |e| e.millis());
        self.records += 1;
        widen(&mut self.span, first, last);
        let Some(resource) = attacker_resource(facts, c) else {
            return;
        };
        let key = ChargeKey {
            resource: resource.into(),
            region: c.region.as_deref().map(Into::into),
            product: c.product_code.as_deref().map(Into::into),
            usage_type: c.usage_type.as_deref().map(Into::into),
            currency: c.currency.as_deref().unwrap_or("USD").into(),
        };
        let s = self.sums.entry(key).or_default();
        s.cost += c.cost;
        s.usage += c.usage_amount.unwrap_or(0.0);
        s.items += 1;
        widen(&mut s.span, first, last);
    }

    pub(super) fn merge(&mut self, o: Charges) {
        self.records += o.records;
        if let Some(s) = o.span {
            widen(&mut self.span, s.first, s.last);
        }
        for (k, v) in o.sums {
            let s = self.sums.entry(k).or_default();
            s.cost += v.cost;
            s.usage += v.usage;
            s.items += v.items;
            if let Some(sp) = v.span {
                widen(&mut s.span, sp.first, sp.last);
            }
        }
    }

    /// Sets `cost.actual` when the inputs hold a report; a report that does not span the
    /// attacker window adds an unknown.
    pub(super) fn apply(self, doc: &mut ScopeResult, facts: &Facts) {
        if self.records == 0 {
            return;
        }
        let Some(cost) = doc.cost.as_mut() else {
            return;
        };
        let mut sums: Vec<(ChargeKey, ChargeSum)> = self.sums.into_iter().collect();
        sums.sort_by(|a, b| a.0.cmp(&b.0));
        let mut totals: BTreeMap<String, f64> = BTreeMap::new();
        let items: Vec<ChargeTotal> = sums
            .into_iter()
            .map(|(k, s)| {
                *totals.entry(k.currency.to_string()).or_default() += s.cost;
                let span = s.span.unwrap_or(Span { first: 0, last: 0 });
                ChargeTotal {
                    resource_id: k.resource.to_string(),
                    region: k.region.map(String::from),
                    product_code: k.product.map(String::from),
                    usage_type: k.usage_type.map(String::from),
                    currency: k.currency.to_string(),
                    cost: s.cost,
                    usage_amount: s.usage,
                    line_items: s.items,
                    from: time(span.first),
                    to: time(span.last),
                }
            })
            .collect();
        let covers = window_span(self.span, facts.t0, facts.end) == WindowSpan::Whole;
        let (from, to) = (
            self.span.map(|s| time(s.first)),
            self.span.map(|s| time(s.last)),
        );
        let period = format!(
            "the Cost and Usage Report covers {} to {}",
            from.as_deref().unwrap_or("?"),
            to.as_deref().unwrap_or("?")
        );
        let amounts: Vec<String> = totals.iter().map(|(c, v)| format!("{v:.2} {c}")).collect();
        let mut basis = if facts.instances.is_empty() {
            format!("{period}; no instance was launched by the activity followed: nothing to price")
        } else if items.is_empty() {
            format!("{period}; no line item names the attacker's instances (a report without resource ids cannot)")
        } else {
            format!(
                "{period}; {} line item(s) of the attacker's instances cost {}",
                items.iter().map(|i| i.line_items).sum::<u64>(),
                amounts.join(" and ")
            )
        };
        if !covers && !facts.instances.is_empty() {
            basis.push_str(
                ": the report does not span the whole attacker window, so this is a lower bound",
            );
            doc.unknowns.push(Unknown {
                about: None,
                question: "the actual cost of the attacker's resources over the whole window".to_owned(),
                why: format!("{period}, not the whole attacker window"),
                would_resolve: "the Cost and Usage Report (or Data Exports) for every billing period of the attacker window, with resource ids".to_owned(),
                refs: None,
            });
        }
        cost.actual = Some(ActualCost {
            items,
            totals: totals
                .into_iter()
                .map(|(currency, cost)| CurrencyTotal { currency, cost })
                .collect(),
            line_items: self.records,
            period_from: from,
            period_to: to,
            covers_window: covers,
            basis,
        });
    }
}

//! `|re` patterns that remember their recent answers per thread. Rules test
//! `userAgent` against long case-insensitive alternations of tool names, and a
//! busy account repeats a few hundred agents millions of times: the regular
//! expression search was 3.6 % of `hunt`'s CPU on the busy-account corpus.

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};

use regex::Regex;

/// Values longer than this are searched every time (they rarely repeat).
const MAX_REMEMBERED_LEN: usize = 512;
/// Answers remembered per pattern and thread; the memory is forgotten when
/// full, so hostile logs with ever-new values cost a search each, as before.
const MAX_REMEMBERED: usize = 4096;

/// Tells patterns apart in the per-thread memory, for their whole life: an
/// address could be reused by a pattern compiled later.
static NEXT_ID: AtomicU64 = AtomicU64::new(0);

type Answers = HashMap<Box<str>, bool, foldhash::fast::RandomState>;

thread_local! {
    /// Pattern id → value → whether it matched.
    static MEMORY: RefCell<HashMap<u64, Answers, foldhash::fast::RandomState>> =
        RefCell::new(HashMap::default());
}

/// A compiled `|re` pattern.
#[derive(Debug, Clone)]
pub(crate) struct MemoRegex {
    re: Regex,
    id: u64,
}

impl MemoRegex {
    /// Wraps a compiled pattern.
    pub(crate) fn new(re: Regex) -> MemoRegex {
        let id = NEXT_ID.fetch_add(1, Ordering::Relaxed);
        MemoRegex { re, id }
    }

    /// The pattern's text (with its flags), as compiled.
    pub(crate) fn as_str(&self) -> &str {
        self.re.as_str()
    }

    /// Whether the pattern matches anywhere in `text`.
    pub(crate) fn is_match(&self, text: &str) -> bool {
        if text.len() > MAX_REMEMBERED_LEN {
            return self.re.is_match(text);
        }
        MEMORY.with(|memory| {
            let mut memory = memory.borrow_mut();
            let answers = memory.entry(self.id).or_default();
            if let Some(&known) = answers.get(text) {
                return known;
            }
            let found = self.re.is_match(text);
            if answers.len() >= MAX_REMEMBERED {
                answers.clear();
            }
            answers.insert(text.into(), found);
            found
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remembered_answers_are_the_searches_answers() {
        let tools = MemoRegex::new(Regex::new("(?i)(pacu|trufflehog)").unwrap());
        let digits = MemoRegex::new(Regex::new("^[0-9]+$").unwrap());
        let long_hit = format!("{}pacu", "x".repeat(MAX_REMEMBERED_LEN));
        for _ in 0..3 {
            assert!(tools.is_match("aws-cli/2 Pacu/1.0"));
            assert!(!tools.is_match("aws-cli/2"));
            // The same value under another pattern is that pattern's answer.
            assert!(!digits.is_match("aws-cli/2"));
            assert!(digits.is_match("12"));
            assert!(tools.is_match(&long_hit));
        }
        // Past the limit the memory starts again, and answers stay right.
        for i in 0..MAX_REMEMBERED + 10 {
            assert!(digits.is_match(&i.to_string()));
            assert!(!digits.is_match(&format!("v{i}")));
        }
        assert!(tools.is_match("TRUFFLEHOG"));
        assert_eq!(tools.as_str(), "(?i)(pacu|trufflehog)");
    }

    #[test]
    fn each_thread_keeps_its_own_memory() {
        let tools = std::sync::Arc::new(MemoRegex::new(Regex::new("pacu").unwrap()));
        let handles: Vec<_> = (0..2)
            .map(|_| {
                let tools = tools.clone();
                std::thread::spawn(move || (tools.is_match("pacu/1"), tools.is_match("cli")))
            })
            .collect();
        for h in handles {
            assert_eq!(h.join().unwrap(), (true, false));
        }
    }
}

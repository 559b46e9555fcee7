//! The record's "Trusted timestamps" section: every RFC 3161 token stored in the case
//! (`timestamped` custody entries), with the chain head and entry it covers and the TSA's
//! genTime.

use cloudcase_evidence::timestamps;
use cloudcase_evidence::CustodyEntry;

use super::{code, headers, newest, text};
use crate::i18n::{t, tf, Lang};
use crate::Block;

/// Tokens listed one by one (the newest); custody.jsonl holds all.
const TOKENS_LISTED: usize = 20;

/// Appends the section's heading and content to `blocks`.
pub(super) fn trusted_timestamps(lang: Lang, entries: &[CustodyEntry], blocks: &mut Vec<Block>) {
    blocks.push(Block::Heading(2, t(lang, "trusted").into()));
    let tokens = timestamps::tokens(entries);
    if tokens.is_empty() {
        blocks.push(Block::Paragraph(t(lang, "trusted.none").into()));
        return;
    }
    blocks.push(Block::Paragraph(t(lang, "trusted.intro").into()));
    let (shown, left_out) = newest(&tokens, TOKENS_LISTED);
    let rows = shown
        .iter()
        .map(|s| {
            let d = &s.details;
            vec![
                text(s.seq.to_string()),
                text(&d.gen_time),
                text(d.covers_seq.to_string()),
                code(&d.covers_hash),
                code(&d.serial),
                code(&d.reply),
                code(&d.token_sha256),
                text(&d.source),
            ]
        })
        .collect();
    blocks.push(Block::Table {
        headers: headers(
            lang,
            &[
                "col.seq",
                "col.gen_time",
                "col.covers",
                "col.head",
                "col.serial",
                "col.token",
                "col.sha256",
                "col.tsa",
            ],
        ),
        rows,
    });
    if left_out > 0 {
        blocks.push(Block::Paragraph(tf(
            lang,
            "trusted.more",
            &[&shown.len().to_string(), &tokens.len().to_string()],
        )));
    }
}

#[cfg(test)]
mod tests {
    use cloudcase_evidence::timestamps::{chain_head, record_token, TimestampedDetails};
    use cloudcase_evidence::Case;

    use super::super::CustodyDigest;
    use super::*;
    use crate::Format;

    #[test]
    fn tokens_are_listed_with_the_head_they_cover_and_their_gen_time() {
        let dir = tempfile::tempdir().expect("tempdir");
        let case = Case::init(&dir.path().join("c"), "IR", "alice", "UTC").expect("init");
        let render = |case: &Case, lang: Lang| {
            let custody = CustodyDigest::read(case).expect("custody");
            let mut blocks = Vec::new();
            trusted_timestamps(lang, &custody.entries, &mut blocks);
            Format::Html.render(&crate::Document {
                title: "t".into(),
                lang: lang.tag(),
                blocks,
            })
        };
        assert!(render(&case, Lang::En).contains("No trusted timestamp recorded"));
        let head = chain_head(&case).expect("head");
        record_token(
            &case,
            b"reply",
            TimestampedDetails {
                covers_seq: head.seq,
                covers_hash: head.hash.clone(),
                nonce: "0123456789abcdef".into(),
                gen_time: "2026-12-05T17:36:18Z".into(),
                serial: "0000000000000002".into(),
                source: "http://127.0.0.1:1/tsa".into(),
                ..Default::default()
            },
        )
        .expect("token");
        let html = render(&case, Lang::En);
        assert!(!html.contains("No trusted timestamp recorded"), "{html}");
        for fact in [
            head.hash.as_str(),
            "2026-12-05T17:36:18Z",
            "0000000000000002",
            "timestamps/00000001-0123456789abcdef.tsr",
            "genTime (TSA, UTC)",
        ] {
            assert!(html.contains(fact), "{fact} missing");
        }
        assert!(render(&case, Lang::Ja).contains("対象のチェーン先頭"));
    }
}

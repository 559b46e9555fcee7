//! Verification of one real token, made once by `openssl ts -reply` (OpenSSL 3.0, RSA TSA
//! certificate from tests/support/tsa_pki.sh) for a request of ours: each check is made to
//! fail by changing one thing. Certificates are checked at the token's genTime, so the
//! fixture does not expire.

use cloudcase_tsa::{
    load_roots, parse_reply, parse_request, parse_token, verify_token, Expected, TsaError,
};

const REQUEST: &[u8] = include_bytes!("fixtures/request.tsq");
const REPLY: &[u8] = include_bytes!("fixtures/reply.tsr");
const ROOT: &[u8] = include_bytes!("fixtures/root.pem");
const OTHER_ROOT: &[u8] = include_bytes!("fixtures/other_root.pem");

fn expected() -> Expected {
    let req = parse_request(REQUEST).expect("request");
    Expected {
        imprint: req.imprint,
        nonce: req.nonce,
    }
}

fn token() -> cloudcase_tsa::Token {
    let granted = parse_reply(REPLY).expect("granted");
    assert_eq!(granted.status_name, "granted");
    parse_token(&granted.token_der).expect("token")
}

#[test]
fn the_token_verifies_against_its_root() {
    let roots = load_roots(ROOT).expect("root");
    let v = verify_token(&token(), &expected(), &roots).expect("verified");
    assert_eq!(v.chain, ["CN=cloudcase test TSA", "CN=cloudcase test root"]);
    assert_eq!(v.cert_id, "ESSCertIDv2");
    assert_eq!(v.policy, "1.3.6.1.4.1.99999.1");
    assert!(v.gen_time.ends_with('Z'), "{}", v.gen_time);
}

#[test]
fn another_imprint_or_nonce_is_named() {
    let roots = load_roots(ROOT).expect("root");
    let mut other = expected();
    other.imprint[0] ^= 1;
    match verify_token(&token(), &other, &roots) {
        Err(TsaError::Imprint { expected, found }) => assert_ne!(expected, found),
        r => panic!("expected an imprint error, got {r:?}"),
    }
    let mut other = expected();
    other.nonce ^= 1;
    match verify_token(&token(), &other, &roots) {
        Err(TsaError::Nonce { expected, found }) => {
            assert_eq!(expected.len(), 16);
            assert_ne!(expected, found);
        }
        r => panic!("expected a nonce error, got {r:?}"),
    }
}

#[test]
fn a_changed_tst_info_or_signature_or_another_root_is_refused() {
    let roots = load_roots(ROOT).expect("root");
    let mut changed = token();
    let last = changed.tst_der.len() - 1;
    changed.tst_der[last] ^= 1;
    let err = verify_token(&changed, &expected(), &roots).expect_err("digest");
    assert!(
        err.to_string()
            .starts_with("message-digest attribute: expected SHA-256 of the TSTInfo"),
        "{err}"
    );

    let mut bytes = REPLY.to_vec();
    let end = bytes.len() - 1;
    bytes[end] ^= 1;
    let tampered = parse_token(&parse_reply(&bytes).expect("granted").token_der).expect("token");
    let err = verify_token(&tampered, &expected(), &roots).expect_err("signature");
    assert!(matches!(err, TsaError::BadSignature { .. }), "{err}");

    let other = load_roots(OTHER_ROOT).expect("other root");
    let err = verify_token(&token(), &expected(), &other).expect_err("other root");
    assert!(
        err.to_string()
            .contains("by CN=cloudcase test root, found one that does not verify"),
        "{err}"
    );
    let err = verify_token(&token(), &expected(), &[]).expect_err("no roots");
    assert!(matches!(err, TsaError::NoPath { roots: 0, .. }), "{err}");
}

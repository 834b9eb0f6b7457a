//! The RFC 3161 client: asks the city's timestamp service to stamp a SHA-256 digest and
//! checks that the answer is a token for exactly that digest and this request's nonce.

use crate::der_util::{self, sha256_alg};
use crate::{Error, Result};
use cmpv2::status::PkiStatus;
use cms::content_info::ContentInfo;
use cms::signed_data::SignedData;
use der::asn1::{Int, OctetString};
use der::{Any, Decode, Encode, Reader, Tag};
use std::time::Duration;
use x509_tsp::{MessageImprint, TimeStampReq, TimeStampResp, TspVersion};
use zeroize::Zeroizing;

/// The timestamp service.
#[derive(Clone)]
pub struct Tsa {
    pub url: String,
    /// HTTP Basic credentials, when the service asks for them.
    pub username: Option<String>,
    pub password: Option<Zeroizing<String>>,
    pub timeout: Duration,
}

impl std::fmt::Debug for Tsa {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tsa")
            .field("url", &self.url)
            .finish_non_exhaustive()
    }
}

/// A timestamp token and what it says.
#[derive(Debug, Clone)]
pub struct Stamp {
    /// The token (a CMS `ContentInfo`), DER.
    pub token: Vec<u8>,
    /// The time the service vouches for, seconds since 1970.
    pub time: i64,
}

impl Tsa {
    pub fn new(url: &str) -> Self {
        Tsa {
            url: url.to_owned(),
            username: None,
            password: None,
            timeout: Duration::from_secs(20),
        }
    }

    /// A timestamp token over `digest` (SHA-256 of the stamped data).
    pub fn stamp(&self, digest: &[u8; 32]) -> Result<Stamp> {
        let nonce: [u8; 8] = rand_nonce();
        let req = TimeStampReq {
            version: TspVersion::V1,
            message_imprint: MessageImprint {
                hash_algorithm: sha256_alg(),
                hashed_message: OctetString::new(digest.to_vec())?,
            },
            req_policy: None,
            nonce: Some(Int::new(&nonce)?),
            cert_req: true,
            extensions: None,
        };
        let unreachable = |reason: String| Error::TsaUnreachable {
            url: self.url.clone(),
            reason,
        };
        let refused = |reason: String| Error::TsaRefused {
            url: self.url.clone(),
            reason,
        };
        let client = reqwest::blocking::Client::builder()
            .timeout(self.timeout)
            .build()
            .map_err(|e| unreachable(e.to_string()))?;
        let mut http = client
            .post(&self.url)
            .header("Content-Type", "application/timestamp-query")
            .body(req.to_der()?);
        if let Some(user) = &self.username {
            http = http.basic_auth(user, self.password.as_ref().map(|p| p.as_str()));
        }
        let resp = http.send().map_err(|e| unreachable(e.to_string()))?;
        let status = resp.status();
        if status.is_server_error() {
            return Err(unreachable(format!("HTTP {status}")));
        }
        if !status.is_success() {
            return Err(refused(format!("HTTP {status}")));
        }
        let body = resp.bytes().map_err(|e| unreachable(e.to_string()))?;
        check(&body, digest, &nonce).map_err(|e| match e {
            Error::Malformed(m) => refused(m),
            other => other,
        })
    }
}

/// Checks a `TimeStampResp` against the request.
fn check(body: &[u8], digest: &[u8; 32], nonce: &[u8]) -> Result<Stamp> {
    let resp = TimeStampResp::from_der(body)?;
    if !matches!(
        resp.status.status,
        PkiStatus::Accepted | PkiStatus::GrantedWithMods
    ) {
        return Err(Error::Malformed(format!("status {:?}", resp.status.status)));
    }
    let token = resp
        .time_stamp_token
        .ok_or_else(|| Error::Malformed("granted without a token".into()))?;
    let info = tst_info(&token)?;
    if info.message_imprint.hashed_message.as_bytes() != digest {
        return Err(Error::Malformed("the token stamps another digest".into()));
    }
    if info.nonce.as_ref().map(Int::as_bytes) != Some(Int::new(nonce)?.as_bytes()) {
        return Err(Error::Malformed(
            "the token answers another request (nonce)".into(),
        ));
    }
    Ok(Stamp {
        token: token.to_der()?,
        time: info.gen_time,
    })
}

/// What Eingang reads of a `TSTInfo` (RFC 3161 2.4.2). Read by hand: `genTime` may carry
/// fractions of a second, which the strict DER `GeneralizedTime` type refuses.
#[derive(Debug, Clone)]
pub(crate) struct TstInfo {
    pub message_imprint: MessageImprint,
    /// Seconds since 1970.
    pub gen_time: i64,
    pub nonce: Option<Int>,
}

/// The `TSTInfo` inside a timestamp token.
pub(crate) fn tst_info(token: &ContentInfo) -> Result<TstInfo> {
    let sd: SignedData = token.content.decode_as()?;
    if sd.encap_content_info.econtent_type != der_util::ID_TST_INFO {
        return Err(Error::Malformed("a token without TSTInfo".into()));
    }
    let content = sd
        .encap_content_info
        .econtent
        .ok_or_else(|| Error::Malformed("a token without content".into()))?;
    let octets: OctetString = content.decode_as()?;
    let mut r = der::SliceReader::new(octets.as_bytes())?;
    let info = r.sequence(|r| {
        let _version: Int = r.decode()?;
        let _policy: der::oid::ObjectIdentifier = r.decode()?;
        let message_imprint: MessageImprint = r.decode()?;
        let _serial: Int = r.decode()?;
        let time: Any = r.decode()?;
        let mut nonce = None;
        while !r.is_finished() {
            let any: Any = r.decode()?;
            if der::Tagged::tag(&any) == Tag::Integer {
                nonce = Some(any.decode_as::<Int>()?);
            }
        }
        Ok((message_imprint, time, nonce))
    })?;
    let (message_imprint, time, nonce) = info;
    if der::Tagged::tag(&time) != Tag::GeneralizedTime {
        return Err(Error::Malformed("genTime is not a GeneralizedTime".into()));
    }
    let gen_time = generalized(time.value())
        .ok_or_else(|| Error::Malformed("genTime is not a time".into()))?;
    Ok(TstInfo {
        message_imprint,
        gen_time,
        nonce,
    })
}

/// `YYYYMMDDHHMMSS[.f…]Z` as seconds since 1970.
fn generalized(v: &[u8]) -> Option<i64> {
    let s = std::str::from_utf8(v).ok()?;
    let s = s.strip_suffix('Z')?;
    let whole = s.split('.').next()?;
    if whole.len() != 14 || !whole.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n = |a: usize, b: usize| whole[a..b].parse::<i64>().ok();
    let (y, mo, d) = (
        n(0, 4)?,
        u32::try_from(n(4, 6)?).ok()?,
        u32::try_from(n(6, 8)?).ok()?,
    );
    let days = eingang_model::time::days_from_civil((y, mo, d));
    Some(days * 86_400 + n(8, 10)? * 3600 + n(10, 12)? * 60 + n(12, 14)?)
}

fn rand_nonce() -> [u8; 8] {
    let mut n = [0u8; 8];
    ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut n)
        .expect("the system's random source works");
    // A positive INTEGER.
    n[0] &= 0x7f;
    n[0] |= 0x01;
    n
}

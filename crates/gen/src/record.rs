//! The compiled model (catalogue + world + incident + sampling tables) and
//! the hand-written JSON writer for one CloudTrail record, in CloudTrail's
//! own key order.

use crate::busy::heavy::{Band, BUSY_CLASSES, BUSY_ROWS, LISTS};
use crate::catalog::{self, Api, CATALOGUE};
use crate::incident::{Fail, Incident, Launch, Who, STEPS};
use crate::rng::{Rng, Weighted};
use crate::template::{Seg, Template, Var};
use crate::time::{push_iso, push_java_date, push_num, push_slash_date};
use crate::world::{Ident, Kind, Pool, World, REGIONS, US_EAST_1};
use crate::GenError;

pub(crate) use crate::scripted::Scripted;
use values::{
    draw_count, pick, push_b64, push_fingerprint, push_item_value, push_obj_key, ITEM_FRESH,
};
pub(crate) use values::{push_hex, push_key, push_nic, push_upper_alnum, push_uuid};

mod values;

/// A catalogue row with compiled templates.
pub(crate) struct CApi {
    pub api: &'static Api,
    req: Template,
    resp: Template,
    extra: Template,
    res: Template,
    host: Option<Template>,
    host_label: &'static str,
    /// Background errors, with AccessDenied resolved for the service.
    errs: Vec<(&'static str, Template)>,
    denied: (&'static str, Template),
    action: String,
    cli: String,
}

/// A scenario step with compiled templates.
pub(crate) struct CStep {
    pub api: usize,
    req: Template,
    resp: Template,
    fail: Option<(&'static str, Template)>,
}

/// Which traffic a record belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Traffic {
    Human,
    Machine,
    Noise,
}

/// Everything needed to write any record of the corpus; shared by workers.
pub(crate) struct Model {
    pub world: World,
    pub incident: Option<Incident>,
    /// Pre-rendered records, sorted by (region, time).
    pub scripted: Vec<Scripted>,
    /// Background traffic gives the leaked key's owner no call before this
    /// time (log-start: the logs open on the attacker).
    pub victim_quiet_until: i64,
    pub apis: Vec<CApi>,
    pub steps: Vec<CStep>,
    /// [region kind][class bit] -> API table.
    class_tables: Vec<Vec<Weighted>>,
    /// [region kind][traffic] -> identity table.
    ident_tables: Vec<Vec<Weighted>>,
    /// The list placeholders (busy shape), compiled.
    lists: Vec<CList>,
}

/// A compiled list placeholder (see [`crate::busy::heavy::ListSpec`]).
struct CList {
    var: Var,
    item: Template,
    counts: &'static [Band],
}

/// Per-record cache of placeholder values, so `$bucket` is one bucket per
/// record (and per list item for [`ITEM_FRESH`] placeholders).
pub(crate) struct Scratch {
    cache: [u64; 128],
    mask: u128,
    /// Index of the list item being written.
    item: u64,
}

impl Default for Scratch {
    fn default() -> Scratch {
        Scratch {
            cache: [0; 128],
            mask: 0,
            item: 0,
        }
    }
}

/// One record to write.
pub(crate) struct Ev<'a> {
    pub t: i64,
    pub api: usize,
    pub region: usize,
    pub ident: &'a Ident,
    /// Index in `world.idents` (for session keys); ignored for static identities.
    pub ident_idx: usize,
    pub ip: &'a str,
    pub ua: &'a str,
    pub ua_cmd: bool,
    pub fail: Option<&'a (&'static str, Template)>,
    pub req: &'a Template,
    pub resp: &'a Template,
    pub launch: Option<&'a Launch>,
}

const CLASSES: usize = 10;

fn class_index(class: u16) -> usize {
    class.trailing_zeros() as usize
}

/// 0: us-east-1, 1: other home region, 2: region the company does not use.
pub(crate) fn region_kind(world: &World, region: usize) -> usize {
    if !world.home.contains(&region) {
        2
    } else if region == US_EAST_1 {
        0
    } else {
        1
    }
}

fn denied_for(source: &str) -> (&'static str, &'static str) {
    match catalog::action_prefix(source) {
        "ec2" => (
            "Client.UnauthorizedOperation",
            "You are not authorized to perform this operation. User: $callerarn is not authorized to perform: $action because no identity-based policy allows the $action action. Encoded authorization failure message: $token",
        ),
        "s3" => ("AccessDenied", "Access Denied"),
        _ => (
            "AccessDenied",
            "User: $callerarn is not authorized to perform: $action because no identity-based policy allows the $action action",
        ),
    }
}

impl Model {
    /// Compiles the catalogue and scenario and builds the sampling tables.
    pub(crate) fn new(
        world: World,
        incident: Option<Incident>,
        data_events: bool,
    ) -> Result<Model, GenError> {
        Model::build(world, incident, data_events, false)
    }

    /// The model of the busy shape: S3 data events on, the catalogue changed
    /// by [`BUSY_ROWS`] (large responses, a mix dominated by data events,
    /// KMS calls by services and role sessions).
    pub(crate) fn new_busy(world: World, incident: Option<Incident>) -> Result<Model, GenError> {
        Model::build(world, incident, true, true)
    }

    fn build(
        world: World,
        incident: Option<Incident>,
        data_events: bool,
        busy: bool,
    ) -> Result<Model, GenError> {
        let busy_row = |name: &str| BUSY_ROWS.iter().find(|r| busy && r.name == name).copied();
        let mut apis = Vec::with_capacity(CATALOGUE.len());
        for api in CATALOGUE {
            let what = api.name;
            let c = |s: &'static str| Template::compile(s, what);
            let resp = match busy_row(api.name) {
                Some(r) if !r.resp.is_empty() => r.resp,
                _ => api.resp,
            };
            let (dcode, dmsg) = denied_for(api.source);
            let denied = (dcode, c(dmsg)?);
            let mut errs = Vec::new();
            for &(code, msg) in api.errs {
                if code == catalog::AD.0 {
                    errs.push((denied.0, denied.1.clone()));
                } else {
                    errs.push((code, c(msg)?));
                }
            }
            apis.push(CApi {
                api,
                req: c(api.req)?,
                resp: c(resp)?,
                extra: c(api.extra)?,
                res: c(api.res)?,
                host: if api.host.is_empty() {
                    None
                } else {
                    Some(c(api.host)?)
                },
                host_label: api.source.split('.').next().unwrap_or(api.source),
                errs,
                denied,
                action: format!(
                    "{}:{}",
                    catalog::action_prefix(api.source),
                    catalog::action_name(api.name)
                ),
                cli: catalog::cli_command(api),
            });
        }
        let mut steps = Vec::new();
        if incident.is_some() {
            for s in STEPS {
                let api = catalog::find(s.api).ok_or_else(|| {
                    GenError::Template(format!("scenario step {} is not in the catalogue", s.api))
                })?;
                let ca = &apis[api];
                let c = |src: &'static str, dflt: &Template| -> Result<Template, GenError> {
                    if src.is_empty() {
                        Ok(dflt.clone())
                    } else {
                        Template::compile(src, s.api)
                    }
                };
                let fail = match s.fail {
                    Fail::No => None,
                    Fail::Denied => Some((ca.denied.0, ca.denied.1.clone())),
                    Fail::With(code, msg) => Some((code, Template::compile(msg, s.api)?)),
                };
                steps.push(CStep {
                    api,
                    req: c(s.req, &ca.req)?,
                    resp: c(s.resp, &ca.resp)?,
                    fail,
                });
            }
        }

        // Sampling tables.
        let mut class_tables = Vec::new();
        for kind in 0..3 {
            let mut per_class = Vec::new();
            for ci in 0..CLASSES {
                let bit = 1u16 << ci;
                per_class.push(Weighted::new(CATALOGUE.iter().enumerate().map(|(i, a)| {
                    let ok =
                        a.who & bit != 0 && (!a.data || data_events) && (!a.global || kind == 0);
                    let (home, noise) = busy_row(a.name).map_or((a.w, a.noise), |r| (r.w, r.noise));
                    let w = if kind == 2 { noise } else { home };
                    (i as u32, if ok { w as u64 } else { 0 })
                })));
            }
            class_tables.push(per_class);
        }
        let mut ident_tables = Vec::new();
        for (kind, per_class) in class_tables.iter().enumerate() {
            let mut per_traffic = Vec::new();
            for traffic in [Traffic::Human, Traffic::Machine, Traffic::Noise] {
                per_traffic.push(Weighted::new(world.idents.iter().enumerate().map(
                    |(i, id)| {
                        let usable = !per_class[class_index(id.class)].is_empty();
                        let factor = BUSY_CLASSES
                            .iter()
                            .find(|c| busy && c.class == id.class)
                            .map_or(1, |c| c.factor);
                        let w = match traffic {
                            Traffic::Human if kind < 2 && id.pool == Pool::Human => id.weight,
                            Traffic::Machine if kind < 2 && id.pool == Pool::Machine => id.weight,
                            Traffic::Noise if kind == 2 => id.noise_weight,
                            _ => 0,
                        };
                        (i as u32, if usable { w * factor } else { 0 })
                    },
                )));
            }
            ident_tables.push(per_traffic);
        }
        let mut lists = Vec::with_capacity(LISTS.len());
        for l in LISTS {
            lists.push(CList {
                var: l.var,
                item: Template::compile(l.item, "list item")?,
                counts: l.counts,
            });
        }
        Ok(Model {
            world,
            incident,
            scripted: Vec::new(),
            victim_quiet_until: i64::MIN,
            apis,
            steps,
            class_tables,
            ident_tables,
            lists,
        })
    }

    /// True when `traffic` can produce records in `region`.
    pub(crate) fn can_sample(&self, region: usize, traffic: Traffic) -> bool {
        !self.ident_tables[region_kind(&self.world, region)][traffic as usize].is_empty()
    }

    /// Writes one background record of `traffic` at time `t` in `region`.
    /// Returns the API index.
    pub(crate) fn write_background(
        &self,
        out: &mut Vec<u8>,
        rng: &mut Rng,
        sc: &mut Scratch,
        region: usize,
        traffic: Traffic,
        t: i64,
    ) -> usize {
        let kind = region_kind(&self.world, region);
        let mut ii = self.ident_tables[kind][traffic as usize].sample(rng) as usize;
        for _ in 0..64 {
            if ii != self.world.victim || t >= self.victim_quiet_until {
                break;
            }
            ii = self.ident_tables[kind][traffic as usize].sample(rng) as usize;
        }
        self.write_as(out, rng, sc, &self.world.idents[ii], ii, region, t)
    }

    /// Writes one background-like record of `ident` (index `ident_idx` in
    /// `world.idents`, or any index for a static identity) at time `t` in
    /// `region`, with an API its class calls there. Returns the API index.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn write_as(
        &self,
        out: &mut Vec<u8>,
        rng: &mut Rng,
        sc: &mut Scratch,
        ident: &Ident,
        ident_idx: usize,
        region: usize,
        t: i64,
    ) -> usize {
        let kind = region_kind(&self.world, region);
        let api = self.class_tables[kind][class_index(ident.class)].sample(rng) as usize;
        let ca = &self.apis[api];
        let fail = if ca.api.err > 0 && !ca.errs.is_empty() && rng.chance(ca.api.err) {
            Some(rng.pick(&ca.errs))
        } else {
            None
        };
        let roamed;
        let ip = match &ident.roam {
            Some(r) => {
                roamed = r.address(t);
                roamed.as_str()
            }
            None => {
                // Drawn in every case, so that the rest of the stream stays the same.
                let any = rng.pick(&ident.ips).as_str();
                if ident.address_per_session && ident.dynamic() {
                    let (session, _) = self.world.session(ident_idx, t);
                    ident.ips[(session % ident.ips.len() as u64) as usize].as_str()
                } else {
                    any
                }
            }
        };
        let ev = Ev {
            t,
            api,
            region,
            ident,
            ident_idx,
            ip,
            ua: &ident.ua,
            ua_cmd: ident.ua_cmd,
            fail,
            req: &ca.req,
            resp: &ca.resp,
            launch: None,
        };
        self.write(out, rng, sc, &ev);
        api
    }

    /// Writes incident record `i` (index into `incident.events`). Returns the API index.
    pub(crate) fn write_incident(
        &self,
        out: &mut Vec<u8>,
        rng: &mut Rng,
        sc: &mut Scratch,
        i: usize,
    ) -> usize {
        let (Some(inc), w) = (self.incident.as_ref(), &self.world) else {
            return 0;
        };
        let e = inc.events[i];
        let step = &STEPS[e.step];
        let cs = &self.steps[e.step];
        let (ident, ident_idx, ip, ua, ua_cmd) = match step.who {
            Who::Attacker(n) => (
                &w.idents[w.victim],
                w.victim,
                inc.ips[n as usize % inc.ips.len()].as_str(),
                inc.ua,
                false,
            ),
            Who::NewUser(n) => (
                &inc.new_ident,
                usize::MAX,
                inc.ips[n as usize % inc.ips.len()].as_str(),
                inc.ua,
                false,
            ),
            Who::Responder => {
                let r = &w.idents[w.responder];
                (r, w.responder, r.ips[0].as_str(), r.ua.as_str(), r.ua_cmd)
            }
        };
        let ev = Ev {
            t: e.t,
            api: cs.api,
            region: e.region,
            ident,
            ident_idx,
            ip,
            ua,
            ua_cmd,
            fail: cs.fail.as_ref(),
            req: &cs.req,
            resp: &cs.resp,
            launch: match step.launch {
                0 => None,
                n => inc.launches.get(n as usize - 1),
            },
        };
        self.write(out, rng, sc, &ev);
        cs.api
    }

    /// The incident's records, rendered in `incident.events` order, each with
    /// its own random stream (so its eventID is known before writing).
    pub(crate) fn render_incident(&self) -> Vec<Scripted> {
        let Some(inc) = &self.incident else {
            return Vec::new();
        };
        let mut sc = Scratch::default();
        (0..inc.events.len())
            .map(|i| {
                let e = inc.events[i];
                let mut rng = Rng::new(crate::rng::derive(
                    self.world.seed,
                    &[0x1D, e.step as u64, e.t as u64],
                ));
                let mut out = Vec::with_capacity(1500);
                let api = self.write_incident(&mut out, &mut rng, &mut sc, i);
                Scripted::new(e.t, e.region, self.apis[api].api.name, out)
            })
            .collect()
    }

    /// Writes one record as compact JSON.
    pub(crate) fn write(&self, out: &mut Vec<u8>, rng: &mut Rng, sc: &mut Scratch, ev: &Ev) {
        sc.mask = 0;
        let ca = &self.apis[ev.api];
        let api = ca.api;
        let id = ev.ident;
        let login = api.login;
        out.extend_from_slice(b"{\"eventVersion\":\"");
        out.extend_from_slice(api.ver.as_bytes());
        out.extend_from_slice(b"\",\"userIdentity\":");
        if login {
            out.extend_from_slice(id.login_json.as_bytes());
        } else if id.dynamic() {
            let (key, created) = self.world.session(ev.ident_idx, ev.t);
            out.extend_from_slice(id.json_a.as_bytes());
            push_key(out, b"ASIA", key, 16);
            out.extend_from_slice(id.json_b.as_bytes());
            push_iso(out, created);
            out.extend_from_slice(id.json_c.as_bytes());
        } else {
            out.extend_from_slice(id.json_a.as_bytes());
        }
        out.extend_from_slice(b",\"eventTime\":\"");
        push_iso(out, ev.t);
        out.extend_from_slice(b"\",\"eventSource\":\"");
        out.extend_from_slice(api.source.as_bytes());
        out.extend_from_slice(b"\",\"eventName\":\"");
        out.extend_from_slice(api.name.as_bytes());
        out.extend_from_slice(b"\",\"awsRegion\":\"");
        out.extend_from_slice(REGIONS[ev.region].0.as_bytes());
        out.extend_from_slice(b"\",\"sourceIPAddress\":\"");
        out.extend_from_slice(ev.ip.as_bytes());
        out.extend_from_slice(b"\",\"userAgent\":\"");
        out.extend_from_slice(ev.ua.as_bytes());
        if ev.ua_cmd {
            out.extend_from_slice(ca.cli.as_bytes());
        }
        out.push(b'"');
        if let Some((code, msg)) = ev.fail {
            if !login {
                out.extend_from_slice(b",\"errorCode\":\"");
                out.extend_from_slice(code.as_bytes());
                out.push(b'"');
            }
            if !msg.is_empty() {
                out.extend_from_slice(b",\"errorMessage\":\"");
                self.expand(out, rng, sc, ev, msg);
                out.push(b'"');
            }
        }
        out.extend_from_slice(b",\"requestParameters\":");
        self.expand(out, rng, sc, ev, ev.req);
        out.extend_from_slice(b",\"responseElements\":");
        match (ev.fail.is_some(), login) {
            (true, true) => out.extend_from_slice(b"{\"ConsoleLogin\":\"Failure\"}"),
            (true, false) => out.extend_from_slice(b"null"),
            (false, _) => self.expand(out, rng, sc, ev, ev.resp),
        }
        if !ca.extra.is_empty() {
            out.extend_from_slice(b",\"additionalEventData\":");
            self.expand(out, rng, sc, ev, &ca.extra);
        }
        if !login {
            out.extend_from_slice(b",\"requestID\":\"");
            if api.source == "s3.amazonaws.com" {
                push_upper_alnum(out, rng, 16);
            } else {
                push_uuid(out, rng);
            }
            out.push(b'"');
        }
        out.extend_from_slice(b",\"eventID\":\"");
        push_uuid(out, rng);
        out.extend_from_slice(b"\",\"readOnly\":");
        out.extend_from_slice(if api.ro { b"true" } else { b"false" });
        if !ca.res.is_empty() {
            out.extend_from_slice(b",\"resources\":");
            self.expand(out, rng, sc, ev, &ca.res);
        }
        out.extend_from_slice(if login {
            b",\"eventType\":\"AwsConsoleSignIn\",\"managementEvent\":"
        } else {
            b",\"eventType\":\"AwsApiCall\",\"managementEvent\":"
        });
        out.extend_from_slice(if api.data { b"false" } else { b"true" });
        out.extend_from_slice(b",\"recipientAccountId\":\"");
        out.extend_from_slice(self.world.acct.as_bytes());
        out.push(b'"');
        if id.kind == Kind::Service {
            out.extend_from_slice(b",\"sharedEventID\":\"");
            push_uuid(out, rng);
            out.push(b'"');
        }
        out.extend_from_slice(if api.data {
            b",\"eventCategory\":\"Data\""
        } else {
            b",\"eventCategory\":\"Management\""
        });
        if id.tls {
            if rng.chance(1500) {
                out.extend_from_slice(b",\"tlsDetails\":{\"tlsVersion\":\"TLSv1.2\",\"cipherSuite\":\"ECDHE-RSA-AES128-GCM-SHA256\",\"clientProvidedHostHeader\":\"");
            } else {
                out.extend_from_slice(b",\"tlsDetails\":{\"tlsVersion\":\"TLSv1.3\",\"cipherSuite\":\"TLS_AES_128_GCM_SHA256\",\"clientProvidedHostHeader\":\"");
            }
            match &ca.host {
                Some(h) => self.expand(out, rng, sc, ev, h),
                None => {
                    out.extend_from_slice(ca.host_label.as_bytes());
                    if !api.global {
                        out.push(b'.');
                        out.extend_from_slice(REGIONS[ev.region].0.as_bytes());
                    }
                    out.extend_from_slice(b".amazonaws.com");
                }
            }
            out.extend_from_slice(b"\"}");
        }
        if id.console && !login {
            out.extend_from_slice(b",\"sessionCredentialFromConsole\":\"true\"");
        }
        out.push(b'}');
    }

    #[inline]
    fn val(&self, rng: &mut Rng, sc: &mut Scratch, var: Var) -> u64 {
        let bit = 1u128 << (var as u32);
        if sc.mask & bit == 0 {
            sc.mask |= bit;
            sc.cache[var as usize] = rng.next_u64();
        }
        sc.cache[var as usize]
    }

    fn expand(&self, out: &mut Vec<u8>, rng: &mut Rng, sc: &mut Scratch, ev: &Ev, tpl: &Template) {
        for seg in &tpl.segs {
            match seg {
                Seg::Lit(s) => out.extend_from_slice(s.as_bytes()),
                Seg::Var(v) => self.expand_var(out, rng, sc, ev, *v),
            }
        }
    }

    fn expand_var(&self, out: &mut Vec<u8>, rng: &mut Rng, sc: &mut Scratch, ev: &Ev, var: Var) {
        let w = &self.world;
        let res = &w.res[ev.region];
        match var {
            Var::Acct => out.extend_from_slice(w.acct.as_bytes()),
            Var::Region => out.extend_from_slice(REGIONS[ev.region].0.as_bytes()),
            Var::Az => {
                out.extend_from_slice(REGIONS[ev.region].0.as_bytes());
                out.push(b'a' + (self.val(rng, sc, var) % 3) as u8);
            }
            Var::Company => out.extend_from_slice(w.company.as_bytes()),
            Var::IsoTime => push_iso(out, ev.t),
            Var::PastIso => push_iso(out, ev.t - 3 * 3600),
            Var::EvDate => push_java_date(out, ev.t),
            Var::ExpDate => push_java_date(out, ev.t + 3600),
            Var::LogDate => push_slash_date(out, ev.t),
            Var::EpochMs => push_num(out, (ev.t - 3600).max(0) as u64 * 1000),
            Var::Uuid => push_uuid(out, rng),
            Var::Hex8 => push_hex(out, self.val(rng, sc, var), 8),
            Var::Hex32 => {
                let v = self.val(rng, sc, var);
                push_hex(out, v, 16);
                push_hex(out, crate::rng::mix64(v), 16);
            }
            Var::HexId => push_hex(out, self.val(rng, sc, var), 16),
            Var::N => push_num(out, 1 + self.val(rng, sc, var) % 250),
            Var::Bytes => {
                let v = self.val(rng, sc, var);
                let scale = [2_000u64, 60_000, 4_000_000, 250_000_000][(v & 3) as usize];
                push_num(out, 100 + (v >> 2) % scale);
            }
            Var::Asia => push_key(out, b"ASIA", self.val(rng, sc, var), 16),
            Var::Akia => push_key(out, b"AKIA", self.val(rng, sc, var), 16),
            Var::Aroa => push_key(out, b"AROA", self.val(rng, sc, var), 17),
            Var::Aida => push_key(out, b"AIDA", self.val(rng, sc, var), 17),
            Var::Token => {
                out.extend_from_slice(b"IQoJb3JpZ2luX2VjE");
                push_b64(out, self.val(rng, sc, var), 96);
            }
            Var::AmzId => push_b64(out, self.val(rng, sc, var), 76),
            Var::BgType => pick(out, self.val(rng, sc, var), w.bg_types),
            Var::NewIid => {
                out.extend_from_slice(b"i-0");
                push_hex(out, self.val(rng, sc, var), 16);
            }
            Var::Bucket => pick(out, self.val(rng, sc, var), &w.buckets),
            Var::ObjKey => push_obj_key(out, self.val(rng, sc, var), ev.t, w),
            Var::Iid => {
                let v = self.val(rng, sc, var);
                if res.iids.is_empty() {
                    out.extend_from_slice(b"i-0");
                    push_hex(out, v, 16);
                } else {
                    pick(out, v, &res.iids);
                }
            }
            Var::Ami => match ev.launch {
                Some(l) => out.extend_from_slice(l.ami.as_bytes()),
                None => pick(out, self.val(rng, sc, var), &res.amis),
            },
            Var::Sg => pick(out, self.val(rng, sc, var), &res.sgs),
            Var::Vpc => pick(out, self.val(rng, sc, var), &res.vpcs),
            Var::Subnet => pick(out, self.val(rng, sc, var), &res.subnets),
            Var::User => pick(out, self.val(rng, sc, var), &w.users),
            Var::Role => pick(out, self.val(rng, sc, var), &w.roles),
            Var::Fn => pick(out, self.val(rng, sc, var), &w.fns),
            Var::Table => pick(out, self.val(rng, sc, var), &w.tables),
            Var::Db => pick(out, self.val(rng, sc, var), &w.dbs),
            Var::Secret => pick(out, self.val(rng, sc, var), &w.secrets),
            Var::Param => pick(out, self.val(rng, sc, var), &w.params),
            Var::KmsKey => pick(out, self.val(rng, sc, var), &res.kms),
            Var::Trail => out.extend_from_slice(w.trail.as_bytes()),
            Var::SelfName => {
                let name = if ev.ident.name.is_empty() {
                    "root"
                } else {
                    &ev.ident.name
                };
                out.extend_from_slice(name.as_bytes());
            }
            Var::SelfSess => out.extend_from_slice(ev.ident.session.as_bytes()),
            Var::CallerArn => out.extend_from_slice(ev.ident.arn.as_bytes()),
            Var::Action => out.extend_from_slice(self.apis[ev.api].action.as_bytes()),
            Var::SvcRole => out.extend_from_slice(ev.ident.svc_role.as_bytes()),
            Var::SvcSess => out.extend_from_slice(ev.ident.svc_sess.as_bytes()),
            Var::Victim => out.extend_from_slice(w.idents[w.victim].name.as_bytes()),
            Var::LeakedKey => out.extend_from_slice(w.idents[w.victim].key.as_bytes()),
            Var::NewUser => out.extend_from_slice(self.incident_text(|i| &i.new_user)),
            Var::NewKey => out.extend_from_slice(self.incident_text(|i| &i.new_key)),
            Var::NewRole => out.extend_from_slice(self.incident_text(|i| &i.new_role)),
            Var::ExtAcct => out.extend_from_slice(self.incident_text(|i| &i.ext_acct)),
            Var::KeyName => out.extend_from_slice(self.incident_text(|i| &i.key_name)),
            Var::IType => {
                out.extend_from_slice(ev.launch.map_or("t3.micro", |l| l.itype).as_bytes())
            }
            Var::Count => push_num(out, ev.launch.map_or(1, |l| l.count as u64)),
            Var::IItems => self.launch_items(out, ev, 0),
            Var::TItems => self.launch_items(out, ev, 1),
            Var::ReqItems => self.launch_items(out, ev, 2),
            Var::AttSg => pick(out, 0, &res.sgs),
            Var::Fingerprint => push_fingerprint(out, self.val(rng, sc, var)),
            Var::Reservations
            | Var::Instances
            | Var::Bdms
            | Var::Enis
            | Var::Tags
            | Var::SgInfos
            | Var::Perms
            | Var::Cidrs
            | Var::Objects
            | Var::Vols => self.expand_list(out, rng, sc, ev, var),
            Var::HexId2 => push_hex(out, self.val(rng, sc, var), 16),
            Var::Octet => push_num(out, rng.below(256)),
            Var::Tag
            | Var::Idx
            | Var::DevName
            | Var::PrivIp
            | Var::PrivDns
            | Var::Mac
            | Var::Port => {
                let slot = if var == Var::PrivDns {
                    Var::PrivIp
                } else {
                    var
                };
                let v = self.val(rng, sc, slot);
                push_item_value(out, rng, sc, var, v);
            }
        }
    }

    /// Writes list `var`'s items (comma-separated, no brackets): a count
    /// drawn from its bands, each item with fresh [`ITEM_FRESH`] values;
    /// once the list is written, those are the enclosing item's again.
    fn expand_list(&self, out: &mut Vec<u8>, rng: &mut Rng, sc: &mut Scratch, ev: &Ev, var: Var) {
        let Some(list) = self.lists.iter().find(|l| l.var == var) else {
            return;
        };
        let n = draw_count(rng, list.counts);
        let (mask, cache, item) = (sc.mask, sc.cache, sc.item);
        for k in 0..n {
            if k > 0 {
                out.push(b',');
            }
            sc.mask &= !ITEM_FRESH;
            sc.item = k as u64;
            self.expand(out, rng, sc, ev, &list.item);
        }
        // The enclosing item's own values come back; values of the record
        // first drawn inside the list (its VPC, its bucket) stay.
        let mut fresh = ITEM_FRESH;
        while fresh != 0 {
            let i = fresh.trailing_zeros() as usize;
            sc.cache[i] = cache[i];
            fresh &= fresh - 1;
        }
        sc.mask = (sc.mask & !ITEM_FRESH) | (mask & ITEM_FRESH);
        sc.item = item;
    }

    /// A name the incident chose (`unknown` when generating without one).
    fn incident_text(&self, field: impl Fn(&Incident) -> &String) -> &[u8] {
        self.incident
            .as_ref()
            .map_or("unknown", |i| field(i).as_str())
            .as_bytes()
    }

    /// JSON array of instance items of the event's launch: 0 = RunInstances
    /// response, 1 = TerminateInstances response, 2 = request ids.
    fn launch_items(&self, out: &mut Vec<u8>, ev: &Ev, form: u8) {
        out.push(b'[');
        if let Some(l) = ev.launch {
            let key_name = self.incident.as_ref().map_or("", |i| i.key_name.as_str());
            let sg = self.world.res[ev.region]
                .sgs
                .first()
                .map_or("", |s| s.as_str());
            for (k, id) in l.ids.iter().enumerate() {
                if k > 0 {
                    out.push(b',');
                }
                out.extend_from_slice(b"{\"instanceId\":\"");
                out.extend_from_slice(id.as_bytes());
                out.push(b'"');
                match form {
                    0 => {
                        out.extend_from_slice(b",\"imageId\":\"");
                        out.extend_from_slice(l.ami.as_bytes());
                        out.extend_from_slice(
                            b"\",\"currentState\":{\"code\":0,\"name\":\"pending\"},\"amiLaunchIndex\":",
                        );
                        push_num(out, k as u64);
                        out.extend_from_slice(b",\"instanceType\":\"");
                        out.extend_from_slice(l.itype.as_bytes());
                        out.extend_from_slice(b"\",\"keyName\":\"");
                        out.extend_from_slice(key_name.as_bytes());
                        out.extend_from_slice(b"\",\"placement\":{\"availabilityZone\":\"");
                        out.extend_from_slice(REGIONS[l.region].0.as_bytes());
                        out.extend_from_slice(b"a\",\"tenancy\":\"default\"},\"groupSet\":{\"items\":[{\"groupId\":\"");
                        out.extend_from_slice(sg.as_bytes());
                        out.extend_from_slice(b"\",\"groupName\":\"default\"}]}");
                        let nic = self.world.nic(l.region, id);
                        push_nic(out, &nic, &self.world.acct);
                    }
                    1 => out.extend_from_slice(
                        b",\"currentState\":{\"code\":32,\"name\":\"shutting-down\"},\"previousState\":{\"code\":16,\"name\":\"running\"}",
                    ),
                    _ => {}
                }
                out.push(b'}');
            }
        }
        out.push(b']');
    }
}

#[cfg(test)]
mod tests;

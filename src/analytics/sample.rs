//! Seeded sample data: realistic visitor journeys (Segment-style JSON lines) and the CRM outcomes
//! sales recorded for them (CSV), so every dashboard view has something to show in one click.
//!
//! The journeys are written for the demo model (`tests/fixtures/models/demo.model.json`): buyers
//! read the blog, download resources, check pricing and ask for a demo; students, job seekers and
//! competitors leave traces the model penalises and sales rejects. Several sources and campaigns,
//! slow and missing follow-ups (SLA misses), and rejection reasons are all present.
//! Same seed, same data, on every platform.

use crate::json::{json, Value};

use super::dates::format_time;

const DAY: i64 = 86_400_000;
const HOUR: i64 = 3_600_000;
const MINUTE: i64 = 60_000;

/// SplitMix64: tiny, fast, good enough for sample data, identical everywhere.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn below(&mut self, n: usize) -> usize {
        (self.unit() * n as f64) as usize % n.max(1)
    }
    fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + (self.unit() * (hi - lo) as f64) as i64
    }
    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Persona {
    SeniorBuyer,
    ManagerBuyer,
    Researcher,
    Student,
    JobSeeker,
    Competitor,
}

/// (utm source, medium, campaign, referrer) — `None` source means organic or direct.
const SOURCES: &[(Option<&str>, &str, &str, &str)] = &[
    (
        Some("google"),
        "cpc",
        "brand-search",
        "https://www.google.com/",
    ),
    (
        Some("google"),
        "cpc",
        "competitor-keywords",
        "https://www.google.com/",
    ),
    (
        Some("linkedin"),
        "paid-social",
        "cfo-pipeline-guide",
        "https://www.linkedin.com/",
    ),
    (Some("newsletter"), "email", "monthly-digest", ""),
    (Some("g2"), "referral", "g2-listing", "https://www.g2.com/"),
    (None, "organic", "(none)", "https://duckduckgo.com/"),
    (None, "direct", "(none)", ""),
];

const FIRST: &[&str] = &[
    "Ana", "Ben", "Chloé", "Dev", "Emma", "Farid", "Grace", "Hiro", "Ines", "Jon", "Kai", "Lena",
    "Mateo", "Nora", "Omar", "Priya", "Quinn", "Rosa", "Sven", "Tara",
];
const LAST: &[&str] = &[
    "Adams", "Berg", "Chen", "Diaz", "Eriksen", "Fischer", "Garcia", "Haddad", "Ito", "Jensen",
    "Khan", "Lopez", "Müller", "Novak", "Okafor", "Patel",
];
const COMPANIES: &[(&str, &str, u32, &str, &str)] = &[
    ("Northwind", "northwind.example", 1200, "Software", "US"),
    ("Globex", "globex.example", 650, "Financial Services", "GB"),
    ("Initech", "initech.example", 240, "SaaS", "US"),
    (
        "Umbrella Health",
        "umbrella.example",
        3000,
        "Healthcare",
        "DE",
    ),
    ("Hooli", "hooli.example", 180, "Software", "US"),
    ("Vandelay", "vandelay.example", 90, "Manufacturing", "US"),
    ("Stark Logistics", "stark.example", 450, "Logistics", "FR"),
    (
        "Wayne Capital",
        "wayne.example",
        800,
        "Financial Services",
        "US",
    ),
    ("Tyrell Labs", "tyrell.example", 130, "SaaS", "NL"),
];
const BLOG: &[&str] = &[
    "/blog/speed-to-lead",
    "/blog/lead-scoring-101",
    "/blog/mql-vs-sql",
    "/blog/sales-handoff-checklist",
];
const RESOURCES: &[(&str, &str)] = &[
    ("/resources/pipeline-guide.pdf", "guide"),
    ("/resources/roi-calculator.pdf", "guide"),
    ("/resources/case-study-northwind.pdf", "case-study"),
    ("/resources/scoring-template.pdf", "template"),
];
const REPS: &[&str] = &[
    "alex@baton.example",
    "blake@baton.example",
    "casey@baton.example",
    "emea-desk@baton.example",
];
const BUYER_REJECTIONS: &[&str] = &[
    "No budget",
    "Bad contact data",
    "Already a customer",
    "Wrong region",
];

/// The generated files.
#[derive(Debug, Clone, PartialEq)]
pub struct SampleData {
    /// Segment-style events, one JSON object per line, in time order.
    pub events_jsonl: String,
    /// CRM outcomes: `lead_id,email,stage,date,owner,rejection_reason,amount,first_touch_at`.
    pub outcomes_csv: String,
    pub events: usize,
    pub visitors: usize,
    pub leads: usize,
}

struct Journey {
    events: Vec<(i64, Value)>,
    email: Option<String>,
    end: i64,
    persona: Persona,
}

fn page(
    anon: &str,
    at: i64,
    path: &str,
    query: &str,
    referrer: &str,
    campaign: Option<Value>,
    msg: String,
) -> Value {
    let url = format!("https://baton.example{path}{query}");
    let mut context =
        json!({ "page": { "path": path, "url": url, "referrer": referrer, "search": query } });
    if let Some(c) = campaign {
        context["campaign"] = c;
    }
    json!({ "type": "page", "messageId": msg, "anonymousId": anon, "timestamp": format_time(at),
            "properties": { "path": path, "url": url }, "context": context })
}

fn track(anon: &str, at: i64, event: &str, properties: Value, msg: String) -> Value {
    json!({ "type": "track", "event": event, "messageId": msg, "anonymousId": anon,
            "timestamp": format_time(at), "properties": properties })
}

fn journey(rng: &mut Rng, seed: u64, i: usize, now: i64) -> Journey {
    let roll = rng.unit();
    let persona = match roll {
        r if r < 0.14 => Persona::SeniorBuyer,
        r if r < 0.32 => Persona::ManagerBuyer,
        r if r < 0.72 => Persona::Researcher,
        r if r < 0.84 => Persona::Student,
        r if r < 0.95 => Persona::JobSeeker,
        _ => Persona::Competitor,
    };
    let anon = format!("anon-{seed:x}-{i:06}");
    let mut n = 0;
    let mut msg = || {
        n += 1;
        format!("sample-{seed:x}-{i}-{n}")
    };
    let source = *rng.pick(SOURCES);
    let buyer = matches!(persona, Persona::SeniorBuyer | Persona::ManagerBuyer);
    let sessions = match persona {
        Persona::SeniorBuyer | Persona::ManagerBuyer => rng.range(3, 8),
        Persona::Researcher | Persona::Student => rng.range(1, 4),
        Persona::JobSeeker | Persona::Competitor => rng.range(1, 3),
    };
    let mut t = now - rng.range(2 * DAY, 88 * DAY);
    let mut events: Vec<(i64, Value)> = Vec::new();
    let mut downloads = 0;
    let mut identified_at = None;
    let identify_p = match persona {
        Persona::SeniorBuyer | Persona::ManagerBuyer => 0.9,
        Persona::Researcher => 0.3,
        Persona::Student => 0.7,
        Persona::JobSeeker => 0.5,
        Persona::Competitor => 0.8,
    };
    let wants_identify = rng.chance(identify_p);
    for s in 0..sessions {
        if s > 0 {
            t += rng.range(6 * HOUR, 6 * DAY);
        }
        let (query, campaign) = match (s, source.0) {
            (0, Some(src)) => (
                format!(
                    "?utm_source={src}&utm_medium={}&utm_campaign={}",
                    source.1, source.2
                ),
                Some(json!({ "source": src, "medium": source.1, "name": source.2 })),
            ),
            _ => (String::new(), None),
        };
        let referrer = if s == 0 { source.3 } else { "" };
        let landing = match persona {
            Persona::JobSeeker => "/careers",
            _ if s == 0 => *rng.pick(&["/", "/blog/speed-to-lead", "/product"]),
            _ => "/",
        };
        events.push((
            t,
            page(&anon, t, landing, &query, referrer, campaign, msg()),
        ));
        let pages = rng.range(1, if buyer { 6 } else { 4 });
        for _ in 0..pages {
            t += rng.range(20_000, 4 * MINUTE);
            let path = match persona {
                Persona::JobSeeker => *rng.pick(&["/careers", "/careers/engineer", "/about"]),
                Persona::SeniorBuyer | Persona::ManagerBuyer if rng.chance(0.35) => {
                    *rng.pick(&["/pricing", "/customers", "/product"])
                }
                Persona::Competitor => *rng.pick(&["/pricing", "/product", "/docs"]),
                _ => *rng.pick(BLOG),
            };
            events.push((t, page(&anon, t, path, "", "", None, msg())));
        }
        let download_p = match persona {
            Persona::SeniorBuyer | Persona::ManagerBuyer => 0.85,
            Persona::Researcher | Persona::Student => 0.35,
            _ => 0.2,
        };
        if rng.chance(download_p) {
            t += rng.range(30_000, 3 * MINUTE);
            let (path, category) = *rng.pick(RESOURCES);
            let props = json!({ "path": path, "url": format!("https://baton.example{path}"), "category": category });
            events.push((t, track(&anon, t, "Asset Downloaded", props, msg())));
            downloads += 1;
        }
        if wants_identify && identified_at.is_none() && (downloads > 0 || s + 1 == sessions) {
            identified_at = Some(t + 1000);
            t += 1000;
        }
    }
    if persona == Persona::SeniorBuyer && rng.chance(0.6)
        || persona == Persona::ManagerBuyer && rng.chance(0.3)
    {
        t += rng.range(MINUTE, 10 * MINUTE);
        events.push((t, page(&anon, t, "/demo", "", "", None, msg())));
        t += 30_000;
        events.push((
            t,
            track(&anon, t, "Demo Requested", json!({ "form": "demo" }), msg()),
        ));
        identified_at.get_or_insert(t + 1000);
    }
    let mut email = None;
    if let Some(at) = identified_at {
        let first = *rng.pick(FIRST);
        let last = *rng.pick(LAST);
        let company = *rng.pick(COMPANIES);
        let local =
            format!("{}.{}", first.to_lowercase(), last.to_lowercase()).replace(['é', 'ü'], "e");
        let (mail, title, company_name, employees, industry) = match persona {
            Persona::SeniorBuyer => (
                format!("{local}@{}", company.1),
                *rng.pick(&[
                    "VP Marketing",
                    "Director of Demand Generation",
                    "Head of Growth",
                    "CMO",
                ]),
                company.0,
                company.2,
                company.3,
            ),
            Persona::ManagerBuyer => (
                format!("{local}@{}", company.1),
                *rng.pick(&[
                    "Marketing Manager",
                    "Sales Operations Manager",
                    "RevOps Manager",
                ]),
                company.0,
                company.2,
                company.3,
            ),
            Persona::Researcher => (
                format!("{local}@{}", company.1),
                *rng.pick(&["Analyst", "Marketing Specialist", "Consultant"]),
                company.0,
                company.2,
                company.3,
            ),
            Persona::Student => (
                format!("{local}@{}", rng.pick(&["gmail.com", "state.edu"])),
                "Student",
                "State University",
                20000,
                "Education",
            ),
            Persona::JobSeeker => (
                format!("{local}@gmail.com"),
                "Software Engineer",
                "(none)",
                1,
                "Software",
            ),
            Persona::Competitor => (
                format!("{local}@rivalsoft.example"),
                "Product Marketing Manager",
                "RivalSoft",
                400,
                "Software",
            ),
        };
        let traits = json!({ "email": mail, "name": format!("{first} {last}"), "title": title, "company": company_name,
                             "employees": employees, "industry": industry, "country": company.4 });
        events.push((
            at,
            json!({ "type": "identify", "messageId": msg(), "anonymousId": anon, "userId": mail,
                                 "timestamp": format_time(at), "traits": traits }),
        ));
        email = Some(mail);
    }
    events.sort_by_key(|e| e.0);
    Journey {
        end: t,
        events,
        email,
        persona,
    }
}

/// What sales did with one lead, as CRM rows.
fn outcome_rows(
    rng: &mut Rng,
    lead_no: usize,
    j: &Journey,
    email: &str,
    now: i64,
    out: &mut String,
) {
    let owner = *rng.pick(REPS);
    // Response time: most within the hour, a tail of slow follow-ups, some never touched.
    let delay = match rng.unit() {
        r if r < 0.55 => rng.range(5 * MINUTE, 55 * MINUTE),
        r if r < 0.85 => rng.range(70 * MINUTE, 30 * HOUR),
        _ => rng.range(2 * DAY, 6 * DAY),
    };
    let touch = j.end + delay;
    let id = format!("CRM-{lead_no:05}");
    let mut row = |stage: &str, at: i64, reason: &str, amount: &str| {
        if at <= now {
            out.push_str(&format!(
                "{id},{email},{stage},{},{owner},{reason},{amount},{}\n",
                format_time(at),
                format_time(touch)
            ));
        }
    };
    let buyer = matches!(j.persona, Persona::SeniorBuyer | Persona::ManagerBuyer);
    if !buyer {
        let reason = match j.persona {
            Persona::Student => "Student",
            Persona::JobSeeker => "Job seeker",
            Persona::Competitor => "Competitor",
            _ => *rng.pick(&["No budget", "Too small", "Just researching"]),
        };
        row("rejected", touch, reason, "");
        return;
    }
    if rng.chance(0.12) {
        let reason = *rng.pick(BUYER_REJECTIONS);
        row("rejected", touch, reason, "");
        return;
    }
    row("sal", touch, "", "");
    let senior = j.persona == Persona::SeniorBuyer;
    if !rng.chance(if senior { 0.7 } else { 0.45 }) {
        return;
    }
    let sql = touch + rng.range(DAY, 7 * DAY);
    row("sql", sql, "", "");
    if !rng.chance(0.6) {
        return;
    }
    let opp = sql + rng.range(2 * DAY, 14 * DAY);
    row("opportunity", opp, "", "");
    let close = opp + rng.range(7 * DAY, 40 * DAY);
    if rng.chance(if senior { 0.5 } else { 0.3 }) {
        let amount = rng.range(8, 90) * 1000;
        row("won", close, "", &amount.to_string());
    } else {
        row("lost", close, "", "");
    }
}

/// Generates `visitors` journeys ending before `now`, and outcomes for the identified leads that
/// sales worked (every buyer, and a share of the others, who then get rejected with a reason).
pub fn generate(seed: u64, visitors: usize, now: i64) -> SampleData {
    let mut rng = Rng(seed ^ 0x0BA7_0000);
    let mut events: Vec<(i64, Value)> = Vec::new();
    let mut outcomes =
        String::from("lead_id,email,stage,date,owner,rejection_reason,amount,first_touch_at\n");
    let mut leads = 0;
    for i in 0..visitors.min(1_000_000) {
        let j = journey(&mut rng, seed, i, now);
        if let Some(email) = &j.email {
            let worked = matches!(j.persona, Persona::SeniorBuyer | Persona::ManagerBuyer)
                || rng.chance(0.35);
            if worked && j.end < now {
                leads += 1;
                outcome_rows(&mut rng, leads, &j, email, now, &mut outcomes);
            }
        }
        events.extend(j.events.into_iter().filter(|e| e.0 <= now));
    }
    events.sort_by_key(|e| e.0);
    let mut jsonl = String::with_capacity(events.len() * 400);
    for (_, e) in &events {
        jsonl.push_str(&e.to_string());
        jsonl.push('\n');
    }
    SampleData {
        events_jsonl: jsonl,
        outcomes_csv: outcomes,
        events: events.len(),
        visitors,
        leads,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_data_and_different_seed_different_data() {
        let now = 1_772_409_600_000;
        let a = generate(7, 50, now);
        assert_eq!(a, generate(7, 50, now));
        assert_ne!(a.events_jsonl, generate(8, 50, now).events_jsonl);
        assert_eq!(a.events_jsonl.lines().count(), a.events);
        assert!(a.events > 150, "{}", a.events);
    }

    #[test]
    fn every_line_is_a_valid_event_in_time_order_before_now() {
        let now = 1_772_409_600_000;
        let s = generate(3, 80, now);
        let mut last = i64::MIN;
        for line in s.events_jsonl.lines() {
            let e = crate::event::Event::from_json(line).expect(line);
            assert!(e.timestamp >= last && e.timestamp <= now);
            last = e.timestamp;
        }
    }

    #[test]
    fn outcomes_cover_every_stage_and_rejection_reasons() {
        let s = generate(11, 400, 1_772_409_600_000);
        let (outcomes, report) = crate::analytics::outcomes::parse_outcomes(&s.outcomes_csv);
        assert_eq!(report.rejected, 0, "{:?}", report.errors);
        assert_eq!(outcomes.len(), s.leads);
        for stage in [
            "sal,",
            "sql,",
            "opportunity,",
            "won,",
            "lost,",
            "rejected,",
            ",Student,",
            ",Job seeker,",
            ",Competitor,",
        ] {
            assert!(s.outcomes_csv.contains(stage), "no {stage}");
        }
    }
}

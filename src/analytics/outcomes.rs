//! CRM outcomes: what sales did with each lead (accepted, qualified, opportunity, won, lost,
//! rejected), read from a CSV export.
//!
//! Two shapes are accepted, because CRMs export both:
//! - long: one row per stage change (`lead_id,email,stage,date,owner,rejection_reason,amount`);
//! - wide: one row per lead with a date column per stage (`sal_at,sql_at,won_at,...`).
//!
//! Rows for the same lead (by lead id, else email) merge; the earliest date per stage wins.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use super::dates::parse_time;
use super::report::ImportReport;

/// A sales-side stage, in funnel order (`Lost` and `Rejected` end a lead without a win).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SalesStage {
    Sal,
    Sql,
    Opportunity,
    Won,
    Lost,
    Rejected,
}

impl SalesStage {
    pub const ALL: [SalesStage; 6] = [
        SalesStage::Sal,
        SalesStage::Sql,
        SalesStage::Opportunity,
        SalesStage::Won,
        SalesStage::Lost,
        SalesStage::Rejected,
    ];

    pub fn name(self) -> &'static str {
        match self {
            SalesStage::Sal => "sal",
            SalesStage::Sql => "sql",
            SalesStage::Opportunity => "opportunity",
            SalesStage::Won => "won",
            SalesStage::Lost => "lost",
            SalesStage::Rejected => "rejected",
        }
    }

    /// Reads a stage name as CRMs spell it (case and punctuation ignored).
    pub fn parse(text: &str) -> Option<SalesStage> {
        Some(match normalize(text).as_str() {
            "sal" | "salesaccepted" | "salesacceptedlead" | "accepted" => SalesStage::Sal,
            "sql" | "salesqualified" | "salesqualifiedlead" | "qualified" => SalesStage::Sql,
            "opportunity" | "opp" | "opportunitycreated" => SalesStage::Opportunity,
            "won" | "closedwon" | "customer" => SalesStage::Won,
            "lost" | "closedlost" => SalesStage::Lost,
            "rejected" | "disqualified" | "unqualified" | "recycled" => SalesStage::Rejected,
            _ => return None,
        })
    }
}

/// Lowercase letters and digits only: `Lead ID`, `lead_id` and `leadId` all read as `leadid`.
pub fn normalize(text: &str) -> String {
    text.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// Everything known about one lead from the CRM.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Outcome {
    pub lead_id: Option<String>,
    /// Lowercased.
    pub email: Option<String>,
    pub owner: Option<String>,
    /// First sales touch (call, email) if the CRM exports it; otherwise SLA uses the first stage date.
    pub touched_at: Option<i64>,
    /// Date each stage was reached.
    pub stages: BTreeMap<SalesStage, i64>,
    pub rejection_reason: Option<String>,
    pub amount: Option<f64>,
}

impl Outcome {
    pub fn reached(&self, stage: SalesStage) -> Option<i64> {
        self.stages.get(&stage).copied()
    }

    /// The furthest stage reached: a final stage (won, lost, rejected) if any, else the last step.
    pub fn current(&self) -> Option<SalesStage> {
        self.stages.keys().next_back().copied()
    }

    /// When sales first acted on the lead: the explicit touch, else the earliest stage date.
    pub fn first_touch(&self) -> Option<i64> {
        self.touched_at
            .or_else(|| self.stages.values().min().copied())
    }
}

/// Which column holds what, found from the header.
#[derive(Debug, Default)]
struct Columns {
    lead_id: Option<usize>,
    email: Option<usize>,
    stage: Option<usize>,
    date: Option<usize>,
    owner: Option<usize>,
    reason: Option<usize>,
    amount: Option<usize>,
    touched: Option<usize>,
    stage_dates: Vec<(SalesStage, usize)>,
}

impl Columns {
    fn from_header(header: &[String]) -> Result<Columns, String> {
        let mut c = Columns::default();
        for (i, name) in header.iter().enumerate() {
            let n = normalize(name);
            let slot = match n.as_str() {
                "leadid" | "id" | "lead" | "visitorid" | "anonymousid" | "userid" | "contactid" => {
                    &mut c.lead_id
                }
                "email" | "emailaddress" | "leademail" => &mut c.email,
                "stage" | "stagereached" | "status" | "lifecyclestage" | "leadstatus" => {
                    &mut c.stage
                }
                "date" | "stagedate" | "at" | "changedat" | "enteredat" | "timestamp"
                | "stagereachedat" => &mut c.date,
                "owner" | "salesowner" | "rep" | "assignedto" | "leadowner" => &mut c.owner,
                "rejectionreason" | "reason" | "disqualificationreason" | "lostreason" => {
                    &mut c.reason
                }
                "amount" | "dealamount" | "value" | "revenue" => &mut c.amount,
                "firsttouch" | "firsttouchat" | "firstsalestouch" | "touchedat"
                | "firstcontactat" | "contactedat" => &mut c.touched,
                _ => {
                    let stage_part = n
                        .strip_suffix("date")
                        .or_else(|| n.strip_suffix("at"))
                        .unwrap_or("");
                    if let Some(stage) = SalesStage::parse(stage_part) {
                        c.stage_dates.push((stage, i));
                    }
                    continue;
                }
            };
            slot.get_or_insert(i);
        }
        if c.lead_id.is_none() && c.email.is_none() {
            return Err(
                "the header names no lead id or email column (expected e.g. lead_id, email)".into(),
            );
        }
        if c.stage.is_none() && c.stage_dates.is_empty() {
            return Err("the header names no stage column and no per-stage date columns (expected stage,date or sal_at, sql_at, ...)".into());
        }
        Ok(c)
    }
}

/// Reads a whole outcomes CSV (`,` `;` or tab separated; the calibration reader, shared).
/// Rows for the same lead (lead id, else email) merge; bad rows are reported with their line.
pub fn parse_outcomes(text: &str) -> (Vec<Outcome>, ImportReport) {
    let mut report = ImportReport::default();
    let mut outcomes: Vec<Outcome> = Vec::new();
    let table = match crate::calibrate::csv::parse(text, None) {
        Ok(t) => t,
        Err(e) => {
            report.bad(1, e.to_string());
            return (outcomes, report);
        }
    };
    let cols = match Columns::from_header(&table.headers) {
        Ok(c) => c,
        Err(e) => {
            report.bad(1, e);
            return (outcomes, report);
        }
    };
    // Bad records the reader already rejected (wrong field count, broken quotes), in line order
    // with ours below.
    let mut bad: Vec<(u64, String)> = table
        .bad_rows
        .iter()
        .map(|b| (b.line as u64, b.reason.clone()))
        .collect();
    let mut by_key: HashMap<String, usize> = HashMap::new();
    let mut kept = 0u64;
    for row in 0..table.len() {
        let cells: Vec<&str> = (0..table.headers.len())
            .map(|c| table.cell(row, c))
            .collect();
        match parse_row(&cols, &cells) {
            Err(reason) => bad.push((table.line(row) as u64, reason)),
            Ok(o) => {
                kept += 1;
                let key = o
                    .lead_id
                    .clone()
                    .or_else(|| o.email.clone().map(|e| format!("email:{e}")))
                    .unwrap_or_default();
                match by_key.get(&key) {
                    Some(&i) => merge(&mut outcomes[i], o),
                    None => {
                        by_key.insert(key, outcomes.len());
                        outcomes.push(o);
                    }
                }
            }
        }
    }
    bad.sort_by_key(|b| b.0);
    for _ in 0..kept {
        report.kept();
    }
    for (line, reason) in bad {
        report.bad(line, reason);
    }
    // Rows the reader counted but did not list still count as rejected.
    for _ in table.bad_rows.len()..table.bad_row_count {
        report.bad(0, "bad record");
    }
    (outcomes, report)
}

fn cell<'a>(cells: &[&'a str], col: Option<usize>) -> Option<&'a str> {
    let v = cells.get(col?)?.trim();
    (!v.is_empty()).then_some(v)
}

fn parse_row(cols: &Columns, r: &[&str]) -> Result<Outcome, String> {
    let mut o = Outcome {
        lead_id: cell(r, cols.lead_id).map(str::to_string),
        email: cell(r, cols.email).map(str::to_lowercase),
        owner: cell(r, cols.owner).map(str::to_string),
        rejection_reason: cell(r, cols.reason).map(str::to_string),
        ..Default::default()
    };
    if o.lead_id.is_none() && o.email.is_none() {
        return Err("no lead id and no email".into());
    }
    if let Some(e) = &o.email {
        if !e.contains('@') {
            return Err(format!("email {e:?} has no @"));
        }
    }
    if let Some(a) = cell(r, cols.amount) {
        let cleaned: String = a
            .chars()
            .filter(|c| !matches!(c, '$' | '€' | '£' | ',' | ' '))
            .collect();
        o.amount = Some(
            cleaned
                .parse()
                .map_err(|_| format!("amount {a:?} is not a number"))?,
        );
    }
    if let Some(t) = cell(r, cols.touched) {
        o.touched_at =
            Some(parse_time(t).ok_or_else(|| format!("first touch date {t:?} is not a date"))?);
    }
    if let Some(s) = cell(r, cols.stage) {
        let stage = SalesStage::parse(s).ok_or_else(|| {
            format!("unknown stage {s:?} (expected sal, sql, opportunity, won, lost or rejected)")
        })?;
        let d = cell(r, cols.date).ok_or_else(|| format!("stage {} has no date", stage.name()))?;
        let at = parse_time(d).ok_or_else(|| format!("date {d:?} is not a date"))?;
        o.stages.insert(stage, at);
    }
    for &(stage, col) in &cols.stage_dates {
        if let Some(d) = cell(r, Some(col)) {
            let at = parse_time(d)
                .ok_or_else(|| format!("{} date {d:?} is not a date", stage.name()))?;
            o.stages.insert(stage, at);
        }
    }
    if o.stages.is_empty() {
        return Err("no stage reached (stage and date are empty)".into());
    }
    Ok(o)
}

fn merge(into: &mut Outcome, from: Outcome) {
    for (stage, at) in from.stages {
        let e = into.stages.entry(stage).or_insert(at);
        *e = (*e).min(at);
    }
    into.email = into.email.take().or(from.email);
    into.lead_id = into.lead_id.take().or(from.lead_id);
    into.owner = from.owner.or(into.owner.take());
    into.rejection_reason = from.rejection_reason.or(into.rejection_reason.take());
    into.amount = from.amount.or(into.amount);
    into.touched_at = match (into.touched_at, from.touched_at) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    };
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analytics::dates::parse_time as t;

    #[test]
    fn long_format_merges_rows_per_lead() {
        let csv = "Lead ID,Email,Stage,Date,Owner,Rejection Reason,Amount\n\
                   L1,Ann@Example.com,SAL,2026-03-02,Dana,,\n\
                   L1,,SQL,2026-03-05,,,\n\
                   L1,,Closed Won,2026-04-01,,,\"$12,500\"\n\
                   L2,bo@example.com,rejected,2026-03-03,Eli,Student,\n";
        let (out, report) = parse_outcomes(csv);
        assert_eq!(report.rows, 4);
        assert_eq!(report.imported, 4);
        assert_eq!(out.len(), 2);
        let l1 = &out[0];
        assert_eq!(l1.email.as_deref(), Some("ann@example.com"));
        assert_eq!(l1.owner.as_deref(), Some("Dana"));
        assert_eq!(l1.reached(SalesStage::Sql), t("2026-03-05"));
        assert_eq!(l1.current(), Some(SalesStage::Won));
        assert_eq!(l1.amount, Some(12_500.0));
        assert_eq!(l1.first_touch(), t("2026-03-02"));
        assert_eq!(out[1].rejection_reason.as_deref(), Some("Student"));
        assert_eq!(out[1].current(), Some(SalesStage::Rejected));
    }

    #[test]
    fn wide_format_reads_a_date_column_per_stage() {
        let csv = "email,sal_at,sql_at,opportunity_date,won_at,first_touch_at\n\
                   c@x.io,2026-03-02T10:00:00Z,,,,2026-03-01T18:00:00Z\n";
        let (out, report) = parse_outcomes(csv);
        assert_eq!(report.errors, vec![]);
        assert_eq!(out[0].stages.len(), 1);
        assert_eq!(out[0].first_touch(), t("2026-03-01T18:00:00Z"));
    }

    #[test]
    fn bad_rows_are_numbered_and_good_rows_kept() {
        let csv = "lead_id,email,stage,date,amount\n\
                   A,a@x.io,sql,2026-03-02,\n\
                   ,,sql,2026-03-02,\n\
                   B,b@x.io,maybe,2026-03-02,\n\
                   C,c@x.io,won,someday,\n\
                   D,d@x.io,won,2026-03-02,lots\n\
                   E,nomail,sal,2026-03-02,\n\
                   F,f@x.io,,,\n\
                   G,g@x.io,sal,2026-03-09,\n";
        let (out, report) = parse_outcomes(csv);
        let rows: Vec<(u64, &str)> = report
            .errors
            .iter()
            .map(|e| (e.row, e.reason.as_str()))
            .collect();
        assert_eq!(rows.len(), 6);
        assert_eq!(rows[0], (3, "no lead id and no email"));
        assert!(rows[1].0 == 4 && rows[1].1.contains("unknown stage \"maybe\""));
        assert!(rows[2].0 == 5 && rows[2].1.contains("not a date"));
        assert!(rows[3].0 == 6 && rows[3].1.contains("not a number"));
        assert!(rows[4].0 == 7 && rows[4].1.contains("has no @"));
        assert!(rows[5].0 == 8 && rows[5].1.contains("no stage reached"));
        assert_eq!(
            out.iter()
                .map(|o| o.lead_id.as_deref().unwrap())
                .collect::<Vec<_>>(),
            ["A", "G"]
        );
        assert_eq!((report.rows, report.imported, report.rejected), (8, 2, 6));
    }

    #[test]
    fn a_header_without_ids_rejects_the_file_with_a_reason() {
        let (out, report) = parse_outcomes("name,stage\nx,sal\n");
        assert!(out.is_empty());
        assert_eq!(report.errors[0].row, 1);
        assert!(report.errors[0].reason.contains("no lead id or email"));
        assert_eq!(report.rejected, 1);
        let (_, empty) = parse_outcomes("");
        assert!(
            empty.errors[0].reason.contains("empty"),
            "{:?}",
            empty.errors
        );
    }

    #[test]
    fn stage_names_as_crms_spell_them() {
        for (text, want) in [
            ("SAL", Some(SalesStage::Sal)),
            ("Sales Qualified Lead", Some(SalesStage::Sql)),
            ("opportunity", Some(SalesStage::Opportunity)),
            ("Closed-Won", Some(SalesStage::Won)),
            ("closed lost", Some(SalesStage::Lost)),
            ("Disqualified", Some(SalesStage::Rejected)),
            ("mql", None),
        ] {
            assert_eq!(SalesStage::parse(text), want, "{text}");
        }
    }
}

//! The TypeScript surface of the package: the shapes that cross the boundary as plain JS data.
//!
//! NOTE: wasm-bindgen can only name Rust types it exports itself; models, events and results
//! cross as `JsValue` (by shape, through serde), so the exported functions refer to these
//! interfaces with `unchecked_param_type` / `unchecked_return_type`. This section spells them out
//! once, by hand, from the engine's serde types and the model parser (`src/model/parse.rs`,
//! `src/condition.rs`, `src/event.rs`, `src/score.rs`, `src/handoff.rs`, `src/verify.rs`).
//! `tests/js/package.test.mjs` type-checks a consumer that uses every name against the packed
//! `.d.ts`, and type-checks the built package's real results as literals of these interfaces, so
//! a key added, renamed or dropped on the Rust side fails the test.

use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const INPUTS: &str = r#"
/** Any JSON value: event properties and traits are free-form. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** Segment call types the engine understands (case-insensitive on input). */
export type EventType = 'page' | 'screen' | 'track' | 'identify' | 'group';

/**
 * Lifecycle stages, in forward order. The browser moves a visitor through
 * `anonymous → known → mql`; the sales-side stages come from CRM outcomes.
 */
export type StageName =
  | 'anonymous' | 'known' | 'mql' | 'sal' | 'sql' | 'opportunity' | 'won' | 'lost' | 'rejected' | 'recycled';

/**
 * A Segment-spec event (`page`, `screen`, `track`, `identify`, `group`), as the Segment and
 * RudderStack libraries send it and as their exports store it. Fields the engine does not use are
 * allowed and ignored.
 *
 * ```js
 * engine.ingest({ type: 'track', event: 'Asset Downloaded', messageId: 'm2', anonymousId: 'a1',
 *   timestamp: '2026-11-02T10:05:00Z', properties: { asset: { type: 'whitepaper' } } }, Date.now());
 * ```
 */
export interface BatonEvent {
  type: EventType | Capitalize<EventType>;
  /** Dedupe key; when missing, a hash of the event's canonical JSON stands in. */
  messageId?: string;
  anonymousId?: string | null;
  userId?: string | null;
  groupId?: string | null;
  /** ISO-8601 text or epoch milliseconds; else `originalTimestamp`, `sentAt`, `receivedAt`. */
  timestamp?: string | number;
  originalTimestamp?: string | number;
  sentAt?: string | number;
  receivedAt?: string | number;
  /** The `track` event name (required for `track`). */
  event?: string;
  /** The `page` / `screen` name. */
  name?: string;
  properties?: { [key: string]: JsonValue };
  traits?: { [key: string]: JsonValue };
  context?: {
    page?: { path?: string; url?: string; search?: string; referrer?: string; title?: string };
    campaign?: { source?: string; medium?: string; name?: string; term?: string; content?: string };
    traits?: { [key: string]: JsonValue };
    [key: string]: JsonValue | undefined;
  };
  [key: string]: unknown;
}

/** Tests applied to a value (query parameter, property, trait); all given must hold. */
export interface ValueTests {
  /** Strings compare case-insensitively; numeric strings compare as numbers. */
  equals?: string | number | boolean;
  in?: (string | number | boolean)[];
  contains?: string;
  /** Whole words or phrases, case-insensitive: "Senior Director" contains the word "director". */
  containsWord?: string | string[];
  startsWith?: string;
  endsWith?: string;
  gte?: number;
  lte?: number;
  gt?: number;
  lt?: number;
  /** Present, not null and not empty (or the opposite for `false`). */
  exists?: boolean;
}

/** Comparisons a score accepts. */
export interface ScoreTests {
  gte?: number;
  lte?: number;
  gt?: number;
  lt?: number;
}

/**
 * A condition: a combinator or exactly one subject with its tests. Behaviour rules see the event
 * and traits, fit rules and routing rules see traits only, stage criteria see scores, rule match
 * counts, visits and traits. Globs: `*` any run of characters, `?` one, case-insensitive.
 */
export type Condition =
  | { all: Condition[] }
  | { any: Condition[] }
  | { not: Condition }
  | { type: EventType | EventType[] }
  | { path: string | string[] }
  | { pathPrefix: string | string[] }
  | { url: string | string[] }
  | { referrer: string | string[] }
  | { event: string | string[] }
  | ({ query: string } & ValueTests)
  | ({ property: string } & ValueTests)
  | ({ trait: string } & ValueTests)
  | ({ score: 'total' | 'fit' | 'engagement' | (string & {}) } & ScoreTests)
  | { identified: boolean }
  | { matches: string | string[]; atLeast: number; withinDays?: number }
  | { visits: number; withinDays?: number };

/** How behaviour points lose value with age, computed when the score is read. */
export type Decay = 'none' | { halfLifeDays: number } | { linearPercent: number; periodDays: number };

/** Clamp bounds of a group or of the total. */
export interface Bounds {
  min?: number;
  max?: number;
  description?: string;
}

/** Frequency limits of one behaviour rule; all that are set apply. */
export interface Cap {
  /** Counts once ever (`total: 1`). */
  once?: boolean;
  perSession?: number;
  /** Per UTC day. */
  perDay?: number;
  total?: number;
}

/** When an event or trait matches, add `points` (may be negative) to a group. */
export interface Rule {
  id: string;
  description?: string;
  /** `behavior` (default) accumulates per matching event; `fit` is evaluated on current traits. */
  kind?: 'behavior' | 'behaviour' | 'fit';
  /** Defaults to `engagement` for behaviour rules and `fit` for fit rules. */
  group?: string;
  points: number;
  when: Condition;
  cap?: Cap;
  decay?: Decay;
}

/** The parts a handoff payload may carry. */
export type HandoffPart = 'traits' | 'attribution' | 'ledger' | 'history' | 'stages';

/** Who gets the lead: the first matching rule, else a stable pick among `reps`. */
export interface RoutingSettings {
  rules?: { when: Condition; owner?: string; team?: string }[];
  reps?: string[];
  team?: string;
}

/** Delivery retries of the snippet's outbox. */
export interface RetrySettings {
  maxAttempts?: number;
  maxAgeMinutes?: number;
  baseDelaySeconds?: number;
  maxDelaySeconds?: number;
  leaseSeconds?: number;
}

/** When and where a visitor is handed off. */
export interface HandoffSettings {
  stage: Exclude<StageName, 'anonymous'>;
  /** An http(s) URL or a path starting with `/`. */
  endpoint: string;
  slaMinutes?: number;
  routing?: RoutingSettings;
  include?: HandoffPart | HandoffPart[];
  retry?: RetrySettings;
}

/**
 * A scoring model: the marketer's versioned JSON document. Its content hash (stable across key
 * order and whitespace) names it in every score and payload. JSON Schema:
 * `baton/schema/model.schema.json`.
 *
 * ```js
 * const model = { version: '1', rules: [{ id: 'pricing', points: 10, when: { path: '/pricing' } }] };
 * ```
 */
export interface Model {
  $schema?: string;
  id?: string;
  version: string;
  name?: string;
  description?: string;
  sessionTimeoutMinutes?: number;
  /** Default decay of behaviour rules. */
  decay?: Decay;
  /** Per-group clamp bounds. */
  groups?: { [group: string]: Bounds };
  limits?: { total?: Bounds };
  /** Minimum fit score per grade, best first; below the last is `F`. */
  grades?: { A?: number; B?: number; C?: number; D?: number; E?: number };
  rules: Rule[];
  /** Criteria of each stage a visitor can reach in the browser. */
  stages?: { [S in Exclude<StageName, 'anonymous'>]?: Condition };
  handoff?: HandoffSettings;
}

/** One problem found in a model, located by its JSON path (`rules[3].when.path`). */
export interface Problem {
  path: string;
  message: string;
}
"#;

#[wasm_bindgen(typescript_custom_section)]
const RESULTS: &str = r#"
/** Which cap stopped a match from counting; `late`: a late event whose UTC day or visit is older than those whose counts are kept (8 each), so its cap could not be checked. */
export type CapHit = 'perSession' | 'perDay' | 'total' | 'late';

/** A visitor's score as of a time. Scores are rounded to cents. */
export interface Score {
  total: number;
  fit: number;
  engagement: number;
  /** Each group's value after its clamp. */
  groups: { [group: string]: number };
  /** Fit grade `A`–`F` when the model defines grades, else `null`. */
  grade: string | null;
  stage: StageName;
  asOf: number;
}

/** The moment a visitor reached a stage. */
export interface StageEntry {
  stage: StageName;
  at: number;
}

/** One match in the ledger: which event, which rule, and what it counts for now. */
export interface LedgerEntry {
  messageId: string;
  eventType: string;
  /** Page path or track event name. */
  label: string;
  timestamp: number;
  ruleId: string;
  group: string;
  rawPoints: number;
  /** 1 when fresh, falling towards 0 with age. */
  decayFactor: number;
  /** `rawPoints` × `decayFactor` in cents, rounded so that the parts add up to the total. */
  countedPoints: number;
  /** The cap that stopped this match from counting, if any. */
  capHit: CapHit | null;
  /** The entry's group was clamped at a bound: it may count less than shown. */
  groupClamped: boolean;
}

/** A behaviour rule's totals. */
export interface RuleSummary {
  ruleId: string;
  kind: 'behavior' | 'fit';
  group: string;
  matches: number;
  counted: number;
  capped: number;
  /** Current (decayed) points, before group clamps. */
  points: number;
  /** Part of `points` from matches older than the listed ledger entries. */
  earlierPoints: number;
}

/** A fit rule evaluated on the current traits. */
export interface FitEntry {
  ruleId: string;
  group: string;
  points: number;
  matched: boolean;
}

/** A group's sum and the clamp applied to it. */
export interface GroupSummary {
  group: string;
  kind: 'behavior' | 'fit';
  /** Sum before the clamp. */
  raw: number;
  value: number;
  clamp: 'min' | 'max' | null;
}

/**
 * The ledger behind a score: recent matches, per-rule totals, fit rules, groups and clamps. In
 * cents, and the parts add up to `score.total`: a rule's entries and `earlierPoints` to its
 * `points`, a group's rules to its `raw`, the groups' `value`s to `totalRaw`.
 */
export interface Explanation {
  asOf: number;
  score: Score;
  /** Recent ledger entries, oldest first. */
  entries: LedgerEntry[];
  rules: RuleSummary[];
  fit: FitEntry[];
  groups: GroupSummary[];
  totalRaw: number;
  totalClamp: 'min' | 'max' | null;
}

/**
 * A payload's score parts: with its `ledger` they add up to `score.total` (Σ countedPoints +
 * Σ earlierPoints + Σ fit points + otherPoints + group clamps + the total clamp). At most 24
 * rules of each kind, those with the most points; the others' points are in `otherPoints`.
 */
export interface HandoffExplanation {
  /** Behaviour rules with matches or points. */
  rules: RuleSummary[];
  /** Fit rules that matched. */
  fit: FitEntry[];
  groups: GroupSummary[];
  totalRaw: number;
  totalClamp: 'min' | 'max' | null;
  otherPoints: number;
}

/** "Goes cold on …": when time alone makes the stage criteria stop holding. */
export interface NextChange {
  at: number;
  /** The stage whose criteria stop holding at `at`. */
  stage: StageName;
  /** Total score at `at`. */
  total: number;
}

/** What one `ingest` changed. */
export interface IngestOutcome {
  /** The messageId was seen before; nothing changed. */
  duplicate: boolean;
  score: Score;
  stage: StageName;
  stagesEntered: StageEntry[];
  /** Payloads to post: one when the visitor just reached the model's handoff stage. */
  handoffs: Handoff[];
}

/** UTM parameters of a visit. */
export interface Campaign {
  source?: string;
  medium?: string;
  name?: string;
  term?: string;
  content?: string;
}

/** Attribution of one visit: where it came from and where it landed. */
export interface Touch {
  at: number;
  landingPage?: string;
  referrer?: string;
  utm?: Campaign;
}

/** One recent event of the visitor. */
export interface HistoryItem {
  at: number;
  type: string;
  label: string;
}

/** Who the lead is routed to, and by which routing rule (`rules[i]`, `fallback` or `none`). */
export interface Assignment {
  owner: string | null;
  team: string | null;
  matched: string;
}

/** The model a payload was scored with. */
export interface ModelRef {
  id: string | null;
  version: string;
  hash: string;
}

/**
 * The handoff payload posted when a visitor enters the model's handoff stage. `handoffId` is a
 * hash of visitor, stage and model hash: deduplicate by it. JSON Schema:
 * `baton/schema/handoff.schema.json`.
 */
export interface Handoff {
  /** Format tag, `baton.handoff/1`. */
  format: string;
  handoffId: string;
  /** userId when identified, else the anonymousId. */
  visitorId: string;
  anonymousId: string | null;
  userId: string | null;
  stage: StageName;
  enteredAt: number;
  createdAt: number;
  /** `enteredAt` plus the SLA. */
  followUpBy: number;
  slaMinutes: number;
  traits: { [name: string]: JsonValue };
  company: { [name: string]: JsonValue };
  firstTouch: Touch | null;
  lastTouch: Touch | null;
  score: Score;
  ledger: LedgerEntry[];
  /** The rest of the score's parts (absent from payloads of earlier versions). */
  explanation?: HandoffExplanation;
  history: HistoryItem[];
  stages: StageEntry[];
  routing: Assignment;
  model: ModelRef;
  /** Where the snippet posts it. */
  endpoint: string;
}

/** Where one delivery of the snippet's outbox stands. */
export type DeliveryState =
  | { state: 'pending' }
  | { state: 'inFlight'; since: number }
  | { state: 'acknowledged'; at: number; status: number }
  | { state: 'failed'; at: number; reason: string }
  | { state: 'gaveUp'; at: number; reason: string };

/** A handoff in the snippet's outbox, until acknowledged or given up. */
export interface OutboxEntry {
  handoffId: string;
  /** The JSON text posted. */
  body: string;
  createdAt: number;
  attempts: number;
  nextAttemptAt: number;
  lastError?: string;
  delivery: DeliveryState;
}

/** One difference between a payload and what the engine recomputes from it. */
export interface Mismatch {
  /** The payload field: `score.total`, `ledger[2].countedPoints`, `model.hash`, `handoffId`, … */
  field: string;
  /** What the payload says (`null` when absent). */
  claimed: JsonValue;
  /** What the engine computes (`null` when it has nothing there). */
  recomputed: JsonValue;
  reason: string;
}

/**
 * The verdict of `verifyHandoff`. Refuse the payload when `ok` is false. `complete` is true when
 * every part could be settled from the payload; `unverifiable` lists what could not (a payload
 * without the visitor `state` carries only the last ledger entries and no visit counts).
 */
export interface VerifyResult {
  ok: boolean;
  complete: boolean;
  /** The id the engine computes for this visitor, stage and model. */
  handoffId: string;
  /** Hash of the model the payload was verified with. */
  modelHash: string;
  /** What was re-scored: the carried visitor `state`, the payload's `ledger`, or nothing. */
  basis: 'state' | 'ledger' | 'none';
  mismatches: Mismatch[];
  unverifiable: Mismatch[];
}
"#;

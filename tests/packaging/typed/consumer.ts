// A typed consumer of the package's browser/bundler entry (moduleResolution "bundler" picks the
// `default` condition: web/index.d.ts). It uses every export; the test checks that it mentions
// every name the declarations export, so a new export without a use here fails.
import init, {
  init as namedInit,
  initSync,
  Engine,
  CompiledModel,
  Tracker,
  BatchReplay,
  Workspace,
  verifyHandoff,
  applyCalibration,
  calibrate,
  calibrateRows,
  type InitInput,
  type SyncInitInput,
  type JsonValue,
  type EventType,
  type StageName,
  type BatonEvent,
  type ValueTests,
  type ScoreTests,
  type Condition,
  type Decay,
  type Bounds,
  type Cap,
  type Rule,
  type HandoffPart,
  type RoutingSettings,
  type RetrySettings,
  type HandoffSettings,
  type Model,
  type Problem,
  type ModelError,
  type CapHit,
  type Score,
  type StageEntry,
  type LedgerEntry,
  type RuleSummary,
  type FitEntry,
  type GroupSummary,
  type Explanation,
  type NextChange,
  type IngestOutcome,
  type Campaign,
  type Touch,
  type HistoryItem,
  type Assignment,
  type ModelRef,
  type Handoff,
  type HandoffExplanation,
  type Mismatch,
  type VerifyResult,
  type OutboxEntry,
  type DeliveryState,
  type TrackerOptions,
  type TrackerHook,
  type DeliveryFailure,
  type CalibrateOptions,
  type CalibrateProgress,
  type LabeledRow,
  type BinRule,
  type DecileRow,
  type CalibrationBand,
  type CalibrationMetrics,
  type ThresholdSuggestion,
  type CalibrationFragment,
  type CalibrationReport,
  type AppliedCalibration,
  type DeliveryReceipt,
  type TrackerEvents,
  type ImportFormat,
  type CsvMapping,
  type RowError,
  type ImportReport,
  type WorkspaceSummary,
  type SampleData,
  type SampleImport,
  type SalesStage,
  type SalesOutcome,
  type Lead,
  type LeadSortColumn,
  type LeadQuery,
  type LeadPage,
  type TimelineItem,
  type LeadDetail,
  type FunnelStep,
  type FunnelSplit,
  type FunnelReport,
  type SlaBreach,
  type SlaReport,
  type KeyCount,
  type RejectionRow,
  type RejectedReport,
  type ScoreHistogram,
  type BacktestOptions,
  type BacktestModelResult,
  type ThresholdSweep,
  type CapacityPick,
  type BacktestReport,
} from 'baton';

const wasmUrl: InitInput = new URL('baton_bg.wasm', 'https://cdn.example/baton/');
const ready: Promise<void> = init(wasmUrl);
const again: Promise<void> = namedInit();
const bytes: SyncInitInput = new Uint8Array(0);
const syncInit: (module: SyncInitInput) => void = initSync;

const title: ValueTests = { containsWord: ['VP', 'Director'] };
const hot: ScoreTests = { gte: 50 };
const when: Condition = { all: [{ type: ['page'] }, { path: '/pricing' }, { trait: 'title', ...title }] };
const decay: Decay = { halfLifeDays: 30 };
const bounds: Bounds = { max: 60 };
const cap: Cap = { perDay: 1 };
const rule: Rule = { id: 'pricing', points: 10, when, cap, decay };
const parts: HandoffPart[] = ['ledger', 'traits'];
const routing: RoutingSettings = { rules: [{ when: { trait: 'country', in: ['DE'] }, team: 'emea' }], reps: ['a@x.example'] };
const retry: RetrySettings = { maxAttempts: 5 };
const settings: HandoffSettings = { stage: 'mql', endpoint: '/api/handoff', include: parts, routing, retry };
const model: Model = {
  version: '1',
  groups: { intent: bounds },
  rules: [rule, { id: 'fit', kind: 'fit', points: 5, when: { trait: 'employees', gte: 100 } }],
  stages: { mql: { all: [{ score: 'total', ...hot }, { matches: 'pricing', atLeast: 1, withinDays: 30 }] } },
  handoff: settings,
};

async function main(): Promise<void> {
  await ready;
  await again;
  syncInit(bytes);
  const problems: Problem[] = Engine.validate(model);
  // Untyped input (validating it is the point) and the thrown error's list.
  const untyped: unknown = JSON.parse('{"version": "1"}');
  const untypedProblems: Problem[] = Engine.validate(untyped);
  try {
    new Engine(JSON.stringify(untyped));
  } catch (e) {
    const listed: Problem[] = (e as ModelError).problems;
    console.log(listed.length, untypedProblems.length, (e as ModelError).message);
  }
  const engine = new Engine(model);
  const kind: EventType = 'page';
  const event: BatonEvent = { type: kind, messageId: 'm1', anonymousId: 'a1', timestamp: '2026-11-02T10:00:00Z', properties: { path: '/pricing' } };
  const outcome: IngestOutcome = engine.ingest(event, Date.now());
  const entered: StageEntry[] = outcome.stagesEntered;
  const score: Score = engine.score(Date.now());
  const stage: StageName = score.stage;
  const explanation: Explanation = engine.explain(Date.now());
  const entries: LedgerEntry[] = explanation.entries;
  const capHit: CapHit | null = entries[0]?.capHit ?? null;
  const rules: RuleSummary[] = explanation.rules;
  const fit: FitEntry[] = explanation.fit;
  const groups: GroupSummary[] = explanation.groups;
  const cold: NextChange | null = engine.nextChange(Date.now());
  const state: string = engine.exportState();
  const resumed: Engine = Engine.withState(model, state);
  const hash: string = resumed.modelHash + resumed.modelVersion;
  resumed.reset();
  resumed.free();
  // One model parsed once, shared by many engines.
  const compiled = new CompiledModel(model);
  const shared: Engine = Engine.fromModel(compiled);
  const sharedAgain: Engine = Engine.fromModelWithState(compiled, shared.exportState());
  const sameModel: boolean = compiled.hash === sharedAgain.modelHash && compiled.version === sharedAgain.modelVersion;
  console.log(sameModel);
  shared.free();
  sharedAgain.free();
  compiled.free();

  const handoff: Handoff | undefined = outcome.handoffs[0];
  if (handoff) {
    const touch: Touch | null = handoff.firstTouch;
    const utm: Campaign | undefined = touch?.utm;
    const history: HistoryItem[] = handoff.history;
    const owner: Assignment = handoff.routing;
    const ref: ModelRef = handoff.model;
    const traits: { [name: string]: JsonValue } = handoff.traits;
    // Every point of the score, beside the ledger (absent from payloads of older snippets).
    const parts: HandoffExplanation | undefined = handoff.explanation;
    console.log(parts?.otherPoints, parts?.fit.map((f) => f.points), parts?.totalClamp);
    const verdict: VerifyResult = verifyHandoff(handoff, model);
    const why: Mismatch[] = verdict.mismatches.concat(verdict.unverifiable);
    console.log(utm, history, owner, ref.hash, traits, why.map((m) => `${m.field}: ${m.reason}`));
  }
  // Anything posted is `unknown` until verified, and verification accepts it as such.
  const posted: unknown = JSON.parse('{}');
  const verdict: VerifyResult = verifyHandoff(posted, JSON.stringify(model));
  if (verdict.basis === 'none') console.log(verdict.ok, verdict.complete, verdict.handoffId, verdict.modelHash);

  // The declarations are strict: these must stay errors (an unused directive fails tsc).
  // @ts-expect-error: a number is not a model
  new Engine(42);
  // @ts-expect-error: an unknown event type
  engine.ingest({ type: 'click', messageId: 'x' }, 0);
  // @ts-expect-error: a score is a number, not text
  const wrong: string = score.total;

  // Calibration and the snippet's tracker (typed by their own modules) are exported too.
  const options: CalibrateOptions = { outcomeColumn: 'won' };
  const onProgress = (p: CalibrateProgress): void => console.log(p.stage, p.done, p.total);
  const rows: LabeledRow[] = [];
  const report: CalibrationReport = calibrateRows(rows, options, onProgress);
  // The progress callback is optional.
  const fromCsv: CalibrationReport = calibrate('won\n1\n', options);
  const quiet: CalibrationReport = calibrateRows(rows, options);
  const fragment: CalibrationFragment = report.fragment;
  const applied: AppliedCalibration = applyCalibration(model, fragment);
  const replay = new BatchReplay(model, { historyBytes: 0, now: Date.now() });
  const pushed: number = replay.pushNdjson(JSON.stringify(event));
  const { visitors, mql } = replay.summary(Date.now());
  replay.free();
  const tracker: typeof Tracker = Tracker;
  const workspace: typeof Workspace = Workspace; // the dashboard's store (typed by its module)
  const unsent = (t: Tracker): OutboxEntry[] => t.outbox().filter((e) => e.delivery.state !== 'acknowledged');
  const gaveUp: DeliveryState = { state: 'gaveUp', at: 0, reason: 'max attempts' };
  type CalibrationParts = [BinRule, DecileRow, CalibrationBand, CalibrationMetrics, ThresholdSuggestion];
  type SnippetParts = [TrackerOptions, TrackerHook];
  const snippetParts: SnippetParts | null = null;
  const none: CalibrationParts | null = null;

  // The snippet's hooks: each name gets its own value type.
  const hooks = (t: Tracker): void => {
    t.on('qualified', (h) => {
      const email: JsonValue | undefined = h.traits.email;
      const by: number = h.followUpBy;
      console.log(email, by);
    });
    t.on('stage', (e) => {
      const reached: StageName = e.stage;
      console.log(reached, e.at);
    });
    t.on('score', (s) => {
      const total: number = s.total;
      console.log(total);
    });
    t.on('delivered', (d: DeliveryReceipt) => {
      const status: number = d.status;
      console.log(d.handoffId, status);
    });
    t.on('delivery-failed', (f: DeliveryFailure) => console.warn(f.handoffId, f.endpoint, f.reason));
    const anyHook = (name: TrackerHook, value: TrackerEvents[TrackerHook]): void => console.log(name, value);
    t.on('score', (s) => anyHook('score', s));
    // @ts-expect-error: `score` hooks get a Score, not a Handoff
    t.on('score', (h: Handoff) => console.log(h.handoffId));
    // @ts-expect-error: an unknown hook
    t.on('clicked', () => undefined);
  };

  // The dashboard's workspace: every result is typed down to its columns.
  const ws = new Workspace();
  const format: ImportFormat = 'csv';
  const mapping: CsvMapping = { columns: { timestamp: 'Date', anonymousId: 'Visitor', 'properties.path': 'Page' }, defaultType: 'page' };
  ws.beginEvents(format, mapping, { now: Date.now() });
  const pushedRows: ImportReport = ws.pushEvents('Date,Visitor,Page\n2026-11-02T10:00:00Z,a1,/pricing\n');
  const finished: ImportReport = ws.finishEvents();
  const rowErrors: RowError[] = finished.errors;
  const whole: ImportReport = ws.importEvents('{}', 'auto');
  const checked: ImportReport = ws.importEvents('{}', 'auto', null, { now: Date.now() });
  const crm: ImportReport = ws.importOutcomes('lead_id,stage,date\n');
  const received: number = ws.importHandoffs('').imported + finished.errorsOmitted + pushedRows.duplicates;
  const sample: SampleData = Workspace.sampleData(42, 200, Date.now());
  const loaded: SampleImport = ws.loadSample(42, 200, Date.now());
  const loadedEvents: number = loaded.events.imported + sample.leads;
  const held: WorkspaceSummary = ws.summary();
  const lastEventAt: number | null = held.lastEventAt;
  const sort: LeadSortColumn = 'slaDueAt';
  const leadQuery: LeadQuery = { text: 'acme', stages: ['mql', 'sal'], onlyBreached: true, minScore: 50, sort, descending: true, limit: 50 };
  const leadPage: LeadPage = ws.leads(model, Date.now(), leadQuery);
  const firstPage: LeadPage = ws.leads(JSON.stringify(model), Date.now());
  const lead: Lead | undefined = leadPage.rows[0];
  const outcomeOfLead: SalesOutcome | null = lead?.outcome ?? null;
  const salesStage: SalesStage = 'won';
  const wonAt: number | undefined = outcomeOfLead?.stages[salesStage];
  const detail: LeadDetail | null = ws.leadDetail(model, Date.now(), lead?.id ?? 'a1');
  const timeline: TimelineItem[] = detail?.timeline ?? [];
  const ledger: Explanation | undefined = detail?.explanation;
  const funnelReport: FunnelReport = ws.funnel(model, Date.now());
  const steps: FunnelStep[] = funnelReport.steps;
  const bySource: FunnelSplit[] = funnelReport.bySource;
  const mqls: number = bySource[0]?.counts[0] ?? 0;
  const slaReport: SlaReport = ws.sla(model, Date.now(), 60);
  const breaches: SlaBreach[] = slaReport.breaches;
  const ownerRow: [string, number, number] | undefined = slaReport.byOwner[0];
  const rejectedReport: RejectedReport = ws.rejected(model, Date.now());
  const reasons: KeyCount[] = rejectedReport.byReason;
  const byRule: RejectionRow[] = rejectedReport.byRule;
  const histogram: ScoreHistogram = ws.histogram(model, Date.now(), 20);
  const binCounts: Float64Array = histogram.all;
  const backtestOptions: BacktestOptions = { positive: 'opportunity', capacityPerWeek: 25, steps: 51 };
  const bt: BacktestReport = ws.backtest(model, model, Date.now(), backtestOptions);
  const candidateResult: BacktestModelResult = bt.candidate;
  const perWeek: Float64Array = candidateResult.mqlsPerWeek;
  const sweep: ThresholdSweep = bt.sweep;
  const precision: Float64Array = sweep.precision;
  const pick: CapacityPick | null = bt.capacity;
  const threshold: number | null = pick?.threshold ?? null;
  // @ts-expect-error: funnel rates may be null
  const rate: number = steps[1].conversionFromMql;
  // @ts-expect-error: histogram columns are Float64Arrays, not number[]
  const plain: number[] = histogram.mql;
  ws.cancelEvents();
  ws.clear();
  ws.free();
  console.log(hooks, rowErrors, whole, crm, received, loadedEvents, lastEventAt, firstPage, wonAt, timeline, ledger, mqls, breaches, ownerRow, reasons, byRule, binCounts, perWeek, precision, threshold, rate, plain);

  console.log(problems, entered, stage, capHit, rules, fit, groups, cold, hash, wrong, fromCsv, applied, tracker, unsent, gaveUp, none, pushed, visitors, mql, workspace, snippetParts);
}

void main();

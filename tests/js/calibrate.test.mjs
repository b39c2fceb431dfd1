// `calibrate`, `calibrateRows` and `applyCalibration` from the built Node package (pkg/node):
// results are plain objects, errors are real `Error`s with the engine's message, a progress
// callback's own exception comes back unchanged, and the learned rules apply to a real model.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const { calibrate, calibrateRows, applyCalibration, Engine } = createRequire(import.meta.url)(
  join(root, 'pkg', 'node', 'baton.js'),
);

/** A deterministic lead table: conversion rises with visits and is higher for SaaS. */
function leadTable(n) {
  let state = 12345;
  const unit = () => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return state / 2 ** 32;
  };
  const lines = ['industry;visits;"note";won'];
  for (let i = 0; i < n; i++) {
    const industry = ['saas', 'retail', 'bank'][Math.floor(unit() * 3)];
    const visits = Math.floor(unit() * 10);
    const logit = -2.5 + 0.4 * visits + (industry === 'saas' ? 1 : 0);
    const won = unit() < 1 / (1 + Math.exp(-logit));
    lines.push(`${industry};${visits};"says ""hi""; twice";${won ? 'yes' : 'no'}`);
  }
  lines.push('retail;3'); // short row: skipped and reported
  return lines.join('\n');
}

const csv = leadTable(1500);
const options = { outcomeColumn: 'won', exclude: ['note'], split: 'stratified', seed: 3 };

test('calibrate returns a plain report and reports progress in order', () => {
  const stages = [];
  const report = calibrate(csv, options, (p) => {
    assert.equal(typeof p.done, 'number');
    if (stages.at(-1) !== p.stage) stages.push(p.stage);
  });
  assert.deepEqual(stages, ['parse', 'bin', 'screen', 'fit', 'evaluate']);
  assert.equal(report.rows.used, 1500);
  assert.deepEqual(report.rows.badRows, [{ line: 1502, reason: 'expected 4 fields, found 2' }]);
  assert.equal(report.split.kind, 'stratified');
  assert.ok(report.evaluation.test.auc > 0.7, `AUC ${report.evaluation.test.auc}`);
  assert.equal(report.evaluation.test.deciles.length, 10);
  assert.equal(report.evaluation.current, null);
  assert.deepEqual(report.excluded, [{ column: 'note', reason: 'excluded by option' }]);
  const visits = report.features.find((f) => f.column === 'visits');
  assert.ok(visits.bins.at(-1).points > visits.bins[0].points);
  assert.ok(report.fragment.rules.every((r) => r.id.startsWith('calibrated.') && r.kind === 'fit'));
  // Same input, same points.
  assert.deepEqual(calibrate(csv, options), report);
});

test('bad options and unusable data throw real Errors with the engine message', () => {
  assert.throws(() => calibrate(csv, { outcomeColumn: 'nope' }), (e) =>
    e instanceof Error && e.message.startsWith('invalid option outcomeColumn: no column named "nope"'));
  assert.throws(() => calibrate(csv, { outcomeColum: 'won' }), (e) =>
    e instanceof Error && /^invalid options: unknown field `outcomeColum`/.test(e.message));
  assert.throws(() => calibrate(csv, { outcomeColumn: 'won', l2: 0 }), (e) =>
    e instanceof Error && e.message.startsWith('invalid option l2'));
  assert.throws(() => calibrate('', { outcomeColumn: 'won' }), /csv: the file is empty/);
});

test("a progress callback's exception comes back unchanged", () => {
  const stop = new RangeError('user cancelled');
  assert.throws(() => calibrate(csv, options, () => { throw stop; }), (e) => e === stop);
});

test('calibrateRows trains on replay-shaped rows', () => {
  const rows = [];
  for (let i = 0; i < 800; i++) {
    const pricing = i % 5;
    rows.push({ features: { 'pricing-page': pricing, industry: i % 3 ? 'retail' : 'saas' },
      outcome: (i * 7919) % 100 < 4 + pricing * 8, time: 1_700_000_000_000 + i * 60_000, currentScore: pricing });
  }
  const report = calibrateRows(rows, {});
  assert.equal(report.split.kind, 'time');
  assert.equal(report.split.by, 'timeColumn');
  assert.ok(report.evaluation.current.auc > 0.5);
  assert.throws(() => calibrateRows([{ features: {}, outcome: 'yes' }], {}), (e) =>
    e instanceof Error && e.message.startsWith('invalid rows'));
});

test('applyCalibration gives a model the engine accepts, with the changes listed', () => {
  const model = JSON.parse(readFileSync(join(root, 'tests', 'fixtures', 'models', 'demo.model.json'), 'utf8'));
  const report = calibrate(csv, options);
  const { model: next, changes } = applyCalibration(model, report.fragment);
  assert.equal(changes.length, report.fragment.rules.length);
  assert.ok(changes.every((c) => c.before === null && typeof c.after === 'number'));
  assert.equal(next.rules.length, model.rules.length + report.fragment.rules.length);
  assert.deepEqual(Engine.validate(next), []);
  // Applying the same fragment again changes nothing.
  assert.deepEqual(applyCalibration(next, report.fragment).changes, []);
});

const bank = resolve(root, '../shared/data/uci-bank-marketing/bank-full.csv');
test('bank table in wasm: the same AUC as native', { skip: !existsSync(bank) && 'bank-full.csv absent' }, () => {
  const report = calibrate(readFileSync(bank, 'utf8'), {
    outcomeColumn: 'y', positiveValues: ['yes'], exclude: ['duration'], split: 'stratified', seed: 42,
  });
  assert.equal(report.rows.used, 45211);
  assert.ok(report.evaluation.test.auc >= 0.76, `AUC ${report.evaluation.test.auc}`);
});

/**
 * A table's whole group is formed before the shadow proof measures it
 * (docs/advisor.md, "Groups"): on a generated two-facts workload (the
 * advisor suite's: orders join the account dimension on account_id,
 * invoices on billing_id, both facts loaded in date order) invoices' sort key
 * and its KEY are one group, the same in every run; and a part of a group the
 * proof did not prove (the sort key without the KEY) is refused with it in
 * the same run instead of being measured as its rival.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Database, loadWorkload } from '../../index.js';
import { changeKey, notProvenOf, proveGroups, runAdvisor, withoutAdvisor, type Recommendation } from '../../advisor/index.js';
import { replay } from '../../bench/suite/harness.js';
import { workloadByName } from '../../bench/suite/workloads.js';

const SCALE = 0.05;
const QUERIES = 150;
let work: string;
let source: string;

beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'keel-group-formation-'));
  source = path.join(work, 'source');
  const w = workloadByName('two-facts');
  // small blocks, so the facts have several blocks a slice at a test's size and a sort key pays as it does at the suite's scale
  const db = await Database.create(source, { slices: 4, blockRows: 1024 });
  try {
    for (const sql of w.ddl) await db.execute(sql);
    await w.load(db, SCALE);
    const r = await replay(db, w.stream(SCALE, QUERIES, 1));
    expect(r.failures).toEqual([]);
  } finally {
    db.close();
  }
}, 300_000);
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

/**
 * The advisor on a fresh copy of the logged workload, on its estimates alone: no shadow proof, and no encodings (chosen on measured
 * decode speeds), so nothing here depends on a clock.
 */
async function estimatedRun(name: string): Promise<Recommendation[]> {
  const dir = path.join(work, name);
  fs.cpSync(source, dir, { recursive: true });
  const db = await Database.open(dir, { workloadLog: { source: 'advisor' } });
  try {
    return [...(await runAdvisor(db, { shadow: false, storage: { encodings: false } })).recommendations];
  } finally {
    db.close();
  }
}

const invoicesGroup = (recs: readonly Recommendation[]) => {
  const group = recs.find((r) => r.table === 'invoices_f' && r.kind === 'sortkey')?.group;
  return recs.filter((r) => r.group === group).map((r) => `${r.table} ${r.kind} ${r.proposed}`).sort();
};

describe('group formation on a two-facts workload', () => {
  it("forms invoices' sort key and its KEY as one group, the same in every run", async () => {
    const first = await estimatedRun('first');
    const second = await estimatedRun('second');
    expect(invoicesGroup(first)).toEqual(expect.arrayContaining(['invoices_f distkey KEY(billing_id)', 'invoices_f sortkey invoice_date']));
    expect(invoicesGroup(second)).toEqual(invoicesGroup(first));
    const groups = (recs: readonly Recommendation[]) => [...new Set(recs.map((r) => r.group))].map((g) => recs.filter((r) => r.group === g).map(changeKey).sort().join('\n')).sort();
    expect(groups(second)).toEqual(groups(first));
  }, 300_000);

  it('refuses the sort key alone, without measuring it, after its group with the KEY was not proven in the same run', async () => {
    const recs = (await estimatedRun('parts')).filter((r) => r.table === 'invoices_f');
    const whole = recs.filter((r) => r.kind === 'distkey' || r.kind === 'sortkey');
    expect(whole.map((r) => r.kind).sort()).toEqual(['distkey', 'sortkey']);
    const part = whole.filter((r) => r.kind === 'sortkey');
    const db = await Database.open(path.join(work, 'parts'), { workloadLog: false });
    try {
      const w = withoutAdvisor(loadWorkload(db.dir));
      // the group measured whole in an earlier round of the run, inconclusive on a noisy clock
      const shadow = { verdict: 'inconclusive', reason: 'too noisy to settle it now' } as NonNullable<Recommendation['evidence']['shadow']>;
      const earlier = notProvenOf([{ tables: ['invoices_f'], changes: whole.map((r) => r.ddl), members: whole, reason: shadow.reason, shadow }]);
      const proofs = new Map();
      const out = await proveGroups(db, w, part, { budgetMs: 60_000 }, proofs, new Map(), new Map(), earlier);
      expect(out.kept).toEqual([]);
      expect(out.rejected).toHaveLength(1);
      const reason = out.rejected[0]!.reason;
      expect(reason).toMatch(/^measured this run as part of the group .*, which was not proven \(too noisy to settle it now\)$/);
      for (const r of whole) expect(reason).toContain(r.ddl);
      expect(out.rejected[0]!.shadow).toBeUndefined();
      expect(proofs.size).toBe(0);
      // the whole group itself is no part of itself: it is measured (or taken from the run's proofs) as before
      const measured = new Map();
      const again = await proveGroups(db, w, whole, { rounds: 2, maxRounds: 2, lastRounds: 2 }, measured, new Map(), new Map(), earlier);
      expect(measured.size).toBe(1);
      expect(again.rejected.filter((g) => !g.shadow)).toEqual([]);
    } finally {
      db.close();
    }
  }, 300_000);
});

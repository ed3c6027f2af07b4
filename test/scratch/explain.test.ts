import { it } from 'vitest';
import { KeelTpch, ALL_EVEN, ALL_ALL, KEYED } from '../helpers/keel-tpch.js';
import { tpchQuery } from '../helpers/oracle.js';
import { explainText } from '../../engine/plan/explain.js';
it('explain', async () => {
  const layout = process.env.LAYOUT === 'all' ? ALL_ALL : process.env.LAYOUT === 'keyed' ? KEYED : ALL_EVEN;
  const keel = await KeelTpch.create(`/work/shared/tpch/sf${process.env.SF ?? '0.01'}`, layout);
  for (const n of (process.env.Q ?? '10').split(',').map(Number)) {
    const sql = tpchQuery(n).split(';').find((s) => /^\s*select/i.test(s))!;
    const plan = keel.plan(sql);
    console.log(`q${n}\n` + explainText(plan));
  }
  keel.close();
}, 600000);

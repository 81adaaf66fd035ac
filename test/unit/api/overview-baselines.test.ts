import { describe, expect, it } from 'vitest';
import { OverviewBaselines } from '../../../src/api/overview-baselines.js';
import type { SiteBaseline } from '../../../src/energy/analytics-service.js';

const baselineOf = (site: string): SiteBaseline => ({ result: { ok: false, problems: [] }, expectedByDate: new Map(), profile: () => null, period: { from: site, to: site }, temperatures: null });

describe('the baselines the overview asks for', () => {
  it('fits one site at a time, in the order asked, and takes a cached one without fitting', async () => {
    let running = 0;
    let most = 0;
    const fitted: string[] = [];
    const fit = async (site: string) => {
      running++;
      most = Math.max(most, running);
      await new Promise((r) => setTimeout(r, 5));
      running--;
      fitted.push(site);
      return baselineOf(site);
    };
    const cached = (site: string) => (site === 'warm' ? Promise.resolve(baselineOf('warm')) : null);
    const baselines = new OverviewBaselines(fit, cached, undefined, 0);
    const answers = await Promise.all(['a', 'b', 'warm', 'c', 'a'].map((s) => baselines.get(s)));
    expect(answers.map((b) => b.period!.from)).toEqual(['a', 'b', 'warm', 'c', 'a']);
    expect(fitted).toEqual(['a', 'b', 'c']);
    expect(most).toBe(1);
    // Fitted once: asked directly afterwards (the analytics' cache answers).
    await baselines.get('b');
    expect(fitted).toEqual(['a', 'b', 'c', 'b']);
  });

  it('a failed fit rejects its callers and does not stop the others', async () => {
    const baselines = new OverviewBaselines(async (site) => {
      if (site === 'bad') throw new Error('store down');
      return baselineOf(site);
    }, undefined, undefined, 0);
    const [bad, good] = await Promise.allSettled([baselines.get('bad'), baselines.get('good')]);
    expect(bad).toMatchObject({ status: 'rejected', reason: { message: 'store down' } });
    expect(good).toMatchObject({ status: 'fulfilled', value: { period: { from: 'good' } } });
  });
});

import { describe, expect, it } from 'vitest';
import { SharedRuns } from './shared-runs.js';

describe('SharedRuns: one shared run per key, never one that started before the call', () => {
  it('shares a run among the calls made before it starts, and queues one more behind a run under way', async () => {
    const runs = new SharedRuns();
    const fresh = <T>(key: string, compute: () => Promise<T>) => runs.run(key, compute);
    const started: number[] = [];
    let release!: () => void;
    let n = 0;
    const compute = () => {
      const run = ++n;
      started.push(run);
      return new Promise<number>((resolve) => (release = () => resolve(run)));
    };
    const first = [fresh('k', compute), fresh('k', compute)];
    await Promise.resolve();
    await Promise.resolve();
    expect(started).toEqual([1]);
    // Under way: later calls wait for the next run, which starts once the first is done.
    const later = [fresh('k', compute), fresh('k', compute), fresh('k', compute)];
    await Promise.resolve();
    expect(started).toEqual([1]);
    release();
    expect(await Promise.all(first)).toEqual([1, 1]);
    await new Promise((r) => setTimeout(r, 0));
    expect(started).toEqual([1, 2]);
    release();
    expect(await Promise.all(later)).toEqual([2, 2, 2]);
    // Another key runs on its own; an idle key starts afresh.
    const other = fresh('other', async () => 'x');
    const again = fresh('k', async () => 3);
    expect(await Promise.all([other, again])).toEqual(['x', 3]);
  });

  it('gives every waiting call the error of its run, and runs again for the next call', async () => {
    const runs = new SharedRuns();
    const fresh = <T>(key: string, compute: () => Promise<T>) => runs.run(key, compute);
    const failing = fresh('e', async () => {
      throw new Error('database away');
    });
    await expect(failing).rejects.toThrow('database away');
    expect(await fresh('e', async () => 'back')).toBe('back');
  });
});

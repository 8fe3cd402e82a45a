import { describe, expect, it } from 'vitest';
import { CleanupStack } from '../../src/lab/index.js';

describe('the cleanup stack', () => {
  it('runs cleanups newest first, each once however often run() is called', async () => {
    const stack = new CleanupStack();
    const order: string[] = [];
    for (const name of ['db', 'proxy', 'service']) stack.push(name, () => order.push(name));
    const [a, b] = await Promise.all([stack.run(), stack.run()]);
    await stack.run();
    expect(order).toEqual(['service', 'proxy', 'db']);
    expect(a).toEqual([]);
    expect(b).toBe(a);
  });

  it('runs every cleanup when one fails, and reports the failure by name', async () => {
    const stack = new CleanupStack();
    const ran: string[] = [];
    stack.push('first', () => ran.push('first'));
    stack.push('broken', async () => {
      await Promise.resolve();
      throw new Error('boom');
    });
    stack.push('thrower', () => {
      throw new Error('sync boom');
    });
    stack.push('last', () => ran.push('last'));
    const problems = await stack.run();
    expect(ran).toEqual(['last', 'first']);
    expect(problems.map((p) => [p.name, (p.error as Error).message])).toEqual([
      ['thrower', 'sync boom'],
      ['broken', 'boom'],
    ]);
  });

  it('runs a cleanup pushed after run() at once, so nothing started late is left running', async () => {
    const stack = new CleanupStack();
    await stack.run();
    let stopped = false;
    stack.push('late', () => (stopped = true));
    await stack.run();
    expect(stopped).toBe(true);
  });
});

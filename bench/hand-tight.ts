/**
 * The reference for the engine's speed: a hand-tight typed-array loop of the
 * Erlang-A day (M/M/n+M, FIFO), as fast as this model can be simulated in JavaScript.
 * It knows nothing but this one model: agents' completion times in a binary heap,
 * waiting calls in a ring of (arrival, deadline), abandonments resolved lazily when
 * an agent reaches the head of the queue (exact for FIFO with patience: a caller who
 * gave up before an agent became free is counted as abandoned, and never served).
 * Same random generator as the engine (seedrandom's Alea), so the comparison is of
 * the loop, not of the numbers.
 */
import seedrandom from 'seedrandom';

export interface HandTightResult { events: number; answered: number; abandoned: number; answeredWithin: number }

export function handTightErlangA(lambda: number, aht: number, patience: number, n: number, horizon: number, threshold: number, seed: string): HandTightResult {
  const rA = seedrandom.alea(`${seed}/a`), rS = seedrandom.alea(`${seed}/s`), rP = seedrandom.alea(`${seed}/p`);
  const heap = new Float64Array(n); // completion times of busy agents
  let busy = 0;
  const cap = 1 << 16, mask = cap - 1;
  const qArr = new Float64Array(cap), qDead = new Float64Array(cap);
  let head = 0, tail = 0;
  let events = 0, answered = 0, abandoned = 0, within = 0;
  let nextArrival = -Math.log(1 - rA.double()) / lambda;
  const push = (t: number) => {
    let i = busy++;
    while (i > 0) { const p = (i - 1) >> 1; if (heap[p] <= t) break; heap[i] = heap[p]; i = p; }
    heap[i] = t;
  };
  const popMin = () => {
    const last = heap[--busy];
    let i = 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= busy) break;
      if (c + 1 < busy && heap[c + 1] < heap[c]) c++;
      if (last <= heap[c]) break;
      heap[i] = heap[c]; i = c;
    }
    heap[i] = last;
  };
  for (;;) {
    const nextDone = busy > 0 ? heap[0] : Infinity;
    if (nextArrival <= nextDone && nextArrival < horizon) {
      const t = nextArrival;
      events++;
      const service = -Math.log(1 - rS.double()) * aht;
      const pat = -Math.log(1 - rP.double()) * patience;
      if (busy < n) { push(t + service); answered++; within++; }
      else { qArr[tail & mask] = t; qDead[tail & mask] = t + pat; tail++; }
      nextArrival = t + -Math.log(1 - rA.double()) / lambda;
      continue;
    }
    if (nextDone === Infinity) break;
    const t = nextDone;
    popMin();
    events++;
    // The freed agent takes the first caller still waiting; those who gave up are abandonments.
    while (head !== tail && qDead[head & mask] < t) { head++; abandoned++; events++; }
    if (head !== tail) {
      const w = t - qArr[head & mask];
      head++;
      answered++;
      if (w <= threshold) within++;
      push(t + -Math.log(1 - rS.double()) * aht);
    }
  }
  abandoned += tail - head; events += tail - head; // still waiting when the agents are gone: they give up
  return { events, answered, abandoned, answeredWithin: within };
}

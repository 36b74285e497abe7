/**
 * The event calendar: a binary min-heap over parallel typed arrays.
 *
 * Order of events (the tie-break rule, written once here and relied on everywhere):
 *   1. earlier `time` first;
 *   2. at equal time, lower `priority` first (the model gives each event kind a
 *      priority: see sim/src/model/event-kinds.ts);
 *   3. at equal time and priority, the event scheduled first runs first (FIFO by an
 *      insertion sequence number).
 * SimPy orders its heap by (time, priority, seq) for the same reason: without (3) a
 * binary heap gives no defined order for equal keys, and runs stop being reproducible.
 *
 * Each entry carries an integer `kind`, an integer `target` (a slot id) and an integer
 * `gen` (the target's generation when scheduled). The calendar never cancels: the
 * model bumps a slot's generation to make its pending timers stale, and skips stale
 * events when they pop (simmer's unschedule, bitECS's versioned ids). That makes
 * cancellation O(1) and keeps the heap free of searches.
 *
 * Nothing is allocated per event: arrays grow by doubling only when full.
 */
export class Calendar {
  private time: Float64Array;
  /** priority * 2^32 + seq, exact in a double while seq < 2^21 * 2^32 */
  private order: Float64Array;
  private kinds: Int32Array;
  private targets: Int32Array;
  private gens: Int32Array;
  private n = 0;
  private seq = 0;

  /** Filled by pop(): the popped event. Reading fields avoids returning an object. */
  public popTime = 0;
  public popKind = 0;
  public popTarget = 0;
  public popGen = 0;

  constructor(capacity = 1024) {
    const c = Math.max(16, capacity | 0);
    this.time = new Float64Array(c);
    this.order = new Float64Array(c);
    this.kinds = new Int32Array(c);
    this.targets = new Int32Array(c);
    this.gens = new Int32Array(c);
  }

  get size(): number {
    return this.n;
  }

  /** Time of the next event, or Infinity when empty. */
  peekTime(): number {
    return this.n > 0 ? this.time[0] : Infinity;
  }

  clear(): void {
    this.n = 0;
    this.seq = 0;
  }

  push(time: number, priority: number, kind: number, target: number, gen: number): void {
    if (this.n === this.time.length) this.grow();
    const ord = priority * 4294967296 + this.seq++;
    // Sift up with a hole: move parents down, write the new entry once.
    let i = this.n++;
    const t = this.time, o = this.order;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const pt = t[p];
      if (pt < time || (pt === time && o[p] < ord)) break;
      this.move(p, i);
      i = p;
    }
    t[i] = time;
    o[i] = ord;
    this.kinds[i] = kind;
    this.targets[i] = target;
    this.gens[i] = gen;
  }

  /** Removes the first event into popTime/popKind/popTarget/popGen. Returns false when empty. */
  pop(): boolean {
    const n = this.n;
    if (n === 0) return false;
    const t = this.time, o = this.order;
    this.popTime = t[0];
    this.popKind = this.kinds[0];
    this.popTarget = this.targets[0];
    this.popGen = this.gens[0];
    const last = n - 1;
    this.n = last;
    if (last === 0) return true;
    // Sift the last entry down from the root, with a hole.
    const lt = t[last], lo = o[last], lk = this.kinds[last], la = this.targets[last], lg = this.gens[last];
    let i = 0;
    const half = last >> 1;
    while (i < half) {
      let c = 2 * i + 1;
      const r = c + 1;
      if (r < last && (t[r] < t[c] || (t[r] === t[c] && o[r] < o[c]))) c = r;
      if (lt < t[c] || (lt === t[c] && lo < o[c])) break;
      this.move(c, i);
      i = c;
    }
    t[i] = lt;
    o[i] = lo;
    this.kinds[i] = lk;
    this.targets[i] = la;
    this.gens[i] = lg;
    return true;
  }

  private move(from: number, to: number): void {
    this.time[to] = this.time[from];
    this.order[to] = this.order[from];
    this.kinds[to] = this.kinds[from];
    this.targets[to] = this.targets[from];
    this.gens[to] = this.gens[from];
  }

  private grow(): void {
    const c = this.time.length * 2;
    const t = new Float64Array(c); t.set(this.time); this.time = t;
    const o = new Float64Array(c); o.set(this.order); this.order = o;
    const k = new Int32Array(c); k.set(this.kinds); this.kinds = k;
    const a = new Int32Array(c); a.set(this.targets); this.targets = a;
    const g = new Int32Array(c); g.set(this.gens); this.gens = g;
  }
}

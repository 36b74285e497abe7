/**
 * The event calendar: a binary min-heap over typed arrays.
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
 * Layout: the heap itself holds only (time, entry id) pairs, so a sift moves two
 * numbers per level; an entry's order key and payload sit in a pool indexed by its id
 * and are read only when two times tie. Nothing is allocated per event: arrays grow by
 * doubling only when full, and entry ids are recycled.
 */
export class Calendar {
  private time: Float64Array;
  private entry: Int32Array;
  /** per entry id: priority * 2^32 + seq, exact in a double while seq < 2^21 * 2^32 */
  private order: Float64Array;
  private kinds: Int32Array;
  private targets: Int32Array;
  private gens: Int32Array;
  private free: Int32Array;
  private nFree = 0;
  private nIds = 0;
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
    this.entry = new Int32Array(c);
    this.order = new Float64Array(c);
    this.kinds = new Int32Array(c);
    this.targets = new Int32Array(c);
    this.gens = new Int32Array(c);
    this.free = new Int32Array(c);
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
    this.nFree = 0;
    this.nIds = 0;
  }

  push(time: number, priority: number, kind: number, target: number, gen: number): void {
    if (this.n === this.time.length) this.grow();
    const id = this.nFree > 0 ? this.free[--this.nFree] : this.nIds++;
    const ord = priority * 4294967296 + this.seq++;
    this.order[id] = ord;
    this.kinds[id] = kind;
    this.targets[id] = target;
    this.gens[id] = gen;
    // Sift up with a hole: move parents down, write the new entry once.
    const t = this.time, e = this.entry, o = this.order;
    let i = this.n++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const pt = t[p];
      if (pt < time || (pt === time && o[e[p]] < ord)) break;
      t[i] = pt;
      e[i] = e[p];
      i = p;
    }
    t[i] = time;
    e[i] = id;
  }

  /** Removes the first event into popTime/popKind/popTarget/popGen. Returns false when empty. */
  pop(): boolean {
    const n = this.n;
    if (n === 0) return false;
    const t = this.time, e = this.entry, o = this.order;
    const top = e[0];
    this.popTime = t[0];
    this.popKind = this.kinds[top];
    this.popTarget = this.targets[top];
    this.popGen = this.gens[top];
    this.free[this.nFree++] = top;
    const last = n - 1;
    this.n = last;
    if (last === 0) return true;
    // Sift the last entry down from the root, with a hole.
    const lt = t[last], le = e[last], lo = o[le];
    let i = 0;
    const half = last >> 1;
    while (i < half) {
      let c = 2 * i + 1;
      const r = c + 1;
      if (r < last && (t[r] < t[c] || (t[r] === t[c] && o[e[r]] < o[e[c]]))) c = r;
      const ct = t[c];
      if (lt < ct || (lt === ct && lo < o[e[c]])) break;
      t[i] = ct;
      e[i] = e[c];
      i = c;
    }
    t[i] = lt;
    e[i] = le;
    return true;
  }

  private grow(): void {
    const c = this.time.length * 2;
    const f64 = (a: Float64Array) => { const b = new Float64Array(c); b.set(a); return b; };
    const i32 = (a: Int32Array) => { const b = new Int32Array(c); b.set(a); return b; };
    this.time = f64(this.time);
    this.entry = i32(this.entry);
    this.order = f64(this.order);
    this.kinds = i32(this.kinds);
    this.targets = i32(this.targets);
    this.gens = i32(this.gens);
    this.free = i32(this.free);
  }
}

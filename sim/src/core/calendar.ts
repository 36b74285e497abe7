/**
 * The event calendar: a 4-ary min-heap over typed arrays, plus a second level of
 * "sources" (recurring events with at most one occurrence pending each: the arrival
 * stream of each contact type).
 *
 * Order of events (the tie-break rule, written once here and relied on everywhere):
 *   1. earlier `time` first;
 *   2. at equal time, lower `priority` first (the model gives each event kind a
 *      priority: see sim/src/model/event-kinds.ts);
 *   3. at equal time and priority, the event scheduled first runs first (FIFO by an
 *      insertion sequence number).
 * SimPy orders its heap by (time, priority, seq) for the same reason: without (3) a
 * binary heap gives no defined order for equal keys, and runs stop being reproducible.
 * The rule holds across both levels: a source's occurrence takes its sequence number
 * from the same counter when it is set, so it pops exactly where it would have popped
 * had it been pushed.
 *
 * Each entry carries an integer `kind`, an integer `target` (a slot id) and an integer
 * `gen` (the target's generation when scheduled). The calendar never cancels: the
 * model bumps a slot's generation to make its pending timers stale, and skips stale
 * events when they pop (simmer's unschedule, bitECS's versioned ids). That makes
 * cancellation O(1) and keeps the heap free of searches.
 *
 * Layout: the heap itself holds only (time, entry id) pairs, so a sift moves two
 * numbers per level; an entry's order key and payload sit in a pool indexed by its id.
 * The heap is 4-ary (children of i: 4i + 1 .. 4i + 4): half the levels of a binary
 * heap, and a level's four children are read independently, where each level of a
 * binary heap waits for the one before. It is ordered by time alone (the smallest
 * child chosen without a branch); entries tied at the top time form a subtree at the root,
 * and only when the root has a child at its time is that subtree searched for the
 * least order key (times tie only at interval boundaries or with discrete
 * distributions). Nothing is allocated per event: arrays grow by doubling only when
 * full, and entry ids are recycled. Cells past the heap's end hold Infinity, and the
 * time array has PAD cells more, so a sift reads a node's four children unchecked.
 *
 * Sources (the two-level calendar): source k's next occurrence is held in its own
 * small heap (ordered by the same key) and compared with the main heap's top when
 * popping. An arrival process then costs no push or pop of the main heap, which holds
 * only timers (service ends, abandonments, ...); that heap stays smaller too. A popped
 * source has nothing pending until `setSource` gives it its next time; its target is
 * the source id and its gen 0.
 */
/** Time cells past the heap's capacity: the last node's four children are readable (Infinity). */
const PAD = 4;

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

  // ---- sources: per source id its next time (Infinity: none pending), order key and
  // kind; sHeap is a min-heap of source ids, sPos each source's place in it. Never
  // empty: with no sources, one that never fires stands in (no branch in pop).
  private readonly nSources: number;
  private readonly sTime: Float64Array;
  private readonly sOrder: Float64Array;
  private readonly sKind: Int32Array;
  private readonly sHeap: Int32Array;
  private readonly sPos: Int32Array;
  private sPending = 0;
  /** The top source was popped: its time is Infinity but it has not yet sunk (see fixSources). */
  private sDirty = false;

  /** Filled by pop(): the popped event. Reading fields avoids returning an object. */
  public popTime = 0;
  public popKind = 0;
  public popTarget = 0;
  public popGen = 0;

  /** `sources`: how many sources (ids 0..sources-1) `setSource` may use. */
  constructor(capacity = 1024, sources = 0) {
    const c = Math.max(16, capacity | 0);
    this.time = new Float64Array(c + PAD).fill(Infinity);
    this.entry = new Int32Array(c);
    this.order = new Float64Array(c);
    this.kinds = new Int32Array(c);
    this.targets = new Int32Array(c);
    this.gens = new Int32Array(c);
    this.free = new Int32Array(c);
    this.nSources = sources;
    const ns = Math.max(1, sources);
    this.sTime = new Float64Array(ns).fill(Infinity);
    this.sOrder = new Float64Array(ns);
    this.sKind = new Int32Array(ns);
    this.sHeap = Int32Array.from({ length: ns }, (_, i) => i);
    this.sPos = Int32Array.from({ length: ns }, (_, i) => i);
  }

  /** Events pending: heap entries and sources with a next occurrence. */
  get size(): number {
    return this.n + this.sPending;
  }

  /** Time of the next event, or Infinity when empty. */
  peekTime(): number {
    if (this.sDirty) this.fixSources();
    const st = this.sTime[this.sHeap[0]];
    return this.n > 0 && this.time[0] < st ? this.time[0] : st;
  }

  clear(): void {
    this.time.fill(Infinity);
    this.n = 0;
    this.seq = 0;
    this.nFree = 0;
    this.nIds = 0;
    this.sTime.fill(Infinity);
    this.sPending = 0;
    this.sDirty = false;
  }

  push(time: number, priority: number, kind: number, target: number, gen: number): void {
    this.pushOrdered(time, priority * 4294967296 + this.seq++, kind, target, gen);
  }

  /**
   * Takes the order key an event of `priority` scheduled now would get, for an event
   * pushed later with pushOrdered: it then pops exactly where it would have, had it
   * been pushed now (a timer armed late, see the patience lane in model/patience.ts).
   */
  reserve(priority: number): number {
    return priority * 4294967296 + this.seq++;
  }

  /** push() with an order key from reserve(). */
  pushOrdered(time: number, ord: number, kind: number, target: number, gen: number): void {
    if (this.n === this.entry.length) this.grow();
    const id = this.nFree > 0 ? this.free[--this.nFree] : this.nIds++;
    this.order[id] = ord;
    this.kinds[id] = kind;
    this.targets[id] = target;
    this.gens[id] = gen;
    // Sift up with a hole, by time alone: move parents down, write the new entry once.
    const t = this.time, e = this.entry;
    let i = this.n++;
    while (i > 0) {
      const p = (i - 1) >> 2;
      const pt = t[p];
      if (pt <= time) break;
      t[i] = pt;
      e[i] = e[p];
      i = p;
    }
    t[i] = time;
    e[i] = id;
  }

  /**
   * Sets source `src`'s next occurrence (Infinity: none), of `kind` at `priority`; it
   * replaces any occurrence pending. Ordered as if pushed now.
   */
  setSource(src: number, time: number, priority: number, kind: number): void {
    if (src < 0 || src >= this.nSources) throw new RangeError(`setSource: no source ${src} (calendar has ${this.nSources})`);
    const st = this.sTime, so = this.sOrder;
    if (this.sDirty) {
      this.sDirty = false;
      if (this.sHeap[0] === src) {
        // The common case: the source just popped sets its next occurrence; one sift.
        st[src] = time;
        so[src] = priority * 4294967296 + this.seq++;
        this.sKind[src] = kind;
        if (time !== Infinity) this.sPending++;
        this.sourceDown(src);
        return;
      }
      this.sourceDown(this.sHeap[0]);
    }
    const was = st[src], wasOrd = so[src];
    const ord = priority * 4294967296 + this.seq++;
    st[src] = time;
    so[src] = ord;
    this.sKind[src] = kind;
    if (was === Infinity) { if (time !== Infinity) this.sPending++; } else if (time === Infinity) this.sPending--;
    if (time < was || (time === was && ord < wasOrd)) this.sourceUp(src);
    else this.sourceDown(src);
  }

  /**
   * Removes the first event, if its time is <= `limit`, into popTime/popKind/popTarget/
   * popGen. Returns false when empty or when the next event is later than `limit`.
   */
  pop(limit = Infinity): boolean {
    if (this.sDirty) this.fixSources();
    const n = this.n;
    const t = this.time, e = this.entry, o = this.order;
    const src = this.sHeap[0];
    const st = this.sTime[src];
    // The heap is ordered by time alone; entries tied at the top time form a subtree
    // at the root (rare: then the least order key among them is found).
    // Tests that run only when the calendar runs empty (at the end of a replication)
    // come after tests that run at every pop: V8 compiles the event loop with the type
    // feedback of the tests that have run, and throws it away (deoptimizes it) at the
    // first test that had not; tested the other way round, the end of the first
    // replication did, and the next ran in the interpreter until compiled again.
    const t0 = t[0];
    let best = 0;
    if (st < t0 || (st !== Infinity && st === t0 && this.sOrder[src] < o[e[(best = this.topBest(t0))]])) {
      // The source's occurrence comes first (or the heap is empty).
      if (st > limit) return false;
      this.popTime = st;
      this.popKind = this.sKind[src];
      this.popTarget = src;
      this.popGen = 0;
      this.sTime[src] = Infinity;
      this.sPending--;
      this.sDirty = true; // it sinks when next looked at, unless setSource gives it a time first
      return true;
    }
    if (n === 0 || t0 > limit) return false;
    if (best === 0) best = this.topBest(t0);
    const top = e[best];
    this.popTime = t0;
    this.popKind = this.kinds[top];
    this.popTarget = this.targets[top];
    this.popGen = this.gens[top];
    this.free[this.nFree++] = top;
    const last = n - 1;
    this.n = last;
    // Sift the last entry down from the hole, by time alone (cells from n on hold
    // Infinity, so the children past the first need no bounds check).
    const lt = t[last], le = e[last];
    t[last] = Infinity;
    if (best === last) return true;
    let i = best;
    let c = 4 * i + 1;
    while (c < last) {
      // The smallest of the four children, without a branch (one would mispredict
      // often): the smaller of each pair, then the smaller of the two.
      const a = c + +(t[c + 1] < t[c]);
      const b = c + 2 + +(t[c + 3] < t[c + 2]);
      const m = a + (b - a) * +(t[b] < t[a]);
      const ct = t[m];
      if (lt <= ct) break;
      t[i] = ct;
      e[i] = e[m];
      i = m;
      c = 4 * i + 1;
    }
    // Tie resolution may leave the hole below the root: the last entry may belong higher.
    // (best > 0 first, for the type feedback: see above; the loop's `i > 0` alone first
    // ran when the heap ran down to a few entries.)
    if (best > 0 && i === best) {
      while (i > 0) {
        const p = (i - 1) >> 2;
        const pt = t[p];
        if (pt <= lt) break;
        t[i] = pt;
        e[i] = e[p];
        i = p;
      }
    }
    t[i] = lt;
    e[i] = le;
    return true;
  }

  /**
   * Index of the least order key among the entries at time `t0` = t[0] (the subtree
   * of the root at that time): 0 unless a child of the root ties with it.
   */
  private topBest(t0: number): number {
    const t = this.time;
    return t[1] === t0 || t[2] === t0 || t[3] === t0 || t[4] === t0 ? this.tieBestFrom(0, t0, 0) : 0;
  }

  private tieBestFrom(i: number, t0: number, best: number): number {
    if (i >= this.n || this.time[i] !== t0) return best;
    const o = this.order, e = this.entry;
    if (o[e[i]] < o[e[best]]) best = i;
    for (let c = 4 * i + 1; c <= 4 * i + 4; c++) best = this.tieBestFrom(c, t0, best);
    return best;
  }

  private fixSources(): void {
    this.sDirty = false;
    this.sourceDown(this.sHeap[0]);
  }

  private sourceUp(src: number): void {
    const h = this.sHeap, pos = this.sPos, st = this.sTime, so = this.sOrder;
    const t = st[src], o = so[src];
    let i = pos[src];
    while (i > 0) {
      const p = (i - 1) >> 1;
      const pt = st[h[p]];
      if (pt < t || (pt === t && so[h[p]] < o)) break;
      h[i] = h[p];
      pos[h[i]] = i;
      i = p;
    }
    h[i] = src;
    pos[src] = i;
  }

  private sourceDown(src: number): void {
    const h = this.sHeap, pos = this.sPos, n = this.nSources, st = this.sTime, so = this.sOrder;
    const t = st[src], o = so[src];
    let i = pos[src];
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      let ct = st[h[c]];
      if (c + 1 < n) {
        const rt = st[h[c + 1]];
        if (rt < ct || (rt === ct && so[h[c + 1]] < so[h[c]])) { c++; ct = rt; }
      }
      if (t < ct || (t === ct && o < so[h[c]])) break;
      h[i] = h[c];
      pos[h[i]] = i;
      i = c;
    }
    h[i] = src;
    pos[src] = i;
  }

  private grow(): void {
    const c = this.entry.length * 2;
    const f64 = (a: Float64Array, n: number) => { const b = new Float64Array(n).fill(Infinity); b.set(a); return b; };
    const i32 = (a: Int32Array) => { const b = new Int32Array(c); b.set(a); return b; };
    this.time = f64(this.time, c + PAD);
    this.entry = i32(this.entry);
    this.order = f64(this.order, c);
    this.kinds = i32(this.kinds);
    this.targets = i32(this.targets);
    this.gens = i32(this.gens);
    this.free = i32(this.free);
  }
}

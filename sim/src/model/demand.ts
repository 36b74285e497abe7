import type { DemandConfig } from '../config/demand-compile.ts';
import { Sampler } from '../core/distributions.ts';
import type { Stream } from '../core/rng.ts';
import { SimError } from '../errors.ts';

/**
 * The random part of demand, drawn once per replication: Poisson-gamma
 * overdispersion. Arrivals are Poisson given the rate, but the rate itself is
 * uncertain: a gamma multiplier with mean 1 per day (shared by all types, since a
 * busy day is busy everywhere) and, optionally, one per type and interval. Counts
 * in an interval with mean m then have
 *
 *   Var = m + (cvDay² + cvInt² + cvDay²·cvInt²)·m²,
 *
 * which gives the variance/mean of 4 to 19 seen in hourly call counts of real
 * centers (Brown et al. 2005; Weinberg, Brown and Stroud 2007) instead of the
 * Poisson 1, and so the day-to-day swings in service level that a pure Poisson
 * model hides.
 *
 * Everything is allocated in the constructor; `fill` allocates nothing.
 */
export class DemandSampler {
  private readonly base: Float64Array;
  private readonly nTypes: number;
  private readonly nIntervals: number;
  private readonly perDay: number;
  private readonly dayMult: Float64Array;
  private readonly day: Sampler | null;
  private readonly interval: Sampler | null;

  /** `nIntervals` must equal the length of every row of `cfg.rates` (the horizon in intervals). */
  constructor(cfg: DemandConfig, nIntervals: number) {
    this.nTypes = cfg.rates.length;
    this.nIntervals = nIntervals;
    this.perDay = cfg.intervalsPerDay;
    this.base = new Float64Array(this.nTypes * nIntervals);
    cfg.rates.forEach((row, t) => {
      if (row.length !== nIntervals) {
        throw new SimError('SIM_ERR_BAD_ARGUMENT', `demand rates of type ${t} have ${row.length} intervals, expected ${nIntervals}`);
      }
      this.base.set(row, t * nIntervals);
    });
    this.dayMult = new Float64Array(Math.max(1, Math.ceil(nIntervals / cfg.intervalsPerDay)));
    // Gamma with mean 1 and CV c: shape 1/c², scale c². CV 0 draws nothing.
    this.day = cfg.dayCv > 0 ? new Sampler({ kind: 'gamma', mean: 1, cv: cfg.dayCv }) : null;
    this.interval = cfg.intervalCv > 0 ? new Sampler({ kind: 'gamma', mean: 1, cv: cfg.intervalCv }) : null;
  }

  /**
   * Fills out[type * nIntervals + i] with this replication's rates per second:
   * base · dayMultiplier[day] · intervalMultiplier[type, i]. Draws from `stream` in
   * a fixed order (every day multiplier first, then interval multipliers type by
   * type, interval by interval), so the same stream gives the same rates, and a
   * dedicated `demand` stream keeps every other stream's numbers unchanged.
   */
  fill(out: Float64Array, stream: Stream): void {
    const nI = this.nIntervals;
    if (out.length < this.nTypes * nI) {
      throw new SimError('SIM_ERR_BAD_ARGUMENT', `demand buffer holds ${out.length} rates, needs ${this.nTypes * nI}`);
    }
    const dm = this.dayMult;
    const day = this.day;
    for (let d = 0; d < dm.length; d++) dm[d] = day === null ? 1 : day.sample(stream);
    const g = this.interval;
    const base = this.base;
    const ipd = this.perDay;
    for (let t = 0; t < this.nTypes; t++) {
      const o = t * nI;
      for (let i = 0; i < nI; i++) {
        const m = dm[Math.floor(i / ipd)];
        out[o + i] = base[o + i] * (g === null ? m : m * g.sample(stream));
      }
    }
  }
}

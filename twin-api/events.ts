/**
 * The twin's event stream (GET /v1/events, server-sent events): what happened, in
 * order, each with an increasing id. A bounded buffer keeps the last events so that a
 * client that reconnects with `Last-Event-ID` gets what it missed; one that missed
 * more than the buffer holds is told so (`reset`) and should re-read /v1/metrics.
 *
 * Kinds:
 *   contact     a client's contact ended (id, type, channel, outcome, simulated wait)
 *   interval    an interval closed (its start and end, per channel the counts so far
 *               and its service level: contacts of the interval still waiting count
 *               when they end, so late figures may still move)
 *   site        a site went down or came back (scenario failure or control)
 *   control     pause, resume, speed changes
 *   day         the simulated day ended (or was cut): the run is closed
 */

export type TwinEventKind = 'contact' | 'interval' | 'site' | 'control' | 'day';

export interface TwinEvent {
  id: number;
  kind: TwinEventKind;
  data: Record<string, unknown>;
}

export type EventListener = (e: TwinEvent) => void;

export class EventBuffer {
  private readonly ring: (TwinEvent | undefined)[];
  private next = 1;
  private readonly listeners = new Set<EventListener>();

  constructor(readonly capacity = 10_000) {
    this.ring = new Array(capacity);
  }

  /** The id the next event will get. */
  get nextId(): number {
    return this.next;
  }

  /** The oldest id still in the buffer (nextId when empty). */
  get oldestId(): number {
    return Math.max(1, this.next - this.capacity);
  }

  get subscribers(): number {
    return this.listeners.size;
  }

  emit(kind: TwinEventKind, data: Record<string, unknown>): TwinEvent {
    const e: TwinEvent = { id: this.next++, kind, data };
    this.ring[e.id % this.capacity] = e;
    for (const l of this.listeners) l(e);
    return e;
  }

  /**
   * The events after `lastId` still held, oldest first; `missed` is true when some
   * after it were already dropped from the buffer.
   */
  since(lastId: number): { events: TwinEvent[]; missed: boolean } {
    const from = Math.max(lastId + 1, this.oldestId);
    const events: TwinEvent[] = [];
    for (let id = from; id < this.next; id++) events.push(this.ring[id % this.capacity]!);
    return { events, missed: lastId + 1 < this.oldestId };
  }

  subscribe(l: EventListener): () => void {
    this.listeners.add(l);
    return () => { this.listeners.delete(l); };
  }
}

/** One event in the text/event-stream format. */
export function sseFrame(e: TwinEvent): string {
  return `id: ${e.id}\nevent: ${e.kind}\ndata: ${JSON.stringify(e.data)}\n\n`;
}

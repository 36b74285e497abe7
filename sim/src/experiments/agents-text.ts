import { isMap, isSeq, parseDocument } from 'yaml';
import { expandAliases } from './overrides.ts';

/**
 * A scenario's text with the `agents` of some groups (or of the single queue) set, and
 * nothing else changed: `cctwin schedule --out` and `cctwin staff --out`. Each group's
 * `agents` field (or the `shifts` list it replaces) is rewritten in place in the text,
 * so comments, order, layout, anchors and every other field stay byte for byte; only
 * when an edited node itself carries an anchor is the document rewritten through the
 * YAML library (aliases expanded, layout normalised). `paths` point at the mappings that
 * hold `agents` (`[]`: the single-queue form's top level; `['agentGroups', g]`); a value
 * is one number (the same all day) or one per interval. `horizon` also sets the horizon.
 */
export function withAgents(text: string, paths: readonly (readonly (string | number)[])[], lists: readonly (number | readonly number[])[], horizon: string | null = null): string {
  return splice(text, paths, lists, horizon) ?? rewrite(text, paths, lists, horizon);
}

const show = (v: number | readonly number[]) => (typeof v === 'number' ? String(v) : `[${v.join(', ')}]`);

type Range = [number, number, number];
interface RangedNode { range?: Range | null; anchor?: string | null }

/** The edits made on the text itself (null when the file's shape asks for a rewrite: anchors on the edited nodes). */
function splice(text: string, paths: readonly (readonly (string | number)[])[], lists: readonly (number | readonly number[])[], horizon: string | null): string | null {
  const doc = parseDocument(text, { uniqueKeys: false, logLevel: 'error', merge: true });
  if (doc.errors.length > 0) return null;
  const edits: { from: number; to: number; text: string }[] = [];
  const pairIn = (holder: unknown, key: string) => (isMap(holder) ? holder.items.find((it) => (it.key as { value?: unknown } | null)?.value === key) : undefined);
  for (const [g, path] of paths.entries()) {
    const holder = path.length === 0 ? doc.contents : doc.getIn(path, true);
    if (!isMap(holder)) return null;
    const pair = pairIn(holder, 'agents') ?? pairIn(holder, 'shifts');
    const key = pair?.key as RangedNode | undefined, value = pair?.value as RangedNode | undefined;
    if (!key?.range || !value?.range || value.anchor || key.anchor) return null;
    edits.push({ from: key.range[0], to: endOf(text, value.range), text: `agents: ${show(lists[g])}` });
  }
  if (horizon !== null) {
    const value = pairIn(doc.contents, 'horizon')?.value as RangedNode | undefined;
    if (!value?.range || value.anchor) return null;
    edits.push({ from: value.range[0], to: endOf(text, value.range), text: horizon });
  }
  edits.sort((x, y) => y.from - x.from);
  let out = text;
  for (const e of edits) out = out.slice(0, e.from) + e.text + out.slice(e.to);
  return parseDocument(out, { uniqueKeys: false, logLevel: 'error' }).errors.length === 0 ? out : null;
}

/** Where a node's value ends in the text: a block collection's range runs on to the next line's indentation, which stays. */
function endOf(text: string, range: Range): number {
  return range[0] + text.slice(range[0], range[1]).trimEnd().length;
}

/** The same edits through the YAML document (its layout normalised): for files whose edited nodes carry anchors. */
function rewrite(text: string, paths: readonly (readonly (string | number)[])[], lists: readonly (number | readonly number[])[], horizon: string | null): string {
  const doc = parseDocument(text, { uniqueKeys: false, logLevel: 'error', merge: true });
  // An alias shares its anchor's node: each becomes its own copy so that an edit changes one group.
  expandAliases(doc);
  if (horizon !== null) doc.setIn(['horizon'], horizon);
  paths.forEach((path, g) => {
    const node = doc.createNode(lists[g]);
    if (isSeq(node)) node.flow = true;
    doc.setIn([...path, 'agents'], node);
    const holder = path.length === 0 ? doc.contents : doc.getIn(path, true);
    if (isMap(holder) && holder.has('shifts')) holder.delete('shifts');
  });
  return doc.toString({ lineWidth: 0 });
}

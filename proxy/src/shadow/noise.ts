import type { DiffEntry, NoiseReport } from '../types.js';
import { patternOf } from './compare/pointer.js';

const MAX_PATTERNS = 2000;
const MAX_SIGNATURES = 1000;

/**
 * Learns which fields vary by themselves (Diffy's idea): the same request answered twice by
 * legacy shows the fields that differ with no code change at all. A field that differs between
 * legacy and the candidate counts as a real mismatch only when it differs more often than legacy
 * differs from itself: its candidate rate must exceed its noise rate by the margin.
 */
export class NoiseLearner {
  /** Legacy-vs-legacy pairs compared. */
  pairs = 0;
  /** Legacy-vs-candidate comparisons seen (after the configured ignore rules). */
  comparisons = 0;
  /** Comparisons with at least one difference before noise filtering. */
  rawMismatches = 0;
  private readonly noise = new Map<string, number>();
  private readonly raw = new Map<string, number>();
  /** Sorted field set of each raw mismatch -> count: what a set of rules would hide. */
  private readonly signatures = new Map<string, number>();
  private signatureOverflow = 0;

  constructor(
    readonly enabled: boolean,
    private readonly margin = 0.2,
  ) {}

  /** Records one legacy-vs-legacy pair. */
  recordPair(entries: readonly DiffEntry[]): void {
    this.pairs++;
    for (const field of new Set(entries.map((e) => patternOf(e.pointer)))) bump(this.noise, field);
  }

  /**
   * Records one legacy-vs-candidate comparison and splits its differences into real ones and
   * those explained by learned noise.
   */
  classify(entries: readonly DiffEntry[]): { real: DiffEntry[]; noise: DiffEntry[] } {
    this.comparisons++;
    if (entries.length === 0) return { real: [], noise: [] };
    const fields = [...new Set(entries.map((e) => patternOf(e.pointer)))];
    for (const field of fields) bump(this.raw, field);
    if (fields.length > 0) {
      this.rawMismatches++;
      const key = fields.sort().join('\n');
      if (this.signatures.has(key) || this.signatures.size < MAX_SIGNATURES)
        bump(this.signatures, key);
      else this.signatureOverflow++;
    }
    if (!this.enabled || this.pairs === 0) return { real: [...entries], noise: [] };
    const real: DiffEntry[] = [];
    const noise: DiffEntry[] = [];
    for (const e of entries) (this.explains(patternOf(e.pointer)) ? noise : real).push(e);
    return { real, noise };
  }

  /** Noise rate (0-1) of a field: how often legacy disagreed with itself on it. */
  noiseRate(field: string): number {
    return this.pairs === 0 ? 0 : (this.noise.get(field) ?? 0) / this.pairs;
  }

  explains(field: string): boolean {
    const noise = this.noiseRate(field);
    if (noise === 0) return false;
    const rate = this.comparisons === 0 ? 0 : (this.raw.get(field) ?? 0) / this.comparisons;
    return rate <= noise * (1 + this.margin) + 0.01;
  }

  /** Suggested ignore rules: every field seen varying by itself, with what it would hide. */
  report(): NoiseReport {
    const suggestions = [...this.noise.entries()]
      .map(([rule, count]) => ({
        rule,
        noiseRate: count / this.pairs,
        inMismatches: this.raw.get(rule) ?? 0,
        hidesAlone: this.hiddenBy(new Set([rule])),
      }))
      .sort((a, b) => b.inMismatches - a.inMismatches || b.noiseRate - a.noiseRate);
    const all = new Set(suggestions.map((s) => s.rule));
    return {
      enabled: this.enabled,
      pairs: this.pairs,
      comparisons: this.comparisons,
      mismatches: this.rawMismatches,
      suggestions,
      hidesTogether: this.hiddenBy(all),
      ...(this.signatureOverflow > 0 ? { uncounted: this.signatureOverflow } : {}),
    };
  }

  /** Raw mismatches whose every differing field is in `rules`. */
  private hiddenBy(rules: ReadonlySet<string>): number {
    let hidden = 0;
    for (const [key, count] of this.signatures) {
      if (key.split('\n').every((f) => rules.has(f))) hidden += count;
    }
    return hidden;
  }
}

function bump(map: Map<string, number>, key: string): void {
  const prev = map.get(key);
  if (prev !== undefined) map.set(key, prev + 1);
  else if (map.size < MAX_PATTERNS) map.set(key, 1);
}

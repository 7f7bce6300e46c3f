import type { MismatchRecord, NoiseReport, SkipReason } from '../types.js';
import { MismatchGroups } from './mismatch-groups.js';
import { NoiseLearner } from './noise.js';
import type { RouteShadow } from './settings.js';
import { Timeline } from './timeline.js';
import { SampleWindow, type Sample } from './window.js';

/** Everything measured for one route; kept by route id across reloads and switches. */
export class RouteShadowState {
  compared = 0;
  matched = 0;
  mismatched = 0;
  explainedByNoise = 0;
  readonly skipped = new Map<SkipReason, number>();
  readonly window = new SampleWindow();
  /** The same attempts in 10 s intervals over the last hour, for charts. */
  readonly timeline = new Timeline();
  readonly mismatches: MismatchRecord[] = [];
  /** Every mismatch since start, grouped by the fields that differ. */
  readonly groups = new MismatchGroups();
  /** What the shadow thread's noise learner for this route last reported. */
  noise: NoiseReport;
  /** The stage the window counts (`shadow`, `canary:10`, ...), and since when. */
  stage = '';
  stageSince = Date.now();

  constructor(settings: RouteShadow) {
    this.noise = emptyNoise(settings);
  }

  /** Follows a new table: a new stage restarts the window; a change of noise settings, the learner. */
  update(settings: RouteShadow, now = Date.now()): void {
    const { mode, percent } = settings.route;
    const stage = mode === 'canary' ? `canary:${percent ?? 0}` : mode;
    if (stage !== this.stage) {
      this.stage = stage;
      this.stageSince = now;
      this.timeline.setStage(stage, now);
    }
    if (this.noise.enabled !== settings.noise.enabled) this.noise = emptyNoise(settings);
  }

  /** One comparison attempt, for the gates' window and the charts. */
  record(sample: Sample): void {
    this.window.add(sample);
    this.timeline.add(sample, sample.at);
  }

  skip(reason: SkipReason): void {
    this.skipped.set(reason, (this.skipped.get(reason) ?? 0) + 1);
  }

  keep(record: MismatchRecord, limit: number): void {
    this.groups.add(record);
    if (limit <= 0) return;
    this.mismatches.push(record);
    while (this.mismatches.length > limit) this.mismatches.shift();
  }
}

const emptyNoise = (settings: RouteShadow): NoiseReport =>
  new NoiseLearner(settings.noise.enabled, settings.noise.margin).report();

import type { Logger } from 'pino';
import {
  loadConfigFile,
  loadConfigFileSync,
  loadConfigObject,
  type LoadedConfig,
  type LoadOptions,
} from '../config/load.js';
import { ProxyError } from '../errors.js';
import { compileTable, type RouteTable } from '../routing/table.js';
import type { AuditEntry, ProxyConfigInput, ReloadStatus } from '../types.js';
import type { ProxyMetrics } from './metrics.js';
import { RouteStats } from './stats.js';
import { watchFile, type FileWatcher } from './watcher.js';

/** How often a file edit refused for a passing reason (an upstream not ready) is tried again. */
const RETRY_MS = 2000;

export interface RuntimeOptions extends LoadOptions {
  configFile?: string;
  config?: ProxyConfigInput;
  logger: Logger;
  metrics: ProxyMetrics;
  /** Watch the file for edits. Default true with a file. */
  watch?: boolean;
  /**
   * Asked before an edited file's table is swapped in; throwing a ProxyError rejects the reload
   * like an invalid file (the running table stays, the status says why).
   */
  beforeReload?: (previous: RouteTable, next: RouteTable) => Promise<void>;
}

/** A shared control plane the table comes from and switches are published to. */
export interface ControlLink {
  /** Publishes the edited route file text on top of `expected`, with its audit entry. */
  publish(text: string, expected: number, entry: AuditEntry): Promise<number>;
  /** Applies the newest published version, if newer than the one serving. */
  sync(): Promise<void>;
}

/**
 * Holds the route table serving traffic and replaces it whole: a request reads `table` once and
 * keeps that snapshot, so a reload or switch never changes a request already in flight. Reloads
 * and switches run one at a time through `exclusive`, so a reload that read the file before a
 * switch wrote it cannot undo the switch.
 */
export class ProxyRuntime {
  readonly stats = new RouteStats();
  readonly logger: Logger;
  readonly metrics: ProxyMetrics;
  private current: RouteTable;
  private readonly listeners = new Set<(table: RouteTable) => void>();
  private queue: Promise<unknown> = Promise.resolve();
  private watcher: FileWatcher | undefined;
  private retry: NodeJS.Timeout | undefined;
  private closed = false;
  private lastAttemptVersion: string | undefined;
  private state: Omit<ReloadStatus, 'activeVersion' | 'activeSince' | 'file'>;
  /** Set when a control plane is the source of the table (the file is then not read again). */
  control: ControlLink | undefined;

  private constructor(
    private readonly options: RuntimeOptions,
    loaded: LoadedConfig,
  ) {
    this.logger = options.logger;
    this.metrics = options.metrics;
    this.current = compileTable(loaded);
    this.state = { ok: true, lastAttemptAt: new Date().toISOString(), reloads: 1, failures: 0 };
    this.lastAttemptVersion = loaded.version;
    this.metrics.reloads.labels('ok').inc();
    this.metrics.configValid.set(1);
    this.metrics.describeTable(this.current);
  }

  /** Loads the config (throws ProxyError when invalid) and starts watching the file. */
  static async create(options: RuntimeOptions): Promise<ProxyRuntime> {
    const loaded = options.configFile
      ? await loadConfigFile(options.configFile, options)
      : loadConfigObject(options.config ?? { upstreams: {} }, options);
    return ProxyRuntime.started(options, loaded);
  }

  /** create(), synchronously: for constructors that must throw on a bad config at once. */
  static createSync(options: RuntimeOptions): ProxyRuntime {
    const loaded = options.configFile
      ? loadConfigFileSync(options.configFile, options)
      : loadConfigObject(options.config ?? { upstreams: {} }, options);
    return ProxyRuntime.started(options, loaded);
  }

  private static started(options: RuntimeOptions, loaded: LoadedConfig): ProxyRuntime {
    const runtime = new ProxyRuntime(options, loaded);
    if (options.configFile && options.watch !== false) {
      runtime.watcher = watchFile(loaded.file as string, () => void runtime.reload('watch'));
    }
    return runtime;
  }

  /** The table serving traffic now. */
  get table(): RouteTable {
    return this.current;
  }

  get file(): string | undefined {
    return this.current.loaded.file;
  }

  get loadOptions(): LoadOptions {
    return { env: this.options.env ?? process.env, embedded: this.options.embedded ?? false };
  }

  /** Runs `fn` after every reload or switch already queued, and before any queued later. */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Called after each swap, with the new table. */
  onSwap(listener: (table: RouteTable) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Runs the `beforeReload` check against a table about to be swapped in. */
  async checkSwap(next: RouteTable): Promise<void> {
    await this.options.beforeReload?.(this.current, next);
  }

  /** Swaps in a validated config (used by reload and by switches). */
  apply(loaded: LoadedConfig, why: string, compiled = compileTable(loaded)): RouteTable {
    const previous = this.current;
    this.current = compiled;
    this.lastAttemptVersion = loaded.version;
    this.state = {
      ...this.state,
      ok: true,
      lastAttemptAt: new Date().toISOString(),
      reloads: this.state.reloads + 1,
    };
    delete this.state.lastError;
    this.metrics.reloads.labels('ok').inc();
    this.metrics.configValid.set(1);
    this.metrics.describeTable(this.current);
    for (const listener of this.listeners) listener(this.current);
    this.logger.info(
      { from: previous.version, to: this.current.version, routes: this.current.routes.length, why },
      'route table swapped',
    );
    return this.current;
  }

  /**
   * Reads the file again. An invalid file leaves the running table in place and is reported in
   * the status; an unchanged file does nothing. `force` re-reports a file that already failed.
   */
  reload(trigger: 'watch' | 'admin' | 'api', force = trigger !== 'watch'): Promise<ReloadStatus> {
    if (this.control) return this.control.sync().then(() => this.status());
    return this.exclusive(async () => {
      clearTimeout(this.retry);
      this.retry = undefined;
      const file = this.options.configFile;
      if (!file) return this.status();
      try {
        const loaded = await loadConfigFile(file, this.options);
        if (loaded.version === this.current.version) {
          // The file holds the serving table (unchanged, or fixed back to it).
          this.lastAttemptVersion = loaded.version;
          this.state = { ...this.state, ok: true, lastAttemptAt: new Date().toISOString() };
          delete this.state.lastError;
          this.metrics.configValid.set(1);
          return this.status();
        }
        const next = compileTable(loaded);
        await this.checkSwap(next);
        this.apply(loaded, `reload (${trigger})`, next);
      } catch (err) {
        this.rejected(err, trigger, force);
      }
      return this.status();
    });
  }

  /** Records a table that could not be applied (the running one stays), e.g. from a control plane. */
  refuse(err: unknown, trigger: string): void {
    this.rejected(err, trigger, true);
  }

  private rejected(err: unknown, trigger: string, force: boolean): void {
    const error =
      err instanceof ProxyError ? err : new ProxyError('config_unreadable', String(err));
    const key = `${error.code}:${error.message}`;
    // The file says what the operator wants; once the reason passes, it is applied.
    if (error.retriable && !this.closed) {
      this.retry = setTimeout(() => void this.reload('watch'), RETRY_MS);
      this.retry.unref();
    }
    const at = new Date().toISOString();
    // The same answer again: the status shows this latest attempt, the log says nothing new.
    if (!force && !this.state.ok && key === this.lastAttemptVersion) {
      this.state = { ...this.state, lastAttemptAt: at };
      return;
    }
    this.lastAttemptVersion = key;
    this.state = {
      ...this.state,
      ok: false,
      lastAttemptAt: at,
      failures: this.state.failures + 1,
      lastError: {
        message: error.retriable
          ? `${error.message} (tried again every ${RETRY_MS / 1000} s)`
          : error.message,
        issues: error.issues,
      },
    };
    this.metrics.reloads.labels('invalid').inc();
    this.metrics.configValid.set(0);
    const fields = {
      err: { code: error.code, message: error.message },
      issues: error.issues,
      trigger,
      keeping: this.current.version,
    };
    // An edit waiting for its new upstream to be ready is expected and applies by itself later;
    // an invalid or unreadable file needs a person.
    if (error.code === 'switch_denied' && error.retriable)
      this.logger.info(
        { ...fields, retryEveryMs: RETRY_MS },
        'route file edit waits for the new upstream to be ready; the running route table stays',
      );
    else this.logger.error(fields, 'config reload rejected; the running route table stays');
  }

  status(): ReloadStatus {
    return {
      ...(this.file ? { file: this.file } : {}),
      ...this.state,
      activeVersion: this.current.version,
      activeSince: this.current.loadedAt.toISOString(),
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retry);
    this.watcher?.close();
    await this.queue.catch(() => undefined);
  }
}

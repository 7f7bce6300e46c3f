import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { basename, dirname, resolve } from 'node:path';
import { createAdminApp } from '../admin/app.js';
import { weakSecret } from '../config/secrets.js';
import { ProxyError } from '../errors.js';
import { createEngine } from '../forward/engine.js';
import { PoolRegistry } from '../forward/pools.js';
import { createUpgradeHandler } from '../forward/upgrade.js';
import { createLogger } from '../runtime/logger.js';
import { ProxyMetrics } from '../runtime/metrics.js';
import { ProxyRuntime } from '../runtime/runtime.js';
import { AuditLog } from '../switching/audit.js';
import { RouteSwitcher } from '../switching/switcher.js';
import { WriteBarriers } from '../switching/write-barrier.js';
import { ReloadBarrier } from '../switching/write-switch.js';
import type { ExchangeHook, ProxyConfig, StartedProxy, StartProxyOptions } from '../types.js';
import { attachControl, fleetFigures } from '../control/attach.js';
import { answerClientErrors } from './client-errors.js';
import { Drain } from './drain.js';
import { composeHooks } from '../shadow/compose.js';
import { GateRunner } from '../shadow/gates/runner.js';
import { IgnoreRuleAcceptor } from '../shadow/accept-rule.js';
import { shadowControl } from '../shadow/control.js';
import { ShadowService } from '../shadow/service.js';
import { storeFor } from '../shadow/store/for-config.js';
import { readinessGuard, readinessOnReload } from '../switching/readiness.js';

function listen(server: Server, port: number, host: string, what: string): Promise<string> {
  return new Promise((resolveUrl, reject) => {
    const onError = (err: Error) =>
      reject(
        new ProxyError(
          'listen_failed',
          `${what} cannot listen on ${host}:${port}: ${err.message}`,
          { cause: err },
        ),
      );
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      const addr = server.address() as AddressInfo;
      const shown =
        addr.address === '0.0.0.0' || addr.address === '::' ? '127.0.0.1' : addr.address;
      resolveUrl(`http://${shown.includes(':') ? `[${shown}]` : shown}:${addr.port}`);
    });
  });
}

function auditPath(
  options: StartProxyOptions,
  config: ProxyConfig,
  file: string | undefined,
): string | undefined {
  if (options.auditLog) return resolve(options.auditLog);
  if (!file) return undefined;
  if (config.admin?.auditLog) return resolve(dirname(file), config.admin.auditLog);
  return resolve(dirname(file), `${basename(file)}.audit.jsonl`);
}

/**
 * Starts the standalone proxy: the forwarding engine on its port (node:http + undici, nothing
 * else on that path) and the admin API (express) on another. Resolves once both listen.
 */
export async function startProxy(options: StartProxyOptions): Promise<StartedProxy> {
  if (!options.configFile && !options.config) {
    throw new ProxyError(
      'no_config_file',
      'startProxy needs configFile (a YAML route file) or config (an object)',
    );
  }
  const env = options.env ?? process.env;
  const logger = options.logger ?? createLogger(options.logLevel);
  const metrics = new ProxyMetrics(options.registry);
  // Write groups' barriers: the request path counts and holds their writes, switches and file
  // edits that change a group's writer go behind them.
  const barriers = new WriteBarriers();
  const reloadBarrier = new ReloadBarrier(barriers, logger);
  const readiness = readinessOnReload();
  const runtime = await ProxyRuntime.create({
    ...(options.configFile ? { configFile: options.configFile } : {}),
    ...(options.config ? { config: options.config } : {}),
    env,
    logger,
    metrics,
    // With a control plane the file is only the first replica's import.
    ...(options.controlDb
      ? { watch: false }
      : options.watch === undefined
        ? {}
        : { watch: options.watch }),
    beforeReload: async (previous, next) => {
      await readiness(previous, next);
      await reloadBarrier.check(previous, next);
    },
  });
  const adminEnabled = options.admin !== false;
  const given: [string, string | undefined][] = [
    ['the adminToken option', options.adminToken],
    ['STRANGLER_ADMIN_TOKEN', env.STRANGLER_ADMIN_TOKEN],
  ];
  const weak = given.flatMap(([name, value]) => (value ? (weakSecret(name, value) ?? []) : []));
  if (adminEnabled && weak[0]) {
    await runtime.close();
    throw new ProxyError('admin_token_weak', weak[0]);
  }
  // What this replica's heartbeat says about it; filled in once it listens.
  let replicaInfo: () => Record<string, unknown> = () => ({ pid: process.pid, listening: false });
  const control = options.controlDb
    ? await attachControl(options.controlDb, runtime, logger, () => replicaInfo()).catch(
        async (err: unknown) => {
          await runtime.close();
          throw err;
        },
      )
    : undefined;
  const config = runtime.table.loaded.config;
  // An empty variable counts as unset, so `STRANGLER_ADMIN_TOKEN=` cannot mean "no password".
  const token = () =>
    options.adminToken ||
    env.STRANGLER_ADMIN_TOKEN ||
    runtime.table.loaded.config.admin?.token ||
    undefined;
  if (adminEnabled && !token()) {
    await control?.close();
    await runtime.close();
    throw new ProxyError(
      'admin_token_missing',
      'the admin API needs a bearer token: set STRANGLER_ADMIN_TOKEN or admin.token in the config (or disable the admin API)',
    );
  }
  const audit = control?.audit ?? new AuditLog(auditPath(options, config, runtime.file));
  const switcher = new RouteSwitcher(
    runtime,
    audit,
    [
      readinessGuard(() => runtime.table, logger),
      ...(control ? [control.guard] : []),
      ...(options.switchGuards ?? []),
    ],
    barriers,
  );
  runtime.onSwap(() => reloadBarrier.swapped());
  const pools = new PoolRegistry();
  pools.sync(runtime.table);
  runtime.onSwap((table) => pools.sync(table));
  const drain = new Drain();
  let hook: ExchangeHook | undefined = options.exchangeHook;
  const store = options.shadowStore ?? storeFor(config, runtime.file);
  const shadow = new ShadowService({
    runtime,
    registry: metrics.registry,
    logger,
    ...(store ? { store } : {}),
  });
  try {
    await shadow.ready();
  } catch (err) {
    await control?.close();
    await shadow.close();
    await runtime.close();
    throw err;
  }
  // With a control plane one replica (the leader) runs the gates for the fleet.
  const gates = new GateRunner(runtime, shadow, switcher, logger, {
    leader: () => control?.follower.state.leader ?? true,
    ...(control ? { fleetFigures: fleetFigures(control, shadow) } : {}),
  });
  const rules = new IgnoreRuleAcceptor(runtime, switcher.audit);
  const combined = composeHooks(shadow, () => hook);
  const limits = config.limits;
  const server = createServer({
    keepAlive: true,
    maxHeaderSize: limits.maxHeaderBytes,
    headersTimeout: limits.headersTimeout,
    requestTimeout: limits.requestTimeout,
    // Node looks for requests past their timeouts this often (its default, 30 s, would let a slow
    // client keep its socket for up to 30 s more than the limit says).
    connectionsCheckingInterval: Math.min(1000, limits.headersTimeout / 2),
  });
  runtime.onSwap((table) => {
    server.headersTimeout = table.loaded.config.limits.headersTimeout;
    server.requestTimeout = table.loaded.config.limits.requestTimeout;
  });
  metrics.inFlightSource = () => drain.active;
  const engine = createEngine({
    runtime,
    pools,
    // Routes that compare nothing pay nothing: without a user hook the engine skips selection.
    hook: () => (hook || shadow.wanted ? combined : undefined),
    draining: () => drain.draining,
    settled: () => drain.settled(server),
    barriers,
  });
  server.on('request', (req, res) => {
    drain.started();
    engine(req, res);
  });
  server.on(
    'upgrade',
    createUpgradeHandler(runtime, (socket) => drain.trackUpgrade(socket)),
  );
  answerClientErrors(server, metrics, logger);
  const port = options.port ?? config.listen?.port ?? 8080;
  const host = options.host ?? config.listen?.host ?? '0.0.0.0';
  let adminServer: Server | undefined;
  let url: string;
  let adminUrl: string | undefined;
  try {
    url = await listen(server, port, host, 'the proxy');
    if (adminEnabled) {
      const app = createAdminApp({
        runtime,
        switcher,
        shadow,
        gates,
        rules,
        token,
        metricsRequireToken: config.admin?.metricsRequireToken ?? false,
        ...(control
          ? {
              control: {
                replica: control.follower.replicaId,
                state: control.follower.state,
                replicas: control.replicas,
              },
            }
          : {}),
      });
      adminServer = createServer(app);
      adminUrl = await listen(
        adminServer,
        options.adminPort ?? config.admin?.port ?? 8081,
        options.adminHost ?? config.admin?.host ?? '127.0.0.1',
        'the admin API',
      );
    }
  } catch (err) {
    server.close();
    gates.close();
    await control?.close();
    await shadow.close();
    await runtime.close();
    await pools.close();
    throw err;
  }
  replicaInfo = () => ({
    pid: process.pid,
    url,
    ...(adminUrl ? { adminUrl } : {}),
    inFlight: drain.active,
  });
  logger.info(
    {
      url,
      adminUrl,
      file: runtime.file,
      version: runtime.table.version,
      routes: runtime.table.routes.length,
      audit: audit.file,
      shadowStore: store?.description,
    },
    'strangler-proxy listening',
  );
  let closing: Promise<void> | undefined;
  const started: StartedProxy = {
    url,
    ...(adminUrl ? { adminUrl } : {}),
    reload: () => runtime.reload('api'),
    switchRoute: (request) => switcher.switch({ source: 'api', ...request }),
    checkSwitch: (request) => switcher.check(request),
    setExchangeHook(h) {
      hook = h;
    },
    addSwitchGuard: (guard) => switcher.addGuard(guard),
    status: () => runtime.status(),
    shadow: shadowControl(shadow, gates, rules),
    close() {
      closing ??= (async () => {
        const timeout = runtime.table.settings.shutdownTimeout;
        logger.info({ inFlight: drain.active, timeoutMs: timeout }, 'draining');
        const clean = await drain.close(server, timeout);
        if (adminServer) {
          adminServer.closeAllConnections();
          await new Promise<void>((r) => adminServer?.close(() => r()));
        }
        gates.close();
        await control?.close();
        await shadow.close();
        await runtime.close();
        await pools.close();
        logger.info(
          { clean },
          clean ? 'stopped after draining' : 'stopped; some requests were cut at the drain timeout',
        );
      })();
      return closing;
    },
  };
  return started;
}

/** Ports and folder of one node. */
export interface NodeLayout {
  id: number;
  port: number;
  controllerPort: number;
  dataDir: string;
}

/**
 * server.properties of one combined broker+controller node. One node mirrors docker-compose.yml's
 * `kafka` service; three nodes replicate everything 3 times and acknowledge acks=all writes once 2
 * replicas hold them, so one node may die without losing a write or stopping producers.
 */
export function nodeProperties(
  node: NodeLayout,
  all: readonly NodeLayout[],
  host: string,
  overrides: Record<string, string> = {},
): string {
  const replicas = all.length;
  const minIsr = replicas >= 3 ? 2 : 1;
  const settings: Record<string, string> = {
    'node.id': String(node.id),
    'process.roles': 'broker,controller',
    listeners: `PLAINTEXT://${host}:${node.port},CONTROLLER://${host}:${node.controllerPort}`,
    'advertised.listeners': `PLAINTEXT://${host}:${node.port}`,
    'controller.listener.names': 'CONTROLLER',
    'listener.security.protocol.map': 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
    'inter.broker.listener.name': 'PLAINTEXT',
    'controller.quorum.voters': all.map((n) => `${n.id}@${host}:${n.controllerPort}`).join(','),
    'log.dirs': node.dataDir,
    'num.partitions': '3',
    'default.replication.factor': String(replicas),
    'min.insync.replicas': String(minIsr),
    'offsets.topic.replication.factor': String(replicas),
    'transaction.state.log.replication.factor': String(replicas),
    'transaction.state.log.min.isr': String(minIsr),
    'group.initial.rebalance.delay.ms': '0',
    ...overrides,
  };
  return `${Object.entries(settings)
    .map(([key, value]) => `${key}=${value}`)
    .join('\n')}\n`;
}

/** log4j2 settings: INFO to the console, which the runner sends to the node's log file. */
export const LOG4J2 = `rootLogger.level=INFO
rootLogger.appenderRef.stdout.ref=STDOUT
appender.stdout.type=Console
appender.stdout.name=STDOUT
appender.stdout.layout.type=PatternLayout
appender.stdout.layout.pattern=[%d] %p %m (%c)%n
logger.kafka.name=kafka
logger.kafka.level=INFO
logger.state.name=state.change.logger
logger.state.level=WARN
`;

/** Machine-readable reasons a proxy operation failed. */
export type ProxyErrorCode =
  | 'config_invalid'
  | 'config_unreadable'
  | 'config_file_invalid'
  | 'unknown_target'
  | 'route_in_group'
  | 'invalid_switch'
  | 'switch_denied'
  | 'invalid_rule'
  | 'write_back_failed'
  | 'audit_failed'
  | 'no_config_file'
  | 'admin_token_missing'
  | 'admin_token_weak'
  | 'admin_request_failed'
  | 'listen_failed'
  | 'store_unreadable'
  | 'control_conflict'
  | 'control_unreachable';

/** One problem found in a config file, pointing at the file, route and field. */
export interface ConfigIssue {
  /** Absolute path of the file, when the config came from a file. */
  file?: string;
  /** 1-based line and column of the offending node in the file, when known. */
  line?: number;
  column?: number;
  /** Id of the route (or group) the field belongs to, when inside one. */
  route?: string;
  group?: string;
  /** Dotted path of the field, e.g. `routes[2].match.methods[0]`. */
  field: string;
  message: string;
}

/** The one error class of @strangler/proxy. */
export class ProxyError extends Error {
  override readonly name = 'ProxyError';
  /** True when trying again later may succeed (e.g. a busy file, an unreachable admin API). */
  readonly retriable: boolean;
  /** For config errors: every issue found, each naming file, route and field. */
  readonly issues: ConfigIssue[];

  constructor(
    readonly code: ProxyErrorCode,
    message: string,
    options: { retriable?: boolean; issues?: ConfigIssue[]; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.retriable = options.retriable ?? false;
    this.issues = options.issues ?? [];
  }
}

import type { Exchange, ExchangeHook } from '../types.js';

/** What each hook selected for one request (the composed hook's own context). */
class Picks {
  constructor(
    readonly first: unknown,
    readonly second: unknown,
    readonly firstPicked: boolean,
    readonly secondPicked: boolean,
  ) {}
}

/**
 * Two exchange hooks as one (the built-in shadow comparison and the user's): each sees only the
 * exchanges it selected, with its own context, and the capture caps are the larger of the two.
 */
export function composeHooks(
  first: ExchangeHook,
  second: () => ExchangeHook | undefined,
): ExchangeHook {
  return {
    select(request) {
      const a = first.select(request);
      const user = second();
      // Alone, the first hook's selection goes through as it is (no wrapper per request).
      if (!user) return a;
      let b: ReturnType<ExchangeHook['select']> = false;
      if (user) {
        try {
          b = user.select(request);
        } catch {
          b = false;
        }
      }
      if (!a && !b) return false;
      const picks = new Picks(
        a ? a.context : undefined,
        b ? b.context : undefined,
        a !== false,
        b !== false,
      );
      return {
        requestBodyBytes: Math.max(a ? a.requestBodyBytes : 0, b ? b.requestBodyBytes : 0),
        responseBodyBytes: Math.max(a ? a.responseBodyBytes : 0, b ? b.responseBodyBytes : 0),
        context: picks,
      };
    },
    onExchange(exchange: Exchange) {
      const picks = exchange.context;
      if (!(picks instanceof Picks)) {
        first.onExchange(exchange);
        return;
      }
      const own = (context: unknown): Exchange => {
        const copy = { ...exchange };
        if (context === undefined) delete copy.context;
        else copy.context = context;
        return copy;
      };
      let failure: unknown;
      if (picks.firstPicked) {
        try {
          first.onExchange(own(picks.first));
        } catch (err) {
          failure = err;
        }
      }
      const user = second();
      if (picks.secondPicked && user) user.onExchange(own(picks.second));
      if (failure !== undefined) throw failure;
    },
  };
}

import { createHash, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/** Constant-time comparison (hashing first makes the lengths equal). */
export function tokenMatches(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected));
}

/** Requires `Authorization: Bearer <token>`; the token is looked up per request so a reload can rotate it. */
export function bearerAuth(token: () => string | undefined) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const expected = token();
    const header = req.headers.authorization ?? '';
    const given = header.startsWith('Bearer ') ? header.slice(7).trim() : '';
    if (expected && given && tokenMatches(given, expected)) {
      next();
      return;
    }
    res
      .status(401)
      .set('www-authenticate', 'Bearer realm="strangler-proxy"')
      .json({ error: 'unauthorized', message: 'send Authorization: Bearer <admin token>' });
  };
}

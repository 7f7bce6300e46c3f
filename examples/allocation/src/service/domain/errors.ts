/** Which rule of the model a command broke. */
export type DomainRuleCode =
  | 'unknown_product'
  | 'wrong_sku'
  | 'batch_exists'
  | 'unknown_batch'
  | 'line_already_allocated'
  | 'line_not_allocated'
  | 'out_of_stock';

/**
 * A command the model refuses: the same command against the same state always fails the same way,
 * so it is never retried. The domain imports nothing outside itself (not even the kit's
 * `NewServiceError`); the event consumer's `deadLetterWhen` turns this into a dead letter.
 */
export class DomainRuleViolation extends Error {
  readonly code: DomainRuleCode;

  constructor(code: DomainRuleCode, message: string) {
    super(message);
    this.name = 'DomainRuleViolation';
    this.code = code;
  }
}

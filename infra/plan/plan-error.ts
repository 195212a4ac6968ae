// The one failure of planning: every problem with the stack args, named by field, in one error,
// so that a user fixes a stack config in one go (as the proxy's config validation does).
export class PlanError extends Error {
  readonly code = 'PORTICO_PLAN_INVALID';

  constructor(
    readonly stackName: string,
    readonly issues: readonly string[],
  ) {
    super(`cannot plan stack "${stackName}": ${issues.join('; ')}`);
    this.name = 'PlanError';
  }
}

import type { Issue } from '../sim/src/errors.ts';

/**
 * The twin's own errors, beside the simulator's SimError codes (which the app maps by
 * their `status`): a stable code per cause, the HTTP status, and the field at fault,
 * named with its location as the schema's 400s name it (`body.type`,
 * `body.contacts[3].type`, `querystring.to`: app.ts fieldName), at the head of the message too.
 *
 *   TWIN_ERR_VALIDATION          400  a body, query or parameter fails its schema (or a check
 *                                     past it: a field of another action, to before from)
 *                                422  a value in range but beyond the scenario: more agents than the group has
 *   TWIN_ERR_UNKNOWN_CONTACT_TYPE 422 no contact type of the scenario matches
 *   TWIN_ERR_UNKNOWN_NAME        422  a site or group name the scenario does not have
 *   TWIN_ERR_MISSING_FIELD       422  a field the action needs is missing
 *   TWIN_ERR_BATCH_TOO_LARGE     413  more contacts in one batch than allowed
 *   TWIN_ERR_NOT_FOUND           404  no contact (or run) with this id
 *   TWIN_ERR_NO_DATA             404  a run with no stored replications
 *   TWIN_ERR_ROUTE_NOT_FOUND     404  no such route
 *   TWIN_ERR_METHOD_NOT_ALLOWED  405  a route the twin has, with another method (the Allow header lists its methods)
 *   TWIN_ERR_UNAUTHORIZED        401  a mutating route without the bearer token (off loopback)
 *   TWIN_ERR_EXTERNAL_OFF        409  contacts from clients while the twin runs --arrivals internal
 *   TWIN_ERR_DAY_OVER            409  the simulated day has ended: no more contacts or controls
 *   TWIN_ERR_TOO_MANY_WAITERS    429  too many open long-polls
 *   TWIN_ERR_TOO_MANY_STREAMS    429  too many open event streams
 *   TWIN_ERR_ENGINE_STOPPED      503  the engine stopped (a limit of the model reached): reads still work
 *   TWIN_ERR_INTERNAL            500  a bug
 */
export type TwinErrorCode =
  | 'TWIN_ERR_VALIDATION' | 'TWIN_ERR_UNKNOWN_CONTACT_TYPE' | 'TWIN_ERR_UNKNOWN_NAME' | 'TWIN_ERR_MISSING_FIELD'
  | 'TWIN_ERR_BATCH_TOO_LARGE' | 'TWIN_ERR_NOT_FOUND' | 'TWIN_ERR_NO_DATA' | 'TWIN_ERR_ROUTE_NOT_FOUND' | 'TWIN_ERR_METHOD_NOT_ALLOWED' | 'TWIN_ERR_UNAUTHORIZED'
  | 'TWIN_ERR_EXTERNAL_OFF' | 'TWIN_ERR_DAY_OVER' | 'TWIN_ERR_TOO_MANY_WAITERS' | 'TWIN_ERR_TOO_MANY_STREAMS' | 'TWIN_ERR_ENGINE_STOPPED' | 'TWIN_ERR_INTERNAL';

export class TwinError extends Error {
  constructor(
    readonly code: TwinErrorCode,
    readonly statusCode: number,
    message: string,
    readonly issues: readonly Issue[] = [],
  ) {
    super(message);
    this.name = 'TwinError';
  }
}

/** A 422 naming the field (e.g. `body.site`), its value and the values it may take. */
export function unknownValue(code: TwinErrorCode, field: string, value: unknown, known: readonly string[]): TwinError {
  const list = known.length > 20 ? `${known.slice(0, 20).join(', ')}, ... (${known.length})` : known.join(', ');
  return new TwinError(code, 422, `${field}: unknown value ${JSON.stringify(value)}; known: ${list}`, [{ path: field, value, message: `one of: ${known.join(', ')}` }]);
}

// Invoking a command by its definition: fields encoded and the response decoded by the cluster's declaration, over
// the Interaction Model client (invoke()).
import type { ExchangeManager } from '../protocol/exchange-manager.js';
import type { SecureSession } from '../session/secure-session.js';
import { invoke, type InvokeOptions } from '../interaction/invoke-client.js';
import type { CommandDefinition } from './cluster-definition.js';

/**
 * `await invokeCommand(exchanges, session, 0, GeneralCommissioningCluster.commands.armFailSafe, { expiryLengthSeconds: 60,
 * breadcrumb: 0n })` -> `{ errorCode: 0, debugText: '' }`. Rejects with InteractionStatusError for a failure status.
 */
export async function invokeCommand<Request, Response>(exchanges: ExchangeManager, session: SecureSession, endpoint: number,
  definition: CommandDefinition<Request, Response>, fields: Request, options: InvokeOptions = {}): Promise<Response> {
  const invocation = (definition.encode as (f: Request) => ReturnType<typeof definition.encode>)(fields);
  const result = await invoke(exchanges, session, { endpoint, ...invocation, ...options });
  return definition.decodeResponse(result);
}
